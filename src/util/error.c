/*
 * error.c — status names and the error record (see include/cairn/error.h).
 */
#include "cairn/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *cairn_status_str(cairn_status st)
{
    switch (st) {
    case CAIRN_OK: return "ok";
    case CAIRN_ERR_ARG: return "bad argument";
    case CAIRN_ERR_PARSE: return "parse error";
    case CAIRN_ERR_LIMIT: return "limit exceeded";
    case CAIRN_ERR_NOMEM: return "out of memory";
    case CAIRN_ERR_IO: return "I/O error";
    case CAIRN_ERR_REJECTED: return "rejected";
    case CAIRN_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

cairn_status cairn_error_set(cairn_error *err, cairn_status code, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        (void)vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void cairn_error_clear(cairn_error *err)
{
    if (err != NULL) {
        err->code = CAIRN_OK;
        memset(err->msg, 0, sizeof err->msg);
    }
}
