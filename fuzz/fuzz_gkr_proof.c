/*
 * fuzz_gkr_proof.c — fuzz target for the GKR proof parser and verifier
 * (untrusted proof bytes).
 *
 * Input layout:
 *   byte 0        m = 1 + byte % 4 instances
 *   bytes 1..4    n_j = byte % 6 variables of instance j (only the first m used)
 *   byte 5        bit 0: ask the verifier to check that the roots sum to 0
 *   the rest      the encoded proof
 * The target parses the rest as a proof for those shapes and verifies it
 * on a transcript with a fixed domain.  Properties checked (a violation
 * returns 1, which the libFuzzer entry point turns into abort()):
 *   - decode returns only OK or PARSE; verify only OK or REJECTED;
 *   - a parsed proof re-encodes to exactly the input bytes;
 *   - an accepted proof has no zero root denominator, sums to 0 when that
 *     was asked, and verifies again to the same leaf claims.
 * With -DCAIRN_FUZZ_NO_MAIN (as in the test binary) only
 * cairn_fuzz_gkr_proof is defined.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/gkr.h"

int cairn_fuzz_gkr_proof(const uint8_t *data, size_t len);

#define FUZZ_GKR_HEADER 6u
#define FUZZ_GKR_MAXV   5u

int cairn_fuzz_gkr_proof(const uint8_t *data, size_t len)
{
    cairn_gkr_proof proof;
    uint8_t *enc = NULL;
    int bad = 0;

    cairn_gkr_proof_init(&proof);
    if (len < FUZZ_GKR_HEADER)
        return 0;
    size_t m = 1 + data[0] % 4u, vars[4];
    for (size_t j = 0; j < 4; j++)
        vars[j] = data[1 + j] % (FUZZ_GKR_MAXV + 1);
    int want_zero = data[5] & 1;
    const uint8_t *in = data + FUZZ_GKR_HEADER;
    size_t in_len = len - FUZZ_GKR_HEADER;

    cairn_status st = cairn_gkr_proof_decode(&proof, in, in_len, vars, m, NULL);
    if (st == CAIRN_ERR_PARSE)
        goto out;
    if (st != CAIRN_OK) {
        bad = 1;
        goto out;
    }
    size_t enc_len = cairn_gkr_proof_size(vars, m);
    enc = malloc(enc_len);
    if (enc == NULL || enc_len != in_len ||
        cairn_gkr_proof_encode(enc, enc_len, &proof, NULL) != CAIRN_OK ||
        memcmp(enc, in, in_len) != 0) {
        bad = 1;
        goto out;
    }
    cairn_fp2 pts[2][4 * FUZZ_GKR_MAXV], pe[2][4], qe[2][4], zero = cairn_fp2_zero();
    cairn_transcript t0, t;
    cairn_transcript_init(&t0, "cairn-fuzz/gkr");
    t = t0;
    st = cairn_gkr_verify(pts[0], pe[0], qe[0], &t, &proof, vars, m, want_zero ? &zero : NULL,
                          NULL);
    if (st == CAIRN_OK) {
        cairn_fp2 sum;
        if (cairn_gkr_root_sum(&sum, &proof, NULL) != CAIRN_OK ||
            (want_zero && !cairn_fp2_is_zero(sum))) {
            bad = 1;
            goto out;
        }
        t = t0;
        size_t nv = 0;
        for (size_t j = 0; j < m; j++)
            nv += vars[j];
        if (cairn_gkr_verify(pts[1], pe[1], qe[1], &t, &proof, vars, m, NULL, NULL) != CAIRN_OK ||
            memcmp(pts[0], pts[1], nv * sizeof(cairn_fp2)) != 0 ||
            memcmp(pe[0], pe[1], m * sizeof(cairn_fp2)) != 0 ||
            memcmp(qe[0], qe[1], m * sizeof(cairn_fp2)) != 0)
            bad = 1;
    } else if (st != CAIRN_ERR_REJECTED) {
        bad = 1;
    }
out:
    free(enc);
    cairn_gkr_proof_clear(&proof);
    return bad;
}

#ifndef CAIRN_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (cairn_fuzz_gkr_proof(data, size) != 0)
        abort();
    return 0;
}
#endif
