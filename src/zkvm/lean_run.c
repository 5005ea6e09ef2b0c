/*
 * lean_run.c — a program's run as the lean prover reads it: the ELF
 * loaded, its bytecode table and RAM image, the VM run to its exit with
 * the public output collected, and the lean cells of every row (2^n rows)
 * streamed through the witness oracle and the lean row source
 * (lean_fill.c).  Linear space: the cells are materialised, as columns
 * (zl_prove_cols reads them without a copy), as the prototype prover needs
 * them (docs/zkvm-v2.md §8, step 3).
 */
#include <stdlib.h>
#include <string.h>

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

static int collect_output(void *ctx, int fd, const uint8_t *buf, size_t len)
{
    zl_run *r = ctx;
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

cairn_status zl_run_init(zl_run *r, const uint8_t *elf, size_t elf_len, const uint8_t *in,
                         size_t in_len, uint64_t max_steps, cairn_error *err)
{
    return zl_run_init_cfg(r, elf, elf_len, in, in_len, max_steps, NULL, err);
}

cairn_status zl_run_init_cfg(zl_run *r, const uint8_t *elf, size_t elf_len, const uint8_t *in,
                             size_t in_len, uint64_t max_steps, const cairn_vm_config *layout,
                             cairn_error *err)
{
    cairn_witness_oracle *o = NULL;
    cairn_vm vm;
    cairn_vm_config cfg;
    cairn_status st;
    memset(r, 0, sizeof *r);
    memset(&vm, 0, sizeof vm);
    zk_bytecode_init(&r->bc);
    zk_ram_init(&r->ram);
    if ((st = cairn_elf_load(&r->prog, elf, elf_len, err)) != CAIRN_OK ||
        (st = zk_bytecode_build(&r->bc, &r->prog, err)) != CAIRN_OK)
        goto out;
    if (layout != NULL)
        cfg = *layout;
    else
        cairn_vm_config_init(&cfg);
    cfg.write = collect_output;
    cfg.write_ctx = r;
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
    r->n = zk_vars_for(r->T);
    /* before 2^n rows of cells are allocated: the lean proof's limit (zl_setup_init's) */
    if (r->n > ZL_MAX_VARS) {
        st = cairn_error_set(err, CAIRN_ERR_LIMIT,
                             "%llu trace rows (%llu instructions): over the limit of %llu rows",
                             (unsigned long long)r->T, (unsigned long long)r->instructions,
                             (unsigned long long)((UINT64_C(1) << ZL_MAX_VARS) - 1));
        goto out;
    }
    zk_init_regs(r->init, &r->prog, vm.mem_log2_words);
    if ((st = zk_ram_load(&r->ram, &r->prog, vm.mem_log2_words, err)) != CAIRN_OK ||
        (st = cairn_witness_oracle_new_table(&o, &r->prog, layout, in, in_len, max_steps, 0, err)) !=
            CAIRN_OK)
        goto out;
    size_t rows = (size_t)1 << r->n;
    if ((r->cells = malloc(rows * ZL_NCELL * sizeof *r->cells)) == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for 2^%zu rows", r->n);
        goto out;
    }
    cairn_rows src;
    zl_source s;
    if ((st = zl_source_init(&src, &s, cairn_witness_oracle_rows(o), cairn_witness_oracle_cycles(o),
                             r->T, r->n, &r->bc, r->init, &r->ram, in, in_len, err)) != CAIRN_OK)
        goto out;
    struct cols_sink sink = {r->cells, rows};
    st = cairn_rows_stream(&src, 0, rows, copy_rows, &sink, err);
out:
    cairn_witness_oracle_free(o);
    cairn_vm_clear(&vm);
    if (st != CAIRN_OK)
        zl_run_clear(r);
    return st;
}

void zl_run_clear(zl_run *r)
{
    if (r == NULL)
        return;
    free(r->cells);
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
