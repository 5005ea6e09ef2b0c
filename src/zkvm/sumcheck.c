/*
 * sumcheck.c — a sum-check prover for a polynomial given by a point function
 * F(f_0(x), ..., f_{k-1}(x)) rather than a sum of products: the lean
 * row's zero-check (lean_zerocheck.c), whose summand combines every
 * constraint of the row, and its shift stage (lean_shift.c); a summand
 * that cairn_sumcheck_expr could only express by expanding it.
 *
 * The round messages and transcript are exactly those of
 * cairn_sumcheck_prove (docs/sumcheck.md: header, then s_i(0), s_i(2..d)
 * and a challenge per round; round i binds variable i), so the generic
 * cairn_sumcheck_verify replays it.  Per round, each pair (2j, 2j+1) of
 * every table gives the values at X = 0, 2, ..., d by repeated addition of
 * hi - lo, and F is evaluated there; then every table is folded.  Pairs
 * (and, for the folds, tables) are cut into a fixed number of chunks that
 * run on the library's thread pool (cairn/pool.h); each chunk keeps its own
 * sums, added in chunk order, so the proof does not depend on the thread
 * count.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/pool.h"
#include "zkvm_internal.h"

/* Chunks of a round or a fold (a constant: never the thread count). */
#define MAX_THREADS CAIRN_POOL_CHUNKS

struct round_ctx {
    size_t k, degree, half, round;
    const cairn_fp *const *base;
    const cairn_fp2 *const *ext;
    cairn_fp2 **own;
    zk_point_fn fn;
    void *fn_ctx;
    cairn_fp2 r; /* folding challenge (fold pass) */
};

struct worker {
    struct round_ctx *rc;
    size_t lo, hi;
    cairn_fp2 acc[CAIRN_SUMCHECK_MAX_DEGREE + 1];
    cairn_fp2 *vals; /* (degree + 1) * k, reused */
    int fold;
};

/* Table c at index j for the current round. */
static cairn_fp2 at(const struct round_ctx *rc, size_t c, size_t j)
{
    if (rc->round == 0)
        return rc->base[c] != NULL ? cairn_fp2_from_fp(rc->base[c][j]) : rc->ext[c][j];
    return rc->own[c][j];
}

/*
 * One worker: in a round, the sums of F at X = 0, 2, ..., d over its pairs;
 * in a fold, the tables lo..hi folded in place with the round's challenge.
 */
static void *work(void *arg)
{
    struct worker *wk = arg;
    struct round_ctx *rc = wk->rc;
    size_t k = rc->k, d = rc->degree;
    if (wk->fold) {
        /* in place, so each thread folds whole tables (lo..hi index tables here) */
        for (size_t c = wk->lo; c < wk->hi; c++) {
            cairn_fp2 *dst = rc->own[c];
            for (size_t j = 0; j < rc->half; j++) {
                cairn_fp2 a = at(rc, c, 2 * j), b = at(rc, c, 2 * j + 1);
                dst[j] = cairn_fp2_add(a, cairn_fp2_mul(rc->r, cairn_fp2_sub(b, a)));
            }
        }
        return NULL;
    }
    for (size_t e = 0; e <= d; e++)
        wk->acc[e] = cairn_fp2_zero();
    cairn_fp2 *v0 = wk->vals;
    for (size_t j = wk->lo; j < wk->hi; j++) {
        /* vals[e*k + c] = f_c at X = e (e = 0, 2, 3, ..., d; row 1 is the step) */
        for (size_t c = 0; c < k; c++) {
            cairn_fp2 a = at(rc, c, 2 * j), b = at(rc, c, 2 * j + 1);
            cairn_fp2 step = cairn_fp2_sub(b, a);
            v0[c] = a;
            cairn_fp2 cur = cairn_fp2_add(b, step);
            for (size_t e = 2; e <= d; e++) {
                v0[e * k + c] = cur;
                cur = cairn_fp2_add(cur, step);
            }
        }
        wk->acc[0] = cairn_fp2_add(wk->acc[0], rc->fn(rc->fn_ctx, v0));
        for (size_t e = 2; e <= d; e++)
            wk->acc[e] = cairn_fp2_add(wk->acc[e], rc->fn(rc->fn_ctx, v0 + e * k));
    }
    return NULL;
}

/* Pool chunk i: worker i's part. */
static void work_chunk(void *ctx, size_t i)
{
    struct worker *wk = ctx;
    (void)work(&wk[i]);
}

/* Cut [0, half) (or the tables, for a fold) into nt chunks and run them on the pool. */
static void run_workers(struct worker *wk, unsigned nt, struct round_ctx *rc, int fold)
{
    size_t range = fold ? rc->k : rc->half; /* folds split the tables, rounds the pairs */
    size_t per = (range + nt - 1) / nt;
    for (unsigned i = 0; i < nt; i++) {
        wk[i].rc = rc;
        wk[i].fold = fold;
        wk[i].lo = per * i < range ? per * i : range;
        wk[i].hi = per * (i + 1) < range ? per * (i + 1) : range;
    }
    cairn_pool_run(nt, work_chunk, wk);
}

cairn_status zk_sumcheck_prove(cairn_sumcheck_proof *proof, cairn_fp2 *point, cairn_fp2 *evals,
                               cairn_transcript *t, size_t k, const cairn_fp *const *base,
                               const cairn_fp2 *const *ext, size_t n, size_t degree,
                               cairn_fp2 claim, zk_point_fn fn, void *ctx, unsigned threads,
                               cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    struct worker wk[MAX_THREADS];
    cairn_fp2 **own = NULL;
    unsigned nt = MAX_THREADS;
    (void)threads; /* the pool's size (set by the prover) decides the threads */
    memset(wk, 0, sizeof wk);
    cairn_sumcheck_proof_clear(proof);
    if (n < 1 || n > CAIRN_SUMCHECK_MAX_VARS || degree < 1 || degree > CAIRN_SUMCHECK_MAX_DEGREE)
        return cairn_error_set(err, CAIRN_ERR_ARG, "zk_sumcheck_prove: n %zu, degree %zu", n, degree);
    proof->evals = malloc(n * degree * sizeof *proof->evals);
    own = calloc(k, sizeof *own);
    if (proof->evals == NULL || own == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the outer sum-check");
        goto out;
    }
    proof->rounds = n;
    proof->degree = degree;
    size_t half0 = (size_t)1 << (n - 1);
    for (size_t c = 0; c < k; c++) {
        own[c] = malloc(half0 * sizeof **own);
        if (own[c] == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the sum-check tables");
            goto out;
        }
    }
    for (unsigned i = 0; i < nt; i++) {
        wk[i].vals = malloc((degree + 1) * k * sizeof *wk[i].vals);
        if (wk[i].vals == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the outer sum-check");
            goto out;
        }
    }
    cairn_sumcheck_absorb_header(t, n, degree, claim);

    struct round_ctx rc;
    memset(&rc, 0, sizeof rc);
    rc.k = k, rc.degree = degree, rc.base = base, rc.ext = ext, rc.own = own;
    rc.fn = fn, rc.fn_ctx = ctx;
    for (size_t i = 0; i < n; i++) {
        rc.round = i;
        rc.half = (size_t)1 << (n - 1 - i);
        unsigned use = rc.half < 64 ? 1 : nt;
        run_workers(wk, use, &rc, 0);
        cairn_fp2 *msg = proof->evals + i * degree;
        for (size_t e = 0; e <= degree; e++) {
            if (e == 1)
                continue;
            cairn_fp2 s = cairn_fp2_zero();
            for (unsigned w = 0; w < use; w++)
                s = cairn_fp2_add(s, wk[w].acc[e]);
            msg[e == 0 ? 0 : e - 1] = s;
        }
        point[i] = cairn_sumcheck_absorb_round(t, msg, degree);
        rc.r = point[i];
        run_workers(wk, use, &rc, 1);
    }
    for (size_t c = 0; c < k; c++)
        evals[c] = own[c][0];
out:
    for (unsigned i = 0; i < nt; i++)
        free(wk[i].vals);
    if (own != NULL)
        for (size_t c = 0; c < k; c++)
            free(own[c]);
    free(own);
    if (st != CAIRN_OK)
        cairn_sumcheck_proof_clear(proof);
    return st;
}
