/*
 * row.c — the witness row layout: column descriptions, the bytecode table
 * (instruction word -> static columns) and the conversion of the VM's trace
 * records into rows of field elements.
 *
 * The decoder here is deliberately independent of src/vm/decode.c: the
 * VM's pre-decoded form is tuned for the interpreter (rebased offsets,
 * entry indices), while the rows carry the architectural fields of the
 * RISC-V Unprivileged ISA (chapter 2 and 7, encodings in chapter 24), which
 * the prover's public bytecode table will also hold.  Every value put in a
 * row is below 2^32, so it is a canonical Goldilocks element as it stands.
 * Layout and ranges: docs/arithmetization.md.
 */
#include <stdlib.h>
#include <string.h>

#include "witness_internal.h"

#define U32MAX UINT64_C(0xffffffff)

static const cairn_wit_column columns[CAIRN_WIT_WIDTH] = {
    [CAIRN_WIT_COL_CYCLE] = {"cycle", UINT64_C(0xffffffffffff), "row index t (timestamp)"},
    [CAIRN_WIT_COL_PC] = {"pc", U32MAX, "address of the instruction"},
    [CAIRN_WIT_COL_NEXT_PC] = {"next_pc", U32MAX, "pc of row t+1"},
    [CAIRN_WIT_COL_INSN] = {"insn", U32MAX, "instruction word"},
    [CAIRN_WIT_COL_OP] = {"op", CAIRN_WIT_OP_ECALL, "instruction id (cairn_wit_op), 0 = padding"},
    [CAIRN_WIT_COL_CLASS] = {"class", CAIRN_VM_CLASS_COUNT, "instruction class, 9 = padding"},
    [CAIRN_WIT_COL_RD] = {"rd", 31, "register written, 0 = none"},
    [CAIRN_WIT_COL_RS1] = {"rs1", 31, "first register read, 0 = none"},
    [CAIRN_WIT_COL_RS2] = {"rs2", 31, "second register read, 0 = none"},
    [CAIRN_WIT_COL_IMM] = {"imm", U32MAX, "immediate, sign-extended to 32 bits"},
    [CAIRN_WIT_COL_RS1_VAL] = {"rs1_val", U32MAX, "x[rs1] before"},
    [CAIRN_WIT_COL_RS2_VAL] = {"rs2_val", U32MAX, "x[rs2] before"},
    [CAIRN_WIT_COL_RD_VAL] = {"rd_val", U32MAX, "value written to rd"},
    [CAIRN_WIT_COL_MEM_ADDR] = {"mem_addr", U32MAX, "effective byte address of a load/store"},
    [CAIRN_WIT_COL_MEM_WIDTH] = {"mem_width", 4, "bytes accessed: 0, 1, 2 or 4"},
    [CAIRN_WIT_COL_MEM_OLD] = {"mem_old", U32MAX, "aligned word at mem_addr before"},
    [CAIRN_WIT_COL_MEM_NEW] = {"mem_new", U32MAX, "aligned word at mem_addr after"},
    [CAIRN_WIT_COL_SYS_A1] = {"sys_a1", U32MAX, "ecall: a1"},
    [CAIRN_WIT_COL_SYS_A2] = {"sys_a2", U32MAX, "ecall: a2"},
    [CAIRN_WIT_COL_HALT] = {"halt", 1, "1 on the exit ecall"},
    [CAIRN_WIT_COL_PAD] = {"pad", 1, "1 on padding rows"},
};

const cairn_wit_column *cairn_wit_columns(void) { return columns; }

static const char *const op_names[CAIRN_WIT_OP_COUNT] = {
    "pad",   "lui",   "auipc", "jal",  "jalr",  "beq",    "bne",   "blt",  "bge",  "bltu",
    "bgeu",  "lb",    "lh",    "lw",   "lbu",   "lhu",    "sb",    "sh",   "sw",   "addi",
    "slti",  "sltiu", "xori",  "ori",  "andi",  "slli",   "srli",  "srai", "add",  "sub",
    "sll",   "slt",   "sltu",  "xor",  "srl",   "sra",    "or",    "and",  "mul",  "mulh",
    "mulhsu", "mulhu", "div",  "divu", "rem",   "remu",   "fence", "ecall", "illegal"};

const char *cairn_wit_op_name(cairn_wit_op op)
{
    return (unsigned)op < CAIRN_WIT_OP_COUNT ? op_names[op] : "?";
}

uint64_t cairn_wit_padded_rows(uint64_t cycles)
{
    uint64_t n = 1;
    while (n < cycles && n < (UINT64_C(1) << 63))
        n <<= 1;
    return n;
}

static uint32_t sext(uint32_t v, unsigned bits)
{
    uint32_t m = UINT32_C(1) << (bits - 1);
    return (v ^ m) - m;
}

static cairn_vm_class op_class(cairn_wit_op op)
{
    if (op == CAIRN_WIT_OP_LUI || op == CAIRN_WIT_OP_AUIPC ||
        (op >= CAIRN_WIT_OP_ADDI && op <= CAIRN_WIT_OP_SRAI))
        return CAIRN_VM_CLASS_ALU_IMM;
    if (op >= CAIRN_WIT_OP_ADD && op <= CAIRN_WIT_OP_AND)
        return CAIRN_VM_CLASS_ALU;
    if (op >= CAIRN_WIT_OP_MUL && op <= CAIRN_WIT_OP_MULHU)
        return CAIRN_VM_CLASS_MUL;
    if (op >= CAIRN_WIT_OP_DIV && op <= CAIRN_WIT_OP_REMU)
        return CAIRN_VM_CLASS_DIV;
    if (op >= CAIRN_WIT_OP_LB && op <= CAIRN_WIT_OP_LHU)
        return CAIRN_VM_CLASS_LOAD;
    if (op >= CAIRN_WIT_OP_SB && op <= CAIRN_WIT_OP_SW)
        return CAIRN_VM_CLASS_STORE;
    if (op >= CAIRN_WIT_OP_BEQ && op <= CAIRN_WIT_OP_BGEU)
        return CAIRN_VM_CLASS_BRANCH;
    if (op == CAIRN_WIT_OP_JAL || op == CAIRN_WIT_OP_JALR)
        return CAIRN_VM_CLASS_JUMP;
    return CAIRN_VM_CLASS_SYSTEM;
}

/*
 * Decode by major opcode, then funct3/funct7, keeping only the register
 * fields the format actually reads (U and J formats read none, I formats
 * no rs2), and the immediate in its architectural, sign-extended form
 * (shift amounts for the immediate shifts).  ECALL reads a7 and a0.
 * Anything that is not user-level RV32IM is ILLEGAL (it never reaches a
 * row, because executing it faults).
 */
struct wit_insn wit_decode(uint32_t w)
{
    struct wit_insn d = {w, 0, CAIRN_WIT_OP_ILLEGAL, 0, 0, 0, 0};
    uint32_t opc = w & 0x7f, f3 = (w >> 12) & 7, f7 = w >> 25;
    uint8_t rs1 = (uint8_t)((w >> 15) & 0x1f), rs2 = (uint8_t)((w >> 20) & 0x1f);
    int op = CAIRN_WIT_OP_ILLEGAL;
    switch (opc) {
    case 0x37: op = CAIRN_WIT_OP_LUI; d.imm = w & UINT32_C(0xfffff000); break;
    case 0x17: op = CAIRN_WIT_OP_AUIPC; d.imm = w & UINT32_C(0xfffff000); break;
    case 0x6f:
        op = CAIRN_WIT_OP_JAL;
        d.imm = sext(((w >> 31) & 1) << 20 | ((w >> 12) & 0xff) << 12 | ((w >> 20) & 1) << 11 |
                         ((w >> 21) & 0x3ff) << 1,
                     21);
        break;
    case 0x67:
        if (f3 == 0) {
            op = CAIRN_WIT_OP_JALR;
            d.rs1 = rs1;
            d.imm = sext(w >> 20, 12);
        }
        break;
    case 0x63: {
        static const int ops[8] = {CAIRN_WIT_OP_BEQ, CAIRN_WIT_OP_BNE, -1, -1, CAIRN_WIT_OP_BLT,
                                   CAIRN_WIT_OP_BGE, CAIRN_WIT_OP_BLTU, CAIRN_WIT_OP_BGEU};
        if (ops[f3] < 0)
            break;
        op = ops[f3];
        d.rs1 = rs1;
        d.rs2 = rs2;
        d.imm = sext(((w >> 31) & 1) << 12 | ((w >> 7) & 1) << 11 | ((w >> 25) & 0x3f) << 5 |
                         ((w >> 8) & 0xf) << 1,
                     13);
        break;
    }
    case 0x03: {
        static const int ops[8] = {CAIRN_WIT_OP_LB, CAIRN_WIT_OP_LH, CAIRN_WIT_OP_LW, -1,
                                   CAIRN_WIT_OP_LBU, CAIRN_WIT_OP_LHU, -1, -1};
        static const uint8_t widths[8] = {1, 2, 4, 0, 1, 2, 0, 0};
        if (ops[f3] < 0)
            break;
        op = ops[f3];
        d.width = widths[f3];
        d.rs1 = rs1;
        d.imm = sext(w >> 20, 12);
        break;
    }
    case 0x23:
        if (f3 > 2)
            break;
        op = CAIRN_WIT_OP_SB + (int)f3;
        d.width = (uint8_t)(1u << f3);
        d.rs1 = rs1;
        d.rs2 = rs2;
        d.imm = sext((w >> 25) << 5 | ((w >> 7) & 0x1f), 12);
        break;
    case 0x13:
        d.rs1 = rs1;
        d.imm = sext(w >> 20, 12);
        switch (f3) {
        case 0: op = CAIRN_WIT_OP_ADDI; break;
        case 2: op = CAIRN_WIT_OP_SLTI; break;
        case 3: op = CAIRN_WIT_OP_SLTIU; break;
        case 4: op = CAIRN_WIT_OP_XORI; break;
        case 6: op = CAIRN_WIT_OP_ORI; break;
        case 7: op = CAIRN_WIT_OP_ANDI; break;
        case 1:
            if (f7 == 0)
                op = CAIRN_WIT_OP_SLLI;
            d.imm = rs2;
            break;
        default: /* 5 */
            if (f7 == 0 || f7 == 0x20)
                op = f7 ? CAIRN_WIT_OP_SRAI : CAIRN_WIT_OP_SRLI;
            d.imm = rs2;
            break;
        }
        break;
    case 0x33: {
        static const int base[8] = {CAIRN_WIT_OP_ADD, CAIRN_WIT_OP_SLL, CAIRN_WIT_OP_SLT,
                                    CAIRN_WIT_OP_SLTU, CAIRN_WIT_OP_XOR, CAIRN_WIT_OP_SRL,
                                    CAIRN_WIT_OP_OR, CAIRN_WIT_OP_AND};
        if (f7 == 0)
            op = base[f3];
        else if (f7 == 0x20 && (f3 == 0 || f3 == 5))
            op = f3 == 0 ? CAIRN_WIT_OP_SUB : CAIRN_WIT_OP_SRA;
        else if (f7 == 1)
            op = CAIRN_WIT_OP_MUL + (int)f3;
        d.rs1 = rs1;
        d.rs2 = rs2;
        break;
    }
    case 0x0f:
        if (f3 == 0)
            op = CAIRN_WIT_OP_FENCE;
        break;
    case 0x73:
        if (w == UINT32_C(0x00000073)) {
            op = CAIRN_WIT_OP_ECALL;
            d.rs1 = 17;
            d.rs2 = 10;
        }
        break;
    default: break;
    }
    if (op == CAIRN_WIT_OP_ILLEGAL) {
        d.imm = 0;
        d.rs1 = d.rs2 = d.width = 0;
    }
    d.op = (uint8_t)op;
    d.cls = (uint8_t)op_class((cairn_wit_op)op);
    return d;
}

cairn_status wit_code_init(struct wit_code *code, const cairn_vm *vm, cairn_error *err)
{
    size_t n = vm->text_size / 4u;
    code->text_base = vm->text_base;
    code->text_size = vm->text_size;
    code->insn = malloc((n ? n : 1) * sizeof *code->insn);
    if (code->insn == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "cannot allocate the bytecode table");
    const uint8_t *text = vm->mem + (vm->text_base - vm->mem_base);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = text + 4 * i;
        code->insn[i] = wit_decode(wit_get32(p));
    }
    return CAIRN_OK;
}

void wit_code_clear(struct wit_code *code)
{
    if (code == NULL)
        return;
    free(code->insn);
    memset(code, 0, sizeof *code);
}

/*
 * One row per record: the static columns come from the bytecode table at
 * the record's pc, the dynamic ones from the record.  A register value is
 * kept only where the format reads that register, so a row never carries a
 * value for a field the instruction does not have.
 */
void wit_rows_fill(cairn_fp *rows, uint64_t first, const cairn_vm_trace_rec *recs, size_t n,
                   const struct wit_code *code)
{
    for (size_t i = 0; i < n; i++) {
        const cairn_vm_trace_rec *r = &recs[i];
        const struct wit_insn *d = &code->insn[(r->pc - code->text_base) >> 2];
        cairn_fp *row = rows + i * CAIRN_WIT_WIDTH;
        row[CAIRN_WIT_COL_CYCLE].v = first + i;
        row[CAIRN_WIT_COL_PC].v = r->pc;
        row[CAIRN_WIT_COL_NEXT_PC].v = r->next_pc;
        row[CAIRN_WIT_COL_INSN].v = d->insn;
        row[CAIRN_WIT_COL_OP].v = d->op;
        row[CAIRN_WIT_COL_CLASS].v = d->cls;
        row[CAIRN_WIT_COL_RD].v = r->rd;
        row[CAIRN_WIT_COL_RS1].v = d->rs1;
        row[CAIRN_WIT_COL_RS2].v = d->rs2;
        row[CAIRN_WIT_COL_IMM].v = d->imm;
        row[CAIRN_WIT_COL_RS1_VAL].v = d->rs1 ? r->rs1_val : 0;
        row[CAIRN_WIT_COL_RS2_VAL].v = d->rs2 ? r->rs2_val : 0;
        row[CAIRN_WIT_COL_RD_VAL].v = r->rd_val;
        row[CAIRN_WIT_COL_MEM_ADDR].v = d->width ? r->mem_addr : 0;
        row[CAIRN_WIT_COL_MEM_WIDTH].v = d->width;
        row[CAIRN_WIT_COL_MEM_OLD].v = d->width ? r->mem_old : 0;
        row[CAIRN_WIT_COL_MEM_NEW].v = d->width ? r->mem_new : 0;
        row[CAIRN_WIT_COL_SYS_A1].v = r->sys_a1;
        row[CAIRN_WIT_COL_SYS_A2].v = r->sys_a2;
        row[CAIRN_WIT_COL_HALT].v =
            d->op == CAIRN_WIT_OP_ECALL && (r->rs1_val == 93 || r->rs1_val == 94);
        row[CAIRN_WIT_COL_PAD].v = 0;
    }
}

void wit_rows_pad(cairn_fp *rows, uint64_t first, size_t n, uint32_t final_pc)
{
    memset(rows, 0, n * CAIRN_WIT_WIDTH * sizeof *rows);
    for (size_t i = 0; i < n; i++) {
        cairn_fp *row = rows + i * CAIRN_WIT_WIDTH;
        row[CAIRN_WIT_COL_CYCLE].v = first + i;
        row[CAIRN_WIT_COL_PC].v = final_pc;
        row[CAIRN_WIT_COL_NEXT_PC].v = final_pc;
        row[CAIRN_WIT_COL_OP].v = CAIRN_WIT_OP_PAD;
        row[CAIRN_WIT_COL_CLASS].v = CAIRN_VM_CLASS_COUNT;
        row[CAIRN_WIT_COL_PAD].v = 1;
    }
}
