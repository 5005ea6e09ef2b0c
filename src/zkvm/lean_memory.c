/*
 * lean_memory.c — the lean row's memory-checking stage (docs/zkvm-v2.md
 * §5, §6 step 4): registers, RAM and the public output as one batched
 * fractional-sum GKR (gkr.h), with no helper columns.
 *
 * Tuples are fingerprinted multilinearly, fp = sum_l w_l f_l with
 * w_l = eq(beta, l) over five fields (tag, then four), the tag keeping
 * the three tables apart: registers (1, reg, value, ts, 0), RAM (2, wa,
 * ro, value, ts), output (3, index, byte, 0, 0).  The instances, each a
 * fraction p/(alpha - fp) per leaf:
 *
 *   rows (n variables, one leaf per row, all at the GKR's shared point):
 *     rs1 read -1 / write +1, rs2 read -(1 - f_bi) / write +(1 - f_bi),
 *     rd read -wr / write +wr, RAM read -f_mem, RAM write of a load
 *     +f_load (the old word), of a store +f_store (old + delta),
 *     output +f_bo (oi, vd);
 *   RAM boundary (k variables): initial words +1 (j, ro_j, init_j, 0) and
 *     final words -1 (j, ro_j, fv_j, fts_j);
 *
 * and the verifier adds the register boundary (32 initial tuples from the
 * statement, 32 final ones from the proof) and the output table (the
 * statement's bytes, each -1) itself: the GKR's total must be minus
 * those.  Every field is a linear form of the row's values (zl_tuples,
 * shared by prover and verifier), so a leaf's multilinear extension at
 * the GKR's point is the same linear form of the values' evaluations,
 * which the prover sends and later stages discharge.  The challenges come
 * after grinding (cairn_gkr_lookup_challenges_prove), after the caller
 * bound the phase-1 commitment, the final RAM included.
 *
 * The prover never holds the leaves (20 tables of 2^n extension elements):
 * they are affine in 47 base values of a row (the 41 tuple values, the
 * row, and for the RAM boundary j, ro_j, its initial word, its final value
 * and timestamp), which mem_rows_stream computes from the cells, and
 * cairn_gkr_prove_stream reads them in passes within zl_gkr_budget bytes.
 * With zl_gkr_budget = 0 (tests) the leaves are built and proven in memory:
 * the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/gkr.h"
#include "cairn/poly.h"
#include "cairn/pool.h"
#include "zkvm_internal.h"

#define FP_VARS ZL_MEM_FP_VARS /* beta's coordinates: 5 fields <= 2^3 */
#define FIELDS 5u

enum { T_REG = 1, T_RAM = 2, T_OUT = 3 };

/* The row instances' numerators and tuples from a row's values (linear in v). */
void zl_tuples(cairn_fp2 p[ZL_NMEM], cairn_fp2 f[ZL_NMEM][5], const cairn_fp2 *v, uint32_t base)
{
    const cairn_fp2 *b = v + ZLV_B, one = cairn_fp2_one(), zero = cairn_fp2_zero();
    zl_derived_vals d;
    zl_derived(&d, v);
    cairn_fp2 t4 = cairn_fp2_mul_fp(v[ZLV_ID], cairn_fp_make(4)), tag;
    cairn_fp2 f_load = cairn_fp2_add(cairn_fp2_add(cairn_fp2_add(b[ZK_F_LB], b[ZK_F_LBU]),
                                                   cairn_fp2_add(b[ZK_F_LH], b[ZK_F_LHU])),
                                     b[ZK_F_LW]);
    cairn_fp2 f_store = cairn_fp2_add(cairn_fp2_add(b[ZK_F_SB], b[ZK_F_SH]), b[ZK_F_SW]);
    /* registers: rs1, rs2, rd; value read, value written, previous and present timestamps */
    const cairn_fp2 reg[3] = {b[ZK_RS1], b[ZK_RS2], b[ZK_RD]};
    const cairn_fp2 gate[3] = {one, b[ZLB_USE_RS2], b[ZK_WR]};
    const cairn_fp2 rd_old = cairn_fp2_sub(v[ZL_VD], v[ZL_DELTA]);
    const cairn_fp2 oldv[3] = {d.v1, d.v2, rd_old}, newv[3] = {d.v1, d.v2, v[ZL_VD]};
    tag = cairn_fp2_from_fp(cairn_fp_make(T_REG));
    for (unsigned s = 0; s < 3; s++) {
        cairn_fp2 now = cairn_fp2_add(t4, cairn_fp2_from_fp(cairn_fp_make(s + 1)));
        p[2 * s] = cairn_fp2_neg(gate[s]);
        p[2 * s + 1] = gate[s];
        const cairn_fp2 rf[5] = {tag, reg[s], oldv[s], d.ts_prev[s], zero};
        const cairn_fp2 wf[5] = {tag, reg[s], newv[s], now, zero};
        memcpy(f[2 * s], rf, sizeof rf);
        memcpy(f[2 * s + 1], wf, sizeof wf);
    }
    /* RAM: the word address (x - o1 - 2 o2)/4 - base/4, ro, the words, the rows */
    cairn_fp inv4 = cairn_fp_inv(cairn_fp_make(4));
    cairn_fp2 wa = cairn_fp2_sub(cairn_fp2_mul_fp(d.wa_num, inv4),
                                 cairn_fp2_from_fp(cairn_fp_make(base / 4)));
    cairn_fp2 now = cairn_fp2_add(v[ZLV_ID], one);
    tag = cairn_fp2_from_fp(cairn_fp_make(T_RAM));
    p[6] = cairn_fp2_neg(cairn_fp2_add(f_load, f_store));
    p[7] = f_load;
    p[8] = f_store;
    const cairn_fp2 mr[5] = {tag, wa, v[ZL_RO], d.old, d.tm};
    const cairn_fp2 ml[5] = {tag, wa, v[ZL_RO], d.old, now};
    const cairn_fp2 ms[5] = {tag, wa, v[ZL_RO], cairn_fp2_add(d.old, v[ZL_DELTA]), now};
    memcpy(f[6], mr, sizeof mr);
    memcpy(f[7], ml, sizeof ml);
    memcpy(f[8], ms, sizeof ms);
    /* output: the fd-1 byte rows, (oi, vd) */
    p[9] = b[ZK_F_BO];
    const cairn_fp2 of[5] = {cairn_fp2_from_fp(cairn_fp_make(T_OUT)), v[ZL_OI], v[ZL_VD], zero,
                             zero};
    memcpy(f[9], of, sizeof of);
}

static cairn_fp2 fingerprint(const cairn_fp2 *w, const cairn_fp2 *f)
{
    cairn_fp2 acc = cairn_fp2_zero();
    for (unsigned l = 0; l < FIELDS; l++)
        acc = cairn_fp2_add(acc, cairn_fp2_mul(w[l], f[l]));
    return acc;
}

/* 1 / (alpha - fp) of a tuple of base values; CAIRN_ERR_REJECTED on a pole. */
static cairn_status frac(cairn_fp2 *out, cairn_fp2 alpha, const cairn_fp2 *w, uint64_t f0,
                         uint64_t f1, uint64_t f2, uint64_t f3, uint64_t f4, cairn_error *err)
{
    const cairn_fp2 f[5] = {cairn_fp2_from_fp(cairn_fp_from_u64(f0)),
                            cairn_fp2_from_fp(cairn_fp_from_u64(f1)),
                            cairn_fp2_from_fp(cairn_fp_from_u64(f2)),
                            cairn_fp2_from_fp(cairn_fp_from_u64(f3)),
                            cairn_fp2_from_fp(cairn_fp_from_u64(f4))};
    cairn_fp2 q = cairn_fp2_sub(alpha, fingerprint(w, f));
    if (cairn_fp2_is_zero(q))
        return cairn_error_set(err, CAIRN_ERR_REJECTED, "a memory tuple's fingerprint is alpha");
    *out = cairn_fp2_inv(q);
    return CAIRN_OK;
}

/*
 * What the verifier adds itself: the register boundary (initial tuples
 * +1, final -1) and the output table (-1 each); the GKR's total must be
 * the negative of this.
 */
static cairn_status public_sum(cairn_fp2 *out, cairn_fp2 alpha, const cairn_fp2 *w,
                               const uint32_t init_regs[32], const uint32_t fin_val[32],
                               const uint64_t fin_ts[32], const uint8_t *output, size_t output_len,
                               cairn_error *err)
{
    cairn_fp2 acc = cairn_fp2_zero(), g;
    cairn_status st;
    for (unsigned r = 0; r < 32; r++) {
        if ((st = frac(&g, alpha, w, T_REG, r, r == 0 ? 0 : init_regs[r], 0, 0, err)))
            return st;
        acc = cairn_fp2_add(acc, g);
        if ((st = frac(&g, alpha, w, T_REG, r, fin_val[r], fin_ts[r], 0, err)))
            return st;
        acc = cairn_fp2_sub(acc, g);
    }
    for (size_t i = 0; i < output_len; i++) {
        if ((st = frac(&g, alpha, w, T_OUT, i, output[i], 0, 0, err)))
            return st;
        acc = cairn_fp2_sub(acc, g);
    }
    *out = acc;
    return CAIRN_OK;
}

void zl_mem_proof_init(zl_mem_proof *p)
{
    memset(p, 0, sizeof *p);
    cairn_gkr_proof_init(&p->gkr);
}

void zl_mem_proof_clear(zl_mem_proof *p)
{
    if (p == NULL)
        return;
    cairn_gkr_proof_clear(&p->gkr);
    memset(p, 0, sizeof *p);
}

/* The values the tuples read at the rows' point (cells, U outputs, bytecode columns). */
static const uint16_t mem_vals[ZL_MEM_VALS] = {
    ZL_XL, ZL_XH, ZL_VD, ZL_DELTA, ZL_T1L, ZL_T1H, ZL_T2L, ZL_T2H, ZL_TDL, ZL_TDH, ZL_MP0,
    ZL_MP1, ZL_EML, ZL_EMH, ZL_OI, ZL_RO,
    ZLV_U + 0 * ZU_NCOL + ZU_LO, ZLV_U + 0 * ZU_NCOL + ZU_HI, ZLV_U + 1 * ZU_NCOL + ZU_LO,
    ZLV_U + 1 * ZU_NCOL + ZU_HI, ZLV_U + 2 * ZU_NCOL + ZU_LO, ZLV_U + 2 * ZU_NCOL + ZU_HI,
    ZLV_U + 3 * ZU_NCOL + ZU_LO, ZLV_U + 3 * ZU_NCOL + ZU_HI, ZLV_U + 4 * ZU_NCOL + ZU_B0,
    ZLV_U + 4 * ZU_NCOL + ZU_B1,
    ZLV_B + ZK_RS1, ZLV_B + ZK_RS2, ZLV_B + ZK_RD, ZLV_B + ZK_IMM, ZLV_B + ZK_WR,
    ZLV_B + ZLB_USE_RS2, ZLV_B + ZK_F_BO, ZLV_B + ZK_F_LB, ZLV_B + ZK_F_LBU, ZLV_B + ZK_F_LH,
    ZLV_B + ZK_F_LHU, ZLV_B + ZK_F_LW, ZLV_B + ZK_F_SB, ZLV_B + ZK_F_SH, ZLV_B + ZK_F_SW};

const uint16_t *zl_mem_values(void) { return mem_vals; }

/* The challenges and the statement's part of the transcript, shared by prover and verifier. */
static void mem_absorb(cairn_transcript *t, size_t n, unsigned k, const uint32_t fin_val[32],
                       const uint64_t fin_ts[32])
{
    cairn_transcript_absorb_u64(t, "lean/mem/vars", n);
    cairn_transcript_absorb_u64(t, "lean/mem/ram-vars", k);
    for (unsigned r = 0; r < 32; r++) {
        cairn_transcript_absorb_u64(t, "lean/mem/final-value", fin_val[r]);
        cairn_transcript_absorb_u64(t, "lean/mem/final-ts", fin_ts[r]);
    }
}

/*
 * The leaves as rows, for the streaming GKR prover: row x holds the values
 * the tuples read (mem_vals' order) and the row index, then for x < 2^k
 * the RAM boundary's word j = x, ro_j, its initial word, its final value
 * and timestamp.  Every leaf is affine in the row (mem_row_instances).
 */
#define MR_VALS (ZL_MEM_VALS + 1)  /* the values and the row */
#define MR_WIDTH (MR_VALS + 5)
/* Rows per call to the consumer: few pool jobs a pass (each waits for its slowest thread). */
#define MR_CHUNK 16384u

typedef struct {
    const zl_vtab *vt;
    const zl_mem_stmt *s;
    const cairn_fp *fv, *fts;
    uint64_t rows, K;
    cairn_fp *buf; /* MR_CHUNK rows */
} mem_rows;

struct mr_fill {
    const mem_rows *r;
    uint64_t x0;
    size_t cnt, chunks;
};

static void mr_fill_chunk(void *ctx, size_t chunk)
{
    const struct mr_fill *f = ctx;
    const mem_rows *r = f->r;
    size_t lo, hi;
    cairn_pool_chunk_range(&lo, &hi, f->cnt, f->chunks, chunk);
    for (size_t i = lo; i < hi; i++) {
        uint64_t x = f->x0 + i;
        cairn_fp *row = r->buf + i * MR_WIDTH;
        memset(row, 0, MR_WIDTH * sizeof *row);
        if (x < r->rows) {
            zl_vtab_values(row, r->vt, mem_vals, ZL_MEM_VALS, x);
            row[ZL_MEM_VALS] = cairn_fp_from_u64(x);
        }
        if (x < r->K) {
            row[MR_VALS] = cairn_fp_from_u64(x);
            row[MR_VALS + 1] = cairn_fp_make(x >= r->s->ram->text_lo && x < r->s->ram->text_hi);
            row[MR_VALS + 2] = cairn_fp_from_u64(r->s->ram->init[x]);
            row[MR_VALS + 3] = r->fv[x];
            row[MR_VALS + 4] = r->fts[x];
        }
    }
}

static cairn_status mem_rows_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                                    cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    const mem_rows *r = src->impl;
    for (uint64_t x0 = a; x0 < b; x0 += MR_CHUNK) {
        size_t cnt = b - x0 < MR_CHUNK ? (size_t)(b - x0) : MR_CHUNK;
        struct mr_fill f = {r, x0, cnt, cairn_pool_chunks(cnt, 64)};
        if (f.chunks <= 1) {
            f.chunks = 1;
            mr_fill_chunk(&f, 0);
        } else {
            cairn_pool_run(f.chunks, mr_fill_chunk, &f);
        }
        cairn_status st = consume(ctx, x0, r->buf, cnt, err);
        if (st != CAIRN_OK)
            return st;
    }
    return CAIRN_OK;
}

/* The terms of the affine leaves: at most MR_WIDTH each. */
typedef struct {
    size_t cols[ZL_NMEM + 2][2][MR_WIDTH];
    cairn_fp2 coeffs[ZL_NMEM + 2][2][MR_WIDTH];
} mem_terms;

/*
 * The row instances' leaves as affine functions of the row: zl_tuples is
 * affine in the values, so its constant is its value at 0 and each
 * value's coefficient its change when that value alone is 1 (exact, so
 * the leaves equal zl_mem_prove's in-memory ones).  The boundary:
 * p = +1 and -1, q = alpha minus the fingerprints of (j, ro_j, init_j, 0)
 * and (j, ro_j, fv_j, fts_j).
 */
static void mem_row_instances(cairn_gkr_row_instance *inst, mem_terms *tm, size_t n, unsigned k,
                              uint32_t base, cairn_fp2 alpha, const cairn_fp2 *w)
{
    cairn_fp2 v[ZLV_N], p0[ZL_NMEM], f0[ZL_NMEM][5], p1[ZL_NMEM], f1[ZL_NMEM][5];
    size_t np[ZL_NMEM] = {0}, nq[ZL_NMEM] = {0};
    for (unsigned i = 0; i < ZLV_N; i++)
        v[i] = cairn_fp2_zero();
    zl_tuples(p0, f0, v, base);
    cairn_fp2 fp0[ZL_NMEM];
    for (unsigned j = 0; j < ZL_NMEM; j++)
        fp0[j] = fingerprint(w, f0[j]);
    for (size_t t = 0; t < MR_VALS; t++) {
        unsigned vi = t < ZL_MEM_VALS ? mem_vals[t] : ZLV_ID;
        v[vi] = cairn_fp2_one();
        zl_tuples(p1, f1, v, base);
        v[vi] = cairn_fp2_zero();
        for (unsigned j = 0; j < ZL_NMEM; j++) {
            cairn_fp2 dp = cairn_fp2_sub(p1[j], p0[j]);
            cairn_fp2 dq = cairn_fp2_neg(cairn_fp2_sub(fingerprint(w, f1[j]), fp0[j]));
            if (!cairn_fp2_is_zero(dp))
                tm->cols[j][0][np[j]] = t, tm->coeffs[j][0][np[j]++] = dp;
            if (!cairn_fp2_is_zero(dq))
                tm->cols[j][1][nq[j]] = t, tm->coeffs[j][1][nq[j]++] = dq;
        }
    }
    for (unsigned j = 0; j < ZL_NMEM; j++)
        inst[j] = (cairn_gkr_row_instance){
            n, {p0[j], np[j], tm->cols[j][0], tm->coeffs[j][0]},
            {cairn_fp2_sub(alpha, fp0[j]), nq[j], tm->cols[j][1], tm->coeffs[j][1]}};
    /* the boundary: fields (tag, j, ro, value, ts) */
    cairn_fp2 qc = cairn_fp2_sub(alpha, cairn_fp2_mul_fp(w[0], cairn_fp_make(T_RAM)));
    for (unsigned b = 0; b < 2; b++) {
        size_t *c = tm->cols[ZL_NMEM + b][1];
        cairn_fp2 *a = tm->coeffs[ZL_NMEM + b][1];
        for (unsigned l = 0; l < 4; l++) {
            c[l] = MR_VALS + (b == 0 || l < 2 ? l : l + 1); /* j, ro, then init or fv, fts */
            a[l] = cairn_fp2_neg(w[1 + l]);
        }
        inst[ZL_NMEM + b] = (cairn_gkr_row_instance){
            k, {b == 0 ? cairn_fp2_one() : cairn_fp2_neg(cairn_fp2_one()), 0, NULL, NULL},
            {qc, b == 0 ? 3u : 4u, c, a}};
    }
}

cairn_status zl_mem_prove(zl_mem_proof *p, cairn_fp2 *r_g, cairn_fp2 *r_k, cairn_transcript *t,
                          const zl_vtab *vt, size_t n, const zl_mem_stmt *s, const cairn_fp *fv,
                          const cairn_fp *fts, unsigned grind_bits, unsigned threads,
                          cairn_error *err)
{
    uint64_t rows = UINT64_C(1) << n, K = UINT64_C(1) << s->ram->k;
    size_t N = ZL_NMEM + 2;
    cairn_fp2 alpha, beta[FP_VARS], w[8], *v = NULL;
    cairn_fp2 *leaves = NULL, *pts = NULL, pe[ZL_NMEM + 2], qe[ZL_NMEM + 2];
    cairn_gkr_instance inst[ZL_NMEM + 2];
    cairn_status st;
    zl_mem_proof_clear(p);
    zl_mem_proof_init(p);
    mem_absorb(t, n, s->ram->k, s->fin_val, s->fin_ts);
    if ((st = cairn_gkr_lookup_challenges_prove(&p->nonce, &alpha, beta, FP_VARS, t, grind_bits,
                                                threads, err)) != CAIRN_OK)
        return st;
    if ((st = cairn_gkr_fingerprint_weights(w, FIELDS, beta, FP_VARS, err)) != CAIRN_OK)
        return st;
    pts = malloc((ZL_NMEM * n + 2 * s->ram->k + 1) * sizeof *pts);
    if (pts == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the memory GKR");
        goto out;
    }
    if (zl_gkr_budget != 0) { /* the leaves read from rows in passes */
        mem_rows mr = {vt, s, fv, fts, rows, K, NULL};
        mem_terms *tm = malloc(sizeof *tm);
        cairn_gkr_row_instance rinst[ZL_NMEM + 2];
        mr.buf = malloc(MR_CHUNK * MR_WIDTH * sizeof *mr.buf);
        if (tm == NULL || mr.buf == NULL) {
            free(tm);
            free(mr.buf);
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the memory GKR");
            goto out;
        }
        mem_row_instances(rinst, tm, n, s->ram->k, s->ram->base, alpha, w);
        cairn_rows src = {rows > K ? rows : K, MR_WIDTH, mem_rows_stream, &mr};
        cairn_gkr_stream_opts o = {zl_gkr_budget, threads};
        st = cairn_gkr_prove_stream(&p->gkr, pts, pe, qe, NULL, t, &src, rinst, N, &o, err);
        free(tm);
        free(mr.buf);
        if (st != CAIRN_OK)
            goto out;
        goto values;
    }
    v = calloc(ZLV_N, sizeof *v); /* the tuples read only the memory values */
    leaves = malloc((2 * ZL_NMEM * rows + 4 * K) * sizeof *leaves);
    if (v == NULL || leaves == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the memory GKR");
        goto out;
    }
    /* the row leaves, from each row's values */
    for (uint64_t x = 0; x < rows; x++) {
        cairn_fp2 pv[ZL_NMEM], fv5[ZL_NMEM][5];
        cairn_fp row[ZLV_N];
        zl_vtab_row(row, vt, x);
        for (unsigned i = 0; i < ZL_MEM_VALS; i++)
            v[mem_vals[i]] = cairn_fp2_from_fp(row[mem_vals[i]]);
        v[ZLV_ID] = cairn_fp2_from_fp(cairn_fp_from_u64(x)); /* the row: public */
        zl_tuples(pv, fv5, v, s->ram->base);
        for (unsigned j = 0; j < ZL_NMEM; j++) {
            leaves[(2 * j) * rows + x] = pv[j];
            leaves[(2 * j + 1) * rows + x] = cairn_fp2_sub(alpha, fingerprint(w, fv5[j]));
        }
    }
    /* the RAM boundary: initial words +1, final words -1 */
    cairn_fp2 *bl = leaves + 2 * ZL_NMEM * rows;
    for (uint64_t j = 0; j < K; j++) {
        uint64_t ro = j >= s->ram->text_lo && j < s->ram->text_hi;
        const cairn_fp2 fi[5] = {cairn_fp2_from_fp(cairn_fp_make(T_RAM)),
                                 cairn_fp2_from_fp(cairn_fp_from_u64(j)),
                                 cairn_fp2_from_fp(cairn_fp_make(ro)),
                                 cairn_fp2_from_fp(cairn_fp_from_u64(s->ram->init[j])),
                                 cairn_fp2_zero()};
        const cairn_fp2 ff[5] = {fi[0], fi[1], fi[2], cairn_fp2_from_fp(fv[j]),
                                 cairn_fp2_from_fp(fts[j])};
        bl[j] = cairn_fp2_one();
        bl[K + j] = cairn_fp2_sub(alpha, fingerprint(w, fi));
        bl[2 * K + j] = cairn_fp2_neg(cairn_fp2_one());
        bl[3 * K + j] = cairn_fp2_sub(alpha, fingerprint(w, ff));
    }
    for (unsigned j = 0; j < ZL_NMEM; j++)
        inst[j] = (cairn_gkr_instance){n, {NULL, leaves + 2 * j * rows, 0},
                                       {NULL, leaves + (2 * j + 1) * rows, 0}};
    inst[ZL_NMEM] = (cairn_gkr_instance){s->ram->k, {NULL, bl, 0}, {NULL, bl + K, 0}};
    inst[ZL_NMEM + 1] =
        (cairn_gkr_instance){s->ram->k, {NULL, bl + 2 * K, 0}, {NULL, bl + 3 * K, 0}};
    if ((st = cairn_gkr_prove(&p->gkr, pts, pe, qe, t, inst, N, threads, err)) != CAIRN_OK)
        goto out;
    free(leaves);
    leaves = NULL;
values:
    memcpy(r_g, pts, n * sizeof *pts);
    memcpy(r_k, pts + ZL_NMEM * n, s->ram->k * sizeof *pts);
    /* the values at the rows' point, and the final memory at the words' point */
    if ((st = zl_vtab_eval(p->vals, vt, mem_vals, ZL_MEM_VALS, r_g, err)) != CAIRN_OK)
        goto out;
    if ((st = cairn_poly_eval_fp(&p->fin[0], fv, r_k, s->ram->k)) != CAIRN_OK ||
        (st = cairn_poly_eval_fp(&p->fin[1], fts, r_k, s->ram->k)) != CAIRN_OK)
        goto out;
    cairn_transcript_absorb_fp2_vec(t, "lean/mem/values", p->vals, ZL_MEM_VALS);
    cairn_transcript_absorb_fp2_vec(t, "lean/mem/final-memory", p->fin, 2);
out:
    free(v);
    free(leaves);
    free(pts);
    return st;
}

cairn_status zl_mem_verify(cairn_fp2 *r_g, cairn_fp2 *r_k, cairn_transcript *t,
                           const zl_mem_proof *p, size_t n, const zl_mem_stmt *s,
                           const cairn_program *prog, unsigned grind_bits, cairn_error *err)
{
    unsigned k = s->ram->k;
    size_t vars[ZL_NMEM + 2], N = ZL_NMEM + 2;
    cairn_fp2 alpha, beta[FP_VARS], w[8], total, pe[ZL_NMEM + 2], qe[ZL_NMEM + 2];
    cairn_fp2 *pts = NULL, *v = NULL;
    cairn_status st;
    if (n == 0 || n > CAIRN_GKR_MAX_VARS || k > CAIRN_GKR_MAX_VARS)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "memory GKR: bad sizes");
    mem_absorb(t, n, k, s->fin_val, s->fin_ts);
    if ((st = cairn_gkr_lookup_challenges_verify(&alpha, beta, FP_VARS, t, grind_bits, p->nonce,
                                                 err)) != CAIRN_OK)
        return st;
    if ((st = cairn_gkr_fingerprint_weights(w, FIELDS, beta, FP_VARS, err)) != CAIRN_OK)
        return st;
    if ((st = public_sum(&total, alpha, w, s->init_regs, s->fin_val, s->fin_ts, s->output,
                         s->output_len, err)) != CAIRN_OK)
        return st;
    total = cairn_fp2_neg(total);
    for (unsigned j = 0; j < ZL_NMEM; j++)
        vars[j] = n;
    vars[ZL_NMEM] = vars[ZL_NMEM + 1] = k;
    pts = malloc((ZL_NMEM * n + 2 * k + 1) * sizeof *pts);
    v = calloc(ZLV_N, sizeof *v);
    if (pts == NULL || v == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((st = cairn_gkr_verify(pts, pe, qe, t, &p->gkr, vars, N, &total, err)) != CAIRN_OK)
        goto out;
    memcpy(r_g, pts, n * sizeof *pts);
    memcpy(r_k, pts + ZL_NMEM * n, k * sizeof *pts);
    cairn_transcript_absorb_fp2_vec(t, "lean/mem/values", p->vals, ZL_MEM_VALS);
    cairn_transcript_absorb_fp2_vec(t, "lean/mem/final-memory", p->fin, 2);
    /* the rows' leaves from the claimed values (every instance shares the point r_g) */
    for (unsigned i = 0; i < ZL_MEM_VALS; i++)
        v[mem_vals[i]] = p->vals[i];
    v[ZLV_ID] = zk_id_eval(r_g, n);
    cairn_fp2 pv[ZL_NMEM], f5[ZL_NMEM][5];
    zl_tuples(pv, f5, v, s->ram->base);
    for (unsigned j = 0; j < ZL_NMEM; j++)
        if (!cairn_fp2_eq(pe[j], pv[j]) ||
            !cairn_fp2_eq(qe[j], cairn_fp2_sub(alpha, fingerprint(w, f5[j])))) {
            st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                                 "memory GKR: row instance %u does not match the claimed values", j);
            goto out;
        }
    /* the RAM boundary: the verifier's own initial words, the claimed final memory */
    cairn_fp2 init_eval, id = zk_id_eval(r_k, k);
    if ((st = zk_ram_init_eval(&init_eval, prog, s->ram->base, k, r_k, err)) != CAIRN_OK)
        goto out;
    cairn_fp2 ro = zk_ram_interval_eval(r_k, k, s->ram->text_lo, s->ram->text_hi);
    cairn_fp2 tag = cairn_fp2_from_fp(cairn_fp_make(T_RAM));
    const cairn_fp2 fi[5] = {tag, id, ro, init_eval, cairn_fp2_zero()};
    const cairn_fp2 ff[5] = {tag, id, ro, p->fin[0], p->fin[1]};
    if (!cairn_fp2_eq(pe[ZL_NMEM], cairn_fp2_one()) ||
        !cairn_fp2_eq(qe[ZL_NMEM], cairn_fp2_sub(alpha, fingerprint(w, fi))) ||
        !cairn_fp2_eq(pe[ZL_NMEM + 1], cairn_fp2_neg(cairn_fp2_one())) ||
        !cairn_fp2_eq(qe[ZL_NMEM + 1], cairn_fp2_sub(alpha, fingerprint(w, ff))))
        st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                             "memory GKR: the RAM boundary does not match the memory");
out:
    free(pts);
    free(v);
    return st;
}

/*
 * The writes of rows in windows of zl_mem_finals_window rows: each row's
 * up to five writes (its three register slots, then the RAM word's two
 * tuples) are found in parallel chunks, then applied in row and slot
 * order, so the last write wins exactly as in one pass in row order.
 */
#define MF_SLOTS 5u

size_t zl_mem_finals_window = ZL_MEM_FINALS_WINDOW;

typedef struct {
    uint64_t addr; /* UINT64_MAX: no write */
    cairn_fp val, ts;
} mf_write;

struct mf_job {
    const zl_vtab *vt;
    const zk_ram *ram;
    uint64_t x0, K;
    size_t cnt, chunks;
    mf_write *w; /* cnt x MF_SLOTS */
};

/* Chunk c of an mf_job: the writes of its rows of the window, from their memory tuples. */
static void mf_chunk(void *ctx, size_t c)
{
    const struct mf_job *j = ctx;
    size_t lo, hi;
    cairn_pool_chunk_range(&lo, &hi, j->cnt, j->chunks, c);
    cairn_fp2 v[ZLV_N];
    memset(v, 0, sizeof v);
    for (size_t i = lo; i < hi; i++) {
        uint64_t x = j->x0 + i;
        cairn_fp2 p[ZL_NMEM], f[ZL_NMEM][5];
        cairn_fp vals[ZL_MEM_VALS];
        mf_write *w = j->w + i * MF_SLOTS;
        zl_vtab_values(vals, j->vt, mem_vals, ZL_MEM_VALS, x);
        for (unsigned k = 0; k < ZL_MEM_VALS; k++)
            v[mem_vals[k]] = cairn_fp2_from_fp(vals[k]);
        v[ZLV_ID] = cairn_fp2_from_fp(cairn_fp_from_u64(x)); /* the row: public */
        zl_tuples(p, f, v, j->ram->base);
        /* registers (slots 1..3), then the RAM word */
        for (unsigned s = 0; s < 3; s++) {
            const cairn_fp2 *t = f[2 * s + 1];
            int on = !cairn_fp2_is_zero(p[2 * s + 1]) && t[1].c0.v < 32;
            w[s] = (mf_write){on ? t[1].c0.v : UINT64_MAX, t[2].c0, t[3].c0};
        }
        for (unsigned s = 0; s < 2; s++) {
            const cairn_fp2 *t = f[7 + s];
            int on = !cairn_fp2_is_zero(p[7 + s]) && t[1].c0.v < j->K;
            w[3 + s] = (mf_write){on ? t[1].c0.v : UINT64_MAX, t[3].c0, t[4].c0};
        }
    }
}

void zl_mem_finals(uint32_t fin_val[32], uint64_t fin_ts[32], cairn_fp *fv, cairn_fp *fts,
                   const zl_vtab *vt, size_t n, const uint32_t init_regs[32], const zk_ram *ram)
{
    uint64_t rows = UINT64_C(1) << n, K = UINT64_C(1) << ram->k;
    for (unsigned r = 0; r < 32; r++)
        fin_val[r] = r == 0 ? 0 : init_regs[r], fin_ts[r] = 0;
    for (uint64_t j = 0; j < K; j++)
        fv[j] = cairn_fp_from_u64(ram->init[j]), fts[j] = cairn_fp_zero();
    size_t win = zl_mem_finals_window ? zl_mem_finals_window : ZL_MEM_FINALS_WINDOW;
    mf_write *w = malloc(win * MF_SLOTS * sizeof *w);
    if (w == NULL)
        return;
    for (uint64_t x0 = 0; x0 < rows; x0 += win) {
        size_t cnt = rows - x0 < win ? (size_t)(rows - x0) : win;
        struct mf_job job = {vt, ram, x0, K, cnt, cairn_pool_chunks(cnt, 256), w};
        cairn_pool_run(job.chunks, mf_chunk, &job);
        for (size_t i = 0; i < cnt * MF_SLOTS; i++) {
            if (w[i].addr == UINT64_MAX)
                continue;
            if (i % MF_SLOTS < 3) {
                fin_val[w[i].addr] = (uint32_t)w[i].val.v;
                fin_ts[w[i].addr] = w[i].ts.v;
            } else {
                fv[w[i].addr] = w[i].val;
                fts[w[i].addr] = w[i].ts;
            }
        }
    }
    free(w);
}
