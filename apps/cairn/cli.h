/*
 * cli.h — what the subcommands of the `cairn` program share: the exit
 * statuses (documented in docs/cli.md), error printing, and the small JSON
 * writer behind every --json.  Each subcommand lives in its own
 * cmd_<name>.c and is listed in main.c.
 */
#ifndef CAIRN_CLI_H
#define CAIRN_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cairn/error.h"
#include "cairn/vm.h"

/* Exit statuses; keep docs/cli.md in step. */
enum {
    CLI_EXIT_OK = 0,        /* success; a proof verified */
    CLI_EXIT_FAILED = 1,    /* a proof was rejected, a self-test or guest failed */
    CLI_EXIT_USAGE = 2,     /* bad command line */
    CLI_EXIT_INPUT = 3,     /* an input file is malformed (ELF, proof, checkpoint) */
    CLI_EXIT_IO = 4,        /* a file could not be read or written */
    CLI_EXIT_LIMIT = 5,     /* a limit was exceeded (size, cycles, memory) */
    CLI_EXIT_INTERNAL = 70  /* a bug in cairn: please report it */
};

struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
    void (*help)(FILE *out);
};

extern const struct cli_command cli_commands[];

int cmd_prove(int argc, char **argv);
void cmd_prove_help(FILE *out);
int cmd_verify(int argc, char **argv);
void cmd_verify_help(FILE *out);
int cmd_inspect(int argc, char **argv);
void cmd_inspect_help(FILE *out);
int cmd_run(int argc, char **argv);
void cmd_run_help(FILE *out);
int cmd_replay(int argc, char **argv);
void cmd_replay_help(FILE *out);
int cmd_stone_params(int argc, char **argv);
void cmd_stone_params_help(FILE *out);
int cmd_selftest(int argc, char **argv);
void cmd_selftest_help(FILE *out);
int cmd_version(int argc, char **argv);
void cmd_version_help(FILE *out);
int cmd_serve(int argc, char **argv);
void cmd_serve_help(FILE *out);
int cmd_worker(int argc, char **argv);
void cmd_worker_help(FILE *out);
int cmd_submit(int argc, char **argv);
void cmd_submit_help(FILE *out);
int cmd_job(int argc, char **argv);
void cmd_job_help(FILE *out);
int cmd_new(int argc, char **argv);
void cmd_new_help(FILE *out);

/* "cairn: error: <message>" on stderr. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
void cli_error(const char *fmt, ...);

/* Report a usage error for `cmd` and return CLI_EXIT_USAGE. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int cli_usage_error(const char *cmd, const char *fmt, ...);

/* The exit status for a library failure. */
int cli_exit_for_status(cairn_status st);

/* Is argv[i] one of the help flags? */
int cli_is_help(const char *arg);

/* Write s as a JSON string literal (quotes and escapes included; see cli_json_bytes). */
void cli_json_str(FILE *out, const char *s);

/*
 * Write raw bytes as a JSON string literal: printable ASCII as is, quote and
 * backslash escaped, everything else as \u00XX, so any bytes give valid JSON.
 */
void cli_json_bytes(FILE *out, const uint8_t *b, size_t len);

/*
 * Read a whole file ("-" is standard input) of at most `limit` bytes into a
 * new buffer (*out, freed by the caller).  CAIRN_ERR_IO naming the path and
 * the reason, CAIRN_ERR_LIMIT beyond the limit, CAIRN_ERR_NOMEM.
 */
cairn_status cli_read_file(const char *path, size_t limit, uint8_t **out, size_t *out_len,
                           cairn_error *err);

/*
 * Read the ELF file at path (at most CAIRN_ELF_MAX_FILE bytes) into *elf
 * and load it into prog (initialised by the caller).  Prints the error
 * ("cairn: error: PATH: what is wrong") and returns the exit status on
 * failure; CLI_EXIT_OK otherwise.  The caller frees *elf and clears prog.
 */
int cli_load_elf(const char *path, uint8_t **elf, size_t *elf_len, cairn_program *prog);

/*
 * Parse a size or count: decimal digits with an optional K, M or G suffix
 * (binary: 2^10, 2^20, 2^30; either case).  Returns 1 and sets *out, or 0
 * (leaving *out alone) for anything else: empty, a sign, another suffix,
 * trailing characters, or a value above UINT64_MAX.  Every option that
 * takes a size or a cycle count uses it, so they all accept the same forms.
 */
int cli_parse_size(const char *s, uint64_t *out);

/*
 * The message of the last cli_error or cli_usage_error (without the
 * "cairn: error: " prefix; empty before the first), so a subcommand can
 * repeat it in a JSON error object.
 */
const char *cli_last_error(void);

/*
 * Read a bearer token: the first line of the file at path (printable
 * ASCII, no spaces, not empty) into a new string (*token, freed by the
 * caller).  Prints the error and returns the exit status on failure.
 */
int cli_read_token(const char *path, char **token);

/* The default proof path for PROGRAM: without ".elf", plus ".proof" (malloc'd; NULL: no memory). */
char *cli_default_proof_path(const char *prog);

/* Monotonic clock in seconds, for the timings subcommands print. */
double cli_now(void);

#endif
