/*
 * test_vm_diff.c — differential tests of the VM against qemu-riscv32
 * (DESIGN.md §5: every fast routine has a slow, obviously correct twin).
 *
 * random_programs: our own generator of RV32IM programs, emitted as machine
 * code into a minimal ELF (tests/vm_util.c).  Each program sets every
 * register to random or edge values, runs a random mix of every RV32IM
 * instruction (all load/store widths at data-dependent addresses inside a
 * scratch buffer, forward branches, JAL and JALR including targets with bit
 * 0 set, short counted loops), then writes the scratch buffer and all 32
 * registers to fd 1 and exits with a register's value.  Our VM and qemu must
 * agree on the output bytes and the exit status.  A failure prints the
 * program's seed (replay one program with CAIRN_VM_DIFF_SEED=0x...) and the
 * first differing register or byte.
 *
 * faults_match_qemu: programs that end in a fault must fault under both.
 * examples_match_qemu: every example guest (rv32i and rv32im) gives the same
 * output and status under both, on a few inputs; sha256 also matches OpenSSL.
 */
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "vm_util.h"

/* ---- generator --------------------------------------------------------------------------- */

#define SCRATCH_LEN 384u /* bytes the program may touch */
#define DUMP_LEN (SCRATCH_LEN + 128u)
#define REG_S 31u /* scratch base + 64 */
#define REG_T VMT_REG_T
#define NUM_FREE VMT_NUM_FREE



/* One ALU instruction (register or immediate form, M included, LUI/AUIPC). */
static void gen_alu(struct vmt_gen *g)
{
    struct rvprog *p = g->p;
    uint32_t kind = vmt_gen_below(g, 10);
    if (kind < 4) { /* OP and M */
        static const uint32_t f7[] = {0, 0x20, 1};
        uint32_t sel = vmt_gen_below(g, 18), w;
        if (sel < 8)
            w = rv_r(0, vmt_gen_rs(g), vmt_gen_rs(g), sel, vmt_gen_rd(g), 0x33);
        else if (sel < 10)
            w = rv_r(f7[1], vmt_gen_rs(g), vmt_gen_rs(g), sel == 8 ? 0 : 5, vmt_gen_rd(g), 0x33);
        else
            w = rv_r(f7[2], vmt_gen_rs(g), vmt_gen_rs(g), sel - 10, vmt_gen_rd(g), 0x33);
        rvp_emit(p, w);
    } else if (kind < 8) { /* OP-IMM */
        uint32_t f3 = vmt_gen_below(g, 8);
        if (f3 == 1)
            rvp_emit(p, rv_i((int32_t)vmt_gen_below(g, 32), vmt_gen_rs(g), 1, vmt_gen_rd(g), 0x13));
        else if (f3 == 5)
            rvp_emit(p, rv_i((int32_t)(vmt_gen_below(g, 32) | (vmt_gen_below(g, 2) ? 0x400u : 0)), vmt_gen_rs(g), 5,
                             vmt_gen_rd(g), 0x13));
        else
            rvp_emit(p, rv_i(vmt_gen_imm12(g), vmt_gen_rs(g), f3, vmt_gen_rd(g), 0x13));
    } else if (kind == 8) {
        rvp_emit(p, rv_u(vmt_gen_value(g), vmt_gen_rd(g), 0x37));
    } else {
        rvp_emit(p, rv_u(vmt_gen_value(g), vmt_gen_rd(g), 0x17));
    }
}

/* A load or store at scratch + 64 + (rA & 0xfc) + imm, naturally aligned. */
static void gen_mem(struct vmt_gen *g)
{
    struct rvprog *p = g->p;
    static const uint32_t lf3[] = {0, 1, 2, 4, 5}, sf3[] = {0, 1, 2};
    uint32_t store = vmt_gen_below(g, 2);
    uint32_t f3 = store ? sf3[vmt_gen_below(g, 3)] : lf3[vmt_gen_below(g, 5)];
    uint32_t width = 1u << (f3 & 3);
    int32_t imm = ((int32_t)vmt_gen_below(g, 128) - 64) & ~(int32_t)(width - 1);
    rvp_emit(p, rv_i(0xfc, vmt_gen_rs(g), 7, REG_T, 0x13));     /* andi t, rA, 0xfc */
    rvp_emit(p, rv_r(0, REG_S, REG_T, 0, REG_T, 0x33));   /* add t, t, s */
    if (store)
        rvp_emit(p, rv_s(imm, vmt_gen_rs(g), REG_T, f3));
    else
        rvp_emit(p, rv_i(imm, REG_T, f3, vmt_gen_rd(g), 0x03));
}

/* A straight-line item: ALU (3/4) or memory (1/4). */
static void gen_simple(struct vmt_gen *g)
{
    if (vmt_gen_below(g, 4) == 0)
        gen_mem(g);
    else
        gen_alu(g);
}

static void gen_item(struct vmt_gen *g)
{
    struct rvprog *p = g->p;
    uint32_t kind = vmt_gen_below(g, 20);
    if (kind < 12) {
        gen_simple(g);
    } else if (kind < 14) {
        vmt_gen_branch_fwd(g, gen_simple);
    } else if (kind == 14) {
        vmt_gen_jal_fwd(g, gen_simple);
    } else if (kind == 15) {
        vmt_gen_jalr_fwd(g, gen_simple);
    } else if (kind == 16) { /* M op on edge operands */
        uint32_t a = 1 + vmt_gen_below(g, NUM_FREE - 1), b = 1 + vmt_gen_below(g, NUM_FREE - 1);
        rvp_li(p, a, vmt_gen_edge(g));
        rvp_li(p, b, vmt_gen_edge(g));
        rvp_emit(p, rv_r(1, b, a, vmt_gen_below(g, 8), vmt_gen_rd(g), 0x33));
    } else if (kind == 17) { /* shifts by register with edge amounts */
        uint32_t a = 1 + vmt_gen_below(g, NUM_FREE - 1);
        rvp_li(p, a, vmt_gen_below(g, 2) ? vmt_gen_below(g, 64) : (uint32_t)vmt_gen_next(g));
        static const uint32_t sh[][2] = {{0, 1}, {0, 5}, {0x20, 5}};
        uint32_t s = vmt_gen_below(g, 3);
        rvp_emit(p, rv_r(sh[s][0], a, vmt_gen_rs(g), sh[s][1], vmt_gen_rd(g), 0x33));
    } else {
        vmt_gen_loop(g, gen_simple);
    }
}

/* Build one random program from `seed`. */
static void gen_program(struct rvprog *p, uint64_t seed, uint32_t items)
{
    struct vmt_gen g = {seed, p, 0};
    uint8_t scratch[DUMP_LEN];
    for (size_t i = 0; i < SCRATCH_LEN; i++)
        scratch[i] = (uint8_t)vmt_gen_next(&g);
    memset(scratch + SCRATCH_LEN, 0, DUMP_LEN - SCRATCH_LEN);
    rvp_init(p);
    g.p = p;
    g.scratch = rvp_data(p, scratch, sizeof scratch);
    for (uint32_t r = 1; r < 32; r++)
        rvp_li(p, r, vmt_gen_value(&g));
    rvp_li(p, REG_S, g.scratch + 64);
    for (uint32_t i = 0; i < items; i++)
        gen_item(&g);
    /* dump: registers after the scratch bytes, then write(1, scratch, DUMP_LEN), exit(x5) */
    for (uint32_t r = 0; r < 32; r++)
        rvp_emit(p, RV_SW(r, REG_S, (int32_t)(SCRATCH_LEN - 64 + 4 * r)));
    rvp_li(p, 10, 1);
    rvp_li(p, 11, g.scratch);
    rvp_li(p, 12, DUMP_LEN);
    rvp_li(p, 17, 64);
    rvp_emit(p, RV_ECALL);
    rvp_emit(p, RV_LW(10, REG_S, (int32_t)(SCRATCH_LEN - 64 + 4 * 5)));
    rvp_li(p, 17, 93);
    rvp_emit(p, RV_ECALL);
}

/* Compare one program under both; returns 1 when they agree. */
static int diff_one(uint64_t seed, uint32_t items, int *qemu_missing)
{
    struct rvprog p;
    struct vmt_result r;
    cairn_error err;
    uint8_t *qout = NULL;
    size_t qlen = 0, elf_len = 0;
    int qstatus = 0, ok = 1;
    char why[200];
    gen_program(&p, seed, items);
    uint8_t *elf = rvp_elf(&p, &elf_len);
    cairn_status st = vmt_run(elf, elf_len, NULL, 0, UINT64_C(10000000), &r, &err);
    if (vmt_qemu(elf, elf_len, NULL, 0, &qout, &qlen, &qstatus, why, sizeof why) != 0) {
        *qemu_missing = 1;
        FAIL("%s", why);
        ok = 0;
        goto out;
    }
    if (st != CAIRN_OK) {
        ok = FAIL("seed 0x%016llx: VM error %s", (unsigned long long)seed, err.msg);
        goto out;
    }
    if (r.halt != CAIRN_VM_EXITED) {
        ok = FAIL("seed 0x%016llx: VM %s (%s), qemu status %d", (unsigned long long)seed,
                  cairn_vm_halt_str(r.halt), r.fault.msg, qstatus);
        goto out;
    }
    if (qlen != r.out_len || memcmp(qout, r.out, qlen) != 0) {
        size_t i = 0, n = qlen < r.out_len ? qlen : r.out_len;
        while (i < n && qout[i] == r.out[i])
            i++;
        if (i == n) {
            ok = FAIL("seed 0x%016llx: output lengths differ: VM %zu, qemu %zu", (unsigned long long)seed,
                      r.out_len, qlen);
        } else if (i >= SCRATCH_LEN) {
            uint32_t reg = (uint32_t)(i - SCRATCH_LEN) / 4, vv = 0, qv = 0;
            memcpy(&vv, r.out + SCRATCH_LEN + 4 * reg, 4);
            memcpy(&qv, qout + SCRATCH_LEN + 4 * reg, 4);
            ok = FAIL("seed 0x%016llx: first difference in x%u: VM 0x%08x, qemu 0x%08x",
                      (unsigned long long)seed, reg, vv, qv);
        } else {
            ok = FAIL("seed 0x%016llx: first difference at scratch byte %zu: VM 0x%02x, qemu 0x%02x",
                      (unsigned long long)seed, i, r.out[i], qout[i]);
        }
        goto out;
    }
    if ((int)(r.exit_code & 0xff) != qstatus)
        ok = FAIL("seed 0x%016llx: exit status VM %u, qemu %d", (unsigned long long)seed,
                  r.exit_code & 0xff, qstatus);
out:
    if (!ok)
        printf("    replay: CAIRN_VM_DIFF_SEED=0x%016llx cairn-tests --filter vm_diff/random\n",
               (unsigned long long)seed);
    free(qout);
    free(elf);
    vmt_result_clear(&r);
    rvp_clear(&p);
    return ok;
}

static void random_programs(void)
{
    const char *env = getenv("CAIRN_VM_DIFF_SEED");
    int missing = 0;
    if (env != NULL && env[0] != '\0') {
        uint64_t seed = strtoull(env, NULL, 0);
        if (diff_one(seed, 300, &missing))
            test_pass();
        return;
    }
    /* at least 200 programs per run; more with --iters above 1000 */
    unsigned long n = test_iters / 5 < 200 ? 200 : test_iters / 5, failures = 0;
    for (unsigned long i = 0; i < n && failures < 3 && !missing; i++) {
        uint64_t seed = test_rand_u64();
        uint32_t items = 50 + (uint32_t)test_rand_below(400);
        if (diff_one(seed, items, &missing))
            test_pass();
        else
            failures++;
    }
}

/* ---- faults -------------------------------------------------------------------------------- */

/* Programs that fault: the VM must fault with `kind`; qemu must not exit normally. */
static void faults_match_qemu(void)
{
    static const struct {
        const char *name;
        cairn_vm_fault_kind kind;
        int qemu_faults; /* 0: a documented difference (qemu implements Zicsr) */
    } cases[] = {
        {"illegal word 0", CAIRN_FAULT_ILLEGAL, 1},
        {"load below memory", CAIRN_FAULT_LOAD_RANGE, 1},
        {"store into text", CAIRN_FAULT_STORE_TEXT, 1},
        {"jump outside text", CAIRN_FAULT_FETCH, 1},
        {"jalr to pc+2", CAIRN_FAULT_JUMP_MISALIGNED, 1},
        {"ebreak", CAIRN_FAULT_EBREAK, 1},
        {"csrr cycle", CAIRN_FAULT_ILLEGAL, 0},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct rvprog p;
        rvp_init(&p);
        uint8_t d[16] = {0};
        rvp_data(&p, d, sizeof d);
        rvp_li(&p, 5, 12345);
        switch (c) {
        case 0: rvp_emit(&p, 0); break;
        case 1: rvp_li(&p, 6, 0x100); rvp_emit(&p, RV_LW(7, 6, 0)); break;
        case 2: rvp_li(&p, 6, RVP_CODE_BASE); rvp_emit(&p, RV_SW(5, 6, 0)); break;
        case 3: rvp_li(&p, 6, RVP_DATA_BASE); rvp_emit(&p, RV_JALR(1, 6, 0)); break;
        case 4:
            rvp_emit(&p, rv_u(0, 6, 0x17));
            rvp_emit(&p, RV_JALR(1, 6, 10));
            rvp_emit(&p, RV_ADDI(0, 0, 0));
            rvp_emit(&p, RV_ADDI(0, 0, 0));
            break;
        case 5: rvp_emit(&p, RV_EBREAK); break;
        case 6: rvp_emit(&p, UINT32_C(0xc0002573)); break; /* csrrs a0, cycle, x0 */
        }
        rvp_exit(&p, 0);
        size_t len;
        uint8_t *elf = rvp_elf(&p, &len), *qout = NULL;
        size_t qlen;
        int qs = 0;
        char why[200];
        struct vmt_result r;
        cairn_error err;
        CHECK_OK(vmt_run(elf, len, NULL, 0, 1000, &r, &err));
        if (r.halt != CAIRN_VM_FAULTED || r.fault.kind != cases[c].kind)
            FAIL("%s: VM %s / %s (%s)", cases[c].name, cairn_vm_halt_str(r.halt),
                 cairn_vm_fault_str(r.fault.kind), r.fault.msg);
        if (vmt_qemu(elf, len, NULL, 0, &qout, &qlen, &qs, why, sizeof why) != 0)
            FAIL("%s", why);
        else if (cases[c].qemu_faults && qs == 0)
            FAIL("%s: qemu-riscv32 exited normally; the VM faulted with %s", cases[c].name,
                 r.fault.msg);
        else
            test_pass();
        free(qout);
        free(elf);
        vmt_result_clear(&r);
        rvp_clear(&p);
    }
}

/* ---- example guests ------------------------------------------------------------------------ */

static void put_u32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static void examples_match_qemu(void)
{
    static const char *const archs[] = {"rv32i", "rv32im"};
    static const char *const names[] = {"hello", "fib", "sha256", "sort", "sieve", "loop"};
    uint8_t inputs[4][1000];
    size_t input_len[4] = {0, 4, 4, 1000};
    put_u32(inputs[1], 10);
    put_u32(inputs[2], 3000);
    for (size_t i = 0; i < 1000; i++)
        inputs[3][i] = (uint8_t)test_rand_u64();
    inputs[3][2] = 0; /* keep counts modest: u32 < 2^16 */
    inputs[3][3] = 0;
    for (size_t a = 0; a < 2; a++) {
        for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
            char path[512];
            snprintf(path, sizeof path, "%s/%s/%s.elf", vmt_guest_dir(), archs[a], names[n]);
            size_t elf_len = 0;
            uint8_t *elf = vmt_read_file(path, &elf_len);
            if (elf == NULL) {
                FAIL("%s missing: build the guests with `make guests`", path);
                continue;
            }
            for (size_t in = 0; in < 4; in++) {
                struct vmt_result r;
                cairn_error err;
                uint8_t *qout = NULL;
                size_t qlen = 0;
                int qs = 0;
                char why[200];
                CHECK_OK(vmt_run(elf, elf_len, inputs[in], input_len[in], UINT64_C(2000000000), &r,
                                 &err));
                if (vmt_qemu_file(path, inputs[in], input_len[in], &qout, &qlen, &qs, why,
                                  sizeof why) != 0) {
                    FAIL("%s", why);
                } else if (r.halt != CAIRN_VM_EXITED || (int)(r.exit_code & 0xff) != qs ||
                           qlen != r.out_len || memcmp(qout, r.out, qlen) != 0) {
                    FAIL("%s input %zu: VM %s status %u output '%.60s', qemu status %d output "
                         "'%.60s' %s",
                         path, in, cairn_vm_halt_str(r.halt), r.exit_code & 0xff,
                         r.out ? (const char *)r.out : "", qs, qout ? (const char *)qout : "",
                         r.fault.msg);
                } else {
                    test_pass();
                }
                if (strcmp(names[n], "sha256") == 0) {
                    uint8_t d[32];
                    char hex[66];
                    SHA256(inputs[in], input_len[in], d);
                    for (int i = 0; i < 32; i++)
                        snprintf(hex + 2 * i, 3, "%02x", d[i]);
                    hex[64] = '\n';
                    hex[65] = 0;
                    CHECK(r.out_len == 65 && memcmp(r.out, hex, 65) == 0);
                }
                free(qout);
                vmt_result_clear(&r);
            }
            free(elf);
        }
    }
}

/* SHA-256 guest against OpenSSL on longer random inputs (VM only: quick). */
static void sha256_guest_matches_openssl(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/rv32im/sha256.elf", vmt_guest_dir());
    size_t elf_len = 0;
    uint8_t *elf = vmt_read_file(path, &elf_len);
    if (elf == NULL) {
        FAIL("%s missing: build the guests with `make guests`", path);
        return;
    }
    static const size_t lens[] = {0, 1, 55, 56, 63, 64, 65, 119, 120, 4095, 4096, 4097, 20000};
    uint8_t *in = malloc(20000);
    test_rand_bytes(in, 20000);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        struct vmt_result r;
        cairn_error err;
        uint8_t d[32];
        char hex[66];
        CHECK_OK(vmt_run(elf, elf_len, in, lens[i], UINT64_MAX, &r, &err));
        SHA256(in, lens[i], d);
        for (int k = 0; k < 32; k++)
            snprintf(hex + 2 * k, 3, "%02x", d[k]);
        hex[64] = '\n';
        if (!(r.halt == CAIRN_VM_EXITED && r.exit_code == 0 && r.out_len == 65 &&
              memcmp(r.out, hex, 65) == 0))
            FAIL("sha256 of %zu bytes: got '%.65s'", lens[i], r.out ? (const char *)r.out : "");
        else
            test_pass();
        vmt_result_clear(&r);
    }
    free(in);
    free(elf);
}

const struct test_case test_vm_diff_cases[] = {
    TEST(random_programs),
    TEST(faults_match_qemu),
    TEST(examples_match_qemu),
    TEST(sha256_guest_matches_openssl),
    TEST_END,
};
