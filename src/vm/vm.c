/*
 * vm.c — machine set-up: memory layout, pre-decoding, input, faults,
 * statistics bookkeeping.
 *
 * Layout (docs/vm.md): the region starts at the lowest segment address
 * rounded down to 4 KiB and spans the segments plus cfg.stack_size bytes,
 * rounded up to a power-of-two number of 32-bit words (at least 1024); sp
 * starts at its top.  Every byte of the region is readable and writable
 * except the executable range (the hull of the executable segments, rounded
 * out to whole words), which is read-only and pre-decoded once.
 */
#include <stdio.h>
#include <stdlib.h>

#include "vm_internal.h"

#define MIN_LOG2_WORDS 10u

void cairn_vm_config_init(cairn_vm_config *cfg)
{
    cfg->stack_size = CAIRN_VM_DEFAULT_STACK;
    cfg->max_mem = CAIRN_VM_MAX_MEM;
    cfg->write = NULL;
    cfg->write_ctx = NULL;
}

void cairn_vm_clear(cairn_vm *vm)
{
    if (vm == NULL)
        return;
    free(vm->mem);
    free(vm->code);
    memset(vm, 0, sizeof *vm);
}

/* Where cairn_vm_init puts a program: the region, the executable range, 2^k words. */
struct vm_region {
    uint64_t lo, hi, xlo, xhi, size;
    uint32_t k;
};

/*
 * The memory layout of docs/vm.md for prog under cfg, with every limit
 * checked, but nothing allocated: cairn_vm_init builds on it, and the
 * proof verifier uses it to recompute the memory size a statement must
 * name.
 */
static cairn_status vm_region_of(struct vm_region *out, const cairn_program *prog,
                                 const cairn_vm_config *cfg, cairn_error *err)
{
    uint64_t max_mem = cfg->max_mem == 0 || cfg->max_mem > CAIRN_VM_MAX_MEM
                           ? CAIRN_VM_MAX_MEM
                           : cfg->max_mem;

    uint64_t lo = UINT64_MAX, hi = 0, xlo = UINT64_MAX, xhi = 0;
    for (uint32_t i = 0; i < prog->nseg; i++) {
        const cairn_segment *s = &prog->seg[i];
        uint64_t a = s->vaddr, b = (uint64_t)s->vaddr + s->memsz;
        if (s->memsz == 0 || s->filesz > s->memsz || b > (UINT64_C(1) << 32) ||
            (uint64_t)s->data_off + s->filesz > prog->data_len)
            return cairn_error_set(err, CAIRN_ERR_ARG, "cairn_vm_init: segment %u inconsistent", i);
        lo = a < lo ? a : lo;
        hi = b > hi ? b : hi;
        if (s->flags & CAIRN_SEG_X) {
            xlo = a < xlo ? a : xlo;
            xhi = b > xhi ? b : xhi;
        }
    }
    if (xhi == 0)
        return cairn_error_set(err, CAIRN_ERR_ARG, "cairn_vm_init: no executable segment");
    lo &= ~UINT64_C(0xfff);
    hi = (hi + 3) & ~UINT64_C(3);
    xlo &= ~UINT64_C(3);
    xhi = (xhi + 3) & ~UINT64_C(3);

    uint64_t need = hi - lo + cfg->stack_size;
    uint32_t k = MIN_LOG2_WORDS;
    while ((UINT64_C(4) << k) < need)
        k++;
    uint64_t size = UINT64_C(4) << k;
    if (size > max_mem) {
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "memory region of %llu bytes (image 0x%llx..0x%llx plus %u bytes of "
                               "stack, rounded up to a power of two) exceeds the limit of %llu bytes",
                               (unsigned long long)size, (unsigned long long)lo,
                               (unsigned long long)hi, (unsigned)cfg->stack_size,
                               (unsigned long long)max_mem);
    }
    /*
     * The pre-decoded table costs 8 bytes per word of the executable range
     * (zero-filled words included), twice the range itself: count it, so a
     * tiny ELF declaring a huge executable segment cannot make the host
     * allocate several times the memory cap.
     */
    uint64_t decode_bytes = ((xhi - xlo) / 4 + 1) * 8;
    if (decode_bytes > max_mem / 2) {
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "executable range 0x%llx..0x%llx (%llu bytes) needs %llu bytes of "
                               "decoded instructions, more than half the limit of %llu bytes",
                               (unsigned long long)xlo, (unsigned long long)xhi,
                               (unsigned long long)(xhi - xlo), (unsigned long long)decode_bytes,
                               (unsigned long long)max_mem);
    }
    if (lo + size > UINT64_C(0xfffffff0)) {
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "memory region 0x%llx+0x%llx passes the top of the 32-bit address "
                               "space; link the program lower or use a smaller --stack",
                               (unsigned long long)lo, (unsigned long long)size);
    }
    out->lo = lo;
    out->hi = hi;
    out->xlo = xlo;
    out->xhi = xhi;
    out->size = size;
    out->k = k;
    return CAIRN_OK;
}

cairn_status cairn_vm_mem_log2_words(uint32_t *mem_log2_words, const cairn_program *prog,
                                     const cairn_vm_config *cfg, cairn_error *err)
{
    cairn_vm_config def;
    struct vm_region r;
    if (prog == NULL || prog->nseg == 0 || prog->nseg > CAIRN_ELF_MAX_SEGMENTS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "cairn_vm_mem_log2_words: empty program");
    if (cfg == NULL) {
        cairn_vm_config_init(&def);
        cfg = &def;
    }
    cairn_status st = vm_region_of(&r, prog, cfg, err);
    if (st == CAIRN_OK)
        *mem_log2_words = r.k;
    return st;
}

/*
 * Compute the region and the executable hull of `prog`, allocate and fill
 * memory, and pre-decode every word of the hull.  All address arithmetic is
 * done in 64 bits: the loader guarantees that no segment wraps, and the
 * region's top is checked against 2^32 here.
 */
cairn_status cairn_vm_init(cairn_vm *vm, const cairn_program *prog, const cairn_vm_config *cfg,
                           cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    if (vm == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "cairn_vm_init: vm is NULL");
    memset(vm, 0, sizeof *vm);
    if (prog == NULL || prog->nseg == 0 || prog->nseg > CAIRN_ELF_MAX_SEGMENTS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "cairn_vm_init: empty program");
    if (cfg != NULL)
        vm->cfg = *cfg;
    else
        cairn_vm_config_init(&vm->cfg);
    struct vm_region reg;
    if ((st = vm_region_of(&reg, prog, &vm->cfg, err)) != CAIRN_OK)
        return st;
    uint64_t lo = reg.lo, hi = reg.hi, xlo = reg.xlo, xhi = reg.xhi, size = reg.size;
    uint32_t k = reg.k;
    vm->mem_base = (uint32_t)lo;
    vm->mem_size = (uint32_t)size;
    vm->mem_log2_words = k;
    vm->text_base = (uint32_t)xlo;
    vm->text_size = (uint32_t)(xhi - xlo);
    vm->image_end = (uint32_t)hi;
    vm->mem = calloc(1, (size_t)size);
    size_t n = vm->text_size / 4u;
    vm->code = malloc((n + 1) * sizeof *vm->code);
    if (vm->mem == NULL || vm->code == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "cannot allocate %llu bytes of guest memory",
                             (unsigned long long)size);
        goto out;
    }
    for (uint32_t i = 0; i < prog->nseg; i++) {
        const cairn_segment *s = &prog->seg[i];
        if (s->filesz > 0)
            memcpy(vm->mem + (s->vaddr - vm->mem_base), prog->data + s->data_off, s->filesz);
    }
    struct vm_layout lay = {vm->mem_base, vm->text_base, vm->text_size};
    const uint8_t *text = vm->mem + (vm->text_base - vm->mem_base);
    for (size_t i = 0; i < n; i++)
        vm->code[i] = vm_decode(vm_ld32(text + 4 * i), vm->text_base + 4u * (uint32_t)i, &lay);
    vm->code[n] = (struct cairn_vm_insn){OP_FETCH_FAULT, VM_RD_SINK, 0, 0, 0};

    vm->pc = prog->entry;
    vm->regs[2] = (uint32_t)(lo + size);
    vm->halt = CAIRN_VM_RUNNING;
out:
    if (st != CAIRN_OK)
        cairn_vm_clear(vm);
    return st;
}

void cairn_vm_set_input(cairn_vm *vm, const uint8_t *input, size_t input_len)
{
    vm->input = input;
    vm->input_len = input == NULL ? 0 : input_len;
    vm->input_pos = 0;
}

const char *cairn_vm_halt_str(cairn_vm_halt h)
{
    switch (h) {
    case CAIRN_VM_RUNNING: return "running";
    case CAIRN_VM_EXITED: return "exited";
    case CAIRN_VM_FAULTED: return "faulted";
    }
    return "unknown";
}

const char *cairn_vm_fault_str(cairn_vm_fault_kind k)
{
    switch (k) {
    case CAIRN_FAULT_NONE: return "none";
    case CAIRN_FAULT_ILLEGAL: return "illegal instruction";
    case CAIRN_FAULT_EBREAK: return "ebreak";
    case CAIRN_FAULT_FETCH: return "instruction fetch outside executable memory";
    case CAIRN_FAULT_JUMP_MISALIGNED: return "jump target not 4-byte aligned";
    case CAIRN_FAULT_LOAD_RANGE: return "load outside memory";
    case CAIRN_FAULT_LOAD_MISALIGNED: return "misaligned load";
    case CAIRN_FAULT_STORE_RANGE: return "store outside memory";
    case CAIRN_FAULT_STORE_MISALIGNED: return "misaligned store";
    case CAIRN_FAULT_STORE_TEXT: return "store into executable memory";
    case CAIRN_FAULT_SYSCALL: return "unsupported system call";
    case CAIRN_FAULT_SYSCALL_ARG: return "bad system call argument";
    }
    return "unknown fault";
}

/*
 * Fill vm->fault.  The message always starts "pc 0x%08x" and the
 * instruction word when the pc is in the executable range, then the reason
 * with the address involved and the region, so a user can see whether the
 * access was below, above or merely misaligned.
 */
void vm_fault(cairn_vm *vm, cairn_vm_fault_kind kind, uint32_t pc, uint32_t addr,
              const char *detail)
{
    cairn_vm_fault *f = &vm->fault;
    char why[120];
    uint32_t rel = pc - vm->text_base;
    int have_insn = (pc & 3) == 0 && rel < vm->text_size;
    f->kind = kind;
    f->pc = pc;
    f->addr = addr;
    f->insn = have_insn ? vm_ld32(vm->mem + (pc - vm->mem_base)) : 0;
    vm->halt = CAIRN_VM_FAULTED;
    uint32_t top = vm->mem_base + vm->mem_size;
    switch (kind) {
    case CAIRN_FAULT_LOAD_RANGE:
    case CAIRN_FAULT_STORE_RANGE:
        snprintf(why, sizeof why, "%s address 0x%08x outside memory [0x%08x, 0x%08x)",
                 kind == CAIRN_FAULT_LOAD_RANGE ? "load" : "store", (unsigned)addr,
                 (unsigned)vm->mem_base, (unsigned)top);
        break;
    case CAIRN_FAULT_LOAD_MISALIGNED:
    case CAIRN_FAULT_STORE_MISALIGNED:
        snprintf(why, sizeof why, "misaligned %s at address 0x%08x",
                 kind == CAIRN_FAULT_LOAD_MISALIGNED ? "load" : "store", (unsigned)addr);
        break;
    case CAIRN_FAULT_STORE_TEXT:
        snprintf(why, sizeof why,
                 "store to 0x%08x inside executable memory [0x%08x, 0x%08x) (self-modifying code "
                 "is not supported)",
                 (unsigned)addr, (unsigned)vm->text_base, (unsigned)(vm->text_base + vm->text_size));
        break;
    case CAIRN_FAULT_JUMP_MISALIGNED:
        snprintf(why, sizeof why, "jump target 0x%08x not 4-byte aligned", (unsigned)addr);
        break;
    case CAIRN_FAULT_FETCH:
        snprintf(why, sizeof why, "instruction fetch outside executable memory [0x%08x, 0x%08x)",
                 (unsigned)vm->text_base, (unsigned)(vm->text_base + vm->text_size));
        break;
    case CAIRN_FAULT_SYSCALL:
        snprintf(why, sizeof why, "unsupported system call %u (a7)", (unsigned)addr);
        break;
    default: snprintf(why, sizeof why, "%s", cairn_vm_fault_str(kind)); break;
    }
    if (detail != NULL)
        snprintf(why, sizeof why, "%s", detail);
    if (have_insn)
        snprintf(f->msg, sizeof f->msg, "pc 0x%08x (insn 0x%08x): %s", (unsigned)pc,
                 (unsigned)f->insn, why);
    else
        snprintf(f->msg, sizeof f->msg, "pc 0x%08x: %s", (unsigned)pc, why);
}

cairn_status cairn_vm_stats_init(cairn_vm_stats *stats, const cairn_vm *vm, cairn_error *err)
{
    memset(stats, 0, sizeof *stats);
    if (vm == NULL || vm->mem == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "cairn_vm_stats_init: VM not initialised");
    stats->touched_len = vm->mem_size / 8u;
    stats->touched = calloc(1, stats->touched_len);
    if (stats->touched == NULL) {
        stats->touched_len = 0;
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "cannot allocate the touched-bytes bitmap");
    }
    return CAIRN_OK;
}

void cairn_vm_stats_clear(cairn_vm_stats *stats)
{
    if (stats == NULL)
        return;
    free(stats->touched);
    memset(stats, 0, sizeof *stats);
}

uint64_t cairn_vm_stats_touched_bytes(const cairn_vm_stats *stats)
{
    uint64_t n = 0;
    for (size_t i = 0; i < stats->touched_len; i++)
        n += (uint64_t)__builtin_popcount(stats->touched[i]);
    return n;
}

const char *cairn_vm_class_name(cairn_vm_class c)
{
    static const char *const names[CAIRN_VM_CLASS_COUNT] = {
        "alu", "alu_imm", "mul", "div", "load", "store", "branch", "jump", "system"};
    return (unsigned)c < CAIRN_VM_CLASS_COUNT ? names[c] : "unknown";
}
