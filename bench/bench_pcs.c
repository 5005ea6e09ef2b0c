/*
 * bench_pcs.c — the recursive tensor PCS: commit, open and verify time,
 * opening size and peak memory, for one polynomial of N = 2^16 .. 2^28
 * evaluations (2^28 streaming only; --quick: up to 2^20) and for a batch of
 * 64 polynomials (up to 64 x 2^20; --quick: 64 x 2^14), with the default
 * parameters (100 bits, level-0 rate 1/4, 16 grinding bits, the level count
 * chosen by cairn_pcs_params_choose), one point, single-threaded.
 *
 * Two prover modes per size, each run in its own child process so that the
 * peak RSS it reports is its own:
 *   mem     the tables are materialised (cairn_pcs_polys_rows over them);
 *   stream  the rows are generated on the fly by a row source (the same
 *           pseudo-random values), so the prover never holds the matrix.
 * Both must give the same commitment and the same opening bytes (checked:
 * the child prints a digest of the opening).  The floor is the bare cost of
 * the same Reed–Solomon encodings plus one SHA-256 over all the codeword
 * bytes; the commit/floor ratio is what the scheme adds to its physical cost.
 * Times are medians of --reps (one repetition from 2^22 total elements up).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cairn/ntt.h"
#include "cairn/pcs.h"
#include "cairn/sha256.h"
#include "util.h"

/* Element j of polynomial c: a fixed pseudo-random function (both modes use it). */
static cairn_fp value_at(size_t c, size_t j)
{
    uint64_t s = ((uint64_t)c << 40) ^ (uint64_t)j;
    return cairn_fp_from_u64(bench_rand_u64(&s));
}

struct gen {
    size_t C, k;
    cairn_fp *buf;
    size_t chunk;
};

/* The streaming source: rows R = i*C + c generated chunk by chunk. */
static cairn_status gen_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                               cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    const struct gen *g = src->impl;
    for (uint64_t r = a; r < b; r += g->chunk) {
        size_t cnt = (size_t)(b - r < g->chunk ? b - r : g->chunk);
        for (size_t q = 0; q < cnt; q++) {
            size_t R = (size_t)r + q, i = R / g->C, c = R % g->C;
            for (size_t j = 0; j < g->k; j++)
                g->buf[q * g->k + j] = value_at(c, i * g->k + j);
        }
        cairn_status st = consume(ctx, r, g->buf, cnt, err);
        if (st != CAIRN_OK)
            return st;
    }
    return CAIRN_OK;
}

static double median_of(double *t, int n) { return bench_median(t, n); }

/* One (size, batch, mode) case, run in the current (child) process. */
static int run_case(const struct bench_opts *o, unsigned n, size_t C, int stream)
{
    cairn_pcs_params params;
    cairn_pcs_prover pr;
    cairn_pcs_opening op;
    cairn_rows src;
    cairn_pcs_polys_rows pimpl;
    struct gen gimpl;
    cairn_fp **polys = NULL;
    cairn_fp2 *point = NULL, eval[64];
    cairn_error err;
    int rc = 1;
    int reps = ((uint64_t)C << n) >= ((uint64_t)1 << 22) ? 1 : o->reps;
    double tc[16], to[16], tv[16], tf[16];
    size_t proof_len = 0;
    uint8_t digest[32];

    cairn_pcs_prover_init(&pr);
    cairn_pcs_opening_init(&op);
    memset(&gimpl, 0, sizeof gimpl);
    if (reps > 16)
        reps = 16;
    if (cairn_pcs_params_choose(&params, n, C, NULL, &err) != CAIRN_OK) {
        fprintf(stderr, "params: %s\n", err.msg);
        return 1;
    }
    size_t k = (size_t)1 << params.log_cols, len = (size_t)1 << n, M = len / k * C;
    size_t N = k << params.log_blowup;
    point = malloc((n + 1) * sizeof *point);
    if (point == NULL)
        goto out;
    uint64_t ps = 99;
    for (unsigned v = 0; v < n; v++)
        point[v] = cairn_fp2_make(cairn_fp_from_u64(bench_rand_u64(&ps)),
                                  cairn_fp_from_u64(bench_rand_u64(&ps)));
    if (stream) {
        gimpl.C = C;
        gimpl.k = k;
        gimpl.chunk = k >= 4096 ? 4 : 4096 / k;
        gimpl.buf = malloc(gimpl.chunk * k * sizeof *gimpl.buf);
        if (gimpl.buf == NULL)
            goto out;
        src.rows_len = M;
        src.width = k;
        src.stream = gen_stream;
        src.impl = &gimpl;
    } else {
        polys = calloc(C, sizeof *polys);
        if (polys == NULL)
            goto out;
        for (size_t c = 0; c < C; c++) {
            polys[c] = malloc(len * sizeof **polys);
            if (polys[c] == NULL)
                goto out;
            for (size_t j = 0; j < len; j++)
                polys[c][j] = value_at(c, j);
        }
        cairn_pcs_polys_rows_init(&src, &pimpl, &params, (const cairn_fp *const *)polys);
    }
    if (cairn_pcs_evaluate(eval, C, &params, &src, point, 1, &err) != CAIRN_OK)
        goto fail;
    for (int r = 0; r < reps; r++) {
        cairn_transcript t, tv_;
        double t0 = bench_now();
        if (cairn_pcs_commit(&pr, &params, &src, &err) != CAIRN_OK)
            goto fail;
        double t1 = bench_now();
        cairn_transcript_init(&t, "bench");
        if (cairn_pcs_open(&op, &t, &pr, &src, point, 1, eval, C, &err) != CAIRN_OK)
            goto fail;
        double t2 = bench_now();
        cairn_transcript_init(&tv_, "bench");
        if (cairn_pcs_verify(&pr.com, &tv_, point, 1, eval, C, &op, &err) != CAIRN_OK)
            goto fail;
        double t3 = bench_now();
        tc[r] = t1 - t0;
        to[r] = t2 - t1;
        tv[r] = t3 - t2;
    }
    proof_len = cairn_pcs_opening_encoded_len(&op);
    {
        uint8_t *buf = malloc(proof_len);
        if (buf == NULL || cairn_pcs_opening_encode(buf, proof_len, &op, NULL) != CAIRN_OK) {
            free(buf);
            goto out;
        }
        cairn_sha256(digest, buf, proof_len);
        free(buf);
    }
    double peak = bench_peak_rss_mib();
    /* the floor: encode every row, hash every codeword byte once (rows from the same source) */
    {
        cairn_fp *row = malloc(k * sizeof *row), *code = malloc(N * sizeof *code);
        if (row == NULL || code == NULL) {
            free(row);
            free(code);
            goto out;
        }
        for (int r = 0; r < reps; r++) {
            cairn_sha256_ctx h;
            cairn_sha256_init(&h);
            double t0 = bench_now();
            for (size_t R = 0; R < M; R++) {
                size_t i = R / C, c = R % C;
                const cairn_fp *x = row;
                if (!stream)
                    x = polys[c] + i * k;
                else
                    for (size_t j = 0; j < k; j++)
                        row[j] = value_at(c, i * k + j);
                cairn_rs_encode(code, N, x, k, params.log_blowup, CAIRN_RS_COEFFS, NULL);
                cairn_sha256_update(&h, code, N * sizeof *code);
            }
            uint8_t d[32];
            cairn_sha256_final(d, &h);
            tf[r] = bench_now() - t0;
            bench_sink_u64(d[0]);
        }
        free(row);
        free(code);
    }
    double mc = median_of(tc, reps), mo = median_of(to, reps), mv = median_of(tv, reps);
    double mf = median_of(tf, reps);
    printf("%-6s 2^%-2u x%-3zu k=2^%-2u m=%-6zu t=%-3u L=%u %8.3f %8.3f %8.4f %8.3f %5.2f %9.1f "
           "%8.1f %02x%02x%02x%02x  %u\n",
           stream ? "stream" : "mem", n, C, params.log_cols, len / k, params.queries,
           params.levels, mc, mo, mv, mf, mc / mf, (double)proof_len / 1024.0, peak, digest[0],
           digest[1], digest[2], digest[3], params.achieved_bits);
    fflush(stdout);
    rc = 0;
    goto out;
fail:
    fprintf(stderr, "bench_pcs: 2^%u x %zu: %s\n", n, C, err.msg);
out:
    if (polys != NULL)
        for (size_t c = 0; c < C; c++)
            free(polys[c]);
    free(polys);
    free(gimpl.buf);
    free(point);
    cairn_pcs_opening_clear(&op);
    cairn_pcs_prover_clear(&pr);
    return rc;
}

/* Fork, run the case in the child, wait. */
static int run_forked(const struct bench_opts *o, unsigned n, size_t C, int stream)
{
    char name[32];
    snprintf(name, sizeof name, "%s_%zu_2^%u", stream ? "stream" : "mem", C, n);
    if (!bench_selected(o, name))
        return 0;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return run_case(o, n, C, stream);
    if (pid == 0)
        _exit(run_case(o, n, C, stream));
    int status = 0;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return 1;
    return 0;
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    int rc = 0;
    bench_parse(&o, argc, argv,
                "Tensor PCS: commit / open / verify, opening size, peak RSS; in-memory and "
                "streaming provers.\n  --filter mem_1, stream_1, mem_64, stream_64 (or e.g. stream_1_2^24)");
    printf("# seconds (median); size in KiB; RSS in MiB (peak of the case's own process); "
           "floor = RS-encode + SHA-256 of all codeword bytes\n");
    printf("%-6s %-9s %-8s %-8s %-5s %-3s %8s %8s %8s %8s %5s %9s %8s %-8s  %s\n", "mode", "N",
           "", "k", "m", "L", "commit", "open", "verify", "floor", "c/fl", "proof", "peakRSS",
           "digest", "bits");
    unsigned hi = o.quick ? 20 : 28;
    for (unsigned n = 16; n <= hi; n += 2)
        for (int s = 1; s >= (n > 26 ? 1 : 0); s--)
            rc |= run_forked(&o, n, 1, s);
    unsigned bhi = o.quick ? 14 : 20;
    for (unsigned n = 12; n <= bhi; n += 2)
        for (int s = 1; s >= 0; s--)
            rc |= run_forked(&o, n, 64, s);
    return rc;
}
