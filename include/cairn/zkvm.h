/*
 * cairn/zkvm.h — proving and verifying executions of RV32I programs: the
 * statement, the prover, the verifier, and the versioned binary proof.
 *
 * What is proven (docs/arithmetization.md): the program (the SHA-256 of
 * its ELF bytes) started at its entry point with the registers and memory
 * as cairn_vm_init sets them (the ELF image in a region of 2^k words),
 * executed RV32I (ALU forms, LUI, AUIPC, branches, JAL, JALR, FENCE, every
 * load and store, and the system calls write to fd 1 and 2, read from fd
 * 0, exit) in exactly `cycles` trace rows (instructions plus one setup row
 * and one row per byte for each read or write), the bytes it wrote to fd 1
 * are the statement's output, and the last instruction was ECALL exit
 * (a7 = 93) or exit_group (a7 = 94) with a0 = exit_code.  The bytes its
 * reads returned are the prover's advice.  Proofs are sound, not
 * zero-knowledge.
 *
 * One proof system: the lean prover, proof format 5.  The row and the
 * protocol: docs/arithmetization.md, docs/zkvm-v2.md; the byte format:
 * docs/proof-format.md; the security arithmetic: docs/security.md §7.
 * Format 4 (the first prover) was removed: its proofs are refused by
 * number (CAIRN_ERR_PARSE, "format 4 proofs (the first prover) are no
 * longer supported").
 */
#ifndef CAIRN_ZKVM_H
#define CAIRN_ZKVM_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"
#include "cairn/pcs.h"
#include "cairn/rows.h"
#include "cairn/sha256.h"
#include "cairn/witness.h"

/* The proof format (docs/proof-format.md): the lean proof, the only one written and read. */
#define CAIRN_PROOF_FORMAT_LEAN 5u
#define CAIRN_PROOF_FORMAT_VERSION CAIRN_PROOF_FORMAT_LEAN
/* Largest proof file accepted by the parser. */
#define CAIRN_PROOF_MAX_BYTES ((size_t)1 << 30)
/* Largest public output carried in a statement (bytes written to fd 1). */
#define CAIRN_ZKVM_MAX_OUTPUT (1u << 20)
/*
 * The least proven security a verifier accepts.  The security target is
 * part of the statement the prover writes, and the verifier recomputes the
 * parameters from it; without a floor, a prover could pick a tiny target,
 * get matching weak parameters, and forge cheaply.
 */
#define CAIRN_ZKVM_MIN_SECURITY_BITS 100u

/* Largest provable run: trace rows below this (2^28), so that 2^28 padded rows hold them. */
#define CAIRN_ZKVM_MAX_CYCLES (UINT64_C(1) << 28)

typedef struct {
    uint8_t program_digest[CAIRN_SHA256_BYTES]; /* SHA-256 of the ELF file */
    uint32_t entry;                             /* entry point */
    uint32_t mem_log2_words;                    /* RAM region: 2^k words (fixes the initial sp) */
    uint64_t cycles;                            /* T, trace rows: instructions executed (the exit
                                                   included), plus for each read or write one
                                                   setup row and one row per byte moved */
    uint32_t exit_code;                         /* a0 at the exit */
    uint32_t output_len;                        /* bytes written to fd 1 (the public output) */
    uint32_t security_target;                   /* the lambda asked for (100) */
    uint32_t security_bits;                     /* floor of the proven bits (docs/security.md §7) */
} cairn_zkvm_statement;

/*
 * The first prover's test hooks, kept so that code setting them still
 * compiles: the lean prover never calls them (its tests change cells
 * directly, tests/test_lean.c).
 */
typedef void (*cairn_zkvm_tamper_fn)(void *ctx, cairn_fp *const *cols, size_t cols_len,
                                     uint64_t rows, uint64_t cycles);
typedef void (*cairn_zkvm_tamper_mults_fn)(void *ctx, cairn_fp *mult_fixed, cairn_fp *mult_bytecode,
                                           size_t table_len);

/*
 * Progress of a long proof: called from the proving thread at the start of
 * each stage (done = 0) and at its end (done = 1), and in between where a
 * stage knows its fraction.  The stages are
 * their names are for people (they may change between versions):
 *   format 5: "execute" (not when proving from checkpoints), "witness",
 *     "tables", "commit 1", "zero-check", "memory", "shift",
 *     "lookup bind", "commit 2", "lookups", "openings".
 * Must not call back into the prover.
 */
typedef void (*cairn_zkvm_progress_fn)(void *ctx, const char *stage, double done);

typedef struct {
    unsigned security_bits;     /* 100 (default); 128 is refused (not reachable yet) */
    unsigned threads;           /* prover threads (default 1) */
    uint64_t max_cycles;        /* 0: CAIRN_ZKVM_MAX_CYCLES */
    cairn_zkvm_progress_fn progress; /* optional */
    void *progress_ctx;
    /* Ignored (the first prover's test switches; kept for source compatibility). */
    cairn_zkvm_tamper_fn tamper;
    void *tamper_ctx;
    cairn_zkvm_tamper_mults_fn tamper_mults;
    void *tamper_mults_ctx;
    int no_checks;
    /*
     * The proof format cairn_zkvm_prove writes: 0 (the default) or 5, the
     * lean proof (docs/zkvm-v2.md: 25 committed cells a row, up to 2^30
     * rows, 100 bits).  Any other value is CAIRN_ERR_ARG; 4, the first
     * prover's format, was removed.
     */
    unsigned proof_format;
    /*
     * Format 5: the most memory the prover may take, in bytes; 0 means
     * what the machine has free (cairn_pool_memory_available), checked right
     * after execution, before any witness is built: a run whose estimated
     * peak (docs/zkvm-v2.md §8) exceeds it is CAIRN_ERR_LIMIT, naming the
     * rows, the estimate and the limit.
     */
    uint64_t max_memory;
    /*
     * Format 5: where the witness lives.  CAIRN_ZKVM_SPACE_AUTO (0, the
     * default): linear space (the run's trace and every cell held) when
     * its estimated peak fits max_memory (or what the machine has free),
     * small space otherwise.  CAIRN_ZKVM_SPACE_LINEAR: linear or refused
     * (CAIRN_ERR_LIMIT, as described above).  CAIRN_ZKVM_SPACE_SMALL:
     * small space: no trace and no cell held, lean checkpoints of the run
     * every checkpoint_interval rows (0: 2^ceil(n/2), at least 64), every
     * row a stage reads regenerated by replay (docs/small-space.md).  A
     * checkpoint file (cairn_zkvm_prove_checkpoints) is proven in linear
     * space.  Both spaces give the same proof bytes.
     */
    unsigned space;
    uint64_t checkpoint_interval;
    /*
     * Small space: the memory the prover aims to stay within, in bytes
     * (0: none given).  Nonzero selects small space under
     * CAIRN_ZKVM_SPACE_AUTO; the zero-check's and the GKRs' in-memory
     * tables are sized from it (auto's small space: from the memory
     * available).  A budget below the run's estimated minimum is
     * CAIRN_ERR_LIMIT before any proving (after the run, its checkpoints
     * and the output's pass), naming the minimum and its parts.  A budget
     * or an interval with CAIRN_ZKVM_SPACE_LINEAR or with a checkpoint
     * file is CAIRN_ERR_ARG.  The prover sizes the library's thread pool
     * (cairn/pool.h) to threads while it runs and restores it after:
     * concurrent proofs in one process share that pool.
     */
    uint64_t memory_budget;
} cairn_zkvm_options;

#define CAIRN_ZKVM_SPACE_AUTO 0u
#define CAIRN_ZKVM_SPACE_LINEAR 1u
#define CAIRN_ZKVM_SPACE_SMALL 2u

/* The defaults: 100 bits, one thread, proof_format 0 (format 5). */
void cairn_zkvm_options_init(cairn_zkvm_options *opt);

/*
 * The format cairn_zkvm_prove writes for opt (NULL: the defaults): 5 for
 * proof_format 0 or 5, whatever the security target (a target it cannot
 * reach is refused by the prover), or 0 for a proof_format this cairn
 * does not write.
 */
unsigned cairn_zkvm_options_format(const cairn_zkvm_options *opt);

/*
 * One prover stage's wall time: its name as the progress callback gives
 * it; passes: the rows of the witness it read (through row reads and row
 * sources), divided by the padded rows: its passes over the witness (0
 * for the run's own stages).
 */
typedef struct {
    const char *name; /* a static string */
    double s;
    double passes;
} cairn_zkvm_stage;

/* The most stages cairn_zkvm_stats lists. */
#define CAIRN_ZKVM_MAX_STAGES 16

/*
 * Timings and figures of one proof (seconds, bytes): witness (executing,
 * the cells, the value tables), commit (every commitment), sumcheck
 * (every sum-check and GKR stage), open (the claim reductions and the
 * openings).  stages[0 .. stages_len) is the finer breakdown, the
 * progress stages in the order they ran.
 */
typedef struct {
    double witness_s, commit_s, sumcheck_s, open_s, total_s;
    size_t columns;      /* committed base columns per cycle */
    uint64_t rows;       /* 2^n */
    uint64_t cycles;     /* instructions executed */
    uint64_t trace_rows; /* T: instructions plus the read/write rows (the statement's cycles) */
    int small_space;     /* proven in small space (cairn_zkvm_options.space) */
    uint64_t checkpoint_interval; /* small space: rows between lean checkpoints */
    uint64_t checkpoints;         /* small space: how many */
    uint64_t checkpoint_bytes;    /* small space: the memory they hold */
    uint64_t regenerated_rows;    /* small space: rows replayed from checkpoints (stepped over too) */
    double replay_s;              /* small space: the replay's time, summed over its threads */
    double cpu_s;                 /* the process's CPU time while proving, all threads */
    double passes;                /* the stages' passes over the witness, summed */
    size_t stages_len;
    cairn_zkvm_stage stages[CAIRN_ZKVM_MAX_STAGES];
} cairn_zkvm_stats;

/*
 * Execute the ELF (input bytes as read(0) advice) and prove the run in
 * format 5 (the lean prover).  *proof receives a
 * malloc'd encoding (*proof_len bytes), *st the statement it proves
 * (optional), stats (optional) the timings.  A run that faults or executes
 * an instruction outside the provable set is CAIRN_ERR_ARG with a message
 * naming the cycle, the pc and the instruction (or the reason); one that
 * does not exit within max_cycles, has more rows than the format proves,
 * or would need more than max_memory is CAIRN_ERR_LIMIT, before any
 * witness is built; so is a security target of 128 bits (not reachable
 * yet: docs/security.md §7).  CAIRN_ERR_PARSE for a malformed ELF,
 * CAIRN_ERR_NOMEM; CAIRN_ERR_ARG for a proof_format this cairn does not
 * write or a target other than 100 and 128.
 */
cairn_status cairn_zkvm_prove(uint8_t **proof, size_t *proof_len, cairn_zkvm_statement *st,
                              cairn_zkvm_stats *stats, const uint8_t *elf, size_t elf_len,
                              const uint8_t *input, size_t input_len,
                              const cairn_zkvm_options *opt, cairn_error *err);

/*
 * Prove the run that the checkpoint set cp records (cairn/witness.h) of
 * the program `elf` on `input`, reading the witness from the set (replayed
 * by opt->threads workers) instead of executing the guest: the same proof
 * bytes as cairn_zkvm_prove of the same program, input and options.  The
 * set must have been recorded with the program's default layout (the
 * verifier pins the memory size) and, when it was read from a file, have
 * passed cairn_checkpoints_verify first (otherwise the rows may depend on
 * the thread count).  Errors as cairn_zkvm_prove, and
 * CAIRN_ERR_REJECTED for a set of another program or input
 * (cairn_checkpoints_check) or whose rows disagree with its header.
 * `cairn prove --from-checkpoints` is this call.
 */
cairn_status cairn_zkvm_prove_checkpoints(uint8_t **proof, size_t *proof_len,
                                          cairn_zkvm_statement *st, cairn_zkvm_stats *stats,
                                          const uint8_t *elf, size_t elf_len,
                                          const cairn_checkpoints *cp, const uint8_t *input,
                                          size_t input_len, const cairn_zkvm_options *opt,
                                          cairn_error *err);

/*
 * Verify proof bytes (format 5) for the program `elf`.  CAIRN_OK and *st
 * (optional) the verified statement when accepted; CAIRN_ERR_PARSE (what
 * and where) for malformed bytes or ELF, and for another format's bytes
 * (format 4's named as no longer supported); CAIRN_ERR_REJECTED with a one-line reason
 * for a well-formed proof that is false, belongs to another program, or
 * targets fewer than CAIRN_ZKVM_MIN_SECURITY_BITS bits, or names a memory
 * size other than the program's default layout (cairn_vm_mem_log2_words:
 * it fixes the initial sp); CAIRN_ERR_NOMEM.  *st is written only on
 * CAIRN_OK.  The caller compares the statement with what it expects (exit
 * code, cycles, output).
 */
cairn_status cairn_zkvm_verify(cairn_zkvm_statement *st, const uint8_t *proof, size_t proof_len,
                               const uint8_t *elf, size_t elf_len, cairn_error *err);

/*
 * Verify as cairn_zkvm_verify, and hand back what was verified: *st the
 * statement and *output a malloc'd copy of the public output, the
 * *output_len = st->output_len bytes the guest wrote to fd 1 (NULL and 0
 * when it wrote nothing; the caller frees it).  Each of st, output and
 * output_len is optional (NULL); all are written only on CAIRN_OK, so a
 * caller never sees the output of a proof that was not accepted.  Errors
 * as cairn_zkvm_verify, plus CAIRN_ERR_NOMEM for the copy.  docs/library.md
 * shows a complete host program around it.
 */
cairn_status cairn_zkvm_verify_output(cairn_zkvm_statement *st, uint8_t **output,
                                      size_t *output_len, const uint8_t *proof, size_t proof_len,
                                      const uint8_t *elf, size_t elf_len, cairn_error *err);

/*
 * The format version of proof bytes (the number read from the header,
 * whatever it is, when the magic is cairn's: 5 for this cairn's proofs),
 * or 0 when they do not start with cairn's magic.
 */
unsigned cairn_proof_format(const uint8_t *bytes, size_t len);

/* One part of a format-5 proof, for cairn inspect: its name, where it starts, its bytes. */
typedef struct {
    const char *name;
    size_t offset, len;
} cairn_proof_part;
/*
 * Parse format-5 bytes strictly (no ELF needed) and describe them: *st
 * the statement, *instructions the instructions executed, parts[0 ..
 * *nparts) the body's non-empty parts (at most max; the container's
 * header, statement and output come first as one part).  CAIRN_ERR_PARSE
 * naming what and where for malformed bytes (another format's included).
 */
cairn_status cairn_proof_v5_describe(cairn_zkvm_statement *st, uint64_t *instructions,
                                     cairn_proof_part *parts, size_t *nparts, size_t max,
                                     const uint8_t *bytes, size_t len, cairn_error *err);

#endif /* CAIRN_ZKVM_H */
