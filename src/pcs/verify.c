/*
 * verify.c — the verifier of a tensor-PCS opening.
 *
 * It replays the prover's transcript (commitment, points, claims ->
 * alpha, beta; vectors or level 1's root -> proof of work -> queries) and,
 * for plain Ligero (levels = 0), accepts only when
 *   1. <u_{s,p}, eq(r_p,col)> = sum_c alpha_{s,c} v_{p,c} for every
 *      repetition s and point p (the claims are what the vectors say);
 *   2. the proof of work meets grinding_bits;
 *   3. the opened columns hash to leaves that the Merkle multiproof ties to
 *      the committed root at the queried positions;
 *   4. at every queried column j, Enc(w_s)[j] = sum_R beta_{s,R} U_R[j] and
 *      Enc(u_{s,p})[j] = sum_R alpha_{s,c(R)} eq(r_p,row, i(R)) U_R[j]:
 *      the sent vectors agree with the committed matrix there.
 * With levels >= 1, checks 1 and 4 become claims on the committed vectors,
 * proven by the recursive levels (inner.c, pcs_inner_verify).
 * docs/security.md explains why these checks bound a cheater's chance by
 * the formula of cairn_pcs_params_security.  Everything the verifier sizes
 * comes from the parameters (valid by cairn_pcs_params_check) and from the
 * opening's own counts, which must equal them.
 */
#include <stdlib.h>
#include <string.h>

#include "pcs_internal.h"

/* Field-by-field equality of two parameter sets. */
static int params_equal(const cairn_pcs_params *a, const cairn_pcs_params *b)
{
    uint8_t ea[CAIRN_PCS_PARAMS_BYTES], eb[CAIRN_PCS_PARAMS_BYTES];
    cairn_pcs_params_encode(ea, a);
    cairn_pcs_params_encode(eb, b);
    return memcmp(ea, eb, sizeof ea) == 0;
}

cairn_status cairn_pcs_verify(const cairn_pcs_commitment *com, cairn_transcript *t,
                              const cairn_fp2 *points, size_t points_len, const cairn_fp2 *evals,
                              size_t evals_len, const cairn_pcs_opening *op, cairn_error *err)
{
    pcs_dims d;
    cairn_status st;
    cairn_fp2 *alpha = NULL, *beta = NULL, *eqrow = NULL, *eqcol = NULL, *enc = NULL;
    cairn_fp2 *coeffs = NULL, *combos = NULL;
    cairn_fp *scratch = NULL;
    size_t *idx = NULL;
    pcs_claim_set set = {0, 0, 0, NULL, 0};

    if (com == NULL || t == NULL || op == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs verify: NULL argument");
    if ((st = cairn_pcs_params_check(&com->params, err)) != CAIRN_OK)
        return st;
    if (!params_equal(&com->params, &op->params))
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs verify: the opening's parameters differ from the commitment's");
    pcs_dims_of(&d, &com->params);
    if ((st = pcs_check_claims(&d, points, points_len, evals, evals_len, err)) != CAIRN_OK)
        return st;
    size_t P = points_len, nvec = d.s * (P + 1);
    unsigned L = com->params.levels;
    if (op->points_len != P || op->vectors_len != (L == 0 ? nvec * d.k : 0) ||
        op->columns_len != d.t * d.M || (L == 0 && op->vectors == NULL) || op->columns == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs verify: the opening's counts do not match %zu points and its "
                               "parameters",
                               P);

    alpha = malloc(d.s * d.C * sizeof *alpha);
    beta = malloc(d.s * d.M * sizeof *beta);
    eqrow = pcs_eq_tables(&d, points, P, 1);
    eqcol = pcs_eq_tables(&d, points, P, 0);
    enc = malloc(d.N * sizeof *enc);
    scratch = malloc(d.N * sizeof *scratch);
    coeffs = malloc(nvec * d.M * sizeof *coeffs);
    combos = malloc(d.t * nvec * sizeof *combos);
    idx = malloc(d.t * sizeof *idx);
    if (!alpha || !beta || !eqrow || !eqcol || !enc || !scratch || !coeffs || !combos || !idx) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs verify: cannot allocate the verifier state");
        goto out;
    }

    pcs_fs_begin(t, com, points, P, evals, alpha, beta, &d);

    /* 1. The evaluation identities (plain Ligero; level 1 proves them otherwise). */
    for (size_t s = 0; L == 0 && s < d.s; s++)
        for (size_t p = 0; p < P; p++) {
            const cairn_fp2 *u = op->vectors + (s * (P + 1) + 1 + p) * d.k;
            if (!pcs_eval_identity_holds(&d, u, eqcol + p * d.k, alpha + s * d.C, evals + p * d.C)) {
                st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                                     "pcs verify: evaluation vector of repetition %zu, point %zu "
                                     "does not give the claimed evaluations",
                                     s, p);
                goto out;
            }
        }

    /* 2. Proof of work, then the queries. */
    if (L == 0)
        cairn_transcript_absorb_fp2_vec(t, PCS_LABEL_VECTORS, op->vectors, op->vectors_len);
    else
        cairn_transcript_absorb_digest(t, PCS_LABEL_ROOT, &op->root1);
    if ((st = cairn_transcript_check_pow(t, PCS_LABEL_POW, d.g, op->nonce, err)) != CAIRN_OK)
        goto out;
    if ((st = cairn_transcript_squeeze_distinct(idx, d.t, t, PCS_LABEL_QUERIES, d.N, err)))
        goto out;

    /* 3. The opened columns against the root, and their combinations. */
    if ((st = pcs_check_columns(&com->root, &d, idx, op->columns, &op->merkle, err)) != CAIRN_OK)
        goto out;
    pcs_level0_coeffs(coeffs, &d, alpha, beta, eqrow, P);
    pcs_column_combos(combos, op->columns, d.t, d.M, coeffs, nvec);

    /* 4. The vectors agree with the columns at every query, or level 1 proves they do. */
    if (L > 0) {
        if ((st = pcs_level1_claims(&set, &d, points, P, alpha, evals, combos, idx, err)))
            goto out;
        st = pcs_inner_verify(op, t, &com->params, P, &set, err);
        goto out;
    }
    for (size_t v = 0; v < nvec; v++) {
        if ((st = pcs_encode_fp2(enc, scratch, op->vectors + v * d.k, &d, err)) != CAIRN_OK)
            goto out;
        size_t s = v / (P + 1), p = v % (P + 1);
        for (size_t q = 0; q < d.t; q++) {
            if (cairn_fp2_eq(enc[idx[q]], combos[q * nvec + v]))
                continue;
            if (p == 0)
                st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                                     "pcs verify: column %zu (query %zu) disagrees with proximity "
                                     "vector %zu",
                                     idx[q], q, s);
            else
                st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                                     "pcs verify: column %zu (query %zu) disagrees with "
                                     "evaluation vector of repetition %zu, point %zu",
                                     idx[q], q, s, p - 1);
            goto out;
        }
    }
    st = CAIRN_OK;
out:
    free(alpha);
    free(beta);
    free(eqrow);
    free(eqcol);
    free(enc);
    free(scratch);
    free(coeffs);
    free(combos);
    free(idx);
    free(set.claims);
    return st;
}
