/*
 * test_poly.c — eq tables, folding and multilinear evaluation against the
 * definitions: f(r) = sum_j f[j] prod_i (b_i ? r_i : 1 - r_i), computed
 * term by term.
 */
#include <stdlib.h>
#include <string.h>

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

/* The column source: every range of every chunking hands over the columns' rows, in order. */
static void rows_cols_streams_in_order(void)
{
    enum { ROWS = 41, W = 4 };
    cairn_fp cols[W][ROWS], table[ROWS * W], got[ROWS * W];
    const cairn_fp *cp[W] = {cols[0], cols[1], cols[2], cols[3]};
    for (size_t x = 0; x < ROWS; x++)
        for (size_t i = 0; i < W; i++)
            table[x * W + i] = cols[i][x] = test_rand_fp();
    for (size_t chunk = 0; chunk <= 9; chunk++) {
        cairn_rows src;
        cairn_rows_cols impl;
        cairn_rows_cols_init(&src, &impl, cp, W, ROWS, chunk);
        CHECK_EQ_U64(src.width, W);
        CHECK_EQ_U64(src.rows_len, ROWS);
        uint64_t a = chunk == 0 ? 0 : test_rand_below(ROWS + 1);
        uint64_t b = chunk == 0 ? ROWS : a + test_rand_below(ROWS - a + 1);
        struct collect c = {got, a, W, 0, 0};
        CHECK_OK(cairn_rows_stream(&src, a, b, collect_rows, &c, NULL));
        CHECK(!c.out_of_order);
        CHECK_EQ_U64(c.next, b);
        if (b > a)
            CHECK_MEM_EQ(got + a * W, table + a * W, (size_t)(b - a) * W * sizeof(cairn_fp));
        if (chunk > 0 && b > a)
            CHECK_EQ_U64(c.calls, (b - a + chunk - 1) / chunk);
    }
}

/* What a gather's batches held: each batch's first row and length, and the gathered elements. */
struct batches {
    const cairn_fp *buf;
    size_t stride, len, calls, fail_at; /* fail_at: the call that fails (0: none) */
    uint64_t first[64];
    size_t count[64];
    cairn_fp *out; /* len elements per row, by row */
};

static cairn_status take_batch(void *ctx, uint64_t first_row, size_t count, cairn_error *err)
{
    struct batches *bt = ctx;
    if (bt->calls < 64)
        bt->first[bt->calls] = first_row, bt->count[bt->calls] = count;
    if (++bt->calls == bt->fail_at)
        return cairn_error_set(err, CAIRN_ERR_LIMIT, "batch consumer stops");
    for (size_t i = 0; i < count; i++)
        for (size_t l = 0; l < bt->len; l++)
            bt->out[(first_row + i) * bt->len + l] = bt->buf[i * bt->stride + l];
    return CAIRN_OK;
}

/* A table source that hands its second row over twice: rows out of order. */
static cairn_status twice_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                                 cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    const cairn_rows_table *t = src->impl;
    (void)b;
    cairn_status st = consume(ctx, a, t->table + a * src->width, 1, err);
    for (int i = 0; i < 2 && st == CAIRN_OK; i++)
        st = consume(ctx, a + 1, t->table + (a + 1) * src->width, 1, err);
    return st;
}

/*
 * cairn_rows_gather: for sources of every chunking, batches of exactly the
 * size asked for from the range's first row (the last shorter), holding the
 * positions asked for (repeats allowed) at the stride asked for, the rest
 * of each buffer row untouched; its errors: a position outside the width,
 * batch 0, a stride too short, a consumer's and a source's failure, rows
 * out of order.
 */
static void rows_gather_fixed_batches(void)
{
    enum { ROWS = 50, W = 5, BMAX = 7, SMAX = 6 };
    cairn_fp table[ROWS * W], out[ROWS * 4], buf[BMAX * SMAX];
    for (size_t i = 0; i < ROWS * W; i++)
        table[i] = test_rand_fp();
    for (unsigned it = 0; it < 40; it++) {
        size_t chunk = it % 9, batch = 1 + test_rand_below(BMAX), len = 1 + test_rand_below(4);
        size_t stride = len + test_rand_below(SMAX - len + 1), pos[4];
        for (size_t l = 0; l < len; l++)
            pos[l] = test_rand_below(W);
        uint64_t a = test_rand_below(ROWS / 2), b = a + test_rand_below(ROWS - a + 1);
        cairn_rows src;
        cairn_rows_table impl;
        cairn_rows_table_init(&src, &impl, table, ROWS, W, chunk);
        for (size_t i = 0; i < BMAX * SMAX; i++)
            buf[i] = cairn_fp_make(7);
        struct batches bt = {buf, stride, len, 0, 0, {0}, {0}, out};
        CHECK_OK(cairn_rows_gather(&src, a, b, pos, len, buf, stride, batch, take_batch, &bt, NULL));
        CHECK_EQ_U64(bt.calls, (b - a + batch - 1) / batch);
        for (size_t c = 0; c < bt.calls && c < 64; c++) {
            CHECK_EQ_U64(bt.first[c], a + c * batch);
            CHECK_EQ_U64(bt.count[c], b - bt.first[c] < batch ? b - bt.first[c] : batch);
        }
        for (uint64_t x = a; x < b; x++)
            for (size_t l = 0; l < len; l++)
                CHECK(cairn_fp_eq(out[x * len + l], table[x * W + pos[l]]));
        for (size_t i = 0; i < BMAX; i++)
            for (size_t e = len; e < stride; e++)
                CHECK_EQ_U64(buf[i * stride + e].v, 7);
    }
    cairn_rows src;
    cairn_rows_table impl;
    cairn_error err;
    size_t pos[2] = {1, W};
    struct batches bt = {buf, 2, 2, 0, 0, {0}, {0}, out};
    cairn_rows_table_init(&src, &impl, table, ROWS, W, 3);
    CHECK_STATUS(cairn_rows_gather(&src, 0, ROWS, pos, 2, buf, 2, 4, take_batch, &bt, &err),
                 CAIRN_ERR_ARG);
    pos[1] = 0;
    CHECK_STATUS(cairn_rows_gather(&src, 0, ROWS, pos, 2, buf, 2, 0, take_batch, &bt, &err),
                 CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_rows_gather(&src, 0, ROWS, pos, 2, buf, 1, 4, take_batch, &bt, &err),
                 CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_rows_gather(&src, 0, ROWS + 1, pos, 2, buf, 2, 4, take_batch, &bt, &err),
                 CAIRN_ERR_ARG);
    CHECK_EQ_U64(bt.calls, 0);
    bt.fail_at = 3;
    CHECK_STATUS(cairn_rows_gather(&src, 0, ROWS, pos, 2, buf, 2, 4, take_batch, &bt, &err),
                 CAIRN_ERR_LIMIT);
    CHECK_EQ_U64(bt.calls, 3);
    bt.calls = bt.fail_at = 0;
    test_lossy_rows lossy;
    test_lossy_rows_init(&lossy, &src);
    lossy.fail_stream = 1, lossy.fail_row = 6;
    CHECK_STATUS(cairn_rows_gather(&lossy.rows, 0, ROWS, pos, 2, buf, 2, 4, take_batch, &bt, &err),
                 CAIRN_ERR_IO);
    CHECK(strstr(err.msg, "test source: row 6 is lost") != NULL);
    CHECK_EQ_U64(bt.calls, 1); /* rows 0 .. 3; rows 4 and 5 were never handed on */
    bt.calls = 0;
    cairn_rows odd = src;
    odd.stream = twice_stream;
    CHECK_STATUS(cairn_rows_gather(&odd, 0, ROWS, pos, 2, buf, 2, 4, take_batch, &bt, &err),
                 CAIRN_ERR_INTERNAL);
    CHECK(strstr(err.msg, "row 1 handed over where row 2 was due") != NULL);
    CHECK_EQ_U64(bt.calls, 0);
}

const struct test_case test_poly_cases[] = {
    TEST(poly_eq_table_vs_definition),
    TEST(poly_eq_eval_vs_table),
    TEST(poly_eval_vs_definition),
    TEST(poly_fold_binds_variable_zero),
    TEST(rows_table_streams_in_order),
    TEST(rows_cols_streams_in_order),
    TEST(rows_gather_fixed_batches),
    TEST_END,
};
