/*
 * lean_lookup.c — the lean row's lookup stage (docs/zkvm-v2.md §5, §6
 * steps 6 and 7): every virtual value the earlier stages claimed that is
 * a table output — a bytecode column of pc_idx, a U output of one of the
 * 18 looked-up cells — is proven by one batched logup* per table (gkr.h):
 *
 *   U: index columns j0..j3, xl, xh, hl, hh, the six register timestamp
 *      limbs, mp0, mp1, eml, emh (m = 18), the 20 U columns (C = 20), at
 *      the zero-check's point r_z and the memory GKR's point r_g (P = 2);
 *   B: index column pc_idx (m = 1), the ZLB_N lean bytecode columns, at
 *      r_z, r_g and the shift stage's point r_s (P = 3).
 *
 * The batched logup* takes the full tensor of values (column x index
 * column x point).  The entries an earlier stage claimed are taken from
 * that stage (the verifier never sees them twice); the prover sends the
 * others (the "extra" values, in tensor order).  Phase A (bind) of both
 * lookups absorbs the tensors and draws their challenges; the prover
 * computes the two pushforwards, which the caller commits (phase 2 of the
 * PCS) and passes back as the binding of phase B; phase B proves both.
 * What remains for the caller: the index columns at each lookup's GKR
 * point (cells: the PCS) and the pushforwards at two points each (the
 * phase-2 commitment).
 *
 * B's table has 2^kappa_B entries, kappa_B = ceil log2(count + 1), and
 * every entry from count on is the padding entry (padding bit 1), so a
 * pc_idx past the program can only claim a padding row.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/gkr.h"
#include "cairn/pool.h"
#include "zkvm_internal.h"

int zl_lk_path;
size_t zl_gkr_budget = ZL_GKR_BUDGET;

/* ---- the tables ---------------------------------------------------------------------------------- */

unsigned zl_bc_vars(const zk_bytecode *bc)
{
    unsigned v = 0;
    while ((UINT64_C(1) << v) < (uint64_t)bc->count + 1)
        v++;
    return v;
}

cairn_status zl_tables_init(zl_tables *tb, const zk_bytecode *bc, cairn_error *err)
{
    memset(tb, 0, sizeof *tb);
    tb->kb = zl_bc_vars(bc);
    size_t KU = (size_t)1 << ZU_VARS, KB = (size_t)1 << tb->kb;
    tb->u = malloc(ZU_NCOL * KU * sizeof *tb->u);
    tb->b = malloc(ZLB_N * KB * sizeof *tb->b);
    if (tb->u == NULL || tb->b == NULL) {
        zl_tables_clear(tb);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the lookup tables");
    }
    for (unsigned c = 0; c < ZU_NCOL; c++)
        for (uint32_t j = 0; j < KU; j++)
            tb->u[c * KU + j] = cairn_fp_from_u64(zl_u_value(c, j));
    zk_static pad;
    zk_static_pad(&pad);
    for (size_t e = 0; e < KB; e++) {
        cairn_fp row[ZLB_N];
        zl_bc_entry(row, e < bc->count ? &bc->entries[e] : &pad, e >= bc->count);
        for (unsigned c = 0; c < ZLB_N; c++)
            tb->b[c * KB + e] = row[c];
    }
    return CAIRN_OK;
}

cairn_status zl_tables_rows(zl_tables *tb, cairn_error *err)
{
    size_t KU = (size_t)1 << ZU_VARS, KB = (size_t)1 << tb->kb;
    tb->urow = malloc(ZU_NCOL * KU * sizeof *tb->urow);
    tb->brow = malloc(ZLB_N * KB * sizeof *tb->brow);
    if (tb->urow == NULL || tb->brow == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the lookup tables");
    for (size_t j = 0; j < KU; j++)
        for (unsigned c = 0; c < ZU_NCOL; c++)
            tb->urow[j * ZU_NCOL + c] = tb->u[c * KU + j];
    for (size_t e = 0; e < KB; e++)
        for (unsigned c = 0; c < ZLB_N; c++)
            tb->brow[e * ZLB_N + c] = tb->b[c * KB + e];
    return CAIRN_OK;
}

void zl_tables_clear(zl_tables *tb)
{
    if (tb == NULL)
        return;
    free(tb->u);
    free(tb->b);
    free(tb->urow);
    free(tb->brow);
    memset(tb, 0, sizeof *tb);
}

/* ---- which tensor entries the earlier stages claimed ------------------------------------------- */

/* The value index (into the ZLV_N layout) of tensor entry (c, l) of table U or B. */
static unsigned value_index(int is_u, unsigned c, unsigned l)
{
    return is_u ? ZLV_U + l * ZU_NCOL + c : ZLV_B + c;
}

/*
 * Where the earlier stage at point k (0 r_z, 1 r_g, 2 r_s) claimed value
 * vi: its position among that stage's values (the zero-check's used
 * values, the memory stage's, the shift's), or -1.  Reads the indices
 * only, so the count of extras needs no values.
 */
static long claim_at(const zl_lk_claims *cl, unsigned k, unsigned vi)
{
    const uint16_t *idx = k == 0 ? cl->zc_idx : k == 1 ? zl_mem_values() : zl_shift_values();
    size_t len = k == 0 ? cl->zc_len : k == 1 ? ZL_MEM_VALS : ZL_SHIFT_VALS;
    for (size_t j = 0; j < len; j++)
        if (idx[j] == vi)
            return (long)j;
    return -1;
}

/* The earlier stage's claim on value vi at point k, or NULL. */
static const cairn_fp2 *stage_claim(const zl_lk_claims *cl, unsigned k, unsigned vi)
{
    long j = claim_at(cl, k, vi);
    const cairn_fp2 *vals = k == 0 ? cl->zc_vals : k == 1 ? cl->mem_vals : cl->shift_vals;
    return j < 0 ? NULL : &vals[j];
}

/* Shapes of the two lookups. */
#define U_P 2u
#define B_P 3u

static size_t tensor_len(int is_u)
{
    return is_u ? (size_t)ZU_NCOL * ZL_NUCELL * U_P : (size_t)ZLB_N * B_P;
}

/* Number of tensor entries no stage claimed (the extra values the prover sends). */
static size_t extra_len(const zl_lk_claims *cl, int is_u)
{
    size_t m = is_u ? ZL_NUCELL : 1, C = is_u ? ZU_NCOL : ZLB_N, P = is_u ? U_P : B_P, e = 0;
    for (size_t c = 0; c < C; c++)
        for (size_t l = 0; l < m; l++)
            for (size_t k = 0; k < P; k++)
                e += claim_at(cl, (unsigned)k, value_index(is_u, (unsigned)c, (unsigned)l)) < 0;
    return e;
}

size_t zl_lk_extra_len(void)
{
    uint16_t idx[ZLV_N];
    zl_lk_claims cl = {idx, NULL, zl_zc_used(idx), NULL, NULL};
    return extra_len(&cl, 1) + extra_len(&cl, 0);
}

/*
 * The full tensor v[(c m + l) P + k]: stage claims where there are, the
 * extras elsewhere (consumed in order); with extras NULL (the prover),
 * the extras are computed (by extra_values) and written to out_extra.
 */
static void tensor(cairn_fp2 *v, cairn_fp2 *out_extra, const cairn_fp2 *extras,
                   const cairn_fp2 *computed, const zl_lk_claims *cl, int is_u)
{
    size_t m = is_u ? ZL_NUCELL : 1, C = is_u ? ZU_NCOL : ZLB_N, P = is_u ? U_P : B_P, e = 0;
    for (size_t c = 0; c < C; c++)
        for (size_t l = 0; l < m; l++)
            for (size_t k = 0; k < P; k++) {
                size_t at = (c * m + l) * P + k;
                const cairn_fp2 *sc = stage_claim(cl, (unsigned)k, value_index(is_u, (unsigned)c, (unsigned)l));
                if (sc != NULL)
                    v[at] = *sc;
                else if (extras != NULL)
                    v[at] = extras[e++];
                else
                    v[at] = out_extra[e++] = computed[at];
            }
}

/* One point's extra values, one item per index column (extra_values). */
struct extra_job {
    cairn_fp2 *out;
    const zl_lk_claims *cl;
    int is_u;
    const zl_vtab *vt;
    const cairn_fp *tcols;
    const cairn_fp2 *eq; /* eq(r_k, .) over the rows */
    size_t k, m, C, P, rows, K;
    int nomem[ZL_NUCELL]; /* item l could not get its pushforward */
};

/* Whether any column of index column l at point k is unclaimed. */
static int extra_needed(const zl_lk_claims *cl, int is_u, size_t C, size_t k, size_t l)
{
    for (size_t c = 0; c < C; c++)
        if (stage_claim(cl, (unsigned)k, value_index(is_u, (unsigned)c, (unsigned)l)) == NULL)
            return 1;
    return 0;
}

/* Item l of an extra_job: index column l's unclaimed entries at the job's point. */
static void extra_item(void *ctx, size_t l)
{
    struct extra_job *j = ctx;
    size_t k = j->k, m = j->m, P = j->P, K = j->K, C = j->C;
    int is_u = j->is_u;
    if (!extra_needed(j->cl, is_u, C, k, l))
        return;
    const cairn_fp *idx = j->vt->col[is_u ? zl_u_cells[l] : ZL_PCI];
    const cairn_fp2 *eq = j->eq;
    int direct = zl_lk_path == 0 ? j->rows < K : zl_lk_path == 1;
    if (direct) { /* fewer rows than entries: sum over the rows directly */
        for (size_t c = 0; c < C; c++) {
            if (stage_claim(j->cl, (unsigned)k, value_index(is_u, (unsigned)c, (unsigned)l)) != NULL)
                continue;
            cairn_fp2 acc = cairn_fp2_zero();
            const cairn_fp *tc = j->tcols + c * K;
            for (size_t x = 0; x < j->rows; x++) {
                uint64_t e = idx[x].v;
                if (e >= K && is_u)
                    continue;
                acc = cairn_fp2_add(acc, cairn_fp2_mul_fp(eq[x], tc[e < K ? e : K - 1]));
            }
            j->out[(c * m + l) * P + k] = acc;
        }
        return;
    }
    cairn_fp2 *y = calloc(K, sizeof *y);
    if (y == NULL) {
        j->nomem[l] = 1;
        return;
    }
    for (size_t x = 0; x < j->rows; x++) {
        uint64_t e = idx[x].v;
        if (e >= K) {
            if (is_u)
                continue;
            e = K - 1; /* B's padding entry */
        }
        y[e] = cairn_fp2_add(y[e], eq[x]);
    }
    for (size_t c = 0; c < C; c++) {
        if (stage_claim(j->cl, (unsigned)k, value_index(is_u, (unsigned)c, (unsigned)l)) != NULL)
            continue;
        cairn_fp2 acc = cairn_fp2_zero();
        const cairn_fp *tc = j->tcols + c * K;
        for (size_t e = 0; e < K; e++)
            acc = cairn_fp2_add(acc, cairn_fp2_mul_fp(y[e], tc[e]));
        j->out[(c * m + l) * P + k] = acc;
    }
    free(y);
}

/*
 * The prover's values of every unclaimed tensor entry (in tensor order in
 * out; claimed entries left alone): table column c of index column l at
 * point k is sum_x eq(r_k, x) T_c(idx_l(x)) = sum_j Y_{l,k}(j) T_c(j),
 * with Y_{l,k} the pushforward of eq(r_k, .) through idx_l, so one pass
 * over the rows per (l, k) serves all C columns (with fewer rows than
 * table entries, the sum over the rows is taken directly).  An index past U gives
 * 0 (as the value tables hold), past B the padding entry.  The index
 * columns of one point run on the pool, each writing only its own entries.
 */
static cairn_status extra_values(cairn_fp2 *out, const zl_lk_claims *cl, int is_u,
                                 const zl_tables *tb, const zl_vtab *vt, size_t n,
                                 const cairn_fp2 *const *pts, cairn_error *err)
{
    size_t m = is_u ? ZL_NUCELL : 1, C = is_u ? ZU_NCOL : ZLB_N, P = is_u ? U_P : B_P;
    size_t rows = (size_t)1 << n, K = (size_t)1 << (is_u ? ZU_VARS : tb->kb);
    cairn_fp2 *eq = malloc(rows * sizeof *eq);
    cairn_status st = CAIRN_OK;
    if (eq == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the lookup stage");
    struct extra_job j = {out, cl, is_u, vt, is_u ? tb->u : tb->b, eq, 0, m, C, P, rows, K, {0}};
    for (size_t k = 0; k < P; k++) {
        int any = 0;
        for (size_t l = 0; l < m && !any; l++)
            any = extra_needed(cl, is_u, C, k, l);
        if (!any)
            continue;
        if ((st = cairn_poly_eq_table(eq, pts[k], n)) != CAIRN_OK)
            break;
        j.k = k;
        cairn_pool_run(m, extra_item, &j);
        int nomem = 0;
        for (size_t l = 0; l < m; l++)
            nomem |= j.nomem[l];
        if (nomem) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the lookup stage");
            break;
        }
    }
    free(eq);
    return st;
}

/* The table side of the U statement for the verifier: closed forms. */
static void u_eval(cairn_fp2 *out, const cairn_fp2 *r, size_t kappa, size_t cols_len, void *ctx)
{
    cairn_fp2 all[ZU_NCOL];
    (void)kappa, (void)ctx;
    zl_u_mle(all, r);
    memcpy(out, all, cols_len * sizeof *out);
}

/* Fill both statements (values, points, columns); the bindings come later. */
static void statements(zl_lk_state *s, const zl_tables *tb, size_t n, const cairn_fp2 *r_z,
                       const cairn_fp2 *r_g, const cairn_fp2 *r_s, int verifier)
{
    size_t KU = (size_t)1 << ZU_VARS, KB = (size_t)1 << tb->kb;
    s->pts[0] = r_z, s->pts[1] = r_g, s->pts[2] = r_s;
    for (unsigned c = 0; c < ZU_NCOL; c++)
        s->ucols[c] = tb->u + c * KU;
    for (unsigned c = 0; c < ZLB_N; c++)
        s->bcols[c] = tb->b + c * KB;
    s->su = (cairn_logup_star_batch_statement){n,        ZU_VARS, ZL_NUCELL, U_P, s->pts,
                                              ZU_NCOL,  verifier ? NULL : s->ucols,
                                              u_eval,   NULL,    s->uvals, s->grind_u,
                                              NULL,     0};
    s->sb = (cairn_logup_star_batch_statement){n,      tb->kb, 1, B_P, s->pts, ZLB_N, s->bcols,
                                              NULL,   NULL,   s->bvals, s->grind_b, NULL, 0};
}

void zl_lk_proof_init(zl_lk_proof *p)
{
    memset(p, 0, sizeof *p);
    cairn_logup_star_proof_init(&p->u);
    cairn_logup_star_proof_init(&p->b);
}

void zl_lk_proof_clear(zl_lk_proof *p)
{
    if (p == NULL)
        return;
    cairn_logup_star_proof_clear(&p->u);
    cairn_logup_star_proof_clear(&p->b);
    free(p->extra);
    memset(p, 0, sizeof *p);
}

void zl_lk_state_clear(zl_lk_state *s)
{
    if (s == NULL)
        return;
    free(s->uvals);
    free(s->bvals);
    free(s->yu);
    free(s->yb);
    memset(s, 0, sizeof *s);
}

/* Allocate the tensors (and, for the prover, the pushforwards). */
static cairn_status state_alloc(zl_lk_state *s, const zl_tables *tb, int prover, cairn_error *err)
{
    s->uvals = malloc(tensor_len(1) * sizeof *s->uvals);
    s->bvals = malloc(tensor_len(0) * sizeof *s->bvals);
    if (prover) {
        s->yu = malloc(((size_t)1 << ZU_VARS) * sizeof *s->yu);
        s->yb = malloc(((size_t)1 << tb->kb) * sizeof *s->yb);
    }
    if (s->uvals == NULL || s->bvals == NULL || (prover && (s->yu == NULL || s->yb == NULL)))
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the lookup stage");
    return CAIRN_OK;
}

cairn_status zl_lk_bind_prove(zl_lk_state *s, zl_lk_proof *p, cairn_transcript *t,
                              const zl_tables *tb, const zl_vtab *vt, size_t n,
                              const cairn_fp2 *r_z, const cairn_fp2 *r_g, const cairn_fp2 *r_s,
                              const zl_lk_claims *cl, unsigned grind_u, unsigned grind_b,
                              unsigned threads, cairn_error *err)
{
    cairn_status st;
    zl_lk_state_clear(s);
    zl_lk_proof_clear(p);
    zl_lk_proof_init(p);
    s->grind_u = grind_u, s->grind_b = grind_b;
    if ((st = state_alloc(s, tb, 1, err)) != CAIRN_OK)
        return st;
    size_t eu = extra_len(cl, 1), eb = extra_len(cl, 0);
    p->extra_len = eu + eb;
    if ((p->extra = malloc((p->extra_len ? p->extra_len : 1) * sizeof *p->extra)) == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the lookup stage");
    statements(s, tb, n, r_z, r_g, r_s, 0);
    cairn_fp2 *cu = malloc(tensor_len(1) * sizeof *cu), *cb = malloc(tensor_len(0) * sizeof *cb);
    if (cu == NULL || cb == NULL)
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the lookup stage");
    else if ((st = extra_values(cu, cl, 1, tb, vt, n, s->pts, err)) == CAIRN_OK &&
             (st = extra_values(cb, cl, 0, tb, vt, n, s->pts, err)) == CAIRN_OK) {
        tensor(s->uvals, p->extra, NULL, cu, cl, 1);
        tensor(s->bvals, p->extra + eu, NULL, cb, cl, 0);
    }
    free(cu);
    free(cb);
    if (st != CAIRN_OK)
        return st;
    cairn_transcript_absorb_fp2_vec(t, "lean/lookup/extra", p->extra, p->extra_len);
    if ((st = cairn_logup_star_batch_bind(&s->chu, t, &s->su, err)) != CAIRN_OK ||
        (st = cairn_logup_star_batch_bind(&s->chb, t, &s->sb, err)) != CAIRN_OK)
        return st;
    /* the index columns are the value tables' cell columns */
    for (unsigned l = 0; l < ZL_NUCELL; l++)
        s->uidx[l] = vt->col[zl_u_cells[l]];
    s->bidx[0] = vt->col[ZL_PCI];
    if ((st = cairn_logup_star_batch_pushforward(s->yu, &s->su, &s->chu, s->uidx, threads, err)) ||
        (st = cairn_logup_star_batch_pushforward(s->yb, &s->sb, &s->chb, s->bidx, threads, err)))
        return st;
    return CAIRN_OK;
}

cairn_status zl_lk_prove(zl_lk_state *s, zl_lk_proof *p, zl_lk_result *res, cairn_transcript *t,
                         const uint8_t *binding, size_t binding_len, unsigned threads,
                         cairn_error *err)
{
    cairn_status st;
    s->su.y_binding = s->sb.y_binding = binding;
    s->su.y_binding_len = s->sb.y_binding_len = binding_len;
    if (zl_gkr_budget == 0) { /* the leaves in memory (tests: the reference) */
        if ((st = cairn_logup_star_batch_prove(&p->u, &res->u, t, &s->su, &s->chu, s->uidx,
                                               s->yu, threads, err)) != CAIRN_OK)
            return st;
        return cairn_logup_star_batch_prove(&p->b, &res->b, t, &s->sb, &s->chb, s->bidx, s->yb,
                                            threads, err);
    }
    if ((st = cairn_logup_star_batch_prove_stream(&p->u, &res->u, t, &s->su, &s->chu, s->uidx,
                                                  s->yu, zl_gkr_budget, threads, err)) != CAIRN_OK)
        return st;
    return cairn_logup_star_batch_prove_stream(&p->b, &res->b, t, &s->sb, &s->chb, s->bidx, s->yb,
                                               zl_gkr_budget, threads, err);
}

cairn_status zl_lk_bind_verify(zl_lk_state *s, cairn_transcript *t, const zl_lk_proof *p,
                               const zl_tables *tb, size_t n, const cairn_fp2 *r_z,
                               const cairn_fp2 *r_g, const cairn_fp2 *r_s,
                               const zl_lk_claims *cl, unsigned grind_u, unsigned grind_b,
                               cairn_error *err)
{
    cairn_status st;
    zl_lk_state_clear(s);
    s->grind_u = grind_u, s->grind_b = grind_b;
    if ((st = state_alloc(s, tb, 0, err)) != CAIRN_OK)
        return st;
    size_t eu = extra_len(cl, 1), eb = extra_len(cl, 0);
    if (p->extra_len != eu + eb)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "lookup stage: %zu extra values, expected %zu",
                               p->extra_len, eu + eb);
    statements(s, tb, n, r_z, r_g, r_s, 1);
    tensor(s->uvals, NULL, p->extra, NULL, cl, 1);
    tensor(s->bvals, NULL, p->extra + eu, NULL, cl, 0);
    cairn_transcript_absorb_fp2_vec(t, "lean/lookup/extra", p->extra, p->extra_len);
    if ((st = cairn_logup_star_batch_bind(&s->chu, t, &s->su, err)) != CAIRN_OK)
        return st;
    return cairn_logup_star_batch_bind(&s->chb, t, &s->sb, err);
}

cairn_status zl_lk_verify(zl_lk_state *s, zl_lk_result *res, cairn_transcript *t,
                          const zl_lk_proof *p, const uint8_t *binding, size_t binding_len,
                          cairn_error *err)
{
    cairn_status st;
    s->su.y_binding = s->sb.y_binding = binding;
    s->su.y_binding_len = s->sb.y_binding_len = binding_len;
    if ((st = cairn_logup_star_batch_verify(&res->u, t, &p->u, &s->su, &s->chu, err)) != CAIRN_OK)
        return st;
    return cairn_logup_star_batch_verify(&res->b, t, &p->b, &s->sb, &s->chb, err);
}
