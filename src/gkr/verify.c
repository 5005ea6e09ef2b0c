/*
 * verify.c — the fractional-sum GKR verifier (Papini–Haböck, ePrint
 * 2023/1284, batched as in docs/gkr.md).
 *
 * The verifier never trusts the proof's shape: the instance sizes come
 * from the statement and a proof object of another shape is a parse error.
 * Per layer k it draws the batching coefficients after every claim of the
 * layer is fixed by the transcript, replays the degree-3 sum-check with
 * cairn_sumcheck_verify (the degree is fixed by the format: three
 * evaluations per round, s(1) implied), checks the last round against
 * eq(r, rho) * sum_j (c_p (p0 q1 + p1 q0) + c_q q0 q1) on the sent
 * evaluations, then absorbs them and draws lambda.  What is left at the
 * leaves is returned to the caller, who must discharge it.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/poly.h"
#include "gkr_internal.h"

cairn_status cairn_gkr_root_sum(cairn_fp2 *sum, const cairn_gkr_proof *proof, cairn_error *err)
{
    if (proof == NULL || proof->elems == NULL || proof->inst_len == 0 ||
        proof->elems_len < 2 * proof->inst_len)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "GKR proof: no roots");
    /* sum of P_j / Q_j as one fraction: (N, D) += (P, Q) is N Q + P D over D Q */
    cairn_fp2 num = cairn_fp2_zero(), den = cairn_fp2_one();
    for (size_t j = 0; j < proof->inst_len; j++) {
        cairn_fp2 P = proof->elems[2 * j], Q = proof->elems[2 * j + 1];
        if (cairn_fp2_is_zero(Q))
            return cairn_error_set(err, CAIRN_ERR_REJECTED,
                                   "GKR rejected: instance %zu has root denominator zero "
                                   "(a leaf denominator is zero: a pole)",
                                   j);
        num = cairn_fp2_add(cairn_fp2_mul(num, Q), cairn_fp2_mul(P, den));
        den = cairn_fp2_mul(den, Q);
    }
    *sum = cairn_fp2_mul(num, cairn_fp2_inv(den));
    return CAIRN_OK;
}

/*
 * Check that a proof object has exactly the statement's shape: the same
 * instance count and sizes and the element count those give.
 */
static cairn_status check_proof_shape(const cairn_gkr_proof *proof, const size_t *vars, size_t m,
                                      cairn_error *err)
{
    if (proof == NULL || proof->elems == NULL || proof->vars == NULL)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "GKR proof: missing");
    if (proof->inst_len != m)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "GKR proof: %zu instances, expected %zu",
                               proof->inst_len, m);
    for (size_t j = 0; j < m; j++)
        if (proof->vars[j] != vars[j])
            return cairn_error_set(err, CAIRN_ERR_PARSE,
                                   "GKR proof: instance %zu has %zu variables, expected %zu", j,
                                   proof->vars[j], vars[j]);
    size_t want = cairn_gkr_proof_elems(vars, m);
    if (proof->elems_len != want)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "GKR proof: %zu elements, expected %zu",
                               proof->elems_len, want);
    return CAIRN_OK;
}

cairn_status cairn_gkr_verify(cairn_fp2 *points, cairn_fp2 *p_evals, cairn_fp2 *q_evals,
                              cairn_transcript *t, const cairn_gkr_proof *proof,
                              const size_t *vars, size_t inst_len, const cairn_fp2 *expected_sum,
                              cairn_error *err)
{
    size_t m = inst_len;
    cairn_status st = gkr_check_shapes(vars, m, CAIRN_ERR_ARG, err);
    if (st != CAIRN_OK)
        return st;
    if ((st = check_proof_shape(proof, vars, m, err)) != CAIRN_OK)
        return st;
    cairn_fp2 sum;
    if ((st = cairn_gkr_root_sum(&sum, proof, err)) != CAIRN_OK)
        return st;
    if (expected_sum != NULL && !cairn_fp2_eq(sum, *expected_sum))
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "GKR rejected: the roots sum to another value than expected");

    /* claims of the active instances, compacted in index order; coefficients */
    cairn_fp2 *cp = malloc(4 * m * sizeof *cp), *cq = cp + m, *coeffs = cp + 2 * m;
    size_t *off_points = malloc(2 * m * sizeof *off_points), *idx = off_points + m;
    if (cp == NULL || off_points == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "GKR verifier: %zu instances", m);
        goto out;
    }
    cairn_fp2 r[CAIRN_GKR_MAX_VARS + 1], rho[CAIRN_GKR_MAX_VARS];
    size_t N = gkr_max_vars(vars, m), off = 0;
    for (size_t j = 0; j < m; j++) {
        off_points[j] = off;
        off += vars[j];
        cp[j] = proof->elems[2 * j];
        cq[j] = proof->elems[2 * j + 1];
        if (vars[j] == 0) {
            p_evals[j] = cp[j];
            q_evals[j] = cq[j];
        }
    }

    gkr_absorb_statement(t, vars, m);
    gkr_absorb_roots(t, proof->elems, m);
    /* the active instances are always a prefix of the compacted claim arrays:
       instances leave in index order within a layer, so compact after each */
    size_t a = 0;
    for (size_t j = 0; j < m; j++)
        if (vars[j] > 0) {
            cp[a] = cp[j];
            cq[a] = cq[j];
            idx[a++] = j;
        }
    for (size_t k = 0; k < N; k++) {
        size_t base = gkr_layer_offset(vars, m, k);
        cairn_fp2 claim = gkr_layer_open(coeffs, t, cp, cq, a), expected;
        cairn_sumcheck_proof sc = {k, CAIRN_GKR_LAYER_DEGREE, proof->elems + base};
        st = cairn_sumcheck_verify(rho, &expected, t, &sc, k, CAIRN_GKR_LAYER_DEGREE, claim, err);
        if (st != CAIRN_OK)
            goto out;
        const cairn_fp2 *evals = proof->elems + base + CAIRN_GKR_LAYER_DEGREE * k;
        cairn_fp2 v = cairn_fp2_mul(cairn_poly_eq_eval(r, rho, k),
                                    gkr_layer_combine(coeffs, evals, a));
        if (!cairn_fp2_eq(v, expected)) {
            st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                                 "GKR rejected: layer %zu: the sent evaluations do not match "
                                 "the layer sum-check's last round",
                                 k);
            goto out;
        }
        cairn_fp2 lambda = gkr_layer_close(t, evals, a, cp, cq);
        memcpy(r + 1, rho, k * sizeof *rho);
        r[0] = lambda;
        /* instances of k+1 variables end here: record their leaf claims */
        a = gkr_layer_retire(points, p_evals, q_evals, off_points, vars, k, r, idx, cp, cq, a);
    }
    st = CAIRN_OK;
out:
    free(cp);
    free(off_points);
    return st;
}
