/*
 * cli.c — error printing, exit statuses, JSON string escaping, and reading
 * and atomically writing whole files for the cairn program.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void cli_error(const char *fmt, ...)
{
    va_list ap;
    fputs("cairn: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fputs("cairn: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'cairn %s%s--help'.\n", cmd != NULL ? cmd : "", cmd != NULL ? " " : "");
    return CLI_EXIT_USAGE;
}

int cli_exit_for_status(cairn_status st)
{
    switch (st) {
    case CAIRN_OK: return CLI_EXIT_OK;
    case CAIRN_ERR_REJECTED: return CLI_EXIT_FAILED;
    case CAIRN_ERR_ARG: return CLI_EXIT_USAGE;
    case CAIRN_ERR_PARSE: return CLI_EXIT_INPUT;
    case CAIRN_ERR_IO: return CLI_EXIT_IO;
    case CAIRN_ERR_LIMIT:
    case CAIRN_ERR_NOMEM: return CLI_EXIT_LIMIT;
    case CAIRN_ERR_INTERNAL: return CLI_EXIT_INTERNAL;
    }
    return CLI_EXIT_INTERNAL;
}

int cli_parse_size(const char *s, int allow_suffix, uint64_t *out)
{
    uint64_t v = 0;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (allow_suffix && *p != '\0' && p[1] == '\0') {
        unsigned shift = *p == 'K' || *p == 'k'   ? 10
                         : *p == 'M' || *p == 'm' ? 20
                         : *p == 'G' || *p == 'g' ? 30
                                                  : 0;
        if (shift == 0 || v > (UINT64_MAX >> shift))
            return 0;
        v <<= shift;
        p++;
    }
    if (*p != '\0')
        return 0;
    *out = v;
    return 1;
}

int cli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

void cli_json_bytes(FILE *out, const uint8_t *b, size_t len)
{
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        uint8_t c = b[i];
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", out);
        else if (c == '\r')
            fputs("\\r", out);
        else if (c == '\t')
            fputs("\\t", out);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

void cli_json_str(FILE *out, const char *s)
{
    cli_json_bytes(out, (const uint8_t *)s, strlen(s));
}

/*
 * Grow a buffer geometrically while reading, so standard input (whose size
 * is unknown) and regular files take the same path; stop as soon as the
 * limit is passed so a huge or endless input cannot exhaust memory.
 */
cairn_status cli_read_file(const char *path, size_t limit, uint8_t **out, size_t *out_len,
                           cairn_error *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    cairn_status st = CAIRN_OK;
    *out = NULL;
    *out_len = 0;
    if (f == NULL)
        return cairn_error_set(err, CAIRN_ERR_IO, "%s: %s", path, strerror(errno));
    for (;;) {
        if (len == cap) {
            size_t ncap = cap == 0 ? 65536 : cap * 2;
            uint8_t *nb = realloc(buf, ncap);
            if (nb == NULL) {
                st = cairn_error_set(err, CAIRN_ERR_NOMEM, "%s: out of memory", path);
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (len > limit) {
            st = cairn_error_set(err, CAIRN_ERR_LIMIT, "%s: larger than the limit of %zu bytes", path,
                                 limit);
            goto out;
        }
        if (n == 0) {
            if (ferror(f))
                st = cairn_error_set(err, CAIRN_ERR_IO, "%s: read error", path);
            break;
        }
    }
out:
    if (f != stdin)
        fclose(f);
    if (st != CAIRN_OK) {
        free(buf);
        return st;
    }
    *out = buf;
    *out_len = len;
    return CAIRN_OK;
}

int cli_load_elf(const char *path, uint8_t **elf, size_t *elf_len, cairn_program *prog)
{
    cairn_error err;
    cairn_status st = cli_read_file(path, CAIRN_ELF_MAX_FILE, elf, elf_len, &err);
    if (st == CAIRN_OK)
        st = cairn_elf_load(prog, *elf, *elf_len, &err);
    if (st == CAIRN_OK)
        return CLI_EXIT_OK;
    /* read errors already name the path */
    if (st == CAIRN_ERR_IO || st == CAIRN_ERR_NOMEM)
        cli_error("%s", err.msg);
    else
        cli_error("%s: %s", path, err.msg);
    return cli_exit_for_status(st);
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
