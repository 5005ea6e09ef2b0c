/*
 * logup_batch.c — the batched indexed lookup: m index columns into one
 * public table, claims at P points, all discharged by one pushforward Y of
 * K extension elements (logup*, Soukhanov, ePrint 2025/946, generalised;
 * docs/gkr.md §8 specifies it, docs/security.md §6 counts its terms).
 *
 * Phase A (cairn_logup_star_batch_bind, both sides) binds the statement and
 * draws nu (one weight per index column and point) and gamma (one per table
 * column); the caller commits Y, which depends on nu; phase B (prove and
 * verify) draws alpha after grinding, proves <Y, T_gamma> = S by a degree-2
 * sum-check and Y's correctness by one fractional-sum GKR of m + 1
 * instances.  Prover and verifier call the same schedule helpers (lb_*),
 * so the transcripts cannot drift apart.
 *
 * eq(z_k, x) is never tabulated in full: split tables over the low and the
 * high half of x's bits (P (2^h + 2^(n-h)) elements, h = n / 2) give it in
 * one multiplication.  Loops over rows run on the library pool in chunks
 * whose number depends only on the sizes; field sums are exact, so the
 * bytes never depend on the thread count.
 *
 * The index columns are read from a row source (cairn_logup_star_index:
 * the rows and the m positions in them), in passes: the pushforward and
 * the in-memory prover's leaves make one each, the streaming prover one
 * per pass of its GKR.  Each pass gathers the index values into batches
 * of LB_BATCH rows (cairn_rows_gather), so the work is cut by the sizes
 * whatever chunks the source makes.  The array entry points wrap their
 * columns as such a source (lb_arrays).
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/poly.h"
#include "cairn/pool.h"
#include "gkr_internal.h"

/* ---- statement and phase A ----------------------------------------------------------- */

/* Check a statement against the limits; need_columns: the prover's side (CAIRN_ERR_ARG). */
static cairn_status lb_check(const cairn_logup_star_batch_statement *s, int need_columns,
                             cairn_error *err)
{
    if (s == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup* batch: no statement");
    if (s->n > CAIRN_GKR_MAX_VARS || s->kappa > CAIRN_GKR_MAX_VARS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup* batch: n = %zu, kappa = %zu (limit %u)",
                               s->n, s->kappa, CAIRN_GKR_MAX_VARS);
    if (s->index_len == 0 || s->index_len > CAIRN_LOGUP_STAR_MAX_INDEX)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup* batch: %zu index columns (allowed 1..%u)",
                               s->index_len, CAIRN_LOGUP_STAR_MAX_INDEX);
    if (s->points_len == 0 || s->points_len > CAIRN_LOGUP_STAR_MAX_POINTS || s->points == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup* batch: %zu points (allowed 1..%u)",
                               s->points_len, CAIRN_LOGUP_STAR_MAX_POINTS);
    for (size_t k = 0; k < s->points_len; k++)
        if (s->n > 0 && s->points[k] == NULL)
            return cairn_error_set(err, CAIRN_ERR_ARG, "logup* batch: point %zu missing", k);
    if (s->cols_len == 0 || s->cols_len > CAIRN_LOGUP_STAR_MAX_COLUMNS || s->values == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup* batch: %zu value columns (allowed 1..%u)",
                               s->cols_len, CAIRN_LOGUP_STAR_MAX_COLUMNS);
    if (s->columns == NULL && (need_columns || s->table_eval == NULL))
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup* batch: no table columns%s",
                               need_columns ? " (the prover needs them)" : " and no table_eval");
    for (size_t c = 0; s->columns != NULL && c < s->cols_len; c++)
        if (s->columns[c] == NULL)
            return cairn_error_set(err, CAIRN_ERR_ARG, "logup* batch: table column %zu missing", c);
    if (s->grind_bits > CAIRN_TRANSCRIPT_MAX_POW_BITS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup* batch: %u grinding bits (limit %u)",
                               s->grind_bits, CAIRN_TRANSCRIPT_MAX_POW_BITS);
    return CAIRN_OK;
}

cairn_status cairn_logup_star_batch_bind(cairn_logup_star_batch_challenges *ch,
                                         cairn_transcript *t,
                                         const cairn_logup_star_batch_statement *s,
                                         cairn_error *err)
{
    cairn_status st = lb_check(s, 0, err);
    if (st != CAIRN_OK)
        return st;
    size_t m = s->index_len, P = s->points_len, C = s->cols_len;
    cairn_transcript_absorb_u64(t, "logup-batch/vars", (uint64_t)s->n);
    cairn_transcript_absorb_u64(t, "logup-batch/table-vars", (uint64_t)s->kappa);
    cairn_transcript_absorb_u64(t, "logup-batch/index-columns", (uint64_t)m);
    cairn_transcript_absorb_u64(t, "logup-batch/points", (uint64_t)P);
    cairn_transcript_absorb_u64(t, "logup-batch/columns", (uint64_t)C);
    cairn_transcript_absorb_u64(t, "logup-batch/grind-bits", (uint64_t)s->grind_bits);
    for (size_t k = 0; k < P; k++)
        cairn_transcript_absorb_fp2_vec(t, "logup-batch/point", s->points[k], s->n);
    cairn_transcript_absorb_fp2_vec(t, "logup-batch/values", s->values, C * m * P);
    cairn_transcript_squeeze_fp2_vec(ch->nu, m * P, t, "logup-batch/nu");
    cairn_transcript_squeeze_fp2_vec(ch->gamma, C, t, "logup-batch/gamma");
    /* S = sum_c gamma_c sum_{l,k} nu_{l,k} v[c][l][k] */
    ch->claim = cairn_fp2_zero();
    for (size_t c = 0; c < C; c++) {
        cairn_fp2 inner = cairn_fp2_zero();
        for (size_t lk = 0; lk < m * P; lk++)
            inner = cairn_fp2_add(inner, cairn_fp2_mul(ch->nu[lk], s->values[c * m * P + lk]));
        ch->claim = cairn_fp2_add(ch->claim, cairn_fp2_mul(ch->gamma[c], inner));
    }
    return CAIRN_OK;
}

/* ---- split eq tables ------------------------------------------------------------------- */

/*
 * eq(z_k, x) for every point k as lo[k][x mod 2^h] * hi[k][x >> h]: the
 * low table over coordinates 0 .. h-1, the high one over h .. n-1.
 */
typedef struct {
    size_t h, lo_len, hi_len, P;
    cairn_fp2 *lo, *hi; /* P tables of lo_len = 2^h, P tables of hi_len = 2^(n-h) */
} lb_eq;

static void lb_eq_free(lb_eq *e)
{
    free(e->lo);
    free(e->hi);
    e->lo = e->hi = NULL;
}

static cairn_status lb_eq_make(lb_eq *e, const cairn_logup_star_batch_statement *s,
                               cairn_error *err)
{
    size_t n = s->n, h = n / 2, P = s->points_len;
    e->h = h;
    e->lo_len = (size_t)1 << h;
    e->hi_len = (size_t)1 << (n - h);
    e->P = P;
    e->lo = malloc(P * e->lo_len * sizeof *e->lo);
    e->hi = malloc(P * e->hi_len * sizeof *e->hi);
    if (e->lo == NULL || e->hi == NULL) {
        lb_eq_free(e);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "logup* batch: split eq tables of 2^%zu", n);
    }
    for (size_t k = 0; k < P; k++) {
        cairn_poly_eq_table(e->lo + k * e->lo_len, s->points[k], h);
        cairn_poly_eq_table(e->hi + k * e->hi_len, s->points[k] + h, n - h);
    }
    return CAIRN_OK;
}

/* p[l] = p_l(x) = sum_k nu_{l,k} eq(z_k, x) for every index column l < m. */
static void lb_row_weights(cairn_fp2 *p, const lb_eq *e, const cairn_fp2 *nu, size_t m, size_t x)
{
    cairn_fp2 w[CAIRN_LOGUP_STAR_MAX_POINTS];
    size_t xl = x & (e->lo_len - 1), xh = x >> e->h, P = e->P;
    for (size_t k = 0; k < P; k++)
        w[k] = cairn_fp2_mul(e->lo[k * e->lo_len + xl], e->hi[k * e->hi_len + xh]);
    for (size_t l = 0; l < m; l++) {
        cairn_fp2 v = cairn_fp2_mul(nu[l * P], w[0]);
        for (size_t k = 1; k < P; k++)
            v = cairn_fp2_add(v, cairn_fp2_mul(nu[l * P + k], w[k]));
        p[l] = v;
    }
}

/* Run fn over chunks on the pool when threads > 1, else on the caller, in chunk order. */
static void lb_run(size_t chunks, unsigned threads, cairn_pool_fn fn, void *ctx)
{
    if (threads > 1 && chunks > 1)
        cairn_pool_run(chunks, fn, ctx);
    else
        for (size_t c = 0; c < chunks; c++)
            fn(ctx, c);
}

/* ---- the index columns as rows ---------------------------------------------------------- */

/* Rows per batch of a pass over the index rows (the leaf rows' buffer holds as many). */
#define LB_BATCH 16384u

/* The rows of a batch: min(LB_BATCH, 2^n) when it is a buffer's size. */
static size_t lb_batch_rows(size_t rows)
{
    return rows < LB_BATCH ? rows : LB_BATCH;
}

/* Check an index source against the statement (CAIRN_ERR_ARG naming the fault). */
static cairn_status lb_index_check(const cairn_logup_star_index *ix,
                                   const cairn_logup_star_batch_statement *s, const char *who,
                                   cairn_error *err)
{
    if (ix->rows == NULL || ix->rows->stream == NULL || ix->cols == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "%s: no index rows or positions", who);
    if (ix->rows->rows_len < (UINT64_C(1) << s->n))
        return cairn_error_set(err, CAIRN_ERR_ARG, "%s: %llu index rows, fewer than 2^%zu", who,
                               (unsigned long long)ix->rows->rows_len, s->n);
    for (size_t l = 0; l < s->index_len; l++)
        if (ix->cols[l] >= ix->rows->width)
            return cairn_error_set(err, CAIRN_ERR_ARG, "%s: index column %zu at position %zu of "
                                   "rows of %zu elements", who, l, ix->cols[l], ix->rows->width);
    return CAIRN_OK;
}

/* Index arrays as an index source: columns as rows of width m, positions 0 .. m-1. */
typedef struct {
    cairn_rows rows;
    cairn_rows_cols impl;
    size_t pos[CAIRN_LOGUP_STAR_MAX_INDEX];
    cairn_logup_star_index ix;
} lb_arrays;

/*
 * Where a call's index values come from: the caller's row source (ix),
 * or its arrays (arr) wrapped as one in a.  The entry points taking
 * arrays pass from_rows 0, the others 1.
 */
typedef struct {
    int from_rows;
    const cairn_fp *const *arr;
    const cairn_logup_star_index *ix;
} lb_index_in;

/*
 * The index source of a call, once s is checked: in->ix (checked against
 * s), or the arrays (each column present) wrapped in a; CAIRN_ERR_ARG
 * naming the fault.
 */
static cairn_status lb_index_of(const cairn_logup_star_index **out, lb_arrays *a,
                                const lb_index_in *in, const cairn_logup_star_batch_statement *s,
                                const char *who, cairn_error *err)
{
    const cairn_fp *const *arr = in->arr;
    if (in->from_rows) {
        *out = in->ix;
        return lb_index_check(in->ix, s, who, err);
    }
    for (size_t l = 0; l < s->index_len; l++) {
        if (arr[l] == NULL)
            return cairn_error_set(err, CAIRN_ERR_ARG, "%s: index column %zu missing", who, l);
        a->pos[l] = l;
    }
    cairn_rows_cols_init(&a->rows, &a->impl, arr, s->index_len, UINT64_C(1) << s->n, 0);
    a->ix = (cairn_logup_star_index){&a->rows, a->pos};
    *out = &a->ix;
    return CAIRN_OK;
}

/* One pass over index rows [a, b): batches of LB_BATCH rows into buf (stride per row), counted. */
static cairn_status lb_pass(const cairn_logup_star_index *ix, size_t m, uint64_t a, uint64_t b,
                            cairn_fp *buf, size_t stride, cairn_rows_batch_fn fn, void *ctx,
                            size_t *passes, cairn_error *err)
{
    (*passes)++;
    return cairn_rows_gather(ix->rows, a, b, ix->cols, m, buf, stride, LB_BATCH, fn, ctx, err);
}

/* ---- pushforward ------------------------------------------------------------------------ */

/*
 * The pushforward's accumulation: each batch of rows is cut into `lanes`
 * pieces, piece c adding into lane c's table (lane 0 is y itself); the
 * lanes, fixed by the sizes, are added up in lane order at the end.
 */
typedef struct {
    const lb_eq *eq;
    const cairn_fp2 *nu;
    const cairn_fp *vals; /* the batch: m index values per row */
    uint64_t x0;          /* the batch's first row */
    size_t m, K, count, lanes;
    unsigned threads;
    cairn_fp2 *y, *partial; /* lane 0 adds into y, lane c > 0 into partial + (c-1) K */
    size_t *bad_row, *bad_col; /* per lane: the first row of the batch indexing outside, or count */
} pf_job;

static void pf_lane(void *ctx, size_t c)
{
    pf_job *j = ctx;
    size_t lo, hi, m = j->m;
    cairn_fp2 *acc = c == 0 ? j->y : j->partial + (c - 1) * j->K, p[CAIRN_LOGUP_STAR_MAX_INDEX];
    cairn_pool_chunk_range(&lo, &hi, j->count, j->lanes, c);
    j->bad_row[c] = j->count;
    for (size_t i = lo; i < hi; i++) {
        const cairn_fp *v = j->vals + i * m;
        for (size_t l = 0; l < m; l++)
            if (v[l].v >= j->K) {
                j->bad_row[c] = i;
                j->bad_col[c] = l;
                return;
            }
        lb_row_weights(p, j->eq, j->nu, m, (size_t)(j->x0 + i));
        for (size_t l = 0; l < m; l++)
            acc[v[l].v] = cairn_fp2_add(acc[v[l].v], p[l]);
    }
}

/* One batch into the lanes; CAIRN_ERR_ARG at its first index outside the table (row, then column order). */
static cairn_status pf_batch(void *ctx, uint64_t x0, size_t count, cairn_error *err)
{
    pf_job *j = ctx;
    j->x0 = x0, j->count = count;
    lb_run(j->lanes, j->threads, pf_lane, j);
    for (size_t c = 0; c < j->lanes; c++)
        if (j->bad_row[c] < count) {
            size_t i = j->bad_row[c], l = j->bad_col[c];
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "logup* batch pushforward: index column %zu, row %zu indexes "
                                   "%llu, outside the table of %zu rows",
                                   l, (size_t)(x0 + i), (unsigned long long)j->vals[i * j->m + l].v,
                                   j->K);
        }
    return CAIRN_OK;
}

/* y[b] += the partial tables' entries b, for a range of b per chunk. */
static void pf_sum_chunk(void *ctx, size_t c)
{
    pf_job *j = ctx;
    size_t lo, hi, sums = cairn_pool_chunks(j->K, GKR_PAR_MIN);
    cairn_pool_chunk_range(&lo, &hi, j->K, sums, c);
    for (size_t u = 1; u < j->lanes; u++)
        for (size_t b = lo; b < hi; b++)
            j->y[b] = cairn_fp2_add(j->y[b], j->partial[(u - 1) * j->K + b]);
}

/* Both pushforward entry points, the index values from in. */
static cairn_status lb_pushforward(cairn_fp2 *y, size_t *passes,
                                   const cairn_logup_star_batch_statement *s,
                                   const cairn_logup_star_batch_challenges *ch,
                                   const lb_index_in *in, unsigned threads, cairn_error *err)
{
    static const char who[] = "logup* batch pushforward";
    const cairn_logup_star_index *ix;
    lb_arrays wrap;
    size_t np = 0;
    if (passes != NULL)
        *passes = 0;
    cairn_status st = lb_check(s, 0, err);
    if (st != CAIRN_OK)
        return st;
    if (y == NULL || ch == NULL || (in->from_rows ? in->ix == NULL : in->arr == NULL))
        return cairn_error_set(err, CAIRN_ERR_ARG, "%s: missing argument", who);
    if ((st = lb_index_of(&ix, &wrap, in, s, who, err)) != CAIRN_OK)
        return st;
    lb_eq eq = {0, 0, 0, 0, NULL, NULL};
    size_t rows = (size_t)1 << s->n, K = (size_t)1 << s->kappa, m = s->index_len;
    /* at least 4K / m rows a lane: the partial tables hold at most m 2^n / 4 elements */
    size_t min_rows = (4 * K + m - 1) / m;
    pf_job j = {&eq, ch->nu, NULL, 0, m, K, 0,
                cairn_pool_chunks(rows, min_rows > GKR_PAR_MIN ? min_rows : GKR_PAR_MIN),
                threads, y, NULL, NULL, NULL};
    cairn_fp *vals = malloc(lb_batch_rows(rows) * m * sizeof *vals);
    j.partial = j.lanes > 1 ? calloc((j.lanes - 1) * K, sizeof *j.partial) : NULL;
    j.bad_row = malloc(2 * j.lanes * sizeof *j.bad_row);
    if ((j.lanes > 1 && j.partial == NULL) || j.bad_row == NULL || vals == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "%s: %zu partial tables of 2^%zu", who,
                             j.lanes, s->kappa);
        goto out;
    }
    j.bad_col = j.bad_row + j.lanes;
    j.vals = vals;
    for (size_t b = 0; b < K; b++)
        y[b] = cairn_fp2_zero();
    if ((st = lb_eq_make(&eq, s, err)) != CAIRN_OK ||
        (st = lb_pass(ix, m, 0, rows, vals, m, pf_batch, &j, &np, err)) != CAIRN_OK)
        goto out;
    if (j.lanes > 1)
        lb_run(cairn_pool_chunks(K, GKR_PAR_MIN), threads, pf_sum_chunk, &j);
out:
    if (passes != NULL)
        *passes = np;
    lb_eq_free(&eq);
    free(vals);
    free(j.partial);
    free(j.bad_row);
    return st;
}

cairn_status cairn_logup_star_batch_pushforward(cairn_fp2 *y,
                                                const cairn_logup_star_batch_statement *s,
                                                const cairn_logup_star_batch_challenges *ch,
                                                const cairn_fp *const *index, unsigned threads,
                                                cairn_error *err)
{
    lb_index_in in = {0, index, NULL};
    return lb_pushforward(y, NULL, s, ch, &in, threads, err);
}

cairn_status cairn_logup_star_batch_pushforward_rows(cairn_fp2 *y, size_t *passes,
                                                     const cairn_logup_star_batch_statement *s,
                                                     const cairn_logup_star_batch_challenges *ch,
                                                     const cairn_logup_star_index *index,
                                                     unsigned threads, cairn_error *err)
{
    lb_index_in in = {1, NULL, index};
    return lb_pushforward(y, passes, s, ch, &in, threads, err);
}

/* ---- phase B: the schedule shared by prover and verifier ------------------------------ */

/* The GKR shapes: n for each index column, then kappa. */
static void lb_vars(size_t *vars, const cairn_logup_star_batch_statement *s)
{
    for (size_t l = 0; l < s->index_len; l++)
        vars[l] = s->n;
    vars[s->index_len] = s->kappa;
}

/* The claims both sides return, from the GKR's points and leaf evaluations. */
static void lb_claims(cairn_logup_star_batch_claims *c, const cairn_logup_star_batch_statement *s,
                      cairn_fp2 alpha, const cairn_fp2 *pts, const cairn_fp2 *pe,
                      const cairn_fp2 *qe)
{
    size_t m = s->index_len;
    memcpy(c->index_point, pts, s->n * sizeof *pts);
    for (size_t l = 0; l < m; l++)
        c->index_values[l] = cairn_fp2_sub(alpha, qe[l]);
    memcpy(c->y_points[1], pts + m * s->n, s->kappa * sizeof *pts);
    c->y_values[1] = cairn_fp2_neg(pe[m]);
}

/* ---- prover ------------------------------------------------------------------------------ */

/* The in-memory prover's leaves, a batch of rows at a time (each row's leaves depend on it alone). */
typedef struct {
    const cairn_fp2 *nu;
    const lb_eq *eq;
    cairn_fp2 alpha;
    const cairn_fp *vals; /* the batch: m index values per row */
    uint64_t x0;
    size_t m, rows, count, chunks;
    unsigned threads;
    cairn_fp2 *leaves; /* p_l at (2l) 2^n, q_l at (2l + 1) 2^n */
} leaf_job;

static void leaf_chunk(void *ctx, size_t c)
{
    leaf_job *j = ctx;
    size_t lo, hi, m = j->m;
    cairn_fp2 p[CAIRN_LOGUP_STAR_MAX_INDEX];
    cairn_pool_chunk_range(&lo, &hi, j->count, j->chunks, c);
    for (size_t i = lo; i < hi; i++) {
        size_t x = (size_t)(j->x0 + i);
        lb_row_weights(p, j->eq, j->nu, m, x);
        for (size_t l = 0; l < m; l++) {
            j->leaves[2 * l * j->rows + x] = p[l];
            j->leaves[(2 * l + 1) * j->rows + x] =
                cairn_fp2_sub(j->alpha, cairn_fp2_from_fp(j->vals[i * m + l]));
        }
    }
}

static cairn_status leaf_batch(void *ctx, uint64_t x0, size_t count, cairn_error *err)
{
    leaf_job *j = ctx;
    (void)err;
    j->x0 = x0, j->count = count, j->chunks = cairn_pool_chunks(count, 256);
    lb_run(j->chunks, j->threads, leaf_chunk, j);
    return CAIRN_OK;
}

/*
 * The leaves as rows, for the streaming GKR prover: row x holds the m
 * index values i_l(x), eq(z_k, x) as two base coordinates (c0, c1) per
 * point, then for x < K the table side's Y[x] (c0, c1) and x itself.  Each
 * leaf is affine in the row (lb_row_instances), with the same values as
 * leaf_chunk's and gkr_ls_table_leaves'.  A stream of rows below 2^n is a
 * pass over the index rows, gathered straight into the row buffer.
 */
typedef struct {
    const cairn_logup_star_index *ix;
    const lb_eq *eq;
    const cairn_fp2 *y;
    size_t m, P, rows, K, width;
    cairn_fp *buf; /* LB_BATCH rows */
    unsigned threads;
    size_t passes; /* passes over the index rows so far */
    cairn_rows_consumer consume; /* the stream in progress: where the rows go */
    void *cctx;
} lb_rows;

/* The rows of one batch of rows [x0, x0 + cnt) of the buffer, cut into `chunks` pieces. */
struct lb_fill {
    const lb_rows *r;
    uint64_t x0;
    size_t cnt, chunks;
};

/* Piece c of an lb_fill: all but the index values of its rows (each depends only on its index). */
static void lb_fill_chunk(void *ctx, size_t c)
{
    const struct lb_fill *f = ctx;
    const lb_rows *r = f->r;
    const lb_eq *e = r->eq;
    size_t lo, hi, m = r->m, w = r->width;
    cairn_pool_chunk_range(&lo, &hi, f->cnt, f->chunks, c);
    for (size_t i = lo; i < hi; i++) {
        uint64_t x = f->x0 + i;
        cairn_fp *row = r->buf + i * w;
        if (x < r->rows) { /* the index values are there already */
            size_t xl = (size_t)x & (e->lo_len - 1), xh = (size_t)(x >> e->h);
            for (size_t k = 0; k < r->P; k++) {
                cairn_fp2 v = cairn_fp2_mul(e->lo[k * e->lo_len + xl], e->hi[k * e->hi_len + xh]);
                row[m + 2 * k] = v.c0;
                row[m + 2 * k + 1] = v.c1;
            }
        } else {
            memset(row, 0, (m + 2 * r->P) * sizeof *row);
        }
        if (x < r->K) {
            row[m + 2 * r->P] = r->y[x].c0;
            row[m + 2 * r->P + 1] = r->y[x].c1;
            row[m + 2 * r->P + 2] = cairn_fp_make(x);
        } else {
            memset(row + m + 2 * r->P, 0, 3 * sizeof *row);
        }
    }
}

/* Complete a batch of rows in the buffer and hand it to the stream's consumer. */
static cairn_status lb_rows_batch(void *ctx, uint64_t x0, size_t count, cairn_error *err)
{
    lb_rows *r = ctx;
    struct lb_fill f = {r, x0, count, cairn_pool_chunks(count, 256)};
    lb_run(f.chunks, r->threads, lb_fill_chunk, &f);
    return r->consume(r->cctx, x0, r->buf, count, err);
}

/* Rows [a, b): those below 2^n by a pass over the index rows, the table side's alone after. */
static cairn_status lb_rows_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                                   cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    lb_rows *r = src->impl;
    uint64_t mid = b < r->rows ? b : r->rows;
    cairn_status st = CAIRN_OK;
    r->consume = consume, r->cctx = ctx;
    if (a < mid)
        st = lb_pass(r->ix, r->m, a, mid, r->buf, r->width, lb_rows_batch, r, &r->passes, err);
    for (uint64_t x0 = a > mid ? a : mid; x0 < b && st == CAIRN_OK; x0 += LB_BATCH)
        st = lb_rows_batch(r, x0, b - x0 < LB_BATCH ? (size_t)(b - x0) : LB_BATCH, err);
    return st;
}

/* Storage of the affine leaves' terms: per index column 2P numerator terms and one denominator term. */
typedef struct {
    size_t cols[CAIRN_LOGUP_STAR_MAX_INDEX + 1][2 * CAIRN_LOGUP_STAR_MAX_POINTS];
    cairn_fp2 coeffs[CAIRN_LOGUP_STAR_MAX_INDEX + 1][2 * CAIRN_LOGUP_STAR_MAX_POINTS];
    size_t qcol[CAIRN_LOGUP_STAR_MAX_INDEX + 1][1];
    cairn_fp2 qcoef[CAIRN_LOGUP_STAR_MAX_INDEX + 1][1];
} lb_terms;

/*
 * Instance l < m: p_l = sum_k nu_{l,k} (c0_k + X c1_k), q_l = alpha - i_l;
 * instance m: p = -(Y.c0 + X Y.c1), q = alpha - x.
 */
static void lb_row_instances(cairn_gkr_row_instance *inst, lb_terms *tm, const lb_rows *r,
                             const cairn_fp2 *nu, cairn_fp2 alpha, size_t n, size_t kappa)
{
    const cairn_fp2 X = cairn_fp2_make(cairn_fp_zero(), cairn_fp_one());
    const cairn_fp2 minus1 = cairn_fp2_neg(cairn_fp2_one());
    size_t m = r->m, P = r->P;
    for (size_t l = 0; l <= m; l++) {
        size_t np = l < m ? 2 * P : 2;
        for (size_t k = 0; l < m && k < P; k++) {
            tm->cols[l][2 * k] = m + 2 * k, tm->coeffs[l][2 * k] = nu[l * P + k];
            tm->cols[l][2 * k + 1] = m + 2 * k + 1;
            tm->coeffs[l][2 * k + 1] = cairn_fp2_mul(nu[l * P + k], X);
        }
        if (l == m) {
            tm->cols[l][0] = m + 2 * P, tm->coeffs[l][0] = minus1;
            tm->cols[l][1] = m + 2 * P + 1, tm->coeffs[l][1] = cairn_fp2_neg(X);
        }
        tm->qcol[l][0] = l < m ? l : m + 2 * P + 2;
        tm->qcoef[l][0] = minus1;
        inst[l] = (cairn_gkr_row_instance){l < m ? n : kappa,
                                           {cairn_fp2_zero(), np, tm->cols[l], tm->coeffs[l]},
                                           {alpha, 1, tm->qcol[l], tm->qcoef[l]}};
    }
}

/*
 * Every prover entry point, the index values from in: budget 0 holds the
 * leaves in memory (cairn_gkr_prove), else cairn_gkr_prove_stream reads
 * them as rows within the budget.  *passes (optional): the passes made
 * over the index rows, on failure too.
 */
static cairn_status lb_prove(cairn_logup_star_proof *proof, cairn_logup_star_batch_claims *claims,
                             size_t *passes, cairn_transcript *t,
                             const cairn_logup_star_batch_statement *s,
                             const cairn_logup_star_batch_challenges *ch, const lb_index_in *in,
                             const cairn_fp2 *y, size_t budget, unsigned threads,
                             cairn_error *err)
{
    static const char who[] = "logup* batch prover";
    cairn_fp2 *tg = NULL, *leaves = NULL, *pts = NULL, alpha;
    cairn_fp2 pe[CAIRN_LOGUP_STAR_MAX_INDEX + 1], qe[CAIRN_LOGUP_STAR_MAX_INDEX + 1];
    cairn_gkr_instance inst[CAIRN_LOGUP_STAR_MAX_INDEX + 1];
    cairn_gkr_row_instance rinst[CAIRN_LOGUP_STAR_MAX_INDEX + 1];
    const cairn_logup_star_index *ix;
    cairn_fp *vals = NULL;
    lb_terms *terms = NULL;
    lb_arrays wrap;
    lb_rows lr;
    size_t np = 0; /* the in-memory prover's passes (lr.passes: the streaming one's) */
    lb_eq eq = {0, 0, 0, 0, NULL, NULL};
    memset(&lr, 0, sizeof lr);
    if (passes != NULL)
        *passes = 0;
    cairn_logup_star_proof_clear(proof);
    cairn_status st = lb_check(s, 1, err);
    if (st != CAIRN_OK)
        return st;
    if (ch == NULL || claims == NULL || (in->from_rows ? in->ix == NULL : in->arr == NULL) ||
        y == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "%s: missing argument", who);
    if (s->y_binding == NULL || s->y_binding_len < 16)
        return cairn_error_set(err, CAIRN_ERR_ARG, "%s: no binding of Y (its commitment, 16 bytes "
                               "or more)", who);
    if ((st = lb_index_of(&ix, &wrap, in, s, who, err)) != CAIRN_OK)
        return st;
    size_t m = s->index_len, rows = (size_t)1 << s->n, K = (size_t)1 << s->kappa;
    tg = malloc(3 * K * sizeof *tg);
    if (budget == 0) {
        leaves = malloc(2 * m * rows * sizeof *leaves);
        vals = malloc(lb_batch_rows(rows) * m * sizeof *vals);
    } else {
        terms = malloc(sizeof *terms);
    }
    pts = malloc((m * s->n + s->kappa + 1) * sizeof *pts);
    if (tg == NULL || (budget == 0 ? leaves == NULL || vals == NULL : terms == NULL) ||
        pts == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "%s: %zu columns of 2^%zu", who, m, s->n);
        goto out;
    }

    cairn_transcript_absorb_bytes(t, "logup-batch/y-binding", s->y_binding, s->y_binding_len);
    if ((st = cairn_transcript_grind(&proof->nonce, t, "logup-batch/grind", s->grind_bits,
                                     threads, err)) != CAIRN_OK)
        goto out;
    alpha = cairn_transcript_squeeze_fp2(t, "logup-batch/alpha");

    /* inner sum-check: sum_b Y[b] T_gamma[b] = S */
    st = gkr_ls_inner_prove(proof, claims->y_points[0], tg, t, s->columns, s->cols_len,
                            ch->gamma, y, s->kappa, ch->claim, "logup-batch/y-eval", err);
    if (st != CAIRN_OK)
        goto out;
    claims->y_values[0] = proof->y_eval;

    /* the leaves: p_l = sum_k nu_{l,k} eq(z_k, .), q_l = alpha - i_l; -Y and alpha - b */
    if ((st = lb_eq_make(&eq, s, err)) != CAIRN_OK)
        goto out;
    if (budget != 0) { /* the leaves as rows, read by the streaming prover in passes */
        lr = (lb_rows){ix,      &eq, y, m, s->points_len, rows, K, m + 2 * s->points_len + 3,
                       NULL,    threads, 0, NULL, NULL};
        if ((lr.buf = malloc(lb_batch_rows(rows > K ? rows : K) * lr.width * sizeof *lr.buf)) ==
            NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "%s: a row buffer", who);
            goto out;
        }
        cairn_rows src = {rows > K ? rows : K, lr.width, lb_rows_stream, &lr};
        lb_row_instances(rinst, terms, &lr, ch->nu, alpha, s->n, s->kappa);
        cairn_gkr_stream_opts o = {budget, threads};
        if ((st = cairn_gkr_prove_stream(&proof->gkr, pts, pe, qe, NULL, t, &src, rinst, m + 1, &o,
                                         err)) != CAIRN_OK)
            goto out;
        lb_claims(claims, s, alpha, pts, pe, qe);
        goto out;
    }
    leaf_job lj = {ch->nu, &eq, alpha, vals, 0, m, rows, 0, 0, threads, leaves};
    if ((st = lb_pass(ix, m, 0, rows, vals, m, leaf_batch, &lj, &np, err)) != CAIRN_OK)
        goto out;
    lb_eq_free(&eq);
    free(vals);
    vals = NULL;
    cairn_fp2 *pb = tg + K, *qb = tg + 2 * K;
    gkr_ls_table_leaves(pb, qb, y, s->kappa, alpha);
    for (size_t l = 0; l < m; l++)
        inst[l] = (cairn_gkr_instance){s->n, {NULL, leaves + 2 * l * rows, 0},
                                       {NULL, leaves + (2 * l + 1) * rows, 0}};
    inst[m] = (cairn_gkr_instance){s->kappa, {NULL, pb, 0}, {NULL, qb, 0}};
    if ((st = cairn_gkr_prove(&proof->gkr, pts, pe, qe, t, inst, m + 1, threads, err)) !=
        CAIRN_OK)
        goto out;
    lb_claims(claims, s, alpha, pts, pe, qe);
out:
    if (passes != NULL)
        *passes = np + lr.passes; /* one of them is 0 */
    lb_eq_free(&eq);
    free(lr.buf);
    free(vals);
    free(terms);
    free(tg);
    free(leaves);
    free(pts);
    if (st != CAIRN_OK)
        cairn_logup_star_proof_clear(proof);
    return st;
}

cairn_status cairn_logup_star_batch_prove(cairn_logup_star_proof *proof,
                                          cairn_logup_star_batch_claims *claims,
                                          cairn_transcript *t,
                                          const cairn_logup_star_batch_statement *s,
                                          const cairn_logup_star_batch_challenges *ch,
                                          const cairn_fp *const *index, const cairn_fp2 *y,
                                          unsigned threads, cairn_error *err)
{
    lb_index_in in = {0, index, NULL};
    return lb_prove(proof, claims, NULL, t, s, ch, &in, y, 0, threads, err);
}

cairn_status cairn_logup_star_batch_prove_rows(cairn_logup_star_proof *proof,
                                               cairn_logup_star_batch_claims *claims,
                                               size_t *passes, cairn_transcript *t,
                                               const cairn_logup_star_batch_statement *s,
                                               const cairn_logup_star_batch_challenges *ch,
                                               const cairn_logup_star_index *index,
                                               const cairn_fp2 *y, unsigned threads,
                                               cairn_error *err)
{
    lb_index_in in = {1, NULL, index};
    return lb_prove(proof, claims, passes, t, s, ch, &in, y, 0, threads, err);
}

/* The streaming entry points: a budget of 0 bytes is refused (0 means in memory inside). */
static cairn_status lb_prove_stream(cairn_logup_star_proof *proof,
                                    cairn_logup_star_batch_claims *claims, size_t *passes,
                                    cairn_transcript *t, const cairn_logup_star_batch_statement *s,
                                    const cairn_logup_star_batch_challenges *ch,
                                    const lb_index_in *in, const cairn_fp2 *y, size_t mem_budget,
                                    unsigned threads, cairn_error *err)
{
    if (mem_budget == 0) {
        if (passes != NULL)
            *passes = 0;
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup* batch prover: a budget of 0 bytes");
    }
    return lb_prove(proof, claims, passes, t, s, ch, in, y, mem_budget, threads, err);
}

cairn_status cairn_logup_star_batch_prove_stream(cairn_logup_star_proof *proof,
                                                 cairn_logup_star_batch_claims *claims,
                                                 cairn_transcript *t,
                                                 const cairn_logup_star_batch_statement *s,
                                                 const cairn_logup_star_batch_challenges *ch,
                                                 const cairn_fp *const *index, const cairn_fp2 *y,
                                                 size_t mem_budget, unsigned threads,
                                                 cairn_error *err)
{
    lb_index_in in = {0, index, NULL};
    return lb_prove_stream(proof, claims, NULL, t, s, ch, &in, y, mem_budget, threads, err);
}

cairn_status cairn_logup_star_batch_prove_stream_rows(
    cairn_logup_star_proof *proof, cairn_logup_star_batch_claims *claims, size_t *passes,
    cairn_transcript *t, const cairn_logup_star_batch_statement *s,
    const cairn_logup_star_batch_challenges *ch, const cairn_logup_star_index *index,
    const cairn_fp2 *y, size_t mem_budget, unsigned threads, cairn_error *err)
{
    lb_index_in in = {1, NULL, index};
    return lb_prove_stream(proof, claims, passes, t, s, ch, &in, y, mem_budget, threads, err);
}

/* ---- verifier ---------------------------------------------------------------------------- */

/*
 * The verifier's own leaves: p_l(r) = sum_k nu_{l,k} eq(z_k, r) at the
 * index point and alpha - b(r_T) at the table point (CAIRN_ERR_REJECTED
 * naming the first that differs).
 */
static cairn_status lb_check_leaves(const cairn_logup_star_batch_statement *s,
                                    const cairn_fp2 *nu, cairn_fp2 alpha, const cairn_fp2 *pts,
                                    const cairn_fp2 *pe, const cairn_fp2 *qe, cairn_error *err)
{
    size_t m = s->index_len, P = s->points_len;
    cairn_fp2 e[CAIRN_LOGUP_STAR_MAX_POINTS];
    for (size_t k = 0; k < P; k++)
        e[k] = cairn_poly_eq_eval(s->points[k], pts, s->n);
    for (size_t l = 0; l < m; l++) {
        cairn_fp2 v = cairn_fp2_zero();
        for (size_t k = 0; k < P; k++)
            v = cairn_fp2_add(v, cairn_fp2_mul(nu[l * P + k], e[k]));
        if (!cairn_fp2_eq(pe[l], v))
            return cairn_error_set(err, CAIRN_ERR_REJECTED,
                                   "logup* batch rejected: the numerator of index column %zu is "
                                   "not sum_k nu eq(z_k, r)", l);
    }
    if (!cairn_fp2_eq(qe[m], cairn_fp2_sub(alpha, gkr_index_mle(pts + m * s->n, s->kappa))))
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "logup* batch rejected: the table-side denominator is not "
                               "alpha - b(r)");
    return CAIRN_OK;
}

cairn_status cairn_logup_star_batch_verify(cairn_logup_star_batch_claims *claims,
                                           cairn_transcript *t,
                                           const cairn_logup_star_proof *proof,
                                           const cairn_logup_star_batch_statement *s,
                                           const cairn_logup_star_batch_challenges *ch,
                                           cairn_error *err)
{
    cairn_fp2 pe[CAIRN_LOGUP_STAR_MAX_INDEX + 1], qe[CAIRN_LOGUP_STAR_MAX_INDEX + 1];
    size_t vars[CAIRN_LOGUP_STAR_MAX_INDEX + 1];
    cairn_fp2 alpha, *pts = NULL, zero = cairn_fp2_zero();
    cairn_status st = lb_check(s, 0, err);
    if (st != CAIRN_OK)
        return st;
    if (ch == NULL || claims == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup* batch verifier: missing argument");
    if (s->y_binding == NULL || s->y_binding_len < 16)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup* batch verifier: no binding of Y (its "
                               "commitment, 16 bytes or more)");
    if (proof == NULL || !gkr_ls_shape_ok(proof, s->n, s->kappa, s->index_len))
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "logup* batch proof: made for other sizes than n = %zu, kappa = "
                               "%zu, %zu index columns", s->n, s->kappa, s->index_len);
    size_t m = s->index_len;
    cairn_transcript_absorb_bytes(t, "logup-batch/y-binding", s->y_binding, s->y_binding_len);
    if ((st = cairn_transcript_check_pow(t, "logup-batch/grind", s->grind_bits, proof->nonce,
                                         err)) != CAIRN_OK)
        return st;
    alpha = cairn_transcript_squeeze_fp2(t, "logup-batch/alpha");

    st = gkr_ls_inner_verify(claims->y_points[0], t, proof, s->kappa, ch->claim, s->columns,
                             s->cols_len, s->table_eval, s->table_ctx, ch->gamma,
                             "logup-batch/y-eval", err);
    if (st != CAIRN_OK)
        return st;
    claims->y_values[0] = proof->y_eval;

    pts = malloc((m * s->n + s->kappa + 1) * sizeof *pts);
    if (pts == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "logup* batch verifier: points");
    lb_vars(vars, s);
    st = cairn_gkr_verify(pts, pe, qe, t, &proof->gkr, vars, m + 1, &zero, err);
    if (st == CAIRN_OK)
        st = lb_check_leaves(s, ch->nu, alpha, pts, pe, qe, err);
    if (st == CAIRN_OK)
        lb_claims(claims, s, alpha, pts, pe, qe);
    free(pts);
    return st;
}
