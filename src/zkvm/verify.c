/*
 * verify.c — the verifier: replays the prover's transcript (prove.c) from
 * the statement on, evaluates every public object itself (the constraint
 * system, the public polynomials, next(r, r'), the L table's closed form,
 * the bytecode table built from the ELF, the register boundary terms, the
 * initial memory and the read-only words), and checks the four sum-checks'
 * final values and the six PCS openings.
 * A malformed proof never gets here (proof.c); everything below is a
 * well-formed proof that is either true (CAIRN_OK) or false
 * (CAIRN_ERR_REJECTED with one line saying which check failed).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zkvm_internal.h"

static void absorb_commitment(cairn_transcript *t, const cairn_pcs_commitment *c)
{
    uint8_t b[CAIRN_PCS_COMMITMENT_BYTES];
    cairn_pcs_commitment_encode(b, c);
    cairn_transcript_absorb_bytes(t, "zk/commitment", b, sizeof b);
}

static cairn_status reject(cairn_error *err, const char *what)
{
    return cairn_error_set(err, CAIRN_ERR_REJECTED, "%s", what);
}

/* A PCS verdict: REJECTED naming the batch; other statuses pass through. */
static cairn_status pcs_check(cairn_status st, const char *batch, cairn_error *err)
{
    if (st == CAIRN_ERR_REJECTED) {
        char msg[CAIRN_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err != NULL ? err->msg : "");
        return cairn_error_set(err, CAIRN_ERR_REJECTED, "opening of the %s batch: %s", batch, msg);
    }
    return st;
}

/*
 * What every verifier checks of a statement against the ELF before the
 * proof (formats 4 and 5): the digest, the entry point, the memory size
 * the VM gives the program (it fixes the initial sp, so it is never the
 * prover's choice), and a RAM region below 2^32.  The region must lie
 * there because word addresses are taken mod p, and the argument that an
 * address outside [0, K) has no tuple relies on every in-region word
 * address being an integer below 2^30; the VM's layout guarantees it, a
 * verifier does not assume it.
 */
cairn_status zk_statement_program(cairn_program *prog, const cairn_zkvm_statement *s,
                                  const uint8_t *elf, size_t elf_len, cairn_error *err)
{
    uint8_t digest[CAIRN_SHA256_BYTES];
    cairn_status st;
    cairn_sha256(digest, elf, elf_len);
    if (memcmp(digest, s->program_digest, CAIRN_SHA256_BYTES) != 0)
        return reject(err, "the proof is for another program (the ELF's SHA-256 differs)");
    if ((st = cairn_elf_load(prog, elf, elf_len, err)) != CAIRN_OK)
        return st;
    if (s->entry != prog->entry)
        return reject(err, "statement: the entry point is not the program's");
    uint32_t want_k = 0;
    cairn_error lay_err;
    if (cairn_vm_mem_log2_words(&want_k, prog, NULL, &lay_err) != CAIRN_OK)
        return cairn_error_set(err, CAIRN_ERR_REJECTED, "the program's memory layout: %s",
                               lay_err.msg);
    if (s->mem_log2_words != want_k)
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "statement: a memory of 2^%u words, but this program runs with 2^%u",
                               (unsigned)s->mem_log2_words, (unsigned)want_k);
    if ((uint64_t)zk_mem_base(prog) + (UINT64_C(4) << s->mem_log2_words) > (UINT64_C(1) << 32))
        return reject(err, "statement: the RAM region does not fit below 2^32");
    return CAIRN_OK;
}

/*
 * Everything the statement fixes is recomputed from the ELF and compared
 * first (digest, entry, memory size, table size, parameters, security
 * figure), then the transcript is replayed step by step in the prover's
 * order; the first failed check is the one reported.
 */
cairn_status cairn_proof_verify(const cairn_proof *p, const uint8_t *elf, size_t elf_len,
                                cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    cairn_program prog;
    zk_bytecode bc;
    zk_air air;
    cairn_transcript t;
    zk_chal ch;
    cairn_pcs_params params[ZK_NBATCH];
    uint32_t init[32];
    cairn_fp2 *rho_pow = NULL;
    const cairn_zkvm_statement *s = &p->st;
    zk_bytecode_init(&bc);
    cairn_program_init(&prog);

    if ((st = zk_statement_program(&prog, s, elf, elf_len, err)) != CAIRN_OK)
        goto out;
    if ((st = zk_bytecode_build(&bc, &prog, err)) != CAIRN_OK)
        goto out;
    unsigned n = p->n, n_tab = zk_tab_vars(&bc);
    if (p->n_tab != n_tab) {
        st = reject(err, "the table size does not match the program");
        goto out;
    }
    unsigned k = s->mem_log2_words;
    uint32_t mem_base = zk_mem_base(&prog);
    uint64_t text_lo, text_hi;
    zk_ram_text_words(&text_lo, &text_hi, &prog, mem_base);
    zk_air_build(&air, s->entry, s->exit_code, mem_base);
    if ((st = zk_batch_params(params, n, n_tab, k, air.ngroups, s->security_target + 4, err)))
        goto out;
    for (unsigned b = 0; b < ZK_NBATCH; b++)
        if (memcmp(&params[b], &p->com[b].params, sizeof params[b]) != 0) {
            st = reject(err, "commitment parameters differ from those the statement fixes");
            goto out;
        }
    if (s->security_bits != (uint32_t)floor(zk_security_bits(params, n, n_tab, k, &air))) {
        st = reject(err, "statement: the security level does not match the parameters");
        goto out;
    }
    if (s->security_target < CAIRN_ZKVM_MIN_SECURITY_BITS ||
        s->security_bits < CAIRN_ZKVM_MIN_SECURITY_BITS) {
        st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                             "the proof is made for %u-bit security (%u proven), below the %u bits "
                             "a verifier requires",
                             (unsigned)s->security_target, (unsigned)s->security_bits,
                             CAIRN_ZKVM_MIN_SECURITY_BITS);
        goto out;
    }
    zk_init_regs(init, &prog, s->mem_log2_words);

    /* the transcript, as the prover ran it */
    zk_transcript_start(&t, s, p->output, n, n_tab, params);
    absorb_commitment(&t, &p->com[ZK_B_TRACE]);
    absorb_commitment(&t, &p->com[ZK_B_MULT]);
    absorb_commitment(&t, &p->com[ZK_B_FMEM]);
    zk_absorb_finals(&t, p->final_val, p->final_ts);
    zk_draw_challenges(&ch, &t);
    absorb_commitment(&t, &p->com[ZK_B_HELP]);
    absorb_commitment(&t, &p->com[ZK_B_TABH]);
    absorb_commitment(&t, &p->com[ZK_B_MHELP]);
    cairn_transcript_absorb_fp2(&t, "zk/lookup_sum", p->S);
    cairn_transcript_absorb_fp2(&t, "zk/ram_sum", p->MR);
    zk_points pt;
    zk_draw_points(&pt, &t, (unsigned)n, n_tab, k);

    /* the outer sum-check */
    size_t npow = zk_outer_npow(&air), nh = 2 * air.ngroups;
    rho_pow = malloc(npow * sizeof *rho_pow);
    if (rho_pow == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
        goto out;
    }
    zk_rho_powers(rho_pow, npow, pt.rho);
    cairn_fp2 M = zk_mem_boundary(&ch, init, p->final_val, p->final_ts), MO;
    if ((st = zk_output_sum(&MO, &ch, p->output, s->output_len, err)) != CAIRN_OK)
        goto out;
    const cairn_fp2 all_sums[ZK_NKIND] = {p->S, M, p->MR, MO};
    cairn_fp2 claim = zk_outer_claim(rho_pow, npow, all_sums);
    cairn_fp2 r[ZK_MAX_VARS], rt[ZK_MAX_VARS], rs[ZK_MAX_VARS], rm[ZK_MAX_VARS], expected;
    if ((st = cairn_sumcheck_verify(r, &expected, &t, &p->outer, n, ZK_OUTER_DEGREE, claim, err)))
        goto out;
    cairn_fp2 z[ZK_NZ];
    memcpy(z, p->outer_evals, (ZK_NCOL + ZK_NVIRT) * sizeof *z);
    zk_public_eval(z + ZK_Z_ONE, r, n, s->cycles);
    cairn_fp2 eqv = cairn_poly_eq_eval(pt.tau, r, n);
    if (!cairn_fp2_eq(zk_outer_eval(&air, &ch, rho_pow, z, p->outer_evals + ZK_NCOL + ZK_NVIRT, eqv),
                      expected)) {
        st = reject(err, "outer sum-check: the constraints, lookups or register accesses do not hold "
                         "(final check failed)");
        goto out;
    }
    cairn_transcript_absorb_fp2_vec(&t, "zk/outer/evals", p->outer_evals, p->outer_evals_len);

    /* the table sum-check */
    if ((st = cairn_sumcheck_verify(rt, &expected, &t, &p->tab, n_tab, ZK_TAB_DEGREE,
                                    cairn_fp2_mul(pt.rt2[1], p->S), err)))
        goto out;
    cairn_fp2 tv[ZK_TV_N];
    tv[ZK_TV_GL0] = p->tab_evals[0], tv[ZK_TV_GL1] = p->tab_evals[1], tv[ZK_TV_ML] = p->tab_evals[2];
    tv[ZK_TV_GB0] = p->tab_evals[3], tv[ZK_TV_GB1] = p->tab_evals[4], tv[ZK_TV_MB] = p->tab_evals[5];
    tv[ZK_TV_TL] = zk_ltab_fp_mle(&ch, rt, n_tab);
    if ((st = zk_bytecode_fp_mle(&tv[ZK_TV_TB], &bc, ch.gamma[ZK_TAB_B], rt, n_tab, err)))
        goto out;
    tv[ZK_TV_TB] = cairn_fp2_add(tv[ZK_TV_TB], ch.beta[ZK_TAB_B]); /* the table's offset */
    tv[ZK_TV_EQ] = cairn_poly_eq_eval(pt.tau_t, rt, n_tab);
    zk_tab_ctx tctx = {ch.alpha, pt.rt2[0], pt.rt2[1]};
    if (!cairn_fp2_eq(zk_tab_point(&tctx, tv), expected)) {
        st = reject(err, "table sum-check: the lookups' multiplicities do not match the tables "
                         "(final check failed)");
        goto out;
    }
    cairn_transcript_absorb_fp2_vec(&t, "zk/tab/evals", p->tab_evals, ZK_TAB_EVALS);

    /* the memory sum-check: the verifier evaluates the initial image, ro and id itself */
    if ((st = cairn_sumcheck_verify(rm, &expected, &t, &p->mem, k, ZK_MEM_DEGREE,
                                    cairn_fp2_mul(pt.rm2[1], p->MR), err)))
        goto out;
    cairn_fp2 mv[ZK_MV_N];
    memcpy(mv, p->mem_evals, ZK_MEM_EVALS * sizeof *mv);
    if ((st = zk_ram_init_eval(&mv[ZK_MV_INIT], &prog, mem_base, k, rm, err)) != CAIRN_OK)
        goto out;
    mv[ZK_MV_RO] = zk_ram_interval_eval(rm, k, text_lo, text_hi);
    mv[ZK_MV_ID] = zk_id_eval(rm, k);
    mv[ZK_MV_EQ] = cairn_poly_eq_eval(pt.tau_m, rm, k);
    zk_ram_chal rch;
    zk_ram_chal_from(&rch, &ch);
    zk_ram_ctx mctx = {&rch, pt.rm2[0], pt.rm2[1]};
    if (!cairn_fp2_eq(zk_ram_point(&mctx, mv), expected)) {
        st = reject(err, "memory sum-check: the final memory does not balance the RAM accesses "
                         "(final check failed)");
        goto out;
    }
    cairn_transcript_absorb_fp2_vec(&t, "zk/mem/evals", p->mem_evals, ZK_MEM_EVALS);

    /* the shift sum-check, over sum_v zeta^v of the shifted columns (pc, cnt, ptr, oi, eof) */
    cairn_fp2 zp[ZK_NVIRT], sclaim = zk_shift_claim(zp, &t, p->outer_evals), sfin = cairn_fp2_zero();
    for (size_t v = 0; v < ZK_NVIRT; v++)
        sfin = cairn_fp2_add(sfin, cairn_fp2_mul(zp[v], p->shift_evals[zk_shifted[v]]));
    if ((st = cairn_sumcheck_verify(rs, &expected, &t, &p->shift, n, 2, sclaim, err)))
        goto out;
    if (!cairn_fp2_eq(cairn_fp2_mul(sfin, zk_next_eval(r, rs, n)), expected)) {
        st = reject(err, "shift sum-check: pc, cnt, ptr or oi of the next row differ (final check "
                         "failed)");
        goto out;
    }
    cairn_transcript_absorb_fp2_vec(&t, "zk/shift/evals", p->shift_evals, ZK_NCOL);

    /* openings */
    cairn_fp2 pts[2 * ZK_MAX_VARS], cl[2 * ZK_NCOL];
    memcpy(pts, r, n * sizeof *r);
    memcpy(pts + n, rs, n * sizeof *rs);
    memcpy(cl, p->outer_evals, ZK_NCOL * sizeof *cl);
    memcpy(cl + ZK_NCOL, p->shift_evals, ZK_NCOL * sizeof *cl);
    st = cairn_pcs_verify(&p->com[ZK_B_TRACE], &t, pts, 2, cl, 2 * ZK_NCOL, &p->open[ZK_B_TRACE], err);
    if ((st = pcs_check(st, "trace", err)))
        goto out;
    cairn_fp2 mcl[2] = {p->tab_evals[2], p->tab_evals[5]};
    st = cairn_pcs_verify(&p->com[ZK_B_MULT], &t, rt, 1, mcl, 2, &p->open[ZK_B_MULT], err);
    if ((st = pcs_check(st, "multiplicities", err)))
        goto out;
    st = cairn_pcs_verify(&p->com[ZK_B_HELP], &t, r, 1, p->outer_evals + ZK_NCOL + ZK_NVIRT, nh,
                          &p->open[ZK_B_HELP], err);
    if ((st = pcs_check(st, "helper", err)))
        goto out;
    cairn_fp2 gcl[4] = {p->tab_evals[0], p->tab_evals[1], p->tab_evals[3], p->tab_evals[4]};
    st = cairn_pcs_verify(&p->com[ZK_B_TABH], &t, rt, 1, gcl, 4, &p->open[ZK_B_TABH], err);
    if ((st = pcs_check(st, "table helper", err)))
        goto out;
    st = cairn_pcs_verify(&p->com[ZK_B_FMEM], &t, rm, 1, p->mem_evals + 4, 2, &p->open[ZK_B_FMEM], err);
    if ((st = pcs_check(st, "final memory", err)))
        goto out;
    st = cairn_pcs_verify(&p->com[ZK_B_MHELP], &t, rm, 1, p->mem_evals, 4, &p->open[ZK_B_MHELP], err);
    if ((st = pcs_check(st, "memory helper", err)))
        goto out;
out:
    free(rho_pow);
    zk_bytecode_clear(&bc);
    cairn_program_clear(&prog);
    return st;
}

/*
 * Decode, verify, and only then copy out what was verified: the statement
 * and the public output (the bytes the statement's output_len counts,
 * which the verifier's output lookup bound to the trace).  Handing the
 * output back here saves callers a second decode of the same bytes.
 */
cairn_status cairn_zkvm_verify_output(cairn_zkvm_statement *st, uint8_t **output,
                                      size_t *output_len, const uint8_t *proof, size_t proof_len,
                                      const uint8_t *elf, size_t elf_len, cairn_error *err)
{
    if (cairn_proof_format(proof, proof_len) == 5)
        return zk_verify_v5(st, output, output_len, proof, proof_len, elf, elf_len, err);
    cairn_proof *p = NULL;
    uint8_t *copy = NULL;
    cairn_status s = cairn_proof_decode(&p, proof, proof_len, err);
    if (s == CAIRN_OK)
        s = cairn_proof_verify(p, elf, elf_len, err);
    if (s == CAIRN_OK && output != NULL && p->st.output_len > 0) {
        if ((copy = malloc(p->st.output_len)) == NULL)
            s = cairn_error_set(err, CAIRN_ERR_NOMEM, "cannot allocate %u bytes of output",
                                (unsigned)p->st.output_len);
        else
            memcpy(copy, cairn_proof_output(p), p->st.output_len);
    }
    /* only a verified statement and output are handed out */
    if (s == CAIRN_OK) {
        if (st != NULL)
            *st = p->st;
        if (output != NULL)
            *output = copy;
        if (output_len != NULL)
            *output_len = p->st.output_len;
    }
    cairn_proof_free(p);
    return s;
}

cairn_status cairn_zkvm_verify(cairn_zkvm_statement *st, const uint8_t *proof, size_t proof_len,
                               const uint8_t *elf, size_t elf_len, cairn_error *err)
{
    return cairn_zkvm_verify_output(st, NULL, NULL, proof, proof_len, elf, elf_len, err);
}
