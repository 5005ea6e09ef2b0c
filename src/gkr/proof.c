/*
 * proof.c — the GKR proof object (init/clear), its strict byte encoding,
 * the layout arithmetic and the transcript steps shared by the prover and
 * the verifier (gkr_internal.h).
 *
 * The encoding has no header: the shapes (number of instances and their
 * variables) come from the statement, so a byte string of any other length
 * is a parse error, and every element must be canonical (docs/gkr.md,
 * "Byte format").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gkr_internal.h"

void cairn_gkr_proof_init(cairn_gkr_proof *p)
{
    if (p == NULL)
        return;
    p->inst_len = 0;
    p->vars = NULL;
    p->elems_len = 0;
    p->elems = NULL;
}

void cairn_gkr_proof_clear(cairn_gkr_proof *p)
{
    if (p == NULL)
        return;
    free(p->vars);
    free(p->elems);
    cairn_gkr_proof_init(p);
}

/* The largest of the instances' variable counts: the number of layers N. */
size_t gkr_max_vars(const size_t *vars, size_t m)
{
    size_t N = 0;
    for (size_t j = 0; j < m; j++)
        if (vars[j] > N)
            N = vars[j];
    return N;
}

/* How many instances still take part in layer k (those with more than k variables). */
size_t gkr_active(const size_t *vars, size_t m, size_t k)
{
    size_t a = 0;
    for (size_t j = 0; j < m; j++)
        a += vars[j] > k;
    return a;
}

/*
 * Element index where layer k begins: after the 2m roots and, for each
 * earlier layer l, its l rounds of 3 elements and 4 evaluations per
 * active instance.  Sizes are small (at most 2*1024 + 40*(120 + 4096))
 * so nothing overflows once the shapes passed gkr_check_shapes.
 */
size_t gkr_layer_offset(const size_t *vars, size_t m, size_t k)
{
    size_t off = 2 * m;
    for (size_t l = 0; l < k; l++)
        off += CAIRN_GKR_LAYER_DEGREE * l + 4 * gkr_active(vars, m, l);
    return off;
}

/*
 * Check the shapes against the limits: the count in 1..MAX_INSTANCES and
 * every instance at most MAX_VARS variables.  `code` says how the caller
 * classifies a violation (ARG for its own arguments, PARSE for a proof).
 */
cairn_status gkr_check_shapes(const size_t *vars, size_t m, cairn_status code, cairn_error *err)
{
    if (m == 0 || m > CAIRN_GKR_MAX_INSTANCES)
        return cairn_error_set(err, code, "GKR: %zu instances (allowed 1..%u)", m,
                               CAIRN_GKR_MAX_INSTANCES);
    if (vars == NULL)
        return cairn_error_set(err, code, "GKR: no instance shapes");
    for (size_t j = 0; j < m; j++)
        if (vars[j] > CAIRN_GKR_MAX_VARS)
            return cairn_error_set(err, code, "GKR instance %zu: %zu variables (limit %u)", j,
                                   vars[j], CAIRN_GKR_MAX_VARS);
    return CAIRN_OK;
}

size_t cairn_gkr_proof_elems(const size_t *vars, size_t inst_len)
{
    if (gkr_check_shapes(vars, inst_len, CAIRN_ERR_ARG, NULL) != CAIRN_OK)
        return 0;
    return gkr_layer_offset(vars, inst_len, gkr_max_vars(vars, inst_len));
}

size_t cairn_gkr_proof_size(const size_t *vars, size_t inst_len)
{
    return cairn_gkr_proof_elems(vars, inst_len) * CAIRN_FP2_BYTES;
}

cairn_status cairn_gkr_proof_encode(uint8_t *out, size_t out_len, const cairn_gkr_proof *p,
                                    cairn_error *err)
{
    if (p == NULL || p->elems == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "GKR proof encode: empty proof");
    size_t want = cairn_gkr_proof_size(p->vars, p->inst_len);
    if (want == 0 || p->elems_len * CAIRN_FP2_BYTES != want || out_len != want)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "GKR proof encode: buffer of %zu bytes, the proof needs %zu",
                               out_len, want);
    for (size_t i = 0; i < p->elems_len; i++)
        cairn_fp2_encode(out + i * CAIRN_FP2_BYTES, p->elems[i]);
    return CAIRN_OK;
}

/*
 * Name the part of the proof that element i belongs to, for parse errors:
 * "root 3", "layer 5 round 2", "layer 5 evaluations of instance 1".
 */
static void describe_elem(char *buf, size_t buf_len, const size_t *vars, size_t m, size_t i)
{
    if (i < 2 * m) {
        snprintf(buf, buf_len, "root %s of instance %zu", i % 2 ? "denominator" : "numerator",
                 i / 2);
        return;
    }
    size_t N = gkr_max_vars(vars, m);
    for (size_t k = 0; k < N; k++) {
        size_t off = gkr_layer_offset(vars, m, k), next = gkr_layer_offset(vars, m, k + 1);
        if (i >= next)
            continue;
        size_t rel = i - off;
        if (rel < CAIRN_GKR_LAYER_DEGREE * k)
            snprintf(buf, buf_len, "layer %zu round %zu", k, rel / CAIRN_GKR_LAYER_DEGREE);
        else
            snprintf(buf, buf_len, "layer %zu evaluations of active instance %zu", k,
                     (rel - CAIRN_GKR_LAYER_DEGREE * k) / 4);
        return;
    }
    snprintf(buf, buf_len, "element %zu", i);
}

cairn_status cairn_gkr_proof_decode(cairn_gkr_proof *p, const uint8_t *in, size_t in_len,
                                    const size_t *vars, size_t inst_len, cairn_error *err)
{
    cairn_gkr_proof_clear(p);
    cairn_status st = gkr_check_shapes(vars, inst_len, CAIRN_ERR_ARG, err);
    if (st != CAIRN_OK)
        return st;
    size_t count = cairn_gkr_proof_elems(vars, inst_len);
    if (in_len != count * CAIRN_FP2_BYTES || (in == NULL && in_len > 0))
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "GKR proof: %zu bytes, expected %zu for %zu instances", in_len,
                               count * CAIRN_FP2_BYTES, inst_len);
    p->vars = malloc(inst_len * sizeof *p->vars);
    p->elems = malloc(count * sizeof *p->elems);
    if (p->vars == NULL || p->elems == NULL) {
        cairn_gkr_proof_clear(p);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "GKR proof: %zu elements", count);
    }
    memcpy(p->vars, vars, inst_len * sizeof *vars);
    p->inst_len = inst_len;
    p->elems_len = count;
    for (size_t i = 0; i < count; i++) {
        if (cairn_fp2_decode(&p->elems[i], in + i * CAIRN_FP2_BYTES, NULL) != CAIRN_OK) {
            char where[96];
            describe_elem(where, sizeof where, vars, inst_len, i);
            cairn_gkr_proof_clear(p);
            return cairn_error_set(err, CAIRN_ERR_PARSE,
                                   "GKR proof: %s (bytes %zu..%zu) is not a canonical element",
                                   where, i * CAIRN_FP2_BYTES, (i + 1) * CAIRN_FP2_BYTES);
        }
    }
    return CAIRN_OK;
}

/* ---- transcript steps shared by prover and verifier ------------------------------ */

void gkr_absorb_statement(cairn_transcript *t, const size_t *vars, size_t m)
{
    cairn_transcript_absorb_u64(t, "gkr/count", (uint64_t)m);
    for (size_t j = 0; j < m; j++)
        cairn_transcript_absorb_u64(t, "gkr/vars", (uint64_t)vars[j]);
}

void gkr_absorb_roots(cairn_transcript *t, const cairn_fp2 *roots, size_t m)
{
    cairn_transcript_absorb_fp2_vec(t, "gkr/roots", roots, 2 * m);
}

cairn_fp2 gkr_layer_open(cairn_fp2 *coeffs, cairn_transcript *t, const cairn_fp2 *cp,
                         const cairn_fp2 *cq, size_t a)
{
    cairn_transcript_squeeze_fp2_vec(coeffs, 2 * a, t, "gkr/layer/coeffs");
    cairn_fp2 claim = cairn_fp2_zero();
    for (size_t i = 0; i < a; i++) {
        claim = cairn_fp2_add(claim, cairn_fp2_mul(coeffs[2 * i], cp[i]));
        claim = cairn_fp2_add(claim, cairn_fp2_mul(coeffs[2 * i + 1], cq[i]));
    }
    return claim;
}

cairn_fp2 gkr_layer_close(cairn_transcript *t, const cairn_fp2 *evals, size_t a, cairn_fp2 *cp,
                          cairn_fp2 *cq)
{
    cairn_transcript_absorb_fp2_vec(t, "gkr/layer/evals", evals, 4 * a);
    cairn_fp2 lambda = cairn_transcript_squeeze_fp2(t, "gkr/layer/lambda");
    for (size_t i = 0; i < a; i++) {
        const cairn_fp2 *e = evals + 4 * i;
        cp[i] = cairn_fp2_add(e[0], cairn_fp2_mul(lambda, cairn_fp2_sub(e[1], e[0])));
        cq[i] = cairn_fp2_add(e[2], cairn_fp2_mul(lambda, cairn_fp2_sub(e[3], e[2])));
    }
    return lambda;
}

cairn_fp2 gkr_layer_combine(const cairn_fp2 *coeffs, const cairn_fp2 *evals, size_t a)
{
    cairn_fp2 v = cairn_fp2_zero();
    for (size_t i = 0; i < a; i++) {
        const cairn_fp2 *e = evals + 4 * i;
        cairn_fp2 num = cairn_fp2_add(cairn_fp2_mul(e[0], e[3]), cairn_fp2_mul(e[1], e[2]));
        cairn_fp2 den = cairn_fp2_mul(e[2], e[3]);
        v = cairn_fp2_add(v, cairn_fp2_mul(coeffs[2 * i], num));
        v = cairn_fp2_add(v, cairn_fp2_mul(coeffs[2 * i + 1], den));
    }
    return v;
}

size_t gkr_layer_retire(cairn_fp2 *points, cairn_fp2 *p_evals, cairn_fp2 *q_evals,
                        const size_t *off_points, const size_t *vars, size_t k,
                        const cairn_fp2 *r, size_t *idx, cairn_fp2 *cp, cairn_fp2 *cq, size_t a)
{
    size_t keep = 0;
    for (size_t i = 0; i < a; i++) {
        size_t j = idx[i];
        if (vars[j] == k + 1) {
            memcpy(points + off_points[j], r, (k + 1) * sizeof *r);
            p_evals[j] = cp[i];
            q_evals[j] = cq[i];
        } else {
            cp[keep] = cp[i];
            cq[keep] = cq[i];
            idx[keep++] = j;
        }
    }
    return keep;
}
