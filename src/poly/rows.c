/*
 * rows.c — the row-stream entry point and the materialised-table source
 * (contract in include/cairn/rows.h).
 */
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
    src->rows_len = rows_len;
    src->width = width;
    src->stream = table_stream;
    src->impl = impl;
}
