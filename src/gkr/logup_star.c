/*
 * logup_star.c — indexed lookups with a virtual output (logup*, Soukhanov,
 * ePrint 2025/946): a claim on v_c = T_c(i(.)) at z becomes a claim on
 * the pushforward Y = i_*(eq(z, .)) through the inner product <Y, T_c>,
 * and Y's correctness is the fractional-sum identity
 *     sum_x eq(z, x) / (alpha - i(x)) = sum_b Y[b] / (alpha - b)
 * proven by the batched GKR of this module (docs/gkr.md, "logup*").
 *
 * One transcript schedule (statement, grinding, alpha and gamma, the inner
 * sum-check and Y(s), the GKR) is written once in the ls_* helpers and
 * called by both prover and verifier.  The verifier evaluates itself
 * everything public: the table columns at s (O(K) each), eq(z, .) at the
 * GKR's index point, and the MLE of b -> b, which is sum_l 2^l r_l.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/poly.h"
#include "gkr_internal.h"

/* The inner claim is f0 * f1 with f0 = Y and f1 = T_gamma: degree 2, no eq. */
static const cairn_sumcheck_term ls_term[1] = {{{{1}, {0}}, 2, {0, 1}}};
const cairn_sumcheck_expr gkr_ls_expr = {ls_term, 1, 2};
#define LS_INNER_DEGREE GKR_LS_DEGREE

void cairn_logup_star_proof_init(cairn_logup_star_proof *p)
{
    if (p == NULL)
        return;
    p->nonce = 0;
    cairn_sumcheck_proof_init(&p->inner);
    p->y_eval = cairn_fp2_zero();
    cairn_gkr_proof_init(&p->gkr);
}

void cairn_logup_star_proof_clear(cairn_logup_star_proof *p)
{
    if (p == NULL)
        return;
    cairn_sumcheck_proof_clear(&p->inner);
    cairn_gkr_proof_clear(&p->gkr);
    cairn_logup_star_proof_init(p);
}

/* The GKR shapes of a lookup with m index columns: n (m times), then kappa; 0 if m is bad. */
static size_t ls_vars(size_t *vars, size_t n, size_t kappa, size_t m)
{
    if (m == 0 || m > CAIRN_LOGUP_STAR_MAX_INDEX)
        return 0;
    for (size_t l = 0; l < m; l++)
        vars[l] = n;
    vars[m] = kappa;
    return m + 1;
}

size_t cairn_logup_star_batch_proof_size(size_t n, size_t kappa, size_t m)
{
    size_t vars[CAIRN_LOGUP_STAR_MAX_INDEX + 1], len = ls_vars(vars, n, kappa, m);
    size_t g = len ? cairn_gkr_proof_size(vars, len) : 0;
    if (g == 0)
        return 0;
    return 8 + cairn_sumcheck_proof_size(kappa, LS_INNER_DEGREE) + CAIRN_FP2_BYTES + g;
}

size_t cairn_logup_star_proof_size(size_t n, size_t kappa)
{
    return cairn_logup_star_batch_proof_size(n, kappa, 1);
}

cairn_status cairn_logup_star_batch_proof_encode(uint8_t *out, size_t out_len,
                                                 const cairn_logup_star_proof *p, size_t n,
                                                 size_t kappa, size_t m, cairn_error *err)
{
    size_t want = cairn_logup_star_batch_proof_size(n, kappa, m);
    if (p == NULL || want == 0 || out_len != want)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "logup* proof encode: buffer of %zu bytes, the proof needs %zu",
                               out_len, want);
    for (size_t i = 0; i < 8; i++)
        out[i] = (uint8_t)(p->nonce >> (8 * i));
    size_t sc = cairn_sumcheck_proof_size(kappa, LS_INNER_DEGREE), off = 8;
    cairn_status st = cairn_sumcheck_proof_encode(out + off, sc, &p->inner, err);
    if (st != CAIRN_OK)
        return st;
    off += sc;
    cairn_fp2_encode(out + off, p->y_eval);
    off += CAIRN_FP2_BYTES;
    return cairn_gkr_proof_encode(out + off, out_len - off, &p->gkr, err);
}

cairn_status cairn_logup_star_proof_encode(uint8_t *out, size_t out_len,
                                           const cairn_logup_star_proof *p, size_t n, size_t kappa,
                                           cairn_error *err)
{
    return cairn_logup_star_batch_proof_encode(out, out_len, p, n, kappa, 1, err);
}

cairn_status cairn_logup_star_batch_proof_decode(cairn_logup_star_proof *p, const uint8_t *in,
                                                 size_t in_len, size_t n, size_t kappa, size_t m,
                                                 cairn_error *err)
{
    cairn_logup_star_proof_clear(p);
    size_t want = cairn_logup_star_batch_proof_size(n, kappa, m);
    if (want == 0)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup* proof: sizes n = %zu, kappa = %zu, "
                               "%zu index columns over the limits", n, kappa, m);
    if (in_len != want || in == NULL)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "logup* proof: %zu bytes, expected %zu",
                               in_len, want);
    for (size_t i = 0; i < 8; i++)
        p->nonce |= (uint64_t)in[i] << (8 * i);
    size_t sc = cairn_sumcheck_proof_size(kappa, LS_INNER_DEGREE), off = 8;
    cairn_status st = cairn_sumcheck_proof_decode(&p->inner, in + off, sc, kappa,
                                                  LS_INNER_DEGREE, err);
    if (st == CAIRN_OK) {
        off += sc;
        st = cairn_fp2_decode(&p->y_eval, in + off, err);
        off += CAIRN_FP2_BYTES;
    }
    size_t vars[CAIRN_LOGUP_STAR_MAX_INDEX + 1], len = ls_vars(vars, n, kappa, m);
    if (st == CAIRN_OK)
        st = cairn_gkr_proof_decode(&p->gkr, in + off, in_len - off, vars, len, err);
    if (st != CAIRN_OK)
        cairn_logup_star_proof_clear(p);
    return st;
}

cairn_status cairn_logup_star_proof_decode(cairn_logup_star_proof *p, const uint8_t *in,
                                           size_t in_len, size_t n, size_t kappa,
                                           cairn_error *err)
{
    return cairn_logup_star_batch_proof_decode(p, in, in_len, n, kappa, 1, err);
}

int gkr_ls_shape_ok(const cairn_logup_star_proof *proof, size_t n, size_t kappa, size_t m)
{
    if (proof->inner.rounds != kappa || proof->gkr.inst_len != m + 1 || proof->gkr.vars == NULL)
        return 0;
    for (size_t l = 0; l < m; l++)
        if (proof->gkr.vars[l] != n)
            return 0;
    return proof->gkr.vars[m] == kappa;
}

/* ---- the schedule shared by prover and verifier ---------------------------------------- */

/* Check a statement against the limits (CAIRN_ERR_ARG naming the field). */
static cairn_status ls_check(const cairn_logup_star_statement *s, cairn_error *err)
{
    if (s == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup*: no statement");
    if (s->n > CAIRN_GKR_MAX_VARS || s->kappa > CAIRN_GKR_MAX_VARS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup*: n = %zu, kappa = %zu (limit %u)",
                               s->n, s->kappa, CAIRN_GKR_MAX_VARS);
    if (s->cols_len == 0 || s->cols_len > CAIRN_LOGUP_STAR_MAX_COLUMNS || s->columns == NULL ||
        s->values == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup*: %zu value columns (allowed 1..%u)",
                               s->cols_len, CAIRN_LOGUP_STAR_MAX_COLUMNS);
    for (size_t c = 0; c < s->cols_len; c++)
        if (s->columns[c] == NULL)
            return cairn_error_set(err, CAIRN_ERR_ARG, "logup*: table column %zu missing", c);
    if (s->n > 0 && s->z == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup*: no point z");
    if (s->grind_bits > CAIRN_TRANSCRIPT_MAX_POW_BITS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup*: %u grinding bits (limit %u)",
                               s->grind_bits, CAIRN_TRANSCRIPT_MAX_POW_BITS);
    return CAIRN_OK;
}

/* Absorb the statement's own fields: sizes, column count, z, the claimed values, grinding. */
static void ls_absorb_statement(cairn_transcript *t, const cairn_logup_star_statement *s)
{
    cairn_transcript_absorb_u64(t, "logup-star/vars", (uint64_t)s->n);
    cairn_transcript_absorb_u64(t, "logup-star/table-vars", (uint64_t)s->kappa);
    cairn_transcript_absorb_u64(t, "logup-star/columns", (uint64_t)s->cols_len);
    cairn_transcript_absorb_fp2_vec(t, "logup-star/point", s->z, s->n);
    cairn_transcript_absorb_fp2_vec(t, "logup-star/values", s->values, s->cols_len);
    cairn_transcript_absorb_u64(t, "logup-star/grind-bits", (uint64_t)s->grind_bits);
}

/*
 * After grinding: alpha (fp2 "logup-star/alpha") and the column coefficients
 * gamma (fp2 vector "logup-star/gamma"); returns the inner claim
 * sum_c gamma_c values[c].
 */
static cairn_fp2 ls_challenges(cairn_fp2 *alpha, cairn_fp2 *gamma, cairn_transcript *t,
                               const cairn_logup_star_statement *s)
{
    *alpha = cairn_transcript_squeeze_fp2(t, "logup-star/alpha");
    cairn_transcript_squeeze_fp2_vec(gamma, s->cols_len, t, "logup-star/gamma");
    cairn_fp2 claim = cairn_fp2_zero();
    for (size_t c = 0; c < s->cols_len; c++)
        claim = cairn_fp2_add(claim, cairn_fp2_mul(gamma[c], s->values[c]));
    return claim;
}

cairn_fp2 gkr_index_mle(const cairn_fp2 *r, size_t kappa)
{
    cairn_fp2 v = cairn_fp2_zero();
    for (size_t l = kappa; l-- > 0;)
        v = cairn_fp2_add(cairn_fp2_double(v), r[l]);
    return v;
}

void gkr_ls_table_leaves(cairn_fp2 *p, cairn_fp2 *q, const cairn_fp2 *y, size_t kappa,
                         cairn_fp2 alpha)
{
    for (size_t b = 0; b < ((size_t)1 << kappa); b++) {
        p[b] = cairn_fp2_neg(y[b]);
        q[b] = cairn_fp2_sub(alpha, cairn_fp2_from_fp(cairn_fp_make(b)));
    }
}

cairn_status gkr_ls_inner_prove(cairn_logup_star_proof *proof, cairn_fp2 *point, cairn_fp2 *tg,
                                cairn_transcript *t, const cairn_fp *const *columns,
                                size_t cols_len, const cairn_fp2 *gamma, const cairn_fp2 *y,
                                size_t kappa, cairn_fp2 claim, const char *label, cairn_error *err)
{
    cairn_fp2 evals[2];
    for (size_t b = 0; b < ((size_t)1 << kappa); b++) {
        cairn_fp2 v = cairn_fp2_zero();
        for (size_t c = 0; c < cols_len; c++)
            v = cairn_fp2_add(v, cairn_fp2_mul_fp(gamma[c], columns[c][b]));
        tg[b] = v;
    }
    cairn_sumcheck_input in[2] = {{NULL, y, 0}, {NULL, tg, 0}};
    cairn_status st = cairn_sumcheck_prove(&proof->inner, point, evals, t, &gkr_ls_expr, NULL, in,
                                           2, kappa, claim, err);
    if (st != CAIRN_OK)
        return st;
    proof->y_eval = evals[0];
    cairn_transcript_absorb_fp2(t, label, proof->y_eval);
    return CAIRN_OK;
}

cairn_status gkr_ls_inner_verify(cairn_fp2 *point, cairn_transcript *t,
                                 const cairn_logup_star_proof *proof, size_t kappa,
                                 cairn_fp2 claim, const cairn_fp *const *columns, size_t cols_len,
                                 cairn_logup_star_table_fn table_eval, void *table_ctx,
                                 const cairn_fp2 *gamma, const char *label, cairn_error *err)
{
    cairn_fp2 expected, v[CAIRN_LOGUP_STAR_MAX_COLUMNS], tval = cairn_fp2_zero();
    cairn_status st = cairn_sumcheck_verify(point, &expected, t, &proof->inner, kappa,
                                            LS_INNER_DEGREE, claim, err);
    if (st != CAIRN_OK)
        return st;
    if (table_eval != NULL)
        table_eval(v, point, kappa, cols_len, table_ctx);
    for (size_t c = 0; table_eval == NULL && c < cols_len; c++)
        if ((st = cairn_poly_eval_fp(&v[c], columns[c], point, kappa)) != CAIRN_OK)
            return cairn_error_set(err, st, "logup* verifier: evaluating table column %zu", c);
    for (size_t c = 0; c < cols_len; c++)
        tval = cairn_fp2_add(tval, cairn_fp2_mul(gamma[c], v[c]));
    if (!cairn_fp2_eq(cairn_fp2_mul(proof->y_eval, tval), expected))
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "logup* rejected: the inner sum-check's final check "
                               "Y(s) * T_gamma(s) fails");
    cairn_transcript_absorb_fp2(t, label, proof->y_eval);
    return CAIRN_OK;
}

/* ---- prover ------------------------------------------------------------------------------ */

cairn_status cairn_logup_star_pushforward(cairn_fp2 *y, const cairn_fp *index, size_t n,
                                          const cairn_fp2 *z, size_t kappa, cairn_error *err)
{
    if (n > CAIRN_GKR_MAX_VARS || kappa > CAIRN_GKR_MAX_VARS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup* pushforward: n = %zu, kappa = %zu",
                               n, kappa);
    size_t rows = (size_t)1 << n, K = (size_t)1 << kappa;
    cairn_fp2 *eq = malloc(rows * sizeof *eq);
    if (eq == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "logup* pushforward: eq table of 2^%zu", n);
    cairn_poly_eq_table(eq, z, n);
    for (size_t b = 0; b < K; b++)
        y[b] = cairn_fp2_zero();
    cairn_status st = CAIRN_OK;
    for (size_t x = 0; x < rows; x++) {
        if (index[x].v >= K) {
            st = cairn_error_set(err, CAIRN_ERR_ARG,
                                 "logup* pushforward: row %zu indexes %llu, outside the table "
                                 "of %zu rows",
                                 x, (unsigned long long)index[x].v, K);
            break;
        }
        y[index[x].v] = cairn_fp2_add(y[index[x].v], eq[x]);
    }
    free(eq);
    return st;
}

cairn_status cairn_logup_star_prove(cairn_logup_star_proof *proof,
                                    cairn_logup_star_claims *claims, cairn_transcript *t,
                                    const cairn_logup_star_statement *s, const cairn_fp *index,
                                    const cairn_fp2 *y, cairn_error *err)
{
    cairn_fp2 *tg = NULL, *pa = NULL, *qa = NULL, *pb = NULL, *qb = NULL;
    cairn_fp2 gamma[CAIRN_LOGUP_STAR_MAX_COLUMNS], alpha;
    cairn_logup_star_proof_clear(proof);
    cairn_status st = ls_check(s, err);
    if (st != CAIRN_OK)
        return st;
    if (index == NULL || y == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "logup* prover: no index column or no Y");
    size_t rows = (size_t)1 << s->n, K = (size_t)1 << s->kappa;
    tg = malloc(K * sizeof *tg);
    pb = malloc(2 * K * sizeof *pb);
    pa = malloc(2 * rows * sizeof *pa);
    if (tg == NULL || pb == NULL || pa == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "logup* prover: tables of 2^%zu and 2^%zu",
                             s->n, s->kappa);
        goto out;
    }
    qb = pb + K;
    qa = pa + rows;

    ls_absorb_statement(t, s);
    if ((st = cairn_transcript_grind(&proof->nonce, t, "logup-star/grind", s->grind_bits, 1, err)) !=
        CAIRN_OK)
        goto out;
    cairn_fp2 claim = ls_challenges(&alpha, gamma, t, s);

    /* inner sum-check: sum_b Y[b] T_gamma[b] = sum_c gamma_c v_c */
    st = gkr_ls_inner_prove(proof, claims->y_points[0], tg, t, s->columns, s->cols_len, gamma, y,
                            s->kappa, claim, "logup-star/y-eval", err);
    if (st != CAIRN_OK)
        goto out;
    claims->y_values[0] = proof->y_eval;

    /* the fractional sums: eq(z, x) / (alpha - i(x)) and -Y[b] / (alpha - b) */
    cairn_poly_eq_table(pa, s->z, s->n);
    for (size_t x = 0; x < rows; x++)
        qa[x] = cairn_fp2_sub(alpha, cairn_fp2_from_fp(index[x]));
    gkr_ls_table_leaves(pb, qb, y, s->kappa, alpha);
    cairn_gkr_instance inst[2] = {{s->n, {NULL, pa, 0}, {NULL, qa, 0}}, {s->kappa, {NULL, pb, 0}, {NULL, qb, 0}}};
    cairn_fp2 pts[2 * CAIRN_GKR_MAX_VARS], pe[2], qe[2];
    if ((st = cairn_gkr_prove(&proof->gkr, pts, pe, qe, t, inst, 2, 1, err)) != CAIRN_OK)
        goto out;
    memcpy(claims->index_point, pts, s->n * sizeof *pts);
    claims->index_value = cairn_fp2_sub(alpha, qe[0]);
    memcpy(claims->y_points[1], pts + s->n, s->kappa * sizeof *pts);
    claims->y_values[1] = cairn_fp2_neg(pe[1]);
out:
    free(tg);
    free(pa);
    free(pb);
    if (st != CAIRN_OK)
        cairn_logup_star_proof_clear(proof);
    return st;
}

/* ---- verifier ---------------------------------------------------------------------------- */

cairn_status cairn_logup_star_verify(cairn_logup_star_claims *claims, cairn_transcript *t,
                                     const cairn_logup_star_proof *proof,
                                     const cairn_logup_star_statement *s, cairn_error *err)
{
    cairn_fp2 gamma[CAIRN_LOGUP_STAR_MAX_COLUMNS], alpha;
    cairn_status st = ls_check(s, err);
    if (st != CAIRN_OK)
        return st;
    if (proof == NULL)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "logup* proof: missing");
    if (!gkr_ls_shape_ok(proof, s->n, s->kappa, 1))
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "logup* proof: made for other sizes than n = %zu, kappa = %zu",
                               s->n, s->kappa);
    ls_absorb_statement(t, s);
    if ((st = cairn_transcript_check_pow(t, "logup-star/grind", s->grind_bits, proof->nonce, err)) !=
        CAIRN_OK)
        return st;
    cairn_fp2 claim = ls_challenges(&alpha, gamma, t, s);

    st = gkr_ls_inner_verify(claims->y_points[0], t, proof, s->kappa, claim, s->columns,
                             s->cols_len, NULL, NULL, gamma, "logup-star/y-eval", err);
    if (st != CAIRN_OK)
        return st;
    claims->y_values[0] = proof->y_eval;

    size_t vars[2] = {s->n, s->kappa};
    cairn_fp2 pts[2 * CAIRN_GKR_MAX_VARS], pe[2], qe[2], zero = cairn_fp2_zero();
    if ((st = cairn_gkr_verify(pts, pe, qe, t, &proof->gkr, vars, 2, &zero, err)) != CAIRN_OK)
        return st;
    if (!cairn_fp2_eq(pe[0], cairn_poly_eq_eval(s->z, pts, s->n)))
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "logup* rejected: the index-side numerator is not eq(z, r)");
    if (!cairn_fp2_eq(qe[1], cairn_fp2_sub(alpha, gkr_index_mle(pts + s->n, s->kappa))))
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "logup* rejected: the table-side denominator is not alpha - b(r)");
    memcpy(claims->index_point, pts, s->n * sizeof *pts);
    claims->index_value = cairn_fp2_sub(alpha, qe[0]);
    memcpy(claims->y_points[1], pts + s->n, s->kappa * sizeof *pts);
    claims->y_values[1] = cairn_fp2_neg(pe[1]);
    return CAIRN_OK;
}
