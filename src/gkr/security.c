/*
 * security.c — the soundness terms of the GKR module as functions of the
 * sizes (docs/security.md §6 derives them): the layer term of the batched
 * fractional-sum GKR and the lookup term of LogUp-GKR and logup*, and the
 * grinding bits that lift the lookup term to a target.  Nothing here is a
 * table: every figure is computed from the sizes, as DESIGN.md §2 asks.
 *
 * |F| = p^2 with p = 2^64 - 2^32 + 1, so log2 |F| = 2 log2 p, slightly
 * below 128; computed once in double precision.
 */
#include <math.h>

#include "gkr_internal.h"

/* log2 |F_p2| = 2 log2(2^64 - 2^32 + 1) = 128 + 2 log2(1 - 2^-32 + 2^-64). */
static double log2_field(void)
{
    return 128.0 + 2.0 * log2(1.0 - ldexp(1.0, -32) + ldexp(1.0, -64));
}

double cairn_gkr_layers_bits(size_t layers)
{
    double count = 0;
    for (size_t k = 0; k < layers; k++)
        count += 3.0 * (double)k + 2.0;
    if (count == 0)
        return INFINITY;
    return log2_field() - log2(count);
}

double cairn_gkr_lookup_bits(double fractions, double table_rows, unsigned fp_vars,
                             unsigned grind_bits)
{
    double total = fractions + table_rows;
    if (total <= 0)
        return INFINITY;
    double degree = (double)(fp_vars > 1 ? fp_vars : 1) + 1.0;
    return log2_field() - log2(total * degree) + (double)grind_bits;
}

unsigned cairn_gkr_lookup_grind_bits(double fractions, double table_rows, unsigned fp_vars,
                                     double target_bits)
{
    double have = cairn_gkr_lookup_bits(fractions, table_rows, fp_vars, 0);
    if (have >= target_bits)
        return 0;
    double need = ceil(target_bits - have);
    if (need > (double)CAIRN_TRANSCRIPT_MAX_POW_BITS)
        return CAIRN_TRANSCRIPT_MAX_POW_BITS + 1;
    /* guard the rounding at an exact integer gap */
    unsigned g = (unsigned)need;
    while (g > 0 && cairn_gkr_lookup_bits(fractions, table_rows, fp_vars, g - 1) >= target_bits)
        g--;
    while (g <= CAIRN_TRANSCRIPT_MAX_POW_BITS &&
           cairn_gkr_lookup_bits(fractions, table_rows, fp_vars, g) < target_bits)
        g++;
    return g;
}
