/*
 * test_sumcheck.c — the sum-check prover and verifier against brute force
 * over the hypercube, soundness (every tampered claim, round element and
 * final evaluation is rejected), the streaming prover against the in-memory
 * one byte for byte at every switch point and several chunkings, batching
 * with mixed sizes, claim reduction, and the strict proof encoding.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/poly.h"
#include "cairn/rows.h"
#include "cairn/sumcheck.h"
#include "tests.h"

#define MAXK 6
#define MAXN 10

/* ---- fixtures ---------------------------------------------------------------- */

/* k tables of 2^n entries; input c is base-field when base[c], kept lifted in lift[c]. */
struct tables {
    size_t n, k;
    cairn_fp *fp[MAXK];
    cairn_fp2 *fp2[MAXK];
    cairn_fp2 *lift[MAXK];
    cairn_sumcheck_input in[MAXK];
};

static void tables_free(struct tables *tb)
{
    for (size_t c = 0; c < MAXK; c++) {
        free(tb->fp[c]);
        free(tb->fp2[c]);
        free(tb->lift[c]);
    }
    memset(tb, 0, sizeof *tb);
}

/* base_mask bit c: input c in the base field. Returns 0 on allocation failure. */
static int tables_make(struct tables *tb, size_t n, size_t k, unsigned base_mask)
{
    size_t len = (size_t)1 << n;
    memset(tb, 0, sizeof *tb);
    tb->n = n;
    tb->k = k;
    for (size_t c = 0; c < k; c++) {
        tb->lift[c] = malloc(len * sizeof(cairn_fp2));
        if (tb->lift[c] == NULL)
            return 0;
        if ((base_mask >> c) & 1) {
            tb->fp[c] = malloc(len * sizeof(cairn_fp));
            if (tb->fp[c] == NULL)
                return 0;
            for (size_t j = 0; j < len; j++) {
                tb->fp[c][j] = test_rand_fp();
                tb->lift[c][j] = cairn_fp2_from_fp(tb->fp[c][j]);
            }
            tb->in[c].fp = tb->fp[c];
        } else {
            tb->fp2[c] = malloc(len * sizeof(cairn_fp2));
            if (tb->fp2[c] == NULL)
                return 0;
            for (size_t j = 0; j < len; j++)
                tb->lift[c][j] = tb->fp2[c][j] = test_rand_fp2();
            tb->in[c].fp2 = tb->fp2[c];
        }
    }
    return 1;
}

/* A random g over k inputs with up to `terms` terms of at most maxf factors. */
static void rand_expr(cairn_sumcheck_expr *e, cairn_sumcheck_term *terms, size_t k, size_t nterms,
                      size_t maxf)
{
    for (size_t t = 0; t < nterms; t++) {
        terms[t].coeff = test_rand_below(3) == 0 ? cairn_fp2_one() : test_rand_fp2();
        terms[t].factors_len = (size_t)test_rand_below(maxf + 1);
        for (size_t u = 0; u < terms[t].factors_len; u++)
            terms[t].factors[u] = (uint16_t)test_rand_below(k);
    }
    e->terms = terms;
    e->terms_len = nterms;
    e->inputs_len = k;
}

static cairn_fp2 ref_eq(size_t j, const cairn_fp2 *r, size_t n)
{
    cairn_fp2 acc = cairn_fp2_one();
    for (size_t i = 0; i < n; i++)
        acc = cairn_fp2_mul(acc, ((j >> i) & 1) ? r[i] : cairn_fp2_sub(cairn_fp2_one(), r[i]));
    return acc;
}

/* sum_x g(f(x)) [eq(tau, x)] straight from the definition. */
static cairn_fp2 ref_sum(const cairn_sumcheck_expr *e, const cairn_fp2 *tau,
                         const struct tables *tb)
{
    cairn_fp2 sum = cairn_fp2_zero(), v[MAXK];
    for (size_t x = 0; x < ((size_t)1 << tb->n); x++) {
        for (size_t c = 0; c < tb->k; c++)
            v[c] = tb->lift[c][x];
        cairn_fp2 g = cairn_sumcheck_expr_eval(e, v);
        if (tau != NULL)
            g = cairn_fp2_mul(g, ref_eq(x, tau, tb->n));
        sum = cairn_fp2_add(sum, g);
    }
    return sum;
}

/*
 * The first round polynomial from the definition:
 * s_0(t) = sum_{x'} g(f(t, x')) eq(tau_0, t) eq(tau_{>0}, x').
 */
static cairn_fp2 ref_round0(const cairn_sumcheck_expr *e, const cairn_fp2 *tau,
                            const struct tables *tb, size_t t)
{
    cairn_fp2 sum = cairn_fp2_zero(), v[MAXK];
    cairn_fp2 tt = cairn_fp2_from_fp(cairn_fp_from_u64(t));
    for (size_t x = 0; x < ((size_t)1 << (tb->n - 1)); x++) {
        for (size_t c = 0; c < tb->k; c++) {
            cairn_fp2 lo = tb->lift[c][2 * x], hi = tb->lift[c][2 * x + 1];
            v[c] = cairn_fp2_add(lo, cairn_fp2_mul(tt, cairn_fp2_sub(hi, lo)));
        }
        cairn_fp2 g = cairn_sumcheck_expr_eval(e, v);
        if (tau != NULL) {
            cairn_fp2 one = cairn_fp2_one();
            cairn_fp2 e0 =
                cairn_fp2_add(cairn_fp2_mul(cairn_fp2_sub(one, tau[0]), cairn_fp2_sub(one, tt)),
                              cairn_fp2_mul(tau[0], tt));
            g = cairn_fp2_mul(g, cairn_fp2_mul(e0, ref_eq(x, tau + 1, tb->n - 1)));
        }
        sum = cairn_fp2_add(sum, g);
    }
    return sum;
}

static void transcript_fresh(cairn_transcript *t)
{
    cairn_transcript_init(t, "cairn-test/sumcheck");
}

/* ---- known answer --------------------------------------------------------------- */

/* f = [1, 2, 3, 4] over 2 variables, g = f: s_0(X) = 4 + 2X, so the proof opens with 4. */
static void sumcheck_known_answer(void)
{
    cairn_fp tab[4] = {{1}, {2}, {3}, {4}};
    cairn_sumcheck_term term = {{{1}, {0}}, 1, {0}};
    cairn_sumcheck_expr e = {&term, 1, 1};
    cairn_sumcheck_input in = {tab, NULL, 0};
    cairn_sumcheck_proof p;
    cairn_transcript tp, tv;
    cairn_fp2 point[2], pv[2], ev, claim = cairn_fp2_from_fp(cairn_fp_make(10));
    cairn_sumcheck_proof_init(&p);
    transcript_fresh(&tp);
    tv = tp;
    CHECK_OK(cairn_sumcheck_prove(&p, point, &ev, &tp, &e, NULL, &in, 1, 2, claim, NULL));
    CHECK_EQ_U64(p.rounds, 2);
    CHECK_EQ_U64(p.degree, 1);
    CHECK_EQ_FP2(p.evals[0], cairn_fp2_from_fp(cairn_fp_make(4)));
    /* round 1: s_1(X) = f(r_0, X) = (1 + r_0) + 2X; s_1(0) = 1 + r_0 */
    CHECK_EQ_FP2(p.evals[1], cairn_fp2_add(cairn_fp2_one(), point[0]));
    CHECK_OK(cairn_sumcheck_verify_claim(pv, &tv, &p, &e, NULL, 2, claim, &ev, 1, NULL));
    CHECK_MEM_EQ(tp.state, tv.state, sizeof tp.state);
    cairn_sumcheck_proof_clear(&p);
}

/* ---- brute force ------------------------------------------------------------------ */

/*
 * Random claims, n <= 10, degree <= 4 (eq included), mixed base and
 * extension inputs: the claim from the definition is accepted, the first
 * round polynomial matches the definition, the final evaluations are the
 * tables' values at the point, and the verifier's transcript ends in the
 * prover's state.
 */
static void sumcheck_brute_force(void)
{
    unsigned long iters = test_iters / 5 + 8;
    for (unsigned long it = 0; it < iters; it++) {
        size_t n = (size_t)test_rand_below(MAXN + 1), k = 1 + (size_t)test_rand_below(4);
        int with_tau = (int)test_rand_below(2);
        cairn_sumcheck_term terms[4];
        cairn_sumcheck_expr e;
        rand_expr(&e, terms, k, 1 + (size_t)test_rand_below(4), with_tau ? 3 : 4);
        struct tables tb;
        cairn_fp2 tau[MAXN], point[MAXN], pv[MAXN], evals[MAXK], want;
        cairn_sumcheck_proof p;
        cairn_transcript tp, tv;
        cairn_error err;
        cairn_sumcheck_proof_init(&p);
        if (!CHECK(tables_make(&tb, n, k, (unsigned)test_rand_below(1u << k)))) {
            tables_free(&tb);
            return;
        }
        for (size_t i = 0; i < n; i++)
            tau[i] = test_rand_fp2();
        const cairn_fp2 *tp_tau = with_tau ? tau : NULL;
        cairn_fp2 claim = ref_sum(&e, tp_tau, &tb);
        transcript_fresh(&tp);
        tv = tp;
        CHECK_OK(cairn_sumcheck_prove(&p, point, evals, &tp, &e, tp_tau, tb.in, k, n, claim, &err));
        size_t d = cairn_sumcheck_expr_degree(&e, with_tau);
        CHECK_EQ_U64(p.degree, d);
        if (n > 0) {
            CHECK_EQ_FP2(p.evals[0], ref_round0(&e, tp_tau, &tb, 0));
            for (size_t t = 2; t <= d; t++)
                CHECK_EQ_FP2(p.evals[t - 1], ref_round0(&e, tp_tau, &tb, t));
        }
        for (size_t c = 0; c < k; c++) {
            CHECK_OK(cairn_poly_eval_fp2(&want, tb.lift[c], point, n));
            CHECK_EQ_FP2(evals[c], want);
        }
        cairn_status st =
            cairn_sumcheck_verify_claim(pv, &tv, &p, &e, tp_tau, n, claim, evals, k, &err);
        if (st != CAIRN_OK)
            FAIL("n=%zu k=%zu tau=%d: %s", n, k, with_tau, err.msg);
        CHECK_MEM_EQ(pv, point, n * sizeof *pv);
        CHECK_MEM_EQ(tp.state, tv.state, sizeof tp.state);
        cairn_sumcheck_proof_clear(&p);
        tables_free(&tb);
    }
}

/* tau with Boolean or zero coordinates forces the q(1) fallback (eq_prefix * tau_i = 0). */
static void sumcheck_degenerate_tau(void)
{
    enum { N = 6 };
    cairn_sumcheck_term terms[2] = {{{{1}, {0}}, 2, {0, 1}}, {{{5}, {0}}, 1, {1}}};
    cairn_sumcheck_expr e = {terms, 2, 2};
    struct tables tb;
    cairn_fp2 tau[N], point[N], pv[N], evals[2];
    cairn_sumcheck_proof p;
    cairn_transcript tp, tv;
    cairn_sumcheck_proof_init(&p);
    if (!CHECK(tables_make(&tb, N, 2, 1))) {
        tables_free(&tb);
        return;
    }
    for (unsigned mode = 0; mode < 3; mode++) {
        for (size_t i = 0; i < N; i++) {
            if (mode == 0)
                tau[i] = (i & 1) ? cairn_fp2_one() : cairn_fp2_zero();
            else if (mode == 1)
                tau[i] = i == 2 ? cairn_fp2_zero() : test_rand_fp2();
            else
                tau[i] = i == 3 ? cairn_fp2_one() : test_rand_fp2();
        }
        cairn_fp2 claim = ref_sum(&e, tau, &tb);
        transcript_fresh(&tp);
        tv = tp;
        CHECK_OK(cairn_sumcheck_prove(&p, point, evals, &tp, &e, tau, tb.in, 2, N, claim, NULL));
        CHECK_OK(cairn_sumcheck_verify_claim(pv, &tv, &p, &e, tau, N, claim, evals, 2, NULL));
    }
    cairn_sumcheck_proof_clear(&p);
    tables_free(&tb);
}

/* ---- zerocheck ----------------------------------------------------------------------- */

/*
 * g = a * b - c with c = a * b on every row: sum 0 with eq(tau, .), accepted.
 * One corrupted cell: the real sum is no longer 0; the prover still proves
 * the claim 0 and the verifier rejects it.
 */
static void sumcheck_zerocheck(void)
{
    enum { N = 8, LEN = 1 << N };
    cairn_sumcheck_term terms[2] = {{{{1}, {0}}, 2, {0, 1}}, {{{CAIRN_FP_P - 1}, {0}}, 1, {2}}};
    cairn_sumcheck_expr e = {terms, 2, 3};
    struct tables tb;
    cairn_fp2 tau[N], point[N], pv[N], evals[3];
    cairn_sumcheck_proof p;
    cairn_transcript tp, tv;
    cairn_error err;
    cairn_sumcheck_proof_init(&p);
    for (unsigned bad = 0; bad < 2; bad++) {
        if (!CHECK(tables_make(&tb, N, 3, 7))) {
            tables_free(&tb);
            return;
        }
        for (size_t x = 0; x < LEN; x++) {
            tb.fp[2][x] = cairn_fp_mul(tb.fp[0][x], tb.fp[1][x]);
            tb.lift[2][x] = cairn_fp2_from_fp(tb.fp[2][x]);
        }
        if (bad) {
            size_t x = (size_t)test_rand_below(LEN);
            tb.fp[2][x] = cairn_fp_add(tb.fp[2][x], cairn_fp_one());
            tb.lift[2][x] = cairn_fp2_from_fp(tb.fp[2][x]);
        }
        for (size_t i = 0; i < N; i++)
            tau[i] = test_rand_fp2();
        cairn_fp2 real = ref_sum(&e, tau, &tb);
        CHECK(cairn_fp2_is_zero(real) == !bad);
        transcript_fresh(&tp);
        tv = tp;
        CHECK_OK(cairn_sumcheck_prove(&p, point, evals, &tp, &e, tau, tb.in, 3, N, cairn_fp2_zero(),
                                      NULL));
        CHECK_STATUS(
            cairn_sumcheck_verify_claim(pv, &tv, &p, &e, tau, N, cairn_fp2_zero(), evals, 3, &err),
            bad ? CAIRN_ERR_REJECTED : CAIRN_OK);
        if (bad)
            CHECK(strstr(err.msg, "final check after round 8") != NULL);
        tables_free(&tb);
    }
    cairn_sumcheck_proof_clear(&p);
}

/* ---- soundness ------------------------------------------------------------------------- */

/*
 * For a fixed g of degree 4 with eq (every input matters): a wrong claim
 * (proved honestly from the tables, and an honest proof checked against
 * it), every round element plus one, and every final evaluation plus one
 * are all rejected.
 */
static void sumcheck_soundness(void)
{
    enum { N = 5 };
    cairn_sumcheck_term terms[3] = {
        {{{1}, {0}}, 3, {0, 1, 2}}, {{{3}, {2}}, 1, {1}}, {{{1}, {0}}, 2, {0, 0}}};
    cairn_sumcheck_expr e = {terms, 3, 3};
    struct tables tb;
    cairn_fp2 tau[N], point[N], pv[N], evals[3], bad[3];
    cairn_sumcheck_proof p;
    cairn_transcript t0, tp, tv;
    cairn_sumcheck_proof_init(&p);
    if (!CHECK(tables_make(&tb, N, 3, 5))) {
        tables_free(&tb);
        return;
    }
    for (size_t i = 0; i < N; i++)
        tau[i] = test_rand_fp2();
    for (int use_tau = 0; use_tau < 2; use_tau++) {
        const cairn_fp2 *ta = use_tau ? tau : NULL;
        cairn_fp2 claim = ref_sum(&e, ta, &tb);
        cairn_fp2 wrong = cairn_fp2_add(claim, test_rand_fp2());
        if (cairn_fp2_eq(wrong, claim))
            wrong = cairn_fp2_add(claim, cairn_fp2_one());
        transcript_fresh(&t0);
        /* honest prover, false claim */
        tp = t0;
        tv = t0;
        CHECK_OK(cairn_sumcheck_prove(&p, point, evals, &tp, &e, ta, tb.in, 3, N, wrong, NULL));
        CHECK_STATUS(cairn_sumcheck_verify_claim(pv, &tv, &p, &e, ta, N, wrong, evals, 3, NULL),
                     CAIRN_ERR_REJECTED);
        /* honest proof, verifier told a different claim */
        tp = t0;
        CHECK_OK(cairn_sumcheck_prove(&p, point, evals, &tp, &e, ta, tb.in, 3, N, claim, NULL));
        tv = t0;
        CHECK_OK(cairn_sumcheck_verify_claim(pv, &tv, &p, &e, ta, N, claim, evals, 3, NULL));
        tv = t0;
        CHECK_STATUS(cairn_sumcheck_verify_claim(pv, &tv, &p, &e, ta, N, wrong, evals, 3, NULL),
                     CAIRN_ERR_REJECTED);
        /* each round element */
        for (size_t i = 0; i < p.rounds * p.degree; i++) {
            cairn_fp2 keep = p.evals[i];
            p.evals[i] = cairn_fp2_add(keep, (i & 1) ? cairn_fp2_one() : test_rand_fp2());
            if (cairn_fp2_eq(p.evals[i], keep))
                p.evals[i] = cairn_fp2_add(keep, cairn_fp2_one());
            tv = t0;
            CHECK_STATUS(cairn_sumcheck_verify_claim(pv, &tv, &p, &e, ta, N, claim, evals, 3, NULL),
                         CAIRN_ERR_REJECTED);
            p.evals[i] = keep;
        }
        /* each final evaluation */
        for (size_t c = 0; c < 3; c++) {
            memcpy(bad, evals, sizeof bad);
            bad[c] = cairn_fp2_add(bad[c], cairn_fp2_one());
            tv = t0;
            CHECK_STATUS(cairn_sumcheck_verify_claim(pv, &tv, &p, &e, ta, N, claim, bad, 3, NULL),
                         CAIRN_ERR_REJECTED);
        }
        /* the wrong tau */
        if (use_tau) {
            cairn_fp2 tau2[N];
            memcpy(tau2, tau, sizeof tau2);
            tau2[N - 1] = cairn_fp2_add(tau2[N - 1], cairn_fp2_one());
            tv = t0;
            CHECK_STATUS(
                cairn_sumcheck_verify_claim(pv, &tv, &p, &e, tau2, N, claim, evals, 3, NULL),
                CAIRN_ERR_REJECTED);
        }
    }
    cairn_sumcheck_proof_clear(&p);
    tables_free(&tb);
}

/* ---- streaming == in memory ------------------------------------------------------------- */

/*
 * Row-major rows of width k + 2, input c in column perm[c] (the two extra
 * columns are noise the prover must not read).  For every switch point j
 * and several chunk sizes the streaming proof, point, evaluations and
 * transcript equal the in-memory prover's; passes = j + 1 and the peak
 * stays within cairn_sumcheck_stream_bytes.
 */
static void stream_case(size_t n, size_t k, const cairn_sumcheck_expr *e, int with_tau)
{
    size_t len = (size_t)1 << n, width = k + 2;
    struct tables tb;
    cairn_fp *rowtab = malloc(len * width * sizeof *rowtab);
    size_t cols[MAXK];
    cairn_fp2 tau[MAXN], pm[MAXN], ps[MAXN], em[MAXK], es[MAXK];
    cairn_sumcheck_proof p_mem, p_str;
    cairn_transcript t0, tm, ts;
    cairn_error err;
    cairn_sumcheck_proof_init(&p_mem);
    cairn_sumcheck_proof_init(&p_str);
    if (!CHECK(rowtab != NULL && tables_make(&tb, n, k, (1u << k) - 1)))
        goto out;
    for (size_t c = 0; c < k; c++)
        cols[c] = (c + 1) % width; /* inputs in columns 1.., then 0 unused when k+1 < width */
    for (size_t x = 0; x < len; x++) {
        for (size_t w = 0; w < width; w++)
            rowtab[x * width + w] = test_rand_fp();
        for (size_t c = 0; c < k; c++)
            rowtab[x * width + cols[c]] = tb.fp[c][x];
    }
    /* with_tau 2: a Boolean or mixed tau, which takes the provers' path
       that evaluates the round polynomial at 1 directly */
    for (size_t i = 0; i < n; i++)
        tau[i] = with_tau == 2 ? ((test_rand_u64() & 3) == 0
                                      ? test_rand_fp2()
                                      : cairn_fp2_from_fp(cairn_fp_make(test_rand_u64() & 1)))
                               : test_rand_fp2();
    const cairn_fp2 *ta = with_tau ? tau : NULL;
    cairn_fp2 claim = ref_sum(e, ta, &tb);
    transcript_fresh(&t0);
    tm = t0;
    CHECK_OK(cairn_sumcheck_prove(&p_mem, pm, em, &tm, e, ta, tb.in, k, n, claim, NULL));
    size_t bytes = cairn_sumcheck_proof_size(p_mem.rounds, p_mem.degree);
    static const size_t chunks[] = {0, 1, 3, 7};
    for (size_t j = 0; j <= n; j++)
        for (size_t ci = 0; ci < sizeof chunks / sizeof chunks[0]; ci++) {
            cairn_rows src;
            cairn_rows_table impl;
            cairn_sumcheck_stream_opts o = {0, j, cols, 0};
            cairn_sumcheck_stream_stats stats;
            cairn_rows_table_init(&src, &impl, rowtab, len, width, chunks[ci]);
            ts = t0;
            cairn_status st = cairn_sumcheck_prove_stream(&p_str, ps, es, &stats, &ts, e, ta, &src,
                                                          n, claim, &o, &err);
            if (st != CAIRN_OK) {
                FAIL("stream n=%zu j=%zu: %s", n, j, err.msg);
                continue;
            }
            CHECK_EQ_U64(p_str.rounds, p_mem.rounds);
            CHECK_EQ_U64(p_str.degree, p_mem.degree);
            if (p_str.rounds == p_mem.rounds && p_str.degree == p_mem.degree && bytes > 0) {
                uint8_t *bm = malloc(bytes), *bs = malloc(bytes);
                if (CHECK(bm != NULL && bs != NULL)) {
                    CHECK_OK(cairn_sumcheck_proof_encode(bm, bytes, &p_mem, NULL));
                    CHECK_OK(cairn_sumcheck_proof_encode(bs, bytes, &p_str, NULL));
                    if (!CHECK_MEM_EQ(bm, bs, bytes))
                        FAIL("  (n=%zu k=%zu tau=%d j=%zu chunk=%zu)", n, k, with_tau, j,
                             chunks[ci]);
                }
                free(bm);
                free(bs);
            }
            CHECK_MEM_EQ(ps, pm, n * sizeof *pm);
            CHECK_MEM_EQ(es, em, k * sizeof *em);
            CHECK_MEM_EQ(ts.state, tm.state, sizeof ts.state);
            CHECK_EQ_U64(stats.switch_round, j);
            CHECK_EQ_U64(stats.passes, j + 1);
            CHECK(stats.peak_bytes <= cairn_sumcheck_stream_bytes(n, k, j, e->terms_len));
        }
    /* the budget picks the fewest passes that fit */
    for (size_t j = 0; j <= n; j++) {
        cairn_rows src;
        cairn_rows_table impl;
        size_t budget = cairn_sumcheck_stream_bytes(n, k, j, e->terms_len);
        cairn_sumcheck_stream_opts o = {budget, CAIRN_SUMCHECK_SWITCH_AUTO, cols, 0};
        cairn_sumcheck_stream_stats stats;
        cairn_rows_table_init(&src, &impl, rowtab, len, width, 5);
        ts = t0;
        CHECK_OK(cairn_sumcheck_prove_stream(&p_str, ps, es, &stats, &ts, e, ta, &src, n, claim, &o,
                                             NULL));
        CHECK(stats.switch_round <= j);
        CHECK(stats.peak_bytes <= budget);
        for (size_t j2 = 0; j2 < stats.switch_round; j2++)
            CHECK(cairn_sumcheck_stream_bytes(n, k, j2, e->terms_len) > budget);
        CHECK_MEM_EQ(ts.state, tm.state, sizeof ts.state);
    }
out:
    cairn_sumcheck_proof_clear(&p_mem);
    cairn_sumcheck_proof_clear(&p_str);
    tables_free(&tb);
    free(rowtab);
}

static void sumcheck_stream_equals_memory(void)
{
    static const size_t ns[] = {0, 1, 2, 3, 5, 8, 10};
    cairn_sumcheck_term t2[1] = {{{{1}, {0}}, 2, {0, 1}}};
    cairn_sumcheck_term t3[2] = {{{{1}, {0}}, 3, {0, 1, 2}}, {{{9}, {4}}, 1, {2}}};
    cairn_sumcheck_expr e2 = {t2, 1, 2}, e3 = {t3, 2, 3};
    for (size_t a = 0; a < sizeof ns / sizeof ns[0]; a++)
        for (int tau = 0; tau < 3; tau++) {
            stream_case(ns[a], 2, &e2, tau);
            stream_case(ns[a], 3, &e3, tau);
        }
    /* random expressions */
    for (unsigned long it = 0; it < test_iters / 50 + 2; it++) {
        size_t k = 1 + (size_t)test_rand_below(4);
        cairn_sumcheck_term terms[4];
        cairn_sumcheck_expr e;
        rand_expr(&e, terms, k, 1 + (size_t)test_rand_below(4), 3);
        stream_case(1 + (size_t)test_rand_below(7), k, &e, (int)test_rand_below(2));
    }
}

/* Stops the stream at its second chunk. */
static cairn_status failing_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                                   cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    (void)src;
    (void)a;
    (void)b;
    (void)consume;
    (void)ctx;
    return cairn_error_set(err, CAIRN_ERR_IO, "test source fails");
}

static void sumcheck_stream_errors(void)
{
    enum { N = 4, LEN = 1 << N };
    cairn_fp rowtab[LEN * 2];
    cairn_sumcheck_term t2[1] = {{{{1}, {0}}, 2, {0, 1}}};
    cairn_sumcheck_expr e = {t2, 1, 2};
    cairn_sumcheck_proof p;
    cairn_fp2 point[N], evals[2];
    cairn_transcript t;
    cairn_rows src;
    cairn_rows_table impl;
    cairn_sumcheck_stream_opts o = {0, 2, NULL, 0};
    size_t badcols[2] = {0, 2};
    for (size_t i = 0; i < LEN * 2; i++)
        rowtab[i] = test_rand_fp();
    cairn_sumcheck_proof_init(&p);
    transcript_fresh(&t);
    cairn_rows_table_init(&src, &impl, rowtab, LEN - 1, 2, 0);
    CHECK_STATUS(cairn_sumcheck_prove_stream(&p, point, evals, NULL, &t, &e, NULL, &src, N,
                                             cairn_fp2_zero(), &o, NULL),
                 CAIRN_ERR_ARG);
    cairn_rows_table_init(&src, &impl, rowtab, LEN, 2, 0);
    o.switch_round = N + 1;
    CHECK_STATUS(cairn_sumcheck_prove_stream(&p, point, evals, NULL, &t, &e, NULL, &src, N,
                                             cairn_fp2_zero(), &o, NULL),
                 CAIRN_ERR_ARG);
    o.switch_round = 1;
    o.columns = badcols;
    CHECK_STATUS(cairn_sumcheck_prove_stream(&p, point, evals, NULL, &t, &e, NULL, &src, N,
                                             cairn_fp2_zero(), &o, NULL),
                 CAIRN_ERR_ARG);
    o.columns = NULL;
    o.switch_round = CAIRN_SUMCHECK_SWITCH_AUTO;
    o.mem_budget = 100;
    CHECK_STATUS(cairn_sumcheck_prove_stream(&p, point, evals, NULL, &t, &e, NULL, &src, N,
                                             cairn_fp2_zero(), &o, NULL),
                 CAIRN_ERR_LIMIT);
    /* the source's error comes back */
    src.stream = failing_stream;
    o.switch_round = 2;
    CHECK_STATUS(cairn_sumcheck_prove_stream(&p, point, evals, NULL, &t, &e, NULL, &src, N,
                                             cairn_fp2_zero(), &o, NULL),
                 CAIRN_ERR_IO);
    cairn_sumcheck_proof_clear(&p);
}

/* ---- batching ------------------------------------------------------------------------- */

/*
 * 1..4 random claims over 0..7 variables: accepted; instance j's
 * evaluations are its tables at the prefix point[0 .. n_j); a wrong claim
 * or evaluation in any instance is rejected.
 */
static void sumcheck_batch_mixed_sizes(void)
{
    enum { M = 4, N = 7 };
    for (unsigned long it = 0; it < test_iters / 20 + 4; it++) {
        size_t m = 1 + (size_t)test_rand_below(M), total = 0;
        struct tables tb[M];
        cairn_sumcheck_term terms[M][3];
        cairn_sumcheck_expr ex[M];
        cairn_sumcheck_instance inst[M];
        cairn_fp2 tau[M][N], point[N], pv[N], evals[M * MAXK], bad[M * MAXK];
        cairn_sumcheck_proof p;
        cairn_transcript t0, tp, tv;
        cairn_error err;
        int ok = 1;
        memset(tb, 0, sizeof tb);
        cairn_sumcheck_proof_init(&p);
        for (size_t j = 0; j < m; j++) {
            size_t n = (size_t)test_rand_below(N + 1), k = 1 + (size_t)test_rand_below(3);
            rand_expr(&ex[j], terms[j], k, 1 + (size_t)test_rand_below(3), 3);
            ok &= tables_make(&tb[j], n, k, (unsigned)test_rand_below(1u << k));
            for (size_t i = 0; i < n; i++)
                tau[j][i] = test_rand_fp2();
            inst[j].expr = &ex[j];
            inst[j].tau = test_rand_below(2) ? tau[j] : NULL;
            inst[j].inputs = tb[j].in;
            inst[j].n = n;
            inst[j].claim = ok ? ref_sum(&ex[j], inst[j].tau, &tb[j]) : cairn_fp2_zero();
            total += k;
        }
        if (!CHECK(ok))
            goto next;
        transcript_fresh(&t0);
        tp = t0;
        tv = t0;
        CHECK_OK(cairn_sumcheck_batch_prove(&p, point, evals, &tp, inst, m, NULL));
        cairn_status st = cairn_sumcheck_batch_verify(pv, &tv, &p, inst, m, evals, total, &err);
        if (st != CAIRN_OK)
            FAIL("batch of %zu: %s", m, err.msg);
        CHECK_MEM_EQ(tp.state, tv.state, sizeof tp.state);
        for (size_t j = 0, off = 0; j < m; j++) {
            for (size_t c = 0; c < tb[j].k; c++) {
                cairn_fp2 want;
                CHECK_OK(cairn_poly_eval_fp2(&want, tb[j].lift[c], point, tb[j].n));
                CHECK_EQ_FP2(evals[off + c], want);
            }
            off += tb[j].k;
        }
        for (size_t j = 0; j < m; j++) {
            cairn_fp2 keep = inst[j].claim;
            inst[j].claim = cairn_fp2_add(keep, cairn_fp2_one());
            tv = t0;
            CHECK_STATUS(cairn_sumcheck_batch_verify(pv, &tv, &p, inst, m, evals, total, NULL),
                         CAIRN_ERR_REJECTED);
            inst[j].claim = keep;
        }
        for (size_t c = 0; c < total; c++) {
            memcpy(bad, evals, total * sizeof *bad);
            bad[c] = cairn_fp2_add(bad[c], test_rand_fp2());
            if (cairn_fp2_eq(bad[c], evals[c]))
                continue;
            tv = t0;
            /* g may not depend on every input (random expressions): then it is accepted */
            cairn_status s2 = cairn_sumcheck_batch_verify(pv, &tv, &p, inst, m, bad, total, NULL);
            CHECK(s2 == CAIRN_ERR_REJECTED || s2 == CAIRN_OK);
        }
        for (size_t i = 0; i < p.rounds * p.degree; i++) {
            cairn_fp2 keep = p.evals[i];
            p.evals[i] = cairn_fp2_add(keep, cairn_fp2_one());
            tv = t0;
            CHECK_STATUS(cairn_sumcheck_batch_verify(pv, &tv, &p, inst, m, evals, total, NULL),
                         CAIRN_ERR_REJECTED);
            p.evals[i] = keep;
        }
        CHECK_STATUS(cairn_sumcheck_batch_verify(pv, &tv, &p, inst, m, evals, total + 1, NULL),
                     CAIRN_ERR_ARG);
    next:
        cairn_sumcheck_proof_clear(&p);
        for (size_t j = 0; j < m; j++)
            tables_free(&tb[j]);
    }
}

/* Batch of one equals nothing else but is accepted; a batch of sizes 3 and 6 with one eq instance.
 */
static void sumcheck_batch_final_values(void)
{
    struct tables a, b;
    cairn_sumcheck_term ta[1] = {{{{1}, {0}}, 2, {0, 1}}};
    cairn_sumcheck_term tbt[1] = {{{{2}, {0}}, 1, {0}}};
    cairn_sumcheck_expr ea = {ta, 1, 2}, eb = {tbt, 1, 1};
    cairn_fp2 tau[6], point[6], pv[6], evals[3];
    cairn_sumcheck_proof p;
    cairn_transcript tp, tv;
    cairn_sumcheck_proof_init(&p);
    if (!CHECK(tables_make(&a, 3, 2, 1) && tables_make(&b, 6, 1, 0))) {
        tables_free(&a);
        tables_free(&b);
        return;
    }
    for (size_t i = 0; i < 6; i++)
        tau[i] = test_rand_fp2();
    cairn_sumcheck_instance inst[2] = {{&ea, NULL, a.in, 3, ref_sum(&ea, NULL, &a)},
                                       {&eb, tau, b.in, 6, ref_sum(&eb, tau, &b)}};
    transcript_fresh(&tp);
    tv = tp;
    CHECK_OK(cairn_sumcheck_batch_prove(&p, point, evals, &tp, inst, 2, NULL));
    CHECK_EQ_U64(p.rounds, 6);
    CHECK_EQ_U64(p.degree, 2);
    CHECK_OK(cairn_sumcheck_batch_verify(pv, &tv, &p, inst, 2, evals, 3, NULL));
    CHECK_STATUS(cairn_sumcheck_batch_prove(&p, point, evals, &tp, inst, 0, NULL), CAIRN_ERR_ARG);
    cairn_sumcheck_proof_clear(&p);
    tables_free(&a);
    tables_free(&b);
}

/* The split batch's pairs, from the full tables by folding (tau past the split is bits). */
struct split_ctx {
    struct tables *tb;
    cairn_fp2 (*tau)[7];
    size_t m;
    const size_t *head, *vars, *block; /* head instances: W, table variables s, block b */
    size_t calls;
};

/*
 * The head instances' window tables from the definition (cairn_sumcheck_window_fn):
 * f_c(x) = lift[c][x + b 2^s] over s variables.
 */
static cairn_status head_window(void *ctx, size_t round, const cairn_fp2 *point,
                                cairn_fp2 **const *tables, cairn_error *err)
{
    struct split_ctx *sc = ctx;
    (void)err;
    sc->calls++;
    for (size_t j = 0; j < sc->m; j++) {
        if (tables[j] == NULL)
            continue;
        const struct tables *tb = &sc->tb[j];
        size_t W = sc->head[j], s = sc->vars[j], off = sc->block[j] << s;
        for (size_t c = 0; c < tb->k; c++)
            for (size_t x = 0; x < ((size_t)1 << s); x++) {
                size_t y = x & (((size_t)1 << W) - 1), z = x >> W;
                cairn_fp2 w = round == 0 ? ref_eq(z, sc->tau[j] + W, s - W) : ref_eq(y, point, W);
                size_t at = round == 0 ? y : z;
                tables[j][c][at] =
                    cairn_fp2_add(tables[j][c][at], cairn_fp2_mul(w, tb->lift[c][off + x]));
            }
    }
    return CAIRN_OK;
}

static cairn_status split_pair(cairn_fp2 *out, void *ctx, size_t j, size_t i,
                               const cairn_fp2 *point, cairn_error *err)
{
    struct split_ctx *sc = ctx;
    struct tables *tb = &sc->tb[j];
    size_t len = (size_t)1 << tb->n, y = 0;
    for (size_t u = i + 1; u < tb->n; u++)
        y |= (size_t)cairn_fp2_eq(sc->tau[j][u], cairn_fp2_one()) << (u - i - 1);
    cairn_fp2 *f = malloc(len * sizeof *f);
    if (f == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "test: a table");
    for (size_t c = 0; c < tb->k; c++) {
        memcpy(f, tb->lift[c], len * sizeof *f);
        for (size_t u = 0; u < i; u++)
            cairn_poly_fold_fp2(f, len >> u, point[u]);
        if (i < tb->n) {
            out[2 * c] = f[2 * y];
            out[2 * c + 1] = f[2 * y + 1];
        } else {
            out[c] = f[0];
        }
    }
    free(f);
    return CAIRN_OK;
}

/*
 * cairn_sumcheck_batch_prove_split, and _parts with head instances,
 * against cairn_sumcheck_batch_prove on the full tables: random
 * expressions, sizes and splits (0..n_j, the coordinates past the split
 * random bits), heads 1..s-1 on linear expressions (window tables from
 * the definition), true and false claims: the same proof, point,
 * evaluations and transcript state.  A split instance whose tau past the
 * split is not bits, a split without pairs, a head on a non-linear
 * expression or not below s, a head without window: ARG.
 */
static void sumcheck_batch_split_matches(void)
{
    enum { M = 4, N = 7 };
    for (unsigned long it = 0; it < test_iters / 20 + 4; it++) {
        size_t m = 1 + (size_t)test_rand_below(M), total = 0, split[M], head[M], vars[M], blk_of[M];
        struct tables tb[M];
        cairn_sumcheck_input blk_in[M][MAXK];
        cairn_fp2 *blk[M][MAXK];
        cairn_sumcheck_term terms[M][3];
        cairn_sumcheck_expr ex[M];
        cairn_sumcheck_instance inst[M], binst[M];
        cairn_fp2 tau[M][N], point[2][N], evals[2][M * MAXK];
        cairn_sumcheck_proof p[2];
        cairn_transcript t[2];
        struct split_ctx sc = {tb, tau, m, head, vars, blk_of, 0};
        size_t heads = 0;
        int ok = 1;
        memset(tb, 0, sizeof tb);
        memset(blk, 0, sizeof blk);
        cairn_sumcheck_proof_init(&p[0]);
        cairn_sumcheck_proof_init(&p[1]);
        for (size_t j = 0; j < m; j++) {
            size_t n = (size_t)test_rand_below(N + 1), k = 1 + (size_t)test_rand_below(3);
            int linear = test_rand_below(2) == 0;
            rand_expr(&ex[j], terms[j], k, 1 + (size_t)test_rand_below(3), linear ? 1 : 3);
            ok &= tables_make(&tb[j], n, k, (unsigned)test_rand_below(1u << k));
            split[j] = (size_t)test_rand_below(n + 2); /* n, n + 1: not split */
            vars[j] = split[j] < n ? split[j] : n;
            head[j] = linear && vars[j] >= 2 ? 1 + (size_t)test_rand_below(vars[j] - 1) : 0;
            heads += head[j] > 0;
            size_t b = 0;
            for (size_t i = 0; i < n; i++) {
                tau[j][i] = test_rand_fp2();
                if (i >= split[j]) {
                    tau[j][i] = test_rand_below(2) ? cairn_fp2_one() : cairn_fp2_zero();
                    b |= (size_t)cairn_fp2_eq(tau[j][i], cairn_fp2_one()) << (i - split[j]);
                }
            }
            blk_of[j] = b;
            inst[j].expr = &ex[j];
            inst[j].tau = tau[j];
            inst[j].inputs = tb[j].in;
            inst[j].n = n;
            inst[j].claim = ok ? ref_sum(&ex[j], tau[j], &tb[j]) : cairn_fp2_zero();
            if (test_rand_below(4) == 0)
                inst[j].claim = test_rand_fp2(); /* false: the same bytes all the same */
            binst[j] = inst[j];
            if (ok && split[j] < n) {
                size_t bl = (size_t)1 << split[j];
                for (size_t c = 0; c < k && ok; c++) {
                    if ((blk[j][c] = malloc(bl * sizeof *blk[j][c])) == NULL) {
                        ok = 0;
                        break;
                    }
                    memcpy(blk[j][c], tb[j].lift[c] + b * bl, bl * sizeof *blk[j][c]);
                    blk_in[j][c] = (cairn_sumcheck_input){NULL, blk[j][c], 0};
                }
                binst[j].inputs = blk_in[j];
            }
            total += k;
        }
        if (!CHECK(ok))
            goto next;
        transcript_fresh(&t[0]);
        t[1] = t[0];
        CHECK_OK(cairn_sumcheck_batch_prove(&p[0], point[0], evals[0], &t[0], inst, m, NULL));
        CHECK_OK(cairn_sumcheck_batch_prove_split(&p[1], point[1], evals[1], &t[1], binst, m, split,
                                                  split_pair, &sc, NULL));
        if (CHECK(p[0].rounds == p[1].rounds && p[0].degree == p[1].degree)) {
            CHECK_MEM_EQ(p[0].evals, p[1].evals, p[0].rounds * p[0].degree * sizeof(cairn_fp2));
            CHECK_MEM_EQ(point[0], point[1], p[0].rounds * sizeof(cairn_fp2));
        }
        CHECK_MEM_EQ(evals[0], evals[1], total * sizeof(cairn_fp2));
        CHECK_MEM_EQ(t[0].state, t[1].state, sizeof t[0].state);
        if (heads > 0) { /* the head instances without tables, from the window */
            cairn_sumcheck_instance hinst[M];
            cairn_sumcheck_batch_parts parts = {split, split_pair, head, head_window, &sc};
            for (size_t j = 0; j < m; j++) {
                hinst[j] = binst[j];
                if (head[j] > 0)
                    hinst[j].inputs = NULL;
            }
            transcript_fresh(&t[1]);
            CHECK_OK(cairn_sumcheck_batch_prove_parts(&p[1], point[1], evals[1], &t[1], hinst, m,
                                                      &parts, NULL));
            CHECK(sc.calls >= 2);
            if (CHECK(p[0].rounds == p[1].rounds && p[0].degree == p[1].degree)) {
                CHECK_MEM_EQ(p[0].evals, p[1].evals, p[0].rounds * p[0].degree * sizeof(cairn_fp2));
                CHECK_MEM_EQ(point[0], point[1], p[0].rounds * sizeof(cairn_fp2));
            }
            CHECK_MEM_EQ(evals[0], evals[1], total * sizeof(cairn_fp2));
            CHECK_MEM_EQ(t[0].state, t[1].state, sizeof t[0].state);
            for (size_t j = 0; j < m; j++) {
                if (head[j] == 0)
                    continue;
                size_t keep = head[j];
                head[j] = vars[j]; /* not below s */
                CHECK_STATUS(cairn_sumcheck_batch_prove_parts(&p[1], point[1], evals[1], &t[1],
                                                              hinst, m, &parts, NULL),
                             CAIRN_ERR_ARG);
                head[j] = keep;
                cairn_sumcheck_term two = {cairn_fp2_one(), 2, {0, 0}};
                cairn_sumcheck_expr sq = {&two, 1, ex[j].inputs_len}, *was = &ex[j];
                hinst[j].expr = &sq; /* not linear */
                CHECK_STATUS(cairn_sumcheck_batch_prove_parts(&p[1], point[1], evals[1], &t[1],
                                                              hinst, m, &parts, NULL),
                             CAIRN_ERR_ARG);
                hinst[j].expr = was;
                parts.window = NULL;
                CHECK_STATUS(cairn_sumcheck_batch_prove_parts(&p[1], point[1], evals[1], &t[1],
                                                              hinst, m, &parts, NULL),
                             CAIRN_ERR_ARG);
                break;
            }
        }
        for (size_t j = 0; j < m; j++) {
            if (split[j] >= inst[j].n)
                continue;
            cairn_fp2 keep = tau[j][inst[j].n - 1];
            tau[j][inst[j].n - 1] = test_rand_fp2();
            CHECK_STATUS(cairn_sumcheck_batch_prove_split(&p[1], point[1], evals[1], &t[1], binst,
                                                          m, split, split_pair, &sc, NULL),
                         CAIRN_ERR_ARG);
            tau[j][inst[j].n - 1] = keep;
            CHECK_STATUS(cairn_sumcheck_batch_prove_split(&p[1], point[1], evals[1], &t[1], binst,
                                                          m, split, NULL, NULL, NULL),
                         CAIRN_ERR_ARG);
            break;
        }
    next:
        cairn_sumcheck_proof_clear(&p[0]);
        cairn_sumcheck_proof_clear(&p[1]);
        for (size_t j = 0; j < m; j++) {
            tables_free(&tb[j]);
            for (size_t c = 0; c < MAXK; c++)
                free(blk[j][c]);
        }
    }
}

/* ---- claim reduction ------------------------------------------------------------------- */

static void sumcheck_reduce(void)
{
    enum { M = 4 };
    for (unsigned long it = 0; it < test_iters / 20 + 4; it++) {
        size_t n = (size_t)test_rand_below(MAXN + 1), m = 1 + (size_t)test_rand_below(M);
        struct tables tb;
        cairn_fp2 pts[M * MAXN], vals[M], point[MAXN], pv[MAXN], value;
        cairn_sumcheck_proof p;
        cairn_transcript t0, tp, tv;
        cairn_error err;
        cairn_sumcheck_proof_init(&p);
        if (!CHECK(tables_make(&tb, n, 1, (unsigned)test_rand_below(2)))) {
            tables_free(&tb);
            return;
        }
        for (size_t j = 0; j < m; j++) {
            for (size_t i = 0; i < n; i++)
                pts[j * n + i] = test_rand_fp2();
            CHECK_OK(cairn_poly_eval_fp2(&vals[j], tb.lift[0], pts + j * n, n));
        }
        transcript_fresh(&t0);
        tp = t0;
        tv = t0;
        CHECK_OK(
            cairn_sumcheck_reduce_prove(&p, point, &value, &tp, &tb.in[0], n, pts, vals, m, NULL));
        cairn_fp2 want;
        CHECK_OK(cairn_poly_eval_fp2(&want, tb.lift[0], point, n));
        CHECK_EQ_FP2(value, want);
        cairn_status st = cairn_sumcheck_reduce_verify(pv, &tv, &p, n, pts, vals, m, value, &err);
        if (st != CAIRN_OK)
            FAIL("reduce n=%zu m=%zu: %s", n, m, err.msg);
        CHECK_MEM_EQ(pv, point, n * sizeof *pv);
        CHECK_MEM_EQ(tp.state, tv.state, sizeof tp.state);
        /* a wrong output value */
        tv = t0;
        CHECK_STATUS(cairn_sumcheck_reduce_verify(pv, &tv, &p, n, pts, vals, m,
                                                  cairn_fp2_add(value, cairn_fp2_one()), NULL),
                     CAIRN_ERR_REJECTED);
        /* one false input claim: the honest prover's proof does not verify */
        size_t jb = (size_t)test_rand_below(m);
        vals[jb] = cairn_fp2_add(vals[jb], cairn_fp2_one());
        tp = t0;
        tv = t0;
        CHECK_OK(
            cairn_sumcheck_reduce_prove(&p, point, &value, &tp, &tb.in[0], n, pts, vals, m, NULL));
        CHECK_STATUS(cairn_sumcheck_reduce_verify(pv, &tv, &p, n, pts, vals, m, value, NULL),
                     CAIRN_ERR_REJECTED);
        cairn_sumcheck_proof_clear(&p);
        tables_free(&tb);
    }
}

/* ---- encoding --------------------------------------------------------------------------- */

/*
 * Round trip; the exact length only; every non-canonical element refused;
 * the wrong shape is a parse error at both decode and verify; and no
 * single-byte change of an encoded proof is accepted.
 */
static void sumcheck_proof_encoding(void)
{
    enum { N = 3 };
    cairn_sumcheck_term terms[1] = {{{{1}, {0}}, 2, {0, 1}}};
    cairn_sumcheck_expr e = {terms, 1, 2};
    struct tables tb;
    cairn_fp2 tau[N], point[N], pv[N], evals[2], exp;
    cairn_sumcheck_proof p, q;
    cairn_transcript t0, tp, tv;
    cairn_error err;
    uint8_t buf[N * 3 * 16 + 1], buf2[N * 3 * 16];
    cairn_sumcheck_proof_init(&p);
    cairn_sumcheck_proof_init(&q);
    if (!CHECK(tables_make(&tb, N, 2, 1))) {
        tables_free(&tb);
        return;
    }
    for (size_t i = 0; i < N; i++)
        tau[i] = test_rand_fp2();
    cairn_fp2 claim = ref_sum(&e, tau, &tb);
    transcript_fresh(&t0);
    tp = t0;
    CHECK_OK(cairn_sumcheck_prove(&p, point, evals, &tp, &e, tau, tb.in, 2, N, claim, NULL));
    size_t len = cairn_sumcheck_proof_size(N, 3);
    CHECK_EQ_U64(len, N * 3 * 16);
    CHECK_STATUS(cairn_sumcheck_proof_encode(buf, len + 1, &p, NULL), CAIRN_ERR_ARG);
    CHECK_OK(cairn_sumcheck_proof_encode(buf, len, &p, NULL));
    CHECK_OK(cairn_sumcheck_proof_decode(&q, buf, len, N, 3, NULL));
    CHECK_OK(cairn_sumcheck_proof_encode(buf2, len, &q, NULL));
    CHECK_MEM_EQ(buf, buf2, len);
    /* truncation, extension, wrong shape */
    CHECK_STATUS(cairn_sumcheck_proof_decode(&q, buf, len - 1, N, 3, &err), CAIRN_ERR_PARSE);
    CHECK_STATUS(cairn_sumcheck_proof_decode(&q, buf, 0, N, 3, NULL), CAIRN_ERR_PARSE);
    buf[len] = 0;
    CHECK_STATUS(cairn_sumcheck_proof_decode(&q, buf, len + 1, N, 3, NULL), CAIRN_ERR_PARSE);
    CHECK_STATUS(cairn_sumcheck_proof_decode(&q, buf, len, N + 1, 3, NULL), CAIRN_ERR_PARSE);
    CHECK_STATUS(cairn_sumcheck_proof_decode(&q, buf, len, N, 2, NULL), CAIRN_ERR_PARSE);
    CHECK_STATUS(cairn_sumcheck_proof_decode(&q, buf, len, N, 0, NULL), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_sumcheck_proof_decode(&q, buf, len, CAIRN_SUMCHECK_MAX_VARS + 1, 3, NULL),
                 CAIRN_ERR_ARG);
    /* non-canonical: each coordinate of each element set to p, and to 2^64 - 1 */
    for (size_t i = 0; i < len / 8; i++) {
        memcpy(buf2, buf, len);
        uint64_t v = (i & 1) ? CAIRN_FP_P : UINT64_MAX;
        for (int b = 0; b < 8; b++)
            buf2[i * 8 + (size_t)b] = (uint8_t)(v >> (8 * b));
        CHECK_STATUS(cairn_sumcheck_proof_decode(&q, buf2, len, N, 3, &err), CAIRN_ERR_PARSE);
        CHECK(q.evals == NULL);
    }
    CHECK(strstr(err.msg, "round 2") != NULL);
    /* the shape is checked by the verifier too */
    CHECK_OK(cairn_sumcheck_proof_decode(&q, buf, len, N, 3, NULL));
    tv = t0;
    CHECK_STATUS(cairn_sumcheck_verify(pv, &exp, &tv, &q, N, 2, claim, NULL), CAIRN_ERR_PARSE);
    q.rounds = N - 1;
    tv = t0;
    CHECK_STATUS(cairn_sumcheck_verify(pv, &exp, &tv, &q, N, 3, claim, NULL), CAIRN_ERR_PARSE);
    q.rounds = N;
    tv = t0;
    CHECK_STATUS(cairn_sumcheck_verify(pv, &exp, &tv, NULL, N, 3, claim, NULL), CAIRN_ERR_PARSE);
    /* every single-byte change: parse error or rejection, never acceptance */
    for (size_t i = 0; i < len; i++) {
        memcpy(buf2, buf, len);
        buf2[i] ^= (uint8_t)(1u << test_rand_below(8));
        cairn_status st = cairn_sumcheck_proof_decode(&q, buf2, len, N, 3, NULL);
        if (st == CAIRN_OK) {
            tv = t0;
            st = cairn_sumcheck_verify_claim(pv, &tv, &q, &e, tau, N, claim, evals, 2, NULL);
        }
        CHECK(st == CAIRN_ERR_PARSE || st == CAIRN_ERR_REJECTED);
    }
    cairn_sumcheck_proof_clear(&p);
    cairn_sumcheck_proof_clear(&q);
    cairn_sumcheck_proof_clear(NULL);
    tables_free(&tb);
}

/* ---- argument errors ----------------------------------------------------------------------- */

static void sumcheck_arg_errors(void)
{
    cairn_fp tab[4] = {{1}, {2}, {3}, {4}};
    cairn_fp2 tab2[4] = {{{1}, {0}}};
    cairn_sumcheck_term bad_term = {{{1}, {0}}, 2, {0, 3}};
    cairn_sumcheck_term big_term = {{{1}, {0}}, CAIRN_SUMCHECK_MAX_FACTORS + 1, {0}};
    cairn_sumcheck_term ok_term = {{{1}, {0}}, 1, {0}};
    cairn_sumcheck_expr bad = {&bad_term, 1, 1}, big = {&big_term, 1, 1}, ok = {&ok_term, 1, 1};
    cairn_sumcheck_input both = {tab, tab2, 0}, none = {NULL, NULL, 0}, good = {tab, NULL, 0};
    cairn_sumcheck_proof p;
    cairn_fp2 point[2], evals[1], exp;
    cairn_transcript t;
    cairn_error err;
    exp = cairn_fp2_zero();
    evals[0] = exp;
    point[0] = point[1] = exp;
    cairn_sumcheck_proof_init(&p);
    transcript_fresh(&t);
    CHECK_STATUS(cairn_sumcheck_prove(&p, point, evals, &t, &bad, NULL, &good, 1, 2, exp, &err),
                 CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "term 0 factor 1") != NULL);
    CHECK_STATUS(cairn_sumcheck_expr_check(&big, NULL), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_sumcheck_expr_check(NULL, NULL), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_sumcheck_prove(&p, point, evals, &t, &ok, NULL, &both, 1, 2, exp, NULL),
                 CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_sumcheck_prove(&p, point, evals, &t, &ok, NULL, &none, 1, 2, exp, NULL),
                 CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_sumcheck_prove(&p, point, evals, &t, &ok, NULL, &good, 2, 2, exp, NULL),
                 CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_sumcheck_prove(&p, point, evals, &t, &ok, NULL, NULL, 1, 2, exp, NULL),
                 CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_sumcheck_prove(&p, point, evals, &t, &ok, NULL, &good, 1,
                                      CAIRN_SUMCHECK_MAX_VARS + 1, exp, NULL),
                 CAIRN_ERR_ARG);
    CHECK_STATUS(
        cairn_sumcheck_verify(point, &exp, &t, &p, CAIRN_SUMCHECK_MAX_VARS + 1, 1, exp, NULL),
        CAIRN_ERR_ARG);
    CHECK_STATUS(
        cairn_sumcheck_verify(point, &exp, &t, &p, 2, CAIRN_SUMCHECK_MAX_DEGREE + 1, exp, NULL),
        CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_sumcheck_verify_final(&ok, NULL, point, 2, evals, 2, exp, NULL),
                 CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_sumcheck_reduce_prove(&p, point, &exp, &t, &good, 2, point, evals, 0, NULL),
                 CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_sumcheck_reduce_verify(point, &t, &p, 2, point, evals, 0, exp, NULL),
                 CAIRN_ERR_ARG);
    CHECK_EQ_U64(cairn_sumcheck_proof_size(SIZE_MAX / 2, 16), 0);
    CHECK_EQ_U64(cairn_sumcheck_stream_bytes(CAIRN_SUMCHECK_MAX_VARS + 1, 1, 0, 1), SIZE_MAX);
    cairn_sumcheck_proof_clear(&p);
}

int cairn_fuzz_sumcheck_proof(const uint8_t *data, size_t len);

/*
 * Drive fuzz/fuzz_sumcheck_proof.c with honest proofs (which must verify
 * when their claim is true), mutations of them (bit flips, truncation,
 * extension, a non-canonical element) and noise.
 */
static void sumcheck_fuzz_inprocess(void)
{
    enum { HDR = 3, FZN = 8 };
    static const cairn_sumcheck_term terms[4][1] = {
        {{{{1}, {0}}, 1, {0}}},
        {{{{1}, {0}}, 2, {0, 1}}},
        {{{{1}, {0}}, 3, {0, 1, 2}}},
        {{{{1}, {0}}, 2, {0, 1}}},
    };
    uint8_t in[HDR + FZN * 4 * 16 + 64];
    unsigned long rounds = test_iters + 50;
    for (unsigned long it = 0; it < rounds; it++) {
        size_t n = test_rand_below(FZN + 1), which = test_rand_below(4);
        cairn_sumcheck_expr expr = {terms[which], 1, which == 2 ? 3 : (which == 0 ? 1 : 2)};
        int has_eq = which == 3;
        size_t d = cairn_sumcheck_expr_degree(&expr, has_eq);
        /* header bytes below 128 mean "all-zero tables" to the target */
        in[0] = (uint8_t)(n + 9 * test_rand_below(14));
        in[1] = (uint8_t)(d - 1 + 5 * test_rand_below(25));
        in[2] = (uint8_t)(which + 4 * test_rand_below(32));
        size_t len = HDR;
        unsigned mode = (unsigned)(it % 4);
        if (mode == 3) {
            size_t extra = test_rand_below(sizeof in - HDR);
            test_rand_bytes(in + HDR, extra);
            len += extra;
        } else {
            /* an honest proof of a true claim 0: tables zero except what keeps the sum 0 */
            size_t tl = (size_t)1 << n;
            cairn_fp *tabs[3];
            cairn_sumcheck_input inputs[3];
            int ok = 1;
            for (size_t c = 0; c < 3; c++) {
                tabs[c] = calloc(tl, sizeof(cairn_fp));
                ok = ok && tabs[c] != NULL;
                inputs[c].fp = tabs[c];
                inputs[c].fp2 = NULL;
                inputs[c].small_bits = 0;
            }
            cairn_fp2 tau[FZN], point[FZN], evals[3];
            for (size_t i = 0; i < n; i++)
                tau[i] = cairn_fp2_from_fp(cairn_fp_make(3 + i));
            cairn_sumcheck_proof p;
            cairn_sumcheck_proof_init(&p);
            cairn_transcript t;
            cairn_transcript_init(&t, "cairn-fuzz/sumcheck");
            if (ok)
                CHECK_OK(cairn_sumcheck_prove(&p, point, evals, &t, &expr, has_eq ? tau : NULL,
                                              inputs, expr.inputs_len, n, cairn_fp2_zero(), NULL));
            size_t el = cairn_sumcheck_proof_size(n, d);
            if (ok && p.rounds == n && el <= sizeof in - HDR)
                CHECK_OK(cairn_sumcheck_proof_encode(in + HDR, el, &p, NULL));
            len += el;
            if (ok && mode == 0) {
                /* the honest proof of the true claim verifies */
                cairn_sumcheck_proof q;
                cairn_transcript tv;
                cairn_fp2 zeros[3] = {cairn_fp2_zero(), cairn_fp2_zero(), cairn_fp2_zero()};
                cairn_sumcheck_proof_init(&q);
                cairn_transcript_init(&tv, "cairn-fuzz/sumcheck");
                CHECK_OK(cairn_sumcheck_proof_decode(&q, in + HDR, el, n, d, NULL));
                CHECK_OK(cairn_sumcheck_verify_claim(point, &tv, &q, &expr, has_eq ? tau : NULL, n,
                                                     cairn_fp2_zero(), zeros, expr.inputs_len,
                                                     NULL));
                cairn_sumcheck_proof_clear(&q);
            }
            cairn_sumcheck_proof_clear(&p);
            for (size_t c = 0; c < 3; c++)
                free(tabs[c]);
            if (mode == 1 && len > HDR) {
                in[HDR + test_rand_below(len - HDR)] ^= (uint8_t)(1u << test_rand_below(8));
            } else if (mode == 2) {
                if (test_rand_u64() & 1)
                    len = HDR + test_rand_below(len - HDR + 1);
                else
                    len += test_rand_below(17);
            }
        }
        if (cairn_fuzz_sumcheck_proof(in, len) != 0) {
            FAIL("fuzz target reported a violation on round %lu (mode %u, %zu bytes)", it, mode,
                 len);
            break;
        }
    }
    CHECK(cairn_fuzz_sumcheck_proof(NULL, 0) == 0);
}

const struct test_case test_sumcheck_cases[] = {
    TEST(sumcheck_fuzz_inprocess),
    TEST(sumcheck_known_answer),
    TEST(sumcheck_brute_force),
    TEST(sumcheck_degenerate_tau),
    TEST(sumcheck_zerocheck),
    TEST(sumcheck_soundness),
    TEST(sumcheck_stream_equals_memory),
    TEST(sumcheck_stream_errors),
    TEST(sumcheck_batch_mixed_sizes),
    TEST(sumcheck_batch_final_values),
    TEST(sumcheck_batch_split_matches),
    TEST(sumcheck_reduce),
    TEST(sumcheck_proof_encoding),
    TEST(sumcheck_arg_errors),
    TEST_END,
};
