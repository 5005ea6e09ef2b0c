/*
 * test_sha256.c — SHA-256 wrapper: FIPS 180-2 known answers one-shot and
 * incrementally (random split points), context copies, the self-check, and
 * a differential test against OpenSSL's EVP interface as the reference
 * (a different code path into the same library: it catches wrapper bugs
 * such as a wrong context cast, lost bytes or a mishandled empty update),
 * and packed running hashes against plain ones.
 */
#include <string.h>

#include <openssl/evp.h>

#include "cairn/sha256.h"
#include "tests.h"

struct vec {
    const char *msg; /* NULL: one million 'a' */
    const char *hex;
};

static const struct vec vecs[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnop"
     "q"
     "rsmnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    {NULL, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
};
#define N_VECS (sizeof vecs / sizeof vecs[0])

static void unhex(uint8_t *out, const char *hex, size_t out_len)
{
    for (size_t i = 0; i < out_len; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = hex[2 * i + (size_t)k];
            v = v * 16 + (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
        }
        out[i] = (uint8_t)v;
    }
}

static uint8_t million[1000000];

/* The message bytes of vector k (the million 'a' from a static buffer). */
static const uint8_t *vec_msg(size_t k, size_t *len)
{
    if (vecs[k].msg == NULL) {
        memset(million, 'a', sizeof million);
        *len = sizeof million;
        return million;
    }
    *len = strlen(vecs[k].msg);
    return (const uint8_t *)vecs[k].msg;
}

static void sha256_selftest_passes(void)
{
    cairn_error err;
    cairn_error_clear(&err);
    CHECK_OK(cairn_sha256_selftest(&err));
    CHECK(err.msg[0] == '\0');
    CHECK_OK(cairn_sha256_selftest(NULL));
}

static void sha256_kat_oneshot(void)
{
    for (size_t k = 0; k < N_VECS; k++) {
        uint8_t want[32], got[32];
        size_t len;
        const uint8_t *m = vec_msg(k, &len);
        unhex(want, vecs[k].hex, 32);
        cairn_sha256(got, m, len);
        CHECK_MEM_EQ(got, want, 32);
    }
    /* NULL data with zero length is the empty message */
    uint8_t want[32], got[32];
    unhex(want, vecs[0].hex, 32);
    cairn_sha256(got, NULL, 0);
    CHECK_MEM_EQ(got, want, 32);
}

/* Feed each vector in random pieces (including empty ones and NULL/0). */
static void sha256_kat_incremental_random_splits(void)
{
    unsigned long rounds = test_iters / 20 + 1;
    for (size_t k = 0; k < N_VECS; k++) {
        uint8_t want[32], got[32];
        size_t len;
        const uint8_t *m = vec_msg(k, &len);
        unhex(want, vecs[k].hex, 32);
        for (unsigned long r = 0; r < (vecs[k].msg == NULL ? 2 : rounds); r++) {
            cairn_sha256_ctx ctx;
            cairn_sha256_init(&ctx);
            size_t off = 0;
            while (off < len) {
                size_t max = len - off;
                /* mostly short pieces around the 64-byte block size, sometimes long */
                size_t piece = (test_rand_u64() & 7) == 0
                                   ? test_rand_below(max + 1)
                                   : test_rand_below(max < 130 ? max + 1 : 130);
                if (vecs[k].msg == NULL && piece < 1000)
                    piece = max < 4096 ? max : 4096 + test_rand_below(4096);
                if (piece > max)
                    piece = max;
                cairn_sha256_update(&ctx, m + off, piece);
                if (piece == 0)
                    cairn_sha256_update(&ctx, NULL, 0);
                off += piece;
            }
            cairn_sha256_final(got, &ctx);
            CHECK_MEM_EQ(got, want, 32);
        }
    }
}

/* Fork a running hash at a random point; both branches must finish correctly. */
static void sha256_ctx_copy(void)
{
    uint8_t msg[300], a[32], b[32], ra[32], rb[32];
    for (unsigned long it = 0; it < test_iters / 4 + 1; it++) {
        size_t len = test_rand_below(sizeof msg + 1);
        size_t cut = test_rand_below(len + 1);
        test_rand_bytes(msg, len);
        cairn_sha256_ctx ctx, fork, assigned;
        cairn_sha256_init(&ctx);
        cairn_sha256_update(&ctx, msg, cut);
        cairn_sha256_copy(&fork, &ctx);
        assigned = ctx;
        /* ctx continues with the true suffix, fork with a changed one */
        cairn_sha256_update(&ctx, msg + cut, len - cut);
        cairn_sha256_final(a, &ctx);
        uint8_t alt[300];
        memcpy(alt, msg, len);
        if (len > cut)
            alt[cut] ^= 1;
        cairn_sha256_update(&fork, alt + cut, len - cut);
        cairn_sha256_final(b, &fork);
        cairn_sha256_update(&assigned, msg + cut, len - cut);
        uint8_t c[32];
        cairn_sha256_final(c, &assigned);
        cairn_sha256(ra, msg, len);
        cairn_sha256(rb, alt, len);
        CHECK_MEM_EQ(a, ra, 32);
        CHECK_MEM_EQ(b, rb, 32);
        CHECK_MEM_EQ(c, ra, 32);
    }
}

/* A context can be reused after final by calling init again. */
static void sha256_ctx_reinit(void)
{
    uint8_t a[32], b[32];
    cairn_sha256_ctx ctx;
    cairn_sha256_init(&ctx);
    cairn_sha256_update(&ctx, "garbage", 7);
    cairn_sha256_final(a, &ctx);
    cairn_sha256_init(&ctx);
    cairn_sha256_update(&ctx, "abc", 3);
    cairn_sha256_final(a, &ctx);
    unhex(b, vecs[1].hex, 32);
    CHECK_MEM_EQ(a, b, 32);
}

/* Random lengths 0 .. 1100 against EVP_Digest as the reference. */
static void sha256_vs_evp(void)
{
    static uint8_t msg[1100];
    EVP_MD *md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!CHECK(md != NULL))
        return;
    for (unsigned long it = 0; it < test_iters / 2 + 1; it++) {
        size_t len = it < 200 ? (size_t)it : test_rand_below(sizeof msg + 1);
        uint8_t got[32], want[32];
        unsigned int wl = 0;
        test_rand_bytes(msg, len);
        cairn_sha256(got, msg, len);
        CHECK(EVP_Digest(msg, len, want, &wl, md, NULL) == 1);
        CHECK_EQ_U64(wl, 32);
        CHECK_MEM_EQ(got, want, 32);
    }
    EVP_MD_free(md);
}

/*
 * Packed hashes against plain ones: HASHES messages of random bytes, fed in
 * the same random piece lengths (empty, short, across blocks, long), each
 * kept only packed (chaining value and pending bytes) between pieces, with
 * one template fed other bytes of the same lengths; after every piece the
 * pending count is the length mod 64, and at the end each packed hash
 * finishes to the plain digest of its message.  The context a hash is
 * unpacked into holds garbage first, so nothing leaks from a previous one.
 */
static void sha256_packed_vs_plain(void)
{
    enum { HASHES = 3, MAXLEN = 700 };
    static uint8_t msg[HASHES][MAXLEN], junk[MAXLEN];
    for (unsigned long it = 0; it < test_iters / 4 + 1; it++) {
        uint8_t cv[HASHES][CAIRN_SHA256_BYTES], pend[HASHES][CAIRN_SHA256_BLOCK_BYTES];
        size_t len = test_rand_below(MAXLEN + 1), off = 0;
        cairn_sha256_ctx tmpl, h;
        for (size_t i = 0; i < HASHES; i++)
            test_rand_bytes(msg[i], len);
        test_rand_bytes(junk, len);
        cairn_sha256_init(&tmpl);
        for (size_t i = 0; i < HASHES; i++)
            cairn_sha256_pack(cv[i], pend[i], &tmpl);
        CHECK_EQ_U64(cairn_sha256_pending(&tmpl), 0);
        while (off < len) {
            size_t max = len - off;
            size_t piece = (test_rand_u64() & 3) == 0 ? test_rand_below(max + 1)
                                                      : test_rand_below(max < 80 ? max + 1 : 80);
            for (size_t i = 0; i < HASHES; i++) {
                test_rand_bytes(&h, sizeof h);
                cairn_sha256_unpack(&h, &tmpl, cv[i], pend[i]);
                cairn_sha256_update(&h, msg[i] + off, piece);
                memset(pend[i], 0xa5, sizeof pend[i]);
                cairn_sha256_pack(cv[i], pend[i], &h);
            }
            cairn_sha256_update(&tmpl, junk + off, piece);
            off += piece;
            CHECK_EQ_U64(cairn_sha256_pending(&tmpl), off % CAIRN_SHA256_BLOCK_BYTES);
        }
        for (size_t i = 0; i < HASHES; i++) {
            uint8_t got[32], want[32];
            test_rand_bytes(&h, sizeof h);
            cairn_sha256_unpack(&h, &tmpl, cv[i], pend[i]);
            cairn_sha256_final(got, &h);
            cairn_sha256(want, msg[i], len);
            CHECK_MEM_EQ(got, want, 32);
        }
    }
}

const struct test_case test_sha256_cases[] = {
    TEST(sha256_selftest_passes),
    TEST(sha256_kat_oneshot),
    TEST(sha256_kat_incremental_random_splits),
    TEST(sha256_ctx_copy),
    TEST(sha256_ctx_reinit),
    TEST(sha256_vs_evp),
    TEST(sha256_packed_vs_plain),
    TEST_END,
};
