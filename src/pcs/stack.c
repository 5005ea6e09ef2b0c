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
 *
 * Two sources present the batch rows: cairn_pcs_stack_rows from member
 * tables in memory, and cairn_pcs_stack_src with one group's members from
 * a row source (a prover's witness, regenerated rather than held).  The
 * second streams its members in windows of min(k, 2^n_g) rows, turned into
 * columns as they come; a batch row group i takes the window of member rows
 * (i k) mod 2^n_g, so the windows follow the member rows in order and one
 * pass over the members serves 2^n_g / k consecutive groups.
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

/* Parameters of the stacked batch's shape (its variables, slots, columns within), else _ARG. */
static cairn_status check_shape(const cairn_pcs_stack *st, const cairn_pcs_params *params,
                                const char *what, cairn_error *err)
{
    if (params->num_vars != st->num_vars || params->num_polys != st->num_polys ||
        params->log_cols > params->num_vars)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "%s: parameters for 2^%u x %u, the stack is 2^%u x %zu", what,
                               (unsigned)params->num_vars, (unsigned)params->num_polys,
                               st->num_vars, st->num_polys);
    return CAIRN_OK;
}

/* src as the batch rows of params (M rows of k), handed over by stream from impl. */
static void batch_source(cairn_rows *src, const cairn_pcs_params *params,
                         cairn_status (*stream)(const cairn_rows *, uint64_t, uint64_t,
                                                cairn_rows_consumer, void *, cairn_error *),
                         void *impl)
{
    src->rows_len = ((uint64_t)1 << (params->num_vars - params->log_cols)) * params->num_polys;
    src->width = (size_t)1 << params->log_cols;
    src->stream = stream;
    src->impl = impl;
}

cairn_status cairn_pcs_stack_rows_init(cairn_rows *src, cairn_pcs_stack_rows *impl,
                                       const cairn_pcs_stack *st, const cairn_pcs_params *params,
                                       const cairn_fp *const *polys, cairn_error *err)
{
    cairn_status s;
    if (src == NULL || impl == NULL || st == NULL || params == NULL || polys == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs stack rows: NULL argument");
    if ((s = check_shape(st, params, "pcs stack rows", err)) != CAIRN_OK)
        return s;
    impl->st = st;
    impl->polys = polys;
    impl->k = (size_t)1 << params->log_cols;
    impl->row = malloc(impl->k * sizeof *impl->row);
    if (impl->row == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs stack rows: cannot allocate a row");
    batch_source(src, params, stack_stream, impl);
    return CAIRN_OK;
}

void cairn_pcs_stack_rows_clear(cairn_pcs_stack_rows *impl)
{
    if (impl == NULL)
        return;
    free(impl->row);
    impl->row = NULL;
}

/* ---- one group's members from a row source ---------------------------------------------- */

/* One stream of a cairn_pcs_stack_src: the batch rows asked for, the window, the consumer. */
struct win_pass {
    cairn_pcs_stack_src *ss;
    uint64_t a, b;  /* batch rows to hand over */
    size_t i;       /* the batch row group whose window is filling */
    size_t filled;  /* member rows in the window so far */
    uint64_t next;  /* the member row expected next */
    cairn_rows_consumer consume;
    void *ctx;
};

/*
 * Hand over the batch rows of group i that lie in [a, b): the member
 * group's slots from the window (which holds member rows [w W, w W + W),
 * w = i mod windows per pass), the other slots from their tables.
 */
static cairn_status emit_group(const struct win_pass *wp, size_t i, cairn_error *err)
{
    cairn_pcs_stack_src *ss = wp->ss;
    const cairn_pcs_stack *st = ss->st;
    size_t g = ss->group, C = st->num_polys, cnt = st->groups[g].count;
    unsigned ng = st->groups[g].num_vars, d = st->num_vars - ng;
    size_t B = (size_t)1 << ng, first = st->first_slot[g];
    size_t end = g + 1 < st->groups_len ? st->first_slot[g + 1] : C;
    size_t x0 = (i % (B / ss->win)) * ss->win, e0 = i * ss->k, e1 = e0 + ss->k;
    uint64_t r0 = (uint64_t)i * C, lo = r0 > wp->a ? r0 : wp->a;
    uint64_t hi = r0 + C < wp->b ? r0 + C : wp->b;
    for (uint64_t R = lo; R < hi; R++) {
        size_t c = (size_t)(R - r0);
        if (c >= first && c < end) {
            /* runs of one member each: entries e of member (sl << d) + e / B, row e mod B */
            for (size_t e = e0; e < e1;) {
                size_t j = ((c - first) << d) + (e >> ng), run = ((e >> ng) + 1) * B;
                size_t len = (run < e1 ? run : e1) - e;
                if (j < cnt)
                    memcpy(ss->row + (e - e0), ss->buf + j * ss->win + ((e & (B - 1)) - x0),
                           len * sizeof *ss->row);
                else
                    memset(ss->row + (e - e0), 0, len * sizeof *ss->row);
                e += len;
            }
        } else {
            cairn_pcs_stack_entries(ss->row, st, ss->polys, c, e0, ss->k);
        }
        cairn_status s = wp->consume(wp->ctx, R, ss->row, 1, err);
        if (s != CAIRN_OK)
            return s;
    }
    return CAIRN_OK;
}

/* The member rows as they come: into the window as columns, each full window's batch rows out. */
static cairn_status win_consume(void *ctx, uint64_t first_row, const cairn_fp *rows, size_t count,
                                cairn_error *err)
{
    struct win_pass *wp = ctx;
    cairn_pcs_stack_src *ss = wp->ss;
    size_t cnt = ss->st->groups[ss->group].count, W = ss->win;
    if (first_row != wp->next)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs stack source: the member source handed over row %llu, "
                               "expected %llu",
                               (unsigned long long)first_row, (unsigned long long)wp->next);
    wp->next += count;
    for (size_t r = 0; r < count;) {
        size_t len = count - r < W - wp->filled ? count - r : W - wp->filled;
        for (size_t j = 0; j < cnt; j++) {
            cairn_fp *col = ss->buf + j * W + wp->filled;
            const cairn_fp *x = rows + r * cnt + j;
            for (size_t u = 0; u < len; u++)
                col[u] = x[u * cnt];
        }
        r += len;
        if ((wp->filled += len) == W) {
            cairn_status s = emit_group(wp, wp->i, err);
            if (s != CAIRN_OK)
                return s;
            wp->i++;
            wp->filled = 0;
        }
    }
    return CAIRN_OK;
}

/*
 * Batch rows [a, b): group by group, each pass over the member source
 * covering the windows of consecutive groups up to the end of a pass over
 * the members (windows i mod B/W); with one window per pass (k >= 2^n_g)
 * it is read once and serves every group.
 */
static cairn_status src_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                               cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    cairn_pcs_stack_src *ss = src->impl;
    size_t C = ss->st->num_polys, W = ss->win;
    size_t nw = ((size_t)1 << ss->st->groups[ss->group].num_vars) / W;
    if (a >= b)
        return CAIRN_OK;
    size_t cnt = ss->st->groups[ss->group].count;
    if ((ss->buf = malloc(W * cnt * sizeof *ss->buf)) == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM,
                               "pcs stack source: cannot allocate a window of %zu x %zu", W, cnt);
    size_t i = (size_t)(a / C), i1 = (size_t)((b - 1) / C);
    struct win_pass wp = {ss, a, b, i, 0, 0, consume, ctx};
    int have = 0;
    cairn_status s = CAIRN_OK;
    while (i <= i1) {
        if (nw == 1 && have) {
            if ((s = emit_group(&wp, i, err)) != CAIRN_OK)
                break;
            i++;
            continue;
        }
        size_t last = (i / nw + 1) * nw - 1;
        last = last < i1 ? last : i1;
        wp.i = i, wp.filled = 0, wp.next = (uint64_t)(i % nw) * W;
        s = cairn_rows_stream(ss->members, wp.next, (uint64_t)(last % nw + 1) * W, win_consume, &wp,
                              err);
        if (s != CAIRN_OK)
            break;
        if (wp.i != last + 1) {
            s = cairn_error_set(err, CAIRN_ERR_ARG,
                                "pcs stack source: the member source ended at row %llu",
                                (unsigned long long)wp.next);
            break;
        }
        have = 1;
        i = last + 1;
    }
    free(ss->buf); /* the window lives for one stream */
    ss->buf = NULL;
    return s;
}

cairn_status cairn_pcs_stack_src_init(cairn_rows *src, cairn_pcs_stack_src *impl,
                                      const cairn_pcs_stack *st, const cairn_pcs_params *params,
                                      const cairn_fp *const *polys, size_t group,
                                      const cairn_rows *members, cairn_error *err)
{
    cairn_status s;
    if (impl != NULL)
        memset(impl, 0, sizeof *impl);
    if (src == NULL || impl == NULL || st == NULL || params == NULL || members == NULL ||
        (polys == NULL && st->groups_len > 1))
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs stack source: NULL argument");
    if ((s = check_shape(st, params, "pcs stack source", err)) != CAIRN_OK)
        return s;
    if (group >= st->groups_len)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs stack source: group %zu of %zu", group,
                               st->groups_len);
    size_t cnt = st->groups[group].count, B = (size_t)1 << st->groups[group].num_vars;
    if (members->width != cnt || members->rows_len != B)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs stack source: members of %llu x %zu, group %zu is %zu x %zu",
                               (unsigned long long)members->rows_len, members->width, group, B,
                               cnt);
    impl->st = st;
    impl->polys = polys;
    impl->group = group;
    impl->members = members;
    impl->k = (size_t)1 << params->log_cols;
    impl->win = impl->k < B ? impl->k : B;
    impl->buf = NULL;
    impl->row = malloc(impl->k * sizeof *impl->row);
    if (impl->row == NULL) {
        cairn_pcs_stack_src_clear(impl);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs stack source: cannot allocate a row of %zu",
                               impl->k);
    }
    batch_source(src, params, src_stream, impl);
    return CAIRN_OK;
}

void cairn_pcs_stack_src_clear(cairn_pcs_stack_src *impl)
{
    if (impl == NULL)
        return;
    free(impl->buf);
    free(impl->row);
    impl->buf = impl->row = NULL;
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
