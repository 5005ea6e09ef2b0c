/*
 * poly.c — eq tables, folding and evaluation of multilinear tables.
 * Contract and the variable order in include/cairn/poly.h.
 *
 * Large tables are built and folded on the thread pool (cairn/pool.h):
 * every entry is computed by the same formula from the same inputs as in a
 * serial loop, so results never depend on the thread count.  The in-place
 * fold is the one pass that needs care (fold_fp2_chunk below).
 */
#include "cairn/poly.h"

#include <stdlib.h>

#include "cairn/pool.h"
#include "cairn/simd.h"

/* Fewest entries a pool chunk gets; tables below this run serially. */
#define POLY_PAR_MIN ((size_t)1 << 12)

struct eq_level {
    cairn_fp2 *out;
    cairn_fp2 r;
    size_t half, chunks;
};

/* Pool chunk: its share of one doubling level of the eq table. */
static void eq_level_chunk(void *ctx, size_t c)
{
    const struct eq_level *l = ctx;
    cairn_fp2 *out = l->out;
    size_t j0 = l->half * c / l->chunks, j1 = l->half * (c + 1) / l->chunks;
    /* out[j + half] = out[j] r_i, out[j] = out[j] (1 - r_i) */
    cairn_simd_kernels()->eq2(out + j0, out + l->half + j0, j1 - j0, l->r);
}

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
        struct eq_level l = {out, r[i], (size_t)1 << i, 1};
        l.chunks = cairn_pool_chunks(l.half, POLY_PAR_MIN);
        if (l.chunks == 1)
            eq_level_chunk(&l, 0);
        else
            cairn_pool_run(l.chunks, eq_level_chunk, &l);
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

struct fold_job {
    cairn_fp2 *out;
    const cairn_fp2 *in2;
    const cairn_fp *in1;
    cairn_fp2 c;
    size_t j0, count, chunks;
};

/*
 * Pool chunk: out[j] = in[2j] + c (in[2j+1] - in[2j]) for its share of
 * j in [j0, j0 + count), from an extension (in2) or a base (in1) table.
 */
static void fold_chunk(void *ctx, size_t c)
{
    const struct fold_job *f = ctx;
    size_t a = f->j0 + f->count * c / f->chunks, b = f->j0 + f->count * (c + 1) / f->chunks;
    if (f->in2 != NULL) {
        /* the vector kernel keeps the in-place order: inputs read before outputs land */
        cairn_simd_kernels()->fold2(f->out + a, f->in2 + 2 * a, b - a, f->c);
    } else {
        cairn_simd_kernels()->fold1(f->out + a, f->in1 + 2 * a, b - a, f->c);
    }
}

/* Outputs j in [j0, j0 + count) of a fold, serially or on the pool. */
static void fold_range(struct fold_job *f, size_t j0, size_t count)
{
    f->j0 = j0;
    f->count = count;
    f->chunks = cairn_pool_chunks(count, POLY_PAR_MIN);
    if (f->chunks == 1)
        fold_chunk(f, 0);
    else
        cairn_pool_run(f->chunks, fold_chunk, f);
}

/*
 * In place, output j overwrites an entry that outputs near j/2 still need,
 * so plain ranges cannot run concurrently.  But the outputs of the upper
 * quarter [len/4, len/2) read only the upper half [len/2, len), which no
 * output overwrites, and they overwrite [len/4, len/2), which only outputs
 * below len/4 read.  So: fold the first half of the table in place
 * (recursively, the same problem at half the size), then compute the
 * outputs [len/4, len/2) in parallel ranges.  Unrolled from the smallest
 * level up; each output gets the same value as in the serial loop.
 */
void cairn_poly_fold_fp2(cairn_fp2 *table, size_t len, cairn_fp2 c)
{
    struct fold_job f = {table, table, NULL, c, 0, 0, 1};
    size_t base = len;
    while (base > 2 * POLY_PAR_MIN)
        base /= 2;
    fold_range(&f, 0, base / 2);
    for (size_t size = 2 * base; size <= len; size *= 2)
        fold_range(&f, size / 4, size / 4);
}

void cairn_poly_fold_fp2_into(cairn_fp2 *out, const cairn_fp2 *table, size_t len, cairn_fp2 c)
{
    struct fold_job f = {out, table, NULL, c, 0, 0, 1};
    fold_range(&f, 0, len / 2);
}

void cairn_poly_fold_fp(cairn_fp2 *out, const cairn_fp *table, size_t len, cairn_fp2 c)
{
    struct fold_job f = {out, NULL, table, c, 0, 0, 1};
    fold_range(&f, 0, len / 2);
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
    cairn_poly_fold_fp2_into(t, table, len, r[0]);
    for (size_t i = 1; i < r_len; i++) {
        len /= 2;
        cairn_poly_fold_fp2(t, len, r[i]);
    }
    *out = t[0];
    free(t);
    return CAIRN_OK;
}
