/*
 * fuzz_merkle_proof.c — fuzz target for the Merkle multi-opening parser and
 * verifier (untrusted proof bytes).
 *
 * Input layout: byte 0 picks q = 1 + (byte % 8) queries; the next q bytes
 * pick leaf indices (mod 13) of a fixed tree over 13 leaves (height 4, so
 * padding is exercised); the rest is the encoded multiproof.  The target
 * parses it with max_queries = q and, when it parses, verifies it against
 * the fixed root and the true leaves.  Properties checked (a violation
 * returns 1, which the libFuzzer entry point turns into abort()):
 *   - decode returns only OK or PARSE, verify only OK or REJECTED;
 *   - a parsed proof re-encodes to exactly the input bytes;
 *   - an accepted proof is exactly the honest opening (collision resistance
 *     means no other sibling list can verify).
 * With -DCAIRN_FUZZ_NO_MAIN (as in the test binary) only
 * cairn_fuzz_merkle_proof is defined.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/merkle.h"

int cairn_fuzz_merkle_proof(const uint8_t *data, size_t len);

#define FUZZ_LEAVES 13u

int cairn_fuzz_merkle_proof(const uint8_t *data, size_t len)
{
    cairn_digest leaves[FUZZ_LEAVES], opened[8];
    size_t idx[8];
    cairn_merkle_tree tree;
    cairn_merkle_multiproof proof, honest;
    uint8_t *enc = NULL;
    int bad = 0;

    cairn_merkle_tree_init(&tree);
    cairn_merkle_multiproof_init(&proof);
    cairn_merkle_multiproof_init(&honest);
    if (len < 1)
        return 0;
    size_t q = 1 + (size_t)(data[0] % 8);
    if (len < 1 + q)
        return 0;
    for (size_t i = 0; i < FUZZ_LEAVES; i++) {
        uint8_t b = (uint8_t)i;
        cairn_merkle_leaf_hash(&leaves[i], &b, 1);
    }
    if (cairn_merkle_tree_build(&tree, leaves, FUZZ_LEAVES, 1, NULL) != CAIRN_OK) {
        bad = 1;
        goto out;
    }
    for (size_t i = 0; i < q; i++) {
        idx[i] = data[1 + i] % FUZZ_LEAVES;
        opened[i] = leaves[idx[i]];
    }
    const uint8_t *in = data + 1 + q;
    size_t in_len = len - 1 - q;

    cairn_status st =
        cairn_merkle_multiproof_decode(&proof, NULL, in, in_len, FUZZ_LEAVES, q, NULL);
    if (st == CAIRN_ERR_PARSE)
        goto out;
    if (st != CAIRN_OK) {
        bad = 1;
        goto out;
    }
    size_t enc_len = cairn_merkle_multiproof_encoded_len(&proof);
    enc = malloc(enc_len);
    if (enc == NULL || enc_len != in_len ||
        cairn_merkle_multiproof_encode(enc, enc_len, &proof, NULL) != CAIRN_OK ||
        memcmp(enc, in, in_len) != 0) {
        bad = 1;
        goto out;
    }
    st = cairn_merkle_multiproof_verify(cairn_merkle_tree_root(&tree), FUZZ_LEAVES, idx, opened, q,
                                        &proof, NULL);
    if (st == CAIRN_OK) {
        if (cairn_merkle_multiproof_open(&honest, &tree, idx, q, NULL) != CAIRN_OK ||
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
