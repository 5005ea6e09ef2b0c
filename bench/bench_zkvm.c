/*
 * bench_zkvm.c — the proof system on a register-only loop (the provable set's
 * instruction set) at about 2^16, 2^18 and 2^20 cycles (--quick: 2^12,
 * 2^14): proving time and cycles per second, the prover's phases, peak RSS,
 * proof size and verification time.  Two prover threads (the benchmark
 * machine has two cores).  The ELF is built in memory: a five-instruction
 * loop body (add, slli, xor, addi, bne) iterated to fill the cycle count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/zkvm.h"
#include "util.h"

static void put32(uint8_t *b, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

/* li t0, iters; t1 = 1; loop { t2 += t1; t3 = t2 << 3; t1 ^= t3; t0--; bnez t0 }; exit(t2 & 255) */
static size_t make_elf(uint8_t *b, uint32_t iters)
{
    uint32_t lo = iters & 0xfff, hi = iters - (uint32_t)((int32_t)(lo << 20) >> 20);
    const uint32_t code[] = {
        (hi & 0xfffff000u) | (5u << 7) | 0x37,                       /* lui t0, hi */
        ((lo & 0xfffu) << 20) | (5u << 15) | (5u << 7) | 0x13,       /* addi t0, t0, lo */
        (1u << 20) | (6u << 7) | 0x13,                               /* addi t1, x0, 1 */
        (6u << 20) | (7u << 15) | (7u << 7) | 0x33,                  /* add t2, t2, t1 */
        (3u << 20) | (7u << 15) | (1u << 12) | (28u << 7) | 0x13,    /* slli t3, t2, 3 */
        (28u << 20) | (6u << 15) | (4u << 12) | (6u << 7) | 0x33,    /* xor t1, t1, t3 */
        (0xfffu << 20) | (5u << 15) | (5u << 7) | 0x13,              /* addi t0, t0, -1 */
        0xfe0298e3u,                                                 /* bne t0, x0, -16 */
        (0xffu << 20) | (7u << 15) | (7u << 12) | (10u << 7) | 0x13, /* andi a0, t2, 255 */
        (93u << 20) | (17u << 7) | 0x13,                             /* addi a7, x0, 93 */
        0x00000073u,                                                 /* ecall */
    };
    size_t n = sizeof code / sizeof code[0];
    memset(b, 0, 0x1000 + 4 * n);
    memcpy(b, "\x7f" "ELF", 4);
    b[4] = 1, b[5] = 1, b[6] = 1, b[16] = 2, b[18] = 243;
    put32(b + 20, 1);
    put32(b + 24, 0x10000);
    put32(b + 28, 52);
    b[40] = 52, b[42] = 32, b[44] = 1, b[46] = 40;
    uint8_t *ph = b + 52;
    put32(ph, 1);
    put32(ph + 4, 0x1000);
    put32(ph + 8, 0x10000);
    put32(ph + 12, 0x10000);
    put32(ph + 16, (uint32_t)(4 * n));
    put32(ph + 20, (uint32_t)(4 * n));
    put32(ph + 24, 5);
    put32(ph + 28, 0x1000);
    for (size_t i = 0; i < n; i++)
        put32(b + 0x1000 + 4 * i, code[i]);
    return 0x1000 + 4 * n;
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    bench_parse(&o, argc, argv, "Prove and verify a register-only loop at 2^16, 2^18, 2^20 cycles.");
    static const unsigned full[] = {16, 18, 20}, quick[] = {12, 14};
    const unsigned *logs = o.quick ? quick : full;
    size_t nlogs = o.quick ? 2 : 3;
    uint8_t elf[0x1000 + 64];
    printf("%-12s %9s %9s %11s %7s %7s %7s %7s %9s %10s %9s %5s\n", "case", "cycles", "prove_s",
           "cycles/s", "wit_s", "comm_s", "sc_s", "open_s", "verify_ms", "proof_B", "peak_MiB",
           "bits");
    for (size_t i = 0; i < nlogs; i++) {
        char name[32];
        snprintf(name, sizeof name, "loop_2^%u", logs[i]);
        if (!bench_selected(&o, name))
            continue;
        uint32_t iters = (uint32_t)(((UINT64_C(1) << logs[i]) - 12) / 5);
        size_t elf_len = make_elf(elf, iters);
        double prove[16], verify[16];
        int reps = o.reps > 16 ? 16 : o.reps;
        cairn_zkvm_stats stats;
        cairn_zkvm_statement st;
        size_t plen = 0;
        for (int r = 0; r < reps; r++) {
            cairn_zkvm_options opt;
            cairn_zkvm_options_init(&opt);
            opt.threads = 2;
            uint8_t *proof = NULL;
            cairn_error err;
            double t0 = bench_now();
            if (cairn_zkvm_prove(&proof, &plen, &st, &stats, elf, elf_len, NULL, 0, &opt, &err)) {
                fprintf(stderr, "bench_zkvm: %s\n", err.msg);
                return 1;
            }
            prove[r] = bench_now() - t0;
            t0 = bench_now();
            if (cairn_zkvm_verify(NULL, proof, plen, elf, elf_len, &err) != CAIRN_OK) {
                fprintf(stderr, "bench_zkvm: verify: %s\n", err.msg);
                return 1;
            }
            verify[r] = bench_now() - t0;
            free(proof);
        }
        double pm = bench_median(prove, reps), vm = bench_median(verify, reps);
        printf("%-12s %9llu %9.2f %11.0f %7.2f %7.2f %7.2f %7.2f %9.1f %10zu %9.0f %5u\n", name,
               (unsigned long long)st.cycles, pm, (double)st.cycles / pm, stats.witness_s,
               stats.commit_s, stats.sumcheck_s, stats.open_s, vm * 1e3, plen, bench_peak_rss_mib(),
               st.security_bits);
        fflush(stdout);
    }
    return 0;
}
