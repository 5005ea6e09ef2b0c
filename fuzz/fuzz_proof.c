/*
 * fuzz_proof.c — fuzz target for the proof parser and verifier (untrusted
 * proof bytes, docs/proof-format.md).
 *
 * An honest proof of a four-instruction program is made once per process
 * and cached.  Input layout:
 *   byte 0   bit 0: 0 = the rest is a proof file itself;
 *                   1 = the rest edits the honest proof: 4-byte edits
 *                   (le24 offset mod length, xor byte); a leftover byte
 *                   truncates the proof at (its value * length / 256)
 * Properties checked (a violation returns 1; the libFuzzer entry aborts):
 *   - decoding returns only OK, PARSE, LIMIT or NOMEM; verifying a decoded
 *     proof only OK or REJECTED;
 *   - a decoded proof re-encodes to exactly the input bytes;
 *   - nothing but the honest bytes is accepted.
 * With -DCAIRN_FUZZ_NO_MAIN (as in the test binary) only cairn_fuzz_proof
 * is defined.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/zkvm.h"
#include "fuzz_tiny_elf.h"

int cairn_fuzz_proof(const uint8_t *data, size_t len);

static uint8_t fz_elf[FUZZ_TINY_ELF_BYTES];
static uint8_t *fz_proof;
static size_t fz_proof_len;
static int fz_ready; /* 0 not tried, 1 ready, -1 failed */

static int setup(void)
{
    if (fz_ready != 0)
        return fz_ready;
    fuzz_tiny_elf(fz_elf);
    cairn_zkvm_options o;
    cairn_zkvm_options_init(&o);
    o.threads = 2;
    fz_ready = cairn_zkvm_prove(&fz_proof, &fz_proof_len, NULL, NULL, fz_elf, sizeof fz_elf, NULL, 0,
                                &o, NULL) == CAIRN_OK
                   ? 1
                   : -1;
    return fz_ready;
}

int cairn_fuzz_proof(const uint8_t *data, size_t len)
{
    uint8_t *in = NULL, *enc = NULL;
    size_t in_len = 0, enc_len = 0;
    cairn_proof *p = NULL;
    int bad = 0;
    if (data == NULL || len < 1)
        return 0;
    if (setup() < 0)
        return 1;
    if ((data[0] & 1) == 0) {
        in_len = len - 1;
        in = malloc(in_len ? in_len : 1);
        if (in == NULL)
            return 0;
        memcpy(in, data + 1, in_len);
    } else {
        in_len = fz_proof_len;
        in = malloc(in_len);
        if (in == NULL)
            return 0;
        memcpy(in, fz_proof, in_len);
        size_t i = 1;
        for (; i + 4 <= len; i += 4) {
            size_t off = ((size_t)data[i] | (size_t)data[i + 1] << 8 | (size_t)data[i + 2] << 16) % in_len;
            in[off] ^= data[i + 3];
        }
        if (i < len)
            in_len = (size_t)data[i] * in_len / 256;
    }
    cairn_error err;
    cairn_status st = cairn_proof_decode(&p, in, in_len, &err);
    if (st != CAIRN_OK && st != CAIRN_ERR_PARSE && st != CAIRN_ERR_LIMIT && st != CAIRN_ERR_NOMEM)
        bad = 1;
    if (st == CAIRN_OK) {
        if (cairn_proof_encode(&enc, &enc_len, p, NULL) != CAIRN_OK || enc_len != in_len ||
            memcmp(enc, in, in_len) != 0)
            bad = 1;
        st = cairn_proof_verify(p, fz_elf, sizeof fz_elf, &err);
        if (st != CAIRN_OK && st != CAIRN_ERR_REJECTED)
            bad = 1;
        if (st == CAIRN_OK && (in_len != fz_proof_len || memcmp(in, fz_proof, in_len) != 0))
            bad = 1;
    }
    cairn_proof_free(p);
    free(enc);
    free(in);
    return bad;
}

#ifndef CAIRN_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (cairn_fuzz_proof(data, size) != 0)
        abort();
    return 0;
}
#endif
