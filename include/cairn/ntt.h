/*
 * cairn/ntt.h — number-theoretic transforms over Goldilocks and the
 * Reed–Solomon encoder the tensor PCS builds on.
 *
 * Conventions (every function here):
 *   - Sizes are powers of two, n = 2^log_n with 0 <= log_n <= CAIRN_NTT_MAX_LOG_N
 *     (the 2-adicity of p - 1, 32).  Sizes up to 2^24 are tested and benchmarked.
 *   - w_n = cairn_fp_root_of_unity(log_n), the fixed primitive n-th root of unity.
 *   - Natural order in and natural order out: data[i] is coefficient i, or the
 *     evaluation at w_n^i.  Nothing is ever left in bit-reversed order.
 *   - Transforms work in place on a caller-owned array of data_len elements.
 *   - A bad size, a zero coset shift or a bad rate returns CAIRN_ERR_ARG and
 *     leaves the data untouched; a failed twiddle allocation returns
 *     CAIRN_ERR_NOMEM, also with the data untouched.  Nothing aborts.
 *
 * Twiddle cache: the first transform of a size computes the twiddle factors it
 * needs (one table per radix-2 stage, 2^(s-1) elements for stage s, so n
 * elements in all for sizes up to n, i.e. the cache weighs as much as the
 * largest array transformed) and keeps them until cairn_ntt_cleanup().
 * Tables are built under a mutex and read-only once published, so any number
 * of threads may run transforms concurrently on distinct arrays.
 *
 * Details, the algorithm and measured figures: docs/ntt.md.
 */
#ifndef CAIRN_NTT_H
#define CAIRN_NTT_H

#include <stddef.h>

#include "cairn/error.h"
#include "cairn/field.h"

/* Largest supported log2 size: the 2-adicity of p - 1. */
#define CAIRN_NTT_MAX_LOG_N CAIRN_FP_TWO_ADICITY

/*
 * Forward NTT: on entry data[i] is the coefficient of x^i of a polynomial f
 * of degree < n; on return data[i] = f(w_n^i), i < n, where n = data_len.
 * data_len must be a power of two, at most 2^CAIRN_NTT_MAX_LOG_N (else
 * CAIRN_ERR_ARG).  Thread safe as above; O(n log n); no allocation beyond
 * the twiddle cache.  err may be NULL.
 */
cairn_status cairn_ntt_forward(cairn_fp *data, size_t data_len, cairn_error *err);

/*
 * Inverse NTT: on entry data[i] = f(w_n^i); on return data[i] is the
 * coefficient of x^i of the unique f of degree < n (the division by n is
 * included).  cairn_ntt_inverse(cairn_ntt_forward(x)) = x.  Same size rules,
 * errors and thread safety as cairn_ntt_forward.
 */
cairn_status cairn_ntt_inverse(cairn_fp *data, size_t data_len, cairn_error *err);

/*
 * Coset NTT: on entry data[i] is the coefficient of x^i of f (degree < n); on
 * return data[i] = f(shift * w_n^i), the evaluations on the coset shift*<w_n>
 * in natural order.  shift must be non-zero (else CAIRN_ERR_ARG); shift = 1
 * is the plain forward NTT.  Same size rules and thread safety as
 * cairn_ntt_forward.
 */
cairn_status cairn_ntt_coset_forward(cairn_fp *data, size_t data_len, cairn_fp shift,
                                     cairn_error *err);

/*
 * Coset interpolation, the inverse of cairn_ntt_coset_forward with the same
 * shift: on entry data[i] = f(shift * w_n^i); on return data[i] is the
 * coefficient of x^i of f.  shift must be non-zero (else CAIRN_ERR_ARG).
 */
cairn_status cairn_ntt_coset_inverse(cairn_fp *data, size_t data_len, cairn_fp shift,
                                     cairn_error *err);

/*
 * Frees every cached twiddle table.  Call it at exit (or in a test, to start
 * from an empty cache).  Not thread safe: no transform may be running in
 * another thread during the call.  A later transform rebuilds what it needs.
 * The cache is otherwise reachable from a static pointer for the whole
 * program, so LeakSanitizer does not report it even without this call.
 */
void cairn_ntt_cleanup(void);

/* ---- Reed–Solomon encoding -------------------------------------------- */

/* How cairn_rs_encode reads its message. */
typedef enum {
    /* msg[i] is the coefficient of x^i of the message polynomial f. */
    CAIRN_RS_COEFFS = 0,
    /* msg[i] = f(w_k^i): evaluations on the size-k subgroup, natural order. */
    CAIRN_RS_EVALS = 1
} cairn_rs_form;

/* Accepted log2 blowup factors (the rate is rho = 2^-log_blowup). */
#define CAIRN_RS_MIN_LOG_BLOWUP 1u
#define CAIRN_RS_MAX_LOG_BLOWUP 4u

/*
 * Reed–Solomon encoding at rate rho = 2^-log_blowup, log_blowup in 1..4
 * (rho = 1/2 .. 1/16; anything else is CAIRN_ERR_ARG).
 *
 * The message is k = msg_len field elements (k a power of two) and defines
 * the polynomial f of degree < k, read as coefficients or as evaluations on
 * the size-k subgroup according to `form`.  The codeword has
 * codeword_len = k << log_blowup = N elements (else CAIRN_ERR_ARG), and
 *     codeword[j] = f(w_N^j),  j < N,
 * the evaluations on the size-N subgroup <w_N> in natural order — the
 * subgroup itself, not a coset.  Since w_N^(2^log_blowup) = w_k, position
 * j = i << log_blowup holds f(w_k^i): with CAIRN_RS_EVALS the code is
 * systematic, the message sits unchanged at every 2^log_blowup-th position.
 *
 * codeword may be the same pointer as msg (the buffer must then hold N
 * elements; the message is read from its first k); otherwise the two must not
 * overlap.  Cost: one size-N transform with the first log_blowup stages
 * replaced by copying (plus a size-k inverse NTT for CAIRN_RS_EVALS).  Same
 * thread safety as the transforms; N must not exceed 2^CAIRN_NTT_MAX_LOG_N.
 */
cairn_status cairn_rs_encode(cairn_fp *codeword, size_t codeword_len, const cairn_fp *msg,
                             size_t msg_len, unsigned log_blowup, cairn_rs_form form,
                             cairn_error *err);

/*
 * One coset of cairn_rs_encode's codeword: with codeword = cairn_rs_encode
 * of (msg, log_blowup, form) and b = log_blowup,
 *     out[i] = codeword[coset + (i << b)] = f(w_N^coset * w_k^i),  i < k,
 * so the 2^b cosets 0 .. 2^b - 1 together are the whole codeword, each one
 * the size-k transform of the message twisted by the powers of w_N^coset.
 * A caller that consumes the codeword position by position (the
 * commitment's column hashes) can encode coset by coset and hold k symbols
 * of a row instead of N.  out_len must equal msg_len and coset must be
 * below 2^b (else CAIRN_ERR_ARG); everything else is as for cairn_rs_encode
 * (its size, rate and form errors, out == msg allowed, any other overlap
 * not).  Cost: k multiplications (none for coset 0) and one size-k forward
 * transform (plus a size-k inverse for CAIRN_RS_EVALS): all 2^b cosets
 * together cost about what the one encoding does.
 */
cairn_status cairn_rs_encode_coset(cairn_fp *out, size_t out_len, const cairn_fp *msg,
                                   size_t msg_len, unsigned log_blowup, size_t coset,
                                   cairn_rs_form form, cairn_error *err);

#endif /* CAIRN_NTT_H */
