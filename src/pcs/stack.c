/*
 * stack.c — the stacked layout (docs/pcs.md §9): groups of polynomials of
 * different sizes committed as one batch of equal-sized slots.
 *
 * A group of count polynomials of n_g variables packs 2^(n - n_g) of them
 * into each slot of n variables, member j in block j mod 2^(n - n_g) of slot
 * j / 2^(n - n_g).  Multilinearity does the rest: with the block index as
 * the slot's high variables, slot(r || bits(b)) = f_member(r), and for a
 * random rho the slot's value at (r || rho) is the eq-weighted sum of its
 * members' values at r.  So the claims on a group at one point become one
 * claim per slot at one lifted point, which the batch opening proves.  A
 * false member claim changes that sum, a multilinear function of rho of
 * degree one in each coordinate, so it survives a uniform rho with
 * probability at most (n - n_g)/|F| (Schwartz–Zippel); docs/security.md
 * §2.7 counts it.
 */
#include <stdlib.h>
#include <string.h>

#include "pcs_internal.h"

cairn_status cairn_pcs_stack_init(cairn_pcs_stack *st, const cairn_pcs_group *groups,
                                  size_t groups_len, cairn_error *err)
{
    if (st == NULL || groups == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs stack: NULL argument");
    if (groups_len < 1 || groups_len > CAIRN_PCS_MAX_GROUPS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs stack: %zu groups, expected 1..%u",
                               groups_len, CAIRN_PCS_MAX_GROUPS);
    memset(st, 0, sizeof *st);
    for (size_t g = 0; g < groups_len; g++) {
        if (groups[g].num_vars > CAIRN_PCS_MAX_VARS)
            return cairn_error_set(err, CAIRN_ERR_ARG, "pcs stack: group %zu has %u variables > %u",
                                   g, groups[g].num_vars, CAIRN_PCS_MAX_VARS);
        if (groups[g].count < 1 || groups[g].count > CAIRN_PCS_MAX_POLYS)
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "pcs stack: group %zu has %zu polynomials, expected 1..%u", g,
                                   groups[g].count, CAIRN_PCS_MAX_POLYS);
        if (groups[g].num_vars > st->num_vars)
            st->num_vars = groups[g].num_vars;
    }
    size_t slots = 0, members = 0;
    for (size_t g = 0; g < groups_len; g++) {
        unsigned d = st->num_vars - groups[g].num_vars;
        /* blocks per slot 2^d; d <= 30 */
        size_t per = (size_t)1 << d, need = (groups[g].count + per - 1) / per;
        st->groups[g] = groups[g];
        st->first_slot[g] = slots;
        st->first_poly[g] = members;
        slots += need;
        members += groups[g].count;
        if (slots > CAIRN_PCS_MAX_POLYS)
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "pcs stack: %zu slots by group %zu, more than %u", slots, g,
                                   CAIRN_PCS_MAX_POLYS);
    }
    st->groups_len = groups_len;
    st->num_polys = slots;
    return CAIRN_OK;
}

/* The group a slot belongs to. */
static size_t group_of(const cairn_pcs_stack *st, size_t slot)
{
    size_t g = 0;
    while (g + 1 < st->groups_len && st->first_slot[g + 1] <= slot)
        g++;
    return g;
}

void cairn_pcs_stack_entries(cairn_fp *out, const cairn_pcs_stack *st,
                             const cairn_fp *const *polys, size_t slot, size_t e0, size_t len)
{
    size_t g = group_of(st, slot), sl = slot - st->first_slot[g];
    unsigned ng = st->groups[g].num_vars, d = st->num_vars - ng;
    size_t B = (size_t)1 << ng, mask = B - 1;
    for (size_t e = e0; e < e0 + len; e++) {
        size_t j = (sl << d) + (e >> ng);
        out[e - e0] = j < st->groups[g].count ? polys[st->first_poly[g] + j][e & mask]
                                              : cairn_fp_zero();
    }
}

/* Entries [e0, e0 + len) of slot c into out. */
static void slot_entries(cairn_fp *out, const cairn_pcs_stack_rows *sr, size_t c, size_t e0,
                         size_t len)
{
    cairn_pcs_stack_entries(out, sr->st, sr->polys, c, e0, len);
}

/* The source: row R = i*C + c is slot c's entries [i k, i k + k), one row per chunk. */
static cairn_status stack_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                                 cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    cairn_pcs_stack_rows *sr = src->impl;
    size_t C = sr->st->num_polys;
    for (uint64_t r = a; r < b; r++) {
        size_t i = (size_t)(r / C), c = (size_t)(r % C);
        slot_entries(sr->row, sr, c, i * sr->k, sr->k);
        cairn_status st = consume(ctx, r, sr->row, 1, err);
        if (st != CAIRN_OK)
            return st;
    }
    return CAIRN_OK;
}

cairn_status cairn_pcs_stack_rows_init(cairn_rows *src, cairn_pcs_stack_rows *impl,
                                       const cairn_pcs_stack *st, const cairn_pcs_params *params,
                                       const cairn_fp *const *polys, cairn_error *err)
{
    if (src == NULL || impl == NULL || st == NULL || params == NULL || polys == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs stack rows: NULL argument");
    if (params->num_vars != st->num_vars || params->num_polys != st->num_polys ||
        params->log_cols > params->num_vars)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs stack rows: parameters for 2^%u x %u, the stack is 2^%u x %zu",
                               (unsigned)params->num_vars, (unsigned)params->num_polys,
                               st->num_vars, st->num_polys);
    impl->st = st;
    impl->polys = polys;
    impl->k = (size_t)1 << params->log_cols;
    impl->row = malloc(impl->k * sizeof *impl->row);
    if (impl->row == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs stack rows: cannot allocate a row");
    src->rows_len = ((uint64_t)1 << (params->num_vars - params->log_cols)) * params->num_polys;
    src->width = impl->k;
    src->stream = stack_stream;
    src->impl = impl;
    return CAIRN_OK;
}

void cairn_pcs_stack_rows_clear(cairn_pcs_stack_rows *impl)
{
    if (impl == NULL)
        return;
    free(impl->row);
    impl->row = NULL;
}

void cairn_pcs_stack_lift(cairn_fp2 *out, const cairn_pcs_stack *st, size_t g, const cairn_fp2 *r,
                          const cairn_fp2 *rho)
{
    unsigned ng = st->groups[g].num_vars;
    memcpy(out, r, ng * sizeof *out);
    memcpy(out + ng, rho, (st->num_vars - ng) * sizeof *out);
}

cairn_fp2 cairn_pcs_stack_slot_claim(const cairn_pcs_stack *st, size_t g, size_t slot,
                                     const cairn_fp2 *values, const cairn_fp2 *rho)
{
    unsigned d = st->num_vars - st->groups[g].num_vars;
    size_t sl = slot - st->first_slot[g], per = (size_t)1 << d;
    cairn_fp2 one = cairn_fp2_one(), sum = cairn_fp2_zero();
    for (size_t b = 0; b < per && (sl << d) + b < st->groups[g].count; b++) {
        cairn_fp2 e = one;
        for (unsigned v = 0; v < d; v++)
            e = cairn_fp2_mul(e, (b >> v) & 1 ? rho[v] : cairn_fp2_sub(one, rho[v]));
        sum = cairn_fp2_add(sum, cairn_fp2_mul(e, values[(sl << d) + b]));
    }
    return sum;
}
