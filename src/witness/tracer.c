/*
 * tracer.c — a VM's cycles turned into rows as a caller drives the VM
 * itself (cairn_wit_tracer, cairn/witness.h): the tracing interpreter in
 * batches of at most batch_rows cycles, each batch's records converted by
 * the same table and wit_rows_fill as the oracle's, so the rows equal the
 * oracle's rows of those cycles.
 *
 * The lean prover's checkpoint replay (src/zkvm/lean_replay.c) restores a
 * VM from its own checkpoints and pulls rows a batch at a time; the
 * tracer is what it needs of this module.  Memory: the decoded text (one
 * entry per executable word), one batch of records and one of rows; one
 * tracer per thread, as it owns those buffers.
 */
#include <stdlib.h>
#include <string.h>

#include "witness_internal.h"

struct cairn_wit_tracer {
    struct wit_code code;
    size_t batch;
    cairn_vm_trace_rec *recs;
    cairn_fp *rows;
};

cairn_status cairn_wit_tracer_new(cairn_wit_tracer **out, const cairn_vm *vm, size_t batch_rows,
                                  cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    *out = NULL;
    if (batch_rows == 0 || batch_rows > ((size_t)1 << 24))
        return cairn_error_set(err, CAIRN_ERR_ARG, "tracer batch of %zu rows outside 1..2^24",
                               batch_rows);
    cairn_wit_tracer *t = calloc(1, sizeof *t);
    if (t == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for a tracer");
    t->batch = batch_rows;
    t->recs = malloc(batch_rows * sizeof *t->recs);
    t->rows = malloc(batch_rows * CAIRN_WIT_WIDTH * sizeof *t->rows);
    if (t->recs == NULL || t->rows == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for a tracer of %zu rows",
                             batch_rows);
        goto out;
    }
    st = wit_code_init(&t->code, vm, err);
out:
    if (st != CAIRN_OK)
        cairn_wit_tracer_free(t);
    else
        *out = t;
    return st;
}

void cairn_wit_tracer_free(cairn_wit_tracer *t)
{
    if (t == NULL)
        return;
    wit_code_clear(&t->code);
    free(t->recs);
    free(t->rows);
    free(t);
}

/*
 * One batch: the bound is the smaller of max_cycles and batch cycles on,
 * so the records fit; the rows are numbered from the VM's cycle on entry.
 */
cairn_status cairn_wit_tracer_run(cairn_wit_tracer *t, cairn_vm *vm, uint64_t max_cycles,
                                  uint8_t *dirty, unsigned dirty_shift, const cairn_fp **rows,
                                  size_t *count, cairn_error *err)
{
    uint64_t at = vm->cycles;
    *rows = t->rows;
    *count = 0;
    if (max_cycles <= at)
        return CAIRN_OK;
    uint64_t bound = max_cycles - at < t->batch ? max_cycles : at + t->batch;
    cairn_status st = cairn_vm_run_traced(vm, bound, t->recs, dirty, dirty_shift, err);
    if (st != CAIRN_OK)
        return st;
    *count = (size_t)(vm->cycles - at);
    wit_rows_fill(t->rows, at, t->recs, *count, &t->code);
    return CAIRN_OK;
}
