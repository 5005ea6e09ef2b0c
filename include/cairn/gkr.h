/*
 * cairn/gkr.h — fractional-sum GKR (LogUp-GKR, Papini–Haböck, ePrint
 * 2023/1284 §3) for a batch of instances of different sizes, and the
 * indexed lookup logup* (Soukhanov, ePrint 2025/946) built on it.
 * docs/gkr.md specifies the protocol, the byte format and the transcript
 * order; docs/security.md §6 counts the soundness terms.
 *
 * Fractional sum.  Instance j has n_j variables and leaves p_j(x), q_j(x)
 * for x in {0,1}^(n_j) (tables in the project's variable order, cairn/poly.h).
 * Its tree has layers k = n_j (the leaves) up to k = 0 (the root); layer k
 * has 2^k fractions, and the fraction at y < 2^k is the sum of its children
 * y and y + 2^k in layer k + 1 (the new variable is the MOST significant):
 *     p_k(y) = p_{k+1}(y) q_{k+1}(y + 2^k) + p_{k+1}(y + 2^k) q_{k+1}(y)
 *     q_k(y) = q_{k+1}(y) q_{k+1}(y + 2^k)
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
 * cairn_gkr_verify.  Time O(sum_j 2^n_j) extension operations (about 4
 * passes over each layer); memory: the layers above the leaves (2 * 2^n_j
 * extension elements per instance) plus O(2^n_j) scratch for the layer
 * being proven.  CAIRN_ERR_ARG for shapes over the limits, a missing q,
 * or a zero leaf denominator (the message names instance and leaf);
 * CAIRN_ERR_NOMEM.  On failure outputs are unspecified and t may have
 * advanced.
 */
cairn_status cairn_gkr_prove(cairn_gkr_proof *proof, cairn_fp2 *points, cairn_fp2 *p_evals,
                             cairn_fp2 *q_evals, cairn_transcript *t,
                             const cairn_gkr_instance *inst, size_t inst_len, cairn_error *err);

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

#endif /* CAIRN_GKR_H */
