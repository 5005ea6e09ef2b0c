/*
 * stream.c — the streaming sum-check prover (Nair–Thaler–Zhu, ePrint
 * 2025/611, §3; Thaler's notes §4.1 for the basic pass).
 *
 * Round i < j is one pass over the row source.  With r_0..r_{i-1} bound, the
 * partially bound input at (X, x'') is
 *     f_c(r_{<i}, X, x'') = sum_{y in {0,1}^i} eq(r_{<i}, y) f_c(y + 2^i X + 2^(i+1) x''),
 * so the rows of one block of 2^(i+1) consecutive indices give the pair
 * (X = 0, X = 1) for one x'': each row adds eq(r_{<i}, y) times its values to
 * the low or high accumulator, and the block's last row hands the pair to
 * the same kernel the in-memory prover uses (weight eq(tau_{>i}, x'') from
 * the split tables).  Pass j materialises the tables
 *     F_c[x] = sum_{y in {0,1}^j} eq(r_{<j}, y) f_c(y + 2^j x),   x < 2^(n-j),
 * (for j = 0, plain copies of the base-field columns), after which rounds
 * j..n-1 run in memory.  Field arithmetic is exact, so every round
 * polynomial equals the in-memory prover's and the proofs are identical.
 *
 * Memory: eq(r_{<j}, .) (2^j extension elements) and the materialised tables
 * (k 2^(n-j) extension elements) plus O(k + 2^(n/2)) scratch; time: j passes
 * of 2^n k extension-by-base products each, plus the in-memory rounds.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/poly.h"
#include "cairn/pool.h"
#include "sumcheck_internal.h"

struct pass {
    sc_inst *in;
    sc_plan pl;
    size_t i; /* round of this pass; for the materialising pass, j */
    int materialise;
    const cairn_fp2 *eqr; /* eq(r_{<i}, .) */
    const size_t *cols;
    size_t width, k, a;
    cairn_fp2 *lo, *hi;  /* k each */
    cairn_fp *lob, *hib; /* k each (round 0) */
    cairn_fp2 **tab;     /* materialised extension tables (j >= 1) */
    cairn_fp **tabb;     /* materialised base tables (j = 0) */
};

static size_t col_of(const struct pass *ps, size_t c)
{
    return ps->cols != NULL ? ps->cols[c] : c;
}

/* Fixed scratch of the prover besides eq(r) and the tables (matches sc_inst_init and this file). */
static uint64_t fixed_bytes(size_t n, size_t k, size_t terms_len)
{
    size_t rest = n > 0 ? n - 1 : 0;
    uint64_t S = SC_MAX_PTS;
    uint64_t split = ((uint64_t)1 << (rest / 2)) + ((uint64_t)1 << (rest - rest / 2));
    return 4u * k * sizeof(void *) + 2u * terms_len * S * sizeof(cairn_fp2) +
           k * S * (sizeof(cairn_fp2) + sizeof(cairn_fp)) + split * sizeof(cairn_fp2) +
           2u * k * (sizeof(cairn_fp2) + sizeof(cairn_fp)) + 2u * k * sizeof(void *);
}

size_t cairn_sumcheck_stream_bytes(size_t n, size_t k, size_t j, size_t terms_len)
{
    if (n > CAIRN_SUMCHECK_MAX_VARS || j > n || k > CAIRN_SUMCHECK_MAX_INPUTS ||
        terms_len > CAIRN_SUMCHECK_MAX_TERMS)
        return SIZE_MAX;
    uint64_t b = fixed_bytes(n, k, terms_len);
    if (j == 0)
        /* k base columns, plus one folded column while the first fold runs */
        b += (uint64_t)(k + 1) * ((uint64_t)1 << n) * sizeof(cairn_fp) + sizeof(cairn_fp2);
    else
        b += (uint64_t)k * ((uint64_t)1 << (n - j)) * sizeof(cairn_fp2) +
             ((uint64_t)1 << j) * sizeof(cairn_fp2);
    return b > SIZE_MAX ? SIZE_MAX : (size_t)b;
}

/* The per-thread state of a round pass: pair accumulators, kernel values, term sums. */
struct rows_scratch {
    cairn_fp2 *lo, *hi, *vals, *acc;
    cairn_fp *lob, *hib, *valsb;
};

/*
 * Rows [first, first + count) of a round pass into `sc`.  The block of the
 * row's pair ends at the row with all of bits 0..i set; then the pair goes
 * through the kernel (into sc->acc) and the pair accumulators restart.
 */
static void round_rows_range(const struct pass *ps, struct rows_scratch *sc, uint64_t first,
                             const cairn_fp *rows, size_t count)
{
    sc_inst *in = ps->in;
    size_t i = ps->i, k = ps->k;
    uint64_t ymask = ((uint64_t)1 << i) - 1, bmask = ((uint64_t)1 << (i + 1)) - 1;
    for (size_t r = 0; r < count; r++) {
        uint64_t x = first + r;
        const cairn_fp *row = rows + r * ps->width;
        int high = (int)((x >> i) & 1);
        if (i == 0) {
            cairn_fp *dst = high ? sc->hib : sc->lob;
            for (size_t c = 0; c < k; c++)
                dst[c] = row[col_of(ps, c)];
        } else {
            cairn_fp2 *dst = high ? sc->hi : sc->lo;
            cairn_fp2 e = ps->eqr[x & ymask];
            for (size_t c = 0; c < k; c++)
                dst[c] = cairn_fp2_add(dst[c], cairn_fp2_mul_fp(e, row[col_of(ps, c)]));
        }
        if ((x & bmask) != bmask)
            continue;
        uint64_t xx = x >> (i + 1);
        cairn_fp2 w, *wp = NULL;
        if (in->tau != NULL) {
            w = cairn_fp2_mul(in->ea[xx & (((uint64_t)1 << ps->a) - 1)], in->eb[xx >> ps->a]);
            wp = &w;
        }
        if (i == 0) {
            for (size_t c = 0; c < k; c++)
                sc_fill_vals_fp(sc->valsb, c, sc->lob[c], sc->hib[c], ps->pl.e);
            sc_accumulate_fp(sc->acc, in->expr, &ps->pl, sc->valsb, wp);
        } else {
            for (size_t c = 0; c < k; c++) {
                sc_fill_vals(sc->vals, c, sc->lo[c], sc->hi[c], ps->pl.e);
                sc->lo[c] = cairn_fp2_zero();
                sc->hi[c] = cairn_fp2_zero();
            }
            sc_accumulate(sc->acc, in->expr, &ps->pl, sc->vals, wp);
        }
    }
}

/* Fewest rows a pool chunk of a streamed pass gets. */
#define STREAM_PAR_MIN_ROWS ((size_t)1 << 12)

struct rows_job {
    const struct pass *ps;
    struct rows_scratch *sc; /* one per chunk */
    uint64_t first;
    const cairn_fp *rows;
    size_t blocks, bsize, chunks;
};

/* Pool chunk: its share of the whole blocks, from fresh pair accumulators into its own sums. */
static void round_rows_chunk(void *ctx, size_t c)
{
    const struct rows_job *j = ctx;
    size_t b0 = j->blocks * c / j->chunks, b1 = j->blocks * (c + 1) / j->chunks;
    size_t k = j->ps->k, terms = j->ps->in->expr->terms_len;
    struct rows_scratch *sc = &j->sc[c];
    for (size_t q = 0; q < k; q++)
        sc->lo[q] = sc->hi[q] = cairn_fp2_zero();
    sc_acc_zero(sc->acc, terms);
    round_rows_range(j->ps, sc, j->first + b0 * j->bsize, j->rows + b0 * j->bsize * j->ps->width,
                     (b1 - b0) * j->bsize);
}

/*
 * Consumer of a round pass.  The rows that finish a block begun in the
 * previous chunk and the rows of a block left unfinished at the end run on
 * the pass's own state; the whole blocks between them are cut into chunks
 * of the thread pool, each with fresh pair accumulators (a block starts
 * with them at zero) and its own term sums, added to the pass's in chunk
 * order.  The chunk count depends only on the rows delivered.
 */
static cairn_status round_rows(void *ctx, uint64_t first, const cairn_fp *rows, size_t count,
                               cairn_error *err)
{
    struct pass *ps = ctx;
    sc_inst *in = ps->in;
    size_t k = ps->k, terms = in->expr->terms_len, S = SC_MAX_PTS;
    struct rows_scratch own = {ps->lo, ps->hi, in->vals, in->acc, ps->lob, ps->hib, in->valsb};
    size_t bsize = (size_t)1 << (ps->i + 1);
    size_t head = (size_t)((bsize - (first & (bsize - 1))) & (bsize - 1));
    (void)err;
    if (head > count)
        head = count;
    round_rows_range(ps, &own, first, rows, head);
    struct rows_job j = {ps, NULL, first + head, rows + head * ps->width, (count - head) / bsize,
                         bsize, 1};
    j.chunks = cairn_pool_chunks(j.blocks * bsize, STREAM_PAR_MIN_ROWS);
    if (j.chunks > j.blocks)
        j.chunks = j.blocks > 0 ? j.blocks : 1;
    void *mem = NULL;
    if (j.chunks > 1) {
        size_t per = (2 * k + k * S + terms * S) * sizeof(cairn_fp2) +
                     (2 * k + k * S) * sizeof(cairn_fp);
        j.sc = malloc(j.chunks * sizeof *j.sc);
        mem = malloc(j.chunks * per);
        if (j.sc == NULL || mem == NULL) {
            free(j.sc);
            free(mem);
            j.sc = NULL;
            mem = NULL;
        }
    }
    if (j.sc == NULL) {
        round_rows_range(ps, &own, j.first, j.rows, j.blocks * bsize);
    } else {
        cairn_fp2 *e = mem;
        for (size_t c = 0; c < j.chunks; c++) {
            j.sc[c].lo = e;
            j.sc[c].hi = e + k;
            j.sc[c].vals = e + 2 * k;
            j.sc[c].acc = e + 2 * k + k * S;
            e += 2 * k + k * S + terms * S;
        }
        cairn_fp *f = (cairn_fp *)e;
        for (size_t c = 0; c < j.chunks; c++) {
            j.sc[c].lob = f;
            j.sc[c].hib = f + k;
            j.sc[c].valsb = f + 2 * k;
            f += 2 * k + k * S;
        }
        cairn_pool_run(j.chunks, round_rows_chunk, &j);
        for (size_t c = 0; c < j.chunks; c++)
            for (size_t ix = 0; ix < terms * S; ix++)
                in->acc[ix] = cairn_fp2_add(in->acc[ix], j.sc[c].acc[ix]);
        free(j.sc);
        free(mem);
    }
    size_t done = head + j.blocks * bsize;
    round_rows_range(ps, &own, first + done, rows + done * ps->width, count - done);
    return CAIRN_OK;
}

/*
 * Rows [first, first + count) of the materialising pass, one at a time:
 * F_c[x >> j] += eq(r_{<j}, x mod 2^j) f_c(x).
 */
static void materialise_range(const struct pass *ps, uint64_t first, const cairn_fp *rows,
                              size_t count)
{
    size_t j = ps->i, k = ps->k;
    uint64_t ymask = ((uint64_t)1 << j) - 1;
    for (size_t r = 0; r < count; r++) {
        uint64_t x = first + r;
        const cairn_fp *row = rows + r * ps->width;
        if (j == 0) {
            for (size_t c = 0; c < k; c++)
                ps->tabb[c][x] = row[col_of(ps, c)];
            continue;
        }
        cairn_fp2 e = ps->eqr[x & ymask];
        size_t xx = (size_t)(x >> j);
        for (size_t c = 0; c < k; c++)
            ps->tab[c][xx] = cairn_fp2_add(ps->tab[c][xx], cairn_fp2_mul_fp(e, row[col_of(ps, c)]));
    }
}

struct mat_job {
    const struct pass *ps;
    uint64_t first; /* the first row of a whole block */
    const cairn_fp *rows;
    size_t blocks, bsize, chunks;
};

/*
 * Pool chunk: its share of the whole blocks of 2^j rows.  Each block is one
 * output entry of every table, written only by this chunk: the block's
 * eq-weighted sum is kept unreduced and reduced once (j = 0: the rows are
 * copied into the base columns).
 */
static void materialise_chunk(void *ctx, size_t c)
{
    const struct mat_job *m = ctx;
    const struct pass *ps = m->ps;
    size_t b0 = m->blocks * c / m->chunks, b1 = m->blocks * (c + 1) / m->chunks;
    if (ps->i == 0) {
        materialise_range(ps, m->first + b0, m->rows + b0 * ps->width, b1 - b0);
        return;
    }
    for (size_t b = b0; b < b1; b++) {
        const cairn_fp *blk = m->rows + b * m->bsize * ps->width;
        size_t xx = (size_t)((m->first >> ps->i) + b);
        for (size_t q = 0; q < ps->k; q++) {
            size_t col = col_of(ps, q);
            cairn_fp2_acc a;
            cairn_fp2_acc_zero(&a);
            for (size_t y = 0; y < m->bsize; y++)
                cairn_fp2_acc_add_mul_fp(&a, ps->eqr[y], blk[y * ps->width + col]);
            ps->tab[q][xx] = cairn_fp2_add(ps->tab[q][xx], cairn_fp2_acc_reduce(&a));
        }
    }
}

/*
 * Consumer of the materialising pass.  As for a round pass, the rows that
 * finish a block begun in the previous chunk and those of a block left
 * open at the end run serially; the whole blocks between run on the pool.
 */
static cairn_status materialise_rows(void *ctx, uint64_t first, const cairn_fp *rows, size_t count,
                                     cairn_error *err)
{
    struct pass *ps = ctx;
    size_t bsize = (size_t)1 << ps->i;
    size_t head = (size_t)((bsize - (first & (bsize - 1))) & (bsize - 1));
    (void)err;
    if (head > count)
        head = count;
    materialise_range(ps, first, rows, head);
    struct mat_job m = {ps, first + head, rows + head * ps->width, (count - head) / bsize, bsize,
                        1};
    m.chunks = cairn_pool_chunks(m.blocks * bsize, STREAM_PAR_MIN_ROWS);
    if (m.chunks > m.blocks)
        m.chunks = m.blocks > 0 ? m.blocks : 1;
    cairn_pool_run(m.chunks, materialise_chunk, &m);
    size_t done = head + m.blocks * bsize;
    materialise_range(ps, first + done, rows + done * ps->width, count - done);
    return CAIRN_OK;
}

/* The switch point: forced, or the smallest j whose estimate fits the budget. */
static cairn_status choose_switch(size_t *j, size_t n, size_t k, size_t terms,
                                  const cairn_sumcheck_stream_opts *opts, cairn_error *err)
{
    if (opts->switch_round != CAIRN_SUMCHECK_SWITCH_AUTO) {
        if (opts->switch_round > n)
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "streaming sum-check: switch round %zu beyond %zu variables",
                                   opts->switch_round, n);
        *j = opts->switch_round;
        return CAIRN_OK;
    }
    size_t best = SIZE_MAX;
    for (size_t c = 0; c <= n; c++) {
        size_t b = cairn_sumcheck_stream_bytes(n, k, c, terms);
        if (b <= opts->mem_budget) {
            *j = c;
            return CAIRN_OK;
        }
        best = b < best ? b : best;
    }
    return cairn_error_set(err, CAIRN_ERR_LIMIT,
                           "streaming sum-check: memory budget %zu bytes below the least "
                           "needed for 2^%zu rows of %zu inputs (%zu bytes)",
                           opts->mem_budget, n, k, best);
}

/*
 * The driver: validate, choose j, run j round passes (each: plan, split-eq
 * tables, eq(r_{<i}) table, stream, assemble, emit, bind the round state),
 * the materialising pass, then the in-memory rounds on the same instance.
 */
cairn_status cairn_sumcheck_prove_stream(cairn_sumcheck_proof *proof, cairn_fp2 *point,
                                         cairn_fp2 *evals, cairn_sumcheck_stream_stats *stats,
                                         cairn_transcript *t, const cairn_sumcheck_expr *expr,
                                         const cairn_fp2 *tau, const cairn_rows *rows, size_t n,
                                         cairn_fp2 claim, const cairn_sumcheck_stream_opts *opts,
                                         cairn_error *err)
{
    sc_mem mem = {0, 0};
    sc_inst in;
    struct pass ps;
    cairn_status st;
    size_t j = 0, k = 0, passes = 0;
    cairn_fp2 *eqr = NULL, s[SC_MAX_PTS];
    memset(&ps, 0, sizeof ps);
    st = sc_inst_init(&in, expr, tau, NULL, 0, n, claim, &mem, err);
    if (st != CAIRN_OK)
        goto out;
    k = in.k;
    if (rows == NULL || opts == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_ARG, "streaming sum-check: no row source or options");
        goto out;
    }
    if (rows->rows_len != (uint64_t)1 << n) {
        st = cairn_error_set(err, CAIRN_ERR_ARG,
                             "streaming sum-check: source has %llu rows, expected 2^%zu",
                             (unsigned long long)rows->rows_len, n);
        goto out;
    }
    for (size_t c = 0; c < k; c++) {
        size_t col = opts->columns != NULL ? opts->columns[c] : c;
        if (col >= rows->width) {
            st = cairn_error_set(err, CAIRN_ERR_ARG,
                                 "streaming sum-check: input %zu reads column %zu of %zu", c, col,
                                 rows->width);
            goto out;
        }
    }
    if ((st = choose_switch(&j, n, k, expr->terms_len, opts, err)) != CAIRN_OK)
        goto out;
    ps.in = &in;
    ps.cols = opts->columns;
    ps.width = rows->width;
    ps.k = k;
    ps.lo = sc_alloc(&mem, k * sizeof *ps.lo);
    ps.hi = sc_alloc(&mem, k * sizeof *ps.hi);
    ps.lob = sc_alloc(&mem, k * sizeof *ps.lob);
    ps.hib = sc_alloc(&mem, k * sizeof *ps.hib);
    ps.tab = sc_alloc(&mem, k * sizeof *ps.tab);
    ps.tabb = sc_alloc(&mem, k * sizeof *ps.tabb);
    eqr = sc_alloc(&mem, ((size_t)1 << j) * sizeof *eqr);
    if (ps.lo == NULL || ps.hi == NULL || ps.lob == NULL || ps.hib == NULL || ps.tab == NULL ||
        ps.tabb == NULL || eqr == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "streaming sum-check: scratch");
        goto out;
    }
    for (size_t c = 0; c < k; c++) {
        ps.lo[c] = ps.hi[c] = cairn_fp2_zero();
        ps.tab[c] = NULL;
        ps.tabb[c] = NULL;
    }
    ps.eqr = eqr;
    if ((st = sc_proof_alloc(proof, n, in.degree, err)) != CAIRN_OK)
        goto out;
    cairn_sumcheck_absorb_header(t, n, in.degree, claim);

    /* small values: one pass for rounds 0..L-1 */
    size_t i0 = 0;
    sc_small_setup_stream(&in, opts->small_bits, j);
    if (in.sv_rounds > 0) {
        st = sc_small_stream_pass(&in, rows, opts->columns, err);
        passes++;
        if (st != CAIRN_OK)
            goto out;
        for (; in.sv_acc != NULL && i0 < in.sv_rounds; i0++) {
            (void)sc_small_round(s, &in);
            point[i0] = sc_emit(proof, t, i0, s);
            if ((st = sc_inst_bind(&in, s, point[i0], err)) != CAIRN_OK)
                goto out;
        }
    }
    for (size_t i = i0; i < j; i++) {
        ps.i = i;
        sc_plan_round(&ps.pl, &in);
        if (tau != NULL)
            sc_split_eq(&in, i, &ps.a);
        (void)cairn_poly_eq_table(eqr, point, i);
        sc_acc_zero(in.acc, expr->terms_len);
        st = cairn_rows_stream(rows, 0, rows->rows_len, round_rows, &ps, err);
        passes++;
        if (st != CAIRN_OK)
            goto out;
        sc_assemble(s, &in, &ps.pl, in.acc);
        point[i] = sc_emit(proof, t, i, s);
        if ((st = sc_inst_bind(&in, s, point[i], err)) != CAIRN_OK)
            goto out;
    }

    /* materialise the tables folded over r_0..r_{j-1} */
    size_t len = (size_t)1 << (n - j);
    for (size_t c = 0; c < k; c++) {
        if (j == 0) {
            ps.tabb[c] = sc_alloc(&mem, len * sizeof(cairn_fp));
        } else {
            ps.tab[c] = sc_alloc(&mem, len * sizeof(cairn_fp2));
            if (ps.tab[c] != NULL)
                for (size_t x = 0; x < len; x++)
                    ps.tab[c][x] = cairn_fp2_zero();
        }
        if (ps.tabb[c] == NULL && ps.tab[c] == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM,
                                 "streaming sum-check: table of 2^%zu entries", n - j);
            goto out;
        }
    }
    ps.i = j;
    (void)cairn_poly_eq_table(eqr, point, j);
    st = cairn_rows_stream(rows, 0, rows->rows_len, materialise_rows, &ps, err);
    passes++;
    if (st != CAIRN_OK)
        goto out;
    sc_free(&mem, eqr, ((size_t)1 << j) * sizeof *eqr);
    eqr = NULL;
    /* hand the tables to the instance, which owns them from here */
    in.has_tables = 1;
    in.len = len;
    in.len_own = len;
    for (size_t c = 0; c < k; c++) {
        if (j == 0) {
            in.own_fp[c] = ps.tabb[c];
            in.src_fp[c] = ps.tabb[c];
            ps.tabb[c] = NULL;
        } else {
            in.own_fp2[c] = ps.tab[c];
            in.src_fp2[c] = ps.tab[c];
            ps.tab[c] = NULL;
        }
    }
    if (j == 0)
        in.len_own = len / 2; /* the first fold allocates half-length tables */
    st = sc_run_rounds(proof, point, evals, t, &in, err);
out:
    if (stats != NULL) {
        stats->switch_round = j;
        stats->passes = passes;
        stats->peak_bytes = mem.peak;
    }
    if (ps.tab != NULL)
        for (size_t c = 0; c < k; c++) {
            if (ps.tab[c] != NULL)
                sc_free(&mem, ps.tab[c], ((size_t)1 << (n - j)) * sizeof(cairn_fp2));
            if (ps.tabb[c] != NULL)
                sc_free(&mem, ps.tabb[c], ((size_t)1 << n) * sizeof(cairn_fp));
        }
    sc_free(&mem, ps.lo, k * sizeof *ps.lo);
    sc_free(&mem, ps.hi, k * sizeof *ps.hi);
    sc_free(&mem, ps.lob, k * sizeof *ps.lob);
    sc_free(&mem, ps.hib, k * sizeof *ps.hib);
    sc_free(&mem, ps.tab, k * sizeof *ps.tab);
    sc_free(&mem, ps.tabb, k * sizeof *ps.tabb);
    sc_free(&mem, eqr, ((size_t)1 << j) * sizeof *eqr);
    sc_inst_clear(&in);
    return st;
}
