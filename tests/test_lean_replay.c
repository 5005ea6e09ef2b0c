/*
 * test_lean_replay.c — the lean rows in small space (lean_replay.c): every
 * row a cursor hands out equals the linear run's cells (zl_run_init's
 * columns, the reference), on the example guests built for rv32i and
 * rv32im and on random programs with memory and I/O, for checkpoint
 * intervals of 1, 3, 64 and 1000 rows and one longer than the run: read
 * in order from row 0, and from sampled checkpoints restored by seeking
 * backwards onto them.  The checkpoints sit where the contract says (the
 * first trace row's boundary at or after each multiple of C, every
 * padding row at one).  Random seeks backwards, forwards, across
 * checkpoints, into a system call's byte rows and into the padding; the
 * parallel fill the same for 1, 2, 3 and 4 threads; the checkpoints'
 * RAM sparse (a few blocks, bytes far below 2^k words); and the errors
 * (interval 0, no position, past the end, a fault, a cycle limit, an
 * instruction the bytecode lacks, another RAM region).
 *
 * Under the sanitizers (CAIRN_TEST_ITERS below 1000) the suite keeps to
 * the smaller rv32i guests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/pool.h"
#include "harness.h"
#include "zk_util.h"

#define MAX_STEPS (UINT64_C(1) << 22)

/* A run and its reference cells, with what a recording needs. */
struct ref {
    char name[64];
    uint8_t *elf;
    size_t elf_len;
    uint8_t in[256];
    size_t in_len;
    zl_run r;
    uint64_t rows; /* 2^n */
};

static void ref_close(struct ref *f)
{
    zl_run_clear(&f->r);
    free(f->elf);
    memset(f, 0, sizeof *f);
}

/* f's run of elf (taken over) on in; 1 when ready, 0 after a FAIL (f cleared). */
static int ref_open_elf(struct ref *f, const char *name, uint8_t *elf, size_t elf_len,
                        const uint8_t *in, size_t in_len)
{
    cairn_error err;
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "%s", name);
    f->elf = elf, f->elf_len = elf_len;
    if (in_len > sizeof f->in)
        in_len = sizeof f->in;
    if (in_len > 0)
        memcpy(f->in, in, in_len);
    f->in_len = in_len;
    if (elf == NULL) {
        FAIL("%s: no ELF (build the guests first: make)", name);
        return 0;
    }
    if (zl_run_init(&f->r, elf, elf_len, f->in, f->in_len, MAX_STEPS, &err) != CAIRN_OK) {
        FAIL("%s: zl_run_init: %s", name, err.msg);
        ref_close(f);
        return 0;
    }
    f->rows = UINT64_C(1) << f->r.n;
    return 1;
}

/* An example guest of isa ("rv32i", "rv32im") on in. */
static int ref_open_guest(struct ref *f, const char *isa, const char *name, const uint8_t *in,
                          size_t in_len)
{
    char path[512], label[64];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s/%s.elf", vmt_guest_dir(), isa, name);
    snprintf(label, sizeof label, "%s/%s", isa, name);
    uint8_t *elf = vmt_read_file(path, &len);
    return ref_open_elf(f, label, elf, len, in, in_len);
}

static void run_of(zl_replay_run *run, const struct ref *f)
{
    memset(run, 0, sizeof *run);
    run->prog = &f->r.prog, run->bc = &f->r.bc, run->ram = &f->r.ram, run->init_regs = f->r.init;
    run->input = f->in, run->input_len = f->in_len, run->max_steps = MAX_STEPS;
}

/* Does cells equal row x of the reference?  On the first difference, a FAIL naming it. */
static int row_is(const struct ref *f, uint64_t x, const cairn_fp *cells, const char *what)
{
    for (unsigned c = 0; c < ZL_NCELL; c++) {
        uint64_t want = f->r.cells[(size_t)c * f->rows + x].v;
        if (cells[c].v != want)
            return FAIL("%s %s: row %llu (of %llu, T %llu) cell %s: 0x%llx, the linear fill 0x%llx",
                        f->name, what, (unsigned long long)x, (unsigned long long)f->rows,
                        (unsigned long long)f->r.T, zl_cell_names[c],
                        (unsigned long long)cells[c].v, (unsigned long long)want);
    }
    return 1;
}

/* Read `count` rows from c (at row x) and compare them; 1 when all equal. */
static int read_rows(zl_cursor *c, const struct ref *f, uint64_t x, uint64_t count,
                     const char *what)
{
    cairn_fp cells[ZL_NCELL];
    cairn_error err;
    for (uint64_t i = 0; i < count; i++) {
        if (zl_cursor_next(c, cells, &err) != CAIRN_OK)
            return FAIL("%s %s: row %llu: %s", f->name, what, (unsigned long long)(x + i), err.msg);
        if (!row_is(f, x + i, cells, what))
            return 0;
    }
    return 1;
}

/* Is row x the first row of a trace row (or a padding row)? */
static int boundary(const struct ref *f, uint64_t x)
{
    if (x >= f->r.T)
        return 1;
    uint64_t e = f->r.cells[(size_t)ZL_PCI * f->rows + x].v;
    return f->r.bc.entries[e].f[ZK_PC].v < ZK_VPC;
}

/* Is row x one of a read's or write's setup or byte rows? */
static int io_row(const struct ref *f, uint64_t x)
{
    return x < f->r.T && !boundary(f, x);
}

/* The checkpoints sit at the first boundary at or after each multiple of C. */
static void check_placement(const struct ref *f, const zl_replay *rp, uint64_t C)
{
    zl_replay_info info;
    zl_replay_get_info(&info, rp);
    uint64_t i = 0, last = UINT64_MAX;
    for (uint64_t m = 0; m < f->rows; m = m > UINT64_MAX - C ? f->rows : m + C) {
        uint64_t b = m;
        while (!boundary(f, b))
            b++;
        if (b == last)
            continue;
        last = b;
        if (zl_replay_checkpoint_row(rp, i) != b) {
            FAIL("%s C %llu: checkpoint %llu at row %llu, expected %llu", f->name,
                 (unsigned long long)C, (unsigned long long)i,
                 (unsigned long long)zl_replay_checkpoint_row(rp, i), (unsigned long long)b);
            return;
        }
        i++;
    }
    CHECK_EQ_U64(info.count, i);
}

/*
 * Record f's run every C rows and compare: the set's shape, the
 * checkpoints' places, every row read in order from row 0, and the rows
 * after sampled checkpoints, each restored by a backward seek onto it.
 */
static void check_interval(const struct ref *f, uint64_t C)
{
    zl_replay_run run;
    zl_replay *rp = NULL;
    zl_cursor *c = NULL;
    zl_replay_info info;
    zl_cursor_info ci;
    cairn_error err;
    char what[48];
    snprintf(what, sizeof what, "C %llu", (unsigned long long)C);
    run_of(&run, f);
    if (zl_replay_record(&rp, &run, C, &err) != CAIRN_OK) {
        FAIL("%s %s: record: %s", f->name, what, err.msg);
        return;
    }
    zl_replay_get_info(&info, rp);
    CHECK_EQ_U64(info.T, f->r.T);
    CHECK_EQ_U64(info.n, f->r.n);
    CHECK_EQ_U64(info.cycles, f->r.instructions);
    CHECK_EQ_U64(info.exit_code, f->r.exit_code);
    CHECK_EQ_U64(info.interval, C);
    check_placement(f, rp, C);
    if (!CHECK(zl_cursor_new(&c, rp, &err) == CAIRN_OK))
        goto out;
    /* every row, in order */
    if (CHECK(zl_cursor_seek(c, 0, &err) == CAIRN_OK))
        CHECK(read_rows(c, f, 0, f->rows, what));
    /* sampled checkpoints from the last down, each a backward seek: one restore each */
    uint64_t samples = info.count < 200 ? info.count : 200;
    zl_cursor_get_info(&ci, c);
    uint64_t restores = ci.restores;
    for (uint64_t s = samples; s-- > 0;) {
        uint64_t i = samples == info.count ? s : s * (info.count - 1) / (samples - 1);
        uint64_t x = zl_replay_checkpoint_row(rp, i);
        uint64_t next = i + 1 < info.count ? zl_replay_checkpoint_row(rp, i + 1) : f->rows;
        uint64_t len = next - x + 2 < 48 ? next - x + 2 : 48;
        if (len > f->rows - x)
            len = f->rows - x;
        if (!CHECK(zl_cursor_seek(c, x, &err) == CAIRN_OK) ||
            !CHECK(read_rows(c, f, x, len, what)))
            break;
    }
    zl_cursor_get_info(&ci, c);
    CHECK_EQ_U64(ci.restores, restores + samples);
out:
    zl_cursor_free(c);
    zl_replay_free(rp);
}

/* The guests of the suite, with small inputs (0 for none; sha256 reads `bytes` bytes). */
static const struct guest {
    const char *name;
    uint32_t in;
} guests[] = {{"hello", 0}, {"fib", 20}, {"sha256", 0}, {"sieve", 600},
              {"sort", 40},  {"matmul", 4}, {"loop", 200}};

/* The input of guest g: a little-endian u32, or 200 bytes of text for sha256. */
static size_t guest_input(uint8_t *in, const struct guest *g)
{
    if (strcmp(g->name, "sha256") == 0) {
        for (unsigned i = 0; i < 200; i++)
            in[i] = (uint8_t)("cairn replays the lean rows "[i % 28]);
        return 200;
    }
    for (unsigned i = 0; i < 4; i++)
        in[i] = (uint8_t)(g->in >> (8 * i));
    return g->in ? 4 : 0;
}

/* The input of the example guest called name (guest_input's), into in. */
static size_t named_input(uint8_t *in, const char *name)
{
    for (size_t i = 0; i < sizeof guests / sizeof guests[0]; i++)
        if (strcmp(guests[i].name, name) == 0)
            return guest_input(in, &guests[i]);
    return 0;
}

static int sanitized(void) { return test_iters < 1000; }

/*
 * Every guest for both ISAs (under the sanitizers: hello, fib, sha256 and
 * loop for rv32i), and two random programs with memory and reads and
 * writes, at every interval.
 */
static void rows_match_linear(void)
{
    static const char *const isas[2] = {"rv32i", "rv32im"};
    for (unsigned s = 0; s < 2; s++)
        for (size_t g = 0; g < sizeof guests / sizeof guests[0]; g++) {
            const char *name = guests[g].name;
            if (sanitized() && (s > 0 || strcmp(name, "sieve") == 0 ||
                                strcmp(name, "sort") == 0 || strcmp(name, "matmul") == 0))
                continue;
            uint8_t in[256];
            size_t in_len = guest_input(in, &guests[g]);
            struct ref f;
            if (!ref_open_guest(&f, isas[s], name, in, in_len))
                continue;
            uint64_t Cs[5] = {1, 3, 64, 1000, f.r.T + 1};
            for (unsigned i = 0; i < 5; i++)
                check_interval(&f, Cs[i]);
            ref_close(&f);
        }
    for (unsigned i = 0; i < 2; i++) {
        size_t len;
        uint64_t seed = test_rand_u64() | 1; /* odd: loads, stores and system calls */
        uint8_t *elf = zk_gen_elf(seed, 60 + (uint32_t)test_rand_below(200), &len);
        char name[64];
        snprintf(name, sizeof name, "random program %llu", (unsigned long long)seed);
        struct ref f;
        if (!ref_open_elf(&f, name, elf, len, zk_test_input, ZK_TEST_INPUT_LEN))
            continue;
        uint64_t Cs[5] = {1, 3, 64, 1000, f.r.T + 1};
        for (unsigned c = 0; c < 5; c++)
            check_interval(&f, Cs[c]);
        ref_close(&f);
    }
}

/* A row of [lo, hi) drawn at random (lo < hi). */
static uint64_t draw(uint64_t lo, uint64_t hi) { return lo + test_rand_below(hi - lo); }

/*
 * Random seeks on one recording, each followed by a few rows compared with
 * the reference: anywhere, backwards (a restore), forwards within 1024
 * rows (no restore) and far, onto a read's or write's setup and byte
 * rows, into the padding, onto a checkpoint and next to one, the last row.
 */
static void seek_at_random(const struct ref *f, uint64_t C, unsigned seeks)
{
    zl_replay_run run;
    zl_replay *rp = NULL;
    zl_cursor *c = NULL;
    zl_replay_info info;
    cairn_error err;
    char what[48];
    uint64_t *io = NULL, nio = 0;
    run_of(&run, f);
    if (!CHECK(zl_replay_record(&rp, &run, C, &err) == CAIRN_OK) ||
        !CHECK(zl_cursor_new(&c, rp, &err) == CAIRN_OK))
        goto out;
    zl_replay_get_info(&info, rp);
    if ((io = malloc(f->r.T * sizeof *io)) == NULL)
        goto out;
    for (uint64_t x = 0; x < f->r.T; x++)
        if (io_row(f, x))
            io[nio++] = x;
    uint64_t at = UINT64_MAX; /* the cursor's row */
    for (unsigned i = 0; i < seeks; i++) {
        unsigned kind = (unsigned)test_rand_below(9);
        uint64_t x;
        switch (kind) {
        case 1: /* backwards */
            x = at != UINT64_MAX && at > 0 ? draw(0, at) : 0;
            break;
        case 2: /* forwards, a little */
            x = at != UINT64_MAX ? at + draw(0, 1025) : 0;
            break;
        case 3: /* forwards, far */
            x = at != UINT64_MAX && at + 2000 < f->rows ? draw(at + 2000, f->rows) : 0;
            break;
        case 4: /* into a read's or write's rows */
            x = nio > 0 ? io[test_rand_below(nio)] : 0;
            break;
        case 5: /* the padding */
            x = draw(f->r.T, f->rows);
            break;
        case 6: /* a checkpoint, or the row before or after one */
            x = zl_replay_checkpoint_row(rp, test_rand_below(info.count)) +
                test_rand_below(3);
            x = x > 0 ? x - 1 : 0;
            break;
        case 7:
            x = f->rows - 1;
            break;
        default:
            x = draw(0, f->rows);
            break;
        }
        if (x >= f->rows)
            x = f->rows - 1;
        zl_cursor_info before, after;
        zl_cursor_get_info(&before, c);
        snprintf(what, sizeof what, "C %llu, seek %u (kind %u) to %llu", (unsigned long long)C, i,
                 kind, (unsigned long long)x);
        if (!CHECK(zl_cursor_seek(c, x, &err) == CAIRN_OK)) {
            printf("    %s %s: %s\n", f->name, what, err.msg);
            break;
        }
        zl_cursor_get_info(&after, c);
        CHECK_EQ_U64(zl_cursor_row(c), x);
        if (at != UINT64_MAX && x < at)
            CHECK_EQ_U64(after.restores, before.restores + 1);
        if (at != UINT64_MAX && x >= at && x - at <= 1024)
            CHECK_EQ_U64(after.restores, before.restores);
        uint64_t len = 1 + test_rand_below(40);
        if (len > f->rows - x)
            len = f->rows - x;
        if (!CHECK(read_rows(c, f, x, len, what)))
            break;
        at = x + len; /* at 2^n, the end: any seek is then backwards */
    }
out:
    free(io);
    zl_cursor_free(c);
    zl_replay_free(rp);
}

/* sha256 (a 200-byte read), hello (writes) and a random program with I/O, at three intervals. */
static void random_seeks(void)
{
    uint8_t in[256];
    size_t in_len = guest_input(in, &guests[2]);
    unsigned seeks = (unsigned)(test_iters / 4 + 20);
    struct ref f;
    if (ref_open_guest(&f, "rv32i", "sha256", in, in_len)) {
        CHECK(f.r.T > 400); /* the read's byte rows are there to land in */
        seek_at_random(&f, 64, seeks);
        seek_at_random(&f, 3, seeks / 2);
        seek_at_random(&f, 1000, seeks / 2);
        ref_close(&f);
    }
    if (ref_open_guest(&f, "rv32i", "hello", NULL, 0)) {
        seek_at_random(&f, 3, seeks / 2);
        ref_close(&f);
    }
    size_t len;
    uint64_t seed = test_rand_u64() | 1;
    uint8_t *elf = zk_gen_elf(seed, 200, &len);
    if (ref_open_elf(&f, "random program", elf, len, zk_test_input, ZK_TEST_INPUT_LEN)) {
        seek_at_random(&f, 7, seeks / 2);
        ref_close(&f);
    }
}

/* A guest of an ISA and a checkpoint interval: the cases of the tests below. */
struct rcase {
    const char *isa, *name;
    uint64_t C;
};

/*
 * f's run of example guest name (isa) on its input, recorded at interval C
 * into *rp; 1 when both are ready, 0 after a FAIL (f cleared, *rp NULL).
 */
static int open_recorded(struct ref *f, zl_replay **rp, const char *isa, const char *name,
                         uint64_t C)
{
    uint8_t in[256];
    size_t in_len = named_input(in, name);
    zl_replay_run run;
    cairn_error err;
    *rp = NULL;
    if (!ref_open_guest(f, isa, name, in, in_len))
        return 0;
    run_of(&run, f);
    if (zl_replay_record(rp, &run, C, &err) != CAIRN_OK) {
        FAIL("%s: record at %llu: %s", f->name, (unsigned long long)C, err.msg);
        ref_close(f);
        *rp = NULL;
        return 0;
    }
    return 1;
}

/*
 * The fill of all rows and of a random range with 1, 2, 3 and 4 threads
 * (the pool set to as many): the reference's rows each time, and with one
 * thread the set's counters grown by one restore and the rows from the
 * checkpoint before the range to its end.  Also more pieces than the pool
 * has threads.
 */
static void fill_threads_identical(void)
{
    static const struct rcase cases[] = {
        {"rv32i", "sha256", 64}, {"rv32im", "sort", 1000}, {"rv32i", "loop", 3}};
    size_t count = sanitized() ? 1 : sizeof cases / sizeof cases[0];
    unsigned pool = cairn_pool_threads();
    for (size_t k = 0; k < count; k++) {
        struct ref f;
        zl_replay *rp = NULL;
        cairn_error err;
        if (!open_recorded(&f, &rp, cases[k].isa, cases[k].name, cases[k].C))
            continue;
        cairn_fp *want = malloc(f.rows * ZL_NCELL * sizeof *want);
        cairn_fp *got = malloc(f.rows * ZL_NCELL * sizeof *got);
        if (!CHECK(want != NULL && got != NULL))
            goto next;
        for (uint64_t x = 0; x < f.rows; x++)
            for (unsigned c = 0; c < ZL_NCELL; c++)
                want[x * ZL_NCELL + c] = f.r.cells[(size_t)c * f.rows + x];
        uint64_t a = test_rand_below(f.rows), b = a + test_rand_below(f.rows - a + 1);
        for (unsigned t = 1; t <= 4; t++) {
            CHECK(cairn_pool_set_threads(t, NULL) == CAIRN_OK);
            memset(got, 0xff, f.rows * ZL_NCELL * sizeof *got);
            if (!CHECK(zl_replay_fill(got, rp, 0, f.rows, t, &err) == CAIRN_OK))
                printf("    %s: %u threads: %s\n", f.name, t, err.msg);
            else if (!CHECK_MEM_EQ(got, want, f.rows * ZL_NCELL * sizeof *got))
                printf("    %s: %u threads: all rows differ from the linear fill\n", f.name, t);
            memset(got, 0xff, (b - a) * ZL_NCELL * sizeof *got);
            zl_replay_info i0, i1;
            zl_replay_get_info(&i0, rp);
            cairn_status fst = zl_replay_fill(got, rp, a, b, t, &err);
            zl_replay_get_info(&i1, rp);
            if (t == 1 && fst == CAIRN_OK) {
                /* one cursor: one restore, the rows from the checkpoint up to a, then b - a */
                uint64_t ck = 0;
                for (uint64_t i = 0; zl_replay_checkpoint_row(rp, i) <= a; i++)
                    ck = zl_replay_checkpoint_row(rp, i);
                CHECK_EQ_U64(i1.restores - i0.restores, a < b ? 1 : 0);
                CHECK_EQ_U64(i1.regenerated - i0.regenerated, a < b ? b - ck : 0);
                CHECK(i1.replay_ns >= i0.replay_ns);
            }
            if (CHECK(fst == CAIRN_OK) &&
                !CHECK_MEM_EQ(got, want + a * ZL_NCELL, (b - a) * ZL_NCELL * sizeof *got))
                printf("    %s: %u threads: rows [%llu, %llu) differ\n", f.name, t,
                       (unsigned long long)a, (unsigned long long)b);
        }
        /* more pieces than threads: the pool runs them in turn */
        CHECK(cairn_pool_set_threads(2, NULL) == CAIRN_OK);
        memset(got, 0xff, f.rows * ZL_NCELL * sizeof *got);
        if (CHECK(zl_replay_fill(got, rp, 0, f.rows, 7, &err) == CAIRN_OK))
            CHECK_MEM_EQ(got, want, f.rows * ZL_NCELL * sizeof *got);
    next:
        CHECK(cairn_pool_set_threads(pool, NULL) == CAIRN_OK);
        free(want);
        free(got);
        zl_replay_free(rp);
        ref_close(&f);
    }
}

/* A new proof on th threads: the pool set, p emptied, t started, the last encoding freed. */
static void fresh_proof(zl_proof *p, cairn_transcript *t, uint8_t **b, unsigned th)
{
    CHECK(cairn_pool_set_threads(th, NULL) == CAIRN_OK);
    zl_proof_clear(p);
    zl_proof_init(p);
    cairn_transcript_init(t, "lean-proof");
    free(*b);
    *b = NULL;
}

/* Checks the rows a stream hands over against the reference run, in order. */
struct stream_check {
    const struct ref *f;
    uint64_t next;
    int bad;
};

static cairn_status stream_check_consume(void *ctx, uint64_t first, const cairn_fp *rows,
                                         size_t count, cairn_error *err)
{
    struct stream_check *c = ctx;
    (void)err;
    if (first != c->next)
        c->bad = 1;
    for (size_t r = 0; r < count && !c->bad; r++)
        if (!row_is(c->f, first + r, rows + r * ZL_NCELL, "replay row source"))
            c->bad = 1;
    c->next = first + count;
    return CAIRN_OK;
}

/*
 * A replay set as the prover reads it (zl_replay_rows_init,
 * zl_replay_cells_src): the row source hands over the linear fill's rows
 * for whole and random ranges, windows crossed, 1 and 3 threads; and the
 * lean proof whose row reads take their cells from the set's cursors (each
 * pool thread its own, stepping on or seeking as the stages read) and
 * whose commitment and openings stream the set's rows is the proof of the
 * cell columns, byte for byte, with the same rows read.
 */
static void prover_reads_replay(void)
{
    static const struct rcase cases[] = {
        {"rv32i", "hello", 16}, {"rv32i", "sha256", 1000}, {"rv32im", "sort", 64}};
    unsigned pool = cairn_pool_threads();
    for (size_t k = 0; k < (sanitized() ? 1 : sizeof cases / sizeof cases[0]); k++) {
        uint8_t *ref_b = NULL, *b = NULL;
        struct ref f;
        zl_replay *rp = NULL;
        cairn_error err;
        size_t ref_len = 0, len = 0;
        zl_proof p;
        zl_proof_init(&p);
        if (!open_recorded(&f, &rp, cases[k].isa, cases[k].name, cases[k].C))
            continue;
        /* the row source */
        for (unsigned t = 1; t <= 3; t += 2) {
            cairn_rows src;
            zl_replay_rows impl;
            zl_replay_rows_init(&src, &impl, rp, t);
            CHECK_EQ_U64(src.rows_len, f.rows);
            CHECK_EQ_U64(src.width, ZL_NCELL);
            uint64_t a = test_rand_below(f.rows), e = a + test_rand_below(f.rows - a + 1);
            struct stream_check c = {&f, 0, 0};
            CHECK_OK(cairn_rows_stream(&src, 0, f.rows, stream_check_consume, &c, &err));
            CHECK(!c.bad && c.next == f.rows);
            struct stream_check d = {&f, a, 0};
            CHECK_OK(cairn_rows_stream(&src, a, e, stream_check_consume, &d, &err));
            CHECK(!d.bad && d.next == e);
        }
        /* the proof, from the columns and from the replay's cursors */
        zl_stmt s;
        zl_run_stmt(&s, &f.r, 100, 2);
        cairn_transcript t;
        cairn_transcript_init(&t, "lean-proof");
        if (!CHECK(zl_prove_cols(&p, &t, &s, f.r.cells, 2, &err) == CAIRN_OK) ||
            !CHECK(zl_proof_encode(&ref_b, &ref_len, &p, &err) == CAIRN_OK))
            goto next;
        uint64_t want_rows[ZL_NSTAGE];
        memcpy(want_rows, p.stage_rows, sizeof want_rows);
        zl_cells_src cs;
        zl_replay_cells_src(&cs, rp);
        cairn_rows rrows;
        zl_replay_rows rimpl;
        for (unsigned th = 1; th <= 2; th++) {
            fresh_proof(&p, &t, &b, th);
            zl_replay_rows_init(&rrows, &rimpl, rp, th);
            if (!CHECK(zl_prove_src(&p, &t, &s, f.r.cells, &cs, &rrows, th, NULL, &err) ==
                       CAIRN_OK) ||
                !CHECK(zl_proof_encode(&b, &len, &p, &err) == CAIRN_OK)) {
                printf("    %s, %u threads: %s\n", f.name, th, err.msg);
                continue;
            }
            if (CHECK(len == ref_len))
                CHECK_MEM_EQ(b, ref_b, len);
            for (unsigned i = 0; i < ZL_NSTAGE; i++) {
                uint64_t x = p.stage_rows[i], w = want_rows[i], dd = x > w ? x - w : w - x;
                if (dd > w / 64 + 4096)
                    FAIL("%s: stage %s read %llu rows from the replay, %llu from the columns",
                         f.name, zl_stage_names[i], (unsigned long long)x, (unsigned long long)w);
            }
        }
    next:
        CHECK(cairn_pool_set_threads(pool, NULL) == CAIRN_OK);
        zl_proof_clear(&p);
        free(ref_b);
        free(b);
        zl_replay_free(rp);
        ref_close(&f);
    }
}

/*
 * A small-space run (zl_run_make with an interval): no cells and a replay
 * set instead, and the same rows, instructions, exit code and output
 * (read back from one pass of replayed rows) as the linear run; its set
 * regenerates the linear run's rows.
 */
static void small_run_matches_linear(void)
{
    static const char *const names[] = {"hello", "sha256", "fib"};
    for (size_t k = 0; k < (sanitized() ? 1 : sizeof names / sizeof names[0]); k++) {
        uint8_t in[256];
        size_t in_len = named_input(in, names[k]);
        struct ref f;
        zl_run r;
        cairn_error err;
        if (!ref_open_guest(&f, "rv32i", names[k], in, in_len))
            continue;
        zl_run_how how = {NULL, NULL, 2, NULL, 0, ZL_SPACE_SMALL, 100};
        if (!CHECK(zl_run_make(&r, f.elf, f.elf_len, in, in_len, MAX_STEPS, &how, &err) ==
                   CAIRN_OK)) {
            printf("    %s: %s\n", f.name, err.msg);
            ref_close(&f);
            continue;
        }
        CHECK(r.cells == NULL && r.rp != NULL);
        CHECK_EQ_U64(r.T, f.r.T);
        CHECK_EQ_U64(r.n, f.r.n);
        CHECK_EQ_U64(r.instructions, f.r.instructions);
        CHECK_EQ_U64(r.exit_code, f.r.exit_code);
        CHECK_EQ_U64(r.output_len, f.r.output_len);
        if (r.output_len == f.r.output_len && r.output_len > 0)
            CHECK_MEM_EQ(r.output, f.r.output, r.output_len);
        zl_replay_info info;
        zl_replay_get_info(&info, r.rp);
        CHECK_EQ_U64(info.interval, 100);
        cairn_fp *got = malloc(f.rows * ZL_NCELL * sizeof *got);
        if (CHECK(got != NULL) && CHECK(zl_replay_fill(got, r.rp, 0, f.rows, 2, &err) == CAIRN_OK))
            for (uint64_t x = 0; x < f.rows && row_is(&f, x, got + x * ZL_NCELL, "small run"); x++)
                ;
        free(got);
        zl_run_clear(&r);
        ref_close(&f);
    }
}

/*
 * Small space end to end: a run kept as lean checkpoints only (no trace
 * table, no cells: zl_run_make with an interval) proven by zl_prove_small,
 * every row every stage reads regenerated by replay, gives the linear
 * proof byte for byte, for intervals from a few rows to more than the
 * run, on 1 to 4 threads: with the default settings, with the settings
 * a budget at the run's minimum gives (zl_small_plan_make: the zero-check's
 * rounds from the rows, the GKRs' budget), at twice it with the claim
 * reduction on windows, and with the defaults again.
 */
static void small_space_same_proof(void)
{
    static const struct rcase cases[] = {
        {"rv32i", "hello", 7}, {"rv32im", "fib", 64}, {"rv32i", "sha256", 5000}};
    unsigned pool = cairn_pool_threads();
    for (size_t k = 0; k < (sanitized() ? 1 : sizeof cases / sizeof cases[0]); k++) {
        uint8_t in[256], *ref_b = NULL, *b = NULL;
        size_t in_len = named_input(in, cases[k].name), ref_len = 0, len = 0;
        struct ref f;
        zl_run r;
        zl_proof p;
        cairn_transcript t;
        cairn_error err;
        zl_stmt s;
        memset(&r, 0, sizeof r);
        zl_proof_init(&p);
        if (!ref_open_guest(&f, cases[k].isa, cases[k].name, in, in_len))
            continue;
        zl_run_stmt(&s, &f.r, 100, 2);
        cairn_transcript_init(&t, "lean-proof");
        if (!CHECK(zl_prove_cols(&p, &t, &s, f.r.cells, 2, &err) == CAIRN_OK) ||
            !CHECK(zl_proof_encode(&ref_b, &ref_len, &p, &err) == CAIRN_OK))
            goto next;
        zl_run_how how = {NULL, NULL, 2, NULL, 0, ZL_SPACE_SMALL, cases[k].C};
        if (!CHECK(zl_run_make(&r, f.elf, f.elf_len, in, in_len, MAX_STEPS, &how, &err) ==
                   CAIRN_OK))
            goto next;
        zl_run_stmt(&s, &r, 100, 2);
        zl_small_plan least;
        least.minimum = 0; /* refused: only its minimum */
        CHECK(zl_small_plan_make(&least, &r, 0, 2, NULL) == CAIRN_ERR_LIMIT && least.minimum > 0);
        for (unsigned th = 1; th <= 4; th++) {
            /* the defaults, the plan at the minimum budget, at twice it with windows, the defaults */
            zl_small_plan pl = {ZL_ZC_DELAY, ZL_GKR_BUDGET, 0};
            if ((th == 2 || th == 3) &&
                !CHECK(zl_small_plan_make(&pl, &r, least.minimum * (th - 1), th, &err) ==
                       CAIRN_OK))
                continue;
            zl_zc_delay = pl.zc_delay, zl_gkr_budget = pl.gkr_budget;
            zl_open_table_max = th == 3 ? 0 : ZL_OPEN_TABLE_MAX;
            fresh_proof(&p, &t, &b, th);
            cairn_status st = zl_prove_small(&p, &t, &s, r.rp, th, NULL, &err);
            zl_zc_delay = ZL_ZC_DELAY, zl_gkr_budget = ZL_GKR_BUDGET;
            zl_open_table_max = ZL_OPEN_TABLE_MAX;
            if (!CHECK(st == CAIRN_OK) || !CHECK(zl_proof_encode(&b, &len, &p, &err) == CAIRN_OK)) {
                printf("    %s, %u threads: %s\n", f.name, th, err.msg);
                continue;
            }
            if (CHECK(len == ref_len))
                CHECK_MEM_EQ(b, ref_b, len);
        }
    next:
        CHECK(cairn_pool_set_threads(pool, NULL) == CAIRN_OK);
        zl_proof_clear(&p);
        zl_run_clear(&r);
        free(ref_b);
        free(b);
        ref_close(&f);
    }
}

/*
 * The checkpoints' RAM is sparse: fib touches a few dozen words of its
 * 2^16, so its checkpoints keep a few blocks, and every 64 rows or more
 * all of them together hold far less than one copy of the words and
 * timestamps; at one a row (C = 1) they share what did not change, under
 * 1 KiB a checkpoint with its registers, a quarter of what each would
 * hold with its own blocks.
 */
static void checkpoints_sparse(void)
{
    uint8_t in[4] = {20, 0, 0, 0};
    struct ref f;
    if (!ref_open_guest(&f, "rv32i", "fib", in, 4))
        return;
    uint64_t words = UINT64_C(1) << f.r.ram.k, full = words * (4 + 8); /* words and timestamps */
    uint64_t Cs[3] = {1, 64, 1000};
    for (unsigned i = 0; i < 3; i++) {
        zl_replay_run run;
        zl_replay *rp = NULL;
        zl_replay_info info;
        cairn_error err;
        run_of(&run, &f);
        if (!CHECK(zl_replay_record(&rp, &run, Cs[i], &err) == CAIRN_OK))
            continue;
        zl_replay_get_info(&info, rp);
        CHECK(f.r.ram.k >= 16);
        CHECK(info.blocks > 0 && info.blocks * ZK_RAM_BLOCK * 64 < words);
        if (Cs[i] >= 64 && !CHECK(info.bytes < full / 8))
            printf("    C %llu: %llu checkpoints hold %llu bytes; one copy of the RAM is %llu\n",
                   (unsigned long long)Cs[i], (unsigned long long)info.count,
                   (unsigned long long)info.bytes, (unsigned long long)full);
        /* unshared, each would keep all its blocks (192 bytes each) */
        if (Cs[i] == 1 && !CHECK(info.bytes < info.count * 1024 &&
                                 info.ram_bytes < info.count * info.blocks * 192 / 4))
            printf("    C 1: %llu checkpoints hold %llu bytes, %llu of them the RAM's %llu "
                   "blocks\n",
                   (unsigned long long)info.count, (unsigned long long)info.bytes,
                   (unsigned long long)info.ram_bytes, (unsigned long long)info.blocks);
        zl_replay_free(rp);
    }
    ref_close(&f);
}

/*
 * A cursor's VM traces ahead of the rows it has handed out; a store it
 * ran there, into a block the rows have not reached, must be undone by
 * the next restore.  The program loads an initialised word, adds one and
 * stores it (its first access); with one checkpoint (row 0), seeking to
 * row 1 runs the VM past the store, and seeking back to row 0 must bring
 * the word's image back, or the load's row reads the stored value.
 */
static void vm_ahead_undone(void)
{
    static const uint8_t five[4] = {5, 0, 0, 0};
    struct rvprog p;
    size_t len;
    rvp_init(&p);
    uint32_t addr = rvp_data(&p, five, sizeof five);
    rvp_li(&p, 5, addr);
    for (unsigned i = 0; i < 20; i++)
        rvp_emit(&p, RV_ADDI(7, 7, 1));
    rvp_emit(&p, RV_LW(6, 5, 0));
    rvp_emit(&p, RV_ADDI(6, 6, 1));
    rvp_emit(&p, RV_SW(6, 5, 0));
    rvp_exit(&p, 0);
    uint8_t *elf = rvp_elf(&p, &len);
    rvp_clear(&p);
    struct ref f;
    zl_replay_run run;
    zl_replay *rp = NULL;
    zl_cursor *c = NULL;
    cairn_fp cells[ZL_NCELL];
    cairn_error err;
    if (!ref_open_elf(&f, "load, add, store", elf, len, NULL, 0))
        return;
    run_of(&run, &f);
    if (CHECK(zl_replay_record(&rp, &run, f.rows, &err) == CAIRN_OK) &&
        CHECK(zl_cursor_new(&c, rp, &err) == CAIRN_OK) &&
        CHECK(zl_cursor_seek(c, 1, &err) == CAIRN_OK) &&
        CHECK(zl_cursor_next(c, cells, &err) == CAIRN_OK) &&
        CHECK(zl_cursor_seek(c, 0, &err) == CAIRN_OK))
        CHECK(read_rows(c, &f, 0, f.rows, "after a seek back"));
    zl_cursor_free(c);
    zl_replay_free(rp);
    ref_close(&f);
}

/* Program, bytecode, RAM and registers of an ELF without running it (so a faulting one too). */
struct bare {
    cairn_program prog;
    zk_bytecode bc;
    zk_ram ram;
    uint32_t init[32];
};

static int bare_open(struct bare *b, const uint8_t *elf, size_t len, unsigned ext, int k_plus)
{
    cairn_error err;
    uint32_t k = 0;
    memset(b, 0, sizeof *b);
    zk_bytecode_init(&b->bc);
    zk_ram_init(&b->ram);
    if (!CHECK(cairn_elf_load(&b->prog, elf, len, &err) == CAIRN_OK) ||
        !CHECK(zk_bytecode_build_ext(&b->bc, &b->prog, ext, &err) == CAIRN_OK) ||
        !CHECK(cairn_vm_mem_log2_words(&k, &b->prog, NULL, &err) == CAIRN_OK) ||
        !CHECK(zk_ram_load(&b->ram, &b->prog, k + (unsigned)k_plus, &err) == CAIRN_OK))
        return 0;
    zk_init_regs(b->init, &b->prog, k);
    return 1;
}

static void bare_close(struct bare *b)
{
    zk_ram_clear(&b->ram);
    zk_bytecode_clear(&b->bc);
    cairn_program_clear(&b->prog);
}

static void bare_run(zl_replay_run *run, const struct bare *b, const uint8_t *in, size_t in_len,
                     uint64_t max_steps)
{
    memset(run, 0, sizeof *run);
    run->prog = &b->prog, run->bc = &b->bc, run->ram = &b->ram, run->init_regs = b->init;
    run->input = in, run->input_len = in_len, run->max_steps = max_steps;
}

/* Record elf's run and expect status `want` whose message contains `has`. */
static void record_fails(const uint8_t *elf, size_t len, const uint8_t *in, size_t in_len,
                         uint64_t max_steps, unsigned ext, int k_plus, cairn_status want,
                         const char *has, const char *what)
{
    struct bare b;
    zl_replay_run run;
    zl_replay *rp = (zl_replay *)1;
    cairn_error err;
    if (bare_open(&b, elf, len, ext, k_plus)) {
        bare_run(&run, &b, in, in_len, max_steps);
        cairn_error_clear(&err);
        cairn_status st = zl_replay_record(&rp, &run, 64, &err);
        if (!CHECK(st == want && rp == NULL && strstr(err.msg, has) != NULL))
            printf("    %s: %s (%s), expected %s and \"%s\"\n", what, cairn_status_str(st), err.msg,
                   cairn_status_str(want), has);
    }
    bare_close(&b);
}

/*
 * Every documented error: interval 0 and a NULL member refused; a cursor
 * with no position, seeks and reads past the end, bad fill ranges and
 * thread counts; a run that faults or runs out of steps reported as
 * zl_run_init reports it (the same status and message); an M instruction
 * with a bytecode built without the M extension; a RAM region that is
 * not the VM's.
 */
static void errors_refused(void)
{
    struct ref f;
    zl_replay_run run;
    zl_replay *rp = NULL;
    zl_cursor *c = NULL;
    cairn_error err;
    cairn_fp cells[ZL_NCELL];
    if (!ref_open_guest(&f, "rv32i", "hello", NULL, 0))
        return;
    run_of(&run, &f);
    rp = (zl_replay *)1;
    CHECK_EQ_U64(zl_replay_record(&rp, &run, 0, &err), CAIRN_ERR_ARG);
    CHECK(rp == NULL && strstr(err.msg, "interval 0") != NULL);
    zl_replay_run bad = run;
    bad.bc = NULL;
    CHECK_EQ_U64(zl_replay_record(&rp, &bad, 3, &err), CAIRN_ERR_ARG);
    if (CHECK(zl_replay_record(&rp, &run, 3, &err) == CAIRN_OK) &&
        CHECK(zl_cursor_new(&c, rp, &err) == CAIRN_OK)) {
        CHECK_EQ_U64(zl_cursor_row(c), UINT64_MAX);
        CHECK_EQ_U64(zl_cursor_next(c, cells, &err), CAIRN_ERR_ARG);
        CHECK(strstr(err.msg, "seek first") != NULL);
        CHECK_EQ_U64(zl_cursor_seek(c, f.rows, &err), CAIRN_ERR_ARG);
        CHECK_OK(zl_cursor_seek(c, f.rows - 1, &err));
        CHECK_OK(zl_cursor_next(c, cells, &err));
        CHECK(row_is(&f, f.rows - 1, cells, "last row"));
        CHECK_EQ_U64(zl_cursor_next(c, cells, &err), CAIRN_ERR_ARG);
        CHECK(strstr(err.msg, "past the last") != NULL);
        CHECK_OK(zl_cursor_seek(c, 0, &err)); /* usable again */
        CHECK_OK(zl_cursor_next(c, cells, &err));
        CHECK(row_is(&f, 0, cells, "row 0 after the end"));
        CHECK_EQ_U64(zl_replay_fill(cells, rp, 2, 1, 1, &err), CAIRN_ERR_ARG);
        CHECK_EQ_U64(zl_replay_fill(cells, rp, 0, f.rows + 1, 1, &err), CAIRN_ERR_ARG);
        CHECK_EQ_U64(zl_replay_fill(cells, rp, 0, 1, 0, &err), CAIRN_ERR_ARG);
        CHECK_OK(zl_replay_fill(cells, rp, 1, 1, 1, &err)); /* nothing to do */
    }
    zl_cursor_free(c);
    zl_replay_free(rp);

    /* a RAM region twice the VM's */
    record_fails(f.elf, f.elf_len, NULL, 0, MAX_STEPS, ZK_EXT_M, 1, CAIRN_ERR_ARG,
                 "is not the RAM region", "another RAM region");
    /* out of steps: zl_run_init's status */
    zl_run r;
    cairn_status st = zl_run_init(&r, f.elf, f.elf_len, NULL, 0, 5, &err);
    CHECK_EQ_U64(st, CAIRN_ERR_LIMIT);
    record_fails(f.elf, f.elf_len, NULL, 0, 5, ZK_EXT_M, 0, CAIRN_ERR_LIMIT, err.msg,
                 "five steps");
    ref_close(&f);

    /* a load below the region: the fault, as zl_run_init reports it */
    struct rvprog p;
    size_t len;
    rvp_init(&p);
    rvp_li(&p, 5, 0x10);
    rvp_emit(&p, RV_LW(6, 5, 0));
    rvp_exit(&p, 0);
    uint8_t *elf = rvp_elf(&p, &len);
    rvp_clear(&p);
    st = zl_run_init(&r, elf, len, NULL, 0, MAX_STEPS, &err);
    CHECK_EQ_U64(st, CAIRN_ERR_ARG);
    record_fails(elf, len, NULL, 0, MAX_STEPS, ZK_EXT_M, 0, CAIRN_ERR_ARG, err.msg, "a fault");
    free(elf);

    /* matmul for rv32im with a bytecode that has no M instructions */
    char path[512];
    snprintf(path, sizeof path, "%s/rv32im/matmul.elf", vmt_guest_dir());
    uint8_t in[4] = {4, 0, 0, 0};
    if ((elf = vmt_read_file(path, &len)) == NULL) {
        FAIL("%s: cannot read (build the guests first: make)", path);
        return;
    }
    record_fails(elf, len, in, 4, MAX_STEPS, 0, 0, CAIRN_ERR_ARG, "cannot be proven",
                 "no M extension");
    free(elf);
}

const struct test_case test_lean_replay_cases[] = {
    TEST(rows_match_linear),
    TEST(random_seeks),
    TEST(fill_threads_identical),
    TEST(prover_reads_replay),
    TEST(small_run_matches_linear),
    TEST(small_space_same_proof),
    TEST(checkpoints_sparse),
    TEST(vm_ahead_undone),
    TEST(errors_refused),
    TEST_END,
};
