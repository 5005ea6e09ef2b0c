/*
 * zkvm.c — the public entry points of cairn/zkvm.h and what every proof
 * shares around the lean prover (lean_file.c): the options, the dispatch of
 * cairn_zkvm_prove and cairn_zkvm_verify to format 5, the container's
 * header and statement block (docs/proof-format.md), the statement's checks
 * against the ELF, how a run the prover was given ended, the trace rows of
 * a run, and the closed forms of the public polynomials of the row index
 * (docs/arithmetization.md §4).
 *
 * Format 4 (the first prover) is no longer read or written: its header is
 * recognised only to say so (zk_header_decode).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cairn/witness.h"
#include "zkvm_internal.h"

/* The version of the retired first prover's proofs, named in the refusal. */
#define ZK_RETIRED_FORMAT 4u

/* ---- options --------------------------------------------------------------------------------- */

/* The defaults of cairn/zkvm.h: 100 bits, one thread, the default format (5). */
void cairn_zkvm_options_init(cairn_zkvm_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->security_bits = CAIRN_PCS_DEFAULT_TARGET_BITS;
    opt->threads = 1;
    opt->proof_format = 0;
}

/* Format 5 for proof_format 0 or 5, whatever the security target; 0 for anything else. */
unsigned cairn_zkvm_options_format(const cairn_zkvm_options *opt)
{
    if (opt == NULL || opt->proof_format == 0 || opt->proof_format == CAIRN_PROOF_FORMAT_LEAN)
        return CAIRN_PROOF_FORMAT_LEAN;
    return 0;
}

/*
 * The options a prover call may run with, checked before any work: a
 * format this cairn writes, and a target it reaches.  128 bits is
 * CAIRN_ERR_LIMIT (a target out of reach, as for a run too long for it):
 * the lean proof's LogUp and GKR terms live in F_p2, which keeps it below
 * 128 proven bits (docs/security.md §7).
 */
static cairn_status options_check(const cairn_zkvm_options *opt, cairn_error *err)
{
    if (cairn_zkvm_options_format(opt) == 0)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "proof format %u: this cairn writes format 5 only (format 4, the "
                               "first prover, is no longer supported)",
                               opt->proof_format);
    if (opt->security_bits == 128)
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "a 128-bit security target is not reachable for this proof yet: "
                               "the lean proof (format 5) proves %u bits; 128 needs a degree-3 "
                               "extension field or repetition (docs/security.md section 7)",
                               CAIRN_ZKVM_MIN_SECURITY_BITS);
    return CAIRN_OK;
}

/* ---- timers ---------------------------------------------------------------------------------- */

/* Seconds on the monotonic clock: the stages' timings. */
double zk_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double zk_cpu_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
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

/* ---- proving and verifying ------------------------------------------------------------------- */

/*
 * How a run ended, for the prover: a fault is the guest's error (ARG,
 * naming the cycle), a run still going after max steps a limit.
 */
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
 * What both prover entry points do first: no proof yet, the defaults for
 * NULL options (into *def), then options_check.
 */
static cairn_status prove_start(uint8_t **proof, size_t *proof_len,
                                const cairn_zkvm_options **opt, cairn_zkvm_options *def,
                                cairn_error *err)
{
    *proof = NULL;
    *proof_len = 0;
    if (*opt == NULL) {
        cairn_zkvm_options_init(def);
        *opt = def;
    }
    return options_check(*opt, err);
}

/* The options checked, then the lean prover on a fresh run (lean_file.c). */
cairn_status cairn_zkvm_prove(uint8_t **proof, size_t *proof_len, cairn_zkvm_statement *st,
                              cairn_zkvm_stats *stats, const uint8_t *elf, size_t elf_len,
                              const uint8_t *input, size_t input_len,
                              const cairn_zkvm_options *opt, cairn_error *err)
{
    cairn_zkvm_options def;
    cairn_status s;
    if ((s = prove_start(proof, proof_len, &opt, &def, err)) != CAIRN_OK)
        return s;
    return zk_prove_v5(proof, proof_len, st, stats, elf, elf_len, NULL, input, input_len, opt, err);
}

/*
 * The witness of a recorded run: the set must first be this program's and
 * this input's; the lean prover then reads it through zl_run_make's replay
 * path.
 */
cairn_status cairn_zkvm_prove_checkpoints(uint8_t **proof, size_t *proof_len,
                                          cairn_zkvm_statement *st, cairn_zkvm_stats *stats,
                                          const uint8_t *elf, size_t elf_len,
                                          const cairn_checkpoints *cp, const uint8_t *input,
                                          size_t input_len, const cairn_zkvm_options *opt,
                                          cairn_error *err)
{
    cairn_zkvm_options def;
    uint8_t digest[CAIRN_SHA256_BYTES];
    cairn_status s;
    if ((s = prove_start(proof, proof_len, &opt, &def, err)) != CAIRN_OK)
        return s;
    cairn_sha256(digest, elf, elf_len);
    if ((s = cairn_checkpoints_check(cp, digest, input, input_len, err)) != CAIRN_OK)
        return s;
    return zk_prove_v5(proof, proof_len, st, stats, elf, elf_len, cp, input, input_len, opt, err);
}

/* Format 5 is the only one read; any other version is refused by its header (zk_header_decode). */
cairn_status cairn_zkvm_verify_output(cairn_zkvm_statement *st, uint8_t **output,
                                      size_t *output_len, const uint8_t *proof, size_t proof_len,
                                      const uint8_t *elf, size_t elf_len, cairn_error *err)
{
    return zk_verify_v5(st, output, output_len, proof, proof_len, elf, elf_len, err);
}

/* cairn_zkvm_verify_output without the output. */
cairn_status cairn_zkvm_verify(cairn_zkvm_statement *st, const uint8_t *proof, size_t proof_len,
                               const uint8_t *elf, size_t elf_len, cairn_error *err)
{
    return cairn_zkvm_verify_output(st, NULL, NULL, proof, proof_len, elf, elf_len, err);
}

/* ---- the container's header and statement ---------------------------------------------------- */

/* The version field of cairn's magic, whatever it is; 0 without the magic. */
unsigned cairn_proof_format(const uint8_t *bytes, size_t len)
{
    if (bytes == NULL || len < ZK_HEADER_BYTES || memcmp(bytes, ZK_MAGIC, 8) != 0)
        return 0;
    return (unsigned)zk_get_le(bytes + 8, 4);
}

/* Magic, le32 version, then the 64-byte statement (docs/proof-format.md). */
void zk_header_encode(uint8_t out[ZK_HEADER_BYTES + ZK_STATEMENT_BYTES], uint32_t version,
                      const cairn_zkvm_statement *st)
{
    uint8_t *b = out;
    memcpy(b, ZK_MAGIC, 8);
    zk_put_le(b + 8, version, 4);
    b += ZK_HEADER_BYTES;
    memcpy(b, st->program_digest, CAIRN_SHA256_BYTES);
    b += CAIRN_SHA256_BYTES;
    zk_put_le(b, st->entry, 4);
    zk_put_le(b + 4, st->mem_log2_words, 4);
    zk_put_le(b + 8, st->cycles, 8);
    zk_put_le(b + 16, st->exit_code, 4);
    zk_put_le(b + 20, st->output_len, 4);
    zk_put_le(b + 24, st->security_target, 4);
    zk_put_le(b + 28, st->security_bits, 4);
}

/*
 * The header and the statement block, strictly: the magic, the version (a
 * format-4 file is named as such: its prover is gone), then the
 * statement's ranges.
 */
cairn_status zk_header_decode(cairn_zkvm_statement *s, const uint8_t *b, size_t len,
                              uint32_t version, uint64_t max_rows, cairn_error *err)
{
    if (len < ZK_HEADER_BYTES)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "proof truncated at offset 0: header needs %u bytes, %zu left",
                               ZK_HEADER_BYTES, len);
    if (memcmp(b, ZK_MAGIC, 8) != 0)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "not a cairn proof (bad magic at offset 0)");
    uint32_t v = (uint32_t)zk_get_le(b + 8, 4);
    if (v == ZK_RETIRED_FORMAT && v != version)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "format 4 proofs (the first prover) are no longer supported; "
                               "this cairn reads format %u",
                               version);
    if (v != version)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "proof format version %u is not supported (this cairn reads "
                               "version %u)",
                               v, version);
    if (len - ZK_HEADER_BYTES < ZK_STATEMENT_BYTES)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "proof truncated at offset %u: statement needs %u bytes, %zu left",
                               ZK_HEADER_BYTES, ZK_STATEMENT_BYTES, len - ZK_HEADER_BYTES);
    const uint8_t *p = b + ZK_HEADER_BYTES;
    memcpy(s->program_digest, p, CAIRN_SHA256_BYTES);
    p += CAIRN_SHA256_BYTES;
    s->entry = (uint32_t)zk_get_le(p, 4);
    s->mem_log2_words = (uint32_t)zk_get_le(p + 4, 4);
    s->cycles = zk_get_le(p + 8, 8);
    s->exit_code = (uint32_t)zk_get_le(p + 16, 4);
    s->output_len = (uint32_t)zk_get_le(p + 20, 4);
    s->security_target = (uint32_t)zk_get_le(p + 24, 4);
    s->security_bits = (uint32_t)zk_get_le(p + 28, 4);
    if (s->cycles == 0 || s->cycles >= max_rows)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "statement: cycle count %llu out of range",
                               (unsigned long long)s->cycles);
    if (s->output_len > CAIRN_ZKVM_MAX_OUTPUT)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "statement: output length %u beyond the limit of %u", s->output_len,
                               CAIRN_ZKVM_MAX_OUTPUT);
    if (s->security_target < 1 || s->security_target > CAIRN_PCS_MAX_TARGET_BITS - 8)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "statement: security target %u out of range",
                               s->security_target);
    if (s->mem_log2_words < 10 || s->mem_log2_words > ZK_MAX_VARS)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "statement: memory of 2^%u words out of range",
                               s->mem_log2_words);
    return CAIRN_OK;
}

/*
 * What the verifier checks of a statement against the ELF before the
 * proof: the digest, the entry point, the memory size the VM gives the
 * program (it fixes the initial sp, so it is never the prover's choice),
 * and a RAM region below 2^32.  The region must lie there because word
 * addresses are taken mod p, and the argument that an address outside
 * [0, K) has no tuple relies on every in-region word address being an
 * integer below 2^30; the VM's layout guarantees it, a verifier does not
 * assume it.
 */
cairn_status zk_statement_program(cairn_program *prog, const cairn_zkvm_statement *s,
                                  const uint8_t *elf, size_t elf_len, cairn_error *err)
{
    uint8_t digest[CAIRN_SHA256_BYTES];
    cairn_status st;
    cairn_sha256(digest, elf, elf_len);
    if (memcmp(digest, s->program_digest, CAIRN_SHA256_BYTES) != 0)
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "the proof is for another program (the ELF's SHA-256 differs)");
    if ((st = cairn_elf_load(prog, elf, elf_len, err)) != CAIRN_OK)
        return st;
    if (s->entry != prog->entry)
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "statement: the entry point is not the program's");
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
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "statement: the RAM region does not fit below 2^32");
    return CAIRN_OK;
}

/* ---- the trace rows of a run ----------------------------------------------------------------- */

/* The row counter's consumer: one row per cycle, plus 1 + count per read or write. */
static cairn_status count_consume(void *vctx, uint64_t first, const cairn_fp *rows, size_t count,
                                  cairn_error *err)
{
    uint64_t *T = vctx;
    (void)first;
    for (size_t i = 0; i < count; i++) {
        const cairn_fp *row = rows + i * CAIRN_WIT_WIDTH;
        uint64_t a7 = row[CAIRN_WIT_COL_RS1_VAL].v;
        *T += 1;
        if (row[CAIRN_WIT_COL_OP].v == CAIRN_WIT_OP_ECALL && (a7 == 63 || a7 == 64))
            *T += 1 + row[CAIRN_WIT_COL_RD_VAL].v;
        if (*T >= CAIRN_ZKVM_MAX_CYCLES)
            return cairn_error_set(err, CAIRN_ERR_LIMIT,
                                   "the run needs %llu rows or more (instructions plus one row "
                                   "per byte read or written)",
                                   (unsigned long long)CAIRN_ZKVM_MAX_CYCLES);
    }
    return CAIRN_OK;
}

/* One pass over the trace, counting its rows (count_consume). */
cairn_status zk_trace_rows(uint64_t *rows, const cairn_rows *trace, uint64_t cycles,
                           cairn_error *err)
{
    *rows = 0;
    if (cycles == 0 || trace->rows_len < cycles || trace->width != CAIRN_WIT_WIDTH)
        return cairn_error_set(err, CAIRN_ERR_ARG, "zk_trace_rows: bad trace shape");
    return cairn_rows_stream(trace, 0, cycles, count_consume, rows, err);
}

/* The same count from a finished run's counters, without its trace. */
uint64_t zk_vm_trace_rows(const cairn_vm *vm)
{
    return vm->cycles + vm->io_calls + vm->input_pos + vm->output_len + vm->diag_len;
}

/* The least n with 2^n > T: every run keeps one padding row at least. */
size_t zk_vars_for(uint64_t T)
{
    size_t n = 1;
    while ((UINT64_C(1) << n) <= T)
        n++;
    return n;
}

/* ---- closed forms of the row index's public polynomials -------------------------------------- */

/*
 * MLE of [x >= T]: scan from the most significant bit keeping E = the eq
 * weight of "x agrees with T so far"; where T has a 0, every x with a 1
 * there (and agreeing above) is larger, whatever its lower bits: add E r_i.
 */
cairn_fp2 zk_ge_eval(const cairn_fp2 *r, size_t n, uint64_t T)
{
    if (n < 64 && T >= (UINT64_C(1) << n))
        return cairn_fp2_zero();
    cairn_fp2 acc = cairn_fp2_zero(), E = cairn_fp2_one();
    for (size_t k = n; k-- > 0;) {
        if ((T >> k) & 1) {
            E = cairn_fp2_mul(E, r[k]);
        } else {
            acc = cairn_fp2_add(acc, cairn_fp2_mul(E, r[k]));
            E = cairn_fp2_mul(E, cairn_fp2_sub(cairn_fp2_one(), r[k]));
        }
    }
    return cairn_fp2_add(acc, E);
}

/* eq(r, bits of v): the product of r_i or 1 - r_i. */
cairn_fp2 zk_eq_const(const cairn_fp2 *r, size_t n, uint64_t v)
{
    cairn_fp2 acc = cairn_fp2_one();
    for (size_t i = 0; i < n; i++)
        acc = cairn_fp2_mul(acc, ((v >> i) & 1) ? r[i] : cairn_fp2_sub(cairn_fp2_one(), r[i]));
    return acc;
}

/* id(r) = sum_i 2^i r_i, by Horner from the top bit. */
cairn_fp2 zk_id_eval(const cairn_fp2 *r, size_t n)
{
    cairn_fp2 acc = cairn_fp2_zero();
    for (size_t i = n; i-- > 0;)
        acc = cairn_fp2_add(cairn_fp2_double(acc), r[i]);
    return acc;
}

/*
 * y = x + 1 flips the trailing ones of x and the zero above them: for the
 * carry position k, x_i = 1, y_i = 0 below k, x_k = 0, y_k = 1, and x, y
 * agree above.  Sum over k with suffix products of eq, O(n).
 */
cairn_fp2 zk_next_eval(const cairn_fp2 *r, const cairn_fp2 *y, size_t n)
{
    cairn_fp2 suffix[CAIRN_POLY_MAX_VARS + 1];
    const cairn_fp2 one = cairn_fp2_one();
    suffix[n] = one;
    for (size_t i = n; i-- > 0;) {
        cairn_fp2 ry = cairn_fp2_mul(r[i], y[i]);
        cairn_fp2 e = cairn_fp2_sub(cairn_fp2_add(one, cairn_fp2_double(ry)), cairn_fp2_add(r[i], y[i]));
        suffix[i] = cairn_fp2_mul(suffix[i + 1], e);
    }
    cairn_fp2 acc = cairn_fp2_zero(), prefix = one;
    for (size_t k = 0; k < n; k++) {
        cairn_fp2 term = cairn_fp2_mul(prefix, cairn_fp2_mul(cairn_fp2_sub(one, r[k]), y[k]));
        acc = cairn_fp2_add(acc, cairn_fp2_mul(term, suffix[k + 1]));
        prefix = cairn_fp2_mul(prefix, cairn_fp2_mul(r[k], cairn_fp2_sub(one, y[k])));
    }
    return acc;
}
