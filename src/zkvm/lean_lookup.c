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
 * The prover reads the cells only as rows (a cairn_rows of width
 * ZL_NCELL, row x the cells of row x: DESIGN.md §3), in passes it counts
 * for the caller: phase A one pass for all the extra values of both
 * lookups (extra_values) and one per pushforward, phase B the logup*
 * provers' passes (cairn_logup_star_batch_*_rows).
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
_Thread_local size_t zl_gkr_budget = ZL_GKR_BUDGET;

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

/* ---- the prover's extra values: one pass over the cells ------------------------------------- */

/* The index items the pass reads per row: U's 18 cells, then pc_idx (B's one). */
#define X_ITEMS (ZL_NUCELL + 1u)
/* The (lookup, index column, point) pairs that can have extras: U's at two points, B's at three. */
#define X_PAIRS (ZL_NUCELL * U_P + B_P)
/* Table columns of the wider table. */
#define X_COLS ((unsigned)ZLB_N > (unsigned)ZU_NCOL ? (unsigned)ZLB_N : (unsigned)ZU_NCOL)
/* Rows per batch of the pass: their index cells and eq weights are held. */
#define X_BATCH 8192u

/* One pair with unclaimed entries: its columns, and its route to their values. */
struct xpair {
    int is_u, direct; /* direct: sums over the rows; else through the pushforward y */
    unsigned item, l, k; /* the item read, its index column in the lookup, the point */
    size_t K, ncol;
    uint16_t col[X_COLS];  /* the table columns no stage claimed here */
    cairn_fp2 acc[X_COLS]; /* their values (the direct route's sums as they grow) */
    cairn_fp2 *y;          /* the pushforward route: Y_{l,k}, K entries */
};

/* The pass: its pairs, the split eq tables of the three points, the batch being read. */
struct xpass {
    const zl_tables *tb;
    size_t n, h, npair, chunks;
    size_t cell[X_ITEMS]; /* the items' cells: each U cell (zl_u_cells), then pc_idx */
    struct xpair pair[X_PAIRS];
    cairn_fp2 *elo, *ehi; /* eq(r_k, .) over the low h and the high n - h bits, per point */
    cairn_fp *ix;         /* the batch's items, X_ITEMS per row */
    cairn_fp2 *eqb;       /* the batch's eq(r_k, x), X_BATCH per point */
    uint64_t x0;
    size_t count;
};

/*
 * Table U's or B's layout: entry e of column c at t[e * es + c * cs]
 * (entry by entry when the prover holds those copies, zl_tables_rows).
 */
struct xtab {
    const cairn_fp *t;
    size_t es, cs;
};

static struct xtab xtab_of(const zl_tables *tb, int is_u)
{
    const cairn_fp *rows = is_u ? tb->urow : tb->brow, *cols = is_u ? tb->u : tb->b;
    size_t C = is_u ? ZU_NCOL : ZLB_N, K = (size_t)1 << (is_u ? ZU_VARS : tb->kb);
    return rows != NULL ? (struct xtab){rows, C, 1} : (struct xtab){cols, 1, K};
}

/* Piece c of a batch: eq(r_k, x) of its rows for every point. */
static void xpass_eq(void *ctx, size_t c)
{
    struct xpass *x = ctx;
    size_t lo, hi, mask = ((size_t)1 << x->h) - 1, hl = (size_t)1 << (x->n - x->h);
    cairn_pool_chunk_range(&lo, &hi, x->count, x->chunks, c);
    for (size_t i = lo; i < hi; i++) {
        size_t r = (size_t)(x->x0 + i);
        for (size_t k = 0; k < B_P; k++)
            x->eqb[k * X_BATCH + i] = cairn_fp2_mul(x->elo[(k << x->h) + (r & mask)],
                                                   x->ehi[k * hl + (r >> x->h)]);
    }
}

/*
 * Pair p over the batch: each row adds eq(r_k, x) into Y[idx] (an index
 * past U adds nothing, past B goes to the padding entry), or, direct,
 * eq(r_k, x) T_c(idx) into each column's sum.  Only pair p's state is
 * written.
 */
static void xpass_pair(void *ctx, size_t p)
{
    struct xpass *x = ctx;
    struct xpair *q = &x->pair[p];
    const cairn_fp2 *w = x->eqb + q->k * X_BATCH;
    struct xtab tt = xtab_of(x->tb, q->is_u);
    for (size_t i = 0; i < x->count; i++) {
        uint64_t e = x->ix[i * X_ITEMS + q->item].v;
        if (e >= q->K) {
            if (q->is_u)
                continue;
            e = q->K - 1;
        }
        if (!q->direct) {
            q->y[e] = cairn_fp2_add(q->y[e], w[i]);
            continue;
        }
        const cairn_fp *ent = tt.t + e * tt.es;
        for (size_t t = 0; t < q->ncol; t++)
            q->acc[t] = cairn_fp2_add(q->acc[t], cairn_fp2_mul_fp(w[i], ent[q->col[t] * tt.cs]));
    }
}

/* One batch of the pass: the eq weights, then every pair on the pool. */
static cairn_status xpass_batch(void *ctx, uint64_t x0, size_t count, cairn_error *err)
{
    struct xpass *x = ctx;
    (void)err;
    x->x0 = x0, x->count = count, x->chunks = cairn_pool_chunks(count, 512);
    cairn_pool_run(x->chunks, xpass_eq, x);
    cairn_pool_run(x->npair, xpass_pair, x);
    return CAIRN_OK;
}

/*
 * After the pass, a pushforward pair's values: sum_e Y[e] T_c(e) for each
 * of its columns (entries no row reached, Y[e] = 0, add nothing).
 */
static void xpass_inner(void *ctx, size_t p)
{
    struct xpass *x = ctx;
    struct xpair *q = &x->pair[p];
    struct xtab tt = xtab_of(x->tb, q->is_u);
    size_t cs = tt.cs, off[X_COLS];
    if (q->direct)
        return;
    for (size_t t = 0; t < q->ncol; t++)
        q->acc[t] = cairn_fp2_zero(), off[t] = q->col[t] * cs;
    for (size_t e = 0; e < q->K; e++) {
        cairn_fp2 ye = q->y[e];
        if (cairn_fp2_is_zero(ye))
            continue;
        const cairn_fp *ent = tt.t + e * tt.es;
        for (size_t t = 0; t < q->ncol; t++)
            q->acc[t] = cairn_fp2_add(q->acc[t], cairn_fp2_mul_fp(ye, ent[off[t]]));
    }
}

/*
 * The pairs with unclaimed entries, each with its route (zl_lk_path; by
 * default the pushforward when the rows are at least the table's
 * entries) and, for the pushforward, its share of ys (K entries each,
 * zeroed); returns the number of entries ys needs when ys is NULL.
 */
static size_t xpass_pairs(struct xpass *x, const zl_lk_claims *cl, cairn_fp2 *ys)
{
    size_t rows = (size_t)1 << x->n, used = 0;
    x->npair = 0;
    for (int is_u = 1; is_u >= 0; is_u--) {
        size_t m = is_u ? ZL_NUCELL : 1, C = is_u ? ZU_NCOL : ZLB_N, P = is_u ? U_P : B_P;
        size_t K = (size_t)1 << (is_u ? ZU_VARS : x->tb->kb);
        int direct = zl_lk_path == 0 ? rows < K : zl_lk_path == 1;
        for (size_t l = 0; l < m; l++)
            for (size_t k = 0; k < P; k++) {
                struct xpair *q = &x->pair[x->npair];
                q->ncol = 0;
                for (size_t c = 0; c < C; c++)
                    if (stage_claim(cl, (unsigned)k, value_index(is_u, (unsigned)c, (unsigned)l)) ==
                        NULL)
                        q->col[q->ncol++] = (uint16_t)c;
                if (q->ncol == 0)
                    continue;
                q->is_u = is_u, q->direct = direct, q->K = K;
                q->item = is_u ? (unsigned)l : ZL_NUCELL, q->l = (unsigned)l, q->k = (unsigned)k;
                for (size_t t = 0; t < q->ncol; t++)
                    q->acc[t] = cairn_fp2_zero();
                q->y = NULL;
                if (!direct) {
                    if (ys != NULL) {
                        q->y = ys + used;
                        memset(q->y, 0, K * sizeof *q->y);
                    }
                    used += K;
                }
                x->npair++;
            }
    }
    return used;
}

/*
 * The prover's values of every unclaimed tensor entry of both lookups
 * (tensor order, cu for U and cb for B; claimed entries left alone):
 * table column c of index column l at point k is
 *     sum_x eq(r_k, x) T_c(idx_l(x)) = sum_e Y_{l,k}(e) T_c(e),
 * Y_{l,k} the pushforward of eq(r_k, .) through idx_l.  One pass over the
 * cells serves every pair (l, k): each batch of X_BATCH rows has its
 * items gathered and its eq weights computed from split tables, then the
 * pairs run on the pool, each adding into its own Y (or, with fewer rows
 * than table entries, into its columns' sums directly); the inner
 * products with the table follow, a pair per job.  An index past U gives
 * 0 (as the value tables hold), past B the padding entry.  Memory: a Y of
 * K entries per pair on the pushforward route (U: 36 pairs of 2^16, 36
 * MiB; B: 3 of 2^kb), split eq tables (3 (2^(n/2) + 2^(n - n/2))), the
 * batch (19 cells and 3 eq weights a row); nothing of 2^n.  *rows_read:
 * the cell rows read (2^n, or 0 when no entry is left).  Whatever the
 * source returns, CAIRN_ERR_NOMEM.
 */
static cairn_status extra_values(cairn_fp2 *cu, cairn_fp2 *cb, uint64_t *rows_read,
                                 const zl_lk_claims *cl, const zl_tables *tb,
                                 const cairn_rows *cells, size_t n, const cairn_fp2 *const *pts,
                                 cairn_error *err)
{
    struct xpass *x = calloc(1, sizeof *x);
    cairn_fp2 *ys = NULL;
    cairn_status st = CAIRN_OK;
    *rows_read = 0;
    if (x == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the lookup stage");
    x->tb = tb, x->n = n, x->h = n / 2;
    for (unsigned l = 0; l < ZL_NUCELL; l++)
        x->cell[l] = zl_u_cells[l];
    x->cell[ZL_NUCELL] = ZL_PCI;
    size_t lo = (size_t)1 << x->h, hi = (size_t)1 << (n - x->h), rows = (size_t)1 << n;
    size_t batch = rows < X_BATCH ? rows : X_BATCH, yl = xpass_pairs(x, cl, NULL);
    ys = malloc((yl ? yl : 1) * sizeof *ys);
    x->elo = malloc(B_P * lo * sizeof *x->elo);
    x->ehi = malloc(B_P * hi * sizeof *x->ehi);
    x->ix = malloc(batch * X_ITEMS * sizeof *x->ix);
    x->eqb = malloc(B_P * X_BATCH * sizeof *x->eqb);
    if (ys == NULL || x->elo == NULL || x->ehi == NULL || x->ix == NULL || x->eqb == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the lookup stage's extra "
                             "values (%zu pushforward entries)", yl);
        goto out;
    }
    (void)xpass_pairs(x, cl, ys);
    if (x->npair == 0)
        goto out;
    for (size_t k = 0; k < B_P; k++)
        if ((st = cairn_poly_eq_table(x->elo + k * lo, pts[k], x->h)) != CAIRN_OK ||
            (st = cairn_poly_eq_table(x->ehi + k * hi, pts[k] + x->h, n - x->h)) != CAIRN_OK)
            goto out;
    *rows_read = rows;
    if ((st = cairn_rows_gather(cells, 0, rows, x->cell, X_ITEMS, x->ix, X_ITEMS, X_BATCH,
                                xpass_batch, x, err)) != CAIRN_OK)
        goto out;
    cairn_pool_run(x->npair, xpass_inner, x);
    for (size_t p = 0; p < x->npair; p++) {
        const struct xpair *q = &x->pair[p];
        size_t m = q->is_u ? ZL_NUCELL : 1, P = q->is_u ? U_P : B_P;
        for (size_t t = 0; t < q->ncol; t++)
            (q->is_u ? cu : cb)[(q->col[t] * m + q->l) * P + q->k] = q->acc[t];
    }
out:
    if (x != NULL) {
        free(x->elo);
        free(x->ehi);
        free(x->ix);
        free(x->eqb);
    }
    free(x);
    free(ys);
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

/* The index columns of both lookups as positions in the cells: U's 18 cells, B's pc_idx. */
struct lk_index {
    size_t ucell[ZL_NUCELL], bcell[1];
    cairn_logup_star_index u, b;
};

static void index_sources(struct lk_index *ix, const cairn_rows *cells)
{
    for (unsigned l = 0; l < ZL_NUCELL; l++)
        ix->ucell[l] = zl_u_cells[l];
    ix->bcell[0] = ZL_PCI;
    ix->u = (cairn_logup_star_index){cells, ix->ucell};
    ix->b = (cairn_logup_star_index){cells, ix->bcell};
}

cairn_status zl_lk_bind_prove(zl_lk_state *s, zl_lk_proof *p, cairn_transcript *t,
                              const zl_tables *tb, const cairn_rows *cells, size_t n,
                              const cairn_fp2 *r_z, const cairn_fp2 *r_g, const cairn_fp2 *r_s,
                              const zl_lk_claims *cl, unsigned grind_u, unsigned grind_b,
                              unsigned threads, cairn_error *err)
{
    cairn_status st;
    uint64_t xrows = 0;
    size_t pu = 0, pb = 0;
    zl_lk_state_clear(s);
    zl_lk_proof_clear(p);
    zl_lk_proof_init(p);
    s->grind_u = grind_u, s->grind_b = grind_b;
    if (cells == NULL || cells->width != ZL_NCELL || cells->rows_len != (UINT64_C(1) << n))
        return cairn_error_set(err, CAIRN_ERR_ARG, "lookup stage: the cells are not %u cells of "
                               "2^%zu rows", ZL_NCELL, n);
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
    else if ((st = extra_values(cu, cb, &xrows, cl, tb, cells, n, s->pts, err)) == CAIRN_OK) {
        tensor(s->uvals, p->extra, NULL, cu, cl, 1);
        tensor(s->bvals, p->extra + eu, NULL, cb, cl, 0);
    }
    s->cell_rows = xrows;
    free(cu);
    free(cb);
    if (st != CAIRN_OK)
        return st;
    cairn_transcript_absorb_fp2_vec(t, "lean/lookup/extra", p->extra, p->extra_len);
    if ((st = cairn_logup_star_batch_bind(&s->chu, t, &s->su, err)) != CAIRN_OK ||
        (st = cairn_logup_star_batch_bind(&s->chb, t, &s->sb, err)) != CAIRN_OK)
        return st;
    /* the index columns are cells: U's 18 and pc_idx, read from the rows */
    struct lk_index ix;
    index_sources(&ix, cells);
    st = cairn_logup_star_batch_pushforward_rows(s->yu, &pu, &s->su, &s->chu, &ix.u, threads, err);
    if (st == CAIRN_OK)
        st = cairn_logup_star_batch_pushforward_rows(s->yb, &pb, &s->sb, &s->chb, &ix.b, threads,
                                                     err);
    s->cell_rows += (uint64_t)(pu + pb) << n;
    return st;
}

cairn_status zl_lk_prove(zl_lk_state *s, zl_lk_proof *p, zl_lk_result *res, cairn_transcript *t,
                         const cairn_rows *cells, const uint8_t *binding, size_t binding_len,
                         unsigned threads, cairn_error *err)
{
    cairn_status st;
    size_t pu = 0, pb = 0, n = s->su.n;
    s->cell_rows = 0;
    if (cells == NULL || cells->width != ZL_NCELL || cells->rows_len != (UINT64_C(1) << n))
        return cairn_error_set(err, CAIRN_ERR_ARG, "lookup stage: the cells are not %u cells of "
                               "2^%zu rows", ZL_NCELL, n);
    s->su.y_binding = s->sb.y_binding = binding;
    s->su.y_binding_len = s->sb.y_binding_len = binding_len;
    struct lk_index ix;
    index_sources(&ix, cells);
    if (zl_gkr_budget == 0) { /* the leaves in memory (tests: the reference) */
        st = cairn_logup_star_batch_prove_rows(&p->u, &res->u, &pu, t, &s->su, &s->chu, &ix.u,
                                               s->yu, threads, err);
        if (st == CAIRN_OK)
            st = cairn_logup_star_batch_prove_rows(&p->b, &res->b, &pb, t, &s->sb, &s->chb, &ix.b,
                                                   s->yb, threads, err);
    } else {
        st = cairn_logup_star_batch_prove_stream_rows(&p->u, &res->u, &pu, t, &s->su, &s->chu,
                                                      &ix.u, s->yu, zl_gkr_budget, threads, err);
        if (st == CAIRN_OK)
            st = cairn_logup_star_batch_prove_stream_rows(&p->b, &res->b, &pb, t, &s->sb, &s->chb,
                                                          &ix.b, s->yb, zl_gkr_budget, threads,
                                                          err);
    }
    s->cell_rows = (uint64_t)(pu + pb) << n;
    return st;
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
