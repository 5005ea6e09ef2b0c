/*
 * harness.h — cairn's tiny test harness.
 *
 * A test is a `static void name(void)` registered in its file's table
 *     const struct test_case test_field_cases[] = { TEST(fp_add), ..., TEST_END };
 * which tests/main.c lists in its suite table.  CHECK macros record failures
 * with file:line and the values involved and let the test go on, so one run
 * shows every broken check.  Randomised tests draw from test_rand_*(), which
 * is seeded from --seed (always printed) so any failure can be replayed, and
 * scale their loops with test_iters (--iters, default 1000).
 */
#ifndef CAIRN_TEST_HARNESS_H
#define CAIRN_TEST_HARNESS_H

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>

#include "cairn/field.h"
#include "cairn/rows.h"

struct test_case {
    const char *name;
    void (*fn)(void);
};

#define TEST(fn) { #fn, fn }
#define TEST_END { NULL, NULL }

/* Number of iterations a randomised test should run (--iters N). */
extern unsigned long test_iters;

/* Deterministic PRNG (xoshiro256**) seeded from --seed. */
uint64_t test_rand_u64(void);
/* Uniform below bound (bound > 0). */
uint64_t test_rand_below(uint64_t bound);
void test_rand_bytes(void *out, size_t len);
/* Uniform canonical field elements, plus a bias towards edge values. */
cairn_fp test_rand_fp(void);
cairn_fp2 test_rand_fp2(void);

/*
 * Drive an in-process fuzz target (returns non-zero on a violated
 * property) with test_iters / 4 + 20 random inputs of 2 .. buf_len bytes,
 * three in four with bit 0 of byte 1 set (the targets' mode that edits an
 * honest encoding) and one in three cut to 2 .. 2 + short_len - 1 bytes.
 * Reports the first five violations as failures and returns their count.
 */
unsigned long test_fuzz_random(int (*target)(const uint8_t *data, size_t len), size_t buf_len,
                               size_t short_len);

/*
 * A row source that loses a row, for the tests of what a stage does when
 * its source fails: streams of inner pass through, except stream number
 * fail_stream (1 for the first; 0: none), which hands over the rows before
 * fail_row and then fails with CAIRN_ERR_IO ("test source: row N is
 * lost"); streams counts them all.  Use `rows` (its impl points at the
 * struct, so the struct must not move); inner is borrowed.
 */
typedef struct {
    cairn_rows inner, rows;
    unsigned streams, fail_stream;
    uint64_t fail_row;
} test_lossy_rows;
void test_lossy_rows_init(test_lossy_rows *l, const cairn_rows *inner);

/* Failure reporting; use the macros below. Returns 0 so CHECKs can be used in conditions. */
int test_fail(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Count one passed check (for the summary). */
void test_pass(void);

#define CHECK(cond)                                                                                \
    ((cond) ? (test_pass(), 1) : test_fail(__FILE__, __LINE__, "CHECK(%s) failed", #cond))

#define CHECK_EQ_U64(a, b)                                                                         \
    do {                                                                                           \
        uint64_t check_a_ = (uint64_t)(a), check_b_ = (uint64_t)(b);                              \
        if (check_a_ == check_b_)                                                                  \
            test_pass();                                                                           \
        else                                                                                       \
            test_fail(__FILE__, __LINE__, "%s == %s: 0x%016" PRIx64 " != 0x%016" PRIx64, #a, #b,   \
                      check_a_, check_b_);                                                         \
    } while (0)

#define CHECK_EQ_FP(a, b) CHECK_EQ_U64((a).v, (b).v)

#define CHECK_EQ_FP2(a, b)                                                                         \
    do {                                                                                           \
        cairn_fp2 check_a_ = (a), check_b_ = (b);                                                  \
        if (cairn_fp2_eq(check_a_, check_b_))                                                      \
            test_pass();                                                                           \
        else                                                                                       \
            test_fail(__FILE__, __LINE__,                                                          \
                      "%s == %s: (0x%016" PRIx64 ", 0x%016" PRIx64 ") != (0x%016" PRIx64          \
                      ", 0x%016" PRIx64 ")",                                                       \
                      #a, #b, check_a_.c0.v, check_a_.c1.v, check_b_.c0.v, check_b_.c1.v);         \
    } while (0)

/* Compare byte strings; the first differing offset is reported. */
#define CHECK_MEM_EQ(a, b, len) test_check_mem(__FILE__, __LINE__, #a, #b, (a), (b), (len))
int test_check_mem(const char *file, int line, const char *an, const char *bn, const void *a,
                   const void *b, size_t len);

/* The expression returns a cairn_status; it must be `want`. */
#define CHECK_STATUS(expr, want)                                                                   \
    do {                                                                                           \
        cairn_status check_st_ = (expr);                                                           \
        if (check_st_ == (want))                                                                   \
            test_pass();                                                                           \
        else                                                                                       \
            test_fail(__FILE__, __LINE__, "%s: status %s, expected %s", #expr,                     \
                      cairn_status_str(check_st_), cairn_status_str(want));                        \
    } while (0)

#define CHECK_OK(expr) CHECK_STATUS(expr, CAIRN_OK)

/* Fail the test unconditionally with a message. */
#define FAIL(...) test_fail(__FILE__, __LINE__, __VA_ARGS__)

#endif /* CAIRN_TEST_HARNESS_H */
