/*
 * lean_open.c — the lean row's openings (docs/zkvm-v2.md §6 steps 8, 9):
 * every claim the stages leave on a committed polynomial, opened through
 * the recursive PCS on a stacked batch (docs/pcs.md §9).
 *
 * A claim point names a group of the stacked layout, a point r in the
 * group's n_g variables and the values of ALL the group's members at r:
 * those an earlier stage claimed ("known") are the verifier's own, the
 * others the prover sends.  Once a point's member values are absorbed, a
 * challenge rho lifts it to (r || rho) in the batch's n variables, where
 * each of the group's slots has the claim sum_b eq(rho, b) value(b)
 * (cairn_pcs_stack_slot_claim); the slots of the other groups at that
 * lifted point are evaluations nobody claimed yet, so the prover sends
 * them too.  Then one PCS opening at all lifted points proves every slot
 * value, hence every member value.
 *
 * The extras sent are bound by the transcript before they are used: the
 * member values before rho, the other slots inside the PCS opening's own
 * absorption of its claims.  A wrong extra is a false PCS claim.
 */
#include <stdlib.h>
#include <string.h>

#include "zkvm_internal.h"

/* Members' values of every point: known ones kept, unknown ones computed (prover) or read. */
static cairn_status member_values(zl_claim_pt *pts, size_t npts, const cairn_pcs_stack *st,
                                  const cairn_fp *const *polys, const cairn_fp2 *extra,
                                  size_t extra_len, size_t *used, cairn_fp2 *out_extra,
                                  cairn_error *err)
{
    size_t e = 0;
    for (size_t i = 0; i < npts; i++) {
        const cairn_pcs_group *g = &st->groups[pts[i].group];
        for (size_t j = 0; j < g->count; j++) {
            if (pts[i].known[j])
                continue;
            if (polys != NULL) {
                cairn_status s = cairn_poly_eval_fp(&pts[i].vals[j],
                                                    polys[st->first_poly[pts[i].group] + j],
                                                    pts[i].r, g->num_vars);
                if (s != CAIRN_OK)
                    return cairn_error_set(err, s, "opening: evaluation failed");
                out_extra[e] = pts[i].vals[j];
            } else {
                if (e >= extra_len)
                    return cairn_error_set(err, CAIRN_ERR_PARSE, "opening: too few values");
                pts[i].vals[j] = extra[e];
            }
            e++;
        }
    }
    *used = e;
    return CAIRN_OK;
}

/* The slot ranges of group g: [first_slot[g], next). */
static size_t slot_end(const cairn_pcs_stack *st, size_t g)
{
    return g + 1 < st->groups_len ? st->first_slot[g + 1] : st->num_polys;
}

/* Absorb each point's member values, draw its rho, lift it; fills lifted (npts * num_vars). */
static void lift_all(cairn_fp2 *lifted, cairn_fp2 *rhos, cairn_transcript *t,
                     const zl_claim_pt *pts, size_t npts, const cairn_pcs_stack *st)
{
    for (size_t i = 0; i < npts; i++) {
        const cairn_pcs_group *g = &st->groups[pts[i].group];
        size_t extra_vars = st->num_vars - g->num_vars;
        cairn_transcript_absorb_fp2_vec(t, "lean/open/members", pts[i].vals, g->count);
        cairn_transcript_squeeze_fp2_vec(rhos + i * CAIRN_PCS_MAX_VARS, extra_vars, t,
                                         "lean/open/rho");
        cairn_pcs_stack_lift(lifted + i * st->num_vars, st, pts[i].group, pts[i].r,
                             rhos + i * CAIRN_PCS_MAX_VARS);
    }
}

size_t zl_open_extra_len(const zl_claim_pt *pts, size_t npts, const cairn_pcs_stack *st)
{
    size_t e = 0;
    for (size_t i = 0; i < npts; i++) {
        size_t g = pts[i].group;
        for (size_t j = 0; j < st->groups[g].count; j++)
            e += !pts[i].known[j];
        e += st->num_polys - (slot_end(st, g) - st->first_slot[g]);
    }
    return e;
}

cairn_status zl_open_prove(cairn_pcs_opening *op, cairn_fp2 *extra, cairn_transcript *t,
                           const cairn_pcs_prover *pr, const cairn_pcs_stack *st,
                           const cairn_pcs_params *params, const cairn_fp *const *polys,
                           zl_claim_pt *pts, size_t npts, cairn_error *err)
{
    size_t C = st->num_polys, N = st->num_vars, e;
    cairn_status s;
    cairn_fp2 *lifted = malloc(npts * N * sizeof *lifted + 1);
    cairn_fp2 *rhos = malloc(npts * CAIRN_PCS_MAX_VARS * sizeof *rhos + 1);
    cairn_fp2 *evals = malloc(npts * C * sizeof *evals + 1);
    cairn_rows src;
    cairn_pcs_stack_rows impl;
    memset(&impl, 0, sizeof impl);
    if (lifted == NULL || rhos == NULL || evals == NULL) {
        s = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the openings");
        goto out;
    }
    if ((s = member_values(pts, npts, st, polys, NULL, 0, &e, extra, err)) != CAIRN_OK)
        goto out;
    lift_all(lifted, rhos, t, pts, npts, st);
    if ((s = cairn_pcs_stack_rows_init(&src, &impl, st, params, polys, err)) != CAIRN_OK)
        goto out;
    /* every slot at every lifted point, in one pass; the other groups' slots are sent */
    if ((s = cairn_pcs_evaluate(evals, npts * C, params, &src, lifted, npts, err)) != CAIRN_OK)
        goto out;
    for (size_t i = 0; i < npts; i++) {
        size_t g = pts[i].group;
        for (size_t c = 0; c < C; c++)
            if (c < st->first_slot[g] || c >= slot_end(st, g))
                extra[e++] = evals[i * C + c];
    }
    s = cairn_pcs_open(op, t, pr, &src, lifted, npts, evals, npts * C, err);
out:
    cairn_pcs_stack_rows_clear(&impl);
    free(lifted);
    free(rhos);
    free(evals);
    return s;
}

cairn_status zl_open_verify(const cairn_pcs_commitment *com, cairn_transcript *t,
                            const cairn_pcs_stack *st, const cairn_pcs_opening *op,
                            const cairn_fp2 *extra, size_t extra_len, zl_claim_pt *pts,
                            size_t npts, cairn_error *err)
{
    size_t C = st->num_polys, N = st->num_vars, e;
    cairn_status s;
    if (extra_len != zl_open_extra_len(pts, npts, st))
        return cairn_error_set(err, CAIRN_ERR_PARSE, "opening: %zu values, expected %zu",
                               extra_len, zl_open_extra_len(pts, npts, st));
    cairn_fp2 *lifted = malloc(npts * N * sizeof *lifted + 1);
    cairn_fp2 *rhos = malloc(npts * CAIRN_PCS_MAX_VARS * sizeof *rhos + 1);
    cairn_fp2 *evals = malloc(npts * C * sizeof *evals + 1);
    if (lifted == NULL || rhos == NULL || evals == NULL) {
        s = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the openings");
        goto out;
    }
    if ((s = member_values(pts, npts, st, NULL, extra, extra_len, &e, NULL, err)) != CAIRN_OK)
        goto out;
    lift_all(lifted, rhos, t, pts, npts, st);
    for (size_t i = 0; i < npts; i++) {
        size_t g = pts[i].group;
        for (size_t c = 0; c < C; c++)
            evals[i * C + c] = c >= st->first_slot[g] && c < slot_end(st, g)
                                   ? cairn_pcs_stack_slot_claim(st, g, c, pts[i].vals,
                                                                rhos + i * CAIRN_PCS_MAX_VARS)
                                   : extra[e++];
    }
    s = cairn_pcs_verify(com, t, lifted, npts, evals, npts * C, op, err);
out:
    free(lifted);
    free(rhos);
    free(evals);
    return s;
}
