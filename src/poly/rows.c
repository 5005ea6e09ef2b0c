/*
 * rows.c — the row-stream entry point, the materialised-table and the
 * column sources, and the regrouping of a stream into fixed batches
 * (contract in include/cairn/rows.h).
 *
 * Batches: a consumer sees chunks of the source's choosing, so a stage
 * that cut its work (and its partial sums) per chunk would work
 * differently for each source.  cairn_rows_gather copies the positions a
 * stage reads into a buffer of `batch` rows and hands on full batches
 * counted from the stream's first row, so the cut depends on the range
 * alone.
 */
#include <stdlib.h>

#include "cairn/rows.h"

cairn_status cairn_rows_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                               cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    if (a > b || b > src->rows_len)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "row stream [%llu, %llu) outside the %llu rows of the source",
                               (unsigned long long)a, (unsigned long long)b,
                               (unsigned long long)src->rows_len);
    if (a == b)
        return CAIRN_OK;
    return src->stream(src, a, b, consume, ctx, err);
}

/* Fill in a source's shape and its stream. */
static void rows_set(cairn_rows *src, uint64_t rows_len, size_t width,
                     cairn_status (*stream)(const cairn_rows *, uint64_t, uint64_t,
                                            cairn_rows_consumer, void *, cairn_error *),
                     void *impl)
{
    src->rows_len = rows_len;
    src->width = width;
    src->stream = stream;
    src->impl = impl;
}

static cairn_status table_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                                 cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    const cairn_rows_table *t = src->impl;
    uint64_t step = t->chunk_rows > 0 ? t->chunk_rows : b - a;
    for (uint64_t r = a; r < b; r += step) {
        uint64_t n = b - r < step ? b - r : step;
        cairn_status st = consume(ctx, r, t->table + r * src->width, (size_t)n, err);
        if (st != CAIRN_OK)
            return st;
    }
    return CAIRN_OK;
}

void cairn_rows_table_init(cairn_rows *src, cairn_rows_table *impl, const cairn_fp *table,
                           uint64_t rows_len, size_t width, size_t chunk_rows)
{
    impl->table = table;
    impl->chunk_rows = chunk_rows;
    rows_set(src, rows_len, width, table_stream, impl);
}

/* Rows of a column source's chunk when its caller gave 0. */
#define COLS_CHUNK 1024u

/* Copy the columns' rows into a buffer of its own, chunk by chunk, and hand each on. */
static cairn_status cols_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                                cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    const cairn_rows_cols *c = src->impl;
    size_t w = src->width, step = c->chunk_rows > 0 ? c->chunk_rows : COLS_CHUNK;
    cairn_status st = CAIRN_OK;
    cairn_fp *buf = malloc(step * (w ? w : 1) * sizeof *buf);
    if (buf == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for a chunk of %zu rows of "
                               "%zu columns", step, w);
    for (uint64_t x0 = a; x0 < b && st == CAIRN_OK; x0 += step) {
        size_t len = b - x0 < step ? (size_t)(b - x0) : step;
        for (size_t i = 0; i < w; i++) {
            const cairn_fp *col = c->cols[i] + x0;
            for (size_t r = 0; r < len; r++)
                buf[r * w + i] = col[r];
        }
        st = consume(ctx, x0, buf, len, err);
    }
    free(buf);
    return st;
}

void cairn_rows_cols_init(cairn_rows *src, cairn_rows_cols *impl, const cairn_fp *const *cols,
                          size_t cols_len, uint64_t rows_len, size_t chunk_rows)
{
    impl->cols = cols;
    impl->chunk_rows = chunk_rows;
    rows_set(src, rows_len, cols_len, cols_stream, impl);
}

/* A gather in progress: the batch being filled and where it goes. */
struct gather {
    const size_t *cols;
    size_t cols_len, width, stride, batch;
    cairn_fp *buf;
    uint64_t x0; /* the batch's first row */
    size_t have; /* rows in the batch so far */
    cairn_rows_batch_fn fn;
    void *ctx;
};

/* Copy a chunk's positions into the batch; hand the batch on each time it is full. */
static cairn_status gather_consume(void *ctx, uint64_t first_row, const cairn_fp *rows,
                                   size_t count, cairn_error *err)
{
    struct gather *g = ctx;
    if (first_row != g->x0 + g->have)
        return cairn_error_set(err, CAIRN_ERR_INTERNAL, "row stream: row %llu handed over where "
                               "row %llu was due", (unsigned long long)first_row,
                               (unsigned long long)(g->x0 + g->have));
    for (size_t r = 0; r < count; r++) {
        const cairn_fp *row = rows + r * g->width;
        cairn_fp *dst = g->buf + g->have * g->stride;
        for (size_t i = 0; i < g->cols_len; i++)
            dst[i] = row[g->cols[i]];
        if (++g->have == g->batch) {
            cairn_status st = g->fn(g->ctx, g->x0, g->have, err);
            if (st != CAIRN_OK)
                return st;
            g->x0 += g->have;
            g->have = 0;
        }
    }
    return CAIRN_OK;
}

cairn_status cairn_rows_gather(const cairn_rows *src, uint64_t a, uint64_t b, const size_t *cols,
                               size_t cols_len, cairn_fp *buf, size_t stride, size_t batch,
                               cairn_rows_batch_fn fn, void *ctx, cairn_error *err)
{
    if (batch == 0 || stride < cols_len)
        return cairn_error_set(err, CAIRN_ERR_ARG, "row gather: batches of %zu rows of stride %zu "
                               "for %zu positions", batch, stride, cols_len);
    for (size_t i = 0; i < cols_len; i++)
        if (cols[i] >= src->width)
            return cairn_error_set(err, CAIRN_ERR_ARG, "row gather: position %zu is %zu, outside "
                                   "rows of %zu elements", i, cols[i], src->width);
    struct gather g = {cols, cols_len, src->width, stride, batch, buf, a, 0, fn, ctx};
    cairn_status st = cairn_rows_stream(src, a, b, gather_consume, &g, err);
    if (st == CAIRN_OK && g.have > 0)
        st = fn(ctx, g.x0, g.have, err);
    return st;
}
