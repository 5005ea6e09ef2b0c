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

/* ---- pushforward ------------------------------------------------------------------------ */

typedef struct {
    const cairn_logup_star_batch_statement *s;
    const cairn_fp2 *nu;
    const cairn_fp *const *index;
    const lb_eq *eq;
    size_t rows, K, chunks;
    cairn_fp2 *y, *partial; /* chunk 0 adds into y, chunk c > 0 into partial + (c-1) K */
    size_t *bad_row, *bad_col; /* per chunk: the first index outside the table, or rows */
} pf_job;

static void pf_chunk(void *ctx, size_t c)
{
    pf_job *j = ctx;
    size_t lo, hi, m = j->s->index_len;
    cairn_fp2 *acc = c == 0 ? j->y : j->partial + (c - 1) * j->K, p[CAIRN_LOGUP_STAR_MAX_INDEX];
    cairn_pool_chunk_range(&lo, &hi, j->rows, j->chunks, c);
    for (size_t b = 0; b < j->K; b++)
        acc[b] = cairn_fp2_zero();
    j->bad_row[c] = j->rows;
    for (size_t x = lo; x < hi; x++) {
        for (size_t l = 0; l < m; l++)
            if (j->index[l][x].v >= j->K) {
                j->bad_row[c] = x;
                j->bad_col[c] = l;
                return;
            }
        lb_row_weights(p, j->eq, j->nu, m, x);
        for (size_t l = 0; l < m; l++)
            acc[j->index[l][x].v] = cairn_fp2_add(acc[j->index[l][x].v], p[l]);
    }
}

/* y[b] += the partial tables' entries b, for a range of b per chunk. */
static void pf_sum_chunk(void *ctx, size_t c)
{
    pf_job *j = ctx;
    size_t lo, hi, sums = cairn_pool_chunks(j->K, GKR_PAR_MIN);
    cairn_pool_chunk_range(&lo, &hi, j->K, sums, c);
    for (size_t u = 1; u < j->chunks; u++)
        for (size_t b = lo; b < hi; b++)
            j->y[b] = cairn_fp2_add(j->y[b], j->partial[(u - 1) * j->K + b]);
}

cairn_status cairn_logup_star_batch_pushforward(cairn_fp2 *y,
                                                const cairn_logup_star_batch_statement *s,
                                                const cairn_logup_star_batch_challenges *ch,
                                                const cairn_fp *const *index, unsigned threads,
                                                cairn_error *err)
{
    cairn_status st = lb_check(s, 0, err);
    if (st != CAIRN_OK)
        return st;
    if (y == NULL || ch == NULL || index == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup* batch pushforward: missing argument");
    for (size_t l = 0; l < s->index_len; l++)
        if (index[l] == NULL)
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "logup* batch pushforward: index column %zu missing", l);
    lb_eq eq = {0, 0, 0, 0, NULL, NULL};
    size_t rows = (size_t)1 << s->n, K = (size_t)1 << s->kappa, m = s->index_len;
    /* at least 4K / m rows a chunk: the partial tables hold at most m 2^n / 4 elements */
    size_t min_rows = (4 * K + m - 1) / m;
    pf_job j = {s, ch->nu, index, &eq, rows, K,
                cairn_pool_chunks(rows, min_rows > GKR_PAR_MIN ? min_rows : GKR_PAR_MIN),
                y, NULL, NULL, NULL};
    j.partial = j.chunks > 1 ? malloc((j.chunks - 1) * K * sizeof *j.partial) : NULL;
    j.bad_row = malloc(2 * j.chunks * sizeof *j.bad_row);
    if ((j.chunks > 1 && j.partial == NULL) || j.bad_row == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "logup* batch pushforward: %zu partial tables "
                             "of 2^%zu", j.chunks, s->kappa);
        goto out;
    }
    j.bad_col = j.bad_row + j.chunks;
    if ((st = lb_eq_make(&eq, s, err)) != CAIRN_OK)
        goto out;
    lb_run(j.chunks, threads, pf_chunk, &j);
    for (size_t c = 0; c < j.chunks; c++)
        if (j.bad_row[c] < rows) {
            size_t l = j.bad_col[c], x = j.bad_row[c];
            st = cairn_error_set(err, CAIRN_ERR_ARG,
                                 "logup* batch pushforward: index column %zu, row %zu indexes "
                                 "%llu, outside the table of %zu rows",
                                 l, x, (unsigned long long)index[l][x].v, K);
            goto out;
        }
    if (j.chunks > 1)
        lb_run(cairn_pool_chunks(K, GKR_PAR_MIN), threads, pf_sum_chunk, &j);
out:
    lb_eq_free(&eq);
    free(j.partial);
    free(j.bad_row);
    return st;
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

typedef struct {
    const cairn_logup_star_batch_statement *s;
    const cairn_fp2 *nu;
    const cairn_fp *const *index;
    const lb_eq *eq;
    cairn_fp2 alpha;
    size_t rows, chunks;
    cairn_fp2 *leaves; /* p_l at (2l) 2^n, q_l at (2l + 1) 2^n */
} leaf_job;

static void leaf_chunk(void *ctx, size_t c)
{
    leaf_job *j = ctx;
    size_t lo, hi, m = j->s->index_len;
    cairn_fp2 p[CAIRN_LOGUP_STAR_MAX_INDEX];
    cairn_pool_chunk_range(&lo, &hi, j->rows, j->chunks, c);
    for (size_t x = lo; x < hi; x++) {
        lb_row_weights(p, j->eq, j->nu, m, x);
        for (size_t l = 0; l < m; l++) {
            j->leaves[2 * l * j->rows + x] = p[l];
            j->leaves[(2 * l + 1) * j->rows + x] =
                cairn_fp2_sub(j->alpha, cairn_fp2_from_fp(j->index[l][x]));
        }
    }
}

/*
 * The leaves as rows, for the streaming GKR prover: row x holds the m
 * index values i_l(x), eq(z_k, x) as two base coordinates (c0, c1) per
 * point, then for x < K the table side's Y[x] (c0, c1) and x itself.  Each
 * leaf is affine in the row (lb_row_instances), with the same values as
 * leaf_chunk's and gkr_ls_table_leaves'.
 */
typedef struct {
    const cairn_fp *const *index;
    const lb_eq *eq;
    const cairn_fp2 *y;
    size_t m, P, rows, K, width;
    cairn_fp *buf; /* LB_ROWS_CHUNK rows */
    unsigned threads;
} lb_rows;

/* Rows per call to the consumer: few pool jobs a pass (each waits for its slowest thread). */
#define LB_ROWS_CHUNK 16384u

/* The rows of one chunk of rows [x0, x0 + cnt) of the buffer, cut into `chunks` pieces. */
struct lb_fill {
    const lb_rows *r;
    uint64_t x0;
    size_t cnt, chunks;
};

/* Piece c of an lb_fill: its rows of the buffer (each row depends only on its index). */
static void lb_fill_chunk(void *ctx, size_t c)
{
    const struct lb_fill *f = ctx;
    const lb_rows *r = f->r;
    const lb_eq *e = r->eq;
    size_t lo, hi;
    cairn_pool_chunk_range(&lo, &hi, f->cnt, f->chunks, c);
    memset(r->buf + lo * r->width, 0, (hi - lo) * r->width * sizeof *r->buf);
    for (size_t i = lo; i < hi; i++) {
        uint64_t x = f->x0 + i;
        cairn_fp *row = r->buf + i * r->width;
        if (x < r->rows) {
            size_t xl = (size_t)x & (e->lo_len - 1), xh = (size_t)(x >> e->h);
            for (size_t l = 0; l < r->m; l++)
                row[l] = r->index[l][x];
            for (size_t k = 0; k < r->P; k++) {
                cairn_fp2 w = cairn_fp2_mul(e->lo[k * e->lo_len + xl], e->hi[k * e->hi_len + xh]);
                row[r->m + 2 * k] = w.c0;
                row[r->m + 2 * k + 1] = w.c1;
            }
        }
        if (x < r->K) {
            row[r->m + 2 * r->P] = r->y[x].c0;
            row[r->m + 2 * r->P + 1] = r->y[x].c1;
            row[r->m + 2 * r->P + 2] = cairn_fp_make(x);
        }
    }
}

static cairn_status lb_rows_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                                   cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    lb_rows *r = src->impl;
    for (uint64_t x0 = a; x0 < b; x0 += LB_ROWS_CHUNK) {
        size_t cnt = b - x0 < LB_ROWS_CHUNK ? (size_t)(b - x0) : LB_ROWS_CHUNK;
        struct lb_fill f = {r, x0, cnt, cairn_pool_chunks(cnt, 256)};
        lb_run(f.chunks, r->threads, lb_fill_chunk, &f);
        cairn_status st = consume(ctx, x0, r->buf, cnt, err);
        if (st != CAIRN_OK)
            return st;
    }
    return CAIRN_OK;
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

/* budget 0: the leaves in memory and cairn_gkr_prove; else cairn_gkr_prove_stream within it. */
static cairn_status lb_prove(cairn_logup_star_proof *proof, cairn_logup_star_batch_claims *claims,
                             cairn_transcript *t, const cairn_logup_star_batch_statement *s,
                             const cairn_logup_star_batch_challenges *ch,
                             const cairn_fp *const *index, const cairn_fp2 *y, size_t budget,
                             unsigned threads, cairn_error *err)
{
    cairn_fp2 *tg = NULL, *leaves = NULL, *pts = NULL, alpha;
    cairn_fp2 pe[CAIRN_LOGUP_STAR_MAX_INDEX + 1], qe[CAIRN_LOGUP_STAR_MAX_INDEX + 1];
    cairn_gkr_instance inst[CAIRN_LOGUP_STAR_MAX_INDEX + 1];
    cairn_gkr_row_instance rinst[CAIRN_LOGUP_STAR_MAX_INDEX + 1];
    lb_terms *terms = NULL;
    lb_rows lr;
    lb_eq eq = {0, 0, 0, 0, NULL, NULL};
    memset(&lr, 0, sizeof lr);
    cairn_logup_star_proof_clear(proof);
    cairn_status st = lb_check(s, 1, err);
    if (st != CAIRN_OK)
        return st;
    if (ch == NULL || claims == NULL || index == NULL || y == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup* batch prover: missing argument");
    if (s->y_binding == NULL || s->y_binding_len < 16)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup* batch prover: no binding of Y (its "
                               "commitment, 16 bytes or more)");
    size_t m = s->index_len, rows = (size_t)1 << s->n, K = (size_t)1 << s->kappa;
    for (size_t l = 0; l < m; l++)
        if (index[l] == NULL)
            return cairn_error_set(err, CAIRN_ERR_ARG, "logup* batch prover: index column %zu "
                                   "missing", l);
    tg = malloc(3 * K * sizeof *tg);
    if (budget == 0)
        leaves = malloc(2 * m * rows * sizeof *leaves);
    else
        terms = malloc(sizeof *terms);
    pts = malloc((m * s->n + s->kappa + 1) * sizeof *pts);
    if (tg == NULL || (budget == 0 ? leaves == NULL : terms == NULL) || pts == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "logup* batch prover: %zu columns of 2^%zu",
                             m, s->n);
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
        lr = (lb_rows){index, &eq, y, m, s->points_len, rows, K, m + 2 * s->points_len + 3, NULL,
                       threads};
        if ((lr.buf = malloc(LB_ROWS_CHUNK * lr.width * sizeof *lr.buf)) == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "logup* batch prover: a row buffer");
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
    leaf_job lj = {s, ch->nu, index, &eq, alpha, rows, cairn_pool_chunks(rows, GKR_PAR_MIN),
                   leaves};
    lb_run(lj.chunks, threads, leaf_chunk, &lj);
    lb_eq_free(&eq);
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
    lb_eq_free(&eq);
    free(lr.buf);
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
    return lb_prove(proof, claims, t, s, ch, index, y, 0, threads, err);
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
    if (mem_budget == 0)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup* batch prover: a budget of 0 bytes");
    return lb_prove(proof, claims, t, s, ch, index, y, mem_budget, threads, err);
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
