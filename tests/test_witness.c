/*
 * test_witness.c — the witness rows, checkpoints, the checkpoint file and
 * the witness oracle (include/cairn/witness.h).
 *
 * The reference is one straight tracing run materialised as a table
 * (cairn_witness_oracle_new_table); the checkpoint-replay oracle must hand
 * out bit-identical rows for random programs and the example guests, any
 * range [a, b), any interval C, thread count M, chunk size and buffer
 * depth.  The tracing interpreter is itself checked against the plain one
 * (same final state) and row by row against hand-computed values.  The
 * file tests corrupt every byte, truncate at every length, and feed the
 * wrong program and input.  Suites: "witness" (rows, oracle) and
 * "checkpoint" (recording, restoring, the file, cairn_checkpoints_verify,
 * the fuzz target).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/sha256.h"
#include "cairn/witness.h"
#include "tests.h"
#include "vm_util.h"

int cairn_fuzz_checkpoint(const uint8_t *data, size_t len);

/* ---- random programs ------------------------------------------------------------------------ */

#define SCR_LEN 512u
#define R_SCR 31u  /* scratch base */
#define R_LOOP 29u /* loop counter */

static uint32_t rnd_reg(void) { return 1 + (uint32_t)test_rand_below(28); } /* x1..x28 */
static int32_t rnd_imm12(void) { return (int32_t)test_rand_below(4096) - 2048; }

/* One random item of straight-line code (it may skip forward, never back). */
static void gen_item(struct rvprog *p)
{
    static const uint32_t r_ops[][2] = {{0, 0}, {0x20, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4},
                                        {0, 5}, {0x20, 5}, {0, 6}, {0, 7}, {1, 0}, {1, 1},
                                        {1, 2}, {1, 3}, {1, 4}, {1, 5}, {1, 6}, {1, 7}};
    static const uint32_t i_f3[] = {0, 2, 3, 4, 6, 7};
    static const uint32_t lf3[] = {0, 1, 2, 4, 5};
    switch (test_rand_below(10)) {
    case 0:
    case 1: {
        const uint32_t *o = r_ops[test_rand_below(sizeof r_ops / sizeof r_ops[0])];
        rvp_emit(p, rv_r(o[0], rnd_reg(), rnd_reg(), o[1], rnd_reg(), 0x33));
        break;
    }
    case 2:
        rvp_emit(p, rv_i(rnd_imm12(), rnd_reg(), i_f3[test_rand_below(6)], rnd_reg(), 0x13));
        break;
    case 3: {
        uint32_t f3 = test_rand_below(2) ? 1 : 5, f7 = f3 == 5 && test_rand_below(2) ? 0x20 : 0;
        rvp_emit(p, rv_i((int32_t)(f7 << 5 | (uint32_t)test_rand_below(32)), rnd_reg(), f3,
                         rnd_reg(), 0x13));
        break;
    }
    case 4:
        rvp_emit(p, rv_u((uint32_t)test_rand_u64() & 0xfffff000u, rnd_reg(),
                         test_rand_below(2) ? 0x37 : 0x17));
        break;
    case 5: { /* load */
        uint32_t f3 = lf3[test_rand_below(5)], w = 1u << (f3 & 3);
        int32_t off = (int32_t)(test_rand_below(SCR_LEN / w) * w);
        rvp_emit(p, rv_i(off, R_SCR, f3, rnd_reg(), 0x03));
        break;
    }
    case 6: { /* store */
        uint32_t f3 = (uint32_t)test_rand_below(3), w = 1u << f3;
        int32_t off = (int32_t)(test_rand_below(SCR_LEN / w) * w);
        rvp_emit(p, rv_s(off, rnd_reg(), R_SCR, f3));
        break;
    }
    case 7: { /* forward branch over one or two ALU words */
        static const uint32_t bf3[] = {0, 1, 4, 5, 6, 7};
        uint32_t skip = 1 + (uint32_t)test_rand_below(2);
        rvp_emit(p, rv_b((int32_t)(4 * (skip + 1)), rnd_reg(), rnd_reg(), bf3[test_rand_below(6)]));
        for (uint32_t i = 0; i < skip; i++)
            rvp_emit(p, rv_i(rnd_imm12(), rnd_reg(), 0, rnd_reg(), 0x13));
        break;
    }
    case 8: /* jal over one word */
        rvp_emit(p, rv_j(8, rnd_reg()));
        rvp_emit(p, rv_i(rnd_imm12(), rnd_reg(), 0, rnd_reg(), 0x13));
        break;
    default: { /* read(0, scratch + off, n) or write(1, scratch, n) */
        int rd = test_rand_below(2) != 0;
        rvp_emit(p, RV_ADDI(10, 0, rd ? 0 : 1));
        rvp_emit(p, RV_ADDI(11, R_SCR, (int32_t)test_rand_below(SCR_LEN / 2)));
        rvp_emit(p, RV_ADDI(12, 0, (int32_t)test_rand_below(SCR_LEN / 2)));
        rvp_emit(p, RV_ADDI(17, 0, rd ? 63 : 64));
        rvp_emit(p, RV_ECALL);
        break;
    }
    }
}

/*
 * A random terminating program: random registers, a loop of 1..40
 * iterations around 5..120 random items, then exit(x5).  Sometimes it
 * ends in a fault instead (a load outside memory), to cover faulted runs.
 */
static uint8_t *gen_program(size_t *len)
{
    struct rvprog p;
    uint8_t scratch[SCR_LEN];
    rvp_init(&p);
    test_rand_bytes(scratch, sizeof scratch);
    uint32_t base = rvp_data(&p, scratch, sizeof scratch);
    for (uint32_t r = 1; r < 32; r++)
        rvp_li(&p, r, (uint32_t)test_rand_u64());
    rvp_li(&p, R_SCR, base);
    rvp_li(&p, R_LOOP, 1 + (uint32_t)test_rand_below(40));
    size_t top = p.n;
    uint32_t items = 5 + (uint32_t)test_rand_below(116);
    for (uint32_t i = 0; i < items; i++)
        gen_item(&p);
    rvp_emit(&p, RV_ADDI(R_LOOP, R_LOOP, -1));
    size_t at = rvp_emit(&p, 0);
    p.code[at] = rv_b(-(int32_t)(4 * (at - top)), 0, R_LOOP, 1);
    if (test_rand_below(8) == 0) {
        rvp_li(&p, 6, 8);
        rvp_emit(&p, RV_LW(7, 6, 0)); /* address 8: below the region */
    }
    rvp_emit(&p, RV_ADDI(10, 5, 0));
    rvp_li(&p, 17, 93);
    rvp_emit(&p, RV_ECALL);
    uint8_t *elf = rvp_elf(&p, len);
    rvp_clear(&p);
    return elf;
}

/* ---- fixtures ------------------------------------------------------------------------------ */

/* A loaded program with its ELF digest and an input, owned together. */
struct fx {
    uint8_t *elf;
    size_t elf_len;
    uint8_t digest[CAIRN_SHA256_BYTES];
    cairn_program prog;
    uint8_t *input;
    size_t input_len;
    uint32_t stack;
};

static int fx_init(struct fx *f, uint8_t *elf, size_t elf_len, const uint8_t *input,
                   size_t input_len, uint32_t stack)
{
    cairn_error err;
    memset(f, 0, sizeof *f);
    f->elf = elf;
    f->elf_len = elf_len;
    f->stack = stack;
    cairn_sha256(f->digest, elf, elf_len);
    cairn_program_init(&f->prog);
    f->input = malloc(input_len ? input_len : 1);
    if (input_len)
        memcpy(f->input, input, input_len);
    f->input_len = input_len;
    if (cairn_elf_load(&f->prog, elf, elf_len, &err) != CAIRN_OK)
        return FAIL("ELF load: %s", err.msg);
    return 1;
}

static void fx_clear(struct fx *f)
{
    cairn_program_clear(&f->prog);
    free(f->elf);
    free(f->input);
}

static cairn_status fx_vm(const struct fx *f, cairn_vm *vm, cairn_error *err)
{
    cairn_vm_config cfg;
    cairn_vm_config_init(&cfg);
    cfg.stack_size = f->stack;
    cairn_status st = cairn_vm_init(vm, &f->prog, &cfg, err);
    if (st == CAIRN_OK)
        cairn_vm_set_input(vm, f->input, f->input_len);
    return st;
}

/* Record checkpoints every `c` cycles (NULL on failure, reported). */
static cairn_checkpoints *fx_record(const struct fx *f, uint64_t c, uint64_t max_cycles)
{
    cairn_vm vm;
    cairn_error err;
    cairn_checkpoints *cp = NULL;
    if (fx_vm(f, &vm, &err) != CAIRN_OK) {
        FAIL("vm init: %s", err.msg);
        return NULL;
    }
    if (cairn_checkpoints_record(&cp, &vm, f->digest, c, max_cycles, &err) != CAIRN_OK)
        FAIL("record: %s", err.msg);
    cairn_vm_clear(&vm);
    return cp;
}

/* An interval giving between 1 and about max_count checkpoints for f's run. */
static uint64_t fx_interval(const struct fx *f, uint64_t max_count)
{
    cairn_vm vm;
    cairn_error err;
    uint64_t t = 1;
    if (fx_vm(f, &vm, &err) == CAIRN_OK && cairn_vm_run(&vm, UINT64_MAX, &err) == CAIRN_OK)
        t = vm.cycles + 1;
    cairn_vm_clear(&vm);
    uint64_t lo = t / max_count + 1;
    return lo + test_rand_below(t);
}

static cairn_witness_oracle *fx_table(const struct fx *f, uint64_t max_cycles, size_t chunk)
{
    cairn_witness_oracle *o = NULL;
    cairn_vm_config cfg;
    cairn_error err;
    cairn_vm_config_init(&cfg);
    cfg.stack_size = f->stack;
    if (cairn_witness_oracle_new_table(&o, &f->prog, &cfg, f->input, f->input_len, max_cycles,
                                       chunk, &err) != CAIRN_OK)
        FAIL("table oracle: %s", err.msg);
    return o;
}

/* A consumer that copies rows into a buffer and checks the order of chunks. */
struct collect {
    cairn_fp *rows;
    uint64_t first, next;
    size_t chunks;
    size_t fail_after; /* stop with CAIRN_ERR_IO after this many chunks (0: never) */
    int order_ok;
};

static cairn_status collect_fn(void *ctx, uint64_t first_row, const cairn_fp *rows, size_t count,
                               cairn_error *err)
{
    struct collect *c = ctx;
    if (first_row != c->next || count == 0)
        c->order_ok = 0;
    if (c->rows != NULL)
        memcpy(c->rows + (first_row - c->first) * CAIRN_WIT_WIDTH, rows,
               count * CAIRN_WIT_WIDTH * sizeof *rows);
    c->next = first_row + count;
    c->chunks++;
    if (c->fail_after != 0 && c->chunks == c->fail_after)
        return cairn_error_set(err, CAIRN_ERR_IO, "consumer gave up");
    return CAIRN_OK;
}

/* Stream [a, b) of o into a fresh buffer (NULL on error, reported). */
static cairn_fp *stream_all(const cairn_witness_oracle *o, uint64_t a, uint64_t b)
{
    struct collect c = {NULL, a, a, 0, 0, 1};
    cairn_error err;
    c.rows = malloc((size_t)(b - a + 1) * CAIRN_WIT_WIDTH * sizeof(cairn_fp));
    cairn_status st = cairn_witness_oracle_stream(o, a, b, collect_fn, &c, &err);
    if (st != CAIRN_OK) {
        FAIL("stream [%llu, %llu): %s", (unsigned long long)a, (unsigned long long)b, err.msg);
        free(c.rows);
        return NULL;
    }
    if (!c.order_ok || c.next != b) {
        FAIL("stream [%llu, %llu): chunks out of order or incomplete", (unsigned long long)a,
             (unsigned long long)b);
        free(c.rows);
        return NULL;
    }
    return c.rows;
}

/* Compare rows, reporting the first differing cell. */
static int rows_equal(const cairn_fp *x, const cairn_fp *y, uint64_t first, uint64_t n,
                      const char *what)
{
    for (uint64_t i = 0; i < n * CAIRN_WIT_WIDTH; i++) {
        if (x[i].v != y[i].v)
            return FAIL("%s: row %llu column %s: 0x%llx != 0x%llx", what,
                        (unsigned long long)(first + i / CAIRN_WIT_WIDTH),
                        cairn_wit_columns()[i % CAIRN_WIT_WIDTH].name, (unsigned long long)x[i].v,
                        (unsigned long long)y[i].v);
    }
    return 1;
}

/*
 * The core property: for random (C, M, chunk, depth) and random ranges,
 * replay rows equal the table's.  Returns 1 when everything matched.
 */
static int replay_matches(const struct fx *f, int ranges)
{
    int ok = 1;
    cairn_witness_oracle *tab = fx_table(f, UINT64_MAX, 0);
    if (tab == NULL)
        return 0;
    uint64_t t = cairn_witness_oracle_cycles(tab);
    uint64_t rows_len = cairn_witness_oracle_rows(tab)->rows_len;
    cairn_fp *ref = stream_all(tab, 0, rows_len);
    uint64_t c = 1 + test_rand_below(t < 2 ? 2 : t + t / 4);
    if (test_rand_below(3) == 0)
        c = 1 + test_rand_below(64);
    cairn_checkpoints *cp = fx_record(f, c, UINT64_MAX);
    if (ref == NULL || cp == NULL) {
        ok = 0;
        goto out;
    }
    ok &= CHECK(cairn_checkpoints_header(cp)->cycles == t);
    cairn_witness_replay_config rc = {1 + (unsigned)test_rand_below(4),
                                      1 + (size_t)test_rand_below(300),
                                      1 + (unsigned)test_rand_below(3)};
    cairn_witness_oracle *rep = NULL;
    cairn_error err;
    if (cairn_witness_oracle_new_replay(&rep, cp, &f->prog, f->input, f->input_len, &rc, &err) !=
        CAIRN_OK) {
        ok = FAIL("replay oracle: %s", err.msg);
        goto out;
    }
    ok &= CHECK(cairn_witness_oracle_rows(rep)->rows_len == rows_len);
    ok &= CHECK(cairn_witness_oracle_cycles(rep) == t);
    for (int r = 0; r < ranges && ok; r++) {
        uint64_t a = 0, b = rows_len;
        if (r > 0) {
            a = test_rand_below(rows_len);
            b = a + 1 + test_rand_below(rows_len - a);
        }
        cairn_fp *got = stream_all(rep, a, b);
        char what[160];
        snprintf(what, sizeof what, "T %llu C %llu M %u chunk %zu depth %u [%llu, %llu)",
                 (unsigned long long)t, (unsigned long long)c, rc.threads, rc.chunk_rows, rc.depth,
                 (unsigned long long)a, (unsigned long long)b);
        ok &= got != NULL && rows_equal(got, ref + a * CAIRN_WIT_WIDTH, a, b - a, what);
        free(got);
    }
    cairn_witness_oracle_free(rep);
out:
    free(ref);
    cairn_checkpoints_free(cp);
    cairn_witness_oracle_free(tab);
    return ok;
}

static int random_fx(struct fx *f)
{
    size_t len = 0;
    uint8_t *elf = gen_program(&len);
    uint8_t in[300];
    size_t in_len = (size_t)test_rand_below(sizeof in);
    test_rand_bytes(in, in_len);
    return fx_init(f, elf, len, in, in_len, 4096);
}

static unsigned long scaled(unsigned long div, unsigned long min)
{
    return test_iters / div < min ? min : test_iters / div;
}

/* ---- suite "witness": rows and the oracle -------------------------------------------------- */

static cairn_fp cell(const cairn_fp *rows, uint64_t r, cairn_wit_col c)
{
    return rows[r * CAIRN_WIT_WIDTH + c];
}

/* A hand-written program whose every row is known. */
static void rows_known_program(void)
{
    struct rvprog p;
    struct fx f;
    size_t len = 0;
    rvp_init(&p);
    uint32_t data = rvp_data(&p, "abcd", 4);
    rvp_li(&p, 5, data);                        /* rows 0, 1 */
    rvp_li(&p, 6, 0x11223344);                  /* rows 2, 3 */
    rvp_emit(&p, rv_s(0, 6, 5, 1));             /* row 4: sh x6, 0(x5) */
    rvp_emit(&p, rv_i(2, 5, 4, 7, 0x03));       /* row 5: lbu x7, 2(x5) */
    rvp_emit(&p, rv_r(0, 7, 6, 0, 8, 0x33));    /* row 6: add x8, x6, x7 */
    rvp_emit(&p, RV_ADDI(10, 0, 1));            /* row 7 */
    rvp_emit(&p, RV_ADDI(11, 5, 0));            /* row 8 */
    rvp_emit(&p, RV_ADDI(12, 0, 3));            /* row 9 */
    rvp_emit(&p, RV_ADDI(17, 0, 64));           /* row 10 */
    rvp_emit(&p, RV_ECALL);                     /* row 11: write(1, data, 3) */
    rvp_emit(&p, RV_ADDI(10, 0, 42));           /* row 12 */
    rvp_emit(&p, RV_ADDI(17, 0, 93));           /* row 13 */
    rvp_emit(&p, RV_ECALL);                     /* row 14: exit(42) */
    uint8_t *elf = rvp_elf(&p, &len);
    rvp_clear(&p);
    if (!fx_init(&f, elf, len, NULL, 0, 4096))
        return;
    cairn_witness_oracle *o = fx_table(&f, UINT64_MAX, 5);
    if (o == NULL)
        goto out;
    CHECK_EQ_U64(cairn_witness_oracle_cycles(o), 15);
    CHECK_EQ_U64(cairn_witness_oracle_rows(o)->rows_len, 16);
    CHECK_EQ_U64(cairn_witness_oracle_rows(o)->width, CAIRN_WIT_WIDTH);
    cairn_fp *r = stream_all(o, 0, 16);
    if (r == NULL)
        goto out;
    uint32_t pc0 = RVP_CODE_BASE;
    CHECK_EQ_U64(cell(r, 4, CAIRN_WIT_COL_PC).v, pc0 + 16);
    CHECK_EQ_U64(cell(r, 4, CAIRN_WIT_COL_OP).v, CAIRN_WIT_OP_SH);
    CHECK_EQ_U64(cell(r, 4, CAIRN_WIT_COL_CLASS).v, CAIRN_VM_CLASS_STORE);
    CHECK_EQ_U64(cell(r, 4, CAIRN_WIT_COL_RS1).v, 5);
    CHECK_EQ_U64(cell(r, 4, CAIRN_WIT_COL_RS2).v, 6);
    CHECK_EQ_U64(cell(r, 4, CAIRN_WIT_COL_RD).v, 0);
    CHECK_EQ_U64(cell(r, 4, CAIRN_WIT_COL_RS2_VAL).v, 0x11223344);
    CHECK_EQ_U64(cell(r, 4, CAIRN_WIT_COL_MEM_ADDR).v, data);
    CHECK_EQ_U64(cell(r, 4, CAIRN_WIT_COL_MEM_WIDTH).v, 2);
    CHECK_EQ_U64(cell(r, 4, CAIRN_WIT_COL_MEM_OLD).v, 0x64636261);
    CHECK_EQ_U64(cell(r, 4, CAIRN_WIT_COL_MEM_NEW).v, 0x64633344);
    CHECK_EQ_U64(cell(r, 5, CAIRN_WIT_COL_OP).v, CAIRN_WIT_OP_LBU);
    CHECK_EQ_U64(cell(r, 5, CAIRN_WIT_COL_IMM).v, 2);
    CHECK_EQ_U64(cell(r, 5, CAIRN_WIT_COL_RS2).v, 0);
    CHECK_EQ_U64(cell(r, 5, CAIRN_WIT_COL_RD).v, 7);
    CHECK_EQ_U64(cell(r, 5, CAIRN_WIT_COL_RD_VAL).v, 0x63);
    CHECK_EQ_U64(cell(r, 5, CAIRN_WIT_COL_MEM_ADDR).v, data + 2);
    CHECK_EQ_U64(cell(r, 5, CAIRN_WIT_COL_MEM_OLD).v, 0x64633344);
    CHECK_EQ_U64(cell(r, 5, CAIRN_WIT_COL_MEM_NEW).v, 0x64633344);
    CHECK_EQ_U64(cell(r, 6, CAIRN_WIT_COL_OP).v, CAIRN_WIT_OP_ADD);
    CHECK_EQ_U64(cell(r, 6, CAIRN_WIT_COL_RD_VAL).v, 0x11223344u + 0x63u);
    CHECK_EQ_U64(cell(r, 6, CAIRN_WIT_COL_MEM_WIDTH).v, 0);
    CHECK_EQ_U64(cell(r, 11, CAIRN_WIT_COL_OP).v, CAIRN_WIT_OP_ECALL);
    CHECK_EQ_U64(cell(r, 11, CAIRN_WIT_COL_RS1_VAL).v, 64);
    CHECK_EQ_U64(cell(r, 11, CAIRN_WIT_COL_RS2_VAL).v, 1);
    CHECK_EQ_U64(cell(r, 11, CAIRN_WIT_COL_SYS_A1).v, data);
    CHECK_EQ_U64(cell(r, 11, CAIRN_WIT_COL_SYS_A2).v, 3);
    CHECK_EQ_U64(cell(r, 11, CAIRN_WIT_COL_RD).v, 10);
    CHECK_EQ_U64(cell(r, 11, CAIRN_WIT_COL_RD_VAL).v, 3);
    CHECK_EQ_U64(cell(r, 11, CAIRN_WIT_COL_HALT).v, 0);
    CHECK_EQ_U64(cell(r, 14, CAIRN_WIT_COL_HALT).v, 1);
    CHECK_EQ_U64(cell(r, 14, CAIRN_WIT_COL_RD).v, 0);
    CHECK_EQ_U64(cell(r, 14, CAIRN_WIT_COL_RS2_VAL).v, 42);
    CHECK_EQ_U64(cell(r, 14, CAIRN_WIT_COL_NEXT_PC).v, cell(r, 14, CAIRN_WIT_COL_PC).v);
    CHECK_EQ_U64(cell(r, 15, CAIRN_WIT_COL_PAD).v, 1);
    CHECK_EQ_U64(cell(r, 15, CAIRN_WIT_COL_OP).v, CAIRN_WIT_OP_PAD);
    CHECK_EQ_U64(cell(r, 15, CAIRN_WIT_COL_PC).v, cell(r, 14, CAIRN_WIT_COL_PC).v);
    CHECK_EQ_U64(cell(r, 15, CAIRN_WIT_COL_CYCLE).v, 15);
    CHECK_EQ_U64(cell(r, 0, CAIRN_WIT_COL_OP).v, CAIRN_WIT_OP_LUI);
    CHECK_EQ_U64(cell(r, 0, CAIRN_WIT_COL_RS1).v, 0);
    CHECK_EQ_U64(cell(r, 0, CAIRN_WIT_COL_RS1_VAL).v, 0);
    free(r);
out:
    cairn_witness_oracle_free(o);
    fx_clear(&f);
}

/*
 * Properties of every row of random programs: cycle = t, next_pc(t) =
 * pc(t + 1), values within the documented ranges, a register value only
 * where there is a register, and the final state of the tracing
 * interpreter equal to the plain one's.
 */
static void rows_invariants(void)
{
    unsigned long n = scaled(100, 4);
    for (unsigned long it = 0; it < n; it++) {
        struct fx f;
        if (!random_fx(&f))
            continue;
        cairn_witness_oracle *o = fx_table(&f, UINT64_MAX, 0);
        cairn_vm vm;
        cairn_error err;
        if (o == NULL || fx_vm(&f, &vm, &err) != CAIRN_OK) {
            cairn_witness_oracle_free(o);
            fx_clear(&f);
            continue;
        }
        CHECK_OK(cairn_vm_run(&vm, UINT64_MAX, &err));
        uint64_t t = cairn_witness_oracle_cycles(o), rl = cairn_witness_oracle_rows(o)->rows_len;
        CHECK_EQ_U64(t, vm.cycles);
        CHECK_EQ_U64(rl, cairn_wit_padded_rows(t));
        cairn_fp *r = stream_all(o, 0, rl);
        const cairn_wit_column *cols = cairn_wit_columns();
        int bad = 0;
        for (uint64_t i = 0; r != NULL && i < rl && !bad; i++) {
            for (int c = 0; c < CAIRN_WIT_WIDTH; c++)
                if (cell(r, i, (cairn_wit_col)c).v > cols[c].max)
                    bad = FAIL("row %llu: %s = 0x%llx above its max", (unsigned long long)i,
                               cols[c].name, (unsigned long long)cell(r, i, (cairn_wit_col)c).v) + 1;
            if (cell(r, i, CAIRN_WIT_COL_CYCLE).v != i ||
                (i + 1 < rl && cell(r, i, CAIRN_WIT_COL_NEXT_PC).v != cell(r, i + 1, CAIRN_WIT_COL_PC).v) ||
                (cell(r, i, CAIRN_WIT_COL_RD).v == 0 && cell(r, i, CAIRN_WIT_COL_RD_VAL).v != 0) ||
                (cell(r, i, CAIRN_WIT_COL_RS1).v == 0 && cell(r, i, CAIRN_WIT_COL_RS1_VAL).v != 0) ||
                cell(r, i, CAIRN_WIT_COL_PAD).v != (i >= t))
                bad = FAIL("row %llu of %llu breaks a row invariant", (unsigned long long)i,
                           (unsigned long long)t) + 1;
        }
        if (r != NULL && !bad) {
            CHECK_EQ_U64(cell(r, rl - 1, CAIRN_WIT_COL_NEXT_PC).v, vm.pc);
            test_pass();
        }
        free(r);
        cairn_vm_clear(&vm);
        cairn_witness_oracle_free(o);
        fx_clear(&f);
    }
}

/* The tracing interpreter reaches the same state as the plain one, in any slicing. */
static void traced_equals_plain(void)
{
    unsigned long n = scaled(100, 4);
    for (unsigned long it = 0; it < n; it++) {
        struct fx f;
        if (!random_fx(&f))
            continue;
        cairn_vm a, b;
        cairn_error err;
        if (fx_vm(&f, &a, &err) != CAIRN_OK || fx_vm(&f, &b, &err) != CAIRN_OK) {
            FAIL("vm init: %s", err.msg);
            fx_clear(&f);
            continue;
        }
        CHECK_OK(cairn_vm_run(&a, UINT64_MAX, &err));
        cairn_vm_trace_rec *recs = malloc(64 * sizeof *recs);
        uint8_t dirty[512] = {0};
        while (b.halt == CAIRN_VM_RUNNING) {
            uint64_t before = b.cycles;
            if (cairn_vm_run_traced(&b, b.cycles + 1 + test_rand_below(64), recs, dirty, 10, &err) !=
                CAIRN_OK)
                break;
            if (b.cycles == before && b.halt == CAIRN_VM_RUNNING)
                break;
        }
        CHECK_EQ_U64(a.cycles, b.cycles);
        CHECK_EQ_U64(a.pc, b.pc);
        CHECK(a.halt == b.halt && a.exit_code == b.exit_code && a.fault.kind == b.fault.kind);
        CHECK_MEM_EQ(a.regs, b.regs, sizeof a.regs);
        CHECK_MEM_EQ(a.mem, b.mem, a.mem_size);
        CHECK_EQ_U64(a.output_len, b.output_len);
        free(recs);
        cairn_vm_clear(&a);
        cairn_vm_clear(&b);
        fx_clear(&f);
    }
}

/* Replay rows equal the straight run's, for random programs and settings. */
static void replay_random_programs(void)
{
    unsigned long n = scaled(10, 5);
    for (unsigned long it = 0; it < n; it++) {
        struct fx f;
        if (!random_fx(&f))
            continue;
        if (replay_matches(&f, 4))
            test_pass();
        fx_clear(&f);
    }
}

static void put_u32le(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
}

/* Replay rows equal the straight run's on every example guest (small inputs). */
static void replay_example_guests(void)
{
    static const char *const archs[] = {"rv32i", "rv32im"};
    static const char *const names[] = {"hello", "fib", "sha256", "sort", "sieve", "loop"};
    for (size_t ai = 0; ai < 2; ai++) {
        for (size_t ni = 0; ni < sizeof names / sizeof names[0]; ni++) {
            char path[512];
            snprintf(path, sizeof path, "%s/%s/%s.elf", vmt_guest_dir(), archs[ai], names[ni]);
            size_t len = 0;
            uint8_t *elf = vmt_read_file(path, &len);
            if (elf == NULL) {
                FAIL("%s missing: build the guests with `make guests`", path);
                continue;
            }
            uint8_t in[200];
            size_t in_len = 4;
            if (strcmp(names[ni], "sha256") == 0) {
                in_len = 150;
                test_rand_bytes(in, in_len);
            } else {
                put_u32le(in, strcmp(names[ni], "loop") == 0 ? 300 : 20);
            }
            struct fx f;
            if (fx_init(&f, elf, len, in, in_len, 65536)) {
                if (replay_matches(&f, 3))
                    test_pass();
            }
            fx_clear(&f);
        }
    }
}

/* Hash every row of a stream (for determinism checks without big buffers). */
static cairn_status hash_fn(void *ctx, uint64_t first_row, const cairn_fp *rows, size_t count,
                            cairn_error *err)
{
    (void)first_row;
    (void)err;
    cairn_sha256_update(ctx, rows, count * CAIRN_WIT_WIDTH * sizeof *rows);
    return CAIRN_OK;
}

/* The same rows (by digest) for M = 1..4 and several chunk sizes. */
static void replay_deterministic_threads(void)
{
    struct fx f;
    if (!random_fx(&f))
        return;
    cairn_checkpoints *cp = fx_record(&f, 1 + test_rand_below(200), UINT64_MAX);
    uint8_t first[CAIRN_SHA256_BYTES];
    for (unsigned m = 1; cp != NULL && m <= 4; m++) {
        static const size_t chunks[] = {1, 7, 64, 5000};
        for (size_t k = 0; k < 4; k++) {
            cairn_witness_replay_config rc = {m, chunks[k], 0};
            cairn_witness_oracle *o = NULL;
            cairn_error err;
            cairn_sha256_ctx h;
            uint8_t d[CAIRN_SHA256_BYTES];
            CHECK_OK(cairn_witness_oracle_new_replay(&o, cp, &f.prog, f.input, f.input_len, &rc, &err));
            if (o == NULL)
                continue;
            cairn_sha256_init(&h);
            CHECK_OK(cairn_witness_oracle_stream(o, 0, cairn_witness_oracle_rows(o)->rows_len,
                                                 hash_fn, &h, &err));
            cairn_sha256_final(d, &h);
            if (m == 1 && k == 0)
                memcpy(first, d, sizeof d);
            else
                CHECK_MEM_EQ(d, first, sizeof d);
            cairn_witness_stats stats;
            cairn_witness_oracle_stats(o, &stats);
            CHECK_EQ_U64(stats.rows, cairn_witness_oracle_rows(o)->rows_len);
            cairn_witness_oracle_free(o);
        }
    }
    cairn_checkpoints_free(cp);
    fx_clear(&f);
}

/* A consumer that fails mid-stream stops every worker cleanly (ASan: no leak). */
static void replay_consumer_error(void)
{
    struct fx f;
    if (!random_fx(&f))
        return;
    cairn_checkpoints *cp = fx_record(&f, 1 + test_rand_below(50), UINT64_MAX);
    for (unsigned m = 1; cp != NULL && m <= 4; m++) {
        cairn_witness_replay_config rc = {m, 1 + (size_t)test_rand_below(16), 1 + m % 2};
        cairn_witness_oracle *o = NULL;
        cairn_error err;
        CHECK_OK(cairn_witness_oracle_new_replay(&o, cp, &f.prog, f.input, f.input_len, &rc, &err));
        if (o == NULL)
            continue;
        uint64_t rl = cairn_witness_oracle_rows(o)->rows_len;
        struct collect c = {NULL, 0, 0, 0, 1 + (size_t)test_rand_below(3), 1};
        cairn_status st = cairn_witness_oracle_stream(o, 0, rl, collect_fn, &c, &err);
        if (c.chunks == c.fail_after) {
            CHECK_STATUS(st, CAIRN_ERR_IO);
            CHECK(strstr(err.msg, "consumer gave up") != NULL);
        } else {
            CHECK_OK(st); /* fewer chunks than the failure point */
        }
        /* the oracle is still usable afterwards */
        struct collect c2 = {NULL, 0, 0, 0, 0, 1};
        CHECK_OK(cairn_witness_oracle_stream(o, 0, rl, collect_fn, &c2, &err));
        CHECK(c2.order_ok && c2.next == rl);
        cairn_witness_oracle_free(o);
    }
    cairn_checkpoints_free(cp);
    fx_clear(&f);
}

/* Edge ranges: empty, one row, all padding, across T; and bad ranges. */
static void oracle_ranges(void)
{
    struct fx f;
    if (!random_fx(&f))
        return;
    cairn_checkpoints *cp = fx_record(&f, 16, UINT64_MAX);
    cairn_witness_oracle *o = NULL;
    cairn_error err;
    if (cp == NULL)
        goto out;
    CHECK_OK(cairn_witness_oracle_new_replay(&o, cp, &f.prog, f.input, f.input_len, NULL, &err));
    if (o == NULL)
        goto out;
    uint64_t rl = cairn_witness_oracle_rows(o)->rows_len;
    struct collect c = {NULL, 0, 0, 0, 0, 1};
    CHECK_OK(cairn_witness_oracle_stream(o, 3, 3, collect_fn, &c, &err));
    CHECK_EQ_U64(c.chunks, 0);
    CHECK_STATUS(cairn_witness_oracle_stream(o, 0, rl + 1, collect_fn, &c, &err), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_witness_oracle_stream(o, 5, 4, collect_fn, &c, &err), CAIRN_ERR_ARG);
    cairn_fp *one = stream_all(o, rl - 1, rl), *all = stream_all(o, 0, rl);
    if (one != NULL && all != NULL)
        CHECK_MEM_EQ(one, all + (rl - 1) * CAIRN_WIT_WIDTH, CAIRN_WIT_WIDTH * sizeof *one);
    free(one);
    free(all);
    cairn_witness_stats st;
    cairn_witness_oracle_stats(o, &st);
    CHECK(st.peak_bytes > 0 && st.streams >= 2);
out:
    cairn_witness_oracle_free(o);
    cairn_checkpoints_free(cp);
    fx_clear(&f);
}

/* Runs stopped by a cycle bound: rows, checkpoints and replay agree with the table. */
static void replay_cycle_bound(void)
{
    for (int it = 0; it < 6; it++) {
        struct fx f;
        if (!random_fx(&f))
            continue;
        uint64_t bound = 1 + test_rand_below(300), c = 1 + test_rand_below(40);
        cairn_witness_oracle *tab = fx_table(&f, bound, 0);
        cairn_checkpoints *cp = fx_record(&f, c, bound);
        cairn_witness_oracle *rep = NULL;
        cairn_error err;
        if (tab != NULL && cp != NULL &&
            cairn_witness_oracle_new_replay(&rep, cp, &f.prog, f.input, f.input_len, NULL, &err) ==
                CAIRN_OK) {
            uint64_t rl = cairn_witness_oracle_rows(tab)->rows_len;
            CHECK_EQ_U64(cairn_witness_oracle_cycles(rep), cairn_witness_oracle_cycles(tab));
            cairn_fp *x = stream_all(tab, 0, rl), *y = stream_all(rep, 0, rl);
            if (x != NULL && y != NULL && rows_equal(x, y, 0, rl, "cycle bound"))
                test_pass();
            free(x);
            free(y);
            CHECK_OK(cairn_checkpoints_verify(cp, &f.prog, f.input, f.input_len, 2, &err));
        }
        cairn_witness_oracle_free(rep);
        cairn_witness_oracle_free(tab);
        cairn_checkpoints_free(cp);
        fx_clear(&f);
    }
}

/*
 * The tracer's rows equal the table oracle's on random programs (some of
 * which fault) and sha256, for batches of 1 row, a few rows and more than
 * the run, with a cycle bound that stops it midway; a batch of 0 rows is
 * refused.
 */
static void tracer_matches_table(void)
{
    unsigned long runs = scaled(50, 4);
    for (unsigned long i = 0; i < runs; i++) {
        struct fx f;
        uint8_t in[150];
        int guest = i == 0;
        if (guest) {
            char path[512];
            size_t len = 0;
            snprintf(path, sizeof path, "%s/rv32i/sha256.elf", vmt_guest_dir());
            uint8_t *elf = vmt_read_file(path, &len);
            if (elf == NULL) {
                FAIL("%s missing: build the guests with `make guests`", path);
                continue;
            }
            test_rand_bytes(in, sizeof in);
            if (!fx_init(&f, elf, len, in, sizeof in, 65536)) {
                fx_clear(&f);
                continue;
            }
        } else if (!random_fx(&f)) {
            fx_clear(&f);
            continue;
        }
        cairn_witness_oracle *tab = fx_table(&f, UINT64_MAX, 0);
        uint64_t t = tab != NULL ? cairn_witness_oracle_cycles(tab) : 0;
        cairn_fp *ref = tab != NULL ? stream_all(tab, 0, t) : NULL;
        static const size_t batches[3] = {1, 5, 1u << 20};
        for (unsigned b = 0; b < 3 && ref != NULL; b++) {
            cairn_vm vm;
            cairn_wit_tracer *tr = NULL;
            cairn_error err;
            uint64_t bound = b == 1 ? test_rand_below(t + 1) : UINT64_MAX, at = 0;
            if (!CHECK(fx_vm(&f, &vm, &err) == CAIRN_OK))
                break;
            if (CHECK(cairn_wit_tracer_new(&tr, &vm, batches[b], &err) == CAIRN_OK)) {
                for (;;) {
                    const cairn_fp *rows;
                    size_t count;
                    if (!CHECK(cairn_wit_tracer_run(tr, &vm, bound, NULL, 0, &rows, &count, &err) ==
                               CAIRN_OK) ||
                        count == 0)
                        break;
                    if (!CHECK(count <= batches[b] && at + count <= t) ||
                        !rows_equal(rows, ref + at * CAIRN_WIT_WIDTH, at, count, "tracer"))
                        break;
                    at += count;
                }
                CHECK_EQ_U64(at, bound < t ? bound : t);
            }
            cairn_wit_tracer_free(tr);
            cairn_vm_clear(&vm);
        }
        free(ref);
        cairn_witness_oracle_free(tab);
        fx_clear(&f);
    }
    struct fx f;
    if (random_fx(&f)) {
        cairn_vm vm;
        cairn_wit_tracer *tr = (cairn_wit_tracer *)1;
        cairn_error err;
        if (CHECK(fx_vm(&f, &vm, &err) == CAIRN_OK)) {
            CHECK_STATUS(cairn_wit_tracer_new(&tr, &vm, 0, &err), CAIRN_ERR_ARG);
            CHECK(tr == NULL);
        }
        cairn_vm_clear(&vm);
    }
    fx_clear(&f);
}

const struct test_case test_witness_cases[] = {
    TEST(rows_known_program),
    TEST(rows_invariants),
    TEST(traced_equals_plain),
    TEST(replay_random_programs),
    TEST(replay_example_guests),
    TEST(replay_deterministic_threads),
    TEST(replay_consumer_error),
    TEST(oracle_ranges),
    TEST(replay_cycle_bound),
    TEST(tracer_matches_table),
    TEST_END,
};

/* ---- suite "checkpoint" ---------------------------------------------------------------------- */

/*
 * Restore every checkpoint and run on: the final state (registers,
 * counters, memory) equals the straight run's.
 */
static void restore_and_resume(void)
{
    unsigned long n = scaled(100, 4);
    for (unsigned long it = 0; it < n; it++) {
        struct fx f;
        if (!random_fx(&f))
            continue;
        cairn_vm ref, vm;
        cairn_error err;
        if (fx_vm(&f, &ref, &err) != CAIRN_OK) {
            fx_clear(&f);
            continue;
        }
        CHECK_OK(cairn_vm_run(&ref, UINT64_MAX, &err));
        cairn_checkpoints *cp = fx_record(&f, fx_interval(&f, 40), UINT64_MAX);
        if (cp != NULL && cairn_checkpoints_vm_init(&vm, cp, &f.prog, f.input, f.input_len, &err) ==
                              CAIRN_OK) {
            const cairn_ckpt_header *h = cairn_checkpoints_header(cp);
            CHECK_EQ_U64(h->cycles, ref.cycles);
            CHECK_EQ_U64(h->count, ref.cycles == 0 ? 1 : (ref.cycles - 1) / h->interval + 1);
            for (uint64_t i = 0; i < h->count; i++) {
                CHECK_OK(cairn_checkpoints_restore(&vm, cp, &f.prog, i, &err));
                CHECK_EQ_U64(vm.cycles, i * h->interval);
                CHECK_OK(cairn_vm_run(&vm, UINT64_MAX, &err));
                CHECK_EQ_U64(vm.cycles, ref.cycles);
                CHECK(vm.pc == ref.pc && vm.halt == ref.halt && vm.exit_code == ref.exit_code);
                CHECK_MEM_EQ(vm.regs, ref.regs, sizeof vm.regs);
                CHECK_MEM_EQ(vm.mem, ref.mem, vm.mem_size);
                CHECK_EQ_U64(vm.output_len, ref.output_len);
                CHECK_EQ_U64(vm.input_pos, ref.input_pos);
            }
            CHECK_STATUS(cairn_checkpoints_restore(&vm, cp, &f.prog, h->count, &err), CAIRN_ERR_ARG);
            uint8_t d[CAIRN_SHA256_BYTES];
            cairn_checkpoints_state_digest(d, &ref, h->page_shift);
            CHECK_MEM_EQ(d, h->final_digest, sizeof d);
            cairn_vm_clear(&vm);
        }
        cairn_checkpoints_free(cp);
        cairn_vm_clear(&ref);
        fx_clear(&f);
    }
}

/* Record errors; the count rule when the run ends on a boundary. */
static void record_edges(void)
{
    struct fx f;
    if (!random_fx(&f))
        return;
    cairn_vm vm;
    cairn_error err;
    cairn_checkpoints *cp = NULL;
    if (fx_vm(&f, &vm, &err) != CAIRN_OK)
        goto out;
    CHECK_STATUS(cairn_checkpoints_record(&cp, &vm, f.digest, 0, UINT64_MAX, &err), CAIRN_ERR_ARG);
    CHECK_OK(cairn_vm_step(&vm, &err));
    CHECK_STATUS(cairn_checkpoints_record(&cp, &vm, f.digest, 10, UINT64_MAX, &err), CAIRN_ERR_ARG);
    CHECK(cp == NULL);
    cairn_vm_clear(&vm);
    /* the cycle bound on a boundary: ceil(T / C) checkpoints */
    for (uint64_t c = 1; c <= 8; c++) {
        cp = fx_record(&f, c, 8 * c);
        if (cp == NULL)
            continue;
        const cairn_ckpt_header *h = cairn_checkpoints_header(cp);
        CHECK_EQ_U64(h->count, h->cycles == 0 ? 1 : (h->cycles - 1) / c + 1);
        CHECK_OK(cairn_checkpoints_verify(cp, &f.prog, f.input, f.input_len, 1, &err));
        cairn_checkpoints_free(cp);
        cp = NULL;
    }
out:
    fx_clear(&f);
}

/* Encode, parse, encode again: the same bytes and the same header. */
static void file_roundtrip(void)
{
    for (int it = 0; it < 10; it++) {
        struct fx f;
        if (!random_fx(&f))
            continue;
        cairn_checkpoints *cp = fx_record(&f, fx_interval(&f, 50), UINT64_MAX), *back = NULL;
        uint8_t *b1 = NULL, *b2 = NULL;
        size_t l1 = 0, l2 = 0;
        cairn_error err;
        if (cp != NULL) {
            CHECK_OK(cairn_checkpoint_file_encode(&b1, &l1, cp, &err));
            CHECK_OK(cairn_checkpoint_file_parse(&back, b1, l1, &err));
        }
        if (back != NULL) {
            CHECK_OK(cairn_checkpoint_file_encode(&b2, &l2, back, &err));
            CHECK(l1 == l2 && memcmp(b1, b2, l1) == 0);
            CHECK(memcmp(cairn_checkpoints_header(cp), cairn_checkpoints_header(back),
                         sizeof(cairn_ckpt_header)) == 0);
            CHECK_OK(cairn_checkpoints_verify(back, &f.prog, f.input, f.input_len, 2, &err));
            CHECK_EQ_U64(cairn_checkpoints_page_bytes(back), cairn_checkpoints_page_bytes(cp));
        }
        free(b1);
        free(b2);
        cairn_checkpoints_free(back);
        cairn_checkpoints_free(cp);
        fx_clear(&f);
    }
}

/* A small program's checkpoint file, for the corruption tests. */
static uint8_t *small_file(struct fx *f, size_t *len)
{
    uint8_t *b = NULL;
    cairn_error err;
    *len = 0;
    if (!random_fx(f))
        return NULL;
    /* three to five checkpoints keep the file small: every test parses it len times */
    cairn_checkpoints *probe = fx_record(f, UINT64_MAX, UINT64_MAX);
    uint64_t t = probe != NULL ? cairn_checkpoints_header(probe)->cycles : 1;
    cairn_checkpoints_free(probe);
    cairn_checkpoints *cp = fx_record(f, t / 4 + 1, UINT64_MAX);
    if (cp != NULL)
        CHECK_OK(cairn_checkpoint_file_encode(&b, len, cp, &err));
    cairn_checkpoints_free(cp);
    return b;
}

/* Every byte, changed by a random non-zero mask, is detected as a parse error. */
static void file_every_byte_corrupted(void)
{
    struct fx f;
    size_t len = 0;
    uint8_t *b = small_file(&f, &len);
    size_t missed = 0;
    for (size_t i = 0; b != NULL && i < len; i++) {
        uint8_t mask = (uint8_t)(1 + test_rand_below(255)), keep = b[i];
        cairn_checkpoints *cp = NULL;
        cairn_error err;
        b[i] ^= mask;
        cairn_status st = cairn_checkpoint_file_parse(&cp, b, len, &err);
        if (st != CAIRN_ERR_PARSE || cp != NULL || err.msg[0] == '\0')
            missed++;
        cairn_checkpoints_free(cp);
        b[i] = keep;
    }
    if (b != NULL) {
        if (missed)
            FAIL("%zu of %zu corrupted bytes not detected", missed, len);
        else
            test_pass();
    }
    free(b);
    fx_clear(&f);
}

/* Every truncation, and an extra byte, is a parse error. */
static void file_truncated(void)
{
    struct fx f;
    size_t len = 0;
    uint8_t *b = small_file(&f, &len);
    size_t missed = 0;
    for (size_t n = 0; b != NULL && n < len; n++) {
        cairn_checkpoints *cp = NULL;
        cairn_error err;
        if (cairn_checkpoint_file_parse(&cp, b, n, &err) != CAIRN_ERR_PARSE || cp != NULL)
            missed++;
        cairn_checkpoints_free(cp);
    }
    if (b != NULL) {
        uint8_t *c = malloc(len + 1);
        memcpy(c, b, len);
        c[len] = 0;
        cairn_checkpoints *cp = NULL;
        cairn_error err;
        CHECK_STATUS(cairn_checkpoint_file_parse(&cp, c, len + 1, &err), CAIRN_ERR_PARSE);
        free(c);
        if (missed)
            FAIL("%zu truncations not detected", missed);
        else
            test_pass();
    }
    free(b);
    fx_clear(&f);
}

/* Write atomically, read back; a missing file and a directory are I/O errors. */
static void file_write_read(void)
{
    struct fx f;
    char dir[] = "/tmp/cairn-test-ckpt-XXXXXX", path[128];
    if (mkdtemp(dir) == NULL || !random_fx(&f)) {
        FAIL("mkdtemp");
        return;
    }
    snprintf(path, sizeof path, "%s/run.ckpt", dir);
    cairn_checkpoints *cp = fx_record(&f, 50, UINT64_MAX), *back = NULL;
    cairn_error err;
    if (cp != NULL) {
        CHECK_OK(cairn_checkpoint_file_write(path, cp, &err));
        CHECK_OK(cairn_checkpoint_file_write(path, cp, &err)); /* replaces */
        CHECK_OK(cairn_checkpoint_file_read(&back, path, &err));
        CHECK(back != NULL && cairn_checkpoints_header(back)->cycles ==
                                  cairn_checkpoints_header(cp)->cycles);
        char bad[160];
        snprintf(bad, sizeof bad, "%s/nodir/x.ckpt", dir);
        CHECK_STATUS(cairn_checkpoint_file_write(bad, cp, &err), CAIRN_ERR_IO);
    }
    cairn_checkpoints *none = NULL;
    snprintf(path, sizeof path, "%s/missing", dir);
    CHECK_STATUS(cairn_checkpoint_file_read(&none, path, &err), CAIRN_ERR_IO);
    CHECK_STATUS(cairn_checkpoint_file_read(&none, dir, &err), CAIRN_ERR_IO);
    snprintf(path, sizeof path, "%s/run.ckpt", dir);
    remove(path);
    remove(dir);
    cairn_checkpoints_free(back);
    cairn_checkpoints_free(cp);
    fx_clear(&f);
}

/* Another program or another input: a clear REJECTED, not a parse error. */
static void mismatched_program_input(void)
{
    struct fx f, g;
    if (!random_fx(&f))
        return;
    if (!random_fx(&g)) {
        fx_clear(&f);
        return;
    }
    cairn_checkpoints *cp = fx_record(&f, 20, UINT64_MAX);
    cairn_error err;
    if (cp == NULL)
        goto out;
    CHECK_OK(cairn_checkpoints_check(cp, f.digest, f.input, f.input_len, &err));
    CHECK_STATUS(cairn_checkpoints_check(cp, g.digest, f.input, f.input_len, &err), CAIRN_ERR_REJECTED);
    CHECK(strstr(err.msg, "another program") != NULL);
    uint8_t other[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    CHECK_STATUS(cairn_checkpoints_check(cp, f.digest, other, sizeof other, &err), CAIRN_ERR_REJECTED);
    CHECK(strstr(err.msg, "another input") != NULL);
    cairn_witness_oracle *o = NULL;
    CHECK_STATUS(cairn_witness_oracle_new_replay(&o, cp, &f.prog, other, sizeof other, NULL, &err),
                 CAIRN_ERR_REJECTED);
    /* g's program with f's checkpoints: checkpoint 0's digest differs */
    cairn_vm vm;
    if (cairn_checkpoints_vm_init(&vm, cp, &g.prog, f.input, f.input_len, &err) == CAIRN_OK) {
        CHECK_STATUS(cairn_checkpoints_restore(&vm, cp, &g.prog, 0, &err), CAIRN_ERR_REJECTED);
        cairn_vm_clear(&vm);
    }
    CHECK_STATUS(cairn_checkpoints_verify(cp, &g.prog, f.input, f.input_len, 2, &err),
                 CAIRN_ERR_REJECTED);
    if (f.input_len > 0) {
        f.input[0] ^= 1; /* same length, other bytes: replay itself notices when it is read */
        cairn_status st = cairn_checkpoints_verify(cp, &f.prog, f.input, f.input_len, 2, &err);
        (void)st; /* the guest may never look at that byte: either outcome is honest */
        f.input[0] ^= 1;
    }
out:
    cairn_checkpoints_free(cp);
    fx_clear(&f);
    fx_clear(&g);
}

/*
 * A forged file: a page byte changed and the file digest recomputed.  It
 * parses, but restoring (oracle) and replaying (verify) reject it.
 */
static void forged_page_rejected(void)
{
    int done = 0;
    for (int tries = 0; tries < 20 && !done; tries++) {
        struct fx f;
        if (!random_fx(&f))
            return;
        cairn_checkpoints *cp = fx_record(&f, fx_interval(&f, 30), UINT64_MAX), *forged = NULL;
        uint8_t *b = NULL;
        size_t len = 0;
        cairn_error err;
        if (cp != NULL && cairn_checkpoints_page_bytes(cp) > 0 &&
            cairn_checkpoint_file_encode(&b, &len, cp, &err) == CAIRN_OK) {
            /* the first page of the first checkpoint with pages: header 208, final 220,
               record 0 (256, no pages), then records of 256 + pages */
            size_t pos = 208 + 220 + 256;
            const cairn_ckpt_header *h = cairn_checkpoints_header(cp);
            uint64_t at = 0; /* the first cycle of the forged checkpoint */
            for (uint64_t i = 1; i < h->count; i++) {
                uint32_t np = (uint32_t)b[pos + 252] | (uint32_t)b[pos + 253] << 8 |
                              (uint32_t)b[pos + 254] << 16 | (uint32_t)b[pos + 255] << 24;
                if (np > 0) {
                    b[pos + 256 + 4 + test_rand_below(1024)] ^= 0x40;
                    at = i * h->interval;
                    break;
                }
                pos += 256 + np * (4 + 1024);
            }
            cairn_sha256(b + len - 32, b, len - 32);
            CHECK_OK(cairn_checkpoint_file_parse(&forged, b, len, &err));
            if (forged != NULL && at > 0) {
                CHECK_STATUS(cairn_checkpoints_verify(forged, &f.prog, f.input, f.input_len, 3, &err),
                             CAIRN_ERR_REJECTED);
                cairn_witness_oracle *o = NULL;
                cairn_witness_replay_config rc = {2, 8, 2};
                CHECK_OK(cairn_witness_oracle_new_replay(&o, forged, &f.prog, f.input, f.input_len,
                                                         &rc, &err));
                struct collect c = {NULL, 0, 0, 0, 0, 1};
                if (o != NULL)
                    CHECK_STATUS(cairn_witness_oracle_stream(o, at, cairn_witness_oracle_cycles(o),
                                                             collect_fn, &c, &err),
                                 CAIRN_ERR_REJECTED);
                cairn_witness_oracle_free(o);
                done = 1;
            }
        }
        free(b);
        cairn_checkpoints_free(forged);
        cairn_checkpoints_free(cp);
        fx_clear(&f);
    }
    CHECK(done);
}

/*
 * Header fields forged with the file digest recomputed: a page size other
 * than the recorder's (a page larger than memory would leave memory
 * undigested) and a cycle count beyond 2^48 (which once made the padded row
 * count loop forever) are parse errors naming the field.
 */
static void forged_header_fields_rejected(void)
{
    struct fx f;
    if (!random_fx(&f))
        return;
    cairn_checkpoints *cp = fx_record(&f, fx_interval(&f, 30), UINT64_MAX), *back = NULL;
    uint8_t *b = NULL;
    size_t len = 0;
    cairn_error err;
    CHECK(cp != NULL);
    if (cp != NULL && cairn_checkpoint_file_encode(&b, &len, cp, &err) == CAIRN_OK) {
        static const struct {
            size_t off;
            unsigned bytes;
            uint64_t value;
            const char *msg;
        } forgeries[] = {
            {12, 4, 16, "page size"},
            {12, 4, 8, "page size"},
            {112, 8, (UINT64_C(1) << 63) + 1, "cycles"},
            {112, 8, (UINT64_C(1) << 48) + 1, "cycles"},
        };
        for (size_t i = 0; i < sizeof forgeries / sizeof forgeries[0]; i++) {
            uint8_t *g = malloc(len);
            CHECK(g != NULL);
            if (g == NULL)
                break;
            memcpy(g, b, len);
            for (unsigned k = 0; k < forgeries[i].bytes; k++)
                g[forgeries[i].off + k] = (uint8_t)(forgeries[i].value >> (8 * k));
            cairn_sha256(g + len - 32, g, len - 32);
            CHECK_STATUS(cairn_checkpoint_file_parse(&back, g, len, &err), CAIRN_ERR_PARSE);
            CHECK(strstr(err.msg, forgeries[i].msg) != NULL);
            cairn_checkpoints_free(back);
            back = NULL;
            free(g);
        }
    }
    free(b);
    cairn_checkpoints_free(cp);
    fx_clear(&f);
    /* the padded row count saturates instead of wrapping */
    CHECK_EQ_U64(cairn_wit_padded_rows(0), 1);
    CHECK_EQ_U64(cairn_wit_padded_rows(5), 8);
    CHECK_EQ_U64(cairn_wit_padded_rows((UINT64_C(1) << 63) + 1), UINT64_C(1) << 63);
    CHECK_EQ_U64(cairn_wit_padded_rows(UINT64_MAX), UINT64_C(1) << 63);
}

/* cairn_checkpoints_verify accepts honest sets for any thread count, on guests too. */
static void verify_threads(void)
{
    for (int it = 0; it < 4; it++) {
        struct fx f;
        if (!random_fx(&f))
            continue;
        cairn_checkpoints *cp = fx_record(&f, fx_interval(&f, 40), UINT64_MAX);
        cairn_error err;
        for (unsigned m = 1; cp != NULL && m <= 5; m++)
            CHECK_OK(cairn_checkpoints_verify(cp, &f.prog, f.input, f.input_len, m, &err));
        cairn_checkpoints_free(cp);
        fx_clear(&f);
    }
    char path[512];
    snprintf(path, sizeof path, "%s/rv32im/sha256.elf", vmt_guest_dir());
    size_t len = 0;
    uint8_t *elf = vmt_read_file(path, &len);
    uint8_t in[3000];
    struct fx f;
    if (elf == NULL) {
        FAIL("%s missing", path);
        return;
    }
    test_rand_bytes(in, sizeof in);
    if (fx_init(&f, elf, len, in, sizeof in, 65536)) {
        cairn_checkpoints *cp = fx_record(&f, 5000, UINT64_MAX);
        cairn_error err;
        if (cp != NULL) {
            CHECK(cairn_checkpoints_header(cp)->count > 4);
            CHECK_OK(cairn_checkpoints_verify(cp, &f.prog, f.input, f.input_len, 3, &err));
        }
        cairn_checkpoints_free(cp);
    }
    fx_clear(&f);
}

/* The fuzz target on valid files and random mutations of them. */
static void fuzz_checkpoint_mutations(void)
{
    struct fx f;
    size_t len = 0;
    uint8_t *b = small_file(&f, &len);
    if (b == NULL) {
        fx_clear(&f);
        return;
    }
    CHECK(cairn_fuzz_checkpoint(b, len) == 0);
    unsigned long n = scaled(2, 100), bad = 0;
    uint8_t *m = malloc(len + 64);
    for (unsigned long it = 0; it < n; it++) {
        size_t ml = len;
        memcpy(m, b, len);
        switch (test_rand_below(4)) {
        case 0: m[test_rand_below(len)] ^= (uint8_t)(1 + test_rand_below(255)); break;
        case 1: ml = (size_t)test_rand_below(len); break;
        case 2: /* a header field: counts, lengths, shifts */
            m[8 + test_rand_below(200)] = (uint8_t)test_rand_u64();
            break;
        default: /* a record byte (states, page counts, page indices) */
            m[428 + test_rand_below(len - 428 - 32)] = (uint8_t)test_rand_u64();
            break;
        }
        if (cairn_fuzz_checkpoint(m, ml) != 0 && bad++ < 3)
            FAIL("fuzz property violated (mutation %lu)", it);
    }
    if (bad == 0)
        test_pass();
    CHECK(cairn_fuzz_checkpoint(NULL, 0) == 0);
    CHECK(cairn_fuzz_checkpoint((const uint8_t *)"CAIRNCKP", 8) == 0);
    free(m);
    free(b);
    fx_clear(&f);
}

const struct test_case test_checkpoint_cases[] = {
    TEST(restore_and_resume),
    TEST(record_edges),
    TEST(file_roundtrip),
    TEST(file_every_byte_corrupted),
    TEST(file_truncated),
    TEST(file_write_read),
    TEST(mismatched_program_input),
    TEST(forged_page_rejected),
    TEST(forged_header_fields_rejected),
    TEST(verify_threads),
    TEST(fuzz_checkpoint_mutations),
    TEST_END,
};
