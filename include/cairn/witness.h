/*
 * cairn/witness.h — the execution witness: the per-cycle row layout,
 * checkpoints of a run, the checkpoint file, and the witness oracle that
 * streams rows to the prover (DESIGN.md §3, "Small space").
 *
 * Rows.  One row of CAIRN_WIT_WIDTH base-field elements per executed cycle
 * (cairn_wit_col names the columns; docs/arithmetization.md says what each
 * holds and its range).  A run of T cycles has T rows; the oracle pads them
 * to a power of two, rows_len = max(1, 2^ceil(log2 T)), with padding rows
 * that describe a halted machine doing nothing (PAD = 1, OP = PAD).
 *
 * Checkpoints.  cairn_checkpoints_record runs a VM to the end and keeps its
 * complete state every C cycles (checkpoint i is the state at cycle i*C,
 * for i*C < T, and checkpoint 0 always), with memory stored as the pages of
 * 2^CAIRN_CKPT_PAGE_SHIFT bytes written since the previous checkpoint, plus
 * the final state.  Every state has a SHA-256 digest of its canonical
 * encoding (registers, counters, halt status and a digest of all of memory);
 * cairn_checkpoints_restore rebuilds checkpoint i on a VM and checks it.
 * The checkpoint file (docs/checkpoints.md) is the byte form of the set.
 *
 * The oracle.  cairn_witness_oracle presents the rows as a cairn_rows
 * source (cairn/rows.h), either from a materialised table or by replaying
 * intervals from checkpoints with worker threads; both give identical rows
 * for a checkpoint set that passes cairn_checkpoints_verify (verify a set
 * read from a file before streaming from it: for an inconsistent set the
 * rows may depend on the thread count).
 *
 * The tracer.  cairn_wit_tracer gives the same rows for a VM its caller
 * drives (the lean prover's checkpoint replay restores VMs from checkpoints
 * of its own), a batch of cycles at a time.
 *
 * Threads: every function here may be called from any thread on distinct
 * objects; a cairn_checkpoints is read-only after it is built and may be
 * shared; one oracle serves one stream at a time.
 */
#ifndef CAIRN_WITNESS_H
#define CAIRN_WITNESS_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"
#include "cairn/field.h"
#include "cairn/rows.h"
#include "cairn/sha256.h"
#include "cairn/vm.h"

/* ------------------------------------------------------------------ */
/* The row layout (docs/arithmetization.md)                            */

typedef enum {
    CAIRN_WIT_COL_CYCLE = 0, /* t, the row index */
    CAIRN_WIT_COL_PC,        /* address of the instruction */
    CAIRN_WIT_COL_NEXT_PC,   /* pc of row t + 1 (the final pc on the last row) */
    CAIRN_WIT_COL_INSN,      /* the 32-bit instruction word */
    CAIRN_WIT_COL_OP,        /* cairn_wit_op */
    CAIRN_WIT_COL_CLASS,     /* cairn_vm_class; CAIRN_VM_CLASS_COUNT on padding rows */
    CAIRN_WIT_COL_RD,        /* register written, 0 when none */
    CAIRN_WIT_COL_RS1,       /* first register read, 0 when none (ECALL: 17) */
    CAIRN_WIT_COL_RS2,       /* second register read, 0 when none (ECALL: 10) */
    CAIRN_WIT_COL_IMM,       /* the immediate, sign-extended to 32 bits */
    CAIRN_WIT_COL_RS1_VAL,   /* x[rs1] before */
    CAIRN_WIT_COL_RS2_VAL,   /* x[rs2] before */
    CAIRN_WIT_COL_RD_VAL,    /* value written to rd, 0 when none */
    CAIRN_WIT_COL_MEM_ADDR,  /* load/store effective byte address, else 0 */
    CAIRN_WIT_COL_MEM_WIDTH, /* load/store width in bytes (1, 2, 4), else 0 */
    CAIRN_WIT_COL_MEM_OLD,   /* aligned word holding MEM_ADDR, before */
    CAIRN_WIT_COL_MEM_NEW,   /* ... after (= MEM_OLD for a load) */
    CAIRN_WIT_COL_SYS_A1,    /* ECALL: a1 (buffer), else 0 */
    CAIRN_WIT_COL_SYS_A2,    /* ECALL: a2 (length), else 0 */
    CAIRN_WIT_COL_HALT,      /* 1 on the row of the exit ecall, else 0 */
    CAIRN_WIT_COL_PAD,       /* 1 on padding rows, else 0 */
    CAIRN_WIT_WIDTH
} cairn_wit_col;

/* Instruction identifiers in the OP column (stable; PAD = 0 is padding). */
typedef enum {
    CAIRN_WIT_OP_PAD = 0,
    CAIRN_WIT_OP_LUI, CAIRN_WIT_OP_AUIPC, CAIRN_WIT_OP_JAL, CAIRN_WIT_OP_JALR,
    CAIRN_WIT_OP_BEQ, CAIRN_WIT_OP_BNE, CAIRN_WIT_OP_BLT, CAIRN_WIT_OP_BGE,
    CAIRN_WIT_OP_BLTU, CAIRN_WIT_OP_BGEU,
    CAIRN_WIT_OP_LB, CAIRN_WIT_OP_LH, CAIRN_WIT_OP_LW, CAIRN_WIT_OP_LBU, CAIRN_WIT_OP_LHU,
    CAIRN_WIT_OP_SB, CAIRN_WIT_OP_SH, CAIRN_WIT_OP_SW,
    CAIRN_WIT_OP_ADDI, CAIRN_WIT_OP_SLTI, CAIRN_WIT_OP_SLTIU, CAIRN_WIT_OP_XORI,
    CAIRN_WIT_OP_ORI, CAIRN_WIT_OP_ANDI, CAIRN_WIT_OP_SLLI, CAIRN_WIT_OP_SRLI, CAIRN_WIT_OP_SRAI,
    CAIRN_WIT_OP_ADD, CAIRN_WIT_OP_SUB, CAIRN_WIT_OP_SLL, CAIRN_WIT_OP_SLT, CAIRN_WIT_OP_SLTU,
    CAIRN_WIT_OP_XOR, CAIRN_WIT_OP_SRL, CAIRN_WIT_OP_SRA, CAIRN_WIT_OP_OR, CAIRN_WIT_OP_AND,
    CAIRN_WIT_OP_MUL, CAIRN_WIT_OP_MULH, CAIRN_WIT_OP_MULHSU, CAIRN_WIT_OP_MULHU,
    CAIRN_WIT_OP_DIV, CAIRN_WIT_OP_DIVU, CAIRN_WIT_OP_REM, CAIRN_WIT_OP_REMU,
    CAIRN_WIT_OP_FENCE, CAIRN_WIT_OP_ECALL,
    CAIRN_WIT_OP_ILLEGAL, /* never on a row: such words fault when executed */
    CAIRN_WIT_OP_COUNT
} cairn_wit_op;

typedef struct {
    const char *name;  /* "pc", "rs1_val", ... (lower case, as in the docs) */
    uint64_t max;      /* every value in the column is in [0, max] */
    const char *about; /* one line */
} cairn_wit_column;

/* The CAIRN_WIT_WIDTH column descriptions, in column order.  Never NULL. */
const cairn_wit_column *cairn_wit_columns(void);
/* "lui", "add", ... "pad"; "?" outside the enum.  Never NULL. */
const char *cairn_wit_op_name(cairn_wit_op op);

/* The most cycles a trace, a checkpoint file or the oracle accepts (the cycle column's range). */
#define CAIRN_WIT_MAX_CYCLES (UINT64_C(1) << 48)

/*
 * max(1, the least power of two >= cycles): the rows the oracle presents.
 * Saturates at 2^63 for larger inputs (callers bound cycles by
 * CAIRN_WIT_MAX_CYCLES first).
 */
uint64_t cairn_wit_padded_rows(uint64_t cycles);

/* ------------------------------------------------------------------ */
/* Checkpoints                                                         */

#define CAIRN_CKPT_PAGE_SHIFT 10u               /* pages of 1 KiB (docs/checkpoints.md) */
#define CAIRN_CKPT_VERSION 1u
#define CAIRN_CKPT_MAX_FILE ((uint64_t)1 << 40) /* bytes of checkpoint file accepted */

/* What a checkpoint set says about its run (the file header). */
typedef struct {
    uint32_t version;
    uint32_t page_shift;
    uint8_t program_digest[CAIRN_SHA256_BYTES]; /* SHA-256 of the ELF file bytes */
    uint8_t input_digest[CAIRN_SHA256_BYTES];   /* SHA-256 of the input bytes */
    uint64_t input_len;
    uint32_t stack_size;     /* the VM configuration that fixes the layout */
    uint32_t mem_base;
    uint32_t mem_log2_words;
    uint64_t interval;       /* C >= 1 */
    uint64_t cycles;         /* T, cycles of the whole run */
    uint64_t count;          /* M = max(1, ceil(T / C)) checkpoints */
    uint64_t output_len;     /* bytes written to fd 1 */
    uint8_t output_digest[CAIRN_SHA256_BYTES];
    uint8_t final_digest[CAIRN_SHA256_BYTES]; /* digest of the final state */
    cairn_vm_halt halt;      /* of the final state */
    uint32_t exit_code;
} cairn_ckpt_header;

typedef struct cairn_checkpoints cairn_checkpoints;

/*
 * Run `vm` (freshly initialised: cycles 0, input set) to its end, or to
 * max_cycles, taking a checkpoint every `interval` cycles, into a new set
 * *out.  `program_digest` is the SHA-256 of the ELF bytes the program was
 * loaded from (the set records it).  The VM's write callback still receives
 * the guest's output.  On return vm holds the final state, as after
 * cairn_vm_run.  CAIRN_ERR_ARG (interval 0, a VM that already ran),
 * CAIRN_ERR_NOMEM, CAIRN_ERR_IO (the write callback failed); on failure
 * *out is NULL.
 */
cairn_status cairn_checkpoints_record(cairn_checkpoints **out, cairn_vm *vm,
                                      const uint8_t program_digest[CAIRN_SHA256_BYTES],
                                      uint64_t interval, uint64_t max_cycles, cairn_error *err);

/* Free a set. Safe on NULL. */
void cairn_checkpoints_free(cairn_checkpoints *cp);

/* The header; valid while cp lives. */
const cairn_ckpt_header *cairn_checkpoints_header(const cairn_checkpoints *cp);

/* Bytes of page data the set holds (the memory cost of its deltas). */
uint64_t cairn_checkpoints_page_bytes(const cairn_checkpoints *cp);

/*
 * Does the set belong to this ELF (digest of its bytes) and this input?
 * CAIRN_OK, or CAIRN_ERR_REJECTED with a message saying which differs.
 */
cairn_status cairn_checkpoints_check(const cairn_checkpoints *cp,
                                     const uint8_t program_digest[CAIRN_SHA256_BYTES],
                                     const uint8_t *input, size_t input_len, cairn_error *err);

/*
 * Initialise *vm for replaying cp: cairn_vm_init of prog with the recorded
 * stack size and no write callback, input set, and the layout checked
 * against the header (CAIRN_ERR_REJECTED when it differs).  On failure vm
 * is cleared.
 */
cairn_status cairn_checkpoints_vm_init(cairn_vm *vm, const cairn_checkpoints *cp,
                                       const cairn_program *prog, const uint8_t *input,
                                       size_t input_len, cairn_error *err);

/*
 * Put checkpoint `index` (< count) into vm (from cairn_checkpoints_vm_init
 * with the same program): memory = the program image plus the page deltas
 * of checkpoints 1..index, registers and counters from the checkpoint; then
 * recompute the state's digest and compare it with the recorded one.
 * CAIRN_ERR_ARG (index out of range, another layout), CAIRN_ERR_REJECTED
 * (digest mismatch: the set does not describe this program's run).
 * Running vm afterwards continues the recorded run bit for bit.
 */
cairn_status cairn_checkpoints_restore(cairn_vm *vm, const cairn_checkpoints *cp,
                                       const cairn_program *prog, uint64_t index,
                                       cairn_error *err);

/* The digest of vm's current state (canonical encoding, docs/checkpoints.md). */
void cairn_checkpoints_state_digest(uint8_t out[CAIRN_SHA256_BYTES], const cairn_vm *vm,
                                    uint32_t page_shift);

/*
 * Re-execute every interval [checkpoint i, checkpoint i + 1) with `threads`
 * worker threads (>= 1), restoring each from its checkpoint, and check that
 * it ends exactly at the next checkpoint's digest, the last one at the
 * final state, and that the output matches the recorded digest.  vm setup
 * as in cairn_checkpoints_vm_init.  CAIRN_OK; CAIRN_ERR_REJECTED naming the
 * first interval that disagrees; CAIRN_ERR_NOMEM.  Same result for any
 * number of threads.
 */
cairn_status cairn_checkpoints_verify(const cairn_checkpoints *cp, const cairn_program *prog,
                                      const uint8_t *input, size_t input_len, unsigned threads,
                                      cairn_error *err);

/* ------------------------------------------------------------------ */
/* The checkpoint file (docs/checkpoints.md)                           */

/* Encode cp into a malloc'd buffer. CAIRN_ERR_NOMEM, CAIRN_ERR_LIMIT. */
cairn_status cairn_checkpoint_file_encode(uint8_t **out, size_t *out_len,
                                          const cairn_checkpoints *cp, cairn_error *err);

/*
 * Parse untrusted bytes into a new set *out (NULL on failure).
 * CAIRN_ERR_PARSE for anything malformed, truncated or corrupted (the
 * message says what and at which offset), CAIRN_ERR_LIMIT, CAIRN_ERR_NOMEM.
 * Never reads outside bytes[0, bytes_len).
 */
cairn_status cairn_checkpoint_file_parse(cairn_checkpoints **out, const uint8_t *bytes,
                                         size_t bytes_len, cairn_error *err);

/* Write cp to `path` atomically (a temporary file renamed over it). CAIRN_ERR_IO. */
cairn_status cairn_checkpoint_file_write(const char *path, const cairn_checkpoints *cp,
                                         cairn_error *err);

/* Read and parse `path`. CAIRN_ERR_IO, or what cairn_checkpoint_file_parse returns. */
cairn_status cairn_checkpoint_file_read(cairn_checkpoints **out, const char *path,
                                        cairn_error *err);

/* ------------------------------------------------------------------ */
/* Tracing a machine into rows                                         */

/*
 * A tracer turns the cycles a VM runs into rows (the layout above) while
 * the caller drives the VM itself, e.g. after putting a state of its own
 * into it: the tracing interpreter runs a batch of cycles and their rows
 * are the oracle's rows of the same cycles.  It holds the program's
 * decoded text and one batch of records and rows; one tracer per thread.
 */
typedef struct cairn_wit_tracer cairn_wit_tracer;

/*
 * A tracer for VMs of vm's program (initialised with cairn_vm_init; its
 * text is decoded once), batches of at most batch_rows cycles
 * (1..2^24, else CAIRN_ERR_ARG).  CAIRN_ERR_NOMEM.  *out is NULL on failure.
 */
cairn_status cairn_wit_tracer_new(cairn_wit_tracer **out, const cairn_vm *vm, size_t batch_rows,
                                  cairn_error *err);
/* Free a tracer. Safe on NULL. */
void cairn_wit_tracer_free(cairn_wit_tracer *t);

/*
 * Run vm (of the tracer's program) on with the tracing interpreter, at
 * most batch_rows cycles and never past max_cycles, and point *rows at
 * the *count rows of the cycles it ran, numbered from vm->cycles on entry
 * (valid until the next call).  *count is 0 when vm was halted or at
 * max_cycles.  dirty and dirty_shift as in cairn_vm_run_traced (NULL: no
 * bitmap).  The statuses of cairn_vm_run_traced.
 */
cairn_status cairn_wit_tracer_run(cairn_wit_tracer *t, cairn_vm *vm, uint64_t max_cycles,
                                  uint8_t *dirty, unsigned dirty_shift, const cairn_fp **rows,
                                  size_t *count, cairn_error *err);

/* ------------------------------------------------------------------ */
/* The witness oracle                                                  */

typedef struct cairn_witness_oracle cairn_witness_oracle;

/* Replay backend settings; zero fields take the defaults. */
typedef struct {
    unsigned threads;  /* worker threads M (default 1) */
    size_t chunk_rows; /* rows per chunk handed to the consumer (default 4096) */
    unsigned depth;    /* chunk buffers per worker (default 2) */
} cairn_witness_replay_config;

/* Counters of an oracle (for benchmarks and tests). */
typedef struct {
    uint64_t streams;       /* completed or stopped streams */
    uint64_t rows;          /* rows handed to consumers */
    uint64_t restores;      /* checkpoint restores by replay workers */
    uint64_t peak_bytes;    /* most bytes the oracle held at once (table, or buffers + VMs) */
} cairn_witness_stats;

/*
 * Materialised backend: run prog on input (to its end or max_cycles) with
 * the tracer and keep all padded rows.  cfg may be NULL (defaults; its
 * write callback is not used).  chunk_rows as in cairn_rows_table_init.
 * CAIRN_ERR_LIMIT when the table would not fit in memory, CAIRN_ERR_NOMEM,
 * CAIRN_ERR_ARG.  Borrows nothing after it returns.
 */
cairn_status cairn_witness_oracle_new_table(cairn_witness_oracle **out, const cairn_program *prog,
                                            const cairn_vm_config *cfg, const uint8_t *input,
                                            size_t input_len, uint64_t max_cycles,
                                            size_t chunk_rows, cairn_error *err);

/*
 * Replay backend over a checkpoint set: rows are regenerated on every
 * stream by rc->threads workers replaying disjoint chunks from the nearest
 * checkpoints (docs/checkpoints.md, threading model).  Borrows cp, prog and
 * input, which must outlive the oracle.  The input must match the set
 * (CAIRN_ERR_REJECTED); the program is checked by the digest of checkpoint
 * 0 on the first restore.  rc may be NULL.
 */
cairn_status cairn_witness_oracle_new_replay(cairn_witness_oracle **out,
                                             const cairn_checkpoints *cp,
                                             const cairn_program *prog, const uint8_t *input,
                                             size_t input_len,
                                             const cairn_witness_replay_config *rc,
                                             cairn_error *err);

/* Free an oracle (no stream may be running). Safe on NULL. */
void cairn_witness_oracle_free(cairn_witness_oracle *o);

/* The row source (rows_len = padded rows, width = CAIRN_WIT_WIDTH); valid while o lives. */
const cairn_rows *cairn_witness_oracle_rows(const cairn_witness_oracle *o);

/* T, the executed cycles (rows at or past T are padding). */
uint64_t cairn_witness_oracle_cycles(const cairn_witness_oracle *o);

/*
 * Stream rows [a, b) of the padded rows to consume (cairn_rows_stream on
 * the oracle's source): strictly in order, in chunks.  Returns the
 * consumer's status if it stops the stream, a replay error
 * (CAIRN_ERR_REJECTED, CAIRN_ERR_NOMEM, ...), or CAIRN_OK.  Every worker
 * has stopped and every buffer is freed when it returns.
 */
cairn_status cairn_witness_oracle_stream(const cairn_witness_oracle *o, uint64_t a, uint64_t b,
                                         cairn_rows_consumer consume, void *ctx,
                                         cairn_error *err);

/* Counters so far. */
void cairn_witness_oracle_stats(const cairn_witness_oracle *o, cairn_witness_stats *out);

#endif /* CAIRN_WITNESS_H */
