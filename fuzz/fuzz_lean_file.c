/*
 * fuzz_lean_file.c — fuzz target for proof format 5, the lean proof in
 * its container (untrusted proof bytes: src/zkvm/lean_file.c,
 * docs/proof-format.md).
 *
 * An honest format-5 proof of a four-instruction program
 * (fuzz_tiny_elf.h) is made once per process with zl_prove_elf and
 * cached, with its head: the bytes up to the body's fifth part (the
 * header, statement, I, kb, output and the body's first parts).  Input:
 *   byte 0   bit 0: 0 = the rest is the proof itself;
 *                   1 = the rest edits the honest proof as fuzz_edit.h
 *                   does (3-byte edits: le16 offset, xor byte; a leftover
 *                   byte truncates), with offsets taken mod the head's
 *                   length (bit 1 clear) or the whole proof's (bit 1 set)
 * Properties checked (a violation returns 1; the libFuzzer entry aborts):
 *   - zl_file_decode returns only OK, PARSE, LIMIT or NOMEM, and a
 *     decoded proof re-encodes to exactly the input bytes;
 *   - zl_verify_elf returns only OK, PARSE, REJECTED, LIMIT or NOMEM, and
 *     OK only for the honest bytes, with the honest statement.
 * With -DCAIRN_FUZZ_NO_MAIN (as in the test binary) only
 * cairn_fuzz_lean_file is defined.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/zkvm/zkvm_internal.h"
#include "fuzz_edit.h"
#include "fuzz_tiny_elf.h"

int cairn_fuzz_lean_file(const uint8_t *data, size_t len);

static uint8_t ff_elf[FUZZ_TINY_ELF_BYTES];
static zl_statement ff_stmt;
static uint8_t *ff_proof;
static size_t ff_proof_len, ff_head;
static int ff_ready; /* 0 not tried, 1 ready, -1 failed */

static int setup(void)
{
    if (ff_ready != 0)
        return ff_ready;
    ff_ready = -1;
    fuzz_tiny_elf(ff_elf);
    if (zl_prove_elf(&ff_proof, &ff_proof_len, &ff_stmt, ff_elf, sizeof ff_elf, NULL, 0, 100, 2,
                     1000, 0, NULL) != CAIRN_OK)
        return ff_ready;
    zl_statement st;
    zl_proof body;
    unsigned kb;
    if (zl_file_decode(&st, &kb, &body, ff_proof, ff_proof_len, NULL) == CAIRN_OK) {
        zl_part parts[32];
        size_t n = zl_proof_parts(parts, 32, &body);
        ff_head = zl_file_body_offset(&st) + (n >= 5 ? parts[4].offset : 0);
        ff_ready = n >= 5 ? 1 : -1;
    }
    zl_statement_clear(&st);
    zl_proof_clear(&body);
    return ff_ready;
}

/*
 * The bytes to try (malloc'd, NULL when out of memory): the rest of data
 * itself, or the honest proof with fuzz_edit.h's edits over the head only
 * (bit 1 of byte 0 clear) or over the whole proof (set).
 */
static uint8_t *input(size_t *out_len, const uint8_t *data, size_t len)
{
    int edit = data[0] & 1, whole = data[0] & 2;
    if (!edit || whole)
        return fuzz_proof_bytes(out_len, ff_proof, ff_proof_len, data + 1, len - 1, edit);
    uint8_t *head = fuzz_proof_bytes(out_len, ff_proof, ff_head, data + 1, len - 1, 1), *in;
    if (head == NULL || *out_len < ff_head) /* truncated inside the head */
        return head;
    if ((in = realloc(head, ff_proof_len)) == NULL) {
        free(head);
        return NULL;
    }
    memcpy(in + ff_head, ff_proof + ff_head, ff_proof_len - ff_head);
    *out_len = ff_proof_len;
    return in;
}

/* Two statements say the same. */
static int same(const zl_statement *a, const zl_statement *b)
{
    return memcmp(&a->st, &b->st, sizeof a->st) == 0 && a->instructions == b->instructions &&
           (a->st.output_len == 0 || memcmp(a->output, b->output, a->st.output_len) == 0);
}

int cairn_fuzz_lean_file(const uint8_t *data, size_t len)
{
    uint8_t *in = NULL, *enc = NULL;
    size_t in_len = 0, enc_len = 0;
    zl_statement st;
    zl_proof body;
    unsigned kb;
    int bad = 0;
    if (data == NULL || len < 1)
        return 0;
    if (setup() < 0)
        return 1;
    if ((in = input(&in_len, data, len)) == NULL)
        return 0;
    cairn_error err;
    cairn_status s = zl_file_decode(&st, &kb, &body, in, in_len, &err);
    if (s != CAIRN_OK && s != CAIRN_ERR_PARSE && s != CAIRN_ERR_LIMIT && s != CAIRN_ERR_NOMEM)
        bad = 1;
    if (s == CAIRN_OK && (zl_file_encode(&enc, &enc_len, &st, kb, &body, NULL) != CAIRN_OK ||
                          enc_len != in_len || memcmp(enc, in, in_len) != 0))
        bad = 1;
    zl_statement_clear(&st);
    zl_proof_clear(&body);
    s = zl_verify_elf(&st, in, in_len, ff_elf, sizeof ff_elf, &err);
    if (s != CAIRN_OK && s != CAIRN_ERR_PARSE && s != CAIRN_ERR_REJECTED &&
        s != CAIRN_ERR_LIMIT && s != CAIRN_ERR_NOMEM)
        bad = 1;
    if (s == CAIRN_OK && (in_len != ff_proof_len || memcmp(in, ff_proof, in_len) != 0 ||
                          !same(&st, &ff_stmt)))
        bad = 1;
    if (s == CAIRN_OK)
        zl_statement_clear(&st);
    free(enc);
    free(in);
    return bad;
}

#ifndef CAIRN_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (cairn_fuzz_lean_file(data, size) != 0)
        abort();
    return 0;
}
#endif
