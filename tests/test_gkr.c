/*
 * test_gkr.c — fractional-sum GKR: against brute force (the root sums by
 * direct inversion, the leaf claims by multilinear evaluation of the
 * leaves) and against a slow reference prover that builds every layer
 * from the definition and proves each layer with the generic sum-check
 * engine (proof bytes must be identical); every element of a proof
 * tampered, poles, shapes, LogUp lookups with wrong multiplicities or a
 * value not in the table, and the codec.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/gkr.h"
#include "cairn/poly.h"
#include "harness.h"
#include "tests.h"

#define TMAX 8 /* instances in a random batch */

static cairn_fp2 rand_nonzero_fp2(void)
{
    cairn_fp2 v;
    do {
        v = test_rand_fp2();
    } while (cairn_fp2_is_zero(v));
    return v;
}

/* A random batch: shapes, leaves of random kinds (base, extension, p = 1). */
typedef struct {
    size_t m;
    size_t vars[TMAX];
    cairn_gkr_instance inst[TMAX];
    cairn_fp *pf[TMAX], *qf[TMAX];
    cairn_fp2 *p2[TMAX], *q2[TMAX];
} batch;

static void batch_free(batch *b)
{
    for (size_t j = 0; j < b->m; j++) {
        free(b->pf[j]);
        free(b->qf[j]);
        free(b->p2[j]);
        free(b->q2[j]);
    }
    memset(b, 0, sizeof *b);
}

/* Fill b with m instances of the given sizes; every table is owned by b. */
static void batch_make(batch *b, size_t m, const size_t *vars)
{
    memset(b, 0, sizeof *b);
    b->m = m;
    for (size_t j = 0; j < m; j++) {
        size_t len = (size_t)1 << vars[j];
        b->vars[j] = vars[j];
        b->inst[j].n = vars[j];
        unsigned kp = (unsigned)test_rand_below(3), kq = (unsigned)test_rand_below(2);
        if (kp == 0) {
            b->pf[j] = malloc(len * sizeof(cairn_fp));
            for (size_t x = 0; x < len; x++)
                b->pf[j][x] = test_rand_fp();
            b->inst[j].p.fp = b->pf[j];
        } else if (kp == 1) {
            b->p2[j] = malloc(len * sizeof(cairn_fp2));
            for (size_t x = 0; x < len; x++)
                b->p2[j][x] = test_rand_fp2();
            b->inst[j].p.fp2 = b->p2[j];
        }
        if (kq == 0) {
            b->qf[j] = malloc(len * sizeof(cairn_fp));
            for (size_t x = 0; x < len; x++) {
                cairn_fp v;
                do {
                    v = test_rand_fp();
                } while (cairn_fp_is_zero(v));
                b->qf[j][x] = v;
            }
            b->inst[j].q.fp = b->qf[j];
        } else {
            b->q2[j] = malloc(len * sizeof(cairn_fp2));
            for (size_t x = 0; x < len; x++)
                b->q2[j][x] = rand_nonzero_fp2();
            b->inst[j].q.fp2 = b->q2[j];
        }
    }
}

static cairn_fp2 input_get(cairn_sumcheck_input in, size_t x)
{
    if (in.fp2 != NULL)
        return in.fp2[x];
    if (in.fp != NULL)
        return cairn_fp2_from_fp(in.fp[x]);
    return cairn_fp2_one();
}

/* The leaf table of an instance (p or q) as an extension table (caller frees). */
static cairn_fp2 *leaf_table(const cairn_gkr_instance *in, int which)
{
    size_t len = (size_t)1 << in->n;
    cairn_fp2 *v = malloc(len * sizeof *v);
    for (size_t x = 0; x < len; x++)
        v[x] = input_get(which ? in->q : in->p, x);
    return v;
}

/*
 * Give instance j of b an extension copy of its denominators, returned for
 * the test to change (the test frees it after the batch).
 */
static cairn_fp2 *own_q(batch *b, size_t j)
{
    cairn_fp2 *q = leaf_table(&b->inst[j], 1);
    b->inst[j].q.fp = NULL;
    b->inst[j].q.fp2 = q;
    return q;
}

/* Sum of p(x)/q(x) by direct inversion (the brute-force root). */
static cairn_fp2 brute_sum(const cairn_gkr_instance *in)
{
    cairn_fp2 s = cairn_fp2_zero();
    for (size_t x = 0; x < ((size_t)1 << in->n); x++)
        s = cairn_fp2_add(s, cairn_fp2_mul(input_get(in->p, x), cairn_fp2_inv(input_get(in->q, x))));
    return s;
}

/*
 * Prove and verify a batch; check the roots against brute force and the
 * leaf claims against evaluations of the leaves at the points.
 */
static void check_batch(const batch *b)
{
    cairn_gkr_proof proof;
    cairn_fp2 pts[TMAX * 12], pe[TMAX], qe[TMAX], vpts[TMAX * 12], vpe[TMAX], vqe[TMAX];
    cairn_transcript tp, tv;
    cairn_error err;
    cairn_gkr_proof_init(&proof);
    cairn_transcript_init(&tp, "test/gkr");
    tv = tp;
    CHECK_OK(cairn_gkr_prove(&proof, pts, pe, qe, &tp, b->inst, b->m, &err));
    cairn_fp2 want = cairn_fp2_zero();
    for (size_t j = 0; j < b->m; j++)
        want = cairn_fp2_add(want, brute_sum(&b->inst[j]));
    cairn_fp2 got;
    CHECK_OK(cairn_gkr_root_sum(&got, &proof, NULL));
    CHECK_EQ_FP2(got, want);
    cairn_status st = cairn_gkr_verify(vpts, vpe, vqe, &tv, &proof, b->vars, b->m, &want, &err);
    if (st != CAIRN_OK)
        FAIL("verify: %s", err.msg);
    CHECK_MEM_EQ(tp.state, tv.state, sizeof tp.state);
    size_t off = 0;
    for (size_t j = 0; j < b->m; j++) {
        size_t n = b->vars[j];
        CHECK_MEM_EQ(pts + off, vpts + off, n * sizeof(cairn_fp2));
        CHECK_EQ_FP2(pe[j], vpe[j]);
        CHECK_EQ_FP2(qe[j], vqe[j]);
        /* the caller's discharge: p_j, q_j at point_j */
        cairn_fp2 *pt = leaf_table(&b->inst[j], 0), *qt = leaf_table(&b->inst[j], 1), v;
        CHECK_OK(cairn_poly_eval_fp2(&v, pt, vpts + off, n));
        CHECK_EQ_FP2(v, vpe[j]);
        CHECK_OK(cairn_poly_eval_fp2(&v, qt, vpts + off, n));
        CHECK_EQ_FP2(v, vqe[j]);
        free(pt);
        free(qt);
        off += n;
    }
    cairn_gkr_proof_clear(&proof);
}

/* Random batches of 1..TMAX instances of 0..7 variables. */
static void gkr_brute_force(void)
{
    unsigned long rounds = 20 + test_iters / 20;
    for (unsigned long it = 0; it < rounds; it++) {
        size_t m = 1 + test_rand_below(TMAX), vars[TMAX];
        for (size_t j = 0; j < m; j++)
            vars[j] = test_rand_below(8);
        batch b;
        batch_make(&b, m, vars);
        check_batch(&b);
        batch_free(&b);
    }
    /* fixed shapes: one instance of each size, equal sizes, sizes descending */
    static const size_t shapes[][4] = {{0, 0, 0, 0}, {1, 0, 0, 0}, {10, 0, 0, 0},
                                       {3, 3, 3, 3}, {9, 1, 4, 0}, {0, 5, 2, 8}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        batch b;
        batch_make(&b, s == 0 ? 1 : 4, shapes[s]);
        check_batch(&b);
        batch_free(&b);
    }
}

/* ---- the reference prover -------------------------------------------------------- */

/*
 * Prove a batch slowly: layers from the definition (layer k from layer k+1
 * by children y and y + 2^k), one cairn_sumcheck_prove per layer over the
 * expression sum_j c_p (P0 Q1 + P1 Q0) + c_q Q0 Q1 with eq(r, .), and the
 * transcript schedule of docs/gkr.md written out here.  Returns the proof
 * elements (caller frees) or NULL.
 */
static cairn_fp2 *reference_prove(size_t *elems_len, cairn_transcript *t, const batch *b)
{
    size_t m = b->m, N = 0;
    for (size_t j = 0; j < m; j++)
        N = b->vars[j] > N ? b->vars[j] : N;
    /* lay[j][k] = (p, q) tables of layer k, 2^k entries each */
    cairn_fp2 *lp[TMAX][16], *lq[TMAX][16];
    for (size_t j = 0; j < m; j++) {
        size_t n = b->vars[j];
        lp[j][n] = leaf_table(&b->inst[j], 0);
        lq[j][n] = leaf_table(&b->inst[j], 1);
        for (size_t k = n; k-- > 0;) {
            size_t h = (size_t)1 << k;
            lp[j][k] = malloc(h * sizeof(cairn_fp2));
            lq[j][k] = malloc(h * sizeof(cairn_fp2));
            for (size_t y = 0; y < h; y++) {
                cairn_fp2 p0 = lp[j][k + 1][y], p1 = lp[j][k + 1][y + h];
                cairn_fp2 q0 = lq[j][k + 1][y], q1 = lq[j][k + 1][y + h];
                lp[j][k][y] = cairn_fp2_add(cairn_fp2_mul(p0, q1), cairn_fp2_mul(p1, q0));
                lq[j][k][y] = cairn_fp2_mul(q0, q1);
            }
        }
    }
    size_t cap = 4096, len = 0;
    cairn_fp2 *out = malloc(cap * sizeof *out);
    cairn_fp2 cp[TMAX], cq[TMAX], r[16], point[16];
    cairn_transcript_absorb_u64(t, "gkr/count", m);
    for (size_t j = 0; j < m; j++)
        cairn_transcript_absorb_u64(t, "gkr/vars", b->vars[j]);
    for (size_t j = 0; j < m; j++) {
        out[len++] = cp[j] = lp[j][0][0];
        out[len++] = cq[j] = lq[j][0][0];
    }
    cairn_transcript_absorb_fp2_vec(t, "gkr/roots", out, 2 * m);
    for (size_t k = 0; k < N; k++) {
        size_t act[TMAX], a = 0;
        for (size_t j = 0; j < m; j++)
            if (b->vars[j] > k)
                act[a++] = j;
        cairn_fp2 coeffs[2 * TMAX], claim = cairn_fp2_zero();
        cairn_transcript_squeeze_fp2_vec(coeffs, 2 * a, t, "gkr/layer/coeffs");
        for (size_t i = 0; i < a; i++)
            claim = cairn_fp2_add(claim,
                                  cairn_fp2_add(cairn_fp2_mul(coeffs[2 * i], cp[act[i]]),
                                                cairn_fp2_mul(coeffs[2 * i + 1], cq[act[i]])));
        cairn_sumcheck_term terms[3 * TMAX];
        cairn_sumcheck_input inputs[4 * TMAX];
        size_t h = (size_t)1 << k;
        for (size_t i = 0; i < a; i++) {
            size_t j = act[i];
            uint16_t P0 = (uint16_t)(4 * i), P1 = (uint16_t)(P0 + 1), Q0 = (uint16_t)(P0 + 2),
                     Q1 = (uint16_t)(P0 + 3);
            inputs[4 * i + 0] = (cairn_sumcheck_input){NULL, lp[j][k + 1]};
            inputs[4 * i + 1] = (cairn_sumcheck_input){NULL, lp[j][k + 1] + h};
            inputs[4 * i + 2] = (cairn_sumcheck_input){NULL, lq[j][k + 1]};
            inputs[4 * i + 3] = (cairn_sumcheck_input){NULL, lq[j][k + 1] + h};
            terms[3 * i + 0] = (cairn_sumcheck_term){coeffs[2 * i], 2, {P0, Q1}};
            terms[3 * i + 1] = (cairn_sumcheck_term){coeffs[2 * i], 2, {P1, Q0}};
            terms[3 * i + 2] = (cairn_sumcheck_term){coeffs[2 * i + 1], 2, {Q0, Q1}};
        }
        cairn_sumcheck_expr expr = {terms, 3 * a, 4 * a};
        cairn_sumcheck_proof sp;
        cairn_sumcheck_proof_init(&sp);
        cairn_fp2 evals[4 * TMAX];
        CHECK_OK(cairn_sumcheck_prove(&sp, point, evals, t, &expr, r, inputs, 4 * a, k, claim,
                                      NULL));
        CHECK_EQ_U64(sp.degree, 3);
        for (size_t i = 0; i < sp.rounds * sp.degree; i++)
            out[len++] = sp.evals[i];
        cairn_sumcheck_proof_clear(&sp);
        for (size_t i = 0; i < 4 * a; i++)
            out[len++] = evals[i];
        cairn_transcript_absorb_fp2_vec(t, "gkr/layer/evals", evals, 4 * a);
        cairn_fp2 lambda = cairn_transcript_squeeze_fp2(t, "gkr/layer/lambda");
        for (size_t i = 0; i < a; i++) {
            const cairn_fp2 *e = evals + 4 * i;
            cp[act[i]] = cairn_fp2_add(e[0], cairn_fp2_mul(lambda, cairn_fp2_sub(e[1], e[0])));
            cq[act[i]] = cairn_fp2_add(e[2], cairn_fp2_mul(lambda, cairn_fp2_sub(e[3], e[2])));
        }
        memcpy(r, point, k * sizeof *r);
        r[k] = lambda;
    }
    for (size_t j = 0; j < m; j++)
        for (size_t k = 0; k <= b->vars[j]; k++) {
            free(lp[j][k]);
            free(lq[j][k]);
        }
    *elems_len = len;
    return out;
}

/* The fast prover's proof equals the reference prover's element for element. */
static void gkr_matches_reference(void)
{
    unsigned long rounds = 10 + test_iters / 50;
    for (unsigned long it = 0; it < rounds; it++) {
        size_t m = 1 + test_rand_below(TMAX), vars[TMAX];
        for (size_t j = 0; j < m; j++)
            vars[j] = test_rand_below(7);
        batch b;
        batch_make(&b, m, vars);
        cairn_transcript t1, t2;
        cairn_transcript_init(&t1, "test/gkr-ref");
        t2 = t1;
        size_t ref_len = 0;
        cairn_fp2 *ref = reference_prove(&ref_len, &t1, &b);
        cairn_gkr_proof proof;
        cairn_gkr_proof_init(&proof);
        cairn_fp2 pts[TMAX * 8], pe[TMAX], qe[TMAX];
        CHECK_OK(cairn_gkr_prove(&proof, pts, pe, qe, &t2, b.inst, m, NULL));
        CHECK_EQ_U64(proof.elems_len, ref_len);
        CHECK_EQ_U64(cairn_gkr_proof_elems(vars, m), ref_len);
        if (proof.elems_len == ref_len)
            CHECK_MEM_EQ(proof.elems, ref, ref_len * sizeof *ref);
        CHECK_MEM_EQ(t1.state, t2.state, sizeof t1.state);
        free(ref);
        cairn_gkr_proof_clear(&proof);
        batch_free(&b);
    }
}

/* ---- tampering ----------------------------------------------------------------------- */

/* Every element of a proof, changed, is rejected; so are shape changes. */
static void gkr_tamper_every_element(void)
{
    static const size_t shapes[][3] = {{3, 1, 5}, {2, 2, 0}, {4, 0, 0}};
    static const size_t counts[] = {3, 3, 1};
    for (size_t s = 0; s < 3; s++) {
        batch b;
        size_t m = counts[s];
        batch_make(&b, m, shapes[s]);
        cairn_gkr_proof proof;
        cairn_gkr_proof_init(&proof);
        cairn_fp2 pts[16], pe[3], qe[3];
        cairn_transcript t0;
        cairn_transcript_init(&t0, "test/gkr-tamper");
        cairn_transcript tp = t0;
        CHECK_OK(cairn_gkr_prove(&proof, pts, pe, qe, &tp, b.inst, m, NULL));
        size_t rejected = 0;
        for (size_t i = 0; i < proof.elems_len; i++) {
            for (int how = 0; how < 2; how++) {
                cairn_fp2 keep = proof.elems[i];
                proof.elems[i] = how == 0 ? cairn_fp2_add(keep, cairn_fp2_one())
                                          : cairn_fp2_add(keep, test_rand_fp2());
                if (cairn_fp2_eq(proof.elems[i], keep))
                    proof.elems[i] = cairn_fp2_add(keep, cairn_fp2_one());
                cairn_transcript tv = t0;
                cairn_error err;
                cairn_status st = cairn_gkr_verify(pts, pe, qe, &tv, &proof, b.vars, m, NULL, &err);
                if (st == CAIRN_ERR_REJECTED)
                    rejected++;
                else
                    FAIL("shape %zu element %zu (how %d): status %s", s, i, how,
                         cairn_status_str(st));
                proof.elems[i] = keep;
            }
        }
        CHECK_EQ_U64(rejected, 2 * proof.elems_len);
        /* and the untouched proof still verifies */
        cairn_transcript tv = t0;
        CHECK_OK(cairn_gkr_verify(pts, pe, qe, &tv, &proof, b.vars, m, NULL, NULL));
        /* the same proof for other shapes is a parse error */
        size_t other[3] = {shapes[s][0], shapes[s][1], shapes[s][2]};
        other[0] += 1;
        tv = t0;
        CHECK_STATUS(cairn_gkr_verify(pts, pe, qe, &tv, &proof, other, m, NULL, NULL),
                     CAIRN_ERR_PARSE);
        tv = t0;
        if (m > 1)
            CHECK_STATUS(cairn_gkr_verify(pts, pe, qe, &tv, &proof, b.vars, m - 1, NULL, NULL),
                         CAIRN_ERR_PARSE);
        /* a different transcript (another statement before) rejects */
        tv = t0;
        cairn_transcript_absorb_u64(&tv, "other", 1);
        CHECK_STATUS(cairn_gkr_verify(pts, pe, qe, &tv, &proof, b.vars, m, NULL, NULL),
                     CAIRN_ERR_REJECTED);
        cairn_gkr_proof_clear(&proof);
        batch_free(&b);
    }
}

/*
 * A prover that lies about its leaves (proves other tables than the
 * caller's) gets through the GKR itself, and is caught by the caller's
 * discharge of the leaf claims: the claims are the point of the protocol.
 */
static void gkr_leaf_claims_bind_leaves(void)
{
    size_t vars[2] = {5, 3};
    batch b;
    batch_make(&b, 2, vars);
    cairn_fp2 *qtrue = leaf_table(&b.inst[0], 1);
    /* the lie: one denominator changed */
    cairn_fp2 *qlie = own_q(&b, 0);
    qlie[7] = cairn_fp2_add(qlie[7], cairn_fp2_one());
    if (cairn_fp2_is_zero(qlie[7]))
        qlie[7] = cairn_fp2_one();
    cairn_gkr_proof proof;
    cairn_gkr_proof_init(&proof);
    cairn_fp2 pts[8], pe[2], qe[2];
    cairn_transcript tp, tv;
    cairn_transcript_init(&tp, "test/gkr-lie");
    tv = tp;
    CHECK_OK(cairn_gkr_prove(&proof, pts, pe, qe, &tp, b.inst, 2, NULL));
    CHECK_OK(cairn_gkr_verify(pts, pe, qe, &tv, &proof, vars, 2, NULL, NULL));
    cairn_fp2 v;
    CHECK_OK(cairn_poly_eval_fp2(&v, qtrue, pts, 5));
    CHECK(!cairn_fp2_eq(v, qe[0]));
    free(qtrue);
    free(qlie);
    cairn_gkr_proof_clear(&proof);
    batch_free(&b);
}

/* A zero leaf denominator: the prover refuses, naming it; a zero root is rejected. */
static void gkr_poles(void)
{
    size_t vars[2] = {4, 2};
    batch b;
    batch_make(&b, 2, vars);
    cairn_fp2 *q = own_q(&b, 1);
    q[3] = cairn_fp2_zero();
    cairn_gkr_proof proof;
    cairn_gkr_proof_init(&proof);
    cairn_fp2 pts[8], pe[2], qe[2];
    cairn_transcript t;
    cairn_transcript_init(&t, "test/gkr-pole");
    cairn_error err;
    CHECK_STATUS(cairn_gkr_prove(&proof, pts, pe, qe, &t, b.inst, 2, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "instance 1") != NULL && strstr(err.msg, "leaf 3") != NULL);
    q[3] = cairn_fp2_one();
    cairn_transcript_init(&t, "test/gkr-pole");
    cairn_transcript t0 = t;
    CHECK_OK(cairn_gkr_prove(&proof, pts, pe, qe, &t, b.inst, 2, NULL));
    /* a forged root with denominator zero */
    proof.elems[3] = cairn_fp2_zero();
    t = t0;
    CHECK_STATUS(cairn_gkr_verify(pts, pe, qe, &t, &proof, vars, 2, NULL, &err),
                 CAIRN_ERR_REJECTED);
    CHECK(strstr(err.msg, "pole") != NULL);
    cairn_fp2 sum;
    CHECK_STATUS(cairn_gkr_root_sum(&sum, &proof, NULL), CAIRN_ERR_REJECTED);
    free(q);
    cairn_gkr_proof_clear(&proof);
    batch_free(&b);
}

/*
 * LogUp through the GKR: lookups f(x) into a table t with multiplicities
 * m, as two instances (1 / (alpha - f)) and (-m / (alpha - t)) whose roots
 * must sum to zero.  Honest: accepted.  A wrong multiplicity, or a looked-up
 * value missing from the table: the root sum is not zero, rejected.
 */
static void gkr_logup_multiplicities(void)
{
    enum { NF = 7, NT = 4 };
    size_t F = (size_t)1 << NF, T = (size_t)1 << NT;
    for (int mode = 0; mode < 3; mode++) {
        cairn_fp f[1 << NF], tab[1 << NT], mult[1 << NT];
        for (size_t b = 0; b < T; b++) {
            tab[b] = cairn_fp_make(1000 + 3 * b);
            mult[b] = cairn_fp_zero();
        }
        for (size_t x = 0; x < F; x++) {
            size_t b = test_rand_below(T);
            f[x] = tab[b];
            mult[b] = cairn_fp_add(mult[b], cairn_fp_one());
        }
        if (mode == 1) /* one multiplicity off by one */
            mult[5] = cairn_fp_add(mult[5], cairn_fp_one());
        if (mode == 2) /* a looked-up value not in the table */
            f[9] = cairn_fp_make(999);
        cairn_transcript t;
        cairn_transcript_init(&t, "test/logup");
        cairn_transcript_absorb_fp_vec(&t, "mult", mult, T);
        cairn_fp2 alpha = cairn_transcript_squeeze_fp2(&t, "alpha");
        cairn_fp2 qa[1 << NF], pb[1 << NT], qb[1 << NT];
        for (size_t x = 0; x < F; x++)
            qa[x] = cairn_fp2_sub(alpha, cairn_fp2_from_fp(f[x]));
        for (size_t b = 0; b < T; b++) {
            pb[b] = cairn_fp2_neg(cairn_fp2_from_fp(mult[b]));
            qb[b] = cairn_fp2_sub(alpha, cairn_fp2_from_fp(tab[b]));
        }
        cairn_gkr_instance inst[2] = {{NF, {NULL, NULL}, {NULL, qa}}, {NT, {NULL, pb}, {NULL, qb}}};
        size_t vars[2] = {NF, NT};
        cairn_gkr_proof proof;
        cairn_gkr_proof_init(&proof);
        cairn_fp2 pts[NF + NT], pe[2], qe[2], zero = cairn_fp2_zero();
        cairn_transcript tv = t;
        CHECK_OK(cairn_gkr_prove(&proof, pts, pe, qe, &t, inst, 2, NULL));
        cairn_error err;
        cairn_status st = cairn_gkr_verify(pts, pe, qe, &tv, &proof, vars, 2, &zero, &err);
        CHECK_STATUS(st, mode == 0 ? CAIRN_OK : CAIRN_ERR_REJECTED);
        if (mode != 0)
            CHECK(strstr(err.msg, "sum") != NULL);
        cairn_gkr_proof_clear(&proof);
    }
}

/* ---- codec ---------------------------------------------------------------------------- */

/* Round trip, exact sizes, truncation, extension, non-canonical elements, limits. */
static void gkr_codec(void)
{
    size_t vars[3] = {3, 0, 2};
    batch b;
    batch_make(&b, 3, vars);
    cairn_gkr_proof proof, back;
    cairn_gkr_proof_init(&proof);
    cairn_gkr_proof_init(&back);
    cairn_fp2 pts[8], pe[3], qe[3];
    cairn_transcript t;
    cairn_transcript_init(&t, "test/gkr-codec");
    CHECK_OK(cairn_gkr_prove(&proof, pts, pe, qe, &t, b.inst, 3, NULL));
    /* 2*3 roots; layer 0: 0 rounds + 4*2; layer 1: 3 + 4*2; layer 2: 6 + 4*1 */
    CHECK_EQ_U64(cairn_gkr_proof_elems(vars, 3), 6 + 8 + 11 + 10);
    size_t len = cairn_gkr_proof_size(vars, 3);
    CHECK_EQ_U64(len, 35 * 16);
    uint8_t *buf = malloc(len + 16);
    CHECK_OK(cairn_gkr_proof_encode(buf, len, &proof, NULL));
    CHECK_STATUS(cairn_gkr_proof_encode(buf, len - 1, &proof, NULL), CAIRN_ERR_ARG);
    CHECK_OK(cairn_gkr_proof_decode(&back, buf, len, vars, 3, NULL));
    CHECK_EQ_U64(back.elems_len, proof.elems_len);
    CHECK_MEM_EQ(back.elems, proof.elems, proof.elems_len * sizeof(cairn_fp2));
    cairn_error err;
    CHECK_STATUS(cairn_gkr_proof_decode(&back, buf, len - 1, vars, 3, &err), CAIRN_ERR_PARSE);
    CHECK_STATUS(cairn_gkr_proof_decode(&back, buf, len + 16, vars, 3, &err), CAIRN_ERR_PARSE);
    /* a coordinate >= p in layer 1's round 0 (element 14) */
    uint8_t keep[8];
    memcpy(keep, buf + 14 * 16 + 8, 8);
    memset(buf + 14 * 16 + 8, 0xff, 8);
    CHECK_STATUS(cairn_gkr_proof_decode(&back, buf, len, vars, 3, &err), CAIRN_ERR_PARSE);
    CHECK(strstr(err.msg, "layer 1 round 0") != NULL);
    memcpy(buf + 14 * 16 + 8, keep, 8);
    memset(buf + 16, 0xff, 8);
    CHECK_STATUS(cairn_gkr_proof_decode(&back, buf, len, vars, 3, &err), CAIRN_ERR_PARSE);
    CHECK(strstr(err.msg, "root denominator of instance 0") != NULL);
    /* limits */
    size_t big[1] = {CAIRN_GKR_MAX_VARS + 1};
    CHECK_EQ_U64(cairn_gkr_proof_size(big, 1), 0);
    CHECK_EQ_U64(cairn_gkr_proof_size(vars, 0), 0);
    CHECK_STATUS(cairn_gkr_proof_decode(&back, buf, len, big, 1, NULL), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_gkr_proof_decode(&back, buf, len, vars, 0, NULL), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_gkr_prove(&back, pts, pe, qe, &t, b.inst, 0, NULL), CAIRN_ERR_ARG);
    cairn_gkr_instance bad = b.inst[0];
    bad.q.fp = NULL;
    bad.q.fp2 = NULL;
    CHECK_STATUS(cairn_gkr_prove(&back, pts, pe, qe, &t, &bad, 1, NULL), CAIRN_ERR_ARG);
    free(buf);
    cairn_gkr_proof_clear(&proof);
    cairn_gkr_proof_clear(&back);
    cairn_gkr_proof_clear(NULL);
    batch_free(&b);
}

int cairn_fuzz_gkr_proof(const uint8_t *data, size_t len);

/*
 * Drive fuzz/fuzz_gkr_proof.c with honest proofs (which must verify, with
 * the zero-sum check when their roots sum to zero), mutations of them (bit
 * flips, truncation, extension, a non-canonical element) and noise.
 */
static void gkr_fuzz_inprocess(void)
{
    enum { HDR = 6 };
    uint8_t in[HDR + 4096];
    unsigned long rounds = 50 + test_iters / 4;
    for (unsigned long it = 0; it < rounds; it++) {
        size_t m = 1 + test_rand_below(4), vars[4];
        in[0] = (uint8_t)(m - 1 + 4 * test_rand_below(64));
        for (size_t j = 0; j < 4; j++) {
            vars[j] = test_rand_below(6);
            in[1 + j] = (uint8_t)(vars[j] + 6 * test_rand_below(42));
        }
        unsigned mode = (unsigned)(it % 5);
        size_t len = HDR;
        if (mode == 4) {
            size_t extra = test_rand_below(sizeof in - HDR);
            test_rand_bytes(in + HDR, extra);
            len += extra;
            in[5] = (uint8_t)test_rand_u64();
        } else {
            batch b;
            batch_make(&b, m, vars);
            /* mode 0: a batch whose roots sum to zero (the last instance cancels the rest) */
            cairn_fp2 *negp = NULL;
            if (mode == 0 && m > 1) {
                cairn_fp2 s = cairn_fp2_zero();
                for (size_t j = 0; j + 1 < m; j++)
                    s = cairn_fp2_add(s, brute_sum(&b.inst[j]));
                /* last instance: p = -s * q(0) at leaf 0, 0 elsewhere */
                size_t len_last = (size_t)1 << vars[m - 1];
                negp = calloc(len_last, sizeof *negp);
                cairn_fp2 q0 = input_get(b.inst[m - 1].q, 0);
                negp[0] = cairn_fp2_neg(cairn_fp2_mul(s, q0));
                b.inst[m - 1].p.fp = NULL;
                b.inst[m - 1].p.fp2 = negp;
            }
            in[5] = (uint8_t)(mode == 0 && m > 1);
            cairn_gkr_proof proof;
            cairn_gkr_proof_init(&proof);
            cairn_fp2 pts[20], pe[4], qe[4];
            cairn_transcript t;
            cairn_transcript_init(&t, "cairn-fuzz/gkr");
            CHECK_OK(cairn_gkr_prove(&proof, pts, pe, qe, &t, b.inst, m, NULL));
            size_t el = cairn_gkr_proof_size(vars, m);
            if (el <= sizeof in - HDR && proof.elems != NULL) {
                CHECK_OK(cairn_gkr_proof_encode(in + HDR, el, &proof, NULL));
                len += el;
            }
            if (mode == 0) {
                cairn_gkr_proof back;
                cairn_gkr_proof_init(&back);
                cairn_transcript_init(&t, "cairn-fuzz/gkr");
                cairn_fp2 zero = cairn_fp2_zero();
                CHECK_OK(cairn_gkr_proof_decode(&back, in + HDR, len - HDR, vars, m, NULL));
                CHECK_OK(cairn_gkr_verify(pts, pe, qe, &t, &back, vars, m, m > 1 ? &zero : NULL,
                                          NULL));
                cairn_gkr_proof_clear(&back);
            }
            cairn_gkr_proof_clear(&proof);
            free(negp);
            batch_free(&b);
            if (mode == 1) {
                in[HDR + test_rand_below(len - HDR)] ^= (uint8_t)(1u << test_rand_below(8));
            } else if (mode == 2) {
                if (test_rand_u64() & 1)
                    len = HDR + test_rand_below(len - HDR + 1);
                else
                    len += test_rand_below(17);
            } else if (mode == 3) {
                memset(in + HDR + 16 * test_rand_below((len - HDR) / 16), 0xff, 8);
            }
        }
        if (cairn_fuzz_gkr_proof(in, len) != 0) {
            FAIL("fuzz target reported a violation on round %lu (mode %u, %zu bytes)", it, mode,
                 len);
            break;
        }
    }
    CHECK(cairn_fuzz_gkr_proof(NULL, 0) == 0);
}

const struct test_case test_gkr_cases[] = {
    TEST(gkr_brute_force),
    TEST(gkr_matches_reference),
    TEST(gkr_tamper_every_element),
    TEST(gkr_leaf_claims_bind_leaves),
    TEST(gkr_poles),
    TEST(gkr_logup_multiplicities),
    TEST(gkr_codec),
    TEST(gkr_fuzz_inprocess),
    TEST_END,
};
