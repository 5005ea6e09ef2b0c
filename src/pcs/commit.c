/*
 * commit.c — the streaming commitment: each batch row is Reed–Solomon
 * encoded (coefficient form, cairn_rs_encode) as it arrives, and codeword
 * symbol j of every row is appended to the running leaf hash of column j,
 * SHA-256(0x00 || le64(U_0[j]) || ... || le64(U_{M-1}[j])).
 *
 * Invariant of a committer between calls: rows_done rows have been
 * received; the first rows_done - pending of them are encoded and absorbed
 * into cols[], the last `pending` (< PCS_HASH_ROWS) wait unencoded in buf,
 * row-major (row r's message in buf[r*N .. r*N + k), with room for its
 * codeword).  Buffering 8 rows turns 8 small hash updates per column into
 * one 64-byte update (one SHA-256 block), which is where the time goes, and
 * gives the thread pool work: a flush encodes the 8 rows in parallel (one
 * row per chunk, in place), then hashes ranges of columns in parallel (each
 * column's hash state belongs to one chunk).  Every column absorbs the same
 * bytes in the same order whatever the thread count.  Memory is
 * N * (112 + 64) bytes whatever the number of rows (the `code` field is not
 * used).
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/ntt.h"
#include "cairn/pool.h"
#include "pcs_internal.h"

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
    cm->code = NULL;
    if (cm->cols == NULL || cm->buf == NULL) {
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

struct flush_job {
    cairn_pcs_committer *cm;
    size_t chunks;
    cairn_status st[PCS_HASH_ROWS];
    cairn_error err[PCS_HASH_ROWS];
};

/* Pool chunk of the encoding step: pending row r, encoded in place. */
static void encode_chunk(void *ctx, size_t r)
{
    struct flush_job *j = ctx;
    cairn_pcs_committer *cm = j->cm;
    cairn_fp *row = cm->buf + r * cm->n_code;
    j->st[r] = cairn_rs_encode(row, cm->n_code, row, cm->k, cm->params.log_blowup,
                               CAIRN_RS_COEFFS, &j->err[r]);
}

/* Pool chunk of the hashing step: its range of columns absorbs the pending symbols. */
static void hash_chunk(void *ctx, size_t c)
{
    const struct flush_job *j = ctx;
    cairn_pcs_committer *cm = j->cm;
    size_t n = cm->n_code, j0 = n * c / j->chunks, j1 = n * (c + 1) / j->chunks;
    unsigned pending = cm->pending;
    uint8_t b[PCS_HASH_ROWS * CAIRN_FP_BYTES];
    for (size_t col = j0; col < j1; col++) {
        for (unsigned r = 0; r < pending; r++)
            pcs_store_le64(b + 8 * r, cm->buf[r * n + col].v);
        cairn_sha256_update(&cm->cols[col], b, (size_t)pending * CAIRN_FP_BYTES);
    }
}

/* Encode the pending rows and append them to every column's running hash. */
static cairn_status flush(cairn_pcs_committer *cm, cairn_error *err)
{
    struct flush_job j;
    if (cm->pending == 0)
        return CAIRN_OK;
    j.cm = cm;
    j.chunks = cairn_pool_chunks(cm->n_code, 1024);
    cairn_pool_run(cm->pending, encode_chunk, &j);
    for (unsigned r = 0; r < cm->pending; r++)
        if (j.st[r] != CAIRN_OK) {
            if (err != NULL)
                *err = j.err[r];
            return j.st[r];
        }
    cairn_pool_run(j.chunks, hash_chunk, &j);
    cm->pending = 0;
    return CAIRN_OK;
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
        memcpy(cm->buf + (size_t)cm->pending * cm->n_code, elems + r * cm->k,
               cm->k * sizeof *elems);
        cm->pending++;
        cm->rows_done++;
        if (cm->pending == PCS_HASH_ROWS && (st = flush(cm, err)) != CAIRN_OK)
            return st;
    }
    return CAIRN_OK;
}

struct finals_job {
    cairn_pcs_committer *cm;
    cairn_digest *leaves;
    size_t chunks;
};

/* Pool chunk: the leaf digests of its range of columns. */
static void finals_chunk(void *ctx, size_t c)
{
    const struct finals_job *j = ctx;
    size_t n = j->cm->n_code;
    for (size_t col = n * c / j->chunks; col < n * (c + 1) / j->chunks; col++)
        cairn_sha256_final(j->leaves[col].bytes, &j->cm->cols[col]);
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
    if ((st = flush(cm, err)) != CAIRN_OK)
        goto out;
    leaves = malloc(cm->n_code * sizeof *leaves);
    if (leaves == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs commit: cannot allocate %zu leaf digests",
                             cm->n_code);
        goto out;
    }
    struct finals_job fj = {cm, leaves, cairn_pool_chunks(cm->n_code, 1024)};
    cairn_pool_run(fj.chunks, finals_chunk, &fj);
    /* the column hashes and the row buffer are done with: free them before the tree */
    cairn_pcs_params params = cm->params;
    size_t n_code = cm->n_code;
    cairn_pcs_committer_clear(cm);
    st = cairn_merkle_tree_build(&pr->tree, leaves, n_code, cairn_pool_threads(), err);
    if (st != CAIRN_OK)
        goto out;
    pr->com.params = params;
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
