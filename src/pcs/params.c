/*
 * params.c — parameters of the recursive tensor PCS: the proven security
 * function, the automatic choice of shape, levels, queries, grinding and
 * repetitions for any size, validity checks and the parameter block codec.
 *
 * The security function is the one formula of docs/security.md §2–§3:
 *     eps = eps_0 + sum_{l=1..L} eps_l,   bits = -log2(eps),
 *     eps_0 = (N_0 / |F|)^s + |F|^-s + 2^-g_0 * Q(N_0, D_0, t_0),
 *     eps_l = (N_l / |F|)^s + 1/|F| + 2 (n_l + c_l) / |F| + 2^-g_l * Q(N_l, D_l, t_l),
 * with |F| = p^2, D = ceil(d / 2) for the minimum distance d = N - k + 1 of
 * each level's code, Q the probability that t distinct uniform columns all
 * avoid a fixed set of D columns (hypergeometric; <= ((1 + rho) / 2)^t),
 * n_l the variables of level l's vectors and c_l an upper bound on log2 of
 * its polynomial count.  The first term of each level is the
 * unique-decoding proximity gap of Ben-Sasson, Carmon, Ishai, Kopparty and
 * Saraf (2020) applied to the s uniformly random combinations w_s; the
 * second the random batching of the claims (alpha at level 0, mu above);
 * the third (inner levels) the degree-2 sum-check; the last the column
 * queries (Ligero, Ames et al. 2017; Brakedown, Golovnev et al. 2021).  It
 * is computed in doubles as a sum of powers of two; no table of sizes exists.
 */
#include <math.h>
#include <string.h>

#include "pcs_internal.h"

void pcs_dims_of(pcs_dims *d, const cairn_pcs_params *p)
{
    d->n = p->num_vars;
    d->C = p->num_polys;
    d->lc = p->log_cols;
    d->k = (size_t)1 << p->log_cols;
    d->m = (size_t)1 << (p->num_vars - p->log_cols);
    d->M = d->m * d->C;
    d->lb = p->log_blowup;
    d->N = d->k << p->log_blowup;
    d->t = p->queries;
    d->s = p->reps;
    d->g = p->grinding_bits;
}

size_t pcs_level_polys(size_t s, size_t P, unsigned l)
{
    size_t v = l == 1 ? s * (P + 1) : 1 + s, c = 1;
    while (c < 2 * v)
        c <<= 1;
    return c;
}

void pcs_level_shape(cairn_pcs_params *out, const cairn_pcs_params *p, unsigned l, size_t P)
{
    memset(out, 0, sizeof *out);
    const cairn_pcs_level_params *lv = &p->inner[l - 1];
    out->num_vars = l == 1 ? p->log_cols : p->inner[l - 2].log_cols;
    out->num_polys = (uint32_t)pcs_level_polys(p->reps, P, l);
    out->log_cols = lv->log_cols;
    out->log_blowup = lv->log_blowup;
    out->queries = lv->queries;
    out->grinding_bits = lv->grinding_bits;
    out->reps = p->reps;
}

void cairn_pcs_options_init(cairn_pcs_options *opt)
{
    if (opt == NULL)
        return;
    opt->target_bits = CAIRN_PCS_DEFAULT_TARGET_BITS;
    opt->log_blowup = 0;
    opt->log_cols = -1;
    opt->queries = 0;
    opt->grinding_bits = -1;
    opt->reps = 0;
    opt->max_log_cols = 0;
    opt->levels = -1;
    opt->points_hint = 0;
}

/* log2 |F| for F = F_p2, from p rounded down to a double (conservative). */
static double log2_field(void)
{
    return 2.0 * log2((double)(CAIRN_FP_P - (UINT64_C(1) << 32)));
}

/* D = ceil((N - k + 1) / 2): every bad set the queries must hit has this many columns. */
static uint64_t bad_columns(uint64_t N, uint64_t k)
{
    return (N - k + 2) / 2;
}

/*
 * log2 of the sum of 2^a over terms[0 .. len) (entries -INFINITY are
 * zero terms), by factoring out the largest.
 */
static double log2_sum(const double *terms, size_t len)
{
    double mx = -INFINITY;
    for (size_t i = 0; i < len; i++)
        if (terms[i] > mx)
            mx = terms[i];
    if (mx == -INFINITY)
        return -INFINITY;
    double sum = 0;
    for (size_t i = 0; i < len; i++)
        if (terms[i] != -INFINITY)
            sum += exp2(terms[i] - mx);
    return mx + log2(sum);
}

/* log2 Q(N, D, t): -INFINITY when t > N - D. */
static double log2_query(uint64_t N, uint64_t D, uint64_t t)
{
    if (t > N - D)
        return -INFINITY;
    double acc = 0;
    for (uint64_t i = 0; i < t; i++)
        acc += log2((double)(N - D - i) / (double)(N - i));
    return acc;
}

/*
 * The field terms of one level, as log2 eps: the proximity gap of the s
 * random combinations, then for level 0 the batching |F|^-s of the claims,
 * for an inner level the batching 1/|F| of its claims and its degree-2
 * sum-check over n_l + c_l variables (c_l bounds log2 of the level's
 * polynomial count for every point count the format allows).
 */
static double log2_field_terms(uint64_t N, unsigned s, unsigned level, unsigned n_l)
{
    double lf = log2_field();
    if (level == 0) {
        double terms[2] = {(double)s * (log2((double)N) - lf), -(double)s * lf};
        return log2_sum(terms, 2);
    }
    unsigned c = pcs_ceil_log2(pcs_level_polys(s, CAIRN_PCS_MAX_POINTS, level));
    double terms[3] = {(double)s * (log2((double)N) - lf), -lf,
                       log2(2.0 * (double)(n_l + c)) - lf};
    return log2_sum(terms, 3);
}

/* One level's shape as the security arithmetic sees it. */
typedef struct {
    unsigned level, n, lc, lb, t, g;
} lvl_shape;

/* log2 of one level's whole term (field terms and query term). */
static double log2_level(const lvl_shape *v, unsigned s)
{
    uint64_t k = (uint64_t)1 << v->lc, N = k << v->lb;
    double q = log2_query(N, bad_columns(N, k), v->t);
    double terms[2] = {log2_field_terms(N, s, v->level, v->n),
                       q == -INFINITY ? -INFINITY : q - (double)v->g};
    return log2_sum(terms, 2);
}

/* The shapes of every level of p (levels + 1 of them). */
static unsigned shapes_of(lvl_shape *v, const cairn_pcs_params *p)
{
    v[0] = (lvl_shape){0, p->num_vars, p->log_cols, p->log_blowup, p->queries, p->grinding_bits};
    for (unsigned l = 1; l <= p->levels; l++) {
        const cairn_pcs_level_params *lv = &p->inner[l - 1];
        v[l] = (lvl_shape){l, v[l - 1].lc, lv->log_cols, lv->log_blowup, lv->queries,
                           lv->grinding_bits};
    }
    return p->levels + 1;
}

/* Shape ranges of one level (no security): the conditions log2_level relies on. */
static int level_ok(const lvl_shape *v)
{
    if (v->lb < CAIRN_RS_MIN_LOG_BLOWUP || v->lb > CAIRN_RS_MAX_LOG_BLOWUP ||
        v->lc + v->lb > PCS_MAX_LOG_CODE || v->g > CAIRN_PCS_MAX_GRINDING_BITS || v->t < 1 ||
        (uint64_t)v->t > ((uint64_t)1 << (v->lc + v->lb)))
        return 0;
    return v->level == 0 ? v->lc <= v->n : v->lc < v->n;
}

/* Shape ranges only (no security): the conditions security() relies on. */
static int shape_ok(const cairn_pcs_params *p)
{
    lvl_shape v[CAIRN_PCS_MAX_LEVELS + 1];
    if (p->num_vars > CAIRN_PCS_MAX_VARS || p->reps < 1 || p->reps > CAIRN_PCS_MAX_REPS ||
        p->levels > CAIRN_PCS_MAX_LEVELS)
        return 0;
    unsigned nl = shapes_of(v, p);
    for (unsigned l = 0; l < nl; l++)
        if (!level_ok(&v[l]))
            return 0;
    return 1;
}

double cairn_pcs_params_security(const cairn_pcs_params *p)
{
    lvl_shape v[CAIRN_PCS_MAX_LEVELS + 1];
    double terms[CAIRN_PCS_MAX_LEVELS + 1];
    if (p == NULL || !shape_ok(p))
        return 0;
    unsigned nl = shapes_of(v, p);
    for (unsigned l = 0; l < nl; l++)
        terms[l] = log2_level(&v[l], p->reps);
    double b = -log2_sum(terms, nl);
    return b > 0 ? b : 0;
}

/* floor(bits) as stored in achieved_bits. */
static uint32_t achieved_of(double bits)
{
    if (!(bits > 0))
        return 0;
    if (bits >= 4096.0)
        return 4096;
    /*
     * Round down with a margin: double-precision log2/exp2 can lose a field
     * term far below the query term (e.g. t = 1 with 40 grinding bits comes
     * out as exactly 41.0 while the true value is a hair below), and libm
     * results may differ in the last place between platforms.  Subtracting
     * 1e-6 bits keeps the reported figure a floor of the true bound and
     * away from integer boundaries that another libm could round across.
     */
    return (uint32_t)floor(bits - 1e-6);
}

cairn_status cairn_pcs_params_check(const cairn_pcs_params *p, cairn_error *err)
{
    if (p == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params: NULL");
    if (p->num_vars > CAIRN_PCS_MAX_VARS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params: num_vars %u > %u",
                               (unsigned)p->num_vars, CAIRN_PCS_MAX_VARS);
    if (p->num_polys < 1 || p->num_polys > CAIRN_PCS_MAX_POLYS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params: num_polys %u outside 1..%u",
                               (unsigned)p->num_polys, CAIRN_PCS_MAX_POLYS);
    if (p->reps < 1 || p->reps > CAIRN_PCS_MAX_REPS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params: reps %u outside 1..%u",
                               (unsigned)p->reps, CAIRN_PCS_MAX_REPS);
    if (p->target_bits < 1 || p->target_bits > CAIRN_PCS_MAX_TARGET_BITS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params: target_bits %u outside 1..%u",
                               (unsigned)p->target_bits, CAIRN_PCS_MAX_TARGET_BITS);
    if (p->levels > CAIRN_PCS_MAX_LEVELS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params: %u levels > %u",
                               (unsigned)p->levels, CAIRN_PCS_MAX_LEVELS);
    for (unsigned l = p->levels; l < CAIRN_PCS_MAX_LEVELS; l++) {
        const cairn_pcs_level_params *lv = &p->inner[l];
        if (lv->log_cols | lv->log_blowup | lv->queries | lv->grinding_bits)
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "pcs params: unused level %u is not all zero", l + 1);
    }
    lvl_shape v[CAIRN_PCS_MAX_LEVELS + 1];
    unsigned nl = shapes_of(v, p);
    for (unsigned l = 0; l < nl; l++) {
        const lvl_shape *x = &v[l];
        if (l == 0 ? x->lc > x->n : x->lc >= x->n)
            return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params: level %u: log_cols %u %s %u",
                                   l, x->lc, l == 0 ? ">" : ">=", x->n);
        if (x->lb < CAIRN_RS_MIN_LOG_BLOWUP || x->lb > CAIRN_RS_MAX_LOG_BLOWUP)
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "pcs params: level %u: log_blowup %u outside %u..%u", l, x->lb,
                                   CAIRN_RS_MIN_LOG_BLOWUP, CAIRN_RS_MAX_LOG_BLOWUP);
        if (x->lc + x->lb > PCS_MAX_LOG_CODE)
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "pcs params: level %u: codeword of 2^%u symbols exceeds 2^%u",
                                   l, x->lc + x->lb, PCS_MAX_LOG_CODE);
        uint64_t N = (uint64_t)1 << (x->lc + x->lb);
        if (x->t < 1 || x->t > N)
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "pcs params: level %u: queries %u outside 1..%llu", l, x->t,
                                   (unsigned long long)N);
        if (x->g > CAIRN_PCS_MAX_GRINDING_BITS)
            return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params: level %u: grinding_bits %u > %u",
                                   l, x->g, CAIRN_PCS_MAX_GRINDING_BITS);
    }
    uint32_t ach = achieved_of(cairn_pcs_params_security(p));
    if (p->achieved_bits != ach)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs params: achieved_bits %u, but these parameters give %u",
                               (unsigned)p->achieved_bits, (unsigned)ach);
    if (ach < p->target_bits)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs params: %u proven bits, below the target of %u",
                               (unsigned)ach, (unsigned)p->target_bits);
    return CAIRN_OK;
}

/* Estimated Merkle multiproof bytes for t distinct queries among N leaves. */
static uint64_t merkle_estimate(uint64_t N, uint64_t t)
{
    unsigned h = pcs_ceil_log2(N), lt = 0;
    while (((uint64_t)2 << lt) <= t)
        lt++;
    uint64_t sib = h > lt ? t * (h - lt) : 0;
    if (sib > N - t)
        sib = N - t;
    return 4 + sib * CAIRN_SHA256_BYTES;
}

/*
 * Bytes one level adds to an opening beyond what comes after it: level 0
 * its point count, proof of work, columns and Merkle proof; an inner level
 * also its sum-check (two extension elements a round) and folded value.
 * M is the level's batch rows.
 */
static uint64_t level_bytes(const lvl_shape *v, uint64_t M, unsigned cbits)
{
    uint64_t N = (uint64_t)1 << (v->lc + v->lb);
    uint64_t b = 8 + (uint64_t)v->t * M * CAIRN_FP_BYTES + merkle_estimate(N, v->t);
    if (v->level == 0)
        return b + 4;
    return b + (uint64_t)(v->n + cbits) * 2 * CAIRN_FP2_BYTES + CAIRN_FP2_BYTES;
}

uint64_t cairn_pcs_opening_size_estimate(const cairn_pcs_params *p, size_t points_len)
{
    lvl_shape v[CAIRN_PCS_MAX_LEVELS + 1];
    if (p == NULL || !shape_ok(p) || p->num_polys < 1 || points_len < 1)
        return 0;
    unsigned nl = shapes_of(v, p);
    uint64_t total = CAIRN_PCS_PARAMS_BYTES;
    uint64_t M0 = ((uint64_t)1 << (p->num_vars - p->log_cols)) * p->num_polys;
    total += level_bytes(&v[0], M0, 0);
    for (unsigned l = 1; l < nl; l++) {
        size_t C = pcs_level_polys(p->reps, points_len, l);
        uint64_t M = ((uint64_t)1 << (v[l].n - v[l].lc)) * C;
        total += level_bytes(&v[l], M, pcs_ceil_log2(C)) + CAIRN_SHA256_BYTES;
    }
    /* the vectors sent in clear by the last level */
    uint64_t nvec = nl == 1 ? (uint64_t)p->reps * (points_len + 1) : 1 + (uint64_t)p->reps;
    return total + nvec * ((uint64_t)1 << v[nl - 1].lc) * CAIRN_FP2_BYTES;
}
/*
 * The fewest queries with grinding g whose query term 2^-g Q(N, D, t) is at
 * most 2^-target: one factor of Q per query, stopping at the first t that
 * meets it.  Always found: at t = N - D + 1 the term is exactly zero (every
 * possible bad set is hit).
 */
static uint32_t fewest_queries(uint64_t N, uint64_t k, unsigned g, double target)
{
    uint64_t D = bad_columns(N, k);
    double q = 0;
    for (uint64_t t = 1; t <= N - D; t++) {
        q += log2((double)(N - D - (t - 1)) / (double)(N - (t - 1)));
        if (q - (double)g <= -target)
            return (uint32_t)t;
    }
    return (uint32_t)(N - D + 1);
}

/* The search state of cairn_pcs_params_choose for one (levels, reps, query target). */
typedef struct {
    unsigned s, P, g, max_lc, max_code;
    double qtarget;
    int grind_auto;
    uint32_t (*tq)[CAIRN_RS_MAX_LOG_BLOWUP + 1]; /* fewest queries by (lc, lb); 0 = not yet */
    /* memo of the best inner levels: [first level?][n][levels left] */
    uint64_t best[2][CAIRN_PCS_MAX_VARS + 1][CAIRN_PCS_MAX_LEVELS + 1];
    cairn_pcs_level_params pick[2][CAIRN_PCS_MAX_VARS + 1][CAIRN_PCS_MAX_LEVELS + 1];
} search;

/* Queries and grinding of a level of 2^lc columns at rate 2^-lb under the search's target. */
static void level_queries(search *S, unsigned lc, unsigned lb, uint32_t *t, uint32_t *g)
{
    if (S->tq[lc][lb] == 0) {
        uint64_t k = (uint64_t)1 << lc;
        S->tq[lc][lb] = fewest_queries(k << lb, k, S->g, S->qtarget);
    }
    *t = S->tq[lc][lb];
    *g = S->g;
    uint64_t k = (uint64_t)1 << lc, N = k << lb;
    /* Once the queries alone are certain to hit every bad set, grinding buys nothing. */
    if (S->grind_auto && *t > N - bad_columns(N, k))
        *g = 0;
}

/*
 * The smallest estimated bytes of `left` inner levels starting at a level
 * whose vectors have n variables (first = it is level 1), the last one
 * sending its folded vectors in clear; the choice of the starting level is
 * left in S->pick.  UINT64_MAX when no shape fits.
 */
static uint64_t best_inner(search *S, int first, unsigned n, unsigned left)
{
    if (S->best[first][n][left] != 0)
        return S->best[first][n][left];
    uint64_t best = UINT64_MAX;
    size_t C = pcs_level_polys(S->s, S->P, first ? 1 : 2);
    for (unsigned lc = 0; lc < n && lc <= S->max_lc; lc++)
        for (unsigned lb = CAIRN_RS_MIN_LOG_BLOWUP; lb <= CAIRN_RS_MAX_LOG_BLOWUP; lb++) {
            if (lc + lb > S->max_code)
                continue;
            lvl_shape v = {first ? 1u : 2u, n, lc, lb, 0, 0};
            uint32_t t, g;
            level_queries(S, lc, lb, &t, &g);
            v.t = t;
            v.g = g;
            uint64_t M = ((uint64_t)1 << (n - lc)) * C;
            uint64_t size = level_bytes(&v, M, pcs_ceil_log2(C)) + CAIRN_SHA256_BYTES;
            uint64_t rest = left == 1 ? (1 + (uint64_t)S->s) * ((uint64_t)1 << lc) * CAIRN_FP2_BYTES
                                      : best_inner(S, 0, lc, left - 1);
            if (rest == UINT64_MAX)
                continue;
            if (size + rest < best) {
                best = size + rest;
                S->pick[first][n][left] = (cairn_pcs_level_params){lc, lb, t, g};
            }
        }
    S->best[first][n][left] = best;
    return best;
}

/* Fill p->inner from the search's picks for p->levels levels above p->log_cols. */
static void take_inner(search *S, cairn_pcs_params *p)
{
    unsigned n = p->log_cols;
    for (unsigned l = 1; l <= p->levels; l++) {
        int first = l == 1;
        (void)best_inner(S, first, n, p->levels - l + 1);
        p->inner[l - 1] = S->pick[first][n][p->levels - l + 1];
        n = p->inner[l - 1].log_cols;
    }
}

cairn_status cairn_pcs_params_choose(cairn_pcs_params *out, unsigned num_vars, size_t num_polys,
                                     const cairn_pcs_options *opt, cairn_error *err)
{
    cairn_pcs_options def;
    cairn_pcs_params best, cand;
    uint64_t best_size = 0;
    int have = 0;
    search S;
    search *Sp = &S;
    /* fewest queries by query target offset (below), then shape: kept across the loops */
    static const unsigned max_off = 16;
    uint32_t tq[16][PCS_MAX_LOG_CODE + 1][CAIRN_RS_MAX_LOG_BLOWUP + 1];
    memset(tq, 0, sizeof tq);

    if (out == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params choose: out is NULL");
    if (opt == NULL) {
        cairn_pcs_options_init(&def);
        opt = &def;
    }
    if (num_vars > CAIRN_PCS_MAX_VARS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params choose: %u variables > %u", num_vars,
                               CAIRN_PCS_MAX_VARS);
    if (num_polys < 1 || num_polys > CAIRN_PCS_MAX_POLYS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params choose: %zu polynomials outside 1..%u",
                               num_polys, CAIRN_PCS_MAX_POLYS);
    if (opt->target_bits < 1 || opt->target_bits > CAIRN_PCS_MAX_TARGET_BITS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params choose: target %u bits outside 1..%u",
                               opt->target_bits, CAIRN_PCS_MAX_TARGET_BITS);
    unsigned lb = opt->log_blowup == 0 ? CAIRN_PCS_DEFAULT_LOG_BLOWUP : opt->log_blowup;
    if (lb < CAIRN_RS_MIN_LOG_BLOWUP || lb > CAIRN_RS_MAX_LOG_BLOWUP)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params choose: log_blowup %u outside %u..%u",
                               lb, CAIRN_RS_MIN_LOG_BLOWUP, CAIRN_RS_MAX_LOG_BLOWUP);
    if (opt->log_cols < -1 || opt->log_cols > (int)num_vars)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs params choose: log_cols %d outside -1..%u (num_vars)",
                               opt->log_cols, num_vars);
    if (opt->log_cols >= 0 && (unsigned)opt->log_cols + lb > PCS_MAX_LOG_CODE)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs params choose: codeword of 2^%u symbols exceeds 2^%u",
                               (unsigned)opt->log_cols + lb, PCS_MAX_LOG_CODE);
    if (opt->grinding_bits < -1 || opt->grinding_bits > (int)CAIRN_PCS_MAX_GRINDING_BITS)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs params choose: grinding_bits %d outside -1..%u",
                               opt->grinding_bits, CAIRN_PCS_MAX_GRINDING_BITS);
    if (opt->reps > CAIRN_PCS_MAX_REPS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params choose: reps %u > %u", opt->reps,
                               CAIRN_PCS_MAX_REPS);
    if (opt->levels < -1 || opt->levels > (int)CAIRN_PCS_MAX_LEVELS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params choose: levels %d outside -1..%u",
                               opt->levels, CAIRN_PCS_MAX_LEVELS);
    if (opt->points_hint > CAIRN_PCS_MAX_POINTS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params choose: points_hint %u > %u",
                               opt->points_hint, CAIRN_PCS_MAX_POINTS);
    unsigned max_lc = opt->max_log_cols == 0 ? CAIRN_PCS_DEFAULT_MAX_LOG_COLS : opt->max_log_cols;
    if (max_lc + lb > PCS_MAX_LOG_CODE)
        max_lc = PCS_MAX_LOG_CODE - lb;
    unsigned lc_lo = 0, lc_hi = num_vars < max_lc ? num_vars : max_lc;
    if (opt->log_cols >= 0)
        lc_lo = lc_hi = (unsigned)opt->log_cols;
    unsigned s_lo = opt->reps == 0 ? 1 : opt->reps;
    unsigned s_hi = opt->reps == 0 ? CAIRN_PCS_MAX_REPS : opt->reps;
    unsigned g0 = opt->grinding_bits < 0 ? CAIRN_PCS_DEFAULT_GRINDING_BITS
                                         : (unsigned)opt->grinding_bits;
    unsigned L_lo = opt->levels < 0 ? 0 : (unsigned)opt->levels;
    unsigned L_hi = opt->levels < 0 ? CAIRN_PCS_MAX_LEVELS : (unsigned)opt->levels;
    unsigned P = opt->points_hint == 0 ? 1 : opt->points_hint;
    double target = (double)opt->target_bits;

    memset(&best, 0, sizeof best);
    for (unsigned L = L_lo; L <= L_hi; L++)
        for (unsigned s = s_lo; s <= s_hi && !(have && best.levels == L); s++)
            /*
             * Each of the L + 1 query terms aims at target + log2(L + 2) bits,
             * leaving room for the field terms; a candidate that still falls
             * short aims one bit higher, up to 8 times.
             */
            for (unsigned extra = 0; extra < 8; extra++) {
                memset(Sp, 0, sizeof *Sp);
                Sp->s = s;
                Sp->P = P;
                Sp->g = g0;
                Sp->grind_auto = opt->grinding_bits < 0;
                Sp->max_lc = max_lc;
                Sp->max_code = max_lc + lb;
                unsigned off = pcs_ceil_log2(L + 2) + extra;
                if (off >= max_off)
                    break;
                Sp->qtarget = target + (double)off;
                Sp->tq = tq[off];
                int found = 0, met = 0;
                for (unsigned lc = lc_lo; lc <= lc_hi; lc++) {
                    if (L > 0 && lc == 0)
                        continue; /* nothing to recurse on */
                    memset(&cand, 0, sizeof cand);
                    cand.num_vars = num_vars;
                    cand.num_polys = (uint32_t)num_polys;
                    cand.log_cols = lc;
                    cand.log_blowup = lb;
                    cand.reps = s;
                    cand.target_bits = opt->target_bits;
                    cand.levels = L;
                    uint32_t t, g;
                    level_queries(Sp, lc, lb, &t, &g);
                    if (opt->queries != 0) {
                        if (opt->queries > ((uint64_t)1 << (lc + lb)))
                            continue;
                        t = opt->queries;
                        g = g0;
                    }
                    cand.queries = t;
                    cand.grinding_bits = g;
                    if (L > 0) {
                        if (best_inner(Sp, 1, lc, L) == UINT64_MAX)
                            continue;
                        take_inner(Sp, &cand);
                    }
                    found = 1;
                    double bits = cairn_pcs_params_security(&cand);
                    if (bits < target)
                        continue;
                    met = 1;
                    cand.achieved_bits = achieved_of(bits);
                    uint64_t size = cairn_pcs_opening_size_estimate(&cand, P);
                    if (!have || size < best_size) {
                        best = cand;
                        best_size = size;
                        have = 1;
                    }
                }
                if (met || !found)
                    break;
            }
    if (!have)
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "pcs params choose: no parameters reach %u bits for 2^%u x %zu (the "
                               "field terms, or the given queries, grinding, levels or shape, "
                               "fall short)",
                               opt->target_bits, num_vars, num_polys);
    *out = best;
    return CAIRN_OK;
}

void cairn_pcs_params_encode(uint8_t out[CAIRN_PCS_PARAMS_BYTES], const cairn_pcs_params *p)
{
    const uint32_t f[10] = {p->num_vars,      p->num_polys, p->log_cols,    p->log_blowup,
                            p->queries,       p->grinding_bits, p->reps,    p->target_bits,
                            p->achieved_bits, p->levels};
    for (unsigned i = 0; i < 10; i++)
        pcs_store_le32(out + 4 * i, f[i]);
    for (unsigned l = 0; l < CAIRN_PCS_MAX_LEVELS; l++) {
        const cairn_pcs_level_params *lv = &p->inner[l];
        uint8_t *o = out + 40 + 16 * l;
        pcs_store_le32(o, lv->log_cols);
        pcs_store_le32(o + 4, lv->log_blowup);
        pcs_store_le32(o + 8, lv->queries);
        pcs_store_le32(o + 12, lv->grinding_bits);
    }
}

cairn_status cairn_pcs_params_decode(cairn_pcs_params *out, const uint8_t *in, size_t in_len,
                                     cairn_error *err)
{
    cairn_pcs_params p;
    cairn_error sub;
    if (in == NULL || in_len != CAIRN_PCS_PARAMS_BYTES)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "pcs params: %zu bytes, expected %u",
                               in == NULL ? (size_t)0 : in_len, CAIRN_PCS_PARAMS_BYTES);
    p.num_vars = pcs_load_le32(in);
    p.num_polys = pcs_load_le32(in + 4);
    p.log_cols = pcs_load_le32(in + 8);
    p.log_blowup = pcs_load_le32(in + 12);
    p.queries = pcs_load_le32(in + 16);
    p.grinding_bits = pcs_load_le32(in + 20);
    p.reps = pcs_load_le32(in + 24);
    p.target_bits = pcs_load_le32(in + 28);
    p.achieved_bits = pcs_load_le32(in + 32);
    p.levels = pcs_load_le32(in + 36);
    for (unsigned l = 0; l < CAIRN_PCS_MAX_LEVELS; l++) {
        const uint8_t *o = in + 40 + 16 * l;
        p.inner[l].log_cols = pcs_load_le32(o);
        p.inner[l].log_blowup = pcs_load_le32(o + 4);
        p.inner[l].queries = pcs_load_le32(o + 8);
        p.inner[l].grinding_bits = pcs_load_le32(o + 12);
    }
    if (cairn_pcs_params_check(&p, &sub) != CAIRN_OK)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "%s", sub.msg);
    if (out != NULL)
        *out = p;
    return CAIRN_OK;
}
