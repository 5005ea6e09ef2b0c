/*
 * proof.c — the proof object and its versioned byte format
 * (docs/proof-format.md): an encoder, and a strict parser for untrusted
 * bytes that checks every length against the shapes the header fixes,
 * every field element for canonicity and every count against its limit,
 * allocates nothing larger than the input, and rejects trailing bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "zkvm_internal.h"

void zk_proof_init(cairn_proof *p)
{
    memset(p, 0, sizeof *p);
    cairn_sumcheck_proof_init(&p->outer);
    cairn_sumcheck_proof_init(&p->tab);
    cairn_sumcheck_proof_init(&p->mem);
    cairn_sumcheck_proof_init(&p->shift);
    for (unsigned b = 0; b < ZK_NBATCH; b++)
        cairn_pcs_opening_init(&p->open[b]);
}

void zk_proof_clear(cairn_proof *p)
{
    if (p == NULL)
        return;
    cairn_sumcheck_proof_clear(&p->outer);
    cairn_sumcheck_proof_clear(&p->tab);
    cairn_sumcheck_proof_clear(&p->mem);
    cairn_sumcheck_proof_clear(&p->shift);
    for (unsigned b = 0; b < ZK_NBATCH; b++)
        cairn_pcs_opening_clear(&p->open[b]);
    free(p->output);
    zk_proof_init(p);
}

void cairn_proof_free(cairn_proof *p)
{
    if (p == NULL)
        return;
    zk_proof_clear(p);
    free(p);
}

const cairn_zkvm_statement *cairn_proof_statement(const cairn_proof *p) { return &p->st; }
const uint8_t *cairn_proof_output(const cairn_proof *p) { return p->output; }
const cairn_zkvm_sizes *cairn_proof_sizes(const cairn_proof *p) { return &p->sizes; }
const cairn_pcs_params *cairn_proof_params(const cairn_proof *p, unsigned i)
{
    return &p->com[i < ZK_NBATCH ? i : 0].params;
}
const char *cairn_proof_batch_name(unsigned i)
{
    static const char *const names[ZK_NBATCH] = {"trace",         "multiplicities", "helpers",
                                                 "table helpers", "final memory",   "memory helpers"};
    return i < ZK_NBATCH ? names[i] : "?";
}

unsigned cairn_proof_vars(const cairn_proof *p, unsigned *table_vars)
{
    if (table_vars != NULL)
        *table_vars = p->n_tab;
    return p->n;
}

/* ---- writer ---------------------------------------------------------------------------------------- */

struct wbuf {
    uint8_t *b;
    size_t len, cap;
    int oom;
};

static uint8_t *wreserve(struct wbuf *w, size_t n)
{
    if (w->oom)
        return NULL;
    if (w->len + n > w->cap) {
        size_t nc = w->cap ? w->cap : 4096;
        while (nc < w->len + n)
            nc *= 2;
        uint8_t *nb = realloc(w->b, nc);
        if (nb == NULL) {
            w->oom = 1;
            return NULL;
        }
        w->b = nb;
        w->cap = nc;
    }
    uint8_t *p = w->b + w->len;
    w->len += n;
    return p;
}

static void put32(struct wbuf *w, uint32_t v)
{
    uint8_t *p = wreserve(w, 4);
    if (p != NULL)
        for (unsigned i = 0; i < 4; i++)
            p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(struct wbuf *w, uint64_t v)
{
    put32(w, (uint32_t)v);
    put32(w, (uint32_t)(v >> 32));
}

static void putb(struct wbuf *w, const void *d, size_t n)
{
    uint8_t *p = wreserve(w, n);
    if (p != NULL && n > 0)
        memcpy(p, d, n);
}

static void putfp2(struct wbuf *w, const cairn_fp2 *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = wreserve(w, CAIRN_FP2_BYTES);
        if (p != NULL)
            cairn_fp2_encode(p, v[i]);
    }
}

unsigned cairn_proof_format(const uint8_t *bytes, size_t len)
{
    if (bytes == NULL || len < ZK_HEADER_BYTES || memcmp(bytes, ZK_MAGIC, 8) != 0)
        return 0;
    return (unsigned)zk_get_le(bytes + 8, 4);
}

/*
 * The header and the statement block, shared by format 4 and format 5
 * (lean_file.c): magic, le32 version, then the 64-byte statement.
 */
void zk_header_encode(uint8_t out[ZK_HEADER_BYTES + ZK_STATEMENT_BYTES], uint32_t version,
                      const cairn_zkvm_statement *st)
{
    struct wbuf w = {out, 0, ZK_HEADER_BYTES + ZK_STATEMENT_BYTES, 0};
    putb(&w, ZK_MAGIC, 8);
    put32(&w, version);
    putb(&w, st->program_digest, CAIRN_SHA256_BYTES);
    put32(&w, st->entry);
    put32(&w, st->mem_log2_words);
    put64(&w, st->cycles);
    put32(&w, st->exit_code);
    put32(&w, st->output_len);
    put32(&w, st->security_target);
    put32(&w, st->security_bits);
}

cairn_status cairn_proof_encode(uint8_t **out, size_t *out_len, const cairn_proof *p, cairn_error *err)
{
    struct wbuf w = {NULL, 0, 0, 0};
    cairn_status st = CAIRN_OK;
    *out = NULL;
    *out_len = 0;
    uint8_t *h = wreserve(&w, ZK_HEADER_BYTES + ZK_STATEMENT_BYTES);
    if (h != NULL)
        zk_header_encode(h, ZK_VERSION, &p->st);
    put32(&w, p->n);
    put32(&w, p->n_tab);
    putb(&w, p->output, p->st.output_len);
    for (unsigned r = 0; r < 32; r++) {
        put32(&w, p->final_val[r]);
        put64(&w, p->final_ts[r]);
    }
    for (unsigned b = 0; b < ZK_NBATCH; b++) {
        uint8_t *q = wreserve(&w, CAIRN_PCS_COMMITMENT_BYTES);
        if (q != NULL)
            cairn_pcs_commitment_encode(q, &p->com[b]);
    }
    putfp2(&w, &p->S, 1);
    putfp2(&w, &p->MR, 1);
    putfp2(&w, p->outer.evals, p->outer.rounds * p->outer.degree);
    putfp2(&w, p->outer_evals, p->outer_evals_len);
    putfp2(&w, p->tab.evals, p->tab.rounds * p->tab.degree);
    putfp2(&w, p->tab_evals, ZK_TAB_EVALS);
    putfp2(&w, p->mem.evals, p->mem.rounds * p->mem.degree);
    putfp2(&w, p->mem_evals, ZK_MEM_EVALS);
    putfp2(&w, p->shift.evals, p->shift.rounds * p->shift.degree);
    putfp2(&w, p->shift_evals, ZK_NCOL);
    for (unsigned b = 0; b < ZK_NBATCH; b++) {
        size_t len = cairn_pcs_opening_encoded_len(&p->open[b]);
        put32(&w, (uint32_t)len);
        uint8_t *q = wreserve(&w, len);
        if (q != NULL && (st = cairn_pcs_opening_encode(q, len, &p->open[b], err)) != CAIRN_OK)
            goto out;
    }
    if (w.oom) {
        st = cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory encoding the proof");
        goto out;
    }
    *out = w.b;
    *out_len = w.len;
    w.b = NULL;
out:
    free(w.b);
    return st;
}

/* ---- reader ---------------------------------------------------------------------------------------- */

struct rbuf {
    const uint8_t *b;
    size_t len, pos;
    cairn_error *err;
};

static cairn_status need(struct rbuf *r, size_t n, const char *what)
{
    if (r->len - r->pos < n)
        return cairn_error_set(r->err, CAIRN_ERR_PARSE,
                               "proof truncated at offset %zu: %s needs %zu bytes, %zu left", r->pos,
                               what, n, r->len - r->pos);
    return CAIRN_OK;
}

static uint32_t get32(struct rbuf *r)
{
    const uint8_t *p = r->b + r->pos;
    r->pos += 4;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(struct rbuf *r)
{
    uint64_t lo = get32(r);
    return lo | (uint64_t)get32(r) << 32;
}

static cairn_status getfp2(struct rbuf *r, cairn_fp2 *out, size_t n, const char *what)
{
    cairn_status st;
    if ((st = need(r, n * CAIRN_FP2_BYTES, what)) != CAIRN_OK)
        return st;
    for (size_t i = 0; i < n; i++) {
        if (cairn_fp2_decode(&out[i], r->b + r->pos, NULL) != CAIRN_OK)
            return cairn_error_set(r->err, CAIRN_ERR_PARSE,
                                   "proof offset %zu: %s element %zu is not a canonical field element",
                                   r->pos, what, i);
        r->pos += CAIRN_FP2_BYTES;
    }
    return CAIRN_OK;
}

static cairn_status get_sumcheck(struct rbuf *r, cairn_sumcheck_proof *sc, size_t rounds,
                                 size_t degree, const char *what)
{
    cairn_status st;
    size_t n = rounds * degree;
    if ((st = need(r, n * CAIRN_FP2_BYTES, what)) != CAIRN_OK)
        return st;
    sc->evals = malloc(n * sizeof *sc->evals);
    if (sc->evals == NULL)
        return cairn_error_set(r->err, CAIRN_ERR_NOMEM, "out of memory parsing the proof");
    sc->rounds = rounds;
    sc->degree = degree;
    return getfp2(r, sc->evals, n, what);
}


/*
 * The header and the statement block of format 4 or 5 (zk_header_encode),
 * strictly: the magic, the version (another is refused by number), then
 * the statement's ranges.
 */
cairn_status zk_header_decode(cairn_zkvm_statement *s, const uint8_t *b, size_t len,
                              uint32_t version, uint64_t max_rows, cairn_error *err)
{
    cairn_error local;
    struct rbuf rb = {b, len, 0, err != NULL ? err : &local}, *r = &rb;
    cairn_status st;
    if ((st = need(r, ZK_HEADER_BYTES, "header")) != CAIRN_OK)
        return st;
    if (memcmp(r->b, ZK_MAGIC, 8) != 0)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "not a cairn proof (bad magic at offset 0)");
    r->pos = 8;
    uint32_t v = get32(r);
    if (v != version && (v == 4 || v == 5))
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "a format-%u proof where format %u was expected at offset 8", v,
                               version);
    if (v != version)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "proof format version %u is not supported (this cairn reads "
                               "versions 4 and 5)",
                               v);
    if ((st = need(r, ZK_STATEMENT_BYTES, "statement")) != CAIRN_OK)
        return st;
    memcpy(s->program_digest, r->b + r->pos, CAIRN_SHA256_BYTES);
    r->pos += CAIRN_SHA256_BYTES;
    s->entry = get32(r);
    s->mem_log2_words = get32(r);
    s->cycles = get64(r);
    s->exit_code = get32(r);
    s->output_len = get32(r);
    s->security_target = get32(r);
    s->security_bits = get32(r);
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

static cairn_status decode(cairn_proof *p, struct rbuf *r)
{
    cairn_status st;
    if ((st = zk_header_decode(&p->st, r->b, r->len, ZK_VERSION, CAIRN_ZKVM_MAX_CYCLES, r->err)) !=
        CAIRN_OK)
        return st;
    p->sizes.header = ZK_HEADER_BYTES;
    size_t at = r->pos = ZK_HEADER_BYTES;
    r->pos += ZK_STATEMENT_BYTES;
    if ((st = need(r, 8, "shapes")) != CAIRN_OK)
        return st;
    cairn_zkvm_statement *s = &p->st;
    p->n = get32(r);
    p->n_tab = get32(r);
    if (p->n != zk_vars_for(s->cycles))
        return cairn_error_set(r->err, CAIRN_ERR_PARSE,
                               "header: %u variables for %llu rows (expected %u)", p->n,
                               (unsigned long long)s->cycles, (unsigned)zk_vars_for(s->cycles));
    if (p->n_tab < ZK_LTAB_VARS || p->n_tab > ZK_MAX_VARS)
        return cairn_error_set(r->err, CAIRN_ERR_PARSE, "header: table variables %u out of range",
                               p->n_tab);
    if (s->output_len > 0) {
        if ((st = need(r, s->output_len, "public output")) != CAIRN_OK)
            return st;
        if ((p->output = malloc(s->output_len)) == NULL)
            return cairn_error_set(r->err, CAIRN_ERR_NOMEM, "out of memory parsing the proof");
        memcpy(p->output, r->b + r->pos, s->output_len);
        r->pos += s->output_len;
    }
    p->sizes.statement = r->pos - at;
    at = r->pos;
    if ((st = need(r, 32 * 12, "final registers")) != CAIRN_OK)
        return st;
    for (unsigned i = 0; i < 32; i++) {
        p->final_val[i] = get32(r);
        p->final_ts[i] = get64(r);
        if (p->final_ts[i] > 4 * (UINT64_C(1) << p->n))
            return cairn_error_set(r->err, CAIRN_ERR_PARSE,
                                   "final register x%u: timestamp %llu beyond the trace", i,
                                   (unsigned long long)p->final_ts[i]);
    }
    p->sizes.registers = r->pos - at;
    at = r->pos;
    for (unsigned b = 0; b < ZK_NBATCH; b++) {
        if ((st = need(r, CAIRN_PCS_COMMITMENT_BYTES, "commitment")) != CAIRN_OK)
            return st;
        cairn_error inner;
        if (cairn_pcs_commitment_decode(&p->com[b], r->b + r->pos, CAIRN_PCS_COMMITMENT_BYTES,
                                        &inner) != CAIRN_OK)
            return cairn_error_set(r->err, CAIRN_ERR_PARSE, "commitment %u (%s) at offset %zu: %s", b,
                                   cairn_proof_batch_name(b), r->pos, inner.msg);
        r->pos += CAIRN_PCS_COMMITMENT_BYTES;
    }
    p->sizes.commitments = r->pos - at;
    at = r->pos;
    if ((st = getfp2(r, &p->S, 1, "lookup sum")) != CAIRN_OK ||
        (st = getfp2(r, &p->MR, 1, "RAM sum")) != CAIRN_OK)
        return st;
    size_t sc_bytes = 0, ev_bytes = 2 * CAIRN_FP2_BYTES;
    size_t pos0 = r->pos;
    if ((st = get_sumcheck(r, &p->outer, p->n, ZK_OUTER_DEGREE, "outer sum-check")) != CAIRN_OK)
        return st;
    sc_bytes += r->pos - pos0, pos0 = r->pos;
    p->outer_evals_len = ZK_OUTER_EVALS;
    if ((st = getfp2(r, p->outer_evals, p->outer_evals_len, "outer evaluations")) != CAIRN_OK)
        return st;
    ev_bytes += r->pos - pos0, pos0 = r->pos;
    if ((st = get_sumcheck(r, &p->tab, p->n_tab, ZK_TAB_DEGREE, "table sum-check")) != CAIRN_OK)
        return st;
    sc_bytes += r->pos - pos0, pos0 = r->pos;
    if ((st = getfp2(r, p->tab_evals, ZK_TAB_EVALS, "table evaluations")) != CAIRN_OK)
        return st;
    ev_bytes += r->pos - pos0, pos0 = r->pos;
    if ((st = get_sumcheck(r, &p->mem, s->mem_log2_words, ZK_MEM_DEGREE, "memory sum-check")) !=
        CAIRN_OK)
        return st;
    sc_bytes += r->pos - pos0, pos0 = r->pos;
    if ((st = getfp2(r, p->mem_evals, ZK_MEM_EVALS, "memory evaluations")) != CAIRN_OK)
        return st;
    ev_bytes += r->pos - pos0, pos0 = r->pos;
    if ((st = get_sumcheck(r, &p->shift, p->n, 2, "shift sum-check")) != CAIRN_OK)
        return st;
    sc_bytes += r->pos - pos0, pos0 = r->pos;
    if ((st = getfp2(r, p->shift_evals, ZK_NCOL, "shift evaluations")) != CAIRN_OK)
        return st;
    ev_bytes += r->pos - pos0;
    p->sizes.sumchecks = sc_bytes;
    p->sizes.evaluations = ev_bytes;
    at = r->pos;
    static const size_t points[ZK_NBATCH] = {2, 1, 1, 1, 1, 1};
    for (unsigned b = 0; b < ZK_NBATCH; b++) {
        if ((st = need(r, 4, "opening length")) != CAIRN_OK)
            return st;
        size_t len = get32(r);
        if ((st = need(r, len, "opening")) != CAIRN_OK)
            return st;
        cairn_error inner;
        st = cairn_pcs_opening_decode(&p->open[b], r->b + r->pos, len, &p->com[b].params, points[b],
                                      &inner);
        if (st == CAIRN_ERR_NOMEM)
            return cairn_error_set(r->err, st, "out of memory parsing opening %u", b);
        if (st != CAIRN_OK)
            return cairn_error_set(r->err, CAIRN_ERR_PARSE, "opening %u (%s) at offset %zu: %s", b,
                                   cairn_proof_batch_name(b), r->pos, inner.msg);
        r->pos += len;
        p->sizes.opening[b] = len + 4;
    }
    p->sizes.openings = r->pos - at;
    if (r->pos != r->len)
        return cairn_error_set(r->err, CAIRN_ERR_PARSE,
                               "%zu trailing byte%s after the proof at offset %zu", r->len - r->pos,
                               r->len - r->pos == 1 ? "" : "s", r->pos);
    p->sizes.total = r->len;
    return CAIRN_OK;
}

cairn_status cairn_proof_decode(cairn_proof **out, const uint8_t *bytes, size_t bytes_len,
                                cairn_error *err)
{
    cairn_error local;
    struct rbuf r = {bytes, bytes_len, 0, err != NULL ? err : &local};
    *out = NULL;
    if (bytes_len > CAIRN_PROOF_MAX_BYTES)
        return cairn_error_set(err, CAIRN_ERR_LIMIT, "proof of %zu bytes exceeds the limit of %zu",
                               bytes_len, CAIRN_PROOF_MAX_BYTES);
    cairn_proof *p = malloc(sizeof *p);
    if (p == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory parsing the proof");
    zk_proof_init(p);
    cairn_status st = decode(p, &r);
    if (st != CAIRN_OK) {
        cairn_proof_free(p);
        return st;
    }
    *out = p;
    return CAIRN_OK;
}
