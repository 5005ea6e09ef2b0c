/*
 * hello.c — the smallest cairn guest: no C library, no SDK, just the two
 * Linux system calls cairn's guest ABI shares with qemu-riscv32
 * (write = 64, exit = 93).  Build and run it with
 *
 *     riscv64-unknown-elf-gcc -march=rv32i -mabi=ilp32 -O2 -nostdlib -static \
 *         -o hello.elf guest/examples/hello.c
 *     qemu-riscv32 hello.elf; echo "exit status $?"
 *
 * It prints one line and exits with status 7.
 */

static long syscall3(long n, long a, long b, long c)
{
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    register long a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}

void _start(void);

void _start(void)
{
    static const char msg[] = "hello from a cairn guest\n";
    syscall3(64, 1, (long)msg, (long)sizeof msg - 1); /* write(1, msg, len) */
    syscall3(93, 7, 0, 0);                             /* exit(7) */
    for (;;) {
    }
}
