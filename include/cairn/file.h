/*
 * cairn/file.h — writing a file so that a failure never leaves half of it.
 */
#ifndef CAIRN_FILE_H
#define CAIRN_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

/*
 * Write buf (len bytes) to path atomically: into a temporary file in the
 * same directory, flushed to disk and renamed over path, so a reader sees
 * the old file or the whole new one and a failure leaves no partial file
 * (and any old one untouched).  The file gets the mode 0666 less the
 * umask.  A path that exists but is not a regular file (a device, a pipe)
 * is written in place.  CAIRN_ERR_IO naming the path and the reason,
 * CAIRN_ERR_NOMEM.
 */
cairn_status cairn_file_write_atomic(const char *path, const uint8_t *buf, size_t len,
                                     cairn_error *err);

/*
 * Check, before long work, that cairn_file_write_atomic(path, ...) can
 * succeed later: a path that exists and is not a regular file must be
 * writable (a device, a pipe); a directory is refused; otherwise a
 * temporary file is created beside path and removed again, which proves
 * the directory exists and is writable.  path itself is not created or
 * changed.  CAIRN_ERR_IO naming the path and the reason, CAIRN_ERR_NOMEM.
 */
cairn_status cairn_file_check_writable(const char *path, cairn_error *err);

#endif /* CAIRN_FILE_H */
