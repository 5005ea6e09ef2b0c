/*
 * fuzz_logup_batch_proof.c — fuzz target for the batched logup* proof
 * parser and verifier (untrusted proof bytes).
 *
 * Input layout:
 *   byte 0    n = byte % 4 index variables, kappa = (byte >> 2) % 4 table
 *             variables, m = 1 + (byte >> 4) % 3 index columns, P = 1 +
 *             (byte >> 6) % 2 points (two fixed pseudo-random table columns
 *             and fixed index columns inside the table, all from byte 0)
 *   byte 1    bit 0: 0 = the rest is the proof itself; 1 = the rest edits
 *             the honest proof's encoding (3-byte edits: le16 offset mod
 *             length, xor byte; a leftover byte truncates at its value mod
 *             length); bit 1: claim one wrong value
 * The statement (points from the transcript, the true values, 2 grinding
 * bits), the pushforward and the honest proof are rebuilt on every call.
 * Properties checked (a violation returns 1; the libFuzzer entry aborts):
 *   - decode returns only OK or PARSE, verify only OK or REJECTED;
 *   - a decoded proof re-encodes to exactly the input bytes;
 *   - nothing is accepted for a wrong value;
 *   - the unedited honest proof of the true values is accepted, and its
 *     claims hold for the index columns and the pushforward.
 * With -DCAIRN_FUZZ_NO_MAIN (as in the test binary) only
 * cairn_fuzz_logup_batch_proof is defined.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/gkr.h"
#include "cairn/poly.h"
#include "cairn/sha256.h"
#include "fuzz_edit.h"

int cairn_fuzz_logup_batch_proof(const uint8_t *data, size_t len);

#define FB_MAX_N 3u
#define FB_MAX_KAPPA 3u
#define FB_MAX_M 3u
#define FB_MAX_P 2u
#define FB_COLS 2u

static uint64_t fb_splitmix(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* A fixed lookup from byte 0: tables, index columns, points, true values, Y, honest proof. */
typedef struct {
    size_t n, kappa, m, P;
    cairn_fp table[FB_COLS][1u << FB_MAX_KAPPA], index[FB_MAX_M][1u << FB_MAX_N];
    const cairn_fp *cols[FB_COLS], *cindex[FB_MAX_M];
    cairn_fp2 z[FB_MAX_P][FB_MAX_N + 1], values[FB_COLS * FB_MAX_M * FB_MAX_P];
    const cairn_fp2 *cz[FB_MAX_P];
    cairn_fp2 y[1u << FB_MAX_KAPPA];
    uint8_t ybind[CAIRN_SHA256_BYTES]; /* stands for Y's commitment */
    cairn_logup_star_batch_statement st;
    cairn_logup_star_batch_challenges ch;
    cairn_transcript after_y; /* the caller's transcript once Y is bound */
} fb_lookup;

/* Build everything from the shape byte; 0 on success. */
static int fb_make(fb_lookup *f, uint8_t shape)
{
    f->n = shape % (FB_MAX_N + 1);
    f->kappa = (size_t)(shape >> 2) % (FB_MAX_KAPPA + 1);
    f->m = 1 + (size_t)(shape >> 4) % FB_MAX_M;
    f->P = 1 + (size_t)(shape >> 6) % FB_MAX_P;
    size_t K = (size_t)1 << f->kappa, rows = (size_t)1 << f->n;
    uint64_t seed = shape;
    cairn_transcript t;
    cairn_transcript_init(&t, "cairn-fuzz/logup-batch");
    for (size_t c = 0; c < FB_COLS; c++) {
        for (size_t b = 0; b < K; b++)
            f->table[c][b] = cairn_fp_from_u64(fb_splitmix(&seed));
        f->cols[c] = f->table[c];
    }
    for (size_t l = 0; l < f->m; l++) {
        for (size_t x = 0; x < rows; x++)
            f->index[l][x] = cairn_fp_from_u64(fb_splitmix(&seed) % K);
        f->cindex[l] = f->index[l];
        cairn_transcript_absorb_fp_vec(&t, "index", f->index[l], rows);
    }
    /* the points after the index columns, then the true values */
    for (size_t k = 0; k < f->P; k++) {
        cairn_transcript_squeeze_fp2_vec(f->z[k], f->n, &t, "z");
        f->cz[k] = f->z[k];
    }
    cairn_fp2 eq[FB_MAX_P][1u << FB_MAX_N];
    for (size_t k = 0; k < f->P; k++)
        cairn_poly_eq_table(eq[k], f->z[k], f->n);
    for (size_t c = 0; c < FB_COLS; c++)
        for (size_t l = 0; l < f->m; l++)
            for (size_t k = 0; k < f->P; k++) {
                cairn_fp2 v = cairn_fp2_zero();
                for (size_t x = 0; x < rows; x++)
                    v = cairn_fp2_add(v, cairn_fp2_mul_fp(eq[k][x], f->table[c][f->index[l][x].v]));
                f->values[(c * f->m + l) * f->P + k] = v;
            }
    f->st = (cairn_logup_star_batch_statement){f->n, f->kappa, f->m, f->P, f->cz, FB_COLS,
                                               f->cols, NULL, NULL, f->values, 2, NULL, 0};
    if (cairn_logup_star_batch_bind(&f->ch, &t, &f->st, NULL) != CAIRN_OK ||
        cairn_logup_star_batch_pushforward(f->y, &f->st, &f->ch, f->cindex, 1, NULL) != CAIRN_OK)
        return 1;
    cairn_transcript_absorb_fp2_vec(&t, "y", f->y, K);
    cairn_sha256(f->ybind, f->y, K * sizeof *f->y);
    f->st.y_binding = f->ybind;
    f->st.y_binding_len = sizeof f->ybind;
    f->after_y = t;
    return 0;
}

/* The claims hold for the committed index columns and Y. */
static int fb_claims_hold(const fb_lookup *f, const cairn_logup_star_batch_claims *c)
{
    cairn_fp2 v;
    for (size_t l = 0; l < f->m; l++)
        if (cairn_poly_eval_fp(&v, f->index[l], c->index_point, f->n) != CAIRN_OK ||
            !cairn_fp2_eq(v, c->index_values[l]))
            return 0;
    for (int u = 0; u < 2; u++)
        if (cairn_poly_eval_fp2(&v, f->y, c->y_points[u], f->kappa) != CAIRN_OK ||
            !cairn_fp2_eq(v, c->y_values[u]))
            return 0;
    return 1;
}

int cairn_fuzz_logup_batch_proof(const uint8_t *data, size_t len)
{
    fb_lookup *f = NULL;
    cairn_logup_star_proof honest, op;
    cairn_logup_star_batch_claims claims;
    cairn_logup_star_batch_challenges ch;
    cairn_transcript t;
    uint8_t *henc = NULL, *in = NULL, *enc = NULL;
    int bad = 0;

    cairn_logup_star_proof_init(&honest);
    cairn_logup_star_proof_init(&op);
    if (data == NULL || len < 2)
        return 0;
    f = malloc(sizeof *f);
    if (f == NULL)
        return 0;
    if (fb_make(f, data[0]) != 0) {
        bad = 1;
        goto out;
    }
    int edit_mode = data[1] & 1, lie = (data[1] >> 1) & 1;
    t = f->after_y;
    if (cairn_logup_star_batch_prove(&honest, &claims, &t, &f->st, &f->ch, f->cindex, f->y, 1,
                                     NULL) != CAIRN_OK) {
        bad = 1;
        goto out;
    }
    size_t hlen = cairn_logup_star_batch_proof_size(f->n, f->kappa, f->m);
    henc = malloc(hlen);
    if (henc == NULL || cairn_logup_star_batch_proof_encode(henc, hlen, &honest, f->n, f->kappa,
                                                            f->m, NULL) != CAIRN_OK) {
        bad = henc != NULL;
        goto out;
    }
    size_t in_len = 0;
    in = fuzz_proof_bytes(&in_len, henc, hlen, data + 2, len - 2, edit_mode);
    if (in == NULL)
        goto out;
    cairn_status s = cairn_logup_star_batch_proof_decode(&op, in, in_len, f->n, f->kappa, f->m,
                                                         NULL);
    if (s == CAIRN_ERR_PARSE)
        goto out;
    if (s != CAIRN_OK) {
        bad = 1;
        goto out;
    }
    enc = malloc(hlen);
    if (enc == NULL || in_len != hlen ||
        cairn_logup_star_batch_proof_encode(enc, hlen, &op, f->n, f->kappa, f->m, NULL) !=
            CAIRN_OK ||
        memcmp(enc, in, hlen) != 0) {
        bad = enc != NULL;
        goto out;
    }
    /* the verifier's transcript: a lie changes the bound values, so phase A is replayed */
    t = f->after_y;
    ch = f->ch;
    if (lie) {
        size_t K = (size_t)1 << f->kappa, rows = (size_t)1 << f->n;
        f->values[data[0] % (FB_COLS * f->m * f->P)] =
            cairn_fp2_add(f->values[data[0] % (FB_COLS * f->m * f->P)], cairn_fp2_one());
        cairn_transcript_init(&t, "cairn-fuzz/logup-batch");
        for (size_t l = 0; l < f->m; l++)
            cairn_transcript_absorb_fp_vec(&t, "index", f->index[l], rows);
        cairn_fp2 zz[FB_MAX_N + 1];
        for (size_t k = 0; k < f->P; k++)
            cairn_transcript_squeeze_fp2_vec(zz, f->n, &t, "z");
        if (cairn_logup_star_batch_bind(&ch, &t, &f->st, NULL) != CAIRN_OK) {
            bad = 1;
            goto out;
        }
        cairn_transcript_absorb_fp2_vec(&t, "y", f->y, K);
    }
    s = cairn_logup_star_batch_verify(&claims, &t, &op, &f->st, &ch, NULL);
    bad = fuzz_verdict(s, lie, s == CAIRN_OK && fb_claims_hold(f, &claims),
                       edit_mode && in_len == hlen && memcmp(in, henc, hlen) == 0);
out:
    free(henc);
    free(in);
    free(enc);
    free(f);
    cairn_logup_star_proof_clear(&honest);
    cairn_logup_star_proof_clear(&op);
    return bad;
}

#ifndef CAIRN_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (cairn_fuzz_logup_batch_proof(data, size) != 0)
        abort();
    return 0;
}
#endif
