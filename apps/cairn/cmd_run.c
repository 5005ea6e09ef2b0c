/*
 * cmd_run.c — `cairn run PROGRAM.elf [--input FILE] [--max-cycles N]
 * [--stack SIZE] [--stats] [--json] [--checkpoints FILE
 * [--checkpoint-interval C]]`: execute a guest in the VM, optionally
 * recording a checkpoint file (docs/checkpoints.md) for replay and proving.
 *
 * The guest's fd 1 goes to standard output (or into the JSON object with
 * --json), fd 2 to standard error.  The process exits with the guest's
 * status & 0xff; a fault exits 1 and a reached cycle limit 5, each after a
 * `cairn: error:` line on stderr (docs/cli.md explains how to tell them from
 * a guest that exits 1 or 5 itself: the error line, or "status" in --json).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/sha256.h"
#include "cairn/vm.h"
#include "cairn/witness.h"
#include "cli.h"

#define DEFAULT_CKPT_INTERVAL (UINT64_C(1) << 20)

void cmd_run_help(FILE *out)
{
    fprintf(out,
            "usage: cairn run PROGRAM.elf [--input FILE] [--max-cycles N] [--stack SIZE]\n"
            "                 [--stats] [--json] [--checkpoints FILE [--checkpoint-interval C]]\n"
            "\n"
            "Execute a RV32IM guest (a static ELF built with -march=rv32i or rv32im,\n"
            "-mabi=ilp32). The guest's fd 1 goes to standard output, fd 2 to standard\n"
            "error, and read(0) returns the bytes of --input.\n"
            "  --input FILE      bytes the guest reads from fd 0 ('-' for standard input;\n"
            "                    default: none)\n"
            "  --max-cycles N    stop with an error after N instructions (default: no limit)\n"
            "  --stack SIZE      bytes reserved above the program for the stack, with an\n"
            "                    optional K, M or G suffix (default 64K)\n"
            "  --stats           print cycles, instruction mix, memory and speed to stderr\n"
            "  --json            print one JSON object with the outcome (and the guest's\n"
            "                    output) on standard output instead\n"
            "  --checkpoints FILE  also record the run's checkpoints into FILE (written\n"
            "                    atomically, whatever the guest's outcome), for `cairn replay`\n"
            "                    and proving later (docs/checkpoints.md)\n"
            "  --checkpoint-interval C  cycles between checkpoints, with an optional K, M\n"
            "                    or G suffix (default 1M)\n"
            "\n"
            "Exit status: the guest's exit status & 0xff; 1 if the guest faulted; 5 if the\n"
            "cycle limit was reached; 2 usage, 3 malformed ELF, 4 I/O error (docs/cli.md).\n");
}


struct sink {
    int json;
    uint8_t *buf; /* fd 1 bytes, with --json */
    size_t len, cap;
};

static int sink_write(void *ctx, int fd, const uint8_t *buf, size_t buf_len)
{
    struct sink *s = ctx;
    if (fd == 2) {
        fflush(stdout);
        return fwrite(buf, 1, buf_len, stderr) == buf_len ? 0 : -1;
    }
    if (!s->json)
        return fwrite(buf, 1, buf_len, stdout) == buf_len ? 0 : -1;
    if (buf_len > SIZE_MAX / 2 - s->len)
        return -1;
    if (s->len + buf_len > s->cap) {
        size_t ncap = s->cap ? s->cap : 4096;
        while (ncap < s->len + buf_len)
            ncap *= 2;
        uint8_t *nb = realloc(s->buf, ncap);
        if (nb == NULL)
            return -1;
        s->buf = nb;
        s->cap = ncap;
    }
    memcpy(s->buf + s->len, buf, buf_len);
    s->len += buf_len;
    return 0;
}



static void print_stats_text(const cairn_vm *vm, const cairn_vm_stats *stats, double secs)
{
    fprintf(stderr, "cairn: stats: %" PRIu64 " cycles, %.3f s, %.1f MIPS\n", vm->cycles, secs,
            secs > 0 ? (double)vm->cycles / secs / 1e6 : 0.0);
    fprintf(stderr, "cairn: stats: mix:");
    for (int c = 0; c < CAIRN_VM_CLASS_COUNT; c++) {
        uint64_t n = stats->class_count[c];
        fprintf(stderr, " %s %" PRIu64 " (%.1f%%)", cairn_vm_class_name((cairn_vm_class)c), n,
                vm->cycles ? 100.0 * (double)n / (double)vm->cycles : 0.0);
    }
    fprintf(stderr, "; branches taken %" PRIu64 "\n", stats->branches_taken);
    fprintf(stderr,
            "cairn: stats: memory [0x%08x, 0x%08llx): %u bytes = 2^%u words; image ends at "
            "0x%08x; %" PRIu64 " bytes touched\n",
            (unsigned)vm->mem_base, (unsigned long long)vm->mem_base + vm->mem_size,
            (unsigned)vm->mem_size, (unsigned)vm->mem_log2_words, (unsigned)vm->image_end,
            cairn_vm_stats_touched_bytes(stats));
    fprintf(stderr, "cairn: stats: output %" PRIu64 " bytes, diagnostics %" PRIu64
                    " bytes, input %" PRIu64 " bytes read\n",
            vm->output_len, vm->diag_len, vm->input_pos);
}

static void print_json(const cairn_vm *vm, const struct sink *sink, const cairn_vm_stats *stats,
                       const cairn_checkpoints *ckpts, const char *ckpt_path, double secs)
{
    FILE *o = stdout;
    fprintf(o, "{\"status\": \"%s\"",
            vm->halt == CAIRN_VM_EXITED    ? "exited"
            : vm->halt == CAIRN_VM_FAULTED ? "fault"
                                           : "cycle_limit");
    if (vm->halt == CAIRN_VM_EXITED)
        fprintf(o, ", \"exit_code\": %u", (unsigned)(vm->exit_code & 0xff));
    fprintf(o, ", \"exit_value\": %u", (unsigned)vm->exit_code);
    fprintf(o, ", \"cycles\": %" PRIu64 ", \"pc\": %u", vm->cycles, (unsigned)vm->pc);
    if (vm->halt == CAIRN_VM_FAULTED) {
        fprintf(o, ", \"fault\": {\"kind\": ");
        cli_json_str(o, cairn_vm_fault_str(vm->fault.kind));
        fprintf(o, ", \"pc\": %u, \"insn\": %u, \"addr\": %u, \"message\": ", (unsigned)vm->fault.pc,
                (unsigned)vm->fault.insn, (unsigned)vm->fault.addr);
        cli_json_str(o, vm->fault.msg);
        fputc('}', o);
    }
    fprintf(o, ", \"output_len\": %zu, \"output\": ", sink->len);
    cli_json_bytes(o, sink->buf, sink->len);
    if (stats != NULL) {
        fprintf(o, ", \"stats\": {\"mix\": {");
        for (int c = 0; c < CAIRN_VM_CLASS_COUNT; c++)
            fprintf(o, "%s\"%s\": %" PRIu64, c ? ", " : "", cairn_vm_class_name((cairn_vm_class)c),
                    stats->class_count[c]);
        fprintf(o,
                "}, \"branches_taken\": %" PRIu64 ", \"mem_base\": %u, \"mem_size\": %u, "
                "\"mem_log2_words\": %u, \"image_end\": %u, \"touched_bytes\": %" PRIu64
                ", \"diag_len\": %" PRIu64 ", \"input_read\": %" PRIu64
                ", \"seconds\": %.6f, \"mips\": %.2f}",
                stats->branches_taken, (unsigned)vm->mem_base, (unsigned)vm->mem_size,
                (unsigned)vm->mem_log2_words, (unsigned)vm->image_end,
                cairn_vm_stats_touched_bytes(stats), vm->diag_len, vm->input_pos, secs,
                secs > 0 ? (double)vm->cycles / secs / 1e6 : 0.0);
    }
    if (ckpts != NULL) {
        const cairn_ckpt_header *h = cairn_checkpoints_header(ckpts);
        fprintf(o, ", \"checkpoints\": {\"file\": ");
        cli_json_str(o, ckpt_path);
        fprintf(o, ", \"count\": %" PRIu64 ", \"interval\": %" PRIu64 ", \"page_bytes\": %" PRIu64 "}",
                h->count, h->interval, cairn_checkpoints_page_bytes(ckpts));
    }
    fprintf(o, "}\n");
}

int cmd_run(int argc, char **argv)
{
    const char *path = NULL, *input_path = NULL;
    uint64_t max_cycles = UINT64_MAX, stack = CAIRN_VM_DEFAULT_STACK;
    uint64_t interval = DEFAULT_CKPT_INTERVAL;
    const char *ckpt_path = NULL;
    int have_interval = 0;
    int want_stats = 0, json = 0, rc = CLI_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cmd_run_help(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(a, "--stats") == 0) {
            want_stats = 1;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--input") == 0 || strcmp(a, "--max-cycles") == 0 ||
                   strcmp(a, "--stack") == 0 || strcmp(a, "--checkpoints") == 0 ||
                   strcmp(a, "--checkpoint-interval") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("run", "option '%s' needs a value", a);
            const char *v = argv[++i];
            if (strcmp(a, "--input") == 0) {
                input_path = v;
            } else if (strcmp(a, "--checkpoints") == 0) {
                ckpt_path = v;
            } else if (strcmp(a, "--checkpoint-interval") == 0) {
                have_interval = 1;
                if (!cli_parse_size(v, 1, &interval) || interval == 0)
                    return cli_usage_error("run",
                                           "--checkpoint-interval '%s': expected a positive number "
                                           "of cycles (e.g. 65536, 64K, 1M)",
                                           v);
            } else if (strcmp(a, "--max-cycles") == 0) {
                if (!cli_parse_size(v, 0, &max_cycles) || max_cycles == 0)
                    return cli_usage_error("run", "--max-cycles '%s': expected a positive integer", v);
            } else if (!cli_parse_size(v, 1, &stack) || stack > CAIRN_VM_MAX_MEM) {
                return cli_usage_error("run", "--stack '%s': expected a size up to 1G (e.g. 65536, 64K, 1M)",
                                       v);
            }
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error("run", "unknown option '%s'", a);
        } else if (path == NULL) {
            path = a;
        } else {
            return cli_usage_error("run", "unexpected argument '%s'", a);
        }
    }
    if (path == NULL)
        return cli_usage_error("run", "missing PROGRAM.elf");
    if (have_interval && ckpt_path == NULL)
        return cli_usage_error("run", "--checkpoint-interval needs --checkpoints FILE");
    if (ckpt_path != NULL && want_stats)
        return cli_usage_error("run", "--stats and --checkpoints cannot be combined");

    cairn_error err;
    cairn_error_clear(&err);
    cairn_program prog;
    cairn_vm vm;
    cairn_vm_stats stats;
    cairn_checkpoints *ckpts = NULL;
    struct sink sink = {json, NULL, 0, 0};
    uint8_t *elf = NULL, *input = NULL;
    size_t elf_len = 0, input_len = 0;
    cairn_program_init(&prog);
    memset(&vm, 0, sizeof vm);
    memset(&stats, 0, sizeof stats);

    cairn_status st = CAIRN_OK;
    if ((rc = cli_load_elf(path, &elf, &elf_len, &prog)) != CLI_EXIT_OK)
        goto out;
    if (input_path != NULL) {
        st = cli_read_file(input_path, (size_t)1 << 30, &input, &input_len, &err);
        if (st != CAIRN_OK) {
            cli_error("--input %s", err.msg);
            rc = cli_exit_for_status(st);
            goto out;
        }
    }
    cairn_vm_config cfg;
    cairn_vm_config_init(&cfg);
    cfg.stack_size = (uint32_t)stack;
    cfg.write = sink_write;
    cfg.write_ctx = &sink;
    st = cairn_vm_init(&vm, &prog, &cfg, &err);
    if (st == CAIRN_OK && want_stats)
        st = cairn_vm_stats_init(&stats, &vm, &err);
    if (st != CAIRN_OK) {
        cli_error("%s: %s", path, err.msg);
        rc = cli_exit_for_status(st);
        goto out;
    }
    cairn_vm_set_input(&vm, input, input_len);

    double t0 = cli_now();
    if (ckpt_path != NULL) {
        uint8_t digest[CAIRN_SHA256_BYTES];
        cairn_sha256(digest, elf, elf_len);
        st = cairn_checkpoints_record(&ckpts, &vm, digest, interval, max_cycles, &err);
    } else {
        st = want_stats ? cairn_vm_run_stats(&vm, max_cycles, &stats, &err)
                        : cairn_vm_run(&vm, max_cycles, &err);
    }
    double secs = cli_now() - t0;
    if (st != CAIRN_OK) {
        cli_error("%s", err.msg);
        rc = cli_exit_for_status(st);
        goto out;
    }
    if (ckpts != NULL) {
        st = cairn_checkpoint_file_write(ckpt_path, ckpts, &err);
        if (st != CAIRN_OK) {
            cli_error("--checkpoints %s", err.msg);
            rc = cli_exit_for_status(st);
            goto out;
        }
        if (!json) {
            fflush(stdout);
            const cairn_ckpt_header *h = cairn_checkpoints_header(ckpts);
            fprintf(stderr,
                    "cairn: %" PRIu64 " checkpoints every %" PRIu64 " cycles (%" PRIu64
                    " cycles, %" PRIu64 " bytes of page deltas) written to %s\n",
                    h->count, h->interval, h->cycles, cairn_checkpoints_page_bytes(ckpts),
                    ckpt_path);
        }
    }
    if (json)
        print_json(&vm, &sink, want_stats ? &stats : NULL, ckpts, ckpt_path, secs);
    else if (want_stats) {
        fflush(stdout);
        print_stats_text(&vm, &stats, secs);
    }
    switch (vm.halt) {
    case CAIRN_VM_EXITED: rc = (int)(vm.exit_code & 0xff); break;
    case CAIRN_VM_FAULTED:
        fflush(stdout);
        cli_error("guest fault after %" PRIu64 " cycles: %s", vm.cycles, vm.fault.msg);
        rc = CLI_EXIT_FAILED;
        break;
    case CAIRN_VM_RUNNING:
        fflush(stdout);
        cli_error("cycle limit of %" PRIu64 " reached at pc 0x%08x", max_cycles, (unsigned)vm.pc);
        rc = CLI_EXIT_LIMIT;
        break;
    }
    /* undelivered public output is an I/O error whatever the guest's status
       (main prints the message) */
    if (fflush(stdout) != 0 || ferror(stdout))
        rc = CLI_EXIT_IO;
out:
    cairn_checkpoints_free(ckpts);
    cairn_vm_stats_clear(&stats);
    cairn_vm_clear(&vm);
    cairn_program_clear(&prog);
    free(sink.buf);
    free(elf);
    free(input);
    return rc;
}
