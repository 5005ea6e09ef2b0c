/*
 * cairn/simd.h — vector kernels for the hot Goldilocks loops, behind one
 * dispatch chosen once at start-up (BLAKE3's layout).
 *
 * A kernel set holds element-wise operations on arrays of canonical
 * elements, the NTT butterflies, the multilinear folds (extension and base
 * tables), the doubling step of an eq table and the first four stages of
 * an NTT on blocks of 16.  Three sets exist: the portable one
 * (plain C, always built, the reference every other set is tested
 * against), AVX2 and AVX-512 (x86-64 only, compiled with per-function
 * target attributes so the rest of the library needs no special flags).
 * cairn_simd_kernels() returns the best set the CPU supports, chosen by
 * CPUID on first use; the environment variable CAIRN_SIMD
 * (portable, avx2 or avx512) forces a set for debugging, falling back to
 * the best supported one when the named set is not available.  Every set
 * gives bit-identical results on canonical inputs: outputs are canonical.
 *
 * Arrays may alias exactly (out == a) but must not otherwise overlap.
 */
#ifndef CAIRN_SIMD_H
#define CAIRN_SIMD_H

#include <stddef.h>

#include "cairn/field.h"

typedef struct {
    const char *name; /* "portable", "avx2", "avx512" */
    /* out[i] = a[i] * b[i] */
    void (*mul)(cairn_fp *out, const cairn_fp *a, const cairn_fp *b, size_t len);
    /* out[i] = a[i] + b[i] */
    void (*add)(cairn_fp *out, const cairn_fp *a, const cairn_fp *b, size_t len);
    /* out[i] = a[i] - b[i] */
    void (*sub)(cairn_fp *out, const cairn_fp *a, const cairn_fp *b, size_t len);
    /* out[i] = a[i] * c */
    void (*scale)(cairn_fp *out, const cairn_fp *a, cairn_fp c, size_t len);
    /* radix-2 butterflies: (lo[i], hi[i]) <- (lo[i] + t[i] hi[i], lo[i] - t[i] hi[i]) */
    void (*butterfly)(cairn_fp *lo, cairn_fp *hi, const cairn_fp *t, size_t len);
    /*
     * radix-4 (two decimation-in-time stages), for i < len with the stage-s
     * twiddles t1 and the stage-(s+1) twiddles t2a = t2[j], t2b = t2[j + h]:
     *   m1 = x1 t1, m3 = x3 t1, b0 = x0 + m1, b1 = x0 - m1, b2 = x2 + m3,
     *   b3 = x2 - m3, n2 = b2 t2a, n3 = b3 t2b,
     *   x0 = b0 + n2, x2 = b0 - n2, x1 = b1 + n3, x3 = b1 - n3.
     */
    void (*butterfly4)(cairn_fp *x0, cairn_fp *x1, cairn_fp *x2, cairn_fp *x3, const cairn_fp *t1,
                       const cairn_fp *t2a, const cairn_fp *t2b, size_t len);
    /*
     * The multilinear fold of an extension table: out[j] = in[2j] +
     * c (in[2j+1] - in[2j]) for j < len.  out may be in itself (each output
     * is written after the inputs it and the earlier outputs read); any
     * other overlap is not allowed.
     */
    void (*fold2)(cairn_fp2 *out, const cairn_fp2 *in, size_t len, cairn_fp2 c);
    /*
     * The multilinear fold of a base-field table into the extension:
     * out[j] = in[2j] + c (in[2j+1] - in[2j]) for j < len (no overlap).
     */
    void (*fold1)(cairn_fp2 *out, const cairn_fp *in, size_t len, cairn_fp2 c);
    /*
     * One doubling level of an eq table: hi[i] = lo[i] r, then
     * lo[i] = lo[i] - hi[i] (= lo[i] (1 - r)), for i < len (no overlap).
     */
    void (*eq2)(cairn_fp2 *lo, cairn_fp2 *hi, size_t len, cairn_fp2 r);
    /*
     * The first four decimation-in-time stages of an NTT on every aligned
     * block of 16 of x (len a multiple of 16, each block in bit-reversed
     * order): stage 1 (twiddle 1), stage 2 (1 and w4 = t2[1]), then stages
     * 3 and 4 as the radix-4 step of butterfly4 with h = 4, t1 = t3[0..3],
     * t2a = t4[0..3], t2b = t4[4..7].
     */
    void (*ntt16)(cairn_fp *x, size_t len, const cairn_fp *t2, const cairn_fp *t3,
                  const cairn_fp *t4);
} cairn_simd_set;

/* The set chosen for this process (never NULL; chosen once, thread safe). */
const cairn_simd_set *cairn_simd_kernels(void);

/*
 * Make `set` the chosen set (NULL: choose again from the CPU and
 * CAIRN_SIMD).  For tests and debugging; no kernel may be running.
 */
void cairn_simd_use(const cairn_simd_set *set);

/* The portable set (always available). */
const cairn_simd_set *cairn_simd_portable(void);

/* The AVX2 / AVX-512 sets, or NULL when the CPU or the compiler lacks them. */
const cairn_simd_set *cairn_simd_avx2(void);
const cairn_simd_set *cairn_simd_avx512(void);

#endif /* CAIRN_SIMD_H */
