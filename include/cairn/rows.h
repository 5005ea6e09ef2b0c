/*
 * cairn/rows.h — a source of rows streamed in order: the one interface
 * through which prover stages read the witness (DESIGN.md §3).
 *
 * A row source has rows_len rows of width field elements each (row-major).
 * cairn_rows_stream(src, a, b, ...) delivers rows a .. b-1 strictly in
 * order, in chunks, to a consumer callback: each call hands over a
 * contiguous run of rows (first row index, a pointer to count * width
 * elements, count).  The pointer is valid only during the call; a consumer
 * that needs rows later copies them.  Chunk sizes are the source's choice
 * (the materialised source hands out one chunk; the checkpoint-replay
 * source in src/witness/ hands out bounded chunks produced by worker
 * threads), so consumers must not depend on them.
 *
 * A consumer returning non-OK stops the stream; cairn_rows_stream returns
 * that status.  A source may be streamed any number of times (each prover
 * pass is one stream), and each stream returns identical rows.
 *
 * In a multilinear reading, column c of the rows is the table
 * f_c[j] = row j, element c (see cairn/poly.h for the variable order).
 */
#ifndef CAIRN_ROWS_H
#define CAIRN_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"
#include "cairn/field.h"

typedef cairn_status (*cairn_rows_consumer)(void *ctx, uint64_t first_row, const cairn_fp *rows,
                                            size_t count, cairn_error *err);

typedef struct cairn_rows cairn_rows;

struct cairn_rows {
    uint64_t rows_len; /* number of rows */
    size_t width;      /* field elements per row */
    /* Deliver rows [a, b) in order to consume; a <= b <= rows_len (checked by the caller). */
    cairn_status (*stream)(const cairn_rows *src, uint64_t a, uint64_t b,
                           cairn_rows_consumer consume, void *ctx, cairn_error *err);
    void *impl; /* the source's own state */
};

/*
 * Stream rows [a, b) of src to consume.  CAIRN_ERR_ARG if a > b or
 * b > rows_len; otherwise whatever the source or the consumer returns.
 */
cairn_status cairn_rows_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                               cairn_rows_consumer consume, void *ctx, cairn_error *err);

/*
 * A source over a materialised row-major table of rows_len * width elements
 * (owned by the caller, which must outlive the source).  chunk_rows > 0
 * splits each stream into chunks of at most that many rows (tests use it to
 * prove that consumers do not depend on chunking); 0 means one chunk.
 */
typedef struct {
    const cairn_fp *table;
    size_t chunk_rows;
} cairn_rows_table;

void cairn_rows_table_init(cairn_rows *src, cairn_rows_table *impl, const cairn_fp *table,
                           uint64_t rows_len, size_t width, size_t chunk_rows);

/*
 * A source over columns: cols_len columns of rows_len elements each (the
 * columns and the array of their pointers borrowed, and to outlive the
 * source); row x is (cols[0][x], ..., cols[cols_len - 1][x]), width
 * cols_len.  Each stream copies chunks of chunk_rows rows (0: 1024) into
 * a buffer of its own (CAIRN_ERR_NOMEM when it cannot have one).
 */
typedef struct {
    const cairn_fp *const *cols;
    size_t chunk_rows;
} cairn_rows_cols;

void cairn_rows_cols_init(cairn_rows *src, cairn_rows_cols *impl, const cairn_fp *const *cols,
                          size_t cols_len, uint64_t rows_len, size_t chunk_rows);

/*
 * A stage that cuts its work per batch of rows: fn(ctx, first_row, count,
 * err) sees rows first_row .. first_row + count - 1 gathered into the
 * caller's buffer (cairn_rows_gather).
 */
typedef cairn_status (*cairn_rows_batch_fn)(void *ctx, uint64_t first_row, size_t count,
                                            cairn_error *err);

/*
 * Stream rows [a, b) of src and hand them to fn in batches of exactly
 * `batch` rows from a on (the last one shorter), whatever chunks src
 * makes: before each call, buf holds, for row i < count of the batch,
 * the elements at positions cols[0 .. cols_len) of row first_row + i at
 * buf[i * stride + 0 .. cols_len) (the rest of each buffer row is left as
 * it was; buf holds batch * stride elements).  A stage that cuts its work
 * per batch therefore does the same work, and writes the same bytes, for
 * every source.  CAIRN_ERR_ARG for a position outside src's width,
 * batch 0, stride below cols_len, or a range outside src; CAIRN_ERR_INTERNAL
 * for a source that hands rows out of order; otherwise the first status
 * other than OK from src or fn, which stops the stream.
 */
cairn_status cairn_rows_gather(const cairn_rows *src, uint64_t a, uint64_t b, const size_t *cols,
                               size_t cols_len, cairn_fp *buf, size_t stride, size_t batch,
                               cairn_rows_batch_fn fn, void *ctx, cairn_error *err);

#endif
