/*
 * test_field.c — Goldilocks and its quadratic extension against slow
 * references: unsigned __int128 arithmetic mod p for the base field, and
 * schoolbook polynomial arithmetic mod X^2 - 7 for the extension.
 */
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static const cairn_u128 P128 = CAIRN_FP_P;

static uint64_t ref_add(uint64_t a, uint64_t b) { return (uint64_t)(((cairn_u128)a + b) % P128); }
static uint64_t ref_sub(uint64_t a, uint64_t b) { return (uint64_t)(((cairn_u128)a + P128 - b) % P128); }
static uint64_t ref_mul(uint64_t a, uint64_t b) { return (uint64_t)(((cairn_u128)a * b) % P128); }

static uint64_t ref_pow(uint64_t a, uint64_t e)
{
    uint64_t r = 1;
    for (int i = 63; i >= 0; i--) {
        r = ref_mul(r, r);
        if ((e >> i) & 1u)
            r = ref_mul(r, a);
    }
    return r;
}

/* Edge values, including non-canonical 64-bit inputs to the reductions. */
static const uint64_t edge_u64[] = {
    0,
    1,
    2,
    CAIRN_FP_P - 1,
    CAIRN_FP_P - 2,
    CAIRN_FP_P,
    CAIRN_FP_P + 1,
    UINT64_C(1) << 32,
    (UINT64_C(1) << 32) - 1,
    (UINT64_C(1) << 32) + 1,
    UINT64_C(1) << 63,
    (UINT64_C(1) << 63) - 1,
    UINT64_MAX,
    UINT64_MAX - 1,
    UINT64_C(0xFFFFFFFF00000000),
};
#define N_EDGE (sizeof edge_u64 / sizeof edge_u64[0])

static void fp_from_u64_edges(void)
{
    for (size_t i = 0; i < N_EDGE; i++)
        CHECK_EQ_U64(cairn_fp_from_u64(edge_u64[i]).v, (uint64_t)(edge_u64[i] % P128));
}

static void fp_ops_edges(void)
{
    for (size_t i = 0; i < N_EDGE; i++) {
        for (size_t j = 0; j < N_EDGE; j++) {
            uint64_t a = (uint64_t)(edge_u64[i] % P128), b = (uint64_t)(edge_u64[j] % P128);
            cairn_fp x = cairn_fp_make(a), y = cairn_fp_make(b);
            CHECK_EQ_U64(cairn_fp_add(x, y).v, ref_add(a, b));
            CHECK_EQ_U64(cairn_fp_sub(x, y).v, ref_sub(a, b));
            CHECK_EQ_U64(cairn_fp_mul(x, y).v, ref_mul(a, b));
        }
    }
}

static void fp_reduce128_edges(void)
{
    /* every pair of edge halves as a 128-bit input to the reduction */
    for (size_t i = 0; i < N_EDGE; i++) {
        for (size_t j = 0; j < N_EDGE; j++) {
            cairn_u128 x = ((cairn_u128)edge_u64[i] << 64) | edge_u64[j];
            CHECK_EQ_U64(cairn_fp_reduce128(x).v, (uint64_t)(x % P128));
        }
    }
    cairn_u128 max = ~(cairn_u128)0;
    CHECK_EQ_U64(cairn_fp_reduce128(max).v, (uint64_t)(max % P128));
    /* (p-1)^2, the largest product of canonical values */
    cairn_u128 pm1sq = (cairn_u128)(CAIRN_FP_P - 1) * (CAIRN_FP_P - 1);
    CHECK_EQ_U64(cairn_fp_reduce128(pm1sq).v, 1);
}

static void fp_random_vs_ref(void)
{
    for (unsigned long it = 0; it < test_iters * 20; it++) {
        cairn_fp x = test_rand_fp(), y = test_rand_fp();
        CHECK_EQ_U64(cairn_fp_add(x, y).v, ref_add(x.v, y.v));
        CHECK_EQ_U64(cairn_fp_sub(x, y).v, ref_sub(x.v, y.v));
        CHECK_EQ_U64(cairn_fp_mul(x, y).v, ref_mul(x.v, y.v));
        CHECK_EQ_U64(cairn_fp_square(x).v, ref_mul(x.v, x.v));
        CHECK_EQ_U64(cairn_fp_neg(x).v, ref_sub(0, x.v));
        CHECK_EQ_U64(cairn_fp_double(x).v, ref_add(x.v, x.v));
        CHECK_EQ_U64(cairn_fp_mul_w(x).v, ref_mul(x.v, 7));
        cairn_u128 r = ((cairn_u128)test_rand_u64() << 64) | test_rand_u64();
        CHECK_EQ_U64(cairn_fp_reduce128(r).v, (uint64_t)(r % P128));
        uint64_t u = test_rand_u64();
        CHECK_EQ_U64(cairn_fp_from_u64(u).v, (uint64_t)(u % P128));
    }
}

static void fp_pow_inv(void)
{
    for (unsigned long it = 0; it < test_iters; it++) {
        cairn_fp x = test_rand_fp();
        uint64_t e = test_rand_u64() >> test_rand_below(64);
        CHECK_EQ_U64(cairn_fp_pow(x, e).v, ref_pow(x.v, e));
        cairn_fp xi = cairn_fp_inv(x);
        if (cairn_fp_is_zero(x))
            CHECK(cairn_fp_is_zero(xi));
        else
            CHECK_EQ_U64(cairn_fp_mul(x, xi).v, 1);
    }
    CHECK_EQ_U64(cairn_fp_pow(cairn_fp_make(5), 0).v, 1);
    CHECK_EQ_U64(cairn_fp_pow(cairn_fp_zero(), 0).v, 1);
    CHECK_EQ_U64(cairn_fp_inv(cairn_fp_one()).v, 1);
    CHECK_EQ_U64(cairn_fp_inv(cairn_fp_make(CAIRN_FP_P - 1)).v, CAIRN_FP_P - 1);
    /* 2^-1 = (p + 1) / 2 */
    CHECK_EQ_U64(cairn_fp_inv(cairn_fp_make(2)).v, (CAIRN_FP_P + 1) / 2);
    /* Fermat: x^(p-1) = 1 */
    CHECK_EQ_U64(cairn_fp_pow(cairn_fp_make(12345), CAIRN_FP_P - 1).v, 1);
}

static void fp_batch_inv(void)
{
    size_t lens[] = {0, 1, 2, 3, 17, 256, 1000};
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        size_t n = lens[li];
        cairn_fp *in = malloc((n + 1) * sizeof *in);
        cairn_fp *out = malloc((n + 1) * sizeof *out);
        CHECK(in != NULL && out != NULL);
        if (in == NULL || out == NULL) {
            free(in);
            free(out);
            return;
        }
        for (size_t i = 0; i < n; i++)
            in[i] = (test_rand_u64() & 7) == 0 ? cairn_fp_zero() : test_rand_fp();
        CHECK_OK(cairn_fp_batch_inv(out, in, n));
        for (size_t i = 0; i < n; i++)
            CHECK_EQ_FP(out[i], cairn_fp_inv(in[i]));
        /* in place */
        memcpy(out, in, n * sizeof *in);
        CHECK_OK(cairn_fp_batch_inv(out, out, n));
        for (size_t i = 0; i < n; i++)
            CHECK_EQ_FP(out[i], cairn_fp_inv(in[i]));
        free(in);
        free(out);
    }
    /* all zeros */
    cairn_fp z[4] = {{0}, {0}, {0}, {0}}, zo[4];
    CHECK_OK(cairn_fp_batch_inv(zo, z, 4));
    for (int i = 0; i < 4; i++)
        CHECK_EQ_U64(zo[i].v, 0);
}

static void fp_roots_of_unity(void)
{
    for (unsigned k = 0; k <= CAIRN_FP_TWO_ADICITY; k++) {
        cairn_fp w = cairn_fp_root_of_unity(k);
        /* order exactly 2^k: w^(2^k) = 1 and, for k > 0, w^(2^(k-1)) = -1 */
        cairn_fp t = w;
        for (unsigned i = 0; i + 1 < k; i++)
            t = cairn_fp_square(t);
        if (k == 0) {
            CHECK_EQ_U64(w.v, 1);
        } else {
            CHECK_EQ_U64(t.v, CAIRN_FP_P - 1);
            CHECK_EQ_U64(cairn_fp_square(t).v, 1);
        }
    }
    CHECK_EQ_U64(cairn_fp_root_of_unity(33).v, 0);
    /* 7 generates F_p^*: 7^((p-1)/q) != 1 for every prime q | p - 1 */
    static const uint64_t primes[] = {2, 3, 5, 17, 257, 65537};
    for (size_t i = 0; i < sizeof primes / sizeof primes[0]; i++)
        CHECK(cairn_fp_pow(cairn_fp_make(CAIRN_FP_GENERATOR), (CAIRN_FP_P - 1) / primes[i]).v != 1);
    CHECK_EQ_U64((CAIRN_FP_P - 1), (uint64_t)(UINT64_C(1) << 32) * 3 * 5 * 17 * 257 * 65537);
}

static void fp_encode_decode(void)
{
    uint8_t buf[CAIRN_FP_BYTES];
    cairn_fp back;
    cairn_error err;
    for (unsigned long it = 0; it < test_iters; it++) {
        cairn_fp x = test_rand_fp();
        cairn_fp_encode(buf, x);
        CHECK_OK(cairn_fp_decode(&back, buf, &err));
        CHECK_EQ_FP(back, x);
    }
    /* little-endian known answer */
    cairn_fp_encode(buf, cairn_fp_make(UINT64_C(0x0102030405060708)));
    static const uint8_t kat[8] = {8, 7, 6, 5, 4, 3, 2, 1};
    CHECK_MEM_EQ(buf, kat, 8);
    /* non-canonical: p, p + 1, 2^64 - 1 */
    static const uint64_t bad[] = {CAIRN_FP_P, CAIRN_FP_P + 1, UINT64_MAX};
    for (size_t i = 0; i < 3; i++) {
        for (unsigned b = 0; b < 8; b++)
            buf[b] = (uint8_t)(bad[i] >> (8 * b));
        back = cairn_fp_make(42);
        CHECK_STATUS(cairn_fp_decode(&back, buf, &err), CAIRN_ERR_PARSE);
        CHECK(strstr(err.msg, "not canonical") != NULL);
        CHECK_EQ_U64(back.v, 42); /* output untouched on error */
    }
    /* p - 1 is the largest accepted */
    cairn_fp_encode(buf, cairn_fp_make(CAIRN_FP_P - 1));
    CHECK_OK(cairn_fp_decode(&back, buf, NULL));
}

/* ---- extension ---- */

/* Slow reference: multiply as polynomials in X, then replace X^2 by 7. */
static cairn_fp2 ref_fp2_mul(cairn_fp2 a, cairn_fp2 b)
{
    uint64_t c0 = ref_mul(a.c0.v, b.c0.v);
    uint64_t c1 = ref_add(ref_mul(a.c0.v, b.c1.v), ref_mul(a.c1.v, b.c0.v));
    uint64_t c2 = ref_mul(a.c1.v, b.c1.v);
    return cairn_fp2_make(cairn_fp_make(ref_add(c0, ref_mul(c2, 7))), cairn_fp_make(c1));
}

static void fp2_irreducible(void)
{
    /* Euler's criterion: 7^((p-1)/2) = -1, so 7 is not a square and X^2 - 7 has no root */
    CHECK_EQ_U64(ref_pow(CAIRN_FP2_W, (CAIRN_FP_P - 1) / 2), CAIRN_FP_P - 1);
    CHECK_EQ_U64(cairn_fp_pow(cairn_fp_make(CAIRN_FP2_W), (CAIRN_FP_P - 1) / 2).v, CAIRN_FP_P - 1);
    /* X * X = 7 */
    cairn_fp2 x = cairn_fp2_make(cairn_fp_zero(), cairn_fp_one());
    CHECK_EQ_FP2(cairn_fp2_mul(x, x), cairn_fp2_from_fp(cairn_fp_make(7)));
}

static void fp2_random_vs_ref(void)
{
    for (unsigned long it = 0; it < test_iters * 5; it++) {
        cairn_fp2 a = test_rand_fp2(), b = test_rand_fp2();
        CHECK_EQ_FP2(cairn_fp2_mul(a, b), ref_fp2_mul(a, b));
        CHECK_EQ_FP2(cairn_fp2_square(a), ref_fp2_mul(a, a));
        cairn_fp2 s = cairn_fp2_add(a, b);
        CHECK_EQ_U64(s.c0.v, ref_add(a.c0.v, b.c0.v));
        CHECK_EQ_U64(s.c1.v, ref_add(a.c1.v, b.c1.v));
        cairn_fp2 d = cairn_fp2_sub(a, b);
        CHECK_EQ_U64(d.c0.v, ref_sub(a.c0.v, b.c0.v));
        CHECK_EQ_U64(d.c1.v, ref_sub(a.c1.v, b.c1.v));
        CHECK_EQ_FP2(cairn_fp2_add(cairn_fp2_neg(a), a), cairn_fp2_zero());
        cairn_fp f = test_rand_fp();
        CHECK_EQ_FP2(cairn_fp2_mul_fp(a, f), ref_fp2_mul(a, cairn_fp2_from_fp(f)));
        /* norm is multiplicative and lands in F_p */
        cairn_fp2 n = cairn_fp2_mul(a, cairn_fp2_conj(a));
        CHECK_EQ_U64(n.c1.v, 0);
        CHECK_EQ_FP(n.c0, cairn_fp2_norm(a));
    }
}

static void fp2_axioms(void)
{
    for (unsigned long it = 0; it < test_iters; it++) {
        cairn_fp2 a = test_rand_fp2(), b = test_rand_fp2(), c = test_rand_fp2();
        /* associativity, commutativity, distributivity, identities */
        CHECK_EQ_FP2(cairn_fp2_mul(cairn_fp2_mul(a, b), c), cairn_fp2_mul(a, cairn_fp2_mul(b, c)));
        CHECK_EQ_FP2(cairn_fp2_mul(a, b), cairn_fp2_mul(b, a));
        CHECK_EQ_FP2(cairn_fp2_add(cairn_fp2_add(a, b), c), cairn_fp2_add(a, cairn_fp2_add(b, c)));
        CHECK_EQ_FP2(cairn_fp2_mul(a, cairn_fp2_add(b, c)),
                     cairn_fp2_add(cairn_fp2_mul(a, b), cairn_fp2_mul(a, c)));
        CHECK_EQ_FP2(cairn_fp2_mul(a, cairn_fp2_one()), a);
        CHECK_EQ_FP2(cairn_fp2_add(a, cairn_fp2_zero()), a);
        /* inverses */
        if (!cairn_fp2_is_zero(a))
            CHECK_EQ_FP2(cairn_fp2_mul(a, cairn_fp2_inv(a)), cairn_fp2_one());
        /* the embedding is a ring homomorphism */
        cairn_fp x = test_rand_fp(), y = test_rand_fp();
        CHECK_EQ_FP2(cairn_fp2_mul(cairn_fp2_from_fp(x), cairn_fp2_from_fp(y)),
                     cairn_fp2_from_fp(cairn_fp_mul(x, y)));
        CHECK_EQ_FP2(cairn_fp2_add(cairn_fp2_from_fp(x), cairn_fp2_from_fp(y)),
                     cairn_fp2_from_fp(cairn_fp_add(x, y)));
        /* Frobenius: a^p = conj(a) */
        if ((it & 63) == 0)
            CHECK_EQ_FP2(cairn_fp2_pow(a, CAIRN_FP_P), cairn_fp2_conj(a));
    }
    CHECK(cairn_fp2_is_zero(cairn_fp2_inv(cairn_fp2_zero())));
}

static void fp2_pow(void)
{
    for (unsigned long it = 0; it < test_iters / 4; it++) {
        cairn_fp2 a = test_rand_fp2();
        uint64_t e = test_rand_below(200);
        cairn_fp2 r = cairn_fp2_one();
        for (uint64_t i = 0; i < e; i++)
            r = ref_fp2_mul(r, a);
        CHECK_EQ_FP2(cairn_fp2_pow(a, e), r);
    }
}

static void fp2_batch_inv(void)
{
    size_t n = 300;
    cairn_fp2 *in = malloc(n * sizeof *in), *out = malloc(n * sizeof *out);
    CHECK(in != NULL && out != NULL);
    if (in != NULL && out != NULL) {
        for (size_t i = 0; i < n; i++)
            in[i] = (i % 11) == 3 ? cairn_fp2_zero() : test_rand_fp2();
        CHECK_OK(cairn_fp2_batch_inv(out, in, n));
        for (size_t i = 0; i < n; i++)
            CHECK_EQ_FP2(out[i], cairn_fp2_inv(in[i]));
        CHECK_OK(cairn_fp2_batch_inv(in, in, n));
        CHECK_MEM_EQ(in, out, n * sizeof *in);
    }
    free(in);
    free(out);
}

static void fp2_encode_decode(void)
{
    uint8_t buf[CAIRN_FP2_BYTES];
    cairn_fp2 back;
    cairn_error err;
    for (unsigned long it = 0; it < test_iters; it++) {
        cairn_fp2 a = test_rand_fp2();
        cairn_fp2_encode(buf, a);
        CHECK_OK(cairn_fp2_decode(&back, buf, &err));
        CHECK_EQ_FP2(back, a);
    }
    /* either coordinate non-canonical is rejected */
    for (int which = 0; which < 2; which++) {
        cairn_fp2_encode(buf, cairn_fp2_make(cairn_fp_make(1), cairn_fp_make(2)));
        memset(buf + 8 * which, 0xff, 8);
        CHECK_STATUS(cairn_fp2_decode(&back, buf, &err), CAIRN_ERR_PARSE);
    }
}

const struct test_case test_field_cases[] = {
    TEST(fp_from_u64_edges),
    TEST(fp_ops_edges),
    TEST(fp_reduce128_edges),
    TEST(fp_random_vs_ref),
    TEST(fp_pow_inv),
    TEST(fp_batch_inv),
    TEST(fp_roots_of_unity),
    TEST(fp_encode_decode),
    TEST(fp2_irreducible),
    TEST(fp2_random_vs_ref),
    TEST(fp2_axioms),
    TEST(fp2_pow),
    TEST(fp2_batch_inv),
    TEST(fp2_encode_decode),
    TEST_END,
};
