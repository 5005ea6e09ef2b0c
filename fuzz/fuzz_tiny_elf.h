/*
 * fuzz_tiny_elf.h — the program the zkVM proof targets prove once per
 * process (fuzz_lean_proof.c, fuzz_lean_file.c): a minimal RV32 ELF of one
 * segment at 0x10000 holding addi t0, x0, 7; addi a0, t0, 1;
 * addi a7, x0, 93; ecall (exit code 8).
 */
#ifndef CAIRN_FUZZ_TINY_ELF_H
#define CAIRN_FUZZ_TINY_ELF_H

#include <stdint.h>
#include <string.h>

#define FUZZ_TINY_ELF_BYTES (0x1000 + 16)

static inline void fuzz_tiny_put32(uint8_t *b, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static inline void fuzz_tiny_elf(uint8_t b[FUZZ_TINY_ELF_BYTES])
{
    static const uint32_t code[4] = {0x00700293, 0x00128513, 0x05d00893, 0x00000073};
    memset(b, 0, FUZZ_TINY_ELF_BYTES);
    memcpy(b,
           "\x7f"
           "ELF",
           4);
    b[4] = 1, b[5] = 1, b[6] = 1;
    b[16] = 2, b[18] = 243; /* ET_EXEC, EM_RISCV */
    fuzz_tiny_put32(b + 20, 1);
    fuzz_tiny_put32(b + 24, 0x10000);
    fuzz_tiny_put32(b + 28, 52);
    b[40] = 52, b[42] = 32, b[44] = 1, b[46] = 40;
    uint8_t *ph = b + 52;
    fuzz_tiny_put32(ph, 1);
    fuzz_tiny_put32(ph + 4, 0x1000);
    fuzz_tiny_put32(ph + 8, 0x10000);
    fuzz_tiny_put32(ph + 12, 0x10000);
    fuzz_tiny_put32(ph + 16, 16);
    fuzz_tiny_put32(ph + 20, 16);
    fuzz_tiny_put32(ph + 24, 5);
    fuzz_tiny_put32(ph + 28, 0x1000);
    for (unsigned i = 0; i < 4; i++)
        fuzz_tiny_put32(b + 0x1000 + 4 * i, code[i]);
}

#endif
