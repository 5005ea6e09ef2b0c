/*
 * prove.c — the prover of docs/arithmetization.md ("protocol"), linear-space
 * mode: the trace rows come through a cairn_rows source (the witness
 * oracle's materialised backend, or a test's rows), every column is held in
 * memory, and the steps run in the transcript order the verifier replays:
 *
 *   statement -> commit trace columns, multiplicities, final memory
 *   -> final registers -> alpha, gammas, betas -> commit helper columns,
 *   table helpers, memory helpers -> S, M_R -> tau, rho, ... -> outer
 *   sum-check -> table sum-check -> memory sum-check -> shift sum-check
 *   -> PCS openings.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/pool.h"
#include "cairn/witness.h"
#include "zkvm_internal.h"

void cairn_zkvm_options_init(cairn_zkvm_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->security_bits = CAIRN_PCS_DEFAULT_TARGET_BITS;
    opt->threads = 1;
    opt->proof_format = 0;
}

unsigned cairn_zkvm_options_format(const cairn_zkvm_options *opt)
{
    if (opt == NULL)
        return CAIRN_PROOF_FORMAT_LEAN;
    if (opt->proof_format == 0)
        return opt->security_bits == CAIRN_ZKVM_MIN_SECURITY_BITS ? CAIRN_PROOF_FORMAT_LEAN
                                                                  : CAIRN_PROOF_FORMAT_VERSION;
    if (opt->proof_format == CAIRN_PROOF_FORMAT_LEAN ||
        opt->proof_format == CAIRN_PROOF_FORMAT_VERSION)
        return opt->proof_format;
    return 0;
}

double zk_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int zk_rss_probe;

/*
 * The resident set's high-water mark in bytes since the last call (Linux:
 * VmHWM of /proc/self/status, then reset by writing 5 to
 * /proc/self/clear_refs); 0 where that is not available or the probe is off
 * (zk_rss_probe, set by benchmarks: the reset also resets getrusage's
 * ru_maxrss).
 */
size_t zk_rss_peak_take(void)
{
    if (!zk_rss_probe)
        return 0;
    size_t kib = 0;
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kib = (size_t)strtoull(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    if ((f = fopen("/proc/self/clear_refs", "w")) != NULL) {
        fputs("5", f);
        fclose(f);
    }
    return kib * 1024;
}

static void progress(const cairn_zkvm_options *opt, const char *stage, double done)
{
    if (opt->progress != NULL)
        opt->progress(opt->progress_ctx, stage, done);
}

static void absorb_commitment(cairn_transcript *t, const cairn_pcs_commitment *c)
{
    uint8_t b[CAIRN_PCS_COMMITMENT_BYTES];
    cairn_pcs_commitment_encode(b, c);
    cairn_transcript_absorb_bytes(t, "zk/commitment", b, sizeof b);
}

void zk_absorb_finals(cairn_transcript *t, const uint32_t val[32], const uint64_t ts[32])
{
    for (unsigned r = 0; r < 32; r++) {
        cairn_transcript_absorb_u64(t, "zk/final/value", val[r]);
        cairn_transcript_absorb_u64(t, "zk/final/ts", ts[r]);
    }
}

void zk_rho_powers(cairn_fp2 *out, size_t len, cairn_fp2 rho)
{
    cairn_fp2 p = cairn_fp2_one();
    for (size_t i = 0; i < len; i++) {
        out[i] = p;
        p = cairn_fp2_mul(p, rho);
    }
}

/* out[j] = m[j] / (alpha - t[j]) as two base columns; CAIRN_ERR_NOMEM. */
static cairn_status table_helper(cairn_fp *g0, cairn_fp *g1, const cairn_fp *m, const cairn_fp2 *t,
                                 cairn_fp2 alpha, size_t len, cairn_error *err)
{
    cairn_fp2 *d = calloc(len ? len : 1, sizeof *d);
    if (d == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the table helpers");
    for (size_t j = 0; j < len; j++)
        d[j] = cairn_fp2_sub(alpha, t[j]);
    if (cairn_fp2_batch_inv(d, d, len) != CAIRN_OK) {
        free(d);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the table helpers");
    }
    for (size_t j = 0; j < len; j++) {
        cairn_fp2 g = cairn_fp2_mul_fp(d[j], m[j]);
        g0[j] = g.c0;
        g1[j] = g.c1;
    }
    free(d);
    return CAIRN_OK;
}


/*
 * The whole prover over a loaded program and its trace rows.  All big
 * arrays are allocated up front in a few blocks and released on the one
 * exit path.
 */
/*
 * The PCS parameters and the proven bits of a proof of T trace rows with
 * this bytecode table (n_tab variables), RAM (2^k words) and constraint
 * system, refusing (CAIRN_ERR_LIMIT) a target the proof cannot reach.
 * The message names the rows and the largest run that reaches the target:
 * never claim less than asked, since the F_p2 field terms (LogUp,
 * sum-checks) cap the total as the rows grow.  Cheap: called right after
 * execution, before any witness is built, and again by the prover.
 */
cairn_status zk_security_check(cairn_pcs_params params[ZK_NBATCH], unsigned *bits, uint64_t T,
                               unsigned n_tab, unsigned k, const zk_air *air, unsigned target,
                               cairn_error *err)
{
    cairn_status st;
    unsigned n = (unsigned)zk_vars_for(T);
    if ((st = zk_batch_params(params, n, n_tab, k, air->ngroups, target + 4, err)) != CAIRN_OK)
        return st;
    *bits = (unsigned)floor(zk_security_bits(params, n, n_tab, k, air));
    if (*bits >= target)
        return CAIRN_OK;
    unsigned ok = 0; /* the largest n below this one whose proofs reach the target */
    for (unsigned m = n - 1; m >= 1 && ok == 0; m--) {
        cairn_pcs_params q[ZK_NBATCH];
        cairn_error e2;
        if (zk_batch_params(q, m, n_tab, k, air->ngroups, target + 4, &e2) == CAIRN_OK &&
            zk_security_bits(q, m, n_tab, k, air) >= (double)target)
            ok = m;
    }
    if (ok == 0)
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "a %u-bit security target is not reachable for this proof: %llu trace "
                               "rows; its LogUp and sum-check terms over F_p2 cap it at %u bits "
                               "(docs/security.md, section 5)",
                               target, (unsigned long long)T, *bits);
    return cairn_error_set(err, CAIRN_ERR_LIMIT,
                           "a %u-bit security target is not reachable for this proof: %llu trace "
                           "rows, over the limit of %llu rows at %u bits for this program (its LogUp "
                           "and sum-check terms over F_p2 cap it at %u bits; docs/security.md, "
                           "section 5)",
                           target, (unsigned long long)T,
                           (unsigned long long)(((uint64_t)1 << ok) - 1), target, *bits);
}

/*
 * Right after execution, before any witness is built: the trace rows the
 * run needs (T = instructions + one setup row per read or write + the
 * bytes they moved, as zk_trace_rows counts them from the trace), the
 * output limit and the security target, so that a run too long to prove
 * is refused in the time it took to execute it, with the rows and the
 * limit named.  The prover checks the same again on the trace itself.
 */
static cairn_status refuse_early(const cairn_program *prog, const cairn_vm *vm,
                                 const cairn_zkvm_options *opt, cairn_error *err)
{
    uint64_t T = zk_vm_trace_rows(vm);
    if (T >= CAIRN_ZKVM_MAX_CYCLES)
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "%llu trace rows (%llu instructions): over the limit of %llu rows",
                               (unsigned long long)T, (unsigned long long)vm->cycles,
                               (unsigned long long)(CAIRN_ZKVM_MAX_CYCLES - 1));
    if (vm->output_len > CAIRN_ZKVM_MAX_OUTPUT)
        return cairn_error_set(err, CAIRN_ERR_LIMIT, "%llu bytes of output exceed the limit of %u",
                               (unsigned long long)vm->output_len, CAIRN_ZKVM_MAX_OUTPUT);
    if (opt->security_bits < 1 || opt->security_bits > CAIRN_PCS_MAX_TARGET_BITS - 8)
        return cairn_error_set(err, CAIRN_ERR_ARG, "security target %u out of range",
                               opt->security_bits);
    zk_bytecode bc;
    zk_air air;
    cairn_pcs_params params[ZK_NBATCH];
    unsigned bits;
    zk_bytecode_init(&bc);
    cairn_status st = zk_bytecode_build(&bc, prog, err);
    if (st == CAIRN_OK) {
        zk_air_build(&air, prog->entry, vm->exit_code, vm->mem_base);
        st = zk_security_check(params, &bits, T, zk_tab_vars(&bc), vm->mem_log2_words, &air,
                               opt->security_bits, err);
    }
    zk_bytecode_clear(&bc);
    return st;
}

static cairn_status prove_run(cairn_proof *p, cairn_zkvm_stats *stats, const cairn_program *prog,
                               const uint8_t digest[CAIRN_SHA256_BYTES], const cairn_rows *trace,
                               uint64_t cycles, uint32_t mem_log2_words, const uint8_t *input,
                               size_t input_len, const cairn_zkvm_options *opt, cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    zk_bytecode bc;
    zk_witness w;
    zk_air air;
    cairn_pcs_prover pr[ZK_NBATCH];
    cairn_pcs_params params[ZK_NBATCH];
    cairn_transcript t;
    zk_chal ch;
    uint32_t init[32];
    zk_ram ram;
    cairn_fp *tabs = NULL, *help = NULL, *pub = NULL, *mcols = NULL;
    cairn_fp2 *big2 = NULL, *rho_pow = NULL, *ev = NULL, *mbig = NULL, *comb = NULL;
    double t0 = zk_now_s(), t1;
    zk_bytecode_init(&bc);
    zk_witness_init(&w);
    zk_ram_init(&ram);
    for (unsigned b = 0; b < ZK_NBATCH; b++) {
        cairn_pcs_prover_init(&pr[b]);
        pr[b].threads = opt->threads ? opt->threads : 1;
    }
    unsigned threads = opt->threads ? opt->threads : 1;
    uint64_t max = opt->max_cycles ? opt->max_cycles : CAIRN_ZKVM_MAX_CYCLES, T = 0;
    if (cycles == 0 || cycles > max || cycles > CAIRN_ZKVM_MAX_CYCLES)
        return cairn_error_set(err, CAIRN_ERR_LIMIT, "%llu cycles: outside 1 .. %llu",
                               (unsigned long long)cycles, (unsigned long long)max);
    if (opt->security_bits < 1 || opt->security_bits > CAIRN_PCS_MAX_TARGET_BITS - 8)
        return cairn_error_set(err, CAIRN_ERR_ARG, "security target %u out of range", opt->security_bits);
    if ((st = zk_trace_rows(&T, trace, cycles, err)) != CAIRN_OK)
        return st;
    size_t n = zk_vars_for(T), rows = (size_t)1 << n;
    if ((st = zk_bytecode_build(&bc, prog, err)) != CAIRN_OK)
        goto out;
    zk_init_regs(init, prog, mem_log2_words);
    if ((st = zk_ram_load(&ram, prog, mem_log2_words, err)) != CAIRN_OK)
        goto out;
    progress(opt, "witness", 0);
    if ((st = zk_witness_build(&w, trace, cycles, T, n, &bc, init, &ram, input, input_len,
                               !opt->no_checks, err)) != CAIRN_OK)
        goto out;
    if (w.output_len > CAIRN_ZKVM_MAX_OUTPUT) {
        st = cairn_error_set(err, CAIRN_ERR_LIMIT, "%zu bytes of output exceed the limit of %u",
                             w.output_len, CAIRN_ZKVM_MAX_OUTPUT);
        goto out;
    }
    if (opt->tamper != NULL) {
        opt->tamper(opt->tamper_ctx, w.col, ZK_NCOL, rows, T);
        zk_witness_pcnext(&w);
        zk_witness_finals(&w, init, &ram);
    }
    cairn_zkvm_statement *s = &p->st;
    memset(s, 0, sizeof *s);
    memcpy(s->program_digest, digest, CAIRN_SHA256_BYTES);
    s->entry = prog->entry;
    s->mem_log2_words = mem_log2_words;
    s->cycles = T;
    s->exit_code = w.exit_code;
    s->output_len = (uint32_t)w.output_len;
    if (w.output_len > 0) {
        if ((p->output = malloc(w.output_len)) == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the output");
            goto out;
        }
        memcpy(p->output, w.output, w.output_len);
    }
    s->security_target = opt->security_bits;
    zk_air_build(&air, prog->entry, w.exit_code, ram.base);
    unsigned n_tab = zk_tab_vars(&bc), k = mem_log2_words;
    size_t tsz = (size_t)1 << n_tab, K = (size_t)1 << k;
    unsigned bits;
    if ((st = zk_security_check(params, &bits, T, n_tab, k, &air, opt->security_bits, err)))
        goto out;
    s->security_bits = bits;
    p->n = (uint32_t)n;
    p->n_tab = n_tab;
    memcpy(p->final_val, w.final_val, sizeof p->final_val);
    memcpy(p->final_ts, w.final_ts, sizeof p->final_ts);
    t1 = zk_now_s();
    if (stats != NULL) {
        stats->witness_s = t1 - t0;
        stats->rows = rows;
        stats->cycles = cycles;
        stats->trace_rows = T;
        stats->columns = ZK_NCOL + 2 * air.ngroups;
    }

    /* storage: 2 multiplicity + 4 table-helper base columns; helpers; publics; F_p2 tables */
    size_t nh = 2 * air.ngroups;
    tabs = malloc(6 * tsz * sizeof *tabs);
    help = malloc(nh * rows * sizeof *help);
    pub = malloc(ZK_NPUB * rows * sizeof *pub);
    size_t big2_len = 3 * tsz + rows;
    big2 = malloc(big2_len * sizeof *big2);
    rho_pow = malloc(zk_outer_npow(&air) * sizeof *rho_pow);
    ev = malloc((ZK_NZ + nh + 1 + ZK_TV_N + ZK_MV_N) * sizeof *ev);
    /* memory: gI0, gI1, gF0, gF1, init, ro, id (base); gI, gF, eq (F_p2) */
    mcols = malloc(7 * K * sizeof *mcols);
    mbig = malloc(3 * K * sizeof *mbig);
    comb = malloc(rows * sizeof *comb);
    if (tabs == NULL || help == NULL || pub == NULL || big2 == NULL || rho_pow == NULL || ev == NULL ||
        mcols == NULL || mbig == NULL || comb == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the prover's tables");
        goto out;
    }
    cairn_fp *mL = tabs, *mB = tabs + tsz, *gt[4] = {tabs + 2 * tsz, tabs + 3 * tsz, tabs + 4 * tsz,
                                                       tabs + 5 * tsz};
    cairn_fp2 *tL = big2, *tB = big2 + tsz, *aux = big2 + 2 * tsz, *eq = big2 + 3 * tsz;
    cairn_fp *hcol[2 * ZK_MAX_GROUPS];
    for (size_t i = 0; i < nh; i++)
        hcol[i] = help + i * rows;
    cairn_fp *mg[4] = {mcols, mcols + K, mcols + 2 * K, mcols + 3 * K}; /* gF0, gF1, gI0, gI1 */
    cairn_fp *minit = mcols + 4 * K, *mro = mcols + 5 * K, *mid = mcols + 6 * K;
    cairn_fp2 *gI = mbig, *gF = mbig + K, *meq = mbig + 2 * K;
    for (size_t j = 0; j < K; j++) {
        minit[j] = cairn_fp_from_u64(ram.init[j]);
        mro[j] = cairn_fp_make(j >= ram.text_lo && j < ram.text_hi);
        mid[j] = cairn_fp_from_u64(j);
    }

    /* statement, phase 1 */
    progress(opt, "witness", 1);
    progress(opt, "commit", 0);
    zk_transcript_start(&t, s, p->output, (uint32_t)n, n_tab, params);
    cairn_rows src[ZK_NBATCH];
    cairn_pcs_polys_rows impl[ZK_NBATCH];
    const cairn_fp *mpolys[2] = {mL, mB};
    const cairn_fp *gpolys[4] = {gt[0], gt[1], gt[2], gt[3]};
    const cairn_fp *fpolys[2] = {w.fv, w.fts};
    const cairn_fp *mhpolys[4] = {mg[0], mg[1], mg[2], mg[3]};
    cairn_pcs_polys_rows_init(&src[ZK_B_TRACE], &impl[ZK_B_TRACE], &params[ZK_B_TRACE],
                              (const cairn_fp *const *)w.col);
    cairn_pcs_polys_rows_init(&src[ZK_B_MULT], &impl[ZK_B_MULT], &params[ZK_B_MULT], mpolys);
    cairn_pcs_polys_rows_init(&src[ZK_B_HELP], &impl[ZK_B_HELP], &params[ZK_B_HELP],
                              (const cairn_fp *const *)hcol);
    cairn_pcs_polys_rows_init(&src[ZK_B_TABH], &impl[ZK_B_TABH], &params[ZK_B_TABH], gpolys);
    cairn_pcs_polys_rows_init(&src[ZK_B_FMEM], &impl[ZK_B_FMEM], &params[ZK_B_FMEM], fpolys);
    cairn_pcs_polys_rows_init(&src[ZK_B_MHELP], &impl[ZK_B_MHELP], &params[ZK_B_MHELP], mhpolys);
    if ((st = cairn_pcs_commit(&pr[ZK_B_TRACE], &params[ZK_B_TRACE], &src[ZK_B_TRACE], err)))
        goto out;
    if ((st = zk_mults(mL, mB, &w, &air, &bc, n_tab, err)))
        goto out;
    if (opt->tamper_mults != NULL)
        opt->tamper_mults(opt->tamper_mults_ctx, mL, mB, (size_t)1 << n_tab);
    if ((st = cairn_pcs_commit(&pr[ZK_B_MULT], &params[ZK_B_MULT], &src[ZK_B_MULT], err)) ||
        (st = cairn_pcs_commit(&pr[ZK_B_FMEM], &params[ZK_B_FMEM], &src[ZK_B_FMEM], err)))
        goto out;
    absorb_commitment(&t, &pr[ZK_B_TRACE].com);
    absorb_commitment(&t, &pr[ZK_B_MULT].com);
    absorb_commitment(&t, &pr[ZK_B_FMEM].com);
    zk_absorb_finals(&t, w.final_val, w.final_ts);
    zk_draw_challenges(&ch, &t);

    /* phase 2: helpers and table helpers */
    cairn_fp2 sums[ZK_NKIND], MO;
    zk_ram_chal rch;
    zk_ram_chal_from(&rch, &ch);
    if ((st = zk_helpers(hcol, sums, &w, &air, &ch, err)) ||
        (st = zk_ram_helpers(gI, gF, &ram, w.fv, w.fts, &rch, err)) ||
        (st = zk_output_sum(&MO, &ch, p->output, s->output_len, err)))
        goto out;
    cairn_fp2 S = sums[ZK_G_LOOKUP], M = sums[ZK_G_REG], MR = sums[ZK_G_RAM];
    cairn_fp2 mr_bound = cairn_fp2_zero();
    for (size_t j = 0; j < K; j++) {
        mr_bound = cairn_fp2_add(mr_bound, cairn_fp2_sub(gF[j], gI[j]));
        mg[0][j] = gF[j].c0, mg[1][j] = gF[j].c1, mg[2][j] = gI[j].c0, mg[3][j] = gI[j].c1;
    }
    if (!opt->no_checks && opt->tamper == NULL &&
        !cairn_fp2_eq(M, zk_mem_boundary(&ch, init, w.final_val, w.final_ts))) {
        st = cairn_error_set(err, CAIRN_ERR_INTERNAL, "register memory checking does not balance");
        goto out;
    }
    if (!opt->no_checks && opt->tamper == NULL && !cairn_fp2_eq(MR, mr_bound)) {
        st = cairn_error_set(err, CAIRN_ERR_INTERNAL, "RAM memory checking does not balance");
        goto out;
    }
    if (!opt->no_checks && opt->tamper == NULL && !cairn_fp2_eq(sums[ZK_G_OUT], MO)) {
        st = cairn_error_set(err, CAIRN_ERR_INTERNAL, "the output lookups do not balance");
        goto out;
    }
    zk_ltab_fp_table(tL, &ch, n_tab);
    for (size_t j = 0; j < tsz; j++)
        tB[j] = cairn_fp2_add(ch.beta[ZK_TAB_B], zk_bytecode_fp_entry(&bc, ch.gamma[ZK_TAB_B], j));
    if ((st = table_helper(gt[0], gt[1], mL, tL, ch.alpha, tsz, err)) ||
        (st = table_helper(gt[2], gt[3], mB, tB, ch.alpha, tsz, err)))
        goto out;
    if ((st = cairn_pcs_commit(&pr[ZK_B_HELP], &params[ZK_B_HELP], &src[ZK_B_HELP], err)) ||
        (st = cairn_pcs_commit(&pr[ZK_B_TABH], &params[ZK_B_TABH], &src[ZK_B_TABH], err)) ||
        (st = cairn_pcs_commit(&pr[ZK_B_MHELP], &params[ZK_B_MHELP], &src[ZK_B_MHELP], err)))
        goto out;
    absorb_commitment(&t, &pr[ZK_B_HELP].com);
    absorb_commitment(&t, &pr[ZK_B_TABH].com);
    absorb_commitment(&t, &pr[ZK_B_MHELP].com);
    cairn_transcript_absorb_fp2(&t, "zk/lookup_sum", S);
    cairn_transcript_absorb_fp2(&t, "zk/ram_sum", MR);
    p->S = S;
    p->MR = MR;
    zk_points pt;
    zk_draw_points(&pt, &t, (unsigned)n, n_tab, k);
    double t2 = zk_now_s();
    if (stats != NULL)
        stats->commit_s = t2 - t1;

    /* the outer sum-check */
    progress(opt, "commit", 1);
    progress(opt, "outer sum-check", 0);
    size_t npow = zk_outer_npow(&air);
    zk_rho_powers(rho_pow, npow, pt.rho);
    for (size_t x = 0; x < rows; x++) {
        pub[0 * rows + x] = cairn_fp_one();
        pub[1 * rows + x] = cairn_fp_from_u64(x);
        pub[2 * rows + x] = cairn_fp_make(x >= T);
        pub[3 * rows + x] = cairn_fp_make(x == 0);
        pub[4 * rows + x] = cairn_fp_make(x == T - 1);
    }
    cairn_poly_eq_table(eq, pt.tau, n);
    size_t nin = ZK_NZ + nh + 1;
    const cairn_fp *base[ZK_NZ + 2 * ZK_MAX_GROUPS + 1];
    const cairn_fp2 *ext[ZK_NZ + 2 * ZK_MAX_GROUPS + 1];
    for (size_t c = 0; c < nin; c++)
        base[c] = NULL, ext[c] = NULL;
    for (size_t c = 0; c < ZK_NCOL; c++)
        base[c] = w.col[c];
    for (size_t v = 0; v < ZK_NVIRT; v++)
        base[ZK_Z_PCNEXT + v] = w.pcnext + v * rows;
    for (size_t c = 0; c < ZK_NPUB; c++)
        base[ZK_Z_ONE + c] = pub + c * rows;
    for (size_t c = 0; c < nh; c++)
        base[ZK_NZ + c] = hcol[c];
    ext[nin - 1] = eq;
    cairn_fp2 r[ZK_MAX_VARS], rt[ZK_MAX_VARS], rs[ZK_MAX_VARS], rm[ZK_MAX_VARS];
    const cairn_fp2 all_sums[ZK_NKIND] = {S, M, MR, MO};
    cairn_fp2 claim = zk_outer_claim(rho_pow, npow, all_sums);
    zk_outer_ctx octx = {&air, &ch, rho_pow};
    if ((st = zk_sumcheck_prove(&p->outer, r, ev, &t, nin, base, ext, n, ZK_OUTER_DEGREE, claim,
                                zk_outer_point, &octx, threads, err)))
        goto out;
    p->outer_evals_len = ZK_NCOL + ZK_NVIRT + nh;
    memcpy(p->outer_evals, ev, (ZK_NCOL + ZK_NVIRT) * sizeof *ev);
    memcpy(p->outer_evals + ZK_NCOL + ZK_NVIRT, ev + ZK_NZ, nh * sizeof *ev);
    cairn_transcript_absorb_fp2_vec(&t, "zk/outer/evals", p->outer_evals, p->outer_evals_len);

    /* the table sum-check */
    progress(opt, "outer sum-check", 1);
    progress(opt, "table sum-check", 0);
    cairn_poly_eq_table(aux, pt.tau_t, n_tab);
    const cairn_fp *tbase[ZK_TV_N] = {gt[0], gt[1], mL, NULL, gt[2], gt[3], mB, NULL, NULL};
    const cairn_fp2 *text[ZK_TV_N] = {NULL, NULL, NULL, tL, NULL, NULL, NULL, tB, aux};
    zk_tab_ctx tctx = {ch.alpha, pt.rt2[0], pt.rt2[1]};
    if ((st = zk_sumcheck_prove(&p->tab, rt, ev, &t, ZK_TV_N, tbase, text, n_tab, ZK_TAB_DEGREE,
                                cairn_fp2_mul(pt.rt2[1], S), zk_tab_point, &tctx, threads, err)))
        goto out;
    p->tab_evals[0] = ev[ZK_TV_GL0], p->tab_evals[1] = ev[ZK_TV_GL1], p->tab_evals[2] = ev[ZK_TV_ML];
    p->tab_evals[3] = ev[ZK_TV_GB0], p->tab_evals[4] = ev[ZK_TV_GB1], p->tab_evals[5] = ev[ZK_TV_MB];
    cairn_transcript_absorb_fp2_vec(&t, "zk/tab/evals", p->tab_evals, ZK_TAB_EVALS);

    /* the memory sum-check over the 2^k words */
    progress(opt, "table sum-check", 1);
    progress(opt, "memory sum-check", 0);
    cairn_poly_eq_table(meq, pt.tau_m, k);
    const cairn_fp *mbase[ZK_MV_N] = {mg[0], mg[1], mg[2], mg[3], w.fv, w.fts, minit, mro, mid, NULL};
    const cairn_fp2 *mext[ZK_MV_N] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, meq};
    zk_ram_ctx mctx = {&rch, pt.rm2[0], pt.rm2[1]};
    if ((st = zk_sumcheck_prove(&p->mem, rm, ev, &t, ZK_MV_N, mbase, mext, k, ZK_MEM_DEGREE,
                                cairn_fp2_mul(pt.rm2[1], MR), zk_ram_point, &mctx, threads, err)))
        goto out;
    memcpy(p->mem_evals, ev, ZK_MEM_EVALS * sizeof *ev);
    cairn_transcript_absorb_fp2_vec(&t, "zk/mem/evals", p->mem_evals, ZK_MEM_EVALS);

    /*
     * the shift sum-check: for the combination c = sum_v zeta^v of the
     * shifted columns (pc, cnt, ptr, oi, eof), c_next(r) = sum_y c(y) next(r, y)
     */
    progress(opt, "memory sum-check", 1);
    progress(opt, "shift sum-check", 0);
    cairn_fp2 zp[ZK_NVIRT], sclaim = zk_shift_claim(zp, &t, p->outer_evals);
    for (size_t y = 0; y < rows; y++) {
        cairn_fp2 acc = cairn_fp2_from_fp(w.col[zk_shifted[0]][y]);
        for (size_t v = 1; v < ZK_NVIRT; v++)
            acc = cairn_fp2_add(acc, cairn_fp2_mul_fp(zp[v], w.col[zk_shifted[v]][y]));
        comb[y] = acc;
    }
    cairn_poly_eq_table(eq, r, n);
    for (size_t y = rows; y-- > 1;)
        eq[y] = eq[y - 1];
    eq[0] = cairn_fp2_zero();
    cairn_sumcheck_term term = {cairn_fp2_one(), 2, {0, 1}};
    cairn_sumcheck_expr expr = {&term, 1, 2};
    cairn_sumcheck_input sin[2] = {{NULL, comb, 0}, {NULL, eq, 0}};
    cairn_fp2 sev[2];
    if ((st = cairn_sumcheck_prove(&p->shift, rs, sev, &t, &expr, NULL, sin, 2, n, sclaim, err)))
        goto out;
    if ((st = cairn_pcs_evaluate(p->shift_evals, ZK_NCOL, &params[ZK_B_TRACE], &src[ZK_B_TRACE], rs,
                                 1, err)))
        goto out;
    cairn_transcript_absorb_fp2_vec(&t, "zk/shift/evals", p->shift_evals, ZK_NCOL);
    double t3 = zk_now_s();
    if (stats != NULL)
        stats->sumcheck_s = t3 - t2;

    /* openings */
    progress(opt, "shift sum-check", 1);
    progress(opt, "open", 0);
    cairn_fp2 pts[2 * ZK_MAX_VARS], cl[2 * ZK_NCOL];
    memcpy(pts, r, n * sizeof *r);
    memcpy(pts + n, rs, n * sizeof *rs);
    memcpy(cl, p->outer_evals, ZK_NCOL * sizeof *cl);
    memcpy(cl + ZK_NCOL, p->shift_evals, ZK_NCOL * sizeof *cl);
    if ((st = cairn_pcs_open(&p->open[ZK_B_TRACE], &t, &pr[ZK_B_TRACE], &src[ZK_B_TRACE], pts, 2, cl,
                             2 * ZK_NCOL, err)))
        goto out;
    cairn_fp2 mcl[2] = {p->tab_evals[2], p->tab_evals[5]};
    if ((st = cairn_pcs_open(&p->open[ZK_B_MULT], &t, &pr[ZK_B_MULT], &src[ZK_B_MULT], rt, 1, mcl, 2,
                             err)))
        goto out;
    if ((st = cairn_pcs_open(&p->open[ZK_B_HELP], &t, &pr[ZK_B_HELP], &src[ZK_B_HELP], r, 1,
                             p->outer_evals + ZK_NCOL + ZK_NVIRT, nh, err)))
        goto out;
    cairn_fp2 gcl[4] = {p->tab_evals[0], p->tab_evals[1], p->tab_evals[3], p->tab_evals[4]};
    if ((st = cairn_pcs_open(&p->open[ZK_B_TABH], &t, &pr[ZK_B_TABH], &src[ZK_B_TABH], rt, 1, gcl, 4,
                             err)))
        goto out;
    if ((st = cairn_pcs_open(&p->open[ZK_B_FMEM], &t, &pr[ZK_B_FMEM], &src[ZK_B_FMEM], rm, 1,
                             p->mem_evals + 4, 2, err)) ||
        (st = cairn_pcs_open(&p->open[ZK_B_MHELP], &t, &pr[ZK_B_MHELP], &src[ZK_B_MHELP], rm, 1,
                             p->mem_evals, 4, err)))
        goto out;
    for (unsigned b = 0; b < ZK_NBATCH; b++)
        p->com[b] = pr[b].com;
    progress(opt, "open", 1);
    if (stats != NULL) {
        stats->open_s = zk_now_s() - t3;
        stats->total_s = zk_now_s() - t0;
        stats->stages_len = 4;
        stats->stages[0] = (cairn_zkvm_stage){"witness", stats->witness_s};
        stats->stages[1] = (cairn_zkvm_stage){"commit", stats->commit_s};
        stats->stages[2] = (cairn_zkvm_stage){"sum-checks", stats->sumcheck_s};
        stats->stages[3] = (cairn_zkvm_stage){"open", stats->open_s};
    }
out:
    for (unsigned b = 0; b < ZK_NBATCH; b++)
        cairn_pcs_prover_clear(&pr[b]);
    zk_witness_clear(&w);
    zk_bytecode_clear(&bc);
    zk_ram_clear(&ram);
    free(mcols);
    free(mbig);
    free(comb);
    free(tabs);
    free(help);
    free(pub);
    free(big2);
    free(rho_pow);
    free(ev);
    return st;
}

/*
 * prove_run on the library's thread pool sized to opt->threads (the
 * stages' passes run there), restoring the previous size afterwards.
 * The proof bytes do not depend on the thread count.
 */
static cairn_status prove_core(cairn_proof *p, cairn_zkvm_stats *stats, const cairn_program *prog,
                               const uint8_t digest[CAIRN_SHA256_BYTES], const cairn_rows *trace,
                               uint64_t cycles, uint32_t mem_log2_words, const uint8_t *input,
                               size_t input_len, const cairn_zkvm_options *opt, cairn_error *err)
{
    unsigned saved = cairn_pool_threads();
    unsigned want = opt->threads ? opt->threads : 1;
    if (want > CAIRN_POOL_MAX_THREADS)
        want = CAIRN_POOL_MAX_THREADS;
    (void)cairn_pool_set_threads(want, NULL);
    cairn_status st = prove_run(p, stats, prog, digest, trace, cycles, mem_log2_words, input,
                                input_len, opt, err);
    (void)cairn_pool_set_threads(saved, NULL);
    return st;
}

/* Encode a finished proof and report its statement. */
static cairn_status finish(uint8_t **proof, size_t *proof_len, cairn_zkvm_statement *st,
                           cairn_proof *p, cairn_error *err)
{
    cairn_status s = cairn_proof_encode(proof, proof_len, p, err);
    if (s == CAIRN_OK && st != NULL)
        *st = p->st;
    return s;
}

cairn_status cairn_zkvm_prove_trace(uint8_t **proof, size_t *proof_len, cairn_zkvm_statement *st,
                                    cairn_zkvm_stats *stats, const uint8_t *elf, size_t elf_len,
                                    const cairn_rows *trace, uint64_t cycles,
                                    uint32_t mem_log2_words, const uint8_t *input,
                                    size_t input_len, const cairn_zkvm_options *opt,
                                    cairn_error *err)
{
    cairn_zkvm_options def;
    cairn_program prog;
    cairn_proof p;
    uint8_t digest[CAIRN_SHA256_BYTES];
    cairn_status s;
    *proof = NULL;
    *proof_len = 0;
    if (opt == NULL) {
        cairn_zkvm_options_init(&def);
        opt = &def;
    }
    if (opt->proof_format == 5)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "proving given trace rows (a replay) writes format 4 only");
    if (opt->proof_format != 0 && opt->proof_format != CAIRN_PROOF_FORMAT_VERSION)
        return cairn_error_set(err, CAIRN_ERR_ARG, "proof format %u: this cairn writes 4 and 5",
                               opt->proof_format);
    zk_proof_init(&p);
    if ((s = cairn_elf_load(&prog, elf, elf_len, err)) != CAIRN_OK) {
        cairn_program_clear(&prog);
        return s;
    }
    cairn_sha256(digest, elf, elf_len);
    s = prove_core(&p, stats, &prog, digest, trace, cycles, mem_log2_words, input, input_len, opt,
                   err);
    if (s == CAIRN_OK)
        s = finish(proof, proof_len, st, &p, err);
    zk_proof_clear(&p);
    cairn_program_clear(&prog);
    return s;
}

cairn_status zk_vm_ended(const cairn_vm *vm, uint64_t max, cairn_error *err)
{
    if (vm->halt == CAIRN_VM_FAULTED)
        return cairn_error_set(err, CAIRN_ERR_ARG, "the guest faulted after %llu cycles: %s",
                               (unsigned long long)vm->cycles, vm->fault.msg);
    if (vm->halt != CAIRN_VM_EXITED)
        return cairn_error_set(err, CAIRN_ERR_LIMIT, "the guest did not exit within %llu cycles",
                               (unsigned long long)max);
    return CAIRN_OK;
}

/*
 * Run the program once plainly to learn how it ends (a fault or a cycle
 * limit is reported as such, before any proving), then trace it into the
 * witness oracle's table and prove.
 */
cairn_status cairn_zkvm_prove(uint8_t **proof, size_t *proof_len, cairn_zkvm_statement *st,
                              cairn_zkvm_stats *stats, const uint8_t *elf, size_t elf_len,
                              const uint8_t *input, size_t input_len,
                              const cairn_zkvm_options *opt, cairn_error *err)
{
    cairn_zkvm_options def;
    cairn_program prog;
    cairn_vm vm;
    cairn_vm_config cfg;
    cairn_witness_oracle *o = NULL;
    cairn_proof p;
    uint8_t digest[CAIRN_SHA256_BYTES];
    cairn_status s;
    double t0 = zk_now_s();
    *proof = NULL;
    *proof_len = 0;
    memset(&vm, 0, sizeof vm);
    if (opt == NULL) {
        cairn_zkvm_options_init(&def);
        opt = &def;
    }
    unsigned format = cairn_zkvm_options_format(opt);
    if (format == CAIRN_PROOF_FORMAT_LEAN)
        return zk_prove_v5(proof, proof_len, st, stats, elf, elf_len, NULL, input, input_len, opt,
                           err);
    if (format != CAIRN_PROOF_FORMAT_VERSION)
        return cairn_error_set(err, CAIRN_ERR_ARG, "proof format %u: this cairn writes 4 and 5",
                               opt->proof_format);
    zk_proof_init(&p);
    if ((s = cairn_elf_load(&prog, elf, elf_len, err)) != CAIRN_OK)
        goto out;
    cairn_sha256(digest, elf, elf_len);
    /* the default layout: the verifier recomputes it (see cairn_proof_verify) */
    cairn_vm_config_init(&cfg);
    uint64_t max = opt->max_cycles ? opt->max_cycles : CAIRN_ZKVM_MAX_CYCLES;
    if ((s = cairn_vm_init(&vm, &prog, &cfg, err)) != CAIRN_OK)
        goto out;
    cairn_vm_set_input(&vm, input, input_len);
    progress(opt, "execute", 0);
    if ((s = cairn_vm_run(&vm, max, err)) != CAIRN_OK)
        goto out;
    if ((s = zk_vm_ended(&vm, max, err)) != CAIRN_OK)
        goto out;
    progress(opt, "execute", 1);
    uint32_t k = vm.mem_log2_words;
    if ((s = refuse_early(&prog, &vm, opt, err)) != CAIRN_OK)
        goto out;
    if ((s = cairn_witness_oracle_new_table(&o, &prog, &cfg, input, input_len, max, 0, err)))
        goto out;
    s = prove_core(&p, stats, &prog, digest, cairn_witness_oracle_rows(o),
                   cairn_witness_oracle_cycles(o), k, input, input_len, opt, err);
    if (s == CAIRN_OK)
        s = finish(proof, proof_len, st, &p, err);
    if (s == CAIRN_OK && stats != NULL)
        stats->total_s = zk_now_s() - t0;
out:
    cairn_witness_oracle_free(o);
    cairn_vm_clear(&vm);
    zk_proof_clear(&p);
    cairn_program_clear(&prog);
    return s;
}

/*
 * The witness of a recorded run: format 5 reads the set through
 * zl_run_make (its replay path); format 4 proves the rows a replay oracle
 * regenerates, with the memory size the set recorded.  Either way the set
 * must first be this program's and this input's.
 */
cairn_status cairn_zkvm_prove_checkpoints(uint8_t **proof, size_t *proof_len,
                                          cairn_zkvm_statement *st, cairn_zkvm_stats *stats,
                                          const uint8_t *elf, size_t elf_len,
                                          const cairn_checkpoints *cp, const uint8_t *input,
                                          size_t input_len, const cairn_zkvm_options *opt,
                                          cairn_error *err)
{
    cairn_zkvm_options def;
    cairn_program prog;
    cairn_witness_oracle *o = NULL;
    cairn_witness_replay_config rc;
    uint8_t digest[CAIRN_SHA256_BYTES];
    cairn_status s;
    *proof = NULL;
    *proof_len = 0;
    if (opt == NULL) {
        cairn_zkvm_options_init(&def);
        opt = &def;
    }
    unsigned format = cairn_zkvm_options_format(opt);
    if (format == 0)
        return cairn_error_set(err, CAIRN_ERR_ARG, "proof format %u: this cairn writes 4 and 5",
                               opt->proof_format);
    cairn_sha256(digest, elf, elf_len);
    if ((s = cairn_checkpoints_check(cp, digest, input, input_len, err)) != CAIRN_OK)
        return s;
    if (format == CAIRN_PROOF_FORMAT_LEAN)
        return zk_prove_v5(proof, proof_len, st, stats, elf, elf_len, cp, input, input_len, opt,
                           err);
    if ((s = cairn_elf_load(&prog, elf, elf_len, err)) != CAIRN_OK)
        goto out;
    memset(&rc, 0, sizeof rc);
    rc.threads = opt->threads ? opt->threads : 1;
    if ((s = cairn_witness_oracle_new_replay(&o, cp, &prog, input, input_len, &rc, err)) !=
        CAIRN_OK)
        goto out;
    s = cairn_zkvm_prove_trace(proof, proof_len, st, stats, elf, elf_len,
                               cairn_witness_oracle_rows(o), cairn_witness_oracle_cycles(o),
                               cairn_checkpoints_header(cp)->mem_log2_words, input, input_len,
                               opt, err);
out:
    cairn_witness_oracle_free(o);
    cairn_program_clear(&prog);
    return s;
}
