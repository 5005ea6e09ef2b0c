/*
 * inner.c — the recursive levels of an opening (docs/pcs.md §5), prover
 * and verifier, in the spirit of Ligerito (Novakovic–Angeris, ePrint
 * 2025/1187) with a separate uniformly random proximity combination per
 * level, so that only the unique-decoding proximity gap of BCIKS20 is used
 * (docs/security.md §2–§3).
 *
 * Level l >= 1 holds V extension vectors of K = 2^n entries each (level 1:
 * the w_s and u_{s,p} of level 0; above: the fold y and the proximity
 * vectors w_s of the level below).  Vector v is split into its two
 * coordinates, the base polynomials 2v (c0) and 2v + 1 (c1); with zero
 * polynomials up to C = 2^cb, they form a batch committed exactly like
 * level 0: row R = i C + c is polynomial c's entries [i k, i k + k), and
 * the level's table is F[a + k R] (a < k column, R < M = C m row).
 *
 * The level receives claims sum_x v[x] T(x) = value with tensors T (an eq
 * point, or the powers of a root of unity: one codeword symbol of the
 * level below).  With independent random mu_i it proves the one claim
 *     sum_{a,R} F[a + k R] W[a + k R] = sum_i mu_i value_i,
 *     W[a + k(c + C i)] = Phi_{c/2}[a + k i] * (c odd ? X : 1),
 *     Phi_v = sum_{claims i on v} mu_i T_i,
 * by one sum-check of degree 2 over all n + cb variables, ending at a
 * point (z, r_R) (z: the a-variables, r_R: the R-variables) with the value
 * F(z, r_R), which the prover sends.  The verifier computes W's
 * multilinear extension at the point itself (a sum of tensors, O(claims *
 * variables)).  F(z, r_R) is the fold y = sum_R eq(r_R, R) row_R evaluated
 * at z: one eq claim on y for the next level.  With uniform beta the
 * proximity vectors are w_s = sum_R beta_{s,R} row_R.  y and the w_s are
 * committed by the next level (or sent in clear by the last), then the
 * level's columns are queried: at column j, the symbols of y and w_s must
 * be the same combinations of the opened column, which are POW claims for
 * the next level (or direct checks at the last).
 *
 * Memory: the level's table F (base field), W and the sum-check's folded
 * copies (extension field), O(V K) elements; level 1 holds the most.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/ntt.h"
#include "cairn/poly.h"
#include "pcs_internal.h"

/* a * X in F_p2 = F_p[X]/(X^2 - 7). */
static cairn_fp2 mul_x(cairn_fp2 a)
{
    return cairn_fp2_make(cairn_fp_mul_w(a.c1), a.c0);
}

cairn_fp *pcs_level_table(const cairn_fp2 *vecs, size_t V, unsigned n, unsigned lc, size_t C)
{
    size_t K = (size_t)1 << n, k = (size_t)1 << lc, m = K / k;
    cairn_fp *F = calloc(K * C, sizeof *F);
    if (F == NULL)
        return NULL;
    for (size_t i = 0; i < m; i++)
        for (size_t v = 0; v < V; v++) {
            const cairn_fp2 *src = vecs + v * K + i * k;
            cairn_fp *r0 = F + k * (2 * v + C * i), *r1 = r0 + k;
            for (size_t a = 0; a < k; a++) {
                r0[a] = src[a].c0;
                r1[a] = src[a].c1;
            }
        }
    return F;
}

void pcs_table_rows(cairn_rows *src, cairn_rows_table *impl, const cairn_fp *table,
                    const cairn_pcs_params *shape)
{
    pcs_dims d;
    pcs_dims_of(&d, shape);
    cairn_rows_table_init(src, impl, table, d.M, d.k, 0);
}

void pcs_column_combos(cairn_fp2 *out, const cairn_fp *cols, size_t t, size_t M,
                       const cairn_fp2 *coeffs, size_t G)
{
    for (size_t q = 0; q < t; q++) {
        const cairn_fp *col = cols + q * M;
        for (size_t g = 0; g < G; g++) {
            const cairn_fp2 *co = coeffs + g * M;
            cairn_fp2 acc = cairn_fp2_zero();
            for (size_t R = 0; R < M; R++)
                acc = cairn_fp2_add(acc, cairn_fp2_mul_fp(co[R], col[R]));
            out[q * G + g] = acc;
        }
    }
}

/* The claimed sum and the absorbed claims: absorb the values, squeeze mu. */
static cairn_fp2 claims_begin(cairn_fp2 *mu, cairn_transcript *t, const pcs_claim_set *cs,
                              cairn_fp2 *scratch)
{
    for (size_t i = 0; i < cs->claims_len; i++)
        scratch[i] = cs->claims[i].value;
    cairn_transcript_absorb_fp2_vec(t, PCS_LABEL_CLAIMS, scratch, cs->claims_len);
    cairn_transcript_squeeze_fp2_vec(mu, cs->claims_len, t, PCS_LABEL_MU);
    cairn_fp2 sum = cairn_fp2_zero();
    for (size_t i = 0; i < cs->claims_len; i++)
        sum = cairn_fp2_add(sum, cairn_fp2_mul(mu[i], cs->claims[i].value));
    return sum;
}

/*
 * Phi[v K + x] = sum over the claims i on vector v of mu_i T_i(x), x < K:
 * eq tables for EQ claims, and for the POW claims of a vector one forward
 * NTT of size 2^log_code of the sparse vector holding mu_i at position
 * query_i (its entry x is sum_i mu_i omega^(query_i x)).
 */
static cairn_status build_phi(cairn_fp2 *Phi, const pcs_claim_set *cs, const cairn_fp2 *mu,
                              cairn_error *err)
{
    size_t K = (size_t)1 << cs->n, Ncode = (size_t)1 << cs->log_code;
    cairn_status st = CAIRN_OK;
    cairn_fp2 *eq = malloc(K * sizeof *eq);
    cairn_fp *g0 = malloc(Ncode * sizeof *g0), *g1 = malloc(Ncode * sizeof *g1);
    if (eq == NULL || g0 == NULL || g1 == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs open: cannot allocate a level's claims");
        goto out;
    }
    memset(Phi, 0, cs->nvec * K * sizeof *Phi);
    for (size_t v = 0; v < cs->nvec; v++) {
        cairn_fp2 *phi = Phi + v * K;
        int any_pow = 0;
        memset(g0, 0, Ncode * sizeof *g0);
        memset(g1, 0, Ncode * sizeof *g1);
        for (size_t i = 0; i < cs->claims_len; i++) {
            const pcs_claim *c = &cs->claims[i];
            if (c->vec != v)
                continue;
            if (c->kind == PCS_CLAIM_EQ) {
                (void)cairn_poly_eq_table(eq, c->point, cs->n);
                for (size_t x = 0; x < K; x++)
                    phi[x] = cairn_fp2_add(phi[x], cairn_fp2_mul(mu[i], eq[x]));
            } else {
                g0[c->query] = cairn_fp_add(g0[c->query], mu[i].c0);
                g1[c->query] = cairn_fp_add(g1[c->query], mu[i].c1);
                any_pow = 1;
            }
        }
        if (!any_pow)
            continue;
        if ((st = cairn_ntt_forward(g0, Ncode, err)) != CAIRN_OK ||
            (st = cairn_ntt_forward(g1, Ncode, err)) != CAIRN_OK)
            goto out;
        for (size_t x = 0; x < K; x++)
            phi[x] = cairn_fp2_add(phi[x], cairn_fp2_make(g0[x], g1[x]));
    }
out:
    free(eq);
    free(g0);
    free(g1);
    return st;
}

/*
 * The multilinear extension of W at the sum-check's point: for every claim,
 * mu_i T_i(z, r_i) times the selector of its polynomials at the c
 * coordinates ((1 - c_0) + c_0 X) prod_b eq(v_b, c_{b+1}).  x holds the
 * vector's n coordinates (the a-part then the i-part), c the cb others.
 */
static cairn_fp2 w_at(const pcs_claim_set *cs, const cairn_fp2 *mu, const cairn_fp2 *x,
                      const cairn_fp2 *c, unsigned cb)
{
    cairn_fp2 one = cairn_fp2_one(), total = cairn_fp2_zero();
    cairn_fp omega = cairn_fp_root_of_unity(cs->log_code);
    for (size_t i = 0; i < cs->claims_len; i++) {
        const pcs_claim *cl = &cs->claims[i];
        cairn_fp2 sel = cairn_fp2_add(cairn_fp2_sub(one, c[0]), mul_x(c[0]));
        for (unsigned b = 1; b < cb; b++) {
            cairn_fp2 cbit = c[b];
            sel = cairn_fp2_mul(sel, ((cl->vec >> (b - 1)) & 1) ? cbit : cairn_fp2_sub(one, cbit));
        }
        cairn_fp2 T;
        if (cl->kind == PCS_CLAIM_EQ) {
            T = cairn_poly_eq_eval(cl->point, x, cs->n);
        } else {
            /* prod_b ((1 - x_b) + x_b omega^(j 2^b)) */
            cairn_fp wp = cairn_fp_pow(omega, (uint64_t)cl->query);
            T = one;
            for (unsigned b = 0; b < cs->n; b++) {
                cairn_fp2 f = cairn_fp2_add(cairn_fp2_sub(one, x[b]), cairn_fp2_mul_fp(x[b], wp));
                T = cairn_fp2_mul(T, f);
                wp = cairn_fp_square(wp);
            }
        }
        total = cairn_fp2_add(total, cairn_fp2_mul(mu[i], cairn_fp2_mul(T, sel)));
    }
    return total;
}

/* The level's shape: dims, cb = log2 C, and the sum-check's variable count. */
typedef struct {
    cairn_pcs_params shape;
    pcs_dims d;
    unsigned cb, nv;
} level_info;

static void level_info_of(level_info *li, const cairn_pcs_params *p, unsigned l, size_t P)
{
    pcs_level_shape(&li->shape, p, l, P);
    pcs_dims_of(&li->d, &li->shape);
    li->cb = pcs_ceil_log2(li->d.C);
    li->nv = (unsigned)li->d.n + li->cb;
}

/* The point's a-part and i-part as the vector's n coordinates (a first). */
static void vector_point(cairn_fp2 *x, const cairn_fp2 *point, const level_info *li)
{
    memcpy(x, point, li->d.lc * sizeof *x);
    memcpy(x + li->d.lc, point + li->d.lc + li->cb, (li->d.n - li->d.lc) * sizeof *x);
}

/*
 * The claims of the next level from this one's point, folded value and
 * column combinations (combos[q G + g], G = 1 + s: y then the w_s).  zbuf
 * receives the a-part of the point (lc coordinates) and must outlive set.
 */
static cairn_status next_claims(pcs_claim_set *set, const level_info *li, const cairn_fp2 *point,
                                cairn_fp2 fold_eval, const cairn_fp2 *combos, const size_t *idx,
                                cairn_fp2 *zbuf, cairn_error *err)
{
    size_t G = 1 + li->d.s, len = 1 + li->d.t * G;
    pcs_claim *cl = malloc(len * sizeof *cl);
    if (cl == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs: cannot allocate a level's claims");
    memcpy(zbuf, point, li->d.lc * sizeof *zbuf);
    cl[0] = (pcs_claim){0, PCS_CLAIM_EQ, zbuf, 0, fold_eval};
    for (size_t q = 0; q < li->d.t; q++)
        for (size_t g = 0; g < G; g++)
            cl[1 + q * G + g] =
                (pcs_claim){(uint32_t)g, PCS_CLAIM_POW, NULL, idx[q], combos[q * G + g]};
    free(set->claims);
    set->claims = cl;
    set->claims_len = len;
    set->nvec = G;
    set->n = (unsigned)li->d.lc;
    set->log_code = (unsigned)(li->d.lc + li->d.lb);
    return CAIRN_OK;
}

/*
 * next_claims with the storage of the point it refers to: the claims of the
 * level being proven still point into *zcur, which becomes *zprev (freed one
 * level later); a fresh *zcur receives the new point.
 */
static cairn_status hand_on(pcs_claim_set *set, cairn_fp2 **zcur, cairn_fp2 **zprev,
                            const level_info *li, const cairn_fp2 *point, cairn_fp2 fold_eval,
                            const cairn_fp2 *combos, const size_t *idx, cairn_error *err)
{
    free(*zprev);
    *zprev = *zcur;
    *zcur = malloc((li->d.lc ? li->d.lc : 1) * sizeof **zcur);
    if (*zcur == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs: cannot allocate a level's claims");
    return next_claims(set, li, point, fold_eval, combos, idx, *zcur, err);
}

pcs_cheat_cfg pcs_cheat;

static const cairn_sumcheck_term PRODUCT_TERM = {{{1}, {0}}, 2, {0, 1}};
static const cairn_sumcheck_expr PRODUCT = {&PRODUCT_TERM, 1, 2};

/* The per-level buffers of prover and verifier, sized by level_scratch_alloc. */
typedef struct {
    cairn_fp2 *mu, *values, *point, *beta, *crow, *combos;
    size_t *idx;
} level_scratch;

static void level_scratch_clear(level_scratch *ls)
{
    free(ls->mu);
    free(ls->values);
    free(ls->point);
    free(ls->beta);
    free(ls->crow);
    free(ls->combos);
    free(ls->idx);
    memset(ls, 0, sizeof *ls);
}

/* (Re)allocate the buffers for a level of shape li with claims_len claims. */
static cairn_status level_scratch_alloc(level_scratch *ls, const level_info *li, size_t claims_len,
                                        unsigned l, cairn_error *err)
{
    const pcs_dims *d = &li->d;
    level_scratch_clear(ls);
    ls->mu = malloc(claims_len * sizeof *ls->mu);
    ls->values = malloc(claims_len * sizeof *ls->values);
    ls->point = malloc(li->nv * sizeof *ls->point);
    ls->beta = malloc(d->s * d->M * sizeof *ls->beta);
    ls->crow = malloc((1 + d->s) * d->M * sizeof *ls->crow);
    ls->combos = malloc(d->t * (1 + d->s) * sizeof *ls->combos);
    ls->idx = malloc(d->t * sizeof *ls->idx);
    if (!ls->mu || !ls->values || !ls->point || !ls->beta || !ls->crow || !ls->combos || !ls->idx)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs: cannot allocate level %u", l);
    return CAIRN_OK;
}

/* The combination rows of a level into ls->crow: eq(r_R, R) for y, then the beta_s. */
static void combo_rows(level_scratch *ls, const level_info *li)
{
    size_t M = li->d.M;
    (void)cairn_poly_eq_table(ls->crow, ls->point + li->d.lc, li->nv - li->d.lc);
    memcpy(ls->crow + M, ls->beta, li->d.s * M * sizeof *ls->crow);
}

/*
 * Prover step 1: the claims' mu and the level's sum-check over F * W.
 * Fills ls->point and lo->sumcheck, lo->fold_eval (absorbed).
 */
static cairn_status prove_sumcheck(cairn_pcs_level_opening *lo, level_scratch *ls,
                                   cairn_transcript *t, const level_info *li, const cairn_fp *F,
                                   const pcs_claim_set *claims, unsigned l, cairn_error *err)
{
    const pcs_dims *d = &li->d;
    size_t K = (size_t)1 << d->n;
    cairn_status st;
    cairn_fp2 ev[2];
    cairn_fp2 sum = claims_begin(ls->mu, t, claims, ls->values);
    cairn_fp2 *Phi = malloc(claims->nvec * K * sizeof *Phi), *W = calloc(K * d->C, sizeof *W);
    if (Phi == NULL || W == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs open: cannot allocate level %u", l);
        goto out;
    }
    if ((st = build_phi(Phi, claims, ls->mu, err)) != CAIRN_OK)
        goto out;
    for (size_t i = 0; i < d->m; i++)
        for (size_t c = 0; c < 2 * claims->nvec; c++) {
            const cairn_fp2 *ph = Phi + (c >> 1) * K + i * d->k;
            cairn_fp2 *w = W + d->k * (c + d->C * i);
            for (size_t a = 0; a < d->k; a++)
                w[a] = (c & 1) ? mul_x(ph[a]) : ph[a];
        }
    free(Phi);
    Phi = NULL;
    cairn_sumcheck_input in[2] = {{F, NULL, 0}, {NULL, W, 0}};
    cairn_sumcheck_proof_clear(&lo->sumcheck);
    if ((st = cairn_sumcheck_prove(&lo->sumcheck, ls->point, ev, t, &PRODUCT, NULL, in, 2, li->nv,
                                   sum, err)) != CAIRN_OK)
        goto out;
    lo->fold_eval = ev[0];
    if (pcs_cheat.mode == 4 && pcs_cheat.level == l)
        lo->fold_eval = cairn_fp2_add(lo->fold_eval, cairn_fp2_one());
    cairn_transcript_absorb_fp2(t, PCS_LABEL_FOLD, lo->fold_eval);
out:
    free(Phi);
    free(W);
    return st;
}

/* The test-only cheats on the folded vectors (pcs_cheat, modes 1, 2 and 5). */
static void cheat_on_fold(cairn_fp2 *next, const level_info *li, const cairn_fp2 *point, unsigned l)
{
    const pcs_dims *d = &li->d;
    /* mode 5 needs two entries: with k = 1 it is mode 1 */
    unsigned mode = pcs_cheat.mode == 5 && d->k < 2 ? 1 : pcs_cheat.mode;
    if ((mode == 1 || mode == 2) && pcs_cheat.level == l) {
        cairn_fp2 *e = next + (mode - 1) * d->k + pcs_cheat.entry % d->k;
        *e = cairn_fp2_add(*e, cairn_fp2_one());
    }
    if (mode == 5 && pcs_cheat.level == l) {
        /* y[a] += eq(z, b), y[b] -= eq(z, a): y(z) keeps the folded value */
        size_t a = pcs_cheat.entry % d->k, b = (a + 1) % d->k;
        cairn_fp2 one = cairn_fp2_one(), ea = one, eb = one;
        for (size_t v = 0; v < d->lc; v++) {
            cairn_fp2 zv = point[v], nz = cairn_fp2_sub(one, zv);
            ea = cairn_fp2_mul(ea, (a >> v) & 1 ? zv : nz);
            eb = cairn_fp2_mul(eb, (b >> v) & 1 ? zv : nz);
        }
        next[a] = cairn_fp2_add(next[a], eb);
        next[b] = cairn_fp2_sub(next[b], ea);
    }
}

/* Prover step 2: the fold y and the proximity vectors w_s (1 + s vectors of k), allocated. */
static cairn_fp2 *prove_fold(level_scratch *ls, cairn_transcript *t, const level_info *li,
                             const cairn_fp *F, unsigned l)
{
    const pcs_dims *d = &li->d;
    size_t G = 1 + d->s;
    cairn_transcript_squeeze_fp2_vec(ls->beta, d->s * d->M, t, PCS_LABEL_BETA);
    combo_rows(ls, li);
    cairn_fp2 *next = calloc(G * d->k, sizeof *next);
    if (next == NULL)
        return NULL;
    for (size_t R = 0; R < d->M; R++) {
        const cairn_fp *row = F + d->k * R;
        for (size_t g = 0; g < G; g++) {
            cairn_fp2 co = ls->crow[g * d->M + R], *dst = next + g * d->k;
            for (size_t a = 0; a < d->k; a++)
                dst[a] = cairn_fp2_add(dst[a], cairn_fp2_mul_fp(co, row[a]));
        }
    }
    cheat_on_fold(next, li, ls->point, l);
    return next;
}

/*
 * Test-only cheat (mode 6): at level pcs_cheat.level, batch row
 * pcs_cheat.entry % M has every even codeword symbol changed, more than d/2
 * of them, so the committed matrix is far from the interleaved code.  Applied
 * to the symbols the commitment hashes and to the columns the prover opens.
 */
static void cheat_symbols(cairn_fp *code, size_t R, const pcs_dims *d, unsigned l)
{
    if (pcs_cheat.mode != 6 || pcs_cheat.level != l || R != pcs_cheat.entry % d->M)
        return;
    for (size_t j = 0; j < d->N; j += 2)
        code[j] = cairn_fp_add(code[j], cairn_fp_one());
}

/*
 * The commitment of a table whose codeword row is changed by cheat_symbols
 * (mode 6 only): every row encoded, the columns hashed as leaves, the tree
 * built: the same leaves as the committer's, by the slow route.
 */
static cairn_status commit_far(cairn_pcs_prover *pr, const cairn_pcs_params *shape,
                               const cairn_fp *F, unsigned l, cairn_error *err)
{
    pcs_dims d;
    pcs_dims_of(&d, shape);
    cairn_status st;
    cairn_fp *code = malloc(d.M * d.N * sizeof *code);
    cairn_digest *leaves = malloc(d.N * sizeof *leaves);
    uint8_t *bytes = malloc(d.M * CAIRN_FP_BYTES);
    if (!code || !leaves || !bytes) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs open: cannot allocate the cheat");
        goto out;
    }
    for (size_t R = 0; R < d.M; R++) {
        if ((st = cairn_rs_encode(code + R * d.N, d.N, F + d.k * R, d.k, d.lb, CAIRN_RS_COEFFS,
                                  err)))
            goto out;
        cheat_symbols(code + R * d.N, R, &d, l);
    }
    for (size_t j = 0; j < d.N; j++) {
        for (size_t R = 0; R < d.M; R++)
            pcs_store_le64(bytes + 8 * R, code[R * d.N + j].v);
        cairn_merkle_leaf_hash(&leaves[j], bytes, d.M * CAIRN_FP_BYTES);
    }
    cairn_pcs_prover_clear(pr);
    if ((st = cairn_merkle_tree_build(&pr->tree, leaves, d.N, 1, err)) != CAIRN_OK)
        goto out;
    pr->com.params = *shape;
    pr->com.root = *cairn_merkle_tree_root(&pr->tree);
out:
    free(code);
    free(leaves);
    free(bytes);
    return st;
}

/* Prover step 4: proof of work, queries, the opened columns of F and their Merkle proof. */
static cairn_status prove_queries(cairn_pcs_level_opening *lo, level_scratch *ls,
                                  cairn_transcript *t, const level_info *li, const cairn_fp *F,
                                  const cairn_pcs_prover *pr, unsigned l, unsigned threads,
                                  cairn_error *err)
{
    const pcs_dims *d = &li->d;
    cairn_status st;
    cairn_fp *code = NULL;
    if ((st = cairn_transcript_grind(&lo->nonce, t, PCS_LABEL_POW, d->g, threads, err)) ||
        (st = cairn_transcript_squeeze_distinct(ls->idx, d->t, t, PCS_LABEL_QUERIES, d->N, err)))
        return st;
    free(lo->columns);
    lo->columns = malloc(d->t * d->M * sizeof *lo->columns);
    lo->columns_len = d->t * d->M;
    code = malloc(d->N * sizeof *code);
    if (lo->columns == NULL || code == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs open: cannot allocate a level's columns");
        goto out;
    }
    for (size_t R = 0; R < d->M; R++) {
        if ((st = cairn_rs_encode(code, d->N, F + d->k * R, d->k, d->lb, CAIRN_RS_COEFFS, err)))
            goto out;
        cheat_symbols(code, R, d, l);
        for (size_t q = 0; q < d->t; q++)
            lo->columns[q * d->M + R] = code[ls->idx[q]];
    }
    cairn_merkle_multiproof_clear(&lo->merkle);
    st = cairn_merkle_multiproof_open(&lo->merkle, &pr->tree, ls->idx, d->t, err);
out:
    free(code);
    return st;
}

cairn_status pcs_inner_prove(cairn_pcs_opening *out, cairn_transcript *t, const cairn_pcs_params *p,
                             size_t P, cairn_fp *F1, const cairn_pcs_prover *pr1,
                             pcs_claim_set *claims, unsigned threads, cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    level_info li, nli;
    level_scratch ls;
    cairn_fp *F = F1, *nextF = NULL;
    cairn_fp2 *next = NULL, *zbuf = NULL, *zprev = NULL;
    cairn_pcs_prover cur, nxt;
    const cairn_pcs_prover *pr = pr1;
    memset(&ls, 0, sizeof ls);
    cairn_pcs_prover_init(&cur);
    cairn_pcs_prover_init(&nxt);
    level_info_of(&li, p, 1, P);

    for (unsigned l = 1; l <= p->levels; l++) {
        cairn_pcs_level_opening *lo = &out->inner[l - 1];
        const pcs_dims *d = &li.d;
        size_t G = 1 + d->s;
        if ((st = level_scratch_alloc(&ls, &li, claims->claims_len, l, err)) != CAIRN_OK ||
            (st = prove_sumcheck(lo, &ls, t, &li, F, claims, l, err)) != CAIRN_OK)
            goto out;
        free(next);
        if ((next = prove_fold(&ls, t, &li, F, l)) == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs open: cannot allocate level %u", l);
            goto out;
        }

        /* 3. commit y and the w_s as the next level, or send them (last level) */
        if (l < p->levels) {
            cairn_rows src;
            cairn_rows_table impl;
            level_info_of(&nli, p, l + 1, P);
            free(nextF);
            nextF = pcs_level_table(next, G, (unsigned)d->lc, (unsigned)nli.d.lc, nli.d.C);
            if (nextF == NULL) {
                st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs open: cannot allocate level %u",
                                     l + 1);
                goto out;
            }
            pcs_table_rows(&src, &impl, nextF, &nli.shape);
            cairn_pcs_prover_clear(&nxt);
            if (pcs_cheat.mode == 6 && pcs_cheat.level == l + 1)
                st = commit_far(&nxt, &nli.shape, nextF, l + 1, err);
            else
                st = pcs_commit_shape(&nxt, &nli.shape, &src, err);
            if (st != CAIRN_OK)
                goto out;
            lo->next_root = nxt.com.root;
            cairn_transcript_absorb_digest(t, PCS_LABEL_ROOT, &lo->next_root);
        } else {
            free(lo->vectors);
            lo->vectors = next;
            lo->vectors_len = G * d->k;
            next = NULL;
            cairn_transcript_absorb_fp2_vec(t, PCS_LABEL_VECTORS, lo->vectors, lo->vectors_len);
        }

        if ((st = prove_queries(lo, &ls, t, &li, F, pr, l, threads, err)) != CAIRN_OK || l == p->levels)
            goto out;

        /* 5. the next level's claims; its table and tree become current */
        pcs_column_combos(ls.combos, lo->columns, d->t, d->M, ls.crow, G);
        if ((st = hand_on(claims, &zbuf, &zprev, &li, ls.point, lo->fold_eval, ls.combos, ls.idx,
                          err)))
            goto out;
        free(F);
        F = nextF;
        nextF = NULL;
        cairn_pcs_prover_clear(&cur);
        cur = nxt;
        cairn_pcs_prover_init(&nxt);
        pr = &cur;
        li = nli;
    }
out:
    level_scratch_clear(&ls);
    free(F);
    free(nextF);
    free(next);
    free(zbuf);
    free(zprev);
    cairn_pcs_prover_clear(&cur);
    cairn_pcs_prover_clear(&nxt);
    return st;
}

cairn_status pcs_check_columns(const cairn_digest *root, const pcs_dims *d, const size_t *idx,
                               const cairn_fp *columns, const cairn_merkle_multiproof *mp,
                               cairn_error *err)
{
    cairn_status st;
    cairn_digest *leaves = malloc(d->t * sizeof *leaves);
    uint8_t *bytes = malloc(d->M * CAIRN_FP_BYTES);
    if (leaves == NULL || bytes == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs verify: cannot allocate the leaves");
        goto out;
    }
    for (size_t q = 0; q < d->t; q++) {
        const cairn_fp *col = columns + q * d->M;
        cairn_sha256_ctx h;
        for (size_t R = 0; R < d->M; R++)
            pcs_store_le64(bytes + 8 * R, col[R].v);
        cairn_merkle_leaf_init(&h);
        cairn_sha256_update(&h, bytes, d->M * CAIRN_FP_BYTES);
        cairn_sha256_final(leaves[q].bytes, &h);
    }
    st = cairn_merkle_multiproof_verify(root, d->N, idx, leaves, d->t, mp, err);
out:
    free(leaves);
    free(bytes);
    return st;
}

/* The last level's direct checks: y(z) = fold_eval and every vector against its columns. */
static cairn_status last_checks(const cairn_pcs_level_opening *lo, const level_info *li,
                                const cairn_fp2 *point, const cairn_fp2 *combos, const size_t *idx,
                                unsigned l, cairn_error *err)
{
    cairn_status st;
    const pcs_dims *d = &li->d;
    size_t G = 1 + d->s;
    cairn_fp2 yz;
    cairn_fp2 *enc = malloc(d->N * sizeof *enc);
    cairn_fp *scratch = malloc(d->N * sizeof *scratch);
    if (enc == NULL || scratch == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs verify: cannot allocate level %u", l);
        goto out;
    }
    if ((st = cairn_poly_eval_fp2(&yz, lo->vectors, point, d->lc)) != CAIRN_OK)
        goto out;
    if (!cairn_fp2_eq(yz, lo->fold_eval)) {
        st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                             "pcs verify: level %u: the folded vector does not have the folded "
                             "value",
                             l);
        goto out;
    }
    for (size_t g = 0; g < G; g++) {
        if ((st = pcs_encode_fp2(enc, scratch, lo->vectors + g * d->k, d, err)) != CAIRN_OK)
            goto out;
        for (size_t q = 0; q < d->t; q++)
            if (!cairn_fp2_eq(enc[idx[q]], combos[q * G + g])) {
                st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                                     "pcs verify: level %u: column %zu (query %zu) disagrees with "
                                     "%s vector %zu",
                                     l, idx[q], q, g == 0 ? "the folded" : "proximity",
                                     g == 0 ? (size_t)0 : g - 1);
                goto out;
            }
    }
    st = CAIRN_OK;
out:
    free(enc);
    free(scratch);
    return st;
}

cairn_status pcs_inner_verify(const cairn_pcs_opening *op, cairn_transcript *t,
                              const cairn_pcs_params *p, size_t P, pcs_claim_set *claims,
                              cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    level_info li;
    level_scratch ls;
    cairn_fp2 *zbuf = NULL, *zprev = NULL, *x = NULL;
    const cairn_digest *root = &op->root1;
    memset(&ls, 0, sizeof ls);

    for (unsigned l = 1; l <= p->levels; l++) {
        const cairn_pcs_level_opening *lo = &op->inner[l - 1];
        level_info_of(&li, p, l, P);
        const pcs_dims *d = &li.d;
        size_t G = 1 + d->s;
        if (claims->nvec * 2 > d->C || claims->n != d->n || lo->columns_len != d->t * d->M ||
            lo->columns == NULL ||
            (l == p->levels && (lo->vectors == NULL || lo->vectors_len != G * d->k))) {
            st = cairn_error_set(err, CAIRN_ERR_ARG,
                                 "pcs verify: level %u: the opening's counts do not match its "
                                 "parameters",
                                 l);
            goto out;
        }
        free(x);
        x = malloc(d->n * sizeof *x);
        if ((st = level_scratch_alloc(&ls, &li, claims->claims_len, l, err)) != CAIRN_OK)
            goto out;
        if (x == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "pcs verify: cannot allocate level %u", l);
            goto out;
        }

        /* 1. the claims, mu, the sum-check and its final check */
        cairn_fp2 sum = claims_begin(ls.mu, t, claims, ls.values), expected;
        if ((st = cairn_sumcheck_verify(ls.point, &expected, t, &lo->sumcheck, li.nv, 2, sum,
                                        err)) != CAIRN_OK)
            goto out;
        vector_point(x, ls.point, &li);
        cairn_fp2 w = w_at(claims, ls.mu, x, ls.point + d->lc, li.cb);
        if (!cairn_fp2_eq(cairn_fp2_mul(lo->fold_eval, w), expected)) {
            st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                                 "pcs verify: level %u: the sum-check's final value is not the "
                                 "folded value times the claims' weight",
                                 l);
            goto out;
        }
        cairn_transcript_absorb_fp2(t, PCS_LABEL_FOLD, lo->fold_eval);

        /* 2. beta, the next root or the vectors, proof of work, queries */
        cairn_transcript_squeeze_fp2_vec(ls.beta, d->s * d->M, t, PCS_LABEL_BETA);
        if (l < p->levels)
            cairn_transcript_absorb_digest(t, PCS_LABEL_ROOT, &lo->next_root);
        else
            cairn_transcript_absorb_fp2_vec(t, PCS_LABEL_VECTORS, lo->vectors, lo->vectors_len);
        if ((st = cairn_transcript_check_pow(t, PCS_LABEL_POW, d->g, lo->nonce, err)) != CAIRN_OK)
            goto out;
        if ((st = cairn_transcript_squeeze_distinct(ls.idx, d->t, t, PCS_LABEL_QUERIES, d->N, err)))
            goto out;

        /* 3. the columns against this level's root, and their combinations */
        if ((st = pcs_check_columns(root, d, ls.idx, lo->columns, &lo->merkle, err)) != CAIRN_OK)
            goto out;
        combo_rows(&ls, &li);
        pcs_column_combos(ls.combos, lo->columns, d->t, d->M, ls.crow, G);

        /* 4. the last level checks its vectors; the others hand claims on */
        if (l == p->levels) {
            st = last_checks(lo, &li, ls.point, ls.combos, ls.idx, l, err);
            goto out;
        }
        if ((st = hand_on(claims, &zbuf, &zprev, &li, ls.point, lo->fold_eval, ls.combos, ls.idx,
                          err)))
            goto out;
        root = &lo->next_root;
    }
out:
    level_scratch_clear(&ls);
    free(zbuf);
    free(zprev);
    free(x);
    return st;
}
