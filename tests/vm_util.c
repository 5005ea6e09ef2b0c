/*
 * vm_util.c — encoder, ELF writer and runners for the VM tests (see vm_util.h).
 */
#include "vm_util.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

uint32_t rv_r(uint32_t f7, uint32_t rs2, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t opc)
{
    return (f7 & 0x7f) << 25 | (rs2 & 31) << 20 | (rs1 & 31) << 15 | (f3 & 7) << 12 | (rd & 31) << 7 |
           (opc & 0x7f);
}

uint32_t rv_i(int32_t imm, uint32_t rs1, uint32_t f3, uint32_t rd, uint32_t opc)
{
    return ((uint32_t)imm & 0xfff) << 20 | (rs1 & 31) << 15 | (f3 & 7) << 12 | (rd & 31) << 7 |
           (opc & 0x7f);
}

uint32_t rv_s(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3)
{
    uint32_t u = (uint32_t)imm;
    return ((u >> 5) & 0x7f) << 25 | (rs2 & 31) << 20 | (rs1 & 31) << 15 | (f3 & 7) << 12 |
           (u & 31) << 7 | 0x23;
}

uint32_t rv_b(int32_t imm, uint32_t rs2, uint32_t rs1, uint32_t f3)
{
    uint32_t u = (uint32_t)imm;
    return ((u >> 12) & 1) << 31 | ((u >> 5) & 0x3f) << 25 | (rs2 & 31) << 20 | (rs1 & 31) << 15 |
           (f3 & 7) << 12 | ((u >> 1) & 0xf) << 8 | ((u >> 11) & 1) << 7 | 0x63;
}

uint32_t rv_u(uint32_t imm_hi, uint32_t rd, uint32_t opc)
{
    return (imm_hi & UINT32_C(0xfffff000)) | (rd & 31) << 7 | (opc & 0x7f);
}

uint32_t rv_j(int32_t imm, uint32_t rd)
{
    uint32_t u = (uint32_t)imm;
    return ((u >> 20) & 1) << 31 | ((u >> 1) & 0x3ff) << 21 | ((u >> 11) & 1) << 20 |
           ((u >> 12) & 0xff) << 12 | (rd & 31) << 7 | 0x6f;
}

void rvp_init(struct rvprog *p)
{
    memset(p, 0, sizeof *p);
    p->entry = RVP_CODE_BASE;
}

void rvp_clear(struct rvprog *p)
{
    free(p->code);
    free(p->data);
    memset(p, 0, sizeof *p);
}

size_t rvp_emit(struct rvprog *p, uint32_t w)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 256;
        p->code = realloc(p->code, p->cap * sizeof *p->code);
        if (p->code == NULL)
            abort();
    }
    p->code[p->n] = w;
    return p->n++;
}

uint32_t rvp_addr(size_t i) { return RVP_CODE_BASE + 4u * (uint32_t)i; }

void rvp_li(struct rvprog *p, uint32_t rd, uint32_t v)
{
    uint32_t lo = v & 0xfff, hi = v - (uint32_t)((int32_t)(lo << 20) >> 20);
    rvp_emit(p, rv_u(hi, rd, 0x37));
    rvp_emit(p, RV_ADDI(rd, rd, (int32_t)(lo << 20) >> 20));
}

void rvp_exit(struct rvprog *p, uint32_t v)
{
    rvp_li(p, 10, v);
    rvp_li(p, 17, 93);
    rvp_emit(p, RV_ECALL);
}

uint32_t rvp_data(struct rvprog *p, const void *bytes, size_t len)
{
    if (p->data_len + len > p->data_cap) {
        while (p->data_len + len > p->data_cap)
            p->data_cap = p->data_cap ? 2 * p->data_cap : 1024;
        p->data = realloc(p->data, p->data_cap);
        if (p->data == NULL)
            abort();
    }
    uint32_t addr = RVP_DATA_BASE + (uint32_t)p->data_len;
    memcpy(p->data + p->data_len, bytes, len);
    p->data_len += len;
    return addr;
}

static void put16(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *b, uint32_t v)
{
    put16(b, v);
    put16(b + 2, v >> 16);
}

uint8_t *rvp_elf(const struct rvprog *p, size_t *len)
{
    size_t code_bytes = p->n * 4, code_pages = (code_bytes + 0xfff) & ~(size_t)0xfff;
    size_t data_off = 0x1000 + code_pages;
    size_t total = data_off + p->data_len;
    int have_data = p->data_len > 0 || p->bss > 0;
    if (code_bytes > RVP_DATA_BASE - RVP_CODE_BASE)
        abort();
    uint8_t *b = calloc(1, total);
    if (b == NULL)
        abort();
    memcpy(b, "\x7f" "ELF", 4);
    b[4] = 1; /* ELFCLASS32 */
    b[5] = 1; /* little-endian */
    b[6] = 1;
    put16(b + 16, 2);   /* ET_EXEC */
    put16(b + 18, 243); /* EM_RISCV */
    put32(b + 20, 1);
    put32(b + 24, p->entry);
    put32(b + 28, 52);     /* e_phoff */
    put32(b + 32, 0);      /* e_shoff */
    put32(b + 36, 0);      /* e_flags */
    put16(b + 40, 52);     /* e_ehsize */
    put16(b + 42, 32);     /* e_phentsize */
    put16(b + 44, have_data ? 2 : 1);
    put16(b + 46, 40);     /* e_shentsize */
    uint8_t *ph = b + 52;
    put32(ph + 0, 1);
    put32(ph + 4, 0x1000);
    put32(ph + 8, RVP_CODE_BASE);
    put32(ph + 12, RVP_CODE_BASE);
    put32(ph + 16, (uint32_t)code_bytes);
    put32(ph + 20, (uint32_t)code_bytes);
    put32(ph + 24, 5); /* R X */
    put32(ph + 28, 0x1000);
    if (have_data) {
        ph += 32;
        put32(ph + 0, 1);
        put32(ph + 4, (uint32_t)data_off);
        put32(ph + 8, RVP_DATA_BASE);
        put32(ph + 12, RVP_DATA_BASE);
        put32(ph + 16, (uint32_t)p->data_len);
        put32(ph + 20, (uint32_t)p->data_len + p->bss);
        put32(ph + 24, 6); /* R W */
        put32(ph + 28, 0x1000);
    }
    for (size_t i = 0; i < p->n; i++)
        put32(b + 0x1000 + 4 * i, p->code[i]);
    if (p->data_len > 0)
        memcpy(b + data_off, p->data, p->data_len);
    *len = total;
    return b;
}

void vmt_result_clear(struct vmt_result *r)
{
    free(r->out);
    free(r->diag);
    memset(r, 0, sizeof *r);
}

int vmt_capture(void *ctx, int fd, const uint8_t *buf, size_t buf_len)
{
    struct vmt_result *r = ctx;
    uint8_t **dst = fd == 1 ? &r->out : &r->diag;
    size_t *dlen = fd == 1 ? &r->out_len : &r->diag_len;
    uint8_t *nb = realloc(*dst, *dlen + buf_len + 1);
    if (nb == NULL)
        return -1;
    memcpy(nb + *dlen, buf, buf_len);
    *dlen += buf_len;
    nb[*dlen] = 0;
    *dst = nb;
    return 0;
}

cairn_status vmt_run(const uint8_t *elf, size_t elf_len, const uint8_t *input, size_t input_len,
                     uint64_t max_cycles, struct vmt_result *r, cairn_error *err)
{
    cairn_program prog;
    cairn_vm vm;
    memset(r, 0, sizeof *r);
    memset(&vm, 0, sizeof vm);
    cairn_status st = cairn_elf_load(&prog, elf, elf_len, err);
    if (st == CAIRN_OK) {
        cairn_vm_config cfg;
        cairn_vm_config_init(&cfg);
        cfg.write = vmt_capture;
        cfg.write_ctx = r;
        st = cairn_vm_init(&vm, &prog, &cfg, err);
    }
    if (st == CAIRN_OK) {
        cairn_vm_set_input(&vm, input, input_len);
        st = cairn_vm_run(&vm, max_cycles, err);
        r->halt = vm.halt;
        r->exit_code = vm.exit_code;
        r->fault = vm.fault;
        r->cycles = vm.cycles;
        r->pc = vm.pc;
        memcpy(r->regs, vm.regs, sizeof r->regs);
    }
    cairn_vm_clear(&vm);
    cairn_program_clear(&prog);
    return st;
}

static int write_file(const char *path, const uint8_t *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    int ok = fwrite(b, 1, len, f) == len;
    ok &= fclose(f) == 0;
    return ok ? 0 : -1;
}

int vmt_qemu_file(const char *path, const uint8_t *input, size_t input_len, uint8_t **out,
                  size_t *out_len, int *status, char *why, size_t why_len)
{
    char in_path[] = "/tmp/cairn-qemu-in-XXXXXX";
    int in_fd = mkstemp(in_path), pipefd[2] = {-1, -1}, rc = -1;
    posix_spawn_file_actions_t fa;
    int have_fa = 0;
    pid_t pid;
    *out = NULL;
    *out_len = 0;
    if (in_fd < 0) {
        snprintf(why, why_len, "mkstemp: %s", strerror(errno));
        return -1;
    }
    if (input_len > 0 && write(in_fd, input, input_len) != (ssize_t)input_len) {
        snprintf(why, why_len, "writing qemu input failed");
        goto out;
    }
    lseek(in_fd, 0, SEEK_SET);
    if (pipe(pipefd) != 0) {
        snprintf(why, why_len, "pipe: %s", strerror(errno));
        goto out;
    }
    posix_spawn_file_actions_init(&fa);
    have_fa = 1;
    posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclose(&fa, pipefd[0]);
    char *argv[] = {"qemu-riscv32", "-cpu", "rv32,c=false", (char *)path, NULL};
    int e = posix_spawnp(&pid, "qemu-riscv32", &fa, NULL, argv, environ);
    if (e != 0) {
        snprintf(why, why_len, "qemu-riscv32 missing or not runnable (%s): run scripts/setup.sh",
                 strerror(e));
        goto out;
    }
    close(pipefd[1]);
    pipefd[1] = -1;
    size_t cap = 0;
    for (;;) {
        if (*out_len + 4096 > cap) {
            cap = cap ? 2 * cap : 65536;
            uint8_t *nb = realloc(*out, cap);
            if (nb == NULL)
                abort();
            *out = nb;
        }
        ssize_t n = read(pipefd[0], *out + *out_len, cap - *out_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        *out_len += (size_t)n;
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(ws))
        *status = WEXITSTATUS(ws);
    else if (WIFSIGNALED(ws))
        *status = -WTERMSIG(ws);
    else
        *status = -1000;
    rc = 0;
out:
    if (have_fa)
        posix_spawn_file_actions_destroy(&fa);
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    close(in_fd);
    unlink(in_path);
    return rc;
}

int vmt_qemu(const uint8_t *elf, size_t elf_len, const uint8_t *input, size_t input_len,
             uint8_t **out, size_t *out_len, int *status, char *why, size_t why_len)
{
    char path[] = "/tmp/cairn-qemu-elf-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(why, why_len, "mkstemp: %s", strerror(errno));
        return -1;
    }
    close(fd);
    int rc = -1;
    if (write_file(path, elf, elf_len) != 0 || chmod(path, 0700) != 0)
        snprintf(why, why_len, "writing %s failed", path);
    else
        rc = vmt_qemu_file(path, input, input_len, out, out_len, status, why, why_len);
    unlink(path);
    return rc;
}

uint8_t *vmt_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 65536, n = 0;
    uint8_t *b = malloc(cap);
    for (;;) {
        if (b == NULL)
            abort();
        n += fread(b + n, 1, cap - n, f);
        if (n < cap)
            break;
        cap *= 2;
        b = realloc(b, cap);
    }
    fclose(f);
    *len = n;
    return b;
}

const char *vmt_guest_dir(void)
{
    const char *e = getenv("CAIRN_GUEST_DIR");
    if (e != NULL && e[0] != '\0')
        return e;
#ifdef CAIRN_GUEST_DIR
    return CAIRN_GUEST_DIR;
#else
    return "build/guests";
#endif
}

/* ---- operand source of the random-program generators ---- */

uint64_t vmt_gen_next(struct vmt_gen *g)
{
    uint64_t z = (g->s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

uint32_t vmt_gen_below(struct vmt_gen *g, uint32_t n) { return (uint32_t)(vmt_gen_next(g) % n); }

static const uint32_t gen_edge_vals[] = {0,          1,          2,          UINT32_MAX, 0xfffffffe,
                                         0x7fffffff, 0x80000000, 0x80000001, 31,         32,
                                         0xffff,     0x8000,     0x7ff,      0x800,      0xfffff800,
                                         0xff,       0x80,       0x7f,       3,          0x55555555};

uint32_t vmt_gen_edge(struct vmt_gen *g)
{
    return gen_edge_vals[vmt_gen_below(g, sizeof gen_edge_vals / sizeof gen_edge_vals[0])];
}

uint32_t vmt_gen_value(struct vmt_gen *g)
{
    if (vmt_gen_below(g, 3) == 0)
        return vmt_gen_edge(g);
    return (uint32_t)vmt_gen_next(g);
}

int32_t vmt_gen_imm12(struct vmt_gen *g)
{
    static const int32_t e[] = {0, 1, -1, 2047, -2048, 31, 0x7f, -0x80, 0x555};
    if (vmt_gen_below(g, 4) == 0)
        return e[vmt_gen_below(g, sizeof e / sizeof e[0])];
    return (int32_t)vmt_gen_below(g, 4096) - 2048;
}

uint32_t vmt_gen_rd(struct vmt_gen *g) { return vmt_gen_below(g, VMT_NUM_FREE); }
uint32_t vmt_gen_rs(struct vmt_gen *g) { return vmt_gen_below(g, 32); }

void vmt_gen_branch_fwd(struct vmt_gen *g, vmt_gen_body body)
{
    static const uint32_t f3s[] = {0, 1, 4, 5, 6, 7};
    struct rvprog *p = g->p;
    uint32_t f3 = f3s[vmt_gen_below(g, 6)], a = vmt_gen_rs(g);
    uint32_t b = vmt_gen_below(g, 4) == 0 ? a : vmt_gen_rs(g);
    size_t at = rvp_emit(p, 0);
    uint32_t k = vmt_gen_below(g, 4);
    for (uint32_t i = 0; i < k; i++)
        body(g);
    p->code[at] = rv_b((int32_t)(4 * (p->n - at)), b, a, f3);
}

void vmt_gen_jal_fwd(struct vmt_gen *g, vmt_gen_body body)
{
    struct rvprog *p = g->p;
    size_t at = rvp_emit(p, 0);
    uint32_t k = vmt_gen_below(g, 3), rd = vmt_gen_rd(g);
    for (uint32_t i = 0; i < k; i++)
        body(g);
    p->code[at] = rv_j((int32_t)(4 * (p->n - at)), rd);
}

void vmt_gen_jalr_fwd(struct vmt_gen *g, vmt_gen_body body)
{
    struct rvprog *p = g->p;
    size_t at = rvp_emit(p, rv_u(0, VMT_REG_T, 0x17)); /* auipc t, 0 */
    uint32_t odd = vmt_gen_below(g, 2), pre = vmt_gen_below(g, 2);
    if (pre)
        rvp_emit(p, RV_ADDI(VMT_REG_T, VMT_REG_T, 1)); /* odd base */
    size_t j = rvp_emit(p, 0);
    uint32_t k = vmt_gen_below(g, 3), rd = vmt_gen_rd(g);
    for (uint32_t i = 0; i < k; i++)
        body(g);
    int32_t off = (int32_t)(4 * (p->n - at)) - (pre ? 1 : 0) + (int32_t)odd;
    p->code[j] = RV_JALR(rd, VMT_REG_T, off);
}

void vmt_gen_loop(struct vmt_gen *g, vmt_gen_body body)
{
    /* li l, n; body; addi l, l, -1; bne l, x0, body */
    struct rvprog *p = g->p;
    rvp_li(p, VMT_REG_L, 1 + vmt_gen_below(g, 5));
    size_t top = p->n;
    uint32_t k = 1 + vmt_gen_below(g, 6);
    for (uint32_t i = 0; i < k; i++)
        body(g);
    rvp_emit(p, RV_ADDI(VMT_REG_L, VMT_REG_L, -1));
    size_t at = rvp_emit(p, 0);
    p->code[at] = rv_b(-(int32_t)(4 * (at - top)), 0, VMT_REG_L, 1);
}
