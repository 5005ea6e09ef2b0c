/*
 * lean_shift.c — the lean row's shift stage (docs/zkvm-v2.md §6 step 5):
 * the next row's values the zero-check claimed at r_z (pc and f_byte of
 * the next row's bytecode entry, x, hi, oi, eof) become claims on this
 * row's values at a new point r_s.
 *
 * With next(r, y) the multilinear extension of [y = r + 1] over n bits
 * (0 when r is the last row, so a next-row value past the end is 0, as
 * the zero-check's tables define it) and G = sum_j zeta^j src_j the
 * sources combined by a challenge zeta drawn after the claims were
 * absorbed,
 *
 *     sum_j zeta^j next_j(r_z) = sum_y next(r_z, y) G(y),
 *
 * one degree-2 sum-check over n rounds.  It ends at r_s with the sources'
 * evaluations (the bytecode columns pc, f_bo, f_be, f_bi, and the cells
 * xl, xh, hl, hh, oi, eof), sent by the prover; the verifier computes
 * next(r_z, r_s) itself in O(n) and checks the final claim.
 *
 * The prover streams the rows in two passes and holds tables of about
 * 2^(n/2) entries (zl_shift_prove).  Write a row y = u + 2^W z (u the W
 * low bits, bound first) and r_z = (r_lo, r_hi) likewise.  On the cube
 *
 *     next(r_z, y) = eq(r_hi, z) a(u) + eq(r_hi, z - 1) b(u),
 *     a(u) = eq(r_lo, u - 1) for u >= 1, a(0) = 0,
 *     b(0) = eq(r_lo, 2^W - 1), b(u) = 0 for u >= 1,
 *
 * (eq(r_hi, -1) = 0), and both sides are multilinear in (u, z), so this
 * is next's extension too.  Summing over z first, the first W rounds are
 * those of sum_u a(u) G_a(u) + b(u) G_b(u) with G_a(u) = sum_z eq(r_hi,
 * z) G(u, z) and G_b(u) = sum_z eq(r_hi, z - 1) G(u, z): the same round
 * polynomials, from tables of 2^W that pass 1 accumulates.  At round W,
 * with rho the first W challenges, the rest is the sum over z of
 * (eq(r_hi, z) a(rho) + eq(r_hi, z - 1) b(rho)) G(rho, z); pass 2 binds
 * every source to rho (S_k(z) = src_k(rho, z), tables of 2^(n - W)),
 * which gives G(rho, z) and, after the last round at r', the sources'
 * values at r_s = (rho, r') as sum_z eq(r', z) S_k(z).  The transcript
 * and the proof are byte for byte those of the prover on full tables
 * (zl_shift_prove_tables, kept as the reference the tests hold the
 * streamed one to, for every W).
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/poly.h"
#include "cairn/pool.h"
#include "zkvm_internal.h"

/* The sources' value indices, in the order their evaluations are sent. */
static const uint16_t src[ZL_SHIFT_VALS] = {ZLV_B + ZK_PC, ZLV_B + ZK_F_BO, ZLV_B + ZK_F_BE,
                                            ZLV_B + ZK_F_BI, ZL_XL, ZL_XH, ZL_HL, ZL_HH, ZL_OI,
                                            ZL_EOF};
/* The zero-check's next-row values, in the order of the combination. */
static const uint16_t nexts[ZL_SH_CLAIMS] = {ZLV_PC_NEXT, ZLV_FBYTE_NEXT, ZLV_X_NEXT,
                                             ZLV_HI_NEXT, ZLV_OI_NEXT, ZLV_EOF_NEXT};

const uint16_t *zl_shift_values(void) { return src; }

/* G from the sources' values s (ZL_SHIFT_VALS, in src's order) and the powers of zeta. */
static cairn_fp2 combine(const cairn_fp2 *s, const cairn_fp2 *zp)
{
    cairn_fp2 t16 = cairn_fp2_from_fp(cairn_fp_make(UINT64_C(1) << 16));
    cairn_fp2 parts[6] = {s[0], cairn_fp2_add(cairn_fp2_add(s[1], s[2]), s[3]),
                          cairn_fp2_add(s[4], cairn_fp2_mul(t16, s[5])),
                          cairn_fp2_add(s[6], cairn_fp2_mul(t16, s[7])), s[8], s[9]};
    cairn_fp2 acc = cairn_fp2_zero();
    for (unsigned j = 0; j < 6; j++)
        acc = cairn_fp2_add(acc, cairn_fp2_mul(zp[j], parts[j]));
    return acc;
}

/* G at row y from its sources alone (zl_vtab_values: cells and bytecode columns, not the whole row). */
static cairn_fp2 g_at(const zl_vtab *vt, const cairn_fp2 *zp, uint64_t y)
{
    cairn_fp v[ZL_SHIFT_VALS];
    cairn_fp2 s[ZL_SHIFT_VALS];
    zl_vtab_values(v, vt, src, ZL_SHIFT_VALS, y);
    for (unsigned k = 0; k < ZL_SHIFT_VALS; k++)
        s[k] = cairn_fp2_from_fp(v[k]);
    return combine(s, zp);
}

/* G over the rows, cut into chunks (each row's entry depends only on the row). */
struct g_job {
    const zl_vtab *vt;
    const cairn_fp2 *zp;
    cairn_fp2 *g;
    uint64_t rows;
    size_t chunks;
};

/* Chunk c of a g_job: G at each of its rows. */
static void g_chunk(void *ctx, size_t c)
{
    const struct g_job *j = ctx;
    size_t lo, hi;
    cairn_pool_chunk_range(&lo, &hi, (size_t)j->rows, j->chunks, c);
    for (size_t y = lo; y < hi; y++)
        j->g[y] = g_at(j->vt, j->zp, y);
}

/* Absorb the claims, draw zeta; the claimed sum. */
static cairn_fp2 shift_schedule(cairn_fp2 zp[6], cairn_transcript *t, const cairn_fp2 *v)
{
    cairn_fp2 claims[6], sum = cairn_fp2_zero();
    for (unsigned j = 0; j < 6; j++)
        claims[j] = v[nexts[j]];
    cairn_transcript_absorb_fp2_vec(t, "lean/shift/claims", claims, 6);
    cairn_fp2 zeta = cairn_transcript_squeeze_fp2(t, "lean/shift/zeta");
    zp[0] = cairn_fp2_one();
    for (unsigned j = 1; j < 6; j++)
        zp[j] = cairn_fp2_mul(zp[j - 1], zeta);
    for (unsigned j = 0; j < 6; j++)
        sum = cairn_fp2_add(sum, cairn_fp2_mul(zp[j], claims[j]));
    return sum;
}

static cairn_fp2 product(void *ctx, const cairn_fp2 *vals)
{
    (void)ctx;
    return cairn_fp2_mul(vals[0], vals[1]);
}

void zl_shift_proof_init(zl_shift_proof *p)
{
    memset(p, 0, sizeof *p);
    cairn_sumcheck_proof_init(&p->sc);
}

void zl_shift_proof_clear(zl_shift_proof *p)
{
    if (p == NULL)
        return;
    cairn_sumcheck_proof_clear(&p->sc);
    memset(p, 0, sizeof *p);
}

/*
 * The reference prover: next(r_z, .) and G as tables of 2^n, the
 * generic point-function sum-check over them, then an evaluation pass
 * for the sources at r_s.  Three passes' worth of reads and about 48
 * bytes a row; the tests hold zl_shift_prove to its bytes.
 */
cairn_status zl_shift_prove_tables(zl_shift_proof *p, cairn_fp2 *r_s, cairn_transcript *t,
                                   const zl_vtab *vt, size_t n, const cairn_fp2 *r_z,
                                   const cairn_fp2 *v, unsigned threads, cairn_error *err)
{
    uint64_t rows = UINT64_C(1) << n;
    cairn_fp2 zp[6], sum, evals[2];
    cairn_fp2 *nx = malloc(rows * sizeof *nx), *g = malloc(rows * sizeof *g);
    cairn_status st = CAIRN_OK;
    zl_shift_proof_clear(p);
    zl_shift_proof_init(p);
    if (nx == NULL || g == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the shift stage");
        goto out;
    }
    sum = shift_schedule(zp, t, v);
    /* next(r_z, y) = eq(r_z, y - 1) for y >= 1, 0 for y = 0 */
    if ((st = cairn_poly_eq_table(g, r_z, n)) != CAIRN_OK)
        goto out;
    nx[0] = cairn_fp2_zero();
    memcpy(nx + 1, g, (rows - 1) * sizeof *nx);
    struct g_job gj = {vt, zp, g, rows, cairn_pool_chunks(rows, 1024)};
    cairn_pool_run(gj.chunks, g_chunk, &gj);
    const cairn_fp2 *ext[2] = {nx, g};
    const cairn_fp *base[2] = {NULL, NULL};
    if ((st = zk_sumcheck_prove(&p->sc, r_s, evals, t, 2, base, ext, n, ZL_SHIFT_DEGREE, sum,
                                product, NULL, threads ? threads : 1, err)) != CAIRN_OK)
        goto out;
    if ((st = zl_vtab_eval(p->vals, vt, src, ZL_SHIFT_VALS, r_s, err)) != CAIRN_OK)
        goto out;
    cairn_transcript_absorb_fp2_vec(t, "lean/shift/values", p->vals, ZL_SHIFT_VALS);
out:
    free(nx);
    free(g);
    return st;
}

/* ---- the streamed prover ---- */

size_t zl_shift_head(size_t n)
{
    /* pass 1's partial tables (chunks x 2 x 2^W) against pass 2's (about 15 x 2^(n - W)) */
    return n >= 3 ? (n - 3) / 2 : 0;
}

/*
 * The split's chunks and tables: pass 1's chunks c1 (none for w = 0),
 * each with partial G_a, G_b of 2^w; pass 2's chunks c2 of whole blocks;
 * the head's entries (a, b, G_a, G_b, eq(r_lo) then eq(rho), the
 * partials) and the tail's (eq(r_hi), N, G, eq(r'), then S).
 */
struct sizes {
    size_t c1, c2, head_len, tail_len;
};

static struct sizes sizes_of(size_t n, size_t w)
{
    size_t head = (size_t)1 << w, blocks = (size_t)1 << (n - w);
    struct sizes z;
    z.c1 = w > 0 ? cairn_pool_chunks(head * blocks, 1024) : 0;
    z.c2 = cairn_pool_chunks(blocks, w >= 10 ? 1 : (size_t)1 << (10 - w));
    z.head_len = 5 * head + 2 * head * z.c1;
    z.tail_len = (4 + ZL_SHIFT_VALS) * blocks;
    return z;
}

uint64_t zl_shift_memory(size_t n)
{
    struct sizes z = sizes_of(n, zl_shift_head(n));
    return sizeof(cairn_fp2) * ((uint64_t)z.head_len + z.tail_len);
}

/* Pass 1: chunk c's partial G_a, G_b over its rows (2^W each, at part + c * 2^(W+1)). */
struct p1_job {
    const zl_vtab *vt;
    const cairn_fp2 *zp, *ehi; /* zeta's powers; eq(r_hi, z) */
    cairn_fp2 *part;
    size_t w;
    uint64_t rows;
    size_t chunks;
};

static void p1_chunk(void *ctx, size_t c)
{
    const struct p1_job *j = ctx;
    size_t lo, hi, head = (size_t)1 << j->w, mask = head - 1;
    cairn_fp2 *ga = j->part + c * 2 * head, *gb = ga + head;
    cairn_pool_chunk_range(&lo, &hi, (size_t)j->rows, j->chunks, c);
    for (size_t u = 0; u < 2 * head; u++)
        ga[u] = cairn_fp2_zero();
    for (size_t y = lo; y < hi; y++) {
        size_t u = y & mask, z = y >> j->w;
        cairn_fp2 g = g_at(j->vt, j->zp, y);
        ga[u] = cairn_fp2_add(ga[u], cairn_fp2_mul(j->ehi[z], g));
        if (z > 0)
            gb[u] = cairn_fp2_add(gb[u], cairn_fp2_mul(j->ehi[z - 1], g));
    }
}

/* Pass 2: S_k(z) = sum_u eq(rho, u) src_k(u + 2^W z) for chunk c's z (whole blocks of rows). */
struct p2_job {
    const zl_vtab *vt;
    const cairn_fp2 *erho;
    cairn_fp2 *S; /* 2^(n - W) x ZL_SHIFT_VALS */
    size_t w, blocks, chunks;
};

static void p2_chunk(void *ctx, size_t c)
{
    const struct p2_job *j = ctx;
    size_t lo, hi, head = (size_t)1 << j->w;
    cairn_pool_chunk_range(&lo, &hi, j->blocks, j->chunks, c);
    for (size_t z = lo; z < hi; z++) {
        cairn_fp2 *acc = j->S + z * ZL_SHIFT_VALS;
        for (unsigned k = 0; k < ZL_SHIFT_VALS; k++)
            acc[k] = cairn_fp2_zero();
        for (size_t u = 0; u < head; u++) {
            cairn_fp v[ZL_SHIFT_VALS];
            zl_vtab_values(v, j->vt, src, ZL_SHIFT_VALS, u + (z << j->w));
            for (unsigned k = 0; k < ZL_SHIFT_VALS; k++)
                acc[k] = cairn_fp2_add(acc[k], cairn_fp2_mul_fp(j->erho[u], v[k]));
        }
    }
}

/*
 * One round of sum_j sum_q f_q(j) g_q(j) (tab: f_0, g_0, f_1, g_1, ...,
 * each of 2 * half entries): the message s(0), s(2) as zk_sumcheck_prove
 * writes it, the challenge, and every table folded in place.
 */
static cairn_fp2 product_round(cairn_fp2 *msg, cairn_transcript *t, cairn_fp2 *const *tab,
                               size_t pairs, size_t half)
{
    cairn_fp2 s0 = cairn_fp2_zero(), s2 = cairn_fp2_zero();
    for (size_t q = 0; q < pairs; q++) {
        const cairn_fp2 *f = tab[2 * q], *g = tab[2 * q + 1];
        for (size_t j = 0; j < half; j++) {
            cairn_fp2 f0 = f[2 * j], g0 = g[2 * j];
            cairn_fp2 f2 = cairn_fp2_sub(cairn_fp2_double(f[2 * j + 1]), f0);
            cairn_fp2 g2 = cairn_fp2_sub(cairn_fp2_double(g[2 * j + 1]), g0);
            s0 = cairn_fp2_add(s0, cairn_fp2_mul(f0, g0));
            s2 = cairn_fp2_add(s2, cairn_fp2_mul(f2, g2));
        }
    }
    msg[0] = s0, msg[1] = s2;
    cairn_fp2 r = cairn_sumcheck_absorb_round(t, msg, ZL_SHIFT_DEGREE);
    for (size_t c = 0; c < 2 * pairs; c++)
        cairn_poly_fold_fp2(tab[c], 2 * half, r);
    return r;
}

cairn_status zl_shift_prove_split(zl_shift_proof *p, cairn_fp2 *r_s, cairn_transcript *t,
                                  const zl_vtab *vt, size_t n, const cairn_fp2 *r_z,
                                  const cairn_fp2 *v, size_t w, cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    cairn_fp2 zp[6], sum;
    zl_shift_proof_clear(p);
    zl_shift_proof_init(p);
    if (n < 1 || n > CAIRN_SUMCHECK_MAX_VARS || w > n)
        return cairn_error_set(err, CAIRN_ERR_ARG, "shift stage: n %zu, head %zu", n, w);
    size_t head = (size_t)1 << w, blocks = (size_t)1 << (n - w);
    uint64_t rows = UINT64_C(1) << n;
    struct sizes sz = sizes_of(n, w);
    size_t c1 = sz.c1, c2 = sz.c2;
    cairn_fp2 *hd = malloc(sz.head_len * sizeof *hd);
    cairn_fp2 *tl = malloc(sz.tail_len * sizeof *tl);
    p->sc.evals = malloc(n * ZL_SHIFT_DEGREE * sizeof *p->sc.evals);
    if (hd == NULL || tl == NULL || p->sc.evals == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the shift stage");
        goto out;
    }
    p->sc.rounds = n, p->sc.degree = ZL_SHIFT_DEGREE;
    cairn_fp2 *a = hd, *b = a + head, *ga = b + head, *gb = ga + head, *elo = gb + head;
    cairn_fp2 *part = elo + head;
    cairn_fp2 *ehi = tl, *nx = ehi + blocks, *g = nx + blocks, *er = g + blocks, *S = er + blocks;
    sum = shift_schedule(zp, t, v);
    cairn_sumcheck_absorb_header(t, n, ZL_SHIFT_DEGREE, sum);
    if ((st = cairn_poly_eq_table(elo, r_z, w)) != CAIRN_OK ||
        (st = cairn_poly_eq_table(ehi, r_z + w, n - w)) != CAIRN_OK)
        goto out;
    for (size_t u = 0; u < head; u++) {
        a[u] = u > 0 ? elo[u - 1] : cairn_fp2_zero();
        b[u] = u > 0 ? cairn_fp2_zero() : elo[head - 1];
    }
    /* pass 1 and the first W rounds */
    if (w > 0) {
        struct p1_job j1 = {vt, zp, ehi, part, w, rows, c1};
        cairn_pool_run(c1, p1_chunk, &j1);
        for (size_t u = 0; u < head; u++) {
            ga[u] = gb[u] = cairn_fp2_zero();
            for (size_t c = 0; c < c1; c++) {
                ga[u] = cairn_fp2_add(ga[u], part[c * 2 * head + u]);
                gb[u] = cairn_fp2_add(gb[u], part[c * 2 * head + head + u]);
            }
        }
    }
    cairn_fp2 *htab[4] = {a, ga, b, gb};
    for (size_t i = 0; i < w; i++)
        r_s[i] = product_round(p->sc.evals + i * ZL_SHIFT_DEGREE, t, htab, 2, head >> (i + 1));
    /* pass 2: the sources bound to rho; then the last n - W rounds */
    if ((st = cairn_poly_eq_table(elo, r_s, w)) != CAIRN_OK)
        goto out;
    struct p2_job j2 = {vt, elo, S, w, blocks, c2};
    cairn_pool_run(c2, p2_chunk, &j2);
    for (size_t z = 0; z < blocks; z++) {
        cairn_fp2 s = cairn_fp2_mul(ehi[z], a[0]);
        if (z > 0)
            s = cairn_fp2_add(s, cairn_fp2_mul(ehi[z - 1], b[0]));
        nx[z] = s;
        g[z] = combine(S + z * ZL_SHIFT_VALS, zp);
    }
    cairn_fp2 *ttab[2] = {nx, g};
    for (size_t i = w; i < n; i++)
        r_s[i] = product_round(p->sc.evals + i * ZL_SHIFT_DEGREE, t, ttab, 1, blocks >> (i - w + 1));
    /* the sources at r_s */
    if ((st = cairn_poly_eq_table(er, r_s + w, n - w)) != CAIRN_OK)
        goto out;
    for (unsigned k = 0; k < ZL_SHIFT_VALS; k++) {
        cairn_fp2 acc = cairn_fp2_zero();
        for (size_t z = 0; z < blocks; z++)
            acc = cairn_fp2_add(acc, cairn_fp2_mul(er[z], S[z * ZL_SHIFT_VALS + k]));
        p->vals[k] = acc;
    }
    cairn_transcript_absorb_fp2_vec(t, "lean/shift/values", p->vals, ZL_SHIFT_VALS);
out:
    free(hd);
    free(tl);
    if (st != CAIRN_OK)
        zl_shift_proof_clear(p);
    return st;
}

cairn_status zl_shift_prove(zl_shift_proof *p, cairn_fp2 *r_s, cairn_transcript *t,
                            const zl_vtab *vt, size_t n, const cairn_fp2 *r_z,
                            const cairn_fp2 *v, unsigned threads, cairn_error *err)
{
    (void)threads; /* the pool's size (set by the prover) decides the threads */
    return zl_shift_prove_split(p, r_s, t, vt, n, r_z, v, zl_shift_head(n), err);
}

cairn_status zl_shift_verify(cairn_fp2 *r_s, cairn_transcript *t, const zl_shift_proof *p,
                             size_t n, const cairn_fp2 *r_z, const cairn_fp2 *v, cairn_error *err)
{
    cairn_fp2 zp[6], expected;
    if (n == 0 || n > CAIRN_POLY_MAX_VARS)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "shift stage: %zu variables", n);
    cairn_fp2 sum = shift_schedule(zp, t, v);
    cairn_status st =
        cairn_sumcheck_verify(r_s, &expected, t, &p->sc, n, ZL_SHIFT_DEGREE, sum, err);
    if (st != CAIRN_OK)
        return st;
    cairn_transcript_absorb_fp2_vec(t, "lean/shift/values", p->vals, ZL_SHIFT_VALS);
    cairn_fp2 got = cairn_fp2_mul(zk_next_eval(r_z, r_s, n), combine(p->vals, zp));
    if (!cairn_fp2_eq(got, expected))
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "shift stage: the next-row values do not follow from the rows");
    return CAIRN_OK;
}
