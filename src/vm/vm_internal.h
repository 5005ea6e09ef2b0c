/*
 * vm_internal.h — the contract inside src/vm/.
 *
 * decode.c turns one 32-bit word into a struct cairn_vm_insn (an op and its
 * operands, with everything that depends only on the word and its address
 * computed once); vm.c lays out memory and pre-decodes the executable range
 * into vm->code; exec.c interprets vm->code; syscall.c implements ecall.
 *
 * Pre-decoded form (invariants every producer keeps and the interpreter
 * relies on):
 *   - vm->code has text_size / 4 + 1 entries; entry i describes the word at
 *     text_base + 4 i; the last entry is OP_FETCH_FAULT (falling off the end).
 *   - rd is 1..31, or VM_RD_SINK (32) when the instruction's rd is x0, so
 *     that the interpreter never writes x0 and needs no test for it.  The
 *     interpreter's register file has 33 slots; slot 32 is garbage.
 *   - Loads/stores: imm = sign-extended offset - mem_base (mod 2^32), so
 *     x[rs1] + imm is the offset into vm->mem.
 *   - LUI/AUIPC: imm = the value written (AUIPC adds its pc at decode time).
 *   - Branches/JAL whose target is 4-byte aligned and inside the executable
 *     range: imm = the target's entry index.  Otherwise the op is the _FAR
 *     variant with imm = the raw pc-relative offset; taking it goes through
 *     the generic jump path that raises the misaligned / fetch fault.
 *   - Shifts: imm = shamt (0..31).  JALR: imm = sign-extended offset.
 *   - Illegal words decode to OP_ILLEGAL; they fault only when executed.
 *   - Nothing ever writes into [text_base, text_base + text_size): stores
 *     there fault, so the table never goes stale.
 *
 * The interpreter is one always-inline function (exec.c: exec_loop) taking a
 * constant `struct vm_hooks *`; each variant (plain, statistics, and later
 * the witness tracer) is that function instantiated with its hooks, so the
 * instruction semantics exist once and the plain variant pays nothing for
 * the others.
 *
 * The tracing variant (EXEC_TRACE = 1) fills one cairn_vm_trace_rec per
 * completed instruction: the operands and the memory word before are taken
 * when the instruction is dispatched, the result, the word after and the
 * next pc when it completes (at the next dispatch, or where the loop stops).
 * A faulting instruction, or an ecall stopped by a host error, leaves its
 * half-filled record behind without counting it, exactly as it is not
 * counted as a cycle.
 */
#ifndef CAIRN_VM_INTERNAL_H
#define CAIRN_VM_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "cairn/vm.h"

#define VM_RD_SINK 32u

enum vm_op {
    OP_ILLEGAL,
    OP_FETCH_FAULT,
    OP_LUI,
    OP_AUIPC,
    OP_JAL,
    OP_JAL_FAR,
    OP_JALR,
    OP_BEQ,
    OP_BNE,
    OP_BLT,
    OP_BGE,
    OP_BLTU,
    OP_BGEU,
    OP_BEQ_FAR,
    OP_BNE_FAR,
    OP_BLT_FAR,
    OP_BGE_FAR,
    OP_BLTU_FAR,
    OP_BGEU_FAR,
    OP_LB,
    OP_LH,
    OP_LW,
    OP_LBU,
    OP_LHU,
    OP_SB,
    OP_SH,
    OP_SW,
    OP_ADDI,
    OP_SLTI,
    OP_SLTIU,
    OP_XORI,
    OP_ORI,
    OP_ANDI,
    OP_SLLI,
    OP_SRLI,
    OP_SRAI,
    OP_ADD,
    OP_SUB,
    OP_SLL,
    OP_SLT,
    OP_SLTU,
    OP_XOR,
    OP_SRL,
    OP_SRA,
    OP_OR,
    OP_AND,
    OP_MUL,
    OP_MULH,
    OP_MULHSU,
    OP_MULHU,
    OP_DIV,
    OP_DIVU,
    OP_REM,
    OP_REMU,
    OP_FENCE,
    OP_ECALL,
    OP_EBREAK,
    OP_COUNT
};

/* Every op, in enum order (for dispatch tables). */
#define VM_FOR_EACH_OP(X) \
    X(OP_ILLEGAL) \
    X(OP_FETCH_FAULT) \
    X(OP_LUI) \
    X(OP_AUIPC) \
    X(OP_JAL) \
    X(OP_JAL_FAR) \
    X(OP_JALR) \
    X(OP_BEQ) \
    X(OP_BNE) \
    X(OP_BLT) \
    X(OP_BGE) \
    X(OP_BLTU) \
    X(OP_BGEU) \
    X(OP_BEQ_FAR) \
    X(OP_BNE_FAR) \
    X(OP_BLT_FAR) \
    X(OP_BGE_FAR) \
    X(OP_BLTU_FAR) \
    X(OP_BGEU_FAR) \
    X(OP_LB) \
    X(OP_LH) \
    X(OP_LW) \
    X(OP_LBU) \
    X(OP_LHU) \
    X(OP_SB) \
    X(OP_SH) \
    X(OP_SW) \
    X(OP_ADDI) \
    X(OP_SLTI) \
    X(OP_SLTIU) \
    X(OP_XORI) \
    X(OP_ORI) \
    X(OP_ANDI) \
    X(OP_SLLI) \
    X(OP_SRLI) \
    X(OP_SRAI) \
    X(OP_ADD) \
    X(OP_SUB) \
    X(OP_SLL) \
    X(OP_SLT) \
    X(OP_SLTU) \
    X(OP_XOR) \
    X(OP_SRL) \
    X(OP_SRA) \
    X(OP_OR) \
    X(OP_AND) \
    X(OP_MUL) \
    X(OP_MULH) \
    X(OP_MULHSU) \
    X(OP_MULHU) \
    X(OP_DIV) \
    X(OP_DIVU) \
    X(OP_REM) \
    X(OP_REMU) \
    X(OP_FENCE) \
    X(OP_ECALL) \
    X(OP_EBREAK)

struct cairn_vm_insn {
    uint8_t op; /* enum vm_op */
    uint8_t rd;
    uint8_t rs1;
    uint8_t rs2;
    uint32_t imm;
};

/* The layout decode() needs to resolve addresses. */
struct vm_layout {
    uint32_t mem_base;
    uint32_t text_base;
    uint32_t text_size;
};

/* Decode `word` found at address `pc` (inside the executable range). */
struct cairn_vm_insn vm_decode(uint32_t word, uint32_t pc, const struct vm_layout *lay);

/* The instruction class of an op (for statistics). */
cairn_vm_class vm_op_class(enum vm_op op);

/*
 * Optional instrumentation of the interpreter; NULL members cost nothing.
 * The statistics variant honours the first three; the tracing variant
 * (exec_traced) only the last three.
 */
struct vm_hooks {
    uint64_t *op_count;      /* [OP_COUNT] executions per op */
    uint64_t *branches_taken;
    uint8_t *touched;        /* bit per region byte */
    uint8_t *dirty;          /* bit per page of 2^dirty_shift bytes, set by stores and read() */
    uint32_t dirty_shift;
    cairn_vm_trace_rec *trace; /* next record to fill; one per completed instruction */
};

/* Mark [off, off + len) touched (len may be large: system-call buffers). */
void vm_touch_range(uint8_t *touched, uint32_t off, uint32_t len);

enum vm_sys_result {
    VM_SYS_CONTINUE = 0, /* a0 set; go on with the next instruction */
    VM_SYS_EXIT,         /* vm->halt = EXITED */
    VM_SYS_FAULT,        /* vm_fault() was called */
    VM_SYS_HOST_ERROR    /* err filled; stop without completing the ecall */
};

/* Execute the ecall at `pc` with register file x[33]. */
enum vm_sys_result vm_syscall(cairn_vm *vm, uint32_t *x, uint32_t pc, const struct vm_hooks *h,
                              cairn_error *err);

/*
 * Record a fault (kind, pc, addr) in vm->fault with its message and set
 * halt = FAULTED.  `detail` replaces the default reason text when non-NULL.
 */
void vm_fault(cairn_vm *vm, cairn_vm_fault_kind kind, uint32_t pc, uint32_t addr,
              const char *detail);

/* Little-endian access to the host copy of guest memory. */
static inline uint32_t vm_ld32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint32_t vm_ld16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static inline void vm_st32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline void vm_st16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

#endif /* CAIRN_VM_INTERNAL_H */
