/*
 * file.c — atomic file replacement (cairn/file.h): write a temporary file
 * beside the target, flush it to disk, rename it over the target.  Used
 * for checkpoint files and proofs; cairn_file_check_writable makes the
 * same temporary file up front so a long proof does not fail at its end.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/file.h"

/*
 * Create PATH.tmp.XXXXXX beside path: *tmp receives its malloc'd name, the
 * return value the descriptor (-1 with err set on failure).
 */
static int tmp_create(char **tmp, const char *path, cairn_error *err)
{
    size_t plen = strlen(path);
    if ((*tmp = malloc(plen + 12)) == NULL) {
        cairn_error_set(err, CAIRN_ERR_NOMEM, "%s: out of memory", path);
        return -1;
    }
    memcpy(*tmp, path, plen);
    memcpy(*tmp + plen, ".tmp.XXXXXX", 12);
    int fd = mkstemp(*tmp);
    if (fd < 0)
        cairn_error_set(err, CAIRN_ERR_IO, "%s: cannot create a temporary file: %s", path,
                        strerror(errno));
    return fd;
}

cairn_status cairn_file_check_writable(const char *path, cairn_error *err)
{
    struct stat sb;
    if (stat(path, &sb) == 0) {
        if (S_ISDIR(sb.st_mode))
            return cairn_error_set(err, CAIRN_ERR_IO, "%s: is a directory", path);
        if (!S_ISREG(sb.st_mode)) {
            if (access(path, W_OK) != 0)
                return cairn_error_set(err, CAIRN_ERR_IO, "%s: %s", path, strerror(errno));
            return CAIRN_OK;
        }
    }
    char *tmp = NULL;
    int fd = tmp_create(&tmp, path, err);
    cairn_status st = fd < 0 ? (tmp == NULL ? CAIRN_ERR_NOMEM : CAIRN_ERR_IO) : CAIRN_OK;
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    free(tmp);
    return st;
}

/*
 * The temporary file is PATH.tmp.XXXXXX (mkstemp), beside the target so
 * that rename stays within one file system and is atomic.  mkstemp creates
 * it 0600; the usual 0666 & ~umask is restored before anything is written
 * (reading the umask sets it, so it is put back at once).  A target that
 * is a device or a pipe cannot be renamed over: it is opened and written
 * like any stream, without the atomicity it could not have anyway.
 */
cairn_status cairn_file_write_atomic(const char *path, const uint8_t *buf, size_t len,
                                     cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    char *tmp = NULL;
    FILE *f = NULL;
    int fd = -1;
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        if ((f = fopen(path, "wb")) == NULL)
            return cairn_error_set(err, CAIRN_ERR_IO, "%s: %s", path, strerror(errno));
        if (fwrite(buf, 1, len, f) != len || fflush(f) != 0) {
            st = cairn_error_set(err, CAIRN_ERR_IO, "%s: write failed: %s", path, strerror(errno));
            fclose(f);
            return st;
        }
        if (fclose(f) != 0)
            return cairn_error_set(err, CAIRN_ERR_IO, "%s: %s", path, strerror(errno));
        return CAIRN_OK;
    }
    if ((fd = tmp_create(&tmp, path, err)) < 0) {
        st = tmp == NULL ? CAIRN_ERR_NOMEM : CAIRN_ERR_IO;
        goto out;
    }
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    if ((f = fdopen(fd, "wb")) == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_IO, "%s: %s", path, strerror(errno));
        close(fd);
        unlink(tmp);
        goto out;
    }
    if (fwrite(buf, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) != 0) {
        st = cairn_error_set(err, CAIRN_ERR_IO, "%s: write failed: %s", path, strerror(errno));
        fclose(f);
        unlink(tmp);
        goto out;
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        st = cairn_error_set(err, CAIRN_ERR_IO, "%s: %s", path, strerror(errno));
        unlink(tmp);
        goto out;
    }
out:
    free(tmp);
    return st;
}

