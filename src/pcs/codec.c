/*
 * codec.c — byte formats of commitments and openings (docs/pcs.md) and
 * their strict parsers.
 *
 *   commitment = params block (104) || root (32)
 *   opening    = params block (104) || le32 P || level 0 || level 1 .. L
 *   level 0    = vectors (s(P+1)k x 16, levels = 0) or root of level 1 (32)
 *                || le64 nonce || columns (t M x 8) || Merkle multiproof
 *   level l    = sum-check (2 n_l' x 16) || folded value (16) || root of
 *                level l+1 (32; l < L) or vectors ((1+s) k_l x 16; l = L)
 *                || le64 nonce || columns (t_l M_l x 8) || Merkle multiproof
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

/*
 * The shape of every level of an opening, from the verifier's parameters:
 * level 0's dims, each inner level's dims, sum-check variables and (last
 * level) vectors.
 */
typedef struct {
    pcs_dims d[CAIRN_PCS_MAX_LEVELS + 1];
    size_t nv[CAIRN_PCS_MAX_LEVELS + 1]; /* sum-check variables (inner levels) */
    size_t vec0;                         /* level-0 vector elements (levels == 0) */
    size_t vecL;                         /* last level's vector elements (levels >= 1) */
    unsigned L;
} open_shape;

static void shape_of(open_shape *sh, const cairn_pcs_params *p, size_t P)
{
    memset(sh, 0, sizeof *sh);
    sh->L = p->levels;
    pcs_dims_of(&sh->d[0], p);
    if (sh->L == 0)
        sh->vec0 = sh->d[0].s * (P + 1) * sh->d[0].k;
    for (unsigned l = 1; l <= sh->L; l++) {
        cairn_pcs_params shape;
        pcs_level_shape(&shape, p, l, P);
        pcs_dims_of(&sh->d[l], &shape);
        sh->nv[l] = sh->d[l].n + pcs_ceil_log2(sh->d[l].C);
    }
    if (sh->L > 0)
        sh->vecL = (1 + sh->d[sh->L].s) * sh->d[sh->L].k;
}

/*
 * The fixed part of the opening (all but the Merkle siblings), or 0 on
 * overflow: every count comes from valid parameters (each level's codeword
 * is at most 2^32 symbols, M at most 2^30 * 4096 rows), so only the sums and
 * products below need checking.
 */
static size_t fixed_len(const open_shape *sh)
{
    int ok = 1;
    uint64_t len = CAIRN_PCS_PARAMS_BYTES + 4;
    for (unsigned l = 0; l <= sh->L; l++) {
        const pcs_dims *d = &sh->d[l];
        uint64_t cb = pcs_mul_checked(pcs_mul_checked(d->t, d->M, &ok), CAIRN_FP_BYTES, &ok);
        uint64_t part = 8 + 4 + cb;
        if (l > 0)
            part += (2 * sh->nv[l] + 1) * CAIRN_FP2_BYTES + (l < sh->L ? CAIRN_SHA256_BYTES : 0);
        if (!ok || part > UINT64_MAX - len)
            return 0;
        len += part;
    }
    uint64_t vb = pcs_mul_checked(sh->vec0 + sh->vecL, CAIRN_FP2_BYTES, &ok);
    if (!ok || vb > UINT64_MAX - len - CAIRN_SHA256_BYTES)
        return 0;
    len += vb + (sh->L > 0 ? CAIRN_SHA256_BYTES : 0);
    return (size_t)len;
}

size_t cairn_pcs_opening_encoded_len(const cairn_pcs_opening *op)
{
    if (op == NULL)
        return 0;
    size_t len = CAIRN_PCS_PARAMS_BYTES + 4 + op->vectors_len * CAIRN_FP2_BYTES + 8 +
                 op->columns_len * CAIRN_FP_BYTES + cairn_merkle_multiproof_encoded_len(&op->merkle);
    if (op->params.levels > 0)
        len += CAIRN_SHA256_BYTES;
    for (unsigned l = 1; l <= op->params.levels && l <= CAIRN_PCS_MAX_LEVELS; l++) {
        const cairn_pcs_level_opening *lo = &op->inner[l - 1];
        len += lo->sumcheck.rounds * lo->sumcheck.degree * CAIRN_FP2_BYTES + CAIRN_FP2_BYTES +
               (l < op->params.levels ? CAIRN_SHA256_BYTES : 0) +
               lo->vectors_len * CAIRN_FP2_BYTES + 8 + lo->columns_len * CAIRN_FP_BYTES +
               cairn_merkle_multiproof_encoded_len(&lo->merkle);
    }
    return len;
}

/* Writers: each appends to *p and advances it. */
static void put_fp2s(uint8_t **p, const cairn_fp2 *v, size_t len)
{
    for (size_t i = 0; i < len; i++, *p += CAIRN_FP2_BYTES)
        cairn_fp2_encode(*p, v[i]);
}

static void put_fps(uint8_t **p, const cairn_fp *v, size_t len)
{
    for (size_t i = 0; i < len; i++, *p += CAIRN_FP_BYTES)
        cairn_fp_encode(*p, v[i]);
}

static void put_digest(uint8_t **p, const cairn_digest *dg)
{
    memcpy(*p, dg->bytes, CAIRN_SHA256_BYTES);
    *p += CAIRN_SHA256_BYTES;
}

static cairn_status put_merkle(uint8_t **p, const uint8_t *end, const cairn_merkle_multiproof *mp,
                               cairn_error *err)
{
    size_t len = cairn_merkle_multiproof_encoded_len(mp);
    if (len > (size_t)(end - *p))
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs opening encode: inconsistent lengths");
    cairn_status st = cairn_merkle_multiproof_encode(*p, len, mp, err);
    *p += len;
    return st;
}

cairn_status cairn_pcs_opening_encode(uint8_t *out, size_t out_len, const cairn_pcs_opening *op,
                                      cairn_error *err)
{
    cairn_status st;
    if (op == NULL || out == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs opening encode: NULL argument");
    if (op->params.levels > CAIRN_PCS_MAX_LEVELS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs opening encode: bad level count");
    size_t want = cairn_pcs_opening_encoded_len(op);
    if (out_len != want)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs opening encode: %zu bytes given, %zu needed",
                               out_len, want);
    uint8_t *p = out;
    const uint8_t *end = out + out_len;
    cairn_pcs_params_encode(p, &op->params);
    p += CAIRN_PCS_PARAMS_BYTES;
    pcs_store_le32(p, op->points_len);
    p += 4;
    put_fp2s(&p, op->vectors, op->vectors_len);
    if (op->params.levels > 0)
        put_digest(&p, &op->root1);
    pcs_store_le64(p, op->nonce);
    p += 8;
    put_fps(&p, op->columns, op->columns_len);
    if ((st = put_merkle(&p, end, &op->merkle, err)) != CAIRN_OK)
        return st;
    for (unsigned l = 1; l <= op->params.levels; l++) {
        const cairn_pcs_level_opening *lo = &op->inner[l - 1];
        put_fp2s(&p, lo->sumcheck.evals, lo->sumcheck.rounds * lo->sumcheck.degree);
        put_fp2s(&p, &lo->fold_eval, 1);
        if (l < op->params.levels)
            put_digest(&p, &lo->next_root);
        put_fp2s(&p, lo->vectors, lo->vectors_len);
        pcs_store_le64(p, lo->nonce);
        p += 8;
        put_fps(&p, lo->columns, lo->columns_len);
        if ((st = put_merkle(&p, end, &lo->merkle, err)) != CAIRN_OK)
            return st;
    }
    return CAIRN_OK;
}

/* A bounded reader over untrusted bytes; the fixed part was checked up front. */
typedef struct {
    const uint8_t *p, *end;
} reader;

/* Read len extension elements, each canonical; the message names what and where. */
static cairn_status get_fp2s(cairn_fp2 *out, size_t len, reader *r, const char *what,
                             size_t per, cairn_error *err)
{
    cairn_error sub;
    if ((size_t)(r->end - r->p) / CAIRN_FP2_BYTES < len)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "pcs opening: %s truncated", what);
    for (size_t i = 0; i < len; i++, r->p += CAIRN_FP2_BYTES)
        if (cairn_fp2_decode(&out[i], r->p, &sub) != CAIRN_OK)
            return cairn_error_set(err, CAIRN_ERR_PARSE,
                                   "pcs opening: %s element %zu (vector %zu, entry %zu) is not "
                                   "canonical",
                                   what, i, i / per, i % per);
    return CAIRN_OK;
}

static cairn_status get_fps(cairn_fp *out, size_t len, reader *r, const char *what, size_t per,
                            cairn_error *err)
{
    cairn_error sub;
    if ((size_t)(r->end - r->p) / CAIRN_FP_BYTES < len)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "pcs opening: %s truncated", what);
    for (size_t i = 0; i < len; i++, r->p += CAIRN_FP_BYTES)
        if (cairn_fp_decode(&out[i], r->p, &sub) != CAIRN_OK)
            return cairn_error_set(err, CAIRN_ERR_PARSE,
                                   "pcs opening: %s value %zu (query %zu, row %zu) is not canonical",
                                   what, i, i / per, i % per);
    return CAIRN_OK;
}

static cairn_status get_bytes(uint8_t *out, size_t len, reader *r, const char *what,
                              cairn_error *err)
{
    if ((size_t)(r->end - r->p) < len)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "pcs opening: %s truncated", what);
    memcpy(out, r->p, len);
    r->p += len;
    return CAIRN_OK;
}

static cairn_status get_merkle(cairn_merkle_multiproof *mp, reader *r, const pcs_dims *d,
                               unsigned level, cairn_error *err)
{
    cairn_error sub;
    size_t used = 0;
    cairn_status st = cairn_merkle_multiproof_decode(mp, &used, r->p, (size_t)(r->end - r->p), d->N,
                                                     d->t, &sub);
    if (st != CAIRN_OK)
        return cairn_error_set(err, st, "pcs opening: level %u Merkle proof: %s", level, sub.msg);
    r->p += used;
    return CAIRN_OK;
}

/* Allocate n elements of size sz (n may be 0), or fail with NOMEM. */
static void *alloc_n(size_t n, size_t sz)
{
    return malloc(n == 0 ? 1 : n * sz);
}

cairn_status cairn_pcs_opening_decode(cairn_pcs_opening *out, const uint8_t *in, size_t in_len,
                                      const cairn_pcs_params *expected, size_t points_len,
                                      cairn_error *err)
{
    cairn_status st;
    open_shape sh;
    uint8_t want[CAIRN_PCS_PARAMS_BYTES], nb[8];

    if (out == NULL || (in == NULL && in_len != 0))
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs opening decode: NULL argument");
    cairn_pcs_opening_clear(out);
    if ((st = cairn_pcs_params_check(expected, err)) != CAIRN_OK)
        return st;
    if (points_len < 1 || points_len > CAIRN_PCS_MAX_POINTS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs opening decode: %zu points, expected 1..%u",
                               points_len, CAIRN_PCS_MAX_POINTS);
    shape_of(&sh, expected, points_len);
    size_t fixed = fixed_len(&sh);
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
    reader r = {in + CAIRN_PCS_PARAMS_BYTES, in + in_len};
    uint32_t P = pcs_load_le32(r.p);
    r.p += 4;
    if (P != points_len)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "pcs opening: %u points, expected %zu",
                               (unsigned)P, points_len);
    const pcs_dims *d = &sh.d[0];
    size_t nc = d->t * d->M;
    out->vectors = alloc_n(sh.vec0, sizeof *out->vectors);
    out->columns = alloc_n(nc, sizeof *out->columns);
    if (out->vectors == NULL || out->columns == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs opening: cannot allocate %zu + %zu elements",
                             sh.vec0, nc);
        goto out;
    }
    if ((st = get_fp2s(out->vectors, sh.vec0, &r, "vector", d->k, err)) != CAIRN_OK)
        goto out;
    if (sh.L > 0 && (st = get_bytes(out->root1.bytes, CAIRN_SHA256_BYTES, &r, "root", err)))
        goto out;
    if ((st = get_bytes(nb, 8, &r, "nonce", err)) != CAIRN_OK)
        goto out;
    out->nonce = pcs_load_le64(nb);
    if ((st = get_fps(out->columns, nc, &r, "column", d->M, err)) != CAIRN_OK)
        goto out;
    if ((st = get_merkle(&out->merkle, &r, d, 0, err)) != CAIRN_OK)
        goto out;
    out->vectors_len = sh.vec0;
    out->columns_len = nc;
    for (unsigned l = 1; l <= sh.L; l++) {
        cairn_pcs_level_opening *lo = &out->inner[l - 1];
        const pcs_dims *dl = &sh.d[l];
        size_t nr = 2 * sh.nv[l], ncl = dl->t * dl->M, nvl = l == sh.L ? sh.vecL : 0;
        lo->sumcheck.evals = alloc_n(nr, sizeof *lo->sumcheck.evals);
        lo->columns = alloc_n(ncl, sizeof *lo->columns);
        lo->vectors = nvl ? alloc_n(nvl, sizeof *lo->vectors) : NULL;
        if (lo->sumcheck.evals == NULL || lo->columns == NULL || (nvl && lo->vectors == NULL)) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs opening: cannot allocate level %u", l);
            goto out;
        }
        lo->sumcheck.rounds = sh.nv[l];
        lo->sumcheck.degree = 2;
        if ((st = get_fp2s(lo->sumcheck.evals, nr, &r, "sum-check", 2, err)) != CAIRN_OK ||
            (st = get_fp2s(&lo->fold_eval, 1, &r, "folded value", 1, err)) != CAIRN_OK)
            goto out;
        if (l < sh.L &&
            (st = get_bytes(lo->next_root.bytes, CAIRN_SHA256_BYTES, &r, "root", err)) != CAIRN_OK)
            goto out;
        if ((st = get_fp2s(lo->vectors, nvl, &r, "last-level vector", dl->k, err)) != CAIRN_OK)
            goto out;
        lo->vectors_len = nvl;
        if ((st = get_bytes(nb, 8, &r, "nonce", err)) != CAIRN_OK)
            goto out;
        lo->nonce = pcs_load_le64(nb);
        if ((st = get_fps(lo->columns, ncl, &r, "column", dl->M, err)) != CAIRN_OK)
            goto out;
        lo->columns_len = ncl;
        if ((st = get_merkle(&lo->merkle, &r, dl, l, err)) != CAIRN_OK)
            goto out;
    }
    if (r.p != r.end) {
        st = cairn_error_set(err, CAIRN_ERR_PARSE, "pcs opening: %zu trailing bytes",
                             (size_t)(r.end - r.p));
        goto out;
    }
    out->params = *expected;
    out->points_len = P;
    return CAIRN_OK;
out:
    cairn_pcs_opening_clear(out);
    return st;
}
