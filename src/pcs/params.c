/*
 * params.c — parameters of the tensor PCS: the proven security function,
 * the automatic choice of shape, queries, grinding and repetitions for any
 * size, validity checks and the parameter block codec.
 *
 * The security function is the one formula of docs/security.md:
 *     eps = (N / |F|)^s + |F|^-s + 2^-g * Q(N, D, t),  bits = -log2(eps),
 * with |F| = p^2, D = ceil(d / 2) for the minimum distance d = N - k + 1,
 * and Q the probability that t distinct uniform columns all avoid a fixed
 * set of D columns (hypergeometric; <= ((1 + rho) / 2)^t).  The first term
 * is the unique-decoding proximity gap of Ben-Sasson, Carmon, Ishai,
 * Kopparty and Saraf (2020) applied to the s random combinations w_s, the
 * second the random batching of the claims, the third the column queries
 * (Ligero, Ames et al. 2017; Brakedown, Golovnev et al. 2021).  It is
 * computed in doubles as a sum of powers of two; no table of sizes exists.
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

/* The field terms (proximity gap and claim batching), as log2 eps. */
static double log2_field_terms(uint64_t N, unsigned s)
{
    double lf = log2_field();
    double terms[2] = {(double)s * (log2((double)N) - lf), -(double)s * lf};
    return log2_sum(terms, 2);
}

/* Bits from the field term and log2 Q (query term before grinding). */
static double bits_of(double log2_fieldterm, double log2_q, unsigned g)
{
    double terms[2] = {log2_fieldterm, log2_q == -INFINITY ? -INFINITY : log2_q - (double)g};
    return -log2_sum(terms, 2);
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

/* Shape ranges only (no security): the conditions security() relies on. */
static int shape_ok(const cairn_pcs_params *p)
{
    return p->num_vars <= CAIRN_PCS_MAX_VARS && p->log_cols <= p->num_vars &&
           p->log_blowup >= CAIRN_RS_MIN_LOG_BLOWUP && p->log_blowup <= CAIRN_RS_MAX_LOG_BLOWUP &&
           p->reps >= 1 && p->reps <= CAIRN_PCS_MAX_REPS &&
           p->grinding_bits <= CAIRN_PCS_MAX_GRINDING_BITS && p->queries >= 1 &&
           (uint64_t)p->queries <= ((uint64_t)1 << (p->log_cols + p->log_blowup));
}

double cairn_pcs_params_security(const cairn_pcs_params *p)
{
    if (p == NULL || !shape_ok(p))
        return 0;
    uint64_t k = (uint64_t)1 << p->log_cols;
    uint64_t N = k << p->log_blowup;
    double f = log2_field_terms(N, p->reps);
    double q = log2_query(N, bad_columns(N, k), p->queries);
    double b = bits_of(f, q, p->grinding_bits);
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
    if (p->log_cols > p->num_vars)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params: log_cols %u > num_vars %u",
                               (unsigned)p->log_cols, (unsigned)p->num_vars);
    if (p->log_blowup < CAIRN_RS_MIN_LOG_BLOWUP || p->log_blowup > CAIRN_RS_MAX_LOG_BLOWUP)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params: log_blowup %u outside %u..%u",
                               (unsigned)p->log_blowup, CAIRN_RS_MIN_LOG_BLOWUP,
                               CAIRN_RS_MAX_LOG_BLOWUP);
    if (p->log_cols + p->log_blowup > PCS_MAX_LOG_CODE)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "pcs params: codeword of 2^%u symbols exceeds 2^%u",
                               (unsigned)(p->log_cols + p->log_blowup), PCS_MAX_LOG_CODE);
    uint64_t N = (uint64_t)1 << (p->log_cols + p->log_blowup);
    if (p->queries < 1 || p->queries > N)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params: queries %u outside 1..%llu",
                               (unsigned)p->queries, (unsigned long long)N);
    if (p->grinding_bits > CAIRN_PCS_MAX_GRINDING_BITS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params: grinding_bits %u > %u",
                               (unsigned)p->grinding_bits, CAIRN_PCS_MAX_GRINDING_BITS);
    if (p->reps < 1 || p->reps > CAIRN_PCS_MAX_REPS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params: reps %u outside 1..%u",
                               (unsigned)p->reps, CAIRN_PCS_MAX_REPS);
    if (p->target_bits < 1 || p->target_bits > CAIRN_PCS_MAX_TARGET_BITS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params: target_bits %u outside 1..%u",
                               (unsigned)p->target_bits, CAIRN_PCS_MAX_TARGET_BITS);
    if (p->reserved != 0)
        return cairn_error_set(err, CAIRN_ERR_ARG, "pcs params: reserved field is %u, not 0",
                               (unsigned)p->reserved);
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

uint64_t cairn_pcs_opening_size_estimate(const cairn_pcs_params *p, size_t points_len)
{
    if (p == NULL || !shape_ok(p) || p->num_polys < 1)
        return 0;
    uint64_t k = (uint64_t)1 << p->log_cols;
    uint64_t N = k << p->log_blowup;
    uint64_t M = ((uint64_t)1 << (p->num_vars - p->log_cols)) * p->num_polys;
    uint64_t t = p->queries;
    unsigned h = 0, lt = 0;
    while (((uint64_t)1 << h) < N)
        h++;
    while (((uint64_t)2 << lt) <= t)
        lt++;
    uint64_t sib = h > lt ? t * (h - lt) : 0;
    if (sib > N - t)
        sib = N - t;
    return CAIRN_PCS_PARAMS_BYTES + 4 + (uint64_t)p->reps * (points_len + 1) * k * CAIRN_FP2_BYTES +
           8 + t * M * CAIRN_FP_BYTES + 4 + sib * CAIRN_SHA256_BYTES;
}

/*
 * The fewest queries (with grinding g) meeting target for a shape, or 0 when
 * even the best possible query term (zero, reached at t = N - D + 1) leaves
 * the field terms short of it.  The loop adds one factor of Q per query and
 * stops at the first t that meets the target: a few hundred steps at most
 * for valid targets, since each query gives at least 0.415 bits (rho = 1/2)
 * and t never exceeds N - D + 1.
 */
static uint64_t fewest_queries(uint64_t N, uint64_t k, unsigned s, unsigned g, double target)
{
    double f = log2_field_terms(N, s);
    if (-f < target)
        return 0;
    uint64_t D = bad_columns(N, k);
    double q = 0;
    for (uint64_t t = 1; t <= N - D + 1; t++) {
        q = t > N - D ? -INFINITY : q + log2((double)(N - D - (t - 1)) / (double)(N - (t - 1)));
        if (bits_of(f, q, g) >= target)
            return t;
    }
    return N - D + 1; /* not reached: Q = 0 there and -f >= target */
}

cairn_status cairn_pcs_params_choose(cairn_pcs_params *out, unsigned num_vars, size_t num_polys,
                                     const cairn_pcs_options *opt, cairn_error *err)
{
    cairn_pcs_options def;
    cairn_pcs_params best, cand;
    uint64_t best_size = 0;
    int have = 0;
    int short_field = 0;

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
    double target = (double)opt->target_bits;

    memset(&best, 0, sizeof best);
    for (unsigned lc = lc_lo; lc <= lc_hi; lc++) {
        uint64_t k = (uint64_t)1 << lc;
        uint64_t N = k << lb;
        for (unsigned s = s_lo; s <= s_hi; s++) {
            memset(&cand, 0, sizeof cand);
            cand.num_vars = num_vars;
            cand.num_polys = (uint32_t)num_polys;
            cand.log_cols = lc;
            cand.log_blowup = lb;
            cand.reps = s;
            cand.target_bits = opt->target_bits;
            cand.grinding_bits = g0;
            if (opt->queries != 0) {
                if (opt->queries > N)
                    continue;
                cand.queries = opt->queries;
            } else {
                uint64_t t = fewest_queries(N, k, s, g0, target);
                if (t == 0) {
                    short_field = 1;
                    continue;
                }
                cand.queries = (uint32_t)t;
            }
            /* Once the queries alone are certain to hit every bad set, grinding buys nothing. */
            if (opt->grinding_bits < 0 &&
                log2_query(N, bad_columns(N, k), cand.queries) == -INFINITY)
                cand.grinding_bits = 0;
            double bits = cairn_pcs_params_security(&cand);
            if (bits < target)
                continue;
            cand.achieved_bits = achieved_of(bits);
            uint64_t size = cairn_pcs_opening_size_estimate(&cand, 1);
            if (!have || size < best_size) {
                best = cand;
                best_size = size;
                have = 1;
            }
        }
    }
    if (!have)
        return cairn_error_set(
            err, CAIRN_ERR_LIMIT,
            "pcs params choose: no parameters reach %u bits for 2^%u x %zu (%s)", opt->target_bits,
            num_vars, num_polys,
            short_field ? "the field terms fall short: allow more repetitions"
                        : "the given queries, grinding or shape fall short");
    *out = best;
    return CAIRN_OK;
}

void cairn_pcs_params_encode(uint8_t out[CAIRN_PCS_PARAMS_BYTES], const cairn_pcs_params *p)
{
    const uint32_t f[10] = {p->num_vars,      p->num_polys, p->log_cols,    p->log_blowup,
                            p->queries,       p->grinding_bits, p->reps,    p->target_bits,
                            p->achieved_bits, p->reserved};
    for (unsigned i = 0; i < 10; i++)
        pcs_store_le32(out + 4 * i, f[i]);
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
    p.reserved = pcs_load_le32(in + 36);
    if (cairn_pcs_params_check(&p, &sub) != CAIRN_OK)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "%s", sub.msg);
    if (out != NULL)
        *out = p;
    return CAIRN_OK;
}
