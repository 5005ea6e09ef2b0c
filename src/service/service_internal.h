/*
 * service_internal.h — the contract between the parts of the proving
 * service (src/service/): the boundary that turns untrusted HTTP requests
 * into typed ones (api.c: routes, JSON bodies, base64, list queries), the
 * JSON views of jobs, and the child-process runner (runner.c).
 *
 * Everything a request sends is checked here once; the server (server.c)
 * works only with the typed results.  Every parser returns CAIRN_OK,
 * CAIRN_ERR_PARSE (malformed: HTTP 400) or CAIRN_ERR_LIMIT (too large:
 * HTTP 413) with a message naming the field, and never crashes on any
 * bytes (fuzz/fuzz_service_request.c).
 */
#ifndef CAIRN_SERVICE_INTERNAL_H
#define CAIRN_SERVICE_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cairn/error.h"
#include "cairn/service.h"
#include "cairn/store.h"

/* ---- routes ---------------------------------------------------------------------------------- */

typedef enum {
    CAIRN_ROUTE_INDEX,     /* GET / */
    CAIRN_ROUTE_HEALTHZ,   /* GET /healthz */
    CAIRN_ROUTE_METRICS,   /* GET /metrics */
    CAIRN_ROUTE_PROGRAMS,  /* POST /v1/programs */
    CAIRN_ROUTE_JOBS_POST, /* POST /v1/jobs */
    CAIRN_ROUTE_JOBS_LIST, /* GET /v1/jobs */
    CAIRN_ROUTE_JOB_GET,   /* GET /v1/jobs/{id} */
    CAIRN_ROUTE_JOB_DELETE,/* DELETE /v1/jobs/{id} */
    CAIRN_ROUTE_JOB_PROOF, /* GET /v1/jobs/{id}/proof */
    CAIRN_ROUTE_VERIFY     /* POST /v1/verify */
} cairn_route;

/*
 * Match method and path (no query string).  Returns 200 and sets *route
 * (and id, for the job routes: exactly CAIRN_JOB_ID_LEN lower-case hex
 * characters), 404 for an unknown path or a malformed id, 405 for a known
 * path with another method.
 */
int cairn_api_route(const char *method, const char *path, cairn_route *route,
                    char id[CAIRN_JOB_ID_LEN + 1]);

/* ---- bodies ---------------------------------------------------------------------------------- */

/* Largest input a job may carry (decoded bytes), and largest proof /v1/verify takes. */
#define CAIRN_API_MAX_INPUT ((size_t)16 << 20)
#define CAIRN_API_MAX_PROOF ((size_t)64 << 20)
/* Bounds of the job fields (docs/service.md). */
#define CAIRN_API_MAX_TIMEOUT_S 86400u
#define CAIRN_API_MAX_PRIORITY 1000

/*
 * Parse a POST /v1/jobs body into req: a JSON object with "program" (64
 * lower-case hex) and optional "input_base64", "max_cycles", "timeout_s"
 * (1..CAIRN_API_MAX_TIMEOUT_S), "security" (100 or 128), "priority"
 * (-1000..1000); any other key is an error.  *input receives the decoded
 * input (malloc'd, owned by the caller; req->input points into it).
 */
cairn_status cairn_api_parse_job(const char *body, size_t len, cairn_job_request *req,
                                 uint8_t **input, cairn_error *err);

/*
 * Parse a POST /v1/verify body: {"program": digest, "proof_base64": ...}.
 * *proof is malloc'd (owned by the caller).
 */
cairn_status cairn_api_parse_verify(const char *body, size_t len,
                                    char program[CAIRN_DIGEST_HEX_LEN + 1], uint8_t **proof,
                                    size_t *proof_len, cairn_error *err);

/*
 * Parse the query of GET /v1/jobs: state (a state name, or empty for any:
 * *state = -1), limit (1..500, default 50), after (empty or a job id).
 * Any argument may be NULL (absent).
 */
cairn_status cairn_api_parse_list(const char *state_s, const char *limit_s, const char *after_s,
                                  int *state, size_t *limit, char after[CAIRN_JOB_ID_LEN + 1],
                                  cairn_error *err);

/* Is s exactly n lower-case hex characters? */
int cairn_api_is_hex(const char *s, size_t n);

/* ---- views ----------------------------------------------------------------------------------- */

/*
 * The JSON view of a job (docs/service.md): id, state, stage, progress,
 * attempts, error, error_code, times, and "proof" when it succeeded (the
 * fields of cairn prove --json that the contract names, read from the
 * stored result), plus "attempt_log" when attempts are given.  NULL when
 * out of memory.
 */
json_t *cairn_api_job_json(const cairn_job *j, const cairn_job_attempt *a, size_t na);

/* ---- child processes ------------------------------------------------------------------------- */

typedef struct {
    const char *const *argv;  /* argv[0] is the program to execute, NULL-terminated */
    const char *out_path;     /* the child's stdout and stderr go to these files */
    const char *err_path;
    uint64_t mem_limit;       /* RLIMIT_AS in bytes; 0 for none */
    double timeout_s;         /* 0 for none */
    double grace_s;           /* SIGTERM to SIGKILL */
    /* Polled while waiting: non-zero stops the child as cancelled. */
    int (*should_stop)(void *ctx);
    void *ctx;
    /* Called with the child's pid once it runs (for tests and logs); optional. */
    void (*started)(void *ctx, pid_t pid);
} cairn_child_spec;

typedef enum {
    CAIRN_CHILD_EXITED,    /* exited by itself with `code` */
    CAIRN_CHILD_SIGNALED,  /* killed by a signal the runner did not send (crash, OOM killer) */
    CAIRN_CHILD_TIMED_OUT, /* stopped by the runner at the timeout */
    CAIRN_CHILD_CANCELLED  /* stopped by the runner because should_stop said so */
} cairn_child_end;

typedef struct {
    cairn_child_end end;
    int code;      /* exit status, or the signal number */
    double secs;   /* wall time */
} cairn_child_result;

/*
 * Start argv[0] with fork+exec (never running service code in the child
 * beyond async-signal-safe calls): it dies with the thread that started
 * it (PR_SET_PDEATHSIG), is the kernel's first OOM victim
 * (oom_score_adj 1000), has the address-space cap, reads /dev/null, and
 * writes to the two files.  Waits for it, stopping it with SIGTERM then
 * SIGKILL on timeout or cancellation.  CAIRN_ERR_IO when it cannot be
 * started.
 */
cairn_status cairn_child_run(const cairn_child_spec *spec, cairn_child_result *res,
                             cairn_error *err);

/* The HTML of the status page (page.c). */
extern const char cairn_status_page[];

/* Read at most max bytes of a file into a malloc'd NUL-terminated string (NULL on failure). */
char *cairn_read_text(const char *path, size_t max);

#endif
