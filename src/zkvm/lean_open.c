/*
 * lean_open.c — the lean row's claim reduction and openings (docs/zkvm-v2.md
 * §6 steps 8, 9): every claim the stages leave on a committed polynomial
 * reduced by one sum-check to one point r* of the stacked batch, and the
 * batch opened there once (docs/pcs.md §9 for the layout).
 *
 * A claim point names a group of the stacked layout, a point r in the
 * group's n_g variables and, per member of the group, whether a value is
 * claimed there: known (an earlier stage's claim, the verifier's own) or
 * sent (the prover sends it; the caller checks what it implies).  Member
 * j of group g sits in slot c = first_slot[g] + j / 2^d (d = N - n_g), in
 * block b = j mod 2^d, so its value at r is the slot's value at the lifted
 * point l = (r || bits(b)) of the batch's N variables:
 *     v = f_j(r) = S_c(r || bits(b)) = sum_{x in {0,1}^N} eq(l, x) S_c(x).
 * Claims with the same lifted point form one instance; with a coefficient
 * a per claim (from the transcript, after every claimed value is bound),
 * instance l's claim is
 *     sum_x eq(l, x) Q_l(x) = sum_{claims at l} a v,
 *     Q_l = sum_{claims at l} a S_c   (multilinear: a sum of slots),
 * and the instances are proven by one batched sum-check (degree 2, N
 * rounds, cairn_sumcheck_batch_prove), which ends at one point r*.  The
 * prover sends every slot's value S_c(r*); the verifier forms
 * Q_l(r*) = sum a S_c(r*) and the batch's final check
 * sum_l rho_l eq(l, r*) Q_l(r*) itself, in O(instances * N + claims), and
 * the opening at the single point r* proves the S_c(r*) (the PCS absorbs
 * them before its first challenge).
 *
 * Soundness: a false claim survives the coefficients a with probability
 * <= 1/p^2, the batch's rho with <= 1/p^2, and the sum-check's N rounds of
 * degree 2 with <= 2N/p^2: (2 + 2N)/p^2 per batch (docs/zkvm-v2.md §6).
 * The boolean block coordinates of l need no challenge: the slot values at
 * r* are opened directly, never recombined from member values.
 *
 * The prover keeps each Q_l on its block only: eq(l, .) vanishes off it,
 * so the first n_g rounds are those of T_l = sum a f_member over the
 * group's n_g variables (sum_l 2^n_g extension elements, built from the
 * members), and in each later round only one pair of Q_l has a non-zero
 * eq weight: Q_l(r_<i, X, bits of l's block past i), a combination of the
 * claimed slots' values at (r_<n_g, y) for the 2^(N - n_g) blocks y,
 * evaluated once per slot and folded as the rounds bind y
 * (cairn_sumcheck_batch_prove_split).  The reference prover
 * (zl_open_path = 1, for tests) builds every Q_l over all 2^N entries in
 * one pass over the slots (instances * 2^N extension elements) and gives
 * the same bytes.
 *
 * Where the members are read (zl_members).  Tables in memory, or, for one
 * group (phase 1's cells), a row source that is only ever streamed: its
 * sent values at every point in one pass, every instance's block table
 * T_l in one pass, its claimed slots' block values at the prefix point in
 * one pass (when the group is not the largest), and the batch rows for
 * the evaluation at r* and the opening through cairn_pcs_stack_src (one
 * pass each when the group is the largest).  When the T_l would take
 * more than zl_open_table_max bytes, the windows (struct win) take the
 * place of the first two passes and of the evaluation's: two passes, and
 * tables of about 2^(n_g/2) entries.  Field sums do not depend on their
 * order, so the passes give the bytes of the tables whatever the
 * source's chunks and the thread count.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/pool.h"
#include "zkvm_internal.h"

/* One claim: its instance, slot and member (of the point's group), its value, its coefficient. */
struct rclaim {
    size_t inst, slot, member, pt;
    cairn_fp2 v, a;
};

/* The reduction's plan: the claims and their instances, the same for prover and verifier. */
struct plan {
    size_t m, ninst, N;
    struct rclaim *cl;
    cairn_fp2 *taus;  /* ninst * N: the lifted points */
    cairn_fp2 *claim; /* ninst */
    size_t *grp;      /* ninst: the group of the instance's point */
};

static void plan_clear(struct plan *pl)
{
    free(pl->cl);
    free(pl->taus);
    free(pl->claim);
    free(pl->grp);
    memset(pl, 0, sizeof *pl);
}

size_t zl_open_sent_len(const zl_claim_pt *pts, size_t npts, const cairn_pcs_stack *st)
{
    size_t e = 0;
    for (size_t i = 0; i < npts; i++)
        for (size_t j = 0; j < st->groups[pts[i].group].count; j++)
            e += pts[i].kind[j] == ZL_CLAIM_SENT;
    return e;
}

/*
 * Member j of group g as a table, or NULL when it is read from rows
 * (ms->rows: group ms->group's members).
 */
static const cairn_fp *table_of(const zl_members *ms, const cairn_pcs_stack *st, size_t g,
                                size_t j)
{
    return ms->rows != NULL && g == ms->group ? NULL : ms->polys[st->first_poly[g] + j];
}

/* A member's value at a point (its group's variables), filled by a pass over the rows. */
struct mp_eval {
    size_t j;
    const cairn_fp2 *r;
    cairn_fp2 *out;
};

/* A table accumulated by a pass over the rows: tab[x] += a * f_j[x]. */
struct mp_acc {
    size_t j;
    cairn_fp2 a;
    cairn_fp2 *tab;
};

/* Rows of a piece each pool chunk takes at least. */
#define ZL_MP_CHUNK 256u

/* One pass over the member rows: its requests, eq tables, and the piece being read. */
struct mpass {
    size_t width, lo_bits, hi_len;
    const struct mp_eval *ev;
    const struct mp_acc *acc;
    size_t nev, nacc, npt;
    size_t *pt;      /* nev: each evaluation's point among the distinct ones */
    cairn_fp2 *elo;  /* npt tables of 2^lo_bits: eq of the points' low coordinates */
    cairn_fp2 *ehi;  /* npt tables of hi_len: eq of their high coordinates */
    cairn_fp2 *sum;  /* nev: the evaluations so far */
    cairn_fp2 *part; /* per pool chunk nev sums, then npt eq values of the row */
    uint64_t next;
    uint64_t first;  /* the piece being read */
    const cairn_fp *rows;
    size_t count, chunks;
};

/* Chunk ch of a piece: the accumulations of the rows it owns, and its evaluations' sums. */
static void mpass_chunk(void *ctx, size_t ch)
{
    const struct mpass *mp = ctx;
    size_t lo, hi, L = mp->lo_bits;
    cairn_fp2 *part = mp->part + ch * (mp->nev + mp->npt), *e = part + mp->nev;
    cairn_pool_chunk_range(&lo, &hi, mp->count, mp->chunks, ch);
    for (size_t v = 0; v < mp->nev; v++)
        part[v] = cairn_fp2_zero();
    for (size_t r = lo; r < hi; r++) {
        size_t x = (size_t)mp->first + r;
        const cairn_fp *row = mp->rows + r * mp->width;
        for (size_t q = 0; q < mp->nacc; q++) {
            const struct mp_acc *a = &mp->acc[q];
            a->tab[x] = cairn_fp2_add(a->tab[x], cairn_fp2_mul_fp(a->a, row[a->j]));
        }
        size_t xl = x & (((size_t)1 << L) - 1), xh = x >> L;
        for (size_t p = 0; p < mp->npt; p++)
            e[p] = cairn_fp2_mul(mp->elo[(p << L) + xl], mp->ehi[p * mp->hi_len + xh]);
        for (size_t v = 0; v < mp->nev; v++)
            part[v] = cairn_fp2_add(part[v], cairn_fp2_mul_fp(e[mp->pt[v]], row[mp->ev[v].j]));
    }
}

/* A piece of rows (`what`: member or batch) must start where the last one ended. */
static cairn_status rows_in_order(const char *what, uint64_t first_row, uint64_t next,
                                  cairn_error *err)
{
    if (first_row == next)
        return CAIRN_OK;
    return cairn_error_set(err, CAIRN_ERR_ARG,
                           "claim reduction: the %s rows came at row %llu, expected %llu", what,
                           (unsigned long long)first_row, (unsigned long long)next);
}

/*
 * Stream every member row to consume, which advances *next past each
 * piece; a source that ends early is CAIRN_ERR_ARG, a failing one its own
 * status and message.
 */
static cairn_status stream_members(const cairn_rows *rows, cairn_rows_consumer consume, void *ctx,
                                   const uint64_t *next, cairn_error *err)
{
    cairn_status s = cairn_rows_stream(rows, 0, rows->rows_len, consume, ctx, err);
    if (s == CAIRN_OK && *next != rows->rows_len)
        s = cairn_error_set(err, CAIRN_ERR_ARG, "claim reduction: the member rows ended at %llu",
                            (unsigned long long)*next);
    return s;
}

/* A piece of the member rows: cut into chunks on the pool, their sums added in chunk order. */
static cairn_status mpass_consume(void *ctx, uint64_t first_row, const cairn_fp *rows,
                                  size_t count, cairn_error *err)
{
    struct mpass *mp = ctx;
    if (rows_in_order("member", first_row, mp->next, err) != CAIRN_OK)
        return CAIRN_ERR_ARG;
    mp->first = first_row, mp->rows = rows, mp->count = count;
    mp->chunks = cairn_pool_chunks(count, ZL_MP_CHUNK);
    cairn_pool_run(mp->chunks, mpass_chunk, mp);
    for (size_t ch = 0; ch < mp->chunks; ch++)
        for (size_t v = 0; v < mp->nev; v++)
            mp->sum[v] = cairn_fp2_add(mp->sum[v], mp->part[ch * (mp->nev + mp->npt) + v]);
    mp->next += count;
    return CAIRN_OK;
}

/*
 * One pass over rows (the members of a group of n variables, member j in
 * element j of each row): every evaluation of ev (each point's eq table
 * split in two halves, 2^(n/2) + 2^(n - n/2) extension elements per
 * distinct point) and every accumulation of acc.  No pass when both are
 * empty.  The source's failure is the result.
 */
static cairn_status member_pass(const cairn_rows *rows, unsigned n, const struct mp_eval *ev,
                                size_t nev, const struct mp_acc *acc, size_t nacc,
                                cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    struct mpass mp;
    if (nev == 0 && nacc == 0)
        return CAIRN_OK;
    memset(&mp, 0, sizeof mp);
    mp.width = rows->width, mp.lo_bits = n / 2, mp.hi_len = (size_t)1 << (n - n / 2);
    mp.ev = ev, mp.acc = acc, mp.nev = nev, mp.nacc = nacc;
    mp.pt = malloc(nev * sizeof *mp.pt + 1);
    mp.sum = calloc(nev + 1, sizeof *mp.sum);
    mp.part = malloc(CAIRN_POOL_CHUNKS * 2 * (nev + 1) * sizeof *mp.part);
    if (mp.pt == NULL || mp.sum == NULL || mp.part == NULL)
        goto nomem;
    /* the distinct points (by address), in order of first use */
    for (size_t v = 0; v < nev; v++) {
        size_t p = 0;
        while (p < v && ev[p].r != ev[v].r)
            p++;
        mp.pt[v] = p < v ? mp.pt[p] : mp.npt++;
    }
    mp.elo = malloc((mp.npt << mp.lo_bits) * sizeof *mp.elo + 1);
    mp.ehi = malloc(mp.npt * mp.hi_len * sizeof *mp.ehi + 1);
    if (mp.elo == NULL || mp.ehi == NULL)
        goto nomem;
    for (size_t v = 0, built = 0; v < nev; v++)
        if (mp.pt[v] == built) { /* the point's first use */
            size_t p = built++;
            if ((st = cairn_poly_eq_table(mp.elo + (p << mp.lo_bits), ev[v].r, mp.lo_bits)) !=
                    CAIRN_OK ||
                (st = cairn_poly_eq_table(mp.ehi + p * mp.hi_len, ev[v].r + mp.lo_bits,
                                          n - mp.lo_bits)) != CAIRN_OK)
                goto out;
        }
    if ((st = stream_members(rows, mpass_consume, &mp, &mp.next, err)) != CAIRN_OK)
        goto out;
    for (size_t v = 0; v < nev; v++)
        *ev[v].out = mp.sum[v];
    goto out;
nomem:
    st = cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: a pass of %zu evaluations", nev);
out:
    free(mp.pt);
    free(mp.sum);
    free(mp.part);
    free(mp.elo);
    free(mp.ehi);
    return st;
}

_Thread_local size_t zl_open_table_max = ZL_OPEN_TABLE_MAX;

/*
 * The window passes over the members read from rows, when their block
 * tables would take more than zl_open_table_max bytes.  With x = y + 2^W z
 * (W = n / 2 of the group's n variables):
 *   pass 0, before the claims are bound: for every claim point p of the
 *     group and every member j claimed there,
 *         B_pj(y) = sum_z eq(r_p[W .. n), z) f_j(y, z),
 *     which gives the sent values too, f_j(r_p) = sum_y eq(r_p[<W], y) B_pj(y),
 *     so this pass takes the place of the sent values' pass;
 *   round 0 of the reduction (no pass): instance l's window table
 *     sum_{claims at l} a B_pj;
 *   round W, pass 1: every member bound to the first W challenges,
 *     M_j(z) = sum_y eq(r_<W, y) f_j(y, z), and instance l's table
 *     sum_{claims at l} a M_j from them (no pass);
 *   after the reduction (no pass): every slot of the group at r*, from
 *     the M_j, in place of the pass of cairn_pcs_evaluate.
 * So the reduction and the values at r* take two passes, as the sent
 * values, the block tables and the values at r* took three.  Memory:
 * 2^W extension elements per claimed (point, member) and per instance,
 * 2^(n - W) per member and per instance, and the eq tables' halves.
 */
struct win {
    const zl_members *ms;
    unsigned n, W, zlo;    /* zlo: eq(r_p[W..n)) split at zlo bits of z */
    size_t width;
    /* pass 0 */
    size_t np, nb;         /* window points, (point, member) tables */
    const cairn_fp2 **r;   /* np: their points */
    size_t *bp, *bj;       /* nb: each table's window point and member */
    size_t *bix;           /* npts * count: table of (point i, member j), SIZE_MAX if none */
    size_t count;          /* members of the group */
    cairn_fp2 *B;          /* nb tables of 2^W */
    cairn_fp2 *elo, *ehi;  /* np tables of 2^zlo and 2^(n - W - zlo) */
    /* the reduction */
    size_t nh;             /* head instances */
    size_t *inst;          /* nh: their plan instances */
    size_t *cfirst;        /* nh + 1: their claims in cl[] */
    const struct rclaim **cl;
    cairn_fp2 *eqr;        /* pass 1: eq(r_<W, .), 2^W */
    cairn_fp2 *M;          /* pass 1: count tables of 2^(n - W), the members bound */
    cairn_fp2 **out;       /* nh: the table being filled */
    cairn_fp2 *part;       /* pass 1: per chunk, count * zcap partial sums (part_len in all) */
    size_t zcap, part_len;
    int pass0;
    uint64_t first, next;  /* the piece being read */
    const cairn_fp *rows;
    size_t count_rows, chunks;
};

static void win_clear(struct win *w)
{
    free(w->r);
    free(w->bp);
    free(w->bj);
    free(w->bix);
    free(w->B);
    free(w->elo);
    free(w->ehi);
    free(w->inst);
    free(w->cfirst);
    free(w->cl);
    free(w->eqr);
    free(w->M);
    free(w->out);
    free(w->part);
    memset(w, 0, sizeof *w);
}

/* Pass 0, chunk ch: the y of its range, over every z of the piece, into every B_pj. */
static void win_chunk0(void *ctx, size_t ch)
{
    const struct win *w = ctx;
    size_t ylo, yhi, Y = (size_t)1 << w->W, zmask = ((size_t)1 << w->zlo) - 1;
    size_t hlen = (size_t)1 << (w->n - w->W - w->zlo);
    cairn_fp2 e[ZL_OPEN_MAX_POINTS];
    cairn_pool_chunk_range(&ylo, &yhi, Y, w->chunks, ch);
    uint64_t end = w->first + w->count_rows;
    for (uint64_t z = w->first >> w->W; (z << w->W) < end; z++) {
        uint64_t a = (z << w->W) + ylo, b = (z << w->W) + yhi;
        if (a < w->first)
            a = w->first;
        if (b > end)
            b = end;
        if (a >= b)
            continue;
        for (size_t p = 0; p < w->np; p++)
            e[p] = cairn_fp2_mul(w->elo[(p << w->zlo) + (z & zmask)],
                                 w->ehi[p * hlen + (z >> w->zlo)]);
        for (uint64_t x = a; x < b; x++) {
            const cairn_fp *row = w->rows + (size_t)(x - w->first) * w->width;
            size_t y = (size_t)x & (Y - 1);
            for (size_t t = 0; t < w->nb; t++) {
                cairn_fp2 *bt = w->B + (t << w->W) + y;
                *bt = cairn_fp2_add(*bt, cairn_fp2_mul_fp(e[w->bp[t]], row[w->bj[t]]));
            }
        }
    }
}

/* Pass 1, chunk ch: its rows into partial sums per member and z (from the chunk's first z). */
static void win_chunk1(void *ctx, size_t ch)
{
    const struct win *w = ctx;
    size_t lo, hi, Y = (size_t)1 << w->W;
    cairn_fp2 *part = w->part + ch * w->count * w->zcap;
    cairn_pool_chunk_range(&lo, &hi, w->count_rows, w->chunks, ch);
    if (lo >= hi)
        return;
    uint64_t z0 = (w->first + lo) >> w->W;
    for (size_t i = 0; i < w->count * w->zcap; i++)
        part[i] = cairn_fp2_zero();
    for (size_t r = lo; r < hi; r++) {
        uint64_t x = w->first + r;
        size_t zi = (size_t)((x >> w->W) - z0);
        cairn_fp2 wy = w->eqr[(size_t)x & (Y - 1)];
        const cairn_fp *row = w->rows + r * w->width;
        for (size_t j = 0; j < w->count; j++)
            part[j * w->zcap + zi] = cairn_fp2_add(part[j * w->zcap + zi],
                                                   cairn_fp2_mul_fp(wy, row[j]));
    }
}

/* A piece of the rows: its chunks on the pool, then (pass 1) their partial sums added in. */
static cairn_status win_consume(void *ctx, uint64_t first_row, const cairn_fp *rows, size_t count,
                                cairn_error *err)
{
    struct win *w = ctx;
    if (rows_in_order("member", first_row, w->next, err) != CAIRN_OK)
        return CAIRN_ERR_ARG;
    w->first = first_row, w->rows = rows, w->count_rows = count;
    if (w->pass0) {
        w->chunks = cairn_pool_chunks((size_t)1 << w->W, 16);
        cairn_pool_run(w->chunks, win_chunk0, w);
    } else {
        w->chunks = cairn_pool_chunks(count, ZL_MP_CHUNK);
        w->zcap = (((count + w->chunks - 1) / w->chunks) >> w->W) + 2;
        if (w->chunks * w->count * w->zcap > w->part_len) {
            free(w->part);
            w->part_len = w->chunks * w->count * w->zcap;
            if ((w->part = malloc(w->part_len * sizeof *w->part)) == NULL) {
                w->part_len = 0;
                return cairn_error_set(err, CAIRN_ERR_NOMEM,
                                       "claim reduction: a window's partial sums");
            }
        }
        cairn_pool_run(w->chunks, win_chunk1, w);
        for (size_t ch = 0; ch < w->chunks; ch++) {
            size_t lo, hi;
            cairn_pool_chunk_range(&lo, &hi, count, w->chunks, ch);
            if (lo >= hi)
                continue;
            uint64_t z0 = (first_row + lo) >> w->W, z1 = (first_row + hi - 1) >> w->W;
            const cairn_fp2 *part = w->part + ch * w->count * w->zcap;
            size_t zl = (size_t)1 << (w->n - w->W);
            for (size_t j = 0; j < w->count; j++)
                for (uint64_t z = z0; z <= z1; z++)
                    w->M[j * zl + z] = cairn_fp2_add(w->M[j * zl + z], part[j * w->zcap + (z - z0)]);
        }
    }
    w->next += count;
    return CAIRN_OK;
}

/* One pass of the windows over the rows (pass0 or pass 1); the rows' failure is the result. */
static cairn_status win_pass(struct win *w, int pass0, cairn_error *err)
{
    const cairn_rows *rows = w->ms->rows;
    w->pass0 = pass0;
    w->next = 0;
    return stream_members(rows, win_consume, w, &w->next, err);
}

/*
 * Decide on the windows (w->nb = 0: none) and, with them, run pass 0:
 * the B_pj of every claimed member of the rows' group at each of its
 * points.  Points of the group with no claimed member are left out.
 */
static cairn_status win_begin(struct win *w, const zl_claim_pt *pts, size_t npts,
                              const cairn_pcs_stack *st, const zl_members *ms, cairn_error *err)
{
    memset(w, 0, sizeof *w);
    if (ms->rows == NULL)
        return CAIRN_OK;
    unsigned n = st->groups[ms->group].num_vars, d = st->num_vars - n;
    size_t cnt = st->groups[ms->group].count, np = 0, nb = 0, ninst = 0;
    for (size_t i = 0; i < npts; i++) {
        size_t c = 0;
        for (size_t j = 0; pts[i].group == ms->group && j < cnt; j++) {
            if (pts[i].kind[j] == ZL_CLAIM_NONE)
                continue;
            /* the reduction's instances at this point: one per block b = j mod 2^d claimed */
            size_t b = j & (((size_t)1 << d) - 1), j2 = 0;
            while (j2 < j && (pts[i].kind[j2] == ZL_CLAIM_NONE ||
                              (j2 & (((size_t)1 << d) - 1)) != b))
                j2++;
            ninst += j2 == j;
            c++;
        }
        np += c > 0;
        nb += c;
    }
    if (ninst == 0 || ninst > ZL_OPEN_MAX_POINTS || n < 2 ||
        (uint64_t)ninst * sizeof(cairn_fp2) << n <= (uint64_t)zl_open_table_max)
        return CAIRN_OK;
    w->ms = ms, w->n = n, w->W = n / 2, w->zlo = (n - n / 2) / 2;
    w->width = ms->rows->width, w->count = cnt;
    size_t zb = n - w->W, hl = (size_t)1 << (zb - w->zlo);
    w->r = malloc(np * sizeof *w->r);
    w->bp = malloc(nb * sizeof *w->bp);
    w->bj = malloc(nb * sizeof *w->bj);
    w->bix = malloc(npts * cnt * sizeof *w->bix);
    w->B = calloc(nb << w->W, sizeof *w->B);
    w->elo = malloc((np << w->zlo) * sizeof *w->elo);
    w->ehi = malloc(np * hl * sizeof *w->ehi);
    if (w->r == NULL || w->bp == NULL || w->bj == NULL || w->bix == NULL || w->B == NULL ||
        w->elo == NULL || w->ehi == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: %zu window tables", nb);
    for (size_t i = 0; i < npts; i++) {
        size_t first = w->nb;
        for (size_t j = 0; j < cnt; j++) {
            w->bix[i * cnt + j] = SIZE_MAX;
            if (pts[i].group != ms->group || pts[i].kind[j] == ZL_CLAIM_NONE)
                continue;
            w->bix[i * cnt + j] = w->nb;
            w->bp[w->nb] = w->np, w->bj[w->nb++] = j;
        }
        if (w->nb == first)
            continue;
        const cairn_fp2 *tau = pts[i].r + w->W;
        cairn_status s;
        if ((s = cairn_poly_eq_table(w->elo + (w->np << w->zlo), tau, w->zlo)) != CAIRN_OK ||
            (s = cairn_poly_eq_table(w->ehi + w->np * hl, tau + w->zlo, zb - w->zlo)) != CAIRN_OK)
            return cairn_error_set(err, s, "claim reduction: the windows' eq tables");
        w->r[w->np++] = pts[i].r;
    }
    cairn_status s = win_pass(w, 1, err);
    free(w->elo);
    free(w->ehi);
    w->elo = w->ehi = NULL;
    return s;
}

/* Member j's value at point i (of the rows' group, claimed there) from its window table. */
static cairn_status win_value(cairn_fp2 *out, const struct win *w, size_t i, size_t j,
                              const cairn_fp2 *r, cairn_error *err)
{
    size_t Y = (size_t)1 << w->W;
    cairn_fp2 *eq = malloc(Y * sizeof *eq);
    cairn_status s = eq == NULL ? CAIRN_ERR_NOMEM : cairn_poly_eq_table(eq, r, w->W);
    if (s != CAIRN_OK)
        s = cairn_error_set(err, s, "claim reduction: the eq table of a sent value's window");
    else {
        const cairn_fp2 *bt = w->B + (w->bix[i * w->count + j] << w->W);
        cairn_fp2 acc = cairn_fp2_zero();
        for (size_t y = 0; y < Y; y++)
            acc = cairn_fp2_add(acc, cairn_fp2_mul(eq[y], bt[y]));
        *out = acc;
    }
    free(eq);
    return s;
}

/*
 * With the claims bound: the instances of the rows' group become head
 * instances (head[l] = W, else 0), their claims listed by instance.
 */
static cairn_status win_heads(struct win *w, size_t *head, const struct plan *pl,
                              cairn_error *err)
{
    for (size_t l = 0; l < pl->ninst; l++)
        head[l] = 0;
    if (w->nb == 0)
        return CAIRN_OK;
    size_t nh = 0, ncl = 0;
    for (size_t l = 0; l < pl->ninst; l++)
        nh += pl->grp[l] == w->ms->group;
    if (nh > ZL_OPEN_MAX_POINTS) /* a point in several blocks: the tables whole */
        return CAIRN_OK;
    w->inst = malloc(nh * sizeof *w->inst + 1);
    w->cfirst = malloc((nh + 1) * sizeof *w->cfirst);
    w->cl = malloc(pl->m * sizeof *w->cl + 1);
    w->out = malloc(nh * sizeof *w->out + 1);
    if (w->inst == NULL || w->cfirst == NULL || w->cl == NULL || w->out == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: %zu windows", nh);
    for (size_t l = 0; l < pl->ninst; l++) {
        if (pl->grp[l] != w->ms->group)
            continue;
        head[l] = w->W;
        w->inst[w->nh] = l;
        w->cfirst[w->nh++] = ncl;
        for (size_t k = 0; k < pl->m; k++)
            if (pl->cl[k].inst == l)
                w->cl[ncl++] = &pl->cl[k];
    }
    w->cfirst[w->nh] = ncl;
    return CAIRN_OK;
}

/*
 * The prover's sent values: each sent member's value at its point into
 * the point's vals and, in point order, into out; the members read from
 * rows all in one pass.
 */
static cairn_status sent_prove(cairn_fp2 *out, zl_claim_pt *pts, size_t npts,
                               const cairn_pcs_stack *st, const zl_members *ms,
                               const struct win *w, cairn_error *err)
{
    size_t e = 0, nev = 0, len = zl_open_sent_len(pts, npts, st);
    cairn_status s = CAIRN_OK;
    struct mp_eval *ev = malloc(len * sizeof *ev + 1);
    if (ev == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: %zu sent values", len);
    for (size_t i = 0; i < npts && s == CAIRN_OK; i++) {
        const cairn_pcs_group *g = &st->groups[pts[i].group];
        for (size_t j = 0; j < g->count && s == CAIRN_OK; j++) {
            const cairn_fp *f = table_of(ms, st, pts[i].group, j);
            if (pts[i].kind[j] != ZL_CLAIM_SENT)
                continue;
            if (f == NULL && w->nb > 0)
                s = win_value(&pts[i].vals[j], w, i, j, pts[i].r, err);
            else if (f == NULL)
                ev[nev++] = (struct mp_eval){j, pts[i].r, &pts[i].vals[j]};
            else if ((s = cairn_poly_eval_fp(&pts[i].vals[j], f, pts[i].r, g->num_vars)) !=
                     CAIRN_OK)
                s = cairn_error_set(err, s, "claim reduction: evaluation failed");
        }
    }
    if (s == CAIRN_OK && ms->rows != NULL)
        s = member_pass(ms->rows, st->groups[ms->group].num_vars, ev, nev, NULL, 0, err);
    for (size_t i = 0; i < npts && s == CAIRN_OK; i++)
        for (size_t j = 0; j < st->groups[pts[i].group].count; j++)
            if (pts[i].kind[j] == ZL_CLAIM_SENT)
                out[e++] = pts[i].vals[j];
    free(ev);
    return s;
}

/* The verifier's sent values: read from in, in point order, into the points' vals. */
static void sent_read(zl_claim_pt *pts, size_t npts, const cairn_pcs_stack *st,
                      const cairn_fp2 *in)
{
    size_t e = 0;
    for (size_t i = 0; i < npts; i++)
        for (size_t j = 0; j < st->groups[pts[i].group].count; j++)
            if (pts[i].kind[j] == ZL_CLAIM_SENT)
                pts[i].vals[j] = in[e++];
}

/*
 * The claims in point order (member order within a point), grouped into
 * instances by lifted point (a point's blocks in order of first use); bind
 * every claimed value, draw the coefficients, and sum each instance's claim.
 */
static cairn_status plan_build(struct plan *pl, cairn_transcript *t, const zl_claim_pt *pts,
                               size_t npts, const cairn_pcs_stack *st, cairn_error *err)
{
    size_t m = 0, N = st->num_vars;
    memset(pl, 0, sizeof *pl);
    for (size_t i = 0; i < npts; i++)
        for (size_t j = 0; j < st->groups[pts[i].group].count; j++)
            m += pts[i].kind[j] != ZL_CLAIM_NONE;
    pl->N = N;
    pl->cl = malloc(m * sizeof *pl->cl + 1);
    pl->taus = malloc(m * N * sizeof *pl->taus + 1); /* at most one instance per claim */
    pl->claim = malloc(m * sizeof *pl->claim + 1);
    pl->grp = malloc(m * sizeof *pl->grp + 1);
    cairn_fp2 *v = malloc(m * sizeof *v + 1), *a = malloc(m * sizeof *a + 1);
    if (pl->cl == NULL || pl->taus == NULL || pl->claim == NULL || pl->grp == NULL || v == NULL ||
        a == NULL) {
        free(v);
        free(a);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: %zu claims", m);
    }
    if (m == 0) {
        free(v);
        free(a);
        return cairn_error_set(err, CAIRN_ERR_INTERNAL, "claim reduction: no claims");
    }
    for (size_t i = 0; i < npts; i++) {
        size_t g = pts[i].group, first = pl->ninst;
        unsigned ng = st->groups[g].num_vars, d = (unsigned)N - ng;
        for (size_t j = 0; j < st->groups[g].count; j++) {
            if (pts[i].kind[j] == ZL_CLAIM_NONE)
                continue;
            size_t b = j & (((size_t)1 << d) - 1), l = first;
            for (; l < pl->ninst; l++) {
                int same = 1;
                for (unsigned u = 0; u < d && same; u++)
                    same = cairn_fp2_eq(pl->taus[l * N + ng + u],
                                        (b >> u) & 1 ? cairn_fp2_one() : cairn_fp2_zero());
                if (same)
                    break;
            }
            if (l == pl->ninst) {
                cairn_fp2 *tau = pl->taus + l * N;
                memcpy(tau, pts[i].r, ng * sizeof *tau);
                for (unsigned u = 0; u < d; u++)
                    tau[ng + u] = (b >> u) & 1 ? cairn_fp2_one() : cairn_fp2_zero();
                pl->claim[l] = cairn_fp2_zero();
                pl->grp[l] = g;
                pl->ninst++;
            }
            struct rclaim *c = &pl->cl[pl->m];
            c->inst = l;
            c->slot = st->first_slot[g] + (j >> d);
            c->member = j;
            c->pt = i;
            c->v = v[pl->m] = pts[i].vals[j];
            pl->m++;
        }
    }
    cairn_transcript_absorb_fp2_vec(t, "lean/reduce/claims", v, m);
    cairn_transcript_squeeze_fp2_vec(a, m, t, "lean/reduce/coeffs");
    for (size_t k = 0; k < m; k++) {
        struct rclaim *c = &pl->cl[k];
        c->a = a[k];
        pl->claim[c->inst] = cairn_fp2_add(pl->claim[c->inst], cairn_fp2_mul(a[k], c->v));
    }
    free(v);
    free(a);
    return CAIRN_OK;
}

static const cairn_sumcheck_term q_term = {{{1}, {0}}, 1, {0}};
static const cairn_sumcheck_expr q_expr = {&q_term, 1, 1};

/* The batch's instances: Q_l against eq(l, .) over the N variables (inputs NULL: verifier). */
static void instances(cairn_sumcheck_instance *ins, const struct plan *pl,
                      const cairn_sumcheck_input *inputs)
{
    for (size_t l = 0; l < pl->ninst; l++)
        ins[l] = (cairn_sumcheck_instance){&q_expr, pl->taus + l * pl->N,
                                           inputs != NULL ? inputs + l : NULL, pl->N, pl->claim[l]};
}

/* The reference's pass: where it is, and the tables it adds the batch rows into. */
struct qpass {
    const struct plan *pl;
    size_t C, k, len;
    cairn_fp2 *q;
    uint64_t next;
};

/* Batch rows R = (i, c): slot c's entries [i k, i k + k) added into the Q_l of c's claims. */
static cairn_status q_consume(void *ctx, uint64_t first_row, const cairn_fp *rows, size_t count,
                              cairn_error *err)
{
    struct qpass *qp = ctx;
    const struct plan *pl = qp->pl;
    if (rows_in_order("batch", first_row, qp->next, err) != CAIRN_OK)
        return CAIRN_ERR_ARG;
    for (size_t r = 0; r < count; r++) {
        size_t R = (size_t)first_row + r, i = R / qp->C, c = R % qp->C;
        const cairn_fp *row = rows + r * qp->k;
        for (size_t k = 0; k < pl->m; k++) {
            if (pl->cl[k].slot != c)
                continue;
            cairn_fp2 *ql = qp->q + pl->cl[k].inst * qp->len + i * qp->k, a = pl->cl[k].a;
            for (size_t x = 0; x < qp->k; x++)
                ql[x] = cairn_fp2_add(ql[x], cairn_fp2_mul_fp(a, row[x]));
        }
    }
    qp->next += count;
    return CAIRN_OK;
}

/*
 * The one pass over the batch rows (batch, the slots k entries at a
 * time): Q_l[x] = sum_{claims at l} a S_c[x] for every x.  q holds ninst
 * tables of 2^N.
 */
static cairn_status q_tables(cairn_fp2 *q, const struct plan *pl, const cairn_pcs_stack *st,
                             const cairn_rows *batch, cairn_error *err)
{
    struct qpass qp = {pl, st->num_polys, batch->width, (size_t)1 << pl->N, q, 0};
    memset(q, 0, pl->ninst * qp.len * sizeof *q);
    return cairn_rows_stream(batch, 0, batch->rows_len, q_consume, &qp, err);
}

int zl_open_path;

/*
 * The reference prover (zl_open_path = 1): the Q_l as full tables of 2^N,
 * instances * 2^N extension elements, from one pass over the batch rows,
 * proven by cairn_sumcheck_batch_prove.
 */
static cairn_status reduce_full(cairn_sumcheck_proof *rd, cairn_fp2 *rstar, cairn_fp2 *evals,
                                cairn_transcript *t, const struct plan *pl,
                                const cairn_pcs_stack *st, const cairn_rows *batch,
                                cairn_sumcheck_instance *ins, cairn_sumcheck_input *inputs,
                                cairn_error *err)
{
    size_t len = (size_t)1 << pl->N;
    cairn_status s;
    cairn_fp2 *q = malloc(pl->ninst * len * sizeof *q);
    if (q == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: %zu tables of 2^%zu",
                               pl->ninst, pl->N);
    if ((s = q_tables(q, pl, st, batch, err)) == CAIRN_OK) {
        for (size_t l = 0; l < pl->ninst; l++)
            inputs[l] = (cairn_sumcheck_input){NULL, q + l * len, 0};
        instances(ins, pl, inputs);
        s = cairn_sumcheck_batch_prove(rd, rstar, evals, t, ins, pl->ninst, err);
    }
    free(q);
    return s;
}

/* The later rounds' state: each claimed slot's values at the point's group prefix. */
struct pairs {
    const struct plan *pl;
    const cairn_pcs_stack *st;
    const zl_members *ms;
    cairn_fp2 **at; /* num_polys: NULL, or S_c(r_0..r_{n_g-1}, y) folded in the y bound so far */
    size_t *folded; /* num_polys: the y variables bound in at[c] */
    struct win *win; /* the window passes (win_tables), or NULL */
};

/* Whether a claim of the plan is on slot c. */
static int claimed(const struct plan *pl, size_t c)
{
    for (size_t k = 0; k < pl->m; k++)
        if (pl->cl[k].slot == c)
            return 1;
    return 0;
}

/*
 * Slot c (of group g) at the batch point's first n_g coordinates, one
 * value per block: its members' values there (zero past the group's
 * members).  For a group read from rows, every claimed slot of the group
 * not made yet is made with it, in one pass over the rows.
 */
static cairn_status blocks_at(struct pairs *pc, size_t c, size_t g, const cairn_fp2 *point,
                              cairn_error *err)
{
    const cairn_pcs_stack *st = pc->st;
    unsigned ng = st->groups[g].num_vars, d = st->num_vars - ng;
    size_t blocks = (size_t)1 << d, cnt = st->groups[g].count, nev = 0;
    size_t end = g + 1 < st->groups_len ? st->first_slot[g + 1] : st->num_polys;
    int rows = pc->ms->rows != NULL && g == pc->ms->group;
    cairn_status s = CAIRN_OK;
    struct mp_eval *ev = rows ? malloc(cnt * sizeof *ev) : NULL;
    if (rows && ev == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: group %zu's values", g);
    for (size_t c2 = st->first_slot[g]; c2 < end && s == CAIRN_OK; c2++) {
        if (c2 != c && (!rows || pc->at[c2] != NULL || !claimed(pc->pl, c2)))
            continue;
        size_t j0 = (c2 - st->first_slot[g]) << d;
        if ((pc->at[c2] = malloc(blocks * sizeof *pc->at[c2])) == NULL) {
            s = cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: slot %zu's blocks", c2);
            break;
        }
        pc->folded[c2] = 0;
        for (size_t y = 0; y < blocks; y++) {
            pc->at[c2][y] = cairn_fp2_zero();
            if (j0 + y >= cnt)
                continue;
            if (rows)
                ev[nev++] = (struct mp_eval){j0 + y, point, &pc->at[c2][y]};
            else if (cairn_poly_eval_fp(&pc->at[c2][y], table_of(pc->ms, st, g, j0 + y), point,
                                        ng) != CAIRN_OK)
                s = cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: evaluation");
        }
    }
    if (s == CAIRN_OK && rows)
        s = member_pass(pc->ms->rows, ng, ev, nev, NULL, 0, err);
    free(ev);
    return s;
}

/*
 * Slot c (of group g) at the batch point's first n_g coordinates, its d
 * block variables bound to the next t: made by blocks_at, then folded.
 */
static cairn_status slot_at(struct pairs *pc, size_t c, size_t g, size_t t, const cairn_fp2 *point,
                            cairn_error *err)
{
    const cairn_pcs_stack *st = pc->st;
    unsigned ng = st->groups[g].num_vars, d = st->num_vars - ng;
    cairn_status s;
    if (pc->at[c] == NULL && (s = blocks_at(pc, c, g, point, err)) != CAIRN_OK)
        return s;
    for (; pc->folded[c] < t; pc->folded[c]++)
        cairn_poly_fold_fp2(pc->at[c], (size_t)1 << (d - pc->folded[c]), point[ng + pc->folded[c]]);
    return CAIRN_OK;
}

/*
 * cairn_sumcheck_pair_fn for instance l past its group's n_g variables:
 * Q_l = sum a S_c at (r_<i, X, bits of its block past i), from the slots'
 * folded block values; at i = N, Q_l(r*).
 */
static cairn_status pair_values(cairn_fp2 *out, void *ctx, size_t l, size_t i,
                                const cairn_fp2 *point, cairn_error *err)
{
    struct pairs *pc = ctx;
    const struct plan *pl = pc->pl;
    size_t g = pl->grp[l], ng = pc->st->groups[g].num_vars, t = i - ng, b = 0;
    for (size_t u = ng; u < pl->N; u++)
        b |= (size_t)cairn_fp2_eq(pl->taus[l * pl->N + u], cairn_fp2_one()) << (u - ng);
    out[0] = cairn_fp2_zero();
    if (i < pl->N)
        out[1] = cairn_fp2_zero();
    for (size_t k = 0; k < pl->m; k++) {
        const struct rclaim *c = &pl->cl[k];
        if (c->inst != l)
            continue;
        cairn_status s = slot_at(pc, c->slot, g, t, point, err);
        if (s != CAIRN_OK)
            return s;
        size_t y = i < pl->N ? (b >> (t + 1)) << 1 : 0;
        out[0] = cairn_fp2_add(out[0], cairn_fp2_mul(c->a, pc->at[c->slot][y]));
        if (i < pl->N)
            out[1] = cairn_fp2_add(out[1], cairn_fp2_mul(c->a, pc->at[c->slot][y + 1]));
    }
    return CAIRN_OK;
}

/*
 * cairn_sumcheck_window_fn: at round 0 each head instance's window table
 * from the B_pj, at round W its bound table from pass 1.
 */
static cairn_status win_tables(void *ctx, size_t round, const cairn_fp2 *point,
                               cairn_fp2 **const *tables, cairn_error *err)
{
    struct win *w = ((struct pairs *)ctx)->win;
    size_t Y = (size_t)1 << w->W, nh = 0;
    for (size_t h = 0; h < w->nh; h++)
        if ((w->out[h] = tables[w->inst[h]] != NULL ? tables[w->inst[h]][0] : NULL) != NULL)
            nh++;
    if (nh != w->nh) /* every head instance has the same window */
        return cairn_error_set(err, CAIRN_ERR_INTERNAL,
                               "claim reduction: %zu of %zu windows at round %zu", nh, w->nh,
                               round);
    if (round == 0) {
        for (size_t h = 0; h < w->nh; h++)
            for (size_t k = w->cfirst[h]; k < w->cfirst[h + 1]; k++) {
                const struct rclaim *c = w->cl[k];
                const cairn_fp2 *bt = w->B + (w->bix[c->pt * w->count + c->member] << w->W);
                for (size_t y = 0; y < Y; y++)
                    w->out[h][y] = cairn_fp2_add(w->out[h][y], cairn_fp2_mul(c->a, bt[y]));
            }
        return CAIRN_OK;
    }
    free(w->B); /* the windows are spent */
    w->B = NULL;
    size_t zl = (size_t)1 << (w->n - w->W);
    if ((w->eqr = malloc(Y * sizeof *w->eqr)) == NULL ||
        (w->M = calloc(w->count * zl, sizeof *w->M)) == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: the members bound");
    cairn_status s = cairn_poly_eq_table(w->eqr, point, w->W);
    if (s != CAIRN_OK)
        return cairn_error_set(err, s, "claim reduction: the eq table of the window's challenges");
    s = win_pass(w, 0, err);
    free(w->eqr);
    w->eqr = NULL;
    for (size_t h = 0; h < w->nh && s == CAIRN_OK; h++)
        for (size_t k = w->cfirst[h]; k < w->cfirst[h + 1]; k++) {
            const cairn_fp2 *m = w->M + w->cl[k]->member * zl;
            for (size_t z = 0; z < zl; z++)
                w->out[h][z] = cairn_fp2_add(w->out[h][z], cairn_fp2_mul(w->cl[k]->a, m[z]));
        }
    return s;
}

/*
 * Every slot's value at the batch point r* (N coordinates), as
 * cairn_pcs_evaluate gives it: slot c of group g is
 * sum_b eq(r*[n_g .. N), b) f_{j0 + b}(r*[0 .. n_g)) over its blocks b
 * (members past the group's count are zero); the members read from rows
 * from their tables bound by pass 1 (w->M), the others from their tables.
 */
static cairn_status win_at(cairn_fp2 *at, const struct win *w, const cairn_pcs_stack *st,
                           const zl_members *ms, const cairn_fp2 *rstar, cairn_error *err)
{
    size_t zl = (size_t)1 << (w->n - w->W);
    cairn_status s = CAIRN_OK;
    for (size_t g = 0; g < st->groups_len && s == CAIRN_OK; g++) {
        unsigned ng = st->groups[g].num_vars, d = st->num_vars - ng;
        size_t end = g + 1 < st->groups_len ? st->first_slot[g + 1] : st->num_polys;
        for (size_t c = st->first_slot[g]; c < end && s == CAIRN_OK; c++) {
            size_t j0 = (c - st->first_slot[g]) << d;
            at[c] = cairn_fp2_zero();
            for (size_t b = 0; b < ((size_t)1 << d) && j0 + b < st->groups[g].count; b++) {
                cairn_fp2 v, e = cairn_fp2_one();
                const cairn_fp *f = table_of(ms, st, g, j0 + b);
                if (f != NULL)
                    s = cairn_poly_eval_fp(&v, f, rstar, ng);
                else
                    s = cairn_poly_eval_fp2(&v, w->M + (j0 + b) * zl, rstar + w->W, ng - w->W);
                if (s != CAIRN_OK)
                    return cairn_error_set(err, s, "claim reduction: a slot's value at r*");
                for (unsigned u = 0; u < d; u++) {
                    cairn_fp2 r = rstar[ng + u];
                    e = cairn_fp2_mul(e, (b >> u) & 1 ? r : cairn_fp2_sub(cairn_fp2_one(), r));
                }
                at[c] = cairn_fp2_add(at[c], cairn_fp2_mul(e, v));
            }
        }
    }
    return s;
}

/*
 * The prover: instance l's Q_l kept on its block only, T_l = sum a f_member
 * over the group's n_g variables (its first n_g rounds), then the pairs of
 * pair_values.  Memory: sum_l 2^n_g(l) extension elements for the T_l
 * (and the sum-check's folds of them, half that), plus 2^(N - n_g) per
 * claimed slot of a smaller group.  The T_l of members read from rows are
 * made in one pass over the rows, all at once, or, when they would take
 * more than zl_open_table_max bytes, never made whole: their first
 * W = n_g / 2 rounds run on window tables of 2^W entries from one pass
 * and the rest on T_l bound to those rounds' challenges (2^(n_g - W)
 * entries) from a second (win_tables).  The same bytes as reduce_full.
 */
static cairn_status reduce_blocks(cairn_sumcheck_proof *rd, cairn_fp2 *rstar, cairn_fp2 *evals,
                                  cairn_transcript *t, const struct plan *pl,
                                  const cairn_pcs_stack *st, const zl_members *ms, struct win *w,
                                  cairn_sumcheck_instance *ins, cairn_sumcheck_input *inputs,
                                  cairn_error *err)
{
    cairn_status s = CAIRN_OK;
    size_t total = 0, nacc = 0, *off = malloc(pl->ninst * sizeof *off);
    size_t *split = malloc(pl->ninst * sizeof *split), *head = malloc(pl->ninst * sizeof *head);
    struct mp_acc *acc = malloc(pl->m * sizeof *acc + 1);
    cairn_fp2 *tab = NULL;
    struct pairs pc = {pl, st, ms, calloc(st->num_polys, sizeof(cairn_fp2 *)),
                       calloc(st->num_polys, sizeof(size_t)), w};
    if (off == NULL || split == NULL || head == NULL || acc == NULL || pc.at == NULL ||
        pc.folded == NULL)
        goto nomem;
    if ((s = win_heads(w, head, pl, err)) != CAIRN_OK)
        goto out;
    for (size_t l = 0; l < pl->ninst; l++) {
        split[l] = st->groups[pl->grp[l]].num_vars;
        off[l] = total;
        if (head[l] == 0)
            total += (size_t)1 << split[l];
    }
    if ((tab = calloc(total + 1, sizeof *tab)) == NULL)
        goto nomem;
    for (size_t k = 0; k < pl->m; k++) {
        const struct rclaim *c = &pl->cl[k];
        size_t g = pl->grp[c->inst], len = (size_t)1 << split[c->inst];
        const cairn_fp *f = table_of(ms, st, g, c->member);
        cairn_fp2 *tl = tab + off[c->inst];
        if (head[c->inst] > 0)
            continue;
        if (f == NULL) {
            acc[nacc++] = (struct mp_acc){c->member, c->a, tl};
            continue;
        }
        for (size_t x = 0; x < len; x++)
            tl[x] = cairn_fp2_add(tl[x], cairn_fp2_mul_fp(c->a, f[x]));
    }
    if (ms->rows != NULL && (s = member_pass(ms->rows, st->groups[ms->group].num_vars, NULL, 0,
                                             acc, nacc, err)) != CAIRN_OK)
        goto out;
    for (size_t l = 0; l < pl->ninst; l++)
        inputs[l] = (cairn_sumcheck_input){NULL, tab + off[l], 0};
    instances(ins, pl, inputs);
    for (size_t l = 0; l < pl->ninst; l++)
        if (head[l] > 0)
            ins[l].inputs = NULL;
    cairn_sumcheck_batch_parts parts = {split, pair_values, w->nh > 0 ? head : NULL,
                                        w->nh > 0 ? win_tables : NULL, &pc};
    s = cairn_sumcheck_batch_prove_parts(rd, rstar, evals, t, ins, pl->ninst, &parts, err);
    goto out;
nomem:
    s = cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: %zu instances' blocks", pl->ninst);
out:
    for (size_t c = 0; pc.at != NULL && c < st->num_polys; c++)
        free(pc.at[c]);
    free(pc.at);
    free(pc.folded);
    free(tab);
    free(acc);
    free(off);
    free(split);
    free(head);
    return s;
}

cairn_status zl_open_prove(cairn_sumcheck_proof *rd, cairn_fp2 *at, cairn_pcs_opening *op,
                           cairn_fp2 *sent, cairn_transcript *t, const cairn_pcs_prover *pr,
                           const cairn_pcs_stack *st, const cairn_pcs_params *params,
                           const zl_members *ms, zl_claim_pt *pts, size_t npts, cairn_error *err)
{
    cairn_status s;
    struct plan pl;
    cairn_fp2 *evals = NULL, rstar[CAIRN_PCS_MAX_VARS];
    cairn_sumcheck_input *inputs = NULL;
    cairn_sumcheck_instance *ins = NULL;
    cairn_rows src;
    cairn_pcs_stack_rows rimpl;
    cairn_pcs_stack_src simpl;
    struct win w;
    memset(&rimpl, 0, sizeof rimpl);
    memset(&simpl, 0, sizeof simpl);
    memset(&pl, 0, sizeof pl);
    memset(&w, 0, sizeof w);
    if ((zl_open_path != 1 && (s = win_begin(&w, pts, npts, st, ms, err)) != CAIRN_OK) ||
        (s = sent_prove(sent, pts, npts, st, ms, &w, err)) != CAIRN_OK ||
        (s = plan_build(&pl, t, pts, npts, st, err)) != CAIRN_OK)
        goto out;
    evals = malloc(pl.ninst * sizeof *evals);
    inputs = malloc(pl.ninst * sizeof *inputs);
    ins = malloc(pl.ninst * sizeof *ins);
    if (evals == NULL || inputs == NULL || ins == NULL) {
        s = cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: %zu instances", pl.ninst);
        goto out;
    }
    /*
     * the batch rows (the members' group from rows through the stacked
     * source, or the tables), made after the block prover's reduction so
     * that the source's window and the reduction's tables are not held at once
     */
    if (zl_open_path != 1 &&
        (s = reduce_blocks(rd, rstar, evals, t, &pl, st, ms, &w, ins, inputs, err)) != CAIRN_OK)
        goto out;
    int at_done = w.M != NULL; /* the windows bound every member of the rows' group */
    if (at_done && (s = win_at(at, &w, st, ms, rstar, err)) != CAIRN_OK)
        goto out;
    win_clear(&w);
    s = ms->rows != NULL ? cairn_pcs_stack_src_init(&src, &simpl, st, params, ms->polys,
                                                    ms->group, ms->rows, err)
                         : cairn_pcs_stack_rows_init(&src, &rimpl, st, params, ms->polys, err);
    if (s != CAIRN_OK)
        goto out;
    if (zl_open_path == 1)
        s = reduce_full(rd, rstar, evals, t, &pl, st, &src, ins, inputs, err);
    if (s != CAIRN_OK || (!at_done && (s = cairn_pcs_evaluate(at, st->num_polys, params, &src,
                                                              rstar, 1, err)) != CAIRN_OK))
        goto out;
    s = cairn_pcs_open(op, t, pr, &src, rstar, 1, at, st->num_polys, err);
out:
    cairn_pcs_stack_rows_clear(&rimpl);
    cairn_pcs_stack_src_clear(&simpl);
    win_clear(&w);
    plan_clear(&pl);
    free(evals);
    free(inputs);
    free(ins);
    return s;
}

cairn_status zl_open_verify(const cairn_pcs_commitment *com, cairn_transcript *t,
                            const cairn_pcs_stack *st, const cairn_sumcheck_proof *rd,
                            const cairn_fp2 *at, size_t at_len, const cairn_pcs_opening *op,
                            const cairn_fp2 *sent, size_t sent_len, zl_claim_pt *pts, size_t npts,
                            cairn_error *err)
{
    cairn_status s;
    struct plan pl;
    cairn_fp2 *evals = NULL, rstar[CAIRN_PCS_MAX_VARS];
    cairn_sumcheck_instance *ins = NULL;
    memset(&pl, 0, sizeof pl);
    if (sent_len != zl_open_sent_len(pts, npts, st))
        return cairn_error_set(err, CAIRN_ERR_PARSE, "claim reduction: %zu values, expected %zu",
                               sent_len, zl_open_sent_len(pts, npts, st));
    if (at_len != st->num_polys)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "claim reduction: %zu values at the point, expected %zu", at_len,
                               st->num_polys);
    sent_read(pts, npts, st, sent);
    if ((s = plan_build(&pl, t, pts, npts, st, err)) != CAIRN_OK)
        goto out;
    evals = malloc(pl.ninst * sizeof *evals);
    ins = malloc(pl.ninst * sizeof *ins);
    if (evals == NULL || ins == NULL) {
        s = cairn_error_set(err, CAIRN_ERR_NOMEM, "claim reduction: %zu instances", pl.ninst);
        goto out;
    }
    /* Q_l(r*) from the slots' values: the final check's inputs */
    for (size_t l = 0; l < pl.ninst; l++)
        evals[l] = cairn_fp2_zero();
    for (size_t k = 0; k < pl.m; k++)
        evals[pl.cl[k].inst] =
            cairn_fp2_add(evals[pl.cl[k].inst], cairn_fp2_mul(pl.cl[k].a, at[pl.cl[k].slot]));
    instances(ins, &pl, NULL);
    if ((s = cairn_sumcheck_batch_verify(rstar, t, rd, ins, pl.ninst, evals, pl.ninst, err)) !=
        CAIRN_OK) {
        if (s == CAIRN_ERR_REJECTED)
            s = cairn_error_set(err, s, "claim reduction: the final check failed");
        goto out;
    }
    s = cairn_pcs_verify(com, t, rstar, 1, at, at_len, op, err);
out:
    plan_clear(&pl);
    free(evals);
    free(ins);
    return s;
}
