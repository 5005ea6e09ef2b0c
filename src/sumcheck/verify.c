/*
 * verify.c — the sum-check verifiers (single claim, batch, claim
 * reduction) and the proof object: init/clear and the strict encoding.
 *
 * The verifier never trusts the proof's shape: the number of rounds and the
 * degree come from the statement it checks, and a proof object or byte
 * string of any other shape is a parse error.  Round messages carry
 * s_i(0), s_i(2..d); s_i(1) = c_i - s_i(0) is implied, so the only place a
 * false proof can fail is the final check c_n = g(f(r)) [eq(tau, r)].
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/poly.h"
#include "sumcheck_internal.h"

void cairn_sumcheck_proof_init(cairn_sumcheck_proof *p)
{
    if (p == NULL)
        return;
    p->rounds = 0;
    p->degree = 0;
    p->evals = NULL;
}

void cairn_sumcheck_proof_clear(cairn_sumcheck_proof *p)
{
    if (p == NULL)
        return;
    free(p->evals);
    cairn_sumcheck_proof_init(p);
}

size_t cairn_sumcheck_proof_size(size_t rounds, size_t degree)
{
    if (degree != 0 && rounds > SIZE_MAX / degree / CAIRN_FP2_BYTES)
        return 0;
    return rounds * degree * CAIRN_FP2_BYTES;
}

cairn_status cairn_sumcheck_proof_encode(uint8_t *out, size_t out_len,
                                         const cairn_sumcheck_proof *p, cairn_error *err)
{
    size_t want = cairn_sumcheck_proof_size(p->rounds, p->degree);
    if (out_len != want)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "sum-check proof encoding needs %zu bytes, buffer has %zu", want,
                               out_len);
    for (size_t i = 0; i < p->rounds * p->degree; i++)
        cairn_fp2_encode(out + i * CAIRN_FP2_BYTES, p->evals[i]);
    return CAIRN_OK;
}

/* Every length is checked before anything is allocated or read. */
cairn_status cairn_sumcheck_proof_decode(cairn_sumcheck_proof *p, const uint8_t *in, size_t in_len,
                                         size_t rounds, size_t degree, cairn_error *err)
{
    cairn_sumcheck_proof_clear(p);
    if (rounds > CAIRN_SUMCHECK_MAX_VARS || degree == 0 || degree > CAIRN_SUMCHECK_MAX_DEGREE)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "sum-check proof: %zu rounds of degree %zu outside the limits",
                               rounds, degree);
    size_t want = rounds * degree * CAIRN_FP2_BYTES;
    if (in_len != want)
        return cairn_error_set(
            err, CAIRN_ERR_PARSE,
            "sum-check proof: %zu bytes, expected %zu for %zu rounds of degree %zu", in_len, want,
            rounds, degree);
    cairn_status st = sc_proof_alloc(p, rounds, degree, err);
    if (st != CAIRN_OK)
        return st;
    for (size_t i = 0; i < rounds * degree; i++) {
        if (cairn_fp2_decode(&p->evals[i], in + i * CAIRN_FP2_BYTES, NULL) != CAIRN_OK) {
            size_t pos = i % degree;
            cairn_sumcheck_proof_clear(p);
            return cairn_error_set(
                err, CAIRN_ERR_PARSE,
                "sum-check proof: round %zu, s(%zu) is not a canonical field element", i / degree,
                pos == 0 ? (size_t)0 : pos + 1);
        }
    }
    return CAIRN_OK;
}

/*
 * Replay: absorb the header, then for each round rebuild s_i(0..d) from
 * the message and the running claim, absorb the message, draw r_i and move
 * the claim to s_i(r_i).
 */
cairn_status cairn_sumcheck_verify(cairn_fp2 *point, cairn_fp2 *expected, cairn_transcript *t,
                                   const cairn_sumcheck_proof *proof, size_t n, size_t degree,
                                   cairn_fp2 claim, cairn_error *err)
{
    cairn_status st = sc_check_n(n, err);
    if (st != CAIRN_OK)
        return st;
    if (degree == 0 || degree > CAIRN_SUMCHECK_MAX_DEGREE)
        return cairn_error_set(err, CAIRN_ERR_ARG, "sum-check verifier: degree %zu (limit %u)",
                               degree, CAIRN_SUMCHECK_MAX_DEGREE);
    if (proof == NULL)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "sum-check proof: missing");
    if (proof->rounds != n)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "sum-check proof: %zu rounds, expected %zu",
                               proof->rounds, n);
    if (proof->degree != degree)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "sum-check proof: round polynomials of degree %zu, expected %zu",
                               proof->degree, degree);
    if (n > 0 && proof->evals == NULL)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "sum-check proof: no round messages");
    cairn_sumcheck_absorb_header(t, n, degree, claim);
    cairn_fp2 c = claim, s[SC_MAX_PTS];
    for (size_t i = 0; i < n; i++) {
        const cairn_fp2 *msg = proof->evals + i * degree;
        s[0] = msg[0];
        s[1] = cairn_fp2_sub(c, msg[0]);
        for (size_t x = 2; x <= degree; x++)
            s[x] = msg[x - 1];
        point[i] = cairn_sumcheck_absorb_round(t, msg, degree);
        c = sc_interp(s, degree, point[i]);
    }
    *expected = c;
    return CAIRN_OK;
}

cairn_status cairn_sumcheck_verify_final(const cairn_sumcheck_expr *expr, const cairn_fp2 *tau,
                                         const cairn_fp2 *point, size_t n, const cairn_fp2 *evals,
                                         size_t evals_len, cairn_fp2 expected, cairn_error *err)
{
    cairn_status st = cairn_sumcheck_expr_check(expr, err);
    if (st != CAIRN_OK)
        return st;
    if (evals_len != expr->inputs_len)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "sum-check final check: %zu evaluations for %zu inputs", evals_len,
                               expr->inputs_len);
    cairn_fp2 v = cairn_sumcheck_expr_eval(expr, evals);
    if (tau != NULL)
        v = cairn_fp2_mul(v, cairn_poly_eq_eval(tau, point, n));
    if (!cairn_fp2_eq(v, expected))
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "sum-check rejected: final check after round %zu of %zu: "
                               "g(f(r))%s differs from the last round polynomial at r_%zu",
                               n, n, tau != NULL ? " * eq(tau, r)" : "", n > 0 ? n - 1 : 0);
    return CAIRN_OK;
}

cairn_status cairn_sumcheck_verify_claim(cairn_fp2 *point, cairn_transcript *t,
                                         const cairn_sumcheck_proof *proof,
                                         const cairn_sumcheck_expr *expr, const cairn_fp2 *tau,
                                         size_t n, cairn_fp2 claim, const cairn_fp2 *evals,
                                         size_t evals_len, cairn_error *err)
{
    cairn_fp2 expected;
    cairn_status st = cairn_sumcheck_expr_check(expr, err);
    if (st != CAIRN_OK)
        return st;
    size_t d = cairn_sumcheck_expr_degree(expr, tau != NULL);
    if ((st = cairn_sumcheck_verify(point, &expected, t, proof, n, d, claim, err)) != CAIRN_OK)
        return st;
    return cairn_sumcheck_verify_final(expr, tau, point, n, evals, evals_len, expected, err);
}

/*
 * The batch verifier mirrors cairn_sumcheck_batch_prove's transcript, runs
 * the combined sum-check and checks sum_j rho_j g_j(evals_j) eq(tau_j, r_{<n_j})
 * against the last round.
 */
cairn_status cairn_sumcheck_batch_verify(cairn_fp2 *point, cairn_transcript *t,
                                         const cairn_sumcheck_proof *proof,
                                         const cairn_sumcheck_instance *inst, size_t inst_len,
                                         const cairn_fp2 *evals, size_t evals_len, cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    size_t m = inst_len, N = 0, D = 1, total = 0;
    cairn_fp2 *rho = NULL, expected;
    if (m == 0 || inst == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "batched sum-check: no instances");
    for (size_t j = 0; j < m; j++) {
        if ((st = cairn_sumcheck_expr_check(inst[j].expr, err)) != CAIRN_OK)
            return st;
        if ((st = sc_check_n(inst[j].n, err)) != CAIRN_OK)
            return st;
        size_t d = cairn_sumcheck_expr_degree(inst[j].expr, inst[j].tau != NULL);
        if (d > CAIRN_SUMCHECK_MAX_DEGREE)
            return cairn_error_set(err, CAIRN_ERR_ARG, "batched sum-check: instance %zu degree %zu",
                                   j, d);
        N = inst[j].n > N ? inst[j].n : N;
        D = d > D ? d : D;
        total += inst[j].expr->inputs_len;
    }
    if (evals_len != total)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "batched sum-check: %zu evaluations, expected %zu", evals_len,
                               total);
    rho = malloc(m * sizeof *rho);
    if (rho == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "batched sum-check: %zu instances", m);
    cairn_transcript_absorb_u64(t, "sumcheck/batch/count", (uint64_t)m);
    for (size_t j = 0; j < m; j++) {
        cairn_transcript_absorb_u64(t, "sumcheck/batch/vars", (uint64_t)inst[j].n);
        cairn_transcript_absorb_u64(
            t, "sumcheck/batch/degree",
            (uint64_t)cairn_sumcheck_expr_degree(inst[j].expr, inst[j].tau != NULL));
        cairn_transcript_absorb_fp2(t, "sumcheck/batch/claim", inst[j].claim);
    }
    cairn_transcript_squeeze_fp2_vec(rho, m, t, "sumcheck/batch/coeffs");
    cairn_fp2 claim = cairn_fp2_zero();
    for (size_t j = 0; j < m; j++)
        claim = cairn_fp2_add(claim,
                              cairn_fp2_mul_fp(cairn_fp2_mul(rho[j], inst[j].claim),
                                               cairn_fp_from_u64((uint64_t)1 << (N - inst[j].n))));
    if ((st = cairn_sumcheck_verify(point, &expected, t, proof, N, D, claim, err)) != CAIRN_OK)
        goto out;
    cairn_fp2 sum = cairn_fp2_zero();
    for (size_t j = 0, off = 0; j < m; j++) {
        cairn_fp2 v = cairn_sumcheck_expr_eval(inst[j].expr, evals + off);
        if (inst[j].tau != NULL)
            v = cairn_fp2_mul(v, cairn_poly_eq_eval(inst[j].tau, point, inst[j].n));
        sum = cairn_fp2_add(sum, cairn_fp2_mul(rho[j], v));
        off += inst[j].expr->inputs_len;
    }
    if (!cairn_fp2_eq(sum, expected))
        st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                             "batched sum-check rejected: final check after round %zu of %zu: "
                             "sum_j rho_j g_j(f_j(r)) eq_j differs from the last round polynomial",
                             N, N);
out:
    free(rho);
    return st;
}

cairn_status cairn_sumcheck_reduce_verify(cairn_fp2 *point, cairn_transcript *t,
                                          const cairn_sumcheck_proof *proof, size_t n,
                                          const cairn_fp2 *points, const cairn_fp2 *values,
                                          size_t values_len, cairn_fp2 value, cairn_error *err)
{
    cairn_fp2 alpha, expected;
    cairn_status st;
    if (values_len == 0 || points == NULL || values == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "claim reduction: no claims");
    if ((st = sc_check_n(n, err)) != CAIRN_OK)
        return st;
    cairn_fp2 claim = sc_reduce_start(&alpha, t, n, points, values, values_len);
    if ((st = cairn_sumcheck_verify(point, &expected, t, proof, n, 2, claim, err)) != CAIRN_OK)
        return st;
    cairn_fp2 w = cairn_fp2_zero(), pw = cairn_fp2_one();
    for (size_t j = 0; j < values_len; j++) {
        w = cairn_fp2_add(w, cairn_fp2_mul(pw, cairn_poly_eq_eval(points + j * n, point, n)));
        pw = cairn_fp2_mul(pw, alpha);
    }
    if (!cairn_fp2_eq(cairn_fp2_mul(value, w), expected))
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "claim reduction rejected: final check after round %zu of %zu: "
                               "f(r) * W(r) differs from the last round polynomial",
                               n, n);
    cairn_transcript_absorb_fp2(t, "sumcheck/reduce/value", value);
    return CAIRN_OK;
}
