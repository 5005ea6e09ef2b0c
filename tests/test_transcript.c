/*
 * test_transcript.c — the Fiat–Shamir transcript against a reference
 * written from docs/hashing.md with nothing but cairn_sha256 (chaining
 * step, output stream, rejection rules, Floyd's algorithm, proof of work),
 * plus determinism, divergence on every kind of changed input, canonical
 * outputs, state changes on squeezes, the rejection helpers themselves
 * (and rejections observed through the real transcript), index sampling
 * and its argument errors, and grinding (minimal nonce, wrong nonces
 * rejected, prover and verifier transcripts in step, threads agree).
 */
#include <stdlib.h>
#include <string.h>

#include "../src/hash/hash_internal.h"
#include "cairn/transcript.h"
#include "tests.h"

/* ---- reference ---------------------------------------------------------------- */

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* S <- H(S || tag || le64 |label| || label || le64 |payload| || payload) into a flat buffer. */
static void ref_chain(uint8_t s[32], uint8_t tag, const char *label, const uint8_t *payload,
                      size_t payload_len)
{
    size_t ll = strlen(label);
    size_t n = 32 + 1 + 8 + ll + 8 + payload_len;
    uint8_t *buf = malloc(n);
    if (buf == NULL) {
        FAIL("out of memory");
        return;
    }
    memcpy(buf, s, 32);
    buf[32] = tag;
    put64(buf + 33, ll);
    memcpy(buf + 41, label, ll);
    put64(buf + 41 + ll, payload_len);
    if (payload_len > 0)
        memcpy(buf + 49 + ll, payload, payload_len);
    cairn_sha256(s, buf, n);
    free(buf);
}

struct ref_stream {
    uint8_t seed[32];
    uint64_t j;
    uint8_t block[32];
    unsigned used;
};

static void ref_stream_start(struct ref_stream *r, const uint8_t s[32])
{
    memcpy(r->seed, s, 32);
    r->j = 0;
    r->used = 32;
}

static void ref_block(struct ref_stream *r)
{
    uint8_t buf[41];
    memcpy(buf, r->seed, 32);
    buf[32] = 0xFF;
    put64(buf + 33, r->j++);
    cairn_sha256(r->block, buf, sizeof buf);
    r->used = 0;
}

static uint64_t ref_word(struct ref_stream *r)
{
    if (r->used == 32)
        ref_block(r);
    uint64_t w = get64(r->block + r->used);
    r->used += 8;
    return w;
}

static uint64_t ref_fp(struct ref_stream *r)
{
    for (;;) {
        uint64_t w = ref_word(r);
        if (w < CAIRN_FP_P)
            return w;
    }
}

/* Uniform below bound: accept w < bound * floor(2^64 / bound), computed in 128 bits. */
static uint64_t ref_index(struct ref_stream *r, uint64_t bound)
{
    cairn_u128 two64 = (cairn_u128)1 << 64;
    cairn_u128 limit = two64 - two64 % bound;
    for (;;) {
        uint64_t w = ref_word(r);
        if ((cairn_u128)w < limit)
            return w % bound;
    }
}

static void ref_init(uint8_t s[32], const char *domain)
{
    memset(s, 0, 32);
    ref_chain(s, 0x00, "cairn-transcript-sha256-v1", (const uint8_t *)domain, strlen(domain));
}

/* Leading zero bits of H(P || le64 nonce) with P = H(S || 0x20 || label || le64 8 || le64 bits). */
static unsigned ref_pow_zeros(const uint8_t s[32], const char *label, unsigned bits, uint64_t nonce)
{
    uint8_t p[32], b[8], buf[40], d[32];
    memcpy(p, s, 32);
    put64(b, bits);
    ref_chain(p, 0x20, label, b, 8);
    memcpy(buf, p, 32);
    put64(buf + 32, nonce);
    cairn_sha256(d, buf, sizeof buf);
    unsigned z = 0;
    while (z < 256 && ((d[z / 8] >> (7 - z % 8)) & 1) == 0)
        z++;
    return z;
}

static int state_eq(const cairn_transcript *t, const uint8_t s[32])
{
    return memcmp(t->state, s, 32) == 0;
}

/* ---- the reference test ------------------------------------------------------------ */

static const char *const labels[] = {"", "a", "alpha", "commit/root", "sumcheck/round", "x y z"};
#define N_LABELS (sizeof labels / sizeof labels[0])

/*
 * A random sequence of every operation, each checked against the reference
 * for its outputs and the state afterwards.
 */
static void transcript_matches_reference(void)
{
    for (unsigned long run = 0; run < test_iters / 50 + 2; run++) {
        cairn_transcript t;
        uint8_t s[32];
        const char *domain = run % 2 ? "cairn-v1/proof" : "";
        cairn_transcript_init(&t, domain);
        ref_init(s, domain);
        CHECK(state_eq(&t, s));
        for (int op = 0; op < 60; op++) {
            const char *label = labels[test_rand_below(N_LABELS)];
            uint8_t data[200], p[16];
            struct ref_stream r;
            switch (test_rand_below(14)) {
            case 0: {
                size_t len = test_rand_below(sizeof data + 1);
                test_rand_bytes(data, len);
                cairn_transcript_absorb_bytes(&t, label, data, len);
                ref_chain(s, 0x01, label, data, len);
                break;
            }
            case 1: {
                uint64_t v = test_rand_u64();
                cairn_transcript_absorb_u64(&t, label, v);
                put64(data, v);
                ref_chain(s, 0x02, label, data, 8);
                break;
            }
            case 2: {
                cairn_fp a = test_rand_fp();
                cairn_transcript_absorb_fp(&t, label, a);
                put64(data, a.v);
                ref_chain(s, 0x03, label, data, 8);
                break;
            }
            case 3: {
                cairn_fp v[20];
                size_t len = test_rand_below(21);
                for (size_t i = 0; i < len; i++) {
                    v[i] = test_rand_fp();
                    put64(data + 8 * i, v[i].v);
                }
                cairn_transcript_absorb_fp_vec(&t, label, v, len);
                ref_chain(s, 0x03, label, data, 8 * len);
                break;
            }
            case 4: {
                cairn_fp2 a = test_rand_fp2();
                cairn_transcript_absorb_fp2(&t, label, a);
                put64(data, a.c0.v);
                put64(data + 8, a.c1.v);
                ref_chain(s, 0x04, label, data, 16);
                break;
            }
            case 5: {
                cairn_fp2 v[12];
                size_t len = test_rand_below(13);
                for (size_t i = 0; i < len; i++) {
                    v[i] = test_rand_fp2();
                    put64(data + 16 * i, v[i].c0.v);
                    put64(data + 16 * i + 8, v[i].c1.v);
                }
                cairn_transcript_absorb_fp2_vec(&t, label, v, len);
                ref_chain(s, 0x04, label, data, 16 * len);
                break;
            }
            case 6: {
                cairn_digest d;
                test_rand_bytes(d.bytes, 32);
                cairn_transcript_absorb_digest(&t, label, &d);
                ref_chain(s, 0x05, label, d.bytes, 32);
                break;
            }
            case 7: {
                uint8_t out[100], want[128];
                size_t len = test_rand_below(sizeof out + 1);
                cairn_transcript_squeeze_bytes(out, len, &t, label);
                put64(p, len);
                ref_chain(s, 0x10, label, p, 8);
                ref_stream_start(&r, s);
                for (size_t off = 0; off < len; off += 32) {
                    ref_block(&r);
                    memcpy(want + off, r.block, 32);
                }
                CHECK_MEM_EQ(out, want, len);
                break;
            }
            case 8: {
                cairn_fp a = cairn_transcript_squeeze_fp(&t, label);
                put64(p, 1);
                ref_chain(s, 0x11, label, p, 8);
                ref_stream_start(&r, s);
                CHECK_EQ_U64(a.v, ref_fp(&r));
                break;
            }
            case 9: {
                cairn_fp v[9];
                size_t len = test_rand_below(10);
                cairn_transcript_squeeze_fp_vec(v, len, &t, label);
                put64(p, len);
                ref_chain(s, 0x11, label, p, 8);
                ref_stream_start(&r, s);
                for (size_t i = 0; i < len; i++)
                    CHECK_EQ_U64(v[i].v, ref_fp(&r));
                break;
            }
            case 10: {
                cairn_fp2 v[5];
                size_t len = 1 + test_rand_below(5);
                if (len == 1)
                    v[0] = cairn_transcript_squeeze_fp2(&t, label);
                else
                    cairn_transcript_squeeze_fp2_vec(v, len, &t, label);
                put64(p, len);
                ref_chain(s, 0x12, label, p, 8);
                ref_stream_start(&r, s);
                for (size_t i = 0; i < len; i++) {
                    CHECK_EQ_U64(v[i].c0.v, ref_fp(&r));
                    CHECK_EQ_U64(v[i].c1.v, ref_fp(&r));
                }
                break;
            }
            case 11: {
                size_t v[16];
                static const uint64_t bounds[] = {1,
                                                  2,
                                                  3,
                                                  7,
                                                  1000,
                                                  1u << 20,
                                                  (UINT64_C(1) << 63) + 1,
                                                  UINT64_MAX,
                                                  UINT64_MAX / 3 * 2};
                uint64_t bound = bounds[test_rand_below(sizeof bounds / sizeof bounds[0])];
                size_t len = test_rand_below(17);
                CHECK_OK(cairn_transcript_squeeze_indices(v, len, &t, label, (size_t)bound, NULL));
                put64(p, bound);
                put64(p + 8, len);
                ref_chain(s, 0x13, label, p, 16);
                ref_stream_start(&r, s);
                for (size_t i = 0; i < len; i++)
                    CHECK_EQ_U64(v[i], ref_index(&r, bound));
                break;
            }
            case 12: {
                size_t v[64], want[64];
                uint64_t bound = 1 + test_rand_below(200);
                size_t len = test_rand_below((bound < 64 ? bound : 64) + 1);
                CHECK_OK(cairn_transcript_squeeze_distinct(v, len, &t, label, (size_t)bound, NULL));
                put64(p, bound);
                put64(p + 8, len);
                ref_chain(s, 0x14, label, p, 16);
                ref_stream_start(&r, s);
                /* Floyd's algorithm with a linear scan */
                for (size_t i = 0; i < len; i++) {
                    uint64_t j = bound - len + i;
                    uint64_t x = ref_index(&r, j + 1);
                    for (size_t q = 0; q < i; q++)
                        if (want[q] == x)
                            x = j;
                    want[i] = (size_t)x;
                    CHECK_EQ_U64(v[i], want[i]);
                }
                break;
            }
            default: {
                unsigned bits = (unsigned)test_rand_below(7);
                uint64_t nonce = 0;
                CHECK_OK(cairn_transcript_grind(&nonce, &t, label, bits, 1, NULL));
                CHECK(ref_pow_zeros(s, label, bits, nonce) >= bits);
                put64(p, bits);
                put64(p + 8, nonce);
                ref_chain(s, 0x21, label, p, 16);
                break;
            }
            }
            if (!CHECK(state_eq(&t, s))) {
                FAIL("state differs from the reference after op %d of run %lu", op, run);
                return;
            }
        }
    }
}

/* ---- determinism and divergence -------------------------------------------------- */

/*
 * A fixed script; `variant` changes exactly one thing.  The result is 32
 * bytes squeezed at the end.
 */
static void script(uint8_t out[32], int variant)
{
    cairn_transcript t;
    uint8_t data[40];
    for (int i = 0; i < 40; i++)
        data[i] = (uint8_t)(3 * i + 1);
    if (variant == 13)
        data[17] ^= 0x01;
    cairn_transcript_init(&t, variant == 1 ? "cairn-v1/proog" : "cairn-v1/proof");
    cairn_transcript_absorb_u64(&t, "cycles", variant == 2 ? 1001 : 1000);
    if (variant == 3) {
        cairn_transcript_absorb_bytes(&t, "progra", (const uint8_t *)"mprogram-bytes", 14);
    } else {
        cairn_transcript_absorb_bytes(&t, variant == 4 ? "programm" : "program",
                                      (const uint8_t *)"program-bytes", 13);
    }
    if (variant == 5) {
        cairn_transcript_absorb_bytes(&t, "b", data, 40);
        cairn_transcript_absorb_bytes(&t, "a", data, 40);
    } else {
        cairn_transcript_absorb_bytes(&t, "a", data, 40);
        cairn_transcript_absorb_bytes(&t, "b", data, 40);
    }
    if (variant == 6)
        cairn_transcript_absorb_bytes(&t, "extra", NULL, 0);
    if (variant == 7)
        cairn_transcript_absorb_u64(&t, "x", 5);
    else
        cairn_transcript_absorb_fp(&t, "x", cairn_fp_make(5));
    if (variant != 8)
        (void)cairn_transcript_squeeze_fp2(&t, variant == 9 ? "beta" : "alpha");
    if (variant == 10)
        cairn_transcript_absorb_fp2(&t, "y", cairn_fp2_make(cairn_fp_make(1), cairn_fp_make(2)));
    else
        cairn_transcript_absorb_fp_vec(&t, "y",
                                       (const cairn_fp[]){cairn_fp_make(1), cairn_fp_make(2)}, 2);
    /* the (label, data) boundary: "ab" || "c" vs "a" || "bc" */
    if (variant == 11)
        cairn_transcript_absorb_bytes(&t, "a", (const uint8_t *)"bc", 2);
    else
        cairn_transcript_absorb_bytes(&t, "ab", (const uint8_t *)"c", 1);
    if (variant == 12)
        cairn_transcript_absorb_fp_vec(&t, "z", NULL, 0);
    else
        cairn_transcript_absorb_bytes(&t, "z", NULL, 0);
    cairn_transcript_squeeze_bytes(out, 32, &t, "final");
}

#define N_VARIANTS 14

static void transcript_determinism(void)
{
    uint8_t a[32], b[32];
    for (int v = 0; v < N_VARIANTS; v++) {
        script(a, v);
        script(b, v);
        CHECK_MEM_EQ(a, b, 32);
    }
    /* and two transcripts driven by the same random script */
    for (unsigned long it = 0; it < test_iters / 10 + 1; it++) {
        cairn_transcript t1, t2;
        uint8_t d[64];
        test_rand_bytes(d, sizeof d);
        cairn_transcript_init(&t1, "d");
        cairn_transcript_init(&t2, "d");
        size_t len = test_rand_below(65);
        cairn_transcript_absorb_bytes(&t1, "m", d, len);
        cairn_transcript_absorb_bytes(&t2, "m", d, len);
        CHECK_EQ_FP2(cairn_transcript_squeeze_fp2(&t1, "c"),
                     cairn_transcript_squeeze_fp2(&t2, "c"));
        CHECK_MEM_EQ(t1.state, t2.state, 32);
    }
}

static void transcript_divergence(void)
{
    uint8_t out[N_VARIANTS][32];
    for (int v = 0; v < N_VARIANTS; v++)
        script(out[v], v);
    for (int i = 0; i < N_VARIANTS; i++) {
        for (int j = i + 1; j < N_VARIANTS; j++) {
            if (!CHECK(memcmp(out[i], out[j], 32) != 0))
                FAIL("variants %d and %d give the same output", i, j);
        }
    }
    /* a single changed byte anywhere in absorbed data */
    uint8_t data[64], base[32], got[32];
    test_rand_bytes(data, sizeof data);
    cairn_transcript t;
    cairn_transcript_init(&t, "flip");
    cairn_transcript_absorb_bytes(&t, "d", data, sizeof data);
    cairn_transcript_squeeze_bytes(base, 32, &t, "o");
    for (size_t i = 0; i < sizeof data; i++) {
        data[i] ^= 0x20;
        cairn_transcript_init(&t, "flip");
        cairn_transcript_absorb_bytes(&t, "d", data, sizeof data);
        cairn_transcript_squeeze_bytes(got, 32, &t, "o");
        CHECK(memcmp(got, base, 32) != 0);
        data[i] ^= 0x20;
    }
    /* NULL labels and domains are the empty string */
    cairn_transcript t1, t2;
    cairn_transcript_init(&t1, NULL);
    cairn_transcript_init(&t2, "");
    CHECK_MEM_EQ(t1.state, t2.state, 32);
    cairn_transcript_absorb_u64(&t1, NULL, 9);
    cairn_transcript_absorb_u64(&t2, "", 9);
    CHECK_MEM_EQ(t1.state, t2.state, 32);
}

/* ---- squeezes ------------------------------------------------------------------------- */

static void transcript_squeeze_canonical(void)
{
    cairn_transcript t;
    cairn_fp v[16];
    cairn_fp2 w[8];
    unsigned long high = 0, total = 0;
    cairn_transcript_init(&t, "canonical");
    for (unsigned long it = 0; it < test_iters / 4 + 1; it++) {
        cairn_transcript_squeeze_fp_vec(v, 16, &t, "v");
        cairn_transcript_squeeze_fp2_vec(w, 8, &t, "w");
        for (int i = 0; i < 16; i++) {
            CHECK(v[i].v < CAIRN_FP_P);
            high += v[i].v >> 63;
            total++;
        }
        for (int i = 0; i < 8; i++)
            CHECK(w[i].c0.v < CAIRN_FP_P && w[i].c1.v < CAIRN_FP_P);
    }
    /* crude: the top bit is set for about half of uniform elements */
    CHECK(high > total / 2 - total / 8 && high < total / 2 + total / 8);
}

static void transcript_squeeze_changes_state(void)
{
    cairn_transcript t, u, before;
    cairn_transcript_init(&t, "state");
    before = t;
    cairn_fp a = cairn_transcript_squeeze_fp(&t, "c");
    CHECK(memcmp(before.state, t.state, 32) != 0);
    cairn_fp b = cairn_transcript_squeeze_fp(&t, "c");
    CHECK(!cairn_fp_eq(a, b));
    cairn_fp2 x = cairn_transcript_squeeze_fp2(&t, "c");
    cairn_fp2 y = cairn_transcript_squeeze_fp2(&t, "c");
    CHECK(!cairn_fp2_eq(x, y));
    /* even an empty squeeze moves the state */
    before = t;
    cairn_transcript_squeeze_fp_vec(NULL, 0, &t, "none");
    CHECK(memcmp(before.state, t.state, 32) != 0);
    before = t;
    cairn_transcript_squeeze_bytes(NULL, 0, &t, "none");
    CHECK(memcmp(before.state, t.state, 32) != 0);
    /* a later absorb depends on whether a squeeze happened in between */
    cairn_transcript_init(&t, "state");
    u = t;
    (void)cairn_transcript_squeeze_fp(&t, "c");
    cairn_transcript_absorb_u64(&t, "m", 1);
    cairn_transcript_absorb_u64(&u, "m", 1);
    CHECK(memcmp(t.state, u.state, 32) != 0);
    /* a fork squeezes the same, then each goes its own way */
    u = t;
    CHECK_EQ_FP(cairn_transcript_squeeze_fp(&t, "f"), cairn_transcript_squeeze_fp(&u, "f"));
    /* squeezes of different kinds under the same label differ */
    u = t;
    uint8_t bytes[8];
    cairn_transcript_squeeze_bytes(bytes, 8, &u, "k");
    cairn_fp k = cairn_transcript_squeeze_fp(&t, "k");
    CHECK(memcmp(t.state, u.state, 32) != 0);
    CHECK(hash_load_le64(bytes) != k.v);
}

/* The rejection rules on chosen words. */
static void transcript_rejection_helpers(void)
{
    cairn_fp f = cairn_fp_make(12345);
    uint64_t i = 99;
    CHECK(hash_sample_fp(&f, 0) == 1 && f.v == 0);
    CHECK(hash_sample_fp(&f, CAIRN_FP_P - 1) == 1 && f.v == CAIRN_FP_P - 1);
    f = cairn_fp_make(7);
    CHECK(hash_sample_fp(&f, CAIRN_FP_P) == 0);
    CHECK(hash_sample_fp(&f, CAIRN_FP_P + 1) == 0);
    CHECK(hash_sample_fp(&f, UINT64_MAX) == 0);
    CHECK_EQ_U64(f.v, 7); /* untouched on rejection */
    for (unsigned long it = 0; it < test_iters; it++) {
        uint64_t w = CAIRN_FP_P + test_rand_below(UINT64_MAX - CAIRN_FP_P + 1);
        CHECK(hash_sample_fp(&f, w) == 0);
    }
    /* bound 3: 2^64 = 1 (mod 3), so exactly UINT64_MAX is rejected */
    CHECK(hash_sample_index(&i, UINT64_MAX, 3) == 0);
    CHECK(hash_sample_index(&i, UINT64_MAX - 1, 3) == 1 && i == (UINT64_MAX - 1) % 3);
    /* powers of two never reject */
    CHECK(hash_sample_index(&i, UINT64_MAX, 1024) == 1 && i == 1023);
    CHECK(hash_sample_index(&i, UINT64_MAX, 1) == 1 && i == 0);
    CHECK(hash_sample_index(&i, UINT64_MAX, UINT64_C(1) << 63) == 1 &&
          i == (UINT64_C(1) << 63) - 1);
    /* 2^63 + 1: about half the words are rejected */
    uint64_t b = (UINT64_C(1) << 63) + 1;
    CHECK(hash_sample_index(&i, b - 1, b) == 1 && i == b - 1);
    CHECK(hash_sample_index(&i, b, b) == 0);
    CHECK(hash_sample_index(&i, UINT64_MAX, UINT64_MAX) == 0);
    CHECK(hash_sample_index(&i, UINT64_MAX - 1, UINT64_MAX) == 1 && i == UINT64_MAX - 1);
    /* against a 128-bit reference on random words and bounds */
    for (unsigned long it = 0; it < test_iters; it++) {
        uint64_t bound = test_rand_u64() >> test_rand_below(64);
        if (bound == 0)
            bound = 1;
        uint64_t w = test_rand_u64();
        cairn_u128 two64 = (cairn_u128)1 << 64;
        int want = (cairn_u128)w < two64 - two64 % bound;
        CHECK_EQ_U64(hash_sample_index(&i, w, bound), want);
        if (want)
            CHECK_EQ_U64(i, w % bound);
    }
}

/*
 * Rejections seen through the real transcript: with bound 2^63 + 1 about
 * half of the stream words are rejected; the outputs must still match the
 * reference word by word, and some rejections must have occurred.
 */
static void transcript_rejection_in_stream(void)
{
    uint64_t bound = (UINT64_C(1) << 63) + 1;
    size_t v[64];
    unsigned long rejected = 0;
    cairn_transcript t;
    uint8_t s[32], p[16];
    cairn_transcript_init(&t, "reject");
    ref_init(s, "reject");
    CHECK_OK(cairn_transcript_squeeze_indices(v, 64, &t, "q", (size_t)bound, NULL));
    put64(p, bound);
    put64(p + 8, 64);
    ref_chain(s, 0x13, "q", p, 16);
    struct ref_stream r;
    ref_stream_start(&r, s);
    for (size_t i = 0; i < 64; i++) {
        uint64_t w;
        while ((w = ref_word(&r)) >= bound)
            rejected++;
        CHECK_EQ_U64(v[i], w);
    }
    CHECK(rejected > 0);
    CHECK(state_eq(&t, s));
}

static void transcript_indices(void)
{
    cairn_transcript t, before;
    size_t v[100];
    cairn_error err;
    cairn_transcript_init(&t, "idx");
    for (unsigned long it = 0; it < test_iters / 4 + 1; it++) {
        size_t bound = 1 + (size_t)test_rand_below(it % 2 ? 10 : UINT64_MAX - 1);
        CHECK_OK(cairn_transcript_squeeze_indices(v, 100, &t, "i", bound, NULL));
        for (int i = 0; i < 100; i++)
            CHECK(v[i] < bound);
    }
    CHECK_OK(cairn_transcript_squeeze_indices(v, 50, &t, "one", 1, NULL));
    for (int i = 0; i < 50; i++)
        CHECK_EQ_U64(v[i], 0);
    /* all of a small range shows up */
    CHECK_OK(cairn_transcript_squeeze_indices(v, 100, &t, "small", 5, NULL));
    unsigned seen = 0;
    for (int i = 0; i < 100; i++)
        seen |= 1u << v[i];
    CHECK_EQ_U64(seen, 0x1f);
    before = t;
    CHECK_STATUS(cairn_transcript_squeeze_indices(v, 3, &t, "zero", 0, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "bound is 0") != NULL);
    CHECK_STATUS(cairn_transcript_squeeze_indices(NULL, 3, &t, "null", 5, NULL), CAIRN_ERR_ARG);
    CHECK_MEM_EQ(before.state, t.state, 32);
    CHECK_OK(cairn_transcript_squeeze_indices(NULL, 0, &t, "empty", 5, NULL));
}

static void transcript_distinct(void)
{
    cairn_transcript t, before;
    cairn_error err;
    static size_t v[5000];
    static unsigned char mark[5000];
    cairn_transcript_init(&t, "distinct");
    for (unsigned long it = 0; it < test_iters / 20 + 3; it++) {
        size_t bound = 1 + test_rand_below(it % 3 == 0 ? 40 : 5000);
        size_t k = test_rand_below(bound + 1);
        if (it % 5 == 0)
            k = bound; /* a whole permutation */
        CHECK_OK(cairn_transcript_squeeze_distinct(v, k, &t, "d", bound, NULL));
        memset(mark, 0, bound);
        int ok = 1;
        for (size_t i = 0; i < k; i++) {
            ok &= v[i] < bound;
            if (v[i] < bound) {
                ok &= mark[v[i]] == 0;
                mark[v[i]] = 1;
            }
        }
        if (!CHECK(ok))
            FAIL("squeeze_distinct(k=%zu, bound=%zu) repeated or out of range", k, bound);
    }
    /* large bound, hash-set path */
    CHECK_OK(cairn_transcript_squeeze_distinct(v, 1000, &t, "big", SIZE_MAX, NULL));
    /* uniformity smoke test: all C(4,2) = 6 subsets of {0..3} appear */
    unsigned subsets = 0;
    for (int i = 0; i < 300; i++) {
        CHECK_OK(cairn_transcript_squeeze_distinct(v, 2, &t, "pair", 4, NULL));
        subsets |= 1u << (4 * (v[0] < v[1] ? v[0] : v[1]) + (v[0] < v[1] ? v[1] : v[0]));
    }
    CHECK_EQ_U64(subsets, (1u << 1) | (1u << 2) | (1u << 3) | (1u << 6) | (1u << 7) | (1u << 11));
    /* argument errors leave the transcript unchanged */
    before = t;
    CHECK_STATUS(cairn_transcript_squeeze_distinct(v, 6, &t, "d", 5, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "6 distinct indices below 5") != NULL);
    CHECK_STATUS(cairn_transcript_squeeze_distinct(v, 0, &t, "d", 0, NULL), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_transcript_squeeze_distinct(NULL, 2, &t, "d", 5, NULL), CAIRN_ERR_ARG);
    CHECK_MEM_EQ(before.state, t.state, 32);
    CHECK_OK(cairn_transcript_squeeze_distinct(NULL, 0, &t, "d", 5, NULL));
}

/* ---- proof of work ----------------------------------------------------------------------- */

static void transcript_grind(void)
{
    cairn_error err;
    for (unsigned bits = 0; bits <= 12; bits += 2) {
        cairn_transcript prover, verifier, before;
        uint64_t nonce = 12345;
        cairn_transcript_init(&prover, "pow");
        cairn_transcript_absorb_u64(&prover, "round", bits);
        verifier = prover;
        before = prover;
        CHECK_OK(cairn_transcript_grind(&nonce, &prover, "grind", bits, 1, NULL));
        if (bits == 0)
            CHECK_EQ_U64(nonce, 0);
        CHECK(ref_pow_zeros(before.state, "grind", bits, nonce) >= bits);
        /* the smallest such nonce */
        for (uint64_t n = 0; n < nonce; n++)
            CHECK(ref_pow_zeros(before.state, "grind", bits, n) < bits);
        /* the verifier accepts it and ends in the same state */
        CHECK_OK(cairn_transcript_check_pow(&verifier, "grind", bits, nonce, NULL));
        CHECK_MEM_EQ(verifier.state, prover.state, 32);
        CHECK_EQ_FP2(cairn_transcript_squeeze_fp2(&verifier, "after"),
                     cairn_transcript_squeeze_fp2(&prover, "after"));
        if (bits < 8)
            continue;
        /* wrong nonces (checked to truly fail first) are rejected, state unchanged */
        int tried = 0;
        for (uint64_t n = nonce + 1; tried < 5; n++) {
            if (ref_pow_zeros(before.state, "grind", bits, n) >= bits)
                continue;
            cairn_transcript v2 = before;
            CHECK_STATUS(cairn_transcript_check_pow(&v2, "grind", bits, n, &err),
                         CAIRN_ERR_REJECTED);
            CHECK_MEM_EQ(v2.state, before.state, 32);
            tried++;
        }
        CHECK(strstr(err.msg, "leading zero") != NULL);
        /* the same nonce under another label or bit count, when it truly fails */
        if (ref_pow_zeros(before.state, "other", bits, nonce) < bits) {
            cairn_transcript v2 = before;
            CHECK_STATUS(cairn_transcript_check_pow(&v2, "other", bits, nonce, NULL),
                         CAIRN_ERR_REJECTED);
        }
        if (ref_pow_zeros(before.state, "grind", bits + 4, nonce) < bits + 4) {
            cairn_transcript v2 = before;
            CHECK_STATUS(cairn_transcript_check_pow(&v2, "grind", bits + 4, nonce, NULL),
                         CAIRN_ERR_REJECTED);
        }
    }
    /* at 0 bits only nonce 0 is accepted, so a proof has one encoding */
    {
        cairn_transcript v0;
        cairn_transcript_init(&v0, "pow");
        cairn_transcript b0 = v0;
        CHECK_STATUS(cairn_transcript_check_pow(&v0, "grind", 0, 1, &err), CAIRN_ERR_REJECTED);
        CHECK(strstr(err.msg, "requires nonce 0") != NULL);
        CHECK_MEM_EQ(v0.state, b0.state, 32);
        CHECK_OK(cairn_transcript_check_pow(&v0, "grind", 0, 0, NULL));
    }
    /* bits above 64 */
    cairn_transcript t, before;
    uint64_t nonce = 7;
    cairn_transcript_init(&t, "pow");
    before = t;
    CHECK_STATUS(cairn_transcript_grind(&nonce, &t, "g", 65, 1, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "65 bits") != NULL);
    CHECK_STATUS(cairn_transcript_check_pow(&t, "g", 65, 0, NULL), CAIRN_ERR_ARG);
    CHECK_MEM_EQ(before.state, t.state, 32);
    CHECK_EQ_U64(nonce, 7);
    /* 64 bits: nonce 0 almost surely fails and is rejected cleanly */
    if (ref_pow_zeros(before.state, "g", 64, 0) < 64)
        CHECK_STATUS(cairn_transcript_check_pow(&t, "g", 64, 0, NULL), CAIRN_ERR_REJECTED);
}

/* Several threads find the same (smallest) nonce as one. */
static void transcript_grind_threads_agree(void)
{
    for (int round = 0; round < 4; round++) {
        cairn_transcript base, t1, tn;
        uint64_t n1 = 0, nn = 1;
        unsigned bits = 12 + (unsigned)round % 3;
        cairn_transcript_init(&base, "threads");
        cairn_transcript_absorb_u64(&base, "round", (uint64_t)round);
        t1 = base;
        CHECK_OK(cairn_transcript_grind(&n1, &t1, "g", bits, 1, NULL));
        for (unsigned th = 2; th <= 4; th++) {
            tn = base;
            CHECK_OK(cairn_transcript_grind(&nn, &tn, "g", bits, th, NULL));
            CHECK_EQ_U64(nn, n1);
            CHECK_MEM_EQ(tn.state, t1.state, 32);
        }
    }
}

/* ---- the vectors quoted in docs/hashing.md --------------------------------------------- */

static void unhex32(uint8_t out[32], const char *hex)
{
    for (int i = 0; i < 32; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex[2 * i + k];
            v = v * 16 + (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
        }
        out[i] = (uint8_t)v;
    }
}

/* Keeps the documented known answers true (they were also checked with Python's hashlib). */
static void transcript_doc_vectors(void)
{
    cairn_transcript t;
    uint8_t want[32];
    size_t idx[4];
    uint64_t nonce = 0;
    cairn_transcript_init(&t, "cairn-v1/proof");
    unhex32(want, "5d31157953ae8d582f858d535c0017d537eecf88483a80c86ef24878c9ac184b");
    CHECK_MEM_EQ(t.state, want, 32);
    cairn_transcript_absorb_u64(&t, "cycles", 1000);
    unhex32(want, "0e126fb59befee6786f58c693b025a5b9e2762536052cc471c9961d1009b09fb");
    CHECK_MEM_EQ(t.state, want, 32);
    CHECK_EQ_U64(cairn_transcript_squeeze_fp(&t, "alpha").v, UINT64_C(0xdb5e6d19cc30e36b));
    cairn_fp2 b = cairn_transcript_squeeze_fp2(&t, "beta");
    CHECK_EQ_U64(b.c0.v, UINT64_C(0xe2e2bab472d632fa));
    CHECK_EQ_U64(b.c1.v, UINT64_C(0x1ba8fe2943a60a89));
    CHECK_OK(cairn_transcript_squeeze_indices(idx, 4, &t, "queries", 1000, NULL));
    CHECK(idx[0] == 219 && idx[1] == 633 && idx[2] == 558 && idx[3] == 774);
    CHECK_OK(cairn_transcript_squeeze_distinct(idx, 4, &t, "distinct", 10, NULL));
    CHECK(idx[0] == 1 && idx[1] == 5 && idx[2] == 3 && idx[3] == 9);
    CHECK_OK(cairn_transcript_grind(&nonce, &t, "pow", 8, 1, NULL));
    CHECK_EQ_U64(nonce, 489);
    unhex32(want, "cf641cba73248a01b8ee46f2b004b63932554c5dd7588e7af47f9e226236c45d");
    CHECK_MEM_EQ(t.state, want, 32);
}

const struct test_case test_transcript_cases[] = {
    TEST(transcript_matches_reference),
    TEST(transcript_determinism),
    TEST(transcript_divergence),
    TEST(transcript_squeeze_canonical),
    TEST(transcript_squeeze_changes_state),
    TEST(transcript_rejection_helpers),
    TEST(transcript_rejection_in_stream),
    TEST(transcript_indices),
    TEST(transcript_distinct),
    TEST(transcript_grind),
    TEST(transcript_grind_threads_agree),
    TEST(transcript_doc_vectors),
    TEST_END,
};
