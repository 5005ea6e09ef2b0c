/*
 * vm_util.h — helpers shared by the VM tests: an RV32IM encoder, a program
 * builder that writes a minimal ELF, a runner that executes an ELF in the
 * VM capturing its output, and a runner for qemu-riscv32.
 *
 * Builder layout: code at RVP_CODE_BASE (file offset 0x1000, R X), data at
 * RVP_DATA_BASE (R W, file bytes then `bss` zero bytes).  Code is at most
 * RVP_DATA_BASE - RVP_CODE_BASE bytes.
 */
#ifndef CAIRN_TEST_VM_UTIL_H
#define CAIRN_TEST_VM_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/vm.h"

#define RVP_CODE_BASE UINT32_C(0x10000)
#define RVP_DATA_BASE UINT32_C(0x40000)

/* Encoders (fields are masked; immediates are the architectural values). */
uint32_t rv_r(uint32_t f7, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t opc);
uint32_t rv_i(int32_t imm, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t opc);
uint32_t rv_s(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3);
uint32_t rv_b(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3);
uint32_t rv_u(uint32_t imm_hi, uint32_t rd, uint32_t opc); /* imm_hi: the upper 20 bits, in place */
uint32_t rv_j(int32_t imm, uint32_t rd);

#define RV_ADDI(rd, rs1, imm) rv_i((imm), (rs1), 0, (rd), 0x13)
#define RV_LW(rd, rs1, imm) rv_i((imm), (rs1), 2, (rd), 0x03)
#define RV_SW(rs2, rs1, imm) rv_s((imm), (rs2), (rs1), 2)
#define RV_JALR(rd, rs1, imm) rv_i((imm), (rs1), 0, (rd), 0x67)
#define RV_ECALL UINT32_C(0x00000073)
#define RV_EBREAK UINT32_C(0x00100073)

struct rvprog {
    uint32_t *code;
    size_t n, cap;
    uint8_t *data;
    size_t data_len, data_cap;
    uint32_t bss;        /* zero bytes after data */
    uint32_t entry;      /* default RVP_CODE_BASE */
};

void rvp_init(struct rvprog *p);
void rvp_clear(struct rvprog *p);
/* Append a word; returns its index. */
size_t rvp_emit(struct rvprog *p, uint32_t w);
/* Address of word index i. */
uint32_t rvp_addr(size_t i);
/* rd = v with LUI + ADDI (always two words). */
void rvp_li(struct rvprog *p, uint32_t rd, uint32_t v);
/* exit(a0 = v) */
void rvp_exit(struct rvprog *p, uint32_t v);
/* Append data bytes (returns their guest address). */
uint32_t rvp_data(struct rvprog *p, const void *bytes, size_t len);
/* Write the ELF into a malloc'd buffer. */
uint8_t *rvp_elf(const struct rvprog *p, size_t *len);

/*
 * The operand source of the random-program generators (the VM's
 * differential tests, the witness tests, the zkVM tests): a splitmix64
 * stream seeded per program, edge values one time in three.
 */
struct vmt_gen {
    uint64_t s;        /* generator state (the seed) */
    struct rvprog *p;  /* the program being built */
    uint32_t scratch;  /* generator-specific (e.g. a scratch buffer address) */
};
uint64_t vmt_gen_next(struct vmt_gen *g);
uint32_t vmt_gen_below(struct vmt_gen *g, uint32_t n); /* n > 0 */
uint32_t vmt_gen_edge(struct vmt_gen *g);              /* an edge value (0, 1, -1, 2^31, ...) */
uint32_t vmt_gen_value(struct vmt_gen *g);             /* a 32-bit operand */
int32_t vmt_gen_imm12(struct vmt_gen *g);              /* a 12-bit signed immediate */

/*
 * Registers the generators reserve: x30 as a jump/address temporary, x29
 * as a loop counter; x0..x28 are free for random instructions.
 */
#define VMT_REG_T 30u
#define VMT_REG_L 29u
#define VMT_NUM_FREE 29u

/* A random destination (x0 included) and a random source register. */
uint32_t vmt_gen_rd(struct vmt_gen *g);
uint32_t vmt_gen_rs(struct vmt_gen *g);

/* Emits one straight-line instruction (the body of the control-flow items below). */
typedef void (*vmt_gen_body)(struct vmt_gen *g);

/*
 * Control-flow items shared by the generators, each around 0..k body
 * instructions: a forward conditional branch over them, a forward JAL, a
 * forward JALR through AUIPC in VMT_REG_T with the target's bit 0 possibly
 * set (JALR clears it), and a counted loop on VMT_REG_L.
 */
void vmt_gen_branch_fwd(struct vmt_gen *g, vmt_gen_body body);
void vmt_gen_jal_fwd(struct vmt_gen *g, vmt_gen_body body);
void vmt_gen_jalr_fwd(struct vmt_gen *g, vmt_gen_body body);
void vmt_gen_loop(struct vmt_gen *g, vmt_gen_body body);

/* Outcome of one run. */
struct vmt_result {
    cairn_vm_halt halt;
    uint32_t exit_code;
    cairn_vm_fault fault;
    uint64_t cycles;
    uint8_t *out; /* fd 1 bytes (malloc'd) */
    size_t out_len;
    uint8_t *diag; /* fd 2 bytes */
    size_t diag_len;
    uint32_t regs[32];
    uint32_t pc;
};
void vmt_result_clear(struct vmt_result *r);

/* Load `elf` and run it to the end (or max_cycles). Returns the load/init/run status. */
cairn_status vmt_run(const uint8_t *elf, size_t elf_len, const uint8_t *input, size_t input_len,
                     uint64_t max_cycles, struct vmt_result *r, cairn_error *err);

/* Collects fd 1 / fd 2 into a vmt_result (a cairn_vm_write_fn). */
int vmt_capture(void *ctx, int fd, const uint8_t *buf, size_t buf_len);

/*
 * Run `elf` under qemu-riscv32 -cpu rv32,c=false with `input` on stdin.
 * Returns 0 and sets *status to the exit status (0..255) or to -signal;
 * returns -1 when qemu-riscv32 could not be started (message in why).
 */
int vmt_qemu(const uint8_t *elf, size_t elf_len, const uint8_t *input, size_t input_len,
             uint8_t **out, size_t *out_len, int *status, char *why, size_t why_len);
int vmt_qemu_file(const char *path, const uint8_t *input, size_t input_len, uint8_t **out,
                  size_t *out_len, int *status, char *why, size_t why_len);

/* Read a whole file; NULL when missing. */
uint8_t *vmt_read_file(const char *path, size_t *len);

/* Directory holding the built example guests (CAIRN_GUEST_DIR, env overrides). */
const char *vmt_guest_dir(void);

#endif
