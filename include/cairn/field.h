/*
 * cairn/field.h — the Goldilocks field F_p, p = 2^64 - 2^32 + 1, and its
 * degree-2 extension F_p[X]/(X^2 - 7).
 *
 * Invariant: every cairn_fp holds its canonical representative, 0 <= v < p.
 * Every function here takes canonical inputs and returns canonical outputs;
 * the only ways in from raw integers are cairn_fp_from_u64 (reduces any
 * 64-bit value), cairn_fp_reduce128 (any 128-bit value) and
 * cairn_fp_decode (untrusted bytes, rejects non-canonical encodings).
 *
 * Reduction uses 2^64 = 2^32 - 1 (mod p) and 2^96 = -1 (mod p), so a
 * 128-bit product hi*2^64 + lo with hi = hh*2^32 + hl reduces to
 * lo - hh + hl*(2^32 - 1).
 *
 * The extension: an element is c0 + c1*X with X^2 = 7.  7 is a quadratic
 * non-residue mod p (tested), so X^2 - 7 is irreducible and F_p2 is a field
 * of p^2 ~ 2^128 elements.
 *
 * Hot operations are static inline.  Inversion, pow, batch inversion and the
 * byte encodings live in src/field/field.c.
 */
#ifndef CAIRN_FIELD_H
#define CAIRN_FIELD_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

#define CAIRN_FP_P UINT64_C(0xFFFFFFFF00000001)
/* 2^64 mod p = 2^32 - 1 */
#define CAIRN_FP_EPS UINT64_C(0x00000000FFFFFFFF)
/* The non-residue defining the extension: X^2 = CAIRN_FP2_W. */
#define CAIRN_FP2_W 7u
/* Byte lengths of the canonical little-endian encodings. */
#define CAIRN_FP_BYTES 8u
#define CAIRN_FP2_BYTES 16u
/* A generator of the multiplicative group F_p^* (order p - 1 = 2^32 * 3 * 5 * 17 * 257 * 65537). */
#define CAIRN_FP_GENERATOR UINT64_C(7)
/* The 2-adicity of p - 1. */
#define CAIRN_FP_TWO_ADICITY 32u

typedef struct {
    uint64_t v;
} cairn_fp;

typedef struct {
    cairn_fp c0, c1;
} cairn_fp2;

__extension__ typedef unsigned __int128 cairn_u128;

/*
 * Hot operations that must be inlined into the kernels that call them
 * (gcc's -O2 heuristics otherwise leave the larger ones, such as the
 * extension product, as calls in the sum-check and fold loops).
 */
#if defined(__GNUC__)
#define CAIRN_HOT_INLINE static inline __attribute__((always_inline))
#else
#define CAIRN_HOT_INLINE static inline
#endif

/* ---- base field ------------------------------------------------------- */

static inline cairn_fp cairn_fp_make(uint64_t canonical)
{
    cairn_fp r;
    r.v = canonical;
    return r;
}

static inline cairn_fp cairn_fp_zero(void) { return cairn_fp_make(0); }
static inline cairn_fp cairn_fp_one(void) { return cairn_fp_make(1); }

/* Any 64-bit integer, reduced mod p. */
static inline cairn_fp cairn_fp_from_u64(uint64_t x)
{
    return cairn_fp_make(x >= CAIRN_FP_P ? x - CAIRN_FP_P : x);
}

static inline int cairn_fp_eq(cairn_fp a, cairn_fp b) { return a.v == b.v; }
static inline int cairn_fp_is_zero(cairn_fp a) { return a.v == 0; }

/*
 * The reductions below are branch-free where the branch would be taken about
 * half the time on random data (carries of sums of two random values); a
 * mispredicted branch costs more than the whole multiplication.  The mask
 * (0 - (uint64_t)cond) is all ones when cond holds.
 */
CAIRN_HOT_INLINE cairn_fp cairn_fp_add(cairn_fp a, cairn_fp b)
{
    uint64_t s = a.v + b.v;
    /* carried out 2^64 = EPS (mod p); then a + b - p = s + EPS < p */
    s += CAIRN_FP_EPS & ((uint64_t)0 - (uint64_t)(s < a.v));
    /* without a carry, s < 2p: at most one subtraction of p */
    s -= CAIRN_FP_P & ((uint64_t)0 - (uint64_t)(s >= CAIRN_FP_P));
    return cairn_fp_make(s);
}

CAIRN_HOT_INLINE cairn_fp cairn_fp_sub(cairn_fp a, cairn_fp b)
{
    uint64_t d = a.v - b.v;
    /* borrowed 2^64: d = a - b + 2^64; want a - b + p = d - EPS (no underflow) */
    uint64_t borrow = (uint64_t)0 - (uint64_t)(a.v < b.v);
    return cairn_fp_make(d - (CAIRN_FP_EPS & borrow));
}

static inline cairn_fp cairn_fp_neg(cairn_fp a)
{
    return cairn_fp_make(a.v == 0 ? 0 : CAIRN_FP_P - a.v);
}

static inline cairn_fp cairn_fp_double(cairn_fp a) { return cairn_fp_add(a, a); }

/* Reduce any 128-bit integer mod p. */
CAIRN_HOT_INLINE cairn_fp cairn_fp_reduce128(cairn_u128 x)
{
    uint64_t lo = (uint64_t)x;
    uint64_t hi = (uint64_t)(x >> 64);
    uint64_t hh = hi >> 32;
    uint64_t hl = hi & CAIRN_FP_EPS;
    uint64_t t0 = lo - hh;
    /* borrowed 2^64 = EPS; then t0 >= 2^64 - 2^32 + 1 > EPS, so no underflow */
    t0 -= CAIRN_FP_EPS & ((uint64_t)0 - (uint64_t)(lo < hh));
    uint64_t t1 = (hl << 32) - hl; /* hl * EPS < 2^64 */
    uint64_t s = t0 + t1;
    /* carried 2^64 = EPS; after the wrap s <= 2^64 - 2^33, so no overflow */
    s += CAIRN_FP_EPS & ((uint64_t)0 - (uint64_t)(s < t0));
    /* canonical form: at most one subtraction of p */
    s -= CAIRN_FP_P & ((uint64_t)0 - (uint64_t)(s >= CAIRN_FP_P));
    return cairn_fp_make(s);
}

CAIRN_HOT_INLINE cairn_fp cairn_fp_mul(cairn_fp a, cairn_fp b)
{
    return cairn_fp_reduce128((cairn_u128)a.v * b.v);
}

static inline cairn_fp cairn_fp_square(cairn_fp a) { return cairn_fp_mul(a, a); }

/* a^e by square-and-multiply (not constant time: exponents are public). */
cairn_fp cairn_fp_pow(cairn_fp a, uint64_t e);

/* a^-1; the inverse of zero is defined as zero (callers that care check first). */
cairn_fp cairn_fp_inv(cairn_fp a);

/*
 * out[i] = in[i]^-1 for i < len by Montgomery's trick (3 multiplications per
 * element and one inversion).  Zero entries map to zero and do not disturb
 * the others.  out and in may be the same array; they must not otherwise overlap.
 * Uses O(len) scratch: returns CAIRN_ERR_NOMEM if it cannot be allocated.
 */
cairn_status cairn_fp_batch_inv(cairn_fp *out, const cairn_fp *in, size_t len);

/* A primitive 2^log_n-th root of unity, log_n <= 32. */
cairn_fp cairn_fp_root_of_unity(unsigned log_n);

/* 8 bytes, little-endian. */
void cairn_fp_encode(uint8_t out[CAIRN_FP_BYTES], cairn_fp a);

/*
 * Decode 8 little-endian bytes from untrusted input.  A value >= p is not a
 * canonical encoding and is rejected with CAIRN_ERR_PARSE.
 */
cairn_status cairn_fp_decode(cairn_fp *out, const uint8_t in[CAIRN_FP_BYTES], cairn_error *err);

/* ---- degree-2 extension ------------------------------------------------ */

static inline cairn_fp2 cairn_fp2_make(cairn_fp c0, cairn_fp c1)
{
    cairn_fp2 r;
    r.c0 = c0;
    r.c1 = c1;
    return r;
}

/* The embedding F_p -> F_p2, a -> a + 0*X. */
static inline cairn_fp2 cairn_fp2_from_fp(cairn_fp a) { return cairn_fp2_make(a, cairn_fp_zero()); }
static inline cairn_fp2 cairn_fp2_zero(void) { return cairn_fp2_from_fp(cairn_fp_zero()); }
static inline cairn_fp2 cairn_fp2_one(void) { return cairn_fp2_from_fp(cairn_fp_one()); }

static inline int cairn_fp2_eq(cairn_fp2 a, cairn_fp2 b)
{
    return cairn_fp_eq(a.c0, b.c0) && cairn_fp_eq(a.c1, b.c1);
}

static inline int cairn_fp2_is_zero(cairn_fp2 a) { return a.c0.v == 0 && a.c1.v == 0; }

CAIRN_HOT_INLINE cairn_fp2 cairn_fp2_add(cairn_fp2 a, cairn_fp2 b)
{
    return cairn_fp2_make(cairn_fp_add(a.c0, b.c0), cairn_fp_add(a.c1, b.c1));
}

CAIRN_HOT_INLINE cairn_fp2 cairn_fp2_sub(cairn_fp2 a, cairn_fp2 b)
{
    return cairn_fp2_make(cairn_fp_sub(a.c0, b.c0), cairn_fp_sub(a.c1, b.c1));
}

static inline cairn_fp2 cairn_fp2_neg(cairn_fp2 a)
{
    return cairn_fp2_make(cairn_fp_neg(a.c0), cairn_fp_neg(a.c1));
}

static inline cairn_fp2 cairn_fp2_double(cairn_fp2 a) { return cairn_fp2_add(a, a); }

/* 7*a = 8a - a, three additions and a subtraction instead of a multiplication. */
CAIRN_HOT_INLINE cairn_fp cairn_fp_mul_w(cairn_fp a)
{
    cairn_fp a8 = cairn_fp_double(cairn_fp_double(cairn_fp_double(a)));
    return cairn_fp_sub(a8, a);
}

/*
 * x + y for two 128-bit products, reduced once: the sum may carry out of
 * 128 bits, and 2^128 = (2^32 - 1)^2 = -2^32 (mod p), so a carry adds
 * p - 2^32.  Used to delay the reduction of sums of products.
 */
CAIRN_HOT_INLINE cairn_fp cairn_fp_reduce_sum2(cairn_u128 x, cairn_u128 y)
{
    cairn_u128 s = x + y;
    uint64_t carry = (uint64_t)0 - (uint64_t)(s < x);
    return cairn_fp_add(cairn_fp_reduce128(s),
                        cairn_fp_make((CAIRN_FP_P - (UINT64_C(1) << 32)) & carry));
}

/*
 * (a0 + a1 X)(b0 + b1 X) = (a0 b0 + 7 a1 b1) + (a0 b1 + a1 b0) X with each
 * coordinate reduced once: four 64x64 products, two reductions (7 a1 is
 * formed in F_p first so that 7 a1 b1 stays a 128-bit product).  Karatsuba's
 * three products need three reductions and more additions, which measured
 * slower here (docs/field.md).
 */
CAIRN_HOT_INLINE cairn_fp2 cairn_fp2_mul(cairn_fp2 a, cairn_fp2 b)
{
    cairn_fp a1w = cairn_fp_mul_w(a.c1);
    cairn_fp c0 = cairn_fp_reduce_sum2((cairn_u128)a.c0.v * b.c0.v, (cairn_u128)a1w.v * b.c1.v);
    cairn_fp c1 = cairn_fp_reduce_sum2((cairn_u128)a.c0.v * b.c1.v, (cairn_u128)a.c1.v * b.c0.v);
    return cairn_fp2_make(c0, c1);
}

/* Karatsuba's product (three multiplications, three reductions), kept for comparison. */
static inline cairn_fp2 cairn_fp2_mul_karatsuba(cairn_fp2 a, cairn_fp2 b)
{
    cairn_fp t00 = cairn_fp_mul(a.c0, b.c0);
    cairn_fp t11 = cairn_fp_mul(a.c1, b.c1);
    cairn_fp m = cairn_fp_mul(cairn_fp_add(a.c0, a.c1), cairn_fp_add(b.c0, b.c1));
    return cairn_fp2_make(cairn_fp_add(t00, cairn_fp_mul_w(t11)),
                          cairn_fp_sub(m, cairn_fp_add(t00, t11)));
}

/* The same product by the schoolbook formula (four multiplications): the reference for tests. */
static inline cairn_fp2 cairn_fp2_mul_schoolbook(cairn_fp2 a, cairn_fp2 b)
{
    cairn_fp t00 = cairn_fp_mul(a.c0, b.c0);
    cairn_fp t11 = cairn_fp_mul(a.c1, b.c1);
    cairn_fp t01 = cairn_fp_mul(a.c0, b.c1);
    cairn_fp t10 = cairn_fp_mul(a.c1, b.c0);
    return cairn_fp2_make(cairn_fp_add(t00, cairn_fp_mul_w(t11)), cairn_fp_add(t01, t10));
}

/* ---- delayed reduction ------------------------------------------------- */

/*
 * An unreduced sum of 128-bit products: value = lo + hi * 2^128, reduced
 * once by cairn_fp_acc_reduce.  Adding a product costs a multiplication and
 * a 128-bit addition with carry instead of a reduction and a field
 * addition.  hi counts carries, so up to 2^64 products may be added.
 */
typedef struct {
    cairn_u128 lo;
    uint64_t hi;
} cairn_fp_acc;

static inline void cairn_fp_acc_zero(cairn_fp_acc *acc)
{
    acc->lo = 0;
    acc->hi = 0;
}

/* acc += a * b (as integers). */
CAIRN_HOT_INLINE void cairn_fp_acc_add_prod(cairn_fp_acc *acc, cairn_fp a, cairn_fp b)
{
    cairn_u128 x = (cairn_u128)a.v * b.v;
    acc->lo += x;
    acc->hi += (uint64_t)(acc->lo < x);
}

/* acc += a (as an integer). */
static inline void cairn_fp_acc_add(cairn_fp_acc *acc, cairn_fp a)
{
    acc->lo += a.v;
    acc->hi += (uint64_t)(acc->lo < a.v);
}

/* The accumulated value mod p: lo + hi * 2^128 with 2^128 = -2^32 (mod p). */
static inline cairn_fp cairn_fp_acc_reduce(const cairn_fp_acc *acc)
{
    return cairn_fp_sub(cairn_fp_reduce128(acc->lo), cairn_fp_reduce128((cairn_u128)acc->hi << 32));
}

/* An unreduced extension element: one accumulator per coordinate. */
typedef struct {
    cairn_fp_acc c0, c1;
} cairn_fp2_acc;

static inline void cairn_fp2_acc_zero(cairn_fp2_acc *acc)
{
    cairn_fp_acc_zero(&acc->c0);
    cairn_fp_acc_zero(&acc->c1);
}

/* acc += a * b: four products, (a0 b0 + (7 a1) b1) and (a0 b1 + a1 b0), none reduced. */
CAIRN_HOT_INLINE void cairn_fp2_acc_add_mul(cairn_fp2_acc *acc, cairn_fp2 a, cairn_fp2 b)
{
    cairn_fp a1w = cairn_fp_mul_w(a.c1);
    cairn_fp_acc_add_prod(&acc->c0, a.c0, b.c0);
    cairn_fp_acc_add_prod(&acc->c0, a1w, b.c1);
    cairn_fp_acc_add_prod(&acc->c1, a.c0, b.c1);
    cairn_fp_acc_add_prod(&acc->c1, a.c1, b.c0);
}

/* acc += a * b for a base-field b: two products, kept in the base field per coordinate. */
CAIRN_HOT_INLINE void cairn_fp2_acc_add_mul_fp(cairn_fp2_acc *acc, cairn_fp2 a, cairn_fp b)
{
    cairn_fp_acc_add_prod(&acc->c0, a.c0, b);
    cairn_fp_acc_add_prod(&acc->c1, a.c1, b);
}

static inline cairn_fp2 cairn_fp2_acc_reduce(const cairn_fp2_acc *acc)
{
    return cairn_fp2_make(cairn_fp_acc_reduce(&acc->c0), cairn_fp_acc_reduce(&acc->c1));
}

/* Extension times base: two base multiplications. */
CAIRN_HOT_INLINE cairn_fp2 cairn_fp2_mul_fp(cairn_fp2 a, cairn_fp b)
{
    return cairn_fp2_make(cairn_fp_mul(a.c0, b), cairn_fp_mul(a.c1, b));
}

static inline cairn_fp2 cairn_fp2_square(cairn_fp2 a)
{
    cairn_fp t00 = cairn_fp_square(a.c0);
    cairn_fp t11 = cairn_fp_square(a.c1);
    cairn_fp t01 = cairn_fp_mul(a.c0, a.c1);
    return cairn_fp2_make(cairn_fp_add(t00, cairn_fp_mul_w(t11)), cairn_fp_double(t01));
}

/* Conjugate c0 - c1 X (the image of the Frobenius). */
static inline cairn_fp2 cairn_fp2_conj(cairn_fp2 a) { return cairn_fp2_make(a.c0, cairn_fp_neg(a.c1)); }

/* Norm a * conj(a) = c0^2 - 7 c1^2, an element of F_p. */
static inline cairn_fp cairn_fp2_norm(cairn_fp2 a)
{
    return cairn_fp_sub(cairn_fp_square(a.c0), cairn_fp_mul_w(cairn_fp_square(a.c1)));
}

cairn_fp2 cairn_fp2_pow(cairn_fp2 a, uint64_t e);

/* a^-1 = conj(a) / norm(a); the inverse of zero is zero. */
cairn_fp2 cairn_fp2_inv(cairn_fp2 a);

/* As cairn_fp_batch_inv, over the extension. */
cairn_status cairn_fp2_batch_inv(cairn_fp2 *out, const cairn_fp2 *in, size_t len);

/* 16 bytes: c0 then c1, each 8 bytes little-endian. */
void cairn_fp2_encode(uint8_t out[CAIRN_FP2_BYTES], cairn_fp2 a);

/* Decode from untrusted bytes; either coordinate >= p is rejected. */
cairn_status cairn_fp2_decode(cairn_fp2 *out, const uint8_t in[CAIRN_FP2_BYTES], cairn_error *err);

#endif /* CAIRN_FIELD_H */
