/*
 * store_internal.h — the table of operations behind cairn/store.h.  A
 * backend fills one cairn_store_ops and embeds struct cairn_store first in
 * its own handle; store.c dispatches every public call through it, so a
 * second backend (PostgreSQL) is one more table and one more open
 * function.  Each operation has the contract of the public function of the
 * same name.
 */
#ifndef CAIRN_STORE_INTERNAL_H
#define CAIRN_STORE_INTERNAL_H

#include "cairn/store.h"

struct cairn_store_ops {
    void (*free)(cairn_store *s);
    unsigned (*schema_version)(cairn_store *s);
    cairn_status (*program_put)(cairn_store *s, const char *digest, const uint8_t *elf,
                                uint64_t size, cairn_error *err);
    cairn_status (*program_get)(cairn_store *s, const char *digest, uint8_t **elf, size_t *len,
                                int *found, cairn_error *err);
    cairn_status (*program_exists)(cairn_store *s, const char *digest, int *found,
                                   cairn_error *err);
    cairn_status (*job_create)(cairn_store *s, const cairn_job_request *req, const char *idem_key,
                               size_t max_queued, char id[CAIRN_JOB_ID_LEN + 1], int *existing,
                               cairn_error *err);
    cairn_status (*job_get)(cairn_store *s, const char *id, cairn_job *job, int *found,
                            cairn_error *err);
    cairn_status (*job_list)(cairn_store *s, int state, const char *after, size_t limit,
                             cairn_job **jobs, size_t *n, cairn_error *err);
    cairn_status (*job_claim)(cairn_store *s, const char *worker, uint32_t lease_s,
                              cairn_job *job, int *got, cairn_error *err);
    cairn_status (*job_heartbeat)(cairn_store *s, const char *id, uint32_t attempt,
                                  const char *worker, uint32_t lease_s, int *ok, cairn_error *err);
    cairn_status (*job_release)(cairn_store *s, const char *id, uint32_t attempt,
                                const char *worker, int *ok, cairn_error *err);
    cairn_status (*expire)(cairn_store *s, uint32_t max_attempts, size_t *requeued,
                           size_t *failed, cairn_error *err);
    cairn_status (*job_proof)(cairn_store *s, const char *id, uint8_t **proof, size_t *len,
                              int *found, cairn_error *err);
    cairn_status (*job_retry)(cairn_store *s, const char *id, uint32_t attempt, int *ok,
                              cairn_error *err);
    cairn_status (*job_progress)(cairn_store *s, const char *id, uint32_t attempt,
                                 const char *stage, double progress, cairn_error *err);
    cairn_status (*job_finish)(cairn_store *s, const char *id, uint32_t attempt,
                               const cairn_job_outcome *o, int *applied, cairn_error *err);
    cairn_status (*job_cancel)(cairn_store *s, const char *id, int *prev, cairn_error *err);
    cairn_status (*attempt_record)(cairn_store *s, const char *id, const cairn_job_attempt *a,
                                   cairn_error *err);
    cairn_status (*attempt_list)(cairn_store *s, const char *id, cairn_job_attempt **out,
                                 size_t *n, cairn_error *err);
    cairn_status (*job_input)(cairn_store *s, const char *id, uint8_t **input, size_t *len,
                              cairn_error *err);
    cairn_status (*recover)(cairn_store *s, uint32_t max_attempts, size_t *requeued,
                            size_t *failed, cairn_error *err);
    cairn_status (*stats_get)(cairn_store *s, cairn_store_stats *st, cairn_error *err);
    cairn_status (*purge)(cairn_store *s, int64_t before_ms,
                          void (*on_delete)(void *ctx, const char *proof_file), void *ctx,
                          size_t *deleted, cairn_error *err);
};

struct cairn_store {
    const struct cairn_store_ops *ops;
    int shared; /* programs, inputs and proofs live in the store (PostgreSQL) */
};

/* A fresh random job id: CAIRN_JOB_ID_LEN hex characters from getrandom. */
cairn_status cairn_store_new_id(char id[CAIRN_JOB_ID_LEN + 1], cairn_error *err);

/* The SHA-256 of n bytes as lower-case hex (the input digest recorded at creation). */
void cairn_store_sha256_hex(char out[CAIRN_DIGEST_HEX_LEN + 1], const uint8_t *b, size_t n);

/* The messages of the attempts' ends that the store itself writes. */
#define CAIRN_STORE_EXPIRED_ERROR "the lease expired: the worker died, stalled or lost the store"
#define CAIRN_STORE_RELEASED_ERROR "the worker stopped and gave the job back"


#endif
