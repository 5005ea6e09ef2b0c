/*
 * lean_prove.c — the lean row's stages chained into one proof (docs/zkvm-v2.md
 * §6), prover and verifier mirroring each other stage by stage:
 *
 *   statement; phase-1 commitment (25 cell columns and the final RAM,
 *   stacked); zero-check; memory GKR (the final registers absorbed);
 *   shift; lookups phase A; phase-2 commitment (the two pushforwards,
 *   stacked); lookups phase B; the phase-1 claims (six points) and the
 *   phase-2 claims (four points) each reduced to one point by a sum-check
 *   and each batch opened there once (lean_open.c).
 *
 * Step 3 of the plan, in linear space: the value tables are materialised
 * (ZLV_N columns of 2^n), so this is the reference the streaming stages
 * of step 4 must reproduce byte for byte.  Nothing here is reachable from
 * the CLI yet; there is no byte format (the proof is the struct).
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/sha256.h"
#include "zkvm_internal.h"

/* Phase-1 groups: the cells (n variables) and the final RAM (k); phase 2: Y_U (16), Y_B (kb). */
static cairn_status stacks(cairn_pcs_stack *s1, cairn_pcs_stack *s2, size_t n, unsigned k,
                           unsigned kb, cairn_error *err)
{
    cairn_pcs_group g1[2] = {{(unsigned)n, ZL_NCELL}, {k, 2}};
    cairn_pcs_group g2[2] = {{ZU_VARS, 2}, {kb, 2}};
    cairn_status st = cairn_pcs_stack_init(s1, g1, 2, err);
    return st != CAIRN_OK ? st : cairn_pcs_stack_init(s2, g2, 2, err);
}

static cairn_status params_for(cairn_pcs_params *p, const cairn_pcs_stack *s, unsigned security,
                               unsigned points, cairn_error *err)
{
    cairn_pcs_options o;
    cairn_pcs_options_init(&o);
    o.target_bits = security;
    o.points_hint = points;
    return cairn_pcs_params_choose(p, s->num_vars, s->num_polys, &o, err);
}

/*
 * The program and its starting state as the verifier uses them: the
 * bytecode table's entries, the RAM's layout and initial image, the
 * initial registers.  Hashed into the transcript before anything else, so
 * no challenge is drawn before the program is fixed (a prover that could
 * choose the image after seeing the RAM's point could pick data words
 * whose evaluation there matches another program's).
 */
static void absorb_program(cairn_transcript *t, const zl_stmt *s)
{
    uint8_t d[CAIRN_SHA256_BYTES];
    cairn_sha256_ctx h;
    uint8_t le[8];
    cairn_sha256_init(&h);
    for (size_t e = 0; e < s->bc->count; e++)
        for (unsigned c = 0; c < ZK_NSTATIC; c++) {
            for (unsigned b = 0; b < 8; b++)
                le[b] = (uint8_t)(s->bc->entries[e].f[c].v >> (8 * b));
            cairn_sha256_update(&h, le, 8);
        }
    cairn_sha256_final(d, &h);
    cairn_transcript_absorb_bytes(t, "lean/program/bytecode", d, sizeof d);
    cairn_transcript_absorb_u64(t, "lean/program/entries", s->bc->count);
    cairn_transcript_absorb_u64(t, "lean/program/ram-base", s->ram->base);
    cairn_transcript_absorb_u64(t, "lean/program/ram-vars", s->ram->k);
    cairn_transcript_absorb_u64(t, "lean/program/text-lo", s->ram->text_lo);
    cairn_transcript_absorb_u64(t, "lean/program/text-hi", s->ram->text_hi);
    cairn_sha256_init(&h);
    for (uint64_t j = 0; j < (UINT64_C(1) << s->ram->k); j++) {
        for (unsigned b = 0; b < 4; b++)
            le[b] = (uint8_t)(s->ram->init[j] >> (8 * b));
        cairn_sha256_update(&h, le, 4);
    }
    cairn_sha256_final(d, &h);
    cairn_transcript_absorb_bytes(t, "lean/program/ram-image", d, sizeof d);
    for (unsigned r = 0; r < 32; r++)
        cairn_transcript_absorb_u64(t, "lean/program/init-reg", s->init_regs[r]);
    cairn_transcript_absorb_u64(t, "lean/security", s->security);
    cairn_transcript_absorb_u64(t, "lean/grind-memory", s->grind_mem);
    cairn_transcript_absorb_u64(t, "lean/grind-lookup", s->grind_lookup);
}

static void absorb_statement(cairn_transcript *t, const zl_stmt *s)
{
    absorb_program(t, s);
    cairn_transcript_absorb_u64(t, "lean/rows", s->T);
    cairn_transcript_absorb_u64(t, "lean/instructions", s->instructions);
    cairn_transcript_absorb_u64(t, "lean/vars", s->n);
    cairn_transcript_absorb_u64(t, "lean/entry", s->ctx.entry);
    cairn_transcript_absorb_u64(t, "lean/exit-code", s->ctx.exit_code);
    cairn_transcript_absorb_bytes(t, "lean/output", s->output, s->output_len);
}

static void absorb_commitment(cairn_transcript *t, const char *label,
                              const cairn_pcs_commitment *c, uint8_t out[CAIRN_PCS_COMMITMENT_BYTES])
{
    cairn_pcs_commitment_encode(out, c);
    cairn_transcript_absorb_bytes(t, label, out, CAIRN_PCS_COMMITMENT_BYTES);
}

void zl_proof_init(zl_proof *p)
{
    memset(p, 0, sizeof *p);
    zl_zc_proof_init(&p->zc);
    zl_mem_proof_init(&p->mem);
    zl_shift_proof_init(&p->sh);
    zl_lk_proof_init(&p->lk);
    cairn_sumcheck_proof_init(&p->rd1);
    cairn_sumcheck_proof_init(&p->rd2);
    cairn_pcs_opening_init(&p->op1);
    cairn_pcs_opening_init(&p->op2);
}

void zl_proof_clear(zl_proof *p)
{
    if (p == NULL)
        return;
    zl_zc_proof_clear(&p->zc);
    zl_mem_proof_clear(&p->mem);
    zl_shift_proof_clear(&p->sh);
    zl_lk_proof_clear(&p->lk);
    cairn_sumcheck_proof_clear(&p->rd1);
    cairn_sumcheck_proof_clear(&p->rd2);
    cairn_pcs_opening_clear(&p->op1);
    cairn_pcs_opening_clear(&p->op2);
    free(p->ex1);
    free(p->ex2);
    free(p->at1);
    free(p->at2);
    memset(p, 0, sizeof *p);
}

/*
 * The claim points of both batches, from the stages' results (prover and
 * verifier alike): phase 1's cells at the stages' points and the final RAM
 * at r_k, all claimed by earlier stages; phase 2's pushforward coordinates,
 * sent and checked against the lookups' claims (y_claims_hold).
 */
struct points {
    zl_claim_pt p1[6], p2[4];
    cairn_fp2 v1[6][ZL_NCELL], v2[4][2];
    uint8_t k1[6][ZL_NCELL], k2[4][2];
};

static void claim_points(struct points *q, const cairn_fp2 *const r[5], const cairn_fp2 *r_k,
                         const zl_proof *p, const zl_lk_result *res)
{
    memset(q->k1, 0, sizeof q->k1);
    memset(q->k2, 0, sizeof q->k2);
    /* P0: the zero-check's cells at r_z */
    uint16_t idx[ZLV_N];
    size_t m = zl_zc_used(idx);
    for (size_t j = 0; j < m; j++)
        if (idx[j] < ZL_NCELL)
            q->v1[0][idx[j]] = p->zc.vals[j], q->k1[0][idx[j]] = ZL_CLAIM_KNOWN;
    /* P1: the memory stage's cells at r_g; P2: the shift's at r_s */
    const uint16_t *mv = zl_mem_values(), *sv = zl_shift_values();
    for (unsigned j = 0; j < ZL_MEM_VALS; j++)
        if (mv[j] < ZL_NCELL)
            q->v1[1][mv[j]] = p->mem.vals[j], q->k1[1][mv[j]] = ZL_CLAIM_KNOWN;
    for (unsigned j = 0; j < ZL_SHIFT_VALS; j++)
        if (sv[j] < ZL_NCELL)
            q->v1[2][sv[j]] = p->sh.vals[j], q->k1[2][sv[j]] = ZL_CLAIM_KNOWN;
    /* P3: U's index cells at its GKR point; P4: pc_idx at B's */
    for (unsigned l = 0; l < ZL_NUCELL; l++) {
        q->v1[3][zl_u_cells[l]] = res->u.index_values[l];
        q->k1[3][zl_u_cells[l]] = ZL_CLAIM_KNOWN;
    }
    q->v1[4][ZL_PCI] = res->b.index_values[0], q->k1[4][ZL_PCI] = ZL_CLAIM_KNOWN;
    for (unsigned i = 0; i < 5; i++)
        q->p1[i] = (zl_claim_pt){0, r[i], q->v1[i], q->k1[i]};
    /* P5: the final RAM at r_k */
    q->v1[5][0] = p->mem.fin[0], q->v1[5][1] = p->mem.fin[1];
    q->k1[5][0] = q->k1[5][1] = ZL_CLAIM_KNOWN;
    q->p1[5] = (zl_claim_pt){1, r_k, q->v1[5], q->k1[5]};
    /* phase 2: Y = c0 + X c1 at two points each; both coordinates sent, checked after */
    memset(q->k2, ZL_CLAIM_SENT, sizeof q->k2);
    for (unsigned u = 0; u < 2; u++) {
        q->p2[u] = (zl_claim_pt){0, res->u.y_points[u], q->v2[u], q->k2[u]};
        q->p2[2 + u] = (zl_claim_pt){1, res->b.y_points[u], q->v2[2 + u], q->k2[2 + u]};
    }
}

/* Y(r) = c0(r) + X c1(r) for the four phase-2 points. */
static cairn_status y_claims_hold(const struct points *q, const zl_lk_result *res,
                                  cairn_error *err)
{
    const cairn_fp2 X = cairn_fp2_make(cairn_fp_zero(), cairn_fp_one());
    for (unsigned i = 0; i < 4; i++) {
        cairn_fp2 y = i < 2 ? res->u.y_values[i] : res->b.y_values[i - 2];
        cairn_fp2 got = cairn_fp2_add(q->v2[i][0], cairn_fp2_mul(X, q->v2[i][1]));
        if (!cairn_fp2_eq(got, y))
            return cairn_error_set(err, CAIRN_ERR_REJECTED,
                                   "a pushforward's opening differs from its lookup's claim");
    }
    return CAIRN_OK;
}

cairn_status zl_prove(zl_proof *p, cairn_transcript *t, const zl_stmt *s, const cairn_fp *cells,
                      unsigned threads, cairn_error *err)
{
    size_t n = s->n, rows = (size_t)1 << n;
    unsigned k = s->ram->k;
    size_t K = (size_t)1 << k;
    cairn_status st;
    cairn_fp *tab = NULL, *fv = NULL, *y2 = NULL;
    cairn_fp2 rz[CAIRN_POLY_MAX_VARS], rg[CAIRN_POLY_MAX_VARS], rk[CAIRN_POLY_MAX_VARS],
        rs[CAIRN_POLY_MAX_VARS], *vz = NULL;
    cairn_pcs_stack s1, s2;
    cairn_pcs_prover pr1, pr2;
    cairn_rows src;
    cairn_pcs_stack_rows impl;
    zl_tables tb;
    zl_lk_state ls;
    zl_lk_result res;
    struct points q;
    uint8_t c1[CAIRN_PCS_COMMITMENT_BYTES], c2[CAIRN_PCS_COMMITMENT_BYTES];
    const cairn_fp *polys1[ZL_NCELL + 2], *polys2[4];
    memset(&impl, 0, sizeof impl);
    memset(&tb, 0, sizeof tb);
    memset(&ls, 0, sizeof ls);
    cairn_pcs_prover_init(&pr1);
    cairn_pcs_prover_init(&pr2);
    pr1.threads = pr2.threads = threads ? threads : 1;
    zl_proof_clear(p);
    zl_proof_init(p);
    if ((st = zl_tables_init(&tb, s->bc, err)) != CAIRN_OK ||
        (st = stacks(&s1, &s2, n, k, tb.kb, err)) != CAIRN_OK ||
        (st = params_for(&p->p1, &s1, s->security, 1, err)) != CAIRN_OK ||
        (st = params_for(&p->p2, &s2, s->security, 1, err)) != CAIRN_OK)
        goto out;
    size_t KU = (size_t)1 << ZU_VARS, KB = (size_t)1 << tb.kb;
    p->kb = tb.kb;
    tab = malloc((size_t)ZLV_N * rows * sizeof *tab);
    fv = malloc(2 * K * sizeof *fv);
    y2 = malloc(2 * (KU + KB) * sizeof *y2);
    vz = malloc(ZLV_N * sizeof *vz);
    if (tab == NULL || fv == NULL || y2 == NULL || vz == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for 2^%zu rows", n);
        goto out;
    }
    if ((st = zl_value_tables(tab, cells, n, s->T, s->bc, err)) != CAIRN_OK)
        goto out;
    zl_mem_stmt ms = {s->ram, s->init_regs, {0}, {0}, s->output, s->output_len};
    zl_mem_finals(ms.fin_val, ms.fin_ts, fv, fv + K, tab, n, s->init_regs, s->ram);
    memcpy(p->fin_val, ms.fin_val, sizeof p->fin_val);
    memcpy(p->fin_ts, ms.fin_ts, sizeof p->fin_ts);
    absorb_statement(t, s);
    /* phase 1: the cells are the first ZL_NCELL value columns */
    for (unsigned c = 0; c < ZL_NCELL; c++)
        polys1[c] = tab + (size_t)c * rows;
    polys1[ZL_NCELL] = fv, polys1[ZL_NCELL + 1] = fv + K;
    if ((st = cairn_pcs_stack_rows_init(&src, &impl, &s1, &p->p1, polys1, err)) != CAIRN_OK ||
        (st = cairn_pcs_commit(&pr1, &p->p1, &src, err)) != CAIRN_OK)
        goto out;
    cairn_pcs_stack_rows_clear(&impl);
    p->c1 = pr1.com;
    absorb_commitment(t, "lean/commit/phase1", &p->c1, c1);
    /* the stages */
    if ((st = zl_zc_prove(&p->zc, rz, t, tab, n, s->T, s->instructions, &s->ctx, threads, err)) != CAIRN_OK)
        goto out;
    zl_zc_values(vz, &p->zc); /* the next-row values the shift reduces are among them */
    if ((st = zl_mem_prove(&p->mem, rg, rk, t, tab, n, &ms, fv, fv + K, s->grind_mem, threads,
                           err)) != CAIRN_OK ||
        (st = zl_shift_prove(&p->sh, rs, t, tab, n, rz, vz, threads, err)) != CAIRN_OK)
        goto out;
    uint16_t idx[ZLV_N];
    zl_lk_claims cl = {idx, p->zc.vals, zl_zc_used(idx), p->mem.vals, p->sh.vals};
    if ((st = zl_lk_bind_prove(&ls, &p->lk, t, &tb, tab, n, rz, rg, rs, &cl, s->grind_lookup,
                               s->grind_lookup, threads, err)) != CAIRN_OK)
        goto out;
    /* phase 2: the pushforwards as base coordinates */
    for (size_t j = 0; j < KU; j++)
        y2[j] = ls.yu[j].c0, y2[KU + j] = ls.yu[j].c1;
    for (size_t j = 0; j < KB; j++)
        y2[2 * KU + j] = ls.yb[j].c0, y2[2 * KU + KB + j] = ls.yb[j].c1;
    polys2[0] = y2, polys2[1] = y2 + KU, polys2[2] = y2 + 2 * KU, polys2[3] = y2 + 2 * KU + KB;
    if ((st = cairn_pcs_stack_rows_init(&src, &impl, &s2, &p->p2, polys2, err)) != CAIRN_OK ||
        (st = cairn_pcs_commit(&pr2, &p->p2, &src, err)) != CAIRN_OK)
        goto out;
    cairn_pcs_stack_rows_clear(&impl);
    p->c2 = pr2.com;
    absorb_commitment(t, "lean/commit/phase2", &p->c2, c2);
    if ((st = zl_lk_prove(&ls, &p->lk, &res, t, c2, sizeof c2, threads, err)) != CAIRN_OK)
        goto out;
    /* the claim reductions and the openings */
    const cairn_fp2 *pts[5] = {rz, rg, rs, res.u.index_point, res.b.index_point};
    claim_points(&q, pts, rk, p, &res);
    p->ex1_len = zl_open_sent_len(q.p1, 6, &s1);
    p->ex2_len = zl_open_sent_len(q.p2, 4, &s2);
    p->at1_len = s1.num_polys;
    p->at2_len = s2.num_polys;
    p->ex1 = malloc(p->ex1_len * sizeof *p->ex1 + 1);
    p->ex2 = malloc(p->ex2_len * sizeof *p->ex2 + 1);
    p->at1 = malloc(p->at1_len * sizeof *p->at1);
    p->at2 = malloc(p->at2_len * sizeof *p->at2);
    if (p->ex1 == NULL || p->ex2 == NULL || p->at1 == NULL || p->at2 == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the openings");
        goto out;
    }
    if ((st = zl_open_prove(&p->rd1, p->at1, &p->op1, p->ex1, t, &pr1, &s1, &p->p1, polys1,
                            q.p1, 6, err)) ||
        (st = zl_open_prove(&p->rd2, p->at2, &p->op2, p->ex2, t, &pr2, &s2, &p->p2, polys2,
                            q.p2, 4, err)))
        goto out;
    st = y_claims_hold(&q, &res, err);
    if (st != CAIRN_OK) /* the prover's own pushforwards: never */
        st = cairn_error_set(err, CAIRN_ERR_INTERNAL, "lean prover: %s", err ? err->msg : "");
out:
    cairn_pcs_stack_rows_clear(&impl);
    cairn_pcs_prover_clear(&pr1);
    cairn_pcs_prover_clear(&pr2);
    zl_lk_state_clear(&ls);
    zl_tables_clear(&tb);
    free(tab);
    free(fv);
    free(y2);
    free(vz);
    return st;
}

cairn_status zl_verify(cairn_transcript *t, const zl_stmt *s, const zl_proof *p,
                       cairn_error *err)
{
    size_t n = s->n;
    unsigned k = s->ram->k;
    cairn_status st;
    cairn_fp2 rz[CAIRN_POLY_MAX_VARS], rg[CAIRN_POLY_MAX_VARS], rk[CAIRN_POLY_MAX_VARS],
        rs[CAIRN_POLY_MAX_VARS], *vz = malloc(ZLV_N * sizeof *vz);
    cairn_pcs_stack s1, s2;
    cairn_pcs_params p1, p2;
    zl_tables tb;
    zl_lk_state ls;
    zl_lk_result res;
    struct points q;
    uint8_t c1[CAIRN_PCS_COMMITMENT_BYTES], c2[CAIRN_PCS_COMMITMENT_BYTES];
    memset(&tb, 0, sizeof tb);
    memset(&ls, 0, sizeof ls);
    if (vz == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    /* the parameters are the verifier's own, from the sizes */
    if ((st = zl_tables_init(&tb, s->bc, err)) != CAIRN_OK ||
        (st = stacks(&s1, &s2, n, k, tb.kb, err)) != CAIRN_OK ||
        (st = params_for(&p1, &s1, s->security, 1, err)) != CAIRN_OK ||
        (st = params_for(&p2, &s2, s->security, 1, err)) != CAIRN_OK)
        goto out;
    uint8_t e1[CAIRN_PCS_PARAMS_BYTES], e2[CAIRN_PCS_PARAMS_BYTES];
    uint8_t g1[CAIRN_PCS_PARAMS_BYTES], g2[CAIRN_PCS_PARAMS_BYTES];
    cairn_pcs_params_encode(e1, &p1);
    cairn_pcs_params_encode(e2, &p2);
    cairn_pcs_params_encode(g1, &p->c1.params);
    cairn_pcs_params_encode(g2, &p->c2.params);
    if (memcmp(e1, g1, sizeof e1) != 0 || memcmp(e2, g2, sizeof e2) != 0) {
        st = cairn_error_set(err, CAIRN_ERR_REJECTED, "lean proof: commitments with other parameters");
        goto out;
    }
    absorb_statement(t, s);
    absorb_commitment(t, "lean/commit/phase1", &p->c1, c1);
    if ((st = zl_zc_verify(rz, vz, t, &p->zc, n, s->T, s->instructions, &s->ctx, err)) != CAIRN_OK)
        goto out;
    zl_mem_stmt ms = {s->ram, s->init_regs, {0}, {0}, s->output, s->output_len};
    memcpy(ms.fin_val, p->fin_val, sizeof ms.fin_val);
    memcpy(ms.fin_ts, p->fin_ts, sizeof ms.fin_ts);
    if ((st = zl_mem_verify(rg, rk, t, &p->mem, n, &ms, s->prog, s->grind_mem, err)) ||
        (st = zl_shift_verify(rs, t, &p->sh, n, rz, vz, err)))
        goto out;
    uint16_t idx[ZLV_N];
    zl_lk_claims cl = {idx, p->zc.vals, zl_zc_used(idx), p->mem.vals, p->sh.vals};
    if ((st = zl_lk_bind_verify(&ls, t, &p->lk, &tb, n, rz, rg, rs, &cl, s->grind_lookup,
                                s->grind_lookup, err)) != CAIRN_OK)
        goto out;
    absorb_commitment(t, "lean/commit/phase2", &p->c2, c2);
    if ((st = zl_lk_verify(&ls, &res, t, &p->lk, c2, sizeof c2, err)) != CAIRN_OK)
        goto out;
    const cairn_fp2 *pts[5] = {rz, rg, rs, res.u.index_point, res.b.index_point};
    claim_points(&q, pts, rk, p, &res);
    if ((st = zl_open_verify(&p->c1, t, &s1, &p->rd1, p->at1, p->at1_len, &p->op1, p->ex1,
                             p->ex1_len, q.p1, 6, err)) ||
        (st = zl_open_verify(&p->c2, t, &s2, &p->rd2, p->at2, p->at2_len, &p->op2, p->ex2,
                             p->ex2_len, q.p2, 4, err)))
        goto out;
    st = y_claims_hold(&q, &res, err);
out:
    zl_lk_state_clear(&ls);
    zl_tables_clear(&tb);
    free(vz);
    return st;
}

size_t zl_proof_size(const zl_proof *p, size_t parts[5])
{
    size_t n = p->zc.sc.rounds, E = 16;
    size_t z = cairn_sumcheck_proof_size(p->zc.sc.rounds, p->zc.sc.degree) + p->zc.len * E;
    size_t m = 8 + cairn_gkr_proof_size(p->mem.gkr.vars, p->mem.gkr.inst_len) +
               (ZL_MEM_VALS + 2) * E + 32 * 12;
    size_t sh = cairn_sumcheck_proof_size(p->sh.sc.rounds, p->sh.sc.degree) + ZL_SHIFT_VALS * E;
    size_t lk = p->lk.extra_len * E +
                cairn_logup_star_batch_proof_size(n, ZU_VARS, ZL_NUCELL) +
                cairn_logup_star_batch_proof_size(n, p->kb, 1);
    size_t op = 2 * CAIRN_PCS_COMMITMENT_BYTES + (p->ex1_len + p->ex2_len) * E +
                cairn_sumcheck_proof_size(p->rd1.rounds, p->rd1.degree) +
                cairn_sumcheck_proof_size(p->rd2.rounds, p->rd2.degree) +
                (p->at1_len + p->at2_len) * E + cairn_pcs_opening_encoded_len(&p->op1) +
                cairn_pcs_opening_encoded_len(&p->op2);
    if (parts != NULL)
        parts[0] = z, parts[1] = m, parts[2] = sh, parts[3] = lk, parts[4] = op;
    return z + m + sh + lk + op;
}
