/*
 * bench_sumcheck.c — the sum-check prover in memory and streaming.
 *
 * Cases, for n = 20 and 24 (16 and 18 with --quick) and base-field inputs:
 * g = f1 eq(tau, .) ("prod1") to f1 f2 f3 f4 eq(tau, .) ("prod4"), on
 * random field elements, on 32-bit words ("_w32") and on bytes ("_w8"),
 * declared small (small_bits, "_small": the small-value rounds, in memory
 * and streaming) or not.
 *   mem_<g>         cairn_sumcheck_prove on column tables
 *   stream_<g>_j<j> cairn_sumcheck_prove_stream over a row-major table
 *                   source (width k, one chunk) with the switch forced to j
 * params name n, j, the passes over the rows and the prover's own peak
 * (its accounted allocations; the input tables are the caller's and not
 * counted, but they are in the process's peak RSS column).  Each proof is
 * checked by the verifier once, outside the timing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/poly.h"
#include "cairn/sumcheck.h"
#include "util.h"

#define MAX_REPS 64

static double samples[MAX_REPS];

static int reps_of(const struct bench_opts *o)
{
    return o->reps < MAX_REPS ? o->reps : MAX_REPS;
}

struct fixture {
    size_t n, k;
    cairn_fp *cols[4];
    cairn_fp *rows;
    cairn_fp2 *tau;
    cairn_fp2 claim;
    cairn_sumcheck_input in[4];
};

static void fixture_free(struct fixture *f)
{
    for (size_t c = 0; c < 4; c++)
        free(f->cols[c]);
    free(f->rows);
    free(f->tau);
    memset(f, 0, sizeof *f);
}

/* Random columns and their row-major copy; the true claim via one eq table. */
static int fixture_make(struct fixture *f, size_t n, size_t k, const cairn_sumcheck_expr *e,
                        unsigned bits, int small)
{
    uint64_t mask = bits == 0 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1;
    size_t len = (size_t)1 << n;
    uint64_t seed = 42 + n * 7 + k;
    cairn_fp2 *eq = NULL;
    memset(f, 0, sizeof *f);
    f->n = n;
    f->k = k;
    f->rows = malloc(len * k * sizeof *f->rows);
    f->tau = malloc(n * sizeof *f->tau);
    eq = malloc(len * sizeof *eq);
    if (f->rows == NULL || f->tau == NULL || eq == NULL)
        goto fail;
    for (size_t c = 0; c < k; c++) {
        f->cols[c] = malloc(len * sizeof *f->cols[c]);
        if (f->cols[c] == NULL)
            goto fail;
        for (size_t x = 0; x < len; x++) {
            f->cols[c][x] = cairn_fp_from_u64(bench_rand_u64(&seed) & mask);
            f->rows[x * k + c] = f->cols[c][x];
        }
        f->in[c].fp = f->cols[c];
        f->in[c].fp2 = NULL;
        f->in[c].small_bits = small ? bits : 0;
    }
    for (size_t i = 0; i < n; i++)
        f->tau[i] = cairn_fp2_make(cairn_fp_from_u64(bench_rand_u64(&seed)),
                                   cairn_fp_from_u64(bench_rand_u64(&seed)));
    (void)cairn_poly_eq_table(eq, f->tau, n);
    f->claim = cairn_fp2_zero();
    for (size_t x = 0; x < len; x++) {
        cairn_fp2 v[4];
        for (size_t c = 0; c < k; c++)
            v[c] = cairn_fp2_from_fp(f->cols[c][x]);
        f->claim = cairn_fp2_add(f->claim, cairn_fp2_mul(eq[x], cairn_sumcheck_expr_eval(e, v)));
    }
    free(eq);
    return 1;
fail:
    free(eq);
    fixture_free(f);
    return 0;
}

/* One verification outside the timing, so a figure never comes from a wrong proof. */
static void check_proof(const struct fixture *f, const cairn_sumcheck_expr *e,
                        const cairn_sumcheck_proof *p, const cairn_fp2 *evals)
{
    cairn_transcript t;
    cairn_error err;
    cairn_fp2 *pt = malloc(f->n * sizeof *pt);
    cairn_transcript_init(&t, "bench/sumcheck");
    if (pt == NULL || cairn_sumcheck_verify_claim(pt, &t, p, e, f->tau, f->n, f->claim, evals, f->k,
                                                  &err) != CAIRN_OK) {
        fprintf(stderr, "bench_sumcheck: proof rejected: %s\n", pt == NULL ? "no memory" : err.msg);
        exit(1);
    }
    free(pt);
}

static void bench_case(const struct bench_opts *o, const char *gname, size_t n, size_t k,
                       const cairn_sumcheck_expr *e, unsigned bits, int small)
{
    struct fixture f;
    cairn_sumcheck_proof p;
    cairn_fp2 point[40], evals[4];
    char name[64], params[96];
    int reps = reps_of(o);
    size_t js[5], js_len = 0;
    cairn_sumcheck_proof_init(&p);
    snprintf(name, sizeof name, "mem_%s", gname);
    int want_mem = bench_selected(o, name);
    js[js_len++] = 0;
    js[js_len++] = 2;
    js[js_len++] = n / 2 - 2;
    js[js_len++] = n / 2;
    int want_stream = 0;
    for (size_t a = 0; a < js_len; a++) {
        snprintf(name, sizeof name, "stream_%s_j%zu", gname, js[a]);
        want_stream |= bench_selected(o, name);
    }
    if (!want_mem && !want_stream)
        return;
    if (!fixture_make(&f, n, k, e, bits, small)) {
        fprintf(stderr, "bench_sumcheck: no memory for n=%zu\n", n);
        return;
    }
    snprintf(name, sizeof name, "mem_%s", gname);
    if (want_mem) {
        for (int r = 0; r < reps; r++) {
            cairn_transcript t;
            cairn_transcript_init(&t, "bench/sumcheck");
            double t0 = bench_now();
            if (cairn_sumcheck_prove(&p, point, evals, &t, e, f.tau, f.in, k, n, f.claim, NULL) !=
                CAIRN_OK) {
                fprintf(stderr, "prove failed\n");
                goto out;
            }
            samples[r] = bench_now() - t0;
        }
        check_proof(&f, e, &p, evals);
        double m = bench_median(samples, reps);
        snprintf(params, sizeof params, "n=%zu passes=- prover=%.0fMiB", n,
                 (double)k * (double)((size_t)1 << n) * 8.0 / 1048576.0);
        bench_row(name, params, m, (double)((size_t)1 << n) / m, "rows/s");
    }
    for (size_t a = 0; a < js_len && want_stream; a++) {
        snprintf(name, sizeof name, "stream_%s_j%zu", gname, js[a]);
        if (!bench_selected(o, name))
            continue;
        cairn_sumcheck_stream_stats st = {0, 0, 0};
        for (int r = 0; r < reps; r++) {
            cairn_transcript t;
            cairn_rows src;
            cairn_rows_table impl;
            cairn_sumcheck_stream_opts so = {0, js[a], NULL, small ? bits : 0};
            cairn_rows_table_init(&src, &impl, f.rows, (uint64_t)1 << n, k, 0);
            cairn_transcript_init(&t, "bench/sumcheck");
            double t0 = bench_now();
            if (cairn_sumcheck_prove_stream(&p, point, evals, &st, &t, e, f.tau, &src, n, f.claim,
                                            &so, NULL) != CAIRN_OK) {
                fprintf(stderr, "stream prove failed\n");
                goto out;
            }
            samples[r] = bench_now() - t0;
        }
        check_proof(&f, e, &p, evals);
        double m = bench_median(samples, reps);
        snprintf(params, sizeof params, "n=%zu j=%zu passes=%zu prover=%.1fMiB", n, st.switch_round,
                 st.passes, (double)st.peak_bytes / 1048576.0);
        bench_row(name, params, m, (double)((size_t)1 << n) / m, "rows/s");
    }
out:
    cairn_sumcheck_proof_clear(&p);
    fixture_free(&f);
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    static const cairn_sumcheck_term t1 = {{{1}, {0}}, 1, {0}};
    static const cairn_sumcheck_term t2 = {{{1}, {0}}, 2, {0, 1}};
    static const cairn_sumcheck_term t3 = {{{1}, {0}}, 3, {0, 1, 2}};
    static const cairn_sumcheck_term t4 = {{{1}, {0}}, 4, {0, 1, 2, 3}};
    const cairn_sumcheck_expr e1 = {&t1, 1, 1}, e2 = {&t2, 1, 2}, e3 = {&t3, 1, 3},
                              e4 = {&t4, 1, 4};
    const cairn_sumcheck_expr *es[4] = {&e1, &e2, &e3, &e4};
    /* input widths: the full field, then 32-bit words and bytes, with and without the
     * small_bits promise */
    static const struct {
        const char *suffix;
        unsigned bits;
        int small;
    } widths[5] = {
        {"", 0, 0}, {"_w32", 32, 0}, {"_w32_small", 32, 1}, {"_w8", 8, 0}, {"_w8_small", 8, 1}};
    bench_parse(&o, argc, argv,
                "Sum-check prover: in memory and streaming, g = f1 eq, f1 f2 eq and f1 f2 f3 eq.");
    bench_header("sumcheck");
    size_t ns[2] = {20, 24};
    if (o.quick) {
        ns[0] = 16;
        ns[1] = 18;
    }
    for (size_t a = 0; a < 2; a++)
        for (size_t k = 1; k <= 4; k++)
            for (size_t w = 0; w < 5; w++) {
                char g[32];
                snprintf(g, sizeof g, "prod%zu%s", k, widths[w].suffix);
                bench_case(&o, g, ns[a], k, es[k - 1], widths[w].bits, widths[w].small);
            }
    return 0;
}
