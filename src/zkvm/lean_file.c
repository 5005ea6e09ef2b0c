/*
 * lean_file.c — proof format 5: the lean proof (lean_prove.c) in a
 * container (docs/proof-format.md, "Format 5"), and the two end-to-end
 * entry points on an ELF: zl_prove_elf runs and proves, zl_verify_elf
 * parses, checks the statement against the ELF and verifies.
 *
 * The container is the header and 64-byte statement block
 * (zk_header_encode / zk_header_decode in zkvm.c; version 5,
 * cycles = T), then le64 I (the instructions), le32 kb (the bytecode
 * table's variables, so that the body parses without the ELF), the
 * output, and the body (lean_codec.c).  The statement's proven bits are
 * the authoritative figure: the body states them too (its first part),
 * the parser requires both to agree and zl_verify recomputes them from
 * the shape.  The grinding bits are not stated: both sides choose them
 * from the target and the shape (ZL_GRIND_AUTO).
 *
 * The transcript (domain "cairn-v5/lean") absorbs the ELF's digest, then
 * zl_prove / zl_verify absorb the rest of the statement and the program
 * (bytecode, RAM image, initial registers) before any challenge.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/pool.h"
#include "cairn/sha256.h"
#include "zkvm_internal.h"

void zl_statement_init(zl_statement *s) { memset(s, 0, sizeof *s); }

void zl_statement_clear(zl_statement *s)
{
    if (s == NULL)
        return;
    free(s->output);
    zl_statement_init(s);
}

size_t zl_file_body_offset(const zl_statement *st)
{
    return ZK_HEADER_BYTES + ZK_STATEMENT_BYTES + ZL_FILE_EXTRA_BYTES + st->st.output_len;
}

cairn_status zl_file_encode(uint8_t **out, size_t *out_len, const zl_statement *st, unsigned kb,
                            const zl_proof *body, cairn_error *err)
{
    uint8_t *b = NULL, *whole;
    size_t len = 0;
    cairn_status s;
    *out = NULL;
    *out_len = 0;
    if (body->security_bits != st->st.security_bits)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "format 5 encode: the statement states %u bits, the body %u",
                               st->st.security_bits, body->security_bits);
    if ((s = zl_proof_encode(&b, &len, body, err)) != CAIRN_OK)
        return s;
    size_t at = zl_file_body_offset(st);
    if ((whole = malloc(at + len)) == NULL) {
        free(b);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory encoding the proof");
    }
    zk_header_encode(whole, ZL_FORMAT_VERSION, &st->st);
    uint8_t *p = whole + ZK_HEADER_BYTES + ZK_STATEMENT_BYTES;
    zk_put_le(p, st->instructions, 8);
    zk_put_le(p + 8, kb, 4);
    if (st->st.output_len > 0)
        memcpy(p + ZL_FILE_EXTRA_BYTES, st->output, st->st.output_len);
    memcpy(whole + at, b, len);
    free(b);
    *out = whole;
    *out_len = at + len;
    return CAIRN_OK;
}

/* The parse proper; the caller clears st and body on error. */
static cairn_status decode(zl_statement *st, unsigned *kb, zl_proof *body, const uint8_t *b,
                           size_t len, cairn_error *err)
{
    cairn_status s;
    cairn_zkvm_statement *c = &st->st;
    if ((s = zk_header_decode(c, b, len, ZL_FORMAT_VERSION, ZL_MAX_ROWS, err)) != CAIRN_OK)
        return s;
    size_t at = ZK_HEADER_BYTES + ZK_STATEMENT_BYTES;
    if (len - at < ZL_FILE_EXTRA_BYTES)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "proof truncated at offset %zu: the instruction count and the "
                               "table size need %u bytes, %zu left",
                               at, ZL_FILE_EXTRA_BYTES, len - at);
    st->instructions = zk_get_le(b + at, 8);
    uint64_t vars = zk_get_le(b + at + 8, 4);
    if (st->instructions < 1 || st->instructions > c->cycles)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "statement at offset %zu: %llu instructions for %llu trace rows", at,
                               (unsigned long long)st->instructions,
                               (unsigned long long)c->cycles);
    if (vars < 1 || vars > ZK_MAX_VARS)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "header at offset %zu: bytecode table variables %llu out of range",
                               at + 8, (unsigned long long)vars);
    *kb = (unsigned)vars;
    at += ZL_FILE_EXTRA_BYTES;
    if (len - at < c->output_len)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "proof truncated at offset %zu: public output needs %u bytes, %zu "
                               "left",
                               at, c->output_len, len - at);
    if (c->output_len > 0) {
        if ((st->output = malloc(c->output_len)) == NULL)
            return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory parsing the proof");
        memcpy(st->output, b + at, c->output_len);
        at += c->output_len;
    }
    zl_shape sh = {zk_vars_for(c->cycles), c->mem_log2_words, *kb};
    cairn_error inner;
    if ((s = zl_proof_decode(body, b + at, len - at, &sh, &inner)) != CAIRN_OK)
        return cairn_error_set(err, s, "proof body (at offset %zu): %s", at, inner.msg);
    if (body->security_bits != c->security_bits)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "proof body at offset %zu: it states %u proven bits, the "
                               "statement %u",
                               at, body->security_bits, c->security_bits);
    return CAIRN_OK;
}

cairn_status zl_file_decode(zl_statement *st, unsigned *kb, zl_proof *body, const uint8_t *b,
                            size_t len, cairn_error *err)
{
    zl_statement_init(st);
    zl_proof_init(body);
    *kb = 0;
    if (len > CAIRN_PROOF_MAX_BYTES)
        return cairn_error_set(err, CAIRN_ERR_LIMIT, "proof of %zu bytes exceeds the limit of %zu",
                               len, CAIRN_PROOF_MAX_BYTES);
    cairn_status s = decode(st, kb, body, b, len, err);
    if (s != CAIRN_OK) {
        zl_statement_clear(st);
        zl_proof_clear(body);
        zl_proof_init(body);
        *kb = 0;
    }
    return s;
}

/* *src to *dst (optional), src left empty. */
static void hand_over(zl_statement *dst, zl_statement *src)
{
    if (dst == NULL)
        return;
    *dst = *src;
    zl_statement_init(src);
}

/* The transcript of a format-5 proof, both sides: the domain, then the program's digest. */
static void transcript_start(cairn_transcript *t, const zl_statement *st)
{
    cairn_transcript_init(t, "cairn-v5/lean");
    cairn_transcript_absorb_bytes(t, "lean/program/digest", st->st.program_digest,
                                  CAIRN_SHA256_BYTES);
}

cairn_status zl_prove_run(uint8_t **proof, size_t *proof_len, zl_statement *st, const zl_run *r,
                          const uint8_t digest[CAIRN_SHA256_BYTES], unsigned security,
                          unsigned threads, zl_report *rep, cairn_error *err)
{
    zl_stmt zs;
    zl_proof p;
    zl_statement s;
    cairn_transcript t;
    cairn_status rc;
    *proof = NULL;
    *proof_len = 0;
    zl_statement_init(&s);
    zl_proof_init(&p);
    zl_run_stmt(&zs, r, security, ZL_GRIND_AUTO);
    memcpy(s.st.program_digest, digest, CAIRN_SHA256_BYTES);
    s.st.entry = r->prog.entry;
    s.st.mem_log2_words = r->ram.k;
    s.st.cycles = r->T;
    s.st.exit_code = r->exit_code;
    s.st.output_len = (uint32_t)r->output_len; /* at most CAIRN_ZKVM_MAX_OUTPUT once proven */
    s.st.security_target = security;
    s.instructions = r->instructions;
    transcript_start(&t, &s);
    rc = r->cells != NULL ? zl_prove_report(&p, &t, &zs, r->cells, threads ? threads : 1, rep, err)
                          : zl_prove_small(&p, &t, &zs, r->rp, threads ? threads : 1, rep, err);
    if (rep != NULL) {
        memcpy(rep->stage_s, p.stage_s, sizeof rep->stage_s);
        memcpy(rep->stage_rows, p.stage_rows, sizeof rep->stage_rows);
    }
    if (rc != CAIRN_OK)
        goto out;
    s.st.security_bits = p.security_bits;
    if (r->output_len > 0) {
        if ((s.output = malloc(r->output_len)) == NULL) {
            rc = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for the output");
            goto out;
        }
        memcpy(s.output, r->output, r->output_len);
    }
    if ((rc = zl_file_encode(proof, proof_len, &s, zl_bc_vars(&r->bc), &p, err)) != CAIRN_OK)
        goto out;
    hand_over(st, &s);
out:
    zl_statement_clear(&s);
    zl_proof_clear(&p);
    return rc;
}

cairn_status zl_prove_elf(uint8_t **proof, size_t *proof_len, zl_statement *st,
                          const uint8_t *elf, size_t elf_len, const uint8_t *input,
                          size_t input_len, unsigned security, unsigned threads,
                          uint64_t max_cycles, uint64_t max_memory, cairn_error *err)
{
    zl_run r;
    uint8_t digest[CAIRN_SHA256_BYTES];
    cairn_status rc;
    *proof = NULL;
    *proof_len = 0;
    if (security < 1 || security > CAIRN_PCS_MAX_TARGET_BITS - 8)
        return cairn_error_set(err, CAIRN_ERR_ARG, "security target %u out of range", security);
    zl_run_how how = {NULL, NULL, threads, NULL, max_memory, ZL_SPACE_LINEAR, 0};
    if ((rc = zl_run_make(&r, elf, elf_len, input, input_len,
                          max_cycles ? max_cycles : CAIRN_ZKVM_MAX_CYCLES, &how, err)) != CAIRN_OK)
        return rc;
    cairn_sha256(digest, elf, elf_len);
    rc = zl_prove_run(proof, proof_len, st, &r, digest, security, threads, NULL, err);
    zl_run_clear(&r);
    return rc;
}

cairn_status zl_verify_elf(zl_statement *st, const uint8_t *proof, size_t proof_len,
                           const uint8_t *elf, size_t elf_len, cairn_error *err)
{
    zl_statement s;
    zl_proof p;
    cairn_program prog;
    zk_bytecode bc;
    zk_ram ram;
    uint32_t init[32];
    unsigned kb;
    cairn_transcript t;
    cairn_status rc;
    cairn_program_init(&prog);
    zk_bytecode_init(&bc);
    zk_ram_init(&ram);
    if ((rc = zl_file_decode(&s, &kb, &p, proof, proof_len, err)) != CAIRN_OK)
        goto out;
    const cairn_zkvm_statement *c = &s.st;
    if ((rc = zk_statement_program(&prog, c, elf, elf_len, err)) != CAIRN_OK ||
        (rc = zk_bytecode_build_ext(&bc, &prog, ZK_EXT_M, err)) != CAIRN_OK)
        goto out;
    if (zl_bc_vars(&bc) != kb) {
        rc = cairn_error_set(err, CAIRN_ERR_REJECTED,
                             "statement: a bytecode table of 2^%u entries, the program's has 2^%u",
                             kb, zl_bc_vars(&bc));
        goto out;
    }
    cairn_error lay;
    if (zk_ram_load(&ram, &prog, c->mem_log2_words, &lay) != CAIRN_OK) {
        rc = cairn_error_set(err, CAIRN_ERR_REJECTED, "the program's RAM image: %s", lay.msg);
        goto out;
    }
    zk_init_regs(init, &prog, c->mem_log2_words);
    zl_stmt zs = {zk_vars_for(c->cycles),
                  c->cycles,
                  {c->entry, c->exit_code},
                  s.instructions,
                  s.output,
                  c->output_len,
                  &bc,
                  &ram,
                  &prog,
                  init,
                  c->security_target,
                  ZL_GRIND_AUTO,
                  ZL_GRIND_AUTO};
    transcript_start(&t, &s);
    cairn_error ve = {CAIRN_OK, ""};
    if ((rc = zl_verify(&t, &zs, &p, &ve)) != CAIRN_OK) {
        /*
         * What zl_verify refuses as an argument (grinding bits beyond the
         * transcript's limit for a target no proof reaches) or a limit is,
         * for a parsed statement, a claim that cannot hold.
         */
        if (rc == CAIRN_ERR_ARG || rc == CAIRN_ERR_LIMIT)
            rc = CAIRN_ERR_REJECTED;
        rc = cairn_error_set(err, rc, "%s", ve.msg);
        goto out;
    }
    hand_over(st, &s);
out:
    zl_statement_clear(&s);
    zl_proof_clear(&p);
    zk_ram_clear(&ram);
    zk_bytecode_clear(&bc);
    cairn_program_clear(&prog);
    return rc;
}

/* ---- the public entry points for format 5 (cairn/zkvm.h) ---------------------------------------- */

/*
 * The stats of a format-5 proof: the run's stages ("execute" only when
 * the guest was executed, not replayed), then the prover's
 * (zl_stage_names), each with its seconds, and the four figures they share
 * with format 4: witness (execute, the cells, the value tables), commit
 * (both commitments), sum-check (every sum-check and GKR stage), open (the
 * claim reductions and the openings).
 */
static void v5_stats(cairn_zkvm_stats *stats, const zl_run *r, int executed,
                     const zl_report *rep)
{
    const double *s = rep->stage_s, rows = (double)(UINT64_C(1) << r->n);
    stats->stages_len = 0;
    if (executed)
        stats->stages[stats->stages_len++] = (cairn_zkvm_stage){"execute", r->execute_s, 0};
    stats->stages[stats->stages_len++] = (cairn_zkvm_stage){"witness", r->witness_s, 0};
    stats->passes = 0;
    for (unsigned i = 0; i < ZL_NSTAGE; i++) {
        double ps = (double)rep->stage_rows[i] / rows;
        stats->stages[stats->stages_len++] = (cairn_zkvm_stage){zl_stage_names[i], s[i], ps};
        stats->passes += ps;
    }
    stats->small_space = r->small;
    if (r->small) {
        zl_replay_info info;
        zl_replay_get_info(&info, r->rp);
        stats->checkpoint_interval = info.interval;
        stats->checkpoints = info.count;
        stats->checkpoint_bytes = info.bytes;
        stats->regenerated_rows = info.regenerated;
        stats->replay_s = (double)info.replay_ns / 1e9;
    }
    stats->witness_s = r->execute_s + r->witness_s + s[ZL_ST_TABLES];
    stats->commit_s = s[ZL_ST_COMMIT1] + s[ZL_ST_COMMIT2];
    stats->sumcheck_s = s[ZL_ST_ZEROCHECK] + s[ZL_ST_MEMORY] + s[ZL_ST_SHIFT] +
                        s[ZL_ST_LOOKUP_BIND] + s[ZL_ST_LOOKUP];
    stats->open_s = s[ZL_ST_OPEN];
    stats->columns = ZL_NCELL;
    stats->rows = UINT64_C(1) << r->n;
    stats->cycles = r->instructions;
    stats->trace_rows = r->T;
}

static cairn_status prove_v5(uint8_t **proof, size_t *proof_len, cairn_zkvm_statement *st,
                             cairn_zkvm_stats *stats, const uint8_t *elf, size_t elf_len,
                             const cairn_checkpoints *cp, const uint8_t *input, size_t input_len,
                             const cairn_zkvm_options *opt, cairn_error *err)
{
    zl_statement s;
    zl_run r;
    zl_report rep;
    uint8_t digest[CAIRN_SHA256_BYTES];
    double t0 = zk_now_s(), c0 = zk_cpu_now_s();
    *proof = NULL;
    *proof_len = 0;
    if (opt->security_bits != CAIRN_ZKVM_MIN_SECURITY_BITS)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "the lean proof (format 5) proves %u bits only; %u needs a "
                               "degree-3 extension or repetition (docs/security.md §7)",
                               CAIRN_ZKVM_MIN_SECURITY_BITS, opt->security_bits);
    memset(&rep, 0, sizeof rep);
    rep.fn = opt->progress;
    rep.ctx = opt->progress_ctx;
    int space = opt->space == CAIRN_ZKVM_SPACE_LINEAR  ? ZL_SPACE_LINEAR
                : opt->space == CAIRN_ZKVM_SPACE_SMALL ? ZL_SPACE_SMALL
                : opt->memory_budget != 0 && cp == NULL ? ZL_SPACE_SMALL
                                                        : ZL_SPACE_AUTO;
    if (opt->space > CAIRN_ZKVM_SPACE_SMALL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "space %u: expected auto, linear or small",
                               opt->space);
    if ((opt->memory_budget != 0 || opt->checkpoint_interval != 0) &&
        (opt->space == CAIRN_ZKVM_SPACE_LINEAR || cp != NULL))
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "a memory budget or a checkpoint interval is small space's; %s is "
                               "proven in linear space",
                               cp != NULL ? "a checkpoint file's run" : "this proof");
    zl_run_how how = {NULL, cp, opt->threads, &rep,
                      opt->max_memory ? opt->max_memory : cairn_pool_memory_available(), space,
                      opt->checkpoint_interval};
    cairn_status rc = zl_run_make(&r, elf, elf_len, input, input_len,
                                  opt->max_cycles ? opt->max_cycles : CAIRN_ZKVM_MAX_CYCLES, &how,
                                  err);
    if (rc != CAIRN_OK)
        return rc;
    zl_statement_init(&s);
    cairn_sha256(digest, elf, elf_len);
    /* small space: the stages' tables sized from the budget (this thread's settings) */
    int keep_delay = zl_zc_delay;
    size_t keep_gkr = zl_gkr_budget;
    /* the budget: the one given, or in auto mode the memory that made linear space too big */
    uint64_t budget = opt->memory_budget;
    if (budget == 0 && r.small && space == ZL_SPACE_AUTO)
        budget = how.mem_limit;
    if (r.small && budget != 0) {
        zl_small_plan pl;
        if ((rc = zl_small_plan_make(&pl, &r, budget, opt->threads, err)) != CAIRN_OK)
            goto done;
        zl_zc_delay = pl.zc_delay;
        zl_gkr_budget = pl.gkr_budget;
    }
    rc = zl_prove_run(proof, proof_len, &s, &r, digest, opt->security_bits, opt->threads, &rep,
                      err);
    zl_zc_delay = keep_delay;
    zl_gkr_budget = keep_gkr;
done:
    if (rc == CAIRN_OK) {
        if (st != NULL)
            *st = s.st;
        if (stats != NULL) {
            memset(stats, 0, sizeof *stats);
            v5_stats(stats, &r, cp == NULL, &rep);
            stats->total_s = zk_now_s() - t0;
            stats->cpu_s = zk_cpu_now_s() - c0;
        }
    }
    zl_statement_clear(&s);
    zl_run_clear(&r);
    return rc;
}

/*
 * The run and the proof on the library's thread pool sized to
 * opt->threads (every pass of the run's fill, the replay and the prover's
 * stages runs there), the previous size restored afterwards.  The proof
 * bytes do not depend on the thread count.
 */
cairn_status zk_prove_v5(uint8_t **proof, size_t *proof_len, cairn_zkvm_statement *st,
                         cairn_zkvm_stats *stats, const uint8_t *elf, size_t elf_len,
                         const cairn_checkpoints *cp, const uint8_t *input, size_t input_len,
                         const cairn_zkvm_options *opt, cairn_error *err)
{
    unsigned keep = cairn_pool_threads(), want = opt->threads ? opt->threads : 1;
    (void)cairn_pool_set_threads(want < CAIRN_POOL_MAX_THREADS ? want : CAIRN_POOL_MAX_THREADS,
                                 NULL);
    cairn_status rc = prove_v5(proof, proof_len, st, stats, elf, elf_len, cp, input, input_len,
                               opt, err);
    (void)cairn_pool_set_threads(keep, NULL);
    return rc;
}

cairn_status zk_verify_v5(cairn_zkvm_statement *st, uint8_t **output, size_t *output_len,
                          const uint8_t *proof, size_t proof_len, const uint8_t *elf,
                          size_t elf_len, cairn_error *err)
{
    zl_statement s;
    zl_statement_init(&s);
    cairn_status rc = zl_verify_elf(&s, proof, proof_len, elf, elf_len, err);
    if (rc == CAIRN_OK) { /* only a verified statement and output are handed out */
        if (st != NULL)
            *st = s.st;
        if (output_len != NULL)
            *output_len = s.st.output_len;
        if (output != NULL) {
            *output = s.output; /* malloc'd, NULL when empty */
            s.output = NULL;
        }
    }
    zl_statement_clear(&s);
    return rc;
}

cairn_status cairn_proof_v5_describe(cairn_zkvm_statement *st, uint64_t *instructions,
                                     cairn_proof_part *parts, size_t *nparts, size_t max,
                                     const uint8_t *bytes, size_t len, cairn_error *err)
{
    zl_statement s;
    zl_proof p;
    unsigned kb;
    zl_part tmp[64];
    *nparts = 0;
    cairn_status rc = zl_file_decode(&s, &kb, &p, bytes, len, err);
    if (rc != CAIRN_OK)
        return rc;
    if (st != NULL)
        *st = s.st;
    if (instructions != NULL)
        *instructions = s.instructions;
    size_t at = zl_file_body_offset(&s), m = zl_proof_parts(tmp, sizeof tmp / sizeof tmp[0], &p);
    if (max > 0)
        parts[(*nparts)++] = (cairn_proof_part){"header, statement and output", 0, at};
    for (size_t i = 0; i < m && *nparts < max; i++)
        parts[(*nparts)++] = (cairn_proof_part){tmp[i].name, at + tmp[i].offset, tmp[i].len};
    zl_statement_clear(&s);
    zl_proof_clear(&p);
    return CAIRN_OK;
}
