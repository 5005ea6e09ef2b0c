/*
 * cairn_guest.h — the guest SDK's interface: input, public output,
 * diagnostics, exit, and a tiny formatted print.
 *
 * A guest is an ordinary C program with `int main(void)`, built with
 *     riscv64-unknown-elf-gcc -march=rv32im -mabi=ilp32 -O2 -nostdlib -static \
 *         -I guest/sdk -T guest/sdk/cairn.ld guest/sdk/crt0.S guest/sdk/cairn_guest.c \
 *         prog.c -lc -lgcc   (picolibc's libc.a for the rv32im/ilp32 multilib)
 * (`make guests` does this for guest/examples/; see docs/guests.md).  main's
 * return value becomes the exit status.  Everything here is a thin wrapper
 * over the three system calls cairn shares with Linux (read 63, write 64,
 * exit 93), so a guest also runs under qemu-riscv32.
 *
 * picolibc's stdio works too: printf/puts/putchar go to fd 1 and
 * fprintf(stderr, ...) to fd 2 (buffered; flushed at exit and by fflush).
 */
#ifndef CAIRN_GUEST_H
#define CAIRN_GUEST_H

#include <stddef.h>
#include <stdint.h>

/* Raw system calls. */
long cairn_syscall3(long n, long a0, long a1, long a2);

/* Read up to len input bytes; returns how many (0 at the end of the input). */
size_t cairn_read(void *buf, size_t len);
/* Read exactly len input bytes unless the input ends first; returns how many. */
size_t cairn_read_all(void *buf, size_t len);
/* Read a little-endian u32 / u64 from the input (0 when the input is short). */
uint32_t cairn_read_u32(void);
uint64_t cairn_read_u64(void);

/* Append bytes to the public output (fd 1) / to the diagnostics (fd 2). */
void cairn_write(const void *buf, size_t len);
void cairn_diag(const void *buf, size_t len);
void cairn_puts(const char *s); /* s, without adding a newline */

/* Flush picolibc's stdio buffers and exit with `status` (never returns). */
__attribute__((noreturn)) void cairn_exit(int status);

/*
 * printf to the public output with a tiny formatter independent of
 * picolibc: %d %i %u %x %X %c %s %% with optional '0' flag, width and 'l'
 * / 'll' length (64-bit values through 'll').  Returns the bytes written.
 */
int cairn_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* CAIRN_GUEST_H */
