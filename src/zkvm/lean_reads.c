/*
 * lean_reads.c — how the prover's row reads reach a row's cells, and how
 * many rows they read.
 *
 * The stages read the witness row by row through the vtab (zl_vtab_row,
 * zl_vtab_values, zl_vtab_eval; lean_zerocheck.c).  With read state
 * attached (zl_vtab_attach) every such read is counted, so the prover can
 * report the rows each stage read: divided by 2^n, the passes it made over
 * the witness, which is what a small-space prover pays for in
 * regenerations (DESIGN.md §3, rule 4).  With a cell source attached as
 * well (zl_cells_src) the reads take the cells from it instead of the cell
 * columns: each thread opens its own cursor on its first read and keeps
 * the last two rows it was handed, so a pass that reads row x and then the
 * next row's values from x + 1 asks the source for each row once, in
 * order.
 *
 * Invariants.  A read state has a generation number no other state of the
 * process ever had; a thread's cached slot and rows belong to the state
 * whose generation they carry, so a thread that meets a new state starts
 * afresh and never touches a freed one.  Each slot (a cursor and a count)
 * belongs to one thread, which alone writes it; the counts are summed at
 * the stages' boundaries, when no pool job runs.  A cursor that fails
 * leaves zero cells and records the first error, which the prover reads
 * after the stage (zl_vtab_status): a read itself cannot fail.
 *
 * The stages that sweep the cells in order (the phase-1 commitment, the
 * claim reduction and the openings) stream them through a row source of
 * width ZL_NCELL instead: the cell columns as one (zl_cols_rows_init) for
 * now, checkpoint replay later; zl_rows_count counts the rows such a
 * source hands over, for the same per-stage figures.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/pool.h"
#include "zkvm_internal.h"

/* Threads that may read through one state: the pool's and a few callers'. */
#define READ_SLOTS (CAIRN_POOL_MAX_THREADS + 8u)

/* One thread's cursor and count, alone on its cache line. */
struct slot {
    void *cur;
    _Atomic uint64_t count;
    pthread_t owner;
    char pad[64 - sizeof(void *) - sizeof(uint64_t) - sizeof(pthread_t) % 64];
};

struct zl_reads {
    uint64_t gen;
    const zl_cells_src *src; /* NULL: the cells come from the columns, only counted */
    pthread_mutex_t mu;      /* guards nslot, st and err */
    size_t nslot;
    atomic_int failed;
    cairn_status st;
    cairn_error err;
    struct slot slot[READ_SLOTS];
};

/* A thread's view of the state it last read through. */
struct tls {
    uint64_t gen;
    struct slot *s;
    uint64_t x[2];
    int have[2];
    unsigned last; /* the buffer handed out last: the other one is refilled */
    cairn_fp c[2][ZL_NCELL];
};

static _Thread_local struct tls tr;
static _Atomic uint64_t next_gen = 1;
static const cairn_fp zero_cells[ZL_NCELL];

/* Record the first failure of a read (the stage's result reports it). */
static void fail(struct zl_reads *rd, cairn_status st, const cairn_error *e, const char *what)
{
    pthread_mutex_lock(&rd->mu);
    if (!atomic_load(&rd->failed)) {
        rd->st = st;
        if (e != NULL && e->msg[0] != '\0')
            rd->err = *e;
        else
            cairn_error_set(&rd->err, st, "reading the witness rows: %s", what);
        atomic_store(&rd->failed, 1);
    }
    pthread_mutex_unlock(&rd->mu);
}

/*
 * This thread's slot in rd (taken, and its cursor opened, on its first
 * read; found again by the thread's id when the thread read through
 * another state in between, as the pool's workers do when proofs share
 * the pool); NULL when none.
 */
static struct slot *slot_of(struct zl_reads *rd)
{
    if (tr.gen == rd->gen)
        return tr.s;
    struct slot *s = NULL;
    pthread_t self = pthread_self();
    pthread_mutex_lock(&rd->mu);
    for (size_t i = 0; i < rd->nslot && s == NULL; i++)
        if (pthread_equal(rd->slot[i].owner, self))
            s = &rd->slot[i];
    if (s == NULL && rd->nslot < READ_SLOTS) {
        s = &rd->slot[rd->nslot++];
        s->owner = self;
    }
    pthread_mutex_unlock(&rd->mu);
    if (s == NULL) {
        fail(rd, CAIRN_ERR_INTERNAL, NULL, "more reading threads than slots");
        return NULL;
    }
    if (rd->src != NULL && s->cur == NULL && (s->cur = rd->src->open(rd->src->ctx)) == NULL) {
        fail(rd, CAIRN_ERR_NOMEM, NULL, "out of memory for a row cursor");
        return NULL; /* the slot stays this thread's, with no cursor: closing skips it */
    }
    tr.gen = rd->gen;
    tr.s = s;
    tr.have[0] = tr.have[1] = 0;
    tr.last = 0;
    return s;
}

/* The owner's increment of its own count (no other thread writes it). */
static void count_add(struct slot *s, uint64_t d)
{
    uint64_t c = atomic_load_explicit(&s->count, memory_order_relaxed);
    atomic_store_explicit(&s->count, c + d, memory_order_relaxed);
}

cairn_status zl_vtab_attach(zl_vtab *vt, const zl_cells_src *src, cairn_error *err)
{
    struct zl_reads *rd = calloc(1, sizeof *rd);
    if (rd == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the row reads' state");
    if (pthread_mutex_init(&rd->mu, NULL) != 0) {
        free(rd);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "cannot create the row reads' lock");
    }
    rd->gen = atomic_fetch_add(&next_gen, 1);
    rd->src = src;
    atomic_init(&rd->failed, 0);
    for (size_t i = 0; i < READ_SLOTS; i++)
        atomic_init(&rd->slot[i].count, 0);
    zl_reads_free(vt->rd);
    vt->rd = rd;
    return CAIRN_OK;
}

void zl_reads_free(struct zl_reads *rd)
{
    if (rd == NULL)
        return;
    for (size_t i = 0; i < rd->nslot; i++)
        if (rd->src != NULL && rd->slot[i].cur != NULL)
            rd->src->close(rd->slot[i].cur);
    pthread_mutex_destroy(&rd->mu);
    free(rd);
}

int zl_vtab_from_src(const zl_vtab *vt)
{
    return vt->rd != NULL && vt->rd->src != NULL;
}

void zl_reads_count(const zl_vtab *vt)
{
    if (vt->rd == NULL)
        return;
    struct slot *s = slot_of(vt->rd);
    if (s != NULL)
        count_add(s, 1);
}

const cairn_fp *zl_reads_row(const zl_vtab *vt, uint64_t x)
{
    struct zl_reads *rd = vt->rd;
    struct slot *s = slot_of(rd);
    if (s == NULL)
        return zero_cells;
    for (unsigned i = 0; i < 2; i++)
        if (tr.have[i] && tr.x[i] == x) {
            tr.last = i;
            return tr.c[i];
        }
    unsigned i = tr.last ^ 1u;
    cairn_error e;
    e.msg[0] = '\0';
    cairn_status st = rd->src->row(s->cur, x, tr.c[i], &e);
    tr.have[i] = st == CAIRN_OK;
    tr.x[i] = x;
    tr.last = i;
    if (st != CAIRN_OK) {
        fail(rd, st, &e, "a cell source failed");
        memset(tr.c[i], 0, sizeof tr.c[i]);
        return tr.c[i];
    }
    count_add(s, 1);
    return tr.c[i];
}

uint64_t zl_vtab_rows_read(const zl_vtab *vt)
{
    struct zl_reads *rd = vt->rd;
    uint64_t sum = 0;
    if (rd == NULL)
        return 0;
    pthread_mutex_lock(&rd->mu);
    for (size_t i = 0; i < rd->nslot; i++)
        sum += atomic_load_explicit(&rd->slot[i].count, memory_order_relaxed);
    pthread_mutex_unlock(&rd->mu);
    return sum;
}

cairn_status zl_vtab_status(const zl_vtab *vt, cairn_error *err)
{
    struct zl_reads *rd = vt->rd;
    if (rd == NULL || !atomic_load(&rd->failed))
        return CAIRN_OK;
    pthread_mutex_lock(&rd->mu);
    cairn_status st = rd->st;
    if (err != NULL)
        *err = rd->err;
    pthread_mutex_unlock(&rd->mu);
    return st;
}

/* ---- the cell columns as a row source --------------------------------------------------- */

void zl_cols_rows_init(cairn_rows *src, zl_cols_rows *impl, const cairn_fp *const *cols, size_t n)
{
    memcpy(impl->cols, cols, sizeof impl->cols);
    cairn_rows_cols_init(src, &impl->src, impl->cols, ZL_NCELL, UINT64_C(1) << n, 0);
}

/* ---- the rows of a checkpoint replay set (lean_replay.c) as a cell source and a row source ---- */

static void *replay_open(void *ctx)
{
    zl_cursor *c = NULL;
    return zl_cursor_new(&c, ctx, NULL) == CAIRN_OK ? c : NULL;
}

/* Row x from the thread's cursor: on from where it stands, or from a seek. */
static cairn_status replay_row(void *cur, uint64_t x, cairn_fp *cells, cairn_error *err)
{
    zl_cursor *c = cur;
    cairn_status st = CAIRN_OK;
    if (zl_cursor_row(c) != x)
        st = zl_cursor_seek(c, x, err);
    return st != CAIRN_OK ? st : zl_cursor_next(c, cells, err);
}

static void replay_close(void *cur) { zl_cursor_free(cur); }

void zl_replay_cells_src(zl_cells_src *out, const zl_replay *rp)
{
    out->ctx = (void *)rp; /* only read: the cursors borrow the set */
    out->open = replay_open;
    out->row = replay_row;
    out->close = replay_close;
}

/*
 * A stream of rows [a, b) of the set: windows of ZL_REPLAY_WINDOW rows,
 * each filled by the pool's threads (zl_replay_fill: a cursor per piece)
 * into one buffer, then handed to the consumer.
 */
static cairn_status replay_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                                  cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    const zl_replay_rows *r = src->impl;
    cairn_status st = CAIRN_OK;
    uint64_t w = b - a < ZL_REPLAY_WINDOW ? b - a : ZL_REPLAY_WINDOW;
    cairn_fp *buf = w > 0 ? malloc((size_t)w * ZL_NCELL * sizeof *buf) : NULL;
    if (w > 0 && buf == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for a window of %llu rows",
                               (unsigned long long)w);
    for (uint64_t x0 = a; x0 < b && st == CAIRN_OK; x0 += w) {
        uint64_t len = b - x0 < w ? b - x0 : w;
        if ((st = zl_replay_fill(buf, r->rp, x0, x0 + len, r->threads, err)) == CAIRN_OK)
            st = consume(ctx, x0, buf, (size_t)len, err);
    }
    free(buf);
    return st;
}

void zl_replay_rows_init(cairn_rows *src, zl_replay_rows *impl, const zl_replay *rp,
                         unsigned threads)
{
    zl_replay_info info;
    zl_replay_get_info(&info, rp);
    impl->rp = rp;
    impl->threads = threads == 0 ? 1 : threads > CAIRN_POOL_MAX_THREADS ? CAIRN_POOL_MAX_THREADS
                                                                        : threads;
    src->rows_len = UINT64_C(1) << info.n;
    src->width = ZL_NCELL;
    src->stream = replay_stream;
    src->impl = impl;
}

/* ---- a row source's rows, counted ------------------------------------------------------- */

/* One stream of a counted source: the consumer it forwards to. */
struct count_pass {
    zl_rows_count *c;
    cairn_rows_consumer consume;
    void *ctx;
};

static cairn_status count_consume(void *ctx, uint64_t first_row, const cairn_fp *rows,
                                  size_t count, cairn_error *err)
{
    struct count_pass *cp = ctx;
    atomic_fetch_add_explicit(&cp->c->rows, (uint64_t)count, memory_order_relaxed);
    return cp->consume(cp->ctx, first_row, rows, count, err);
}

static cairn_status count_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                                 cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    struct count_pass cp = {src->impl, consume, ctx};
    return cairn_rows_stream(cp.c->in, a, b, count_consume, &cp, err);
}

void zl_rows_count_init(cairn_rows *src, zl_rows_count *impl, const cairn_rows *in)
{
    impl->in = in;
    atomic_init(&impl->rows, 0);
    src->rows_len = in->rows_len;
    src->width = in->width;
    src->stream = count_stream;
    src->impl = impl;
}

uint64_t zl_rows_counted(const zl_rows_count *impl)
{
    return atomic_load_explicit(&impl->rows, memory_order_relaxed);
}
