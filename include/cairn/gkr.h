/*
 * cairn/gkr.h — fractional-sum GKR (LogUp-GKR, Papini–Haböck, ePrint
 * 2023/1284) for a batch of instances of different sizes, and the
 * indexed lookup logup* (Soukhanov, ePrint 2025/946) built on it.
 * docs/gkr.md specifies the protocol, the byte format and the transcript
 * order; docs/security.md §6 counts the soundness terms.
 *
 * Fractional sum.  Instance j has n_j variables and leaves p_j(x), q_j(x)
 * for x in {0,1}^(n_j) (tables in the project's variable order, cairn/poly.h).
 * Its tree has layers k = n_j (the leaves) up to k = 0 (the root); layer k
 * has 2^k fractions, and the fraction at y < 2^k is the sum of its children
 * 2y and 2y + 1 in layer k + 1 (the new variable is the LEAST significant,
 * so every fraction sums a contiguous block of leaves):
 *     p_k(y) = p_{k+1}(2y) q_{k+1}(2y + 1) + p_{k+1}(2y + 1) q_{k+1}(2y)
 *     q_k(y) = q_{k+1}(2y) q_{k+1}(2y + 1)
 * so the root (P_j, Q_j) satisfies P_j / Q_j = sum_x p_j(x) / q_j(x) when
 * no leaf denominator is zero, and Q_j = prod_x q_j(x) is zero when one is.
 *
 * Batching.  All instances are aligned at the root: layer k of every
 * instance with n_j > k has 2^k entries, and one degree-3 sum-check per
 * layer proves all of them at one shared point.  An instance leaves the
 * batch after its last layer; its leaf point is the shared point of depth
 * n_j.  The verifier ends with, per instance, a point point_j (n_j
 * coordinates) and two values p_eval_j, q_eval_j, and THE CALLER MUST
 * DISCHARGE
 *     p_j(point_j) = p_eval_j   and   q_j(point_j) = q_eval_j
 * (by evaluating public or virtual leaf functions itself, or through
 * claims on committed polynomials and the PCS), and must itself have bound
 * (absorbed or committed) everything the leaves depend on before calling.
 * The verifier rejects a root denominator of zero (a pole) and, when asked,
 * a root sum other than the expected one.
 *
 * Ownership: proofs own their arrays (cairn_gkr_proof_clear frees them);
 * inputs are borrowed.  Functions are single-threaded and re-entrant.
 */
#ifndef CAIRN_GKR_H
#define CAIRN_GKR_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"
#include "cairn/field.h"
#include "cairn/rows.h"
#include "cairn/sumcheck.h"
#include "cairn/transcript.h"

/* Limits (CAIRN_ERR_ARG for the prover, CAIRN_ERR_PARSE for untrusted shapes). */
#define CAIRN_GKR_MAX_INSTANCES 1024u
#define CAIRN_GKR_MAX_VARS      CAIRN_SUMCHECK_MAX_VARS
/* Degree of every layer sum-check: eq * (p q + p q + q q). */
#define CAIRN_GKR_LAYER_DEGREE 3u

/* ---- fractional-sum GKR ------------------------------------------------------ */

/*
 * One instance of the prover: 2^n leaves.  q is a base or extension table
 * (exactly one pointer non-NULL).  p likewise, or both NULL for p = 1 on
 * every leaf.
 */
typedef struct {
    size_t n;
    cairn_sumcheck_input p;
    cairn_sumcheck_input q;
} cairn_gkr_instance;

/*
 * A proof: the instance shapes (vars, owned copy) and `elems`, the
 * extension elements in encoding order (docs/gkr.md):
 *   2m roots P_0, Q_0, ..., P_{m-1}, Q_{m-1}; then for each layer
 *   k = 0 .. N-1 (N = max n_j): k rounds of 3 elements (s(0), s(2), s(3)),
 *   then p0, p1, q0, q1 for each instance with n_j > k, in index order.
 */
typedef struct {
    size_t inst_len;
    size_t *vars;
    size_t elems_len;
    cairn_fp2 *elems;
} cairn_gkr_proof;

void cairn_gkr_proof_init(cairn_gkr_proof *p);
/* Free and reset to the empty proof; safe on NULL and after a half-done init. */
void cairn_gkr_proof_clear(cairn_gkr_proof *p);

/*
 * Number of extension elements of a proof for these shapes, or 0 when
 * inst_len is 0 or over CAIRN_GKR_MAX_INSTANCES or some n_j over
 * CAIRN_GKR_MAX_VARS.
 */
size_t cairn_gkr_proof_elems(const size_t *vars, size_t inst_len);

/* Encoded size in bytes: 16 * cairn_gkr_proof_elems (0 for bad shapes). */
size_t cairn_gkr_proof_size(const size_t *vars, size_t inst_len);

/*
 * Write p's encoding into out[0 .. out_len); out_len must be exactly
 * cairn_gkr_proof_size(p->vars, p->inst_len) (CAIRN_ERR_ARG otherwise).
 */
cairn_status cairn_gkr_proof_encode(uint8_t *out, size_t out_len, const cairn_gkr_proof *p,
                                    cairn_error *err);

/*
 * Parse untrusted bytes into p (cleared first) as a proof for exactly these
 * shapes.  CAIRN_ERR_PARSE when in_len differs from the size the shapes
 * give or an element is not canonical (the message names the part);
 * CAIRN_ERR_ARG for shapes over the limits; CAIRN_ERR_NOMEM.
 */
cairn_status cairn_gkr_proof_decode(cairn_gkr_proof *p, const uint8_t *in, size_t in_len,
                                    const size_t *vars, size_t inst_len, cairn_error *err);

/*
 * Prove the fractional sums of inst[0 .. inst_len).  Outputs (arrays the
 * caller provides): points, sum_j n_j elements, instance after instance;
 * p_evals and q_evals, inst_len elements: the leaf evaluations the
 * verifier will output.  The transcript advances exactly as in
 * cairn_gkr_verify.  threads (0 or 1: the caller's thread only) spreads
 * the instances of each layer over threads; the proof does not depend on it.  Time O(sum_j 2^n_j) extension operations (about 4
 * passes over each layer); memory: the layers above the leaves (2 * 2^n_j
 * extension elements per instance) plus O(2^n_j) scratch for the layer
 * being proven.  CAIRN_ERR_ARG for shapes over the limits, a missing q,
 * or a zero leaf denominator (the message names instance and leaf);
 * CAIRN_ERR_NOMEM.  On failure outputs are unspecified and t may have
 * advanced.
 */
cairn_status cairn_gkr_prove(cairn_gkr_proof *proof, cairn_fp2 *points, cairn_fp2 *p_evals,
                             cairn_fp2 *q_evals, cairn_transcript *t,
                             const cairn_gkr_instance *inst, size_t inst_len, unsigned threads,
                             cairn_error *err);

/*
 * Verify a proof for instances of vars[0 .. inst_len) variables.  Rejects
 * (CAIRN_ERR_REJECTED, naming instance or layer) a zero root denominator,
 * a failed layer check, and, when expected_sum is non-NULL, a root sum
 * sum_j P_j / Q_j different from *expected_sum.  CAIRN_ERR_PARSE when the
 * proof's shape differs from vars.  On CAIRN_OK, points, p_evals, q_evals
 * are filled as cairn_gkr_prove documents them, and the claims
 * p_j(point_j) = p_evals[j], q_j(point_j) = q_evals[j] remain for the
 * caller to check.
 */
cairn_status cairn_gkr_verify(cairn_fp2 *points, cairn_fp2 *p_evals, cairn_fp2 *q_evals,
                              cairn_transcript *t, const cairn_gkr_proof *proof,
                              const size_t *vars, size_t inst_len, const cairn_fp2 *expected_sum,
                              cairn_error *err);

/*
 * *sum = sum_j P_j / Q_j over the proof's roots.  CAIRN_ERR_REJECTED when
 * some Q_j is zero (a pole), CAIRN_ERR_PARSE for an empty proof.
 */
cairn_status cairn_gkr_root_sum(cairn_fp2 *sum, const cairn_gkr_proof *proof, cairn_error *err);

/* ---- streaming prover ------------------------------------------------------- */

/* Largest number of terms of one affine leaf function. */
#define CAIRN_GKR_MAX_TERMS 64u

/*
 * A leaf function of a row: constant + sum_t coeffs[t] * row[cols[t]]
 * (e.g. q = alpha - sum_l beta_l field_l, a fingerprint; p = 1 is the
 * constant 1 with no terms).
 */
typedef struct {
    cairn_fp2 constant;
    size_t terms_len;
    const size_t *cols;
    const cairn_fp2 *coeffs;
} cairn_gkr_affine;

/* An instance whose leaf x is (p(row x), q(row x)) for rows 0 .. 2^n - 1 of the source. */
typedef struct {
    size_t n;
    cairn_gkr_affine p, q;
} cairn_gkr_row_instance;

typedef struct {
    /* Bytes the prover may hold at once (its own allocations; the row
       source's buffers and the proof are not counted). */
    size_t mem_budget;
    /* Threads for the in-memory layers and rounds (0 or 1: the caller's). */
    unsigned threads;
} cairn_gkr_stream_opts;

typedef struct {
    size_t switch_layer; /* s: layers 0 .. s-1 proven in memory from layer s */
    size_t passes;       /* streams of the row source */
    size_t peak_bytes;   /* the planned high-water mark of the prover's allocations */
} cairn_gkr_stream_stats;

/*
 * Materialise the leaves of one row instance: p and q get 2^n elements.
 * Errors: CAIRN_ERR_ARG for a column out of range or too few rows, or
 * whatever the row source returns.
 */
cairn_status cairn_gkr_row_leaves(cairn_fp2 *p, cairn_fp2 *q, const cairn_rows *rows,
                                  const cairn_gkr_row_instance *in, cairn_error *err);

/*
 * As cairn_gkr_prove on the leaves the row instances define, reading them
 * from a row source in passes (rows_len >= 2^max n_j).  One pass computes
 * layer s of every instance (the largest s whose layers fit the budget);
 * layers 0 .. s-1 are proven in memory; every larger layer k runs its
 * first i0_k rounds two per pass (the folded values recomputed from the
 * rows, eq weights from split tables) and a further pass materialises the
 * tables folded i0_k times, the smallest i0_k that fits; its remaining
 * rounds run in memory.  Proof, outputs and transcript are byte-identical
 * to cairn_gkr_prove's for every budget.  stats (optional) reports s, the
 * passes and the planned peak.  CAIRN_ERR_LIMIT when no plan fits the
 * budget; other errors as cairn_gkr_prove and the row source.
 */
cairn_status cairn_gkr_prove_stream(cairn_gkr_proof *proof, cairn_fp2 *points,
                                    cairn_fp2 *p_evals, cairn_fp2 *q_evals,
                                    cairn_gkr_stream_stats *stats, cairn_transcript *t,
                                    const cairn_rows *rows, const cairn_gkr_row_instance *inst,
                                    size_t inst_len, const cairn_gkr_stream_opts *opts,
                                    cairn_error *err);

/* ---- indexed lookup (logup*) ------------------------------------------------- */

/*
 * An index column i(x), x in {0,1}^n (committed by the caller, values in
 * [0, K)), looks up a public table of K = 2^kappa rows with cols_len value
 * columns T_c.  The looked-up values v_c(x) = T_c(i(x)) are virtual: a
 * claim v_c(z) = values[c] reduces to
 *     v_c(z) = <Y, T_c>,   Y[b] = sum_{x : i(x) = b} eq(z, x)
 * where the pushforward Y (K extension elements) is computed by the prover
 * after z is fixed and committed by the caller BEFORE cairn_logup_star_prove
 * (the caller absorbs its commitment into the transcript).  Y's correctness
 * is the fractional-sum identity
 *     sum_x eq(z, x) / (alpha - i(x)) = sum_b Y[b] / (alpha - b)
 * proven by the GKR above, with alpha drawn after optional grinding.
 *
 * Statement: the caller's transcript must already bind the index column's
 * commitment, the table, and Y's commitment; the component absorbs n,
 * kappa, the column count, z and the values itself.  z MUST be drawn from
 * the transcript after the index column is committed: an index outside
 * the table is caught only because its eq(z, x) weight is non-zero, and a
 * prover who could choose z could make the out-of-table rows' weights sum
 * to zero (docs/security.md §6).
 */
typedef struct {
    size_t n;                       /* index variables: 2^n rows */
    size_t kappa;                   /* table variables: K = 2^kappa rows */
    const cairn_fp *const *columns; /* cols_len public columns of K entries */
    size_t cols_len;
    const cairn_fp2 *z;      /* n coordinates: the point of the claims */
    const cairn_fp2 *values; /* cols_len claimed values v_c(z) */
    unsigned grind_bits;     /* proof of work before alpha (docs/security.md §6) */
} cairn_logup_star_statement;

/* Largest number of value columns. */
#define CAIRN_LOGUP_STAR_MAX_COLUMNS 64u

/*
 * A logup* proof: the grinding nonce, the degree-2 sum-check (kappa rounds)
 * of <Y, T_gamma>, the claimed Y(s) at its point, and the GKR proof of the
 * two instances (n: eq(z, .) / (alpha - i), kappa: -Y / (alpha - b)).
 */
typedef struct {
    uint64_t nonce;
    cairn_sumcheck_proof inner;
    cairn_fp2 y_eval;
    cairn_gkr_proof gkr;
} cairn_logup_star_proof;

/*
 * What the caller must discharge after cairn_logup_star_verify accepts:
 *     i(index_point) = index_value           (the committed index column)
 *     Y(y_points[u]) = y_values[u], u = 0, 1 (the committed pushforward)
 * index_point has n coordinates, y_points kappa each.
 */
typedef struct {
    cairn_fp2 index_point[CAIRN_GKR_MAX_VARS];
    cairn_fp2 index_value;
    cairn_fp2 y_points[2][CAIRN_GKR_MAX_VARS];
    cairn_fp2 y_values[2];
} cairn_logup_star_claims;

void cairn_logup_star_proof_init(cairn_logup_star_proof *p);
void cairn_logup_star_proof_clear(cairn_logup_star_proof *p);

/* Encoded size: 8 (nonce) + 32 kappa (rounds) + 16 (Y(s)) + the GKR proof; 0 over the limits. */
size_t cairn_logup_star_proof_size(size_t n, size_t kappa);

/* Encode into exactly cairn_logup_star_proof_size(n, kappa) bytes (CAIRN_ERR_ARG otherwise). */
cairn_status cairn_logup_star_proof_encode(uint8_t *out, size_t out_len,
                                           const cairn_logup_star_proof *p, size_t n, size_t kappa,
                                           cairn_error *err);

/* Strict parse for these sizes: CAIRN_ERR_PARSE for a wrong length or a non-canonical element. */
cairn_status cairn_logup_star_proof_decode(cairn_logup_star_proof *p, const uint8_t *in,
                                           size_t in_len, size_t n, size_t kappa,
                                           cairn_error *err);

/*
 * y[b] = sum_{x : index[x] = b} eq(z, x) for b < 2^kappa (y: 2^kappa
 * elements; index: 2^n base elements; z: n coordinates).  CAIRN_ERR_ARG
 * naming the row when an index is not below 2^kappa, or sizes over the
 * limits; CAIRN_ERR_NOMEM.
 */
cairn_status cairn_logup_star_pushforward(cairn_fp2 *y, const cairn_fp *index, size_t n,
                                          const cairn_fp2 *z, size_t kappa, cairn_error *err);

/*
 * Prove the statement from the index column (2^n entries) and the
 * pushforward y (2^kappa entries), after the caller has bound y's
 * commitment.  Fills proof and the claims the verifier will output.  The
 * prover does not check its inputs: a wrong y or an index outside the
 * table gives a proof the verifier rejects.  grind_bits over
 * CAIRN_TRANSCRIPT_MAX_POW_BITS, sizes over the limits, more than
 * CAIRN_LOGUP_STAR_MAX_COLUMNS columns: CAIRN_ERR_ARG; alpha equal to an
 * index or table row (probability (2^n + K)/p^2): CAIRN_ERR_ARG from the
 * GKR prover; CAIRN_ERR_NOMEM.  Memory: 4 * 2^n extension elements.
 */
cairn_status cairn_logup_star_prove(cairn_logup_star_proof *proof,
                                    cairn_logup_star_claims *claims, cairn_transcript *t,
                                    const cairn_logup_star_statement *st, const cairn_fp *index,
                                    const cairn_fp2 *y, cairn_error *err);

/*
 * Verify: CAIRN_ERR_REJECTED for a failed proof of work, a failed inner
 * sum-check, a failed GKR (poles, the two fractional sums differing, a
 * layer), or leaf claims that the verifier evaluates itself (eq(z, .) at
 * the index point, alpha - b at the table point) not matching;
 * CAIRN_ERR_PARSE for a proof of the wrong shape.  On CAIRN_OK, claims
 * holds what the caller must still discharge (see the type).  Time
 * O(K * cols_len) for the table evaluations, plus O(n^2 + kappa^2).
 */
cairn_status cairn_logup_star_verify(cairn_logup_star_claims *claims, cairn_transcript *t,
                                     const cairn_logup_star_proof *proof,
                                     const cairn_logup_star_statement *st, cairn_error *err);

/* ---- batched indexed lookup (logup* over several columns and points) -------- */

/*
 * m index columns i_1 .. i_m, each of 2^n rows (committed by the caller,
 * values in [0, K)), look up ONE public table of K = 2^kappa rows with
 * value columns T_0 .. T_{C-1}, and the looked-up values are claimed at P
 * points z_1 .. z_P (n coordinates each):
 *     v[c][l][k] = sum_x eq(z_k, x) T_c(i_l(x))       (all C * m * P of them)
 * All claims are discharged by ONE pushforward of K extension elements,
 *     Y[b] = sum_{l,k} nu_{l,k} sum_{x : i_l(x) = b} eq(z_k, x),
 * through S = sum_{c,l,k} gamma_c nu_{l,k} v[c][l][k] = <Y, T_gamma>, and
 * Y's correctness through one fractional-sum identity (docs/gkr.md §8).
 *
 * ORDER (the caller's transcript, both sides alike):
 *   1. commit the index columns, and bind the table; draw z_1 .. z_P AFTER
 *      the index columns are bound (an index outside the table is caught
 *      only through its non-zero eq weights, docs/security.md §6);
 *   2. cairn_logup_star_batch_bind: absorbs the shapes, the points and the
 *      values, draws nu and gamma (phase A);
 *   3. the prover computes Y (cairn_logup_star_batch_pushforward) and the
 *      caller COMMITS Y and absorbs the commitment (phase 2 of the PCS);
 *   4. cairn_logup_star_batch_prove / _verify with the challenges of step 2
 *      (phase B: grinding, alpha, the inner sum-check, the GKR);
 *   5. the caller discharges the claims it gets back.
 * A Y not bound before alpha lets a prover prove false values (it can
 * choose Y after alpha); phase B therefore absorbs the statement's
 * y_binding (Y's commitment) itself.  A Y committed before nu is drawn
 * cannot be the honest one (completeness), and challenges not from step
 * 2 on the same transcript void the soundness argument.
 */

/* Limits of a batched lookup. */
#define CAIRN_LOGUP_STAR_MAX_INDEX  64u /* index columns m */
#define CAIRN_LOGUP_STAR_MAX_POINTS 8u  /* points P */

/*
 * Optional closed form of the table: out[c] = T_c(r) for c < cols_len, the
 * multilinear extensions at r (kappa coordinates).  Lets the verifier of a
 * structured table (byte functions of a 2^16-row table) work in O(kappa)
 * per column instead of O(K).
 */
typedef void (*cairn_logup_star_table_fn)(cairn_fp2 *out, const cairn_fp2 *r, size_t kappa,
                                          size_t cols_len, void *ctx);

typedef struct {
    size_t n;                         /* index variables: 2^n rows per column */
    size_t kappa;                     /* table variables: K = 2^kappa rows */
    size_t index_len;                 /* m: index columns, 1 .. CAIRN_LOGUP_STAR_MAX_INDEX */
    size_t points_len;                /* P: points, 1 .. CAIRN_LOGUP_STAR_MAX_POINTS */
    const cairn_fp2 *const *points;   /* P points of n coordinates */
    size_t cols_len;                  /* C: 1 .. CAIRN_LOGUP_STAR_MAX_COLUMNS */
    const cairn_fp *const *columns;   /* C public columns of K entries (the prover needs
                                         them; the verifier may pass NULL with table_eval) */
    cairn_logup_star_table_fn table_eval; /* optional, used by the verifier when set */
    void *table_ctx;
    const cairn_fp2 *values;          /* C * m * P values: v[c][l][k] at (c * m + l) * P + k */
    unsigned grind_bits;              /* proof of work before alpha */
    /*
     * Phase B only (bind ignores it): the bytes that bind Y, its
     * commitment (at least 16 bytes), absorbed by prove and verify before
     * the grinding and alpha.  A Y that alpha does not depend on lets a
     * prover pick Y after alpha and prove false values, so the component
     * takes the binding itself rather than trust the caller to absorb it.
     */
    const uint8_t *y_binding;
    size_t y_binding_len;
} cairn_logup_star_batch_statement;

/* The phase-A challenges: nu[l * P + k], gamma[c], and the combined claim S. */
typedef struct {
    cairn_fp2 nu[CAIRN_LOGUP_STAR_MAX_INDEX * CAIRN_LOGUP_STAR_MAX_POINTS];
    cairn_fp2 gamma[CAIRN_LOGUP_STAR_MAX_COLUMNS];
    cairn_fp2 claim;
} cairn_logup_star_batch_challenges;

/*
 * What the caller must discharge after cairn_logup_star_batch_verify accepts:
 *     i_l(index_point) = index_values[l]  for l < m  (every index column at
 *                                          the ONE shared point: all
 *                                          columns have n variables, so the
 *                                          GKR leaves them at the same point)
 *     Y(y_points[u]) = y_values[u], u = 0 (the inner sum-check's point),
 *                                   u = 1 (the GKR's table leaf point)
 */
typedef struct {
    cairn_fp2 index_point[CAIRN_GKR_MAX_VARS];
    cairn_fp2 index_values[CAIRN_LOGUP_STAR_MAX_INDEX];
    cairn_fp2 y_points[2][CAIRN_GKR_MAX_VARS];
    cairn_fp2 y_values[2];
} cairn_logup_star_batch_claims;

/*
 * The m index columns read from a row source rather than from arrays
 * (a witness regenerated on demand, DESIGN.md §3): i_l(x) is element
 * cols[l] of row x of rows, for x < 2^n (rows->rows_len >= 2^n, every
 * cols[l] < rows->width; columns may share a position).  Both are
 * borrowed for the call.  The provers taking one (the _rows entry points)
 * stream rows 0 .. 2^n - 1 of it, each stream a pass over the index
 * rows, and report the passes they made; they copy the values out of the
 * source's chunks into batches of 16384 rows (cairn_rows_gather), so the
 * work, and the bytes, are the same whatever chunks the source makes.  A
 * status other than OK from the source stops the call, which returns it.
 */
typedef struct {
    const cairn_rows *rows;
    const size_t *cols; /* m positions */
} cairn_logup_star_index;

/*
 * Phase A, called by prover and verifier alike right after the points are
 * drawn: checks the statement (CAIRN_ERR_ARG naming the field; a verifier
 * statement may omit the columns when it gives table_eval), absorbs u64
 * "logup-batch/vars" n, "logup-batch/table-vars" kappa,
 * "logup-batch/index-columns" m, "logup-batch/points" P,
 * "logup-batch/columns" C, "logup-batch/grind-bits" g, fp2 vectors
 * "logup-batch/point" (each z_k) and "logup-batch/values" (all C m P), then
 * squeezes the fp2 vectors "logup-batch/nu" (m P) and "logup-batch/gamma"
 * (C) into ch and sets ch->claim = S.
 */
cairn_status cairn_logup_star_batch_bind(cairn_logup_star_batch_challenges *ch,
                                         cairn_transcript *t,
                                         const cairn_logup_star_batch_statement *st,
                                         cairn_error *err);

/*
 * y[b] = sum_{l,k} nu_{l,k} sum_{x : index[l][x] = b} eq(z_k, x), b < K
 * (y: 2^kappa elements; index: m columns of 2^n base elements).  Runs on
 * the library's pool when threads > 1, in chunks of rows fixed by the sizes
 * (so y never depends on the thread count).  Time O(m P 2^n) extension
 * multiplications; memory O(P 2^(n/2)) for split eq tables plus up to
 * CAIRN_POOL_CHUNKS partial tables of K elements, no more than
 * m 2^n / 4 elements in all, plus a batch of min(2^n, 16384) rows of m
 * base elements and a chunk of 1024 such rows.  CAIRN_ERR_ARG for a bad
 * statement or an index outside the table (the message names column and
 * row: the first such row in row order, then column order);
 * CAIRN_ERR_NOMEM.
 */
cairn_status cairn_logup_star_batch_pushforward(cairn_fp2 *y,
                                                const cairn_logup_star_batch_statement *st,
                                                const cairn_logup_star_batch_challenges *ch,
                                                const cairn_fp *const *index, unsigned threads,
                                                cairn_error *err);

/*
 * The same y, byte for byte, with the index columns read from a row
 * source in one pass; *passes (optional) receives the passes made over
 * its rows (1 on success; on failure those made before it).  Memory as
 * cairn_logup_star_batch_pushforward's, less the chunk (the source's
 * own buffers are its own).  Errors as that function's, CAIRN_ERR_ARG for
 * a source of fewer than 2^n rows or a position outside its width, and
 * whatever the source returns.
 */
cairn_status cairn_logup_star_batch_pushforward_rows(cairn_fp2 *y, size_t *passes,
                                                     const cairn_logup_star_batch_statement *st,
                                                     const cairn_logup_star_batch_challenges *ch,
                                                     const cairn_logup_star_index *index,
                                                     unsigned threads, cairn_error *err);

/*
 * Encoded size: 8 (nonce) + 32 kappa (the inner sum-check) + 16 (Y(s)) +
 * the GKR proof for shapes (n repeated m times, kappa); 0 over the limits.
 * The proof object is cairn_logup_star_proof (its gkr part holds m + 1
 * instances); m = 1 is exactly the single-column format.
 */
size_t cairn_logup_star_batch_proof_size(size_t n, size_t kappa, size_t m);

/* Encode into exactly cairn_logup_star_batch_proof_size bytes (CAIRN_ERR_ARG otherwise). */
cairn_status cairn_logup_star_batch_proof_encode(uint8_t *out, size_t out_len,
                                                 const cairn_logup_star_proof *p, size_t n,
                                                 size_t kappa, size_t m, cairn_error *err);

/*
 * Strict parse for these sizes: CAIRN_ERR_PARSE for a wrong length or a
 * non-canonical element (naming the part); CAIRN_ERR_ARG for sizes over the
 * limits; CAIRN_ERR_NOMEM.
 */
cairn_status cairn_logup_star_batch_proof_decode(cairn_logup_star_proof *p, const uint8_t *in,
                                                 size_t in_len, size_t n, size_t kappa, size_t m,
                                                 cairn_error *err);

/*
 * Phase B, after the caller has bound Y's commitment: proof of work
 * ("logup-batch/grind"), alpha (fp2 "logup-batch/alpha"), the inner
 * sum-check of S = sum_b Y[b] T_gamma[b] (kappa rounds, degree 2), Y(s)
 * (fp2 "logup-batch/y-eval"), then the GKR of m + 1 instances, expected
 * total 0: instance l < m (n variables) p_l = sum_k nu_{l,k} eq(z_k, .),
 * q_l = alpha - i_l; instance m (kappa variables) p = -Y, q = alpha - b.
 * index: m columns of 2^n base elements; y: the committed pushforward.
 * The prover does not check its inputs: a wrong y or an index outside the
 * table gives a proof the verifier rejects.  threads: the grinding, the
 * leaf loop and the GKR layers (the proof bytes do not depend on it).
 * Time: O(K C) for T_gamma, O(K) for the inner sum-check, O(m P 2^n)
 * extension multiplications for the leaves, O(m 2^n + K) for the GKR.
 * Memory: the leaves, 2 m 2^n extension elements, plus 3 K for T_gamma and
 * the table side, plus split eq tables of P 2^(n/2) elements, a batch of
 * min(2^n, 16384) rows of m index values and a chunk of 1024 such rows
 * (all freed before the GKR),
 * plus the GKR's own layers (another 2 m 2^n + 2 K) and scratch: about
 * 64 m 2^n bytes at the peak.  CAIRN_ERR_ARG for a bad statement or
 * missing inputs, alpha equal to an index or table row (probability
 * (m 2^n + K)/p^2, from the GKR prover); CAIRN_ERR_NOMEM.
 */
cairn_status cairn_logup_star_batch_prove(cairn_logup_star_proof *proof,
                                          cairn_logup_star_batch_claims *claims,
                                          cairn_transcript *t,
                                          const cairn_logup_star_batch_statement *st,
                                          const cairn_logup_star_batch_challenges *ch,
                                          const cairn_fp *const *index, const cairn_fp2 *y,
                                          unsigned threads, cairn_error *err);

/*
 * The same proof, bytes and claims as cairn_logup_star_batch_prove, with
 * the index columns read from a row source in one pass (the leaves);
 * *passes (optional) receives the passes made over its rows (1 on
 * success; on failure those made before it).  Memory as that function's,
 * less the chunk.  Errors as that function's, CAIRN_ERR_ARG for a source of fewer than
 * 2^n rows or a position outside its width, and whatever the source
 * returns.
 */
cairn_status cairn_logup_star_batch_prove_rows(cairn_logup_star_proof *proof,
                                               cairn_logup_star_batch_claims *claims,
                                               size_t *passes, cairn_transcript *t,
                                               const cairn_logup_star_batch_statement *st,
                                               const cairn_logup_star_batch_challenges *ch,
                                               const cairn_logup_star_index *index,
                                               const cairn_fp2 *y, unsigned threads,
                                               cairn_error *err);

/*
 * The same proof, bytes and claims as cairn_logup_star_batch_prove, with
 * the GKR proven by cairn_gkr_prove_stream within mem_budget bytes (> 0):
 * the leaves are never held whole, but read in passes from rows computed
 * on the fly from the index columns, split eq tables and y.  Memory: the
 * budget, 3 K extension elements, the split eq tables, a buffer of
 * min(max(2^n, K), 16384) rows of m + 2P + 3 base elements and a chunk of
 * 1024 rows of m index values.  Errors as cairn_logup_star_batch_prove,
 * and CAIRN_ERR_LIMIT when no plan of the GKR fits the budget.
 */
cairn_status cairn_logup_star_batch_prove_stream(cairn_logup_star_proof *proof,
                                                 cairn_logup_star_batch_claims *claims,
                                                 cairn_transcript *t,
                                                 const cairn_logup_star_batch_statement *s,
                                                 const cairn_logup_star_batch_challenges *ch,
                                                 const cairn_fp *const *index, const cairn_fp2 *y,
                                                 size_t mem_budget, unsigned threads,
                                                 cairn_error *err);

/*
 * The same proof, bytes and claims as cairn_logup_star_batch_prove_stream,
 * with the index columns read from a row source: each pass of the GKR's
 * streaming prover that reaches rows below 2^n is one pass over the index
 * rows, gathered straight into the row buffer.  *passes (optional)
 * receives the passes made over the index rows (on failure those made
 * before it).  Memory as that function's, less the chunk; errors as that
 * function's, and as cairn_logup_star_batch_prove_rows' for the source.
 */
cairn_status cairn_logup_star_batch_prove_stream_rows(
    cairn_logup_star_proof *proof, cairn_logup_star_batch_claims *claims, size_t *passes,
    cairn_transcript *t, const cairn_logup_star_batch_statement *s,
    const cairn_logup_star_batch_challenges *ch, const cairn_logup_star_index *index,
    const cairn_fp2 *y, size_t mem_budget, unsigned threads, cairn_error *err);

/*
 * Verify phase B: CAIRN_ERR_REJECTED for a failed proof of work, a failed
 * inner sum-check (Y(s) T_gamma(s), T_gamma(s) from table_eval when set,
 * else from the columns), a failed GKR (poles, a non-zero total, a layer),
 * or a leaf the verifier evaluates itself not matching (p_l at the index
 * point, alpha - b at the table point); CAIRN_ERR_PARSE for a proof of
 * other shapes.  On CAIRN_OK, claims holds what the caller must still
 * discharge.  Time O(K C) from the columns (O(kappa C) with a closed-form
 * table_eval) plus O(m P n + (n + kappa)^2 + m max(n, kappa)).
 */
cairn_status cairn_logup_star_batch_verify(cairn_logup_star_batch_claims *claims,
                                           cairn_transcript *t,
                                           const cairn_logup_star_proof *proof,
                                           const cairn_logup_star_batch_statement *st,
                                           const cairn_logup_star_batch_challenges *ch,
                                           cairn_error *err);

/*
 * Bits of the batched lookup's terms not covered by the lookup term:
 * -log2( (2 + n + 1 + 2 kappa) / p^2 ) (the batching of the claims by
 * gamma and nu, an out-of-table index whose weights cancel, the inner
 * sum-check).  The lookup term is cairn_gkr_lookup_bits(m 2^n, K, 0, g)
 * and the GKR term cairn_gkr_layers_bits(max(n, kappa)) (docs/security.md §6).
 */
double cairn_logup_star_batch_bits(size_t n, size_t kappa);

/* ---- lookup challenges and multilinear fingerprints ---------------------------- */

/*
 * The challenges of a fractional-sum lookup, drawn after the caller has
 * bound the looked-up columns and the multiplicities: proof of work of
 * grind_bits (label "gkr/lookup/grind"; bits from
 * cairn_gkr_lookup_grind_bits), then alpha (fp2 "gkr/lookup/alpha") and the
 * fingerprint point beta (fp2 vector "gkr/lookup/beta", s coordinates).
 * The prover finds the nonce (threads as cairn_transcript_grind); the
 * verifier checks it (CAIRN_ERR_REJECTED when it fails the work).
 * CAIRN_ERR_ARG for grind_bits over CAIRN_TRANSCRIPT_MAX_POW_BITS or s over
 * CAIRN_GKR_MAX_VARS.
 */
cairn_status cairn_gkr_lookup_challenges_prove(uint64_t *nonce, cairn_fp2 *alpha, cairn_fp2 *beta,
                                               size_t s, cairn_transcript *t,
                                               unsigned grind_bits, unsigned threads,
                                               cairn_error *err);
cairn_status cairn_gkr_lookup_challenges_verify(cairn_fp2 *alpha, cairn_fp2 *beta, size_t s,
                                                cairn_transcript *t, unsigned grind_bits,
                                                uint64_t nonce, cairn_error *err);

/*
 * The weights of the multilinear fingerprint of tuples of `width` fields:
 * w[l] = eq(beta, l) for l < width, beta of s coordinates, width <= 2^s
 * (CAIRN_ERR_ARG otherwise).  The fingerprint of (a_0, ..., a_{width-1}) is
 * sum_l w[l] a_l, a multilinear polynomial of degree s in beta, so two
 * different tuples collide with probability at most s / p^2
 * (docs/security.md §6).
 */
cairn_status cairn_gkr_fingerprint_weights(cairn_fp2 *w, size_t width, const cairn_fp2 *beta,
                                           size_t s, cairn_error *err);

/* ---- soundness terms (docs/security.md §6) ------------------------------------ */

/*
 * Bits of the batched GKR: -log2( sum_{k < N} (3k + 2) / p^2 ) for N =
 * max n_j layers (per layer: the batching coefficients 1, the degree-3
 * sum-check 3k, the line through p0, p1 at lambda 1).  N = 0 gives +inf.
 */
double cairn_gkr_layers_bits(size_t layers);

/*
 * Bits of a fractional-sum lookup argument (LogUp-GKR or logup*) with
 * `fractions` looked-up fractions in all (rows x fractions per row),
 * `table_rows` table fractions in all, tuples fingerprinted by a
 * multilinear fingerprint in fp_vars variables (tuples of up to 2^fp_vars
 * fields; 0 for single values), and grind_bits of proof of work before
 * the challenges:
 *     -log2( (fractions + table_rows) (max(fp_vars, 1) + 1) / p^2 * 2^-grind_bits )
 * (the false rational identity surviving the random point, plus a pole).
 */
double cairn_gkr_lookup_bits(double fractions, double table_rows, unsigned fp_vars,
                             unsigned grind_bits);

/*
 * The fewest grinding bits g with cairn_gkr_lookup_bits(..., g) >= target_bits
 * (0 when no grinding is needed; CAIRN_TRANSCRIPT_MAX_POW_BITS + 1 when even
 * that is not enough).
 */
unsigned cairn_gkr_lookup_grind_bits(double fractions, double table_rows, unsigned fp_vars,
                                     double target_bits);

#endif /* CAIRN_GKR_H */
