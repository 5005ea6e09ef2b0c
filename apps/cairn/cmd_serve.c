/*
 * cmd_serve.c — `cairn serve` and `cairn worker`: run the proving service
 * (cairn/service.h, docs/service.md) until SIGINT or SIGTERM.  With no
 * flag at all `cairn serve` listens on 127.0.0.1:8080, keeps its data
 * under ./cairn-data, and runs one worker per core with one prover thread
 * each.  `cairn worker` is the same service without the HTTP API: one
 * worker that claims jobs from a shared PostgreSQL store, for as many
 * machines as there are workers.  The children they start run this same
 * executable (`cairn prove`, `cairn verify`).
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cairn/service.h"
#include "cairn/store.h"
#include "cli.h"

void cmd_serve_help(FILE *out)
{
    fprintf(out,
            "usage: cairn serve [--listen ADDR:PORT] [--db FILE|URL] [--data-dir DIR] [--workers N]\n"
            "                   [--threads N] [--fallback-threads N] [--token-file FILE]\n"
            "                   [--job-timeout S] [--job-memory MIB] [--retention DAYS]\n"
            "                   [--max-queue N] [--max-body MIB] [--max-attempts N]\n"
            "                   [--lease S] [--name NAME]\n"
            "\n"
            "Run the proving service: an HTTP API with a job store (docs/service.md).\n"
            "  --listen ADDR:PORT   IPv4 address and port (default 127.0.0.1:8080; port 0\n"
            "                       picks a free port); the line 'listening on URL' says which\n"
            "  --db FILE|URL        the job store: a SQLite file (default DIR/cairn.db), or\n"
            "                       postgres://USER[:PASSWORD]@HOST[:PORT]/DB, shared with other\n"
            "                       API servers and `cairn worker`s (proofs are kept in it)\n"
            "  --data-dir DIR       programs, proofs and temporary files (default ./cairn-data)\n"
            "  --workers N          proofs at once (default: cores / threads; 0: the API alone)\n"
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
            "  --lease S            a worker's lease on its job, renewed by heartbeat; a job\n"
            "                       whose lease expires is requeued (default 60)\n"
            "  --name NAME          the workers' name in the store (default HOST:PID)\n"
            "\n"
            "Exit status: 0 after SIGINT or SIGTERM; 2 usage; 4 cannot open the store or listen.\n");
}

void cmd_worker_help(FILE *out)
{
    fprintf(out,
            "usage: cairn worker --db postgres://... [--threads N] [--name NAME] [--lease S]\n"
            "                    [--data-dir DIR] [--fallback-threads N] [--job-memory MIB]\n"
            "                    [--max-attempts N]\n"
            "\n"
            "Prove jobs from a shared PostgreSQL job store, one at a time, on this machine\n"
            "(docs/service.md).  Claims the next job with SELECT ... FOR UPDATE SKIP LOCKED,\n"
            "holds it under a lease renewed by heartbeat, fetches the program and the input\n"
            "from the store and checks their digests, proves in a child process and records\n"
            "the proof in the store.  A worker that dies or stalls loses its lease and the\n"
            "job goes to another; its late result is refused.\n"
            "  --db URL             postgres://USER[:PASSWORD]@HOST[:PORT]/DB (libpq's URI; the\n"
            "                       password may also come from PGPASSWORD or ~/.pgpass)\n"
            "  --threads N          prover threads (default 1)\n"
            "  --name NAME          the worker's name in the store (default HOST:PID)\n"
            "  --lease S            lease on a claimed job in seconds, renewed every S/3 (at\n"
            "                       most 5) seconds; expiry by the database's clock (default 60)\n"
            "  --data-dir DIR       program cache and temporary files (default: a new directory\n"
            "                       under $TMPDIR, removed at exit)\n"
            "  --fallback-threads N threads of the one retry after an out-of-memory (default:\n"
            "                       half of --threads, at least 1)\n"
            "  --job-memory MIB     address-space cap of the prover (default: the machine's\n"
            "                       memory; 0 for none)\n"
            "  --max-attempts N     attempts whose lease expired before a job fails (default 3)\n"
            "\n"
            "SIGINT or SIGTERM stops the prover and gives the job back to the queue at once.\n"
            "Exit status: 0 after SIGINT or SIGTERM; 2 usage (a --db that is not a PostgreSQL\n"
            "URL); 4 cannot reach the store.\n");
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
 * Find this executable (the children's prover), block SIGINT and SIGTERM
 * (so every thread the service starts inherits the mask and the main
 * thread receives them in sigwait), start the server, wait for a signal,
 * stop it.
 */
static int run_service(cairn_serve_config *cfg, const char *who)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        cli_error("cannot find the cairn executable (/proc/self/exe)");
        return CLI_EXIT_IO;
    }
    exe[n] = '\0';
    cfg->prover = exe;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    cairn_error err;
    cairn_error_clear(&err);
    cairn_server *srv = NULL;
    cairn_status st = cairn_server_start(&srv, cfg, &err);
    if (st != CAIRN_OK) {
        cli_error("%s", err.msg);
        return st == CAIRN_ERR_ARG ? CLI_EXIT_USAGE : cli_exit_for_status(st);
    }
    if (cfg->listen == NULL) {
        char where[512];
        cairn_store_redact(cfg->db_path, where, sizeof where);
        printf("cairn %s: %s: claiming jobs from %s (lease %u s)\n", who, cfg->worker_name, where,
               cfg->lease_s);
        fflush(stdout);
    }
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "cairn %s: %s: stopping\n", who, sig == SIGINT ? "SIGINT" : "SIGTERM");
    cairn_server_stop(srv);
    return CLI_EXIT_OK;
}

/* What the flags set beyond the configuration itself. */
struct flags {
    const char *token_file;
    unsigned long long workers, fallback, mem_mib; /* mem_mib ~0: the default */
    int workers_set;
};

/*
 * Parse the flags of `cairn cmd` into cfg and f: known lists those cmd
 * takes (serve and worker share most).  Returns -1 to go on, or the exit
 * status (0 after --help, 2 for a usage error).
 */
static int parse_flags(const char *cmd, int argc, char **argv, const char *const *known,
                       void (*help)(FILE *out), cairn_serve_config *cfg, struct flags *f)
{
    unsigned long long v;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            help(stdout);
            return CLI_EXIT_OK;
        }
        int is_known = 0;
        for (const char *const *k = known; *k != NULL; k++)
            is_known |= strcmp(a, *k) == 0;
        if (a[0] != '-')
            return cli_usage_error(cmd, "unexpected argument '%s'", a);
        if (!is_known)
            return cli_usage_error(cmd, "unknown option '%s'", a);
        if (i + 1 >= argc)
            return cli_usage_error(cmd, "option '%s' needs a value", a);
        const char *val = argv[++i];
        if (strcmp(a, "--listen") == 0) {
            cfg->listen = val;
        } else if (strcmp(a, "--db") == 0) {
            cfg->db_path = val;
        } else if (strcmp(a, "--data-dir") == 0) {
            cfg->data_dir = val;
        } else if (strcmp(a, "--token-file") == 0) {
            f->token_file = val;
        } else if (strcmp(a, "--workers") == 0) {
            if (!parse_num(val, 0, 256, &f->workers))
                return cli_usage_error(cmd, "--workers '%s': expected 0 to 256", val);
            f->workers_set = 1;
        } else if (strcmp(a, "--threads") == 0) {
            if (!parse_num(val, 1, 64, &v))
                return cli_usage_error(cmd, "--threads '%s': expected 1 to 64", val);
            cfg->threads = (unsigned)v;
        } else if (strcmp(a, "--fallback-threads") == 0) {
            if (!parse_num(val, 1, 64, &f->fallback))
                return cli_usage_error(cmd, "--fallback-threads '%s': expected 1 to 64", val);
        } else if (strcmp(a, "--job-timeout") == 0) {
            if (!parse_num(val, 1, 86400, &v))
                return cli_usage_error(cmd, "--job-timeout '%s': expected 1 to 86400", val);
            cfg->job_timeout_s = (unsigned)v;
        } else if (strcmp(a, "--job-memory") == 0) {
            if (!parse_num(val, 0, 1ULL << 30, &f->mem_mib))
                return cli_usage_error(cmd, "--job-memory '%s': expected MiB", val);
        } else if (strcmp(a, "--retention") == 0) {
            if (!parse_num(val, 0, 36500, &v))
                return cli_usage_error(cmd, "--retention '%s': expected days", val);
            cfg->retention_days = (unsigned)v;
        } else if (strcmp(a, "--max-queue") == 0) {
            if (!parse_num(val, 1, 100000000, &v))
                return cli_usage_error(cmd, "--max-queue '%s': expected 1 or more", val);
            cfg->max_queue = (size_t)v;
        } else if (strcmp(a, "--max-body") == 0) {
            if (!parse_num(val, 1, 4096, &v))
                return cli_usage_error(cmd, "--max-body '%s': expected 1 to 4096 MiB", val);
            cfg->max_body = (size_t)v << 20;
        } else if (strcmp(a, "--max-attempts") == 0) {
            if (!parse_num(val, 1, 100, &v))
                return cli_usage_error(cmd, "--max-attempts '%s': expected 1 to 100", val);
            cfg->max_attempts = (unsigned)v;
        } else if (strcmp(a, "--lease") == 0) {
            if (!parse_num(val, 1, 3600, &v))
                return cli_usage_error(cmd, "--lease '%s': expected 1 to 3600 seconds", val);
            cfg->lease_s = (unsigned)v;
        } else if (strcmp(a, "--name") == 0) {
            if (val[0] == '\0' || strlen(val) > 50)
                return cli_usage_error(cmd, "--name: expected 1 to 50 characters");
            cfg->worker_name = val;
        }
    }
    return -1;
}

/*
 * The fallback threads (half of --threads unless given) and each prover's
 * memory cap (the machine's memory shared by `shares` provers unless given).
 */
static void settle_limits(cairn_serve_config *cfg, const struct flags *f, unsigned shares)
{
    cfg->fallback_threads =
        f->fallback ? (unsigned)f->fallback : (cfg->threads / 2 ? cfg->threads / 2 : 1);
    if (f->mem_mib == ~0ULL) {
        long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
        cfg->job_memory = pages > 0 && psz > 0 && shares > 0
                              ? (uint64_t)pages * (uint64_t)psz / shares
                              : 0;
    } else {
        cfg->job_memory = (uint64_t)f->mem_mib << 20;
    }
}

/* `cairn serve`: parse the flags, run the service until a signal. */
int cmd_serve(int argc, char **argv)
{
    static const char *const known[] = {
        "--listen", "--db", "--data-dir", "--token-file", "--workers", "--threads",
        "--fallback-threads", "--job-timeout", "--job-memory", "--retention", "--max-queue",
        "--max-body", "--max-attempts", "--lease", "--name", NULL};
    cairn_serve_config cfg;
    cairn_serve_config_init(&cfg);
    struct flags f = {NULL, 0, 0, ~0ULL, 0};
    int rc = parse_flags("serve", argc, argv, known, cmd_serve_help, &cfg, &f);
    if (rc >= 0)
        return rc;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        cores = 1;
    long per = cores / (long)cfg.threads;
    cfg.workers = f.workers_set ? (unsigned)f.workers : (unsigned)(per > 0 ? per : 1);
    settle_limits(&cfg, &f, cfg.workers);
    char *token = NULL;
    if (f.token_file != NULL && (rc = cli_read_token(f.token_file, &token)) != CLI_EXIT_OK)
        return rc;
    cfg.token = token;
    cfg.on_listen = on_listen;
    cfg.ctx = (void *)cfg.listen;
    rc = run_service(&cfg, "serve");
    free(token);
    return rc;
}

/* nftw callback: remove one entry of the worker's temporary directory. */
static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    (void)remove(path);
    return 0;
}

/*
 * `cairn worker`: the service with no HTTP address and one worker, on a
 * PostgreSQL store; its data directory is only a program cache and
 * temporary files (a fresh one under $TMPDIR unless --data-dir names one).
 */
int cmd_worker(int argc, char **argv)
{
    static const char *const known[] = {"--db",         "--threads",          "--name",
                                        "--lease",      "--data-dir",         "--job-memory",
                                        "--max-attempts", "--fallback-threads", NULL};
    cairn_serve_config cfg;
    cairn_serve_config_init(&cfg);
    cfg.listen = NULL;
    cfg.workers = 1;
    cfg.db_path = NULL;
    cfg.data_dir = NULL;
    struct flags f = {NULL, 0, 0, ~0ULL, 0};
    int rc = parse_flags("worker", argc, argv, known, cmd_worker_help, &cfg, &f);
    if (rc >= 0)
        return rc;
    if (cfg.db_path == NULL)
        return cli_usage_error("worker", "--db postgres://... is required");
    if (!cairn_store_is_pg_url(cfg.db_path)) {
        char where[512];
        cairn_store_redact(cfg.db_path, where, sizeof where);
        return cli_usage_error("worker",
                               "--db '%s': a worker needs a PostgreSQL URL"
                               " (postgres://USER@HOST[:PORT]/DB)",
                               where);
    }
    settle_limits(&cfg, &f, 1);
    char name[64];
    if (cfg.worker_name == NULL) {
        char host[64] = "localhost";
        (void)gethostname(host, sizeof host - 1);
        host[sizeof host - 1] = '\0';
        snprintf(name, sizeof name, "%.40s:%ld", host, (long)getpid());
        cfg.worker_name = name;
    }
    char tmpl[PATH_MAX];
    int made = 0;
    if (cfg.data_dir == NULL) {
        const char *t = getenv("TMPDIR");
        snprintf(tmpl, sizeof tmpl, "%s/cairn-worker.XXXXXX", t && t[0] ? t : "/tmp");
        if (mkdtemp(tmpl) == NULL) {
            cli_error("cannot create a directory under %s: %s", t && t[0] ? t : "/tmp",
                      strerror(errno));
            return CLI_EXIT_IO;
        }
        cfg.data_dir = tmpl;
        made = 1;
    }
    rc = run_service(&cfg, "worker");
    if (made)
        nftw(tmpl, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
