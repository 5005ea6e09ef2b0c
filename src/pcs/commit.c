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
 * column into its leaf digest instead of packing it, written in place over
 * the column's packed state (32 of its 33 bytes).  Every column absorbs the
 * same bytes in the same order whatever the thread count.
 *
 * The tree is kept from level cap = L up (a capped tree, cairn/merkle.h):
 * finish hashes each aligned run of 2^L leaves (bottom subtree a: leaves
 * a 2^L .. a 2^L + 2^L - 1, read in place from the coset-major columns)
 * up to its root with a stack of L + 1 digests, on the pool, then frees
 * the columns and builds the levels L .. log2 N from the N >> L roots.
 * Neither the N leaf digests as an array nor the full tree ever exist.
 * The opening rebuilds the few bottom subtrees it needs (open.c).  Level 0
 * (cairn_pcs_commit, cairn_pcs_committer_begin) takes the cap of
 * cairn_pcs_tree_cap, L = 6 at N = 2^20 and 129 queries; the inner
 * levels (pcs_commit_shape) keep full trees, which their openings read
 * directly.
 *
 * Memory: N * 33 bytes of column hashes plus buf and code (8 * k elements
 * each, 128 * k bytes: 32 bytes a column at rate 1/4), whatever the number
 * of rows; finish adds the N >> L subtree roots (32 * N / 2^L bytes), then
 * frees the rest and builds the capped tree (64 * N / 2^L bytes): at rate
 * 1/4, 65 * N + 32 * N / 2^L at the peak, 65.5 MiB for N = 2^20 and L = 6,
 * of which the tree, 1 MiB, stays (with the full tree, L = 0: 97 * N at the
 * peak, of which 64 MiB stays).
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
 * Try every cap L and keep the one with the fewest bytes: the capped tree
 * and the opening's rebuilt subtrees (PCS_OPEN_SUB_COL_BYTES a column of
 * each), in 64 bits (N <= 2^32).
 */
unsigned cairn_pcs_tree_cap(const cairn_pcs_params *params)
{
    pcs_dims d;
    unsigned best = 0;
    uint64_t best_bytes = UINT64_MAX;
    pcs_dims_of(&d, params);
    for (unsigned L = 0; L <= d.lc + d.lb; L++) {
        uint64_t roots = (uint64_t)d.N >> L, subs = d.t < roots ? d.t : roots;
        uint64_t bytes =
            (2 * roots - 1) * sizeof(cairn_digest) + (subs << L) * (uint64_t)PCS_OPEN_SUB_COL_BYTES;
        if (bytes < best_bytes) {
            best = L;
            best_bytes = bytes;
        }
    }
    return best;
}

/*
 * What committer_begin_shape allocates, plus the subtree roots of the
 * last flush, against the roots and the capped tree of
 * cairn_merkle_tree_build_capped (2 (N >> L) - 1 nodes for N a power of
 * two), at the default cap.
 */
uint64_t cairn_pcs_commit_memory(const cairn_pcs_params *params)
{
    pcs_dims d;
    pcs_dims_of(&d, params);
    uint64_t roots = (uint64_t)d.N >> cairn_pcs_tree_cap(params), digest = sizeof(cairn_digest);
    uint64_t rows = 2 * (uint64_t)PCS_HASH_ROWS * d.k * sizeof(cairn_fp);
    uint64_t streaming = d.N * (uint64_t)PCS_COL_BYTES + rows + roots * digest;
    uint64_t tree = roots * digest + (2 * roots - 1) * digest;
    return streaming > tree ? streaming : tree;
}

/*
 * cairn_pcs_committer_begin for a shape already known to be valid and a
 * cap at most log2 N: every column starts as the leaf hash after its 0x00
 * prefix, which is also the template (one pending byte, as PCS_COL_PENDING
 * says).
 */
static cairn_status committer_begin_shape(cairn_pcs_committer *cm, const cairn_pcs_params *params,
                                          unsigned cap, cairn_error *err)
{
    pcs_dims d;
    uint8_t start[PCS_COL_BYTES];

    pcs_dims_of(&d, params);
    cm->params = *params;
    cm->cap = cap;
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

/*
 * Check valid parameters and a cap for a level-0 commitment, resolving
 * CAIRN_PCS_CAP_AUTO into *cap.
 */
static cairn_status check_capped(unsigned *cap, const cairn_pcs_params *params, cairn_error *err)
{
    cairn_status st;
    if ((st = cairn_pcs_params_check(params, err)) != CAIRN_OK)
        return st;
    unsigned h = params->log_cols + params->log_blowup;
    if (*cap == CAIRN_PCS_CAP_AUTO)
        *cap = cairn_pcs_tree_cap(params);
    else if (*cap > h)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs commit: cap %u above the tree's height %u",
                               *cap, h);
    return CAIRN_OK;
}

/* Level 0's committer: the default cap. */
cairn_status cairn_pcs_committer_begin(cairn_pcs_committer *cm, const cairn_pcs_params *params,
                                       cairn_error *err)
{
    return cairn_pcs_committer_begin_capped(cm, params, CAIRN_PCS_CAP_AUTO, err);
}

/* Clear, check the parameters and the cap, then allocate the columns' state. */
cairn_status cairn_pcs_committer_begin_capped(cairn_pcs_committer *cm,
                                              const cairn_pcs_params *params, unsigned cap,
                                              cairn_error *err)
{
    cairn_status st;
    if (cm == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs commit: committer is NULL");
    cairn_pcs_committer_clear(cm);
    if ((st = check_capped(&cap, params, err)) != CAIRN_OK)
        return st;
    return committer_begin_shape(cm, params, cap, err);
}

/* One flush: the coset being encoded and hashed, and whether it is the last. */
struct flush_job {
    cairn_pcs_committer *cm;
    int last; /* finish the columns into their leaf digests, else pack them back */
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
 * the pending symbols, then is packed back, or on the last flush finished
 * into its leaf digest, which overwrites the first 32 bytes of its packed
 * state (column c + 2^b j' stays where it was, coset-major).
 */
static void hash_chunk(void *ctx, size_t c)
{
    const struct flush_job *j = ctx;
    const cairn_pcs_committer *cm = j->cm;
    size_t k = cm->k, j0 = k * c / j->chunks, j1 = k * (c + 1) / j->chunks;
    unsigned pending = cm->pending;
    uint8_t b[PCS_HASH_ROWS * CAIRN_FP_BYTES];
    uint8_t *cols = cm->cols + j->coset * k * PCS_COL_BYTES;
    cairn_sha256_ctx h;
    for (size_t col = j0; col < j1; col++) {
        uint8_t *packed = cols + col * PCS_COL_BYTES;
        for (unsigned r = 0; r < pending; r++)
            pcs_store_le64(b + 8 * r, cm->code[r * k + col].v);
        cairn_sha256_unpack(&h, &cm->tmpl, packed, packed + CAIRN_SHA256_BYTES);
        cairn_sha256_update(&h, b, (size_t)pending * CAIRN_FP_BYTES);
        if (j->last)
            cairn_sha256_final(packed, &h);
        else
            cairn_sha256_pack(packed, packed + CAIRN_SHA256_BYTES, &h);
    }
}

/*
 * Encode the pending rows and append them to every column's running hash,
 * coset by coset; then advance the template by as many bytes.  The last
 * flush (any number of pending rows, even none) finishes every column into
 * its leaf digest in place; any other has a full buffer (PCS_HASH_ROWS
 * rows), so each column is left with PCS_COL_PENDING pending bytes, as
 * stored.
 */
static cairn_status flush(cairn_pcs_committer *cm, int last, cairn_error *err)
{
    static const uint8_t zeros[PCS_HASH_ROWS * CAIRN_FP_BYTES];
    struct flush_job j;
    size_t cosets = (size_t)1 << cm->params.log_blowup;
    if (cm->pending == 0 && !last)
        return CAIRN_OK;
    j.cm = cm;
    j.last = last;
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
        if (cm->pending == PCS_HASH_ROWS && (st = flush(cm, 0, err)) != CAIRN_OK)
            return st;
    }
    return CAIRN_OK;
}

/* The subtree-root pass of finish: the finished columns, the roots, the cut. */
struct roots_job {
    const cairn_pcs_committer *cm;
    cairn_digest *roots;
    size_t len, chunks;
};

/*
 * Pool chunk of the subtree-root pass: for each bottom subtree a of its
 * range, hash leaves a 2^L .. a 2^L + 2^L - 1 up to their root, leaf by
 * leaf in order with a stack: after pushing leaf i, the two top nodes merge
 * once per trailing one bit of i (they are then siblings), so the stack
 * holds at most L + 1 digests and ends with the root alone.  Leaf
 * j = c + 2^b j' is read where the last flush finished column j.
 */
static void roots_chunk(void *ctx, size_t c)
{
    const struct roots_job *rj = ctx;
    const cairn_pcs_committer *cm = rj->cm;
    unsigned L = cm->cap, lb = cm->params.log_blowup;
    size_t lo, hi, mask = ((size_t)1 << lb) - 1;
    cairn_digest stack[PCS_MAX_LOG_CODE + 1];
    cairn_pool_chunk_range(&lo, &hi, rj->len, rj->chunks, c);
    for (size_t a = lo; a < hi; a++) {
        size_t top = 0;
        for (size_t i = 0; i < (size_t)1 << L; i++) {
            size_t leaf = (a << L) + i;
            memcpy(stack[top++].bytes,
                   cm->cols + ((leaf & mask) * cm->k + (leaf >> lb)) * PCS_COL_BYTES,
                   CAIRN_SHA256_BYTES);
            for (size_t x = i; x & 1; x >>= 1, top--)
                cairn_merkle_node_hash(&stack[top - 2], &stack[top - 2], &stack[top - 1]);
        }
        rj->roots[a] = stack[0];
    }
}

/*
 * The last flush (the leaves, in place), the subtree roots on the pool,
 * then the capped tree from the roots once the columns are freed.  The
 * roots are allocated first, so that running out of memory costs no
 * hashing.
 */
cairn_status cairn_pcs_committer_finish(cairn_pcs_prover *pr, cairn_pcs_committer *cm,
                                        cairn_error *err)
{
    cairn_status st;
    cairn_digest *roots = NULL;

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
    struct roots_job rj = {cm, NULL, cm->n_code >> cm->cap, 0};
    roots = malloc(rj.len * sizeof *roots);
    if (roots == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs commit: cannot allocate %zu subtree roots",
                             rj.len);
        goto out;
    }
    if ((st = flush(cm, 1, err)) != CAIRN_OK)
        goto out;
    rj.roots = roots;
    rj.chunks = cairn_pool_chunks(rj.len, ((size_t)4096 >> cm->cap) + 1);
    cairn_pool_run(rj.chunks, roots_chunk, &rj);
    /* the column hashes and the row buffer are done with: free them before the tree */
    cairn_pcs_params params = cm->params;
    size_t n_code = cm->n_code;
    unsigned cap = cm->cap;
    cairn_pcs_committer_clear(cm);
    st = cairn_merkle_tree_build_capped(&pr->tree, roots, n_code, cap, cairn_pool_threads(), err);
    if (st != CAIRN_OK)
        goto out;
    pr->com.params = params;
    pr->com.root = *cairn_merkle_tree_root(&pr->tree);
out:
    free(roots);
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

/*
 * Commit to a row source under a shape known to be valid, with the tree
 * kept from level cap (at most log2 N) up: begin, stream, finish.
 */
static cairn_status commit_rows(cairn_pcs_prover *pr, const cairn_pcs_params *params,
                                const cairn_rows *rows, unsigned cap, cairn_error *err)
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
    if ((st = committer_begin_shape(&cm, params, cap, err)) != CAIRN_OK)
        goto out;
    if ((st = cairn_rows_stream(rows, 0, d.M, commit_consume, &cm, err)) != CAIRN_OK)
        goto out;
    st = cairn_pcs_committer_finish(pr, &cm, err);
out:
    cairn_pcs_committer_clear(&cm);
    return st;
}

/* Level 0's commitment: the default cap. */
cairn_status cairn_pcs_commit(cairn_pcs_prover *pr, const cairn_pcs_params *params,
                              const cairn_rows *rows, cairn_error *err)
{
    return cairn_pcs_commit_capped(pr, params, rows, CAIRN_PCS_CAP_AUTO, err);
}

/* Check the arguments, the parameters and the cap, then commit the rows. */
cairn_status cairn_pcs_commit_capped(cairn_pcs_prover *pr, const cairn_pcs_params *params,
                                     const cairn_rows *rows, unsigned cap, cairn_error *err)
{
    cairn_status st;
    if (pr == NULL || rows == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs commit: NULL prover or row source");
    if ((st = check_capped(&cap, params, err)) != CAIRN_OK)
        return st;
    return commit_rows(pr, params, rows, cap, err);
}

/* An inner level's commitment: the full tree, which its opening reads directly. */
cairn_status pcs_commit_shape(cairn_pcs_prover *pr, const cairn_pcs_params *params,
                              const cairn_rows *rows, cairn_error *err)
{
    return commit_rows(pr, params, rows, 0, err);
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
