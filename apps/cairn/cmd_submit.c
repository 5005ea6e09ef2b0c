/*
 * cmd_submit.c — the service's client (libcurl): `cairn submit
 * PROGRAM.elf [--input FILE] --server URL [--wait] [-o PROOF] [--json]`
 * uploads the program, submits a job and, with --wait, waits for it and
 * downloads the proof; `cairn job ID --server URL [-o PROOF] [--json]`
 * shows one job.  A finished proof is summarised exactly as `cairn prove`
 * summarises one (the same lines, the same --json keys), from what the
 * service recorded; a downloaded proof is checked against the recorded
 * SHA-256 before it is written (atomically).  docs/service.md, docs/cli.md.
 */
#include <curl/curl.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/file.h"
#include "cairn/service.h"
#include "cairn/sha256.h"
#include "cairn/vm.h"
#include "cli.h"

void cmd_submit_help(FILE *out)
{
    fprintf(out,
            "usage: cairn submit PROGRAM.elf --server URL [--input FILE] [--wait] [-o PROOF]\n"
            "                    [--security 100|128] [--timeout S] [--max-cycles N]\n"
            "                    [--priority N] [--idempotency-key KEY] [--token-file FILE]\n"
            "                    [--json]\n"
            "\n"
            "Submit a proving job to a `cairn serve` service (docs/service.md).\n"
            "  --server URL      the service, e.g. http://127.0.0.1:8080\n"
            "  --input FILE      bytes the guest reads from fd 0\n"
            "  --wait            wait for the job to finish, download the proof and print the\n"
            "                    summary `cairn prove` prints\n"
            "  -o PROOF          where --wait writes the proof (default: PROGRAM with .proof\n"
            "                    instead of .elf)\n"
            "  --security, --timeout, --max-cycles, --priority  the job's options\n"
            "  --idempotency-key KEY  submit at most once under KEY\n"
            "  --token-file FILE the service's bearer token (first line of FILE)\n"
            "  --json            print one JSON object\n"
            "\n"
            "Without --wait it prints the job id. Exit status: 0 submitted (or proved, with\n"
            "--wait); 1 the job failed, timed out or was cancelled, or the service refused\n"
            "the request; 2 usage; 3 malformed input; 4 I/O error or service unreachable.\n");
}

void cmd_job_help(FILE *out)
{
    fprintf(out,
            "usage: cairn job ID --server URL [-o PROOF] [--token-file FILE] [--json]\n"
            "\n"
            "Show one job of a `cairn serve` service: its state and, when it succeeded, the\n"
            "summary `cairn prove` prints; -o downloads the proof.  --json prints the\n"
            "service's JSON view of the job.\n"
            "\n"
            "Exit status: 0 the job exists (whatever its state); 1 not found or refused;\n"
            "2 usage; 4 I/O error or service unreachable.\n");
}

/* ---- HTTP ------------------------------------------------------------------------------------ */

struct buf {
    char *p;
    size_t len, cap;
};

/* libcurl's write callback: append, with the largest proof as the bound. */
static size_t on_data(char *data, size_t size, size_t n, void *ctx)
{
    struct buf *b = ctx;
    size_t k = size * n;
    if (k > CAIRN_ELF_MAX_FILE * 4 - b->len)
        return 0;
    if (b->len + k + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 4096;
        while (nc < b->len + k + 1)
            nc *= 2;
        char *q = realloc(b->p, nc);
        if (q == NULL)
            return 0;
        b->p = q;
        b->cap = nc;
    }
    memcpy(b->p + b->len, data, k);
    b->len += k;
    b->p[b->len] = '\0';
    return k;
}

struct client {
    const char *server;
    const char *token;
};

/*
 * One request: method on server + path, optional body; *status is the
 * HTTP status and resp the body.  CLI_EXIT_IO (printed) when the service
 * cannot be reached.
 */
static int http(const struct client *cl, const char *method, const char *path,
                const void *body, size_t len, const char *type, const char *extra_header,
                long *status, struct buf *resp)
{
    CURL *h = curl_easy_init();
    if (h == NULL) {
        cli_error("cannot initialise libcurl");
        return CLI_EXIT_INTERNAL;
    }
    char url[2048], auth[4200], ct[128];
    snprintf(url, sizeof url, "%s%s", cl->server, path);
    struct curl_slist *hd = NULL;
    if (cl->token != NULL) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", cl->token);
        hd = curl_slist_append(hd, auth);
    }
    if (type != NULL) {
        snprintf(ct, sizeof ct, "Content-Type: %s", type);
        hd = curl_slist_append(hd, ct);
    }
    if (extra_header != NULL)
        hd = curl_slist_append(hd, extra_header);
    hd = curl_slist_append(hd, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, resp);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 600L);
    if (body != NULL) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    CURLcode r = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(hd);
    curl_easy_cleanup(h);
    if (r != CURLE_OK) {
        cli_error("%s: %s", url, curl_easy_strerror(r));
        return CLI_EXIT_IO;
    }
    return CLI_EXIT_OK;
}

/* Print the service's error body ({"error": {"code", "message"}}) and return the exit status. */
static int http_error(const char *what, long status, const struct buf *resp)
{
    json_t *v = resp->p ? json_loads(resp->p, 0, NULL) : NULL;
    json_t *e = json_object_get(v, "error");
    const char *msg = json_string_value(json_object_get(e, "message"));
    const char *code = json_string_value(json_object_get(e, "code"));
    cli_error("%s: HTTP %ld%s%s%s%s", what, status, code ? " " : "", code ? code : "",
              msg ? ": " : "", msg ? msg : "");
    json_decref(v);
    return status == 413 ? CLI_EXIT_LIMIT : status == 400 ? CLI_EXIT_INPUT : CLI_EXIT_FAILED;
}

/* ---- output ---------------------------------------------------------------------------------- */

/* An integer field of a JSON object (0 when absent). */
static json_int_t jint(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/*
 * The summary of a succeeded job, in the words and keys of `cairn prove`:
 * three lines, or one JSON object with the job's id, state and mode added.
 */
static void print_summary(json_t *job, const char *proof_path, int json)
{
    json_t *p = json_object_get(job, "proof");
    const char *sha = json_string_value(json_object_get(p, "sha256"));
    double ms = json_number_value(json_object_get(p, "prove_ms"));
    if (!json) {
        printf("proved %" JSON_INTEGER_FORMAT " cycles (exit code %" JSON_INTEGER_FORMAT
               ", %" JSON_INTEGER_FORMAT " rows, %" JSON_INTEGER_FORMAT " bytes of output) in "
               "%.3f s: %" JSON_INTEGER_FORMAT "-byte proof written to %s\n",
               jint(p, "cycles"), jint(p, "exit_code"), jint(p, "trace_rows"),
               jint(p, "output_len"), ms / 1e3, jint(p, "size_bytes"),
               proof_path ? proof_path : "(not downloaded)");
        printf("proof sha256 %s\n", sha ? sha : "");
        printf("security %" JSON_INTEGER_FORMAT " bits (proven; target %" JSON_INTEGER_FORMAT
               ")\n",
               jint(p, "security_bits"), jint(job, "security"));
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "proof_file", proof_path ? json_string(proof_path) : json_null());
    json_object_set(o, "proof_hash", json_object_get(p, "sha256"));
    json_object_set(o, "proof_size_bytes", json_object_get(p, "size_bytes"));
    json_object_set(o, "prove_ms", json_object_get(p, "prove_ms"));
    static const char *const same[] = {"cycles", "trace_rows", "security_bits", "exit_code",
                                       "output_len", "output_hex", "program_digest", "mode"};
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        json_t *v = json_object_get(p, same[i]);
        if (v != NULL)
            json_object_set(o, same[i], v);
    }
    json_object_set(o, "job_id", json_object_get(job, "id"));
    json_object_set(o, "state", json_object_get(job, "state"));
    json_object_set(o, "attempts", json_object_get(job, "attempts"));
    char *s = json_dumps(o, JSON_COMPACT);
    if (s != NULL)
        printf("%s\n", s);
    free(s);
    json_decref(o);
}

/* GET the job; *job receives the parsed view (caller decrefs). */
static int get_job(const struct client *cl, const char *id, json_t **job)
{
    char path[128];
    struct buf resp = {0};
    long status = 0;
    snprintf(path, sizeof path, "/v1/jobs/%.64s", id);
    int rc = http(cl, "GET", path, NULL, 0, NULL, NULL, &status, &resp);
    if (rc == CLI_EXIT_OK && status != 200)
        rc = http_error("job", status, &resp);
    if (rc == CLI_EXIT_OK && (*job = json_loads(resp.p ? resp.p : "", 0, NULL)) == NULL) {
        cli_error("job %s: the service sent invalid JSON", id);
        rc = CLI_EXIT_IO;
    }
    free(resp.p);
    return rc;
}

/* Download the proof, check it against the recorded SHA-256, write it atomically. */
static int download(const struct client *cl, json_t *job, const char *out_path)
{
    const char *id = json_string_value(json_object_get(job, "id"));
    const char *want = json_string_value(json_object_get(json_object_get(job, "proof"), "sha256"));
    char path[128], hex[2 * CAIRN_SHA256_BYTES + 1];
    struct buf resp = {0};
    long status = 0;
    snprintf(path, sizeof path, "/v1/jobs/%.64s/proof", id ? id : "");
    int rc = http(cl, "GET", path, NULL, 0, NULL, NULL, &status, &resp);
    if (rc == CLI_EXIT_OK && status != 200)
        rc = http_error("proof", status, &resp);
    if (rc == CLI_EXIT_OK) {
        uint8_t d[CAIRN_SHA256_BYTES];
        cairn_sha256(d, resp.p, resp.len);
        for (size_t i = 0; i < sizeof d; i++)
            snprintf(hex + 2 * i, 3, "%02x", d[i]);
        if (want == NULL || strcmp(hex, want) != 0) {
            cli_error("proof of job %s: the downloaded bytes do not match the recorded sha256", id);
            rc = CLI_EXIT_IO;
        }
    }
    if (rc == CLI_EXIT_OK) {
        cairn_error err;
        cairn_error_clear(&err);
        if (cairn_file_write_atomic(out_path, (const uint8_t *)resp.p, resp.len, &err) !=
            CAIRN_OK) {
            cli_error("cannot write the proof: %s", err.msg);
            rc = CLI_EXIT_IO;
        }
    }
    free(resp.p);
    return rc;
}

/* Print a finished job that did not succeed, as an error; exit status 1. */
static int report_failure(json_t *job, int json)
{
    const char *id = json_string_value(json_object_get(job, "id"));
    const char *state = json_string_value(json_object_get(job, "state"));
    const char *e = json_string_value(json_object_get(job, "error"));
    if (json) {
        char *s = json_dumps(job, JSON_COMPACT);
        if (s != NULL)
            printf("%s\n", s);
        free(s);
    }
    cli_error("job %s %s: %s", id ? id : "?", state ? state : "?", e ? e : "no reason given");
    return CLI_EXIT_FAILED;
}

/* Sleep ms milliseconds. */
static void nap(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- commands -------------------------------------------------------------------------------- */

/* Options shared by both commands. */
struct opts {
    const char *server, *token_file, *out, *input, *key, *arg;
    const char *security, *timeout, *max_cycles, *priority;
    int json, wait;
};

/* Parse argv for `cmd`; `submit` selects the options only submit has. */
static int parse_opts(int argc, char **argv, const char *cmd, int submit, struct opts *o)
{
    memset(o, 0, sizeof *o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a))
            return -1;
        if (strcmp(a, "--json") == 0) {
            o->json = 1;
            continue;
        }
        if (submit && strcmp(a, "--wait") == 0) {
            o->wait = 1;
            continue;
        }
        const char **dst = NULL;
        if (strcmp(a, "--server") == 0)
            dst = &o->server;
        else if (strcmp(a, "--token-file") == 0)
            dst = &o->token_file;
        else if (strcmp(a, "-o") == 0)
            dst = &o->out;
        else if (submit && strcmp(a, "--input") == 0)
            dst = &o->input;
        else if (submit && strcmp(a, "--idempotency-key") == 0)
            dst = &o->key;
        else if (submit && strcmp(a, "--security") == 0)
            dst = &o->security;
        else if (submit && strcmp(a, "--timeout") == 0)
            dst = &o->timeout;
        else if (submit && strcmp(a, "--max-cycles") == 0)
            dst = &o->max_cycles;
        else if (submit && strcmp(a, "--priority") == 0)
            dst = &o->priority;
        if (dst != NULL) {
            if (i + 1 >= argc)
                return cli_usage_error(cmd, "option '%s' needs a value", a);
            *dst = argv[++i];
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(cmd, "unknown option '%s'", a);
        } else if (o->arg == NULL) {
            o->arg = a;
        } else {
            return cli_usage_error(cmd, "unexpected argument '%s'", a);
        }
    }
    if (o->arg == NULL)
        return cli_usage_error(cmd, submit ? "missing PROGRAM.elf" : "missing job ID");
    if (o->server == NULL)
        return cli_usage_error(cmd, "missing --server URL");
    return CLI_EXIT_OK;
}

/* A numeric option into the job object, as an integer. */
static int set_num(json_t *job, const char *key, const char *v, long long lo, long long hi)
{
    if (v == NULL)
        return CLI_EXIT_OK;
    long long x;
    uint64_t u;
    char *end;
    /* non-negative counts take K, M, G suffixes, as everywhere in the CLI */
    if (lo >= 0 && cli_parse_size(v, &u) && u <= (uint64_t)hi)
        x = (long long)u;
    else if (lo >= 0 || (x = strtoll(v, &end, 10), *v == '\0' || *end != '\0'))
        return cli_usage_error("submit", "--%s '%s': expected %lld to %lld", key, v, lo, hi);
    if (x < lo || x > hi)
        return cli_usage_error("submit", "--%s '%s': expected %lld to %lld", key, v, lo, hi);
    json_object_set_new(job, key, json_integer(x));
    return CLI_EXIT_OK;
}

/* Poll a job until it is terminal (backing off from 100 ms to 1 s). */
static int wait_job(const struct client *cl, const char *id, json_t **job)
{
    long delay = 100;
    for (;;) {
        int rc = get_job(cl, id, job);
        if (rc != CLI_EXIT_OK)
            return rc;
        const char *st = json_string_value(json_object_get(*job, "state"));
        if (st != NULL && strcmp(st, "queued") != 0 && strcmp(st, "running") != 0)
            return CLI_EXIT_OK;
        json_decref(*job);
        *job = NULL;
        nap(delay);
        if (delay < 1000)
            delay = delay * 3 / 2;
    }
}

/*
 * Upload the program (POST /v1/programs), submit the job (POST
 * /v1/jobs), then either print the id or wait, download and summarise.
 */
int cmd_submit(int argc, char **argv)
{
    struct opts o;
    int rc = parse_opts(argc, argv, "submit", 1, &o);
    if (rc < 0) {
        cmd_submit_help(stdout);
        return CLI_EXIT_OK;
    }
    if (rc != CLI_EXIT_OK)
        return rc;
    char *token = NULL, *def_out = NULL, *body = NULL, *b64 = NULL;
    uint8_t *elf = NULL, *input = NULL;
    size_t elf_len = 0, input_len = 0;
    json_t *req = json_object(), *job = NULL, *v = NULL;
    struct buf resp = {0};
    long status = 0;
    cairn_error err;
    cairn_error_clear(&err);
    struct client cl = {o.server, NULL};
    if ((rc = set_num(req, "security", o.security, 100, 128)) != CLI_EXIT_OK ||
        (rc = set_num(req, "timeout_s", o.timeout, 1, 86400)) != CLI_EXIT_OK ||
        (rc = set_num(req, "max_cycles", o.max_cycles, 1, 1LL << 28)) != CLI_EXIT_OK ||
        (rc = set_num(req, "priority", o.priority, -1000, 1000)) != CLI_EXIT_OK)
        goto out;
    if (o.token_file != NULL && (rc = cli_read_token(o.token_file, &token)) != CLI_EXIT_OK)
        goto out;
    cl.token = token;
    cairn_status st = cli_read_file(o.arg, CAIRN_ELF_MAX_FILE, &elf, &elf_len, &err);
    if (st == CAIRN_OK && o.input != NULL)
        st = cli_read_file(o.input, (size_t)16 << 20, &input, &input_len, &err);
    if (st != CAIRN_OK) {
        cli_error("%s", err.msg);
        rc = cli_exit_for_status(st);
        goto out;
    }
    if ((rc = http(&cl, "POST", "/v1/programs", elf, elf_len, "application/octet-stream", NULL,
                   &status, &resp)) != CLI_EXIT_OK)
        goto out;
    if (status != 200 && status != 201) {
        rc = http_error(o.arg, status, &resp);
        goto out;
    }
    v = json_loads(resp.p ? resp.p : "", 0, NULL);
    json_t *digest = json_object_get(v, "digest");
    if (!json_is_string(digest)) {
        cli_error("the service sent no program digest");
        rc = CLI_EXIT_IO;
        goto out;
    }
    json_object_set(req, "program", digest);
    if (input_len > 0) {
        if ((b64 = cairn_base64_encode(input, input_len)) == NULL) {
            cli_error("out of memory");
            rc = CLI_EXIT_LIMIT;
            goto out;
        }
        json_object_set_new(req, "input_base64", json_string(b64));
    }
    body = json_dumps(req, JSON_COMPACT);
    free(resp.p);
    memset(&resp, 0, sizeof resp);
    char keyh[300];
    if (o.key != NULL)
        snprintf(keyh, sizeof keyh, "Idempotency-Key: %.200s", o.key);
    if ((rc = http(&cl, "POST", "/v1/jobs", body, body ? strlen(body) : 0, "application/json",
                   o.key ? keyh : NULL, &status, &resp)) != CLI_EXIT_OK)
        goto out;
    if (status != 200 && status != 201) {
        rc = http_error("submit", status, &resp);
        goto out;
    }
    json_decref(v);
    v = json_loads(resp.p ? resp.p : "", 0, NULL);
    const char *id = json_string_value(json_object_get(v, "id"));
    if (id == NULL) {
        cli_error("the service sent no job id");
        rc = CLI_EXIT_IO;
        goto out;
    }
    if (!o.wait) {
        if (o.json)
            printf("{\"id\": \"%s\"}\n", id);
        else
            printf("submitted job %s\n", id);
        goto out;
    }
    if ((rc = wait_job(&cl, id, &job)) != CLI_EXIT_OK)
        goto out;
    if (strcmp(json_string_value(json_object_get(job, "state")), "succeeded") != 0) {
        rc = report_failure(job, o.json);
        goto out;
    }
    const char *out_path = o.out;
    if (out_path == NULL && (out_path = def_out = cli_default_proof_path(o.arg)) == NULL) {
        cli_error("out of memory");
        rc = CLI_EXIT_LIMIT;
        goto out;
    }
    if ((rc = download(&cl, job, out_path)) != CLI_EXIT_OK)
        goto out;
    print_summary(job, out_path, o.json);
out:
    json_decref(req);
    json_decref(job);
    json_decref(v);
    free(resp.p);
    free(body);
    free(b64);
    free(elf);
    free(input);
    free(def_out);
    free(token);
    return rc;
}

/* GET one job; print its state (and summary when it succeeded), or its JSON view. */
int cmd_job(int argc, char **argv)
{
    struct opts o;
    int rc = parse_opts(argc, argv, "job", 0, &o);
    if (rc < 0) {
        cmd_job_help(stdout);
        return CLI_EXIT_OK;
    }
    if (rc != CLI_EXIT_OK)
        return rc;
    char *token = NULL;
    json_t *job = NULL;
    struct client cl = {o.server, NULL};
    if (o.token_file != NULL && (rc = cli_read_token(o.token_file, &token)) != CLI_EXIT_OK)
        return rc;
    cl.token = token;
    if ((rc = get_job(&cl, o.arg, &job)) != CLI_EXIT_OK)
        goto out;
    const char *state = json_string_value(json_object_get(job, "state"));
    int ok = state != NULL && strcmp(state, "succeeded") == 0;
    if (ok && o.out != NULL && (rc = download(&cl, job, o.out)) != CLI_EXIT_OK)
        goto out;
    if (o.json) {
        char *s = json_dumps(job, JSON_COMPACT);
        if (s != NULL)
            printf("%s\n", s);
        free(s);
        goto out;
    }
    const char *e = json_string_value(json_object_get(job, "error"));
    printf("job %s: %s (attempts %" JSON_INTEGER_FORMAT ")%s%s\n", o.arg, state ? state : "?",
           jint(job, "attempts"), e ? ": " : "", e ? e : "");
    if (ok)
        print_summary(job, o.out, 0);
out:
    json_decref(job);
    free(token);
    return rc;
}
