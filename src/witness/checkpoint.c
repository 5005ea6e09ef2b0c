/*
 * checkpoint.c — checkpoints of a VM run: the canonical state encoding and
 * its digests, recording a run with page deltas, restoring a checkpoint.
 *
 * Canonical state (CKPT_STATE_BYTES, little-endian, docs/checkpoints.md):
 * pc, x0..x31, cycles, input_pos, output_len, diag_len, halt, exit_code,
 * fault kind/pc/insn/addr, memory digest.  The memory digest is
 *     SHA-256("cairn.ckpt.mem.v1" || page_shift || mem_base || mem_size ||
 *             SHA-256(page 0) || ... || SHA-256(page n-1))
 * over pages of 2^page_shift bytes, so a recorder that keeps the page
 * hashes only rehashes the pages written since the last checkpoint; the
 * state digest is SHA-256("cairn.ckpt.state.v1" || encoding).
 *
 * Recording runs the VM's tracing variant without records, only with the
 * dirty-page bitmap (stores and read() set bits), stopping every C cycles:
 * a checkpoint is the state plus a copy of the dirty pages.  Invariants of
 * the result: witness_internal.h.
 */
#include <stdlib.h>
#include <string.h>

#include "witness_internal.h"

static const char STATE_TAG[] = "cairn.ckpt.state.v1";
static const char MEM_TAG[] = "cairn.ckpt.mem.v1";

void ckpt_state_encode(uint8_t out[CKPT_STATE_BYTES], const struct ckpt_state *s)
{
    uint8_t *p = out;
    wit_put32(p, s->pc);
    p += 4;
    for (int i = 0; i < 32; i++, p += 4)
        wit_put32(p, s->regs[i]);
    wit_put64(p, s->cycles);
    wit_put64(p + 8, s->input_pos);
    wit_put64(p + 16, s->output_len);
    wit_put64(p + 24, s->diag_len);
    p += 32;
    wit_put32(p, s->halt);
    wit_put32(p + 4, s->exit_code);
    wit_put32(p + 8, s->fault_kind);
    wit_put32(p + 12, s->fault_pc);
    wit_put32(p + 16, s->fault_insn);
    wit_put32(p + 20, s->fault_addr);
    p += 24;
    memcpy(p, s->mem_digest, CAIRN_SHA256_BYTES);
}

int ckpt_state_decode(struct ckpt_state *s, const uint8_t in[CKPT_STATE_BYTES])
{
    const uint8_t *p = in;
    s->pc = wit_get32(p);
    p += 4;
    for (int i = 0; i < 32; i++, p += 4)
        s->regs[i] = wit_get32(p);
    s->cycles = wit_get64(p);
    s->input_pos = wit_get64(p + 8);
    s->output_len = wit_get64(p + 16);
    s->diag_len = wit_get64(p + 24);
    p += 32;
    s->halt = wit_get32(p);
    s->exit_code = wit_get32(p + 4);
    s->fault_kind = wit_get32(p + 8);
    s->fault_pc = wit_get32(p + 12);
    s->fault_insn = wit_get32(p + 16);
    s->fault_addr = wit_get32(p + 20);
    p += 24;
    memcpy(s->mem_digest, p, CAIRN_SHA256_BYTES);
    if (s->regs[0] != 0 || s->halt > CAIRN_VM_FAULTED)
        return 0;
    if (s->halt == CAIRN_VM_FAULTED)
        return s->fault_kind != CAIRN_FAULT_NONE && s->fault_kind <= CAIRN_FAULT_SYSCALL_ARG &&
               s->exit_code == 0;
    if (s->fault_kind != 0 || s->fault_pc != 0 || s->fault_insn != 0 || s->fault_addr != 0)
        return 0;
    return s->halt == CAIRN_VM_EXITED || s->exit_code == 0;
}

void ckpt_state_digest(uint8_t out[CAIRN_SHA256_BYTES], const struct ckpt_state *s)
{
    uint8_t enc[CKPT_STATE_BYTES];
    cairn_sha256_ctx h;
    ckpt_state_encode(enc, s);
    cairn_sha256_init(&h);
    cairn_sha256_update(&h, STATE_TAG, sizeof STATE_TAG - 1);
    cairn_sha256_update(&h, enc, sizeof enc);
    cairn_sha256_final(out, &h);
}

void ckpt_state_of_vm(struct ckpt_state *s, const cairn_vm *vm,
                      const uint8_t mem_digest[CAIRN_SHA256_BYTES])
{
    memset(s, 0, sizeof *s);
    s->pc = vm->pc;
    memcpy(s->regs, vm->regs, sizeof s->regs);
    s->cycles = vm->cycles;
    s->input_pos = vm->input_pos;
    s->output_len = vm->output_len;
    s->diag_len = vm->diag_len;
    s->halt = (uint32_t)vm->halt;
    s->exit_code = vm->exit_code;
    if (vm->halt == CAIRN_VM_FAULTED) {
        s->fault_kind = (uint32_t)vm->fault.kind;
        s->fault_pc = vm->fault.pc;
        s->fault_insn = vm->fault.insn;
        s->fault_addr = vm->fault.addr;
    }
    memcpy(s->mem_digest, mem_digest, CAIRN_SHA256_BYTES);
}

/* The memory digest from the page hashes (npages * 32 bytes). */
static void mem_digest_from_pages(uint8_t out[CAIRN_SHA256_BYTES], const cairn_vm *vm,
                                  uint32_t page_shift, const uint8_t *page_hash, size_t npages)
{
    uint8_t hdr[12];
    cairn_sha256_ctx h;
    wit_put32(hdr, page_shift);
    wit_put32(hdr + 4, vm->mem_base);
    wit_put32(hdr + 8, vm->mem_size);
    cairn_sha256_init(&h);
    cairn_sha256_update(&h, MEM_TAG, sizeof MEM_TAG - 1);
    cairn_sha256_update(&h, hdr, sizeof hdr);
    cairn_sha256_update(&h, page_hash, npages * CAIRN_SHA256_BYTES);
    cairn_sha256_final(out, &h);
}

/*
 * The whole-memory digest computed from scratch, streaming the page hashes
 * through one running hash in batches so no array of all page hashes is
 * needed.
 */
void ckpt_mem_digest(uint8_t out[CAIRN_SHA256_BYTES], const cairn_vm *vm, uint32_t page_shift)
{
    uint8_t hdr[12], ph[64 * CAIRN_SHA256_BYTES];
    cairn_sha256_ctx h;
    size_t npages = (size_t)vm->mem_size >> page_shift, page = (size_t)1 << page_shift;
    wit_put32(hdr, page_shift);
    wit_put32(hdr + 4, vm->mem_base);
    wit_put32(hdr + 8, vm->mem_size);
    cairn_sha256_init(&h);
    cairn_sha256_update(&h, MEM_TAG, sizeof MEM_TAG - 1);
    cairn_sha256_update(&h, hdr, sizeof hdr);
    for (size_t p = 0; p < npages; p += 64) {
        size_t n = npages - p < 64 ? npages - p : 64;
        for (size_t i = 0; i < n; i++)
            cairn_sha256(ph + i * CAIRN_SHA256_BYTES, vm->mem + (p + i) * page, page);
        cairn_sha256_update(&h, ph, n * CAIRN_SHA256_BYTES);
    }
    cairn_sha256_final(out, &h);
}

void cairn_checkpoints_state_digest(uint8_t out[CAIRN_SHA256_BYTES], const cairn_vm *vm,
                                    uint32_t page_shift)
{
    uint8_t md[CAIRN_SHA256_BYTES];
    struct ckpt_state s;
    ckpt_mem_digest(md, vm, page_shift);
    ckpt_state_of_vm(&s, vm, md);
    ckpt_state_digest(out, &s);
}

cairn_checkpoints *ckpt_set_new(uint64_t count)
{
    if (count == 0 || count > SIZE_MAX / sizeof(struct ckpt))
        return NULL;
    cairn_checkpoints *cp = calloc(1, sizeof *cp);
    if (cp == NULL)
        return NULL;
    cp->ck = calloc((size_t)count, sizeof *cp->ck);
    if (cp->ck == NULL) {
        free(cp);
        return NULL;
    }
    cp->hdr.count = count;
    return cp;
}

void cairn_checkpoints_free(cairn_checkpoints *cp)
{
    if (cp == NULL)
        return;
    for (uint64_t i = 0; cp->ck != NULL && i < cp->hdr.count; i++) {
        free(cp->ck[i].page_idx);
        free(cp->ck[i].pages);
    }
    free(cp->ck);
    free(cp);
}

const cairn_ckpt_header *cairn_checkpoints_header(const cairn_checkpoints *cp) { return &cp->hdr; }

uint64_t cairn_checkpoints_page_bytes(const cairn_checkpoints *cp)
{
    uint64_t n = 0;
    for (uint64_t i = 0; i < cp->hdr.count; i++)
        n += (uint64_t)cp->ck[i].npages << cp->hdr.page_shift;
    return n;
}

/* ---- recording ------------------------------------------------------------------------- */

struct rec_sink {
    cairn_sha256_ctx out_hash;
    cairn_vm_write_fn user;
    void *user_ctx;
};

/* Forward the guest's writes to the caller's callback, hashing fd 1 on the way. */
static int rec_write(void *ctx, int fd, const uint8_t *buf, size_t buf_len)
{
    struct rec_sink *s = ctx;
    if (s->user != NULL && s->user(s->user_ctx, fd, buf, buf_len) != 0)
        return -1;
    if (fd == 1)
        cairn_sha256_update(&s->out_hash, buf, buf_len);
    return 0;
}

struct recorder {
    cairn_vm *vm;
    uint32_t shift;
    size_t npages;
    uint8_t *dirty;     /* npages bits */
    uint8_t *page_hash; /* npages * 32 */
    struct ckpt *ck;    /* growing array */
    uint64_t n, cap;
};

/*
 * Close an interval: rehash every dirty page, and when `keep` is set copy
 * the dirty pages into checkpoint `c` (index list ascending); then clear
 * the bitmap and fill c's state and digest from the VM.
 */
static cairn_status rec_snapshot(struct recorder *r, struct ckpt *c, int keep, cairn_error *err)
{
    size_t page = (size_t)1 << r->shift, nd = 0;
    for (size_t b = 0; b < (r->npages + 7) / 8; b++)
        nd += (size_t)__builtin_popcount(r->dirty[b]);
    if (keep && nd > 0) {
        c->page_idx = malloc(nd * sizeof *c->page_idx);
        c->pages = malloc(nd * page);
        if (c->page_idx == NULL || c->pages == NULL)
            return cairn_error_set(err, CAIRN_ERR_NOMEM, "cannot allocate %zu checkpoint pages", nd);
    }
    size_t k = 0;
    for (size_t p = 0; p < r->npages; p++) {
        if (!(r->dirty[p >> 3] & (1u << (p & 7))))
            continue;
        const uint8_t *src = r->vm->mem + p * page;
        cairn_sha256(r->page_hash + p * CAIRN_SHA256_BYTES, src, page);
        if (keep) {
            c->page_idx[k] = (uint32_t)p;
            memcpy(c->pages + k * page, src, page);
        }
        k++;
    }
    if (keep)
        c->npages = (uint32_t)nd;
    memset(r->dirty, 0, (r->npages + 7) / 8);
    uint8_t md[CAIRN_SHA256_BYTES];
    mem_digest_from_pages(md, r->vm, r->shift, r->page_hash, r->npages);
    ckpt_state_of_vm(&c->st, r->vm, md);
    ckpt_state_digest(c->digest, &c->st);
    return CAIRN_OK;
}

/* Append an empty checkpoint slot. */
static struct ckpt *rec_push(struct recorder *r)
{
    if (r->n == r->cap) {
        uint64_t ncap = r->cap ? r->cap * 2 : 16;
        struct ckpt *nc = realloc(r->ck, (size_t)ncap * sizeof *nc);
        if (nc == NULL)
            return NULL;
        r->ck = nc;
        r->cap = ncap;
    }
    memset(&r->ck[r->n], 0, sizeof r->ck[r->n]);
    return &r->ck[r->n++];
}

/*
 * Run to the end in steps of `interval` cycles, taking a checkpoint at
 * every boundary the machine reaches still running.  A checkpoint at the
 * very last cycle (the machine then faulted without progress, or the
 * cycle bound fell on a boundary) describes the final state and is dropped,
 * so that count = max(1, ceil(T / C)) always holds.
 */
cairn_status cairn_checkpoints_record(cairn_checkpoints **out, cairn_vm *vm,
                                      const uint8_t program_digest[CAIRN_SHA256_BYTES],
                                      uint64_t interval, uint64_t max_cycles, cairn_error *err)
{
    cairn_status st = CAIRN_OK;
    struct recorder r;
    struct rec_sink sink;
    cairn_checkpoints *cp = NULL;
    memset(&r, 0, sizeof r);
    *out = NULL;
    if (vm == NULL || vm->mem == NULL || program_digest == NULL)
        return cairn_error_set(err, CAIRN_ERR_ARG, "cairn_checkpoints_record: VM not initialised");
    if (interval == 0)
        return cairn_error_set(err, CAIRN_ERR_ARG, "checkpoint interval must be at least 1 cycle");
    if (vm->cycles != 0 || vm->halt != CAIRN_VM_RUNNING)
        return cairn_error_set(err, CAIRN_ERR_ARG, "cairn_checkpoints_record: the VM already ran");
    r.vm = vm;
    r.shift = CAIRN_CKPT_PAGE_SHIFT;
    r.npages = (size_t)vm->mem_size >> r.shift;
    r.dirty = calloc(1, (r.npages + 7) / 8);
    r.page_hash = malloc(r.npages * CAIRN_SHA256_BYTES);
    if (r.dirty == NULL || r.page_hash == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "cannot allocate the page tables");
        goto out;
    }
    for (size_t p = 0; p < r.npages; p++)
        cairn_sha256(r.page_hash + p * CAIRN_SHA256_BYTES, vm->mem + (p << r.shift),
                     (size_t)1 << r.shift);

    sink.user = vm->cfg.write;
    sink.user_ctx = vm->cfg.write_ctx;
    cairn_sha256_init(&sink.out_hash);
    vm->cfg.write = rec_write;
    vm->cfg.write_ctx = &sink;

    struct ckpt *c = rec_push(&r);
    if (c == NULL || (st = rec_snapshot(&r, c, 1, err)) != CAIRN_OK) {
        if (st == CAIRN_OK)
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for checkpoints");
        goto restore_cb;
    }
    for (;;) {
        uint64_t next = r.n > UINT64_MAX / interval ? UINT64_MAX : r.n * interval;
        uint64_t bound = next < max_cycles ? next : max_cycles;
        st = cairn_vm_run_traced(vm, bound, NULL, r.dirty, r.shift, err);
        if (st != CAIRN_OK)
            goto restore_cb;
        if (vm->halt != CAIRN_VM_RUNNING || vm->cycles >= max_cycles)
            break;
        c = rec_push(&r);
        if (c == NULL) {
            st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for checkpoints");
            goto restore_cb;
        }
        if ((st = rec_snapshot(&r, c, 1, err)) != CAIRN_OK)
            goto restore_cb;
    }
    if (r.n > 1 && r.ck[r.n - 1].st.cycles == vm->cycles) {
        /* the last checkpoint is the final state: fold its pages back in as dirty */
        struct ckpt *last = &r.ck[--r.n];
        for (uint32_t i = 0; i < last->npages; i++)
            r.dirty[last->page_idx[i] >> 3] =
                (uint8_t)(r.dirty[last->page_idx[i] >> 3] | (1u << (last->page_idx[i] & 7)));
        free(last->page_idx);
        free(last->pages);
    }
    cp = calloc(1, sizeof *cp);
    if (cp == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for checkpoints");
        goto restore_cb;
    }
    {
        struct ckpt fin;
        memset(&fin, 0, sizeof fin);
        rec_snapshot(&r, &fin, 0, err); /* cannot fail without keep */
        cp->final = fin.st;
        memcpy(cp->hdr.final_digest, fin.digest, CAIRN_SHA256_BYTES);
    }
    cp->ck = r.ck;
    r.ck = NULL;
    cairn_ckpt_header *h = &cp->hdr;
    h->version = CAIRN_CKPT_VERSION;
    h->page_shift = r.shift;
    memcpy(h->program_digest, program_digest, CAIRN_SHA256_BYTES);
    cairn_sha256(h->input_digest, vm->input, vm->input_len);
    h->input_len = vm->input_len;
    h->stack_size = vm->cfg.stack_size;
    h->mem_base = vm->mem_base;
    h->mem_log2_words = vm->mem_log2_words;
    h->interval = interval;
    h->cycles = vm->cycles;
    h->count = r.n;
    h->output_len = vm->output_len;
    cairn_sha256_final(h->output_digest, &sink.out_hash);
    h->halt = vm->halt;
    h->exit_code = vm->exit_code;
    *out = cp;
    cp = NULL;
restore_cb:
    vm->cfg.write = sink.user;
    vm->cfg.write_ctx = sink.user_ctx;
out:
    if (r.ck != NULL) {
        for (uint64_t i = 0; i < r.n; i++) {
            free(r.ck[i].page_idx);
            free(r.ck[i].pages);
        }
        free(r.ck);
    }
    free(cp);
    free(r.dirty);
    free(r.page_hash);
    return st;
}

/* ---- checking and restoring ------------------------------------------------------------- */

static void hex8(char out[17], const uint8_t *d)
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 8; i++) {
        out[2 * i] = hx[d[i] >> 4];
        out[2 * i + 1] = hx[d[i] & 15];
    }
    out[16] = '\0';
}

cairn_status cairn_checkpoints_check(const cairn_checkpoints *cp,
                                     const uint8_t program_digest[CAIRN_SHA256_BYTES],
                                     const uint8_t *input, size_t input_len, cairn_error *err)
{
    char a[17], b[17];
    uint8_t d[CAIRN_SHA256_BYTES];
    if (memcmp(cp->hdr.program_digest, program_digest, CAIRN_SHA256_BYTES) != 0) {
        hex8(a, cp->hdr.program_digest);
        hex8(b, program_digest);
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "the checkpoints were recorded for another program (ELF SHA-256 "
                               "%s..., this one is %s...)",
                               a, b);
    }
    cairn_sha256(d, input, input_len);
    if (cp->hdr.input_len != input_len || memcmp(cp->hdr.input_digest, d, CAIRN_SHA256_BYTES) != 0) {
        hex8(a, cp->hdr.input_digest);
        hex8(b, d);
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "the checkpoints were recorded with another input (%llu bytes, "
                               "SHA-256 %s...; this one: %zu bytes, %s...)",
                               (unsigned long long)cp->hdr.input_len, a, input_len, b);
    }
    return CAIRN_OK;
}

cairn_status cairn_checkpoints_vm_init(cairn_vm *vm, const cairn_checkpoints *cp,
                                       const cairn_program *prog, const uint8_t *input,
                                       size_t input_len, cairn_error *err)
{
    cairn_vm_config cfg;
    cairn_vm_config_init(&cfg);
    cfg.stack_size = cp->hdr.stack_size;
    cairn_status st = cairn_vm_init(vm, prog, &cfg, err);
    if (st != CAIRN_OK)
        return st;
    if (vm->mem_base != cp->hdr.mem_base || vm->mem_log2_words != cp->hdr.mem_log2_words) {
        st = cairn_error_set(err, CAIRN_ERR_REJECTED,
                             "the program's memory region 0x%08x + 2^%u words differs from the "
                             "recorded 0x%08x + 2^%u words (another program?)",
                             (unsigned)vm->mem_base, (unsigned)vm->mem_log2_words,
                             (unsigned)cp->hdr.mem_base, (unsigned)cp->hdr.mem_log2_words);
        cairn_vm_clear(vm);
        return st;
    }
    cairn_vm_set_input(vm, input, input_len);
    return CAIRN_OK;
}

/*
 * Rebuild the memory from the program image and the deltas 1..index
 * (each page takes its latest recorded contents: the deltas are walked
 * newest first and a page is copied once), set the registers and
 * counters, then check the digest of what was rebuilt against the
 * recorded one.  A delta page may overlap the executable range (a data
 * segment can share a page with code) only if it leaves the code bytes as
 * they are: nothing can write there, and the interpreter's decoded table
 * would disagree.
 */
cairn_status cairn_checkpoints_restore(cairn_vm *vm, const cairn_checkpoints *cp,
                                       const cairn_program *prog, uint64_t index,
                                       cairn_error *err)
{
    const cairn_ckpt_header *h = &cp->hdr;
    if (index >= h->count)
        return cairn_error_set(err, CAIRN_ERR_ARG, "checkpoint %llu of %llu does not exist",
                               (unsigned long long)index, (unsigned long long)h->count);
    if (vm == NULL || vm->mem == NULL || vm->mem_base != h->mem_base ||
        vm->mem_log2_words != h->mem_log2_words)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "cairn_checkpoints_restore: VM not set up for these checkpoints");
    size_t page = (size_t)1 << h->page_shift;
    uint64_t xlo = vm->text_base - vm->mem_base, xhi = xlo + vm->text_size;
    memset(vm->mem, 0, vm->mem_size);
    for (uint32_t i = 0; i < prog->nseg; i++) {
        const cairn_segment *s = &prog->seg[i];
        if (s->filesz > 0)
            memcpy(vm->mem + (s->vaddr - vm->mem_base), prog->data + s->data_off, s->filesz);
    }
    /* newest delta first; a page already written holds its latest contents */
    size_t npages = (size_t)vm->mem_size >> h->page_shift;
    uint8_t *done = index > 1 ? calloc(1, (npages + 7) / 8) : NULL;
    if (index > 1 && done == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory restoring a checkpoint");
    for (uint64_t j = index; j >= 1; j--) {
        const struct ckpt *c = &cp->ck[j];
        for (uint32_t k = 0; k < c->npages; k++) {
            uint32_t p = c->page_idx[k];
            uint64_t lo = (uint64_t)p << h->page_shift;
            if (lo < xhi && lo + page > xlo) {
                /*
                 * A data page may share a page with code (segments need only
                 * be disjoint).  Code is never written (such stores fault),
                 * so the page's bytes inside the code range must equal the
                 * image already in memory; anything else is a forgery.
                 */
                uint64_t a = lo > xlo ? lo : xlo, b = lo + page < xhi ? lo + page : xhi;
                if (memcmp(vm->mem + a, c->pages + (size_t)k * page + (a - lo), (size_t)(b - a)) !=
                    0) {
                    free(done);
                    return cairn_error_set(err, CAIRN_ERR_REJECTED,
                                           "checkpoint %llu: page %u changes executable memory",
                                           (unsigned long long)j, (unsigned)p);
                }
            }
            if (done != NULL) {
                if (done[p >> 3] & (1u << (p & 7)))
                    continue;
                done[p >> 3] = (uint8_t)(done[p >> 3] | (1u << (p & 7)));
            }
            memcpy(vm->mem + lo, c->pages + (size_t)k * page, page);
        }
    }
    free(done);
    const struct ckpt_state *s = &cp->ck[index].st;
    vm->pc = s->pc;
    memcpy(vm->regs, s->regs, sizeof vm->regs);
    vm->cycles = s->cycles;
    vm->input_pos = s->input_pos;
    vm->output_len = s->output_len;
    vm->diag_len = s->diag_len;
    vm->halt = (cairn_vm_halt)s->halt;
    vm->exit_code = s->exit_code;
    memset(&vm->fault, 0, sizeof vm->fault);
    uint8_t d[CAIRN_SHA256_BYTES];
    cairn_checkpoints_state_digest(d, vm, h->page_shift);
    if (memcmp(d, cp->ck[index].digest, CAIRN_SHA256_BYTES) != 0)
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "checkpoint %llu (cycle %llu): the restored state does not match its "
                               "digest (wrong program, or a forged checkpoint file)",
                               (unsigned long long)index, (unsigned long long)s->cycles);
    return CAIRN_OK;
}
