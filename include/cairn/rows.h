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

#endif
