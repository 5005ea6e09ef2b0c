/*
 * ntt.c — forward/inverse/coset NTTs over Goldilocks and the Reed–Solomon
 * encoder.  Contract in include/cairn/ntt.h; algorithm notes in docs/ntt.md.
 *
 * Algorithm: a natural-order input is permuted into bit-reversed order (a
 * cache-blocked tile permutation for large sizes), then radix-2
 * decimation-in-time stages run from half-size 1 upwards, paired into
 * radix-4 passes, and blocked so that the early stages of each L1/L2-sized
 * block finish before the next block is touched.  The output is in natural
 * order.  The inverse uses DFT^-1(y)[i] = n^-1 * DFT(y)[-i mod n]: the
 * forward transform followed by reversing indices 1..n-1 and scaling.
 *
 * Invariants: every word stored back into a cairn_fp array is canonical
 * (< p); the arithmetic helpers below take and return canonical words.
 * Stage s (1 <= s <= 32) uses the table tw_stage[s][j] = w_{2^s}^j,
 * j < 2^(s-1), where w_m = cairn_fp_root_of_unity(log2 m); these roots are
 * consistent (w_{2m}^2 = w_m) because field.c derives every one of them by
 * squaring the same 2^32-th root, which lets stage s's table be built from
 * stage s-1's.
 *
 * Reference: Cooley–Tukey (1965); the bit-reversal tiling follows the usual
 * "swap transposed tiles" idea (cf. Carter & Gatlin, "Towards an optimal
 * bit-reversal permutation program", FOCS 1998).
 */
#include "cairn/ntt.h"

#include "cairn/pool.h"
#include "cairn/simd.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t u64;

#define P CAIRN_FP_P

/* ---- arithmetic on canonical words ---------------------------------------- */

/*
 * The transforms work on raw words (the arrays are cairn_fp, which is a
 * one-word struct); these wrappers reuse the branch-free field operations
 * of cairn/field.h and compile to the same instructions.
 */
static inline u64 fadd(u64 a, u64 b) { return cairn_fp_add(cairn_fp_make(a), cairn_fp_make(b)).v; }
static inline u64 fsub(u64 a, u64 b) { return cairn_fp_sub(cairn_fp_make(a), cairn_fp_make(b)).v; }
static inline u64 fmul(u64 a, u64 b) { return cairn_fp_mul(cairn_fp_make(a), cairn_fp_make(b)).v; }

/*
 * The vector kernels (cairn/simd.h) take cairn_fp arrays; cairn_fp is a
 * struct of one uint64_t, so the words of these arrays are its members.
 * Runs shorter than SIMD_MIN butterflies stay in the scalar loops (4: one
 * AVX2 vector; the AVX-512 kernels pass runs shorter than 8 to the
 * portable loop themselves).
 */
#define SIMD_MIN 4u
static inline cairn_fp *as_fp(u64 *x) { return (cairn_fp *)(void *)x; }
static inline const cairn_fp *as_cfp(const u64 *x) { return (const cairn_fp *)(const void *)x; }

/* ---- twiddle cache -------------------------------------------------------- */

/*
 * tw_stage[s] (s = 1..32) holds w_{2^s}^j for j < 2^(s-1).  Tables 1..tw_built
 * are complete and read-only; tw_built only grows (until cleanup), and is
 * stored with release order after the tables it covers, so a reader that
 * loads it with acquire order may read those tables without the lock.
 */
static pthread_mutex_t tw_lock = PTHREAD_MUTEX_INITIALIZER;
static u64 *tw_stage[CAIRN_NTT_MAX_LOG_N + 1];
static atomic_uint tw_built;

/*
 * Makes sure the tables for stages 1..log_n exist, building the missing ones
 * under the lock.  Stage s's table is stage s-1's interleaved with its
 * elements times w_{2^s}: w_{2^s}^(2j) = w_{2^(s-1)}^j, so each new table
 * costs half its length in multiplications, all independent.
 */
static cairn_status twiddles_ensure(unsigned log_n)
{
    if (atomic_load_explicit(&tw_built, memory_order_acquire) >= log_n)
        return CAIRN_OK;
    cairn_status st = CAIRN_OK;
    pthread_mutex_lock(&tw_lock);
    unsigned built = atomic_load_explicit(&tw_built, memory_order_relaxed);
    for (unsigned s = built + 1; s <= log_n; s++) {
        size_t h = (size_t)1 << (s - 1);
        u64 *t = malloc(h * sizeof *t);
        if (t == NULL) {
            st = CAIRN_ERR_NOMEM;
            break;
        }
        if (s == 1) {
            t[0] = 1;
        } else {
            const u64 *prev = tw_stage[s - 1];
            u64 w = cairn_fp_root_of_unity(s).v;
            for (size_t j = 0; j < h / 2; j++) {
                t[2 * j] = prev[j];
                t[2 * j + 1] = fmul(prev[j], w);
            }
        }
        tw_stage[s] = t;
        atomic_store_explicit(&tw_built, s, memory_order_release);
    }
    pthread_mutex_unlock(&tw_lock);
    return st;
}

void cairn_ntt_cleanup(void)
{
    pthread_mutex_lock(&tw_lock);
    unsigned built = atomic_load_explicit(&tw_built, memory_order_relaxed);
    for (unsigned s = 1; s <= built; s++) {
        free(tw_stage[s]);
        tw_stage[s] = NULL;
    }
    atomic_store_explicit(&tw_built, 0u, memory_order_release);
    pthread_mutex_unlock(&tw_lock);
}

/* ---- bit-reversal permutation -------------------------------------------- */

/* The low `bits` bits of x, reversed (bits <= 32). */
static inline u64 rev_bits(u64 x, unsigned bits)
{
    uint32_t v = (uint32_t)x;
    v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
    v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
    v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
    v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
    v = (v >> 16) | (v << 16);
    return bits == 0 ? 0 : (u64)(v >> (32 - bits));
}

/* Tile side of the blocked permutation: 2^TILE_BITS elements per tile row. */
#define TILE_BITS 5u
#define TILE ((size_t)1 << TILE_BITS)

/* Fewest elements a pool chunk of a transform pass gets (below, one chunk). */
#define PAR_MIN ((size_t)1 << 13)

/*
 * Permutes x (length 2^log_n) so that x[rev(i)] holds what x[i] held.  Small
 * arrays swap pairs directly.  Large ones write the index as (a, m, c) with
 * a and c of TILE_BITS bits: rev(a, m, c) = (rev c, rev m, rev a), so the
 * tile of all (a, c) for one m maps onto the tile for rev m, transposed and
 * with both coordinates reversed.  Each tile is 2^TILE_BITS short rows of
 * contiguous elements, so both the reads and the writes stay within a few
 * cache lines per row instead of touching one line per element.
 */
struct bitrev_job {
    u64 *x;
    unsigned log_n;
    size_t chunks;
};

/* The tiles m in [m0, m1) of the blocked permutation (each with its partner rev m). */
static void bitrev_tiles(u64 *x, unsigned log_n, size_t m0, size_t m1)
{
    unsigned mbits = log_n - 2 * TILE_BITS;
    size_t row = (size_t)1 << (log_n - TILE_BITS); /* distance between a and a + 1 */
    size_t rt[TILE];
    u64 ta[TILE * TILE], tb[TILE * TILE];
    for (size_t i = 0; i < TILE; i++)
        rt[i] = (size_t)rev_bits(i, TILE_BITS);
    for (size_t m = m0; m < m1; m++) {
        size_t mr = (size_t)rev_bits(m, mbits);
        if (mr < m)
            continue;
        u64 *xm = x + (m << TILE_BITS), *xr = x + (mr << TILE_BITS);
        for (size_t a = 0; a < TILE; a++)
            memcpy(ta + a * TILE, xm + a * row, TILE * sizeof *ta);
        if (mr != m) {
            for (size_t a = 0; a < TILE; a++)
                memcpy(tb + a * TILE, xr + a * row, TILE * sizeof *tb);
            for (size_t c = 0; c < TILE; c++) {
                u64 *dm = xm + rt[c] * row, *dr = xr + rt[c] * row;
                for (size_t a = 0; a < TILE; a++) {
                    dr[rt[a]] = ta[a * TILE + c];
                    dm[rt[a]] = tb[a * TILE + c];
                }
            }
        } else {
            for (size_t c = 0; c < TILE; c++) {
                u64 *dm = xm + rt[c] * row;
                for (size_t a = 0; a < TILE; a++)
                    dm[rt[a]] = ta[a * TILE + c];
            }
        }
    }
}

/* Pool chunk: an equal share of the tiles. */
static void bitrev_chunk(void *ctx, size_t c)
{
    const struct bitrev_job *j = ctx;
    size_t mcount = (size_t)1 << (j->log_n - 2 * TILE_BITS);
    bitrev_tiles(j->x, j->log_n, mcount * c / j->chunks, mcount * (c + 1) / j->chunks);
}

/*
 * Permutes x (length 2^log_n) so that x[rev(i)] holds what x[i] held.  Small
 * arrays swap pairs directly.  Large ones write the index as (a, m, c) with
 * a and c of TILE_BITS bits: rev(a, m, c) = (rev c, rev m, rev a), so the
 * tile of all (a, c) for one m maps onto the tile for rev m, transposed and
 * with both coordinates reversed.  Each tile is 2^TILE_BITS short rows of
 * contiguous elements, so both the reads and the writes stay within a few
 * cache lines per row instead of touching one line per element.  A tile
 * pair is handled by the iteration of its smaller index, so ranges of m
 * are independent and run on the thread pool.
 */
static void bitrev_permute(u64 *x, unsigned log_n)
{
    size_t n = (size_t)1 << log_n;
    if (log_n < 2 * TILE_BITS) {
        for (size_t i = 0; i < n; i++) {
            size_t j = (size_t)rev_bits(i, log_n);
            if (i < j) {
                u64 t = x[i];
                x[i] = x[j];
                x[j] = t;
            }
        }
        return;
    }
    struct bitrev_job j = {x, log_n, cairn_pool_chunks(n, PAR_MIN)};
    cairn_pool_run(j.chunks, bitrev_chunk, &j);
}

/* ---- decimation-in-time stages ------------------------------------------- */

/*
 * Stages 1 and 2 together on blocks of four: stage 1 has only the twiddle 1,
 * stage 2 the twiddles 1 and w_4, so a block costs one multiplication.
 */
static void stages_1_2(u64 *x, size_t len)
{
    u64 w4 = tw_stage[2][1];
    for (size_t i = 0; i < len; i += 4) {
        u64 b0 = fadd(x[i], x[i + 1]), b1 = fsub(x[i], x[i + 1]);
        u64 b2 = fadd(x[i + 2], x[i + 3]), b3 = fmul(fsub(x[i + 2], x[i + 3]), w4);
        x[i] = fadd(b0, b2);
        x[i + 2] = fsub(b0, b2);
        x[i + 1] = fadd(b1, b3);
        x[i + 3] = fsub(b1, b3);
    }
}

/* Stage 1 alone: butterflies on neighbours, no multiplication. */
static void stage_1(u64 *x, size_t len)
{
    for (size_t i = 0; i < len; i += 2) {
        u64 a = x[i], b = x[i + 1];
        x[i] = fadd(a, b);
        x[i + 1] = fsub(a, b);
    }
}

/*
 * One radix-2 stage s: (u, v) -> (u + t v, u - t v) at distance h = 2^(s-1),
 * on the butterflies g in [g0, g1) of the flat order g = block * h + j.
 */
static void stage_r2(u64 *x, unsigned s, size_t g0, size_t g1)
{
    size_t h = (size_t)1 << (s - 1);
    const u64 *t = tw_stage[s];
    const cairn_simd_set *K = cairn_simd_kernels();
    for (size_t g = g0; g < g1;) {
        size_t blk = g / h, j = g % h, end = (blk + 1) * h < g1 ? h : j + (g1 - g);
        u64 *lo = x + blk * 2 * h, *hi = lo + h;
        if (end - j >= SIMD_MIN) {
            K->butterfly(as_fp(lo + j), as_fp(hi + j), as_cfp(t + j), end - j);
            j = end;
        }
        for (; j < end; j++) {
            u64 a = lo[j], b = fmul(hi[j], t[j]);
            lo[j] = fadd(a, b);
            hi[j] = fsub(a, b);
        }
        g = blk * h + end;
    }
}

/*
 * Stages s and s+1 in one pass (radix 4): each group of four elements at
 * distance h = 2^(s-1) goes through both stages while in registers, which
 * halves the passes over memory.  Groups g in [g0, g1), g = block * h + j.
 */
static void stage_r4(u64 *x, unsigned s, size_t g0, size_t g1)
{
    size_t h = (size_t)1 << (s - 1);
    const u64 *t1 = tw_stage[s], *t2 = tw_stage[s + 1];
    const cairn_simd_set *K = cairn_simd_kernels();
    for (size_t g = g0; g < g1;) {
        size_t blk = g / h, j = g % h, end = (blk + 1) * h < g1 ? h : j + (g1 - g);
        u64 *x0 = x + blk * 4 * h, *x1 = x0 + h, *x2 = x1 + h, *x3 = x2 + h;
        if (end - j >= SIMD_MIN) {
            K->butterfly4(as_fp(x0 + j), as_fp(x1 + j), as_fp(x2 + j), as_fp(x3 + j),
                          as_cfp(t1 + j), as_cfp(t2 + j), as_cfp(t2 + j + h), end - j);
            j = end;
        }
        for (; j < end; j++) {
            u64 w = t1[j];
            u64 m1 = fmul(x1[j], w), m3 = fmul(x3[j], w);
            u64 b0 = fadd(x0[j], m1), b1 = fsub(x0[j], m1);
            u64 b2 = fadd(x2[j], m3), b3 = fsub(x2[j], m3);
            u64 n2 = fmul(b2, t2[j]), n3 = fmul(b3, t2[j + h]);
            x0[j] = fadd(b0, n2);
            x2[j] = fsub(b0, n2);
            x1[j] = fadd(b1, n3);
            x3[j] = fsub(b1, n3);
        }
        g = blk * h + end;
    }
}

/* One pass over an array: radix 4 (stages s, s+1) or radix 2 (stage s). */
struct stage_job {
    u64 *x;
    unsigned s, radix;
    size_t groups, chunks;
};

/* Pool chunk: an equal share of the pass's butterfly groups. */
static void stage_chunk(void *ctx, size_t c)
{
    const struct stage_job *j = ctx;
    size_t g0 = j->groups * c / j->chunks, g1 = j->groups * (c + 1) / j->chunks;
    if (j->radix == 4)
        stage_r4(j->x, j->s, g0, g1);
    else
        stage_r2(j->x, j->s, g0, g1);
}

/* One pass (radix 2 or 4 from stage s) over x of length len, on the pool when `par`. */
static void stage_pass(u64 *x, size_t len, unsigned s, unsigned radix, int par)
{
    struct stage_job j = {x, s, radix, len / radix, 1};
    if (par)
        j.chunks = cairn_pool_chunks(len, PAR_MIN);
    if (j.chunks == 1) {
        stage_chunk(&j, 0);
        return;
    }
    cairn_pool_run(j.chunks, stage_chunk, &j);
}

/* Stages from..to (1-based, inclusive) over every block of x (length len). */
static void run_stages(u64 *x, size_t len, unsigned from, unsigned to, int par)
{
    unsigned s = from;
    if (s == 1 && to >= 4) {
        cairn_simd_kernels()->ntt16(as_fp(x), len, as_cfp(tw_stage[2]), as_cfp(tw_stage[3]),
                                    as_cfp(tw_stage[4]));
        s = 5;
    } else if (s == 1 && to >= 2) {
        stages_1_2(x, len);
        s = 3;
    } else if (s == 1 && to == 1) {
        stage_1(x, len);
        s = 2;
    }
    for (; s + 1 <= to; s += 2)
        stage_pass(x, len, s, 4, par);
    if (s == to)
        stage_pass(x, len, s, 2, par);
}

/* Block sizes (log2) at which the stages are cut: about L1 and L2. */
static const unsigned block_levels[] = {11, 16};

struct dit_job {
    u64 *x;
    unsigned b, done;
};

static void dit_rec(u64 *x, unsigned log_len, unsigned done, int par);

/* Pool chunk: the early stages of one aligned block. */
static void dit_block(void *ctx, size_t c)
{
    const struct dit_job *j = ctx;
    dit_rec(j->x + (c << j->b), j->b, j->done, 0);
}

/*
 * Runs stages done+1..log_len on x (length 2^log_len, bit-reversed input
 * with stages 1..done already applied).  The early stages only mix elements
 * within aligned blocks, so when the array is larger than a cache level all
 * of them are finished block by block (recursively, for the smaller level)
 * before the remaining stages sweep the whole array.  At the top level
 * (`par`) the blocks are independent chunks of the thread pool and the
 * sweeping stages are cut into ranges of butterflies; every element gets
 * the same operations in the same order as with one thread.
 */
static void dit_rec(u64 *x, unsigned log_len, unsigned done, int par)
{
    unsigned b = 0;
    for (size_t i = sizeof block_levels / sizeof block_levels[0]; i-- > 0;) {
        if (block_levels[i] < log_len) {
            b = block_levels[i];
            break;
        }
    }
    if (b > done) {
        struct dit_job j = {x, b, done};
        size_t blocks = (size_t)1 << (log_len - b);
        if (par) {
            cairn_pool_run(blocks, dit_block, &j);
        } else {
            for (size_t c = 0; c < blocks; c++)
                dit_block(&j, c);
        }
        done = b;
    }
    if (done < log_len)
        run_stages(x, (size_t)1 << log_len, done + 1, log_len, par);
}

static void dit(u64 *x, unsigned log_len, unsigned done) { dit_rec(x, log_len, done, 1); }

/* ---- transforms ----------------------------------------------------------- */

/*
 * Accepts len = 2^lg with lg <= CAIRN_NTT_MAX_LOG_N and stores lg; anything
 * else is CAIRN_ERR_ARG with a message naming the caller (`what`).
 */
static cairn_status check_size(size_t len, unsigned *log_out, const char *what, cairn_error *err)
{
    if (len == 0 || (len & (len - 1)) != 0)
        return cairn_error_set(err, CAIRN_ERR_ARG, "%s: length %zu is not a power of two", what,
                               len);
    unsigned lg = 0;
    while (((size_t)1 << lg) < len)
        lg++;
    if (lg > CAIRN_NTT_MAX_LOG_N)
        return cairn_error_set(err, CAIRN_ERR_ARG, "%s: length 2^%u exceeds the maximum 2^%u",
                               what, lg, CAIRN_NTT_MAX_LOG_N);
    *log_out = lg;
    return CAIRN_OK;
}

/* The CAIRN_ERR_NOMEM report for a twiddle table that could not be allocated. */
static cairn_status nomem(cairn_error *err, const char *what, unsigned log_n)
{
    return cairn_error_set(err, CAIRN_ERR_NOMEM, "%s: cannot allocate twiddles for size 2^%u",
                           what, log_n);
}

/* Forward transform on raw words; twiddles for log_n must exist. */
static void forward_raw(u64 *x, unsigned log_n)
{
    bitrev_permute(x, log_n);
    dit(x, log_n, 0);
}

struct negate_job {
    u64 *x;
    size_t n, chunks;
    u64 scale;
};

/*
 * Pool chunk: x[i] <-> x[n - i] for its share of 0 < i < n/2, each times
 * the scale; chunk 0 also scales x[0] and x[n/2], which have no partner.
 */
static void negate_chunk(void *ctx, size_t c)
{
    const struct negate_job *j = ctx;
    u64 *x = j->x, sc = j->scale;
    size_t n = j->n, half = n / 2;
    size_t i0 = 1 + (half - 1) * c / j->chunks, i1 = 1 + (half - 1) * (c + 1) / j->chunks;
    if (sc == 1) {
        for (size_t i = i0; i < i1; i++) {
            u64 t = x[i];
            x[i] = x[n - i];
            x[n - i] = t;
        }
        return;
    }
    if (c == 0) {
        x[0] = fmul(x[0], sc);
        if (n > 1)
            x[half] = fmul(x[half], sc);
    }
    for (size_t i = i0; i < i1; i++) {
        u64 t = x[i];
        x[i] = fmul(x[n - i], sc);
        x[n - i] = fmul(t, sc);
    }
}

/*
 * Inverse transform without the division by n: the forward transform, then
 * x[i] <-> x[n - i] for 0 < i < n/2 (index negation mod n), each element
 * multiplied by `scale` on the way (scale = 1 skips the multiplications).
 */
static void inverse_raw(u64 *x, unsigned log_n, u64 scale)
{
    size_t n = (size_t)1 << log_n;
    forward_raw(x, log_n);
    struct negate_job j = {x, n, n >= 4 ? cairn_pool_chunks(n, PAR_MIN) : 1, scale};
    if (n < 4) {
        /* no pairs: only the scaling of x[0] and x[n/2] */
        if (scale != 1) {
            x[0] = fmul(x[0], scale);
            if (n > 1)
                x[1] = fmul(x[1], scale);
        }
        return;
    }
    cairn_pool_run(j.chunks, negate_chunk, &j);
}

/* n^-1 = (p + 1) / 2 raised to log_n, i.e. 2^-log_n. */
static u64 inv_pow2(unsigned log_n)
{
    return cairn_fp_pow(cairn_fp_make((P + 1) / 2), log_n).v;
}

/* Running powers of scale_range: this many, each advancing by g^SCALE_RUN. */
#define SCALE_RUN 64u

/*
 * x[i] = in[i] * c * g^i for i in [i0, i1) (in == x scales in place).
 * SCALE_RUN running powers c g^(i+k) multiply a run of in with the kernel
 * set's element-wise product, then all advance by g^SCALE_RUN with its
 * scaling, so the products are independent and vectorised; the powers are
 * the same field elements as one serial chain would give.
 */
static void scale_range(u64 *x, const u64 *in, size_t i0, size_t i1, u64 c, u64 g)
{
    u64 pw[SCALE_RUN];
    const cairn_simd_set *K = cairn_simd_kernels();
    pw[0] = fmul(c, cairn_fp_pow(cairn_fp_make(g), (uint64_t)i0).v);
    for (size_t k = 1; k < SCALE_RUN; k++)
        pw[k] = fmul(pw[k - 1], g);
    cairn_fp step = cairn_fp_pow(cairn_fp_make(g), SCALE_RUN);
    size_t i = i0;
    for (; i + SCALE_RUN <= i1; i += SCALE_RUN) {
        K->mul(as_fp(x + i), as_cfp(in + i), as_cfp(pw), SCALE_RUN);
        K->scale(as_fp(pw), as_cfp(pw), step, SCALE_RUN);
    }
    for (size_t k = 0; i + k < i1; k++)
        x[i + k] = fmul(in[i + k], pw[k]);
}

struct scale_job {
    u64 *x;
    const u64 *in;
    size_t n, chunks;
    u64 c, g;
};

/* Pool chunk: its share of the indices. */
static void scale_chunk(void *ctx, size_t c)
{
    const struct scale_job *j = ctx;
    scale_range(j->x, j->in, j->n * c / j->chunks, j->n * (c + 1) / j->chunks, j->c, j->g);
}

/* x[i] = in[i] * c * g^i for every i < n (in == x: in place), on the thread pool. */
static void scale_by_powers(u64 *x, const u64 *in, size_t n, u64 c, u64 g)
{
    struct scale_job j = {x, in, n, cairn_pool_chunks(n, PAR_MIN), c, g};
    cairn_pool_run(j.chunks, scale_chunk, &j);
}

cairn_status cairn_ntt_forward(cairn_fp *data, size_t data_len, cairn_error *err)
{
    unsigned lg;
    cairn_status st = check_size(data_len, &lg, "ntt forward", err);
    if (st != CAIRN_OK)
        return st;
    if (twiddles_ensure(lg) != CAIRN_OK)
        return nomem(err, "ntt forward", lg);
    forward_raw(&data->v, lg);
    return CAIRN_OK;
}

cairn_status cairn_ntt_inverse(cairn_fp *data, size_t data_len, cairn_error *err)
{
    unsigned lg;
    cairn_status st = check_size(data_len, &lg, "ntt inverse", err);
    if (st != CAIRN_OK)
        return st;
    if (twiddles_ensure(lg) != CAIRN_OK)
        return nomem(err, "ntt inverse", lg);
    inverse_raw(&data->v, lg, inv_pow2(lg));
    return CAIRN_OK;
}

cairn_status cairn_ntt_coset_forward(cairn_fp *data, size_t data_len, cairn_fp shift,
                                     cairn_error *err)
{
    unsigned lg;
    cairn_status st = check_size(data_len, &lg, "ntt coset forward", err);
    if (st != CAIRN_OK)
        return st;
    if (cairn_fp_is_zero(shift))
        return cairn_error_set(err, CAIRN_ERR_ARG, "ntt coset forward: shift is zero");
    if (twiddles_ensure(lg) != CAIRN_OK)
        return nomem(err, "ntt coset forward", lg);
    /* f(s x) has coefficients c_i s^i */
    scale_by_powers(&data->v, &data->v, data_len, 1, shift.v);
    forward_raw(&data->v, lg);
    return CAIRN_OK;
}

cairn_status cairn_ntt_coset_inverse(cairn_fp *data, size_t data_len, cairn_fp shift,
                                     cairn_error *err)
{
    unsigned lg;
    cairn_status st = check_size(data_len, &lg, "ntt coset inverse", err);
    if (st != CAIRN_OK)
        return st;
    if (cairn_fp_is_zero(shift))
        return cairn_error_set(err, CAIRN_ERR_ARG, "ntt coset inverse: shift is zero");
    if (twiddles_ensure(lg) != CAIRN_OK)
        return nomem(err, "ntt coset inverse", lg);
    /* interpolate f(s x), then undo the scaling: c_i = n^-1 * s^-i * (n c_i s^i) */
    inverse_raw(&data->v, lg, 1);
    scale_by_powers(&data->v, &data->v, data_len, inv_pow2(lg), cairn_fp_inv(shift).v);
    return CAIRN_OK;
}

/*
 * The checks both encoders make on a message of msg_len elements at log2
 * blowup log_blowup in `form`: sizes, rate, form and the codeword's size
 * limit, with messages naming the caller (`what`).  Stores log2 k.
 */
static cairn_status rs_check(size_t msg_len, unsigned log_blowup, cairn_rs_form form,
                             unsigned *lk, const char *what, cairn_error *err)
{
    if (msg_len == 0 || (msg_len & (msg_len - 1)) != 0)
        return cairn_error_set(err, CAIRN_ERR_ARG, "%s: message length %zu is not a power of two",
                               what, msg_len);
    if (log_blowup < CAIRN_RS_MIN_LOG_BLOWUP || log_blowup > CAIRN_RS_MAX_LOG_BLOWUP)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "%s: log2 blowup %u outside %u..%u (rate 1/2 .. 1/16)", what,
                               log_blowup, CAIRN_RS_MIN_LOG_BLOWUP, CAIRN_RS_MAX_LOG_BLOWUP);
    if (form != CAIRN_RS_COEFFS && form != CAIRN_RS_EVALS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "%s: unknown message form %d", what,
                               (int)form);
    unsigned lg = 0;
    while (((size_t)1 << lg) < msg_len)
        lg++;
    if (lg + log_blowup > CAIRN_NTT_MAX_LOG_N)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "%s: codeword length 2^%u exceeds the maximum 2^%u", what,
                               lg + log_blowup, CAIRN_NTT_MAX_LOG_N);
    *lk = lg;
    return CAIRN_OK;
}

/*
 * Reed–Solomon encoding by one size-N transform with the first log_blowup
 * stages skipped.  Zero-padding k coefficients to N and permuting to
 * bit-reversed order puts coefficient rev_k(q) at position q * 2^b and zeros
 * elsewhere (b = log_blowup); the first b decimation-in-time stages then only
 * copy each such value across its block of 2^b, since a butterfly with a zero
 * partner outputs its other input twice.  So the encoder permutes the k
 * message coefficients (length k), spreads each over 2^b slots, and runs
 * stages b+1..log N: N log k butterflies instead of N log N, with no
 * transposition and the output already in natural order.
 */
cairn_status cairn_rs_encode(cairn_fp *codeword, size_t codeword_len, const cairn_fp *msg,
                             size_t msg_len, unsigned log_blowup, cairn_rs_form form,
                             cairn_error *err)
{
    unsigned lk;
    cairn_status st = rs_check(msg_len, log_blowup, form, &lk, "rs encode", err);
    if (st != CAIRN_OK)
        return st;
    unsigned ln = lk + log_blowup;
    if (codeword_len != (msg_len << log_blowup))
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "rs encode: codeword length %zu, expected %zu (= %zu << %u)",
                               codeword_len, msg_len << log_blowup, msg_len, log_blowup);
    if (twiddles_ensure(ln) != CAIRN_OK)
        return nomem(err, "rs encode", ln);

    u64 *x = &codeword->v;
    if (codeword != msg)
        memcpy(x, msg, msg_len * sizeof *msg);
    if (form == CAIRN_RS_EVALS)
        inverse_raw(x, lk, inv_pow2(lk));
    bitrev_permute(x, lk);
    /* spread from the top down: slot q moves to q << b >= q, never over an unread slot */
    size_t reps = (size_t)1 << log_blowup;
    for (size_t q = msg_len; q-- > 0;) {
        u64 v = x[q];
        u64 *d = x + (q << log_blowup);
        for (size_t r = 0; r < reps; r++)
            d[r] = v;
    }
    dit(x, ln, log_blowup);
    return CAIRN_OK;
}

/*
 * One coset of the encoding: position coset + (i << b) of the codeword is
 * f(w_N^coset w_k^i), the size-k transform of the coefficients c_i
 * w_N^(coset i).  So the coefficients (interpolated first for
 * CAIRN_RS_EVALS) are scaled by the running powers of w_N^coset and
 * transformed; the scaling is skipped for coset 0, whose twist is 1.
 */
cairn_status cairn_rs_encode_coset(cairn_fp *out, size_t out_len, const cairn_fp *msg,
                                   size_t msg_len, unsigned log_blowup, size_t coset,
                                   cairn_rs_form form, cairn_error *err)
{
    unsigned lk;
    cairn_status st = rs_check(msg_len, log_blowup, form, &lk, "rs encode coset", err);
    if (st != CAIRN_OK)
        return st;
    if (out_len != msg_len)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "rs encode coset: output length %zu, expected the message's %zu",
                               out_len, msg_len);
    if ((coset >> log_blowup) != 0)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "rs encode coset: coset %zu outside 0..%zu (log2 blowup %u)", coset,
                               ((size_t)1 << log_blowup) - 1, log_blowup);
    if (twiddles_ensure(lk) != CAIRN_OK)
        return nomem(err, "rs encode coset", lk);

    u64 *x = &out->v;
    const u64 *in = &msg->v;
    if (form == CAIRN_RS_EVALS) {
        if (out != msg)
            memcpy(x, in, msg_len * sizeof *msg);
        inverse_raw(x, lk, inv_pow2(lk));
        in = x;
    }
    if (coset != 0) {
        /* the twist writes out, so a copy is needed only for coset 0 */
        cairn_fp twist = cairn_fp_pow(cairn_fp_root_of_unity(lk + log_blowup), (uint64_t)coset);
        scale_by_powers(x, in, msg_len, 1, twist.v);
    } else if (in != x) {
        memcpy(x, in, msg_len * sizeof *msg);
    }
    forward_raw(x, lk);
    return CAIRN_OK;
}
