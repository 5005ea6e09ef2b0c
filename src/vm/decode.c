/*
 * decode.c — RV32IM instruction word -> pre-decoded entry.
 *
 * Follows the RISC-V Unprivileged ISA (20191213), chapter 2 (RV32I) and
 * chapter 7 (M), encodings in chapter 24.  Every word that is not a
 * user-level RV32IM instruction decodes to OP_ILLEGAL, including reserved
 * encodings (SLLI with imm[5] set, JALR with funct3 != 0, FENCE.I, CSR
 * instructions).  FENCE (any pred/succ/fm, incl. FENCE.TSO and PAUSE) is a
 * no-op.  The invariants of the result are listed in vm_internal.h.
 */
#include "vm_internal.h"

static uint32_t sext(uint32_t v, unsigned bits)
{
    uint32_t m = UINT32_C(1) << (bits - 1);
    return (v ^ m) - m;
}

static uint32_t imm_i(uint32_t w) { return sext(w >> 20, 12); }
static uint32_t imm_s(uint32_t w) { return sext(((w >> 25) << 5) | ((w >> 7) & 0x1f), 12); }
static uint32_t imm_b(uint32_t w)
{
    uint32_t v = ((w >> 31) & 1) << 12 | ((w >> 7) & 1) << 11 | ((w >> 25) & 0x3f) << 5 |
                 ((w >> 8) & 0xf) << 1;
    return sext(v, 13);
}
static uint32_t imm_j(uint32_t w)
{
    uint32_t v = ((w >> 31) & 1) << 20 | ((w >> 12) & 0xff) << 12 | ((w >> 20) & 1) << 11 |
                 ((w >> 21) & 0x3ff) << 1;
    return sext(v, 21);
}

/*
 * A pc-relative target: the entry index when the target is 4-byte aligned
 * and inside the executable range (and *near = 1), else the raw offset with
 * *near = 0 so the caller picks the _FAR op.
 */
static uint32_t rel_target(uint32_t pc, uint32_t off, const struct vm_layout *lay, int *near)
{
    uint32_t t = pc + off;
    uint32_t rel = t - lay->text_base;
    if ((t & 3) == 0 && rel < lay->text_size) {
        *near = 1;
        return rel >> 2;
    }
    *near = 0;
    return off;
}

struct cairn_vm_insn vm_decode(uint32_t w, uint32_t pc, const struct vm_layout *lay)
{
    struct cairn_vm_insn e = {OP_ILLEGAL, VM_RD_SINK, 0, 0, 0};
    uint32_t opc = w & 0x7f, rd = (w >> 7) & 0x1f, f3 = (w >> 12) & 7, rs1 = (w >> 15) & 0x1f;
    uint32_t rs2 = (w >> 20) & 0x1f, f7 = w >> 25;
    int near = 0;

    e.rd = (uint8_t)(rd == 0 ? VM_RD_SINK : rd);
    e.rs1 = (uint8_t)rs1;
    e.rs2 = (uint8_t)rs2;
    switch (opc) {
    case 0x37: /* LUI */
        e.op = OP_LUI;
        e.imm = w & UINT32_C(0xfffff000);
        break;
    case 0x17: /* AUIPC */
        e.op = OP_AUIPC;
        e.imm = pc + (w & UINT32_C(0xfffff000));
        break;
    case 0x6f: /* JAL */
        e.imm = rel_target(pc, imm_j(w), lay, &near);
        e.op = near ? OP_JAL : OP_JAL_FAR;
        break;
    case 0x67: /* JALR */
        if (f3 == 0) {
            e.op = OP_JALR;
            e.imm = imm_i(w);
        }
        break;
    case 0x63: { /* branches */
        static const uint8_t ops[8] = {OP_BEQ, OP_BNE, OP_ILLEGAL, OP_ILLEGAL,
                                       OP_BLT, OP_BGE, OP_BLTU,    OP_BGEU};
        if (ops[f3] == OP_ILLEGAL)
            break;
        e.rd = VM_RD_SINK;
        e.imm = rel_target(pc, imm_b(w), lay, &near);
        e.op = (uint8_t)(near ? ops[f3] : ops[f3] + (OP_BEQ_FAR - OP_BEQ));
        break;
    }
    case 0x03: { /* loads */
        static const uint8_t ops[8] = {OP_LB,  OP_LH,  OP_LW,      OP_ILLEGAL,
                                       OP_LBU, OP_LHU, OP_ILLEGAL, OP_ILLEGAL};
        if (ops[f3] == OP_ILLEGAL)
            break;
        e.op = ops[f3];
        e.imm = imm_i(w) - lay->mem_base;
        break;
    }
    case 0x23: { /* stores */
        static const uint8_t ops[8] = {OP_SB,      OP_SH,      OP_SW,      OP_ILLEGAL,
                                       OP_ILLEGAL, OP_ILLEGAL, OP_ILLEGAL, OP_ILLEGAL};
        if (ops[f3] == OP_ILLEGAL)
            break;
        e.op = ops[f3];
        e.rd = VM_RD_SINK;
        e.imm = imm_s(w) - lay->mem_base;
        break;
    }
    case 0x13: /* OP-IMM */
        e.imm = imm_i(w);
        switch (f3) {
        case 0: e.op = OP_ADDI; break;
        case 2: e.op = OP_SLTI; break;
        case 3: e.op = OP_SLTIU; break;
        case 4: e.op = OP_XORI; break;
        case 6: e.op = OP_ORI; break;
        case 7: e.op = OP_ANDI; break;
        case 1:
            if (f7 == 0) {
                e.op = OP_SLLI;
                e.imm = rs2;
            }
            break;
        case 5:
            if (f7 == 0 || f7 == 0x20) {
                e.op = f7 ? OP_SRAI : OP_SRLI;
                e.imm = rs2;
            }
            break;
        }
        break;
    case 0x33: /* OP */
        if (f7 == 0) {
            static const uint8_t ops[8] = {OP_ADD, OP_SLL, OP_SLT, OP_SLTU,
                                           OP_XOR, OP_SRL, OP_OR,  OP_AND};
            e.op = ops[f3];
        } else if (f7 == 0x20) {
            if (f3 == 0)
                e.op = OP_SUB;
            else if (f3 == 5)
                e.op = OP_SRA;
        } else if (f7 == 1) {
            static const uint8_t ops[8] = {OP_MUL, OP_MULH, OP_MULHSU, OP_MULHU,
                                           OP_DIV, OP_DIVU, OP_REM,    OP_REMU};
            e.op = ops[f3];
        }
        break;
    case 0x0f: /* MISC-MEM: FENCE only (FENCE.I is Zifencei, not supported) */
        if (f3 == 0) {
            e.op = OP_FENCE;
            e.rd = VM_RD_SINK;
        }
        break;
    case 0x73: /* SYSTEM: ECALL, EBREAK; CSR instructions are not supported */
        if (w == UINT32_C(0x00000073))
            e.op = OP_ECALL;
        else if (w == UINT32_C(0x00100073))
            e.op = OP_EBREAK;
        break;
    default: break;
    }
    if (e.op == OP_ILLEGAL) {
        e.rd = VM_RD_SINK;
        e.imm = w;
    }
    return e;
}

cairn_vm_class vm_op_class(enum vm_op op)
{
    switch (op) {
    case OP_LUI:
    case OP_AUIPC:
    case OP_ADDI:
    case OP_SLTI:
    case OP_SLTIU:
    case OP_XORI:
    case OP_ORI:
    case OP_ANDI:
    case OP_SLLI:
    case OP_SRLI:
    case OP_SRAI: return CAIRN_VM_CLASS_ALU_IMM;
    case OP_ADD:
    case OP_SUB:
    case OP_SLL:
    case OP_SLT:
    case OP_SLTU:
    case OP_XOR:
    case OP_SRL:
    case OP_SRA:
    case OP_OR:
    case OP_AND: return CAIRN_VM_CLASS_ALU;
    case OP_MUL:
    case OP_MULH:
    case OP_MULHSU:
    case OP_MULHU: return CAIRN_VM_CLASS_MUL;
    case OP_DIV:
    case OP_DIVU:
    case OP_REM:
    case OP_REMU: return CAIRN_VM_CLASS_DIV;
    case OP_LB:
    case OP_LH:
    case OP_LW:
    case OP_LBU:
    case OP_LHU: return CAIRN_VM_CLASS_LOAD;
    case OP_SB:
    case OP_SH:
    case OP_SW: return CAIRN_VM_CLASS_STORE;
    case OP_BEQ:
    case OP_BNE:
    case OP_BLT:
    case OP_BGE:
    case OP_BLTU:
    case OP_BGEU:
    case OP_BEQ_FAR:
    case OP_BNE_FAR:
    case OP_BLT_FAR:
    case OP_BGE_FAR:
    case OP_BLTU_FAR:
    case OP_BGEU_FAR: return CAIRN_VM_CLASS_BRANCH;
    case OP_JAL:
    case OP_JAL_FAR:
    case OP_JALR: return CAIRN_VM_CLASS_JUMP;
    case OP_ILLEGAL:
    case OP_FETCH_FAULT:
    case OP_FENCE:
    case OP_ECALL:
    case OP_EBREAK:
    case OP_COUNT: break;
    }
    return CAIRN_VM_CLASS_SYSTEM;
}
