/*
 * lean_codec.c — the lean proof's byte format (the body of proof format 5,
 * docs/zkvm-v2.md "Byte format of the lean proof"): an encoder, a strict
 * parser for untrusted bytes, and the size of each part.
 *
 * The layout is written once, in layout(): a list of parts in protocol
 * order, each one line naming its bytes, its length and where it lives in
 * zl_proof.  Three passes walk that list: counting (zl_proof_size),
 * writing (zl_proof_encode) and reading (zl_proof_decode), so the three
 * cannot drift apart, and a new part (a claim-reduction sum-check, more
 * values sent with an opening) is one more line there.
 *
 * Every length follows from the shape the verifier derives from the
 * statement (n, k, kb: zl_shape) and from constants of the stages, except
 * the two PCS openings, whose Merkle sibling counts vary: each is prefixed
 * by its le32 length, checked against the bytes left, and parsed strictly
 * against its commitment's parameters (which the commitment's parser has
 * validated).  Every part is checked to fit in what is left before
 * anything is allocated for it, so nothing allocated is larger than the
 * input.  Field elements are canonical (cairn_fp2_decode and the
 * sub-parsers reject others); a decoded proof re-encodes to its input.
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/zkvm.h"
#include "zkvm_internal.h"

/* ---- the three passes over the layout ----------------------------------------------------- */

enum pass { COUNT, WRITE, READ };

struct io {
    enum pass pass;
    uint8_t *b;      /* WRITE: the output; READ: the input (never written) */
    size_t len, pos; /* the buffer's length; the offset reached */
    size_t at;       /* where the last part room() gave starts */
    const zl_shape *sh;
    unsigned stage; /* COUNT: the stage the next parts count towards */
    size_t stages[5];
    zl_part *parts; /* COUNT (optional): each part's extent */
    size_t parts_len, parts_max;
    cairn_status st;
    cairn_error *err;
};

/*
 * Room for a part of `len` bytes at the current offset: NULL when an
 * earlier part failed or (READ) the input is too short, which sets the
 * error; COUNT counts and returns NULL too.
 */
static uint8_t *room(struct io *io, size_t len, const char *what)
{
    if (io->st != CAIRN_OK)
        return NULL;
    if (io->pass == COUNT) {
        zl_part *last = io->parts_len ? &io->parts[io->parts_len - 1] : NULL;
        if (last != NULL && strcmp(last->name, what) == 0)
            last->len += len;
        else if (io->parts != NULL && io->parts_len < io->parts_max && len > 0)
            io->parts[io->parts_len++] = (zl_part){what, io->pos, len}; /* empty parts: none */
        io->pos += len;
        io->stages[io->stage] += len;
        return NULL;
    }
    if (io->len - io->pos < len) {
        io->st = cairn_error_set(io->err, io->pass == READ ? CAIRN_ERR_PARSE : CAIRN_ERR_INTERNAL,
                                 "lean proof truncated at offset %zu: %s needs %zu bytes, %zu left",
                                 io->pos, what, len, io->len - io->pos);
        return NULL;
    }
    io->at = io->pos;
    io->pos += len;
    return io->b + io->at;
}

/*
 * A sub-encoder's or sub-parser's answer for the part room() gave last:
 * the message is rewritten to name the part and its offset (a malformed
 * part is a parse error whatever the sub-parser called it, but for the
 * memory it could not get).
 */
static void inner(struct io *io, cairn_status st, const cairn_error *e, const char *what)
{
    if (st == CAIRN_OK || io->st != CAIRN_OK)
        return;
    if (io->pass == READ && st != CAIRN_ERR_NOMEM && st != CAIRN_ERR_ARG)
        st = CAIRN_ERR_PARSE;
    io->st = cairn_error_set(io->err, st, "lean proof: %s at offset %zu: %s", what, io->at, e->msg);
}

/* A little-endian integer of `bytes` bytes. */
static void io_uint(struct io *io, const char *what, uint64_t *v, unsigned bytes)
{
    uint8_t *b = room(io, bytes, what);
    if (b == NULL)
        return;
    if (io->pass == WRITE)
        zk_put_le(b, *v, bytes);
    else
        *v = zk_get_le(b, bytes);
}

/* len extension elements at v (storage the caller's). */
static void io_fp2_at(struct io *io, const char *what, cairn_fp2 *v, size_t len)
{
    uint8_t *b = room(io, len * CAIRN_FP2_BYTES, what);
    if (b == NULL)
        return;
    for (size_t i = 0; i < len; i++, b += CAIRN_FP2_BYTES) {
        if (io->pass == WRITE) {
            cairn_fp2_encode(b, v[i]);
        } else if (cairn_fp2_decode(&v[i], b, NULL) != CAIRN_OK) {
            io->st = cairn_error_set(io->err, CAIRN_ERR_PARSE,
                                     "lean proof: %s at offset %zu: element %zu is not a canonical "
                                     "field element",
                                     what, io->at + i * CAIRN_FP2_BYTES, i);
            return;
        }
    }
}

/*
 * A vector of `want` extension elements the proof owns (*v, *len): its
 * length is the shape's, checked when writing, allocated when reading
 * (after room for it was found).
 */
static void io_fp2_vec(struct io *io, const char *what, cairn_fp2 **v, size_t *len, size_t want)
{
    if (io->st != CAIRN_OK)
        return;
    if (io->pass == WRITE && *len != want) {
        io->st = cairn_error_set(io->err, CAIRN_ERR_ARG,
                                 "lean proof encode: %s has %zu values, the shape gives %zu", what,
                                 *len, want);
        return;
    }
    if (io->pass == READ) {
        if (io->len - io->pos < want * CAIRN_FP2_BYTES) {
            room(io, want * CAIRN_FP2_BYTES, what); /* the truncation error */
            return;
        }
        free(*v);
        *len = 0;
        if ((*v = malloc(want * sizeof **v + 1)) == NULL) {
            io->st =
                cairn_error_set(io->err, CAIRN_ERR_NOMEM, "out of memory parsing the %s", what);
            return;
        }
        *len = want;
    }
    io_fp2_at(io, what, *v, want);
}

static void io_commitment(struct io *io, const char *what, cairn_pcs_commitment *c)
{
    uint8_t *b = room(io, CAIRN_PCS_COMMITMENT_BYTES, what);
    cairn_error e;
    if (b == NULL)
        return;
    if (io->pass == WRITE)
        cairn_pcs_commitment_encode(b, c);
    else
        inner(io, cairn_pcs_commitment_decode(c, b, CAIRN_PCS_COMMITMENT_BYTES, &e), &e, what);
}

static void io_sumcheck(struct io *io, const char *what, cairn_sumcheck_proof *sc, size_t rounds,
                        size_t degree)
{
    size_t len = cairn_sumcheck_proof_size(rounds, degree);
    uint8_t *b = room(io, len, what);
    cairn_error e;
    if (b != NULL)
        inner(io,
              io->pass == WRITE ? cairn_sumcheck_proof_encode(b, len, sc, &e)
                                : cairn_sumcheck_proof_decode(sc, b, len, rounds, degree, &e),
              &e, what);
}

static void io_gkr(struct io *io, const char *what, cairn_gkr_proof *g, const size_t *vars,
                   size_t inst_len)
{
    size_t len = cairn_gkr_proof_size(vars, inst_len);
    uint8_t *b = room(io, len, what);
    cairn_error e;
    if (b != NULL)
        inner(io,
              io->pass == WRITE ? cairn_gkr_proof_encode(b, len, g, &e)
                                : cairn_gkr_proof_decode(g, b, len, vars, inst_len, &e),
              &e, what);
}

static void io_logup(struct io *io, const char *what, cairn_logup_star_proof *lp, size_t n,
                     size_t kappa, size_t m)
{
    size_t len = cairn_logup_star_batch_proof_size(n, kappa, m);
    uint8_t *b = room(io, len, what);
    cairn_error e;
    if (b != NULL)
        inner(io,
              io->pass == WRITE ? cairn_logup_star_batch_proof_encode(b, len, lp, n, kappa, m, &e)
                                : cairn_logup_star_batch_proof_decode(lp, b, len, n, kappa, m, &e),
              &e, what);
}

/* A PCS opening: le32 length, then the opening, strict against its commitment's parameters. */
static void io_opening(struct io *io, const char *what, cairn_pcs_opening *op,
                       const cairn_pcs_params *params, size_t points)
{
    uint64_t len = io->pass == READ ? 0 : cairn_pcs_opening_encoded_len(op);
    if (io->pass == WRITE && len > UINT32_MAX && io->st == CAIRN_OK)
        io->st = cairn_error_set(io->err, CAIRN_ERR_ARG, "lean proof encode: %s of %llu bytes",
                                 what, (unsigned long long)len);
    io_uint(io, what, &len, 4);
    uint8_t *b = room(io, (size_t)len, what);
    cairn_error e;
    if (b != NULL)
        inner(io,
              io->pass == WRITE ? cairn_pcs_opening_encode(b, (size_t)len, op, &e)
                                : cairn_pcs_opening_decode(op, b, (size_t)len, params, points, &e),
              &e, what);
}

/* The final registers: for x0 .. x31 le32 value, le64 timestamp (at most 4 * 2^n). */
static void io_registers(struct io *io, uint32_t val[32], uint64_t ts[32])
{
    for (unsigned r = 0; r < 32 && io->st == CAIRN_OK; r++) {
        uint64_t v = val[r];
        size_t at = io->pos;
        io_uint(io, "final registers", &v, 4);
        io_uint(io, "final registers", &ts[r], 8);
        if (io->pass != READ || io->st != CAIRN_OK)
            continue;
        val[r] = (uint32_t)v;
        if (ts[r] > (UINT64_C(4) << io->sh->n))
            io->st = cairn_error_set(io->err, CAIRN_ERR_PARSE,
                                     "lean proof: final register x%u at offset %zu: timestamp "
                                     "%llu beyond the trace",
                                     r, at, (unsigned long long)ts[r]);
    }
}

/* ---- the layout --------------------------------------------------------------------------- */

/*
 * The parts in order (docs/zkvm-v2.md lists them with their sizes).  The
 * stage numbers group them for zl_proof_size: zero-check, memory, shift,
 * lookups, openings.
 */
static void layout(struct io *io, zl_proof *p)
{
    const zl_shape *sh = io->sh;
    size_t vars[ZL_NMEM + 2], sent[2], slots[2], rvars[2], len;
    cairn_error e;
    for (unsigned j = 0; j < ZL_NMEM; j++)
        vars[j] = sh->n;
    vars[ZL_NMEM] = vars[ZL_NMEM + 1] = sh->k;
    inner(io, zl_open_lens(sent, slots, rvars, sh, &e), &e, "shape");

    uint64_t bits = p->security_bits;
    io->stage = 4;
    io_uint(io, "security bits", &bits, 4);
    if (io->pass == READ)
        p->security_bits = (unsigned)bits; /* the verifier recomputes it (zl_verify) */
    io_commitment(io, "phase-1 commitment", &p->c1);
    io->stage = 0;
    io_sumcheck(io, "zero-check sum-check", &p->zc.sc, sh->n, ZL_ZC_DEGREE);
    io_fp2_vec(io, "zero-check values", &p->zc.vals, &p->zc.len, zl_zc_used(NULL));
    io->stage = 1;
    io_registers(io, p->fin_val, p->fin_ts);
    io_uint(io, "memory nonce", &p->mem.nonce, 8);
    io_gkr(io, "memory GKR", &p->mem.gkr, vars, ZL_NMEM + 2);
    io_fp2_at(io, "memory values", p->mem.vals, ZL_MEM_VALS);
    io_fp2_at(io, "final memory values", p->mem.fin, 2);
    io->stage = 2;
    io_sumcheck(io, "shift sum-check", &p->sh.sc, sh->n, ZL_SHIFT_DEGREE);
    io_fp2_at(io, "shift values", p->sh.vals, ZL_SHIFT_VALS);
    io->stage = 3;
    io_fp2_vec(io, "lookup extra values", &p->lk.extra, &p->lk.extra_len, zl_lk_extra_len());
    io->stage = 4;
    io_commitment(io, "phase-2 commitment", &p->c2);
    io->stage = 3;
    io_logup(io, "U lookup", &p->lk.u, sh->n, ZU_VARS, ZL_NUCELL);
    io_logup(io, "B lookup", &p->lk.b, sh->n, sh->kb, 1);
    io->stage = 4;
    io_fp2_vec(io, "phase-1 sent values", &p->ex1, &p->ex1_len, sent[0]);
    io_sumcheck(io, "phase-1 claim reduction", &p->rd1, rvars[0], ZL_RD_DEGREE);
    io_fp2_vec(io, "phase-1 slot values", &p->at1, &p->at1_len, slots[0]);
    io_opening(io, "phase-1 opening", &p->op1, &p->c1.params, 1);
    io_fp2_vec(io, "phase-2 sent values", &p->ex2, &p->ex2_len, sent[1]);
    io_sumcheck(io, "phase-2 claim reduction", &p->rd2, rvars[1], ZL_RD_DEGREE);
    io_fp2_vec(io, "phase-2 slot values", &p->at2, &p->at2_len, slots[1]);
    io_opening(io, "phase-2 opening", &p->op2, &p->c2.params, 1);

    len = io->pass == READ ? io->len : io->pos;
    if (io->st == CAIRN_OK && io->pos != len)
        io->st = cairn_error_set(io->err, CAIRN_ERR_PARSE,
                                 "%zu trailing byte%s after the lean proof at offset %zu",
                                 len - io->pos, len - io->pos == 1 ? "" : "s", io->pos);
}

/* ---- entry points ------------------------------------------------------------------------- */

/* Shapes the sub-formats take (each part's size must not overflow). */
static cairn_status shape_check(const zl_shape *sh, cairn_error *err)
{
    if (sh->n < 1 || sh->n > CAIRN_GKR_MAX_VARS || sh->k > CAIRN_GKR_MAX_VARS ||
        sh->kb > CAIRN_GKR_MAX_VARS)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "lean proof: shape n = %zu, k = %u, kb = %u out of range", sh->n,
                               sh->k, sh->kb);
    return CAIRN_OK;
}

size_t zl_proof_size(const zl_proof *p, size_t parts[5])
{
    cairn_error err;
    struct io io = {COUNT, NULL, 0, 0, 0, &p->shape, 0, {0}, NULL, 0, 0, CAIRN_OK, &err};
    if (shape_check(&p->shape, &err) == CAIRN_OK)
        layout(&io, (zl_proof *)p); /* COUNT reads only the openings' lengths */
    if (io.st != CAIRN_OK)
        memset(io.stages, 0, sizeof io.stages), io.pos = 0;
    if (parts != NULL)
        memcpy(parts, io.stages, sizeof io.stages);
    return io.pos;
}

size_t zl_proof_parts(zl_part *out, size_t max, const zl_proof *p)
{
    cairn_error err;
    struct io io = {COUNT, NULL, 0, 0, 0, &p->shape, 0, {0}, out, 0, max, CAIRN_OK, &err};
    if (shape_check(&p->shape, &err) == CAIRN_OK)
        layout(&io, (zl_proof *)p);
    return io.st == CAIRN_OK ? io.parts_len : 0;
}

cairn_status zl_proof_encode(uint8_t **out, size_t *out_len, const zl_proof *p, cairn_error *err)
{
    cairn_status st;
    *out = NULL;
    *out_len = 0;
    if ((st = shape_check(&p->shape, err)) != CAIRN_OK)
        return st;
    size_t len = zl_proof_size(p, NULL);
    uint8_t *b = malloc(len ? len : 1);
    if (b == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory encoding the lean proof");
    struct io io = {WRITE, b, len, 0, 0, &p->shape, 0, {0}, NULL, 0, 0, CAIRN_OK, err};
    layout(&io, (zl_proof *)p); /* WRITE only reads p */
    if (io.st == CAIRN_OK && len == 0)
        io.st = cairn_error_set(err, CAIRN_ERR_ARG, "lean proof encode: the shape fits no proof");
    if (io.st != CAIRN_OK) {
        free(b);
        return io.st;
    }
    *out = b;
    *out_len = len;
    return CAIRN_OK;
}

cairn_status zl_proof_decode(zl_proof *p, const uint8_t *b, size_t len, const zl_shape *sh,
                             cairn_error *err)
{
    cairn_status st;
    zl_proof_clear(p);
    zl_proof_init(p);
    if ((st = shape_check(sh, err)) != CAIRN_OK)
        return st;
    if (len > CAIRN_PROOF_MAX_BYTES)
        return cairn_error_set(err, CAIRN_ERR_LIMIT,
                               "lean proof of %zu bytes exceeds the limit of %zu", len,
                               CAIRN_PROOF_MAX_BYTES);
    cairn_error local;
    /* READ never writes through io.b */
    cairn_error *e = err != NULL ? err : &local;
    struct io io = {READ, (uint8_t *)b, len, 0, 0, sh, 0, {0}, NULL, 0, 0, CAIRN_OK, e};
    layout(&io, p);
    if (io.st != CAIRN_OK) {
        zl_proof_clear(p);
        zl_proof_init(p);
        return io.st;
    }
    p->p1 = p->c1.params;
    p->p2 = p->c2.params;
    p->shape = *sh;
    return CAIRN_OK;
}
