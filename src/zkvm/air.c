/*
 * air.c — the uniform per-row constraint system of RV32I with RAM and I/O: the R1CS rows
 * A·B = C over the z vector (committed columns, the virtual pc_next, public
 * polynomials), the LogUp fractions (lookups into the fixed table L and the
 * bytecode table B; register-file memory checking) and their pairing into
 * helper columns, the combined polynomial of the outer sum-check, and the
 * closed forms the verifier uses for the public polynomials and for the
 * shift polynomial next(r, y) = [y = r + 1].
 *
 * docs/arithmetization.md lists every row and fraction with its meaning;
 * this file is the single definition the checker, the prover and the
 * verifier interpret.  Spartan (Setty 2019) for the outer zerocheck, LogUp
 * (Haböck 2022) for the fractions, Blum et al. / Spice for memory checking.
 */
#include <assert.h>
#include <string.h>

#include "zkvm_internal.h"

const char *const zk_col_names[ZK_NCOL] = {
    "pc", "imm", "rs1", "rs2", "rd", "wr", "du", "d1", "d2",
    "f_add", "f_sub", "f_slt", "f_sll", "f_srl", "f_sra", "f_rx", "f_rk",
    "f_and", "f_or", "f_xor", "f_link", "f_jalr", "f_ecall",
    "off", "f_lb", "f_lbu", "f_lh", "f_lhu", "f_lw", "f_sb", "f_sh", "f_sw",
    "d3", "f_swr", "f_srd", "f_bo", "f_be", "f_bi",
    "v1", "v2", "vd", "vdo", "t1", "t2", "td", "e1", "e2", "e3",
    "u0", "u1", "u2", "c0", "c1", "c2", "w0", "w1", "w2", "w3", "sa", "sb",
    "x", "xl", "k", "z", "inv", "res", "j1", "j2", "lsb",
    "p", "sel", "fill", "t", "prod", "hi", "hl", "r",
    "ea", "ka", "eal", "o1", "o2", "m0", "m1", "m2", "m3", "ro",
    "y0", "y1", "yb", "tb", "s", "pw", "db", "dh", "mnew", "tm", "em",
    "wo", "we", "rdk", "jio", "cnt", "ptr", "cinv", "more", "j3", "inb", "gap", "gl", "oi",
    "eof", "ends", "ec"};

const uint16_t zk_shifted[ZK_NVIRT] = {ZK_PC, ZK_CNT, ZK_PTR, ZK_OI, ZK_EOF};

/* ---- building linear forms ------------------------------------------------------------------ */

static cairn_fp fp_i64(int64_t v)
{
    return v >= 0 ? cairn_fp_from_u64((uint64_t)v) : cairn_fp_neg(cairn_fp_from_u64((uint64_t)(-v)));
}

/* 2^-e in F_p. */
static cairn_fp fp_inv2(unsigned e)
{
    return cairn_fp_inv(cairn_fp_from_u64(UINT64_C(1) << e));
}

static void addf(zk_lin *l, unsigned idx, cairn_fp c)
{
    for (unsigned i = 0; i < l->len; i++) {
        if (l->t[i].idx == idx) {
            l->t[i].c = cairn_fp_add(l->t[i].c, c);
            return;
        }
    }
    assert(l->len < ZK_LIN_MAX);
    l->t[l->len].idx = (uint16_t)idx;
    l->t[l->len].c = c;
    l->len++;
}

static void add(zk_lin *l, unsigned idx, int64_t c) { addf(l, idx, fp_i64(c)); }

static zk_lin L1(unsigned idx)
{
    zk_lin l;
    memset(&l, 0, sizeof l);
    add(&l, idx, 1);
    return l;
}

static zk_lin L0(void)
{
    zk_lin l;
    memset(&l, 0, sizeof l);
    return l;
}

static zk_lin Lc(int64_t c)
{
    zk_lin l = L0();
    if (c != 0)
        add(&l, ZK_Z_ONE, c);
    return l;
}

/*
 * The operand B = v2 + imm + inb (I-type rows read x0 as rs2; R-type rows
 * have imm = 0; inb, an input byte, is 0 except on read system calls' byte
 * rows).
 */
static void add_B(zk_lin *l, int64_t c)
{
    add(l, ZK_V2, c);
    add(l, ZK_IMM, c);
    add(l, ZK_INB, c);
}

/* W = w0 + 2^8 w1 + 2^16 w2 + 2^24 w3, the AND of the operands. */
static void add_W(zk_lin *l, int64_t c)
{
    for (unsigned i = 0; i < 4; i++)
        add(l, ZK_W0 + i, c * (INT64_C(1) << (8 * i)));
}

static void r1cs(zk_air *air, const char *name, zk_lin a, zk_lin b, zk_lin c)
{
    zk_r1cs *r = &air->r1cs[air->nr1cs++];
    r->a = a;
    r->b = b;
    r->c = c;
    r->name = name;
}

static zk_frac *frac(zk_air *air, const char *name, int table, int sign)
{
    zk_frac *f = &air->frac[air->nfrac++];
    memset(f, 0, sizeof *f);
    f->table = table;
    f->sign = sign;
    f->name = name;
    f->nfields = table == ZK_TAB_L   ? ZK_L_FIELDS
                 : table == ZK_TAB_B ? ZK_BC_FIELDS
                 : table == ZK_TAB_M ? ZK_M_FIELDS
                 : table == ZK_TAB_R ? ZK_R_FIELDS
                                     : ZK_O_FIELDS;
    return f;
}

/* An L-table lookup (tag, f1, ..., f5) with f1 given and the rest zero. */
static zk_frac *range16(zk_air *air, const char *name, zk_lin v)
{
    zk_frac *f = frac(air, name, ZK_TAB_L, 1);
    f->f[0] = Lc(ZK_LTAB_TAG_R16);
    f->f[1] = v;
    return f;
}

/* The top byte of a word given its three low byte columns: 2^-24 (word - b0 - 2^8 b1 - 2^16 b2). */
static zk_lin top_byte(unsigned b0, int word_is_B)
{
    zk_lin l = L0();
    cairn_fp s = fp_inv2(24);
    if (word_is_B) {
        addf(&l, ZK_V2, s);
        addf(&l, ZK_IMM, s);
        addf(&l, ZK_INB, s);
    } else {
        addf(&l, ZK_V1, s);
    }
    for (unsigned i = 0; i < 3; i++)
        addf(&l, b0 + i, cairn_fp_neg(cairn_fp_mul(s, cairn_fp_from_u64(UINT64_C(1) << (8 * i)))));
    return l;
}

/* 512 (top byte - 128 s): in [0, 2^16) iff s is the top bit (s boolean, top byte a byte). */
static zk_lin sign_check(unsigned b0, int word_is_B, unsigned s)
{
    zk_lin l = top_byte(b0, word_is_B);
    for (unsigned i = 0; i < l.len; i++)
        l.t[i].c = cairn_fp_mul(l.t[i].c, cairn_fp_from_u64(512));
    add(&l, s, -65536);
    return l;
}

static void group(zk_air *air, unsigned a, int b, int kind)
{
    zk_group *g = &air->groups[air->ngroups++];
    g->nfrac = b < 0 ? 1 : 2;
    g->frac[0] = a;
    g->frac[1] = b < 0 ? 0 : (unsigned)b;
    g->kind = kind;
}

/*
 * The rows and fractions, in the order of docs/arithmetization.md.  Every
 * constraint holds on every row, padding included; the padding rows are
 * forced to the padding instruction by the bytecode lookup (its tuple
 * carries the public bit [x >= T]).
 */
void zk_air_build(zk_air *air, uint32_t entry, uint32_t exit_code, uint32_t mem_base)
{
    memset(air, 0, sizeof *air);
    const int64_t W32 = INT64_C(1) << 32;
    zk_lin l;

    /* booleans */
    l = L1(ZK_SA), add(&l, ZK_Z_ONE, -1), r1cs(air, "sa_bool", L1(ZK_SA), l, L0());
    l = L1(ZK_SB), add(&l, ZK_Z_ONE, -1), r1cs(air, "sb_bool", L1(ZK_SB), l, L0());
    l = L1(ZK_K), add(&l, ZK_Z_ONE, -1), r1cs(air, "k_bool", L1(ZK_K), l, L0());
    l = L1(ZK_LSB), add(&l, ZK_Z_ONE, -1), r1cs(air, "lsb_bool", L1(ZK_LSB), l, L0());

    /* the arithmetic word x */
    l = L1(ZK_X), add(&l, ZK_V1, -1), add_B(&l, -1), add(&l, ZK_K, W32);
    r1cs(air, "add", L1(ZK_F_ADD), l, L0());
    l = L1(ZK_X), add(&l, ZK_V1, -1), add_B(&l, 1), add(&l, ZK_K, -W32);
    r1cs(air, "sub", L1(ZK_F_SUB), l, L0());
    l = L1(ZK_X), add(&l, ZK_V1, -1), add_B(&l, 1), add(&l, ZK_SA, W32), add(&l, ZK_SB, -W32),
    add(&l, ZK_K, -W32);
    r1cs(air, "slt", L1(ZK_F_SLT), l, L0());

    /* shifts: v1 * P = x + 2^32 hi; r = sel ? x : hi; t = sa * fill */
    zk_lin fsh = L1(ZK_F_SLL);
    add(&fsh, ZK_F_SRL, 1), add(&fsh, ZK_F_SRA, 1);
    l = L1(ZK_X), add(&l, ZK_HI, W32), add(&l, ZK_PROD, -1);
    r1cs(air, "shift_split", fsh, l, L0());
    r1cs(air, "shift_mul", L1(ZK_V1), L1(ZK_P), L1(ZK_PROD));
    l = L1(ZK_X), add(&l, ZK_HI, -1);
    zk_lin c = L1(ZK_R);
    add(&c, ZK_HI, -1);
    r1cs(air, "shift_sel", L1(ZK_SEL), l, c);
    r1cs(air, "sra_fill", L1(ZK_SA), L1(ZK_FILL), L1(ZK_T));

    /* z = [v1 == B] */
    zk_lin diff = L1(ZK_V1);
    add_B(&diff, -1);
    c = Lc(1), add(&c, ZK_Z, -1);
    r1cs(air, "eq_inv", diff, L1(ZK_INV), c);
    r1cs(air, "eq_zero", diff, L1(ZK_Z), L0());

    /* the result */
    l = L1(ZK_RES), add(&l, ZK_X, -1), r1cs(air, "res_x", L1(ZK_F_RX), l, L0());
    l = L1(ZK_RES), add(&l, ZK_K, -1), r1cs(air, "res_k", L1(ZK_F_RK), l, L0());
    l = L1(ZK_RES), add_W(&l, -1), r1cs(air, "res_and", L1(ZK_F_AND), l, L0());
    l = L1(ZK_RES), add(&l, ZK_V1, -1), add_B(&l, -1), add_W(&l, 1);
    r1cs(air, "res_or", L1(ZK_F_OR), l, L0());
    l = L1(ZK_RES), add(&l, ZK_V1, -1), add_B(&l, -1), add_W(&l, 2);
    r1cs(air, "res_xor", L1(ZK_F_XOR), l, L0());
    l = L1(ZK_RES), add(&l, ZK_R, -1), add(&l, ZK_T, -1);
    r1cs(air, "res_shift", fsh, l, L0());
    l = L1(ZK_RES), add(&l, ZK_PC, -1), add(&l, ZK_Z_ONE, -4);
    r1cs(air, "res_link", L1(ZK_F_LINK), l, L0());
    r1cs(air, "write", L1(ZK_WR), L1(ZK_RES), L1(ZK_VD));

    /* control flow */
    r1cs(air, "branch_eq", L1(ZK_D1), L1(ZK_Z), L1(ZK_J1));
    r1cs(air, "branch_cmp", L1(ZK_D2), L1(ZK_K), L1(ZK_J2));
    zk_lin a = Lc(1);
    add(&a, ZK_F_JALR, -1);
    l = L1(ZK_Z_PCNEXT), add(&l, ZK_PC, -1), add(&l, ZK_Z_ONE, -4), add(&l, ZK_DU, -1),
    add(&l, ZK_J1, -1), add(&l, ZK_J2, -1), add(&l, ZK_J3, -1), add(&l, ZK_JIO, -1);
    r1cs(air, "next_pc", a, l, L0());
    l = L1(ZK_Z_PCNEXT), add(&l, ZK_X, -1), add(&l, ZK_LSB, 1);
    r1cs(air, "jalr_target", L1(ZK_F_JALR), l, L0());

    /*
     * System calls (docs/arithmetization.md, "I/O").  An ECALL row is one
     * of exit, write(1), write(2), read(0): the booleans wo, we, rdk and
     * ex = f_ecall - wo - we - rdk (a linear form), each forcing a7 and the
     * fd in a0.  Exit is the last row; the others jump to their setup row
     * at pc + j ZK_VPC (jio), which reads a1 (buf) and a2 (len), writes
     * a0 := cnt, and is followed by cnt byte rows at pc + (j + 3) ZK_VPC,
     * chained by cnt (bytes left) and ptr (next address) through the shift
     * sum-check; nz = [cnt - (byte row) != 0] selects between the next
     * byte row (d3) and the instruction after the ECALL (du).
     */
    zk_lin ex = L1(ZK_F_ECALL);
    add(&ex, ZK_WO, -1), add(&ex, ZK_WE, -1), add(&ex, ZK_RDK, -1);
    static const unsigned kb[3] = {ZK_WO, ZK_WE, ZK_RDK};
    static const char *const kbn[3] = {"wo_bool", "we_bool", "rdk_bool"};
    for (unsigned i = 0; i < 3; i++)
        l = L1(kb[i]), add(&l, ZK_Z_ONE, -1), r1cs(air, kbn[i], L1(kb[i]), l, L0());
    l = ex, add(&l, ZK_Z_ONE, -1), r1cs(air, "ex_bool", ex, l, L0());
    l = ex, add(&l, ZK_Z_LAST, -1), r1cs(air, "exit_is_last", Lc(1), l, L0());
    l = L1(ZK_V1), add(&l, ZK_Z_ONE, -93), r1cs(air, "exit_a7", ex, l, L0());
    l = L1(ZK_V2), add(&l, ZK_Z_ONE, -(int64_t)exit_code), r1cs(air, "exit_code", ex, l, L0());
    l = L1(ZK_V1), add(&l, ZK_Z_ONE, -64), r1cs(air, "wo_a7", L1(ZK_WO), l, L0());
    l = L1(ZK_V2), add(&l, ZK_Z_ONE, -1), r1cs(air, "wo_fd", L1(ZK_WO), l, L0());
    l = L1(ZK_V1), add(&l, ZK_Z_ONE, -64), r1cs(air, "we_a7", L1(ZK_WE), l, L0());
    l = L1(ZK_V2), add(&l, ZK_Z_ONE, -2), r1cs(air, "we_fd", L1(ZK_WE), l, L0());
    l = L1(ZK_V1), add(&l, ZK_Z_ONE, -63), r1cs(air, "rd_a7", L1(ZK_RDK), l, L0());
    r1cs(air, "rd_fd", L1(ZK_RDK), L1(ZK_V2), L0());
    a = L1(ZK_WO), add(&a, ZK_WE, 1), add(&a, ZK_RDK, 1);
    c = L1(ZK_JIO), add(&c, ZK_WO, -(int64_t)ZK_VPC), add(&c, ZK_WE, -2 * (int64_t)ZK_VPC),
    add(&c, ZK_RDK, -3 * (int64_t)ZK_VPC);
    r1cs(air, "jio", a, L1(ZK_PC), c);
    zk_lin fios = L1(ZK_F_SWR), fiob = L1(ZK_F_BO), idle = Lc(1);
    add(&fios, ZK_F_SRD, 1), add(&fiob, ZK_F_BE, 1), add(&fiob, ZK_F_BI, 1);
    for (unsigned i = 0; i < fios.len; i++)
        addf(&idle, fios.t[i].idx, cairn_fp_neg(fios.t[i].c));
    for (unsigned i = 0; i < fiob.len; i++)
        addf(&idle, fiob.t[i].idx, cairn_fp_neg(fiob.t[i].c));
    zk_lin cn = L1(ZK_CNT); /* cnt - [byte row] */
    for (unsigned i = 0; i < fiob.len; i++)
        addf(&cn, fiob.t[i].idx, cairn_fp_neg(fiob.t[i].c));
    r1cs(air, "more_inv", cn, L1(ZK_CINV), L1(ZK_MORE));
    l = Lc(1), add(&l, ZK_MORE, -1), r1cs(air, "more_zero", cn, l, L0());
    r1cs(air, "j3", L1(ZK_D3), L1(ZK_MORE), L1(ZK_J3));
    l = L1(ZK_Z_CNTNEXT), add(&l, ZK_CNT, -1); /* cnt_next - cnt + [byte row] */
    for (unsigned i = 0; i < fiob.len; i++)
        addf(&l, fiob.t[i].idx, fiob.t[i].c);
    r1cs(air, "cnt_chain", L1(ZK_MORE), l, L0());
    l = L1(ZK_Z_PTRNEXT), add(&l, ZK_PTR, -1);
    for (unsigned i = 0; i < fiob.len; i++)
        addf(&l, fiob.t[i].idx, cairn_fp_neg(fiob.t[i].c));
    r1cs(air, "ptr_chain", L1(ZK_MORE), l, L0());
    r1cs(air, "cnt_idle", idle, L1(ZK_CNT), L0());
    r1cs(air, "ptr_idle", idle, L1(ZK_PTR), L0());
    l = L1(ZK_PTR), add(&l, ZK_V1, -1), r1cs(air, "setup_ptr", fios, l, L0());
    l = L1(ZK_RES), add(&l, ZK_CNT, -1), r1cs(air, "setup_res", fios, l, L0());
    l = L1(ZK_CNT), add(&l, ZK_V2, -1), r1cs(air, "setup_cnt_w", L1(ZK_F_SWR), l, L0());
    l = L1(ZK_GAP), add(&l, ZK_V2, -1), add(&l, ZK_CNT, 1);
    r1cs(air, "setup_gap_r", L1(ZK_F_SRD), l, L0());
    l = Lc(1), add(&l, ZK_F_BI, -1), r1cs(air, "inb_idle", l, L1(ZK_INB), L0());
    r1cs(air, "byte_no_wrap", fiob, L1(ZK_KA), L0());
    l = Lc(1), add(&l, ZK_Z_PADS, -1);
    zk_lin d = L1(ZK_Z_OINEXT);
    add(&d, ZK_OI, -1), add(&d, ZK_F_BO, -1);
    r1cs(air, "oi_chain", l, d, L0());
    r1cs(air, "oi_first", L1(ZK_Z_FIRST), L1(ZK_OI), L0());
    /*
     * End of input, as the VM reads it (min(len, remaining)): reads are
     * full until one read, marked ends, returns fewer bytes than asked (or
     * the input ends exactly there); from then on eof = 1 and every read
     * returns 0.  So the counts are those of some input.
     */
    l = L1(ZK_EOF), add(&l, ZK_Z_ONE, -1), r1cs(air, "eof_bool", L1(ZK_EOF), l, L0());
    l = L1(ZK_ENDS), add(&l, ZK_Z_ONE, -1), r1cs(air, "ends_bool", L1(ZK_ENDS), l, L0());
    r1cs(air, "eof_first", L1(ZK_Z_FIRST), L1(ZK_EOF), L0());
    l = Lc(1), add(&l, ZK_Z_PADS, -1);
    d = L1(ZK_Z_EOFNEXT), add(&d, ZK_EOF, -1), add(&d, ZK_ENDS, -1);
    r1cs(air, "eof_chain", l, d, L0());
    l = Lc(1), add(&l, ZK_F_SRD, -1), r1cs(air, "ends_idle", l, L1(ZK_ENDS), L0());
    r1cs(air, "ends_once", L1(ZK_EOF), L1(ZK_ENDS), L0());
    l = Lc(1), add(&l, ZK_F_SRD, -1), r1cs(air, "gap_idle", l, L1(ZK_GAP), L0());
    l = Lc(1), add(&l, ZK_EOF, -1), add(&l, ZK_ENDS, -1), r1cs(air, "read_full", l, L1(ZK_GAP), L0());
    r1cs(air, "eof_count", L1(ZK_EOF), L1(ZK_CNT), L1(ZK_EC));
    r1cs(air, "eof_read_empty", L1(ZK_F_SRD), L1(ZK_EC), L0());

    l = L1(ZK_PC), add(&l, ZK_Z_ONE, -(int64_t)entry), r1cs(air, "entry", L1(ZK_Z_FIRST), l, L0());

    /* lookups into L */
    for (unsigned i = 0; i < 4; i++) {
        static const char *const names[4] = {"byte0", "byte1", "byte2", "byte3"};
        zk_frac *f = frac(air, names[i], ZK_TAB_L, 1);
        f->f[0] = L0(); /* tag 0 */
        f->f[1] = i < 3 ? L1(ZK_U0 + i) : top_byte(ZK_U0, 0);
        f->f[2] = i < 3 ? L1(ZK_C0 + i) : top_byte(ZK_C0, 1);
        f->f[3] = L1(ZK_W0 + i);
    }
    cairn_fp i16 = fp_inv2(16), i15 = fp_inv2(15);
    range16(air, "x_lo", L1(ZK_XL));
    l = L0(), addf(&l, ZK_X, i16), addf(&l, ZK_XL, cairn_fp_neg(i16));
    range16(air, "x_hi", l);
    range16(air, "hi_lo", L1(ZK_HL));
    l = L0(), addf(&l, ZK_HI, i15), addf(&l, ZK_HL, cairn_fp_neg(i15));
    range16(air, "hi_hi", l);
    range16(air, "sign_v1", sign_check(ZK_U0, 0, ZK_SA));
    range16(air, "sign_b", sign_check(ZK_C0, 1, ZK_SB));
    static const unsigned tsc[3] = {ZK_T1, ZK_T2, ZK_TD};
    for (unsigned s = 0; s < 3; s++) {
        static const char *const lo[3] = {"ts1_lo", "ts2_lo", "tsd_lo"};
        static const char *const hi[3] = {"ts1_hi", "ts2_hi", "tsd_hi"};
        range16(air, lo[s], L1(ZK_E1 + s));
        /* 2^-16 (4 id + s + 1 - t_prev - 1 - e) */
        l = L0();
        addf(&l, ZK_Z_ID, cairn_fp_mul(cairn_fp_from_u64(4), i16));
        addf(&l, ZK_Z_ONE, cairn_fp_mul(cairn_fp_from_u64(s), i16));
        addf(&l, tsc[s], cairn_fp_neg(i16));
        addf(&l, ZK_E1 + s, cairn_fp_neg(i16));
        range16(air, hi[s], l);
    }
    zk_frac *f = frac(air, "shift", ZK_TAB_L, 1);
    f->f[0] = Lc(ZK_LTAB_TAG_SHIFT);
    f->f[1] = L1(ZK_C0);
    f->f[2] = L1(ZK_F_SRL), add(&f->f[2], ZK_F_SRA, 2);
    f->f[3] = L1(ZK_P);
    f->f[4] = L1(ZK_SEL);
    f->f[5] = L1(ZK_FILL);

    /* the bytecode lookup */
    f = frac(air, "bytecode", ZK_TAB_B, 1);
    for (unsigned i = 0; i < ZK_NSTATIC; i++)
        f->f[i] = L1(i);
    f->f[ZK_NSTATIC] = L1(ZK_Z_PADS);

    /* register memory checking: read (reg, value, ts_prev), write (reg, value', 4 id + slot) */
    static const unsigned reg[3] = {ZK_RS1, ZK_RS2, ZK_RD};
    static const unsigned rval[3] = {ZK_V1, ZK_V2, ZK_VDO};
    static const unsigned wval[3] = {ZK_V1, ZK_V2, ZK_VD};
    for (unsigned s = 0; s < 3; s++) {
        static const char *const rn[3] = {"read_rs1", "read_rs2", "read_rd"};
        static const char *const wn[3] = {"write_rs1", "write_rs2", "write_rd"};
        f = frac(air, rn[s], ZK_TAB_M, -1);
        f->f[0] = L1(reg[s]), f->f[1] = L1(rval[s]), f->f[2] = L1(tsc[s]);
        f = frac(air, wn[s], ZK_TAB_M, 1);
        f->f[0] = L1(reg[s]), f->f[1] = L1(wval[s]);
        f->f[2] = L0(), add(&f->f[2], ZK_Z_ID, 4), add(&f->f[2], ZK_Z_ONE, (int64_t)s + 1);
    }

    /*
     * RAM (src/zkvm/ram.c defines the part once): its rows, its ten lookups
     * into L, and the access as a read of (word, ro, old, tm) and a write
     * of (word, ro, mnew, id + 1), both with numerator f_mem (the sum of
     * the load/store flags), so a row without an access contributes 0.
     */
    zk_ram_air ra;
    zk_ram_air_build(&ra, mem_base, zk_ram_zmap);
    for (unsigned i = 0; i < ra.nr1cs; i++)
        air->r1cs[air->nr1cs++] = ra.r1cs[i];
    unsigned look0 = air->nfrac;
    for (unsigned i = 0; i < ra.nlook; i++)
        air->frac[air->nfrac++] = ra.look[i];
    range16(air, "gap_lo", L1(ZK_GL));
    l = L0(), addf(&l, ZK_GAP, i16), addf(&l, ZK_GL, cairn_fp_neg(i16));
    range16(air, "gap_hi", l);
    unsigned ram0 = air->nfrac;
    f = frac(air, "ram_read", ZK_TAB_R, -1);
    f->f[0] = ra.wa, f->f[1] = L1(ZK_RO), f->f[2] = ra.old, f->f[3] = L1(ZK_TM);
    f->gate = ra.fmem;
    f = frac(air, "ram_write", ZK_TAB_R, 1);
    f->f[0] = ra.wa, f->f[1] = L1(ZK_RO), f->f[2] = L1(ZK_MNEW);
    f->f[3] = L1(ZK_Z_ID), add(&f->f[3], ZK_Z_ONE, 1);
    f->gate = ra.fmem;
    /* the public output: byte oi of fd 1 is yb, looked up in the statement's output table */
    unsigned out0 = air->nfrac;
    f = frac(air, "output", ZK_TAB_O, 1);
    f->f[0] = L1(ZK_OI), f->f[1] = L1(ZK_YB);
    f->gate = L1(ZK_F_BO);

    /*
     * pairing: fractions 0..17 are lookups (byte0..3, x, hi, signs, ts,
     * shift, bytecode), 18..23 register accesses, then the RAM lookups and
     * the RAM access pair
     */
    for (unsigned g = 0; g < 9; g++)
        group(air, 2 * g, (int)(2 * g + 1), ZK_G_LOOKUP);
    for (unsigned g = 0; g < 3; g++)
        group(air, 18 + 2 * g, (int)(18 + 2 * g + 1), ZK_G_REG);
    for (unsigned i = look0; i < ram0; i += 2)
        group(air, i, i + 1 < ram0 ? (int)(i + 1) : -1, ZK_G_LOOKUP);
    group(air, ram0, (int)ram0 + 1, ZK_G_RAM);
    group(air, out0, -1, ZK_G_OUT);
}

/* ---- the RAM part of the row (docs/arithmetization.md, "RAM") ------------------------------ */

const char *const zk_ram_col_names[ZR_N] = {
    "v1",   "v2",   "off",  "res",  "c0", "c1", "ptr", "f_lb", "f_lbu", "f_lh", "f_lhu",
    "f_lw", "f_sb", "f_sh", "f_sw", "ea", "ka", "eal",  "o1",    "o2",   "m0",
    "m1",   "m2",   "m3",   "ro",   "y0", "y1", "yb",   "tb",    "s",    "pw",
    "db",   "dh",   "mnew", "tm",   "em", "id", "one"};

const uint16_t zk_ram_zmap[ZR_N] = {
    ZK_V1, ZK_V2, ZK_OFF, ZK_RES, ZK_C0, ZK_C1, ZK_PTR,
    ZK_F_LB, ZK_F_LBU, ZK_F_LH, ZK_F_LHU, ZK_F_LW, ZK_F_SB, ZK_F_SH, ZK_F_SW,
    ZK_EA, ZK_KA, ZK_EAL, ZK_O1, ZK_O2, ZK_M0, ZK_M1, ZK_M2, ZK_M3, ZK_RO,
    ZK_Y0, ZK_Y1, ZK_YB, ZK_TB, ZK_S, ZK_PW, ZK_DB, ZK_DH, ZK_MNEW, ZK_TM, ZK_EM,
    ZK_Z_ID, ZK_Z_ONE};

static void remap(zk_lin *l, const uint16_t *map)
{
    for (unsigned i = 0; i < l->len; i++)
        l->t[i].idx = map[l->t[i].idx];
}

/* 1 + (2^w - 1) v: 2^(w v) for a bit v. */
static zk_lin pow_bit(unsigned bit, int64_t w)
{
    zk_lin l = L0();
    add(&l, ZR_ONE, 1);
    add(&l, bit, w - 1);
    return l;
}

/* Sum of flags. */
static zk_lin flags_sum(unsigned a, unsigned b, unsigned c)
{
    zk_lin l = L1(a);
    add(&l, b, 1);
    if (c != 0)
        add(&l, c, 1);
    return l;
}

static void add_old(zk_lin *l, int64_t c)
{
    for (unsigned i = 0; i < 4; i++)
        add(l, ZR_M0 + i, c * (INT64_C(1) << (8 * i)));
}

static void rrow(zk_ram_air *ra_, const char *name, zk_lin a, zk_lin b, zk_lin c)
{
    zk_r1cs *r = &ra_->r1cs[ra_->nr1cs++];
    r->a = a, r->b = b, r->c = c, r->name = name;
}

static void rlook(zk_ram_air *ra_, const char *name, unsigned tag, zk_lin v)
{
    zk_frac *f = &ra_->look[ra_->nlook++];
    memset(f, 0, sizeof *f);
    f->table = ZK_TAB_L, f->sign = 1, f->nfields = ZK_L_FIELDS, f->name = name;
    f->f[0] = L0();
    if (tag != 0)
        add(&f->f[0], ZR_ONE, tag);
    f->f[1] = v;
}

/*
 * The RAM constraints of one row, as docs/ram-io-design.md §3 lists them.
 * The word address is the linear form 2^-2 (ea - o1 - 2 o2) - mem_base/4.
 */
void zk_ram_air_build(zk_ram_air *a, uint32_t mem_base, const uint16_t *map)
{
    memset(a, 0, sizeof *a);
    const int64_t W32 = INT64_C(1) << 32;
    zk_lin fmem = flags_sum(ZR_F_LB, ZR_F_LBU, ZR_F_LH);
    add(&fmem, ZR_F_LHU, 1), add(&fmem, ZR_F_LW, 1), add(&fmem, ZR_F_SB, 1), add(&fmem, ZR_F_SH, 1);
    add(&fmem, ZR_F_SW, 1);
    zk_lin fst = flags_sum(ZR_F_SB, ZR_F_SH, ZR_F_SW);
    zk_lin fb = flags_sum(ZR_F_LB, ZR_F_LBU, ZR_F_SB), fh = flags_sum(ZR_F_LH, ZR_F_LHU, ZR_F_SH);
    zk_lin fw = flags_sum(ZR_F_LW, ZR_F_SW, 0);
    zk_lin l, c;
    a->fmem = fmem;

    static const unsigned bools[4] = {ZR_KA, ZR_O1, ZR_O2, ZR_S};
    static const char *const bnames[4] = {"ka_bool", "o1_bool", "o2_bool", "s_bool"};
    for (unsigned i = 0; i < 4; i++)
        l = L1(bools[i]), add(&l, ZR_ONE, -1), rrow(a, bnames[i], L1(bools[i]), l, L0());

    l = L1(ZR_EA), add(&l, ZR_V1, -1), add(&l, ZR_OFF, -1), add(&l, ZR_PTR, -1), add(&l, ZR_KA, W32);
    rrow(a, "ea_add", fmem, l, L0());
    rrow(a, "align_w1", fw, L1(ZR_O1), L0());
    rrow(a, "align_w2", fw, L1(ZR_O2), L0());
    rrow(a, "align_h", fh, L1(ZR_O1), L0());

    l = L1(ZR_M2), add(&l, ZR_M0, -1), c = L1(ZR_Y0), add(&c, ZR_M0, -1);
    rrow(a, "sel_y0", L1(ZR_O2), l, c);
    l = L1(ZR_M3), add(&l, ZR_M1, -1), c = L1(ZR_Y1), add(&c, ZR_M1, -1);
    rrow(a, "sel_y1", L1(ZR_O2), l, c);
    l = L1(ZR_Y1), add(&l, ZR_Y0, -1), c = L1(ZR_YB), add(&c, ZR_Y0, -1);
    rrow(a, "sel_yb", L1(ZR_O1), l, c);
    l = L1(ZR_YB), add(&l, ZR_Y1, -1), c = L1(ZR_TB), add(&c, ZR_Y1, -1);
    rrow(a, "sel_tb", fb, l, c);

    l = L1(ZR_RES), add(&l, ZR_YB, -1), add(&l, ZR_S, -(W32 - 256));
    rrow(a, "ld_b", L1(ZR_F_LB), l, L0());
    l = L1(ZR_RES), add(&l, ZR_YB, -1), rrow(a, "ld_bu", L1(ZR_F_LBU), l, L0());
    l = L1(ZR_RES), add(&l, ZR_Y0, -1), add(&l, ZR_Y1, -256), add(&l, ZR_S, -(W32 - 65536));
    rrow(a, "ld_h", L1(ZR_F_LH), l, L0());
    l = L1(ZR_RES), add(&l, ZR_Y0, -1), add(&l, ZR_Y1, -256), rrow(a, "ld_hu", L1(ZR_F_LHU), l, L0());
    l = L1(ZR_RES), add_old(&l, -1), rrow(a, "ld_w", L1(ZR_F_LW), l, L0());

    rrow(a, "st_pw", pow_bit(ZR_O1, 256), pow_bit(ZR_O2, 65536), L1(ZR_PW));
    l = L1(ZR_C0), add(&l, ZR_YB, -1), rrow(a, "st_db", L1(ZR_PW), l, L1(ZR_DB));
    l = L1(ZR_C0), add(&l, ZR_C1, 256), add(&l, ZR_Y0, -1), add(&l, ZR_Y1, -256);
    rrow(a, "st_dh", pow_bit(ZR_O2, 65536), l, L1(ZR_DH));
    l = L1(ZR_MNEW), add_old(&l, -1), add(&l, ZR_DB, -1), rrow(a, "st_b", L1(ZR_F_SB), l, L0());
    l = L1(ZR_MNEW), add_old(&l, -1), add(&l, ZR_DH, -1), rrow(a, "st_h", L1(ZR_F_SH), l, L0());
    l = L1(ZR_MNEW), add(&l, ZR_V2, -1), rrow(a, "st_w", L1(ZR_F_SW), l, L0());
    zk_lin nst = L0();
    add(&nst, ZR_ONE, 1);
    for (unsigned i = 0; i < fst.len; i++)
        addf(&nst, fst.t[i].idx, cairn_fp_neg(fst.t[i].c));
    l = L1(ZR_MNEW), add_old(&l, -1), rrow(a, "ld_keep", nst, l, L0());
    rrow(a, "st_ro", fst, L1(ZR_RO), L0());

    /* lookups into L */
    cairn_fp i16 = cairn_fp_inv(cairn_fp_from_u64(65536)), i4 = cairn_fp_inv(cairn_fp_from_u64(4));
    rlook(a, "ea_lo", ZK_LTAB_TAG_R16, L1(ZR_EAL));
    l = L0(), addf(&l, ZR_EA, i16), addf(&l, ZR_EAL, cairn_fp_neg(i16));
    rlook(a, "ea_hi", ZK_LTAB_TAG_R16, l);
    l = L0(), addf(&l, ZR_EAL, i4), addf(&l, ZR_O1, cairn_fp_neg(i4));
    addf(&l, ZR_O2, cairn_fp_neg(cairn_fp_add(i4, i4)));
    rlook(a, "ea_align", ZK_LTAB_TAG_R16, l);
    static const char *const mn[4] = {"m0", "m1", "m2", "m3"};
    for (unsigned i = 0; i < 4; i++)
        rlook(a, mn[i], ZK_LTAB_TAG_BYTE, L1(ZR_M0 + i));
    l = L1(ZR_TB), add(&l, ZR_S, -128);
    for (unsigned i = 0; i < l.len; i++)
        l.t[i].c = cairn_fp_mul(l.t[i].c, cairn_fp_from_u64(512));
    rlook(a, "sign_ld", ZK_LTAB_TAG_R16, l);
    rlook(a, "tm_lo", ZK_LTAB_TAG_R16, L1(ZR_EM));
    l = L0(), addf(&l, ZR_ID, i16), addf(&l, ZR_TM, cairn_fp_neg(i16)),
    addf(&l, ZR_EM, cairn_fp_neg(i16));
    rlook(a, "tm_hi", ZK_LTAB_TAG_R16, l);

    /* the RAM tuple's fields: word address, ro, value, timestamp */
    zk_lin wa = L0();
    addf(&wa, ZR_EA, i4), addf(&wa, ZR_O1, cairn_fp_neg(i4));
    addf(&wa, ZR_O2, cairn_fp_neg(cairn_fp_add(i4, i4)));
    addf(&wa, ZR_ONE, cairn_fp_neg(cairn_fp_from_u64(mem_base / 4)));
    a->wa = wa;
    a->old = L0(), add_old(&a->old, 1);
    if (map == NULL)
        return;
    for (unsigned i = 0; i < a->nr1cs; i++)
        remap(&a->r1cs[i].a, map), remap(&a->r1cs[i].b, map), remap(&a->r1cs[i].c, map);
    for (unsigned i = 0; i < a->nlook; i++)
        for (unsigned j = 0; j < a->look[i].nfields; j++)
            remap(&a->look[i].f[j], map);
    remap(&a->fmem, map), remap(&a->wa, map), remap(&a->old, map);
}

/* ---- evaluation ------------------------------------------------------------------------------ */

cairn_fp zk_lin_eval_fp(const zk_lin *l, const cairn_fp *z)
{
    cairn_fp acc = cairn_fp_zero();
    for (unsigned i = 0; i < l->len; i++)
        acc = cairn_fp_add(acc, cairn_fp_mul(l->t[i].c, z[l->t[i].idx]));
    return acc;
}

cairn_fp2 zk_lin_eval_fp2(const zk_lin *l, const cairn_fp2 *z)
{
    cairn_fp2 acc = cairn_fp2_zero();
    for (unsigned i = 0; i < l->len; i++)
        acc = cairn_fp2_add(acc, cairn_fp2_mul_fp(z[l->t[i].idx], l->t[i].c));
    return acc;
}

cairn_fp2 zk_frac_fp(const zk_frac *f, const zk_chal *ch, const cairn_fp *z)
{
    cairn_fp2 acc = ch->beta[f->table];
    for (unsigned i = 0; i < f->nfields; i++)
        acc = cairn_fp2_add(acc, cairn_fp2_mul_fp(ch->gamma[f->table][i], zk_lin_eval_fp(&f->f[i], z)));
    return acc;
}

cairn_fp zk_frac_gate(const zk_frac *f, const cairn_fp *z)
{
    return f->gate.len == 0 ? cairn_fp_one() : zk_lin_eval_fp(&f->gate, z);
}

size_t zk_outer_npow(const zk_air *air) { return air->nr1cs + air->ngroups + ZK_NKIND; }

static cairn_fp2 frac_fp2(const zk_frac *f, const zk_chal *ch, const cairn_fp2 *z)
{
    cairn_fp2 acc = ch->beta[f->table];
    for (unsigned i = 0; i < f->nfields; i++)
        acc = cairn_fp2_add(acc, cairn_fp2_mul(ch->gamma[f->table][i], zk_lin_eval_fp2(&f->f[i], z)));
    return acc;
}

/*
 * One evaluation of the outer polynomial (zkvm_internal.h).  The same
 * function serves the prover's rounds (at X = 0, 2, 3, 4 of every pair) and
 * the verifier's final check, so the two cannot disagree on its definition.
 */
cairn_fp2 zk_outer_eval(const zk_air *air, const zk_chal *ch, const cairn_fp2 *rho_pow,
                        const cairn_fp2 *z, const cairn_fp2 *h, cairn_fp2 eq)
{
    cairn_fp2 acc = cairn_fp2_zero();
    size_t p = 0;
    for (unsigned k = 0; k < air->nr1cs; k++, p++) {
        const zk_r1cs *r = &air->r1cs[k];
        cairn_fp2 v = cairn_fp2_sub(cairn_fp2_mul(zk_lin_eval_fp2(&r->a, z), zk_lin_eval_fp2(&r->b, z)),
                                    zk_lin_eval_fp2(&r->c, z));
        acc = cairn_fp2_add(acc, cairn_fp2_mul(rho_pow[p], v));
    }
    cairn_fp2 sum[ZK_NKIND];
    for (unsigned kd = 0; kd < ZK_NKIND; kd++)
        sum[kd] = cairn_fp2_zero();
    const cairn_fp2 X = cairn_fp2_make(cairn_fp_zero(), cairn_fp_one());
    for (unsigned g = 0; g < air->ngroups; g++, p++) {
        const zk_group *gr = &air->groups[g];
        cairn_fp2 hv = cairn_fp2_add(h[2 * g], cairn_fp2_mul(X, h[2 * g + 1]));
        cairn_fp2 d[2], m[2];
        for (unsigned i = 0; i < gr->nfrac; i++) {
            const zk_frac *f = &air->frac[gr->frac[i]];
            d[i] = cairn_fp2_sub(ch->alpha, frac_fp2(f, ch, z));
            m[i] = f->gate.len == 0 ? cairn_fp2_one() : zk_lin_eval_fp2(&f->gate, z);
            if (f->sign < 0)
                m[i] = cairn_fp2_neg(m[i]);
        }
        cairn_fp2 v;
        if (gr->nfrac == 1)
            v = cairn_fp2_sub(cairn_fp2_mul(hv, d[0]), m[0]);
        else
            v = cairn_fp2_sub(cairn_fp2_mul(hv, cairn_fp2_mul(d[0], d[1])),
                              cairn_fp2_add(cairn_fp2_mul(m[0], d[1]), cairn_fp2_mul(m[1], d[0])));
        acc = cairn_fp2_add(acc, cairn_fp2_mul(rho_pow[p], v));
        sum[gr->kind] = cairn_fp2_add(sum[gr->kind], hv);
    }
    acc = cairn_fp2_mul(acc, eq);
    for (unsigned kd = 0; kd < ZK_NKIND; kd++)
        acc = cairn_fp2_add(acc, cairn_fp2_mul(rho_pow[p + kd], sum[kd]));
    return acc;
}

/* ---- public polynomials ------------------------------------------------------------------------ */

/*
 * MLE of [x >= T]: scan from the most significant bit keeping E = the eq
 * weight of "x agrees with T so far"; where T has a 0, every x with a 1
 * there (and agreeing above) is larger, whatever its lower bits: add E r_i.
 */
cairn_fp2 zk_ge_eval(const cairn_fp2 *r, size_t n, uint64_t T)
{
    if (n < 64 && T >= (UINT64_C(1) << n))
        return cairn_fp2_zero();
    cairn_fp2 acc = cairn_fp2_zero(), E = cairn_fp2_one();
    for (size_t k = n; k-- > 0;) {
        if ((T >> k) & 1) {
            E = cairn_fp2_mul(E, r[k]);
        } else {
            acc = cairn_fp2_add(acc, cairn_fp2_mul(E, r[k]));
            E = cairn_fp2_mul(E, cairn_fp2_sub(cairn_fp2_one(), r[k]));
        }
    }
    return cairn_fp2_add(acc, E);
}

cairn_fp2 zk_eq_const(const cairn_fp2 *r, size_t n, uint64_t v)
{
    cairn_fp2 acc = cairn_fp2_one();
    for (size_t i = 0; i < n; i++)
        acc = cairn_fp2_mul(acc, ((v >> i) & 1) ? r[i] : cairn_fp2_sub(cairn_fp2_one(), r[i]));
    return acc;
}

cairn_fp2 zk_id_eval(const cairn_fp2 *r, size_t n)
{
    cairn_fp2 acc = cairn_fp2_zero();
    for (size_t i = n; i-- > 0;)
        acc = cairn_fp2_add(cairn_fp2_double(acc), r[i]);
    return acc;
}

/*
 * y = x + 1 flips the trailing ones of x and the zero above them: for the
 * carry position k, x_i = 1, y_i = 0 below k, x_k = 0, y_k = 1, and x, y
 * agree above.  Sum over k with suffix products of eq, O(n).
 */
cairn_fp2 zk_next_eval(const cairn_fp2 *r, const cairn_fp2 *y, size_t n)
{
    cairn_fp2 suffix[CAIRN_POLY_MAX_VARS + 1];
    const cairn_fp2 one = cairn_fp2_one();
    suffix[n] = one;
    for (size_t i = n; i-- > 0;) {
        cairn_fp2 ry = cairn_fp2_mul(r[i], y[i]);
        cairn_fp2 e = cairn_fp2_sub(cairn_fp2_add(one, cairn_fp2_double(ry)), cairn_fp2_add(r[i], y[i]));
        suffix[i] = cairn_fp2_mul(suffix[i + 1], e);
    }
    cairn_fp2 acc = cairn_fp2_zero(), prefix = one;
    for (size_t k = 0; k < n; k++) {
        cairn_fp2 term = cairn_fp2_mul(prefix, cairn_fp2_mul(cairn_fp2_sub(one, r[k]), y[k]));
        acc = cairn_fp2_add(acc, cairn_fp2_mul(term, suffix[k + 1]));
        prefix = cairn_fp2_mul(prefix, cairn_fp2_mul(r[k], cairn_fp2_sub(one, y[k])));
    }
    return acc;
}

void zk_public_eval(cairn_fp2 out[ZK_NPUB], const cairn_fp2 *r, size_t n, uint64_t T)
{
    out[ZK_Z_ONE - ZK_Z_ONE] = cairn_fp2_one();
    out[ZK_Z_ID - ZK_Z_ONE] = zk_id_eval(r, n);
    out[ZK_Z_PADS - ZK_Z_ONE] = zk_ge_eval(r, n, T);
    out[ZK_Z_FIRST - ZK_Z_ONE] = zk_eq_const(r, n, 0);
    out[ZK_Z_LAST - ZK_Z_ONE] = zk_eq_const(r, n, T - 1);
}
