/*
 * bench_zkvm.c — the proof system on two SDK guests built for rv32i: loop
 * (an ALU and memory loop; input: the iteration count) and sha256 (SHA-256
 * of its input, read through read(0) and printed as hex), each sized to
 * just below 2^16, 2^18 and 2^20 trace rows (--quick: 2^15 only; the
 * guests' start-up and printf alone take 7 000 to 11 000 cycles).  Prints
 * the proving time and cycles per second, the prover's phases, peak RSS,
 * proof size and verification time.  Two prover threads (the benchmark
 * machine has two cores) unless --threads says otherwise.  Needs `make guests` (build/guests/rv32i).
 *
 * Trace rows are instructions plus, for each read or write, a setup row
 * and one row per byte moved; the sizes are found by bisection on a plain
 * VM run, counting those rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/vm.h"
#include "cairn/zkvm.h"
#include "util.h"

/*
 * The guest's input for parameter v: loop's u32 count, or 64 v pseudo-random
 * bytes for sha256 (whole blocks: the cycle count is monotonic in v).
 */
static uint8_t *make_input(int sha, uint32_t v, size_t *len)
{
    uint64_t s = 0x5eed;
    *len = sha ? 64 * (size_t)v : 4;
    uint8_t *b = malloc(*len ? *len : 1);
    if (b == NULL)
        return NULL;
    for (size_t i = 0; i < *len; i++)
        b[i] = sha ? (uint8_t)bench_rand_u64(&s) : (uint8_t)(v >> (8 * i));
    return b;
}

/*
 * Trace rows of a run, from a plain VM run: cycles plus the bytes moved
 * plus one setup row per read or write (bounded here by one per 64 bytes
 * read and a handful for the output, as the SDK's buffered I/O does;
 * the margin below keeps the estimate's error inside the same power of 2).
 */
static uint64_t rows_of(const cairn_program *prog, const uint8_t *in, size_t in_len)
{
    cairn_vm vm;
    cairn_error err;
    uint64_t rows = 0;
    if (cairn_vm_init(&vm, prog, NULL, &err) != CAIRN_OK)
        return UINT64_MAX;
    cairn_vm_set_input(&vm, in, in_len);
    if (cairn_vm_run(&vm, UINT64_C(1) << 30, &err) == CAIRN_OK && vm.halt == CAIRN_VM_EXITED)
        rows = vm.cycles + vm.input_pos + vm.output_len + vm.diag_len + vm.input_pos / 64 + 16;
    else
        rows = UINT64_MAX;
    cairn_vm_clear(&vm);
    return rows;
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    bench_parse(&o, argc, argv,
                "Prove and verify the loop and sha256 guests at 2^16, 2^18, 2^20 trace rows.");
    static const unsigned full[] = {16, 18, 20}, quick[] = {15};
    static const char *const guests[2] = {"loop", "sha256"};
    const unsigned *logs = o.quick ? quick : full;
    size_t nlogs = o.quick ? 1 : 3;
    printf("%-14s %9s %9s %9s %11s %7s %7s %7s %7s %9s %10s %9s %5s\n", "case", "cycles", "rows",
           "prove_s", "cycles/s", "wit_s", "comm_s", "sc_s", "open_s", "verify_ms", "proof_B",
           "peak_MiB", "bits");
    for (unsigned gi = 0; gi < 2; gi++) {
        char path[64];
        snprintf(path, sizeof path, "build/guests/rv32i/%s.elf", guests[gi]);
        size_t elf_len;
        uint8_t *elf = bench_read_file(path, &elf_len);
        cairn_program prog;
        cairn_error err;
        if (elf == NULL || cairn_elf_load(&prog, elf, elf_len, &err) != CAIRN_OK) {
            fprintf(stderr, "bench_zkvm: %s: missing or bad (run `make guests`)\n", path);
            return 1;
        }
        for (size_t i = 0; i < nlogs; i++) {
            char name[32];
            snprintf(name, sizeof name, "%s_2^%u", guests[gi], logs[i]);
            if (!bench_selected(&o, name))
                continue;
            /* the largest parameter whose rows stay below 2^k minus a margin */
            uint64_t target = (UINT64_C(1) << logs[i]) - 512;
            uint32_t lo = 0, hi = 1u << logs[i];
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo + 1) / 2;
                size_t in_len;
                uint8_t *in = make_input(gi == 1, mid, &in_len);
                uint64_t r = in != NULL ? rows_of(&prog, in, in_len) : UINT64_MAX;
                free(in);
                if (r <= target)
                    lo = mid;
                else
                    hi = mid - 1;
            }
            size_t in_len;
            uint8_t *in = make_input(gi == 1, lo, &in_len);
            double prove[16], verify[16];
            int reps = o.reps > 16 ? 16 : o.reps;
            cairn_zkvm_stats stats;
            cairn_zkvm_statement st;
            size_t plen = 0;
            for (int r = 0; r < reps; r++) {
                cairn_zkvm_options opt;
                cairn_zkvm_options_init(&opt);
                opt.proof_format = 4; /* the first prover; bench_lean measures format 5 */
                opt.threads = o.threads > 0 ? o.threads : 2;
                uint8_t *proof = NULL;
                double t0 = bench_now();
                if (cairn_zkvm_prove(&proof, &plen, &st, &stats, elf, elf_len, in, in_len, &opt,
                                     &err)) {
                    fprintf(stderr, "bench_zkvm: %s: %s\n", name, err.msg);
                    return 1;
                }
                prove[r] = bench_now() - t0;
                t0 = bench_now();
                if (cairn_zkvm_verify(NULL, proof, plen, elf, elf_len, &err) != CAIRN_OK) {
                    fprintf(stderr, "bench_zkvm: %s: verify: %s\n", name, err.msg);
                    return 1;
                }
                verify[r] = bench_now() - t0;
                free(proof);
            }
            free(in);
            double pm = bench_median(prove, reps), vm = bench_median(verify, reps);
            printf("%-14s %9llu %9llu %9.2f %11.0f %7.2f %7.2f %7.2f %7.2f %9.1f %10zu %9.0f %5u\n",
                   name, (unsigned long long)stats.cycles, (unsigned long long)st.cycles, pm,
                   (double)stats.cycles / pm, stats.witness_s, stats.commit_s, stats.sumcheck_s,
                   stats.open_s, vm * 1e3, plen, bench_peak_rss_mib(), st.security_bits);
            fflush(stdout);
        }
        cairn_program_clear(&prog);
        free(elf);
    }
    return 0;
}
