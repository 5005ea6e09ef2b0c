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
 * Before any of it, the statement's shape and target fix both
 * commitments' parameters, the grinding bits and the proven bits
 * (zl_setup_init, lean_security.c); the prover refuses a total below the
 * target, the verifier one below CAIRN_ZKVM_MIN_SECURITY_BITS.
 *
 * Step 3 of the plan, in linear space: the cells are held as columns and
 * every other value is computed from them per row (zl_vtab), the GKRs
 * read their leaves from rows in passes; this is the reference the
 * small-space stages of step 4 must reproduce byte for byte.  The
 * phase-1 commitment and the openings already take the cells only from
 * a row source (the columns as one unless the caller gives another),
 * its rows counted into the stages' rows read.  Nothing here is
 * reachable from the CLI yet; the proof's byte format is lean_codec.c's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/sha256.h"
#include "zkvm_internal.h"

/*
 * The program and its starting state as the verifier uses them: the
 * bytecode table's entries, the RAM's layout and initial image, the
 * initial registers.  Hashed into the transcript before anything else, so
 * no challenge is drawn before the program is fixed (a prover that could
 * choose the image after seeing the RAM's point could pick data words
 * whose evaluation there matches another program's).
 */
static void absorb_program(cairn_transcript *t, const zl_stmt *s, const zl_setup *su)
{
    uint8_t d[CAIRN_SHA256_BYTES];
    cairn_sha256_ctx h;
    uint8_t le[8];
    cairn_sha256_init(&h);
    for (size_t e = 0; e < s->bc->count; e++) {
        for (unsigned c = 0; c < ZK_NSTATIC; c++) {
            for (unsigned b = 0; b < 8; b++)
                le[b] = (uint8_t)(s->bc->entries[e].f[c].v >> (8 * b));
            cairn_sha256_update(&h, le, 8);
        }
        cairn_sha256_update(&h, &s->bc->entries[e].m, 1); /* which M instruction, if one */
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
    cairn_transcript_absorb_u64(t, "lean/grind-memory", su->grind_mem);
    cairn_transcript_absorb_u64(t, "lean/grind-lookup", su->grind_lookup);
}

static void absorb_statement(cairn_transcript *t, const zl_stmt *s, const zl_setup *su)
{
    absorb_program(t, s, su);
    cairn_transcript_absorb_u64(t, "lean/rows", s->T);
    cairn_transcript_absorb_u64(t, "lean/instructions", s->instructions);
    cairn_transcript_absorb_u64(t, "lean/vars", s->n);
    cairn_transcript_absorb_u64(t, "lean/entry", s->ctx.entry);
    cairn_transcript_absorb_u64(t, "lean/exit-code", s->ctx.exit_code);
    cairn_transcript_absorb_bytes(t, "lean/output", s->output, s->output_len);
}

/*
 * What the security figure assumes of a statement besides its shape: an
 * output within the table size the memory term counts
 * (CAIRN_ZKVM_MAX_OUTPUT).  CAIRN_ERR_LIMIT otherwise, on both sides.
 */
static cairn_status stmt_limits(const zl_stmt *s, cairn_error *err)
{
    /* more than 2^ZL_MAX_VARS rows: zl_setup_init's refusal */
    if (s->n <= ZL_MAX_VARS && (s->n == 0 || s->T == 0 || s->T >= (UINT64_C(1) << s->n) ||
                                s->instructions == 0 || s->instructions > s->T))
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "lean proof: %llu trace rows and %llu instructions in 2^%zu rows",
                               (unsigned long long)s->T, (unsigned long long)s->instructions, s->n);
    if (s->output_len > CAIRN_ZKVM_MAX_OUTPUT)
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "lean proof: an output of %zu bytes, more than the %u its "
                               "security counts",
                               s->output_len, CAIRN_ZKVM_MAX_OUTPUT);
    return CAIRN_OK;
}

static void absorb_commitment(cairn_transcript *t, const char *label,
                              const cairn_pcs_commitment *c, uint8_t out[CAIRN_PCS_COMMITMENT_BYTES])
{
    cairn_pcs_commitment_encode(out, c);
    cairn_transcript_absorb_bytes(t, label, out, CAIRN_PCS_COMMITMENT_BYTES);
}

const char *const zl_stage_names[ZL_NSTAGE] = {
    "tables", "commit 1", "zero-check", "memory", "shift", "lookup bind", "commit 2", "lookups",
    "openings",
};

/* The stage clock: when the current stage started (wall, CPU), and whom to tell (rep, optional). */
struct clock {
    double t0;
    const zl_report *rep;
    double cpu0, own0;
    const zl_vtab *vt; /* whose row reads count (NULL before it exists) */
    uint64_t rows0;    /* its rows read when the stage started */
    const zl_rows_count *swept; /* the cells' row source, counted (NULL before it exists) */
    uint64_t swept0;            /* its rows handed over when the stage started */
};

/*
 * The calling thread's own CPU time in seconds: what the pool's other
 * threads did in a stage is the process's time less this, a measure of
 * how much of the stage was spread that does not depend on the load.
 */
static double own_cpu_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Tell rep's callback, if any, that stage i is at done (0: started, 1: finished). */
static void tell(const zl_report *rep, unsigned i, double done)
{
    if (rep != NULL && rep->fn != NULL)
        rep->fn(rep->ctx, zl_stage_names[i], done);
}

/*
 * Charge the time since the clock's start to stage i and restart it; the
 * stages run in zl_stage_names's order, so the end of one is the start of
 * the next.
 */
static void lap(zl_proof *p, unsigned i, struct clock *t0)
{
    double t = zk_now_s();
    double c = zk_cpu_now_s(), o = own_cpu_now_s();
    p->stage_s[i] += t - t0->t0;
    p->stage_cpu_s[i] += c - t0->cpu0;
    p->stage_own_cpu_s[i] += o - t0->own0;
    t0->t0 = t;
    t0->cpu0 = c;
    t0->own0 = o;
    if (t0->vt != NULL) {
        uint64_t r = zl_vtab_rows_read(t0->vt);
        p->stage_rows[i] += r - t0->rows0;
        t0->rows0 = r;
    }
    if (t0->swept != NULL) {
        uint64_t r = zl_rows_counted(t0->swept);
        p->stage_rows[i] += r - t0->swept0;
        t0->swept0 = r;
    }
    size_t rss = zk_rss_peak_take();
    p->stage_rss[i] = rss > p->stage_rss[i] ? rss : p->stage_rss[i];
    tell(t0->rep, i, 1);
    if (i + 1 < ZL_NSTAGE)
        tell(t0->rep, i + 1, 0);
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
    zl_claim_pt p1[ZL_OPEN1_POINTS], p2[ZL_OPEN2_POINTS];
    cairn_fp2 v1[ZL_OPEN1_POINTS][ZL_NCELL], v2[ZL_OPEN2_POINTS][2];
    uint8_t k1[ZL_OPEN1_POINTS][ZL_NCELL], k2[ZL_OPEN2_POINTS][2];
};

/* Member c of phase-1 point i is claimed by an earlier stage: v (NULL when only counting). */
static void known(struct points *q, unsigned i, unsigned c, const cairn_fp2 *v)
{
    q->k1[i][c] = ZL_CLAIM_KNOWN;
    q->v1[i][c] = v != NULL ? *v : cairn_fp2_zero();
}

/*
 * With p and res NULL (and no points), only which members are known: the
 * shape of the extras, for the decoder.
 */
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
            known(q, 0, idx[j], p ? &p->zc.vals[j] : NULL);
    /* P1: the memory stage's cells at r_g; P2: the shift's at r_s */
    const uint16_t *mv = zl_mem_values(), *sv = zl_shift_values();
    for (unsigned j = 0; j < ZL_MEM_VALS; j++)
        if (mv[j] < ZL_NCELL)
            known(q, 1, mv[j], p ? &p->mem.vals[j] : NULL);
    for (unsigned j = 0; j < ZL_SHIFT_VALS; j++)
        if (sv[j] < ZL_NCELL)
            known(q, 2, sv[j], p ? &p->sh.vals[j] : NULL);
    /* P3: U's index cells at its GKR point; P4: pc_idx at B's */
    for (unsigned l = 0; l < ZL_NUCELL; l++)
        known(q, 3, zl_u_cells[l], res ? &res->u.index_values[l] : NULL);
    known(q, 4, ZL_PCI, res ? &res->b.index_values[0] : NULL);
    for (unsigned i = 0; i < 5; i++)
        q->p1[i] = (zl_claim_pt){0, r ? r[i] : NULL, q->v1[i], q->k1[i]};
    /* P5: the final RAM at r_k */
    known(q, 5, 0, p ? &p->mem.fin[0] : NULL);
    known(q, 5, 1, p ? &p->mem.fin[1] : NULL);
    q->p1[5] = (zl_claim_pt){1, r_k, q->v1[5], q->k1[5]};
    /* phase 2: Y = c0 + X c1 at two points each; both coordinates sent, checked after */
    memset(q->k2, ZL_CLAIM_SENT, sizeof q->k2);
    for (unsigned u = 0; u < 2; u++) {
        q->p2[u] = (zl_claim_pt){0, res ? res->u.y_points[u] : NULL, q->v2[u], q->k2[u]};
        q->p2[2 + u] =
            (zl_claim_pt){1, res ? res->b.y_points[u] : NULL, q->v2[2 + u], q->k2[2 + u]};
    }
}

void zl_shape_of(zl_shape *sh, const zl_stmt *s)
{
    sh->n = s->n;
    sh->k = s->ram->k;
    sh->kb = zl_bc_vars(s->bc);
}

cairn_status zl_open_lens(size_t sent[2], size_t slots[2], size_t vars[2], const zl_shape *sh,
                         cairn_error *err)
{
    cairn_pcs_stack s1, s2;
    struct points q;
    sent[0] = sent[1] = slots[0] = slots[1] = vars[0] = vars[1] = 0;
    cairn_status st = zl_stacks(&s1, &s2, sh->n, sh->k, sh->kb, err);
    if (st != CAIRN_OK)
        return st;
    claim_points(&q, NULL, NULL, NULL, NULL);
    sent[0] = zl_open_sent_len(q.p1, ZL_OPEN1_POINTS, &s1);
    sent[1] = zl_open_sent_len(q.p2, ZL_OPEN2_POINTS, &s2);
    slots[0] = s1.num_polys, slots[1] = s2.num_polys;
    vars[0] = s1.num_vars, vars[1] = s2.num_vars;
    return CAIRN_OK;
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

zl_vtab_hook_fn zl_prove_vtab_hook;
void *zl_prove_vtab_hook_ctx;

/*
 * Test-only (zl_prove_vtab_hook): every value the stages read as a full
 * table (2^n entries each, the cells included), handed to the hook, then
 * *vt becomes a view of those tables, so every later stage reads what the
 * hook left.  *tab receives the tables (freed by the caller); *built
 * keeps the built vtab for the caller to clear.
 */
static cairn_status hook_values(zl_vtab *vt, zl_vtab *built, cairn_fp **tab, cairn_error *err)
{
    size_t n = vt->n;
    uint64_t rows = UINT64_C(1) << n;
    uint8_t need[ZLV_N];
    cairn_fp v[ZLV_N], *col[ZLV_N];
    zl_vtab_needed(need);
    if ((*tab = calloc((size_t)ZLV_N << n, sizeof **tab)) == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the value tables");
    for (uint64_t x = 0; x < rows; x++) {
        zl_vtab_row(v, vt, x);
        for (unsigned i = 0; i < ZLV_N; i++)
            if (i < ZL_NCELL)
                (*tab)[((size_t)i << n) + x] = vt->col[i][x];
            else if (need[i])
                (*tab)[((size_t)i << n) + x] = v[i];
    }
    for (unsigned i = 0; i < ZLV_N; i++)
        col[i] = i < ZL_NCELL || need[i] ? *tab + ((size_t)i << n) : NULL;
    zl_prove_vtab_hook(zl_prove_vtab_hook_ctx, col, n);
    *built = *vt;
    zl_vtab_view(vt, *tab, n);
    return CAIRN_OK;
}

/*
 * zl_prove (cells row-major, copied into columns), zl_prove_cols and
 * zl_prove_report (columns, borrowed), zl_prove_src (the row reads from
 * csrc, the sweeps from cells_in when given).  The phase-1 commitment and
 * the openings read the cells only through a row source: cells_in, or
 * the columns as one.
 */
static cairn_status prove(zl_proof *p, cairn_transcript *t, const zl_stmt *s, const cairn_fp *cells,
                          int cols, const zl_cells_src *csrc, const cairn_rows *cells_in,
                          unsigned threads, const zl_report *rep, cairn_error *err)
{
    size_t n = s->n;
    unsigned k = s->ram->k;
    size_t K = (size_t)1 << k;
    cairn_status st;
    cairn_fp *fv = NULL, *y2 = NULL, *hook_tab = NULL;
    zl_vtab vt, built; /* built: the prover's own, when a test hook made vt a view */
    cairn_fp2 rz[CAIRN_POLY_MAX_VARS], rg[CAIRN_POLY_MAX_VARS], rk[CAIRN_POLY_MAX_VARS],
        rs[CAIRN_POLY_MAX_VARS], *vz = NULL;
    zl_setup su;
    cairn_pcs_prover pr1, pr2;
    cairn_rows src, ccols, crows;
    cairn_pcs_stack_rows impl;
    cairn_pcs_stack_src simpl;
    zl_cols_rows cimpl;
    zl_rows_count ccount;
    zl_tables tb;
    zl_lk_state ls;
    zl_lk_result res;
    struct points q;
    uint8_t c1[CAIRN_PCS_COMMITMENT_BYTES], c2[CAIRN_PCS_COMMITMENT_BYTES];
    const cairn_fp *polys1[ZL_NCELL + 2], *polys2[4];
    memset(&impl, 0, sizeof impl);
    memset(&simpl, 0, sizeof simpl);
    memset(&tb, 0, sizeof tb);
    memset(&ls, 0, sizeof ls);
    memset(&vt, 0, sizeof vt);
    memset(&built, 0, sizeof built);
    cairn_pcs_prover_init(&pr1);
    cairn_pcs_prover_init(&pr2);
    pr1.threads = pr2.threads = threads ? threads : 1;
    zl_proof_clear(p);
    zl_proof_init(p);
    struct clock t0 = {zk_now_s(), rep, zk_cpu_now_s(), own_cpu_now_s(), NULL, 0, NULL, 0};
    tell(rep, ZL_ST_TABLES, 0);
    (void)zk_rss_peak_take(); /* the stages' peaks start here */
    /* the shape's parameters and bits (more than 2^ZL_MAX_VARS rows refused), before any 2^n */
    if ((st = stmt_limits(s, err)) != CAIRN_OK ||
        (st = zl_tables_init(&tb, s->bc, err)) != CAIRN_OK ||
        (st = zl_tables_rows(&tb, err)) != CAIRN_OK ||
        (st = zl_setup_init(&su, n, k, tb.kb, s->security, s->grind_mem, s->grind_lookup,
                            err)) != CAIRN_OK)
        goto out;
    /* the figure a proof states is never an overstatement */
    if (su.bits < (double)s->security) {
        st = cairn_error_set(err, CAIRN_ERR_LIMIT,
                             "lean proof: %.2f bits proven for 2^%zu rows (grinding %u and %u "
                             "bits), below the target %u: not reachable",
                             su.bits, n, su.grind_mem, su.grind_lookup, s->security);
        goto out;
    }
    p->p1 = su.p1, p->p2 = su.p2;
    p->security_bits = zl_bits_floor(su.bits);
    size_t KU = (size_t)1 << ZU_VARS, KB = (size_t)1 << tb.kb;
    zl_shape_of(&p->shape, s);
    fv = malloc(2 * K * sizeof *fv);
    y2 = malloc(2 * (KU + KB) * sizeof *y2);
    vz = malloc(ZLV_N * sizeof *vz);
    if (fv == NULL || y2 == NULL || vz == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for 2^%zu rows", n);
        goto out;
    }
    if (cells == NULL) { /* small space: no cell columns, every read from the sources */
        if (csrc == NULL || cells_in == NULL || zl_prove_vtab_hook != NULL) {
            st = cairn_error_set(err, CAIRN_ERR_ARG, "lean prover: no cells and no sources");
            goto out;
        }
        if ((st = zl_vtab_src(&vt, csrc, n, s->T, &tb, err)) != CAIRN_OK)
            goto out;
    } else {
        if (cols)
            zl_vtab_cols(&vt, cells, n, s->T, &tb);
        else if ((st = zl_vtab_build(&vt, cells, n, s->T, &tb, err)) != CAIRN_OK)
            goto out;
        if ((st = zl_vtab_attach(&vt, csrc, err)) != CAIRN_OK)
            goto out;
    }
    t0.vt = &vt;
    if (zl_prove_vtab_hook != NULL && (st = hook_values(&vt, &built, &hook_tab, err)) != CAIRN_OK)
        goto out;
    /* the cells as rows, for the stages that sweep them (the caller's source, or the columns) */
    zl_cols_rows_init(&ccols, &cimpl, vt.col, n);
    zl_rows_count_init(&crows, &ccount, cells_in != NULL ? cells_in : &ccols);
    t0.swept = &ccount;
    zl_mem_stmt ms = {s->ram, s->init_regs, {0}, {0}, s->output, s->output_len};
    cairn_pcs_stack *s1 = &su.s1, *s2 = &su.s2;
    zl_mem_finals(ms.fin_val, ms.fin_ts, fv, fv + K, &vt, n, s->init_regs, s->ram);
    memcpy(p->fin_val, ms.fin_val, sizeof p->fin_val);
    memcpy(p->fin_ts, ms.fin_ts, sizeof p->fin_ts);
    if ((st = zl_vtab_status(&vt, err)) != CAIRN_OK)
        goto out;
    lap(p, ZL_ST_TABLES, &t0);
    absorb_statement(t, s, &su);
    /* phase 1: the cells (group 0) streamed from their rows, the final RAM from memory */
    for (unsigned c = 0; c < ZL_NCELL; c++)
        polys1[c] = NULL;
    polys1[ZL_NCELL] = fv, polys1[ZL_NCELL + 1] = fv + K;
    if ((st = cairn_pcs_stack_src_init(&src, &simpl, s1, &p->p1, polys1, 0, &crows, err)) !=
            CAIRN_OK ||
        (st = cairn_pcs_commit(&pr1, &p->p1, &src, err)) != CAIRN_OK)
        goto out;
    cairn_pcs_stack_src_clear(&simpl);
    p->c1 = pr1.com;
    absorb_commitment(t, "lean/commit/phase1", &p->c1, c1);
    lap(p, ZL_ST_COMMIT1, &t0);
    /* the stages */
    if ((st = zl_zc_prove(&p->zc, rz, t, &vt, n, s->T, s->instructions, &s->ctx, threads, err)) != CAIRN_OK)
        goto out;
    zl_zc_values(vz, &p->zc); /* the next-row values the shift reduces are among them */
    if ((st = zl_vtab_status(&vt, err)) != CAIRN_OK)
        goto out;
    lap(p, ZL_ST_ZEROCHECK, &t0);
    if ((st = zl_mem_prove(&p->mem, rg, rk, t, &vt, n, &ms, fv, fv + K, su.grind_mem, threads,
                           err)) != CAIRN_OK)
        goto out;
    if ((st = zl_vtab_status(&vt, err)) != CAIRN_OK)
        goto out;
    lap(p, ZL_ST_MEMORY, &t0);
    if ((st = zl_shift_prove(&p->sh, rs, t, &vt, n, rz, vz, threads, err)) != CAIRN_OK)
        goto out;
    if ((st = zl_vtab_status(&vt, err)) != CAIRN_OK)
        goto out;
    lap(p, ZL_ST_SHIFT, &t0);
    uint16_t idx[ZLV_N];
    zl_lk_claims cl = {idx, p->zc.vals, zl_zc_used(idx), p->mem.vals, p->sh.vals};
    /* the lookups read the cells as rows (the counted source: lap charges them to the stage) */
    st = zl_lk_bind_prove(&ls, &p->lk, t, &tb, &crows, n, rz, rg, rs, &cl, su.grind_lookup,
                          su.grind_lookup, threads, err);
    if (st != CAIRN_OK)
        goto out;
    lap(p, ZL_ST_LOOKUP_BIND, &t0);
    /* phase 2: the pushforwards as base coordinates */
    for (size_t j = 0; j < KU; j++)
        y2[j] = ls.yu[j].c0, y2[KU + j] = ls.yu[j].c1;
    for (size_t j = 0; j < KB; j++)
        y2[2 * KU + j] = ls.yb[j].c0, y2[2 * KU + KB + j] = ls.yb[j].c1;
    polys2[0] = y2, polys2[1] = y2 + KU, polys2[2] = y2 + 2 * KU, polys2[3] = y2 + 2 * KU + KB;
    if ((st = cairn_pcs_stack_rows_init(&src, &impl, s2, &p->p2, polys2, err)) != CAIRN_OK ||
        (st = cairn_pcs_commit(&pr2, &p->p2, &src, err)) != CAIRN_OK)
        goto out;
    cairn_pcs_stack_rows_clear(&impl);
    p->c2 = pr2.com;
    absorb_commitment(t, "lean/commit/phase2", &p->c2, c2);
    lap(p, ZL_ST_COMMIT2, &t0);
    st = zl_lk_prove(&ls, &p->lk, &res, t, &crows, c2, sizeof c2, threads, err);
    if (st != CAIRN_OK)
        goto out;
    lap(p, ZL_ST_LOOKUP, &t0);
    /* the claim reductions and the openings */
    const cairn_fp2 *pts[5] = {rz, rg, rs, res.u.index_point, res.b.index_point};
    claim_points(&q, pts, rk, p, &res);
    p->ex1_len = zl_open_sent_len(q.p1, ZL_OPEN1_POINTS, s1);
    p->ex2_len = zl_open_sent_len(q.p2, ZL_OPEN2_POINTS, s2);
    p->at1_len = s1->num_polys;
    p->at2_len = s2->num_polys;
    p->ex1 = malloc(p->ex1_len * sizeof *p->ex1 + 1);
    p->ex2 = malloc(p->ex2_len * sizeof *p->ex2 + 1);
    p->at1 = malloc(p->at1_len * sizeof *p->at1);
    p->at2 = malloc(p->at2_len * sizeof *p->at2);
    if (p->ex1 == NULL || p->ex2 == NULL || p->at1 == NULL || p->at2 == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the openings");
        goto out;
    }
    zl_members m1 = {polys1, &crows, 0}, m2 = {polys2, NULL, 0};
    if ((st = zl_open_prove(&p->rd1, p->at1, &p->op1, p->ex1, t, &pr1, s1, &p->p1, &m1, q.p1,
                            ZL_OPEN1_POINTS, err)) ||
        (st = zl_open_prove(&p->rd2, p->at2, &p->op2, p->ex2, t, &pr2, s2, &p->p2, &m2, q.p2,
                            ZL_OPEN2_POINTS, err)))
        goto out;
    st = y_claims_hold(&q, &res, err);
    lap(p, ZL_ST_OPEN, &t0);
    if (st != CAIRN_OK) /* the prover's own pushforwards: never */
        st = cairn_error_set(err, CAIRN_ERR_INTERNAL, "lean prover: %s", err ? err->msg : "");
out:
    cairn_pcs_stack_rows_clear(&impl);
    cairn_pcs_stack_src_clear(&simpl);
    cairn_pcs_prover_clear(&pr1);
    cairn_pcs_prover_clear(&pr2);
    zl_lk_state_clear(&ls);
    zl_tables_clear(&tb);
    zl_vtab_clear(&vt);
    zl_vtab_clear(&built);
    free(hook_tab);
    free(fv);
    free(y2);
    free(vz);
    return st;
}

cairn_status zl_prove(zl_proof *p, cairn_transcript *t, const zl_stmt *s, const cairn_fp *cells,
                      unsigned threads, cairn_error *err)
{
    return prove(p, t, s, cells, 0, NULL, NULL, threads, NULL, err);
}

cairn_status zl_prove_cols(zl_proof *p, cairn_transcript *t, const zl_stmt *s,
                           const cairn_fp *cols, unsigned threads, cairn_error *err)
{
    return prove(p, t, s, cols, 1, NULL, NULL, threads, NULL, err);
}

cairn_status zl_prove_report(zl_proof *p, cairn_transcript *t, const zl_stmt *s,
                             const cairn_fp *cols, unsigned threads, const zl_report *rep,
                             cairn_error *err)
{
    return prove(p, t, s, cols, 1, NULL, NULL, threads, rep, err);
}

cairn_status zl_prove_src(zl_proof *p, cairn_transcript *t, const zl_stmt *s,
                          const cairn_fp *cols, const zl_cells_src *src, const cairn_rows *cells,
                          unsigned threads, const zl_report *rep, cairn_error *err)
{
    return prove(p, t, s, cols, 1, src, cells, threads, rep, err);
}

cairn_status zl_prove_small(zl_proof *p, cairn_transcript *t, const zl_stmt *s,
                            const zl_replay *rp, unsigned threads, const zl_report *rep,
                            cairn_error *err)
{
    zl_cells_src cs;
    cairn_rows rows;
    zl_replay_rows impl;
    zl_replay_cells_src(&cs, rp);
    zl_replay_rows_init(&rows, &impl, rp, threads);
    return prove(p, t, s, NULL, 1, &cs, &rows, threads, rep, err);
}

cairn_status zl_verify(cairn_transcript *t, const zl_stmt *s, const zl_proof *p,
                       cairn_error *err)
{
    size_t n = s->n;
    unsigned k = s->ram->k;
    cairn_status st;
    cairn_fp2 rz[CAIRN_POLY_MAX_VARS], rg[CAIRN_POLY_MAX_VARS], rk[CAIRN_POLY_MAX_VARS],
        rs[CAIRN_POLY_MAX_VARS], *vz = malloc(ZLV_N * sizeof *vz);
    zl_setup su;
    zl_tables tb;
    zl_lk_state ls;
    zl_lk_result res;
    struct points q;
    uint8_t c1[CAIRN_PCS_COMMITMENT_BYTES], c2[CAIRN_PCS_COMMITMENT_BYTES];
    memset(&tb, 0, sizeof tb);
    memset(&ls, 0, sizeof ls);
    if (vz == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory");
    /* the parameters and the proven bits are the verifier's own, from the sizes */
    if ((st = stmt_limits(s, err)) != CAIRN_OK ||
        (st = zl_tables_init(&tb, s->bc, err)) != CAIRN_OK ||
        (st = zl_setup_init(&su, n, k, tb.kb, s->security, s->grind_mem, s->grind_lookup,
                            err)) != CAIRN_OK)
        goto out;
    unsigned bits = zl_bits_floor(su.bits);
    /* the floor, and the statement's own target (which the prover also refuses to miss) */
    if (s->security < CAIRN_ZKVM_MIN_SECURITY_BITS || bits < CAIRN_ZKVM_MIN_SECURITY_BITS ||
        su.bits < (double)s->security) {
        st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                             "lean proof: %u bits proven (target %u, grinding %u and %u bits), "
                             "below the target or the floor of %u bits a verifier requires",
                             bits, s->security, su.grind_mem, su.grind_lookup,
                             CAIRN_ZKVM_MIN_SECURITY_BITS);
        goto out;
    }
    if (p->security_bits != bits) {
        st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                             "lean proof: it states %u bits, the statement's shape gives %u",
                             p->security_bits, bits);
        goto out;
    }
    const cairn_pcs_stack *s1 = &su.s1, *s2 = &su.s2;
    uint8_t e1[CAIRN_PCS_PARAMS_BYTES], e2[CAIRN_PCS_PARAMS_BYTES];
    uint8_t g1[CAIRN_PCS_PARAMS_BYTES], g2[CAIRN_PCS_PARAMS_BYTES];
    cairn_pcs_params_encode(e1, &su.p1);
    cairn_pcs_params_encode(e2, &su.p2);
    cairn_pcs_params_encode(g1, &p->c1.params);
    cairn_pcs_params_encode(g2, &p->c2.params);
    if (memcmp(e1, g1, sizeof e1) != 0 || memcmp(e2, g2, sizeof e2) != 0) {
        st = cairn_error_set(err, CAIRN_ERR_REJECTED, "lean proof: commitments with other parameters");
        goto out;
    }
    absorb_statement(t, s, &su);
    absorb_commitment(t, "lean/commit/phase1", &p->c1, c1);
    if ((st = zl_zc_verify(rz, vz, t, &p->zc, n, s->T, s->instructions, &s->ctx, err)) != CAIRN_OK)
        goto out;
    zl_mem_stmt ms = {s->ram, s->init_regs, {0}, {0}, s->output, s->output_len};
    memcpy(ms.fin_val, p->fin_val, sizeof ms.fin_val);
    memcpy(ms.fin_ts, p->fin_ts, sizeof ms.fin_ts);
    if ((st = zl_mem_verify(rg, rk, t, &p->mem, n, &ms, s->prog, su.grind_mem, err)) ||
        (st = zl_shift_verify(rs, t, &p->sh, n, rz, vz, err)))
        goto out;
    uint16_t idx[ZLV_N];
    zl_lk_claims cl = {idx, p->zc.vals, zl_zc_used(idx), p->mem.vals, p->sh.vals};
    if ((st = zl_lk_bind_verify(&ls, t, &p->lk, &tb, n, rz, rg, rs, &cl, su.grind_lookup,
                                su.grind_lookup, err)) != CAIRN_OK)
        goto out;
    absorb_commitment(t, "lean/commit/phase2", &p->c2, c2);
    if ((st = zl_lk_verify(&ls, &res, t, &p->lk, c2, sizeof c2, err)) != CAIRN_OK)
        goto out;
    const cairn_fp2 *pts[5] = {rz, rg, rs, res.u.index_point, res.b.index_point};
    claim_points(&q, pts, rk, p, &res);
    if ((st = zl_open_verify(&p->c1, t, s1, &p->rd1, p->at1, p->at1_len, &p->op1, p->ex1,
                             p->ex1_len, q.p1, ZL_OPEN1_POINTS, err)) ||
        (st = zl_open_verify(&p->c2, t, s2, &p->rd2, p->at2, p->at2_len, &p->op2, p->ex2,
                             p->ex2_len, q.p2, ZL_OPEN2_POINTS, err)))
        goto out;
    st = y_claims_hold(&q, &res, err);
out:
    zl_lk_state_clear(&ls);
    zl_tables_clear(&tb);
    free(vz);
    return st;
}
