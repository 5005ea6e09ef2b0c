/*
 * commit.c — the streaming commitment: each batch row is Reed–Solomon
 * encoded (coefficient form, cairn_rs_encode) as it arrives, and codeword
 * symbol j of every row is appended to the running leaf hash of column j,
 * SHA-256(0x00 || le64(U_0[j]) || ... || le64(U_{M-1}[j])).
 *
 * Invariant of a committer between calls: rows_done rows have been encoded;
 * the first rows_done - pending of them are absorbed into cols[], the last
 * `pending` (< PCS_HASH_ROWS) wait in buf, column-major (buf[j*8 + r]) so
 * that one column's pending symbols are 8 * pending contiguous bytes.
 * Buffering 8 rows turns 8 small hash updates per column into one 64-byte
 * update (one SHA-256 block), which is where the time goes.  Memory is
 * N * (112 + 64 + 8) bytes whatever the number of rows.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/ntt.h"
#include "pcs_internal.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PCS_LITTLE_ENDIAN 1
#else
#define PCS_LITTLE_ENDIAN 0
#endif

void cairn_pcs_prover_init(cairn_pcs_prover *pr)
{
    if (pr == NULL)
        return;
    memset(&pr->com, 0, sizeof pr->com);
    cairn_merkle_tree_init(&pr->tree);
    pr->threads = 1;
}

void cairn_pcs_prover_clear(cairn_pcs_prover *pr)
{
    if (pr == NULL)
        return;
    cairn_merkle_tree_clear(&pr->tree);
    memset(&pr->com, 0, sizeof pr->com);
}

void cairn_pcs_committer_init(cairn_pcs_committer *cm)
{
    if (cm == NULL)
        return;
    memset(cm, 0, sizeof *cm);
}

void cairn_pcs_committer_clear(cairn_pcs_committer *cm)
{
    if (cm == NULL)
        return;
    free(cm->cols);
    free(cm->buf);
    free(cm->code);
    memset(cm, 0, sizeof *cm);
}

/* cairn_pcs_committer_begin for a shape already known to be valid. */
static cairn_status committer_begin_shape(cairn_pcs_committer *cm, const cairn_pcs_params *params,
                                          cairn_error *err)
{
    pcs_dims d;
    cairn_sha256_ctx start;

    pcs_dims_of(&d, params);
    cm->params = *params;
    cm->k = d.k;
    cm->n_code = d.N;
    cm->rows_total = d.M;
    cm->cols = malloc(d.N * sizeof *cm->cols);
    cm->buf = malloc(d.N * PCS_HASH_ROWS * sizeof *cm->buf);
    cm->code = malloc(d.N * sizeof *cm->code);
    if (cm->cols == NULL || cm->buf == NULL || cm->code == NULL) {
        cairn_pcs_committer_clear(cm);
        return cairn_error_set(err, CAIRN_ERR_NOMEM,
                               "pcs commit: cannot allocate the state of %zu columns", d.N);
    }
    cairn_merkle_leaf_init(&start);
    for (size_t j = 0; j < d.N; j++)
        cm->cols[j] = start;
    return CAIRN_OK;
}

cairn_status cairn_pcs_committer_begin(cairn_pcs_committer *cm, const cairn_pcs_params *params,
                                       cairn_error *err)
{
    cairn_status st;
    if (cm == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs commit: committer is NULL");
    cairn_pcs_committer_clear(cm);
    if ((st = cairn_pcs_params_check(params, err)) != CAIRN_OK)
        return st;
    return committer_begin_shape(cm, params, err);
}

/* Append the pending rows of every column to its running hash. */
static void flush(cairn_pcs_committer *cm)
{
    size_t bytes = (size_t)cm->pending * CAIRN_FP_BYTES;
    if (cm->pending == 0)
        return;
    for (size_t j = 0; j < cm->n_code; j++) {
        const cairn_fp *src = cm->buf + j * PCS_HASH_ROWS;
#if PCS_LITTLE_ENDIAN
        cairn_sha256_update(&cm->cols[j], src, bytes);
#else
        uint8_t b[PCS_HASH_ROWS * CAIRN_FP_BYTES];
        for (unsigned r = 0; r < cm->pending; r++)
            pcs_store_le64(b + 8 * r, src[r].v);
        cairn_sha256_update(&cm->cols[j], b, bytes);
#endif
    }
    cm->pending = 0;
}

cairn_status cairn_pcs_committer_absorb(cairn_pcs_committer *cm, const cairn_fp *elems,
                                        size_t elems_len, cairn_error *err)
{
    cairn_status st;
    if (cm == NULL || cm->cols == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs commit: committer not begun");
    if (elems_len % cm->k != 0)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs commit: %zu elements is not a whole number of rows of %zu",
                               elems_len, cm->k);
    size_t rows = elems_len / cm->k;
    if (rows > cm->rows_total - cm->rows_done)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs commit: %zu more rows exceed the %llu of the batch (%llu done)",
                               rows, (unsigned long long)cm->rows_total,
                               (unsigned long long)cm->rows_done);
    if (rows > 0 && elems == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs commit: elems is NULL");
    for (size_t r = 0; r < rows; r++) {
        st = cairn_rs_encode(cm->code, cm->n_code, elems + r * cm->k, cm->k,
                             cm->params.log_blowup, CAIRN_RS_COEFFS, err);
        if (st != CAIRN_OK)
            return st;
        cairn_fp *dst = cm->buf + cm->pending;
        for (size_t j = 0; j < cm->n_code; j++)
            dst[j * PCS_HASH_ROWS] = cm->code[j];
        cm->pending++;
        cm->rows_done++;
        if (cm->pending == PCS_HASH_ROWS)
            flush(cm);
    }
    return CAIRN_OK;
}

cairn_status cairn_pcs_committer_finish(cairn_pcs_prover *pr, cairn_pcs_committer *cm,
                                        cairn_error *err)
{
    cairn_status st;
    cairn_digest *leaves = NULL;

    if (pr == NULL || cm == NULL || cm->cols == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_ARG, "pcs commit: finish without a begun committer");
        goto out;
    }
    cairn_pcs_prover_clear(pr);
    if (cm->rows_done != cm->rows_total) {
        st = cairn_error_set(err, CAIRN_ERR_ARG, "pcs commit: %llu rows absorbed, the batch has %llu",
                             (unsigned long long)cm->rows_done, (unsigned long long)cm->rows_total);
        goto out;
    }
    flush(cm);
    leaves = malloc(cm->n_code * sizeof *leaves);
    if (leaves == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs commit: cannot allocate %zu leaf digests",
                             cm->n_code);
        goto out;
    }
    for (size_t j = 0; j < cm->n_code; j++)
        cairn_sha256_final(leaves[j].bytes, &cm->cols[j]);
    st = cairn_merkle_tree_build(&pr->tree, leaves, cm->n_code, 1, err);
    if (st != CAIRN_OK)
        goto out;
    pr->com.params = cm->params;
    pr->com.root = *cairn_merkle_tree_root(&pr->tree);
out:
    free(leaves);
    cairn_pcs_committer_clear(cm);
    return st;
}

/* Consumer of cairn_pcs_commit: every chunk goes to the committer. */
static cairn_status commit_consume(void *ctx, uint64_t first_row, const cairn_fp *rows,
                                   size_t count, cairn_error *err)
{
    cairn_pcs_committer *cm = ctx;
    if (first_row != cm->rows_done)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs commit: row source delivered row %llu, expected %llu",
                               (unsigned long long)first_row, (unsigned long long)cm->rows_done);
    return cairn_pcs_committer_absorb(cm, rows, count * cm->k, err);
}

cairn_status cairn_pcs_commit(cairn_pcs_prover *pr, const cairn_pcs_params *params,
                              const cairn_rows *rows, cairn_error *err)
{
    cairn_status st;
    if (pr == NULL || rows == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs commit: NULL prover or row source");
    if ((st = cairn_pcs_params_check(params, err)) != CAIRN_OK)
        return st;
    return pcs_commit_shape(pr, params, rows, err);
}

cairn_status pcs_commit_shape(cairn_pcs_prover *pr, const cairn_pcs_params *params,
                              const cairn_rows *rows, cairn_error *err)
{
    cairn_pcs_committer cm;
    pcs_dims d;
    cairn_status st;

    cairn_pcs_committer_init(&cm);
    pcs_dims_of(&d, params);
    if (rows->width != d.k || rows->rows_len != d.M)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs commit: row source is %llu x %zu, the batch is %zu x %zu",
                               (unsigned long long)rows->rows_len, rows->width, d.M, d.k);
    if ((st = committer_begin_shape(&cm, params, err)) != CAIRN_OK)
        goto out;
    if ((st = cairn_rows_stream(rows, 0, d.M, commit_consume, &cm, err)) != CAIRN_OK)
        goto out;
    st = cairn_pcs_committer_finish(pr, &cm, err);
out:
    cairn_pcs_committer_clear(&cm);
    return st;
}

/* The in-memory source: row R = i*C + c is polys[c] + i*k, one row per chunk. */
static cairn_status polys_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                                 cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    const cairn_pcs_polys_rows *p = src->impl;
    for (uint64_t r = a; r < b; r++) {
        size_t i = (size_t)(r / p->polys_len), c = (size_t)(r % p->polys_len);
        cairn_status st = consume(ctx, r, p->polys[c] + i * p->k, 1, err);
        if (st != CAIRN_OK)
            return st;
    }
    return CAIRN_OK;
}

void cairn_pcs_polys_rows_init(cairn_rows *src, cairn_pcs_polys_rows *impl,
                               const cairn_pcs_params *params, const cairn_fp *const *polys)
{
    impl->polys = polys;
    impl->polys_len = params->num_polys;
    impl->k = (size_t)1 << params->log_cols;
    src->rows_len = ((uint64_t)1 << (params->num_vars - params->log_cols)) * params->num_polys;
    src->width = impl->k;
    src->stream = polys_stream;
    src->impl = impl;
}
