/*
 * test_zkvm_air.c — the public pieces both sides of the lean proof compute
 * from the program alone, and the decoders: the initial-memory MLE and the
 * text interval against the VM's memory, the public polynomials of the row
 * index and next(r, y) against brute force, the shift powers, our RV32I
 * decoder against the witness module's rows, and the load/store decoder
 * against them and on every funct3.  (The first prover's own constraint
 * system and its checker went with it; the lean row's are in test_lean.c.)
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/witness.h"
#include "harness.h"
#include "zk_util.h"

/* ---- RAM public polynomials ------------------------------------------------------------------ */

/*
 * The initial-memory MLE and the text interval against the VM's own
 * initial memory, enumerated word by word: a program whose data segment
 * starts and ends off word boundaries, with zero-filled bss and an odd code
 * length.
 */
static void ram_init_matches_vm_memory(void)
{
    struct rvprog p;
    rvp_init(&p);
    uint8_t data[37];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(test_rand_u64() | 1);
    rvp_data(&p, data, sizeof data);
    p.bss = 123;
    rvp_li(&p, 5, 0x12345678);
    rvp_exit(&p, 0);
    size_t len;
    uint8_t *elf = rvp_elf(&p, &len);
    rvp_clear(&p);
    cairn_program prog;
    cairn_program_init(&prog);
    cairn_vm vm;
    memset(&vm, 0, sizeof vm);
    cairn_fp2 *eq = NULL;
    CHECK(cairn_elf_load(&prog, elf, len, NULL) == CAIRN_OK);
    cairn_vm_config cfg;
    cairn_vm_config_init(&cfg);
    cfg.stack_size = 4096; /* a small region keeps the enumeration short */
    if (cairn_vm_init(&vm, &prog, &cfg, NULL) != CAIRN_OK) {
        CHECK(0);
        goto out;
    }
    unsigned k = vm.mem_log2_words;
    CHECK(vm.mem_base == zk_mem_base(&prog));
    size_t K = (size_t)1 << k;
    cairn_fp2 r[ZK_MAX_VARS];
    eq = malloc(K * sizeof *eq);
    for (int round = 0; round < 2; round++) {
        for (unsigned i = 0; i < k; i++)
            r[i] = test_rand_fp2();
        cairn_poly_eq_table(eq, r, k);
        uint64_t lo, hi;
        zk_ram_text_words(&lo, &hi, &prog, vm.mem_base);
        CHECK(lo == (vm.text_base - vm.mem_base) / 4 && hi == lo + vm.text_size / 4);
        cairn_fp2 want = cairn_fp2_zero(), want_ro = cairn_fp2_zero(), got;
        for (size_t j = 0; j < K; j++) {
            uint32_t w = (uint32_t)vm.mem[4 * j] | (uint32_t)vm.mem[4 * j + 1] << 8 |
                         (uint32_t)vm.mem[4 * j + 2] << 16 | (uint32_t)vm.mem[4 * j + 3] << 24;
            want = cairn_fp2_add(want, cairn_fp2_mul_fp(eq[j], cairn_fp_from_u64(w)));
            if (j >= lo && j < hi)
                want_ro = cairn_fp2_add(want_ro, eq[j]);
        }
        CHECK(zk_ram_init_eval(&got, &prog, vm.mem_base, k, r, NULL) == CAIRN_OK);
        CHECK_EQ_FP2(got, want);
        CHECK_EQ_FP2(zk_ram_interval_eval(r, k, lo, hi), want_ro);
        CHECK_EQ_FP2(zk_ram_interval_eval(r, k, 5, 5), cairn_fp2_zero());
    }
    /* a region too small for the image is refused, not misread */
    cairn_fp2 got;
    CHECK(zk_ram_init_eval(&got, &prog, vm.mem_base, 2, r, NULL) == CAIRN_ERR_ARG);
    CHECK(zk_ram_init_eval(&got, &prog, vm.mem_base + 2, k, r, NULL) == CAIRN_ERR_ARG);
out:
    free(eq);
    cairn_vm_clear(&vm);
    cairn_program_clear(&prog);
    free(elf);
}

/* ---- closed forms and decoders ------------------------------------------------------------ */

/* The public polynomials of the row index and next(r, y) against their sums over the hypercube. */
static void public_polys_match_brute_force(void)
{
    for (size_t n = 1; n <= 6; n++) {
        cairn_fp2 r[6], y[6];
        for (size_t i = 0; i < n; i++)
            r[i] = test_rand_fp2(), y[i] = test_rand_fp2();
        size_t N = (size_t)1 << n;
        cairn_fp2 er[64], ey[64];
        cairn_poly_eq_table(er, r, n);
        cairn_poly_eq_table(ey, y, n);
        for (uint64_t T = 1; T <= N; T++) {
            cairn_fp2 ge = cairn_fp2_zero();
            for (size_t x = T; x < N; x++)
                ge = cairn_fp2_add(ge, er[x]);
            CHECK_EQ_FP2(zk_ge_eval(r, n, T), ge);
        }
        cairn_fp2 nx = cairn_fp2_zero(), id = cairn_fp2_zero();
        for (size_t x = 0; x + 1 < N; x++)
            nx = cairn_fp2_add(nx, cairn_fp2_mul(er[x], ey[x + 1]));
        for (size_t x = 0; x < N; x++)
            id = cairn_fp2_add(id, cairn_fp2_mul_fp(er[x], cairn_fp_make(x)));
        CHECK_EQ_FP2(zk_next_eval(r, y, n), nx);
        CHECK_EQ_FP2(zk_id_eval(r, n), id);
        CHECK_EQ_FP2(zk_eq_const(r, n, 3 % N), er[3 % N]);
    }
}

/* The shift powers of zk_shift_entry, which the lean row's U table and fill are built from. */
static void shift_entries(void)
{
    uint64_t P, sel, fill;
    zk_shift_entry(5, 2, &P, &sel, &fill);
    CHECK(P == (UINT64_C(1) << 27) && sel == 0 && fill == (UINT64_C(1) << 32) - P);
    zk_shift_entry(5, 1, &P, &sel, &fill);
    CHECK(P == (UINT64_C(1) << 27) && sel == 0 && fill == 0);
    zk_shift_entry(0, 2, &P, &sel, &fill);
    CHECK(P == 1 && sel == 1 && fill == 0);
    zk_shift_entry(32 + 3, 0, &P, &sel, &fill); /* shamt = b & 31 */
    CHECK(P == 8 && sel == 1 && fill == 0);
}

/* Our decoder agrees with the witness module's on the register fields of every executed row. */
struct cmp_ctx {
    const zk_witness *w;
    uint64_t bad;
};

static cairn_status cmp_rows(void *vctx, uint64_t first, const cairn_fp *rows, size_t count,
                             cairn_error *err)
{
    struct cmp_ctx *c = vctx;
    (void)err;
    for (size_t i = 0; i < count; i++) {
        const cairn_fp *row = rows + i * CAIRN_WIT_WIDTH;
        uint64_t x = first + i;
        if (x >= c->w->T)
            break;
        if (row[CAIRN_WIT_COL_RS1].v != c->w->col[ZK_RS1][x].v ||
            row[CAIRN_WIT_COL_RS2].v != c->w->col[ZK_RS2][x].v ||
            row[CAIRN_WIT_COL_RD].v != c->w->col[ZK_RD][x].v ||
            row[CAIRN_WIT_COL_PC].v != c->w->col[ZK_PC][x].v ||
            row[CAIRN_WIT_COL_RS1_VAL].v != c->w->col[ZK_V1][x].v ||
            row[CAIRN_WIT_COL_RD_VAL].v != c->w->col[ZK_VD][x].v ||
            (c->w->col[ZK_WR][x].v != (c->w->col[ZK_RD][x].v != 0)))
            c->bad++;
    }
    return CAIRN_OK;
}

static void decoder_matches_witness_rows(void)
{
    size_t len;
    uint8_t *elf = zk_gen_elf(test_rand_u64() & ~UINT64_C(1), 200, &len); /* one row per cycle */
    struct zkt z;
    cairn_error err;
    cairn_witness_oracle *o = NULL;
    if (zkt_build(&z, elf, len, NULL, 0, 1) &&
        CHECK(cairn_witness_oracle_new_table(&o, &z.prog, NULL, NULL, 0, 1u << 22, 0, &err) == CAIRN_OK)) {
        struct cmp_ctx c = {&z.w, 0};
        CHECK_OK(cairn_witness_oracle_stream(o, 0, z.w.T, cmp_rows, &c, &err));
        CHECK_EQ_U64(c.bad, 0);
    }
    cairn_witness_oracle_free(o);
    zkt_clear(&z);
    free(elf);
}

/* A stored trace row's cell. */
static uint64_t row_cell(const cairn_fp *rows, uint64_t x, unsigned col)
{
    return rows[x * CAIRN_WIT_WIDTH + col].v;
}

/*
 * zk_decode_mem against the witness module's rows (op, registers,
 * immediate) of random programs with loads and stores of every width, and
 * on every funct3 of both opcodes.
 */
static void mem_decoder_matches_rows(void)
{
    static const unsigned flag_of_op[8] = {ZR_F_LB, ZR_F_LH, ZR_F_LW, ZR_F_LBU, ZR_F_LHU,
                                           ZR_F_SB, ZR_F_SH, ZR_F_SW}; /* op order LB .. SW */
    unsigned seen = 0;
    for (unsigned run = 0; run < 4 && seen != 0xff; run++) {
        size_t len;
        uint8_t *elf = zk_gen_elf(test_rand_u64() | 1, 200, &len); /* odd: loads and stores */
        cairn_program prog;
        cairn_witness_oracle *o = NULL;
        cairn_error err;
        cairn_program_init(&prog);
        if (CHECK(cairn_elf_load(&prog, elf, len, &err) == CAIRN_OK) &&
            CHECK(cairn_witness_oracle_new_table(&o, &prog, NULL, zk_test_input, ZK_TEST_INPUT_LEN,
                                                 1u << 22, 0, &err) == CAIRN_OK)) {
            uint64_t T = cairn_witness_oracle_cycles(o);
            cairn_fp *rows = malloc((size_t)T * CAIRN_WIT_WIDTH * sizeof *rows);
            struct zk_collect c = {rows, T};
            if (CHECK(rows != NULL) &&
                CHECK(cairn_rows_stream(cairn_witness_oracle_rows(o), 0, T, zk_collect_rows, &c,
                                        &err) == CAIRN_OK)) {
                for (uint64_t x = 0; x < T; x++) {
                    uint64_t op = row_cell(rows, x, CAIRN_WIT_COL_OP);
                    int is_mem = op >= CAIRN_WIT_OP_LB && op <= CAIRN_WIT_OP_SW;
                    zk_mem_insn d;
                    int got = zk_decode_mem(&d, (uint32_t)row_cell(rows, x, CAIRN_WIT_COL_INSN));
                    CHECK(got == is_mem);
                    if (!got || !is_mem)
                        continue;
                    seen |= 1u << (op - CAIRN_WIT_OP_LB);
                    CHECK(d.flag == flag_of_op[op - CAIRN_WIT_OP_LB]);
                    CHECK(d.off == (uint32_t)row_cell(rows, x, CAIRN_WIT_COL_IMM));
                    CHECK(d.rs1 == row_cell(rows, x, CAIRN_WIT_COL_RS1));
                    CHECK(d.rs2 == row_cell(rows, x, CAIRN_WIT_COL_RS2));
                    CHECK(d.rd == row_cell(rows, x, CAIRN_WIT_COL_RD));
                }
            }
            free(rows);
        }
        cairn_witness_oracle_free(o);
        cairn_program_clear(&prog);
        free(elf);
    }
    CHECK(seen == 0xff);
    /* the funct3 values that are no load or store */
    for (uint32_t f3 = 0; f3 < 8; f3++) {
        zk_mem_insn d;
        CHECK(zk_decode_mem(&d, rv_i(-4, 1, f3, 2, 0x03)) == (f3 != 3 && f3 != 6 && f3 != 7));
        CHECK(zk_decode_mem(&d, rv_s(-4, 1, 2, f3)) == (f3 < 3));
        if (f3 < 3)
            CHECK(d.off == (uint32_t)-4 && d.rs1 == 2 && d.rs2 == 1 && d.rd == 0);
    }
    zk_mem_insn d;
    CHECK(zk_decode_mem(&d, RV_ADDI(1, 2, 3)) == 0);
}

const struct test_case test_zkvm_air_cases[] = {
    TEST(ram_init_matches_vm_memory),
    TEST(public_polys_match_brute_force),
    TEST(shift_entries),
    TEST(decoder_matches_witness_rows),
    TEST(mem_decoder_matches_rows),
    TEST_END,
};
