/*
 * lean_run.c — a program's run as the lean prover reads it: the ELF
 * loaded, its bytecode table and RAM image, the lean cells of every row
 * (2^n rows) streamed through a witness oracle and the lean row source
 * (lean_fill.c), and the public output read back from the cells.  The
 * oracle is a table of a fresh run (the VM run once plainly first, to
 * report a fault or a cycle limit early) or a replay of a recorded
 * checkpoint set; everything after it is one code path, so both give the
 * same cells and the same proof.  Linear space: the cells are
 * materialised, as columns (zl_prove_cols reads them without a copy), as
 * the prover needs them (docs/zkvm-v2.md §8, step 3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/sha256.h"
#include "cairn/witness.h"
#include "zkvm_internal.h"

struct cols_sink {
    cairn_fp *cols;
    size_t rows;
};

/* Rows into the columns (cell c of row x at cols[c * rows + x]). */
static cairn_status copy_rows(void *ctx, uint64_t first, const cairn_fp *rows, size_t count,
                              cairn_error *err)
{
    (void)err;
    const struct cols_sink *k = ctx;
    for (size_t i = 0; i < count; i++)
        for (unsigned c = 0; c < ZL_NCELL; c++)
            k->cols[c * k->rows + first + i] = rows[i * ZL_NCELL + c];
    return CAIRN_OK;
}

static void tell(const zl_run_how *how, const char *stage, double done)
{
    if (how != NULL && how->rep != NULL && how->rep->fn != NULL)
        how->rep->fn(how->rep->ctx, stage, done);
}

/* Collects the output bytes of the rows a stream hands over. */
struct out_sink {
    zl_run *r;
    size_t cap;
};

static cairn_status out_rows(void *ctx, uint64_t first, const cairn_fp *rows, size_t count,
                             cairn_error *err)
{
    struct out_sink *o = ctx;
    zl_run *r = o->r;
    for (size_t i = 0; i < count && first + i < r->T; i++) {
        const cairn_fp *c = rows + i * ZL_NCELL;
        if (r->bc.entries[c[ZL_PCI].v].f[ZK_F_BO].v == 0)
            continue;
        if (r->output_len == o->cap) {
            size_t cap = o->cap ? 2 * o->cap : 256;
            uint8_t *b = realloc(r->output, cap);
            if (b == NULL)
                return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the output");
            r->output = b, o->cap = cap;
        }
        r->output[r->output_len++] = (uint8_t)c[ZL_VD].v;
    }
    return CAIRN_OK;
}

/*
 * The public output, read back from the rows (the cell columns, or the
 * replayed rows in small space): the byte of every fd-1 byte row
 * (ZK_F_BO), in row order.  The cells got it from the replayed RAM, so it
 * is what the guest wrote whichever way the rows were made.
 */
static cairn_status output_of(zl_run *r, const cairn_rows *rows, cairn_error *err)
{
    struct out_sink o = {r, 0};
    return cairn_rows_stream(rows, 0, r->T, out_rows, &o, err);
}

/*
 * The estimate: a fixed part (U, B, the program, the allocator's arenas),
 * the RAM's final words (2^k), and per row (2^n) whichever is smaller of
 * the stages holding everything (small runs: the GKRs' tables grow with
 * the rows until their budget, zl_gkr_budget) and the streamed stages
 * (the cell columns, the zero-check's folded tables,
 * the committer's column states) plus the GKRs' budgets.  Calibrated with
 * a margin on the peak RSS of `cairn prove` (/usr/bin/time): hello (2^6
 * rows) 36 MiB, fib (2^15) 95 MiB, sha256 of 1500 bytes (2^17) 182 MiB,
 * loop 40000 (2^20) 440 MiB; the estimate says 72, 112, 232 and 840 MiB.
 */
#define ZL_MEM_FIXED (UINT64_C(64) << 20)
#define ZL_MEM_PER_WORD UINT64_C(256)
#define ZL_MEM_PER_ROW_HELD UINT64_C(1280)
#define ZL_MEM_PER_ROW_STREAMED UINT64_C(512)
#define ZL_MEM_STREAM_BUDGETS (UINT64_C(256) << 20)

uint64_t zl_prove_memory(size_t n, unsigned k)
{
    uint64_t held = ZL_MEM_PER_ROW_HELD << n;
    uint64_t streamed = (ZL_MEM_PER_ROW_STREAMED << n) + ZL_MEM_STREAM_BUDGETS;
    return ZL_MEM_FIXED + (ZL_MEM_PER_WORD << k) + (held < streamed ? held : streamed);
}

/* Bytes as GiB or MiB with one decimal, for messages. */
static void fmt_bytes(char *out, size_t cap, uint64_t b)
{
    if (b >= (UINT64_C(1) << 30))
        snprintf(out, cap, "%.1f GiB", (double)b / (double)(UINT64_C(1) << 30));
    else
        snprintf(out, cap, "%.1f MiB", (double)b / (double)(UINT64_C(1) << 20));
}

/*
 * The lean proof's limit (zl_setup_init's) and the memory the prover may
 * take, checked before 2^n rows of anything are allocated.
 */
static cairn_status too_long(const zl_run *r, uint32_t k, const zl_run_how *how, cairn_error *err)
{
    size_t n = zk_vars_for(r->T);
    if (n > ZL_MAX_VARS)
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "%llu trace rows (%llu instructions): over the limit of %llu rows",
                               (unsigned long long)r->T, (unsigned long long)r->instructions,
                               (unsigned long long)((UINT64_C(1) << ZL_MAX_VARS) - 1));
    uint64_t limit = how != NULL && how->space == ZL_SPACE_LINEAR ? how->mem_limit : 0;
    if (limit > 0 && zl_prove_memory(n, k) > limit) {
        char need[32], have[32];
        fmt_bytes(need, sizeof need, zl_prove_memory(n, k));
        fmt_bytes(have, sizeof have, limit);
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "%llu instructions (%llu trace rows, 2^%zu padded): proving them "
                               "needs about %s of memory, more than the %s available",
                               (unsigned long long)r->instructions, (unsigned long long)r->T, n,
                               need, have);
    }
    return CAIRN_OK;
}

/*
 * A fresh run: execute once plainly (a fault or a cycle limit is reported
 * before anything large is allocated, and the run's length checked against
 * the lean limit), then, in linear space (o non-NULL), trace it again into
 * a table oracle.
 */
static cairn_status run_fresh(zl_run *r, cairn_witness_oracle **o, uint32_t *k, double *t_exec,
                              const uint8_t *in, size_t in_len, uint64_t max_steps,
                              const zl_run_how *how, cairn_error *err)
{
    cairn_vm vm;
    cairn_vm_config cfg;
    cairn_status st;
    memset(&vm, 0, sizeof vm);
    const cairn_vm_config *layout = how != NULL ? how->layout : NULL;
    if (layout != NULL)
        cfg = *layout;
    else
        cairn_vm_config_init(&cfg);
    cfg.write = NULL;
    tell(how, "execute", 0);
    if ((st = cairn_vm_init(&vm, &r->prog, &cfg, err)) != CAIRN_OK)
        goto out;
    cairn_vm_set_input(&vm, in, in_len);
    if ((st = cairn_vm_run(&vm, max_steps, err)) != CAIRN_OK)
        goto out;
    if ((st = zk_vm_ended(&vm, max_steps, err)) != CAIRN_OK)
        goto out;
    r->exit_code = vm.exit_code;
    r->instructions = vm.cycles;
    r->T = zk_vm_trace_rows(&vm);
    *k = vm.mem_log2_words;
    tell(how, "execute", 1);
    *t_exec = zk_now_s();
    tell(how, "witness", 0);
    if ((st = too_long(r, *k, how, err)) == CAIRN_OK && o != NULL)
        st = cairn_witness_oracle_new_table(o, &r->prog, layout, in, in_len, max_steps, 0, err);
out:
    cairn_vm_clear(&vm);
    return st;
}

/*
 * A recorded run: what the header says of its end, and a replay oracle
 * over the set; T is counted from the replayed rows (one pass, in the
 * oracle's chunks).
 */
static cairn_status run_replay(zl_run *r, cairn_witness_oracle **o, uint32_t *k, double *t_exec,
                               const uint8_t *in, size_t in_len, uint64_t max_steps,
                               const zl_run_how *how, cairn_error *err)
{
    const cairn_ckpt_header *h = cairn_checkpoints_header(how->cp);
    cairn_witness_replay_config rc;
    cairn_status st;
    *t_exec = zk_now_s(); /* nothing is executed: the set's own replay checked it */
    tell(how, "witness", 0);
    if (h->halt == CAIRN_VM_FAULTED)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "the recorded run faulted after %llu cycles; only a run that "
                               "exits can be proven",
                               (unsigned long long)h->cycles);
    if (h->halt != CAIRN_VM_EXITED || h->cycles > max_steps)
        return cairn_error_set(err, CAIRN_ERR_LIMIT, "the guest did not exit within %llu cycles",
                               (unsigned long long)(h->cycles < max_steps ? h->cycles : max_steps));
    r->exit_code = h->exit_code;
    r->instructions = h->cycles;
    *k = h->mem_log2_words;
    memset(&rc, 0, sizeof rc);
    rc.threads = how->threads ? how->threads : 1;
    if ((st = cairn_witness_oracle_new_replay(o, how->cp, &r->prog, in, in_len, &rc, err)) !=
            CAIRN_OK ||
        (st = zk_trace_rows(&r->T, cairn_witness_oracle_rows(*o), r->instructions, err)) !=
            CAIRN_OK)
        return st;
    return too_long(r, *k, how, err);
}

uint64_t zl_interval_for(size_t n)
{
    uint64_t c = UINT64_C(1) << ((n + 1) / 2);
    return c < 64 ? 64 : c;
}

/*
 * Small space, after the plain run: the lean checkpoints every
 * how->interval rows (one more run, through the row machine, keeping
 * nothing of size 2^n) and the output from one pass of replayed rows.
 * The input is copied: every later replay reads it.
 */
static cairn_status run_small(zl_run *r, const uint8_t *in, size_t in_len, uint64_t max_steps,
                              const zl_run_how *how, cairn_error *err)
{
    cairn_status st;
    if (in_len > 0) {
        if ((r->input = malloc(in_len)) == NULL)
            return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the input");
        memcpy(r->input, in, in_len);
        r->input_len = in_len;
    }
    zl_replay_run run = {&r->prog, how->layout, &r->bc, &r->ram, r->init,
                         r->input, r->input_len, max_steps};
    uint64_t interval = how->interval != 0 ? how->interval : zl_interval_for(r->n);
    if ((st = zl_replay_record(&r->rp, &run, interval, err)) != CAIRN_OK)
        return st;
    zl_replay_info info;
    zl_replay_get_info(&info, r->rp);
    if (info.T != r->T || info.cycles != r->instructions || info.n != r->n ||
        info.exit_code != r->exit_code)
        return cairn_error_set(err, CAIRN_ERR_INTERNAL,
                               "the recorded run (%llu rows, %llu instructions, exit %u) is not "
                               "the executed one (%llu, %llu, exit %u)",
                               (unsigned long long)info.T, (unsigned long long)info.cycles,
                               info.exit_code, (unsigned long long)r->T,
                               (unsigned long long)r->instructions, r->exit_code);
    cairn_rows rows;
    zl_replay_rows impl;
    zl_replay_rows_init(&rows, &impl, r->rp, how->threads ? how->threads : 1);
    return output_of(r, &rows, err);
}

cairn_status zl_run_make(zl_run *r, const uint8_t *elf, size_t elf_len, const uint8_t *in,
                         size_t in_len, uint64_t max_steps, const zl_run_how *how,
                         cairn_error *err)
{
    cairn_witness_oracle *o = NULL;
    uint32_t k = 0;
    cairn_status st;
    double t0 = zk_now_s(), t_exec = t0;
    memset(r, 0, sizeof *r);
    zk_bytecode_init(&r->bc);
    zk_ram_init(&r->ram);
    if ((st = cairn_elf_load(&r->prog, elf, elf_len, err)) != CAIRN_OK ||
        (st = zk_bytecode_build_ext(&r->bc, &r->prog, ZK_EXT_M, err)) != CAIRN_OK)
        goto out;
    int space = how != NULL ? how->space : ZL_SPACE_LINEAR;
    if (space != ZL_SPACE_LINEAR && how->cp != NULL) {
        if (space == ZL_SPACE_SMALL) {
            st = cairn_error_set(err, CAIRN_ERR_ARG,
                                 "small space from a checkpoint file: not supported yet (prove "
                                 "the program without --from-checkpoints)");
            goto out;
        }
        space = ZL_SPACE_LINEAR;
    }
    /* the space in effect (a checkpoint file's run is linear: its memory limit applies) */
    zl_run_how eff;
    if (how != NULL) {
        eff = *how;
        eff.space = space;
        how = &eff;
    }
    /* auto: execute plainly first (no table), then decide */
    st = how != NULL && how->cp != NULL
             ? run_replay(r, &o, &k, &t_exec, in, in_len, max_steps, how, err)
             : run_fresh(r, space == ZL_SPACE_LINEAR ? &o : NULL, &k, &t_exec, in, in_len,
                         max_steps, how, err);
    if (st != CAIRN_OK)
        goto out;
    r->n = zk_vars_for(r->T);
    if (space == ZL_SPACE_AUTO) {
        if (how->mem_limit == 0 || zl_prove_memory(r->n, k) <= how->mem_limit) {
            space = ZL_SPACE_LINEAR;
            if ((st = cairn_witness_oracle_new_table(&o, &r->prog, how->layout, in, in_len,
                                                     max_steps, 0, err)) != CAIRN_OK)
                goto out;
        } else {
            space = ZL_SPACE_SMALL;
        }
    }
    r->small = space == ZL_SPACE_SMALL;
    zk_init_regs(r->init, &r->prog, k);
    if ((st = zk_ram_load(&r->ram, &r->prog, k, err)) != CAIRN_OK)
        goto out;
    if (r->small) {
        st = run_small(r, in, in_len, max_steps, how, err);
        goto done;
    }
    size_t rows = (size_t)1 << r->n;
    if ((r->cells = malloc(rows * ZL_NCELL * sizeof *r->cells)) == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for 2^%zu rows", r->n);
        goto out;
    }
    cairn_rows src, crows;
    zl_source s;
    zl_cols_rows cimpl;
    const cairn_fp *cols[ZL_NCELL];
    struct cols_sink sink = {r->cells, rows};
    for (unsigned c = 0; c < ZL_NCELL; c++)
        cols[c] = r->cells + (size_t)c * rows;
    zl_cols_rows_init(&crows, &cimpl, cols, r->n);
    if ((st = zl_source_init(&src, &s, cairn_witness_oracle_rows(o), cairn_witness_oracle_cycles(o),
                             r->T, r->n, &r->bc, r->init, &r->ram, in, in_len, err)) != CAIRN_OK ||
        (st = cairn_rows_stream(&src, 0, rows, copy_rows, &sink, err)) != CAIRN_OK ||
        (st = output_of(r, &crows, err)) != CAIRN_OK)
        goto out;
    if (how != NULL && how->cp != NULL) {
        /* the set was verified against its own output digest; its rows must give that output */
        const cairn_ckpt_header *h = cairn_checkpoints_header(how->cp);
        uint8_t d[CAIRN_SHA256_BYTES];
        cairn_sha256(d, r->output, r->output_len);
        if (r->output_len != h->output_len || memcmp(d, h->output_digest, sizeof d) != 0) {
            st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                                 "the checkpoint set records %llu bytes of output, its rows "
                                 "give %zu other bytes",
                                 (unsigned long long)h->output_len, r->output_len);
            goto out;
        }
    }
done:
    if (st != CAIRN_OK)
        goto out;
    tell(how, "witness", 1);
    r->execute_s = t_exec - t0;
    r->witness_s = zk_now_s() - t_exec;
out:
    cairn_witness_oracle_free(o);
    if (st != CAIRN_OK)
        zl_run_clear(r);
    return st;
}

cairn_status zl_run_init(zl_run *r, const uint8_t *elf, size_t elf_len, const uint8_t *in,
                         size_t in_len, uint64_t max_steps, cairn_error *err)
{
    return zl_run_make(r, elf, elf_len, in, in_len, max_steps, NULL, err);
}

cairn_status zl_run_init_cfg(zl_run *r, const uint8_t *elf, size_t elf_len, const uint8_t *in,
                             size_t in_len, uint64_t max_steps, const cairn_vm_config *layout,
                             cairn_error *err)
{
    zl_run_how how = {layout, NULL, 0, NULL, 0, ZL_SPACE_LINEAR, 0};
    return zl_run_make(r, elf, elf_len, in, in_len, max_steps, &how, err);
}

void zl_run_clear(zl_run *r)
{
    if (r == NULL)
        return;
    free(r->cells);
    zl_replay_free(r->rp);
    free(r->input);
    free(r->output);
    zk_ram_clear(&r->ram);
    zk_bytecode_clear(&r->bc);
    cairn_program_clear(&r->prog);
    memset(r, 0, sizeof *r);
}

void zl_run_stmt(zl_stmt *s, const zl_run *r, unsigned security, unsigned grind)
{
    *s = (zl_stmt){r->n,
                   r->T,
                   {r->prog.entry, r->exit_code},
                   r->instructions,
                   r->output,
                   r->output_len,
                   &r->bc,
                   &r->ram,
                   &r->prog,
                   r->init,
                   security,
                   grind,
                   grind};
}

/*
 * Small space's estimate, item by item (calibrated on `cairn prove
 * --memory-budget` runs, docs/small-space.md): the tables U and B, the
 * program and the allocator's arenas (fixed); the RAM's final words and
 * each replay thread's cursor (a VM and the RAM's words and timestamps,
 * 2^k each); the checkpoints as recorded; the phase-1 commitment's
 * level-0 peak (cairn_pcs_commit_memory: a packed hash per codeword
 * symbol finished in place into its leaf, 8 rows and one coset of their
 * codewords, then the bottom subtrees' roots and the tree kept from
 * cairn_pcs_tree_cap up) and its window of cells (k0 rows); what the
 * stages still hold per row in small space (the claim reductions' block
 * tables, the lookups' pushforwards; the former never more than
 * ZL_OPEN_TABLE_MAX and their folds, past which the reduction runs on
 * windows); the shift stage's tables of about 2^(n/2) entries
 * (zl_shift_memory; in place of the commitment and the per-row parts
 * when larger, for the stages do not meet); and the zero-check's and the
 * GKRs' in-memory tables at their smallest.  What is
 * left of the budget goes to those two: the zero-check reads as many
 * rounds from the rows as it takes for its tables to fit half of it, the
 * GKRs take the other half.
 */
#define ZL_SMALL_FIXED (UINT64_C(40) << 20)
#define ZL_SMALL_PER_ROW UINT64_C(160)
#define ZL_SMALL_HELD_MAX ((uint64_t)ZL_OPEN_TABLE_MAX * 3 / 2)
#define ZL_SMALL_ZC_COLS UINT64_C(128)
#define ZL_SMALL_GKR_MIN ((size_t)4 << 20)
#define ZL_SMALL_GKR_MAX ((size_t)1 << 30)

cairn_status zl_small_plan_make(zl_small_plan *pl, const zl_run *r, uint64_t budget,
                                unsigned threads, cairn_error *err)
{
    zl_setup su;
    zl_replay_info info;
    size_t n = r->n;
    unsigned k = r->ram.k;
    cairn_status st = zl_setup_init(&su, n, k, zl_bc_vars(&r->bc), CAIRN_ZKVM_MIN_SECURITY_BITS,
                                    ZL_GRIND_AUTO, ZL_GRIND_AUTO, err);
    if (st != CAIRN_OK)
        return st;
    memset(&info, 0, sizeof info);
    if (r->rp != NULL)
        zl_replay_get_info(&info, r->rp);
    uint64_t rows = UINT64_C(1) << n, k0 = UINT64_C(1) << su.p1.log_cols;
    uint64_t win = (k0 < rows ? k0 : rows) * ZL_NCELL * sizeof(cairn_fp) + k0 * sizeof(cairn_fp);
    uint64_t pcs = cairn_pcs_commit_memory(&su.p1) + win;
    /* the row reads' cursors (one a thread) and a sweep's (one a piece) can be open at once */
    uint64_t cursors = 2 * (uint64_t)(threads ? threads : 1);
    uint64_t ram = (UINT64_C(16) + UINT64_C(17) * cursors) << k;
    uint64_t held = ZL_SMALL_PER_ROW * rows; /* the reduction's tables: whole up to ZL_OPEN_TABLE_MAX */
    if (held > ZL_SMALL_HELD_MAX)
        held = ZL_SMALL_HELD_MAX;
    /* the shift stage's tables (two passes, about 2^(n/2) entries): never beside the commitment */
    uint64_t shift = zl_shift_memory(n);
    uint64_t stage = pcs + held > shift ? pcs + held : shift;
    size_t dmax = n < ZL_ZC_DELAY_MAX ? n : ZL_ZC_DELAY_MAX;
    uint64_t zc_min = ZL_SMALL_ZC_COLS * sizeof(cairn_fp2) << (n - dmax);
    uint64_t fixed = ZL_SMALL_FIXED + ram + info.bytes + stage;
    pl->minimum = fixed + zc_min + ZL_SMALL_GKR_MIN;
    if (budget < pl->minimum) {
        char b[32], m[32], f[32], w[32], c[32], p[32], h[32], z[32], sh[32];
        fmt_bytes(b, sizeof b, budget);
        fmt_bytes(m, sizeof m, pl->minimum);
        fmt_bytes(f, sizeof f, ZL_SMALL_FIXED + ZL_SMALL_GKR_MIN);
        fmt_bytes(w, sizeof w, ram);
        fmt_bytes(c, sizeof c, info.bytes);
        fmt_bytes(p, sizeof p, pcs);
        fmt_bytes(h, sizeof h, held);
        fmt_bytes(z, sizeof z, zc_min);
        fmt_bytes(sh, sizeof sh, shift);
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "memory budget %s below the %s small space needs for 2^%zu rows: "
                               "tables %s, RAM and %u cursors %s, %llu checkpoints %s, "
                               "commitment %s, per-row tables %s, zero-check %s; the shift's "
                               "tables %s, counted instead of the commitment and the per-row "
                               "tables when larger",
                               b, m, n, f, (unsigned)cursors, w, (unsigned long long)info.count,
                               c, p, h, z, sh);
    }
    uint64_t left = budget - fixed;
    size_t d = ZL_ZC_DELAY < dmax ? ZL_ZC_DELAY : dmax;
    while (d < dmax && (ZL_SMALL_ZC_COLS * sizeof(cairn_fp2) << (n - d)) > left / 2)
        d++;
    uint64_t zt = ZL_SMALL_ZC_COLS * sizeof(cairn_fp2) << (n - d);
    uint64_t g = left > zt ? left - zt : 0;
    g = g > left / 2 ? left / 2 : g;
    pl->zc_delay = (int)d;
    pl->gkr_budget = g < ZL_SMALL_GKR_MIN ? ZL_SMALL_GKR_MIN
                     : g > ZL_SMALL_GKR_MAX ? ZL_SMALL_GKR_MAX
                                            : (size_t)g;
    return CAIRN_OK;
}
