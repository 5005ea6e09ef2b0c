/*
 * cairn/transcript.h — the Fiat–Shamir transcript: a SHA-256 hash chain
 * that absorbs labelled, length-prefixed messages and squeezes field
 * elements, indices and bytes by rejection sampling, plus proof-of-work
 * grinding.  docs/hashing.md specifies every byte.
 *
 * The state is one 32-byte chaining value S.  Every operation, absorb or
 * squeeze, replaces it:
 *     S <- SHA-256(S || tag || le64(|label|) || label || le64(|payload|) || payload)
 * with a one-byte tag naming the operation, so (operation, label, payload)
 * boundaries are unambiguous.  A squeeze then reads an output stream
 *     block_j = SHA-256(S || 0xFF || le64(j)),  j = 0, 1, ...
 * as little-endian 64-bit words and keeps the words that pass rejection
 * (a field element needs w < p; an index below `bound` needs w below the
 * largest multiple of bound that fits in 2^64).  Outputs therefore depend
 * on everything absorbed and squeezed before, consecutive squeezes differ,
 * and later operations depend on earlier squeezes.
 *
 * A transcript is a caller-owned value: copy it by assignment to fork it
 * (the prover and verifier each run their own).  Labels are NUL-terminated
 * strings (protocol constants); NULL is taken as "".
 */
#ifndef CAIRN_TRANSCRIPT_H
#define CAIRN_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"
#include "cairn/field.h"
#include "cairn/sha256.h"

/* The protocol name hashed into every initial state. */
#define CAIRN_TRANSCRIPT_PROTOCOL "cairn-transcript-sha256-v1"
/* Largest proof-of-work difficulty, in leading zero bits. */
#define CAIRN_TRANSCRIPT_MAX_POW_BITS 64u

typedef struct {
    uint8_t state[CAIRN_SHA256_BYTES];
} cairn_transcript;

/*
 * S = SHA-256(0^32 || 0x00 || le64(|protocol|) || protocol || le64(|domain|) || domain)
 * with protocol = CAIRN_TRANSCRIPT_PROTOCOL.  domain names the proof system
 * and version, e.g. "cairn-v1/proof"; NULL is taken as "".
 */
void cairn_transcript_init(cairn_transcript *t, const char *domain);

/* ---- absorb -------------------------------------------------------------- */

/* Absorb data[0 .. data_len) under label (tag 0x01). data may be NULL when data_len is 0. */
void cairn_transcript_absorb_bytes(cairn_transcript *t, const char *label, const void *data,
                                   size_t data_len);

/* Absorb a 64-bit integer, 8 bytes little-endian (tag 0x02). */
void cairn_transcript_absorb_u64(cairn_transcript *t, const char *label, uint64_t v);

/* Absorb one base field element, its canonical 8-byte encoding (tag 0x03). */
void cairn_transcript_absorb_fp(cairn_transcript *t, const char *label, cairn_fp a);

/* Absorb v[0 .. v_len) as concatenated 8-byte encodings (tag 0x03; one element = absorb_fp). */
void cairn_transcript_absorb_fp_vec(cairn_transcript *t, const char *label, const cairn_fp *v,
                                    size_t v_len);

/* Absorb one extension element, its 16-byte encoding c0 || c1 (tag 0x04). */
void cairn_transcript_absorb_fp2(cairn_transcript *t, const char *label, cairn_fp2 a);

/* Absorb v[0 .. v_len) as concatenated 16-byte encodings (tag 0x04). */
void cairn_transcript_absorb_fp2_vec(cairn_transcript *t, const char *label, const cairn_fp2 *v,
                                     size_t v_len);

/* Absorb a digest, e.g. a Merkle root (tag 0x05). */
void cairn_transcript_absorb_digest(cairn_transcript *t, const char *label, const cairn_digest *d);

/* ---- squeeze ------------------------------------------------------------- */

/* out[0 .. out_len) = the output stream bytes after a squeeze step (tag 0x10, payload
 * le64(out_len)). */
void cairn_transcript_squeeze_bytes(uint8_t *out, size_t out_len, cairn_transcript *t,
                                    const char *label);

/* One uniform base field element (= squeeze_fp_vec with one element). */
cairn_fp cairn_transcript_squeeze_fp(cairn_transcript *t, const char *label);

/* out[0 .. out_len) uniform base field elements (tag 0x11, payload le64(out_len)). */
void cairn_transcript_squeeze_fp_vec(cairn_fp *out, size_t out_len, cairn_transcript *t,
                                     const char *label);

/* One uniform extension element (= squeeze_fp2_vec with one element). */
cairn_fp2 cairn_transcript_squeeze_fp2(cairn_transcript *t, const char *label);

/*
 * out[0 .. out_len) uniform extension elements (tag 0x12, payload
 * le64(out_len)); each takes c0 then c1 from the accepted words.
 */
void cairn_transcript_squeeze_fp2_vec(cairn_fp2 *out, size_t out_len, cairn_transcript *t,
                                      const char *label);

/*
 * out[0 .. out_len) independent uniform indices in [0, bound), repetitions
 * possible (tag 0x13, payload le64(bound) || le64(out_len)).  bound == 0 is
 * CAIRN_ERR_ARG and leaves t unchanged.
 */
cairn_status cairn_transcript_squeeze_indices(size_t *out, size_t out_len, cairn_transcript *t,
                                              const char *label, size_t bound, cairn_error *err);

/*
 * out[0 .. out_len) distinct indices in [0, bound), a uniformly random
 * out_len-subset chosen by Floyd's algorithm (tag 0x14, payload le64(bound)
 * || le64(out_len)), listed in the order chosen.  out_len > bound (or
 * bound == 0) is CAIRN_ERR_ARG, CAIRN_ERR_NOMEM when scratch for a large
 * out_len cannot be allocated; either way t is unchanged.
 */
cairn_status cairn_transcript_squeeze_distinct(size_t *out, size_t out_len, cairn_transcript *t,
                                               const char *label, size_t bound, cairn_error *err);

/* ---- proof of work -------------------------------------------------------- */

/*
 * Prover: find the smallest nonce such that
 *     SHA-256(P || le64(nonce))  has at least `bits` leading zero bits,
 *     P = SHA-256(S || 0x20 || le64(|label|) || label || le64(8) || le64(bits))
 * then absorb it (tag 0x21, payload le64(bits) || le64(nonce)) and return it
 * in *nonce.  threads 0 or 1 searches on the calling thread; more threads
 * search in parallel and find the same (smallest) nonce.  bits = 0 gives
 * nonce 0.  CAIRN_ERR_ARG for bits > CAIRN_TRANSCRIPT_MAX_POW_BITS;
 * CAIRN_ERR_LIMIT if no 64-bit nonce works (never in practice).  On failure
 * t is unchanged.  Expected work: 2^bits hashes.
 */
cairn_status cairn_transcript_grind(uint64_t *nonce, cairn_transcript *t, const char *label,
                                    unsigned bits, unsigned threads, cairn_error *err);

/*
 * Verifier: one hash to check that nonce meets `bits` for the current state
 * and label; on success absorb it exactly as cairn_transcript_grind does, so
 * both transcripts stay in step.  CAIRN_ERR_REJECTED (t unchanged) when it
 * does not; CAIRN_ERR_ARG for bits > CAIRN_TRANSCRIPT_MAX_POW_BITS.
 */
cairn_status cairn_transcript_check_pow(cairn_transcript *t, const char *label, unsigned bits,
                                        uint64_t nonce, cairn_error *err);

#endif /* CAIRN_TRANSCRIPT_H */
