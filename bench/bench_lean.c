/*
 * bench_lean.c — the lean prover (proof format 5, docs/zkvm-v2.md) stage
 * by stage on the same runs: hello, and the loop guest at growing sizes
 * (--quick: hello and the smallest loop).  Prints per run: the trace rows,
 * committed cells per row, prove and verify time (median of --reps), the
 * proof's size in bytes (the lean proof's encoded body, zl_proof_size,
 * format 5 less its header) split by stage, then each stage's time and
 * peak resident set.  (Until the first prover was removed it also printed
 * that prover's time and size on the same runs: docs/benchmarks.md keeps
 * those figures as history.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "../src/zkvm/zkvm_internal.h"
#include "cairn/pool.h"
#include "cairn/zkvm.h"
#include "util.h"

int main(int argc, char **argv)
{
    struct bench_opts o;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--lean-only") == 0) {
            /* accepted for older command lines: the first prover it skipped is gone */
            memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof *argv);
            argc--, i--;
        } else if ((strcmp(argv[i], "--gkr-budget") == 0 || strcmp(argv[i], "--zc-delay") == 0) &&
                   i + 1 < argc) {
            long v = strtol(argv[i + 1], NULL, 10);
            if (argv[i][2] == 'g')
                zl_gkr_budget = (size_t)(v < 0 ? 0 : v) << 20;
            else
                zl_zc_delay = (int)v;
            memmove(&argv[i], &argv[i + 2], (size_t)(argc - i - 1) * sizeof *argv);
            argc -= 2, i--;
        }
    bench_parse(&o, argc, argv,
                "the lean prover (proof format 5), stage by stage\n"
                "  --lean-only      accepted and ignored (it skipped the removed first prover)\n"
                "  --gkr-budget M   MiB each GKR of the lookups and memory may hold (0: in\n"
                "                   memory, the leaves whole; default 128)\n"
                "  --zc-delay D     zero-check rounds read from the rows before its tables\n"
                "                   are held (default 4; 1: tables after the first round)");
    if (o.threads == 0)
        (void)cairn_pool_set_threads(2, NULL);
    zk_rss_probe = 1; /* each stage's peak resident set (zl_proof.stage_rss) */
    printf("%-12s %8s %6s %10s %10s %10s  %s\n", "case", "rows", "cells", "lean_prove",
           "lean_verif", "lean_bytes",
           "lean bytes by stage: zero-check/memory/shift/lookups/openings");
    static const struct {
        const char *guest;
        uint32_t iters; /* loop: iterations; 0: no input */
    } cases[] = {{"hello", 0},    {"loop", 200},   {"loop", 1000},
                 {"loop", 4500}, {"loop", 10000}, {"loop", 20000}, {"loop", 40000}};
    size_t ncases = o.quick ? 2 : sizeof cases / sizeof cases[0];
    for (size_t c = 0; c < ncases; c++) {
        char path[256], name[64];
        snprintf(path, sizeof path, "build/guests/rv32i/%s.elf", cases[c].guest);
        size_t elf_len, in_len = cases[c].iters ? 4 : 0;
        uint8_t *elf = bench_read_file(path, &elf_len), in[4];
        for (unsigned i = 0; i < 4; i++)
            in[i] = (uint8_t)(cases[c].iters >> (8 * i));
        snprintf(name, sizeof name, "%s_%u", cases[c].guest, cases[c].iters);
        if (!bench_selected(&o, name))
            goto next;
        zl_run r;
        cairn_error rerr;
        if (elf == NULL ||
            zl_run_init(&r, elf, elf_len, in, in_len, UINT64_C(1) << 24, &rerr) != CAIRN_OK) {
            fprintf(stderr, "bench_lean: %s: cannot build the run (make guests): %s\n", path,
                    elf == NULL ? "no file" : rerr.msg);
            goto next;
        }
        zl_stmt s;
        zl_run_stmt(&s, &r, 100, ZL_GRIND_AUTO);
        double tp[16], tv[16], stages[16][ZL_NSTAGE], cpus[16][ZL_NSTAGE];
        double owns[16][ZL_NSTAGE];
        size_t rss[16][ZL_NSTAGE];
        uint64_t rows_read[ZL_NSTAGE] = {0};
        double pre_mib = bench_peak_rss_mib(); /* the run (cells and trace), before the probe resets it */
        size_t bytes = 0, parts[5] = {0};
        int reps = o.reps < 16 ? o.reps : 16, bad = 0;
        for (int k = 0; k < reps && !bad; k++) {
            zl_proof p;
            cairn_transcript a, b;
            cairn_error err;
            cairn_transcript_init(&a, "bench-lean");
            cairn_transcript_init(&b, "bench-lean");
            zl_proof_init(&p);
            double t0 = bench_now();
            bad |= zl_prove_cols(&p, &a, &s, r.cells, 2, &err) != CAIRN_OK;
            tp[k] = bench_now() - t0;
            t0 = bench_now();
            bad |= !bad && zl_verify(&b, &s, &p, &err) != CAIRN_OK;
            tv[k] = bench_now() - t0;
            if (bad)
                fprintf(stderr, "bench_lean: %s: %s\n", name, err.msg);
            bytes = zl_proof_size(&p, parts);
            memcpy(stages[k], p.stage_s, sizeof stages[k]);
            memcpy(cpus[k], p.stage_cpu_s, sizeof cpus[k]);
            memcpy(owns[k], p.stage_own_cpu_s, sizeof owns[k]);
            memcpy(rss[k], p.stage_rss, sizeof rss[k]);
            memcpy(rows_read, p.stage_rows, sizeof rows_read); /* the same every repetition */
            zl_proof_clear(&p);
        }
        double tp0[16];
        memcpy(tp0, tp, sizeof tp0);
        if (!bad)
            printf("%-12s %8llu %6u %9.3fs %8.1fms %10zu  %zu/%zu/%zu/%zu/%zu\n", name,
                   (unsigned long long)r.T, ZL_NCELL, bench_median(tp, reps),
                   1e3 * bench_median(tv, reps), bytes, parts[0], parts[1], parts[2], parts[3],
                   parts[4]);
        if (!bad) {
            /* the stages of the median repetition */
            double med = bench_median(tp, reps);
            int km = 0;
            for (int k = 0; k < reps; k++)
                if (fabs(tp0[k] - med) < fabs(tp0[km] - med))
                    km = k;
            printf("%-12s stages:", "");
            for (unsigned i = 0; i < ZL_NSTAGE; i++)
                printf(" %s %.3fs,", zl_stage_names[i], stages[km][i]);
            printf("\n%-12s stage CPU:", "");
            for (unsigned i = 0; i < ZL_NSTAGE; i++)
                printf(" %s %.3fs,", zl_stage_names[i], cpus[km][i]);
            printf("\n%-12s stage CPU on the pool's other threads:", "");
            for (unsigned i = 0; i < ZL_NSTAGE; i++)
                printf(" %s %.0f%%,", zl_stage_names[i],
                       cpus[km][i] > 0 ? 100.0 * (1.0 - owns[km][i] / cpus[km][i]) : 0.0);
            double peak = pre_mib;
            printf("\n%-12s stage peak RSS:", "");
            for (unsigned i = 0; i < ZL_NSTAGE; i++) {
                double mib = (double)rss[km][i] / (1024.0 * 1024.0);
                peak = mib > peak ? mib : peak;
                printf(" %s %.0f,", zl_stage_names[i], mib);
            }
            printf(" MiB (before proving %.0f); peak RSS so far %.0f MiB\n", pre_mib, peak);
            /* passes over the witness: rows read through the row reads / 2^n (not yet counted:
               the lookups' and the openings' sweeps of the cell columns) */
            double all = 0, rows = (double)(UINT64_C(1) << r.n);
            printf("%-12s witness passes (rows read / 2^%zu):", "", r.n);
            for (unsigned i = 0; i < ZL_NSTAGE; i++) {
                all += (double)rows_read[i] / rows;
                printf(" %s %.2f,", zl_stage_names[i], (double)rows_read[i] / rows);
            }
            printf(" total %.2f\n", all);
        }
        zl_run_clear(&r);
    next:
        free(elf);
    }
    return 0;
}
