/*
 * bench_witness.c — the cost of the execution witness (DESIGN.md §3):
 *   - plain execution (cairn_vm_run) against one witness pass (every row
 *     regenerated from checkpoints and handed to a consumer that reads it),
 *     and the cost of recording checkpoints (`cairn run --checkpoints`);
 *   - full regenerations with M = 1 and 2 worker threads; 40 of them
 *     relative to one plain execution, and the 16-thread figure projected
 *     from the per-thread rate;
 *   - checkpoint file size and page-delta memory against C, and the replay
 *     oracle's peak buffer memory against T (it must not grow with T);
 * on the loop and sha256 guests (rv32im) at about 2^20 and 2^24 cycles
 * (--quick: 2^20 only).  Needs `make guests`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/sha256.h"
#include "cairn/witness.h"
#include "util.h"


static void die(const char *what, const cairn_error *err)
{
    fprintf(stderr, "bench_witness: %s: %s\n", what, err != NULL ? err->msg : "");
    exit(1);
}

/* A consumer that touches every element, as a prover pass would. */
static cairn_status sum_rows(void *ctx, uint64_t first_row, const cairn_fp *rows, size_t count,
                             cairn_error *err)
{
    uint64_t *acc = ctx;
    (void)first_row;
    (void)err;
    for (size_t i = 0; i < count * CAIRN_WIT_WIDTH; i++)
        *acc += rows[i].v;
    return CAIRN_OK;
}

struct guest {
    cairn_program prog;
    uint8_t digest[CAIRN_SHA256_BYTES];
    uint8_t *input;
    size_t input_len;
};

static void guest_load(struct guest *g, const char *file, uint8_t *input, size_t input_len)
{
    char path[1024];
    const char *dir = getenv("CAIRN_GUEST_DIR");
    snprintf(path, sizeof path, "%s/%s", dir != NULL ? dir : CAIRN_GUEST_DIR, file);
    size_t len = 0;
    cairn_error err;
    uint8_t *elf = bench_read_file(path, &len);
    if (elf == NULL) {
        fprintf(stderr, "bench_witness: %s missing: run `make guests`\n", path);
        exit(1);
    }
    cairn_sha256(g->digest, elf, len);
    if (cairn_elf_load(&g->prog, elf, len, &err) != CAIRN_OK)
        die(path, &err);
    free(elf);
    g->input = input;
    g->input_len = input_len;
}

static double time_plain(const struct guest *g, uint64_t *cycles)
{
    cairn_vm vm;
    cairn_error err;
    if (cairn_vm_init(&vm, &g->prog, NULL, &err) != CAIRN_OK)
        die("vm init", &err);
    cairn_vm_set_input(&vm, g->input, g->input_len);
    double t0 = bench_now();
    if (cairn_vm_run(&vm, UINT64_MAX, &err) != CAIRN_OK)
        die("run", &err);
    double dt = bench_now() - t0;
    *cycles = vm.cycles;
    cairn_vm_clear(&vm);
    return dt;
}

static cairn_checkpoints *record(const struct guest *g, uint64_t c, double *secs)
{
    cairn_vm vm;
    cairn_error err;
    cairn_checkpoints *cp = NULL;
    if (cairn_vm_init(&vm, &g->prog, NULL, &err) != CAIRN_OK)
        die("vm init", &err);
    cairn_vm_set_input(&vm, g->input, g->input_len);
    double t0 = bench_now();
    if (cairn_checkpoints_record(&cp, &vm, g->digest, c, UINT64_MAX, &err) != CAIRN_OK)
        die("record", &err);
    *secs = bench_now() - t0;
    cairn_vm_clear(&vm);
    return cp;
}

/* One full witness pass over all rows with M threads: seconds (median), peak bytes. */
static double time_pass(const struct guest *g, const cairn_checkpoints *cp, unsigned m, int reps,
                        uint64_t *peak)
{
    cairn_witness_replay_config rc = {m, 0, 0};
    cairn_witness_oracle *o = NULL;
    cairn_error err;
    double *t = malloc(sizeof(double) * (size_t)reps);
    if (cairn_witness_oracle_new_replay(&o, cp, &g->prog, g->input, g->input_len, &rc, &err) !=
        CAIRN_OK)
        die("oracle", &err);
    uint64_t acc = 0, n = cairn_witness_oracle_cycles(o);
    for (int r = 0; r < reps; r++) {
        double t0 = bench_now();
        if (cairn_witness_oracle_stream(o, 0, n, sum_rows, &acc, &err) != CAIRN_OK)
            die("stream", &err);
        t[r] = bench_now() - t0;
    }
    bench_sink_u64(acc);
    cairn_witness_stats st;
    cairn_witness_oracle_stats(o, &st);
    *peak = st.peak_bytes;
    cairn_witness_oracle_free(o);
    double m_ = bench_median(t, reps);
    free(t);
    return m_;
}

static void bench_case(const struct bench_opts *o, const char *name, struct guest *g)
{
    if (!bench_selected(o, name))
        return;
    char row[96], params[128];
    uint64_t cycles = 0, peak1 = 0, peak2 = 0;
    double *tp = malloc(sizeof(double) * (size_t)o->reps);
    for (int r = 0; r < o->reps; r++)
        tp[r] = time_plain(g, &cycles);
    double plain = bench_median(tp, o->reps);
    free(tp);
    snprintf(params, sizeof params, "T=%llu", (unsigned long long)cycles);
    snprintf(row, sizeof row, "%s/plain_run", name);
    bench_row(row, params, plain, (double)cycles / plain, "cycles/s");

    double rec_s = 0;
    cairn_checkpoints *cp = record(g, UINT64_C(1) << 16, &rec_s);
    snprintf(row, sizeof row, "%s/record_C=2^16", name);
    bench_row(row, params, rec_s, (double)cycles / rec_s, "cycles/s");

    double p1 = time_pass(g, cp, 1, o->reps, &peak1);
    snprintf(row, sizeof row, "%s/witness_pass_M=1", name);
    bench_row(row, params, p1, (double)cycles / p1, "rows/s");
    double p2 = time_pass(g, cp, 2, o->reps, &peak2);
    snprintf(row, sizeof row, "%s/witness_pass_M=2", name);
    bench_row(row, params, p2, (double)cycles / p2, "rows/s");
    printf("%-28s one pass / plain run: M=1 %.2fx, M=2 %.2fx; 40 passes / plain run: M=1 %.1fx, "
           "M=2 %.1fx, M=16 (projected from M=1 per-thread rate) %.1fx\n",
           name, p1 / plain, p2 / plain, 40 * p1 / plain, 40 * p2 / plain, 40 * p1 / 16 / plain);
    printf("%-28s replay oracle peak buffers: M=1 %.1f MiB, M=2 %.1f MiB (chunk 4096 rows, depth 2, "
           "VM region included)\n",
           name, (double)peak1 / 1048576.0, (double)peak2 / 1048576.0);
    cairn_checkpoints_free(cp);

    static const unsigned shifts[] = {12, 16, 20};
    for (size_t i = 0; i < sizeof shifts / sizeof shifts[0]; i++) {
        uint64_t c = UINT64_C(1) << shifts[i];
        cp = record(g, c, &rec_s);
        uint8_t *buf = NULL;
        size_t len = 0;
        cairn_error err;
        if (cairn_checkpoint_file_encode(&buf, &len, cp, &err) != CAIRN_OK)
            die("encode", &err);
        printf("%-28s C=2^%-2u checkpoints %8llu  file %10zu bytes  page deltas %10llu bytes\n",
               name, shifts[i], (unsigned long long)cairn_checkpoints_header(cp)->count, len,
               (unsigned long long)cairn_checkpoints_page_bytes(cp));
        free(buf);
        cairn_checkpoints_free(cp);
    }
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    bench_parse(&o, argc, argv,
                "Witness generation: tracing and replay throughput, checkpoint sizes, oracle memory.");
    bench_header("witness: plain run vs witness passes (rows/s), checkpoint sizes");
    static const unsigned logs[] = {20, 24};
    size_t nl = o.quick ? 1 : 2;
    for (size_t k = 0; k < nl; k++) {
        char name[64];
        /* loop: about 13 cycles per iteration */
        uint32_t n = (uint32_t)((UINT64_C(1) << logs[k]) / 13);
        uint8_t nb[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
        struct guest g;
        memset(&g, 0, sizeof g);
        guest_load(&g, "rv32im/loop.elf", nb, 4);
        snprintf(name, sizeof name, "loop_2^%u", logs[k]);
        bench_case(&o, name, &g);
        cairn_program_clear(&g.prog);
        /* sha256: about 80 cycles per input byte */
        size_t sz = (size_t)(UINT64_C(1) << logs[k]) / 80;
        uint8_t *data = malloc(sz);
        uint64_t s = 7;
        for (size_t i = 0; i < sz; i++)
            data[i] = (uint8_t)bench_rand_u64(&s);
        memset(&g, 0, sizeof g);
        guest_load(&g, "rv32im/sha256.elf", data, sz);
        snprintf(name, sizeof name, "sha256_2^%u", logs[k]);
        bench_case(&o, name, &g);
        cairn_program_clear(&g.prog);
        free(data);
    }
    return 0;
}
