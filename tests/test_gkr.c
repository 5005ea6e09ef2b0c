/*
 * test_gkr.c — fractional-sum GKR: against brute force (the root sums by
 * direct inversion, the leaf claims by multilinear evaluation of the
 * leaves) and against a slow reference prover that builds every layer
 * from the definition and proves each layer with the generic sum-check
 * engine (proof bytes must be identical); every element of a proof
 * tampered, poles, shapes, LogUp lookups with wrong multiplicities or a
 * value not in the table, and the codec.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/gkr.h"
#include "cairn/pool.h"
#include "cairn/poly.h"
#include "harness.h"
#include "tests.h"

#define TMAX 8 /* instances in a random batch */

/*
 * 1, 2, 3 or 8 threads, also set as the library pool's size (the prover's
 * loops run on it): the proofs must not depend on it.
 */
static unsigned test_threads(void)
{
    static const unsigned ths[] = {1, 2, 3, 8};
    unsigned t = ths[test_rand_below(4)];
    (void)cairn_pool_set_threads(t, NULL);
    return t;
}

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

/* A random batch of 1..TMAX instances of 0..maxv-1 variables. */
static void batch_random(batch *b, size_t maxv)
{
    size_t m = 1 + test_rand_below(TMAX), vars[TMAX];
    for (size_t j = 0; j < m; j++)
        vars[j] = test_rand_below(maxv);
    batch_make(b, m, vars);
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
    CHECK_OK(cairn_gkr_prove(&proof, pts, pe, qe, &tp, b->inst, b->m, test_threads(), &err));
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
        batch b;
        batch_random(&b, 8);
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
 * by children 2y and 2y + 1), one cairn_sumcheck_prove per layer over the
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
                cairn_fp2 p0 = lp[j][k + 1][2 * y], p1 = lp[j][k + 1][2 * y + 1];
                cairn_fp2 q0 = lq[j][k + 1][2 * y], q1 = lq[j][k + 1][2 * y + 1];
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
        cairn_fp2 *split[4 * TMAX];
        size_t h = (size_t)1 << k;
        for (size_t i = 0; i < a; i++) {
            size_t j = act[i];
            uint16_t P0 = (uint16_t)(4 * i), P1 = (uint16_t)(P0 + 1), Q0 = (uint16_t)(P0 + 2),
                     Q1 = (uint16_t)(P0 + 3);
            /* the even and odd children of layer k + 1, as four tables */
            for (size_t u = 0; u < 4; u++) {
                const cairn_fp2 *child = u < 2 ? lp[j][k + 1] : lq[j][k + 1];
                split[4 * i + u] = malloc(h * sizeof(cairn_fp2));
                for (size_t y = 0; y < h; y++)
                    split[4 * i + u][y] = child[2 * y + (u & 1)];
                inputs[4 * i + u] = (cairn_sumcheck_input){NULL, split[4 * i + u], 0};
            }
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
        for (size_t i = 0; i < 4 * a; i++) {
            out[len++] = evals[i];
            free(split[i]);
        }
        cairn_transcript_absorb_fp2_vec(t, "gkr/layer/evals", evals, 4 * a);
        cairn_fp2 lambda = cairn_transcript_squeeze_fp2(t, "gkr/layer/lambda");
        for (size_t i = 0; i < a; i++) {
            const cairn_fp2 *e = evals + 4 * i;
            cp[act[i]] = cairn_fp2_add(e[0], cairn_fp2_mul(lambda, cairn_fp2_sub(e[1], e[0])));
            cq[act[i]] = cairn_fp2_add(e[2], cairn_fp2_mul(lambda, cairn_fp2_sub(e[3], e[2])));
        }
        memcpy(r + 1, point, k * sizeof *r);
        r[0] = lambda;
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
        batch b;
        batch_random(&b, 7);
        size_t m = b.m, *vars = b.vars;
        cairn_transcript t1, t2;
        cairn_transcript_init(&t1, "test/gkr-ref");
        t2 = t1;
        size_t ref_len = 0;
        cairn_fp2 *ref = reference_prove(&ref_len, &t1, &b);
        cairn_gkr_proof proof;
        cairn_gkr_proof_init(&proof);
        cairn_fp2 pts[TMAX * 8], pe[TMAX], qe[TMAX];
        CHECK_OK(cairn_gkr_prove(&proof, pts, pe, qe, &t2, b.inst, m, test_threads(), NULL));
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

/*
 * The prover's test hooks (src/gkr/gkr_internal.h): sum h(1) in every
 * round; the fewest pairs (rows, streamed) of a piece of a round's sums.
 */
extern int cairn_gkr_debug_direct_h1;
extern size_t cairn_gkr_debug_piece_rows;

/*
 * Prove random batches twice, the second time with the hooks set (h(1)
 * summed directly when h1; pieces of 1 to 4 pairs when pieces), on 1, 2, 3
 * or 8 threads: the same proof and transcript, byte for byte.
 */
static void same_proof_under_hooks(int h1, int pieces)
{
    unsigned long rounds = 5 + test_iters / 100;
    for (unsigned long it = 0; it < rounds; it++) {
        batch b;
        batch_random(&b, 8);
        size_t m = b.m;
        cairn_gkr_proof p1, p2;
        cairn_gkr_proof_init(&p1);
        cairn_gkr_proof_init(&p2);
        cairn_fp2 pts[TMAX * 8], pe[TMAX], qe[TMAX];
        cairn_transcript t1, t2;
        cairn_transcript_init(&t1, "test/gkr-h1");
        t2 = t1;
        CHECK_OK(cairn_gkr_prove(&p1, pts, pe, qe, &t1, b.inst, m, test_threads(), NULL));
        cairn_gkr_debug_direct_h1 = h1;
        cairn_gkr_debug_piece_rows = pieces ? 1 + test_rand_below(4) : 0;
        CHECK_OK(cairn_gkr_prove(&p2, pts, pe, qe, &t2, b.inst, m, test_threads(), NULL));
        cairn_gkr_debug_direct_h1 = 0;
        cairn_gkr_debug_piece_rows = 0;
        CHECK_EQ_U64(p1.elems_len, p2.elems_len);
        if (p1.elems_len == p2.elems_len)
            CHECK_MEM_EQ(p1.elems, p2.elems, p1.elems_len * sizeof(cairn_fp2));
        CHECK_MEM_EQ(t1.state, t2.state, sizeof t1.state);
        cairn_gkr_proof_clear(&p1);
        cairn_gkr_proof_clear(&p2);
        batch_free(&b);
    }
}

/*
 * Rounds that derive h(1) from the claim and rounds that sum it give the
 * same proofs (the derivation is the fast path; the direct sum is taken
 * when scale * r_i is zero, which no test can force through the transcript).
 */
static void gkr_derived_h1_equals_direct(void) { same_proof_under_hooks(1, 0); }

/*
 * The in-memory rounds cut each instance's pairs into pieces on the pool
 * (gkr_layer_rounds): pieces of a few pairs give the proof of the default
 * cut byte for byte.
 */
static void gkr_round_pieces_same_proof(void) { same_proof_under_hooks(0, 1); }

/*
 * Instances large enough for the prover to start threads (at least
 * GKR_PAR_MIN entries per round): 1, 2 and 3 threads give one proof.
 */
static void gkr_threads_same_proof(void)
{
    size_t vars[3] = {13, 12, 13};
    batch b;
    batch_make(&b, 3, vars);
    cairn_gkr_proof p[3];
    cairn_fp2 pts[40], pe[3], qe[3];
    for (unsigned th = 0; th < 3; th++) {
        cairn_gkr_proof_init(&p[th]);
        cairn_transcript t;
        cairn_transcript_init(&t, "test/gkr-threads");
        CHECK_OK(cairn_gkr_prove(&p[th], pts, pe, qe, &t, b.inst, 3, th + 1, NULL));
    }
    for (unsigned th = 1; th < 3; th++) {
        CHECK_EQ_U64(p[th].elems_len, p[0].elems_len);
        if (p[th].elems_len == p[0].elems_len)
            CHECK_MEM_EQ(p[th].elems, p[0].elems, p[0].elems_len * sizeof(cairn_fp2));
    }
    for (unsigned th = 0; th < 3; th++)
        cairn_gkr_proof_clear(&p[th]);
    batch_free(&b);
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
        CHECK_OK(cairn_gkr_prove(&proof, pts, pe, qe, &tp, b.inst, m, test_threads(), NULL));
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
    CHECK_OK(cairn_gkr_prove(&proof, pts, pe, qe, &tp, b.inst, 2, test_threads(), NULL));
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
    CHECK_STATUS(cairn_gkr_prove(&proof, pts, pe, qe, &t, b.inst, 2, test_threads(), &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "instance 1") != NULL && strstr(err.msg, "leaf 3") != NULL);
    q[3] = cairn_fp2_one();
    cairn_transcript_init(&t, "test/gkr-pole");
    cairn_transcript t0 = t;
    CHECK_OK(cairn_gkr_prove(&proof, pts, pe, qe, &t, b.inst, 2, test_threads(), NULL));
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
        cairn_gkr_instance inst[2] = {{NF, {NULL, NULL, 0}, {NULL, qa, 0}},
                                      {NT, {NULL, pb, 0}, {NULL, qb, 0}}};
        size_t vars[2] = {NF, NT};
        cairn_gkr_proof proof;
        cairn_gkr_proof_init(&proof);
        cairn_fp2 pts[NF + NT], pe[2], qe[2], zero = cairn_fp2_zero();
        cairn_transcript tv = t;
        CHECK_OK(cairn_gkr_prove(&proof, pts, pe, qe, &t, inst, 2, test_threads(), NULL));
        cairn_error err;
        cairn_status st = cairn_gkr_verify(pts, pe, qe, &tv, &proof, vars, 2, &zero, &err);
        CHECK_STATUS(st, mode == 0 ? CAIRN_OK : CAIRN_ERR_REJECTED);
        if (mode != 0)
            CHECK(strstr(err.msg, "sum") != NULL);
        cairn_gkr_proof_clear(&proof);
    }
}

/* ---- streaming ----------------------------------------------------------------------- */

/*
 * The streaming prover against the in-memory one on the leaves the same
 * row instances define: identical proof, outputs and transcript for every
 * budget from the smallest that fits to one that holds everything, several
 * chunkings of the source; the passes grow as the budget shrinks.
 */
static void gkr_stream_equals_memory(void)
{
    enum { W = 3, NMAX = 7 };
    unsigned long rounds = 3 + test_iters / 200;
    for (unsigned long it = 0; it < rounds; it++) {
        size_t m = 1 + test_rand_below(4), N = 0;
        cairn_gkr_row_instance ri[4];
        size_t cols[4][2][W];
        cairn_fp2 coeffs[4][2][W];
        for (size_t j = 0; j < m; j++) {
            ri[j].n = test_rand_below(NMAX + 1);
            N = ri[j].n > N ? ri[j].n : N;
            for (int u = 0; u < 2; u++) {
                cairn_gkr_affine *f = u ? &ri[j].q : &ri[j].p;
                f->constant = u ? rand_nonzero_fp2() : cairn_fp2_one();
                f->terms_len = u ? 1 + test_rand_below(W) : test_rand_below(2);
                for (size_t tt = 0; tt < f->terms_len; tt++) {
                    cols[j][u][tt] = test_rand_below(W);
                    coeffs[j][u][tt] = test_rand_fp2();
                }
                f->cols = cols[j][u];
                f->coeffs = coeffs[j][u];
            }
        }
        size_t rows_len = (size_t)1 << N;
        cairn_fp *table = malloc(rows_len * W * sizeof *table);
        for (size_t x = 0; x < rows_len * W; x++)
            table[x] = test_rand_fp();
        cairn_rows src;
        cairn_rows_table impl;
        cairn_rows_table_init(&src, &impl, table, rows_len, W, 0);
        /* the in-memory proof on materialised leaves */
        cairn_fp2 *lp[4], *lq[4];
        cairn_gkr_instance inst[4];
        for (size_t j = 0; j < m; j++) {
            lp[j] = malloc(((size_t)1 << ri[j].n) * sizeof(cairn_fp2));
            lq[j] = malloc(((size_t)1 << ri[j].n) * sizeof(cairn_fp2));
            CHECK_OK(cairn_gkr_row_leaves(lp[j], lq[j], &src, &ri[j], NULL));
            inst[j] = (cairn_gkr_instance){ri[j].n, {NULL, lp[j], 0}, {NULL, lq[j], 0}};
        }
        cairn_gkr_proof want, got;
        cairn_gkr_proof_init(&want);
        cairn_gkr_proof_init(&got);
        cairn_fp2 pts[4 * NMAX], pe[4], qe[4], spts[4 * NMAX], spe[4], sqe[4];
        cairn_transcript t0, tm;
        cairn_transcript_init(&t0, "test/gkr-stream");
        tm = t0;
        CHECK_OK(cairn_gkr_prove(&want, pts, pe, qe, &tm, inst, m, test_threads(), NULL));
        size_t last_passes = 0, budgets = 0, nvars = 0, min_s = N, windows = 0;
        for (size_t j = 0; j < m; j++)
            nvars += ri[j].n;
        for (size_t budget = (size_t)1 << 22; budget >= 64; budget = budget * 2 / 3) {
            cairn_gkr_stream_opts opts = {budget, test_threads()};
            cairn_gkr_stream_stats stats;
            cairn_transcript ts = t0;
            cairn_rows_table_init(&src, &impl, table, rows_len, W, 1 + test_rand_below(9));
            cairn_error err;
            cairn_gkr_debug_direct_h1 = (int)(budgets & 1); /* both round paths, streamed too */
            /* passes cut into pieces of whole groups of at least 1 to 8 rows, or the default */
            cairn_gkr_debug_piece_rows = test_rand_below(9);
            cairn_status st = cairn_gkr_prove_stream(&got, spts, spe, sqe, &stats, &ts, &src, ri,
                                                     m, &opts, &err);
            cairn_gkr_debug_direct_h1 = 0;
            cairn_gkr_debug_piece_rows = 0;
            if (st == CAIRN_ERR_LIMIT)
                break;
            CHECK_OK(st);
            if (st != CAIRN_OK)
                break;
            budgets++;
            CHECK_EQ_U64(got.elems_len, want.elems_len);
            if (got.elems_len == want.elems_len)
                CHECK_MEM_EQ(got.elems, want.elems, want.elems_len * sizeof(cairn_fp2));
            CHECK_MEM_EQ(ts.state, tm.state, sizeof ts.state);
            CHECK_MEM_EQ(spts, pts, nvars * sizeof(cairn_fp2));
            CHECK_MEM_EQ(spe, pe, m * sizeof(cairn_fp2));
            CHECK_MEM_EQ(sqe, qe, m * sizeof(cairn_fp2));
            CHECK(stats.passes >= last_passes);
            CHECK(stats.peak_bytes <= budget);
            CHECK(stats.switch_layer <= N);
            last_passes = stats.passes;
            min_s = stats.switch_layer < min_s ? stats.switch_layer : min_s;
            /* more passes than one per streamed layer plus the first: rounds were streamed */
            windows += stats.passes > 1 + (N - stats.switch_layer);
        }
        CHECK(budgets >= 2);
        /* the budgets reached down to streamed layers and streamed rounds */
        if (N >= 3)
            CHECK(min_s + 2 <= N);
        /* small shapes may jump straight to the switch layer without a streamed round */
        if (N >= 5)
            CHECK(windows > 0);
        cairn_gkr_proof_clear(&want);
        cairn_gkr_proof_clear(&got);
        for (size_t j = 0; j < m; j++) {
            free(lp[j]);
            free(lq[j]);
        }
        free(table);
    }
}

/* Too small a budget, a column out of range, too few rows: clear errors. */
static void gkr_stream_errors(void)
{
    cairn_fp table[16 * 2] = {{0}};
    cairn_rows src;
    cairn_rows_table impl;
    cairn_rows_table_init(&src, &impl, table, 16, 2, 0);
    size_t col = 1;
    cairn_fp2 one = cairn_fp2_one();
    cairn_gkr_row_instance ri = {4, {one, 0, NULL, NULL}, {cairn_fp2_make(cairn_fp_make(5), cairn_fp_zero()), 1, &col, &one}};
    cairn_gkr_proof proof;
    cairn_gkr_proof_init(&proof);
    cairn_fp2 pts[8], pe[1], qe[1];
    cairn_transcript t;
    cairn_transcript_init(&t, "test/gkr-stream-err");
    cairn_gkr_stream_opts tiny = {16, 1}, big = {1 << 20, 1};
    cairn_error err;
    CHECK_STATUS(cairn_gkr_prove_stream(&proof, pts, pe, qe, NULL, &t, &src, &ri, 1, &tiny, &err),
                 CAIRN_ERR_LIMIT);
    CHECK(strstr(err.msg, "budget") != NULL);
    col = 2;
    CHECK_STATUS(cairn_gkr_prove_stream(&proof, pts, pe, qe, NULL, &t, &src, &ri, 1, &big, &err),
                 CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "column 2") != NULL);
    col = 1;
    ri.n = 5;
    CHECK_STATUS(cairn_gkr_prove_stream(&proof, pts, pe, qe, NULL, &t, &src, &ri, 1, &big, &err),
                 CAIRN_ERR_ARG);
    ri.n = 4;
    CHECK_OK(cairn_gkr_prove_stream(&proof, pts, pe, qe, NULL, &t, &src, &ri, 1, &big, &err));
    cairn_gkr_proof_clear(&proof);
}

/* Fingerprint weights against the definition eq(beta, l); widths beyond 2^s refused. */
static void gkr_fingerprint_weights_definition(void)
{
    for (size_t s = 0; s <= 5; s++)
        for (size_t width = 0; width <= ((size_t)1 << s); width++) {
            cairn_fp2 beta[5], w[32], bits[5];
            for (size_t i = 0; i < s; i++)
                beta[i] = test_rand_fp2();
            CHECK_OK(cairn_gkr_fingerprint_weights(w, width, beta, s, NULL));
            for (size_t l = 0; l < width; l++) {
                for (size_t i = 0; i < s; i++)
                    bits[i] = (l >> i) & 1 ? cairn_fp2_one() : cairn_fp2_zero();
                CHECK_EQ_FP2(w[l], cairn_poly_eq_eval(beta, bits, s));
            }
            cairn_error err;
            CHECK_STATUS(cairn_gkr_fingerprint_weights(w, ((size_t)1 << s) + 1, beta, s, &err),
                         CAIRN_ERR_ARG);
        }
}

/*
 * LogUp of tuples: (b, 2b + 1, b^2) rows of a table, looked up by rows
 * of three columns, fingerprinted with the multilinear weights at beta,
 * alpha and beta drawn after grinding.  Honest: accepted; a looked-up
 * tuple mixing the fields of two table rows: rejected (its fields are all
 * in the table, the tuple is not); a wrong nonce never yields the prover's
 * challenges.
 */
static void gkr_logup_tuples(void)
{
    enum { NF = 6, NT = 3, W = 3 };
    size_t F = (size_t)1 << NF, T = (size_t)1 << NT;
    for (int mode = 0; mode < 2; mode++) {
        cairn_fp tab[1 << NT][W], f[1 << NF][W], mult[1 << NT];
        for (size_t b = 0; b < T; b++) {
            tab[b][0] = cairn_fp_make(b);
            tab[b][1] = cairn_fp_make(2 * b + 1);
            tab[b][2] = cairn_fp_make(b * b);
            mult[b] = cairn_fp_zero();
        }
        for (size_t x = 0; x < F; x++) {
            size_t b = test_rand_below(T);
            memcpy(f[x], tab[b], sizeof f[x]);
            mult[b] = cairn_fp_add(mult[b], cairn_fp_one());
        }
        if (mode == 1) { /* row 5 takes its second field from another table row */
            size_t b = f[5][0].v, other = (b + 1) % T;
            f[5][1] = tab[other][1];
        }
        cairn_transcript t;
        cairn_transcript_init(&t, "test/logup-tuples");
        cairn_transcript_absorb_fp_vec(&t, "f", &f[0][0], F * W);
        cairn_transcript_absorb_fp_vec(&t, "mult", mult, T);
        cairn_transcript tv = t;
        unsigned g = 4;
        uint64_t nonce;
        cairn_fp2 alpha, beta[2], valpha, vbeta[2], w[W];
        CHECK_OK(cairn_gkr_lookup_challenges_prove(&nonce, &alpha, beta, 2, &t, g, 1, NULL));
        CHECK_OK(cairn_gkr_fingerprint_weights(w, W, beta, 2, NULL));
        cairn_fp2 qa[1 << NF], pb[1 << NT], qb[1 << NT];
        for (size_t x = 0; x < F; x++) {
            qa[x] = alpha;
            for (size_t l = 0; l < W; l++)
                qa[x] = cairn_fp2_sub(qa[x], cairn_fp2_mul_fp(w[l], f[x][l]));
        }
        for (size_t b = 0; b < T; b++) {
            pb[b] = cairn_fp2_neg(cairn_fp2_from_fp(mult[b]));
            qb[b] = alpha;
            for (size_t l = 0; l < W; l++)
                qb[b] = cairn_fp2_sub(qb[b], cairn_fp2_mul_fp(w[l], tab[b][l]));
        }
        cairn_gkr_instance inst[2] = {{NF, {NULL, NULL, 0}, {NULL, qa, 0}},
                                      {NT, {NULL, pb, 0}, {NULL, qb, 0}}};
        size_t vars[2] = {NF, NT};
        cairn_gkr_proof proof;
        cairn_gkr_proof_init(&proof);
        cairn_fp2 pts[NF + NT], pe[2], qe[2], zero = cairn_fp2_zero();
        CHECK_OK(cairn_gkr_prove(&proof, pts, pe, qe, &t, inst, 2, 1, NULL));
        cairn_transcript tw = tv;
        CHECK_OK(cairn_gkr_lookup_challenges_verify(&valpha, vbeta, 2, &tv, g, nonce, NULL));
        CHECK_EQ_FP2(valpha, alpha);
        CHECK_EQ_FP2(vbeta[1], beta[1]);
        cairn_status st = cairn_gkr_verify(pts, pe, qe, &tv, &proof, vars, 2, &zero, NULL);
        CHECK_STATUS(st, mode == 0 ? CAIRN_OK : CAIRN_ERR_REJECTED);
        st = cairn_gkr_lookup_challenges_verify(&valpha, vbeta, 2, &tw, g, nonce + 1, NULL);
        CHECK(st == CAIRN_ERR_REJECTED || !cairn_fp2_eq(valpha, alpha));
        CHECK_STATUS(cairn_gkr_lookup_challenges_verify(&valpha, vbeta, CAIRN_GKR_MAX_VARS + 1,
                                                        &tw, g, nonce, NULL),
                     CAIRN_ERR_ARG);
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
    CHECK_OK(cairn_gkr_prove(&proof, pts, pe, qe, &t, b.inst, 3, test_threads(), NULL));
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
    CHECK_STATUS(cairn_gkr_prove(&back, pts, pe, qe, &t, b.inst, 0, test_threads(), NULL), CAIRN_ERR_ARG);
    cairn_gkr_instance bad = b.inst[0];
    bad.q.fp = NULL;
    bad.q.fp2 = NULL;
    CHECK_STATUS(cairn_gkr_prove(&back, pts, pe, qe, &t, &bad, 1, test_threads(), NULL), CAIRN_ERR_ARG);
    free(buf);
    cairn_gkr_proof_clear(&proof);
    cairn_gkr_proof_clear(&back);
    cairn_gkr_proof_clear(NULL);
    batch_free(&b);
}

/* ---- logup* ----------------------------------------------------------------------------- */

static const cairn_sumcheck_term ls_forge_term[1] = {{{{1}, {0}}, 2, {0, 1}}};
static const cairn_sumcheck_expr ls_forge_expr = {ls_forge_term, 1, 2};

/* A random indexed lookup: index column, table, point z and honest claims. */
typedef struct {
    size_t n, kappa, cols;
    cairn_fp *index;
    cairn_fp *col[3];
    const cairn_fp *ccol[3];
    cairn_fp2 z[12], values[3];
    cairn_fp2 *y;
    cairn_logup_star_statement st;
} lookup;

/* v_c(z) = sum_x eq(z, x) T_c(index[x] mod K), eq by its definition at each Boolean x. */
static void lookup_claims(lookup *l)
{
    size_t rows = (size_t)1 << l->n, K = (size_t)1 << l->kappa;
    for (size_t c = 0; c < l->cols; c++)
        l->values[c] = cairn_fp2_zero();
    for (size_t x = 0; x < rows; x++) {
        cairn_fp2 bits[12];
        for (size_t i = 0; i < l->n; i++)
            bits[i] = (x >> i) & 1 ? cairn_fp2_one() : cairn_fp2_zero();
        cairn_fp2 e = cairn_poly_eq_eval(l->z, bits, l->n);
        for (size_t c = 0; c < l->cols; c++)
            l->values[c] = cairn_fp2_add(l->values[c],
                                         cairn_fp2_mul_fp(e, l->col[c][l->index[x].v % K]));
    }
}

/* Y by its definition, rows whose index is outside the table wrapped into it. */
static void lookup_pushforward_wrapped(lookup *l)
{
    size_t rows = (size_t)1 << l->n, K = (size_t)1 << l->kappa;
    for (size_t b = 0; b < K; b++)
        l->y[b] = cairn_fp2_zero();
    for (size_t x = 0; x < rows; x++) {
        cairn_fp2 bits[12];
        for (size_t i = 0; i < l->n; i++)
            bits[i] = (x >> i) & 1 ? cairn_fp2_one() : cairn_fp2_zero();
        size_t b = l->index[x].v % K;
        l->y[b] = cairn_fp2_add(l->y[b], cairn_poly_eq_eval(l->z, bits, l->n));
    }
}

static void lookup_make(lookup *l, size_t n, size_t kappa, size_t cols)
{
    memset(l, 0, sizeof *l);
    size_t rows = (size_t)1 << n, K = (size_t)1 << kappa;
    l->n = n;
    l->kappa = kappa;
    l->cols = cols;
    l->index = malloc(rows * sizeof *l->index);
    for (size_t x = 0; x < rows; x++)
        l->index[x] = cairn_fp_make(test_rand_below(K));
    for (size_t c = 0; c < cols; c++) {
        l->col[c] = malloc(K * sizeof(cairn_fp));
        for (size_t b = 0; b < K; b++)
            l->col[c][b] = test_rand_fp();
        l->ccol[c] = l->col[c];
    }
    for (size_t i = 0; i < n; i++)
        l->z[i] = test_rand_fp2();
    l->y = malloc(K * sizeof *l->y);
    lookup_claims(l);
    l->st = (cairn_logup_star_statement){n, kappa, l->ccol, cols, l->z, l->values, 0};
}

static void lookup_free(lookup *l)
{
    free(l->index);
    for (size_t c = 0; c < l->cols; c++)
        free(l->col[c]);
    free(l->y);
}

/*
 * The caller's side around logup*: bind Y (here by absorbing it in the
 * clear, standing for its commitment), then prove or verify.
 */
static cairn_status lookup_prove(cairn_logup_star_proof *proof, cairn_logup_star_claims *claims,
                                 const lookup *l, cairn_error *err)
{
    cairn_transcript t;
    cairn_transcript_init(&t, "test/logup-star");
    cairn_transcript_absorb_fp2_vec(&t, "test/Y", l->y, (size_t)1 << l->kappa);
    return cairn_logup_star_prove(proof, claims, &t, &l->st, l->index, l->y, err);
}

static cairn_status lookup_verify(cairn_logup_star_claims *claims,
                                  const cairn_logup_star_proof *proof, const lookup *l,
                                  cairn_error *err)
{
    cairn_transcript t;
    cairn_transcript_init(&t, "test/logup-star");
    cairn_transcript_absorb_fp2_vec(&t, "test/Y", l->y, (size_t)1 << l->kappa);
    return cairn_logup_star_verify(claims, &t, proof, &l->st, err);
}

/* The caller's discharge: the index column and Y at the claimed points. */
static int lookup_discharge(const cairn_logup_star_claims *c, const lookup *l)
{
    cairn_fp2 v;
    int ok = cairn_poly_eval_fp(&v, l->index, c->index_point, l->n) == CAIRN_OK &&
             cairn_fp2_eq(v, c->index_value);
    for (int u = 0; u < 2; u++)
        ok = ok && cairn_poly_eval_fp2(&v, l->y, c->y_points[u], l->kappa) == CAIRN_OK &&
             cairn_fp2_eq(v, c->y_values[u]);
    return ok;
}

/*
 * Honest lookups of random shapes: the pushforward against its definition,
 * acceptance, prover and verifier claims equal, and every claim true.
 */
static void logup_star_honest(void)
{
    unsigned long rounds = 10 + test_iters / 50;
    for (unsigned long it = 0; it < rounds; it++) {
        lookup l;
        lookup_make(&l, test_rand_below(9), test_rand_below(7), 1 + test_rand_below(3));
        l.st.grind_bits = (unsigned)test_rand_below(5);
        cairn_error err;
        CHECK_OK(cairn_logup_star_pushforward(l.y, l.index, l.n, l.z, l.kappa, &err));
        cairn_fp2 *fast = malloc(((size_t)1 << l.kappa) * sizeof *fast);
        memcpy(fast, l.y, ((size_t)1 << l.kappa) * sizeof *fast);
        lookup_pushforward_wrapped(&l);
        CHECK_MEM_EQ(fast, l.y, ((size_t)1 << l.kappa) * sizeof *fast);
        free(fast);
        cairn_logup_star_proof proof;
        cairn_logup_star_claims pc, vc;
        cairn_logup_star_proof_init(&proof);
        memset(&pc, 0, sizeof pc); /* only the used coordinates are written */
        memset(&vc, 0, sizeof vc);
        CHECK_OK(lookup_prove(&proof, &pc, &l, &err));
        cairn_status st = lookup_verify(&vc, &proof, &l, &err);
        if (st != CAIRN_OK)
            FAIL("n %zu kappa %zu: %s", l.n, l.kappa, err.msg);
        CHECK_MEM_EQ(&pc, &vc, sizeof pc);
        CHECK(lookup_discharge(&vc, &l));
        cairn_logup_star_proof_clear(&proof);
        lookup_free(&l);
    }
}

/*
 * Lies: a wrong claimed value, a wrong pushforward entry, an index outside
 * the table (its row wrapped into Y so that <Y, T> still matches), a
 * different z, a bad nonce, and every element of the proof changed.
 */
static void logup_star_lies(void)
{
    lookup l;
    lookup_make(&l, 6, 4, 2);
    l.st.grind_bits = 3;
    cairn_logup_star_proof proof;
    cairn_logup_star_claims c;
    cairn_logup_star_proof_init(&proof);
    cairn_error err;
    CHECK_OK(cairn_logup_star_pushforward(l.y, l.index, l.n, l.z, l.kappa, NULL));
    /* a wrong claimed value */
    l.values[1] = cairn_fp2_add(l.values[1], cairn_fp2_one());
    CHECK_OK(lookup_prove(&proof, &c, &l, NULL));
    CHECK_STATUS(lookup_verify(&c, &proof, &l, &err), CAIRN_ERR_REJECTED);
    l.values[1] = cairn_fp2_sub(l.values[1], cairn_fp2_one());
    /* a wrong pushforward entry, claims made consistent with it */
    l.y[5] = cairn_fp2_add(l.y[5], cairn_fp2_one());
    for (size_t cc = 0; cc < 2; cc++)
        l.values[cc] = cairn_fp2_add(l.values[cc], cairn_fp2_from_fp(l.col[cc][5]));
    CHECK_OK(lookup_prove(&proof, &c, &l, NULL));
    CHECK_STATUS(lookup_verify(&c, &proof, &l, &err), CAIRN_ERR_REJECTED);
    CHECK(strstr(err.msg, "sum") != NULL);
    for (size_t cc = 0; cc < 2; cc++)
        l.values[cc] = cairn_fp2_sub(l.values[cc], cairn_fp2_from_fp(l.col[cc][5]));
    l.y[5] = cairn_fp2_sub(l.y[5], cairn_fp2_one());
    /* an index outside the table: row 9 indexes K + 3, wrapped to 3 in Y and the claims */
    cairn_fp keep = l.index[9];
    l.index[9] = cairn_fp_make(16 + 3);
    CHECK_STATUS(cairn_logup_star_pushforward(l.y, l.index, l.n, l.z, l.kappa, &err),
                 CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "row 9") != NULL);
    lookup_pushforward_wrapped(&l);
    lookup_claims(&l);
    CHECK_OK(lookup_prove(&proof, &c, &l, NULL));
    CHECK_STATUS(lookup_verify(&c, &proof, &l, &err), CAIRN_ERR_REJECTED);
    l.index[9] = keep;
    lookup_pushforward_wrapped(&l);
    lookup_claims(&l);
    /* honest again: accepted; then tamper */
    CHECK_OK(lookup_prove(&proof, &c, &l, NULL));
    CHECK_OK(lookup_verify(&c, &proof, &l, NULL));
    cairn_fp2 z0 = l.z[0];
    l.z[0] = cairn_fp2_add(z0, cairn_fp2_one());
    CHECK_STATUS(lookup_verify(&c, &proof, &l, NULL), CAIRN_ERR_REJECTED);
    l.z[0] = z0;
    proof.nonce ^= 1;
    cairn_status st = lookup_verify(&c, &proof, &l, NULL);
    proof.nonce ^= 1;
    /* a changed nonce either fails the work or changes alpha; it must not pass */
    CHECK(st == CAIRN_ERR_REJECTED);
    size_t inner = proof.inner.rounds * proof.inner.degree, fails = 0, total = 0;
    for (size_t i = 0; i < inner + 1 + proof.gkr.elems_len; i++) {
        cairn_fp2 *e = i < inner ? &proof.inner.evals[i]
                                 : (i == inner ? &proof.y_eval : &proof.gkr.elems[i - inner - 1]);
        cairn_fp2 was = *e;
        *e = cairn_fp2_add(was, cairn_fp2_one());
        total++;
        fails += lookup_verify(&c, &proof, &l, NULL) == CAIRN_ERR_REJECTED;
        *e = was;
    }
    CHECK_EQ_U64(fails, total);
    CHECK_OK(lookup_verify(&c, &proof, &l, NULL));
    /* a proof with the wrong shape: parse error */
    l.st.kappa = 3;
    CHECK_STATUS(lookup_verify(&c, &proof, &l, NULL), CAIRN_ERR_PARSE);
    l.st.kappa = 4;
    /* the claims bind: a prover that used another index column is caught by the discharge */
    l.index[2] = cairn_fp_make((l.index[2].v + 1) % 16);
    CHECK(!lookup_discharge(&c, &l));
    cairn_logup_star_proof_clear(&proof);
    lookup_free(&l);
}

/*
 * A forging prover: the logup* schedule of docs/gkr.md written out here,
 * with false claims v_c(z) + delta T_c(b) and the lie hidden in a leaf the
 * verifier evaluates itself.  mode 0: no lie (must be accepted: the
 * replica follows the real schedule); mode 1: Y[b] and the index-side
 * numerator at one row x with i(x) = b both raised by delta, so both
 * sums and <Y, T> agree but the numerator is not eq(z, .); mode 2:
 * the table-side denominators of rows b and b' swapped along with Y,
 * so the sums agree but the denominator is not alpha - b.
 */
static cairn_status forge_verify(lookup *l, int mode, cairn_error *err)
{
    size_t rows = (size_t)1 << l->n, K = (size_t)1 << l->kappa;
    cairn_fp2 delta = cairn_fp2_from_fp(cairn_fp_make(mode == 1 ? 5 : 0));
    size_t x = 3, b = l->index[x].v, b2 = (b + 1) % K;
    cairn_fp2 *pa = malloc(2 * rows * sizeof *pa), *qa = pa + rows;
    cairn_fp2 *pb = malloc(2 * K * sizeof *pb), *qb = pb + K, *tg = malloc(K * sizeof *tg);
    cairn_logup_star_proof proof;
    cairn_logup_star_claims c;
    cairn_logup_star_proof_init(&proof);
    cairn_logup_star_pushforward(l->y, l->index, l->n, l->z, l->kappa, NULL);
    cairn_fp2 shift = delta, was[3];
    l->y[b] = cairn_fp2_add(l->y[b], shift);
    for (size_t cc = 0; cc < l->cols; cc++) {
        was[cc] = l->values[cc];
        l->values[cc] = cairn_fp2_add(was[cc], cairn_fp2_mul_fp(shift, l->col[cc][b]));
    }
    cairn_transcript t;
    cairn_transcript_init(&t, "test/logup-star");
    cairn_transcript_absorb_fp2_vec(&t, "test/Y", l->y, K);
    cairn_transcript_absorb_u64(&t, "logup-star/vars", l->n);
    cairn_transcript_absorb_u64(&t, "logup-star/table-vars", l->kappa);
    cairn_transcript_absorb_u64(&t, "logup-star/columns", l->cols);
    cairn_transcript_absorb_fp2_vec(&t, "logup-star/point", l->z, l->n);
    cairn_transcript_absorb_fp2_vec(&t, "logup-star/values", l->values, l->cols);
    cairn_transcript_absorb_u64(&t, "logup-star/grind-bits", 0);
    cairn_transcript_grind(&proof.nonce, &t, "logup-star/grind", 0, 1, NULL);
    cairn_fp2 alpha = cairn_transcript_squeeze_fp2(&t, "logup-star/alpha"), gamma[3], evals[2];
    cairn_fp2 claim = cairn_fp2_zero();
    cairn_transcript_squeeze_fp2_vec(gamma, l->cols, &t, "logup-star/gamma");
    for (size_t cc = 0; cc < l->cols; cc++)
        claim = cairn_fp2_add(claim, cairn_fp2_mul(gamma[cc], l->values[cc]));
    for (size_t v = 0; v < K; v++) {
        tg[v] = cairn_fp2_zero();
        for (size_t cc = 0; cc < l->cols; cc++)
            tg[v] = cairn_fp2_add(tg[v], cairn_fp2_mul_fp(gamma[cc], l->col[cc][v]));
    }
    cairn_sumcheck_input in[2] = {{NULL, l->y, 0}, {NULL, tg, 0}};
    cairn_fp2 sp[12], pts[24], pe[2], qe[2];
    CHECK_OK(cairn_sumcheck_prove(&proof.inner, sp, evals, &t, &ls_forge_expr, NULL, in, 2,
                                  l->kappa, claim, NULL));
    proof.y_eval = evals[0];
    cairn_transcript_absorb_fp2(&t, "logup-star/y-eval", proof.y_eval);
    cairn_poly_eq_table(pa, l->z, l->n);
    pa[x] = cairn_fp2_add(pa[x], shift);
    for (size_t r = 0; r < rows; r++)
        qa[r] = cairn_fp2_sub(alpha, cairn_fp2_from_fp(l->index[r]));
    for (size_t v = 0; v < K; v++) {
        pb[v] = cairn_fp2_neg(l->y[v]);
        qb[v] = cairn_fp2_sub(alpha, cairn_fp2_from_fp(cairn_fp_make(v)));
    }
    if (mode == 2) { /* swap rows b and b2 of the table side: same sum, wrong denominators */
        cairn_fp2 tp = pb[b], tq = qb[b];
        pb[b] = pb[b2];
        qb[b] = qb[b2];
        pb[b2] = tp;
        qb[b2] = tq;
    }
    cairn_gkr_instance inst[2] = {{l->n, {NULL, pa, 0}, {NULL, qa, 0}},
                                  {l->kappa, {NULL, pb, 0}, {NULL, qb, 0}}};
    CHECK_OK(cairn_gkr_prove(&proof.gkr, pts, pe, qe, &t, inst, 2, test_threads(), NULL));
    cairn_status st = lookup_verify(&c, &proof, l, err);
    memcpy(l->values, was, l->cols * sizeof *was);
    cairn_logup_star_proof_clear(&proof);
    free(pa);
    free(pb);
    free(tg);
    return st;
}

/* The verifier's own leaf evaluations catch lies the sums cannot see. */
static void logup_star_forged_leaves(void)
{
    lookup l;
    lookup_make(&l, 5, 3, 2);
    cairn_error err;
    cairn_status st = forge_verify(&l, 0, &err);
    if (st != CAIRN_OK)
        FAIL("the replica of the schedule is not accepted: %s", err.msg);
    CHECK_STATUS(forge_verify(&l, 1, &err), CAIRN_ERR_REJECTED);
    CHECK(strstr(err.msg, "eq(z, r)") != NULL);
    CHECK_STATUS(forge_verify(&l, 2, &err), CAIRN_ERR_REJECTED);
    CHECK(strstr(err.msg, "alpha - b(r)") != NULL);
    lookup_free(&l);
}

/* logup* proof bytes: round trip, exact length, a non-canonical element, limits. */
static void logup_star_codec(void)
{
    lookup l;
    lookup_make(&l, 5, 3, 1);
    l.st.grind_bits = 2;
    CHECK_OK(cairn_logup_star_pushforward(l.y, l.index, l.n, l.z, l.kappa, NULL));
    cairn_logup_star_proof proof, back;
    cairn_logup_star_claims c;
    cairn_logup_star_proof_init(&proof);
    cairn_logup_star_proof_init(&back);
    CHECK_OK(lookup_prove(&proof, &c, &l, NULL));
    size_t vars[2] = {5, 3}, len = cairn_logup_star_proof_size(5, 3);
    CHECK_EQ_U64(len, 8 + 3 * 2 * 16 + 16 + cairn_gkr_proof_size(vars, 2));
    uint8_t *buf = malloc(len + 1);
    CHECK_OK(cairn_logup_star_proof_encode(buf, len, &proof, 5, 3, NULL));
    CHECK_STATUS(cairn_logup_star_proof_encode(buf, len + 1, &proof, 5, 3, NULL), CAIRN_ERR_ARG);
    CHECK_OK(cairn_logup_star_proof_decode(&back, buf, len, 5, 3, NULL));
    CHECK_EQ_U64(back.nonce, proof.nonce);
    CHECK_OK(lookup_verify(&c, &back, &l, NULL));
    CHECK_STATUS(cairn_logup_star_proof_decode(&back, buf, len - 1, 5, 3, NULL), CAIRN_ERR_PARSE);
    CHECK_STATUS(cairn_logup_star_proof_decode(&back, buf, len, 5, 4, NULL), CAIRN_ERR_PARSE);
    memset(buf + 8 + 6 * 16, 0xff, 8); /* Y(s) */
    CHECK_STATUS(cairn_logup_star_proof_decode(&back, buf, len, 5, 3, NULL), CAIRN_ERR_PARSE);
    CHECK_EQ_U64(cairn_logup_star_proof_size(CAIRN_GKR_MAX_VARS + 1, 3), 0);
    l.st.cols_len = 0;
    CHECK_STATUS(lookup_prove(&proof, &c, &l, NULL), CAIRN_ERR_ARG);
    free(buf);
    cairn_logup_star_proof_clear(&proof);
    cairn_logup_star_proof_clear(&back);
    lookup_free(&l);
}

/* ---- soundness terms ------------------------------------------------------------------ */

/* log2 of p^2 by another route: the exact integer p converted to long double. */
static long double log2_p2(void) { return 2.0L * log2l((long double)CAIRN_FP_P); }

/*
 * The term functions against closed forms computed here, the grinding bits
 * minimal for random sizes, and the figure docs/security.md §6 claims:
 * at 2^30 rows x 40 fractions per row over F_p2, the grinding bits computed
 * from the sizes give >= 100 proven bits with every other term of the
 * proof added (two commitments at the PCS target lambda + 4, the GKR
 * layers, a dozen sum-checks of 30 rounds of degree <= 4, logup*'s inner
 * sum-check and range terms).
 */
static void gkr_security_terms(void)
{
    for (size_t N = 1; N <= 40; N++) {
        long double count = 3.0L * (long double)(N * (N - 1)) / 2.0L + 2.0L * (long double)N;
        double want = (double)(log2_p2() - log2l(count));
        double got = cairn_gkr_layers_bits(N);
        CHECK(got > want - 1e-9 && got < want + 1e-9);
    }
    CHECK(isinf(cairn_gkr_layers_bits(0)));
    for (int it = 0; it < 200; it++) {
        double L = ldexp(1.0 + (double)test_rand_below(1000) / 1000.0, (int)test_rand_below(40));
        double T = ldexp(1.0, (int)test_rand_below(24));
        unsigned s = (unsigned)test_rand_below(5);
        double b0 = cairn_gkr_lookup_bits(L, T, s, 0);
        long double degree = (long double)(s > 1 ? s : 1) + 1.0L;
        double want = (double)(log2_p2() - log2l((long double)(L + T) * degree));
        CHECK(b0 > want - 1e-9 && b0 < want + 1e-9);
        double target = 80.0 + (double)test_rand_below(50);
        unsigned g = cairn_gkr_lookup_grind_bits(L, T, s, target);
        CHECK(cairn_gkr_lookup_bits(L, T, s, g) >= target);
        CHECK(g == 0 || cairn_gkr_lookup_bits(L, T, s, g - 1) < target);
    }
    CHECK_EQ_U64(cairn_gkr_lookup_grind_bits(1e30, 0, 3, 1e9), CAIRN_TRANSCRIPT_MAX_POW_BITS + 1);
    /* the worked example: 2^30 rows, 40 fractions per row, tables 2^18 + 2^20 + 2^20 */
    double rows = ldexp(1.0, 30), L = 40.0 * rows, T = ldexp(1.0, 18) + ldexp(1.0, 21);
    unsigned g = cairn_gkr_lookup_grind_bits(L, T, 3, 102.0);
    CHECK(g > 0 && g <= 16);
    long double F = powl(2.0L, log2_p2());
    long double eps = 2.0L * powl(2.0L, -104.0L);                  /* two PCS commitments */
    eps += powl(2.0L, -cairn_gkr_lookup_bits(L, T, 3, g));         /* lookups */
    eps += powl(2.0L, -cairn_gkr_layers_bits(31));                 /* the GKR batch */
    eps += 12.0L * 30.0L * 4.0L / F;                               /* other sum-checks */
    eps += (30.0L + 2.0L * 20.0L + 1.0L) / F;                      /* logup* inner + range */
    eps += powl(2.0L, -cairn_gkr_layers_bits(30));                 /* logup*'s own GKR */
    double bits = (double)-log2l(eps);
    CHECK(bits >= 100.0);
    if (bits < 100.0)
        FAIL("2^30 x 40: %.2f bits with %u grinding bits", bits, g);
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
            CHECK_OK(cairn_gkr_prove(&proof, pts, pe, qe, &t, b.inst, m, test_threads(), NULL));
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

int cairn_fuzz_logup_star_proof(const uint8_t *data, size_t len);

/*
 * Drive fuzz/fuzz_logup_star_proof.c with random inputs, mostly edits of
 * the honest proof (which must verify unedited) and wrong values (which
 * must never be accepted).
 */
static void gkr_logup_star_fuzz_inprocess(void)
{
    unsigned long violations = test_fuzz_random(cairn_fuzz_logup_star_proof, 1024, 12);
    /* the honest proof itself, for every shape: accepted (and a wrong value rejected) */
    for (unsigned b0 = 0; b0 < 32; b0++) {
        uint8_t h[2] = {(uint8_t)b0, 1};
        if (cairn_fuzz_logup_star_proof(h, 2) != 0 && violations++ < 5)
            FAIL("the honest proof of shape byte %u", b0);
        h[1] = 3;
        if (cairn_fuzz_logup_star_proof(h, 2) != 0 && violations++ < 5)
            FAIL("a wrong value for shape byte %u", b0);
    }
    CHECK(violations == 0);
    CHECK(cairn_fuzz_logup_star_proof(NULL, 0) == 0);
}

const struct test_case test_gkr_cases[] = {
    TEST(gkr_brute_force),
    TEST(gkr_matches_reference),
    TEST(gkr_derived_h1_equals_direct),
    TEST(gkr_threads_same_proof),
    TEST(gkr_tamper_every_element),
    TEST(gkr_leaf_claims_bind_leaves),
    TEST(gkr_poles),
    TEST(gkr_logup_multiplicities),
    TEST(gkr_codec),
    TEST(gkr_fingerprint_weights_definition),
    TEST(gkr_logup_tuples),
    TEST(gkr_stream_equals_memory),
    TEST(gkr_round_pieces_same_proof),
    TEST(gkr_stream_errors),
    TEST(gkr_fuzz_inprocess),
    TEST(gkr_logup_star_fuzz_inprocess),
    TEST(logup_star_honest),
    TEST(logup_star_lies),
    TEST(logup_star_forged_leaves),
    TEST(logup_star_codec),
    TEST(gkr_security_terms),
    TEST_END,
};
