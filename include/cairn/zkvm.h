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
 * (a7 = 93; in format 5 also exit_group, a7 = 94) with a0 = exit_code.  The bytes its reads returned are the
 * prover's advice.  Proofs are sound, not zero-knowledge.
 *
 * The protocol and the byte format: docs/arithmetization.md,
 * docs/proof-format.md; the security arithmetic: docs/security.md §5.
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

/* The first prover's proof format (docs/proof-format.md, version 4). */
#define CAIRN_PROOF_FORMAT_VERSION 4u
/* The lean proof's format (docs/proof-format.md, "Format 5"): the default. */
#define CAIRN_PROOF_FORMAT_LEAN 5u
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
    uint32_t security_target;                   /* the lambda asked for (100 or 128) */
    uint32_t security_bits;                     /* floor of the proven bits (docs/security.md §5) */
} cairn_zkvm_statement;

/* Test-only: corrupt columns before the phase-1 commitment (prover continues honestly). */
typedef void (*cairn_zkvm_tamper_fn)(void *ctx, cairn_fp *const *cols, size_t cols_len,
                                     uint64_t rows, uint64_t cycles);
/*
 * Test-only: change the lookup multiplicities (the fixed table's and the
 * bytecode table's, table_len entries each) after the prover computed
 * them and before they are committed, as a malicious prover may.
 */
typedef void (*cairn_zkvm_tamper_mults_fn)(void *ctx, cairn_fp *mult_fixed, cairn_fp *mult_bytecode,
                                           size_t table_len);

/*
 * Progress of a long proof: called from the proving thread at the start of
 * each stage (done = 0) and at its end (done = 1), and in between where a
 * stage knows its fraction.  The stages depend on the proof format, and
 * their names are for people (they may change between versions):
 *   format 4: "execute", "witness", "commit", "outer sum-check",
 *     "table sum-check", "memory sum-check", "shift sum-check", "open";
 *   format 5: "execute" (not when proving from checkpoints), "witness",
 *     "tables", "commit 1", "zero-check", "memory", "shift",
 *     "lookup bind", "commit 2", "lookups", "openings".
 * Must not call back into the prover.
 */
typedef void (*cairn_zkvm_progress_fn)(void *ctx, const char *stage, double done);

typedef struct {
    unsigned security_bits;     /* 100 (default) or 128 */
    unsigned threads;           /* prover threads (default 1) */
    uint64_t max_cycles;        /* 0: CAIRN_ZKVM_MAX_CYCLES */
    cairn_zkvm_progress_fn progress; /* optional */
    void *progress_ctx;
    /* Test-only switches: a proof made with them is meant to be rejected. */
    cairn_zkvm_tamper_fn tamper;
    void *tamper_ctx;
    cairn_zkvm_tamper_mults_fn tamper_mults;
    void *tamper_mults_ctx;
    int no_checks;              /* skip the prover's own sanity checks on the trace */
    /*
     * The proof format cairn_zkvm_prove writes (cairn_zkvm_options_format):
     * 0, the default, picks 5 when security_bits is 100 and 4 otherwise
     * (F_p2 keeps format 5 below 128 proven bits, docs/security.md §7);
     * 5 is the lean proof (docs/zkvm-v2.md: 25 committed cells a row, up
     * to 2^30 rows; security 100 only; no tamper hooks); 4 the first
     * prover (154 cells a row, about 2^21 rows at most at 100 bits; 100 or
     * 128 bits; the tamper hooks).  The verifier reads both.
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
} cairn_zkvm_options;

/* The defaults: 100 bits, one thread, proof_format 0 (format 5). */
void cairn_zkvm_options_init(cairn_zkvm_options *opt);

/*
 * The format cairn_zkvm_prove writes for opt (NULL: the defaults): 4 or
 * 5 as the proof_format comment says, or 0 for a proof_format this cairn
 * does not write.
 */
unsigned cairn_zkvm_options_format(const cairn_zkvm_options *opt);

/*
 * The committed batches of a proof: trace, multiplicities, helpers, table
 * helpers, final memory, memory helpers (docs/proof-format.md).
 */
#define CAIRN_PROOF_BATCHES 6

/* Byte sizes of a proof's parts (cairn inspect). */
typedef struct {
    size_t header, statement, registers, commitments, sumchecks, evaluations, openings, total;
    size_t opening[CAIRN_PROOF_BATCHES];
} cairn_zkvm_sizes;

/* One prover stage's wall time: its name as the progress callback gives it. */
typedef struct {
    const char *name; /* a static string */
    double s;
} cairn_zkvm_stage;

/* The most stages cairn_zkvm_stats lists. */
#define CAIRN_ZKVM_MAX_STAGES 16

/*
 * Timings and figures of one proof (seconds, bytes).  The four summary
 * timings mean the same in both formats: witness (executing, the trace
 * rows or cells, format 5's value tables), commit (every commitment),
 * sumcheck (every sum-check and GKR stage), open (format 5's claim
 * reductions and the openings).  stages[0 .. stages_len) is the finer
 * breakdown, in the order the stages ran: format 4 lists "witness",
 * "commit", "sum-checks", "open"; format 5 its progress stages.
 */
typedef struct {
    double witness_s, commit_s, sumcheck_s, open_s, total_s;
    size_t columns;      /* committed base columns per cycle */
    uint64_t rows;       /* 2^n */
    uint64_t cycles;     /* instructions executed */
    uint64_t trace_rows; /* T: instructions plus the read/write rows (the statement's cycles) */
    size_t stages_len;
    cairn_zkvm_stage stages[CAIRN_ZKVM_MAX_STAGES];
} cairn_zkvm_stats;

/*
 * Execute the ELF (input bytes as read(0) advice) and prove the run, in
 * the format cairn_zkvm_options_format(opt) names.  *proof receives a
 * malloc'd encoding (*proof_len bytes), *st the statement it proves
 * (optional), stats (optional) the timings.  A run that faults or executes
 * an instruction outside the provable set is CAIRN_ERR_ARG with a message
 * naming the cycle, the pc and the instruction (or the reason); one that
 * does not exit within max_cycles, has more rows than the format proves,
 * or (format 5) would need more than max_memory is CAIRN_ERR_LIMIT, before
 * any witness is built.  CAIRN_ERR_PARSE for a malformed ELF,
 * CAIRN_ERR_NOMEM; CAIRN_ERR_ARG for a proof_format this cairn does not
 * write, or format 5 asked for with a target other than 100 bits.
 */
cairn_status cairn_zkvm_prove(uint8_t **proof, size_t *proof_len, cairn_zkvm_statement *st,
                              cairn_zkvm_stats *stats, const uint8_t *elf, size_t elf_len,
                              const uint8_t *input, size_t input_len,
                              const cairn_zkvm_options *opt, cairn_error *err);

/*
 * Prove given trace rows (cairn/witness.h layout, at least `cycles` rows)
 * for the program `elf`, whose reads consumed `input` in order, in format
 * 4 (proof_format 0 or 4; 5 is CAIRN_ERR_ARG).  This is the prover behind
 * cairn_zkvm_prove's format 4; cairn_zkvm_prove_checkpoints feeds it a
 * replay, tests feed it executions from their own (lying) interpreters.
 */
cairn_status cairn_zkvm_prove_trace(uint8_t **proof, size_t *proof_len, cairn_zkvm_statement *st,
                                    cairn_zkvm_stats *stats, const uint8_t *elf, size_t elf_len,
                                    const cairn_rows *trace, uint64_t cycles,
                                    uint32_t mem_log2_words, const uint8_t *input,
                                    size_t input_len, const cairn_zkvm_options *opt,
                                    cairn_error *err);

/*
 * Prove the run that the checkpoint set cp records (cairn/witness.h) of
 * the program `elf` on `input`, reading the witness from the set (replayed
 * by opt->threads workers) instead of executing the guest: the same proof
 * bytes as cairn_zkvm_prove of the same program, input and options, in
 * either format.  The set must have been recorded with the program's
 * default layout (the verifier pins the memory size) and, when it was read
 * from a file, have passed cairn_checkpoints_verify first (otherwise the
 * rows may depend on the thread count).  Errors as cairn_zkvm_prove, and
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
 * Verify proof bytes for the program `elf`.  CAIRN_OK and *st (optional)
 * the verified statement when accepted; CAIRN_ERR_PARSE (what and where)
 * for malformed bytes or ELF; CAIRN_ERR_REJECTED with a one-line reason
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
 * The format version of proof bytes (4 or 5; the number read from the
 * header, whatever it is, when the magic is cairn's), or 0 when they do
 * not start with cairn's magic.
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
 * header, statement and output come first as one part).  Errors as
 * cairn_proof_decode.
 */
cairn_status cairn_proof_v5_describe(cairn_zkvm_statement *st, uint64_t *instructions,
                                     cairn_proof_part *parts, size_t *nparts, size_t max,
                                     const uint8_t *bytes, size_t len, cairn_error *err);

/* ---- the proof object ---------------------------------------------------------------------------- */

typedef struct cairn_proof cairn_proof;

/* Parse untrusted bytes (docs/proof-format.md). CAIRN_ERR_PARSE naming what and where. */
cairn_status cairn_proof_decode(cairn_proof **out, const uint8_t *bytes, size_t bytes_len,
                                cairn_error *err);
/* Encode into a malloc'd buffer. */
cairn_status cairn_proof_encode(uint8_t **out, size_t *out_len, const cairn_proof *p,
                                cairn_error *err);
void cairn_proof_free(cairn_proof *p);
/* The statement and sizes of a decoded proof. */
const cairn_zkvm_statement *cairn_proof_statement(const cairn_proof *p);
/* The public output (statement output_len bytes; NULL when empty). */
const uint8_t *cairn_proof_output(const cairn_proof *p);
const cairn_zkvm_sizes *cairn_proof_sizes(const cairn_proof *p);
/* The PCS parameters of batch i < CAIRN_PROOF_BATCHES. */
const cairn_pcs_params *cairn_proof_params(const cairn_proof *p, unsigned i);
/* The name of batch i ("trace", ..., "memory helpers"; "?" out of range). */
const char *cairn_proof_batch_name(unsigned i);
/* log2 of the padded trace rows and of the table size. */
unsigned cairn_proof_vars(const cairn_proof *p, unsigned *table_vars);
/* Verify a decoded proof against the ELF (as cairn_zkvm_verify). */
cairn_status cairn_proof_verify(const cairn_proof *p, const uint8_t *elf, size_t elf_len,
                                cairn_error *err);

#endif /* CAIRN_ZKVM_H */
