/*
 * cairn/error.h — the one status enum and the error record.
 *
 * Every function that can fail returns a cairn_status and, when the caller
 * passes a non-NULL cairn_error, fills it with a precise, human-readable
 * message naming what is wrong and where.  CAIRN_OK is zero so that
 * `if (st) goto out;` reads naturally.
 */
#ifndef CAIRN_ERROR_H
#define CAIRN_ERROR_H

#include <stddef.h>

typedef enum {
    CAIRN_OK = 0,
    CAIRN_ERR_ARG,      /* a caller passed an argument outside the contract */
    CAIRN_ERR_PARSE,    /* untrusted bytes are malformed */
    CAIRN_ERR_LIMIT,    /* a size or count exceeds a documented limit */
    CAIRN_ERR_NOMEM,    /* allocation failed */
    CAIRN_ERR_IO,       /* reading or writing a file failed */
    CAIRN_ERR_REJECTED, /* a well-formed proof (or opening) is false */
    CAIRN_ERR_INTERNAL  /* an internal invariant failed: a bug */
} cairn_status;

#define CAIRN_ERROR_MSG_MAX 256

typedef struct {
    cairn_status code;
    char msg[CAIRN_ERROR_MSG_MAX];
} cairn_error;

/* Short stable name of a status ("ok", "parse error", ...). Never NULL. */
const char *cairn_status_str(cairn_status st);

/*
 * Record `code` and a printf-style message in `err` (ignored when err is NULL)
 * and return `code`, so a failure site reads
 *     return cairn_error_set(err, CAIRN_ERR_PARSE, "segment %u: ...", i);
 * A message that does not fit is truncated, never overflowed.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
cairn_status cairn_error_set(cairn_error *err, cairn_status code, const char *fmt, ...);

/* Reset `err` to CAIRN_OK with an empty message. Safe on NULL. */
void cairn_error_clear(cairn_error *err);

#endif /* CAIRN_ERROR_H */
