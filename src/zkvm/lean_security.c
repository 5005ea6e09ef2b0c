/*
 * lean_security.c — the proven soundness error of the lean proof
 * (docs/security.md §7), term by term, from the shape alone: 2^n rows,
 * 2^k RAM words, 2^kb bytecode entries, the two commitments' PCS
 * parameters and the grinding bits.  Every term is a bad event over one
 * challenge drawn after what it tests is bound (round by round), so the
 * total is their union bound, and under Fiat–Shamir in the random-oracle
 * model the same figure holds per hash query; grinding divides only the
 * terms whose challenges come after it.
 *
 * The GKR, lookup and logup* terms are the GKR module's own functions
 * (src/gkr/security.c, docs/security.md §6) and the openings' the PCS's
 * (cairn_pcs_params_security, §2); what is new here is the zero-check,
 * the shift, the claim reductions, the sizes each component is
 * used at, and the choice of the grinding bits and the PCS target from
 * the statement's target (DESIGN.md §2: a pure function of the sizes,
 * computed by prover and verifier alike).
 */
#include <math.h>

#include "zkvm_internal.h"

const char *const zl_term_names[ZL_NTERM] = {
    "zero-check tau",    "zero-check rho", "zero-check sum-check", "memory fingerprints",
    "memory GKR layers", "shift zeta",     "shift sum-check",      "U logup* binding",
    "U logup* lookup",   "U logup* GKR",   "B logup* binding",     "B logup* lookup",
    "B logup* GKR",      "claim reductions",  "PCS phase 1",          "PCS phase 2",
};

/* -log2(count / |F|), |F| = p^2 = 2^128 (1 - 2^-32 + 2^-64)^2. */
static double field_bits(double count)
{
    if (count <= 0)
        return INFINITY;
    return 128.0 + 2.0 * log2(1.0 - ldexp(1.0, -32) + ldexp(1.0, -64)) - log2(count);
}

static unsigned umax(unsigned a, unsigned b)
{
    return a > b ? a : b;
}

/* The memory GKR's fractions: ZL_NMEM per row; the RAM's initial and final words, the
 * registers' 32 initial and 32 final tuples, the output table at its largest. */
static double mem_rows(size_t n)
{
    return (double)ZL_NMEM * ldexp(1.0, (int)n);
}
static double mem_table(unsigned k)
{
    return 2.0 * ldexp(1.0, (int)k) + 64.0 + (double)CAIRN_ZKVM_MAX_OUTPUT;
}

double zl_security_bits(double terms[ZL_NTERM], size_t n, unsigned k, unsigned kb,
                        const cairn_pcs_params *p1, const cairn_pcs_params *p2, unsigned grind_mem,
                        unsigned grind_lookup)
{
    double t[ZL_NTERM], rows = ldexp(1.0, (int)n);
    /*
     * Zero-check: a constraint false on some row makes its eq(tau, .)-sum
     * a non-zero multilinear polynomial in tau; then sum_i rho^i Q_i +
     * rho^64 (sum g - (T - I)) is a non-zero polynomial of degree 64 in rho.
     */
    t[ZL_T_ZC_TAU] = field_bits((double)n);
    t[ZL_T_ZC_RHO] = field_bits((double)ZL_NCON);
    t[ZL_T_ZC_SC] = field_bits((double)(ZL_ZC_DEGREE * n));
    t[ZL_T_MEM_FP] = cairn_gkr_lookup_bits(mem_rows(n), mem_table(k), ZL_MEM_FP_VARS, grind_mem);
    t[ZL_T_MEM_GKR] = cairn_gkr_layers_bits(umax((unsigned)n, k));
    t[ZL_T_SH_ZETA] = field_bits((double)(ZL_SH_CLAIMS - 1));
    t[ZL_T_SH_SC] = field_bits((double)(ZL_SHIFT_DEGREE * n));
    t[ZL_T_U_BIND] = cairn_logup_star_batch_bits(n, ZU_VARS);
    t[ZL_T_U_LOOKUP] =
        cairn_gkr_lookup_bits((double)ZL_NUCELL * rows, ldexp(1.0, ZU_VARS), 0, grind_lookup);
    t[ZL_T_U_GKR] = cairn_gkr_layers_bits(umax((unsigned)n, ZU_VARS));
    t[ZL_T_B_BIND] = cairn_logup_star_batch_bits(n, kb);
    t[ZL_T_B_LOOKUP] = cairn_gkr_lookup_bits(rows, ldexp(1.0, (int)kb), 0, grind_lookup);
    t[ZL_T_B_GKR] = cairn_gkr_layers_bits(umax((unsigned)n, kb));
    /*
     * Each batch's claim reduction (lean_open.c): a false claim survives
     * the random coefficients with 1/|F| and the batch's rho with 1/|F|,
     * then a sum-check of degree 2 over the batch's N variables: (2 + 2N)/|F|.
     */
    t[ZL_T_REDUCE] = field_bits((2.0 + ZL_RD_DEGREE * (double)p1->num_vars) +
                                (2.0 + ZL_RD_DEGREE * (double)p2->num_vars));
    t[ZL_T_PCS1] = cairn_pcs_params_security(p1);
    t[ZL_T_PCS2] = cairn_pcs_params_security(p2);
    double eps = 0;
    for (unsigned i = 0; i < ZL_NTERM; i++) {
        eps += exp2(-t[i]);
        if (terms != NULL)
            terms[i] = t[i];
    }
    return -log2(eps);
}

unsigned zl_grind_mem_bits(size_t n, unsigned k, unsigned target)
{
    return cairn_gkr_lookup_grind_bits(mem_rows(n), mem_table(k), ZL_MEM_FP_VARS,
                                       (double)target + ZL_LOOKUP_MARGIN);
}

unsigned zl_grind_lookup_bits(size_t n, unsigned kb, unsigned target)
{
    double rows = ldexp(1.0, (int)n), want = (double)target + ZL_LOOKUP_MARGIN;
    unsigned gu =
        cairn_gkr_lookup_grind_bits((double)ZL_NUCELL * rows, ldexp(1.0, ZU_VARS), 0, want);
    unsigned gb = cairn_gkr_lookup_grind_bits(rows, ldexp(1.0, (int)kb), 0, want);
    return umax(gu, gb);
}

cairn_status zl_stacks(cairn_pcs_stack *s1, cairn_pcs_stack *s2, size_t n, unsigned k, unsigned kb,
                       cairn_error *err)
{
    cairn_pcs_group g1[2] = {{(unsigned)n, ZL_NCELL}, {k, 2}};
    cairn_pcs_group g2[2] = {{ZU_VARS, 2}, {kb, 2}};
    cairn_status st = cairn_pcs_stack_init(s1, g1, 2, err);
    return st != CAIRN_OK ? st : cairn_pcs_stack_init(s2, g2, 2, err);
}

static cairn_status params_for(cairn_pcs_params *p, const cairn_pcs_stack *s, unsigned target,
                               unsigned points, cairn_error *err)
{
    cairn_pcs_options o;
    cairn_pcs_options_init(&o);
    o.target_bits = target;
    o.points_hint = points;
    return cairn_pcs_params_choose(p, s->num_vars, s->num_polys, &o, err);
}

cairn_status zl_setup_init(zl_setup *su, size_t n, unsigned k, unsigned kb, unsigned target,
                           unsigned grind_mem, unsigned grind_lookup, cairn_error *err)
{
    cairn_status st;
    if (n > ZL_MAX_VARS)
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "the lean proof takes at most 2^%u rows (its security is computed "
                               "up to there), not 2^%zu",
                               ZL_MAX_VARS, n);
    if (target == 0 || target > CAIRN_PCS_MAX_TARGET_BITS - ZL_PCS_MARGIN)
        return cairn_error_set(err, CAIRN_ERR_ARG, "lean proof: a target of %u bits", target);
    su->grind_mem = grind_mem == ZL_GRIND_AUTO ? zl_grind_mem_bits(n, k, target) : grind_mem;
    su->grind_lookup =
        grind_lookup == ZL_GRIND_AUTO ? zl_grind_lookup_bits(n, kb, target) : grind_lookup;
    if (su->grind_mem > CAIRN_TRANSCRIPT_MAX_POW_BITS ||
        su->grind_lookup > CAIRN_TRANSCRIPT_MAX_POW_BITS)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "lean proof: %u and %u grinding bits (memory, lookups), limit %u",
                               su->grind_mem, su->grind_lookup, CAIRN_TRANSCRIPT_MAX_POW_BITS);
    if ((st = zl_stacks(&su->s1, &su->s2, n, k, kb, err)) != CAIRN_OK ||
        (st = params_for(&su->p1, &su->s1, target + ZL_PCS_MARGIN, 1, err)) != CAIRN_OK ||
        (st = params_for(&su->p2, &su->s2, target + ZL_PCS_MARGIN, 1, err)) != CAIRN_OK)
        return st;
    su->bits =
        zl_security_bits(su->terms, n, k, kb, &su->p1, &su->p2, su->grind_mem, su->grind_lookup);
    return CAIRN_OK;
}

unsigned zl_bits_floor(double bits)
{
    return bits <= 0 ? 0 : (unsigned)floor(bits - 1e-6);
}
