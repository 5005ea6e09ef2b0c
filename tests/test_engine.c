/*
 * test_engine.c — the arithmetic engine's speed paths against their
 * references: the thread pool (every chunk runs exactly once, nested jobs,
 * any thread count) and, for every pass that runs on it (NTT, Reed–Solomon
 * encoding, eq tables, folds, sum-check provers, the PCS commitment, the
 * zkVM prover), byte-identical outputs for 1, 2, 3 and 8 threads, with the
 * one-thread outputs checked against slow serial references here or in the
 * module's own tests.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/ntt.h"
#include "cairn/pcs.h"
#include "cairn/poly.h"
#include "cairn/pool.h"
#include "cairn/rows.h"
#include "cairn/simd.h"
#include "cairn/sumcheck.h"
#include "cairn/zkvm.h"
#include "harness.h"
#include "zk_util.h"
#include "../src/sumcheck/sumcheck_internal.h"

static const unsigned thread_counts[] = {1, 2, 3, 8};
#define THREAD_COUNTS (sizeof thread_counts / sizeof thread_counts[0])

/* Set the pool size; the test fails loudly if it cannot. */
static void use_threads(unsigned t) { CHECK(cairn_pool_set_threads(t, NULL) == CAIRN_OK); }

/* ---- the pool ---------------------------------------------------------------- */

struct count_job {
    atomic_uint *hits;
    size_t nested; /* chunks of a job run from inside each chunk (0: none) */
    atomic_uint *nested_hits;
};

static void count_chunk(void *ctx, size_t i);

static void nested_chunk(void *ctx, size_t i)
{
    struct count_job *j = ctx;
    atomic_fetch_add(&j->nested_hits[i], 1u);
}

static void count_chunk(void *ctx, size_t i)
{
    struct count_job *j = ctx;
    atomic_fetch_add(&j->hits[i], 1u);
    if (j->nested > 0)
        cairn_pool_run(j->nested, nested_chunk, j);
}

/* Every chunk index runs exactly once, for any count of chunks and threads, nested or not. */
static void pool_every_chunk_once(void)
{
    static const size_t lens[] = {1, 2, 5, 64, 1000};
    for (size_t ti = 0; ti < THREAD_COUNTS; ti++) {
        use_threads(thread_counts[ti]);
        CHECK_EQ_U64(cairn_pool_threads(), thread_counts[ti]);
        for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
            size_t len = lens[li];
            atomic_uint *hits = calloc(len, sizeof *hits);
            atomic_uint nested_hits[7];
            if (!CHECK(hits != NULL))
                return;
            for (size_t i = 0; i < 7; i++)
                atomic_init(&nested_hits[i], 0u);
            struct count_job j = {hits, li == 2 ? 7u : 0u, nested_hits};
            cairn_pool_run(len, count_chunk, &j);
            size_t bad = 0;
            for (size_t i = 0; i < len; i++)
                bad += atomic_load(&hits[i]) != 1u;
            CHECK_EQ_U64(bad, 0);
            for (size_t i = 0; j.nested > 0 && i < 7; i++)
                CHECK_EQ_U64(atomic_load(&nested_hits[i]), len);
            free(hits);
        }
    }
    cairn_pool_run(0, count_chunk, NULL); /* nothing to do: fn is never called */
    cairn_pool_shutdown();
    use_threads(3);
    {
        atomic_uint hits[9];
        for (size_t i = 0; i < 9; i++)
            atomic_init(&hits[i], 0u);
        struct count_job j = {hits, 0, NULL};
        cairn_pool_run(9, count_chunk, &j); /* workers restart after a shutdown */
        for (size_t i = 0; i < 9; i++)
            CHECK_EQ_U64(atomic_load(&hits[i]), 1);
    }
    use_threads(1);
}

/* Thread counts: 0 means the online cores, the limit is enforced, chunks never depend on threads. */
static void pool_settings(void)
{
    CHECK(cairn_pool_online_cores() >= 1);
    CHECK(cairn_pool_set_threads(0, NULL) == CAIRN_OK);
    CHECK_EQ_U64(cairn_pool_threads(), cairn_pool_online_cores());
    cairn_error err;
    CHECK(cairn_pool_set_threads(CAIRN_POOL_MAX_THREADS + 1, &err) == CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "threads") != NULL);
    CHECK_EQ_U64(cairn_pool_chunks(0, 10), 1);
    CHECK_EQ_U64(cairn_pool_chunks(100, 10), 10);
    CHECK_EQ_U64(cairn_pool_chunks((size_t)1 << 30, 1), CAIRN_POOL_CHUNKS);
    CHECK_EQ_U64(cairn_pool_chunks(5, 0), 5);
    use_threads(1);
}

/* Write text into dir/rel, making the folders on the way; 0 on success. */
static int put(const char *dir, const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    for (char *q = path + strlen(dir) + 1; (q = strchr(q, '/')) != NULL; q++) {
        *q = 0;
        (void)mkdir(path, 0700);
        *q = '/';
    }
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    int bad = fputs(text, f) < 0;
    return fclose(f) != 0 || bad ? -1 : 0;
}

#define MIB(x) ((uint64_t)(x) << 20)

/*
 * The memory the prover may take, read from made-up /proc and cgroup
 * trees: MemAvailable alone; a v1 cgroup whose usage is mostly page cache
 * (the file pages do not count, else a cgroup full of a build's cache
 * would leave no room); a tighter ancestor; v2 with and without a limit;
 * nothing readable.
 */
static void pool_memory_available_files(void)
{
    char dir[] = "/tmp/cairn-memXXXXXX", f[600], sys[600];
    if (!CHECK(mkdtemp(dir) != NULL))
        return;
    snprintf(f, sizeof f, "%s/meminfo", dir);
    CHECK(put(dir, "meminfo", "MemTotal:  9000000 kB\nMemAvailable:  8388608 kB\n") == 0);
    CHECK_EQ_U64(cairn_pool_memory_available_at(f, "/nonexistent", "/nonexistent"), MIB(8192));
    CHECK_EQ_U64(cairn_pool_memory_available_at("/nonexistent", "/nonexistent", "/nonexistent"), 0);
    /* v1: 1 GiB limit, 900 MiB used of which 400 MiB file pages: 524 MiB left */
    snprintf(sys, sizeof sys, "%s/v1", dir);
    CHECK(put(dir, "self1", "9:name=systemd:/\n4:memory:/a/b\n1:cpu,cpuacct:/\n") == 0);
    CHECK(put(dir, "v1/memory/a/b/memory.limit_in_bytes", "1073741824\n") == 0);
    CHECK(put(dir, "v1/memory/a/b/memory.usage_in_bytes", "943718400\n") == 0);
    CHECK(put(dir, "v1/memory/a/b/memory.stat",
              "cache 419430400\nrss 1\nactive_file 1\ninactive_file 2\n"
              "total_active_file 104857600\ntotal_inactive_file 314572800\n") == 0);
    CHECK(put(dir, "v1/memory/a/memory.limit_in_bytes", "9223372036854771712\n") == 0);
    char self[600];
    snprintf(self, sizeof self, "%s/self1", dir);
    CHECK_EQ_U64(cairn_pool_memory_available_at(f, self, sys), MIB(524));
    /* an ancestor with 100 MiB of room and no memory.stat is the tighter one */
    CHECK(put(dir, "v1/memory/a/memory.limit_in_bytes", "629145600\n") == 0);
    CHECK(put(dir, "v1/memory/a/memory.usage_in_bytes", "524288000\n") == 0);
    CHECK_EQ_U64(cairn_pool_memory_available_at(f, self, sys), MIB(100));
    /* v2: full to its 2 GiB limit, 1.5 GiB of it file pages */
    snprintf(sys, sizeof sys, "%s/v2", dir);
    snprintf(self, sizeof self, "%s/self2", dir);
    CHECK(put(dir, "self2", "0::/s\n") == 0);
    CHECK(put(dir, "v2/cgroup.controllers", "cpu memory\n") == 0);
    CHECK(put(dir, "v2/s/memory.max", "2147483648\n") == 0);
    CHECK(put(dir, "v2/s/memory.current", "2147483648\n") == 0);
    CHECK(put(dir, "v2/s/memory.stat", "anon 536870912\nfile 1610612736\n"
                                       "active_file 536870912\ninactive_file 1073741824\n") == 0);
    CHECK_EQ_U64(cairn_pool_memory_available_at(f, self, sys), MIB(1536));
    /* no limit ("max"): MemAvailable */
    CHECK(put(dir, "v2/s/memory.max", "max\n") == 0);
    CHECK_EQ_U64(cairn_pool_memory_available_at(f, self, sys), MIB(8192));
    /* the hybrid layout: v2 under unified/ when the root has no cgroup.controllers */
    snprintf(sys, sizeof sys, "%s/hy", dir);
    CHECK(put(dir, "hy/unified/s/memory.max", "104857600\n") == 0);
    CHECK(put(dir, "hy/unified/s/memory.current", "0\n") == 0);
    CHECK_EQ_U64(cairn_pool_memory_available_at(f, self, sys), MIB(100));
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

/*
 * cairn_pool_chunk_range: for every small item and chunk count, the
 * chunks' ranges are in order, each ends where the next begins, the first
 * starts at 0, the last ends at items, and none is longer than
 * ceil(items / chunks).
 */
static void pool_chunk_ranges_tile(void)
{
    for (size_t items = 0; items <= 70; items++)
        for (size_t chunks = 1; chunks <= 66; chunks++) {
            size_t at = 0, per = (items + chunks - 1) / chunks, ok = 1;
            for (size_t c = 0; c < chunks; c++) {
                size_t lo, hi;
                cairn_pool_chunk_range(&lo, &hi, items, chunks, c);
                ok &= lo == at && hi >= lo && hi - lo <= per;
                at = hi;
            }
            if (!ok || at != items)
                FAIL("%zu items in %zu chunks: not a tiling", items, chunks);
        }
    test_pass();
}

/* ---- delayed reduction ------------------------------------------------------------ */

/* (a * b) mod p by 128-bit division: the slow reference. */
static uint64_t ref_mulmod(uint64_t a, uint64_t b)
{
    return (uint64_t)(((cairn_u128)a * b) % CAIRN_FP_P);
}

/*
 * cairn_fp2_mul (one reduction per coordinate), the Karatsuba and the
 * schoolbook products agree with each other and with a reference built on
 * 128-bit division, on random and edge values (0, 1, p - 1, 2^32, ...).
 */
static void fp2_mul_variants(void)
{
    static const uint64_t edge[] = {0, 1, 2, CAIRN_FP_P - 1, CAIRN_FP_P - 2, UINT64_C(1) << 32,
                                    CAIRN_FP_EPS, UINT64_C(1) << 63};
    size_t ne = sizeof edge / sizeof edge[0];
    for (unsigned long it = 0; it < test_iters + ne * ne * ne * ne; it++) {
        cairn_fp2 a, b;
        if (it < ne * ne * ne * ne) {
            a = cairn_fp2_make(cairn_fp_make(edge[it % ne]), cairn_fp_make(edge[it / ne % ne]));
            b = cairn_fp2_make(cairn_fp_make(edge[it / ne / ne % ne]),
                               cairn_fp_make(edge[it / ne / ne / ne]));
        } else {
            a = test_rand_fp2();
            b = test_rand_fp2();
        }
        uint64_t c0 = (uint64_t)(((cairn_u128)ref_mulmod(a.c0.v, b.c0.v) +
                                  ref_mulmod(7, ref_mulmod(a.c1.v, b.c1.v))) % CAIRN_FP_P);
        uint64_t c1 = (uint64_t)(((cairn_u128)ref_mulmod(a.c0.v, b.c1.v) +
                                  ref_mulmod(a.c1.v, b.c0.v)) % CAIRN_FP_P);
        cairn_fp2 want = cairn_fp2_make(cairn_fp_make(c0), cairn_fp_make(c1));
        CHECK_EQ_FP2(cairn_fp2_mul(a, b), want);
        CHECK_EQ_FP2(cairn_fp2_mul_karatsuba(a, b), want);
        CHECK_EQ_FP2(cairn_fp2_mul_schoolbook(a, b), want);
    }
}

/*
 * Unreduced accumulators against sums reduced at every step: long runs of
 * (p-1)^2 products (many carries out of 128 bits), random products,
 * additions of plain elements, and the extension accumulators.
 */
static void acc_matches_reduced_sums(void)
{
    for (unsigned round = 0; round < 3; round++) {
        cairn_fp_acc acc;
        cairn_fp2_acc acc2;
        cairn_fp want = cairn_fp_zero();
        cairn_fp2 want2 = cairn_fp2_zero();
        cairn_fp_acc_zero(&acc);
        cairn_fp2_acc_zero(&acc2);
        unsigned long n = round == 0 ? 5000 : test_iters;
        for (unsigned long i = 0; i < n; i++) {
            cairn_fp a = round == 0 ? cairn_fp_make(CAIRN_FP_P - 1) : test_rand_fp();
            cairn_fp b = round == 0 ? cairn_fp_make(CAIRN_FP_P - 1) : test_rand_fp();
            cairn_fp_acc_add_prod(&acc, a, b);
            want = cairn_fp_add(want, cairn_fp_make(ref_mulmod(a.v, b.v)));
            if (round == 2) {
                cairn_fp_acc_add(&acc, a);
                want = cairn_fp_add(want, a);
            }
            cairn_fp2 x = round == 0 ? cairn_fp2_make(a, b) : test_rand_fp2();
            cairn_fp2 y = round == 0 ? cairn_fp2_make(b, a) : test_rand_fp2();
            cairn_fp2_acc_add_mul(&acc2, x, y);
            cairn_fp2_acc_add_mul_fp(&acc2, x, b);
            want2 = cairn_fp2_add(want2, cairn_fp2_mul_schoolbook(x, y));
            want2 = cairn_fp2_add(want2, cairn_fp2_mul_fp(x, b));
        }
        CHECK_EQ_FP(cairn_fp_acc_reduce(&acc), want);
        CHECK_EQ_FP2(cairn_fp2_acc_reduce(&acc2), want2);
    }
    /* a sum that carries exactly once, and its reduction helper */
    cairn_u128 big = ((cairn_u128)1 << 127) + 5;
    CHECK_EQ_FP(cairn_fp_reduce_sum2(big, big),
                cairn_fp_add(cairn_fp_reduce128(big), cairn_fp_reduce128(big)));
}

static cairn_fp *rand_fp_array(size_t n);

/* ---- SIMD kernels ------------------------------------------------------------------ */

/* The kernel sets this CPU has: portable first, then AVX2 and AVX-512 where present. */
static size_t simd_sets(const cairn_simd_set **sets)
{
    size_t n = 0;
    sets[n++] = cairn_simd_portable();
    if (cairn_simd_avx2() != NULL)
        sets[n++] = cairn_simd_avx2();
    if (cairn_simd_avx512() != NULL)
        sets[n++] = cairn_simd_avx512();
    return n;
}

/* An element that is random, or one of the edge values 0, 1, p-1, p-2, 2^32, 2^32-1, 2^63. */
static cairn_fp simd_value(void)
{
    /* near 2^64 (p - 1, p - 2, p - 2^32 = 2^64 - 2^33 + 1), around 2^32 and 2^63 */
    static const uint64_t edge[] = {0,
                                    1,
                                    CAIRN_FP_P - 1,
                                    CAIRN_FP_P - 2,
                                    CAIRN_FP_P - CAIRN_FP_EPS - 1,
                                    CAIRN_FP_EPS,
                                    UINT64_C(1) << 32,
                                    (UINT64_C(1) << 32) + 1,
                                    UINT64_C(1) << 63};
    uint64_t r = test_rand_below(4);
    if (r == 0)
        return cairn_fp_make(edge[test_rand_below(sizeof edge / sizeof edge[0])]);
    return test_rand_fp();
}

/*
 * Every kernel of every set against scalar field operations (the portable
 * set's definition) on random and edge values, for lengths that leave
 * every possible tail (0..17 and a long run), and in place (out == a).
 */
static void simd_kernels_match_portable(void)
{
    const cairn_simd_set *sets[3];
    size_t ns = simd_sets(sets);
    CHECK(cairn_simd_kernels() != NULL);
    enum { MAXL = 203 };
    cairn_fp a[MAXL], b[MAXL], c[MAXL], d[MAXL], t[MAXL], u[MAXL], out[8][MAXL];
    for (size_t si = 0; si < ns; si++) {
        const cairn_simd_set *K = sets[si];
        for (unsigned long it = 0; it < test_iters / 20 + 20; it++) {
            size_t len = it < 18 ? it : MAXL - test_rand_below(8);
            for (size_t i = 0; i < len; i++) {
                a[i] = simd_value();
                b[i] = simd_value();
                c[i] = simd_value();
                d[i] = simd_value();
                t[i] = simd_value();
                u[i] = simd_value();
            }
            cairn_fp k = simd_value();
            K->mul(out[0], a, b, len);
            K->add(out[1], a, b, len);
            K->sub(out[2], a, b, len);
            K->scale(out[3], a, k, len);
            memcpy(out[4], a, len * sizeof *a);
            K->mul(out[4], out[4], b, len); /* in place */
            size_t bad = 0;
            for (size_t i = 0; i < len; i++) {
                bad += out[0][i].v != cairn_fp_mul(a[i], b[i]).v;
                bad += out[1][i].v != cairn_fp_add(a[i], b[i]).v;
                bad += out[2][i].v != cairn_fp_sub(a[i], b[i]).v;
                bad += out[3][i].v != cairn_fp_mul(a[i], k).v;
                bad += out[4][i].v != out[0][i].v;
            }
            /* butterflies: against the scalar formulas */
            memcpy(out[5], a, len * sizeof *a);
            memcpy(out[6], b, len * sizeof *b);
            K->butterfly(out[5], out[6], t, len);
            for (size_t i = 0; i < len; i++) {
                cairn_fp m = cairn_fp_mul(b[i], t[i]);
                bad += out[5][i].v != cairn_fp_add(a[i], m).v;
                bad += out[6][i].v != cairn_fp_sub(a[i], m).v;
            }
            cairn_fp x0[MAXL], x1[MAXL], x2[MAXL], x3[MAXL];
            memcpy(x0, a, len * sizeof *a);
            memcpy(x1, b, len * sizeof *b);
            memcpy(x2, c, len * sizeof *c);
            memcpy(x3, d, len * sizeof *d);
            K->butterfly4(x0, x1, x2, x3, t, u, out[3], len);
            for (size_t i = 0; i < len; i++) {
                cairn_fp m1 = cairn_fp_mul(b[i], t[i]), m3 = cairn_fp_mul(d[i], t[i]);
                cairn_fp b0 = cairn_fp_add(a[i], m1), b1 = cairn_fp_sub(a[i], m1);
                cairn_fp b2 = cairn_fp_add(c[i], m3), b3 = cairn_fp_sub(c[i], m3);
                cairn_fp n2 = cairn_fp_mul(b2, u[i]), n3 = cairn_fp_mul(b3, out[3][i]);
                bad += x0[i].v != cairn_fp_add(b0, n2).v;
                bad += x2[i].v != cairn_fp_sub(b0, n2).v;
                bad += x1[i].v != cairn_fp_add(b1, n3).v;
                bad += x3[i].v != cairn_fp_sub(b1, n3).v;
            }
            /* fold2 of len/2 pairs, out of place and in place, against the scalar formula */
            cairn_fp2 f2[MAXL], g2[MAXL], h2[MAXL];
            cairn_fp2 cc = cairn_fp2_make(simd_value(), simd_value());
            for (size_t i = 0; i < len; i++)
                f2[i] = h2[i] = cairn_fp2_make(a[i], b[i]);
            K->fold2(g2, f2, len / 2, cc);
            K->fold2(h2, h2, len / 2, cc);
            for (size_t i = 0; i < len / 2; i++) {
                cairn_fp2 want = cairn_fp2_add(
                    f2[2 * i], cairn_fp2_mul_schoolbook(cc, cairn_fp2_sub(f2[2 * i + 1], f2[2 * i])));
                bad += (size_t)(!cairn_fp2_eq(g2[i], want)) + (size_t)(!cairn_fp2_eq(h2[i], want));
            }
            /* fold1 of len/2 base pairs, against the scalar formula */
            K->fold1(g2, a, len / 2, cc);
            for (size_t i = 0; i < len / 2; i++) {
                cairn_fp2 want =
                    cairn_fp2_add(cairn_fp2_from_fp(a[2 * i]),
                                  cairn_fp2_mul_schoolbook(
                                      cc, cairn_fp2_from_fp(cairn_fp_sub(a[2 * i + 1], a[2 * i]))));
                bad += (size_t)(!cairn_fp2_eq(g2[i], want));
            }
            /* eq2: hi = lo r, lo = lo - hi */
            for (size_t i = 0; i < len; i++)
                h2[i] = f2[i];
            K->eq2(h2, g2, len, cc);
            for (size_t i = 0; i < len; i++) {
                cairn_fp2 hi = cairn_fp2_mul_schoolbook(f2[i], cc);
                bad += (size_t)(!cairn_fp2_eq(g2[i], hi)) +
                       (size_t)(!cairn_fp2_eq(h2[i], cairn_fp2_sub(f2[i], hi)));
            }
            /* ntt16 on len/16 blocks: each bit-reversed block becomes its 16-point DFT */
            {
                cairn_fp t2[2], t3[4], t4[8], w16 = cairn_fp_root_of_unity(4);
                for (size_t j = 0; j < 8; j++)
                    t4[j] = cairn_fp_pow(w16, j);
                for (size_t j = 0; j < 4; j++)
                    t3[j] = t4[2 * j];
                t2[0] = t4[0];
                t2[1] = t4[4];
                size_t nb = len / 16;
                for (size_t i = 0; i < 16 * nb; i++) {
                    size_t blk = i & ~(size_t)15, r = i & 15;
                    size_t rr = ((r & 1) << 3) | ((r & 2) << 1) | ((r & 4) >> 1) | ((r & 8) >> 3);
                    out[7][blk + rr] = a[i];
                }
                K->ntt16(out[7], 16 * nb, t2, t3, t4);
                for (size_t i = 0; i < 16 * nb; i++) {
                    size_t blk = i & ~(size_t)15, k16 = i & 15;
                    cairn_fp want = cairn_fp_zero();
                    for (size_t q = 0; q < 16; q++)
                        want = cairn_fp_add(
                            want, cairn_fp_mul(a[blk + q], cairn_fp_pow(w16, (q * k16) % 16)));
                    bad += out[7][i].v != want.v;
                }
            }
            if (bad != 0) {
                test_fail(__FILE__, __LINE__, "kernel set %s: %zu wrong outputs at length %zu",
                          K->name, bad, len);
                return;
            }
            test_pass();
        }
    }
}

/*
 * Transforms with each kernel set forced (the portable one explicitly, as on
 * a CPU without AVX2) give the same bytes; the forced choice is visible and
 * restored afterwards.
 */
static void simd_ntt_every_set(void)
{
    const cairn_simd_set *sets[3];
    size_t ns = simd_sets(sets), n = (size_t)1 << 12;
    const cairn_simd_set *before = cairn_simd_kernels();
    cairn_fp *in = rand_fp_array(n), *ref = malloc(5 * n * sizeof *ref),
             *got = malloc(5 * n * sizeof *got);
    if (!CHECK(in != NULL && ref != NULL && got != NULL))
        goto out;
    for (size_t si = 0; si < ns; si++) {
        cairn_simd_use(sets[si]);
        CHECK(cairn_simd_kernels() == sets[si]);
        cairn_fp *o = si == 0 ? ref : got;
        memcpy(o, in, n * sizeof *in);
        CHECK(cairn_ntt_forward(o, n, NULL) == CAIRN_OK);
        CHECK(cairn_rs_encode(o + n, 2 * n, in, n / 2, 2, CAIRN_RS_COEFFS, NULL) == CAIRN_OK);
        memcpy(o + 3 * n, in, n * sizeof *in);
        CHECK(cairn_ntt_coset_inverse(o + 3 * n, n, cairn_fp_make(3), NULL) == CAIRN_OK);
        CHECK(cairn_rs_encode_coset(o + 4 * n, n, in, n, 2, 3, CAIRN_RS_COEFFS, NULL) == CAIRN_OK);
        if (si > 0)
            CHECK_MEM_EQ(got, ref, 5 * n * sizeof *ref);
    }
out:
    cairn_simd_use(NULL);
    CHECK(cairn_simd_kernels() == before);
    free(in);
    free(ref);
    free(got);
}

/* ---- NTT and Reed–Solomon ------------------------------------------------------- */

static cairn_fp *rand_fp_array(size_t n)
{
    cairn_fp *a = malloc((n > 0 ? n : 1) * sizeof *a);
    if (a != NULL)
        for (size_t i = 0; i < n; i++)
            a[i] = test_rand_fp();
    return a;
}

/* f(x) for coefficients c[0..n) by Horner's rule. */
static cairn_fp horner(const cairn_fp *c, size_t n, cairn_fp x)
{
    cairn_fp acc = cairn_fp_zero();
    for (size_t i = n; i-- > 0;)
        acc = cairn_fp_add(cairn_fp_mul(acc, x), c[i]);
    return acc;
}

/*
 * Reference checks of the one-thread outputs at a few random positions (the
 * chunked passes at these sizes are otherwise only compared with each
 * other): forward[i] = f(w^i), coset[i] = f(shift w^i), and for coefficient
 * messages the rate-1/4 codeword rs[i] = f(w_{4n}^i).
 */
static void ntt_spot_check(const cairn_fp *in, size_t n, const cairn_fp *fwd, const cairn_fp *coset,
                           const cairn_fp *rs, int rs_coeffs, cairn_fp shift)
{
    unsigned lg = 0;
    while (((size_t)1 << lg) < n)
        lg++;
    cairn_fp w = cairn_fp_root_of_unity(lg), w4 = cairn_fp_root_of_unity(lg + 2);
    for (int q = 0; q < 6; q++) {
        size_t i = q == 0 ? n - 1 : (size_t)test_rand_below(n);
        cairn_fp wi = cairn_fp_pow(w, i);
        CHECK_EQ_FP(fwd[i], horner(in, n, wi));
        CHECK_EQ_FP(coset[i], horner(in, n, cairn_fp_mul(shift, wi)));
        if (rs_coeffs) {
            size_t r = (size_t)test_rand_below(4 * n);
            CHECK_EQ_FP(rs[r], horner(in, n, cairn_fp_pow(w4, r)));
        }
    }
}

/*
 * Every transform at sizes that take the serial path, the blocked path and
 * the top-level parallel block path (above 2^16), for each thread count,
 * equals the one-thread result (which test_ntt checks against the O(n^2) DFT).
 */
static void ntt_threads_identical(void)
{
    static const unsigned logs[] = {3, 10, 14, 17};
    for (size_t li = 0; li < sizeof logs / sizeof logs[0]; li++) {
        size_t n = (size_t)1 << logs[li];
        cairn_fp *in = rand_fp_array(n), *ref = malloc(5 * 4 * n * sizeof *ref),
                 *got = malloc(5 * 4 * n * sizeof *got);
        cairn_fp shift = cairn_fp_make(7);
        if (!CHECK(in != NULL && ref != NULL && got != NULL))
            return;
        for (size_t ti = 0; ti < THREAD_COUNTS; ti++) {
            use_threads(thread_counts[ti]);
            cairn_fp *out = ti == 0 ? ref : got;
            for (size_t w = 0; w < 5; w++)
                memcpy(out + w * 4 * n, in, n * sizeof *in);
            CHECK(cairn_ntt_forward(out, n, NULL) == CAIRN_OK);
            CHECK(cairn_ntt_inverse(out + 4 * n, n, NULL) == CAIRN_OK);
            CHECK(cairn_ntt_coset_forward(out + 8 * n, n, shift, NULL) == CAIRN_OK);
            CHECK(cairn_ntt_coset_inverse(out + 12 * n, n, shift, NULL) == CAIRN_OK);
            CHECK(cairn_rs_encode(out + 16 * n, 4 * n, in, n, 2,
                                  logs[li] % 2 ? CAIRN_RS_EVALS : CAIRN_RS_COEFFS, NULL) == CAIRN_OK);
            if (ti == 0)
                ntt_spot_check(in, n, out, out + 8 * n, out + 16 * n, logs[li] % 2 == 0, shift);
            if (ti > 0) {
                CHECK_MEM_EQ(got, ref, n * sizeof *ref);
                CHECK_MEM_EQ(got + 4 * n, ref + 4 * n, n * sizeof *ref);
                CHECK_MEM_EQ(got + 8 * n, ref + 8 * n, n * sizeof *ref);
                CHECK_MEM_EQ(got + 12 * n, ref + 12 * n, n * sizeof *ref);
                CHECK_MEM_EQ(got + 16 * n, ref + 16 * n, 4 * n * sizeof *ref);
            }
        }
        free(in);
        free(ref);
        free(got);
    }
    use_threads(1);
}

/* ---- eq tables and folds ---------------------------------------------------------- */

/*
 * eq tables, in-place folds (whose parallel schedule reorders the writes)
 * and out-of-place folds against plain serial loops, for every thread count.
 */
static void poly_threads_match_reference(void)
{
    size_t nv = 15, len = (size_t)1 << nv;
    cairn_fp2 r[15], *eq = malloc(len * sizeof *eq), *ref = malloc(len * sizeof *ref);
    cairn_fp2 *tab = malloc(len * sizeof *tab), *fold = malloc(len * sizeof *fold);
    cairn_fp *base = rand_fp_array(len);
    if (!CHECK(eq && ref && tab && fold && base))
        goto out;
    for (size_t i = 0; i < nv; i++)
        r[i] = test_rand_fp2();
    /* reference eq: eq(j, r) = prod (b_i ? r_i : 1 - r_i) */
    for (size_t j = 0; j < len; j++) {
        cairn_fp2 e = cairn_fp2_one();
        for (size_t i = 0; i < nv; i++)
            e = cairn_fp2_mul(e, (j >> i) & 1 ? r[i] : cairn_fp2_sub(cairn_fp2_one(), r[i]));
        ref[j] = e;
    }
    for (size_t ti = 0; ti < THREAD_COUNTS; ti++) {
        use_threads(thread_counts[ti]);
        CHECK(cairn_poly_eq_table(eq, r, nv) == CAIRN_OK);
        CHECK_MEM_EQ(eq, ref, len * sizeof *eq);
        /* in-place folds of every length from len down to 2 */
        for (size_t j = 0; j < len; j++)
            tab[j] = ref[j];
        for (size_t l = len; l >= 2; l /= 2) {
            cairn_fp2 c = r[l % nv];
            for (size_t j = 0; j < l / 2; j++)
                fold[j] = cairn_fp2_add(tab[2 * j],
                                        cairn_fp2_mul(c, cairn_fp2_sub(tab[2 * j + 1], tab[2 * j])));
            cairn_poly_fold_fp2(tab, l, c);
            CHECK_MEM_EQ(tab, fold, l / 2 * sizeof *tab);
        }
        cairn_poly_fold_fp(fold, base, len, r[3]);
        for (size_t j = 0; j < len / 2; j++)
            tab[j] = cairn_fp2_add(cairn_fp2_from_fp(base[2 * j]),
                                   cairn_fp2_mul_fp(r[3], cairn_fp_sub(base[2 * j + 1], base[2 * j])));
        CHECK_MEM_EQ(fold, tab, len / 2 * sizeof *tab);
        cairn_poly_fold_fp2_into(fold, ref, len, r[4]);
        for (size_t j = 0; j < len / 2; j++)
            tab[j] = cairn_fp2_add(ref[2 * j],
                                   cairn_fp2_mul(r[4], cairn_fp2_sub(ref[2 * j + 1], ref[2 * j])));
        CHECK_MEM_EQ(fold, tab, len / 2 * sizeof *tab);
    }
out:
    use_threads(1);
    free(eq);
    free(ref);
    free(tab);
    free(fold);
    free(base);
}

/* ---- sum-check ------------------------------------------------------------------- */

struct sc_run {
    cairn_sumcheck_proof proof;
    cairn_fp2 point[20], evals[8];
    uint8_t digest[32];
};

/* A digest of the transcript state after a proof: equal digests mean equal transcripts. */
static void transcript_digest(uint8_t out[32], cairn_transcript *t)
{
    cairn_fp2 x = cairn_transcript_squeeze_fp2(t, "test/end");
    memset(out, 0, 32);
    cairn_fp2_encode(out, x);
}

static int sc_run_equal(const struct sc_run *a, const struct sc_run *b, size_t n, size_t k)
{
    return a->proof.rounds == b->proof.rounds && a->proof.degree == b->proof.degree &&
           memcmp(a->proof.evals, b->proof.evals,
                  a->proof.rounds * a->proof.degree * sizeof *a->proof.evals) == 0 &&
           memcmp(a->point, b->point, n * sizeof *a->point) == 0 &&
           memcmp(a->evals, b->evals, k * sizeof *a->evals) == 0 &&
           memcmp(a->digest, b->digest, 32) == 0;
}

/*
 * The in-memory prover (with and without eq, base and extension inputs),
 * the batched prover and the streaming prover at several switch rounds give
 * the same proof, point, evaluations and transcript for every thread count.
 */
static void sumcheck_threads_identical(void)
{
    size_t n = 15, len = (size_t)1 << n, k = 3;
    static const cairn_sumcheck_term t3 = {{{1}, {0}}, 3, {0, 1, 2}};
    cairn_sumcheck_term tm[2];
    tm[0] = t3;
    tm[1].coeff = cairn_fp2_make(cairn_fp_make(5), cairn_fp_make(3));
    tm[1].factors_len = 2;
    tm[1].factors[0] = 1;
    tm[1].factors[1] = 2;
    const cairn_sumcheck_expr expr = {tm, 2, 3};
    cairn_fp *cols[3], *rows = malloc(len * k * sizeof *rows);
    cairn_fp2 *ext = malloc(len * sizeof *ext), tau[20];
    struct sc_run ref[4], got;
    memset(ref, 0, sizeof ref);
    memset(&got, 0, sizeof got);
    for (size_t c = 0; c < k; c++)
        cols[c] = rand_fp_array(len);
    if (!CHECK(rows && ext && cols[0] && cols[1] && cols[2]))
        goto out;
    for (size_t x = 0; x < len; x++) {
        ext[x] = test_rand_fp2();
        for (size_t c = 0; c < k; c++)
            rows[x * k + c] = cols[c][x];
    }
    for (size_t i = 0; i < n; i++)
        tau[i] = test_rand_fp2();
    cairn_sumcheck_input in_base[3] = {{cols[0], NULL, 0}, {cols[1], NULL, 0}, {cols[2], NULL, 0}};
    cairn_sumcheck_input in_mixed[3] = {{cols[0], NULL, 0}, {NULL, ext, 0}, {cols[2], NULL, 0}};
    /*
     * The true claims by brute force, so that the one-thread proofs (whose
     * rounds run in several pool chunks at this size) are checked by the
     * verifier, not only compared between thread counts.
     */
    cairn_fp2 claim = cairn_fp2_zero(), claim_mixed = cairn_fp2_zero();
    cairn_fp2 *eq = malloc(len * sizeof *eq);
    if (!CHECK(eq != NULL && cairn_poly_eq_table(eq, tau, n) == CAIRN_OK))
        goto out;
    for (size_t x = 0; x < len; x++) {
        cairn_fp2 v[3], vm[3];
        for (size_t c = 0; c < k; c++)
            v[c] = vm[c] = cairn_fp2_from_fp(cols[c][x]);
        vm[1] = ext[x];
        claim = cairn_fp2_add(claim, cairn_fp2_mul(eq[x], cairn_sumcheck_expr_eval(&expr, v)));
        claim_mixed = cairn_fp2_add(claim_mixed, cairn_sumcheck_expr_eval(&expr, vm));
    }
    free(eq);
    for (size_t ti = 0; ti < THREAD_COUNTS; ti++) {
        use_threads(thread_counts[ti]);
        for (size_t v = 0; v < 4; v++) {
            struct sc_run *o = ti == 0 ? &ref[v] : &got;
            cairn_transcript t;
            cairn_transcript_init(&t, "test/engine");
            cairn_status st;
            if (v == 0) {
                st = cairn_sumcheck_prove(&o->proof, o->point, o->evals, &t, &expr, tau, in_base,
                                          k, n, claim, NULL);
            } else if (v == 1) {
                st = cairn_sumcheck_prove(&o->proof, o->point, o->evals, &t, &expr, NULL, in_mixed,
                                          k, n, claim_mixed, NULL);
            } else if (v == 2) {
                cairn_sumcheck_instance inst[2] = {{&expr, tau, in_base, n, claim},
                                                   {&expr, NULL, in_mixed, n - 3, claim_mixed}};
                st = cairn_sumcheck_batch_prove(&o->proof, o->point, o->evals, &t, inst, 2, NULL);
            } else {
                cairn_rows src;
                cairn_rows_table impl;
                cairn_sumcheck_stream_opts so = {0, 3, NULL, 0};
                cairn_rows_table_init(&src, &impl, rows, len, k, 10000); /* 2 pool chunks */
                st = cairn_sumcheck_prove_stream(&o->proof, o->point, o->evals, NULL, &t, &expr,
                                                 tau, &src, n, claim, &so, NULL);
            }
            CHECK(st == CAIRN_OK);
            transcript_digest(o->digest, &t);
            if (ti == 0 && v < 2) {
                cairn_transcript vt;
                cairn_fp2 vpt[20];
                cairn_error err;
                cairn_transcript_init(&vt, "test/engine");
                if (!CHECK(cairn_sumcheck_verify_claim(vpt, &vt, &o->proof, &expr,
                                                       v == 0 ? tau : NULL, n,
                                                       v == 0 ? claim : claim_mixed, o->evals, k,
                                                       &err) == CAIRN_OK))
                    test_fail(__FILE__, __LINE__, "variant %zu rejected: %s", v, err.msg);
            }
            /* the streaming prover's proof is the in-memory prover's, byte for byte */
            if (v == 3 && !CHECK(sc_run_equal(o, &ref[0], n, k)))
                test_fail(__FILE__, __LINE__, "streaming differs from in memory at %u threads",
                          thread_counts[ti]);
            if (ti > 0) {
                size_t evals_len = v == 2 ? 2 * k : k;
                if (!CHECK(sc_run_equal(&got, &ref[v], n, evals_len)))
                    test_fail(__FILE__, __LINE__, "variant %zu differs at %u threads", v,
                              thread_counts[ti]);
                cairn_sumcheck_proof_clear(&got.proof);
            }
        }
    }
out:
    use_threads(1);
    for (size_t v = 0; v < 4; v++)
        cairn_sumcheck_proof_clear(&ref[v].proof);
    cairn_sumcheck_proof_clear(&got.proof);
    for (size_t c = 0; c < k; c++)
        free(cols[c]);
    free(rows);
    free(ext);
}

/*
 * The single-product fast path of the round kernel against the generic
 * kernel: for 1 to 4 factors (one repeated), a coefficient other than 1,
 * base, extension and mixed tables, and a tau with zero coordinates (the
 * rounds that evaluate q(1) instead of deriving it), the proofs, points,
 * evaluations and transcripts are identical.
 */
static void sumcheck_fast_path_matches_generic(void)
{
    size_t n = 11, len = (size_t)1 << n;
    cairn_fp *b[3];
    cairn_fp2 *x = malloc(len * sizeof *x), tau[11];
    for (size_t c = 0; c < 3; c++)
        b[c] = rand_fp_array(len);
    if (!CHECK(x && b[0] && b[1] && b[2]))
        goto out;
    for (size_t i = 0; i < len; i++)
        x[i] = test_rand_fp2();
    for (size_t i = 0; i < n; i++)
        tau[i] = i == 0 || i == 5 ? cairn_fp2_zero() : test_rand_fp2();
    for (size_t d = 1; d <= 5; d++) {
        for (size_t form = 0; form < 3; form++) {
            cairn_sumcheck_term tm;
            tm.coeff = cairn_fp2_make(cairn_fp_make(3), cairn_fp_make(11));
            tm.factors_len = d;
            for (size_t u = 0; u < d; u++)
                tm.factors[u] = (uint8_t)(u == 3 ? 0 : u % 3); /* input 0 twice from d = 4 */
            const cairn_sumcheck_expr expr = {&tm, 1, 3};
            cairn_sumcheck_input in[3];
            for (size_t c = 0; c < 3; c++) {
                int ext = form == 2 || (form == 1 && c == 1);
                in[c].fp = ext ? NULL : b[c];
                in[c].fp2 = ext ? x : NULL;
                in[c].small_bits = 0;
            }
            struct sc_run r[2];
            memset(r, 0, sizeof r);
            for (int g = 0; g < 2; g++) {
                cairn_transcript t;
                cairn_transcript_init(&t, "test/fast");
                sc_generic_only = g;
                CHECK(cairn_sumcheck_prove(&r[g].proof, r[g].point, r[g].evals, &t, &expr, tau, in,
                                           3, n, cairn_fp2_one(), NULL) == CAIRN_OK);
                transcript_digest(r[g].digest, &t);
            }
            sc_generic_only = 0;
            if (!CHECK(sc_run_equal(&r[0], &r[1], n, 3)))
                test_fail(__FILE__, __LINE__, "%zu factors, form %zu: fast path differs", d, form);
            cairn_sumcheck_proof_clear(&r[0].proof);
            cairn_sumcheck_proof_clear(&r[1].proof);
        }
    }
out:
    sc_generic_only = 0;
    for (size_t c = 0; c < 3; c++)
        free(b[c]);
    free(x);
}

/*
 * The claim reduction (W built on the pool, then the sum-check) gives the
 * same bytes for every thread count, and a proof the verifier accepts.
 */
static void sumcheck_reduce_threads_identical(void)
{
    size_t n = 14, len = (size_t)1 << n, m = 3;
    cairn_fp *f = rand_fp_array(len);
    cairn_fp2 pts[3 * 14], vals[3];
    struct sc_run ref, got;
    memset(&ref, 0, sizeof ref);
    memset(&got, 0, sizeof got);
    if (!CHECK(f != NULL))
        return;
    for (size_t i = 0; i < m * n; i++)
        pts[i] = test_rand_fp2();
    for (size_t j = 0; j < m; j++)
        CHECK(cairn_poly_eval_fp(&vals[j], f, pts + j * n, n) == CAIRN_OK);
    cairn_sumcheck_input in = {f, NULL, 0};
    for (size_t ti = 0; ti < THREAD_COUNTS; ti++) {
        struct sc_run *r = ti == 0 ? &ref : &got;
        cairn_transcript t;
        use_threads(thread_counts[ti]);
        cairn_transcript_init(&t, "test/reduce");
        CHECK(cairn_sumcheck_reduce_prove(&r->proof, r->point, r->evals, &t, &in, n, pts, vals, m,
                                          NULL) == CAIRN_OK);
        transcript_digest(r->digest, &t);
        if (ti > 0) {
            if (!CHECK(sc_run_equal(&got, &ref, n, 1)))
                test_fail(__FILE__, __LINE__, "claim reduction differs at %u threads",
                          thread_counts[ti]);
            cairn_sumcheck_proof_clear(&got.proof);
        }
    }
    use_threads(1);
    /* and the reference is right: the verifier accepts, the value is f(point) */
    cairn_transcript tv;
    cairn_fp2 vpt[14], fv;
    cairn_transcript_init(&tv, "test/reduce");
    CHECK(cairn_sumcheck_reduce_verify(vpt, &tv, &ref.proof, n, pts, vals, m, ref.evals[0], NULL) ==
          CAIRN_OK);
    CHECK(cairn_poly_eval_fp(&fv, f, ref.point, n) == CAIRN_OK);
    CHECK_EQ_FP2(fv, ref.evals[0]);
    cairn_sumcheck_proof_clear(&ref.proof);
    free(f);
}

/* ---- small-value rounds -------------------------------------------------------- */

/* A random entry below 2^bits, or an edge value (0, 1, 2^bits - 1) one time in four. */
static cairn_fp small_entry(unsigned bits)
{
    uint64_t top = bits >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;
    switch (test_rand_below(12)) {
    case 0:
        return cairn_fp_zero();
    case 1:
        return cairn_fp_make(1 & top);
    case 2:
        return cairn_fp_from_u64(top);
    default:
        return cairn_fp_from_u64(test_rand_u64() & top);
    }
}

/* Prove once into r (threads, generic or not, inputs as given); CHECKs that it succeeds. */
static void small_run(struct sc_run *r, const cairn_sumcheck_expr *e, const cairn_fp2 *tau,
                      const cairn_sumcheck_input *in, size_t n, cairn_fp2 claim)
{
    cairn_transcript t;
    cairn_transcript_init(&t, "test/small");
    CHECK(cairn_sumcheck_prove(&r->proof, r->point, r->evals, &t, e, tau, in, e->inputs_len, n,
                               claim, NULL) == CAIRN_OK);
    transcript_digest(r->digest, &t);
}

/* The true claim sum_x g(f(x)) [eq(tau, x)] by brute force. */
static cairn_fp2 small_claim(const cairn_sumcheck_expr *e, const cairn_fp2 *tau,
                             cairn_fp *const *cols, size_t n)
{
    size_t len = (size_t)1 << n;
    cairn_fp2 *eq = malloc(len * sizeof *eq), sum = cairn_fp2_zero(), v[4];
    if (eq == NULL)
        return sum;
    if (tau != NULL)
        (void)cairn_poly_eq_table(eq, tau, n);
    for (size_t x = 0; x < len; x++) {
        for (size_t c = 0; c < e->inputs_len; c++)
            v[c] = cairn_fp2_from_fp(cols[c][x]);
        cairn_fp2 g = cairn_sumcheck_expr_eval(e, v);
        sum = cairn_fp2_add(sum, tau != NULL ? cairn_fp2_mul(g, eq[x]) : g);
    }
    free(eq);
    return sum;
}

/*
 * The small-value rounds against the generic prover: for every switch
 * round L = 1..4 (forced) and the automatic choice, for expressions of
 * degree 1 to 4 (one product, a repeated factor, several terms with
 * coefficients and a constant), with and without tau (random, and with
 * zero coordinates so that the kernel must evaluate q(1)), inputs of 1, 8,
 * 32 and 40 bits with edge values, n from L to 7: identical proof, point,
 * evaluations and transcript, a claim the verifier accepts, and the path
 * did run whenever its bounds hold.  Also the threads, 1, 2, 3 and 8, and
 * the streaming prover with the promise (a switch j >= L, source chunks of
 * 1, 3, 7 rows or one chunk, inputs in permuted columns): the same bytes,
 * in j - L + 2 passes.
 */
static void sumcheck_small_matches_generic(void)
{
    static const unsigned bits_list[] = {1, 8, 32, 40};
    cairn_fp *cols[4] = {NULL, NULL, NULL, NULL};
    size_t maxn = 7, len = (size_t)1 << maxn;
    cairn_fp *rows = malloc(5 * len * sizeof *rows);
    for (size_t c = 0; c < 4; c++)
        cols[c] = malloc(len * sizeof(cairn_fp));
    if (!CHECK(cols[0] && cols[1] && cols[2] && cols[3] && rows))
        goto out;
    for (size_t form = 0; form < 5; form++) {
        cairn_sumcheck_term tm[3];
        size_t terms = 1, k = 3;
        memset(tm, 0, sizeof tm);
        tm[0].coeff = cairn_fp2_one();
        if (form == 0) { /* f0 f1 (degree 3 with eq) */
            tm[0].factors_len = 2;
            tm[0].factors[0] = 0;
            tm[0].factors[1] = 1;
        } else if (form == 1) { /* f0 f1 f2 */
            tm[0].factors_len = 3;
            for (uint16_t u = 0; u < 3; u++)
                tm[0].factors[u] = u;
        } else if (form == 2) { /* f0 */
            tm[0].factors_len = 1;
            k = 1;
        } else if (form == 3) { /* 3 f0 f0 f1 f2 + (2+5X) f1 + 9 */
            tm[0].coeff = cairn_fp2_make(cairn_fp_make(3), cairn_fp_zero());
            tm[0].factors_len = 4;
            tm[0].factors[0] = 0;
            tm[0].factors[1] = 0;
            tm[0].factors[2] = 1;
            tm[0].factors[3] = 2;
            tm[1].coeff = cairn_fp2_make(cairn_fp_make(2), cairn_fp_make(5));
            tm[1].factors_len = 1;
            tm[1].factors[0] = 1;
            tm[2].coeff = cairn_fp2_make(cairn_fp_make(9), cairn_fp_zero());
            terms = 3;
        } else { /* f0 f1 - f2 f3 (a constraint of two products) */
            tm[0].factors_len = 2;
            tm[0].factors[0] = 0;
            tm[0].factors[1] = 1;
            tm[1].coeff = cairn_fp2_neg(cairn_fp2_one());
            tm[1].factors_len = 2;
            tm[1].factors[0] = 2;
            tm[1].factors[1] = 3;
            terms = 2;
            k = 4;
        }
        const cairn_sumcheck_expr e = {tm, terms, k};
        for (size_t bi = 0; bi < sizeof bits_list / sizeof bits_list[0]; bi++) {
            unsigned bits = bits_list[bi];
            for (size_t taukind = 0; taukind < 3; taukind++) {
                for (size_t L = 0; L <= SC_SMALL_MAX_ROUNDS + 1; L++) {
                    /* L = SC_SMALL_MAX_ROUNDS + 1 stands for the automatic choice */
                    size_t n = L <= SC_SMALL_MAX_ROUNDS ? L + test_rand_below(maxn - L + 1)
                                                        : 1 + test_rand_below(maxn);
                    cairn_fp2 tau[8];
                    for (size_t i = 0; i < n; i++)
                        tau[i] = taukind == 2 && (i % 2 == 0) ? cairn_fp2_zero() : test_rand_fp2();
                    for (size_t c = 0; c < k; c++)
                        for (size_t x = 0; x < ((size_t)1 << n); x++)
                            cols[c][x] = small_entry(bits);
                    const cairn_fp2 *tp = taukind == 0 ? NULL : tau;
                    cairn_fp2 claim = small_claim(&e, tp, cols, n);
                    cairn_sumcheck_input in[4], plain[4];
                    for (size_t c = 0; c < k; c++) {
                        in[c] = (cairn_sumcheck_input){cols[c], NULL, bits};
                        plain[c] = (cairn_sumcheck_input){cols[c], NULL, 0};
                    }
                    struct sc_run ref, got;
                    memset(&ref, 0, sizeof ref);
                    memset(&got, 0, sizeof got);
                    small_run(&ref, &e, tp, plain, n, claim);
                    sc_small_force = L <= SC_SMALL_MAX_ROUNDS ? L : CAIRN_SUMCHECK_SWITCH_AUTO;
                    size_t before = sc_small_passes;
                    unsigned th = thread_counts[test_rand_below(THREAD_COUNTS)];
                    use_threads(th);
                    small_run(&got, &e, tp, in, n, claim);
                    use_threads(1);
                    size_t ran = sc_small_passes - before;
                    sc_small_force = CAIRN_SUMCHECK_SWITCH_AUTO;
                    if (!CHECK(sc_run_equal(&got, &ref, n, k)))
                        test_fail(__FILE__, __LINE__,
                                  "form %zu, %u bits, tau kind %zu, L %zu, n %zu, %u threads: "
                                  "small-value rounds differ",
                                  form, bits, taukind, L, n, th);
                    cairn_transcript t;
                    cairn_fp2 pt[8];
                    cairn_transcript_init(&t, "test/small");
                    CHECK(cairn_sumcheck_verify_claim(pt, &t, &got.proof, &e, tp, n, claim,
                                                      got.evals, k, NULL) == CAIRN_OK);
                    /* the path must have run where its bounds certainly hold */
                    int must = L >= 1 && L <= 3 && bits <= 32 && form != 3;
                    if (must && !CHECK(ran == 1))
                        test_fail(__FILE__, __LINE__, "form %zu, %u bits, L %zu: path did not run",
                                  form, bits, L);
                    if (L == 0)
                        CHECK(ran == 0);
                    /* streaming: rows with a spare column, inputs reversed; a switch j >= L */
                    size_t width = k + 1, cols_map[4], j = n;
                    for (size_t c = 0; c < k; c++)
                        cols_map[c] = k - c;
                    for (size_t x = 0; x < ((size_t)1 << n); x++) {
                        rows[x * width] = cairn_fp_make(CAIRN_FP_P - 1);
                        for (size_t c = 0; c < k; c++)
                            rows[x * width + cols_map[c]] = cols[c][x];
                    }
                    if (L >= 1 && L <= SC_SMALL_MAX_ROUNDS)
                        j = L + test_rand_below(n - L + 1);
                    static const size_t chunking[] = {0, 1, 3, 7};
                    cairn_rows src;
                    cairn_rows_table impl;
                    cairn_rows_table_init(&src, &impl, rows, (uint64_t)1 << n, width,
                                          chunking[test_rand_below(4)]);
                    cairn_sumcheck_stream_opts so = {0, j, cols_map, bits};
                    cairn_sumcheck_stream_stats sst;
                    cairn_transcript ts;
                    struct sc_run sg;
                    memset(&sg, 0, sizeof sg);
                    cairn_transcript_init(&ts, "test/small");
                    sc_small_force = L <= SC_SMALL_MAX_ROUNDS ? L : CAIRN_SUMCHECK_SWITCH_AUTO;
                    before = sc_small_passes;
                    use_threads(th);
                    CHECK(cairn_sumcheck_prove_stream(&sg.proof, sg.point, sg.evals, &sst, &ts, &e,
                                                      tp, &src, n, claim, &so, NULL) == CAIRN_OK);
                    use_threads(1);
                    sc_small_force = CAIRN_SUMCHECK_SWITCH_AUTO;
                    transcript_digest(sg.digest, &ts);
                    ran = sc_small_passes - before;
                    if (!CHECK(sc_run_equal(&sg, &ref, n, k)))
                        test_fail(__FILE__, __LINE__,
                                  "form %zu, %u bits, tau kind %zu, L %zu, j %zu, n %zu: streaming "
                                  "small-value rounds differ",
                                  form, bits, taukind, L, j, n);
                    if (must && !CHECK(ran == 1 && sst.passes == j - L + 2))
                        test_fail(__FILE__, __LINE__, "streaming: %zu passes for j %zu, L %zu",
                                  sst.passes, j, L);
                    if (ran == 0)
                        CHECK_EQ_U64(sst.passes, j + 1);
                    cairn_sumcheck_proof_clear(&sg.proof);
                    cairn_sumcheck_proof_clear(&ref.proof);
                    cairn_sumcheck_proof_clear(&got.proof);
                }
            }
        }
    }
out:
    sc_small_force = CAIRN_SUMCHECK_SWITCH_AUTO;
    use_threads(1);
    for (size_t c = 0; c < 4; c++)
        free(cols[c]);
    free(rows);
}

/*
 * Tables large enough for several pool chunks (2^15 entries): the
 * small-value rounds in memory and streaming (switch j = 5, source chunks
 * of 1000 rows, so blocks straddle them, or one chunk; j = 2, so L = 2) against the generic prover,
 * for f0 f1 eq on 32-bit words and f0 f1 f2 eq on bytes, at 1, 2, 3 and 8 threads.
 */
static void sumcheck_small_threads_identical(void)
{
    size_t n = 15, len = (size_t)1 << n;
    cairn_fp *cols[3], *rows = malloc(3 * len * sizeof *rows);
    cairn_fp2 tau[15];
    for (size_t c = 0; c < 3; c++)
        cols[c] = malloc(len * sizeof(cairn_fp));
    if (!CHECK(cols[0] && cols[1] && cols[2] && rows))
        goto out;
    for (size_t i = 0; i < n; i++)
        tau[i] = test_rand_fp2();
    for (size_t form = 0; form < 2; form++) {
        unsigned bits = form == 0 ? 32 : 8;
        size_t k = form == 0 ? 2 : 3;
        cairn_sumcheck_term tm = {{{1}, {0}}, k, {0, 1, 2}};
        const cairn_sumcheck_expr e = {&tm, 1, k};
        for (size_t x = 0; x < len; x++)
            for (size_t c = 0; c < k; c++)
                rows[x * k + c] = cols[c][x] = small_entry(bits);
        cairn_fp2 claim = small_claim(&e, tau, cols, n);
        cairn_sumcheck_input in[3], plain[3];
        for (size_t c = 0; c < k; c++) {
            in[c] = (cairn_sumcheck_input){cols[c], NULL, bits};
            plain[c] = (cairn_sumcheck_input){cols[c], NULL, 0};
        }
        struct sc_run ref, got;
        memset(&ref, 0, sizeof ref);
        small_run(&ref, &e, tau, plain, n, claim);
        for (size_t ti = 0; ti < THREAD_COUNTS; ti++) {
            use_threads(thread_counts[ti]);
            for (int stream = 0; stream < 4; stream++) {
                size_t before = sc_small_passes;
                memset(&got, 0, sizeof got);
                if (stream) {
                    /* j = 5, or j = 2 (then L = 2 even where 3 would be chosen: 2 passes) */
                    cairn_rows src;
                    cairn_rows_table impl;
                    cairn_transcript ts;
                    cairn_sumcheck_stream_stats sst;
                    cairn_sumcheck_stream_opts so = {0, stream == 3 ? 2 : 5, NULL, bits};
                    cairn_rows_table_init(&src, &impl, rows, len, k, stream == 1 ? 1000 : 0);
                    cairn_transcript_init(&ts, "test/small");
                    CHECK(cairn_sumcheck_prove_stream(&got.proof, got.point, got.evals, &sst, &ts,
                                                      &e, tau, &src, n, claim, &so,
                                                      NULL) == CAIRN_OK);
                    transcript_digest(got.digest, &ts);
                    if (stream == 3)
                        CHECK_EQ_U64(sst.passes, 2);
                } else {
                    small_run(&got, &e, tau, in, n, claim);
                }
                CHECK_EQ_U64(sc_small_passes - before, 1);
                if (!CHECK(sc_run_equal(&got, &ref, n, k)))
                    test_fail(__FILE__, __LINE__, "form %zu, %s, %u threads: differs", form,
                              stream ? "streaming" : "in memory", thread_counts[ti]);
                cairn_sumcheck_proof_clear(&got.proof);
            }
        }
        use_threads(1);
        cairn_sumcheck_proof_clear(&ref.proof);
    }
out:
    use_threads(1);
    for (size_t c = 0; c < 3; c++)
        free(cols[c]);
    free(rows);
}

/*
 * A broken promise (an entry of 2^8 in a table declared 8 bits; an
 * element near p) leaves the proof unchanged: the path notices it before
 * sending anything and runs the generic rounds.  The batched prover takes
 * the path per instance with the same bytes.  small_bits on an extension
 * table, or above 64, is CAIRN_ERR_ARG.
 */
static void sumcheck_small_promise_and_batch(void)
{
    size_t n = 9, len = (size_t)1 << n;
    static const cairn_sumcheck_term t2 = {{{1}, {0}}, 2, {0, 1}};
    const cairn_sumcheck_expr e = {&t2, 1, 2};
    cairn_fp *a = malloc(len * sizeof *a), *b = malloc(len * sizeof *b);
    cairn_fp2 *x = malloc(len * sizeof *x), tau[9];
    if (!CHECK(a && b && x))
        goto out;
    for (size_t i = 0; i < n; i++)
        tau[i] = test_rand_fp2();
    for (size_t bad = 0; bad < 3; bad++) {
        for (size_t j = 0; j < len; j++) {
            a[j] = small_entry(8);
            b[j] = small_entry(8);
        }
        if (bad == 1)
            a[test_rand_below(len)] = cairn_fp_make(256);
        if (bad == 2)
            b[test_rand_below(len)] = cairn_fp_make(CAIRN_FP_P - 1 - test_rand_below(1u << 20));
        cairn_fp *cols[2] = {a, b};
        cairn_fp2 claim = small_claim(&e, tau, cols, n);
        cairn_sumcheck_input in[2] = {{a, NULL, 8}, {b, NULL, 8}},
                             plain[2] = {{a, NULL, 0}, {b, NULL, 0}};
        struct sc_run ref, got;
        memset(&ref, 0, sizeof ref);
        memset(&got, 0, sizeof got);
        small_run(&ref, &e, tau, plain, n, claim);
        size_t before = sc_small_passes;
        small_run(&got, &e, tau, in, n, claim);
        CHECK(sc_run_equal(&got, &ref, n, 2));
        CHECK_EQ_U64(sc_small_passes - before, bad == 0 ? 1 : 0);
        cairn_sumcheck_proof_clear(&ref.proof);
        cairn_sumcheck_proof_clear(&got.proof);
        /* a batch of the claim and a smaller one of 5 variables, with and without the promise */
        if (bad == 0) {
            cairn_sumcheck_instance bi[2] = {{&e, tau, in, n, claim},
                                             {&e, tau + 4, in, 5, cairn_fp2_zero()}};
            cairn_sumcheck_instance bp[2] = {{&e, tau, plain, n, claim},
                                             {&e, tau + 4, plain, 5, cairn_fp2_zero()}};
            cairn_fp2 pt[2][9], ev[2][4];
            cairn_sumcheck_proof pr[2];
            uint8_t dg[2][32];
            for (int v = 0; v < 2; v++) {
                cairn_transcript t;
                cairn_sumcheck_proof_init(&pr[v]);
                cairn_transcript_init(&t, "test/small/batch");
                before = sc_small_passes;
                CHECK(cairn_sumcheck_batch_prove(&pr[v], pt[v], ev[v], &t, v ? bi : bp, 2, NULL) ==
                      CAIRN_OK);
                CHECK_EQ_U64(sc_small_passes - before, v ? 2 : 0);
                transcript_digest(dg[v], &t);
            }
            CHECK(memcmp(pr[0].evals, pr[1].evals, n * pr[0].degree * sizeof(cairn_fp2)) == 0);
            CHECK(memcmp(pt[0], pt[1], sizeof pt[0]) == 0);
            CHECK(memcmp(ev[0], ev[1], sizeof ev[0]) == 0);
            CHECK(memcmp(dg[0], dg[1], 32) == 0);
            cairn_sumcheck_proof_clear(&pr[0]);
            cairn_sumcheck_proof_clear(&pr[1]);
        }
    }
    for (size_t j = 0; j < len; j++)
        x[j] = test_rand_fp2();
    {
        cairn_sumcheck_input ext[2] = {{a, NULL, 8}, {NULL, x, 8}},
                             big[2] = {{a, NULL, 65}, {b, NULL, 8}};
        struct sc_run r;
        cairn_transcript t;
        memset(&r, 0, sizeof r);
        cairn_transcript_init(&t, "test/small");
        CHECK(cairn_sumcheck_prove(&r.proof, r.point, r.evals, &t, &e, tau, ext, 2, n,
                                   cairn_fp2_zero(), NULL) == CAIRN_ERR_ARG);
        CHECK(cairn_sumcheck_prove(&r.proof, r.point, r.evals, &t, &e, tau, big, 2, n,
                                   cairn_fp2_zero(), NULL) == CAIRN_ERR_ARG);
        cairn_sumcheck_proof_clear(&r.proof);
    }
out:
    free(a);
    free(b);
    free(x);
}

/* ---- PCS commitment --------------------------------------------------------------- */

/*
 * The commitment root of a batch: 24 rows (three full 8-row buffers) of
 * 2^10 columns, and 12 rows (a full buffer, then a partial one of 4) of
 * 2^12 columns, so that each coset's columns are hashed in several chunks.
 */
static void pcs_commit_threads_identical(void)
{
    static const struct {
        size_t n, log_cols;
    } shapes[] = {{13, 10}, {14, 12}};
    size_t C = 3;
    for (size_t si = 0; si < sizeof shapes / sizeof shapes[0]; si++) {
        cairn_pcs_options opt;
        cairn_pcs_params params;
        cairn_error err;
        cairn_fp *polys[3] = {NULL, NULL, NULL};
        uint8_t ref[CAIRN_PCS_COMMITMENT_BYTES], got[CAIRN_PCS_COMMITMENT_BYTES];
        cairn_pcs_options_init(&opt);
        opt.log_cols = (int)shapes[si].log_cols;
        if (!CHECK(cairn_pcs_params_choose(&params, (unsigned)shapes[si].n, C, &opt, &err) ==
                   CAIRN_OK))
            return;
        for (size_t c = 0; c < C; c++)
            polys[c] = rand_fp_array((size_t)1 << shapes[si].n);
        for (size_t ti = 0; ti < THREAD_COUNTS; ti++) {
            use_threads(thread_counts[ti]);
            cairn_pcs_prover pr;
            cairn_rows src;
            cairn_pcs_polys_rows impl;
            cairn_pcs_prover_init(&pr);
            cairn_pcs_polys_rows_init(&src, &impl, &params, (const cairn_fp *const *)polys);
            CHECK(cairn_pcs_commit(&pr, &params, &src, &err) == CAIRN_OK);
            cairn_pcs_commitment_encode(ti == 0 ? ref : got, &pr.com);
            if (ti > 0)
                CHECK_MEM_EQ(got, ref, sizeof ref);
            cairn_pcs_prover_clear(&pr);
        }
        use_threads(1);
        for (size_t c = 0; c < C; c++)
            free(polys[c]);
    }
}

/* ---- the zkVM prover ---------------------------------------------------------------- */

/* The pool's size each time the prover reports a stage (the passes run on the pool). */
static void note_pool(void *ctx, const char *stage, double done)
{
    unsigned *seen = ctx;
    (void)stage;
    (void)done;
    if (*seen == 0 || cairn_pool_threads() != *seen)
        *seen = *seen == 0 ? cairn_pool_threads() : UINT32_MAX;
}

/*
 * One proof of a small random program with memory and input, for 1 and 8
 * threads, and 2 and 3 as well in the full run (a proof takes about a
 * second; the sanitized run, with fewer iterations, keeps two): the same
 * bytes, the pool sized to the threads asked for while the prover runs
 * (every stage it reports sees that size), and the previous size
 * restored afterwards.
 */
static void zkvm_threads_identical(void)
{
    static const unsigned counts[] = {1, 8, 2, 3};
    size_t elf_len = 0, ref_len = 0;
    uint8_t *elf = zk_gen_elf(41, 60, &elf_len), *ref = NULL;
    if (!CHECK(elf != NULL))
        return;
    for (size_t ti = 0; ti < (test_iters >= 1000 ? 4u : 2u); ti++) {
        cairn_zkvm_options o;
        cairn_error err;
        uint8_t *proof = NULL;
        size_t plen = 0;
        unsigned seen = 0;
        cairn_zkvm_options_init(&o);
        o.threads = counts[ti];
        o.progress = note_pool;
        o.progress_ctx = &seen;
        use_threads(ti % 2 == 0 ? 1 : 3); /* whatever an earlier test left */
        unsigned before = cairn_pool_threads();
        if (!CHECK(cairn_zkvm_prove(&proof, &plen, NULL, NULL, elf, elf_len, zk_test_input,
                                    ZK_TEST_INPUT_LEN, &o, &err) == CAIRN_OK)) {
            test_fail(__FILE__, __LINE__, "prove: %s", err.msg);
            break;
        }
        CHECK_EQ_U64(cairn_pool_threads(), before); /* the prover restores the pool's size */
        CHECK_EQ_U64(seen, counts[ti]);               /* and ran its stages on o.threads */
        if (ti == 0) {
            ref = proof;
            ref_len = plen;
            continue;
        }
        CHECK_EQ_U64(plen, ref_len);
        if (plen == ref_len)
            CHECK_MEM_EQ(proof, ref, plen);
        free(proof);
    }
    use_threads(1);
    free(ref);
    free(elf);
}

const struct test_case test_engine_cases[] = {
    TEST(pool_every_chunk_once),
    TEST(pool_settings),
    TEST(pool_memory_available_files),
    TEST(pool_chunk_ranges_tile),
    TEST(fp2_mul_variants),
    TEST(acc_matches_reduced_sums),
    TEST(simd_kernels_match_portable),
    TEST(simd_ntt_every_set),
    TEST(ntt_threads_identical),
    TEST(poly_threads_match_reference),
    TEST(sumcheck_threads_identical),
    TEST(sumcheck_fast_path_matches_generic),
    TEST(sumcheck_reduce_threads_identical),
    TEST(sumcheck_small_matches_generic),
    TEST(sumcheck_small_threads_identical),
    TEST(sumcheck_small_promise_and_batch),
    TEST(pcs_commit_threads_identical),
    TEST(zkvm_threads_identical),
    TEST_END,
};
