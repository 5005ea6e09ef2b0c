/*
 * zk_util.h — helpers shared by the zkVM tests: a generator of random
 * register-only RV32I programs (the instruction set proven without RAM), hand-made
 * programs, and a small RV32I interpreter that can be told to execute one
 * instruction wrongly and still produce a self-consistent trace (the
 * "lying executions" of the soundness tests).
 */
#ifndef CAIRN_TEST_ZK_UTIL_H
#define CAIRN_TEST_ZK_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/field.h"
#include "vm_util.h"
#include "zk_witness.h"

/*
 * A random program of about `items` items ending in exit(a0 = x5 & 0xff):
 * register-only, or with loads and stores of every width when mem is set.
 */
void zk_gen_program(struct rvprog *p, uint64_t seed, uint32_t items, int mem);
/* What zk_gen_program's mem may ask for beyond register-only RV32I (or'ed). */
#define ZK_GEN_MEM 1   /* loads, stores and system calls */
#define ZK_GEN_MUL 2   /* the M extension (multiplications, divisions), edge operands half the time */

/*
 * zk_gen_program's ELF: odd seeds get loads, stores and system calls,
 * even seeds stay register-only (one trace row per cycle).
 */
uint8_t *zk_gen_elf(uint64_t seed, uint32_t items, size_t *len);
/* zk_gen_elf with the M extension (ZK_GEN_MUL): provable by the lean prover only. */
uint8_t *zk_gen_elf_m(uint64_t seed, uint32_t items, size_t *len);

/* Input for the programs with memory, which read it in three reads of 8 bytes. */
#define ZK_TEST_INPUT_LEN 12u
extern const uint8_t zk_test_input[ZK_TEST_INPUT_LEN];

/* A loop of `iters` iterations of a few ALU instructions (about 6 cycles each), then exit. */
void zk_loop_program(struct rvprog *p, uint32_t iters);

/* Lies the test interpreter can tell (each on the first instruction it applies to). */
enum zk_lie {
    ZK_LIE_NONE = 0,
    ZK_LIE_ADD_OFF_BY_ONE, /* ADD/ADDI writes the sum + 1 */
    ZK_LIE_SLT_AS_SLTU,    /* SLT computes the unsigned comparison */
    ZK_LIE_SRA_AS_SRL,     /* SRA/SRAI shifts in zeros */
    ZK_LIE_BRANCH_NOT_TAKEN, /* a taken branch falls through */
    ZK_LIE_JALR_BIT0,      /* JALR keeps bit 0 of the target */
    ZK_LIE_X0_STICKS,      /* a write to x0 is kept */
    ZK_LIE_STALE_READ,     /* a register read returns the value before the last write */
    ZK_LIE_COUNT
};

/*
 * Run `elf` (register-only) in the test interpreter, telling `lie` once,
 * and write the trace rows (cairn/witness.h layout, row-major) into a new
 * buffer *rows (*cycles rows).  Returns 1 when the lie was told and the run
 * reached exit, 0 otherwise.
 */
int zk_lying_trace(const uint8_t *elf, size_t elf_len, enum zk_lie lie, cairn_fp **rows,
                   uint64_t *cycles);
/* zk_lying_trace giving up (returning 0) after max_steps instructions (zk_lying_trace: 2^22). */
int zk_lying_trace_max(const uint8_t *elf, size_t elf_len, enum zk_lie lie, uint64_t max_steps,
                       cairn_fp **rows, uint64_t *cycles);

/*
 * A random register-only program of about `items` items on which `lie` is
 * told within 2^16 steps (a lie that sends a program into a long loop is
 * skipped for another one), trying up to `tries` programs: *elf (*len
 * bytes) and its lying trace *rows (*T rows), both malloc'd.  Returns 0
 * when no program told it (both outputs NULL).
 */
int zk_find_lie(enum zk_lie lie, uint32_t items, unsigned tries, uint8_t **elf, size_t *len,
                cairn_fp **rows, uint64_t *T);

/* A cairn_rows consumer keeping the first T rows (row-major, CAIRN_WIT_WIDTH wide). */
struct zk_collect {
    cairn_fp *rows;
    uint64_t T;
};
cairn_status zk_collect_rows(void *ctx, uint64_t first, const cairn_fp *rows, size_t count,
                             cairn_error *err);

/* Everything the checker needs for one program. */
struct zkt {
    cairn_program prog;
    zk_bytecode bc;
    zk_witness w;
    uint32_t init[32];
    zk_ram ram;
    const uint8_t *input; /* the read(0) bytes (zkt_build_input) */
    size_t input_len;
    cairn_fp *lean; /* zkt_build_run: the lean cells (row-major), w holding only the statement */
};

/*
 * Build the witness of an ELF: of its honest run when rows is NULL, else
 * of the T given trace rows (strict: the prover's own trace checks).
 * Returns 1 on success (failures are reported with FAIL).
 */
int zkt_build(struct zkt *z, const uint8_t *elf, size_t len, const cairn_fp *rows, uint64_t T,
              int strict);
/* The same with the bytes the guest's reads consume. */
int zkt_build_input(struct zkt *z, const uint8_t *elf, size_t len, const uint8_t *input,
                    size_t input_len, const cairn_fp *rows, uint64_t T, int strict);
void zkt_clear(struct zkt *z);
/*
 * The lean prover's own run of an ELF (zl_run_init: the cells streamed
 * from the VM's trace, so it may hold M instructions the first prover's
 * witness cannot express): z gets the program, its lean bytecode, RAM,
 * initial registers and the cells (zkt_lean_cells copies them); of w only
 * n, T, the exit code and the output are set.  1, or 0 after a FAIL.
 */
int zkt_build_run(struct zkt *z, const uint8_t *elf, size_t len, const uint8_t *input,
                  size_t input_len);

/*
 * The lean row's verdict on z's witness (docs/zkvm-v2.md): its cells
 * translated from the lie builder's columns (zl_fill) and checked by the
 * reference checker (zl_check) against z's statement (entry, exit code,
 * output).  CAIRN_OK, or the checker's or the fill's status with err set.
 */
cairn_status zkt_lean_check(const struct zkt *z, cairn_error *err);

/*
 * The lean cells of z's witness (zl_fill), malloc'd: 2^n rows of
 * ZL_NCELL.  NULL on failure (reported with FAIL).
 */
cairn_fp *zkt_lean_cells(const struct zkt *z);

/* The statement of z's run for the lean proof (format 5's defaults: 100 bits, grinding chosen). */
zl_stmt zkt_lean_stmt(const struct zkt *z, const cairn_fp *cells);

/*
 * The full lean proof of cells: proven by zl_prove under statement sp
 * (NULL: the run's own, zkt_lean_stmt) and verified by zl_verify under
 * sv (NULL: the prover's), each with a fresh transcript.  The verifier's
 * status; CAIRN_ERR_INTERNAL when the prover fails (its message in
 * *verr when given).  keep (optional) receives the proof.
 */
cairn_status zkt_lean_prove_verify(const struct zkt *z, const cairn_fp *cells, const zl_stmt *sp,
                                   const zl_stmt *sv, zl_proof *keep, cairn_error *verr);

/*
 * zkt_lean_check and the full lean proof of the same cells: *check
 * receives the checker's verdict, *proof zkt_lean_prove_verify's.
 */
void zkt_lean_check_prove(const struct zkt *z, cairn_status *check, cairn_status *proof,
                          cairn_error *err);

/*
 * Every item of the lean checker that z's witness fails (zl_check_masks
 * on its cells), by short name, space separated, in the checker's order:
 * constraints by name, "U:<cell>" for a U lookup, "bytecode", then the
 * memory-checking multisets by name ("registers", "RAM", "output"); "" when
 * none.
 */
void zkt_lean_items(char *out, size_t cap, const struct zkt *z);

#endif
