/*
 * witness_internal.h — the contract inside src/witness/.
 *
 * row.c        the row layout (column table), the bytecode table (a second,
 *              independent RV32IM decoder from instruction words to the
 *              static columns) and record -> row conversion;
 * checkpoint.c canonical state encoding, digests, recording, restoring;
 * ckpt_file.c  the file format: encode, strict parse, atomic write, read;
 * replay.c     cairn_checkpoints_verify (parallel interval replay);
 * oracle.c     the witness oracle, materialised and replay backends.
 * tracer.c     a VM driven by its caller traced into rows, batch by batch.
 *
 * Invariants of a cairn_checkpoints (whether recorded or parsed):
 *   - hdr.count = max(1, ceil(cycles / interval)); ck[i].st.cycles = i *
 *     interval and ck[i].st.halt = RUNNING for every i; ck[0] has no pages;
 *   - ck[i].page_idx is strictly ascending, every index < the region's
 *     pages, and ck[i].pages holds npages << page_shift bytes;
 *   - ck[i].digest = state_digest(ck[i].st), final_digest =
 *     state_digest(final); the memory digests inside the states are only
 *     checked by replaying (restore and verify).
 * A set is immutable after it is built, so any number of threads may read it.
 *
 * Threading model (oracle.c; docs/checkpoints.md has the prose version):
 * a stream creates M workers, each owning one VM, one record buffer and
 * `depth` chunk slots.  Chunk u of the stream belongs to worker u mod M and
 * lands in its slot (u / M) mod depth.  A slot is handed over under the
 * stream's one mutex: the worker fills it while it is empty and then marks
 * it full (cv_full); the consumer thread (the caller) takes chunks in
 * order u = 0, 1, ..., waits until the slot is full, calls the consumer
 * without the lock, marks it empty (cv_free).  Only the owner of a slot's
 * current state touches its rows.  Stopping (consumer error, a worker's
 * error surfacing in order, or the end) sets `stop`, wakes everyone and
 * joins every worker before any buffer is freed.
 */
#ifndef CAIRN_WITNESS_INTERNAL_H
#define CAIRN_WITNESS_INTERNAL_H

#include <stdint.h>

#include "cairn/witness.h"

/* ---- row.c -------------------------------------------------------- */

/* Static columns of one instruction word. */
struct wit_insn {
    uint32_t insn;
    uint32_t imm;
    uint8_t op;     /* cairn_wit_op */
    uint8_t cls;    /* cairn_vm_class */
    uint8_t rs1;    /* 0 when the format reads no rs1 */
    uint8_t rs2;    /* 0 when the format reads no rs2 */
    uint8_t width;  /* memory access bytes, 0 when none */
};

/* The bytecode table of a VM's executable range: one entry per word. */
struct wit_code {
    uint32_t text_base;
    uint32_t text_size;
    struct wit_insn *insn; /* text_size / 4 entries */
};

/* Decode one word (independently of src/vm/decode.c). */
struct wit_insn wit_decode(uint32_t word);

/* Build the table from vm's (immutable) text. CAIRN_ERR_NOMEM. */
cairn_status wit_code_init(struct wit_code *code, const cairn_vm *vm, cairn_error *err);
void wit_code_clear(struct wit_code *code);

/*
 * rows[0 .. n * WIDTH) = the rows of cycles first .. first + n - 1 from
 * their trace records.  Every rec->pc is inside the table (the VM executed it).
 */
void wit_rows_fill(cairn_fp *rows, uint64_t first, const cairn_vm_trace_rec *recs, size_t n,
                   const struct wit_code *code);

/* rows[0 .. n * WIDTH) = padding rows for cycles first .. first + n - 1. */
void wit_rows_pad(cairn_fp *rows, uint64_t first, size_t n, uint32_t final_pc);

/* ---- checkpoint.c -------------------------------------------------- */

#define CKPT_STATE_BYTES 220u /* canonical state encoding */

/* A machine state as recorded (everything a checkpoint restores). */
struct ckpt_state {
    uint32_t pc;
    uint32_t regs[32];
    uint64_t cycles, input_pos, output_len, diag_len;
    uint32_t halt, exit_code;
    uint32_t fault_kind, fault_pc, fault_insn, fault_addr;
    uint8_t mem_digest[CAIRN_SHA256_BYTES];
};

struct ckpt {
    struct ckpt_state st;
    uint8_t digest[CAIRN_SHA256_BYTES];
    uint32_t npages;
    uint32_t *page_idx; /* npages, ascending */
    uint8_t *pages;     /* npages << page_shift bytes */
};

struct cairn_checkpoints {
    cairn_ckpt_header hdr;
    struct ckpt *ck; /* hdr.count */
    struct ckpt_state final;
};

void ckpt_state_encode(uint8_t out[CKPT_STATE_BYTES], const struct ckpt_state *s);
/* Decode; returns 0 when a field is out of its range (halt, fault kind, regs[0] != 0). */
int ckpt_state_decode(struct ckpt_state *s, const uint8_t in[CKPT_STATE_BYTES]);
void ckpt_state_digest(uint8_t out[CAIRN_SHA256_BYTES], const struct ckpt_state *s);
/* The state of vm, given the digest of its memory. */
void ckpt_state_of_vm(struct ckpt_state *s, const cairn_vm *vm,
                      const uint8_t mem_digest[CAIRN_SHA256_BYTES]);
/* Digest of the whole memory of vm, pages of 2^page_shift bytes. */
void ckpt_mem_digest(uint8_t out[CAIRN_SHA256_BYTES], const cairn_vm *vm, uint32_t page_shift);
/* Allocate an empty set of `count` checkpoints. NULL when out of memory. */
cairn_checkpoints *ckpt_set_new(uint64_t count);

/* Little-endian helpers shared by the encoders. */
static inline void wit_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline void wit_put64(uint8_t *p, uint64_t v)
{
    wit_put32(p, (uint32_t)v);
    wit_put32(p + 4, (uint32_t)(v >> 32));
}
static inline uint32_t wit_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t wit_get64(const uint8_t *p)
{
    return (uint64_t)wit_get32(p) | (uint64_t)wit_get32(p + 4) << 32;
}

#endif /* CAIRN_WITNESS_INTERNAL_H */
