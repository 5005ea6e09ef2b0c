/*
 * fuzz_checkpoint.c — fuzz target for the checkpoint file parser
 * (untrusted bytes: a checkpoint file a user hands to `cairn replay` or
 * the prover).
 *
 * The input is parsed twice: as it is (almost always stopped by the file
 * digest), and with its last 32 bytes replaced by the SHA-256 of the rest,
 * so that the structural checks behind the digest are reached too.
 * Properties (a violation returns 1, which the libFuzzer entry point turns
 * into abort()):
 *   - the parser returns OK, PARSE, LIMIT or NOMEM, with a message on failure;
 *   - a file that parses re-encodes to exactly the same bytes (the format
 *     is canonical), and its header satisfies count = max(1, ceil(T / C)).
 * With -DCAIRN_FUZZ_NO_MAIN (as in the test binary) only
 * cairn_fuzz_checkpoint is defined.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/witness.h"

int cairn_fuzz_checkpoint(const uint8_t *data, size_t len);

static int parse_one(const uint8_t *data, size_t len)
{
    cairn_checkpoints *cp = NULL;
    cairn_error err;
    int bad = 0;
    cairn_error_clear(&err);
    cairn_status st = cairn_checkpoint_file_parse(&cp, data, len, &err);
    if (st != CAIRN_OK) {
        if ((st != CAIRN_ERR_PARSE && st != CAIRN_ERR_LIMIT && st != CAIRN_ERR_NOMEM) ||
            err.msg[0] == '\0' || cp != NULL)
            bad = 1;
        return bad;
    }
    const cairn_ckpt_header *h = cairn_checkpoints_header(cp);
    uint64_t want = h->cycles == 0 ? 1 : (h->cycles - 1) / h->interval + 1;
    if (h->count != want)
        bad = 1;
    uint8_t *enc = NULL;
    size_t enc_len = 0;
    if (cairn_checkpoint_file_encode(&enc, &enc_len, cp, &err) != CAIRN_OK || enc_len != len ||
        memcmp(enc, data, len) != 0)
        bad = 1;
    free(enc);
    cairn_checkpoints_free(cp);
    return bad;
}

int cairn_fuzz_checkpoint(const uint8_t *data, size_t len)
{
    int bad = parse_one(data, len);
    if (len >= CAIRN_SHA256_BYTES) {
        uint8_t *copy = malloc(len);
        if (copy == NULL)
            return bad;
        memcpy(copy, data, len);
        cairn_sha256(copy + len - CAIRN_SHA256_BYTES, copy, len - CAIRN_SHA256_BYTES);
        bad |= parse_one(copy, len);
        free(copy);
    }
    return bad;
}

#ifndef CAIRN_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (cairn_fuzz_checkpoint(data, size) != 0)
        abort();
    return 0;
}
#endif
