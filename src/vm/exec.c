/*
 * exec.c — the interpreter over the pre-decoded table, and its variants.
 *
 * The loop itself is in exec_loop.inc, the only place that gives
 * instructions their meaning (RISC-V Unprivileged ISA, RV32I ch. 2 and M
 * ch. 7).  It is included once per variant with a compile-time hooks
 * switch, so the plain variant compiles without any instrumentation and the
 * statistics variant and the tracing variant (cairn_vm_run_traced: one
 * record per cycle for the witness, dirty pages for checkpoints) reuse the
 * same code.
 *
 * Invariants while the loop runs: `ip` points into vm->code (the last entry
 * is the fetch-fault sentinel); x[0] == 0 (rd 0 is decoded as the sink slot
 * 32); `left` counts the instructions still allowed.  A faulting instruction
 * is not counted, and leaves registers and memory untouched, except that a
 * fetch fault after a jump reports the target as pc (the jump completed).
 * Division follows the ISA table 7.1: x/0 = all ones (DIVU: 2^32 - 1),
 * x%0 = x, INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0.  Signed conversions and
 * right shifts assume two's complement with arithmetic >>, as gcc and clang
 * define them.
 */
#include <stdio.h>

#include "vm_internal.h"

#if defined(__GNUC__)
#define VM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define VM_UNREACHABLE() __builtin_unreachable()
#else
#define VM_UNLIKELY(x) (x)
#define VM_UNREACHABLE() ((void)0)
#endif

/*
 * Threaded dispatch (computed goto, a GNU C extension) is used with gcc and
 * clang: each handler jumps straight to the next one, which predicts far
 * better than one shared switch.  -DCAIRN_VM_SWITCH (or another compiler)
 * selects the portable switch loop; both are built from the same handlers.
 */
#if defined(__GNUC__) && !defined(CAIRN_VM_SWITCH)
#define VM_THREADED 1
#pragma GCC diagnostic ignored "-Wpedantic" /* &&label and goto *p, this file only */
#else
#define VM_THREADED 0
#endif

static inline uint32_t sra32(uint32_t v, uint32_t s) { return (uint32_t)((int32_t)v >> (s & 31)); }

static inline uint32_t mulh(uint32_t a, uint32_t b)
{
    int64_t p = (int64_t)(int32_t)a * (int64_t)(int32_t)b;
    return (uint32_t)((uint64_t)p >> 32);
}
static inline uint32_t mulhsu(uint32_t a, uint32_t b)
{
    int64_t p = (int64_t)(int32_t)a * (int64_t)b;
    return (uint32_t)((uint64_t)p >> 32);
}
static inline uint32_t mulhu(uint32_t a, uint32_t b) { return (uint32_t)(((uint64_t)a * b) >> 32); }

static inline uint32_t div32(uint32_t a, uint32_t b)
{
    if (b == 0)
        return UINT32_MAX;
    if (a == UINT32_C(0x80000000) && b == UINT32_MAX)
        return a;
    return (uint32_t)((int32_t)a / (int32_t)b);
}
static inline uint32_t rem32(uint32_t a, uint32_t b)
{
    if (b == 0)
        return a;
    if (a == UINT32_C(0x80000000) && b == UINT32_MAX)
        return 0;
    return (uint32_t)((int32_t)a % (int32_t)b);
}

void vm_touch_range(uint8_t *touched, uint32_t off, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        touched[(off + i) >> 3] = (uint8_t)(touched[(off + i) >> 3] | (1u << ((off + i) & 7)));
}

static inline void touch(const struct vm_hooks *h, uint32_t off, uint32_t width)
{
    /* naturally aligned accesses never cross a byte of the bitmap */
    if (h != NULL && h->touched != NULL)
        h->touched[off >> 3] =
            (uint8_t)(h->touched[off >> 3] | (((1u << width) - 1u) << (off & 7)));
}

/* Set the dirty bits of the pages holding [off, off + len) (len > 0, inside memory). */
static void dirty_range(uint8_t *dirty, uint32_t shift, uint32_t off, uint32_t len)
{
    for (uint32_t p = off >> shift; p <= (off + len - 1u) >> shift; p++)
        dirty[p >> 3] = (uint8_t)(dirty[p >> 3] | (1u << (p & 7)));
}

#define EXEC_FN exec_plain
#define EXEC_HOOKS 0
#define EXEC_TRACE 0
#include "exec_loop.inc"

#define EXEC_FN exec_hooked
#define EXEC_HOOKS 1
#define EXEC_TRACE 0
#include "exec_loop.inc"

#define EXEC_FN exec_traced
#define EXEC_HOOKS 1
#define EXEC_TRACE 1
#include "exec_loop.inc"

/* Common entry checks; returns the budget or sets *st. */
static int run_prologue(cairn_vm *vm, uint64_t max_cycles, uint64_t *budget, cairn_error *err,
                        cairn_status *st)
{
    *st = CAIRN_OK;
    if (vm == NULL || vm->mem == NULL || vm->code == NULL) {
        *st = cairn_error_set(err, CAIRN_ERR_ARG, "cairn_vm_run: VM not initialised");
        return 0;
    }
    if (vm->halt != CAIRN_VM_RUNNING || vm->cycles >= max_cycles)
        return 0;
    *budget = max_cycles - vm->cycles;
    return 1;
}

cairn_status cairn_vm_run(cairn_vm *vm, uint64_t max_cycles, cairn_error *err)
{
    uint64_t budget = 0;
    cairn_status st;
    if (!run_prologue(vm, max_cycles, &budget, err, &st))
        return st;
    return exec_plain(vm, budget, NULL, err);
}

cairn_status cairn_vm_step(cairn_vm *vm, cairn_error *err)
{
    if (vm == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "cairn_vm_step: VM is NULL");
    return cairn_vm_run(vm, vm->cycles + 1, err);
}

cairn_status cairn_vm_run_stats(cairn_vm *vm, uint64_t max_cycles, cairn_vm_stats *stats,
                                cairn_error *err)
{
    uint64_t budget = 0, op_count[OP_COUNT] = {0};
    cairn_status st;
    if (stats == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "cairn_vm_run_stats: stats is NULL");
    if (!run_prologue(vm, max_cycles, &budget, err, &st))
        return st;
    if (stats->touched != NULL && stats->touched_len < vm->mem_size / 8u)
        return cairn_error_set(err, CAIRN_ERR_ARG, "cairn_vm_run_stats: stats not sized for this VM");
    struct vm_hooks h = {op_count, &stats->branches_taken, stats->touched, NULL, 0, NULL};
    st = exec_hooked(vm, budget, &h, err);
    for (int op = 0; op < OP_COUNT; op++)
        stats->class_count[vm_op_class((enum vm_op)op)] += op_count[op];
    return st;
}

cairn_status cairn_vm_run_traced(cairn_vm *vm, uint64_t max_cycles, cairn_vm_trace_rec *trace,
                                 uint8_t *dirty, unsigned dirty_shift, cairn_error *err)
{
    uint64_t budget = 0;
    cairn_status st;
    if (dirty != NULL && (dirty_shift < 2 || dirty_shift > 30))
        return cairn_error_set(err, CAIRN_ERR_ARG, "cairn_vm_run_traced: dirty_shift %u outside 2..30",
                               dirty_shift);
    if (!run_prologue(vm, max_cycles, &budget, err, &st))
        return st;
    struct vm_hooks h = {NULL, NULL, NULL, dirty, dirty_shift, trace};
    return exec_traced(vm, budget, &h, err);
}
