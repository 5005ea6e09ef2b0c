/*
 * cairn/poly.h — multilinear polynomials given by their tables over the
 * Boolean hypercube, and the equality polynomial eq.
 *
 * Variable order (fixed for the whole project; the sum-check and the
 * polynomial commitment rely on it): a table f of 2^n entries is the
 * multilinear polynomial with f(b_0, ..., b_{n-1}) = f[j] where
 * j = sum_i b_i 2^i.  Variable 0 is the least significant bit of the
 * index.  A point is r = (r_0, ..., r_{n-1}) in the same order, so
 *     f(r) = sum_j f[j] * eq(j, r),   eq(j, r) = prod_i (b_i ? r_i : 1 - r_i).
 * Folding binds variable 0 first: fold(f, c)[j] = f[2j] + c (f[2j+1] - f[2j]),
 * a table over variables 1..n-1; after n folds with c = r_0, ..., r_{n-1}
 * one entry f(r) remains.
 *
 * Points and folded tables live in the extension F_p2 (challenges come from
 * it); tables of witness values usually start in the base field.
 *
 * Threads: eq tables and folds of large tables run on the library's thread
 * pool (cairn/pool.h); results are identical for every thread count.
 */
#ifndef CAIRN_POLY_H
#define CAIRN_POLY_H

#include <stddef.h>

#include "cairn/error.h"
#include "cairn/field.h"

/* Largest number of variables any table may have here (2^40 entries). */
#define CAIRN_POLY_MAX_VARS 40u

/*
 * out[j] = eq(j, r) for j < 2^r_len: the table of the equality polynomial
 * at r, built in 2^r_len extension multiplications (each level doubles the
 * table: out'[j + 2^i] = out[j] r_i, out'[j] = out[j] (1 - r_i)).  out must
 * hold 2^r_len elements; r_len = 0 gives the single entry 1.
 * CAIRN_ERR_ARG if r_len > CAIRN_POLY_MAX_VARS.
 */
cairn_status cairn_poly_eq_table(cairn_fp2 *out, const cairn_fp2 *r, size_t r_len);

/* eq(a, b) = prod_i (a_i b_i + (1 - a_i)(1 - b_i)) for two points of len coordinates. */
cairn_fp2 cairn_poly_eq_eval(const cairn_fp2 *a, const cairn_fp2 *b, size_t len);

/*
 * Bind variable 0 of an extension table to c, in place: for j < len/2,
 * table[j] = table[2j] + c (table[2j+1] - table[2j]).  len must be even
 * (the caller's table shrinks to len/2 entries).
 */
void cairn_poly_fold_fp2(cairn_fp2 *table, size_t len, cairn_fp2 c);

/*
 * As cairn_poly_fold_fp2, from a table into out (len/2 entries); out must
 * not overlap the table.
 */
void cairn_poly_fold_fp2_into(cairn_fp2 *out, const cairn_fp2 *table, size_t len, cairn_fp2 c);

/* As cairn_poly_fold_fp2, from a base-field table into out (len/2 entries). */
void cairn_poly_fold_fp(cairn_fp2 *out, const cairn_fp *table, size_t len, cairn_fp2 c);

/*
 * f(r) for a base-field table of 2^r_len entries, by folding (one pass of
 * 2^r_len extension-by-base products, then halving folds).  Allocates
 * 2^(r_len-1) extension elements of scratch: CAIRN_ERR_NOMEM if it cannot,
 * CAIRN_ERR_ARG if r_len > CAIRN_POLY_MAX_VARS.
 */
cairn_status cairn_poly_eval_fp(cairn_fp2 *out, const cairn_fp *table, const cairn_fp2 *r,
                                size_t r_len);

/* f(r) for an extension table of 2^r_len entries; same contract. */
cairn_status cairn_poly_eval_fp2(cairn_fp2 *out, const cairn_fp2 *table, const cairn_fp2 *r,
                                 size_t r_len);

#endif
