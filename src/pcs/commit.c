/*
 * commit.c — the streaming commitment: each batch row is Reed–Solomon
 * encoded (coefficient form, cairn_rs_encode) as it arrives, and codeword
 * symbol j of every row is appended to the running leaf hash of column j,
 * SHA-256(0x00 || le64(U_0[j]) || ... || le64(U_{M-1}[j])).
 *
 * Invariant of a committer between calls: rows_done rows have been
 * received; the first rows_done - pending of them are encoded and absorbed
 * into cols[], the last `pending` (< PCS_HASH_ROWS) wait unencoded in buf,
 * row-major (row r's message in buf[r*k .. r*k + k)).  Buffering 8 rows
 * turns 8 small hash updates per column into one 64-byte update (one
 * SHA-256 block), which is where the time goes, and gives the thread pool
 * work.
 *
 * The column hashes are kept packed (cairn_sha256_pack): every column has
 * absorbed the same number of bytes, so they differ only in their chaining
 * value and their one pending byte (PCS_COL_BYTES = 33 bytes a column);
 * tmpl, one ordinary context fed as many bytes, holds the rest.  The
 * columns are stored coset-major: column j = c + 2^b j' (b = log2 blowup,
 * c < 2^b, j' < k) at cols + (c k + j') * PCS_COL_BYTES.  A flush goes
 * coset by coset (cairn_rs_encode_coset: coset c of a codeword is its
 * positions c + 2^b j'): it encodes coset c of the pending rows into code
 * (8 * k symbols, one row per pool chunk), then hashes ranges of that
 * coset's k columns in parallel (each column's state belongs to one chunk):
 * unpack, one update, pack.  The last flush, in finish, finishes each
 * column into its leaf digest instead of packing it.  Every column absorbs
 * the same bytes in the same order whatever the thread count.
 *
 * Memory: N * 33 bytes of column hashes plus buf and code (8 * k elements
 * each, 128 * k bytes: 32 bytes a column at rate 1/4), whatever the number
 * of rows; finish adds the N leaf digests (32 * N bytes) for its last flush.
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

/*
 * What committer_begin_shape allocates, plus the leaves of the last flush,
 * against the leaves and the tree of cairn_merkle_tree_build (2N - 1 nodes
 * for N a power of two).
 */
uint64_t cairn_pcs_commit_memory(const cairn_pcs_params *params)
{
    pcs_dims d;
    pcs_dims_of(&d, params);
    uint64_t n = d.N, digest = sizeof(cairn_digest);
    uint64_t rows = 2 * (uint64_t)PCS_HASH_ROWS * d.k * sizeof(cairn_fp);
    uint64_t streaming = n * PCS_COL_BYTES + rows + n * digest;
    uint64_t tree = n * digest + (2 * n - 1) * digest;
    return streaming > tree ? streaming : tree;
}

/*
 * cairn_pcs_committer_begin for a shape already known to be valid: every
 * column starts as the leaf hash after its 0x00 prefix, which is also the
 * template (one pending byte, as PCS_COL_PENDING says).
 */
static cairn_status committer_begin_shape(cairn_pcs_committer *cm, const cairn_pcs_params *params,
                                          cairn_error *err)
{
    pcs_dims d;
    uint8_t start[PCS_COL_BYTES];

    pcs_dims_of(&d, params);
    cm->params = *params;
    cm->k = d.k;
    cm->n_code = d.N;
    cm->rows_total = d.M;
    cm->cols = malloc(d.N * PCS_COL_BYTES);
    cm->buf = malloc(d.k * PCS_HASH_ROWS * sizeof *cm->buf);
    cm->code = malloc(d.k * PCS_HASH_ROWS * sizeof *cm->code);
    if (cm->cols == NULL || cm->buf == NULL || cm->code == NULL) {
        cairn_pcs_committer_clear(cm);
        return cairn_error_set(err, CAIRN_ERR_NOMEM,
                               "pcs commit: cannot allocate the state of %zu columns", d.N);
    }
    cairn_merkle_leaf_init(&cm->tmpl);
    cairn_sha256_pack(start, start + CAIRN_SHA256_BYTES, &cm->tmpl);
    for (size_t j = 0; j < d.N; j++)
        memcpy(cm->cols + j * PCS_COL_BYTES, start, PCS_COL_BYTES);
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

/* One flush: the coset being encoded and hashed, and where the leaves go (last flush). */
struct flush_job {
    cairn_pcs_committer *cm;
    cairn_digest *leaves; /* NULL: pack the columns back */
    size_t coset, chunks;
    cairn_status st[PCS_HASH_ROWS];
    cairn_error err[PCS_HASH_ROWS];
};

/* Pool chunk of the encoding step: the current coset of pending row r, into code. */
static void encode_chunk(void *ctx, size_t r)
{
    struct flush_job *j = ctx;
    const cairn_pcs_committer *cm = j->cm;
    j->st[r] = cairn_rs_encode_coset(cm->code + r * cm->k, cm->k, cm->buf + r * cm->k, cm->k,
                                     cm->params.log_blowup, j->coset, CAIRN_RS_COEFFS, &j->err[r]);
}

/*
 * Pool chunk of the hashing step: its range of the coset's columns absorbs
 * the pending symbols, then is packed back, or finished into its leaf on
 * the last flush (leaf index c + 2^b j', natural order).
 */
static void hash_chunk(void *ctx, size_t c)
{
    const struct flush_job *j = ctx;
    const cairn_pcs_committer *cm = j->cm;
    size_t k = cm->k, j0 = k * c / j->chunks, j1 = k * (c + 1) / j->chunks;
    unsigned pending = cm->pending, lb = cm->params.log_blowup;
    uint8_t b[PCS_HASH_ROWS * CAIRN_FP_BYTES];
    uint8_t *cols = cm->cols + j->coset * k * PCS_COL_BYTES;
    cairn_sha256_ctx h;
    for (size_t col = j0; col < j1; col++) {
        uint8_t *packed = cols + col * PCS_COL_BYTES;
        for (unsigned r = 0; r < pending; r++)
            pcs_store_le64(b + 8 * r, cm->code[r * k + col].v);
        cairn_sha256_unpack(&h, &cm->tmpl, packed, packed + CAIRN_SHA256_BYTES);
        cairn_sha256_update(&h, b, (size_t)pending * CAIRN_FP_BYTES);
        if (j->leaves != NULL)
            cairn_sha256_final(j->leaves[j->coset + (col << lb)].bytes, &h);
        else
            cairn_sha256_pack(packed, packed + CAIRN_SHA256_BYTES, &h);
    }
}

/*
 * Encode the pending rows and append them to every column's running hash,
 * coset by coset; then advance the template by as many bytes.  With leaves
 * (the last flush, any number of pending rows, even none) every column is
 * finished into leaves[j]; without, the buffer is full (PCS_HASH_ROWS rows),
 * so each column is left with PCS_COL_PENDING pending bytes, as stored.
 */
static cairn_status flush(cairn_pcs_committer *cm, cairn_digest *leaves, cairn_error *err)
{
    static const uint8_t zeros[PCS_HASH_ROWS * CAIRN_FP_BYTES];
    struct flush_job j;
    size_t cosets = (size_t)1 << cm->params.log_blowup;
    if (cm->pending == 0 && leaves == NULL)
        return CAIRN_OK;
    j.cm = cm;
    j.leaves = leaves;
    j.chunks = cairn_pool_chunks(cm->k, 1024);
    for (j.coset = 0; j.coset < cosets; j.coset++) {
        if (cm->pending > 0)
            cairn_pool_run(cm->pending, encode_chunk, &j);
        for (unsigned r = 0; r < cm->pending; r++)
            if (j.st[r] != CAIRN_OK) {
                if (err != NULL)
                    *err = j.err[r];
                return j.st[r];
            }
        cairn_pool_run(j.chunks, hash_chunk, &j);
    }
    cairn_sha256_update(&cm->tmpl, zeros, (size_t)cm->pending * CAIRN_FP_BYTES);
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
        memcpy(cm->buf + (size_t)cm->pending * cm->k, elems + r * cm->k, cm->k * sizeof *elems);
        cm->pending++;
        cm->rows_done++;
        if (cm->pending == PCS_HASH_ROWS && (st = flush(cm, NULL, err)) != CAIRN_OK)
            return st;
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
    leaves = malloc(cm->n_code * sizeof *leaves);
    if (leaves == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs commit: cannot allocate %zu leaf digests",
                             cm->n_code);
        goto out;
    }
    if ((st = flush(cm, leaves, err)) != CAIRN_OK)
        goto out;
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
