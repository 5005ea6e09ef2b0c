/*
 * fuzz_service_request.c — fuzz target for the proving service's request
 * boundary (src/service/api.c): routes, the JSON bodies of POST /v1/jobs
 * and POST /v1/verify (jansson underneath), base64, and the query of
 * GET /v1/jobs, all fed untrusted bytes.
 *
 * The first byte picks the parser, the rest is its input.  Properties
 * checked (a violation returns 1, which the libFuzzer entry point turns
 * into abort()):
 *   - every parser returns OK, PARSE or LIMIT, with a message on failure;
 *   - what a parser accepts is within the documented bounds (a 64-hex
 *     program digest, security 100 or 128, timeout and priority ranges,
 *     max_cycles at most CAIRN_ZKVM_MAX_CYCLES, input within its limit);
 *   - a route is 200, 404 or 405, and a job route carries a 32-hex id;
 *   - base64 that decodes re-encodes to the same text (one encoding per
 *     byte string).
 * With -DCAIRN_FUZZ_NO_MAIN (as in the test binary) only
 * cairn_fuzz_service_request is defined.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/service/service_internal.h"
#include "cairn/zkvm.h"

int cairn_fuzz_service_request(const uint8_t *data, size_t len);

/* A failure must be PARSE or LIMIT with a message. */
static int bad_failure(cairn_status st, const cairn_error *err)
{
    return (st != CAIRN_ERR_PARSE && st != CAIRN_ERR_LIMIT) || err->msg[0] == '\0';
}

/* A NUL-terminated copy of the input (NULL when out of memory). */
static char *dup_input(const char *s, size_t len)
{
    char *m = malloc(len + 1);
    if (m != NULL) {
        memcpy(m, s, len);
        m[len] = '\0';
    }
    return m;
}

/* Route: "METHOD PATH" as two NUL-terminated strings. */
static int fuzz_route(const char *s, size_t len)
{
    char *m = dup_input(s, len);
    if (m == NULL)
        return 0;
    char *path = strchr(m, ' ');
    if (path != NULL)
        *path++ = '\0';
    else
        path = m + strlen(m);
    cairn_route r;
    char id[CAIRN_JOB_ID_LEN + 1];
    int code = cairn_api_route(m, path, &r, id);
    int bad = code != 200 && code != 404 && code != 405;
    if (code == 200 && (r == CAIRN_ROUTE_JOB_GET || r == CAIRN_ROUTE_JOB_DELETE ||
                        r == CAIRN_ROUTE_JOB_PROOF))
        bad |= !cairn_api_is_hex(id, CAIRN_JOB_ID_LEN);
    free(m);
    return bad;
}

/* POST /v1/jobs body. */
static int fuzz_job(const char *s, size_t len)
{
    cairn_job_request req;
    uint8_t *input = NULL;
    cairn_error err;
    cairn_error_clear(&err);
    cairn_status st = cairn_api_parse_job(s, len, &req, &input, &err);
    if (st != CAIRN_OK)
        return bad_failure(st, &err) || input != NULL;
    int bad = !cairn_api_is_hex(req.program, CAIRN_DIGEST_HEX_LEN) ||
              (req.security != 100 && req.security != 128) ||
              req.timeout_s > CAIRN_API_MAX_TIMEOUT_S || req.max_cycles > CAIRN_ZKVM_MAX_CYCLES ||
              req.priority > CAIRN_API_MAX_PRIORITY || req.priority < -CAIRN_API_MAX_PRIORITY ||
              req.input_len > CAIRN_API_MAX_INPUT || (req.input_len > 0) != (input != NULL) ||
              req.input != input;
    free(input);
    return bad;
}

/* POST /v1/verify body. */
static int fuzz_verify(const char *s, size_t len)
{
    char program[CAIRN_DIGEST_HEX_LEN + 1];
    uint8_t *proof = NULL;
    size_t proof_len = 0;
    cairn_error err;
    cairn_error_clear(&err);
    cairn_status st = cairn_api_parse_verify(s, len, program, &proof, &proof_len, &err);
    if (st != CAIRN_OK)
        return bad_failure(st, &err) || proof != NULL;
    int bad = !cairn_api_is_hex(program, CAIRN_DIGEST_HEX_LEN) || proof_len > CAIRN_API_MAX_PROOF;
    free(proof);
    return bad;
}

/* base64: decode, and re-encode what decodes. */
static int fuzz_base64(const char *s, size_t len)
{
    uint8_t *b = NULL;
    size_t n = 0;
    cairn_error err;
    cairn_error_clear(&err);
    cairn_status st = cairn_base64_decode(&b, &n, s, len, 1 << 16, &err);
    if (st != CAIRN_OK)
        return bad_failure(st, &err) || b != NULL;
    char *e = cairn_base64_encode(b, n);
    int bad = e == NULL || strlen(e) != len || memcmp(e, s, len) != 0;
    free(e);
    free(b);
    return bad;
}

/* GET /v1/jobs query: three values separated by '&' (absent when missing). */
static int fuzz_list(const char *s, size_t len)
{
    char *m = dup_input(s, len);
    if (m == NULL)
        return 0;
    char *v[3] = {NULL, NULL, NULL};
    char *p = m;
    for (int i = 0; i < 3 && p != NULL; i++) {
        v[i] = p;
        p = strchr(p, '&');
        if (p != NULL)
            *p++ = '\0';
    }
    int state;
    size_t limit;
    char after[CAIRN_JOB_ID_LEN + 1];
    cairn_error err;
    cairn_error_clear(&err);
    cairn_status st = cairn_api_parse_list(v[0], v[1], v[2], &state, &limit, after, &err);
    int bad;
    if (st != CAIRN_OK)
        bad = bad_failure(st, &err);
    else
        bad = state < -1 || state >= CAIRN_JOB_STATES || limit < 1 || limit > 500 ||
              (after[0] != '\0' && !cairn_api_is_hex(after, CAIRN_JOB_ID_LEN));
    free(m);
    return bad;
}

int cairn_fuzz_service_request(const uint8_t *data, size_t len)
{
    if (len == 0)
        return 0;
    const char *s = (const char *)data + 1;
    size_t n = len - 1;
    switch (data[0] % 5) {
    case 0: return fuzz_route(s, n);
    case 1: return fuzz_job(s, n);
    case 2: return fuzz_verify(s, n);
    case 3: return fuzz_base64(s, n);
    default: return fuzz_list(s, n);
    }
}

#ifndef CAIRN_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (cairn_fuzz_service_request(data, size) != 0)
        abort();
    return 0;
}
#endif
