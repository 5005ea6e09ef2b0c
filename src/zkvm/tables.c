/*
 * tables.c — the public lookup tables: the fixed table L (bytes with AND,
 * 16-bit range, shift powers) with the closed form of its multilinear
 * extension, and the program's bytecode table B (our own RV32I decoder from
 * instruction words to the static columns, the table's entries and its
 * MLE), plus the initial register file.
 *
 * L has 2^18 entries j = (j_0 .. j_17), four quadrants by (j_16, j_17):
 *   0  tag 0 bytes:  (0, u, v, u & v, 0, 0), u = j[0..8), v = j[8..16)
 *   1  tag 1 range:  (1, j[0..16), 0, 0, 0, 0)
 *   2  tag 2 shifts: (2, b, dir, P, sel, fill), b = j[0..8), dir = j_8 + 2 j_9 < 3,
 *      j[10..16) = 0; other entries of the quadrant have the unused tag 3
 *   3  unused tag 4
 * Every field is multilinear in the bits (u & v = sum 2^i u_i v_i; 2^s and
 * 2^-s are products over the bits of s), so the verifier evaluates the MLE
 * in O(18); tests compare it with the entries.  Unused tags never match a
 * lookup, whose tags are constants.
 */
#include <stdlib.h>
#include <string.h>

#include "zkvm_internal.h"

#define TWO32 (UINT64_C(1) << 32)

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

void zk_ltab_entry(cairn_fp out[ZK_L_FIELDS], uint32_t j)
{
    uint32_t q = (j >> 16) & 3;
    for (unsigned i = 0; i < ZK_L_FIELDS; i++)
        out[i] = cairn_fp_zero();
    if (q == 0) {
        uint32_t u = j & 0xff, v = (j >> 8) & 0xff;
        out[1] = cairn_fp_make(u);
        out[2] = cairn_fp_make(v);
        out[3] = cairn_fp_make(u & v);
    } else if (q == 1) {
        out[0] = cairn_fp_make(1);
        out[1] = cairn_fp_make(j & 0xffff);
    } else if (q == 2) {
        uint32_t b = j & 0xff, dir = (j >> 8) & 3, high = (j >> 10) & 0x3f;
        out[0] = cairn_fp_make(high == 0 && dir != 3 ? 2 : 3);
        out[1] = cairn_fp_make(b);
        out[2] = cairn_fp_make(dir);
        if (dir != 3) {
            uint64_t P, sel, fill;
            zk_shift_entry(b, dir, &P, &sel, &fill);
            out[3] = cairn_fp_make(P);
            out[4] = cairn_fp_make(sel);
            out[5] = cairn_fp_make(fill);
        }
    } else {
        out[0] = cairn_fp_make(4);
    }
}

int64_t zk_ltab_index(const cairn_fp f[ZK_L_FIELDS])
{
    uint64_t tag = f[0].v;
    if (tag == 0) {
        if (f[1].v < 256 && f[2].v < 256 && f[3].v == (f[1].v & f[2].v) && f[4].v == 0 &&
            f[5].v == 0)
            return (int64_t)(f[1].v + 256 * f[2].v);
    } else if (tag == 1) {
        if (f[1].v < 65536 && f[2].v == 0 && f[3].v == 0 && f[4].v == 0 && f[5].v == 0)
            return (int64_t)(65536 + f[1].v);
    } else if (tag == 2) {
        if (f[1].v < 256 && f[2].v < 3) {
            uint64_t P, sel, fill;
            zk_shift_entry((uint32_t)f[1].v, (uint32_t)f[2].v, &P, &sel, &fill);
            if (f[3].v == P && f[4].v == sel && f[5].v == fill)
                return (int64_t)(131072 + f[1].v + 256 * f[2].v);
        }
    }
    return -1;
}

/*
 * The closed form.  With r = (r_0 .. r_17): quadrant weights Q_q from
 * (r_16, r_17); u = sum 2^i r_i, v = sum 2^i r_{8+i}; and = sum 2^i r_i r_{8+i};
 * for shifts E = 2^s = prod_{i<5} (1 + (2^(2^i) - 1) r_i), Ei = 2^-s likewise,
 * Z0 = [s = 0] = prod (1 - r_i), direction weights D0, D1, D2, D3 from (r_8, r_9),
 * P = D0 E + (D1 + D2)(2^32 Ei + (1 - 2^32) Z0), sel = D0 + (D1 + D2) Z0,
 * fill = D2 2^32 (1 - Ei); the shift tag is 2 + (1 - V), V = [j[10..16) = 0] (1 - r_8 r_9).
 */
void zk_ltab_mle(cairn_fp2 out[ZK_L_FIELDS], const cairn_fp2 *r)
{
    const cairn_fp2 one = cairn_fp2_one();
    cairn_fp2 nr[ZK_LTAB_VARS];
    for (unsigned i = 0; i < ZK_LTAB_VARS; i++)
        nr[i] = cairn_fp2_sub(one, r[i]);
    cairn_fp2 Q0 = cairn_fp2_mul(nr[16], nr[17]), Q1 = cairn_fp2_mul(r[16], nr[17]);
    cairn_fp2 Q2 = cairn_fp2_mul(nr[16], r[17]), Q3 = cairn_fp2_mul(r[16], r[17]);
    cairn_fp2 u = cairn_fp2_zero(), v = cairn_fp2_zero(), andv = cairn_fp2_zero(), x16;
    for (unsigned i = 8; i-- > 0;) {
        u = cairn_fp2_add(cairn_fp2_double(u), r[i]);
        v = cairn_fp2_add(cairn_fp2_double(v), r[8 + i]);
        andv = cairn_fp2_add(cairn_fp2_double(andv), cairn_fp2_mul(r[i], r[8 + i]));
    }
    x16 = cairn_fp2_add(u, cairn_fp2_mul_fp(v, cairn_fp_make(256)));
    cairn_fp2 E = one, Ei = one, Z0 = one;
    for (unsigned i = 0; i < 5; i++) {
        cairn_fp p = cairn_fp_from_u64(UINT64_C(1) << (1u << i)); /* 2^(2^i), i < 5 */
        cairn_fp pi = cairn_fp_inv(p);
        E = cairn_fp2_mul(E, cairn_fp2_add(one, cairn_fp2_mul_fp(r[i], cairn_fp_sub(p, cairn_fp_one()))));
        Ei = cairn_fp2_mul(Ei, cairn_fp2_add(one, cairn_fp2_mul_fp(r[i], cairn_fp_sub(pi, cairn_fp_one()))));
        Z0 = cairn_fp2_mul(Z0, nr[i]);
    }
    cairn_fp2 D0 = cairn_fp2_mul(nr[8], nr[9]), D1 = cairn_fp2_mul(r[8], nr[9]);
    cairn_fp2 D2 = cairn_fp2_mul(nr[8], r[9]), D12 = cairn_fp2_add(D1, D2);
    const cairn_fp t32 = cairn_fp_make(TWO32);
    cairn_fp2 Pr = cairn_fp2_add(cairn_fp2_mul_fp(Ei, t32),
                                 cairn_fp2_mul_fp(Z0, cairn_fp_sub(cairn_fp_one(), t32)));
    cairn_fp2 P = cairn_fp2_add(cairn_fp2_mul(D0, E), cairn_fp2_mul(D12, Pr));
    cairn_fp2 sel = cairn_fp2_add(D0, cairn_fp2_mul(D12, Z0));
    cairn_fp2 fill = cairn_fp2_mul_fp(cairn_fp2_mul(D2, cairn_fp2_sub(one, Ei)), t32);
    cairn_fp2 V = cairn_fp2_sub(one, cairn_fp2_mul(r[8], r[9]));
    for (unsigned i = 10; i < 16; i++)
        V = cairn_fp2_mul(V, nr[i]);
    cairn_fp2 shtag = cairn_fp2_add(cairn_fp2_from_fp(cairn_fp_make(2)), cairn_fp2_sub(one, V));
    cairn_fp2 dir = cairn_fp2_add(r[8], cairn_fp2_double(r[9]));

    out[0] = cairn_fp2_add(cairn_fp2_add(Q1, cairn_fp2_mul(Q2, shtag)),
                           cairn_fp2_mul_fp(Q3, cairn_fp_make(4)));
    out[1] = cairn_fp2_add(cairn_fp2_add(cairn_fp2_mul(Q0, u), cairn_fp2_mul(Q1, x16)), cairn_fp2_mul(Q2, u));
    out[2] = cairn_fp2_add(cairn_fp2_mul(Q0, v), cairn_fp2_mul(Q2, dir));
    out[3] = cairn_fp2_add(cairn_fp2_mul(Q0, andv), cairn_fp2_mul(Q2, P));
    out[4] = cairn_fp2_mul(Q2, sel);
    out[5] = cairn_fp2_mul(Q2, fill);
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
        if (w == UINT32_C(0x00000073)) { /* ECALL: exit, write(1), write(2), read(0) (air.c) */
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

unsigned zk_tab_vars(const zk_bytecode *bc)
{
    unsigned v = ZK_LTAB_VARS;
    while ((UINT64_C(1) << v) < (uint64_t)bc->count + 1)
        v++;
    return v;
}

int64_t zk_bytecode_find(const zk_bytecode *bc, const cairn_fp *z)
{
    zk_static pad;
    const zk_static *e;
    int64_t idx;
    if (z[ZK_Z_PADS].v == 1) {
        zk_static_pad(&pad);
        e = &pad;
        idx = (int64_t)bc->count;
    } else if (z[ZK_Z_PADS].v == 0) {
        uint64_t vpc = z[ZK_PC].v, j = vpc / ZK_VPC, pc = vpc % ZK_VPC;
        if (j > 6 || pc < bc->text_base || ((pc - bc->text_base) & 3) != 0 ||
            (pc - bc->text_base) / 4 >= bc->text_words)
            return -1;
        idx = bc->index[(pc - bc->text_base) / 4];
        if (idx < 0 || (j > 0 && bc->entries[idx].f[ZK_F_ECALL].v == 0))
            return -1;
        idx += (int64_t)j;
        e = &bc->entries[idx];
    } else {
        return -1;
    }
    for (unsigned i = 0; i < ZK_NSTATIC; i++)
        if (e->f[i].v != z[i].v)
            return -1;
    return idx;
}

static cairn_fp2 static_fp(const zk_static *e, const cairn_fp2 *gamma, int pad)
{
    cairn_fp2 acc = pad ? gamma[ZK_NSTATIC] : cairn_fp2_zero();
    for (unsigned i = 0; i < ZK_NSTATIC; i++)
        if (e->f[i].v != 0)
            acc = cairn_fp2_add(acc, cairn_fp2_mul_fp(gamma[i], e->f[i]));
    return acc;
}

cairn_fp2 zk_bytecode_fp_entry(const zk_bytecode *bc, const cairn_fp2 *gamma, size_t j)
{
    if (j < bc->count)
        return static_fp(&bc->entries[j], gamma, 0);
    zk_static pad;
    zk_static_pad(&pad);
    return static_fp(&pad, gamma, 1);
}

/*
 * sum_{j < count} eq(j, r) fp_j + fp_pad (1 - sum_{j < count} eq(j, r)):
 * eq over the low b variables (2^b >= count) times prod_{i >= b} (1 - r_i),
 * so the cost is O(count), not O(2^n_tab).
 */
cairn_status zk_bytecode_fp_mle(cairn_fp2 *out, const zk_bytecode *bc, const cairn_fp2 *gamma,
                                const cairn_fp2 *r, unsigned n_tab, cairn_error *err)
{
    unsigned b = 0;
    while ((UINT64_C(1) << b) < bc->count)
        b++;
    cairn_fp2 *eq = malloc(((size_t)1 << b) * sizeof *eq);
    if (eq == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the bytecode MLE");
    cairn_poly_eq_table(eq, r, b);
    cairn_fp2 high = cairn_fp2_one(), sum_eq = cairn_fp2_zero(), acc = cairn_fp2_zero();
    for (unsigned i = b; i < n_tab; i++)
        high = cairn_fp2_mul(high, cairn_fp2_sub(cairn_fp2_one(), r[i]));
    for (size_t j = 0; j < bc->count; j++) {
        cairn_fp2 e = cairn_fp2_mul(eq[j], high);
        sum_eq = cairn_fp2_add(sum_eq, e);
        acc = cairn_fp2_add(acc, cairn_fp2_mul(e, static_fp(&bc->entries[j], gamma, 0)));
    }
    free(eq);
    zk_static pad;
    zk_static_pad(&pad);
    acc = cairn_fp2_add(acc, cairn_fp2_mul(cairn_fp2_sub(cairn_fp2_one(), sum_eq), static_fp(&pad, gamma, 1)));
    *out = acc;
    return CAIRN_OK;
}
