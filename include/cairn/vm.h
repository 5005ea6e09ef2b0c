/*
 * cairn/vm.h — the RV32IM virtual machine: ELF loader, machine state,
 * interpreter and system calls.
 *
 * A guest is a statically linked 32-bit little-endian RISC-V executable
 * (ET_EXEC, EM_RISCV, no compressed instructions, soft-float ilp32 ABI).
 * cairn_elf_load() validates the untrusted file and keeps its PT_LOAD
 * segments; cairn_vm_init() lays them out in one contiguous memory region of
 * 2^k 32-bit words (plus a stack reserve, sp at the top), pre-decodes the
 * executable range, and cairn_vm_run() interprets until the guest exits,
 * faults, or reaches a cycle bound.  One cycle is one executed instruction.
 *
 * The guest ABI is the Linux RISC-V system call convention (a7 = number,
 * a0..a2 = arguments, a0 = result), so the same ELF runs under qemu-riscv32:
 *     93 exit, 94 exit_group   a0 = status
 *     64 write(fd, buf, len)   fd 1 = public output, fd 2 = diagnostics
 *     63 read(0, buf, len)     the caller's input bytes; returns 0 at the end
 * Any other number, another fd, or a buffer outside memory is a fault.
 *
 * Memory model, faults and differences from qemu: docs/vm.md.
 */
#ifndef CAIRN_VM_H
#define CAIRN_VM_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

/* ------------------------------------------------------------------ */
/* Limits (documented in docs/vm.md)                                   */

#define CAIRN_ELF_MAX_FILE ((size_t)1 << 28)     /* bytes of ELF file accepted */
#define CAIRN_ELF_MAX_PHNUM 256u                 /* program headers */
#define CAIRN_ELF_MAX_SEGMENTS 16u               /* PT_LOAD segments with memsz > 0 */
#define CAIRN_VM_MAX_MEM (UINT32_C(1) << 30)     /* hard cap on the region, bytes */
#define CAIRN_VM_DEFAULT_STACK (UINT32_C(1) << 16) /* stack reserve above the image (64 KiB) */

/* Segment permission bits (the ELF PF_* values). */
#define CAIRN_SEG_X 1u
#define CAIRN_SEG_W 2u
#define CAIRN_SEG_R 4u

/* ------------------------------------------------------------------ */
/* Programs                                                            */

typedef struct {
    uint32_t vaddr;    /* guest address of the first byte */
    uint32_t memsz;    /* bytes in memory (> 0); memsz >= filesz */
    uint32_t filesz;   /* bytes taken from the file; the rest is zero */
    uint32_t flags;    /* CAIRN_SEG_* */
    uint32_t data_off; /* offset of the file bytes in cairn_program.data */
    uint32_t phdr;     /* index of the program header in the file (for messages) */
} cairn_segment;

/*
 * A validated executable: the entry point and the PT_LOAD segments with
 * memsz > 0, sorted by address, pairwise disjoint, none wrapping past 2^32,
 * at least one executable, every executable one 4-byte aligned, the entry
 * 4-byte aligned inside an executable segment's file bytes.  `data` holds a
 * copy of the segments' file bytes (the program does not borrow the file).
 */
typedef struct {
    uint32_t entry;
    uint32_t nseg;
    cairn_segment seg[CAIRN_ELF_MAX_SEGMENTS];
    uint8_t *data;
    size_t data_len;
} cairn_program;

/* An empty program (safe to clear). */
void cairn_program_init(cairn_program *prog);
/* Free what a program owns and make it empty again. Safe on NULL and on an empty program. */
void cairn_program_clear(cairn_program *prog);

/*
 * Parse and validate the untrusted ELF bytes into `out` (which is
 * initialised first; clear it after use, whatever the result).  Returns
 * CAIRN_ERR_PARSE for a malformed or unsupported file, with a message that
 * names the field, segment index or offset and, for RVC / float ABI / RV64
 * files, how to rebuild; CAIRN_ERR_LIMIT when the file or its address span
 * exceeds the limits above; CAIRN_ERR_NOMEM.  Never reads outside
 * bytes[0, bytes_len).
 */
cairn_status cairn_elf_load(cairn_program *out, const uint8_t *bytes, size_t bytes_len,
                            cairn_error *err);

/* ------------------------------------------------------------------ */
/* The machine                                                         */

typedef enum {
    CAIRN_VM_RUNNING = 0, /* can run further (a cycle bound stopped it, or it never ran) */
    CAIRN_VM_EXITED,      /* the guest called exit; exit_code holds a0 */
    CAIRN_VM_FAULTED      /* the guest faulted; `fault` says where and why */
} cairn_vm_halt;

typedef enum {
    CAIRN_FAULT_NONE = 0,
    CAIRN_FAULT_ILLEGAL,          /* an illegal or unsupported instruction was executed */
    CAIRN_FAULT_EBREAK,           /* ebreak */
    CAIRN_FAULT_FETCH,            /* pc outside the executable range */
    CAIRN_FAULT_JUMP_MISALIGNED,  /* jump or taken branch to an address not 4-byte aligned */
    CAIRN_FAULT_LOAD_RANGE,       /* load outside the memory region */
    CAIRN_FAULT_LOAD_MISALIGNED,  /* lh/lhu/lw not naturally aligned */
    CAIRN_FAULT_STORE_RANGE,      /* store outside the memory region */
    CAIRN_FAULT_STORE_MISALIGNED, /* sh/sw not naturally aligned */
    CAIRN_FAULT_STORE_TEXT,       /* store into the executable range (no self-modifying code) */
    CAIRN_FAULT_SYSCALL,          /* unsupported system call number */
    CAIRN_FAULT_SYSCALL_ARG       /* bad fd, or a buffer outside memory */
} cairn_vm_fault_kind;

#define CAIRN_VM_FAULT_MSG_MAX 200

typedef struct {
    cairn_vm_fault_kind kind;
    uint32_t pc;   /* address of the faulting instruction (the target, for FETCH) */
    uint32_t insn; /* the instruction word at pc (0 when pc is not in the executable range) */
    uint32_t addr; /* the address accessed, the jump target, or the syscall number / fd */
    char msg[CAIRN_VM_FAULT_MSG_MAX]; /* "pc 0x00010074 (insn 0x0000a083): load ..." */
} cairn_vm_fault;

/*
 * Receives guest writes to fd 1 (public output) and fd 2 (diagnostics).
 * Returns 0, or non-zero when the host could not take the bytes (the run then
 * stops with CAIRN_ERR_IO, before the ecall completes).
 */
typedef int (*cairn_vm_write_fn)(void *ctx, int fd, const uint8_t *buf, size_t buf_len);

typedef struct {
    uint32_t stack_size;     /* bytes reserved above the highest segment (default 64 KiB) */
    uint32_t max_mem;        /* refuse a region larger than this many bytes (default and cap: CAIRN_VM_MAX_MEM) */
    cairn_vm_write_fn write; /* NULL: output is counted and discarded */
    void *write_ctx;
} cairn_vm_config;

struct cairn_vm_insn; /* a pre-decoded instruction (src/vm/vm_internal.h) */

/*
 * The machine.  The fields from `pc` to `fault`, together with
 * mem[0, mem_size), are the complete guest-visible state: copying them into a
 * VM initialised from the same program and config resumes the run bit for
 * bit (the basis of checkpoints).  The rest is fixed at init.  Callers read
 * fields freely; they change them only through the functions below, except
 * that restoring a saved state is allowed.
 */
typedef struct {
    /* state */
    uint32_t pc;
    uint32_t regs[32];   /* regs[0] is always 0 */
    uint64_t cycles;     /* instructions completed (a faulting one is not counted) */
    uint64_t input_pos;  /* input bytes consumed by read(0, ...) */
    uint64_t output_len; /* bytes written to fd 1 */
    uint64_t diag_len;   /* bytes written to fd 2 */
    cairn_vm_halt halt;
    uint32_t exit_code;  /* a0 at exit (the process status is exit_code & 0xff) */
    cairn_vm_fault fault;

    /* memory: [mem_base, mem_base + mem_size), mem_size = 4 << mem_log2_words */
    uint32_t mem_base;
    uint32_t mem_size;
    uint32_t mem_log2_words;
    uint8_t *mem;
    /* [text_base, text_base + text_size): the hull of the executable segments, pre-decoded */
    uint32_t text_base;
    uint32_t text_size;
    struct cairn_vm_insn *code; /* text_size / 4 + 1 entries */
    uint32_t image_end;         /* end of the highest segment, rounded up to 4 */

    const uint8_t *input; /* borrowed */
    size_t input_len;
    cairn_vm_config cfg;

    /* Counted since cairn_vm_init, not part of the state (a restored VM keeps its own count). */
    uint64_t io_calls; /* read and write system calls executed */
} cairn_vm;

/* Defaults: 64 KiB stack, CAIRN_VM_MAX_MEM, no write callback. */
void cairn_vm_config_init(cairn_vm_config *cfg);

/*
 * The memory size cairn_vm_init would give prog under cfg (NULL: the
 * defaults), as log2 of the number of 32-bit words, without allocating
 * anything; the same errors as cairn_vm_init for a layout that does not
 * fit.  A proof verifier uses it to pin the memory size (and with it the
 * initial sp) a statement may name.
 */
cairn_status cairn_vm_mem_log2_words(uint32_t *mem_log2_words, const cairn_program *prog,
                                     const cairn_vm_config *cfg, cairn_error *err);

/*
 * Lay out `prog` in a fresh memory region and pre-decode its executable
 * range; pc = entry, sp (x2) = top of the region, other registers 0, no
 * input.  `cfg` may be NULL for the defaults.  Returns CAIRN_ERR_LIMIT when
 * the region would exceed cfg->max_mem or pass the top of the 32-bit address
 * space, CAIRN_ERR_NOMEM, CAIRN_ERR_ARG.  On failure `vm` is cleared.
 */
cairn_status cairn_vm_init(cairn_vm *vm, const cairn_program *prog, const cairn_vm_config *cfg,
                           cairn_error *err);

/* Free the memory and decode table. Safe on NULL and after a failed init. */
void cairn_vm_clear(cairn_vm *vm);

/* The bytes read(0, ...) returns, borrowed until the VM is cleared; resets input_pos. */
void cairn_vm_set_input(cairn_vm *vm, const uint8_t *input, size_t input_len);

/*
 * Run until the guest exits or faults, or until vm->cycles reaches
 * `max_cycles` (an absolute bound; UINT64_MAX for none).  Returns CAIRN_OK
 * whenever the machine stopped for a reason of the guest's: look at
 * vm->halt (RUNNING means the bound was reached; call again to resume;
 * FAULTED fills vm->fault).  Returns CAIRN_ERR_IO when the write callback
 * failed (the ecall is not completed, so a retry resumes), CAIRN_ERR_ARG for
 * an uninitialised VM.  A halted VM stays halted: running it again is a no-op.
 */
cairn_status cairn_vm_run(cairn_vm *vm, uint64_t max_cycles, cairn_error *err);

/* Execute at most one instruction (cairn_vm_run with bound cycles + 1). */
cairn_status cairn_vm_step(cairn_vm *vm, cairn_error *err);

/* ------------------------------------------------------------------ */
/* Statistics (a separately compiled variant of the interpreter)       */

typedef enum {
    CAIRN_VM_CLASS_ALU = 0, /* register-register ALU */
    CAIRN_VM_CLASS_ALU_IMM, /* register-immediate ALU, LUI, AUIPC */
    CAIRN_VM_CLASS_MUL,     /* MUL, MULH, MULHSU, MULHU */
    CAIRN_VM_CLASS_DIV,     /* DIV, DIVU, REM, REMU */
    CAIRN_VM_CLASS_LOAD,
    CAIRN_VM_CLASS_STORE,
    CAIRN_VM_CLASS_BRANCH,
    CAIRN_VM_CLASS_JUMP,    /* JAL, JALR */
    CAIRN_VM_CLASS_SYSTEM,  /* ECALL, EBREAK, FENCE, illegal */
    CAIRN_VM_CLASS_COUNT
} cairn_vm_class;

typedef struct {
    uint64_t class_count[CAIRN_VM_CLASS_COUNT];
    uint64_t branches_taken;
    uint8_t *touched;       /* one bit per byte of the region */
    size_t touched_len;
} cairn_vm_stats;

/* Zeroed counters and a bitmap sized for `vm`'s region. CAIRN_ERR_NOMEM. */
cairn_status cairn_vm_stats_init(cairn_vm_stats *stats, const cairn_vm *vm, cairn_error *err);
void cairn_vm_stats_clear(cairn_vm_stats *stats);
/* Distinct bytes of the region loaded or stored so far (system calls included). */
uint64_t cairn_vm_stats_touched_bytes(const cairn_vm_stats *stats);
/* "alu", "alu_imm", "mul", ... Never NULL. */
const char *cairn_vm_class_name(cairn_vm_class c);

/* cairn_vm_run that also counts instruction classes and touched bytes (slower). */
cairn_status cairn_vm_run_stats(cairn_vm *vm, uint64_t max_cycles, cairn_vm_stats *stats,
                                cairn_error *err);

/* ------------------------------------------------------------------ */
/* Tracing (a third variant of the interpreter, for the witness)       */

/*
 * What one completed instruction did, in raw 32-bit values; the witness
 * module (cairn/witness.h) turns it into a row of field elements.  Values
 * of registers are those before the instruction.  For ECALL, rs1_val is a7
 * (the call number), rs2_val a0, sys_a1/sys_a2 are a1/a2, and rd = 10 with
 * rd_val = the result when the call returns (read, write); an exit writes no
 * register.  Fields that do not apply are 0.
 */
typedef struct {
    uint32_t pc;       /* address of the instruction */
    uint32_t next_pc;  /* pc of the next cycle; after an exit, the ecall's own pc */
    uint32_t rs1_val;  /* x[rs1] of the instruction word (ECALL: a7) */
    uint32_t rs2_val;  /* x[rs2] of the instruction word (ECALL: a0) */
    uint32_t rd;       /* register written, 1..31; 0 when none */
    uint32_t rd_val;   /* value written to rd; 0 when none */
    uint32_t mem_addr; /* loads and stores: the effective byte address */
    uint32_t mem_old;  /* the aligned word containing mem_addr, before */
    uint32_t mem_new;  /* ... and after (equal to mem_old for a load) */
    uint32_t sys_a1;   /* ECALL: a1 (buffer) */
    uint32_t sys_a2;   /* ECALL: a2 (length) */
} cairn_vm_trace_rec;

/*
 * cairn_vm_run through the tracing variant of the interpreter.  When
 * `trace` is non-NULL it must have room for max_cycles - vm->cycles records
 * (capped by the cycles actually run); record i describes cycle
 * (vm->cycles at entry) + i, so the number filled is the growth of
 * vm->cycles.  When `dirty` is non-NULL, bit p (byte p >> 3, bit p & 7) is
 * set for every page p = offset >> dirty_shift that a store or a read()
 * writes into (offsets from mem_base; the bitmap needs
 * mem_size >> dirty_shift bits).  Plain cairn_vm_run is not slowed by this
 * variant's existence.  Same statuses and halting rules as cairn_vm_run.
 */
cairn_status cairn_vm_run_traced(cairn_vm *vm, uint64_t max_cycles, cairn_vm_trace_rec *trace,
                                 uint8_t *dirty, unsigned dirty_shift, cairn_error *err);

/* Short names: "running", "exited", "faulted"; "illegal instruction", ... Never NULL. */
const char *cairn_vm_halt_str(cairn_vm_halt h);
const char *cairn_vm_fault_str(cairn_vm_fault_kind k);

#endif /* CAIRN_VM_H */
