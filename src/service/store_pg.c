/*
 * store_pg.c — the PostgreSQL backend of the job store (cairn/store.h,
 * store_internal.h), shared by any number of API servers and workers on
 * any number of machines.
 *
 * One libpq connection per process, guarded by one mutex; every operation
 * is one statement (data-modifying WITH clauses where it changes two
 * tables), so it is atomic without an explicit transaction and a lost
 * connection never leaves half of one behind.  A connection found broken
 * is reset before the next statement; a statement whose connection broke
 * under it fails and is not repeated (it may have committed).  Every value
 * a client or worker sends is a parameter of PQexecParams, never part of
 * the SQL text; bytes (programs, inputs, proofs) travel as binary bytea.
 *
 * Every time is the database server's clock (now()), in Unix milliseconds
 * like the SQLite store: lease expiry, claims, ends of attempts.  A worker's
 * clock is never compared with another's.
 *
 * The claim takes the best queued job with SELECT ... FOR UPDATE SKIP
 * LOCKED, so concurrent claimers skip a row another is taking instead of
 * waiting for it, and no two get the same job.  Outcomes, heartbeats,
 * retries and releases are fenced by (job, attempt, worker) and an
 * unexpired lease.  The schema is the SQLite store's, migration for
 * migration, in PostgreSQL's types; migrations run under an advisory lock
 * so that many processes may start at once.
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

/* Numbered migrations, the same as store_sqlite.c's: append, never edit one that has shipped. */
static const char *const migrations[] = {
    /* 1: programs, jobs, attempts */
    "CREATE TABLE programs (digest TEXT PRIMARY KEY, size BIGINT NOT NULL,"
    " created_ms BIGINT NOT NULL);"
    "CREATE TABLE jobs (seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
    " program TEXT NOT NULL REFERENCES programs(digest), input BYTEA NOT NULL,"
    " max_cycles BIGINT NOT NULL, timeout_s BIGINT NOT NULL, security BIGINT NOT NULL,"
    " priority BIGINT NOT NULL, idem_key TEXT UNIQUE, state TEXT NOT NULL,"
    " stage TEXT NOT NULL DEFAULT '', progress DOUBLE PRECISION NOT NULL DEFAULT 0,"
    " attempts BIGINT NOT NULL DEFAULT 0, error_code TEXT NOT NULL DEFAULT '',"
    " error TEXT NOT NULL DEFAULT '', created_ms BIGINT NOT NULL,"
    " started_ms BIGINT NOT NULL DEFAULT 0, finished_ms BIGINT NOT NULL DEFAULT 0,"
    " proof_file TEXT NOT NULL DEFAULT '', proof_sha256 TEXT NOT NULL DEFAULT '',"
    " proof_size BIGINT NOT NULL DEFAULT 0, prove_ms DOUBLE PRECISION NOT NULL DEFAULT 0,"
    " mode TEXT NOT NULL DEFAULT '', result TEXT);"
    "CREATE INDEX jobs_claim ON jobs(state, priority DESC, seq);"
    "CREATE TABLE job_attempts (job_id TEXT NOT NULL, attempt BIGINT NOT NULL,"
    " mode TEXT NOT NULL, threads BIGINT NOT NULL, outcome TEXT NOT NULL,"
    " error TEXT NOT NULL, started_ms BIGINT NOT NULL, finished_ms BIGINT NOT NULL,"
    " PRIMARY KEY (job_id, attempt));",
    /* 2: leases, the worker of each attempt, and the bytes a shared store keeps */
    "ALTER TABLE programs ADD COLUMN elf BYTEA;"
    "ALTER TABLE jobs ADD COLUMN input_sha256 TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE jobs ADD COLUMN worker TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE jobs ADD COLUMN lease_expires_ms BIGINT NOT NULL DEFAULT 0;"
    "ALTER TABLE jobs ADD COLUMN proof BYTEA;"
    "ALTER TABLE job_attempts ADD COLUMN worker TEXT NOT NULL DEFAULT '';"
    "CREATE INDEX jobs_lease ON jobs(state, lease_expires_ms);",
};
#define MIGRATIONS (sizeof migrations / sizeof migrations[0])

/* The database's clock in Unix milliseconds. */
#define NOW_MS "(extract(epoch from now()) * 1000)::bigint"
/* The key of the advisory lock that serialises migrations ("cairn" in ASCII). */
#define MIGRATION_LOCK "435161817966"

typedef struct {
    struct cairn_store base;
    PGconn *conn;
    pthread_mutex_t mu;
    unsigned version;
    char where[512]; /* the URL without its password, for messages */
} pg_store;

static const struct cairn_store_ops pg_ops;

static pg_store *pg(cairn_store *s)
{
    return (pg_store *)s;
}

/* ---- statements ------------------------------------------------------------------------------ */

#define MAX_ARGS 16

/* The parameters of one statement: text values, or binary ones for bytea. */
typedef struct {
    const char *v[MAX_ARGS];
    int len[MAX_ARGS];
    int fmt[MAX_ARGS];
    char num[MAX_ARGS][32];
    int n;
} pg_args;

/* A text parameter; NULL is SQL NULL. */
static void arg_s(pg_args *a, const char *v)
{
    a->v[a->n] = v;
    a->len[a->n] = 0;
    a->fmt[a->n] = 0;
    a->n++;
}

/* An integer parameter. */
static void arg_i(pg_args *a, long long x)
{
    snprintf(a->num[a->n], sizeof a->num[a->n], "%lld", x);
    arg_s(a, a->num[a->n]);
}

/* A floating-point parameter. */
static void arg_d(pg_args *a, double x)
{
    snprintf(a->num[a->n], sizeof a->num[a->n], "%.17g", x);
    arg_s(a, a->num[a->n]);
}

/* A binary (bytea) parameter; NULL bytes with len 0 is an empty value unless null is set. */
static void arg_b(pg_args *a, const void *b, size_t len, int null)
{
    a->v[a->n] = null ? NULL : b ? (const char *)b : "";
    a->len[a->n] = (int)len;
    a->fmt[a->n] = 1;
    a->n++;
}

/* libpq's message without its trailing newline. */
static void trim_message(char *m)
{
    size_t n = strlen(m);
    while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == '\r'))
        m[--n] = '\0';
}

/* Record the failure of what, naming the store and libpq's reason. */
static cairn_status pg_fail(pg_store *s, cairn_error *err, const char *what, const PGresult *r)
{
    char msg[400];
    const char *m = r ? PQresultErrorMessage(r) : NULL;
    snprintf(msg, sizeof msg, "%s", m && m[0] ? m : PQerrorMessage(s->conn));
    trim_message(msg);
    return cairn_error_set(err, CAIRN_ERR_IO, "job store %s: %s: %s", s->where, what, msg);
}

/*
 * Run one statement under the caller's lock (results as text, or binary
 * with binary set); *out receives the result to PQclear (NULL on failure).
 */
static cairn_status pg_run(pg_store *s, const char *what, const char *sql, const pg_args *a,
                           int binary, PGresult **out, cairn_error *err)
{
    *out = NULL;
    if (PQstatus(s->conn) != CONNECTION_OK)
        PQreset(s->conn);
    PGresult *r = PQexecParams(s->conn, sql, a ? a->n : 0, NULL, a ? a->v : NULL,
                               a ? a->len : NULL, a ? a->fmt : NULL, binary);
    ExecStatusType t = PQresultStatus(r);
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
        cairn_status st = pg_fail(s, err, what, r);
        PQclear(r);
        return st;
    }
    *out = r;
    return CAIRN_OK;
}

/* Run a statement whose result is not needed; *changed = rows it changed (when not NULL). */
static cairn_status pg_do(pg_store *s, const char *what, const char *sql, const pg_args *a,
                          int *changed, cairn_error *err)
{
    PGresult *r;
    cairn_status st = pg_run(s, what, sql, a, 0, &r, err);
    if (st == CAIRN_OK && changed != NULL)
        *changed = atoi(PQcmdTuples(r));
    PQclear(r);
    return st;
}

/* A one-value query's integer (0 when no row). */
static cairn_status pg_count(pg_store *s, const char *what, const char *sql, const pg_args *a,
                             long long *n, cairn_error *err)
{
    PGresult *r;
    *n = 0;
    cairn_status st = pg_run(s, what, sql, a, 0, &r, err);
    if (st == CAIRN_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        *n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return st;
}

/* Locked wrappers: every public operation holds the mutex for its statement. */
static cairn_status locked_do(pg_store *s, const char *what, const char *sql, const pg_args *a,
                              int *changed, cairn_error *err)
{
    pthread_mutex_lock(&s->mu);
    cairn_status st = pg_do(s, what, sql, a, changed, err);
    pthread_mutex_unlock(&s->mu);
    return st;
}

static cairn_status locked_count(pg_store *s, const char *what, const char *sql,
                                 const pg_args *a, long long *n, cairn_error *err)
{
    pthread_mutex_lock(&s->mu);
    cairn_status st = pg_count(s, what, sql, a, n, err);
    pthread_mutex_unlock(&s->mu);
    return st;
}

static cairn_status locked_run(pg_store *s, const char *what, const char *sql, const pg_args *a,
                               int binary, PGresult **out, cairn_error *err)
{
    pthread_mutex_lock(&s->mu);
    cairn_status st = pg_run(s, what, sql, a, binary, out, err);
    pthread_mutex_unlock(&s->mu);
    return st;
}

/* The bytea of column 0 of a one-row query with one text parameter, malloc'd; *found = 0 if none. */
static cairn_status pg_bytes(pg_store *s, const char *what, const char *sql, const char *arg,
                             uint8_t **out, size_t *len, int *found, cairn_error *err)
{
    pg_args a = {0};
    PGresult *r;
    *out = NULL;
    *len = 0;
    *found = 0;
    arg_s(&a, arg);
    cairn_status st = locked_run(s, what, sql, &a, 1, &r, err);
    if (st != CAIRN_OK)
        return st;
    if (PQntuples(r) > 0 && !PQgetisnull(r, 0, 0)) {
        size_t n = (size_t)PQgetlength(r, 0, 0);
        if ((*out = malloc(n ? n : 1)) == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "job store: out of memory");
        } else {
            memcpy(*out, PQgetvalue(r, 0, 0), n);
            *len = n;
            *found = 1;
        }
    }
    PQclear(r);
    return st;
}

/* Text column i of row k into a fixed buffer, truncating. */
static void col_text(char *dst, size_t cap, const PGresult *r, int k, int i)
{
    snprintf(dst, cap, "%s", PQgetisnull(r, k, i) ? "" : PQgetvalue(r, k, i));
}

static long long col_int(const PGresult *r, int k, int i)
{
    return PQgetisnull(r, k, i) ? 0 : strtoll(PQgetvalue(r, k, i), NULL, 10);
}

static double col_double(const PGresult *r, int k, int i)
{
    return PQgetisnull(r, k, i) ? 0 : strtod(PQgetvalue(r, k, i), NULL);
}

/* ---- open and migrate ------------------------------------------------------------------------ */

/* Run SQL without parameters (several statements allowed). */
static cairn_status pg_exec(pg_store *s, const char *what, const char *sql, cairn_error *err)
{
    PGresult *r = PQexec(s->conn, sql);
    ExecStatusType t = PQresultStatus(r);
    cairn_status st = CAIRN_OK;
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
        st = pg_fail(s, err, what, r);
    PQclear(r);
    return st;
}

/*
 * Apply the migrations the database lacks, each in its own transaction
 * with its schema_migrations row, under a session advisory lock (another
 * process starting at the same moment waits, then finds them applied).
 */
static cairn_status pg_migrate(pg_store *s, cairn_error *err)
{
    cairn_status st;
    long long v = 0;
    if ((st = pg_exec(s, "locking the schema", "SELECT pg_advisory_lock(" MIGRATION_LOCK ")",
                      err)) != CAIRN_OK)
        return st;
    if ((st = pg_exec(s, "creating schema_migrations",
                      "SET client_min_messages = warning;"
                      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                      " applied_ms BIGINT NOT NULL)",
                      err)) != CAIRN_OK ||
        (st = pg_count(s, "reading the schema version",
                       "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NULL, &v,
                       err)) != CAIRN_OK)
        goto out;
    if (v > (long long)MIGRATIONS) {
        st = cairn_error_set(err, CAIRN_ERR_PARSE,
                             "job store %s: schema version %lld is newer than this cairn (%zu)",
                             s->where, v, (size_t)MIGRATIONS);
        goto out;
    }
    for (; v < (long long)MIGRATIONS; v++) {
        pg_args a = {0};
        arg_i(&a, v + 1);
        if ((st = pg_exec(s, "migrating", "BEGIN", err)) != CAIRN_OK)
            goto out;
        if ((st = pg_exec(s, "migrating", migrations[v], err)) != CAIRN_OK ||
            (st = pg_do(s, "migrating",
                        "INSERT INTO schema_migrations VALUES ($1::int, " NOW_MS ")", &a, NULL,
                        err)) != CAIRN_OK) {
            (void)pg_exec(s, "rolling back", "ROLLBACK", NULL);
            goto out;
        }
        if ((st = pg_exec(s, "migrating", "COMMIT", err)) != CAIRN_OK)
            goto out;
    }
    s->version = (unsigned)v;
out:
    (void)pg_exec(s, "unlocking the schema", "SELECT pg_advisory_unlock(" MIGRATION_LOCK ")", NULL);
    return st;
}

cairn_status cairn_store_open_pg(cairn_store **out, const char *url, cairn_error *err)
{
    *out = NULL;
    pg_store *s = calloc(1, sizeof *s);
    if (s == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "job store: out of memory");
    s->base.ops = &pg_ops;
    s->base.shared = 1;
    pthread_mutex_init(&s->mu, NULL);
    cairn_store_redact(url, s->where, sizeof s->where);
    /* Our defaults first: keywords in the URL, processed later, override them. */
    const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *const vals[] = {"10", "cairn", url, NULL};
    s->conn = PQconnectdbParams(keys, vals, 1);
    cairn_status st;
    if (s->conn == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "job store %s: out of memory", s->where);
        goto fail;
    }
    if (PQstatus(s->conn) != CONNECTION_OK) {
        char msg[400];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(s->conn));
        trim_message(msg);
        st = cairn_error_set(err, CAIRN_ERR_IO, "cannot connect to the job store %s: %s",
                             s->where, msg);
        goto fail;
    }
    if ((st = pg_migrate(s, err)) != CAIRN_OK)
        goto fail;
    *out = &s->base;
    return CAIRN_OK;
fail:
    pg_ops.free(&s->base);
    return st;
}

/* Close the connection and free the handle. */
static void pg_free(cairn_store *b)
{
    pg_store *s = pg(b);
    PQfinish(s->conn);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static unsigned pg_schema_version(cairn_store *b)
{
    return pg(b)->version;
}

/* ---- programs -------------------------------------------------------------------------------- */

/* The first put of a digest wins; a later one only adds bytes a first put lacked. */
static cairn_status pg_program_put(cairn_store *b, const char *digest, const uint8_t *elf,
                                   uint64_t size, cairn_error *err)
{
    pg_args a = {0};
    arg_s(&a, digest);
    arg_i(&a, (long long)size);
    arg_b(&a, elf, elf ? (size_t)size : 0, elf == NULL);
    return locked_do(pg(b), "recording a program",
                     "INSERT INTO programs (digest, size, created_ms, elf)"
                     " VALUES ($1, $2::bigint, " NOW_MS ", $3::bytea)"
                     " ON CONFLICT (digest) DO UPDATE SET elf = excluded.elf"
                     " WHERE programs.elf IS NULL AND excluded.elf IS NOT NULL",
                     &a, NULL, err);
}

static cairn_status pg_program_get(cairn_store *b, const char *digest, uint8_t **elf,
                                   size_t *len, int *found, cairn_error *err)
{
    return pg_bytes(pg(b), "reading a program", "SELECT elf FROM programs WHERE digest = $1",
                    digest, elf, len, found, err);
}

static cairn_status pg_program_exists(cairn_store *b, const char *digest, int *found,
                                      cairn_error *err)
{
    pg_args a = {0};
    long long n;
    arg_s(&a, digest);
    cairn_status st = locked_count(pg(b), "looking up a program",
                                   "SELECT COUNT(*) FROM programs WHERE digest = $1", &a, &n, err);
    *found = st == CAIRN_OK && n > 0;
    return st;
}

/* ---- jobs ------------------------------------------------------------------------------------ */

/* The id of the job created with an idempotency key, under the caller's lock; "" when none. */
static cairn_status idem_lookup(pg_store *s, const char *key, char id[CAIRN_JOB_ID_LEN + 1],
                                cairn_error *err)
{
    pg_args a = {0};
    PGresult *r;
    id[0] = '\0';
    arg_s(&a, key);
    cairn_status st = pg_run(s, "looking up an idempotency key",
                             "SELECT id FROM jobs WHERE idem_key = $1", &a, 0, &r, err);
    if (st == CAIRN_OK && PQntuples(r) > 0)
        col_text(id, CAIRN_JOB_ID_LEN + 1, r, 0, 0);
    PQclear(r);
    return st;
}

/*
 * Idempotency first, then the queue bound (approximate across processes:
 * two API servers may both pass it by one), then an INSERT that a
 * concurrent submission with the same key turns into a lookup.
 */
static cairn_status pg_job_create(cairn_store *b, const cairn_job_request *req,
                                  const char *idem_key, size_t max_queued,
                                  char id[CAIRN_JOB_ID_LEN + 1], int *existing, cairn_error *err)
{
    pg_store *s = pg(b);
    cairn_status st = CAIRN_OK;
    PGresult *r = NULL;
    *existing = 0;
    pthread_mutex_lock(&s->mu);
    if (idem_key != NULL) {
        if ((st = idem_lookup(s, idem_key, id, err)) != CAIRN_OK)
            goto out;
        if (id[0] != '\0') {
            *existing = 1;
            goto out;
        }
    }
    if (max_queued > 0) {
        long long n;
        if ((st = pg_count(s, "counting", "SELECT COUNT(*) FROM jobs WHERE state = 'queued'",
                           NULL, &n, err)) != CAIRN_OK)
            goto out;
        if ((unsigned long long)n >= max_queued) {
            st = cairn_error_set(err, CAIRN_ERR_LIMIT, "queue full: %lld jobs queued (limit %zu)",
                                 n, max_queued);
            goto out;
        }
    }
    if ((st = cairn_store_new_id(id, err)) != CAIRN_OK)
        goto out;
    char digest[CAIRN_DIGEST_HEX_LEN + 1];
    cairn_store_sha256_hex(digest, req->input, req->input_len);
    pg_args a = {0};
    arg_s(&a, id);
    arg_s(&a, req->program);
    arg_b(&a, req->input, req->input_len, 0);
    arg_i(&a, (long long)req->max_cycles);
    arg_i(&a, req->timeout_s);
    arg_i(&a, req->security);
    arg_i(&a, req->priority);
    arg_s(&a, idem_key);
    arg_s(&a, digest);
    if ((st = pg_run(s, "creating a job",
                     "INSERT INTO jobs (id, program, input, max_cycles, timeout_s, security,"
                     " priority, idem_key, state, created_ms, input_sha256) VALUES ($1, $2,"
                     " $3::bytea, $4::bigint, $5::bigint, $6::bigint, $7::bigint, $8, 'queued', "
                     NOW_MS ", $9) ON CONFLICT (idem_key) DO NOTHING RETURNING id",
                     &a, 0, &r, err)) != CAIRN_OK)
        goto out;
    if (PQntuples(r) == 0 && idem_key != NULL) {
        if ((st = idem_lookup(s, idem_key, id, err)) == CAIRN_OK)
            *existing = 1;
    }
out:
    PQclear(r);
    pthread_mutex_unlock(&s->mu);
    return st;
}

#define JOB_COLS                                                                                   \
    "id, program, state, stage, progress, attempts, max_cycles, timeout_s, security, priority,"    \
    " created_ms, started_ms, finished_ms, octet_length(input), error_code, error, proof_file,"    \
    " proof_sha256, proof_size, prove_ms, mode, result, input_sha256, worker"

/* Fill a record from row k of a result selected with JOB_COLS. */
static void job_from_row(cairn_job *j, const PGresult *r, int k)
{
    memset(j, 0, sizeof *j);
    col_text(j->id, sizeof j->id, r, k, 0);
    col_text(j->program, sizeof j->program, r, k, 1);
    int state = cairn_job_state_parse(PQgetvalue(r, k, 2));
    j->state = state < 0 ? CAIRN_JOB_FAILED : (cairn_job_state)state;
    col_text(j->stage, sizeof j->stage, r, k, 3);
    j->progress = col_double(r, k, 4);
    j->attempts = (uint32_t)col_int(r, k, 5);
    j->max_cycles = (uint64_t)col_int(r, k, 6);
    j->timeout_s = (uint32_t)col_int(r, k, 7);
    j->security = (uint32_t)col_int(r, k, 8);
    j->priority = (int32_t)col_int(r, k, 9);
    j->created_ms = col_int(r, k, 10);
    j->started_ms = col_int(r, k, 11);
    j->finished_ms = col_int(r, k, 12);
    j->input_len = (size_t)col_int(r, k, 13);
    col_text(j->error_code, sizeof j->error_code, r, k, 14);
    col_text(j->error, sizeof j->error, r, k, 15);
    col_text(j->proof_file, sizeof j->proof_file, r, k, 16);
    col_text(j->proof_sha256, sizeof j->proof_sha256, r, k, 17);
    j->proof_size = (uint64_t)col_int(r, k, 18);
    j->prove_ms = col_double(r, k, 19);
    col_text(j->mode, sizeof j->mode, r, k, 20);
    j->result = PQgetisnull(r, k, 21) ? NULL : strdup(PQgetvalue(r, k, 21));
    col_text(j->input_sha256, sizeof j->input_sha256, r, k, 22);
    col_text(j->worker, sizeof j->worker, r, k, 23);
}

static cairn_status pg_job_get(cairn_store *b, const char *id, cairn_job *job, int *found,
                               cairn_error *err)
{
    pg_store *s = pg(b);
    pg_args a = {0};
    PGresult *r;
    *found = 0;
    arg_s(&a, id);
    cairn_status st = locked_run(s, "reading a job", "SELECT " JOB_COLS " FROM jobs WHERE id = $1", &a, 0, &r, err);
    if (st != CAIRN_OK)
        return st;
    if (PQntuples(r) > 0) {
        job_from_row(job, r, 0);
        *found = 1;
    }
    PQclear(r);
    return CAIRN_OK;
}

/* Keyset paging on seq, as in the SQLite store. */
static cairn_status pg_job_list(cairn_store *b, int state, const char *after, size_t limit,
                                cairn_job **jobs, size_t *n, cairn_error *err)
{
    pg_store *s = pg(b);
    pg_args a = {0};
    PGresult *r;
    *jobs = NULL;
    *n = 0;
    if (limit == 0)
        return CAIRN_OK;
    arg_i(&a, state);
    arg_s(&a, state >= 0 ? cairn_job_state_name((cairn_job_state)state) : "");
    arg_s(&a, after ? after : "");
    arg_i(&a, (long long)limit);
    cairn_status st = locked_run(s, "listing jobs",
                             "SELECT " JOB_COLS " FROM jobs WHERE ($1::int < 0 OR state = $2)"
                             " AND ($3 = '' OR seq < COALESCE((SELECT seq FROM jobs"
                             " WHERE id = $3), -1)) ORDER BY seq DESC LIMIT $4::bigint",
                             &a, 0, &r, err);
    if (st != CAIRN_OK)
        return st;
    size_t rows = (size_t)PQntuples(r);
    cairn_job *out = calloc(rows ? rows : 1, sizeof *out);
    if (out == NULL) {
        PQclear(r);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "job list: out of memory");
    }
    for (size_t i = 0; i < rows; i++)
        job_from_row(&out[i], r, (int)i);
    PQclear(r);
    *jobs = out;
    *n = rows;
    return CAIRN_OK;
}

/*
 * One statement: lock the best queued row no one else is locking (SKIP
 * LOCKED), lease it to the worker until now() + lease_s, and open the
 * attempt's record with the worker and the database's time.
 */
static cairn_status pg_job_claim(cairn_store *b, const char *worker, uint32_t lease_s,
                                 cairn_job *job, int *got, cairn_error *err)
{
    pg_store *s = pg(b);
    pg_args a = {0};
    PGresult *r;
    *got = 0;
    arg_s(&a, worker ? worker : "");
    arg_i(&a, lease_s);
    cairn_status st = locked_run(
        s, "claiming a job",
        "WITH c AS (SELECT seq FROM jobs WHERE state = 'queued'"
        " ORDER BY priority DESC, seq LIMIT 1 FOR UPDATE SKIP LOCKED),"
        " u AS (UPDATE jobs j SET state = 'running', attempts = j.attempts + 1,"
        " started_ms = " NOW_MS ", stage = 'starting', progress = 0, worker = $1,"
        " lease_expires_ms = " NOW_MS " + $2::bigint * 1000 FROM c WHERE j.seq = c.seq"
        " RETURNING j.id, j.attempts),"
        " a AS (INSERT INTO job_attempts (job_id, attempt, mode, threads, outcome, error,"
        " started_ms, finished_ms, worker) SELECT id, attempts, '', 0, 'running', '', " NOW_MS
        ", 0, $1 FROM u ON CONFLICT (job_id, attempt) DO UPDATE SET outcome = 'running',"
        " error = '', started_ms = excluded.started_ms, finished_ms = 0, worker = excluded.worker)"
        " SELECT id FROM u",
        &a, 0, &r, err);
    if (st != CAIRN_OK)
        return st;
    char id[CAIRN_JOB_ID_LEN + 1] = "";
    if (PQntuples(r) > 0)
        col_text(id, sizeof id, r, 0, 0);
    PQclear(r);
    if (id[0] == '\0')
        return CAIRN_OK;
    return pg_job_get(b, id, job, got, err);
}

/* The fence every report of a worker passes: its attempt, running, lease not expired. */
#define HELD "state = 'running' AND attempts = $2::bigint AND lease_expires_ms > " NOW_MS

static cairn_status pg_job_heartbeat(cairn_store *b, const char *id, uint32_t attempt,
                                     const char *worker, uint32_t lease_s, int *ok,
                                     cairn_error *err)
{
    pg_args a = {0};
    int changed = 0;
    arg_s(&a, id);
    arg_i(&a, attempt);
    arg_s(&a, worker ? worker : "");
    arg_i(&a, lease_s);
    cairn_status st = locked_do(pg(b), "renewing a lease",
                                "UPDATE jobs SET lease_expires_ms = " NOW_MS " + $4::bigint * 1000"
                                " WHERE id = $1 AND worker = $3 AND " HELD,
                                &a, &changed, err);
    *ok = st == CAIRN_OK && changed == 1;
    return st;
}

static cairn_status pg_job_release(cairn_store *b, const char *id, uint32_t attempt,
                                   const char *worker, int *ok, cairn_error *err)
{
    pg_args a = {0};
    long long n = 0;
    arg_s(&a, id);
    arg_i(&a, attempt);
    arg_s(&a, worker ? worker : "");
    arg_s(&a, CAIRN_STORE_RELEASED_ERROR);
    cairn_status st = locked_count(
        pg(b), "releasing a job",
        "WITH u AS (UPDATE jobs SET state = 'queued', stage = 'requeued', progress = 0,"
        " lease_expires_ms = 0 WHERE id = $1 AND attempts = $2::bigint AND worker = $3"
        " AND state = 'running' RETURNING id),"
        " x AS (UPDATE job_attempts t SET outcome = 'released', error = $4, finished_ms = " NOW_MS
        " FROM u WHERE t.job_id = u.id AND t.attempt = $2::bigint AND t.finished_ms = 0)"
        " SELECT COUNT(*) FROM u",
        &a, &n, err);
    *ok = st == CAIRN_OK && n == 1;
    return st;
}

/* Requeue or fail the expired, closing their attempts, in one statement. */
static cairn_status pg_expire(cairn_store *b, uint32_t max_attempts, size_t *requeued,
                              size_t *failed, cairn_error *err)
{
    pg_store *s = pg(b);
    pg_args a = {0};
    PGresult *r;
    *requeued = *failed = 0;
    arg_i(&a, max_attempts);
    arg_s(&a, CAIRN_STORE_EXPIRED_ERROR);
    cairn_status st = locked_run(
        s, "requeueing expired leases",
        "WITH e AS (UPDATE jobs SET"
        " state = CASE WHEN attempts >= $1::bigint THEN 'failed' ELSE 'queued' END,"
        " stage = CASE WHEN attempts >= $1::bigint THEN 'done' ELSE 'requeued' END,"
        " progress = 0,"
        " error_code = CASE WHEN attempts >= $1::bigint THEN 'interrupted' ELSE error_code END,"
        " error = CASE WHEN attempts >= $1::bigint THEN 'the lease expired during each of its '"
        " || attempts || ' attempts' ELSE error END,"
        " finished_ms = CASE WHEN attempts >= $1::bigint THEN " NOW_MS " ELSE finished_ms END,"
        " lease_expires_ms = 0"
        " WHERE state = 'running' AND lease_expires_ms < " NOW_MS " RETURNING id, attempts, state),"
        " x AS (UPDATE job_attempts t SET outcome = 'lease_expired', error = $2,"
        " finished_ms = " NOW_MS " FROM e WHERE t.job_id = e.id AND t.attempt = e.attempts"
        " AND t.finished_ms = 0)"
        " SELECT COUNT(*) FILTER (WHERE state = 'queued'),"
        " COUNT(*) FILTER (WHERE state = 'failed') FROM e",
        &a, 0, &r, err);
    if (st != CAIRN_OK)
        return st;
    if (PQntuples(r) > 0) {
        *requeued = (size_t)col_int(r, 0, 0);
        *failed = (size_t)col_int(r, 0, 1);
    }
    PQclear(r);
    return CAIRN_OK;
}

static cairn_status pg_job_proof(cairn_store *b, const char *id, uint8_t **proof, size_t *len,
                                 int *found, cairn_error *err)
{
    return pg_bytes(pg(b), "reading a proof",
                    "SELECT proof FROM jobs WHERE id = $1 AND state = 'succeeded'", id, proof,
                    len, found, err);
}

/* attempts + 1 on a job still running its attempt, opening the new attempt's record. */
static cairn_status pg_job_retry(cairn_store *b, const char *id, uint32_t attempt, int *ok,
                                 cairn_error *err)
{
    pg_args a = {0};
    long long n = 0;
    arg_s(&a, id);
    arg_i(&a, attempt);
    cairn_status st = locked_count(
        pg(b), "retrying a job",
        "WITH u AS (UPDATE jobs SET attempts = attempts + 1, stage = 'retrying', progress = 0"
        " WHERE id = $1 AND " HELD " RETURNING id, attempts, worker),"
        " c AS (UPDATE job_attempts t SET finished_ms = " NOW_MS " FROM u WHERE t.job_id = u.id"
        " AND t.attempt = $2::bigint AND t.finished_ms = 0),"
        " i AS (INSERT INTO job_attempts (job_id, attempt, mode, threads, outcome, error,"
        " started_ms, finished_ms, worker) SELECT id, attempts, '', 0, 'running', '', " NOW_MS
        ", 0, worker FROM u ON CONFLICT (job_id, attempt) DO NOTHING)"
        " SELECT COUNT(*) FROM u",
        &a, &n, err);
    *ok = st == CAIRN_OK && n == 1;
    return st;
}

static cairn_status pg_job_progress(cairn_store *b, const char *id, uint32_t attempt,
                                    const char *stage, double progress, cairn_error *err)
{
    pg_args a = {0};
    arg_s(&a, id);
    arg_i(&a, attempt);
    arg_s(&a, stage);
    arg_d(&a, progress);
    return locked_do(pg(b), "recording progress",
                     "UPDATE jobs SET stage = $3, progress = $4::float8"
                     " WHERE id = $1 AND state = 'running' AND attempts = $2::bigint",
                     &a, NULL, err);
}

/* The fenced UPDATE that makes a result final, closing the attempt at the database's time. */
static cairn_status pg_job_finish(cairn_store *b, const char *id, uint32_t attempt,
                                  const cairn_job_outcome *o, int *applied, cairn_error *err)
{
    pg_args a = {0};
    long long n = 0;
    arg_s(&a, id);
    arg_i(&a, attempt);
    arg_s(&a, cairn_job_state_name(o->state));
    arg_s(&a, o->error_code ? o->error_code : "");
    arg_s(&a, o->error ? o->error : "");
    arg_s(&a, o->proof_file ? o->proof_file : "");
    arg_s(&a, o->proof_sha256 ? o->proof_sha256 : "");
    arg_i(&a, (long long)o->proof_size);
    arg_d(&a, o->prove_ms);
    arg_s(&a, o->mode ? o->mode : "");
    arg_s(&a, o->result);
    arg_d(&a, o->state == CAIRN_JOB_SUCCEEDED ? 1.0 : 0.0);
    arg_b(&a, o->proof, o->proof_len, o->proof == NULL);
    arg_s(&a, o->worker ? o->worker : "");
    cairn_status st = locked_count(
        pg(b), "finishing a job",
        "WITH u AS (UPDATE jobs SET state = $3, error_code = $4, error = $5, proof_file = $6,"
        " proof_sha256 = $7, proof_size = $8::bigint, prove_ms = $9::float8, mode = $10,"
        " result = $11, finished_ms = " NOW_MS ", stage = 'done', progress = $12::float8,"
        " proof = $13::bytea, lease_expires_ms = 0"
        " WHERE id = $1 AND ($14 = '' OR worker = $14) AND " HELD " RETURNING id),"
        " x AS (UPDATE job_attempts t SET finished_ms = " NOW_MS " FROM u WHERE t.job_id = u.id"
        " AND t.attempt = $2::bigint AND t.finished_ms = 0)"
        " SELECT COUNT(*) FROM u",
        &a, &n, err);
    *applied = st == CAIRN_OK && n == 1;
    return st;
}

/* Lock the row, cancel it when queued or running, and answer the state it had. */
static cairn_status pg_job_cancel(cairn_store *b, const char *id, int *prev, cairn_error *err)
{
    pg_store *s = pg(b);
    pg_args a = {0};
    PGresult *r;
    *prev = -1;
    arg_s(&a, id);
    cairn_status st = locked_run(
        s, "cancelling a job",
        "WITH old AS (SELECT id, state, attempts FROM jobs WHERE id = $1 FOR UPDATE),"
        " u AS (UPDATE jobs j SET state = 'cancelled', error_code = 'cancelled',"
        " error = 'cancelled by a client', finished_ms = " NOW_MS ", stage = 'done',"
        " lease_expires_ms = 0 FROM old WHERE j.id = old.id"
        " AND old.state IN ('queued', 'running') RETURNING j.id),"
        " x AS (UPDATE job_attempts t SET finished_ms = " NOW_MS " FROM old, u"
        " WHERE t.job_id = old.id AND t.attempt = old.attempts AND t.finished_ms = 0)"
        " SELECT state FROM old",
        &a, 0, &r, err);
    if (st != CAIRN_OK)
        return st;
    if (PQntuples(r) > 0)
        *prev = cairn_job_state_parse(PQgetvalue(r, 0, 0));
    PQclear(r);
    return CAIRN_OK;
}

/* ---- attempts -------------------------------------------------------------------------------- */

/*
 * Upsert the worker's fields; the times are the database's, and an attempt
 * the store closed itself (lease_expired, released) keeps its outcome.
 */
static cairn_status pg_attempt_record(cairn_store *b, const char *id, const cairn_job_attempt *at,
                                      cairn_error *err)
{
    pg_args a = {0};
    arg_s(&a, id);
    arg_i(&a, at->attempt);
    arg_s(&a, at->mode);
    arg_i(&a, at->threads);
    arg_s(&a, at->outcome);
    arg_s(&a, at->error);
    arg_i(&a, at->finished_ms);
    arg_s(&a, at->worker);
    return locked_do(
        pg(b), "recording an attempt",
        "INSERT INTO job_attempts (job_id, attempt, mode, threads, outcome, error, started_ms,"
        " finished_ms, worker) VALUES ($1, $2::bigint, $3, $4::bigint, $5, $6, " NOW_MS ","
        " CASE WHEN $7::bigint > 0 THEN " NOW_MS " ELSE 0 END, $8)"
        " ON CONFLICT (job_id, attempt) DO UPDATE SET mode = excluded.mode,"
        " threads = excluded.threads,"
        " outcome = CASE WHEN job_attempts.outcome IN ('lease_expired', 'released')"
        " THEN job_attempts.outcome ELSE excluded.outcome END,"
        " error = CASE WHEN job_attempts.outcome IN ('lease_expired', 'released')"
        " THEN job_attempts.error ELSE excluded.error END,"
        " finished_ms = CASE WHEN job_attempts.finished_ms > 0 THEN job_attempts.finished_ms"
        " ELSE excluded.finished_ms END,"
        " worker = CASE WHEN job_attempts.worker = '' THEN excluded.worker"
        " ELSE job_attempts.worker END",
        &a, NULL, err);
}

static cairn_status pg_attempt_list(cairn_store *b, const char *id, cairn_job_attempt **out,
                                    size_t *n, cairn_error *err)
{
    pg_store *s = pg(b);
    pg_args a = {0};
    PGresult *r;
    *out = NULL;
    *n = 0;
    arg_s(&a, id);
    cairn_status st = locked_run(s, "listing attempts",
                             "SELECT attempt, mode, threads, outcome, error, started_ms,"
                             " finished_ms, worker FROM job_attempts WHERE job_id = $1"
                             " ORDER BY attempt",
                             &a, 0, &r, err);
    if (st != CAIRN_OK)
        return st;
    size_t rows = (size_t)PQntuples(r);
    if (rows > 0) {
        if ((*out = calloc(rows, sizeof **out)) == NULL) {
            PQclear(r);
            return cairn_error_set(err, CAIRN_ERR_NOMEM, "attempt list: out of memory");
        }
        for (size_t i = 0; i < rows; i++) {
            cairn_job_attempt *t = &(*out)[i];
            int k = (int)i;
            t->attempt = (uint32_t)col_int(r, k, 0);
            col_text(t->mode, sizeof t->mode, r, k, 1);
            t->threads = (uint32_t)col_int(r, k, 2);
            col_text(t->outcome, sizeof t->outcome, r, k, 3);
            col_text(t->error, sizeof t->error, r, k, 4);
            t->started_ms = col_int(r, k, 5);
            t->finished_ms = col_int(r, k, 6);
            col_text(t->worker, sizeof t->worker, r, k, 7);
        }
    }
    *n = rows;
    PQclear(r);
    return CAIRN_OK;
}

static cairn_status pg_job_input(cairn_store *b, const char *id, uint8_t **input, size_t *len,
                                 cairn_error *err)
{
    int found = 0;
    cairn_status st = pg_bytes(pg(b), "reading a job's input",
                               "SELECT input FROM jobs WHERE id = $1", id, input, len, &found,
                               err);
    if (st == CAIRN_OK && !found)
        return cairn_error_set(err, CAIRN_ERR_ARG, "job %s: no such job", id);
    if (st == CAIRN_OK && *len == 0) {
        free(*input);
        *input = NULL;
    }
    return st;
}

/* Running jobs belong to workers elsewhere: recovery is the expiry of their leases. */
static cairn_status pg_recover(cairn_store *b, uint32_t max_attempts, size_t *requeued,
                               size_t *failed, cairn_error *err)
{
    return pg_expire(b, max_attempts, requeued, failed, err);
}

static cairn_status pg_stats_get(cairn_store *b, cairn_store_stats *out, cairn_error *err)
{
    pg_store *s = pg(b);
    PGresult *r;
    memset(out, 0, sizeof *out);
    cairn_status st = locked_run(s, "counting jobs",
                             "SELECT state, COUNT(*), SUM(CASE WHEN state = 'succeeded'"
                             " THEN prove_ms ELSE 0 END) FROM jobs GROUP BY state",
                             NULL, 0, &r, err);
    if (st != CAIRN_OK)
        return st;
    for (int k = 0; k < PQntuples(r); k++) {
        int i = cairn_job_state_parse(PQgetvalue(r, k, 0));
        if (i >= 0)
            out->by_state[i] = (uint64_t)col_int(r, k, 1);
        out->prove_seconds += col_double(r, k, 2) / 1e3;
    }
    PQclear(r);
    return CAIRN_OK;
}

/* Hand the proof files of the old terminal jobs to the caller, then delete the rows. */
static cairn_status pg_purge(cairn_store *b, int64_t before_ms,
                             void (*on_delete)(void *ctx, const char *proof_file), void *ctx,
                             size_t *deleted, cairn_error *err)
{
    pg_store *s = pg(b);
    pg_args a = {0};
    PGresult *r;
    long long n = 0;
    *deleted = 0;
    arg_i(&a, before_ms);
#define TERMINAL                                                                                   \
    "state IN ('succeeded', 'failed', 'timed_out', 'cancelled') AND finished_ms > 0"              \
    " AND finished_ms < $1::bigint"
    pthread_mutex_lock(&s->mu);
    cairn_status st = pg_run(s, "purging jobs", "SELECT proof_file FROM jobs WHERE " TERMINAL
                             " AND proof_file <> ''", &a, 0, &r, err);
    if (st == CAIRN_OK) {
        for (int k = 0; on_delete != NULL && k < PQntuples(r); k++)
            on_delete(ctx, PQgetvalue(r, k, 0));
        PQclear(r);
        st = pg_count(s, "purging jobs",
                      "WITH d AS (DELETE FROM jobs WHERE " TERMINAL " RETURNING id),"
                      " t AS (DELETE FROM job_attempts WHERE job_id IN (SELECT id FROM d))"
                      " SELECT COUNT(*) FROM d",
                      &a, &n, err);
    }
#undef TERMINAL
    pthread_mutex_unlock(&s->mu);
    *deleted = st == CAIRN_OK ? (size_t)n : 0;
    return st;
}

static const struct cairn_store_ops pg_ops = {
    .free = pg_free,
    .schema_version = pg_schema_version,
    .program_put = pg_program_put,
    .program_get = pg_program_get,
    .program_exists = pg_program_exists,
    .job_create = pg_job_create,
    .job_get = pg_job_get,
    .job_list = pg_job_list,
    .job_claim = pg_job_claim,
    .job_heartbeat = pg_job_heartbeat,
    .job_release = pg_job_release,
    .expire = pg_expire,
    .job_proof = pg_job_proof,
    .job_retry = pg_job_retry,
    .job_progress = pg_job_progress,
    .job_finish = pg_job_finish,
    .job_cancel = pg_job_cancel,
    .attempt_record = pg_attempt_record,
    .attempt_list = pg_attempt_list,
    .job_input = pg_job_input,
    .recover = pg_recover,
    .stats_get = pg_stats_get,
    .purge = pg_purge,
};
