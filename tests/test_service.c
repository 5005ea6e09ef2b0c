/*
 * test_service.c — the proving service's parts in process: base64 against
 * a bit-by-bit reference, routes, the JSON request parsers and their
 * documented errors, the job store (SQLite) against a plain in-memory
 * model of the claim queue, migrations, the attempt guard, recovery and
 * purging, the child runner (exit, crash, timeout, cancellation), and the
 * fuzz target fuzz/fuzz_service_request.c on mutated valid requests and
 * random bytes.  The HTTP server itself is tested end to end by
 * tests/service_test.sh.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/service/service_internal.h"
#include "../src/service/store_internal.h"
#include "cairn/store.h"
#include "harness.h"
#include "tests.h"

int cairn_fuzz_service_request(const uint8_t *data, size_t len);

/* ---- base64 ---------------------------------------------------------------------------------- */

/* The reference: emit 6 bits at a time from the bit string, then pad to 4. */
static char *b64_slow(const uint8_t *b, size_t n)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *s = malloc(4 * (n / 3 + 1) + 1);
    size_t o = 0, bits = 8 * n;
    for (size_t i = 0; i < bits; i += 6) {
        unsigned v = 0;
        for (size_t k = 0; k < 6; k++) {
            size_t j = i + k;
            unsigned bit = j < bits ? ((unsigned)b[j / 8] >> (7 - j % 8)) & 1u : 0u;
            v = v << 1 | bit;
        }
        s[o++] = t[v];
    }
    while (o % 4 != 0)
        s[o++] = '=';
    s[o] = '\0';
    return s;
}

static void service_base64_vs_reference(void)
{
    for (unsigned long it = 0; it < test_iters; it++) {
        size_t n = (size_t)test_rand_below(40);
        uint8_t b[40];
        test_rand_bytes(b, n);
        char *want = b64_slow(b, n);
        char *got = cairn_base64_encode(b, n);
        CHECK(got != NULL && strcmp(got, want) == 0);
        uint8_t *back = NULL;
        size_t back_len = 0;
        CHECK(cairn_base64_decode(&back, &back_len, want, strlen(want), 40, NULL) == CAIRN_OK);
        CHECK(back_len == n && (n == 0 || memcmp(back, b, n) == 0));
        free(back);
        free(got);
        free(want);
    }
}

static void service_base64_errors(void)
{
    static const char *const bad[] = {"A", "AB=", "A===", "====", "AB=C", "AB*C", "ABC\n",
                                      "AB==AAAA", "QR==", "QUJ=", " AAA"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint8_t *b = NULL;
        size_t n = 0;
        cairn_error err;
        cairn_error_clear(&err);
        if (!CHECK(cairn_base64_decode(&b, &n, bad[i], strlen(bad[i]), 100, &err) ==
                   CAIRN_ERR_PARSE))
            printf("    accepted '%s'\n", bad[i]);
        CHECK(b == NULL && err.msg[0] != '\0');
    }
    uint8_t *b = NULL;
    size_t n = 0;
    CHECK(cairn_base64_decode(&b, &n, "QUJD", 4, 2, NULL) == CAIRN_ERR_LIMIT);
    CHECK(cairn_base64_decode(&b, &n, "QUJD", 4, 3, NULL) == CAIRN_OK && n == 3);
    CHECK(b != NULL && memcmp(b, "ABC", 3) == 0);
    free(b);
    CHECK(cairn_base64_decode(&b, &n, "QQ==", 4, 3, NULL) == CAIRN_OK && n == 1 && b[0] == 'A');
    free(b);
}

/* ---- routes and bodies ----------------------------------------------------------------------- */

static void service_routes(void)
{
    static const struct {
        const char *method, *path;
        int code;
        cairn_route route;
    } cases[] = {
        {"GET", "/", 200, CAIRN_ROUTE_INDEX},
        {"POST", "/", 405, CAIRN_ROUTE_INDEX},
        {"GET", "/healthz", 200, CAIRN_ROUTE_HEALTHZ},
        {"GET", "/metrics", 200, CAIRN_ROUTE_METRICS},
        {"POST", "/v1/programs", 200, CAIRN_ROUTE_PROGRAMS},
        {"GET", "/v1/programs", 405, CAIRN_ROUTE_PROGRAMS},
        {"POST", "/v1/jobs", 200, CAIRN_ROUTE_JOBS_POST},
        {"GET", "/v1/jobs", 200, CAIRN_ROUTE_JOBS_LIST},
        {"DELETE", "/v1/jobs", 405, CAIRN_ROUTE_JOBS_LIST},
        {"GET", "/v1/jobs/0123456789abcdef0123456789abcdef", 200, CAIRN_ROUTE_JOB_GET},
        {"DELETE", "/v1/jobs/0123456789abcdef0123456789abcdef", 200, CAIRN_ROUTE_JOB_DELETE},
        {"GET", "/v1/jobs/0123456789abcdef0123456789abcdef/proof", 200, CAIRN_ROUTE_JOB_PROOF},
        {"DELETE", "/v1/jobs/0123456789abcdef0123456789abcdef/proof", 405, CAIRN_ROUTE_JOB_PROOF},
        {"POST", "/v1/verify", 200, CAIRN_ROUTE_VERIFY},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cairn_route r = CAIRN_ROUTE_INDEX;
        char id[CAIRN_JOB_ID_LEN + 1];
        int code = cairn_api_route(cases[i].method, cases[i].path, &r, id);
        if (!CHECK(code == cases[i].code && r == cases[i].route))
            printf("    %s %s: %d route %d\n", cases[i].method, cases[i].path, code, (int)r);
    }
    static const char *const missing[] = {"/v1", "/v1/jobs/", "/v1/jobs/0123",
                                          "/v1/jobs/0123456789ABCDEF0123456789abcdef",
                                          "/v1/jobs/0123456789abcdef0123456789abcdef0",
                                          "/v1/jobs/0123456789abcdef0123456789abcdef/x",
                                          "/healthz/", "//", ""};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        cairn_route r;
        char id[CAIRN_JOB_ID_LEN + 1];
        if (!CHECK(cairn_api_route("GET", missing[i], &r, id) == 404))
            printf("    '%s' routed\n", missing[i]);
    }
}

#define DIGEST "5afc7b0d96b4efdf2a1dd14a6190db1ba769c0c41d7a7238c647c38176a3cbf4"

static void service_parse_job(void)
{
    cairn_job_request req;
    uint8_t *input = NULL;
    const char *full = "{\"program\": \"" DIGEST "\", \"input_base64\": \"aGk=\", \"max_cycles\": "
                       "1000, \"timeout_s\": 30, \"security\": 128, \"priority\": -7}";
    CHECK(cairn_api_parse_job(full, strlen(full), &req, &input, NULL) == CAIRN_OK);
    CHECK(strcmp(req.program, DIGEST) == 0 && req.input_len == 2 && req.input == input &&
          memcmp(input, "hi", 2) == 0);
    CHECK(req.max_cycles == 1000 && req.timeout_s == 30 && req.security == 128 &&
          req.priority == -7);
    free(input);
    const char *min = "{\"program\": \"" DIGEST "\"}";
    CHECK(cairn_api_parse_job(min, strlen(min), &req, &input, NULL) == CAIRN_OK);
    CHECK(input == NULL && req.input_len == 0 && req.max_cycles == 0 && req.timeout_s == 0 &&
          req.security == 100 && req.priority == 0);
    static const char *const bad[] = {
        "", "null", "[]", "{", "{\"program\": 5}", "{\"program\": \"" DIGEST "0\"}",
        "{\"program\": \"5AFC7B0D96B4EFDF2A1DD14A6190DB1BA769C0C41D7A7238C647C38176A3CBF4\"}",
        "{\"program\": \"" DIGEST "\", \"extra\": 1}",
        "{\"program\": \"" DIGEST "\", \"security\": 101}",
        "{\"program\": \"" DIGEST "\", \"security\": \"100\"}",
        "{\"program\": \"" DIGEST "\", \"timeout_s\": 86401}",
        "{\"program\": \"" DIGEST "\", \"max_cycles\": 268435457}",
        "{\"program\": \"" DIGEST "\", \"max_cycles\": -1}",
        "{\"program\": \"" DIGEST "\", \"max_cycles\": 1.5}",
        "{\"program\": \"" DIGEST "\", \"priority\": 1001}",
        "{\"program\": \"" DIGEST "\", \"input_base64\": \"aGk\"}",
        "{\"program\": \"" DIGEST "\", \"input_base64\": 7}",
        "{\"program\": \"" DIGEST "\", \"program\": \"" DIGEST "\"}",
        "{\"program\": \"" DIGEST "\"} trailing",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cairn_error err;
        cairn_error_clear(&err);
        if (!CHECK(cairn_api_parse_job(bad[i], strlen(bad[i]), &req, &input, &err) ==
                   CAIRN_ERR_PARSE))
            printf("    accepted %s\n", bad[i]);
        CHECK(input == NULL && err.msg[0] != '\0');
    }
    char prog[CAIRN_DIGEST_HEX_LEN + 1];
    uint8_t *proof = NULL;
    size_t proof_len = 0;
    const char *v = "{\"program\": \"" DIGEST "\", \"proof_base64\": \"AAEC\"}";
    CHECK(cairn_api_parse_verify(v, strlen(v), prog, &proof, &proof_len, NULL) == CAIRN_OK);
    CHECK(proof_len == 3 && proof[0] == 0 && proof[1] == 1 && proof[2] == 2);
    free(proof);
    const char *nv = "{\"program\": \"" DIGEST "\"}";
    CHECK(cairn_api_parse_verify(nv, strlen(nv), prog, &proof, &proof_len, NULL) ==
          CAIRN_ERR_PARSE);
}

static void service_parse_list(void)
{
    int state;
    size_t limit;
    char after[CAIRN_JOB_ID_LEN + 1];
    CHECK(cairn_api_parse_list(NULL, NULL, NULL, &state, &limit, after, NULL) == CAIRN_OK);
    CHECK(state == -1 && limit == 50 && after[0] == '\0');
    CHECK(cairn_api_parse_list("timed_out", "500", "0123456789abcdef0123456789abcdef", &state,
                               &limit, after, NULL) == CAIRN_OK);
    CHECK(state == CAIRN_JOB_TIMED_OUT && limit == 500 &&
          strcmp(after, "0123456789abcdef0123456789abcdef") == 0);
    static const char *const limits[] = {"0", "501", "-1", "+5", "5x", "", "99999999999"};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++)
        CHECK(cairn_api_parse_list(NULL, limits[i], NULL, &state, &limit, after, NULL) ==
              CAIRN_ERR_PARSE);
    CHECK(cairn_api_parse_list("done", NULL, NULL, &state, &limit, after, NULL) == CAIRN_ERR_PARSE);
    CHECK(cairn_api_parse_list(NULL, NULL, "abc", &state, &limit, after, NULL) == CAIRN_ERR_PARSE);
}

/* ---- the store ------------------------------------------------------------------------------- */

/* A fresh store in a temporary directory, with the program DIGEST recorded; *dir is freed by store_done. */
static cairn_store *store_new(char **dir, char *path, size_t cap)
{
    char tmpl[] = "/tmp/cairn-store-XXXXXX";
    char *d = mkdtemp(tmpl);
    if (!CHECK(d != NULL))
        return NULL;
    *dir = strdup(d);
    snprintf(path, cap, "%s/jobs.db", d);
    cairn_store *s = NULL;
    cairn_error err;
    cairn_error_clear(&err);
    if (!CHECK(cairn_store_open_sqlite(&s, path, &err) == CAIRN_OK))
        printf("    %s\n", err.msg);
    if (s != NULL)
        CHECK(cairn_store_program_put(s, DIGEST, NULL, 10, NULL) == CAIRN_OK);
    return s;
}

static void store_done(cairn_store *s, char *dir)
{
    cairn_store_free(s);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    free(dir);
}

static cairn_job_request request(int32_t priority)
{
    cairn_job_request r;
    memset(&r, 0, sizeof r);
    memcpy(r.program, DIGEST, sizeof r.program);
    r.security = 100;
    r.timeout_s = 60;
    r.priority = priority;
    return r;
}

/*
 * Claims follow the model: the highest priority first, the oldest among
 * equals; every job is claimed once; attempts count; outcomes only from
 * the current attempt.
 */
static void store_claim_order_vs_model(void)
{
    char *dir = NULL, path[512];
    cairn_store *s = store_new(&dir, path, sizeof path);
    if (s == NULL)
        return;
    CHECK(cairn_store_schema_version(s) == 2);
    CHECK(cairn_store_program_put(s, DIGEST, NULL, 10, NULL) == CAIRN_OK);
    CHECK(cairn_store_program_put(s, DIGEST, NULL, 10, NULL) == CAIRN_OK);
    int found = 0;
    CHECK(cairn_store_program_exists(s, DIGEST, &found, NULL) == CAIRN_OK && found == 1);
    enum { N = 24 };
    char ids[N][CAIRN_JOB_ID_LEN + 1];
    int32_t prio[N];
    int taken[N] = {0};
    for (int i = 0; i < N; i++) {
        prio[i] = (int32_t)test_rand_below(4) - 1;
        cairn_job_request r = request(prio[i]);
        uint8_t in[3] = {1, 2, (uint8_t)i};
        r.input = in;
        r.input_len = i % 2 ? 3 : 0;
        int existing = 1;
        CHECK(cairn_store_job_create(s, &r, NULL, 0, ids[i], &existing, NULL) == CAIRN_OK);
        CHECK(existing == 0 && cairn_api_is_hex(ids[i], CAIRN_JOB_ID_LEN));
    }
    for (int k = 0; k < N; k++) {
        int want = -1;
        for (int i = 0; i < N; i++)
            if (!taken[i] && (want < 0 || prio[i] > prio[want]))
                want = i;
        cairn_job j;
        int got = 0;
        memset(&j, 0, sizeof j);
        CHECK(cairn_store_job_claim(s, "w", 60, &j, &got, NULL) == CAIRN_OK && got == 1);
        if (!CHECK(strcmp(j.id, ids[want]) == 0))
            break;
        taken[want] = 1;
        CHECK(j.state == CAIRN_JOB_RUNNING && j.attempts == 1 && j.priority == prio[want]);
        CHECK(j.input_len == (want % 2 ? 3u : 0u));
        uint8_t *in = NULL;
        size_t in_len = 0;
        CHECK(cairn_store_job_input(s, j.id, &in, &in_len, NULL) == CAIRN_OK);
        CHECK(in_len == j.input_len && (in_len == 0 || in[2] == (uint8_t)want));
        free(in);
        /* a stale attempt is refused, the current one accepted once */
        cairn_job_outcome o = {CAIRN_JOB_SUCCEEDED, "", "", "f.proof", DIGEST, 5, 1.5, "m", "{}",
                               NULL, NULL, 0};
        int applied = 1;
        CHECK(cairn_store_job_finish(s, j.id, 2, &o, &applied, NULL) == CAIRN_OK && !applied);
        CHECK(cairn_store_job_finish(s, j.id, 1, &o, &applied, NULL) == CAIRN_OK && applied);
        CHECK(cairn_store_job_finish(s, j.id, 1, &o, &applied, NULL) == CAIRN_OK && !applied);
        cairn_job_clear(&j);
    }
    cairn_job j;
    int got = 1;
    CHECK(cairn_store_job_claim(s, "w", 60, &j, &got, NULL) == CAIRN_OK && got == 0);
    cairn_store_stats st;
    CHECK(cairn_store_stats_get(s, &st, NULL) == CAIRN_OK);
    CHECK(st.by_state[CAIRN_JOB_SUCCEEDED] == N && st.by_state[CAIRN_JOB_QUEUED] == 0);
    CHECK(st.prove_seconds > 0.0015 * N - 1e-9 && st.prove_seconds < 0.0015 * N + 1e-9);
    /* paging: newest first, every job once */
    size_t seen = 0;
    char after[CAIRN_JOB_ID_LEN + 1] = "";
    for (int page = 0; page < 20; page++) {
        cairn_job *list = NULL;
        size_t n = 0;
        CHECK(cairn_store_job_list(s, -1, after, 5, &list, &n, NULL) == CAIRN_OK);
        for (size_t i = 0; i < n; i++) {
            CHECK(strcmp(list[i].id, ids[N - 1 - seen]) == 0);
            seen++;
            cairn_job_clear(&list[i]);
        }
        if (n > 0)
            memcpy(after, list[n - 1].id, sizeof after);
        free(list);
        if (n < 5)
            break;
    }
    CHECK(seen == N);
    store_done(s, dir);
}

static void store_idempotency_queue_cancel(void)
{
    char *dir = NULL, path[512];
    cairn_store *s = store_new(&dir, path, sizeof path);
    if (s == NULL)
        return;
    cairn_job_request r = request(0);
    char a[CAIRN_JOB_ID_LEN + 1], b[CAIRN_JOB_ID_LEN + 1], c[CAIRN_JOB_ID_LEN + 1];
    int existing = 0;
    CHECK(cairn_store_job_create(s, &r, "key", 2, a, &existing, NULL) == CAIRN_OK && !existing);
    CHECK(cairn_store_job_create(s, &r, "key", 2, b, &existing, NULL) == CAIRN_OK && existing);
    CHECK(strcmp(a, b) == 0);
    CHECK(cairn_store_job_create(s, &r, NULL, 2, b, &existing, NULL) == CAIRN_OK && !existing);
    cairn_error err;
    cairn_error_clear(&err);
    CHECK(cairn_store_job_create(s, &r, NULL, 2, c, &existing, &err) == CAIRN_ERR_LIMIT);
    CHECK(strstr(err.msg, "queue full") != NULL);
    /* a known key still answers when the queue is full */
    CHECK(cairn_store_job_create(s, &r, "key", 2, c, &existing, NULL) == CAIRN_OK && existing);
    int prev = 0;
    CHECK(cairn_store_job_cancel(s, b, &prev, NULL) == CAIRN_OK && prev == CAIRN_JOB_QUEUED);
    CHECK(cairn_store_job_cancel(s, b, &prev, NULL) == CAIRN_OK && prev == CAIRN_JOB_CANCELLED);
    CHECK(cairn_store_job_cancel(s, "0123456789abcdef0123456789abcdef", &prev, NULL) ==
              CAIRN_OK &&
          prev == -1);
    /* a running job cancelled: the worker's outcome no longer applies */
    cairn_job j;
    int got = 0;
    memset(&j, 0, sizeof j);
    CHECK(cairn_store_job_claim(s, "w", 60, &j, &got, NULL) == CAIRN_OK && got && strcmp(j.id, a) == 0);
    CHECK(cairn_store_job_cancel(s, a, &prev, NULL) == CAIRN_OK && prev == CAIRN_JOB_RUNNING);
    cairn_job_outcome o = {CAIRN_JOB_SUCCEEDED, "", "", "x", DIGEST, 1, 1, "m", NULL, NULL, NULL, 0};
    int applied = 1, ok = 1;
    CHECK(cairn_store_job_retry(s, a, 1, &ok, NULL) == CAIRN_OK && !ok);
    CHECK(cairn_store_job_finish(s, a, 1, &o, &applied, NULL) == CAIRN_OK && !applied);
    cairn_job_clear(&j);
    int found = 0;
    CHECK(cairn_store_job_get(s, a, &j, &found, NULL) == CAIRN_OK && found);
    CHECK(j.state == CAIRN_JOB_CANCELLED && strcmp(j.error_code, "cancelled") == 0);
    cairn_job_clear(&j);
    store_done(s, dir);
}

/* Recovery after a crash, retries, attempt records, purging, and reopening (migrations kept). */
static void store_recover_retry_purge(void)
{
    char *dir = NULL, path[512];
    cairn_store *s = store_new(&dir, path, sizeof path);
    if (s == NULL)
        return;
    cairn_job_request r = request(0);
    char a[CAIRN_JOB_ID_LEN + 1], b[CAIRN_JOB_ID_LEN + 1];
    int existing, got, found, ok;
    CHECK(cairn_store_job_create(s, &r, NULL, 0, a, &existing, NULL) == CAIRN_OK);
    CHECK(cairn_store_job_create(s, &r, NULL, 0, b, &existing, NULL) == CAIRN_OK);
    cairn_job j;
    memset(&j, 0, sizeof j);
    /* a: claimed and retried (attempt 2); b: claimed once */
    CHECK(cairn_store_job_claim(s, "w", 60, &j, &got, NULL) == CAIRN_OK && got && strcmp(j.id, a) == 0);
    cairn_job_clear(&j);
    CHECK(cairn_store_job_retry(s, a, 1, &ok, NULL) == CAIRN_OK && ok);
    CHECK(cairn_store_job_retry(s, a, 1, &ok, NULL) == CAIRN_OK && !ok);
    cairn_job_attempt at;
    memset(&at, 0, sizeof at);
    at.attempt = 1;
    snprintf(at.mode, sizeof at.mode, "threads=4");
    at.threads = 4;
    snprintf(at.outcome, sizeof at.outcome, "oom");
    CHECK(cairn_store_attempt_record(s, a, &at, NULL) == CAIRN_OK);
    at.attempt = 2;
    snprintf(at.mode, sizeof at.mode, "fallback threads=1");
    CHECK(cairn_store_attempt_record(s, a, &at, NULL) == CAIRN_OK);
    cairn_job_attempt *list = NULL;
    size_t n = 0;
    CHECK(cairn_store_attempt_list(s, a, &list, &n, NULL) == CAIRN_OK && n == 2);
    CHECK(n == 2 && list[0].attempt == 1 && list[1].attempt == 2 &&
          strcmp(list[1].mode, "fallback threads=1") == 0 && list[0].threads == 4);
    free(list);
    CHECK(cairn_store_job_claim(s, "w", 60, &j, &got, NULL) == CAIRN_OK && got && strcmp(j.id, b) == 0);
    cairn_job_clear(&j);
    /* the "crash": reopen, recover with at most 2 attempts: a fails, b is requeued */
    cairn_store_free(s);
    s = NULL;
    CHECK(cairn_store_open_sqlite(&s, path, NULL) == CAIRN_OK);
    if (s == NULL) {
        free(dir);
        return;
    }
    CHECK(cairn_store_schema_version(s) == 2);
    size_t rq = 0, fl = 0;
    CHECK(cairn_store_recover(s, 2, &rq, &fl, NULL) == CAIRN_OK && rq == 1 && fl == 1);
    CHECK(cairn_store_job_get(s, a, &j, &found, NULL) == CAIRN_OK && found);
    CHECK(j.state == CAIRN_JOB_FAILED && strcmp(j.error_code, "interrupted") == 0 &&
          strstr(j.error, "2 attempts") != NULL);
    cairn_job_clear(&j);
    CHECK(cairn_store_job_get(s, b, &j, &found, NULL) == CAIRN_OK && found);
    CHECK(j.state == CAIRN_JOB_QUEUED && j.attempts == 1);
    cairn_job_clear(&j);
    CHECK(cairn_store_job_claim(s, "w", 60, &j, &got, NULL) == CAIRN_OK && got && j.attempts == 2);
    cairn_job_clear(&j);
    /* only the old terminal job is purged, and its proof file reported */
    size_t del = 0;
    CHECK(cairn_store_purge(s, cairn_store_now_ms() + 1000, NULL, NULL, &del, NULL) == CAIRN_OK);
    CHECK(del == 1);
    CHECK(cairn_store_job_get(s, a, &j, &found, NULL) == CAIRN_OK && !found);
    CHECK(cairn_store_job_get(s, b, &j, &found, NULL) == CAIRN_OK && found);
    cairn_job_clear(&j);
    store_done(s, dir);
}

/*
 * Leases on one store: heartbeats and outcomes only from the worker
 * holding an unexpired lease on the current attempt; expiry requeues and
 * closes the attempt; a late worker is refused; release gives a job back;
 * a proof kept in the store is read back; the program's bytes and the
 * input's digest are kept.  Only this test's own jobs are looked at, so it
 * may run against a PostgreSQL database other processes use.
 */
static void store_leases_on(cairn_store *s)
{
    static const uint8_t elf[4] = {0x7f, 'E', 'L', 'F'};
    char d[CAIRN_DIGEST_HEX_LEN + 1];
    cairn_store_sha256_hex(d, elf, sizeof elf);
    CHECK(cairn_store_program_put(s, d, elf, sizeof elf, NULL) == CAIRN_OK);
    CHECK(cairn_store_program_put(s, DIGEST, NULL, 10, NULL) == CAIRN_OK);
    uint8_t *bytes = NULL;
    size_t len = 0;
    int found = 0, existing = 0, got = 0, ok = 0, applied = 1;
    CHECK(cairn_store_program_get(s, d, &bytes, &len, &found, NULL) == CAIRN_OK && found &&
          len == sizeof elf && memcmp(bytes, elf, len) == 0);
    free(bytes);
    cairn_job_request r = request(CAIRN_API_MAX_PRIORITY);
    uint8_t in[5] = {9, 8, 7, 6, 5};
    r.input = in;
    r.input_len = sizeof in;
    char a[CAIRN_JOB_ID_LEN + 1], b[CAIRN_JOB_ID_LEN + 1];
    CHECK(cairn_store_job_create(s, &r, NULL, 0, a, &existing, NULL) == CAIRN_OK);
    cairn_job j;
    memset(&j, 0, sizeof j);
    CHECK(cairn_store_job_claim(s, "w1", 1, &j, &got, NULL) == CAIRN_OK && got);
    if (!CHECK(got && strcmp(j.id, a) == 0)) {
        cairn_job_clear(&j);
        return;
    }
    char want[CAIRN_DIGEST_HEX_LEN + 1];
    cairn_store_sha256_hex(want, in, sizeof in);
    CHECK(strcmp(j.input_sha256, want) == 0 && strcmp(j.worker, "w1") == 0);
    cairn_job_clear(&j);
    CHECK(cairn_store_job_heartbeat(s, a, 1, "w2", 1, &ok, NULL) == CAIRN_OK && !ok);
    CHECK(cairn_store_job_heartbeat(s, a, 1, "w1", 1, &ok, NULL) == CAIRN_OK && ok);
    cairn_job_outcome o = {CAIRN_JOB_SUCCEEDED, "", "", "", DIGEST, 3, 1, "m", "{}",
                           "w2", (const uint8_t *)"prf", 3};
    CHECK(cairn_store_job_finish(s, a, 1, &o, &applied, NULL) == CAIRN_OK && !applied);
    usleep(1300 * 1000); /* the lease of 1 s expires */
    CHECK(cairn_store_job_heartbeat(s, a, 1, "w1", 1, &ok, NULL) == CAIRN_OK && !ok);
    o.worker = "w1";
    CHECK(cairn_store_job_finish(s, a, 1, &o, &applied, NULL) == CAIRN_OK && !applied);
    size_t rq = 0, fl = 0;
    CHECK(cairn_store_expire(s, 3, &rq, &fl, NULL) == CAIRN_OK && rq >= 1);
    CHECK(cairn_store_job_get(s, a, &j, &found, NULL) == CAIRN_OK && found &&
          j.state == CAIRN_JOB_QUEUED && j.attempts == 1);
    cairn_job_clear(&j);
    CHECK(cairn_store_job_claim(s, "w2", 60, &j, &got, NULL) == CAIRN_OK && got &&
          strcmp(j.id, a) == 0 && j.attempts == 2);
    cairn_job_clear(&j);
    /* the late worker of attempt 1 is refused; the holder of attempt 2 is not */
    CHECK(cairn_store_job_finish(s, a, 1, &o, &applied, NULL) == CAIRN_OK && !applied);
    o.worker = "w2";
    CHECK(cairn_store_job_finish(s, a, 2, &o, &applied, NULL) == CAIRN_OK && applied);
    CHECK(cairn_store_job_proof(s, a, &bytes, &len, &found, NULL) == CAIRN_OK && found &&
          len == 3 && memcmp(bytes, "prf", 3) == 0);
    free(bytes);
    cairn_job_attempt *list = NULL;
    size_t n = 0;
    CHECK(cairn_store_attempt_list(s, a, &list, &n, NULL) == CAIRN_OK && n == 2);
    if (n == 2) {
        CHECK(strcmp(list[0].worker, "w1") == 0 && strcmp(list[0].outcome, "lease_expired") == 0);
        CHECK(list[0].finished_ms > 0 && list[1].started_ms >= list[0].finished_ms);
        CHECK(strcmp(list[1].worker, "w2") == 0 && list[1].finished_ms >= list[1].started_ms);
    }
    free(list);
    /* release: only by the holder; the job is queued again and its attempt closed */
    CHECK(cairn_store_job_create(s, &r, NULL, 0, b, &existing, NULL) == CAIRN_OK);
    CHECK(cairn_store_job_claim(s, "w3", 60, &j, &got, NULL) == CAIRN_OK && got &&
          strcmp(j.id, b) == 0);
    cairn_job_clear(&j);
    CHECK(cairn_store_job_release(s, b, 1, "w4", &ok, NULL) == CAIRN_OK && !ok);
    CHECK(cairn_store_job_release(s, b, 1, "w3", &ok, NULL) == CAIRN_OK && ok);
    CHECK(cairn_store_attempt_list(s, b, &list, &n, NULL) == CAIRN_OK && n == 1 &&
          strcmp(list[0].outcome, "released") == 0);
    free(list);
    CHECK(cairn_store_job_claim(s, "w3", 60, &j, &got, NULL) == CAIRN_OK && got &&
          strcmp(j.id, b) == 0 && j.attempts == 2);
    cairn_job_clear(&j);
    int prev;
    CHECK(cairn_store_job_cancel(s, b, &prev, NULL) == CAIRN_OK && prev == CAIRN_JOB_RUNNING);
    CHECK(cairn_store_job_heartbeat(s, b, 2, "w3", 60, &ok, NULL) == CAIRN_OK && !ok);
}

/* Leases on the embedded store. */
static void store_leases(void)
{
    char *dir = NULL, path[512];
    cairn_store *s = store_new(&dir, path, sizeof path);
    if (s == NULL)
        return;
    store_leases_on(s);
    store_done(s, dir);
}

/*
 * Leases on PostgreSQL, when CAIRN_TEST_PG_URL names a database
 * (tests/pg_test.sh sets it for its private cluster); skipped otherwise.
 */
static void store_leases_pg(void)
{
    const char *url = getenv("CAIRN_TEST_PG_URL");
    if (url == NULL || url[0] == '\0')
        return;
    cairn_store *s = NULL;
    cairn_error err;
    cairn_error_clear(&err);
    if (!CHECK(cairn_store_open(&s, url, &err) == CAIRN_OK)) {
        printf("    %s\n", err.msg);
        return;
    }
    CHECK(cairn_store_shared(s) && cairn_store_schema_version(s) == 2);
    store_leases_on(s);
    cairn_store_free(s);
}

/* The store's address: a URL's password is never shown; SQLite paths open as given. */
static void store_urls(void)
{
    char out[128];
    cairn_store_redact("postgres://u:pw@h:5432/db", out, sizeof out);
    CHECK(strcmp(out, "postgres://u:***@h:5432/db") == 0);
    cairn_store_redact("postgresql://u@h/db", out, sizeof out);
    CHECK(strcmp(out, "postgresql://u@h/db") == 0);
    cairn_store_redact("/var/lib/a:b@c/jobs.db", out, sizeof out);
    CHECK(strcmp(out, "/var/lib/a:b@c/jobs.db") == 0);
    CHECK(cairn_store_is_pg_url("postgres://x/y") && cairn_store_is_pg_url("postgresql://x/y"));
    CHECK(!cairn_store_is_pg_url("sqlite:jobs.db") && !cairn_store_is_pg_url("jobs.db"));
    cairn_store *s = NULL;
    cairn_error err;
    cairn_error_clear(&err);
    CHECK(cairn_store_open(&s, "postgres:/nohost", &err) == CAIRN_ERR_ARG && s == NULL);
    CHECK(cairn_store_open(&s, "sqlite:", &err) == CAIRN_ERR_ARG && s == NULL);
}

/* ---- child processes ------------------------------------------------------------------------- */

static int stop_now(void *ctx)
{
    return *(int *)ctx;
}

/* Run sh -c script with the runner; returns the result. */
static cairn_child_result run_sh(const char *script, double timeout, int stop)
{
    const char *argv[] = {"/bin/sh", "-c", script, NULL};
    char out[] = "/tmp/cairn-child-out-XXXXXX", errp[] = "/tmp/cairn-child-err-XXXXXX";
    int fo = mkstemp(out), fe = mkstemp(errp);
    if (fo >= 0)
        close(fo);
    if (fe >= 0)
        close(fe);
    cairn_child_spec spec = {argv, out, errp, 0, timeout, 0.2, stop_now, &stop, NULL};
    cairn_child_result res;
    memset(&res, 0, sizeof res);
    CHECK(cairn_child_run(&spec, &res, NULL) == CAIRN_OK);
    if (strcmp(script, "echo hi") == 0) {
        char *t = cairn_read_text(out, 100);
        CHECK(t != NULL && strcmp(t, "hi\n") == 0);
        free(t);
    }
    unlink(out);
    unlink(errp);
    return res;
}

static void service_child_ends(void)
{
    cairn_child_result r = run_sh("echo hi", 10, 0);
    CHECK(r.end == CAIRN_CHILD_EXITED && r.code == 0);
    r = run_sh("exit 3", 10, 0);
    CHECK(r.end == CAIRN_CHILD_EXITED && r.code == 3);
    r = run_sh("kill -SEGV $$", 10, 0);
    CHECK(r.end == CAIRN_CHILD_SIGNALED && r.code == SIGSEGV);
    r = run_sh("kill -KILL $$", 10, 0);
    CHECK(r.end == CAIRN_CHILD_SIGNALED && r.code == SIGKILL);
    r = run_sh("sleep 20", 0.2, 0);
    CHECK(r.end == CAIRN_CHILD_TIMED_OUT && r.secs < 10);
    /* a child that ignores SIGTERM is killed after the grace period */
    r = run_sh("trap '' TERM; sleep 20", 0.2, 0);
    CHECK(r.end == CAIRN_CHILD_TIMED_OUT && r.code == SIGKILL && r.secs < 10);
    r = run_sh("sleep 20", 10, 1);
    CHECK(r.end == CAIRN_CHILD_CANCELLED && r.secs < 10);
    const char *argv[] = {"/nonexistent/prover", NULL};
    cairn_child_spec spec = {argv, "/tmp/cairn-child-none.out", "/tmp/cairn-child-none.err", 0,
                             5, 0.2, NULL, NULL, NULL};
    CHECK(cairn_child_run(&spec, &r, NULL) == CAIRN_OK && r.end == CAIRN_CHILD_EXITED &&
          r.code == 127);
    unlink("/tmp/cairn-child-none.out");
    unlink("/tmp/cairn-child-none.err");
}

/* ---- the fuzz target ------------------------------------------------------------------------- */

/* Mutations of valid requests for each parser, and random bytes. */
static void service_fuzz_inprocess(void)
{
    static const char *const seeds[] = {
        "\x00GET /v1/jobs/0123456789abcdef0123456789abcdef/proof",
        "\x01{\"program\": \"" DIGEST "\", \"input_base64\": \"aGVsbG8=\", \"max_cycles\": 5, "
        "\"timeout_s\": 9, \"security\": 128, \"priority\": 3}",
        "\x02{\"program\": \"" DIGEST "\", \"proof_base64\": \"AAECAwQ=\"}",
        "\x03SGVsbG8sIHdvcmxkIQ==",
        "\x04succeeded&20&0123456789abcdef0123456789abcdef",
    };
    static const char alphabet[] = "{}[]\":,0123456789abcdef=+/ -.\\eE\x00\xff";
    unsigned long violations = 0;
    for (unsigned long it = 0; it < 10 * test_iters; it++) {
        size_t k = (size_t)test_rand_below(5);
        const char *seed = seeds[k];
        size_t len = 1 + strlen(seed + 1);
        uint8_t b[512];
        memcpy(b, seed, len);
        unsigned m = 1 + (unsigned)test_rand_below(4);
        for (unsigned r = 0; r < m; r++) {
            size_t at = 1 + (size_t)test_rand_below(len > 1 ? len - 1 : 1);
            switch (test_rand_below(4)) {
            case 0: b[at] = (uint8_t)alphabet[test_rand_below(sizeof alphabet - 1)]; break;
            case 1: b[at] = (uint8_t)test_rand_u64(); break;
            case 2: len = at; break; /* truncate */
            default:
                if (len < sizeof b - 1) { /* insert */
                    memmove(b + at + 1, b + at, len - at);
                    b[at] = (uint8_t)alphabet[test_rand_below(sizeof alphabet - 1)];
                    len++;
                }
            }
        }
        if (cairn_fuzz_service_request(b, len) != 0 && violations++ < 5)
            FAIL("fuzz target reported a violation on round %lu (parser %zu, %zu bytes)", it, k,
                 len);
    }
    for (unsigned long it = 0; it < test_iters; it++) {
        uint8_t b[64];
        size_t len = (size_t)test_rand_below(sizeof b);
        test_rand_bytes(b, len);
        if (cairn_fuzz_service_request(b, len) != 0 && violations++ < 5)
            FAIL("fuzz target reported a violation on random input %lu", it);
    }
    CHECK(violations == 0);
    CHECK(cairn_fuzz_service_request(NULL, 0) == 0);
}

const struct test_case test_service_cases[] = {
    TEST(service_base64_vs_reference),
    TEST(service_base64_errors),
    TEST(service_routes),
    TEST(service_parse_job),
    TEST(service_parse_list),
    TEST(store_claim_order_vs_model),
    TEST(store_idempotency_queue_cancel),
    TEST(store_recover_retry_purge),
    TEST(store_leases),
    TEST(store_leases_pg),
    TEST(store_urls),
    TEST(service_child_ends),
    TEST(service_fuzz_inprocess),
    TEST_END,
};
