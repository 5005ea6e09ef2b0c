/*
 * test_zkvm.c — the public API end to end on hand-written programs, and the
 * regressions the first prover's suite held that the lean suites did not
 * (ported when that prover was removed): completeness on edge cases (the
 * smallest program that exits, exact powers of two, every provable
 * instruction on edge operands, an entry point past the first word, exit
 * codes with every bit) and on a run of 2^17 rows, the verified output
 * handed back (and nothing on a rejection), the forged FENCE rows
 * at address 0 (once a cross-table collision of the first prover), and a
 * read returning a byte after an earlier read said the input was over.
 * The lying traces go through the lie builder into the lean checker and
 * the lean prover (zk_util.h); the honest runs through cairn_zkvm_prove
 * and cairn_zkvm_verify.  Every test here must be able to fail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/witness.h"
#include "cairn/zkvm.h"
#include "harness.h"
#include "vm_util.h"
#include "zk_util.h"

/* The public API's defaults (format 5), with two prover threads. */
static void test_options(cairn_zkvm_options *o)
{
    cairn_zkvm_options_init(o);
    o->threads = 2;
}

/*
 * The trace rows of a run as the prover's early refusal counts them from
 * the VM alone (instructions, read/write calls, bytes moved); 0 on error.
 */
static uint64_t vm_trace_rows(const uint8_t *elf, size_t len, const uint8_t *in, size_t in_len)
{
    cairn_program prog;
    cairn_vm vm;
    cairn_error err;
    uint64_t T = 0;
    memset(&vm, 0, sizeof vm);
    if (cairn_elf_load(&prog, elf, len, &err) != CAIRN_OK)
        return 0;
    if (cairn_vm_init(&vm, &prog, NULL, &err) == CAIRN_OK) {
        cairn_vm_set_input(&vm, in, in_len);
        if (cairn_vm_run(&vm, UINT64_C(1) << 24, &err) == CAIRN_OK && vm.halt == CAIRN_VM_EXITED)
            T = zk_vm_trace_rows(&vm);
    }
    cairn_vm_clear(&vm);
    cairn_program_clear(&prog);
    return T;
}
/*
 * Prove and verify one ELF; returns 1 when both succeed and agree on the
 * statement.  Also checks that the rows counted from the VM before any
 * witness is built (the early refusal) are the rows the prover proved.
 */
static int prove_verify(const uint8_t *elf, size_t len, cairn_zkvm_statement *out)
{
    uint8_t *proof = NULL;
    size_t plen = 0;
    cairn_error err;
    cairn_zkvm_statement st, vs;
    cairn_zkvm_stats stats;
    cairn_zkvm_options o;
    int ok = 0;
    test_options(&o);
    /* programs with memory read up to 8 bytes of input: the read rows store real bytes */
    if (cairn_zkvm_prove(&proof, &plen, &st, &stats, elf, len, zk_test_input, ZK_TEST_INPUT_LEN,
                         &o, &err) != CAIRN_OK) {
        FAIL("prove: %s", err.msg);
        return 0;
    }
    uint64_t early = vm_trace_rows(elf, len, zk_test_input, ZK_TEST_INPUT_LEN);
    if (!CHECK(early == stats.trace_rows && early == st.cycles))
        FAIL("rows counted from the VM %llu, proved %llu", (unsigned long long)early,
             (unsigned long long)stats.trace_rows);
    if (cairn_zkvm_verify(&vs, proof, plen, elf, len, &err) != CAIRN_OK)
        FAIL("verify: %s", err.msg);
    else
        ok = CHECK(memcmp(&st, &vs, sizeof st) == 0);
    if (out != NULL)
        *out = st;
    free(proof);
    return ok;
}
/* The VM's own outcome, for comparing the statement with. */
static void vm_outcome(const uint8_t *elf, size_t len, uint64_t *cycles, uint32_t *code)
{
    struct vmt_result r;
    cairn_error err;
    CHECK_OK(vmt_run(elf, len, NULL, 0, UINT64_MAX, &r, &err));
    CHECK(r.halt == CAIRN_VM_EXITED);
    *cycles = r.cycles;
    *code = r.exit_code;
    vmt_result_clear(&r);
}
/* li rd, v as LUI + ADDI. */
static void li(struct rvprog *p, uint32_t rd, uint32_t v)
{
    rvp_li(p, rd, v);
}
/*
 * Every provable instruction on edge operands: shifts by 0 and 31 (both
 * directions, negative values), signed and unsigned comparisons across the
 * sign boundary, additions that carry, subtractions that borrow, branches
 * taken and not taken, JAL/JALR with an odd base, writes to x0, FENCE.
 */
static void edge_program(struct rvprog *p)
{
    rvp_init(p);
    static const uint32_t vals[] = {0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x80000001, 31, 32};
    uint32_t nv = sizeof vals / sizeof vals[0];
    for (uint32_t i = 0; i < nv; i++)
        for (uint32_t j = 0; j < nv; j++) {
            li(p, 5, vals[i]);
            li(p, 6, vals[j]);
            for (uint32_t f3 = 0; f3 < 8; f3++)
                rvp_emit(p, rv_r(0, 6, 5, f3, 7 + f3, 0x33)); /* add sll slt sltu xor srl or and */
            rvp_emit(p, rv_r(0x20, 6, 5, 0, 15, 0x33));       /* sub */
            rvp_emit(p, rv_r(0x20, 6, 5, 5, 16, 0x33));       /* sra */
            static const uint32_t bf3[] = {0, 1, 4, 5, 6, 7};
            for (uint32_t b = 0; b < 6; b++) {
                rvp_emit(p, rv_b(8, 6, 5, bf3[b])); /* skip one if taken */
                rvp_emit(p, RV_ADDI(17, 17, 1));
            }
        }
    li(p, 5, 0x80000000);
    for (uint32_t sh = 0; sh < 32; sh += 31) {
        rvp_emit(p, rv_i((int32_t)sh, 5, 1, 8, 0x13));
        rvp_emit(p, rv_i((int32_t)sh, 5, 5, 9, 0x13));
        rvp_emit(p, rv_i((int32_t)(sh | 0x400), 5, 5, 10, 0x13));
    }
    rvp_emit(p, rv_i(-1, 5, 2, 11, 0x13)); /* slti */
    rvp_emit(p, rv_i(-1, 5, 3, 12, 0x13)); /* sltiu */
    rvp_emit(p, rv_i(-2048, 5, 4, 13, 0x13));
    rvp_emit(p, rv_i(2047, 5, 6, 13, 0x13));
    rvp_emit(p, rv_i(-1, 5, 7, 13, 0x13));
    rvp_emit(p, RV_ADDI(0, 5, 123));            /* a write to x0 is ignored */
    rvp_emit(p, rv_r(0, 0, 0, 0, 14, 0x33));    /* x14 = x0 + x0 */
    rvp_emit(p, UINT32_C(0x0ff0000f));          /* fence */
    size_t at = rvp_emit(p, rv_u(0, 30, 0x17)); /* auipc t5, 0 */
    rvp_emit(p, RV_ADDI(30, 30, 1));            /* odd base */
    rvp_emit(p, RV_JALR(1, 30, 4 * 4 - 1));     /* to at + 4 words, bit 0 cleared */
    rvp_emit(p, RV_EBREAK);                     /* never executed */
    (void)at;
    rvp_emit(p, rv_j(8, 0)); /* jal over the next word */
    rvp_emit(p, RV_EBREAK);
    rvp_emit(p, rv_u(0xfffff000, 18, 0x37));   /* lui */
    rvp_emit(p, rv_r(0, 14, 17, 0, 10, 0x33)); /* a0 = branch count */
    rvp_emit(p, RV_ADDI(17, 0, 93));
    rvp_emit(p, RV_ECALL);
}
static void completeness_edge_cases(void)
{
    struct rvprog p;
    size_t len;
    uint8_t *elf;
    cairn_zkvm_statement st;
    uint64_t cycles;
    uint32_t code;

    /* the smallest program that exits: li a7, 93; ecall (2 cycles, 1 variable) */
    rvp_init(&p);
    rvp_emit(&p, RV_ADDI(17, 0, 93));
    rvp_emit(&p, RV_ECALL);
    elf = rvp_elf(&p, &len);
    if (prove_verify(elf, len, &st))
        CHECK(st.cycles == 2 && st.exit_code == 0);
    free(elf);
    rvp_clear(&p);

    /* exactly 2^k cycles (no padding row) and 2^k + 1 (one real row past a power) */
    for (uint32_t extra = 0; extra < 2; extra++) {
        rvp_init(&p);
        for (uint32_t i = 0; i < 1022 + extra; i++)
            rvp_emit(&p, RV_ADDI(5, 5, 3));
        rvp_emit(&p, RV_ADDI(17, 0, 93));
        rvp_emit(&p, RV_ECALL);
        elf = rvp_elf(&p, &len);
        if (prove_verify(elf, len, &st))
            CHECK(st.cycles == 1024 + extra);
        free(elf);
        rvp_clear(&p);
    }

    edge_program(&p);
    elf = rvp_elf(&p, &len);
    vm_outcome(elf, len, &cycles, &code);
    if (prove_verify(elf, len, &st))
        CHECK(st.cycles == cycles && st.exit_code == code);
    free(elf);
    rvp_clear(&p);

    /* exit codes with all bits, an entry point that is not the first word */
    rvp_init(&p);
    rvp_emit(&p, RV_EBREAK);
    li(&p, 10, 0xdeadbeef);
    rvp_emit(&p, RV_ADDI(17, 0, 93));
    rvp_emit(&p, RV_ECALL);
    p.entry = rvp_addr(1);
    elf = rvp_elf(&p, &len);
    if (prove_verify(elf, len, &st))
        CHECK(st.exit_code == 0xdeadbeef && st.entry == rvp_addr(1));
    free(elf);
    rvp_clear(&p);
}
/* A loop of >= 2^16 cycles (skipped under the sanitizers, where it is slow). */
static void completeness_large(void)
{
    if (test_iters < 1000) {
        test_pass();
        return;
    }
    struct rvprog p;
    size_t len;
    zk_loop_program(&p, 13200); /* about 66000 cycles: 2^17 rows */
    uint8_t *elf = rvp_elf(&p, &len);
    cairn_zkvm_statement st;
    if (prove_verify(elf, len, &st))
        CHECK(st.cycles >= (UINT64_C(1) << 16));
    free(elf);
    rvp_clear(&p);
}

/*
 * cairn_zkvm_verify_output hands back exactly the output the VM produced
 * (the bare hello guest: 37 rows, the cheapest proof with output), with the
 * statement; on a rejected proof it writes nothing.
 */
static void verify_output_hands_back_output(void)
{
    char path[512];
    size_t elf_len = 0, plen = 0, out_len = 12345;
    uint8_t *proof = NULL, *out = NULL;
    uint8_t sentinel = 0;
    cairn_error err;
    cairn_zkvm_options o;
    cairn_zkvm_statement st, sst;
    struct vmt_result r;
    memset(&r, 0, sizeof r);
    snprintf(path, sizeof path, "%s/rv32i/hello.elf", vmt_guest_dir());
    uint8_t *elf = vmt_read_file(path, &elf_len);
    if (!CHECK(elf != NULL))
        return;
    test_options(&o);
    if (!CHECK(vmt_run(elf, elf_len, NULL, 0, UINT64_MAX, &r, &err) == CAIRN_OK))
        goto out;
    if (cairn_zkvm_prove(&proof, &plen, &sst, NULL, elf, elf_len, NULL, 0, &o, &err)) {
        FAIL("prove: %s", err.msg);
        goto out;
    }
    CHECK_OK(cairn_zkvm_verify_output(&st, &out, &out_len, proof, plen, elf, elf_len, &err));
    CHECK(r.out_len > 0);
    CHECK_EQ_U64(out_len, r.out_len);
    CHECK_EQ_U64(st.output_len, r.out_len);
    CHECK_EQ_U64(st.exit_code, r.exit_code);
    CHECK_EQ_U64(st.cycles, sst.cycles);
    if (out != NULL && out_len == r.out_len)
        CHECK_MEM_EQ(out, r.out, out_len);
    else
        FAIL("no output handed back");
    free(out);
    /* only the statement, or only the output: each pointer is optional */
    out = NULL;
    CHECK_OK(cairn_zkvm_verify_output(NULL, &out, NULL, proof, plen, elf, elf_len, NULL));
    CHECK(out != NULL);
    free(out);
    CHECK_OK(cairn_zkvm_verify_output(&st, NULL, NULL, proof, plen, elf, elf_len, NULL));
    /* rejected: nothing is written */
    proof[plen / 3] ^= 1;
    out = &sentinel;
    out_len = 12345;
    cairn_status vs = cairn_zkvm_verify_output(&st, &out, &out_len, proof, plen, elf, elf_len, &err);
    CHECK(vs == CAIRN_ERR_REJECTED || vs == CAIRN_ERR_PARSE);
    CHECK(out == &sentinel);
    CHECK_EQ_U64(out_len, 12345);
out:
    vmt_result_clear(&r);
    free(proof);
    free(elf);
}

/* One RX segment at virtual address 0 holding `code`, entry 0. */
static uint8_t *elf_at_zero(const uint32_t *code, size_t code_len, size_t *len)
{
    size_t total = 0x1000 + 4 * code_len;
    uint8_t *b = calloc(1, total);
    if (b == NULL)
        return NULL;
    memcpy(b,
           "\x7f"
           "ELF",
           4);
    b[4] = 1; /* ELFCLASS32 */
    b[5] = 1; /* little-endian */
    b[6] = 1;
    zk_put_le(b + 16, 2, 2);   /* ET_EXEC */
    zk_put_le(b + 18, 243, 2); /* EM_RISCV */
    zk_put_le(b + 20, 1, 4);
    zk_put_le(b + 24, 0, 4); /* entry */
    zk_put_le(b + 28, 52, 4);
    zk_put_le(b + 40, 52, 2);
    zk_put_le(b + 42, 32, 2);
    zk_put_le(b + 44, 1, 2);
    zk_put_le(b + 46, 40, 2);
    uint8_t *ph = b + 52;
    zk_put_le(ph + 0, 1, 4); /* PT_LOAD */
    zk_put_le(ph + 4, 0x1000, 4);
    zk_put_le(ph + 16, (uint32_t)(4 * code_len), 4);
    zk_put_le(ph + 20, (uint32_t)(4 * code_len), 4);
    zk_put_le(ph + 24, 5, 4); /* R X */
    zk_put_le(ph + 28, 0x1000, 4);
    for (size_t i = 0; i < code_len; i++)
        zk_put_le(b + 0x1000 + 4 * i, code[i], 4);
    *len = total;
    return b;
}
struct hand_row {
    uint32_t pc, insn, v1, v2, vd;
};

/* Trace rows (all other columns zero) from hand-written rows, cycle = index. */
static void hand_trace(cairn_fp *rows, const struct hand_row *r, size_t count)
{
    memset(rows, 0, count * CAIRN_WIT_WIDTH * sizeof *rows);
    for (size_t i = 0; i < count; i++) {
        cairn_fp *w = rows + i * CAIRN_WIT_WIDTH;
        w[CAIRN_WIT_COL_CYCLE] = cairn_fp_from_u64(i);
        w[CAIRN_WIT_COL_PC] = cairn_fp_from_u64(r[i].pc);
        w[CAIRN_WIT_COL_INSN] = cairn_fp_from_u64(r[i].insn);
        w[CAIRN_WIT_COL_RS1_VAL] = cairn_fp_from_u64(r[i].v1);
        w[CAIRN_WIT_COL_RS2_VAL] = cairn_fp_from_u64(r[i].v2);
        w[CAIRN_WIT_COL_RD_VAL] = cairn_fp_from_u64(r[i].vd);
    }
}
/* What the lean checker sees of the two lies below (zkt_lean_items). */
#define EXPECT_FENCE "registers"
#define EXPECT_READ_AFTER_END "read_empty"

/*
 * The lean verdicts on T hand-written trace rows of elf (input in[in_len]):
 * the lean checker's and the lean proof's must both be rejections; *items
 * (cap bytes) receives the checker items the lie fails (zkt_lean_items).
 */
static void lying_rows_rejected(const char *what, const uint8_t *elf, size_t len,
                                const cairn_fp *rows, uint64_t T, const uint8_t *in, size_t in_len,
                                char *items, size_t cap)
{
    struct zkt z;
    cairn_status check = CAIRN_ERR_INTERNAL, proof = CAIRN_ERR_INTERNAL;
    cairn_error err;
    memset(&err, 0, sizeof err);
    items[0] = 0;
    if (zkt_build_input(&z, elf, len, in, in_len, rows, T, 0)) {
        zkt_lean_check_prove(&z, &check, &proof, &err);
        zkt_lean_items(items, cap, &z);
    }
    zkt_clear(&z);
    if (check != CAIRN_ERR_REJECTED)
        FAIL("%s: the lean checker says %s, expected a rejection", what, cairn_status_str(check));
    else
        test_pass();
    if (proof == CAIRN_OK)
        FAIL("SOUNDNESS BUG: %s: the lean verifier ACCEPTED the lie", what);
    else if (proof != CAIRN_ERR_REJECTED)
        FAIL("%s: the lean proof says %s (%s), expected a rejection", what,
             cairn_status_str(proof), err.msg);
    else
        test_pass();
}

/*
 * A program linked at address 0 that exits with 42, and a lying trace that
 * claims FENCE at pc 0 and pc 4 (so the exit code becomes 0).  In the
 * first prover a bytecode tuple holding only its pc had the same
 * fingerprint as a fixed-table entry holding only its tag, and a prover
 * paying for the forged rows from the fixed table's multiplicities was
 * accepted until each table got its own random offset.  The lean row
 * reads an instruction's static fields from the bytecode entry its pc_idx
 * names (the entry of the word at pc 0 is the ADDI), so the forged FENCE
 * rows become ADDI rows that do not write a0's value, which register
 * memory checking rejects; the proof of them must be rejected (and the
 * honest one accepted).  The lean lookups' own forging provers
 * are the gkr suite's.
 */
static void fence_rows_at_zero_rejected(void)
{
    static const uint32_t code[] = {
        0x00700513, /* addi a0, x0, 7 */
        0x02350513, /* addi a0, a0, 35 */
        0x05d00893, /* addi a7, x0, 93 */
        0x00000073, /* ecall */
    };
    size_t elf_len = 0;
    uint8_t *elf = elf_at_zero(code, 4, &elf_len);
    cairn_zkvm_statement st;
    char items[256];
    if (!CHECK(elf != NULL))
        return;
    /* honest: exits with 42 */
    CHECK(prove_verify(elf, elf_len, &st));
    CHECK_EQ_U64(st.exit_code, 42);
    enum { T = 4 };
    static cairn_fp rows[T * CAIRN_WIT_WIDTH];
    static const struct hand_row r[T] = {
        {0, 0x0000000f, 0, 0, 0},   /* lie: "fence" */
        {4, 0x0000000f, 0, 0, 0},   /* lie: "fence" */
        {8, 0x05d00893, 0, 0, 93},  /* addi a7, x0, 93 */
        {12, 0x00000073, 93, 0, 0}, /* ecall with a0 = 0 */
    };
    hand_trace(rows, r, T);
    lying_rows_rejected("FENCE rows at address 0", elf, elf_len, rows, T, NULL, 0, items,
                        sizeof items);
    if (strcmp(items, EXPECT_FENCE) != 0)
        FAIL("FENCE rows at address 0: the lean checker sees \"%s\", expected \"%s\"", items,
             EXPECT_FENCE);
    else
        test_pass();
    free(elf);
}

/*
 * A read returning 0 (the input is over) followed by a read returning a
 * byte: the VM never does this (it returns min(len, remaining)), so a
 * guest that writes that byte only in that case cannot have a proof of
 * that output.  The trace is hand-made, the input one byte; the prover's
 * own fill marks the first read as the end of the input, so the second
 * read's count breaks the end-of-input rows (read_empty: a read after the
 * end returns nothing): the lean checker and the lean verifier reject it.
 */
static void read_after_end_rejected(void)
{
    struct rvprog p;
    rvp_init(&p);
    size_t at[16];
    at[0] = rvp_emit(&p, RV_ADDI(17, 0, 63)); /* read(0, sp - 16, 1) */
    at[1] = rvp_emit(&p, RV_ADDI(10, 0, 0));
    at[2] = rvp_emit(&p, RV_ADDI(11, 2, -16));
    at[3] = rvp_emit(&p, RV_ADDI(12, 0, 1));
    at[4] = rvp_emit(&p, RV_ECALL);
    at[5] = rvp_emit(&p, rv_b(28, 0, 10, 1)); /* bne a0, x0, exit */
    at[6] = rvp_emit(&p, RV_ADDI(10, 0, 0));   /* read(0, sp - 16, 1) again */
    at[7] = rvp_emit(&p, RV_ECALL);
    at[8] = rvp_emit(&p, rv_b(16, 0, 10, 0)); /* beq a0, x0, exit */
    at[9] = rvp_emit(&p, RV_ADDI(17, 0, 64));  /* write(1, sp - 16, 1) */
    at[10] = rvp_emit(&p, RV_ADDI(10, 0, 1));
    at[11] = rvp_emit(&p, RV_ECALL);
    at[12] = rvp_emit(&p, RV_ADDI(17, 0, 93)); /* exit(0) */
    at[13] = rvp_emit(&p, RV_ADDI(10, 0, 0));
    at[14] = rvp_emit(&p, RV_ECALL);
    size_t len;
    uint8_t *elf = rvp_elf(&p, &len);
    cairn_program prog;
    cairn_error err;
    uint32_t k = 0;
    cairn_program_init(&prog);
    if (!CHECK(cairn_elf_load(&prog, elf, len, &err) == CAIRN_OK) ||
        !CHECK(cairn_vm_mem_log2_words(&k, &prog, NULL, &err) == CAIRN_OK))
        goto out;
    uint32_t sp = 0, b;
    {
        uint32_t regs[32];
        zk_init_regs(regs, &prog, k);
        sp = regs[2];
    }
    b = sp - 16;
    /* the lying run, instruction i of the program at row i: rs1, rs2 and rd values */
    uint32_t v1[15] = {0, 0, sp, 0, 63, 0, 0, 63, 1, 0, 0, 64, 0, 0, 93};
    uint32_t v2[15] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
    uint32_t vd[15] = {63, 0, b, 1, 0, 0, 0, 1, 0, 64, 1, 1, 93, 0, 0};
    cairn_fp rows[15 * CAIRN_WIT_WIDTH];
    memset(rows, 0, sizeof rows);
    for (unsigned i = 0; i < 15; i++) {
        cairn_fp *w = rows + i * CAIRN_WIT_WIDTH;
        int ecall = i == 4 || i == 7 || i == 11 || i == 14;
        w[CAIRN_WIT_COL_CYCLE] = cairn_fp_from_u64(i);
        w[CAIRN_WIT_COL_PC] = cairn_fp_from_u64(RVP_CODE_BASE + 4 * at[i]);
        w[CAIRN_WIT_COL_INSN] = cairn_fp_from_u64(p.code[at[i]]);
        w[CAIRN_WIT_COL_OP] = cairn_fp_from_u64(ecall ? CAIRN_WIT_OP_ECALL : 0);
        w[CAIRN_WIT_COL_RS1_VAL] = cairn_fp_from_u64(v1[i]);
        w[CAIRN_WIT_COL_RS2_VAL] = cairn_fp_from_u64(v2[i]);
        w[CAIRN_WIT_COL_RD_VAL] = cairn_fp_from_u64(vd[i]);
        if (ecall && i != 14) {
            w[CAIRN_WIT_COL_SYS_A1] = cairn_fp_from_u64(b);
            w[CAIRN_WIT_COL_SYS_A2] = cairn_fp_from_u64(1);
        }
    }
    cairn_zkvm_options o;
    test_options(&o);
    uint8_t *honest = NULL;
    size_t hlen = 0;
    static const uint8_t in[1] = {'X'};
    char items[256];
    lying_rows_rejected("a read after the end of the input", elf, len, rows, 15, in, 1, items,
                        sizeof items);
    if (strcmp(items, EXPECT_READ_AFTER_END) != 0)
        FAIL("read after end: the lean checker sees \"%s\", expected \"%s\"", items,
             EXPECT_READ_AFTER_END);
    else
        test_pass();
    /* the honest run of the same guest on the same input proves: it prints nothing */
    cairn_zkvm_statement st;
    if (CHECK(cairn_zkvm_prove(&honest, &hlen, NULL, NULL, elf, len, in, 1, &o, &err) == CAIRN_OK) &&
        CHECK(cairn_zkvm_verify(&st, honest, hlen, elf, len, &err) == CAIRN_OK))
        CHECK_EQ_U64(st.output_len, 0);
    free(honest);
out:
    cairn_program_clear(&prog);
    free(elf);
    rvp_clear(&p);
}

const struct test_case test_zkvm_cases[] = {
    TEST(completeness_edge_cases),
    TEST(completeness_large),
    TEST(verify_output_hands_back_output),
    TEST(fence_rows_at_zero_rejected),
    TEST(read_after_end_rejected),
    TEST_END,
};
