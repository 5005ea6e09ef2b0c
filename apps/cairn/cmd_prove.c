/*
 * cmd_prove.c — `cairn prove PROGRAM.elf [--input FILE] [-o PROOF]
 * [--security 100|128] [--threads N] [--json]`: run the guest, prove the
 * run (include/cairn/zkvm.h) and write the proof file.  Prints cycles,
 * proof size, proving time, the SHA-256 of the proof bytes and the proven
 * security; --json prints the same as one object (docs/cli.md).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/sha256.h"
#include "cairn/vm.h"
#include "cairn/zkvm.h"
#include "cli.h"

void cmd_prove_help(FILE *out)
{
    fprintf(out,
            "usage: cairn prove PROGRAM.elf [--input FILE] [-o PROOF] [--security 100|128]\n"
            "                   [--threads N] [--json]\n"
            "\n"
            "Execute the guest and prove the execution. Proofs cover RV32I without RAM for\n"
            "now (ALU, LUI, AUIPC, branches, JAL, JALR, FENCE, ECALL exit); a program that\n"
            "needs more is an error naming the first such instruction.\n"
            "  --input FILE      bytes the guest reads from fd 0 ('-' for standard input)\n"
            "  -o PROOF          where to write the proof (default: PROGRAM with .proof\n"
            "                    instead of .elf)\n"
            "  --security BITS   proven security target, 100 (default) or 128\n"
            "  --threads N       prover threads (default 1)\n"
            "  --json            print one JSON object instead of the summary line\n"
            "\n"
            "Exit status: 0 proved; 1 the guest faulted or cannot be proven yet; 2 usage;\n"
            "3 malformed ELF; 4 I/O error; 5 limit exceeded (docs/cli.md).\n");
}

static void hex(FILE *o, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(o, "%02x", b[i]);
}

/* The default proof path: PROGRAM without a trailing ".elf", plus ".proof". */
static char *default_out(const char *prog)
{
    size_t n = strlen(prog);
    if (n >= 4 && strcmp(prog + n - 4, ".elf") == 0)
        n -= 4;
    char *p = malloc(n + 7);
    if (p != NULL) {
        memcpy(p, prog, n);
        memcpy(p + n, ".proof", 7);
    }
    return p;
}

static void print_params_json(FILE *o, const cairn_proof *p)
{
    static const char *const names[4] = {"trace", "multiplicities", "helpers", "table_helpers"};
    fprintf(o, "\"pcs\": [");
    for (unsigned i = 0; i < 4; i++) {
        const cairn_pcs_params *q = cairn_proof_params(p, i);
        fprintf(o,
                "%s{\"batch\": \"%s\", \"num_vars\": %u, \"num_polys\": %u, \"log_cols\": %u, "
                "\"log_blowup\": %u, \"queries\": %u, \"grinding_bits\": %u, \"reps\": %u, "
                "\"achieved_bits\": %u}",
                i ? ", " : "", names[i], q->num_vars, q->num_polys, q->log_cols, q->log_blowup,
                q->queries, q->grinding_bits, q->reps, q->achieved_bits);
    }
    fputc(']', o);
}

int cmd_prove(int argc, char **argv)
{
    const char *path = NULL, *input_path = NULL, *out_path = NULL;
    unsigned security = 100, threads = 1;
    int json = 0, rc = CLI_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cmd_prove_help(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--input") == 0 || strcmp(a, "-o") == 0 ||
                   strcmp(a, "--security") == 0 || strcmp(a, "--threads") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("prove", "option '%s' needs a value", a);
            const char *v = argv[++i];
            if (strcmp(a, "--input") == 0) {
                input_path = v;
            } else if (strcmp(a, "-o") == 0) {
                out_path = v;
            } else if (strcmp(a, "--security") == 0) {
                if (strcmp(v, "100") == 0)
                    security = 100;
                else if (strcmp(v, "128") == 0)
                    security = 128;
                else
                    return cli_usage_error("prove", "--security '%s': expected 100 or 128", v);
            } else {
                char *end;
                unsigned long t = strtoul(v, &end, 10);
                if (*v == '\0' || *end != '\0' || t < 1 || t > 64)
                    return cli_usage_error("prove", "--threads '%s': expected 1 to 64", v);
                threads = (unsigned)t;
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("prove", "unknown option '%s'", a);
        } else if (path == NULL) {
            path = a;
        } else {
            return cli_usage_error("prove", "unexpected argument '%s'", a);
        }
    }
    if (path == NULL)
        return cli_usage_error("prove", "missing PROGRAM.elf");

    cairn_error err;
    uint8_t *elf = NULL, *input = NULL, *proof = NULL;
    size_t elf_len = 0, input_len = 0, proof_len = 0;
    char *def_out = NULL;
    cairn_proof *decoded = NULL;
    cairn_error_clear(&err);
    cairn_status st = cli_read_file(path, CAIRN_ELF_MAX_FILE, &elf, &elf_len, &err);
    if (st != CAIRN_OK) {
        cli_error("%s", err.msg);
        rc = cli_exit_for_status(st);
        goto out;
    }
    if (input_path != NULL && (st = cli_read_file(input_path, (size_t)1 << 30, &input, &input_len, &err))) {
        cli_error("--input %s", err.msg);
        rc = cli_exit_for_status(st);
        goto out;
    }
    if (out_path == NULL) {
        if ((def_out = default_out(path)) == NULL) {
            cli_error("out of memory");
            rc = CLI_EXIT_LIMIT;
            goto out;
        }
        out_path = def_out;
    }
    cairn_zkvm_options opt;
    cairn_zkvm_options_init(&opt);
    opt.security_bits = security;
    opt.threads = threads;
    cairn_zkvm_statement stmt;
    cairn_zkvm_stats stats;
    memset(&stats, 0, sizeof stats);
    double t0 = cli_now();
    st = cairn_zkvm_prove(&proof, &proof_len, &stmt, &stats, elf, elf_len, input, input_len, &opt, &err);
    double secs = cli_now() - t0;
    if (st != CAIRN_OK) {
        cli_error("%s: %s", path, err.msg);
        rc = st == CAIRN_ERR_ARG ? CLI_EXIT_FAILED : cli_exit_for_status(st);
        goto out;
    }
    FILE *f = fopen(out_path, "wb");
    if (f == NULL || fwrite(proof, 1, proof_len, f) != proof_len) {
        cli_error("%s: cannot write the proof", out_path);
        if (f != NULL)
            fclose(f);
        rc = CLI_EXIT_IO;
        goto out;
    }
    if (fclose(f) != 0) {
        cli_error("%s: cannot write the proof", out_path);
        rc = CLI_EXIT_IO;
        goto out;
    }
    uint8_t h[CAIRN_SHA256_BYTES];
    cairn_sha256(h, proof, proof_len);
    if (cairn_proof_decode(&decoded, proof, proof_len, &err) != CAIRN_OK) {
        cli_error("internal: the new proof does not parse: %s", err.msg);
        rc = CLI_EXIT_INTERNAL;
        goto out;
    }
    if (json) {
        FILE *o = stdout;
        fprintf(o, "{\"proof_file\": ");
        cli_json_str(o, out_path);
        fprintf(o, ", \"proof_hash\": \"");
        hex(o, h, sizeof h);
        fprintf(o, "\", \"proof_size_bytes\": %zu, \"prove_ms\": %.1f, \"cycles\": %" PRIu64
                   ", \"security_bits\": %u, \"exit_code\": %u, \"output_hex\": \"\", "
                   "\"program_digest\": \"",
                proof_len, secs * 1e3, stmt.cycles, stmt.security_bits, stmt.exit_code);
        hex(o, stmt.program_digest, sizeof stmt.program_digest);
        fprintf(o, "\", \"rows\": %" PRIu64 ", \"columns_per_cycle\": %zu, ", stats.rows, stats.columns);
        print_params_json(o, decoded);
        fprintf(o, "}\n");
    } else {
        printf("proved %" PRIu64 " cycles (exit code %u) in %.3f s: %zu-byte proof written to %s\n",
               stmt.cycles, stmt.exit_code, secs, proof_len, out_path);
        printf("proof sha256 ");
        hex(stdout, h, sizeof h);
        printf("\nsecurity %u bits (proven; target %u)\n", stmt.security_bits, stmt.security_target);
    }
out:
    cairn_proof_free(decoded);
    free(def_out);
    free(proof);
    free(elf);
    free(input);
    return rc;
}
