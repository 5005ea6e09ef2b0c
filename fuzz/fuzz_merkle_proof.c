/*
 * fuzz_merkle_proof.c — fuzz target for the Merkle multi-opening parser and
 * verifier (untrusted proof bytes).
 *
 * Input layout:
 *   byte 0      q = 1 + (byte % 8) queries
 *   byte 1      n = 1 + (byte % 40) leaves (n = 1, powers of two and padded
 *               sizes all occur), leaf i = leaf_hash(byte i)
 *   byte 2      flags: bit 0 parse in prefix mode (in_used, trailing bytes
 *               allowed); bit 1 lie about one opened leaf; bits 2-3 added
 *               to max_queries
 *   q bytes     leaf indices (mod n)
 *   the rest    the encoded multiproof
 * Properties checked (a violation returns 1, which the libFuzzer entry point
 * turns into abort()):
 *   - decode returns only OK or PARSE, verify only OK or REJECTED;
 *   - in prefix mode *in_used is within the input; a parsed proof re-encodes
 *     to exactly the bytes it consumed;
 *   - an accepted proof is exactly the honest opening (collision resistance
 *     means no other sibling list can verify), and a proof is never accepted
 *     for a leaf that differs from the committed one.
 * With -DCAIRN_FUZZ_NO_MAIN (as in the test binary) only
 * cairn_fuzz_merkle_proof is defined.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/merkle.h"

int cairn_fuzz_merkle_proof(const uint8_t *data, size_t len);

#define FUZZ_MAX_LEAVES 40u
#define FUZZ_MAX_QUERIES 8u
#define FUZZ_HEADER 3u

int cairn_fuzz_merkle_proof(const uint8_t *data, size_t len)
{
    cairn_digest leaves[FUZZ_MAX_LEAVES], opened[FUZZ_MAX_QUERIES];
    size_t idx[FUZZ_MAX_QUERIES];
    cairn_merkle_tree tree;
    cairn_merkle_multiproof proof, honest;
    uint8_t *enc = NULL;
    int bad = 0;

    cairn_merkle_tree_init(&tree);
    cairn_merkle_multiproof_init(&proof);
    cairn_merkle_multiproof_init(&honest);
    if (len < FUZZ_HEADER)
        return 0;
    size_t q = 1 + (size_t)(data[0] % FUZZ_MAX_QUERIES);
    size_t n = 1 + (size_t)(data[1] % FUZZ_MAX_LEAVES);
    int prefix_mode = data[2] & 1;
    int lie = (data[2] >> 1) & 1;
    size_t max_queries = q + (size_t)((data[2] >> 2) & 3);
    if (len < FUZZ_HEADER + q)
        return 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)i;
        cairn_merkle_leaf_hash(&leaves[i], &b, 1);
    }
    if (cairn_merkle_tree_build(&tree, leaves, n, 1, NULL) != CAIRN_OK) {
        bad = 1;
        goto out;
    }
    for (size_t i = 0; i < q; i++) {
        idx[i] = data[FUZZ_HEADER + i] % n;
        opened[i] = leaves[idx[i]];
    }
    if (lie)
        opened[q - 1].bytes[0] ^= 0x80;
    const uint8_t *in = data + FUZZ_HEADER + q;
    size_t in_len = len - FUZZ_HEADER - q;

    size_t used = in_len;
    cairn_status st = cairn_merkle_multiproof_decode(&proof, prefix_mode ? &used : NULL, in, in_len,
                                                     n, max_queries, NULL);
    if (st == CAIRN_ERR_PARSE)
        goto out;
    if (st != CAIRN_OK || used > in_len) {
        bad = 1;
        goto out;
    }
    size_t enc_len = cairn_merkle_multiproof_encoded_len(&proof);
    enc = malloc(enc_len);
    if (enc == NULL || enc_len != used ||
        cairn_merkle_multiproof_encode(enc, enc_len, &proof, NULL) != CAIRN_OK ||
        memcmp(enc, in, used) != 0) {
        bad = 1;
        goto out;
    }
    st = cairn_merkle_multiproof_verify(cairn_merkle_tree_root(&tree), n, idx, opened, q, &proof,
                                        NULL);
    if (st == CAIRN_OK) {
        if (lie ||
            cairn_merkle_multiproof_open(&honest, &tree, idx, q, NULL) != CAIRN_OK ||
            honest.siblings_len != proof.siblings_len ||
            (proof.siblings_len > 0 && memcmp(honest.siblings, proof.siblings,
                                              proof.siblings_len * sizeof(cairn_digest)) != 0))
            bad = 1;
    } else if (st != CAIRN_ERR_REJECTED) {
        bad = 1;
    }
out:
    free(enc);
    cairn_merkle_multiproof_clear(&proof);
    cairn_merkle_multiproof_clear(&honest);
    cairn_merkle_tree_clear(&tree);
    return bad;
}

#ifndef CAIRN_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (cairn_fuzz_merkle_proof(data, size) != 0)
        abort();
    return 0;
}
#endif
