/*
 * cmd_version.c — `cairn version [--json]`.
 */
#include <stdio.h>
#include <string.h>

#include "cairn/version.h"
#include "cli.h"

void cmd_version_help(FILE *out)
{
    fprintf(out, "usage: cairn version [--json]\n"
                 "\n"
                 "Print the version of cairn.\n"
                 "  --json   print {\"version\": \"...\"}\n");
}

int cmd_version(int argc, char **argv)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cmd_version_help(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            return cli_usage_error("version", "unexpected argument '%s'", argv[i]);
        }
    }
    if (json) {
        printf("{\"version\": ");
        cli_json_str(stdout, cairn_version());
        printf("}\n");
    } else {
        printf("cairn %s\n", cairn_version());
    }
    return CLI_EXIT_OK;
}
