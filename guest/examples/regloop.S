/*
 * regloop.S — a guest that needs no RAM: it iterates a register-only
 * recurrence (a Fibonacci-like step with a shift and an xor) N times and
 * exits with the low byte of the result: the smallest guest, with no crt0,
 * no loads or stores and no output.  Build, run, prove and verify it with
 *
 *     make guests
 *     ./build/release/cairn run build/guests/rv32i/regloop.elf; echo $?
 *     ./build/release/cairn prove build/guests/rv32i/regloop.elf -o regloop.proof
 *     ./build/release/cairn verify regloop.proof --program build/guests/rv32i/regloop.elf
 */
    .text
    .globl _start
_start:
    li      t0, 1000            /* N iterations (6 instructions each) */
    li      t1, 0               /* a */
    li      t2, 1               /* b */
1:
    add     t3, t1, t2          /* c = a + b */
    mv      t1, t2              /* a = b */
    slli    t4, t3, 3
    xor     t2, t3, t4          /* b = c ^ (c << 3) */
    addi    t0, t0, -1
    bnez    t0, 1b
    andi    a0, t1, 255         /* exit(a & 255) */
    li      a7, 93
    ecall
