/*
 * zk_witness.c — the tests' lie builder: the per-cycle columns of the
 * retired first prover (114 a row), computed from trace rows
 * (cairn/witness.h layout) streamed in cycle order, with the register file
 * and RAM replayed alongside; and their translation into the lean row's
 * cells (zl_fill).  It proves nothing: the soundness tests tell their lies
 * on these columns (a lying execution, a rewritten access, a moved I/O
 * row) because every column is a plain function of the instruction and its
 * operands, so a lie can be told consistently across a whole row; zl_fill
 * then hands the lean checker and the lean prover the same lie.
 * test_lean's source_matches_translation holds the production fill
 * (src/zkvm/lean_fill.c) to this translation on honest runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/witness.h"
#include "zk_witness.h"

#define MASK32 UINT64_C(0xffffffff)
#define TWO32 (UINT64_C(1) << 32)

const uint16_t zk_shifted[ZK_NVIRT] = {ZK_PC, ZK_CNT, ZK_PTR, ZK_OI, ZK_EOF};

/* Index in the full row of each entry of the RAM part's own z (ram.c). */
const uint16_t zk_ram_zmap[ZR_N] = {
    ZK_V1, ZK_V2, ZK_OFF, ZK_RES, ZK_C0, ZK_C1, ZK_PTR,
    ZK_F_LB, ZK_F_LBU, ZK_F_LH, ZK_F_LHU, ZK_F_LW, ZK_F_SB, ZK_F_SH, ZK_F_SW,
    ZK_EA, ZK_KA, ZK_EAL, ZK_O1, ZK_O2, ZK_M0, ZK_M1, ZK_M2, ZK_M3, ZK_RO,
    ZK_Y0, ZK_Y1, ZK_YB, ZK_TB, ZK_S, ZK_PW, ZK_DB, ZK_DH, ZK_MNEW, ZK_TM, ZK_EM,
    ZK_Z_ID, ZK_Z_ONE};

void zk_witness_init(zk_witness *w) { memset(w, 0, sizeof *w); }

void zk_witness_clear(zk_witness *w)
{
    if (w == NULL)
        return;
    free(w->col[0]);
    free(w->pcnext);
    free(w->fv);
    free(w->output);
    memset(w, 0, sizeof *w);
}

/* The register file as the prover replays it: values and last-access timestamps. */
struct regfile {
    uint64_t val[32];
    uint64_t ts[32];
};

struct build_ctx {
    zk_witness *w;
    const zk_bytecode *bc;
    struct regfile rf;
    zk_ram_replay rp;
    int strict;
    uint64_t cycles, T;
    uint64_t x;               /* next row to fill */
    const uint8_t *input;     /* the read(0) bytes, consumed in order */
    size_t input_len, input_pos;
    size_t out_cap;
    int ended; /* a read has returned short: the input is over */
};

/*
 * The RAM part of row x (ram.c fills it on its own z vector): gather its
 * inputs from the columns, fill, and put its columns (and a load's result)
 * back.
 */
static cairn_status fill_ram(zk_witness *w, zk_ram_replay *rp, uint64_t x, cairn_error *err)
{
    cairn_fp o[ZR_N];
    for (unsigned i = 0; i < ZR_N; i++)
        o[i] = zk_ram_zmap[i] < ZK_NCOL ? w->col[zk_ram_zmap[i]][x] : cairn_fp_zero();
    o[ZR_ID] = cairn_fp_from_u64(x);
    o[ZR_ONE] = cairn_fp_one();
    cairn_status st = zk_ram_row(o, rp, x, err);
    if (st != CAIRN_OK)
        return st;
    int mem = 0;
    for (unsigned f = ZR_F_LB; f <= ZR_F_SW; f++)
        mem |= o[f].v != 0;
    for (unsigned i = ZR_EA; i <= ZR_EM; i++)
        w->col[zk_ram_zmap[i]][x] = o[i];
    if (mem)
        w->col[ZK_RES][x] = o[ZR_RES];
    return CAIRN_OK;
}

static cairn_fp F(uint64_t v) { return cairn_fp_from_u64(v); }

/*
 * Fill row x from its static columns and the three register values the
 * trace says it read and wrote.  The register-file slots go rs1, rs2, rd at
 * timestamps 4x+1, 4x+2, 4x+3; every auxiliary column is computed from the
 * instruction's semantics on (v1, B), so a trace that lies about vd leaves a
 * row that no honest auxiliary values can satisfy.
 */
static void fill_row(zk_witness *w, struct regfile *rf, uint64_t x, const zk_static *st, uint64_t v1,
                     uint64_t v2, uint64_t vd, uint64_t inb)
{
    cairn_fp *const *c = w->col;
    for (unsigned i = 0; i < ZK_NSTATIC; i++)
        c[i][x] = st->f[i];
    unsigned rs1 = (unsigned)st->f[ZK_RS1].v & 31, rs2 = (unsigned)st->f[ZK_RS2].v & 31;
    unsigned rd = (unsigned)st->f[ZK_RD].v & 31;
    uint64_t ts0 = 4 * x;
    uint64_t t1 = rf->ts[rs1];
    rf->ts[rs1] = ts0 + 1, rf->val[rs1] = v1;
    uint64_t t2 = rf->ts[rs2];
    rf->ts[rs2] = ts0 + 2, rf->val[rs2] = v2;
    uint64_t vdo = rf->val[rd], td = rf->ts[rd];
    rf->ts[rd] = ts0 + 3, rf->val[rd] = vd;
    c[ZK_V1][x] = F(v1), c[ZK_V2][x] = F(v2), c[ZK_VD][x] = F(vd), c[ZK_VDO][x] = F(vdo);
    c[ZK_T1][x] = F(t1), c[ZK_T2][x] = F(t2), c[ZK_TD][x] = F(td);
    c[ZK_E1][x] = F((ts0 - t1) & 0xffff);
    c[ZK_E2][x] = F((ts0 + 1 - t2) & 0xffff);
    c[ZK_E3][x] = F((ts0 + 2 - td) & 0xffff);

    uint64_t B = v2 + st->f[ZK_IMM].v + inb, Bu = B & MASK32;
    c[ZK_INB][x] = F(inb);
    for (unsigned i = 0; i < 4; i++) {
        uint64_t u = (v1 >> (8 * i)) & 0xff, b = (Bu >> (8 * i)) & 0xff;
        if (i < 3) {
            c[ZK_U0 + i][x] = F(u);
            c[ZK_C0 + i][x] = F(b);
        }
        c[ZK_W0 + i][x] = F(u & b);
    }
    uint64_t sa = (v1 >> 31) & 1, sb = Bu >> 31;
    c[ZK_SA][x] = F(sa), c[ZK_SB][x] = F(sb);

    int f_add = st->f[ZK_F_ADD].v != 0, f_sub = st->f[ZK_F_SUB].v != 0, f_slt = st->f[ZK_F_SLT].v != 0;
    int f_sll = st->f[ZK_F_SLL].v != 0, f_srl = st->f[ZK_F_SRL].v != 0, f_sra = st->f[ZK_F_SRA].v != 0;
    int f_sh = f_sll || f_srl || f_sra;
    uint64_t xv = 0, k = 0;
    if (f_add) {
        uint64_t s = v1 + B;
        xv = s & MASK32, k = (s >> 32) & 1;
    } else if (f_sub) {
        k = (uint64_t)(v1 < B), xv = (v1 - B) & MASK32;
    } else if (f_slt) {
        uint64_t a = (v1 ^ UINT64_C(0x80000000)) & MASK32, b = Bu ^ UINT64_C(0x80000000);
        k = (uint64_t)(a < b), xv = (a - b) & MASK32;
    }
    uint64_t P, sel, fill;
    zk_shift_entry((uint32_t)(Bu & 0xff), (uint32_t)(f_srl + 2 * f_sra), &P, &sel, &fill);
    uint64_t prod = (v1 & MASK32) * P; /* < 2^63 */
    uint64_t lo = prod & MASK32, hi = prod >> 32;
    if (f_sh)
        xv = lo;
    c[ZK_P][x] = F(P), c[ZK_SEL][x] = F(sel), c[ZK_FILL][x] = F(fill);
    c[ZK_PROD][x] = F(prod), c[ZK_HI][x] = F(hi), c[ZK_HL][x] = F(hi & 0xffff);
    cairn_fp r = cairn_fp_add(F(hi), cairn_fp_mul(F(sel), cairn_fp_sub(F(xv), F(hi))));
    cairn_fp t = cairn_fp_mul(F(sa), F(fill));
    c[ZK_R][x] = r, c[ZK_T][x] = t;
    c[ZK_X][x] = F(xv), c[ZK_XL][x] = F(xv & 0xffff), c[ZK_K][x] = F(k);

    cairn_fp diff = cairn_fp_sub(F(v1), F(B));
    c[ZK_Z][x] = F((uint64_t)cairn_fp_is_zero(diff));
    c[ZK_INV][x] = cairn_fp_inv(diff);

    cairn_fp res = cairn_fp_zero();
    uint64_t andv = (v1 & Bu) & MASK32;
    if (st->f[ZK_F_RX].v)
        res = F(xv);
    else if (st->f[ZK_F_RK].v)
        res = F(k);
    else if (st->f[ZK_F_AND].v)
        res = F(andv);
    else if (st->f[ZK_F_OR].v)
        res = F((v1 | Bu) & MASK32);
    else if (st->f[ZK_F_XOR].v)
        res = F((v1 ^ Bu) & MASK32);
    else if (f_sh)
        res = cairn_fp_add(r, t);
    else if (st->f[ZK_F_LINK].v)
        res = cairn_fp_add(st->f[ZK_PC], F(4));
    c[ZK_RES][x] = res;
    c[ZK_J1][x] = cairn_fp_mul(st->f[ZK_D1], c[ZK_Z][x]);
    c[ZK_J2][x] = cairn_fp_mul(st->f[ZK_D2], F(k));
    c[ZK_LSB][x] = F(st->f[ZK_F_JALR].v ? xv & 1 : 0);
}

/* The zero test of the I/O rows: nz = [cn != 0], cinv its inverse, j3 = d3 nz. */
static void set_nz(zk_witness *w, uint64_t x, cairn_fp cn)
{
    w->col[ZK_MORE][x] = cairn_fp_make(!cairn_fp_is_zero(cn));
    w->col[ZK_CINV][x] = cairn_fp_inv(cn);
    w->col[ZK_J3][x] = cairn_fp_mul(w->col[ZK_D3][x], w->col[ZK_MORE][x]);
}

/*
 * A read or write system call at trace row `row` becomes rows x.. of the
 * witness (docs/arithmetization.md, "I/O"): the ECALL row (kind j, jio to
 * the setup row), the setup row (reads a1, a2; writes a0 := cnt), and one
 * byte row per byte moved at ptr = buf + i, a byte load for writes (fd 1's
 * bytes become the public output) or a byte store of the next input byte
 * for reads.
 */
static cairn_status emit_io(struct build_ctx *ctx, const cairn_fp *row, const zk_static *est,
                            unsigned j, cairn_error *err)
{
    zk_witness *w = ctx->w;
    uint32_t pc = (uint32_t)row[CAIRN_WIT_COL_PC].v;
    uint64_t a7 = row[CAIRN_WIT_COL_RS1_VAL].v, fd = row[CAIRN_WIT_COL_RS2_VAL].v;
    uint64_t buf = row[CAIRN_WIT_COL_SYS_A1].v, len = row[CAIRN_WIT_COL_SYS_A2].v;
    uint64_t cnt = row[CAIRN_WIT_COL_RD_VAL].v, x = ctx->x;
    cairn_status st;
    if (x + 2 + cnt > ctx->T || cnt > len)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pc 0x%08x: system call rows beyond the trace",
                               (unsigned)pc);
    /* the ECALL row */
    fill_row(w, &ctx->rf, x, est, a7, fd, 0, 0);
    w->col[j == 1 ? ZK_WO : j == 2 ? ZK_WE : ZK_RDK][x] = cairn_fp_one();
    w->col[ZK_JIO][x] = cairn_fp_from_u64(pc + j * ZK_VPC);
    if ((st = fill_ram(w, &ctx->rp, x, err)) != CAIRN_OK)
        return st;
    x++;
    /* the setup row */
    const zk_bytecode *bc = ctx->bc;
    int64_t idx = pc >= bc->text_base && (pc - bc->text_base) / 4 < bc->text_words
                      ? bc->index[(pc - bc->text_base) / 4]
                      : -1;
    if (idx < 0 || bc->entries[idx].f[ZK_F_ECALL].v == 0)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pc 0x%08x: no ECALL of the program there",
                               (unsigned)pc);
    zk_static sst = bc->entries[idx + j], bst = bc->entries[idx + j + 3];
    fill_row(w, &ctx->rf, x, &sst, buf, len, cnt, 0);
    w->col[ZK_CNT][x] = F(cnt);
    w->col[ZK_PTR][x] = F(buf);
    w->col[ZK_RES][x] = F(cnt);
    if (j == 3) {
        w->col[ZK_GAP][x] = F(len - cnt);
        w->col[ZK_GL][x] = F((len - cnt) & 0xffff);
        if (!ctx->ended && cnt < len) /* the short read that ends the input */
            w->col[ZK_ENDS][x] = cairn_fp_one(), ctx->ended = 1;
    }
    set_nz(w, x, F(cnt));
    if ((st = fill_ram(w, &ctx->rp, x, err)) != CAIRN_OK)
        return st;
    x++;
    /* the byte rows */
    for (uint64_t i = 0; i < cnt; i++, x++) {
        uint64_t inb = 0;
        if (j == 3) {
            if (ctx->input_pos >= ctx->input_len)
                return cairn_error_set(err, CAIRN_ERR_ARG,
                                       "pc 0x%08x: the guest read more input than was given",
                                       (unsigned)pc);
            inb = ctx->input[ctx->input_pos++];
        }
        fill_row(w, &ctx->rf, x, &bst, 0, 0, 0, inb);
        w->col[ZK_CNT][x] = F(cnt - i);
        w->col[ZK_PTR][x] = F((buf + i) & MASK32);
        set_nz(w, x, F(cnt - i - 1));
        if ((st = fill_ram(w, &ctx->rp, x, err)) != CAIRN_OK)
            return st;
        if (j == 1) {
            if (w->output_len == ctx->out_cap) {
                size_t nc = ctx->out_cap ? 2 * ctx->out_cap : 256;
                uint8_t *no = realloc(w->output, nc);
                if (no == NULL)
                    return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the output");
                w->output = no, ctx->out_cap = nc;
            }
            w->output[w->output_len++] = (uint8_t)w->col[ZK_YB][x].v;
        }
    }
    ctx->x = x;
    return CAIRN_OK;
}

/*
 * The row consumer of zk_witness_build: decode each row's instruction word
 * with our own decoder (so the static columns are what the bytecode table
 * will hold), refuse in strict mode what cannot be proven yet, naming the
 * cycle, pc and instruction, and fill the row (or, for a read or write,
 * its rows).
 */
static cairn_status build_consume(void *vctx, uint64_t first, const cairn_fp *rows, size_t count,
                                  cairn_error *err)
{
    struct build_ctx *ctx = vctx;
    for (size_t i = 0; i < count; i++) {
        uint64_t cyc = first + i, x = ctx->x;
        if (cyc >= ctx->cycles)
            return CAIRN_OK;
        const cairn_fp *row = rows + i * CAIRN_WIT_WIDTH;
        uint32_t pc = (uint32_t)row[CAIRN_WIT_COL_PC].v, insn = (uint32_t)row[CAIRN_WIT_COL_INSN].v;
        zk_static st;
        const char *why = NULL;
        int ok = zk_decode(&st, pc, insn, &why);
        uint64_t a7 = row[CAIRN_WIT_COL_RS1_VAL].v, a0 = row[CAIRN_WIT_COL_RS2_VAL].v;
        int ecall = ok && st.f[ZK_F_ECALL].v != 0;
        unsigned j = !ecall ? 0 : a7 == 64 ? (a0 == 2 ? 2 : 1) : a7 == 63 ? 3 : 0;
        if (ctx->strict) {
            const char *name = cairn_wit_op_name((cairn_wit_op)row[CAIRN_WIT_COL_OP].v);
            if (!ok)
                return cairn_error_set(err, CAIRN_ERR_ARG,
                                       "cycle %llu: pc 0x%08x: instruction 0x%08x (%s) cannot be "
                                       "proven yet: %s",
                                       (unsigned long long)cyc, (unsigned)pc, (unsigned)insn, name,
                                       why);
            if (ecall && a7 != 93 && a7 != 64 && a7 != 63)
                return cairn_error_set(err, CAIRN_ERR_ARG,
                                       "cycle %llu: pc 0x%08x: ecall with a7 = %llu cannot be proven "
                                       "yet (exit 93, write 64 and read 63 can)",
                                       (unsigned long long)cyc, (unsigned)pc, (unsigned long long)a7);
            if (ecall && a7 == 93 && cyc != ctx->cycles - 1)
                return cairn_error_set(err, CAIRN_ERR_INTERNAL, "cycle %llu: exit before the end",
                                       (unsigned long long)cyc);
        }
        if (j != 0) {
            cairn_status s = emit_io(ctx, row, &st, j, err);
            if (s != CAIRN_OK)
                return s;
            continue;
        }
        if (!ok) /* test-only path: keep the pc, the row cannot match the table */
            zk_static_pad(&st), st.f[ZK_PC] = cairn_fp_make(pc);
        if (x >= ctx->T)
            return cairn_error_set(err, CAIRN_ERR_ARG, "more rows than the trace declares");
        uint64_t vd = ecall ? 0 : row[CAIRN_WIT_COL_RD_VAL].v;
        fill_row(ctx->w, &ctx->rf, x, &st, a7, a0, vd, 0);
        cairn_status rs = fill_ram(ctx->w, &ctx->rp, x, err);
        if (rs != CAIRN_OK)
            return rs;
        if (cyc == ctx->cycles - 1)
            ctx->w->exit_code = (uint32_t)a0;
        ctx->x = x + 1;
    }
    return CAIRN_OK;
}

cairn_status zk_witness_build(zk_witness *w, const cairn_rows *trace, uint64_t cycles, uint64_t T,
                              size_t n, const zk_bytecode *bc, const uint32_t init_regs[32],
                              const zk_ram *ram, const uint8_t *input, size_t input_len, int strict,
                              cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    uint64_t rows = UINT64_C(1) << n;
    zk_witness_clear(w);
    if (cycles == 0 || T < cycles || T >= rows || trace->rows_len < cycles ||
        trace->width != CAIRN_WIT_WIDTH)
        return cairn_error_set(err, CAIRN_ERR_ARG, "zk_witness_build: bad trace shape");
    w->n = n;
    w->T = T;
    size_t K = (size_t)1 << ram->k;
    cairn_fp *all = calloc((size_t)rows * ZK_NCOL, sizeof *all); /* I/O columns stay 0 elsewhere */
    w->pcnext = malloc((size_t)rows * ZK_NVIRT * sizeof *w->pcnext);
    w->fv = malloc(2 * K * sizeof *w->fv);
    if (all == NULL || w->pcnext == NULL || w->fv == NULL) {
        free(all);
        zk_witness_clear(w);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for %llu witness rows",
                               (unsigned long long)rows);
    }
    w->fts = w->fv + K;
    for (unsigned c = 0; c < ZK_NCOL; c++)
        w->col[c] = all + (size_t)c * rows;
    struct build_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    if ((st = zk_ram_replay_init(&ctx.rp, ram, err)) != CAIRN_OK)
        goto out;
    ctx.w = w;
    ctx.bc = bc;
    ctx.strict = strict;
    ctx.cycles = cycles;
    ctx.T = T;
    ctx.input = input;
    ctx.input_len = input_len;
    for (unsigned r = 0; r < 32; r++)
        ctx.rf.val[r] = init_regs[r];
    if ((st = cairn_rows_stream(trace, 0, cycles, build_consume, &ctx, err)) != CAIRN_OK)
        goto out;
    if (ctx.x != T) {
        st = cairn_error_set(err, CAIRN_ERR_ARG, "the trace filled %llu of %llu rows",
                             (unsigned long long)ctx.x, (unsigned long long)T);
        goto out;
    }
    zk_static pad;
    zk_static_pad(&pad);
    for (uint64_t x = T; x < rows && st == CAIRN_OK; x++) {
        fill_row(w, &ctx.rf, x, &pad, 0, 0, 0, 0);
        st = fill_ram(w, &ctx.rp, x, err);
    }
    if (st != CAIRN_OK)
        goto out;
    cairn_fp oi = cairn_fp_zero(), eof = cairn_fp_zero(); /* output bytes before each row; input over */
    for (uint64_t x = 0; x < rows; x++) {
        w->col[ZK_OI][x] = oi;
        oi = cairn_fp_add(oi, w->col[ZK_F_BO][x]);
        w->col[ZK_EOF][x] = eof;
        w->col[ZK_EC][x] = cairn_fp_mul(eof, w->col[ZK_CNT][x]);
        eof = cairn_fp_add(eof, w->col[ZK_ENDS][x]);
    }
    zk_witness_pcnext(w);
    zk_witness_finals(w, init_regs, ram);
out:
    zk_ram_replay_clear(&ctx.rp);
    if (st != CAIRN_OK)
        zk_witness_clear(w);
    return st;
}

/* The shifted columns: pc, cnt, ptr, oi at x + 1 (0 past the last row). */
void zk_witness_pcnext(zk_witness *w)
{
    uint64_t rows = UINT64_C(1) << w->n;
    for (unsigned v = 0; v < ZK_NVIRT; v++) {
        cairn_fp *o = w->pcnext + (size_t)v * rows;
        const cairn_fp *c = w->col[zk_shifted[v]];
        for (uint64_t x = 0; x + 1 < rows; x++)
            o[x] = c[x + 1];
        o[rows - 1] = cairn_fp_zero();
    }
}

/*
 * The last write of each register (slots in order) and of each RAM word, as
 * the memory arguments' final sets.  A RAM write whose word address is not
 * a word of the region (only after tampering) is skipped: no final tuple
 * can match it.
 */
void zk_witness_finals(zk_witness *w, const uint32_t init_regs[32], const zk_ram *ram)
{
    uint64_t rows = UINT64_C(1) << w->n;
    for (unsigned r = 0; r < 32; r++) {
        w->final_val[r] = init_regs[r];
        w->final_ts[r] = 0;
    }
    static const unsigned reg[3] = {ZK_RS1, ZK_RS2, ZK_RD}, val[3] = {ZK_V1, ZK_V2, ZK_VD};
    for (uint64_t x = 0; x < rows; x++)
        for (unsigned s = 0; s < 3; s++) {
            unsigned r = (unsigned)(w->col[reg[s]][x].v & 31);
            w->final_val[r] = (uint32_t)w->col[val[s]][x].v;
            w->final_ts[r] = 4 * x + s + 1;
        }
    uint64_t K = UINT64_C(1) << ram->k;
    for (uint64_t j = 0; j < K; j++)
        w->fv[j] = cairn_fp_from_u64(ram->init[j]), w->fts[j] = cairn_fp_zero();
    for (uint64_t x = 0; x < rows; x++) {
        uint64_t fm = 0;
        for (unsigned c = ZK_F_LB; c <= ZK_F_SW; c++)
            fm += w->col[c][x].v;
        uint64_t a = w->col[ZK_EA][x].v - w->col[ZK_O1][x].v - 2 * w->col[ZK_O2][x].v;
        if (fm != 1 || w->col[ZK_EA][x].v > UINT32_MAX || a > UINT32_MAX || (a & 3) != 0 ||
            a < ram->base || (a - ram->base) / 4 >= K)
            continue;
        uint64_t j = (a - ram->base) / 4;
        w->fv[j] = w->col[ZK_MNEW][x];
        w->fts[j] = cairn_fp_from_u64(x + 1);
    }
}

void zk_witness_z(cairn_fp *z, const zk_witness *w, uint64_t x)
{
    for (unsigned c = 0; c < ZK_NCOL; c++)
        z[c] = w->col[c][x];
    for (unsigned v = 0; v < ZK_NVIRT; v++)
        z[ZK_Z_PCNEXT + v] = w->pcnext[((size_t)v << w->n) + x];
    z[ZK_Z_ONE] = cairn_fp_one();
    z[ZK_Z_ID] = cairn_fp_from_u64(x);
    z[ZK_Z_PADS] = cairn_fp_make(x >= w->T);
    z[ZK_Z_FIRST] = cairn_fp_make(x == 0);
    z[ZK_Z_LAST] = cairn_fp_make(x == w->T - 1);
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

/* ---- the translation into the lean row ---- */

/* Canonical value of column c on row x. */
#define COL(w, c, x) ((w)->col[(c)][(x)].v)

cairn_status zl_fill(cairn_fp *cells, const zk_witness *w, const zk_bytecode *bc,
                     cairn_error *err)
{
    (void)err;
    uint64_t rows = UINT64_C(1) << w->n;
    uint64_t last[32] = {0}; /* register timestamps of the lean accesses */
    cairn_fp z[ZK_NZ];
    for (uint64_t x = 0; x < rows; x++) {
        cairn_fp *c = cells + x * ZL_NCELL;
        memset(c, 0, ZL_NCELL * sizeof *c);
        zk_witness_z(z, w, x);
        int64_t idx = zk_bytecode_find(bc, z);
        if (idx < 0) {
            /*
             * A row the table does not have (a lying trace: a pc with bit 0
             * set, a changed static column): the entry of its word, or the
             * padding entry; the checker then sees what does not follow.
             */
            uint64_t pc = COL(w, ZK_PC, x) & ~UINT64_C(3);
            idx = (int64_t)bc->count;
            if (pc >= bc->text_base && (pc - bc->text_base) / 4 < bc->text_words &&
                bc->index[(pc - bc->text_base) / 4] >= 0)
                idx = bc->index[(pc - bc->text_base) / 4];
        }
        c[ZL_PCI] = cairn_fp_from_u64((uint64_t)idx);
        uint64_t v1 = COL(w, ZK_V1, x);
        uint64_t B = cairn_fp_add(cairn_fp_add(w->col[ZK_V2][x], w->col[ZK_IMM][x]),
                                  w->col[ZK_INB][x]).v;
        for (unsigned i = 0; i < 4; i++)
            c[ZL_J0 + i] = cairn_fp_from_u64(((v1 >> (8 * i)) & 0xff) +
                                             256 * ((B >> (8 * i)) & 0xff));
        int mem = (COL(w, ZK_F_LB, x) | COL(w, ZK_F_LBU, x) | COL(w, ZK_F_LH, x) |
                   COL(w, ZK_F_LHU, x) | COL(w, ZK_F_LW, x) | COL(w, ZK_F_SB, x) |
                   COL(w, ZK_F_SH, x) | COL(w, ZK_F_SW, x)) != 0;
        int st = (COL(w, ZK_F_SB, x) | COL(w, ZK_F_SH, x) | COL(w, ZK_F_SW, x)) != 0;
        int swr = COL(w, ZK_F_SWR, x) != 0, srd = COL(w, ZK_F_SRD, x) != 0;
        int byte = (COL(w, ZK_F_BO, x) | COL(w, ZK_F_BE, x) | COL(w, ZK_F_BI, x)) != 0;
        int wbyte = (COL(w, ZK_F_BO, x) | COL(w, ZK_F_BE, x)) != 0;
        int shift = (COL(w, ZK_F_SLL, x) | COL(w, ZK_F_SRL, x) | COL(w, ZK_F_SRA, x)) != 0;
        uint64_t xv, kv = COL(w, ZK_K, x), hv = 0;
        if (mem) {
            xv = COL(w, ZK_EA, x);
            kv = COL(w, ZK_KA, x);
        } else if (swr || srd) {
            xv = srd ? COL(w, ZK_GAP, x) : 0;
            kv = 0;
        } else if (COL(w, ZK_D1, x) != 0) {
            /* BEQ/BNE: the first prover tests v1 = B with an inverse; here x = v1 - B */
            xv = (v1 - B) & (TWO32 - 1);
            kv = (v1 & (TWO32 - 1)) < (B & (TWO32 - 1));
        } else {
            xv = COL(w, ZK_X, x);
        }
        if (shift)
            hv = COL(w, ZK_HI, x);
        else if (swr || srd)
            hv = COL(w, ZK_CNT, x);
        else if (byte)
            hv = COL(w, ZK_CNT, x) - 1;
        zl_limbs(&c[ZL_XL], &c[ZL_XH], xv);
        c[ZL_K] = cairn_fp_make(kv & 1);
        zl_limbs(&c[ZL_HL], &c[ZL_HH], hv);
        uint64_t old = COL(w, ZK_M0, x) + 256 * COL(w, ZK_M1, x) + 65536 * COL(w, ZK_M2, x) +
                       16777216 * COL(w, ZK_M3, x);
        c[ZL_VD] = wbyte ? w->col[ZK_YB][x] : w->col[ZK_VD][x];
        if (COL(w, ZK_WR, x) != 0)
            c[ZL_DELTA] = cairn_fp_sub(w->col[ZK_VD][x], w->col[ZK_VDO][x]);
        else if (st)
            c[ZL_DELTA] = cairn_fp_sub(w->col[ZK_MNEW][x], cairn_fp_from_u64(old));
        /* register timestamps: rs1 always, rs2 unless a read's byte row, rd when written */
        uint64_t reg[3] = {COL(w, ZK_RS1, x), COL(w, ZK_RS2, x), COL(w, ZK_RD, x)};
        int use[3] = {1, COL(w, ZK_F_BI, x) == 0, COL(w, ZK_WR, x) != 0};
        for (unsigned s = 0; s < 3; s++) {
            if (!use[s] || reg[s] >= 32)
                continue;
            uint64_t now = 4 * x + s + 1;
            zl_limbs(&c[ZL_T1L + 2 * s], &c[ZL_T1H + 2 * s], now - last[reg[s]] - 1);
            last[reg[s]] = now;
        }
        c[ZL_MP0] = cairn_fp_from_u64(COL(w, ZK_M0, x) + 256 * COL(w, ZK_M1, x));
        c[ZL_MP1] = cairn_fp_from_u64(COL(w, ZK_M2, x) + 256 * COL(w, ZK_M3, x));
        if (mem)
            zl_limbs(&c[ZL_EML], &c[ZL_EMH], x - COL(w, ZK_TM, x));
        c[ZL_OI] = w->col[ZK_OI][x];
        c[ZL_EOF] = w->col[ZK_EOF][x];
        c[ZL_RO] = w->col[ZK_RO][x];
    }
    return CAIRN_OK;
}
