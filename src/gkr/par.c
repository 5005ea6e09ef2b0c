/*
 * par.c — the GKR prover's parallel loop over instances: thread t of T
 * runs items t, t + T, t + 2T, ...  Each item writes only its own outputs
 * and the caller combines them in item order afterwards, so the proof
 * bytes never depend on the number of threads (STYLE.md, "Threads").
 * A thread that cannot be started has its items run on the caller.
 */
#include <pthread.h>

#include "gkr_internal.h"

typedef struct {
    gkr_item_fn fn;
    void *ctx;
    size_t items, first, step;
} par_job;

/* Run one thread's share of the items. */
static void *par_run(void *arg)
{
    par_job *j = arg;
    for (size_t i = j->first; i < j->items; i += j->step)
        j->fn(j->ctx, i);
    return NULL;
}

void gkr_parallel_for(size_t items, unsigned threads, gkr_item_fn fn, void *ctx)
{
    size_t T = threads < 1 ? 1 : threads;
    if (T > GKR_MAX_THREADS)
        T = GKR_MAX_THREADS;
    if (T > items)
        T = items;
    if (T <= 1) {
        for (size_t i = 0; i < items; i++)
            fn(ctx, i);
        return;
    }
    pthread_t tids[GKR_MAX_THREADS];
    par_job jobs[GKR_MAX_THREADS];
    int started[GKR_MAX_THREADS];
    for (size_t t = 0; t < T; t++) {
        jobs[t] = (par_job){fn, ctx, items, t, T};
        started[t] = t > 0 && pthread_create(&tids[t], NULL, par_run, &jobs[t]) == 0;
    }
    par_run(&jobs[0]);
    for (size_t t = 1; t < T; t++) {
        if (started[t])
            (void)pthread_join(tids[t], NULL);
        else
            par_run(&jobs[t]);
    }
}
