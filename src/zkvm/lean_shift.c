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

/* G over the rows, cut into chunks (each row's entry depends only on the row). */
struct g_job {
    const zl_vtab *vt;
    const cairn_fp2 *zp;
    cairn_fp2 *g;
    uint64_t rows;
    size_t chunks;
};

/*
 * Chunk c of a g_job: G at each of its rows from the sources alone
 * (zl_vtab_values: cells and bytecode columns, not the whole row).
 */
static void g_chunk(void *ctx, size_t c)
{
    const struct g_job *j = ctx;
    size_t lo, hi;
    cairn_pool_chunk_range(&lo, &hi, (size_t)j->rows, j->chunks, c);
    for (size_t y = lo; y < hi; y++) {
        cairn_fp2 s[ZL_SHIFT_VALS];
        cairn_fp v[ZL_SHIFT_VALS];
        zl_vtab_values(v, j->vt, src, ZL_SHIFT_VALS, y);
        for (unsigned k = 0; k < ZL_SHIFT_VALS; k++)
            s[k] = cairn_fp2_from_fp(v[k]);
        j->g[y] = combine(s, j->zp);
    }
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

cairn_status zl_shift_prove(zl_shift_proof *p, cairn_fp2 *r_s, cairn_transcript *t,
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
