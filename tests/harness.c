/*
 * harness.c — the test runner: option parsing, the PRNG, failure reporting
 * and the suite loop.  The suites themselves are listed in tests/main.c.
 *
 * Output: one line per test ("ok"/"FAIL", name, milliseconds), the failed
 * checks under a failing test, and a closing line "N passed, N failed"
 * counting tests (not checks).  Exit status 0 iff no test failed.
 */
#include "harness.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests.h"

unsigned long test_iters = 1000;

static uint64_t rng_state[4];
static unsigned long cur_failed_checks;
static unsigned long total_checks;
static int line_open; /* a "  name " prefix is waiting for its verdict */

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static void rng_seed(uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        rng_state[i] = splitmix64(&seed);
}

uint64_t test_rand_u64(void)
{
    uint64_t *s = rng_state;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t test_rand_below(uint64_t bound)
{
    /* rejection sampling keeps it uniform; bound is small in practice */
    uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t x;
    do {
        x = test_rand_u64();
    } while (x >= limit);
    return x % bound;
}

void test_rand_bytes(void *out, size_t len)
{
    uint8_t *p = out;
    while (len > 0) {
        uint64_t x = test_rand_u64();
        size_t n = len < 8 ? len : 8;
        memcpy(p, &x, n);
        p += n;
        len -= n;
    }
}

unsigned long test_fuzz_random(int (*target)(const uint8_t *data, size_t len), size_t buf_len,
                               size_t short_len)
{
    uint8_t *in = malloc(buf_len);
    unsigned long violations = 0;
    if (in == NULL) {
        test_fail(__FILE__, __LINE__, "cannot allocate %zu fuzz bytes", buf_len);
        return 1;
    }
    for (unsigned long it = 0; it < test_iters / 4 + 20; it++) {
        size_t len = 2 + test_rand_below(buf_len - 2);
        test_rand_bytes(in, len);
        if (test_rand_below(4) != 0)
            in[1] |= 1;
        if (test_rand_below(3) == 0)
            len = 2 + test_rand_below(short_len);
        if (target(in, len) != 0 && violations++ < 5)
            test_fail(__FILE__, __LINE__, "fuzz target reported a violation at iteration %lu "
                      "(%zu bytes)", it, len);
    }
    free(in);
    return violations;
}

cairn_fp test_rand_fp(void)
{
    static const uint64_t edges[] = {0,
                                     1,
                                     2,
                                     CAIRN_FP_P - 1,
                                     CAIRN_FP_P - 2,
                                     UINT64_C(1) << 32,
                                     (UINT64_C(1) << 32) - 1,
                                     (UINT64_C(1) << 32) + 1,
                                     UINT64_C(1) << 63,
                                     CAIRN_FP_P - (UINT64_C(1) << 32)};
    /* one draw in sixteen is an edge value */
    if ((test_rand_u64() & 15) == 0)
        return cairn_fp_make(edges[test_rand_below(sizeof edges / sizeof edges[0])]);
    uint64_t x;
    do {
        x = test_rand_u64();
    } while (x >= CAIRN_FP_P);
    return cairn_fp_make(x);
}

cairn_fp2 test_rand_fp2(void) { return cairn_fp2_make(test_rand_fp(), test_rand_fp()); }

/* Pass a stream through to the inner source, or lose fail_row on stream number fail_stream. */
static cairn_status lossy_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                                 cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    test_lossy_rows *l = src->impl;
    if (++l->streams != l->fail_stream || l->fail_row < a || l->fail_row >= b)
        return cairn_rows_stream(&l->inner, a, b, consume, ctx, err);
    cairn_status st = cairn_rows_stream(&l->inner, a, l->fail_row, consume, ctx, err);
    if (st != CAIRN_OK)
        return st;
    return cairn_error_set(err, CAIRN_ERR_IO, "test source: row %llu is lost",
                           (unsigned long long)l->fail_row);
}

void test_lossy_rows_init(test_lossy_rows *l, const cairn_rows *inner)
{
    l->inner = *inner;
    l->rows = *inner;
    l->rows.stream = lossy_stream;
    l->rows.impl = l;
    l->streams = l->fail_stream = 0;
    l->fail_row = 0;
}

int test_fail(const char *file, int line, const char *fmt, ...)
{
    cur_failed_checks++;
    total_checks++;
    if (line_open) {
        fputc('\n', stdout);
        line_open = 0;
    }
    if (cur_failed_checks <= 10) {
        va_list ap;
        fprintf(stdout, "    %s:%d: ", file, line);
        va_start(ap, fmt);
        vfprintf(stdout, fmt, ap);
        va_end(ap);
        fputc('\n', stdout);
    } else if (cur_failed_checks == 11) {
        fprintf(stdout, "    (further failed checks in this test not shown)\n");
    }
    return 0;
}

void test_pass(void) { total_checks++; }

int test_check_mem(const char *file, int line, const char *an, const char *bn, const void *a,
                   const void *b, size_t len)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < len; i++) {
        if (x[i] != y[i])
            return test_fail(file, line, "%s == %s: differ at byte %zu of %zu (0x%02x != 0x%02x)", an,
                             bn, i, len, x[i], y[i]);
    }
    test_pass();
    return 1;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void usage(FILE *f, const char *argv0)
{
    fprintf(f,
            "usage: %s [--filter SUBSTR] [--seed N] [--iters N] [--list] [--quiet]\n"
            "  --filter SUBSTR  run only tests whose suite/name contains SUBSTR (repeatable)\n"
            "  --seed N         seed for randomised tests (default: from the clock; always printed)\n"
            "  --iters N        iterations for randomised tests (default 1000; env CAIRN_TEST_ITERS)\n"
            "  --list           list the tests and exit\n"
            "  --quiet          print only failures and the closing line\n",
            argv0);
}

static int parse_ulong(const char *s, unsigned long long *out)
{
    char *end;
    if (s == NULL || *s == '\0')
        return 0;
    *out = strtoull(s, &end, 0);
    return *end == '\0';
}

#define MAX_FILTERS 16

int main(int argc, char **argv)
{
    const char *filters[MAX_FILTERS];
    size_t nfilters = 0;
    int list = 0, quiet = 0;
    unsigned long long seed = 0;
    int have_seed = 0;
    const char *env_iters = getenv("CAIRN_TEST_ITERS");
    unsigned long long v;

    if (env_iters != NULL && parse_ulong(env_iters, &v))
        test_iters = (unsigned long)v;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--filter") == 0 && i + 1 < argc) {
            if (nfilters == MAX_FILTERS) {
                fprintf(stderr, "too many --filter options (max %d)\n", MAX_FILTERS);
                return 2;
            }
            filters[nfilters++] = argv[++i];
        } else if (strcmp(a, "--seed") == 0 && i + 1 < argc && parse_ulong(argv[i + 1], &v)) {
            seed = v;
            have_seed = 1;
            i++;
        } else if (strcmp(a, "--iters") == 0 && i + 1 < argc && parse_ulong(argv[i + 1], &v)) {
            test_iters = (unsigned long)v;
            i++;
        } else if (strcmp(a, "--list") == 0) {
            list = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout, argv[0]);
            return 0;
        } else {
            fprintf(stderr, "unknown or incomplete option: %s\n", a);
            usage(stderr, argv[0]);
            return 2;
        }
    }
    if (!have_seed) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        seed = (unsigned long long)ts.tv_sec * 1000003ull ^ (unsigned long long)ts.tv_nsec;
    }
    if (!list)
        printf("seed: %llu (replay with --seed %llu), iters: %lu\n", seed, seed, test_iters);

    if (!list && test_startup() != 0) {
        printf("0 passed, 1 failed\n");
        return 1;
    }

    unsigned long passed = 0, failed = 0;
    char full[256];
    for (const struct test_suite *s = test_suites; s->name != NULL; s++) {
        for (const struct test_case *t = s->cases; t->name != NULL; t++) {
            snprintf(full, sizeof full, "%s/%s", s->name, t->name);
            int selected = nfilters == 0;
            for (size_t f = 0; f < nfilters && !selected; f++)
                selected = strstr(full, filters[f]) != NULL;
            if (!selected)
                continue;
            if (list) {
                printf("%s\n", full);
                continue;
            }
            /* each test's PRNG depends only on the seed and its name, so a
               failure replays with --seed N --filter NAME */
            uint64_t h = UINT64_C(0xcbf29ce484222325);
            for (const char *c = full; *c != '\0'; c++)
                h = (h ^ (uint8_t)*c) * UINT64_C(0x100000001b3);
            rng_seed((uint64_t)seed ^ h);
            cur_failed_checks = 0;
            if (!quiet) {
                printf("  %-48s ", full);
                fflush(stdout);
                line_open = 1;
            }
            double t0 = now_ms();
            t->fn();
            double dt = now_ms() - t0;
            line_open = 0;
            if (cur_failed_checks == 0) {
                passed++;
                if (!quiet)
                    printf("ok (%.0f ms)\n", dt);
            } else {
                failed++;
                printf("FAIL %s (%lu failed checks)\n", full, cur_failed_checks);
            }
            fflush(stdout);
        }
    }
    if (list)
        return 0;
    printf("checks: %lu\n", total_checks);
    printf("%lu passed, %lu failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
