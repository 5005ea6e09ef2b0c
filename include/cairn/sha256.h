/*
 * cairn/sha256.h — SHA-256 (FIPS 180-4) through OpenSSL's libcrypto.
 *
 * The one hash of cairn (DESIGN.md §2): Merkle trees, the Fiat–Shamir
 * transcript and proof-of-work all reduce to it.  The implementation is
 * OpenSSL's, which uses the SHA extensions (SHA-NI) where the CPU has them.
 *
 * The incremental context is a plain struct of CAIRN_SHA256_CTX_BYTES bytes
 * holding an OpenSSL SHA256_CTX: no allocation, no cleanup, and copying it
 * (cairn_sha256_copy or plain struct assignment) forks the running hash.
 * Many hashes that absorb the same lengths can also be kept packed, 32
 * bytes of chaining value and the pending bytes each against one shared
 * context (cairn_sha256_pack / _unpack): that is how the polynomial
 * commitment keeps one running hash per codeword column.  None of these
 * functions can fail; the known-answer
 * self-check cairn_sha256_selftest is the only one returning a status.
 * See docs/hashing.md for why this wraps SHA256_CTX rather than EVP.
 */
#ifndef CAIRN_SHA256_H
#define CAIRN_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

/* Digest and block sizes in bytes. */
#define CAIRN_SHA256_BYTES       32u
#define CAIRN_SHA256_BLOCK_BYTES 64u
/* Size of the opaque context storage (OpenSSL's SHA256_CTX is 112 bytes). */
#define CAIRN_SHA256_CTX_BYTES 112u

/*
 * A 32-byte digest as a value type (assignable, storable in arrays), used by
 * the Merkle tree and the transcript so that digests cannot be confused with
 * other byte strings.
 */
typedef struct {
    uint8_t bytes[CAIRN_SHA256_BYTES];
} cairn_digest;

/*
 * A running SHA-256 computation.  Opaque; valid after cairn_sha256_init and
 * until cairn_sha256_final.  Copyable by assignment.  Holds no resources, so
 * it needs no clear.
 */
typedef struct {
    uint64_t opaque[CAIRN_SHA256_CTX_BYTES / 8];
} cairn_sha256_ctx;

/* out = SHA-256(data[0 .. data_len)).  data may be NULL when data_len is 0. */
void cairn_sha256(uint8_t out[CAIRN_SHA256_BYTES], const void *data, size_t data_len);

/* Start a new hash in ctx (any previous contents are discarded). */
void cairn_sha256_init(cairn_sha256_ctx *ctx);

/* Append data[0 .. data_len) to the message; data may be NULL when data_len is 0. */
void cairn_sha256_update(cairn_sha256_ctx *ctx, const void *data, size_t data_len);

/*
 * Finish: out = SHA-256 of everything appended since init.  ctx is spent
 * afterwards (init it again to reuse it); copy it first to keep going.
 */
void cairn_sha256_final(uint8_t out[CAIRN_SHA256_BYTES], cairn_sha256_ctx *ctx);

/* dst = an independent copy of the running hash src (same as *dst = *src). */
void cairn_sha256_copy(cairn_sha256_ctx *dst, const cairn_sha256_ctx *src);

/*
 * Packed running hashes.  Two running hashes that have absorbed the same
 * number of bytes differ only in their chaining value and in the bytes
 * pending in their current block (absorbed length mod 64 of them); their
 * lengths and every other field agree.  A table of many hashes that absorb
 * the same lengths in the same order (the commitment's one per codeword
 * column) therefore need not keep a whole context each: per hash, the
 * chaining value (CAIRN_SHA256_BYTES, in an unspecified byte order that
 * only cairn_sha256_unpack reads) and the pending bytes, plus one ordinary
 * context shared by all, the *template*, that has absorbed the same number
 * of bytes (which bytes does not matter: only its length is read).  To go
 * on with one hash: unpack it against the template, update or finish it as
 * usual, pack it back (its pending count is then the template's after the
 * same update; advance the template by feeding it as many bytes).
 */

/* The bytes pending in ctx's current block, 0 .. 63: its absorbed length mod 64. */
size_t cairn_sha256_pending(const cairn_sha256_ctx *ctx);

/*
 * Pack the running hash ctx: cv <- its chaining value, pend[0 ..
 * cairn_sha256_pending(ctx)) <- its pending bytes (pend may be NULL when
 * none are pending).  ctx is unchanged.
 */
void cairn_sha256_pack(uint8_t cv[CAIRN_SHA256_BYTES], uint8_t *pend, const cairn_sha256_ctx *ctx);

/*
 * Unpack: ctx <- the running hash whose chaining value is cv (as packed),
 * whose pending bytes are pend[0 .. cairn_sha256_pending(tmpl)) and whose
 * absorbed length is tmpl's.  When x and tmpl have absorbed the same number
 * of bytes, unpacking the packed x against tmpl gives x back: updates and
 * the final digest go on exactly as they would have from x.  pend may be
 * NULL when tmpl has nothing pending; neither cv nor pend may overlap ctx.
 */
void cairn_sha256_unpack(cairn_sha256_ctx *ctx, const cairn_sha256_ctx *tmpl,
                         const uint8_t cv[CAIRN_SHA256_BYTES], const uint8_t *pend);

/*
 * Known-answer self-check: the FIPS 180-2 vectors ("abc", the 448-bit
 * message "abcdbcdecdefdefg...", one million 'a') and the empty message,
 * each one-shot and incrementally in uneven pieces, plus a context copy.
 * Returns CAIRN_OK, or CAIRN_ERR_INTERNAL naming the first vector that
 * failed (a broken libcrypto or build).  Takes about a millisecond.
 */
cairn_status cairn_sha256_selftest(cairn_error *err);

#endif /* CAIRN_SHA256_H */
