/*
 * bench_lean.c — the lean row's prototype prover (docs/zkvm-v2.md, step 3:
 * every stage chained, in linear space, no byte format yet) against the
 * first proof system on the same runs: hello, and the loop guest sized to
 * just below 2^12, 2^14 and 2^16 trace rows (--quick: hello and 2^12).
 * Prints per run: the trace rows, committed cells per row, prove and
 * verify time (median of --reps), the proof's size in bytes (the lean
 * proof's as its parts would encode, zl_proof_size), and the first
 * prover's time and proof size.  The prototype materialises every value
 * the constraints read (about 480 per row), so it is not run past 2^16
 * rows; the streaming stages of step 4 remove that.
 */
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "../src/zkvm/zkvm_internal.h"
#include "cairn/pool.h"
#include "cairn/witness.h"
#include "cairn/zkvm.h"
#include "util.h"

/* The lean cells of a run: through the witness oracle and the lean row source. */
struct run {
    cairn_program prog;
    zk_bytecode bc;
    zk_ram ram;
    uint32_t init[32];
    uint64_t T;
    size_t n;
    cairn_fp *cells;
    uint8_t *output;
    size_t output_len;
    uint32_t exit_code;
    uint64_t instructions;
};

static cairn_status copy_rows(void *ctx, uint64_t first, const cairn_fp *rows, size_t count,
                              cairn_error *err)
{
    (void)err;
    memcpy((cairn_fp *)ctx + first * ZL_NCELL, rows, count * ZL_NCELL * sizeof *rows);
    return CAIRN_OK;
}

static int out_cb(void *ctx, int fd, const uint8_t *buf, size_t len)
{
    struct run *r = ctx;
    if (fd != 1)
        return 0;
    uint8_t *o = realloc(r->output, r->output_len + len);
    if (o == NULL)
        return 1;
    memcpy(o + r->output_len, buf, len);
    r->output = o;
    r->output_len += len;
    return 0;
}

static int run_build(struct run *r, const uint8_t *elf, size_t elf_len, const uint8_t *in,
                     size_t in_len)
{
    cairn_error err;
    cairn_witness_oracle *o = NULL;
    cairn_vm vm;
    cairn_vm_config cfg;
    int ok = 0;
    memset(r, 0, sizeof *r);
    memset(&vm, 0, sizeof vm);
    zk_bytecode_init(&r->bc);
    zk_ram_init(&r->ram);
    if (cairn_elf_load(&r->prog, elf, elf_len, &err) != CAIRN_OK ||
        zk_bytecode_build(&r->bc, &r->prog, &err) != CAIRN_OK)
        goto out;
    cairn_vm_config_init(&cfg);
    cfg.write = out_cb;
    cfg.write_ctx = r;
    if (cairn_vm_init(&vm, &r->prog, &cfg, &err) != CAIRN_OK)
        goto out;
    cairn_vm_set_input(&vm, in, in_len);
    if (cairn_vm_run(&vm, UINT64_C(1) << 24, &err) != CAIRN_OK || vm.halt != CAIRN_VM_EXITED)
        goto out;
    r->exit_code = vm.exit_code;
    r->instructions = vm.cycles;
    r->T = zk_vm_trace_rows(&vm);
    r->n = zk_vars_for(r->T);
    zk_init_regs(r->init, &r->prog, vm.mem_log2_words);
    if (zk_ram_load(&r->ram, &r->prog, vm.mem_log2_words, &err) != CAIRN_OK ||
        cairn_witness_oracle_new_table(&o, &r->prog, NULL, in, in_len, UINT64_C(1) << 24, 0,
                                       &err) != CAIRN_OK)
        goto out;
    size_t rows = (size_t)1 << r->n;
    r->cells = malloc(rows * ZL_NCELL * sizeof *r->cells);
    cairn_rows src;
    zl_source s;
    if (r->cells == NULL ||
        zl_source_init(&src, &s, cairn_witness_oracle_rows(o), cairn_witness_oracle_cycles(o),
                       r->T, r->n, &r->bc, r->init, &r->ram, in, in_len, &err) != CAIRN_OK ||
        cairn_rows_stream(&src, 0, rows, copy_rows, r->cells, &err) != CAIRN_OK)
        goto out;
    ok = 1;
out:
    if (!ok)
        fprintf(stderr, "bench_lean: %s\n", err.msg);
    cairn_witness_oracle_free(o);
    cairn_vm_clear(&vm);
    return ok;
}

static void run_clear(struct run *r)
{
    free(r->cells);
    free(r->output);
    zk_ram_clear(&r->ram);
    zk_bytecode_clear(&r->bc);
    cairn_program_clear(&r->prog);
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    int lean_only = 0; /* --lean-only: skip the first prover (for profiles) */
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--lean-only") == 0) {
            lean_only = 1;
            memmove(&argv[i], &argv[i + 1], (size_t)(argc - i) * sizeof *argv);
            argc--, i--;
        }
    bench_parse(&o, argc, argv,
                "the lean row's prototype prover against the first prover\n"
                "  --lean-only      skip the first prover (v1_prove and v1_bytes read 0)");
    if (o.threads == 0)
        (void)cairn_pool_set_threads(2, NULL);
    printf("%-12s %8s %6s %10s %10s %10s %10s %10s  %s\n", "case", "rows", "cells", "lean_prove",
           "lean_verif", "lean_bytes", "v1_prove", "v1_bytes",
           "lean bytes by stage: zero-check/memory/shift/lookups/openings");
    static const struct {
        const char *guest;
        uint32_t iters; /* loop: iterations; 0: no input */
    } cases[] = {{"hello", 0}, {"loop", 200}, {"loop", 1000}, {"loop", 4500}};
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
        struct run r;
        if (elf == NULL || !run_build(&r, elf, elf_len, in, in_len)) {
            fprintf(stderr, "bench_lean: %s: cannot build the run (make guests)\n", path);
            if (elf != NULL)
                run_clear(&r);
            goto next;
        }
        zl_stmt s = {r.n,   r.T,     {r.prog.entry, r.exit_code}, r.instructions, r.output,
                     r.output_len, &r.bc, &r.ram, &r.prog, r.init, 100, ZL_GRIND_AUTO, ZL_GRIND_AUTO};
        double tp[16], tv[16], t1[16], stages[16][ZL_NSTAGE];
        size_t bytes = 0, v1_bytes = 0, parts[5] = {0};
        int reps = o.reps < 16 ? o.reps : 16, bad = 0;
        for (int k = 0; k < reps && !bad; k++) {
            zl_proof p;
            cairn_transcript a, b;
            cairn_error err;
            cairn_transcript_init(&a, "bench-lean");
            cairn_transcript_init(&b, "bench-lean");
            zl_proof_init(&p);
            double t0 = bench_now();
            bad |= zl_prove(&p, &a, &s, r.cells, 2, &err) != CAIRN_OK;
            tp[k] = bench_now() - t0;
            t0 = bench_now();
            bad |= !bad && zl_verify(&b, &s, &p, &err) != CAIRN_OK;
            tv[k] = bench_now() - t0;
            if (bad)
                fprintf(stderr, "bench_lean: %s: %s\n", name, err.msg);
            bytes = zl_proof_size(&p, parts);
            memcpy(stages[k], p.stage_s, sizeof stages[k]);
            zl_proof_clear(&p);
            /* the first prover on the same run */
            uint8_t *proof = NULL;
            cairn_zkvm_options opt;
            cairn_zkvm_options_init(&opt);
            opt.threads = 2;
            t0 = bench_now();
            if (lean_only || cairn_zkvm_prove(&proof, &v1_bytes, NULL, NULL, elf, elf_len, in,
                                              in_len, &opt, &err) != CAIRN_OK)
                v1_bytes = 0;
            t1[k] = bench_now() - t0;
            free(proof);
        }
        double tp0[16];
        memcpy(tp0, tp, sizeof tp0);
        if (!bad)
            printf("%-12s %8llu %6u %9.3fs %8.1fms %10zu %9.3fs %10zu  %zu/%zu/%zu/%zu/%zu\n",
                   name, (unsigned long long)r.T, ZL_NCELL, bench_median(tp, reps),
                   1e3 * bench_median(tv, reps), bytes, bench_median(t1, reps), v1_bytes,
                   parts[0], parts[1], parts[2], parts[3], parts[4]);
        if (!bad) {
            /* the stages of the median repetition */
            double med = bench_median(tp, reps);
            int km = 0;
            for (int k = 0; k < reps; k++)
                if (fabs(tp0[k] - med) < fabs(tp0[km] - med))
                    km = k;
            printf("%-12s stages:", "");
            for (unsigned i = 0; i < ZL_NSTAGE; i++)
                printf(" %s %.3fs%s", zl_stage_names[i], stages[km][i], i + 1 < ZL_NSTAGE ? "," : "\n");
        }
        run_clear(&r);
    next:
        free(elf);
    }
    return 0;
}
