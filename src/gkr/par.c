/*
 * par.c — the GKR prover's parallel loop over instances, on the library's
 * one thread pool (cairn/pool.h).  Each item writes only its own outputs
 * and the caller combines them in item order afterwards, so the proof bytes
 * never depend on the number of threads (STYLE.md, "Threads").
 */
#include "cairn/pool.h"
#include "gkr_internal.h"

void gkr_parallel_for(size_t items, unsigned threads, gkr_item_fn fn, void *ctx)
{
    if (threads <= 1 || items <= 1) {
        for (size_t i = 0; i < items; i++)
            fn(ctx, i);
        return;
    }
    cairn_pool_run(items, fn, ctx);
}
