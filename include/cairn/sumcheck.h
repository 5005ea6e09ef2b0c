/*
 * cairn/sumcheck.h — the sum-check protocol: prover (in memory and
 * streaming over a row source), verifier, batching of several claims, and
 * reduction of several evaluation claims of one polynomial to one.
 * docs/sumcheck.md specifies the protocol byte for byte.
 *
 * Claim.  For multilinear f_0, ..., f_{k-1} in n variables, given by their
 * tables of 2^n entries in the project's variable order (cairn/poly.h:
 * index j = sum_i b_i 2^i, variable 0 = least significant bit), and
 *     g(y_0, ..., y_{k-1}) = sum_t coeff_t * prod_{u < factors_len_t} y_{factors_t[u]}
 * the claim is
 *     sum_{x in {0,1}^n} g(f_0(x), ..., f_{k-1}(x)) [* eq(tau, x)] = claim
 * where the eq factor is present when a point tau (n coordinates) is given
 * ("zerocheck" when claim = 0).  The degree of the claim is
 *     d = max(1, max_t factors_len_t + (tau ? 1 : 0)).
 *
 * Rounds.  Round i (i = 0, ..., n-1) binds variable i (the least
 * significant remaining one, as cairn_poly_fold_* do).  Its polynomial
 *     s_i(X) = sum_{x_{i+1..n-1}} g(f(r_0..r_{i-1}, X, x_{i+1..})) [* eq(tau, ...)]
 * has degree <= d and is sent as d evaluations s_i(0), s_i(2), s_i(3), ...,
 * s_i(d): the verifier recovers s_i(1) = c_i - s_i(0) from the running
 * claim c_i (c_0 = claim, c_{i+1} = s_i(r_i)).  After n rounds the point is
 * r = (r_0, ..., r_{n-1}) and the verifier's expected value is c_n, which
 * must equal g(f_0(r), ..., f_{k-1}(r)) [* eq(tau, r)].
 *
 * Transcript.  cairn_sumcheck_prove and cairn_sumcheck_verify absorb
 *     u64 "sumcheck/vars" n, u64 "sumcheck/degree" d, fp2 "sumcheck/claim" claim
 * then for each round the d elements under "sumcheck/round" followed by a
 * squeeze r_i = fp2 "sumcheck/challenge".  They do not absorb the final
 * evaluations f_c(r): the caller binds them (absorbs them, or opens them
 * against commitments it has absorbed) before drawing further challenges.
 *
 * Soundness: a false claim survives round i with probability at most
 * d / |F_p2| = d / p^2 ~ d * 2^-128 (Schwartz–Zippel on s_i - s_i*), so at
 * most n d / p^2 over the whole protocol.
 *
 * Ownership.  Input tables are borrowed (never written).  Outputs are
 * caller-provided arrays of the documented lengths and a
 * cairn_sumcheck_proof the prover fills (its evals array is owned by the
 * proof: cairn_sumcheck_proof_clear frees it).  All functions are
 * single-threaded and re-entrant.
 */
#ifndef CAIRN_SUMCHECK_H
#define CAIRN_SUMCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"
#include "cairn/field.h"
#include "cairn/rows.h"
#include "cairn/transcript.h"

/* Limits (CAIRN_ERR_ARG beyond them). */
#define CAIRN_SUMCHECK_MAX_VARS    40u /* = CAIRN_POLY_MAX_VARS */
#define CAIRN_SUMCHECK_MAX_FACTORS 15u /* factors in one term */
#define CAIRN_SUMCHECK_MAX_DEGREE  16u /* of any claim, eq included */
#define CAIRN_SUMCHECK_MAX_INPUTS  64u /* k */
#define CAIRN_SUMCHECK_MAX_TERMS   64u
/* cairn_sumcheck_stream_opts.switch_round: choose from the memory budget. */
#define CAIRN_SUMCHECK_SWITCH_AUTO SIZE_MAX

/* ---- the polynomial g ------------------------------------------------------ */

/* One term coeff * f_{factors[0]} * ... * f_{factors[factors_len-1]}; factors may repeat. */
typedef struct {
    cairn_fp2 coeff;
    size_t factors_len;
    uint16_t factors[CAIRN_SUMCHECK_MAX_FACTORS];
} cairn_sumcheck_term;

/* g = sum of terms over inputs_len inputs; every factor index is < inputs_len. */
typedef struct {
    const cairn_sumcheck_term *terms;
    size_t terms_len;
    size_t inputs_len;
} cairn_sumcheck_expr;

/*
 * Check an expression against the limits above: CAIRN_ERR_ARG with a
 * message naming the term and factor at fault, else CAIRN_OK.  Every
 * function taking an expression calls it.
 */
cairn_status cairn_sumcheck_expr_check(const cairn_sumcheck_expr *expr, cairn_error *err);

/* The claim's degree d = max(1, max factors_len + has_eq) (expr must pass the check). */
size_t cairn_sumcheck_expr_degree(const cairn_sumcheck_expr *expr, int has_eq);

/* g(values[0 .. expr->inputs_len)). */
cairn_fp2 cairn_sumcheck_expr_eval(const cairn_sumcheck_expr *expr, const cairn_fp2 *values);

/* ---- inputs and proofs ------------------------------------------------------ */

/*
 * A table of 2^n entries: exactly one of fp (base field) and fp2 is non-NULL.
 * small_bits: 0, or (base tables only) b in 1..64 promising that every entry
 * of fp is below 2^b as a canonical integer (bytes: 8, bits: 1, 32-bit
 * words: 32).  When every input of a claim makes such a promise, the
 * in-memory provers compute the first rounds in integer arithmetic
 * (docs/sumcheck.md, "Small values"); the proof is byte for byte the same
 * as without the promise.  A broken promise costs only the speed: the
 * prover notices it before sending anything and runs the generic rounds.
 */
typedef struct {
    const cairn_fp *fp;
    const cairn_fp2 *fp2;
    unsigned small_bits;
} cairn_sumcheck_input;

/*
 * The round messages: round i occupies evals[i*degree .. (i+1)*degree) and
 * holds s_i(0), s_i(2), ..., s_i(degree).  Encoded (cairn_sumcheck_proof_encode)
 * as these rounds * degree extension elements, 16 bytes each (cairn_fp2_encode),
 * in this order, with no header: the verifier knows rounds and degree.
 */
typedef struct {
    size_t rounds;
    size_t degree;
    cairn_fp2 *evals;
} cairn_sumcheck_proof;

void cairn_sumcheck_proof_init(cairn_sumcheck_proof *p);
/* Free evals and reset to the empty proof; safe on NULL and on an initialised proof. */
void cairn_sumcheck_proof_clear(cairn_sumcheck_proof *p);

/* Encoded size in bytes of a proof of `rounds` rounds of degree `degree` (0 on overflow). */
size_t cairn_sumcheck_proof_size(size_t rounds, size_t degree);

/*
 * Write p's encoding into out[0 .. out_len); out_len must be exactly
 * cairn_sumcheck_proof_size(p->rounds, p->degree) (CAIRN_ERR_ARG otherwise).
 */
cairn_status cairn_sumcheck_proof_encode(uint8_t *out, size_t out_len,
                                         const cairn_sumcheck_proof *p, cairn_error *err);

/*
 * Parse untrusted bytes into p (cleared first) as a proof of exactly
 * `rounds` rounds of degree `degree`.  CAIRN_ERR_PARSE when in_len differs
 * from cairn_sumcheck_proof_size(rounds, degree) or an element is not
 * canonical (the message names the round and position); CAIRN_ERR_ARG when
 * rounds or degree exceed the limits; CAIRN_ERR_NOMEM.
 */
cairn_status cairn_sumcheck_proof_decode(cairn_sumcheck_proof *p, const uint8_t *in, size_t in_len,
                                         size_t rounds, size_t degree, cairn_error *err);

/* ---- one claim, in memory ------------------------------------------------- */

/*
 * Prove sum_x g(f(x)) [* eq(tau, x)] = claim over n variables.
 *   proof   filled with n rounds of degree cairn_sumcheck_expr_degree(expr, tau != NULL)
 *   point   n elements: the challenges r_0, ..., r_{n-1}
 *   evals   expr->inputs_len elements: f_c(point) for each input c
 *   t       the transcript, advanced exactly as cairn_sumcheck_verify advances it
 *   tau     n coordinates, or NULL for no eq factor
 *   inputs  inputs_len (= expr->inputs_len) tables of 2^n entries
 * The prover computes its round polynomials from the tables and uses
 * `claim` only as the running sum (it does not check it): with a false
 * claim it still returns CAIRN_OK and a proof that the verifier rejects
 * except with probability <= n d / p^2.  Time O(2^n * (k + terms * d *
 * factors)), memory: its own copies of the tables after the first fold,
 * 2^(n-1) extension elements each (16 bytes), plus O(2^(n/2)) for eq.
 * CAIRN_ERR_ARG for a bad expression, n > CAIRN_SUMCHECK_MAX_VARS, a degree
 * over the limit, an input with neither or both tables; CAIRN_ERR_NOMEM.
 * On failure the outputs are unspecified and t may have advanced.
 */
cairn_status cairn_sumcheck_prove(cairn_sumcheck_proof *proof, cairn_fp2 *point, cairn_fp2 *evals,
                                  cairn_transcript *t, const cairn_sumcheck_expr *expr,
                                  const cairn_fp2 *tau, const cairn_sumcheck_input *inputs,
                                  size_t inputs_len, size_t n, cairn_fp2 claim, cairn_error *err);

/* ---- one claim, streaming -------------------------------------------------- */

typedef struct {
    /*
     * Bytes the prover may hold (its own allocations; the row source's
     * buffers are not counted).  With switch_round = AUTO the prover takes
     * the smallest j (fewest passes) whose estimated peak
     * (cairn_sumcheck_stream_bytes) fits; CAIRN_ERR_LIMIT if none does.
     */
    size_t mem_budget;
    /* j in 0..n to force the switch point, or CAIRN_SUMCHECK_SWITCH_AUTO. */
    size_t switch_round;
    /* NULL: input c is row column c; else input c is row column columns[c] (< width). */
    const size_t *columns;
    /*
     * 0, or b in 1..64: every input column holds values below 2^b (as
     * cairn_sumcheck_input.small_bits).  Then, when j >= 2, one pass
     * computes the first L = 2 or 3 (at most j) rounds in integer
     * arithmetic (the small-value rounds) and rounds L..j-1 take one pass
     * each: j - L + 2 passes in all.  The proof is the same bytes; a broken promise costs
     * one extra pass.
     */
    unsigned small_bits;
} cairn_sumcheck_stream_opts;

typedef struct {
    size_t switch_round; /* j: rounds computed by passes over the rows */
    size_t passes;       /* streams of the row source: j + 1 (fewer with small_bits) */
    size_t peak_bytes;   /* high-water mark of the prover's own allocations */
} cairn_sumcheck_stream_stats;

/*
 * Upper bound on the bytes cairn_sumcheck_prove_stream holds at once for
 * k inputs over n variables with switch point j (what AUTO compares to the
 * budget).  SIZE_MAX on overflow.
 */
size_t cairn_sumcheck_stream_bytes(size_t n, size_t k, size_t j, size_t terms_len);

/*
 * As cairn_sumcheck_prove, reading the inputs from a row source of 2^n rows
 * (row x holds the inputs at x as base field elements, see opts->columns).
 * Rounds 0..j-1 are one pass each, accumulating eq(r_0..r_{i-1}, .)-weighted
 * row values; pass j materialises the folded tables (k * 2^(n-j) extension
 * elements, or the k base columns when j = 0) and rounds j..n-1 run in
 * memory.  The proof, point, evals and transcript are byte-identical to
 * cairn_sumcheck_prove's on the same tables.  stats (optional) reports j,
 * the passes and the peak.  Errors as cairn_sumcheck_prove, plus
 * CAIRN_ERR_ARG when rows->rows_len != 2^n or a column is out of range,
 * CAIRN_ERR_LIMIT when no switch point fits the budget, and whatever the
 * row source returns.
 */
cairn_status cairn_sumcheck_prove_stream(cairn_sumcheck_proof *proof, cairn_fp2 *point,
                                         cairn_fp2 *evals, cairn_sumcheck_stream_stats *stats,
                                         cairn_transcript *t, const cairn_sumcheck_expr *expr,
                                         const cairn_fp2 *tau, const cairn_rows *rows, size_t n,
                                         cairn_fp2 claim, const cairn_sumcheck_stream_opts *opts,
                                         cairn_error *err);

/* ---- transcript steps, for provers with their own kernels ---------------------- */

/*
 * The transcript every sum-check prover above writes, for a prover that
 * computes its own round polynomials (the zkVM's point-function
 * sum-checks), so that cairn_sumcheck_verify replays it: first the header
 * (u64 "sumcheck/vars" n, u64 "sumcheck/degree" degree, fp2
 * "sumcheck/claim" claim), then per round the message msg = s_i(0),
 * s_i(2), ..., s_i(degree) absorbed as one fp2 vector "sumcheck/round",
 * and the challenge r_i squeezed as "sumcheck/challenge" (returned).
 */
void cairn_sumcheck_absorb_header(cairn_transcript *t, size_t n, size_t degree, cairn_fp2 claim);
cairn_fp2 cairn_sumcheck_absorb_round(cairn_transcript *t, const cairn_fp2 *msg, size_t degree);

/* ---- verifier ---------------------------------------------------------------- */

/*
 * Replay the rounds of `proof` for a claim over n variables of degree
 * `degree`: fill point (n elements) and *expected = c_n, the value
 * g(f(point)) [* eq(tau, point)] must have.  CAIRN_ERR_PARSE (naming what
 * differs) when proof->rounds != n or proof->degree != degree;
 * CAIRN_ERR_ARG for n or degree over the limits.  This step alone never
 * rejects: with s_i(1) implied by the running claim, a wrong claim or a
 * tampered round shows up as a wrong c_n, which the final check catches.
 */
cairn_status cairn_sumcheck_verify(cairn_fp2 *point, cairn_fp2 *expected, cairn_transcript *t,
                                   const cairn_sumcheck_proof *proof, size_t n, size_t degree,
                                   cairn_fp2 claim, cairn_error *err);

/*
 * The final check: CAIRN_OK when g(evals) [* eq(tau, point)] == expected,
 * else CAIRN_ERR_REJECTED with a message naming the final check after
 * round n.  evals_len must be expr->inputs_len (CAIRN_ERR_ARG).
 */
cairn_status cairn_sumcheck_verify_final(const cairn_sumcheck_expr *expr, const cairn_fp2 *tau,
                                         const cairn_fp2 *point, size_t n, const cairn_fp2 *evals,
                                         size_t evals_len, cairn_fp2 expected, cairn_error *err);

/*
 * cairn_sumcheck_verify with degree = cairn_sumcheck_expr_degree(expr, tau != NULL),
 * then cairn_sumcheck_verify_final on the caller's claimed evaluations
 * (which the caller must check separately, e.g. by PCS openings).
 */
cairn_status cairn_sumcheck_verify_claim(cairn_fp2 *point, cairn_transcript *t,
                                         const cairn_sumcheck_proof *proof,
                                         const cairn_sumcheck_expr *expr, const cairn_fp2 *tau,
                                         size_t n, cairn_fp2 claim, const cairn_fp2 *evals,
                                         size_t evals_len, cairn_error *err);

/* ---- batching ------------------------------------------------------------------ */

/*
 * One claim of a batch.  inputs may be NULL for the verifier.  n may differ
 * between the instances of one batch.
 */
typedef struct {
    const cairn_sumcheck_expr *expr;
    const cairn_fp2 *tau; /* n coordinates, or NULL */
    const cairn_sumcheck_input *inputs;
    size_t n;
    cairn_fp2 claim;
} cairn_sumcheck_instance;

/*
 * Prove m = inst_len claims with one sum-check of N = max n_j variables
 * and degree D = max d_j.  Transcript: u64 "sumcheck/batch/count" m; per
 * instance u64 "sumcheck/batch/vars" n_j, u64 "sumcheck/batch/degree" d_j,
 * fp2 "sumcheck/batch/claim" claim_j; then rho_0..rho_{m-1} = fp2 vector
 * "sumcheck/batch/coeffs"; then the single-claim protocol (header and
 * rounds) on
 *     sum_{x in {0,1}^N} sum_j rho_j P_j(x_0, ..., x_{n_j - 1})
 *         = sum_j rho_j 2^(N - n_j) claim_j,
 * P_j = instance j's summand: instance j uses the FIRST n_j variables
 * (bound in rounds 0..n_j-1) and is constant in the rest.  Its final point
 * is the prefix point[0 .. n_j).  evals receives, instance after instance,
 * f_c(point[0 .. n_j)) for each input c of instance j (sum_j k_j elements).
 * Soundness: (1 + N D) / p^2.  Errors as cairn_sumcheck_prove, plus
 * CAIRN_ERR_ARG for m = 0.
 */
cairn_status cairn_sumcheck_batch_prove(cairn_sumcheck_proof *proof, cairn_fp2 *point,
                                        cairn_fp2 *evals, cairn_transcript *t,
                                        const cairn_sumcheck_instance *inst, size_t inst_len,
                                        cairn_error *err);

/*
 * The later rounds of a split instance (cairn_sumcheck_batch_prove_split):
 * for round i (split_j <= i < n_j) write to out[2c] and out[2c + 1] input
 * c's values f_c(point[0 .. i), X, tau[i+1 .. n_j)) at X = 0 and X = 1;
 * for i = n_j write f_c(point[0 .. n_j)) to out[c].  point holds the
 * batch's first i challenges.  Called in round order for each instance.
 */
typedef cairn_status (*cairn_sumcheck_pair_fn)(cairn_fp2 *out, void *ctx, size_t inst, size_t round,
                                               const cairn_fp2 *point, cairn_error *err);

/*
 * cairn_sumcheck_batch_prove with instances whose eq point ends in fixed
 * bits, given only on the block those bits select: instance j with
 * split[j] < n_j has a tau whose coordinates split[j] .. n_j - 1 are each 0
 * or 1 (bits b), and its inputs are tables of 2^split[j] entries, f_c(x, b).
 * Since eq(tau, .) vanishes off that block, its first split[j] rounds are
 * those of the claim on the block; from round split[j] on, only one pair
 * of each input has a non-zero eq weight, and the prover asks pair(ctx, j,
 * i, point) for it (and for the final evaluations).  An instance with
 * split[j] >= n_j is an ordinary one (tables of 2^n_j).  The transcript,
 * proof, point and evals are byte for byte those of
 * cairn_sumcheck_batch_prove on the full tables.  Memory: the block
 * tables' folds (2^(split[j] - 1) extension elements per input) and the
 * scratch of cairn_sumcheck_batch_prove.  Errors as that, plus
 * CAIRN_ERR_ARG for a split instance without tau or with a coordinate
 * past split[j] that is not 0 or 1, and whatever pair returns.
 */
cairn_status cairn_sumcheck_batch_prove_split(cairn_sumcheck_proof *proof, cairn_fp2 *point,
                                              cairn_fp2 *evals, cairn_transcript *t,
                                              const cairn_sumcheck_instance *inst, size_t inst_len,
                                              const size_t *split, cairn_sumcheck_pair_fn pair,
                                              void *ctx, cairn_error *err);

/*
 * The window tables of a batch's head instances
 * (cairn_sumcheck_batch_prove_parts).  Instance j with head[j] = W > 0
 * runs its first W rounds on tables of 2^W entries and the rest on tables
 * the callee materialises at round W; tables[j] is NULL for every other
 * instance, else its k_j tables for the callee to fill:
 *   round 0 (every head instance):  2^W entries,
 *       B_c(y) = sum_{z in {0,1}^(s - W)} eq(tau[W .. s), z) f_c(y + 2^W z);
 *   round W (the instances whose head ends there):  2^(s - W) entries,
 *       f_c(point[0 .. W), z),
 * s being the instance's table variables (split[j] for a split instance,
 * else n_j) and f_c its input tables over s variables.  The callee sees
 * every instance of a round in one call, so it can read its rows once
 * for all of them.  That is what lets a linear claim over rows it streams
 * be proven in two passes with tables of about 2^(s/2) entries.
 */
typedef cairn_status (*cairn_sumcheck_window_fn)(void *ctx, size_t round, const cairn_fp2 *point,
                                                 cairn_fp2 **const *tables, cairn_error *err);

/* How the instances of cairn_sumcheck_batch_prove_parts give their tables. */
typedef struct {
    const size_t *split;          /* per instance (as _split), or NULL */
    cairn_sumcheck_pair_fn pair;  /* required with split */
    const size_t *head;           /* per instance: rounds on window tables (0: none), or NULL */
    cairn_sumcheck_window_fn window; /* required with head */
    void *ctx;                    /* handed to pair and window */
} cairn_sumcheck_batch_parts;

/*
 * cairn_sumcheck_batch_prove_split with head instances besides: instance
 * j with head[j] = W (0 < W < s, s as above, and a tau) has no input
 * tables (inputs NULL); cairn_sumcheck_window_fn gives them.  Its
 * expression must be linear (no term of two or more factors): the window
 * tables then carry exactly the round polynomials of the full tables, so
 * transcript, proof, point and evals are byte for byte those of
 * cairn_sumcheck_batch_prove.  Errors as _split, plus CAIRN_ERR_ARG for a
 * head out of range, without tau or window, or on a non-linear
 * expression, and whatever window returns.
 */
cairn_status cairn_sumcheck_batch_prove_parts(cairn_sumcheck_proof *proof, cairn_fp2 *point,
                                              cairn_fp2 *evals, cairn_transcript *t,
                                              const cairn_sumcheck_instance *inst, size_t inst_len,
                                              const cairn_sumcheck_batch_parts *parts,
                                              cairn_error *err);

/*
 * Verify a batch: point receives N = max n_j elements, evals are the
 * claimed final evaluations laid out as cairn_sumcheck_batch_prove writes
 * them (evals_len = sum_j k_j, else CAIRN_ERR_ARG).  CAIRN_ERR_PARSE for a
 * proof of the wrong shape, CAIRN_ERR_REJECTED when
 * sum_j rho_j g_j(evals_j) [eq(tau_j, point[0..n_j))] differs from the last
 * round's value.
 */
cairn_status cairn_sumcheck_batch_verify(cairn_fp2 *point, cairn_transcript *t,
                                         const cairn_sumcheck_proof *proof,
                                         const cairn_sumcheck_instance *inst, size_t inst_len,
                                         const cairn_fp2 *evals, size_t evals_len,
                                         cairn_error *err);

/* ---- evaluation-claim reduction ------------------------------------------------- */

/*
 * Reduce m claims f(z_j) = v_j (j < m = values_len; z_j = points[j*n ..
 * (j+1)*n)) about one multilinear f over n variables to one claim
 * f(point) = *value.  Transcript: u64 "sumcheck/reduce/count" m, fp2 vector
 * "sumcheck/reduce/points" (all m*n coordinates), fp2 vector
 * "sumcheck/reduce/values", alpha = fp2 "sumcheck/reduce/alpha"; then the
 * single-claim protocol of degree 2 for
 *     sum_x f(x) W(x) = sum_j alpha^j v_j,   W(x) = sum_j alpha^j eq(z_j, x);
 * then the prover absorbs fp2 "sumcheck/reduce/value" f(point).  The
 * prover materialises W (2^n extension elements).  Soundness:
 * (m - 1 + 2 n) / p^2.  Errors as cairn_sumcheck_prove; m = 0 is CAIRN_ERR_ARG.
 */
cairn_status cairn_sumcheck_reduce_prove(cairn_sumcheck_proof *proof, cairn_fp2 *point,
                                         cairn_fp2 *value, cairn_transcript *t,
                                         const cairn_sumcheck_input *f, size_t n,
                                         const cairn_fp2 *points, const cairn_fp2 *values,
                                         size_t values_len, cairn_error *err);

/*
 * The verifier's side: given the prover's claimed f(point) = value, replay
 * the sum-check, check value * W(point) against the last round
 * (CAIRN_ERR_REJECTED otherwise), absorb value, and fill point (n
 * elements).  On CAIRN_OK the m claims reduce to the one claim
 * f(point) = value, which the caller still has to check.
 */
cairn_status cairn_sumcheck_reduce_verify(cairn_fp2 *point, cairn_transcript *t,
                                          const cairn_sumcheck_proof *proof, size_t n,
                                          const cairn_fp2 *points, const cairn_fp2 *values,
                                          size_t values_len, cairn_fp2 value, cairn_error *err);

#endif /* CAIRN_SUMCHECK_H */
