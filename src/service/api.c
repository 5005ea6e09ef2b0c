/*
 * api.c — the proving service's request boundary (service_internal.h):
 * route matching, the JSON bodies of POST /v1/jobs and POST /v1/verify
 * (parsed by jansson, then checked field by field), base64 (RFC 4648 §4,
 * strict: padding required, no whitespace, canonical final bits), the
 * query of GET /v1/jobs, and the JSON view of a job.  Untrusted bytes stop
 * here: what leaves a parser is typed and within the bounds of
 * docs/service.md.  fuzz/fuzz_service_request.c drives every parser.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/zkvm.h"
#include "service_internal.h"

int cairn_api_is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return s[n] == '\0';
}

/*
 * Paths are matched exactly (no trailing slash, no dot segments, no
 * percent-decoding needed: ids are hex), so there is one spelling of each
 * resource and nothing to normalise.
 */
int cairn_api_route(const char *method, const char *path, cairn_route *route,
                    char id[CAIRN_JOB_ID_LEN + 1])
{
    int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    int post = strcmp(method, "POST") == 0;
    int del = strcmp(method, "DELETE") == 0;
    static const char jobs[] = "/v1/jobs/";
    id[0] = '\0';
    if (strcmp(path, "/") == 0 || strcmp(path, "/index.html") == 0) {
        *route = CAIRN_ROUTE_INDEX;
        return get ? 200 : 405;
    }
    if (strcmp(path, "/healthz") == 0) {
        *route = CAIRN_ROUTE_HEALTHZ;
        return get ? 200 : 405;
    }
    if (strcmp(path, "/metrics") == 0) {
        *route = CAIRN_ROUTE_METRICS;
        return get ? 200 : 405;
    }
    if (strcmp(path, "/v1/programs") == 0) {
        *route = CAIRN_ROUTE_PROGRAMS;
        return post ? 200 : 405;
    }
    if (strcmp(path, "/v1/verify") == 0) {
        *route = CAIRN_ROUTE_VERIFY;
        return post ? 200 : 405;
    }
    if (strcmp(path, "/v1/jobs") == 0) {
        *route = post ? CAIRN_ROUTE_JOBS_POST : CAIRN_ROUTE_JOBS_LIST;
        return post || get ? 200 : 405;
    }
    if (strncmp(path, jobs, sizeof jobs - 1) != 0)
        return 404;
    const char *rest = path + sizeof jobs - 1;
    size_t n = strspn(rest, "0123456789abcdef");
    if (n != CAIRN_JOB_ID_LEN)
        return 404;
    memcpy(id, rest, CAIRN_JOB_ID_LEN);
    id[CAIRN_JOB_ID_LEN] = '\0';
    if (rest[n] == '\0') {
        *route = del ? CAIRN_ROUTE_JOB_DELETE : CAIRN_ROUTE_JOB_GET;
        return get || del ? 200 : 405;
    }
    if (strcmp(rest + n, "/proof") == 0) {
        *route = CAIRN_ROUTE_JOB_PROOF;
        return get ? 200 : 405;
    }
    id[0] = '\0';
    return 404;
}

/* ---- base64 ---------------------------------------------------------------------------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The 6-bit value of c, or -1. */
static int b64_val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/*
 * Four characters make three bytes; '=' only at the end of the last group
 * (one or two), and the bits a padded group drops must be zero, so every
 * byte string has exactly one accepted encoding.
 */
cairn_status cairn_base64_decode(uint8_t **out, size_t *out_len, const char *s, size_t len,
                                 size_t max, cairn_error *err)
{
    *out = NULL;
    *out_len = 0;
    if (len % 4 != 0)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "base64: length %zu is not a multiple of 4", len);
    if (len == 0)
        return CAIRN_OK;
    size_t pad = s[len - 1] != '=' ? 0 : s[len - 2] != '=' ? 1 : 2;
    size_t n = len / 4 * 3 - pad;
    if (n > max)
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "base64: %zu decoded bytes exceed the limit of %zu", n, max);
    uint8_t *b = malloc(n ? n : 1);
    if (b == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "base64: out of memory");
    size_t o = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        int last = i + 4 == len;
        for (size_t k = 0; k < 4; k++) {
            unsigned char c = (unsigned char)s[i + k];
            if (c == '=' && last && k >= 4 - pad) {
                v[k] = 0;
                continue;
            }
            if ((v[k] = b64_val(c)) < 0) {
                free(b);
                return cairn_error_set(err, CAIRN_ERR_PARSE,
                                       "base64: invalid character at offset %zu", i + k);
            }
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
                     (uint32_t)v[3];
        if (last && ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff)))) {
            free(b);
            return cairn_error_set(err, CAIRN_ERR_PARSE,
                                   "base64: non-zero padding bits at offset %zu", i);
        }
        uint8_t t[3] = {(uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w};
        size_t take = last ? 3 - pad : 3;
        memcpy(b + o, t, take);
        o += take;
    }
    if (n == 0) {
        free(b);
        b = NULL;
    }
    *out = b;
    *out_len = n;
    return CAIRN_OK;
}

/* Three bytes to four characters, '=' padding the last group. */
char *cairn_base64_encode(const uint8_t *b, size_t len)
{
    size_t n = (len + 2) / 3 * 4;
    char *s = malloc(n + 1);
    if (s == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t w = (uint32_t)b[i] << 16;
        if (i + 1 < len)
            w |= (uint32_t)b[i + 1] << 8;
        if (i + 2 < len)
            w |= b[i + 2];
        s[o++] = b64[w >> 18];
        s[o++] = b64[(w >> 12) & 63];
        s[o++] = i + 1 < len ? b64[(w >> 6) & 63] : '=';
        s[o++] = i + 2 < len ? b64[w & 63] : '=';
    }
    s[o] = '\0';
    return s;
}

/* ---- JSON bodies ----------------------------------------------------------------------------- */

/* Load a body that must be a JSON object (duplicate keys refused). */
static cairn_status load_object(json_t **obj, const char *body, size_t len, cairn_error *err)
{
    json_error_t je;
    *obj = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (*obj == NULL)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "body: invalid JSON at line %d column %d: %s",
                               je.line, je.column, je.text);
    if (!json_is_object(*obj)) {
        json_decref(*obj);
        *obj = NULL;
        return cairn_error_set(err, CAIRN_ERR_PARSE, "body: expected a JSON object");
    }
    return CAIRN_OK;
}

/* A required digest field: a string of 64 lower-case hex characters. */
static cairn_status get_digest(json_t *v, const char *key, char out[CAIRN_DIGEST_HEX_LEN + 1],
                               cairn_error *err)
{
    if (v == NULL)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "\"%s\" is required", key);
    if (!json_is_string(v) || json_string_length(v) != CAIRN_DIGEST_HEX_LEN ||
        !cairn_api_is_hex(json_string_value(v), CAIRN_DIGEST_HEX_LEN))
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "\"%s\": expected a SHA-256 as 64 lower-case hex characters", key);
    memcpy(out, json_string_value(v), CAIRN_DIGEST_HEX_LEN + 1);
    return CAIRN_OK;
}

/* An optional integer field within [lo, hi]; *out untouched when absent. */
static cairn_status get_int(json_t *obj, const char *key, long long lo, long long hi,
                            long long *out, cairn_error *err)
{
    json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return CAIRN_OK;
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "\"%s\": expected an integer from %lld to %lld",
                               key, lo, hi);
    *out = json_integer_value(v);
    return CAIRN_OK;
}

/* An optional base64 string field, decoded. */
static cairn_status get_b64(json_t *obj, const char *key, size_t max, uint8_t **out,
                            size_t *out_len, cairn_error *err)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    *out_len = 0;
    if (v == NULL)
        return CAIRN_OK;
    if (!json_is_string(v))
        return cairn_error_set(err, CAIRN_ERR_PARSE, "\"%s\": expected a base64 string", key);
    cairn_error e2;
    cairn_status st =
        cairn_base64_decode(out, out_len, json_string_value(v), json_string_length(v), max, &e2);
    if (st != CAIRN_OK)
        return cairn_error_set(err, st, "\"%s\": %s", key, e2.msg);
    return CAIRN_OK;
}

/* Refuse keys outside the list: a misspelt option must not be silently ignored. */
static cairn_status only_keys(json_t *obj, const char *const *keys, cairn_error *err)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        (void)v;
        int known = 0;
        for (const char *const *p = keys; *p != NULL; p++)
            known |= strcmp(k, *p) == 0;
        if (!known)
            return cairn_error_set(err, CAIRN_ERR_PARSE, "unknown field \"%.64s\"", k);
    }
    return CAIRN_OK;
}

cairn_status cairn_api_parse_job(const char *body, size_t len, cairn_job_request *req,
                                 uint8_t **input, cairn_error *err)
{
    static const char *const keys[] = {"program", "input_base64", "max_cycles", "timeout_s",
                                       "security", "priority", NULL};
    json_t *obj = NULL;
    memset(req, 0, sizeof *req);
    req->security = 100;
    *input = NULL;
    cairn_status st = load_object(&obj, body, len, err);
    if (st != CAIRN_OK)
        return st;
    long long max_cycles = 0, timeout = 0, security = 100, priority = 0;
    if ((st = only_keys(obj, keys, err)) != CAIRN_OK ||
        (st = get_digest(json_object_get(obj, "program"), "program", req->program, err)) ||
        (st = get_int(obj, "max_cycles", 1, (long long)CAIRN_ZKVM_MAX_CYCLES, &max_cycles, err)) ||
        (st = get_int(obj, "timeout_s", 1, CAIRN_API_MAX_TIMEOUT_S, &timeout, err)) ||
        (st = get_int(obj, "security", 100, 128, &security, err)) ||
        (st = get_int(obj, "priority", -CAIRN_API_MAX_PRIORITY, CAIRN_API_MAX_PRIORITY,
                      &priority, err)))
        goto out;
    if (security != 100 && security != 128) {
        st = cairn_error_set(err, CAIRN_ERR_PARSE, "\"security\": expected 100 or 128");
        goto out;
    }
    if ((st = get_b64(obj, "input_base64", CAIRN_API_MAX_INPUT, input, &req->input_len, err)))
        goto out;
    req->input = *input;
    req->max_cycles = (uint64_t)max_cycles;
    req->timeout_s = (uint32_t)timeout;
    req->security = (uint32_t)security;
    req->priority = (int32_t)priority;
out:
    json_decref(obj);
    if (st != CAIRN_OK) {
        free(*input);
        *input = NULL;
        req->input = NULL;
        req->input_len = 0;
    }
    return st;
}

cairn_status cairn_api_parse_verify(const char *body, size_t len,
                                    char program[CAIRN_DIGEST_HEX_LEN + 1], uint8_t **proof,
                                    size_t *proof_len, cairn_error *err)
{
    static const char *const keys[] = {"program", "proof_base64", NULL};
    json_t *obj = NULL;
    *proof = NULL;
    *proof_len = 0;
    cairn_status st = load_object(&obj, body, len, err);
    if (st != CAIRN_OK)
        return st;
    if ((st = only_keys(obj, keys, err)) != CAIRN_OK ||
        (st = get_digest(json_object_get(obj, "program"), "program", program, err)) != CAIRN_OK)
        goto out;
    if (json_object_get(obj, "proof_base64") == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_PARSE, "\"proof_base64\" is required");
        goto out;
    }
    st = get_b64(obj, "proof_base64", CAIRN_API_MAX_PROOF, proof, proof_len, err);
out:
    json_decref(obj);
    return st;
}

/* A decimal without sign or leading junk, within [lo, hi]. */
static int parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
    if (s == NULL || *s < '0' || *s > '9' || strlen(s) > 9)
        return 0;
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*end != '\0' || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

cairn_status cairn_api_parse_list(const char *state_s, const char *limit_s, const char *after_s,
                                  int *state, size_t *limit, char after[CAIRN_JOB_ID_LEN + 1],
                                  cairn_error *err)
{
    *state = -1;
    *limit = 50;
    after[0] = '\0';
    if (state_s != NULL && state_s[0] != '\0' && (*state = cairn_job_state_parse(state_s)) < 0)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "state: expected queued, running, succeeded, failed, timed_out "
                               "or cancelled");
    unsigned long l;
    if (limit_s != NULL) {
        if (!parse_uint(limit_s, 1, 500, &l))
            return cairn_error_set(err, CAIRN_ERR_PARSE, "limit: expected 1 to 500");
        *limit = l;
    }
    if (after_s != NULL && after_s[0] != '\0') {
        if (strlen(after_s) != CAIRN_JOB_ID_LEN || !cairn_api_is_hex(after_s, CAIRN_JOB_ID_LEN))
            return cairn_error_set(err, CAIRN_ERR_PARSE, "after: expected a job id");
        memcpy(after, after_s, CAIRN_JOB_ID_LEN + 1);
    }
    return CAIRN_OK;
}

/* ---- views ----------------------------------------------------------------------------------- */

/* Copy key from the stored prover summary into dst when present. */
static void copy_key(json_t *dst, json_t *src, const char *from, const char *to)
{
    json_t *v = src ? json_object_get(src, from) : NULL;
    if (v != NULL)
        json_object_set(dst, to, v);
}

/*
 * The contract's "proof" object is assembled from the stored columns
 * (hash, size, time, mode) and from the prover's own --json summary
 * (cycles, rows, security, exit code, output), so that the service
 * reports exactly what `cairn prove` printed.
 */
json_t *cairn_api_job_json(const cairn_job *j, const cairn_job_attempt *a, size_t na)
{
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    json_object_set_new(o, "id", json_string(j->id));
    json_object_set_new(o, "program", json_string(j->program));
    json_object_set_new(o, "state", json_string(cairn_job_state_name(j->state)));
    json_object_set_new(o, "stage", json_string(j->stage));
    json_object_set_new(o, "progress", json_real(j->progress));
    json_object_set_new(o, "attempts", json_integer(j->attempts));
    json_object_set_new(o, "priority", json_integer(j->priority));
    json_object_set_new(o, "security", json_integer(j->security));
    json_object_set_new(o, "timeout_s", json_integer(j->timeout_s));
    json_object_set_new(o, "max_cycles", json_integer((json_int_t)j->max_cycles));
    json_object_set_new(o, "input_len", json_integer((json_int_t)j->input_len));
    json_object_set_new(o, "created_ms", json_integer(j->created_ms));
    json_object_set_new(o, "started_ms", json_integer(j->started_ms));
    json_object_set_new(o, "finished_ms", json_integer(j->finished_ms));
    json_object_set_new(o, "worker", j->worker[0] ? json_string(j->worker) : json_null());
    json_object_set_new(o, "error", j->error[0] ? json_string(j->error) : json_null());
    json_object_set_new(o, "error_code", j->error_code[0] ? json_string(j->error_code)
                                                          : json_null());
    if (j->state == CAIRN_JOB_SUCCEEDED) {
        json_t *p = json_object();
        json_t *r = j->result ? json_loads(j->result, 0, NULL) : NULL;
        json_object_set_new(p, "sha256", json_string(j->proof_sha256));
        json_object_set_new(p, "size_bytes", json_integer((json_int_t)j->proof_size));
        json_object_set_new(p, "prove_ms", json_real(j->prove_ms));
        copy_key(p, r, "cycles", "cycles");
        copy_key(p, r, "trace_rows", "trace_rows");
        copy_key(p, r, "security_bits", "security_bits");
        copy_key(p, r, "exit_code", "exit_code");
        copy_key(p, r, "output_len", "output_len");
        copy_key(p, r, "output_hex", "output_hex");
        copy_key(p, r, "program_digest", "program_digest");
        json_object_set_new(p, "mode", json_string(j->mode));
        json_decref(r);
        json_object_set_new(o, "proof", p);
    } else {
        json_object_set_new(o, "proof", json_null());
    }
    if (a != NULL) {
        json_t *arr = json_array();
        for (size_t i = 0; i < na; i++) {
            json_t *e = json_object();
            json_object_set_new(e, "attempt", json_integer(a[i].attempt));
            json_object_set_new(e, "mode", json_string(a[i].mode));
            json_object_set_new(e, "threads", json_integer(a[i].threads));
            json_object_set_new(e, "outcome", json_string(a[i].outcome));
            json_object_set_new(e, "error", json_string(a[i].error));
            json_object_set_new(e, "started_ms", json_integer(a[i].started_ms));
            json_object_set_new(e, "finished_ms", json_integer(a[i].finished_ms));
            json_object_set_new(e, "worker", json_string(a[i].worker));
            json_array_append_new(arr, e);
        }
        json_object_set_new(o, "attempt_log", arr);
    }
    return o;
}
