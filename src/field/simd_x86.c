/*
 * simd_x86.c — the AVX2 (4 lanes) and AVX-512 (8 lanes) kernel sets of
 * include/cairn/simd.h.  Each function carries its own target attribute,
 * so this file builds with the library's ordinary flags and its code only
 * runs after cairn_simd_avx2/avx512 have checked the CPU (CPUID and the
 * operating system's register state, through __builtin_cpu_supports).
 *
 * Arithmetic per lane is the scalar algorithm of cairn/field.h: the 64x64
 * product from four 32x32 products (vpmuludq), then the reduction of
 * hi * 2^64 + lo with 2^64 = 2^32 - 1 and 2^96 = -1 (mod p), the carries
 * and borrows applied with masks; every output is canonical, so each lane
 * equals the portable kernel's result bit for bit.  AVX2 has no unsigned
 * 64-bit comparison: x < y is computed as a signed comparison of
 * x ^ 2^63 and y ^ 2^63.  Tails shorter than a vector use the scalar ops.
 *
 * Reference: the vectorised Goldilocks multiplication of Plonky2/Plonky3
 * (the same split into 32-bit halves), written here from the scalar code.
 */
#include "cairn/simd.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(CAIRN_NO_SIMD)

#include <immintrin.h>

#define EPS CAIRN_FP_EPS
#define P CAIRN_FP_P

/*
 * The kernel loops of one set, from its vector type V, width W, target
 * attribute T, load/store, the three lane operations and a broadcast: full
 * vectors first, the tail with the portable kernels.
 */
#define SIMD_SET(NAME, V, W, T, LD, ST, MUL, ADD, SUB, SET1, FOLD2, FOLD1, EQ2, NTT16)          \
    static T void NAME##_mul(cairn_fp *out, const cairn_fp *a, const cairn_fp *b, size_t len)   \
    {                                                                                           \
        size_t i = 0;                                                                           \
        for (; i + W <= len; i += W)                                                            \
            ST(out + i, MUL(LD(a + i), LD(b + i)));                                             \
        cairn_simd_portable()->mul(out + i, a + i, b + i, len - i);                             \
    }                                                                                           \
    static T void NAME##_add(cairn_fp *out, const cairn_fp *a, const cairn_fp *b, size_t len)   \
    {                                                                                           \
        size_t i = 0;                                                                           \
        for (; i + W <= len; i += W)                                                            \
            ST(out + i, ADD(LD(a + i), LD(b + i)));                                             \
        cairn_simd_portable()->add(out + i, a + i, b + i, len - i);                             \
    }                                                                                           \
    static T void NAME##_sub(cairn_fp *out, const cairn_fp *a, const cairn_fp *b, size_t len)   \
    {                                                                                           \
        size_t i = 0;                                                                           \
        for (; i + W <= len; i += W)                                                            \
            ST(out + i, SUB(LD(a + i), LD(b + i)));                                             \
        cairn_simd_portable()->sub(out + i, a + i, b + i, len - i);                             \
    }                                                                                           \
    static T void NAME##_scale(cairn_fp *out, const cairn_fp *a, cairn_fp c, size_t len)        \
    {                                                                                           \
        size_t i = 0;                                                                           \
        V cv = SET1((long long)c.v);                                                            \
        for (; i + W <= len; i += W)                                                            \
            ST(out + i, MUL(LD(a + i), cv));                                                    \
        cairn_simd_portable()->scale(out + i, a + i, c, len - i);                               \
    }                                                                                           \
    static T void NAME##_butterfly(cairn_fp *lo, cairn_fp *hi, const cairn_fp *t, size_t len)   \
    {                                                                                           \
        size_t i = 0;                                                                           \
        for (; i + W <= len; i += W) {                                                          \
            V a = LD(lo + i), m = MUL(LD(hi + i), LD(t + i));                                   \
            ST(lo + i, ADD(a, m));                                                              \
            ST(hi + i, SUB(a, m));                                                              \
        }                                                                                       \
        cairn_simd_portable()->butterfly(lo + i, hi + i, t + i, len - i);                       \
    }                                                                                           \
    static T void NAME##_butterfly4(cairn_fp *x0, cairn_fp *x1, cairn_fp *x2, cairn_fp *x3,     \
                                    const cairn_fp *t1, const cairn_fp *t2a, const cairn_fp *t2b, \
                                    size_t len)                                                 \
    {                                                                                           \
        size_t i = 0;                                                                           \
        for (; i + W <= len; i += W) {                                                          \
            V w = LD(t1 + i);                                                                   \
            V m1 = MUL(LD(x1 + i), w), m3 = MUL(LD(x3 + i), w);                                 \
            V a0 = LD(x0 + i), a2 = LD(x2 + i);                                                 \
            V b0 = ADD(a0, m1), b1 = SUB(a0, m1), b2 = ADD(a2, m3), b3 = SUB(a2, m3);           \
            V n2 = MUL(b2, LD(t2a + i)), n3 = MUL(b3, LD(t2b + i));                             \
            ST(x0 + i, ADD(b0, n2));                                                            \
            ST(x2 + i, SUB(b0, n2));                                                            \
            ST(x1 + i, ADD(b1, n3));                                                            \
            ST(x3 + i, SUB(b1, n3));                                                            \
        }                                                                                       \
        cairn_simd_portable()->butterfly4(x0 + i, x1 + i, x2 + i, x3 + i, t1 + i, t2a + i,      \
                                          t2b + i, len - i);                                    \
    }                                                                                           \
    static const cairn_simd_set NAME##_set = {#NAME,        NAME##_mul,      NAME##_add,       \
                                              NAME##_sub,   NAME##_scale,    NAME##_butterfly, \
                                              NAME##_butterfly4, FOLD2,        FOLD1,            \
                                              EQ2,          NTT16};

/* ---- AVX2 ------------------------------------------------------------------ */

#define T2 __attribute__((target("avx2")))

/* x < y as unsigned 64-bit lanes: all ones where true. */
static inline T2 __m256i lt2(__m256i x, __m256i y)
{
    const __m256i sign = _mm256_set1_epi64x((long long)(UINT64_C(1) << 63));
    return _mm256_cmpgt_epi64(_mm256_xor_si256(y, sign), _mm256_xor_si256(x, sign));
}

/*
 * a + b for canonical a, b: with nb = p - b, the sum is a - nb when a >= nb
 * and a + b otherwise.  Both the comparison and a - nb use the words with
 * the sign bit flipped (nbs = nb ^ 2^63 = (p ^ 2^63) - b, as = a ^ 2^63),
 * so a signed comparison orders them and as - nbs = a - nb.
 */
static inline T2 __m256i add2(__m256i a, __m256i b)
{
    const __m256i sign = _mm256_set1_epi64x((long long)(UINT64_C(1) << 63));
    const __m256i ps = _mm256_set1_epi64x((long long)(P ^ (UINT64_C(1) << 63)));
    __m256i nbs = _mm256_sub_epi64(ps, b), as = _mm256_xor_si256(a, sign);
    __m256i lt = _mm256_cmpgt_epi64(nbs, as); /* a < nb: no wrap */
    return _mm256_blendv_epi8(_mm256_sub_epi64(as, nbs), _mm256_add_epi64(a, b), lt);
}

static inline T2 __m256i sub2(__m256i a, __m256i b)
{
    const __m256i eps = _mm256_set1_epi64x((long long)EPS);
    __m256i d = _mm256_sub_epi64(a, b);
    return _mm256_sub_epi64(d, _mm256_and_si256(lt2(a, b), eps));
}

/*
 * The low word of the 128-bit product is assembled with one dword blend,
 * and hlo (2^32 - 1) (hlo the low half of the high word) is one more
 * vpmuludq of hi by 2^32 - 1; the final comparison with p uses the
 * sign-flipped constant.
 */
static inline T2 __m256i mul2(__m256i a, __m256i b)
{
    const __m256i m32 = _mm256_set1_epi64x((long long)EPS);
    const __m256i eps = m32, p = _mm256_set1_epi64x((long long)P);
    const __m256i sign = _mm256_set1_epi64x((long long)(UINT64_C(1) << 63));
    const __m256i ps = _mm256_set1_epi64x((long long)(P ^ (UINT64_C(1) << 63)));
    __m256i ah = _mm256_srli_epi64(a, 32), bh = _mm256_srli_epi64(b, 32);
    __m256i ll = _mm256_mul_epu32(a, b), lh = _mm256_mul_epu32(a, bh);
    __m256i hl = _mm256_mul_epu32(ah, b), hh = _mm256_mul_epu32(ah, bh);
    __m256i mid = _mm256_add_epi64(lh, _mm256_srli_epi64(ll, 32));
    __m256i mid2 = _mm256_add_epi64(hl, _mm256_and_si256(mid, m32));
    __m256i lo = _mm256_blend_epi32(ll, _mm256_slli_epi64(mid2, 32), 0xAA);
    __m256i hi = _mm256_add_epi64(hh, _mm256_add_epi64(_mm256_srli_epi64(mid, 32),
                                                       _mm256_srli_epi64(mid2, 32)));
    /* reduce hi * 2^64 + lo */
    __m256i hhi = _mm256_srli_epi64(hi, 32);
    __m256i t0 = _mm256_sub_epi64(lo, hhi);
    t0 = _mm256_sub_epi64(t0, _mm256_and_si256(lt2(lo, hhi), eps));
    __m256i t1 = _mm256_mul_epu32(hi, m32);
    __m256i s = _mm256_add_epi64(t0, t1);
    s = _mm256_add_epi64(s, _mm256_and_si256(lt2(s, t0), eps));
    __m256i below = _mm256_cmpgt_epi64(ps, _mm256_xor_si256(s, sign));
    return _mm256_sub_epi64(s, _mm256_andnot_si256(below, p));
}

static inline T2 __m256i ld2(const cairn_fp *x) { return _mm256_loadu_si256((const __m256i *)x); }
static inline T2 void st2(cairn_fp *x, __m256i v) { _mm256_storeu_si256((__m256i *)x, v); }

/* The AVX2 folds and eq step: pairs split into coordinate vectors by unpacks or a transpose. */
/*
 * (v0, v1, v2, v3) <- their 4 x 4 transpose: lane k of the output r holds
 * lane r of input k.  Two unpacks per pair of rows, then the 128-bit halves.
 */
static inline T2 void transpose4(__m256i *v0, __m256i *v1, __m256i *v2, __m256i *v3)
{
    __m256i t0 = _mm256_unpacklo_epi64(*v0, *v1), t1 = _mm256_unpackhi_epi64(*v0, *v1);
    __m256i t2 = _mm256_unpacklo_epi64(*v2, *v3), t3 = _mm256_unpackhi_epi64(*v2, *v3);
    *v0 = _mm256_permute2x128_si256(t0, t2, 0x20);
    *v1 = _mm256_permute2x128_si256(t1, t3, 0x20);
    *v2 = _mm256_permute2x128_si256(t0, t2, 0x31);
    *v3 = _mm256_permute2x128_si256(t1, t3, 0x31);
}

/*
 * Four outputs per iteration: vector k holds pair k, (lo.c0, lo.c1, hi.c0,
 * hi.c1); a 4 x 4 transpose gives the four coordinates as vectors, c d is
 * (c0 d0 + 7 c1 d1, c0 d1 + c1 d0) lane-wise, and the two result vectors
 * are interleaved back into (c0, c1) pairs.  All four inputs are loaded
 * before the two outputs are stored, so out == in works.
 */
static T2 void avx2_fold2(cairn_fp2 *out, const cairn_fp2 *in, size_t len, cairn_fp2 c)
{
    const __m256i k0 = _mm256_set1_epi64x((long long)c.c0.v);
    const __m256i k1 = _mm256_set1_epi64x((long long)c.c1.v);
    const __m256i k1w = _mm256_set1_epi64x((long long)cairn_fp_mul_w(c.c1).v);
    size_t j = 0;
    for (; j + 4 <= len; j += 4) {
        const cairn_fp *x = &in[2 * j].c0;
        __m256i v0 = ld2(x), v1 = ld2(x + 4), v2 = ld2(x + 8), v3 = ld2(x + 12);
        transpose4(&v0, &v1, &v2, &v3);
        __m256i d0 = sub2(v2, v0), d1 = sub2(v3, v1);
        __m256i r0 = add2(v0, add2(mul2(d0, k0), mul2(d1, k1w)));
        __m256i r1 = add2(v1, add2(mul2(d1, k0), mul2(d0, k1)));
        __m256i lo = _mm256_unpacklo_epi64(r0, r1), hi = _mm256_unpackhi_epi64(r0, r1);
        _mm256_storeu_si256((__m256i *)(void *)(out + j), _mm256_permute2x128_si256(lo, hi, 0x20));
        _mm256_storeu_si256((__m256i *)(void *)(out + j + 2),
                            _mm256_permute2x128_si256(lo, hi, 0x31));
    }
    cairn_simd_portable()->fold2(out + j, in + 2 * j, len - j, c);
}

/*
 * Four outputs per iteration from eight base entries: two unpacks give lo
 * and hi of the four pairs in the lane order (0, 2, 1, 3), d = hi - lo,
 * c0 = lo + c.c0 d and c1 = c.c1 d lane-wise, and two unpacks of (c0, c1)
 * put the outputs back in order as (c0, c1) pairs.
 */
static T2 void avx2_fold1(cairn_fp2 *out, const cairn_fp *in, size_t len, cairn_fp2 c)
{
    const __m256i k0 = _mm256_set1_epi64x((long long)c.c0.v);
    const __m256i k1 = _mm256_set1_epi64x((long long)c.c1.v);
    size_t j = 0;
    for (; j + 4 <= len; j += 4) {
        __m256i a = ld2(in + 2 * j), b = ld2(in + 2 * j + 4);
        __m256i lo = _mm256_unpacklo_epi64(a, b), hi = _mm256_unpackhi_epi64(a, b);
        __m256i d = sub2(hi, lo);
        __m256i r0 = add2(lo, mul2(d, k0)), r1 = mul2(d, k1);
        _mm256_storeu_si256((__m256i *)(void *)(out + j), _mm256_unpacklo_epi64(r0, r1));
        _mm256_storeu_si256((__m256i *)(void *)(out + j + 2), _mm256_unpackhi_epi64(r0, r1));
    }
    cairn_simd_portable()->fold1(out + j, in + 2 * j, len - j, c);
}

/*
 * Four entries per iteration: two unpacks split the two vectors of (c0, c1)
 * pairs into the c0 and c1 coordinates (lane order 0, 2, 1, 3), h = x r and
 * x - h are formed lane-wise, and two unpacks per result restore the pairs.
 */
static T2 void avx2_eq2(cairn_fp2 *lo, cairn_fp2 *hi, size_t len, cairn_fp2 r)
{
    const __m256i r0 = _mm256_set1_epi64x((long long)r.c0.v);
    const __m256i r1 = _mm256_set1_epi64x((long long)r.c1.v);
    const __m256i r1w = _mm256_set1_epi64x((long long)cairn_fp_mul_w(r.c1).v);
    size_t i = 0;
    for (; i + 4 <= len; i += 4) {
        __m256i a = ld2(&lo[i].c0), b = ld2(&lo[i + 2].c0);
        __m256i x0 = _mm256_unpacklo_epi64(a, b), x1 = _mm256_unpackhi_epi64(a, b);
        __m256i h0 = add2(mul2(x0, r0), mul2(x1, r1w)), h1 = add2(mul2(x0, r1), mul2(x1, r0));
        __m256i l0 = sub2(x0, h0), l1 = sub2(x1, h1);
        st2(&hi[i].c0, _mm256_unpacklo_epi64(h0, h1));
        st2(&hi[i + 2].c0, _mm256_unpackhi_epi64(h0, h1));
        st2(&lo[i].c0, _mm256_unpacklo_epi64(l0, l1));
        st2(&lo[i + 2].c0, _mm256_unpackhi_epi64(l0, l1));
    }
    cairn_simd_portable()->eq2(lo + i, hi + i, len - i, r);
}

/*
 * A block of 16 is four vectors, row r = elements 4r..4r+3.  Transposed,
 * vector k holds element k of every row, so stages 1 and 2 (distances 1
 * and 2 inside a row) become lane-wise butterflies between vectors;
 * transposed back, stages 3 and 4 (distances 4 and 8) pair whole rows and
 * are the radix-4 step of butterfly4 on one vector each.
 */
static T2 void avx2_ntt16(cairn_fp *x, size_t len, const cairn_fp *t2, const cairn_fp *t3,
                          const cairn_fp *t4)
{
    const __m256i w4 = _mm256_set1_epi64x((long long)t2[1].v);
    const __m256i u1 = ld2(t3), u2a = ld2(t4), u2b = ld2(t4 + 4);
    for (size_t i = 0; i + 16 <= len; i += 16) {
        __m256i v0 = ld2(x + i), v1 = ld2(x + i + 4), v2 = ld2(x + i + 8), v3 = ld2(x + i + 12);
        transpose4(&v0, &v1, &v2, &v3);
        __m256i b0 = add2(v0, v1), b1 = sub2(v0, v1);
        __m256i b2 = add2(v2, v3), b3 = mul2(sub2(v2, v3), w4);
        v0 = add2(b0, b2);
        v2 = sub2(b0, b2);
        v1 = add2(b1, b3);
        v3 = sub2(b1, b3);
        transpose4(&v0, &v1, &v2, &v3);
        __m256i m1 = mul2(v1, u1), m3 = mul2(v3, u1);
        b0 = add2(v0, m1);
        b1 = sub2(v0, m1);
        b2 = add2(v2, m3);
        b3 = sub2(v2, m3);
        __m256i n2 = mul2(b2, u2a), n3 = mul2(b3, u2b);
        st2(x + i, add2(b0, n2));
        st2(x + i + 8, sub2(b0, n2));
        st2(x + i + 4, add2(b1, n3));
        st2(x + i + 12, sub2(b1, n3));
    }
}

SIMD_SET(avx2, __m256i, 4, T2, ld2, st2, mul2, add2, sub2, _mm256_set1_epi64x, avx2_fold2,
         avx2_fold1, avx2_eq2, avx2_ntt16)

const cairn_simd_set *cairn_simd_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? &avx2_set : NULL;
}

/* ---- AVX-512 ------------------------------------------------------------------- */

#define T5 __attribute__((target("avx512f")))

static inline T5 __m512i add5(__m512i a, __m512i b)
{
    const __m512i eps = _mm512_set1_epi64((long long)EPS), p = _mm512_set1_epi64((long long)P);
    __m512i s = _mm512_add_epi64(a, b);
    s = _mm512_mask_add_epi64(s, _mm512_cmplt_epu64_mask(s, a), s, eps);
    return _mm512_mask_sub_epi64(s, _mm512_cmpge_epu64_mask(s, p), s, p);
}

static inline T5 __m512i sub5(__m512i a, __m512i b)
{
    const __m512i eps = _mm512_set1_epi64((long long)EPS);
    __m512i d = _mm512_sub_epi64(a, b);
    return _mm512_mask_sub_epi64(d, _mm512_cmplt_epu64_mask(a, b), d, eps);
}

static inline T5 __m512i mul5(__m512i a, __m512i b)
{
    const __m512i m32 = _mm512_set1_epi64((long long)EPS);
    const __m512i eps = m32, p = _mm512_set1_epi64((long long)P);
    __m512i ah = _mm512_srli_epi64(a, 32), bh = _mm512_srli_epi64(b, 32);
    __m512i ll = _mm512_mul_epu32(a, b), lh = _mm512_mul_epu32(a, bh);
    __m512i hl = _mm512_mul_epu32(ah, b), hh = _mm512_mul_epu32(ah, bh);
    __m512i mid = _mm512_add_epi64(lh, _mm512_srli_epi64(ll, 32));
    __m512i mid2 = _mm512_add_epi64(hl, _mm512_and_si512(mid, m32));
    __m512i lo = _mm512_or_si512(_mm512_slli_epi64(mid2, 32), _mm512_and_si512(ll, m32));
    __m512i hi = _mm512_add_epi64(hh, _mm512_add_epi64(_mm512_srli_epi64(mid, 32),
                                                       _mm512_srli_epi64(mid2, 32)));
    __m512i hhi = _mm512_srli_epi64(hi, 32), hlo = _mm512_and_si512(hi, m32);
    __m512i t0 = _mm512_sub_epi64(lo, hhi);
    t0 = _mm512_mask_sub_epi64(t0, _mm512_cmplt_epu64_mask(lo, hhi), t0, eps);
    __m512i t1 = _mm512_sub_epi64(_mm512_slli_epi64(hlo, 32), hlo);
    __m512i s = _mm512_add_epi64(t0, t1);
    s = _mm512_mask_add_epi64(s, _mm512_cmplt_epu64_mask(s, t0), s, eps);
    return _mm512_mask_sub_epi64(s, _mm512_cmpge_epu64_mask(s, p), s, p);
}

static inline T5 __m512i ld5(const cairn_fp *x) { return _mm512_loadu_si512((const void *)x); }
static inline T5 void st5(cairn_fp *x, __m512i v) { _mm512_storeu_si512((void *)x, v); }

/*
 * Four outputs per iteration from eight inputs (two vectors of four (c0, c1)
 * pairs): the lo and hi entries are gathered with two-source permutes,
 * d = hi - lo coordinate-wise, and c d = (c0 d0 + 7 c1 d1, c0 d1 + c1 d0) is
 * d * (c0, c0) + swap(d) * (7 c1, c1), the swap exchanging the two words of
 * each pair.  All eight inputs are loaded before the four outputs are
 * stored, so out == in works as the contract says.
 */
static T5 void avx512_fold2(cairn_fp2 *out, const cairn_fp2 *in, size_t len, cairn_fp2 c)
{
    const __m512i lo_ix = _mm512_set_epi64(13, 12, 9, 8, 5, 4, 1, 0);
    const __m512i hi_ix = _mm512_set_epi64(15, 14, 11, 10, 7, 6, 3, 2);
    const __m512i c0 = _mm512_set1_epi64((long long)c.c0.v);
    cairn_fp c1w = cairn_fp_mul_w(c.c1);
    const __m512i cw = _mm512_set_epi64((long long)c.c1.v, (long long)c1w.v, (long long)c.c1.v,
                                        (long long)c1w.v, (long long)c.c1.v, (long long)c1w.v,
                                        (long long)c.c1.v, (long long)c1w.v);
    size_t j = 0;
    for (; j + 4 <= len; j += 4) {
        __m512i a = _mm512_loadu_si512((const void *)(in + 2 * j));
        __m512i b = _mm512_loadu_si512((const void *)(in + 2 * j + 4));
        __m512i lo = _mm512_permutex2var_epi64(a, lo_ix, b);
        __m512i hi = _mm512_permutex2var_epi64(a, hi_ix, b);
        __m512i d = sub5(hi, lo);
        __m512i ds = _mm512_shuffle_epi32(d, _MM_PERM_BADC);
        __m512i r = add5(lo, add5(mul5(d, c0), mul5(ds, cw)));
        _mm512_storeu_si512((void *)(out + j), r);
    }
    cairn_simd_portable()->fold2(out + j, in + 2 * j, len - j, c);
}

/* (c1 w, c1) in every pair of lanes: the second factor of c d = d (c0, c0) + swap(d) (7 c1, c1). */
static inline T5 __m512i pair_w(cairn_fp2 c)
{
    cairn_fp c1w = cairn_fp_mul_w(c.c1);
    return _mm512_set_epi64((long long)c.c1.v, (long long)c1w.v, (long long)c.c1.v,
                            (long long)c1w.v, (long long)c.c1.v, (long long)c1w.v,
                            (long long)c.c1.v, (long long)c1w.v);
}

/* Four extension products x c at once (x as four (c0, c1) pairs). */
static inline T5 __m512i mul2x5(__m512i x, __m512i c0, __m512i cw)
{
    __m512i xs = _mm512_shuffle_epi32(x, _MM_PERM_BADC);
    return add5(mul5(x, c0), mul5(xs, cw));
}

/*
 * Four outputs per iteration from eight base entries: lo and hi duplicated
 * into both words of each pair by one permute each, d = hi - lo, c d as
 * (c0 d, c1 d) by one lane-wise product with (c0, c1, c0, c1, ...), and lo
 * added to the first word of each pair only.
 */
static T5 void avx512_fold1(cairn_fp2 *out, const cairn_fp *in, size_t len, cairn_fp2 c)
{
    const __m512i lo_ix = _mm512_set_epi64(6, 6, 4, 4, 2, 2, 0, 0);
    const __m512i hi_ix = _mm512_set_epi64(7, 7, 5, 5, 3, 3, 1, 1);
    const __m512i cc = _mm512_set_epi64((long long)c.c1.v, (long long)c.c0.v, (long long)c.c1.v,
                                        (long long)c.c0.v, (long long)c.c1.v, (long long)c.c0.v,
                                        (long long)c.c1.v, (long long)c.c0.v);
    size_t j = 0;
    for (; j + 4 <= len; j += 4) {
        __m512i a = _mm512_loadu_si512((const void *)(in + 2 * j));
        __m512i lo = _mm512_permutexvar_epi64(lo_ix, a);
        __m512i hi = _mm512_permutexvar_epi64(hi_ix, a);
        __m512i r = mul5(sub5(hi, lo), cc);
        r = add5(r, _mm512_maskz_mov_epi64((__mmask8)0x55, lo));
        _mm512_storeu_si512((void *)(out + j), r);
    }
    cairn_simd_portable()->fold1(out + j, in + 2 * j, len - j, c);
}

/* Four entries per iteration: hi = lo r, lo = lo - hi. */
static T5 void avx512_eq2(cairn_fp2 *lo, cairn_fp2 *hi, size_t len, cairn_fp2 r)
{
    const __m512i r0 = _mm512_set1_epi64((long long)r.c0.v), rw = pair_w(r);
    size_t i = 0;
    for (; i + 4 <= len; i += 4) {
        __m512i x = _mm512_loadu_si512((const void *)(lo + i));
        __m512i h = mul2x5(x, r0, rw);
        _mm512_storeu_si512((void *)(hi + i), h);
        _mm512_storeu_si512((void *)(lo + i), sub5(x, h));
    }
    cairn_simd_portable()->eq2(lo + i, hi + i, len - i, r);
}

/*
 * The AVX-512 set takes the AVX2 ntt16 (every CPU with AVX-512F has AVX2,
 * and cairn_simd_avx512 checks both): a block of 16 is two 8-lane vectors,
 * whose in-register transposes cost more shuffles than the 4 x 4 one.
 */
SIMD_SET(avx512, __m512i, 8, T5, ld5, st5, mul5, add5, sub5, _mm512_set1_epi64, avx512_fold2,
         avx512_fold1, avx512_eq2, avx2_ntt16)

const cairn_simd_set *cairn_simd_avx512(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2") ? &avx512_set
                                                                               : NULL;
}

#else /* no x86-64 SIMD: only the portable set exists */

const cairn_simd_set *cairn_simd_avx2(void) { return NULL; }
const cairn_simd_set *cairn_simd_avx512(void) { return NULL; }

#endif
