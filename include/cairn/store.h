/*
 * cairn/store.h — the proving service's job store: programs, jobs, and the
 * attempts of each job, behind one interface (a table of operations) so
 * that a second backend (PostgreSQL, for many workers on many machines)
 * slots in beside the embedded SQLite one.
 *
 * The shape is a claim/lease queue.  A job is created `queued`; a worker
 * claims the best queued job (highest priority, then oldest), which turns
 * it `running`, increments its attempt counter and gives the worker a
 * lease that expires lease_s seconds later by the store's clock (the
 * database server's, never a worker's); the worker renews it by heartbeat,
 * reports progress and finally one outcome, and the store accepts an
 * outcome only from the job's current attempt, from the worker holding it,
 * while it is running and its lease has not expired, so a stale worker (a
 * cancelled job, a lease that expired while the worker stalled, an attempt
 * superseded after a restart) can never overwrite a newer result.  Jobs
 * whose lease expired are requeued by expire (or failed after their
 * maximum of attempts).  At start the service calls recover: with the
 * embedded store, which one process owns, every job left `running` by a
 * crash is requeued; with a shared store only those whose lease expired.
 * States are queued, running, succeeded, failed, timed_out, cancelled; the
 * last four are terminal.
 *
 * Two backends: SQLite (embedded, one process) and PostgreSQL (shared by
 * any number of API servers and workers on many machines).  A shared
 * store also keeps the program bytes, each job's input and each proof, so
 * a worker on another machine needs nothing but the database.
 *
 * The schema is a list of numbered migrations applied in order inside
 * transactions and recorded in schema_migrations (docs/service.md).  Every
 * operation is safe to call from many threads at once.
 */
#ifndef CAIRN_STORE_H
#define CAIRN_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

typedef enum {
    CAIRN_JOB_QUEUED = 0,
    CAIRN_JOB_RUNNING,
    CAIRN_JOB_SUCCEEDED,
    CAIRN_JOB_FAILED,
    CAIRN_JOB_TIMED_OUT,
    CAIRN_JOB_CANCELLED
} cairn_job_state;

#define CAIRN_JOB_STATES 6
#define CAIRN_JOB_ID_LEN 32     /* hex characters of a job id */
#define CAIRN_DIGEST_HEX_LEN 64 /* hex characters of a SHA-256 */
#define CAIRN_WORKER_NAME_LEN 64 /* bytes of a worker's name, with the NUL */

/* "queued", "running", ...; NULL out of range. */
const char *cairn_job_state_name(cairn_job_state s);
/* The state named s; -1 for an unknown name. */
int cairn_job_state_parse(const char *s);
/* Is s one of the four terminal states? */
int cairn_job_state_terminal(cairn_job_state s);

/* What a client asks for (validated by the caller, stored as given). */
typedef struct {
    char program[CAIRN_DIGEST_HEX_LEN + 1]; /* the program's SHA-256, lower-case hex */
    const uint8_t *input;                   /* bytes for fd 0 (may be NULL when input_len is 0) */
    size_t input_len;
    uint64_t max_cycles;  /* 0: the prover's limit */
    uint32_t timeout_s;   /* 0: the service's default */
    uint32_t security;    /* 100 or 128 */
    int32_t priority;     /* higher runs first */
} cairn_job_request;

/* One job as stored.  Strings are NUL-terminated; result is malloc'd (NULL until success). */
typedef struct {
    char id[CAIRN_JOB_ID_LEN + 1];
    char program[CAIRN_DIGEST_HEX_LEN + 1];
    cairn_job_state state;
    char stage[32];
    double progress;     /* 0..1 */
    uint32_t attempts;   /* attempts started so far */
    uint64_t max_cycles;
    uint32_t timeout_s;
    uint32_t security;
    int32_t priority;
    int64_t created_ms, started_ms, finished_ms; /* Unix milliseconds; 0 when not yet */
    size_t input_len;
    char input_sha256[CAIRN_DIGEST_HEX_LEN + 1]; /* of the input, recorded at creation */
    char worker[CAIRN_WORKER_NAME_LEN];          /* who holds (or last held) the lease */
    char error_code[32]; /* "", "oom", "timeout", "crash", "prover_failed", "cancelled", ... */
    char error[256];
    /* set when succeeded */
    char proof_file[96];                         /* name under the data directory's proofs/ */
    char proof_sha256[CAIRN_DIGEST_HEX_LEN + 1];
    uint64_t proof_size;
    double prove_ms;
    char mode[32];       /* how the successful attempt ran ("threads=2", "fallback threads=1") */
    char *result;        /* the prover's JSON summary (cairn prove --json), malloc'd */
} cairn_job;

/* One attempt of a job, as recorded by attempt_record. */
typedef struct {
    uint32_t attempt;
    char mode[32];
    uint32_t threads;
    char outcome[32];    /* a state name or an error code */
    char error[256];
    int64_t started_ms, finished_ms;
    char worker[CAIRN_WORKER_NAME_LEN];
} cairn_job_attempt;

/* The outcome a worker reports for its attempt. */
typedef struct {
    cairn_job_state state; /* succeeded, failed or timed_out */
    const char *error_code;
    const char *error;
    const char *proof_file;
    const char *proof_sha256;
    uint64_t proof_size;
    double prove_ms;
    const char *mode;
    const char *result;
    const char *worker;    /* the worker reporting; NULL: not checked */
    const uint8_t *proof;  /* the proof's bytes, kept in the store (a shared store); NULL: none */
    size_t proof_len;
} cairn_job_outcome;

/* Counts for /metrics. */
typedef struct {
    uint64_t by_state[CAIRN_JOB_STATES];
    double prove_seconds; /* sum of prove_ms of succeeded jobs, in seconds */
} cairn_store_stats;

typedef struct cairn_store cairn_store;

/*
 * Open (creating if needed) the SQLite store at path, in WAL mode, and
 * apply the migrations it lacks.  CAIRN_ERR_IO naming the file and
 * SQLite's message; CAIRN_ERR_PARSE for a database whose schema is newer
 * than this cairn knows; CAIRN_ERR_NOMEM.
 */
cairn_status cairn_store_open_sqlite(cairn_store **out, const char *path, cairn_error *err);
/*
 * Connect to the PostgreSQL store at url (postgres://USER[:PASSWORD]@HOST
 * [:PORT]/DB[?...], libpq's URI syntax) and apply the migrations it lacks
 * (under an advisory lock, so many processes may start at once).
 * CAIRN_ERR_IO naming the URL without its password and libpq's message.
 */
cairn_status cairn_store_open_pg(cairn_store **out, const char *url, cairn_error *err);
/*
 * Open the store that where names: "postgres://..." or "postgresql://..."
 * for PostgreSQL, "sqlite:PATH" or a plain PATH for SQLite.
 */
cairn_status cairn_store_open(cairn_store **out, const char *where, cairn_error *err);
/* Is where a PostgreSQL URL? */
int cairn_store_is_pg_url(const char *where);
/* where with any password replaced by "***" (for messages and logs), into out. */
void cairn_store_redact(const char *where, char *out, size_t cap);
/* Is the store shared by many machines (PostgreSQL): programs, inputs and proofs live in it. */
int cairn_store_shared(cairn_store *s);
/* Close and free; safe on NULL. */
void cairn_store_free(cairn_store *s);
/* The schema version now in the database (the number of the last migration applied). */
unsigned cairn_store_schema_version(cairn_store *s);

/*
 * Record a program (its digest, size and bytes: elf may be NULL to record
 * the size alone) once; a second put of the same digest is a no-op.
 */
cairn_status cairn_store_program_put(cairn_store *s, const char *digest, const uint8_t *elf,
                                     uint64_t size, cairn_error *err);
/*
 * The bytes of a recorded program (malloc'd into *elf); *found = 0 when
 * the digest is unknown or its bytes were not kept.  The caller checks
 * the digest.
 */
cairn_status cairn_store_program_get(cairn_store *s, const char *digest, uint8_t **elf,
                                     size_t *len, int *found, cairn_error *err);
/* *found = whether the digest was recorded. */
cairn_status cairn_store_program_exists(cairn_store *s, const char *digest, int *found,
                                        cairn_error *err);

/*
 * Create a queued job.  With a non-NULL idem_key already used, nothing is
 * created: id receives the existing job's id and *existing is 1.  When
 * max_queued > 0 and that many jobs are already queued, CAIRN_ERR_LIMIT
 * ("queue full").  id receives CAIRN_JOB_ID_LEN hex characters and a NUL.
 */
cairn_status cairn_store_job_create(cairn_store *s, const cairn_job_request *req,
                                    const char *idem_key, size_t max_queued,
                                    char id[CAIRN_JOB_ID_LEN + 1], int *existing,
                                    cairn_error *err);

/* Fetch job id into *job (cairn_job_clear frees its result); *found = 0 when there is none. */
cairn_status cairn_store_job_get(cairn_store *s, const char *id, cairn_job *job, int *found,
                                 cairn_error *err);
/* Free what a job record owns; safe on a zeroed record. */
void cairn_job_clear(cairn_job *job);

/*
 * Jobs newest first: at most limit, in state (or any when state < 0), and
 * created before job `after` (any when after is NULL or empty).  *jobs is
 * a malloc'd array of *n records (free each with cairn_job_clear, then
 * the array).  An unknown `after` gives an empty page.
 */
cairn_status cairn_store_job_list(cairn_store *s, int state, const char *after, size_t limit,
                                  cairn_job **jobs, size_t *n, cairn_error *err);

/*
 * Claim the best queued job for worker with a lease of lease_s seconds:
 * it becomes running, its attempts grow by one, the attempt is recorded
 * (worker, start) and *job is filled (with the new attempt count).  Many
 * processes may claim at once; each job goes to one.  *got = 0 when
 * nothing is queued.
 */
cairn_status cairn_store_job_claim(cairn_store *s, const char *worker, uint32_t lease_s,
                                   cairn_job *job, int *got, cairn_error *err);

/*
 * Renew worker's lease on attempt of job id for lease_s seconds from now
 * (the store's clock).  *ok = 0 when the worker no longer holds it (it
 * expired, the job was cancelled or moved on): the worker must stop.
 */
cairn_status cairn_store_job_heartbeat(cairn_store *s, const char *id, uint32_t attempt,
                                       const char *worker, uint32_t lease_s, int *ok,
                                       cairn_error *err);

/*
 * Give a held job back (a worker stopping before the proof ended): the job
 * is queued again at once and the attempt closed as "released".  *ok = 0
 * when the worker no longer held it.
 */
cairn_status cairn_store_job_release(cairn_store *s, const char *id, uint32_t attempt,
                                     const char *worker, int *ok, cairn_error *err);

/*
 * Requeue every running job whose lease expired by the store's clock, or
 * fail it ("interrupted") when it has had max_attempts; its attempt is
 * closed as "lease_expired".  *requeued and *failed count them.
 */
cairn_status cairn_store_expire(cairn_store *s, uint32_t max_attempts, size_t *requeued,
                                size_t *failed, cairn_error *err);

/* The proof bytes a shared store keeps for a succeeded job (malloc'd); *found = 0 when none. */
cairn_status cairn_store_job_proof(cairn_store *s, const char *id, uint8_t **proof, size_t *len,
                                   int *found, cairn_error *err);

/*
 * Start attempt+1 of a running job at once (the fallback retry), when
 * attempt is still its current attempt.  *ok = 0 when it is not (the job
 * was cancelled or moved on).
 */
cairn_status cairn_store_job_retry(cairn_store *s, const char *id, uint32_t attempt, int *ok,
                                   cairn_error *err);

/* Record the stage and progress of the current attempt (ignored for a stale attempt). */
cairn_status cairn_store_job_progress(cairn_store *s, const char *id, uint32_t attempt,
                                      const char *stage, double progress, cairn_error *err);

/*
 * Record the outcome of attempt: applied (*applied = 1) only when the job
 * is running, attempt is its current attempt, its lease has not expired,
 * and (when o->worker is set) that worker holds it.  The attempt's record
 * is closed at the store's time.
 */
cairn_status cairn_store_job_finish(cairn_store *s, const char *id, uint32_t attempt,
                                    const cairn_job_outcome *o, int *applied, cairn_error *err);

/*
 * Cancel a job that is not terminal.  *prev receives its state before the
 * call (-1 when the job does not exist); only queued and running jobs
 * change.
 */
cairn_status cairn_store_job_cancel(cairn_store *s, const char *id, int *prev, cairn_error *err);

/*
 * Append (or update) the record of one attempt: mode, threads, outcome,
 * error and worker.  The embedded store takes the times given; a shared
 * store keeps its own clock's (start at the claim or retry, end at the
 * first report of an end, the outcome, the expiry or the release), and an
 * attempt it closed as lease_expired or released keeps that outcome.
 */
cairn_status cairn_store_attempt_record(cairn_store *s, const char *id, const cairn_job_attempt *a,
                                        cairn_error *err);
/* The attempts of a job in order: malloc'd array of *n. */
cairn_status cairn_store_attempt_list(cairn_store *s, const char *id, cairn_job_attempt **out,
                                      size_t *n, cairn_error *err);

/* The job's input bytes (malloc'd; NULL and 0 for an empty input). */
cairn_status cairn_store_job_input(cairn_store *s, const char *id, uint8_t **input, size_t *len,
                                   cairn_error *err);

/*
 * After a crash: every running job goes back to queued, or to failed
 * ("the service stopped during each of its N attempts") when it has had
 * max_attempts.  *requeued and *failed count them.  A shared store, whose
 * running jobs belong to workers elsewhere, does what expire does.
 */
cairn_status cairn_store_recover(cairn_store *s, uint32_t max_attempts, size_t *requeued,
                                 size_t *failed, cairn_error *err);

/* Counts by state and total proving time. */
cairn_status cairn_store_stats_get(cairn_store *s, cairn_store_stats *st, cairn_error *err);

/*
 * Delete terminal jobs finished before before_ms (and their attempts).
 * For each, on_delete(ctx, proof_file) is called first when it has a proof
 * file, so the caller removes it.
 */
cairn_status cairn_store_purge(cairn_store *s, int64_t before_ms,
                               void (*on_delete)(void *ctx, const char *proof_file), void *ctx,
                               size_t *deleted, cairn_error *err);

/* Unix time in milliseconds. */
int64_t cairn_store_now_ms(void);

#endif /* CAIRN_STORE_H */
