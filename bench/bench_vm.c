/*
 * bench_vm.c — interpreter speed: plain cairn_vm_run on the loop and
 * SHA-256 example guests, and the same ELFs under qemu-riscv32 (a JIT) in
 * the same run, in instructions per second (qemu's rate uses our cycle
 * count for the same program and input).  Targets (docs/benchmarks.md):
 * >= 150 M instructions/s per core and >= half of qemu's rate.
 * Needs the guests: `make guests` (CAIRN_GUEST_DIR overrides the path).
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cairn/vm.h"
#include "util.h"

extern char **environ;


/* One VM run: returns seconds, sets *cycles. */
static double run_vm(const cairn_program *prog, const uint8_t *in, size_t in_len, uint64_t *cycles)
{
    cairn_vm vm;
    cairn_error err;
    if (cairn_vm_init(&vm, prog, NULL, &err) != CAIRN_OK) {
        fprintf(stderr, "bench_vm: %s\n", err.msg);
        exit(1);
    }
    cairn_vm_set_input(&vm, in, in_len);
    double t0 = bench_now();
    cairn_status st = cairn_vm_run(&vm, UINT64_MAX, &err);
    double dt = bench_now() - t0;
    if (st != CAIRN_OK || vm.halt != CAIRN_VM_EXITED) {
        fprintf(stderr, "bench_vm: guest did not exit: %s\n", vm.fault.msg);
        exit(1);
    }
    *cycles = vm.cycles;
    cairn_vm_clear(&vm);
    return dt;
}

/* One qemu-riscv32 run with stdin from `in_path`: seconds, or -1 when qemu is missing. */
static double run_qemu(const char *elf_path, const char *in_path)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, in_path, O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    char *argv[] = {"qemu-riscv32", (char *)elf_path, NULL};
    pid_t pid;
    double t0 = bench_now();
    int e = posix_spawnp(&pid, "qemu-riscv32", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (e != 0)
        return -1;
    int ws;
    waitpid(pid, &ws, 0);
    return bench_now() - t0;
}

static void bench_guest(const struct bench_opts *o, const char *name, const char *file,
                        const uint8_t *in, size_t in_len, const char *params)
{
    if (!bench_selected(o, name))
        return;
    char path[1024], in_path[] = "/tmp/cairn-bench-in-XXXXXX";
    snprintf(path, sizeof path, "%s/%s", CAIRN_GUEST_DIR, file);
    const char *env = getenv("CAIRN_GUEST_DIR");
    if (env != NULL)
        snprintf(path, sizeof path, "%s/%s", env, file);
    size_t len = 0;
    uint8_t *elf = bench_read_file(path, &len);
    if (elf == NULL) {
        fprintf(stderr, "bench_vm: %s missing: run `make guests`\n", path);
        exit(1);
    }
    cairn_program prog;
    cairn_error err;
    if (cairn_elf_load(&prog, elf, len, &err) != CAIRN_OK) {
        fprintf(stderr, "bench_vm: %s: %s\n", path, err.msg);
        exit(1);
    }
    int fd = mkstemp(in_path);
    if (fd < 0 || write(fd, in, in_len) != (ssize_t)in_len) {
        fprintf(stderr, "bench_vm: cannot write %s\n", in_path);
        exit(1);
    }
    close(fd);
    double *tv = malloc(sizeof(double) * (size_t)o->reps), *tq = malloc(sizeof(double) * (size_t)o->reps);
    uint64_t cycles = 0;
    int have_qemu = 1;
    for (int r = 0; r < o->reps; r++) {
        tv[r] = run_vm(&prog, in, in_len, &cycles);
        tq[r] = have_qemu ? run_qemu(path, in_path) : -1;
        if (tq[r] < 0)
            have_qemu = 0;
    }
    double mv = bench_median(tv, o->reps);
    char row[64], p2[96];
    snprintf(p2, sizeof p2, "%s %.0fM insn", params, (double)cycles / 1e6);
    snprintf(row, sizeof row, "%s/cairn", name);
    bench_row(row, p2, mv, (double)cycles / mv, "instr/s");
    if (have_qemu) {
        double mq = bench_median(tq, o->reps);
        snprintf(row, sizeof row, "%s/qemu", name);
        bench_row(row, p2, mq, (double)cycles / mq, "instr/s");
        printf("%-28s cairn/qemu speed ratio %.2f\n", name, mq / mv);
    } else {
        printf("%-28s qemu-riscv32 missing: no comparison\n", name);
    }
    unlink(in_path);
    free(tv);
    free(tq);
    cairn_program_clear(&prog);
    free(elf);
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    bench_parse(&o, argc, argv,
                "Interpreter speed on the loop and sha256 guests, against qemu-riscv32.");
    bench_header("vm: cairn_vm_run vs qemu-riscv32 (instructions per second)");
    uint32_t n = o.quick ? 2000000u : 30000000u;
    uint8_t nb[4] = {(uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16), (uint8_t)(n >> 24)};
    char params[64];
    snprintf(params, sizeof params, "n=%u", n);
    bench_guest(&o, "loop_rv32im", "rv32im/loop.elf", nb, 4, params);
    bench_guest(&o, "loop_rv32i", "rv32i/loop.elf", nb, 4, params);
    size_t sz = o.quick ? (size_t)1 << 20 : (size_t)8 << 20;
    uint8_t *data = malloc(sz);
    uint64_t s = 42;
    for (size_t i = 0; i < sz; i++)
        data[i] = (uint8_t)bench_rand_u64(&s);
    snprintf(params, sizeof params, "%zu MiB", sz >> 20);
    bench_guest(&o, "sha256_rv32im", "rv32im/sha256.elf", data, sz, params);
    bench_guest(&o, "sha256_rv32i", "rv32i/sha256.elf", data, sz, params);
    free(data);
    return 0;
}
