/*
 * cmd_prove.c — `cairn prove PROGRAM.elf [--input FILE] [-o PROOF]
 * [--security 100|128] [--threads N] [--from-checkpoints FILE] [--quiet]
 * [--json] [--proof-format 5]`: prove a run of the guest
 * (include/cairn/zkvm.h) in proof format 5 and write the proof file
 * atomically.  The run is either executed afresh or, with
 * --from-checkpoints, regenerated from a checkpoint file written by `cairn
 * run --checkpoints` (include/cairn/witness.h); both give the same proof
 * bytes.  Prints cycles, proof size, proving time, the SHA-256 of the proof
 * bytes and the proven security; --json prints the same as one object
 * (docs/cli.md).  On a terminal, stderr shows the prover's current stage
 * and the elapsed time on one rewritten line while it works.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cairn/file.h"
#include "cairn/pool.h"
#include "cairn/sha256.h"
#include "cairn/vm.h"
#include "cairn/witness.h"
#include "cairn/zkvm.h"
#include "cli.h"

void cmd_prove_help(FILE *out)
{
    fprintf(out,
            "usage: cairn prove PROGRAM.elf [--input FILE] [-o PROOF] [--security 100|128]\n"
            "                   [--threads N] [--max-cycles N] [--from-checkpoints FILE] [--quiet]\n"
            "                   [--json] [--proof-format 5]\n"
            "\n"
            "Execute the guest (or replay a recorded run) and prove the execution. Proofs\n"
            "cover RV32I with RAM and the system calls exit, write (fd 1, the public\n"
            "output; fd 2) and read (fd 0, private input), and the M extension (MUL,\n"
            "MULH, MULHSU, MULHU, DIV, DIVU, REM, REMU).\n"
            "  --input FILE      bytes the guest reads from fd 0 ('-' for standard input)\n"
            "  -o PROOF          where to write the proof (default: PROGRAM with .proof\n"
            "                    instead of .elf); written atomically, never left half-written\n"
            "  --security BITS   proven security target: 100 (default); 128 is refused (exit 5:\n"
            "                    not reachable yet, docs/security.md section 7)\n"
            "  --threads N       prover threads, also replay threads (default: the online cores)\n"
            "  --max-cycles N    refuse a run longer than N trace rows (default: the prover's\n"
            "                    limit, 2^28)\n"
            "  --from-checkpoints FILE  prove the run recorded by `cairn run --checkpoints\n"
            "                    FILE` (default stack) instead of executing the guest: the\n"
            "                    file is checked against PROGRAM and --input and replayed;\n"
            "                    the proof is the same as without it\n"
            "  --proof-format 5  the lean proof (docs/zkvm-v2.md: 25 committed cells a row,\n"
            "                    runs up to 2^30 rows), the only format; accepted for scripts\n"
            "                    (format 4, the first prover, was removed)\n"
            "  --quiet           print nothing but errors: no progress, no summary\n"
            "  --json            print one JSON object instead of the summary lines (also\n"
            "                    with --quiet); on failure {\"proved\": false, ...}\n"
            "\n"
            "When standard error is a terminal (and neither --quiet nor --json is given), it\n"
            "shows the prover's current stage and the elapsed time on one line.\n"
            "\n"
            "Exit status: 0 proved; 1 the guest faulted or cannot be proven yet, or the\n"
            "checkpoint file belongs to another program or input or was recorded with\n"
            "another --stack; 2 usage; 3 malformed ELF or checkpoint file; 4 I/O error;\n"
            "5 limit exceeded (docs/cli.md).\n");
}

static void hex(FILE *o, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(o, "%02x", b[i]);
}

/* ---- progress on a terminal ----------------------------------------------------------------- */

/*
 * The progress line: the prover's callback records the stage and redraws
 * at once when the stage changes (at most every 0.1 s for fractions within
 * one), and a ticker thread redraws every 0.25 s so the elapsed time moves
 * during a long stage that reports nothing.  Both draw under the mutex, and
 * nothing else writes to stderr while the line is up (errors are printed
 * after progress_stop has cleared it).
 */
struct progress {
    int on;          /* drawing at all: stderr is a terminal, neither --quiet nor --json */
    int ticking;     /* the ticker thread runs */
    int stop;        /* asks the ticker to finish */
    double t0;       /* when proving started */
    double drawn_at; /* when the line was last drawn */
    char stage[40];
    double done;
    int width; /* characters of the line now on screen */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t ticker;
};

/* Rewrite the line ("cairn: proving: commit 40%, 12.3 s"), blanking any longer previous one. */
static void progress_draw(struct progress *p)
{
    char line[96];
    double now = cli_now();
    int n;
    if (p->done > 0 && p->done < 1)
        n = snprintf(line, sizeof line, "cairn: proving: %s %.0f%%, %.1f s", p->stage,
                     100 * p->done, now - p->t0);
    else
        n = snprintf(line, sizeof line, "cairn: proving: %s, %.1f s", p->stage, now - p->t0);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line)
        n = (int)sizeof line - 1;
    fprintf(stderr, "\r%s%*s", line, p->width > n ? p->width - n : 0, "");
    fflush(stderr);
    if (n > p->width)
        p->width = n;
    p->drawn_at = now;
}

static void progress_cb(void *ctx, const char *stage, double done)
{
    struct progress *p = ctx;
    pthread_mutex_lock(&p->mu);
    int same = strncmp(p->stage, stage, sizeof p->stage - 1) == 0;
    snprintf(p->stage, sizeof p->stage, "%s", stage);
    p->done = done;
    if (!same || cli_now() - p->drawn_at >= 0.1)
        progress_draw(p);
    pthread_mutex_unlock(&p->mu);
}

static void *progress_tick(void *arg)
{
    struct progress *p = arg;
    pthread_mutex_lock(&p->mu);
    while (!p->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += 250000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->cv, &p->mu, &ts);
        if (!p->stop && p->stage[0] != '\0')
            progress_draw(p);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/*
 * Start showing progress when `on`, and hook it into opt.  Without a
 * ticker thread (pthread_create failed) the line is still drawn at each
 * stage; progress is a courtesy, so nothing here is an error.
 */
static void progress_start(struct progress *p, int on, cairn_zkvm_options *opt)
{
    memset(p, 0, sizeof *p);
    p->on = on;
    if (!on)
        return;
    p->t0 = cli_now();
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);
    p->ticking = pthread_create(&p->ticker, NULL, progress_tick, p) == 0;
    opt->progress = progress_cb;
    opt->progress_ctx = p;
}

/* Stop the ticker and clear the line, leaving the cursor at its start. Safe when never started. */
static void progress_stop(struct progress *p, cairn_zkvm_options *opt)
{
    if (!p->on)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    if (p->ticking)
        pthread_join(p->ticker, NULL);
    if (p->width > 0)
        fprintf(stderr, "\r%*s\r", p->width, "");
    fflush(stderr);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    opt->progress = NULL;
    opt->progress_ctx = NULL;
    p->on = 0;
}

/* ---- proving from a checkpoint file ---------------------------------------------------------- */

/*
 * Read the checkpoint file and check, before any long work, that its run
 * can be proven for this program and input: the program and input digests
 * of its header (a clear "another program" / "another input"), a run that
 * exited (not faulted, not stopped by a cycle limit), and the memory size:
 * the verifier pins it to the program's default layout
 * (cairn_vm_mem_log2_words with the default stack), so a run recorded with
 * another --stack that changed it could never give an accepted proof.
 * Prints the error and returns the exit status; *cp is the set on
 * CLI_EXIT_OK (freed by the caller in any case).
 */
static int ckpt_open(cairn_checkpoints **cp, const char *file, const cairn_program *prog,
                     const uint8_t *elf, size_t elf_len, const uint8_t *input, size_t input_len)
{
    cairn_error err;
    cairn_error_clear(&err);
    cairn_status st = cairn_checkpoint_file_read(cp, file, &err);
    if (st != CAIRN_OK) {
        if (st == CAIRN_ERR_IO || st == CAIRN_ERR_NOMEM)
            cli_error("--from-checkpoints %s", err.msg);
        else
            cli_error("%s: %s", file, err.msg);
        return cli_exit_for_status(st);
    }
    uint8_t digest[CAIRN_SHA256_BYTES];
    cairn_sha256(digest, elf, elf_len);
    if ((st = cairn_checkpoints_check(*cp, digest, input, input_len, &err)) != CAIRN_OK) {
        cli_error("%s: %s", file, err.msg);
        return cli_exit_for_status(st);
    }
    const cairn_ckpt_header *h = cairn_checkpoints_header(*cp);
    if (h->halt == CAIRN_VM_FAULTED) {
        cli_error("%s: the recorded run faulted after %" PRIu64
                  " cycles; only a run that exits can be proven",
                  file, h->cycles);
        return CLI_EXIT_FAILED;
    }
    if (h->halt != CAIRN_VM_EXITED) {
        cli_error("%s: the recorded run stopped at its cycle limit after %" PRIu64
                  " cycles without exiting; only a run that exits can be proven",
                  file, h->cycles);
        return CLI_EXIT_LIMIT;
    }
    uint32_t want = 0;
    if ((st = cairn_vm_mem_log2_words(&want, prog, NULL, &err)) != CAIRN_OK) {
        cli_error("%s: the program's default memory layout: %s", file, err.msg);
        return cli_exit_for_status(st);
    }
    if (h->mem_log2_words != want) {
        cli_error("%s: the run was recorded with --stack %" PRIu32 " (a memory of 2^%" PRIu32
                  " words), but a proof needs the default stack (2^%" PRIu32
                  " words for this program): record it again without --stack",
                  file, h->stack_size, h->mem_log2_words, want);
        return CLI_EXIT_FAILED;
    }
    return CLI_EXIT_OK;
}

/*
 * Replay the whole checkpoint set (cairn_checkpoints_verify: a set read
 * from a file must be consistent before rows are streamed from it, or the
 * rows could depend on the thread count), then prove the run it records
 * from its rows (cairn_zkvm_prove_checkpoints).  *in_ckpt says whether a
 * failure is the checkpoint file's (replay) or the program's (prover).
 */
static cairn_status ckpt_prove(uint8_t **proof, size_t *proof_len, cairn_zkvm_statement *stmt,
                               cairn_zkvm_stats *stats, int *in_ckpt, const cairn_checkpoints *cp,
                               const cairn_program *prog, const uint8_t *elf, size_t elf_len,
                               const uint8_t *input, size_t input_len,
                               const cairn_zkvm_options *opt, cairn_error *err)
{
    cairn_status st;
    *in_ckpt = 1;
    if (opt->progress != NULL)
        opt->progress(opt->progress_ctx, "replay", 0);
    if ((st = cairn_checkpoints_verify(cp, prog, input, input_len, opt->threads, err)) != CAIRN_OK)
        return st;
    if (opt->progress != NULL)
        opt->progress(opt->progress_ctx, "replay", 1);
    *in_ckpt = 0;
    return cairn_zkvm_prove_checkpoints(proof, proof_len, stmt, stats, elf, elf_len, cp, input,
                                        input_len, opt, err);
}

/* ---- the command ---------------------------------------------------------------------------- */

/* The summary: three lines of text, or one JSON object with --json. */
static void print_summary(const char *out_path, const char *ckpt_path, const uint8_t *proof,
                          size_t proof_len, const cairn_zkvm_statement *stmt,
                          const cairn_zkvm_stats *stats, const uint8_t *output, double secs,
                          int json)
{
    uint8_t h[CAIRN_SHA256_BYTES];
    cairn_sha256(h, proof, proof_len);
    FILE *o = stdout;
    if (!json) {
        fprintf(o, "proved %" PRIu64 " cycles (exit code %u, %" PRIu64 " rows, %u bytes of output) "
                "in %.3f s: ",
                stats->cycles, stmt->exit_code, stmt->cycles, stmt->output_len, secs);
        fprintf(o, "%zu-byte proof written to %s\n", proof_len, out_path);
        fprintf(o, "proof sha256 ");
        hex(o, h, sizeof h);
        fprintf(o, "\nsecurity %u bits (proven; target %u)\n", stmt->security_bits,
                stmt->security_target);
        return;
    }
    fprintf(o, "{\"proof_file\": ");
    cli_json_str(o, out_path);
    if (ckpt_path != NULL) {
        fprintf(o, ", \"from_checkpoints\": ");
        cli_json_str(o, ckpt_path);
    }
    fprintf(o, ", \"proof_hash\": \"");
    hex(o, h, sizeof h);
    fprintf(o,
            "\", \"proof_size_bytes\": %zu, \"prove_ms\": %.1f, \"cycles\": %" PRIu64
            ", \"trace_rows\": %" PRIu64 ", \"security_bits\": %u, \"exit_code\": %u, "
            "\"output_len\": %u, \"output_hex\": \"",
            proof_len, secs * 1e3, stats->cycles, stmt->cycles, stmt->security_bits, stmt->exit_code,
            stmt->output_len);
    hex(o, output, stmt->output_len);
    fprintf(o, "\", \"program_digest\": \"");
    hex(o, stmt->program_digest, sizeof stmt->program_digest);
    fprintf(o, "\", \"rows\": %" PRIu64 ", \"columns_per_cycle\": %zu, \"proof_format\": %u", stats->rows,
            stats->columns, cairn_proof_format(proof, proof_len));
    fprintf(o, ", \"stage_ms\": {");
    for (size_t i = 0; i < stats->stages_len; i++) {
        fprintf(o, "%s", i ? ", " : "");
        cli_json_str(o, stats->stages[i].name);
        fprintf(o, ": %.1f", stats->stages[i].s * 1e3);
    }
    fprintf(o, "}}\n");
}

/*
 * Parse the command line, read the inputs, prove (afresh, or from the
 * checkpoint file after checking it belongs to this program and input),
 * check that the new proof parses, write it atomically, then report.
 * Every error past the progress line is printed after the line is cleared.
 */
int cmd_prove(int argc, char **argv)
{
    const char *path = NULL, *input_path = NULL, *out_path = NULL, *ckpt_path = NULL;
    unsigned security = 100, threads = cairn_pool_online_cores();
    uint64_t max_cycles = 0;
    int json = 0, quiet = 0, rc = CLI_EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cmd_prove_help(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
        } else if (strcmp(a, "--input") == 0 || strcmp(a, "-o") == 0 ||
                   strcmp(a, "--security") == 0 || strcmp(a, "--threads") == 0 ||
                   strcmp(a, "--max-cycles") == 0 || strcmp(a, "--proof-format") == 0 ||
                   strcmp(a, "--from-checkpoints") == 0) {
            if (i + 1 >= argc)
                return cli_usage_error("prove", "option '%s' needs a value", a);
            const char *v = argv[++i];
            if (strcmp(a, "--input") == 0) {
                input_path = v;
            } else if (strcmp(a, "-o") == 0) {
                out_path = v;
            } else if (strcmp(a, "--from-checkpoints") == 0) {
                ckpt_path = v;
            } else if (strcmp(a, "--proof-format") == 0) {
                if (strcmp(v, "4") == 0)
                    return cli_usage_error("prove", "--proof-format 4: format 4 proofs (the first "
                                                    "prover) are no longer supported; this cairn "
                                                    "writes format 5");
                if (strcmp(v, "5") != 0)
                    return cli_usage_error("prove", "--proof-format '%s': expected 5", v);
            } else if (strcmp(a, "--security") == 0) {
                if (strcmp(v, "100") == 0)
                    security = 100;
                else if (strcmp(v, "128") == 0)
                    security = 128;
                else
                    return cli_usage_error("prove", "--security '%s': expected 100 or 128", v);
            } else if (strcmp(a, "--max-cycles") == 0) {
                uint64_t m;
                if (!cli_parse_size(v, &m) || m < 1 || m > CAIRN_ZKVM_MAX_CYCLES)
                    return cli_usage_error("prove",
                                           "--max-cycles '%s': expected 1 to %llu (K, M, G allowed)",
                                           v, (unsigned long long)CAIRN_ZKVM_MAX_CYCLES);
                max_cycles = m;
            } else {
                char *end;
                unsigned long t = strtoul(v, &end, 10);
                if (*v < '0' || *v > '9' || *end != '\0' || t < 1 || t > 64)
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
    cairn_program prog;
    cairn_checkpoints *cp = NULL;
    uint8_t *elf = NULL, *input = NULL, *proof = NULL;
    size_t elf_len = 0, input_len = 0, proof_len = 0;
    char *def_out = NULL;
    struct progress pg;
    cairn_zkvm_options opt;
    cairn_error_clear(&err);
    cairn_program_init(&prog);
    cairn_zkvm_options_init(&opt);
    memset(&pg, 0, sizeof pg);
    cairn_status st;
    if (ckpt_path != NULL) {
        /* the replay oracle needs the loaded program */
        if ((rc = cli_load_elf(path, &elf, &elf_len, &prog)) != CLI_EXIT_OK)
            goto out;
    } else if ((st = cli_read_file(path, CAIRN_ELF_MAX_FILE, &elf, &elf_len, &err)) != CAIRN_OK) {
        cli_error("%s", err.msg);
        rc = cli_exit_for_status(st);
        goto out;
    }
    if (input_path != NULL &&
        (st = cli_read_file(input_path, (size_t)1 << 30, &input, &input_len, &err)) != CAIRN_OK) {
        cli_error("--input %s", err.msg);
        rc = cli_exit_for_status(st);
        goto out;
    }
    if (ckpt_path != NULL &&
        (rc = ckpt_open(&cp, ckpt_path, &prog, elf, elf_len, input, input_len)) != CLI_EXIT_OK)
        goto out;
    if (out_path == NULL) {
        if ((def_out = cli_default_proof_path(path)) == NULL) {
            cli_error("out of memory");
            rc = CLI_EXIT_LIMIT;
            goto out;
        }
        out_path = def_out;
    }
    /* Before any proving work: a proof that cannot be written is an error now, not at the end. */
    if ((st = cairn_file_check_writable(out_path, &err)) != CAIRN_OK) {
        cli_error("cannot write the proof: %s", err.msg);
        rc = cli_exit_for_status(st);
        goto out;
    }
    opt.security_bits = security;
    opt.threads = threads;
    opt.max_cycles = max_cycles;
    cairn_zkvm_statement stmt;
    cairn_zkvm_stats stats;
    memset(&stmt, 0, sizeof stmt);
    memset(&stats, 0, sizeof stats);
    int in_ckpt = 0;
    progress_start(&pg, !quiet && !json && isatty(STDERR_FILENO), &opt);
    double t0 = cli_now();
    if (cp != NULL)
        st = ckpt_prove(&proof, &proof_len, &stmt, &stats, &in_ckpt, cp, &prog, elf, elf_len, input,
                        input_len, &opt, &err);
    else
        st = cairn_zkvm_prove(&proof, &proof_len, &stmt, &stats, elf, elf_len, input, input_len,
                              &opt, &err);
    double secs = cli_now() - t0;
    progress_stop(&pg, &opt);
    if (st != CAIRN_OK) {
        cli_error("%s: %s", in_ckpt ? ckpt_path : path, err.msg);
        rc = st == CAIRN_ERR_ARG ? CLI_EXIT_FAILED : cli_exit_for_status(st);
        goto out;
    }
    const uint8_t *output = NULL;
    cairn_proof_part head;
    size_t nhead = 0;
    if (cairn_proof_v5_describe(NULL, NULL, &head, &nhead, 1, proof, proof_len, &err) !=
        CAIRN_OK) {
        cli_error("internal: the new proof does not parse: %s", err.msg);
        rc = CLI_EXIT_INTERNAL;
        goto out;
    }
    /* the public output: the container's bytes before the body */
    output = proof + head.len - stmt.output_len;
    if ((st = cairn_file_write_atomic(out_path, proof, proof_len, &err)) != CAIRN_OK) {
        cli_error("cannot write the proof: %s", err.msg);
        rc = cli_exit_for_status(st);
        goto out;
    }
    if (json || !quiet)
        print_summary(out_path, ckpt_path, proof, proof_len, &stmt, &stats, output, secs, json);
out:
    progress_stop(&pg, &opt);
    if (json && rc != CLI_EXIT_OK) {
        printf("{\"proved\": false, \"exit_status\": %d, \"error\": ", rc);
        cli_json_str(stdout, cli_last_error());
        printf("}\n");
    }
    cairn_checkpoints_free(cp);
    cairn_program_clear(&prog);
    free(def_out);
    free(proof);
    free(elf);
    free(input);
    return rc;
}
