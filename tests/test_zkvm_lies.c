/*
 * test_zkvm_lies.c — lying executions of RAM and of the read/write system
 * calls, end to end: a small hand-written guest, a lie told consistently
 * across whole rows of its witness, and a verdict from the lean checker
 * and from the lean verifier (proof format 5) on the lean prover's proof
 * of the lying cells, which must be CAIRN_ERR_REJECTED.
 *
 * How a lie is told.  Register-level consequences go into the trace rows
 * (the loaded value a later instruction reads, the exit code), so the lie
 * builder (tests/zk_witness.c: the retired first prover's columns) fills
 * every register-side column consistently; the RAM and I/O columns of the
 * lying rows are then rewritten after the witness is built (ea .. em, the
 * load's result, the operand bytes, ptr, oi, the flags) the way the fill
 * would have computed them for the claimed access; the shifted columns and
 * the final registers and memory are recomputed, and the columns are
 * translated into the lean row's cells (zl_fill).  The lean checker
 * (zl_check_masks) must then see exactly the items named in the test —
 * usually one memory-checking multiset, one constraint, a U lookup or the
 * bytecode lookup — so each test shows which argument stands between the
 * lie and acceptance, and that the rewrite is otherwise consistent; and
 * the cells proven by the lean prover must be rejected by the lean
 * verifier.  Every test also proves the untampered program (or, where its
 * honest run faults, a twin that differs in one instruction) through
 * cairn_zkvm_prove and expects CAIRN_OK with its exit code and output, and
 * checks that its lie changed cells.
 *
 * The lies: a stale load (the word before the latest store), a load of a
 * wrong value, LBU answered as LB on a byte >= 0x80, a store to another
 * word (with the register read honest, and with it lying), a byte store
 * clobbering its neighbour, a load one word past the region, a store into
 * the text (ro = 1, and ro = 0 on both accesses), fd-1 output bytes that
 * differ from memory (with the statement's output the lie) and from the
 * statement's output, a changed output byte in an honest proof file, input
 * stored outside the requested buffer (the byte rows' ptr moved, and the
 * buffer register read lying), a read returning len + 1 bytes, a write
 * returning a wrong a0, and fd-2 bytes counted as output (the fd read
 * lying, oi moved, the byte row relabelled).  docs/arithmetization.md
 * (RAM, I/O) and docs/ram-io-design.md describe the rows and arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/witness.h"
#include "cairn/zkvm.h"
#include "harness.h"
#include "zk_util.h"

enum { X0 = 0, SP = 2, T0 = 5, T1 = 6, T2 = 7, A0 = 10, A1 = 11, A2 = 12, A7 = 17 };

/* funct3 of the loads and stores */
enum { F3_B = 0, F3_H = 1, F3_W = 2, F3_BU = 4, F3_HU = 5 };

#define MASK32 UINT64_C(0xffffffff)

static cairn_fp F(uint64_t v)
{
    return cairn_fp_from_u64(v);
}

/* ---- guests ---------------------------------------------------------------------------------- */

/* A guest: its ELF, the memory size the verifier pins, its input, and the trace a lie patches. */
struct guest {
    uint8_t *elf;
    size_t elf_len;
    uint32_t k;  /* mem_log2_words of the default layout */
    uint32_t sp; /* the initial sp: the top of the RAM region */
    const uint8_t *input;
    size_t input_len;
    cairn_fp *rows; /* cycles trace rows, CAIRN_WIT_WIDTH wide */
    uint64_t cycles;
};

static void guest_clear(struct guest *g)
{
    free(g->elf);
    free(g->rows);
    memset(g, 0, sizeof *g);
}

/* The ELF of p and its layout; no trace yet.  Returns 1 on success. */
static int guest_load(struct guest *g, const struct rvprog *p, const uint8_t *input,
                      size_t input_len)
{
    cairn_program prog;
    cairn_error err;
    uint32_t regs[32];
    memset(g, 0, sizeof *g);
    g->elf = rvp_elf(p, &g->elf_len);
    g->input = input;
    g->input_len = input_len;
    cairn_program_init(&prog);
    int ok = cairn_elf_load(&prog, g->elf, g->elf_len, &err) == CAIRN_OK &&
             cairn_vm_mem_log2_words(&g->k, &prog, NULL, &err) == CAIRN_OK;
    if (ok) {
        zk_init_regs(regs, &prog, g->k);
        g->sp = regs[SP];
    }
    cairn_program_clear(&prog);
    return ok ? 1 : FAIL("guest: %s", err.msg);
}


/* The VM's own trace of the guest (an honest run that exits). */
static int guest_trace_vm(struct guest *g)
{
    cairn_program prog;
    cairn_error err;
    cairn_witness_oracle *o = NULL;
    int ok = 0;
    cairn_program_init(&prog);
    if (cairn_elf_load(&prog, g->elf, g->elf_len, &err) != CAIRN_OK ||
        cairn_witness_oracle_new_table(&o, &prog, NULL, g->input, g->input_len, 1u << 16, 0,
                                       &err) != CAIRN_OK) {
        FAIL("trace: %s", err.msg);
        goto out;
    }
    g->cycles = cairn_witness_oracle_cycles(o);
    g->rows = malloc((size_t)g->cycles * CAIRN_WIT_WIDTH * sizeof *g->rows);
    if (g->rows == NULL) {
        FAIL("out of memory");
        goto out;
    }
    struct zk_collect c = {g->rows, g->cycles};
    if (cairn_rows_stream(cairn_witness_oracle_rows(o), 0, g->cycles, zk_collect_rows, &c, &err) !=
        CAIRN_OK) {
        FAIL("rows: %s", err.msg);
        goto out;
    }
    ok = 1;
out:
    cairn_witness_oracle_free(o);
    cairn_program_clear(&prog);
    return ok;
}

/* One hand-written trace row: what the witness builder reads besides the decoded instruction. */
struct hand_row {
    uint32_t pc, insn, v1, v2, vd;
};

/* The OP column of the instructions hand-written traces use (the builder decodes INSN). */
static cairn_wit_op hand_op(uint32_t insn)
{
    switch (insn & 0x7f) {
    case 0x03:
        return CAIRN_WIT_OP_LW;
    case 0x23:
        return CAIRN_WIT_OP_SW;
    case 0x37:
        return CAIRN_WIT_OP_LUI;
    case 0x73:
        return CAIRN_WIT_OP_ECALL;
    default:
        return CAIRN_WIT_OP_ADDI;
    }
}

/* A hand-written trace (for programs whose honest run faults: there is no VM trace to patch). */
static int guest_trace_hand(struct guest *g, const struct hand_row *r, size_t count)
{
    g->cycles = count;
    g->rows = calloc(count * CAIRN_WIT_WIDTH, sizeof *g->rows);
    if (g->rows == NULL)
        return FAIL("out of memory");
    for (size_t i = 0; i < count; i++) {
        cairn_fp *w = g->rows + i * CAIRN_WIT_WIDTH;
        w[CAIRN_WIT_COL_CYCLE] = F(i);
        w[CAIRN_WIT_COL_PC] = F(r[i].pc);
        w[CAIRN_WIT_COL_INSN] = F(r[i].insn);
        w[CAIRN_WIT_COL_OP] = F(hand_op(r[i].insn));
        w[CAIRN_WIT_COL_RS1_VAL] = F(r[i].v1);
        w[CAIRN_WIT_COL_RS2_VAL] = F(r[i].v2);
        w[CAIRN_WIT_COL_RD_VAL] = F(r[i].vd);
    }
    return 1;
}

static cairn_fp *trace_cell(struct guest *g, uint64_t cycle, unsigned col)
{
    return &g->rows[cycle * CAIRN_WIT_WIDTH + col];
}

/* The first cycle that runs the instruction at pc (the guests here are straight-line). */
static uint64_t trace_cycle(const struct guest *g, uint32_t pc)
{
    for (uint64_t t = 0; t < g->cycles; t++)
        if (g->rows[t * CAIRN_WIT_WIDTH + CAIRN_WIT_COL_PC].v == pc)
            return t;
    FAIL("pc 0x%08x is never run", (unsigned)pc);
    return 0;
}

/* Set a trace cell; 1 when that changed it. */
static unsigned trace_set(struct guest *g, uint64_t cycle, unsigned col, uint32_t v)
{
    cairn_fp *c = trace_cell(g, cycle, col);
    unsigned changed = c->v != v;
    *c = F(v);
    return changed;
}

/*
 * The instruction at pc writes v into its rd instead (in the trace), and
 * every later read of that register until its next write sees v: the
 * register side of a lie, so that the witness builder fills it
 * consistently.  Returns the cells changed.
 */
static unsigned trace_set_result(struct guest *g, uint32_t pc, uint32_t v)
{
    uint64_t t0 = trace_cycle(g, pc), reg = trace_cell(g, t0, CAIRN_WIT_COL_RD)->v;
    unsigned changed = trace_set(g, t0, CAIRN_WIT_COL_RD_VAL, v);
    for (uint64_t t = t0 + 1; t < g->cycles; t++) {
        if (trace_cell(g, t, CAIRN_WIT_COL_RS1)->v == reg)
            changed += trace_set(g, t, CAIRN_WIT_COL_RS1_VAL, v);
        if (trace_cell(g, t, CAIRN_WIT_COL_RS2)->v == reg)
            changed += trace_set(g, t, CAIRN_WIT_COL_RS2_VAL, v);
        if (trace_cell(g, t, CAIRN_WIT_COL_OP)->v == CAIRN_WIT_OP_ECALL && (reg == A1 || reg == A2))
            changed += trace_set(g, t, reg == A1 ? CAIRN_WIT_COL_SYS_A1 : CAIRN_WIT_COL_SYS_A2, v);
        if (trace_cell(g, t, CAIRN_WIT_COL_RD)->v == reg)
            break;
    }
    return changed;
}

/* ---- program pieces -------------------------------------------------------------------------- */

static uint32_t emit(struct rvprog *p, uint32_t w)
{
    return rvp_addr(rvp_emit(p, w));
}

static uint32_t emit_load(struct rvprog *p, uint32_t f3, uint32_t rd, uint32_t rs1, int32_t off)
{
    return emit(p, rv_i(off, rs1, f3, rd, 0x03));
}

static uint32_t emit_store(struct rvprog *p, uint32_t f3, uint32_t rs2, uint32_t rs1, int32_t off)
{
    return emit(p, rv_s(off, rs2, rs1, f3));
}

/* exit(a0); returns the ECALL's pc. */
static uint32_t emit_exit(struct rvprog *p)
{
    emit(p, RV_ADDI(A7, X0, 93));
    return emit(p, RV_ECALL);
}

/* a7 = nr; a0 = fd; a1 = sp + off; a2 = len; ecall.  Returns the ECALL's pc. */
static uint32_t emit_syscall(struct rvprog *p, uint32_t nr, uint32_t fd, int32_t off, uint32_t len)
{
    emit(p, RV_ADDI(A0, X0, (int32_t)fd));
    emit(p, RV_ADDI(A1, SP, off));
    emit(p, RV_ADDI(A2, X0, (int32_t)len));
    emit(p, RV_ADDI(A7, X0, (int32_t)nr));
    return emit(p, RV_ECALL);
}

/* Store the bytes of s at sp + off, one SB each (through t0). */
static void emit_bytes(struct rvprog *p, int32_t off, const char *s)
{
    for (size_t i = 0; s[i] != 0; i++) {
        emit(p, RV_ADDI(T0, X0, (int32_t)(uint8_t)s[i]));
        emit_store(p, F3_B, T0, SP, off + (int32_t)i);
    }
}

/* ---- telling a lie in the columns ------------------------------------------------------------ */

struct lie;
typedef void (*lie_fn)(struct lie *l, cairn_fp *const *c, uint64_t T);

/*
 * A lie about a few rows, told by `tell` on the columns the lie builder
 * filled.
 * pc and val are the rows and values it is about; `from` holds columns to
 * transplant (an honest witness of the same shape), when the lie needs
 * them.  changed counts the cells the last telling changed; missed is set
 * when a row it is about was not found.
 */
struct lie {
    lie_fn tell;
    uint64_t pc[3];
    uint32_t val[3];
    cairn_fp *const *from;
    uint64_t from_rows;
    uint64_t rows; /* 2^n of the columns told on */
    uint64_t changed;
    unsigned patched; /* trace cells the lie changed (register side) */
    int missed;
};

static struct lie lie_make(lie_fn tell, uint64_t pc0, uint64_t pc1, uint32_t val0, uint32_t val1)
{
    struct lie l;
    memset(&l, 0, sizeof l);
    l.tell = tell;
    l.pc[0] = pc0, l.pc[1] = pc1;
    l.val[0] = val0, l.val[1] = val1;
    return l;
}

static void put(struct lie *l, cairn_fp *const *c, unsigned col, uint64_t x, cairn_fp v)
{
    l->changed += c[col][x].v != v.v;
    c[col][x] = v;
}

/* The witness row whose pc (a real or a virtual I/O pc) is pc; the first if several. */
static uint64_t row_at(struct lie *l, cairn_fp *const *c, uint64_t T, uint64_t pc)
{
    for (uint64_t x = 0; x < T; x++)
        if (c[ZK_PC][x].v == pc)
            return x;
    l->missed = 1;
    return 0;
}

static int no_alu(cairn_fp *const *c, uint64_t x)
{
    for (unsigned f = ZK_F_ADD; f <= ZK_F_JALR; f++)
        if (c[f][x].v != 0)
            return 0;
    return c[ZK_D1][x].v == 0 && c[ZK_D2][x].v == 0;
}

/*
 * Row x reads v1 and v2 and (on a read's byte row) stores input byte inb:
 * every column the witness builder derives from the operands, as its
 * fill_row computes them for an instruction without ALU flags (loads,
 * stores, ECALL and the I/O rows): the bytes of v1 and of B = v2 + imm +
 * inb, their AND, the signs, the shift-table columns of B's low byte, the
 * product v1 * P, the equality test, and db, dh from the row's RAM
 * columns.  The RAM columns of an access follow with set_access.
 */
static void set_operands(struct lie *l, cairn_fp *const *c, uint64_t x, uint32_t v1, uint32_t v2,
                         uint32_t inb)
{
    if (!no_alu(c, x)) {
        l->missed = 1;
        return;
    }
    uint64_t B = (uint64_t)v2 + c[ZK_IMM][x].v + inb, Bu = B & MASK32;
    put(l, c, ZK_V1, x, F(v1));
    put(l, c, ZK_V2, x, F(v2));
    put(l, c, ZK_INB, x, F(inb));
    for (unsigned i = 0; i < 4; i++) {
        uint64_t u = (v1 >> (8 * i)) & 0xff, b = (Bu >> (8 * i)) & 0xff;
        if (i < 3) {
            put(l, c, ZK_U0 + i, x, F(u));
            put(l, c, ZK_C0 + i, x, F(b));
        }
        put(l, c, ZK_W0 + i, x, F(u & b));
    }
    uint64_t sa = v1 >> 31, P, sel, fill;
    put(l, c, ZK_SA, x, F(sa));
    put(l, c, ZK_SB, x, F(Bu >> 31));
    zk_shift_entry((uint32_t)(Bu & 0xff), 0, &P, &sel, &fill);
    uint64_t prod = (uint64_t)v1 * P, hi = prod >> 32;
    put(l, c, ZK_P, x, F(P));
    put(l, c, ZK_SEL, x, F(sel));
    put(l, c, ZK_FILL, x, F(fill));
    put(l, c, ZK_PROD, x, F(prod));
    put(l, c, ZK_HI, x, F(hi));
    put(l, c, ZK_HL, x, F(hi & 0xffff));
    put(l, c, ZK_R, x, cairn_fp_mul(F(hi), cairn_fp_sub(cairn_fp_one(), F(sel))));
    put(l, c, ZK_T, x, cairn_fp_mul(F(sa), F(fill)));
    cairn_fp diff = cairn_fp_sub(F(v1), F(B));
    put(l, c, ZK_Z, x, F(cairn_fp_is_zero(diff) ? 1 : 0));
    put(l, c, ZK_INV, x, cairn_fp_inv(diff));
    /* db, dh hold on every row (a row without an access has pw = 1 and zero bytes) */
    cairn_fp c0 = c[ZK_C0][x], h = cairn_fp_add(c0, cairn_fp_mul(F(256), c[ZK_C1][x]));
    cairn_fp yh = cairn_fp_add(c[ZK_Y0][x], cairn_fp_mul(F(256), c[ZK_Y1][x]));
    put(l, c, ZK_DB, x, cairn_fp_mul(c[ZK_PW][x], cairn_fp_sub(c0, c[ZK_YB][x])));
    put(l, c, ZK_DH, x, cairn_fp_mul(F(c[ZK_O2][x].v ? 65536 : 1), cairn_fp_sub(h, yh)));
}

/*
 * The RAM columns of memory row x for an access at byte address ea to a
 * word holding old, last written at time tm, with read-only bit ro: as
 * the prover's fill (zk_ram_row) computes them — the alignment, the old
 * word's bytes and the selected ones, the sign, the store's new word (from
 * the operand bytes c0, c1 or v2) or the load's result (and the register
 * written, vd), the timestamps.  ka follows v1 + off + ptr as the fill
 * has it, so an ea other than that address breaks ea_add (and only it).
 */
static void set_access(struct lie *l, cairn_fp *const *c, uint64_t x, uint32_t ea, int ro,
                       uint32_t old, uint64_t tm)
{
    int flag = -1;
    for (unsigned f = ZK_F_LB; f <= ZK_F_SW; f++)
        if (c[f][x].v != 0)
            flag = (int)f;
    if (flag < 0) {
        l->missed = 1;
        return;
    }
    uint64_t v1 = c[ZK_V1][x].v, v2 = c[ZK_V2][x].v, off = (uint32_t)c[ZK_OFF][x].v;
    uint64_t ptr = c[ZK_PTR][x].v, c0 = c[ZK_C0][x].v, c1 = c[ZK_C1][x].v;
    uint32_t b = ea & 3, o1 = b & 1, o2 = b >> 1, m[4];
    put(l, c, ZK_EA, x, F(ea));
    put(l, c, ZK_KA, x, F((v1 + off + ptr) >> 32));
    put(l, c, ZK_EAL, x, F(ea & 0xffff));
    put(l, c, ZK_O1, x, F(o1));
    put(l, c, ZK_O2, x, F(o2));
    for (unsigned i = 0; i < 4; i++) {
        m[i] = (old >> (8 * i)) & 0xff;
        put(l, c, ZK_M0 + i, x, F(m[i]));
    }
    put(l, c, ZK_RO, x, F((uint64_t)ro));
    uint32_t y0 = o2 ? m[2] : m[0], y1 = o2 ? m[3] : m[1], yb = o1 ? y1 : y0;
    uint32_t tb = (flag == ZK_F_LB || flag == ZK_F_LBU || flag == ZK_F_SB) ? yb : y1;
    put(l, c, ZK_Y0, x, F(y0));
    put(l, c, ZK_Y1, x, F(y1));
    put(l, c, ZK_YB, x, F(yb));
    put(l, c, ZK_TB, x, F(tb));
    put(l, c, ZK_S, x, F(tb >> 7));
    cairn_fp pw = F(UINT64_C(1) << (8 * b));
    put(l, c, ZK_PW, x, pw);
    put(l, c, ZK_DB, x, cairn_fp_mul(pw, cairn_fp_sub(F(c0), F(yb))));
    put(l, c, ZK_DH, x,
        cairn_fp_mul(F(o2 ? 65536 : 1),
                     cairn_fp_sub(F(c0 + 256 * c1), F(y0 + 256 * (uint64_t)y1))));
    uint32_t nw = old, half = (uint32_t)(c0 | c1 << 8), h = y0 | y1 << 8, res = old;
    switch (flag) {
    case ZK_F_SB:
        nw = (old & ~(UINT32_C(0xff) << (8 * b))) | (half & 0xff) << (8 * b);
        break;
    case ZK_F_SH:
        nw = (old & ~(UINT32_C(0xffff) << (8 * b))) | half << (8 * b);
        break;
    case ZK_F_SW:
        nw = (uint32_t)v2;
        break;
    case ZK_F_LB:
        res = (uint32_t)(int32_t)(int8_t)yb;
        break;
    case ZK_F_LBU:
        res = yb;
        break;
    case ZK_F_LH:
        res = (uint32_t)(int32_t)(int16_t)h;
        break;
    case ZK_F_LHU:
        res = h;
        break;
    default:
        break;
    }
    put(l, c, ZK_MNEW, x, F(nw));
    if (flag <= ZK_F_LW) {
        put(l, c, ZK_RES, x, F(res));
        if (c[ZK_WR][x].v != 0)
            put(l, c, ZK_VD, x, F(res));
    }
    put(l, c, ZK_TM, x, F(tm));
    put(l, c, ZK_EM, x, F((x - tm) & 0xffff));
}

/* The word the access on row x read (its bytes m0..m3). */
static uint32_t old_word(cairn_fp *const *c, uint64_t x)
{
    uint32_t w = 0;
    for (unsigned i = 0; i < 4; i++)
        w |= (uint32_t)c[ZK_M0 + i][x].v << (8 * i);
    return w;
}

/* Tell l on the built columns (cols_len of them, rows each, T trace rows); missed if misshapen. */
static void lie_tamper(void *ctx, cairn_fp *const *cols, size_t cols_len, uint64_t rows, uint64_t T)
{
    struct lie *l = ctx;
    l->rows = rows;
    l->changed = 0;
    l->missed = cols_len != ZK_NCOL || (l->from != NULL && rows != l->from_rows);
    if (!l->missed && l->tell != NULL)
        l->tell(l, cols, T);
}

/* ---- proving, verifying, checking ------------------------------------------------------------ */

/*
 * What came of one run: for the honest run, the public API's proof and
 * verdict; for a lie, the lean checker's verdict on the lying witness and
 * the lean prover's proof of its cells, verified.
 */
struct verdict {
    cairn_status prove, verify;
    cairn_zkvm_statement st;
    uint8_t out[16]; /* the statement's public output (the first bytes) */
    size_t out_len;
    char why[CAIRN_ERROR_MSG_MAX]; /* the prover's or the verifier's message */
};

/* The honest guest through cairn_zkvm_prove (format 5) and cairn_zkvm_verify_output. */
static void prove_and_verify(struct verdict *v, const struct guest *g)
{
    uint8_t *proof = NULL, *out = NULL;
    size_t plen = 0, olen = 0;
    cairn_error err;
    cairn_zkvm_options o;
    memset(v, 0, sizeof *v);
    v->verify = CAIRN_ERR_INTERNAL;
    cairn_zkvm_options_init(&o);
    o.threads = 2;
    v->prove = cairn_zkvm_prove(&proof, &plen, &v->st, NULL, g->elf, g->elf_len, g->input,
                                g->input_len, &o, &err);
    if (v->prove == CAIRN_OK)
        v->verify = cairn_zkvm_verify_output(NULL, &out, &olen, proof, plen, g->elf, g->elf_len,
                                             &err);
    if (v->verify == CAIRN_OK) {
        v->out_len = olen;
        if (olen > 0)
            memcpy(v->out, out, olen < sizeof v->out ? olen : sizeof v->out);
    }
    if (v->prove != CAIRN_OK || v->verify != CAIRN_OK)
        snprintf(v->why, sizeof v->why, "%s", err.msg);
    free(out);
    free(proof);
}

/*
 * The guest's trace with the lie told (l NULL: untold) through the lie
 * builder: *seen receives the names of every lean checker item it fails
 * (zkt_lean_items), v->verify the lean checker's verdict and v->prove the
 * lean proof's (its cells proven by zl_prove and verified by zl_verify;
 * CAIRN_ERR_INTERNAL when the prover fails), v->st and v->out the
 * statement the lie claims (exit code, output); v->why the checker's
 * message, or the proof's when the checker accepts.
 */
static void checker_sees(char *seen, size_t cap, struct verdict *v, const struct guest *g,
                         struct lie *l)
{
    struct zkt z;
    memset(v, 0, sizeof *v);
    seen[0] = 0;
    v->prove = v->verify = CAIRN_ERR_INTERNAL;
    if (zkt_build_input(&z, g->elf, g->elf_len, g->input, g->input_len, g->rows, g->cycles, 0)) {
        if (l != NULL) {
            lie_tamper(l, z.w.col, ZK_NCOL, UINT64_C(1) << z.w.n, z.w.T);
            zk_witness_pcnext(&z.w);
            zk_witness_finals(&z.w, z.init, &z.ram);
        }
        cairn_error lerr;
        memset(&lerr, 0, sizeof lerr);
        zkt_lean_check_prove(&z, &v->verify, &v->prove, &lerr);
        snprintf(v->why, sizeof v->why, "%s", lerr.msg);
        zkt_lean_items(seen, cap, &z);
        v->st.exit_code = z.w.exit_code;
        v->st.output_len = (uint32_t)z.w.output_len;
        v->out_len = z.w.output_len;
        if (v->out_len > 0)
            memcpy(v->out, z.w.output, v->out_len < sizeof v->out ? v->out_len : sizeof v->out);
    }
    zkt_clear(&z);
}

/*
 * The untampered guest: its honest run proven and verified, with the
 * expected exit code and output, and its VM trace clean in the lean
 * checker and proven by the lean prover.
 */
static void honest_accepted(const struct guest *g, uint32_t exit_code, const char *output)
{
    struct verdict v, c;
    char seen[256];
    size_t out_len = strlen(output);
    prove_and_verify(&v, g);
    if (v.prove != CAIRN_OK || v.verify != CAIRN_OK)
        FAIL("honest run: prove %s, verify %s (%s)", cairn_status_str(v.prove),
             cairn_status_str(v.verify), v.why);
    else
        test_pass();
    CHECK_EQ_U64(v.st.exit_code, exit_code);
    CHECK(v.out_len == out_len && memcmp(v.out, output, out_len) == 0);
    /* the honest trace (the VM's own run where the guest has no trace) through the lie builder */
    checker_sees(seen, sizeof seen, &c, g, NULL);
    if (seen[0] != 0 || c.verify != CAIRN_OK)
        FAIL("the lean checker rejects the honest trace (%s: %s; %s)", cairn_status_str(c.verify),
             seen, c.why);
    else
        test_pass();
    if (c.prove != CAIRN_OK)
        FAIL("the honest trace's lean proof: %s (%s)", cairn_status_str(c.prove), c.why);
    else
        test_pass();
}

/*
 * Tell the lie: the lean checker must see exactly `caught_by` (the names
 * of the failed items, zkt_lean_items), the lie must change cells, and the
 * lean verifier must reject the lean prover's proof of the lying cells.  A
 * proof of a lie that verifies is a soundness bug and is reported as such.
 */
static void lie_rejected(struct verdict *v, const char *what, const struct guest *g, struct lie *l,
                         const char *caught_by)
{
    char seen[256];
    checker_sees(seen, sizeof seen, v, g, l);
    if (strcmp(seen, caught_by) != 0)
        FAIL("%s: the lean checker sees \"%s\", expected \"%s\"", what, seen, caught_by);
    else
        test_pass();
    if (v->verify != CAIRN_ERR_REJECTED)
        FAIL("%s: the lean checker says %s, expected a rejection", what,
             cairn_status_str(v->verify));
    else
        test_pass();
    if (v->prove == CAIRN_OK)
        FAIL("SOUNDNESS BUG: %s: the lean verifier ACCEPTED the lie (exit code %u, output %u "
             "bytes)",
             what, (unsigned)v->st.exit_code, (unsigned)v->st.output_len);
    else if (v->prove != CAIRN_ERR_REJECTED)
        FAIL("%s: the lean proof says %s, expected a rejection", what, cairn_status_str(v->prove));
    else
        test_pass();
    if (l->missed)
        FAIL("%s: a row of the lie was not found", what);
    else
        test_pass();
    if (l->tell != NULL ? l->changed == 0 : l->patched == 0)
        FAIL("%s: the lie changed nothing", what);
    else
        test_pass();
}

/*
 * The variants after a test's first lie run at the full iteration count
 * only: under the sanitizers (CAIRN_TEST_ITERS=200) they would run the
 * same code again at a proof each.
 */
static int all_variants(void)
{
    return test_iters >= 1000;
}

/* ---- loads ----------------------------------------------------------------------------------- */

/* The load at pc[0] reads the word val[0], as the store at pc[1] left it (tm = its row + 1). */
static void tell_load_reads(struct lie *l, cairn_fp *const *c, uint64_t T)
{
    uint64_t x = row_at(l, c, T, l->pc[0]), s = row_at(l, c, T, l->pc[1]);
    set_access(l, c, x, (uint32_t)c[ZK_EA][x].v, 0, l->val[0], s + 1);
}

/*
 * sw 0x22, sw 0x33, lw a0 to one stack word; exit(a0).  Honest: 0x33.
 * Lies: the load returns 0x22 with the first store's timestamp (the word
 * before the latest store, already consumed by the second store's read),
 * or 0x44 with the latest store's timestamp.  Both are consistent on the
 * row (and in the registers: the exit code is the lie); only RAM memory
 * checking sees that no write left the tuple the load claims.
 */
static void load_lies_rejected(void)
{
    struct rvprog p;
    struct guest g;
    struct verdict v;
    rvp_init(&p);
    emit(&p, RV_ADDI(T1, SP, -64));
    emit(&p, RV_ADDI(T0, X0, 0x22));
    uint32_t s1 = emit_store(&p, F3_W, T0, T1, 0);
    emit(&p, RV_ADDI(T0, X0, 0x33));
    uint32_t s2 = emit_store(&p, F3_W, T0, T1, 0);
    uint32_t ld = emit_load(&p, F3_W, A0, T1, 0);
    emit_exit(&p);
    static const struct {
        const char *what;
        uint32_t val;
        int latest;
    } lies[2] = {{"stale load (the word before the latest store)", 0x22, 0},
                 {"load of a wrong value", 0x44, 1}};
    for (unsigned i = 0; i < 2; i++) {
        if (!guest_load(&g, &p, NULL, 0) || !guest_trace_vm(&g))
            break;
        if (i == 0)
            honest_accepted(&g, 0x33, "");
        struct lie l = lie_make(tell_load_reads, ld, lies[i].latest ? s2 : s1, lies[i].val, 0);
        l.patched = trace_set_result(&g, ld, lies[i].val);
        lie_rejected(&v, lies[i].what, &g, &l, "RAM");
        CHECK_EQ_U64(v.st.exit_code, lies[i].val);
        guest_clear(&g);
    }
    guest_clear(&g);
    rvp_clear(&p);
}

/* The load at pc[0] claims to be LB (its row's flags), so its result sign-extends the byte. */
static void tell_lbu_as_lb(struct lie *l, cairn_fp *const *c, uint64_t T)
{
    uint64_t x = row_at(l, c, T, l->pc[0]);
    put(l, c, ZK_F_LBU, x, cairn_fp_zero());
    put(l, c, ZK_F_LB, x, cairn_fp_one());
    set_access(l, c, x, (uint32_t)c[ZK_EA][x].v, (int)c[ZK_RO][x].v, old_word(c, x), c[ZK_TM][x].v);
}

/*
 * sb 0x85; lbu a0 of that byte; exit(a0).  Honest: 0x85.  The lie runs the
 * load as LB: 0xffffff85, consistent in every RAM column (the sign bit s
 * is the byte's top bit either way) and in the registers; the row's flags
 * are static, and the lean row takes them from the bytecode entry of its
 * pc (the translation keeps LBU's), so the result's constraint for LBU
 * (res_lbu) is what breaks.
 */
static void lbu_answered_as_lb_rejected(void)
{
    struct rvprog p;
    struct guest g;
    struct verdict v;
    rvp_init(&p);
    emit(&p, RV_ADDI(T1, SP, -64));
    emit(&p, RV_ADDI(T0, X0, 0x85));
    emit_store(&p, F3_B, T0, T1, 1);
    uint32_t ld = emit_load(&p, F3_BU, A0, T1, 1);
    emit_exit(&p);
    if (guest_load(&g, &p, NULL, 0) && guest_trace_vm(&g)) {
        honest_accepted(&g, 0x85, "");
        struct lie l = lie_make(tell_lbu_as_lb, ld, 0, 0, 0);
        l.patched = trace_set_result(&g, ld, 0xffffff85);
        lie_rejected(&v, "LBU answered as LB", &g, &l, "res_lbu");
        CHECK_EQ_U64(v.st.exit_code, 0xffffff85);
    }
    guest_clear(&g);
    rvp_clear(&p);
}

/* ---- stores ---------------------------------------------------------------------------------- */

/*
 * The store at pc[0] writes the word 4 bytes above its address (never
 * accessed before: it reads the initial 0 at time 0), and the load at
 * pc[1] then reads its own word untouched (initial 0, time 0).
 */
static void tell_store_elsewhere(struct lie *l, cairn_fp *const *c, uint64_t T)
{
    uint64_t s = row_at(l, c, T, l->pc[0]), x = row_at(l, c, T, l->pc[1]);
    set_access(l, c, s, (uint32_t)c[ZK_EA][s].v + 4, 0, 0, 0);
    set_access(l, c, x, (uint32_t)c[ZK_EA][x].v, 0, 0, 0);
}

/*
 * sw 0x5a; lw a0 of the same word; exit(a0).  Honest: 0x5a.  The store
 * goes to the next word instead, so the load finds the word untouched and
 * the exit code is 0.  With the base register read honestly, everything
 * but the address constraint holds (addr); with the register read lying
 * (t1 + 4, told in the trace, so every column follows), only register
 * memory checking sees it.
 */
static void store_elsewhere_rejected(void)
{
    struct rvprog p;
    struct guest g;
    struct verdict v;
    rvp_init(&p);
    emit(&p, RV_ADDI(T1, SP, -64));
    emit(&p, RV_ADDI(T0, X0, 0x5a));
    uint32_t st = emit_store(&p, F3_W, T0, T1, 0);
    uint32_t ld = emit_load(&p, F3_W, A0, T1, 0);
    emit_exit(&p);
    if (guest_load(&g, &p, NULL, 0) && guest_trace_vm(&g)) {
        honest_accepted(&g, 0x5a, "");
        struct lie l = lie_make(tell_store_elsewhere, st, ld, 0, 0);
        l.patched = trace_set_result(&g, ld, 0);
        lie_rejected(&v, "store to the next word", &g, &l, "addr");
        CHECK_EQ_U64(v.st.exit_code, 0);
    }
    if (g.rows != NULL && all_variants()) {
        /* the same store through a lying read of its base register: a trace lie only */
        struct lie l = lie_make(NULL, 0, 0, 0, 0);
        uint64_t t = trace_cycle(&g, st);
        uint32_t base = (uint32_t)trace_cell(&g, t, CAIRN_WIT_COL_RS1_VAL)->v;
        l.patched = trace_set(&g, t, CAIRN_WIT_COL_RS1_VAL, base + 4);
        lie_rejected(&v, "store to the next word, base register read lying", &g, &l,
                     "registers");
        CHECK_EQ_U64(v.st.exit_code, 0);
    }
    guest_clear(&g);
    rvp_clear(&p);
}

/* The byte store at pc[0] leaves the word val[0]; the load at pc[1] reads it. */
static void tell_sb_clobbers(struct lie *l, cairn_fp *const *c, uint64_t T)
{
    uint64_t s = row_at(l, c, T, l->pc[0]), x = row_at(l, c, T, l->pc[1]);
    put(l, c, ZK_MNEW, s, F(l->val[0]));
    set_access(l, c, x, (uint32_t)c[ZK_EA][x].v, 0, l->val[0], s + 1);
}

/*
 * sw 0x44332211; sb 0xaa at byte 1; lw a0; exit(a0).  Honest: 0x4433aa11.
 * The lie: the byte store also writes byte 2 (0x44aaaa11), and the load
 * reads what it wrote.  mnew = old + pw (c0 - yb) allows one byte only,
 * so st_b is the one constraint that breaks; memory checking agrees with
 * the lie.
 */
static void byte_store_clobbering_neighbour_rejected(void)
{
    struct rvprog p;
    struct guest g;
    struct verdict v;
    rvp_init(&p);
    emit(&p, RV_ADDI(T1, SP, -64));
    rvp_li(&p, T0, 0x44332211);
    emit_store(&p, F3_W, T0, T1, 0);
    emit(&p, RV_ADDI(T0, X0, 0xaa));
    uint32_t sb = emit_store(&p, F3_B, T0, T1, 1);
    uint32_t ld = emit_load(&p, F3_W, A0, T1, 0);
    emit_exit(&p);
    if (guest_load(&g, &p, NULL, 0) && guest_trace_vm(&g)) {
        honest_accepted(&g, 0x4433aa11, "");
        struct lie l = lie_make(tell_sb_clobbers, sb, ld, 0x44aaaa11, 0);
        l.patched = trace_set_result(&g, ld, 0x44aaaa11);
        lie_rejected(&v, "byte store clobbering its neighbour", &g, &l, "st_b");
        CHECK_EQ_U64(v.st.exit_code, 0x44aaaa11);
    }
    guest_clear(&g);
    rvp_clear(&p);
}

/* ---- outside the region, into the text ------------------------------------------------------- */

/* The load at pc[0] reads sp (its true base) and finds val[0] in the word at sp, at time 0. */
static void tell_past_region(struct lie *l, cairn_fp *const *c, uint64_t T)
{
    uint64_t x = row_at(l, c, T, l->pc[0]);
    set_operands(l, c, x, l->val[1], (uint32_t)c[ZK_V2][x].v, 0);
    set_access(l, c, x, l->val[1], 0, l->val[0], 0);
}

/* The VM's verdict on a program: the prover refuses a run that faults. */
static void prover_refuses(const struct guest *g, const char *why)
{
    uint8_t *proof = NULL;
    size_t plen = 0;
    cairn_error err;
    cairn_zkvm_options o;
    cairn_zkvm_options_init(&o);
    CHECK_STATUS(cairn_zkvm_prove(&proof, &plen, NULL, NULL, g->elf, g->elf_len, g->input,
                                  g->input_len, &o, &err),
                 CAIRN_ERR_ARG);
    if (strstr(err.msg, why) == NULL)
        FAIL("prover refusal \"%s\" does not say \"%s\"", err.msg, why);
    else
        test_pass();
    free(proof);
}

/*
 * lw a0, 0(sp); exit(a0).  sp is the top of the region, so the load is one
 * word past it and the VM faults: there is no honest run (its twin with
 * -4(sp) proves).  The lie: the load read 42 there, the first access to
 * that word (time 0).  The trace says sp - 4 so that the witness builder
 * fills the row (its replay refuses addresses outside the region); the
 * tamper restores sp in v1 and everything derived from it, so registers
 * and every row constraint hold, and word K = 2^k is in no memory set.
 */
static void access_past_region_rejected(void)
{
    struct rvprog p, twin;
    struct guest g;
    struct verdict v;
    rvp_init(&twin);
    emit_load(&twin, F3_W, A0, SP, -4);
    emit_exit(&twin);
    if (guest_load(&g, &twin, NULL, 0) && guest_trace_vm(&g))
        honest_accepted(&g, 0, "");
    guest_clear(&g);
    rvp_clear(&twin);

    rvp_init(&p);
    uint32_t ld = emit_load(&p, F3_W, A0, SP, 0);
    uint32_t ec = emit_exit(&p);
    if (guest_load(&g, &p, NULL, 0)) {
        prover_refuses(&g, "fault");
        const struct hand_row r[3] = {
            {ld, rv_i(0, SP, F3_W, A0, 0x03), g.sp - 4, 0, 42},
            {ld + 4, RV_ADDI(A7, X0, 93), 0, 0, 93},
            {ec, RV_ECALL, 93, 42, 0},
        };
        if (guest_trace_hand(&g, r, 3)) {
            struct lie l = lie_make(tell_past_region, ld, 0, 42, g.sp);
            l.patched = 1; /* the hand-written trace */
            lie_rejected(&v, "load one word past the region", &g, &l, "RAM");
            CHECK_EQ_U64(v.st.exit_code, 42);
        }
    }
    guest_clear(&g);
    rvp_clear(&p);
}

/* The accesses at pc[0] and pc[1] claim a writable word (ro = 0). */
static void tell_text_writable(struct lie *l, cairn_fp *const *c, uint64_t T)
{
    put(l, c, ZK_RO, row_at(l, c, T, l->pc[0]), cairn_fp_zero());
    put(l, c, ZK_RO, row_at(l, c, T, l->pc[1]), cairn_fp_zero());
}

/*
 * lui t2 = the first text word; sw 77 there; lw a0 from there; exit(a0).
 * The VM faults on the store (text is read-only): no honest run (the twin
 * with t2 on the stack proves, exit 77).  The lie: the store succeeded and
 * the load returns 77 — told in the trace, every column follows, and the
 * store's row says ro = 1 (st_ro breaks); or both accesses claim ro = 0,
 * which no initial tuple of a text word has (memory checking).
 */
static void store_into_text_rejected(void)
{
    struct rvprog p, twin;
    struct guest g;
    struct verdict v;
    rvp_init(&twin);
    emit(&twin, RV_ADDI(T2, SP, -64));
    emit(&twin, RV_ADDI(T0, X0, 77));
    emit_store(&twin, F3_W, T0, T2, 0);
    emit_load(&twin, F3_W, A0, T2, 0);
    emit_exit(&twin);
    if (guest_load(&g, &twin, NULL, 0) && guest_trace_vm(&g))
        honest_accepted(&g, 77, "");
    guest_clear(&g);
    rvp_clear(&twin);

    rvp_init(&p);
    uint32_t lui = emit(&p, rv_u(RVP_CODE_BASE, T2, 0x37));
    uint32_t li = emit(&p, RV_ADDI(T0, X0, 77));
    uint32_t st = emit_store(&p, F3_W, T0, T2, 0);
    uint32_t ld = emit_load(&p, F3_W, A0, T2, 0);
    uint32_t a7 = emit(&p, RV_ADDI(A7, X0, 93));
    uint32_t ec = emit(&p, RV_ECALL);
    if (guest_load(&g, &p, NULL, 0)) {
        prover_refuses(&g, "fault");
        const struct hand_row r[6] = {
            {lui, rv_u(RVP_CODE_BASE, T2, 0x37), 0, 0, RVP_CODE_BASE},
            {li, RV_ADDI(T0, X0, 77), 0, 0, 77},
            {st, rv_s(0, T0, T2, F3_W), RVP_CODE_BASE, 77, 0},
            {ld, rv_i(0, T2, F3_W, A0, 0x03), RVP_CODE_BASE, 0, 77},
            {a7, RV_ADDI(A7, X0, 93), 0, 0, 93},
            {ec, RV_ECALL, 93, 77, 0},
        };
        if (guest_trace_hand(&g, r, 6)) {
            struct lie l = lie_make(NULL, 0, 0, 0, 0);
            l.patched = 1; /* the hand-written trace */
            lie_rejected(&v, "store into the text (ro = 1)", &g, &l, "st_ro");
            CHECK_EQ_U64(v.st.exit_code, 77);
            l = lie_make(tell_text_writable, st, ld, 0, 0);
            lie_rejected(&v, "store into the text (ro = 0)", &g, &l, "RAM");
            CHECK_EQ_U64(v.st.exit_code, 77);
        }
    }
    guest_clear(&g);
    rvp_clear(&p);
}

/* ---- output ---------------------------------------------------------------------------------- */

/*
 * The read's byte row (pc[0]) stores val[0] instead of its input byte; with
 * pc[1] set, the write's byte row (pc[1]) then reads that byte (so memory
 * agrees with it, and the byte it outputs is val[0]).
 */
static void tell_read_stores(struct lie *l, cairn_fp *const *c, uint64_t T)
{
    uint64_t x = row_at(l, c, T, l->pc[0]);
    set_operands(l, c, x, 0, 0, l->val[0]);
    set_access(l, c, x, (uint32_t)c[ZK_EA][x].v, 0, old_word(c, x), c[ZK_TM][x].v);
    if (l->pc[1] != 0) {
        uint64_t w = row_at(l, c, T, l->pc[1]);
        set_access(l, c, w, (uint32_t)c[ZK_EA][w].v, 0, (uint32_t)c[ZK_MNEW][x].v, x + 1);
    }
}

/* read(0, buf, 1); write(1, buf, 1); exit(0): echoes one input byte. */
static void echo_program(struct rvprog *p, uint32_t *rd, uint32_t *wr)
{
    rvp_init(p);
    *rd = emit_syscall(p, 63, 0, -64, 1);
    *wr = emit_syscall(p, 64, 1, -64, 1);
    emit(p, RV_ADDI(A0, X0, 0));
    emit_exit(p);
}

/*
 * The echo guest on input "L" outputs "L".  (a) Output bytes that differ
 * from memory: the read stores "V" (advice: any byte is a valid input),
 * the write's byte row still loads "L", and the statement's output is the
 * lie "L"; the row, the chains and the output lookup all agree, only RAM
 * memory checking sees that the word the write loads is not the word the
 * read left.  (b) Memory consistent with "V" on both rows, the statement's
 * output still "L": only the output lookup can tell.
 */
static void output_differing_from_memory_rejected(void)
{
    static const uint8_t input[1] = {'L'};
    struct rvprog p;
    struct guest g;
    struct verdict v;
    uint32_t rd, wr;
    echo_program(&p, &rd, &wr);
    if (guest_load(&g, &p, input, 1) && guest_trace_vm(&g)) {
        honest_accepted(&g, 0, "L");
        struct lie l = lie_make(tell_read_stores, rd + 6 * ZK_VPC, 0, 'V', 0);
        lie_rejected(&v, "output byte differing from memory", &g, &l, "RAM");
        CHECK(v.out_len == 1 && v.out[0] == 'L');
    }
    if (g.rows != NULL && all_variants()) {
        struct lie l = lie_make(tell_read_stores, rd + 6 * ZK_VPC, wr + 4 * ZK_VPC, 'V', 0);
        lie_rejected(&v, "output byte differing from the statement", &g, &l, "output");
        CHECK(v.out_len == 1 && v.out[0] == 'L');
    }
    guest_clear(&g);
    rvp_clear(&p);
}

/*
 * The honest echo proof (format 5) with its public output byte changed in
 * the file (it sits right after the magic, version, statement, instruction
 * count and kb: docs/proof-format.md): still a well-formed proof, of
 * another statement, and rejected.
 */
static void output_byte_edited_rejected(void)
{
    static const uint8_t input[1] = {'L'};
    const size_t at = 8 + 4 + 64 + 12;
    struct rvprog p;
    struct guest g;
    uint32_t rd, wr;
    uint8_t *proof = NULL;
    size_t plen = 0;
    cairn_error err;
    cairn_zkvm_options o;
    cairn_zkvm_options_init(&o);
    o.threads = 2;
    echo_program(&p, &rd, &wr);
    memset(&err, 0, sizeof err);
    if (guest_load(&g, &p, input, 1) &&
        cairn_zkvm_prove(&proof, &plen, NULL, NULL, g.elf, g.elf_len, input, 1, &o, &err) ==
            CAIRN_OK) {
        CHECK_OK(cairn_zkvm_verify(NULL, proof, plen, g.elf, g.elf_len, &err));
        CHECK(plen > at && proof[at] == 'L');
        proof[at] = 'M';
        cairn_zkvm_statement st;
        cairn_proof_part head;
        size_t nhead = 0;
        CHECK_OK(cairn_proof_v5_describe(&st, NULL, &head, &nhead, 1, proof, plen, &err));
        CHECK(st.output_len == 1 && nhead == 1 && head.len == at + 1);
        cairn_status s = cairn_zkvm_verify(NULL, proof, plen, g.elf, g.elf_len, &err);
        if (s == CAIRN_OK)
            FAIL("SOUNDNESS BUG: a proof with its output byte changed to 'M' was ACCEPTED");
        else
            CHECK_STATUS(s, CAIRN_ERR_REJECTED);
    } else {
        FAIL("prove: %s", err.msg);
    }
    free(proof);
    guest_clear(&g);
    rvp_clear(&p);
}

/* ---- input ----------------------------------------------------------------------------------- */

/*
 * The read's val[1] byte rows (from pc[0]) store their bytes val[0] bytes
 * further up (into a word nobody touched before); with pc[1] set, the
 * setup row there moves its ptr too and reads the buffer register as the
 * moved address.
 */
static void tell_input_elsewhere(struct lie *l, cairn_fp *const *c, uint64_t T)
{
    uint64_t x = row_at(l, c, T, l->pc[0]);
    uint32_t word = 0;
    uint64_t tm = 0;
    for (uint32_t i = 0; i < l->val[1] && x < T; i++, x++) {
        uint32_t ptr = (uint32_t)c[ZK_PTR][x].v + l->val[0];
        put(l, c, ZK_PTR, x, F(ptr));
        set_access(l, c, x, ptr, 0, word, tm);
        word = (uint32_t)c[ZK_MNEW][x].v;
        tm = x + 1;
    }
    if (l->pc[1] != 0) {
        uint64_t s = row_at(l, c, T, l->pc[1]);
        uint32_t buf = (uint32_t)c[ZK_V1][s].v + l->val[0];
        set_operands(l, c, s, buf, (uint32_t)c[ZK_V2][s].v, 0);
        put(l, c, ZK_PTR, s, F(buf));
    }
}

/*
 * read(0, buf, 2); exit(a0) on input "ab": exit 2.  The lie stores the two
 * bytes 4 bytes above buf, consistently in memory: the ptr chain from the
 * setup row (ptr = buf) to the first byte row breaks.  Moving the setup
 * row's ptr too, with a1 read as buf + 4 (so setup_ptr holds), leaves only
 * register memory checking.
 */
static void input_outside_buffer_rejected(void)
{
    static const uint8_t input[2] = {'a', 'b'};
    struct rvprog p;
    struct guest g;
    struct verdict v;
    rvp_init(&p);
    uint32_t rd = emit_syscall(&p, 63, 0, -64, 2);
    emit_exit(&p);
    if (guest_load(&g, &p, input, 2) && guest_trace_vm(&g)) {
        honest_accepted(&g, 2, "");
        struct lie l = lie_make(tell_input_elsewhere, rd + 6 * ZK_VPC, 0, 4, 2);
        lie_rejected(&v, "input stored outside the buffer", &g, &l, "ptr_chain");
    }
    if (g.rows != NULL && all_variants()) {
        struct lie l = lie_make(tell_input_elsewhere, rd + 6 * ZK_VPC, rd + 3 * ZK_VPC, 4, 2);
        lie_rejected(&v, "input stored outside the buffer, a1 read lying", &g, &l,
                     "registers");
    }
    guest_clear(&g);
    rvp_clear(&p);
}

/*
 * The read's setup row (pc[0]) reads len val[0] (its register's true
 * value) while cnt = len + 1; a read short of len must be the one that
 * ends the input (ends = 1, eof from the next row on).
 */
static void tell_read_len_honest(struct lie *l, cairn_fp *const *c, uint64_t T)
{
    uint64_t s = row_at(l, c, T, l->pc[0]);
    set_operands(l, c, s, (uint32_t)c[ZK_V1][s].v, l->val[0], 0);
    cairn_fp gap = cairn_fp_sub(F(l->val[0]), c[ZK_CNT][s]);
    put(l, c, ZK_GAP, s, gap);
    put(l, c, ZK_GL, s, F(gap.v & 0xffff));
    put(l, c, ZK_ENDS, s, cairn_fp_one());
    cairn_fp eof = cairn_fp_zero();
    for (uint64_t x = 0; x < l->rows; x++) {
        put(l, c, ZK_EOF, x, eof);
        put(l, c, ZK_EC, x, cairn_fp_mul(eof, c[ZK_CNT][x]));
        eof = cairn_fp_add(eof, c[ZK_ENDS][x]);
    }
}

/*
 * read(0, buf, 2); exit(a0) on input "abc": reads 2, exit 2.  A read
 * returning len + 1 = 3 bytes needs a row more, which a tamper cannot add,
 * and the witness builder refuses cnt > len; so the trace says len = 3
 * (a2 read as 3: the builder then emits three byte rows and a0 = 3), and
 * the tamper restores the setup row's a2 read to the true 2 with
 * gap = len - cnt = -1 (setup_gap_r holds) and marks the read as the one
 * that ends the input (read_full holds).  In the lean row the gap is a
 * 32-bit value in two limbs, so -1 has no limbs that satisfy the setup
 * row's gap constraint (setup_gap_r): that is what stands in the way.
 */
static void read_returning_more_than_len_rejected(void)
{
    static const uint8_t input[3] = {'a', 'b', 'c'};
    struct rvprog p;
    struct guest g;
    struct verdict v;
    rvp_init(&p);
    uint32_t rd = emit_syscall(&p, 63, 0, -64, 2);
    emit_exit(&p);
    if (guest_load(&g, &p, input, 3) && guest_trace_vm(&g)) {
        honest_accepted(&g, 2, "");
        uint64_t t = trace_cycle(&g, rd);
        CHECK_EQ_U64(trace_cell(&g, t, CAIRN_WIT_COL_RD)->v, A0);
        CHECK_EQ_U64(trace_cell(&g, t, CAIRN_WIT_COL_SYS_A2)->v, 2);
        struct lie l = lie_make(tell_read_len_honest, rd + 3 * ZK_VPC, 0, 2, 0);
        l.patched = trace_set_result(&g, rd, 3) + trace_set(&g, t, CAIRN_WIT_COL_SYS_A2, 3);
        lie_rejected(&v, "read returning len + 1 bytes", &g, &l, "setup_gap_r");
        CHECK_EQ_U64(v.st.exit_code, 3);
    }
    guest_clear(&g);
    rvp_clear(&p);
}

/* ---- return values, diagnostics -------------------------------------------------------------- */

/* The write's setup row (pc[0]) returns val[0] in a0 (res and the register written). */
static void tell_write_returns(struct lie *l, cairn_fp *const *c, uint64_t T)
{
    uint64_t s = row_at(l, c, T, l->pc[0]);
    put(l, c, ZK_RES, s, F(l->val[0]));
    put(l, c, ZK_VD, s, F(l->val[0]));
}

/*
 * "hi" stored; write(1, buf, 2); exit(a0): output "hi", exit 2.  The lie:
 * the write returned 3 in a0 (and the exit code says so).  The count of
 * byte rows is cnt = len, and the setup row's result (res_set) is the one
 * constraint that breaks.
 */
static void write_returning_wrong_a0_rejected(void)
{
    struct rvprog p;
    struct guest g;
    struct verdict v;
    rvp_init(&p);
    emit_bytes(&p, -64, "hi");
    uint32_t wr = emit_syscall(&p, 64, 1, -64, 2);
    uint32_t ec = emit_exit(&p);
    if (guest_load(&g, &p, NULL, 0) && guest_trace_vm(&g)) {
        honest_accepted(&g, 2, "hi");
        struct lie l = lie_make(tell_write_returns, wr + 1 * ZK_VPC, 0, 3, 0);
        l.patched = trace_set(&g, trace_cycle(&g, ec), CAIRN_WIT_COL_RS2_VAL, 3);
        lie_rejected(&v, "write returning a0 = 3 for 2 bytes", &g, &l, "res_set");
        CHECK_EQ_U64(v.st.exit_code, 3);
        CHECK(v.out_len == 2 && memcmp(v.out, "hi", 2) == 0);
    }
    guest_clear(&g);
    rvp_clear(&p);
}

/*
 * Every column of the honest witness (l->from), then: oi counts the fd-2
 * byte row at pc[0] as output (one more on every later row), and with
 * val[0] set that row also claims the fd-1 kind (f_bo instead of f_be).
 */
static void tell_diagnostic_as_output(struct lie *l, cairn_fp *const *c, uint64_t T)
{
    for (unsigned col = 0; col < ZK_NCOL; col++)
        for (uint64_t x = 0; x < l->rows; x++)
            put(l, c, col, x, l->from[col][x]);
    uint64_t xb = row_at(l, c, T, l->pc[0]);
    for (uint64_t x = xb + 1; x < l->rows; x++)
        put(l, c, ZK_OI, x, cairn_fp_add(c[ZK_OI][x], cairn_fp_one()));
    if (l->val[0] != 0) {
        put(l, c, ZK_F_BE, xb, cairn_fp_zero());
        put(l, c, ZK_F_BO, xb, cairn_fp_one());
    }
}

/*
 * "E" and "O" stored; write(2, "E"); write(1, "O"); exit(0): output "O".
 * The lie claims output "EO", the diagnostic byte counted as output; the
 * trace has the first ECALL read fd = 1 where a0 = 2, so the builder makes
 * write(1) rows and the statement's output is "EO".  (a) The statement
 * "EO" over the honest rows (fd-2 kind, f_be: transplanted from the honest
 * witness) with oi moved so that "O" is output byte 1: the oi chain breaks
 * at the fd-2 byte row and the output multiset does not balance.  (b) As
 * (a) with that row's kind flag f_bo, oi consistent: f_be and f_bo are
 * static, and the lean row reads them from the bytecode entry of the pc
 * (the fd-2 byte row's), so the relabelled row cannot be expressed and
 * the translated row breaks the write, pc, count and output items.  (c)
 * The trace as it is, the fd read lying: register memory checking.
 */
static void diagnostic_counted_as_output_rejected(void)
{
    struct rvprog p;
    struct guest g;
    struct verdict v;
    struct zkt honest;
    rvp_init(&p);
    emit_bytes(&p, -64, "EO");
    uint32_t w2 = emit_syscall(&p, 64, 2, -64, 1);
    emit_syscall(&p, 64, 1, -63, 1);
    emit(&p, RV_ADDI(A0, X0, 0));
    emit_exit(&p);
    memset(&honest, 0, sizeof honest);
    if (guest_load(&g, &p, NULL, 0) && guest_trace_vm(&g) &&
        zkt_build_input(&honest, g.elf, g.elf_len, NULL, 0, g.rows, g.cycles, 0)) {
        honest_accepted(&g, 0, "O");
        /* every lie below claims "EO": the trace has the first ECALL read fd = 1 */
        unsigned fd_lie = trace_set(&g, trace_cycle(&g, w2), CAIRN_WIT_COL_RS2_VAL, 1);
        struct lie l = lie_make(tell_diagnostic_as_output, w2 + 5 * ZK_VPC, 0, 0, 0);
        l.from = honest.w.col;
        l.from_rows = UINT64_C(1) << honest.w.n;
        lie_rejected(&v, "diagnostic byte output (oi moved)", &g, &l, "oi_chain output");
        CHECK(v.out_len == 2 && memcmp(v.out, "EO", 2) == 0);
        if (all_variants()) {
            l.val[0] = 1;
            lie_rejected(&v, "diagnostic byte output (row relabelled f_bo)", &g, &l,
                         "write_none next_pc more oi_chain pads RAM output");
            CHECK(v.out_len == 2 && memcmp(v.out, "EO", 2) == 0);
            l = lie_make(NULL, 0, 0, 0, 0);
            l.patched = fd_lie;
            lie_rejected(&v, "diagnostic byte output (fd read lying)", &g, &l, "registers");
            CHECK(v.out_len == 2 && memcmp(v.out, "EO", 2) == 0);
        }
    }
    zkt_clear(&honest);
    guest_clear(&g);
    rvp_clear(&p);
}

/* ---- the helpers against the prover ---------------------------------------------------------- */

/*
 * Every memory row and every system call's setup row of the witness told
 * again with its own values: nothing may change.  val[0] counts the memory
 * rows, val[1] the setup rows.
 */
static void tell_same(struct lie *l, cairn_fp *const *c, uint64_t T)
{
    for (uint64_t x = 0; x < T; x++) {
        int mem = 0, setup = c[ZK_F_SWR][x].v != 0 || c[ZK_F_SRD][x].v != 0;
        for (unsigned f = ZK_F_LB; f <= ZK_F_SW; f++)
            mem |= c[f][x].v != 0;
        if (!mem && !setup)
            continue;
        set_operands(l, c, x, (uint32_t)c[ZK_V1][x].v, (uint32_t)c[ZK_V2][x].v,
                     (uint32_t)c[ZK_INB][x].v);
        if (mem)
            set_access(l, c, x, (uint32_t)c[ZK_EA][x].v, (int)c[ZK_RO][x].v, old_word(c, x),
                       c[ZK_TM][x].v);
        l->val[mem ? 0 : 1]++;
    }
}

/*
 * The lies above are only as good as set_operands and set_access mirror
 * the prover's fill: on honest witnesses (random programs with loads and
 * stores of every width and reads of input; a hand-written guest with all
 * eight accesses, a read and both writes) re-telling every memory row with
 * its own values changes no cell, and the hand-written guest with that
 * telling passes the lean checker and its lean proof verifies.
 */
static void tellers_match_the_prover(void)
{
    unsigned runs = test_iters >= 1000 ? 6 : 2;
    for (unsigned i = 0; i < runs; i++) {
        struct rvprog p;
        struct guest g;
        struct zkt z;
        zk_gen_program(&p, test_rand_u64() | 1, 120, 1);
        memset(&z, 0, sizeof z);
        if (guest_load(&g, &p, zk_test_input, ZK_TEST_INPUT_LEN) && guest_trace_vm(&g) &&
            zkt_build_input(&z, g.elf, g.elf_len, g.input, g.input_len, g.rows, g.cycles, 1)) {
            struct lie l = lie_make(tell_same, 0, 0, 0, 0);
            lie_tamper(&l, z.w.col, ZK_NCOL, UINT64_C(1) << z.w.n, z.w.T);
            CHECK(!l.missed && l.changed == 0 && l.val[0] > 0 && l.val[1] > 0);
        }
        zkt_clear(&z);
        guest_clear(&g);
        rvp_clear(&p);
    }
    static const uint8_t input[3] = {'x', 'y', 'z'};
    struct rvprog p;
    struct guest g;
    struct verdict v;
    char seen[256];
    rvp_init(&p);
    emit(&p, RV_ADDI(T1, SP, -64));
    rvp_li(&p, T0, 0x80c1f2a3);
    emit_store(&p, F3_W, T0, T1, 0);
    emit_store(&p, F3_H, T0, T1, 6);
    emit_store(&p, F3_B, T0, T1, 9);
    emit_load(&p, F3_B, 13, T1, 3);
    emit_load(&p, F3_BU, 14, T1, 1);
    emit_load(&p, F3_H, 15, T1, 2);
    emit_load(&p, F3_HU, 16, T1, 6);
    emit_load(&p, F3_W, 18, T1, 8);
    emit_syscall(&p, 63, 0, -32, 3);
    emit_syscall(&p, 64, 1, -32, 3);
    emit_syscall(&p, 64, 2, -64, 2);
    emit(&p, rv_r(0, 13, 15, 4, A0, 0x33)); /* a0 = x15 ^ x13 */
    emit_exit(&p);
    if (guest_load(&g, &p, input, 3) && guest_trace_vm(&g)) {
        honest_accepted(&g, 0xffff80c1 ^ 0xffffff80, "xyz");
        struct lie l = lie_make(tell_same, 0, 0, 0, 0);
        checker_sees(seen, sizeof seen, &v, &g, &l);
        CHECK(!l.missed && l.changed == 0 && l.val[0] == 8 + 8 && l.val[1] == 3);
        if (seen[0] != 0 || v.verify != CAIRN_OK || v.prove != CAIRN_OK)
            FAIL("re-told honest witness: lean check %s (%s), lean proof %s (%s)",
                 cairn_status_str(v.verify), seen, cairn_status_str(v.prove), v.why);
        else
            test_pass();
    }
    guest_clear(&g);
    rvp_clear(&p);
}

const struct test_case test_zkvm_lies_cases[] = {
    TEST(tellers_match_the_prover),
    TEST(load_lies_rejected),
    TEST(lbu_answered_as_lb_rejected),
    TEST(store_elsewhere_rejected),
    TEST(byte_store_clobbering_neighbour_rejected),
    TEST(access_past_region_rejected),
    TEST(store_into_text_rejected),
    TEST(output_differing_from_memory_rejected),
    TEST(output_byte_edited_rejected),
    TEST(input_outside_buffer_rejected),
    TEST(read_returning_more_than_len_rejected),
    TEST(write_returning_wrong_a0_rejected),
    TEST(diagnostic_counted_as_output_rejected),
    TEST_END,
};
