/*
 * prove.c — the fractional-sum GKR prover, in memory (Papini–Haböck,
 * ePrint 2023/1284; batching and layout in docs/gkr.md).
 *
 * First every instance's layers are built bottom-up from the leaves (the
 * caller's tables, borrowed, base field or extension, or p = 1): layer k
 * of an instance with n variables is stored at offset 2^k - 1 of its two
 * arrays (numerators, denominators), 2^n - 1 extension elements each.
 * Then the layers are proven top-down, one batched sum-check per layer k:
 *     sum_y eq(r, y) sum_j [c_pj (p0 q1 + p1 q0)(y) + c_qj (q0 q1)(y)]
 * where p0(y) = p_{k+1}(2y), p1(y) = p_{k+1}(2y + 1) (likewise q) are the
 * even and odd entries of layer k+1.  The first round reads them with a
 * stride of 2 straight from the layer below (or the caller's leaves) and
 * folds them into scratch.  The round polynomial is assembled as in
 * Gruen (ePrint 2024/108): s_i(X) = scale * eq(r_i, X) * h(X) with h of
 * degree 2 summed against eq over the later variables, the table
 * eq(r_{i+1..k-1}, .) being halved after each round by adding pairs.  The
 * messages equal those of cairn_sumcheck_prove on the same claim (a test
 * compares them byte for byte).
 *
 * Memory: the stored layers (2 * 2^n extension elements per instance) and,
 * for the layer being proven, four folded half-tables per active instance
 * (2^k elements each after the first round) and 2^(k-1) eq weights.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/poly.h"
#include "cairn/pool.h"
#include "gkr_internal.h"

/* Layer k's numerators (which = 0) or denominators (1) of an instance, k <= top. */
gkr_src layer_src(const inst_state *s, size_t k, int which)
{
    if (k == s->top)
        return which ? s->leaf_q : s->leaf_p;
    return src_fp2((which ? s->lq : s->lp) + (((size_t)1 << k) - 1));
}

/*
 * Build layers top-1 .. 0 of one instance from layer top: each fraction is
 * the sum of its children 2y and 2y + 1 one layer down.
 */
static void build_layers(inst_state *s)
{
    for (size_t k = s->top; k-- > 0;) {
        size_t h = (size_t)1 << k;
        gkr_src cp = layer_src(s, k + 1, 0), cq = layer_src(s, k + 1, 1);
        cairn_fp2 *op = s->lp + (h - 1), *oq = s->lq + (h - 1);
        for (size_t y = 0; y < h; y++) {
            cairn_fp2 q0 = src_get(cq, 2 * y), q1 = src_get(cq, 2 * y + 1);
            if (cp.fp == NULL && cp.fp2 == NULL) { /* numerators 1 */
                op[y] = cairn_fp2_add(q0, q1);
            } else {
                cairn_fp2 p0 = src_get(cp, 2 * y), p1 = src_get(cp, 2 * y + 1);
                op[y] = cairn_fp2_add(cairn_fp2_mul(p0, q1), cairn_fp2_mul(p1, q0));
            }
            oq[y] = cairn_fp2_mul(q0, q1);
        }
    }
}

/*
 * One round's sums for one instance over the pairs (2y, 2y+1), lo <= y <
 * hi, of its four tables, weighted by w[y] (gkr_pair_sums;
 * gkr_pair_sums_p1 when its numerators are 1).
 */
static void round_sums(cairn_fp2 acc[6], const gkr_src tab[4], int p_one, int need1,
                       const cairn_fp2 *w, size_t lo, size_t hi)
{
    for (int u = 0; u < 6; u++)
        acc[u] = cairn_fp2_zero();
    cairn_fp2 v[8];
    for (size_t y = lo; y < hi; y++) {
        for (size_t u = p_one ? 2 : 0; u < 4; u++) {
            v[2 * u] = src_get(tab[u], 2 * y);
            v[2 * u + 1] = src_get(tab[u], 2 * y + 1);
        }
        if (p_one)
            gkr_pair_sums_p1(acc, v, w[y], need1);
        else
            gkr_pair_sums(acc, v, w[y], need1);
    }
}

/* out[y] = s[2y] + c (s[2y+1] - s[2y]) for y < half; out may alias s's table. */
static void fold_src(cairn_fp2 *out, gkr_src s, size_t half, cairn_fp2 c)
{
    for (size_t y = 0; y < half; y++) {
        cairn_fp2 lo = src_get(s, 2 * y), hi = src_get(s, 2 * y + 1);
        out[y] = cairn_fp2_add(lo, cairn_fp2_mul(c, cairn_fp2_sub(hi, lo)));
    }
}

/* eq(a, X) for a single coordinate: (1 - a)(1 - X) + a X. */
static cairn_fp2 eq1(cairn_fp2 a, cairn_fp2 x)
{
    cairn_fp2 one = cairn_fp2_one();
    return cairn_fp2_add(cairn_fp2_mul(cairn_fp2_sub(one, a), cairn_fp2_sub(one, x)),
                         cairn_fp2_mul(a, x));
}

/* The header of a layer sum-check: u64 vars, u64 degree, fp2 claim (docs/sumcheck.md). */
void gkr_layer_header(cairn_transcript *t, size_t k, cairn_fp2 claim)
{
    cairn_transcript_absorb_u64(t, GKR_SC_VARS, (uint64_t)k);
    cairn_transcript_absorb_u64(t, GKR_SC_DEGREE, (uint64_t)CAIRN_GKR_LAYER_DEGREE);
    cairn_transcript_absorb_fp2(t, GKR_SC_CLAIM, claim);
}

/* Fold one instance's six sums into h(0), h(1), h(inf) with its two coefficients. */
void gkr_combine_sums(cairn_fp2 H[3], const cairn_fp2 acc[6], const cairn_fp2 coeffs[2])
{
    for (int u = 0; u < 3; u++) {
        H[u] = cairn_fp2_add(H[u], cairn_fp2_mul(coeffs[0], acc[2 * u]));
        H[u] = cairn_fp2_add(H[u], cairn_fp2_mul(coeffs[1], acc[2 * u + 1]));
    }
}

int cairn_gkr_debug_direct_h1 = 0;
size_t cairn_gkr_debug_piece_rows = 0;

int gkr_round_need_h1(const gkr_round *rs, cairn_fp2 ri)
{
    return cairn_gkr_debug_direct_h1 || cairn_fp2_is_zero(cairn_fp2_mul(rs->scale, ri));
}

/*
 * One round's message (contract in gkr_internal.h): h is quadratic, so
 * h(2), h(3) and h(c) follow from h(0), h(1), h(inf); h(1) comes from the
 * claim when it was not summed, which saves a third of the round's work.
 */
cairn_fp2 gkr_emit_round(cairn_fp2 *msg, cairn_transcript *t, cairn_fp2 H[3], int have_h1,
                         gkr_round *rs, cairn_fp2 ri)
{
    cairn_fp2 one = cairn_fp2_one();
    if (!have_h1) {
        /* c_i = scale ((1 - r_i) h(0) + r_i h(1)) */
        cairn_fp2 s0 = cairn_fp2_mul(rs->scale, cairn_fp2_mul(cairn_fp2_sub(one, ri), H[0]));
        H[1] = cairn_fp2_mul(cairn_fp2_sub(rs->claim, s0),
                             cairn_fp2_inv(cairn_fp2_mul(rs->scale, ri)));
    }
    /* h(X) = H0 + b X + Hinf X^2 with b = H1 - H0 - Hinf */
    cairn_fp2 b = cairn_fp2_sub(cairn_fp2_sub(H[1], H[0]), H[2]);
    cairn_fp2 two = cairn_fp2_from_fp(cairn_fp_make(2));
    cairn_fp2 three = cairn_fp2_from_fp(cairn_fp_make(3));
    cairn_fp2 h2 = cairn_fp2_add(cairn_fp2_add(H[0], cairn_fp2_mul(two, b)),
                                 cairn_fp2_mul(cairn_fp2_from_fp(cairn_fp_make(4)), H[2]));
    cairn_fp2 h3 = cairn_fp2_add(cairn_fp2_add(H[0], cairn_fp2_mul(three, b)),
                                 cairn_fp2_mul(cairn_fp2_from_fp(cairn_fp_make(9)), H[2]));
    msg[0] = cairn_fp2_mul(rs->scale, cairn_fp2_mul(cairn_fp2_sub(one, ri), H[0]));
    msg[1] = cairn_fp2_mul(rs->scale, cairn_fp2_mul(eq1(ri, two), h2));
    msg[2] = cairn_fp2_mul(rs->scale, cairn_fp2_mul(eq1(ri, three), h3));
    cairn_transcript_absorb_fp2_vec(t, GKR_SC_ROUND, msg, CAIRN_GKR_LAYER_DEGREE);
    cairn_fp2 c = cairn_transcript_squeeze_fp2(t, GKR_SC_CHALLENGE);
    cairn_fp2 hc = cairn_fp2_add(H[0], cairn_fp2_mul(c, cairn_fp2_add(b, cairn_fp2_mul(c, H[2]))));
    rs->scale = cairn_fp2_mul(rs->scale, eq1(ri, c));
    rs->claim = cairn_fp2_mul(rs->scale, hc);
    return c;
}

/*
 * The in-memory rounds of a layer (contract in gkr_internal.h): per round,
 * the pair sums of every active instance against the eq weights, the
 * message, the challenge, then every table folded in place (round 0 of
 * an in-memory layer folds from the layer below into scratch) and the eq
 * weights halved by adding pairs.
 */
typedef struct {
    const inst_state *state;
    const size_t *idx;
    const unsigned char *p_one;
    cairn_fp2 *scratch, *acc;
    const cairn_fp2 *w;
    size_t qs, half, k;
    int from_children, need1;
    cairn_fp2 c;
    size_t cuts; /* job_sums: pieces of each instance's pairs (cairn_pool_chunks of half) */
} round_job;

/* Table u (P0, P1, Q0, Q1) of the j-th active instance in this round. */
static gkr_src job_tab(const round_job *jb, size_t j, size_t u)
{
    if (jb->from_children)
        return src_half(layer_src(&jb->state[jb->idx[j]], jb->k + 1, u >= 2), u & 1);
    return src_fp2(jb->scratch + (4 * j + u) * jb->qs);
}

static int job_p_one(const round_job *jb, size_t j) { return jb->p_one != NULL && jb->p_one[j]; }

/*
 * Item it = j * cuts + c: the six sums of piece c of the j-th active
 * instance's pairs into acc[6 it ..] (the caller adds the pieces in order).
 */
static void job_sums(void *ctx, size_t it)
{
    const round_job *jb = ctx;
    size_t j = it / jb->cuts, c = it % jb->cuts;
    size_t lo, hi;
    cairn_pool_chunk_range(&lo, &hi, jb->half, jb->cuts, c);
    gkr_src tab[4];
    for (size_t u = 0; u < 4; u++)
        tab[u] = job_tab(jb, j, u);
    round_sums(jb->acc + 6 * it, tab, job_p_one(jb, j), jb->need1, jb->w, lo, hi);
}

/* Item j: fold the j-th active instance's tables with the challenge into scratch. */
static void job_fold(void *ctx, size_t j)
{
    const round_job *jb = ctx;
    for (size_t u = job_p_one(jb, j) ? 2 : 0; u < 4; u++)
        fold_src(jb->scratch + (4 * j + u) * jb->qs, job_tab(jb, j, u), jb->half, jb->c);
}

/*
 * The in-memory rounds of a layer (contract in gkr_internal.h): per round,
 * the pair sums of every active instance against the eq weights (one item
 * per instance, in parallel), the message, the challenge, then every table
 * folded in place (round 0 of an in-memory layer folds from the layer
 * below into scratch) and the eq weights halved by adding pairs.
 */
cairn_status gkr_layer_rounds(cairn_fp2 *msgs, cairn_fp2 *evals, cairn_fp2 *rho,
                              cairn_transcript *t, const cairn_fp2 *r, size_t k, size_t i0,
                              gkr_round rs, const inst_state *state, const size_t *idx, size_t a,
                              const unsigned char *p_one, const cairn_fp2 *coeffs,
                              cairn_fp2 *scratch, size_t qs, cairn_fp2 *w, unsigned threads,
                              cairn_error *err)
{
    round_job jb = {state, idx, p_one, scratch, NULL, w, qs, 0, k, 0, 0, cairn_fp2_zero(), 1};
    jb.acc = malloc(6 * (a > 0 ? a : 1) * CAIRN_POOL_CHUNKS * sizeof *jb.acc);
    if (jb.acc == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "GKR prover: round sums of %zu instances",
                               a);
    size_t h = (size_t)1 << k;
    for (size_t i = i0; i < k; i++) {
        jb.half = (h >> i) / 2;
        jb.from_children = i == 0 && state != NULL;
        jb.need1 = gkr_round_need_h1(&rs, r[i]);
        unsigned th = jb.half * a >= GKR_PAR_MIN ? threads : 1;
        /* each instance's pairs in pieces, so that one large instance uses every thread */
        jb.cuts = cairn_pool_chunks(jb.half, cairn_gkr_debug_piece_rows != 0
                                                  ? cairn_gkr_debug_piece_rows
                                                  : GKR_PAR_MIN);
        gkr_parallel_for(a * jb.cuts, th, job_sums, &jb);
        for (size_t j = 0; j < a; j++)
            for (size_t c = 1; c < jb.cuts; c++)
                for (size_t u = 0; u < 6; u++)
                    jb.acc[6 * j * jb.cuts + u] = cairn_fp2_add(jb.acc[6 * j * jb.cuts + u],
                                                                jb.acc[6 * (j * jb.cuts + c) + u]);
        cairn_fp2 H[3] = {cairn_fp2_zero(), cairn_fp2_zero(), cairn_fp2_zero()};
        for (size_t j = 0; j < a; j++)
            gkr_combine_sums(H, jb.acc + 6 * j * jb.cuts, coeffs + 2 * j);
        jb.c = rho[i] =
            gkr_emit_round(msgs + CAIRN_GKR_LAYER_DEGREE * i, t, H, jb.need1, &rs, r[i]);
        gkr_parallel_for(a, th, job_fold, &jb);
        for (size_t y = 0; y < jb.half / 2; y++)
            w[y] = cairn_fp2_add(w[2 * y], w[2 * y + 1]);
    }
    for (size_t j = 0; j < a; j++)
        for (size_t u = 0; u < 4; u++)
            evals[4 * j + u] =
                job_p_one(&jb, j) && u < 2 ? cairn_fp2_one() : scratch[(4 * j + u) * qs];
    free(jb.acc);
    return CAIRN_OK;
}

/*
 * Prove layer k in memory for the a active instances state[idx[.]] at
 * point r (k coordinates) with batching coefficients coeffs and combined
 * claim: absorb the header, run k rounds writing msgs (3k elements) and
 * rho (k challenges), and write evals (4a: p0, p1, q0, q1 at rho).
 * scratch holds 4 * a * 2^(k-1) elements and w 2^(k-1).
 */
static cairn_status prove_layer(cairn_fp2 *msgs, cairn_fp2 *evals, cairn_fp2 *rho,
                                cairn_transcript *t, const cairn_fp2 *r, size_t k,
                                const inst_state *state, const size_t *idx, size_t a,
                                const cairn_fp2 *coeffs, cairn_fp2 claim, cairn_fp2 *scratch,
                                cairn_fp2 *w, unsigned threads, cairn_error *err)
{
    gkr_layer_header(t, k, claim);
    if (k == 0) {
        for (size_t i = 0; i < a; i++) {
            gkr_src cp = layer_src(&state[idx[i]], 1, 0), cq = layer_src(&state[idx[i]], 1, 1);
            evals[4 * i + 0] = src_get(cp, 0);
            evals[4 * i + 1] = src_get(cp, 1);
            evals[4 * i + 2] = src_get(cq, 0);
            evals[4 * i + 3] = src_get(cq, 1);
        }
        return CAIRN_OK;
    }
    if (cairn_poly_eq_table(w, r + 1, k - 1) != CAIRN_OK)
        return cairn_error_set(err, CAIRN_ERR_INTERNAL, "GKR prover: eq table of %zu variables",
                               k - 1);
    /* instances whose numerators are the constant 1 at this layer (their leaves) */
    unsigned char p_one[CAIRN_GKR_MAX_INSTANCES];
    for (size_t j = 0; j < a; j++) {
        const inst_state *s = &state[idx[j]];
        p_one[j] = s->top == k + 1 && s->leaf_p.fp == NULL && s->leaf_p.fp2 == NULL;
    }
    gkr_round rs = {claim, cairn_fp2_one()};
    return gkr_layer_rounds(msgs, evals, rho, t, r, k, 0, rs, state, idx, a, p_one, coeffs,
                            scratch, (size_t)1 << (k - 1), w, threads, err);
}

/*
 * Report a zero root denominator: name the first zero leaf when the leaves
 * are at hand (top = n), else the instance only (a streamed prover).
 */
static cairn_status report_pole(const inst_state *s, size_t j, cairn_error *err)
{
    size_t len = (size_t)1 << s->top;
    for (size_t x = 0; s->top == s->n && x < len; x++)
        if (cairn_fp2_is_zero(src_get(s->leaf_q, x)))
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "GKR prover: instance %zu: denominator of leaf %zu is zero "
                                   "(a pole)",
                                   j, x);
    return cairn_error_set(err, CAIRN_ERR_ARG,
                           "GKR prover: instance %zu: a leaf denominator is zero (a pole)", j);
}

/* Free the stored layers of every instance. */
static void free_layers(inst_state *state, size_t m)
{
    for (size_t j = 0; j < m; j++) {
        free(state[j].lp);
        free(state[j].lq);
        state[j].lp = state[j].lq = NULL;
    }
}

/* Item j: build instance j's layers. */
static void job_build(void *ctx, size_t j)
{
    inst_state *state = ctx;
    if (state[j].top > 0)
        build_layers(&state[j]);
}

cairn_status gkr_prove_driver(cairn_gkr_proof *proof, cairn_fp2 *points, cairn_fp2 *p_evals,
                              cairn_fp2 *q_evals, cairn_transcript *t, inst_state *state, size_t m,
                              size_t s, gkr_layer_fn stream_layer, void *ctx, unsigned threads,
                              cairn_error *err)
{
    size_t *idx = malloc(m * sizeof *idx), *off_points = malloc(m * sizeof *off_points);
    size_t *vars = calloc(m, sizeof *vars);
    cairn_fp2 *cp = malloc(4 * m * sizeof *cp), *scratch = NULL, *w = NULL;
    cairn_status st;
    if (idx == NULL || off_points == NULL || vars == NULL || cp == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "GKR prover: %zu instances", m);
        goto out;
    }
    cairn_fp2 *cq = cp + m, *coeffs = cp + 2 * m;
    size_t off = 0;
    for (size_t j = 0; j < m; j++) {
        vars[j] = state[j].n;
        off_points[j] = off;
        off += state[j].n;
    }
    size_t N = gkr_max_vars(vars, m), count = cairn_gkr_proof_elems(vars, m);
    for (size_t j = 0; j < m; j++) {
        size_t top = state[j].top;
        if (top == 0)
            continue;
        size_t len = ((size_t)1 << top) - 1;
        state[j].lp = malloc(len * sizeof(cairn_fp2));
        state[j].lq = malloc(len * sizeof(cairn_fp2));
        if (state[j].lp == NULL || state[j].lq == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "GKR prover: layers of instance %zu (%zu "
                                 "variables)", j, top);
            goto out;
        }
    }
    gkr_parallel_for(m, threads, job_build, state);
    proof->vars = vars;
    proof->inst_len = m;
    vars = NULL;
    proof->elems = malloc(count * sizeof *proof->elems);
    if (proof->elems == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "GKR prover: proof of %zu elements", count);
        goto out;
    }
    proof->elems_len = count;
    for (size_t j = 0; j < m; j++) {
        gkr_src rp = layer_src(&state[j], 0, 0), rq = layer_src(&state[j], 0, 1);
        cp[j] = proof->elems[2 * j] = src_get(rp, 0);
        cq[j] = proof->elems[2 * j + 1] = src_get(rq, 0);
        if (cairn_fp2_is_zero(cq[j])) {
            st = report_pole(&state[j], j, err);
            goto out;
        }
        if (state[j].n == 0) {
            p_evals[j] = cp[j];
            q_evals[j] = cq[j];
        }
    }
    size_t mem_layers = s < N ? s : N;
    if (mem_layers > 1) {
        /* eq weights and scratch for the worst in-memory layer */
        size_t need = 0;
        for (size_t k = 1; k < mem_layers; k++) {
            size_t v = 4 * gkr_active(proof->vars, m, k) * ((size_t)1 << (k - 1));
            need = v > need ? v : need;
        }
        w = malloc(((size_t)1 << (mem_layers - 2)) * sizeof *w);
        scratch = malloc(need * sizeof *scratch);
        if (scratch == NULL || w == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "GKR prover: layer scratch of 2^%zu",
                                 mem_layers);
            goto out;
        }
    }

    gkr_absorb_statement(t, proof->vars, m);
    gkr_absorb_roots(t, proof->elems, m);
    size_t a = 0;
    for (size_t j = 0; j < m; j++)
        if (state[j].n > 0) {
            cp[a] = cp[j];
            cq[a] = cq[j];
            idx[a++] = j;
        }
    cairn_fp2 r[CAIRN_GKR_MAX_VARS + 1], rho[CAIRN_GKR_MAX_VARS];
    for (size_t k = 0; k < N; k++) {
        size_t base = gkr_layer_offset(proof->vars, m, k);
        cairn_fp2 claim = gkr_layer_open(coeffs, t, cp, cq, a);
        cairn_fp2 *msgs = proof->elems + base;
        cairn_fp2 *evals = msgs + CAIRN_GKR_LAYER_DEGREE * k;
        if (k < s) {
            st = prove_layer(msgs, evals, rho, t, r, k, state, idx, a, coeffs, claim, scratch, w,
                             threads, err);
        } else {
            if (k == s) { /* the stored layers are done with: give the memory back */
                free_layers(state, m);
                free(scratch);
                free(w);
                scratch = w = NULL;
            }
            st = stream_layer(ctx, msgs, evals, rho, t, r, k, idx, a, coeffs, claim, err);
        }
        if (st != CAIRN_OK)
            goto out;
        cairn_fp2 lambda = gkr_layer_close(t, evals, a, cp, cq);
        memcpy(r + 1, rho, k * sizeof *rho);
        r[0] = lambda;
        a = gkr_layer_retire(points, p_evals, q_evals, off_points, proof->vars, k, r, idx, cp,
                             cq, a);
    }
    st = CAIRN_OK;
out:
    free_layers(state, m);
    free(idx);
    free(off_points);
    free(vars);
    free(cp);
    free(scratch);
    free(w);
    if (st != CAIRN_OK)
        cairn_gkr_proof_clear(proof);
    return st;
}

/* Check one instance's arguments: a denominator table, at most one table each. */
static cairn_status check_instance(const cairn_gkr_instance *in, size_t j, cairn_error *err)
{
    if ((in->q.fp == NULL) == (in->q.fp2 == NULL))
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "GKR prover: instance %zu needs exactly one denominator table", j);
    if (in->p.fp != NULL && in->p.fp2 != NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "GKR prover: instance %zu has two numerator tables", j);
    return CAIRN_OK;
}

/* In memory: every instance's layer `top` is its leaves, and no layer is streamed. */
cairn_status cairn_gkr_prove(cairn_gkr_proof *proof, cairn_fp2 *points, cairn_fp2 *p_evals,
                             cairn_fp2 *q_evals, cairn_transcript *t,
                             const cairn_gkr_instance *inst, size_t inst_len, unsigned threads,
                             cairn_error *err)
{
    size_t m = inst_len;
    cairn_gkr_proof_clear(proof);
    if (inst == NULL || m == 0 || m > CAIRN_GKR_MAX_INSTANCES)
        return cairn_error_set(err, CAIRN_ERR_ARG, "GKR prover: %zu instances (allowed 1..%u)",
                               m, CAIRN_GKR_MAX_INSTANCES);
    inst_state *state = calloc(m, sizeof *state);
    if (state == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "GKR prover: %zu instances", m);
    cairn_status st = CAIRN_OK;
    size_t N = 0;
    for (size_t j = 0; j < m && st == CAIRN_OK; j++) {
        if (inst[j].n > CAIRN_GKR_MAX_VARS)
            st = cairn_error_set(err, CAIRN_ERR_ARG, "GKR instance %zu: %zu variables (limit %u)",
                                 j, inst[j].n, CAIRN_GKR_MAX_VARS);
        else
            st = check_instance(&inst[j], j, err);
        inst_state *s = &state[j];
        s->n = s->top = inst[j].n;
        s->leaf_p = (gkr_src){inst[j].p.fp, inst[j].p.fp2, 1};
        s->leaf_q = (gkr_src){inst[j].q.fp, inst[j].q.fp2, 1};
        N = s->n > N ? s->n : N;
    }
    if (st == CAIRN_OK)
        st = gkr_prove_driver(proof, points, p_evals, q_evals, t, state, m, N, NULL, NULL,
                              threads, err);
    free(state);
    return st;
}
