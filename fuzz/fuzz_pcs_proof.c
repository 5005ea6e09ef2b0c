/*
 * fuzz_pcs_proof.c — fuzz target for the tensor-PCS opening parser and
 * verifier (untrusted opening bytes).
 *
 * Input layout:
 *   byte 0   the batch: n = byte % 8 variables, C = 1 + (byte >> 3) % 3
 *            polynomials, P = 1 + (byte >> 5) % 2 points
 *   byte 1   bit 0: 0 = the rest is the opening itself; 1 = the rest edits
 *            the honest opening's encoding (3-byte edits: le16 offset mod
 *            length, xor byte; a leftover byte truncates at its value mod
 *            length); bit 1: claim a false evaluation; bits 2-3: log_blowup - 1;
 *            bit 4: prefix parse of a truncated commitment (must fail);
 *            bits 5-6: recursive levels (0: automatic, 1..3: 0..2 levels
 *            when the shape allows them, else automatic)
 * The batch (a fixed pseudo-random table), its commitment and the honest
 * opening (grinding 2 bits) are rebuilt on every call.
 * Properties checked (a violation returns 1; the libFuzzer entry aborts):
 *   - decode returns only OK or PARSE, verify only OK or REJECTED;
 *   - a decoded opening re-encodes to exactly the input bytes;
 *   - nothing is accepted for a false claim;
 *   - the unedited honest opening of a true claim is accepted.
 * With -DCAIRN_FUZZ_NO_MAIN (as in the test binary) only
 * cairn_fuzz_pcs_proof is defined.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/pcs.h"
#include "cairn/poly.h"

int cairn_fuzz_pcs_proof(const uint8_t *data, size_t len);

#define FUZZ_MAX_VARS 7u
#define FUZZ_MAX_POLYS 3u
#define FUZZ_MAX_POINTS 2u

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

int cairn_fuzz_pcs_proof(const uint8_t *data, size_t len)
{
    cairn_fp table[FUZZ_MAX_POLYS << FUZZ_MAX_VARS];
    const cairn_fp *polys[FUZZ_MAX_POLYS];
    cairn_fp2 points[FUZZ_MAX_POINTS * FUZZ_MAX_VARS + 1], evals[FUZZ_MAX_POINTS * FUZZ_MAX_POLYS];
    cairn_pcs_params params;
    cairn_pcs_options opt;
    cairn_pcs_prover pr;
    cairn_pcs_opening honest, op;
    cairn_rows src;
    cairn_pcs_polys_rows impl;
    cairn_transcript t;
    uint8_t *enc = NULL, *in = NULL;
    int bad = 0;

    cairn_pcs_prover_init(&pr);
    cairn_pcs_opening_init(&honest);
    cairn_pcs_opening_init(&op);
    if (data == NULL || len < 2)
        return 0;
    unsigned n = data[0] % (FUZZ_MAX_VARS + 1);
    size_t C = 1 + (size_t)((data[0] >> 3) % FUZZ_MAX_POLYS);
    size_t P = 1 + (size_t)((data[0] >> 5) % FUZZ_MAX_POINTS);
    int edit_mode = data[1] & 1, lie = (data[1] >> 1) & 1;
    cairn_pcs_options_init(&opt);
    opt.log_blowup = 1 + (unsigned)((data[1] >> 2) & 3);
    opt.grinding_bits = 2;
    opt.levels = (int)((data[1] >> 5) & 3) - 1;
    if (cairn_pcs_params_choose(&params, n, C, &opt, NULL) != CAIRN_OK) {
        opt.levels = -1;
        if (cairn_pcs_params_choose(&params, n, C, &opt, NULL) != CAIRN_OK)
            return 1;
    }
    uint64_t seed = data[0];
    size_t size = (size_t)1 << n;
    for (size_t c = 0; c < C; c++) {
        for (size_t j = 0; j < size; j++)
            table[c * size + j] = cairn_fp_from_u64(splitmix(&seed));
        polys[c] = table + c * size;
    }
    for (size_t i = 0; i < P * n; i++)
        points[i] = cairn_fp2_make(cairn_fp_from_u64(splitmix(&seed)),
                                   cairn_fp_from_u64(splitmix(&seed)));
    for (size_t p = 0; p < P; p++)
        for (size_t c = 0; c < C; c++)
            if (cairn_poly_eval_fp(&evals[p * C + c], polys[c], points + p * n, n) != CAIRN_OK)
                return 1;
    cairn_pcs_polys_rows_init(&src, &impl, &params, polys);
    if (cairn_pcs_commit(&pr, &params, &src, NULL) != CAIRN_OK) {
        bad = 1;
        goto out;
    }
    cairn_transcript_init(&t, "fuzz");
    if (cairn_pcs_open(&honest, &t, &pr, &src, points, P, evals, P * C, NULL) != CAIRN_OK) {
        bad = 1;
        goto out;
    }
    if ((data[1] >> 4) & 1) {
        uint8_t ce[CAIRN_PCS_COMMITMENT_BYTES];
        cairn_pcs_commitment back;
        cairn_pcs_commitment_encode(ce, &pr.com);
        if (cairn_pcs_commitment_decode(&back, ce, (size_t)(data[0] % CAIRN_PCS_COMMITMENT_BYTES),
                                        NULL) != CAIRN_ERR_PARSE)
            bad = 1;
    }
    if (lie)
        evals[(data[0] >> 1) % (P * C)] =
            cairn_fp2_add(evals[(data[0] >> 1) % (P * C)], cairn_fp2_one());

    size_t in_len;
    if (edit_mode) {
        in_len = cairn_pcs_opening_encoded_len(&honest);
        in = malloc(in_len);
        if (in == NULL || cairn_pcs_opening_encode(in, in_len, &honest, NULL) != CAIRN_OK) {
            bad = in != NULL;
            goto out;
        }
        const uint8_t *e = data + 2;
        size_t e_len = len - 2;
        for (; e_len >= 3; e += 3, e_len -= 3) {
            size_t off = ((size_t)e[0] | (size_t)e[1] << 8) % in_len;
            in[off] ^= e[2];
        }
        if (e_len > 0)
            in_len = e[0] % in_len;
    } else {
        in_len = len - 2;
        in = malloc(in_len + 1);
        if (in == NULL)
            goto out;
        memcpy(in, data + 2, in_len);
    }

    cairn_status st = cairn_pcs_opening_decode(&op, in, in_len, &params, P, NULL);
    if (st == CAIRN_ERR_PARSE)
        goto out;
    if (st != CAIRN_OK) {
        bad = 1;
        goto out;
    }
    size_t re_len = cairn_pcs_opening_encoded_len(&op);
    enc = malloc(re_len);
    if (enc == NULL || re_len != in_len ||
        cairn_pcs_opening_encode(enc, re_len, &op, NULL) != CAIRN_OK ||
        memcmp(enc, in, in_len) != 0) {
        bad = enc != NULL;
        goto out;
    }
    cairn_transcript_init(&t, "fuzz");
    st = cairn_pcs_verify(&pr.com, &t, points, P, evals, P * C, &op, NULL);
    if (st != CAIRN_OK && st != CAIRN_ERR_REJECTED)
        bad = 1;
    if (st == CAIRN_OK && lie)
        bad = 1;
    if (edit_mode && len == 2 && !lie && st != CAIRN_OK)
        bad = 1;
out:
    free(in);
    free(enc);
    cairn_pcs_opening_clear(&op);
    cairn_pcs_opening_clear(&honest);
    cairn_pcs_prover_clear(&pr);
    return bad;
}

#ifndef CAIRN_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (cairn_fuzz_pcs_proof(data, size) != 0)
        abort();
    return 0;
}
#endif
