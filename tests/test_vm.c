/*
 * test_vm.c — directed tests of the interpreter: instruction semantics at
 * their edges (division by zero and overflow, shifts, sign extension, x0,
 * JALR bit 0), every fault kind with its pc, instruction word and message,
 * system calls, the memory layout, cycle bounds (resume and single-step are
 * bit-identical to one run), host write errors, and the statistics variant.
 * Random programs against qemu are in test_vm_diff.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "vm_util.h"

/* Build prog (data area of 64 bytes at RVP_DATA_BASE), load, init; the caller runs. */
static int setup(cairn_vm *vm, cairn_program *prog, struct rvprog *p, struct vmt_result *cap)
{
    size_t len;
    cairn_error err;
    uint8_t *elf = rvp_elf(p, &len);
    cairn_status st = cairn_elf_load(prog, elf, len, &err);
    free(elf);
    if (st != CAIRN_OK)
        return FAIL("load: %s", err.msg);
    cairn_vm_config cfg;
    cairn_vm_config_init(&cfg);
    cfg.write = vmt_capture;
    cfg.write_ctx = cap;
    st = cairn_vm_init(vm, prog, &cfg, &err);
    if (st != CAIRN_OK)
        return FAIL("init: %s", err.msg);
    return 1;
}

static void new_prog(struct rvprog *p)
{
    uint8_t d[64];
    for (int i = 0; i < 64; i++)
        d[i] = (uint8_t)(0x80 + i);
    rvp_init(p);
    rvp_data(p, d, sizeof d);
}

/* Run p to completion; registers in vm (caller clears vm, prog, cap). */
static int run_prog(struct rvprog *p, cairn_vm *vm, cairn_program *prog, struct vmt_result *cap)
{
    cairn_error err;
    memset(cap, 0, sizeof *cap);
    if (!setup(vm, prog, p, cap))
        return 0;
    cairn_status st = cairn_vm_run(vm, 100000, &err);
    if (st != CAIRN_OK)
        return FAIL("run: %s", err.msg);
    return 1;
}

static void done(cairn_vm *vm, cairn_program *prog, struct vmt_result *cap, struct rvprog *p)
{
    cairn_vm_clear(vm);
    cairn_program_clear(prog);
    vmt_result_clear(cap);
    rvp_clear(p);
}

/* x5 = op(x6 = a, x7 = b) for an OP-format (funct7, funct3); returns x5. */
static uint32_t alu(uint32_t f7, uint32_t f3, uint32_t a, uint32_t b)
{
    struct rvprog p;
    cairn_vm vm;
    cairn_program prog;
    struct vmt_result cap;
    new_prog(&p);
    rvp_li(&p, 6, a);
    rvp_li(&p, 7, b);
    rvp_emit(&p, rv_r(f7, 7, 6, f3, 5, 0x33));
    rvp_exit(&p, 0);
    uint32_t v = 0xdeadbeef;
    if (run_prog(&p, &vm, &prog, &cap) && CHECK(vm.halt == CAIRN_VM_EXITED))
        v = vm.regs[5];
    done(&vm, &prog, &cap, &p);
    return v;
}

static void vm_m_extension_edges(void)
{
    const uint32_t MIN = 0x80000000u, M1 = 0xffffffffu;
    /* DIV, DIVU, REM, REMU by zero (ISA table 7.1) */
    CHECK_EQ_U64(alu(1, 4, 7, 0), M1);
    CHECK_EQ_U64(alu(1, 5, 7, 0), M1);
    CHECK_EQ_U64(alu(1, 6, 7, 0), 7);
    CHECK_EQ_U64(alu(1, 7, 7, 0), 7);
    CHECK_EQ_U64(alu(1, 4, MIN, 0), M1);
    /* signed overflow */
    CHECK_EQ_U64(alu(1, 4, MIN, M1), MIN);
    CHECK_EQ_U64(alu(1, 6, MIN, M1), 0);
    /* rounding toward zero, remainder sign follows the dividend */
    CHECK_EQ_U64(alu(1, 4, (uint32_t)-7, 2), (uint32_t)-3);
    CHECK_EQ_U64(alu(1, 6, (uint32_t)-7, 2), (uint32_t)-1);
    CHECK_EQ_U64(alu(1, 5, (uint32_t)-7, 2), 0x7ffffffcu);
    CHECK_EQ_U64(alu(1, 7, (uint32_t)-7, 2), 1);
    /* high products */
    CHECK_EQ_U64(alu(1, 0, 0x12345678, 0x9abcdef0), (uint32_t)(0x12345678ull * 0x9abcdef0ull));
    CHECK_EQ_U64(alu(1, 1, MIN, MIN), 0x40000000u);                   /* mulh */
    CHECK_EQ_U64(alu(1, 1, M1, M1), 0);                               /* (-1)(-1) = 1 */
    CHECK_EQ_U64(alu(1, 2, M1, M1), M1);                              /* mulhsu(-1, 2^32-1) */
    CHECK_EQ_U64(alu(1, 2, MIN, M1), 0x80000000u);                    /* -2^31 * (2^32-1) */
    CHECK_EQ_U64(alu(1, 3, M1, M1), 0xfffffffeu);                     /* mulhu */
    /* shifts use the low 5 bits; SRA is arithmetic */
    CHECK_EQ_U64(alu(0x20, 5, MIN, 31), M1);
    CHECK_EQ_U64(alu(0x20, 5, MIN, 33), 0xc0000000u);
    CHECK_EQ_U64(alu(0, 5, MIN, 33), 0x40000000u);
    CHECK_EQ_U64(alu(0, 1, 1, 63), MIN);
    /* comparisons */
    CHECK_EQ_U64(alu(0, 2, MIN, 1), 1);  /* slt */
    CHECK_EQ_U64(alu(0, 3, MIN, 1), 0);  /* sltu */
    CHECK_EQ_U64(alu(0x20, 0, 0, 1), M1); /* sub */
}

/* x0 stays 0 through ALU, load, JAL/JALR and LUI writes. */
static void vm_x0_is_zero(void)
{
    struct rvprog p;
    cairn_vm vm;
    cairn_program prog;
    struct vmt_result cap;
    new_prog(&p);
    rvp_emit(&p, RV_ADDI(0, 0, 5));
    rvp_emit(&p, rv_u(0x12345000, 0, 0x37));
    rvp_li(&p, 6, RVP_DATA_BASE);
    rvp_emit(&p, RV_LW(0, 6, 0));
    rvp_emit(&p, rv_j(4, 0));
    rvp_emit(&p, rv_r(0, 0, 6, 0, 7, 0x33)); /* x7 = x6 + x0 */
    rvp_exit(&p, 0);
    if (run_prog(&p, &vm, &prog, &cap)) {
        CHECK_EQ_U64(vm.regs[0], 0);
        CHECK_EQ_U64(vm.regs[7], RVP_DATA_BASE);
    }
    done(&vm, &prog, &cap, &p);
}

/* Loads sign/zero-extend; stores write only their width; JALR clears bit 0 and links. */
static void vm_loads_stores_jalr(void)
{
    struct rvprog p;
    cairn_vm vm;
    cairn_program prog;
    struct vmt_result cap;
    new_prog(&p);
    rvp_li(&p, 6, RVP_DATA_BASE);
    rvp_emit(&p, rv_i(0, 6, 0, 7, 0x03));  /* lb x7, 0(x6)  = 0x80 -> -128 */
    rvp_emit(&p, rv_i(0, 6, 4, 8, 0x03));  /* lbu x8 */
    rvp_emit(&p, rv_i(2, 6, 1, 9, 0x03));  /* lh x9, 2(x6) = 0x8382 */
    rvp_emit(&p, rv_i(2, 6, 5, 13, 0x03)); /* lhu x13 */
    rvp_emit(&p, RV_LW(14, 6, 4));         /* lw = 0x87868584 */
    rvp_li(&p, 15, 0xa1b2c3d4);
    rvp_emit(&p, rv_s(9, 15, 6, 0)); /* sb at +9 */
    rvp_emit(&p, rv_s(10, 15, 6, 1)); /* sh at +10 */
    rvp_emit(&p, RV_LW(16, 6, 8));
    size_t at = rvp_emit(&p, rv_u(0, 18, 0x17)); /* auipc x18, 0 */
    rvp_emit(&p, RV_JALR(19, 18, 4 * 3 + 1)); /* to at + 3 words, odd */
    rvp_emit(&p, RV_ADDI(20, 0, 1));        /* skipped */
    rvp_emit(&p, RV_ADDI(21, 0, 2));        /* target */
    rvp_exit(&p, 0);
    if (run_prog(&p, &vm, &prog, &cap)) {
        CHECK_EQ_U64(vm.regs[7], 0xffffff80u);
        CHECK_EQ_U64(vm.regs[8], 0x80u);
        CHECK_EQ_U64(vm.regs[9], 0xffff8382u);
        CHECK_EQ_U64(vm.regs[13], 0x8382u);
        CHECK_EQ_U64(vm.regs[14], 0x87868584u);
        CHECK_EQ_U64(vm.regs[16], 0xc3d4d488u);
        CHECK_EQ_U64(vm.regs[19], rvp_addr(at) + 8);
        CHECK_EQ_U64(vm.regs[20], 0);
        CHECK_EQ_U64(vm.regs[21], 2);
    }
    done(&vm, &prog, &cap, &p);
}

struct fault_case {
    const char *name;
    cairn_vm_fault_kind kind;
    const char *msg;
};

/* Each fault: kind, pc, instruction word, message, cycles (faulting instruction not counted). */
static void vm_faults(void)
{
    static const struct fault_case cases[] = {
        {"illegal", CAIRN_FAULT_ILLEGAL, "(insn 0xffffffff): illegal instruction"},
        {"ebreak", CAIRN_FAULT_EBREAK, "ebreak"},
        {"load below", CAIRN_FAULT_LOAD_RANGE, "load address 0x00000ffc outside memory [0x00010000, "},
        {"load above", CAIRN_FAULT_LOAD_RANGE, "load address 0xfffffffc outside memory"},
        {"lw misaligned", CAIRN_FAULT_LOAD_MISALIGNED, "misaligned load at address 0x00040002"},
        {"lh misaligned", CAIRN_FAULT_LOAD_MISALIGNED, "misaligned load at address 0x00040001"},
        {"sw misaligned", CAIRN_FAULT_STORE_MISALIGNED, "misaligned store at address 0x00040001"},
        {"sh outside", CAIRN_FAULT_STORE_RANGE, "store address 0x00000000 outside memory"},
        {"store text", CAIRN_FAULT_STORE_TEXT, "self-modifying code is not supported"},
        {"jalr misaligned", CAIRN_FAULT_JUMP_MISALIGNED, "jump target 0x00010006 not 4-byte aligned"},
        {"branch misaligned", CAIRN_FAULT_JUMP_MISALIGNED, "not 4-byte aligned"},
        {"jal outside", CAIRN_FAULT_FETCH, "instruction fetch outside executable memory"},
        {"fall off end", CAIRN_FAULT_FETCH, "instruction fetch outside executable memory"},
        {"syscall number", CAIRN_FAULT_SYSCALL, "unsupported system call 1000 (a7)"},
        {"write fd 3", CAIRN_FAULT_SYSCALL_ARG, "write to fd 3"},
        {"write buffer outside", CAIRN_FAULT_SYSCALL_ARG, "write buffer 0xfffff000+0x2000 outside memory"},
        {"read fd 1", CAIRN_FAULT_SYSCALL_ARG, "read from fd 1"},
        {"read into text", CAIRN_FAULT_SYSCALL_ARG, "outside writable memory"},
        {"fence.i", CAIRN_FAULT_ILLEGAL, "illegal instruction"},
        {"slli shamt 32", CAIRN_FAULT_ILLEGAL, "illegal instruction"},
    };
    static const uint8_t input[4] = {1, 2, 3, 4};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct rvprog p;
        cairn_vm vm;
        cairn_program prog;
        struct vmt_result cap;
        cairn_error err;
        new_prog(&p);
        rvp_li(&p, 6, RVP_DATA_BASE);
        size_t before = p.n, fpc_index = 0;
        uint32_t want_pc = 0;
        switch (c) {
        case 0: fpc_index = rvp_emit(&p, 0xffffffff); break;
        case 1: fpc_index = rvp_emit(&p, RV_EBREAK); break;
        case 2: rvp_li(&p, 7, 0x1000); fpc_index = rvp_emit(&p, RV_LW(8, 7, -4)); break;
        case 3: fpc_index = rvp_emit(&p, RV_LW(8, 0, -4)); break;
        case 4: fpc_index = rvp_emit(&p, RV_LW(8, 6, 2)); break;
        case 5: fpc_index = rvp_emit(&p, rv_i(1, 6, 1, 8, 0x03)); break;
        case 6: fpc_index = rvp_emit(&p, RV_SW(8, 6, 1)); break;
        case 7: fpc_index = rvp_emit(&p, rv_s(0, 8, 0, 1)); break;
        case 8: rvp_li(&p, 7, RVP_CODE_BASE + 8); fpc_index = rvp_emit(&p, rv_s(0, 0, 7, 0)); break;
        case 9: rvp_li(&p, 7, RVP_CODE_BASE + 5); fpc_index = rvp_emit(&p, RV_JALR(1, 7, 1)); break;
        case 10: fpc_index = rvp_emit(&p, rv_b(6, 0, 0, 0)); break; /* beq x0, x0, +6 */
        case 11: fpc_index = rvp_emit(&p, rv_j(0x40000, 1)); want_pc = rvp_addr(fpc_index) + 0x40000; break;
        case 12: break;
        case 13: rvp_li(&p, 17, 1000); fpc_index = rvp_emit(&p, RV_ECALL); break;
        case 14:
        case 15:
            rvp_li(&p, 10, c == 14 ? 3 : 1);
            rvp_li(&p, 11, 0xfffff000);
            rvp_li(&p, 12, 0x2000);
            rvp_li(&p, 17, 64);
            fpc_index = rvp_emit(&p, RV_ECALL);
            break;
        case 16:
        case 17:
            rvp_li(&p, 10, c == 16 ? 1 : 0);
            rvp_li(&p, 11, RVP_CODE_BASE);
            rvp_li(&p, 12, 4);
            rvp_li(&p, 17, 63);
            fpc_index = rvp_emit(&p, RV_ECALL);
            break;
        case 18: fpc_index = rvp_emit(&p, 0x0000100f); break;
        case 19: fpc_index = rvp_emit(&p, rv_i(32, 6, 1, 7, 0x13)); break;
        }
        if (c == 12)
            fpc_index = p.n; /* no exit: run off the end of the text */
        else
            rvp_exit(&p, 0);
        if (want_pc == 0)
            want_pc = rvp_addr(fpc_index);
        memset(&cap, 0, sizeof cap);
        if (setup(&vm, &prog, &p, &cap)) {
            cairn_vm_set_input(&vm, input, sizeof input);
            CHECK_OK(cairn_vm_run(&vm, 1000, &err));
            if (vm.halt != CAIRN_VM_FAULTED || vm.fault.kind != cases[c].kind) {
                FAIL("%s: halt %s, fault %s: %s", cases[c].name, cairn_vm_halt_str(vm.halt),
                     cairn_vm_fault_str(vm.fault.kind), vm.fault.msg);
            } else if (strstr(vm.fault.msg, cases[c].msg) == NULL) {
                FAIL("%s: message '%s' lacks '%s'", cases[c].name, vm.fault.msg, cases[c].msg);
            } else {
                test_pass();
            }
            CHECK_EQ_U64(vm.fault.pc, want_pc);
            CHECK_EQ_U64(vm.pc, want_pc);
            if (c != 11 && c != 12)
                CHECK_EQ_U64(vm.fault.insn, p.code[fpc_index]);
            /* instructions before the faulting one all completed; JAL outside completes */
            CHECK_EQ_U64(vm.cycles, fpc_index - 0 + (c == 11 ? 1 : 0));
            (void)before;
            /* a halted VM stays halted */
            uint64_t cyc = vm.cycles;
            CHECK_OK(cairn_vm_run(&vm, 1000, &err));
            CHECK_EQ_U64(vm.cycles, cyc);
        }
        done(&vm, &prog, &cap, &p);
    }
}

/* Only an executed illegal word faults; words after exit, and data in text, are fine. */
static void vm_illegal_not_executed(void)
{
    struct rvprog p;
    cairn_vm vm;
    cairn_program prog;
    struct vmt_result cap;
    new_prog(&p);
    rvp_emit(&p, rv_j(8, 0));
    rvp_emit(&p, 0); /* skipped */
    rvp_exit(&p, 42);
    rvp_emit(&p, 0xffffffff);
    rvp_emit(&p, 0x00000000);
    if (run_prog(&p, &vm, &prog, &cap)) {
        CHECK(vm.halt == CAIRN_VM_EXITED);
        CHECK_EQ_U64(vm.exit_code, 42);
    }
    done(&vm, &prog, &cap, &p);
}

/* read: chunks, EOF returns 0; write: fd 1 and 2 captured, counts returned. */
static void vm_syscalls_io(void)
{
    struct rvprog p;
    cairn_vm vm;
    cairn_program prog;
    struct vmt_result cap;
    cairn_error err;
    new_prog(&p);
    /* read(0, data, 5) -> x20; read(0, data+5, 100) -> x21; read again -> x22 */
    const uint32_t sizes[3] = {5, 100, 100}, dst[3] = {0, 5, 20};
    for (int i = 0; i < 3; i++) {
        rvp_li(&p, 10, 0);
        rvp_li(&p, 11, RVP_DATA_BASE + dst[i]);
        rvp_li(&p, 12, sizes[i]);
        rvp_li(&p, 17, 63);
        rvp_emit(&p, RV_ECALL);
        rvp_emit(&p, RV_ADDI(20 + (uint32_t)i, 10, 0));
    }
    /* write(1, data, 8) -> x23, write(2, data+2, 3), write(1, x, 0) -> x24 */
    const uint32_t fds[3] = {1, 2, 1}, off[3] = {0, 2, 0}, len[3] = {8, 3, 0};
    for (int i = 0; i < 3; i++) {
        rvp_li(&p, 10, fds[i]);
        rvp_li(&p, 11, RVP_DATA_BASE + off[i]);
        rvp_li(&p, 12, len[i]);
        rvp_li(&p, 17, 64);
        rvp_emit(&p, RV_ECALL);
        if (i != 1)
            rvp_emit(&p, RV_ADDI(i == 0 ? 23 : 24, 10, 0));
    }
    rvp_li(&p, 10, 0x1234);
    rvp_li(&p, 17, 94); /* exit_group */
    rvp_emit(&p, RV_ECALL);
    memset(&cap, 0, sizeof cap);
    if (setup(&vm, &prog, &p, &cap)) {
        static const uint8_t in[9] = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'};
        cairn_vm_set_input(&vm, in, sizeof in);
        CHECK_OK(cairn_vm_run(&vm, UINT64_MAX, &err));
        CHECK(vm.halt == CAIRN_VM_EXITED);
        CHECK_EQ_U64(vm.exit_code, 0x1234);
        CHECK_EQ_U64(vm.regs[20], 5);
        CHECK_EQ_U64(vm.regs[21], 4);
        CHECK_EQ_U64(vm.regs[22], 0);
        CHECK_EQ_U64(vm.regs[23], 8);
        CHECK_EQ_U64(vm.regs[24], 0);
        CHECK_EQ_U64(vm.input_pos, 9);
        CHECK_EQ_U64(vm.output_len, 8);
        CHECK_EQ_U64(vm.diag_len, 3);
        CHECK(cap.out_len == 8 && memcmp(cap.out, "abcdefgh", 8) == 0);
        CHECK(cap.diag_len == 3 && memcmp(cap.diag, "cde", 3) == 0);
    }
    done(&vm, &prog, &cap, &p);
}

/* Region: page-aligned base, power-of-two words covering image + stack, sp at the top. */
static void vm_memory_layout(void)
{
    struct rvprog p;
    new_prog(&p);
    p.bss = 0x3000;
    rvp_exit(&p, 0);
    size_t len;
    uint8_t *elf = rvp_elf(&p, &len);
    cairn_program prog;
    cairn_vm vm;
    cairn_error err;
    CHECK_OK(cairn_elf_load(&prog, elf, len, &err));
    static const uint32_t stacks[] = {0, 4096, 0x100000, 0x300000};
    for (size_t i = 0; i < 4; i++) {
        cairn_vm_config cfg;
        cairn_vm_config_init(&cfg);
        cfg.stack_size = stacks[i];
        CHECK_OK(cairn_vm_init(&vm, &prog, &cfg, &err));
        uint64_t need = (uint64_t)RVP_DATA_BASE + 64 + 0x3000 - RVP_CODE_BASE + stacks[i];
        CHECK_EQ_U64(vm.mem_base, RVP_CODE_BASE);
        CHECK_EQ_U64(vm.mem_size, UINT64_C(4) << vm.mem_log2_words);
        CHECK(vm.mem_size >= need && vm.mem_size / 2 < need);
        CHECK_EQ_U64(vm.regs[2], (uint64_t)vm.mem_base + vm.mem_size);
        CHECK_EQ_U64(vm.pc, RVP_CODE_BASE);
        CHECK_EQ_U64(vm.text_base, RVP_CODE_BASE);
        CHECK_EQ_U64(vm.text_size, p.n * 4);
        CHECK(memcmp(vm.mem + (RVP_DATA_BASE - vm.mem_base), "\x80\x81\x82", 3) == 0);
        cairn_vm_clear(&vm);
    }
    /* the configured limit */
    cairn_vm_config cfg;
    cairn_vm_config_init(&cfg);
    cfg.max_mem = 0x40000;
    CHECK_STATUS(cairn_vm_init(&vm, &prog, &cfg, &err), CAIRN_ERR_LIMIT);
    CHECK(strstr(err.msg, "exceeds the limit") != NULL);
    CHECK(vm.mem == NULL);
    cairn_vm_clear(&vm);
    cairn_vm_clear(NULL);
    CHECK_STATUS(cairn_vm_init(&vm, NULL, NULL, &err), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_vm_run(&vm, 10, &err), CAIRN_ERR_ARG);
    cairn_program_clear(&prog);
    free(elf);
    rvp_clear(&p);
}

/* A loop that stores, loads and branches: x10 = sum, exit(sum). */
static void loop_prog(struct rvprog *p)
{
    new_prog(p);
    rvp_li(p, 5, 300);            /* counter */
    rvp_li(p, 6, RVP_DATA_BASE);
    rvp_li(p, 10, 0);
    size_t top = p->n;
    rvp_emit(p, rv_i(0x3c, 5, 7, 7, 0x13));  /* andi x7, x5, 60 */
    rvp_emit(p, rv_r(0, 6, 7, 0, 7, 0x33));  /* add x7, x7, x6 */
    rvp_emit(p, RV_LW(8, 7, 0));
    rvp_emit(p, rv_r(0, 5, 8, 0, 8, 0x33));  /* x8 += x5 */
    rvp_emit(p, RV_SW(8, 7, 0));
    rvp_emit(p, rv_r(0, 8, 10, 4, 10, 0x33)); /* x10 ^= x8 */
    rvp_emit(p, RV_ADDI(5, 5, -1));
    rvp_emit(p, rv_b(-(int32_t)(4 * (p->n - top)), 0, 5, 1));
    rvp_li(p, 17, 93);
    rvp_emit(p, RV_ECALL);
}

/* Running in chunks, or one step at a time, gives the same state as one run. */
static void vm_resume_and_step_identical(void)
{
    struct rvprog p;
    loop_prog(&p);
    size_t len;
    uint8_t *elf = rvp_elf(&p, &len);
    cairn_program prog;
    cairn_vm a, b, c;
    cairn_error err;
    CHECK_OK(cairn_elf_load(&prog, elf, len, &err));
    CHECK_OK(cairn_vm_init(&a, &prog, NULL, &err));
    CHECK_OK(cairn_vm_init(&b, &prog, NULL, &err));
    CHECK_OK(cairn_vm_init(&c, &prog, NULL, &err));
    CHECK_OK(cairn_vm_run(&a, UINT64_MAX, &err));
    CHECK(a.halt == CAIRN_VM_EXITED);
    /* b: random chunks; the bound is exact */
    while (b.halt == CAIRN_VM_RUNNING) {
        uint64_t target = b.cycles + 1 + test_rand_below(50);
        CHECK_OK(cairn_vm_run(&b, target, &err));
        if (b.halt == CAIRN_VM_RUNNING && b.cycles != target) {
            FAIL("stopped at %llu, bound %llu", (unsigned long long)b.cycles,
                 (unsigned long long)target);
            break;
        }
    }
    /* c: single steps, and a snapshot copy taken midway resumes identically */
    cairn_vm snap;
    memset(&snap, 0, sizeof snap);
    uint8_t *snap_mem = NULL;
    while (c.halt == CAIRN_VM_RUNNING) {
        uint64_t before = c.cycles;
        CHECK_OK(cairn_vm_step(&c, &err));
        if (c.halt == CAIRN_VM_RUNNING && c.cycles != before + 1) {
            FAIL("step did not advance one cycle");
            break;
        }
        if (c.cycles == 1000) {
            snap = c;
            snap_mem = malloc(c.mem_size);
            memcpy(snap_mem, c.mem, c.mem_size);
        }
    }
    cairn_vm *vs[2] = {&b, &c};
    for (int i = 0; i < 2; i++) {
        CHECK(vs[i]->halt == a.halt);
        CHECK_EQ_U64(vs[i]->cycles, a.cycles);
        CHECK_EQ_U64(vs[i]->pc, a.pc);
        CHECK_EQ_U64(vs[i]->exit_code, a.exit_code);
        CHECK_MEM_EQ(vs[i]->regs, a.regs, sizeof a.regs);
        CHECK_MEM_EQ(vs[i]->mem, a.mem, a.mem_size);
    }
    if (CHECK(snap_mem != NULL)) {
        /* restore the snapshot state into c and finish */
        memcpy(c.regs, snap.regs, sizeof c.regs);
        c.pc = snap.pc;
        c.cycles = snap.cycles;
        c.halt = snap.halt;
        c.exit_code = snap.exit_code;
        c.fault = snap.fault;
        memcpy(c.mem, snap_mem, c.mem_size);
        CHECK_OK(cairn_vm_run(&c, UINT64_MAX, &err));
        CHECK_EQ_U64(c.cycles, a.cycles);
        CHECK_MEM_EQ(c.regs, a.regs, sizeof a.regs);
        CHECK_MEM_EQ(c.mem, a.mem, a.mem_size);
    }
    free(snap_mem);
    cairn_vm_clear(&a);
    cairn_vm_clear(&b);
    cairn_vm_clear(&c);
    cairn_program_clear(&prog);
    free(elf);
    rvp_clear(&p);
}

static int failing_writer(void *ctx, int fd, const uint8_t *buf, size_t buf_len)
{
    (void)fd;
    (void)buf;
    (void)buf_len;
    int *fail = ctx;
    return *fail ? -1 : 0;
}

/* A failing write callback stops with CAIRN_ERR_IO before the ecall; a retry completes it. */
static void vm_host_write_error(void)
{
    struct rvprog p;
    new_prog(&p);
    rvp_li(&p, 10, 1);
    rvp_li(&p, 11, RVP_DATA_BASE);
    rvp_li(&p, 12, 4);
    rvp_li(&p, 17, 64);
    size_t at = rvp_emit(&p, RV_ECALL);
    rvp_exit(&p, 9);
    size_t len;
    uint8_t *elf = rvp_elf(&p, &len);
    cairn_program prog;
    cairn_vm vm;
    cairn_error err;
    int fail = 1;
    CHECK_OK(cairn_elf_load(&prog, elf, len, &err));
    cairn_vm_config cfg;
    cairn_vm_config_init(&cfg);
    cfg.write = failing_writer;
    cfg.write_ctx = &fail;
    CHECK_OK(cairn_vm_init(&vm, &prog, &cfg, &err));
    CHECK_STATUS(cairn_vm_run(&vm, UINT64_MAX, &err), CAIRN_ERR_IO);
    CHECK(vm.halt == CAIRN_VM_RUNNING);
    CHECK_EQ_U64(vm.pc, rvp_addr(at));
    CHECK_EQ_U64(vm.cycles, at);
    CHECK_EQ_U64(vm.output_len, 0);
    fail = 0;
    CHECK_OK(cairn_vm_run(&vm, UINT64_MAX, &err));
    CHECK(vm.halt == CAIRN_VM_EXITED);
    CHECK_EQ_U64(vm.exit_code, 9);
    CHECK_EQ_U64(vm.output_len, 4);
    cairn_vm_clear(&vm);
    cairn_program_clear(&prog);
    free(elf);
    rvp_clear(&p);
}

/* The statistics variant computes the same state and counts every cycle once. */
static void vm_stats_variant(void)
{
    struct rvprog p;
    loop_prog(&p);
    size_t len;
    uint8_t *elf = rvp_elf(&p, &len);
    cairn_program prog;
    cairn_vm a, b;
    cairn_vm_stats st;
    cairn_error err;
    CHECK_OK(cairn_elf_load(&prog, elf, len, &err));
    CHECK_OK(cairn_vm_init(&a, &prog, NULL, &err));
    CHECK_OK(cairn_vm_init(&b, &prog, NULL, &err));
    CHECK_OK(cairn_vm_stats_init(&st, &b, &err));
    CHECK_OK(cairn_vm_run(&a, UINT64_MAX, &err));
    CHECK_OK(cairn_vm_run_stats(&b, 777, &st, &err)); /* in two pieces */
    CHECK_OK(cairn_vm_run_stats(&b, UINT64_MAX, &st, &err));
    CHECK_EQ_U64(b.cycles, a.cycles);
    CHECK_MEM_EQ(b.regs, a.regs, sizeof a.regs);
    uint64_t sum = 0;
    for (int c = 0; c < CAIRN_VM_CLASS_COUNT; c++)
        sum += st.class_count[c];
    CHECK_EQ_U64(sum, a.cycles);
    CHECK_EQ_U64(st.class_count[CAIRN_VM_CLASS_LOAD], 300);
    CHECK_EQ_U64(st.class_count[CAIRN_VM_CLASS_STORE], 300);
    CHECK_EQ_U64(st.class_count[CAIRN_VM_CLASS_BRANCH], 300);
    CHECK_EQ_U64(st.branches_taken, 299);
    CHECK_EQ_U64(st.class_count[CAIRN_VM_CLASS_SYSTEM], 1);
    CHECK_EQ_U64(cairn_vm_stats_touched_bytes(&st), 64); /* 16 words of the data area */
    CHECK(strcmp(cairn_vm_class_name(CAIRN_VM_CLASS_DIV), "div") == 0);
    cairn_vm_stats_clear(&st);
    cairn_vm_stats_clear(NULL);
    cairn_vm_clear(&a);
    cairn_vm_clear(&b);
    cairn_program_clear(&prog);
    free(elf);
    rvp_clear(&p);
}

const struct test_case test_vm_cases[] = {
    TEST(vm_m_extension_edges),
    TEST(vm_x0_is_zero),
    TEST(vm_loads_stores_jalr),
    TEST(vm_faults),
    TEST(vm_illegal_not_executed),
    TEST(vm_syscalls_io),
    TEST(vm_memory_layout),
    TEST(vm_resume_and_step_identical),
    TEST(vm_host_write_error),
    TEST(vm_stats_variant),
    TEST_END,
};
