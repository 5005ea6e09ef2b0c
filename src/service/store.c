/*
 * store.c — the backend-independent half of the job store (cairn/store.h):
 * state names, job ids, the clock, and the dispatch of every operation
 * through the backend's table (store_internal.h).  Nothing here knows
 * which database is behind the handle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "cairn/sha256.h"
#include "store_internal.h"

static const char *const state_names[CAIRN_JOB_STATES] = {
    "queued", "running", "succeeded", "failed", "timed_out", "cancelled"};

const char *cairn_job_state_name(cairn_job_state s)
{
    return (unsigned)s < CAIRN_JOB_STATES ? state_names[s] : NULL;
}

int cairn_job_state_parse(const char *s)
{
    for (int i = 0; i < CAIRN_JOB_STATES; i++)
        if (s != NULL && strcmp(s, state_names[i]) == 0)
            return i;
    return -1;
}

int cairn_job_state_terminal(cairn_job_state s)
{
    return s == CAIRN_JOB_SUCCEEDED || s == CAIRN_JOB_FAILED || s == CAIRN_JOB_TIMED_OUT ||
           s == CAIRN_JOB_CANCELLED;
}

int64_t cairn_store_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Job ids are 128 random bits in hex: unguessable, so a client cannot
 * read or cancel another's job by counting, and unique without a
 * coordinating counter (which a multi-machine backend would not have).
 */
cairn_status cairn_store_new_id(char id[CAIRN_JOB_ID_LEN + 1], cairn_error *err)
{
    unsigned char r[CAIRN_JOB_ID_LEN / 2];
    size_t got = 0;
    while (got < sizeof r) {
        ssize_t k = getrandom(r + got, sizeof r - got, 0);
        if (k <= 0)
            return cairn_error_set(err, CAIRN_ERR_IO, "getrandom failed for a job id");
        got += (size_t)k;
    }
    for (size_t i = 0; i < sizeof r; i++)
        snprintf(id + 2 * i, 3, "%02x", r[i]);
    return CAIRN_OK;
}

void cairn_store_sha256_hex(char out[CAIRN_DIGEST_HEX_LEN + 1], const uint8_t *b, size_t n)
{
    uint8_t d[CAIRN_SHA256_BYTES];
    cairn_sha256(d, n ? b : (const uint8_t *)"", n);
    for (size_t i = 0; i < sizeof d; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

int cairn_store_is_pg_url(const char *where)
{
    return where != NULL &&
           (strncmp(where, "postgres://", 11) == 0 || strncmp(where, "postgresql://", 13) == 0);
}

/*
 * The password of a URL is what lies between the first ':' after the
 * scheme's "//" and the '@' that ends the user information.
 */
void cairn_store_redact(const char *where, char *out, size_t cap)
{
    const char *p = where ? strstr(where, "//") : NULL;
    const char *at = p ? strchr(p + 2, '@') : NULL;
    const char *slash = p ? strchr(p + 2, '/') : NULL;
    const char *colon = p ? strchr(p + 2, ':') : NULL;
    if (at == NULL || (slash != NULL && slash < at) || colon == NULL || colon > at) {
        snprintf(out, cap, "%s", where ? where : "");
        return;
    }
    snprintf(out, cap, "%.*s:***%s", (int)(colon - where), where, at);
}

cairn_status cairn_store_open(cairn_store **out, const char *where, cairn_error *err)
{
    *out = NULL;
    if (cairn_store_is_pg_url(where))
        return cairn_store_open_pg(out, where, err);
    if (strncmp(where, "postgres", 8) == 0 && strchr(where, ':') != NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "job store: not a PostgreSQL URL (expected postgres://USER@HOST/DB)");
    if (strncmp(where, "sqlite:", 7) == 0)
        where += 7;
    if (where[0] == '\0')
        return cairn_error_set(err, CAIRN_ERR_ARG, "job store: empty path");
    return cairn_store_open_sqlite(out, where, err);
}

int cairn_store_shared(cairn_store *s)
{
    return s->shared;
}

void cairn_job_clear(cairn_job *job)
{
    if (job == NULL)
        return;
    free(job->result);
    job->result = NULL;
}

void cairn_store_free(cairn_store *s)
{
    if (s != NULL)
        s->ops->free(s);
}

unsigned cairn_store_schema_version(cairn_store *s)
{
    return s->ops->schema_version(s);
}

cairn_status cairn_store_program_put(cairn_store *s, const char *digest, const uint8_t *elf,
                                     uint64_t size, cairn_error *err)
{
    return s->ops->program_put(s, digest, elf, size, err);
}

cairn_status cairn_store_program_get(cairn_store *s, const char *digest, uint8_t **elf,
                                     size_t *len, int *found, cairn_error *err)
{
    return s->ops->program_get(s, digest, elf, len, found, err);
}

cairn_status cairn_store_program_exists(cairn_store *s, const char *digest, int *found,
                                        cairn_error *err)
{
    return s->ops->program_exists(s, digest, found, err);
}

cairn_status cairn_store_job_create(cairn_store *s, const cairn_job_request *req,
                                    const char *idem_key, size_t max_queued,
                                    char id[CAIRN_JOB_ID_LEN + 1], int *existing,
                                    cairn_error *err)
{
    return s->ops->job_create(s, req, idem_key, max_queued, id, existing, err);
}

cairn_status cairn_store_job_get(cairn_store *s, const char *id, cairn_job *job, int *found,
                                 cairn_error *err)
{
    return s->ops->job_get(s, id, job, found, err);
}

cairn_status cairn_store_job_list(cairn_store *s, int state, const char *after, size_t limit,
                                  cairn_job **jobs, size_t *n, cairn_error *err)
{
    return s->ops->job_list(s, state, after, limit, jobs, n, err);
}

cairn_status cairn_store_job_claim(cairn_store *s, const char *worker, uint32_t lease_s,
                                   cairn_job *job, int *got, cairn_error *err)
{
    return s->ops->job_claim(s, worker, lease_s, job, got, err);
}

cairn_status cairn_store_job_heartbeat(cairn_store *s, const char *id, uint32_t attempt,
                                       const char *worker, uint32_t lease_s, int *ok,
                                       cairn_error *err)
{
    return s->ops->job_heartbeat(s, id, attempt, worker, lease_s, ok, err);
}

cairn_status cairn_store_job_release(cairn_store *s, const char *id, uint32_t attempt,
                                     const char *worker, int *ok, cairn_error *err)
{
    return s->ops->job_release(s, id, attempt, worker, ok, err);
}

cairn_status cairn_store_expire(cairn_store *s, uint32_t max_attempts, size_t *requeued,
                                size_t *failed, cairn_error *err)
{
    return s->ops->expire(s, max_attempts, requeued, failed, err);
}

cairn_status cairn_store_job_proof(cairn_store *s, const char *id, uint8_t **proof, size_t *len,
                                   int *found, cairn_error *err)
{
    return s->ops->job_proof(s, id, proof, len, found, err);
}

cairn_status cairn_store_job_retry(cairn_store *s, const char *id, uint32_t attempt, int *ok,
                                   cairn_error *err)
{
    return s->ops->job_retry(s, id, attempt, ok, err);
}

cairn_status cairn_store_job_progress(cairn_store *s, const char *id, uint32_t attempt,
                                      const char *stage, double progress, cairn_error *err)
{
    return s->ops->job_progress(s, id, attempt, stage, progress, err);
}

cairn_status cairn_store_job_finish(cairn_store *s, const char *id, uint32_t attempt,
                                    const cairn_job_outcome *o, int *applied, cairn_error *err)
{
    return s->ops->job_finish(s, id, attempt, o, applied, err);
}

cairn_status cairn_store_job_cancel(cairn_store *s, const char *id, int *prev, cairn_error *err)
{
    return s->ops->job_cancel(s, id, prev, err);
}

cairn_status cairn_store_attempt_record(cairn_store *s, const char *id, const cairn_job_attempt *a,
                                        cairn_error *err)
{
    return s->ops->attempt_record(s, id, a, err);
}

cairn_status cairn_store_attempt_list(cairn_store *s, const char *id, cairn_job_attempt **out,
                                      size_t *n, cairn_error *err)
{
    return s->ops->attempt_list(s, id, out, n, err);
}

cairn_status cairn_store_job_input(cairn_store *s, const char *id, uint8_t **input, size_t *len,
                                   cairn_error *err)
{
    return s->ops->job_input(s, id, input, len, err);
}

cairn_status cairn_store_recover(cairn_store *s, uint32_t max_attempts, size_t *requeued,
                                 size_t *failed, cairn_error *err)
{
    return s->ops->recover(s, max_attempts, requeued, failed, err);
}

cairn_status cairn_store_stats_get(cairn_store *s, cairn_store_stats *st, cairn_error *err)
{
    return s->ops->stats_get(s, st, err);
}

cairn_status cairn_store_purge(cairn_store *s, int64_t before_ms,
                               void (*on_delete)(void *ctx, const char *proof_file), void *ctx,
                               size_t *deleted, cairn_error *err)
{
    return s->ops->purge(s, before_ms, on_delete, ctx, deleted, err);
}
