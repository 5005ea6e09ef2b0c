/*
 * cairn/service.h — the proving service behind `cairn serve`: an HTTP/1.1
 * API (libmicrohttpd) over a job store (cairn/store.h), with workers that
 * prove each job in a child process running `cairn prove`.
 *
 * Guarantees (docs/service.md): an accepted job survives a crash of the
 * service (it is requeued at the next start, or with a shared PostgreSQL
 * store when its lease expires, up to max_attempts); a proof
 * is served only after it was written completely and recorded for the
 * job's current attempt; a timeout, a cancellation, a crash or an
 * out-of-memory of one proof ends that job with its cause and never the
 * service; a proof that fails for lack of memory is retried once with
 * fallback_threads.
 */
#ifndef CAIRN_SERVICE_H
#define CAIRN_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

typedef struct {
    const char *listen;        /* "ADDR:PORT" (IPv4); port 0 picks a free one; NULL: no API
                                  (a worker process, `cairn worker`) */
    const char *db_path;       /* the job store: a SQLite file, sqlite:FILE or postgres://URL */
    const char *data_dir;      /* programs/, proofs/, tmp/ live here */
    const char *prover;        /* the cairn executable the children run */
    const char *token;         /* bearer token guarding every route but /healthz; NULL: none */
    unsigned workers;          /* concurrent proofs; 0: the API alone */
    const char *worker_name;   /* the workers' name in the store (default HOST:PID; NAME/i
                                  when there are several) */
    unsigned lease_s;          /* lease of a claimed job, renewed by heartbeat (default 60) */
    unsigned threads;          /* prover threads per proof */
    unsigned fallback_threads; /* threads of the retry after an out-of-memory */
    unsigned job_timeout_s;    /* default per-job timeout */
    unsigned max_attempts;     /* attempts interrupted by crashes before a job fails */
    unsigned retention_days;   /* terminal jobs older than this are deleted; 0 keeps all */
    uint64_t job_memory;       /* address-space cap of each child, bytes; 0 for none */
    size_t max_body;           /* largest request body */
    size_t max_queue;          /* queued jobs beyond which submissions get 429 */
    /* Called once the socket listens, with the port (for "listening on" and tests). */
    void (*on_listen)(void *ctx, unsigned port);
    void *ctx;
} cairn_serve_config;

/* Defaults: loopback:8080, cairn-data/, one thread per proof, workers = cores, 600 s. */
void cairn_serve_config_init(cairn_serve_config *cfg);

typedef struct cairn_server cairn_server;

/*
 * Open the store (recovering jobs a crash left running), prepare the data
 * directory, listen, and start the workers.  CAIRN_ERR_IO naming what
 * could not be opened or bound; CAIRN_ERR_ARG for a bad listen address.
 */
cairn_status cairn_server_start(cairn_server **out, const cairn_serve_config *cfg,
                                cairn_error *err);

/*
 * Stop listening, stop the workers (a running proof is stopped and its job
 * released: queued again at once, for this or another process) and free.
 * Safe on NULL.
 */
void cairn_server_stop(cairn_server *s);

/* ---- base64, the encoding of binary fields in the JSON API ---- */

/*
 * Decode standard base64 (RFC 4648 §4, padding required, no whitespace)
 * into a malloc'd buffer (*out, NULL when empty).  CAIRN_ERR_PARSE naming
 * the offset of the first bad character; CAIRN_ERR_LIMIT beyond max
 * decoded bytes; CAIRN_ERR_NOMEM.
 */
cairn_status cairn_base64_decode(uint8_t **out, size_t *out_len, const char *s, size_t len,
                                 size_t max, cairn_error *err);
/* Encode into a malloc'd NUL-terminated string; NULL when out of memory. */
char *cairn_base64_encode(const uint8_t *b, size_t len);

#endif /* CAIRN_SERVICE_H */
