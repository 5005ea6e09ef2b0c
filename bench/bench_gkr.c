/*
 * bench_gkr.c — the fractional-sum GKR prover and logup*.
 *
 * Cases (n = 20 rows, 16 with --quick; a table of 2^16 rows, 2^12 with --quick):
 *   logup_gkr_mem  LogUp through the GKR: 12 lookup instances of 2^n fractions
 *               1 / (alpha - f_l(x)) and one table instance of -m(b) / (alpha - t(b)),
 *               one batched proof (cairn_gkr_prove), roots summing to zero
 *   logup_gkr_stream_<M>MiB  the same statement proven by cairn_gkr_prove_stream
 *               over a row source (12 looked-up columns, the multiplicity and
 *               the table value: 14 columns) with a budget of M MiB; params add
 *               the passes and the switch layer; the proof must equal the
 *               in-memory one (checked when both run)
 *   logup_star  one logup* indexed lookup of 2^n rows into the table with 4
 *               value columns: pushforward plus cairn_logup_star_prove
 * params name the sizes and the proof bytes; each proof is verified once,
 * outside the timing.  The GKR provers run on 2 threads (CAIRN_BENCH_THREADS
 * overrides; logup* on 1); params add the median CPU seconds of all threads.
 * Peak RSS is the process's: run one case per process (--filter) to read
 * a case's own peak.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/gkr.h"
#include "cairn/poly.h"
#include "util.h"

#define MAX_REPS 64
#define LOOKUPS  12

static double samples[MAX_REPS], cpu_samples[MAX_REPS];
static unsigned threads = 2; /* CAIRN_BENCH_THREADS overrides */

/* CPU seconds of the whole process (all threads): on a loaded machine it says what wall time cannot. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int reps_of(const struct bench_opts *o)
{
    return o->reps < MAX_REPS ? o->reps : MAX_REPS;
}

/*
 * The LogUp statement as rows: columns 0..11 the looked-up values, column
 * 12 the multiplicity of table row x (rows below 2^kt), column 13 the
 * table value 3x + 1; instance l < 12 is 1 / (alpha - col_l), instance 12
 * is -col_12 / (alpha - col_13) over the first 2^kt rows.
 */
struct lfix {
    size_t n, kt;
    cairn_fp *table;
    cairn_rows src;
    cairn_rows_table impl;
    cairn_fp2 alpha, minus1;
    size_t cols[LOOKUPS + 2];
    cairn_gkr_row_instance ri[LOOKUPS + 1];
    size_t vars[LOOKUPS + 1];
    cairn_transcript t0;
};

#define WIDTH (LOOKUPS + 2)

static int lfix_make(struct lfix *f, size_t n, size_t kt)
{
    size_t rows = (size_t)1 << n, K = (size_t)1 << kt;
    uint64_t seed = 7;
    memset(f, 0, sizeof *f);
    f->n = n;
    f->kt = kt;
    f->table = calloc(rows * WIDTH, sizeof *f->table);
    uint64_t *mult = calloc(K, sizeof *mult);
    if (f->table == NULL || mult == NULL) {
        free(mult);
        return 1;
    }
    for (size_t x = 0; x < rows; x++)
        for (size_t l = 0; l < LOOKUPS; l++) {
            uint64_t b = bench_rand_u64(&seed) & (K - 1);
            mult[b]++;
            f->table[x * WIDTH + l] = cairn_fp_make(3 * b + 1);
        }
    for (size_t b = 0; b < K; b++) {
        f->table[b * WIDTH + LOOKUPS] = cairn_fp_make(mult[b]);
        f->table[b * WIDTH + LOOKUPS + 1] = cairn_fp_make(3 * b + 1);
    }
    free(mult);
    cairn_rows_table_init(&f->src, &f->impl, f->table, rows, WIDTH, 4096);
    cairn_transcript_init(&f->t0, "bench/gkr");
    f->alpha = cairn_transcript_squeeze_fp2(&f->t0, "alpha");
    f->minus1 = cairn_fp2_neg(cairn_fp2_one());
    for (size_t c = 0; c < WIDTH; c++)
        f->cols[c] = c;
    for (size_t l = 0; l <= LOOKUPS; l++) {
        int tab = l == LOOKUPS;
        f->ri[l].n = tab ? kt : n;
        f->ri[l].p = (cairn_gkr_affine){tab ? cairn_fp2_zero() : cairn_fp2_one(), tab ? 1u : 0u,
                                        &f->cols[LOOKUPS], &f->minus1};
        f->ri[l].q = (cairn_gkr_affine){f->alpha, 1, &f->cols[tab ? LOOKUPS + 1 : l], &f->minus1};
        f->vars[l] = f->ri[l].n;
    }
    return 0;
}

static cairn_fp2 *mem_proof; /* the in-memory proof's elements, to compare the streamed one */
static size_t mem_proof_len;

/*
 * Prove the statement, in memory (budget 0: leaves materialised first,
 * outside the timing) or streaming with the given budget; verify once.
 */
static int bench_logup_gkr(const struct bench_opts *o, struct lfix *f, size_t budget)
{
    int rc = 1;
    size_t npts = LOOKUPS * f->n + f->kt;
    cairn_fp2 *leaves[2 * (LOOKUPS + 1)] = {NULL};
    cairn_gkr_instance inst[LOOKUPS + 1];
    cairn_gkr_proof proof;
    cairn_gkr_stream_stats stats = {0, 0, 0};
    cairn_gkr_stream_opts opts = {budget, threads};
    cairn_fp2 *pts = malloc(npts * sizeof *pts), pe[LOOKUPS + 1], qe[LOOKUPS + 1];
    cairn_error err;
    cairn_gkr_proof_init(&proof);
    if (pts == NULL)
        goto out;
    if (budget == 0)
        for (size_t l = 0; l <= LOOKUPS; l++) {
            size_t len = (size_t)1 << f->ri[l].n;
            leaves[2 * l] = malloc(len * sizeof(cairn_fp2));
            leaves[2 * l + 1] = malloc(len * sizeof(cairn_fp2));
            if (leaves[2 * l] == NULL || leaves[2 * l + 1] == NULL ||
                cairn_gkr_row_leaves(leaves[2 * l], leaves[2 * l + 1], &f->src, &f->ri[l],
                                     &err) != CAIRN_OK)
                goto out;
            /* p = 1 on the lookup side: no table, as a caller would pass it */
            inst[l] = (cairn_gkr_instance){f->ri[l].n,
                                           {NULL, l == LOOKUPS ? leaves[2 * l] : NULL, 0},
                                           {NULL, leaves[2 * l + 1], 0}};
        }
    int reps = reps_of(o);
    for (int r = 0; r < reps; r++) {
        cairn_transcript t = f->t0;
        double a = bench_now(), ca = cpu_now();
        cairn_status st =
            budget == 0
                ? cairn_gkr_prove(&proof, pts, pe, qe, &t, inst, LOOKUPS + 1, threads, &err)
                : cairn_gkr_prove_stream(&proof, pts, pe, qe, &stats, &t, &f->src, f->ri,
                                         LOOKUPS + 1, &opts, &err);
        if (st != CAIRN_OK) {
            fprintf(stderr, "logup_gkr: %s\n", err.msg);
            goto out;
        }
        samples[r] = bench_now() - a;
        cpu_samples[r] = cpu_now() - ca;
    }
    cairn_transcript tv = f->t0;
    cairn_fp2 zero = cairn_fp2_zero();
    if (cairn_gkr_verify(pts, pe, qe, &tv, &proof, f->vars, LOOKUPS + 1, &zero, &err) !=
        CAIRN_OK) {
        fprintf(stderr, "logup_gkr: verify: %s\n", err.msg);
        goto out;
    }
    if (budget == 0 && mem_proof == NULL) {
        mem_proof = malloc(proof.elems_len * sizeof *mem_proof);
        if (mem_proof != NULL) {
            memcpy(mem_proof, proof.elems, proof.elems_len * sizeof *mem_proof);
            mem_proof_len = proof.elems_len;
        }
    } else if (budget != 0 && mem_proof != NULL &&
               (mem_proof_len != proof.elems_len ||
                memcmp(mem_proof, proof.elems, mem_proof_len * sizeof *mem_proof) != 0)) {
        fprintf(stderr, "logup_gkr: the streamed proof differs from the in-memory one\n");
        goto out;
    }
    char name[48], params[160];
    double cpu = bench_median(cpu_samples, reps);
    if (budget == 0) {
        snprintf(name, sizeof name, "logup_gkr_mem");
        snprintf(params, sizeof params, "2^%zu x %d, table 2^%zu, %zu B, cpu %.2f s", f->n,
                 LOOKUPS, f->kt, cairn_gkr_proof_size(f->vars, LOOKUPS + 1), cpu);
    } else {
        snprintf(name, sizeof name, "logup_gkr_stream_%zuMiB", budget >> 20);
        snprintf(params, sizeof params, "2^%zu x %d, s=%zu, %zu passes, plan %.1f MiB, cpu %.2f s",
                 f->n, LOOKUPS, stats.switch_layer, stats.passes,
                 (double)stats.peak_bytes / 1048576.0, cpu);
    }
    double med = bench_median(samples, reps);
    bench_row(name, params, med, (double)(((size_t)1 << f->n) * LOOKUPS) / med, "frac/s");
    rc = 0;
out:
    for (size_t l = 0; l < 2 * (LOOKUPS + 1); l++)
        free(leaves[l]);
    free(pts);
    cairn_gkr_proof_clear(&proof);
    return rc;
}

/* One logup* lookup of 2^n rows into 2^kt rows with 4 value columns. */
static int bench_logup_star(const struct bench_opts *o, size_t n, size_t kt)
{
    size_t rows = (size_t)1 << n, K = (size_t)1 << kt;
    uint64_t seed = 11;
    int rc = 1;
    cairn_fp *index = malloc(rows * sizeof *index), *cols[4] = {NULL};
    cairn_fp2 *y = malloc(K * sizeof *y), z[40], values[4];
    cairn_logup_star_proof proof;
    cairn_logup_star_claims claims;
    cairn_logup_star_proof_init(&proof);
    if (index == NULL || y == NULL)
        goto out;
    for (size_t x = 0; x < rows; x++)
        index[x] = cairn_fp_make(bench_rand_u64(&seed) & (K - 1));
    for (size_t c = 0; c < 4; c++) {
        if ((cols[c] = malloc(K * sizeof *cols[c])) == NULL)
            goto out;
        for (size_t b = 0; b < K; b++)
            cols[c][b] = cairn_fp_from_u64(bench_rand_u64(&seed));
    }
    for (size_t i = 0; i < n; i++)
        z[i] = cairn_fp2_make(cairn_fp_from_u64(bench_rand_u64(&seed)),
                              cairn_fp_from_u64(bench_rand_u64(&seed)));
    /* the true values through the pushforward: <Y, T_c> */
    if (cairn_logup_star_pushforward(y, index, n, z, kt, NULL) != CAIRN_OK)
        goto out;
    for (size_t c = 0; c < 4; c++) {
        values[c] = cairn_fp2_zero();
        for (size_t b = 0; b < K; b++)
            values[c] = cairn_fp2_add(values[c], cairn_fp2_mul_fp(y[b], cols[c][b]));
    }
    const cairn_fp *ccols[4] = {cols[0], cols[1], cols[2], cols[3]};
    cairn_logup_star_statement st = {n, kt, ccols, 4, z, values, 0};
    cairn_transcript t0;
    cairn_transcript_init(&t0, "bench/logup-star");
    int reps = reps_of(o);
    cairn_error err;
    for (int r = 0; r < reps; r++) {
        cairn_transcript t = t0;
        double a = bench_now();
        if (cairn_logup_star_pushforward(y, index, n, z, kt, &err) != CAIRN_OK ||
            cairn_logup_star_prove(&proof, &claims, &t, &st, index, y, &err) != CAIRN_OK) {
            fprintf(stderr, "logup_star: %s\n", err.msg);
            goto out;
        }
        samples[r] = bench_now() - a;
    }
    cairn_transcript tv = t0;
    if (cairn_logup_star_verify(&claims, &tv, &proof, &st, &err) != CAIRN_OK) {
        fprintf(stderr, "logup_star: verify: %s\n", err.msg);
        goto out;
    }
    char params[96];
    snprintf(params, sizeof params, "2^%zu rows, table 2^%zu x 4, %zu B", n, kt,
             cairn_logup_star_proof_size(n, kt));
    double med = bench_median(samples, reps);
    bench_row("logup_star", params, med, (double)rows / med, "rows/s");
    rc = 0;
out:
    free(index);
    for (size_t c = 0; c < 4; c++)
        free(cols[c]);
    free(y);
    cairn_logup_star_proof_clear(&proof);
    return rc;
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    bench_parse(&o, argc, argv, "fractional-sum GKR (LogUp-GKR) and logup* provers");
    size_t n = o.quick ? 16 : 20, kt = o.quick ? 12 : 16;
    const char *th = getenv("CAIRN_BENCH_THREADS");
    if (th != NULL && atoi(th) > 0)
        threads = (unsigned)atoi(th);
    struct lfix f;
    int rc = 0;
    bench_header("GKR");
    if (lfix_make(&f, n, kt) != 0)
        return 1;
    if (bench_selected(&o, "logup_gkr_mem"))
        rc |= bench_logup_gkr(&o, &f, 0);
    if (bench_selected(&o, "logup_gkr_stream_64MiB"))
        rc |= bench_logup_gkr(&o, &f, (size_t)64 << 20);
    if (bench_selected(&o, "logup_gkr_stream_16MiB"))
        rc |= bench_logup_gkr(&o, &f, (size_t)16 << 20);
    free(f.table);
    free(mem_proof);
    if (bench_selected(&o, "logup_star"))
        rc |= bench_logup_star(&o, n, kt);
    return rc;
}
