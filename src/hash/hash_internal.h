/*
 * hash_internal.h — the contract shared by src/hash/ (sha256.c, merkle.c,
 * transcript.c) and its tests.
 *
 * What the module promises:
 *   - every hash is SHA-256 via OpenSSL's SHA256_CTX (sha256.c), so a
 *     cairn_sha256_ctx is a plain, copyable 112-byte struct;
 *   - Merkle hashing is H(0x00 || data) for leaves and H(0x01 || l || r)
 *     for inner nodes, over a tree of fixed height ceil(log2 n) padded with
 *     zero digests (merkle.c);
 *   - the transcript is a chain S <- H(S || tag || le64 label_len || label ||
 *     le64 payload_len || payload) with the tags below, and its samplers
 *     accept a 64-bit word only as described by sample_fp / sample_index.
 * docs/hashing.md is the byte-level specification; these helpers are the
 * pieces tests check directly (rejection sampling is too rare to provoke
 * through the transcript for field elements: 2^-32 per word).
 */
#ifndef CAIRN_HASH_INTERNAL_H
#define CAIRN_HASH_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/field.h"

/* Transcript operation tags (the byte after S in every chained hash). */
enum {
    HASH_TAG_INIT = 0x00,
    HASH_TAG_ABSORB_BYTES = 0x01,
    HASH_TAG_ABSORB_U64 = 0x02,
    HASH_TAG_ABSORB_FP = 0x03,
    HASH_TAG_ABSORB_FP2 = 0x04,
    HASH_TAG_ABSORB_DIGEST = 0x05,
    HASH_TAG_SQUEEZE_BYTES = 0x10,
    HASH_TAG_SQUEEZE_FP = 0x11,
    HASH_TAG_SQUEEZE_FP2 = 0x12,
    HASH_TAG_SQUEEZE_INDICES = 0x13,
    HASH_TAG_SQUEEZE_DISTINCT = 0x14,
    HASH_TAG_POW_PREFIX = 0x20,
    HASH_TAG_POW_NONCE = 0x21,
    HASH_TAG_OUTPUT = 0xFF
};

static inline void hash_store_le64(uint8_t out[8], uint64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t hash_load_le64(const uint8_t in[8])
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | in[i];
    return v;
}

static inline uint64_t hash_load_be64(const uint8_t in[8])
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | in[i];
    return v;
}

/*
 * Rejection rule for base field elements: a 64-bit word w is accepted iff
 * w < p, and then is the element itself.  Returns 1 and sets *out when
 * accepted, 0 (out untouched) when rejected.
 */
static inline int hash_sample_fp(cairn_fp *out, uint64_t w)
{
    if (w >= CAIRN_FP_P)
        return 0;
    *out = cairn_fp_make(w);
    return 1;
}

/*
 * Rejection rule for indices below bound >= 1: let r = 2^64 mod bound;
 * w is accepted iff w < 2^64 - r (then the accepted range is a whole number
 * of copies of [0, bound)), and gives w mod bound.  When bound divides 2^64
 * (r = 0) every word is accepted.
 */
static inline int hash_sample_index(uint64_t *out, uint64_t w, uint64_t bound)
{
    uint64_t r = (UINT64_MAX % bound + 1) % bound; /* 2^64 mod bound */
    if (r != 0 && w >= UINT64_C(0) - r)
        return 0;
    *out = w % bound;
    return 1;
}

/*
 * Does the digest have at least `bits` (<= 64) leading zero bits, reading
 * it as a big-endian number (bit 7 of byte 0 first)?
 */
static inline int hash_pow_ok(const uint8_t digest[32], unsigned bits)
{
    if (bits == 0)
        return 1;
    return (hash_load_be64(digest) >> (64 - bits)) == 0;
}

#endif /* CAIRN_HASH_INTERNAL_H */
