/*
 * cmd_serve.c — `cairn serve`: run the proving service (cairn/service.h,
 * docs/service.md) until SIGINT or SIGTERM.  With no flag at all it
 * listens on 127.0.0.1:8080, keeps its data under ./cairn-data, and runs
 * one worker per core with one prover thread each.  The children it
 * starts run this same executable (`cairn prove`, `cairn verify`).
 */
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/service.h"
#include "cli.h"

void cmd_serve_help(FILE *out)
{
    fprintf(out,
            "usage: cairn serve [--listen ADDR:PORT] [--db FILE] [--data-dir DIR] [--workers N]\n"
            "                   [--threads N] [--fallback-threads N] [--token-file FILE]\n"
            "                   [--job-timeout S] [--job-memory MIB] [--retention DAYS]\n"
            "                   [--max-queue N] [--max-body MIB] [--max-attempts N]\n"
            "\n"
            "Run the proving service: an HTTP API with a job store (docs/service.md).\n"
            "  --listen ADDR:PORT   IPv4 address and port (default 127.0.0.1:8080; port 0\n"
            "                       picks a free port); the line 'listening on URL' says which\n"
            "  --db FILE            SQLite job store (default DIR/cairn.db)\n"
            "  --data-dir DIR       programs, proofs and temporary files (default ./cairn-data)\n"
            "  --workers N          proofs at once (default: cores / threads)\n"
            "  --threads N          prover threads per proof (default 1)\n"
            "  --fallback-threads N threads of the one retry after an out-of-memory (default:\n"
            "                       half of --threads, at least 1)\n"
            "  --token-file FILE    require 'Authorization: Bearer TOKEN' on every route but\n"
            "                       /healthz (TOKEN is the file's first line)\n"
            "  --job-timeout S      default per-job timeout in seconds (default 600)\n"
            "  --job-memory MIB     address-space cap of each prover process (default: the\n"
            "                       machine's memory divided by the workers; 0 for none)\n"
            "  --retention DAYS     delete finished jobs and their proofs after DAYS (default 0:\n"
            "                       keep them)\n"
            "  --max-queue N        queued jobs beyond which submissions get 429 (default 10000)\n"
            "  --max-body MIB       largest request body (default 96)\n"
            "  --max-attempts N     attempts interrupted by a crash of the service before a job\n"
            "                       fails (default 3)\n"
            "\n"
            "Exit status: 0 after SIGINT or SIGTERM; 2 usage; 4 cannot open the store or listen.\n");
}

/* Print the URL once the socket listens (tests and scripts read this line). */
static void on_listen(void *ctx, unsigned port)
{
    const char *listen = ctx;
    const char *colon = strrchr(listen, ':');
    int host_len = colon ? (int)(colon - listen) : 0;
    printf("cairn serve: listening on http://%.*s:%u\n", host_len, listen, port);
    fflush(stdout);
}

/* A decimal option value in [lo, hi]. */
static int parse_num(const char *v, unsigned long long lo, unsigned long long hi,
                     unsigned long long *out)
{
    char *end;
    if (*v < '0' || *v > '9')
        return 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (*end != '\0' || x < lo || x > hi)
        return 0;
    *out = x;
    return 1;
}

/*
 * Parse the flags, block SIGINT and SIGTERM (so every thread the service
 * starts inherits the mask and the main thread receives them in
 * sigwait), start the server, wait for a signal, stop it.
 */
int cmd_serve(int argc, char **argv)
{
    cairn_serve_config cfg;
    cairn_serve_config_init(&cfg);
    const char *token_file = NULL;
    unsigned long long workers = 0, fallback = 0, mem_mib = ~0ULL, v;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cmd_serve_help(stdout);
            return CLI_EXIT_OK;
        }
        static const char *const known[] = {
            "--listen", "--db", "--data-dir", "--token-file", "--workers", "--threads",
            "--fallback-threads", "--job-timeout", "--job-memory", "--retention", "--max-queue",
            "--max-body", "--max-attempts", NULL};
        int is_known = 0;
        for (const char *const *k = known; *k != NULL; k++)
            is_known |= strcmp(a, *k) == 0;
        if (a[0] != '-')
            return cli_usage_error("serve", "unexpected argument '%s'", a);
        if (!is_known)
            return cli_usage_error("serve", "unknown option '%s'", a);
        if (i + 1 >= argc)
            return cli_usage_error("serve", "option '%s' needs a value", a);
        const char *val = argv[++i];
        if (strcmp(a, "--listen") == 0) {
            cfg.listen = val;
        } else if (strcmp(a, "--db") == 0) {
            cfg.db_path = val;
        } else if (strcmp(a, "--data-dir") == 0) {
            cfg.data_dir = val;
        } else if (strcmp(a, "--token-file") == 0) {
            token_file = val;
        } else if (strcmp(a, "--workers") == 0) {
            if (!parse_num(val, 1, 256, &workers))
                return cli_usage_error("serve", "--workers '%s': expected 1 to 256", val);
        } else if (strcmp(a, "--threads") == 0) {
            if (!parse_num(val, 1, 64, &v))
                return cli_usage_error("serve", "--threads '%s': expected 1 to 64", val);
            cfg.threads = (unsigned)v;
        } else if (strcmp(a, "--fallback-threads") == 0) {
            if (!parse_num(val, 1, 64, &fallback))
                return cli_usage_error("serve", "--fallback-threads '%s': expected 1 to 64", val);
        } else if (strcmp(a, "--job-timeout") == 0) {
            if (!parse_num(val, 1, 86400, &v))
                return cli_usage_error("serve", "--job-timeout '%s': expected 1 to 86400", val);
            cfg.job_timeout_s = (unsigned)v;
        } else if (strcmp(a, "--job-memory") == 0) {
            if (!parse_num(val, 0, 1ULL << 30, &mem_mib))
                return cli_usage_error("serve", "--job-memory '%s': expected MiB", val);
        } else if (strcmp(a, "--retention") == 0) {
            if (!parse_num(val, 0, 36500, &v))
                return cli_usage_error("serve", "--retention '%s': expected days", val);
            cfg.retention_days = (unsigned)v;
        } else if (strcmp(a, "--max-queue") == 0) {
            if (!parse_num(val, 1, 100000000, &v))
                return cli_usage_error("serve", "--max-queue '%s': expected 1 or more", val);
            cfg.max_queue = (size_t)v;
        } else if (strcmp(a, "--max-body") == 0) {
            if (!parse_num(val, 1, 4096, &v))
                return cli_usage_error("serve", "--max-body '%s': expected 1 to 4096 MiB", val);
            cfg.max_body = (size_t)v << 20;
        } else if (strcmp(a, "--max-attempts") == 0) {
            if (!parse_num(val, 1, 100, &v))
                return cli_usage_error("serve", "--max-attempts '%s': expected 1 to 100", val);
            cfg.max_attempts = (unsigned)v;
        } else {
            return cli_usage_error("serve", "unknown option '%s'", a);
        }
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        cores = 1;
    cfg.workers = workers ? (unsigned)workers
                          : (unsigned)(cores / (long)cfg.threads > 0 ? cores / (long)cfg.threads : 1);
    cfg.fallback_threads = fallback ? (unsigned)fallback : (cfg.threads / 2 ? cfg.threads / 2 : 1);
    if (mem_mib == ~0ULL) {
        long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
        cfg.job_memory = pages > 0 && psz > 0 ? (uint64_t)pages * (uint64_t)psz / cfg.workers : 0;
    } else {
        cfg.job_memory = (uint64_t)mem_mib << 20;
    }
    char *token = NULL;
    int rc;
    if (token_file != NULL && (rc = cli_read_token(token_file, &token)) != CLI_EXIT_OK)
        return rc;
    cfg.token = token;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        free(token);
        cli_error("cannot find the cairn executable (/proc/self/exe)");
        return CLI_EXIT_IO;
    }
    exe[n] = '\0';
    cfg.prover = exe;
    cfg.on_listen = on_listen;
    cfg.ctx = (void *)cfg.listen;

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    cairn_error err;
    cairn_error_clear(&err);
    cairn_server *srv = NULL;
    cairn_status st = cairn_server_start(&srv, &cfg, &err);
    if (st != CAIRN_OK) {
        free(token);
        cli_error("%s", err.msg);
        return st == CAIRN_ERR_ARG ? CLI_EXIT_USAGE : cli_exit_for_status(st);
    }
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "cairn serve: %s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    cairn_server_stop(srv);
    free(token);
    return CLI_EXIT_OK;
}
