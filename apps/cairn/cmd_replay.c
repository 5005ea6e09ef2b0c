/*
 * cmd_replay.c — `cairn replay FILE PROGRAM.elf [--input FILE] [--threads M]
 * [--json]`: check a checkpoint file written by `cairn run --checkpoints`
 * by re-executing every interval from its checkpoint in parallel
 * (cairn_checkpoints_verify), and report the throughput.
 *
 * Exit statuses (docs/cli.md): 0 the file is sound; 1 it does not belong
 * to this program or input, or replaying contradicts it; 3 the file is
 * malformed, truncated or corrupted (or the ELF is); 4 I/O; 2 usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairn/sha256.h"
#include "cairn/vm.h"
#include "cairn/witness.h"
#include "cli.h"

void cmd_replay_help(FILE *out)
{
    fprintf(out,
            "usage: cairn replay FILE PROGRAM.elf [--input FILE] [--threads M] [--json]\n"
            "\n"
            "Check a checkpoint file written by `cairn run --checkpoints`: re-execute every\n"
            "interval between two checkpoints in parallel, and check that each ends exactly\n"
            "at the next checkpoint's digest, the last one at the recorded final state, and\n"
            "that the output matches. The program and input must be those of the run.\n"
            "  --input FILE      the input the run was given ('-' for standard input)\n"
            "  --threads M       worker threads (default: the number of CPUs, at most 64)\n"
            "  --json            print one JSON object with the result\n"
            "\n"
            "Exit status: 0 sound; 1 another program or input, or the replay disagrees;\n"
            "3 malformed, truncated or corrupted file; 4 I/O error; 2 usage (docs/cli.md).\n");
}



int cmd_replay(int argc, char **argv)
{
    const char *file = NULL, *path = NULL, *input_path = NULL;
    unsigned threads = 0;
    int json = 0, rc = CLI_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cmd_replay_help(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--input") == 0 || strcmp(a, "--threads") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("replay", "option '%s' needs a value", a);
            const char *v = argv[++i];
            if (strcmp(a, "--input") == 0) {
                input_path = v;
            } else {
                char *end = NULL;
                errno = 0;
                unsigned long t = strtoul(v, &end, 10);
                if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 || t == 0 || t > 1024)
                    return cli_usage_error("replay", "--threads '%s': expected 1..1024", v);
                threads = (unsigned)t;
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("replay", "unknown option '%s'", a);
        } else if (file == NULL) {
            file = a;
        } else if (path == NULL) {
            path = a;
        } else {
            return cli_usage_error("replay", "unexpected argument '%s'", a);
        }
    }
    if (file == NULL || path == NULL)
        return cli_usage_error("replay", "expected a checkpoint FILE and PROGRAM.elf");
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
    }

    cairn_error err;
    cairn_error_clear(&err);
    cairn_program prog;
    cairn_checkpoints *cp = NULL;
    uint8_t *elf = NULL, *input = NULL;
    size_t elf_len = 0, input_len = 0;
    cairn_program_init(&prog);

    cairn_status st = cairn_checkpoint_file_read(&cp, file, &err);
    if (st != CAIRN_OK) {
        if (st == CAIRN_ERR_IO || st == CAIRN_ERR_NOMEM)
            cli_error("%s", err.msg);
        else
            cli_error("%s: %s", file, err.msg);
        rc = cli_exit_for_status(st);
        goto out;
    }
    if ((rc = cli_load_elf(path, &elf, &elf_len, &prog)) != CLI_EXIT_OK)
        goto out;
    if (input_path != NULL && (st = cli_read_file(input_path, (size_t)1 << 30, &input, &input_len, &err)) !=
                                  CAIRN_OK) {
        cli_error("--input %s", err.msg);
        rc = cli_exit_for_status(st);
        goto out;
    }
    uint8_t digest[CAIRN_SHA256_BYTES];
    cairn_sha256(digest, elf, elf_len);
    st = cairn_checkpoints_check(cp, digest, input, input_len, &err);
    double secs = 0;
    if (st == CAIRN_OK) {
        double t0 = cli_now();
        st = cairn_checkpoints_verify(cp, &prog, input, input_len, threads, &err);
        secs = cli_now() - t0;
    }
    const cairn_ckpt_header *h = cairn_checkpoints_header(cp);
    if (st != CAIRN_OK && st != CAIRN_ERR_REJECTED) {
        cli_error("%s", err.msg);
        rc = cli_exit_for_status(st);
        goto out;
    }
    if (json) {
        fprintf(stdout, "{\"ok\": %s", st == CAIRN_OK ? "true" : "false");
        if (st != CAIRN_OK) {
            fprintf(stdout, ", \"error\": ");
            cli_json_str(stdout, err.msg);
        }
        fprintf(stdout,
                ", \"checkpoints\": %" PRIu64 ", \"interval\": %" PRIu64 ", \"cycles\": %" PRIu64
                ", \"threads\": %u, \"halt\": \"%s\", \"exit_value\": %u, \"output_len\": %" PRIu64
                ", \"seconds\": %.6f, \"mcycles_per_s\": %.2f}\n",
                h->count, h->interval, h->cycles, threads, cairn_vm_halt_str(h->halt),
                (unsigned)h->exit_code, h->output_len, secs,
                secs > 0 ? (double)h->cycles / secs / 1e6 : 0.0);
    }
    if (st != CAIRN_OK) {
        cli_error("%s: %s", file, err.msg);
        rc = CLI_EXIT_FAILED;
        goto out;
    }
    if (!json)
        printf("ok: %" PRIu64 " intervals of %" PRIu64 " cycles, %" PRIu64
               " cycles replayed with %u threads in %.3f s (%.1f M cycles/s); guest %s",
               h->count, h->interval, h->cycles, threads, secs,
               secs > 0 ? (double)h->cycles / secs / 1e6 : 0.0, cairn_vm_halt_str(h->halt));
    if (!json && h->halt == CAIRN_VM_EXITED)
        printf(" with status %u", (unsigned)(h->exit_code & 0xff));
    if (!json)
        printf(", %" PRIu64 " output bytes\n", h->output_len);
out:
    cairn_checkpoints_free(cp);
    cairn_program_clear(&prog);
    free(elf);
    free(input);
    return rc;
}
