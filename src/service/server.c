/*
 * server.c — the proving service (cairn/service.h): the HTTP routes on
 * libmicrohttpd and the workers that prove jobs in child processes.
 *
 * Requests: libmicrohttpd runs one thread per connection; a handler
 * collects the body (refusing more than max_body with 413), checks the
 * bearer token in constant time, parses the request at the boundary
 * (api.c) and talks to the store.  Every error is a JSON body
 * {"error": {"code", "message"}} with a stable code (docs/service.md).
 *
 * Workers: each claims the best queued job, writes its input to tmp/,
 * runs `cairn prove ... --json` as a child (runner.c) with the job's
 * timeout and the memory cap, and records the outcome for that attempt
 * only.  The proof file moves into proofs/ under a name that includes the
 * attempt before the store records it, so a served proof is always whole
 * and a stale attempt can never replace a recorded one.  An out-of-memory
 * (the prover's own "out of memory", or a SIGKILL the service did not
 * send) is retried once with fallback_threads.
 *
 * Data directory: programs/<sha256>.elf (written once, atomically),
 * proofs/<job>.<attempt>.proof, tmp/ (emptied at start; every temporary
 * file is removed in every outcome).
 *
 * Many machines: with a shared store (PostgreSQL) the store is the only
 * thing processes share.  A program is kept in it as well as in
 * programs/, which becomes a cache: a worker that lacks the file fetches
 * the bytes by digest and checks the digest before writing it.  A job's
 * input is checked against the digest recorded at its creation.  A proof
 * is recorded in the store with the outcome (proofs/ stays empty), so any
 * API server can serve it.  Each worker holds its job under a lease that
 * it renews from the loop that waits for the prover; a lost lease (it
 * expired while the worker stalled, or the job was cancelled by another
 * API server) stops the prover, and the store refuses that attempt's
 * outcome.  Any worker requeues the jobs whose lease expired, about once
 * a second.  Without an HTTP address the server is a worker alone
 * (`cairn worker`); with no workers, an API alone (`cairn serve
 * --workers 0`).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>

#include "cairn/file.h"
#include "cairn/service.h"
#include "cairn/sha256.h"
#include "cairn/vm.h"
#include "service_internal.h"
#include "store_internal.h"

#define PATH_CAP 4096

struct slot {
    char id[CAIRN_JOB_ID_LEN + 1]; /* "" when idle */
    int cancel;
    /* owned by the slot's worker thread */
    char worker[CAIRN_WORKER_NAME_LEN]; /* its name in the store */
    uint32_t attempt;                   /* the attempt it holds */
    int lost;                           /* the store refused its heartbeat */
    double next_beat;                   /* monotonic seconds of the next heartbeat */
};

struct cairn_server {
    cairn_serve_config cfg;
    cairn_store *store;
    struct MHD_Daemon *daemon;
    pthread_t *workers;
    unsigned nworkers;
    struct slot *slots;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    char programs[PATH_CAP], proofs[PATH_CAP], tmp[PATH_CAP];
    unsigned long long requests;
    unsigned running;
    double next_expire; /* monotonic seconds of the next sweep of expired leases */
};

/* ---- small helpers --------------------------------------------------------------------------- */

/* Lower-case hex of n bytes into out (2n + 1 characters). */
static void to_hex(char *out, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/*
 * Format a path under the data directory.  Paths are bounded by PATH_CAP;
 * the data directory's length is checked at start so that no path built
 * from it is ever truncated.
 */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void fmt_path(char *out, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

/* Monotonic seconds. */
static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * Make sure programs/<digest>.elf exists: a file there was written
 * atomically under the digest of its bytes (by an upload here or an
 * earlier fetch); otherwise the bytes come from the store and must hash
 * to the digest.  *found = 0 when the store does not have them either.
 */
static cairn_status ensure_program(struct cairn_server *s, const char *digest, const char *path,
                                   int *found, cairn_error *err)
{
    *found = 1;
    if (access(path, R_OK) == 0)
        return CAIRN_OK;
    uint8_t *elf = NULL;
    size_t len = 0;
    cairn_status st = cairn_store_program_get(s->store, digest, &elf, &len, found, err);
    if (st != CAIRN_OK || !*found) {
        free(elf);
        return st;
    }
    char got[CAIRN_DIGEST_HEX_LEN + 1];
    cairn_store_sha256_hex(got, elf, len);
    if (strcmp(got, digest) != 0)
        st = cairn_error_set(err, CAIRN_ERR_PARSE,
                             "program %s: the store's bytes hash to %s (refused)", digest, got);
    else
        st = cairn_file_write_atomic(path, elf, len, err);
    free(elf);
    return st;
}

/* mkdir that accepts an existing directory. */
static cairn_status ensure_dir(const char *path, cairn_error *err)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return cairn_error_set(err, CAIRN_ERR_IO, "%s: %s", path, strerror(errno));
    return CAIRN_OK;
}

/* Remove every file in dir (temporary files of a previous run). */
static void empty_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    char p[PATH_CAP];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        fmt_path(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
}

/*
 * Remove proof files no job records: a crash between moving a proof into
 * proofs/ and recording it leaves one behind, and it will never be served
 * (the attempt it belongs to is requeued and proven again).
 */
static void sweep_proofs(struct cairn_server *s)
{
    DIR *d = opendir(s->proofs);
    if (d == NULL)
        return;
    struct dirent *e;
    char id[CAIRN_JOB_ID_LEN + 1], p[PATH_CAP];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        cairn_job j;
        int found = 0;
        memset(&j, 0, sizeof j);
        int named = strlen(e->d_name) > CAIRN_JOB_ID_LEN && e->d_name[CAIRN_JOB_ID_LEN] == '.';
        if (named) {
            memcpy(id, e->d_name, CAIRN_JOB_ID_LEN);
            id[CAIRN_JOB_ID_LEN] = '\0';
        }
        if (named && cairn_store_job_get(s->store, id, &j, &found, NULL) == CAIRN_OK && found &&
            strcmp(j.proof_file, e->d_name) == 0) {
            cairn_job_clear(&j);
            continue;
        }
        cairn_job_clear(&j);
        fmt_path(p, sizeof p, "%s/%s", s->proofs, e->d_name);
        unlink(p);
    }
    closedir(d);
}

/*
 * Compare a presented token with the configured one in time that depends
 * only on the lengths, so the comparison leaks no prefix.
 */
static int token_ok(const char *want, const char *got)
{
    if (got == NULL)
        return 0;
    size_t a = strlen(want), b = strlen(got);
    unsigned char d = (unsigned char)(a != b);
    for (size_t i = 0; i < a; i++)
        d |= (unsigned char)(want[i] ^ (i < b ? got[i] : 0));
    return d == 0;
}

/* ---- responses ------------------------------------------------------------------------------- */

/* Queue a response of `len` bytes taken over from `body` (malloc'd). */
static enum MHD_Result reply_buf(struct MHD_Connection *c, unsigned code, const char *type,
                                 char *body, size_t len)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

/* Queue a JSON value (reference taken over). */
static enum MHD_Result reply_json(struct MHD_Connection *c, unsigned code, json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);
    if (s == NULL)
        return MHD_NO;
    size_t n = strlen(s);
    char *b = malloc(n + 2);
    if (b == NULL) {
        free(s);
        return MHD_NO;
    }
    memcpy(b, s, n);
    b[n] = '\n';
    free(s);
    return reply_buf(c, code, "application/json", b, n + 1);
}

/* The error body {"error": {"code": code, "message": msg}}. */
static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned http, const char *code,
                                   const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static enum MHD_Result reply_error(struct MHD_Connection *c, unsigned http, const char *code,
                                   const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *e = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg);
    return reply_json(c, http, e);
}

/* A library status as the HTTP status and code of the error body. */
static enum MHD_Result reply_status(struct MHD_Connection *c, cairn_status st, const char *msg)
{
    switch (st) {
    case CAIRN_ERR_PARSE: return reply_error(c, 400, "bad_request", "%s", msg);
    case CAIRN_ERR_LIMIT: return reply_error(c, 413, "too_large", "%s", msg);
    case CAIRN_ERR_NOMEM: return reply_error(c, 503, "out_of_memory", "%s", msg);
    default: return reply_error(c, 500, "internal", "%s", msg);
    }
}

/* ---- routes ---------------------------------------------------------------------------------- */

/*
 * POST /v1/programs: the body is an ELF file; it must load as cairn run
 * would load it.  Stored once per digest (the file is written atomically
 * before the store records it, so a recorded digest always has its file).
 */
static enum MHD_Result do_program(struct cairn_server *s, struct MHD_Connection *c,
                                  const uint8_t *body, size_t len)
{
    cairn_error err;
    cairn_program prog;
    cairn_error_clear(&err);
    cairn_program_init(&prog);
    cairn_status st = cairn_elf_load(&prog, body, len, &err);
    cairn_program_clear(&prog);
    if (st != CAIRN_OK)
        return reply_error(c, 400, "invalid_program", "ELF: %s", err.msg);
    uint8_t d[CAIRN_SHA256_BYTES];
    char hex[CAIRN_DIGEST_HEX_LEN + 1], path[PATH_CAP];
    cairn_sha256(d, body, len);
    to_hex(hex, d, sizeof d);
    fmt_path(path, sizeof path, "%s/%s.elf", s->programs, hex);
    int found = 0;
    if ((st = cairn_store_program_exists(s->store, hex, &found, &err)) != CAIRN_OK)
        return reply_status(c, st, err.msg);
    struct stat sb;
    if (!found || stat(path, &sb) != 0) {
        if ((st = cairn_file_write_atomic(path, body, len, &err)) != CAIRN_OK ||
            (st = cairn_store_program_put(s->store, hex, body, len, &err)) != CAIRN_OK)
            return reply_status(c, st, err.msg);
    }
    return reply_json(c, found ? 200 : 201, json_pack("{s:s,s:I}", "digest", hex, "size_bytes",
                                                      (json_int_t)len));
}

/* POST /v1/jobs: parse, check the program, create (or find by Idempotency-Key), wake a worker. */
static enum MHD_Result do_submit(struct cairn_server *s, struct MHD_Connection *c,
                                 const char *body, size_t len)
{
    cairn_error err;
    cairn_job_request req;
    uint8_t *input = NULL;
    cairn_error_clear(&err);
    cairn_status st = cairn_api_parse_job(body, len, &req, &input, &err);
    if (st != CAIRN_OK)
        return reply_status(c, st, err.msg);
    enum MHD_Result ret;
    const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
    if (key != NULL) {
        size_t kl = strlen(key);
        int printable = kl >= 1 && kl <= 200;
        for (size_t i = 0; i < kl; i++)
            printable &= key[i] > 32 && key[i] < 127;
        if (!printable) {
            ret = reply_error(c, 400, "bad_request",
                              "Idempotency-Key: expected 1 to 200 printable characters");
            goto out;
        }
    }
    int found = 0;
    if ((st = cairn_store_program_exists(s->store, req.program, &found, &err)) != CAIRN_OK) {
        ret = reply_status(c, st, err.msg);
        goto out;
    }
    if (!found) {
        ret = reply_error(c, 404, "program_not_found",
                          "program %s: not uploaded (POST /v1/programs first)", req.program);
        goto out;
    }
    if (req.timeout_s == 0)
        req.timeout_s = s->cfg.job_timeout_s;
    char id[CAIRN_JOB_ID_LEN + 1];
    int existing = 0;
    st = cairn_store_job_create(s->store, &req, key, s->cfg.max_queue, id, &existing, &err);
    if (st == CAIRN_ERR_LIMIT) {
        ret = reply_error(c, 429, "queue_full", "%s", err.msg);
        goto out;
    }
    if (st != CAIRN_OK) {
        ret = reply_status(c, st, err.msg);
        goto out;
    }
    pthread_mutex_lock(&s->mu);
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    ret = reply_json(c, existing ? 200 : 201, json_pack("{s:s,s:b}", "id", id, "existing",
                                                        existing));
out:
    free(input);
    return ret;
}

/*
 * Fetch job id for a route: 1 with *j filled, or 0 with the error response
 * (store failure, 404) already queued in *ret.
 */
static int load_job(struct cairn_server *s, struct MHD_Connection *c, const char *id, cairn_job *j,
                    enum MHD_Result *ret)
{
    cairn_error err;
    int found = 0;
    cairn_error_clear(&err);
    memset(j, 0, sizeof *j);
    cairn_status st = cairn_store_job_get(s->store, id, j, &found, &err);
    if (st != CAIRN_OK)
        *ret = reply_status(c, st, err.msg);
    else if (!found)
        *ret = reply_error(c, 404, "job_not_found", "job %s: no such job", id);
    return st == CAIRN_OK && found;
}

/* GET /v1/jobs/{id}: the job view with its attempt log. */
static enum MHD_Result do_job(struct cairn_server *s, struct MHD_Connection *c, const char *id)
{
    cairn_error err;
    cairn_job j;
    enum MHD_Result ret = MHD_NO;
    if (!load_job(s, c, id, &j, &ret))
        return ret;
    cairn_error_clear(&err);
    cairn_status st;
    cairn_job_attempt *a = NULL;
    size_t na = 0;
    st = cairn_store_attempt_list(s->store, id, &a, &na, &err);
    json_t *v = st == CAIRN_OK ? cairn_api_job_json(&j, a, na) : NULL;
    free(a);
    cairn_job_clear(&j);
    if (st != CAIRN_OK)
        return reply_status(c, st, err.msg);
    return reply_json(c, 200, v);
}

/* DELETE /v1/jobs/{id}: cancel in the store, then tell the worker running it to stop the child. */
static enum MHD_Result do_cancel(struct cairn_server *s, struct MHD_Connection *c, const char *id)
{
    cairn_error err;
    int prev = -1;
    cairn_error_clear(&err);
    cairn_status st = cairn_store_job_cancel(s->store, id, &prev, &err);
    if (st != CAIRN_OK)
        return reply_status(c, st, err.msg);
    if (prev < 0)
        return reply_error(c, 404, "job_not_found", "job %s: no such job", id);
    if (prev == CAIRN_JOB_RUNNING) {
        pthread_mutex_lock(&s->mu);
        for (unsigned i = 0; i < s->nworkers; i++)
            if (strcmp(s->slots[i].id, id) == 0)
                s->slots[i].cancel = 1;
        pthread_mutex_unlock(&s->mu);
    }
    if (cairn_job_state_terminal((cairn_job_state)prev) && prev != CAIRN_JOB_CANCELLED)
        return reply_error(c, 409, "already_finished", "job %s already %s", id,
                           cairn_job_state_name((cairn_job_state)prev));
    return do_job(s, c, id);
}

/* GET /v1/jobs/{id}/proof: the recorded file of a succeeded job, streamed from disk. */
static enum MHD_Result do_proof(struct cairn_server *s, struct MHD_Connection *c, const char *id)
{
    cairn_job j;
    enum MHD_Result ret = MHD_NO;
    if (!load_job(s, c, id, &j, &ret))
        return ret;
    cairn_job_state state = j.state;
    char path[PATH_CAP];
    fmt_path(path, sizeof path, "%s/%s", s->proofs, j.proof_file);
    int in_store = j.proof_file[0] == '\0';
    cairn_job_clear(&j);
    if (state != CAIRN_JOB_SUCCEEDED)
        return reply_error(c, 409, "no_proof", "job %s is %s: no proof", id,
                           cairn_job_state_name(state));
    if (in_store) { /* a shared store keeps the proof, whichever worker made it */
        cairn_error err;
        uint8_t *bytes = NULL;
        size_t len = 0;
        int found = 0;
        cairn_error_clear(&err);
        cairn_status st = cairn_store_job_proof(s->store, id, &bytes, &len, &found, &err);
        if (st != CAIRN_OK)
            return reply_status(c, st, err.msg);
        if (!found)
            return reply_error(c, 500, "internal", "job %s: the store has no proof", id);
        return reply_buf(c, 200, "application/octet-stream", (char *)bytes, len);
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        if (fd >= 0)
            close(fd);
        return reply_error(c, 500, "internal", "job %s: proof file missing: %s", id,
                           strerror(errno));
    }
    struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
    if (r == NULL) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/octet-stream");
    ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* GET /v1/jobs?state=&limit=&after=: a page, newest first, and the cursor of the next one. */
static enum MHD_Result do_list(struct cairn_server *s, struct MHD_Connection *c)
{
    cairn_error err;
    int state;
    size_t limit;
    char after[CAIRN_JOB_ID_LEN + 1];
    cairn_error_clear(&err);
    cairn_status st = cairn_api_parse_list(
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "state"),
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit"),
        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "after"), &state, &limit, after,
        &err);
    if (st != CAIRN_OK)
        return reply_status(c, st, err.msg);
    cairn_job *jobs = NULL;
    size_t n = 0;
    if ((st = cairn_store_job_list(s->store, state, after, limit, &jobs, &n, &err)) != CAIRN_OK)
        return reply_status(c, st, err.msg);
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(arr, cairn_api_job_json(&jobs[i], NULL, 0));
        cairn_job_clear(&jobs[i]);
    }
    json_t *next = n == limit && n > 0 ? json_string(jobs[n - 1].id) : json_null();
    free(jobs);
    return reply_json(c, 200, json_pack("{s:o,s:o}", "jobs", arr, "next", next));
}

/* Unique temporary path under tmp/ for tag (pid, thread-local counter). */
static void tmp_path(struct cairn_server *s, char *out, size_t cap, const char *tag)
{
    static _Atomic unsigned long counter;
    unsigned long k = ++counter;
    fmt_path(out, cap, "%s/%s.%ld.%lu", s->tmp, tag, (long)getpid(), k);
}

/*
 * POST /v1/verify: the untrusted proof is parsed and checked by a child
 * (`cairn verify --json`), never in the server; its JSON answer is
 * returned as is, with accepted true or false.
 */
static enum MHD_Result do_verify(struct cairn_server *s, struct MHD_Connection *c,
                                 const char *body, size_t len)
{
    cairn_error err;
    char program[CAIRN_DIGEST_HEX_LEN + 1];
    uint8_t *proof = NULL;
    size_t proof_len = 0;
    cairn_error_clear(&err);
    cairn_status st = cairn_api_parse_verify(body, len, program, &proof, &proof_len, &err);
    if (st != CAIRN_OK)
        return reply_status(c, st, err.msg);
    char elf[PATH_CAP], pf[PATH_CAP], out[PATH_CAP], errp[PATH_CAP];
    fmt_path(elf, sizeof elf, "%s/%s.elf", s->programs, program);
    tmp_path(s, pf, sizeof pf, "verify.proof");
    tmp_path(s, out, sizeof out, "verify.out");
    tmp_path(s, errp, sizeof errp, "verify.err");
    enum MHD_Result ret;
    char *text = NULL;
    int found = 0;
    if ((st = ensure_program(s, program, elf, &found, &err)) != CAIRN_OK) {
        ret = reply_status(c, st, err.msg);
        goto out;
    }
    if (!found) {
        ret = reply_error(c, 404, "program_not_found", "program %s: not uploaded", program);
        goto out;
    }
    if ((st = cairn_file_write_atomic(pf, proof, proof_len, &err)) != CAIRN_OK) {
        ret = reply_status(c, st, err.msg);
        goto out;
    }
    const char *argv[] = {s->cfg.prover, "verify", pf, "--program", elf, "--json", NULL};
    cairn_child_spec spec = {argv, out, errp, s->cfg.job_memory, 120, 2, NULL, NULL, NULL};
    cairn_child_result res;
    if ((st = cairn_child_run(&spec, &res, &err)) != CAIRN_OK) {
        ret = reply_status(c, st, err.msg);
        goto out;
    }
    text = cairn_read_text(out, 1 << 20);
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    if (res.end != CAIRN_CHILD_EXITED || !json_is_object(v)) {
        json_decref(v);
        ret = reply_error(c, 500, "verifier_failed",
                          "the verifier did not answer (%s %d)",
                          res.end == CAIRN_CHILD_EXITED ? "exit status" : "signal", res.code);
        goto out;
    }
    json_object_set_new(v, "program", json_string(program));
    ret = reply_json(c, 200, v);
out:
    free(text);
    free(proof);
    unlink(pf);
    unlink(out);
    unlink(errp);
    return ret;
}

/* GET /metrics: Prometheus text format 0.0.4. */
static enum MHD_Result do_metrics(struct cairn_server *s, struct MHD_Connection *c)
{
    cairn_error err;
    cairn_store_stats st;
    cairn_error_clear(&err);
    cairn_status rc = cairn_store_stats_get(s->store, &st, &err);
    if (rc != CAIRN_OK)
        return reply_status(c, rc, err.msg);
    char *b = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&b, &n);
    if (f == NULL)
        return MHD_NO;
    fprintf(f, "# HELP cairn_jobs Jobs in the store by state.\n# TYPE cairn_jobs gauge\n");
    for (int i = 0; i < CAIRN_JOB_STATES; i++)
        fprintf(f, "cairn_jobs{state=\"%s\"} %" PRIu64 "\n",
                cairn_job_state_name((cairn_job_state)i), st.by_state[i]);
    fprintf(f, "# HELP cairn_queue_depth Jobs waiting for a worker.\n# TYPE cairn_queue_depth "
               "gauge\ncairn_queue_depth %" PRIu64 "\n",
            st.by_state[CAIRN_JOB_QUEUED]);
    fprintf(f, "# HELP cairn_proving_seconds_total Time spent proving the succeeded jobs.\n"
               "# TYPE cairn_proving_seconds_total counter\ncairn_proving_seconds_total %.3f\n",
            st.prove_seconds);
    pthread_mutex_lock(&s->mu);
    unsigned long long req = s->requests;
    unsigned running = s->running;
    pthread_mutex_unlock(&s->mu);
    fprintf(f, "# HELP cairn_http_requests_total HTTP requests handled.\n"
               "# TYPE cairn_http_requests_total counter\ncairn_http_requests_total %llu\n",
            req);
    fprintf(f, "# HELP cairn_workers Workers, and those proving now.\n# TYPE cairn_workers gauge\n"
               "cairn_workers{busy=\"yes\"} %u\ncairn_workers{busy=\"no\"} %u\n",
            running, s->nworkers - running);
    if (fclose(f) != 0) {
        free(b);
        return MHD_NO;
    }
    return reply_buf(c, 200, "text/plain; version=0.0.4", b, n);
}

/* ---- the access handler ---------------------------------------------------------------------- */

struct request {
    char *body;
    size_t len, cap;
    int too_big;
};

/* Append upload data, up to max_body; beyond it the rest is read and dropped. */
static void body_append(struct request *r, size_t max, const char *data, size_t n)
{
    if (r->too_big || n > max - r->len) {
        r->too_big = 1;
        return;
    }
    if (r->len + n + 1 > r->cap) {
        size_t nc = r->cap ? r->cap : 4096;
        while (nc < r->len + n + 1)
            nc *= 2;
        char *b = realloc(r->body, nc);
        if (b == NULL) {
            r->too_big = 1;
            return;
        }
        r->body = b;
        r->cap = nc;
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
    r->body[r->len] = '\0';
}

/* Bearer token from the Authorization header, or (for the page only) ?token=. */
static int authorized(struct cairn_server *s, struct MHD_Connection *c, cairn_route route)
{
    if (s->cfg.token == NULL || route == CAIRN_ROUTE_HEALTHZ)
        return 1;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (h != NULL && strncmp(h, "Bearer ", 7) == 0 && token_ok(s->cfg.token, h + 7))
        return 1;
    if (route == CAIRN_ROUTE_INDEX)
        return token_ok(s->cfg.token,
                        MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token"));
    return 0;
}

/*
 * Route and authorise from the request line and headers alone, before any
 * body is read: 1 and the route, or 0 with the 404, 405 or 401 queued in
 * *ret (an unauthorised client cannot make the service read a large body).
 */
static int precheck(struct cairn_server *s, struct MHD_Connection *c, const char *method,
                    const char *url, cairn_route *route, char id[CAIRN_JOB_ID_LEN + 1],
                    enum MHD_Result *ret)
{
    int code = cairn_api_route(method, url, route, id);
    if (code == 404)
        *ret = reply_error(c, 404, "not_found", "no such resource: %.200s", url);
    else if (code == 405)
        *ret = reply_error(c, 405, "method_not_allowed", "%.16s is not allowed on %.200s",
                           method, url);
    else if (!authorized(s, c, *route))
        *ret = reply_error(c, 401, "unauthorized", "a bearer token is required");
    else
        return 1;
    return 0;
}

/* Dispatch a complete request (precheck passed on its first call). */
static enum MHD_Result dispatch(struct cairn_server *s, struct MHD_Connection *c,
                                const char *method, const char *url, struct request *r)
{
    cairn_route route;
    char id[CAIRN_JOB_ID_LEN + 1];
    enum MHD_Result ret = MHD_NO;
    if (!precheck(s, c, method, url, &route, id, &ret))
        return ret;
    if (r->too_big)
        return reply_error(c, 413, "too_large", "request body over the limit of %zu bytes",
                           s->cfg.max_body);
    const char *body = r->body ? r->body : "";
    switch (route) {
    case CAIRN_ROUTE_INDEX: {
        size_t n = strlen(cairn_status_page);
        char *b = malloc(n);
        if (b == NULL)
            return MHD_NO;
        memcpy(b, cairn_status_page, n);
        return reply_buf(c, 200, "text/html; charset=utf-8", b, n);
    }
    case CAIRN_ROUTE_HEALTHZ: return reply_json(c, 200, json_pack("{s:b}", "ok", 1));
    case CAIRN_ROUTE_METRICS: return do_metrics(s, c);
    case CAIRN_ROUTE_PROGRAMS: return do_program(s, c, (const uint8_t *)body, r->len);
    case CAIRN_ROUTE_JOBS_POST: return do_submit(s, c, body, r->len);
    case CAIRN_ROUTE_JOBS_LIST: return do_list(s, c);
    case CAIRN_ROUTE_JOB_GET: return do_job(s, c, id);
    case CAIRN_ROUTE_JOB_DELETE: return do_cancel(s, c, id);
    case CAIRN_ROUTE_JOB_PROOF: return do_proof(s, c, id);
    case CAIRN_ROUTE_VERIFY: return do_verify(s, c, body, r->len);
    }
    return reply_error(c, 500, "internal", "unrouted request");
}

/*
 * libmicrohttpd's access handler: called first with no data (allocate the
 * request; an unknown route, a missing token or a declared Content-Length
 * over the limit is answered at once), then with each piece of the body,
 * then once more with none.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    struct cairn_server *s = cls;
    struct request *r = *con_cls;
    if (r == NULL) {
        if ((r = calloc(1, sizeof *r)) == NULL)
            return MHD_NO;
        *con_cls = r;
        cairn_route route;
        char id[CAIRN_JOB_ID_LEN + 1];
        enum MHD_Result ret = MHD_NO;
        if (!precheck(s, c, method, url, &route, id, &ret))
            return ret;
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl != NULL && strtoull(cl, NULL, 10) > s->cfg.max_body) {
            r->too_big = 1;
            return reply_error(c, 413, "too_large", "request body over the limit of %zu bytes",
                               s->cfg.max_body);
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        body_append(r, s->cfg.max_body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&s->mu);
    s->requests++;
    pthread_mutex_unlock(&s->mu);
    return dispatch(s, c, method, url, r);
}

/* Free the request state when libmicrohttpd is done with it. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    struct request *r = *con_cls;
    if (r != NULL) {
        free(r->body);
        free(r);
        *con_cls = NULL;
    }
}

/* ---- workers --------------------------------------------------------------------------------- */

struct run_ctx {
    struct cairn_server *s;
    unsigned slot;
};

/* Seconds between heartbeats: a third of the lease, at most 5. */
static double beat_every(const struct cairn_server *s)
{
    double b = s->cfg.lease_s / 3.0;
    return b > 5 ? 5 : b;
}

/*
 * The runner's poll: cancelled by a client, the service is stopping, or
 * the lease is lost.  It renews the lease when a heartbeat is due; a
 * heartbeat the store refuses (the lease expired, or the job was
 * cancelled through another API server) stops the prover.  A heartbeat
 * that fails for an error of the store is tried again at the next poll
 * after the interval: the lease is lost only when the store says so.
 */
static int should_stop(void *ctx)
{
    struct run_ctx *rc = ctx;
    struct cairn_server *s = rc->s;
    struct slot *sl = &s->slots[rc->slot];
    pthread_mutex_lock(&s->mu);
    int stop = sl->cancel || s->stop;
    pthread_mutex_unlock(&s->mu);
    double now = mono_s();
    if (!stop && now >= sl->next_beat) {
        int ok = 1;
        sl->next_beat = now + beat_every(s);
        if (cairn_store_job_heartbeat(s->store, sl->id, sl->attempt, sl->worker, s->cfg.lease_s,
                                      &ok, NULL) == CAIRN_OK &&
            !ok)
            sl->lost = stop = 1;
    }
    return stop;
}

/* The last line of the child's stderr, without "cairn: error: " (the reason it gave). */
static void last_error_line(const char *text, char *out, size_t cap)
{
    out[0] = '\0';
    if (text == NULL)
        return;
    const char *end = text + strlen(text);
    while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
        end--;
    const char *start = end;
    while (start > text && start[-1] != '\n')
        start--;
    static const char pre[] = "cairn: error: ";
    if ((size_t)(end - start) >= sizeof pre - 1 && strncmp(start, pre, sizeof pre - 1) == 0)
        start += sizeof pre - 1;
    snprintf(out, cap, "%.*s", (int)(end - start), start);
}

/* What one attempt came to. */
struct attempt_result {
    cairn_job_state state;
    char code[32];
    char error[256];
    int oom;
    /* on success */
    char proof_file[96];
    char sha[CAIRN_DIGEST_HEX_LEN + 1];
    uint64_t size;
    double prove_ms;
    char *result;
    uint8_t *proof; /* the bytes, for a shared store */
    size_t proof_len;
};

/*
 * A successful child: check its summary, hash the file ourselves (the
 * recorded hash is of the bytes we will serve), and move the file into
 * proofs/ under the attempt's name (or keep the bytes for a shared store).
 */
static void take_proof(struct cairn_server *s, const cairn_job *j, uint32_t attempt,
                       const char *tmp_proof, const char *out_text, struct attempt_result *ar)
{
    json_t *v = out_text ? json_loads(out_text, 0, NULL) : NULL;
    uint8_t *bytes = NULL;
    size_t len = 0;
    cairn_error err;
    cairn_error_clear(&err);
    ar->state = CAIRN_JOB_FAILED;
    snprintf(ar->code, sizeof ar->code, "internal");
    if (!json_is_object(v)) {
        snprintf(ar->error, sizeof ar->error, "the prover exited 0 without a JSON summary");
        goto out;
    }
    FILE *f = fopen(tmp_proof, "rb");
    struct stat sb;
    if (f == NULL || fstat(fileno(f), &sb) != 0 || (bytes = malloc((size_t)sb.st_size + 1)) == NULL ||
        fread(bytes, 1, (size_t)sb.st_size, f) != (size_t)sb.st_size) {
        if (f != NULL)
            fclose(f);
        snprintf(ar->error, sizeof ar->error, "cannot read the new proof file");
        goto out;
    }
    fclose(f);
    len = (size_t)sb.st_size;
    uint8_t d[CAIRN_SHA256_BYTES];
    cairn_sha256(d, bytes, len);
    to_hex(ar->sha, d, sizeof d);
    json_t *h = json_object_get(v, "proof_hash");
    if (!json_is_string(h) || strcmp(json_string_value(h), ar->sha) != 0) {
        snprintf(ar->error, sizeof ar->error, "the proof file's hash differs from the prover's");
        goto out;
    }
    if (cairn_store_shared(s->store) && len > CAIRN_API_MAX_PROOF) {
        snprintf(ar->code, sizeof ar->code, "limit");
        snprintf(ar->error, sizeof ar->error,
                 "the proof has %zu bytes: a shared store keeps at most %zu", len,
                 CAIRN_API_MAX_PROOF);
        goto out;
    }
    if (cairn_store_shared(s->store)) { /* recorded with the outcome, in the store */
        ar->proof = bytes;
        ar->proof_len = len;
        bytes = NULL;
    } else {
        snprintf(ar->proof_file, sizeof ar->proof_file, "%s.%u.proof", j->id, attempt);
        char dst[PATH_CAP];
        fmt_path(dst, sizeof dst, "%s/%s", s->proofs, ar->proof_file);
        if (rename(tmp_proof, dst) != 0) {
            ar->proof_file[0] = '\0';
            snprintf(ar->error, sizeof ar->error, "cannot move the proof: %s", strerror(errno));
            goto out;
        }
    }
    ar->size = len;
    ar->prove_ms = json_number_value(json_object_get(v, "prove_ms"));
    json_object_del(v, "proof_file");
    ar->result = json_dumps(v, JSON_COMPACT);
    ar->state = CAIRN_JOB_SUCCEEDED;
    ar->code[0] = '\0';
out:
    free(bytes);
    json_decref(v);
}

/* Signal names for the error messages of crashed children. */
static const char *sig_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    default: return "a signal";
    }
}

/*
 * Run one attempt of job j in a child and classify its end.  Returns 0
 * when the service is stopping (the job is left for recovery), 1 otherwise.
 */
static int run_attempt(struct cairn_server *s, unsigned slot, const cairn_job *j,
                       uint32_t attempt, unsigned threads, const char *input_path,
                       struct attempt_result *ar)
{
    char elf[PATH_CAP], proof[PATH_CAP], out[PATH_CAP], errp[PATH_CAP], th[16], sec[16], mc[32];
    fmt_path(elf, sizeof elf, "%s/%s.elf", s->programs, j->program);
    cairn_error perr;
    int have = 0;
    cairn_error_clear(&perr);
    cairn_status pst = ensure_program(s, j->program, elf, &have, &perr);
    if (pst != CAIRN_OK || !have) {
        memset(ar, 0, sizeof *ar);
        ar->state = CAIRN_JOB_FAILED;
        snprintf(ar->code, sizeof ar->code, "%s",
                 pst == CAIRN_ERR_PARSE ? "digest_mismatch"
                 : pst != CAIRN_OK      ? "internal"
                                        : "program_not_found");
        snprintf(ar->error, sizeof ar->error, "%s",
                 pst != CAIRN_OK ? perr.msg : "the store does not have the program's bytes");
        return 1;
    }
    fmt_path(proof, sizeof proof, "%s/%s.%u.proof", s->tmp, j->id, attempt);
    fmt_path(out, sizeof out, "%s/%s.%u.out", s->tmp, j->id, attempt);
    fmt_path(errp, sizeof errp, "%s/%s.%u.err", s->tmp, j->id, attempt);
    snprintf(th, sizeof th, "%u", threads);
    snprintf(sec, sizeof sec, "%u", j->security);
    snprintf(mc, sizeof mc, "%" PRIu64, j->max_cycles);
    const char *argv[16];
    int k = 0;
    argv[k++] = s->cfg.prover;
    argv[k++] = "prove";
    argv[k++] = elf;
    argv[k++] = "-o";
    argv[k++] = proof;
    argv[k++] = "--json";
    argv[k++] = "--threads";
    argv[k++] = th;
    argv[k++] = "--security";
    argv[k++] = sec;
    if (input_path != NULL) {
        argv[k++] = "--input";
        argv[k++] = input_path;
    }
    if (j->max_cycles > 0) {
        argv[k++] = "--max-cycles";
        argv[k++] = mc;
    }
    argv[k] = NULL;
    struct run_ctx rc = {s, slot};
    cairn_child_spec spec = {argv, out, errp, s->cfg.job_memory, j->timeout_s, 2,
                             should_stop, &rc, NULL};
    cairn_child_result res;
    cairn_error err;
    cairn_error_clear(&err);
    cairn_store_job_progress(s->store, j->id, attempt, "proving", 0, NULL);
    int go_on = 1;
    memset(ar, 0, sizeof *ar);
    ar->state = CAIRN_JOB_FAILED;
    char *out_text = NULL, *err_text = NULL;
    if (cairn_child_run(&spec, &res, &err) != CAIRN_OK) {
        snprintf(ar->code, sizeof ar->code, "internal");
        snprintf(ar->error, sizeof ar->error, "%s", err.msg);
        goto out;
    }
    out_text = cairn_read_text(out, 1 << 20);
    err_text = cairn_read_text(errp, 1 << 16);
    char reason[200];
    last_error_line(err_text, reason, sizeof reason);
    switch (res.end) {
    case CAIRN_CHILD_TIMED_OUT:
        ar->state = CAIRN_JOB_TIMED_OUT;
        snprintf(ar->code, sizeof ar->code, "timeout");
        snprintf(ar->error, sizeof ar->error, "the proof took longer than its timeout of %u s",
                 j->timeout_s);
        break;
    case CAIRN_CHILD_CANCELLED:
        pthread_mutex_lock(&s->mu);
        go_on = !s->stop;
        pthread_mutex_unlock(&s->mu);
        ar->state = CAIRN_JOB_CANCELLED;
        if (s->slots[slot].lost) {
            snprintf(ar->code, sizeof ar->code, "lease_lost");
            snprintf(ar->error, sizeof ar->error, "the store refused the heartbeat: the lease "
                                                  "expired or the job was cancelled");
        } else {
            snprintf(ar->code, sizeof ar->code, "cancelled");
            snprintf(ar->error, sizeof ar->error, go_on ? "cancelled by a client"
                                                        : "the service stopped");
        }
        break;
    case CAIRN_CHILD_SIGNALED:
        if (res.code == SIGKILL) {
            ar->oom = 1;
            snprintf(ar->code, sizeof ar->code, "oom");
            snprintf(ar->error, sizeof ar->error,
                     "out of memory: the prover was killed by SIGKILL, which the service did "
                     "not send (the kernel's OOM killer)");
        } else {
            snprintf(ar->code, sizeof ar->code, "crash");
            snprintf(ar->error, sizeof ar->error, "the prover crashed: %s (signal %d)",
                     sig_name(res.code), res.code);
        }
        break;
    case CAIRN_CHILD_EXITED:
        if (res.code == 0) {
            take_proof(s, j, attempt, proof, out_text, ar);
        } else if (res.code == 5 && (strstr(reason, "out of memory") != NULL ||
                                     strstr(reason, "cannot allocate") != NULL)) {
            ar->oom = 1;
            snprintf(ar->code, sizeof ar->code, "oom");
            snprintf(ar->error, sizeof ar->error, "out of memory (memory cap %" PRIu64
                     " MiB): %s", s->cfg.job_memory >> 20, reason);
        } else {
            snprintf(ar->code, sizeof ar->code, "%s",
                     res.code == 1 ? "prover_failed" : res.code == 3 ? "invalid_input"
                     : res.code == 5 ? "limit" : res.code == 127 ? "cannot_execute" : "prover_error");
            snprintf(ar->error, sizeof ar->error, "%s",
                     reason[0] ? reason : "the prover failed without a message");
        }
        break;
    }
out:
    free(out_text);
    free(err_text);
    unlink(out);
    unlink(errp);
    unlink(proof);
    return go_on;
}

/* Record a failure of the job's current attempt, and the attempt's end, before any prover ran. */
static void fail_early(struct cairn_server *s, unsigned slot, const cairn_job *j, const char *code,
                       const char *msg)
{
    cairn_job_outcome o = {CAIRN_JOB_FAILED, code, msg, NULL, NULL, 0, 0, NULL, NULL,
                           s->slots[slot].worker, NULL, 0};
    int applied = 0;
    cairn_store_job_finish(s->store, j->id, j->attempts, &o, &applied, NULL);
    cairn_job_attempt rec;
    memset(&rec, 0, sizeof rec);
    rec.attempt = j->attempts;
    snprintf(rec.worker, sizeof rec.worker, "%s", s->slots[slot].worker);
    snprintf(rec.outcome, sizeof rec.outcome, "%s", applied ? code : "refused");
    snprintf(rec.error, sizeof rec.error, "%s", msg);
    rec.started_ms = j->started_ms;
    rec.finished_ms = cairn_store_now_ms();
    cairn_store_attempt_record(s->store, j->id, &rec, NULL);
}

/*
 * Prove one claimed job: the first attempt with the configured threads,
 * and after an out-of-memory one retry with fallback_threads.  The input
 * must hash to the digest recorded at the job's creation.  The job's
 * outcome is recorded for the current attempt only, then the attempt's
 * record with what became of it ("refused" when the store did not take
 * the outcome: the job was cancelled, or the lease expired and the job
 * moved on; the proof file is then deleted).  When the service stops
 * mid-proof the job is released: queued again at once for any worker.
 */
static void prove_job(struct cairn_server *s, unsigned slot, cairn_job *j)
{
    char input_path[PATH_CAP];
    const char *ip = NULL;
    uint8_t *input = NULL;
    size_t input_len = 0;
    cairn_error err;
    cairn_error_clear(&err);
    struct slot *sl = &s->slots[slot];
    uint32_t attempt = j->attempts;
    fmt_path(input_path, sizeof input_path, "%s/%s.%u.in", s->tmp, j->id, attempt);
    struct attempt_result ar;
    memset(&ar, 0, sizeof ar);
    if (cairn_store_job_input(s->store, j->id, &input, &input_len, &err) != CAIRN_OK) {
        fail_early(s, slot, j, "internal", err.msg);
        return;
    }
    char digest[CAIRN_DIGEST_HEX_LEN + 1];
    cairn_store_sha256_hex(digest, input, input_len);
    if (j->input_sha256[0] != '\0' && strcmp(digest, j->input_sha256) != 0) {
        free(input);
        fail_early(s, slot, j, "digest_mismatch",
                   "the input's bytes in the store do not hash to the digest recorded");
        return;
    }
    if (input_len > 0) {
        if (cairn_file_write_atomic(input_path, input, input_len, &err) != CAIRN_OK) {
            free(input);
            fail_early(s, slot, j, "internal", err.msg);
            return;
        }
        ip = input_path;
    }
    free(input);
    unsigned threads = s->cfg.threads;
    int fallback = 0;
    char mode[32];
    for (;;) {
        snprintf(mode, sizeof mode, "%sthreads=%u", fallback ? "fallback " : "", threads);
        cairn_job_attempt rec;
        memset(&rec, 0, sizeof rec);
        rec.attempt = attempt;
        snprintf(rec.mode, sizeof rec.mode, "%s", mode);
        snprintf(rec.worker, sizeof rec.worker, "%s", sl->worker);
        rec.threads = threads;
        rec.started_ms = cairn_store_now_ms();
        snprintf(rec.outcome, sizeof rec.outcome, "running");
        cairn_store_attempt_record(s->store, j->id, &rec, NULL);
        int go_on = run_attempt(s, slot, j, attempt, threads, ip, &ar);
        rec.finished_ms = cairn_store_now_ms();
        snprintf(rec.outcome, sizeof rec.outcome, "%s",
                 ar.code[0] ? ar.code : cairn_job_state_name(ar.state));
        snprintf(rec.error, sizeof rec.error, "%s", ar.error);
        if (!go_on) { /* stopping: give the job back */
            int ok = 0;
            cairn_store_job_release(s->store, j->id, attempt, sl->worker, &ok, NULL);
            break;
        }
        if (ar.state == CAIRN_JOB_CANCELLED) {
            cairn_store_attempt_record(s->store, j->id, &rec, NULL);
            break;
        }
        int ok = 0;
        if (ar.oom && !fallback) {
            cairn_store_attempt_record(s->store, j->id, &rec, NULL);
            if (cairn_store_job_retry(s->store, j->id, attempt, &ok, NULL) == CAIRN_OK && ok) {
                fallback = 1;
                attempt++;
                sl->attempt = attempt;
                threads = s->cfg.fallback_threads;
                continue;
            }
        }
        cairn_job_outcome o = {ar.state, ar.code, ar.error, ar.proof_file, ar.sha, ar.size,
                               ar.prove_ms, mode, ar.result, sl->worker, ar.proof,
                               ar.proof_len};
        int applied = 0;
        cairn_store_job_finish(s->store, j->id, attempt, &o, &applied, NULL);
        if (!applied) {
            snprintf(rec.outcome, sizeof rec.outcome, "refused");
            snprintf(rec.error, sizeof rec.error,
                     "the store refused the outcome (%s): the job was cancelled, or the lease "
                     "expired and the job moved on",
                     ar.code[0] ? ar.code : cairn_job_state_name(ar.state));
            if (ar.proof_file[0]) {
                char p[PATH_CAP];
                fmt_path(p, sizeof p, "%s/%s", s->proofs, ar.proof_file);
                unlink(p);
            }
        }
        cairn_store_attempt_record(s->store, j->id, &rec, NULL);
        break;
    }
    free(ar.result);
    free(ar.proof);
    if (ip != NULL)
        unlink(input_path);
}

/* Remove a purged job's proof file. */
static void purge_file(void *ctx, const char *proof_file)
{
    struct cairn_server *s = ctx;
    char p[PATH_CAP];
    fmt_path(p, sizeof p, "%s/%s", s->proofs, proof_file);
    unlink(p);
}

/*
 * Requeue the jobs whose lease expired, at most about once a second for
 * the whole process (any idle worker may do it).
 */
static void sweep_leases(struct cairn_server *s)
{
    double now = mono_s();
    pthread_mutex_lock(&s->mu);
    int due = now >= s->next_expire;
    if (due)
        s->next_expire = now + 1;
    pthread_mutex_unlock(&s->mu);
    size_t requeued = 0, failed = 0;
    if (due && cairn_store_expire(s->store, s->cfg.max_attempts, &requeued, &failed, NULL) ==
                   CAIRN_OK &&
        requeued + failed > 0)
        fprintf(stderr, "cairn: %zu expired leases (%zu jobs requeued, %zu failed)\n",
                requeued + failed, requeued, failed);
}

/*
 * A worker: claim, prove, repeat; when nothing is queued, wait for a
 * submission (or a second, to notice jobs another process queued; a
 * quarter of one with a shared store, where every job comes from
 * elsewhere).  Worker 0 also applies the retention period about once a
 * minute.
 */
static void *worker_main(void *arg)
{
    struct run_ctx *me = arg;
    struct cairn_server *s = me->s;
    double next_purge = 0;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        int stop = s->stop;
        pthread_mutex_unlock(&s->mu);
        if (stop)
            break;
        if (me->slot == 0 && s->cfg.retention_days > 0 && (double)time(NULL) >= next_purge) {
            size_t n;
            int64_t before = cairn_store_now_ms() - (int64_t)s->cfg.retention_days * 86400000;
            cairn_store_purge(s->store, before, purge_file, s, &n, NULL);
            next_purge = (double)time(NULL) + 60;
        }
        sweep_leases(s);
        cairn_job j;
        int got = 0;
        memset(&j, 0, sizeof j);
        struct slot *sl = &s->slots[me->slot];
        if (cairn_store_job_claim(s->store, sl->worker, s->cfg.lease_s, &j, &got, NULL) !=
                CAIRN_OK ||
            !got) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            long wait_ns = cairn_store_shared(s->store) ? 250000000L : 1000000000L;
            ts.tv_nsec += wait_ns;
            ts.tv_sec += ts.tv_nsec / 1000000000L;
            ts.tv_nsec %= 1000000000L;
            pthread_mutex_lock(&s->mu);
            if (!s->stop)
                pthread_cond_timedwait(&s->cv, &s->mu, &ts);
            pthread_mutex_unlock(&s->mu);
            continue;
        }
        pthread_mutex_lock(&s->mu);
        snprintf(sl->id, sizeof sl->id, "%s", j.id);
        sl->cancel = 0;
        sl->attempt = j.attempts;
        sl->lost = 0;
        sl->next_beat = mono_s() + beat_every(s);
        s->running++;
        pthread_mutex_unlock(&s->mu);
        prove_job(s, me->slot, &j);
        cairn_job_clear(&j);
        pthread_mutex_lock(&s->mu);
        s->slots[me->slot].id[0] = '\0';
        s->running--;
        pthread_mutex_unlock(&s->mu);
    }
    free(me);
    return NULL;
}

/* ---- start and stop -------------------------------------------------------------------------- */

void cairn_serve_config_init(cairn_serve_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->listen = "127.0.0.1:8080";
    cfg->db_path = NULL; /* data_dir/cairn.db */
    cfg->data_dir = "cairn-data";
    cfg->threads = 1;
    cfg->fallback_threads = 1;
    cfg->job_timeout_s = 600;
    cfg->max_attempts = 3;
    cfg->max_body = (size_t)96 << 20;
    cfg->max_queue = 10000;
    cfg->lease_s = 60;
}

/* "A.B.C.D:PORT" into an IPv4 socket address. */
static cairn_status parse_listen(const char *s, struct sockaddr_in *sa, cairn_error *err)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    if (colon == NULL || (size_t)(colon - s) >= sizeof host)
        return cairn_error_set(err, CAIRN_ERR_ARG, "--listen '%s': expected ADDR:PORT", s);
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    if (colon[1] == '\0' || *end != '\0' || port > 65535 ||
        inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &sa->sin_addr) != 1)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "--listen '%s': expected an IPv4 ADDR:PORT such as 127.0.0.1:8080",
                               s);
    sa->sin_port = htons((uint16_t)port);
    return CAIRN_OK;
}

/* Listen on sa with libmicrohttpd; *port receives the port bound. */
static cairn_status start_http(struct cairn_server *s, const struct sockaddr_in *sa,
                               unsigned *port, cairn_error *err)
{
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL, 0, NULL,
        NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)sa,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)256, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_END);
    if (s->daemon == NULL)
        return cairn_error_set(err, CAIRN_ERR_IO, "cannot listen on %s (address in use?)",
                               s->cfg.listen);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *port = di ? di->port : ntohs(sa->sin_port);
    return CAIRN_OK;
}

cairn_status cairn_server_start(cairn_server **out, const cairn_serve_config *cfg,
                                cairn_error *err)
{
    *out = NULL;
    struct sockaddr_in sa;
    cairn_status st = cfg->listen ? parse_listen(cfg->listen, &sa, err) : CAIRN_OK;
    if (st != CAIRN_OK)
        return st;
    struct cairn_server *s = calloc(1, sizeof *s);
    if (s == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    s->cfg = *cfg;
    if (s->cfg.lease_s == 0)
        s->cfg.lease_s = 60;
    if (s->cfg.threads == 0)
        s->cfg.threads = 1;
    if (s->cfg.fallback_threads == 0)
        s->cfg.fallback_threads = 1;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (strlen(cfg->data_dir) > 1024) {
        st = cairn_error_set(err, CAIRN_ERR_ARG, "--data-dir: longer than 1024 characters");
        goto fail;
    }
    fmt_path(s->programs, sizeof s->programs, "%s/programs", cfg->data_dir);
    fmt_path(s->proofs, sizeof s->proofs, "%s/proofs", cfg->data_dir);
    fmt_path(s->tmp, sizeof s->tmp, "%s/tmp", cfg->data_dir);
    char db[PATH_CAP];
    fmt_path(db, sizeof db, "%s/cairn.db", cfg->data_dir);
    if ((st = ensure_dir(cfg->data_dir, err)) != CAIRN_OK ||
        (st = ensure_dir(s->programs, err)) != CAIRN_OK ||
        (st = ensure_dir(s->proofs, err)) != CAIRN_OK || (st = ensure_dir(s->tmp, err)) != CAIRN_OK)
        goto fail;
    empty_dir(s->tmp);
    if ((st = cairn_store_open(&s->store, cfg->db_path ? cfg->db_path : db, err)))
        goto fail;
    size_t requeued, failed;
    if ((st = cairn_store_recover(s->store, s->cfg.max_attempts, &requeued, &failed, err)))
        goto fail;
    if (requeued + failed > 0)
        fprintf(stderr, "cairn serve: recovered %zu interrupted jobs (%zu requeued, %zu failed)\n",
                requeued + failed, requeued, failed);
    sweep_proofs(s);
    s->slots = calloc(s->cfg.workers + 1, sizeof *s->slots);
    s->workers = calloc(s->cfg.workers + 1, sizeof *s->workers);
    if (s->slots == NULL || s->workers == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
        goto fail;
    }
    /* Worker names: NAME (default HOST:PID), and NAME/i when the process has several. */
    char base[CAIRN_WORKER_NAME_LEN - 8], host[64] = "localhost";
    if (cfg->worker_name != NULL && cfg->worker_name[0] != '\0') {
        snprintf(base, sizeof base, "%s", cfg->worker_name);
    } else {
        (void)gethostname(host, sizeof host - 1);
        host[sizeof host - 1] = '\0';
        snprintf(base, sizeof base, "%.40s:%ld", host, (long)getpid());
    }
    for (unsigned i = 0; i < s->cfg.workers; i++) {
        if (s->cfg.workers == 1)
            snprintf(s->slots[i].worker, sizeof s->slots[i].worker, "%s", base);
        else
            snprintf(s->slots[i].worker, sizeof s->slots[i].worker, "%.50s/%u", base, i);
    }
    unsigned port = 0;
    if (cfg->listen != NULL && (st = start_http(s, &sa, &port, err)) != CAIRN_OK)
        goto fail;
    for (unsigned i = 0; i < s->cfg.workers; i++) {
        struct run_ctx *rc = malloc(sizeof *rc);
        if (rc != NULL) {
            rc->s = s;
            rc->slot = i;
        }
        if (rc == NULL || pthread_create(&s->workers[i], NULL, worker_main, rc) != 0) {
            free(rc);
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "cannot start worker %u", i);
            goto fail;
        }
        s->nworkers = i + 1;
    }
    if (cfg->on_listen != NULL && cfg->listen != NULL)
        cfg->on_listen(cfg->ctx, port);
    *out = s;
    return CAIRN_OK;
fail:
    cairn_server_stop(s);
    return st;
}

void cairn_server_stop(cairn_server *s)
{
    if (s == NULL)
        return;
    if (s->daemon != NULL)
        MHD_stop_daemon(s->daemon);
    pthread_mutex_lock(&s->mu);
    s->stop = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    for (unsigned i = 0; i < s->nworkers; i++)
        pthread_join(s->workers[i], NULL);
    cairn_store_free(s->store);
    free(s->workers);
    free(s->slots);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}
