/*
 * ckpt_file.c — the checkpoint file: encoding, strict parsing of untrusted
 * bytes, atomic writing, reading.
 *
 * Layout (version 1, all integers little-endian; docs/checkpoints.md has
 * the byte-by-byte table):
 *     header            HDR_BYTES
 *     final state       CKPT_STATE_BYTES
 *     count records     state, digest (32), npages (4), npages x (index (4), page bytes)
 *     file digest       SHA-256 of every byte before it (32)
 * The parser checks the magic and the version first (for a clear message),
 * then the file digest, so any changed, missing or extra byte is caught
 * before the structure is read; then every field against its range and
 * every length against the bytes that remain, with overflow-free
 * arithmetic, so even a file with a recomputed digest (the fuzz target
 * makes those) is refused cleanly when malformed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cairn/file.h"
#include "witness_internal.h"

#define HDR_BYTES 208u
#define REC_FIXED (CKPT_STATE_BYTES + CAIRN_SHA256_BYTES + 4u)
#define MIN_FILE (HDR_BYTES + CKPT_STATE_BYTES + REC_FIXED + CAIRN_SHA256_BYTES)

static const uint8_t MAGIC[8] = {'C', 'A', 'I', 'R', 'N', 'C', 'K', 'P'};

static void put_header(uint8_t *p, const cairn_ckpt_header *h)
{
    memcpy(p, MAGIC, 8);
    wit_put32(p + 8, h->version);
    wit_put32(p + 12, h->page_shift);
    memcpy(p + 16, h->program_digest, 32);
    memcpy(p + 48, h->input_digest, 32);
    wit_put64(p + 80, h->input_len);
    wit_put32(p + 88, h->stack_size);
    wit_put32(p + 92, h->mem_base);
    wit_put32(p + 96, h->mem_log2_words);
    wit_put32(p + 100, (uint32_t)h->halt);
    wit_put64(p + 104, h->interval);
    wit_put64(p + 112, h->cycles);
    wit_put64(p + 120, h->count);
    wit_put64(p + 128, h->output_len);
    memcpy(p + 136, h->output_digest, 32);
    memcpy(p + 168, h->final_digest, 32);
    wit_put32(p + 200, h->exit_code);
    wit_put32(p + 204, 0);
}

/* Size of the encoding, or 0 when it would not fit in a size_t. */
static size_t encoded_len(const cairn_checkpoints *cp)
{
    uint64_t n = HDR_BYTES + CKPT_STATE_BYTES + CAIRN_SHA256_BYTES;
    uint64_t page = (uint64_t)1 << cp->hdr.page_shift;
    for (uint64_t i = 0; i < cp->hdr.count; i++) {
        uint64_t r = REC_FIXED + (uint64_t)cp->ck[i].npages * (4 + page);
        if (n > UINT64_MAX - r)
            return 0;
        n += r;
    }
    return n > SIZE_MAX || n > CAIRN_CKPT_MAX_FILE ? 0 : (size_t)n;
}

cairn_status cairn_checkpoint_file_encode(uint8_t **out, size_t *out_len,
                                          const cairn_checkpoints *cp, cairn_error *err)
{
    *out = NULL;
    *out_len = 0;
    size_t len = encoded_len(cp), page = (size_t)1 << cp->hdr.page_shift;
    if (len == 0)
        return cairn_error_set(err, CAIRN_ERR_LIMIT, "checkpoint file would exceed %llu bytes",
                               (unsigned long long)CAIRN_CKPT_MAX_FILE);
    uint8_t *b = malloc(len), *p = b;
    if (b == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "cannot allocate %zu bytes for the checkpoint file",
                               len);
    put_header(p, &cp->hdr);
    p += HDR_BYTES;
    ckpt_state_encode(p, &cp->final);
    p += CKPT_STATE_BYTES;
    for (uint64_t i = 0; i < cp->hdr.count; i++) {
        const struct ckpt *c = &cp->ck[i];
        ckpt_state_encode(p, &c->st);
        memcpy(p + CKPT_STATE_BYTES, c->digest, 32);
        wit_put32(p + CKPT_STATE_BYTES + 32, c->npages);
        p += REC_FIXED;
        for (uint32_t k = 0; k < c->npages; k++) {
            wit_put32(p, c->page_idx[k]);
            memcpy(p + 4, c->pages + (size_t)k * page, page);
            p += 4 + page;
        }
    }
    cairn_sha256(p, b, (size_t)(p - b));
    *out = b;
    *out_len = len;
    return CAIRN_OK;
}

#define BAD(...) cairn_error_set(err, CAIRN_ERR_PARSE, __VA_ARGS__)

/* Check one decoded state against the header; returns a status with the message filled. */
static cairn_status check_state(const struct ckpt_state *s, const cairn_ckpt_header *h,
                                const char *what, size_t off, cairn_error *err)
{
    if (s->input_pos > h->input_len)
        return BAD("%s at offset %zu: input position %llu beyond the input's %llu bytes", what, off,
                   (unsigned long long)s->input_pos, (unsigned long long)h->input_len);
    if (s->cycles > h->cycles || s->output_len > h->output_len)
        return BAD("%s at offset %zu: counters beyond the run's totals", what, off);
    return CAIRN_OK;
}

/*
 * The strict parser.  `pos` only advances after the bytes it covers were
 * checked to exist; every count is bounded by the bytes that remain before
 * anything is allocated for it.
 */
cairn_status cairn_checkpoint_file_parse(cairn_checkpoints **out, const uint8_t *bytes,
                                         size_t bytes_len, cairn_error *err)
{
    cairn_checkpoints *cp = NULL;
    cairn_status st = CAIRN_OK;
    cairn_ckpt_header h;
    *out = NULL;
    if (bytes_len < 8 || memcmp(bytes, MAGIC, 8) != 0)
        return BAD("not a cairn checkpoint file (no \"CAIRNCKP\" magic at offset 0)");
    if (bytes_len < 12)
        return BAD("truncated checkpoint file: %zu bytes", bytes_len);
    memset(&h, 0, sizeof h);
    h.version = wit_get32(bytes + 8);
    if (h.version != CAIRN_CKPT_VERSION)
        return BAD("checkpoint file version %u is not supported (this cairn reads version %u)",
                   (unsigned)h.version, CAIRN_CKPT_VERSION);
    if ((uint64_t)bytes_len > CAIRN_CKPT_MAX_FILE)
        return cairn_error_set(err, CAIRN_ERR_LIMIT, "checkpoint file larger than %llu bytes",
                               (unsigned long long)CAIRN_CKPT_MAX_FILE);
    if (bytes_len < MIN_FILE)
        return BAD("truncated checkpoint file: %zu bytes, at least %u expected", bytes_len,
                   (unsigned)MIN_FILE);
    uint8_t d[CAIRN_SHA256_BYTES];
    size_t body = bytes_len - CAIRN_SHA256_BYTES;
    cairn_sha256(d, bytes, body);
    if (memcmp(d, bytes + body, CAIRN_SHA256_BYTES) != 0)
        return BAD("checkpoint file corrupted or truncated: the SHA-256 at offset %zu does not "
                   "match the %zu bytes before it",
                   body, body);

    h.page_shift = wit_get32(bytes + 12);
    memcpy(h.program_digest, bytes + 16, 32);
    memcpy(h.input_digest, bytes + 48, 32);
    h.input_len = wit_get64(bytes + 80);
    h.stack_size = wit_get32(bytes + 88);
    h.mem_base = wit_get32(bytes + 92);
    h.mem_log2_words = wit_get32(bytes + 96);
    uint32_t halt = wit_get32(bytes + 100);
    h.interval = wit_get64(bytes + 104);
    h.cycles = wit_get64(bytes + 112);
    h.count = wit_get64(bytes + 120);
    h.output_len = wit_get64(bytes + 128);
    memcpy(h.output_digest, bytes + 136, 32);
    memcpy(h.final_digest, bytes + 168, 32);
    h.exit_code = wit_get32(bytes + 200);
    if (wit_get32(bytes + 204) != 0)
        return BAD("header offset 204: reserved field is not zero");
    if (h.mem_log2_words < 10 || h.mem_log2_words > 28)
        return BAD("header offset 96: memory of 2^%u words outside 2^10..2^28", (unsigned)h.mem_log2_words);
    /*
     * One page size only: the recorder always uses it, and it never exceeds
     * the smallest memory (2^10 words = 4 KiB).  A page larger than memory
     * would leave no page to digest, so memory would go unchecked.
     */
    if (h.page_shift != CAIRN_CKPT_PAGE_SHIFT)
        return BAD("header offset 12: page size 2^%u, expected 2^%u bytes", (unsigned)h.page_shift,
                   CAIRN_CKPT_PAGE_SHIFT);
    uint64_t mem_size = UINT64_C(4) << h.mem_log2_words;
    if ((h.mem_base & 0xfff) != 0 || h.mem_base + mem_size > UINT64_C(0xfffffff0))
        return BAD("header offset 92: memory region 0x%08x + 0x%llx is not a valid region",
                   (unsigned)h.mem_base, (unsigned long long)mem_size);
    if (halt > CAIRN_VM_FAULTED)
        return BAD("header offset 100: halt status %u unknown", (unsigned)halt);
    h.halt = (cairn_vm_halt)halt;
    if (h.interval == 0)
        return BAD("header offset 104: checkpoint interval 0");
    if (h.cycles > CAIRN_WIT_MAX_CYCLES)
        return BAD("header offset 112: %llu cycles, more than the limit of 2^48",
                   (unsigned long long)h.cycles);
    uint64_t want = h.cycles == 0 ? 1 : (h.cycles - 1) / h.interval + 1;
    if (h.count != want)
        return BAD("header offset 120: %llu checkpoints, but %llu cycles every %llu make %llu",
                   (unsigned long long)h.count, (unsigned long long)h.cycles,
                   (unsigned long long)h.interval, (unsigned long long)want);
    if (h.count > (body - HDR_BYTES - CKPT_STATE_BYTES) / REC_FIXED)
        return BAD("header offset 120: %llu checkpoints cannot fit in %zu bytes",
                   (unsigned long long)h.count, bytes_len);

    size_t pos = HDR_BYTES;
    struct ckpt_state fin;
    if (!ckpt_state_decode(&fin, bytes + pos))
        return BAD("final state at offset %zu: a field is out of range", pos);
    ckpt_state_digest(d, &fin);
    if (memcmp(d, h.final_digest, 32) != 0)
        return BAD("final state at offset %zu does not match the header's final digest", pos);
    if (fin.cycles != h.cycles || fin.halt != halt || fin.exit_code != h.exit_code ||
        fin.output_len != h.output_len)
        return BAD("final state at offset %zu disagrees with the header (cycles, halt, exit code "
                   "or output length)",
                   pos);
    if ((st = check_state(&fin, &h, "final state", pos, err)) != CAIRN_OK)
        return st;
    pos += CKPT_STATE_BYTES;

    cp = ckpt_set_new(h.count);
    if (cp == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for %llu checkpoints",
                               (unsigned long long)h.count);
    cp->hdr = h;
    cp->final = fin;
    size_t page = (size_t)1 << h.page_shift;
    uint64_t npages_all = mem_size >> h.page_shift;
    for (uint64_t i = 0; i < h.count; i++) {
        struct ckpt *c = &cp->ck[i];
        if (body - pos < REC_FIXED) {
            st = BAD("checkpoint %llu at offset %zu: truncated", (unsigned long long)i, pos);
            goto out;
        }
        if (!ckpt_state_decode(&c->st, bytes + pos)) {
            st = BAD("checkpoint %llu at offset %zu: a field is out of range", (unsigned long long)i, pos);
            goto out;
        }
        memcpy(c->digest, bytes + pos + CKPT_STATE_BYTES, 32);
        ckpt_state_digest(d, &c->st);
        if (memcmp(d, c->digest, 32) != 0) {
            st = BAD("checkpoint %llu at offset %zu: digest does not match the state",
                     (unsigned long long)i, pos);
            goto out;
        }
        if (c->st.halt != CAIRN_VM_RUNNING || c->st.cycles != i * h.interval) {
            st = BAD("checkpoint %llu at offset %zu: not a running state at cycle %llu",
                     (unsigned long long)i, pos, (unsigned long long)(i * h.interval));
            goto out;
        }
        if ((st = check_state(&c->st, &h, "checkpoint", pos, err)) != CAIRN_OK)
            goto out;
        const struct ckpt_state *prev = i > 0 ? &cp->ck[i - 1].st : NULL;
        if (prev != NULL && (c->st.input_pos < prev->input_pos ||
                             c->st.output_len < prev->output_len || c->st.diag_len < prev->diag_len)) {
            st = BAD("checkpoint %llu at offset %zu: I/O counters go backwards", (unsigned long long)i, pos);
            goto out;
        }
        if (i == 0 && (c->st.input_pos != 0 || c->st.output_len != 0 || c->st.diag_len != 0)) {
            st = BAD("checkpoint 0 at offset %zu: I/O counters are not zero", pos);
            goto out;
        }
        uint32_t np = wit_get32(bytes + pos + CKPT_STATE_BYTES + 32);
        pos += REC_FIXED;
        if ((i == 0 && np != 0) || np > npages_all) {
            st = BAD("checkpoint %llu: %u pages (checkpoint 0 has none, memory has %llu)",
                     (unsigned long long)i, (unsigned)np, (unsigned long long)npages_all);
            goto out;
        }
        if ((uint64_t)np * (4 + page) > body - pos) {
            st = BAD("checkpoint %llu at offset %zu: %u pages run past the end of the file",
                     (unsigned long long)i, pos, (unsigned)np);
            goto out;
        }
        if (np > 0) {
            c->page_idx = malloc((size_t)np * sizeof *c->page_idx);
            c->pages = malloc((size_t)np * page);
            if (c->page_idx == NULL || c->pages == NULL) {
                st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory for checkpoint pages");
                goto out;
            }
        }
        c->npages = np;
        for (uint32_t k = 0; k < np; k++) {
            uint32_t idx = wit_get32(bytes + pos);
            if (idx >= npages_all || (k > 0 && idx <= c->page_idx[k - 1])) {
                st = BAD("checkpoint %llu at offset %zu: page index %u out of order or beyond "
                         "memory",
                         (unsigned long long)i, pos, (unsigned)idx);
                goto out;
            }
            c->page_idx[k] = idx;
            memcpy(c->pages + (size_t)k * page, bytes + pos + 4, page);
            pos += 4 + page;
        }
    }
    if (fin.input_pos < cp->ck[h.count - 1].st.input_pos ||
        fin.output_len < cp->ck[h.count - 1].st.output_len ||
        fin.diag_len < cp->ck[h.count - 1].st.diag_len) {
        st = BAD("final state: I/O counters behind the last checkpoint");
        goto out;
    }
    if (pos != body) {
        st = BAD("%zu unexpected bytes at offset %zu before the file digest", body - pos, pos);
        goto out;
    }
    *out = cp;
    cp = NULL;
out:
    cairn_checkpoints_free(cp);
    return st;
}

#undef BAD

/*
 * Write to a temporary file in the same directory, flush it to disk and
 * rename it over `path`, so a reader sees either the old file or the whole
 * new one, and a failure leaves nothing behind.
 */
cairn_status cairn_checkpoint_file_write(const char *path, const cairn_checkpoints *cp,
                                         cairn_error *err)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    cairn_status st = cairn_checkpoint_file_encode(&buf, &len, cp, err);
    if (st == CAIRN_OK)
        st = cairn_file_write_atomic(path, buf, len, err);
    free(buf);
    return st;
}

cairn_status cairn_checkpoint_file_read(cairn_checkpoints **out, const char *path,
                                        cairn_error *err)
{
    struct stat sb;
    uint8_t *buf = NULL;
    cairn_status st = CAIRN_OK;
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return cairn_error_set(err, CAIRN_ERR_IO, "%s: %s", path, strerror(errno));
    int have_sb = fstat(fileno(f), &sb) == 0;
    if (!have_sb || !S_ISREG(sb.st_mode)) {
        st = cairn_error_set(err, CAIRN_ERR_IO, "%s: %s", path,
                             have_sb && S_ISDIR(sb.st_mode) ? "is a directory, not a file"
                                                            : "not a regular file");
        goto out;
    }
    if ((uint64_t)sb.st_size > CAIRN_CKPT_MAX_FILE || (uint64_t)sb.st_size > SIZE_MAX) {
        st = cairn_error_set(err, CAIRN_ERR_LIMIT, "%s: larger than the limit of %llu bytes", path,
                             (unsigned long long)CAIRN_CKPT_MAX_FILE);
        goto out;
    }
    size_t len = (size_t)sb.st_size;
    buf = malloc(len ? len : 1);
    if (buf == NULL) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "%s: cannot allocate %zu bytes", path, len);
        goto out;
    }
    if (fread(buf, 1, len, f) != len) {
        st = cairn_error_set(err, CAIRN_ERR_IO, "%s: read error", path);
        goto out;
    }
    st = cairn_checkpoint_file_parse(out, buf, len, err);
out:
    fclose(f);
    free(buf);
    return st;
}
