/*
 * fuzz_sumcheck_proof.c — fuzz target for the sum-check proof parser and
 * verifier (untrusted proof bytes).
 *
 * Input layout:
 *   byte 0     n = byte % 9 rounds
 *   byte 1     d = 1 + byte % 5, the degree the verifier expects
 *   byte 2     the expression: 0 = f0 (degree 1), 1 = f0 f1, 2 = f0 f1 f2,
 *              3 = f0 f1 with eq (the degree follows from the expression,
 *              so byte 1 only matters for the parser)
 *   the rest   the encoded proof
 * The target parses the bytes as a proof of n rounds of degree d and, when
 * that succeeds with d equal to the expression's degree, verifies it for
 * the claim 0 with final evaluations fixed by the input's first bytes (0
 * for header bytes below 128: the evaluations of all-zero tables).
 * Properties checked (a violation returns 1, which the libFuzzer entry
 * point turns into abort()):
 *   - decode returns only OK or PARSE; verify only OK or REJECTED;
 *   - a parsed proof re-encodes to exactly the input bytes;
 *   - acceptance is possible only when the final check holds, which the
 *     target recomputes independently from the transcript-derived point.
 * With -DCAIRN_FUZZ_NO_MAIN (as in the test binary) only
 * cairn_fuzz_sumcheck_proof is defined.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/poly.h"
#include "cairn/sumcheck.h"

int cairn_fuzz_sumcheck_proof(const uint8_t *data, size_t len);

#define FUZZ_HEADER 3u

int cairn_fuzz_sumcheck_proof(const uint8_t *data, size_t len)
{
    static const cairn_sumcheck_term terms[4][1] = {
        {{{{1}, {0}}, 1, {0}}},
        {{{{1}, {0}}, 2, {0, 1}}},
        {{{{1}, {0}}, 3, {0, 1, 2}}},
        {{{{1}, {0}}, 2, {0, 1}}},
    };
    cairn_sumcheck_proof proof;
    uint8_t *enc = NULL;
    int bad = 0;

    cairn_sumcheck_proof_init(&proof);
    if (len < FUZZ_HEADER)
        return 0;
    size_t n = data[0] % 9u, d = 1 + data[1] % 5u, which = data[2] % 4u;
    cairn_sumcheck_expr expr = {terms[which], 1, which == 2 ? 3 : (which == 0 ? 1 : 2)};
    const uint8_t *in = data + FUZZ_HEADER;
    size_t in_len = len - FUZZ_HEADER;

    cairn_status st = cairn_sumcheck_proof_decode(&proof, in, in_len, n, d, NULL);
    if (st == CAIRN_ERR_PARSE)
        goto out;
    if (st != CAIRN_OK) {
        bad = 1;
        goto out;
    }
    size_t enc_len = cairn_sumcheck_proof_size(n, d);
    enc = malloc(enc_len > 0 ? enc_len : 1);
    if (enc == NULL || enc_len != in_len ||
        cairn_sumcheck_proof_encode(enc, enc_len, &proof, NULL) != CAIRN_OK ||
        (enc_len > 0 && memcmp(enc, in, in_len) != 0)) {
        bad = 1;
        goto out;
    }
    cairn_fp2 tau[8], point[8], evals[3], expected;
    for (size_t i = 0; i < n; i++)
        tau[i] = cairn_fp2_from_fp(cairn_fp_make(3 + i));
    const cairn_fp2 *ta = which == 3 ? tau : NULL;
    if (cairn_sumcheck_expr_degree(&expr, ta != NULL) != d)
        goto out; /* the verifier would not ask for this degree */
    /* header bytes below 128 give the evaluations of all-zero tables, so an
       honest proof of the true claim 0 verifies; others give false ones */
    for (size_t c = 0; c < 3; c++)
        evals[c] = cairn_fp2_from_fp(cairn_fp_make(data[c] < 128 ? 0 : data[c]));
    cairn_transcript t1, t2;
    cairn_transcript_init(&t1, "cairn-fuzz/sumcheck");
    t2 = t1;
    st = cairn_sumcheck_verify_claim(point, &t1, &proof, &expr, ta, n, cairn_fp2_zero(), evals,
                                     expr.inputs_len, NULL);
    if (st == CAIRN_OK) {
        /* recompute the final check by hand */
        if (cairn_sumcheck_verify(point, &expected, &t2, &proof, n, d, cairn_fp2_zero(), NULL) !=
            CAIRN_OK) {
            bad = 1;
            goto out;
        }
        cairn_fp2 g = evals[0];
        for (size_t c = 1; c < expr.terms[0].factors_len; c++)
            g = cairn_fp2_mul(g, evals[c]);
        if (ta != NULL)
            g = cairn_fp2_mul(g, cairn_poly_eq_eval(ta, point, n));
        if (!cairn_fp2_eq(g, expected))
            bad = 1;
    } else if (st != CAIRN_ERR_REJECTED) {
        bad = 1;
    }
out:
    free(enc);
    cairn_sumcheck_proof_clear(&proof);
    return bad;
}

#ifndef CAIRN_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (cairn_fuzz_sumcheck_proof(data, size) != 0)
        abort();
    return 0;
}
#endif
