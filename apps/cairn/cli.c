/*
 * cli.c — error printing, exit statuses and JSON string escaping for the
 * cairn program.
 */
#include "cli.h"

#include <stdarg.h>
#include <string.h>

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

int cli_is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

void cli_json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}
