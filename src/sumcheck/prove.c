/*
 * prove.c — the in-memory provers: one claim, a batch of claims over
 * different numbers of variables, and the reduction of several evaluation
 * claims of one polynomial to one.  The round work itself is in core.c;
 * this file drives the rounds and the transcript (docs/sumcheck.md).
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/poly.h"
#include "cairn/pool.h"
#include "sumcheck_internal.h"

cairn_status sc_run_rounds(cairn_sumcheck_proof *proof, cairn_fp2 *point, cairn_fp2 *evals,
                           cairn_transcript *t, sc_inst *in, cairn_error *err)
{
    cairn_fp2 s[SC_MAX_PTS];
    for (size_t i = in->round; i < in->n; i++) {
        sc_inst_round(s, in);
        cairn_fp2 r = sc_emit(proof, t, i, s);
        point[i] = r;
        cairn_status st = sc_inst_bind(in, s, r, err);
        if (st != CAIRN_OK)
            return st;
    }
    sc_inst_final(evals, in);
    return CAIRN_OK;
}

/*
 * One claim: set up the instance over the caller's tables, absorb the
 * header and run all n rounds in memory.
 */
cairn_status cairn_sumcheck_prove(cairn_sumcheck_proof *proof, cairn_fp2 *point, cairn_fp2 *evals,
                                  cairn_transcript *t, const cairn_sumcheck_expr *expr,
                                  const cairn_fp2 *tau, const cairn_sumcheck_input *inputs,
                                  size_t inputs_len, size_t n, cairn_fp2 claim, cairn_error *err)
{
    sc_inst in;
    cairn_status st;
    if (inputs == NULL) {
        memset(&in, 0, sizeof in);
        st = cairn_error_set(err, CAIRN_ERR_ARG, "sum-check prover: no input tables");
        goto out;
    }
    st = sc_inst_init(&in, expr, tau, inputs, inputs_len, n, claim, NULL, err);
    if (st != CAIRN_OK)
        goto out;
    st = sc_proof_alloc(proof, n, in.degree, err);
    if (st != CAIRN_OK)
        goto out;
    cairn_sumcheck_absorb_header(t, n, in.degree, claim);
    st = sc_run_rounds(proof, point, evals, t, &in, err);
out:
    sc_inst_clear(&in);
    return st;
}

/* 2^e as a base field element (e <= 40). */
static cairn_fp pow2(size_t e)
{
    return cairn_fp_from_u64((uint64_t)1 << e);
}

/* Whether every term of expr has at most one factor (a head instance's window tables need it). */
static int expr_linear(const cairn_sumcheck_expr *expr)
{
    for (size_t t = 0; expr != NULL && t < expr->terms_len; t++)
        if (expr->terms[t].factors_len > 1)
            return 0;
    return 1;
}

/* A batch's head instances: the window of each, in its own instance over W variables. */
struct heads {
    const size_t *head;
    sc_inst *win;      /* m: instance j's first W rounds (B tables) */
    cairn_fp2 ***tabs; /* m: the tables handed to window(), or NULL */
    size_t *len;       /* m: entries of each of tabs[j]'s tables */
};

/* Free the tables handed out for instance j (those an instance did not take). */
static void heads_free_tabs(struct heads *h, size_t j, size_t k)
{
    if (h->tabs[j] == NULL)
        return;
    for (size_t c = 0; c < k; c++)
        free(h->tabs[j][c]);
    free(h->tabs[j]);
    h->tabs[j] = NULL;
}

/*
 * Hand window() fresh tables for the head instances whose window starts
 * (round 0) or ends (round = head[j]) at `round`, of len(j) entries each;
 * no call when there are none.
 */
static cairn_status heads_call(struct heads *h, const cairn_sumcheck_batch_parts *parts,
                               const sc_inst *ins, const size_t *lo, size_t m, size_t round,
                               const cairn_fp2 *point, cairn_error *err)
{
    size_t any = 0;
    for (size_t j = 0; j < m; j++) {
        size_t W = h->head[j], s = lo[j] != SIZE_MAX ? lo[j] : ins[j].n;
        if (W == 0 || (round != 0 && round != W))
            continue;
        size_t k = ins[j].k;
        h->len[j] = (size_t)1 << (round == 0 ? W : s - W);
        if ((h->tabs[j] = calloc(k, sizeof *h->tabs[j])) == NULL)
            goto nomem;
        for (size_t c = 0; c < k; c++)
            if ((h->tabs[j][c] = calloc(h->len[j], sizeof(cairn_fp2))) == NULL)
                goto nomem;
        any++;
    }
    return any == 0 ? CAIRN_OK : parts->window(parts->ctx, round, point, h->tabs, err);
nomem:
    return cairn_error_set(err, CAIRN_ERR_NOMEM, "batched sum-check: window tables of round %zu",
                           round);
}

/*
 * A batch: instance j takes part in rounds 0..n_j-1 with its own round
 * polynomial (extended to the batch degree D by interpolation) scaled by
 * rho_j 2^(N - n_j); in later rounds it is the constant
 * rho_j 2^(N-1-i) c_j, c_j its final running claim.  Each instance keeps its
 * own running claim, so Gruen's q(1) derivation works per instance.  A
 * split instance (split != NULL, split[j] < n_j) runs on its block tables
 * as an instance of split[j] variables (the same round polynomials: eq
 * weighs the rest 0) and then on the pairs pair() gives, its state (claim,
 * eq_prefix, round) carried across.  A head instance (head[j] = W > 0)
 * starts without tables: its first W rounds come from a second instance
 * over W variables on the window tables B (tau's first W coordinates: the
 * rest are inside B, and B is linear in the tables because the
 * expression is), both bound to the same challenges, so the two keep the
 * same claim and eq prefix; at round W the materialised tables are handed
 * to the first one, which goes on as if it had folded them itself.
 */
static cairn_status batch_prove(cairn_sumcheck_proof *proof, cairn_fp2 *point, cairn_fp2 *evals,
                                cairn_transcript *t, const cairn_sumcheck_instance *inst,
                                size_t inst_len, const cairn_sumcheck_batch_parts *parts,
                                cairn_error *err)
{
    static const cairn_sumcheck_batch_parts none = {NULL, NULL, NULL, NULL, NULL};
    cairn_status st = CAIRN_OK;
    size_t m = inst_len, N = 0, D = 1;
    sc_inst *ins = NULL;
    cairn_fp2 *rho = NULL, *sj = NULL, pv[2 * CAIRN_SUMCHECK_MAX_INPUTS];
    size_t *lo = NULL, *nj = NULL; /* lo[j]: a split instance's rounds on tables (else SIZE_MAX) */
    struct heads h = {NULL, NULL, NULL, NULL};
    if (parts == NULL)
        parts = &none;
    const size_t *split = parts->split;
    if (m == 0 || inst == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "batched sum-check: no instances");
    if ((split != NULL && parts->pair == NULL) || (parts->head != NULL && parts->window == NULL))
        return cairn_error_set(err, CAIRN_ERR_ARG, "batched sum-check: %s without %s",
                               split != NULL && parts->pair == NULL ? "split" : "head",
                               split != NULL && parts->pair == NULL ? "pairs" : "window");
    ins = calloc(m, sizeof *ins);
    rho = malloc(m * sizeof *rho);
    sj = malloc(m * SC_MAX_PTS * sizeof *sj);
    lo = malloc(2 * m * sizeof *lo);
    if (parts->head != NULL) {
        h.head = parts->head;
        h.win = calloc(m, sizeof *h.win);
        h.tabs = calloc(m, sizeof *h.tabs);
        h.len = calloc(m, sizeof *h.len);
    }
    if (ins == NULL || rho == NULL || sj == NULL || lo == NULL ||
        (h.head != NULL && (h.win == NULL || h.tabs == NULL || h.len == NULL))) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "batched sum-check: %zu instances", m);
        goto out;
    }
    nj = lo + m; /* nj[j]: instance j's variables */
    for (size_t j = 0; j < m; j++) {
        size_t W = h.head != NULL ? h.head[j] : 0;
        if (inst[j].inputs == NULL && W == 0) {
            st = cairn_error_set(err, CAIRN_ERR_ARG,
                                 "batched sum-check: instance %zu has no tables", j);
            goto out;
        }
        size_t k = inst[j].expr != NULL ? inst[j].expr->inputs_len : 0, n = inst[j].n;
        lo[j] = split != NULL && split[j] < n ? split[j] : SIZE_MAX;
        if (lo[j] != SIZE_MAX) {
            if ((st = sc_check_n(n, err)) != CAIRN_OK)
                goto out;
            int bits = inst[j].tau != NULL;
            for (size_t i = lo[j]; i < n && bits; i++)
                bits = cairn_fp2_is_zero(inst[j].tau[i]) ||
                       cairn_fp2_eq(inst[j].tau[i], cairn_fp2_one());
            if (!bits) {
                st = cairn_error_set(err, CAIRN_ERR_ARG,
                                     "batched sum-check: split instance %zu: tau past %zu not bits",
                                     j, lo[j]);
                goto out;
            }
            n = lo[j];
        }
        if (W > 0 && (W >= n || inst[j].tau == NULL || !expr_linear(inst[j].expr))) {
            st = cairn_error_set(err, CAIRN_ERR_ARG,
                                 "batched sum-check: head instance %zu: %s", j,
                                 W >= n                   ? "window not below its table variables"
                                 : inst[j].tau == NULL    ? "no tau"
                                                          : "expression not linear");
            goto out;
        }
        st = sc_inst_init(&ins[j], inst[j].expr, inst[j].tau, W > 0 ? NULL : inst[j].inputs, k, n,
                          inst[j].claim, NULL, err);
        if (st != CAIRN_OK)
            goto out;
        nj[j] = inst[j].n;
        if (nj[j] > N)
            N = nj[j];
        if (ins[j].degree > D)
            D = ins[j].degree;
    }
    cairn_transcript_absorb_u64(t, "sumcheck/batch/count", (uint64_t)m);
    for (size_t j = 0; j < m; j++) {
        cairn_transcript_absorb_u64(t, "sumcheck/batch/vars", (uint64_t)nj[j]);
        cairn_transcript_absorb_u64(t, "sumcheck/batch/degree", (uint64_t)ins[j].degree);
        cairn_transcript_absorb_fp2(t, "sumcheck/batch/claim", ins[j].claim);
    }
    cairn_transcript_squeeze_fp2_vec(rho, m, t, "sumcheck/batch/coeffs");
    cairn_fp2 claim = cairn_fp2_zero();
    for (size_t j = 0; j < m; j++)
        claim = cairn_fp2_add(
            claim, cairn_fp2_mul_fp(cairn_fp2_mul(rho[j], ins[j].claim), pow2(N - nj[j])));
    if ((st = sc_proof_alloc(proof, N, D, err)) != CAIRN_OK)
        goto out;
    cairn_sumcheck_absorb_header(t, N, D, claim);
    if (h.head != NULL) { /* the window tables, and the instances over them */
        if ((st = heads_call(&h, parts, ins, lo, m, 0, point, err)) != CAIRN_OK)
            goto out;
        for (size_t j = 0; j < m; j++) {
            cairn_sumcheck_input win_in[CAIRN_SUMCHECK_MAX_INPUTS];
            if (h.head[j] == 0)
                continue;
            for (size_t c = 0; c < ins[j].k; c++)
                win_in[c] = (cairn_sumcheck_input){NULL, h.tabs[j][c], 0};
            if ((st = sc_inst_init(&h.win[j], inst[j].expr, inst[j].tau, win_in, ins[j].k,
                                   h.head[j], inst[j].claim, NULL, err)) != CAIRN_OK)
                goto out;
        }
    }
    for (size_t i = 0; i < N; i++) {
        cairn_fp2 S[SC_MAX_PTS];
        for (size_t x = 0; x <= D; x++)
            S[x] = cairn_fp2_zero();
        if (h.head != NULL && i > 0 &&
            (st = heads_call(&h, parts, ins, lo, m, i, point, err)) != CAIRN_OK)
            goto out;
        for (size_t j = 0; j < m; j++) {
            sc_inst *in = &ins[j];
            cairn_fp2 *s = sj + j * SC_MAX_PTS;
            if (h.head != NULL && h.head[j] > 0 && i == h.head[j]) {
                /* the window is spent: the materialised tables go to the instance */
                sc_inst_clear(&h.win[j]);
                in->has_tables = 1;
                in->len = in->len_own = h.len[j];
                for (size_t c = 0; c < in->k; c++) {
                    in->own_fp2[c] = h.tabs[j][c];
                    in->src_fp2[c] = h.tabs[j][c];
                    h.tabs[j][c] = NULL;
                }
                heads_free_tabs(&h, j, in->k);
            }
            if (i < nj[j]) {
                if (h.head != NULL && i < h.head[j]) {
                    sc_inst_round(s, &h.win[j]);
                } else if (i < lo[j]) {
                    sc_inst_round(s, in);
                } else {
                    if (i == lo[j]) { /* the block tables are spent: pairs from here on */
                        in->has_tables = 0;
                        in->n = nj[j];
                    }
                    if ((st = parts->pair(pv, parts->ctx, j, i, point, err)) != CAIRN_OK)
                        goto out;
                    sc_inst_round_pair(s, in, pv);
                }
                cairn_fp2 scale = cairn_fp2_mul_fp(rho[j], pow2(N - nj[j]));
                for (size_t x = 0; x <= D; x++) {
                    cairn_fp2 v =
                        x <= in->degree
                            ? s[x]
                            : sc_interp(s, in->degree, cairn_fp2_from_fp(cairn_fp_from_u64(x)));
                    S[x] = cairn_fp2_add(S[x], cairn_fp2_mul(scale, v));
                }
            } else {
                cairn_fp2 v = cairn_fp2_mul_fp(cairn_fp2_mul(rho[j], in->claim), pow2(N - 1 - i));
                for (size_t x = 0; x <= D; x++)
                    S[x] = cairn_fp2_add(S[x], v);
            }
        }
        cairn_fp2 r = sc_emit(proof, t, i, S);
        point[i] = r;
        for (size_t j = 0; j < m; j++) {
            if (i >= nj[j])
                continue;
            if (h.head != NULL && i < h.head[j] &&
                (st = sc_inst_bind(&h.win[j], sj + j * SC_MAX_PTS, r, err)) != CAIRN_OK)
                goto out;
            if ((st = sc_inst_bind(&ins[j], sj + j * SC_MAX_PTS, r, err)) != CAIRN_OK)
                goto out;
            if (i == 0 && h.head != NULL) /* the window instance folded B into its own tables */
                heads_free_tabs(&h, j, ins[j].k);
        }
    }
    for (size_t j = 0, off = 0; j < m; j++) {
        if (lo[j] == SIZE_MAX)
            sc_inst_final(evals + off, &ins[j]);
        else if ((st = parts->pair(evals + off, parts->ctx, j, nj[j], point, err)) != CAIRN_OK)
            goto out;
        off += ins[j].k;
    }
out:
    if (ins != NULL)
        for (size_t j = 0; j < m; j++) {
            if (h.win != NULL)
                sc_inst_clear(&h.win[j]);
            if (h.tabs != NULL)
                heads_free_tabs(&h, j, ins[j].k);
            sc_inst_clear(&ins[j]);
        }
    free(h.win);
    free(h.tabs);
    free(h.len);
    free(ins);
    free(rho);
    free(sj);
    free(lo);
    return st;
}

cairn_status cairn_sumcheck_batch_prove(cairn_sumcheck_proof *proof, cairn_fp2 *point,
                                        cairn_fp2 *evals, cairn_transcript *t,
                                        const cairn_sumcheck_instance *inst, size_t inst_len,
                                        cairn_error *err)
{
    return batch_prove(proof, point, evals, t, inst, inst_len, NULL, err);
}

cairn_status cairn_sumcheck_batch_prove_split(cairn_sumcheck_proof *proof, cairn_fp2 *point,
                                              cairn_fp2 *evals, cairn_transcript *t,
                                              const cairn_sumcheck_instance *inst, size_t inst_len,
                                              const size_t *split, cairn_sumcheck_pair_fn pair,
                                              void *ctx, cairn_error *err)
{
    cairn_sumcheck_batch_parts parts = {split, pair, NULL, NULL, ctx};
    return batch_prove(proof, point, evals, t, inst, inst_len, &parts, err);
}

cairn_status cairn_sumcheck_batch_prove_parts(cairn_sumcheck_proof *proof, cairn_fp2 *point,
                                              cairn_fp2 *evals, cairn_transcript *t,
                                              const cairn_sumcheck_instance *inst, size_t inst_len,
                                              const cairn_sumcheck_batch_parts *parts,
                                              cairn_error *err)
{
    return batch_prove(proof, point, evals, t, inst, inst_len, parts, err);
}

/* ---- claim reduction ------------------------------------------------------------ */

static const cairn_sumcheck_term reduce_term = {{{1}, {0}}, 2, {0, 1}};
static const cairn_sumcheck_expr reduce_expr = {&reduce_term, 1, 2};

cairn_fp2 sc_reduce_start(cairn_fp2 *alpha, cairn_transcript *t, size_t n, const cairn_fp2 *points,
                          const cairn_fp2 *values, size_t m)
{
    cairn_transcript_absorb_u64(t, "sumcheck/reduce/count", (uint64_t)m);
    cairn_transcript_absorb_fp2_vec(t, "sumcheck/reduce/points", points, m * n);
    cairn_transcript_absorb_fp2_vec(t, "sumcheck/reduce/values", values, m);
    *alpha = cairn_transcript_squeeze_fp2(t, "sumcheck/reduce/alpha");
    cairn_fp2 claim = cairn_fp2_zero(), pw = cairn_fp2_one();
    for (size_t j = 0; j < m; j++) {
        claim = cairn_fp2_add(claim, cairn_fp2_mul(pw, values[j]));
        pw = cairn_fp2_mul(pw, *alpha);
    }
    return claim;
}

struct w_job {
    cairn_fp2 *w;
    const cairn_fp2 *tmp;
    cairn_fp2 pw;
    int first;
    size_t len, chunks;
};

/* Pool chunk: its range of W += pw * eq(z_j, .) (W = that, for the first claim). */
static void w_chunk(void *ctx, size_t c)
{
    const struct w_job *j = ctx;
    size_t x1 = j->len * (c + 1) / j->chunks;
    for (size_t x = j->len * c / j->chunks; x < x1; x++)
        j->w[x] = j->first ? j->tmp[x] : cairn_fp2_add(j->w[x], cairn_fp2_mul(j->pw, j->tmp[x]));
}

/*
 * Build W = sum_j alpha^j eq(z_j, .) as a table (one eq table per claim,
 * accumulated), then prove sum_x f(x) W(x) = sum_j alpha^j v_j.
 */
cairn_status cairn_sumcheck_reduce_prove(cairn_sumcheck_proof *proof, cairn_fp2 *point,
                                         cairn_fp2 *value, cairn_transcript *t,
                                         const cairn_sumcheck_input *f, size_t n,
                                         const cairn_fp2 *points, const cairn_fp2 *values,
                                         size_t values_len, cairn_error *err)
{
    cairn_status st;
    cairn_fp2 *w = NULL, *tmp = NULL, alpha, evs[2];
    if (values_len == 0 || f == NULL || points == NULL || values == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "claim reduction: no claims");
    if ((st = sc_check_n(n, err)) != CAIRN_OK)
        return st;
    if ((f->fp == NULL) == (f->fp2 == NULL))
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "claim reduction: f must have exactly one table");
    size_t len = (size_t)1 << n;
    cairn_fp2 claim = sc_reduce_start(&alpha, t, n, points, values, values_len);
    w = malloc(len * sizeof *w);
    tmp = malloc(len * sizeof *tmp);
    if (w == NULL || tmp == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: W table of 2^%zu entries", n);
        goto out;
    }
    struct w_job wj = {w, tmp, cairn_fp2_one(), 1, len, cairn_pool_chunks(len, (size_t)1 << 12)};
    for (size_t j = 0; j < values_len; j++) {
        (void)cairn_poly_eq_table(tmp, points + j * n, n);
        wj.first = j == 0;
        cairn_pool_run(wj.chunks, w_chunk, &wj);
        wj.pw = cairn_fp2_mul(wj.pw, alpha);
    }
    free(tmp);
    tmp = NULL;
    cairn_sumcheck_input in[2] = {*f, {NULL, w, 0}};
    st = cairn_sumcheck_prove(proof, point, evs, t, &reduce_expr, NULL, in, 2, n, claim, err);
    if (st != CAIRN_OK)
        goto out;
    *value = evs[0];
    cairn_transcript_absorb_fp2(t, "sumcheck/reduce/value", *value);
out:
    free(w);
    free(tmp);
    return st;
}
