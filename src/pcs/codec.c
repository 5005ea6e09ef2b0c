/*
 * codec.c — byte formats of commitments and openings (docs/pcs.md) and
 * their strict parsers.
 *
 *   commitment = params block (40) || root (32)
 *   opening    = params block (40) || le32 P || vectors (s(P+1)k x 16)
 *                || le64 nonce || columns (t M x 8) || Merkle multiproof
 *
 * The parser is the trust boundary: every count is computed from the
 * verifier's own parameters (and checked for overflow) before anything is
 * read or allocated, the whole fixed part must be present before any
 * allocation (so nothing larger than the input is allocated), every field
 * element must be canonical, and the bytes must be consumed exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "pcs_internal.h"

void cairn_pcs_commitment_encode(uint8_t out[CAIRN_PCS_COMMITMENT_BYTES],
                                 const cairn_pcs_commitment *com)
{
    cairn_pcs_params_encode(out, &com->params);
    memcpy(out + CAIRN_PCS_PARAMS_BYTES, com->root.bytes, CAIRN_SHA256_BYTES);
}

cairn_status cairn_pcs_commitment_decode(cairn_pcs_commitment *out, const uint8_t *in,
                                         size_t in_len, cairn_error *err)
{
    cairn_pcs_commitment c;
    cairn_status st;
    if (in == NULL || in_len != CAIRN_PCS_COMMITMENT_BYTES)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "pcs commitment: %zu bytes, expected %u",
                               in == NULL ? (size_t)0 : in_len, CAIRN_PCS_COMMITMENT_BYTES);
    if ((st = cairn_pcs_params_decode(&c.params, in, CAIRN_PCS_PARAMS_BYTES, err)) != CAIRN_OK)
        return st;
    memcpy(c.root.bytes, in + CAIRN_PCS_PARAMS_BYTES, CAIRN_SHA256_BYTES);
    if (out != NULL)
        *out = c;
    return CAIRN_OK;
}

/* The fixed part of the opening (all but the Merkle siblings), or 0 on overflow. */
static size_t fixed_len(const pcs_dims *d, size_t P)
{
    int ok = 1;
    uint64_t v = pcs_mul_checked(pcs_mul_checked(d->s, P + 1, &ok), d->k, &ok);
    uint64_t vb = pcs_mul_checked(v, CAIRN_FP2_BYTES, &ok);
    uint64_t cb = pcs_mul_checked(pcs_mul_checked(d->t, d->M, &ok), CAIRN_FP_BYTES, &ok);
    uint64_t len = CAIRN_PCS_PARAMS_BYTES + 4 + 8 + 4;
    if (!ok || vb > UINT64_MAX - len || cb > UINT64_MAX - len - vb)
        return 0;
    return (size_t)(len + vb + cb);
}

size_t cairn_pcs_opening_encoded_len(const cairn_pcs_opening *op)
{
    if (op == NULL)
        return 0;
    return CAIRN_PCS_PARAMS_BYTES + 4 + op->vectors_len * CAIRN_FP2_BYTES + 8 +
           op->columns_len * CAIRN_FP_BYTES + cairn_merkle_multiproof_encoded_len(&op->merkle);
}

cairn_status cairn_pcs_opening_encode(uint8_t *out, size_t out_len, const cairn_pcs_opening *op,
                                      cairn_error *err)
{
    if (op == NULL || out == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs opening encode: NULL argument");
    size_t want = cairn_pcs_opening_encoded_len(op);
    if (out_len != want)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs opening encode: %zu bytes given, %zu needed",
                               out_len, want);
    uint8_t *p = out;
    cairn_pcs_params_encode(p, &op->params);
    p += CAIRN_PCS_PARAMS_BYTES;
    pcs_store_le32(p, op->points_len);
    p += 4;
    for (size_t i = 0; i < op->vectors_len; i++, p += CAIRN_FP2_BYTES)
        cairn_fp2_encode(p, op->vectors[i]);
    pcs_store_le64(p, op->nonce);
    p += 8;
    for (size_t i = 0; i < op->columns_len; i++, p += CAIRN_FP_BYTES)
        cairn_fp_encode(p, op->columns[i]);
    return cairn_merkle_multiproof_encode(p, (size_t)(out + out_len - p), &op->merkle, err);
}

cairn_status cairn_pcs_opening_decode(cairn_pcs_opening *out, const uint8_t *in, size_t in_len,
                                      const cairn_pcs_params *expected, size_t points_len,
                                      cairn_error *err)
{
    pcs_dims d;
    cairn_status st;
    cairn_error sub;
    uint8_t want[CAIRN_PCS_PARAMS_BYTES];

    if (out == NULL || (in == NULL && in_len != 0))
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs opening decode: NULL argument");
    cairn_pcs_opening_clear(out);
    if ((st = cairn_pcs_params_check(expected, err)) != CAIRN_OK)
        return st;
    if (points_len < 1 || points_len > CAIRN_PCS_MAX_POINTS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs opening decode: %zu points, expected 1..%u",
                               points_len, CAIRN_PCS_MAX_POINTS);
    pcs_dims_of(&d, expected);
    size_t fixed = fixed_len(&d, points_len);
    if (fixed == 0)
        return cairn_error_set(err, CAIRN_ERR_LIMIT, "pcs opening decode: sizes overflow");
    if (in_len < fixed)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "pcs opening: %zu bytes, the fixed part alone is %zu", in_len,
                               fixed);
    cairn_pcs_params_encode(want, expected);
    if (memcmp(in, want, sizeof want) != 0)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "pcs opening: parameter block differs from the expected parameters");
    const uint8_t *p = in + CAIRN_PCS_PARAMS_BYTES;
    uint32_t P = pcs_load_le32(p);
    p += 4;
    if (P != points_len)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "pcs opening: %u points, expected %zu",
                               (unsigned)P, points_len);
    size_t nv = d.s * (points_len + 1) * d.k, nc = d.t * d.M;
    out->vectors = malloc(nv * sizeof *out->vectors);
    out->columns = malloc(nc * sizeof *out->columns);
    if (out->vectors == NULL || out->columns == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs opening: cannot allocate %zu + %zu elements",
                             nv, nc);
        goto out;
    }
    for (size_t i = 0; i < nv; i++, p += CAIRN_FP2_BYTES)
        if (cairn_fp2_decode(&out->vectors[i], p, &sub) != CAIRN_OK) {
            st = cairn_error_set(err, CAIRN_ERR_PARSE,
                                 "pcs opening: vector element %zu (vector %zu, entry %zu) is not "
                                 "canonical",
                                 i, i / d.k, i % d.k);
            goto out;
        }
    out->nonce = pcs_load_le64(p);
    p += 8;
    for (size_t i = 0; i < nc; i++, p += CAIRN_FP_BYTES)
        if (cairn_fp_decode(&out->columns[i], p, &sub) != CAIRN_OK) {
            st = cairn_error_set(err, CAIRN_ERR_PARSE,
                                 "pcs opening: column value %zu (query %zu, row %zu) is not "
                                 "canonical",
                                 i, i / d.M, i % d.M);
            goto out;
        }
    st = cairn_merkle_multiproof_decode(&out->merkle, NULL, p, (size_t)(in + in_len - p), d.N, d.t,
                                        &sub);
    if (st != CAIRN_OK) {
        st = cairn_error_set(err, st, "pcs opening: Merkle proof: %s", sub.msg);
        goto out;
    }
    out->params = *expected;
    out->points_len = P;
    out->vectors_len = nv;
    out->columns_len = nc;
    return CAIRN_OK;
out:
    cairn_pcs_opening_clear(out);
    return st;
}
