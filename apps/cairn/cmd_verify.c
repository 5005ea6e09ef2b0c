/*
 * cmd_verify.c — `cairn verify PROOF --program PROGRAM.elf [--json]`:
 * check a proof file against the program.  Exit 0 and the verified
 * statement on acceptance; 1 and a one-line reason when the proof is
 * well-formed but false (or for another program); 3 when the proof file is
 * malformed (docs/cli.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/vm.h"
#include "cairn/zkvm.h"
#include "cli.h"

void cmd_verify_help(FILE *out)
{
    fprintf(out,
            "usage: cairn verify PROOF --program PROGRAM.elf [--json]\n"
            "\n"
            "Check a proof written by `cairn prove` against the program it claims to\n"
            "have run. On acceptance prints the verified statement: trace rows\n"
            "(instructions plus one row per system-call setup and per byte read or\n"
            "written), exit code, program digest and proven security, then the public\n"
            "output (the bytes the guest wrote to fd 1) exactly as proven.\n"
            "  --program FILE    the guest ELF the proof is about (required)\n"
            "  --json            print one JSON object (also on rejection)\n"
            "\n"
            "Exit status: 0 accepted; 1 rejected (a false proof, or one for another\n"
            "program); 2 usage; 3 malformed proof file or ELF; 4 I/O error.\n");
}

static void hex(FILE *o, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(o, "%02x", b[i]);
}

/* The --json object of a proof or program that did not verify (malformed or rejected). */
static void print_failure_json(int malformed, const char *reason)
{
    printf("{\"accepted\": false, \"malformed\": %s, \"reason\": ", malformed ? "true" : "false");
    cli_json_str(stdout, reason);
    printf("}\n");
}

int cmd_verify(int argc, char **argv)
{
    const char *proof_path = NULL, *prog_path = NULL;
    int json = 0, rc = CLI_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cmd_verify_help(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--program") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("verify", "option '%s' needs a value", a);
            prog_path = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("verify", "unknown option '%s'", a);
        } else if (proof_path == NULL) {
            proof_path = a;
        } else {
            return cli_usage_error("verify", "unexpected argument '%s'", a);
        }
    }
    if (proof_path == NULL)
        return cli_usage_error("verify", "missing PROOF");
    if (prog_path == NULL)
        return cli_usage_error("verify", "missing --program PROGRAM.elf");

    cairn_error err;
    uint8_t *proof = NULL, *elf = NULL;
    size_t proof_len = 0, elf_len = 0;
    uint8_t *out5 = NULL; /* a format-5 proof's verified output */
    cairn_error_clear(&err);
    cairn_status st = cli_read_file(proof_path, CAIRN_PROOF_MAX_BYTES, &proof, &proof_len, &err);
    if (st == CAIRN_OK)
        st = cli_read_file(prog_path, CAIRN_ELF_MAX_FILE, &elf, &elf_len, &err);
    if (st != CAIRN_OK) {
        cli_error("%s", err.msg);
        rc = cli_exit_for_status(st);
        goto out;
    }
    /*
     * A malformed ELF is malformed input (3), not a rejection: the verifier
     * compares digests first and would call it "another program".
     */
    cairn_program prog;
    cairn_program_init(&prog);
    st = cairn_elf_load(&prog, elf, elf_len, &err);
    cairn_program_clear(&prog);
    if (st != CAIRN_OK) {
        rc = cli_exit_for_status(st);
        if (json)
            print_failure_json(1, err.msg);
        cli_error("%s: %s", prog_path, err.msg);
        goto out;
    }
    double t0 = cli_now();
    const char *stage = "malformed proof";
    cairn_zkvm_statement v5;
    const cairn_zkvm_statement *s = NULL;
    const uint8_t *obytes = NULL;
    /* format 5, parsed and verified in one call; a format-4 file is refused as malformed */
    size_t olen = 0;
    st = cairn_zkvm_verify_output(&v5, &out5, &olen, proof, proof_len, elf, elf_len, &err);
    if (st == CAIRN_ERR_REJECTED)
        stage = "rejected";
    s = &v5, obytes = out5;
    double ms = (cli_now() - t0) * 1e3;
    if (st != CAIRN_OK) {
        rc = st == CAIRN_ERR_REJECTED ? CLI_EXIT_FAILED : cli_exit_for_status(st);
        if (json)
            print_failure_json(st != CAIRN_ERR_REJECTED, err.msg);
        cli_error("%s: %s: %s", proof_path, stage, err.msg);
        goto out;
    }
    if (json) {
        printf("{\"accepted\": true, \"exit_code\": %u, \"output_len\": %u, \"output_hex\": \"",
               s->exit_code, s->output_len);
        hex(stdout, obytes, s->output_len);
        printf("\", \"program_digest\": \"");
        hex(stdout, s->program_digest, sizeof s->program_digest);
        printf("\", \"trace_rows\": %" PRIu64 ", \"security_bits\": %u, \"entry\": %u, "
               "\"mem_log2_words\": %u, \"verify_ms\": %.1f}\n",
               s->cycles, s->security_bits, s->entry, s->mem_log2_words, ms);
    } else {
        printf("accepted: %" PRIu64 " rows, exit code %u, %u bytes of output, %u-bit proven "
               "security (verified in %.1f ms)\n",
               s->cycles, s->exit_code, s->output_len, s->security_bits, ms);
        printf("program sha256 ");
        hex(stdout, s->program_digest, sizeof s->program_digest);
        printf(", entry 0x%08x, memory 2^%u words\n", s->entry, s->mem_log2_words);
        if (s->output_len > 0) {
            const uint8_t *o = obytes;
            printf("output (%u bytes, proven):\n", s->output_len);
            fwrite(o, 1, s->output_len, stdout);
            if (o[s->output_len - 1] != '\n')
                printf("\n");
        }
    }
out:
    free(out5);
    free(proof);
    free(elf);
    return rc;
}
