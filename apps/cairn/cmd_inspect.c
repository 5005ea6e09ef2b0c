/*
 * cmd_inspect.c — `cairn inspect PROOF [--json]`: parse a proof file and
 * print its statement, its parameters and the size of each component,
 * without verifying it (docs/cli.md, docs/proof-format.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/zkvm.h"
#include "cli.h"

void cmd_inspect_help(FILE *out)
{
    fprintf(out,
            "usage: cairn inspect PROOF [--json]\n"
            "\n"
            "Print a proof's statement (program digest, entry, trace rows, instructions,\n"
            "exit code, output, security) and each part's bytes (format 5, the lean proof).\n"
            "The proof is parsed strictly but not verified. Format 4 files (the first\n"
            "prover, removed) are refused as malformed.\n"
            "  --json            print one JSON object\n"
            "\n"
            "Exit status: 0 parsed; 2 usage; 3 malformed proof; 4 I/O error.\n");
}

/* A format-5 (lean) proof: the statement and each part's bytes. */
static int inspect_v5(const char *path, const uint8_t *b, size_t len, int json)
{
    cairn_zkvm_statement s;
    cairn_proof_part parts[48];
    size_t np = 0;
    uint64_t ins = 0;
    cairn_error err;
    cairn_status st = cairn_proof_v5_describe(&s, &ins, parts, &np, 48, b, len, &err);
    if (st != CAIRN_OK) {
        cli_error("%s: malformed proof: %s", path, err.msg);
        return cli_exit_for_status(st);
    }
    const uint8_t *out = b + parts[0].len - s.output_len; /* the output ends the container */
    if (json) {
        printf("{\"version\": 5, \"program_digest\": \"");
        for (unsigned i = 0; i < 32; i++)
            printf("%02x", s.program_digest[i]);
        printf("\", \"entry\": %u, \"mem_log2_words\": %u, \"trace_rows\": %" PRIu64
               ", \"instructions\": %" PRIu64 ", \"exit_code\": %u, \"output_len\": %u, "
               "\"output_hex\": \"",
               s.entry, s.mem_log2_words, s.cycles, ins, s.exit_code, s.output_len);
        for (uint32_t i = 0; i < s.output_len; i++)
            printf("%02x", out[i]);
        printf("\", \"security_target\": %u, \"security_bits\": %u, \"parts\": [",
               s.security_target, s.security_bits);
        for (size_t i = 0; i < np; i++) {
            printf("%s{\"name\": ", i ? ", " : "");
            cli_json_str(stdout, parts[i].name);
            printf(", \"offset\": %zu, \"bytes\": %zu}", parts[i].offset, parts[i].len);
        }
        printf("], \"total\": %zu}\n", len);
        return CLI_EXIT_OK;
    }
    printf("cairn proof, format version 5 (the lean proof), %zu bytes\n", len);
    printf("statement:\n  program sha256  ");
    for (unsigned i = 0; i < 32; i++)
        printf("%02x", s.program_digest[i]);
    printf("\n  entry           0x%08x\n  memory          2^%u words\n  trace rows      %" PRIu64
           "\n  instructions    %" PRIu64 "\n  exit code       %u\n  output          %u bytes\n"
           "  security        %u bits proven (target %u)\nparts:\n",
           s.entry, s.mem_log2_words, s.cycles, ins, s.exit_code, s.output_len, s.security_bits,
           s.security_target);
    for (size_t i = 0; i < np; i++)
        printf("  %-30s %8zu\n", parts[i].name, parts[i].len);
    return CLI_EXIT_OK;
}

int cmd_inspect(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0, rc = CLI_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cmd_inspect_help(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("inspect", "unknown option '%s'", a);
        } else if (path == NULL) {
            path = a;
        } else {
            return cli_usage_error("inspect", "unexpected argument '%s'", a);
        }
    }
    if (path == NULL)
        return cli_usage_error("inspect", "missing PROOF");
    cairn_error err;
    uint8_t *b = NULL;
    size_t len = 0;
    cairn_error_clear(&err);
    cairn_status st = cli_read_file(path, CAIRN_PROOF_MAX_BYTES, &b, &len, &err);
    if (st != CAIRN_OK) {
        cli_error("%s", err.msg);
        rc = cli_exit_for_status(st);
        goto out;
    }
    rc = inspect_v5(path, b, len, json);
out:
    free(b);
    return rc;
}
