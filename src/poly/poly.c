/*
 * poly.c — eq tables, folding and evaluation of multilinear tables.
 * Contract and the variable order in include/cairn/poly.h.
 */
#include "cairn/poly.h"

#include <stdlib.h>

/*
 * Build the table level by level: after processing r_0..r_{i-1} the first
 * 2^i entries hold eq over those variables; variable i doubles it, writing
 * the upper half first so the lower half can be updated in place.
 */
cairn_status cairn_poly_eq_table(cairn_fp2 *out, const cairn_fp2 *r, size_t r_len)
{
    if (r_len > CAIRN_POLY_MAX_VARS)
        return CAIRN_ERR_ARG;
    out[0] = cairn_fp2_one();
    for (size_t i = 0; i < r_len; i++) {
        size_t half = (size_t)1 << i;
        for (size_t j = 0; j < half; j++) {
            cairn_fp2 hi = cairn_fp2_mul(out[j], r[i]);
            out[j + half] = hi;
            out[j] = cairn_fp2_sub(out[j], hi); /* out[j] (1 - r_i) */
        }
    }
    return CAIRN_OK;
}

cairn_fp2 cairn_poly_eq_eval(const cairn_fp2 *a, const cairn_fp2 *b, size_t len)
{
    cairn_fp2 acc = cairn_fp2_one();
    for (size_t i = 0; i < len; i++) {
        /* a b + (1 - a)(1 - b) = 1 - a - b + 2ab */
        cairn_fp2 ab = cairn_fp2_mul(a[i], b[i]);
        cairn_fp2 t = cairn_fp2_sub(cairn_fp2_add(cairn_fp2_one(), cairn_fp2_double(ab)),
                                    cairn_fp2_add(a[i], b[i]));
        acc = cairn_fp2_mul(acc, t);
    }
    return acc;
}

void cairn_poly_fold_fp2(cairn_fp2 *table, size_t len, cairn_fp2 c)
{
    for (size_t j = 0; j < len / 2; j++) {
        cairn_fp2 lo = table[2 * j], hi = table[2 * j + 1];
        table[j] = cairn_fp2_add(lo, cairn_fp2_mul(c, cairn_fp2_sub(hi, lo)));
    }
}

void cairn_poly_fold_fp(cairn_fp2 *out, const cairn_fp *table, size_t len, cairn_fp2 c)
{
    for (size_t j = 0; j < len / 2; j++) {
        cairn_fp lo = table[2 * j], hi = table[2 * j + 1];
        out[j] = cairn_fp2_add(cairn_fp2_from_fp(lo), cairn_fp2_mul_fp(c, cairn_fp_sub(hi, lo)));
    }
}

cairn_status cairn_poly_eval_fp(cairn_fp2 *out, const cairn_fp *table, const cairn_fp2 *r,
                                size_t r_len)
{
    if (r_len > CAIRN_POLY_MAX_VARS)
        return CAIRN_ERR_ARG;
    if (r_len == 0) {
        *out = cairn_fp2_from_fp(table[0]);
        return CAIRN_OK;
    }
    size_t len = (size_t)1 << r_len;
    cairn_fp2 *t = malloc((len / 2) * sizeof *t);
    if (t == NULL)
        return CAIRN_ERR_NOMEM;
    cairn_poly_fold_fp(t, table, len, r[0]);
    for (size_t i = 1; i < r_len; i++) {
        len /= 2;
        cairn_poly_fold_fp2(t, len, r[i]);
    }
    *out = t[0];
    free(t);
    return CAIRN_OK;
}

cairn_status cairn_poly_eval_fp2(cairn_fp2 *out, const cairn_fp2 *table, const cairn_fp2 *r,
                                 size_t r_len)
{
    if (r_len > CAIRN_POLY_MAX_VARS)
        return CAIRN_ERR_ARG;
    if (r_len == 0) {
        *out = table[0];
        return CAIRN_OK;
    }
    size_t len = (size_t)1 << r_len;
    cairn_fp2 *t = malloc((len / 2) * sizeof *t);
    if (t == NULL)
        return CAIRN_ERR_NOMEM;
    /* the first fold reads the caller's table and writes the scratch */
    for (size_t j = 0; j < len / 2; j++)
        t[j] = cairn_fp2_add(table[2 * j],
                             cairn_fp2_mul(r[0], cairn_fp2_sub(table[2 * j + 1], table[2 * j])));
    for (size_t i = 1; i < r_len; i++) {
        len /= 2;
        cairn_poly_fold_fp2(t, len, r[i]);
    }
    *out = t[0];
    free(t);
    return CAIRN_OK;
}
