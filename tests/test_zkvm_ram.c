/*
 * test_zkvm_ram.c — the RAM part of the row (docs/ram-io-design.md §3, §4)
 * on its own, before it joins the protocol: honest traces of random
 * programs with loads and stores of every width satisfy every RAM
 * constraint, lookup and the memory replay; lying executions (a wrong or
 * stale load, LB computed as LBU, a store to another address, a byte store
 * that clobbers a neighbour, an access outside the region, a store into
 * the program's text) and a single-cell corruption of every RAM column on
 * memory rows are each rejected.
 */
#include <stdlib.h>
#include <string.h>

#include "../src/zkvm/zkvm_internal.h"
#include "cairn/poly.h"
#include "cairn/sumcheck.h"
#include "cairn/transcript.h"
#include "cairn/witness.h"
#include "harness.h"
#include "vm_util.h"
#include "zk_util.h"

#define SCR    256u /* scratch bytes */
#define R_SCR  31u  /* scratch base register */
#define R_LOOP 30u

/* A random program: ALU noise, loads and stores of every width into a scratch buffer, a loop. */
static uint8_t *ram_program(size_t *len)
{
    static const uint32_t lf3[] = {0, 1, 2, 4, 5};
    struct rvprog p;
    uint8_t scratch[SCR];
    rvp_init(&p);
    test_rand_bytes(scratch, sizeof scratch);
    uint32_t base = rvp_data(&p, scratch, sizeof scratch);
    for (uint32_t r = 1; r < 30; r++)
        rvp_li(&p, r, (uint32_t)test_rand_u64());
    rvp_li(&p, R_SCR, base);
    rvp_li(&p, R_LOOP, 1 + (uint32_t)test_rand_below(4));
    size_t top = p.n;
    for (unsigned i = 0; i < 68; i++) {
        uint32_t rd = 1 + (uint32_t)test_rand_below(29), rs = 1 + (uint32_t)test_rand_below(29);
        /* the first eight items are one of each load and store, the rest random */
        switch (i < 8 ? (i < 5 ? 0u : 1u) : (unsigned)test_rand_below(3)) {
        case 0: {
            uint32_t f3 = lf3[i < 5 ? i : test_rand_below(5)], w = 1u << (f3 & 3);
            rvp_emit(&p, rv_i((int32_t)(test_rand_below(SCR / w) * w), R_SCR, f3, rd, 0x03));
            break;
        }
        case 1: {
            uint32_t f3 = i < 8 ? i - 5 : (uint32_t)test_rand_below(3), w = 1u << f3;
            rvp_emit(&p, rv_s((int32_t)(test_rand_below(SCR / w) * w), rs, R_SCR, f3));
            break;
        }
        default:
            rvp_emit(&p, rv_r(0, rs, rd, 0, rd, 0x33));
            break;
        }
    }
    rvp_emit(&p, RV_ADDI(R_LOOP, R_LOOP, -1));
    size_t at = rvp_emit(&p, 0);
    p.code[at] = rv_b(-(int32_t)(4 * (at - top)), 0, R_LOOP, 1);
    rvp_exit(&p, 0);
    uint8_t *elf = rvp_elf(&p, len);
    rvp_clear(&p);
    return elf;
}

/* One program's trace, initial memory and RAM columns. */
struct ramt {
    cairn_program prog;
    cairn_fp *rows; /* T x CAIRN_WIT_WIDTH */
    uint64_t T;
    uint32_t *init; /* 2^k words */
    uint32_t mem_base;
    unsigned k;
    uint64_t text_lo, text_hi;
    zk_ram_air air;
    cairn_fp *z; /* T x ZR_N */
};


static void ramt_clear(struct ramt *t)
{
    cairn_program_clear(&t->prog);
    free(t->rows);
    free(t->init);
    free(t->z);
    memset(t, 0, sizeof *t);
}

static int ramt_build(struct ramt *t, const uint8_t *elf, size_t len)
{
    cairn_error err;
    cairn_witness_oracle *o = NULL;
    cairn_vm vm;
    int ok = 0;
    memset(t, 0, sizeof *t);
    memset(&vm, 0, sizeof vm);
    cairn_program_init(&t->prog);
    cairn_vm_config cfg;
    cairn_vm_config_init(&cfg);
    cfg.stack_size = 4096;
    if (cairn_elf_load(&t->prog, elf, len, &err) != CAIRN_OK ||
        cairn_vm_init(&vm, &t->prog, &cfg, &err) != CAIRN_OK ||
        cairn_witness_oracle_new_table(&o, &t->prog, &cfg, NULL, 0, 1u << 20, 0, &err) !=
            CAIRN_OK) {
        FAIL("setup: %s", err.msg);
        goto out;
    }
    t->k = vm.mem_log2_words;
    t->mem_base = vm.mem_base;
    size_t K = (size_t)1 << t->k;
    t->init = malloc(K * sizeof *t->init);
    t->T = cairn_witness_oracle_cycles(o);
    t->rows = malloc((size_t)t->T * CAIRN_WIT_WIDTH * sizeof *t->rows);
    t->z = malloc((size_t)t->T * ZR_N * sizeof *t->z);
    if (t->init == NULL || t->rows == NULL || t->z == NULL) {
        FAIL("out of memory");
        goto out;
    }
    for (size_t j = 0; j < K; j++)
        t->init[j] = (uint32_t)vm.mem[4 * j] | (uint32_t)vm.mem[4 * j + 1] << 8 |
                     (uint32_t)vm.mem[4 * j + 2] << 16 | (uint32_t)vm.mem[4 * j + 3] << 24;
    struct zk_collect c = {t->rows, t->T};
    if (cairn_rows_stream(cairn_witness_oracle_rows(o), 0, t->T, zk_collect_rows, &c, &err) !=
        CAIRN_OK) {
        FAIL("rows: %s", err.msg);
        goto out;
    }
    zk_ram_text_words(&t->text_lo, &t->text_hi, &t->prog, t->mem_base);
    zk_ram_air_build(&t->air, t->mem_base, NULL);
    ok = 1;
out:
    cairn_witness_oracle_free(o);
    cairn_vm_clear(&vm);
    return ok;
}

static cairn_status ramt_fill(struct ramt *t)
{
    return zk_ram_fill(t->z, t->rows, t->T, t->mem_base, t->k, t->text_lo, t->text_hi, NULL, NULL);
}

static cairn_status ramt_check(const struct ramt *t, cairn_error *err)
{
    return zk_ram_check(t->z, t->T, &t->air, t->init, t->k, t->text_lo, t->text_hi, err);
}

static uint64_t op_of(const struct ramt *t, uint64_t x)
{
    return t->rows[x * CAIRN_WIT_WIDTH + CAIRN_WIT_COL_OP].v;
}

static cairn_fp *cell(struct ramt *t, uint64_t x, unsigned col)
{
    return &t->rows[x * CAIRN_WIT_WIDTH + col];
}

static int is_mem(uint64_t op)
{
    return op >= CAIRN_WIT_OP_LB && op <= CAIRN_WIT_OP_SW;
}

/* The first row at or after `from` running op, or T. */
static uint64_t find_op(const struct ramt *t, uint64_t op, uint64_t from)
{
    for (uint64_t x = from; x < t->T; x++)
        if (op_of(t, x) == op)
            return x;
    return t->T;
}

/* ---- honest runs ----------------------------------------------------------------------------- */

static void ram_honest_runs_pass(void)
{
    unsigned rounds = test_iters >= 1000 ? 12 : 3;
    for (unsigned i = 0; i < rounds; i++) {
        size_t len;
        uint8_t *elf = ram_program(&len);
        struct ramt t;
        if (ramt_build(&t, elf, len)) {
            cairn_error err;
            CHECK(ramt_fill(&t) == CAIRN_OK);
            cairn_status st = ramt_check(&t, &err);
            if (st != CAIRN_OK)
                FAIL("honest run rejected: %s", err.msg);
            else
                test_pass();
            /* the prover's fill (its own replay) gives the same columns on an honest run */
            cairn_fp *z2 = malloc((size_t)t.T * ZR_N * sizeof *z2);
            if (z2 != NULL) {
                CHECK(zk_ram_fill(z2, t.rows, t.T, t.mem_base, t.k, t.text_lo, t.text_hi, t.init,
                                  NULL) == CAIRN_OK);
                CHECK(memcmp(z2, t.z, (size_t)t.T * ZR_N * sizeof *z2) == 0);
                /* and ignores a lying trace's words */
                for (uint64_t x = 0; x < t.T; x++)
                    if (is_mem(op_of(&t, x)))
                        cell(&t, x, CAIRN_WIT_COL_MEM_OLD)->v ^= 1,
                            cell(&t, x, CAIRN_WIT_COL_MEM_NEW)->v ^= 2;
                CHECK(zk_ram_fill(z2, t.rows, t.T, t.mem_base, t.k, t.text_lo, t.text_hi, t.init,
                                  NULL) == CAIRN_OK);
                CHECK(memcmp(z2, t.z, (size_t)t.T * ZR_N * sizeof *z2) == 0);
                /* an access outside the region cannot be filled */
                uint64_t x = find_op(&t, CAIRN_WIT_OP_LW, 0);
                if (x < t.T) {
                    cell(&t, x, CAIRN_WIT_COL_RS1_VAL)->v =
                        (uint32_t)(t.mem_base - 4 - (uint32_t)cell(&t, x, CAIRN_WIT_COL_IMM)->v);
                    CHECK(zk_ram_fill(z2, t.rows, t.T, t.mem_base, t.k, t.text_lo, t.text_hi,
                                      t.init, NULL) == CAIRN_ERR_ARG);
                }
                free(z2);
            }
            unsigned widths = 0;
            for (uint64_t x = 0; x < t.T; x++)
                if (is_mem(op_of(&t, x)))
                    widths |= 1u << (op_of(&t, x) - CAIRN_WIT_OP_LB);
            CHECK(widths == 0xff); /* all eight loads and stores ran */
        }
        ramt_clear(&t);
        free(elf);
    }
}

/* ---- lying executions --------------------------------------------------------------------------
 */

enum ram_lie {
    LIE_LOAD_WRONG,
    LIE_LOAD_STALE,
    LIE_LB_AS_LBU,
    LIE_STORE_ELSEWHERE,
    LIE_SB_CLOBBERS,
    LIE_OUT_OF_REGION,
    LIE_STORE_TEXT,
    LIE_STORE_TEXT_RO0,
    LIE_COUNT
};

/*
 * Tell one lie in the trace (and, for the cheating cases, in the columns
 * after the fill); returns 0 when the program offers no place for it.
 */
static int tell(struct ramt *t, enum ram_lie lie)
{
    uint64_t x, T = t->T;
    switch (lie) {
    case LIE_LOAD_WRONG:
        if ((x = find_op(t, CAIRN_WIT_OP_LW, 0)) == T)
            return 0;
        cell(t, x, CAIRN_WIT_COL_RD_VAL)->v ^= 0x10;
        return ramt_fill(t) == CAIRN_OK;
    case LIE_LOAD_STALE: {
        /* a word load after a store changed its word: return (and claim to read) the old word */
        for (x = 0; x < T; x++) {
            if (op_of(t, x) != CAIRN_WIT_OP_LW)
                continue;
            uint32_t wa = (uint32_t)cell(t, x, CAIRN_WIT_COL_MEM_ADDR)->v;
            for (uint64_t y = x; y-- > 0;) {
                uint64_t op = op_of(t, y);
                if (!is_mem(op) || ((uint32_t)cell(t, y, CAIRN_WIT_COL_MEM_ADDR)->v & ~3u) != wa)
                    continue;
                if (op >= CAIRN_WIT_OP_SB &&
                    cell(t, y, CAIRN_WIT_COL_MEM_OLD)->v != cell(t, y, CAIRN_WIT_COL_MEM_NEW)->v) {
                    cairn_fp stale = *cell(t, y, CAIRN_WIT_COL_MEM_OLD);
                    *cell(t, x, CAIRN_WIT_COL_RD_VAL) = stale;
                    *cell(t, x, CAIRN_WIT_COL_MEM_OLD) = stale;
                    *cell(t, x, CAIRN_WIT_COL_MEM_NEW) = stale;
                    return ramt_fill(t) == CAIRN_OK;
                }
                break; /* the latest access was not a changing store */
            }
        }
        return 0;
    }
    case LIE_LB_AS_LBU:
        for (x = 0; x < T; x++) {
            if (op_of(t, x) == CAIRN_WIT_OP_LB &&
                (cell(t, x, CAIRN_WIT_COL_RD_VAL)->v >> 31) != 0) {
                cell(t, x, CAIRN_WIT_COL_RD_VAL)->v &= 0xff;
                return ramt_fill(t) == CAIRN_OK;
            }
        }
        return 0;
    case LIE_STORE_ELSEWHERE:
        if ((x = find_op(t, CAIRN_WIT_OP_SW, 0)) == T)
            return 0;
        cell(t, x, CAIRN_WIT_COL_MEM_ADDR)->v += 4;
        return ramt_fill(t) == CAIRN_OK;
    case LIE_SB_CLOBBERS:
        if ((x = find_op(t, CAIRN_WIT_OP_SB, 0)) == T)
            return 0;
        {
            uint32_t sh = 8 * ((((uint32_t)cell(t, x, CAIRN_WIT_COL_MEM_ADDR)->v & 3) + 1) & 3);
            cell(t, x, CAIRN_WIT_COL_MEM_NEW)->v ^= UINT64_C(0x5a) << sh;
        }
        return ramt_fill(t) == CAIRN_OK;
    case LIE_OUT_OF_REGION:
        /* a word load one word below the region, with a self-consistent address */
        if ((x = find_op(t, CAIRN_WIT_OP_LW, 0)) == T)
            return 0;
        {
            uint32_t ea = t->mem_base - 4, imm = (uint32_t)cell(t, x, CAIRN_WIT_COL_IMM)->v;
            cell(t, x, CAIRN_WIT_COL_RS1_VAL)->v = (uint32_t)(ea - imm);
            cell(t, x, CAIRN_WIT_COL_MEM_ADDR)->v = ea;
            cell(t, x, CAIRN_WIT_COL_MEM_OLD)->v = 0;
            cell(t, x, CAIRN_WIT_COL_MEM_NEW)->v = 0;
            cell(t, x, CAIRN_WIT_COL_RD_VAL)->v = 0;
        }
        return ramt_fill(t) == CAIRN_OK;
    case LIE_STORE_TEXT:
    case LIE_STORE_TEXT_RO0:
        /* a word store over the first instruction, address and words self-consistent */
        if ((x = find_op(t, CAIRN_WIT_OP_SW, 0)) == T || t->text_hi == 0)
            return 0;
        {
            uint32_t ea = t->mem_base + 4 * (uint32_t)t->text_lo;
            uint32_t imm = (uint32_t)cell(t, x, CAIRN_WIT_COL_IMM)->v;
            cell(t, x, CAIRN_WIT_COL_RS1_VAL)->v = (uint32_t)(ea - imm);
            cell(t, x, CAIRN_WIT_COL_MEM_ADDR)->v = ea;
            cell(t, x, CAIRN_WIT_COL_MEM_OLD)->v = t->init[t->text_lo];
            cell(t, x, CAIRN_WIT_COL_MEM_NEW)->v = cell(t, x, CAIRN_WIT_COL_RS2_VAL)->v;
            if (ramt_fill(t) != CAIRN_OK)
                return 0;
            /* the access must be the word's first, else the replay trips on the next one */
            for (uint64_t y = 0; y < x; y++)
                if (is_mem(op_of(t, y)) && cell(t, y, CAIRN_WIT_COL_MEM_ADDR)->v / 4 == ea / 4)
                    return 0;
            if (lie == LIE_STORE_TEXT_RO0)
                t->z[x * ZR_N + ZR_RO] = cairn_fp_zero();
        }
        return 1;
    default:
        return 0;
    }
}

static void ram_lies_rejected(void)
{
    static const char *const names[LIE_COUNT] = {"load returns a wrong value",
                                                 "load returns a stale value",
                                                 "LB computed as LBU",
                                                 "store to another address",
                                                 "byte store clobbers a neighbour",
                                                 "access below the region",
                                                 "store into text",
                                                 "store into text claiming a writable word"};
    for (int lie = 0; lie < LIE_COUNT; lie++) {
        int told = 0;
        for (unsigned tries = 0; tries < 50 && !told; tries++) {
            size_t len;
            uint8_t *elf = ram_program(&len);
            struct ramt t;
            if (ramt_build(&t, elf, len) && tell(&t, (enum ram_lie)lie)) {
                told = 1;
                cairn_error err;
                if (ramt_check(&t, &err) != CAIRN_ERR_REJECTED)
                    FAIL("lie '%s' accepted", names[lie]);
                else
                    test_pass();
            }
            ramt_clear(&t);
            free(elf);
        }
        if (!told)
            FAIL("lie '%s' never told", names[lie]);
    }
}

/* ---- single-cell corruptions -------------------------------------------------------------------
 */

/*
 * Every column the RAM part owns (ea .. em), corrupted by one on a memory
 * row of each kind, is rejected: by a constraint, a lookup, or the replay.
 * (The shared inputs v1, v2, off, res, c0, c1 and the flags are bound by the
 * base row: registers, bytecode, byte lookups.)
 */
static void ram_corruptions_rejected(void)
{
    size_t len;
    uint8_t *elf = ram_program(&len);
    struct ramt t;
    if (!ramt_build(&t, elf, len) || ramt_fill(&t) != CAIRN_OK)
        goto out;
    for (uint64_t op = CAIRN_WIT_OP_LB; op <= CAIRN_WIT_OP_SW; op++) {
        uint64_t x = find_op(&t, op, 0);
        if (x == t.T) {
            FAIL("no row runs op %llu", (unsigned long long)op);
            continue;
        }
        for (unsigned c = ZR_EA; c <= ZR_EM; c++) {
            cairn_fp save = t.z[x * ZR_N + c];
            t.z[x * ZR_N + c] = cairn_fp_add(save, cairn_fp_one());
            cairn_error err;
            if (ramt_check(&t, &err) != CAIRN_ERR_REJECTED)
                FAIL("column %s + 1 on a %s row accepted", zk_ram_col_names[c],
                     cairn_wit_op_name((cairn_wit_op)op));
            else
                test_pass();
            t.z[x * ZR_N + c] = save;
        }
    }
    cairn_error err;
    CHECK(ramt_check(&t, &err) == CAIRN_OK);
out:
    ramt_clear(&t);
    free(elf);
}

/* ---- the boundary side: final memory and the memory sum-check ----------------------------------
 */

enum mem_cheat { MC_NONE, MC_FINAL_VALUE, MC_FINAL_TS, MC_HELPER, MC_COUNT };

/*
 * Prove the memory sum-check for a run (optionally cheating on the final
 * memory or a helper) and verify it as the verifier will: the public
 * columns (initial memory, ro, id, eq) evaluated independently.  Returns
 * the verifier's status.
 */
static cairn_status mem_sumcheck(struct ramt *t, enum mem_cheat cheat)
{
    size_t K = (size_t)1 << t->k;
    cairn_status st = CAIRN_ERR_NOMEM;
    cairn_error err;
    zk_ram_chal ch;
    ch.alpha = test_rand_fp2(), ch.beta = test_rand_fp2(), ch.gamma[0] = cairn_fp2_one();
    for (unsigned i = 1; i < 4; i++)
        ch.gamma[i] = test_rand_fp2();
    uint32_t *fv = malloc(K * sizeof *fv);
    uint64_t *fts = malloc(K * sizeof *fts);
    cairn_fp2 *gI = malloc(K * sizeof *gI), *gF = malloc(K * sizeof *gF),
              *eq = malloc(K * sizeof *eq);
    cairn_fp *cols[9] = {NULL};
    cairn_sumcheck_proof proof;
    cairn_sumcheck_proof_init(&proof);
    int have = 1;
    for (unsigned i = 0; i < 9; i++)
        have &= (cols[i] = malloc(K * sizeof *cols[i])) != NULL;
    if (!fv || !fts || !gI || !gF || !eq || !have)
        goto out;
    cairn_fp2 M;
    CHECK(zk_ram_row_sum(&M, t->z, t->T, &t->air, &ch, NULL) == CAIRN_OK);
    CHECK(zk_ram_boundary(fv, fts, gI, gF, t->z, t->T, &t->air, t->init, t->k, t->text_lo,
                          t->text_hi, &ch, NULL) == CAIRN_OK);
    /* the multiset identity itself: init + writes = reads + final */
    cairn_fp2 bsum = cairn_fp2_zero();
    for (size_t j = 0; j < K; j++)
        bsum = cairn_fp2_add(bsum, cairn_fp2_sub(gF[j], gI[j]));
    CHECK_EQ_FP2(bsum, M);
    /* a cheat: the word written last gets another final value or timestamp (helper recomputed) */
    size_t last = K;
    for (uint64_t x = t->T; x-- > 0 && last == K;)
        if (zk_lin_eval_fp(&t->air.fmem, t->z + x * ZR_N).v != 0)
            last = (size_t)zk_lin_eval_fp(&t->air.wa, t->z + x * ZR_N).v;
    if (last == K)
        goto out;
    if (cheat == MC_FINAL_VALUE)
        fv[last] ^= 1;
    if (cheat == MC_FINAL_TS)
        fts[last] = 0;
    if (cheat == MC_FINAL_VALUE || cheat == MC_FINAL_TS) {
        cairn_fp2 ro = last >= t->text_lo && last < t->text_hi ? cairn_fp2_one() : cairn_fp2_zero();
        cairn_fp2 fp = zk_ram_fp(&ch, cairn_fp2_make(cairn_fp_from_u64(last), cairn_fp_zero()), ro,
                                 cairn_fp2_make(cairn_fp_from_u64(fv[last]), cairn_fp_zero()),
                                 cairn_fp2_make(cairn_fp_from_u64(fts[last]), cairn_fp_zero()));
        gF[last] = cairn_fp2_inv(cairn_fp2_sub(ch.alpha, fp));
    }
    if (cheat == MC_HELPER)
        gI[test_rand_below(K)] = cairn_fp2_add(gI[0], cairn_fp2_one());
    for (size_t j = 0; j < K; j++) {
        cols[0][j] = cairn_fp_from_u64(fv[j]);
        cols[1][j] = cairn_fp_from_u64(fts[j]);
        cols[2][j] = cairn_fp_from_u64(t->init[j]);
        cols[3][j] = cairn_fp_from_u64(j >= t->text_lo && j < t->text_hi);
        cols[4][j] = cairn_fp_from_u64(j);
        cols[5][j] = gF[j].c0, cols[6][j] = gF[j].c1, cols[7][j] = gI[j].c0, cols[8][j] = gI[j].c1;
    }
    cairn_fp2 tau[ZK_MAX_VARS], rho3 = test_rand_fp2(), rho4 = test_rand_fp2();
    for (unsigned i = 0; i < t->k; i++)
        tau[i] = test_rand_fp2();
    cairn_poly_eq_table(eq, tau, t->k);
    const cairn_fp *base[ZK_MV_N] = {cols[5], cols[6], cols[7], cols[8], cols[0],
                                     cols[1], cols[2], cols[3], cols[4], NULL};
    const cairn_fp2 *ext[ZK_MV_N] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, eq};
    zk_ram_ctx ctx = {&ch, rho3, rho4};
    cairn_fp2 claim = cairn_fp2_mul(rho4, M), point[ZK_MAX_VARS], evals[ZK_MV_N];
    cairn_transcript tp, tv;
    cairn_transcript_init(&tp, "test/ram");
    cairn_transcript_init(&tv, "test/ram");
    if ((st = zk_sumcheck_prove(&proof, point, evals, &tp, ZK_MV_N, base, ext, t->k, ZK_MEM_DEGREE,
                                claim, zk_ram_point, &ctx, 1, &err)) != CAIRN_OK) {
        FAIL("prove: %s", err.msg);
        goto out;
    }
    /* the verifier: the sum-check, then its own public columns at the point */
    cairn_fp2 vpoint[ZK_MAX_VARS], expected;
    if ((st = cairn_sumcheck_verify(vpoint, &expected, &tv, &proof, t->k, ZK_MEM_DEGREE, claim,
                                    &err)) != CAIRN_OK)
        goto out;
    cairn_fp2 v[ZK_MV_N];
    for (unsigned i = 0; i < ZK_MEM_EVALS; i++)
        v[i] = evals[i]; /* PCS openings, in the protocol */
    CHECK(zk_ram_init_eval(&v[ZK_MV_INIT], &t->prog, t->mem_base, t->k, vpoint, NULL) == CAIRN_OK);
    v[ZK_MV_RO] = zk_ram_interval_eval(vpoint, t->k, t->text_lo, t->text_hi);
    v[ZK_MV_ID] = zk_id_eval(vpoint, t->k);
    v[ZK_MV_EQ] = cairn_poly_eq_eval(tau, vpoint, t->k);
    for (unsigned i = ZK_MV_INIT; i < ZK_MV_N; i++)
        CHECK_EQ_FP2(v[i], evals[i]); /* the prover's tables are the public ones */
    st = cairn_fp2_eq(zk_ram_point(&ctx, v), expected) ? CAIRN_OK : CAIRN_ERR_REJECTED;
out:
    cairn_sumcheck_proof_clear(&proof);
    free(fv), free(fts), free(gI), free(gF), free(eq);
    for (unsigned i = 0; i < 9; i++)
        free(cols[i]);
    return st;
}

static void ram_memory_sumcheck(void)
{
    static const char *const names[MC_COUNT] = {"honest", "final value", "final timestamp",
                                                "helper"};
    size_t len;
    uint8_t *elf = ram_program(&len);
    struct ramt t;
    if (ramt_build(&t, elf, len) && ramt_fill(&t) == CAIRN_OK) {
        for (int c = 0; c < MC_COUNT; c++) {
            cairn_status st = mem_sumcheck(&t, (enum mem_cheat)c);
            if (st != (c == MC_NONE ? CAIRN_OK : CAIRN_ERR_REJECTED))
                FAIL("memory sum-check, %s: %s", names[c], cairn_status_str(st));
            else
                test_pass();
        }
    }
    ramt_clear(&t);
    free(elf);
}

/* ---- the decoder
 * --------------------------------------------------------------------------------- */

/*
 * zk_decode_mem against the witness module's rows (op, registers,
 * immediate) of random programs, and on every funct3 of both opcodes.
 */
static void ram_decoder_matches_rows(void)
{
    static const unsigned flag_of_op[8] = {ZR_F_LB, ZR_F_LH, ZR_F_LW, ZR_F_LBU, ZR_F_LHU,
                                           ZR_F_SB, ZR_F_SH, ZR_F_SW}; /* op order LB .. SW */
    size_t len;
    uint8_t *elf = ram_program(&len);
    struct ramt t;
    unsigned seen = 0;
    if (ramt_build(&t, elf, len)) {
        for (uint64_t x = 0; x < t.T; x++) {
            uint64_t op = op_of(&t, x);
            zk_mem_insn d;
            int got = zk_decode_mem(&d, (uint32_t)cell(&t, x, CAIRN_WIT_COL_INSN)->v);
            CHECK(got == is_mem(op));
            if (!got || !is_mem(op))
                continue;
            seen |= 1u << (op - CAIRN_WIT_OP_LB);
            CHECK(d.flag == flag_of_op[op - CAIRN_WIT_OP_LB]);
            CHECK(d.off == (uint32_t)cell(&t, x, CAIRN_WIT_COL_IMM)->v);
            CHECK(d.rs1 == cell(&t, x, CAIRN_WIT_COL_RS1)->v);
            CHECK(d.rs2 == cell(&t, x, CAIRN_WIT_COL_RS2)->v);
            CHECK(d.rd == cell(&t, x, CAIRN_WIT_COL_RD)->v);
        }
        CHECK(seen == 0xff);
    }
    ramt_clear(&t);
    free(elf);
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

const struct test_case test_zkvm_ram_cases[] = {
    TEST(ram_honest_runs_pass), TEST(ram_lies_rejected),        TEST(ram_corruptions_rejected),
    TEST(ram_memory_sumcheck),  TEST(ram_decoder_matches_rows), TEST_END,
};
