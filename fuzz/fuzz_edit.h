/*
 * fuzz_edit.h — the input convention the indexed-lookup proof targets
 * share (fuzz_logup_star_proof.c, fuzz_logup_batch_proof.c): after two
 * header bytes the input is either the proof bytes themselves or edits of
 * the honest encoding (3-byte edits: le16 offset mod length, xor byte; a
 * leftover byte truncates at its value mod length), and one verdict on
 * the verifier's answer.
 */
#ifndef CAIRN_FUZZ_EDIT_H
#define CAIRN_FUZZ_EDIT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/error.h"

/*
 * The bytes to parse (malloc'd, NULL when out of memory): rest[0 .. rest_len)
 * itself, or with edit_mode the honest encoding edited by it.
 */
static inline uint8_t *fuzz_proof_bytes(size_t *out_len, const uint8_t *honest, size_t hlen,
                                        const uint8_t *rest, size_t rest_len, int edit_mode)
{
    size_t cap = edit_mode ? hlen : rest_len;
    uint8_t *buf = malloc(cap ? cap : 1);
    if (buf == NULL)
        return NULL;
    if (!edit_mode) {
        memcpy(buf, rest, rest_len);
        *out_len = rest_len;
        return buf;
    }
    memcpy(buf, honest, hlen);
    *out_len = hlen;
    size_t i = 0;
    for (; i + 3 <= rest_len && hlen > 0; i += 3)
        buf[((size_t)rest[i] | (size_t)rest[i + 1] << 8) % hlen] ^= rest[i + 2];
    if (i < rest_len && hlen > 0)
        *out_len = rest[i] % hlen;
    return buf;
}

/*
 * 1 (a violation) when the verifier answered other than OK or REJECTED,
 * accepted a lie or claims that do not hold, or rejected the unedited
 * honest proof of the truth.
 */
static inline int fuzz_verdict(cairn_status s, int lie, int claims_hold, int unedited_honest)
{
    if (s == CAIRN_OK)
        return lie || !claims_hold;
    if (s != CAIRN_ERR_REJECTED)
        return 1;
    return unedited_honest && !lie;
}

#endif
