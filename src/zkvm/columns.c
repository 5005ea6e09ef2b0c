/*
 * columns.c — the witness of the proof: the committed per-cycle columns,
 * computed from trace rows (cairn/witness.h layout) streamed in cycle order
 * through a cairn_rows source, with the register file replayed alongside
 * for the previous values and timestamps; the virtual pc_next; the final
 * registers; the LogUp multiplicities and helper columns; and the
 * constraint checker that evaluates every row directly (the fast, plain
 * reference the tests hold the protocol to).  RAM is replayed next to the
 * register file (O(K) words, DESIGN.md §2) for the RAM columns and the
 * final memory.
 *
 * Every column is a pure function of the static columns (from our own
 * decoder) and the trace's register values, so a stream of rows in order
 * yields the columns in order (docs/arithmetization.md, "columns").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/witness.h"
#include "zkvm_internal.h"

#define MASK32 UINT64_C(0xffffffff)

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
 * back.  trace_row is the row's trace (NULL on padding rows, which never
 * access memory).
 */
static cairn_status fill_ram(zk_witness *w, zk_ram_replay *rp, uint64_t x, const cairn_fp *trace_row,
                             cairn_error *err)
{
    cairn_fp o[ZR_N];
    static const cairn_fp none[CAIRN_WIT_WIDTH];
    for (unsigned i = 0; i < ZR_N; i++)
        o[i] = zk_ram_zmap[i] < ZK_NCOL ? w->col[zk_ram_zmap[i]][x] : cairn_fp_zero();
    o[ZR_ID] = cairn_fp_from_u64(x);
    o[ZR_ONE] = cairn_fp_one();
    cairn_status st = zk_ram_row(o, rp, x, trace_row != NULL ? trace_row : none, err);
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
    if ((st = fill_ram(w, &ctx->rp, x, row, err)) != CAIRN_OK)
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
    if ((st = fill_ram(w, &ctx->rp, x, row, err)) != CAIRN_OK)
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
        if ((st = fill_ram(w, &ctx->rp, x, row, err)) != CAIRN_OK)
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
        cairn_status rs = fill_ram(ctx->w, &ctx->rp, x, row, err);
        if (rs != CAIRN_OK)
            return rs;
        if (cyc == ctx->cycles - 1)
            ctx->w->exit_code = (uint32_t)a0;
        ctx->x = x + 1;
    }
    return CAIRN_OK;
}

/* The row counter's consumer: one row per cycle, plus 1 + count per read or write. */
static cairn_status count_consume(void *vctx, uint64_t first, const cairn_fp *rows, size_t count,
                                  cairn_error *err)
{
    uint64_t *T = vctx;
    (void)first;
    for (size_t i = 0; i < count; i++) {
        const cairn_fp *row = rows + i * CAIRN_WIT_WIDTH;
        uint64_t a7 = row[CAIRN_WIT_COL_RS1_VAL].v;
        *T += 1;
        if (row[CAIRN_WIT_COL_OP].v == CAIRN_WIT_OP_ECALL && (a7 == 63 || a7 == 64))
            *T += 1 + row[CAIRN_WIT_COL_RD_VAL].v;
        if (*T >= CAIRN_ZKVM_MAX_CYCLES)
            return cairn_error_set(err, CAIRN_ERR_LIMIT,
                                   "the run needs %llu rows or more (instructions plus one row "
                                   "per byte read or written)",
                                   (unsigned long long)CAIRN_ZKVM_MAX_CYCLES);
    }
    return CAIRN_OK;
}

cairn_status zk_trace_rows(uint64_t *rows, const cairn_rows *trace, uint64_t cycles,
                           cairn_error *err)
{
    *rows = 0;
    if (cycles == 0 || trace->rows_len < cycles || trace->width != CAIRN_WIT_WIDTH)
        return cairn_error_set(err, CAIRN_ERR_ARG, "zk_trace_rows: bad trace shape");
    return cairn_rows_stream(trace, 0, cycles, count_consume, rows, err);
}

uint64_t zk_vm_trace_rows(const cairn_vm *vm)
{
    return vm->cycles + vm->io_calls + vm->input_pos + vm->output_len + vm->diag_len;
}

size_t zk_vars_for(uint64_t T)
{
    size_t n = 1;
    while ((UINT64_C(1) << n) <= T)
        n++;
    return n;
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
    if ((st = zk_ram_replay_init(&ctx.rp, ram, 1, err)) != CAIRN_OK)
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
        st = fill_ram(w, &ctx.rp, x, NULL, err);
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

static void frac_fields(cairn_fp *out, const zk_frac *f, const cairn_fp *z)
{
    for (unsigned i = 0; i < f->nfields; i++)
        out[i] = zk_lin_eval_fp(&f->f[i], z);
}

cairn_status zk_mults(cairn_fp *mL, cairn_fp *mB, const zk_witness *w, const zk_air *air,
                      const zk_bytecode *bc, unsigned n_tab, cairn_error *err)
{
    uint64_t rows = UINT64_C(1) << w->n, tab = UINT64_C(1) << n_tab;
    cairn_fp z[ZK_NZ], fld[ZK_MAX_FIELDS];
    (void)err;
    memset(mL, 0, (size_t)tab * sizeof *mL);
    memset(mB, 0, (size_t)tab * sizeof *mB);
    for (uint64_t x = 0; x < rows; x++) {
        zk_witness_z(z, w, x);
        for (unsigned i = 0; i < air->nfrac; i++) {
            const zk_frac *f = &air->frac[i];
            int64_t idx = -1;
            cairn_fp g = zk_frac_gate(f, z); /* the fraction counts g times */
            if (cairn_fp_is_zero(g))
                continue;
            if (f->table == ZK_TAB_L) {
                frac_fields(fld, f, z);
                idx = zk_ltab_index(fld);
                if (idx >= 0)
                    mL[idx] = cairn_fp_add(mL[idx], g);
            } else if (f->table == ZK_TAB_B) {
                idx = zk_bytecode_find(bc, z);
                if (idx >= 0)
                    mB[idx] = cairn_fp_add(mB[idx], g);
            }
        }
    }
    return CAIRN_OK;
}

#define HELP_CHUNK 2048u

/*
 * h_g = sum_i m_i / (alpha - fp_i) for every row and group, by batch
 * inversion of the denominators of a chunk of rows at a time.
 */
cairn_status zk_helpers(cairn_fp **h, cairn_fp2 sum[ZK_NKIND], const zk_witness *w,
                        const zk_air *air, const zk_chal *ch, cairn_error *err)
{
    uint64_t rows = UINT64_C(1) << w->n;
    size_t nf = air->nfrac;
    cairn_fp2 *den = calloc((size_t)HELP_CHUNK * nf, sizeof *den);
    cairn_fp *zs = malloc((size_t)HELP_CHUNK * ZK_NZ * sizeof *zs); /* the chunk's z rows (gates) */
    if (den == NULL || zs == NULL) {
        free(den);
        free(zs);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the helper columns");
    }
    for (unsigned kd = 0; kd < ZK_NKIND; kd++)
        sum[kd] = cairn_fp2_zero();
    for (uint64_t x0 = 0; x0 < rows; x0 += HELP_CHUNK) {
        size_t cnt = rows - x0 < HELP_CHUNK ? (size_t)(rows - x0) : HELP_CHUNK;
        for (size_t i = 0; i < cnt; i++) {
            cairn_fp *z = zs + i * ZK_NZ;
            zk_witness_z(z, w, x0 + i);
            for (size_t f = 0; f < nf; f++)
                den[i * nf + f] = cairn_fp2_sub(ch->alpha, zk_frac_fp(&air->frac[f], ch, z));
        }
        if (cairn_fp2_batch_inv(den, den, cnt * nf) != CAIRN_OK) {
            free(den);
            free(zs);
            return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for batch inversion");
        }
        for (size_t i = 0; i < cnt; i++) {
            for (unsigned g = 0; g < air->ngroups; g++) {
                const zk_group *gr = &air->groups[g];
                cairn_fp2 v = cairn_fp2_zero();
                for (unsigned j = 0; j < gr->nfrac; j++) {
                    const zk_frac *f = &air->frac[gr->frac[j]];
                    cairn_fp2 q = den[i * nf + gr->frac[j]];
                    if (f->gate.len != 0)
                        q = cairn_fp2_mul_fp(q, zk_lin_eval_fp(&f->gate, zs + i * ZK_NZ));
                    v = f->sign > 0 ? cairn_fp2_add(v, q) : cairn_fp2_sub(v, q);
                }
                h[2 * g][x0 + i] = v.c0;
                h[2 * g + 1][x0 + i] = v.c1;
                sum[gr->kind] = cairn_fp2_add(sum[gr->kind], v);
            }
        }
    }
    free(den);
    free(zs);
    return CAIRN_OK;
}

static cairn_fp2 mem_term(const zk_chal *ch, unsigned r, uint64_t v, uint64_t ts)
{
    const cairn_fp2 *g = ch->gamma[ZK_TAB_M];
    cairn_fp2 fp = cairn_fp2_add(cairn_fp2_add(ch->beta[ZK_TAB_M], cairn_fp2_from_fp(cairn_fp_make(r))),
                                 cairn_fp2_add(cairn_fp2_mul_fp(g[1], cairn_fp_from_u64(v)),
                                               cairn_fp2_mul_fp(g[2], cairn_fp_from_u64(ts))));
    return cairn_fp2_inv(cairn_fp2_sub(ch->alpha, fp));
}

/* One batch inversion over the output's denominators: the verifier runs this, O(len). */
cairn_status zk_output_sum(cairn_fp2 *out, const zk_chal *ch, const uint8_t *output, size_t len,
                           cairn_error *err)
{
    cairn_fp2 acc = cairn_fp2_zero();
    cairn_fp2 *d = calloc(len ? len : 1, sizeof *d);
    if (d == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the output sum");
    for (size_t i = 0; i < len; i++) {
        cairn_fp2 fp = cairn_fp2_add(ch->beta[ZK_TAB_O], cairn_fp2_from_fp(cairn_fp_from_u64(i)));
        fp = cairn_fp2_add(fp, cairn_fp2_mul_fp(ch->gamma[ZK_TAB_O][1], cairn_fp_make(output[i])));
        d[i] = cairn_fp2_sub(ch->alpha, fp);
        if (cairn_fp2_is_zero(d[i])) {
            free(d);
            return cairn_error_set(err, CAIRN_ERR_REJECTED,
                                   "output byte %zu: fingerprint equals alpha", i);
        }
    }
    if (len > 0 && cairn_fp2_batch_inv(d, d, len) != CAIRN_OK) {
        free(d);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the output sum");
    }
    for (size_t i = 0; i < len; i++)
        acc = cairn_fp2_add(acc, d[i]);
    free(d);
    *out = acc;
    return CAIRN_OK;
}

cairn_fp2 zk_mem_boundary(const zk_chal *ch, const uint32_t init[32], const uint32_t fval[32],
                          const uint64_t fts[32])
{
    cairn_fp2 acc = cairn_fp2_zero();
    for (unsigned r = 0; r < 32; r++) {
        acc = cairn_fp2_add(acc, mem_term(ch, r, fval[r], fts[r]));
        acc = cairn_fp2_sub(acc, mem_term(ch, r, init[r], 0));
    }
    return acc;
}

/* The registers and RAM words as the checker replays them from the access tuples. */
struct replay {
    uint64_t val[32], ts[32];
    uint64_t *mval, *mts; /* 2^k words */
    const zk_ram *ram;
};

/*
 * One register or RAM access tuple against the replay: a read must see the
 * value and timestamp of the last write (and, for RAM, a word of the region
 * with its true read-only bit); a write must advance the timestamp.  NULL
 * when it holds (the write applied), else what is wrong.
 */
static const char *replay_access(struct replay *rp, const zk_frac *f, const cairn_fp *fld)
{
    uint64_t a = fld[0].v;
    if (f->table == ZK_TAB_M) {
        if (a >= 32)
            return "register out of range";
        if (f->sign < 0)
            return fld[1].v != rp->val[a] || fld[2].v != rp->ts[a] ? "reads a stale value or time"
                                                                    : NULL;
        if (fld[2].v <= rp->ts[a])
            return "time goes back";
        rp->val[a] = fld[1].v, rp->ts[a] = fld[2].v;
        return NULL;
    }
    if (a >= (UINT64_C(1) << rp->ram->k))
        return "word outside the RAM region";
    if (fld[1].v != (uint64_t)(a >= rp->ram->text_lo && a < rp->ram->text_hi))
        return "wrong read-only bit";
    if (f->sign < 0)
        return fld[2].v != rp->mval[a] || fld[3].v != rp->mts[a] ? "reads a stale value or time"
                                                                 : NULL;
    if (fld[3].v <= rp->mts[a])
        return "time goes back";
    rp->mval[a] = fld[2].v, rp->mts[a] = fld[3].v;
    return NULL;
}

/*
 * The checker's one walk over the rows: every R1CS row, every lookup
 * against its table, the register and RAM accesses replayed, pc_next, then
 * the final sets.  With masks (r1cs, fracs non-NULL) it records every
 * violation (bit k of *r1cs for R1CS row k, bit i of *fracs for fraction i)
 * and goes on; without, it stops at the first and names it.
 */
static cairn_status walk(const zk_witness *w, const zk_air *air, const zk_bytecode *bc,
                         const uint32_t init_regs[32], const zk_ram *ram, zk_masks *m,
                         cairn_error *err)
{
    uint64_t rows = UINT64_C(1) << w->n, K = UINT64_C(1) << ram->k;
    cairn_fp z[ZK_NZ], fld[ZK_MAX_FIELDS];
    cairn_status st = CAIRN_OK;
    struct replay rp;
    int all = m != NULL;
    if (all)
        memset(m, 0, sizeof *m);
    rp.ram = ram;
    rp.mval = malloc((size_t)K * sizeof *rp.mval);
    rp.mts = calloc((size_t)K, sizeof *rp.mts);
    uint8_t *seen = calloc(w->output_len + 1, 1); /* output bytes matched so far */
    if (rp.mval == NULL || rp.mts == NULL || seen == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the checker's RAM replay");
        goto out;
    }
    for (uint64_t j = 0; j < K; j++)
        rp.mval[j] = ram->init[j];
    for (unsigned r = 0; r < 32; r++)
        rp.val[r] = init_regs[r], rp.ts[r] = 0;
    for (uint64_t x = 0; x < rows; x++) {
        zk_witness_z(z, w, x);
        for (unsigned k = 0; k < air->nr1cs; k++) {
            const zk_r1cs *r = &air->r1cs[k];
            cairn_fp v = cairn_fp_sub(cairn_fp_mul(zk_lin_eval_fp(&r->a, z), zk_lin_eval_fp(&r->b, z)),
                                      zk_lin_eval_fp(&r->c, z));
            if (cairn_fp_is_zero(v))
                continue;
            if (all) {
                m->r1cs[k / 64] |= UINT64_C(1) << (k % 64);
                continue;
            }
            st = cairn_error_set(err, CAIRN_ERR_REJECTED, "row %llu (pc 0x%llx): constraint %s violated",
                                 (unsigned long long)x, (unsigned long long)z[ZK_PC].v, r->name);
            goto out;
        }
        for (unsigned i = 0; i < air->nfrac; i++) {
            const zk_frac *f = &air->frac[i];
            cairn_fp g = zk_frac_gate(f, z);
            if (cairn_fp_is_zero(g))
                continue; /* contributes nothing on this row */
            frac_fields(fld, f, z);
            const char *bad = NULL;
            if ((f->table == ZK_TAB_M || f->table == ZK_TAB_R) && g.v != 1)
                bad = "gate is not 0 or 1";
            else if (f->table == ZK_TAB_L)
                bad = zk_ltab_index(fld) < 0 ? "not in table L" : NULL;
            else if (f->table == ZK_TAB_B)
                bad = zk_bytecode_find(bc, z) < 0 ? "(pc, static columns) not in the bytecode table"
                                                  : NULL;
            else if (f->table == ZK_TAB_O)
                bad = g.v != 1 || fld[0].v >= w->output_len || seen[fld[0].v] ||
                              fld[1].v != w->output[fld[0].v]
                          ? "not the next byte of the public output"
                          : (seen[fld[0].v] = 1, NULL);
            else
                bad = replay_access(&rp, f, fld);
            if (bad == NULL)
                continue;
            if (all) {
                m->fracs[i / 64] |= UINT64_C(1) << (i % 64);
                continue;
            }
            st = cairn_error_set(err, CAIRN_ERR_REJECTED, "row %llu (pc 0x%llx): %s: %s",
                                 (unsigned long long)x, (unsigned long long)z[ZK_PC].v, f->name, bad);
            goto out;
        }
        for (unsigned v = 0; v < ZK_NVIRT && !all && x + 1 < rows; v++)
            if (!cairn_fp_eq(z[ZK_Z_PCNEXT + v], w->col[zk_shifted[v]][x + 1])) {
                st = cairn_error_set(err, CAIRN_ERR_REJECTED, "row %llu: %s of the next row differs",
                                     (unsigned long long)x, zk_col_names[zk_shifted[v]]);
                goto out;
            }
    }
    if (all)
        goto out;
    for (unsigned r = 0; r < 32; r++)
        if (rp.val[r] != w->final_val[r] || rp.ts[r] != w->final_ts[r]) {
            st = cairn_error_set(err, CAIRN_ERR_REJECTED, "final register x%u differs", r);
            goto out;
        }
    for (uint64_t j = 0; j < K; j++)
        if (rp.mval[j] != w->fv[j].v || rp.mts[j] != w->fts[j].v) {
            st = cairn_error_set(err, CAIRN_ERR_REJECTED, "final memory word %llu differs",
                                 (unsigned long long)j);
            goto out;
        }
    for (size_t i = 0; i < w->output_len; i++)
        if (!seen[i]) {
            st = cairn_error_set(err, CAIRN_ERR_REJECTED, "output byte %zu was never written", i);
            goto out;
        }
out:
    free(rp.mval);
    free(rp.mts);
    free(seen);
    return st;
}

cairn_status zk_check(const zk_witness *w, const zk_air *air, const zk_bytecode *bc,
                      const uint32_t init_regs[32], const zk_ram *ram, cairn_error *err)
{
    return walk(w, air, bc, init_regs, ram, NULL, err);
}

void zk_check_masks(const zk_witness *w, const zk_air *air, const zk_bytecode *bc,
                    const uint32_t init_regs[32], const zk_ram *ram, zk_masks *m)
{
    (void)walk(w, air, bc, init_regs, ram, m, NULL);
}
