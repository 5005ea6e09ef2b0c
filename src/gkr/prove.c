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
#include "gkr_internal.h"

/*
 * A table read as extension elements: fp2, else fp, else the constant 1;
 * entry i is element i * stride of the array.
 */
typedef struct {
    const cairn_fp *fp;
    const cairn_fp2 *fp2;
    size_t stride;
} gkr_src;

/* Entry i of a source table as an extension element. */
static inline cairn_fp2 src_get(gkr_src s, size_t i)
{
    if (s.fp2 != NULL)
        return s.fp2[i * s.stride];
    if (s.fp != NULL)
        return cairn_fp2_from_fp(s.fp[i * s.stride]);
    return cairn_fp2_one();
}

/*
 * The entries of s whose index has least significant bit b, as a table of
 * half the length: entry y is s's entry 2y + b (the constant 1 stays itself).
 */
static gkr_src src_half(gkr_src s, size_t b)
{
    gkr_src r = s;
    if (r.fp2 != NULL)
        r.fp2 += b * s.stride;
    else if (r.fp != NULL)
        r.fp += b * s.stride;
    r.stride = 2 * s.stride;
    return r;
}

static gkr_src src_fp2(const cairn_fp2 *v)
{
    gkr_src s = {NULL, v, 1};
    return s;
}

typedef struct {
    size_t n;
    gkr_src leaf_p, leaf_q;
    cairn_fp2 *lp, *lq; /* layers 0..n-1: layer k at offset 2^k - 1 */
} inst_state;

/* Layer k's numerators (which = 0) or denominators (1) of an instance, k <= n. */
static gkr_src layer_src(const inst_state *s, size_t k, int which)
{
    if (k == s->n)
        return which ? s->leaf_q : s->leaf_p;
    return src_fp2((which ? s->lq : s->lp) + (((size_t)1 << k) - 1));
}

/*
 * Build layers n-1 .. 0 of one instance from its leaves: each fraction is
 * the sum of its children 2y and 2y + 1 one layer down.
 */
static void build_layers(inst_state *s)
{
    for (size_t k = s->n; k-- > 0;) {
        size_t h = (size_t)1 << k;
        gkr_src cp = layer_src(s, k + 1, 0), cq = layer_src(s, k + 1, 1);
        cairn_fp2 *op = s->lp + (h - 1), *oq = s->lq + (h - 1);
        for (size_t y = 0; y < h; y++) {
            cairn_fp2 p0 = src_get(cp, 2 * y), p1 = src_get(cp, 2 * y + 1);
            cairn_fp2 q0 = src_get(cq, 2 * y), q1 = src_get(cq, 2 * y + 1);
            op[y] = cairn_fp2_add(cairn_fp2_mul(p0, q1), cairn_fp2_mul(p1, q0));
            oq[y] = cairn_fp2_mul(q0, q1);
        }
    }
}

/*
 * One round's sums for one instance: over the half pairs (2y, 2y+1) of
 * the four tables (P0, P1, Q0, Q1), weighted by w[y], accumulate
 * acc = (num(0), den(0), num(1), den(1), num(inf), den(inf)) where
 * num = P0 Q1 + P1 Q0, den = Q0 Q1 evaluated at the pair's low entry,
 * high entry, and the leading coefficient in X.
 */
static void round_sums(cairn_fp2 acc[6], const gkr_src tab[4], const cairn_fp2 *w, size_t half)
{
    for (int u = 0; u < 6; u++)
        acc[u] = cairn_fp2_zero();
    for (size_t y = 0; y < half; y++) {
        cairn_fp2 a0 = src_get(tab[0], 2 * y), a1 = src_get(tab[0], 2 * y + 1);
        cairn_fp2 b0 = src_get(tab[1], 2 * y), b1 = src_get(tab[1], 2 * y + 1);
        cairn_fp2 c0 = src_get(tab[2], 2 * y), c1 = src_get(tab[2], 2 * y + 1);
        cairn_fp2 d0 = src_get(tab[3], 2 * y), d1 = src_get(tab[3], 2 * y + 1);
        cairn_fp2 da = cairn_fp2_sub(a1, a0), db = cairn_fp2_sub(b1, b0);
        cairn_fp2 dc = cairn_fp2_sub(c1, c0), dd = cairn_fp2_sub(d1, d0);
        cairn_fp2 wy = w[y];
        cairn_fp2 n0 = cairn_fp2_add(cairn_fp2_mul(a0, d0), cairn_fp2_mul(b0, c0));
        cairn_fp2 n1 = cairn_fp2_add(cairn_fp2_mul(a1, d1), cairn_fp2_mul(b1, c1));
        cairn_fp2 ni = cairn_fp2_add(cairn_fp2_mul(da, dd), cairn_fp2_mul(db, dc));
        acc[0] = cairn_fp2_add(acc[0], cairn_fp2_mul(wy, n0));
        acc[1] = cairn_fp2_add(acc[1], cairn_fp2_mul(wy, cairn_fp2_mul(c0, d0)));
        acc[2] = cairn_fp2_add(acc[2], cairn_fp2_mul(wy, n1));
        acc[3] = cairn_fp2_add(acc[3], cairn_fp2_mul(wy, cairn_fp2_mul(c1, d1)));
        acc[4] = cairn_fp2_add(acc[4], cairn_fp2_mul(wy, ni));
        acc[5] = cairn_fp2_add(acc[5], cairn_fp2_mul(wy, cairn_fp2_mul(dc, dd)));
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

/*
 * Prove layer k for the a active instances at point r (k
 * coordinates) with batching coefficients coeffs and combined claim:
 * absorb the sum-check header, run k rounds writing msgs (3k elements) and
 * rho (k challenges), and write evals (4a: p0, p1, q0, q1 at rho).
 * The active instances are state[idx[0]], ..., state[idx[a-1]].
 * scratch holds 4 * a * 2^(k-1) elements and w 2^(k-1).
 */
static cairn_status prove_layer(cairn_fp2 *msgs, cairn_fp2 *evals, cairn_fp2 *rho,
                                cairn_transcript *t, const cairn_fp2 *r, size_t k,
                                const inst_state *state, const size_t *idx, size_t a, const cairn_fp2 *coeffs,
                                cairn_fp2 claim, cairn_fp2 *scratch, cairn_fp2 *w,
                                cairn_error *err)
{
    cairn_transcript_absorb_u64(t, GKR_SC_VARS, (uint64_t)k);
    cairn_transcript_absorb_u64(t, GKR_SC_DEGREE, (uint64_t)CAIRN_GKR_LAYER_DEGREE);
    cairn_transcript_absorb_fp2(t, GKR_SC_CLAIM, claim);
    size_t h = (size_t)1 << k;
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
    size_t q = h / 2; /* scratch stride: each folded half-table */
    cairn_fp2 scale = cairn_fp2_one(), one = cairn_fp2_one();
    for (size_t i = 0; i < k; i++) {
        size_t len = h >> i, half = len / 2;
        cairn_fp2 H[3] = {cairn_fp2_zero(), cairn_fp2_zero(), cairn_fp2_zero()};
        for (size_t j = 0; j < a; j++) {
            gkr_src tab[4];
            if (i == 0) {
                gkr_src cp = layer_src(&state[idx[j]], k + 1, 0),
                        cq = layer_src(&state[idx[j]], k + 1, 1);
                tab[0] = src_half(cp, 0);
                tab[1] = src_half(cp, 1);
                tab[2] = src_half(cq, 0);
                tab[3] = src_half(cq, 1);
            } else {
                for (int u = 0; u < 4; u++)
                    tab[u] = src_fp2(scratch + (4 * j + (size_t)u) * q);
            }
            cairn_fp2 acc[6];
            round_sums(acc, tab, w, half);
            for (int u = 0; u < 3; u++) {
                H[u] = cairn_fp2_add(H[u], cairn_fp2_mul(coeffs[2 * j], acc[2 * u]));
                H[u] = cairn_fp2_add(H[u], cairn_fp2_mul(coeffs[2 * j + 1], acc[2 * u + 1]));
            }
        }
        /* h(X) = H0 + b X + Hinf X^2 with b = H1 - H0 - Hinf */
        cairn_fp2 b = cairn_fp2_sub(cairn_fp2_sub(H[1], H[0]), H[2]);
        cairn_fp2 two = cairn_fp2_from_fp(cairn_fp_make(2));
        cairn_fp2 three = cairn_fp2_from_fp(cairn_fp_make(3));
        cairn_fp2 h2 = cairn_fp2_add(cairn_fp2_add(H[0], cairn_fp2_mul(two, b)),
                                     cairn_fp2_mul(cairn_fp2_from_fp(cairn_fp_make(4)), H[2]));
        cairn_fp2 h3 = cairn_fp2_add(cairn_fp2_add(H[0], cairn_fp2_mul(three, b)),
                                     cairn_fp2_mul(cairn_fp2_from_fp(cairn_fp_make(9)), H[2]));
        cairn_fp2 *msg = msgs + CAIRN_GKR_LAYER_DEGREE * i;
        msg[0] = cairn_fp2_mul(scale, cairn_fp2_mul(cairn_fp2_sub(one, r[i]), H[0]));
        msg[1] = cairn_fp2_mul(scale, cairn_fp2_mul(eq1(r[i], two), h2));
        msg[2] = cairn_fp2_mul(scale, cairn_fp2_mul(eq1(r[i], three), h3));
        cairn_transcript_absorb_fp2_vec(t, GKR_SC_ROUND, msg, CAIRN_GKR_LAYER_DEGREE);
        cairn_fp2 c = cairn_transcript_squeeze_fp2(t, GKR_SC_CHALLENGE);
        rho[i] = c;
        scale = cairn_fp2_mul(scale, eq1(r[i], c));
        for (size_t j = 0; j < a; j++) {
            for (size_t u = 0; u < 4; u++) {
                cairn_fp2 *out = scratch + (4 * j + u) * q;
                gkr_src s;
                if (i == 0) {
                    gkr_src base = layer_src(&state[idx[j]], k + 1, u >= 2);
                    s = src_half(base, u & 1);
                } else {
                    s = src_fp2(out);
                }
                fold_src(out, s, half, c);
            }
        }
        for (size_t y = 0; y < half / 2; y++)
            w[y] = cairn_fp2_add(w[2 * y], w[2 * y + 1]);
    }
    for (size_t j = 0; j < a; j++)
        for (size_t u = 0; u < 4; u++)
            evals[4 * j + u] = scratch[(4 * j + u) * q];
    return CAIRN_OK;
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

/* Report the first zero leaf denominator of an instance whose root denominator is zero. */
static cairn_status report_pole(const inst_state *s, size_t j, cairn_error *err)
{
    size_t len = (size_t)1 << s->n;
    for (size_t x = 0; x < len; x++)
        if (cairn_fp2_is_zero(src_get(s->leaf_q, x)))
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "GKR prover: instance %zu: denominator of leaf %zu is zero "
                                   "(a pole)",
                                   j, x);
    return cairn_error_set(err, CAIRN_ERR_INTERNAL,
                           "GKR prover: instance %zu: zero root without a zero leaf", j);
}

cairn_status cairn_gkr_prove(cairn_gkr_proof *proof, cairn_fp2 *points, cairn_fp2 *p_evals,
                             cairn_fp2 *q_evals, cairn_transcript *t,
                             const cairn_gkr_instance *inst, size_t inst_len, cairn_error *err)
{
    size_t m = inst_len;
    inst_state *state = NULL;
    size_t *idx = NULL;
    cairn_fp2 *cp = NULL, *scratch = NULL, *w = NULL;
    size_t *vars = NULL, *off_points = NULL;
    cairn_status st;

    cairn_gkr_proof_clear(proof);
    if (inst == NULL || m == 0 || m > CAIRN_GKR_MAX_INSTANCES)
        return cairn_error_set(err, CAIRN_ERR_ARG, "GKR prover: %zu instances (allowed 1..%u)",
                               m, CAIRN_GKR_MAX_INSTANCES);
    vars = malloc(m * sizeof *vars);
    state = calloc(m, sizeof *state);
    idx = malloc(m * sizeof *idx);
    cp = malloc(4 * m * sizeof *cp); /* cp, cq, coeffs (2m) */
    off_points = malloc(m * sizeof *off_points);
    if (vars == NULL || state == NULL || idx == NULL || cp == NULL || off_points == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "GKR prover: %zu instances", m);
        goto out;
    }
    cairn_fp2 *cq = cp + m, *coeffs = cp + 2 * m;
    for (size_t j = 0; j < m; j++)
        vars[j] = inst[j].n;
    if ((st = gkr_check_shapes(vars, m, CAIRN_ERR_ARG, err)) != CAIRN_OK)
        goto out;
    size_t N = gkr_max_vars(vars, m), off = 0, count = cairn_gkr_proof_elems(vars, m);
    for (size_t j = 0; j < m; j++) {
        if ((st = check_instance(&inst[j], j, err)) != CAIRN_OK)
            goto out;
        inst_state *s = &state[j];
        s->n = inst[j].n;
        s->leaf_p.fp = inst[j].p.fp;
        s->leaf_p.fp2 = inst[j].p.fp2;
        s->leaf_p.stride = 1;
        s->leaf_q.stride = 1;
        s->leaf_q.fp = inst[j].q.fp;
        s->leaf_q.fp2 = inst[j].q.fp2;
        off_points[j] = off;
        off += s->n;
        if (s->n == 0)
            continue;
        size_t len = ((size_t)1 << s->n) - 1;
        s->lp = malloc(len * sizeof *s->lp);
        s->lq = malloc(len * sizeof *s->lq);
        if (s->lp == NULL || s->lq == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "GKR prover: layers of instance %zu (%zu "
                                 "variables)", j, s->n);
            goto out;
        }
        build_layers(s);
    }
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
    if (N > 0) {
        /* eq weights for the largest layer; scratch for the worst layer (the
           bottom one has the largest tables but may have fewer instances) */
        w = malloc(((size_t)1 << (N - 1)) * sizeof *w);
        size_t need = 0;
        for (size_t k = 1; k < N; k++) {
            size_t v = 4 * gkr_active(proof->vars, m, k) * ((size_t)1 << (k - 1));
            if (v > need)
                need = v;
        }
        scratch = malloc((need > 0 ? need : 1) * sizeof *scratch);
        if (scratch == NULL || w == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "GKR prover: layer scratch of 2^%zu", N);
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
        st = prove_layer(msgs, evals, rho, t, r, k, state, idx, a, coeffs, claim, scratch, w, err);
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
    if (state != NULL)
        for (size_t j = 0; j < m; j++) {
            free(state[j].lp);
            free(state[j].lq);
        }
    free(state);
    free(idx);
    free(cp);
    free(vars);
    free(off_points);
    free(scratch);
    free(w);
    if (st != CAIRN_OK)
        cairn_gkr_proof_clear(proof);
    return st;
}
