/*
 * lean.c — the lean row of the second proof system (docs/zkvm-v2.md):
 * the public 16-bit table U and the closed forms of its multilinear
 * extensions, the lean bytecode columns, the row's values (25 committed
 * cells, the virtual values derived from them, the next row's values and
 * the public ones), its constraints as polynomials of degree at most 3
 * over F_p2, and the reference checker that evaluates every constraint, every lookup
 * membership and the memory-checking multisets on a filled witness.
 *
 * Invariants: every constraint is one polynomial of the value vector,
 * written once (zl_constraints) and interpreted by the checker here and by
 * the prover's zero-check later, so the two cannot drift apart; every
 * memory-checking tuple field is a linear form of the values (the GKR
 * leaves of docs/zkvm-v2.md §5 must be multilinear); a U column depends on
 * the 16 bits of its index only, and its MLE is evaluated in O(2^m · m)
 * for the m bits it reads (m ≤ 8) or in a product form over all 16.
 *
 * The tests build their lying executions on the columns of the retired
 * first prover and translate them into cells (tests/zk_witness.c), so
 * every lie reaches this checker and the lean prover.
 */
#include <stdlib.h>
#include <string.h>

#include "zkvm_internal.h"

#define TWO16 (UINT64_C(1) << 16)
#define TWO32 (UINT64_C(1) << 32)

/* ---- the 16-bit table U ------------------------------------------------------------------------ */

const char *const zl_u_names[ZU_NCOL] = {
    "lo", "hi", "and", "lo7", "hi7", "pl", "pr", "fill", "z5", "iz",
    "b0", "b1", "s0", "s1", "s2", "s3", "wo", "we", "rdk", "ex"};

/* Shift amount of an index: the low five bits of its high byte (the operand's low byte). */
static uint32_t u_shamt(uint32_t j) { return (j >> 8) & 31; }

uint64_t zl_u_value(unsigned col, uint32_t j)
{
    uint32_t lo = j & 0xff, hi = (j >> 8) & 0xff, s = u_shamt(j);
    switch (col) {
    case ZU_LO: return lo;
    case ZU_HI: return hi;
    case ZU_AND: return lo & hi;
    case ZU_LO7: return lo >> 7;
    case ZU_HI7: return hi >> 7;
    case ZU_PL: return UINT64_C(1) << s;
    case ZU_PR: return s == 0 ? 1 : UINT64_C(1) << (32 - s);
    case ZU_FILL: return s == 0 ? 0 : TWO32 - (UINT64_C(1) << (32 - s));
    case ZU_Z5: return s == 0;
    case ZU_IZ: return j == 0;
    case ZU_B0: return j & 1;
    case ZU_B1: return (j >> 1) & 1;
    case ZU_S0: case ZU_S1: case ZU_S2: case ZU_S3: return (j & 3) == col - ZU_S0;
    case ZU_WO: return j == 64 + 256;
    case ZU_WE: return j == 64 + 512;
    case ZU_RDK: return j == 63;
    case ZU_EX: return lo == 93 || lo == 94;
    default: return 0;
    }
}

/*
 * The MLE at r of a function of m index bits (bits[0..m), m <= 8): sum
 * over the 2^m assignments of f(assignment) · prod eq(bit, r_bit).  The
 * function is read off zl_u_value on the index with just those bits set.
 */
static cairn_fp2 u_mle_bits(unsigned col, const unsigned *bits, unsigned m, const cairn_fp2 *r)
{
    cairn_fp2 eqt[256], acc = cairn_fp2_zero();
    eqt[0] = cairn_fp2_one();
    for (unsigned i = 0; i < m; i++) {
        cairn_fp2 ri = r[bits[i]], nri = cairn_fp2_sub(cairn_fp2_one(), ri);
        for (unsigned a = 1u << i; a-- > 0;) {
            eqt[a + (1u << i)] = cairn_fp2_mul(eqt[a], ri);
            eqt[a] = cairn_fp2_mul(eqt[a], nri);
        }
    }
    for (unsigned a = 0; a < (1u << m); a++) {
        uint32_t j = 0;
        for (unsigned i = 0; i < m; i++)
            j |= ((a >> i) & 1u) << bits[i];
        acc = cairn_fp2_add(acc, cairn_fp2_mul_fp(eqt[a], cairn_fp_from_u64(zl_u_value(col, j))));
    }
    return acc;
}

/* eq(r, c) over all 16 bits: the MLE of [j = c]. */
static cairn_fp2 u_point(const cairn_fp2 *r, uint32_t c)
{
    cairn_fp2 p = cairn_fp2_one();
    for (unsigned i = 0; i < ZU_VARS; i++)
        p = cairn_fp2_mul(p, (c >> i) & 1 ? r[i] : cairn_fp2_sub(cairn_fp2_one(), r[i]));
    return p;
}

void zl_u_mle(cairn_fp2 out[ZU_NCOL], const cairn_fp2 *r)
{
    static const unsigned sh[5] = {8, 9, 10, 11, 12}, low2[2] = {0, 1};
    static const unsigned lo8[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    cairn_fp2 lo = cairn_fp2_zero(), hi = cairn_fp2_zero(), andv = cairn_fp2_zero();
    for (unsigned i = 8; i-- > 0;) {
        lo = cairn_fp2_add(cairn_fp2_double(lo), r[i]);
        hi = cairn_fp2_add(cairn_fp2_double(hi), r[8 + i]);
        andv = cairn_fp2_add(cairn_fp2_double(andv), cairn_fp2_mul(r[i], r[8 + i]));
    }
    out[ZU_LO] = lo;
    out[ZU_HI] = hi;
    out[ZU_AND] = andv;
    out[ZU_LO7] = r[7];
    out[ZU_HI7] = r[15];
    out[ZU_PL] = u_mle_bits(ZU_PL, sh, 5, r);
    out[ZU_PR] = u_mle_bits(ZU_PR, sh, 5, r);
    out[ZU_FILL] = u_mle_bits(ZU_FILL, sh, 5, r);
    out[ZU_Z5] = u_mle_bits(ZU_Z5, sh, 5, r);
    out[ZU_IZ] = u_point(r, 0);
    out[ZU_B0] = r[0];
    out[ZU_B1] = r[1];
    for (unsigned p = 0; p < 4; p++)
        out[ZU_S0 + p] = u_mle_bits(ZU_S0 + p, low2, 2, r);
    out[ZU_WO] = u_point(r, 64 + 256);
    out[ZU_WE] = u_point(r, 64 + 512);
    out[ZU_RDK] = u_point(r, 63);
    out[ZU_EX] = u_mle_bits(ZU_EX, lo8, 8, r);
}

/* ---- the lean bytecode columns ------------------------------------------------------------------ */

const char *const zl_cell_names[ZL_NCELL] = {
    "pc_idx", "j0", "j1", "j2", "j3", "xl", "xh", "k", "hl", "hh", "vd", "delta",
    "t1l", "t1h", "t2l", "t2h", "tdl", "tdh", "mp0", "mp1", "eml", "emh", "oi", "eof", "ro"};

/* The cells looked up in U, in the order of their U outputs in the value vector. */
const uint8_t zl_u_cells[ZL_NUCELL] = {ZL_J0,  ZL_J1,  ZL_J2,  ZL_J3,  ZL_XL,  ZL_XH,
                                       ZL_HL,  ZL_HH,  ZL_T1L, ZL_T1H, ZL_T2L, ZL_T2H,
                                       ZL_TDL, ZL_TDH, ZL_MP0, ZL_MP1, ZL_EML, ZL_EMH};

void zl_bc_entry(cairn_fp out[ZLB_N], const zk_static *s, int pad)
{
    const cairn_fp *f = s->f, one = cairn_fp_one();
    for (unsigned i = 0; i < ZK_NSTATIC; i++)
        out[i] = f[i];
    out[ZLB_PAD] = cairn_fp_make(pad != 0);
    /* fall-through target of every row but JALR: pc + 4 + du */
    cairn_fp fall = cairn_fp_add(cairn_fp_add(f[ZK_PC], cairn_fp_make(4)), f[ZK_DU]);
    out[ZLB_FALL] = cairn_fp_mul(cairn_fp_sub(one, f[ZK_F_JALR]), fall);
    out[ZLB_USE_RS2] = cairn_fp_sub(one, f[ZK_F_BI]);
    static const uint16_t fam[ZLB_NFW] = {ZK_F_RX,  ZK_F_RK,  ZK_F_AND, ZK_F_OR,  ZK_F_XOR,
                                          ZK_F_SLL, ZK_F_SRL, ZK_F_SRA, ZK_F_LINK, ZK_F_LB,
                                          ZK_F_LBU, ZK_F_LH,  ZK_F_LHU, ZK_F_LW};
    for (unsigned i = 0; i < ZLB_NFW; i++)
        out[ZLB_FW + i] = cairn_fp_mul(f[fam[i]], f[ZK_WR]);
    out[ZLB_FW_SET] = cairn_fp_mul(cairn_fp_add(f[ZK_F_SWR], f[ZK_F_SRD]), f[ZK_WR]);
    unsigned m = s->m;
    unsigned du = m == ZK_M_DIVU || m == ZK_M_REMU, ds = m == ZK_M_DIV || m == ZK_M_REM;
    out[ZLB_M_LO] = cairn_fp_make(m >= ZK_M_MUL && m <= ZK_M_MULHU);
    out[ZLB_M_HI] = cairn_fp_make(m == ZK_M_MULH || m == ZK_M_MULHSU || m == ZK_M_MULHU);
    out[ZLB_M_S1] = cairn_fp_make(m == ZK_M_MULH || m == ZK_M_MULHSU);
    out[ZLB_M_S2] = cairn_fp_make(m == ZK_M_MULH);
    out[ZLB_FW_MHI] = cairn_fp_mul(out[ZLB_M_HI], f[ZK_WR]);
    out[ZLB_D_U] = cairn_fp_make(du);
    out[ZLB_D_S] = cairn_fp_make(ds);
    out[ZLB_FW_DQ] = cairn_fp_mul(cairn_fp_make(m == ZK_M_DIV || m == ZK_M_DIVU), f[ZK_WR]);
}

/* ---- the constraints ---------------------------------------------------------------------------- */

/* Value of the U output `col` of the looked-up cell number u (index into zl_u_cells). */
#define UV(v, u, col) ((v)[ZLV_U + (u) * ZU_NCOL + (col)])
enum { UJ0 = 0, UJ1, UJ2, UJ3, UXL, UXH, UHL, UHH, UT1L, UT1H, UT2L, UT2H, UTDL, UTDH,
       UMP0, UMP1, UEML, UEMH };

const char *const zl_con_names[ZL_NCON] = {
    "k_bool", "ro_bool", "eof_bool", "add", "sub", "slt", "beq_diff", "sll", "srl_sra",
    "shift_hi", "res_rx", "res_rk", "res_and", "res_or", "res_xor", "res_sll", "res_srl",
    "res_sra", "res_link", "res_lb", "res_lbu", "res_lh", "res_lhu", "res_lw", "res_set",
    "write_none", "out_byte", "align_w1", "align_w2", "align_h", "addr", "st_b", "st_h",
    "st_w", "st_ro", "next_pc", "ecall_a7", "ecall_fd", "ecall_kind", "exit_code",
    "exit_is_last", "setup_cnt_w", "setup_gap_r", "more", "cnt_chain", "ptr_chain",
    "oi_chain", "oi_first", "eof_first", "ends_bool", "ends_idle", "ends_once", "read_full",
    "read_empty", "entry", "pads", "mul_lo", "mul_hi", "res_m", "div_eq", "div_rem",
    "div_zero", "div_rsign", "div_ovf"};

/*
 * The derived values and the constraints, over F_p2 and over F_p, from
 * one text (lean_constraints.inc); the arithmetic is macros over the type.
 */
#define T16(a) SC((a), TWO16)
#define T32(a) SC((a), TWO32)
#define ZT cairn_fp2
#define ZDV zl_derived_vals
#define ZL_DERIVED zl_derived
#define ZL_CONSTRAINTS zl_constraints
#define ZZERO cairn_fp2_zero()
#define ZONE cairn_fp2_one()
#define ZDBL cairn_fp2_double
#define K(c) cairn_fp2_from_fp(cairn_fp_from_u64(c))
#define ADD cairn_fp2_add
#define SUB cairn_fp2_sub
#define MUL cairn_fp2_mul
#define SC(a, c) cairn_fp2_mul_fp((a), cairn_fp_from_u64(c))
#include "lean_constraints.inc"

#define ZT cairn_fp
#define ZDV zl_derived_fp
#define ZL_DERIVED zl_derived_base
#define ZL_CONSTRAINTS zl_constraints_fp
#define ZZERO cairn_fp_zero()
#define ZONE cairn_fp_one()
#define ZDBL(a) cairn_fp_add((a), (a))
#define K(c) cairn_fp_from_u64(c)
#define ADD cairn_fp_add
#define SUB cairn_fp_sub
#define MUL cairn_fp_mul
#define SC(a, c) cairn_fp_mul((a), cairn_fp_from_u64(c))
#include "lean_constraints.inc"

/* F_p2 for the rest of this file */
#define K(c) cairn_fp2_from_fp(cairn_fp_from_u64(c))
#define ADD cairn_fp2_add
#define SC(a, c) cairn_fp2_mul_fp((a), cairn_fp_from_u64(c))

/* The degree in the row values of each constraint (docs/zkvm-v2.md §4: at most 3). */
const uint8_t zl_con_degree[ZL_NCON] = {
    /* k_bool .. slt */ 2, 2, 2, 2, 2, 2,
    /* beq_diff, sll, srl_sra, shift_hi */ 2, 3, 3, 2,
    /* res_rx .. res_link */ 2, 2, 2, 2, 2, 2, 3, 3, 2,
    /* res_lb .. res_set */ 3, 3, 3, 3, 2, 2,
    /* write_none, out_byte, align_w1, align_w2, align_h, addr */ 2, 3, 2, 2, 2, 2,
    /* st_b, st_h, st_w, st_ro */ 3, 3, 2, 2,
    /* next_pc, ecall_a7, ecall_fd, ecall_kind, exit_code, exit_is_last */ 3, 2, 3, 2, 3, 2,
    /* setup_cnt_w, setup_gap_r, more, cnt_chain, ptr_chain */ 2, 2, 3, 2, 3,
    /* oi_chain, oi_first, eof_first, ends_bool, ends_idle, ends_once */ 2, 2, 2, 3, 3, 3,
    /* read_full, read_empty, entry, pads */ 3, 3, 2, 1,
    /* mul_lo, mul_hi, res_m, div_eq, div_rem, div_zero, div_rsign, div_ovf */
    3, 3, 2, 3, 3, 3, 3, 3};

/* ---- values of one row ------------------------------------------------------------------------- */

/* The lean bytecode entry of index idx (count = the padding entry). */
static void bc_lean(cairn_fp out[ZLB_N], const zk_bytecode *bc, uint64_t idx)
{
    if (idx >= bc->count) {
        zk_static pad;
        zk_static_pad(&pad);
        zl_bc_entry(out, &pad, 1);
    } else {
        zl_bc_entry(out, &bc->entries[idx], 0);
    }
}

void zl_row_values(cairn_fp2 *v, const cairn_fp *cells, uint64_t rows, uint64_t T,
                   const zk_bytecode *bc, uint64_t x)
{
    const cairn_fp *c = cells + x * ZL_NCELL;
    cairn_fp be[ZLB_N];
    for (unsigned i = 0; i < ZL_NCELL; i++)
        v[i] = cairn_fp2_from_fp(c[i]);
    bc_lean(be, bc, c[ZL_PCI].v);
    for (unsigned i = 0; i < ZLB_N; i++)
        v[ZLV_B + i] = cairn_fp2_from_fp(be[i]);
    for (unsigned u = 0; u < ZL_NUCELL; u++) {
        uint64_t j = c[zl_u_cells[u]].v;
        for (unsigned col = 0; col < ZU_NCOL; col++)
            UV(v, u, col) = j < TWO16 ? K(zl_u_value(col, (uint32_t)j)) : cairn_fp2_zero();
    }
    /* the next row's values (0 past the last row, as the shift sum-check defines them) */
    if (x + 1 < rows) {
        const cairn_fp *n = c + ZL_NCELL;
        bc_lean(be, bc, n[ZL_PCI].v);
        v[ZLV_PC_NEXT] = cairn_fp2_from_fp(be[ZK_PC]);
        v[ZLV_FBYTE_NEXT] =
            cairn_fp2_from_fp(cairn_fp_add(cairn_fp_add(be[ZK_F_BO], be[ZK_F_BE]), be[ZK_F_BI]));
        v[ZLV_X_NEXT] = ADD(cairn_fp2_from_fp(n[ZL_XL]), T16(cairn_fp2_from_fp(n[ZL_XH])));
        v[ZLV_HI_NEXT] = ADD(cairn_fp2_from_fp(n[ZL_HL]), T16(cairn_fp2_from_fp(n[ZL_HH])));
        v[ZLV_OI_NEXT] = cairn_fp2_from_fp(n[ZL_OI]);
        v[ZLV_EOF_NEXT] = cairn_fp2_from_fp(n[ZL_EOF]);
    } else {
        for (unsigned i = ZLV_PC_NEXT; i <= ZLV_EOF_NEXT; i++)
            v[i] = cairn_fp2_zero();
    }
    v[ZLV_ID] = K(x);
    v[ZLV_FIRST] = K(x == 0);
    v[ZLV_LAST] = K(x + 1 == T);
    v[ZLV_PADS] = K(x >= T);
}

/* ---- cells ---------------------------------------------------------------------------------- */

/* Two 16-bit limbs: the cells of a 32-bit value looked up in U. */
void zl_limbs(cairn_fp *lo, cairn_fp *hi, uint64_t v)
{
    *lo = cairn_fp_make(v & 0xffff);
    *hi = cairn_fp_make((v >> 16) & 0xffff);
}

/* ---- the checker -------------------------------------------------------------------------------- */

/* A memory-checking tuple: up to four canonical field values, and +1 (write) or -1 (read). */
typedef struct {
    uint64_t f[4];
} tuple;

static int tuple_cmp(const void *a, const void *b)
{
    const tuple *x = a, *y = b;
    for (unsigned i = 0; i < 4; i++)
        if (x->f[i] != y->f[i])
            return x->f[i] < y->f[i] ? -1 : 1;
    return 0;
}

typedef struct {
    tuple *add, *sub; /* init and writes; reads and finals */
    size_t nadd, nsub, cap;
} multiset;

static int ms_push(multiset *m, int write, uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    size_t *n = write ? &m->nadd : &m->nsub;
    tuple **arr = write ? &m->add : &m->sub;
    if (*n == m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 1024;
        tuple *na = realloc(m->add, cap * sizeof *na), *ns;
        if (na == NULL)
            return 0;
        m->add = na;
        if ((ns = realloc(m->sub, cap * sizeof *ns)) == NULL)
            return 0;
        m->sub = ns;
        m->cap = cap;
    }
    tuple t = {{a, b, c, d}};
    (*arr)[(*n)++] = t;
    return 1;
}

static void ms_clear(multiset *m)
{
    free(m->add);
    free(m->sub);
    memset(m, 0, sizeof *m);
}

/*
 * Close the multiset with a final tuple per address: the write (or initial
 * tuple) with the largest timestamp, as an honest prover's final state;
 * then compare init ∪ writes with reads ∪ finals.  Tuples are (address...,
 * value, ts) with the timestamp in field ts_field and the address in the
 * fields before value_field.  Returns 1 when equal.
 */
static int ms_balanced(multiset *m, unsigned value_field, unsigned ts_field)
{
    size_t n = m->nadd;
    if (n == 0)
        return m->nsub == 0;
    tuple *last = malloc(n * sizeof *last);
    if (last == NULL)
        return 0;
    memcpy(last, m->add, n * sizeof *last);
    /* sorted by address: each address's tuples are adjacent, and the running
       maximum of the timestamp below leaves its final tuple last */
    qsort(last, n, sizeof *last, tuple_cmp);
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++) {
        int same = i + 1 < n;
        for (unsigned f = 0; f < value_field && same; f++)
            same = last[i].f[f] == last[i + 1].f[f];
        if (same) {
            /* not the address's last write; keep the larger timestamp one */
            if (last[i + 1].f[ts_field] < last[i].f[ts_field])
                last[i + 1] = last[i];
            continue;
        }
        ok = ms_push(m, 0, last[i].f[0], last[i].f[1], last[i].f[2], last[i].f[3]);
    }
    free(last);
    if (!ok || m->nadd != m->nsub)
        return 0;
    qsort(m->add, m->nadd, sizeof *m->add, tuple_cmp);
    qsort(m->sub, m->nsub, sizeof *m->sub, tuple_cmp);
    return memcmp(m->add, m->sub, m->nadd * sizeof *m->add) == 0;
}

const char *const zl_ms_names[ZL_NMS] = {"registers", "RAM", "output"};

/*
 * The checker's one pass: with m NULL it stops at the first violation (in
 * zl_check's order: per row pc_idx, the U cells, the constraints; then the
 * register, RAM and output multisets), else it goes through every row
 * and every multiset and sets m's bits; either way err names the first.
 */
static cairn_status check(zl_masks *m, const cairn_fp *cells, size_t n, uint64_t T,
                          const zk_bytecode *bc, const zl_ctx *ctx, const uint32_t init_regs[32],
                          const zk_ram *ram, const uint8_t *output, size_t output_len,
                          cairn_error *err)
{
    uint64_t rows = UINT64_C(1) << n;
    cairn_fp2 *v = malloc(ZLV_N * sizeof *v), con[ZL_NCON];
    multiset regs, mem, out;
    cairn_status st = CAIRN_OK;
    memset(&regs, 0, sizeof regs);
    memset(&mem, 0, sizeof mem);
    memset(&out, 0, sizeof out);
    if (m != NULL)
        memset(m, 0, sizeof *m);
    if (v == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    if (n == 0 || n > 40 || T == 0 || T >= rows) {
        free(v);
        return cairn_error_set(err, CAIRN_ERR_REJECTED, "%llu trace rows in 2^%zu rows: no padding row",
                               (unsigned long long)T, n);
    }
/* a violation: the first one names err; without masks the check ends there */
#define VIOLATED(...)                                                                              \
    do {                                                                                           \
        if (st == CAIRN_OK)                                                                        \
            st = cairn_error_set(err, CAIRN_ERR_REJECTED, __VA_ARGS__);                            \
        if (m == NULL)                                                                             \
            goto out;                                                                              \
    } while (0)
    for (unsigned r = 0; r < 32; r++)
        if (!ms_push(&regs, 1, r, r == 0 ? 0 : init_regs[r], 0, 0))
            goto nomem;
    uint64_t K = UINT64_C(1) << ram->k;
    for (uint64_t j = 0; j < K; j++)
        if (!ms_push(&mem, 1, j, j >= ram->text_lo && j < ram->text_hi, ram->init[j], 0))
            goto nomem;
    for (size_t i = 0; i < output_len; i++)
        if (!ms_push(&out, 1, i, output[i], 0, 0))
            goto nomem;
    for (uint64_t x = 0; x < rows; x++) {
        const cairn_fp *c = cells + x * ZL_NCELL;
        if (c[ZL_PCI].v > bc->count) {
            if (m != NULL)
                m->lk |= UINT32_C(1) << ZL_LK_B;
            VIOLATED("row %llu: pc_idx %llu outside the bytecode", (unsigned long long)x,
                     (unsigned long long)c[ZL_PCI].v);
        }
        for (unsigned u = 0; u < ZL_NUCELL; u++)
            if (c[zl_u_cells[u]].v >= TWO16) {
                if (m != NULL)
                    m->lk |= UINT32_C(1) << u;
                VIOLATED("row %llu: %s = %llu is not in U", (unsigned long long)x,
                         zl_cell_names[zl_u_cells[u]], (unsigned long long)c[zl_u_cells[u]].v);
            }
        zl_row_values(v, cells, rows, T, bc, x);
        zl_constraints(con, v, ctx);
        for (unsigned i = 0; i < ZL_NCON; i++)
            if (!cairn_fp2_is_zero(con[i])) {
                if (m != NULL)
                    m->con |= UINT64_C(1) << i;
                VIOLATED("row %llu: constraint %s fails", (unsigned long long)x, zl_con_names[i]);
            }
        /*
         * memory checking: the tuples the memory GKR fingerprints (zl_tuples),
         * each pushed as a read (negative numerator) or a write where its gate is on
         */
        cairn_fp2 p[ZL_NMEM], f[ZL_NMEM][5];
        zl_tuples(p, f, v, ram->base);
        for (unsigned j = 0; j < ZL_NMEM; j++) {
            if (cairn_fp2_is_zero(p[j]))
                continue;
            multiset *ms = f[j][0].c0.v == 1 ? &regs : f[j][0].c0.v == 2 ? &mem : &out;
            int write = p[j].c0.v == 1; /* +1 a write (or the output row), -1 = p - 1 a read */
            if (!ms_push(ms, ms == &out ? 0 : write, f[j][1].c0.v, f[j][2].c0.v, f[j][3].c0.v,
                         f[j][4].c0.v))
                goto nomem;
        }
    }
    if (!ms_balanced(&regs, 1, 2)) {
        if (m != NULL)
            m->mem |= 1u << ZL_MS_REGS;
        VIOLATED("register memory checking fails");
    }
    if (!ms_balanced(&mem, 2, 3)) {
        if (m != NULL)
            m->mem |= 1u << ZL_MS_RAM;
        VIOLATED("RAM memory checking fails");
    }
    /* the output table: no final tuples (each entry is used exactly once) */
    int out_ok = out.nadd == out.nsub;
    if (out_ok && out.nadd > 0) {
        qsort(out.add, out.nadd, sizeof *out.add, tuple_cmp);
        qsort(out.sub, out.nsub, sizeof *out.sub, tuple_cmp);
        out_ok = memcmp(out.add, out.sub, out.nadd * sizeof *out.add) == 0;
    }
    if (!out_ok) {
        if (m != NULL)
            m->mem |= 1u << ZL_MS_OUT;
        VIOLATED("the output bytes differ from the rows'");
    }
#undef VIOLATED
    goto out;
nomem:
    st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
out:
    ms_clear(&regs);
    ms_clear(&mem);
    ms_clear(&out);
    free(v);
    return st;
}

cairn_status zl_check(const cairn_fp *cells, size_t n, uint64_t T, const zk_bytecode *bc,
                      const zl_ctx *ctx, const uint32_t init_regs[32], const zk_ram *ram,
                      const uint8_t *output, size_t output_len, cairn_error *err)
{
    return check(NULL, cells, n, T, bc, ctx, init_regs, ram, output, output_len, err);
}

cairn_status zl_check_masks(zl_masks *m, const cairn_fp *cells, size_t n, uint64_t T,
                            const zk_bytecode *bc, const zl_ctx *ctx,
                            const uint32_t init_regs[32], const zk_ram *ram,
                            const uint8_t *output, size_t output_len, cairn_error *err)
{
    cairn_status st = check(m, cells, n, T, bc, ctx, init_regs, ram, output, output_len, err);
    if (st == CAIRN_ERR_NOMEM)
        memset(m, 0, sizeof *m);
    return st;
}
