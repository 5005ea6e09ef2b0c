/*
 * crt0.S — start-up code for cairn guests (guest SDK).
 *
 * Sets gp (with linker relaxation off, so the `la` itself is not rewritten
 * into a gp-relative form before gp holds its value), sets sp to the top of
 * the stack section reserved by cairn.ld and tp to the thread-local block
 * (picolibc keeps errno there), clears .bss, calls
 * main(0, NULL) and passes its return value to exit (Linux syscall 93).
 * The same code runs under cairn and under qemu-riscv32.
 */
    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top
    la      tp, __tls_base
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sw      zero, 0(t0)
    addi    t0, t0, 4
    j       1b
2:  li      a0, 0
    li      a1, 0
    call    main
    call    cairn_exit
3:  j       3b
    .size _start, . - _start
