/*
 * test_poly.c — eq tables, folding and multilinear evaluation against the
 * definitions: f(r) = sum_j f[j] prod_i (b_i ? r_i : 1 - r_i), computed
 * term by term.
 */
#include <stdlib.h>

#include "cairn/poly.h"
#include "cairn/rows.h"
#include "tests.h"

/* eq(j, r) straight from the definition. */
static cairn_fp2 ref_eq(size_t j, const cairn_fp2 *r, size_t n)
{
    cairn_fp2 acc = cairn_fp2_one();
    for (size_t i = 0; i < n; i++) {
        cairn_fp2 f = ((j >> i) & 1) ? r[i] : cairn_fp2_sub(cairn_fp2_one(), r[i]);
        acc = cairn_fp2_mul(acc, f);
    }
    return acc;
}

static void poly_eq_table_vs_definition(void)
{
    cairn_fp2 r[10], tab[1 << 10];
    for (size_t n = 0; n <= 10; n++) {
        for (size_t i = 0; i < n; i++)
            r[i] = test_rand_fp2();
        CHECK_OK(cairn_poly_eq_table(tab, r, n));
        cairn_fp2 sum = cairn_fp2_zero();
        for (size_t j = 0; j < ((size_t)1 << n); j++) {
            CHECK_EQ_FP2(tab[j], ref_eq(j, r, n));
            sum = cairn_fp2_add(sum, tab[j]);
        }
        /* eq(., r) sums to 1 over the hypercube */
        CHECK_EQ_FP2(sum, cairn_fp2_one());
    }
    CHECK_STATUS(cairn_poly_eq_table(tab, r, CAIRN_POLY_MAX_VARS + 1), CAIRN_ERR_ARG);
}

static void poly_eq_eval_vs_table(void)
{
    cairn_fp2 r[8], tab[1 << 8], b[8];
    for (unsigned long it = 0; it < test_iters / 10 + 5; it++) {
        size_t n = test_rand_below(9);
        for (size_t i = 0; i < n; i++)
            r[i] = test_rand_fp2();
        CHECK_OK(cairn_poly_eq_table(tab, r, n));
        /* at a Boolean point eq_eval reads the table */
        size_t j = test_rand_below((uint64_t)1 << n);
        for (size_t i = 0; i < n; i++)
            b[i] = ((j >> i) & 1) ? cairn_fp2_one() : cairn_fp2_zero();
        CHECK_EQ_FP2(cairn_poly_eq_eval(r, b, n), tab[j]);
        /* symmetric */
        for (size_t i = 0; i < n; i++)
            b[i] = test_rand_fp2();
        CHECK_EQ_FP2(cairn_poly_eq_eval(r, b, n), cairn_poly_eq_eval(b, r, n));
    }
}

static void poly_eval_vs_definition(void)
{
    for (size_t n = 0; n <= 9; n++) {
        size_t len = (size_t)1 << n;
        cairn_fp *f = malloc(len * sizeof *f);
        cairn_fp2 *g = malloc(len * sizeof *g);
        cairn_fp2 r[9];
        CHECK(f != NULL && g != NULL);
        if (f == NULL || g == NULL) {
            free(f);
            free(g);
            return;
        }
        for (size_t j = 0; j < len; j++) {
            f[j] = test_rand_fp();
            g[j] = test_rand_fp2();
        }
        for (size_t i = 0; i < n; i++)
            r[i] = test_rand_fp2();
        cairn_fp2 want_f = cairn_fp2_zero(), want_g = cairn_fp2_zero(), got;
        for (size_t j = 0; j < len; j++) {
            cairn_fp2 e = ref_eq(j, r, n);
            want_f = cairn_fp2_add(want_f, cairn_fp2_mul_fp(e, f[j]));
            want_g = cairn_fp2_add(want_g, cairn_fp2_mul(e, g[j]));
        }
        CHECK_OK(cairn_poly_eval_fp(&got, f, r, n));
        CHECK_EQ_FP2(got, want_f);
        CHECK_OK(cairn_poly_eval_fp2(&got, g, r, n));
        CHECK_EQ_FP2(got, want_g);
        /* at a Boolean point the evaluation is the table entry */
        if (n > 0) {
            size_t j = test_rand_below(len);
            for (size_t i = 0; i < n; i++)
                r[i] = ((j >> i) & 1) ? cairn_fp2_one() : cairn_fp2_zero();
            CHECK_OK(cairn_poly_eval_fp(&got, f, r, n));
            CHECK_EQ_FP2(got, cairn_fp2_from_fp(f[j]));
        }
        free(f);
        free(g);
    }
}

/* Folding variable 0 then evaluating the rest equals evaluating everything. */
static void poly_fold_binds_variable_zero(void)
{
    enum { N = 6, LEN = 1 << N };
    cairn_fp f[LEN];
    cairn_fp2 t[LEN / 2], r[N], whole, rest;
    for (size_t j = 0; j < LEN; j++)
        f[j] = test_rand_fp();
    for (size_t i = 0; i < N; i++)
        r[i] = test_rand_fp2();
    CHECK_OK(cairn_poly_eval_fp(&whole, f, r, N));
    cairn_poly_fold_fp(t, f, LEN, r[0]);
    CHECK_OK(cairn_poly_eval_fp2(&rest, t, r + 1, N - 1));
    CHECK_EQ_FP2(rest, whole);
    cairn_poly_fold_fp2(t, LEN / 2, r[1]);
    CHECK_OK(cairn_poly_eval_fp2(&rest, t, r + 2, N - 2));
    CHECK_EQ_FP2(rest, whole);
}

/* ---- row sources ---- */

struct collect {
    cairn_fp *out;
    uint64_t next; /* the row the next chunk must start at */
    size_t width;
    size_t calls;
    int out_of_order;
};

static cairn_status collect_rows(void *ctx, uint64_t first_row, const cairn_fp *rows, size_t count,
                                 cairn_error *err)
{
    struct collect *c = ctx;
    (void)err;
    if (first_row != c->next)
        c->out_of_order = 1;
    for (size_t i = 0; i < count * c->width; i++)
        c->out[first_row * c->width + i] = rows[i];
    c->next = first_row + count;
    c->calls++;
    return CAIRN_OK;
}

static cairn_status stop_at_second(void *ctx, uint64_t first_row, const cairn_fp *rows,
                                   size_t count, cairn_error *err)
{
    size_t *calls = ctx;
    (void)first_row;
    (void)rows;
    (void)count;
    if (++*calls == 2)
        return cairn_error_set(err, CAIRN_ERR_LIMIT, "consumer stops");
    return CAIRN_OK;
}

static void rows_table_streams_in_order(void)
{
    enum { ROWS = 37, W = 3 };
    cairn_fp table[ROWS * W], got[ROWS * W];
    for (size_t i = 0; i < ROWS * W; i++)
        table[i] = test_rand_fp();
    for (size_t chunk = 0; chunk <= 8; chunk++) {
        cairn_rows src;
        cairn_rows_table impl;
        cairn_rows_table_init(&src, &impl, table, ROWS, W, chunk);
        uint64_t a = test_rand_below(ROWS + 1), b = a + test_rand_below(ROWS - a + 1);
        struct collect c = {got, a, W, 0, 0};
        CHECK_OK(cairn_rows_stream(&src, a, b, collect_rows, &c, NULL));
        CHECK(!c.out_of_order);
        CHECK_EQ_U64(c.next, b == a ? a : b);
        if (b > a)
            CHECK_MEM_EQ(got + a * W, table + a * W, (size_t)(b - a) * W * sizeof(cairn_fp));
        if (chunk > 0 && b > a)
            CHECK_EQ_U64(c.calls, (b - a + chunk - 1) / chunk);
    }
    cairn_rows src;
    cairn_rows_table impl;
    cairn_error err;
    cairn_rows_table_init(&src, &impl, table, ROWS, W, 4);
    CHECK_STATUS(cairn_rows_stream(&src, 5, 4, collect_rows, NULL, &err), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_rows_stream(&src, 0, ROWS + 1, collect_rows, NULL, &err), CAIRN_ERR_ARG);
    size_t calls = 0;
    CHECK_STATUS(cairn_rows_stream(&src, 0, ROWS, stop_at_second, &calls, &err), CAIRN_ERR_LIMIT);
    CHECK_EQ_U64(calls, 2);
}

const struct test_case test_poly_cases[] = {
    TEST(poly_eq_table_vs_definition),
    TEST(poly_eq_eval_vs_table),
    TEST(poly_eval_vs_definition),
    TEST(poly_fold_binds_variable_zero),
    TEST(rows_table_streams_in_order),
    TEST_END,
};
