/*
 * small.c — the small-value rounds of the in-memory and streaming provers
 * (Bagad, Dao, Domb and Thaler, "Speeding up sum-check proving", ePrint
 * 2025/1117, §4: small values, and §5 for the eq factor).
 *
 * When every input is a base table whose entries are small integers
 * (cairn_sumcheck_input.small_bits = b: entries < 2^b), the first L rounds
 * (L = in->sv_rounds, the switch round) are computed from one pass over the
 * tables in integer arithmetic, and the tables are bound to r_0..r_{L-1}
 * only once, at the switch.  With G = max(1, deg g) and
 *     x = (w, z),  w in {0,1}^L the first L variables,  z the rest,
 * every f_c(r_{<i}, u, y, z) (round i < L, y in {0,1}^(L-1-i)) is
 * multilinear in r_{<i}, so each term's product has degree <= G in every
 * r_l and equals its interpolation on the grid {0..G}^i:
 *     prod_c f_c(r_{<i}, u, y, z) = sum_{v in {0..G}^i} L_v(r_{<i}) prod_c f_c(v, u, y, z),
 * L_v the Lagrange basis on the nodes 0..G, one factor per coordinate.  So
 * the pass keeps, for every term t and grid point p = (v, u, y) of
 * {0..G}^L that some round reads, the accumulator
 *     A[t][p] = sum_z eq(tau_{>=L}, z) prod_{c in term t} f_c(p, z)
 * (without tau: eq = 1), and round i's kernel values are
 *     q_i(u) = sum_t coeff_t sum_{v, y} L_v(r_{<i}) eq(tau_{i+1..L-1}, y) A[t][(v, u, y)],
 * a few hundred extension operations per round.  f_c(p, z) for a grid
 * point is the multilinear extension of the 2^L entries of block z at p,
 * an integer: |f_c(p, z)| <= M = (2G - 1)^L (2^b - 1), since extending one
 * coordinate from {0,1} to t in 0..G takes lo + t (hi - lo), at most
 * (2t - 1) times the largest input in absolute value.  The products of a
 * term (at most G factors) are formed exactly in 64-bit integers when
 * M^G < 2^63, else in 128-bit integers when M^G < 2^127 (small_bounds
 * checks this exactly); then reduced once to F_p (a conditional addition of
 * p when |P| < p) and multiplied by the eq weight into unreduced
 * accumulators (cairn_fp2_acc, split eq as in core.c).  A bound that does
 * not hold makes the path inapplicable (the generic rounds run).  The
 * promise small_bits is checked on every entry read: an entry >= 2^b makes
 * the pass give up before round 0 is sent, and the generic rounds run.
 *
 * At the switch (binding r_{L-1}) the tables become
 *     F_c[z] = sum_{w in {0,1}^L} eq(r_{<L}, w) f_c(w + 2^L z),
 * exactly the tables L folds give.  The streaming prover runs the same
 * accumulation as one pass over its row source (blocks of 2^L rows, a
 * block buffer for those that straddle the source's chunks) and continues
 * with its round passes L..j-1.  Field arithmetic is exact, so every round
 * message, challenge and final evaluation is byte for byte the generic
 * prover's (tests/test_engine.c checks every switch round).  Derivation,
 * bounds and the choice of L: docs/sumcheck.md, "Small values".
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/poly.h"
#include "cairn/pool.h"
#include "sumcheck_internal.h"

size_t sc_small_force = CAIRN_SUMCHECK_SWITCH_AUTO;
size_t sc_small_passes = 0;

/* Fewest blocks (of 2^L entries) a pool chunk of the pass gets. */
#define SV_PAR_MIN ((size_t)1 << 10)
/* Fewest outputs a pool chunk of the switch gets. */
#define SV_MAT_MIN ((size_t)1 << 11)

/* (G + 1)^L, the size of the full grid. */
static size_t grid_size(size_t G, size_t L)
{
    size_t s = 1;
    for (size_t l = 0; l < L; l++)
        s *= G + 1;
    return s;
}

/*
 * How the products of a pass with L rounds are formed: 1 in 64-bit
 * integers (M^G < 2^63), 2 in 128-bit integers (M^G < 2^127), 0 when the
 * bounds do not hold (or b = 0).  M = (2G - 1)^L (2^b - 1) must also stay
 * below 2^62 so that the extension itself is exact in int64.
 */
static int small_bounds(size_t G, size_t L, unsigned b)
{
    if (b == 0 || b > 62)
        return 0;
    cairn_u128 m = ((cairn_u128)1 << b) - 1;
    for (size_t l = 0; l < L; l++) {
        m *= 2 * G - 1;
        if (m >= ((cairn_u128)1 << 62))
            return 0;
    }
    /* m^G against 2^63 and 2^127, without overflow: m < 2^62 */
    cairn_u128 lim63 = (cairn_u128)1 << 63, lim127 = (cairn_u128)1 << 126; /* half of 2^127 */
    cairn_u128 pw = 1;
    int fits63 = 1;
    for (size_t g = 0; g < G; g++) {
        if (pw > lim127 / m)
            return 0;
        pw *= m;
        if (pw >= lim63)
            fits63 = 0;
    }
    if (pw >= lim127)
        return 0;
    return fits63 ? 1 : 2;
}

/*
 * The switch round for an instance whose inputs are all small base tables
 * of at most b bits.  sc_small_force when set (0 = off; a forced L is taken
 * when its bounds hold and its grid is small, else the path is off).
 * Otherwise, from the measurements in docs/benchmarks.md: L = 3 when its
 * products fit 64 bits and deg g <= 3; else L = 2 when its products fit
 * 64 bits (deg g <= 4) or 128 bits (deg g <= 3); else off.  L = 1 never
 * pays: the generic round 0 already multiplies in F_p.  Never more than n.
 */
static size_t choose_rounds(const sc_inst *in, unsigned b)
{
    size_t G = in->sv_G;
    if (sc_small_force != CAIRN_SUMCHECK_SWITCH_AUTO) {
        size_t L = sc_small_force;
        if (L == 0 || L > SC_SMALL_MAX_ROUNDS || L > in->n || grid_size(G, L) > SC_SMALL_MAX_GRID ||
            small_bounds(G, L, b) == 0)
            return 0;
        return L;
    }
    if (in->n >= 3 && G <= 3 && small_bounds(G, 3, b) == 1)
        return 3;
    if (in->n >= 2 &&
        ((G <= 4 && small_bounds(G, 2, b) == 1) || (G <= 3 && small_bounds(G, 2, b) == 2)))
        return 2;
    return 0;
}

void sc_small_setup(sc_inst *in, const cairn_sumcheck_input *inputs)
{
    unsigned b = 0;
    in->sv_rounds = 0;
    if (inputs == NULL || sc_generic_only)
        return;
    for (size_t c = 0; c < in->k; c++) {
        if (inputs[c].fp == NULL || inputs[c].small_bits == 0)
            return;
        if (inputs[c].small_bits > b)
            b = inputs[c].small_bits;
    }
    in->sv_bits = b;
    in->sv_G = in->deg_g > 0 ? in->deg_g : 1;
    if (b > 64)
        return;
    in->sv_rounds = choose_rounds(in, b);
}

/* The grid point's coordinate l. */
static size_t digit(size_t p, size_t l, size_t G)
{
    for (size_t a = 0; a < l; a++)
        p /= G + 1;
    return p % (G + 1);
}

/*
 * Whether some round i < L reads grid point p: coordinates below i are any
 * of 0..G, coordinate i (the round's variable) is a point the kernel
 * evaluates (0, 2..G; 1 too without tau or when tau_i = 0, the only cases
 * where the plan can ask for it with a non-zero eq_prefix), coordinates
 * above i are 0 or 1.
 */
static int grid_needed(const sc_inst *in, size_t p)
{
    size_t G = in->sv_G, L = in->sv_rounds;
    for (size_t i = 0; i < L; i++) {
        int ok = 1;
        size_t u = digit(p, i, G);
        if (u == 1 && in->tau != NULL && !cairn_fp2_is_zero(in->tau[i]))
            ok = 0;
        for (size_t l = i + 1; l < L && ok; l++)
            if (digit(p, l, G) > 1)
                ok = 0;
        if (ok)
            return 1;
    }
    return 0;
}

/* One step of the extension: v[p0 + t s] = v[p0 + (t - 1) s] + (v[p0 + s] - v[p0]), t = 2..G. */
struct sv_op {
    size_t p0, s;
};

struct sv_pass {
    sc_inst *in;
    size_t L, G, grid, npts, terms, mode;
    const size_t *pts;       /* the needed grid points, increasing */
    const size_t *pos;       /* grid position of w in {0,1}^L, for w < 2^L */
    const struct sv_op *ops; /* the extension, coordinate after coordinate */
    size_t ops_len;
    size_t blocks, block, chunks; /* outer eq blocks of z, inner block length */
    size_t a;                     /* variables of z in ea (the rest in eb) */
    cairn_fp2 *part;              /* per chunk: terms * npts sums */
    int *bad;                     /* per chunk: an entry broke the small_bits promise */
};

/*
 * The extension from {0,1}^L to {0..G}^L as a list of steps: coordinate l
 * is extended at every point with coordinate l = 0, coordinates below l in
 * 0..G (already extended) and coordinates above l in 0..1.  Returns the
 * number of steps written to ops (NULL: only count).
 */
static size_t ext_ops(struct sv_op *ops, size_t L, size_t G)
{
    size_t len = 0, stride = 1;
    for (size_t l = 0; l < L; l++) {
        for (size_t o = 0; o < ((size_t)1 << (L - 1 - l)); o++) {
            size_t hi_base = 0, sa = stride * (G + 1);
            for (size_t a = l + 1; a < L; a++, sa *= G + 1)
                hi_base += ((o >> (a - l - 1)) & 1) * sa;
            for (size_t lo = 0; lo < stride; lo++, len++)
                if (ops != NULL)
                    ops[len] = (struct sv_op){hi_base + lo, stride};
        }
        stride *= G + 1;
    }
    return len;
}

__extension__ typedef __int128 sv_i128;

/* P as a canonical field element, |P| < p (after the 64-bit products). */
CAIRN_HOT_INLINE cairn_fp from_i64(int64_t P)
{
    return cairn_fp_make(P >= 0 ? (uint64_t)P : (uint64_t)P + CAIRN_FP_P);
}

CAIRN_HOT_INLINE cairn_fp from_i128(sv_i128 P)
{
    if (P >= 0)
        return cairn_fp_reduce128((cairn_u128)P);
    return cairn_fp_neg(cairn_fp_reduce128((cairn_u128)(-P)));
}

/* Term tm's product at grid point g of the extended block, exact in 64 or 128 bits. */
CAIRN_HOT_INLINE int64_t prod64(const cairn_sumcheck_term *tm, const int64_t *ext, size_t grid,
                                size_t g)
{
    int64_t x = ext[(size_t)tm->factors[0] * grid + g];
    for (size_t u = 1; u < tm->factors_len; u++)
        x *= ext[(size_t)tm->factors[u] * grid + g];
    return x;
}

CAIRN_HOT_INLINE sv_i128 prod128(const cairn_sumcheck_term *tm, const int64_t *ext, size_t grid,
                                 size_t g)
{
    sv_i128 x = ext[(size_t)tm->factors[0] * grid + g];
    for (size_t u = 1; u < tm->factors_len; u++)
        x *= ext[(size_t)tm->factors[u] * grid + g];
    return x;
}

/*
 * One block: read each input's 2^L entries (input q's entry w at
 * ptr[q][w * stride]), check the promise, extend over the grid, form every
 * term's product at every needed grid point and add it with the weight w8
 * (no weight without tau) into acc[term][point].  Returns the bits of the
 * entries above the promise (0 when it holds).
 */
CAIRN_HOT_INLINE uint64_t sv_block(const struct sv_pass *ps, int64_t *ext,
                                   const cairn_fp *const *ptr, size_t stride, cairn_fp2 w8,
                                   cairn_fp2_acc *acc)
{
    const sc_inst *in = ps->in;
    size_t W = (size_t)1 << ps->L, G = ps->G, np = ps->npts, grid = ps->grid;
    unsigned b = in->sv_bits; /* 1..62 (small_bounds) */
    uint64_t mask = ((uint64_t)1 << b) - 1, over = 0;
    for (size_t q = 0; q < in->k; q++) {
        const cairn_fp *f = ptr[q];
        int64_t *v = ext + q * grid;
        for (size_t w = 0; w < W; w++) {
            uint64_t x = f[w * stride].v;
            over |= x >> b;
            v[ps->pos[w]] = (int64_t)(x & mask);
        }
        for (size_t o = 0; o < ps->ops_len; o++) {
            int64_t *e = v + ps->ops[o].p0;
            size_t st = ps->ops[o].s;
            int64_t d = e[st] - e[0], x = e[st];
            for (size_t t = 2; t <= G; t++) {
                x += d;
                e[t * st] = x;
            }
        }
    }
    /* the mode and the eq weight decided once per term, not per product */
    const size_t *pts = ps->pts;
    for (size_t t = 0; t < ps->terms; t++) {
        const cairn_sumcheck_term *tm = &in->expr->terms[t];
        cairn_fp2_acc *a = acc + t * np;
        int tau = in->tau != NULL;
        if (tm->factors_len == 0) {
            for (size_t p = 0; p < np; p++)
                if (tau)
                    cairn_fp2_acc_add_mul_fp(&a[p], w8, cairn_fp_one());
                else
                    cairn_fp_acc_add(&a[p].c0, cairn_fp_one());
        } else if (ps->mode == 1 && tau) {
            for (size_t p = 0; p < np; p++)
                cairn_fp2_acc_add_mul_fp(&a[p], w8, from_i64(prod64(tm, ext, grid, pts[p])));
        } else if (ps->mode == 1) {
            for (size_t p = 0; p < np; p++)
                cairn_fp_acc_add(&a[p].c0, from_i64(prod64(tm, ext, grid, pts[p])));
        } else if (tau) {
            for (size_t p = 0; p < np; p++)
                cairn_fp2_acc_add_mul_fp(&a[p], w8, from_i128(prod128(tm, ext, grid, pts[p])));
        } else {
            for (size_t p = 0; p < np; p++)
                cairn_fp_acc_add(&a[p].c0, from_i128(prod128(tm, ext, grid, pts[p])));
        }
    }
    return over;
}

/*
 * Pool chunk c of the in-memory pass: the outer eq blocks in its range.
 * Every block z adds into the inner sums with the weight ea[z mod block];
 * each outer block's inner sums are reduced and multiplied by eb into the
 * outer sums.
 */
static void sv_chunk(void *ctx, size_t c)
{
    const struct sv_pass *ps = ctx;
    sc_inst *in = ps->in;
    size_t W = (size_t)1 << ps->L, nacc = ps->terms * ps->npts;
    size_t h0 = ps->blocks * c / ps->chunks, h1 = ps->blocks * (c + 1) / ps->chunks;
    cairn_fp2 *out = ps->part + c * nacc;
    int64_t *ext = malloc(in->k * ps->grid * sizeof *ext);
    cairn_fp2_acc *inner = malloc(2 * nacc * sizeof *inner);
    const cairn_fp *ptr[CAIRN_SUMCHECK_MAX_INPUTS];
    if (ext == NULL || inner == NULL) {
        free(ext);
        free(inner);
        ps->bad[c] = 2;
        return;
    }
    cairn_fp2_acc *outer = inner + nacc;
    uint64_t over = 0;
    for (size_t ix = 0; ix < nacc; ix++)
        cairn_fp2_acc_zero(&outer[ix]);
    for (size_t zh = h0; zh < h1; zh++) {
        for (size_t ix = 0; ix < nacc; ix++)
            cairn_fp2_acc_zero(&inner[ix]);
        for (size_t zl = 0; zl < ps->block; zl++) {
            size_t z = zh * ps->block + zl;
            for (size_t q = 0; q < in->k; q++)
                ptr[q] = in->src_fp[q] + z * W;
            over |=
                sv_block(ps, ext, ptr, 1, in->tau != NULL ? in->ea[zl] : cairn_fp2_one(), inner);
        }
        for (size_t ix = 0; ix < nacc; ix++) {
            if (in->tau != NULL) {
                cairn_fp2_acc_add_mul(&outer[ix], cairn_fp2_acc_reduce(&inner[ix]), in->eb[zh]);
            } else {
                cairn_fp2 s = cairn_fp2_acc_reduce(&inner[ix]);
                cairn_fp_acc_add(&outer[ix].c0, s.c0);
            }
        }
    }
    for (size_t ix = 0; ix < nacc; ix++)
        out[ix] = cairn_fp2_acc_reduce(&outer[ix]);
    ps->bad[c] = over != 0;
    free(ext);
    free(inner);
}

/*
 * What both passes share: the grid (needed points, positions of {0,1}^L,
 * the extension steps), the product mode, the split eq tables of
 * tau_{>=L} (ea over its first m/2 variables, m = n - L), the number of
 * accumulators and in->sv_acc.  Returns 0 when memory runs out.
 */
static int sv_setup(struct sv_pass *ps, sc_inst *in)
{
    size_t L = in->sv_rounds, G = in->sv_G, n = in->n;
    size_t *pts, *pos;
    struct sv_op *ops;
    memset(ps, 0, sizeof *ps);
    ps->in = in;
    ps->L = L;
    ps->G = G;
    ps->grid = grid_size(G, L);
    ps->terms = in->expr->terms_len;
    ps->mode = (size_t)small_bounds(G, L, in->sv_bits);
    ps->ops_len = ext_ops(NULL, L, G);
    ps->pts = pts = malloc(ps->grid * sizeof *pts);
    ps->pos = pos = malloc(((size_t)1 << L) * sizeof *pos);
    ps->ops = ops = malloc((ps->ops_len > 0 ? ps->ops_len : 1) * sizeof *ops);
    in->sv_pt = malloc(ps->grid * sizeof *in->sv_pt);
    if (pts == NULL || pos == NULL || ops == NULL || in->sv_pt == NULL)
        return 0;
    (void)ext_ops(ops, L, G);
    for (size_t w = 0; w < ((size_t)1 << L); w++) {
        size_t p = 0, st = 1;
        for (size_t l = 0; l < L; l++, st *= G + 1)
            p += ((w >> l) & 1) * st;
        pos[w] = p;
    }
    for (size_t p = 0; p < ps->grid; p++) {
        in->sv_pt[p] = SIZE_MAX;
        if (grid_needed(in, p)) {
            in->sv_pt[p] = ps->npts;
            pts[ps->npts++] = p;
        }
    }
    size_t m = n - L;
    ps->a = m / 2;
    if (in->tau != NULL) {
        (void)cairn_poly_eq_table(in->ea, in->tau + L, ps->a);
        (void)cairn_poly_eq_table(in->eb, in->tau + L + ps->a, m - ps->a);
    }
    size_t nacc = ps->terms * ps->npts;
    in->sv_npts = ps->npts;
    in->sv_acc_len = nacc > 0 ? nacc : 1;
    in->sv_acc = sc_alloc(in->mem, in->sv_acc_len * sizeof *in->sv_acc);
    return in->sv_acc != NULL;
}

/* Free the pass's own scratch; on failure also the path's state (it is off from here). */
static int sv_finish(struct sv_pass *ps, sc_inst *in, int ok)
{
    free((void *)ps->pts);
    free((void *)ps->pos);
    free((void *)ps->ops);
    free(ps->part);
    free(ps->bad);
    if (!ok) {
        sc_small_clear(in);
        in->sv_rounds = 0;
    } else {
        sc_small_passes++;
    }
    return ok;
}

/*
 * The in-memory pass: the chunks on the pool, their sums added in chunk
 * order into in->sv_acc.  Returns 0 (and switches the path off) when memory
 * runs out or an entry breaks the promise; nothing has been sent then.
 */
static int sv_prepare(sc_inst *in)
{
    struct sv_pass ps;
    if (!sv_setup(&ps, in))
        return sv_finish(&ps, in, 0);
    size_t blocks_z = (size_t)1 << (in->n - ps.L), nacc = ps.terms * ps.npts;
    if (in->tau != NULL)
        ps.block = (size_t)1 << ps.a;
    else
        ps.block = blocks_z < SV_PAR_MIN ? blocks_z : SV_PAR_MIN;
    ps.blocks = blocks_z / ps.block;
    ps.chunks = cairn_pool_chunks(blocks_z, SV_PAR_MIN);
    if (ps.chunks > ps.blocks)
        ps.chunks = ps.blocks;
    ps.part = malloc(ps.chunks * (nacc > 0 ? nacc : 1) * sizeof *ps.part);
    ps.bad = calloc(ps.chunks, sizeof *ps.bad);
    if (ps.part == NULL || ps.bad == NULL)
        return sv_finish(&ps, in, 0);
    cairn_pool_run(ps.chunks, sv_chunk, &ps);
    for (size_t c = 0; c < ps.chunks; c++)
        if (ps.bad[c])
            return sv_finish(&ps, in, 0);
    for (size_t ix = 0; ix < nacc; ix++) {
        cairn_fp2 sum = cairn_fp2_zero();
        for (size_t c = 0; c < ps.chunks; c++)
            sum = cairn_fp2_add(sum, ps.part[c * nacc + ix]);
        in->sv_acc[ix] = sum;
    }
    return sv_finish(&ps, in, 1);
}

/* ---- the streaming pass -------------------------------------------------------- */

struct sv_stream {
    struct sv_pass ps;
    const size_t *cols;
    size_t width;
    cairn_fp *buf;      /* the open block's rows so far, k values each */
    size_t fill;        /* rows in buf */
    int64_t *ext;       /* the serial parts' grid scratch */
    cairn_fp2_acc *acc; /* the serial parts' sums */
    cairn_fp2 *sum;     /* the pool chunks' sums, added in order */
    uint64_t over;
    /* the current source chunk's whole blocks */
    uint64_t first;
    const cairn_fp *rows;
    size_t blocks, chunks;
    cairn_fp2 *part;  /* per chunk: nacc reduced sums */
    uint64_t *cover;  /* per chunk: entries above the promise (2: no memory) */
};

/* The eq weight of block z: eq(tau_{>=L}, z) = ea[z mod 2^a] eb[z >> a] (1 without tau). */
static cairn_fp2 block_weight(const struct sv_pass *ps, uint64_t z)
{
    const sc_inst *in = ps->in;
    if (in->tau == NULL)
        return cairn_fp2_one();
    return cairn_fp2_mul(in->ea[z & (((uint64_t)1 << ps->a) - 1)], in->eb[z >> ps->a]);
}

/*
 * Pool chunk: its share of the whole blocks of the current source chunk,
 * with its own grid scratch and sums (allocated here: chunks that run side
 * by side must not share cache lines), reduced once into its slot of sum.
 */
static void sv_stream_chunk(void *ctx, size_t c)
{
    const struct sv_stream *ss = ctx;
    const struct sv_pass *ps = &ss->ps;
    size_t k = ps->in->k, W = (size_t)1 << ps->L, nacc = ps->terms * ps->npts;
    size_t b0 = ss->blocks * c / ss->chunks, b1 = ss->blocks * (c + 1) / ss->chunks;
    int64_t *ext = malloc(k * ps->grid * sizeof *ext);
    cairn_fp2_acc *acc = malloc((nacc > 0 ? nacc : 1) * sizeof *acc);
    const cairn_fp *ptr[CAIRN_SUMCHECK_MAX_INPUTS];
    uint64_t over = 0;
    if (ext == NULL || acc == NULL) {
        free(ext);
        free(acc);
        ss->cover[c] = 2; /* no memory: the pass gives up like a broken promise */
        return;
    }
    for (size_t ix = 0; ix < nacc; ix++)
        cairn_fp2_acc_zero(&acc[ix]);
    for (size_t b = b0; b < b1; b++) {
        const cairn_fp *blk = ss->rows + b * W * ss->width;
        for (size_t q = 0; q < k; q++)
            ptr[q] = blk + (ss->cols != NULL ? ss->cols[q] : q);
        over |= sv_block(ps, ext, ptr, ss->width, block_weight(ps, (ss->first >> ps->L) + b), acc);
    }
    for (size_t ix = 0; ix < nacc; ix++)
        ss->part[c * nacc + ix] = cairn_fp2_acc_reduce(&acc[ix]);
    ss->cover[c] = over;
    free(ext);
    free(acc);
}

/* Rows one at a time into the open block; a completed block goes through sv_block. */
static void sv_stream_serial(struct sv_stream *ss, uint64_t first, const cairn_fp *rows,
                             size_t count)
{
    const struct sv_pass *ps = &ss->ps;
    size_t k = ps->in->k, W = (size_t)1 << ps->L;
    const cairn_fp *ptr[CAIRN_SUMCHECK_MAX_INPUTS];
    for (size_t r = 0; r < count; r++) {
        const cairn_fp *row = rows + r * ss->width;
        for (size_t q = 0; q < k; q++)
            ss->buf[ss->fill * k + q] = row[ss->cols != NULL ? ss->cols[q] : q];
        if (++ss->fill < W)
            continue;
        for (size_t q = 0; q < k; q++)
            ptr[q] = ss->buf + q;
        ss->over |= sv_block(ps, ss->ext, ptr, k, block_weight(ps, (first + r) >> ps->L), ss->acc);
        ss->fill = 0;
    }
}

/*
 * Consumer of the streaming pass: the rows that finish a block begun in
 * the previous source chunk and those of a block left open at the end go
 * through the block buffer; the whole blocks between run on the pool,
 * each chunk with its own sums, reduced and added in chunk order.
 */
static cairn_status sv_stream_rows(void *ctx, uint64_t first, const cairn_fp *rows, size_t count,
                                   cairn_error *err)
{
    struct sv_stream *ss = ctx;
    struct sv_pass *ps = &ss->ps;
    size_t W = (size_t)1 << ps->L, nacc = ps->terms * ps->npts;
    size_t head = (size_t)((W - (first & (W - 1))) & (W - 1));
    (void)err;
    if (head > count)
        head = count;
    sv_stream_serial(ss, first, rows, head);
    ss->first = first + head;
    ss->rows = rows + head * ss->width;
    ss->blocks = (count - head) / W;
    ss->chunks = cairn_pool_chunks(ss->blocks * W, (size_t)1 << 12);
    if (ss->chunks > ss->blocks)
        ss->chunks = ss->blocks > 0 ? ss->blocks : 1;
    if (ss->blocks > 0) {
        cairn_pool_run(ss->chunks, sv_stream_chunk, ss);
        for (size_t c = 0; c < ss->chunks; c++) {
            ss->over |= ss->cover[c];
            for (size_t ix = 0; ix < nacc; ix++)
                ss->sum[ix] = cairn_fp2_add(ss->sum[ix], ss->part[c * nacc + ix]);
        }
    }
    size_t done = head + ss->blocks * W;
    sv_stream_serial(ss, first + done, rows + done * ss->width, count - done);
    return CAIRN_OK;
}

void sc_small_setup_stream(sc_inst *in, unsigned bits, size_t cap)
{
    in->sv_rounds = 0;
    if (bits == 0 || bits > 64 || sc_generic_only)
        return;
    in->sv_bits = bits;
    in->sv_G = in->deg_g > 0 ? in->deg_g : 1;
    size_t L = choose_rounds(in, bits);
    /* fewer rounds than the choice when the passes stop earlier (j = 2 < L = 3) */
    if (L > cap && sc_small_force == CAIRN_SUMCHECK_SWITCH_AUTO && cap >= 2 &&
        small_bounds(in->sv_G, cap, bits) != 0)
        L = cap;
    in->sv_rounds = L <= cap ? L : 0;
}

cairn_status sc_small_stream_pass(sc_inst *in, const cairn_rows *rows, const size_t *cols,
                                  cairn_error *err)
{
    struct sv_stream ss;
    cairn_status st = CAIRN_OK;
    size_t k = in->k, chunks = CAIRN_POOL_CHUNKS;
    memset(&ss, 0, sizeof ss);
    int ok = sv_setup(&ss.ps, in);
    size_t nacc = ss.ps.terms * ss.ps.npts, W = (size_t)1 << ss.ps.L;
    ss.cols = cols;
    ss.width = rows->width;
    ss.buf = malloc(W * k * sizeof *ss.buf);
    ss.ext = malloc(k * ss.ps.grid * sizeof *ss.ext);
    ss.acc = malloc((nacc > 0 ? nacc : 1) * sizeof *ss.acc);
    ss.sum = malloc((nacc > 0 ? nacc : 1) * sizeof *ss.sum);
    ss.part = malloc(chunks * (nacc > 0 ? nacc : 1) * sizeof *ss.part);
    ss.cover = malloc(chunks * sizeof *ss.cover);
    if (!ok || ss.buf == NULL || ss.ext == NULL || ss.acc == NULL || ss.sum == NULL ||
        ss.part == NULL || ss.cover == NULL) {
        ok = 0;
        goto out;
    }
    for (size_t ix = 0; ix < nacc; ix++) {
        cairn_fp2_acc_zero(&ss.acc[ix]);
        ss.sum[ix] = cairn_fp2_zero();
    }
    st = cairn_rows_stream(rows, 0, rows->rows_len, sv_stream_rows, &ss, err);
    if (st != CAIRN_OK || ss.over != 0) {
        ok = 0;
        goto out;
    }
    for (size_t ix = 0; ix < nacc; ix++)
        in->sv_acc[ix] = cairn_fp2_add(ss.sum[ix], cairn_fp2_acc_reduce(&ss.acc[ix]));
out:
    free(ss.buf);
    free(ss.ext);
    free(ss.acc);
    free(ss.sum);
    free(ss.part);
    free(ss.cover);
    (void)sv_finish(&ss.ps, in, ok);
    return st;
}

void sc_small_clear(sc_inst *in)
{
    sc_free(in->mem, in->sv_acc, in->sv_acc_len * sizeof *in->sv_acc);
    in->sv_acc = NULL;
    in->sv_acc_len = 0;
    free(in->sv_pt);
    in->sv_pt = NULL;
}

/*
 * Round i < L from the accumulators: for each planned point u and term t,
 * sum over v in {0..G}^i and y in {0,1}^(L-1-i) of
 * L_v(r_{<i}) eq(tau_{i+1..L-1}, y) A[t][(v, u, y)]; then the same
 * assembly as the generic round.  A planned point 1 that the pass did not
 * accumulate (tau_i != 0) is asked for only when eq_prefix = 0, where it is
 * multiplied by 0: it is left 0.
 */
static void sv_round(cairn_fp2 *s, sc_inst *in)
{
    sc_plan pl;
    sc_plan_round(&pl, in);
    size_t i = in->round, L = in->sv_rounds, G = in->sv_G, Gp = G + 1;
    size_t terms = in->expr->terms_len, S = SC_MAX_PTS;
    /* lam[l][v] = L_v(r_l): the Lagrange basis on 0..G at r_l */
    cairn_fp2 lam[SC_SMALL_MAX_ROUNDS][SC_MAX_PTS], unit[SC_MAX_PTS];
    for (size_t l = 0; l < i; l++)
        for (size_t v = 0; v <= G; v++) {
            for (size_t a = 0; a <= G; a++)
                unit[a] = a == v ? cairn_fp2_one() : cairn_fp2_zero();
            lam[l][v] = sc_interp(unit, G, in->sv_r[l]);
        }
    size_t nv = grid_size(G, i), ny = (size_t)1 << (L - 1 - i);
    cairn_fp2 *acc = in->acc;
    sc_acc_zero(acc, terms);
    for (size_t y = 0; y < ny; y++) {
        cairn_fp2 ey = cairn_fp2_one();
        size_t ypos = 0, st = grid_size(G, i + 1);
        for (size_t l = 0; l + i + 1 < L; l++, st *= Gp) {
            size_t bit = (y >> l) & 1;
            ypos += bit * st;
            if (in->tau != NULL) {
                cairn_fp2 tl = in->tau[i + 1 + l];
                ey = cairn_fp2_mul(ey, bit ? tl : cairn_fp2_sub(cairn_fp2_one(), tl));
            }
        }
        for (size_t v = 0; v < nv; v++) {
            cairn_fp2 w = ey;
            size_t rest = v;
            for (size_t l = 0; l < i; l++, rest /= Gp)
                w = cairn_fp2_mul(w, lam[l][rest % Gp]);
            for (size_t p = 0; p < pl.npts; p++) {
                size_t g = v + pl.pts[p] * nv + ypos;
                size_t ix = in->sv_pt[g];
                if (ix == SIZE_MAX)
                    continue;
                for (size_t t = 0; t < terms; t++)
                    acc[t * S + p] = cairn_fp2_add(
                        acc[t * S + p], cairn_fp2_mul(w, in->sv_acc[t * in->sv_npts + ix]));
            }
        }
    }
    sc_assemble(s, in, &pl, acc);
}

int sc_small_round(cairn_fp2 *s, sc_inst *in)
{
    if (in->round >= in->sv_rounds)
        return 0;
    if (in->round == 0 && in->sv_acc == NULL && !sv_prepare(in))
        return 0;
    sv_round(s, in);
    return 1;
}

struct sv_mat {
    sc_inst *in;
    const cairn_fp2 *eqr;
    cairn_fp2 **out;
    size_t L, len, chunks;
};

/* Pool chunk: its range of every F_c[z] = sum_w eq(r_{<L}, w) f_c(w + 2^L z). */
static void sv_mat_chunk(void *ctx, size_t c)
{
    const struct sv_mat *m = ctx;
    size_t W = (size_t)1 << m->L;
    size_t z0 = m->len * c / m->chunks, z1 = m->len * (c + 1) / m->chunks;
    for (size_t q = 0; q < m->in->k; q++) {
        const cairn_fp *f = m->in->src_fp[q];
        cairn_fp2 *o = m->out[q];
        for (size_t z = z0; z < z1; z++) {
            cairn_fp2_acc a;
            cairn_fp2_acc_zero(&a);
            for (size_t w = 0; w < W; w++)
                cairn_fp2_acc_add_mul_fp(&a, m->eqr[w], f[z * W + w]);
            o[z] = cairn_fp2_acc_reduce(&a);
        }
    }
}

cairn_status sc_small_bind(sc_inst *in, cairn_fp2 r, int *handled, cairn_error *err)
{
    *handled = 0;
    if (in->sv_acc == NULL || in->round >= in->sv_rounds)
        return CAIRN_OK;
    *handled = 1;
    in->sv_r[in->round] = r;
    if (in->round + 1 < in->sv_rounds)
        return CAIRN_OK;
    if (!in->has_tables) { /* streaming: the passes of the later rounds take over */
        sc_small_clear(in);
        return CAIRN_OK;
    }
    /* the switch: bind all L variables at once */
    size_t L = in->sv_rounds, half = in->len >> L;
    cairn_fp2 eqr[(size_t)1 << SC_SMALL_MAX_ROUNDS];
    (void)cairn_poly_eq_table(eqr, in->sv_r, L);
    struct sv_mat m = {in, eqr, in->own_fp2, L, half, 1};
    in->len_own = half;
    for (size_t c = 0; c < in->k; c++) {
        in->own_fp2[c] = sc_alloc(in->mem, half * sizeof(cairn_fp2));
        if (in->own_fp2[c] == NULL)
            return cairn_error_set(err, CAIRN_ERR_NOMEM, "sum-check: folded table of %zu entries",
                                   half);
    }
    m.chunks = cairn_pool_chunks(half, SV_MAT_MIN);
    cairn_pool_run(m.chunks, sv_mat_chunk, &m);
    for (size_t c = 0; c < in->k; c++) {
        in->src_fp2[c] = in->own_fp2[c];
        in->src_fp[c] = NULL;
        if (in->own_fp[c] != NULL) {
            sc_free(in->mem, in->own_fp[c], in->len * sizeof(cairn_fp));
            in->own_fp[c] = NULL;
        }
    }
    in->len = half;
    sc_small_clear(in);
    return CAIRN_OK;
}
