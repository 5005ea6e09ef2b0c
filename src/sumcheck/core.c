/*
 * core.c — the machinery shared by every sum-check prover: expressions,
 * instance state, the round kernels, round assembly (Gruen's eq factoring),
 * interpolation on the nodes 0..d and the round-message transcript steps.
 *
 * Round i of a claim with eq(tau, .) (Gruen 2024, "Some improvements for
 * the PIOP for ZeroCheck", §3): the round polynomial factors as
 *     s_i(X) = eq_prefix * eq(tau_i, X) * q_i(X),
 *     eq_prefix = prod_{l < i} eq(tau_l, r_l),
 *     q_i(X) = sum_{x'} eq(tau_{i+1..n-1}, x') g(f(r, X, x')),
 * with deg q_i = deg g, one less than deg s_i.  The kernel evaluates q_i at
 * X = 0, 2, ..., deg g, takes q_i(1) from the running claim
 * (c_i = s_i(0) + s_i(1)), extrapolates q_i to deg g + 1 and multiplies the
 * linear eq factor back in.  eq(tau_{i+1..n-1}, x') is never a full table:
 * it is the tensor product of two tables over the lower and upper halves of
 * the remaining variables (split-eq, Dao–Thaler), about 2 * 2^((n-i)/2)
 * entries, and the kernel sums the inner half before multiplying by the
 * outer weight.  Round 0 on base-field inputs evaluates g in F_p and lifts
 * to F_p2 only when weighting ("small values first").  Field arithmetic is
 * exact, so every way of ordering these sums gives identical values: the
 * streaming prover reaches the same bytes through different loops.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/poly.h"
#include "cairn/pool.h"
#include "sumcheck_internal.h"

void *sc_alloc(sc_mem *mem, size_t bytes)
{
    void *p = malloc(bytes > 0 ? bytes : 1);
    if (p != NULL && mem != NULL) {
        mem->cur += bytes;
        if (mem->cur > mem->peak)
            mem->peak = mem->cur;
    }
    return p;
}

void sc_free(sc_mem *mem, void *p, size_t bytes)
{
    if (p == NULL)
        return;
    free(p);
    if (mem != NULL)
        mem->cur -= bytes;
}

/* ---- expressions ----------------------------------------------------------- */

cairn_status cairn_sumcheck_expr_check(const cairn_sumcheck_expr *expr, cairn_error *err)
{
    if (expr == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "sum-check: no expression");
    if (expr->inputs_len > CAIRN_SUMCHECK_MAX_INPUTS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "sum-check: %zu inputs (limit %u)",
                               expr->inputs_len, CAIRN_SUMCHECK_MAX_INPUTS);
    if (expr->terms_len > CAIRN_SUMCHECK_MAX_TERMS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "sum-check: %zu terms (limit %u)",
                               expr->terms_len, CAIRN_SUMCHECK_MAX_TERMS);
    if (expr->terms_len > 0 && expr->terms == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "sum-check: terms_len %zu with no terms",
                               expr->terms_len);
    for (size_t t = 0; t < expr->terms_len; t++) {
        const cairn_sumcheck_term *tm = &expr->terms[t];
        if (tm->factors_len > CAIRN_SUMCHECK_MAX_FACTORS)
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "sum-check: term %zu has %zu factors (limit %u)", t,
                                   tm->factors_len, CAIRN_SUMCHECK_MAX_FACTORS);
        for (size_t u = 0; u < tm->factors_len; u++)
            if (tm->factors[u] >= expr->inputs_len)
                return cairn_error_set(err, CAIRN_ERR_ARG,
                                       "sum-check: term %zu factor %zu names input %u of %zu", t, u,
                                       (unsigned)tm->factors[u], expr->inputs_len);
    }
    return CAIRN_OK;
}

size_t cairn_sumcheck_expr_degree(const cairn_sumcheck_expr *expr, int has_eq)
{
    size_t d = 0;
    for (size_t t = 0; t < expr->terms_len; t++)
        if (expr->terms[t].factors_len > d)
            d = expr->terms[t].factors_len;
    d += has_eq ? 1 : 0;
    return d > 0 ? d : 1;
}

cairn_fp2 cairn_sumcheck_expr_eval(const cairn_sumcheck_expr *expr, const cairn_fp2 *values)
{
    cairn_fp2 sum = cairn_fp2_zero();
    for (size_t t = 0; t < expr->terms_len; t++) {
        const cairn_sumcheck_term *tm = &expr->terms[t];
        cairn_fp2 prod = tm->coeff;
        for (size_t u = 0; u < tm->factors_len; u++)
            prod = cairn_fp2_mul(prod, values[tm->factors[u]]);
        sum = cairn_fp2_add(sum, prod);
    }
    return sum;
}

/* ---- small helpers ---------------------------------------------------------- */

cairn_fp2 sc_eq1(cairn_fp2 tau_i, cairn_fp2 x)
{
    cairn_fp2 tx = cairn_fp2_mul(tau_i, x);
    return cairn_fp2_sub(cairn_fp2_add(cairn_fp2_one(), cairn_fp2_double(tx)),
                         cairn_fp2_add(tau_i, x));
}

static cairn_fp2 fp2_small(size_t v)
{
    return cairn_fp2_from_fp(cairn_fp_from_u64((uint64_t)v));
}

/*
 * Lagrange interpolation on the nodes 0..d:
 *     s(x) = sum_k s[k] prod_{j != k} (x - j) / (k - j),
 * with the numerators from prefix and suffix products of (x - j) (so x may
 * be a node) and the denominators k! (d-k)! (-1)^(d-k) inverted once.
 */
cairn_fp2 sc_interp(const cairn_fp2 *s, size_t d, cairn_fp2 x)
{
    cairn_fp2 pre[SC_MAX_PTS + 1], suf[SC_MAX_PTS + 1];
    cairn_fp fact[SC_MAX_PTS + 1], invf[SC_MAX_PTS + 1];
    pre[0] = cairn_fp2_one();
    for (size_t j = 0; j < d; j++)
        pre[j + 1] = cairn_fp2_mul(pre[j], cairn_fp2_sub(x, fp2_small(j)));
    suf[d] = cairn_fp2_one();
    for (size_t j = d; j > 0; j--)
        suf[j - 1] = cairn_fp2_mul(suf[j], cairn_fp2_sub(x, fp2_small(j)));
    fact[0] = cairn_fp_one();
    for (size_t j = 1; j <= d; j++)
        fact[j] = cairn_fp_mul(fact[j - 1], cairn_fp_from_u64((uint64_t)j));
    invf[d] = cairn_fp_inv(fact[d]);
    for (size_t j = d; j > 0; j--)
        invf[j - 1] = cairn_fp_mul(invf[j], cairn_fp_from_u64((uint64_t)j));
    cairn_fp2 res = cairn_fp2_zero();
    for (size_t k = 0; k <= d; k++) {
        cairn_fp w = cairn_fp_mul(invf[k], invf[d - k]);
        if ((d - k) & 1)
            w = cairn_fp_neg(w);
        cairn_fp2 term = cairn_fp2_mul(cairn_fp2_mul(pre[k], suf[k]), s[k]);
        res = cairn_fp2_add(res, cairn_fp2_mul_fp(term, w));
    }
    return res;
}

cairn_status sc_check_n(size_t n, cairn_error *err)
{
    if (n > CAIRN_SUMCHECK_MAX_VARS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "sum-check: %zu variables (limit %u)", n,
                               CAIRN_SUMCHECK_MAX_VARS);
    return CAIRN_OK;
}

/* ---- transcript steps ---------------------------------------------------------- */

void cairn_sumcheck_absorb_header(cairn_transcript *t, size_t n, size_t d, cairn_fp2 claim)
{
    cairn_transcript_absorb_u64(t, SC_LABEL_VARS, (uint64_t)n);
    cairn_transcript_absorb_u64(t, SC_LABEL_DEGREE, (uint64_t)d);
    cairn_transcript_absorb_fp2(t, SC_LABEL_CLAIM, claim);
}

cairn_fp2 cairn_sumcheck_absorb_round(cairn_transcript *t, const cairn_fp2 *msg, size_t degree)
{
    cairn_transcript_absorb_fp2_vec(t, SC_LABEL_ROUND, msg, degree);
    return cairn_transcript_squeeze_fp2(t, SC_LABEL_CHALLENGE);
}

cairn_status sc_proof_alloc(cairn_sumcheck_proof *proof, size_t n, size_t d, cairn_error *err)
{
    cairn_sumcheck_proof_clear(proof);
    proof->evals = malloc((n * d > 0 ? n * d : 1) * sizeof *proof->evals);
    if (proof->evals == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "sum-check: proof of %zu rounds", n);
    proof->rounds = n;
    proof->degree = d;
    return CAIRN_OK;
}

cairn_fp2 sc_emit(cairn_sumcheck_proof *proof, cairn_transcript *t, size_t i, const cairn_fp2 *s)
{
    size_t d = proof->degree;
    cairn_fp2 *msg = proof->evals + i * d;
    msg[0] = s[0];
    for (size_t k = 2; k <= d; k++)
        msg[k - 1] = s[k];
    return cairn_sumcheck_absorb_round(t, msg, d);
}

/* ---- instances ------------------------------------------------------------------- */

void sc_inst_clear(sc_inst *in)
{
    if (in == NULL)
        return;
    size_t k = in->k, S = SC_MAX_PTS;
    size_t terms = in->expr != NULL ? in->expr->terms_len : 0;
    for (size_t c = 0; c < k; c++) {
        if (in->own_fp != NULL)
            sc_free(in->mem, in->own_fp[c], ((size_t)1 << in->n) * sizeof(cairn_fp));
        if (in->own_fp2 != NULL && in->own_fp2[c] != NULL)
            sc_free(in->mem, in->own_fp2[c], in->len_own * sizeof(cairn_fp2));
    }
    sc_free(in->mem, in->src_fp, k * sizeof *in->src_fp);
    sc_free(in->mem, in->src_fp2, k * sizeof *in->src_fp2);
    sc_free(in->mem, in->own_fp, k * sizeof *in->own_fp);
    sc_free(in->mem, in->own_fp2, k * sizeof *in->own_fp2);
    sc_free(in->mem, in->ea, in->ea_cap * sizeof *in->ea);
    sc_free(in->mem, in->eb, in->eb_cap * sizeof *in->eb);
    sc_free(in->mem, in->acc, terms * S * sizeof *in->acc);
    sc_free(in->mem, in->acc2, terms * S * sizeof *in->acc2);
    sc_free(in->mem, in->vals, k * S * sizeof *in->vals);
    sc_free(in->mem, in->valsb, k * S * sizeof *in->valsb);
    sc_small_clear(in);
    memset(in, 0, sizeof *in);
}

/*
 * Validate the claim's shape and allocate the per-instance scratch: the
 * pointer arrays, the two split-eq tables (sized for round 0, the largest)
 * and the kernel's accumulators.  Tables given as inputs are borrowed; the
 * instance copies them into own_fp2 at the first fold.
 */
cairn_status sc_inst_init(sc_inst *in, const cairn_sumcheck_expr *expr, const cairn_fp2 *tau,
                          const cairn_sumcheck_input *inputs, size_t inputs_len, size_t n,
                          cairn_fp2 claim, sc_mem *mem, cairn_error *err)
{
    cairn_status st;
    memset(in, 0, sizeof *in);
    in->mem = mem;
    if ((st = cairn_sumcheck_expr_check(expr, err)) != CAIRN_OK)
        return st;
    if ((st = sc_check_n(n, err)) != CAIRN_OK)
        return st;
    in->expr = expr;
    in->tau = tau;
    in->n = n;
    in->k = expr->inputs_len;
    in->deg_g = 0;
    for (size_t t = 0; t < expr->terms_len; t++)
        if (expr->terms[t].factors_len > in->deg_g)
            in->deg_g = expr->terms[t].factors_len;
    in->degree = cairn_sumcheck_expr_degree(expr, tau != NULL);
    if (in->degree > CAIRN_SUMCHECK_MAX_DEGREE)
        return cairn_error_set(err, CAIRN_ERR_ARG, "sum-check: degree %zu (limit %u)", in->degree,
                               CAIRN_SUMCHECK_MAX_DEGREE);
    in->claim = claim;
    in->eq_prefix = cairn_fp2_one();
    size_t k = in->k, S = SC_MAX_PTS, terms = expr->terms_len;
    if (inputs != NULL && inputs_len != k)
        return cairn_error_set(err, CAIRN_ERR_ARG, "sum-check: %zu input tables for %zu inputs",
                               inputs_len, k);
    in->src_fp = sc_alloc(mem, k * sizeof *in->src_fp);
    in->src_fp2 = sc_alloc(mem, k * sizeof *in->src_fp2);
    in->own_fp = sc_alloc(mem, k * sizeof *in->own_fp);
    in->own_fp2 = sc_alloc(mem, k * sizeof *in->own_fp2);
    in->acc = sc_alloc(mem, terms * S * sizeof *in->acc);
    in->acc2 = sc_alloc(mem, terms * S * sizeof *in->acc2);
    in->vals = sc_alloc(mem, k * S * sizeof *in->vals);
    in->valsb = sc_alloc(mem, k * S * sizeof *in->valsb);
    if (tau != NULL) {
        size_t rest = n > 0 ? n - 1 : 0;
        in->ea_cap = (size_t)1 << (rest / 2);
        in->eb_cap = (size_t)1 << (rest - rest / 2);
        in->ea = sc_alloc(mem, in->ea_cap * sizeof *in->ea);
        in->eb = sc_alloc(mem, in->eb_cap * sizeof *in->eb);
        if (in->ea == NULL || in->eb == NULL)
            goto nomem;
    }
    if (in->src_fp == NULL || in->src_fp2 == NULL || in->own_fp == NULL || in->own_fp2 == NULL ||
        in->acc == NULL || in->acc2 == NULL || in->vals == NULL || in->valsb == NULL)
        goto nomem;
    for (size_t c = 0; c < k; c++) {
        in->src_fp[c] = NULL;
        in->src_fp2[c] = NULL;
        in->own_fp[c] = NULL;
        in->own_fp2[c] = NULL;
    }
    if (inputs != NULL) {
        for (size_t c = 0; c < k; c++) {
            if ((inputs[c].fp == NULL) == (inputs[c].fp2 == NULL))
                return cairn_error_set(err, CAIRN_ERR_ARG,
                                       "sum-check: input %zu must have exactly one table", c);
            if (inputs[c].small_bits > 64 || (inputs[c].small_bits > 0 && inputs[c].fp == NULL))
                return cairn_error_set(err, CAIRN_ERR_ARG,
                                       "sum-check: input %zu: small_bits %u (at most 64, base "
                                       "tables only)",
                                       c, inputs[c].small_bits);
            in->src_fp[c] = inputs[c].fp;
            in->src_fp2[c] = inputs[c].fp2;
        }
        in->has_tables = 1;
        in->len = (size_t)1 << n;
        sc_small_setup(in, inputs);
    }
    return CAIRN_OK;
nomem:
    return cairn_error_set(err, CAIRN_ERR_NOMEM, "sum-check: instance scratch");
}

void sc_plan_round(sc_plan *pl, const sc_inst *in)
{
    pl->e = in->tau != NULL ? in->deg_g : in->degree;
    pl->npts = 0;
    pl->pts[pl->npts++] = 0;
    pl->has_one = 0;
    if (in->tau != NULL && pl->e >= 1 &&
        cairn_fp2_is_zero(cairn_fp2_mul(in->eq_prefix, in->tau[in->round]))) {
        pl->has_one = 1;
        pl->pts[pl->npts++] = 1;
    }
    for (unsigned t = 2; t <= pl->e; t++)
        pl->pts[pl->npts++] = t;
}

void sc_split_eq(sc_inst *in, size_t round, size_t *a)
{
    size_t rest = in->n - round - 1;
    *a = rest / 2;
    (void)cairn_poly_eq_table(in->ea, in->tau + round + 1, rest / 2);
    (void)cairn_poly_eq_table(in->eb, in->tau + round + 1 + rest / 2, rest - rest / 2);
}

void sc_acc_zero(cairn_fp2 *acc, size_t terms_len)
{
    for (size_t i = 0; i < terms_len * SC_MAX_PTS; i++)
        acc[i] = cairn_fp2_zero();
}

void sc_fill_vals(cairn_fp2 *vals, size_t c, cairn_fp2 lo, cairn_fp2 hi, size_t e)
{
    cairn_fp2 *v = vals + c * SC_MAX_PTS;
    cairn_fp2 diff = cairn_fp2_sub(hi, lo);
    v[0] = lo;
    v[1] = hi;
    for (size_t t = 2; t <= e; t++)
        v[t] = cairn_fp2_add(v[t - 1], diff);
}

void sc_fill_vals_fp(cairn_fp *vals, size_t c, cairn_fp lo, cairn_fp hi, size_t e)
{
    cairn_fp *v = vals + c * SC_MAX_PTS;
    cairn_fp diff = cairn_fp_sub(hi, lo);
    v[0] = lo;
    v[1] = hi;
    for (size_t t = 2; t <= e; t++)
        v[t] = cairn_fp_add(v[t - 1], diff);
}

void sc_accumulate(cairn_fp2 *acc, const cairn_sumcheck_expr *expr, const sc_plan *pl,
                   const cairn_fp2 *vals, const cairn_fp2 *w)
{
    for (size_t t = 0; t < expr->terms_len; t++) {
        const cairn_sumcheck_term *tm = &expr->terms[t];
        cairn_fp2 *a = acc + t * SC_MAX_PTS;
        for (size_t p = 0; p < pl->npts; p++) {
            unsigned x = pl->pts[p];
            cairn_fp2 prod;
            if (tm->factors_len == 0) {
                prod = cairn_fp2_one();
            } else {
                prod = vals[(size_t)tm->factors[0] * SC_MAX_PTS + x];
                for (size_t u = 1; u < tm->factors_len; u++)
                    prod = cairn_fp2_mul(prod, vals[(size_t)tm->factors[u] * SC_MAX_PTS + x]);
            }
            if (w != NULL)
                prod = cairn_fp2_mul(prod, *w);
            a[p] = cairn_fp2_add(a[p], prod);
        }
    }
}

void sc_accumulate_fp(cairn_fp2 *acc, const cairn_sumcheck_expr *expr, const sc_plan *pl,
                      const cairn_fp *vals, const cairn_fp2 *w)
{
    for (size_t t = 0; t < expr->terms_len; t++) {
        const cairn_sumcheck_term *tm = &expr->terms[t];
        cairn_fp2 *a = acc + t * SC_MAX_PTS;
        for (size_t p = 0; p < pl->npts; p++) {
            unsigned x = pl->pts[p];
            cairn_fp prod;
            if (tm->factors_len == 0) {
                prod = cairn_fp_one();
            } else {
                prod = vals[(size_t)tm->factors[0] * SC_MAX_PTS + x];
                for (size_t u = 1; u < tm->factors_len; u++)
                    prod = cairn_fp_mul(prod, vals[(size_t)tm->factors[u] * SC_MAX_PTS + x]);
            }
            if (w != NULL)
                a[p] = cairn_fp2_add(a[p], cairn_fp2_mul_fp(*w, prod));
            else
                a[p].c0 = cairn_fp_add(a[p].c0, prod);
        }
    }
}

/*
 * Terms to kernel values (one coefficient multiplication per term and
 * point, per round), then to s(0..degree).  Without tau the kernel
 * polynomial is s itself and s(1) = claim - s(0).  With tau it is q:
 * q(1) = (claim - eq_prefix (1 - tau_i) q(0)) / (eq_prefix tau_i) unless the
 * plan evaluated it, q(deg g + 1) by interpolation, and
 * s(X) = eq_prefix eq(tau_i, X) q(X).
 */
void sc_assemble(cairn_fp2 *s, const sc_inst *in, const sc_plan *pl, const cairn_fp2 *acc)
{
    const cairn_sumcheck_expr *expr = in->expr;
    cairn_fp2 kv[SC_MAX_PTS];
    for (size_t p = 0; p < pl->npts; p++) {
        cairn_fp2 v = cairn_fp2_zero();
        for (size_t t = 0; t < expr->terms_len; t++) {
            cairn_fp2 a = acc[t * SC_MAX_PTS + p];
            const cairn_fp2 c = expr->terms[t].coeff;
            v = cairn_fp2_add(v, cairn_fp2_eq(c, cairn_fp2_one()) ? a : cairn_fp2_mul(c, a));
        }
        kv[p] = v;
    }
    size_t off = pl->has_one ? 0 : 1; /* kv index of point t >= 2 is t - off */
    if (in->tau == NULL) {
        size_t d = in->degree;
        s[0] = kv[0];
        s[1] = cairn_fp2_sub(in->claim, kv[0]);
        for (size_t t = 2; t <= d; t++)
            s[t] = kv[t - off];
        return;
    }
    size_t e = pl->e;
    cairn_fp2 q[SC_MAX_PTS + 1];
    cairn_fp2 tau_i = in->tau[in->round];
    q[0] = kv[0];
    if (e == 0) {
        q[1] = q[0];
    } else if (pl->has_one) {
        q[1] = kv[1];
    } else {
        cairn_fp2 a0 = cairn_fp2_mul(in->eq_prefix, cairn_fp2_sub(cairn_fp2_one(), tau_i));
        cairn_fp2 num = cairn_fp2_sub(in->claim, cairn_fp2_mul(a0, q[0]));
        cairn_fp2 den = cairn_fp2_mul(in->eq_prefix, tau_i);
        q[1] = cairn_fp2_mul(num, cairn_fp2_inv(den));
    }
    for (size_t t = 2; t <= e; t++)
        q[t] = kv[t - off];
    if (e >= 1)
        q[e + 1] = sc_interp(q, e, fp2_small(e + 1));
    for (size_t t = 0; t <= e + 1; t++)
        s[t] = cairn_fp2_mul(cairn_fp2_mul(in->eq_prefix, sc_eq1(tau_i, fp2_small(t))), q[t]);
}

/* Input c at index j of the current table, lifted to the extension. */
static inline cairn_fp2 tab_get(const sc_inst *in, size_t c, size_t j)
{
    return in->src_fp2[c] != NULL ? in->src_fp2[c][j] : cairn_fp2_from_fp(in->src_fp[c][j]);
}

/* Fewest pairs a pool chunk of a round gets. */
#define SC_PAR_MIN_PAIRS ((size_t)1 << 12)

/* One round's kernel work, cut into chunks of whole outer eq blocks. */
struct round_job {
    sc_inst *in;
    const sc_plan *pl;
    int all_base, fast;
    size_t blocks, block, chunks;
    cairn_fp2 *acc, *acc2, *vals; /* per chunk: terms*S, terms*S, k*S */
    cairn_fp *valsb;              /* per chunk: k*S */
    const cairn_fp *ea7;          /* fast path: 7 ea[jl].c1 for each jl < block */
};

/*
 * acc[t][p] += w * (product of term t's factors at point p), the weight
 * product and the sum left unreduced (delayed reduction): the factors'
 * product is formed in F_p2 (or in F_p when `valsb` is given, the weight
 * then multiplying a base element: two products, not four).
 */
static void accumulate_wide(cairn_fp2_acc *acc, const cairn_sumcheck_expr *expr, const sc_plan *pl,
                            const cairn_fp2 *vals, const cairn_fp *valsb, cairn_fp2 w)
{
    for (size_t t = 0; t < expr->terms_len; t++) {
        const cairn_sumcheck_term *tm = &expr->terms[t];
        cairn_fp2_acc *a = acc + t * SC_MAX_PTS;
        for (size_t p = 0; p < pl->npts; p++) {
            unsigned x = pl->pts[p];
            if (tm->factors_len == 0) {
                cairn_fp_acc_add(&a[p].c0, w.c0);
                cairn_fp_acc_add(&a[p].c1, w.c1);
            } else if (valsb != NULL) {
                cairn_fp prod = valsb[(size_t)tm->factors[0] * SC_MAX_PTS + x];
                for (size_t u = 1; u < tm->factors_len; u++)
                    prod = cairn_fp_mul(prod, valsb[(size_t)tm->factors[u] * SC_MAX_PTS + x]);
                cairn_fp2_acc_add_mul_fp(&a[p], w, prod);
            } else {
                cairn_fp2 prod = vals[(size_t)tm->factors[0] * SC_MAX_PTS + x];
                for (size_t u = 1; u < tm->factors_len; u++)
                    prod = cairn_fp2_mul(prod, vals[(size_t)tm->factors[u] * SC_MAX_PTS + x]);
                cairn_fp2_acc_add_mul(&a[p], prod, w);
            }
        }
    }
}

/* Zero the first terms_len * SC_MAX_PTS wide accumulators. */
static void wide_zero(cairn_fp2_acc *acc, size_t terms_len)
{
    for (size_t i = 0; i < terms_len * SC_MAX_PTS; i++)
        cairn_fp2_acc_zero(&acc[i]);
}

int sc_generic_only = 0;

/* At most this many factors take the single-product fast path. */
#define SC_FAST_FACTORS 4u

/*
 * acc += a w with w7 = 7 w.c1 given: (a0 w0 + a1 w7, a0 w1 + a1 w0), four
 * products, none reduced.  The integers differ from cairn_fp2_acc_add_mul's
 * (which forms 7 a1) but are congruent mod p, so the reduced sum is the same.
 */
CAIRN_HOT_INLINE void acc_add_mul_w7(cairn_fp2_acc *acc, cairn_fp2 a, cairn_fp2 w, cairn_fp w7)
{
    cairn_fp_acc_add_prod(&acc->c0, a.c0, w.c0);
    cairn_fp_acc_add_prod(&acc->c0, a.c1, w7);
    cairn_fp_acc_add_prod(&acc->c1, a.c0, w.c1);
    cairn_fp_acc_add_prod(&acc->c1, a.c1, w.c0);
}

/*
 * The fast path of round_chunk for the commonest claims: one term (its
 * coefficient is applied later, in sc_assemble), at most four factors,
 * with tau, every table in the base field or every table in the extension.
 * Each factor's value at X = 0 is lo; from there it walks the planned
 * points 1, 2, .., e starting at hi (= lo + (hi - lo), already loaded) and
 * adding hi - lo, one addition per factor fewer than walking from lo.
 * Products are formed in registers and accumulated unreduced with the eq
 * weight (7 ea.c1 precomputed once per round, so no multiplication by 7
 * per pair): the same field elements as the generic kernel, without its
 * per-point value arrays and expression walk.
 */
CAIRN_HOT_INLINE void round_chunk_prod_dn(const struct round_job *rj, size_t c, size_t d, size_t np)
{
    sc_inst *in = rj->in;
    const sc_plan *pl = rj->pl;
    const cairn_sumcheck_term *tm = &in->expr->terms[0];
    size_t S = SC_MAX_PTS;
    size_t h0 = rj->blocks * c / rj->chunks, h1 = rj->blocks * (c + 1) / rj->chunks;
    cairn_fp2_acc inner[SC_MAX_PTS], outer[SC_MAX_PTS];
    for (size_t p = 0; p < np; p++)
        cairn_fp2_acc_zero(&outer[p]);
    for (size_t jh = h0; jh < h1; jh++) {
        for (size_t p = 0; p < np; p++)
            cairn_fp2_acc_zero(&inner[p]);
        for (size_t jl = 0; jl < rj->block; jl++) {
            size_t j = jh * rj->block + jl;
            cairn_fp2 w = in->ea[jl];
            if (rj->all_base) {
                cairn_fp cur[SC_FAST_FACTORS] = {{0}}, df[SC_FAST_FACTORS] = {{0}};
                cairn_fp hv[SC_FAST_FACTORS] = {{0}};
                for (size_t u = 0; u < d; u++) {
                    const cairn_fp *f = in->src_fp[tm->factors[u]];
                    cur[u] = f[2 * j];
                    hv[u] = f[2 * j + 1];
                    df[u] = cairn_fp_sub(hv[u], cur[u]);
                }
                cairn_fp prod = cur[0]; /* pts[0] = 0 */
                for (size_t u = 1; u < d; u++)
                    prod = cairn_fp_mul(prod, cur[u]);
                cairn_fp2_acc_add_mul_fp(&inner[0], w, prod);
                for (size_t u = 0; u < d; u++)
                    cur[u] = hv[u]; /* at X = 1; the later points are >= 1 */
                unsigned at = 1;
                for (size_t p = 1; p < np; p++) {
                    for (; at < pl->pts[p]; at++)
                        for (size_t u = 0; u < d; u++)
                            cur[u] = cairn_fp_add(cur[u], df[u]);
                    prod = cur[0];
                    for (size_t u = 1; u < d; u++)
                        prod = cairn_fp_mul(prod, cur[u]);
                    cairn_fp2_acc_add_mul_fp(&inner[p], w, prod);
                }
            } else {
                cairn_fp w7 = rj->ea7[jl];
                cairn_fp2 cur[SC_FAST_FACTORS] = {{{0}, {0}}}, df[SC_FAST_FACTORS] = {{{0}, {0}}};
                cairn_fp2 hv[SC_FAST_FACTORS] = {{{0}, {0}}};
                for (size_t u = 0; u < d; u++) {
                    const cairn_fp2 *f = in->src_fp2[tm->factors[u]];
                    cur[u] = f[2 * j];
                    hv[u] = f[2 * j + 1];
                    df[u] = cairn_fp2_sub(hv[u], cur[u]);
                }
                cairn_fp2 prod = cur[0]; /* pts[0] = 0 */
                for (size_t u = 1; u < d; u++)
                    prod = cairn_fp2_mul(prod, cur[u]);
                acc_add_mul_w7(&inner[0], prod, w, w7);
                for (size_t u = 0; u < d; u++)
                    cur[u] = hv[u]; /* at X = 1; the later points are >= 1 */
                unsigned at = 1;
                for (size_t p = 1; p < np; p++) {
                    for (; at < pl->pts[p]; at++)
                        for (size_t u = 0; u < d; u++)
                            cur[u] = cairn_fp2_add(cur[u], df[u]);
                    prod = cur[0];
                    for (size_t u = 1; u < d; u++)
                        prod = cairn_fp2_mul(prod, cur[u]);
                    acc_add_mul_w7(&inner[p], prod, w, w7);
                }
            }
        }
        for (size_t p = 0; p < np; p++)
            cairn_fp2_acc_add_mul(&outer[p], cairn_fp2_acc_reduce(&inner[p]), in->eb[jh]);
    }
    cairn_fp2 *acc2 = rj->acc2 + c * S; /* one term */
    for (size_t p = 0; p < S; p++)
        acc2[p] = p < np ? cairn_fp2_acc_reduce(&outer[p]) : cairn_fp2_zero();
}

/*
 * The factor count and the number of points as constants in the commonest
 * cases (f1 f2, f1 f2 f3 with q(1) from the claim), so the loops unroll
 * and the accumulators can stay in registers.
 */
static void round_chunk_prod(const struct round_job *rj, size_t c)
{
    size_t d = rj->in->expr->terms[0].factors_len, np = rj->pl->npts;
    if (d == 2 && np == 2)
        round_chunk_prod_dn(rj, c, 2, 2);
    else if (d == 3 && np == 3)
        round_chunk_prod_dn(rj, c, 3, 3);
    else if (d == 1 && np == 1)
        round_chunk_prod_dn(rj, c, 1, 1);
    else
        round_chunk_prod_dn(rj, c, d, np);
}

/* Whether round_chunk_prod applies to this round (and is not switched off). */
static int fast_path_applies(const sc_inst *in, int all_base)
{
    const cairn_sumcheck_expr *e = in->expr;
    if (sc_generic_only || in->tau == NULL || e->terms_len != 1 || e->terms[0].factors_len < 1 ||
        e->terms[0].factors_len > SC_FAST_FACTORS)
        return 0;
    if (all_base)
        return 1;
    for (size_t c = 0; c < in->k; c++)
        if (in->src_fp2[c] == NULL)
            return 0;
    return 1;
}

/*
 * Pool chunk c: the blocks jh in its range.  With tau each block is an
 * inner sum over its pairs weighted by ea, kept unreduced, then reduced
 * once and multiplied by eb[jh] into an unreduced outer sum, reduced once
 * into the chunk's acc2.  Without tau the pairs are summed unweighted into
 * acc (additions only).  Base-field tables keep the factors' products in F_p.
 */
static void round_chunk(void *ctx, size_t c)
{
    const struct round_job *rj = ctx;
    if (rj->fast) {
        round_chunk_prod(rj, c);
        return;
    }
    sc_inst *in = rj->in;
    const sc_plan *pl = rj->pl;
    const cairn_sumcheck_expr *expr = in->expr;
    size_t k = in->k, terms = expr->terms_len, S = SC_MAX_PTS;
    cairn_fp2 *acc = rj->acc + c * terms * S, *acc2 = rj->acc2 + c * terms * S;
    cairn_fp2 *vals = rj->vals + c * k * S;
    cairn_fp *valsb = rj->valsb + c * k * S;
    size_t h0 = rj->blocks * c / rj->chunks, h1 = rj->blocks * (c + 1) / rj->chunks;
    cairn_fp2_acc inner[CAIRN_SUMCHECK_MAX_TERMS * SC_MAX_PTS];
    cairn_fp2_acc outer[CAIRN_SUMCHECK_MAX_TERMS * SC_MAX_PTS];
    sc_acc_zero(acc2, terms);
    sc_acc_zero(acc, terms);
    if (in->tau != NULL)
        wide_zero(outer, terms);
    for (size_t jh = h0; jh < h1; jh++) {
        if (in->tau != NULL)
            wide_zero(inner, terms);
        for (size_t jl = 0; jl < rj->block; jl++) {
            size_t j = jh * rj->block + jl;
            if (rj->all_base) {
                for (size_t q = 0; q < k; q++)
                    sc_fill_vals_fp(valsb, q, in->src_fp[q][2 * j], in->src_fp[q][2 * j + 1],
                                    pl->e);
                if (in->tau != NULL)
                    accumulate_wide(inner, expr, pl, NULL, valsb, in->ea[jl]);
                else
                    sc_accumulate_fp(acc, expr, pl, valsb, NULL);
            } else {
                for (size_t q = 0; q < k; q++)
                    sc_fill_vals(vals, q, tab_get(in, q, 2 * j), tab_get(in, q, 2 * j + 1), pl->e);
                if (in->tau != NULL)
                    accumulate_wide(inner, expr, pl, vals, NULL, in->ea[jl]);
                else
                    sc_accumulate(acc, expr, pl, vals, NULL);
            }
        }
        if (in->tau != NULL)
            for (size_t t = 0; t < terms; t++)
                for (size_t p = 0; p < pl->npts; p++) {
                    size_t ix = t * S + p;
                    cairn_fp2_acc_add_mul(&outer[ix], cairn_fp2_acc_reduce(&inner[ix]), in->eb[jh]);
                }
    }
    if (in->tau != NULL)
        for (size_t t = 0; t < terms; t++)
            for (size_t p = 0; p < pl->npts; p++)
                acc2[t * S + p] = cairn_fp2_acc_reduce(&outer[t * S + p]);
}

/*
 * The kernel over the current tables: for each pair (2j, 2j+1) fill every
 * input's values at the planned points and accumulate the terms, weighted
 * by the split eq table when there is a tau.  The pairs are cut into chunks
 * (whole outer blocks with tau; fixed ranges without) that run on the
 * thread pool with their own accumulators, added in chunk order; the chunk
 * count depends only on the table size.  If the per-chunk scratch cannot be
 * allocated the round runs as one chunk in the instance's own scratch.
 */
void sc_inst_round(cairn_fp2 *s, sc_inst *in)
{
    if (sc_small_round(s, in))
        return;
    sc_plan pl;
    sc_plan_round(&pl, in);
    const cairn_sumcheck_expr *expr = in->expr;
    size_t k = in->k, terms = expr->terms_len, pairs = in->len / 2, S = SC_MAX_PTS;
    struct round_job rj;
    rj.in = in;
    rj.pl = &pl;
    rj.all_base = 1;
    for (size_t c = 0; c < k; c++)
        if (in->src_fp[c] == NULL)
            rj.all_base = 0;
    rj.fast = fast_path_applies(in, rj.all_base);
    size_t a = 0;
    if (in->tau != NULL) {
        sc_split_eq(in, in->round, &a);
        rj.block = (size_t)1 << a;
        rj.blocks = pairs >> a;
    } else {
        /* unweighted: blocks are only the unit of cutting */
        rj.block = pairs < SC_PAR_MIN_PAIRS ? (pairs > 0 ? pairs : 1) : SC_PAR_MIN_PAIRS;
        rj.blocks = pairs / rj.block;
    }
    rj.chunks = cairn_pool_chunks(pairs, SC_PAR_MIN_PAIRS);
    if (rj.chunks > rj.blocks)
        rj.chunks = rj.blocks > 0 ? rj.blocks : 1;
    void *scratch = NULL;
    if (rj.chunks > 1)
        scratch = malloc(rj.chunks * S * ((2 * terms + k) * sizeof(cairn_fp2) + k * sizeof(cairn_fp)));
    if (scratch == NULL) {
        rj.chunks = 1;
        rj.acc = in->acc;
        rj.acc2 = in->acc2;
        rj.vals = in->vals;
        rj.valsb = in->valsb;
    } else {
        rj.acc = scratch;
        rj.acc2 = rj.acc + rj.chunks * terms * S;
        rj.vals = rj.acc2 + rj.chunks * terms * S;
        rj.valsb = (cairn_fp *)(rj.vals + rj.chunks * k * S);
    }
    cairn_fp *ea7 = NULL;
    if (rj.fast) {
        ea7 = malloc(rj.block * sizeof *ea7);
        if (ea7 == NULL) {
            rj.fast = 0; /* the generic kernel gives the same values */
        } else {
            for (size_t jl = 0; jl < rj.block; jl++)
                ea7[jl] = cairn_fp_mul_w(in->ea[jl].c1);
        }
    }
    rj.ea7 = ea7;
    cairn_pool_run(rj.chunks, round_chunk, &rj);
    /* the chunks' sums, in chunk order, into the instance's accumulator */
    cairn_fp2 *res = in->tau != NULL ? in->acc2 : in->acc;
    const cairn_fp2 *part = in->tau != NULL ? rj.acc2 : rj.acc;
    if (part != res)
        sc_acc_zero(res, terms);
    for (size_t c = 0; c < rj.chunks && part != res; c++)
        for (size_t ix = 0; ix < terms * S; ix++)
            res[ix] = cairn_fp2_add(res[ix], part[c * terms * S + ix]);
    free(scratch);
    free(ea7);
    sc_assemble(s, in, &pl, res);
}

/*
 * A round whose eq weights select one pair: the kernel on that pair alone
 * (weight 1), then the usual assembly.  The full-table kernel gives the
 * same values, since every other pair's weight is exactly 0.
 */
void sc_inst_round_pair(cairn_fp2 *s, sc_inst *in, const cairn_fp2 *pair)
{
    sc_plan pl;
    sc_plan_round(&pl, in);
    for (size_t c = 0; c < in->k; c++)
        sc_fill_vals(in->vals, c, pair[2 * c], pair[2 * c + 1], pl.e);
    sc_acc_zero(in->acc, in->expr->terms_len);
    sc_accumulate(in->acc, in->expr, &pl, in->vals, NULL);
    sc_assemble(s, in, &pl, in->acc);
}

/*
 * claim <- s(r); eq_prefix *= eq(tau_i, r); fold every table.  The first
 * fold of a borrowed (or owned base) table writes into a fresh owned
 * extension table of half the length; later folds work in place.
 */
cairn_status sc_inst_bind(sc_inst *in, const cairn_fp2 *s, cairn_fp2 r, cairn_error *err)
{
    in->claim = sc_interp(s, in->degree, r);
    if (in->tau != NULL)
        in->eq_prefix = cairn_fp2_mul(in->eq_prefix, sc_eq1(in->tau[in->round], r));
    int handled = 0;
    cairn_status st = sc_small_bind(in, r, &handled, err);
    in->round++;
    if (!in->has_tables || handled || st != CAIRN_OK)
        return st;
    size_t len = in->len, half = len / 2;
    for (size_t c = 0; c < in->k; c++) {
        if (in->own_fp2[c] != NULL) {
            cairn_poly_fold_fp2(in->own_fp2[c], len, r);
            continue;
        }
        if (c == 0)
            in->len_own = half;
        cairn_fp2 *o = sc_alloc(in->mem, half * sizeof *o);
        if (o == NULL)
            return cairn_error_set(err, CAIRN_ERR_NOMEM, "sum-check: folded table of %zu entries",
                                   half);
        if (in->src_fp[c] != NULL) {
            cairn_poly_fold_fp(o, in->src_fp[c], len, r);
        } else {
            cairn_poly_fold_fp2_into(o, in->src_fp2[c], len, r);
        }
        in->own_fp2[c] = o;
        in->src_fp2[c] = o;
        in->src_fp[c] = NULL;
        if (in->own_fp[c] != NULL) {
            sc_free(in->mem, in->own_fp[c], len * sizeof(cairn_fp));
            in->own_fp[c] = NULL;
        }
    }
    in->len = half;
    return CAIRN_OK;
}

void sc_inst_final(cairn_fp2 *evals, const sc_inst *in)
{
    for (size_t c = 0; c < in->k; c++)
        evals[c] = tab_get(in, c, 0);
}
