/*
 * fuzz_logup_star_proof.c — fuzz target for the logup* proof parser and
 * verifier (untrusted proof bytes).
 *
 * Input layout:
 *   byte 0    n = byte % 5 index variables, kappa = (byte >> 3) % 4 table
 *             variables (a fixed pseudo-random table of one column and a
 *             fixed index column inside it, both from byte 0)
 *   byte 1    bit 0: 0 = the rest is the proof itself; 1 = the rest edits
 *             the honest proof's encoding (3-byte edits: le16 offset mod
 *             length, xor byte; a leftover byte truncates at its value mod
 *             length); bit 1: claim a wrong value
 * The statement (z from the transcript, the true value, 2 grinding bits),
 * the pushforward and the honest proof are rebuilt on every call.
 * Properties checked (a violation returns 1; the libFuzzer entry aborts):
 *   - decode returns only OK or PARSE, verify only OK or REJECTED;
 *   - a decoded proof re-encodes to exactly the input bytes;
 *   - nothing is accepted for a wrong value;
 *   - the unedited honest proof of the true value is accepted, and its
 *     claims hold for the index column and the pushforward.
 * With -DCAIRN_FUZZ_NO_MAIN (as in the test binary) only
 * cairn_fuzz_logup_star_proof is defined.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/gkr.h"
#include "cairn/poly.h"
#include "fuzz_edit.h"

int cairn_fuzz_logup_star_proof(const uint8_t *data, size_t len);

#define FUZZ_LS_MAX_N 4u
#define FUZZ_LS_MAX_KAPPA 3u

static uint64_t ls_splitmix(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

int cairn_fuzz_logup_star_proof(const uint8_t *data, size_t len)
{
    cairn_fp table[1u << FUZZ_LS_MAX_KAPPA], index[1u << FUZZ_LS_MAX_N];
    cairn_fp2 z[FUZZ_LS_MAX_N + 1], y[1u << FUZZ_LS_MAX_KAPPA], value;
    cairn_logup_star_proof honest, op;
    cairn_logup_star_claims claims;
    cairn_transcript t0, t;
    uint8_t *henc = NULL, *in = NULL, *enc = NULL;
    int bad = 0;

    cairn_logup_star_proof_init(&honest);
    cairn_logup_star_proof_init(&op);
    if (data == NULL || len < 2)
        return 0;
    size_t n = data[0] % (FUZZ_LS_MAX_N + 1), kappa = (size_t)(data[0] >> 3) % (FUZZ_LS_MAX_KAPPA + 1);
    size_t K = (size_t)1 << kappa, rows = (size_t)1 << n;
    int edit_mode = data[1] & 1, lie = (data[1] >> 1) & 1;
    uint64_t seed = data[0];
    for (size_t b = 0; b < K; b++)
        table[b] = cairn_fp_from_u64(ls_splitmix(&seed));
    for (size_t x = 0; x < rows; x++)
        index[x] = cairn_fp_from_u64(ls_splitmix(&seed) % K);

    /* z from the transcript after the (fixed) index column, then the true value */
    cairn_transcript_init(&t0, "cairn-fuzz/logup-star");
    cairn_transcript_absorb_fp_vec(&t0, "index", index, rows);
    cairn_transcript_squeeze_fp2_vec(z, n, &t0, "z");
    if (cairn_logup_star_pushforward(y, index, n, z, kappa, NULL) != CAIRN_OK)
        return 1;
    value = cairn_fp2_zero();
    for (size_t b = 0; b < K; b++)
        value = cairn_fp2_add(value, cairn_fp2_mul_fp(y[b], table[b]));
    cairn_transcript_absorb_fp2_vec(&t0, "y", y, K);
    const cairn_fp *cols[1] = {table};
    cairn_logup_star_statement st = {n, kappa, cols, 1, z, &value, 2};
    t = t0;
    if (cairn_logup_star_prove(&honest, &claims, &t, &st, index, y, NULL) != CAIRN_OK)
        return 1;
    size_t hlen = cairn_logup_star_proof_size(n, kappa);
    henc = malloc(hlen);
    if (henc == NULL || cairn_logup_star_proof_encode(henc, hlen, &honest, n, kappa, NULL)) {
        bad = 1;
        goto out;
    }
    size_t in_len = 0;
    in = fuzz_proof_bytes(&in_len, henc, hlen, data + 2, len - 2, edit_mode);
    if (in == NULL)
        goto out;
    if (lie)
        value = cairn_fp2_add(value, cairn_fp2_one());

    cairn_status s = cairn_logup_star_proof_decode(&op, in, in_len, n, kappa, NULL);
    if (s == CAIRN_ERR_PARSE)
        goto out;
    if (s != CAIRN_OK) {
        bad = 1;
        goto out;
    }
    enc = malloc(hlen);
    if (enc == NULL || in_len != hlen ||
        cairn_logup_star_proof_encode(enc, hlen, &op, n, kappa, NULL) != CAIRN_OK ||
        memcmp(enc, in, hlen) != 0) {
        bad = enc != NULL;
        goto out;
    }
    t = t0;
    s = cairn_logup_star_verify(&claims, &t, &op, &st, NULL);
    cairn_fp2 iv, yv[2];
    int hold = s == CAIRN_OK && cairn_poly_eval_fp(&iv, index, claims.index_point, n) == CAIRN_OK &&
               cairn_poly_eval_fp2(&yv[0], y, claims.y_points[0], kappa) == CAIRN_OK &&
               cairn_poly_eval_fp2(&yv[1], y, claims.y_points[1], kappa) == CAIRN_OK &&
               cairn_fp2_eq(iv, claims.index_value) && cairn_fp2_eq(yv[0], claims.y_values[0]) &&
               cairn_fp2_eq(yv[1], claims.y_values[1]);
    bad = fuzz_verdict(s, lie, hold, edit_mode && in_len == hlen && memcmp(in, henc, hlen) == 0);
out:
    free(henc);
    free(in);
    free(enc);
    cairn_logup_star_proof_clear(&honest);
    cairn_logup_star_proof_clear(&op);
    return bad;
}

#ifndef CAIRN_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (cairn_fuzz_logup_star_proof(data, size) != 0)
        abort();
    return 0;
}
#endif
