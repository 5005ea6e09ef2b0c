/*
 * bench_lean_security.c — the lean proof's proven security, term by term
 * (docs/security.md §7), at 2^10 … 2^30 rows: the figures the docs'
 * table quotes.  No proof is made: every figure is zl_setup_init's, the
 * function prover and verifier call, with the grinding bits it chooses
 * (ZL_GRIND_AUTO) for the target.  Options: --rows N (one size only),
 * --ram K and --bytecode KB (the RAM's and the bytecode's variables,
 * default 16 and 12), --target BITS (default 100), --grind G (fix both
 * grinding bits instead of choosing them).  One row per size:
 * the grinding bits, the PCS parameters' bits, every term, the total.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/zkvm/zkvm_internal.h"

static unsigned arg_u(int argc, char **argv, const char *name, unsigned dflt)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return (unsigned)strtoul(argv[i + 1], NULL, 10);
    return dflt;
}

int main(int argc, char **argv)
{
    static const unsigned sizes[] = {10, 16, 20, 24, 28, 30};
    unsigned only = arg_u(argc, argv, "--rows", 0), k = arg_u(argc, argv, "--ram", 16);
    unsigned kb = arg_u(argc, argv, "--bytecode", 12), target = arg_u(argc, argv, "--target", 100);
    unsigned grind = arg_u(argc, argv, "--grind", ZL_GRIND_AUTO);
    printf("lean proof security: k = %u RAM variables, kb = %u bytecode variables, target %u\n", k,
           kb, target);
    printf("%-24s", "n");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (only == 0 || sizes[i] == only)
            printf(" %8u", sizes[i]);
    printf("\n");
    zl_setup su[sizeof sizes / sizeof sizes[0]];
    size_t cnt = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        if (only != 0 && sizes[i] != only)
            continue;
        cairn_error err;
        if (zl_setup_init(&su[cnt], sizes[i], k, kb, target, grind, grind, &err) != CAIRN_OK) {
            fprintf(stderr, "bench_lean_security: n = %u: %s\n", sizes[i], err.msg);
            return 1;
        }
        cnt++;
    }
    printf("%-24s", "grinding memory");
    for (size_t i = 0; i < cnt; i++)
        printf(" %8u", su[i].grind_mem);
    printf("\n%-24s", "grinding lookups");
    for (size_t i = 0; i < cnt; i++)
        printf(" %8u", su[i].grind_lookup);
    printf("\n");
    for (unsigned t = 0; t < ZL_NTERM; t++) {
        printf("%-24s", zl_term_names[t]);
        for (size_t i = 0; i < cnt; i++)
            if (isinf(su[i].terms[t]))
                printf(" %8s", "-");
            else
                printf(" %8.2f", su[i].terms[t]);
        printf("\n");
    }
    printf("%-24s", "total (bits)");
    for (size_t i = 0; i < cnt; i++)
        printf(" %8.2f", su[i].bits);
    printf("\n%-24s", "floor");
    for (size_t i = 0; i < cnt; i++)
        printf(" %8u", (unsigned)floor(su[i].bits));
    printf("\n");
    return 0;
}
