/*
 * lean_replay.c — the lean rows in small space (DESIGN.md §3): checkpoints
 * of the lean row machine recorded in one forward pass over a run, a pull
 * cursor that hands out the rows from any position by replaying from the
 * nearest checkpoint at or before it, and a fill of a range of rows by
 * several cursors on the pool's threads.
 *
 * A checkpoint sits at the first trace row's boundary at or after each
 * multiple of the interval C (a system call's rows all come from one
 * cycle, so none starts inside them), and in the padding at each multiple
 * of C.  It keeps everything a later row depends on: the VM's state at
 * that cycle (pc, registers, the I/O counters; its memory is the replayed
 * RAM's words, which equal the VM's at every boundary) and the row
 * machine's (zl_filler: register timestamps, output and input positions,
 * eof, the row index), and the RAM's words and timestamps where they
 * differ from the image.  The registers are kept once: the recorder
 * checks at every checkpoint that the rows' register file is the VM's
 * (rebuilt from the trace rows' written registers), as are the output and
 * input counts.
 *
 * The RAM of the checkpoints is one persistent tree over the blocks of
 * ZK_RAM_BLOCK words: a leaf holds a block's words and timestamps, a node
 * FAN children, NULL where every block below is untouched (its image and
 * timestamp 0), so a checkpoint holds O(blocks touched), never O(2^k).
 * Between two checkpoints the recorder copies only the blocks the rows
 * accessed (the RAM replay lists them) and the nodes on their paths;
 * every other node is shared with the checkpoint before.  Memory of a set:
 * one record per checkpoint plus the blocks and paths copied, all in one
 * arena freed with the set.
 *
 * A cursor owns a VM, a tracer (cairn_wit_tracer: the oracle's trace rows
 * of the cycles it runs), a row machine and its RAM replay, so it holds
 * O(2^k) words and one batch of trace rows, whatever T is.  It restores a
 * checkpoint by putting back the blocks it changed since the last restore
 * (the replay's list, and the VM's dirty bitmap for stores the VM ran
 * ahead of the rows) to the image, then writing the checkpoint's blocks
 * into both.  The cells are the linear fill's (lean_fill.c), row for row:
 * the same trace rows through the same row machine.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/pool.h"
#include "cairn/witness.h"
#include "zkvm_internal.h"

#define FAN_SHIFT 4u
#define FAN (1u << FAN_SHIFT)
/* Trace rows a cursor or the recorder traces per batch. */
#define BATCH 512u
/* A seek forward by at most this many rows steps on rather than restoring. */
#define STEP_ON 1024u
/* Arena chunks grow from the first size to the last by doubling. */
#define ARENA_FIRST 4096u
#define ARENA_LAST ((size_t)1 << 20)

/* A block as a checkpoint keeps it: its words and their timestamps. */
struct rleaf {
    uint32_t val[ZK_RAM_BLOCK];
    uint64_t ts[ZK_RAM_BLOCK];
};

/* A node of the tree: children are nodes, or leaves on the last level. */
struct rnode {
    uint64_t gen; /* the checkpoint (index + 1) that made it; older ones never change */
    void *kid[FAN];
};

struct achunk {
    struct achunk *next;
    size_t used, cap;
    uint64_t data[]; /* cap bytes */
};

/* One checkpoint. */
struct lck {
    uint64_t x;     /* the row it resumes at */
    uint64_t cycle; /* the trace row it resumes at (the run's cycles in the padding) */
    uint64_t last[32];
    uint64_t oi, input_pos, diag_len;
    const void *root; /* the RAM's blocks that differ from the image, or NULL */
    uint32_t pc;
    uint32_t regs[32];
    uint8_t eof, ended;
};

struct zl_replay {
    const cairn_program *prog;
    cairn_vm_config cfg;
    const zk_bytecode *bc;
    const zk_ram *ram;
    uint32_t init_regs[32];
    const uint8_t *input;
    size_t input_len;
    uint64_t interval, cycles, T;
    size_t n;
    unsigned levels; /* node levels above the leaves */
    struct lck *ck;
    uint64_t count, cap;
    struct achunk *arena;
    uint64_t arena_bytes; /* held by the arena's chunks */
    uint64_t blocks;      /* blocks in the tree so far */
    uint32_t exit_code;
    /* what the cursors did, added as each is freed (zl_replay_get_info) */
    struct {
        _Atomic uint64_t restores, rows, ns;
    } done;
};

/* ---- the arena ------------------------------------------------------------------------------- */

/* bytes (a multiple of 8) from the arena's current chunk, or a new one twice as large. */
static void *arena_alloc(zl_replay *rp, size_t bytes)
{
    struct achunk *c = rp->arena;
    if (c == NULL || c->cap - c->used < bytes) {
        size_t cap = c == NULL ? ARENA_FIRST : c->cap < ARENA_LAST ? 2 * c->cap : ARENA_LAST;
        if (cap < bytes)
            cap = bytes;
        struct achunk *nc = malloc(sizeof *nc + cap);
        if (nc == NULL)
            return NULL;
        nc->next = c, nc->used = 0, nc->cap = cap;
        rp->arena = c = nc;
        rp->arena_bytes += sizeof *nc + cap;
    }
    void *p = (uint8_t *)c->data + c->used;
    c->used += bytes;
    return p;
}

/* ---- the RAM tree ---------------------------------------------------------------------------- */

/*
 * Put block b's words and timestamps from the replay into the tree at
 * *root as checkpoint gen sees it: nodes made for gen are changed in
 * place, older ones copied first (their checkpoints keep them), and the
 * block gets a new leaf.
 */
static cairn_status tree_put(zl_replay *rp, void **root, size_t b, const zk_ram_replay *ram,
                             uint64_t gen, cairn_error *err)
{
    void **slot = root;
    for (unsigned l = 0; l < rp->levels; l++) {
        struct rnode *nd = *slot;
        if (nd == NULL || nd->gen != gen) {
            struct rnode *m = arena_alloc(rp, sizeof *m);
            if (m == NULL)
                return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for checkpoint %llu",
                                       (unsigned long long)(gen - 1));
            if (nd != NULL)
                memcpy(m->kid, nd->kid, sizeof m->kid);
            else
                memset(m->kid, 0, sizeof m->kid);
            m->gen = gen;
            *slot = nd = m;
        }
        slot = &nd->kid[(b >> (FAN_SHIFT * (rp->levels - 1 - l))) & (FAN - 1)];
    }
    struct rleaf *lf = arena_alloc(rp, sizeof *lf);
    if (lf == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for checkpoint %llu",
                               (unsigned long long)(gen - 1));
    size_t w = b << ZK_RAM_BLOCK_SHIFT;
    memcpy(lf->val, ram->mem + w, sizeof lf->val);
    memcpy(lf->ts, ram->ts + w, sizeof lf->ts);
    if (*slot == NULL)
        rp->blocks++;
    *slot = lf;
    return CAIRN_OK;
}

/* ---- the state a cursor and the recorder share ----------------------------------------------- */

/* A VM of the run, a tracer, a row machine with a tracked RAM replay. */
struct engine {
    const zl_replay *rp;
    cairn_vm vm;
    cairn_wit_tracer *tr;
    zl_filler f;
    const cairn_fp *trows; /* traced rows not yet taken: trows[tpos .. tcount) */
    size_t tpos, tcount;
    uint64_t tcycle;       /* the cycle of the next trace row to take */
};

/* Free what an engine holds; safe after a failed or half-done engine_init. */
static void engine_clear(struct engine *e)
{
    cairn_vm_clear(&e->vm);
    cairn_wit_tracer_free(e->tr);
    zl_filler_clear(&e->f);
    memset(e, 0, sizeof *e);
}

/*
 * A fresh VM of rp's program and layout (its region must be rp's RAM:
 * base and 2^k words), its tracer, and the row machine at row 0.
 */
static cairn_status engine_init(struct engine *e, const zl_replay *rp, cairn_error *err)
{
    cairn_status st;
    memset(e, 0, sizeof *e);
    e->rp = rp;
    if ((st = cairn_vm_init(&e->vm, rp->prog, &rp->cfg, err)) != CAIRN_OK)
        goto out;
    cairn_vm_set_input(&e->vm, rp->input, rp->input_len);
    if (e->vm.mem_base != rp->ram->base || e->vm.mem_log2_words != rp->ram->k) {
        st = cairn_error_set(err, CAIRN_ERR_ARG,
                             "the VM's memory (0x%08x, 2^%u words) is not the RAM region of the "
                             "rows (0x%08x, 2^%u words)",
                             (unsigned)e->vm.mem_base, (unsigned)e->vm.mem_log2_words,
                             (unsigned)rp->ram->base, rp->ram->k);
        goto out;
    }
    if ((st = cairn_wit_tracer_new(&e->tr, &e->vm, BATCH, err)) != CAIRN_OK ||
        (st = zl_filler_init(&e->f, rp->bc, rp->ram, rp->init_regs, rp->input, rp->input_len,
                             err)) != CAIRN_OK ||
        (st = zk_ram_replay_track(&e->f.rp, err)) != CAIRN_OK)
        goto out;
out:
    if (st != CAIRN_OK)
        engine_clear(e);
    return st;
}

/*
 * The next trace row, traced in batches from the VM (at most to `until`
 * cycles); NULL with *st OK when the VM has halted or reached it.
 */
static const cairn_fp *engine_trace_row(struct engine *e, uint64_t until, uint8_t *dirty,
                                        cairn_status *st, cairn_error *err)
{
    *st = CAIRN_OK;
    if (e->tpos == e->tcount) {
        e->tpos = e->tcount = 0;
        *st = cairn_wit_tracer_run(e->tr, &e->vm, until, dirty, ZK_RAM_BLOCK_SHIFT + 2, &e->trows,
                                   &e->tcount, err);
        if (*st != CAIRN_OK || e->tcount == 0)
            return NULL;
    }
    return e->trows + (e->tpos++) * CAIRN_WIT_WIDTH;
}

/* ---- recording ------------------------------------------------------------------------------- */

/* What the recorder knows of the VM at the current boundary, from the trace rows it took. */
struct vmside {
    uint32_t regs[32];
    uint64_t out_len, in_pos, diag_len;
};

/*
 * Record a checkpoint at the current boundary (row e->f.x, trace row
 * `cycle`, pc): the blocks accessed since the last one go into the tree,
 * the rest is copied.  The row machine must agree with the VM's side.
 */
static cairn_status snapshot(zl_replay *rp, struct engine *e, void **root, const struct vmside *v,
                             uint64_t cycle, uint32_t pc, cairn_error *err)
{
    zl_filler *f = &e->f;
    cairn_status st;
    uint64_t gen = rp->count + 1;
    for (unsigned r = 0; r < 32; r++)
        if (f->val[r] != v->regs[r])
            return cairn_error_set(err, CAIRN_ERR_INTERNAL,
                                   "row %llu: the rows' register x%u is %llu, the VM's %u",
                                   (unsigned long long)f->x, r, (unsigned long long)f->val[r],
                                   (unsigned)v->regs[r]);
    if (f->oi != v->out_len || f->input_pos != v->in_pos)
        return cairn_error_set(err, CAIRN_ERR_INTERNAL,
                               "row %llu: the rows have %llu output and %llu input bytes, the VM "
                               "%llu and %llu",
                               (unsigned long long)f->x, (unsigned long long)f->oi,
                               (unsigned long long)f->input_pos, (unsigned long long)v->out_len,
                               (unsigned long long)v->in_pos);
    for (size_t i = 0; i < f->rp.marked_len; i++)
        if ((st = tree_put(rp, root, f->rp.marked[i], &f->rp, gen, err)) != CAIRN_OK)
            return st;
    zk_ram_replay_forget(&f->rp);
    if (rp->count == rp->cap) {
        uint64_t cap = rp->cap ? 2 * rp->cap : 64;
        struct lck *nk = cap <= SIZE_MAX / sizeof *nk ? realloc(rp->ck, (size_t)cap * sizeof *nk)
                                                      : NULL;
        if (nk == NULL)
            return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for %llu checkpoints",
                                   (unsigned long long)cap);
        rp->ck = nk, rp->cap = cap;
    }
    struct lck *k = &rp->ck[rp->count++];
    memset(k, 0, sizeof *k);
    k->x = f->x, k->cycle = cycle, k->pc = pc;
    memcpy(k->regs, v->regs, sizeof k->regs);
    memcpy(k->last, f->last, sizeof k->last);
    k->oi = f->oi, k->input_pos = f->input_pos, k->diag_len = v->diag_len;
    k->eof = (uint8_t)f->eof, k->ended = (uint8_t)f->ended;
    k->root = *root;
    return CAIRN_OK;
}

/* The first multiple of C after x (saturating). */
static uint64_t next_target(uint64_t x, uint64_t C)
{
    uint64_t t = x - x % C;
    return t > UINT64_MAX - C ? UINT64_MAX : t + C;
}

/*
 * The VM's side of trace row r: the register it writes, and the bytes a
 * read or write moved (its result) added to the counters.
 */
static void vm_follow(struct vmside *v, const cairn_fp *r)
{
    uint64_t rd = r[CAIRN_WIT_COL_RD].v, res = r[CAIRN_WIT_COL_RD_VAL].v;
    if (r[CAIRN_WIT_COL_OP].v == CAIRN_WIT_OP_ECALL) {
        uint64_t a7 = r[CAIRN_WIT_COL_RS1_VAL].v, a0 = r[CAIRN_WIT_COL_RS2_VAL].v;
        if (a7 == 63)
            v->in_pos += res;
        else if (a7 == 64 && a0 == 1)
            v->out_len += res;
        else if (a7 == 64)
            v->diag_len += res;
    }
    if (rd != 0 && rd < 32)
        v->regs[rd] = (uint32_t)res;
}

/*
 * The forward pass: trace the run batch by batch through the row machine
 * (rows computed and dropped), a checkpoint at each boundary at or past
 * the next multiple of C; then the end of the run checked as zl_run
 * checks it, and the padding rows, with their checkpoints.
 */
static cairn_status record_pass(zl_replay *rp, struct engine *e, uint64_t max_steps,
                                cairn_error *err)
{
    zl_filler *f = &e->f;
    struct vmside v;
    void *root = NULL;
    cairn_fp c[ZL_NCELL];
    cairn_status st;
    uint64_t target = 0, cycle = 0, limit = UINT64_C(1) << ZL_MAX_VARS;
    memset(&v, 0, sizeof v);
    memcpy(v.regs, rp->init_regs, sizeof v.regs);
    for (unsigned r = 0; r < 32; r++)
        if (e->vm.regs[r] != rp->init_regs[r])
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "initial register x%u: the VM has 0x%08x, the rows 0x%08x", r,
                                   (unsigned)e->vm.regs[r], (unsigned)rp->init_regs[r]);
    for (;;) {
        const cairn_fp *r = engine_trace_row(e, max_steps, NULL, &st, err);
        if (r == NULL)
            break;
        if (f->x >= target) {
            if ((st = snapshot(rp, e, &root, &v, cycle, (uint32_t)r[CAIRN_WIT_COL_PC].v, err)) !=
                CAIRN_OK)
                return st;
            target = next_target(f->x, rp->interval);
        }
        if ((st = zl_filler_take(f, r, cycle, err)) != CAIRN_OK)
            return st;
        while (f->left > 0)
            if ((st = zl_filler_row(f, c, err)) != CAIRN_OK)
                return st;
        if (f->x >= limit)
            return cairn_error_set(err, CAIRN_ERR_LIMIT,
                                   "%llu instructions give %llu trace rows or more: over the limit "
                                   "of %llu rows",
                                   (unsigned long long)(cycle + 1), (unsigned long long)f->x,
                                   (unsigned long long)(limit - 1));
        vm_follow(&v, r);
        cycle++;
    }
    if (st != CAIRN_OK || (st = zk_vm_ended(&e->vm, max_steps, err)) != CAIRN_OK)
        return st;
    rp->cycles = cycle, rp->T = f->x, rp->n = zk_vars_for(f->x), rp->exit_code = e->vm.exit_code;
    while (f->x < (UINT64_C(1) << rp->n)) {
        if (f->x >= target) {
            if ((st = snapshot(rp, e, &root, &v, cycle, e->vm.pc, err)) != CAIRN_OK)
                return st;
            target = next_target(f->x, rp->interval);
        }
        if ((st = zl_filler_row(f, c, err)) != CAIRN_OK)
            return st;
    }
    return CAIRN_OK;
}

cairn_status zl_replay_record(zl_replay **out, const zl_replay_run *run, uint64_t interval,
                              cairn_error *err)
{
    struct engine e;
    cairn_status st;
    zl_replay *rp = NULL;
    memset(&e, 0, sizeof e);
    *out = NULL;
    if (interval == 0)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "checkpoint interval 0: a checkpoint every C rows needs C >= 1");
    if (run == NULL || run->prog == NULL || run->bc == NULL || run->ram == NULL ||
        run->init_regs == NULL || (run->input == NULL && run->input_len > 0))
        return cairn_error_set(err, CAIRN_ERR_ARG, "zl_replay_record: a NULL argument");
    if (run->ram->k < ZK_RAM_BLOCK_SHIFT)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "a RAM of 2^%u words is smaller than one block of %u words",
                               run->ram->k, ZK_RAM_BLOCK);
    if ((rp = calloc(1, sizeof *rp)) == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    rp->prog = run->prog, rp->bc = run->bc, rp->ram = run->ram;
    rp->input = run->input, rp->input_len = run->input_len, rp->interval = interval;
    memcpy(rp->init_regs, run->init_regs, sizeof rp->init_regs);
    if (run->layout != NULL)
        rp->cfg = *run->layout;
    else
        cairn_vm_config_init(&rp->cfg);
    rp->cfg.write = NULL, rp->cfg.write_ctx = NULL;
    rp->levels = 1;
    while ((FAN_SHIFT * rp->levels) + ZK_RAM_BLOCK_SHIFT < run->ram->k)
        rp->levels++;
    if ((st = engine_init(&e, rp, err)) != CAIRN_OK ||
        (st = record_pass(rp, &e, run->max_steps, err)) != CAIRN_OK)
        goto out;
    struct lck *fit = realloc(rp->ck, (size_t)rp->count * sizeof *fit);
    if (fit != NULL)
        rp->ck = fit, rp->cap = rp->count;
    *out = rp;
    rp = NULL;
out:
    engine_clear(&e);
    zl_replay_free(rp);
    return st;
}

/* The arena's chunks hold every node and block of every checkpoint: freed together. */
void zl_replay_free(zl_replay *rp)
{
    if (rp == NULL)
        return;
    while (rp->arena != NULL) {
        struct achunk *next = rp->arena->next;
        free(rp->arena);
        rp->arena = next;
    }
    free(rp->ck);
    free(rp);
}

/* The set's shape and its memory: the arena's chunks as held, and the records. */
void zl_replay_get_info(zl_replay_info *out, const zl_replay *rp)
{
    memset(out, 0, sizeof *out);
    out->interval = rp->interval;
    out->count = rp->count;
    out->cycles = rp->cycles;
    out->T = rp->T;
    out->n = rp->n;
    out->k = rp->ram->k;
    out->blocks = rp->blocks;
    out->ram_bytes = rp->arena_bytes;
    out->bytes = rp->arena_bytes + rp->count * sizeof *rp->ck;
    out->exit_code = rp->exit_code;
    zl_replay *w = (zl_replay *)rp; /* the counters only (zl_cursor_free) */
    out->restores = atomic_load(&w->done.restores);
    out->regenerated = atomic_load(&w->done.rows);
    out->replay_ns = atomic_load(&w->done.ns);
}

uint64_t zl_replay_checkpoint_row(const zl_replay *rp, uint64_t i)
{
    return i < rp->count ? rp->ck[i].x : UINT64_MAX;
}

/* ---- the cursor ------------------------------------------------------------------------------ */

struct zl_cursor {
    struct engine e;
    uint8_t *dirty; /* the VM's stores since the last restore, one bit per block */
    size_t dirty_len;
    int live;       /* positioned: the state is row e.f.x's */
    zl_cursor_info info;
    unsigned tick;  /* zl_cursor_next's calls, for its sampled clock */
};

/*
 * A cursor's VM, tracer and row machine (engine_init) and the VM's dirty
 * bitmap, one bit per block; no position until the first seek restores
 * a checkpoint.
 */
cairn_status zl_cursor_new(zl_cursor **out, const zl_replay *rp, cairn_error *err)
{
    cairn_status st;
    *out = NULL;
    zl_cursor *c = calloc(1, sizeof *c);
    if (c == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for a cursor");
    if ((st = engine_init(&c->e, rp, err)) != CAIRN_OK)
        goto out;
    c->dirty_len = (zk_ram_blocks(rp->ram) + 7) / 8;
    if ((c->dirty = calloc(c->dirty_len, 1)) == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for a cursor's bitmap");
        goto out;
    }
    *out = c;
    c = NULL;
out:
    zl_cursor_free(c);
    return st;
}

/*
 * Free a cursor, adding what it did to its set's totals.  The set is
 * const to its cursors but not a const object: its counters are the one
 * part they write, atomically.
 */
void zl_cursor_free(zl_cursor *c)
{
    if (c == NULL)
        return;
    if (c->e.rp != NULL) {
        zl_replay *rp = (zl_replay *)c->e.rp;
        atomic_fetch_add_explicit(&rp->done.restores, c->info.restores, memory_order_relaxed);
        atomic_fetch_add_explicit(&rp->done.rows, c->info.rows + c->info.stepped,
                                  memory_order_relaxed);
        atomic_fetch_add_explicit(&rp->done.ns, (uint64_t)(c->info.s * 1e9), memory_order_relaxed);
    }
    engine_clear(&c->e);
    free(c->dirty);
    free(c);
}

void zl_cursor_get_info(zl_cursor_info *out, const zl_cursor *c) { *out = c->info; }

/* Words of block b into the VM's memory, little-endian as the VM holds them. */
static void vm_put_block(cairn_vm *vm, size_t b, const uint32_t *w)
{
    uint8_t *p = vm->mem + (b << (ZK_RAM_BLOCK_SHIFT + 2));
    for (unsigned i = 0; i < ZK_RAM_BLOCK; i++, p += 4) {
        p[0] = (uint8_t)w[i], p[1] = (uint8_t)(w[i] >> 8);
        p[2] = (uint8_t)(w[i] >> 16), p[3] = (uint8_t)(w[i] >> 24);
    }
}

/* Block b back to the image, timestamps 0, in the replay and the VM. */
static void reset_block(struct engine *e, size_t b)
{
    const uint32_t *img = e->rp->ram->init + (b << ZK_RAM_BLOCK_SHIFT);
    zk_ram_replay *ram = &e->f.rp;
    memcpy(ram->mem + (b << ZK_RAM_BLOCK_SHIFT), img, ZK_RAM_BLOCK * sizeof *img);
    memset(ram->ts + (b << ZK_RAM_BLOCK_SHIFT), 0, ZK_RAM_BLOCK * sizeof *ram->ts);
    vm_put_block(&e->vm, b, img);
}

/* Every leaf below node nd (its blocks from base on) into the replay and the VM, listed. */
static void put_tree(struct engine *e, const void *nd, unsigned level, size_t base)
{
    const struct rnode *n = nd;
    for (unsigned d = 0; d < FAN; d++) {
        const void *kid = n->kid[d];
        size_t b = base * FAN + d;
        if (kid == NULL)
            continue;
        if (level + 1 < e->rp->levels) {
            put_tree(e, kid, level + 1, b);
            continue;
        }
        const struct rleaf *lf = kid;
        zk_ram_replay *ram = &e->f.rp;
        memcpy(ram->mem + (b << ZK_RAM_BLOCK_SHIFT), lf->val, sizeof lf->val);
        memcpy(ram->ts + (b << ZK_RAM_BLOCK_SHIFT), lf->ts, sizeof lf->ts);
        vm_put_block(&e->vm, b, lf->val);
        zk_ram_replay_mark(ram, b);
    }
}

/*
 * Put checkpoint k into the cursor: the blocks the replay listed or the
 * VM stored into since the last restore back to the image, then k's
 * blocks, registers and counters into the replay and the VM, and the row
 * machine at k's row with nothing pending.
 */
static void restore(zl_cursor *c, const struct lck *k)
{
    struct engine *e = &c->e;
    zl_filler *f = &e->f;
    cairn_vm *vm = &e->vm;
    for (size_t i = 0; i < f->rp.marked_len; i++)
        reset_block(e, f->rp.marked[i]);
    zk_ram_replay_forget(&f->rp);
    for (size_t i = 0; i < c->dirty_len; i++) {
        for (unsigned bit = 0; c->dirty[i] != 0 && bit < 8; bit++)
            if (c->dirty[i] & (1u << bit))
                reset_block(e, 8 * i + bit);
        c->dirty[i] = 0;
    }
    if (k->root != NULL)
        put_tree(e, k->root, 0, 0);
    vm->pc = k->pc;
    memcpy(vm->regs, k->regs, sizeof vm->regs);
    vm->cycles = k->cycle, vm->input_pos = k->input_pos, vm->output_len = k->oi;
    vm->diag_len = k->diag_len, vm->halt = CAIRN_VM_RUNNING, vm->exit_code = 0;
    memset(&vm->fault, 0, sizeof vm->fault);
    f->x = k->x, f->oi = k->oi, f->eof = k->eof, f->ended = k->ended;
    f->input_pos = (size_t)k->input_pos, f->left = 0;
    memset(&f->pend, 0, sizeof f->pend);
    for (unsigned r = 0; r < 32; r++)
        f->val[r] = k->regs[r], f->last[r] = k->last[r];
    e->tpos = e->tcount = 0, e->tcycle = k->cycle;
    c->info.restores++;
    c->live = 1;
}

/* The last checkpoint at or before row x (checkpoint 0 is at row 0). */
static const struct lck *nearest(const zl_replay *rp, uint64_t x)
{
    uint64_t lo = 0, hi = rp->count; /* ck[lo].x <= x < ck[hi].x */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (rp->ck[mid].x <= x)
            lo = mid;
        else
            hi = mid;
    }
    return &rp->ck[lo];
}

/*
 * Row e.f.x into cells: the next row of the trace row being expanded, or
 * of the next one (traced as needed), or a padding row once the trace is
 * over.  An error leaves the cursor unpositioned.
 */
static cairn_status cursor_row(zl_cursor *c, cairn_fp cells[ZL_NCELL], cairn_error *err)
{
    struct engine *e = &c->e;
    const zl_replay *rp = e->rp;
    zl_filler *f = &e->f;
    cairn_status st = CAIRN_OK;
    if (f->left == 0 && e->tcycle < rp->cycles) {
        const cairn_fp *r = engine_trace_row(e, rp->cycles, c->dirty, &st, err);
        if (r == NULL && st == CAIRN_OK)
            st = cairn_error_set(err, CAIRN_ERR_INTERNAL,
                                 "the replayed run stopped at cycle %llu (%s), the recorded one "
                                 "ran %llu cycles",
                                 (unsigned long long)e->vm.cycles, cairn_vm_halt_str(e->vm.halt),
                                 (unsigned long long)rp->cycles);
        if (st == CAIRN_OK)
            st = zl_filler_take(f, r, e->tcycle++, err);
    } else if (f->left == 0 && f->x < rp->T) {
        st = cairn_error_set(err, CAIRN_ERR_INTERNAL,
                             "the replayed trace ended at row %llu, the recorded one at %llu",
                             (unsigned long long)f->x, (unsigned long long)rp->T);
    }
    if (st == CAIRN_OK)
        st = zl_filler_row(f, cells, err);
    if (st != CAIRN_OK)
        c->live = 0;
    return st;
}

/*
 * Step on from the current row when x is ahead and no checkpoint lies
 * between (or x is within STEP_ON rows); otherwise restore the nearest
 * checkpoint at or before x first.  The rows up to x are computed and
 * dropped.
 */
cairn_status zl_cursor_seek(zl_cursor *c, uint64_t x, cairn_error *err)
{
    const zl_replay *rp = c->e.rp;
    uint64_t rows = UINT64_C(1) << rp->n;
    cairn_fp drop[ZL_NCELL];
    cairn_status st;
    if (x >= rows)
        return cairn_error_set(err, CAIRN_ERR_ARG, "seek to row %llu: the run has 2^%zu rows",
                               (unsigned long long)x, rp->n);
    const struct lck *k = nearest(rp, x);
    uint64_t at = c->e.f.x;
    double t0 = zk_now_s();
    st = CAIRN_OK;
    if (!c->live || at > x || (k->x > at && x - at > STEP_ON))
        restore(c, k);
    while (c->e.f.x < x && st == CAIRN_OK)
        if ((st = cursor_row(c, drop, err)) == CAIRN_OK)
            c->info.stepped++;
    c->info.s += zk_now_s() - t0;
    return st;
}

/* One row handed out: refused without a position or past the last row, else cursor_row. */
static cairn_status cursor_next(zl_cursor *c, cairn_fp cells[ZL_NCELL], cairn_error *err)
{
    const zl_replay *rp = c->e.rp;
    if (!c->live)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "the cursor has no position (seek first, and again after an error)");
    if (c->e.f.x >= (UINT64_C(1) << rp->n))
        return cairn_error_set(err, CAIRN_ERR_ARG, "row %llu: past the last of 2^%zu rows",
                               (unsigned long long)c->e.f.x, rp->n);
    cairn_status st = cursor_row(c, cells, err);
    if (st == CAIRN_OK)
        c->info.rows++;
    return st;
}

/*
 * A clock read costs a third of a row, so rows handed out one at a time
 * are timed one in SAMPLE and the time scaled; SAMPLE is prime, so the
 * trace batches (one every 512 trace rows, the costly rows) are sampled
 * at their own rate.
 */
#define SAMPLE 61u

cairn_status zl_cursor_next(zl_cursor *c, cairn_fp cells[ZL_NCELL], cairn_error *err)
{
    if (c->tick++ % SAMPLE != 0)
        return cursor_next(c, cells, err);
    double t0 = zk_now_s();
    cairn_status st = cursor_next(c, cells, err);
    c->info.s += SAMPLE * (zk_now_s() - t0);
    return st;
}

uint64_t zl_cursor_row(const zl_cursor *c) { return c->live ? c->e.f.x : UINT64_MAX; }

/* ---- the parallel fill ----------------------------------------------------------------------- */

struct fill_job {
    cairn_fp *out;
    const zl_replay *rp;
    uint64_t a, b;
    size_t pieces;
    cairn_status *st;
    cairn_error *err;
};

/* Piece i of [a, b): one cursor, one seek, its rows in order. */
static void fill_piece(void *ctx, size_t i)
{
    struct fill_job *j = ctx;
    size_t lo, hi;
    zl_cursor *c = NULL;
    cairn_status st;
    cairn_pool_chunk_range(&lo, &hi, (size_t)(j->b - j->a), j->pieces, i);
    if (lo >= hi) {
        j->st[i] = CAIRN_OK;
        return;
    }
    if ((st = zl_cursor_new(&c, j->rp, &j->err[i])) == CAIRN_OK &&
        (st = zl_cursor_seek(c, j->a + lo, &j->err[i])) == CAIRN_OK) {
        double t0 = zk_now_s(); /* the piece's rows timed whole */
        for (size_t r = lo; r < hi && st == CAIRN_OK; r++)
            st = cursor_next(c, j->out + r * ZL_NCELL, &j->err[i]);
        c->info.s += zk_now_s() - t0;
    }
    zl_cursor_free(c);
    j->st[i] = st;
}

/*
 * The pieces are cairn_pool_chunk_range's cut of [a, b), one per thread
 * asked for, so the rows each piece makes depend only on a, b and threads,
 * and every row is the same whoever makes it; errors are kept per piece
 * and the first in row order is returned, whatever order the pieces ran in.
 */
cairn_status zl_replay_fill(cairn_fp *out, const zl_replay *rp, uint64_t a, uint64_t b,
                            unsigned threads, cairn_error *err)
{
    struct fill_job j;
    cairn_status st = CAIRN_OK;
    if (a > b || b > (UINT64_C(1) << rp->n) || threads == 0 || threads > CAIRN_POOL_MAX_THREADS)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "fill of rows [%llu, %llu) of 2^%zu with %u threads: bad range or "
                               "thread count (1..%u)",
                               (unsigned long long)a, (unsigned long long)b, rp->n, threads,
                               CAIRN_POOL_MAX_THREADS);
    if (a == b)
        return CAIRN_OK;
    j.out = out, j.rp = rp, j.a = a, j.b = b;
    j.pieces = b - a < threads ? (size_t)(b - a) : threads;
    j.st = calloc(j.pieces, sizeof *j.st);
    j.err = calloc(j.pieces, sizeof *j.err);
    if (j.st == NULL || j.err == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
        goto out;
    }
    cairn_pool_run(j.pieces, fill_piece, &j);
    for (size_t i = 0; i < j.pieces && st == CAIRN_OK; i++)
        if ((st = j.st[i]) != CAIRN_OK && err != NULL)
            *err = j.err[i];
out:
    free(j.st);
    free(j.err);
    return st;
}
