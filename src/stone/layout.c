/*
 * layout.c — the facts of Stone v3's thirteen layouts, and a run's
 * description from a layout name and n_steps (cairn/stone.h).
 *
 * Read from starkware-libs/stone-prover (tag v3, "Stone v3."),
 * src/starkware/air/cpu/board/cpu_air_definition{0..12}.h and .inl:
 *   - every fixed layout has kCpuComponentHeight = 16 and kCpuComponentStep
 *     = 1, so trace_length = n_steps * 16; the dynamic layout multiplies by
 *     dynamic_params.cpu_component_step;
 *   - kNumColumnsFirst and kNumColumnsSecond (the trace columns before and
 *     after the interaction), used only for the memory estimate;
 *   - the AIR divides the trace length by each component's period with
 *     SafeDiv (which asserts an exact division) and asserts the quotients
 *     are powers of two, so the trace must be a multiple of the largest
 *     period: the largest constant K in SafeDiv(trace_length_, K) in each
 *     .inl, and the builtin whose row ratio it is.
 */
#include <stdio.h>
#include <string.h>

#include "stone_internal.h"

static const stone_layout layouts[] = {
    {"plain", 6, 2, 4, "cpu component (16 rows per step)", 0},
    {"small", 23, 2, 13, "ecdsa builtin (8192 rows per instance)", 1},
    {"dex", 21, 1, 13, "ecdsa builtin (8192 rows per instance)", 1},
    {"recursive", 7, 3, 11, "pedersen builtin (2048 rows per instance)", 1},
    {"starknet", 9, 1, 15, "ecdsa builtin (32768 rows per instance)", 1},
    {"starknet_with_keccak", 12, 3, 19, "keccak builtin (16 instances of 32768 rows)", 1},
    {"recursive_large_output", 9, 3, 11, "pedersen builtin (2048 rows per instance)", 0},
    {"recursive_with_poseidon", 6, 2, 12, "pedersen builtin (4096 rows per instance)", 1},
    {"all_solidity", 24, 3, 13, "ecdsa builtin (8192 rows per instance)", 0},
    {"all_cairo", 9, 3, 19, "keccak builtin (16 instances of 32768 rows)", 0},
    {"dex_with_bitwise", 21, 1, 13, "ecdsa builtin (8192 rows per instance)", 0},
    {"perpetual", 9, 1, 15, "ecdsa builtin (32768 rows per instance)", 0},
    /* dynamic: columns and periods come from dynamic_params */
    {"dynamic", 0, 0, 4, "cpu component (16 * cpu_component_step rows per step)", 0},
};

#define N_LAYOUTS (sizeof layouts / sizeof layouts[0])

unsigned cairn_stone_layout_count(void)
{
    return (unsigned)N_LAYOUTS;
}

const char *cairn_stone_layout_name(unsigned i)
{
    return i < N_LAYOUTS ? layouts[i].name : NULL;
}

const stone_layout *stone_layout_find(const char *name)
{
    for (size_t i = 0; i < N_LAYOUTS; i++)
        if (strcmp(layouts[i].name, name) == 0)
            return &layouts[i];
    return NULL;
}

int cairn_stone_layout_integrity(const char *layout)
{
    const stone_layout *l = stone_layout_find(layout);
    return l != NULL && l->integrity;
}

const char *stone_layout_list(void)
{
    return "plain, small, dex, recursive, starknet, starknet_with_keccak, recursive_large_output, "
           "recursive_with_poseidon, all_solidity, all_cairo, dex_with_bitwise, perpetual, dynamic";
}

unsigned stone_log2(uint64_t v)
{
    unsigned l = 0;
    while (v > 1) {
        v >>= 1;
        l++;
    }
    return l;
}

cairn_status stone_run_finish(cairn_stone_run *run, cairn_error *err)
{
    if (!stone_is_pow2(run->n_steps))
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "n_steps %llu is not a power of two: Stone's trace has n_steps * 16 "
                               "rows and must be a power of two (cairo-run --proof_mode pads the "
                               "run to one)",
                               (unsigned long long)run->n_steps);
    if (!stone_is_pow2(run->cpu_component_step))
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "cpu_component_step %llu is not a power of two: the trace has "
                               "n_steps * 16 * cpu_component_step rows, a power of two",
                               (unsigned long long)run->cpu_component_step);
    unsigned lt = stone_log2(run->n_steps) + 4 + stone_log2(run->cpu_component_step);
    if (lt > CAIRN_STONE_MAX_LOG_TRACE)
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "n_steps %llu gives a trace of 2^%u rows, above the 2^%u this tool "
                               "handles",
                               (unsigned long long)run->n_steps, lt, CAIRN_STONE_MAX_LOG_TRACE);
    run->log_trace_length = lt;
    uint64_t trace = (uint64_t)1 << lt;
    if (trace < run->min_trace_length) {
        uint64_t rows_per_step = CAIRN_STONE_CPU_HEIGHT * run->cpu_component_step;
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "n_steps %llu is too small for layout '%s': its %s needs a trace of "
                               "at least %llu rows, so n_steps must be at least %llu",
                               (unsigned long long)run->n_steps, run->layout, run->min_reason,
                               (unsigned long long)run->min_trace_length,
                               (unsigned long long)(run->min_trace_length / rows_per_step));
    }
    return CAIRN_OK;
}

cairn_status cairn_stone_run_from_layout(cairn_stone_run *run, const char *layout, uint64_t n_steps,
                                         uint64_t cpu_component_step, cairn_error *err)
{
    memset(run, 0, sizeof *run);
    const stone_layout *l = stone_layout_find(layout);
    if (l == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "unknown layout '%.40s': Stone v3's layouts are %s", layout,
                               stone_layout_list());
    snprintf(run->layout, sizeof run->layout, "%s", l->name);
    run->dynamic = strcmp(l->name, "dynamic") == 0;
    run->n_steps = n_steps;
    run->cpu_component_step = run->dynamic && cpu_component_step != 0 ? cpu_component_step : 1;
    run->n_columns = l->columns_first + l->columns_second;
    if (run->dynamic) {
        /* Without dynamic_params only the cpu component is known. */
        if (run->cpu_component_step > (UINT64_MAX >> 5))
            return cairn_error_set(err, CAIRN_ERR_LIMIT, "cpu_component_step %llu is too large",
                                   (unsigned long long)run->cpu_component_step);
        run->min_trace_length = CAIRN_STONE_CPU_HEIGHT * run->cpu_component_step;
    } else {
        run->min_trace_length = (uint64_t)1 << l->log_min_trace;
    }
    snprintf(run->min_reason, sizeof run->min_reason, "%s", l->min_component);
    return stone_run_finish(run, err);
}
