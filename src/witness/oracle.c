/*
 * oracle.c — the witness oracle: the rows of a run presented as a
 * cairn_rows source (cairn/rows.h), from a materialised table or by
 * regenerating them from checkpoints with worker threads (DESIGN.md §3).
 *
 * Replay backend, one stream over [a, b):
 *   - rows [a, min(b, T)) are cut into chunks of chunk_rows rows; chunk u
 *     is produced by worker u mod M into its slot (u / M) mod depth;
 *   - a worker positions its VM at the chunk's first cycle s: it keeps
 *     going from where its previous chunk ended when that is at or before
 *     s and either not before the checkpoint floor(s / C) or at most
 *     RUN_AHEAD cycles behind s; otherwise it restores that checkpoint
 *     (digest-checked); it covers the gap with the plain interpreter and
 *     then traces the chunk's cycles;
 *   - the calling thread hands chunks to the consumer in order, then the
 *     padding rows [max(a, T), b) from one reused buffer.
 * Synchronisation is the protocol of witness_internal.h: one mutex, two
 * condition variables, slots owned by the worker while empty and by the
 * consumer while full.  Memory per stream: M VMs plus M * (depth + 1)
 * chunks, whatever T is.  The rows do not depend on M, chunk_rows or
 * depth, which is what the tests check.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "witness_internal.h"

#define DEFAULT_CHUNK 4096u
/* A worker runs on rather than restoring when the gap is at most this many
   cycles (about a millisecond of plain execution, less than a restore). */
#define RUN_AHEAD (UINT64_C(1) << 20)
#define TABLE_BATCH 65536u

struct cairn_witness_oracle {
    cairn_rows rows;
    uint64_t cycles;
    uint32_t final_pc;
    size_t chunk;
    cairn_witness_stats stats; /* updated by the thread that streams */
    /* materialised */
    cairn_fp *table;
    /* replay */
    const cairn_checkpoints *cp;
    const cairn_program *prog;
    const uint8_t *input;
    size_t input_len;
    struct wit_code code;
    unsigned threads, depth;
    uint64_t vm_bytes; /* memory of one replay VM (region + decode table) */
};

static cairn_witness_oracle *oracle_alloc(void)
{
    return calloc(1, sizeof(cairn_witness_oracle));
}

void cairn_witness_oracle_free(cairn_witness_oracle *o)
{
    if (o == NULL)
        return;
    free(o->table);
    wit_code_clear(&o->code);
    free(o);
}

const cairn_rows *cairn_witness_oracle_rows(const cairn_witness_oracle *o) { return &o->rows; }
uint64_t cairn_witness_oracle_cycles(const cairn_witness_oracle *o) { return o->cycles; }

void cairn_witness_oracle_stats(const cairn_witness_oracle *o, cairn_witness_stats *out)
{
    *out = o->stats;
}

cairn_status cairn_witness_oracle_stream(const cairn_witness_oracle *o, uint64_t a, uint64_t b,
                                         cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    return cairn_rows_stream(&o->rows, a, b, consume, ctx, err);
}

/* ---- materialised backend ---------------------------------------------------------------- */

static cairn_status table_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                                 cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    cairn_witness_oracle *o = src->impl;
    uint64_t step = o->chunk > 0 ? o->chunk : b - a;
    cairn_status st = CAIRN_OK;
    for (uint64_t r = a; r < b && st == CAIRN_OK; r += step) {
        uint64_t n = b - r < step ? b - r : step;
        st = consume(ctx, r, o->table + r * CAIRN_WIT_WIDTH, (size_t)n, err);
        if (st == CAIRN_OK)
            o->stats.rows += n;
    }
    o->stats.streams++;
    return st;
}

/*
 * Trace the whole run in batches, growing the table by doubling, then pad
 * it to a power of two.  The table is the linear-space mode of DESIGN.md
 * §3 and the reference the replay backend is tested against.
 */
cairn_status cairn_witness_oracle_new_table(cairn_witness_oracle **out, const cairn_program *prog,
                                            const cairn_vm_config *cfg, const uint8_t *input,
                                            size_t input_len, uint64_t max_cycles,
                                            size_t chunk_rows, cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    cairn_vm vm;
    cairn_vm_trace_rec *recs = NULL;
    cairn_witness_oracle *o = NULL;
    uint64_t cap = 0;
    memset(&vm, 0, sizeof vm);
    *out = NULL;
    cairn_vm_config c;
    if (cfg != NULL)
        c = *cfg;
    else
        cairn_vm_config_init(&c);
    c.write = NULL;
    c.write_ctx = NULL;
    if ((st = cairn_vm_init(&vm, prog, &c, err)) != CAIRN_OK)
        return st;
    cairn_vm_set_input(&vm, input, input_len);
    o = oracle_alloc();
    recs = malloc(TABLE_BATCH * sizeof *recs);
    if (o == NULL || recs == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the witness table");
        goto out;
    }
    if ((st = wit_code_init(&o->code, &vm, err)) != CAIRN_OK)
        goto out;
    const uint64_t row_bytes = CAIRN_WIT_WIDTH * sizeof(cairn_fp);
    while (vm.halt == CAIRN_VM_RUNNING && vm.cycles < max_cycles) {
        uint64_t at = vm.cycles;
        uint64_t bound = max_cycles - at < TABLE_BATCH ? max_cycles : at + TABLE_BATCH;
        if (at + TABLE_BATCH > cap) {
            uint64_t ncap = cap ? cap * 2 : TABLE_BATCH;
            if (ncap > SIZE_MAX / row_bytes) {
                st = cairn_error_set(err, CAIRN_ERR_LIMIT, "witness table of %llu rows does not fit in memory",
                                     (unsigned long long)ncap);
                goto out;
            }
            cairn_fp *nt = realloc(o->table, (size_t)(ncap * row_bytes));
            if (nt == NULL) {
                st = cairn_error_set(err, CAIRN_ERR_NOMEM, "cannot allocate a witness table of %llu rows",
                                     (unsigned long long)ncap);
                goto out;
            }
            o->table = nt;
            cap = ncap;
        }
        if ((st = cairn_vm_run_traced(&vm, bound, recs, NULL, 0, err)) != CAIRN_OK)
            goto out;
        wit_rows_fill(o->table + at * CAIRN_WIT_WIDTH, at, recs, (size_t)(vm.cycles - at), &o->code);
        if (vm.cycles == at)
            break; /* halted without progress */
    }
    uint64_t padded = cairn_wit_padded_rows(vm.cycles);
    if (padded > SIZE_MAX / row_bytes) {
        st = cairn_error_set(err, CAIRN_ERR_LIMIT, "witness table does not fit in memory");
        goto out;
    }
    if (padded > cap) {
        cairn_fp *nt = realloc(o->table, (size_t)(padded * row_bytes));
        if (nt == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "cannot allocate the witness table");
            goto out;
        }
        o->table = nt;
    }
    wit_rows_pad(o->table + vm.cycles * CAIRN_WIT_WIDTH, vm.cycles, (size_t)(padded - vm.cycles),
                 vm.pc);
    o->cycles = vm.cycles;
    o->final_pc = vm.pc;
    o->chunk = chunk_rows;
    o->stats.peak_bytes = padded * row_bytes;
    o->rows.rows_len = padded;
    o->rows.width = CAIRN_WIT_WIDTH;
    o->rows.stream = table_stream;
    o->rows.impl = o;
    wit_code_clear(&o->code);
    *out = o;
    o = NULL;
out:
    free(recs);
    cairn_vm_clear(&vm);
    cairn_witness_oracle_free(o);
    return st;
}

/* ---- replay backend ------------------------------------------------------------------------ */

struct slot {
    cairn_fp *rows;
    size_t count;
    int full;          /* 0: the worker's, 1: the consumer's */
    cairn_status st;   /* the worker's status for this chunk */
    cairn_error err;
};

struct rstream;

struct worker {
    struct rstream *s;
    unsigned id;
    pthread_t th;
    int started;
    cairn_vm vm;
    int positioned; /* vm holds a state of this run */
    cairn_vm_trace_rec *recs;
    struct slot *slots;
    uint64_t restores;
};

struct rstream {
    cairn_witness_oracle *o;
    uint64_t a, end, nunits;
    unsigned m, depth;
    pthread_mutex_t mu;
    pthread_cond_t cv_full, cv_free;
    int stop;
    struct worker *w;
};

/*
 * Produce chunk u into `sl` (which the worker owns: it is empty).  The VM
 * is moved to the chunk's first cycle by running on or by restoring the
 * nearest checkpoint at or before it, then the chunk is traced.
 */
static cairn_status produce(struct worker *w, uint64_t u, struct slot *sl, cairn_error *err)
{
    struct rstream *s = w->s;
    const cairn_witness_oracle *o = s->o;
    const cairn_ckpt_header *h = cairn_checkpoints_header(o->cp);
    uint64_t s0 = s->a + u * o->chunk;
    uint64_t e0 = s->end - s0 < o->chunk ? s->end : s0 + o->chunk;
    uint64_t ck = s0 / h->interval;
    cairn_status st;
    int run_on = w->positioned && w->vm.cycles <= s0 &&
                 (w->vm.cycles >= ck * h->interval || s0 - w->vm.cycles <= RUN_AHEAD);
    if (!run_on) {
        w->positioned = 0;
        if ((st = cairn_checkpoints_restore(&w->vm, o->cp, o->prog, ck, err)) != CAIRN_OK)
            return st;
        w->restores++;
        w->positioned = 1;
    }
    if (w->vm.cycles < s0 && (st = cairn_vm_run(&w->vm, s0, err)) != CAIRN_OK)
        return st;
    if (w->vm.cycles != s0 || w->vm.halt != CAIRN_VM_RUNNING) {
        w->positioned = 0;
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "replay stopped at cycle %llu (%s) before cycle %llu: the checkpoints "
                               "do not describe this run",
                               (unsigned long long)w->vm.cycles, cairn_vm_halt_str(w->vm.halt),
                               (unsigned long long)s0);
    }
    if ((st = cairn_vm_run_traced(&w->vm, e0, w->recs, NULL, 0, err)) != CAIRN_OK)
        return st;
    if (w->vm.cycles != e0) {
        w->positioned = 0;
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "replay stopped at cycle %llu before cycle %llu: the checkpoints do "
                               "not describe this run",
                               (unsigned long long)w->vm.cycles, (unsigned long long)e0);
    }
    wit_rows_fill(sl->rows, s0, w->recs, (size_t)(e0 - s0), &o->code);
    sl->count = (size_t)(e0 - s0);
    return CAIRN_OK;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct rstream *s = w->s;
    for (uint64_t u = w->id; u < s->nunits; u += s->m) {
        struct slot *sl = &w->slots[(u / s->m) % s->depth];
        pthread_mutex_lock(&s->mu);
        while (sl->full && !s->stop)
            pthread_cond_wait(&s->cv_free, &s->mu);
        int stop = s->stop;
        pthread_mutex_unlock(&s->mu);
        if (stop)
            break;
        cairn_error_clear(&sl->err);
        cairn_status st = produce(w, u, sl, &sl->err);
        pthread_mutex_lock(&s->mu);
        sl->st = st;
        sl->full = 1;
        pthread_cond_broadcast(&s->cv_full);
        pthread_mutex_unlock(&s->mu);
        if (st != CAIRN_OK)
            break;
    }
    return NULL;
}

static void worker_free(struct worker *w, unsigned depth)
{
    cairn_vm_clear(&w->vm);
    free(w->recs);
    for (unsigned k = 0; w->slots != NULL && k < depth; k++)
        free(w->slots[k].rows);
    free(w->slots);
}

/* Deliver padding rows [p, b) in chunks from one buffer. */
static cairn_status stream_padding(cairn_witness_oracle *o, uint64_t p, uint64_t b,
                                   cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    size_t n = b - p < o->chunk ? (size_t)(b - p) : o->chunk;
    cairn_fp *buf = malloc(n * CAIRN_WIT_WIDTH * sizeof *buf);
    cairn_status st = CAIRN_OK;
    if (buf == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for padding rows");
    if (n * CAIRN_WIT_WIDTH * sizeof *buf > o->stats.peak_bytes)
        o->stats.peak_bytes = n * CAIRN_WIT_WIDTH * sizeof *buf;
    for (uint64_t r = p; r < b && st == CAIRN_OK; r += n) {
        size_t k = b - r < n ? (size_t)(b - r) : n;
        wit_rows_pad(buf, r, k, o->final_pc);
        st = consume(ctx, r, buf, k, err);
        if (st == CAIRN_OK)
            o->stats.rows += k;
    }
    free(buf);
    return st;
}

/*
 * One replay stream: set up the workers (every allocation before any
 * thread starts, so running out of memory is a clean error), run the
 * in-order hand-over loop, then stop and join every worker before freeing
 * anything, whatever happened.
 */
static cairn_status replay_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                                  cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    cairn_witness_oracle *o = src->impl;
    cairn_status st = CAIRN_OK;
    struct rstream s;
    memset(&s, 0, sizeof s);
    s.o = o;
    s.a = a;
    s.end = b < o->cycles ? b : o->cycles;
    s.nunits = s.end > a ? (s.end - a + o->chunk - 1) / o->chunk : 0;
    s.depth = o->depth;
    s.m = s.nunits < o->threads ? (unsigned)s.nunits : o->threads;
    int sync_ready = 0;
    if (s.nunits > 0) {
        if (pthread_mutex_init(&s.mu, NULL) != 0)
            return cairn_error_set(err, CAIRN_ERR_INTERNAL, "pthread_mutex_init failed");
        if (pthread_cond_init(&s.cv_full, NULL) != 0) {
            pthread_mutex_destroy(&s.mu);
            return cairn_error_set(err, CAIRN_ERR_INTERNAL, "pthread_cond_init failed");
        }
        if (pthread_cond_init(&s.cv_free, NULL) != 0) {
            pthread_cond_destroy(&s.cv_full);
            pthread_mutex_destroy(&s.mu);
            return cairn_error_set(err, CAIRN_ERR_INTERNAL, "pthread_cond_init failed");
        }
        sync_ready = 1;
        s.w = calloc(s.m, sizeof *s.w);
        if (s.w == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for replay workers");
            goto out;
        }
        for (unsigned i = 0; i < s.m; i++) {
            struct worker *w = &s.w[i];
            w->s = &s;
            w->id = i;
            st = cairn_checkpoints_vm_init(&w->vm, o->cp, o->prog, o->input, o->input_len, err);
            if (st != CAIRN_OK)
                goto out;
            w->recs = malloc(o->chunk * sizeof *w->recs);
            w->slots = calloc(s.depth, sizeof *w->slots);
            if (w->recs == NULL || w->slots == NULL) {
                st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for replay buffers");
                goto out;
            }
            for (unsigned k = 0; k < s.depth; k++) {
                w->slots[k].rows = malloc(o->chunk * CAIRN_WIT_WIDTH * sizeof(cairn_fp));
                if (w->slots[k].rows == NULL) {
                    st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for replay buffers");
                    goto out;
                }
            }
        }
        uint64_t bytes = (uint64_t)s.m * (o->vm_bytes + o->chunk * sizeof(cairn_vm_trace_rec) +
                                          (uint64_t)s.depth * o->chunk * CAIRN_WIT_WIDTH * sizeof(cairn_fp));
        if (b > o->cycles)
            bytes += o->chunk * CAIRN_WIT_WIDTH * sizeof(cairn_fp);
        if (bytes > o->stats.peak_bytes)
            o->stats.peak_bytes = bytes;
        for (unsigned i = 0; i < s.m; i++) {
            if (pthread_create(&s.w[i].th, NULL, worker_main, &s.w[i]) != 0) {
                st = cairn_error_set(err, CAIRN_ERR_INTERNAL, "cannot start replay thread %u", i);
                goto out;
            }
            s.w[i].started = 1;
        }
        for (uint64_t u = 0; u < s.nunits; u++) {
            struct slot *sl = &s.w[u % s.m].slots[(u / s.m) % s.depth];
            pthread_mutex_lock(&s.mu);
            while (!sl->full)
                pthread_cond_wait(&s.cv_full, &s.mu);
            pthread_mutex_unlock(&s.mu);
            if (sl->st != CAIRN_OK) {
                st = sl->st;
                if (err != NULL)
                    *err = sl->err;
                break;
            }
            st = consume(ctx, a + u * o->chunk, sl->rows, sl->count, err);
            if (st != CAIRN_OK)
                break;
            o->stats.rows += sl->count;
            pthread_mutex_lock(&s.mu);
            sl->full = 0;
            pthread_cond_broadcast(&s.cv_free);
            pthread_mutex_unlock(&s.mu);
        }
    }
out:
    if (sync_ready) {
        pthread_mutex_lock(&s.mu);
        s.stop = 1;
        pthread_cond_broadcast(&s.cv_free);
        pthread_mutex_unlock(&s.mu);
    }
    for (unsigned i = 0; s.w != NULL && i < s.m; i++) {
        if (s.w[i].started)
            pthread_join(s.w[i].th, NULL);
        o->stats.restores += s.w[i].restores;
        worker_free(&s.w[i], s.depth);
    }
    free(s.w);
    if (sync_ready) {
        pthread_cond_destroy(&s.cv_free);
        pthread_cond_destroy(&s.cv_full);
        pthread_mutex_destroy(&s.mu);
    }
    if (st == CAIRN_OK && b > o->cycles)
        st = stream_padding(o, a > o->cycles ? a : o->cycles, b, consume, ctx, err);
    o->stats.streams++;
    return st;
}

cairn_status cairn_witness_oracle_new_replay(cairn_witness_oracle **out,
                                             const cairn_checkpoints *cp,
                                             const cairn_program *prog, const uint8_t *input,
                                             size_t input_len,
                                             const cairn_witness_replay_config *rc,
                                             cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    cairn_vm vm;
    memset(&vm, 0, sizeof vm);
    *out = NULL;
    if (cp == NULL || prog == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "cairn_witness_oracle_new_replay: NULL argument");
    const cairn_ckpt_header *h = cairn_checkpoints_header(cp);
    uint8_t d[CAIRN_SHA256_BYTES];
    cairn_sha256(d, input, input_len);
    if (h->input_len != input_len || memcmp(d, h->input_digest, sizeof d) != 0)
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "the checkpoints were recorded with another input");
    unsigned threads = rc != NULL && rc->threads > 0 ? rc->threads : 1;
    unsigned depth = rc != NULL && rc->depth > 0 ? rc->depth : 2;
    size_t chunk = rc != NULL && rc->chunk_rows > 0 ? rc->chunk_rows : DEFAULT_CHUNK;
    if (threads > 1024 || depth > 64 || chunk > ((size_t)1 << 24))
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "replay settings out of range (threads <= 1024, depth <= 64, "
                               "chunk_rows <= 2^24)");
    if ((st = cairn_checkpoints_vm_init(&vm, cp, prog, input, input_len, err)) != CAIRN_OK)
        return st;
    cairn_witness_oracle *o = oracle_alloc();
    if (o == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((st = wit_code_init(&o->code, &vm, err)) != CAIRN_OK) {
        cairn_witness_oracle_free(o);
        goto out;
    }
    o->cp = cp;
    o->prog = prog;
    o->input = input;
    o->input_len = input_len;
    o->threads = threads;
    o->depth = depth;
    o->chunk = chunk;
    o->cycles = h->cycles;
    o->final_pc = cp->final.pc;
    o->vm_bytes = (uint64_t)vm.mem_size + ((uint64_t)vm.text_size / 4 + 1) * 8;
    o->rows.rows_len = cairn_wit_padded_rows(h->cycles);
    o->rows.width = CAIRN_WIT_WIDTH;
    o->rows.stream = replay_stream;
    o->rows.impl = o;
    *out = o;
out:
    cairn_vm_clear(&vm);
    return st;
}
