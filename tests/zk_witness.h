/*
 * zk_witness.h — the tests' lie builder (zk_witness.c): the retired first
 * prover's 114 columns a row, filled from trace rows, and their
 * translation into the lean row's cells.  The lying executions of the
 * soundness tests (test_zkvm_lies.c, test_lean.c, zk_util.c) are told on
 * these columns, so that a lie is consistent across a whole row before the
 * lean checker and the lean prover see it.  Nothing here is in the library.
 */
#ifndef CAIRN_TEST_ZK_WITNESS_H
#define CAIRN_TEST_ZK_WITNESS_H

#include "../src/zkvm/zkvm_internal.h"

/*
 * The dynamic columns, after the static ones (ZK_NSTATIC, zkvm_internal.h):
 * registers and their timestamps, the ALU's auxiliaries, RAM (in the order
 * of enum zk_ram_col from ZR_EA), I/O.
 */
enum zk_dyn_col {
    ZK_V1 = ZK_NSTATIC, ZK_V2, ZK_VD, ZK_VDO, ZK_T1, ZK_T2, ZK_TD, ZK_E1, ZK_E2, ZK_E3,
    ZK_U0, ZK_U1, ZK_U2, ZK_C0, ZK_C1, ZK_C2, ZK_W0, ZK_W1, ZK_W2, ZK_W3, ZK_SA, ZK_SB,
    ZK_X, ZK_XL, ZK_K, ZK_Z, ZK_INV, ZK_RES, ZK_J1, ZK_J2, ZK_LSB,
    ZK_P, ZK_SEL, ZK_FILL, ZK_T, ZK_PROD, ZK_HI, ZK_HL, ZK_R,
    ZK_EA, ZK_KA, ZK_EAL, ZK_O1, ZK_O2, ZK_M0, ZK_M1, ZK_M2, ZK_M3, ZK_RO,
    ZK_Y0, ZK_Y1, ZK_YB, ZK_TB, ZK_S, ZK_PW, ZK_DB, ZK_DH, ZK_MNEW, ZK_TM, ZK_EM,
    ZK_WO, ZK_WE, ZK_RDK, ZK_JIO, ZK_CNT, ZK_PTR, ZK_CINV, ZK_MORE, ZK_J3, ZK_INB, ZK_GAP, ZK_GL,
    ZK_OI, ZK_EOF, ZK_ENDS, ZK_EC,
    ZK_NCOL /* = 114 */
};

/* A row's values: the columns, the shifted ones, then the public entries. */
enum {
    ZK_Z_PCNEXT = ZK_NCOL, /* pc(x + 1), virtual (shift sum-check) */
    ZK_Z_CNTNEXT,          /* cnt(x + 1), virtual */
    ZK_Z_PTRNEXT,          /* ptr(x + 1), virtual */
    ZK_Z_OINEXT,           /* oi(x + 1), virtual */
    ZK_Z_EOFNEXT,          /* eof(x + 1), virtual */
    ZK_Z_ONE,              /* 1 */
    ZK_Z_ID,               /* id(x) = sum_i 2^i x_i */
    ZK_Z_PADS,             /* [x >= T] */
    ZK_Z_FIRST,            /* [x = 0] */
    ZK_Z_LAST,             /* [x = T - 1] */
    ZK_NZ
};
#define ZK_NVIRT (ZK_Z_ONE - ZK_Z_PCNEXT)
/* The columns moved by one row, in the order of the shifted entries. */
extern const uint16_t zk_shifted[ZK_NVIRT];

/* Index in the full row of each entry of the RAM part's own vector (enum zk_ram_col). */
extern const uint16_t zk_ram_zmap[ZR_N];

typedef struct {
    size_t n;          /* variables: rows = 2^n */
    uint64_t T;        /* trace rows: instructions plus the read/write rows */
    cairn_fp *col[ZK_NCOL]; /* column-major, 2^n each (one allocation) */
    cairn_fp *pcnext;  /* the ZK_NVIRT shifted columns at x + 1 (0 on the last row), 2^n each */
    uint32_t final_val[32];
    uint64_t final_ts[32];
    cairn_fp *fv, *fts; /* final memory: value and timestamp of each of the 2^k words */
    uint32_t exit_code;
    uint8_t *output;    /* the bytes written to fd 1 */
    size_t output_len;
} zk_witness;

void zk_witness_init(zk_witness *w);
void zk_witness_clear(zk_witness *w);

/*
 * Build the columns from the `cycles` trace rows (CAIRN_WIT_WIDTH wide,
 * streamed from `trace`) of a run of the program whose bytecode is bc, with
 * the input bytes the guest's reads consumed: T rows (zk_trace_rows) padded
 * to 2^n.  When strict, a row that is not a supported instruction of the
 * table is an error (CAIRN_ERR_ARG naming the cycle, pc and instruction).
 */
cairn_status zk_witness_build(zk_witness *w, const cairn_rows *trace, uint64_t cycles, uint64_t T,
                              size_t n, const zk_bytecode *bc, const uint32_t init_regs[32],
                              const zk_ram *ram, const uint8_t *input, size_t input_len, int strict,
                              cairn_error *err);
/* Recompute the final registers and memory from the columns (after tampering). */
void zk_witness_finals(zk_witness *w, const uint32_t init_regs[32], const zk_ram *ram);
/* Recompute pc_next from the pc column. */
void zk_witness_pcnext(zk_witness *w);
/* z values of row x (ZK_NZ entries). */
void zk_witness_z(cairn_fp *z, const zk_witness *w, uint64_t x);

/*
 * The index of row z's (pc, static columns) in the bytecode table, or -1
 * (a padding row, [x >= T] = 1, has the padding entry's index count).
 */
int64_t zk_bytecode_find(const zk_bytecode *bc, const cairn_fp *z);

/*
 * The cells of every row (2^w->n rows of ZL_NCELL, row-major) from a
 * first-prover witness: a translation of its columns, with the register
 * timestamps replayed for the lean row's gated accesses (rs2 is not read
 * on a read's byte rows, rd only when written).  A row that matches no
 * bytecode entry (a lying trace) gets its word's entry or the padding
 * entry, for the checker to reject.  Never fails (err for symmetry with
 * the production fill, lean_fill.c).
 */
cairn_status zl_fill(cairn_fp *cells, const zk_witness *w, const zk_bytecode *bc,
                     cairn_error *err);

#endif
