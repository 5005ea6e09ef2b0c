/*
 * transcript.c — the Fiat–Shamir transcript (include/cairn/transcript.h).
 *
 * One chaining value S; every operation is
 *     S <- SHA-256(S || tag || le64(|label|) || label || le64(|payload|) || payload)
 * (the tags are in hash_internal.h).  A squeeze first chains with its own
 * tag and a payload that fixes its shape (count, bound), then reads the
 * output stream block_j = SHA-256(S || 0xFF || le64(j)) as little-endian
 * 64-bit words, accepting them by the rejection rules of hash_internal.h.
 * The stream is a function of the new S only, and S is chained again by
 * the next operation, so no output is ever reused.
 *
 * Proof of work binds the nonce to S and the label through the prefix
 * P = SHA-256(S || 0x20 || le64(|label|) || label || le64(8) || le64(bits))
 * and then absorbs (bits, nonce) with tag 0x21.  The prover returns the
 * smallest valid nonce, also when searching with several threads, so the
 * proof bytes do not depend on the thread count.
 *
 * Reference: the byte-level specification is docs/hashing.md, which the
 * tests re-implement from cairn_sha256 calls alone.
 */
#include "cairn/transcript.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "hash_internal.h"

/* Most threads a grind will start, and how many nonces one takes at a time. */
#define MAX_GRIND_THREADS 64u
#define GRIND_CHUNK       UINT64_C(4096)
/* Up to this many distinct indices are checked by a linear scan, above by a hash set. */
#define DISTINCT_SCAN_MAX 32u

/* ---- the chaining step ---------------------------------------------------- */

/*
 * Start one chained hash: ctx = SHA-256 state after S || tag ||
 * le64(|label|) || label || le64(payload_len).  The caller appends exactly
 * payload_len payload bytes and finishes with chain_end or chain_final.
 */
static void chain_begin(cairn_sha256_ctx *ctx, const cairn_transcript *t, uint8_t tag,
                        const char *label, uint64_t payload_len)
{
    uint8_t len[8];
    size_t label_len = label != NULL ? strlen(label) : 0;
    cairn_sha256_init(ctx);
    cairn_sha256_update(ctx, t->state, sizeof t->state);
    cairn_sha256_update(ctx, &tag, 1);
    hash_store_le64(len, (uint64_t)label_len);
    cairn_sha256_update(ctx, len, sizeof len);
    cairn_sha256_update(ctx, label, label_len);
    hash_store_le64(len, payload_len);
    cairn_sha256_update(ctx, len, sizeof len);
}

/* Finish a chained hash into S. */
static void chain_end(cairn_sha256_ctx *ctx, cairn_transcript *t)
{
    cairn_sha256_final(t->state, ctx);
}

/* The whole step for a payload already in one buffer. */
static void chain(cairn_transcript *t, uint8_t tag, const char *label, const void *payload,
                  size_t payload_len)
{
    cairn_sha256_ctx ctx;
    chain_begin(&ctx, t, tag, label, (uint64_t)payload_len);
    cairn_sha256_update(&ctx, payload, payload_len);
    chain_end(&ctx, t);
}

void cairn_transcript_init(cairn_transcript *t, const char *domain)
{
    memset(t->state, 0, sizeof t->state);
    chain(t, HASH_TAG_INIT, CAIRN_TRANSCRIPT_PROTOCOL, domain, domain != NULL ? strlen(domain) : 0);
}

/* ---- absorb ------------------------------------------------------------------ */

void cairn_transcript_absorb_bytes(cairn_transcript *t, const char *label, const void *data,
                                   size_t data_len)
{
    chain(t, HASH_TAG_ABSORB_BYTES, label, data, data_len);
}

void cairn_transcript_absorb_u64(cairn_transcript *t, const char *label, uint64_t v)
{
    uint8_t b[8];
    hash_store_le64(b, v);
    chain(t, HASH_TAG_ABSORB_U64, label, b, sizeof b);
}

void cairn_transcript_absorb_fp(cairn_transcript *t, const char *label, cairn_fp a)
{
    cairn_transcript_absorb_fp_vec(t, label, &a, 1);
}

/* The payload length is 8 * v_len; elements are encoded and hashed one at a time. */
void cairn_transcript_absorb_fp_vec(cairn_transcript *t, const char *label, const cairn_fp *v,
                                    size_t v_len)
{
    cairn_sha256_ctx ctx;
    chain_begin(&ctx, t, HASH_TAG_ABSORB_FP, label, (uint64_t)v_len * CAIRN_FP_BYTES);
    for (size_t i = 0; i < v_len; i++) {
        uint8_t b[CAIRN_FP_BYTES];
        cairn_fp_encode(b, v[i]);
        cairn_sha256_update(&ctx, b, sizeof b);
    }
    chain_end(&ctx, t);
}

void cairn_transcript_absorb_fp2(cairn_transcript *t, const char *label, cairn_fp2 a)
{
    cairn_transcript_absorb_fp2_vec(t, label, &a, 1);
}

void cairn_transcript_absorb_fp2_vec(cairn_transcript *t, const char *label, const cairn_fp2 *v,
                                     size_t v_len)
{
    cairn_sha256_ctx ctx;
    chain_begin(&ctx, t, HASH_TAG_ABSORB_FP2, label, (uint64_t)v_len * CAIRN_FP2_BYTES);
    for (size_t i = 0; i < v_len; i++) {
        uint8_t b[CAIRN_FP2_BYTES];
        cairn_fp2_encode(b, v[i]);
        cairn_sha256_update(&ctx, b, sizeof b);
    }
    chain_end(&ctx, t);
}

void cairn_transcript_absorb_digest(cairn_transcript *t, const char *label, const cairn_digest *d)
{
    chain(t, HASH_TAG_ABSORB_DIGEST, label, d->bytes, sizeof d->bytes);
}

/* ---- the output stream --------------------------------------------------------- */

struct stream {
    uint8_t seed[CAIRN_SHA256_BYTES]; /* S after the squeeze's own chaining step */
    uint64_t next_block;              /* j of the next block to compute */
    uint8_t block[CAIRN_SHA256_BYTES];
    unsigned used; /* bytes of block already consumed */
};

static void stream_start(struct stream *s, const cairn_transcript *t)
{
    memcpy(s->seed, t->state, sizeof s->seed);
    s->next_block = 0;
    s->used = sizeof s->block; /* empty: the first read computes block 0 */
}

static void stream_refill(struct stream *s)
{
    uint8_t buf[CAIRN_SHA256_BYTES + 1 + 8];
    memcpy(buf, s->seed, CAIRN_SHA256_BYTES);
    buf[CAIRN_SHA256_BYTES] = HASH_TAG_OUTPUT;
    hash_store_le64(buf + CAIRN_SHA256_BYTES + 1, s->next_block++);
    cairn_sha256(s->block, buf, sizeof buf);
    s->used = 0;
}

/* The next 64-bit word of the stream (blocks hold four, little-endian). */
static uint64_t stream_word(struct stream *s)
{
    if (s->used == sizeof s->block)
        stream_refill(s);
    uint64_t w = hash_load_le64(s->block + s->used);
    s->used += 8;
    return w;
}

static cairn_fp stream_fp(struct stream *s)
{
    cairn_fp r;
    while (!hash_sample_fp(&r, stream_word(s))) {
    }
    return r;
}

static size_t stream_index(struct stream *s, size_t bound)
{
    uint64_t r;
    while (!hash_sample_index(&r, stream_word(s), (uint64_t)bound)) {
    }
    return (size_t)r;
}

/* ---- squeeze ------------------------------------------------------------------ */

void cairn_transcript_squeeze_bytes(uint8_t *out, size_t out_len, cairn_transcript *t,
                                    const char *label)
{
    uint8_t p[8];
    struct stream s;
    hash_store_le64(p, (uint64_t)out_len);
    chain(t, HASH_TAG_SQUEEZE_BYTES, label, p, sizeof p);
    stream_start(&s, t);
    for (size_t off = 0; off < out_len;) {
        stream_refill(&s);
        size_t n = out_len - off < sizeof s.block ? out_len - off : sizeof s.block;
        memcpy(out + off, s.block, n);
        off += n;
    }
}

void cairn_transcript_squeeze_fp_vec(cairn_fp *out, size_t out_len, cairn_transcript *t,
                                     const char *label)
{
    uint8_t p[8];
    struct stream s;
    hash_store_le64(p, (uint64_t)out_len);
    chain(t, HASH_TAG_SQUEEZE_FP, label, p, sizeof p);
    stream_start(&s, t);
    for (size_t i = 0; i < out_len; i++)
        out[i] = stream_fp(&s);
}

cairn_fp cairn_transcript_squeeze_fp(cairn_transcript *t, const char *label)
{
    cairn_fp r;
    cairn_transcript_squeeze_fp_vec(&r, 1, t, label);
    return r;
}

void cairn_transcript_squeeze_fp2_vec(cairn_fp2 *out, size_t out_len, cairn_transcript *t,
                                      const char *label)
{
    uint8_t p[8];
    struct stream s;
    hash_store_le64(p, (uint64_t)out_len);
    chain(t, HASH_TAG_SQUEEZE_FP2, label, p, sizeof p);
    stream_start(&s, t);
    for (size_t i = 0; i < out_len; i++) {
        cairn_fp c0 = stream_fp(&s);
        cairn_fp c1 = stream_fp(&s);
        out[i] = cairn_fp2_make(c0, c1);
    }
}

cairn_fp2 cairn_transcript_squeeze_fp2(cairn_transcript *t, const char *label)
{
    cairn_fp2 r;
    cairn_transcript_squeeze_fp2_vec(&r, 1, t, label);
    return r;
}

cairn_status cairn_transcript_squeeze_indices(size_t *out, size_t out_len, cairn_transcript *t,
                                              const char *label, size_t bound, cairn_error *err)
{
    uint8_t p[16];
    struct stream s;
    if (bound == 0)
        return cairn_error_set(err, CAIRN_ERR_ARG, "transcript squeeze indices '%s': bound is 0",
                               label != NULL ? label : "");
    if (out == NULL && out_len != 0)
        return cairn_error_set(err, CAIRN_ERR_ARG, "transcript squeeze indices '%s': out is NULL",
                               label != NULL ? label : "");
    hash_store_le64(p, (uint64_t)bound);
    hash_store_le64(p + 8, (uint64_t)out_len);
    chain(t, HASH_TAG_SQUEEZE_INDICES, label, p, sizeof p);
    stream_start(&s, t);
    for (size_t i = 0; i < out_len; i++)
        out[i] = stream_index(&s, bound);
    return CAIRN_OK;
}

/* Fibonacci hashing into a table of 2^log_cap slots. */
static size_t set_slot(size_t v, unsigned log_cap)
{
    return (size_t)(((uint64_t)v * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - log_cap));
}

/* Insert v into the open-addressing set (empty slots hold SIZE_MAX); return 1 if it was new. */
static int set_insert(size_t *set, unsigned log_cap, size_t v)
{
    size_t mask = ((size_t)1 << log_cap) - 1;
    for (size_t i = set_slot(v, log_cap);; i = (i + 1) & mask) {
        if (set[i] == v)
            return 0;
        if (set[i] == SIZE_MAX) {
            set[i] = v;
            return 1;
        }
    }
}

/*
 * Floyd's algorithm: for j = bound - k, ..., bound - 1 draw r uniform in
 * [0, j]; take r unless already taken, else take j (which cannot have been
 * taken: every earlier pick is below j).  Each k-subset comes out with
 * probability 1 / C(bound, k), after exactly k draws.  Membership is a
 * linear scan for small k and an open-addressing set (load <= 1/2,
 * allocated before the transcript is touched) otherwise.
 */
cairn_status cairn_transcript_squeeze_distinct(size_t *out, size_t out_len, cairn_transcript *t,
                                               const char *label, size_t bound, cairn_error *err)
{
    uint8_t p[16];
    struct stream s;
    size_t *set = NULL;
    unsigned log_cap = 0;
    const char *lab = label != NULL ? label : "";

    if (bound == 0 || out_len > bound)
        return cairn_error_set(err, CAIRN_ERR_ARG,
                               "transcript squeeze distinct '%s': %zu distinct indices below %zu",
                               lab, out_len, bound);
    if (out == NULL && out_len != 0)
        return cairn_error_set(err, CAIRN_ERR_ARG, "transcript squeeze distinct '%s': out is NULL",
                               lab);
    if (out_len > DISTINCT_SCAN_MAX) {
        while (((size_t)1 << log_cap) < out_len)
            log_cap++;
        log_cap++; /* load factor <= 1/2 */
        if (log_cap >= 8 * sizeof(size_t) - 4 || ((size_t)1 << log_cap) > SIZE_MAX / sizeof(size_t))
            return cairn_error_set(err, CAIRN_ERR_NOMEM,
                                   "transcript squeeze distinct '%s': %zu indices too many", lab,
                                   out_len);
        set = malloc(((size_t)1 << log_cap) * sizeof(size_t));
        if (set == NULL)
            return cairn_error_set(err, CAIRN_ERR_NOMEM,
                                   "transcript squeeze distinct '%s': cannot allocate a set for "
                                   "%zu indices",
                                   lab, out_len);
        memset(set, 0xFF, ((size_t)1 << log_cap) * sizeof(size_t));
    }

    hash_store_le64(p, (uint64_t)bound);
    hash_store_le64(p + 8, (uint64_t)out_len);
    chain(t, HASH_TAG_SQUEEZE_DISTINCT, label, p, sizeof p);
    stream_start(&s, t);
    for (size_t i = 0; i < out_len; i++) {
        size_t j = bound - out_len + i;
        size_t r = stream_index(&s, j + 1);
        int fresh;
        if (set != NULL) {
            fresh = set_insert(set, log_cap, r);
        } else {
            fresh = 1;
            for (size_t q = 0; q < i; q++)
                if (out[q] == r)
                    fresh = 0;
        }
        if (!fresh) {
            r = j;
            if (set != NULL)
                (void)set_insert(set, log_cap, r);
        }
        out[i] = r;
    }
    free(set);
    return CAIRN_OK;
}

/* ---- proof of work ------------------------------------------------------------ */

static void pow_prefix(uint8_t prefix[CAIRN_SHA256_BYTES], const cairn_transcript *t,
                       const char *label, unsigned bits)
{
    cairn_sha256_ctx ctx;
    uint8_t b[8];
    chain_begin(&ctx, t, HASH_TAG_POW_PREFIX, label, 8);
    hash_store_le64(b, bits);
    cairn_sha256_update(&ctx, b, sizeof b);
    cairn_sha256_final(prefix, &ctx);
}

/* Does SHA-256(prefix || le64(nonce)) have `bits` leading zero bits? */
static int pow_try(const uint8_t prefix[CAIRN_SHA256_BYTES], uint64_t nonce, unsigned bits)
{
    uint8_t buf[CAIRN_SHA256_BYTES + 8], d[CAIRN_SHA256_BYTES];
    memcpy(buf, prefix, CAIRN_SHA256_BYTES);
    hash_store_le64(buf + CAIRN_SHA256_BYTES, nonce);
    cairn_sha256(d, buf, sizeof buf);
    return hash_pow_ok(d, bits);
}

static void pow_absorb(cairn_transcript *t, const char *label, unsigned bits, uint64_t nonce)
{
    uint8_t p[16];
    hash_store_le64(p, bits);
    hash_store_le64(p + 8, nonce);
    chain(t, HASH_TAG_POW_NONCE, label, p, sizeof p);
}

struct grind_shared {
    const uint8_t *prefix;
    unsigned bits;
    atomic_uint_fast64_t next_chunk;
    atomic_uint_fast64_t best; /* smallest valid nonce found; UINT64_MAX: none yet */
};

/*
 * Take chunks of GRIND_CHUNK nonces in increasing order until a chunk
 * starts at or above the best nonce found.  Chunks are handed out in order,
 * so the chunk holding the smallest valid nonce v is always taken and
 * scanned (it starts at or below v, and best never drops below v), and the
 * scan of a chunk stops at its first valid nonce: best ends at exactly v.
 * UINT64_MAX doubles as "none found"; the caller settles that case.
 */
static void *grind_worker(void *arg)
{
    struct grind_shared *g = arg;
    for (;;) {
        uint64_t c = atomic_fetch_add(&g->next_chunk, 1);
        if (c > UINT64_MAX / GRIND_CHUNK)
            break; /* all 2^64 nonces handed out */
        uint64_t start = c * GRIND_CHUNK;
        if (start >= atomic_load(&g->best))
            break;
        for (uint64_t i = 0; i < GRIND_CHUNK; i++) {
            uint64_t n = start + i;
            if (pow_try(g->prefix, n, g->bits)) {
                uint_fast64_t cur = atomic_load(&g->best);
                while (n < cur && !atomic_compare_exchange_weak(&g->best, &cur, n)) {
                }
                break;
            }
        }
    }
    return NULL;
}

/*
 * The prover's search.  A single thread tries 0, 1, 2, ... and so returns
 * the smallest valid nonce; several threads share chunks (grind_worker) and
 * return the same one.  Below 12 bits the expected 2^bits hashes take
 * microseconds, less than starting threads, so the search stays serial.
 * The transcript changes only once a nonce is found.
 */
cairn_status cairn_transcript_grind(uint64_t *nonce, cairn_transcript *t, const char *label,
                                    unsigned bits, unsigned threads, cairn_error *err)
{
    uint8_t prefix[CAIRN_SHA256_BYTES];
    uint64_t found = 0;

    if (bits > CAIRN_TRANSCRIPT_MAX_POW_BITS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "transcript grind '%s': %u bits, at most %u",
                               label != NULL ? label : "", bits, CAIRN_TRANSCRIPT_MAX_POW_BITS);
    pow_prefix(prefix, t, label, bits);

    if (threads <= 1 || bits < 12) {
        /* a short search is faster than starting threads */
        while (!pow_try(prefix, found, bits)) {
            if (found == UINT64_MAX)
                return cairn_error_set(err, CAIRN_ERR_LIMIT,
                                       "transcript grind '%s': no 64-bit nonce gives %u zero bits",
                                       label != NULL ? label : "", bits);
            found++;
        }
    } else {
        struct grind_shared g;
        pthread_t tids[MAX_GRIND_THREADS];
        int started[MAX_GRIND_THREADS];
        if (threads > MAX_GRIND_THREADS)
            threads = MAX_GRIND_THREADS;
        g.prefix = prefix;
        g.bits = bits;
        atomic_init(&g.next_chunk, 0);
        atomic_init(&g.best, UINT64_MAX);
        for (unsigned i = 1; i < threads; i++)
            started[i] = pthread_create(&tids[i], NULL, grind_worker, &g) == 0;
        (void)grind_worker(&g);
        for (unsigned i = 1; i < threads; i++)
            if (started[i])
                (void)pthread_join(tids[i], NULL);
        found = (uint64_t)atomic_load(&g.best);
        if (found == UINT64_MAX && !pow_try(prefix, found, bits))
            return cairn_error_set(err, CAIRN_ERR_LIMIT,
                                   "transcript grind '%s': no 64-bit nonce gives %u zero bits",
                                   label != NULL ? label : "", bits);
    }
    pow_absorb(t, label, bits, found);
    *nonce = found;
    return CAIRN_OK;
}

/*
 * The verifier's side: recompute the prefix from the same state, label and
 * bits, spend one hash on the claimed nonce, and absorb it only if it is
 * valid, so that an honest prover's and the verifier's transcripts agree
 * afterwards and a rejected nonce leaves the transcript as it was.
 */
cairn_status cairn_transcript_check_pow(cairn_transcript *t, const char *label, unsigned bits,
                                        uint64_t nonce, cairn_error *err)
{
    uint8_t prefix[CAIRN_SHA256_BYTES];
    if (bits > CAIRN_TRANSCRIPT_MAX_POW_BITS)
        return cairn_error_set(err, CAIRN_ERR_ARG, "transcript pow '%s': %u bits, at most %u",
                               label != NULL ? label : "", bits, CAIRN_TRANSCRIPT_MAX_POW_BITS);
    /* with nothing to grind, only the prover's choice 0 is valid: proofs stay canonical */
    if (bits == 0 && nonce != 0)
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "transcript pow '%s': 0 bits requires nonce 0, got 0x%016llx",
                               label != NULL ? label : "", (unsigned long long)nonce);
    pow_prefix(prefix, t, label, bits);
    if (!pow_try(prefix, nonce, bits))
        return cairn_error_set(err, CAIRN_ERR_REJECTED,
                               "transcript pow '%s': nonce 0x%016llx does not give %u leading zero "
                               "bits",
                               label != NULL ? label : "", (unsigned long long)nonce, bits);
    pow_absorb(t, label, bits, nonce);
    return CAIRN_OK;
}
