/*
 * fib.c — Fibonacci numbers mod 2^64.  Input: optional little-endian u32 n
 * (default 90).  Output: "fib(n) = F(n) mod 2^64".  Uses the SDK's tiny
 * printf only.
 */
#include "cairn_guest.h"

int main(void)
{
    uint32_t n = 90;
    unsigned char b[4];
    if (cairn_read_all(b, 4) == 4)
        n = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    uint64_t a = 0, c = 1;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t t = a + c;
        a = c;
        c = t;
    }
    cairn_printf("fib(%u) = %llu\n", (unsigned)n, (unsigned long long)a);
    return 0;
}
