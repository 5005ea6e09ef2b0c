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

double cairn_logup_star_batch_bits(size_t n, size_t kappa)
{
    /* batching by gamma and nu 2, out-of-table cancellation n + 1, inner sum-check 2 kappa */
    double count = 2.0 + (double)n + 1.0 + 2.0 * (double)kappa;
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

/* ---- lookup challenges and fingerprints ---------------------------------------- */

/* Check the sizes shared by both sides of the lookup challenges. */
static cairn_status check_challenge_args(size_t s, unsigned grind_bits, cairn_error *err)
{
    if (grind_bits > CAIRN_TRANSCRIPT_MAX_POW_BITS || s > CAIRN_GKR_MAX_VARS)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "GKR lookup challenges: %u grinding bits (limit %u), %zu "
                               "fingerprint variables (limit %u)",
                               grind_bits, CAIRN_TRANSCRIPT_MAX_POW_BITS, s, CAIRN_GKR_MAX_VARS);
    return CAIRN_OK;
}

/* After the proof of work: alpha, then the fingerprint point. */
static void draw_challenges(cairn_fp2 *alpha, cairn_fp2 *beta, size_t s, cairn_transcript *t)
{
    *alpha = cairn_transcript_squeeze_fp2(t, "gkr/lookup/alpha");
    cairn_transcript_squeeze_fp2_vec(beta, s, t, "gkr/lookup/beta");
}

cairn_status cairn_gkr_lookup_challenges_prove(uint64_t *nonce, cairn_fp2 *alpha, cairn_fp2 *beta,
                                               size_t s, cairn_transcript *t,
                                               unsigned grind_bits, unsigned threads,
                                               cairn_error *err)
{
    cairn_status st = check_challenge_args(s, grind_bits, err);
    if (st == CAIRN_OK)
        st = cairn_transcript_grind(nonce, t, "gkr/lookup/grind", grind_bits, threads, err);
    if (st == CAIRN_OK)
        draw_challenges(alpha, beta, s, t);
    return st;
}

cairn_status cairn_gkr_lookup_challenges_verify(cairn_fp2 *alpha, cairn_fp2 *beta, size_t s,
                                                cairn_transcript *t, unsigned grind_bits,
                                                uint64_t nonce, cairn_error *err)
{
    cairn_status st = check_challenge_args(s, grind_bits, err);
    if (st == CAIRN_OK)
        st = cairn_transcript_check_pow(t, "gkr/lookup/grind", grind_bits, nonce, err);
    if (st == CAIRN_OK)
        draw_challenges(alpha, beta, s, t);
    return st;
}

cairn_status cairn_gkr_fingerprint_weights(cairn_fp2 *w, size_t width, const cairn_fp2 *beta,
                                           size_t s, cairn_error *err)
{
    if (s > CAIRN_GKR_MAX_VARS || width > ((size_t)1 << s))
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "GKR fingerprint: %zu fields need more than %zu variables", width,
                               s);
    /* eq(beta, l) for l < width, built one bit at a time like an eq table, cut at width */
    if (width == 0)
        return CAIRN_OK;
    w[0] = cairn_fp2_one();
    size_t len = 1;
    for (size_t i = 0; i < s && len < width; i++) {
        size_t next = 2 * len < width ? 2 * len : width;
        for (size_t l = len; l < next; l++)
            w[l] = cairn_fp2_mul(w[l - len], beta[i]);
        cairn_fp2 om = cairn_fp2_sub(cairn_fp2_one(), beta[i]);
        for (size_t l = 0; l < len; l++)
            w[l] = cairn_fp2_mul(w[l], om);
        len = next;
    }
    /* the variables beyond those needed for width are 0 in every index l < width */
    for (size_t i = 0; i < s; i++)
        if (((size_t)1 << i) >= len) {
            cairn_fp2 om = cairn_fp2_sub(cairn_fp2_one(), beta[i]);
            for (size_t l = 0; l < width; l++)
                w[l] = cairn_fp2_mul(w[l], om);
        }
    return CAIRN_OK;
}
