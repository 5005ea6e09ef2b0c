/*
 * bench_ntt.c — forward NTT, inverse NTT, coset NTT and Reed–Solomon encoding
 * at rate 1/4 over Goldilocks, single-threaded, sizes 2^16 .. 2^22 (--quick:
 * 2^16 and 2^18).  Each case is warmed up once (which also builds the
 * twiddle cache, so that cost is excluded) and then timed --reps times; the
 * median is printed.  Throughput counts input elements per second.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cairn/ntt.h"
#include "util.h"

enum which { FWD, INV, COSET, RS4 };

static void fill(cairn_fp *x, size_t n, uint64_t seed)
{
    uint64_t st = seed;
    for (size_t i = 0; i < n; i++)
        x[i] = cairn_fp_from_u64(bench_rand_u64(&st));
}

/* Runs one case; returns 0 on success. */
static int run_case(const struct bench_opts *o, enum which w, unsigned log_n)
{
    static const char *names[] = {"ntt_forward", "ntt_inverse", "ntt_coset_forward",
                                  "rs_encode_rate1/4"};
    if (!bench_selected(o, names[w]))
        return 0;
    size_t n = (size_t)1 << log_n;
    size_t out_len = w == RS4 ? n << 2 : n;
    cairn_fp *msg = malloc(n * sizeof *msg);
    cairn_fp *buf = malloc(out_len * sizeof *buf);
    double *t = malloc((size_t)o->reps * sizeof *t);
    int rc = 1;
    if (msg == NULL || buf == NULL || t == NULL) {
        fprintf(stderr, "bench_ntt: out of memory at 2^%u\n", log_n);
        goto out;
    }
    fill(msg, n, log_n);
    for (int r = -1; r < o->reps; r++) {
        if (w != RS4)
            for (size_t i = 0; i < n; i++)
                buf[i] = msg[i];
        cairn_status st = CAIRN_OK;
        double t0 = bench_now();
        switch (w) {
        case FWD: st = cairn_ntt_forward(buf, n, NULL); break;
        case INV: st = cairn_ntt_inverse(buf, n, NULL); break;
        case COSET:
            st = cairn_ntt_coset_forward(buf, n, cairn_fp_make(CAIRN_FP_GENERATOR), NULL);
            break;
        case RS4: st = cairn_rs_encode(buf, out_len, msg, n, 2, CAIRN_RS_COEFFS, NULL); break;
        }
        double t1 = bench_now();
        if (st != CAIRN_OK) {
            fprintf(stderr, "bench_ntt: %s 2^%u failed: %s\n", names[w], log_n,
                    cairn_status_str(st));
            goto out;
        }
        if (r >= 0)
            t[r] = t1 - t0;
        bench_sink_u64(buf[out_len / 3].v);
    }
    char params[32];
    if (w == RS4)
        snprintf(params, sizeof params, "k=2^%u N=2^%u", log_n, log_n + 2);
    else
        snprintf(params, sizeof params, "n=2^%u", log_n);
    double med = bench_median(t, o->reps);
    bench_row(names[w], params, med, (double)n / med, "elem/s");
    rc = 0;
out:
    free(msg);
    free(buf);
    free(t);
    return rc;
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    bench_parse(&o, argc, argv,
                "NTT and Reed-Solomon encoding over Goldilocks (--threads for the pool; "
                "elem/s counts input elements).");
    static const unsigned full[] = {16, 18, 20, 22, 24};
    static const unsigned quick[] = {16, 18};
    const unsigned *sizes = o.quick ? quick : full;
    size_t nsizes = o.quick ? 2 : 5;
    bench_header("ntt");
    int rc = 0;
    for (int w = FWD; w <= RS4 && rc == 0; w++)
        for (size_t i = 0; i < nsizes && rc == 0; i++)
            rc = run_case(&o, (enum which)w, sizes[i]);
    cairn_ntt_cleanup();
    return rc;
}
