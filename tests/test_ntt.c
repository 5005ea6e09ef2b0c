/*
 * test_ntt.c — NTT, coset NTT and Reed–Solomon encoding against slow
 * references: an O(n^2) DFT for every size 2^0 .. 2^10, Horner evaluation at
 * the claimed points, round trips up to 2^20 (2^24 once in the plain run),
 * the coset encoder against the whole codeword's slices,
 * linearity, every documented error, and a two-thread race on an empty
 * twiddle cache.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/ntt.h"
#include "tests.h"

/* ---- slow references ---- */

/* f(x) for the polynomial with coefficients c[0..len). */
static cairn_fp horner(const cairn_fp *c, size_t len, cairn_fp x)
{
    cairn_fp acc = cairn_fp_zero();
    for (size_t i = len; i-- > 0;)
        acc = cairn_fp_add(cairn_fp_mul(acc, x), c[i]);
    return acc;
}

/*
 * out[i] = scale * sum_j in[j] * w^(i*j) with w of order n, straight from the
 * definition: the power w^(i*j mod n) is read from a table of w^0..w^(n-1).
 */
static void ref_dft(cairn_fp *out, const cairn_fp *in, size_t n, cairn_fp w, cairn_fp scale)
{
    cairn_fp *pw = malloc(n * sizeof *pw);
    if (pw == NULL) {
        FAIL("out of memory");
        return;
    }
    pw[0] = cairn_fp_one();
    for (size_t i = 1; i < n; i++)
        pw[i] = cairn_fp_mul(pw[i - 1], w);
    for (size_t i = 0; i < n; i++) {
        cairn_fp acc = cairn_fp_zero();
        for (size_t j = 0; j < n; j++)
            acc = cairn_fp_add(acc, cairn_fp_mul(in[j], pw[(i * j) & (n - 1)]));
        out[i] = cairn_fp_mul(acc, scale);
    }
    free(pw);
}

static cairn_fp *rand_vec(size_t n)
{
    cairn_fp *v = malloc((n ? n : 1) * sizeof *v);
    if (v == NULL) {
        FAIL("out of memory (%zu elements)", n);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = test_rand_fp();
    return v;
}

static cairn_fp *copy_vec(const cairn_fp *src, size_t n)
{
    cairn_fp *v = malloc((n ? n : 1) * sizeof *v);
    if (v == NULL) {
        FAIL("out of memory (%zu elements)", n);
        return NULL;
    }
    memcpy(v, src, n * sizeof *v);
    return v;
}

static cairn_fp rand_nonzero_fp(void)
{
    cairn_fp s;
    do
        s = test_rand_fp();
    while (cairn_fp_is_zero(s));
    return s;
}

/* ---- plain transforms ---- */

/* Every size 2^0 .. 2^10, forward and inverse, against the O(n^2) DFT. */
static void ntt_vs_dft(void)
{
    for (unsigned lg = 0; lg <= 10; lg++) {
        size_t n = (size_t)1 << lg;
        unsigned reps = lg <= 6 ? 4 : 1;
        for (unsigned r = 0; r < reps; r++) {
            cairn_fp *x = rand_vec(n), *y = copy_vec(x, n), *ref = malloc(n * sizeof *ref);
            if (x == NULL || y == NULL || ref == NULL) {
                free(x), free(y), free(ref);
                FAIL("out of memory");
                return;
            }
            cairn_fp w = cairn_fp_root_of_unity(lg);
            ref_dft(ref, x, n, w, cairn_fp_one());
            CHECK_OK(cairn_ntt_forward(y, n, NULL));
            CHECK_MEM_EQ(y, ref, n * sizeof *y);

            memcpy(y, x, n * sizeof *y);
            cairn_fp ninv = cairn_fp_inv(cairn_fp_make(n));
            ref_dft(ref, x, n, cairn_fp_inv(w), ninv);
            CHECK_OK(cairn_ntt_inverse(y, n, NULL));
            CHECK_MEM_EQ(y, ref, n * sizeof *y);
            free(x), free(y), free(ref);
        }
    }
}

/* Known answers: delta -> ones, ones -> n * delta, x -> (w^i), constant size 1. */
static void ntt_known_answers(void)
{
    size_t n = 64;
    cairn_fp x[64];
    memset(x, 0, sizeof x);
    x[0] = cairn_fp_one();
    CHECK_OK(cairn_ntt_forward(x, n, NULL));
    for (size_t i = 0; i < n; i++)
        CHECK_EQ_U64(x[i].v, 1);
    CHECK_OK(cairn_ntt_forward(x, n, NULL));
    CHECK_EQ_U64(x[0].v, 64);
    for (size_t i = 1; i < n; i++)
        CHECK_EQ_U64(x[i].v, 0);

    memset(x, 0, sizeof x);
    x[1] = cairn_fp_one();
    CHECK_OK(cairn_ntt_forward(x, n, NULL));
    cairn_fp w = cairn_fp_root_of_unity(6), wi = cairn_fp_one();
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ_FP(x[i], wi);
        wi = cairn_fp_mul(wi, w);
    }
    CHECK_OK(cairn_ntt_inverse(x, n, NULL));
    CHECK_EQ_U64(x[1].v, 1);

    cairn_fp one = cairn_fp_make(12345);
    CHECK_OK(cairn_ntt_forward(&one, 1, NULL));
    CHECK_EQ_U64(one.v, 12345);
    CHECK_OK(cairn_ntt_inverse(&one, 1, NULL));
    CHECK_EQ_U64(one.v, 12345);
}

/* inverse(forward(x)) = x and forward(inverse(x)) = x for sizes up to 2^20. */
static void ntt_roundtrip(void)
{
    unsigned max_every = test_iters >= 500 ? 16 : 14;
    static const unsigned big[] = {18, 20};
    for (unsigned k = 0; k <= max_every + 2; k++) {
        unsigned lg = k <= max_every ? k : big[k - max_every - 1];
        size_t n = (size_t)1 << lg;
        cairn_fp *x = rand_vec(n), *y = copy_vec(x, n);
        if (x == NULL || y == NULL) {
            free(x), free(y);
            return;
        }
        CHECK_OK(cairn_ntt_forward(y, n, NULL));
        if (n >= 4)
            CHECK(memcmp(x, y, n * sizeof *x) != 0);
        CHECK_OK(cairn_ntt_inverse(y, n, NULL));
        CHECK_MEM_EQ(y, x, n * sizeof *x);
        CHECK_OK(cairn_ntt_inverse(y, n, NULL));
        CHECK_OK(cairn_ntt_forward(y, n, NULL));
        CHECK_MEM_EQ(y, x, n * sizeof *x);
        /* outputs stay canonical */
        for (size_t i = 0; i < n; i++)
            if (y[i].v >= CAIRN_FP_P) {
                FAIL("non-canonical output at 2^%u[%zu]", lg, i);
                break;
            }
        free(x), free(y);
    }
}

/*
 * The largest required size, 2^24, in the plain run only (it needs about
 * 256 MiB and a few seconds under the sanitizers): f(x) = 3 + 5x, whose
 * evaluations are checked at random points, then a round trip.  The twiddle
 * cache is released afterwards so the rest of the suite does not carry it.
 */
static void ntt_size_2_24(void)
{
    if (test_iters < 1000)
        return;
    unsigned lg = 24;
    size_t n = (size_t)1 << lg;
    cairn_fp *x = calloc(n, sizeof *x);
    if (x == NULL) {
        FAIL("out of memory");
        return;
    }
    cairn_fp c[2] = {cairn_fp_make(3), cairn_fp_make(5)};
    x[0] = c[0];
    x[1] = c[1];
    CHECK_OK(cairn_ntt_forward(x, n, NULL));
    cairn_fp w = cairn_fp_root_of_unity(lg);
    for (int r = 0; r < 64; r++) {
        uint64_t i = test_rand_below(n);
        CHECK_EQ_FP(x[i], horner(c, 2, cairn_fp_pow(w, i)));
    }
    CHECK_OK(cairn_ntt_inverse(x, n, NULL));
    CHECK_EQ_FP(x[0], c[0]);
    CHECK_EQ_FP(x[1], c[1]);
    size_t nonzero = 0;
    for (size_t i = 2; i < n; i++)
        nonzero += x[i].v != 0;
    CHECK_EQ_U64(nonzero, 0);
    free(x);
    cairn_ntt_cleanup();
}

/* NTT(a x + y) = a NTT(x) + NTT(y), and the same for the inverse. */
static void ntt_linearity(void)
{
    unsigned long iters = test_iters / 40 + 2;
    for (unsigned long it = 0; it < iters; it++) {
        unsigned lg = (unsigned)test_rand_below(13);
        size_t n = (size_t)1 << lg;
        int inverse = (int)(it & 1);
        cairn_fp a = test_rand_fp();
        cairn_fp *x = rand_vec(n), *y = rand_vec(n), *z = malloc(n * sizeof *z);
        if (x == NULL || y == NULL || z == NULL) {
            free(x), free(y), free(z);
            FAIL("out of memory");
            return;
        }
        for (size_t i = 0; i < n; i++)
            z[i] = cairn_fp_add(cairn_fp_mul(a, x[i]), y[i]);
        cairn_status (*f)(cairn_fp *, size_t, cairn_error *) =
            inverse ? cairn_ntt_inverse : cairn_ntt_forward;
        CHECK_OK(f(x, n, NULL));
        CHECK_OK(f(y, n, NULL));
        CHECK_OK(f(z, n, NULL));
        for (size_t i = 0; i < n; i++)
            CHECK_EQ_FP(z[i], cairn_fp_add(cairn_fp_mul(a, x[i]), y[i]));
        free(x), free(y), free(z);
    }
}

/* ---- cosets ---- */

/* Coset evaluation against Horner at shift * w^i; all points up to 2^9, random ones above. */
static void ntt_coset_vs_horner(void)
{
    for (unsigned lg = 0; lg <= 13; lg++) {
        size_t n = (size_t)1 << lg;
        cairn_fp s = lg == 0 ? cairn_fp_make(CAIRN_FP_GENERATOR) : rand_nonzero_fp();
        cairn_fp *c = rand_vec(n), *y = copy_vec(c, n);
        if (c == NULL || y == NULL) {
            free(c), free(y);
            return;
        }
        CHECK_OK(cairn_ntt_coset_forward(y, n, s, NULL));
        cairn_fp w = cairn_fp_root_of_unity(lg);
        size_t checks = lg <= 9 ? n : 64;
        for (size_t r = 0; r < checks; r++) {
            size_t i = lg <= 9 ? r : (size_t)test_rand_below(n);
            cairn_fp pt = cairn_fp_mul(s, cairn_fp_pow(w, i));
            CHECK_EQ_FP(y[i], horner(c, n, pt));
        }
        CHECK_OK(cairn_ntt_coset_inverse(y, n, s, NULL));
        CHECK_MEM_EQ(y, c, n * sizeof *c);
        free(c), free(y);
    }
}

/* Coset round trips up to 2^16 (both orders), and shift 1 = the plain NTT. */
static void ntt_coset_roundtrip(void)
{
    for (unsigned lg = 0; lg <= 16; lg += (lg < 10 ? 1 : 3)) {
        size_t n = (size_t)1 << lg;
        cairn_fp s = rand_nonzero_fp();
        cairn_fp *x = rand_vec(n), *y = copy_vec(x, n), *z = copy_vec(x, n);
        if (x == NULL || y == NULL || z == NULL) {
            free(x), free(y), free(z);
            return;
        }
        CHECK_OK(cairn_ntt_coset_forward(y, n, s, NULL));
        CHECK_OK(cairn_ntt_coset_inverse(y, n, s, NULL));
        CHECK_MEM_EQ(y, x, n * sizeof *x);
        CHECK_OK(cairn_ntt_coset_inverse(y, n, s, NULL));
        CHECK_OK(cairn_ntt_coset_forward(y, n, s, NULL));
        CHECK_MEM_EQ(y, x, n * sizeof *x);

        CHECK_OK(cairn_ntt_coset_forward(y, n, cairn_fp_one(), NULL));
        CHECK_OK(cairn_ntt_forward(z, n, NULL));
        CHECK_MEM_EQ(y, z, n * sizeof *y);
        free(x), free(y), free(z);
    }
}

/* ---- Reed–Solomon ---- */

/*
 * For every rate and both message forms: codeword[j] = f(w_N^j) by Horner
 * (at every position for small N, at random ones above), the evaluation form
 * is systematic (codeword[i << b] = msg[i]), and encoding in place
 * (codeword == msg) gives the same codeword.
 */
static void rs_encode_points(void)
{
    static const unsigned lks[] = {0, 1, 2, 3, 5, 8, 10, 13};
    for (size_t li = 0; li < sizeof lks / sizeof lks[0]; li++) {
        unsigned lk = lks[li];
        size_t k = (size_t)1 << lk;
        for (unsigned b = 1; b <= 4; b++) {
            size_t nn = k << b;
            cairn_fp wn = cairn_fp_root_of_unity(lk + b);
            for (int form = 0; form < 2; form++) {
                cairn_fp *coef = rand_vec(k), *msg = copy_vec(coef, k);
                cairn_fp *cw = malloc(nn * sizeof *cw), *cw2 = malloc(nn * sizeof *cw2);
                if (coef == NULL || msg == NULL || cw == NULL || cw2 == NULL) {
                    free(coef), free(msg), free(cw), free(cw2);
                    FAIL("out of memory");
                    return;
                }
                if (form == CAIRN_RS_EVALS) {
                    /* msg[i] = f(w_k^i), by Horner for small k, by the (DFT-tested) NTT above */
                    if (lk <= 8) {
                        cairn_fp wk = cairn_fp_root_of_unity(lk);
                        for (size_t i = 0; i < k; i++)
                            msg[i] = horner(coef, k, cairn_fp_pow(wk, i));
                    } else {
                        CHECK_OK(cairn_ntt_forward(msg, k, NULL));
                    }
                }
                CHECK_OK(cairn_rs_encode(cw, nn, msg, k, b, (cairn_rs_form)form, NULL));
                size_t checks = nn <= 512 ? nn : 48;
                for (size_t r = 0; r < checks; r++) {
                    size_t j = nn <= 512 ? r : (size_t)test_rand_below(nn);
                    CHECK_EQ_FP(cw[j], horner(coef, k, cairn_fp_pow(wn, j)));
                }
                if (form == CAIRN_RS_EVALS) {
                    for (size_t i = 0; i < k; i++)
                        CHECK_EQ_FP(cw[i << b], msg[i]);
                }
                memcpy(cw2, msg, k * sizeof *msg);
                CHECK_OK(cairn_rs_encode(cw2, nn, cw2, k, b, (cairn_rs_form)form, NULL));
                CHECK_MEM_EQ(cw2, cw, nn * sizeof *cw);
                /* the message is read-only */
                if (form == CAIRN_RS_COEFFS)
                    CHECK_MEM_EQ(msg, coef, k * sizeof *msg);
                free(coef), free(msg), free(cw), free(cw2);
            }
        }
    }
}

/* A larger encoding: k = 2^16 at rate 1/4, both forms agree, random positions by Horner. */
static void rs_encode_large(void)
{
    unsigned lk = test_iters >= 500 ? 16 : 14, b = 2;
    size_t k = (size_t)1 << lk, nn = k << b;
    cairn_fp *coef = rand_vec(k), *ev = copy_vec(coef, k);
    cairn_fp *c1 = malloc(nn * sizeof *c1), *c2 = malloc(nn * sizeof *c2);
    if (coef == NULL || ev == NULL || c1 == NULL || c2 == NULL) {
        free(coef), free(ev), free(c1), free(c2);
        FAIL("out of memory");
        return;
    }
    CHECK_OK(cairn_ntt_forward(ev, k, NULL));
    CHECK_OK(cairn_rs_encode(c1, nn, coef, k, b, CAIRN_RS_COEFFS, NULL));
    CHECK_OK(cairn_rs_encode(c2, nn, ev, k, b, CAIRN_RS_EVALS, NULL));
    CHECK_MEM_EQ(c1, c2, nn * sizeof *c1);
    cairn_fp wn = cairn_fp_root_of_unity(lk + b);
    for (int r = 0; r < 8; r++) {
        size_t j = (size_t)test_rand_below(nn);
        CHECK_EQ_FP(c1[j], horner(coef, k, cairn_fp_pow(wn, j)));
    }
    /* zero-padded plain NTT gives the same codeword */
    memset(c2, 0, nn * sizeof *c2);
    memcpy(c2, coef, k * sizeof *coef);
    CHECK_OK(cairn_ntt_forward(c2, nn, NULL));
    CHECK_MEM_EQ(c1, c2, nn * sizeof *c1);
    free(coef), free(ev), free(c1), free(c2);
}

/*
 * Coset by coset: for every rate, both forms and every coset, the coset
 * encoder's output is cairn_rs_encode's slice coset + (i << b), also when
 * encoding in place; the message is read-only otherwise.
 */
static void rs_encode_coset_slices(void)
{
    static const unsigned lks[] = {0, 1, 2, 3, 5, 8, 10, 13};
    for (size_t li = 0; li < sizeof lks / sizeof lks[0]; li++) {
        size_t k = (size_t)1 << lks[li];
        for (unsigned b = 1; b <= 4; b++) {
            size_t nn = k << b;
            for (int form = 0; form < 2; form++) {
                cairn_fp *msg = rand_vec(k), *keep = copy_vec(msg, k);
                cairn_fp *cw = malloc(nn * sizeof *cw), *out = malloc(k * sizeof *out);
                cairn_fp *slice = malloc(k * sizeof *slice);
                if (msg == NULL || keep == NULL || cw == NULL || out == NULL || slice == NULL) {
                    free(msg), free(keep), free(cw), free(out), free(slice);
                    FAIL("out of memory");
                    return;
                }
                CHECK_OK(cairn_rs_encode(cw, nn, msg, k, b, (cairn_rs_form)form, NULL));
                for (size_t c = 0; c < ((size_t)1 << b); c++) {
                    for (size_t i = 0; i < k; i++)
                        slice[i] = cw[c + (i << b)];
                    CHECK_OK(
                        cairn_rs_encode_coset(out, k, msg, k, b, c, (cairn_rs_form)form, NULL));
                    CHECK_MEM_EQ(out, slice, k * sizeof *out);
                    CHECK_MEM_EQ(msg, keep, k * sizeof *msg);
                    memcpy(out, msg, k * sizeof *msg);
                    CHECK_OK(
                        cairn_rs_encode_coset(out, k, out, k, b, c, (cairn_rs_form)form, NULL));
                    CHECK_MEM_EQ(out, slice, k * sizeof *out);
                }
                free(msg), free(keep), free(cw), free(out), free(slice);
            }
        }
    }
}

/* ---- errors ---- */

/* Every documented CAIRN_ERR_ARG, with the data left untouched and a message set. */
static void ntt_bad_args(void)
{
    cairn_fp buf[64], keep[64];
    for (size_t i = 0; i < 64; i++)
        buf[i] = keep[i] = cairn_fp_make(i + 1);
    cairn_error err;
    static const size_t bad_len[] = {0, 3, 5, 6, 7, 12, 63};
    for (size_t i = 0; i < sizeof bad_len / sizeof bad_len[0]; i++) {
        size_t n = bad_len[i];
        err.msg[0] = 0;
        CHECK_STATUS(cairn_ntt_forward(buf, n, &err), CAIRN_ERR_ARG);
        CHECK(strstr(err.msg, "power of two") != NULL);
        CHECK_STATUS(cairn_ntt_inverse(buf, n, &err), CAIRN_ERR_ARG);
        CHECK_STATUS(cairn_ntt_coset_forward(buf, n, cairn_fp_make(7), &err), CAIRN_ERR_ARG);
        CHECK_STATUS(cairn_ntt_coset_inverse(buf, n, cairn_fp_make(7), &err), CAIRN_ERR_ARG);
        CHECK_STATUS(cairn_ntt_forward(buf, n, NULL), CAIRN_ERR_ARG);
    }
#if SIZE_MAX > UINT32_MAX
    /* 2^33 > 2^CAIRN_NTT_MAX_LOG_N: rejected before the array is touched */
    size_t huge = (size_t)1 << (CAIRN_NTT_MAX_LOG_N + 1);
    CHECK_STATUS(cairn_ntt_forward(buf, huge, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "exceeds") != NULL);
    CHECK_STATUS(cairn_ntt_inverse(buf, huge, NULL), CAIRN_ERR_ARG);
#endif
    CHECK_STATUS(cairn_ntt_coset_forward(buf, 64, cairn_fp_zero(), &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "shift") != NULL);
    CHECK_STATUS(cairn_ntt_coset_inverse(buf, 64, cairn_fp_zero(), &err), CAIRN_ERR_ARG);
    CHECK_MEM_EQ(buf, keep, sizeof buf);
}

static void rs_bad_args(void)
{
    cairn_fp msg[16], cw[256], keep[256];
    for (size_t i = 0; i < 16; i++)
        msg[i] = cairn_fp_make(i);
    for (size_t i = 0; i < 256; i++)
        cw[i] = keep[i] = cairn_fp_make(1000 + i);
    cairn_error err;
    /* rates outside 1/2 .. 1/16 */
    static const unsigned bad_b[] = {0, 5, 6, 31, 64, 1000};
    for (size_t i = 0; i < sizeof bad_b / sizeof bad_b[0]; i++) {
        err.msg[0] = 0;
        CHECK_STATUS(cairn_rs_encode(cw, 16u << (bad_b[i] < 5 ? bad_b[i] : 0), msg, 16, bad_b[i],
                                     CAIRN_RS_COEFFS, &err),
                     CAIRN_ERR_ARG);
        CHECK(strstr(err.msg, "blowup") != NULL);
    }
    /* message length not a power of two */
    CHECK_STATUS(cairn_rs_encode(cw, 48, msg, 12, 2, CAIRN_RS_COEFFS, &err), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_rs_encode(cw, 0, msg, 0, 2, CAIRN_RS_EVALS, &err), CAIRN_ERR_ARG);
    /* codeword length not k << b */
    CHECK_STATUS(cairn_rs_encode(cw, 32, msg, 16, 2, CAIRN_RS_COEFFS, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "codeword length") != NULL);
    CHECK_STATUS(cairn_rs_encode(cw, 256, msg, 16, 2, CAIRN_RS_COEFFS, &err), CAIRN_ERR_ARG);
    /* unknown form */
    CHECK_STATUS(cairn_rs_encode(cw, 64, msg, 16, 2, (cairn_rs_form)7, &err), CAIRN_ERR_ARG);
#if SIZE_MAX > UINT32_MAX
    /* codeword beyond 2^32 */
    size_t k = (size_t)1 << 30;
    CHECK_STATUS(cairn_rs_encode(cw, k << 3, msg, k, 3, CAIRN_RS_COEFFS, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "exceeds") != NULL);
#endif
    CHECK_MEM_EQ(cw, keep, sizeof cw);
    /* the boundary values are accepted */
    CHECK_OK(cairn_rs_encode(cw, 32, msg, 16, 1, CAIRN_RS_COEFFS, &err));
    CHECK_OK(cairn_rs_encode(cw, 256, msg, 16, 4, CAIRN_RS_EVALS, &err));
}

/* The coset encoder's errors: its own (output length, coset) and the encoder's. */
static void rs_coset_bad_args(void)
{
    static const struct {
        size_t out_len, msg_len;
        unsigned b;
        size_t coset;
        int form;
        const char *says;
    } bad[] = {
        {8, 16, 2, 0, CAIRN_RS_COEFFS, "output length"},
        {16, 16, 2, 4, CAIRN_RS_COEFFS, "coset 4"},
        {16, 16, 5, 0, CAIRN_RS_COEFFS, "blowup"},
        {12, 12, 2, 0, CAIRN_RS_COEFFS, "power of two"},
        {16, 16, 2, 1, 7, "form"},
#if SIZE_MAX > UINT32_MAX
        {(size_t)1 << 30, (size_t)1 << 30, 3, 0, CAIRN_RS_COEFFS, "exceeds"},
#endif
    };
    cairn_fp msg[16], out[16], keep[16];
    for (size_t i = 0; i < 16; i++) {
        msg[i] = cairn_fp_make(i);
        out[i] = keep[i] = cairn_fp_make(1000 + i);
    }
    cairn_error err;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = 0;
        CHECK_STATUS(cairn_rs_encode_coset(out, bad[i].out_len, msg, bad[i].msg_len, bad[i].b,
                                           bad[i].coset, (cairn_rs_form)bad[i].form, &err),
                     CAIRN_ERR_ARG);
        CHECK(strstr(err.msg, bad[i].says) != NULL);
    }
    CHECK_MEM_EQ(out, keep, sizeof out);
    /* the last coset of each rate is accepted */
    CHECK_OK(cairn_rs_encode_coset(out, 16, msg, 16, 1, 1, CAIRN_RS_COEFFS, &err));
    CHECK_OK(cairn_rs_encode_coset(out, 16, msg, 16, 4, 15, CAIRN_RS_EVALS, &err));
}

/* ---- threads ---- */

#define THREAD_MAX_LOG 14u

struct ntt_job {
    int descending;
    cairn_fp *data[THREAD_MAX_LOG + 1]; /* per size, transformed in place */
    cairn_status st;
};

static void *ntt_thread(void *arg)
{
    struct ntt_job *job = arg;
    job->st = CAIRN_OK;
    for (unsigned i = 0; i <= THREAD_MAX_LOG; i++) {
        unsigned lg = job->descending ? THREAD_MAX_LOG - i : i;
        size_t n = (size_t)1 << lg;
        cairn_status st = cairn_ntt_forward(job->data[lg], n, NULL);
        if (st == CAIRN_OK)
            st = cairn_rs_encode(job->data[lg], n, job->data[lg], n / 2 ? n / 2 : 1,
                                 n >= 2 ? 1 : 0, CAIRN_RS_EVALS, NULL);
        if (lg == 0)
            st = st == CAIRN_ERR_ARG ? CAIRN_OK : CAIRN_ERR_INTERNAL; /* 1 << 0 has no rate */
        if (st != CAIRN_OK && job->st == CAIRN_OK)
            job->st = st;
    }
    return NULL;
}

/*
 * Two threads start on an empty twiddle cache, one going up through the
 * sizes and one down, so they race to build the same tables; both must
 * produce exactly what a single thread computes afterwards.
 */
static void ntt_threads(void)
{
    struct ntt_job jobs[2];
    cairn_fp *input[THREAD_MAX_LOG + 1];
    memset(jobs, 0, sizeof jobs);
    memset(input, 0, sizeof input);
    int ok = 1;
    for (unsigned lg = 0; lg <= THREAD_MAX_LOG && ok; lg++) {
        size_t n = (size_t)1 << lg;
        input[lg] = rand_vec(n);
        jobs[0].data[lg] = input[lg] ? copy_vec(input[lg], n) : NULL;
        jobs[1].data[lg] = input[lg] ? copy_vec(input[lg], n) : NULL;
        ok = input[lg] && jobs[0].data[lg] && jobs[1].data[lg];
    }
    if (ok) {
        jobs[1].descending = 1;
        cairn_ntt_cleanup();
        pthread_t th[2];
        int started[2];
        for (int t = 0; t < 2; t++)
            started[t] = pthread_create(&th[t], NULL, ntt_thread, &jobs[t]) == 0;
        for (int t = 0; t < 2; t++)
            if (started[t])
                pthread_join(th[t], NULL);
            else
                ntt_thread(&jobs[t]); /* could not start a thread: still check the results */
        CHECK_OK(jobs[0].st);
        CHECK_OK(jobs[1].st);
        /* single-threaded reference on a rebuilt cache */
        cairn_ntt_cleanup();
        struct ntt_job ref;
        memset(&ref, 0, sizeof ref);
        for (unsigned lg = 0; lg <= THREAD_MAX_LOG; lg++)
            ref.data[lg] = input[lg];
        ntt_thread(&ref);
        CHECK_OK(ref.st);
        for (unsigned lg = 0; lg <= THREAD_MAX_LOG; lg++) {
            size_t n = (size_t)1 << lg;
            CHECK_MEM_EQ(jobs[0].data[lg], input[lg], n * sizeof(cairn_fp));
            CHECK_MEM_EQ(jobs[1].data[lg], input[lg], n * sizeof(cairn_fp));
        }
    }
    for (unsigned lg = 0; lg <= THREAD_MAX_LOG; lg++) {
        free(input[lg]);
        free(jobs[0].data[lg]);
        free(jobs[1].data[lg]);
    }
}

const struct test_case test_ntt_cases[] = {
    TEST(ntt_vs_dft),
    TEST(ntt_known_answers),
    TEST(ntt_roundtrip),
    TEST(ntt_size_2_24),
    TEST(ntt_linearity),
    TEST(ntt_coset_vs_horner),
    TEST(ntt_coset_roundtrip),
    TEST(rs_encode_points),
    TEST(rs_encode_large),
    TEST(rs_encode_coset_slices),
    TEST(ntt_bad_args),
    TEST(rs_bad_args),
    TEST(rs_coset_bad_args),
    TEST(ntt_threads),
    TEST_END,
};
