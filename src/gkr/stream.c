/*
 * stream.c — the fractional-sum GKR prover over a row source (DESIGN.md §3;
 * the windowed schedules of Jolt and of Baweja et al., ePrint 2025/1473,
 * here with windows of two rounds): the leaves are affine functions of the
 * rows and are never held whole.
 *
 * Why it streams: with the children of fraction y at 2y and 2y + 1
 * (docs/gkr.md §1), a fraction of layer k sums a contiguous block of
 * 2^(n-k) leaves, and a table folded i times over layer k+1 has entry z
 * made of the contiguous block of children [2^(i+1) z, 2^(i+1) (z+1)).
 * So one pass in row order finishes the entries one after the other, with
 * O(1) state per instance besides the eq weights.  Fraction addition is
 * exactly associative and commutative on (numerator, denominator) pairs
 * and every sum below is a sum in the field, so each value equals the
 * in-memory prover's, and the proof bytes are identical.
 *
 * Plan (all from the sizes and the budget, see plan_layers): the switch
 * layer s, stored with the layers above it; for each layer k >= s the
 * number i0_k of rounds computed by passes before the folded tables fit.
 * Memory: the stored layers (4 * 2^min(n_j, s) extension elements per
 * instance) or, for a streamed layer, the eq prefix table (2^i elements),
 * two split eq tables (about 2 * 2^((k-1)/2)) and the tables folded i0_k
 * times (4 a_k 2^(k - i0_k)).
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/poly.h"
#include "gkr_internal.h"

#define E16 ((size_t)CAIRN_FP2_BYTES)

/* The fewest rows of one piece of work in a pass (consume), where groups are smaller. */
#define STREAM_PIECE_ROWS 512u

/* Per-instance state of one pass. */
typedef struct {
    const cairn_gkr_row_instance *def;
    size_t n;
    int active;
    size_t blk_log; /* log2 rows per unit (an entry of the layer the pass builds) */
    uint64_t rows_done;
    int have;
    cairn_fp2 up, uq; /* the unit being summed */
    cairn_fp2 F[4];   /* the folded entry z being summed: P0, P1, Q0, Q1 */
    cairn_fp2 pend[4];
    cairn_fp2 acc[6];
    cairn_fp2 quad[4][4]; /* ROUND2: the four entries of a group, each P0, P1, Q0, Q1 */
    cairn_fp2 grid[18];   /* ROUND2: num and den at (X, Y) in {0, 1, inf}^2 */
    cairn_fp2 *out_p, *out_q; /* LAYER pass: where units go */
    cairn_fp2 *tab;           /* MATERIALIZE pass: 4 tables of stride qs */
    size_t slot;              /* position among the active instances */
} sinst;

enum pass_kind { PASS_LAYER, PASS_ROUND, PASS_ROUND2, PASS_MATERIALIZE };

typedef struct {
    const cairn_rows *rows;
    size_t m, N;
    sinst *si;
    enum pass_kind kind;
    size_t i;              /* the round (folds so far) */
    const cairn_fp2 *E;    /* eq(rho_0 .. rho_{i-1}, .), 2^i entries */
    const cairn_fp2 *Elo;  /* split eq weights of the round's later variables */
    const cairn_fp2 *Ehi;
    size_t lo_bits;
    int need1;             /* ROUND: sum h(1) too (gkr_round_need_h1) */
    size_t qs;             /* MATERIALIZE: table stride */
    cairn_fp2 *scratch;
    size_t *i0;            /* per layer k >= s: the materialising round */
    size_t s, passes, peak;
    cairn_fp2 **layer; /* layer s of each instance (p, q): freed once streaming starts */
    unsigned threads;
    struct spiece *pieces; /* consume's pieces of one chunk of rows (grown as needed) */
    size_t pieces_cap;
} stream_ctx;

/*
 * constant + sum_t coeffs[t] row[cols[t]]; from three terms on, the
 * products are summed unreduced and reduced once (the same field value).
 */
static cairn_fp2 affine_eval(const cairn_gkr_affine *f, const cairn_fp *row)
{
    cairn_fp2 v = f->constant;
    if (f->terms_len < 3) {
        for (size_t t = 0; t < f->terms_len; t++)
            v = cairn_fp2_add(v, cairn_fp2_mul_fp(f->coeffs[t], row[f->cols[t]]));
        return v;
    }
    cairn_fp2_acc acc;
    cairn_fp2_acc_zero(&acc);
    for (size_t t = 0; t < f->terms_len; t++)
        cairn_fp2_acc_add_mul_fp(&acc, f->coeffs[t], row[f->cols[t]]);
    return cairn_fp2_add(v, cairn_fp2_acc_reduce(&acc));
}

/*
 * ROUND2: a group of four entries z = 4z'' + a + 2b of the table folded i
 * times is complete (a: variable i, b: variable i+1).  Each table is
 * bilinear in (X, Y) = (x_i, x_{i+1}); at every grid point in {0, 1, inf}^2
 * ("inf": the leading coefficient) add w * num and w * den into the grid,
 * w = eq(r_{i+2 ..}, z'').  The grid gives rounds i and i+1 (window_rounds).
 */
static void quad_done(sinst *s, cairn_fp2 w)
{
    cairn_fp2 g[4][9]; /* table u at grid point 3 * xi + yi */
    for (size_t u = 0; u < 4; u++) {
        cairn_fp2 t00 = s->quad[0][u], t10 = s->quad[1][u], t01 = s->quad[2][u],
                  t11 = s->quad[3][u];
        cairn_fp2 lo[3] = {t00, t01, cairn_fp2_sub(t01, t00)};
        cairn_fp2 hi[3] = {t10, t11, cairn_fp2_sub(t11, t10)};
        for (size_t yi = 0; yi < 3; yi++) {
            g[u][yi] = lo[yi];
            g[u][3 + yi] = hi[yi];
            g[u][6 + yi] = cairn_fp2_sub(hi[yi], lo[yi]);
        }
    }
    for (size_t pt = 0; pt < 9; pt++) {
        cairn_fp2 num = cairn_fp2_add(cairn_fp2_mul(g[0][pt], g[3][pt]),
                                      cairn_fp2_mul(g[1][pt], g[2][pt]));
        cairn_fp2 den = cairn_fp2_mul(g[2][pt], g[3][pt]);
        s->grid[2 * pt] = cairn_fp2_add(s->grid[2 * pt], cairn_fp2_mul(w, num));
        s->grid[2 * pt + 1] = cairn_fp2_add(s->grid[2 * pt + 1], cairn_fp2_mul(w, den));
    }
}

/* The split eq weight of index z: Elo[low bits] * Ehi[high bits]. */
static cairn_fp2 split_weight(const stream_ctx *cx, size_t z)
{
    return cairn_fp2_mul(cx->Elo[z & (((size_t)1 << cx->lo_bits) - 1)], cx->Ehi[z >> cx->lo_bits]);
}

/*
 * A unit (entry c of the layer this pass builds) is complete: store it
 * (LAYER), or fold it into entry z of the table folded i times; when z is
 * complete, pair it with z - 1 into the round sums (ROUND), group it with
 * z - 3 .. z - 1 into the grid (ROUND2) or store it (MATERIALIZE).
 */
static void unit_done(stream_ctx *cx, sinst *s, uint64_t c)
{
    if (cx->kind == PASS_LAYER) {
        s->out_p[c] = s->up;
        s->out_q[c] = s->uq;
        return;
    }
    size_t bit = (size_t)(c & 1), y = (size_t)(c >> 1), i = cx->i;
    size_t b = y & (((size_t)1 << i) - 1), z = y >> i;
    cairn_fp2 e = cx->E[b];
    s->F[bit] = cairn_fp2_add(s->F[bit], cairn_fp2_mul(e, s->up));
    s->F[2 + bit] = cairn_fp2_add(s->F[2 + bit], cairn_fp2_mul(e, s->uq));
    if (c != ((uint64_t)(z + 1) << (i + 1)) - 1)
        return;
    if (cx->kind == PASS_MATERIALIZE) {
        for (size_t u = 0; u < 4; u++)
            s->tab[(4 * s->slot + u) * cx->qs + z] = s->F[u];
    } else if (cx->kind == PASS_ROUND2) {
        memcpy(s->quad[z & 3], s->F, sizeof s->F);
        if ((z & 3) == 3)
            quad_done(s, split_weight(cx, z >> 2));
    } else if ((z & 1) == 0) {
        memcpy(s->pend, s->F, sizeof s->F);
    } else {
        cairn_fp2 w = split_weight(cx, z >> 1);
        cairn_fp2 v[8];
        for (size_t u = 0; u < 4; u++) {
            v[2 * u] = s->pend[u];
            v[2 * u + 1] = s->F[u];
        }
        gkr_pair_sums(s->acc, v, w, cx->need1);
    }
    for (size_t u = 0; u < 4; u++)
        s->F[u] = cairn_fp2_zero();
}

/*
 * Rows [first, first + count) into one instance's state s, in order;
 * s->rows_done must equal first (rows of one instance are numbered from 0
 * in every pass).
 */
static void consume_inst(stream_ctx *cx, sinst *s, uint64_t first, const cairn_fp *rows,
                         size_t count)
{
    size_t width = cx->rows->width;
    if (!s->active)
        return;
    for (size_t r = 0; r < count; r++) {
        uint64_t x = first + r;
        if (x >= ((uint64_t)1 << s->n))
            return;
        const cairn_fp *row = rows + r * width;
        cairn_fp2 p = affine_eval(&s->def->p, row), q = affine_eval(&s->def->q, row);
        if (!s->have) {
            s->up = p;
            s->uq = q;
            s->have = 1;
        } else {
            s->up = cairn_fp2_add(cairn_fp2_mul(s->up, q), cairn_fp2_mul(p, s->uq));
            s->uq = cairn_fp2_mul(s->uq, q);
        }
        s->rows_done++;
        if ((s->rows_done & (((uint64_t)1 << s->blk_log) - 1)) == 0) {
            unit_done(cx, s, (s->rows_done >> s->blk_log) - 1);
            s->have = 0;
        }
    }
}

/*
 * log2 of the rows of one group of an instance in the current pass: the
 * rows after which its state holds nothing that later rows need but the
 * sums (acc, grid) and what the pass has stored.  A unit is 2^blk_log
 * rows; an entry of the table folded i times is 2^(i+1) units; a ROUND
 * pass pairs two entries, a ROUND2 pass groups four.
 */
static size_t group_log(const stream_ctx *cx, const sinst *s)
{
    switch (cx->kind) {
    case PASS_LAYER: return s->blk_log;
    case PASS_MATERIALIZE: return s->blk_log + cx->i + 1;
    case PASS_ROUND: return s->blk_log + cx->i + 2;
    default: return s->blk_log + cx->i + 3;
    }
}

/*
 * One piece of a chunk of rows for one instance: rows [lo, hi).  Piece 0
 * of an instance continues the instance's state; every later piece starts
 * on a group boundary (group_log), so it starts from an empty state.
 */
typedef struct spiece {
    size_t inst;
    uint64_t lo, hi;
    int first;
    sinst st;
} spiece;

struct consume_job {
    stream_ctx *cx;
    uint64_t first;
    const cairn_fp *rows;
};

/* Item j: one piece (pieces share nothing; their sums are combined afterwards). */
static void consume_item(void *ctx, size_t j)
{
    struct consume_job *c = ctx;
    spiece *pc = &c->cx->pieces[j];
    sinst *s = &pc->st;
    *s = c->cx->si[pc->inst];
    if (!pc->first) {
        s->have = 0;
        for (size_t u = 0; u < 4; u++)
            s->F[u] = cairn_fp2_zero();
    }
    s->rows_done = pc->lo;
    for (size_t u = 0; u < 6; u++)
        s->acc[u] = cairn_fp2_zero();
    for (size_t u = 0; u < 18; u++)
        s->grid[u] = cairn_fp2_zero();
    consume_inst(c->cx, s, pc->lo, c->rows + (pc->lo - c->first) * c->cx->rows->width,
                 (size_t)(pc->hi - pc->lo));
}

/*
 * The row consumer: every row feeds the active instances whose leaves it
 * holds.  Each instance's rows are cut into pieces at multiples of a
 * whole number of its groups (at least STREAM_PIECE_ROWS rows), the
 * pieces of all instances run in parallel, and then, instance by
 * instance in piece order, the pieces' sums are added to the instance's
 * and the last piece's state becomes the instance's.  Every value is a
 * sum or product in the field, whatever the cut (fraction addition is
 * exactly associative on pairs, module comment), so the values depend
 * neither on the pieces nor on the threads.
 */
static cairn_status consume(void *ctx, uint64_t first, const cairn_fp *rows, size_t count,
                            cairn_error *err)
{
    stream_ctx *cx = ctx;
    size_t np = 0;
    for (size_t j = 0; j < cx->m; j++) {
        const sinst *s = &cx->si[j];
        uint64_t end = (uint64_t)1 << s->n, hi = first + count < end ? first + count : end;
        if (!s->active || first >= hi)
            continue;
        uint64_t g = (uint64_t)1 << group_log(cx, s), least = STREAM_PIECE_ROWS;
        if (cairn_gkr_debug_piece_rows != 0)
            least = cairn_gkr_debug_piece_rows;
        uint64_t step = (least + g - 1) / g * g; /* whole groups, at least `least` rows */
        for (uint64_t lo = first; lo < hi; np++) {
            uint64_t cut = (lo / step + 1) * step;
            if (np == cx->pieces_cap) {
                size_t cap = 2 * cx->pieces_cap + 64;
                spiece *pp = realloc(cx->pieces, cap * sizeof *pp);
                if (pp == NULL)
                    return cairn_error_set(err, CAIRN_ERR_NOMEM,
                                           "GKR streaming prover: %zu pieces", cap);
                cx->pieces = pp, cx->pieces_cap = cap;
            }
            spiece *pc = &cx->pieces[np];
            pc->inst = j;
            pc->lo = lo;
            pc->hi = cut < hi ? cut : hi;
            pc->first = lo == first;
            lo = pc->hi;
        }
    }
    struct consume_job c = {cx, first, rows};
    gkr_parallel_for(np, cx->threads, consume_item, &c);
    for (size_t k = 0; k < np; k++) {
        const sinst *p = &cx->pieces[k].st;
        sinst *s = &cx->si[cx->pieces[k].inst];
        cairn_fp2 acc[6], grid[18];
        for (size_t u = 0; u < 6; u++)
            acc[u] = cairn_fp2_add(s->acc[u], p->acc[u]);
        for (size_t u = 0; u < 18; u++)
            grid[u] = cairn_fp2_add(s->grid[u], p->grid[u]);
        *s = *p; /* the last piece's state is the instance's */
        memcpy(s->acc, acc, sizeof acc);
        memcpy(s->grid, grid, sizeof grid);
    }
    return CAIRN_OK;
}

/* Reset the per-pass state and stream rows [0, 2^(largest active n)). */
static cairn_status run_pass(stream_ctx *cx, cairn_error *err)
{
    size_t nmax = 0;
    for (size_t j = 0; j < cx->m; j++) {
        sinst *s = &cx->si[j];
        s->rows_done = 0;
        s->have = 0;
        for (size_t u = 0; u < 4; u++)
            s->F[u] = cairn_fp2_zero();
        for (size_t u = 0; u < 6; u++)
            s->acc[u] = cairn_fp2_zero();
        for (size_t u = 0; u < 18; u++)
            s->grid[u] = cairn_fp2_zero();
        if (s->active && s->n > nmax)
            nmax = s->n;
    }
    cx->passes++;
    return cairn_rows_stream(cx->rows, 0, (uint64_t)1 << nmax, consume, cx, err);
}

/* Bytes of the stored part for switch layer s: layer top and the layers above, scratch, w. */
static size_t mem_top(const size_t *vars, size_t m, size_t s)
{
    size_t bytes = 0, need = 0;
    for (size_t j = 0; j < m; j++) {
        size_t top = vars[j] < s ? vars[j] : s;
        bytes += 4 * E16 * ((size_t)1 << top);
    }
    for (size_t k = 1; k < s; k++) {
        size_t v = 4 * gkr_active(vars, m, k) * ((size_t)1 << (k - 1));
        need = v > need ? v : need;
    }
    return bytes + E16 * need + (s >= 2 ? E16 * ((size_t)1 << (s - 2)) : 0);
}

/* Bytes of streamed layer k materialised after i0 rounds (a active instances). */
static size_t mem_stream(size_t k, size_t i0, size_t a)
{
    size_t v = k > 0 ? k - 1 : 0;
    size_t split = E16 * (((size_t)1 << ((v + 1) / 2)) + ((size_t)1 << (v / 2)));
    return 4 * a * E16 * ((size_t)1 << (k - i0)) + E16 * ((size_t)1 << (k - i0)) +
           E16 * ((size_t)1 << i0) + (i0 > 0 ? split : 0);
}

/*
 * Choose s (the largest that fits) and i0_k for every k >= s (the
 * smallest that fits); count the passes and the peak.  CAIRN_ERR_LIMIT
 * when even s = 0 does not fit.
 */
static cairn_status plan_layers(stream_ctx *cx, const size_t *vars, size_t budget,
                                cairn_error *err)
{
    for (size_t s = cx->N + 1; s-- > 0;) {
        size_t peak = mem_top(vars, cx->m, s), passes = 1;
        if (peak > budget)
            continue;
        int ok = 1;
        for (size_t k = s; k < cx->N && ok; k++) {
            size_t a = gkr_active(vars, cx->m, k), i0 = 0;
            while (i0 <= k && mem_stream(k, i0, a) > budget)
                i0++;
            if (i0 > k) {
                ok = 0;
                break;
            }
            cx->i0[k] = i0;
            passes += (i0 + 1) / 2 + 1;
            size_t ms = mem_stream(k, i0, a);
            peak = ms > peak ? ms : peak;
        }
        if (!ok)
            continue;
        cx->s = s;
        cx->passes = 0;
        cx->peak = peak;
        (void)passes;
        return CAIRN_OK;
    }
    return cairn_error_set(err, CAIRN_ERR_LIMIT,
                           "GKR streaming prover: no plan fits a budget of %zu bytes", budget);
}

/*
 * Rounds i and i+1 from the grid of a ROUND2 pass.  With A(X, Y) the grid
 * (num and den per instance): round i's h(X) = sum_b eq(r_{i+1}, b) A(X, b),
 * and after rho_i is drawn, round i+1's h(Y) = A(rho_i, Y), A being of
 * degree 2 in X for every Y (the value at inf is the X^2 coefficient).
 */
static void window_rounds(cairn_fp2 *msgs, cairn_fp2 *rho, cairn_transcript *t,
                          const cairn_fp2 *r, size_t i, gkr_round *rs, const stream_ctx *cx,
                          const size_t *idx, size_t a, const cairn_fp2 *coeffs)
{
    cairn_fp2 one = cairn_fp2_one(), e0 = cairn_fp2_sub(one, r[i + 1]), e1 = r[i + 1];
    cairn_fp2 H[3] = {cairn_fp2_zero(), cairn_fp2_zero(), cairn_fp2_zero()};
    for (size_t jj = 0; jj < a; jj++) {
        const cairn_fp2 *g = cx->si[idx[jj]].grid;
        cairn_fp2 acc[6];
        for (size_t xi = 0; xi < 3; xi++)
            for (size_t d = 0; d < 2; d++) /* num, den at (X, 0) and (X, 1) */
                acc[2 * xi + d] = cairn_fp2_add(cairn_fp2_mul(e0, g[2 * (3 * xi + 0) + d]),
                                                cairn_fp2_mul(e1, g[2 * (3 * xi + 1) + d]));
        gkr_combine_sums(H, acc, coeffs + 2 * jj);
    }
    cairn_fp2 c = rho[i] = gkr_emit_round(msgs + CAIRN_GKR_LAYER_DEGREE * i, t, H, 1, rs, r[i]);
    cairn_fp2 H2[3] = {cairn_fp2_zero(), cairn_fp2_zero(), cairn_fp2_zero()};
    for (size_t jj = 0; jj < a; jj++) {
        const cairn_fp2 *g = cx->si[idx[jj]].grid;
        cairn_fp2 acc[6];
        for (size_t yi = 0; yi < 3; yi++)
            for (size_t d = 0; d < 2; d++) {
                /* A(X) = A0 + X (A1 - A0 - Ainf) + X^2 Ainf at X = rho_i */
                cairn_fp2 a0 = g[2 * (0 + yi) + d], a1 = g[2 * (3 + yi) + d],
                          ai = g[2 * (6 + yi) + d];
                cairn_fp2 bb = cairn_fp2_sub(cairn_fp2_sub(a1, a0), ai);
                acc[2 * yi + d] =
                    cairn_fp2_add(a0, cairn_fp2_mul(c, cairn_fp2_add(bb, cairn_fp2_mul(c, ai))));
            }
        gkr_combine_sums(H2, acc, coeffs + 2 * jj);
    }
    rho[i + 1] =
        gkr_emit_round(msgs + CAIRN_GKR_LAYER_DEGREE * (i + 1), t, H2, 1, rs, r[i + 1]);
}

/*
 * A streamed layer k (gkr_layer_fn): rounds 0 .. i0-1 one pass each, a
 * pass materialising the tables folded i0 times, then the in-memory rounds.
 */
static cairn_status stream_layer(void *ctx, cairn_fp2 *msgs, cairn_fp2 *evals, cairn_fp2 *rho,
                                 cairn_transcript *t, const cairn_fp2 *r, size_t k,
                                 const size_t *idx, size_t a, const cairn_fp2 *coeffs,
                                 cairn_fp2 claim, cairn_error *err)
{
    stream_ctx *cx = ctx;
    size_t i0 = cx->i0[k];
    cairn_status st = CAIRN_OK;
    if (cx->layer != NULL) { /* the in-memory layers are done with layer s */
        for (size_t j = 0; j < 2 * cx->m; j++) {
            free(cx->layer[j]);
            cx->layer[j] = NULL;
        }
    }
    cairn_fp2 *E = malloc(((size_t)1 << i0) * sizeof *E);
    size_t v = k > 0 ? k - 1 : 0;
    cairn_fp2 *Elo = malloc(((size_t)1 << ((v + 1) / 2)) * sizeof *Elo);
    cairn_fp2 *Ehi = malloc(((size_t)1 << ((v + 1) / 2)) * sizeof *Ehi);
    cairn_fp2 *tab = NULL, *w = NULL;
    if (E == NULL || Elo == NULL || Ehi == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "GKR streaming prover: eq tables");
        goto out;
    }
    gkr_layer_header(t, k, claim);
    for (size_t j = 0; j < cx->m; j++) {
        cx->si[j].active = 0;
    }
    for (size_t i = 0; i < a; i++) {
        sinst *s = &cx->si[idx[i]];
        s->active = 1;
        s->slot = i;
        s->blk_log = s->n - k - 1;
    }
    gkr_round rs = {claim, cairn_fp2_one()};
    for (size_t i = 0; i < i0;) {
        int pair = i + 1 < i0; /* two rounds in this pass */
        cx->kind = pair ? PASS_ROUND2 : PASS_ROUND;
        cx->i = i;
        cx->need1 = gkr_round_need_h1(&rs, r[i]);
        cairn_poly_eq_table(E, rho, i);
        size_t vv = k - 1 - i - (size_t)pair; /* the variables after the window */
        cx->lo_bits = vv / 2;
        cairn_poly_eq_table(Elo, r + k - vv, cx->lo_bits);
        cairn_poly_eq_table(Ehi, r + k - vv + cx->lo_bits, vv - cx->lo_bits);
        cx->E = E;
        cx->Elo = Elo;
        cx->Ehi = Ehi;
        if ((st = run_pass(cx, err)) != CAIRN_OK)
            goto out;
        if (pair) {
            window_rounds(msgs, rho, t, r, i, &rs, cx, idx, a, coeffs);
            i += 2;
            continue;
        }
        cairn_fp2 H[3] = {cairn_fp2_zero(), cairn_fp2_zero(), cairn_fp2_zero()};
        for (size_t jj = 0; jj < a; jj++)
            gkr_combine_sums(H, cx->si[idx[jj]].acc, coeffs + 2 * jj);
        rho[i] = gkr_emit_round(msgs + CAIRN_GKR_LAYER_DEGREE * i, t, H, cx->need1, &rs, r[i]);
        i++;
    }
    size_t qs = (size_t)1 << (k - i0);
    tab = malloc(4 * a * qs * sizeof *tab);
    w = malloc((qs / 2 > 0 ? qs / 2 : 1) * sizeof *w);
    if (tab == NULL || w == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "GKR streaming prover: tables of 2^%zu",
                             k - i0);
        goto out;
    }
    cx->kind = PASS_MATERIALIZE;
    cx->i = i0;
    cairn_poly_eq_table(E, rho, i0);
    cx->E = E;
    cx->qs = qs;
    for (size_t i = 0; i < a; i++)
        cx->si[idx[i]].tab = tab;
    if ((st = run_pass(cx, err)) != CAIRN_OK)
        goto out;
    if (i0 < k)
        cairn_poly_eq_table(w, r + i0 + 1, k - 1 - i0);
    st = gkr_layer_rounds(msgs, evals, rho, t, r, k, i0, rs, NULL, idx, a, NULL, coeffs, tab, qs,
                          w, cx->threads, err);
out:
    free(E);
    free(Elo);
    free(Ehi);
    free(tab);
    free(w);
    return st;
}

/* Check the row instances against the source and the limits. */
static cairn_status check_rows(const cairn_rows *rows, const cairn_gkr_row_instance *inst,
                               size_t m, cairn_error *err)
{
    if (rows == NULL || inst == NULL || m == 0 || m > CAIRN_GKR_MAX_INSTANCES)
        return cairn_error_set(err, CAIRN_ERR_ARG, "GKR streaming prover: %zu instances", m);
    for (size_t j = 0; j < m; j++) {
        if (inst[j].n > CAIRN_GKR_MAX_VARS || rows->rows_len < ((uint64_t)1 << inst[j].n))
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "GKR row instance %zu: 2^%zu leaves, the source has %llu rows",
                                   j, inst[j].n, (unsigned long long)rows->rows_len);
        const cairn_gkr_affine *f[2] = {&inst[j].p, &inst[j].q};
        for (int u = 0; u < 2; u++) {
            if (f[u]->terms_len > CAIRN_GKR_MAX_TERMS ||
                (f[u]->terms_len > 0 && (f[u]->cols == NULL || f[u]->coeffs == NULL)))
                return cairn_error_set(err, CAIRN_ERR_ARG,
                                       "GKR row instance %zu: bad %s terms", j, u ? "q" : "p");
            for (size_t t = 0; t < f[u]->terms_len; t++)
                if (f[u]->cols[t] >= rows->width)
                    return cairn_error_set(err, CAIRN_ERR_ARG,
                                           "GKR row instance %zu: %s term %zu reads column "
                                           "%zu of %zu",
                                           j, u ? "q" : "p", t, f[u]->cols[t], rows->width);
        }
    }
    return CAIRN_OK;
}

cairn_status cairn_gkr_row_leaves(cairn_fp2 *p, cairn_fp2 *q, const cairn_rows *rows,
                                  const cairn_gkr_row_instance *in, cairn_error *err)
{
    cairn_status st = check_rows(rows, in, 1, err);
    if (st != CAIRN_OK)
        return st;
    sinst si = {0};
    si.def = in;
    si.n = in->n;
    si.active = 1;
    si.blk_log = 0;
    si.out_p = p;
    si.out_q = q;
    stream_ctx cx = {0};
    cx.rows = rows;
    cx.m = 1;
    cx.si = &si;
    cx.kind = PASS_LAYER;
    st = run_pass(&cx, err);
    free(cx.pieces);
    return st;
}

cairn_status cairn_gkr_prove_stream(cairn_gkr_proof *proof, cairn_fp2 *points,
                                    cairn_fp2 *p_evals, cairn_fp2 *q_evals,
                                    cairn_gkr_stream_stats *stats, cairn_transcript *t,
                                    const cairn_rows *rows, const cairn_gkr_row_instance *inst,
                                    size_t inst_len, const cairn_gkr_stream_opts *opts,
                                    cairn_error *err)
{
    size_t m = inst_len;
    cairn_gkr_proof_clear(proof);
    cairn_status st = check_rows(rows, inst, m, err);
    if (st != CAIRN_OK)
        return st;
    if (opts == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "GKR streaming prover: no options");
    stream_ctx cx = {0};
    size_t *vars = malloc(m * sizeof *vars);
    inst_state *state = calloc(m, sizeof *state);
    cx.si = calloc(m, sizeof *cx.si);
    cx.i0 = calloc(CAIRN_GKR_MAX_VARS + 1, sizeof *cx.i0);
    cairn_fp2 **layer = calloc(2 * m, sizeof *layer);
    if (vars == NULL || state == NULL || cx.si == NULL || cx.i0 == NULL || layer == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "GKR streaming prover: %zu instances", m);
        goto out;
    }
    cx.rows = rows;
    cx.m = m;
    cx.layer = layer;
    cx.threads = opts->threads;
    for (size_t j = 0; j < m; j++) {
        vars[j] = inst[j].n;
        cx.N = vars[j] > cx.N ? vars[j] : cx.N;
    }
    if ((st = plan_layers(&cx, vars, opts->mem_budget, err)) != CAIRN_OK)
        goto out;
    /* pass 1: layer s (or the leaves, for instances of at most s variables) */
    for (size_t j = 0; j < m; j++) {
        size_t top = vars[j] < cx.s ? vars[j] : cx.s;
        layer[2 * j] = malloc(((size_t)1 << top) * sizeof(cairn_fp2));
        layer[2 * j + 1] = malloc(((size_t)1 << top) * sizeof(cairn_fp2));
        if (layer[2 * j] == NULL || layer[2 * j + 1] == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "GKR streaming prover: layer %zu", top);
            goto out;
        }
        sinst *s = &cx.si[j];
        s->def = &inst[j];
        s->n = vars[j];
        s->active = 1;
        s->blk_log = vars[j] - top;
        s->out_p = layer[2 * j];
        s->out_q = layer[2 * j + 1];
        state[j].n = vars[j];
        state[j].top = top;
        state[j].leaf_p = (gkr_src){NULL, layer[2 * j], 1};
        state[j].leaf_q = (gkr_src){NULL, layer[2 * j + 1], 1};
    }
    cx.kind = PASS_LAYER;
    if ((st = run_pass(&cx, err)) != CAIRN_OK)
        goto out;
    st = gkr_prove_driver(proof, points, p_evals, q_evals, t, state, m, cx.s, stream_layer, &cx,
                          opts->threads, err);
    if (st == CAIRN_OK && stats != NULL) {
        stats->switch_layer = cx.s;
        stats->passes = cx.passes;
        stats->peak_bytes = cx.peak;
    }
out:
    if (layer != NULL)
        for (size_t j = 0; j < 2 * m; j++)
            free(layer[j]);
    free(layer);
    free(vars);
    free(state);
    free(cx.si);
    free(cx.i0);
    free(cx.pieces);
    return st;
}
