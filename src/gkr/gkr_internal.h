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

#endif
