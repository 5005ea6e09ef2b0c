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
 */
#include <stdlib.h>
#include <string.h>

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

/* The sent members' values: computed into out (prover, polys given) or read from in. */
static cairn_status sent_values(zl_claim_pt *pts, size_t npts, const cairn_pcs_stack *st,
                                const cairn_fp *const *polys, const cairn_fp2 *in, cairn_fp2 *out,
                                cairn_error *err)
{
    size_t e = 0;
    for (size_t i = 0; i < npts; i++) {
        const cairn_pcs_group *g = &st->groups[pts[i].group];
        for (size_t j = 0; j < g->count; j++) {
            if (pts[i].kind[j] != ZL_CLAIM_SENT)
                continue;
            if (polys != NULL) {
                cairn_status s =
                    cairn_poly_eval_fp(&pts[i].vals[j], polys[st->first_poly[pts[i].group] + j],
                                       pts[i].r, g->num_vars);
                if (s != CAIRN_OK)
                    return cairn_error_set(err, s, "claim reduction: evaluation failed");
                out[e] = pts[i].vals[j];
            } else {
                pts[i].vals[j] = in[e];
            }
            e++;
        }
    }
    return CAIRN_OK;
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

/* Rows of the slots read per chunk of the pass. */
#define ZL_RED_CHUNK ((size_t)1 << 10)

/*
 * The one pass over the committed slots: Q_l[x] = sum_{claims at l} a S_c[x]
 * for every x, chunk by chunk, each slot read once per chunk.  q holds
 * ninst tables of 2^N.
 */
static cairn_status q_tables(cairn_fp2 *q, const struct plan *pl, const cairn_pcs_stack *st,
                             const cairn_fp *const *polys, cairn_error *err)
{
    size_t len = (size_t)1 << pl->N, chunk = len < ZL_RED_CHUNK ? len : ZL_RED_CHUNK;
    cairn_fp *buf = malloc(chunk * sizeof *buf);
    if (buf == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: a chunk of slots");
    memset(q, 0, pl->ninst * len * sizeof *q);
    for (size_t x0 = 0; x0 < len; x0 += chunk)
        for (size_t c = 0; c < st->num_polys; c++) {
            int read = 0;
            for (size_t k = 0; k < pl->m; k++) {
                if (pl->cl[k].slot != c)
                    continue;
                if (!read)
                    cairn_pcs_stack_entries(buf, st, polys, c, x0, chunk), read = 1;
                cairn_fp2 *ql = q + pl->cl[k].inst * len + x0, a = pl->cl[k].a;
                for (size_t x = 0; x < chunk; x++)
                    ql[x] = cairn_fp2_add(ql[x], cairn_fp2_mul_fp(a, buf[x]));
            }
        }
    free(buf);
    return CAIRN_OK;
}

int zl_open_path;

/*
 * The reference prover (zl_open_path = 1): the Q_l as full tables of 2^N,
 * instances * 2^N extension elements, proven by cairn_sumcheck_batch_prove.
 */
static cairn_status reduce_full(cairn_sumcheck_proof *rd, cairn_fp2 *rstar, cairn_fp2 *evals,
                                cairn_transcript *t, const struct plan *pl,
                                const cairn_pcs_stack *st, const cairn_fp *const *polys,
                                cairn_sumcheck_instance *ins, cairn_sumcheck_input *inputs,
                                cairn_error *err)
{
    size_t len = (size_t)1 << pl->N;
    cairn_status s;
    cairn_fp2 *q = malloc(pl->ninst * len * sizeof *q);
    if (q == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: %zu tables of 2^%zu",
                               pl->ninst, pl->N);
    if ((s = q_tables(q, pl, st, polys, err)) == CAIRN_OK) {
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
    const cairn_fp *const *polys;
    cairn_fp2 **at; /* num_polys: NULL, or S_c(r_0..r_{n_g-1}, y) folded in the y bound so far */
    size_t *folded; /* num_polys: the y variables bound in at[c] */
};

/*
 * Slot c (of group g) at the batch point's first n_g coordinates, its d
 * block variables bound to the next t: made from the members' values at
 * the prefix (blocks past the group's members are zero), then folded.
 */
static cairn_status slot_at(struct pairs *pc, size_t c, size_t g, size_t t, const cairn_fp2 *point,
                            cairn_error *err)
{
    const cairn_pcs_stack *st = pc->st;
    unsigned ng = st->groups[g].num_vars, d = st->num_vars - ng;
    if (pc->at[c] == NULL) {
        size_t blocks = (size_t)1 << d, j0 = (c - st->first_slot[g]) << d;
        if ((pc->at[c] = malloc(blocks * sizeof *pc->at[c])) == NULL)
            return cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: slot %zu's blocks", c);
        for (size_t y = 0; y < blocks; y++) {
            pc->at[c][y] = cairn_fp2_zero();
            if (j0 + y < st->groups[g].count &&
                cairn_poly_eval_fp(&pc->at[c][y], pc->polys[st->first_poly[g] + j0 + y], point,
                                   ng) != CAIRN_OK)
                return cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: evaluation");
        }
        pc->folded[c] = 0;
    }
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
 * claimed slot of a smaller group.  The same bytes as reduce_full.
 */
static cairn_status reduce_blocks(cairn_sumcheck_proof *rd, cairn_fp2 *rstar, cairn_fp2 *evals,
                                  cairn_transcript *t, const struct plan *pl,
                                  const cairn_pcs_stack *st, const cairn_fp *const *polys,
                                  cairn_sumcheck_instance *ins, cairn_sumcheck_input *inputs,
                                  cairn_error *err)
{
    cairn_status s = CAIRN_OK;
    size_t total = 0, *off = malloc(pl->ninst * sizeof *off);
    size_t *split = malloc(pl->ninst * sizeof *split);
    cairn_fp2 *tab = NULL;
    struct pairs pc = {pl, st, polys, calloc(st->num_polys, sizeof(cairn_fp2 *)),
                       calloc(st->num_polys, sizeof(size_t))};
    if (off == NULL || split == NULL || pc.at == NULL || pc.folded == NULL)
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
        const cairn_fp *f = polys[st->first_poly[g] + c->member];
        cairn_fp2 *tl = tab + off[c->inst];
        for (size_t x = 0; x < len; x++)
            tl[x] = cairn_fp2_add(tl[x], cairn_fp2_mul_fp(c->a, f[x]));
    }
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
    free(off);
    free(split);
    return s;
}

cairn_status zl_open_prove(cairn_sumcheck_proof *rd, cairn_fp2 *at, cairn_pcs_opening *op,
                           cairn_fp2 *sent, cairn_transcript *t, const cairn_pcs_prover *pr,
                           const cairn_pcs_stack *st, const cairn_pcs_params *params,
                           const cairn_fp *const *polys, zl_claim_pt *pts, size_t npts,
                           cairn_error *err)
{
    cairn_status s;
    struct plan pl;
    cairn_fp2 *evals = NULL, rstar[CAIRN_PCS_MAX_VARS];
    cairn_sumcheck_input *inputs = NULL;
    cairn_sumcheck_instance *ins = NULL;
    cairn_rows src;
    cairn_pcs_stack_rows impl;
    memset(&impl, 0, sizeof impl);
    memset(&pl, 0, sizeof pl);
    if ((s = sent_values(pts, npts, st, polys, NULL, sent, err)) != CAIRN_OK ||
        (s = plan_build(&pl, t, pts, npts, st, err)) != CAIRN_OK)
        goto out;
    evals = malloc(pl.ninst * sizeof *evals);
    inputs = malloc(pl.ninst * sizeof *inputs);
    ins = malloc(pl.ninst * sizeof *ins);
    if (evals == NULL || inputs == NULL || ins == NULL) {
        s = cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: %zu instances", pl.ninst);
        goto out;
    }
    if ((s = (zl_open_path == 1 ? reduce_full : reduce_blocks)(rd, rstar, evals, t, &pl, st, polys,
                                                               ins, inputs, err)) != CAIRN_OK ||
        (s = cairn_pcs_stack_rows_init(&src, &impl, st, params, polys, err)) != CAIRN_OK ||
        (s = cairn_pcs_evaluate(at, st->num_polys, params, &src, rstar, 1, err)) != CAIRN_OK)
        goto out;
    s = cairn_pcs_open(op, t, pr, &src, rstar, 1, at, st->num_polys, err);
out:
    cairn_pcs_stack_rows_clear(&impl);
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
    if ((s = sent_values(pts, npts, st, NULL, sent, NULL, err)) != CAIRN_OK ||
        (s = plan_build(&pl, t, pts, npts, st, err)) != CAIRN_OK)
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
