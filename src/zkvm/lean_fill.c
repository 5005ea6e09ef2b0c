/*
 * lean_fill.c — the lean row's witness as a row source (docs/zkvm-v2.md
 * §3, §7): the 25 cells of every row, computed while streaming the VM's
 * trace rows in cycle order, with the register file and the RAM replayed
 * alongside (RAM through the same replay as the first prover, ram.c), a
 * read or write system call expanded into its ECALL, setup and byte rows
 * (docs/arithmetization.md §8), and padding rows up to 2^n.
 *
 * The rows come out of a row machine (zl_filler): it takes the trace rows
 * in cycle order and hands out every row of each, one at a time, so a
 * system call of many bytes never needs a buffer of its rows, and between
 * two trace rows its state is all a later row depends on.  A stream of
 * rows [a, b) replays the trace from its first row, because each row's
 * cells depend on the register file, the memory and the I/O state before
 * it; the rows before a are computed and dropped, and the trace stream
 * stops once row b is handed over.  That is the linear-space source.
 * Memory: the replayed RAM (2^k words and their timestamps), the register
 * file, and one chunk of ZL_CHUNK rows.  Checkpoint replay (DESIGN.md §3,
 * lean_replay.c) runs the same machine from the nearest checkpoint
 * instead of the first row; the cells do not change.
 *
 * The cells are the ones zl_filler (tests/zk_witness.c) translates from the
 * first prover's columns (tests compare the two on every row), and every value is
 * recomputed from the instruction's semantics on the operands the trace
 * reports, so a trace that lies about a result leaves cells that the
 * constraints reject.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/witness.h"
#include "zkvm_internal.h"

#define ZL_CHUNK 1024u
#define MASK32 UINT64_C(0xffffffff)

/* What one lean row needs beyond its bytecode entry. */
struct rowin {
    uint64_t idx;            /* pc_idx */
    const zk_static *st;
    uint64_t v1, v2, vd, inb;
    uint64_t cnt_left;       /* hi on setup rows (count) and byte rows (bytes left after) */
    uint64_t gap;            /* a read's setup row: len - count */
    int ends;                /* this setup row ends the input */
};

/*
 * Compute row f->x from rin into c.  Registers, RAM and I/O state advance
 * as the row says, and f->x moves on.
 */
static cairn_status emit(zl_filler *f, const struct rowin *rin, cairn_fp c[ZL_NCELL],
                         cairn_error *err)
{
    const cairn_fp *sf = rin->st->f;
    uint64_t x = f->x;
    cairn_status st;
    memset(c, 0, ZL_NCELL * sizeof *c);
    c[ZL_PCI] = cairn_fp_from_u64(rin->idx);
    uint64_t v1 = rin->v1 & MASK32, B = (rin->v2 + sf[ZK_IMM].v + rin->inb) & MASK32;
    for (unsigned i = 0; i < 4; i++)
        c[ZL_J0 + i] = cairn_fp_from_u64(((v1 >> (8 * i)) & 0xff) + 256 * ((B >> (8 * i)) & 0xff));
    int shift = sf[ZK_F_SLL].v || sf[ZK_F_SRL].v || sf[ZK_F_SRA].v;
    int set = sf[ZK_F_SWR].v || sf[ZK_F_SRD].v;
    int byte = sf[ZK_F_BO].v || sf[ZK_F_BE].v || sf[ZK_F_BI].v;
    int st_ = sf[ZK_F_SB].v || sf[ZK_F_SH].v || sf[ZK_F_SW].v;
    int mem = st_ || sf[ZK_F_LB].v || sf[ZK_F_LBU].v || sf[ZK_F_LH].v || sf[ZK_F_LHU].v ||
              sf[ZK_F_LW].v;
    uint64_t xv = 0, k = 0, hi = 0;
    if (sf[ZK_F_ADD].v) {
        uint64_t s = v1 + B;
        xv = s & MASK32, k = (s >> 32) & 1;
    } else if (sf[ZK_F_SUB].v || sf[ZK_D1].v) {
        k = v1 < B, xv = (v1 - B) & MASK32;
    } else if (sf[ZK_F_SLT].v) {
        uint64_t a = v1 ^ UINT64_C(0x80000000), bb = B ^ UINT64_C(0x80000000);
        k = a < bb, xv = (a - bb) & MASK32;
    } else if (shift) {
        uint64_t P, sel, fill;
        zk_shift_entry((uint32_t)(B & 0xff), (uint32_t)(sf[ZK_F_SRL].v + 2 * sf[ZK_F_SRA].v), &P,
                       &sel, &fill);
        uint64_t prod = v1 * P; /* < 2^63 */
        xv = prod & MASK32, hi = prod >> 32;
    }
    unsigned m = rin->st->m;
    if (m >= ZK_M_DIV) {
        /* docs/zkvm-v2.md §4: quotient, remainder, slack, zero divisor, overflow */
        uint64_t q, r, z = B == 0, ovf = 0;
        int64_t e;
        if (m == ZK_M_DIVU || m == ZK_M_REMU) {
            q = z ? MASK32 : v1 / B, r = z ? v1 : v1 % B;
            e = (int64_t)B - (int64_t)r - 1;
        } else {
            int64_t ns = (int32_t)(uint32_t)v1, ds = (int32_t)(uint32_t)B, qs, rs;
            if (z)
                qs = -1, rs = ns;
            else if (ns == INT32_MIN && ds == -1)
                qs = INT32_MIN, rs = 0, ovf = 1;
            else
                qs = ns / ds, rs = ns % ds; /* C truncates, as RISC-V does */
            q = (uint64_t)qs & MASK32, r = (uint64_t)rs & MASK32;
            e = (ds < 0 ? -ds : ds) - (rs < 0 ? -rs : rs) - 1;
        }
        xv = r, hi = (uint64_t)(e + (int64_t)(z << 32)), k = z;
        zl_limbs(&c[ZL_MP0], &c[ZL_MP1], q);
        c[ZL_RO] = cairn_fp_make(ovf);
    } else if (m != ZK_M_NONE) {
        /* docs/zkvm-v2.md §4: the low product and its carry, the high word and its wrap */
        uint64_t a0 = v1 & 0xffff, a1 = v1 >> 16, b0 = B & 0xffff, b1 = B >> 16;
        uint64_t mid = a0 * b0 + ((a0 * b1 + a1 * b0) << 16); /* < 2^50 */
        uint64_t carry = mid >> 32, u = a1 * b1 + carry; /* u: the unsigned high word */
        uint64_t s = ((m == ZK_M_MULH || m == ZK_M_MULHSU) ? (v1 >> 31) * B : 0) +
                     (m == ZK_M_MULH ? (B >> 31) * v1 : 0);
        uint64_t wrap = (s + MASK32 - u) >> 32; /* ceil((s - u) / 2^32), at least 0: u - s lifted */
        xv = mid & MASK32, k = carry >> 16, hi = m == ZK_M_MUL ? u : u + (wrap << 32) - s;
        if (m == ZK_M_MUL)
            wrap = 0;
        c[ZL_EML] = cairn_fp_make(carry & 0xffff);
        c[ZL_EMH] = cairn_fp_make(wrap);
    }
    if (set) {
        xv = rin->gap, k = 0, hi = rin->cnt_left;
    } else if (byte) {
        hi = rin->cnt_left;
    }
    /* RAM: the same replay as the first prover's (ram.c), on its own z vector */
    cairn_fp o[ZR_N];
    uint64_t ramold = 0;
    memset(o, 0, sizeof o);
    if (mem) {
        o[ZR_V1] = cairn_fp_from_u64(v1);
        o[ZR_V2] = cairn_fp_from_u64(rin->v2 & MASK32);
        o[ZR_OFF] = sf[ZK_OFF];
        o[ZR_C0] = cairn_fp_from_u64(B & 0xff);
        o[ZR_C1] = cairn_fp_from_u64((B >> 8) & 0xff);
        o[ZR_PTR] = cairn_fp_from_u64(byte ? rin->gap : 0); /* a byte row's address */
        for (unsigned i = 0; i < 8; i++)
            o[ZR_F_LB + i] = sf[ZK_F_LB + i];
        o[ZR_ID] = cairn_fp_from_u64(x);
        o[ZR_ONE] = cairn_fp_one();
        if ((st = zk_ram_row(o, &f->rp, x, err)) != CAIRN_OK)
            return st;
        xv = o[ZR_EA].v, k = byte ? 0 : o[ZR_KA].v;
        ramold = o[ZR_M0].v + 256 * o[ZR_M1].v + 65536 * o[ZR_M2].v + 16777216 * o[ZR_M3].v;
        c[ZL_MP0] = cairn_fp_from_u64(o[ZR_M0].v + 256 * o[ZR_M1].v);
        c[ZL_MP1] = cairn_fp_from_u64(o[ZR_M2].v + 256 * o[ZR_M3].v);
        zl_limbs(&c[ZL_EML], &c[ZL_EMH], x - o[ZR_TM].v);
        c[ZL_RO] = o[ZR_RO];
    }
    zl_limbs(&c[ZL_XL], &c[ZL_XH], xv);
    c[ZL_K] = cairn_fp_make(k);
    zl_limbs(&c[ZL_HL], &c[ZL_HH], hi);
    /* registers: rs1 always, rs2 unless a read's byte row, rd when written */
    unsigned reg[3] = {(unsigned)sf[ZK_RS1].v & 31, (unsigned)sf[ZK_RS2].v & 31,
                       (unsigned)sf[ZK_RD].v & 31};
    int use[3] = {1, sf[ZK_F_BI].v == 0, sf[ZK_WR].v != 0};
    uint64_t vals[3] = {rin->v1, rin->v2, rin->vd};
    uint64_t vdo = f->val[reg[2]];
    for (unsigned s = 0; s < 3; s++) {
        if (!use[s])
            continue;
        uint64_t now = 4 * x + s + 1;
        zl_limbs(&c[ZL_T1L + 2 * s], &c[ZL_T1H + 2 * s], now - f->last[reg[s]] - 1);
        f->last[reg[s]] = now;
        f->val[reg[s]] = vals[s];
    }
    int wbyte = sf[ZK_F_BO].v || sf[ZK_F_BE].v;
    c[ZL_VD] = cairn_fp_from_u64(wbyte ? o[ZR_YB].v : rin->vd);
    if (sf[ZK_WR].v)
        c[ZL_DELTA] = cairn_fp_sub(cairn_fp_from_u64(rin->vd), cairn_fp_from_u64(vdo));
    else if (st_)
        c[ZL_DELTA] = cairn_fp_sub(o[ZR_MNEW], cairn_fp_from_u64(ramold));
    c[ZL_OI] = cairn_fp_from_u64(f->oi);
    c[ZL_EOF] = cairn_fp_from_u64(f->eof);
    if (sf[ZK_F_BO].v)
        f->oi++;
    if (rin->ends)
        f->eof = 1;
    f->x = x + 1;
    return CAIRN_OK;
}

/* The bytecode index of the real instruction at pc, or -1. */
static int64_t bc_index(const zk_bytecode *bc, uint32_t pc)
{
    if (pc < bc->text_base || (pc - bc->text_base) / 4 >= bc->text_words || (pc & 3) != 0)
        return -1;
    return bc->index[(pc - bc->text_base) / 4];
}

cairn_status zl_filler_init(zl_filler *f, const zk_bytecode *bc, const zk_ram *ram,
                          const uint32_t init_regs[32], const uint8_t *input, size_t input_len,
                          cairn_error *err)
{
    memset(f, 0, sizeof *f);
    f->bc = bc, f->input = input, f->input_len = input_len;
    zk_static_pad(&f->pad);
    for (unsigned r = 0; r < 32; r++)
        f->val[r] = init_regs[r];
    return zk_ram_replay_init(&f->rp, ram, err);
}

void zl_filler_clear(zl_filler *f)
{
    if (f == NULL)
        return;
    zk_ram_replay_clear(&f->rp);
    memset(f, 0, sizeof *f);
}

/*
 * Check trace row r and note what its rows need: one row for an
 * instruction, or the ECALL row, the setup row and one row per byte moved
 * for a read or write (docs/arithmetization.md §8).
 */
cairn_status zl_filler_take(zl_filler *f, const cairn_fp *r, uint64_t cyc, cairn_error *err)
{
    uint32_t pc = (uint32_t)r[CAIRN_WIT_COL_PC].v;
    int64_t idx = bc_index(f->bc, pc);
    if (idx < 0) {
        uint32_t insn = (uint32_t)r[CAIRN_WIT_COL_INSN].v;
        const char *why = NULL;
        zk_static d;
        if (zk_decode_ext(&d, pc, insn, ZK_EXT_M, &why) || why == NULL) /* the word's class */
            why = "not in the program's bytecode table";
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "cycle %llu: pc 0x%08x: instruction 0x%08x (%s) cannot be "
                               "proven: %s",
                               (unsigned long long)cyc, (unsigned)pc, (unsigned)insn,
                               cairn_wit_op_name((cairn_wit_op)r[CAIRN_WIT_COL_OP].v), why);
    }
    const zk_static *e = &f->bc->entries[idx];
    uint64_t a7 = r[CAIRN_WIT_COL_RS1_VAL].v, a0 = r[CAIRN_WIT_COL_RS2_VAL].v;
    zl_filler_pend *p = &f->pend;
    memset(p, 0, sizeof *p);
    p->idx = idx, p->v1 = a7, p->v2 = a0;
    if (e->f[ZK_F_ECALL].v) {
        if (a7 != 63 && a7 != 64 && a7 != 93 && a7 != 94)
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "cycle %llu: pc 0x%08x: ecall with a7 = %llu cannot be "
                                   "proven (exit 93, exit_group 94, write 64 and read 63 can)",
                                   (unsigned long long)cyc, (unsigned)pc, (unsigned long long)a7);
        if (a7 == 63 || a7 == 64) {
            p->j = a7 == 63 ? 3 : a0 == 2 ? 2 : 1;
            p->buf = r[CAIRN_WIT_COL_SYS_A1].v, p->len = r[CAIRN_WIT_COL_SYS_A2].v;
            p->cnt = r[CAIRN_WIT_COL_RD_VAL].v;
            if (p->cnt > p->len)
                return cairn_error_set(err, CAIRN_ERR_ARG,
                                       "pc 0x%08llx: a system call moved %llu of %llu bytes",
                                       (unsigned long long)r[CAIRN_WIT_COL_PC].v,
                                       (unsigned long long)p->cnt, (unsigned long long)p->len);
            f->left = 2 + p->cnt;
            return CAIRN_OK;
        }
    } else {
        p->vd = r[CAIRN_WIT_COL_RD_VAL].v;
    }
    f->left = 1;
    return CAIRN_OK;
}

/*
 * Row f->x: the next row of the taken trace row (a read's byte rows take
 * their bytes from the input here), or a padding row (the padding entry,
 * registers x0, nothing else) when none is left.
 */
cairn_status zl_filler_row(zl_filler *f, cairn_fp c[ZL_NCELL], cairn_error *err)
{
    const zl_filler_pend *p = &f->pend;
    struct rowin in;
    memset(&in, 0, sizeof in);
    if (f->left == 0) {
        in.idx = f->bc->count, in.st = &f->pad;
        return emit(f, &in, c, err);
    }
    const zk_static *e = f->bc->entries;
    if (p->j == 0 || p->done == 0) {
        /* the instruction, or the ECALL row of a read or write */
        in.idx = (uint64_t)p->idx, in.st = &e[p->idx], in.v1 = p->v1, in.v2 = p->v2, in.vd = p->vd;
    } else if (p->done == 1) {
        in.idx = (uint64_t)p->idx + p->j, in.st = &e[p->idx + p->j];
        in.v1 = p->buf, in.v2 = p->len, in.vd = p->cnt, in.cnt_left = p->cnt;
        if (p->j == 3) {
            in.gap = p->len - p->cnt;
            if (!f->ended && p->cnt < p->len)
                in.ends = 1, f->ended = 1;
        }
    } else {
        uint64_t i = p->done - 2;
        in.idx = (uint64_t)p->idx + p->j + 3, in.st = &e[p->idx + p->j + 3];
        in.cnt_left = p->cnt - i - 1;
        in.gap = (p->buf + i) & MASK32; /* the byte's address */
        if (p->j == 3) {
            if (f->input_pos >= f->input_len)
                return cairn_error_set(err, CAIRN_ERR_ARG,
                                       "the guest read more input than was given");
            in.inb = f->input[f->input_pos++];
        }
    }
    cairn_status st = emit(f, &in, c, err);
    if (st == CAIRN_OK)
        f->pend.done++, f->left--;
    return st;
}

/* The state of one linear stream: the row machine, the rows to hand over, one chunk. */
struct lin {
    zl_filler f;
    uint64_t a, b;
    cairn_rows_consumer consume;
    void *cctx;
    cairn_fp buf[ZL_CHUNK * ZL_NCELL];
    uint64_t buf_first;
    size_t buf_len;
    int stopped; /* row b - 1 was computed: the trace stream was stopped on purpose */
};

/* The status that stops the trace stream once row b - 1 is out (l->stopped tells it apart). */
#define STOP CAIRN_ERR_LIMIT

static cairn_status flush(struct lin *l, cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    if (l->buf_len > 0)
        st = l->consume(l->cctx, l->buf_first, l->buf, l->buf_len, err);
    l->buf_first += l->buf_len;
    l->buf_len = 0;
    return st;
}

/*
 * The next row, computed into the chunk when it is one of [a, b) (and
 * dropped before a); the chunk goes out when full, and STOP once row
 * b - 1 is out.
 */
static cairn_status one_row(struct lin *l, cairn_error *err)
{
    cairn_fp drop[ZL_NCELL];
    uint64_t x = l->f.x;
    int keep = x >= l->a;
    cairn_status st = zl_filler_row(&l->f, keep ? l->buf + l->buf_len * ZL_NCELL : drop, err);
    if (st != CAIRN_OK)
        return st;
    if (keep) {
        if (l->buf_len == 0)
            l->buf_first = x;
        if (++l->buf_len == ZL_CHUNK && (st = flush(l, err)) != CAIRN_OK)
            return st;
    }
    if (l->f.x < l->b)
        return CAIRN_OK;
    l->stopped = 1;
    return STOP;
}

/* The trace consumer: each trace row becomes one row, or the rows of its system call. */
static cairn_status consume_trace(void *vctx, uint64_t first, const cairn_fp *rows, size_t count,
                                  cairn_error *err)
{
    struct lin *l = vctx;
    cairn_status st;
    for (size_t i = 0; i < count; i++) {
        if ((st = zl_filler_take(&l->f, rows + i * CAIRN_WIT_WIDTH, first + i, err)) != CAIRN_OK)
            return st;
        while (l->f.left > 0)
            if ((st = one_row(l, err)) != CAIRN_OK)
                return st;
    }
    return CAIRN_OK;
}

static cairn_status lean_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                                cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    const zl_source *s = src->impl;
    cairn_status st;
    if (a >= b)
        return CAIRN_OK;
    struct lin *l = malloc(sizeof *l);
    if (l == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    if ((st = zl_filler_init(&l->f, s->bc, s->ram, s->init_regs, s->input, s->input_len, err)) !=
        CAIRN_OK) {
        free(l);
        return st;
    }
    l->a = a, l->b = b, l->consume = consume, l->cctx = ctx;
    l->buf_first = 0, l->buf_len = 0, l->stopped = 0;
    st = cairn_rows_stream(s->trace, 0, s->cycles, consume_trace, l, err);
    if (st == CAIRN_OK && l->f.x != s->T)
        st = cairn_error_set(err, CAIRN_ERR_ARG, "the trace gives %llu rows, the statement %llu",
                             (unsigned long long)l->f.x, (unsigned long long)s->T);
    while (st == CAIRN_OK)
        st = one_row(l, err); /* padding rows, up to STOP */
    if (st == STOP && l->stopped)
        st = CAIRN_OK;
    if (st == CAIRN_OK)
        st = flush(l, err);
    zl_filler_clear(&l->f);
    free(l);
    return st;
}

cairn_status zl_source_init(cairn_rows *src, zl_source *s, const cairn_rows *trace,
                            uint64_t cycles, uint64_t T, size_t n, const zk_bytecode *bc,
                            const uint32_t init_regs[32], const zk_ram *ram, const uint8_t *input,
                            size_t input_len, cairn_error *err)
{
    if (cycles == 0 || T < cycles || T >= (UINT64_C(1) << n) || trace->rows_len < cycles ||
        trace->width != CAIRN_WIT_WIDTH)
        return cairn_error_set(err, CAIRN_ERR_ARG, "zl_source_init: bad trace shape");
    memset(s, 0, sizeof *s);
    s->trace = trace, s->cycles = cycles, s->T = T, s->bc = bc, s->ram = ram;
    s->input = input, s->input_len = input_len;
    memcpy(s->init_regs, init_regs, sizeof s->init_regs);
    src->rows_len = UINT64_C(1) << n;
    src->width = ZL_NCELL;
    src->stream = lean_stream;
    src->impl = s;
    return CAIRN_OK;
}
