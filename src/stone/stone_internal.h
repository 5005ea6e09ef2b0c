/*
 * stone_internal.h — what the files of src/stone/ share: the facts of one
 * Stone v3 layout, and the last checks of a run description.
 */
#ifndef CAIRN_STONE_INTERNAL_H
#define CAIRN_STONE_INTERNAL_H

#include "cairn/stone.h"

typedef struct {
    const char *name;
    unsigned columns_first, columns_second; /* kNumColumnsFirst, kNumColumnsSecond */
    unsigned log_min_trace;                 /* log2 of the largest divisor of the trace length */
    const char *min_component;              /* the component behind it */
    int integrity;                          /* Integrity has a verifier for it */
} stone_layout;

/* The layout named `name`, or NULL. */
const stone_layout *stone_layout_find(const char *name);

/* "plain, small, ..., dynamic": every layout name, for messages. */
const char *stone_layout_list(void);

/*
 * Complete *run: run->layout, dynamic, n_steps, cpu_component_step,
 * min_trace_length, min_reason and n_columns are set; check that n_steps and
 * the step are powers of two, compute log_trace_length and check it against
 * the limit and min_trace_length.  CAIRN_ERR_ARG (powers of two) or
 * CAIRN_ERR_LIMIT (size), messages naming the value and the rule.
 */
cairn_status stone_run_finish(cairn_stone_run *run, cairn_error *err);

/* floor(log2(v)) for v > 0. */
unsigned stone_log2(uint64_t v);

static inline int stone_is_pow2(uint64_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

#endif
