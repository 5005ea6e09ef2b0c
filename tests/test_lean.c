/*
 * test_lean.c — the lean row of the second proof system (docs/zkvm-v2.md,
 * src/zkvm/lean.c): the table U against brute force and against the first
 * prover's independent shift table, the constraints' count and degrees
 * measured numerically, the reference checker on honest runs (random
 * programs with and without memory and I/O, the C example guests), on
 * every lying execution of the test interpreter, and on single cells
 * changed where the design says they are bound; the streaming fill (the
 * row source the prover will read) against the translation of the first
 * prover's columns, row by row.  (The lying executions of RAM and I/O are checked by the
 * lean checker and proven by the lean proof inside test_zkvm_lies.c.)  Then each stage of
 * the lean proof, the chained proof, and the claim reduction before the openings
 * (complete, every element tampered, a false claim at one point).  Soundness of
 * the whole lean proof: every lie of the test interpreter proven and rejected; the
 * cheating-prover harness (one kept single-cell corruption per constraint, lookup
 * and memory multiset, with coverage checked, each proven and rejected); one
 * entry of every virtual value column changed in the prover's tables
 * (zl_prove_vtab_hook) and rejected.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/poly.h"
#include "cairn/pool.h"
#include "cairn/sha256.h"
#include "cairn/witness.h"
#include "harness.h"
#include "zk_util.h"

static cairn_fp2 rand_fp2(void)
{
    return cairn_fp2_make(cairn_fp_from_u64(test_rand_u64()), cairn_fp_from_u64(test_rand_u64()));
}

/* Each U column's closed-form MLE equals the brute-force sum over its 2^16 entries. */
static void u_mle_matches_table(void)
{
    cairn_fp2 r[ZU_VARS], mle[ZU_NCOL];
    cairn_fp2 *eq = malloc(((size_t)1 << ZU_VARS) * sizeof *eq);
    if (!CHECK(eq != NULL))
        return;
    for (unsigned rep = 0; rep < 2; rep++) {
        for (unsigned i = 0; i < ZU_VARS; i++)
            r[i] = rand_fp2();
        CHECK_OK(cairn_poly_eq_table(eq, r, ZU_VARS));
        zl_u_mle(mle, r);
        for (unsigned c = 0; c < ZU_NCOL; c++) {
            cairn_fp2 acc = cairn_fp2_zero();
            for (uint32_t j = 0; j < (1u << ZU_VARS); j++)
                acc = cairn_fp2_add(acc, cairn_fp2_mul_fp(eq[j], cairn_fp_from_u64(zl_u_value(c, j))));
            if (!cairn_fp2_eq(acc, mle[c]))
                FAIL("U column %s: closed form differs from the table's MLE", zl_u_names[c]);
            else
                test_pass();
        }
    }
    free(eq);
}

/* The shift columns agree with zk_shift_entry's powers (an independent implementation). */
static void u_shift_columns_match(void)
{
    for (uint32_t b = 0; b < 256; b++) {
        uint64_t P, sel, fill;
        uint32_t j = (uint32_t)test_rand_below(256) + 256 * b;
        zk_shift_entry(b, 0, &P, &sel, &fill);
        CHECK_EQ_U64(zl_u_value(ZU_PL, j), P);
        zk_shift_entry(b, 2, &P, &sel, &fill);
        CHECK_EQ_U64(zl_u_value(ZU_PR, j), P);
        CHECK_EQ_U64(zl_u_value(ZU_FILL, j), fill);
        CHECK_EQ_U64(zl_u_value(ZU_Z5, j), (b & 31) == 0);
    }
    CHECK_EQ_U64(zl_u_value(ZU_AND, 0xa5c3), 0xa5 & 0xc3);
    CHECK_EQ_U64(zl_u_value(ZU_WO, 64 + 256), 1);
    CHECK_EQ_U64(zl_u_value(ZU_WO, 64 + 512), 0);
    CHECK_EQ_U64(zl_u_value(ZU_EX, 94 + 256 * 7), 1);
    CHECK_EQ_U64(zl_u_value(ZU_RDK, 63 + 256), 0);
}

/*
 * Every constraint is written (the count matches the names) and has the
 * declared degree, measured along random lines: the values a + t b for
 * t = 0..4 give a degree-d polynomial in t, whose (d+1)-th finite
 * difference vanishes and d-th does not (with overwhelming probability).
 */
static void constraint_degrees(void)
{
    cairn_fp2 *a = malloc(ZLV_N * sizeof *a), *bb = malloc(ZLV_N * sizeof *bb);
    cairn_fp2 *v = malloc(ZLV_N * sizeof *v), y[6][ZL_NCON];
    zl_ctx ctx = {0x10074, 3};
    if (!CHECK(a != NULL && bb != NULL && v != NULL))
        goto out;
    for (unsigned i = 0; i < ZLV_N; i++)
        a[i] = rand_fp2(), bb[i] = rand_fp2();
    for (unsigned t = 0; t < 6; t++) {
        for (unsigned i = 0; i < ZLV_N; i++)
            v[i] = cairn_fp2_add(a[i], cairn_fp2_mul_fp(bb[i], cairn_fp_make(t)));
        CHECK_EQ_U64(zl_constraints(y[t], v, &ctx), ZL_NCON);
    }
    for (unsigned c = 0; c < ZL_NCON; c++) {
        cairn_fp2 d[6];
        for (unsigned t = 0; t < 6; t++)
            d[t] = y[t][c];
        unsigned deg = 0;
        for (unsigned k = 1; k <= 5; k++) {
            for (unsigned t = 0; t + k < 6; t++)
                d[t] = cairn_fp2_sub(d[t + 1], d[t]);
            /* after k differences d[0] is constant iff degree < k: find the largest nonzero */
            if (!cairn_fp2_is_zero(d[0]))
                deg = k;
        }
        if (deg > 3 || deg != zl_con_degree[c])
            FAIL("constraint %s: degree %u, declared %u (at most 3)", zl_con_names[c], deg,
                 zl_con_degree[c]);
        else
            test_pass();
    }
out:
    free(a);
    free(bb);
    free(v);
}

/*
 * Whether the lying run z of elf has the honest run's lean cells.  A JALR
 * that keeps bit 0 of an odd target changes only the pc's bit 0, which the
 * lean row cannot hold (it indexes instructions): unless a later
 * pc-derived value (a link, an AUIPC) carries it into a register, the
 * lean row of the lie is the honest row, and its proof states a true run.
 */
static int lie_invisible(const struct zkt *z, const uint8_t *elf, size_t len)
{
    cairn_fp *hrows = NULL;
    uint64_t hT = 0;
    struct zkt h;
    int same = 0;
    memset(&h, 0, sizeof h);
    if (!zk_lying_trace(elf, len, ZK_LIE_NONE, &hrows, &hT))
        return 0;
    if (zkt_build(&h, elf, len, hrows, hT, 0) && h.w.n == z->w.n && h.w.T == z->w.T) {
        cairn_fp *a = zkt_lean_cells(z), *b = zkt_lean_cells(&h);
        same = a != NULL && b != NULL &&
               memcmp(a, b, ((size_t)1 << z->w.n) * ZL_NCELL * sizeof *a) == 0;
        free(a);
        free(b);
    }
    zkt_clear(&h);
    free(hrows);
    return same;
}

/*
 * Every lie of the test interpreter, translated into the lean row, is
 * rejected by the checker, and its cells proven by the lean prover are
 * rejected by the lean verifier.  A lie the lean row cannot see (its
 * cells are the honest run's: lie_invisible) is drawn again.
 */
static void lying_executions_rejected(void)
{
    for (int lie = 1; lie < ZK_LIE_COUNT; lie++) {
        uint8_t *elf = NULL;
        size_t len;
        cairn_fp *rows = NULL;
        uint64_t T;
        struct zkt z;
        int found = 0;
        for (unsigned draw = 0; draw < 16 && !found; draw++) {
            if (!zk_find_lie((enum zk_lie)lie, 150, 300, &elf, &len, &rows, &T))
                break;
            memset(&z, 0, sizeof z);
            if (!zkt_build(&z, elf, len, rows, T, 0)) {
                found = -1; /* zkt_build said why */
                break;
            }
            if (!lie_invisible(&z, elf, len)) {
                found = 1;
                break;
            }
            zkt_clear(&z);
            free(rows);
            free(elf);
            elf = NULL, rows = NULL;
        }
        if (found == 0) {
            FAIL("lie %d never told where the lean row sees it", lie);
            free(rows);
            free(elf);
            continue;
        }
        if (found == 1) {
            cairn_error err;
            cairn_status st, proof;
            zkt_lean_check_prove(&z, &st, &proof, &err);
            if (st != CAIRN_ERR_REJECTED)
                FAIL("lie %d: the lean checker says %s", lie, cairn_status_str(st));
            else
                test_pass();
            if (proof == CAIRN_OK)
                FAIL("SOUNDNESS: lie %d (%s): the lean proof was ACCEPTED", lie, err.msg);
            else if (proof != CAIRN_ERR_REJECTED)
                FAIL("lie %d: the lean proof says %s", lie, cairn_status_str(proof));
            else
                test_pass();
        }
        zkt_clear(&z);
        free(rows);
        free(elf);
    }
}

/*
 * Whether cell c of a row with lean bytecode columns b is bound: changing
 * it alone must make the checker reject.  Where a cell is free the design
 * says why (docs/zkvm-v2.md §3): x and k only mean something on the rows
 * that compute them, hi on shifts and I/O rows, delta where a register or
 * the memory is written, the rs2 and rd timestamps where those registers
 * are accessed, the RAM cells on memory rows; eof only away from a read's
 * setup row, which may change it.
 */
static int cell_bound(unsigned c, const cairn_fp *b, const cairn_fp *bprev)
{
#define F(i) (b[(i)].v != 0)
    int mem = F(ZK_F_LB) || F(ZK_F_LBU) || F(ZK_F_LH) || F(ZK_F_LHU) || F(ZK_F_LW) ||
              F(ZK_F_SB) || F(ZK_F_SH) || F(ZK_F_SW);
    int st = F(ZK_F_SB) || F(ZK_F_SH) || F(ZK_F_SW);
    int byte = F(ZK_F_BO) || F(ZK_F_BE) || F(ZK_F_BI);
    int shift = F(ZK_F_SLL) || F(ZK_F_SRL) || F(ZK_F_SRA);
    int alu = F(ZK_F_ADD) || F(ZK_F_SUB) || F(ZK_F_SLT) || F(ZK_D1);
    switch (c) {
    case ZL_XL: case ZL_XH: return alu || shift || mem || F(ZK_F_SRD);
    case ZL_K: return alu || (mem && !byte);
    case ZL_HL: case ZL_HH: return shift || F(ZK_F_SWR) || F(ZK_F_SRD) || byte;
    case ZL_DELTA: return F(ZK_WR) || st;
    case ZL_T2L: case ZL_T2H: return !F(ZK_F_BI);
    case ZL_TDL: case ZL_TDH: return F(ZK_WR);
    case ZL_MP0: case ZL_MP1: case ZL_EML: case ZL_EMH: case ZL_RO: return mem;
    case ZL_EOF: return !F(ZK_F_SRD) && (bprev == NULL || bprev[ZK_F_SRD].v == 0);
    default: return 1;
    }
#undef F
}

/* The lean bytecode columns of row x of cells. */
static void row_bc(cairn_fp out[ZLB_N], const cairn_fp *cells, const zk_bytecode *bc, uint64_t x)
{
    uint64_t idx = cells[x * ZL_NCELL + ZL_PCI].v;
    zk_static pad;
    zk_static_pad(&pad);
    zl_bc_entry(out, idx < bc->count ? &bc->entries[idx] : &pad, idx >= bc->count);
}

/*
 * The cheating-prover harness on the lean row: one cell of one row changed
 * (a bit flipped, or +1 for field-valued cells), for every cell and many
 * rows; where the cell is bound the checker must reject.  A changed cell
 * the checker accepts on a row where the design says it is bound is a
 * hole in the constraints.
 */
static void single_cells_changed_rejected(void)
{
    unsigned runs = test_iters >= 1000 ? 3 : 1;
    for (unsigned i = 0; i < runs; i++) {
        size_t len;
        uint8_t *elf = zk_gen_elf(test_rand_u64() | 1, 200, &len);
        struct zkt z;
        if (!zkt_build_input(&z, elf, len, zk_test_input, ZK_TEST_INPUT_LEN, NULL, 0, 1)) {
            zkt_clear(&z);
            free(elf);
            continue;
        }
        size_t rows = (size_t)1 << z.w.n;
        cairn_fp *cells = malloc(rows * ZL_NCELL * sizeof *cells);
        cairn_error err;
        zl_ctx ctx = {z.prog.entry, z.w.exit_code};
        cairn_status fs = cells != NULL ? zl_fill(cells, &z.w, &z.bc, &err) : CAIRN_ERR_NOMEM;
        if (fs != CAIRN_OK) {
            FAIL("fill: %s", cairn_status_str(fs));
            free(cells);
            zkt_clear(&z);
            free(elf);
            continue;
        }
        for (unsigned c = 0; c < ZL_NCELL; c++) {
            unsigned tried = 0;
            for (unsigned t = 0; t < 40 && tried < 6; t++) {
                uint64_t x = test_rand_below(z.w.T);
                cairn_fp b[ZLB_N], bp[ZLB_N];
                row_bc(b, cells, &z.bc, x);
                if (x > 0)
                    row_bc(bp, cells, &z.bc, x - 1);
                if (!cell_bound(c, b, x > 0 ? bp : NULL))
                    continue;
                tried++;
                cairn_fp *cell = &cells[x * ZL_NCELL + c], keep = *cell;
                int flip = c == ZL_PCI || c == ZL_VD || c == ZL_DELTA || c == ZL_OI;
                *cell = flip ? cairn_fp_add(keep, cairn_fp_one()) : cairn_fp_make(keep.v ^ 1);
                cairn_status st = zl_check(cells, z.w.n, z.w.T, &z.bc, &ctx, z.init, &z.ram,
                                           z.w.output, z.w.output_len, &err);
                *cell = keep;
                if (st != CAIRN_ERR_REJECTED)
                    FAIL("cell %s of row %llu changed: the checker says %s", zl_cell_names[c],
                         (unsigned long long)x, cairn_status_str(st));
                else
                    test_pass();
            }
        }
        free(cells);
        zkt_clear(&z);
        free(elf);
    }
}


/* 1 when st is CAIRN_OK; otherwise a failure naming what and the message. */
static int ok_st(cairn_status st, const cairn_error *err, const char *what)
{
    if (st == CAIRN_OK) {
        test_pass();
        return 1;
    }
    FAIL("%s: %s (%s)", what, cairn_status_str(st), err->msg);
    return 0;
}

/* A consumer copying rows into a table of ZL_NCELL-wide rows indexed from `base`. */
struct lean_copy {
    cairn_fp *out;
    uint64_t base, next;
};

static cairn_status lean_copy_rows(void *ctx, uint64_t first, const cairn_fp *rows, size_t count,
                                   cairn_error *err)
{
    struct lean_copy *c = ctx;
    if (first != c->next)
        return cairn_error_set(err, CAIRN_ERR_INTERNAL, "rows out of order");
    memcpy(c->out + (first - c->base) * ZL_NCELL, rows, count * ZL_NCELL * sizeof *rows);
    c->next = first + count;
    return CAIRN_OK;
}

/*
 * One run through both fills: the translation of the first prover's
 * columns (zl_fill), which the reference checker must accept, and the
 * streaming source (the rows the prover will read) over a trace source
 * that hands out chunks of 3 rows, which must give the same cells on
 * every row, for a whole stream and for a stream of a random range
 * [a, b) (which replays the run up to a and stops after b).
 */
static void check_source(const uint8_t *elf, size_t len, const uint8_t *in, size_t in_len,
                         const char *name)
{
    struct zkt z;
    cairn_witness_oracle *o = NULL;
    cairn_fp *want = NULL, *got = NULL, *trows = NULL;
    cairn_error err;
    if (!zkt_build_input(&z, elf, len, in, in_len, NULL, 0, 1))
        goto out;
    size_t rows = (size_t)1 << z.w.n;
    want = malloc(rows * ZL_NCELL * sizeof *want);
    got = malloc(rows * ZL_NCELL * sizeof *got);
    if (!CHECK(want != NULL && got != NULL) || !ok_st(zl_fill(want, &z.w, &z.bc, &err), &err, name))
        goto out;
    zl_ctx ctx = {z.prog.entry, z.w.exit_code};
    if (!ok_st(zl_check(want, z.w.n, z.w.T, &z.bc, &ctx, z.init, &z.ram, z.w.output,
                        z.w.output_len, &err),
               &err, name))
        goto out;
    if (!ok_st(cairn_witness_oracle_new_table(&o, &z.prog, NULL, in, in_len, 1u << 22, 0, &err),
               &err, name))
        goto out;
    uint64_t cycles = cairn_witness_oracle_cycles(o);
    trows = malloc(cycles * CAIRN_WIT_WIDTH * sizeof *trows);
    struct zk_collect col = {trows, cycles};
    if (!CHECK(trows != NULL) ||
        !ok_st(cairn_rows_stream(cairn_witness_oracle_rows(o), 0, cycles, zk_collect_rows, &col,
                                 &err),
               &err, name))
        goto out;
    cairn_rows tsrc, src;
    cairn_rows_table timpl;
    cairn_rows_table_init(&tsrc, &timpl, trows, cycles, CAIRN_WIT_WIDTH, 3);
    zl_source s;
    if (!ok_st(zl_source_init(&src, &s, &tsrc, cycles, z.w.T, z.w.n, &z.bc, z.init, &z.ram, in,
                              in_len, &err),
               &err, name))
        goto out;
    struct lean_copy c = {got, 0, 0};
    memset(got, 0xff, rows * ZL_NCELL * sizeof *got);
    if (ok_st(cairn_rows_stream(&src, 0, rows, lean_copy_rows, &c, &err), &err, name))
        for (uint64_t x = 0; x < rows; x++)
            for (unsigned k = 0; k < ZL_NCELL; k++)
                if (got[x * ZL_NCELL + k].v != want[x * ZL_NCELL + k].v) {
                    FAIL("%s row %llu: %s = %llu, translated %llu", name, (unsigned long long)x,
                         zl_cell_names[k], (unsigned long long)got[x * ZL_NCELL + k].v,
                         (unsigned long long)want[x * ZL_NCELL + k].v);
                    x = rows, k = ZL_NCELL;
                }
    uint64_t a = test_rand_below(rows), b = a + 1 + test_rand_below(rows - a);
    struct lean_copy c2 = {got, a, a};
    if (ok_st(cairn_rows_stream(&src, a, b, lean_copy_rows, &c2, &err), &err, name)) {
        CHECK_EQ_U64(c2.next, b);
        CHECK(memcmp(got, want + a * ZL_NCELL, (b - a) * ZL_NCELL * sizeof *got) == 0);
    }
out:
    cairn_witness_oracle_free(o);
    free(trows);
    free(want);
    free(got);
    zkt_clear(&z);
}

/* Random programs, register-only and with memory and I/O: both fills agree and pass the checker. */
static void source_matches_translation(void)
{
    unsigned runs = test_iters >= 1000 ? 8 : 3;
    for (unsigned i = 0; i < runs; i++) {
        size_t len;
        uint8_t *elf = zk_gen_elf(test_rand_u64() ^ i, 40 + (uint32_t)test_rand_below(300), &len);
        check_source(elf, len, zk_test_input, ZK_TEST_INPUT_LEN, "random program");
        free(elf);
    }
}

/* The example guests written in C (picolibc's printf, byte loads and stores, reads and writes). */
static void example_guests_pass(void)
{
    static const char *const names[] = {"hello", "regloop", "sha256", "fib"};
    static const uint8_t abc[3] = {'a', 'b', 'c'};
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[512];
        size_t len;
        snprintf(path, sizeof path, "%s/rv32i/%s.elf", vmt_guest_dir(), names[i]);
        uint8_t *elf = vmt_read_file(path, &len);
        if (elf == NULL) {
            FAIL("%s: cannot read (build the guests first: make)", path);
            continue;
        }
        check_source(elf, len, abc, sizeof abc, names[i]);
        free(elf);
    }
}


/*
 * An honest run of a random program with memory and I/O: its checker
 * view, its cells, and room for its value tables.  Returns 1 when ready
 * (zc_fix_close frees it either way).
 */
struct zc_fix {
    struct zkt z;
    cairn_fp *cells, *tab;
    zl_vtab vt; /* a view of tab: every value column */
};

static void zc_fix_close(struct zc_fix *f)
{
    free(f->cells);
    free(f->tab);
    zkt_clear(&f->z);
}

static int zc_fix_open(struct zc_fix *f, uint64_t seed)
{
    size_t len;
    uint8_t *elf = zk_gen_elf(seed | 1, 120, &len);
    cairn_error err;
    f->cells = f->tab = NULL;
    if (zkt_build_input(&f->z, elf, len, zk_test_input, ZK_TEST_INPUT_LEN, NULL, 0, 1)) {
        size_t rows = (size_t)1 << f->z.w.n;
        f->cells = malloc(rows * ZL_NCELL * sizeof *f->cells);
        f->tab = malloc(rows * ZLV_N * sizeof *f->tab);
        if (f->tab != NULL)
            zl_vtab_view(&f->vt, f->tab, f->z.w.n);
        if (f->cells != NULL && zl_fill(f->cells, &f->z.w, &f->z.bc, &err) != CAIRN_OK) {
            free(f->cells);
            f->cells = NULL;
        }
    }
    free(elf);
    if (CHECK(f->cells != NULL && f->tab != NULL))
        return 1;
    zc_fix_close(f); /* nothing for the caller to close */
    return 0;
}

/*
 * Prove the zero-check on cells and verify it with a fresh transcript;
 * when r_z and v are given, they receive the verifier's point and values.
 */
static cairn_status zc_round_trip(const struct zkt *z, const cairn_fp *cells, zl_zc_proof *p,
                                  cairn_fp *tab, cairn_fp2 *r_z, cairn_fp2 *v, int tamper)
{
    cairn_error err;
    cairn_transcript tp, tv;
    cairn_fp2 rp[CAIRN_POLY_MAX_VARS], rv[CAIRN_POLY_MAX_VARS];
    zl_ctx ctx = {z->prog.entry, z->w.exit_code};
    cairn_fp2 *vals = malloc(ZLV_N * sizeof *vals);
    cairn_status st = vals != NULL ? zl_value_tables(tab, cells, z->w.n, z->w.T, &z->bc, &err)
                                   : CAIRN_ERR_NOMEM;
    cairn_transcript_init(&tp, "lean-test");
    cairn_transcript_init(&tv, "lean-test");
    zl_vtab vt;
    zl_vtab_view(&vt, tab, z->w.n);
    if (st == CAIRN_OK)
        st = zl_zc_prove(p, rp, &tp, &vt, z->w.n, z->w.T,
                         zl_instructions(cells, z->w.n, z->w.T, &z->bc), &ctx, 2, &err);
    if (st != CAIRN_OK) {
        free(vals);
        return CAIRN_ERR_INTERNAL;
    }
    if (tamper >= 0) { /* one element of the proof changed */
        size_t sc = p->sc.rounds * p->sc.degree;
        cairn_fp2 *e = (size_t)tamper < sc ? &p->sc.evals[tamper] : &p->vals[(size_t)tamper - sc];
        *e = cairn_fp2_add(*e, cairn_fp2_one());
    }
    st = zl_zc_verify(rv, vals, &tv, p, z->w.n, z->w.T,
                      zl_instructions(cells, z->w.n, z->w.T, &z->bc), &ctx, &err);
    if (r_z != NULL)
        memcpy(r_z, rv, z->w.n * sizeof *rv);
    if (v != NULL)
        memcpy(v, vals, ZLV_N * sizeof *vals);
    free(vals);
    return st;
}

/*
 * The prover's values (zl_vtab_build: the cell columns, and every other
 * needed value computed per row from the cells and the materialised U and
 * B, zl_vtab_row) are exactly zl_row_values' values, on honest
 * cells and on cells changed to indices past U and past B; and every value
 * a stage reads is built.
 */
static void vtab_matches_row_values(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    size_t n = f.z.w.n, rows = (size_t)1 << n;
    uint8_t need[ZLV_N];
    zl_vtab_needed(need);
    uint16_t idx[ZLV_N];
    size_t m = zl_zc_used(idx), missing = 0;
    for (size_t j = 0; j < m; j++)
        missing += !need[idx[j]];
    for (unsigned j = 0; j < ZL_MEM_VALS; j++)
        missing += !need[zl_mem_values()[j]];
    CHECK(missing == 0);
    zl_tables tb;
    cairn_error err;
    for (unsigned pass = 0; pass < 2; pass++) {
        if (pass == 1) /* indices no honest row has: past U, past B */
            for (unsigned e = 0; e < 8; e++) {
                uint64_t x = test_rand_below(rows);
                f.cells[x * ZL_NCELL + (e % 2 ? zl_u_cells[test_rand_below(ZL_NUCELL)] : ZL_PCI)] =
                    cairn_fp_from_u64((UINT64_C(1) << 16) + test_rand_below(1000));
            }
        zl_vtab vt;
        memset(&vt, 0, sizeof vt);
        if (zl_tables_init(&tb, &f.z.bc, &err) != CAIRN_OK ||
            zl_value_tables(f.tab, f.cells, n, f.z.w.T, &f.z.bc, &err) != CAIRN_OK ||
            zl_vtab_build(&vt, f.cells, n, f.z.w.T, &tb, &err) != CAIRN_OK) {
            FAIL("tables: %s", err.msg);
            zl_tables_clear(&tb);
            zl_vtab_clear(&vt);
            break;
        }
        size_t bad = 0;
        cairn_fp row[ZLV_N];
        for (unsigned i = 0; i < ZLV_N; i++) /* the cells are columns, nothing else */
            if ((i < ZL_NCELL) != (vt.col[i] != NULL))
                bad++;
            else if (vt.col[i] != NULL)
                bad += memcmp(vt.col[i], f.tab + (size_t)i * rows, rows * sizeof *f.tab) != 0;
        for (size_t x = 0; x < rows; x++) { /* every needed value of every row */
            zl_vtab_row(row, &vt, x);
            for (unsigned i = 0; i < ZLV_N; i++)
                bad += need[i] && !cairn_fp_eq(row[i], f.tab[(size_t)i * rows + x]);
        }
        if (bad != 0)
            FAIL("pass %u: %zu value columns differ", pass, bad);
        else
            test_pass();
        zl_vtab_clear(&vt);
        zl_tables_clear(&tb);
    }
    zc_fix_close(&f);
}

/*
 * The constraints over F_p (the zero-check's first round) equal those over
 * F_p2 on base values: random values, and every row of an honest run.
 */
static void constraints_fp_match(void)
{
    cairn_fp *b = malloc(ZLV_N * sizeof *b);
    cairn_fp2 *e = malloc(ZLV_N * sizeof *e), want[ZL_NCON];
    cairn_fp got[ZL_NCON];
    zl_ctx ctx = {(uint32_t)test_rand_u64(), (uint32_t)test_rand_u64()};
    if (!CHECK(b != NULL && e != NULL))
        goto out;
    size_t bad = 0;
    for (unsigned it = 0; it < 200; it++) {
        for (unsigned i = 0; i < ZLV_N; i++) {
            b[i] = cairn_fp_from_u64(it % 2 ? test_rand_u64() : test_rand_below(1u << 17));
            e[i] = cairn_fp2_from_fp(b[i]);
        }
        zl_constraints(want, e, &ctx);
        zl_constraints_fp(got, b, &ctx);
        for (unsigned c = 0; c < ZL_NCON; c++)
            bad += !cairn_fp2_eq(want[c], cairn_fp2_from_fp(got[c]));
    }
    struct zc_fix f;
    if (zc_fix_open(&f, test_rand_u64())) {
        size_t n = f.z.w.n, rows = (size_t)1 << n;
        zl_ctx fc = {f.z.prog.entry, f.z.w.exit_code};
        for (size_t x = 0; x < rows; x++) {
            zl_row_values(e, f.cells, rows, f.z.w.T, &f.z.bc, x);
            for (unsigned i = 0; i < ZLV_N; i++)
                b[i] = e[i].c0;
            zl_constraints(want, e, &fc);
            zl_constraints_fp(got, b, &fc);
            for (unsigned c = 0; c < ZL_NCON; c++)
                bad += !cairn_fp2_eq(want[c], cairn_fp2_from_fp(got[c])) || !cairn_fp_is_zero(got[c]);
        }
        zc_fix_close(&f);
    }
    if (bad != 0)
        FAIL("%zu constraint values differ (or are not zero on an honest row)", bad);
    else
        test_pass();
out:
    free(b);
    free(e);
}

/* A cell source over cell columns (cell c of row x at cols[c * 2^n + x]), failing at row fail_at. */
struct col_src {
    const cairn_fp *cols;
    size_t n;
    uint64_t fail_at; /* UINT64_MAX: never */
};

static void *col_src_open(void *ctx)
{
    const struct col_src **c = malloc(sizeof *c);
    if (c != NULL)
        *c = ctx;
    return c;
}

static cairn_status col_src_row(void *cur, uint64_t x, cairn_fp *cells, cairn_error *err)
{
    const struct col_src *c = *(const struct col_src **)cur;
    if (x == c->fail_at)
        return cairn_error_set(err, CAIRN_ERR_IO, "test source: row %llu is lost",
                               (unsigned long long)x);
    for (unsigned i = 0; i < ZL_NCELL; i++)
        cells[i] = c->cols[((size_t)i << c->n) + x];
    return CAIRN_OK;
}

static void col_src_close(void *cur) { free(cur); }

/*
 * The fast zero-check prover (eq factored out, the first round over F_p,
 * q(1) from the claim) sends exactly the generic prover's bytes on honest
 * witnesses, for 1, 2, 3 and 8 threads, and the same claimed values; for
 * every delay before its tables are held (the first rounds read the rows),
 * from full tables and from the prover's own (zl_vtab_build), reading U
 * and B column by column or entry by entry (zl_tables_rows), and with no
 * cell column at all, every row's cells from a cell source (zl_vtab_src).
 */
static void zerocheck_fast_matches_generic(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    struct zkt *z = &f.z;
    cairn_error err;
    zl_ctx ctx = {z->prog.entry, z->w.exit_code};
    uint64_t ins = zl_instructions(f.cells, z->w.n, z->w.T, &z->bc);
    if (zl_value_tables(f.tab, f.cells, z->w.n, z->w.T, &z->bc, &err) != CAIRN_OK) {
        FAIL("tables: %s", err.msg);
        goto out;
    }
    zl_zc_proof g;
    cairn_fp2 rg[CAIRN_POLY_MAX_VARS];
    cairn_transcript tg;
    zl_zc_proof_init(&g);
    cairn_transcript_init(&tg, "lean-test");
    if (zl_zc_prove_generic(&g, rg, &tg, &f.vt, z->w.n, z->w.T, ins, &ctx, 2, &err) != CAIRN_OK) {
        FAIL("generic: %s", err.msg);
        zl_zc_proof_clear(&g);
        goto out;
    }
    /* the values as the prover gets them: the cell columns, the rest per row */
    zl_tables tb, tbr;
    zl_vtab built, builtr, bsrc; /* builtr: U and B read entry by entry; bsrc: cells from a source */
    memset(&built, 0, sizeof built);
    memset(&builtr, 0, sizeof builtr);
    memset(&bsrc, 0, sizeof bsrc);
    memset(&tbr, 0, sizeof tbr);
    struct col_src cs = {NULL, z->w.n, UINT64_MAX};
    zl_cells_src csrc = {&cs, col_src_open, col_src_row, col_src_close};
    if (zl_tables_init(&tb, &z->bc, &err) != CAIRN_OK ||
        zl_vtab_build(&built, f.cells, z->w.n, z->w.T, &tb, &err) != CAIRN_OK ||
        (cs.cols = built.own, 0) ||
        zl_tables_init(&tbr, &z->bc, &err) != CAIRN_OK || zl_tables_rows(&tbr, &err) != CAIRN_OK ||
        zl_vtab_build(&builtr, f.cells, z->w.n, z->w.T, &tbr, &err) != CAIRN_OK ||
        zl_vtab_src(&bsrc, &csrc, z->w.n, z->w.T, &tb, &err) != CAIRN_OK) {
        FAIL("tables: %s", err.msg);
        zl_vtab_clear(&bsrc);
        zl_vtab_clear(&built);
        zl_vtab_clear(&builtr);
        zl_tables_clear(&tb);
        zl_tables_clear(&tbr);
        zl_zc_proof_clear(&g);
        goto out;
    }
    /* every delay of the tables (rounds read from the rows), three sources, 1, 2, 3, 8 threads */
    static const int delays[] = {1, 2, 3, ZL_ZC_DELAY, ZL_ZC_DELAY_MAX};
    static const unsigned ths[] = {1, 2, 3, 8};
    static const char *const modes[] = {"view", "built", "built, tables by entry",
                                        "cells from a source"};
    const unsigned nd = sizeof delays / sizeof delays[0];
    for (unsigned v = 0; v < 4 * nd * 4; v++) {
        unsigned th = ths[v / (4 * nd)], d = (v / 4) % nd, mode = v % 4;
        const zl_vtab *src = mode == 0 ? &f.vt : mode == 1 ? &built : mode == 2 ? &builtr : &bsrc;
        (void)cairn_pool_set_threads(th, NULL);
        zl_zc_delay = delays[d];
        zl_zc_proof q;
        cairn_fp2 rq[CAIRN_POLY_MAX_VARS];
        cairn_transcript tq;
        zl_zc_proof_init(&q);
        cairn_transcript_init(&tq, "lean-test");
        if (zl_zc_prove(&q, rq, &tq, src, z->w.n, z->w.T, ins, &ctx, th,
                        &err) != CAIRN_OK) {
            FAIL("fast, %u threads: %s", th, err.msg);
        } else {
            size_t msgs = g.sc.rounds * g.sc.degree;
            int same = q.sc.rounds == g.sc.rounds && q.sc.degree == g.sc.degree && q.len == g.len;
            for (size_t e = 0; same && e < msgs; e++)
                same = cairn_fp2_eq(q.sc.evals[e], g.sc.evals[e]);
            for (size_t e = 0; same && e < g.len; e++)
                same = cairn_fp2_eq(q.vals[e], g.vals[e]);
            cairn_fp2 a = cairn_transcript_squeeze_fp2(&tq, "t"), b;
            cairn_transcript tg2 = tg;
            b = cairn_transcript_squeeze_fp2(&tg2, "t");
            if (!same || !cairn_fp2_eq(a, b))
                FAIL("fast prover, %u threads, delay %d, %s: other bytes than the generic one",
                     th, delays[d], modes[mode]);
            else
                test_pass();
        }
        zl_zc_proof_clear(&q);
    }
    zl_zc_delay = ZL_ZC_DELAY;
    CHECK_OK(zl_vtab_status(&bsrc, &err));
    CHECK(zl_vtab_rows_read(&bsrc) > 0);
    zl_vtab_clear(&bsrc);
    zl_vtab_clear(&built);
    zl_vtab_clear(&builtr);
    zl_tables_clear(&tb);
    zl_tables_clear(&tbr);
    (void)cairn_pool_set_threads(2, NULL);
    zl_zc_proof_clear(&g);
out:
    zc_fix_close(&f);
}

/*
 * The zero-check accepts an honest witness, and its claimed values are the
 * value tables' evaluations at the final point (so the later stages are
 * asked to discharge true claims); the verifier's public values are the
 * tables' too.
 */
static void zerocheck_complete(void)
{
    unsigned runs = test_iters >= 1000 ? 3 : 1;
    for (unsigned i = 0; i < runs; i++) {
        struct zc_fix f;
        if (!zc_fix_open(&f, test_rand_u64()))
            continue;
        struct zkt *zp = &f.z;
        cairn_fp *cells = f.cells, *tab = f.tab;
        size_t rows = (size_t)1 << zp->w.n;
        cairn_fp2 r[CAIRN_POLY_MAX_VARS], *v = malloc(ZLV_N * sizeof *v);
        uint16_t *idx = malloc(ZLV_N * sizeof *idx);
        zl_zc_proof p;
        zl_zc_proof_init(&p);
        cairn_status st = v != NULL && idx != NULL ? zc_round_trip(zp, cells, &p, tab, r, v, -1)
                                                   : CAIRN_ERR_NOMEM;
        if (st != CAIRN_OK)
            FAIL("honest zero-check: %s", cairn_status_str(st));
        else {
            size_t m = zl_zc_used(idx);
            for (size_t j = 0; j < m; j++) {
                cairn_fp2 want;
                CHECK_OK(cairn_poly_eval_fp(&want, tab + (size_t)idx[j] * rows, r, zp->w.n));
                CHECK(cairn_fp2_eq(v[idx[j]], want));
            }
            static const unsigned pub[4] = {ZLV_ID, ZLV_FIRST, ZLV_LAST, ZLV_PADS};
            for (unsigned j = 0; j < 4; j++) {
                cairn_fp2 want;
                CHECK_OK(cairn_poly_eval_fp(&want, tab + (size_t)pub[j] * rows, r, zp->w.n));
                CHECK(cairn_fp2_eq(v[pub[j]], want));
            }
        }
        zl_zc_proof_clear(&p);
        free(idx);
        free(v);
        zc_fix_close(&f);
    }
}

/* The values the constraints read: the control and ALU cells yes, the timestamp limbs no. */
static void zerocheck_used_values(void)
{
    uint16_t idx[ZLV_N];
    size_t m = zl_zc_used(idx);
    int has_k = 0, has_pcn = 0, has_t1 = 0, has_pub = 0;
    for (size_t j = 0; j < m; j++) {
        has_k |= idx[j] == ZL_K;
        has_pcn |= idx[j] == ZLV_PC_NEXT;
        has_t1 |= idx[j] == ZL_T1L || idx[j] == ZLV_U + 8 * ZU_NCOL + ZU_LO;
        has_pub |= idx[j] >= ZLV_ID;
    }
    CHECK(has_k && has_pcn && !has_t1 && !has_pub);
    CHECK(m > 40 && m < ZLV_N);
}

/* A witness breaking one constraint on one row: the zero-check proof is rejected. */
static void zerocheck_rejects_broken_constraint(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    struct zkt z = f.z;
    cairn_fp *cells = f.cells, *tab = f.tab;
    zl_ctx ctx = {z.prog.entry, z.w.exit_code};
    unsigned broken = 0;
    for (unsigned t = 0; t < 400 && broken < 8 ; t++) {
        unsigned c = (unsigned)test_rand_below(ZL_NCELL);
        uint64_t x = test_rand_below(z.w.T);
        cairn_fp *cell = &cells[x * ZL_NCELL + c], keep = *cell;
        *cell = c == ZL_PCI || c == ZL_VD || c == ZL_DELTA || c == ZL_OI
                    ? cairn_fp_add(keep, cairn_fp_one())
                    : cairn_fp_make(keep.v ^ 1);
        cairn_error err;
        cairn_status ck = zl_check(cells, z.w.n, z.w.T, &z.bc, &ctx, z.init, &z.ram, z.w.output,
                                   z.w.output_len, &err);
        if (ck == CAIRN_ERR_REJECTED && strstr(err.msg, "constraint") != NULL) {
            broken++;
            zl_zc_proof p;
            zl_zc_proof_init(&p);
            cairn_status st = zc_round_trip(&z, cells, &p, tab, NULL, NULL, -1);
            if (st != CAIRN_ERR_REJECTED)
                FAIL("cell %s of row %llu (%s): the zero-check says %s", zl_cell_names[c],
                     (unsigned long long)x, err.msg, cairn_status_str(st));
            else
                test_pass();
            zl_zc_proof_clear(&p);
        }
        *cell = keep;
    }
    CHECK(broken >= 8);
    zc_fix_close(&f);
}

/*
 * Every element of an honest proof changed.  A sum-check message: always
 * rejected.  A claimed value: rejected when the combined constraint at the
 * final point depends on it, which holds for the values in ungated
 * constraints (k, ro, eof, the next pc, the padding bit, the fall-through
 * target) and for most others; a value that only meets a flag the program
 * never sets (the flag's evaluation is 0 at the point) is not checked
 * here, and its false claim is left to the stage that discharges it (the
 * PCS, a logup* lookup, the shift sum-check).  So: every message and every
 * ungated value rejected, and most other values.
 */
static void zerocheck_tampered_proof(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    struct zkt z = f.z;
    uint16_t idx[ZLV_N];
    size_t m = zl_zc_used(idx), msgs = z.w.n * 4, caught = 0;
    for (size_t e = 0; e < msgs + m; e++) {
        zl_zc_proof p;
        zl_zc_proof_init(&p);
        cairn_status st = zc_round_trip(&z, f.cells, &p, f.tab, NULL, NULL, (int)e);
        unsigned vi = e < msgs ? 0 : idx[e - msgs];
        int must = e < msgs || vi == ZL_K || vi == ZL_RO || vi == ZL_EOF || vi == ZLV_PC_NEXT ||
                   vi == ZLV_B + ZLB_PAD || vi == ZLV_B + ZLB_FALL;
        caught += st == CAIRN_ERR_REJECTED;
        if (must && st != CAIRN_ERR_REJECTED)
            FAIL("element %zu (%s) changed: %s", e, e < msgs ? "message" : "value",
                 cairn_status_str(st));
        else if (st != CAIRN_ERR_REJECTED && st != CAIRN_OK)
            FAIL("element %zu changed: %s", e, cairn_status_str(st));
        else
            test_pass();
        zl_zc_proof_clear(&p);
    }
    if (caught * 10 < (msgs + m) * 8)
        FAIL("only %zu of %zu changed elements rejected", caught, msgs + m);
    zc_fix_close(&f);
}


/*
 * The memory stage on f's value tables (filled first), with the honest
 * final state computed from them; alter (when set) edits the statement
 * or the proof before verifying.  Returns the verifier's status; r_g, r_k
 * and the proof are kept in the out-parameters when given.
 */
typedef void (*mem_alter_fn)(zl_mem_stmt *s, zl_mem_proof *p, void *ctx);

static cairn_status mem_round_trip(struct zc_fix *f, mem_alter_fn alter, void *actx,
                                   cairn_fp2 *r_g_out, cairn_fp2 *r_k_out, zl_mem_proof *keep)
{
    struct zkt *z = &f->z;
    cairn_error err;
    size_t K = (size_t)1 << z->ram.k;
    cairn_fp *fv = malloc(2 * K * sizeof *fv);
    cairn_fp2 rg[CAIRN_POLY_MAX_VARS], rk[CAIRN_POLY_MAX_VARS], rgv[CAIRN_POLY_MAX_VARS],
        rkv[CAIRN_POLY_MAX_VARS];
    cairn_status st = CAIRN_ERR_NOMEM;
    zl_mem_proof p;
    zl_mem_proof_init(&p);
    if (fv == NULL)
        goto out;
    if ((st = zl_value_tables(f->tab, f->cells, z->w.n, z->w.T, &z->bc, &err)) != CAIRN_OK)
        goto out;
    zl_mem_stmt s = {&z->ram, z->init, {0}, {0}, z->w.output, z->w.output_len};
    zl_mem_finals(s.fin_val, s.fin_ts, fv, fv + K, &f->vt, z->w.n, z->init, &z->ram);
    cairn_transcript tp, tv;
    cairn_transcript_init(&tp, "lean-test");
    cairn_transcript_init(&tv, "lean-test");
    if ((st = zl_mem_prove(&p, rg, rk, &tp, &f->vt, z->w.n, &s, fv, fv + K, 2, 2, &err))) {
        st = CAIRN_ERR_INTERNAL;
        goto out;
    }
    if (alter != NULL)
        alter(&s, &p, actx);
    st = zl_mem_verify(rgv, rkv, &tv, &p, z->w.n, &s, &z->prog, 2, &err);
    if (st == CAIRN_OK && r_g_out != NULL) {
        memcpy(r_g_out, rgv, z->w.n * sizeof *rgv);
        memcpy(r_k_out, rkv, z->ram.k * sizeof *rkv);
        CHECK(memcmp(rg, rgv, z->w.n * sizeof *rg) == 0);
    }
    if (keep != NULL) {
        *keep = p;
        zl_mem_proof_init(&p);
    }
out:
    zl_mem_proof_clear(&p);
    free(fv);
    return st;
}

/* An honest run: accepted, and the claimed values are the tables' evaluations at r_g. */
static void memory_complete(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    cairn_fp2 rg[CAIRN_POLY_MAX_VARS], rk[CAIRN_POLY_MAX_VARS];
    zl_mem_proof p;
    cairn_status st = mem_round_trip(&f, NULL, NULL, rg, rk, &p);
    if (st != CAIRN_OK)
        FAIL("honest memory stage: %s", cairn_status_str(st));
    else {
        size_t rows = (size_t)1 << f.z.w.n;
        const uint16_t *vi = zl_mem_values();
        for (unsigned i = 0; i < ZL_MEM_VALS; i++) {
            cairn_fp2 want;
            CHECK_OK(cairn_poly_eval_fp(&want, f.tab + (size_t)vi[i] * rows, rg, f.z.w.n));
            CHECK(cairn_fp2_eq(p.vals[i], want));
        }
        zl_mem_proof_clear(&p);
    }
    zc_fix_close(&f);
}

/*
 * A witness that breaks memory checking only (a timestamp limb, a register
 * value read, an old RAM word, a RAM timestamp changed on one row, where
 * the reference checker names memory checking): the stage rejects, with
 * the final state an honest prover would compute from the lying tables.
 */
static void memory_rejects_broken_multiset(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    static const unsigned cells[] = {ZL_T1L, ZL_T2H, ZL_TDL, ZL_EML, ZL_DELTA, ZL_RO, ZL_J1};
    zl_ctx ctx = {f.z.prog.entry, f.z.w.exit_code};
    unsigned tried = 0;
    for (unsigned t = 0; t < 400 && tried < 10; t++) {
        unsigned c = cells[test_rand_below(sizeof cells / sizeof cells[0])];
        uint64_t x = test_rand_below(f.z.w.T);
        cairn_fp *cell = &f.cells[x * ZL_NCELL + c], keep = *cell;
        *cell = c == ZL_DELTA ? cairn_fp_add(keep, cairn_fp_one()) : cairn_fp_make(keep.v ^ 1);
        cairn_error err;
        cairn_status ck = zl_check(f.cells, f.z.w.n, f.z.w.T, &f.z.bc, &ctx, f.z.init, &f.z.ram,
                                   f.z.w.output, f.z.w.output_len, &err);
        if (ck == CAIRN_ERR_REJECTED && strstr(err.msg, "memory checking") != NULL) {
            tried++;
            cairn_status st = mem_round_trip(&f, NULL, NULL, NULL, NULL, NULL);
            if (st != CAIRN_ERR_REJECTED)
                FAIL("cell %s of row %llu (%s): the memory stage says %s", zl_cell_names[c],
                     (unsigned long long)x, err.msg, cairn_status_str(st));
            else
                test_pass();
        }
        *cell = keep;
    }
    CHECK(tried >= 10);
    zc_fix_close(&f);
}

struct mem_alter {
    unsigned what, i;
};

static void alter_mem(zl_mem_stmt *s, zl_mem_proof *p, void *vctx)
{
    const struct mem_alter *a = vctx;
    cairn_fp2 one = cairn_fp2_one();
    switch (a->what) {
    case 0: s->fin_val[a->i % 32] ^= 1; break;
    case 1: s->fin_ts[a->i % 32] += 1; break;
    case 2: p->vals[a->i] = cairn_fp2_add(p->vals[a->i], one); break;
    case 3: p->fin[a->i & 1] = cairn_fp2_add(p->fin[a->i & 1], one); break;
    case 4: p->gkr.elems[a->i] = cairn_fp2_add(p->gkr.elems[a->i], one); break;
    case 5: p->nonce ^= 1; break;
    }
}

/*
 * The statement and the proof changed: a final register's value or
 * timestamp, the public output's bytes, each claimed value, the final
 * memory's evaluations, every GKR element, the grinding nonce — all
 * rejected.
 */
static void memory_tampered(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    struct zkt *z = &f.z;
    cairn_error err;
    size_t K = (size_t)1 << z->ram.k;
    cairn_fp *fv = malloc(2 * K * sizeof *fv);
    cairn_fp2 rg[CAIRN_POLY_MAX_VARS], rk[CAIRN_POLY_MAX_VARS];
    zl_mem_proof p, q;
    zl_mem_proof_init(&p);
    zl_mem_proof_init(&q);
    zl_mem_stmt s = {&z->ram, z->init, {0}, {0}, z->w.output, z->w.output_len};
    cairn_transcript tp;
    cairn_transcript_init(&tp, "lean-test");
    if (!CHECK(fv != NULL) ||
        !ok_st(zl_value_tables(f.tab, f.cells, z->w.n, z->w.T, &z->bc, &err), &err, "tables"))
        goto out;
    zl_mem_finals(s.fin_val, s.fin_ts, fv, fv + K, &f.vt, z->w.n, z->init, &z->ram);
    if (!ok_st(zl_mem_prove(&p, rg, rk, &tp, &f.vt, z->w.n, &s, fv, fv + K, 2, 2, &err), &err,
               "prove"))
        goto out;
    q = p;
    q.gkr.vars = NULL;
    q.gkr.elems = malloc(p.gkr.elems_len * sizeof *q.gkr.elems);
    if (!CHECK(q.gkr.elems != NULL))
        goto out;
    struct { unsigned what, count; } cases[] = {
        {0, 32}, {1, 32}, {2, ZL_MEM_VALS}, {3, 2}, {4, (unsigned)p.gkr.elems_len}, {5, 1}, {6, 2}};
    for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (unsigned i = 0; i < cases[c].count; i++) {
            zl_mem_stmt s2 = s;
            uint8_t out0 = 0;
            memcpy(q.gkr.elems, p.gkr.elems, p.gkr.elems_len * sizeof *q.gkr.elems);
            memcpy(q.vals, p.vals, sizeof q.vals);
            memcpy(q.fin, p.fin, sizeof q.fin);
            q.nonce = p.nonce;
            q.gkr.vars = p.gkr.vars;
            if (cases[c].what == 6) { /* the output: one byte changed, or one byte more */
                if (i == 0 && s.output_len == 0)
                    continue;
                if (i == 0)
                    out0 = z->w.output[0], z->w.output[0] ^= 1;
                else
                    s2.output_len++;
            } else {
                struct mem_alter a = {cases[c].what, i};
                alter_mem(&s2, &q, &a);
            }
            cairn_transcript tv;
            cairn_transcript_init(&tv, "lean-test");
            cairn_fp2 rg2[CAIRN_POLY_MAX_VARS], rk2[CAIRN_POLY_MAX_VARS];
            cairn_status st = zl_mem_verify(rg2, rk2, &tv, &q, z->w.n, &s2, &z->prog, 2, &err);
            if (cases[c].what == 6 && i == 0)
                z->w.output[0] = out0;
            if (st != CAIRN_ERR_REJECTED)
                FAIL("change %u.%u: %s", cases[c].what, i, cairn_status_str(st));
            else
                test_pass();
        }
    /* the untouched copy still verifies */
    memcpy(q.gkr.elems, p.gkr.elems, p.gkr.elems_len * sizeof *q.gkr.elems);
    memcpy(q.vals, p.vals, sizeof q.vals);
    memcpy(q.fin, p.fin, sizeof q.fin);
    q.nonce = p.nonce;
    cairn_transcript tv;
    cairn_transcript_init(&tv, "lean-test");
    CHECK_OK(zl_mem_verify(rg, rk, &tv, &q, z->w.n, &s, &z->prog, 2, &err));
out:
    if (q.gkr.elems != p.gkr.elems)
        free(q.gkr.elems);
    zl_mem_proof_clear(&p);
    free(fv);
    zc_fix_close(&f);
}


/*
 * The shift stage after the zero-check: honest next-row claims reduce to
 * the sources' true evaluations at r_s; a wrong next-row claim, every
 * sum-check message and every sent value changed: rejected.
 */
static void shift_stage(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    struct zkt *z = &f.z;
    size_t rows = (size_t)1 << z->w.n;
    cairn_fp2 rz[CAIRN_POLY_MAX_VARS], *v = malloc(ZLV_N * sizeof *v);
    zl_zc_proof zp;
    zl_zc_proof_init(&zp);
    if (!CHECK(v != NULL) || !CHECK(zc_round_trip(z, f.cells, &zp, f.tab, rz, v, -1) == CAIRN_OK))
        goto out;
    /* the tables were filled by the round trip; the claims at r_z are the tables' */
    for (unsigned trial = 0; trial < 1 + 6 + 2 * z->w.n + ZL_SHIFT_VALS; trial++) {
        cairn_fp2 w[ZLV_N];
        memcpy(w, v, sizeof w);
        static const uint16_t nexts[6] = {ZLV_PC_NEXT, ZLV_FBYTE_NEXT, ZLV_X_NEXT,
                                          ZLV_HI_NEXT, ZLV_OI_NEXT, ZLV_EOF_NEXT};
        if (trial >= 1 && trial <= 6) /* a wrong next-row claim, proven honestly otherwise */
            w[nexts[trial - 1]] = cairn_fp2_add(w[nexts[trial - 1]], cairn_fp2_one());
        cairn_transcript tp, tv;
        cairn_transcript_init(&tp, "lean-test");
        cairn_transcript_init(&tv, "lean-test");
        cairn_error err;
        zl_shift_proof p;
        zl_shift_proof_init(&p);
        cairn_fp2 rs[CAIRN_POLY_MAX_VARS], rsv[CAIRN_POLY_MAX_VARS];
        if (!ok_st(zl_shift_prove(&p, rs, &tp, &f.vt, z->w.n, rz, w, 2, &err), &err, "shift")) {
            zl_shift_proof_clear(&p);
            break;
        }
        size_t e = trial - 7;
        if (trial >= 7 && e < 2 * z->w.n)
            p.sc.evals[e] = cairn_fp2_add(p.sc.evals[e], cairn_fp2_one());
        else if (trial >= 7)
            p.vals[e - 2 * z->w.n] = cairn_fp2_add(p.vals[e - 2 * z->w.n], cairn_fp2_one());
        cairn_status st = zl_shift_verify(rsv, &tv, &p, z->w.n, rz, w, &err);
        if (trial == 0) {
            if (ok_st(st, &err, "honest shift")) {
                const uint16_t *src = zl_shift_values();
                for (unsigned j = 0; j < ZL_SHIFT_VALS; j++) {
                    cairn_fp2 want;
                    CHECK_OK(cairn_poly_eval_fp(&want, f.tab + (size_t)src[j] * rows, rsv, z->w.n));
                    CHECK(cairn_fp2_eq(p.vals[j], want));
                }
            }
        } else if (st != CAIRN_ERR_REJECTED) {
            FAIL("shift trial %u: %s", trial, cairn_status_str(st));
        } else {
            test_pass();
        }
        zl_shift_proof_clear(&p);
    }
out:
    zl_zc_proof_clear(&zp);
    free(v);
    zc_fix_close(&f);
}


/*
 * The streamed shift prover against the reference on full tables over vt
 * at the point rz with the claims v (true or not: the prover does not
 * look), for each split of ws (clamped to n) on each thread count of ths:
 * the same round messages, r_s, values and transcript (its next
 * challenge).  The pool is left at ths' last count.  0 after a failure,
 * which it reports.
 */
static int shift_splits_match(const zl_vtab *vt, size_t n, const cairn_fp2 *rz,
                              const cairn_fp2 *v, const size_t *ws, size_t ws_len,
                              const unsigned *ths, size_t ths_len)
{
    cairn_fp2 rs0[CAIRN_POLY_MAX_VARS], rs[CAIRN_POLY_MAX_VARS];
    cairn_error err;
    zl_shift_proof ref, p;
    int ok = 0;
    zl_shift_proof_init(&ref);
    zl_shift_proof_init(&p);
    cairn_transcript t0;
    cairn_transcript_init(&t0, "shift-split");
    if (!ok_st(zl_shift_prove_tables(&ref, rs0, &t0, vt, n, rz, v, 2, &err), &err, "reference"))
        goto out;
    cairn_fp2 end0 = cairn_transcript_squeeze_fp2(&t0, "test/end");
    for (size_t i = 0; i < ths_len; i++) {
        (void)cairn_pool_set_threads(ths[i], NULL);
        for (size_t k = 0; k < ws_len; k++) {
            size_t w = ws[k] <= n ? ws[k] : n;
            cairn_transcript t1;
            cairn_transcript_init(&t1, "shift-split");
            if (!ok_st(zl_shift_prove_split(&p, rs, &t1, vt, n, rz, v, w, &err), &err, "split"))
                goto out;
            cairn_fp2 end1 = cairn_transcript_squeeze_fp2(&t1, "test/end");
            int same = p.sc.rounds == n && p.sc.degree == ZL_SHIFT_DEGREE &&
                       memcmp(p.sc.evals, ref.sc.evals, n * ZL_SHIFT_DEGREE * sizeof *p.sc.evals) == 0 &&
                       memcmp(rs, rs0, n * sizeof *rs) == 0 &&
                       memcmp(p.vals, ref.vals, sizeof p.vals) == 0 && cairn_fp2_eq(end0, end1);
            if (!CHECK(same)) {
                FAIL("shift split w = %zu of n = %zu on %u threads differs", w, n, ths[i]);
                goto out;
            }
        }
    }
    ok = 1;
out:
    zl_shift_proof_clear(&ref);
    zl_shift_proof_clear(&p);
    return ok;
}

/*
 * The streamed shift prover against the reference on a guest's value
 * tables, at a random point with random claims: every split w from 0 to n
 * on 1 to 3 threads (shift_splits_match); the default split's proof of
 * those false claims is rejected (honest runs are shift_stage's); a split
 * beyond n is refused.
 */
static void shift_streamed_matches_tables(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    struct zkt *z = &f.z;
    size_t n = z->w.n, ws[CAIRN_POLY_MAX_VARS + 1];
    static const unsigned ths[] = {1, 2, 3};
    unsigned keep = cairn_pool_threads();
    cairn_error err;
    cairn_fp2 rz[CAIRN_POLY_MAX_VARS], rs[CAIRN_POLY_MAX_VARS], rsv[CAIRN_POLY_MAX_VARS];
    cairn_fp2 *v = malloc(ZLV_N * sizeof *v);
    zl_shift_proof p;
    zl_shift_proof_init(&p);
    if (!CHECK(v != NULL) ||
        !ok_st(zl_value_tables(f.tab, f.cells, n, z->w.T, &z->bc, &err), &err, "value tables"))
        goto out;
    for (size_t i = 0; i < n; i++)
        rz[i] = test_rand_fp2();
    for (size_t i = 0; i < ZLV_N; i++)
        v[i] = test_rand_fp2();
    for (size_t w = 0; w <= n; w++)
        ws[w] = w;
    if (!shift_splits_match(&f.vt, n, rz, v, ws, n + 1, ths, 3))
        goto out;
    cairn_transcript tp, tv;
    cairn_transcript_init(&tp, "shift-split");
    cairn_transcript_init(&tv, "shift-split");
    if (ok_st(zl_shift_prove(&p, rs, &tp, &f.vt, n, rz, v, 2, &err), &err, "default split"))
        CHECK(zl_shift_verify(rsv, &tv, &p, n, rz, v, &err) == CAIRN_ERR_REJECTED);
    CHECK(zl_shift_prove_split(&p, rs, &tp, &f.vt, n, rz, v, n + 1, &err) == CAIRN_ERR_ARG);
    CHECK(zl_shift_memory(n) > 0 && zl_shift_head(n) <= n);
out:
    (void)cairn_pool_set_threads(keep, NULL);
    zl_shift_proof_clear(&p);
    free(v);
    zc_fix_close(&f);
}

/*
 * The streamed shift prover against the reference on random value tables
 * of sizes the fixtures do not reach (n = 1, 2, 3, one from 4 to 12, and
 * 16, where pass 1 has the most chunks and pass 2's chunks are whole
 * blocks), for the splits at the ends, the default and near the middle,
 * on 1 and 3 threads (shift_splits_match).
 */
static void shift_streamed_any_size(void)
{
    size_t ns[5] = {1, 2, 3, 4 + (size_t)test_rand_below(9), 16};
    static const unsigned ths[] = {1, 3};
    unsigned keep = cairn_pool_threads();
    for (size_t k = 0; k < 5; k++) {
        size_t n = ns[k], rows = (size_t)1 << n;
        size_t ws[5] = {0, 1, zl_shift_head(n), n / 2, n < 12 ? n : 10};
        cairn_fp *tab = malloc(rows * ZLV_N * sizeof *tab);
        cairn_fp2 rz[CAIRN_POLY_MAX_VARS], v[ZLV_N];
        zl_vtab vt;
        if (CHECK(tab != NULL)) {
            for (size_t i = 0; i < rows * ZLV_N; i++)
                tab[i] = test_rand_fp();
            zl_vtab_view(&vt, tab, n);
            for (size_t i = 0; i < n; i++)
                rz[i] = test_rand_fp2();
            for (size_t i = 0; i < ZLV_N; i++)
                v[i] = test_rand_fp2();
            (void)shift_splits_match(&vt, n, rz, v, ws, 5, ths, 2);
        }
        free(tab);
    }
    (void)cairn_pool_set_threads(keep, NULL);
}

/*
 * The stages in order on f's cells: zero-check, memory, shift, lookups,
 * prover and verifier side by side.  lie (when set) edits the value
 * tables after they are filled, as a prover lying about virtual values
 * would; extra_delta adds to one extra value of the lookup proof.
 * *zc receives the zero-check's verdict; the return value is the lookup
 * stage's (CAIRN_ERR_INTERNAL when an earlier stage failed).  With res
 * non-NULL and all accepted, the lookup stage's leftover claims.
 */
typedef void (*tab_lie_fn)(cairn_fp *tab, size_t n, const struct zkt *z);

static cairn_status run_chain(struct zc_fix *f, tab_lie_fn lie, long extra_at, cairn_status *zc,
                              zl_lk_result *res, zl_lk_state *keep_state)
{
    struct zkt *z = &f->z;
    size_t n = z->w.n, K = (size_t)1 << z->ram.k;
    cairn_error err;
    cairn_status st = CAIRN_ERR_INTERNAL;
    cairn_transcript tp, tv;
    cairn_fp2 rz[CAIRN_POLY_MAX_VARS], rg[CAIRN_POLY_MAX_VARS], rk[CAIRN_POLY_MAX_VARS],
        rs[CAIRN_POLY_MAX_VARS], rzv[CAIRN_POLY_MAX_VARS], rgv[CAIRN_POLY_MAX_VARS],
        rkv[CAIRN_POLY_MAX_VARS], rsv[CAIRN_POLY_MAX_VARS];
    cairn_fp2 *vp = malloc(ZLV_N * sizeof *vp), *vv = malloc(ZLV_N * sizeof *vv);
    cairn_fp *fv = malloc(2 * K * sizeof *fv);
    uint16_t idx[ZLV_N];
    zl_zc_proof zp;
    zl_mem_proof mp;
    zl_shift_proof sp;
    zl_lk_proof lp;
    zl_lk_state sP, sV;
    zl_tables tb;
    zl_lk_result rp, rv;
    memset(&sP, 0, sizeof sP);
    memset(&sV, 0, sizeof sV);
    memset(&tb, 0, sizeof tb);
    zl_zc_proof_init(&zp);
    zl_mem_proof_init(&mp);
    zl_shift_proof_init(&sp);
    zl_lk_proof_init(&lp);
    *zc = CAIRN_ERR_INTERNAL;
    if (vp == NULL || vv == NULL || fv == NULL ||
        zl_value_tables(f->tab, f->cells, n, z->w.T, &z->bc, &err) != CAIRN_OK ||
        zl_tables_init(&tb, &z->bc, &err) != CAIRN_OK)
        goto out;
    if (lie != NULL)
        lie(f->tab, n, z);
    zl_ctx ctx = {z->prog.entry, z->w.exit_code};
    cairn_transcript_init(&tp, "lean-chain");
    cairn_transcript_init(&tv, "lean-chain");
    /* zero-check */
    uint64_t ins = zl_instructions(f->cells, n, z->w.T, &z->bc);
    if (zl_zc_prove(&zp, rz, &tp, &f->vt, n, z->w.T, ins, &ctx, 2, &err) != CAIRN_OK)
        goto out;
    *zc = zl_zc_verify(rzv, vv, &tv, &zp, n, z->w.T, ins, &ctx, &err);
    if (*zc != CAIRN_OK)
        goto out;
    zl_zc_values(vp, &zp);
    /* memory */
    zl_mem_stmt ms = {&z->ram, z->init, {0}, {0}, z->w.output, z->w.output_len};
    zl_mem_finals(ms.fin_val, ms.fin_ts, fv, fv + K, &f->vt, n, z->init, &z->ram);
    if (zl_mem_prove(&mp, rg, rk, &tp, &f->vt, n, &ms, fv, fv + K, 2, 2, &err) != CAIRN_OK ||
        zl_mem_verify(rgv, rkv, &tv, &mp, n, &ms, &z->prog, 2, &err) != CAIRN_OK)
        goto out;
    /* shift */
    if (zl_shift_prove(&sp, rs, &tp, &f->vt, n, rz, vp, 2, &err) != CAIRN_OK ||
        zl_shift_verify(rsv, &tv, &sp, n, rzv, vv, &err) != CAIRN_OK)
        goto out;
    /* lookups: the stage claims as the verifier got them */
    size_t m = zl_zc_used(idx);
    zl_lk_claims cl = {idx, zp.vals, m, mp.vals, sp.vals};
    uint8_t binding[32];
    cairn_rows cells;
    zl_cols_rows cells_impl;
    zl_cols_rows_init(&cells, &cells_impl, f->vt.col, n);
    if (zl_lk_bind_prove(&sP, &lp, &tp, &tb, &cells, n, rz, rg, rs, &cl, 0, 0, 2, &err))
        goto out;
    /* the pushforwards' "commitment": here the hash of both */
    cairn_sha256_ctx hc;
    cairn_sha256_init(&hc);
    cairn_sha256_update(&hc, sP.yu, ((size_t)1 << ZU_VARS) * sizeof *sP.yu);
    cairn_sha256_update(&hc, sP.yb, ((size_t)1 << tb.kb) * sizeof *sP.yb);
    cairn_sha256_final(binding, &hc);
    cairn_transcript_absorb_bytes(&tp, "test/phase2", binding, sizeof binding);
    if (zl_lk_prove(&sP, &lp, &rp, &tp, &cells, binding, sizeof binding, 2, &err) != CAIRN_OK)
        goto out;
    if (extra_at >= 0 && (size_t)extra_at < lp.extra_len)
        lp.extra[extra_at] = cairn_fp2_add(lp.extra[extra_at], cairn_fp2_one());
    st = zl_lk_bind_verify(&sV, &tv, &lp, &tb, n, rzv, rgv, rsv, &cl, 0, 0, &err);
    cairn_transcript_absorb_bytes(&tv, "test/phase2", binding, sizeof binding);
    if (st == CAIRN_OK)
        st = zl_lk_verify(&sV, &rv, &tv, &lp, binding, sizeof binding, &err);
    if (st == CAIRN_OK && res != NULL)
        *res = rv;
    if (keep_state != NULL) {
        *keep_state = sP;
        memset(&sP, 0, sizeof sP);
    }
out:
    zl_zc_proof_clear(&zp);
    zl_mem_proof_clear(&mp);
    zl_shift_proof_clear(&sp);
    zl_lk_proof_clear(&lp);
    zl_lk_state_clear(&sP);
    zl_lk_state_clear(&sV);
    zl_tables_clear(&tb);
    free(vp);
    free(vv);
    free(fv);
    return st;
}

/* A row with a result family f (its lean flag fw_* set) and the family's value index. */
static uint64_t row_with(const cairn_fp *tab, size_t n, uint64_t T, unsigned vi)
{
    size_t rows = (size_t)1 << n;
    for (uint64_t x = 0; x < T; x++)
        if (tab[(size_t)vi * rows + x].v != 0)
            return x;
    return UINT64_MAX;
}

/* A lie about a bytecode column: fw_rx cleared on an ADD-like row (the constraints still hold). */
static void lie_bytecode(cairn_fp *tab, size_t n, const struct zkt *z)
{
    uint64_t x = row_with(tab, n, z->w.T, ZLV_B + ZLB_FW + 0);
    if (x != UINT64_MAX)
        tab[(size_t)(ZLV_B + ZLB_FW + 0) * ((size_t)1 << n) + x] = cairn_fp_zero();
}

/*
 * A lie about a U output: "write to fd 1" claimed for j0 on a row that is
 * not an ECALL (where the kinds are read only under f_ecall, so no
 * constraint sees it).
 */
static void lie_u_output(cairn_fp *tab, size_t n, const struct zkt *z)
{
    size_t rows = (size_t)1 << n, x = 0;
    while (x + 1 < z->w.T && tab[(size_t)(ZLV_B + ZK_F_ECALL) * rows + x].v != 0)
        x++;
    tab[(size_t)(ZLV_U + 0 * ZU_NCOL + ZU_WO) * rows + x] =
        cairn_fp_add(tab[(size_t)(ZLV_U + 0 * ZU_NCOL + ZU_WO) * rows + x], cairn_fp_one());
}

/*
 * The lookup stage after the others: an honest run is accepted and its
 * leftover claims are true (each index column at its GKR point, each
 * pushforward at two points); a prover lying about a virtual value in a
 * way the constraints cannot see (a bytecode flag, a U output) passes the
 * zero-check and is rejected here; every extra value changed: rejected.
 */
static void lookup_stage(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    size_t n = f.z.w.n, rows = (size_t)1 << n;
    cairn_status zc;
    zl_lk_result res;
    zl_lk_state keep;
    memset(&keep, 0, sizeof keep);
    cairn_status st = run_chain(&f, NULL, -1, &zc, &res, &keep);
    if (st != CAIRN_OK) {
        FAIL("honest chain: zero-check %s, lookups %s", cairn_status_str(zc), cairn_status_str(st));
    } else {
        for (unsigned l = 0; l < ZL_NUCELL; l++) {
            cairn_fp2 want;
            CHECK_OK(cairn_poly_eval_fp(&want, f.tab + (size_t)zl_u_cells[l] * rows,
                                        res.u.index_point, n));
            CHECK(cairn_fp2_eq(res.u.index_values[l], want));
        }
        cairn_fp2 want;
        CHECK_OK(cairn_poly_eval_fp(&want, f.tab + (size_t)ZL_PCI * rows, res.b.index_point, n));
        CHECK(cairn_fp2_eq(res.b.index_values[0], want));
        for (unsigned u = 0; u < 2; u++) {
            CHECK_OK(cairn_poly_eval_fp2(&want, keep.yu, res.u.y_points[u], ZU_VARS));
            CHECK(cairn_fp2_eq(res.u.y_values[u], want));
        }
    }
    zl_lk_state_clear(&keep);
    static const tab_lie_fn lies[2] = {lie_bytecode, lie_u_output};
    for (unsigned i = 0; i < 2; i++) {
        st = run_chain(&f, lies[i], -1, &zc, NULL, NULL);
        if (zc != CAIRN_OK)
            FAIL("lie %u: the zero-check should not see it (%s)", i, cairn_status_str(zc));
        else if (st != CAIRN_ERR_REJECTED)
            FAIL("lie %u about a virtual value: the lookup stage says %s", i,
                 cairn_status_str(st));
        else
            test_pass();
    }
    unsigned samples = test_iters >= 1000 ? 12 : 4;
    for (unsigned i = 0; i < samples; i++) {
        long at = (long)test_rand_below(200);
        st = run_chain(&f, NULL, at, &zc, NULL, NULL);
        if (st != CAIRN_ERR_REJECTED)
            FAIL("extra value %ld changed: %s", at, cairn_status_str(st));
        else
            test_pass();
    }
    zc_fix_close(&f);
}

/* zkt_lean_prove_verify without the message. */
static cairn_status lean_prove_verify(const struct zkt *z, const cairn_fp *cells,
                                      const zl_stmt *sp, const zl_stmt *sv, zl_proof *keep)
{
    return zkt_lean_prove_verify(z, cells, sp, sv, keep, NULL);
}

static cairn_status lean_round_trip(const struct zkt *z, const cairn_fp *cells,
                                    const zl_stmt *sv, zl_proof *keep)
{
    return lean_prove_verify(z, cells, NULL, sv, keep);
}

/*
 * Every stage chained with real commitments and openings: honest runs of
 * random programs and of C guests are accepted; a statement changed (exit
 * code, an output byte, the row count, the entry) is rejected.
 */
/*
 * A lean proof of a random fixture made with *flag = v0 on one thread and
 * with v1 on two and on three (a test-only switch between two provers of
 * one stage): the same bytes.  The pool's size is restored.
 */
static void proof_same_either_way(int *flag, int v0, int v1)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    zl_stmt s = zkt_lean_stmt(&f.z, f.cells);
    unsigned keep = cairn_pool_threads();
    uint8_t *b[3] = {NULL, NULL, NULL};
    size_t len[3] = {0, 0, 0};
    for (unsigned i = 0; i < 3; i++) {
        zl_proof p;
        cairn_transcript t;
        cairn_error err;
        zl_proof_init(&p);
        cairn_transcript_init(&t, "lean-proof");
        *flag = i == 0 ? v0 : v1;
        (void)cairn_pool_set_threads(i + 1, NULL);
        if (zl_prove(&p, &t, &s, f.cells, i + 1, &err) != CAIRN_OK ||
            zl_proof_encode(&b[i], &len[i], &p, &err) != CAIRN_OK)
            FAIL("switch at %d, %u threads: %s", *flag, i + 1, err.msg);
        zl_proof_clear(&p);
    }
    *flag = 0;
    (void)cairn_pool_set_threads(keep, NULL);
    for (unsigned i = 1; i < 3; i++)
        if (b[0] != NULL && b[i] != NULL && CHECK(len[0] == len[i]))
            CHECK_MEM_EQ(b[0], b[i], len[0]);
    for (unsigned i = 0; i < 3; i++)
        free(b[i]);
    zc_fix_close(&f);
}

/*
 * The prover's two routes to the table outputs no stage claimed (a sum
 * over the rows, or the pushforward's inner products with the table) give
 * the same proof, byte for byte.
 */
static void lookup_extras_both_routes(void)
{
    proof_same_either_way(&zl_lk_path, 1, 2);
}

/* The row-major cells as a row source of chunk_rows rows a chunk, able to lose a row. */
struct lk_src {
    cairn_rows_table impl;
    cairn_rows table;
    test_lossy_rows l;
};

static void lk_src_init(struct lk_src *s, const cairn_fp *cells, size_t n, size_t chunk_rows)
{
    cairn_rows_table_init(&s->table, &s->impl, cells, UINT64_C(1) << n, ZL_NCELL, chunk_rows);
    test_lossy_rows_init(&s->l, &s->table);
}

/* What one run of the lookup stage's prover gave: its proof's bytes, its claims, its rows read. */
struct lk_out {
    uint8_t *bytes;
    size_t len;
    zl_lk_result res;
    uint64_t bind_rows, prove_rows;
};

/*
 * Both phases of the lookup stage's prover on cells (a row source) at the
 * points and claims given, the pushforwards "committed" by their hash;
 * out gets the extras, both pushforwards and both logup* proofs as bytes.
 */
static cairn_status lk_run(struct lk_out *out, const zl_tables *tb, const cairn_rows *cells,
                           size_t n, const cairn_fp2 *const *pts, const zl_lk_claims *cl,
                           unsigned threads, cairn_error *err)
{
    zl_lk_state s;
    zl_lk_proof p;
    cairn_transcript t;
    uint8_t binding[32];
    size_t KU = (size_t)1 << ZU_VARS, KB = (size_t)1 << tb->kb;
    memset(&s, 0, sizeof s);
    memset(out, 0, sizeof *out);
    zl_lk_proof_init(&p);
    cairn_transcript_init(&t, "lean-lookup-rows");
    cairn_status st = zl_lk_bind_prove(&s, &p, &t, tb, cells, n, pts[0], pts[1], pts[2], cl, 0, 0,
                                       threads, err);
    out->bind_rows = s.cell_rows;
    if (st != CAIRN_OK)
        goto done;
    cairn_sha256_ctx hc;
    cairn_sha256_init(&hc);
    cairn_sha256_update(&hc, s.yu, KU * sizeof *s.yu);
    cairn_sha256_update(&hc, s.yb, KB * sizeof *s.yb);
    cairn_sha256_final(binding, &hc);
    cairn_transcript_absorb_bytes(&t, "test/phase2", binding, sizeof binding);
    st = zl_lk_prove(&s, &p, &out->res, &t, cells, binding, sizeof binding, threads, err);
    out->prove_rows = s.cell_rows;
    if (st != CAIRN_OK)
        goto done;
    size_t lu = cairn_logup_star_batch_proof_size(n, ZU_VARS, ZL_NUCELL);
    size_t lb = cairn_logup_star_batch_proof_size(n, tb->kb, 1);
    size_t le = p.extra_len * sizeof *p.extra;
    out->len = le + (KU + KB) * sizeof *s.yu + lu + lb;
    uint8_t *b = out->bytes = malloc(out->len);
    memcpy(b, p.extra, le);
    memcpy(b + le, s.yu, KU * sizeof *s.yu);
    memcpy(b + le + KU * sizeof *s.yu, s.yb, KB * sizeof *s.yb);
    b += le + (KU + KB) * sizeof *s.yu;
    if ((st = cairn_logup_star_batch_proof_encode(b, lu, &p.u, n, ZU_VARS, ZL_NUCELL, err)) ==
        CAIRN_OK)
        st = cairn_logup_star_batch_proof_encode(b + lu, lb, &p.b, n, tb->kb, 1, err);
done:
    zl_lk_proof_clear(&p);
    zl_lk_state_clear(&s);
    return st;
}

/* The cells (2^n rows of ZL_NCELL, row-major) as columns (zl_prove_cols'); NULL: no memory. */
static cairn_fp *cols_of(const cairn_fp *cells, size_t n)
{
    size_t rows = (size_t)1 << n;
    cairn_fp *cols = malloc(ZL_NCELL * rows * sizeof *cols);
    if (cols != NULL)
        for (size_t x = 0; x < rows; x++)
            for (unsigned c = 0; c < ZL_NCELL; c++)
                cols[(size_t)c * rows + x] = cells[x * ZL_NCELL + c];
    return cols;
}

/*
 * The lookup stage's prover reads the cells only from a row source: from
 * the cell columns (zl_cols_rows) and from the row-major cells handed one
 * chunk, one row or seven rows at a time, with the tables column by column
 * or entry by entry, by either route to the extra values (zl_lk_path 1
 * and 2), in memory and streamed (zl_gkr_budget 0 and 256 KiB), on 1, 2
 * and 3 threads, it gives the same extras, pushforwards, logup* proofs
 * and claims; phase A reads the cells three times (the extras' one pass,
 * one per pushforward), phase B once per logup* in memory and at least
 * once each streamed.  A source that fails on the extras' pass, on a
 * pushforward's or in phase B stops the stage with its status.
 */
static void lookup_cells_any_source(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    size_t n = f.z.w.n, rows = (size_t)1 << n;
    uint16_t idx[ZLV_N];
    size_t zl = zl_zc_used(idx);
    cairn_fp2 pt[3][CAIRN_POLY_MAX_VARS], zv[ZLV_N], mv[ZL_MEM_VALS], sv[ZL_SHIFT_VALS];
    const cairn_fp2 *pts[3] = {pt[0], pt[1], pt[2]};
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i < n; i++)
            pt[k][i] = test_rand_fp2();
    for (size_t i = 0; i < ZLV_N; i++)
        zv[i] = test_rand_fp2();
    for (size_t i = 0; i < ZL_MEM_VALS; i++)
        mv[i] = test_rand_fp2();
    for (size_t i = 0; i < ZL_SHIFT_VALS; i++)
        sv[i] = test_rand_fp2();
    zl_lk_claims cl = {idx, zv, zl, mv, sv};
    zl_tables tb[2];
    cairn_error err;
    cairn_fp *cols = cols_of(f.cells, n);
    const cairn_fp *cp[ZL_NCELL];
    struct lk_out ref, o;
    memset(&ref, 0, sizeof ref);
    memset(tb, 0, sizeof tb);
    if (!CHECK(cols != NULL) || zl_tables_init(&tb[0], &f.z.bc, &err) != CAIRN_OK ||
        zl_tables_init(&tb[1], &f.z.bc, &err) != CAIRN_OK ||
        zl_tables_rows(&tb[1], &err) != CAIRN_OK) {
        FAIL("setup");
        goto out;
    }
    for (unsigned c = 0; c < ZL_NCELL; c++)
        cp[c] = cols + (size_t)c * rows;
    cairn_rows crows;
    zl_cols_rows cimpl;
    zl_cols_rows_init(&crows, &cimpl, cp, n);
    (void)cairn_pool_set_threads(1, NULL);
    zl_gkr_budget = 0;
    if (lk_run(&ref, &tb[0], &crows, n, pts, &cl, 1, &err) != CAIRN_OK) {
        FAIL("from the columns: %s", err.msg);
        goto out;
    }
    CHECK_EQ_U64(ref.bind_rows, 3 * (uint64_t)rows);
    CHECK_EQ_U64(ref.prove_rows, 2 * (uint64_t)rows);
    static const size_t chunks[3] = {0, 1, 7};
    static const size_t budgets[2] = {0, (size_t)256 << 10};
    for (unsigned v = 0; v < 12; v++) { /* each thread count with each route, chunking, budget */
        unsigned th = 1 + v % 3, path = 1 + v % 2;
        size_t chunk = chunks[(v / 4) % 3], budget = budgets[(v / 2) % 2];
        const zl_tables *t = &tb[(v / 6) % 2];
        struct lk_src src;
        lk_src_init(&src, f.cells, n, chunk);
        (void)cairn_pool_set_threads(th, NULL);
        zl_lk_path = (int)path;
        zl_gkr_budget = budget;
        if (lk_run(&o, t, &src.l.rows, n, pts, &cl, th, &err) != CAIRN_OK) {
            FAIL("variant %u: %s", v, err.msg);
            continue;
        }
        if (CHECK(o.len == ref.len))
            CHECK_MEM_EQ(o.bytes, ref.bytes, ref.len);
        CHECK_MEM_EQ(&o.res, &ref.res, sizeof o.res);
        CHECK_EQ_U64(o.bind_rows, 3 * (uint64_t)rows);
        CHECK_EQ_U64(o.bind_rows, (uint64_t)src.l.streams * rows - o.prove_rows);
        if (budget == 0)
            CHECK_EQ_U64(o.prove_rows, 2 * (uint64_t)rows);
        else
            CHECK(o.prove_rows >= 2 * (uint64_t)rows);
        free(o.bytes);
    }
    /* a source that fails: on the extras' pass, U's pushforward, B's, the logup* provers */
    zl_lk_path = 0;
    zl_gkr_budget = (size_t)256 << 10;
    for (unsigned fs = 1; fs <= 5; fs++) {
        struct lk_src src;
        lk_src_init(&src, f.cells, n, 5);
        src.l.fail_stream = fs, src.l.fail_row = rows / 2 + 1;
        err.msg[0] = '\0';
        CHECK_EQ_U64(lk_run(&o, &tb[1], &src.l.rows, n, pts, &cl, 2, &err), CAIRN_ERR_IO);
        CHECK(strstr(err.msg, "test source: row") != NULL);
        CHECK_EQ_U64(src.l.streams, fs);
        free(o.bytes);
    }
out:
    zl_lk_path = 0;
    zl_gkr_budget = ZL_GKR_BUDGET;
    (void)cairn_pool_set_threads(2, NULL);
    free(ref.bytes);
    free(cols);
    zl_tables_clear(&tb[0]);
    zl_tables_clear(&tb[1]);
    zc_fix_close(&f);
}

/*
 * The claim reductions' two provers (each instance on its block, or on
 * full tables of 2^N, both reading the cells from their row source) give
 * the same lean proof, byte for byte, on 1, 2 and 3 threads; and so does
 * the block prover whose cells' instances start on window tables
 * (zl_open_table_max 0).
 */
static void reduce_blocks_same_proof(void)
{
    proof_same_either_way(&zl_open_path, 0, 1);
    zl_open_table_max = 0;
    proof_same_either_way(&zl_open_path, 0, 1);
    zl_open_table_max = ZL_OPEN_TABLE_MAX;
}

/*
 * The final memory by windows of rows found on the pool (zl_mem_finals)
 * against one pass in row order here: the last write to each register and
 * RAM word, for windows of 1, 3, 64 rows and the default, and 1, 2, 3 and
 * 8 threads.
 */
static void mem_finals_windows(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    zl_stmt s = zkt_lean_stmt(&f.z, f.cells);
    size_t n = f.z.w.n, K = (size_t)1 << s.ram->k;
    uint64_t rows = UINT64_C(1) << n;
    zl_tables tb;
    zl_vtab vt;
    cairn_error err;
    memset(&vt, 0, sizeof vt);
    memset(&tb, 0, sizeof tb);
    cairn_fp *fv = malloc(4 * K * sizeof *fv), *row = malloc(ZLV_N * sizeof *row);
    cairn_fp2 *v = calloc(ZLV_N, sizeof *v);
    if (!CHECK(fv != NULL && row != NULL && v != NULL) ||
        zl_tables_init(&tb, &f.z.bc, &err) != CAIRN_OK ||
        zl_vtab_build(&vt, f.cells, n, f.z.w.T, &tb, &err) != CAIRN_OK) {
        FAIL("setup");
        goto out;
    }
    /* the reference: one pass in row order */
    uint32_t want_val[32];
    uint64_t want_ts[32];
    cairn_fp *wfv = fv + 2 * K, *wfts = fv + 3 * K;
    const uint16_t *mv = zl_mem_values();
    size_t writes = 0;
    for (unsigned r = 0; r < 32; r++)
        want_val[r] = r == 0 ? 0 : s.init_regs[r], want_ts[r] = 0;
    for (size_t j = 0; j < K; j++)
        wfv[j] = cairn_fp_from_u64(s.ram->init[j]), wfts[j] = cairn_fp_zero();
    for (uint64_t x = 0; x < rows; x++) {
        cairn_fp2 p[ZL_NMEM], t[ZL_NMEM][5];
        zl_vtab_row(row, &vt, x);
        for (unsigned i = 0; i < ZL_MEM_VALS; i++)
            v[mv[i]] = cairn_fp2_from_fp(row[mv[i]]);
        v[ZLV_ID] = cairn_fp2_from_fp(cairn_fp_from_u64(x));
        zl_tuples(p, t, v, s.ram->base);
        for (unsigned k = 1; k <= 5; k += 2)
            if (!cairn_fp2_is_zero(p[k]) && t[k][1].c0.v < 32) {
                want_val[t[k][1].c0.v] = (uint32_t)t[k][2].c0.v;
                want_ts[t[k][1].c0.v] = t[k][3].c0.v;
                writes++;
            }
        for (unsigned k = 7; k <= 8; k++)
            if (!cairn_fp2_is_zero(p[k]) && t[k][1].c0.v < K) {
                wfv[t[k][1].c0.v] = t[k][3].c0;
                wfts[t[k][1].c0.v] = t[k][4].c0;
                writes++;
            }
    }
    CHECK(writes > 0);
    static const size_t wins[] = {1, 3, 64, ZL_MEM_FINALS_WINDOW};
    static const unsigned ths[] = {1, 2, 3, 8};
    for (unsigned i = 0; i < 16; i++) {
        uint32_t val[32];
        uint64_t ts[32];
        (void)cairn_pool_set_threads(ths[i % 4], NULL);
        zl_mem_finals_window = wins[i / 4];
        memset(fv, 0xff, 2 * K * sizeof *fv);
        zl_mem_finals(val, ts, fv, fv + K, &vt, n, s.init_regs, s.ram);
        CHECK_MEM_EQ(val, want_val, sizeof val);
        CHECK_MEM_EQ(ts, want_ts, sizeof ts);
        CHECK_MEM_EQ(fv, wfv, 2 * K * sizeof *fv);
    }
    zl_mem_finals_window = ZL_MEM_FINALS_WINDOW;
    (void)cairn_pool_set_threads(2, NULL);
out:
    zl_vtab_clear(&vt);
    zl_tables_clear(&tb);
    free(fv);
    free(row);
    free(v);
    zc_fix_close(&f);
}

/*
 * The lookups' and the memory checking's GKRs proven from rows in passes
 * (cairn_gkr_prove_stream, budgets that force streamed layers) give the
 * proof of the in-memory prover (zl_gkr_budget = 0), byte for byte, for
 * 1, 2, 3 and 8 threads (the whole proof: every stage's passes).
 */
static void gkr_streamed_same_proof(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    zl_stmt s = zkt_lean_stmt(&f.z, f.cells);
    static const size_t budgets[] = {0, (size_t)256 << 10, (size_t)2 << 20};
    uint8_t *ref = NULL;
    size_t ref_len = 0;
    static const unsigned ths[] = {1, 2, 3, 8};
    for (unsigned ti = 0; ti < 4; ti++)
        for (size_t i = 0; i < sizeof budgets / sizeof budgets[0]; i++) {
            unsigned th = ths[ti];
            if (th > 1 && i == 0)
                continue;
            zl_proof p;
            cairn_transcript t;
            cairn_error err;
            uint8_t *b = NULL;
            size_t len = 0;
            (void)cairn_pool_set_threads(th, NULL);
            zl_gkr_budget = budgets[i];
            zl_proof_init(&p);
            cairn_transcript_init(&t, "lean-proof");
            if (zl_prove(&p, &t, &s, f.cells, th, &err) != CAIRN_OK ||
                zl_proof_encode(&b, &len, &p, &err) != CAIRN_OK) {
                FAIL("budget %zu, %u threads: %s", budgets[i], th, err.msg);
            } else if (ref == NULL) {
                ref = b, ref_len = len, b = NULL;
            } else if (CHECK(len == ref_len)) {
                CHECK_MEM_EQ(b, ref, len);
            }
            free(b);
            zl_proof_clear(&p);
        }
    zl_gkr_budget = ZL_GKR_BUDGET;
    (void)cairn_pool_set_threads(2, NULL);
    free(ref);
    zc_fix_close(&f);
}


/*
 * A row source over another (in) that counts its streams and rows, notes
 * the stage each stream runs in (stage, kept up to date by the caller),
 * and fails stream number fail_stream (1, 2, ...; 0: none) at row
 * fail_row, or at its last row when the stream ends before.
 */
struct fail_rows {
    cairn_rows src;
    const cairn_rows *in;
    uint64_t streams, rows, fail_stream, fail_row;
    const char *stage, *stages[32];
    uint64_t end;
    cairn_rows_consumer consume;
    void *ctx;
};

static cairn_status fail_rows_consume(void *ctx, uint64_t first, const cairn_fp *rows,
                                      size_t count, cairn_error *err)
{
    struct fail_rows *fr = ctx;
    if (fr->streams == fr->fail_stream &&
        (first + count > fr->fail_row || first + count == fr->end))
        return cairn_error_set(err, CAIRN_ERR_IO, "test rows: stream %llu lost a row",
                               (unsigned long long)fr->streams);
    fr->rows += count;
    return fr->consume(fr->ctx, first, rows, count, err);
}

static cairn_status fail_rows_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                                     cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    struct fail_rows *fr = src->impl;
    if (fr->streams < 32)
        fr->stages[fr->streams] = fr->stage;
    fr->streams++;
    fr->end = b, fr->consume = consume, fr->ctx = ctx;
    return cairn_rows_stream(fr->in, a, b, fail_rows_consume, fr, err);
}

/* fr as a source of in's rows (fr's counts and failure settings kept). */
static const cairn_rows *fail_rows_over(struct fail_rows *fr, const cairn_rows *in)
{
    fr->in = in;
    fr->src = (cairn_rows){in->rows_len, in->width, fail_rows_stream, fr};
    return &fr->src;
}

/*
 * The stages' row reads taken from a cell source and the sweeps of the
 * commitment and the openings from a row source of the cells, chunked in
 * 1, 7 or all rows (zl_prove_src: what small-space mode will hand them,
 * rows regenerated) give the proof of the cell columns, byte for byte,
 * for 1, 2 and 3 threads, and each stage reads about as many rows either
 * way (a source is asked once for a row that serves a read and the next
 * row's values); the prover reports at least one pass for the tables,
 * the commitment and the zero-check, three for the openings, three for
 * the lookups' phase A and two or more for their phase B.  A source that
 * fails at one row fails the proof with its own message.
 */
static void rows_from_source_same_proof(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    zl_stmt s = zkt_lean_stmt(&f.z, f.cells);
    size_t n = s.n, rows = (size_t)1 << n;
    cairn_fp *cols = cols_of(f.cells, n);
    uint8_t *ref = NULL;
    size_t ref_len = 0;
    uint64_t ref_rows[ZL_NSTAGE];
    zl_proof p;
    cairn_transcript t;
    cairn_error err;
    zl_proof_init(&p);
    if (!CHECK(cols != NULL))
        goto out;
    cairn_transcript_init(&t, "lean-proof");
    if (zl_prove_cols(&p, &t, &s, cols, 2, &err) != CAIRN_OK ||
        zl_proof_encode(&ref, &ref_len, &p, &err) != CAIRN_OK) {
        FAIL("from the columns: %s", err.msg);
        goto out;
    }
    memcpy(ref_rows, p.stage_rows, sizeof ref_rows);
    CHECK(ref_rows[ZL_ST_TABLES] >= rows);
    CHECK(ref_rows[ZL_ST_COMMIT1] >= rows && ref_rows[ZL_ST_COMMIT1] % rows == 0);
    CHECK(ref_rows[ZL_ST_ZEROCHECK] >= 2 * (uint64_t)rows);
    CHECK(ref_rows[ZL_ST_OPEN] >= 3 * (uint64_t)rows);
    CHECK(ref_rows[ZL_ST_LOOKUP_BIND] == 3 * (uint64_t)rows); /* extras, two pushforwards */
    CHECK(ref_rows[ZL_ST_LOOKUP] >= 2 * (uint64_t)rows);      /* each logup* GKR's passes */
    struct col_src cs = {cols, n, UINT64_MAX};
    zl_cells_src src = {&cs, col_src_open, col_src_row, col_src_close};
    static const unsigned ths[] = {1, 2, 3};
    static const size_t chunks[] = {1, 7, 0};
    for (unsigned ti = 0; ti < 3; ti++) {
        uint8_t *b = NULL;
        size_t len = 0;
        cairn_rows cells;
        cairn_rows_table cimpl;
        cairn_rows_table_init(&cells, &cimpl, f.cells, rows, ZL_NCELL, chunks[ti]);
        (void)cairn_pool_set_threads(ths[ti], NULL);
        zl_proof_clear(&p);
        zl_proof_init(&p);
        cairn_transcript_init(&t, "lean-proof");
        if (zl_prove_src(&p, &t, &s, cols, &src, &cells, ths[ti], NULL, &err) != CAIRN_OK ||
            zl_proof_encode(&b, &len, &p, &err) != CAIRN_OK) {
            FAIL("from the source, %u threads: %s", ths[ti], err.msg);
        } else if (CHECK(len == ref_len)) {
            CHECK_MEM_EQ(b, ref, len);
            for (unsigned i = 0; i < ZL_NSTAGE; i++) {
                uint64_t a = p.stage_rows[i], w = ref_rows[i], d = a > w ? a - w : w - a;
                if (d > w / 64 + 4096)
                    FAIL("stage %s: %llu rows from the source, %llu from the columns",
                         zl_stage_names[i], (unsigned long long)a, (unsigned long long)w);
            }
        }
        free(b);
    }
    /* a source that loses a row: the proof fails with its message */
    cs.fail_at = rows / 2 + 1;
    zl_proof_clear(&p);
    zl_proof_init(&p);
    cairn_transcript_init(&t, "lean-proof");
    err.msg[0] = '\0';
    CHECK_EQ_U64(zl_prove_src(&p, &t, &s, cols, &src, NULL, 2, NULL, &err), CAIRN_ERR_IO);
    CHECK(strstr(err.msg, "test source: row") != NULL);
out:
    (void)cairn_pool_set_threads(2, NULL);
    zl_proof_clear(&p);
    free(ref);
    free(cols);
    zc_fix_close(&f);
}

/* A zl_report callback: the stage that starts, into a fail_rows' stage. */
static void note_stage(void *ctx, const char *stage, double done)
{
    struct fail_rows *fr = ctx;
    if (done == 0)
        fr->stage = stage;
}

/*
 * The phase-1 commitment, the lookups and the openings read the cells
 * only through the row source they are given (zl_prove_src's cells): its
 * streams are the commitment's first, then the lookups' (both phases),
 * then the openings' (at least three: the reduction's block tables, the
 * evaluation, the opening's two passes), the rows they hand over are the
 * rows those stages count, and the proof is the cells' byte for byte.  A source that fails in any one of its
 * streams stops the proof in that stage, with the source's status and
 * message, and is not streamed again.
 */
static void cells_rows_failure_stops_proof(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    zl_stmt s = zkt_lean_stmt(&f.z, f.cells);
    size_t n = s.n, rows = (size_t)1 << n;
    cairn_fp *cols = cols_of(f.cells, n);
    uint8_t *ref = NULL, *b = NULL;
    size_t ref_len = 0, len = 0;
    zl_proof p;
    cairn_transcript t;
    cairn_error err;
    cairn_rows tab;
    cairn_rows_table timpl;
    struct fail_rows fr;
    memset(&fr, 0, sizeof fr);
    zl_report rep = {note_stage, &fr, {0}, {0}};
    zl_proof_init(&p);
    if (!CHECK(cols != NULL))
        goto out;
    cairn_transcript_init(&t, "lean-proof");
    if (zl_prove(&p, &t, &s, f.cells, 2, &err) != CAIRN_OK ||
        zl_proof_encode(&ref, &ref_len, &p, &err) != CAIRN_OK) {
        FAIL("from the cells: %s", err.msg);
        goto out;
    }
    cairn_rows_table_init(&tab, &timpl, f.cells, rows, ZL_NCELL, 1 + test_rand_below(64));
    const cairn_rows *cells = fail_rows_over(&fr, &tab);
    zl_proof_clear(&p);
    zl_proof_init(&p);
    cairn_transcript_init(&t, "lean-proof");
    if (zl_prove_src(&p, &t, &s, cols, NULL, cells, 2, &rep, &err) != CAIRN_OK ||
        zl_proof_encode(&b, &len, &p, &err) != CAIRN_OK) {
        FAIL("from the row source: %s", err.msg);
        goto out;
    }
    if (CHECK(len == ref_len))
        CHECK_MEM_EQ(b, ref, len);
    uint64_t streams = fr.streams;
    CHECK(streams >= 4 && streams <= 32);
    CHECK_EQ_U64(fr.rows, p.stage_rows[ZL_ST_COMMIT1] + p.stage_rows[ZL_ST_LOOKUP_BIND] +
                              p.stage_rows[ZL_ST_LOOKUP] + p.stage_rows[ZL_ST_OPEN]);
    /* the streams in stage order: the commitment's, the lookups' (both phases), the openings' */
    static const unsigned order[] = {ZL_ST_COMMIT1, ZL_ST_LOOKUP_BIND, ZL_ST_LOOKUP, ZL_ST_OPEN};
    unsigned at = 0;
    for (uint64_t i = 0; i < streams && i < 32; i++) {
        while (at < 4 && (fr.stages[i] == NULL || strcmp(fr.stages[i], zl_stage_names[order[at]])))
            at++;
        if (!CHECK(at < 4 && (i > 0 || at == 0)))
            break;
    }
    CHECK(at == 3); /* the last stream is the openings' */
    const char *want[32];
    memcpy(want, fr.stages, sizeof want);
    for (uint64_t i = 1; i <= streams && i <= 32; i++) {
        fr.streams = fr.rows = 0;
        fr.stage = NULL;
        fr.fail_stream = i;
        fr.fail_row = test_rand_below(rows);
        zl_proof_clear(&p);
        zl_proof_init(&p);
        cairn_transcript_init(&t, "lean-proof");
        err.msg[0] = '\0';
        CHECK_EQ_U64(zl_prove_src(&p, &t, &s, cols, NULL, cells, 2, &rep, &err), CAIRN_ERR_IO);
        CHECK(strstr(err.msg, "test rows: stream") != NULL);
        CHECK_EQ_U64(fr.streams, i);
        CHECK(fr.stage != NULL && strcmp(fr.stage, want[i - 1]) == 0);
    }
out:
    zl_proof_clear(&p);
    free(ref);
    free(b);
    free(cols);
    zc_fix_close(&f);
}

/* Checks every row a stream hands over against the columns. */
struct cols_check {
    const cairn_fp *cols;
    size_t n;
    uint64_t next, bad;
};

static cairn_status cols_check_consume(void *ctx, uint64_t first, const cairn_fp *rows,
                                       size_t count, cairn_error *err)
{
    struct cols_check *c = ctx;
    (void)err;
    if (first != c->next)
        c->bad++;
    for (size_t r = 0; r < count; r++)
        for (unsigned i = 0; i < ZL_NCELL; i++)
            if (!cairn_fp_eq(rows[r * ZL_NCELL + i], c->cols[((size_t)i << c->n) + first + r]))
                c->bad++;
    c->next = first + count;
    return CAIRN_OK;
}

/* The cell columns as a row source (zl_cols_rows_init): every range hands over the columns' rows, in order. */
static void cells_rows_match_columns(void)
{
    size_t n = 11, rows = (size_t)1 << n;
    cairn_fp *cols = malloc(ZL_NCELL * rows * sizeof *cols);
    const cairn_fp *cp[ZL_NCELL];
    if (!CHECK(cols != NULL))
        return;
    for (size_t e = 0; e < ZL_NCELL * rows; e++)
        cols[e] = cairn_fp_from_u64(test_rand_u64());
    for (unsigned i = 0; i < ZL_NCELL; i++)
        cp[i] = cols + ((size_t)i << n);
    cairn_rows src;
    zl_cols_rows impl;
    zl_cols_rows_init(&src, &impl, cp, n);
    CHECK_EQ_U64(src.rows_len, rows);
    CHECK_EQ_U64(src.width, ZL_NCELL);
    for (unsigned k = 0; k < 20; k++) {
        uint64_t a = test_rand_u64() % (rows + 1), b = test_rand_u64() % (rows + 1);
        if (k == 0)
            a = 0, b = rows;
        if (a > b) {
            uint64_t s2 = a;
            a = b, b = s2;
        }
        struct cols_check c = {cols, n, a, 0};
        cairn_error err;
        CHECK_OK(cairn_rows_stream(&src, a, b, cols_check_consume, &c, &err));
        CHECK_EQ_U64(c.bad, 0);
        CHECK_EQ_U64(c.next, b);
    }
    free(cols);
}

static void lean_proof_complete(void)
{
    unsigned runs = test_iters >= 1000 ? 2 : 1;
    for (unsigned i = 0; i < runs; i++) {
        struct zc_fix f;
        if (!zc_fix_open(&f, test_rand_u64()))
            continue;
        cairn_status st = lean_round_trip(&f.z, f.cells, NULL, NULL);
        if (st != CAIRN_OK)
            FAIL("honest lean proof: %s", cairn_status_str(st));
        else
            test_pass();
        zl_stmt s = zkt_lean_stmt(&f.z, f.cells);
        s.ctx.exit_code ^= 1;
        CHECK_EQ_U64(lean_round_trip(&f.z, f.cells, &s, NULL), CAIRN_ERR_REJECTED);
        s = zkt_lean_stmt(&f.z, f.cells);
        s.ctx.entry += 4;
        CHECK_EQ_U64(lean_round_trip(&f.z, f.cells, &s, NULL), CAIRN_ERR_REJECTED);
        s = zkt_lean_stmt(&f.z, f.cells);
        s.T -= 1;
        CHECK_EQ_U64(lean_round_trip(&f.z, f.cells, &s, NULL), CAIRN_ERR_REJECTED);
        /* the instruction count, one more or one less than the run's */
        s = zkt_lean_stmt(&f.z, f.cells);
        s.instructions += 1;
        CHECK_EQ_U64(lean_round_trip(&f.z, f.cells, &s, NULL), CAIRN_ERR_REJECTED);
        s.instructions -= 2;
        CHECK_EQ_U64(lean_round_trip(&f.z, f.cells, &s, NULL), CAIRN_ERR_REJECTED);
        /*
         * The program's starting state changed after the proof was made (a
         * word of the RAM image the run never touches, an initial
         * register): rejected at the first stage, since the transcript
         * binds them before any challenge.  Without that binding the image
         * met the proof only at the RAM's point (the verifier evaluates it
         * there from the ELF), where a prover choosing the image afterwards
         * could match another image's evaluation; this changed image, which
         * the verifier's ELF does not reflect, was even accepted.
         */
        zk_ram ram2 = f.z.ram;
        size_t K = (size_t)1 << f.z.ram.k;
        uint32_t *img = malloc(K * sizeof *img), regs[32];
        if (CHECK(img != NULL)) {
            memcpy(img, f.z.ram.init, K * sizeof *img);
            img[K - 1] ^= 1; /* a word the run never touches */
            ram2.init = img;
            s = zkt_lean_stmt(&f.z, f.cells);
            s.ram = &ram2;
            cairn_error verr;
            CHECK_EQ_U64(zkt_lean_prove_verify(&f.z, f.cells, NULL, &s, NULL, &verr),
                         CAIRN_ERR_REJECTED);
            CHECK(strstr(verr.msg, "zero-check") != NULL);
        }
        free(img);
        memcpy(regs, f.z.init, sizeof regs);
        regs[31] ^= 4;
        s = zkt_lean_stmt(&f.z, f.cells);
        s.init_regs = regs;
        CHECK_EQ_U64(lean_round_trip(&f.z, f.cells, &s, NULL), CAIRN_ERR_REJECTED);
        if (f.z.w.output_len > 0) {
            uint8_t *out = malloc(f.z.w.output_len);
            if (CHECK(out != NULL)) {
                memcpy(out, f.z.w.output, f.z.w.output_len);
                out[f.z.w.output_len - 1] ^= 0x20;
                s = zkt_lean_stmt(&f.z, f.cells);
                s.output = out;
                CHECK_EQ_U64(lean_round_trip(&f.z, f.cells, &s, NULL), CAIRN_ERR_REJECTED);
            }
            free(out);
        }
        zc_fix_close(&f);
    }
    /* a C guest: hello (11 cycles, a write of 25 bytes) */
    char path[512];
    size_t len;
    snprintf(path, sizeof path, "%s/rv32i/hello.elf", vmt_guest_dir());
    uint8_t *elf = vmt_read_file(path, &len);
    struct zkt z;
    if (CHECK(elf != NULL) && zkt_build(&z, elf, len, NULL, 0, 1)) {
        cairn_fp *cells = malloc(((size_t)1 << z.w.n) * ZL_NCELL * sizeof *cells);
        cairn_error err;
        if (CHECK(cells != NULL) && ok_st(zl_fill(cells, &z.w, &z.bc, &err), &err, "fill")) {
            cairn_status st = lean_round_trip(&z, cells, NULL, NULL);
            if (st != CAIRN_OK)
                FAIL("hello: %s", cairn_status_str(st));
            else
                test_pass();
        }
        free(cells);
    }
    zkt_clear(&z);
    free(elf);
}

/*
 * A cheating prover that changes one cell of one row, where the reference
 * checker rejects the witness, and proves the rest honestly: the whole
 * proof is rejected, whichever argument (constraints, memory checking,
 * lookups) stands in the way.
 */
static void lean_proof_rejects_changed_cells(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    zl_ctx ctx = {f.z.prog.entry, f.z.w.exit_code};
    unsigned tried = 0, want = test_iters >= 1000 ? 12 : 4;
    for (unsigned t = 0; t < 400 && tried < want; t++) {
        unsigned c = (unsigned)test_rand_below(ZL_NCELL);
        uint64_t x = test_rand_below(f.z.w.T);
        cairn_fp *cell = &f.cells[x * ZL_NCELL + c], keep = *cell;
        *cell = c == ZL_PCI || c == ZL_VD || c == ZL_DELTA || c == ZL_OI
                    ? cairn_fp_add(keep, cairn_fp_one())
                    : cairn_fp_make(keep.v ^ 1);
        cairn_error err;
        if (zl_check(f.cells, f.z.w.n, f.z.w.T, &f.z.bc, &ctx, f.z.init, &f.z.ram, f.z.w.output,
                     f.z.w.output_len, &err) == CAIRN_ERR_REJECTED) {
            tried++;
            cairn_status st = lean_round_trip(&f.z, f.cells, NULL, NULL);
            if (st != CAIRN_ERR_REJECTED)
                FAIL("SOUNDNESS: cell %s of row %llu (%s): the lean proof says %s",
                     zl_cell_names[c], (unsigned long long)x, err.msg, cairn_status_str(st));
            else
                test_pass();
        }
        *cell = keep;
    }
    CHECK(tried >= want);
    zc_fix_close(&f);
}


/* ---- the cheating-prover harness over the lean row ---- */

/*
 * The items the reference checker tells apart (zl_check_masks): the
 * constraints, then the lookups (U for each looked-up cell, then B), then
 * the memory-checking multisets.
 */
enum { LI_CON = 0, LI_LK = LI_CON + ZL_NCON, LI_MS = LI_LK + ZL_NLK, LI_N = LI_MS + ZL_NMS };

static const char *item_name(unsigned i, char *buf, size_t cap)
{
    if (i < LI_LK)
        snprintf(buf, cap, "constraint %s", zl_con_names[i]);
    else if (i < LI_MS && i - LI_LK < ZL_NUCELL)
        snprintf(buf, cap, "U lookup of %s", zl_cell_names[zl_u_cells[i - LI_LK]]);
    else if (i < LI_MS)
        snprintf(buf, cap, "bytecode lookup");
    else
        snprintf(buf, cap, "%s memory checking", zl_ms_names[i - LI_MS]);
    return buf;
}

static int item_set(const zl_masks *m, unsigned i)
{
    if (i < LI_LK)
        return (int)(m->con >> i & 1);
    if (i < LI_MS)
        return (int)(m->lk >> (i - LI_LK) & 1);
    return (int)(m->mem >> (i - LI_MS) & 1);
}

/*
 * The changes made to one cell: +1, -1, +2^16, +2^32, and flips of bit 0,
 * of bit 8 (the high byte of a byte pair) and of bit 15 (the top bit of a
 * 16-bit limb).
 */
#define LC_N 7u
static cairn_fp lean_change(cairn_fp v, unsigned how)
{
    switch (how) {
    case 0: return cairn_fp_add(v, cairn_fp_one());
    case 1: return cairn_fp_sub(v, cairn_fp_one());
    case 2: return cairn_fp_add(v, cairn_fp_make(UINT64_C(1) << 16));
    case 3: return cairn_fp_add(v, cairn_fp_make(UINT64_C(1) << 32));
    case 4: return cairn_fp_make(v.v ^ 1);
    case 5: return cairn_fp_make(v.v ^ 0x100);
    default: return cairn_fp_make(v.v ^ 0x8000);
    }
}

/* One corruption: cell `cell` of row `row` changed by lean_change(., how). */
struct lean_corr {
    unsigned cell, how;
    uint64_t row;
};

/*
 * A row's constraints, lookups and memory tuples, as the checker sees
 * them: con and the lookup bits into *m (or'ed), the tuples into p, f.
 */
static void lean_row_items(zl_masks *m, cairn_fp2 p[ZL_NMEM], cairn_fp2 f[ZL_NMEM][5],
                           cairn_fp2 *v, const cairn_fp *cells, const struct zkt *z,
                           const zl_ctx *ctx, uint64_t x)
{
    const cairn_fp *c = cells + x * ZL_NCELL;
    cairn_fp2 con[ZL_NCON];
    if (c[ZL_PCI].v > z->bc.count)
        m->lk |= UINT32_C(1) << ZL_LK_B;
    for (unsigned u = 0; u < ZL_NUCELL; u++)
        if (c[zl_u_cells[u]].v >= (UINT64_C(1) << 16))
            m->lk |= UINT32_C(1) << u;
    zl_row_values(v, cells, UINT64_C(1) << z->w.n, z->w.T, &z->bc, x);
    zl_constraints(con, v, ctx);
    for (unsigned i = 0; i < ZL_NCON; i++)
        if (!cairn_fp2_is_zero(con[i]))
            m->con |= UINT64_C(1) << i;
    zl_tuples(p, f, v, z->ram.base);
}

/* The multiset (ZL_MS_*) of a memory tuple, by its tag (zl_tuples: 1 registers, 2 RAM). */
static unsigned ms_of(cairn_fp2 tag)
{
    return tag.c0.v == 1 ? ZL_MS_REGS : tag.c0.v == 2 ? ZL_MS_RAM : ZL_MS_OUT;
}

/*
 * The rows a search corrupts: the first, the last two real ones, the last
 * padding row, random ones, and the first row of each kind — each lean
 * bytecode flag (every load and store width, each system-call row kind,
 * each result family, branches and jumps), ECALLs of each system call
 * (write to fd 1, to fd 2, read, exit), the read that ends the input and
 * the first row after it.  Duplicates removed; returns the count.
 */
static size_t lean_picks(uint64_t *out, size_t cap, const cairn_fp *cells, const struct zkt *z)
{
    uint64_t rows = UINT64_C(1) << z->w.n, T = z->w.T;
    size_t k = 0;
    uint64_t cand[8 + ZLB_N + 6];
    size_t nc = 0;
    cand[nc++] = 0, cand[nc++] = T - 1, cand[nc++] = T > 2 ? T - 2 : 0, cand[nc++] = rows - 1;
    for (unsigned i = 0; i < 4; i++)
        cand[nc++] = test_rand_below(T);
    for (unsigned b = 0; b < ZLB_N; b++) {
        uint64_t at = UINT64_MAX;
        for (uint64_t x = 0; x < T && at == UINT64_MAX; x++) {
            cairn_fp e[ZLB_N];
            row_bc(e, cells, &z->bc, x);
            if (e[b].v != 0 && b != ZK_PC && b != ZK_IMM && b != ZK_OFF && b != ZLB_FALL)
                at = x;
        }
        if (at != UINT64_MAX)
            cand[nc++] = at;
    }
    static const unsigned sys[4] = {ZU_WO, ZU_WE, ZU_RDK, ZU_EX};
    for (unsigned i = 0; i < 4; i++)
        for (uint64_t x = 0; x < T; x++) {
            cairn_fp e[ZLB_N];
            row_bc(e, cells, &z->bc, x);
            uint64_t j0 = cells[x * ZL_NCELL + ZL_J0].v;
            if (e[ZK_F_ECALL].v != 0 && j0 < (1u << 16) && zl_u_value(sys[i], (uint32_t)j0)) {
                cand[nc++] = x;
                break;
            }
        }
    for (uint64_t x = 0; x + 1 < T; x++)
        if (cells[x * ZL_NCELL + ZL_EOF].v == 0 && cells[(x + 1) * ZL_NCELL + ZL_EOF].v == 1) {
            cand[nc++] = x;
            cand[nc++] = x + 1;
            break;
        }
    for (size_t i = 0; i < nc; i++) {
        int dup = 0;
        for (size_t j = 0; j < k && !dup; j++)
            dup = out[j] == cand[i];
        if (!dup && k < cap)
            out[k++] = cand[i];
    }
    return k;
}

/*
 * Corrupt one cell of one row at a time (every one of the ZL_NCELL cells,
 * on the rows of lean_picks, with each of lean_change's changes) and learn
 * from the checker's view of rows x - 1 and x (a cell is read by its own
 * row and, as a next-row value, by the one before) which constraints and
 * lookups break, and, while some multiset is not yet reached and the
 * change moves a memory tuple, which multisets (zl_check_masks over the
 * whole witness).  A multiset keeps the first corruption that breaks
 * it; the constraints and lookups keep a greedy cover (the corruption
 * that breaks the most items not yet reached, then the next), so that
 * few proofs cover every item.  A change that puts a cell outside its table is kept only for that
 * lookup (the constraints then read zero table outputs, which no proof
 * can claim); the whole-witness check runs only for a change that moves
 * a tuple of a multiset no corruption has reached yet; a pc_idx moved into B's padding entries past count is not
 * tried (the protocol's table B holds the padding entry there, so on a
 * padding row it is the same row; the checker's range is stricter).
 */
static void lean_search(struct lean_corr kept[LI_N], int have[LI_N], struct zkt *z,
                        cairn_fp *cells)
{
    uint64_t picks[128];
    size_t np = lean_picks(picks, 128, cells, z);
    zl_ctx ctx = {z->prog.entry, z->w.exit_code};
    cairn_fp2 *v = malloc(ZLV_N * sizeof *v);
    uint64_t KB = UINT64_C(1) << zl_bc_vars(&z->bc);
    struct {
        struct lean_corr corr;
        zl_masks m;
    } *cand = malloc(ZL_NCELL * np * LC_N * sizeof *cand);
    size_t ncand = 0;
    if (!CHECK(v != NULL && cand != NULL)) {
        free(v);
        free(cand);
        return;
    }
    for (unsigned c = 0; c < ZL_NCELL; c++)
        for (size_t i = 0; i < np; i++)
            for (unsigned how = 0; how < LC_N; how++) {
                uint64_t x = picks[i], lo = x > 0 ? x - 1 : 0;
                cairn_fp *cell = &cells[x * ZL_NCELL + c], keep = *cell;
                cairn_fp2 hp[2][ZL_NMEM], hf[2][ZL_NMEM][5], np_[ZL_NMEM], nf[ZL_NMEM][5];
                zl_masks hm, m;
                memset(&hm, 0, sizeof hm);
                memset(&m, 0, sizeof m);
                *cell = lean_change(keep, how);
                if (c == ZL_PCI && cell->v > z->bc.count && cell->v < KB) {
                    *cell = keep;
                    continue;
                }
                *cell = keep;
                for (uint64_t y = lo; y <= x; y++)
                    lean_row_items(&hm, hp[y - lo], hf[y - lo], v, cells, z, &ctx, y);
                *cell = lean_change(keep, how);
                /* the multisets whose tuples the change moves (by their tags) */
                unsigned moved = 0;
                for (uint64_t y = lo; y <= x; y++) {
                    lean_row_items(&m, np_, nf, v, cells, z, &ctx, y);
                    for (unsigned t = 0; t < ZL_NMEM; t++)
                        if (!cairn_fp2_eq(np_[t], hp[y - lo][t]) ||
                            memcmp(nf[t], hf[y - lo][t], sizeof nf[t]) != 0)
                            moved |= 1u << ms_of(nf[t][0]) | 1u << ms_of(hf[y - lo][t][0]);
                }
                /* an honest row breaks nothing; what the change adds is what it breaks */
                m.con &= ~hm.con;
                m.lk &= ~hm.lk;
                int need_ms = 0;
                for (unsigned j = LI_MS; j < LI_N; j++)
                    need_ms |= !have[j] && (moved >> (j - LI_MS) & 1);
                if (need_ms && m.lk == 0) {
                    zl_masks full;
                    cairn_error err;
                    zl_check_masks(&full, cells, z->w.n, z->w.T, &z->bc, &ctx, z->init, &z->ram,
                                   z->w.output, z->w.output_len, &err);
                    m.mem = full.mem;
                }
                *cell = keep;
                if (m.lk != 0)
                    m.con = m.mem = 0;
                if (m.con != 0 || m.lk != 0 || m.mem != 0) {
                    cand[ncand].corr = (struct lean_corr){c, how, x};
                    cand[ncand++].m = m;
                }
                /* a multiset is kept at once (the checks above only run while one is missing) */
                for (unsigned j = LI_MS; j < LI_N; j++)
                    if (!have[j] && item_set(&m, j)) {
                        have[j] = 1;
                        kept[j] = (struct lean_corr){c, how, x};
                    }
            }
    /* greedy cover: the corruption breaking the most items not yet reached, until none is left */
    for (;;) {
        size_t best = ncand;
        unsigned best_n = 0;
        for (size_t i = 0; i < ncand; i++) {
            unsigned cnt = 0;
            for (unsigned j = 0; j < LI_MS; j++)
                cnt += !have[j] && item_set(&cand[i].m, j);
            if (cnt > best_n)
                best = i, best_n = cnt;
        }
        if (best == ncand)
            break;
        for (unsigned j = 0; j < LI_MS; j++)
            if (!have[j] && item_set(&cand[best].m, j)) {
                have[j] = 1;
                kept[j] = cand[best].corr;
            }
    }
    free(cand);
    free(v);
}

/*
 * Items no single changed cell can break, with the reason; the coverage
 * check exempts them (none today).
 */
static int lean_unreachable(unsigned item)
{
    (void)item;
    return 0;
}

/*
 * Prove the corruptions kept for the items fresh[] marks on z's cells
 * (each distinct one once; under the sanitizers every eighth): each is
 * first checked against the whole-witness checker (zl_check_masks names
 * its item), then proven by the full lean prover and verified.  *runs
 * counts the distinct ones across programs.
 */
static void lean_prove_kept(const struct lean_corr kept[LI_N], const int fresh[LI_N],
                            const struct zkt *z, cairn_fp *cells, unsigned *runs)
{
    zl_ctx ctx = {z->prog.entry, z->w.exit_code};
    unsigned every = test_iters >= 1000 ? 1 : 8;
    size_t nproved = 0;
    struct lean_corr proved[LI_N];
    char name[96];
    for (unsigned j = 0; j < LI_N; j++) {
        if (!fresh[j])
            continue;
        struct lean_corr k = kept[j];
        cairn_fp *cell = &cells[k.row * ZL_NCELL + k.cell], keep = *cell;
        *cell = lean_change(keep, k.how);
        zl_masks m;
        cairn_error err;
        zl_check_masks(&m, cells, z->w.n, z->w.T, &z->bc, &ctx, z->init, &z->ram, z->w.output,
                       z->w.output_len, &err);
        if (!item_set(&m, j))
            FAIL("%s: cell %s of row %llu changed (%u): the whole-witness checker does not see it",
                 item_name(j, name, sizeof name), zl_cell_names[k.cell],
                 (unsigned long long)k.row, k.how);
        int seen = 0;
        for (size_t i = 0; i < nproved && !seen; i++)
            seen = proved[i].cell == k.cell && proved[i].row == k.row && proved[i].how == k.how;
        /* the prover refuses every index outside a table alike: one U lookup and B are proven */
        int lookup = j >= LI_LK && j < LI_MS;
        if (lookup && j != LI_LK && j != LI_LK + ZL_LK_B)
            seen = 1;
        if (!seen && ((*runs)++ % every) == 0) {
            proved[nproved++] = k;
            cairn_status st = zkt_lean_prove_verify(z, cells, NULL, NULL, NULL, &err);
            if (st == CAIRN_OK)
                FAIL("SOUNDNESS: cell %s of row %llu changed (%u), breaking the %s: the lean "
                     "proof was ACCEPTED",
                     zl_cell_names[k.cell], (unsigned long long)k.row, k.how,
                     item_name(j, name, sizeof name));
            else if (st == CAIRN_ERR_REJECTED ||
                     (lookup && st == CAIRN_ERR_INTERNAL && strstr(err.msg, "outside the table")))
                test_pass();
            else
                FAIL("cell %s of row %llu changed (%u), breaking the %s: %s (%s)",
                     zl_cell_names[k.cell], (unsigned long long)k.row, k.how,
                     item_name(j, name, sizeof name), cairn_status_str(st), err.msg);
        }
        *cell = keep;
    }
}

/*
 * The cheating-prover harness on the lean proof: on small random
 * programs with memory, I/O and multiplications (40 items, 2^9 rows; the
 * cells are the lean prover's own, streamed from the VM's trace, since the
 * first prover's witness cannot express a multiplication), lean_search keeps
 * one single-cell corruption per checker item not reached yet, and each
 * distinct kept corruption is proven by the full lean prover (which
 * continues honestly from the changed cells) and must be rejected by the
 * lean verifier.  A program may lack an instruction class, so up to
 * twelve programs (from the fifth on, 120 items) are searched until every
 * constraint, every lookup and every memory-checking multiset is reached
 * (the coverage is checked).  A
 * corruption kept for a lookup puts a cell outside its table, which the
 * prover's pushforward refuses (the verifier's side of that is the gkr
 * suite's forging provers); every other one must be proven and rejected.
 */
static void lean_cheating_prover_rejected(void)
{
    struct lean_corr kept[LI_N];
    int have[LI_N], before[LI_N], fresh[LI_N];
    unsigned runs = 0;
    char name[96];
    memset(have, 0, sizeof have);
    for (unsigned attempt = 0; attempt < 12; attempt++) {
        int complete = 1;
        for (unsigned j = 0; j < LI_N; j++)
            complete = complete && (have[j] || lean_unreachable(j));
        if (complete)
            break;
        struct zkt z;
        size_t len;
        cairn_fp *cells = NULL;
        /* after four small programs, larger ones: a rare class (LH, say) is then all but sure */
        uint8_t *elf = zk_gen_elf_m(test_rand_u64() | 1, attempt < 4 ? 40 : 120, &len);
        if (zkt_build_run(&z, elf, len, zk_test_input, ZK_TEST_INPUT_LEN) &&
            (cells = zkt_lean_cells(&z)) != NULL) {
            memcpy(before, have, sizeof have);
            lean_search(kept, have, &z, cells);
            for (unsigned j = 0; j < LI_N; j++)
                fresh[j] = have[j] && !before[j];
            lean_prove_kept(kept, fresh, &z, cells, &runs);
        }
        free(cells);
        zkt_clear(&z);
        free(elf);
    }
    for (unsigned j = 0; j < LI_N; j++)
        if (!have[j] && !lean_unreachable(j))
            FAIL("no single-cell corruption reaches the %s", item_name(j, name, sizeof name));
}

/* ---- virtual values changed in the prover's tables ---- */

/* A name for value i of the ZLV_N layout. */
static const char *value_name(unsigned i, char *buf, size_t cap)
{
    static const char *const tail[] = {"pc_next", "f_byte_next", "x_next", "hi_next", "oi_next",
                                       "eof_next", "t", "first", "last", "pads"};
    if (i < ZL_NCELL)
        snprintf(buf, cap, "cell %s", zl_cell_names[i]);
    else if (i < ZLV_U)
        snprintf(buf, cap, "bytecode column %u", i - ZLV_B);
    else if (i < ZLV_PC_NEXT)
        snprintf(buf, cap, "U output %s of %s", zl_u_names[(i - ZLV_U) % ZU_NCOL],
                 zl_cell_names[zl_u_cells[(i - ZLV_U) / ZU_NCOL]]);
    else
        snprintf(buf, cap, "%s", tail[i - ZLV_PC_NEXT]);
    return buf;
}

/* The change the prover's test hook makes: value `value` of row `row`, plus one. */
struct vv_change {
    unsigned value;
    uint64_t row;
    int done;
};

static void change_value(void *ctx, cairn_fp *const *col, size_t n)
{
    struct vv_change *c = ctx;
    if (col[c->value] != NULL && c->row < (UINT64_C(1) << n)) {
        col[c->value][c->row] = cairn_fp_add(col[c->value][c->row], cairn_fp_one());
        c->done = 1;
    }
}

/*
 * A cheating prover that changes one virtual value (a column the proof
 * never commits: the lean bytecode columns, the U outputs, the next
 * row's values, the public ones) in its value tables and goes on
 * honestly (zl_prove_vtab_hook): for every virtual column the prover
 * builds (the zero-check's, the memory tuples', the shift's), one entry
 * changed by one on a row that rotates through a random real row, the
 * first, the last real and the last padding row, the proof must be
 * rejected.  The public columns the verifier evaluates itself are
 * changed too: first, last and pads are read by the zero-check's
 * prover and rejected; t is read by no constraint (the memory stage
 * takes the row index itself), so a changed t leaves the proof's bytes
 * those of the honest proof, which is accepted.  Each run proves every
 * third column (a random third: the seed picks it; every column with
 * CAIRN_TEST_ITERS of 100000 or more), under the sanitizers every tenth.
 */
static void lean_proof_rejects_changed_virtual_values(void)
{
    struct zkt z;
    size_t len;
    cairn_fp *cells = NULL;
    uint8_t need[ZLV_N], *honest = NULL;
    size_t honest_len = 0;
    char name[96];
    uint8_t *elf = zk_gen_elf(test_rand_u64() | 1, 40, &len);
    if (!zkt_build_input(&z, elf, len, zk_test_input, ZK_TEST_INPUT_LEN, NULL, 0, 1) ||
        (cells = zkt_lean_cells(&z)) == NULL)
        goto out;
    cairn_error err;
    zl_proof hp;
    zl_proof_init(&hp);
    int ok = ok_st(zkt_lean_prove_verify(&z, cells, NULL, NULL, &hp, &err), &err, "honest");
    if (ok)
        CHECK_OK(zl_proof_encode(&honest, &honest_len, &hp, NULL));
    zl_proof_clear(&hp);
    if (!ok || honest == NULL)
        goto out;
    zl_vtab_needed(need);
    uint64_t rows = UINT64_C(1) << z.w.n, T = z.w.T;
    unsigned every = test_iters >= 100000 ? 1 : test_iters >= 1000 ? 3 : 10;
    unsigned at = (unsigned)test_rand_below(every), k = 0;
    size_t tried = 0;
    for (unsigned i = ZL_NCELL; i < ZLV_N; i++) {
        if (!need[i] || (k++ % every) != at)
            continue;
        uint64_t pick[4] = {test_rand_below(T), 0, T - 1, rows - 1};
        struct vv_change c = {i, pick[k % 4], 0};
        zl_proof p;
        zl_proof_init(&p);
        zl_prove_vtab_hook = change_value;
        zl_prove_vtab_hook_ctx = &c;
        cairn_status st = zkt_lean_prove_verify(&z, cells, NULL, NULL, &p, &err);
        zl_prove_vtab_hook = NULL;
        zl_prove_vtab_hook_ctx = NULL;
        tried++;
        if (i == ZLV_ID) {
            /* no constraint reads t and the memory stage takes the row index itself: same bytes */
            uint8_t *b = NULL;
            size_t b_len = 0;
            CHECK_OK(zl_proof_encode(&b, &b_len, &p, NULL));
            CHECK(b != NULL && b_len == honest_len && memcmp(b, honest, b_len) == 0);
            free(b);
            zl_proof_clear(&p);
            continue;
        }
        zl_proof_clear(&p);
        if (!c.done)
            FAIL("%s: the prover's tables have no such column", value_name(i, name, sizeof name));
        else if (st == CAIRN_OK)
            FAIL("SOUNDNESS: %s of row %llu changed in the prover's tables: the lean proof was "
                 "ACCEPTED",
                 value_name(i, name, sizeof name), (unsigned long long)c.row);
        else if (st != CAIRN_ERR_REJECTED)
            FAIL("%s of row %llu changed: %s (%s)", value_name(i, name, sizeof name),
                 (unsigned long long)c.row, cairn_status_str(st), err.msg);
        else
            test_pass();
    }
    CHECK(tried > 0);
out:
    free(honest);
    free(cells);
    zkt_clear(&z);
    free(elf);
}

/*
 * A statement that lies about the instruction count, proven by the honest
 * machinery (prover and verifier agree on the lie): rejected, since the
 * zero-check's sum counts the system calls' extra rows.
 */
static void lean_proof_instruction_count_bound(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64() | 1))
        return;
    for (int d = -1; d <= 1; d += 2) {
        zl_stmt s = zkt_lean_stmt(&f.z, f.cells);
        s.instructions = (uint64_t)((int64_t)s.instructions + d);
        cairn_status st = lean_prove_verify(&f.z, f.cells, &s, &s, NULL);
        if (st == CAIRN_OK)
            FAIL("SOUNDNESS: %+d instruction accepted", d);
        else if (st != CAIRN_ERR_REJECTED)
            FAIL("%+d instruction: %s", d, cairn_status_str(st));
        else
            test_pass();
    }
    zc_fix_close(&f);
}

/* ---- the proven security (lean_security.c) ------------------------------------------------- */

/* log2 |F_p2|, transcribed independently of lean_security.c. */
static double t_log2_field(void)
{
    return 2.0 * log2(18446744069414584321.0);
}

/*
 * At the defaults (target 100, grinding chosen) the lean proof proves at
 * least 100 bits for every trace of 2 .. 2^30 rows, every RAM and
 * bytecode size of the range below; without grinding 2^30 rows do not
 * reach 100 bits (so the grinding is what carries them), and the chosen
 * grinding is the fewest: one bit less and the ground term misses its
 * share.
 */
static void lean_security_all_sizes(void)
{
    static const unsigned ks[] = {4, 16, 28}, kbs[] = {3, 12, 20};
    double worst = 1e9;
    for (unsigned n = 1; n <= ZL_MAX_VARS; n++)
        for (unsigned a = 0; a < 3; a++)
            for (unsigned b = 0; b < 3; b++) {
                zl_setup su;
                cairn_error err;
                if (!ok_st(zl_setup_init(&su, n, ks[a], kbs[b], 100, ZL_GRIND_AUTO, ZL_GRIND_AUTO,
                                         &err),
                           &err, "setup"))
                    return;
                if (su.bits < 100.0)
                    FAIL("n = %u, k = %u, kb = %u: %.3f bits", n, ks[a], kbs[b], su.bits);
                worst = su.bits < worst ? su.bits : worst;
                /* the union bound of the terms, each at least 100 bits on its own */
                double eps = 0;
                for (unsigned t = 0; t < ZL_NTERM; t++) {
                    eps += exp2(-su.terms[t]);
                    if (su.terms[t] < 100.0)
                        FAIL("n = %u: term %s at %.2f bits", n, zl_term_names[t], su.terms[t]);
                }
                CHECK(fabs(-log2(eps) - su.bits) < 1e-9);
                /* the grinding is the fewest that gives each ground term its share */
                double want = 100.0 + ZL_LOOKUP_MARGIN;
                CHECK(su.terms[ZL_T_MEM_FP] >= want && su.terms[ZL_T_U_LOOKUP] >= want &&
                      su.terms[ZL_T_B_LOOKUP] >= want);
                if (su.grind_mem > 0)
                    CHECK(su.terms[ZL_T_MEM_FP] - 1.0 < want);
                if (su.grind_lookup > 0)
                    CHECK(su.terms[ZL_T_U_LOOKUP] - 1.0 < want ||
                          su.terms[ZL_T_B_LOOKUP] - 1.0 < want);
                CHECK(su.terms[ZL_T_PCS1] >= 100.0 + ZL_PCS_MARGIN &&
                      su.terms[ZL_T_PCS2] >= 100.0 + ZL_PCS_MARGIN);
            }
    CHECK(worst >= 100.0 && worst < 103.0); /* the margins are not excessive either */
    /* 2^30 rows without grinding: the lookup terms fall short */
    zl_setup su;
    cairn_error err;
    if (ok_st(zl_setup_init(&su, 30, 16, 12, 100, 0, 0, &err), &err, "setup")) {
        CHECK(su.bits < 100.0);
        CHECK(su.terms[ZL_T_U_LOOKUP] < 94.0 && su.terms[ZL_T_MEM_FP] < 94.0);
    }
    /* a few terms against closed forms at n = 20, k = 16, kb = 12, no grinding */
    double F = t_log2_field(), terms[ZL_NTERM];
    (void)zl_security_bits(terms, 20, 16, 12, &su.p1, &su.p2, 0, 0);
    CHECK(fabs(terms[ZL_T_ZC_SC] - (F - log2(80.0))) < 1e-9);
    CHECK(fabs(terms[ZL_T_ZC_RHO] - (F - log2(64.0))) < 1e-9);
    CHECK(fabs(terms[ZL_T_SH_SC] - (F - log2(40.0))) < 1e-9);
    CHECK(fabs(terms[ZL_T_SH_ZETA] - (F - log2(5.0))) < 1e-9);
    CHECK(fabs(terms[ZL_T_MEM_FP] -
               (F - log2(4.0 * (10.0 * 1048576.0 + 2.0 * 65536.0 + 64.0 + 1048576.0)))) < 1e-9);
    CHECK(fabs(terms[ZL_T_U_LOOKUP] - (F - log2(2.0 * (18.0 * 1048576.0 + 65536.0)))) < 1e-9);
    CHECK(fabs(terms[ZL_T_B_LOOKUP] - (F - log2(2.0 * (1048576.0 + 4096.0)))) < 1e-9);
    CHECK(fabs(terms[ZL_T_MEM_GKR] - (F - log2(610.0))) < 1e-9); /* sum_{j<20} 3j + 2 */
    CHECK(fabs(terms[ZL_T_U_BIND] - (F - log2(55.0))) < 1e-9);   /* 2 + 21 + 32 */
    CHECK(fabs(terms[ZL_T_B_BIND] - (F - log2(47.0))) < 1e-9);   /* 2 + 21 + 24 */
    CHECK(fabs(terms[ZL_T_REDUCE] -
               (F - log2(4.0 + 2.0 * (double)(su.p1.num_vars + su.p2.num_vars)))) < 1e-9);
}

/*
 * Each term moves the way its bound says: the row-dependent terms lose
 * bits as n grows, the memory terms as the RAM grows, B's as the
 * bytecode grows; a ground term gains exactly one bit per grinding bit;
 * the constant terms do not move.
 */
static void lean_security_terms_monotone(void)
{
    zl_setup su;
    cairn_error err;
    if (!ok_st(zl_setup_init(&su, 20, 16, 12, 100, ZL_GRIND_AUTO, ZL_GRIND_AUTO, &err), &err,
               "setup"))
        return;
    static const enum zl_term in_n[] = {ZL_T_ZC_TAU, ZL_T_ZC_SC, ZL_T_MEM_FP, ZL_T_SH_SC,
                                        ZL_T_U_BIND, ZL_T_U_LOOKUP, ZL_T_B_BIND, ZL_T_B_LOOKUP};
    static const enum zl_term flat_n[] = {ZL_T_ZC_RHO, ZL_T_SH_ZETA, ZL_T_PCS1, ZL_T_PCS2};
    static const enum zl_term gkr[] = {ZL_T_MEM_GKR, ZL_T_U_GKR, ZL_T_B_GKR};
    double a[ZL_NTERM], b[ZL_NTERM];
    for (unsigned n = 1; n < ZL_MAX_VARS; n++) {
        (void)zl_security_bits(a, n, 16, 12, &su.p1, &su.p2, 4, 4);
        (void)zl_security_bits(b, n + 1, 16, 12, &su.p1, &su.p2, 4, 4);
        for (size_t i = 0; i < sizeof in_n / sizeof in_n[0]; i++)
            if (!(b[in_n[i]] < a[in_n[i]]))
                FAIL("%s does not fall from n = %u to %u", zl_term_names[in_n[i]], n, n + 1);
        for (size_t i = 0; i < sizeof flat_n / sizeof flat_n[0]; i++)
            CHECK(b[flat_n[i]] == a[flat_n[i]]);
        for (size_t i = 0; i < sizeof gkr / sizeof gkr[0]; i++)
            CHECK(b[gkr[i]] <= a[gkr[i]]);
    }
    for (unsigned k = 1; k < 28; k++) {
        (void)zl_security_bits(a, 20, k, 12, &su.p1, &su.p2, 4, 4);
        (void)zl_security_bits(b, 20, k + 1, 12, &su.p1, &su.p2, 4, 4);
        CHECK(b[ZL_T_MEM_FP] < a[ZL_T_MEM_FP] && b[ZL_T_MEM_GKR] <= a[ZL_T_MEM_GKR]);
        CHECK(b[ZL_T_U_LOOKUP] == a[ZL_T_U_LOOKUP] && b[ZL_T_B_LOOKUP] == a[ZL_T_B_LOOKUP]);
    }
    for (unsigned kb = 1; kb < 28; kb++) {
        (void)zl_security_bits(a, 20, 16, kb, &su.p1, &su.p2, 4, 4);
        (void)zl_security_bits(b, 20, 16, kb + 1, &su.p1, &su.p2, 4, 4);
        CHECK(b[ZL_T_B_LOOKUP] < a[ZL_T_B_LOOKUP] && b[ZL_T_B_BIND] < a[ZL_T_B_BIND] &&
              b[ZL_T_B_GKR] <= a[ZL_T_B_GKR]);
        CHECK(b[ZL_T_MEM_FP] == a[ZL_T_MEM_FP] && b[ZL_T_U_LOOKUP] == a[ZL_T_U_LOOKUP]);
    }
    for (unsigned g = 0; g < 20; g++) {
        double ta = zl_security_bits(a, 30, 16, 12, &su.p1, &su.p2, g, g);
        double tb = zl_security_bits(b, 30, 16, 12, &su.p1, &su.p2, g + 1, g + 1);
        CHECK(fabs(b[ZL_T_MEM_FP] - a[ZL_T_MEM_FP] - 1.0) < 1e-9);
        CHECK(fabs(b[ZL_T_U_LOOKUP] - a[ZL_T_U_LOOKUP] - 1.0) < 1e-9);
        CHECK(fabs(b[ZL_T_B_LOOKUP] - a[ZL_T_B_LOOKUP] - 1.0) < 1e-9);
        CHECK(b[ZL_T_ZC_SC] == a[ZL_T_ZC_SC] && b[ZL_T_U_GKR] == a[ZL_T_U_GKR]);
        CHECK(tb > ta);
    }
    /* a PCS with more queries proves more */
    cairn_pcs_params q = su.p1;
    q.queries += 8;
    (void)zl_security_bits(a, 20, 16, 12, &su.p1, &su.p2, 4, 4);
    (void)zl_security_bits(b, 20, 16, 12, &q, &su.p2, 4, 4);
    CHECK(b[ZL_T_PCS1] > a[ZL_T_PCS1] && b[ZL_T_PCS2] == a[ZL_T_PCS2]);
    /* a higher target chooses more grinding and stronger commitments */
    zl_setup hi;
    zl_setup lo;
    if (ok_st(zl_setup_init(&hi, 30, 16, 12, 110, ZL_GRIND_AUTO, ZL_GRIND_AUTO, &err), &err,
              "setup") &&
        ok_st(zl_setup_init(&lo, 30, 16, 12, 100, ZL_GRIND_AUTO, ZL_GRIND_AUTO, &err), &err,
              "setup"))
        CHECK(hi.grind_mem > lo.grind_mem && hi.grind_lookup > lo.grind_lookup &&
              hi.terms[ZL_T_PCS1] > lo.terms[ZL_T_PCS1] && hi.bits > lo.bits);
}

/*
 * The verifier's floor.  An honest proof states the bits its shape gives
 * and verifies.  The same proof checked against a statement with a lower
 * target is rejected by the floor (the message names the bits and the
 * floor); a proof made and checked under that lower target alike is
 * rejected there too, though nothing else in it is wrong; a statement
 * that fixes too few grinding bits for its rows is rejected by the floor,
 * and with the grinding chosen it passes the floor (and fails elsewhere,
 * being another shape); a proof stating other bits is rejected; a target
 * F_p2 cannot reach is refused by the prover.
 */
static void lean_proof_security_floor(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    zl_proof p;
    cairn_error verr;
    char floor_msg[64];
    snprintf(floor_msg, sizeof floor_msg, "the floor of %u bits",
             CAIRN_ZKVM_MIN_SECURITY_BITS);
    if (!ok_st(zkt_lean_prove_verify(&f.z, f.cells, NULL, NULL, &p, &verr), &verr, "honest")) {
        zc_fix_close(&f);
        return;
    }
    zl_stmt s = zkt_lean_stmt(&f.z, f.cells);
    CHECK(p.security_bits >= CAIRN_ZKVM_MIN_SECURITY_BITS && p.security_bits < 110);
    cairn_transcript t;
    /* the same proof, a lower target in the statement */
    zl_stmt low = s;
    low.security = 90;
    cairn_transcript_init(&t, "lean-proof");
    CHECK_EQ_U64(zl_verify(&t, &low, &p, &verr), CAIRN_ERR_REJECTED);
    CHECK(strstr(verr.msg, floor_msg) != NULL && strstr(verr.msg, "target 90") != NULL);
    /* a target above the floor that the shape does not reach (110 bits without grinding) */
    zl_stmt t110 = s;
    t110.security = 110;
    t110.grind_mem = t110.grind_lookup = 0;
    cairn_transcript_init(&t, "lean-proof");
    CHECK_EQ_U64(zl_verify(&t, &t110, &p, &verr), CAIRN_ERR_REJECTED);
    CHECK(strstr(verr.msg, "below the target") != NULL && strstr(verr.msg, "target 110") != NULL);
    /* 2^30 rows with no grinding, and with the grinding chosen */
    zl_stmt big = s;
    big.n = 30;
    big.grind_mem = big.grind_lookup = 0;
    cairn_transcript_init(&t, "lean-proof");
    CHECK_EQ_U64(zl_verify(&t, &big, &p, &verr), CAIRN_ERR_REJECTED);
    CHECK(strstr(verr.msg, floor_msg) != NULL && strstr(verr.msg, "grinding 0 and 0") != NULL);
    big.grind_mem = big.grind_lookup = ZL_GRIND_AUTO;
    cairn_transcript_init(&t, "lean-proof");
    CHECK_EQ_U64(zl_verify(&t, &big, &p, &verr), CAIRN_ERR_REJECTED);
    CHECK(strstr(verr.msg, floor_msg) == NULL);
    /* the bits the proof states */
    p.security_bits++;
    cairn_transcript_init(&t, "lean-proof");
    CHECK_EQ_U64(zl_verify(&t, &s, &p, &verr), CAIRN_ERR_REJECTED);
    p.security_bits--;
    /* and the same proof under its own statement: accepted */
    cairn_transcript_init(&t, "lean-proof");
    CHECK_OK(zl_verify(&t, &s, &p, &verr));
    zl_proof_clear(&p);
    /* made and checked at 90 bits: only the floor stands in the way */
    CHECK_EQ_U64(zkt_lean_prove_verify(&f.z, f.cells, &low, &low, NULL, &verr),
                 CAIRN_ERR_REJECTED);
    CHECK(strstr(verr.msg, floor_msg) != NULL);
    /* 120 bits: the field terms of F_p2 cap the total near 117, the prover refuses */
    zl_stmt hi = s;
    hi.security = 120;
    cairn_transcript tp;
    cairn_transcript_init(&tp, "lean-proof");
    zl_proof_init(&p);
    CHECK_EQ_U64(zl_prove(&p, &tp, &hi, f.cells, 2, &verr), CAIRN_ERR_LIMIT);
    CHECK(strstr(verr.msg, "not reachable") != NULL);
    zl_proof_clear(&p);
    zc_fix_close(&f);
}

/*
 * More than 2^30 rows: refused by the prover and the verifier, before any
 * work; so is an output longer than the security figure counts.
 */
static void lean_proof_rows_limit(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    zl_proof p;
    cairn_error err;
    if (!ok_st(zkt_lean_prove_verify(&f.z, f.cells, NULL, NULL, &p, &err), &err, "honest")) {
        zc_fix_close(&f);
        return;
    }
    zl_stmt s = zkt_lean_stmt(&f.z, f.cells);
    s.n = ZL_MAX_VARS + 1;
    cairn_transcript t;
    cairn_transcript_init(&t, "lean-proof");
    CHECK_EQ_U64(zl_verify(&t, &s, &p, &err), CAIRN_ERR_LIMIT);
    CHECK(strstr(err.msg, "at most 2^30 rows") != NULL && strstr(err.msg, "2^31") != NULL);
    zl_proof q;
    zl_proof_init(&q);
    cairn_transcript_init(&t, "lean-proof");
    CHECK_EQ_U64(zl_prove(&q, &t, &s, f.cells, 2, &err), CAIRN_ERR_LIMIT);
    CHECK(strstr(err.msg, "at most 2^30 rows") != NULL);
    zl_proof_clear(&q);
    /* an output longer than the memory term counts: refused too */
    s = zkt_lean_stmt(&f.z, f.cells);
    s.output_len = CAIRN_ZKVM_MAX_OUTPUT + 1;
    cairn_transcript_init(&t, "lean-proof");
    CHECK_EQ_U64(zl_verify(&t, &s, &p, &err), CAIRN_ERR_LIMIT);
    CHECK(strstr(err.msg, "output") != NULL);
    zl_proof_clear(&p);
    zc_fix_close(&f);
}

/* ---- the lean proof's byte format (lean_codec.c) -------------------------------------------- */

int cairn_fuzz_lean_proof(const uint8_t *data, size_t len);

#define CODEC_MAX_PARTS 32u

/* An honest lean proof of a run, its statement, its encoding and the encoding's parts. */
struct codec_fix {
    zl_run r;
    zl_stmt s;
    zl_shape sh;
    zl_proof p;
    uint8_t *b;
    size_t len;
    zl_part parts[CODEC_MAX_PARTS];
    size_t nparts;
};

static int codec_open(struct codec_fix *c, const uint8_t *elf, size_t elf_len, const uint8_t *in,
                      size_t in_len)
{
    cairn_error err;
    cairn_transcript t;
    c->b = NULL;
    c->nparts = 0;
    zl_proof_init(&c->p);
    if (!ok_st(zl_run_init(&c->r, elf, elf_len, in, in_len, UINT64_C(1) << 20, &err), &err, "run"))
        return 0;
    zl_run_stmt(&c->s, &c->r, 100, 2);
    zl_shape_of(&c->sh, &c->s);
    cairn_transcript_init(&t, "lean-proof");
    if (!ok_st(zl_prove_cols(&c->p, &t, &c->s, c->r.cells, 2, &err), &err, "prove") ||
        !ok_st(zl_proof_encode(&c->b, &c->len, &c->p, &err), &err, "encode"))
        return 0;
    c->nparts = zl_proof_parts(c->parts, CODEC_MAX_PARTS, &c->p);
    return CHECK(c->nparts > 0);
}

/* A random program with memory and I/O (seed), or the hello guest (seed 0). */
static int codec_open_seed(struct codec_fix *c, uint64_t seed)
{
    size_t len;
    uint8_t *elf;
    int ok;
    if (seed != 0) {
        elf = zk_gen_elf(seed | 1, 120, &len);
        ok = elf != NULL && codec_open(c, elf, len, zk_test_input, ZK_TEST_INPUT_LEN);
    } else {
        char path[512];
        snprintf(path, sizeof path, "%s/rv32i/hello.elf", vmt_guest_dir());
        elf = vmt_read_file(path, &len);
        ok = CHECK(elf != NULL) && codec_open(c, elf, len, NULL, 0);
    }
    free(elf);
    return ok;
}

static void codec_close(struct codec_fix *c)
{
    zl_proof_clear(&c->p);
    zl_run_clear(&c->r);
    free(c->b);
}

/* Decode b as a proof of c's shape and verify it against c's statement; err names the failure. */
static cairn_status codec_check(const struct codec_fix *c, const uint8_t *b, size_t len,
                                cairn_error *err)
{
    zl_proof q;
    cairn_transcript t;
    zl_proof_init(&q);
    cairn_status st = zl_proof_decode(&q, b, len, &c->sh, err);
    if (st == CAIRN_OK) {
        cairn_transcript_init(&t, "lean-proof");
        st = zl_verify(&t, &c->s, &q, err);
    }
    zl_proof_clear(&q);
    return st;
}

/* The part called name (NULL when there is none). */
static const zl_part *codec_part(const struct codec_fix *c, const char *name)
{
    for (size_t i = 0; i < c->nparts; i++)
        if (strcmp(c->parts[i].name, name) == 0)
            return &c->parts[i];
    return NULL;
}

/*
 * Encode, decode, verify, encode again: the decoded proof is accepted and
 * gives the same bytes; the length is zl_proof_size's and the parts tile
 * it; a trailing byte, another shape or a proof whose parts do not match
 * its shape are refused.
 */
static void lean_codec_round_trip(void)
{
    unsigned runs = test_iters >= 1000 ? 3 : 2;
    for (unsigned i = 0; i < runs; i++) {
        struct codec_fix c;
        cairn_error err;
        if (!codec_open_seed(&c, i == 0 ? 0 : test_rand_u64())) {
            codec_close(&c);
            continue;
        }
        size_t stages[5], sum = 0, at = 0;
        CHECK_EQ_U64(zl_proof_size(&c.p, stages), c.len);
        for (unsigned s = 0; s < 5; s++)
            sum += stages[s];
        CHECK_EQ_U64(sum, c.len);
        CHECK(c.nparts < CODEC_MAX_PARTS);
        for (size_t j = 0; j < c.nparts; j++) {
            CHECK_EQ_U64(c.parts[j].offset, at);
            CHECK(c.parts[j].len > 0);
            for (size_t o = 0; o < j; o++)
                CHECK(strcmp(c.parts[o].name, c.parts[j].name) != 0);
            at += c.parts[j].len;
        }
        CHECK_EQ_U64(at, c.len);
        zl_proof q;
        zl_proof_init(&q);
        if (ok_st(zl_proof_decode(&q, c.b, c.len, &c.sh, &err), &err, "decode")) {
            cairn_transcript t;
            cairn_transcript_init(&t, "lean-proof");
            ok_st(zl_verify(&t, &c.s, &q, &err), &err, "verify the decoded proof");
            uint8_t *b2 = NULL;
            size_t len2 = 0;
            if (ok_st(zl_proof_encode(&b2, &len2, &q, &err), &err, "encode again"))
                CHECK(len2 == c.len && memcmp(b2, c.b, c.len) == 0);
            free(b2);
            /* a proof whose parts do not match its shape is not encoded */
            q.lk.extra_len--;
            CHECK_EQ_U64(zl_proof_encode(&b2, &len2, &q, &err), CAIRN_ERR_ARG);
            CHECK(b2 == NULL);
            q.lk.extra_len++;
        }
        zl_proof_clear(&q);
        /* a trailing byte */
        uint8_t *longer = malloc(c.len + 1);
        if (CHECK(longer != NULL)) {
            memcpy(longer, c.b, c.len);
            longer[c.len] = 0;
            CHECK_EQ_U64(codec_check(&c, longer, c.len + 1, &err), CAIRN_ERR_PARSE);
            CHECK(strstr(err.msg, "trailing") != NULL);
        }
        free(longer);
        /* another shape: each length moves, so the bytes no longer parse */
        zl_shape keep = c.sh, other[3] = {keep, keep, keep};
        other[0].n++, other[1].k++, other[2].kb++;
        for (unsigned d = 0; d < 3; d++) {
            c.sh = other[d];
            CHECK_EQ_U64(codec_check(&c, c.b, c.len, &err), CAIRN_ERR_PARSE);
        }
        c.sh = keep;
        codec_close(&c);
    }
}

/*
 * Every truncation is a parse error naming an offset: all lengths below
 * 2048, a few around every part's boundary, the last 16 and a random
 * sample of the rest (every length of a 300 KB proof would take minutes).
 */
static void lean_codec_truncated(void)
{
    struct codec_fix c;
    if (!codec_open_seed(&c, test_rand_u64())) {
        codec_close(&c);
        return;
    }
    size_t sample = test_iters >= 1000 ? 2000 : 200, bad = 0, tried = 0;
    for (size_t t = 0; t < 2048 + 16 + 5 * c.nparts + sample; t++) {
        size_t len;
        if (t < 2048)
            len = t;
        else if (t < 2048 + 16)
            len = c.len - 1 - (t - 2048);
        else if (t < 2048 + 16 + 5 * c.nparts) {
            size_t j = (t - 2048 - 16) / 5, o = c.parts[j].offset + (t - 2048 - 16) % 5;
            len = o >= 2 ? o - 2 : 0; /* offset - 2 .. offset + 2 */
        } else
            len = (size_t)test_rand_below(c.len);
        if (len >= c.len)
            continue;
        cairn_error err;
        cairn_status st = codec_check(&c, c.b, len, &err);
        tried++;
        if ((st != CAIRN_ERR_PARSE || strstr(err.msg, "offset") == NULL) && bad++ < 5)
            FAIL("truncated at %zu of %zu: %s (%s)", len, c.len, cairn_status_str(st), err.msg);
    }
    CHECK(bad == 0 && tried > 2048);
    codec_close(&c);
}

/*
 * A byte changed in any part (its first and last byte and random ones):
 * either a parse error or a proof the verifier rejects, never accepted.
 */
static void lean_codec_bytes_flipped(void)
{
    struct codec_fix c;
    if (!codec_open_seed(&c, test_rand_u64())) {
        codec_close(&c);
        return;
    }
    unsigned per = test_iters >= 1000 ? 6 : 1;
    size_t parsed = 0, rejected = 0;
    for (size_t j = 0; j < c.nparts; j++) {
        const zl_part *pt = &c.parts[j];
        for (unsigned k = 0; k < 2 + per; k++) {
            size_t off = pt->offset + (k == 0   ? 0
                                       : k == 1 ? pt->len - 1
                                                : (size_t)test_rand_below(pt->len));
            uint8_t x = (uint8_t)(1 + test_rand_below(255)), keep = c.b[off];
            cairn_error err;
            c.b[off] ^= x;
            cairn_status st = codec_check(&c, c.b, c.len, &err);
            c.b[off] = keep;
            if (st == CAIRN_ERR_PARSE)
                parsed++;
            else if (st == CAIRN_ERR_REJECTED)
                rejected++;
            else
                FAIL("%s byte %zu ^ 0x%02x: %s%s", pt->name, off - pt->offset, x,
                     st == CAIRN_OK ? "SOUNDNESS: accepted" : cairn_status_str(st),
                     st == CAIRN_OK ? "" : err.msg);
        }
    }
    CHECK(parsed > 0 && rejected > 0);
    cairn_error err;
    CHECK_EQ_U64(codec_check(&c, c.b, c.len, &err), CAIRN_OK); /* restored */
    codec_close(&c);
}

/* A field element that is not canonical (p, 2^64 - 1) in each part of elements: a parse error. */
static void lean_codec_noncanonical(void)
{
    struct codec_fix c;
    if (!codec_open_seed(&c, test_rand_u64())) {
        codec_close(&c);
        return;
    }
    static const char *const names[] = {"zero-check sum-check", "zero-check values",
                                        "memory GKR",           "memory values",
                                        "final memory values",  "shift sum-check",
                                        "shift values",         "lookup extra values",
                                        "U lookup",             "B lookup",
                                        "phase-1 claim reduction", "phase-1 slot values",
                                        "phase-2 sent values",  "phase-2 claim reduction",
                                        "phase-2 slot values"};
    static const uint64_t bad[2] = {CAIRN_FP_P, UINT64_MAX};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const zl_part *pt = codec_part(&c, names[i]);
        if (!CHECK(pt != NULL))
            continue;
        /* an element of the part, either coordinate (the logup* proofs start with a nonce) */
        size_t lead =
            strcmp(names[i], "U lookup") == 0 || strcmp(names[i], "B lookup") == 0 ? 8 : 0;
        size_t elems = (pt->len - lead) / CAIRN_FP2_BYTES;
        size_t off = pt->offset + lead + (size_t)test_rand_below(elems) * CAIRN_FP2_BYTES +
                     8 * (size_t)test_rand_below(2);
        uint8_t keep[8];
        memcpy(keep, c.b + off, 8);
        for (unsigned k = 0; k < 2; k++) {
            for (unsigned b = 0; b < 8; b++)
                c.b[off + b] = (uint8_t)(bad[k] >> (8 * b));
            cairn_error err;
            cairn_status st = codec_check(&c, c.b, c.len, &err);
            if (st != CAIRN_ERR_PARSE)
                FAIL("%s: non-canonical element at %zu: %s", names[i], off, cairn_status_str(st));
            else
                test_pass();
        }
        memcpy(c.b + off, keep, 8);
    }
    codec_close(&c);
}

/* The fuzz target in process (ASan runs it too): random bodies, and edits of every part. */
static void lean_codec_fuzz(void)
{
    uint8_t buf[64];
    unsigned rounds = test_iters >= 1000 ? 200 : 40;
    for (unsigned i = 0; i < rounds; i++) {
        size_t len = 2 + (size_t)test_rand_below(sizeof buf - 2);
        test_rand_bytes(buf, len);
        if (i % 4 != 0)
            buf[0] |= 1; /* mostly edits of the honest proof */
        if (cairn_fuzz_lean_proof(buf, len) != 0)
            FAIL("fuzz target reported a violation on round %u", i);
    }
    uint8_t honest = 1; /* no edits: the honest proof, accepted */
    CHECK(cairn_fuzz_lean_proof(&honest, 1) == 0);
    CHECK(cairn_fuzz_lean_proof(NULL, 0) == 0);
}

/* ---- the claim reduction (lean_open.c) ---- */

/* A stacked batch committed from random members, with claim points on it. */
struct red_fix {
    cairn_pcs_stack st;
    cairn_pcs_params params;
    cairn_pcs_prover pr;
    cairn_fp *mem;
    const cairn_fp *polys[40];
    cairn_fp *rowtab[2]; /* each group's members as rows (row x: entry x of every member) */
    size_t npts;
    zl_claim_pt pts[4];
    cairn_fp2 r[4][16], vals[4][32];
    uint8_t kind[4][32];
};

static void red_fix_close(struct red_fix *f)
{
    cairn_pcs_prover_clear(&f->pr);
    free(f->mem);
    free(f->rowtab[0]);
    free(f->rowtab[1]);
}

/*
 * Two groups (count0 members of n0 variables, 2 of n1): three points on
 * group 0 claiming a random subset of its members (at least one), the
 * last point's members all sent, and one point on group 1 with both
 * members claimed.  Claimed values are the true ones.
 */
static int red_fix_open(struct red_fix *f, unsigned n0, size_t count0, unsigned n1)
{
    cairn_error err;
    cairn_pcs_group g[2] = {{n0, count0}, {n1, 2}};
    cairn_pcs_options o;
    cairn_rows src;
    cairn_pcs_stack_rows impl;
    memset(f, 0, sizeof *f);
    memset(&impl, 0, sizeof impl);
    cairn_pcs_prover_init(&f->pr);
    f->pr.threads = 2;
    size_t total = count0 * ((size_t)1 << n0) + 2 * ((size_t)1 << n1);
    f->mem = malloc(total * sizeof *f->mem);
    if (!CHECK(f->mem != NULL) || !CHECK(cairn_pcs_stack_init(&f->st, g, 2, &err) == CAIRN_OK))
        return 0;
    cairn_fp *m = f->mem;
    f->rowtab[0] = malloc(count0 * ((size_t)1 << n0) * sizeof *f->rowtab[0]);
    f->rowtab[1] = malloc(2 * ((size_t)1 << n1) * sizeof *f->rowtab[1]);
    if (!CHECK(f->rowtab[0] != NULL && f->rowtab[1] != NULL))
        return 0;
    for (size_t j = 0; j < count0 + 2; j++) {
        size_t len = (size_t)1 << (j < count0 ? n0 : n1);
        size_t w = j < count0 ? count0 : 2, u = j < count0 ? j : j - count0;
        for (size_t x = 0; x < len; x++) {
            m[x] = cairn_fp_from_u64(test_rand_below(1u << 16));
            f->rowtab[j >= count0][x * w + u] = m[x];
        }
        f->polys[j] = m;
        m += len;
    }
    cairn_pcs_options_init(&o);
    o.target_bits = 100;
    if (!CHECK(cairn_pcs_params_choose(&f->params, f->st.num_vars, f->st.num_polys, &o, &err) ==
               CAIRN_OK) ||
        !CHECK(cairn_pcs_stack_rows_init(&src, &impl, &f->st, &f->params, f->polys, &err) ==
               CAIRN_OK) ||
        !CHECK(cairn_pcs_commit(&f->pr, &f->params, &src, &err) == CAIRN_OK)) {
        cairn_pcs_stack_rows_clear(&impl);
        return 0;
    }
    cairn_pcs_stack_rows_clear(&impl);
    f->npts = 4;
    for (size_t i = 0; i < 4; i++) {
        size_t grp = i < 3 ? 0 : 1, cnt = g[grp].count;
        for (unsigned v = 0; v < g[grp].num_vars; v++)
            f->r[i][v] = rand_fp2();
        for (size_t j = 0; j < cnt; j++) {
            f->kind[i][j] = i == 2   ? ZL_CLAIM_SENT
                            : i == 3 ? ZL_CLAIM_KNOWN
                                     : (uint8_t)test_rand_below(2);
            CHECK_OK(cairn_poly_eval_fp(&f->vals[i][j], f->polys[f->st.first_poly[grp] + j],
                                        f->r[i], g[grp].num_vars));
        }
        f->kind[i][test_rand_below(cnt)] = i == 2 ? ZL_CLAIM_SENT : ZL_CLAIM_KNOWN;
        f->pts[i] = (zl_claim_pt){grp, f->r[i], f->vals[i], f->kind[i]};
    }
    return 1;
}

/* The reduction's proof of a fixture. */
struct red_proof {
    cairn_sumcheck_proof rd;
    cairn_pcs_opening op;
    cairn_fp2 at[40], sent[32];
    size_t sent_len;
};

/*
 * Prove a fixture's reduction by zl_open_path `path`, with group g's
 * members (g < 2) read from rows (their row table, chunks of chunk rows;
 * the tables of that group withheld; through wrap when non-NULL), or
 * every member from its table (g >= 2).  next,
 * when non-NULL, receives a challenge of the transcript after it.
 */
static cairn_status red_prove_from(struct red_proof *p, struct red_fix *f, int path, size_t g,
                                   size_t chunk, struct fail_rows *wrap, cairn_fp2 *next,
                                   cairn_error *err)
{
    cairn_transcript t;
    cairn_rows rows;
    cairn_rows_table impl;
    const cairn_fp *polys[40];
    zl_members ms = {polys, NULL, 0};
    memcpy(polys, f->polys, sizeof polys);
    if (g < 2) {
        size_t cnt = f->st.groups[g].count;
        cairn_rows_table_init(&rows, &impl, f->rowtab[g], (uint64_t)1 << f->st.groups[g].num_vars,
                              cnt, chunk);
        for (size_t j = 0; j < cnt; j++)
            polys[f->st.first_poly[g] + j] = NULL;
        ms.rows = &rows, ms.group = g;
        if (wrap != NULL)
            ms.rows = fail_rows_over(wrap, &rows);
    }
    cairn_transcript_init(&t, "lean-reduce");
    cairn_sumcheck_proof_init(&p->rd);
    cairn_pcs_opening_init(&p->op);
    p->sent_len = zl_open_sent_len(f->pts, f->npts, &f->st);
    zl_open_path = path;
    cairn_status st = zl_open_prove(&p->rd, p->at, &p->op, p->sent, &t, &f->pr, &f->st,
                                    &f->params, &ms, f->pts, f->npts, err);
    zl_open_path = 0;
    if (next != NULL)
        *next = cairn_transcript_squeeze_fp2(&t, "next");
    return st;
}

static cairn_status red_prove(struct red_proof *p, struct red_fix *f)
{
    cairn_error err;
    return red_prove_from(p, f, 0, 2, 0, NULL, NULL, &err);
}

static cairn_status red_verify(const struct red_proof *p, struct red_fix *f, cairn_error *err)
{
    cairn_transcript t;
    cairn_transcript_init(&t, "lean-reduce");
    return zl_open_verify(&f->pr.com, &t, &f->st, &p->rd, p->at, f->st.num_polys, &p->op,
                          p->sent, p->sent_len, f->pts, f->npts, err);
}

static void red_proof_clear(struct red_proof *p)
{
    cairn_sumcheck_proof_clear(&p->rd);
    cairn_pcs_opening_clear(&p->op);
}

/* Rejected, and by the reduction's final check (not by the opening, not as malformed). */
static void want_reduction_rejects(const struct red_proof *p, struct red_fix *f, const char *what,
                                   size_t which)
{
    cairn_error err;
    cairn_status st = red_verify(p, f, &err);
    if (st != CAIRN_ERR_REJECTED)
        FAIL("SOUNDNESS: %s %zu changed: %s", what, which, cairn_status_str(st));
    else if (strstr(err.msg, "claim reduction") == NULL)
        FAIL("%s %zu changed: rejected by something else (%s)", what, which, err.msg);
    else
        test_pass();
}

/*
 * The claims on a stacked batch reduced to one point and opened there, in
 * both layouts (the larger group the cells', or the RAM's): honest claims
 * accepted, with the sum-check's last point and the slots' values there
 * the true ones; every round message and every slot value at the point
 * changed: rejected (a slot value by the final check, since the opening
 * is made for the true ones and the final check comes first); every sent
 * value changed: rejected.
 */
static void reduce_complete_and_tampered(void)
{
    static const unsigned shapes[2][3] = {{4, 25, 8}, {7, 5, 4}};
    for (unsigned sh = 0; sh < 2; sh++) {
        struct red_fix f;
        struct red_proof p;
        cairn_error err;
        if (!red_fix_open(&f, shapes[sh][0], shapes[sh][1], shapes[sh][2])) {
            red_fix_close(&f);
            continue;
        }
        if (!CHECK(red_prove(&p, &f) == CAIRN_OK)) {
            red_proof_clear(&p);
            red_fix_close(&f);
            continue;
        }
        CHECK_EQ_U64(p.rd.rounds, f.st.num_vars);
        CHECK_EQ_U64(p.rd.degree, 2);
        cairn_status st = red_verify(&p, &f, &err);
        if (st != CAIRN_OK)
            FAIL("shape %u: honest reduction: %s (%s)", sh, cairn_status_str(st), err.msg);
        else
            test_pass();
        for (size_t e = 0; e < p.rd.rounds * p.rd.degree; e++) {
            cairn_fp2 keep = p.rd.evals[e];
            p.rd.evals[e] = cairn_fp2_add(keep, cairn_fp2_one());
            want_reduction_rejects(&p, &f, "round message element", e);
            p.rd.evals[e] = keep;
        }
        for (size_t c = 0; c < f.st.num_polys; c++) {
            cairn_fp2 keep = p.at[c];
            p.at[c] = cairn_fp2_add(keep, cairn_fp2_one());
            want_reduction_rejects(&p, &f, "slot value at the point", c);
            p.at[c] = keep;
        }
        for (size_t e = 0; e < p.sent_len; e++) {
            cairn_fp2 keep = p.sent[e];
            p.sent[e] = cairn_fp2_add(keep, cairn_fp2_one());
            want_reduction_rejects(&p, &f, "sent value", e);
            p.sent[e] = keep;
        }
        /* the proof's shape: one round too few is malformed */
        p.rd.rounds--;
        CHECK_EQ_U64(red_verify(&p, &f, &err), CAIRN_ERR_PARSE);
        p.rd.rounds++;
        CHECK_EQ_U64(red_verify(&p, &f, &err), CAIRN_OK);
        red_proof_clear(&p);
        red_fix_close(&f);
    }
}

/*
 * A cheating prover that claims a false value for one member at one point
 * (known to the verifier, or sent) and runs the reduction and the opening
 * honestly otherwise: rejected by the reduction's final check, for every
 * claim of the fixture in turn.  (The opening is made for the slots' true
 * values at the reduced point, so only the final check can see the lie:
 * with that check disabled these proofs are accepted.)
 */
static void reduce_rejects_false_claim(void)
{
    static const unsigned shapes[2][3] = {{4, 25, 8}, {7, 5, 4}};
    for (unsigned sh = 0; sh < 2; sh++) {
        struct red_fix f;
        if (!red_fix_open(&f, shapes[sh][0], shapes[sh][1], shapes[sh][2])) {
            red_fix_close(&f);
            continue;
        }
        for (size_t i = 0; i < f.npts; i++) {
            size_t cnt = f.st.groups[f.pts[i].group].count;
            for (size_t j = 0; j < cnt; j++) {
                uint8_t kind = f.kind[i][j];
                if (kind == ZL_CLAIM_NONE)
                    continue;
                cairn_fp2 keep = f.vals[i][j];
                struct red_proof p;
                /* the prover proves the false value as if known; the verifier is sent it */
                f.vals[i][j] = cairn_fp2_add(keep, rand_fp2());
                f.kind[i][j] = ZL_CLAIM_KNOWN;
                cairn_status st = red_prove(&p, &f);
                f.kind[i][j] = kind;
                if (kind == ZL_CLAIM_SENT) {
                    size_t e = 0;
                    for (size_t i2 = 0; i2 < f.npts; i2++)
                        for (size_t j2 = 0; j2 < f.st.groups[f.pts[i2].group].count; j2++)
                            if (f.kind[i2][j2] == ZL_CLAIM_SENT) {
                                cairn_fp2 v;
                                if (i2 == i && j2 == j)
                                    v = f.vals[i][j];
                                else
                                    CHECK_OK(cairn_poly_eval_fp(
                                        &v, f.polys[f.st.first_poly[f.pts[i2].group] + j2],
                                        f.r[i2], f.st.groups[f.pts[i2].group].num_vars));
                                p.sent[e++] = v;
                            }
                    p.sent_len = e;
                }
                if (CHECK(st == CAIRN_OK))
                    want_reduction_rejects(&p, &f, "claim", i * 100 + j);
                red_proof_clear(&p);
                f.vals[i][j] = keep;
            }
        }
        red_fix_close(&f);
    }
}

/*
 * Both provers of the reduction (zl_open_path 0: each instance on its
 * block; 1: the reference, full tables of 2^N) on one fixture, each with
 * every member from its table, with group 0's members read from rows, and
 * with group 1's (chunks of 0, 1, 2, 3 or 7 rows), and the block prover
 * once more with group 0's and group 1's read from rows through window
 * tables (zl_open_table_max 0), on 1, 2 and 3 threads in turn: the same
 * round messages, slot values, sent values and transcript state after the
 * opening; the verifier's answer on the block prover's proof is want.
 * Returns 1 when all proved.
 */
static int reduce_paths_agree(struct red_fix *f, const char *what, cairn_status want)
{
    enum { V = 8 };
    static const size_t chunks[] = {0, 1, 2, 3, 7};
    struct red_proof p[V];
    cairn_fp2 next[V];
    int ok = 1;
    unsigned keep = cairn_pool_threads();
    for (int v = 0; v < V; v++) {
        cairn_error err;
        size_t g = v < 2 ? 2 : v < 6 ? (size_t)(v / 2 - 1) : (size_t)(v - 6);
        int path = v < 6 ? v & 1 : 0;
        (void)cairn_pool_set_threads(1 + (unsigned)v % 3, NULL);
        zl_open_table_max = v < 6 ? ZL_OPEN_TABLE_MAX : 0;
        cairn_status st = red_prove_from(&p[v], f, path, g, chunks[test_rand_below(5)], NULL,
                                         &next[v], &err);
        zl_open_table_max = ZL_OPEN_TABLE_MAX;
        if (st != CAIRN_OK) {
            FAIL("%s, path %d, group %zu from rows%s: %s (%s)", what, path, g,
                 v < 6 ? "" : " by windows", cairn_status_str(st), err.msg);
            ok = 0;
        }
    }
    (void)cairn_pool_set_threads(keep, NULL);
    for (int v = 1; v < V && ok; v++)
        if (CHECK(p[0].rd.rounds == p[v].rd.rounds && p[0].rd.degree == p[v].rd.degree)) {
            CHECK_MEM_EQ(p[0].rd.evals, p[v].rd.evals,
                         p[0].rd.rounds * p[0].rd.degree * sizeof *p[0].rd.evals);
            CHECK_MEM_EQ(p[0].at, p[v].at, f->st.num_polys * sizeof p[0].at[0]);
            CHECK_MEM_EQ(p[0].sent, p[v].sent, p[0].sent_len * sizeof p[0].sent[0]);
            CHECK_MEM_EQ(&next[0], &next[v], sizeof next[0]);
        }
    if (ok) {
        cairn_error err;
        cairn_status st = red_verify(&p[0], f, &err);
        if (st != want)
            FAIL("%s: verifier says %s", what, cairn_status_str(st));
        else
            test_pass();
    }
    for (int v = 0; v < V; v++)
        red_proof_clear(&p[v]);
    return ok;
}

/*
 * The block prover gives the reference's bytes on layouts where the
 * cells' group is smaller than the RAM's by 1..4 variables (k > n; with a
 * slot's blocks partly empty, 25 members in blocks of 8) and where it is
 * not (k <= n), for honest claims (accepted) and for a false claim at
 * every point (the same bytes, rejected), with either group's members
 * read from rows or none: so the proof and the verifier do not change.
 */
static void reduce_blocks_match_reference(void)
{
    static const unsigned shapes[][3] = {{4, 25, 5}, {4, 25, 6}, {4, 25, 7}, {4, 25, 8}, {3, 25, 6},
                                         {5, 9, 9},  {7, 5, 4},  {6, 25, 6}, {6, 3, 2}};
    for (unsigned sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++) {
        struct red_fix f;
        char what[64];
        if (!red_fix_open(&f, shapes[sh][0], shapes[sh][1], shapes[sh][2])) {
            red_fix_close(&f);
            continue;
        }
        snprintf(what, sizeof what, "shape %u", sh);
        reduce_paths_agree(&f, what, CAIRN_OK);
        for (size_t i = 0; i < f.npts; i++) {
            size_t j = 0;
            while (f.kind[i][j] == ZL_CLAIM_NONE)
                j++;
            cairn_fp2 keep = f.vals[i][j];
            uint8_t kind = f.kind[i][j];
            f.vals[i][j] = cairn_fp2_add(keep, rand_fp2());
            f.kind[i][j] = ZL_CLAIM_KNOWN;
            snprintf(what, sizeof what, "shape %u, a false claim at point %zu", sh, i);
            reduce_paths_agree(&f, what, CAIRN_ERR_REJECTED);
            f.vals[i][j] = keep;
            f.kind[i][j] = kind;
        }
        red_fix_close(&f);
    }
}

/*
 * The reduction with one group's members from rows that fail: for both
 * provers, both groups and layouts where the rows' group is the smaller
 * (its claimed slots' values made in a pass during the sum-check) or not,
 * a failure in any one of the streams an honest run makes ends
 * zl_open_prove with the source's status and message, after no further
 * stream.
 */
static void reduce_rows_failure(void)
{
    static const unsigned shapes[][3] = {{4, 25, 8}, {7, 5, 4}, {6, 25, 6}};
    for (unsigned sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++) {
        struct red_fix f;
        if (!red_fix_open(&f, shapes[sh][0], shapes[sh][1], shapes[sh][2])) {
            red_fix_close(&f);
            continue;
        }
        for (int v = 0; v < 4; v++) {
            struct fail_rows fr;
            struct red_proof p;
            cairn_error err;
            size_t g = (size_t)v / 2, chunk = test_rand_below(4);
            memset(&fr, 0, sizeof fr);
            CHECK_OK(red_prove_from(&p, &f, v & 1, g, chunk, &fr, NULL, &err));
            red_proof_clear(&p);
            uint64_t streams = fr.streams;
            CHECK(streams >= 3);
            for (uint64_t i = 1; i <= streams; i++) {
                fr.streams = 0;
                fr.fail_stream = i;
                fr.fail_row = test_rand_below((size_t)1 << f.st.groups[g].num_vars);
                err.msg[0] = '\0';
                CHECK_EQ_U64(red_prove_from(&p, &f, v & 1, g, chunk, &fr, NULL, &err),
                             CAIRN_ERR_IO);
                CHECK(strstr(err.msg, "test rows: stream") != NULL);
                CHECK_EQ_U64(fr.streams, i);
                red_proof_clear(&p);
            }
        }
        red_fix_close(&f);
    }
}

/*
 * The lean proof's reductions: every round message of both sum-checks and
 * every slot value at both reduced points changed: rejected; one round
 * dropped: malformed.
 */
static void lean_proof_reduction_tampered(void)
{
    struct zc_fix f;
    if (!zc_fix_open(&f, test_rand_u64()))
        return;
    zl_proof p;
    zl_stmt s = zkt_lean_stmt(&f.z, f.cells);
    cairn_status st0 = lean_round_trip(&f.z, f.cells, NULL, &p);
    if (!CHECK(st0 == CAIRN_OK)) {
        if (st0 != CAIRN_ERR_INTERNAL) /* the prover's proof, kept */
            zl_proof_clear(&p);
        zc_fix_close(&f);
        return;
    }
    CHECK_EQ_U64(p.rd1.degree, 2);
    CHECK_EQ_U64(p.rd2.degree, 2);
    CHECK_EQ_U64(p.ex1_len, 0);
    CHECK_EQ_U64(p.ex2_len, 8);
    cairn_sumcheck_proof *rd[2] = {&p.rd1, &p.rd2};
    cairn_fp2 *at[2] = {p.at1, p.at2};
    size_t at_len[2] = {p.at1_len, p.at2_len};
    for (unsigned b = 0; b < 2; b++) {
        size_t E = rd[b]->rounds * rd[b]->degree;
        for (size_t k = 0; k < E + at_len[b]; k++) {
            cairn_fp2 *e = k < E ? &rd[b]->evals[k] : &at[b][k - E], keep = *e;
            cairn_transcript t;
            cairn_error err;
            cairn_transcript_init(&t, "lean-proof");
            *e = cairn_fp2_add(keep, cairn_fp2_one());
            cairn_status st = zl_verify(&t, &s, &p, &err);
            if (st != CAIRN_ERR_REJECTED)
                FAIL("SOUNDNESS: batch %u, %s %zu changed: %s", b + 1,
                     k < E ? "round element" : "slot value", k < E ? k : k - E,
                     cairn_status_str(st));
            else if (strstr(err.msg, "claim reduction") == NULL)
                FAIL("batch %u element %zu: rejected by something else (%s)", b + 1, k, err.msg);
            else
                test_pass();
            *e = keep;
        }
        cairn_transcript t;
        cairn_error err;
        cairn_transcript_init(&t, "lean-proof");
        rd[b]->rounds--;
        CHECK_EQ_U64(zl_verify(&t, &s, &p, &err), CAIRN_ERR_PARSE);
        rd[b]->rounds++;
    }
    zl_proof_clear(&p);
    zc_fix_close(&f);
}

const struct test_case test_lean_cases[] = {
    TEST(u_mle_matches_table),
    TEST(u_shift_columns_match),
    TEST(constraint_degrees),
    TEST(lying_executions_rejected),
    TEST(single_cells_changed_rejected),
    TEST(source_matches_translation),
    TEST(example_guests_pass),
    TEST(vtab_matches_row_values),
    TEST(constraints_fp_match),
    TEST(zerocheck_fast_matches_generic),
    TEST(zerocheck_complete),
    TEST(zerocheck_used_values),
    TEST(zerocheck_rejects_broken_constraint),
    TEST(zerocheck_tampered_proof),
    TEST(memory_complete),
    TEST(memory_rejects_broken_multiset),
    TEST(memory_tampered),
    TEST(shift_stage),
    TEST(shift_streamed_matches_tables),
    TEST(shift_streamed_any_size),
    TEST(lookup_stage),
    TEST(lookup_extras_both_routes),
    TEST(lookup_cells_any_source),
    TEST(gkr_streamed_same_proof),
    TEST(rows_from_source_same_proof),
    TEST(cells_rows_match_columns),
    TEST(cells_rows_failure_stops_proof),
    TEST(mem_finals_windows),
    TEST(lean_proof_complete),
    TEST(lean_proof_rejects_changed_cells),
    TEST(lean_cheating_prover_rejected),
    TEST(lean_proof_rejects_changed_virtual_values),
    TEST(lean_proof_instruction_count_bound),
    TEST(lean_security_all_sizes),
    TEST(lean_security_terms_monotone),
    TEST(lean_proof_security_floor),
    TEST(lean_proof_rows_limit),
    TEST(lean_codec_round_trip),
    TEST(lean_codec_truncated),
    TEST(lean_codec_bytes_flipped),
    TEST(lean_codec_noncanonical),
    TEST(lean_codec_fuzz),
    TEST(reduce_complete_and_tampered),
    TEST(reduce_rejects_false_claim),
    TEST(reduce_blocks_match_reference),
    TEST(reduce_blocks_same_proof),
    TEST(reduce_rows_failure),
    TEST(lean_proof_reduction_tampered),
    TEST_END,
};
