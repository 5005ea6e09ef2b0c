/*
 * tables.c — the program's bytecode: our own RV32I decoder from
 * instruction words to the static columns of a row (docs/zkvm-v2.md §2,
 * docs/arithmetization.md), the table of the program's entries (with the
 * virtual entries of the read/write rows), the initial register file and
 * the RAM layout's base; and the shift amounts' powers (zk_shift_entry)
 * that the row's shift values and the table U are built from.
 */
#include <stdlib.h>
#include <string.h>

#include "zkvm_internal.h"

#define TWO32 (UINT64_C(1) << 32)

/*
 * The multiplier and fill of a shift by b & 31: left 2^s; right 2^(32 - s)
 * (the result is the high half of the product), with sel = 1 for a shift
 * by 0; an arithmetic right shift fills 2^32 - 2^(32 - s) when negative.
 */
void zk_shift_entry(uint32_t b, uint32_t dir, uint64_t *P, uint64_t *sel, uint64_t *fill)
{
    uint32_t s = b & 31;
    *fill = 0;
    if (dir == 0) {
        *P = UINT64_C(1) << s;
        *sel = 1;
    } else if (s == 0) {
        *P = 1;
        *sel = 1;
    } else {
        *P = UINT64_C(1) << (32 - s);
        *sel = 0;
        if (dir == 2)
            *fill = TWO32 - *P;
    }
}

/* ---- the decoder -------------------------------------------------------------------------------- */

static uint32_t sext(uint32_t v, unsigned bits)
{
    uint32_t m = UINT32_C(1) << (bits - 1);
    return (v ^ m) - m;
}

/* A signed 32-bit quantity as a field element. */
static cairn_fp fp_s32(int64_t v)
{
    return v >= 0 ? cairn_fp_from_u64((uint64_t)v) : cairn_fp_neg(cairn_fp_from_u64((uint64_t)(-v)));
}

void zk_static_pad(zk_static *out)
{
    memset(out, 0, sizeof *out);
    out->f[ZK_DU] = fp_s32(-4);
}

/*
 * RISC-V Unprivileged ISA ch. 2 (RV32I) encodings.  The static columns say
 * what the row does (docs/arithmetization.md, "bytecode"): operand
 * immediate imm (B = v2 + imm; AUIPC's pc + imm folded in), the control
 * deltas du, d1, d2 (branches: next = pc + 4 + du + d1 z + d2 k), and the
 * family flags.  Registers a format does not read are 0 (read as x0).
 */
int zk_decode(zk_static *out, uint32_t pc, uint32_t w, const char **why)
{
    return zk_decode_ext(out, pc, w, 0, why);
}

/*
 * The decoder behind zk_decode.  With ZK_EXT_M the eight M instructions
 * decode to an entry whose only family flag is f_rx where the result is
 * the word x (MUL, REM, REMU); their constraints are the lean row's own,
 * keyed by out->m.  Without it every M instruction is refused as a class,
 * as the first prover has always done.
 */
int zk_decode_ext(zk_static *out, uint32_t pc, uint32_t w, unsigned ext, const char **why)
{
    cairn_fp *f = out->f;
    uint32_t opc = w & 0x7f, f3 = (w >> 12) & 7, f7 = w >> 25;
    uint32_t rd = (w >> 7) & 31, rs1 = (w >> 15) & 31, rs2 = (w >> 20) & 31;
    uint32_t imm_i = sext(w >> 20, 12);
    int64_t off;
    memset(out, 0, sizeof *out);
    *why = NULL;
    f[ZK_PC] = cairn_fp_make(pc);
#define ONE(c) (f[c] = cairn_fp_one())
#define WRITES()                                                                                   \
    do {                                                                                           \
        f[ZK_RD] = cairn_fp_make(rd);                                                              \
        f[ZK_WR] = cairn_fp_make(rd != 0);                                                         \
    } while (0)
    switch (opc) {
    case 0x37: /* LUI */
        f[ZK_IMM] = cairn_fp_make(w & UINT32_C(0xfffff000));
        WRITES(); ONE(ZK_F_ADD), ONE(ZK_F_RX);
        return 1;
    case 0x17: /* AUIPC */
        f[ZK_IMM] = cairn_fp_make((uint32_t)(pc + (w & UINT32_C(0xfffff000))));
        WRITES(); ONE(ZK_F_ADD), ONE(ZK_F_RX);
        return 1;
    case 0x6f: /* JAL */
        off = (int32_t)sext(((w >> 31) & 1) << 20 | ((w >> 12) & 0xff) << 12 | ((w >> 20) & 1) << 11 |
                                ((w >> 21) & 0x3ff) << 1,
                            21);
        f[ZK_DU] = fp_s32(off - 4);
        WRITES(); ONE(ZK_F_LINK);
        return 1;
    case 0x67: /* JALR */
        if (f3 != 0)
            break;
        f[ZK_RS1] = cairn_fp_make(rs1);
        f[ZK_IMM] = cairn_fp_make(imm_i);
        WRITES(); ONE(ZK_F_ADD), ONE(ZK_F_LINK), ONE(ZK_F_JALR);
        return 1;
    case 0x63: { /* branches */
        if (f3 == 2 || f3 == 3)
            break;
        off = (int32_t)sext(((w >> 31) & 1) << 12 | ((w >> 7) & 1) << 11 | ((w >> 25) & 0x3f) << 5 |
                                ((w >> 8) & 0xf) << 1,
                            13);
        cairn_fp D = fp_s32(off - 4), nD = fp_s32(4 - off);
        f[ZK_RS1] = cairn_fp_make(rs1);
        f[ZK_RS2] = cairn_fp_make(rs2);
        int neg = f3 & 1; /* BNE, BGE, BGEU */
        if (neg)
            f[ZK_DU] = D;
        if (f3 < 2) {
            f[ZK_D1] = neg ? nD : D;
        } else {
            f[ZK_D2] = neg ? nD : D;
            ONE(f3 < 6 ? ZK_F_SLT : ZK_F_SUB);
        }
        return 1;
    }
    case 0x13: /* OP-IMM */
        f[ZK_RS1] = cairn_fp_make(rs1);
        f[ZK_IMM] = cairn_fp_make(imm_i);
        switch (f3) {
        case 0: WRITES(); ONE(ZK_F_ADD), ONE(ZK_F_RX); return 1;
        case 2: WRITES(); ONE(ZK_F_SLT), ONE(ZK_F_RK); return 1;
        case 3: WRITES(); ONE(ZK_F_SUB), ONE(ZK_F_RK); return 1;
        case 4: WRITES(); ONE(ZK_F_XOR); return 1;
        case 6: WRITES(); ONE(ZK_F_OR); return 1;
        case 7: WRITES(); ONE(ZK_F_AND); return 1;
        case 1:
            if (f7 != 0)
                break;
            f[ZK_IMM] = cairn_fp_make(rs2);
            WRITES(); ONE(ZK_F_SLL);
            return 1;
        default: /* 5 */
            if (f7 != 0 && f7 != 0x20)
                break;
            f[ZK_IMM] = cairn_fp_make(rs2);
            WRITES(); ONE(f7 ? ZK_F_SRA : ZK_F_SRL);
            return 1;
        }
        break;
    case 0x33: /* OP */
        f[ZK_RS1] = cairn_fp_make(rs1);
        f[ZK_RS2] = cairn_fp_make(rs2);
        if (f7 == 1) {
            if (!(ext & ZK_EXT_M)) {
                *why = "multiply/divide (M extension)";
                return 0;
            }
            WRITES();
            out->m = (uint8_t)(ZK_M_MUL + f3);
            if (f3 == 0 || f3 >= 6)
                ONE(ZK_F_RX); /* MUL, REM, REMU: the result is x (the low word, the remainder) */
            return 1;
        }
        if (f7 == 0) {
            static const int fam[8] = {ZK_F_ADD, ZK_F_SLL, ZK_F_SLT, ZK_F_SUB,
                                       ZK_F_XOR, ZK_F_SRL, ZK_F_OR,  ZK_F_AND};
            WRITES(); ONE(fam[f3]);
            if (f3 == 0)
                ONE(ZK_F_RX);
            else if (f3 == 2 || f3 == 3)
                ONE(ZK_F_RK);
            return 1;
        }
        if (f7 == 0x20 && (f3 == 0 || f3 == 5)) {
            WRITES(); ONE(f3 == 0 ? ZK_F_SUB : ZK_F_SRA);
            if (f3 == 0)
                ONE(ZK_F_RX);
            return 1;
        }
        break;
    case 0x0f: /* FENCE */
        if (f3 != 0)
            break;
        return 1;
    case 0x73:
        if (w == UINT32_C(0x00000073)) { /* ECALL: exit, write(1), write(2), read(0) */
            f[ZK_RS1] = cairn_fp_make(17);
            f[ZK_RS2] = cairn_fp_make(10);
            f[ZK_DU] = fp_s32(-(int64_t)pc - 4);
            ONE(ZK_F_ECALL);
            return 1;
        }
        *why = "system instruction (EBREAK, CSR)";
        return 0;
    case 0x03:
    case 0x23: { /* loads and stores: imm = 0, so B = v2 (the value a store writes) */
        zk_mem_insn m;
        if (!zk_decode_mem(&m, w))
            break;
        f[ZK_RS1] = cairn_fp_make(m.rs1);
        f[ZK_RS2] = cairn_fp_make(m.rs2);
        if (opc == 0x03)
            WRITES();
        f[ZK_OFF] = cairn_fp_make(m.off);
        ONE(ZK_F_LB + (m.flag - ZR_F_LB));
        return 1;
    }
    default: break;
    }
#undef ONE
#undef WRITES
    if (*why == NULL)
        *why = "illegal instruction";
    return 0;
}

/* ---- the bytecode table ---------------------------------------------------------------------------- */

void zk_bytecode_init(zk_bytecode *bc) { memset(bc, 0, sizeof *bc); }

void zk_bytecode_clear(zk_bytecode *bc)
{
    if (bc == NULL)
        return;
    free(bc->index);
    free(bc->entries);
    memset(bc, 0, sizeof *bc);
}

uint32_t zk_mem_base(const cairn_program *prog)
{
    uint64_t lo = UINT64_MAX;
    for (uint32_t i = 0; i < prog->nseg; i++)
        if (prog->seg[i].vaddr < lo)
            lo = prog->seg[i].vaddr;
    return lo == UINT64_MAX ? 0 : (uint32_t)(lo & ~UINT64_C(0xfff));
}

void zk_init_regs(uint32_t regs[32], const cairn_program *prog, uint32_t mem_log2_words)
{
    memset(regs, 0, 32 * sizeof *regs);
    regs[2] = (uint32_t)((uint64_t)zk_mem_base(prog) + (UINT64_C(4) << mem_log2_words));
}

/*
 * The six virtual entries of the ECALL at pc (docs/arithmetization.md,
 * "I/O"): j = 1, 2, 3 the setup rows of write(1), write(2), read(0) at
 * pc + j ZK_VPC, reading a1 and a2 and writing a0; j = 4, 5, 6 their byte
 * rows at pc + j ZK_VPC, a byte load (writes) or a byte store (reads) at
 * ptr.  du leads to pc + 4 (nz = 0), du + d3 to the byte rows (nz = 1).
 */
static void io_entry(zk_static *out, uint32_t pc, unsigned j)
{
    cairn_fp *f = out->f;
    uint64_t vpc = pc + j * ZK_VPC;
    unsigned kind = j <= 3 ? j : j - 3; /* 1 write(1), 2 write(2), 3 read(0) */
    memset(out, 0, sizeof *out);
    f[ZK_PC] = cairn_fp_from_u64(vpc);
    f[ZK_DU] = cairn_fp_neg(cairn_fp_from_u64(j * ZK_VPC));
    f[ZK_D3] = cairn_fp_from_u64((kind + 3) * ZK_VPC - 4);
    if (j <= 3) {
        f[ZK_RS1] = cairn_fp_make(11);
        f[ZK_RS2] = cairn_fp_make(12);
        f[ZK_RD] = cairn_fp_make(10);
        f[ZK_WR] = cairn_fp_one();
        f[kind == 3 ? ZK_F_SRD : ZK_F_SWR] = cairn_fp_one();
    } else {
        static const unsigned flag[3] = {ZK_F_BO, ZK_F_BE, ZK_F_BI};
        f[flag[kind - 1]] = cairn_fp_one();
        f[kind == 3 ? ZK_F_SB : ZK_F_LBU] = cairn_fp_one();
    }
}

/*
 * One entry per supported word of the executable hull, in address order,
 * each ECALL followed by its six virtual entries; words outside the
 * segments' file bytes (zero, illegal) and unsupported instructions get no
 * entry, so no row can ever claim to run them.
 */
void zk_text_hull(uint64_t *lo, uint64_t *hi, const cairn_program *prog)
{
    uint64_t xlo = UINT64_MAX, xhi = 0;
    for (uint32_t i = 0; i < prog->nseg; i++) {
        const cairn_segment *s = &prog->seg[i];
        if (!(s->flags & CAIRN_SEG_X))
            continue;
        if (s->vaddr < xlo)
            xlo = s->vaddr;
        if ((uint64_t)s->vaddr + s->memsz > xhi)
            xhi = (uint64_t)s->vaddr + s->memsz;
    }
    *lo = xhi == 0 ? 0 : xlo;
    *hi = xhi;
}

cairn_status zk_bytecode_build(zk_bytecode *bc, const cairn_program *prog, cairn_error *err)
{
    return zk_bytecode_build_ext(bc, prog, 0, err);
}

cairn_status zk_bytecode_build_ext(zk_bytecode *bc, const cairn_program *prog, unsigned ext,
                                   cairn_error *err)
{
    uint64_t xlo, xhi;
    zk_bytecode_clear(bc);
    zk_text_hull(&xlo, &xhi, prog);
    if (xhi == 0)
        return cairn_error_set(err, CAIRN_ERR_ARG, "the program has no executable segment");
    xlo &= ~UINT64_C(3);
    xhi = (xhi + 3) & ~UINT64_C(3);
    uint64_t words = (xhi - xlo) / 4;
    if (words >= (UINT64_C(1) << ZK_MAX_VARS))
        return cairn_error_set(err, CAIRN_ERR_LIMIT, "executable range of %llu words is too large",
                               (unsigned long long)words);
    /*
     * Entries exist only for words with file bytes (zero-filled words are
     * not instructions), so size them by the file words: a small ELF with a
     * huge zero-filled executable segment costs 4 bytes per word of index,
     * not a decoded entry per word.
     */
    uint64_t file_words = 0;
    for (uint32_t i = 0; i < prog->nseg; i++)
        if (prog->seg[i].flags & CAIRN_SEG_X)
            file_words += prog->seg[i].filesz / 4 + 1;
    if (file_words > words)
        file_words = words;
    size_t cap = (size_t)(file_words ? file_words : 1) + 6 * 8; /* grows for many ECALLs */
    bc->text_base = (uint32_t)xlo;
    bc->text_words = (uint32_t)words;
    bc->index = malloc((size_t)(words ? words : 1) * sizeof *bc->index);
    bc->entries = malloc(cap * sizeof *bc->entries);
    if (bc->index == NULL || bc->entries == NULL) {
        zk_bytecode_clear(bc);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the bytecode table");
    }
    for (uint64_t wi = 0; wi < words; wi++) {
        uint32_t pc = (uint32_t)(xlo + 4 * wi), word = 0;
        int have = 0;
        bc->index[wi] = -1;
        for (uint32_t i = 0; i < prog->nseg && !have; i++) {
            const cairn_segment *s = &prog->seg[i];
            if ((s->flags & CAIRN_SEG_X) && pc >= s->vaddr && (uint64_t)pc + 4 <= (uint64_t)s->vaddr + s->filesz) {
                const uint8_t *p = prog->data + s->data_off + (pc - s->vaddr);
                word = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
                have = 1;
            }
        }
        const char *why;
        if (bc->count + 7 > cap) {
            zk_static *ne = realloc(bc->entries, 2 * cap * sizeof *ne);
            if (ne == NULL) {
                zk_bytecode_clear(bc);
                return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the bytecode table");
            }
            bc->entries = ne;
            cap *= 2;
        }
        if (have && zk_decode_ext(&bc->entries[bc->count], pc, word, ext, &why)) {
            bc->index[wi] = (int32_t)bc->count;
            bc->count++;
            if (bc->entries[bc->count - 1].f[ZK_F_ECALL].v != 0)
                for (unsigned j = 1; j <= 6; j++)
                    io_entry(&bc->entries[bc->count++], pc, j);
        }
    }
    return CAIRN_OK;
}
