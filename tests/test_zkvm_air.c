/*
 * test_zkvm_air.c — the arithmetization without the protocol:
 * the lookup table's closed-form MLE against its entries, the bytecode
 * table's MLE, the public polynomials and next(r, y) against brute force,
 * our decoder against the witness module's, and the constraint checker:
 * honest traces of random and hand-written programs satisfy every row and
 * lookup; every lie of the lying interpreter and single-cell corruptions
 * violate something, and together the corruptions reach every constraint
 * and every lookup.
 */
#include <stdlib.h>
#include <string.h>

#include "../src/zkvm/zkvm_internal.h"
#include "cairn/witness.h"
#include "harness.h"
#include "zk_util.h"

/* The linear form wr (a 0/1 column), as a gate. */
static zk_lin L1wr(void)
{
    zk_lin l;
    memset(&l, 0, sizeof l);
    l.len = 1;
    l.t[0].idx = ZK_WR;
    l.t[0].c = cairn_fp_one();
    return l;
}

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

/* ---- tables and closed forms --------------------------------------------------------------- */

static void ltab_mle_matches_entries(void)
{
    cairn_fp2 r[ZK_LTAB_VARS], mle[ZK_L_FIELDS];
    size_t N = (size_t)1 << ZK_LTAB_VARS;
    cairn_fp2 *eq = malloc(N * sizeof *eq);
    for (int round = 0; round < 2; round++) {
        for (unsigned i = 0; i < ZK_LTAB_VARS; i++)
            r[i] = test_rand_fp2();
        cairn_poly_eq_table(eq, r, ZK_LTAB_VARS);
        zk_ltab_mle(mle, r);
        cairn_fp2 acc[ZK_L_FIELDS];
        for (unsigned f = 0; f < ZK_L_FIELDS; f++)
            acc[f] = cairn_fp2_zero();
        for (size_t j = 0; j < N; j++) {
            cairn_fp e[ZK_L_FIELDS];
            zk_ltab_entry(e, (uint32_t)j);
            for (unsigned f = 0; f < ZK_L_FIELDS; f++)
                acc[f] = cairn_fp2_add(acc[f], cairn_fp2_mul_fp(eq[j], e[f]));
        }
        for (unsigned f = 0; f < ZK_L_FIELDS; f++)
            CHECK_EQ_FP2(acc[f], mle[f]);
    }
    free(eq);
    /* index <-> entry, and a few tuples that are not entries */
    for (uint32_t j = 0; j < (1u << ZK_LTAB_VARS); j += 1 + (uint32_t)test_rand_below(97)) {
        cairn_fp e[ZK_L_FIELDS];
        zk_ltab_entry(e, j);
        int64_t idx = zk_ltab_index(e);
        if (e[0].v <= 2)
            CHECK(idx == (int64_t)j);
        else
            CHECK(idx == -1);
    }
    cairn_fp bad[ZK_L_FIELDS] = {{0}, {3}, {5}, {2}, {0}, {0}}; /* 3 & 5 = 1 */
    CHECK(zk_ltab_index(bad) == -1);
    bad[3].v = 1;
    CHECK(zk_ltab_index(bad) == 3 + 256 * 5);
    cairn_fp r16[ZK_L_FIELDS] = {{1}, {65536}, {0}, {0}, {0}, {0}};
    CHECK(zk_ltab_index(r16) == -1);
    uint64_t P, sel, fill;
    zk_shift_entry(5, 2, &P, &sel, &fill);
    CHECK(P == (UINT64_C(1) << 27) && sel == 0 && fill == (UINT64_C(1) << 32) - P);
    zk_shift_entry(32 + 3, 0, &P, &sel, &fill); /* shamt = b & 31 */
    CHECK(P == 8 && sel == 1 && fill == 0);
}

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

static void bytecode_mle_matches_entries(void)
{
    size_t len;
    uint8_t *elf = zk_gen_elf(test_rand_u64(), 40, &len);
    struct zkt z;
    if (!zkt_build(&z, elf, len, NULL, 0, 1))
        goto out;
    unsigned nt = zk_tab_vars(&z.bc);
    cairn_fp2 gamma[ZK_BC_FIELDS], r[32], got, want = cairn_fp2_zero();
    for (unsigned i = 0; i < ZK_BC_FIELDS; i++)
        gamma[i] = i ? test_rand_fp2() : cairn_fp2_one();
    for (unsigned i = 0; i < nt; i++)
        r[i] = test_rand_fp2();
    size_t N = (size_t)1 << nt;
    cairn_fp2 *eq = malloc(N * sizeof *eq);
    cairn_poly_eq_table(eq, r, nt);
    for (size_t j = 0; j < N; j++)
        want = cairn_fp2_add(want, cairn_fp2_mul(eq[j], zk_bytecode_fp_entry(&z.bc, gamma, j)));
    CHECK_OK(zk_bytecode_fp_mle(&got, &z.bc, gamma, r, nt, NULL));
    CHECK_EQ_FP2(got, want);
    free(eq);
out:
    zkt_clear(&z);
    free(elf);
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

/* ---- the checker ---------------------------------------------------------------------------- */

static void checker_accepts_honest_runs(void)
{
    unsigned runs = test_iters >= 1000 ? 40 : 8;
    for (unsigned i = 0; i < runs; i++) {
        size_t len;
        uint64_t seed = test_rand_u64();
        uint8_t *elf = zk_gen_elf(seed, 20 + (uint32_t)test_rand_below(200), &len);
        struct zkt z;
        cairn_error err;
        if (zkt_build(&z, elf, len, NULL, 0, 1)) {
            cairn_status st = zk_check(&z.w, &z.air, &z.bc, z.init, &z.ram, &err);
            if (st != CAIRN_OK)
                FAIL("seed 0x%016llx: %s", (unsigned long long)seed, err.msg);
        }
        zkt_clear(&z);
        free(elf);
    }
    /* the smallest program that exits: li a7, 93; ecall */
    struct rvprog p;
    rvp_init(&p);
    rvp_emit(&p, RV_ADDI(17, 0, 93));
    rvp_emit(&p, RV_ECALL);
    size_t len;
    uint8_t *elf = rvp_elf(&p, &len);
    struct zkt z;
    cairn_error err;
    if (zkt_build(&z, elf, len, NULL, 0, 1)) {
        CHECK(z.w.T == 2 && z.w.n == 2); /* at least one padding row */
        CHECK_OK(zk_check(&z.w, &z.air, &z.bc, z.init, &z.ram, &err));
    }
    zkt_clear(&z);
    free(elf);
    rvp_clear(&p);
}

static void checker_rejects_lies(void)
{
    for (int lie = 1; lie < ZK_LIE_COUNT; lie++) {
        uint8_t *elf;
        size_t len;
        cairn_fp *rows;
        uint64_t T;
        if (!zk_find_lie((enum zk_lie)lie, 60, 200, &elf, &len, &rows, &T)) {
            FAIL("lie %d never told in 200 random programs", lie);
            continue;
        }
        struct zkt z;
        cairn_error err;
        if (zkt_build(&z, elf, len, rows, T, 0))
            if (zk_check(&z.w, &z.air, &z.bc, z.init, &z.ram, &err) != CAIRN_ERR_REJECTED)
                FAIL("lie %d accepted by the checker", lie);
        zkt_clear(&z);
        free(rows);
        free(elf);
    }
    /* the honest interpreter agrees with the VM's trace */
    size_t len;
    uint8_t *elf = zk_gen_elf(test_rand_u64() & ~UINT64_C(1), 80, &len);
    cairn_fp *rows;
    uint64_t T;
    if (CHECK(zk_lying_trace(elf, len, ZK_LIE_NONE, &rows, &T))) {
        struct zkt z;
        cairn_error err;
        if (zkt_build(&z, elf, len, rows, T, 1))
            CHECK_OK(zk_check(&z.w, &z.air, &z.bc, z.init, &z.ram, &err));
        zkt_clear(&z);
        free(rows);
    }
    free(elf);
}

/*
 * Gated fractions (numerator sign * gate, docs/ram-io-design.md §4): with
 * one lookup gated by wr, the helpers, the multiplicities and the outer
 * polynomial agree.  Every row's helper identity holds (the group's part
 * of the outer polynomial is 0), and the lookup sum S equals the table
 * side sum_j m_j / (alpha - t_j), which is the LogUp identity itself.
 */
static void gated_fractions_consistent(void)
{
    size_t len;
    uint8_t *elf = zk_gen_elf(test_rand_u64(), 60, &len);
    struct zkt z;
    cairn_fp *h[2 * ZK_MAX_GROUPS] = {NULL};
    cairn_fp *mL = NULL, *mB = NULL;
    cairn_fp2 *tL = NULL;
    if (!zkt_build(&z, elf, len, NULL, 0, 1))
        goto out;
    z.air.frac[0].gate = L1wr();
    CHECK(zk_check(&z.w, &z.air, &z.bc, z.init, &z.ram, NULL) == CAIRN_OK);
    zk_chal ch;
    ch.alpha = test_rand_fp2(), ch.rho = test_rand_fp2();
    for (unsigned t = 0; t < ZK_NTAB; t++) {
        ch.beta[t] = test_rand_fp2();
        for (unsigned i = 0; i < ZK_MAX_FIELDS; i++)
            ch.gamma[t][i] = i ? test_rand_fp2() : cairn_fp2_one();
    }
    size_t rows = (size_t)1 << z.w.n;
    unsigned nt = zk_tab_vars(&z.bc);
    size_t N = (size_t)1 << nt;
    for (unsigned g = 0; g < 2 * z.air.ngroups; g++)
        if ((h[g] = malloc(rows * sizeof *h[g])) == NULL)
            goto out;
    mL = malloc(N * sizeof *mL), mB = malloc(N * sizeof *mB), tL = malloc(N * sizeof *tL);
    if (mL == NULL || mB == NULL || tL == NULL)
        goto out;
    cairn_fp2 sums[ZK_NKIND];
    CHECK(zk_helpers(h, sums, &z.w, &z.air, &ch, NULL) == CAIRN_OK);
    cairn_fp2 S = sums[ZK_G_LOOKUP];
    CHECK(zk_mults(mL, mB, &z.w, &z.air, &z.bc, nt, NULL) == CAIRN_OK);
    /* the table side */
    zk_ltab_fp_table(tL, &ch, nt);
    cairn_fp2 tab = cairn_fp2_zero();
    for (size_t j = 0; j < N; j++) {
        cairn_fp2 tB = cairn_fp2_add(ch.beta[ZK_TAB_B], zk_bytecode_fp_entry(&z.bc, ch.gamma[ZK_TAB_B], j));
        tab = cairn_fp2_add(tab, cairn_fp2_mul_fp(cairn_fp2_inv(cairn_fp2_sub(ch.alpha, tL[j])), mL[j]));
        tab = cairn_fp2_add(tab, cairn_fp2_mul_fp(cairn_fp2_inv(cairn_fp2_sub(ch.alpha, tB)), mB[j]));
    }
    CHECK_EQ_FP2(S, tab);
    /* each row's helper identity for the gated group, through the outer polynomial */
    cairn_fp2 rho_pow[ZK_MAX_R1CS + ZK_MAX_GROUPS + ZK_NKIND];
    size_t np = zk_outer_npow(&z.air);
    for (size_t i = 0; i < np; i++)
        rho_pow[i] = cairn_fp2_zero();
    rho_pow[z.air.nr1cs + 0] = cairn_fp2_one(); /* group 0 holds fraction 0 */
    for (size_t x = 0; x < rows; x += 1 + test_rand_below(5)) {
        cairn_fp zb[ZK_NZ];
        cairn_fp2 z2[ZK_NZ], hv[2 * ZK_MAX_GROUPS];
        zk_witness_z(zb, &z.w, x);
        for (unsigned i = 0; i < ZK_NZ; i++)
            z2[i] = cairn_fp2_from_fp(zb[i]);
        for (unsigned g = 0; g < 2 * z.air.ngroups; g++)
            hv[g] = cairn_fp2_from_fp(h[g][x]);
        CHECK_EQ_FP2(zk_outer_eval(&z.air, &ch, rho_pow, z2, hv, cairn_fp2_one()), cairn_fp2_zero());
    }
out:
    for (unsigned g = 0; g < 2 * ZK_MAX_GROUPS; g++)
        free(h[g]);
    free(mL), free(mB), free(tL);
    zkt_clear(&z);
    free(elf);
}

const struct test_case test_zkvm_air_cases[] = {
    TEST(ram_init_matches_vm_memory),
    TEST(ltab_mle_matches_entries),
    TEST(public_polys_match_brute_force),
    TEST(bytecode_mle_matches_entries),
    TEST(decoder_matches_witness_rows),
    TEST(checker_accepts_honest_runs),
    TEST(checker_rejects_lies),
    TEST(gated_fractions_consistent),
    TEST_END,
};
