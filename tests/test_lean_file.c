/*
 * test_lean_file.c — proof format 5 end to end (src/zkvm/lean_file.c):
 * zl_prove_elf and zl_verify_elf on the hello guest, random programs and
 * a guest that ends with exit_group; the statement handed back against an
 * independent run of the VM; every statement field changed and
 * re-encoded, another ELF, truncations and flipped bytes over the
 * container (never accepted); the prover's refusals; the fuzz target
 * fuzz/fuzz_lean_file.c in process.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/pool.h"
#include "cairn/sha256.h"
#include "cairn/witness.h"
#include "cairn/zkvm.h"
#include "harness.h"
#include "zk_util.h"

int cairn_fuzz_lean_file(const uint8_t *data, size_t len);

/* What a run states, from the VM alone (not the lean code). */
struct expect {
    uint32_t exit_code, entry, k;
    uint64_t T, instructions;
    uint8_t *out;
    size_t out_len;
};

static int expect_run(struct expect *e, const uint8_t *elf, size_t len, const uint8_t *in,
                      size_t in_len)
{
    cairn_program prog;
    cairn_vm vm;
    cairn_vm_config cfg;
    struct vmt_result r;
    cairn_error err;
    memset(e, 0, sizeof *e);
    memset(&vm, 0, sizeof vm);
    memset(&r, 0, sizeof r);
    int ok = CHECK(cairn_elf_load(&prog, elf, len, &err) == CAIRN_OK);
    cairn_vm_config_init(&cfg);
    cfg.write = vmt_capture;
    cfg.write_ctx = &r;
    ok = ok && CHECK(cairn_vm_init(&vm, &prog, &cfg, &err) == CAIRN_OK);
    if (ok) {
        cairn_vm_set_input(&vm, in, in_len);
        ok = CHECK(cairn_vm_run(&vm, UINT64_C(1) << 22, &err) == CAIRN_OK) &&
             CHECK(vm.halt == CAIRN_VM_EXITED);
        e->exit_code = vm.exit_code;
        e->entry = prog.entry;
        e->k = vm.mem_log2_words;
        e->T = zk_vm_trace_rows(&vm);
        e->instructions = vm.cycles;
        e->out = r.out, e->out_len = r.out_len;
        r.out = NULL;
    }
    vmt_result_clear(&r);
    cairn_vm_clear(&vm);
    cairn_program_clear(&prog);
    return ok;
}

/* st states exactly the run e of elf at a 100-bit target. */
static void check_statement(const zl_statement *st, const struct expect *e, const uint8_t *elf,
                            size_t len)
{
    uint8_t d[CAIRN_SHA256_BYTES];
    cairn_sha256(d, elf, len);
    CHECK(memcmp(st->st.program_digest, d, sizeof d) == 0);
    CHECK_EQ_U64(st->st.entry, e->entry);
    CHECK_EQ_U64(st->st.mem_log2_words, e->k);
    CHECK_EQ_U64(st->st.cycles, e->T);
    CHECK_EQ_U64(st->instructions, e->instructions);
    CHECK_EQ_U64(st->st.exit_code, e->exit_code);
    CHECK_EQ_U64(st->st.output_len, e->out_len);
    CHECK(e->out_len == 0 || (st->output != NULL && memcmp(st->output, e->out, e->out_len) == 0));
    CHECK_EQ_U64(st->st.security_target, 100);
    CHECK(st->st.security_bits >= 100);
}

/* An honest format-5 proof of one program, with what it states. */
struct lf_fix {
    uint8_t *elf, *proof;
    size_t elf_len, len;
    struct expect e;
    zl_statement st;
};

static void fix_close(struct lf_fix *f)
{
    free(f->elf);
    free(f->proof);
    free(f->e.out);
    zl_statement_clear(&f->st);
    memset(f, 0, sizeof *f);
}

/* elf (taken over) proved on in; 0 after a failed check. */
static int fix_open_elf(struct lf_fix *f, uint8_t *elf, size_t len, const uint8_t *in,
                        size_t in_len)
{
    cairn_error err;
    memset(f, 0, sizeof *f);
    zl_statement_init(&f->st);
    f->elf = elf, f->elf_len = len;
    if (!CHECK(elf != NULL) || !expect_run(&f->e, elf, len, in, in_len))
        return 0;
    cairn_status st =
        zl_prove_elf(&f->proof, &f->len, &f->st, elf, len, in, in_len, 100, 2, 0, 0, &err);
    if (st != CAIRN_OK)
        return FAIL("zl_prove_elf: %s: %s", cairn_status_str(st), err.msg);
    check_statement(&f->st, &f->e, elf, len);
    return 1;
}

/* The hello guest (seed 0) or a random program with memory and I/O. */
static int fix_open(struct lf_fix *f, uint64_t seed)
{
    size_t len = 0;
    uint8_t *elf;
    if (seed != 0) {
        elf = zk_gen_elf(seed | 1, 120, &len);
        return fix_open_elf(f, elf, len, zk_test_input, ZK_TEST_INPUT_LEN);
    }
    char path[512];
    snprintf(path, sizeof path, "%s/rv32i/hello.elf", vmt_guest_dir());
    elf = vmt_read_file(path, &len);
    return fix_open_elf(f, elf, len, NULL, 0);
}

/* Verify b against f's ELF; the statement handed back is checked when accepted. */
static cairn_status fix_verify(const struct lf_fix *f, const uint8_t *b, size_t len,
                               cairn_error *err)
{
    zl_statement st;
    zl_statement_init(&st);
    cairn_status s = zl_verify_elf(&st, b, len, f->elf, f->elf_len, err);
    if (s == CAIRN_OK)
        check_statement(&st, &f->e, f->elf, f->elf_len);
    zl_statement_clear(&st);
    return s;
}

/*
 * Prove and verify end to end: the statement the verifier hands back is
 * the run's (exit code, output, T, I, entry, memory, digest) and the
 * prover's; the bytes decode and re-encode to themselves; a trailing byte
 * is a parse error.
 */
static void lean_file_round_trip(void)
{
    unsigned runs = test_iters >= 1000 ? 3 : 2;
    for (unsigned i = 0; i < runs; i++) {
        struct lf_fix f;
        cairn_error err;
        if (!fix_open(&f, i == 0 ? 0 : test_rand_u64())) {
            fix_close(&f);
            continue;
        }
        zl_statement st;
        zl_statement_init(&st);
        cairn_status s = zl_verify_elf(&st, f.proof, f.len, f.elf, f.elf_len, &err);
        if (s != CAIRN_OK)
            FAIL("verify: %s: %s", cairn_status_str(s), err.msg);
        else {
            check_statement(&st, &f.e, f.elf, f.elf_len);
            CHECK(memcmp(&st.st, &f.st.st, sizeof st.st) == 0);
        }
        zl_statement_clear(&st);
        CHECK_EQ_U64(zl_verify_elf(NULL, f.proof, f.len, f.elf, f.elf_len, &err), CAIRN_OK);
        /* decode and encode again: the same bytes; the body starts where the header says */
        unsigned kb;
        zl_proof body;
        if (CHECK(zl_file_decode(&st, &kb, &body, f.proof, f.len, &err) == CAIRN_OK)) {
            uint8_t *b2 = NULL;
            size_t len2 = 0;
            CHECK(zl_file_encode(&b2, &len2, &st, kb, &body, &err) == CAIRN_OK);
            CHECK(len2 == f.len && b2 != NULL && memcmp(b2, f.proof, f.len) == 0);
            CHECK_EQ_U64(zl_file_body_offset(&st) + zl_proof_size(&body, NULL), f.len);
            free(b2);
            /* a body whose figure differs from the statement's is not encoded */
            body.security_bits++;
            CHECK_EQ_U64(zl_file_encode(&b2, &len2, &st, kb, &body, &err), CAIRN_ERR_ARG);
            CHECK(b2 == NULL);
        }
        zl_statement_clear(&st);
        zl_proof_clear(&body);
        uint8_t *longer = malloc(f.len + 1);
        if (CHECK(longer != NULL)) {
            memcpy(longer, f.proof, f.len);
            longer[f.len] = 0;
            CHECK_EQ_U64(fix_verify(&f, longer, f.len + 1, &err), CAIRN_ERR_PARSE);
            CHECK(strstr(err.msg, "trailing") != NULL);
        }
        free(longer);
        fix_close(&f);
    }
}

/* The changes lean_file_statement_changed makes, each re-encoded. */
enum change {
    CH_DIGEST, CH_DIGEST_OF, CH_ENTRY, CH_MEM, CH_T_UP, CH_T_DOWN, CH_EXIT, CH_OUT_LONGER, CH_OUT_SHORTER,
    CH_OUT_BYTE, CH_TARGET_UP, CH_TARGET_LOW, CH_TARGET_MAX, CH_BITS, CH_I_UP, CH_I_DOWN, CH_KB, CH_N
};

/* Apply change c to (st, kb, body) (CH_DIGEST_OF: other's digest); 0 when it does not apply. */
static int apply(enum change c, zl_statement *st, unsigned *kb, zl_proof *body,
                 const uint8_t *other, size_t other_len)
{
    cairn_zkvm_statement *s = &st->st;
    switch (c) {
    case CH_DIGEST: s->program_digest[test_rand_below(CAIRN_SHA256_BYTES)] ^= 1; return 1;
    case CH_DIGEST_OF: cairn_sha256(s->program_digest, other, other_len); return 1;
    case CH_ENTRY: s->entry += 4; return 1;
    case CH_MEM: s->mem_log2_words++; return 1;
    case CH_T_UP: s->cycles++; return 1;
    case CH_T_DOWN: s->cycles--; return s->cycles >= st->instructions;
    case CH_EXIT: s->exit_code ^= 1u << test_rand_below(32); return 1;
    case CH_OUT_LONGER: {
        uint8_t *o = realloc(st->output, s->output_len + 1);
        if (o == NULL)
            return 0;
        o[s->output_len++] = 'x';
        st->output = o;
        return 1;
    }
    case CH_OUT_SHORTER: return s->output_len > 0 ? (s->output_len--, 1) : 0;
    case CH_OUT_BYTE:
        if (s->output_len == 0)
            return 0;
        st->output[test_rand_below(s->output_len)] ^= 0x20;
        return 1;
    case CH_TARGET_UP: s->security_target = 128; return 1;
    case CH_TARGET_LOW: s->security_target = 99; return 1;
    case CH_TARGET_MAX: s->security_target = CAIRN_PCS_MAX_TARGET_BITS - 8; return 1;
    case CH_BITS: s->security_bits++, body->security_bits++; return 1;
    case CH_I_UP: return ++st->instructions <= s->cycles;
    case CH_I_DOWN: st->instructions--; return 1;
    case CH_KB: (*kb)++; return 1;
    default: return 0;
    }
}

/*
 * f's proof decoded, changed by c (apply) and encoded again: malloc'd (*len
 * bytes), NULL when c does not apply (or a check failed).
 */
static uint8_t *changed(size_t *len, const struct lf_fix *f, enum change c, const uint8_t *other,
                        size_t other_len)
{
    zl_statement st;
    zl_proof body;
    unsigned kb;
    cairn_error err;
    uint8_t *b = NULL;
    *len = 0;
    if (CHECK(zl_file_decode(&st, &kb, &body, f->proof, f->len, &err) == CAIRN_OK) &&
        apply(c, &st, &kb, &body, other, other_len))
        CHECK(zl_file_encode(&b, len, &st, kb, &body, &err) == CAIRN_OK);
    zl_statement_clear(&st);
    zl_proof_clear(&body);
    return b;
}

/*
 * Every field of the statement changed, the proof re-encoded around the
 * honest body: a parse error or a rejection, never accepted.  The fields
 * that only the verifier's recomputation can catch must be rejected (not
 * merely unparsable).
 */
static void lean_file_statement_changed(void)
{
    static const char *const names[CH_N] = {
        "digest", "digest of another ELF", "entry", "memory size", "T + 1", "T - 1", "exit code", "output longer",
        "output shorter", "output byte", "target 128", "target 99", "target 248", "proven bits",
        "I + 1", "I - 1", "kb + 1"};
    for (unsigned i = 0; i < 2; i++) {
        struct lf_fix f;
        if (!fix_open(&f, i == 0 ? 0 : test_rand_u64())) {
            fix_close(&f);
            continue;
        }
        for (unsigned c = 0; c < CH_N; c++) {
            cairn_error err;
            size_t len;
            uint8_t *b = c == CH_DIGEST_OF ? NULL : changed(&len, &f, (enum change)c, NULL, 0);
            if (b == NULL)
                continue;
            cairn_status s = fix_verify(&f, b, len, &err);
            int may_parse = c == CH_MEM || c == CH_T_UP || c == CH_T_DOWN ||
                            c == CH_OUT_SHORTER || c == CH_KB;
            if (s == CAIRN_OK)
                FAIL("SOUNDNESS: %s changed: accepted", names[c]);
            else if (s != CAIRN_ERR_REJECTED && !(may_parse && s == CAIRN_ERR_PARSE))
                FAIL("%s changed: %s (%s)", names[c], cairn_status_str(s), err.msg);
            else
                test_pass();
            if (c == CH_DIGEST)
                CHECK(strstr(err.msg, "another program") != NULL);
            free(b);
        }
        fix_close(&f);
    }
}

/*
 * Another ELF: the proof is rejected, and so is the proof with its digest
 * (re-encoded) set to the other ELF's.
 */
static void lean_file_other_elf(void)
{
    struct lf_fix f;
    size_t len, blen;
    cairn_error err;
    uint8_t *other = zk_gen_elf(test_rand_u64() | 1, 60, &len), *b = NULL;
    if (fix_open(&f, 0) && CHECK(other != NULL)) {
        CHECK_EQ_U64(zl_verify_elf(NULL, f.proof, f.len, other, len, &err), CAIRN_ERR_REJECTED);
        CHECK(strstr(err.msg, "another program") != NULL);
        if ((b = changed(&blen, &f, CH_DIGEST_OF, other, len)) != NULL)
            CHECK_EQ_U64(zl_verify_elf(NULL, b, blen, other, len, &err), CAIRN_ERR_REJECTED);
        /* a truncated ELF: its digest differs before it is parsed */
        CHECK_EQ_U64(zl_verify_elf(NULL, f.proof, f.len, other, 10, &err), CAIRN_ERR_REJECTED);
    }
    free(b);
    free(other);
    fix_close(&f);
}

/*
 * Truncations (every length through the header, statement, output and the
 * body's first parts; a sample of the rest) are parse errors naming an
 * offset; a byte flipped anywhere in the container (and the body's first
 * bytes) is a parse error or a rejection, never accepted.
 */
static void lean_file_truncated_and_flipped(void)
{
    struct lf_fix f;
    if (!fix_open(&f, test_rand_u64())) {
        fix_close(&f);
        return;
    }
    size_t head = zl_file_body_offset(&f.st) + 160, bad = 0;
    size_t sample = test_iters >= 1000 ? 400 : 60;
    for (size_t t = 0; t < head + sample; t++) {
        size_t len = t < head ? t : (size_t)test_rand_below(f.len);
        cairn_error err;
        cairn_status s = fix_verify(&f, f.proof, len, &err);
        if ((s != CAIRN_ERR_PARSE || strstr(err.msg, "offset") == NULL) && bad++ < 5)
            FAIL("truncated at %zu of %zu: %s (%s)", len, f.len, cairn_status_str(s), err.msg);
    }
    CHECK(bad == 0);
    size_t parsed = 0, rejected = 0;
    unsigned per = test_iters >= 1000 ? 3 : 1;
    for (size_t off = 0; off < head; off++)
        for (unsigned k = 0; k < per; k++) {
            uint8_t x = (uint8_t)(k == 0 ? 1u << test_rand_below(8) : 1 + test_rand_below(255));
            cairn_error err;
            f.proof[off] ^= x;
            cairn_status s = fix_verify(&f, f.proof, f.len, &err);
            f.proof[off] ^= x;
            if (s == CAIRN_ERR_PARSE)
                parsed++;
            else if (s == CAIRN_ERR_REJECTED)
                rejected++;
            else
                FAIL("byte %zu ^ 0x%02x: %s%s", off, x,
                     s == CAIRN_OK ? "SOUNDNESS: accepted" : cairn_status_str(s),
                     s == CAIRN_OK ? "" : err.msg);
        }
    CHECK(parsed > 0 && rejected > 0);
    cairn_error err;
    CHECK_EQ_U64(fix_verify(&f, f.proof, f.len, &err), CAIRN_OK); /* restored */
    fix_close(&f);
}

/*
 * exit_group (a7 = 94) ends a run as exit does (src/vm/syscall.c), and
 * the lean row proves it: the U table's exit kind takes a7 = 93 and 94.
 * A guest that writes to fd 1 then calls exit_group is proved and
 * verified; its exit code changed is rejected.
 */
static void lean_file_exit_group(void)
{
    static const char msg[] = "bye\n";
    struct rvprog p;
    rvp_init(&p);
    uint32_t at = rvp_data(&p, msg, sizeof msg - 1);
    rvp_li(&p, 11, at);
    rvp_emit(&p, RV_ADDI(10, 0, 1));
    rvp_emit(&p, RV_ADDI(12, 0, (int32_t)(sizeof msg - 1)));
    rvp_emit(&p, RV_ADDI(17, 0, 64));
    rvp_emit(&p, RV_ECALL);
    rvp_emit(&p, RV_ADDI(10, 0, 42));
    rvp_emit(&p, RV_ADDI(17, 0, 94));
    rvp_emit(&p, RV_ECALL);
    size_t len;
    uint8_t *elf = rvp_elf(&p, &len);
    rvp_clear(&p);
    struct lf_fix f;
    cairn_error err;
    if (fix_open_elf(&f, elf, len, NULL, 0)) {
        CHECK_EQ_U64(f.st.st.exit_code, 42);
        CHECK(f.st.st.output_len == sizeof msg - 1 &&
              memcmp(f.st.output, msg, sizeof msg - 1) == 0);
        CHECK_EQ_U64(fix_verify(&f, f.proof, f.len, &err), CAIRN_OK);
        size_t blen;
        uint8_t *b = changed(&blen, &f, CH_EXIT, NULL, 0);
        if (CHECK(b != NULL))
            CHECK_EQ_U64(fix_verify(&f, b, blen, &err), CAIRN_ERR_REJECTED);
        free(b);
    }
    fix_close(&f);
}

/*
 * The memory size is pinned to the VM's default layout: a truthful run of
 * a program that exits with its sp (a0 = sp >> 16) under a larger stack
 * reserve (so a larger region, another initial sp and exit code) proves
 * and encodes, but the verifier refuses its memory size; the same program
 * under the default layout is accepted.
 */
static void lean_file_memory_size_pinned(void)
{
    struct rvprog p;
    rvp_init(&p);
    rvp_emit(&p, RV_ADDI(10, 2, 0));           /* mv a0, sp */
    rvp_emit(&p, rv_i(16, 10, 5, 10, 0x13));   /* srli a0, a0, 16 */
    rvp_emit(&p, RV_ADDI(17, 0, 93));          /* exit(a0) */
    rvp_emit(&p, RV_ECALL);
    size_t len;
    uint8_t *elf = rvp_elf(&p, &len), *proof = NULL;
    rvp_clear(&p);
    zl_run r;
    cairn_error err;
    cairn_vm_config cfg;
    cairn_vm_config_init(&cfg);
    cfg.stack_size = UINT32_C(1) << 20;
    uint8_t d[CAIRN_SHA256_BYTES];
    size_t plen = 0;
    uint32_t big_k = 0;
    struct lf_fix f;
    if (CHECK(elf != NULL) &&
        CHECK(zl_run_init_cfg(&r, elf, len, NULL, 0, 1000, &cfg, &err) == CAIRN_OK)) {
        cairn_sha256(d, elf, len);
        zl_statement st;
        if (CHECK(zl_prove_run(&proof, &plen, &st, &r, d, 100, 2, NULL, &err) == CAIRN_OK)) {
            CHECK_EQ_U64(st.st.exit_code, r.init[2] >> 16);
            big_k = st.st.mem_log2_words;
            CHECK_EQ_U64(zl_verify_elf(NULL, proof, plen, elf, len, &err), CAIRN_ERR_REJECTED);
            CHECK(strstr(err.msg, "memory of 2^") != NULL);
            zl_statement_clear(&st);
        }
        zl_run_clear(&r);
    }
    free(proof);
    if (fix_open_elf(&f, elf, len, NULL, 0)) { /* takes elf over */
        CHECK_EQ_U64(fix_verify(&f, f.proof, f.len, &err), CAIRN_OK);
        CHECK(f.st.st.mem_log2_words < big_k);
    }
    fix_close(&f);
}

/* A program of the given words (exit appended when `ex`), proved: the status and message. */
static cairn_status prove_words(const uint32_t *w, size_t n, int ex, uint64_t max,
                                unsigned security, cairn_error *err)
{
    struct rvprog p;
    rvp_init(&p);
    for (size_t i = 0; i < n; i++)
        rvp_emit(&p, w[i]);
    if (ex)
        rvp_exit(&p, 0);
    size_t len;
    uint8_t *elf = rvp_elf(&p, &len), *proof = NULL;
    size_t plen = 0;
    rvp_clear(&p);
    cairn_status s = elf == NULL ? CAIRN_ERR_NOMEM
                                 : zl_prove_elf(&proof, &plen, NULL, elf, len, NULL, 0, security,
                                                1, max, 0, err);
    CHECK(s != CAIRN_OK || proof != NULL);
    CHECK(s == CAIRN_OK || (proof == NULL && plen == 0));
    free(proof);
    free(elf);
    return s;
}

/*
 * What the prover refuses, as cairn_zkvm_prove does: a fault (ARG), a run
 * that does not exit within max_cycles (LIMIT), an instruction or system
 * call the lean row cannot prove (ARG naming the cycle and the pc), a bad
 * security target (ARG), a malformed ELF (PARSE); and that every M
 * instruction proves.
 */
static void lean_file_refusals(void)
{
    cairn_error err;
    uint32_t fault[] = {RV_ADDI(5, 0, 1), RV_EBREAK};
    CHECK_EQ_U64(prove_words(fault, 2, 0, 0, 100, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "faulted") != NULL);
    uint32_t loop[] = {RV_ADDI(5, 5, 1), rv_j(-4, 0)};
    CHECK_EQ_U64(prove_words(loop, 2, 0, 1000, 100, &err), CAIRN_ERR_LIMIT);
    CHECK(strstr(err.msg, "1000") != NULL);
    /* every M instruction proves (format 4 refuses them: zkvm/unsupported_programs_are_errors) */
    for (uint32_t f3 = 0; f3 < 8; f3++) {
        uint32_t m[] = {RV_ADDI(5, 0, 3), rv_r(1, 5, 5, f3, 6, 0x33)};
        CHECK_EQ_U64(prove_words(m, 2, 1, 0, 100, &err), CAIRN_OK);
    }
    /* a system call the VM does not know faults */
    uint32_t sys[] = {RV_ADDI(17, 0, 95), RV_ECALL};
    CHECK_EQ_U64(prove_words(sys, 2, 1, 0, 100, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "faulted") != NULL);
    uint32_t ok[] = {RV_ADDI(5, 0, 1)};
    CHECK_EQ_U64(prove_words(ok, 1, 1, 0, 0, &err), CAIRN_ERR_ARG);
    CHECK_EQ_U64(prove_words(ok, 1, 1, 0, CAIRN_PCS_MAX_TARGET_BITS, &err), CAIRN_ERR_ARG);
    uint8_t junk[16] = {0x7f, 'E', 'L', 'F'}, *proof = NULL;
    size_t plen;
    CHECK_EQ_U64(zl_prove_elf(&proof, &plen, NULL, junk, sizeof junk, NULL, 0, 100, 1, 0, 0, &err),
                 CAIRN_ERR_PARSE);
}

/*
 * The memory check after execution: a limit one byte below the estimate
 * refuses the run (LIMIT, naming the instructions, the rows and both
 * figures, no proof), the estimate itself is enough; through the public
 * API with max_memory the same in linear space, while the default (auto)
 * proves in small space then, and gives the linear proof's bytes.  The machine's available memory is read
 * (positive on Linux, at most MemTotal) and the estimate grows with n and k.
 */
static void lean_file_memory_limit(void)
{
    size_t elf_len = 0;
    char path[512];
    snprintf(path, sizeof path, "%s/rv32i/hello.elf", vmt_guest_dir());
    uint8_t *elf = vmt_read_file(path, &elf_len), *proof = NULL;
    size_t plen = 0;
    cairn_error err;
    zl_statement zs;
    if (!CHECK(elf != NULL))
        return;
    /* hello: 37 trace rows, 2^6 padded, a RAM of 2^15 words */
    uint64_t need = zl_prove_memory(6, 15);
    zl_statement_init(&zs);
    CHECK_EQ_U64(zl_prove_elf(&proof, &plen, &zs, elf, elf_len, NULL, 0, 100, 1, 0, need - 1, &err),
                 CAIRN_ERR_LIMIT);
    CHECK(proof == NULL && plen == 0);
    CHECK(strstr(err.msg, "11 instructions") != NULL && strstr(err.msg, "37 trace rows") != NULL &&
          strstr(err.msg, "2^6") != NULL && strstr(err.msg, "MiB") != NULL);
    CHECK_OK(zl_prove_elf(&proof, &plen, &zs, elf, elf_len, NULL, 0, 100, 1, 0, need, &err));
    CHECK_EQ_U64(zs.st.mem_log2_words, 15);
    zl_statement_clear(&zs);
    free(proof);
    proof = NULL;
    cairn_zkvm_options opt;
    cairn_zkvm_options_init(&opt);
    opt.proof_format = 5;
    opt.max_memory = need - 1;
    opt.space = CAIRN_ZKVM_SPACE_LINEAR;
    CHECK_EQ_U64(cairn_zkvm_prove(&proof, &plen, NULL, NULL, elf, elf_len, NULL, 0, &opt, &err),
                 CAIRN_ERR_LIMIT);
    CHECK(proof == NULL);
    /* the default (auto): the same limit proves in small space, the same bytes as linear space */
    uint8_t *lin = NULL, *small = NULL;
    size_t lin_len = 0, small_len = 0;
    cairn_zkvm_stats st;
    opt.max_memory = 0;
    CHECK_OK(cairn_zkvm_prove(&lin, &lin_len, NULL, &st, elf, elf_len, NULL, 0, &opt, &err));
    CHECK(!st.small_space && st.passes >= 10);
    opt.space = CAIRN_ZKVM_SPACE_AUTO;
    opt.max_memory = need - 1;
    CHECK_OK(cairn_zkvm_prove(&small, &small_len, NULL, &st, elf, elf_len, NULL, 0, &opt, &err));
    CHECK(st.small_space && st.checkpoints >= 1 && st.checkpoint_interval == zl_interval_for(6) &&
          st.checkpoint_bytes > 0 && st.passes >= 10);
    if (CHECK(lin != NULL && small != NULL && lin_len == small_len))
        CHECK_MEM_EQ(small, lin, lin_len);
    free(lin);
    free(small);
    free(elf);
    CHECK(zl_prove_memory(7, 15) > need && zl_prove_memory(6, 16) > need);
    CHECK(zl_prove_memory(30, 30) > zl_prove_memory(29, 30));
    uint64_t avail = cairn_pool_memory_available(), total_kb = 0;
    FILE *f = fopen("/proc/meminfo", "r");
    if (f != NULL) {
        if (fscanf(f, "MemTotal: %" SCNu64, &total_kb) != 1)
            total_kb = 0;
        fclose(f);
    }
    if (total_kb > 0)
        CHECK(avail > 0 && avail <= total_kb * 1024);
}

/* The fuzz target in process (ASan runs it too): raw containers and edits of the honest one. */
static void lean_file_fuzz(void)
{
    uint8_t buf[48];
    unsigned rounds = test_iters >= 1000 ? 120 : 30;
    for (unsigned i = 0; i < rounds; i++) {
        size_t len = 2 + (size_t)test_rand_below(sizeof buf - 2);
        test_rand_bytes(buf, len);
        if (i % 4 != 0)
            buf[0] |= 1; /* mostly edits of the honest proof */
        if (cairn_fuzz_lean_file(buf, len) != 0)
            FAIL("fuzz target reported a violation on round %u", i);
    }
    uint8_t honest = 1; /* no edits: the honest proof, accepted */
    CHECK(cairn_fuzz_lean_file(&honest, 1) == 0);
    CHECK(cairn_fuzz_lean_file(NULL, 0) == 0);
}

/*
 * The public API: cairn_zkvm_prove writes format 5 (the same bytes as
 * zl_prove_elf), refuses 128 bits as out of reach (LIMIT) and format 4 or
 * any other as not written (ARG); cairn_zkvm_verify_output hands back
 * the verified statement and output, a changed byte is not accepted, and
 * cairn_proof_v5_describe parses it; a format-4 file is refused by name.
 */
static void lean_file_public_api(void)
{
    size_t elf_len = 0;
    char path[512];
    snprintf(path, sizeof path, "%s/rv32i/hello.elf", vmt_guest_dir());
    uint8_t *elf = vmt_read_file(path, &elf_len), *proof = NULL, *direct = NULL, *out = NULL;
    size_t proof_len = 0, direct_len = 0, out_len = 0;
    cairn_zkvm_options opt;
    cairn_zkvm_statement st, vs;
    cairn_zkvm_stats stats;
    cairn_error err;
    if (!CHECK(elf != NULL))
        return;
    /* the default and the only format: 5; 128 bits is a target out of reach (LIMIT), 4 is gone */
    cairn_zkvm_options_init(&opt);
    CHECK_EQ_U64(opt.proof_format, 0);
    CHECK_EQ_U64(cairn_zkvm_options_format(&opt), 5);
    CHECK_EQ_U64(cairn_zkvm_options_format(NULL), 5);
    opt.security_bits = 128;
    CHECK_EQ_U64(cairn_zkvm_options_format(&opt), 5);
    for (unsigned f = 0; f <= 5; f += 5) {
        opt.proof_format = f;
        CHECK_EQ_U64(cairn_zkvm_prove(&proof, &proof_len, NULL, NULL, elf, elf_len, NULL, 0, &opt,
                                      &err),
                     CAIRN_ERR_LIMIT);
        CHECK(proof == NULL && strstr(err.msg, "not reachable") != NULL);
    }
    opt.security_bits = 100;
    opt.proof_format = 4;
    CHECK_EQ_U64(cairn_zkvm_options_format(&opt), 0);
    CHECK_EQ_U64(cairn_zkvm_prove(&proof, &proof_len, NULL, NULL, elf, elf_len, NULL, 0, &opt,
                                  &err),
                 CAIRN_ERR_ARG);
    CHECK(proof == NULL && strstr(err.msg, "format 4") != NULL);
    opt.proof_format = 7;
    CHECK_EQ_U64(cairn_zkvm_options_format(&opt), 0);
    cairn_zkvm_options_init(&opt);
    opt.threads = 2;
    if (cairn_zkvm_prove(&proof, &proof_len, &st, &stats, elf, elf_len, NULL, 0, &opt, &err) !=
        CAIRN_OK) {
        FAIL("prove: %s", err.msg);
        goto out;
    }
    CHECK_EQ_U64(cairn_proof_format(proof, proof_len), 5);
    CHECK_EQ_U64(stats.columns, ZL_NCELL);
    CHECK(stats.cycles == 11 && stats.trace_rows == st.cycles);
    zl_statement zs;
    zl_statement_init(&zs);
    if (zl_prove_elf(&direct, &direct_len, &zs, elf, elf_len, NULL, 0, 100, 1, 0, 0, &err) == CAIRN_OK &&
        CHECK(direct_len == proof_len))
        CHECK_MEM_EQ(direct, proof, proof_len);
    zl_statement_clear(&zs);
    if (cairn_zkvm_verify_output(&vs, &out, &out_len, proof, proof_len, elf, elf_len, &err) !=
        CAIRN_OK) {
        FAIL("verify: %s", err.msg);
    } else {
        CHECK(vs.exit_code == 7 && vs.cycles == st.cycles && out_len == 25 && out != NULL &&
              memcmp(out, "hello from a cairn guest\n", 25) == 0);
    }
    cairn_proof_part parts[40];
    size_t np = 0;
    uint64_t ins = 0;
    CHECK_OK(cairn_proof_v5_describe(&vs, &ins, parts, &np, 40, proof, proof_len, &err));
    CHECK(ins == 11 && np > 10 && parts[0].offset == 0);
    for (unsigned k = 0; k < 8; k++) { /* a byte of the body changed: never accepted */
        size_t at = parts[0].len + (size_t)test_rand_below(proof_len - parts[0].len);
        proof[at] ^= (uint8_t)(1u << (k % 8));
        cairn_status s = cairn_zkvm_verify(NULL, proof, proof_len, elf, elf_len, &err);
        CHECK(s == CAIRN_ERR_REJECTED || s == CAIRN_ERR_PARSE);
        proof[at] ^= (uint8_t)(1u << (k % 8));
    }
    free(direct);
    direct = NULL;
    opt.proof_format = 6;
    CHECK_EQ_U64(cairn_zkvm_prove(&direct, &direct_len, NULL, NULL, elf, elf_len, NULL, 0, &opt,
                                  &err),
                 CAIRN_ERR_ARG);
    CHECK_EQ_U64(cairn_proof_format(elf, elf_len), 0);
    /* a format-4 file (the retired first prover's): refused by number, by name, as malformed */
    proof[8] = 4;
    CHECK_EQ_U64(cairn_proof_format(proof, proof_len), 4);
    CHECK_STATUS(cairn_zkvm_verify(NULL, proof, proof_len, elf, elf_len, &err), CAIRN_ERR_PARSE);
    CHECK(strstr(err.msg, "format 4 proofs (the first prover) are no longer supported; this "
                          "cairn reads format 5") != NULL);
    size_t np4 = 0;
    CHECK_STATUS(cairn_proof_v5_describe(NULL, NULL, parts, &np4, 40, proof, proof_len, &err),
                 CAIRN_ERR_PARSE);
    CHECK(strstr(err.msg, "no longer supported") != NULL);
    proof[8] = 5;
out:
    free(out);
    free(proof);
    free(direct);
    free(elf);
}

/* Record elf's run on in with a checkpoint every `interval` cycles (NULL after a failed check). */
static cairn_checkpoints *record(const uint8_t *elf, size_t len, const uint8_t *in, size_t in_len,
                                 uint64_t interval, cairn_program *prog)
{
    cairn_vm vm;
    cairn_vm_config cfg;
    cairn_checkpoints *cp = NULL;
    uint8_t d[CAIRN_SHA256_BYTES];
    cairn_error err;
    cairn_sha256(d, elf, len);
    cairn_vm_config_init(&cfg);
    if (!CHECK(cairn_elf_load(prog, elf, len, &err) == CAIRN_OK) ||
        !CHECK(cairn_vm_init(&vm, prog, &cfg, &err) == CAIRN_OK))
        return NULL;
    cairn_vm_set_input(&vm, in, in_len);
    if (cairn_checkpoints_record(&cp, &vm, d, interval, UINT64_C(1) << 20, &err) != CAIRN_OK)
        FAIL("record: %s", err.msg);
    cairn_vm_clear(&vm);
    return cp;
}

/*
 * cairn_zkvm_prove_checkpoints reads the witness from a checkpoint set
 * and gives the very bytes of a fresh run's proof, in format 5 for any
 * interval and any number of replay threads (the hello guest and random
 * programs with reads and writes, so the output comes from replayed
 * rows); the stats list no "execute" stage; a set of another input is
 * refused, so is a run above a memory limit (linear space, even in the
 * default auto mode) and a memory budget (small space's).
 */
static void lean_file_from_checkpoints(void)
{
    for (uint64_t seed = 0; seed < 2; seed++) {
        size_t len = 0, in_len = 0, fresh_len = 0, got_len = 0;
        const uint8_t *in = NULL;
        uint8_t *elf, *fresh = NULL, *got = NULL;
        char path[512];
        if (seed == 0) {
            snprintf(path, sizeof path, "%s/rv32i/hello.elf", vmt_guest_dir());
            elf = vmt_read_file(path, &len);
        } else {
            elf = zk_gen_elf(test_rand_u64() | 1, 120, &len);
            in = zk_test_input, in_len = ZK_TEST_INPUT_LEN;
        }
        cairn_program prog;
        cairn_program_init(&prog);
        cairn_zkvm_options opt;
        cairn_zkvm_statement a, b;
        cairn_error err;
        cairn_checkpoints *cp = NULL;
        if (!CHECK(elf != NULL))
            goto next;
        cp = record(elf, len, in, in_len, 1 + test_rand_below(40), &prog);
        if (cp == NULL)
            goto next;
        CHECK_OK(cairn_checkpoints_verify(cp, &prog, in, in_len, 2, &err));
        {
            const unsigned format = CAIRN_PROOF_FORMAT_LEAN;
            cairn_zkvm_options_init(&opt);
            opt.proof_format = format;
            opt.threads = 2;
            if (cairn_zkvm_prove(&fresh, &fresh_len, &a, NULL, elf, len, in, in_len, &opt, &err) !=
                CAIRN_OK) {
                FAIL("seed %llu, format %u: prove: %s", (unsigned long long)seed, format, err.msg);
                goto next;
            }
            for (unsigned threads = 1; threads <= 3; threads += 2) {
                opt.threads = threads;
                cairn_zkvm_stats stats;
                if (cairn_zkvm_prove_checkpoints(&got, &got_len, &b, &stats, elf, len, cp, in,
                                                 in_len, &opt, &err) != CAIRN_OK) {
                    FAIL("seed %llu, format %u: from checkpoints: %s", (unsigned long long)seed,
                         format, err.msg);
                } else if (CHECK(got_len == fresh_len)) {
                    CHECK_MEM_EQ(got, fresh, got_len);
                    CHECK(memcmp(&a, &b, sizeof a) == 0);
                    /* nothing executed: the stages start with the witness */
                    CHECK(stats.stages_len > 0 && strcmp(stats.stages[0].name, "witness") == 0);
                }
                free(got);
                got = NULL;
            }
            free(fresh);
            fresh = NULL;
        }
        /* a checkpoint file's run is linear: a memory limit below its estimate refuses it
           (the default, auto, included), and small space's options are refused with it */
        opt.threads = 1;
        opt.max_memory = zl_prove_memory(zk_vars_for(a.cycles), a.mem_log2_words) - 1;
        CHECK_STATUS(cairn_zkvm_prove_checkpoints(&got, &got_len, NULL, NULL, elf, len, cp, in,
                                                  in_len, &opt, &err),
                     CAIRN_ERR_LIMIT);
        CHECK(got == NULL);
        opt.max_memory = 0;
        opt.memory_budget = UINT64_C(1) << 30;
        CHECK_STATUS(cairn_zkvm_prove_checkpoints(&got, &got_len, NULL, NULL, elf, len, cp, in,
                                                  in_len, &opt, &err),
                     CAIRN_ERR_ARG);
        opt.memory_budget = 0;
        uint8_t other[1] = {0x5a};
        opt.proof_format = 5;
        CHECK_STATUS(cairn_zkvm_prove_checkpoints(&got, &got_len, NULL, NULL, elf, len, cp, other,
                                                  sizeof other, &opt, &err),
                     CAIRN_ERR_REJECTED);
        CHECK(got == NULL);
    next:
        free(got);
        free(fresh);
        cairn_checkpoints_free(cp);
        cairn_program_clear(&prog);
        free(elf);
    }
}

/* The progress events of one proof, as the callback saw them. */
struct events {
    const char *stage[64];
    double done[64];
    size_t len;
};

static void record_event(void *ctx, const char *stage, double done)
{
    struct events *e = ctx;
    if (e->len < 64)
        e->stage[e->len] = stage, e->done[e->len] = done;
    e->len++;
}

/*
 * Format 5 reports progress and timings: every stage
 * starts (0) and ends (1) in order, "execute" and "witness" first, then
 * the lean prover's stages; the stats list the same stages with their
 * seconds, and the four summary timings add up to at most the total.
 */
static void lean_file_progress_and_stats(void)
{
    static const char *const want[] = {"execute", "witness", "tables", "commit 1",
                                       "zero-check", "memory", "shift", "lookup bind",
                                       "commit 2", "lookups", "openings"};
    const size_t nwant = sizeof want / sizeof want[0];
    size_t elf_len = 0, proof_len = 0;
    char path[512];
    snprintf(path, sizeof path, "%s/rv32i/hello.elf", vmt_guest_dir());
    uint8_t *elf = vmt_read_file(path, &elf_len), *proof = NULL;
    cairn_zkvm_options opt;
    cairn_zkvm_stats stats;
    struct events ev;
    cairn_error err;
    if (!CHECK(elf != NULL))
        return;
    memset(&ev, 0, sizeof ev);
    cairn_zkvm_options_init(&opt);
    opt.proof_format = 5;
    opt.progress = record_event;
    opt.progress_ctx = &ev;
    if (cairn_zkvm_prove(&proof, &proof_len, NULL, &stats, elf, elf_len, NULL, 0, &opt, &err) !=
        CAIRN_OK) {
        FAIL("prove: %s", err.msg);
        goto out;
    }
    if (CHECK(ev.len == 2 * nwant))
        for (size_t i = 0; i < nwant; i++)
            if (!CHECK(strcmp(ev.stage[2 * i], want[i]) == 0 &&
                       strcmp(ev.stage[2 * i + 1], want[i]) == 0 && ev.done[2 * i] == 0 &&
                       ev.done[2 * i + 1] == 1))
                FAIL("event %zu: %s %.0f, %s %.0f; expected %s", 2 * i, ev.stage[2 * i],
                     ev.done[2 * i], ev.stage[2 * i + 1], ev.done[2 * i + 1], want[i]);
    double sum = 0;
    if (CHECK(stats.stages_len == nwant))
        for (size_t i = 0; i < nwant; i++) {
            CHECK(strcmp(stats.stages[i].name, want[i]) == 0);
            CHECK(stats.stages[i].s >= 0);
            sum += stats.stages[i].s;
        }
    CHECK(stats.witness_s > 0 && stats.commit_s > 0 && stats.sumcheck_s > 0 && stats.open_s > 0);
    CHECK(stats.witness_s + stats.commit_s + stats.sumcheck_s + stats.open_s <= stats.total_s);
    CHECK(sum <= stats.total_s);
out:
    free(proof);
    free(elf);
}

const struct test_case test_lean_file_cases[] = {
    TEST(lean_file_round_trip),
    TEST(lean_file_statement_changed),
    TEST(lean_file_other_elf),
    TEST(lean_file_truncated_and_flipped),
    TEST(lean_file_exit_group),
    TEST(lean_file_memory_size_pinned),
    TEST(lean_file_refusals),
    TEST(lean_file_fuzz),
    TEST(lean_file_public_api),
    TEST(lean_file_memory_limit),
    TEST(lean_file_progress_and_stats),
    TEST(lean_file_from_checkpoints),
    TEST_END,
};
