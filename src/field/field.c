/*
 * field.c — the non-inline parts of the Goldilocks field and its quadratic
 * extension: exponentiation, inversion, batch inversion, roots of unity and
 * the canonical byte encodings.  Contract in include/cairn/field.h.
 */
#include "cairn/field.h"

#include <stdlib.h>

cairn_fp cairn_fp_pow(cairn_fp a, uint64_t e)
{
    cairn_fp r = cairn_fp_one();
    while (e != 0) {
        if (e & 1u)
            r = cairn_fp_mul(r, a);
        a = cairn_fp_square(a);
        e >>= 1;
    }
    return r;
}

/*
 * Fermat: a^(p-2).  p - 2 = 0xFFFFFFFEFFFFFFFF; an addition chain would save
 * a few multiplications, but single inversions are rare (batch inversion
 * covers the hot paths), so the plain ladder is kept for clarity.
 */
cairn_fp cairn_fp_inv(cairn_fp a)
{
    return cairn_fp_pow(a, CAIRN_FP_P - 2);
}

cairn_status cairn_fp_batch_inv(cairn_fp *out, const cairn_fp *in, size_t len)
{
    if (len == 0)
        return CAIRN_OK;
    cairn_fp *prefix = malloc(len * sizeof *prefix);
    if (prefix == NULL)
        return CAIRN_ERR_NOMEM;
    /* prefix[i] = product of the non-zero in[j], j < i */
    cairn_fp acc = cairn_fp_one();
    for (size_t i = 0; i < len; i++) {
        prefix[i] = acc;
        if (!cairn_fp_is_zero(in[i]))
            acc = cairn_fp_mul(acc, in[i]);
    }
    /* acc^-1 = product of all non-zero inverses; peel them off from the end */
    cairn_fp inv = cairn_fp_inv(acc);
    for (size_t i = len; i-- > 0;) {
        cairn_fp x = in[i];
        if (cairn_fp_is_zero(x)) {
            out[i] = cairn_fp_zero();
            continue;
        }
        out[i] = cairn_fp_mul(inv, prefix[i]);
        inv = cairn_fp_mul(inv, x);
    }
    free(prefix);
    return CAIRN_OK;
}

cairn_fp cairn_fp_root_of_unity(unsigned log_n)
{
    if (log_n > CAIRN_FP_TWO_ADICITY)
        return cairn_fp_zero();
    /* g^((p-1)/2^32) has order exactly 2^32 since g generates F_p^* */
    cairn_fp w = cairn_fp_pow(cairn_fp_make(CAIRN_FP_GENERATOR), (CAIRN_FP_P - 1) >> CAIRN_FP_TWO_ADICITY);
    for (unsigned i = log_n; i < CAIRN_FP_TWO_ADICITY; i++)
        w = cairn_fp_square(w);
    return w;
}

void cairn_fp_encode(uint8_t out[CAIRN_FP_BYTES], cairn_fp a)
{
    for (unsigned i = 0; i < CAIRN_FP_BYTES; i++)
        out[i] = (uint8_t)(a.v >> (8 * i));
}

cairn_status cairn_fp_decode(cairn_fp *out, const uint8_t in[CAIRN_FP_BYTES], cairn_error *err)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < CAIRN_FP_BYTES; i++)
        v |= (uint64_t)in[i] << (8 * i);
    if (v >= CAIRN_FP_P)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "field element 0x%016llx is not canonical (must be below p = 0x%016llx)",
                               (unsigned long long)v, (unsigned long long)CAIRN_FP_P);
    *out = cairn_fp_make(v);
    return CAIRN_OK;
}

cairn_fp2 cairn_fp2_pow(cairn_fp2 a, uint64_t e)
{
    cairn_fp2 r = cairn_fp2_one();
    while (e != 0) {
        if (e & 1u)
            r = cairn_fp2_mul(r, a);
        a = cairn_fp2_square(a);
        e >>= 1;
    }
    return r;
}

cairn_fp2 cairn_fp2_inv(cairn_fp2 a)
{
    cairn_fp n_inv = cairn_fp_inv(cairn_fp2_norm(a));
    return cairn_fp2_mul_fp(cairn_fp2_conj(a), n_inv);
}

cairn_status cairn_fp2_batch_inv(cairn_fp2 *out, const cairn_fp2 *in, size_t len)
{
    if (len == 0)
        return CAIRN_OK;
    cairn_fp2 *prefix = malloc(len * sizeof *prefix);
    if (prefix == NULL)
        return CAIRN_ERR_NOMEM;
    cairn_fp2 acc = cairn_fp2_one();
    for (size_t i = 0; i < len; i++) {
        prefix[i] = acc;
        if (!cairn_fp2_is_zero(in[i]))
            acc = cairn_fp2_mul(acc, in[i]);
    }
    cairn_fp2 inv = cairn_fp2_inv(acc);
    for (size_t i = len; i-- > 0;) {
        cairn_fp2 x = in[i];
        if (cairn_fp2_is_zero(x)) {
            out[i] = cairn_fp2_zero();
            continue;
        }
        out[i] = cairn_fp2_mul(inv, prefix[i]);
        inv = cairn_fp2_mul(inv, x);
    }
    free(prefix);
    return CAIRN_OK;
}

void cairn_fp2_encode(uint8_t out[CAIRN_FP2_BYTES], cairn_fp2 a)
{
    cairn_fp_encode(out, a.c0);
    cairn_fp_encode(out + CAIRN_FP_BYTES, a.c1);
}

cairn_status cairn_fp2_decode(cairn_fp2 *out, const uint8_t in[CAIRN_FP2_BYTES], cairn_error *err)
{
    cairn_fp c0 = cairn_fp_zero(), c1 = cairn_fp_zero();
    cairn_status st = cairn_fp_decode(&c0, in, err);
    if (st != CAIRN_OK)
        return st;
    st = cairn_fp_decode(&c1, in + CAIRN_FP_BYTES, err);
    if (st != CAIRN_OK)
        return st;
    *out = cairn_fp2_make(c0, c1);
    return CAIRN_OK;
}
