/*
 * protocol.c — what prover and verifier share beyond the constraint system:
 * the PCS parameters of the six batches, the statement's entry into the
 * transcript, the phase-1 challenges, the table side's fingerprint MLE and
 * point function, and the security arithmetic of docs/security.md §5.
 */
#include <math.h>
#include <string.h>

#include "zkvm_internal.h"

cairn_status zk_batch_params(cairn_pcs_params out[ZK_NBATCH], unsigned n, unsigned n_tab,
                             unsigned k, unsigned ngroups, unsigned target, cairn_error *err)
{
    cairn_pcs_options opt;
    cairn_status st;
    cairn_pcs_options_init(&opt);
    opt.target_bits = target;
    const unsigned vars[ZK_NBATCH] = {n, n_tab, n, n_tab, k, k};
    const size_t polys[ZK_NBATCH] = {ZK_NCOL, 2, 2u * ngroups, 4, 2, 4};
    for (unsigned b = 0; b < ZK_NBATCH; b++) {
        opt.points_hint = b == ZK_B_TRACE ? 2 : 1; /* the trace is opened at r and r' */
        if ((st = cairn_pcs_params_choose(&out[b], vars[b], polys[b], &opt, err)) != CAIRN_OK)
            return st;
    }
    return CAIRN_OK;
}

/*
 * The statement first (docs/arithmetization.md, "transcript"): every field
 * of it, the output, the shapes and all six parameter blocks, before any
 * commitment.
 */
void zk_transcript_start(cairn_transcript *t, const cairn_zkvm_statement *st, const uint8_t *output,
                         uint32_t n, uint32_t n_tab, const cairn_pcs_params params[ZK_NBATCH])
{
    cairn_transcript_init(t, "cairn-v4/rv32i");
    cairn_transcript_absorb_bytes(t, "zk/program", st->program_digest, CAIRN_SHA256_BYTES);
    cairn_transcript_absorb_u64(t, "zk/entry", st->entry);
    cairn_transcript_absorb_u64(t, "zk/mem_log2_words", st->mem_log2_words);
    cairn_transcript_absorb_u64(t, "zk/cycles", st->cycles);
    cairn_transcript_absorb_u64(t, "zk/exit_code", st->exit_code);
    cairn_transcript_absorb_bytes(t, "zk/output", output, st->output_len);
    cairn_transcript_absorb_u64(t, "zk/security_target", st->security_target);
    cairn_transcript_absorb_u64(t, "zk/security_bits", st->security_bits);
    cairn_transcript_absorb_u64(t, "zk/vars", n);
    cairn_transcript_absorb_u64(t, "zk/table_vars", n_tab);
    for (unsigned b = 0; b < ZK_NBATCH; b++) {
        uint8_t blk[CAIRN_PCS_PARAMS_BYTES];
        cairn_pcs_params_encode(blk, &params[b]);
        cairn_transcript_absorb_bytes(t, "zk/params", blk, sizeof blk);
    }
}

void zk_draw_challenges(zk_chal *ch, cairn_transcript *t)
{
    static const unsigned nf[ZK_NTAB] = {ZK_L_FIELDS, ZK_BC_FIELDS, ZK_M_FIELDS, ZK_R_FIELDS,
                                         ZK_O_FIELDS};
    static const char *const lbl[ZK_NTAB] = {"zk/gamma/L", "zk/gamma/B", "zk/gamma/M",
                                             "zk/gamma/R", "zk/gamma/O"};
    memset(ch, 0, sizeof *ch);
    ch->alpha = cairn_transcript_squeeze_fp2(t, "zk/alpha");
    for (unsigned tb = 0; tb < ZK_NTAB; tb++) {
        ch->gamma[tb][0] = cairn_fp2_one();
        cairn_transcript_squeeze_fp2_vec(ch->gamma[tb] + 1, nf[tb] - 1, t, lbl[tb]);
    }
    cairn_transcript_squeeze_fp2_vec(ch->beta, ZK_NTAB, t, "zk/beta");
}

void zk_draw_points(zk_points *c, cairn_transcript *t, unsigned n, unsigned n_tab, unsigned k)
{
    cairn_transcript_squeeze_fp2_vec(c->tau, n, t, "zk/tau");
    c->rho = cairn_transcript_squeeze_fp2(t, "zk/rho");
    cairn_transcript_squeeze_fp2_vec(c->tau_t, n_tab, t, "zk/tau_tab");
    cairn_transcript_squeeze_fp2_vec(c->rt2, 2, t, "zk/rho_tab");
    cairn_transcript_squeeze_fp2_vec(c->tau_m, k, t, "zk/tau_mem");
    cairn_transcript_squeeze_fp2_vec(c->rm2, 2, t, "zk/rho_mem");
}

cairn_fp2 zk_outer_claim(const cairn_fp2 *rho_pow, size_t npow, const cairn_fp2 sums[ZK_NKIND])
{
    cairn_fp2 acc = cairn_fp2_zero();
    for (size_t kd = 0; kd < ZK_NKIND; kd++)
        acc = cairn_fp2_add(acc, cairn_fp2_mul(rho_pow[npow - ZK_NKIND + kd], sums[kd]));
    return acc;
}

cairn_fp2 zk_shift_claim(cairn_fp2 zp[ZK_NVIRT], cairn_transcript *t, const cairn_fp2 *outer_evals)
{
    cairn_fp2 zeta = cairn_transcript_squeeze_fp2(t, "zk/zeta"), acc = cairn_fp2_zero();
    zk_rho_powers(zp, ZK_NVIRT, zeta);
    for (size_t v = 0; v < ZK_NVIRT; v++)
        acc = cairn_fp2_add(acc, cairn_fp2_mul(zp[v], outer_evals[ZK_NCOL + v]));
    return acc;
}

/*
 * eps = sum of the six PCS bounds (docs/security.md §2.5) + the sum-check
 * rounds (n*4 + n_tab*3 + k*3 + 2n)/|F| + the zerocheck and combination
 * challenges + LogUp: for the lookups, the registers and the RAM, a pole
 * (alpha equal to some fingerprint) or a false rational identity surviving
 * the random (alpha, gammas), each at most 2 (number of fractions + table
 * or boundary size)/|F|.  Returns -log2 eps.
 */
double zk_security_bits(const cairn_pcs_params params[ZK_NBATCH], unsigned n, unsigned n_tab,
                        unsigned k, const zk_air *air)
{
    const double F = ldexp(1.0, 128) * (1.0 - ldexp(1.0, -31)); /* p^2 < 2^128 */
    double eps = 0;
    for (unsigned b = 0; b < ZK_NBATCH; b++)
        eps += ldexp(1.0, 0) / pow(2.0, cairn_pcs_params_security(&params[b]));
    double rows = ldexp(1.0, (int)n), tab = ldexp(1.0, (int)n_tab);
    double words = ldexp(1.0, (int)k);
    eps += (4.0 * n + 3.0 * n_tab + 3.0 * k + 2.0 * n) / F; /* sum-check rounds */
    /*
     * tau, rho, tau_tab, the table's rho1 rho2, tau_R, the memory's rho3
     * rho4, and the shift's combination zeta (degree ZK_NVIRT - 1)
     */
    eps += ((double)n + n_tab + k + (double)zk_outer_npow(air) + 5.0 + (ZK_NVIRT - 1)) / F;
    unsigned nlook = 0, nmem = 0, nram = 0, nout = 0;
    for (unsigned i = 0; i < air->nfrac; i++) {
        if (air->frac[i].table == ZK_TAB_M)
            nmem++;
        else if (air->frac[i].table == ZK_TAB_R)
            nram++;
        else if (air->frac[i].table == ZK_TAB_O)
            nout++;
        else
            nlook++;
    }
    eps += 2.0 * (nlook * rows + 2.0 * tab) / F;
    eps += 2.0 * (nmem * rows + 64.0) / F;
    eps += 2.0 * (nram * rows + 2.0 * words) / F;
    /* output: rows against at most CAIRN_ZKVM_MAX_OUTPUT table entries */
    eps += 2.0 * (nout * rows + (double)CAIRN_ZKVM_MAX_OUTPUT) / F;
    return -log2(eps);
}

/* ---- the table side ---------------------------------------------------------------------------- */

/* Fingerprint of L entry j of the 2^n_tab table (entries past 2^18 are the unused tag 4). */
static cairn_fp2 ltab_fp(const zk_chal *ch, uint32_t j)
{
    cairn_fp e[ZK_L_FIELDS];
    if (j >> ZK_LTAB_VARS)
        return cairn_fp2_add(ch->beta[ZK_TAB_L], cairn_fp2_from_fp(cairn_fp_make(4)));
    zk_ltab_entry(e, j);
    cairn_fp2 acc = ch->beta[ZK_TAB_L];
    for (unsigned i = 0; i < ZK_L_FIELDS; i++)
        acc = cairn_fp2_add(acc, cairn_fp2_mul_fp(ch->gamma[ZK_TAB_L][i], e[i]));
    return acc;
}

void zk_ltab_fp_table(cairn_fp2 *out, const zk_chal *ch, unsigned n_tab)
{
    for (uint64_t j = 0; j < (UINT64_C(1) << n_tab); j++)
        out[j] = ltab_fp(ch, (uint32_t)j);
}

cairn_fp2 zk_ltab_fp_mle(const zk_chal *ch, const cairn_fp2 *r, unsigned n_tab)
{
    cairn_fp2 f[ZK_L_FIELDS], acc = cairn_fp2_zero(), H = cairn_fp2_one();
    zk_ltab_mle(f, r);
    for (unsigned i = 0; i < ZK_L_FIELDS; i++)
        acc = cairn_fp2_add(acc, cairn_fp2_mul(ch->gamma[ZK_TAB_L][i], f[i]));
    for (unsigned i = ZK_LTAB_VARS; i < n_tab; i++)
        H = cairn_fp2_mul(H, cairn_fp2_sub(cairn_fp2_one(), r[i]));
    /* beta + acc H + 4 (1 - H): the offset is constant, so its MLE is itself */
    cairn_fp2 four = cairn_fp2_from_fp(cairn_fp_make(4));
    return cairn_fp2_add(ch->beta[ZK_TAB_L],
                         cairn_fp2_add(cairn_fp2_mul(acc, H),
                                       cairn_fp2_mul(four, cairn_fp2_sub(cairn_fp2_one(), H))));
}

cairn_fp2 zk_tab_point(void *vctx, const cairn_fp2 *v)
{
    const zk_tab_ctx *c = vctx;
    const cairn_fp2 X = cairn_fp2_make(cairn_fp_zero(), cairn_fp_one());
    cairn_fp2 gL = cairn_fp2_add(v[ZK_TV_GL0], cairn_fp2_mul(X, v[ZK_TV_GL1]));
    cairn_fp2 gB = cairn_fp2_add(v[ZK_TV_GB0], cairn_fp2_mul(X, v[ZK_TV_GB1]));
    cairn_fp2 zl = cairn_fp2_sub(cairn_fp2_mul(gL, cairn_fp2_sub(c->alpha, v[ZK_TV_TL])), v[ZK_TV_ML]);
    cairn_fp2 zb = cairn_fp2_sub(cairn_fp2_mul(gB, cairn_fp2_sub(c->alpha, v[ZK_TV_TB])), v[ZK_TV_MB]);
    cairn_fp2 zc = cairn_fp2_mul(v[ZK_TV_EQ], cairn_fp2_add(zl, cairn_fp2_mul(c->rho1, zb)));
    return cairn_fp2_add(zc, cairn_fp2_mul(c->rho2, cairn_fp2_add(gL, gB)));
}

cairn_fp2 zk_outer_point(void *vctx, const cairn_fp2 *v)
{
    const zk_outer_ctx *c = vctx;
    return zk_outer_eval(c->air, c->ch, c->rho_pow, v, v + ZK_NZ, v[ZK_NZ + 2 * c->air->ngroups]);
}
