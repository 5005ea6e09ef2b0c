/*
 * lean_open.c — the lean row's claim reduction and openings (docs/zkvm-v2.md
 * §6 steps 8, 9): every claim the stages leave on a committed polynomial
 * reduced by one sum-check to one point r* of the stacked batch, and the
 * batch opened there once (docs/pcs.md §9 for the layout).
 *
 * A claim point names a group of the stacked layout, a point r in the
 * group's n_g variables and, per member of the group, whether a value is
 * claimed there: known (an earlier stage's claim, the verifier's own) or
 * sent (the prover sends it; the caller checks what it implies).  Member
 * j of group g sits in slot c = first_slot[g] + j / 2^d (d = N - n_g), in
 * block b = j mod 2^d, so its value at r is the slot's value at the lifted
 * point l = (r || bits(b)) of the batch's N variables:
 *     v = f_j(r) = S_c(r || bits(b)) = sum_{x in {0,1}^N} eq(l, x) S_c(x).
 * Claims with the same lifted point form one instance; with a coefficient
 * a per claim (from the transcript, after every claimed value is bound),
 * instance l's claim is
 *     sum_x eq(l, x) Q_l(x) = sum_{claims at l} a v,
 *     Q_l = sum_{claims at l} a S_c   (multilinear: a sum of slots),
 * and the instances are proven by one batched sum-check (degree 2, N
 * rounds, cairn_sumcheck_batch_prove), which ends at one point r*.  The
 * prover sends every slot's value S_c(r*); the verifier forms
 * Q_l(r*) = sum a S_c(r*) and the batch's final check
 * sum_l rho_l eq(l, r*) Q_l(r*) itself, in O(instances * N + claims), and
 * the opening at the single point r* proves the S_c(r*) (the PCS absorbs
 * them before its first challenge).
 *
 * Soundness: a false claim survives the coefficients a with probability
 * <= 1/p^2, the batch's rho with <= 1/p^2, and the sum-check's N rounds of
 * degree 2 with <= 2N/p^2: (2 + 2N)/p^2 per batch (docs/zkvm-v2.md §6).
 * The boolean block coordinates of l need no challenge: the slot values at
 * r* are opened directly, never recombined from member values.
 *
 * The prover keeps each Q_l on its block only: eq(l, .) vanishes off it,
 * so the first n_g rounds are those of T_l = sum a f_member over the
 * group's n_g variables (sum_l 2^n_g extension elements, built from the
 * members), and in each later round only one pair of Q_l has a non-zero
 * eq weight: Q_l(r_<i, X, bits of l's block past i), a combination of the
 * claimed slots' values at (r_<n_g, y) for the 2^(N - n_g) blocks y,
 * evaluated once per slot and folded as the rounds bind y
 * (cairn_sumcheck_batch_prove_split).  The reference prover
 * (zl_open_path = 1, for tests) builds every Q_l over all 2^N entries in
 * one pass over the slots (instances * 2^N extension elements) and gives
 * the same bytes.
 *
 * Where the members are read (zl_members).  Tables in memory, or, for one
 * group (phase 1's cells), a row source that is only ever streamed: its
 * sent values at every point in one pass, every instance's block table
 * T_l in one pass, its claimed slots' block values at the prefix point in
 * one pass (when the group is not the largest), and the batch rows for
 * the evaluation at r* and the opening through cairn_pcs_stack_src (one
 * pass each when the group is the largest).  Field sums do not depend on
 * their order, so the passes give the bytes of the tables whatever the
 * source's chunks and the thread count.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/pool.h"
#include "zkvm_internal.h"

/* One claim: its instance, slot and member (of the point's group), its value, its coefficient. */
struct rclaim {
    size_t inst, slot, member;
    cairn_fp2 v, a;
};

/* The reduction's plan: the claims and their instances, the same for prover and verifier. */
struct plan {
    size_t m, ninst, N;
    struct rclaim *cl;
    cairn_fp2 *taus;  /* ninst * N: the lifted points */
    cairn_fp2 *claim; /* ninst */
    size_t *grp;      /* ninst: the group of the instance's point */
};

static void plan_clear(struct plan *pl)
{
    free(pl->cl);
    free(pl->taus);
    free(pl->claim);
    free(pl->grp);
    memset(pl, 0, sizeof *pl);
}

size_t zl_open_sent_len(const zl_claim_pt *pts, size_t npts, const cairn_pcs_stack *st)
{
    size_t e = 0;
    for (size_t i = 0; i < npts; i++)
        for (size_t j = 0; j < st->groups[pts[i].group].count; j++)
            e += pts[i].kind[j] == ZL_CLAIM_SENT;
    return e;
}

/*
 * Member j of group g as a table, or NULL when it is read from rows
 * (ms->rows: group ms->group's members).
 */
static const cairn_fp *table_of(const zl_members *ms, const cairn_pcs_stack *st, size_t g,
                                size_t j)
{
    return ms->rows != NULL && g == ms->group ? NULL : ms->polys[st->first_poly[g] + j];
}

/* A member's value at a point (its group's variables), filled by a pass over the rows. */
struct mp_eval {
    size_t j;
    const cairn_fp2 *r;
    cairn_fp2 *out;
};

/* A table accumulated by a pass over the rows: tab[x] += a * f_j[x]. */
struct mp_acc {
    size_t j;
    cairn_fp2 a;
    cairn_fp2 *tab;
};

/* Rows of a piece each pool chunk takes at least. */
#define ZL_MP_CHUNK 256u

/* One pass over the member rows: its requests, eq tables, and the piece being read. */
struct mpass {
    size_t width, lo_bits, hi_len;
    const struct mp_eval *ev;
    const struct mp_acc *acc;
    size_t nev, nacc, npt;
    size_t *pt;      /* nev: each evaluation's point among the distinct ones */
    cairn_fp2 *elo;  /* npt tables of 2^lo_bits: eq of the points' low coordinates */
    cairn_fp2 *ehi;  /* npt tables of hi_len: eq of their high coordinates */
    cairn_fp2 *sum;  /* nev: the evaluations so far */
    cairn_fp2 *part; /* per pool chunk nev sums, then npt eq values of the row */
    uint64_t next;
    uint64_t first;  /* the piece being read */
    const cairn_fp *rows;
    size_t count, chunks;
};

/* Chunk ch of a piece: the accumulations of the rows it owns, and its evaluations' sums. */
static void mpass_chunk(void *ctx, size_t ch)
{
    const struct mpass *mp = ctx;
    size_t lo, hi, L = mp->lo_bits;
    cairn_fp2 *part = mp->part + ch * (mp->nev + mp->npt), *e = part + mp->nev;
    cairn_pool_chunk_range(&lo, &hi, mp->count, mp->chunks, ch);
    for (size_t v = 0; v < mp->nev; v++)
        part[v] = cairn_fp2_zero();
    for (size_t r = lo; r < hi; r++) {
        size_t x = (size_t)mp->first + r;
        const cairn_fp *row = mp->rows + r * mp->width;
        for (size_t q = 0; q < mp->nacc; q++) {
            const struct mp_acc *a = &mp->acc[q];
            a->tab[x] = cairn_fp2_add(a->tab[x], cairn_fp2_mul_fp(a->a, row[a->j]));
        }
        size_t xl = x & (((size_t)1 << L) - 1), xh = x >> L;
        for (size_t p = 0; p < mp->npt; p++)
            e[p] = cairn_fp2_mul(mp->elo[(p << L) + xl], mp->ehi[p * mp->hi_len + xh]);
        for (size_t v = 0; v < mp->nev; v++)
            part[v] = cairn_fp2_add(part[v], cairn_fp2_mul_fp(e[mp->pt[v]], row[mp->ev[v].j]));
    }
}

/* A piece of the member rows: cut into chunks on the pool, their sums added in chunk order. */
static cairn_status mpass_consume(void *ctx, uint64_t first_row, const cairn_fp *rows,
                                  size_t count, cairn_error *err)
{
    struct mpass *mp = ctx;
    if (first_row != mp->next)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "claim reduction: the member rows came at row %llu, expected %llu",
                               (unsigned long long)first_row, (unsigned long long)mp->next);
    mp->first = first_row, mp->rows = rows, mp->count = count;
    mp->chunks = cairn_pool_chunks(count, ZL_MP_CHUNK);
    cairn_pool_run(mp->chunks, mpass_chunk, mp);
    for (size_t ch = 0; ch < mp->chunks; ch++)
        for (size_t v = 0; v < mp->nev; v++)
            mp->sum[v] = cairn_fp2_add(mp->sum[v], mp->part[ch * (mp->nev + mp->npt) + v]);
    mp->next += count;
    return CAIRN_OK;
}

/*
 * One pass over rows (the members of a group of n variables, member j in
 * element j of each row): every evaluation of ev (each point's eq table
 * split in two halves, 2^(n/2) + 2^(n - n/2) extension elements per
 * distinct point) and every accumulation of acc.  No pass when both are
 * empty.  The source's failure is the result.
 */
static cairn_status member_pass(const cairn_rows *rows, unsigned n, const struct mp_eval *ev,
                                size_t nev, const struct mp_acc *acc, size_t nacc,
                                cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    struct mpass mp;
    if (nev == 0 && nacc == 0)
        return CAIRN_OK;
    memset(&mp, 0, sizeof mp);
    mp.width = rows->width, mp.lo_bits = n / 2, mp.hi_len = (size_t)1 << (n - n / 2);
    mp.ev = ev, mp.acc = acc, mp.nev = nev, mp.nacc = nacc;
    mp.pt = malloc(nev * sizeof *mp.pt + 1);
    mp.sum = calloc(nev + 1, sizeof *mp.sum);
    mp.part = malloc(CAIRN_POOL_CHUNKS * 2 * (nev + 1) * sizeof *mp.part);
    if (mp.pt == NULL || mp.sum == NULL || mp.part == NULL)
        goto nomem;
    /* the distinct points (by address), in order of first use */
    for (size_t v = 0; v < nev; v++) {
        size_t p = 0;
        while (p < v && ev[p].r != ev[v].r)
            p++;
        mp.pt[v] = p < v ? mp.pt[p] : mp.npt++;
    }
    mp.elo = malloc((mp.npt << mp.lo_bits) * sizeof *mp.elo + 1);
    mp.ehi = malloc(mp.npt * mp.hi_len * sizeof *mp.ehi + 1);
    if (mp.elo == NULL || mp.ehi == NULL)
        goto nomem;
    for (size_t v = 0, built = 0; v < nev; v++)
        if (mp.pt[v] == built) { /* the point's first use */
            size_t p = built++;
            if ((st = cairn_poly_eq_table(mp.elo + (p << mp.lo_bits), ev[v].r, mp.lo_bits)) !=
                    CAIRN_OK ||
                (st = cairn_poly_eq_table(mp.ehi + p * mp.hi_len, ev[v].r + mp.lo_bits,
                                          n - mp.lo_bits)) != CAIRN_OK)
                goto out;
        }
    if ((st = cairn_rows_stream(rows, 0, rows->rows_len, mpass_consume, &mp, err)) != CAIRN_OK)
        goto out;
    if (mp.next != rows->rows_len) {
        st = cairn_error_set(err, CAIRN_ERR_ARG, "claim reduction: the member rows ended at %llu",
                             (unsigned long long)mp.next);
        goto out;
    }
    for (size_t v = 0; v < nev; v++)
        *ev[v].out = mp.sum[v];
    goto out;
nomem:
    st = cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: a pass of %zu evaluations", nev);
out:
    free(mp.pt);
    free(mp.sum);
    free(mp.part);
    free(mp.elo);
    free(mp.ehi);
    return st;
}

/*
 * The prover's sent values: each sent member's value at its point into
 * the point's vals and, in point order, into out; the members read from
 * rows all in one pass.
 */
static cairn_status sent_prove(cairn_fp2 *out, zl_claim_pt *pts, size_t npts,
                               const cairn_pcs_stack *st, const zl_members *ms, cairn_error *err)
{
    size_t e = 0, nev = 0, len = zl_open_sent_len(pts, npts, st);
    cairn_status s = CAIRN_OK;
    struct mp_eval *ev = malloc(len * sizeof *ev + 1);
    if (ev == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: %zu sent values", len);
    for (size_t i = 0; i < npts && s == CAIRN_OK; i++) {
        const cairn_pcs_group *g = &st->groups[pts[i].group];
        for (size_t j = 0; j < g->count && s == CAIRN_OK; j++) {
            const cairn_fp *f = table_of(ms, st, pts[i].group, j);
            if (pts[i].kind[j] != ZL_CLAIM_SENT)
                continue;
            if (f == NULL)
                ev[nev++] = (struct mp_eval){j, pts[i].r, &pts[i].vals[j]};
            else if ((s = cairn_poly_eval_fp(&pts[i].vals[j], f, pts[i].r, g->num_vars)) !=
                     CAIRN_OK)
                s = cairn_error_set(err, s, "claim reduction: evaluation failed");
        }
    }
    if (s == CAIRN_OK && ms->rows != NULL)
        s = member_pass(ms->rows, st->groups[ms->group].num_vars, ev, nev, NULL, 0, err);
    for (size_t i = 0; i < npts && s == CAIRN_OK; i++)
        for (size_t j = 0; j < st->groups[pts[i].group].count; j++)
            if (pts[i].kind[j] == ZL_CLAIM_SENT)
                out[e++] = pts[i].vals[j];
    free(ev);
    return s;
}

/* The verifier's sent values: read from in, in point order, into the points' vals. */
static void sent_read(zl_claim_pt *pts, size_t npts, const cairn_pcs_stack *st,
                      const cairn_fp2 *in)
{
    size_t e = 0;
    for (size_t i = 0; i < npts; i++)
        for (size_t j = 0; j < st->groups[pts[i].group].count; j++)
            if (pts[i].kind[j] == ZL_CLAIM_SENT)
                pts[i].vals[j] = in[e++];
}

/*
 * The claims in point order (member order within a point), grouped into
 * instances by lifted point (a point's blocks in order of first use); bind
 * every claimed value, draw the coefficients, and sum each instance's claim.
 */
static cairn_status plan_build(struct plan *pl, cairn_transcript *t, const zl_claim_pt *pts,
                               size_t npts, const cairn_pcs_stack *st, cairn_error *err)
{
    size_t m = 0, N = st->num_vars;
    memset(pl, 0, sizeof *pl);
    for (size_t i = 0; i < npts; i++)
        for (size_t j = 0; j < st->groups[pts[i].group].count; j++)
            m += pts[i].kind[j] != ZL_CLAIM_NONE;
    pl->N = N;
    pl->cl = malloc(m * sizeof *pl->cl + 1);
    pl->taus = malloc(m * N * sizeof *pl->taus + 1); /* at most one instance per claim */
    pl->claim = malloc(m * sizeof *pl->claim + 1);
    pl->grp = malloc(m * sizeof *pl->grp + 1);
    cairn_fp2 *v = malloc(m * sizeof *v + 1), *a = malloc(m * sizeof *a + 1);
    if (pl->cl == NULL || pl->taus == NULL || pl->claim == NULL || pl->grp == NULL || v == NULL ||
        a == NULL) {
        free(v);
        free(a);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: %zu claims", m);
    }
    if (m == 0) {
        free(v);
        free(a);
        return cairn_error_set(err, CAIRN_ERR_INTERNAL, "claim reduction: no claims");
    }
    for (size_t i = 0; i < npts; i++) {
        size_t g = pts[i].group, first = pl->ninst;
        unsigned ng = st->groups[g].num_vars, d = (unsigned)N - ng;
        for (size_t j = 0; j < st->groups[g].count; j++) {
            if (pts[i].kind[j] == ZL_CLAIM_NONE)
                continue;
            size_t b = j & (((size_t)1 << d) - 1), l = first;
            for (; l < pl->ninst; l++) {
                int same = 1;
                for (unsigned u = 0; u < d && same; u++)
                    same = cairn_fp2_eq(pl->taus[l * N + ng + u],
                                        (b >> u) & 1 ? cairn_fp2_one() : cairn_fp2_zero());
                if (same)
                    break;
            }
            if (l == pl->ninst) {
                cairn_fp2 *tau = pl->taus + l * N;
                memcpy(tau, pts[i].r, ng * sizeof *tau);
                for (unsigned u = 0; u < d; u++)
                    tau[ng + u] = (b >> u) & 1 ? cairn_fp2_one() : cairn_fp2_zero();
                pl->claim[l] = cairn_fp2_zero();
                pl->grp[l] = g;
                pl->ninst++;
            }
            struct rclaim *c = &pl->cl[pl->m];
            c->inst = l;
            c->slot = st->first_slot[g] + (j >> d);
            c->member = j;
            c->v = v[pl->m] = pts[i].vals[j];
            pl->m++;
        }
    }
    cairn_transcript_absorb_fp2_vec(t, "lean/reduce/claims", v, m);
    cairn_transcript_squeeze_fp2_vec(a, m, t, "lean/reduce/coeffs");
    for (size_t k = 0; k < m; k++) {
        struct rclaim *c = &pl->cl[k];
        c->a = a[k];
        pl->claim[c->inst] = cairn_fp2_add(pl->claim[c->inst], cairn_fp2_mul(a[k], c->v));
    }
    free(v);
    free(a);
    return CAIRN_OK;
}

static const cairn_sumcheck_term q_term = {{{1}, {0}}, 1, {0}};
static const cairn_sumcheck_expr q_expr = {&q_term, 1, 1};

/* The batch's instances: Q_l against eq(l, .) over the N variables (inputs NULL: verifier). */
static void instances(cairn_sumcheck_instance *ins, const struct plan *pl,
                      const cairn_sumcheck_input *inputs)
{
    for (size_t l = 0; l < pl->ninst; l++)
        ins[l] = (cairn_sumcheck_instance){&q_expr, pl->taus + l * pl->N,
                                           inputs != NULL ? inputs + l : NULL, pl->N, pl->claim[l]};
}

/* The reference's pass: where it is, and the tables it adds the batch rows into. */
struct qpass {
    const struct plan *pl;
    size_t C, k, len;
    cairn_fp2 *q;
    uint64_t next;
};

/* Batch rows R = (i, c): slot c's entries [i k, i k + k) added into the Q_l of c's claims. */
static cairn_status q_consume(void *ctx, uint64_t first_row, const cairn_fp *rows, size_t count,
                              cairn_error *err)
{
    struct qpass *qp = ctx;
    const struct plan *pl = qp->pl;
    if (first_row != qp->next)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "claim reduction: the batch rows came at row %llu, expected %llu",
                               (unsigned long long)first_row, (unsigned long long)qp->next);
    for (size_t r = 0; r < count; r++) {
        size_t R = (size_t)first_row + r, i = R / qp->C, c = R % qp->C;
        const cairn_fp *row = rows + r * qp->k;
        for (size_t k = 0; k < pl->m; k++) {
            if (pl->cl[k].slot != c)
                continue;
            cairn_fp2 *ql = qp->q + pl->cl[k].inst * qp->len + i * qp->k, a = pl->cl[k].a;
            for (size_t x = 0; x < qp->k; x++)
                ql[x] = cairn_fp2_add(ql[x], cairn_fp2_mul_fp(a, row[x]));
        }
    }
    qp->next += count;
    return CAIRN_OK;
}

/*
 * The one pass over the batch rows (batch, the slots k entries at a
 * time): Q_l[x] = sum_{claims at l} a S_c[x] for every x.  q holds ninst
 * tables of 2^N.
 */
static cairn_status q_tables(cairn_fp2 *q, const struct plan *pl, const cairn_pcs_stack *st,
                             const cairn_rows *batch, cairn_error *err)
{
    struct qpass qp = {pl, st->num_polys, batch->width, (size_t)1 << pl->N, q, 0};
    memset(q, 0, pl->ninst * qp.len * sizeof *q);
    return cairn_rows_stream(batch, 0, batch->rows_len, q_consume, &qp, err);
}

int zl_open_path;

/*
 * The reference prover (zl_open_path = 1): the Q_l as full tables of 2^N,
 * instances * 2^N extension elements, from one pass over the batch rows,
 * proven by cairn_sumcheck_batch_prove.
 */
static cairn_status reduce_full(cairn_sumcheck_proof *rd, cairn_fp2 *rstar, cairn_fp2 *evals,
                                cairn_transcript *t, const struct plan *pl,
                                const cairn_pcs_stack *st, const cairn_rows *batch,
                                cairn_sumcheck_instance *ins, cairn_sumcheck_input *inputs,
                                cairn_error *err)
{
    size_t len = (size_t)1 << pl->N;
    cairn_status s;
    cairn_fp2 *q = malloc(pl->ninst * len * sizeof *q);
    if (q == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: %zu tables of 2^%zu",
                               pl->ninst, pl->N);
    if ((s = q_tables(q, pl, st, batch, err)) == CAIRN_OK) {
        for (size_t l = 0; l < pl->ninst; l++)
            inputs[l] = (cairn_sumcheck_input){NULL, q + l * len, 0};
        instances(ins, pl, inputs);
        s = cairn_sumcheck_batch_prove(rd, rstar, evals, t, ins, pl->ninst, err);
    }
    free(q);
    return s;
}

/* The later rounds' state: each claimed slot's values at the point's group prefix. */
struct pairs {
    const struct plan *pl;
    const cairn_pcs_stack *st;
    const zl_members *ms;
    cairn_fp2 **at; /* num_polys: NULL, or S_c(r_0..r_{n_g-1}, y) folded in the y bound so far */
    size_t *folded; /* num_polys: the y variables bound in at[c] */
};

/* Whether a claim of the plan is on slot c. */
static int claimed(const struct plan *pl, size_t c)
{
    for (size_t k = 0; k < pl->m; k++)
        if (pl->cl[k].slot == c)
            return 1;
    return 0;
}

/*
 * Slot c (of group g) at the batch point's first n_g coordinates, one
 * value per block: its members' values there (zero past the group's
 * members).  For a group read from rows, every claimed slot of the group
 * not made yet is made with it, in one pass over the rows.
 */
static cairn_status blocks_at(struct pairs *pc, size_t c, size_t g, const cairn_fp2 *point,
                              cairn_error *err)
{
    const cairn_pcs_stack *st = pc->st;
    unsigned ng = st->groups[g].num_vars, d = st->num_vars - ng;
    size_t blocks = (size_t)1 << d, cnt = st->groups[g].count, nev = 0;
    size_t end = g + 1 < st->groups_len ? st->first_slot[g + 1] : st->num_polys;
    int rows = pc->ms->rows != NULL && g == pc->ms->group;
    cairn_status s = CAIRN_OK;
    struct mp_eval *ev = rows ? malloc(cnt * sizeof *ev) : NULL;
    if (rows && ev == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: group %zu's values", g);
    for (size_t c2 = st->first_slot[g]; c2 < end && s == CAIRN_OK; c2++) {
        if (c2 != c && (!rows || pc->at[c2] != NULL || !claimed(pc->pl, c2)))
            continue;
        size_t j0 = (c2 - st->first_slot[g]) << d;
        if ((pc->at[c2] = malloc(blocks * sizeof *pc->at[c2])) == NULL) {
            s = cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: slot %zu's blocks", c2);
            break;
        }
        pc->folded[c2] = 0;
        for (size_t y = 0; y < blocks; y++) {
            pc->at[c2][y] = cairn_fp2_zero();
            if (j0 + y >= cnt)
                continue;
            if (rows)
                ev[nev++] = (struct mp_eval){j0 + y, point, &pc->at[c2][y]};
            else if (cairn_poly_eval_fp(&pc->at[c2][y], table_of(pc->ms, st, g, j0 + y), point,
                                        ng) != CAIRN_OK)
                s = cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: evaluation");
        }
    }
    if (s == CAIRN_OK && rows)
        s = member_pass(pc->ms->rows, ng, ev, nev, NULL, 0, err);
    free(ev);
    return s;
}

/*
 * Slot c (of group g) at the batch point's first n_g coordinates, its d
 * block variables bound to the next t: made by blocks_at, then folded.
 */
static cairn_status slot_at(struct pairs *pc, size_t c, size_t g, size_t t, const cairn_fp2 *point,
                            cairn_error *err)
{
    const cairn_pcs_stack *st = pc->st;
    unsigned ng = st->groups[g].num_vars, d = st->num_vars - ng;
    cairn_status s;
    if (pc->at[c] == NULL && (s = blocks_at(pc, c, g, point, err)) != CAIRN_OK)
        return s;
    for (; pc->folded[c] < t; pc->folded[c]++)
        cairn_poly_fold_fp2(pc->at[c], (size_t)1 << (d - pc->folded[c]), point[ng + pc->folded[c]]);
    return CAIRN_OK;
}

/*
 * cairn_sumcheck_pair_fn for instance l past its group's n_g variables:
 * Q_l = sum a S_c at (r_<i, X, bits of its block past i), from the slots'
 * folded block values; at i = N, Q_l(r*).
 */
static cairn_status pair_values(cairn_fp2 *out, void *ctx, size_t l, size_t i,
                                const cairn_fp2 *point, cairn_error *err)
{
    struct pairs *pc = ctx;
    const struct plan *pl = pc->pl;
    size_t g = pl->grp[l], ng = pc->st->groups[g].num_vars, t = i - ng, b = 0;
    for (size_t u = ng; u < pl->N; u++)
        b |= (size_t)cairn_fp2_eq(pl->taus[l * pl->N + u], cairn_fp2_one()) << (u - ng);
    out[0] = cairn_fp2_zero();
    if (i < pl->N)
        out[1] = cairn_fp2_zero();
    for (size_t k = 0; k < pl->m; k++) {
        const struct rclaim *c = &pl->cl[k];
        if (c->inst != l)
            continue;
        cairn_status s = slot_at(pc, c->slot, g, t, point, err);
        if (s != CAIRN_OK)
            return s;
        size_t y = i < pl->N ? (b >> (t + 1)) << 1 : 0;
        out[0] = cairn_fp2_add(out[0], cairn_fp2_mul(c->a, pc->at[c->slot][y]));
        if (i < pl->N)
            out[1] = cairn_fp2_add(out[1], cairn_fp2_mul(c->a, pc->at[c->slot][y + 1]));
    }
    return CAIRN_OK;
}

/*
 * The prover: instance l's Q_l kept on its block only, T_l = sum a f_member
 * over the group's n_g variables (its first n_g rounds), then the pairs of
 * pair_values.  Memory: sum_l 2^n_g(l) extension elements for the T_l
 * (and the sum-check's folds of them, half that), plus 2^(N - n_g) per
 * claimed slot of a smaller group.  The T_l of members read from rows are
 * made in one pass over the rows, all at once.  The same bytes as
 * reduce_full.
 */
static cairn_status reduce_blocks(cairn_sumcheck_proof *rd, cairn_fp2 *rstar, cairn_fp2 *evals,
                                  cairn_transcript *t, const struct plan *pl,
                                  const cairn_pcs_stack *st, const zl_members *ms,
                                  cairn_sumcheck_instance *ins, cairn_sumcheck_input *inputs,
                                  cairn_error *err)
{
    cairn_status s = CAIRN_OK;
    size_t total = 0, nacc = 0, *off = malloc(pl->ninst * sizeof *off);
    size_t *split = malloc(pl->ninst * sizeof *split);
    struct mp_acc *acc = malloc(pl->m * sizeof *acc + 1);
    cairn_fp2 *tab = NULL;
    struct pairs pc = {pl, st, ms, calloc(st->num_polys, sizeof(cairn_fp2 *)),
                       calloc(st->num_polys, sizeof(size_t))};
    if (off == NULL || split == NULL || acc == NULL || pc.at == NULL || pc.folded == NULL)
        goto nomem;
    for (size_t l = 0; l < pl->ninst; l++) {
        split[l] = st->groups[pl->grp[l]].num_vars;
        off[l] = total;
        total += (size_t)1 << split[l];
    }
    if ((tab = calloc(total, sizeof *tab)) == NULL)
        goto nomem;
    for (size_t k = 0; k < pl->m; k++) {
        const struct rclaim *c = &pl->cl[k];
        size_t g = pl->grp[c->inst], len = (size_t)1 << split[c->inst];
        const cairn_fp *f = table_of(ms, st, g, c->member);
        cairn_fp2 *tl = tab + off[c->inst];
        if (f == NULL) {
            acc[nacc++] = (struct mp_acc){c->member, c->a, tl};
            continue;
        }
        for (size_t x = 0; x < len; x++)
            tl[x] = cairn_fp2_add(tl[x], cairn_fp2_mul_fp(c->a, f[x]));
    }
    if (ms->rows != NULL && (s = member_pass(ms->rows, st->groups[ms->group].num_vars, NULL, 0,
                                             acc, nacc, err)) != CAIRN_OK)
        goto out;
    for (size_t l = 0; l < pl->ninst; l++)
        inputs[l] = (cairn_sumcheck_input){NULL, tab + off[l], 0};
    instances(ins, pl, inputs);
    s = cairn_sumcheck_batch_prove_split(rd, rstar, evals, t, ins, pl->ninst, split, pair_values,
                                         &pc, err);
    goto out;
nomem:
    s = cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: %zu instances' blocks", pl->ninst);
out:
    for (size_t c = 0; pc.at != NULL && c < st->num_polys; c++)
        free(pc.at[c]);
    free(pc.at);
    free(pc.folded);
    free(tab);
    free(acc);
    free(off);
    free(split);
    return s;
}

cairn_status zl_open_prove(cairn_sumcheck_proof *rd, cairn_fp2 *at, cairn_pcs_opening *op,
                           cairn_fp2 *sent, cairn_transcript *t, const cairn_pcs_prover *pr,
                           const cairn_pcs_stack *st, const cairn_pcs_params *params,
                           const zl_members *ms, zl_claim_pt *pts, size_t npts, cairn_error *err)
{
    cairn_status s;
    struct plan pl;
    cairn_fp2 *evals = NULL, rstar[CAIRN_PCS_MAX_VARS];
    cairn_sumcheck_input *inputs = NULL;
    cairn_sumcheck_instance *ins = NULL;
    cairn_rows src;
    cairn_pcs_stack_rows rimpl;
    cairn_pcs_stack_src simpl;
    memset(&rimpl, 0, sizeof rimpl);
    memset(&simpl, 0, sizeof simpl);
    memset(&pl, 0, sizeof pl);
    if ((s = sent_prove(sent, pts, npts, st, ms, err)) != CAIRN_OK ||
        (s = plan_build(&pl, t, pts, npts, st, err)) != CAIRN_OK)
        goto out;
    evals = malloc(pl.ninst * sizeof *evals);
    inputs = malloc(pl.ninst * sizeof *inputs);
    ins = malloc(pl.ninst * sizeof *ins);
    if (evals == NULL || inputs == NULL || ins == NULL) {
        s = cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: %zu instances", pl.ninst);
        goto out;
    }
    /* the batch rows: the members' group from rows through the stacked source, or the tables */
    s = ms->rows != NULL ? cairn_pcs_stack_src_init(&src, &simpl, st, params, ms->polys,
                                                    ms->group, ms->rows, err)
                         : cairn_pcs_stack_rows_init(&src, &rimpl, st, params, ms->polys, err);
    if (s != CAIRN_OK)
        goto out;
    s = zl_open_path == 1
            ? reduce_full(rd, rstar, evals, t, &pl, st, &src, ins, inputs, err)
            : reduce_blocks(rd, rstar, evals, t, &pl, st, ms, ins, inputs, err);
    if (s != CAIRN_OK ||
        (s = cairn_pcs_evaluate(at, st->num_polys, params, &src, rstar, 1, err)) != CAIRN_OK)
        goto out;
    s = cairn_pcs_open(op, t, pr, &src, rstar, 1, at, st->num_polys, err);
out:
    cairn_pcs_stack_rows_clear(&rimpl);
    cairn_pcs_stack_src_clear(&simpl);
    plan_clear(&pl);
    free(evals);
    free(inputs);
    free(ins);
    return s;
}

cairn_status zl_open_verify(const cairn_pcs_commitment *com, cairn_transcript *t,
                            const cairn_pcs_stack *st, const cairn_sumcheck_proof *rd,
                            const cairn_fp2 *at, size_t at_len, const cairn_pcs_opening *op,
                            const cairn_fp2 *sent, size_t sent_len, zl_claim_pt *pts, size_t npts,
                            cairn_error *err)
{
    cairn_status s;
    struct plan pl;
    cairn_fp2 *evals = NULL, rstar[CAIRN_PCS_MAX_VARS];
    cairn_sumcheck_instance *ins = NULL;
    memset(&pl, 0, sizeof pl);
    if (sent_len != zl_open_sent_len(pts, npts, st))
        return cairn_error_set(err, CAIRN_ERR_PARSE, "claim reduction: %zu values, expected %zu",
                               sent_len, zl_open_sent_len(pts, npts, st));
    if (at_len != st->num_polys)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "claim reduction: %zu values at the point, expected %zu", at_len,
                               st->num_polys);
    sent_read(pts, npts, st, sent);
    if ((s = plan_build(&pl, t, pts, npts, st, err)) != CAIRN_OK)
        goto out;
    evals = malloc(pl.ninst * sizeof *evals);
    ins = malloc(pl.ninst * sizeof *ins);
    if (evals == NULL || ins == NULL) {
        s = cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: %zu instances", pl.ninst);
        goto out;
    }
    /* Q_l(r*) from the slots' values: the final check's inputs */
    for (size_t l = 0; l < pl.ninst; l++)
        evals[l] = cairn_fp2_zero();
    for (size_t k = 0; k < pl.m; k++)
        evals[pl.cl[k].inst] =
            cairn_fp2_add(evals[pl.cl[k].inst], cairn_fp2_mul(pl.cl[k].a, at[pl.cl[k].slot]));
    instances(ins, &pl, NULL);
    if ((s = cairn_sumcheck_batch_verify(rstar, t, rd, ins, pl.ninst, evals, pl.ninst, err)) !=
        CAIRN_OK) {
        if (s == CAIRN_ERR_REJECTED)
            s = cairn_error_set(err, s, "claim reduction: the final check failed");
        goto out;
    }
    s = cairn_pcs_verify(com, t, rstar, 1, at, at_len, op, err);
out:
    plan_clear(&pl);
    free(evals);
    free(ins);
    return s;
}
