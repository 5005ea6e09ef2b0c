/*
 * rule.c — choosing Stone's FRI parameters, queries and prover memory
 * settings (cairn/stone.h; the rule and its cost model are explained in
 * docs/stone-params.md).
 *
 * Stone's FRI, as its sources have it (fri_prover.cc, fri_verifier.cc,
 * stark.cc): the composition-and-trace oracle of degree bound
 * D = trace_length, evaluated on 2^(log D + log_n_cosets) points, is folded
 * by 2^fri_step_list[i] at layer i; fri_step_list[0] = 0 keeps the first
 * layer virtual (its values come from the trace decommitment), and every
 * later step j commits the layer as a table whose rows are cosets of
 * 2^step_j points; after the last step the prover sends the
 * last_layer_degree_bound coefficients.  Stone asserts
 * last_layer_degree_bound * prod 2^fri_step_list[i] = trace_length.
 *
 * Cost model: the expected number of 32-byte words (a field element or a
 * hash) of FRI decommitment.  Stone draws q query points uniformly, with
 * repetition, from the 2^(log D + log_n_cosets) points of the first layer;
 * a point's image after folding by 2^c is its index shifted right by c, so
 * at every layer the queries are q uniform draws.  The step of size s taken
 * when the degree left is 2^r commits a table of 2^h rows, h = r +
 * log_n_cosets - s, each a coset of 2^s points, and costs
 *   elements  E[distinct rows] * 2^s - E[distinct points]
 *             (the verifier computes each queried point from the layer
 *             before; the rest of its row is sent),
 *   hashes    E[sibling hashes of the union of the rows' Merkle paths]
 *             = sum over the levels j < h of the tree of 2^(h-j) * P(a node
 *             of that level is on a path and its sibling is not)
 *             = sum_j 2^(h-j) * ((1 - a)^q - (1 - 2a)^q), a = 2^(j-h),
 *   1         its root,
 * with E[distinct of q uniform draws among n] = n * (1 - (1 - 1/n)^q); the
 * last layer costs its 2^log_last coefficients.  Everything else in a Stone
 * proof (trace and composition decommitments, out-of-domain values) does not
 * depend on the choice once fri_step_list[0] = 0.  On the 24 annotated Stone
 * proofs in Integrity's examples/proofs the element counts are exact and the
 * hash counts within 3% (docs/stone-params.md).
 *
 * Only +, -, * and / are used (no libm, no fused multiply-add), so the costs,
 * rounded to 1/1024 of a word for the comparisons, and hence the choices are
 * the same on every IEEE-754 machine.
 */
#include <string.h>
#include <unistd.h>

#include "stone_internal.h"

/* No fused multiply-add either: GCC in ISO C mode (-std=c11) never fuses; clang is told so. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

void cairn_stone_options_default(cairn_stone_options *opt, cairn_stone_target target)
{
    memset(opt, 0, sizeof *opt);
    opt->target = target;
    opt->hasher = CAIRN_STONE_HASHER_KECCAK_160_LSB;
    opt->security_bits = 96;
    opt->pow_bits = 24;
    /* Integrity's example cpu_air_params.json uses 2, Stone's e2e example 4. */
    opt->log_n_cosets = target == CAIRN_STONE_TARGET_INTEGRITY ? 2 : 4;
}

void cairn_stone_fri_limits_for(cairn_stone_fri_limits *lim, cairn_stone_target target)
{
    if (target == CAIRN_STONE_TARGET_INTEGRITY) {
        /* src/fri/fri_config.cairo: steps in [1, MAX_FRI_STEP = 4], n_layers (the
         * leading 0 included) in [2, MAX_FRI_LAYERS = 15], log2 of the last layer
         * at most MAX_LAST_LAYER_LOG_DEGREE_BOUND = 15. */
        lim->min_step = 1;
        lim->max_step = 4;
        lim->max_layers = 14;
        lim->max_log_last = 15;
    } else {
        /* Stone only forbids 0 after the first step; its README advises 2..4, and
         * StarkWare's own parameter generator (src/starkware/utils/input_utils.cc)
         * avoids 1 because their Solidity verifier does not take it. */
        lim->min_step = 2;
        lim->max_step = 4;
        lim->max_layers = CAIRN_STONE_MAX_FRI_LIST - 1;
        lim->max_log_last = CAIRN_STONE_MAX_LOG_TRACE;
    }
}

unsigned cairn_stone_queries(unsigned security_bits, unsigned log_n_cosets, unsigned pow_bits)
{
    if (log_n_cosets == 0 || pow_bits >= security_bits)
        return 1;
    unsigned rest = security_bits - pow_bits;
    unsigned q = (rest + log_n_cosets - 1) / log_n_cosets;
    return q == 0 ? 1 : q;
}

/* x^n by squaring. */
static double powi(double x, unsigned n)
{
    double r = 1.0;
    while (n != 0) {
        if (n & 1)
            r *= x;
        x *= x;
        n >>= 1;
    }
    return r;
}

/*
 * 1 - (1 - x)^q for 0 <= x <= 1, to full relative precision: for small x
 * the binomial series (q x <= 2^-12 there, so six terms are plenty), where
 * 1 - x would round away the difference.
 */
static double one_minus_pow(double x, unsigned q)
{
    if (x > 1.0 / 1048576.0)
        return 1.0 - powi(1.0 - x, q);
    double sum = 0.0, term = 1.0;
    for (unsigned k = 1; k <= 6 && k <= q; k++) {
        term *= x * (double)(q - k + 1) / (double)k; /* C(q,k) x^k */
        sum += (k & 1) ? term : -term;
    }
    return sum;
}

/* 2^e as a double, for 0 <= e < 1024. */
static double pow2(unsigned e)
{
    double r = 1.0;
    for (unsigned i = 0; i < e; i++)
        r *= 2.0;
    return r;
}

/* E[distinct values among q uniform draws from 2^m]. */
static double distinct(unsigned m, unsigned q)
{
    return pow2(m) * one_minus_pow(1.0 / pow2(m), q);
}

/* E[sibling hashes sent for the union of q uniform leaves' paths in a tree of 2^h leaves]. */
static double path_hashes(unsigned h, unsigned q)
{
    double sum = 0.0;
    for (unsigned j = 0; j < h; j++) {
        double a = 1.0 / pow2(h - j); /* the share of the leaves under one node of level j */
        sum += (one_minus_pow(2.0 * a, q) - one_minus_pow(a, q)) / a;
    }
    return sum;
}

/* The expected words one step of size s costs when the degree left is 2^r (r >= s). */
static double layer_cost(unsigned r, unsigned log_n_cosets, unsigned q, unsigned s)
{
    unsigned h = r + log_n_cosets - s;
    return distinct(h, q) * pow2(s) - distinct(h + s, q) + path_hashes(h, q) + 1.0;
}

double cairn_stone_fri_cost(unsigned log_degree, unsigned log_n_cosets, unsigned n_queries,
                            const unsigned *steps, unsigned steps_len, unsigned log_last)
{
    unsigned r = log_degree;
    double cost = 0.0;
    if (log_degree > CAIRN_STONE_MAX_LOG_TRACE || log_n_cosets > 64 || n_queries == 0)
        return -1.0;
    for (unsigned i = 0; i < steps_len; i++) {
        if (steps[i] == 0 || steps[i] > r)
            return -1.0;
        cost += layer_cost(r, log_n_cosets, n_queries, steps[i]);
        r -= steps[i];
    }
    if (r != log_last)
        return -1.0;
    return cost + pow2(log_last);
}

#define RULE_MAX_R (CAIRN_STONE_MAX_LOG_TRACE + 1)
#define RULE_MAX_K CAIRN_STONE_MAX_FRI_LIST
#define NO_WAY     UINT64_MAX

/* A cost in 1/1024 words, the unit the rule compares in (capped far above any real cost). */
#define FIXED_CAP ((uint64_t)1 << 60)
static uint64_t fixed(double words)
{
    if (!(words < (double)(FIXED_CAP >> 10)))
        return FIXED_CAP;
    return (uint64_t)(words * 1024.0 + 0.5);
}

static uint64_t add_capped(uint64_t a, uint64_t b)
{
    return a + b > FIXED_CAP ? FIXED_CAP : a + b; /* both <= 2^60: no overflow */
}

struct cell {
    uint64_t cost;  /* NO_WAY: no way to finish */
    uint8_t layers; /* steps still to take */
    uint8_t step;   /* the next step; 0 = stop here, the rest is the last layer */
};

/* Is (c, l) better than the best so far?  Lower cost, then fewer layers. */
static int better(uint64_t c, unsigned l, const struct cell *best)
{
    return c < best->cost || (c == best->cost && l < best->layers);
}

/*
 * The best way to go on from degree 2^r by one step s (from the largest down)
 * and then next[r - s] (the best finishes with one step fewer), or `best` when
 * none beats it.  Only a strictly better choice replaces the best, so ties go
 * to fewer layers, then to the larger step.
 */
static struct cell try_steps(struct cell best, unsigned r, const struct cell *next,
                             uint64_t (*lc)[33], const cairn_stone_fri_limits *lim)
{
    for (unsigned s = lim->max_step; s >= lim->min_step; s--) {
        if (s > r || next[r - s].cost == NO_WAY)
            continue;
        uint64_t c = add_capped(lc[r][s], next[r - s].cost);
        unsigned layers = next[r - s].layers + 1u;
        if (better(c, layers, &best))
            best = (struct cell){c, (uint8_t)layers, (uint8_t)s};
    }
    return best;
}

double cairn_stone_fri_rule(unsigned *steps, unsigned *steps_len, unsigned *log_last,
                            unsigned log_degree, unsigned log_n_cosets, unsigned n_queries,
                            const cairn_stone_fri_limits *lim)
{
    *steps_len = 0;
    *log_last = 0;
    if (log_degree > CAIRN_STONE_MAX_LOG_TRACE || log_n_cosets > 64 || n_queries == 0 ||
        lim->min_step == 0 || lim->min_step > lim->max_step || lim->max_step > 32 ||
        lim->max_layers == 0)
        return -1.0;
    unsigned kmax = lim->max_layers < RULE_MAX_K - 1 ? lim->max_layers : RULE_MAX_K - 1;
    /* layer_cost(r, s) for every r and s the programme can meet */
    uint64_t lc[RULE_MAX_R][33];
    for (unsigned r = 0; r <= log_degree; r++)
        for (unsigned s = lim->min_step; s <= lim->max_step && s <= r; s++)
            lc[r][s] = fixed(layer_cost(r, log_n_cosets, n_queries, s));
    /*
     * f[k][r]: the cheapest way to finish when the degree left is 2^r and at
     * most k more steps may be taken: stop (the last layer has 2^r
     * coefficients; fewest layers, so it wins ties) or take a step.
     */
    static const struct cell none = {NO_WAY, 0, 0};
    struct cell f[RULE_MAX_K][RULE_MAX_R];
    for (unsigned k = 0; k <= kmax; k++) {
        for (unsigned r = 0; r <= log_degree; r++) {
            struct cell stop = none;
            if (r <= lim->max_log_last)
                stop = (struct cell){fixed(pow2(r)), 0, 0};
            f[k][r] = k > 0 ? try_steps(stop, r, f[k - 1], lc, lim) : stop;
        }
    }
    /* At least one step: Integrity wants n_layers >= 2, and a proof with no FRI step is odd. */
    struct cell top = try_steps(none, log_degree, f[kmax - 1], lc, lim);
    if (top.cost == NO_WAY)
        return -1.0;
    unsigned r = log_degree, k = kmax, n = 0;
    unsigned s = top.step;
    while (s != 0) {
        steps[n++] = s;
        r -= s;
        k--;
        s = f[k][r].step;
    }
    *steps_len = n;
    *log_last = r;
    return cairn_stone_fri_cost(log_degree, log_n_cosets, n_queries, steps, n, r);
}

const char *cairn_stone_target_name(cairn_stone_target t)
{
    return t == CAIRN_STONE_TARGET_INTEGRITY ? "integrity" : "stone";
}

const char *cairn_stone_hasher_name(cairn_stone_hasher h)
{
    return h == CAIRN_STONE_HASHER_BLAKE2S_248_LSB ? "blake2s_248_lsb" : "keccak_160_lsb";
}

cairn_status cairn_stone_params_choose(cairn_stone_params *p, const cairn_stone_run *run,
                                       const cairn_stone_options *opt, cairn_error *err)
{
    memset(p, 0, sizeof *p);
    if (opt->security_bits < 1 || opt->security_bits > 256)
        return cairn_error_set(err, CAIRN_ERR_ARG, "security %u bits is outside 1..256",
                               opt->security_bits);
    if (opt->log_n_cosets < 1 || opt->log_n_cosets > 16)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "blowup 2^%u is outside 2^1..2^16: every Stone layout has "
                               "constraint degree 2, so log_n_cosets must be at least 1",
                               opt->log_n_cosets);
    if (opt->pow_bits > 64)
        return cairn_error_set(err, CAIRN_ERR_ARG, "%u proof-of-work bits: Stone takes at most 64",
                               opt->pow_bits);
    if (opt->pow_bits >= opt->security_bits)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "%u proof-of-work bits reach the whole %u-bit target: the queries "
                               "must carry part of it",
                               opt->pow_bits, opt->security_bits);
    if (opt->target == CAIRN_STONE_TARGET_INTEGRITY) {
        if (!cairn_stone_layout_integrity(run->layout))
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "Integrity cannot verify layout '%s': it has verifiers for dex, "
                                   "recursive, recursive_with_poseidon, small, starknet and "
                                   "starknet_with_keccak only (use --target stone)",
                                   run->layout);
        if (opt->pow_bits < 20 || opt->pow_bits > 49)
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "%u proof-of-work bits: Integrity accepts 20 to 49 "
                                   "(MIN_PROOF_OF_WORK_BITS, MAX_PROOF_OF_WORK_BITS)",
                                   opt->pow_bits);
        if (opt->security_bits < 50)
            return cairn_error_set(err, CAIRN_ERR_ARG,
                                   "security %u bits: Integrity rejects proofs below 50 "
                                   "conjectured bits (SECURITY_BITS)",
                                   opt->security_bits);
    }
    p->opt = *opt;
    p->log_trace_length = run->log_trace_length;
    p->trace_length = (uint64_t)1 << run->log_trace_length;
    p->n_queries = cairn_stone_queries(opt->security_bits, opt->log_n_cosets, opt->pow_bits);
    cairn_stone_fri_limits lim;
    cairn_stone_fri_limits_for(&lim, opt->target);
    unsigned steps[CAIRN_STONE_MAX_FRI_LIST], n = 0, log_last = 0;
    double cost = cairn_stone_fri_rule(steps, &n, &log_last, run->log_trace_length,
                                       opt->log_n_cosets, p->n_queries, &lim);
    if (cost < 0)
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "a trace of 2^%u rows cannot be folded by at most %u FRI steps of "
                               "%u..%u and a last layer of at most 2^%u",
                               run->log_trace_length, lim.max_layers, lim.min_step, lim.max_step,
                               lim.max_log_last);
    p->fri_step_list[0] = 0;
    for (unsigned i = 0; i < n; i++)
        p->fri_step_list[i + 1] = steps[i];
    p->n_fri_steps = n + 1;
    p->last_layer_degree_bound = (uint64_t)1 << log_last;
    p->security_bits = p->n_queries * opt->log_n_cosets + opt->pow_bits;
    p->fri_words = cost;
    return CAIRN_OK;
}

/* ------------------------------------------------------------------ */
/* Prover memory                                                       */

uint64_t cairn_stone_physical_memory(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || size <= 0)
        return 0;
    return (uint64_t)pages * (uint64_t)size;
}

static uint64_t to_bytes(double words)
{
    double b = words * 32.0;
    return b >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)b;
}

/*
 * The estimate, in 32-byte words, with c trace columns, N = trace_length,
 * E = N * 2^log_n_cosets and s1 = the first FRI step:
 *   the trace and its coefficients                       2 c N
 *   the LDE of the trace and composition columns        (c + 2) E stored, (c + 2) N if recomputed
 *   three Merkle trees over E rows (trace, interaction,  6 E with every layer kept,
 *   composition)                                         3 E without the leaf layer
 *   FRI: the first layer and the next table and tree     E + 2 E / 2^s1 in memory,
 *                                                        3 E / 2^s1 with the first one out
 */
void cairn_stone_prover_config_choose(cairn_stone_prover_config *c, const cairn_stone_run *run,
                                      const cairn_stone_params *p, uint64_t memory_bytes)
{
    memset(c, 0, sizeof *c);
    /* the widest fixed layout (all_solidity) when the columns are unknown */
    unsigned cols = run->n_columns != 0 ? run->n_columns : 27;
    double n = (double)p->trace_length;
    double e = n * (double)((uint64_t)1 << p->opt.log_n_cosets);
    double s1 = (double)((uint64_t)1 << (p->n_fri_steps > 1 ? p->fri_step_list[1] : 0));
    double base = 2.0 * cols * n;
    uint64_t fast = to_bytes(base + (cols + 2.0) * e + 6.0 * e + e + 2.0 * e / s1);
    uint64_t lean = to_bytes(base + (cols + 2.0) * n + 3.0 * e + e + 2.0 * e / s1);
    uint64_t leanest = to_bytes(base + (cols + 2.0) * n + 3.0 * e + 3.0 * e / s1);
    uint64_t budget = memory_bytes / 4 * 3;

    c->use_fft_for_eval = 0;
    c->constraint_polynomial_task_size = 256;
    c->table_prover_n_tasks_per_segment = 32;
    c->max_non_chunked_layer_size = 32768;
    c->n_chunks_between_layers = 32;
    c->log_n_max_in_memory_fri_layer_elements = 63; /* Stone's kAllInMemoryLayers */
    c->memory_budget = memory_bytes;
    c->n_columns_assumed = cols;
    if (fast <= budget) {
        c->store_full_lde = 1;
        c->n_out_of_memory_merkle_layers = 0;
        c->estimated_peak = fast;
    } else if (lean <= budget) {
        c->store_full_lde = 0;
        c->n_out_of_memory_merkle_layers = 1;
        c->estimated_peak = lean;
    } else {
        c->store_full_lde = 0;
        c->n_out_of_memory_merkle_layers = 1;
        /* layers larger than the one after the first step are computed in chunks */
        unsigned first = p->n_fri_steps > 1 ? p->fri_step_list[1] : 0;
        c->log_n_max_in_memory_fri_layer_elements =
            p->log_trace_length + p->opt.log_n_cosets - first;
        c->estimated_peak = leanest;
    }
    c->fits = c->estimated_peak <= budget;
}
