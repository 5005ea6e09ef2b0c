/*
 * loop.c — a tight ALU and memory loop whose length comes from the input,
 * for benchmarks.  Input: little-endian u32 iteration count (default
 * 1000000).  Output: "loop N: HASH".  About 14 instructions per iteration
 * (more under rv32i, where the multiply is a libgcc call).
 */
#include "cairn_guest.h"

static uint32_t table[256];

int main(void)
{
    uint32_t n = 1000000;
    unsigned char in[4];
    if (cairn_read_all(in, 4) == 4)
        n = (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
    uint32_t h = 0x811c9dc5;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t *slot = &table[(h ^ i) & 255];
        h = (h ^ *slot) * 0x01000193u;
        h ^= h >> 15;
        *slot += h;
    }
    cairn_printf("loop %u: %08x\n", (unsigned)n, (unsigned)h);
    return (int)(h & 0x7f);
}
