/*
 * fuzz_lean_proof.c — fuzz target for the lean proof's parser and
 * verifier (untrusted proof bytes, the body of format 5:
 * src/zkvm/lean_codec.c, docs/zkvm-v2.md).
 *
 * An honest lean proof of a four-instruction program (fuzz_tiny_elf.h) is
 * made once per process and cached, with its statement and the parts of
 * its encoding.  Input layout:
 *   byte 0   bit 0: 0 = the rest is the proof body itself;
 *                   1 = the rest edits the honest encoding part by part:
 *                   4-byte edits (part index mod the parts, le16 offset
 *                   mod the part's length, xor byte), so every part is
 *                   reached however long the openings are; a leftover
 *                   byte truncates the proof at (its value * length / 256)
 * Properties checked (a violation returns 1; the libFuzzer entry aborts):
 *   - decoding returns only OK, PARSE, LIMIT or NOMEM; verifying a decoded
 *     proof only OK or REJECTED;
 *   - a decoded proof re-encodes to exactly the input bytes;
 *   - nothing but the honest bytes is accepted.
 * With -DCAIRN_FUZZ_NO_MAIN (as in the test binary) only
 * cairn_fuzz_lean_proof is defined.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/zkvm/zkvm_internal.h"
#include "fuzz_tiny_elf.h"

int cairn_fuzz_lean_proof(const uint8_t *data, size_t len);

#define FL_MAX_PARTS 32u

static uint8_t fl_elf[FUZZ_TINY_ELF_BYTES];
static zl_run fl_run;
static zl_stmt fl_stmt;
static zl_shape fl_shape;
static uint8_t *fl_proof;
static size_t fl_proof_len;
static zl_part fl_parts[FL_MAX_PARTS];
static size_t fl_nparts;
static int fl_ready; /* 0 not tried, 1 ready, -1 failed */

static int setup(void)
{
    if (fl_ready != 0)
        return fl_ready;
    fl_ready = -1;
    fuzz_tiny_elf(fl_elf);
    zl_proof p;
    cairn_transcript t;
    zl_proof_init(&p);
    cairn_transcript_init(&t, "fuzz-lean");
    if (zl_run_init(&fl_run, fl_elf, sizeof fl_elf, NULL, 0, 1000, NULL) != CAIRN_OK)
        return fl_ready;
    zl_run_stmt(&fl_stmt, &fl_run, 100, 2);
    zl_shape_of(&fl_shape, &fl_stmt);
    if (zl_prove_cols(&p, &t, &fl_stmt, fl_run.cells, 2, NULL) == CAIRN_OK &&
        zl_proof_encode(&fl_proof, &fl_proof_len, &p, NULL) == CAIRN_OK) {
        fl_nparts = zl_proof_parts(fl_parts, FL_MAX_PARTS, &p);
        fl_ready = fl_nparts > 0 ? 1 : -1;
    }
    zl_proof_clear(&p);
    return fl_ready;
}

/* The honest encoding with data's edits (see the layout above); malloc'd, NULL when out of memory.
 */
static uint8_t *edited(size_t *out_len, const uint8_t *data, size_t len)
{
    uint8_t *in = malloc(fl_proof_len);
    if (in == NULL)
        return NULL;
    memcpy(in, fl_proof, fl_proof_len);
    *out_len = fl_proof_len;
    size_t i = 0;
    for (; i + 4 <= len; i += 4) {
        const zl_part *pt = &fl_parts[data[i] % fl_nparts];
        size_t off = ((size_t)data[i + 1] | (size_t)data[i + 2] << 8) % pt->len;
        in[pt->offset + off] ^= data[i + 3];
    }
    if (i < len)
        *out_len = (size_t)data[i] * fl_proof_len / 256;
    return in;
}

int cairn_fuzz_lean_proof(const uint8_t *data, size_t len)
{
    uint8_t *in = NULL, *enc = NULL;
    size_t in_len = 0, enc_len = 0;
    zl_proof p;
    int bad = 0;
    if (data == NULL || len < 1)
        return 0;
    if (setup() < 0)
        return 1;
    if ((data[0] & 1) == 0) {
        in_len = len - 1;
        if ((in = malloc(in_len ? in_len : 1)) == NULL)
            return 0;
        memcpy(in, data + 1, in_len);
    } else if ((in = edited(&in_len, data + 1, len - 1)) == NULL) {
        return 0;
    }
    cairn_error err;
    zl_proof_init(&p);
    cairn_status st = zl_proof_decode(&p, in, in_len, &fl_shape, &err);
    if (st != CAIRN_OK && st != CAIRN_ERR_PARSE && st != CAIRN_ERR_LIMIT && st != CAIRN_ERR_NOMEM)
        bad = 1;
    if (st == CAIRN_OK) {
        if (zl_proof_encode(&enc, &enc_len, &p, NULL) != CAIRN_OK || enc_len != in_len ||
            memcmp(enc, in, in_len) != 0)
            bad = 1;
        cairn_transcript t;
        cairn_transcript_init(&t, "fuzz-lean");
        st = zl_verify(&t, &fl_stmt, &p, &err);
        if (st != CAIRN_OK && st != CAIRN_ERR_REJECTED)
            bad = 1;
        if (st == CAIRN_OK && (in_len != fl_proof_len || memcmp(in, fl_proof, in_len) != 0))
            bad = 1;
    }
    zl_proof_clear(&p);
    free(enc);
    free(in);
    return bad;
}

#ifndef CAIRN_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (cairn_fuzz_lean_proof(data, size) != 0)
        abort();
    return 0;
}
#endif
