/*
 * store_sqlite.c — the embedded SQLite backend of the job store
 * (cairn/store.h, store_internal.h).
 *
 * One connection, in WAL mode with synchronous=NORMAL (a committed
 * transaction survives a crash or kill -9 of the process; only a power
 * loss may lose the last ones), guarded by one mutex so that every
 * operation, including the read-modify-write ones (claim, finish, cancel),
 * is a single transaction seen atomically by every other thread.  The
 * schema is the list `migrations` below: migration i brings the database
 * from version i to i + 1 and is recorded in schema_migrations; a database
 * with a version this file does not know is refused rather than guessed at.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

/* Numbered migrations: append, never edit one that has shipped. */
static const char *const migrations[] = {
    /* 1: programs, jobs, attempts */
    "CREATE TABLE programs (digest TEXT PRIMARY KEY, size INTEGER NOT NULL,"
    " created_ms INTEGER NOT NULL);"
    "CREATE TABLE jobs (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
    " program TEXT NOT NULL REFERENCES programs(digest), input BLOB NOT NULL,"
    " max_cycles INTEGER NOT NULL, timeout_s INTEGER NOT NULL, security INTEGER NOT NULL,"
    " priority INTEGER NOT NULL, idem_key TEXT UNIQUE, state TEXT NOT NULL,"
    " stage TEXT NOT NULL DEFAULT '', progress REAL NOT NULL DEFAULT 0,"
    " attempts INTEGER NOT NULL DEFAULT 0, error_code TEXT NOT NULL DEFAULT '',"
    " error TEXT NOT NULL DEFAULT '', created_ms INTEGER NOT NULL,"
    " started_ms INTEGER NOT NULL DEFAULT 0, finished_ms INTEGER NOT NULL DEFAULT 0,"
    " proof_file TEXT NOT NULL DEFAULT '', proof_sha256 TEXT NOT NULL DEFAULT '',"
    " proof_size INTEGER NOT NULL DEFAULT 0, prove_ms REAL NOT NULL DEFAULT 0,"
    " mode TEXT NOT NULL DEFAULT '', result TEXT);"
    "CREATE INDEX jobs_claim ON jobs(state, priority DESC, seq);"
    "CREATE TABLE job_attempts (job_id TEXT NOT NULL, attempt INTEGER NOT NULL,"
    " mode TEXT NOT NULL, threads INTEGER NOT NULL, outcome TEXT NOT NULL,"
    " error TEXT NOT NULL, started_ms INTEGER NOT NULL, finished_ms INTEGER NOT NULL,"
    " PRIMARY KEY (job_id, attempt));",
    /* 2: leases, the worker of each attempt, and the bytes a shared store keeps */
    "ALTER TABLE programs ADD COLUMN elf BLOB;"
    "ALTER TABLE jobs ADD COLUMN input_sha256 TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE jobs ADD COLUMN worker TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE jobs ADD COLUMN lease_expires_ms INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE jobs ADD COLUMN proof BLOB;"
    "ALTER TABLE job_attempts ADD COLUMN worker TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX jobs_lease ON jobs(state, lease_expires_ms);",
};
#define MIGRATIONS (sizeof migrations / sizeof migrations[0])

typedef struct {
    struct cairn_store base;
    sqlite3 *db;
    pthread_mutex_t mu;
    unsigned version;
} sq_store;

static const struct cairn_store_ops sq_ops;

static sq_store *sq(cairn_store *s)
{
    return (sq_store *)s;
}

/* Record SQLite's message for a failed step (what we were doing, then the reason). */
static cairn_status sq_fail(sq_store *s, cairn_error *err, const char *what)
{
    return cairn_error_set(err, CAIRN_ERR_IO, "job store: %s: %s", what, sqlite3_errmsg(s->db));
}

/* Run SQL without results (several statements allowed). */
static cairn_status sq_exec(sq_store *s, const char *sql, cairn_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        cairn_status st =
            cairn_error_set(err, CAIRN_ERR_IO, "job store: %s", msg ? msg : "exec failed");
        sqlite3_free(msg);
        return st;
    }
    return CAIRN_OK;
}

/* Prepare one statement; failure is an internal error of this file (bad SQL) or I/O. */
static cairn_status sq_prep(sq_store *s, sqlite3_stmt **st, const char *sql, cairn_error *err)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return sq_fail(s, err, "prepare");
    }
    return CAIRN_OK;
}

/* Copy a text column into a fixed buffer, truncating. */
static void col_text(char *dst, size_t cap, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/*
 * Apply the migrations the database lacks, each in its own transaction
 * together with its schema_migrations row, so a crash between two leaves
 * a consistent, numbered schema.
 */
static cairn_status sq_migrate(sq_store *s, cairn_error *err)
{
    cairn_status st;
    sqlite3_stmt *q = NULL;
    if ((st = sq_exec(s,
                      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                      " applied_ms INTEGER NOT NULL);",
                      err)) != CAIRN_OK)
        return st;
    if ((st = sq_prep(s, &q, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", err)))
        return st;
    unsigned v = 0;
    if (sqlite3_step(q) == SQLITE_ROW)
        v = (unsigned)sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (v > MIGRATIONS)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "job store: schema version %u is newer than this cairn (%zu)", v,
                               (size_t)MIGRATIONS);
    for (; v < MIGRATIONS; v++) {
        char rec[128];
        snprintf(rec, sizeof rec, "INSERT INTO schema_migrations VALUES (%u, %lld);", v + 1,
                 (long long)cairn_store_now_ms());
        if ((st = sq_exec(s, "BEGIN IMMEDIATE;", err)) != CAIRN_OK)
            return st;
        if ((st = sq_exec(s, migrations[v], err)) != CAIRN_OK ||
            (st = sq_exec(s, rec, err)) != CAIRN_OK) {
            (void)sq_exec(s, "ROLLBACK;", NULL);
            return st;
        }
        if ((st = sq_exec(s, "COMMIT;", err)) != CAIRN_OK)
            return st;
    }
    s->version = v;
    return CAIRN_OK;
}

cairn_status cairn_store_open_sqlite(cairn_store **out, const char *path, cairn_error *err)
{
    *out = NULL;
    sq_store *s = calloc(1, sizeof *s);
    if (s == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "job store: out of memory");
    s->base.ops = &sq_ops;
    pthread_mutex_init(&s->mu, NULL);
    cairn_status st;
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                          SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
        st = cairn_error_set(err, CAIRN_ERR_IO, "job store %s: %s", path,
                             s->db ? sqlite3_errmsg(s->db) : "cannot open");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 5000);
    if ((st = sq_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                         " PRAGMA foreign_keys=ON;", err)) != CAIRN_OK)
        goto fail;
    if ((st = sq_migrate(s, err)) != CAIRN_OK)
        goto fail;
    *out = &s->base;
    return CAIRN_OK;
fail:
    sq_ops.free(&s->base);
    return st;
}

/* Close the connection (checkpointing the WAL) and free the handle. */
static void sq_free(cairn_store *b)
{
    sq_store *s = sq(b);
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

/* The version sq_migrate reached. */
static unsigned sq_schema_version(cairn_store *b)
{
    return sq(b)->version;
}

/* The first put of a digest wins; a later one only adds bytes a first put lacked. */
static cairn_status sq_program_put(cairn_store *b, const char *digest, const uint8_t *elf,
                                   uint64_t size, cairn_error *err)
{
    sq_store *s = sq(b);
    sqlite3_stmt *q = NULL;
    cairn_status st;
    pthread_mutex_lock(&s->mu);
    if ((st = sq_prep(s, &q, "INSERT INTO programs (digest, size, created_ms, elf)"
                             " VALUES (?, ?, ?, ?) ON CONFLICT (digest) DO UPDATE"
                             " SET elf = excluded.elf"
                             " WHERE programs.elf IS NULL AND excluded.elf IS NOT NULL",
                      err)) == CAIRN_OK) {
        sqlite3_bind_text(q, 1, digest, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 2, (sqlite3_int64)size);
        sqlite3_bind_int64(q, 3, cairn_store_now_ms());
        if (elf != NULL)
            sqlite3_bind_blob64(q, 4, size ? (const void *)elf : "", size, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(q, 4);
        if (sqlite3_step(q) != SQLITE_DONE)
            st = sq_fail(s, err, "recording a program");
    }
    sqlite3_finalize(q);
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* One indexed lookup of the digest. */
static cairn_status sq_program_exists(cairn_store *b, const char *digest, int *found,
                                      cairn_error *err)
{
    sq_store *s = sq(b);
    sqlite3_stmt *q = NULL;
    cairn_status st;
    *found = 0;
    pthread_mutex_lock(&s->mu);
    if ((st = sq_prep(s, &q, "SELECT 1 FROM programs WHERE digest = ?", err)) == CAIRN_OK) {
        sqlite3_bind_text(q, 1, digest, -1, SQLITE_TRANSIENT);
        int r = sqlite3_step(q);
        if (r == SQLITE_ROW)
            *found = 1;
        else if (r != SQLITE_DONE)
            st = sq_fail(s, err, "looking up a program");
    }
    sqlite3_finalize(q);
    pthread_mutex_unlock(&s->mu);
    return st;
}

/*
 * Copy the blob of column 0 of a one-row query with one text parameter
 * into a malloc'd buffer; *found = 0 when there is no row or the blob is
 * NULL.  Under the caller's lock.
 */
static cairn_status sq_blob(sq_store *s, const char *sql, const char *arg, uint8_t **out,
                            size_t *len, int *found, cairn_error *err)
{
    sqlite3_stmt *q = NULL;
    *out = NULL;
    *len = 0;
    *found = 0;
    cairn_status st = sq_prep(s, &q, sql, err);
    if (st != CAIRN_OK)
        return st;
    sqlite3_bind_text(q, 1, arg, -1, SQLITE_TRANSIENT);
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW && sqlite3_column_type(q, 0) != SQLITE_NULL) {
        size_t n = (size_t)sqlite3_column_bytes(q, 0);
        if ((*out = malloc(n ? n : 1)) == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "job store: out of memory");
        } else {
            if (n > 0)
                memcpy(*out, sqlite3_column_blob(q, 0), n);
            *len = n;
            *found = 1;
        }
    } else if (r != SQLITE_ROW && r != SQLITE_DONE) {
        st = sq_fail(s, err, "reading bytes");
    }
    sqlite3_finalize(q);
    return st;
}

/* The program's bytes, when they were recorded. */
static cairn_status sq_program_get(cairn_store *b, const char *digest, uint8_t **elf,
                                   size_t *len, int *found, cairn_error *err)
{
    sq_store *s = sq(b);
    pthread_mutex_lock(&s->mu);
    cairn_status st =
        sq_blob(s, "SELECT elf FROM programs WHERE digest = ?", digest, elf, len, found, err);
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* The proof bytes recorded with a job's outcome (a shared store's way; NULL here otherwise). */
static cairn_status sq_job_proof(cairn_store *b, const char *id, uint8_t **proof, size_t *len,
                                 int *found, cairn_error *err)
{
    sq_store *s = sq(b);
    pthread_mutex_lock(&s->mu);
    cairn_status st = sq_blob(s, "SELECT proof FROM jobs WHERE id = ? AND state = 'succeeded'",
                              id, proof, len, found, err);
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* Count rows of a one-value query with one text parameter (or none). */
static cairn_status sq_count(sq_store *s, const char *sql, const char *arg, int64_t *n,
                             cairn_error *err)
{
    sqlite3_stmt *q = NULL;
    cairn_status st = sq_prep(s, &q, sql, err);
    if (st != CAIRN_OK)
        return st;
    if (arg != NULL)
        sqlite3_bind_text(q, 1, arg, -1, SQLITE_TRANSIENT);
    *n = 0;
    if (sqlite3_step(q) == SQLITE_ROW)
        *n = sqlite3_column_int64(q, 0);
    else
        st = sq_fail(s, err, "counting");
    sqlite3_finalize(q);
    return st;
}

/*
 * Idempotency first (an existing key answers with its job, even when the
 * queue is full now), then the queue bound, then the insert, all under
 * the mutex so two submissions with one key cannot both insert.
 */
static cairn_status sq_job_create(cairn_store *b, const cairn_job_request *req,
                                  const char *idem_key, size_t max_queued,
                                  char id[CAIRN_JOB_ID_LEN + 1], int *existing, cairn_error *err)
{
    sq_store *s = sq(b);
    sqlite3_stmt *q = NULL;
    cairn_status st = CAIRN_OK;
    *existing = 0;
    pthread_mutex_lock(&s->mu);
    if (idem_key != NULL) {
        if ((st = sq_prep(s, &q, "SELECT id FROM jobs WHERE idem_key = ?", err)) != CAIRN_OK)
            goto out;
        sqlite3_bind_text(q, 1, idem_key, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(q) == SQLITE_ROW) {
            col_text(id, CAIRN_JOB_ID_LEN + 1, q, 0);
            *existing = 1;
            goto out;
        }
        sqlite3_finalize(q);
        q = NULL;
    }
    if (max_queued > 0) {
        int64_t n;
        if ((st = sq_count(s, "SELECT COUNT(*) FROM jobs WHERE state = 'queued'", NULL, &n, err)))
            goto out;
        if ((uint64_t)n >= max_queued) {
            st = cairn_error_set(err, CAIRN_ERR_LIMIT, "queue full: %lld jobs queued (limit %zu)",
                                 (long long)n, max_queued);
            goto out;
        }
    }
    if ((st = cairn_store_new_id(id, err)) != CAIRN_OK)
        goto out;
    if ((st = sq_prep(s, &q,
                      "INSERT INTO jobs (id, program, input, max_cycles, timeout_s, security,"
                      " priority, idem_key, state, created_ms, input_sha256)"
                      " VALUES (?,?,?,?,?,?,?,?,'queued',?,?)",
                      err)) != CAIRN_OK)
        goto out;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, req->program, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob64(q, 3, req->input_len ? (const void *)req->input : "", req->input_len,
                        SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)req->max_cycles);
    sqlite3_bind_int64(q, 5, req->timeout_s);
    sqlite3_bind_int64(q, 6, req->security);
    sqlite3_bind_int64(q, 7, req->priority);
    if (idem_key != NULL)
        sqlite3_bind_text(q, 8, idem_key, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, 8);
    sqlite3_bind_int64(q, 9, cairn_store_now_ms());
    char digest[CAIRN_DIGEST_HEX_LEN + 1];
    cairn_store_sha256_hex(digest, req->input, req->input_len);
    sqlite3_bind_text(q, 10, digest, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = sq_fail(s, err, "creating a job");
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&s->mu);
    return st;
}

#define JOB_COLS                                                                                   \
    "id, program, state, stage, progress, attempts, max_cycles, timeout_s, security, priority,"    \
    " created_ms, started_ms, finished_ms, length(input), error_code, error, proof_file,"          \
    " proof_sha256, proof_size, prove_ms, mode, result, input_sha256, worker"

/* Fill a record from a row selected with JOB_COLS. */
static void job_from_row(cairn_job *j, sqlite3_stmt *q)
{
    memset(j, 0, sizeof *j);
    col_text(j->id, sizeof j->id, q, 0);
    col_text(j->program, sizeof j->program, q, 1);
    int state = cairn_job_state_parse((const char *)sqlite3_column_text(q, 2));
    j->state = state < 0 ? CAIRN_JOB_FAILED : (cairn_job_state)state;
    col_text(j->stage, sizeof j->stage, q, 3);
    j->progress = sqlite3_column_double(q, 4);
    j->attempts = (uint32_t)sqlite3_column_int64(q, 5);
    j->max_cycles = (uint64_t)sqlite3_column_int64(q, 6);
    j->timeout_s = (uint32_t)sqlite3_column_int64(q, 7);
    j->security = (uint32_t)sqlite3_column_int64(q, 8);
    j->priority = (int32_t)sqlite3_column_int64(q, 9);
    j->created_ms = sqlite3_column_int64(q, 10);
    j->started_ms = sqlite3_column_int64(q, 11);
    j->finished_ms = sqlite3_column_int64(q, 12);
    j->input_len = (size_t)sqlite3_column_int64(q, 13);
    col_text(j->error_code, sizeof j->error_code, q, 14);
    col_text(j->error, sizeof j->error, q, 15);
    col_text(j->proof_file, sizeof j->proof_file, q, 16);
    col_text(j->proof_sha256, sizeof j->proof_sha256, q, 17);
    j->proof_size = (uint64_t)sqlite3_column_int64(q, 18);
    j->prove_ms = sqlite3_column_double(q, 19);
    col_text(j->mode, sizeof j->mode, q, 20);
    const unsigned char *r = sqlite3_column_text(q, 21);
    j->result = r ? strdup((const char *)r) : NULL;
    col_text(j->input_sha256, sizeof j->input_sha256, q, 22);
    col_text(j->worker, sizeof j->worker, q, 23);
}

/* Select by id under the caller's lock. */
static cairn_status get_locked(sq_store *s, const char *id, cairn_job *job, int *found,
                               cairn_error *err)
{
    sqlite3_stmt *q = NULL;
    cairn_status st;
    *found = 0;
    if ((st = sq_prep(s, &q, "SELECT " JOB_COLS " FROM jobs WHERE id = ?", err)) != CAIRN_OK)
        return st;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
    int r = sqlite3_step(q);
    if (r == SQLITE_ROW) {
        job_from_row(job, q);
        *found = 1;
    } else if (r != SQLITE_DONE) {
        st = sq_fail(s, err, "reading a job");
    }
    sqlite3_finalize(q);
    return st;
}

/* Locked wrapper of get_locked. */
static cairn_status sq_job_get(cairn_store *b, const char *id, cairn_job *job, int *found,
                               cairn_error *err)
{
    sq_store *s = sq(b);
    pthread_mutex_lock(&s->mu);
    cairn_status st = get_locked(s, id, job, found, err);
    pthread_mutex_unlock(&s->mu);
    return st;
}

/*
 * Keyset paging on seq: `after` is translated to its seq inside the same
 * query, so a page boundary stays stable while new jobs arrive.
 */
static cairn_status sq_job_list(cairn_store *b, int state, const char *after, size_t limit,
                                cairn_job **jobs, size_t *n, cairn_error *err)
{
    sq_store *s = sq(b);
    sqlite3_stmt *q = NULL;
    cairn_status st;
    *jobs = NULL;
    *n = 0;
    int has_after = after != NULL && after[0] != '\0';
    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT " JOB_COLS " FROM jobs WHERE (?1 < 0 OR state = ?2)%s"
             " ORDER BY seq DESC LIMIT ?4",
             has_after ? " AND seq < COALESCE((SELECT seq FROM jobs WHERE id = ?3), -1)" : "");
    if (limit == 0)
        return CAIRN_OK;
    cairn_job *out = calloc(limit, sizeof *out);
    if (out == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "job list: out of memory");
    pthread_mutex_lock(&s->mu);
    if ((st = sq_prep(s, &q, sql, err)) != CAIRN_OK)
        goto out;
    sqlite3_bind_int(q, 1, state);
    sqlite3_bind_text(q, 2, state >= 0 ? cairn_job_state_name((cairn_job_state)state) : "", -1,
                      SQLITE_STATIC);
    if (has_after)
        sqlite3_bind_text(q, 3, after, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)limit);
    int r;
    while (*n < limit && (r = sqlite3_step(q)) == SQLITE_ROW)
        job_from_row(&out[(*n)++], q);
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&s->mu);
    if (st != CAIRN_OK) {
        for (size_t i = 0; i < *n; i++)
            cairn_job_clear(&out[i]);
        free(out);
        *n = 0;
        return st;
    }
    *jobs = out;
    return CAIRN_OK;
}

/* Run one UPDATE with a text first parameter, then optional integers; *changed = rows changed. */
static cairn_status sq_update(sq_store *s, const char *sql, const char *id, int64_t a, int64_t b,
                              int *changed, cairn_error *err)
{
    sqlite3_stmt *q = NULL;
    cairn_status st = sq_prep(s, &q, sql, err);
    if (st != CAIRN_OK)
        return st;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
    if (sqlite3_bind_parameter_count(q) >= 2)
        sqlite3_bind_int64(q, 2, a);
    if (sqlite3_bind_parameter_count(q) >= 3)
        sqlite3_bind_int64(q, 3, b);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = sq_fail(s, err, "updating a job");
    else if (changed != NULL)
        *changed = sqlite3_changes(s->db);
    sqlite3_finalize(q);
    return st;
}

/* Insert the opening record of an attempt (worker, start) under the caller's lock. */
static cairn_status open_attempt(sq_store *s, const char *id, int64_t attempt, const char *worker,
                                 cairn_error *err)
{
    sqlite3_stmt *q = NULL;
    cairn_status st = sq_prep(s, &q, "INSERT OR REPLACE INTO job_attempts (job_id, attempt, mode,"
                                     " threads, outcome, error, started_ms, finished_ms, worker)"
                                     " VALUES (?, ?, '', 0, 'running', '', ?, 0, ?)", err);
    if (st != CAIRN_OK)
        return st;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, attempt);
    sqlite3_bind_int64(q, 3, cairn_store_now_ms());
    sqlite3_bind_text(q, 4, worker ? worker : "", -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = sq_fail(s, err, "recording an attempt");
    sqlite3_finalize(q);
    return st;
}

/* Run one UPDATE with two text parameters under the caller's lock. */
static cairn_status sq_text_update(sq_store *s, const char *sql, const char *id, const char *v,
                                   cairn_error *err)
{
    sqlite3_stmt *q = NULL;
    cairn_status st = sq_prep(s, &q, sql, err);
    if (st != CAIRN_OK)
        return st;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, v, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = sq_fail(s, err, "updating a job");
    sqlite3_finalize(q);
    return st;
}

/* Pick the best queued job and lease it, inside the lock: no two claims get one job. */
static cairn_status sq_job_claim(cairn_store *b, const char *worker, uint32_t lease_s,
                                 cairn_job *job, int *got, cairn_error *err)
{
    sq_store *s = sq(b);
    sqlite3_stmt *q = NULL;
    cairn_status st;
    char id[CAIRN_JOB_ID_LEN + 1] = "";
    *got = 0;
    pthread_mutex_lock(&s->mu);
    if ((st = sq_prep(s, &q, "SELECT id FROM jobs WHERE state = 'queued'"
                             " ORDER BY priority DESC, seq LIMIT 1", err)) != CAIRN_OK)
        goto out;
    int r = sqlite3_step(q);
    if (r == SQLITE_DONE)
        goto out;
    if (r != SQLITE_ROW) {
        st = sq_fail(s, err, "claiming a job");
        goto out;
    }
    col_text(id, sizeof id, q, 0);
    sqlite3_finalize(q);
    q = NULL;
    int64_t now = cairn_store_now_ms();
    if ((st = sq_exec(s, "BEGIN IMMEDIATE;", err)) != CAIRN_OK)
        goto out;
    if ((st = sq_update(s, "UPDATE jobs SET state = 'running', attempts = attempts + 1,"
                           " started_ms = ?2, stage = 'starting', progress = 0,"
                           " lease_expires_ms = ?3 WHERE id = ?1",
                        id, now, now + (int64_t)lease_s * 1000, NULL, err)) != CAIRN_OK ||
        (st = sq_text_update(s, "UPDATE jobs SET worker = ?2 WHERE id = ?1", id,
                             worker ? worker : "", err)) != CAIRN_OK ||
        (st = get_locked(s, id, job, got, err)) != CAIRN_OK ||
        (st = open_attempt(s, id, job->attempts, worker, err)) != CAIRN_OK) {
        if (*got)
            cairn_job_clear(job);
        *got = 0;
        (void)sq_exec(s, "ROLLBACK;", NULL);
        goto out;
    }
    if ((st = sq_exec(s, "COMMIT;", err)) != CAIRN_OK) {
        cairn_job_clear(job);
        *got = 0;
    }
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* attempts + 1 on a job still running its attempt `attempt`. */
static cairn_status sq_job_retry(cairn_store *b, const char *id, uint32_t attempt, int *ok,
                                 cairn_error *err)
{
    sq_store *s = sq(b);
    pthread_mutex_lock(&s->mu);
    cairn_status st = sq_update(s, "UPDATE jobs SET attempts = attempts + 1, stage = 'retrying',"
                                   " progress = 0 WHERE id = ?1 AND state = 'running'"
                                   " AND attempts = ?2",
                                id, attempt, 0, ok, err);
    pthread_mutex_unlock(&s->mu);
    return st;
}

/*
 * Run one UPDATE fenced by (job ?1, attempt ?2, worker ?3) and, when the
 * SQL has them, two more integers ?4 and ?5; *ok = whether it changed the
 * row.  Under the caller's lock.
 */
static cairn_status sq_fenced(sq_store *s, const char *what, const char *sql, const char *id,
                              uint32_t attempt, const char *worker, int64_t a4, int64_t a5,
                              int *ok, cairn_error *err)
{
    sqlite3_stmt *q = NULL;
    *ok = 0;
    cairn_status st = sq_prep(s, &q, sql, err);
    if (st != CAIRN_OK)
        return st;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, attempt);
    sqlite3_bind_text(q, 3, worker ? worker : "", -1, SQLITE_TRANSIENT);
    if (sqlite3_bind_parameter_count(q) >= 5) {
        sqlite3_bind_int64(q, 4, a4);
        sqlite3_bind_int64(q, 5, a5);
    }
    if (sqlite3_step(q) != SQLITE_DONE)
        st = sq_fail(s, err, what);
    else
        *ok = sqlite3_changes(s->db) == 1;
    sqlite3_finalize(q);
    return st;
}

/* A new expiry for the lease the worker still holds. */
static cairn_status sq_job_heartbeat(cairn_store *b, const char *id, uint32_t attempt,
                                     const char *worker, uint32_t lease_s, int *ok,
                                     cairn_error *err)
{
    sq_store *s = sq(b);
    pthread_mutex_lock(&s->mu);
    int64_t now = cairn_store_now_ms();
    cairn_status st = sq_fenced(s, "renewing a lease",
                                "UPDATE jobs SET lease_expires_ms = ?4 WHERE id = ?1"
                                " AND attempts = ?2 AND worker = ?3 AND state = 'running'"
                                " AND lease_expires_ms > ?5",
                                id, attempt, worker, now + (int64_t)lease_s * 1000, now, ok, err);
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* Close an attempt the store ended itself (expired, released), keeping the worker's fields. */
static const char close_attempt_sql[] =
    "UPDATE job_attempts SET outcome = ?3, error = ?4, finished_ms = ?5"
    " WHERE job_id = ?1 AND attempt = ?2 AND finished_ms = 0";

/* Bind and run close_attempt_sql under the caller's lock. */
static cairn_status close_attempt(sq_store *s, const char *id, int64_t attempt,
                                  const char *outcome, const char *error, cairn_error *err)
{
    sqlite3_stmt *q = NULL;
    cairn_status st = sq_prep(s, &q, close_attempt_sql, err);
    if (st != CAIRN_OK)
        return st;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, attempt);
    sqlite3_bind_text(q, 3, outcome, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, error, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 5, cairn_store_now_ms());
    if (sqlite3_step(q) != SQLITE_DONE)
        st = sq_fail(s, err, "closing an attempt");
    sqlite3_finalize(q);
    return st;
}

/* Queue the job again when the worker still holds its attempt. */
static cairn_status sq_job_release(cairn_store *b, const char *id, uint32_t attempt,
                                   const char *worker, int *ok, cairn_error *err)
{
    sq_store *s = sq(b);
    pthread_mutex_lock(&s->mu);
    cairn_status st = sq_fenced(s, "releasing a job",
                                "UPDATE jobs SET state = 'queued', stage = 'requeued',"
                                " progress = 0, lease_expires_ms = 0 WHERE id = ?1"
                                " AND attempts = ?2 AND worker = ?3 AND state = 'running'",
                                id, attempt, worker, 0, 0, ok, err);
    if (st == CAIRN_OK && *ok)
        st = close_attempt(s, id, attempt, "released", CAIRN_STORE_RELEASED_ERROR, err);
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* Stage and progress of the current attempt only. */
static cairn_status sq_job_progress(cairn_store *b, const char *id, uint32_t attempt,
                                    const char *stage, double progress, cairn_error *err)
{
    sq_store *s = sq(b);
    sqlite3_stmt *q = NULL;
    cairn_status st;
    pthread_mutex_lock(&s->mu);
    if ((st = sq_prep(s, &q, "UPDATE jobs SET stage = ?3, progress = ?4 WHERE id = ?1"
                             " AND state = 'running' AND attempts = ?2", err)) == CAIRN_OK) {
        sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 2, attempt);
        sqlite3_bind_text(q, 3, stage, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(q, 4, progress);
        if (sqlite3_step(q) != SQLITE_DONE)
            st = sq_fail(s, err, "recording progress");
    }
    sqlite3_finalize(q);
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* Bind a possibly NULL string as text ('' for NULL). */
static void bind_str(sqlite3_stmt *q, int i, const char *v)
{
    sqlite3_bind_text(q, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

/*
 * The guarded UPDATE that makes a result final: running, current attempt,
 * the worker holding an unexpired lease, or nothing; then the attempt's end.
 */
static cairn_status sq_job_finish(cairn_store *b, const char *id, uint32_t attempt,
                                  const cairn_job_outcome *o, int *applied, cairn_error *err)
{
    sq_store *s = sq(b);
    sqlite3_stmt *q = NULL;
    cairn_status st;
    *applied = 0;
    pthread_mutex_lock(&s->mu);
    if ((st = sq_prep(s, &q,
                      "UPDATE jobs SET state = ?3, error_code = ?4, error = ?5, proof_file = ?6,"
                      " proof_sha256 = ?7, proof_size = ?8, prove_ms = ?9, mode = ?10,"
                      " result = ?11, finished_ms = ?12, stage = 'done', progress = ?13,"
                      " proof = ?14, lease_expires_ms = 0"
                      " WHERE id = ?1 AND state = 'running' AND attempts = ?2"
                      " AND (?15 = '' OR worker = ?15) AND lease_expires_ms > ?12",
                      err)) == CAIRN_OK) {
        sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 2, attempt);
        bind_str(q, 3, cairn_job_state_name(o->state));
        bind_str(q, 4, o->error_code);
        bind_str(q, 5, o->error);
        bind_str(q, 6, o->proof_file);
        bind_str(q, 7, o->proof_sha256);
        sqlite3_bind_int64(q, 8, (sqlite3_int64)o->proof_size);
        sqlite3_bind_double(q, 9, o->prove_ms);
        bind_str(q, 10, o->mode);
        if (o->result != NULL)
            sqlite3_bind_text(q, 11, o->result, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(q, 11);
        sqlite3_bind_int64(q, 12, cairn_store_now_ms());
        sqlite3_bind_double(q, 13, o->state == CAIRN_JOB_SUCCEEDED ? 1.0 : 0.0);
        if (o->proof != NULL)
            sqlite3_bind_blob64(q, 14, o->proof, o->proof_len, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(q, 14);
        bind_str(q, 15, o->worker);
        if (sqlite3_step(q) != SQLITE_DONE)
            st = sq_fail(s, err, "finishing a job");
        else
            *applied = sqlite3_changes(s->db) == 1;
    }
    sqlite3_finalize(q);
    if (st == CAIRN_OK && *applied)
        st = sq_update(s, "UPDATE job_attempts SET finished_ms = ?2 WHERE job_id = ?1"
                          " AND attempt = ?3 AND finished_ms = 0",
                       id, cairn_store_now_ms(), attempt, NULL, err);
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* Read the state, then cancel when queued or running, in one locked step. */
static cairn_status sq_job_cancel(cairn_store *b, const char *id, int *prev, cairn_error *err)
{
    sq_store *s = sq(b);
    cairn_job j;
    int found = 0;
    *prev = -1;
    pthread_mutex_lock(&s->mu);
    cairn_status st = get_locked(s, id, &j, &found, err);
    if (st == CAIRN_OK && found) {
        *prev = (int)j.state;
        cairn_job_clear(&j);
        if (!cairn_job_state_terminal(j.state))
            st = sq_update(s, "UPDATE jobs SET state = 'cancelled', error_code = 'cancelled',"
                              " error = 'cancelled by a client', finished_ms = ?2,"
                              " stage = 'done' WHERE id = ?1",
                           id, cairn_store_now_ms(), 0, NULL, err);
    }
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* INSERT OR REPLACE keyed by (job, attempt). */
static cairn_status sq_attempt_record(cairn_store *b, const char *id, const cairn_job_attempt *a,
                                      cairn_error *err)
{
    sq_store *s = sq(b);
    sqlite3_stmt *q = NULL;
    cairn_status st;
    pthread_mutex_lock(&s->mu);
    if ((st = sq_prep(s, &q, "INSERT OR REPLACE INTO job_attempts (job_id, attempt, mode,"
                             " threads, outcome, error, started_ms, finished_ms, worker)"
                             " VALUES (?,?,?,?,?,?,?,?,?)", err)) == CAIRN_OK) {
        sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(q, 2, a->attempt);
        bind_str(q, 3, a->mode);
        sqlite3_bind_int64(q, 4, a->threads);
        bind_str(q, 5, a->outcome);
        bind_str(q, 6, a->error);
        sqlite3_bind_int64(q, 7, a->started_ms);
        sqlite3_bind_int64(q, 8, a->finished_ms);
        bind_str(q, 9, a->worker);
        if (sqlite3_step(q) != SQLITE_DONE)
            st = sq_fail(s, err, "recording an attempt");
    }
    sqlite3_finalize(q);
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* All attempts of a job, in attempt order. */
static cairn_status sq_attempt_list(cairn_store *b, const char *id, cairn_job_attempt **out,
                                    size_t *n, cairn_error *err)
{
    sq_store *s = sq(b);
    sqlite3_stmt *q = NULL;
    cairn_status st;
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    pthread_mutex_lock(&s->mu);
    if ((st = sq_prep(s, &q, "SELECT attempt, mode, threads, outcome, error, started_ms,"
                             " finished_ms, worker FROM job_attempts WHERE job_id = ?"
                             " ORDER BY attempt",
                      err)) != CAIRN_OK)
        goto out;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (*n == cap) {
            size_t nc = cap ? 2 * cap : 4;
            cairn_job_attempt *g = realloc(*out, nc * sizeof *g);
            if (g == NULL) {
                st = cairn_error_set(err, CAIRN_ERR_NOMEM, "attempt list: out of memory");
                goto out;
            }
            *out = g;
            cap = nc;
        }
        cairn_job_attempt *a = &(*out)[(*n)++];
        memset(a, 0, sizeof *a);
        a->attempt = (uint32_t)sqlite3_column_int64(q, 0);
        col_text(a->mode, sizeof a->mode, q, 1);
        a->threads = (uint32_t)sqlite3_column_int64(q, 2);
        col_text(a->outcome, sizeof a->outcome, q, 3);
        col_text(a->error, sizeof a->error, q, 4);
        a->started_ms = sqlite3_column_int64(q, 5);
        a->finished_ms = sqlite3_column_int64(q, 6);
        col_text(a->worker, sizeof a->worker, q, 7);
    }
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&s->mu);
    if (st != CAIRN_OK) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return st;
}

/* Copy the input blob out. */
static cairn_status sq_job_input(cairn_store *b, const char *id, uint8_t **input, size_t *len,
                                 cairn_error *err)
{
    sq_store *s = sq(b);
    sqlite3_stmt *q = NULL;
    cairn_status st;
    *input = NULL;
    *len = 0;
    pthread_mutex_lock(&s->mu);
    if ((st = sq_prep(s, &q, "SELECT input FROM jobs WHERE id = ?", err)) != CAIRN_OK)
        goto out;
    sqlite3_bind_text(q, 1, id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) != SQLITE_ROW) {
        st = cairn_error_set(err, CAIRN_ERR_ARG, "job %s: no such job", id);
        goto out;
    }
    size_t n = (size_t)sqlite3_column_bytes(q, 0);
    if (n > 0) {
        if ((*input = malloc(n)) == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "job input: out of memory");
            goto out;
        }
        memcpy(*input, sqlite3_column_blob(q, 0), n);
        *len = n;
    }
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* Two UPDATEs in one transaction: fail the exhausted, requeue the rest. */
static cairn_status sq_recover(cairn_store *b, uint32_t max_attempts, size_t *requeued,
                               size_t *failed, cairn_error *err)
{
    sq_store *s = sq(b);
    int f = 0, r = 0;
    cairn_status st;
    pthread_mutex_lock(&s->mu);
    if ((st = sq_exec(s, "BEGIN IMMEDIATE;", err)) != CAIRN_OK)
        goto out;
    if ((st = sq_update(s, "UPDATE jobs SET state = 'failed', error_code = 'interrupted',"
                           " error = 'the service stopped during each of its ' || attempts ||"
                           " ' attempts', finished_ms = ?2, stage = 'done'"
                           " WHERE ?1 = ?1 AND state = 'running' AND attempts >= ?3",
                        "", cairn_store_now_ms(), max_attempts, &f, err)) != CAIRN_OK ||
        (st = sq_update(s, "UPDATE jobs SET state = 'queued', stage = 'requeued', progress = 0"
                           " WHERE ?1 = ?1 AND state = 'running'",
                        "", 0, 0, &r, err)) != CAIRN_OK) {
        (void)sq_exec(s, "ROLLBACK;", NULL);
        goto out;
    }
    st = sq_exec(s, "COMMIT;", err);
out:
    pthread_mutex_unlock(&s->mu);
    *requeued = st == CAIRN_OK ? (size_t)r : 0;
    *failed = st == CAIRN_OK ? (size_t)f : 0;
    return st;
}

/*
 * Fail the exhausted and requeue the rest of the running jobs whose lease
 * expired, closing their attempts, in one transaction.
 */
static cairn_status sq_expire(cairn_store *b, uint32_t max_attempts, size_t *requeued,
                              size_t *failed, cairn_error *err)
{
    sq_store *s = sq(b);
    sqlite3_stmt *q = NULL;
    int f = 0, r = 0;
    cairn_status st;
    int64_t now = cairn_store_now_ms();
    *requeued = *failed = 0;
    pthread_mutex_lock(&s->mu);
    if ((st = sq_exec(s, "BEGIN IMMEDIATE;", err)) != CAIRN_OK)
        goto out;
    if ((st = sq_prep(s, &q, "SELECT id, attempts FROM jobs WHERE state = 'running'"
                             " AND lease_expires_ms < ?", err)) != CAIRN_OK)
        goto fail;
    sqlite3_bind_int64(q, 1, now);
    while (sqlite3_step(q) == SQLITE_ROW) {
        char id[CAIRN_JOB_ID_LEN + 1];
        col_text(id, sizeof id, q, 0);
        int64_t att = sqlite3_column_int64(q, 1);
        if ((st = close_attempt(s, id, att, "lease_expired", CAIRN_STORE_EXPIRED_ERROR, err)))
            goto fail;
    }
    sqlite3_finalize(q);
    q = NULL;
    if ((st = sq_update(s, "UPDATE jobs SET state = 'failed', error_code = 'interrupted',"
                           " error = 'the lease expired during each of its ' || attempts ||"
                           " ' attempts', finished_ms = ?2, stage = 'done', lease_expires_ms = 0"
                           " WHERE ?1 = ?1 AND state = 'running' AND lease_expires_ms < ?2"
                           " AND attempts >= ?3",
                        "", now, max_attempts, &f, err)) != CAIRN_OK ||
        (st = sq_update(s, "UPDATE jobs SET state = 'queued', stage = 'requeued', progress = 0,"
                           " lease_expires_ms = 0 WHERE ?1 = ?1 AND state = 'running'"
                           " AND lease_expires_ms < ?2",
                        "", now, 0, &r, err)) != CAIRN_OK)
        goto fail;
    st = sq_exec(s, "COMMIT;", err);
    goto out;
fail:
    sqlite3_finalize(q);
    q = NULL;
    (void)sq_exec(s, "ROLLBACK;", NULL);
out:
    pthread_mutex_unlock(&s->mu);
    *requeued = st == CAIRN_OK ? (size_t)r : 0;
    *failed = st == CAIRN_OK ? (size_t)f : 0;
    return st;
}

/* GROUP BY state, and the sum of proving times. */
static cairn_status sq_stats_get(cairn_store *b, cairn_store_stats *out, cairn_error *err)
{
    sq_store *s = sq(b);
    sqlite3_stmt *q = NULL;
    cairn_status st;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&s->mu);
    if ((st = sq_prep(s, &q, "SELECT state, COUNT(*), SUM(CASE WHEN state = 'succeeded'"
                             " THEN prove_ms ELSE 0 END) FROM jobs GROUP BY state", err)))
        goto out;
    while (sqlite3_step(q) == SQLITE_ROW) {
        int k = cairn_job_state_parse((const char *)sqlite3_column_text(q, 0));
        if (k >= 0)
            out->by_state[k] = (uint64_t)sqlite3_column_int64(q, 1);
        out->prove_seconds += sqlite3_column_double(q, 2) / 1e3;
    }
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* Select the old terminal jobs, hand their proof files to the caller, delete the rows. */
static cairn_status sq_purge(cairn_store *b, int64_t before_ms,
                             void (*on_delete)(void *ctx, const char *proof_file), void *ctx,
                             size_t *deleted, cairn_error *err)
{
    sq_store *s = sq(b);
    sqlite3_stmt *q = NULL;
    cairn_status st;
    *deleted = 0;
    const char *terminal = "state IN ('succeeded','failed','timed_out','cancelled')"
                           " AND finished_ms > 0 AND finished_ms < ?1";
    char sql[256];
    pthread_mutex_lock(&s->mu);
    snprintf(sql, sizeof sql, "SELECT proof_file FROM jobs WHERE %s", terminal);
    if ((st = sq_prep(s, &q, sql, err)) != CAIRN_OK)
        goto out;
    sqlite3_bind_int64(q, 1, before_ms);
    while (sqlite3_step(q) == SQLITE_ROW) {
        const unsigned char *f = sqlite3_column_text(q, 0);
        if (on_delete != NULL && f != NULL && f[0] != '\0')
            on_delete(ctx, (const char *)f);
    }
    sqlite3_finalize(q);
    q = NULL;
    snprintf(sql, sizeof sql,
             "DELETE FROM job_attempts WHERE job_id IN (SELECT id FROM jobs WHERE %s)", terminal);
    if ((st = sq_prep(s, &q, sql, err)) != CAIRN_OK)
        goto out;
    sqlite3_bind_int64(q, 1, before_ms);
    if (sqlite3_step(q) != SQLITE_DONE) {
        st = sq_fail(s, err, "purging attempts");
        goto out;
    }
    sqlite3_finalize(q);
    q = NULL;
    snprintf(sql, sizeof sql, "DELETE FROM jobs WHERE %s", terminal);
    if ((st = sq_prep(s, &q, sql, err)) != CAIRN_OK)
        goto out;
    sqlite3_bind_int64(q, 1, before_ms);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = sq_fail(s, err, "purging jobs");
    else
        *deleted = (size_t)sqlite3_changes(s->db);
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&s->mu);
    return st;
}

static const struct cairn_store_ops sq_ops = {
    .free = sq_free,
    .schema_version = sq_schema_version,
    .program_put = sq_program_put,
    .program_get = sq_program_get,
    .program_exists = sq_program_exists,
    .job_create = sq_job_create,
    .job_get = sq_job_get,
    .job_list = sq_job_list,
    .job_claim = sq_job_claim,
    .job_heartbeat = sq_job_heartbeat,
    .job_release = sq_job_release,
    .expire = sq_expire,
    .job_proof = sq_job_proof,
    .job_retry = sq_job_retry,
    .job_progress = sq_job_progress,
    .job_finish = sq_job_finish,
    .job_cancel = sq_job_cancel,
    .attempt_record = sq_attempt_record,
    .attempt_list = sq_attempt_list,
    .job_input = sq_job_input,
    .recover = sq_recover,
    .stats_get = sq_stats_get,
    .purge = sq_purge,
};
