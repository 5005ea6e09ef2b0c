/*
 * open.c — the prover side of an opening, in passes over the batch rows:
 *
 *   pass 1  for each row R = (i, c): w_s += beta_{s,R} * row and
 *           u_{s,p} += alpha_{s,c} eq(r_p,row, i) * row, for every
 *           repetition s and point p (extension vectors of k elements);
 *   then    absorb the vectors, grind, squeeze t distinct column indices;
 *   pass 2  re-encode each row and keep its symbols at the t queried
 *           columns (the opened columns, column-major); when the kept
 *           tree is capped at L (commit.c), also append the row's symbols
 *           to the running leaf hash of every column of the queried
 *           columns' bottom subtrees (2^L columns each, a subtree shared
 *           by several queries taken once);
 *   then    those leaves and their subtrees rebuilt, and the Merkle
 *           multiproof of the opened columns from the kept tree and the
 *           rebuilt subtrees: the same bytes as from the full tree.
 *
 * The matrix is never held: memory is the vectors, the coefficients (s*M
 * of them), the eq tables, one codeword, the t*M opened values and, for a
 * capped tree, at most t * 2^L subtree columns (PCS_OPEN_SUB_COL_BYTES
 * each, 1.4 MiB for t = 129, L = 6).  Both
 * passes depend only on the rows, never on how the source chunks them, so
 * every source of the same rows gives the same bytes.  Also here: the
 * Fiat–Shamir prefix shared with the verifier, and the evaluation pass.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/ntt.h"
#include "cairn/poly.h"
#include "cairn/pool.h"
#include "pcs_internal.h"

void cairn_pcs_opening_init(cairn_pcs_opening *op)
{
    if (op == NULL)
        return;
    memset(op, 0, sizeof *op);
    cairn_merkle_multiproof_init(&op->merkle);
    for (unsigned l = 0; l < CAIRN_PCS_MAX_LEVELS; l++) {
        cairn_sumcheck_proof_init(&op->inner[l].sumcheck);
        cairn_merkle_multiproof_init(&op->inner[l].merkle);
    }
}

void cairn_pcs_opening_clear(cairn_pcs_opening *op)
{
    if (op == NULL)
        return;
    free(op->vectors);
    free(op->columns);
    cairn_merkle_multiproof_clear(&op->merkle);
    for (unsigned l = 0; l < CAIRN_PCS_MAX_LEVELS; l++) {
        cairn_pcs_level_opening *lo = &op->inner[l];
        cairn_sumcheck_proof_clear(&lo->sumcheck);
        free(lo->vectors);
        free(lo->columns);
        cairn_merkle_multiproof_clear(&lo->merkle);
    }
    cairn_pcs_opening_init(op);
}

void pcs_level0_coeffs(cairn_fp2 *out, const pcs_dims *d, const cairn_fp2 *alpha,
                       const cairn_fp2 *beta, const cairn_fp2 *eqrow, size_t P)
{
    for (size_t s = 0; s < d->s; s++) {
        cairn_fp2 *base = out + s * (P + 1) * d->M;
        memcpy(base, beta + s * d->M, d->M * sizeof *base);
        for (size_t p = 0; p < P; p++)
            for (size_t R = 0; R < d->M; R++)
                base[(p + 1) * d->M + R] =
                    cairn_fp2_mul(alpha[s * d->C + R % d->C], eqrow[p * d->m + R / d->C]);
    }
}

cairn_fp2 pcs_claimed_combo(const pcs_dims *d, const cairn_fp2 *alpha_s, const cairn_fp2 *evals_p)
{
    cairn_fp2 rhs = cairn_fp2_zero();
    for (size_t c = 0; c < d->C; c++)
        rhs = cairn_fp2_add(rhs, cairn_fp2_mul(alpha_s[c], evals_p[c]));
    return rhs;
}

int pcs_eval_identity_holds(const pcs_dims *d, const cairn_fp2 *u, const cairn_fp2 *eqcol_p,
                            const cairn_fp2 *alpha_s, const cairn_fp2 *evals_p)
{
    cairn_fp2 lhs = cairn_fp2_zero();
    for (size_t j = 0; j < d->k; j++)
        lhs = cairn_fp2_add(lhs, cairn_fp2_mul(u[j], eqcol_p[j]));
    return cairn_fp2_eq(lhs, pcs_claimed_combo(d, alpha_s, evals_p));
}

cairn_status pcs_level1_claims(pcs_claim_set *set, const pcs_dims *d, const cairn_fp2 *points,
                               size_t P, const cairn_fp2 *alpha, const cairn_fp2 *evals,
                               const cairn_fp2 *combos, const size_t *idx, cairn_error *err)
{
    size_t V = d->s * (P + 1), len = d->s * P + d->t * V, n = 0;
    set->claims = malloc(len * sizeof *set->claims);
    if (set->claims == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs: cannot allocate level 1's claims");
    for (size_t s = 0; s < d->s; s++)
        for (size_t p = 0; p < P; p++)
            set->claims[n++] =
                (pcs_claim){(uint32_t)(s * (P + 1) + 1 + p), PCS_CLAIM_EQ, points + p * d->n, 0,
                            pcs_claimed_combo(d, alpha + s * d->C, evals + p * d->C)};
    for (size_t q = 0; q < d->t; q++)
        for (size_t v = 0; v < V; v++)
            set->claims[n++] =
                (pcs_claim){(uint32_t)v, PCS_CLAIM_POW, NULL, idx[q], combos[q * V + v]};
    set->claims_len = len;
    set->nvec = V;
    set->n = (unsigned)d->lc;
    set->log_code = (unsigned)(d->lc + d->lb);
    return CAIRN_OK;
}

void pcs_fs_begin(cairn_transcript *t, const cairn_pcs_commitment *com, const cairn_fp2 *points,
                  size_t points_len, const cairn_fp2 *evals, cairn_fp2 *alpha, cairn_fp2 *beta,
                  const pcs_dims *d)
{
    uint8_t enc[CAIRN_PCS_COMMITMENT_BYTES];
    cairn_pcs_commitment_encode(enc, com);
    cairn_transcript_absorb_bytes(t, PCS_LABEL_COMMITMENT, enc, sizeof enc);
    cairn_transcript_absorb_u64(t, PCS_LABEL_POINTS, (uint64_t)points_len);
    cairn_transcript_absorb_fp2_vec(t, PCS_LABEL_POINT, points, points_len * d->n);
    cairn_transcript_absorb_fp2_vec(t, PCS_LABEL_EVALS, evals, points_len * d->C);
    cairn_transcript_squeeze_fp2_vec(alpha, d->s * d->C, t, PCS_LABEL_ALPHA);
    cairn_transcript_squeeze_fp2_vec(beta, d->s * d->M, t, PCS_LABEL_BETA);
}

cairn_status pcs_check_claims(const pcs_dims *d, const cairn_fp2 *points, size_t points_len,
                              const cairn_fp2 *evals, size_t evals_len, cairn_error *err)
{
    if (points_len < 1 || points_len > CAIRN_PCS_MAX_POINTS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs: %zu points, expected 1..%u", points_len,
                               CAIRN_PCS_MAX_POINTS);
    if (evals_len != points_len * d->C)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs: %zu claimed evaluations, expected %zu points x %zu polynomials",
                               evals_len, points_len, d->C);
    if ((points == NULL && d->n > 0) || evals == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs: NULL points or evaluations");
    return CAIRN_OK;
}

cairn_fp2 *pcs_eq_tables(const pcs_dims *d, const cairn_fp2 *points, size_t points_len, int rows)
{
    size_t len = rows ? d->m : d->k;
    size_t off = rows ? d->lc : 0;
    size_t vars = rows ? d->n - d->lc : d->lc;
    cairn_fp2 *tab = malloc(points_len * len * sizeof *tab);
    if (tab == NULL)
        return NULL;
    for (size_t p = 0; p < points_len; p++) {
        /* no coordinates to read when vars == 0 (points may then be NULL) */
        const cairn_fp2 *r = vars == 0 ? NULL : points + p * d->n + off;
        (void)cairn_poly_eq_table(tab + p * len, r, vars);
    }
    return tab;
}

cairn_status pcs_encode_fp2(cairn_fp2 *enc, cairn_fp *scratch, const cairn_fp2 *v,
                            const pcs_dims *d, cairn_error *err)
{
    cairn_status st;
    for (size_t j = 0; j < d->k; j++)
        scratch[j] = v[j].c0;
    if ((st = cairn_rs_encode(scratch, d->N, scratch, d->k, d->lb, CAIRN_RS_COEFFS, err)))
        return st;
    for (size_t j = 0; j < d->N; j++)
        enc[j].c0 = scratch[j];
    for (size_t j = 0; j < d->k; j++)
        scratch[j] = v[j].c1;
    if ((st = cairn_rs_encode(scratch, d->N, scratch, d->k, d->lb, CAIRN_RS_COEFFS, err)))
        return st;
    for (size_t j = 0; j < d->N; j++)
        enc[j].c1 = scratch[j];
    return CAIRN_OK;
}

size_t pcs_vec_chunk_min = 0;

/* acc[j] += a * x[j] for j < k (extension times base). */
static void axpy(cairn_fp2 *acc, cairn_fp2 a, const cairn_fp *x, size_t k)
{
    for (size_t j = 0; j < k; j++) {
        acc[j].c0 = cairn_fp_add(acc[j].c0, cairn_fp_mul(a.c0, x[j]));
        acc[j].c1 = cairn_fp_add(acc[j].c1, cairn_fp_mul(a.c1, x[j]));
    }
}

struct vec_pass {
    const pcs_dims *d;
    size_t P;
    const cairn_fp2 *alpha, *beta, *eqrow;
    cairn_fp2 *vec;
    uint64_t next;
    /* the chunk of rows being folded (vec_chunk) */
    uint64_t first;
    const cairn_fp *rows;
    size_t count, chunks;
};

/*
 * Chunk ch of a vec_pass: entries [lo, hi) of every vector, from every row
 * of the chunk in row order (each entry gets the same sums in the same
 * order whatever the chunks).
 */
static void vec_chunk(void *ctx, size_t ch)
{
    const struct vec_pass *vp = ctx;
    const pcs_dims *d = vp->d;
    size_t lo, hi;
    cairn_pool_chunk_range(&lo, &hi, d->k, vp->chunks, ch);
    for (size_t r = 0; r < vp->count; r++) {
        size_t R = (size_t)vp->first + r, i = R / d->C, c = R % d->C;
        const cairn_fp *x = vp->rows + r * d->k + lo;
        for (size_t s = 0; s < d->s; s++) {
            cairn_fp2 *base = vp->vec + s * (vp->P + 1) * d->k + lo;
            axpy(base, vp->beta[s * d->M + R], x, hi - lo);
            for (size_t p = 0; p < vp->P; p++) {
                cairn_fp2 a = cairn_fp2_mul(vp->alpha[s * d->C + c], vp->eqrow[p * d->m + i]);
                axpy(base + (p + 1) * d->k, a, x, hi - lo);
            }
        }
    }
}

/* Pass 1: fold every row into the s * (P + 1) vectors, their entries in chunks on the pool. */
static cairn_status vec_consume(void *ctx, uint64_t first_row, const cairn_fp *rows, size_t count,
                                cairn_error *err)
{
    struct vec_pass *vp = ctx;
    const pcs_dims *d = vp->d;
    if (first_row != vp->next)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs open: row source delivered row %llu, expected %llu",
                               (unsigned long long)first_row, (unsigned long long)vp->next);
    vp->first = first_row;
    vp->rows = rows;
    vp->count = count;
    vp->chunks = cairn_pool_chunks(d->k, pcs_vec_chunk_min ? pcs_vec_chunk_min : 16);
    cairn_pool_run(vp->chunks, vec_chunk, vp);
    vp->next += count;
    return CAIRN_OK;
}

/*
 * The bottom subtrees of a capped tree that an opening rebuilds: the
 * sorted distinct subtrees of the queried columns (set.index), the running
 * leaf hashes of their columns (2^cap a subtree, subtree i's at
 * h + i 2^cap), then their nodes (set.nodes, 2^(cap+1) - 1 a subtree).
 */
struct rebuild {
    unsigned cap;
    size_t *index;
    cairn_sha256_ctx *h;
    cairn_digest *nodes;
    cairn_merkle_subtrees set;
};

/*
 * Start the leaf hashes of the subtrees holding the t queried columns of a
 * tree capped at cap >= 1; nothing to do (an empty set) for a full tree.
 */
static cairn_status rebuild_begin(struct rebuild *rb, unsigned cap, const size_t *idx, size_t t,
                                  cairn_error *err)
{
    memset(rb, 0, sizeof *rb);
    rb->cap = cap;
    if (cap == 0)
        return CAIRN_OK;
    rb->index = malloc(t * sizeof *rb->index);
    if (rb->index == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs open: cannot allocate the subtrees");
    rb->set.index_len = cairn_merkle_subtrees_of(rb->index, idx, t, cap);
    rb->set.index = rb->index;
    size_t cols = rb->set.index_len << cap;
    rb->h = malloc(cols * sizeof *rb->h);
    if (rb->h == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM,
                               "pcs open: cannot allocate the leaf hashes of %zu subtree columns",
                               cols);
    cairn_merkle_leaf_init(&rb->h[0]);
    for (size_t c = 1; c < cols; c++)
        rb->h[c] = rb->h[0];
    return CAIRN_OK;
}

/* Append one row's codeword symbols to the leaf hashes of the subtrees' columns. */
static void rebuild_absorb(struct rebuild *rb, const cairn_fp *code)
{
    size_t width = (size_t)1 << rb->cap;
    uint8_t b[CAIRN_FP_BYTES];
    for (size_t i = 0; i < rb->set.index_len; i++) {
        const cairn_fp *sym = code + (rb->set.index[i] << rb->cap);
        cairn_sha256_ctx *h = rb->h + i * width;
        for (size_t c = 0; c < width; c++) {
            pcs_store_le64(b, sym[c].v);
            cairn_sha256_update(&h[c], b, sizeof b);
        }
    }
}

/*
 * After the last row: finish each column's hash into its leaf, in its
 * subtree's node array, free the hashes and build each subtree.
 */
static cairn_status rebuild_finish(struct rebuild *rb, cairn_error *err)
{
    size_t width = (size_t)1 << rb->cap, per = 2 * width - 1;
    if (rb->cap == 0)
        return CAIRN_OK;
    rb->nodes = malloc(rb->set.index_len * per * sizeof *rb->nodes);
    if (rb->nodes == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs open: cannot allocate %zu subtrees",
                               rb->set.index_len);
    for (size_t i = 0; i < rb->set.index_len; i++) {
        cairn_digest *nodes = rb->nodes + i * per;
        for (size_t c = 0; c < width; c++)
            cairn_sha256_final(nodes[c].bytes, &rb->h[i * width + c]);
        cairn_merkle_subtree_build(nodes, width, rb->cap);
    }
    free(rb->h);
    rb->h = NULL;
    rb->set.nodes = rb->nodes;
    return CAIRN_OK;
}

/* Free what the rebuild holds; safe after a failed begin and on an empty rebuild. */
static void rebuild_clear(struct rebuild *rb)
{
    free(rb->index);
    free(rb->h);
    free(rb->nodes);
    memset(rb, 0, sizeof *rb);
}

struct col_pass {
    const pcs_dims *d;
    const size_t *idx;
    cairn_fp *code;
    cairn_fp *cols;
    struct rebuild *rb;
    uint64_t next;
};

/* Pass 2: re-encode every row, keep the queried symbols, feed the subtrees' leaf hashes. */
static cairn_status col_consume(void *ctx, uint64_t first_row, const cairn_fp *rows, size_t count,
                                cairn_error *err)
{
    struct col_pass *cp = ctx;
    const pcs_dims *d = cp->d;
    cairn_status st;
    if (first_row != cp->next)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs open: row source delivered row %llu, expected %llu",
                               (unsigned long long)first_row, (unsigned long long)cp->next);
    for (size_t r = 0; r < count; r++) {
        size_t R = (size_t)first_row + r;
        st = cairn_rs_encode(cp->code, d->N, rows + r * d->k, d->k, d->lb, CAIRN_RS_COEFFS, err);
        if (st != CAIRN_OK)
            return st;
        for (size_t q = 0; q < d->t; q++)
            cp->cols[q * d->M + R] = cp->code[cp->idx[q]];
        rebuild_absorb(cp->rb, cp->code);
    }
    cp->next += count;
    return CAIRN_OK;
}

/* Check that a row source has the batch's shape. */
static cairn_status check_source(const cairn_rows *rows, const pcs_dims *d, cairn_error *err)
{
    if (rows == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs: row source is NULL");
    if (rows->width != d->k || rows->rows_len != d->M)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs: row source is %llu x %zu, the batch is %zu x %zu",
                               (unsigned long long)rows->rows_len, rows->width, d->M, d->k);
    return CAIRN_OK;
}

cairn_status pcs_open_impl(cairn_pcs_opening *out, cairn_transcript *t, const cairn_pcs_prover *pr,
                           const cairn_rows *vec_rows, const cairn_rows *col_rows,
                           const cairn_fp2 *points, size_t points_len, const cairn_fp2 *evals,
                           size_t evals_len, int check_claims, cairn_error *err)
{
    pcs_dims d;
    cairn_status st;
    cairn_fp2 *alpha = NULL, *beta = NULL, *eqrow = NULL, *eqcol = NULL, *vec = NULL;
    cairn_fp *code = NULL, *cols = NULL;
    size_t *idx = NULL;
    cairn_transcript tr;
    cairn_fp *F1 = NULL;
    cairn_fp2 *coeffs = NULL, *combos = NULL;
    cairn_digest root1;
    cairn_pcs_prover pr1;
    pcs_claim_set set = {0, 0, 0, NULL, 0};
    struct rebuild rb;
    cairn_pcs_prover_init(&pr1);
    memset(&rb, 0, sizeof rb);

    if (out == NULL || t == NULL || pr == NULL || pr->tree.nodes == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs open: NULL argument or no commitment");
    if ((st = cairn_pcs_params_check(&pr->com.params, err)) != CAIRN_OK)
        return st;
    pcs_dims_of(&d, &pr->com.params);
    if ((st = pcs_check_claims(&d, points, points_len, evals, evals_len, err)) != CAIRN_OK)
        return st;
    if ((st = check_source(vec_rows, &d, err)) != CAIRN_OK ||
        (st = check_source(col_rows, &d, err)) != CAIRN_OK)
        return st;
    size_t P = points_len, nvec = d.s * (P + 1);
    alpha = malloc(d.s * d.C * sizeof *alpha);
    beta = malloc(d.s * d.M * sizeof *beta);
    eqrow = pcs_eq_tables(&d, points, P, 1);
    eqcol = pcs_eq_tables(&d, points, P, 0);
    vec = calloc(nvec * d.k, sizeof *vec);
    code = malloc(d.N * sizeof *code);
    cols = malloc(d.t * d.M * sizeof *cols);
    idx = malloc(d.t * sizeof *idx);
    if (!alpha || !beta || !eqrow || !eqcol || !vec || !code || !cols || !idx) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs open: cannot allocate the prover state");
        goto out;
    }

    tr = *t;
    pcs_fs_begin(&tr, &pr->com, points, P, evals, alpha, beta, &d);

    struct vec_pass vp = {&d, P, alpha, beta, eqrow, vec, 0, 0, NULL, 0, 1};
    if ((st = cairn_rows_stream(vec_rows, 0, d.M, vec_consume, &vp, err)) != CAIRN_OK)
        goto out;
    if (check_claims) {
        for (size_t s = 0; s < d.s; s++)
            for (size_t p = 0; p < P; p++) {
                const cairn_fp2 *u = vec + (s * (P + 1) + 1 + p) * d.k;
                if (!pcs_eval_identity_holds(&d, u, eqcol + p * d.k, alpha + s * d.C,
                                             evals + p * d.C)) {
                    st = cairn_error_set(err, CAIRN_ERR_ARG,
                                         "pcs open: the claimed evaluations at point %zu are not "
                                         "those of the rows",
                                         p);
                    goto out;
                }
            }
    }
    const cairn_pcs_params *prm = &pr->com.params;
    if (prm->levels == 0) {
        cairn_transcript_absorb_fp2_vec(&tr, PCS_LABEL_VECTORS, vec, nvec * d.k);
    } else {
        cairn_pcs_params shape1;
        cairn_rows src1;
        cairn_rows_table impl1;
        pcs_level_shape(&shape1, prm, 1, P);
        if (pcs_cheat.mode == 3) {
            cairn_fp2 *e = vec + pcs_cheat.entry % (nvec * d.k);
            *e = cairn_fp2_add(*e, cairn_fp2_one());
        }
        F1 = pcs_level_table(vec, nvec, (unsigned)d.lc, shape1.log_cols, shape1.num_polys);
        if (F1 == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs open: cannot allocate level 1");
            goto out;
        }
        pcs_table_rows(&src1, &impl1, F1, &shape1);
        if ((st = pcs_commit_shape(&pr1, &shape1, &src1, err)) != CAIRN_OK)
            goto out;
        root1 = pr1.com.root;
        cairn_transcript_absorb_digest(&tr, PCS_LABEL_ROOT, &root1);
    }
    uint64_t nonce;
    if ((st = cairn_transcript_grind(&nonce, &tr, PCS_LABEL_POW, d.g, pr->threads, err)))
        goto out;
    if ((st = cairn_transcript_squeeze_distinct(idx, d.t, &tr, PCS_LABEL_QUERIES, d.N, err)))
        goto out;

    if ((st = rebuild_begin(&rb, pr->tree.cap, idx, d.t, err)) != CAIRN_OK)
        goto out;
    struct col_pass cp = {&d, idx, code, cols, &rb, 0};
    if ((st = cairn_rows_stream(col_rows, 0, d.M, col_consume, &cp, err)) != CAIRN_OK ||
        (st = rebuild_finish(&rb, err)) != CAIRN_OK)
        goto out;

    cairn_pcs_opening_clear(out);
    st = cairn_merkle_multiproof_open_capped(&out->merkle, &pr->tree, &rb.set, idx, d.t, err);
    rebuild_clear(&rb);
    if (st != CAIRN_OK)
        goto out;
    out->params = *prm;
    out->points_len = (uint32_t)P;
    out->nonce = nonce;
    out->columns = cols;
    out->columns_len = d.t * d.M;
    cols = NULL;
    if (prm->levels == 0) {
        out->vectors = vec;
        out->vectors_len = nvec * d.k;
        vec = NULL;
    } else {
        out->root1 = root1;
        coeffs = malloc(nvec * d.M * sizeof *coeffs);
        combos = malloc(d.t * nvec * sizeof *combos);
        if (coeffs == NULL || combos == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs open: cannot allocate level 1");
            goto fail;
        }
        pcs_level0_coeffs(coeffs, &d, alpha, beta, eqrow, P);
        pcs_column_combos(combos, out->columns, d.t, d.M, coeffs, nvec);
        if ((st = pcs_level1_claims(&set, &d, points, P, alpha, evals, combos, idx, err)))
            goto fail;
        st = pcs_inner_prove(out, &tr, prm, P, F1, &pr1, &set, pr->threads, err);
        F1 = NULL;
        if (st != CAIRN_OK)
            goto fail;
    }
    *t = tr;
    goto out;
fail:
    cairn_pcs_opening_clear(out);
out:
    free(F1);
    free(coeffs);
    free(combos);
    free(set.claims);
    cairn_pcs_prover_clear(&pr1);
    rebuild_clear(&rb);
    free(alpha);
    free(beta);
    free(eqrow);
    free(eqcol);
    free(vec);
    free(code);
    free(cols);
    free(idx);
    return st;
}

cairn_status cairn_pcs_open(cairn_pcs_opening *out, cairn_transcript *t,
                            const cairn_pcs_prover *pr, const cairn_rows *rows,
                            const cairn_fp2 *points, size_t points_len, const cairn_fp2 *evals,
                            size_t evals_len, cairn_error *err)
{
    return pcs_open_impl(out, t, pr, rows, rows, points, points_len, evals, evals_len, 1, err);
}

struct eval_pass {
    const pcs_dims *d;
    size_t P;
    const cairn_fp2 *eqrow, *eqcol;
    cairn_fp2 *evals;
    uint64_t next;
};

/* Evaluation pass: evals[p*C + c] += eq_row(i) * <row, eq_col>. */
static cairn_status eval_consume(void *ctx, uint64_t first_row, const cairn_fp *rows, size_t count,
                                 cairn_error *err)
{
    struct eval_pass *ep = ctx;
    const pcs_dims *d = ep->d;
    if (first_row != ep->next)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs evaluate: row source delivered row %llu, expected %llu",
                               (unsigned long long)first_row, (unsigned long long)ep->next);
    for (size_t r = 0; r < count; r++) {
        size_t R = (size_t)first_row + r, i = R / d->C, c = R % d->C;
        const cairn_fp *x = rows + r * d->k;
        for (size_t p = 0; p < ep->P; p++) {
            const cairn_fp2 *e = ep->eqcol + p * d->k;
            cairn_fp2 y = cairn_fp2_zero();
            for (size_t j = 0; j < d->k; j++)
                y = cairn_fp2_add(y, cairn_fp2_mul_fp(e[j], x[j]));
            ep->evals[p * d->C + c] =
                cairn_fp2_add(ep->evals[p * d->C + c], cairn_fp2_mul(y, ep->eqrow[p * d->m + i]));
        }
    }
    ep->next += count;
    return CAIRN_OK;
}

cairn_status cairn_pcs_evaluate(cairn_fp2 *evals, size_t evals_len, const cairn_pcs_params *params,
                                const cairn_rows *rows, const cairn_fp2 *points,
                                size_t points_len, cairn_error *err)
{
    pcs_dims d;
    cairn_status st;
    cairn_fp2 *eqrow = NULL, *eqcol = NULL;

    if ((st = cairn_pcs_params_check(params, err)) != CAIRN_OK)
        return st;
    pcs_dims_of(&d, params);
    if ((st = pcs_check_claims(&d, points, points_len, evals, evals_len, err)) != CAIRN_OK)
        return st;
    if ((st = check_source(rows, &d, err)) != CAIRN_OK)
        return st;
    eqrow = pcs_eq_tables(&d, points, points_len, 1);
    eqcol = pcs_eq_tables(&d, points, points_len, 0);
    if (eqrow == NULL || eqcol == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs evaluate: cannot allocate eq tables");
        goto out;
    }
    for (size_t i = 0; i < evals_len; i++)
        evals[i] = cairn_fp2_zero();
    struct eval_pass ep = {&d, points_len, eqrow, eqcol, evals, 0};
    st = cairn_rows_stream(rows, 0, d.M, eval_consume, &ep, err);
out:
    free(eqrow);
    free(eqcol);
    return st;
}
