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
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/poly.h"
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
    cairn_fp2 *v = malloc(ZLV_N * sizeof *v), base[ZL_NCON], moved[ZL_NCON];
    zl_ctx ctx = {0x1000, 7};
    uint64_t s = UINT64_C(0x6c65616e2d7a6331);
    memset(used, 1, ZLV_N);
    if (v == NULL)
        return; /* all used: larger proofs, still sound */
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
    free(v);
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

/* The combined polynomial at one point: vals = the ZLV_N values, then eq(tau, x). */
struct zc_ctx {
    const zl_ctx *ctx;
    cairn_fp2 rho, rho_n;
};

static cairn_fp2 zc_point(void *vctx, const cairn_fp2 *vals)
{
    const struct zc_ctx *c = vctx;
    return combined(vals, vals[ZLV_N], c->rho, c->rho_n, c->ctx);
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

cairn_status zl_zc_prove(zl_zc_proof *p, cairn_fp2 *r_z, cairn_transcript *t, const cairn_fp *tab,
                         size_t n, uint64_t T, uint64_t instructions, const zl_ctx *ctx,
                         unsigned threads, cairn_error *err)
{
    uint64_t rows = UINT64_C(1) << n;
    cairn_fp2 tau[CAIRN_POLY_MAX_VARS], rho;
    cairn_status st = CAIRN_OK;
    const cairn_fp **base = malloc((ZLV_N + 1) * sizeof *base);
    const cairn_fp2 **ext = malloc((ZLV_N + 1) * sizeof *ext);
    cairn_fp2 *eq = malloc(rows * sizeof *eq), *evals = malloc((ZLV_N + 1) * sizeof *evals);
    uint16_t *idx = malloc(ZLV_N * sizeof *idx);
    zl_zc_proof_clear(p);
    zl_zc_proof_init(p);
    size_t m = zl_zc_used(NULL);
    p->vals = malloc(m * sizeof *p->vals);
    if (base == NULL || ext == NULL || eq == NULL || evals == NULL || idx == NULL ||
        p->vals == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the zero-check");
        goto out;
    }
    p->len = zl_zc_used(idx);
    if (instructions > T) {
        st = cairn_error_set(err, CAIRN_ERR_ARG, "%llu instructions in %llu rows",
                             (unsigned long long)instructions, (unsigned long long)T);
        goto out;
    }
    zc_schedule(tau, &rho, t, n, T, instructions);
    if ((st = cairn_poly_eq_table(eq, tau, n)) != CAIRN_OK)
        goto out;
    for (unsigned i = 0; i < ZLV_N; i++)
        base[i] = tab + (size_t)i * rows, ext[i] = NULL;
    base[ZLV_N] = NULL, ext[ZLV_N] = eq;
    struct zc_ctx zc = {ctx, rho, cairn_fp2_zero()};
    cairn_fp2 sum = claimed(&zc.rho_n, rho, T, instructions);
    if ((st = zk_sumcheck_prove(&p->sc, r_z, evals, t, ZLV_N + 1, base, ext, n, ZL_ZC_DEGREE, sum,
                                zc_point, &zc, threads ? threads : 1, err)))
        goto out;
    for (size_t j = 0; j < p->len; j++)
        p->vals[j] = evals[idx[j]];
    cairn_transcript_absorb_fp2_vec(t, "lean/zc/values", p->vals, p->len);
out:
    free(idx);
    free(base);
    free(ext);
    free(eq);
    free(evals);
    return st;
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
