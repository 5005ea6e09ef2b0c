/*
 * simd.c — the portable kernel set of include/cairn/simd.h and the
 * start-up dispatch.  The portable kernels are plain loops over the
 * branch-free field operations of cairn/field.h; they are the reference
 * the AVX2 and AVX-512 sets (simd_x86.c) are tested against.
 *
 * The choice is made once, on the first call of cairn_simd_kernels, and
 * published through an atomic pointer: every later call is one load.
 * Concurrent first calls compute the same choice, so the race is benign.
 */
#include "cairn/simd.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static void p_mul(cairn_fp *out, const cairn_fp *a, const cairn_fp *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        out[i] = cairn_fp_mul(a[i], b[i]);
}

static void p_add(cairn_fp *out, const cairn_fp *a, const cairn_fp *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        out[i] = cairn_fp_add(a[i], b[i]);
}

static void p_sub(cairn_fp *out, const cairn_fp *a, const cairn_fp *b, size_t len)
{
    for (size_t i = 0; i < len; i++)
        out[i] = cairn_fp_sub(a[i], b[i]);
}

static void p_scale(cairn_fp *out, const cairn_fp *a, cairn_fp c, size_t len)
{
    for (size_t i = 0; i < len; i++)
        out[i] = cairn_fp_mul(a[i], c);
}

static void p_butterfly(cairn_fp *lo, cairn_fp *hi, const cairn_fp *t, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        cairn_fp a = lo[i], m = cairn_fp_mul(hi[i], t[i]);
        lo[i] = cairn_fp_add(a, m);
        hi[i] = cairn_fp_sub(a, m);
    }
}

static void p_butterfly4(cairn_fp *x0, cairn_fp *x1, cairn_fp *x2, cairn_fp *x3, const cairn_fp *t1,
                         const cairn_fp *t2a, const cairn_fp *t2b, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        cairn_fp m1 = cairn_fp_mul(x1[i], t1[i]), m3 = cairn_fp_mul(x3[i], t1[i]);
        cairn_fp b0 = cairn_fp_add(x0[i], m1), b1 = cairn_fp_sub(x0[i], m1);
        cairn_fp b2 = cairn_fp_add(x2[i], m3), b3 = cairn_fp_sub(x2[i], m3);
        cairn_fp n2 = cairn_fp_mul(b2, t2a[i]), n3 = cairn_fp_mul(b3, t2b[i]);
        x0[i] = cairn_fp_add(b0, n2);
        x2[i] = cairn_fp_sub(b0, n2);
        x1[i] = cairn_fp_add(b1, n3);
        x3[i] = cairn_fp_sub(b1, n3);
    }
}

static void p_fold2(cairn_fp2 *out, const cairn_fp2 *in, size_t len, cairn_fp2 c)
{
    for (size_t j = 0; j < len; j++) {
        cairn_fp2 lo = in[2 * j], hi = in[2 * j + 1];
        out[j] = cairn_fp2_add(lo, cairn_fp2_mul(c, cairn_fp2_sub(hi, lo)));
    }
}

static void p_fold1(cairn_fp2 *out, const cairn_fp *in, size_t len, cairn_fp2 c)
{
    for (size_t j = 0; j < len; j++) {
        cairn_fp lo = in[2 * j], hi = in[2 * j + 1];
        out[j] = cairn_fp2_add(cairn_fp2_from_fp(lo), cairn_fp2_mul_fp(c, cairn_fp_sub(hi, lo)));
    }
}

static void p_eq2(cairn_fp2 *lo, cairn_fp2 *hi, size_t len, cairn_fp2 r)
{
    for (size_t i = 0; i < len; i++) {
        cairn_fp2 h = cairn_fp2_mul(lo[i], r);
        hi[i] = h;
        lo[i] = cairn_fp2_sub(lo[i], h);
    }
}

static void p_ntt16(cairn_fp *x, size_t len, const cairn_fp *t2, const cairn_fp *t3,
                    const cairn_fp *t4)
{
    cairn_fp w4 = t2[1];
    for (size_t i = 0; i < len; i += 16) {
        cairn_fp *y = x + i;
        for (size_t q = 0; q < 16; q += 4) {
            cairn_fp b0 = cairn_fp_add(y[q], y[q + 1]), b1 = cairn_fp_sub(y[q], y[q + 1]);
            cairn_fp b2 = cairn_fp_add(y[q + 2], y[q + 3]);
            cairn_fp b3 = cairn_fp_mul(cairn_fp_sub(y[q + 2], y[q + 3]), w4);
            y[q] = cairn_fp_add(b0, b2);
            y[q + 2] = cairn_fp_sub(b0, b2);
            y[q + 1] = cairn_fp_add(b1, b3);
            y[q + 3] = cairn_fp_sub(b1, b3);
        }
        p_butterfly4(y, y + 4, y + 8, y + 12, t3, t4, t4 + 4, 4);
    }
}

static const cairn_simd_set portable_set = {"portable", p_mul,       p_add,        p_sub,
                                            p_scale,    p_butterfly, p_butterfly4, p_fold2,
                                            p_fold1,    p_eq2,       p_ntt16};

const cairn_simd_set *cairn_simd_portable(void) { return &portable_set; }

static _Atomic(const cairn_simd_set *) chosen;

/*
 * The best set the CPU supports, unless CAIRN_SIMD names another
 * (portable, avx2, avx512); a named set the CPU lacks falls back to the best.
 */
static const cairn_simd_set *choose(void)
{
    const cairn_simd_set *best = cairn_simd_avx512();
    if (best == NULL)
        best = cairn_simd_avx2();
    if (best == NULL)
        best = &portable_set;
    const char *env = getenv("CAIRN_SIMD");
    if (env == NULL)
        return best;
    if (strcmp(env, "portable") == 0)
        return &portable_set;
    if (strcmp(env, "avx2") == 0 && cairn_simd_avx2() != NULL)
        return cairn_simd_avx2();
    if (strcmp(env, "avx512") == 0 && cairn_simd_avx512() != NULL)
        return cairn_simd_avx512();
    return best;
}

const cairn_simd_set *cairn_simd_kernels(void)
{
    const cairn_simd_set *k = atomic_load_explicit(&chosen, memory_order_acquire);
    if (k == NULL) {
        k = choose();
        atomic_store_explicit(&chosen, k, memory_order_release);
    }
    return k;
}

void cairn_simd_use(const cairn_simd_set *set)
{
    atomic_store_explicit(&chosen, set != NULL ? set : choose(), memory_order_release);
}
