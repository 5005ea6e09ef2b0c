/*
 * bench_field.c — throughput of Goldilocks and extension arithmetic.
 *
 * Multiplications are measured two ways: "latency" (one dependent chain,
 * each product feeds the next) and "throughput" (8 independent chains, as
 * in a butterfly loop or an inner product).  Targets (docs/benchmarks.md):
 * base mul >= 250 M/s per core.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cairn/field.h"
#include "cairn/simd.h"
#include "util.h"

#define CHAINS 8

static double run_mul_tput(uint64_t n)
{
    cairn_fp acc[CHAINS], m = cairn_fp_make(UINT64_C(0x123456789abcdef0));
    for (int c = 0; c < CHAINS; c++)
        acc[c] = cairn_fp_make((uint64_t)c + 3);
    double t0 = bench_now();
    for (uint64_t i = 0; i < n / CHAINS; i++)
        for (int c = 0; c < CHAINS; c++)
            acc[c] = cairn_fp_mul(acc[c], m);
    double dt = bench_now() - t0;
    for (int c = 0; c < CHAINS; c++)
        bench_sink_u64(acc[c].v);
    return dt;
}

/*
 * out[i] = a[i] * b[i] over arrays of 2^12 elements (in L1/L2), repeated to
 * n products, with one kernel set of cairn/simd.h.
 */
static double run_vec_mul(const cairn_simd_set *k, uint64_t n)
{
    enum { L = 4096 };
    static cairn_fp a[L], b[L], out[L];
    uint64_t st = 7;
    for (size_t i = 0; i < L; i++) {
        a[i] = cairn_fp_from_u64(bench_rand_u64(&st));
        b[i] = cairn_fp_from_u64(bench_rand_u64(&st));
    }
    double t0 = bench_now();
    for (uint64_t i = 0; i < n / L; i++) {
        k->mul(out, a, b, L);
        a[i % L] = out[(i * 7) % L]; /* a dependence so the calls are not merged */
    }
    double dt = bench_now() - t0;
    bench_sink_u64(out[L - 1].v);
    return dt;
}

static double run_vec_mul_chosen(uint64_t n) { return run_vec_mul(cairn_simd_kernels(), n); }
static double run_vec_mul_portable(uint64_t n) { return run_vec_mul(cairn_simd_portable(), n); }

static double run_mul_lat(uint64_t n)
{
    cairn_fp acc = cairn_fp_make(3), m = cairn_fp_make(UINT64_C(0x123456789abcdef0));
    double t0 = bench_now();
    for (uint64_t i = 0; i < n; i++)
        acc = cairn_fp_mul(acc, m);
    double dt = bench_now() - t0;
    bench_sink_u64(acc.v);
    return dt;
}

static double run_add_tput(uint64_t n)
{
    cairn_fp acc[CHAINS], m = cairn_fp_make(UINT64_C(0xfedcba9876543210));
    for (int c = 0; c < CHAINS; c++)
        acc[c] = cairn_fp_make((uint64_t)c);
    double t0 = bench_now();
    for (uint64_t i = 0; i < n / CHAINS; i++)
        for (int c = 0; c < CHAINS; c++)
            acc[c] = cairn_fp_add(acc[c], m);
    double dt = bench_now() - t0;
    for (int c = 0; c < CHAINS; c++)
        bench_sink_u64(acc[c].v);
    return dt;
}

/* 8 independent chains of acc <- MUL(acc, m) for one fp2 product formula. */
#define FP2_MUL_TPUT(name, MUL)                                                                   \
    static double name(uint64_t n)                                                                \
    {                                                                                             \
        cairn_fp2 acc[CHAINS];                                                                    \
        cairn_fp2 m =                                                                             \
            cairn_fp2_make(cairn_fp_make(UINT64_C(0x1234567)), cairn_fp_make(UINT64_C(0xabcdef01))); \
        for (int c = 0; c < CHAINS; c++)                                                          \
            acc[c] = cairn_fp2_make(cairn_fp_make((uint64_t)c + 1), cairn_fp_make((uint64_t)c + 2)); \
        double t0 = bench_now();                                                                  \
        for (uint64_t i = 0; i < n / CHAINS; i++)                                                 \
            for (int c = 0; c < CHAINS; c++)                                                      \
                acc[c] = MUL(acc[c], m);                                                          \
        double dt = bench_now() - t0;                                                             \
        for (int c = 0; c < CHAINS; c++)                                                          \
            bench_sink_u64(acc[c].c0.v ^ acc[c].c1.v);                                            \
        return dt;                                                                                \
    }

FP2_MUL_TPUT(run_fp2_mul_tput, cairn_fp2_mul)
FP2_MUL_TPUT(run_fp2_mul_karatsuba, cairn_fp2_mul_karatsuba)
FP2_MUL_TPUT(run_fp2_mul_schoolbook, cairn_fp2_mul_schoolbook)

static double run_inv(uint64_t n)
{
    cairn_fp x = cairn_fp_make(UINT64_C(0x9876543210));
    double t0 = bench_now();
    for (uint64_t i = 0; i < n; i++)
        x = cairn_fp_add(cairn_fp_inv(x), cairn_fp_one());
    double dt = bench_now() - t0;
    bench_sink_u64(x.v);
    return dt;
}

static double run_fp2_inv(uint64_t n)
{
    cairn_fp2 x = cairn_fp2_make(cairn_fp_make(12345), cairn_fp_make(678));
    double t0 = bench_now();
    for (uint64_t i = 0; i < n; i++)
        x = cairn_fp2_add(cairn_fp2_inv(x), cairn_fp2_one());
    double dt = bench_now() - t0;
    bench_sink_u64(x.c0.v);
    return dt;
}

static cairn_fp *batch_in, *batch_out;

static double run_batch_inv(uint64_t n)
{
    double t0 = bench_now();
    if (cairn_fp_batch_inv(batch_out, batch_in, (size_t)n) != CAIRN_OK) {
        fprintf(stderr, "batch inversion failed\n");
        exit(1);
    }
    double dt = bench_now() - t0;
    bench_sink_u64(batch_out[n - 1].v);
    return dt;
}

static void bench_case(const struct bench_opts *o, const char *name, const char *params,
                       double (*fn)(uint64_t), uint64_t n, const char *unit)
{
    if (!bench_selected(o, name))
        return;
    double *s = malloc((size_t)o->reps * sizeof *s);
    if (s == NULL)
        exit(1);
    fn(n / 10 + 1); /* warm up */
    for (int r = 0; r < o->reps; r++)
        s[r] = fn(n);
    double med = bench_median(s, o->reps);
    bench_row(name, params, med, (double)n / med, unit);
    free(s);
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    bench_parse(&o, argc, argv, "Goldilocks and quadratic-extension arithmetic throughput.");
    uint64_t n = o.quick ? (UINT64_C(1) << 22) : (UINT64_C(1) << 26);
    uint64_t ninv = o.quick ? 2000 : 100000;
    size_t nb = o.quick ? ((size_t)1 << 16) : ((size_t)1 << 20);

    bench_header("field (one thread)");
    bench_case(&o, "fp_add", "8 chains", run_add_tput, n, "add/s");
    bench_case(&o, "fp_mul", "8 chains", run_mul_tput, n, "mul/s");
    bench_case(&o, "fp_mul_latency", "1 chain", run_mul_lat, n / 4, "mul/s");
    bench_case(&o, "fp_mul_vec_portable", "arrays of 2^12", run_vec_mul_portable, n, "mul/s");
    bench_case(&o, "fp_mul_vec_simd", cairn_simd_kernels()->name, run_vec_mul_chosen, n, "mul/s");
    bench_case(&o, "fp2_mul", "8 chains", run_fp2_mul_tput, n / 4, "mul/s");
    bench_case(&o, "fp2_mul_karatsuba", "8 chains", run_fp2_mul_karatsuba, n / 4, "mul/s");
    bench_case(&o, "fp2_mul_schoolbook", "8 chains", run_fp2_mul_schoolbook, n / 4, "mul/s");
    bench_case(&o, "fp_inv", "Fermat", run_inv, ninv, "inv/s");
    bench_case(&o, "fp2_inv", "via norm", run_fp2_inv, ninv, "inv/s");

    batch_in = malloc(nb * sizeof *batch_in);
    batch_out = malloc(nb * sizeof *batch_out);
    if (batch_in == NULL || batch_out == NULL)
        return 1;
    uint64_t st = 1;
    for (size_t i = 0; i < nb; i++)
        batch_in[i] = cairn_fp_from_u64(bench_rand_u64(&st));
    char params[32];
    snprintf(params, sizeof params, "n=2^%d", o.quick ? 16 : 20);
    bench_case(&o, "fp_batch_inv", params, run_batch_inv, nb, "inv/s");
    free(batch_in);
    free(batch_out);
    return 0;
}
