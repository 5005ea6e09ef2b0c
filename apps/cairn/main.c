/*
 * main.c — the `cairn` program: global options and dispatch to the
 * subcommands (one file each, cmd_<name>.c).  Exit statuses are in cli.h
 * and docs/cli.md.
 */
#include <stdio.h>
#include <string.h>

#include "cairn/version.h"
#include "cli.h"

const struct cli_command cli_commands[] = {
    {"run", "execute a RISC-V guest program in the VM", cmd_run, cmd_run_help},
    {"prove", "prove a guest's execution (RV32I with RAM, input and output)", cmd_prove,
     cmd_prove_help},
    {"verify", "check a proof against its program", cmd_verify, cmd_verify_help},
    {"inspect", "print a proof's statement, parameters and size breakdown", cmd_inspect,
     cmd_inspect_help},
    {"replay", "check a checkpoint file by replaying its intervals in parallel", cmd_replay,
     cmd_replay_help},
    {"stone-params", "write Stone prover parameters (cpu_air_params.json) for any trace size",
     cmd_stone_params, cmd_stone_params_help},
    {"selftest", "quick known-answer checks of the field, NTT and hashing", cmd_selftest,
     cmd_selftest_help},
    {"version", "print the version", cmd_version, cmd_version_help},
    {"serve", "run the proving service (HTTP API, job store)", cmd_serve, cmd_serve_help},
    {"worker", "prove jobs from a shared PostgreSQL job store", cmd_worker, cmd_worker_help},
    {"submit", "submit a proving job to a service", cmd_submit, cmd_submit_help},
    {"job", "show a job of a proving service", cmd_job, cmd_job_help},
    {"new", "create a guest project (main.c, Makefile, README)", cmd_new, cmd_new_help},
    {NULL, NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out,
            "cairn %s — a small-space zkVM for RISC-V programs\n"
            "\n"
            "usage: cairn [--help] [--version] <command> [<args>]\n"
            "       cairn help <command>\n"
            "\n"
            "commands:\n",
            cairn_version());
    for (const struct cli_command *c = cli_commands; c->name != NULL; c++)
        fprintf(out, "  %-13s %s\n", c->name, c->summary);
    fprintf(out, "\n"
                 "Exit status: 0 success, 1 rejected or failed, 2 usage error, 3 malformed input,\n"
                 "4 I/O error, 5 limit exceeded, 70 internal error (see docs/cli.md).\n");
}

static const struct cli_command *find(const char *name)
{
    for (const struct cli_command *c = cli_commands; c->name != NULL; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (cli_is_help(cmd)) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0)
        return cmd_version(1, argv + 1);
    if (strcmp(cmd, "help") == 0) {
        if (argc < 3) {
            usage(stdout);
            return CLI_EXIT_OK;
        }
        const struct cli_command *c = find(argv[2]);
        if (c == NULL)
            return cli_usage_error(NULL, "unknown command '%s'", argv[2]);
        c->help(stdout);
        return CLI_EXIT_OK;
    }
    if (cmd[0] == '-')
        return cli_usage_error(NULL, "unknown option '%s'", cmd);
    const struct cli_command *c = find(cmd);
    if (c == NULL)
        return cli_usage_error(NULL, "unknown command '%s'", cmd);
    int rc = c->run(argc - 1, argv + 1);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("writing to standard output failed");
        if (rc == CLI_EXIT_OK)
            rc = CLI_EXIT_IO;
    }
    return rc;
}
