/*
 * sort.c — sort pseudo-random numbers two ways (picolibc's qsort and an
 * insertion-merge sort of our own) and compare.  Input: optional
 * little-endian u32 count (default 2000, at most 8192).  Output, through
 * picolibc's printf: the count, a checksum and "sorted".  Exit 0 when both
 * sorts agree and the result is ordered, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cairn_guest.h"

#define MAX_N 8192
static uint32_t a[MAX_N], b[MAX_N], tmp[MAX_N];

static int cmp_u32(const void *x, const void *y)
{
    uint32_t u = *(const uint32_t *)x, v = *(const uint32_t *)y;
    return u < v ? -1 : u > v;
}

static void merge_sort(uint32_t *v, size_t n)
{
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = v[i] <= v[j] ? v[i++] : v[j++];
            while (i < mid)
                tmp[k++] = v[i++];
            while (j < hi)
                tmp[k++] = v[j++];
        }
        for (size_t i = 0; i < n; i++)
            v[i] = tmp[i];
    }
}

int main(void)
{
    uint32_t n = 2000;
    unsigned char in[4];
    if (cairn_read_all(in, 4) == 4)
        n = (uint32_t)in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
    if (n > MAX_N)
        n = MAX_N;
    uint32_t x = 0x12345678;
    for (uint32_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        a[i] = b[i] = x % 100000;
    }
    qsort(a, n, sizeof a[0], cmp_u32);
    merge_sort(b, n);
    uint32_t sum = 0;
    int ok = 1;
    for (uint32_t i = 0; i < n; i++) {
        if (a[i] != b[i] || (i > 0 && a[i - 1] > a[i]))
            ok = 0;
        sum = sum * 31 + a[i];
    }
    printf("n=%lu checksum=%08lx %s\n", (unsigned long)n, (unsigned long)sum,
           ok ? "sorted" : "NOT SORTED");
    if (!ok)
        fprintf(stderr, "sort: mismatch\n");
    return ok ? 0 : 1;
}
