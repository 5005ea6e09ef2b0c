/*
 * matmul.c — a multiplication-heavy guest: the product of two N x N
 * matrices of 32-bit words (N at most 48) filled from a multiplicative
 * generator, with the low words of the products summed in each cell and
 * the high words of the signed and the unsigned products folded into a
 * checksum.  Built for rv32im, every product is one MUL, MULH or MULHU;
 * for rv32i they are libgcc calls.  No division anywhere (the output is
 * printed in hex by shifts), so an rv32im build proves as soon as the
 * multiplications do.  Input: optional little-endian u32 N (default 16).
 * Output: "matmul N: TRACE CHECKSUM" with both words in hex.
 */
#include "cairn_guest.h"

#define NMAX 48u

static uint32_t a[NMAX][NMAX], b[NMAX][NMAX], c[NMAX][NMAX];

/* Append the 8 hex digits of v to *p. */
static char *hex32(char *p, uint32_t v)
{
    for (int s = 28; s >= 0; s -= 4)
        *p++ = "0123456789abcdef"[(v >> s) & 15];
    return p;
}

int main(void)
{
    uint32_t n = 16, x = 0x12345678;
    unsigned char in[4];
    if (cairn_read_all(in, 4) == 4)
        n = (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
    if (n == 0 || n > NMAX)
        n = 16;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < n; j++) {
            x = x * 0x9e3779b1u + 0x7f4a7c15u;
            a[i][j] = x;
            x = x * 0x9e3779b1u + 0x7f4a7c15u;
            b[i][j] = x;
        }
    uint32_t check = 0;
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < n; j++) {
            uint32_t s = 0;
            for (uint32_t k = 0; k < n; k++) {
                uint32_t p = a[i][k], q = b[k][j];
                s += p * q;
                check += (uint32_t)(((uint64_t)p * q) >> 32);
                check ^= (uint32_t)(((int64_t)(int32_t)p * (int32_t)q) >> 32);
            }
            c[i][j] = s;
        }
    uint32_t trace = 0;
    for (uint32_t i = 0; i < n; i++)
        trace += c[i][i];
    char out[64], *p = out;
    static const char head[] = "matmul ";
    for (const char *h = head; *h; h++)
        *p++ = *h;
    p = hex32(p, n);
    *p++ = ':';
    *p++ = ' ';
    p = hex32(p, trace);
    *p++ = ' ';
    p = hex32(p, check);
    *p++ = '\n';
    cairn_write(out, (size_t)(p - out));
    return 0;
}
