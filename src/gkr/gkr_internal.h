/*
 * gkr_internal.h — the GKR module's internal contract: the proof layout
 * (where each layer's messages sit in cairn_gkr_proof.elems) and the
 * transcript steps that prover and verifier both call, so the two cannot
 * drift apart (docs/gkr.md, "Transcript").
 *
 * Layout: elems = roots (2m) || layer 0 || layer 1 || ... || layer N-1,
 * layer k = k rounds * 3 elements || 4 * a_k evaluations, a_k = the number
 * of instances with n_j > k.  gkr_layer_offset gives the start of layer k.
 */
#ifndef CAIRN_GKR_INTERNAL_H
#define CAIRN_GKR_INTERNAL_H

#include <stddef.h>

#include "cairn/gkr.h"
#include "cairn/transcript.h"

/* Labels of the layer sum-checks: the same as cairn_sumcheck's (docs/sumcheck.md). */
#define GKR_SC_VARS      "sumcheck/vars"
#define GKR_SC_DEGREE    "sumcheck/degree"
#define GKR_SC_CLAIM     "sumcheck/claim"
#define GKR_SC_ROUND     "sumcheck/round"
#define GKR_SC_CHALLENGE "sumcheck/challenge"

/* N = max_j vars[j] (0 for an empty list). */
size_t gkr_max_vars(const size_t *vars, size_t m);

/* a_k: how many instances have vars[j] > k. */
size_t gkr_active(const size_t *vars, size_t m, size_t k);

/* Index in elems of layer k's first element (the shapes must pass the limits). */
size_t gkr_layer_offset(const size_t *vars, size_t m, size_t k);

/* CAIRN_OK when m and every vars[j] are within the limits, else `code` with a message. */
cairn_status gkr_check_shapes(const size_t *vars, size_t m, cairn_status code, cairn_error *err);

/* Absorb the statement: u64 "gkr/count" m, then u64 "gkr/vars" n_j for each j. */
void gkr_absorb_statement(cairn_transcript *t, const size_t *vars, size_t m);

/* Absorb the 2m roots (fp2 vector "gkr/roots"). */
void gkr_absorb_roots(cairn_transcript *t, const cairn_fp2 *roots, size_t m);

/*
 * Start of layer k: draw 2a batching coefficients (fp2 vector
 * "gkr/layer/coeffs"), coeffs[2i] for the numerator claim and coeffs[2i+1]
 * for the denominator claim of the i-th active instance, and return
 * the combined claim sum_i coeffs[2i] cp[i] + coeffs[2i+1] cq[i].
 */
cairn_fp2 gkr_layer_open(cairn_fp2 *coeffs, cairn_transcript *t, const cairn_fp2 *cp,
                         const cairn_fp2 *cq, size_t a);

/*
 * End of layer k: absorb the 4a evaluations (fp2 vector "gkr/layer/evals"),
 * draw lambda (fp2 "gkr/layer/lambda"), and move each active instance's
 * claims to the next layer: cp[i] = p0 + lambda (p1 - p0), cq[i] likewise,
 * from evals[4i .. 4i+4) = (p0, p1, q0, q1).  Returns lambda.
 */
cairn_fp2 gkr_layer_close(cairn_transcript *t, const cairn_fp2 *evals, size_t a, cairn_fp2 *cp,
                          cairn_fp2 *cq);

/* sum_i coeffs[2i] (p0 q1 + p1 q0) + coeffs[2i+1] q0 q1 over a instances' evaluations. */
cairn_fp2 gkr_layer_combine(const cairn_fp2 *coeffs, const cairn_fp2 *evals, size_t a);

/*
 * After layer k: the active instances idx[0 .. a) with vars == k + 1 leave
 * the batch; write their point r (k + 1 coordinates) at points +
 * off_points[j] and their claims cp, cq into p_evals[j], q_evals[j].  The
 * others stay, compacted in order in idx, cp, cq.  Returns how many stay.
 */
size_t gkr_layer_retire(cairn_fp2 *points, cairn_fp2 *p_evals, cairn_fp2 *q_evals,
                        const size_t *off_points, const size_t *vars, size_t k,
                        const cairn_fp2 *r, size_t *idx, cairn_fp2 *cp, cairn_fp2 *cq, size_t a);

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
static inline gkr_src src_half(gkr_src s, size_t b)
{
    gkr_src r = s;
    if (r.fp2 != NULL)
        r.fp2 += b * s.stride;
    else if (r.fp != NULL)
        r.fp += b * s.stride;
    r.stride = 2 * s.stride;
    return r;
}

static inline gkr_src src_fp2(const cairn_fp2 *v)
{
    gkr_src s = {NULL, v, 1};
    return s;
}

/*
 * One instance inside a prover: n variables; layers 0 .. top-1 stored in
 * lp, lq (layer k at offset 2^k - 1, 2^top - 1 elements each, owned by the
 * driver); layer `top` read from leaf_p, leaf_q (the caller's leaves when
 * top = n, or the layer a streaming pass computed).
 */
typedef struct {
    size_t n, top;
    gkr_src leaf_p, leaf_q;
    cairn_fp2 *lp, *lq;
} inst_state;

/* Below this many table entries per round a loop runs on one thread. */
#define GKR_PAR_MIN 4096u

typedef void (*gkr_item_fn)(void *ctx, size_t item);

/*
 * fn(ctx, i) for every i < items (par.c): on the library's thread pool when
 * threads > 1 (the pool's own size, cairn_pool_set_threads, decides how
 * many run), else on the caller; fn must write only item i's outputs.
 */
void gkr_parallel_for(size_t items, unsigned threads, gkr_item_fn fn, void *ctx);

/* Layer k's numerators (which = 0) or denominators (1) of an instance, k <= top. */
gkr_src layer_src(const inst_state *s, size_t k, int which);

/*
 * One pair (2y, 2y + 1) of the four tables P0, P1, Q0, Q1, v = (a0, a1, b0,
 * b1, c0, c1, d0, d1), weighted by wy: accumulate into acc = (num(0),
 * den(0), num(1), den(1), num(inf), den(inf)), num = P0 Q1 + P1 Q0 and
 * den = Q0 Q1 at the low entry, the high entry and as leading coefficient.
 * With need1 = 0 the two sums at 1 are skipped (the round derives h(1)
 * from its claim).
 */
static inline void gkr_pair_sums(cairn_fp2 acc[6], const cairn_fp2 v[8], cairn_fp2 wy, int need1)
{
    cairn_fp2 da = cairn_fp2_sub(v[1], v[0]), db = cairn_fp2_sub(v[3], v[2]);
    cairn_fp2 dc = cairn_fp2_sub(v[5], v[4]), dd = cairn_fp2_sub(v[7], v[6]);
    cairn_fp2 n0 = cairn_fp2_add(cairn_fp2_mul(v[0], v[6]), cairn_fp2_mul(v[2], v[4]));
    cairn_fp2 ni = cairn_fp2_add(cairn_fp2_mul(da, dd), cairn_fp2_mul(db, dc));
    acc[0] = cairn_fp2_add(acc[0], cairn_fp2_mul(wy, n0));
    acc[1] = cairn_fp2_add(acc[1], cairn_fp2_mul(wy, cairn_fp2_mul(v[4], v[6])));
    if (need1) {
        cairn_fp2 n1 = cairn_fp2_add(cairn_fp2_mul(v[1], v[7]), cairn_fp2_mul(v[3], v[5]));
        acc[2] = cairn_fp2_add(acc[2], cairn_fp2_mul(wy, n1));
        acc[3] = cairn_fp2_add(acc[3], cairn_fp2_mul(wy, cairn_fp2_mul(v[5], v[7])));
    }
    acc[4] = cairn_fp2_add(acc[4], cairn_fp2_mul(wy, ni));
    acc[5] = cairn_fp2_add(acc[5], cairn_fp2_mul(wy, cairn_fp2_mul(dc, dd)));
}

/*
 * As gkr_pair_sums when P0 = P1 = 1 (numerators 1, e.g. the looked-up side
 * of LogUp): num = Q0 + Q1 and its leading coefficient is 0.  v as above
 * (entries 0..3 unused).
 */
static inline void gkr_pair_sums_p1(cairn_fp2 acc[6], const cairn_fp2 v[8], cairn_fp2 wy,
                                    int need1)
{
    cairn_fp2 dc = cairn_fp2_sub(v[5], v[4]), dd = cairn_fp2_sub(v[7], v[6]);
    acc[0] = cairn_fp2_add(acc[0], cairn_fp2_mul(wy, cairn_fp2_add(v[4], v[6])));
    acc[1] = cairn_fp2_add(acc[1], cairn_fp2_mul(wy, cairn_fp2_mul(v[4], v[6])));
    if (need1) {
        acc[2] = cairn_fp2_add(acc[2], cairn_fp2_mul(wy, cairn_fp2_add(v[5], v[7])));
        acc[3] = cairn_fp2_add(acc[3], cairn_fp2_mul(wy, cairn_fp2_mul(v[5], v[7])));
    }
    acc[5] = cairn_fp2_add(acc[5], cairn_fp2_mul(wy, cairn_fp2_mul(dc, dd)));
}

/*
 * The state a layer sum-check carries from round to round: the running
 * claim c_i and scale = prod_{l < i} eq(r_l, rho_l).
 */
typedef struct {
    cairn_fp2 claim, scale;
} gkr_round;

/*
 * Test hook: non-zero makes every round sum h(1) directly instead of
 * deriving it from the claim (the proofs must not change).
 */
extern int cairn_gkr_debug_direct_h1;

/*
 * Test hook: the fewest rows of one piece of a streamed pass (stream.c's
 * consume), STREAM_PIECE_ROWS when 0, and the fewest pairs of one piece
 * of an in-memory round's sums (gkr_layer_rounds), GKR_PAR_MIN when 0;
 * tests set a few so that small instances are cut into many pieces (the
 * proofs must not change).
 */
extern size_t cairn_gkr_debug_piece_rows;

/* 1 when round i must sum h(1) itself: scale * r_i is zero, or the test hook is set. */
int gkr_round_need_h1(const gkr_round *rs, cairn_fp2 ri);

/* Absorb a layer sum-check's header, exactly as cairn_sumcheck does. */
void gkr_layer_header(cairn_transcript *t, size_t k, cairn_fp2 claim);

/* H[u] += coeffs[0] acc[2u] + coeffs[1] acc[2u+1] for u = 0, 1, 2 (h(0), h(1), h(inf)). */
void gkr_combine_sums(cairn_fp2 H[3], const cairn_fp2 acc[6], const cairn_fp2 coeffs[2]);

/*
 * From h(0), h(1), h(inf) (H; when have_h1 is 0, H[1] is derived from the
 * claim: c_i = scale ((1 - r_i) h(0) + r_i h(1))) build round i's message
 * s(0), s(2), s(3) with s(X) = scale * eq(r_i, X) * h(X), absorb it, draw
 * the challenge c, and move rs to round i + 1 (claim s(c), scale times
 * eq(r_i, c)).  Returns c.
 */
cairn_fp2 gkr_emit_round(cairn_fp2 *msg, cairn_transcript *t, cairn_fp2 H[3], int have_h1,
                         gkr_round *rs, cairn_fp2 ri);

/*
 * Rounds i0 .. k-1 of layer k's sum-check (header absorbed, rs at round
 * i0).  With i0 = 0 and state non-NULL, round 0 reads the children from
 * state[idx[.]]; otherwise table u (P0, P1, Q0, Q1) of active instance j
 * is at scratch + (4j + u) * qs with 2^(k - i0) entries.  p_one (a flags,
 * or NULL) marks instances whose P tables are the constant 1 (their P
 * tables are neither read nor folded).  w = eq(r_{i0+1 .. k-1}, .),
 * consumed.  Writes msgs and rho for rounds i >= i0 and the 4a evaluations.
 * Instances are spread over `threads` threads.  CAIRN_ERR_NOMEM.
 */
cairn_status gkr_layer_rounds(cairn_fp2 *msgs, cairn_fp2 *evals, cairn_fp2 *rho,
                              cairn_transcript *t, const cairn_fp2 *r, size_t k, size_t i0,
                              gkr_round rs, const inst_state *state, const size_t *idx, size_t a,
                              const unsigned char *p_one, const cairn_fp2 *coeffs,
                              cairn_fp2 *scratch, size_t qs, cairn_fp2 *w, unsigned threads,
                              cairn_error *err);

/*
 * A prover for layers k >= s that cannot be held in memory (stream.c):
 * absorbs the header and writes msgs, evals, rho as prove_layer would.
 */
typedef cairn_status (*gkr_layer_fn)(void *ctx, cairn_fp2 *msgs, cairn_fp2 *evals, cairn_fp2 *rho,
                                     cairn_transcript *t, const cairn_fp2 *r, size_t k,
                                     const size_t *idx, size_t a, const cairn_fp2 *coeffs,
                                     cairn_fp2 claim, cairn_error *err);

/*
 * The prover's top-down schedule over prepared instance states (n, top,
 * leaf sources set; lp, lq NULL): build layers top-1 .. 0 of each, emit
 * roots and the layers; layers k < s in memory, layers k >= s through
 * stream_layer (s = max n_j: none).  Frees the stored layers before the
 * first streamed layer.  Fills proof, points, p_evals, q_evals.  threads:
 * for building layers and for the in-memory rounds (over instances).
 */
cairn_status gkr_prove_driver(cairn_gkr_proof *proof, cairn_fp2 *points, cairn_fp2 *p_evals,
                              cairn_fp2 *q_evals, cairn_transcript *t, inst_state *state, size_t m,
                              size_t s, gkr_layer_fn stream_layer, void *ctx, unsigned threads,
                              cairn_error *err);

/* ---- shared by the two indexed lookups (logup_star.c, logup_batch.c) ---- */

/* The inner sum-check's expression f0 * f1 (Y times T_gamma) and its degree. */
extern const cairn_sumcheck_expr gkr_ls_expr;
#define GKR_LS_DEGREE 2u

/* The multilinear extension of b -> b over kappa variables at r: sum_l 2^l r_l. */
cairn_fp2 gkr_index_mle(const cairn_fp2 *r, size_t kappa);

/* 1 when a logup* proof object has the shapes of m index columns of n variables and kappa. */
int gkr_ls_shape_ok(const cairn_logup_star_proof *proof, size_t n, size_t kappa, size_t m);

/*
 * The table-side leaves of a logup* GKR: p[b] = -y[b], q[b] = alpha - b for
 * b < 2^kappa.
 */
void gkr_ls_table_leaves(cairn_fp2 *p, cairn_fp2 *q, const cairn_fp2 *y, size_t kappa,
                         cairn_fp2 alpha);

/*
 * The inner sum-check's prover: T_gamma = sum_c gamma_c T_c into tg (2^kappa
 * elements), the sum-check of sum_b y[b] T_gamma[b] = claim into
 * proof->inner (its point into point), Y(s) into proof->y_eval, absorbed
 * as fp2 `label`.  Errors of cairn_sumcheck_prove.
 */
cairn_status gkr_ls_inner_prove(cairn_logup_star_proof *proof, cairn_fp2 *point, cairn_fp2 *tg,
                                cairn_transcript *t, const cairn_fp *const *columns,
                                size_t cols_len, const cairn_fp2 *gamma, const cairn_fp2 *y,
                                size_t kappa, cairn_fp2 claim, const char *label, cairn_error *err);

/*
 * The inner sum-check's verifier: replay it from claim (point: kappa
 * coordinates out), evaluate T_gamma at the point (through table_eval when
 * non-NULL, else from the columns), check Y(s) T_gamma(s) against the last
 * round (CAIRN_ERR_REJECTED), absorb Y(s) as fp2 `label`.
 */
cairn_status gkr_ls_inner_verify(cairn_fp2 *point, cairn_transcript *t,
                                 const cairn_logup_star_proof *proof, size_t kappa,
                                 cairn_fp2 claim, const cairn_fp *const *columns, size_t cols_len,
                                 cairn_logup_star_table_fn table_eval, void *table_ctx,
                                 const cairn_fp2 *gamma, const char *label, cairn_error *err);

#endif
