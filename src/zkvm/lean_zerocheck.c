/*
 * lean_zerocheck.c — the lean row's zero-check stage (docs/zkvm-v2.md §6
 * step 3): every constraint of zl_constraints vanishes on every row,
 * proven as
 *
 *     sum_x eq(tau, x) * sum_i rho^i C_i(v(x)) = 0
 *
 * by one sum-check of degree 4 over the n row variables (each value is a
 * multilinear table, each C_i of degree <= 3, eq adds one).  The same
 * sum-check binds the statement's instruction count: with g(x) the sum of
 * the five flags of the system calls' virtual rows (setup and byte rows),
 * it proves
 *
 *     sum_x [eq(tau, x) sum_i rho^i C_i(v(x)) + rho^N g(x)] = rho^N (T - I)
 *
 * (N = ZL_NCON), so the rows that are not instructions number exactly
 * T - I (padding rows have no flag set).  tau and rho
 * come from the transcript after the caller has bound the phase-1
 * commitment.  The stage ends at a point r_z with the evaluation of every
 * value the constraints read: the prover sends those of the cells, the
 * bytecode columns, the U outputs and the next row's values (claims the
 * later stages discharge: the PCS, the two logup* lookups, the shift
 * sum-check), and the verifier computes the public ones (t, [t = 0],
 * [t = T - 1], [t >= T]) itself, then checks the final sum-check claim
 * against eq(tau, r_z) * sum_i rho^i C_i(values).
 *
 * Which values are read is decided once from the constraints themselves
 * (zl_zc_used: a value is used when changing it alone changes some
 * constraint at a fixed pseudo-random point), so the claims sent are
 * exactly the used non-public values, in index order.  The prover and
 * the verifier share zc_schedule, so their transcripts cannot drift.
 */
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/poly.h"
#include "cairn/pool.h"
#include "zkvm_internal.h"

static int is_public(unsigned i)
{
    return i == ZLV_ID || i == ZLV_FIRST || i == ZLV_LAST || i == ZLV_PADS;
}

/*
 * used[i] = 1 when some constraint depends on value i.  Values are set to
 * a fixed pseudo-random point (splitmix64 from a constant seed) and each
 * one is moved alone; a polynomial that depends on it changes except on
 * a set of probability deg/p, so the mask is the constraints' own and the
 * same on every machine.
 */
static void used_mask(uint8_t used[ZLV_N])
{
    static cairn_fp2 v[ZLV_N]; /* under pthread_once: one caller */
    cairn_fp2 base[ZL_NCON], moved[ZL_NCON];
    zl_ctx ctx = {0x1000, 7};
    uint64_t s = UINT64_C(0x6c65616e2d7a6331);
    for (unsigned i = 0; i < ZLV_N; i++) {
        uint64_t z[2];
        for (unsigned h = 0; h < 2; h++) {
            uint64_t q = (s += UINT64_C(0x9E3779B97F4A7C15));
            q = (q ^ (q >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
            q = (q ^ (q >> 27)) * UINT64_C(0x94D049BB133111EB);
            z[h] = q ^ (q >> 31);
        }
        v[i] = cairn_fp2_make(cairn_fp_from_u64(z[0]), cairn_fp_from_u64(z[1]));
    }
    zl_constraints(base, v, &ctx);
    for (unsigned i = 0; i < ZLV_N; i++) {
        cairn_fp2 keep = v[i];
        v[i] = cairn_fp2_add(keep, cairn_fp2_one());
        zl_constraints(moved, v, &ctx);
        v[i] = keep;
        used[i] = 0;
        for (unsigned c = 0; c < ZL_NCON && !used[i]; c++)
            used[i] = !cairn_fp2_eq(base[c], moved[c]);
    }
    /* the virtual rows' flags, which the instruction count reads */
    static const uint16_t flags[5] = {ZK_F_SWR, ZK_F_SRD, ZK_F_BO, ZK_F_BE, ZK_F_BI};
    for (unsigned f = 0; f < 5; f++)
        used[ZLV_B + flags[f]] = 1;
}

static uint8_t zc_used[ZLV_N];
static pthread_once_t zc_used_once = PTHREAD_ONCE_INIT;
static void zc_used_init(void) { used_mask(zc_used); }

size_t zl_zc_used(uint16_t *idx)
{
    pthread_once(&zc_used_once, zc_used_init);
    const uint8_t *used = zc_used;
    size_t m = 0;
    for (unsigned i = 0; i < ZLV_N; i++)
        if (used[i] && !is_public(i)) {
            if (idx != NULL)
                idx[m] = (uint16_t)i;
            m++;
        }
    return m;
}

void zl_zc_values(cairn_fp2 *v, const zl_zc_proof *p)
{
    uint16_t idx[ZLV_N];
    size_t m = zl_zc_used(idx);
    for (unsigned i = 0; i < ZLV_N; i++)
        v[i] = cairn_fp2_zero();
    for (size_t j = 0; j < m && j < p->len; j++)
        v[idx[j]] = p->vals[j];
}

void zl_zc_proof_init(zl_zc_proof *p)
{
    memset(p, 0, sizeof *p);
    cairn_sumcheck_proof_init(&p->sc);
}

void zl_zc_proof_clear(zl_zc_proof *p)
{
    if (p == NULL)
        return;
    cairn_sumcheck_proof_clear(&p->sc);
    free(p->vals);
    memset(p, 0, sizeof *p);
}

/* The challenges: tau (n coordinates) and rho, after the caller bound the commitment. */
static void zc_schedule(cairn_fp2 *tau, cairn_fp2 *rho, cairn_transcript *t, size_t n, uint64_t T,
                        uint64_t instructions)
{
    cairn_transcript_absorb_u64(t, "lean/zc/vars", n);
    cairn_transcript_absorb_u64(t, "lean/zc/rows", T);
    cairn_transcript_absorb_u64(t, "lean/zc/instructions", instructions);
    cairn_transcript_squeeze_fp2_vec(tau, n, t, "lean/zc/tau");
    *rho = cairn_transcript_squeeze_fp2(t, "lean/zc/rho");
}

/* g: the virtual rows' flags (setup and byte rows), from the values. */
static cairn_fp2 virtual_rows(const cairn_fp2 *v)
{
    const cairn_fp2 *b = v + ZLV_B;
    return cairn_fp2_add(cairn_fp2_add(cairn_fp2_add(b[ZK_F_SWR], b[ZK_F_SRD]),
                                       cairn_fp2_add(b[ZK_F_BO], b[ZK_F_BE])),
                         b[ZK_F_BI]);
}

/* sum_i rho^i C_i(v) * eq + rho^N g(v). */
static cairn_fp2 combined(const cairn_fp2 *v, cairn_fp2 eq, cairn_fp2 rho, cairn_fp2 rho_n,
                          const zl_ctx *ctx)
{
    cairn_fp2 con[ZL_NCON], acc = cairn_fp2_zero();
    zl_constraints(con, v, ctx);
    for (unsigned i = ZL_NCON; i-- > 0;)
        acc = cairn_fp2_add(cairn_fp2_mul(acc, rho), con[i]);
    return cairn_fp2_add(cairn_fp2_mul(acc, eq), cairn_fp2_mul(rho_n, virtual_rows(v)));
}

/* rho^N and the claimed sum rho^N (T - I). */
static cairn_fp2 claimed(cairn_fp2 *rho_n, cairn_fp2 rho, uint64_t T, uint64_t instructions)
{
    *rho_n = cairn_fp2_one();
    for (unsigned i = 0; i < ZL_NCON; i++)
        *rho_n = cairn_fp2_mul(*rho_n, rho);
    return cairn_fp2_mul_fp(*rho_n, cairn_fp_from_u64(T - instructions));
}

uint64_t zl_instructions(const cairn_fp *cells, size_t n, uint64_t T, const zk_bytecode *bc)
{
    uint64_t rows = UINT64_C(1) << n, virt = 0;
    for (uint64_t x = 0; x < rows; x++) {
        uint64_t idx = cells[x * ZL_NCELL + ZL_PCI].v;
        if (idx >= bc->count)
            continue; /* the padding entry */
        const cairn_fp *f = bc->entries[idx].f;
        virt += (f[ZK_F_SWR].v | f[ZK_F_SRD].v | f[ZK_F_BO].v | f[ZK_F_BE].v | f[ZK_F_BI].v) != 0;
    }
    return virt <= T ? T - virt : 0;
}

/* The public values at r, as the verifier computes them. */
static void public_at(cairn_fp2 *v, const cairn_fp2 *r, size_t n, uint64_t T)
{
    v[ZLV_ID] = zk_id_eval(r, n);
    v[ZLV_FIRST] = zk_eq_const(r, n, 0);
    v[ZLV_LAST] = zk_eq_const(r, n, T - 1);
    v[ZLV_PADS] = zk_ge_eval(r, n, T);
}

cairn_status zl_value_tables(cairn_fp *tab, const cairn_fp *cells, size_t n, uint64_t T,
                             const zk_bytecode *bc, cairn_error *err)
{
    uint64_t rows = UINT64_C(1) << n;
    cairn_fp2 *v = malloc(ZLV_N * sizeof *v);
    if (v == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    for (uint64_t x = 0; x < rows; x++) {
        zl_row_values(v, cells, rows, T, bc, x);
        for (unsigned i = 0; i < ZLV_N; i++)
            tab[(size_t)i * rows + x] = v[i].c0;
    }
    free(v);
    return CAIRN_OK;
}

/* The zero-check's tables: the used values and the public ones, in index order. */
static size_t zc_columns(uint16_t *idx)
{
    pthread_once(&zc_used_once, zc_used_init);
    size_t m = 0;
    for (unsigned i = 0; i < ZLV_N; i++)
        if (zc_used[i] || is_public(i))
            idx[m++] = (uint16_t)i;
    return m;
}

void zl_vtab_needed(uint8_t need[ZLV_N])
{
    uint16_t idx[ZLV_N];
    size_t m = zc_columns(idx);
    const uint16_t *mv = zl_mem_values(), *sv = zl_shift_values();
    memset(need, 0, ZLV_N);
    for (unsigned i = 0; i < ZL_NCELL; i++)
        need[i] = 1;
    for (size_t j = 0; j < m; j++)
        need[idx[j]] = 1;
    for (unsigned j = 0; j < ZL_MEM_VALS; j++)
        need[mv[j]] = 1;
    for (unsigned j = 0; j < ZL_SHIFT_VALS; j++)
        need[sv[j]] = 1;
}

/* The needed values' indices into vt->need. */
static void need_list(zl_vtab *vt)
{
    uint8_t need[ZLV_N];
    zl_vtab_needed(need);
    vt->nneed = 0;
    for (unsigned i = 0; i < ZLV_N; i++)
        if (need[i])
            vt->need[vt->nneed++] = (uint16_t)i;
}

void zl_vtab_view(zl_vtab *vt, const cairn_fp *tab, size_t n)
{
    memset(vt, 0, sizeof *vt);
    vt->n = n;
    for (unsigned i = 0; i < ZLV_N; i++)
        vt->col[i] = tab + ((size_t)i << n);
    need_list(vt);
}

void zl_vtab_clear(zl_vtab *vt)
{
    if (vt == NULL)
        return;
    zl_reads_free(vt->rd);
    free(vt->own);
    memset(vt, 0, sizeof *vt);
}

struct build_job {
    const cairn_fp *cells;
    cairn_fp *own;
    uint64_t rows;
    size_t chunks;
};

/* B's column c at entry idx (the padding entry past the table), from brow when it is there. */
static cairn_fp b_at(const zl_tables *tb, unsigned c, uint64_t idx)
{
    size_t KB = (size_t)1 << tb->kb, e = idx < KB ? idx : KB - 1;
    return tb->brow != NULL ? tb->brow[e * ZLB_N + c] : tb->b[(size_t)c * KB + e];
}

/* U's column col at entry jj (0 past the table), from urow when it is there. */
static cairn_fp u_at(const zl_tables *tb, unsigned col, uint64_t jj)
{
    const size_t KU = (size_t)1 << ZU_VARS;
    if (jj >= KU)
        return cairn_fp_zero();
    return tb->urow != NULL ? tb->urow[jj * ZU_NCOL + col] : tb->u[col * KU + jj];
}

/* The cell columns of one chunk's rows. */
static void build_chunk(void *ctx, size_t chunk)
{
    const struct build_job *j = ctx;
    uint64_t per = (j->rows + j->chunks - 1) / j->chunks, lo = per * chunk;
    uint64_t hi = lo + per < j->rows ? lo + per : j->rows;
    for (uint64_t x = lo; x < hi; x++) {
        const cairn_fp *c = j->cells + x * ZL_NCELL;
        for (unsigned i = 0; i < ZL_NCELL; i++)
            j->own[(size_t)i * j->rows + x] = c[i];
    }
}

/*
 * Row x's values from its cells and the tables, exactly zl_row_values'
 * (built mode); the cells come from the columns or, when vt reads from a
 * cell source, from it (row x, then row x + 1 for the next row's values).
 * A read of the columns is counted unless the caller has (counted).
 */
static void row_from_cells(cairn_fp *v, const zl_vtab *vt, uint64_t x, int counted)
{
    const zl_tables *tb = vt->tb;
    uint64_t rows = UINT64_C(1) << vt->n;
    int from_src = zl_vtab_from_src(vt);
    if (from_src) {
        memcpy(v, zl_reads_row(vt, x), ZL_NCELL * sizeof *v);
    } else {
        if (!counted)
            zl_reads_count(vt);
        for (unsigned i = 0; i < ZL_NCELL; i++)
            v[i] = vt->col[i][x];
    }
    const cairn_fp *c = v;
    uint64_t pci = c[ZL_PCI].v;
    for (size_t k = 0; k < vt->nb; k++)
        v[ZLV_B + vt->bcol[k]] = b_at(tb, vt->bcol[k], pci);
    for (size_t k = 0; k < vt->nu; k++) {
        unsigned u = vt->ucol[k] / ZU_NCOL, col = vt->ucol[k] % ZU_NCOL;
        v[ZLV_U + vt->ucol[k]] = u_at(tb, col, c[zl_u_cells[u]].v);
    }
    cairn_fp *nv = v + ZLV_PC_NEXT;
    if (x + 1 < rows) {
        const cairn_fp two16 = cairn_fp_make(UINT64_C(1) << 16);
        cairn_fp nc[ZL_NCELL];
        if (from_src) {
            memcpy(nc, zl_reads_row(vt, x + 1), sizeof nc);
        } else {
            static const uint16_t used[] = {ZL_PCI, ZL_XL, ZL_XH, ZL_HL, ZL_HH, ZL_OI, ZL_EOF};
            for (unsigned u = 0; u < sizeof used / sizeof used[0]; u++)
                nc[used[u]] = vt->col[used[u]][x + 1];
        }
        uint64_t ni = nc[ZL_PCI].v;
        nv[0] = b_at(tb, ZK_PC, ni);
        nv[1] = cairn_fp_add(cairn_fp_add(b_at(tb, ZK_F_BO, ni), b_at(tb, ZK_F_BE, ni)),
                             b_at(tb, ZK_F_BI, ni));
        nv[2] = cairn_fp_add(nc[ZL_XL], cairn_fp_mul(nc[ZL_XH], two16));
        nv[3] = cairn_fp_add(nc[ZL_HL], cairn_fp_mul(nc[ZL_HH], two16));
        nv[4] = nc[ZL_OI];
        nv[5] = nc[ZL_EOF];
    } else {
        memset(nv, 0, (ZLV_EOF_NEXT - ZLV_PC_NEXT + 1) * sizeof *nv);
    }
    v[ZLV_ID] = cairn_fp_from_u64(x);
    v[ZLV_FIRST] = cairn_fp_make(x == 0);
    v[ZLV_LAST] = cairn_fp_make(x + 1 == vt->T);
    v[ZLV_PADS] = cairn_fp_make(x >= vt->T);
}

void zl_vtab_values(cairn_fp *out, const zl_vtab *vt, const uint16_t *idx, size_t len,
                    uint64_t x)
{
    if (vt->tb == NULL) {
        for (size_t k = 0; k < len; k++)
            out[k] = vt->col[idx[k]][x];
        return;
    }
    const zl_tables *tb = vt->tb;
    /* the cells from the source (counted there) or from the columns (counted here) */
    const cairn_fp *rc = NULL;
    cairn_fp row[ZLV_N];
    int whole = 0;
    if (zl_vtab_from_src(vt))
        rc = zl_reads_row(vt, x);
    else
        zl_reads_count(vt);
#define CELL(i) (rc != NULL ? rc[i] : vt->col[i][x])
    for (size_t k = 0; k < len; k++) {
        unsigned i = idx[k];
        if (i < ZL_NCELL) {
            out[k] = CELL(i);
        } else if (i >= ZLV_B && i < ZLV_B + ZLB_N) {
            out[k] = b_at(tb, i - ZLV_B, CELL(ZL_PCI).v);
        } else if (i >= ZLV_U && i < ZLV_U + ZL_NUCELL * ZU_NCOL) {
            unsigned u = (i - ZLV_U) / ZU_NCOL, col = (i - ZLV_U) % ZU_NCOL;
            out[k] = u_at(tb, col, CELL(zl_u_cells[u]).v);
        } else { /* the next row's and the public values: the whole row, once */
            if (!whole) {
                row_from_cells(row, vt, x, 1);
                whole = 1;
            }
            out[k] = row[i];
        }
    }
#undef CELL
}

void zl_vtab_row(cairn_fp *v, const zl_vtab *vt, uint64_t x)
{
    if (vt->tb != NULL) {
        row_from_cells(v, vt, x, 0);
        return;
    }
    for (size_t k = 0; k < vt->nneed; k++)
        v[vt->need[k]] = vt->col[vt->need[k]][x];
}

struct eval_job {
    const zl_vtab *vt;
    const uint16_t *idx;
    size_t len, lo_bits, chunks;
    const cairn_fp2 *elo, *ehi;
    cairn_fp2 *part; /* chunks x len partial sums */
};

static void eval_chunk(void *ctx, size_t chunk)
{
    const struct eval_job *j = ctx;
    cairn_fp row[ZLV_N];
    uint64_t rows = UINT64_C(1) << j->vt->n, per = (rows + j->chunks - 1) / j->chunks;
    uint64_t lo = per * chunk, hi = lo + per < rows ? lo + per : rows;
    cairn_fp2 *acc = j->part + chunk * j->len;
    size_t mask = ((size_t)1 << j->lo_bits) - 1;
    for (size_t i = 0; i < j->len; i++)
        acc[i] = cairn_fp2_zero();
    for (uint64_t x = lo; x < hi; x++) {
        cairn_fp2 e = cairn_fp2_mul(j->elo[x & mask], j->ehi[x >> j->lo_bits]);
        zl_vtab_row(row, j->vt, x);
        for (size_t i = 0; i < j->len; i++)
            acc[i] = cairn_fp2_add(acc[i], cairn_fp2_mul_fp(e, row[j->idx[i]]));
    }
}

cairn_status zl_vtab_eval(cairn_fp2 *out, const zl_vtab *vt, const uint16_t *idx, size_t len,
                          const cairn_fp2 *r, cairn_error *err)
{
    size_t n = vt->n, lo_bits = n / 2, chunks = cairn_pool_chunks((size_t)1 << n, 1024);
    cairn_fp2 *elo = malloc(((size_t)1 << lo_bits) * sizeof *elo);
    cairn_fp2 *ehi = malloc(((size_t)1 << (n - lo_bits)) * sizeof *ehi);
    cairn_fp2 *part = malloc(chunks * (len ? len : 1) * sizeof *part);
    cairn_status st = CAIRN_OK;
    if (elo == NULL || ehi == NULL || part == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for an evaluation");
        goto out;
    }
    if ((st = cairn_poly_eq_table(elo, r, lo_bits)) != CAIRN_OK ||
        (st = cairn_poly_eq_table(ehi, r + lo_bits, n - lo_bits)) != CAIRN_OK)
        goto out;
    struct eval_job j = {vt, idx, len, lo_bits, chunks, elo, ehi, part};
    cairn_pool_run(chunks, eval_chunk, &j);
    for (size_t i = 0; i < len; i++) {
        out[i] = cairn_fp2_zero();
        for (size_t c = 0; c < chunks; c++)
            out[i] = cairn_fp2_add(out[i], part[c * len + i]);
    }
out:
    free(elo);
    free(ehi);
    free(part);
    return st;
}

/* The needed bytecode columns and U outputs, and the borrowed tables (built mode). */
static void built_lists(zl_vtab *vt, size_t n, uint64_t T, const zl_tables *tb)
{
    uint8_t need[ZLV_N];
    vt->n = n;
    need_list(vt);
    zl_vtab_needed(need);
    vt->tb = tb, vt->T = T;
    for (unsigned i = 0; i < ZLB_N; i++)
        if (need[ZLV_B + i])
            vt->bcol[vt->nb++] = (uint16_t)i;
    for (unsigned i = 0; i < ZL_NUCELL * ZU_NCOL; i++)
        if (need[ZLV_U + i])
            vt->ucol[vt->nu++] = (uint16_t)i;
}

cairn_status zl_vtab_build(zl_vtab *vt, const cairn_fp *cells, size_t n, uint64_t T,
                           const zl_tables *tb, cairn_error *err)
{
    size_t rows = (size_t)1 << n;
    memset(vt, 0, sizeof *vt);
    vt->own = malloc(ZL_NCELL * rows * sizeof *vt->own);
    if (vt->own == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for %u cell columns of 2^%zu",
                               ZL_NCELL, n);
    for (unsigned i = 0; i < ZL_NCELL; i++)
        vt->col[i] = vt->own + (size_t)i * rows;
    built_lists(vt, n, T, tb);
    struct build_job j = {cells, vt->own, rows, cairn_pool_chunks(rows, 1024)};
    cairn_pool_run(j.chunks, build_chunk, &j);
    return CAIRN_OK;
}

cairn_status zl_vtab_src(zl_vtab *vt, const zl_cells_src *src, size_t n, uint64_t T,
                         const zl_tables *tb, cairn_error *err)
{
    memset(vt, 0, sizeof *vt);
    built_lists(vt, n, T, tb);
    cairn_status st = zl_vtab_attach(vt, src, err);
    if (st != CAIRN_OK)
        zl_vtab_clear(vt);
    return st;
}

void zl_vtab_cols(zl_vtab *vt, const cairn_fp *cols, size_t n, uint64_t T, const zl_tables *tb)
{
    memset(vt, 0, sizeof *vt);
    for (unsigned i = 0; i < ZL_NCELL; i++)
        vt->col[i] = cols + ((size_t)i << n);
    built_lists(vt, n, T, tb);
}

/*
 * The combined polynomial at one point: vals = the zero-check's columns
 * (zc_columns' order), then eq(tau, x).  The constraints read a full
 * value vector: each thread keeps one, zero where no column lands (the
 * constraints do not read those).
 */
struct zc_ctx {
    const zl_ctx *ctx;
    cairn_fp2 rho, rho_n;
    const uint16_t *idx;
    size_t m;
};

static cairn_fp2 zc_point(void *vctx, const cairn_fp2 *vals)
{
    static _Thread_local cairn_fp2 v[ZLV_N];
    const struct zc_ctx *c = vctx;
    for (size_t j = 0; j < c->m; j++)
        v[c->idx[j]] = vals[j];
    return combined(v, vals[c->m], c->rho, c->rho_n, c->ctx);
}

/*
 * The fast prover's rounds (docs/zkvm-v2.md §6 step 3).  Round i of the
 * sum-check binds variable i; with r_<i bound and x_>i summed,
 *
 *   s_i(X) = c_i eq(tau_i, X) q_i(X) + rho^N h_i(X),
 *   q_i(X) = sum_j eq(tau_>i, j) F(v(r_<i, X, j)),   c_i = prod_{k<i} eq(tau_k, r_k),
 *
 * F = sum_c rho^c C_c of degree 3 and h_i the (linear) sum of g.  So eq is
 * never a table: each pair j is weighted by the table of eq(tau_>i, .),
 * q_i is evaluated at X = 0, 2, 3 only, q_i(1) follows from the round's
 * claim, and s_i(0), s_i(2), s_i(3), s_i(4) are the messages the generic
 * prover sends (the bytes are the same: lean/zerocheck_fast_matches_generic).
 * The first round reads the rows' base values (zl_vtab_row) and evaluates
 * the constraints over F_p (zl_constraints_fp); rounds 1 .. delay-1 read
 * the 2^(i+1) rows under each pair and fold them on the fly with the
 * weights eq(r_<i, .); then one pass over the rows materialises the tables
 * folded `delay` times (zl_zc_delay: k tables of 2^(n - delay) extension
 * elements instead of 2^(n-1)), which the later rounds fold in place.  Pairs are cut into a fixed number of chunks, each with
 * its own sums, added in chunk order, so no byte depends on the threads.
 */
#define ZC_CHUNKS CAIRN_POOL_CHUNKS

_Thread_local int zl_zc_delay = ZL_ZC_DELAY;

struct zc_job {
    size_t k, half, chunks;
    const zl_vtab *vt;           /* rounds i < delay and the materialising pass: rows */
    cairn_fp2 *const *own;       /* later rounds (folded tables) */
    size_t round, delay;
    const cairn_fp2 *E;          /* eq(r_<i, .): 2^i entries (rounds i < delay), 2^delay (materialise) */
    const cairn_fp2 *wlo, *whi;  /* eq(tau_>i, j) = wlo[j & wmask] whi[j >> wbits] (split tables) */
    size_t wbits, wmask;
    const uint16_t *cols;        /* the value index of each table */
    const unsigned *flag;        /* the tables of the five flags of g */
    const uint16_t *flag_vi;     /* their value indices */
    const cairn_fp2 *rho_pow;    /* rho^c, c < ZL_NCON */
    const zl_ctx *ctx;
    cairn_fp2 r;                 /* the fold's challenge */
    size_t fold_len;             /* the materialising pass: entries of each table */
    cairn_fp2 acc[ZC_CHUNKS][5]; /* q(0), q(2), q(3), h(0), h(1) */
};

/*
 * F = sum_c rho^c C_c at one point, over F_p2 (f_fp2) or from base values
 * (f_fp); the products are summed unreduced and reduced once (the same
 * field value).
 */
static cairn_fp2 f_fp2(const cairn_fp2 *v, const struct zc_job *j)
{
    cairn_fp2 con[ZL_NCON];
    cairn_fp2_acc acc;
    zl_constraints(con, v, j->ctx);
    cairn_fp2_acc_zero(&acc);
    for (unsigned c = 0; c < ZL_NCON; c++)
        cairn_fp2_acc_add_mul(&acc, j->rho_pow[c], con[c]);
    return cairn_fp2_acc_reduce(&acc);
}

static cairn_fp2 f_fp(const cairn_fp *v, const struct zc_job *j)
{
    cairn_fp con[ZL_NCON];
    cairn_fp2_acc acc;
    zl_constraints_fp(con, v, j->ctx);
    cairn_fp2_acc_zero(&acc);
    for (unsigned c = 0; c < ZL_NCON; c++)
        cairn_fp2_acc_add_mul_fp(&acc, j->rho_pow[c], con[c]);
    return cairn_fp2_acc_reduce(&acc);
}

/*
 * e[c] = sum_{b < len} E[b] (value cols[c] of row first + b): entry
 * first / len of table c folded log2(len) times, from the rows.  The
 * products are summed unreduced (cairn_fp2_acc) and reduced once per
 * entry: the same field value.
 */
static void folded_from_rows(cairn_fp2 *e, const struct zc_job *j, uint64_t first, size_t len,
                             cairn_fp *row)
{
    static _Thread_local cairn_fp2_acc acc[ZLV_N];
    for (size_t c = 0; c < j->k; c++)
        cairn_fp2_acc_zero(&acc[c]);
    for (size_t b = 0; b < len; b++) {
        zl_vtab_row(row, j->vt, first + b);
        for (size_t c = 0; c < j->k; c++)
            cairn_fp2_acc_add_mul_fp(&acc[c], j->E[b], row[j->cols[c]]);
    }
    for (size_t c = 0; c < j->k; c++)
        e[c] = cairn_fp2_acc_reduce(&acc[c]);
}

static void zc_round_chunk(void *ctx, size_t chunk)
{
    struct zc_job *j = ctx;
    /* full value vectors at X = 0, 2, 3: zero where no table lands (the constraints do not read those) */
    static _Thread_local cairn_fp b0[ZLV_N], b2[ZLV_N], b3[ZLV_N], ra[ZLV_N], rb[ZLV_N];
    static _Thread_local cairn_fp2 e0[ZLV_N], e2[ZLV_N], e3[ZLV_N], fa[ZLV_N], fb[ZLV_N];
    size_t per = (j->half + j->chunks - 1) / j->chunks, lo = per * chunk;
    size_t hi = lo + per < j->half ? lo + per : j->half;
    cairn_fp2 q0 = cairn_fp2_zero(), q2 = q0, q3 = q0, h0 = q0, h1 = q0;
    for (size_t x = lo; x < hi; x++) {
        cairn_fp2 f0, f2, f3, g0 = cairn_fp2_zero(), g1 = g0;
        if (j->round == 0) { /* base values, constraints over F_p */
            zl_vtab_row(ra, j->vt, 2 * x);
            zl_vtab_row(rb, j->vt, 2 * x + 1);
            for (size_t c = 0; c < j->k; c++) {
                unsigned vi = j->cols[c];
                cairn_fp a = ra[vi], b = rb[vi];
                cairn_fp d = cairn_fp_sub(b, a);
                b0[vi] = a;
                b2[vi] = cairn_fp_add(b, d);
                b3[vi] = cairn_fp_add(b2[vi], d);
            }
            for (unsigned f = 0; f < 5; f++) {
                g0 = cairn_fp2_add(g0, cairn_fp2_from_fp(ra[j->flag_vi[f]]));
                g1 = cairn_fp2_add(g1, cairn_fp2_from_fp(rb[j->flag_vi[f]]));
            }
            f0 = f_fp(b0, j), f2 = f_fp(b2, j), f3 = f_fp(b3, j);
        } else {
            const cairn_fp2 *A, *B;
            if (j->round < j->delay) { /* the folded pair recomputed from its 2^(i+1) rows */
                size_t len = (size_t)1 << j->round;
                folded_from_rows(fa, j, (uint64_t)(2 * x) << j->round, len, ra);
                folded_from_rows(fb, j, (uint64_t)(2 * x + 1) << j->round, len, ra);
                A = fa, B = fb;
            } else {
                for (size_t c = 0; c < j->k; c++)
                    fa[c] = j->own[c][2 * x], fb[c] = j->own[c][2 * x + 1];
                A = fa, B = fb;
            }
            for (size_t c = 0; c < j->k; c++) {
                cairn_fp2 a = A[c], b = B[c];
                cairn_fp2 d = cairn_fp2_sub(b, a);
                unsigned vi = j->cols[c];
                e0[vi] = a;
                e2[vi] = cairn_fp2_add(b, d);
                e3[vi] = cairn_fp2_add(e2[vi], d);
            }
            for (unsigned f = 0; f < 5; f++) {
                g0 = cairn_fp2_add(g0, A[j->flag[f]]);
                g1 = cairn_fp2_add(g1, B[j->flag[f]]);
            }
            f0 = f_fp2(e0, j), f2 = f_fp2(e2, j), f3 = f_fp2(e3, j);
        }
        cairn_fp2 wx = cairn_fp2_mul(j->wlo[x & j->wmask], j->whi[x >> j->wbits]);
        q0 = cairn_fp2_add(q0, cairn_fp2_mul(wx, f0));
        q2 = cairn_fp2_add(q2, cairn_fp2_mul(wx, f2));
        q3 = cairn_fp2_add(q3, cairn_fp2_mul(wx, f3));
        h0 = cairn_fp2_add(h0, g0);
        h1 = cairn_fp2_add(h1, g1);
    }
    j->acc[chunk][0] = q0, j->acc[chunk][1] = q2, j->acc[chunk][2] = q3;
    j->acc[chunk][3] = h0, j->acc[chunk][4] = h1;
}

/* Fold tables [lo, hi) of the chunk's share with the challenge (whole tables per chunk: in place). */
static void zc_fold_chunk(void *ctx, size_t chunk)
{
    struct zc_job *j = ctx;
    size_t per = (j->k + j->chunks - 1) / j->chunks, lo = per * chunk;
    size_t hi = lo + per < j->k ? lo + per : j->k;
    for (size_t c = lo; c < hi; c++)
        for (size_t x = 0; x < j->half; x++) {
            cairn_fp2 a = j->own[c][2 * x], b = j->own[c][2 * x + 1];
            j->own[c][x] = cairn_fp2_add(a, cairn_fp2_mul(j->r, cairn_fp2_sub(b, a)));
        }
}

/* The tables folded `delay` times, entries [lo, hi) of the chunk's share, from the rows. */
static void zc_materialise_chunk(void *ctx, size_t chunk)
{
    struct zc_job *j = ctx;
    static _Thread_local cairn_fp row[ZLV_N];
    static _Thread_local cairn_fp2 e[ZLV_N];
    size_t per = (j->fold_len + j->chunks - 1) / j->chunks, lo = per * chunk;
    size_t hi = lo + per < j->fold_len ? lo + per : j->fold_len;
    size_t len = (size_t)1 << j->delay;
    for (size_t z = lo; z < hi; z++) {
        folded_from_rows(e, j, (uint64_t)z << j->delay, len, row);
        for (size_t c = 0; c < j->k; c++)
            j->own[c][z] = e[c];
    }
}

/* eq(tau, X) = 1 - tau - X + 2 tau X. */
static cairn_fp2 eq1(cairn_fp2 tau, cairn_fp2 X)
{
    cairn_fp2 tx = cairn_fp2_mul(tau, X);
    return cairn_fp2_add(cairn_fp2_sub(cairn_fp2_sub(cairn_fp2_one(), tau), X),
                         cairn_fp2_add(tx, tx));
}

/* The cubic through q(0), q(1), q(2), q(3) at X. */
static cairn_fp2 cubic_at(const cairn_fp2 q[4], cairn_fp2 X)
{
    /* Lagrange on 0..3: denominators -6, 2, -2, 6 */
    cairn_fp2 x0 = X, x1 = cairn_fp2_sub(X, cairn_fp2_one());
    cairn_fp2 x2 = cairn_fp2_sub(x1, cairn_fp2_one()), x3 = cairn_fp2_sub(x2, cairn_fp2_one());
    cairn_fp inv6 = cairn_fp_inv(cairn_fp_make(6)), inv2 = cairn_fp_inv(cairn_fp_make(2));
    cairn_fp2 l0 = cairn_fp2_neg(cairn_fp2_mul_fp(cairn_fp2_mul(cairn_fp2_mul(x1, x2), x3), inv6));
    cairn_fp2 l1 = cairn_fp2_mul_fp(cairn_fp2_mul(cairn_fp2_mul(x0, x2), x3), inv2);
    cairn_fp2 l2 = cairn_fp2_neg(cairn_fp2_mul_fp(cairn_fp2_mul(cairn_fp2_mul(x0, x1), x3), inv2));
    cairn_fp2 l3 = cairn_fp2_mul_fp(cairn_fp2_mul(cairn_fp2_mul(x0, x1), x2), inv6);
    return cairn_fp2_add(cairn_fp2_add(cairn_fp2_mul(l0, q[0]), cairn_fp2_mul(l1, q[1])),
                         cairn_fp2_add(cairn_fp2_mul(l2, q[2]), cairn_fp2_mul(l3, q[3])));
}

/*
 * The sum-check of the zero-check with eq factored out (above): the same
 * header, messages and challenges as cairn_sumcheck_prove, so
 * cairn_sumcheck_verify replays it; evals receives each table at the
 * final point.
 */
static cairn_status zc_sumcheck_fast(cairn_sumcheck_proof *proof, cairn_fp2 *point,
                                     cairn_fp2 *evals, cairn_transcript *t, size_t k,
                                     const zl_vtab *vt, const uint16_t *cols,
                                     const cairn_fp2 *tau, size_t n, cairn_fp2 rho,
                                     cairn_fp2 rho_n, cairn_fp2 claim, const zl_ctx *ctx,
                                     cairn_error *err)
{
    static const uint16_t flags[5] = {ZK_F_SWR, ZK_F_SRD, ZK_F_BO, ZK_F_BE, ZK_F_BI};
    cairn_status st = CAIRN_OK;
    size_t delay = zl_zc_delay < 1 ? 1 : (size_t)zl_zc_delay;
    delay = delay < n ? delay : n;
    size_t fold_len = (size_t)1 << (n - delay);
    cairn_fp2 rho_pow[ZL_NCON], *E = NULL;
    unsigned flag[5];
    uint16_t flag_vi[5];
    struct zc_job *j = calloc(1, sizeof *j);
    /* eq(tau_>i, .) as two split tables of at most 2^ceil((n-1)/2) entries each */
    size_t wl = (n - 1) / 2, wh = n - 1 - wl;
    cairn_fp2 **own = calloc(k, sizeof *own), *w = malloc((((size_t)1 << wl) + ((size_t)1 << wh)) * sizeof *w);
    cairn_sumcheck_proof_clear(proof);
    proof->evals = malloc(n * ZL_ZC_DEGREE * sizeof *proof->evals);
    if (delay <= ZL_ZC_DELAY_MAX)
        E = malloc(((size_t)1 << delay) * sizeof *E);
    if (delay > ZL_ZC_DELAY_MAX) {
        st = cairn_error_set(err, CAIRN_ERR_ARG, "zero-check: a delay of %zu rounds", delay);
        goto out;
    }
    if (j == NULL || own == NULL || w == NULL || proof->evals == NULL || E == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the zero-check");
        goto out;
    }
    for (size_t c = 0; c < k; c++)
        if ((own[c] = malloc(fold_len * sizeof **own)) == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the zero-check tables");
            goto out;
        }
    for (unsigned f = 0; f < 5; f++) {
        flag[f] = UINT_MAX;
        flag_vi[f] = (uint16_t)(ZLV_B + flags[f]);
        for (size_t c = 0; c < k; c++)
            if (cols[c] == ZLV_B + flags[f])
                flag[f] = (unsigned)c;
        if (flag[f] == UINT_MAX) {
            st = cairn_error_set(err, CAIRN_ERR_INTERNAL, "zero-check: a flag of g is not a table");
            goto out;
        }
    }
    rho_pow[0] = cairn_fp2_one();
    for (unsigned c = 1; c < ZL_NCON; c++)
        rho_pow[c] = cairn_fp2_mul(rho_pow[c - 1], rho);
    proof->rounds = n;
    proof->degree = ZL_ZC_DEGREE;
    cairn_sumcheck_absorb_header(t, n, ZL_ZC_DEGREE, claim);
    j->k = k, j->vt = vt, j->own = own, j->cols = cols, j->flag = flag;
    j->flag_vi = flag_vi, j->rho_pow = rho_pow, j->ctx = ctx, j->delay = delay, j->E = E;
    E[0] = cairn_fp2_one();
    cairn_fp2 ci = cairn_fp2_one();
    for (size_t i = 0; i < n; i++) {
        j->round = i;
        j->half = (size_t)1 << (n - 1 - i);
        j->chunks = cairn_pool_chunks(j->half, 64);
        {
            size_t m = n - 1 - i, lo = m / 2;
            cairn_fp2 *wlo = w, *whi = w + ((size_t)1 << lo);
            if ((st = cairn_poly_eq_table(wlo, tau + i + 1, lo)) != CAIRN_OK ||
                (st = cairn_poly_eq_table(whi, tau + i + 1 + lo, m - lo)) != CAIRN_OK)
                goto out;
            j->wlo = wlo, j->whi = whi, j->wbits = lo, j->wmask = ((size_t)1 << lo) - 1;
        }
        if (j->chunks == 1)
            zc_round_chunk(j, 0);
        else
            cairn_pool_run(j->chunks, zc_round_chunk, j);
        cairn_fp2 a[5];
        for (unsigned e = 0; e < 5; e++) {
            a[e] = cairn_fp2_zero();
            for (size_t c = 0; c < j->chunks; c++)
                a[e] = cairn_fp2_add(a[e], j->acc[c][e]);
        }
        /* q(1) from the claim: claim = c eq(tau,0) q(0) + c eq(tau,1) q(1) + rho^N (h0 + h1) */
        cairn_fp2 e0 = cairn_fp2_mul(ci, eq1(tau[i], cairn_fp2_zero()));
        cairn_fp2 e1 = cairn_fp2_mul(ci, tau[i]);
        if (cairn_fp2_is_zero(e1)) {
            st = cairn_error_set(err, CAIRN_ERR_INTERNAL, "zero-check: a zero challenge");
            goto out;
        }
        cairn_fp2 hs = cairn_fp2_mul(rho_n, cairn_fp2_add(a[3], a[4]));
        cairn_fp2 q[4] = {a[0], cairn_fp2_zero(), a[1], a[2]};
        q[1] = cairn_fp2_mul(cairn_fp2_sub(cairn_fp2_sub(claim, hs), cairn_fp2_mul(e0, q[0])),
                             cairn_fp2_inv(e1));
        cairn_fp2 hd = cairn_fp2_sub(a[4], a[3]);
        cairn_fp2 *msg = proof->evals + i * ZL_ZC_DEGREE;
        for (unsigned e = 0; e <= ZL_ZC_DEGREE; e++) {
            if (e == 1)
                continue;
            cairn_fp2 X = cairn_fp2_from_fp(cairn_fp_make(e));
            cairn_fp2 qx = e < 4 ? q[e] : cubic_at(q, X);
            cairn_fp2 hx = cairn_fp2_add(a[3], cairn_fp2_mul(X, hd));
            msg[e == 0 ? 0 : e - 1] = cairn_fp2_add(cairn_fp2_mul(cairn_fp2_mul(ci, eq1(tau[i], X)), qx),
                                                    cairn_fp2_mul(rho_n, hx));
        }
        point[i] = cairn_sumcheck_absorb_round(t, msg, ZL_ZC_DEGREE);
        cairn_fp2 r = point[i];
        claim = cairn_fp2_add(cairn_fp2_mul(cairn_fp2_mul(ci, eq1(tau[i], r)), cubic_at(q, r)),
                              cairn_fp2_mul(rho_n, cairn_fp2_add(a[3], cairn_fp2_mul(r, hd))));
        ci = cairn_fp2_mul(ci, eq1(tau[i], r));
        j->r = r;
        if (i < delay) { /* eq(r_<=i, .): 2^(i+1) entries, bit b of the index for r_b */
            size_t len = (size_t)1 << i;
            for (size_t b = 0; b < len; b++) {
                E[len + b] = cairn_fp2_mul(E[b], r);
                E[b] = cairn_fp2_sub(E[b], E[len + b]);
            }
        }
        if (i + 1 < delay)
            continue;
        if (i + 1 == delay) { /* the tables folded `delay` times, from the rows */
            j->fold_len = fold_len;
            j->chunks = cairn_pool_chunks(fold_len, 64);
            if (j->chunks <= 1) {
                j->chunks = 1;
                zc_materialise_chunk(j, 0);
            } else {
                cairn_pool_run(j->chunks, zc_materialise_chunk, j);
            }
            continue;
        }
        size_t fc = cairn_pool_chunks(k * j->half, 4096);
        j->chunks = fc < k ? fc : k;
        if (j->chunks <= 1) {
            j->chunks = 1;
            zc_fold_chunk(j, 0);
        } else {
            cairn_pool_run(j->chunks, zc_fold_chunk, j);
        }
    }
    for (size_t c = 0; c < k; c++)
        evals[c] = own[c][0];
out:
    if (own != NULL)
        for (size_t c = 0; c < k; c++)
            free(own[c]);
    free(own);
    free(w);
    free(E);
    free(j);
    if (st != CAIRN_OK)
        cairn_sumcheck_proof_clear(proof);
    return st;
}

/* The prover: the fast rounds, or (generic != 0) the generic point-function sum-check with eq as a table. */
static cairn_status zc_prove(zl_zc_proof *p, cairn_fp2 *r_z, cairn_transcript *t, const zl_vtab *vt,
                             size_t n, uint64_t T, uint64_t instructions, const zl_ctx *ctx,
                             unsigned threads, int generic, cairn_error *err)
{
    uint64_t rows = UINT64_C(1) << n;
    cairn_fp2 tau[CAIRN_POLY_MAX_VARS], rho;
    cairn_status st = CAIRN_OK;
    const cairn_fp **base = malloc((ZLV_N + 1) * sizeof *base);
    const cairn_fp2 **ext = malloc((ZLV_N + 1) * sizeof *ext);
    cairn_fp2 *eq = malloc((generic ? rows : 1) * sizeof *eq), *evals = malloc((ZLV_N + 1) * sizeof *evals);
    cairn_fp2 *all = malloc(ZLV_N * sizeof *all);
    uint16_t *idx = malloc(ZLV_N * sizeof *idx), *cols = malloc(ZLV_N * sizeof *cols);
    zl_zc_proof_clear(p);
    zl_zc_proof_init(p);
    size_t m = zl_zc_used(NULL);
    p->vals = malloc(m * sizeof *p->vals);
    if (base == NULL || ext == NULL || eq == NULL || evals == NULL || idx == NULL ||
        cols == NULL || all == NULL || p->vals == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the zero-check");
        goto out;
    }
    p->len = zl_zc_used(idx);
    if (instructions > T) {
        st = cairn_error_set(err, CAIRN_ERR_ARG, "%llu instructions in %llu rows",
                             (unsigned long long)instructions, (unsigned long long)T);
        goto out;
    }
    size_t k = zc_columns(cols);
    for (size_t j = 0; j < k && generic; j++)
        if (vt->col[cols[j]] == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_INTERNAL, "zero-check: value %u not built", cols[j]);
            goto out;
        }
    zc_schedule(tau, &rho, t, n, T, instructions);
    if (generic && (st = cairn_poly_eq_table(eq, tau, n)) != CAIRN_OK)
        goto out;
    for (size_t j = 0; j < k; j++)
        base[j] = vt->col[cols[j]], ext[j] = NULL;
    base[k] = NULL, ext[k] = eq;
    struct zc_ctx zc = {ctx, rho, cairn_fp2_zero(), cols, k};
    cairn_fp2 sum = claimed(&zc.rho_n, rho, T, instructions);
    if (generic)
        st = zk_sumcheck_prove(&p->sc, r_z, evals, t, k + 1, base, ext, n, ZL_ZC_DEGREE, sum,
                               zc_point, &zc, threads ? threads : 1, err);
    else
        st = zc_sumcheck_fast(&p->sc, r_z, evals, t, k, vt, cols, tau, n, rho, zc.rho_n, sum,
                              ctx, err);
    if (st != CAIRN_OK)
        goto out;
    for (unsigned i = 0; i < ZLV_N; i++)
        all[i] = cairn_fp2_zero();
    for (size_t j = 0; j < k; j++)
        all[cols[j]] = evals[j];
    for (size_t j = 0; j < p->len; j++)
        p->vals[j] = all[idx[j]];
    cairn_transcript_absorb_fp2_vec(t, "lean/zc/values", p->vals, p->len);
out:
    free(idx);
    free(cols);
    free(all);
    free(base);
    free(ext);
    free(eq);
    free(evals);
    return st;
}

cairn_status zl_zc_prove(zl_zc_proof *p, cairn_fp2 *r_z, cairn_transcript *t, const zl_vtab *vt,
                         size_t n, uint64_t T, uint64_t instructions, const zl_ctx *ctx,
                         unsigned threads, cairn_error *err)
{
    return zc_prove(p, r_z, t, vt, n, T, instructions, ctx, threads, 0, err);
}

cairn_status zl_zc_prove_generic(zl_zc_proof *p, cairn_fp2 *r_z, cairn_transcript *t,
                                 const zl_vtab *vt, size_t n, uint64_t T, uint64_t instructions,
                                 const zl_ctx *ctx, unsigned threads, cairn_error *err)
{
    return zc_prove(p, r_z, t, vt, n, T, instructions, ctx, threads, 1, err);
}

cairn_status zl_zc_verify(cairn_fp2 *r_z, cairn_fp2 *v, cairn_transcript *t, const zl_zc_proof *p,
                          size_t n, uint64_t T, uint64_t instructions, const zl_ctx *ctx,
                          cairn_error *err)
{
    cairn_fp2 tau[CAIRN_POLY_MAX_VARS], rho, rho_n, expected;
    cairn_status st;
    uint16_t *idx = malloc(ZLV_N * sizeof *idx);
    if (idx == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    size_t m = zl_zc_used(idx);
    if (p->len != m || n == 0 || n > CAIRN_POLY_MAX_VARS || T == 0 || T >= (UINT64_C(1) << n) ||
        instructions == 0 || instructions > T) {
        free(idx);
        return cairn_error_set(err, CAIRN_ERR_PARSE, "zero-check: %zu values, expected %zu",
                               p->len, m);
    }
    zc_schedule(tau, &rho, t, n, T, instructions);
    cairn_fp2 sum = claimed(&rho_n, rho, T, instructions);
    st = cairn_sumcheck_verify(r_z, &expected, t, &p->sc, n, ZL_ZC_DEGREE, sum, err);
    if (st != CAIRN_OK) {
        free(idx);
        return st;
    }
    cairn_transcript_absorb_fp2_vec(t, "lean/zc/values", p->vals, p->len);
    free(idx);
    zl_zc_values(v, p);
    public_at(v, r_z, n, T);
    cairn_fp2 acc = combined(v, cairn_poly_eq_eval(tau, r_z, n), rho, rho_n, ctx);
    if (!cairn_fp2_eq(acc, expected))
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "zero-check: the constraints at the final point do not match");
    return CAIRN_OK;
}
