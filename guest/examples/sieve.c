/*
 * sieve.c — count the primes below N with a sieve of Eratosthenes in a
 * malloc'd bit set (picolibc's malloc over the SDK heap).  Input: optional
 * little-endian u32 N (default 200000).  Output: "primes below N: COUNT".
 */
#include <stdlib.h>

#include "cairn_guest.h"

int main(void)
{
    uint32_t n = 200000;
    unsigned char in[4];
    if (cairn_read_all(in, 4) == 4)
        n = (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
    unsigned char *composite = calloc(n / 8 + 1, 1);
    if (composite == NULL) {
        cairn_diag("sieve: out of memory\n", 21);
        return 2;
    }
    uint32_t count = 0;
    for (uint32_t i = 2; i < n; i++) {
        if (composite[i >> 3] & (1u << (i & 7)))
            continue;
        count++;
        for (uint64_t j = (uint64_t)i * i; j < n; j += i)
            composite[j >> 3] |= (unsigned char)(1u << (j & 7));
    }
    free(composite);
    cairn_printf("primes below %u: %u\n", (unsigned)n, (unsigned)count);
    return 0;
}
