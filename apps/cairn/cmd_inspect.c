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
            "Print a proof's statement (program digest, entry, trace rows, exit code, output,\n"
            "security), the parameters of its six commitments and a size breakdown by\n"
            "component (format 5, the lean proof: the statement with the instruction count,\n"
            "and each part's bytes). The proof is parsed strictly but not verified.\n"
            "  --json            print one JSON object\n"
            "\n"
            "Exit status: 0 parsed; 2 usage; 3 malformed proof; 4 I/O error.\n");
}

static const char *const batch_names[CAIRN_PROOF_BATCHES] = {
    "trace", "multiplicities", "helpers", "table_helpers", "final_memory", "memory_helpers"};

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
    cairn_proof *p = NULL;
    cairn_error_clear(&err);
    cairn_status st = cli_read_file(path, CAIRN_PROOF_MAX_BYTES, &b, &len, &err);
    if (st == CAIRN_OK && cairn_proof_format(b, len) == 5) {
        rc = inspect_v5(path, b, len, json);
        goto out;
    }
    if (st == CAIRN_OK && (st = cairn_proof_decode(&p, b, len, &err)) != CAIRN_OK) {
        cli_error("%s: malformed proof: %s", path, err.msg);
        rc = cli_exit_for_status(st);
        goto out;
    }
    if (st != CAIRN_OK) {
        cli_error("%s", err.msg);
        rc = cli_exit_for_status(st);
        goto out;
    }
    const cairn_zkvm_statement *s = cairn_proof_statement(p);
    const cairn_zkvm_sizes *z = cairn_proof_sizes(p);
    unsigned nt;
    unsigned n = cairn_proof_vars(p, &nt);
    if (json) {
        printf("{\"version\": %u, \"program_digest\": \"", CAIRN_PROOF_FORMAT_VERSION);
        for (unsigned i = 0; i < 32; i++)
            printf("%02x", s->program_digest[i]);
        printf("\", \"entry\": %u, \"mem_log2_words\": %u, \"trace_rows\": %" PRIu64
               ", \"exit_code\": %u, \"output_len\": %u, \"output_hex\": \"",
               s->entry, s->mem_log2_words, s->cycles, s->exit_code, s->output_len);
        for (uint32_t i = 0; i < s->output_len; i++)
            printf("%02x", cairn_proof_output(p)[i]);
        printf("\", \"security_target\": %u, \"security_bits\": %u, \"trace_vars\": %u, "
               "\"table_vars\": %u, \"pcs\": [",
               s->security_target, s->security_bits, n, nt);
        for (unsigned i = 0; i < CAIRN_PROOF_BATCHES; i++) {
            const cairn_pcs_params *q = cairn_proof_params(p, i);
            printf("%s{\"batch\": \"%s\", \"num_vars\": %u, \"num_polys\": %u, \"log_cols\": %u, "
                   "\"log_blowup\": %u, \"queries\": %u, \"grinding_bits\": %u, \"reps\": %u, "
                   "\"achieved_bits\": %u, \"levels\": %u, \"opening_bytes\": %zu}",
                   i ? ", " : "", batch_names[i], q->num_vars, q->num_polys, q->log_cols,
                   q->log_blowup, q->queries, q->grinding_bits, q->reps, q->achieved_bits,
                   q->levels, z->opening[i]);
        }
        printf("], \"sizes\": {\"header\": %zu, \"statement\": %zu, \"registers\": %zu, "
               "\"commitments\": %zu, \"sumchecks\": %zu, \"evaluations\": %zu, \"openings\": %zu, "
               "\"total\": %zu}}\n",
               z->header, z->statement, z->registers, z->commitments, z->sumchecks, z->evaluations,
               z->openings, z->total);
    } else {
        printf("cairn proof, format version %u, %zu bytes\n", CAIRN_PROOF_FORMAT_VERSION, z->total);
        printf("statement:\n  program sha256  ");
        for (unsigned i = 0; i < 32; i++)
            printf("%02x", s->program_digest[i]);
        printf("\n  entry           0x%08x\n  memory          2^%u words\n  trace rows      %" PRIu64
               " (padded to 2^%u)\n  exit code       %u\n  output          %u bytes\n  security        %u "
               "bits proven (target %u)\n",
               s->entry, s->mem_log2_words, s->cycles, n, s->exit_code, s->output_len,
               s->security_bits, s->security_target);
        printf("commitments (recursive tensor PCS; levels: k/blowup/queries):\n");
        for (unsigned i = 0; i < CAIRN_PROOF_BATCHES; i++) {
            const cairn_pcs_params *q = cairn_proof_params(p, i);
            printf("  %-15s 2^%-2u x %-3u  k = 2^%u, rate 1/%u, %u queries, %u grinding bits, %u "
                   "reps, %u bits",
                   cairn_proof_batch_name(i), q->num_vars, q->num_polys, q->log_cols, 1u << q->log_blowup,
                   q->queries, q->grinding_bits, q->reps, q->achieved_bits);
            for (unsigned l = 0; l < q->levels; l++)
                printf("%s2^%u/%u/%u", l ? ", " : "; levels ", q->inner[l].log_cols,
                       1u << q->inner[l].log_blowup, q->inner[l].queries);
            printf("\n");
        }
        printf("sizes:\n  header+statement %8zu\n  final registers  %8zu\n  commitments      %8zu\n"
               "  sum-checks       %8zu\n  evaluations      %8zu\n  openings         %8zu",
               z->header + z->statement, z->registers, z->commitments, z->sumchecks, z->evaluations,
               z->openings);
        for (unsigned i = 0; i < CAIRN_PROOF_BATCHES; i++)
            printf("%s%s %zu", i ? ", " : " (", cairn_proof_batch_name(i), z->opening[i]);
        printf(")\n");
    }
out:
    cairn_proof_free(p);
    free(b);
    return rc;
}
