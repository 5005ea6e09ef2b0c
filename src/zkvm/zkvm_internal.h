/*
 * zkvm_internal.h — the contract inside src/zkvm/ (docs/zkvm-v2.md and
 * docs/arithmetization.md are the prose version; keep them in step).
 *
 *   zkvm.c      the public entry points (options, prove, verify), the
 *               container's header and statement block, the statement's
 *               checks against the ELF, the trace rows of a run, the
 *               closed forms of the row index's public polynomials;
 *   tables.c    the bytecode: the RV32I decoder into static columns, the
 *               program's table of entries, the initial registers;
 *   ram.c       RAM: the initial image and its MLE, the read-only words,
 *               the replay that fills a row's access, loads/stores decoded;
 *   sumcheck.c  a sum-check prover for a summand given as a point function
 *               (the zero-check and shift stages);
 *   lean*.c     the lean row, its prover and its verifier (proof format
 *               5): the sections below, one per file (lean_replay.c: the
 *               lean rows in small space, checkpoints and a cursor).
 *
 * Invariants: every value is a canonical field element; the lean row's
 * constraint system is a pure function of the statement constants (entry,
 * exit code), so prover, verifier and checker interpret the same data.
 */
#ifndef CAIRN_ZKVM_INTERNAL_H
#define CAIRN_ZKVM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/field.h"
#include "cairn/gkr.h"
#include "cairn/pcs.h"
#include "cairn/poly.h"
#include "cairn/rows.h"
#include "cairn/sumcheck.h"
#include "cairn/transcript.h"
#include "cairn/vm.h"
#include "cairn/witness.h"
#include "cairn/zkvm.h"

/* ---- the static columns of a row (the bytecode's fields) ------------------------------------- */

/* What the decoder says of an instruction: the fields of its bytecode entry. */
enum zk_col {
    ZK_PC = 0, ZK_IMM, ZK_RS1, ZK_RS2, ZK_RD, ZK_WR, ZK_DU, ZK_D1, ZK_D2,
    ZK_F_ADD, ZK_F_SUB, ZK_F_SLT, ZK_F_SLL, ZK_F_SRL, ZK_F_SRA, ZK_F_RX, ZK_F_RK,
    ZK_F_AND, ZK_F_OR, ZK_F_XOR, ZK_F_LINK, ZK_F_JALR, ZK_F_ECALL,
    ZK_OFF, ZK_F_LB, ZK_F_LBU, ZK_F_LH, ZK_F_LHU, ZK_F_LW, ZK_F_SB, ZK_F_SH, ZK_F_SW,
    /* read/write system calls (docs/arithmetization.md, "I/O"): the virtual rows' kinds */
    ZK_D3, ZK_F_SWR, ZK_F_SRD, ZK_F_BO, ZK_F_BE, ZK_F_BI,
    ZK_NSTATIC /* = 38 */
};

/*
 * The virtual rows of a read or write at ECALL address P sit at pc
 * P + j * ZK_VPC (j = 1..6): never a real pc (those are below 2^32) nor
 * reachable by a branch or jump from one.
 */
#define ZK_VPC (UINT64_C(1) << 40)

/* ---- public polynomials of the row index (zkvm.c) ------------------------------------------ */

/* [x >= T] over n variables at r (T <= 2^n; T = 2^n gives 0). */
cairn_fp2 zk_ge_eval(const cairn_fp2 *r, size_t n, uint64_t T);
/* eq(r, bits of v) over n variables. */
cairn_fp2 zk_eq_const(const cairn_fp2 *r, size_t n, uint64_t v);
/* id(r) = sum_i 2^i r_i. */
cairn_fp2 zk_id_eval(const cairn_fp2 *r, size_t n);
/* next(r, y) = [y = r + 1] (as integers, n bits) at (r, y), O(n). */
cairn_fp2 zk_next_eval(const cairn_fp2 *r, const cairn_fp2 *y, size_t n);

/* ---- the bytecode (tables.c) ----------------------------------------------------------------- */

/* Shift-table values for byte b and direction dir (0 left, 1 logical right, 2 arithmetic). */
void zk_shift_entry(uint32_t b, uint32_t dir, uint64_t *P, uint64_t *sel, uint64_t *fill);

/*
 * The static columns of one instruction, and (the lean row only) which
 * instruction of the M extension it is (ZK_M_MUL + funct3): ZK_M_NONE for
 * every other instruction.  The first prover reads f alone and never sees
 * m set.
 */
enum { ZK_M_NONE = 0, ZK_M_MUL, ZK_M_MULH, ZK_M_MULHSU, ZK_M_MULHU,
       ZK_M_DIV, ZK_M_DIVU, ZK_M_REM, ZK_M_REMU };
typedef struct {
    cairn_fp f[ZK_NSTATIC];
    uint8_t m;
} zk_static;

/*
 * Decode the word at pc into its static columns.  Returns 1 for a supported
 * instruction (RV32I without EBREAK, CSR and the M extension; ECALL), 0 otherwise
 * (then *out describes nothing and `why` names the class).
 */
int zk_decode(zk_static *out, uint32_t pc, uint32_t word, const char **why);
/*
 * zk_decode with extensions: ext = ZK_EXT_M also accepts the eight M
 * instructions (the lean row's; out->m says which).  ext = 0 is zk_decode.
 */
#define ZK_EXT_M 1u
int zk_decode_ext(zk_static *out, uint32_t pc, uint32_t word, unsigned ext, const char **why);
/* The padding row's static columns (pc 0, du = -4, everything else 0). */
void zk_static_pad(zk_static *out);

/* The program's bytecode table: supported instructions in address order, then padding entries. */
typedef struct {
    uint32_t text_base, text_words;
    int32_t *index;     /* text_words entries: table index of the word, -1 when unsupported */
    zk_static *entries; /* count entries */
    size_t count;
} zk_bytecode;

void zk_bytecode_init(zk_bytecode *bc);
void zk_bytecode_clear(zk_bytecode *bc);
/* Build from the program's executable segments. CAIRN_ERR_NOMEM, CAIRN_ERR_LIMIT. */
cairn_status zk_bytecode_build(zk_bytecode *bc, const cairn_program *prog, cairn_error *err);
/* The same, decoding with zk_decode_ext's extensions (the lean prover and verifier: ZK_EXT_M). */
cairn_status zk_bytecode_build_ext(zk_bytecode *bc, const cairn_program *prog, unsigned ext,
                                   cairn_error *err);
/* Initial register file: x2 = mem_base + mem_size, others 0. */
void zk_init_regs(uint32_t regs[32], const cairn_program *prog, uint32_t mem_log2_words);
/* The byte range [lo, hi) spanned by the executable segments (0, 0 when none). */
void zk_text_hull(uint64_t *lo, uint64_t *hi, const cairn_program *prog);
/* mem_base of the VM layout for prog (lowest segment rounded down to 4 KiB). */
uint32_t zk_mem_base(const cairn_program *prog);

/* ---- RAM (docs/arithmetization.md, "RAM") ---------------------------------------------------- */

/*
 * The RAM region of a statement: 2^k words at base (4-aligned), the
 * executable words [text_lo, text_hi) (indices from base, read-only), and
 * the initial image (the ELF's bytes, zeros elsewhere), 2^k words.
 */
typedef struct {
    uint32_t base;
    unsigned k;
    uint64_t text_lo, text_hi;
    uint32_t *init;
} zk_ram;

void zk_ram_init(zk_ram *r);
void zk_ram_clear(zk_ram *r);
/* The region of prog with 2^k words.  CAIRN_ERR_ARG (a segment outside it), CAIRN_ERR_NOMEM. */
cairn_status zk_ram_load(zk_ram *r, const cairn_program *prog, unsigned k, cairn_error *err);

/*
 * The MLE of the initial memory (the ELF image, zeros elsewhere) over the
 * 2^k words of the region at mem_base, at r (k coordinates), in
 * O(image words * k).  CAIRN_ERR_ARG when a segment lies outside the region
 * or the shape is bad.
 */
cairn_status zk_ram_init_eval(cairn_fp2 *out, const cairn_program *prog, uint32_t mem_base,
                              unsigned k, const cairn_fp2 *r, cairn_error *err);
/* The executable words [lo, hi) (indices from mem_base), as the VM fences stores. */
void zk_ram_text_words(uint64_t *lo, uint64_t *hi, const cairn_program *prog, uint32_t mem_base);
/* The MLE of [lo <= j < hi] over k variables at r, O(k). */
cairn_fp2 zk_ram_interval_eval(const cairn_fp2 *r, unsigned k, uint64_t lo, uint64_t hi);

/*
 * The RAM part of a row, on its own value vector: the inputs it shares
 * with the rest of the row (v1, v2, the offset, the result, the bytes c0,
 * c1 of the operand B, the I/O pointer (the address of a system call's
 * byte row, 0 elsewhere), the eight load/store flags), the access's own
 * values, then id and 1.  zk_ram_row fills it; the lean row's fill reads
 * the address, the words and the timestamps from it.
 */
enum zk_ram_col {
    ZR_V1 = 0, ZR_V2, ZR_OFF, ZR_RES, ZR_C0, ZR_C1, ZR_PTR,
    ZR_F_LB, ZR_F_LBU, ZR_F_LH, ZR_F_LHU, ZR_F_LW, ZR_F_SB, ZR_F_SH, ZR_F_SW,
    ZR_EA, ZR_KA, ZR_EAL, ZR_O1, ZR_O2, ZR_M0, ZR_M1, ZR_M2, ZR_M3, ZR_RO,
    ZR_Y0, ZR_Y1, ZR_YB, ZR_TB, ZR_S, ZR_PW, ZR_DB, ZR_DH, ZR_MNEW, ZR_TM, ZR_EM,
    ZR_ID, ZR_ONE, ZR_N
};
/*
 * The prover's memory while it fills rows: the current words and the
 * timestamp of each word's last access.  Optionally (zk_ram_replay_track)
 * it also lists the blocks of ZK_RAM_BLOCK words it accessed, each once
 * until the caller forgets them: the lean checkpoints (lean_replay.c) keep
 * only such blocks.
 */
#define ZK_RAM_BLOCK_SHIFT 4u
#define ZK_RAM_BLOCK (1u << ZK_RAM_BLOCK_SHIFT)
typedef struct {
    const zk_ram *ram;
    uint32_t *mem;
    uint64_t *ts;
    uint8_t *mark;    /* tracked: one byte per block, set while the block is listed */
    uint32_t *marked; /* tracked: the listed blocks, in the order they were listed */
    size_t marked_len;
} zk_ram_replay;

/* Memory as the initial image, every timestamp 0, nothing tracked.  CAIRN_ERR_NOMEM. */
cairn_status zk_ram_replay_init(zk_ram_replay *rp, const zk_ram *ram, cairn_error *err);
void zk_ram_replay_clear(zk_ram_replay *rp);
/* The blocks of the region: ceil(2^k / ZK_RAM_BLOCK). */
size_t zk_ram_blocks(const zk_ram *ram);
/* Start listing the blocks zk_ram_row accesses (nothing listed yet).  CAIRN_ERR_NOMEM. */
cairn_status zk_ram_replay_track(zk_ram_replay *rp, cairn_error *err);
/* List block b unless it is listed (tracked replays only). */
static inline void zk_ram_replay_mark(zk_ram_replay *rp, size_t b)
{
    if (rp->mark[b] == 0) {
        rp->mark[b] = 1;
        rp->marked[rp->marked_len++] = (uint32_t)b;
    }
}
/* Empty the list (tracked replays only). */
void zk_ram_replay_forget(zk_ram_replay *rp);

/*
 * The RAM columns of row x (and the result of a load or store) into o,
 * the part's own vector, whose inputs (v1, v2, off, c0, c1, ptr, the
 * flags, id, one) the caller has set, from the replayed memory.
 * CAIRN_ERR_ARG for an access outside the region.
 */
cairn_status zk_ram_row(cairn_fp o[ZR_N], zk_ram_replay *rp, uint64_t x, cairn_error *err);

/* A decoded load or store. */
typedef struct {
    unsigned flag;            /* ZR_F_LB .. ZR_F_SW */
    uint32_t off;             /* the offset, sign-extended, as a u32 */
    uint32_t rs1, rs2, rd;    /* rs2 = 0 for loads, rd = 0 for stores */
} zk_mem_insn;
/* Decode a load or store word (1), or 0 for any other word. */
int zk_decode_mem(zk_mem_insn *out, uint32_t w);

/* ---- the trace rows of a run (zkvm.c) -------------------------------------------------------- */

/*
 * The rows of a run: its `cycles` instructions plus, for each read or write
 * system call, a setup row and one row per byte moved.  One pass over the
 * trace.  CAIRN_ERR_LIMIT beyond CAIRN_ZKVM_MAX_CYCLES rows.
 */
cairn_status zk_trace_rows(uint64_t *rows, const cairn_rows *trace, uint64_t cycles,
                           cairn_error *err);
/*
 * The trace rows of a finished run, from the VM alone: its instructions,
 * one setup row per read or write and one row per byte moved (what
 * zk_trace_rows counts from the trace).
 */
uint64_t zk_vm_trace_rows(const cairn_vm *vm);
/* log2 of the padded rows of T rows: the least n with 2^n > T (one padding row at least). */
size_t zk_vars_for(uint64_t T);

/* ---- the sum-check prover of a point function (sumcheck.c) ----------------------------------- */

typedef cairn_fp2 (*zk_point_fn)(void *ctx, const cairn_fp2 *vals);

/*
 * Prove sum_x F(f_0(x), ..., f_{k-1}(x)) = claim over n variables, F of
 * degree <= degree in each round variable, with the transcript protocol of
 * cairn_sumcheck_prove (so cairn_sumcheck_verify checks it).  Input c is
 * base[c] (2^n base entries) when non-NULL, else ext[c].  evals receives
 * f_c(point).  threads >= 1.
 */
cairn_status zk_sumcheck_prove(cairn_sumcheck_proof *proof, cairn_fp2 *point, cairn_fp2 *evals,
                               cairn_transcript *t, size_t k, const cairn_fp *const *base,
                               const cairn_fp2 *const *ext, size_t n, size_t degree,
                               cairn_fp2 claim, zk_point_fn fn, void *ctx, unsigned threads,
                               cairn_error *err);

/* ---- the container: header and statement (zkvm.c, docs/proof-format.md) ---------------------- */

#define ZK_MAGIC "CAIRNPRF"
/* Little-endian integers of `bytes` (<= 8) bytes, as the proof formats store them. */
static inline void zk_put_le(uint8_t *b, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t zk_get_le(const uint8_t *b, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

/* The header (magic, le32 version) and the statement block of format 5 (zkvm.c). */
#define ZK_HEADER_BYTES 12u
#define ZK_STATEMENT_BYTES 64u
/* Write the header of `version` and st's block (docs/proof-format.md). */
void zk_header_encode(uint8_t out[ZK_HEADER_BYTES + ZK_STATEMENT_BYTES], uint32_t version,
                      const cairn_zkvm_statement *st);
/*
 * Read them from the first ZK_HEADER_BYTES + ZK_STATEMENT_BYTES of b
 * (len bytes): the magic, the version (another is refused by number,
 * format 4 by name),
 * then the ranges: 1 <= cycles < max_rows, output length <=
 * CAIRN_ZKVM_MAX_OUTPUT, security target 1 .. CAIRN_PCS_MAX_TARGET_BITS - 8,
 * 10 <= mem_log2_words <= ZK_MAX_VARS.  CAIRN_ERR_PARSE naming what and
 * where (a short input included).
 */
cairn_status zk_header_decode(cairn_zkvm_statement *st, const uint8_t *b, size_t len,
                              uint32_t version, uint64_t max_rows, cairn_error *err);
/*
 * The statement checked against the ELF before any proof (zkvm.c): the
 * digest, then the ELF loaded into *prog (the caller clears it), its
 * entry point, the memory size cairn_vm_mem_log2_words gives it,
 * a RAM region below 2^32.  CAIRN_ERR_REJECTED naming the check; the
 * loader's CAIRN_ERR_PARSE.
 */
cairn_status zk_statement_program(cairn_program *prog, const cairn_zkvm_statement *s,
                                  const uint8_t *elf, size_t elf_len, cairn_error *err);
/*
 * How a run the prover was given ended (zkvm.c): a fault
 * is CAIRN_ERR_ARG naming the cycle and the fault, a run that did not
 * exit within max steps CAIRN_ERR_LIMIT; CAIRN_OK once it exited.
 */
cairn_status zk_vm_ended(const cairn_vm *vm, uint64_t max, cairn_error *err);
#define ZK_MAX_VARS 28u

/* ---- the lean row (proof system v2, docs/zkvm-v2.md; lean.c) --------------------------------- */

/*
 * Step 2 of docs/zkvm-v2.md §8: the lean row's cells, tables and
 * constraints, with a reference checker.  Nothing is proven on it yet.
 */

/* The 25 committed cells of a row (docs/zkvm-v2.md §3). */
enum zl_cell {
    ZL_PCI = 0, ZL_J0, ZL_J1, ZL_J2, ZL_J3, ZL_XL, ZL_XH, ZL_K, ZL_HL, ZL_HH, ZL_VD, ZL_DELTA,
    ZL_T1L, ZL_T1H, ZL_T2L, ZL_T2H, ZL_TDL, ZL_TDH, ZL_MP0, ZL_MP1, ZL_EML, ZL_EMH, ZL_OI,
    ZL_EOF, ZL_RO, ZL_NCELL
};
extern const char *const zl_cell_names[ZL_NCELL];
/* The cells looked up in U (each below 2^16), in the order of their outputs in the values. */
#define ZL_NUCELL 18u
extern const uint8_t zl_u_cells[ZL_NUCELL];

/*
 * The public table U: 2^16 entries, index j = lo + 256 hi.  Value columns
 * (functions of j): the two bytes, their AND, the top bit of each byte,
 * the shift multipliers of s = hi mod 32 (left 2^s; right 2^(32-s), 1 for
 * s = 0), the arithmetic shift's fill (2^32 - 2^(32-s), 0 for s = 0),
 * [s = 0], [j = 0], bits 0 and 1, the four indicators [j mod 4 = p], and
 * the system-call kinds read off (a7, fd) = (lo, hi): write to fd 1, to
 * fd 2, read from fd 0, exit or exit_group (a7 = 93 or 94, any fd).
 */
#define ZU_VARS 16u
enum zl_u_col {
    ZU_LO = 0, ZU_HI, ZU_AND, ZU_LO7, ZU_HI7, ZU_PL, ZU_PR, ZU_FILL, ZU_Z5, ZU_IZ, ZU_B0, ZU_B1,
    ZU_S0, ZU_S1, ZU_S2, ZU_S3, ZU_WO, ZU_WE, ZU_RDK, ZU_EX, ZU_NCOL
};
extern const char *const zl_u_names[ZU_NCOL];
/* Column col of entry j < 2^16. */
uint64_t zl_u_value(unsigned col, uint32_t j);
/* Every column's MLE at r (16 coordinates), O(16) to O(2^8 * 8) each. */
void zl_u_mle(cairn_fp2 out[ZU_NCOL], const cairn_fp2 *r);

/*
 * The lean bytecode columns of an entry: the first prover's static columns
 * (ZK_PC .. ZK_F_BI), then the padding bit, the fall-through target
 * (1 - f_jalr)(pc + 4 + du), whether rs2 is read (all but a read's byte
 * rows), and for each result family its flag times wr (a static product,
 * so a result constraint stays of degree <= 3).  Then the M extension
 * (zk_static.m): the low product (the four multiplications), the high
 * word (MULH, MULHSU, MULHU), v1 signed (MULH, MULHSU), v2 signed (MULH),
 * the unsigned and the signed divisions (DIVU, REMU; DIV, REM), and the
 * result families high·wr and quotient·wr (DIV, DIVU); MUL, REM and REMU
 * write x, the rx family (the decoder sets f_rx for them).
 */
#define ZLB_NFW 14u /* rx, rk, and, or, xor, sll, srl, sra, link, lb, lbu, lh, lhu, lw */
enum {
    ZLB_PAD = ZK_NSTATIC, ZLB_FALL, ZLB_USE_RS2, ZLB_FW, ZLB_FW_SET = ZLB_FW + ZLB_NFW,
    ZLB_M_LO, ZLB_M_HI, ZLB_M_S1, ZLB_M_S2, ZLB_FW_MHI, ZLB_D_U, ZLB_D_S, ZLB_FW_DQ, ZLB_N
};
void zl_bc_entry(cairn_fp out[ZLB_N], const zk_static *s, int pad);

/*
 * The values of a row that the constraints read: the cells, the lean
 * bytecode columns of pc_idx, the U outputs of each looked-up cell, the
 * next row's pc, f_byte, x, hi, oi and eof (0 past the last row), and the
 * public t, [t = 0], [t = T - 1], [t >= T].
 */
enum {
    ZLV_B = ZL_NCELL,
    ZLV_U = ZLV_B + ZLB_N,
    ZLV_PC_NEXT = ZLV_U + ZL_NUCELL * ZU_NCOL,
    ZLV_FBYTE_NEXT, ZLV_X_NEXT, ZLV_HI_NEXT, ZLV_OI_NEXT, ZLV_EOF_NEXT,
    ZLV_ID, ZLV_FIRST, ZLV_LAST, ZLV_PADS, ZLV_N
};

/* Linear forms of the values that constraints and memory-checking tuples share. */
typedef struct {
    cairn_fp2 v1, op2, v2, w, x, hi, old, m[4], o1, o2;
    cairn_fp2 wa_num;     /* 4 * word address + mem_base: x - o1 - 2 o2 */
    cairn_fp2 ts_prev[3]; /* the register accesses' previous timestamps (rs1, rs2, rd) */
    cairn_fp2 tm;         /* the RAM access's previous row */
} zl_derived_vals;
void zl_derived(zl_derived_vals *d, const cairn_fp2 *v);
/* The same over F_p (values that are all base-field: the zero-check's first round). */
typedef struct {
    cairn_fp v1, op2, v2, w, x, hi, old, m[4], o1, o2, wa_num, ts_prev[3], tm;
} zl_derived_fp;
void zl_derived_base(zl_derived_fp *d, const cairn_fp *v);

/* Statement constants the constraints read. */
typedef struct {
    uint32_t entry, exit_code;
} zl_ctx;

#define ZL_NCON 64u
extern const char *const zl_con_names[ZL_NCON];
/* The degree of each constraint in the values (tested numerically). */
extern const uint8_t zl_con_degree[ZL_NCON];
/* Evaluate every constraint on the values v (ZLV_N); returns the number written (ZL_NCON). */
unsigned zl_constraints(cairn_fp2 out[ZL_NCON], const cairn_fp2 *v, const zl_ctx *ctx);
/* zl_constraints over F_p (lean_constraints.inc: one text for both); equal on base values. */
unsigned zl_constraints_fp(cairn_fp out[ZL_NCON], const cairn_fp *v, const zl_ctx *ctx);
/* The public tables (lean_lookup.c) as columns: U (ZU_NCOL x 2^16) and B (ZLB_N x 2^kb, padded with the padding entry). */
typedef struct {
    cairn_fp *u, *b;
    unsigned kb;
    cairn_fp *urow, *brow; /* zl_tables_rows: the same tables entry by entry, or NULL */
} zl_tables;
/* kappa_B = ceil log2(count + 1): B's variables. */
unsigned zl_bc_vars(const zk_bytecode *bc);
cairn_status zl_tables_init(zl_tables *tb, const zk_bytecode *bc, cairn_error *err);
void zl_tables_clear(zl_tables *tb);
/*
 * The prover's copies of U and B entry by entry (urow[j * ZU_NCOL + c],
 * brow[e * ZLB_N + c]): a row's values read every needed output of one
 * entry, which then share cache lines instead of touching one line per
 * column.  Values equal u and b's; CAIRN_ERR_NOMEM, else OK.
 */
cairn_status zl_tables_rows(zl_tables *tb, cairn_error *err);

/*
 * The values the prover's stages read.  Built by zl_vtab_build, only the
 * cells are tables (col[i], i < ZL_NCELL, 2^n base entries each: the
 * phase-1 commitment, the openings and the lookups stream them as rows,
 * zl_cols_rows_init); every
 * other value a stage reads (zl_vtab_needed: the zero-check's values with
 * the public ones, the memory tuples', the shift's sources) is computed
 * from the row's cells, the next row's and the tables U and B when a stage
 * asks for a row (zl_vtab_row), so no 2^n table of a virtual value is ever
 * held.  A view (zl_vtab_view, tests) reads every value from full tables.
 * Table outputs the lookup stage needs besides are evaluated through the
 * index cells, read as rows (lean_lookup.c).
 */
/*
 * A source of any row's cells for the prover's row reads (zl_vtab_row,
 * zl_vtab_values, zl_vtab_eval), in place of the cell columns: small-space
 * mode regenerates rows by checkpoint replay.  Each thread that reads
 * opens its own cursor (open: NULL when out of memory); row() writes the
 * ZL_NCELL cells of row x (< 2^n) and is fast when x follows the previous
 * call's row; close() frees a cursor and must not use ctx, which may be
 * gone by then.  One cursor per thread, several threads at once.
 */
typedef struct {
    void *ctx;
    void *(*open)(void *ctx);
    cairn_status (*row)(void *cur, uint64_t x, cairn_fp *cells, cairn_error *err);
    void (*close)(void *cur);
} zl_cells_src;

struct zl_reads; /* the row reads' counts and cursors (lean_reads.c) */

typedef struct {
    size_t n;
    const cairn_fp *col[ZLV_N]; /* the cells (built) or every value (view) */
    struct zl_reads *rd;        /* zl_vtab_attach: counts, and the cell source if any */
    cairn_fp *own;              /* the cell columns, when copied by zl_vtab_build */
    const zl_tables *tb;        /* built: U and B (borrowed); NULL in a view */
    uint64_t T;
    size_t nb, nu;              /* built: how many of bcol, ucol are read */
    uint16_t bcol[ZLB_N];       /* built: the needed bytecode columns */
    uint16_t ucol[ZL_NUCELL * ZU_NCOL]; /* built: the needed U outputs (u * ZU_NCOL + col) */
    size_t nneed;
    uint16_t need[ZLV_N];       /* the needed values (zl_vtab_needed), in index order */
} zl_vtab;
void zl_vtab_needed(uint8_t need[ZLV_N]);
/*
 * Set vt up over the cells (2^n rows of ZL_NCELL, row-major, borrowed with
 * tb until zl_vtab_clear): the cell columns are copied (on the pool's
 * threads), every other needed value is computed per row.  CAIRN_ERR_NOMEM.
 */
cairn_status zl_vtab_build(zl_vtab *vt, const cairn_fp *cells, size_t n, uint64_t T,
                           const zl_tables *tb, cairn_error *err);
/* The same over cell columns the caller holds (ZL_NCELL columns of 2^n, borrowed): no copy. */
void zl_vtab_cols(zl_vtab *vt, const cairn_fp *cols, size_t n, uint64_t T, const zl_tables *tb);
/*
 * A vtab with no cell columns at all: every row read takes its cells from
 * src (borrowed until zl_vtab_clear), counted; col[i] is NULL for the
 * cells, so only stages that read rows (or stream the cells from a row
 * source) may be handed it.  CAIRN_ERR_NOMEM.
 */
cairn_status zl_vtab_src(zl_vtab *vt, const zl_cells_src *src, size_t n, uint64_t T,
                         const zl_tables *tb, cairn_error *err);
/* A view of full tables (ZLV_N columns of 2^n, zl_value_tables' layout): every column. */
void zl_vtab_view(zl_vtab *vt, const cairn_fp *tab, size_t n);
/*
 * v[i] = value i of row x for every needed value i (zl_vtab_needed), the
 * same as zl_row_values' (lean/vtab_matches_row_values); v holds ZLV_N
 * entries, and the others may be written too.  Thread-safe.
 */
void zl_vtab_row(cairn_fp *v, const zl_vtab *vt, uint64_t x);
/* out[k] = value idx[k] of row x, for some needed values only (cheaper than zl_vtab_row). */
void zl_vtab_values(cairn_fp *out, const zl_vtab *vt, const uint16_t *idx, size_t len,
                    uint64_t x);
/*
 * out[i] = the multilinear extension of value idx[i] (needed ones only) at
 * r (n coordinates): one pass over the rows with split eq tables (2 *
 * 2^(n/2) extension elements).  CAIRN_ERR_NOMEM.
 */
cairn_status zl_vtab_eval(cairn_fp2 *out, const zl_vtab *vt, const uint16_t *idx, size_t len,
                          const cairn_fp2 *r, cairn_error *err);
void zl_vtab_clear(zl_vtab *vt);
/*
 * Count vt's row reads from now on (zl_vtab_rows_read) and, with src
 * non-NULL (borrowed until zl_vtab_clear), take the cells of those reads
 * from src rather than from the cell columns (built and column vtabs only;
 * the cell columns still serve the stages that sweep them directly).
 * CAIRN_ERR_NOMEM.
 */
cairn_status zl_vtab_attach(zl_vtab *vt, const zl_cells_src *src, cairn_error *err);
/* The rows read through vt since zl_vtab_attach (a source's: rows it handed over); 0 without. */
uint64_t zl_vtab_rows_read(const zl_vtab *vt);
/* The first failure of vt's cell source, if any (CAIRN_OK otherwise), its message into err. */
cairn_status zl_vtab_status(const zl_vtab *vt, cairn_error *err);
/* lean_reads.c's side of the vtab: whether reads go to a source, one counted read, row x's cells. */
int zl_vtab_from_src(const zl_vtab *vt);
void zl_reads_count(const zl_vtab *vt);
const cairn_fp *zl_reads_row(const zl_vtab *vt, uint64_t x);
void zl_reads_free(struct zl_reads *rd);

/*
 * The cell columns (ZL_NCELL columns of 2^n, borrowed) as a row source of
 * width ZL_NCELL, 2^n rows, row x the cells of row x: what the stages
 * that sweep the cells stream (zl_source's shape, so checkpoint replay can
 * stand in for it).  Chunks of 1024 rows, each stream with its own buffer.
 */
typedef struct {
    const cairn_fp *cols[ZL_NCELL];
    cairn_rows_cols src; /* cairn_rows_cols over cols */
} zl_cols_rows;
void zl_cols_rows_init(cairn_rows *src, zl_cols_rows *impl, const cairn_fp *const *cols, size_t n);
/*
 * src hands over in's rows unchanged and counts them (zl_rows_counted: all
 * its streams' rows so far, chunks added as they are handed over, also
 * those of a stream that failed later): the prover's passes over the cells
 * through row sources.  in is borrowed; impl is the caller's.
 */
typedef struct {
    const cairn_rows *in;
    _Atomic uint64_t rows;
} zl_rows_count;
void zl_rows_count_init(cairn_rows *src, zl_rows_count *impl, const cairn_rows *in);
uint64_t zl_rows_counted(const zl_rows_count *impl);

/* The values of row x of cells (2^n rows of ZL_NCELL, row-major; rows = 2^n, T trace rows). */
void zl_row_values(cairn_fp2 *v, const cairn_fp *cells, uint64_t rows, uint64_t T,
                   const zk_bytecode *bc, uint64_t x);

/* lo, hi = the two 16-bit limbs of the low 32 bits of v. */
void zl_limbs(cairn_fp *lo, cairn_fp *hi, uint64_t v);

/*
 * The lean rows' row machine (lean_fill.c): the state that carries the
 * rows from one to the next, which takes the trace rows (the VM's,
 * CAIRN_WIT_WIDTH wide) in cycle order and hands out every row of each
 * before the next is taken, then padding rows.  State: the next row x,
 * the register file as the rows read it (val: at a trace row's boundary
 * the VM's registers), the timestamp of each register's last access
 * (4x + slot + 1), the replayed RAM, the fd-1 bytes written so far (oi),
 * whether the input is over (eof, ended), the input bytes read, and the
 * trace row being expanded (pend, left).  When left is 0 (between two
 * trace rows, or in the padding) the rest is all a later row depends on:
 * what a lean checkpoint keeps (lean_replay.c).  Borrows bc, ram and input.
 */
typedef struct {
    int64_t idx;         /* the bytecode entry of the trace row's instruction */
    unsigned j;          /* 0: one row; 1, 2, 3: write(1), write(2), read(0) */
    uint64_t v1, v2, vd; /* the row's operands and result (an ECALL's a7 and a0) */
    uint64_t buf, len, cnt; /* a read or write: buffer, length, bytes moved */
    uint64_t done;       /* rows of it handed out */
} zl_filler_pend;
typedef struct {
    const zk_bytecode *bc;
    const uint8_t *input;
    size_t input_len;
    zk_static pad;            /* the padding entry */
    uint64_t x;               /* the next row */
    uint64_t val[32], last[32];
    zk_ram_replay rp;
    uint64_t oi, eof;
    int ended;                /* a short read has been seen (eof from the next row on) */
    size_t input_pos;
    uint64_t left;            /* rows of the taken trace row still to hand out */
    zl_filler_pend pend;        /* lean_fill.c's own */
} zl_filler;
/* The state before row 0: registers init_regs, the RAM's image.  CAIRN_ERR_NOMEM. */
cairn_status zl_filler_init(zl_filler *f, const zk_bytecode *bc, const zk_ram *ram,
                          const uint32_t init_regs[32], const uint8_t *input, size_t input_len,
                          cairn_error *err);
/* Free what f holds.  Safe on NULL and after a failed init. */
void zl_filler_clear(zl_filler *f);
/*
 * Take trace row r, the run's cycle `cycle` (f->left must be 0): its rows
 * are next.  CAIRN_ERR_ARG naming the cycle and the pc for an instruction
 * the bytecode has no entry for or an ecall that cannot be proven, and
 * for a system call that moved more bytes than it was asked to.
 */
cairn_status zl_filler_take(zl_filler *f, const cairn_fp *r, uint64_t cycle, cairn_error *err);
/*
 * Row f->x into c: the next row of the taken trace row, or a padding row
 * when none is left (the caller knows when the trace is over); x moves
 * on.  CAIRN_ERR_ARG for an access outside the RAM region or input that
 * runs out.  After an error f is of no further use but to clear.
 */
cairn_status zl_filler_row(zl_filler *f, cairn_fp c[ZL_NCELL], cairn_error *err);

/*
 * The lean row's witness as a row source (lean_fill.c): 2^n rows of
 * ZL_NCELL cells computed while streaming the `cycles` trace rows (the
 * VM's, CAIRN_WIT_WIDTH wide) with registers and RAM replayed and each
 * read or write expanded (T rows in all), then padding.  A stream of rows
 * [a, b) replays the trace from its start; the cells equal the tests'
 * translation (tests/zk_witness.c, zl_filler) on the same run.  The source
 * borrows everything it is given.
 */
typedef struct {
    const cairn_rows *trace;
    uint64_t cycles, T;
    const zk_bytecode *bc;
    const zk_ram *ram;
    const uint8_t *input; /* the read(0) bytes */
    size_t input_len;
    uint32_t init_regs[32];
} zl_source;
/*
 * Set src up over s.  CAIRN_ERR_ARG for a bad shape; a stream returns
 * CAIRN_ERR_ARG naming the cycle for an instruction or system call that
 * cannot be proven, a system call that moves more than it was asked to,
 * input running out, or a trace that does not give T rows.
 */
cairn_status zl_source_init(cairn_rows *src, zl_source *s, const cairn_rows *trace,
                            uint64_t cycles, uint64_t T, size_t n, const zk_bytecode *bc,
                            const uint32_t init_regs[32], const zk_ram *ram, const uint8_t *input,
                            size_t input_len, cairn_error *err);

/*
 * The lean rows in small space (lean_replay.c, DESIGN.md §3): checkpoints
 * of a run's rows recorded in one forward pass, a cursor that hands out
 * rows from any position by replaying from the nearest checkpoint, and a
 * parallel fill.  Every row equals the linear fill's (zl_source, zl_run's
 * cells) for the same run.
 *
 * What a recording replays: the program and its VM layout, the lean
 * bytecode, RAM and initial registers of zl_run (the VM's memory must be
 * that RAM region: its base and 2^k words), the input, and the most
 * instructions the run may take.  All borrowed by the set, which must not
 * outlive them.
 */
typedef struct {
    const cairn_program *prog;
    const cairn_vm_config *layout; /* the memory layout (NULL: the defaults); write unused */
    const zk_bytecode *bc;         /* zk_bytecode_build_ext(prog, ZK_EXT_M), as zl_run's */
    const zk_ram *ram;             /* zk_ram_load(prog, k), k the VM's memory size */
    const uint32_t *init_regs;     /* zk_init_regs(prog, k): 32 entries */
    const uint8_t *input;          /* the read(0) bytes */
    size_t input_len;
    uint64_t max_steps;            /* instructions the run may take */
} zl_replay_run;

/*
 * A set of lean checkpoints.  Checkpoint 0 is at row 0; then one at the
 * first trace row's boundary at or after each multiple of the interval C
 * (never inside a system call's rows: they all come from one cycle), and
 * in the padding (rows T .. 2^n - 1) at each multiple of C.  Each keeps
 * the VM's state at its cycle (pc, registers, I/O counters), the row
 * machine's (zl_filler: register timestamps, output and input positions,
 * eof, the row), and the RAM's blocks of ZK_RAM_BLOCK words in which a
 * word's value or timestamp differs from the image, as a tree whose
 * unchanged parts the checkpoints share: O(blocks touched) each, never
 * O(2^k).  Read-only once recorded: any number of threads may read it.
 */
typedef struct zl_replay zl_replay;
/*
 * Run run's program once (the tracing interpreter through the row machine,
 * rows computed and dropped), recording a checkpoint every `interval`
 * rows into a new set *out (NULL on failure).  CAIRN_ERR_ARG for interval
 * 0, a NULL member of run, a VM memory that is not run->ram's region or
 * whose initial registers differ from init_regs, a run that faults
 * (zk_vm_ended's message), or a row the lean row cannot prove (the
 * row machine's message: an instruction bc has no entry for, naming the
 * cycle and the pc); CAIRN_ERR_LIMIT for a run that does not exit within
 * max_steps or reaches 2^ZL_MAX_VARS trace rows; CAIRN_ERR_INTERNAL when
 * the rows' register file or I/O counts part from the VM's at a
 * checkpoint (a bug); the VM's errors; CAIRN_ERR_NOMEM.
 */
cairn_status zl_replay_record(zl_replay **out, const zl_replay_run *run, uint64_t interval,
                              cairn_error *err);
/* Free a set (no cursor may be using it).  Safe on NULL. */
void zl_replay_free(zl_replay *rp);
/* What a set holds. */
typedef struct {
    uint64_t interval;  /* C */
    uint64_t count;     /* checkpoints */
    uint64_t cycles, T; /* the run's instructions and trace rows */
    size_t n;           /* 2^n rows */
    unsigned k;         /* 2^k words of RAM */
    uint64_t blocks;    /* RAM blocks the last checkpoint keeps (the most any keeps) */
    uint64_t ram_bytes; /* of which the RAM's tree: its nodes and blocks (the arena's chunks) */
    uint64_t bytes;     /* the checkpoints' memory: their records and the RAM's tree */
    uint32_t exit_code;
    /* what the cursors freed so far did: checkpoints restored, rows computed (handed out
     * or stepped over by a seek), and the time they took (a monotonic clock, summed) */
    uint64_t restores, regenerated, replay_ns;
} zl_replay_info;
void zl_replay_get_info(zl_replay_info *out, const zl_replay *rp);
/* The row checkpoint i starts at (ascending in i), or UINT64_MAX for i >= count. */
uint64_t zl_replay_checkpoint_row(const zl_replay *rp, uint64_t i);

/*
 * A pull cursor over a set's 2^n rows: zl_cursor_seek(x), then each
 * zl_cursor_next hands out rows x, x + 1, ... in order (the padding
 * included).  A seek forward by at most 1024 rows, or to a row with no
 * checkpoint after the current one before it, steps on; any other seek
 * restores the nearest checkpoint at or before x and steps from there.
 * Memory: a VM, the RAM replay (2^k words and their timestamps), the
 * program's decoded text and one batch of 512 trace rows, independent of
 * T.  A cursor belongs to one thread; a set serves any number of cursors
 * at once.  It borrows the set.
 */
typedef struct zl_cursor zl_cursor;
/* A cursor with no position yet.  The VM's errors (cairn_vm_init), CAIRN_ERR_NOMEM. */
cairn_status zl_cursor_new(zl_cursor **out, const zl_replay *rp, cairn_error *err);
void zl_cursor_free(zl_cursor *c);
/*
 * Position at row x.  CAIRN_ERR_ARG for x >= 2^n; the errors of
 * zl_cursor_next for the rows stepped over.
 */
cairn_status zl_cursor_seek(zl_cursor *c, uint64_t x, cairn_error *err);
/*
 * The row at the position into cells, and move on.  CAIRN_ERR_ARG with no
 * position or past row 2^n - 1; the row machine's errors (zl_filler_take,
 * zl_filler_row), the VM's, CAIRN_ERR_INTERNAL when the replay parts from
 * the recorded run.  After an error the cursor has no position until the
 * next seek.
 */
cairn_status zl_cursor_next(zl_cursor *c, cairn_fp cells[ZL_NCELL], cairn_error *err);
/* The row the next zl_cursor_next hands out, or UINT64_MAX with no position. */
uint64_t zl_cursor_row(const zl_cursor *c);
/*
 * A cursor's counters: checkpoints restored, rows computed and dropped by
 * seeks, rows out, and the seconds its seeks and rows took (seeks and
 * a fill's pieces timed whole, rows handed out one at a time by
 * zl_cursor_next timed one in 61 and scaled); added to its set's totals
 * when it is freed (zl_replay_info).
 */
typedef struct {
    uint64_t restores, stepped, rows;
    double s;
} zl_cursor_info;
void zl_cursor_get_info(zl_cursor_info *out, const zl_cursor *c);
/*
 * Rows [a, b) of rp into out (row-major, ZL_NCELL per row), cut into
 * `threads` pieces of consecutive rows (cairn_pool_chunk_range), each
 * made by its own cursor on the pool's threads: as many at once as the
 * pool has threads.  The rows do not depend on threads or the pool.
 * CAIRN_ERR_ARG for a > b, b > 2^n, threads outside 1..CAIRN_POOL_MAX_THREADS;
 * otherwise the first failing piece's error (pieces in row order).
 */
cairn_status zl_replay_fill(cairn_fp *out, const zl_replay *rp, uint64_t a, uint64_t b,
                            unsigned threads, cairn_error *err);

/*
 * A replay set's rows for the prover (lean_reads.c): as a cell source for
 * the row reads (zl_vtab_src, zl_prove_src: each thread's cursor steps on
 * from where it stands, or seeks), and as a row source of width ZL_NCELL
 * for the stages that sweep the cells (windows of ZL_REPLAY_WINDOW rows,
 * each filled by `threads` cursors on the pool, zl_replay_fill).  Both
 * borrow the set.
 */
void zl_replay_cells_src(zl_cells_src *out, const zl_replay *rp);
#define ZL_REPLAY_WINDOW 16384u
typedef struct {
    const zl_replay *rp;
    unsigned threads;
} zl_replay_rows;
void zl_replay_rows_init(cairn_rows *src, zl_replay_rows *impl, const zl_replay *rp,
                         unsigned threads);

/* ---- the lean row's zero-check stage (lean_zerocheck.c) ---- */

/*
 * The values the constraints read, public ones excepted, in index order
 * (into idx when non-NULL); returns their number.  A pure function of
 * zl_constraints, computed once.
 */
size_t zl_zc_used(uint16_t *idx);

/* The zero-check's sum-check degree (eq times a degree-3 constraint). */
#define ZL_ZC_DEGREE 4u
/*
 * The fast prover's first rounds read the rows (zl_vtab_row) and fold on the
 * fly; only after zl_zc_delay rounds (ZL_ZC_DELAY, at most ZL_ZC_DELAY_MAX;
 * tests change it) does it hold its tables, folded that many times (k
 * tables of 2^(n - delay) extension elements).  Any delay gives the same
 * bytes.
 */
#define ZL_ZC_DELAY 4
#define ZL_ZC_DELAY_MAX 16
extern _Thread_local int zl_zc_delay; /* the proving thread's: tests and small space set it */

/* The stage's proof: the degree-4 sum-check and the claimed values at its point. */
typedef struct {
    cairn_sumcheck_proof sc;
    cairn_fp2 *vals; /* zl_zc_used(NULL) values, in zl_zc_used's order */
    size_t len;
} zl_zc_proof;
void zl_zc_proof_init(zl_zc_proof *p);
void zl_zc_proof_clear(zl_zc_proof *p);

/*
 * v (ZLV_N) = the zero-check's claimed values at their indices, 0 for the
 * values no constraint reads (the public ones included).
 */
void zl_zc_values(cairn_fp2 *v, const zl_zc_proof *p);

/*
 * The value tables of every row: tab holds ZLV_N columns of 2^n base
 * elements (column i at tab + i * 2^n).  CAIRN_ERR_NOMEM.
 */
cairn_status zl_value_tables(cairn_fp *tab, const cairn_fp *cells, size_t n, uint64_t T,
                             const zk_bytecode *bc, cairn_error *err);
/*
 * Prove that every constraint vanishes on every row of the value tables,
 * and that T - instructions rows are a system call's setup or byte rows:
 * draws tau and rho (after the caller bound the commitment), runs the
 * sum-check, absorbs the claimed values; r_z receives the n-coordinate
 * point.  A witness that breaks a constraint gives a proof the verifier
 * rejects.  CAIRN_ERR_NOMEM.
 */
cairn_status zl_zc_prove(zl_zc_proof *p, cairn_fp2 *r_z, cairn_transcript *t, const zl_vtab *vt,
                         size_t n, uint64_t T, uint64_t instructions, const zl_ctx *ctx,
                         unsigned threads, cairn_error *err);
/* The same proof from the generic point-function sum-check with eq as a table (the fast prover's reference). */
cairn_status zl_zc_prove_generic(zl_zc_proof *p, cairn_fp2 *r_z, cairn_transcript *t,
                                 const zl_vtab *vt, size_t n, uint64_t T, uint64_t instructions,
                                 const zl_ctx *ctx, unsigned threads, cairn_error *err);
/*
 * Verify: r_z receives the point and v (ZLV_N) the values there (the
 * claimed ones, the public ones computed, 0 for values no constraint
 * reads); the claimed ones remain for later stages to discharge.
 * CAIRN_ERR_REJECTED for a failed sum-check or final check,
 * CAIRN_ERR_PARSE for a proof of the wrong shape.
 */
cairn_status zl_zc_verify(cairn_fp2 *r_z, cairn_fp2 *v, cairn_transcript *t, const zl_zc_proof *p,
                          size_t n, uint64_t T, uint64_t instructions, const zl_ctx *ctx,
                          cairn_error *err);
/*
 * The instructions of a run from its cells: T minus the rows whose entry
 * is a system call's setup or byte row (the count the zero-check binds;
 * the prover normally takes it from the VM).
 */
uint64_t zl_instructions(const cairn_fp *cells, size_t n, uint64_t T, const zk_bytecode *bc);

/* ---- the lean row's memory-checking stage (lean_memory.c) ---- */

/* Row instances: rs1, rs2, rd (read, write each), RAM read, load write, store write, output. */
#define ZL_NMEM 10u
/*
 * Their numerators p and tuples f (tag, four fields) from a row's values v,
 * linear in v; base = the RAM region's base address.
 */
void zl_tuples(cairn_fp2 p[ZL_NMEM], cairn_fp2 f[ZL_NMEM][5], const cairn_fp2 *v, uint32_t base);
/* The values the tuples read, sent at the GKR's row point (value indices, ZL_MEM_VALS). */
#define ZL_MEM_VALS 41u
const uint16_t *zl_mem_values(void);

/* The statement side: the RAM, the initial and final registers, the public output. */
typedef struct {
    const zk_ram *ram;
    const uint32_t *init_regs; /* 32 */
    uint32_t fin_val[32];      /* the final registers (carried in the proof) */
    uint64_t fin_ts[32];
    const uint8_t *output;
    size_t output_len;
} zl_mem_stmt;

typedef struct {
    uint64_t nonce;                /* grinding before alpha and beta */
    cairn_gkr_proof gkr;
    cairn_fp2 vals[ZL_MEM_VALS];   /* the values the tuples read, at r_g */
    cairn_fp2 fin[2];              /* the final memory's value and timestamp at r_k */
} zl_mem_proof;
void zl_mem_proof_init(zl_mem_proof *p);
void zl_mem_proof_clear(zl_mem_proof *p);

/*
 * The honest final state from the value tables: the last write to each
 * register (or its initial value at ts 0) and to each RAM word (fv, fts:
 * 2^k each).  Rows are read in windows of zl_mem_finals_window rows
 * (default ZL_MEM_FINALS_WINDOW; tests vary it), each window's writes
 * found on the pool and applied in row order.
 */
#define ZL_MEM_FINALS_WINDOW 16384u
extern size_t zl_mem_finals_window;
void zl_mem_finals(uint32_t fin_val[32], uint64_t fin_ts[32], cairn_fp *fv, cairn_fp *fts,
                   const zl_vtab *vt, size_t n, const uint32_t init_regs[32], const zk_ram *ram);
/*
 * Prove the memory-checking GKR (after the caller bound the phase-1
 * commitment, the final memory included): grinding, alpha and beta, the
 * batched GKR of the row and RAM-boundary instances, then the values at
 * the rows' point r_g (n coordinates) and fv, fts at the words' point r_k
 * (k coordinates).  CAIRN_ERR_ARG when a leaf's fingerprint is alpha
 * (negligible), CAIRN_ERR_NOMEM.
 */
cairn_status zl_mem_prove(zl_mem_proof *p, cairn_fp2 *r_g, cairn_fp2 *r_k, cairn_transcript *t,
                          const zl_vtab *vt, size_t n, const zl_mem_stmt *s, const cairn_fp *fv,
                          const cairn_fp *fts, unsigned grind_bits, unsigned threads,
                          cairn_error *err);
/*
 * Verify: the GKR's total must cancel the register boundary and the output
 * table, which the verifier computes from s; each row instance's leaf at
 * r_g must be the tuple of the claimed values; the RAM boundary's leaves
 * at r_k the verifier's initial words (from prog) and the claimed final
 * memory.  The claimed values and fin remain for later stages.
 * CAIRN_ERR_REJECTED, CAIRN_ERR_PARSE, CAIRN_ERR_NOMEM.
 */
cairn_status zl_mem_verify(cairn_fp2 *r_g, cairn_fp2 *r_k, cairn_transcript *t,
                           const zl_mem_proof *p, size_t n, const zl_mem_stmt *s,
                           const cairn_program *prog, unsigned grind_bits, cairn_error *err);

/* ---- the lean row's shift stage (lean_shift.c) ---- */

/* The sources of the next-row values, sent at r_s: pc, f_bo, f_be, f_bi, xl, xh, hl, hh, oi, eof. */
#define ZL_SHIFT_VALS 10u
const uint16_t *zl_shift_values(void);

#define ZL_SHIFT_DEGREE 2u

typedef struct {
    cairn_sumcheck_proof sc;          /* degree ZL_SHIFT_DEGREE, n rounds */
    cairn_fp2 vals[ZL_SHIFT_VALS];    /* the sources at r_s */
} zl_shift_proof;
void zl_shift_proof_init(zl_shift_proof *p);
void zl_shift_proof_clear(zl_shift_proof *p);

/*
 * Reduce the zero-check's next-row values (v: the ZLV_N values at r_z,
 * ZLV_PC_NEXT .. ZLV_EOF_NEXT read) to their sources at r_s (n
 * coordinates), reading the rows through vt in two passes with tables of
 * about 2^(n/2) entries (zl_shift_prove_split at zl_shift_head(n)).
 * CAIRN_ERR_NOMEM.
 */
cairn_status zl_shift_prove(zl_shift_proof *p, cairn_fp2 *r_s, cairn_transcript *t,
                            const zl_vtab *vt, size_t n, const cairn_fp2 *r_z,
                            const cairn_fp2 *v, unsigned threads, cairn_error *err);
/*
 * The same with the first w rounds (0 <= w <= n) on tables of 2^w filled
 * by pass 1 (none when w = 0; its chunks, up to CAIRN_POOL_CHUNKS, keep
 * partial tables of 2^(w+1) each, so a w near n costs far more than the
 * reference) and the rest on tables of 2^(n - w) from pass 2: the proof,
 * r_s and transcript of zl_shift_prove_tables for every w.
 * CAIRN_ERR_ARG for w > n or n out of range, CAIRN_ERR_NOMEM.
 */
cairn_status zl_shift_prove_split(zl_shift_proof *p, cairn_fp2 *r_s, cairn_transcript *t,
                                  const zl_vtab *vt, size_t n, const cairn_fp2 *r_z,
                                  const cairn_fp2 *v, size_t w, cairn_error *err);
/* The reference: next(r_z, .) and G as tables of 2^n and an evaluation pass (about 48 bytes a row). */
cairn_status zl_shift_prove_tables(zl_shift_proof *p, cairn_fp2 *r_s, cairn_transcript *t,
                                   const zl_vtab *vt, size_t n, const cairn_fp2 *r_z,
                                   const cairn_fp2 *v, unsigned threads, cairn_error *err);
/* zl_shift_prove's w for n rows' variables, and the bytes its tables take (the proof aside). */
size_t zl_shift_head(size_t n);
uint64_t zl_shift_memory(size_t n);
/* Verify; the sources' values at r_s remain for later stages.  CAIRN_ERR_REJECTED, _PARSE. */
cairn_status zl_shift_verify(cairn_fp2 *r_s, cairn_transcript *t, const zl_shift_proof *p,
                             size_t n, const cairn_fp2 *r_z, const cairn_fp2 *v, cairn_error *err);

/* ---- the lean row's lookup stage (lean_lookup.c) ---- */

/*
 * Test-only: how the prover evaluates the table outputs no stage claimed:
 * 0 by the cheaper route (the default), 1 always summing over the rows,
 * 2 always through the pushforward (the same values either way).
 */
extern int zl_lk_path;

/*
 * The bytes each GKR of the lookups and of memory checking may hold
 * (cairn_gkr_prove_stream's budget: above it the leaves are read from rows
 * in passes, never held whole); 0 proves them in memory from the leaves
 * (tests: the reference, the same bytes).
 */
#define ZL_GKR_BUDGET ((size_t)128 << 20)
extern _Thread_local size_t zl_gkr_budget; /* the proving thread's */

/* The earlier stages' claims the lookups discharge. */
typedef struct {
    const uint16_t *zc_idx;      /* the zero-check's claimed values: indices (zl_zc_used) */
    const cairn_fp2 *zc_vals;    /* and values, zc_len of each, at r_z */
    size_t zc_len;
    const cairn_fp2 *mem_vals;   /* ZL_MEM_VALS at r_g (zl_mem_values' order) */
    const cairn_fp2 *shift_vals; /* ZL_SHIFT_VALS at r_s (zl_shift_values' order) */
} zl_lk_claims;

/* The stage's proof: the tensor entries no stage claimed, then the two batched logup* proofs. */
typedef struct {
    cairn_fp2 *extra;
    size_t extra_len;
    cairn_logup_star_proof u, b;
} zl_lk_proof;
void zl_lk_proof_init(zl_lk_proof *p);
void zl_lk_proof_clear(zl_lk_proof *p);

/* What a side holds between phase A and phase B (zero it before first use). */
typedef struct {
    const cairn_fp2 *pts[3];
    const cairn_fp *ucols[ZU_NCOL], *bcols[ZLB_N];
    cairn_logup_star_batch_statement su, sb;
    cairn_logup_star_batch_challenges chu, chb;
    cairn_fp2 *uvals, *bvals;
    cairn_fp2 *yu, *yb; /* the prover's pushforwards: 2^16 and 2^kb, to be committed */
    uint64_t cell_rows; /* the cell rows the prover's last zl_lk_bind_prove or zl_lk_prove read */
    unsigned grind_u, grind_b;
} zl_lk_state;
void zl_lk_state_clear(zl_lk_state *s);

/* What remains: U's 18 cells and pc_idx at their GKR points, and each pushforward at two points. */
typedef struct {
    cairn_logup_star_batch_claims u, b;
} zl_lk_result;

/* The number of extra values (zl_lk_proof.extra_len) a proof sends: fixed by the stages' claims. */
size_t zl_lk_extra_len(void);

/*
 * Phase A, prover: the tensors (stage claims plus the extras it computes
 * and puts in p), both binds, both pushforwards (s->yu, s->yb), which the
 * caller commits before zl_lk_prove.  The cells are read only from
 * `cells`, a row source of width ZL_NCELL and 2^n rows whose row x is
 * row x's cells (borrowed for the call; zl_cols_rows_init, zl_source's
 * shape): one pass for every unclaimed entry of both lookups (when any
 * is left), one per pushforward; s->cell_rows receives the rows read
 * (3 * 2^n), on failure those read before it.  Memory besides the
 * state: a pushforward of 2^16 entries per (U cell, point) pair the
 * stages left entries of (36 MiB) and of 2^kb per B pair, when the rows
 * are at least the table's entries (zl_lk_path), and the engine's
 * (cairn_logup_star_batch_pushforward_rows); nothing of 2^n.
 * CAIRN_ERR_ARG for cells of another shape, whatever the source returns,
 * CAIRN_ERR_NOMEM.
 */
cairn_status zl_lk_bind_prove(zl_lk_state *s, zl_lk_proof *p, cairn_transcript *t,
                              const zl_tables *tb, const cairn_rows *cells, size_t n,
                              const cairn_fp2 *r_z, const cairn_fp2 *r_g, const cairn_fp2 *r_s,
                              const zl_lk_claims *cl, unsigned grind_u, unsigned grind_b,
                              unsigned threads, cairn_error *err);
/*
 * Phase B, prover: binding = the pushforwards' commitment (16 bytes or
 * more); cells as zl_lk_bind_prove's (the same rows), read by the two
 * logup* provers' passes (the in-memory ones' one each, the streaming
 * ones' one per GKR pass that reaches the index rows); s->cell_rows
 * receives the rows read.  CAIRN_ERR_ARG for cells of another shape,
 * whatever the source returns, the provers' errors.
 */
cairn_status zl_lk_prove(zl_lk_state *s, zl_lk_proof *p, zl_lk_result *res, cairn_transcript *t,
                         const cairn_rows *cells, const uint8_t *binding, size_t binding_len,
                         unsigned threads, cairn_error *err);
/* Phase A, verifier (the tensors from the stage claims and p's extras; CAIRN_ERR_PARSE on a count). */
cairn_status zl_lk_bind_verify(zl_lk_state *s, cairn_transcript *t, const zl_lk_proof *p,
                               const zl_tables *tb, size_t n, const cairn_fp2 *r_z,
                               const cairn_fp2 *r_g, const cairn_fp2 *r_s,
                               const zl_lk_claims *cl, unsigned grind_u, unsigned grind_b,
                               cairn_error *err);
/* Phase B, verifier; res receives the claims left for the PCS. */
cairn_status zl_lk_verify(zl_lk_state *s, zl_lk_result *res, cairn_transcript *t,
                          const zl_lk_proof *p, const uint8_t *binding, size_t binding_len,
                          cairn_error *err);

/* ---- the lean row's claim reduction and openings (lean_open.c) ---- */

/* What a claim point says of a member of its group. */
enum {
    ZL_CLAIM_NONE = 0,  /* nothing: the member is not claimed there */
    ZL_CLAIM_KNOWN = 1, /* an earlier stage claimed its value (the verifier's own) */
    ZL_CLAIM_SENT = 2   /* the prover sends its value (the caller checks what it implies) */
};

/*
 * A claim point of a stacked batch: group `group`, point r (the group's
 * variables), and per member j of the group kind[j] (ZL_CLAIM_*) and
 * vals[j], its value at r when claimed: known values are the caller's,
 * sent ones the prover fills (zl_open_prove) or the verifier reads
 * (zl_open_verify).
 */
typedef struct {
    size_t group;
    const cairn_fp2 *r;
    cairn_fp2 *vals;
    const uint8_t *kind;
} zl_claim_pt;
/* The values the prover sends for the claim points (their ZL_CLAIM_SENT members). */
size_t zl_open_sent_len(const zl_claim_pt *pts, size_t npts, const cairn_pcs_stack *st);
/*
 * Test-only: how zl_open_prove proves the reduction: 0 on each instance's
 * block (the default), 1 on full tables of 2^N per instance (the
 * reference, instances * 2^N memory); the same bytes either way.
 */
extern int zl_open_path;
/*
 * Bytes the reduction's block tables of the members read from rows may
 * take (ZL_OPEN_TABLE_MAX by default; the proving thread's): above it
 * they are never made whole: their first n_g / 2 rounds run on window
 * tables of 2^(n_g/2) entries and the rest on tables of 2^(n_g - n_g/2),
 * from two passes over the rows, the first of which also gives the sent
 * values (so the passes are as many as without).  At most
 * ZL_OPEN_MAX_POINTS instances on that group (more: the tables whole;
 * the lean proof has at most 6 points, each with an instance per claimed
 * block of a slot).
 * Tests set it to 0 to take the windows at any size; the bytes are the same.
 */
#define ZL_OPEN_TABLE_MAX ((size_t)16 << 20)
#define ZL_OPEN_MAX_POINTS 256u
extern _Thread_local size_t zl_open_table_max;

/*
 * Where the prover reads a stacked batch's members: polys[i] is member i
 * overall (cairn_pcs_stack_rows_init's order), except that with rows
 * non-NULL the members of group `group` are read only by streaming rows
 * (width the group's count, 2^n_g rows, row x holding entry x of every
 * member; phase 1's cells) and polys' entries for them are never read (NULL
 * is fine).  Everything is borrowed.
 */
typedef struct {
    const cairn_fp *const *polys;
    const cairn_rows *rows;
    size_t group;
} zl_members;

/*
 * Every claim of the points reduced to one point r* of the batch's
 * variables by one sum-check, then the batch opened there (docs/zkvm-v2.md
 * §6 step 8).  sent (zl_open_sent_len values) receives the sent members'
 * values, rd the reduction's sum-check (degree 2, st->num_vars rounds), at
 * (st->num_polys values) every slot's value at r*, op the opening at r*.
 * The reduction holds sum over its instances of 2^n_g (the variables of
 * the instance's group) extension elements, plus 2^(N - n_g) per claimed
 * slot of a smaller group, not 2^N per instance.  Members read from rows
 * (ms->rows) are streamed: one pass for their sent values (none when none
 * is sent), one for the instances' block tables, one for their claimed
 * slots' block values when their group is not the largest (none when it
 * is), then the batch rows through cairn_pcs_stack_src (memory min(k,
 * 2^n_g) * count + k elements) for the evaluation at r* and the opening's
 * two passes: each a pass over the rows when the group is the largest.
 * Past zl_open_table_max, two window passes replace the sent values',
 * the block tables' and the evaluation's (the group's tables about
 * 2^(n_g/2) entries each instead of 2^n_g per instance).
 * The reference path (zl_open_path = 1) makes its tables from one stream
 * of the batch rows instead.  A failure of rows is the result, with its
 * message.  The same bytes whatever the members' source.
 */
cairn_status zl_open_prove(cairn_sumcheck_proof *rd, cairn_fp2 *at, cairn_pcs_opening *op,
                           cairn_fp2 *sent, cairn_transcript *t, const cairn_pcs_prover *pr,
                           const cairn_pcs_stack *st, const cairn_pcs_params *params,
                           const zl_members *ms, zl_claim_pt *pts, size_t npts, cairn_error *err);
/*
 * Verify; fills each point's sent member values from sent.
 * CAIRN_ERR_REJECTED (the reduction's final check, the opening), _PARSE (a
 * count or a sum-check's shape differs).
 */
cairn_status zl_open_verify(const cairn_pcs_commitment *com, cairn_transcript *t,
                            const cairn_pcs_stack *st, const cairn_sumcheck_proof *rd,
                            const cairn_fp2 *at, size_t at_len, const cairn_pcs_opening *op,
                            const cairn_fp2 *sent, size_t sent_len, zl_claim_pt *pts,
                            size_t npts, cairn_error *err);

/* ---- the lean proof's proven security (lean_security.c, docs/security.md §7) ---- */

/* The largest trace the lean proof takes: 2^30 rows, where its bits are computed. */
#define ZL_MAX_VARS 30u
/* A statement's grinding bits left to the prover and verifier: chosen from the target. */
#define ZL_GRIND_AUTO 0xffffffffu
/* Bits above the target: each commitment's PCS target, each ground lookup term's share. */
#define ZL_PCS_MARGIN 2u
#define ZL_LOOKUP_MARGIN 4u
/* The memory GKR's fingerprint point: 5 fields (tag, four) <= 2^3. */
#define ZL_MEM_FP_VARS 3u
/* The next-row claims the shift combines (its degree: ZL_SHIFT_DEGREE; the zero-check's: ZL_ZC_DEGREE). */
#define ZL_SH_CLAIMS 6u

/* The terms of the soundness error, each -log2 of its share (docs/security.md §7). */
enum zl_term {
    ZL_T_ZC_TAU = 0, /* zero-check: tau, n/|F| */
    ZL_T_ZC_RHO,     /* zero-check: rho over the 64 constraints and the count, 64/|F| */
    ZL_T_ZC_SC,      /* zero-check: degree-4 sum-check, 4n/|F| */
    ZL_T_MEM_FP,     /* memory: fingerprints and poles, ground by grind_mem */
    ZL_T_MEM_GKR,    /* memory: the GKR's layers, max(n, k) of them */
    ZL_T_SH_ZETA,    /* shift: zeta over six claims, 5/|F| */
    ZL_T_SH_SC,      /* shift: degree-2 sum-check, 2n/|F| */
    ZL_T_U_BIND,     /* U logup*: nu and gamma, an index outside the table, inner sum-check */
    ZL_T_U_LOOKUP,   /* U logup*: the fractional-sum identity, ground by grind_lookup */
    ZL_T_U_GKR,      /* U logup*: the GKR's layers, max(n, 16) */
    ZL_T_B_BIND,     /* B logup*: as U's, with kappa_B */
    ZL_T_B_LOOKUP,
    ZL_T_B_GKR,
    ZL_T_REDUCE,     /* the two claim reductions: (2 + 2N)/|F| each, N the batch's variables */
    ZL_T_PCS1,       /* the phase-1 opening, cairn_pcs_params_security */
    ZL_T_PCS2,       /* the phase-2 opening */
    ZL_NTERM
};
extern const char *const zl_term_names[ZL_NTERM];

/*
 * The soundness error of the lean proof from its shape alone: 2^n rows,
 * 2^k RAM words, 2^kb bytecode entries, the two commitments' parameters
 * (the stacked batches zl_stacks lays out) and the grinding bits before
 * the memory GKR's challenges and before each logup*'s alpha.  terms
 * (optional) receives each term's bits; returns -log2 of their sum (the
 * union bound).  Pure arithmetic: prover, verifier and docs call it alike.
 */
double zl_security_bits(double terms[ZL_NTERM], size_t n, unsigned k, unsigned kb,
                        const cairn_pcs_params *p1, const cairn_pcs_params *p2,
                        unsigned grind_mem, unsigned grind_lookup);
/*
 * The fewest grinding bits that lift the memory term, and both logup*
 * lookup terms, to target + ZL_LOOKUP_MARGIN bits.
 */
unsigned zl_grind_mem_bits(size_t n, unsigned k, unsigned target);
unsigned zl_grind_lookup_bits(size_t n, unsigned kb, unsigned target);

/* Phase 1: the cells (n variables) and the final RAM (k); phase 2: Y_U (16), Y_B (kb). */
cairn_status zl_stacks(cairn_pcs_stack *s1, cairn_pcs_stack *s2, size_t n, unsigned k,
                       unsigned kb, cairn_error *err);

/* Everything a statement's shape and target fix, computed by prover and verifier alike. */
typedef struct {
    unsigned grind_mem, grind_lookup; /* the statement's, or chosen (ZL_GRIND_AUTO) */
    cairn_pcs_stack s1, s2;
    cairn_pcs_params p1, p2;          /* at target + ZL_PCS_MARGIN */
    double terms[ZL_NTERM];
    double bits;                      /* zl_security_bits */
} zl_setup;
/*
 * Fill su for 2^n rows, k RAM and kb bytecode variables, the target and
 * the statement's grinding bits (ZL_GRIND_AUTO: chosen).  CAIRN_ERR_LIMIT
 * for n > ZL_MAX_VARS (naming the rows), CAIRN_ERR_ARG for grinding bits
 * over the transcript's limit; the PCS's own errors.
 */
/* The whole bits a total states: its floor, with a margin for libm's last digits (as the PCS's). */
unsigned zl_bits_floor(double bits);
cairn_status zl_setup_init(zl_setup *su, size_t n, unsigned k, unsigned kb, unsigned target,
                           unsigned grind_mem, unsigned grind_lookup, cairn_error *err);

/* ---- the lean proof, every stage chained (lean_prove.c) ---- */

/* What is proven, and the public data the verifier evaluates. */
typedef struct {
    size_t n;                 /* 2^n rows */
    uint64_t T;               /* trace rows */
    zl_ctx ctx;               /* entry, exit code */
    uint64_t instructions;    /* instructions executed (T minus the system calls' extra rows) */
    const uint8_t *output;    /* the public output */
    size_t output_len;
    const zk_bytecode *bc;     /* zk_bytecode_build(prog) */
    const zk_ram *ram;         /* zk_ram_load(prog, k): layout and image, bound into the
                                  transcript first with bc and init_regs */
    const cairn_program *prog; /* the ELF (the verifier's initial memory) */
    const uint32_t *init_regs;
    unsigned security;        /* the target in bits; each PCS at target + ZL_PCS_MARGIN */
    unsigned grind_mem, grind_lookup; /* ZL_GRIND_AUTO: chosen from the target */
} zl_stmt;

/* A program's run as the lean prover reads it (lean_run.c). */
typedef struct {
    cairn_program prog;
    zk_bytecode bc;
    zk_ram ram;
    uint32_t init[32];      /* the initial registers */
    uint64_t T;             /* trace rows */
    uint64_t instructions;
    size_t n;               /* 2^n rows */
    cairn_fp *cells;        /* ZL_NCELL columns of 2^n rows (zl_prove_cols' layout); NULL in
                               small space, where rp regenerates them */
    int small;              /* proven in small space: rp, no cells */
    zl_replay *rp;          /* small space: the run's lean checkpoints (zl_replay_record) */
    uint8_t *input;         /* small space: a copy of the input, which rp's replays read */
    size_t input_len;
    uint8_t *output;        /* the bytes written to fd 1 */
    size_t output_len;
    uint32_t exit_code;
    double execute_s, witness_s; /* seconds spent executing (0 for a replay) and making the cells */
} zl_run;
/*
 * Load elf, run it on in (at most max_steps instructions) and compute the
 * cells of every row.  CAIRN_ERR_ARG for a run that faults (zk_vm_ended)
 * or executes an instruction or system call the lean row cannot prove
 * (naming the cycle and the pc); CAIRN_ERR_LIMIT when the program does not
 * exit in time or runs 2^ZL_MAX_VARS trace rows or more (checked before
 * the cells are allocated); the loader's, the VM's and the oracle's
 * errors; CAIRN_ERR_NOMEM.  r is cleared on error.
 */
cairn_status zl_run_init(zl_run *r, const uint8_t *elf, size_t elf_len, const uint8_t *in,
                         size_t in_len, uint64_t max_steps, cairn_error *err);
/*
 * The lean prover's estimated peak memory in bytes for 2^n rows and a RAM
 * of 2^k words, linear mode (the run's cells, the value tables, the
 * stages' tables, the commitments; calibrated against peak RSS measured by
 * bench_lean, docs/zkvm-v2.md §8), rounded up.
 */
uint64_t zl_prove_memory(size_t n, unsigned k);
/*
 * zl_run_init under another memory layout: layout's memory fields (the
 * stack reserve, the largest region) instead of the defaults (NULL: the
 * defaults).  Tests make runs a verifier must refuse with it.
 */
cairn_status zl_run_init_cfg(zl_run *r, const uint8_t *elf, size_t elf_len, const uint8_t *in,
                             size_t in_len, uint64_t max_steps, const cairn_vm_config *layout,
                             cairn_error *err);
void zl_run_clear(zl_run *r);
/* The statement of r's run (borrowing r's tables), with the PCS target and both grinding bits. */
void zl_run_stmt(zl_stmt *s, const zl_run *r, unsigned security, unsigned grind);

/*
 * The shape of a lean proof: what the verifier derives from the statement
 * (zl_shape_of); every length in the proof's byte format follows from it
 * (lean_codec.c).
 */
typedef struct {
    size_t n;    /* trace variables (2^n rows) */
    unsigned k;  /* RAM variables (2^k words) */
    unsigned kb; /* the bytecode table's variables (zl_bc_vars) */
} zl_shape;
void zl_shape_of(zl_shape *sh, const zl_stmt *s);

/* The claim points of each opening (phase 1: r_z, r_g, r_s, U's and B's GKR points, r_k). */
#define ZL_OPEN1_POINTS 6u
#define ZL_OPEN2_POINTS 4u

/* The prover's stages, as timed in zl_proof.stage_s. */
enum {
    ZL_ST_TABLES = 0, ZL_ST_COMMIT1, ZL_ST_ZEROCHECK, ZL_ST_MEMORY, ZL_ST_SHIFT, ZL_ST_LOOKUP_BIND,
    ZL_ST_COMMIT2, ZL_ST_LOOKUP, ZL_ST_OPEN, ZL_NSTAGE
};
extern const char *const zl_stage_names[ZL_NSTAGE];

/* The proof as a struct; its byte format is lean_codec.c's (docs/zkvm-v2.md). */
typedef struct {
    cairn_pcs_params p1, p2;
    cairn_pcs_commitment c1, c2;
    zl_zc_proof zc;
    zl_mem_proof mem;
    zl_shift_proof sh;
    zl_lk_proof lk;
    uint32_t fin_val[32];
    uint64_t fin_ts[32];
    cairn_fp2 *ex1, *ex2; /* the claim points' sent member values (zl_open_sent_len) */
    size_t ex1_len, ex2_len;
    cairn_sumcheck_proof rd1, rd2; /* each batch's claim reduction */
    cairn_fp2 *at1, *at2;          /* each batch's slot values at its reduced point */
    size_t at1_len, at2_len;
    cairn_pcs_opening op1, op2;    /* each batch opened at its reduced point */
    zl_shape shape; /* set by zl_prove and zl_proof_decode */
    double stage_s[ZL_NSTAGE]; /* the prover's wall time per stage (zl_stage_names); not sent */
    size_t stage_rss[ZL_NSTAGE]; /* each stage's peak resident bytes (zk_rss_probe), or 0 */
    double stage_cpu_s[ZL_NSTAGE]; /* the process's CPU time per stage, all threads; not sent */
    double stage_own_cpu_s[ZL_NSTAGE]; /* the proving thread's own CPU time per stage; not sent */
    /* witness rows each stage read through the row reads (zl_vtab_rows_read) and
       the cells' row source (the phase-1 commitment's and the openings' passes,
       zl_rows_count); / 2^n: its passes; not sent */
    uint64_t stage_rows[ZL_NSTAGE];
    unsigned security_bits; /* floor of zl_security_bits; the verifier recomputes it */
} zl_proof;
void zl_proof_init(zl_proof *p);
void zl_proof_clear(zl_proof *p);
/*
 * Test-only: when set, zl_prove calls zl_prove_vtab_hook(
 * zl_prove_vtab_hook_ctx, col, n) once its value tables are built and
 * before anything is committed or absorbed; col[i] is value i's column
 * (2^n entries, writable; NULL where the prover builds none) and the
 * prover goes on honestly from what the hook leaves there (a cheating
 * prover that changes a virtual value: the commitment holds the cells,
 * every later stage reads the changed tables).  NULL by default; a
 * global like zl_lk_path, so not for concurrent proofs.
 */
typedef void (*zl_vtab_hook_fn)(void *ctx, cairn_fp *const *col, size_t n);
extern zl_vtab_hook_fn zl_prove_vtab_hook;
extern void *zl_prove_vtab_hook_ctx;

/*
 * Prove from the cells (2^n rows of ZL_NCELL); t starts empty on both
 * sides.  CAIRN_ERR_LIMIT for more than 2^ZL_MAX_VARS rows, and when the
 * proven bits (zl_setup) fall below the statement's target (grinding bits
 * the statement fixed too low, a target F_p2 cannot reach).
 */
cairn_status zl_prove(zl_proof *p, cairn_transcript *t, const zl_stmt *s, const cairn_fp *cells,
                      unsigned threads, cairn_error *err);
/*
 * The same proof from the cells as columns (cell c of row x at
 * cols[c * 2^n + x], zl_run's layout), borrowed rather than copied: the
 * prover then holds no copy of the cells.
 */
cairn_status zl_prove_cols(zl_proof *p, cairn_transcript *t, const zl_stmt *s,
                           const cairn_fp *cols, unsigned threads, cairn_error *err);
/*
 * What the lean prover reports besides the proof: fn (optional) is called
 * with ctx at the start (0) and the end (1) of each stage, named as in
 * zl_stage_names and in that order (cairn_zkvm_progress_fn's contract);
 * stage_s receives each stage's seconds where a caller hands it over
 * (zl_prove_run).
 */
typedef struct {
    cairn_zkvm_progress_fn fn;
    void *ctx;
    double stage_s[ZL_NSTAGE];
    uint64_t stage_rows[ZL_NSTAGE]; /* zl_proof.stage_rows, handed over likewise */
} zl_report;
/* zl_prove_cols, telling rep (optional) of each stage as it starts and ends. */
cairn_status zl_prove_report(zl_proof *p, cairn_transcript *t, const zl_stmt *s,
                             const cairn_fp *cols, unsigned threads, const zl_report *rep,
                             cairn_error *err);
/*
 * zl_prove_report with the stages' row reads taken from src (optional,
 * zl_vtab_attach) rather than from cols, and the passes of the phase-1
 * commitment, the lookups and the openings over the cells from cells
 * (optional: width ZL_NCELL, 2^n rows, row x the cells of row x; NULL:
 * the columns as a row source, zl_cols_rows_init).  The same proof bytes
 * whenever src and cells hand over cols' cells; a failure of either is
 * the stage's error, with its message.
 */
cairn_status zl_prove_src(zl_proof *p, cairn_transcript *t, const zl_stmt *s,
                          const cairn_fp *cols, const zl_cells_src *src, const cairn_rows *cells,
                          unsigned threads, const zl_report *rep, cairn_error *err);
/*
 * Small space: the same proof with no cell column held, every row the
 * stages read regenerated from the replay set rp (its cursors for the row
 * reads, its parallel fill for the sweeps: zl_replay_cells_src,
 * zl_replay_rows_init with threads).  The errors of zl_prove_src, and a
 * replay's.
 */
cairn_status zl_prove_small(zl_proof *p, cairn_transcript *t, const zl_stmt *s,
                            const zl_replay *rp, unsigned threads, const zl_report *rep,
                            cairn_error *err);
/*
 * How zl_run_make gets a run's rows.  Without cp: execute the ELF afresh
 * under layout (NULL: the default layout) and trace it into a table.
 * With cp: replay that checkpoint set (threads workers, 0: 1), which must
 * belong to this ELF and input and have passed cairn_checkpoints_verify
 * (cairn/witness.h: a set read from a file); layout is then unused, the
 * memory size is the one the set recorded.  rep (optional) is told of
 * the "execute" (fresh runs only) and "witness" stages.  mem_limit (bytes;
 * 0: none): once the run's length is known, before its trace table or its
 * cells are allocated, CAIRN_ERR_LIMIT when zl_prove_memory(n, k) exceeds
 * it, naming the instructions, the rows, the estimate and the limit.
 */
typedef struct {
    const cairn_vm_config *layout;
    const cairn_checkpoints *cp;
    unsigned threads;
    const zl_report *rep;
    uint64_t mem_limit;
    /*
     * ZL_SPACE_LINEAR (0): a trace table and the cells, refused when
     * zl_prove_memory exceeds mem_limit.  ZL_SPACE_SMALL (fresh runs
     * only, cp NULL): no trace table and no cells, but lean checkpoints
     * every `interval` rows (0: zl_interval_for(n)) in r->rp
     * (zl_replay_record), the output read back from one pass of replayed
     * rows; mem_limit is not checked here.  ZL_SPACE_AUTO: linear when
     * zl_prove_memory fits mem_limit (or mem_limit is 0), small
     * otherwise (cp NULL), decided once the run's length is known.
     */
    int space;
    uint64_t interval;
} zl_run_how;
/*
 * Small space within a memory budget (lean_file.c): the settings the
 * stages run with (the zero-check's rounds from the rows, the GKRs'
 * budget) and the run's estimated minimum, itemised.  CAIRN_ERR_LIMIT
 * when budget is below the minimum, the message naming it and its parts.
 */
typedef struct {
    int zc_delay;
    size_t gkr_budget;
    uint64_t minimum;
} zl_small_plan;
cairn_status zl_small_plan_make(zl_small_plan *pl, const zl_run *r, uint64_t budget,
                                unsigned threads, cairn_error *err);
#define ZL_SPACE_LINEAR 0
#define ZL_SPACE_SMALL 1
#define ZL_SPACE_AUTO 2
/* The default checkpoint interval for 2^n rows: 2^ceil(n/2), at least 64 (sqrt(T) checkpoints). */
uint64_t zl_interval_for(size_t n);
/*
 * zl_run_init with the rows from how (NULL: a fresh run, default layout).
 * For a recorded run: CAIRN_ERR_ARG when it faulted, CAIRN_ERR_LIMIT when
 * it did not exit within max_steps, CAIRN_ERR_REJECTED when its rows do
 * not give the output its header records, the replay's errors.
 */
cairn_status zl_run_make(zl_run *r, const uint8_t *elf, size_t elf_len, const uint8_t *in,
                         size_t in_len, uint64_t max_steps, const zl_run_how *how,
                         cairn_error *err);
/*
 * Verify every stage and both openings.  First the verifier's floor: the
 * bits recomputed from the statement's shape (zl_setup) and the target
 * must both be at least CAIRN_ZKVM_MIN_SECURITY_BITS, else
 * CAIRN_ERR_REJECTED naming both; CAIRN_ERR_LIMIT for more than
 * 2^ZL_MAX_VARS rows.  CAIRN_ERR_REJECTED naming the stage, _PARSE.
 */
cairn_status zl_verify(cairn_transcript *t, const zl_stmt *s, const zl_proof *p,
                       cairn_error *err);
/*
 * From the shape alone, for each batch (phase 1, phase 2): the member
 * values its claim points send (zl_open_sent_len), its slots (the values
 * at the reduced point) and its variables (the reduction's rounds; the
 * reduction's degree is ZL_RD_DEGREE).  CAIRN_ERR_ARG for a shape the
 * stacked layout refuses.
 */
#define ZL_RD_DEGREE 2u
cairn_status zl_open_lens(size_t sent[2], size_t slots[2], size_t vars[2], const zl_shape *sh,
                         cairn_error *err);

/* ---- the lean proof's byte format (lean_codec.c) ---- */

/*
 * The encoded length of p (exactly what zl_proof_encode writes, 0 for a
 * shape over the limits); parts (optional) receives it by stage:
 * zero-check, memory, shift, lookups, openings (the commitments counted
 * with the openings).
 */
size_t zl_proof_size(const zl_proof *p, size_t parts[5]);
/* One part of the byte format: its name (as in the parser's messages), offset and length. */
typedef struct {
    const char *name;
    size_t offset, len;
} zl_part;
/*
 * The non-empty parts of p's encoding in order, up to max of them into
 * out; returns their number (0 for a shape over the limits).
 */
size_t zl_proof_parts(zl_part *out, size_t max, const zl_proof *p);
/*
 * Encode p (the body of the future format 5, docs/zkvm-v2.md): *out is
 * malloc'd, *out_len bytes.  CAIRN_ERR_ARG when a part's length differs
 * from what p->shape gives; CAIRN_ERR_NOMEM.
 */
cairn_status zl_proof_encode(uint8_t **out, size_t *out_len, const zl_proof *p, cairn_error *err);
/*
 * Parse untrusted bytes as a proof of shape sh (the verifier's own, from
 * the statement: zl_shape_of).  Every length follows from sh or is a
 * prefix checked against the bytes left; every field element canonical;
 * no trailing bytes.  CAIRN_ERR_PARSE naming the part and byte offset;
 * CAIRN_ERR_LIMIT over CAIRN_PROOF_MAX_BYTES; CAIRN_ERR_ARG for a shape
 * over the limits; CAIRN_ERR_NOMEM.  Nothing allocated is larger than
 * the input.  p (initialised) is replaced; on error it is left empty.
 */
cairn_status zl_proof_decode(zl_proof *p, const uint8_t *b, size_t len, const zl_shape *sh,
                             cairn_error *err);

/*
 * The reference checker: every cell's table membership, every constraint
 * on every row, and the memory-checking multisets (registers from
 * init_regs, RAM from ram's image and read-only words, the public output),
 * each closed by the final state an honest prover would hold.
 * CAIRN_ERR_REJECTED naming the first violation (row and constraint);
 * CAIRN_ERR_NOMEM.
 */
cairn_status zl_check(const cairn_fp *cells, size_t n, uint64_t T, const zk_bytecode *bc,
                      const zl_ctx *ctx, const uint32_t init_regs[32], const zk_ram *ram,
                      const uint8_t *output, size_t output_len, cairn_error *err);

/*
 * Which of the checker's items a witness fails, each a bit: con bit i for
 * constraint i (zl_con_names), on any row; lk bit u for the U lookup of
 * cell zl_u_cells[u] (a value of 2^16 or more on any row) and bit ZL_LK_B
 * for the bytecode lookup (pc_idx past the padding entry); mem bit
 * ZL_MS_* for each memory-checking multiset that does not balance.
 */
enum { ZL_LK_B = ZL_NUCELL, ZL_NLK };
enum { ZL_MS_REGS = 0, ZL_MS_RAM, ZL_MS_OUT, ZL_NMS };
extern const char *const zl_ms_names[ZL_NMS];
typedef struct {
    uint64_t con;
    uint32_t lk, mem;
} zl_masks;
/*
 * zl_check going through every row and every multiset instead of
 * stopping at the first violation: *m receives every failing item (all
 * zero exactly when zl_check accepts; a cell outside U reads as zero U
 * outputs in the constraints, a pc_idx past the table as the padding
 * entry).  CAIRN_ERR_REJECTED naming the first violation, as zl_check;
 * CAIRN_ERR_NOMEM (m zeroed).  Tests use it to learn what a change breaks.
 */
cairn_status zl_check_masks(zl_masks *m, const cairn_fp *cells, size_t n, uint64_t T,
                            const zk_bytecode *bc, const zl_ctx *ctx,
                            const uint32_t init_regs[32], const zk_ram *ram,
                            const uint8_t *output, size_t output_len, cairn_error *err);

/* ---- proof format 5: the lean proof in its container (lean_file.c) ---- */

#define ZL_FORMAT_VERSION 5u
/* Format 5 states fewer trace rows than this (2^30: 2^n rows hold them with n <= ZL_MAX_VARS). */
#define ZL_MAX_ROWS (UINT64_C(1) << ZL_MAX_VARS)
/* The bytes between the statement block and the output: le64 instructions, le32 kb. */
#define ZL_FILE_EXTRA_BYTES 12u

/*
 * What a format-5 proof states: the first prover's statement (cycles is
 * T, the trace rows; security_bits the proven bits, the body's figure
 * too), the instructions executed and the public output.
 */
typedef struct {
    cairn_zkvm_statement st;
    uint64_t instructions; /* I: T minus the system calls' extra rows */
    uint8_t *output;       /* st.output_len bytes written to fd 1 (malloc'd; NULL when none) */
} zl_statement;
void zl_statement_init(zl_statement *s);
void zl_statement_clear(zl_statement *s);

/*
 * Encode a format-5 proof: the header and statement (zk_header_encode,
 * version 5), I, kb (the bytecode table's variables, zl_bc_vars), the
 * output, then the body (zl_proof_encode).  CAIRN_ERR_ARG when the body's
 * proven bits differ from the statement's; the body's errors; NOMEM.
 */
cairn_status zl_file_encode(uint8_t **out, size_t *out_len, const zl_statement *st, unsigned kb,
                            const zl_proof *body, cairn_error *err);
/*
 * Parse untrusted bytes strictly (docs/proof-format.md, format 5): the
 * header and statement (1 <= T < ZL_MAX_ROWS), 1 <= I <= T,
 * 1 <= kb <= ZK_MAX_VARS, the output, the body against the shape the
 * statement fixes (n = zk_vars_for(T), k, kb), whose proven bits must be
 * the statement's; nothing may trail.  CAIRN_ERR_PARSE naming what and
 * where, CAIRN_ERR_LIMIT beyond CAIRN_PROOF_MAX_BYTES, NOMEM.  st, kb and
 * body are outputs (what they held is not freed); on error they are left
 * empty, and on success the caller clears st and body.
 */
cairn_status zl_file_decode(zl_statement *st, unsigned *kb, zl_proof *body, const uint8_t *b,
                            size_t len, cairn_error *err);
/* Where the body starts in a format-5 proof of st (the header, statement, I, kb, output). */
size_t zl_file_body_offset(const zl_statement *st);

/*
 * Run the ELF on input (read(0) advice; at most max_cycles instructions,
 * 0: CAIRN_ZKVM_MAX_CYCLES) and prove the run with the lean proof at the
 * security target (1 .. CAIRN_PCS_MAX_TARGET_BITS - 8; a verifier wants
 * CAIRN_ZKVM_MIN_SECURITY_BITS at least) on `threads` threads; the
 * grinding bits are chosen from the target (ZL_GRIND_AUTO).  *proof
 * receives the format-5 bytes (malloc'd, *proof_len of them) and st
 * (optional) what they state, its output a copy.  A run that faults or
 * executes an instruction or system call that cannot be proven is
 * CAIRN_ERR_ARG naming the cycle and the pc; one that does not exit within
 * max_cycles, is too long, or would need more than max_memory bytes (0:
 * no limit; zl_prove_memory) CAIRN_ERR_LIMIT; a target the proof cannot
 * reach CAIRN_ERR_LIMIT; a bad target CAIRN_ERR_ARG; the ELF loader's
 * CAIRN_ERR_PARSE; NOMEM.
 */
cairn_status zl_prove_elf(uint8_t **proof, size_t *proof_len, zl_statement *st,
                          const uint8_t *elf, size_t elf_len, const uint8_t *input,
                          size_t input_len, unsigned security, unsigned threads,
                          uint64_t max_cycles, uint64_t max_memory, cairn_error *err);
/*
 * The proving half of zl_prove_elf, on a run already made (r, the ELF's
 * digest): the statement of the run, the lean proof, the format-5 bytes.
 * rep (optional) is told of the prover's stages and receives their
 * seconds.  Errors as zl_prove_elf's after the run.
 */
cairn_status zl_prove_run(uint8_t **proof, size_t *proof_len, zl_statement *st, const zl_run *r,
                          const uint8_t digest[CAIRN_SHA256_BYTES], unsigned security,
                          unsigned threads, zl_report *rep, cairn_error *err);
/*
 * Verify format-5 bytes for the ELF: parse (zl_file_decode), check the
 * statement against the ELF (zk_statement_program: digest, entry, the
 * default memory size, the region), rebuild the bytecode table (its kb
 * must be the proof's), the RAM image and the initial registers as the
 * prover's VM laid them out, and run zl_verify.  CAIRN_OK and *st
 * (optional; the caller clears it) only when accepted; CAIRN_ERR_PARSE
 * for malformed bytes or ELF; CAIRN_ERR_REJECTED with a one-line reason
 * for a well-formed proof that is false, of another program, or below
 * CAIRN_ZKVM_MIN_SECURITY_BITS; CAIRN_ERR_LIMIT, NOMEM.
 */
cairn_status zl_verify_elf(zl_statement *st, const uint8_t *proof, size_t proof_len,
                           const uint8_t *elf, size_t elf_len, cairn_error *err);

/* Monotonic clock in seconds (the prover's stage timings; zkvm.c). */
double zk_now_s(void);
/*
 * The process's CPU time in seconds, all threads summed (zkvm.c): beside
 * the wall clock it shows how many cores a stage kept busy.
 */
double zk_cpu_now_s(void);
/*
 * The resident set's peak in bytes since the previous call (zkvm.c), when
 * zk_rss_probe is set (benchmarks only: it resets the process's peak); 0
 * otherwise.  The lean prover records it per stage (zl_proof.stage_rss).
 */
extern int zk_rss_probe;
size_t zk_rss_peak_take(void);

/*
 * cairn_zkvm_prove (cp NULL) and cairn_zkvm_prove_checkpoints (cp the
 * verified set), and cairn_zkvm_verify_output, for format 5 (lean_file.c).
 */
cairn_status zk_prove_v5(uint8_t **proof, size_t *proof_len, cairn_zkvm_statement *st,
                         cairn_zkvm_stats *stats, const uint8_t *elf, size_t elf_len,
                         const cairn_checkpoints *cp, const uint8_t *input, size_t input_len,
                         const cairn_zkvm_options *opt, cairn_error *err);
cairn_status zk_verify_v5(cairn_zkvm_statement *st, uint8_t **output, size_t *output_len,
                          const uint8_t *proof, size_t proof_len, const uint8_t *elf,
                          size_t elf_len, cairn_error *err);

#endif /* CAIRN_ZKVM_INTERNAL_H */
