/*
 * test_merkle.c — Merkle trees: hashing rules and tiny roots rebuilt by
 * hand from cairn_sha256 calls; roots against a slow recursive reference;
 * parallel builds; every single path; random multi-openings against a
 * brute-force sibling count; tampering (siblings, leaves, indices, root,
 * sibling count) rejected; the byte encoding round trip and a strict parser
 * (every truncation, extensions, bad counts); in-process fuzzing of the
 * parser/verifier target in fuzz/; capped trees against full ones (the
 * same root, nodes and multi-opening bytes for every cap).
 */
#include <stdlib.h>
#include <string.h>

#include "cairn/merkle.h"
#include "tests.h"

int cairn_fuzz_merkle_proof(const uint8_t *data, size_t len);

/* ---- helpers ------------------------------------------------------------- */

static void rand_leaves(cairn_digest *leaves, size_t n)
{
    for (size_t i = 0; i < n; i++)
        test_rand_bytes(leaves[i].bytes, sizeof leaves[i].bytes);
}

static int digest_eq(const cairn_digest *a, const cairn_digest *b)
{
    return memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0;
}

/* H(0x01 || l || r) spelled out with the raw hash. */
static cairn_digest by_hand_node(const cairn_digest *l, const cairn_digest *r)
{
    uint8_t buf[65];
    cairn_digest d;
    buf[0] = 0x01;
    memcpy(buf + 1, l->bytes, 32);
    memcpy(buf + 33, r->bytes, 32);
    cairn_sha256(d.bytes, buf, sizeof buf);
    return d;
}

/*
 * Slow reference: the root of the subtree over leaf slots [lo, lo + 2^h),
 * slots >= n being zero digests; plain recursion, no zero-subtree shortcut.
 */
static cairn_digest ref_root(const cairn_digest *leaves, size_t n, size_t lo, unsigned h)
{
    if (h == 0) {
        cairn_digest z;
        if (lo < n)
            return leaves[lo];
        memset(z.bytes, 0, sizeof z.bytes);
        return z;
    }
    cairn_digest l = ref_root(leaves, n, lo, h - 1);
    cairn_digest r = ref_root(leaves, n, lo + ((size_t)1 << (h - 1)), h - 1);
    return by_hand_node(&l, &r);
}

/*
 * Brute-force sibling count of a multi-opening: mark every ancestor of an
 * opened leaf as known; a needed sibling is a child of a known inner node
 * that is not itself known.
 */
static size_t ref_sibling_count(size_t n, const size_t *idx, size_t m)
{
    unsigned h = cairn_merkle_height(n);
    size_t w = (size_t)1 << h;
    unsigned char *known = calloc(2 * w, 1); /* heap layout: node k has children 2k, 2k+1 */
    size_t c = 0;
    if (known == NULL)
        return SIZE_MAX;
    for (size_t i = 0; i < m; i++)
        for (size_t k = w + idx[i]; k >= 1; k >>= 1)
            known[k] = 1;
    for (size_t k = 1; k < w; k++) {
        if (known[k]) {
            c += !known[2 * k];
            c += !known[2 * k + 1];
        }
    }
    free(known);
    return c;
}

/* ---- hashing rules ----------------------------------------------------------- */

static void merkle_hash_rules(void)
{
    uint8_t data[100], buf[101];
    cairn_digest got, want, l, r;
    for (unsigned long it = 0; it < test_iters / 10 + 1; it++) {
        size_t len = test_rand_below(sizeof data + 1);
        test_rand_bytes(data, len);
        buf[0] = 0x00;
        memcpy(buf + 1, data, len);
        cairn_sha256(want.bytes, buf, len + 1);
        cairn_merkle_leaf_hash(&got, data, len);
        CHECK(digest_eq(&got, &want));
        /* streaming leaf hash over two pieces */
        cairn_sha256_ctx ctx;
        size_t cut = test_rand_below(len + 1);
        cairn_merkle_leaf_init(&ctx);
        cairn_sha256_update(&ctx, data, cut);
        cairn_sha256_update(&ctx, data + cut, len - cut);
        cairn_sha256_final(got.bytes, &ctx);
        CHECK(digest_eq(&got, &want));

        rand_leaves(&l, 1);
        rand_leaves(&r, 1);
        want = by_hand_node(&l, &r);
        cairn_merkle_node_hash(&got, &l, &r);
        CHECK(digest_eq(&got, &want));
        /* aliasing the output with an input */
        cairn_merkle_node_hash(&l, &l, &r);
        CHECK(digest_eq(&l, &want));
    }
    /* a leaf and a node over the same bytes differ */
    uint8_t two[64];
    test_rand_bytes(two, sizeof two);
    memcpy(l.bytes, two, 32);
    memcpy(r.bytes, two + 32, 32);
    cairn_merkle_leaf_hash(&got, two, sizeof two);
    cairn_merkle_node_hash(&want, &l, &r);
    CHECK(!digest_eq(&got, &want));
}

static void merkle_height_values(void)
{
    CHECK_EQ_U64(cairn_merkle_height(0), 0);
    CHECK_EQ_U64(cairn_merkle_height(1), 0);
    CHECK_EQ_U64(cairn_merkle_height(2), 1);
    CHECK_EQ_U64(cairn_merkle_height(3), 2);
    CHECK_EQ_U64(cairn_merkle_height(4), 2);
    CHECK_EQ_U64(cairn_merkle_height(5), 3);
    CHECK_EQ_U64(cairn_merkle_height((size_t)1 << 20), 20);
    CHECK_EQ_U64(cairn_merkle_height(((size_t)1 << 20) + 1), 21);
    CHECK_EQ_U64(cairn_merkle_height(CAIRN_MERKLE_MAX_LEAVES), CAIRN_MERKLE_MAX_HEIGHT);
}

/* Roots of trees of 1, 2, 3, 4 and 5 leaves written out by hand. */
static void merkle_tiny_roots_by_hand(void)
{
    cairn_digest lv[5], z, want;
    cairn_merkle_tree t;
    memset(z.bytes, 0, 32);
    for (int i = 0; i < 5; i++) {
        uint8_t b = (uint8_t)('a' + i);
        cairn_merkle_leaf_hash(&lv[i], &b, 1);
    }
    cairn_merkle_tree_init(&t);

    CHECK_OK(cairn_merkle_tree_build(&t, lv, 1, 1, NULL));
    CHECK(digest_eq(cairn_merkle_tree_root(&t), &lv[0]));
    CHECK_EQ_U64(t.height, 0);

    CHECK_OK(cairn_merkle_tree_build(&t, lv, 2, 1, NULL));
    want = by_hand_node(&lv[0], &lv[1]);
    CHECK(digest_eq(cairn_merkle_tree_root(&t), &want));

    cairn_digest n01 = by_hand_node(&lv[0], &lv[1]);
    cairn_digest n23 = by_hand_node(&lv[2], &lv[3]);
    cairn_digest n2z = by_hand_node(&lv[2], &z);
    CHECK_OK(cairn_merkle_tree_build(&t, lv, 3, 1, NULL));
    want = by_hand_node(&n01, &n2z);
    CHECK(digest_eq(cairn_merkle_tree_root(&t), &want));

    CHECK_OK(cairn_merkle_tree_build(&t, lv, 4, 1, NULL));
    want = by_hand_node(&n01, &n23);
    CHECK(digest_eq(cairn_merkle_tree_root(&t), &want));
    CHECK(digest_eq(cairn_merkle_tree_leaf(&t, 3), &lv[3]));

    /* 5 leaves: width 8, the right half is lv[4] then three zero slots */
    cairn_digest n4z = by_hand_node(&lv[4], &z);
    cairn_digest zz = by_hand_node(&z, &z);
    cairn_digest left = by_hand_node(&n01, &n23);
    cairn_digest right = by_hand_node(&n4z, &zz);
    CHECK_OK(cairn_merkle_tree_build(&t, lv, 5, 1, NULL));
    want = by_hand_node(&left, &right);
    CHECK(digest_eq(cairn_merkle_tree_root(&t), &want));
    CHECK_EQ_U64(t.width, 8);
    CHECK_EQ_U64(t.height, 3);

    cairn_merkle_tree_clear(&t);
    cairn_merkle_tree_clear(&t);
    cairn_merkle_tree_clear(NULL);
}

/* Every size 1 .. 70 and some random larger ones, against the recursive reference. */
static void merkle_root_vs_reference(void)
{
    enum { MAXN = 600 };
    static cairn_digest lv[MAXN];
    cairn_merkle_tree t;
    cairn_merkle_tree_init(&t);
    for (size_t n = 1; n <= 80; n++) {
        size_t nn = n <= 70 ? n : 71 + test_rand_below(MAXN - 70);
        rand_leaves(lv, nn);
        CHECK_OK(cairn_merkle_tree_build(&t, lv, nn, 1, NULL));
        cairn_digest want = ref_root(lv, nn, 0, cairn_merkle_height(nn));
        if (!CHECK(digest_eq(cairn_merkle_tree_root(&t), &want)))
            FAIL("root differs for %zu leaves", nn);
    }
    cairn_merkle_tree_clear(&t);
}

static void merkle_build_args(void)
{
    cairn_digest lv[2];
    cairn_merkle_tree t;
    cairn_error err;
    rand_leaves(lv, 2);
    cairn_merkle_tree_init(&t);
    CHECK_STATUS(cairn_merkle_tree_build(&t, lv, 0, 1, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "0 leaves") != NULL);
    CHECK(t.nodes == NULL);
    CHECK_STATUS(cairn_merkle_tree_build(&t, NULL, 2, 1, &err), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_merkle_tree_build(&t, lv, CAIRN_MERKLE_MAX_LEAVES + 1, 1, NULL),
                 CAIRN_ERR_ARG);
    /* a rebuild replaces the old tree without leaking (ASan checks) */
    CHECK_OK(cairn_merkle_tree_build(&t, lv, 2, 1, NULL));
    cairn_digest root2 = *cairn_merkle_tree_root(&t);
    /* rebuilding from the tree's own leaf level (aliasing) gives the same tree */
    CHECK_OK(cairn_merkle_tree_build(&t, t.nodes, 2, 1, NULL));
    CHECK(digest_eq(cairn_merkle_tree_root(&t), &root2));
    CHECK_OK(cairn_merkle_tree_build(&t, lv, 1, 1, NULL));
    /* a failed build leaves the tree empty */
    CHECK_STATUS(cairn_merkle_tree_build(&t, lv, 0, 1, NULL), CAIRN_ERR_ARG);
    CHECK(t.nodes == NULL && cairn_merkle_tree_root(&t) == NULL);
    cairn_merkle_tree_clear(&t);
}

/* Thread counts 1 .. 8 give byte-identical trees (padding included). */
static void merkle_parallel_build_identical(void)
{
    const size_t sizes[] = {(size_t)1 << 15, ((size_t)1 << 14) + 3, 9000, 100};
    cairn_merkle_tree t1, tn;
    cairn_merkle_tree_init(&t1);
    cairn_merkle_tree_init(&tn);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        cairn_digest *lv = malloc(n * sizeof *lv);
        if (!CHECK(lv != NULL))
            return;
        rand_leaves(lv, n);
        CHECK_OK(cairn_merkle_tree_build(&t1, lv, n, 1, NULL));
        for (unsigned th = 2; th <= 8; th++) {
            CHECK_OK(cairn_merkle_tree_build(&tn, lv, n, th, NULL));
            CHECK_MEM_EQ(tn.nodes, t1.nodes, (2 * t1.width - 1) * sizeof(cairn_digest));
        }
        free(lv);
    }
    cairn_merkle_tree_clear(&t1);
    cairn_merkle_tree_clear(&tn);
}

/* ---- single paths -------------------------------------------------------------- */

/*
 * Every leaf of trees of several sizes opens and verifies; a sample of
 * single-byte flips in the path, a wrong leaf, a wrong index and a wrong
 * root are each rejected.
 */
static void merkle_single_paths(void)
{
    const size_t sizes[] = {1, 2, 3, 4, 5, 7, 8, 13, 16, 33, 100};
    cairn_digest lv[100], path[CAIRN_MERKLE_MAX_HEIGHT];
    cairn_merkle_tree t;
    cairn_error err;
    cairn_merkle_tree_init(&t);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        rand_leaves(lv, n);
        CHECK_OK(cairn_merkle_tree_build(&t, lv, n, 1, NULL));
        const cairn_digest *root = cairn_merkle_tree_root(&t);
        size_t h = t.height;
        for (size_t i = 0; i < n; i++) {
            CHECK_OK(cairn_merkle_tree_open(path, h, &t, i, NULL));
            CHECK_OK(cairn_merkle_path_verify(root, n, i, &lv[i], path, h, NULL));
            /* flip one random bit of one random sibling byte, a few times */
            for (int k = 0; k < 3 && h > 0; k++) {
                size_t l = test_rand_below(h), b = test_rand_below(32);
                uint8_t bit = (uint8_t)(1u << test_rand_below(8));
                path[l].bytes[b] ^= bit;
                CHECK_STATUS(cairn_merkle_path_verify(root, n, i, &lv[i], path, h, &err),
                             CAIRN_ERR_REJECTED);
                path[l].bytes[b] ^= bit;
            }
            cairn_digest bad = lv[i];
            bad.bytes[test_rand_below(32)] ^= 0x80;
            CHECK_STATUS(cairn_merkle_path_verify(root, n, i, &bad, path, h, NULL),
                         CAIRN_ERR_REJECTED);
            if (n > 1) {
                size_t j = (i + 1 + test_rand_below(n - 1)) % n;
                CHECK_STATUS(cairn_merkle_path_verify(root, n, j, &lv[i], path, h, NULL),
                             CAIRN_ERR_REJECTED);
            }
            cairn_digest wrong_root = *root;
            wrong_root.bytes[31] ^= 1;
            CHECK_STATUS(cairn_merkle_path_verify(&wrong_root, n, i, &lv[i], path, h, NULL),
                         CAIRN_ERR_REJECTED);
        }
        /* every byte of every sibling, for one leaf of the 13-leaf tree */
        if (n == 13) {
            CHECK_OK(cairn_merkle_tree_open(path, h, &t, 6, NULL));
            for (size_t l = 0; l < h; l++) {
                for (size_t b = 0; b < 32; b++) {
                    path[l].bytes[b] ^= 0x01;
                    CHECK_STATUS(cairn_merkle_path_verify(root, n, 6, &lv[6], path, h, NULL),
                                 CAIRN_ERR_REJECTED);
                    path[l].bytes[b] ^= 0x01;
                }
            }
        }
        /* argument errors */
        CHECK_STATUS(cairn_merkle_tree_open(path, h, &t, n, &err), CAIRN_ERR_ARG);
        CHECK(strstr(err.msg, "out of range") != NULL);
        CHECK_STATUS(cairn_merkle_tree_open(path, h + 1, &t, 0, NULL), CAIRN_ERR_ARG);
        CHECK_STATUS(cairn_merkle_path_verify(root, n, n, &lv[0], path, h, NULL), CAIRN_ERR_ARG);
        CHECK_STATUS(cairn_merkle_path_verify(root, n, 0, &lv[0], path, h + 1, NULL),
                     CAIRN_ERR_ARG);
        CHECK_STATUS(cairn_merkle_path_verify(root, 0, 0, &lv[0], path, h, NULL), CAIRN_ERR_ARG);
    }
    cairn_merkle_tree_clear(&t);
    CHECK_STATUS(cairn_merkle_tree_open(path, 0, &t, 0, NULL), CAIRN_ERR_ARG);
}

/* ---- multi-openings -------------------------------------------------------------- */

/* Pick an index set: kind 0 random with repeats, 1 all leaves, 2 one leaf, 3 adjacent pairs. */
static size_t pick_indices(size_t *idx, size_t cap, size_t n, unsigned kind)
{
    size_t m = 0;
    switch (kind) {
    case 0:
        m = 1 + test_rand_below(cap < 2 * n ? cap : 2 * n);
        for (size_t i = 0; i < m; i++)
            idx[i] = test_rand_below(n);
        break;
    case 1:
        m = n < cap ? n : cap;
        for (size_t i = 0; i < m; i++)
            idx[i] = m - 1 - i; /* descending: must be sorted inside */
        break;
    case 2:
        m = 1;
        idx[0] = test_rand_below(n);
        break;
    default:
        for (size_t i = 0; i + 1 < cap && m < 6; i += 2) {
            size_t a = test_rand_below(n);
            idx[m++] = a;
            if (a + 1 < n)
                idx[m++] = a + 1;
        }
        break;
    }
    return m;
}

static void merkle_multiproof_random(void)
{
    enum { MAXN = 300, CAP = 64 };
    static cairn_digest lv[MAXN];
    size_t idx[CAP], idx2[CAP];
    cairn_digest opened[CAP], opened2[CAP];
    cairn_merkle_tree t;
    cairn_merkle_multiproof p;
    cairn_merkle_tree_init(&t);
    cairn_merkle_multiproof_init(&p);
    for (unsigned long it = 0; it < test_iters / 4 + 8; it++) {
        size_t n = it < 40 ? 1 + it : 1 + test_rand_below(MAXN);
        rand_leaves(lv, n);
        CHECK_OK(cairn_merkle_tree_build(&t, lv, n, 1, NULL));
        unsigned kind = (unsigned)(it % 4);
        size_t m = pick_indices(idx, CAP, n, kind);
        for (size_t i = 0; i < m; i++)
            opened[i] = lv[idx[i]];
        CHECK_OK(cairn_merkle_multiproof_open(&p, &t, idx, m, NULL));
        CHECK_EQ_U64(p.siblings_len, ref_sibling_count(n, idx, m));
        CHECK_OK(cairn_merkle_multiproof_verify(cairn_merkle_tree_root(&t), n, idx, opened, m, &p,
                                                NULL));
        /* the same set in another order verifies with the same proof */
        for (size_t i = 0; i < m; i++) {
            idx2[i] = idx[m - 1 - i];
            opened2[i] = opened[m - 1 - i];
        }
        CHECK_OK(cairn_merkle_multiproof_verify(cairn_merkle_tree_root(&t), n, idx2, opened2, m, &p,
                                                NULL));
        /* one leaf opened alone needs exactly its full path */
        if (kind == 2)
            CHECK_EQ_U64(p.siblings_len, t.height);
    }
    cairn_merkle_multiproof_clear(&p);
    cairn_merkle_multiproof_clear(&p);
    cairn_merkle_multiproof_clear(NULL);
    cairn_merkle_tree_clear(&t);
}

/*
 * Tampering: every byte of every sibling of one proof (a bit flip each), a
 * changed leaf, an index moved to an unopened leaf, a wrong root, a sibling
 * dropped or added, an index repeated with a different leaf: all rejected.
 * A repeat with the same leaf is fine.
 */
static void merkle_multiproof_tamper(void)
{
    enum { N = 45, M = 6 };
    cairn_digest lv[N], opened[M + 1], extra[64];
    size_t idx[M + 1] = {3, 4, 17, 30, 31, 44, 0};
    cairn_merkle_tree t;
    cairn_merkle_multiproof p;
    cairn_error err;
    cairn_merkle_tree_init(&t);
    cairn_merkle_multiproof_init(&p);
    rand_leaves(lv, N);
    CHECK_OK(cairn_merkle_tree_build(&t, lv, N, 1, NULL));
    const cairn_digest *root = cairn_merkle_tree_root(&t);
    for (size_t i = 0; i < M; i++)
        opened[i] = lv[idx[i]];
    CHECK_OK(cairn_merkle_multiproof_open(&p, &t, idx, M, NULL));
    CHECK_OK(cairn_merkle_multiproof_verify(root, N, idx, opened, M, &p, NULL));
    CHECK(p.siblings_len > 0);

    for (size_t s = 0; s < p.siblings_len; s++) {
        for (size_t b = 0; b < 32; b++) {
            uint8_t bit = (uint8_t)(1u << (b % 8));
            p.siblings[s].bytes[b] ^= bit;
            CHECK_STATUS(cairn_merkle_multiproof_verify(root, N, idx, opened, M, &p, NULL),
                         CAIRN_ERR_REJECTED);
            p.siblings[s].bytes[b] ^= bit;
        }
    }
    for (size_t i = 0; i < M; i++) {
        opened[i].bytes[i] ^= 0x10;
        CHECK_STATUS(cairn_merkle_multiproof_verify(root, N, idx, opened, M, &p, &err),
                     CAIRN_ERR_REJECTED);
        opened[i].bytes[i] ^= 0x10;
    }
    CHECK(strstr(err.msg, "root") != NULL);
    /* move index 17 to 16 (unopened, its sibling) and to 20 */
    idx[2] = 16;
    CHECK_STATUS(cairn_merkle_multiproof_verify(root, N, idx, opened, M, &p, NULL),
                 CAIRN_ERR_REJECTED);
    idx[2] = 20;
    CHECK_STATUS(cairn_merkle_multiproof_verify(root, N, idx, opened, M, &p, NULL),
                 CAIRN_ERR_REJECTED);
    idx[2] = 17;
    cairn_digest wrong = *root;
    wrong.bytes[0] ^= 0x01;
    CHECK_STATUS(cairn_merkle_multiproof_verify(&wrong, N, idx, opened, M, &p, NULL),
                 CAIRN_ERR_REJECTED);

    /* one sibling fewer, one more */
    p.siblings_len--;
    CHECK_STATUS(cairn_merkle_multiproof_verify(root, N, idx, opened, M, &p, &err),
                 CAIRN_ERR_REJECTED);
    CHECK(strstr(err.msg, "needs more") != NULL);
    p.siblings_len++;
    cairn_merkle_multiproof longer = {extra, p.siblings_len + 1};
    memcpy(extra, p.siblings, p.siblings_len * sizeof(cairn_digest));
    extra[p.siblings_len] = lv[0];
    CHECK_STATUS(cairn_merkle_multiproof_verify(root, N, idx, opened, M, &longer, &err),
                 CAIRN_ERR_REJECTED);
    CHECK(strstr(err.msg, "uses") != NULL);

    /* a repeated index: same leaf fine, different leaf rejected */
    idx[M] = 30;
    opened[M] = lv[30];
    CHECK_OK(cairn_merkle_multiproof_verify(root, N, idx, opened, M + 1, &p, NULL));
    opened[M] = lv[31];
    CHECK_STATUS(cairn_merkle_multiproof_verify(root, N, idx, opened, M + 1, &p, &err),
                 CAIRN_ERR_REJECTED);
    CHECK(strstr(err.msg, "twice") != NULL);

    /* argument errors: no indices, out of range (also the padding slots 45 .. 63) */
    CHECK_STATUS(cairn_merkle_multiproof_verify(root, N, idx, opened, 0, &p, NULL), CAIRN_ERR_ARG);
    idx[0] = N;
    CHECK_STATUS(cairn_merkle_multiproof_verify(root, N, idx, opened, M, &p, NULL), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_merkle_multiproof_open(&p, &t, idx, M, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "out of range") != NULL);
    CHECK(p.siblings == NULL);
    idx[0] = 63;
    CHECK_STATUS(cairn_merkle_multiproof_open(&p, &t, idx, M, NULL), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_merkle_multiproof_open(&p, &t, idx, 0, NULL), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_merkle_multiproof_verify(root, 0, idx, opened, M, &p, NULL), CAIRN_ERR_ARG);
    cairn_merkle_multiproof_clear(&p);
    cairn_merkle_tree_clear(&t);
}

/* One leaf: height 0, the root is the leaf, the proof is empty. */
static void merkle_single_leaf_tree(void)
{
    cairn_digest lv[1], other;
    size_t idx[2] = {0, 0};
    cairn_digest opened[2];
    cairn_merkle_tree t;
    cairn_merkle_multiproof p;
    uint8_t enc[4];
    rand_leaves(lv, 1);
    other = lv[0];
    other.bytes[5] ^= 4;
    opened[0] = opened[1] = lv[0];
    cairn_merkle_tree_init(&t);
    cairn_merkle_multiproof_init(&p);
    CHECK_OK(cairn_merkle_tree_build(&t, lv, 1, 4, NULL));
    CHECK_OK(cairn_merkle_multiproof_open(&p, &t, idx, 2, NULL));
    CHECK_EQ_U64(p.siblings_len, 0);
    CHECK_OK(cairn_merkle_multiproof_verify(&lv[0], 1, idx, opened, 2, &p, NULL));
    CHECK_STATUS(cairn_merkle_multiproof_verify(&lv[0], 1, idx, &other, 1, &p, NULL),
                 CAIRN_ERR_REJECTED);
    CHECK_OK(cairn_merkle_path_verify(&lv[0], 1, 0, &lv[0], NULL, 0, NULL));
    CHECK_OK(cairn_merkle_multiproof_encode(enc, sizeof enc, &p, NULL));
    CHECK(enc[0] == 0 && enc[1] == 0 && enc[2] == 0 && enc[3] == 0);
    CHECK_OK(cairn_merkle_multiproof_decode(&p, NULL, enc, sizeof enc, 1, 1, NULL));
    /* a sibling where none can be needed is over the bound */
    uint8_t enc1[36] = {1, 0, 0, 0};
    CHECK_STATUS(cairn_merkle_multiproof_decode(&p, NULL, enc1, sizeof enc1, 1, 5, NULL),
                 CAIRN_ERR_PARSE);
    cairn_merkle_multiproof_clear(&p);
    cairn_merkle_tree_clear(&t);
}

/* ---- encoding ---------------------------------------------------------------------- */

static void merkle_multiproof_encoding_roundtrip(void)
{
    enum { MAXN = 200, CAP = 24 };
    static cairn_digest lv[MAXN];
    size_t idx[CAP];
    cairn_digest opened[CAP];
    cairn_merkle_tree t;
    cairn_merkle_multiproof p, q;
    cairn_merkle_tree_init(&t);
    cairn_merkle_multiproof_init(&p);
    cairn_merkle_multiproof_init(&q);
    for (unsigned long it = 0; it < test_iters / 10 + 4; it++) {
        size_t n = 1 + test_rand_below(MAXN);
        rand_leaves(lv, n);
        CHECK_OK(cairn_merkle_tree_build(&t, lv, n, 1, NULL));
        size_t m = pick_indices(idx, CAP, n, (unsigned)(it % 4));
        for (size_t i = 0; i < m; i++)
            opened[i] = lv[idx[i]];
        CHECK_OK(cairn_merkle_multiproof_open(&p, &t, idx, m, NULL));
        size_t len = cairn_merkle_multiproof_encoded_len(&p);
        CHECK_EQ_U64(len, 4 + 32 * p.siblings_len);
        uint8_t *buf = malloc(len + 7);
        if (!CHECK(buf != NULL))
            break;
        CHECK_OK(cairn_merkle_multiproof_encode(buf, len, &p, NULL));
        CHECK_EQ_U64((uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
                         (uint32_t)buf[3] << 24,
                     p.siblings_len);
        CHECK_STATUS(cairn_merkle_multiproof_encode(buf, len + 1, &p, NULL), CAIRN_ERR_ARG);
        CHECK_OK(cairn_merkle_multiproof_decode(&q, NULL, buf, len, n, m, NULL));
        CHECK_EQ_U64(q.siblings_len, p.siblings_len);
        if (p.siblings_len > 0)
            CHECK_MEM_EQ(q.siblings, p.siblings, p.siblings_len * sizeof(cairn_digest));
        CHECK_OK(cairn_merkle_multiproof_verify(cairn_merkle_tree_root(&t), n, idx, opened, m, &q,
                                                NULL));
        /* prefix mode: trailing bytes allowed, consumed length reported */
        size_t used = 0;
        test_rand_bytes(buf + len, 7);
        CHECK_OK(cairn_merkle_multiproof_decode(&q, &used, buf, len + 7, n, m, NULL));
        CHECK_EQ_U64(used, len);
        CHECK_STATUS(cairn_merkle_multiproof_decode(&q, NULL, buf, len + 7, n, m, NULL),
                     CAIRN_ERR_PARSE);
        free(buf);
    }
    cairn_merkle_multiproof_clear(&p);
    cairn_merkle_multiproof_clear(&q);
    cairn_merkle_tree_clear(&t);
}

/*
 * The parser on a small proof: every truncation and several extensions are
 * PARSE (in both modes where applicable), every count other than the true
 * one is PARSE at the exact length check, a count over the bound is PARSE
 * even when the length matches it, and flipped sibling bytes parse but are
 * REJECTED by the verifier.
 */
static void merkle_multiproof_decode_rejects(void)
{
    enum { N = 21 };
    cairn_digest lv[N], opened[3];
    size_t idx[3] = {2, 9, 20};
    cairn_merkle_tree t;
    cairn_merkle_multiproof p, q;
    cairn_error err;
    uint8_t buf[4 + 32 * 16 + 64];
    cairn_merkle_tree_init(&t);
    cairn_merkle_multiproof_init(&p);
    cairn_merkle_multiproof_init(&q);
    rand_leaves(lv, N);
    for (int i = 0; i < 3; i++)
        opened[i] = lv[idx[i]];
    CHECK_OK(cairn_merkle_tree_build(&t, lv, N, 1, NULL));
    CHECK_OK(cairn_merkle_multiproof_open(&p, &t, idx, 3, NULL));
    size_t len = cairn_merkle_multiproof_encoded_len(&p);
    CHECK(len + 64 <= sizeof buf);
    CHECK_OK(cairn_merkle_multiproof_encode(buf, len, &p, NULL));

    for (size_t cut = 0; cut < len; cut++) {
        size_t used = 0;
        CHECK_STATUS(cairn_merkle_multiproof_decode(&q, NULL, buf, cut, N, 3, &err),
                     CAIRN_ERR_PARSE);
        CHECK(q.siblings == NULL && q.siblings_len == 0);
        CHECK_STATUS(cairn_merkle_multiproof_decode(&q, &used, buf, cut, N, 3, NULL),
                     CAIRN_ERR_PARSE);
    }
    CHECK_STATUS(cairn_merkle_multiproof_decode(&q, NULL, NULL, 0, N, 3, &err), CAIRN_ERR_PARSE);
    CHECK(strstr(err.msg, "too short") != NULL);
    for (size_t ext = 1; ext <= 64; ext++) {
        buf[len + ext - 1] = (uint8_t)ext;
        CHECK_STATUS(cairn_merkle_multiproof_decode(&q, NULL, buf, len + ext, N, 3, &err),
                     CAIRN_ERR_PARSE);
    }
    CHECK(strstr(err.msg, "expected exactly") != NULL);
    /* any other count mismatches the length */
    uint32_t true_count = (uint32_t)p.siblings_len;
    for (uint32_t c = 0; c < 40; c++) {
        if (c == true_count)
            continue;
        buf[0] = (uint8_t)c;
        CHECK_STATUS(cairn_merkle_multiproof_decode(&q, NULL, buf, len, N, 3, NULL),
                     CAIRN_ERR_PARSE);
    }
    buf[0] = (uint8_t)true_count;
    /* each high count byte set */
    for (int k = 1; k < 4; k++) {
        buf[k] = 0x80;
        CHECK_STATUS(cairn_merkle_multiproof_decode(&q, NULL, buf, len, N, 3, &err),
                     CAIRN_ERR_PARSE);
        CHECK(strstr(err.msg, "exceeds the bound") != NULL);
        buf[k] = 0;
    }
    /* height 5, max_queries 1: bound 5; a count of 6 with a matching length is still PARSE */
    {
        static uint8_t six[4 + 32 * 6];
        memset(six, 0, sizeof six);
        six[0] = 6;
        CHECK_STATUS(cairn_merkle_multiproof_decode(&q, NULL, six, sizeof six, N, 1, &err),
                     CAIRN_ERR_PARSE);
        CHECK(strstr(err.msg, "bound 5") != NULL);
        six[0] = 5;
        CHECK_OK(cairn_merkle_multiproof_decode(&q, NULL, six, sizeof six - 32, N, 1, NULL));
    }
    /* max_queries too small for this proof's count: bound 1 * 5 < true count? */
    if (true_count > 5)
        CHECK_STATUS(cairn_merkle_multiproof_decode(&q, NULL, buf, len, N, 1, NULL),
                     CAIRN_ERR_PARSE);
    /* parameters */
    CHECK_STATUS(cairn_merkle_multiproof_decode(&q, NULL, buf, len, 0, 3, NULL), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_merkle_multiproof_decode(&q, NULL, buf, len, N, 0, NULL), CAIRN_ERR_ARG);
    CHECK_STATUS(
        cairn_merkle_multiproof_decode(&q, NULL, buf, len, CAIRN_MERKLE_MAX_LEAVES + 1, 3, NULL),
        CAIRN_ERR_ARG);
    /* flipped sibling bytes parse but do not verify */
    for (size_t off = 4; off < len; off += 7) {
        buf[off] ^= 0x40;
        CHECK_OK(cairn_merkle_multiproof_decode(&q, NULL, buf, len, N, 3, NULL));
        CHECK_STATUS(
            cairn_merkle_multiproof_verify(cairn_merkle_tree_root(&t), N, idx, opened, 3, &q, NULL),
            CAIRN_ERR_REJECTED);
        buf[off] ^= 0x40;
    }
    CHECK_OK(cairn_merkle_multiproof_decode(&q, NULL, buf, len, N, 3, NULL));
    CHECK_OK(
        cairn_merkle_multiproof_verify(cairn_merkle_tree_root(&t), N, idx, opened, 3, &q, NULL));
    cairn_merkle_multiproof_clear(&p);
    cairn_merkle_multiproof_clear(&q);
    cairn_merkle_tree_clear(&t);
}

/* ---- in-process fuzzing ----------------------------------------------------------- */

/*
 * Drive fuzz/fuzz_merkle_proof.c with honest encodings of random openings of
 * trees of 1..40 leaves (leaf i = leaf_hash(byte i)), in both parse modes,
 * with and without a lie about an opened leaf, then mutations of them (bit
 * flips, truncation, extension) and pure noise.  An honest, unmutated,
 * truthful input must be accepted, which the target cannot see: the test
 * checks that separately through the library.
 */
static void merkle_fuzz_target_inprocess(void)
{
    enum { MAXL = 40, HDR = 3 };
    cairn_digest lv[MAXL];
    cairn_merkle_tree t;
    cairn_merkle_multiproof p;
    uint8_t in[HDR + 8 + 4 + 32 * 48 + 16];
    size_t idx[8];
    for (size_t i = 0; i < MAXL; i++) {
        uint8_t b = (uint8_t)i;
        cairn_merkle_leaf_hash(&lv[i], &b, 1);
    }
    cairn_merkle_tree_init(&t);
    cairn_merkle_multiproof_init(&p);
    unsigned long rounds = 3 * test_iters + 100;
    for (unsigned long it = 0; it < rounds; it++) {
        uint8_t qb = (uint8_t)test_rand_below(256), nb = (uint8_t)test_rand_below(256);
        uint8_t flags = (uint8_t)test_rand_below(256);
        size_t q = 1 + qb % 8, n = 1 + nb % MAXL;
        in[0] = qb;
        in[1] = nb;
        in[2] = flags;
        for (size_t i = 0; i < q; i++) {
            in[HDR + i] = (uint8_t)test_rand_below(256);
            idx[i] = in[HDR + i] % n;
        }
        size_t len = HDR + q;
        unsigned mode = (unsigned)(it % 4);
        if (mode == 3) {
            size_t extra = test_rand_below(200);
            test_rand_bytes(in + len, extra);
            len += extra;
        } else {
            if (cairn_merkle_tree_build(&t, lv, n, 1, NULL) != CAIRN_OK ||
                cairn_merkle_multiproof_open(&p, &t, idx, q, NULL) != CAIRN_OK) {
                FAIL("build or open failed (n = %zu, q = %zu)", n, q);
                break;
            }
            size_t el = cairn_merkle_multiproof_encoded_len(&p);
            CHECK_OK(cairn_merkle_multiproof_encode(in + len, el, &p, NULL));
            len += el;
            if (mode == 0) {
                /* honest and truthful: the library accepts it */
                cairn_digest op[8];
                for (size_t i = 0; i < q; i++)
                    op[i] = lv[idx[i]];
                CHECK_OK(cairn_merkle_multiproof_verify(cairn_merkle_tree_root(&t), n, idx, op, q,
                                                        &p, NULL));
            } else if (mode == 1) {
                size_t flips = 1 + test_rand_below(3);
                for (size_t f = 0; f < flips; f++)
                    in[HDR + q + test_rand_below(len - HDR - q)] ^=
                        (uint8_t)(1u << test_rand_below(8));
            } else if (mode == 2) {
                if (test_rand_u64() & 1)
                    len = HDR + q + test_rand_below(len - HDR - q + 1);
                else
                    len += test_rand_below(16);
            }
        }
        int r = cairn_fuzz_merkle_proof(in, len);
        if (r != 0) {
            FAIL("fuzz target reported a violation on round %lu (mode %u, n %zu, q %zu, flags "
                 "0x%02x, %zu bytes)",
                 it, mode, n, q, flags, len);
            break;
        }
    }
    /* edge inputs */
    CHECK(cairn_fuzz_merkle_proof(NULL, 0) == 0);
    CHECK(cairn_fuzz_merkle_proof(in, 1) == 0);
    cairn_merkle_multiproof_clear(&p);
    cairn_merkle_tree_clear(&t);
}

/* The example of docs/hashing.md: three leaves "a", "b", "c"; opening {0, 2}. */
static void merkle_doc_vectors(void)
{
    static const char *const hexes[] = {
        "022a6979e6dab7aa5ae4c3e5e45f7e977112a7e63593820dbec1ec738a24f93c", /* leaf("a") */
        "619f5a47bfbf9018f169bc3e93921746c1bc367f3dd12537945303a1248b1ba1", /* root */
        "57eb35615d47f34ec714cacdf5fd74608a5e8e102724e80b24b287c0c27b6a31", /* leaf("b") */
    };
    cairn_digest lv[3], want[3], zero;
    cairn_merkle_tree t;
    cairn_merkle_multiproof p;
    size_t idx[2] = {2, 0};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 32; i++) {
            unsigned v = 0;
            for (int j = 0; j < 2; j++) {
                char c = hexes[k][2 * i + j];
                v = v * 16 + (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
            }
            want[k].bytes[i] = (uint8_t)v;
        }
    memset(zero.bytes, 0, 32);
    for (int i = 0; i < 3; i++) {
        char c = (char)('a' + i);
        cairn_merkle_leaf_hash(&lv[i], &c, 1);
    }
    CHECK(digest_eq(&lv[0], &want[0]));
    CHECK(digest_eq(&lv[1], &want[2]));
    cairn_merkle_tree_init(&t);
    cairn_merkle_multiproof_init(&p);
    CHECK_OK(cairn_merkle_tree_build(&t, lv, 3, 1, NULL));
    CHECK(digest_eq(cairn_merkle_tree_root(&t), &want[1]));
    CHECK_OK(cairn_merkle_multiproof_open(&p, &t, idx, 2, NULL));
    if (CHECK(p.siblings_len == 2)) {
        CHECK(digest_eq(&p.siblings[0], &want[2]));
        CHECK(digest_eq(&p.siblings[1], &zero));
    }
    cairn_merkle_multiproof_clear(&p);
    cairn_merkle_tree_clear(&t);
}

/* ---- capped trees ---------------------------------------------------------------- */

/*
 * Bottom subtrees of a tree over lv[0 .. n) capped at cap: for each of
 * the len subtree indices sub[i], its nodes at out + i (2^(cap+1) - 1),
 * from its leaves (the last subtree's slots past n left as padding).
 */
static void subtrees_from_leaves(cairn_digest *out, const size_t *sub, size_t len,
                                 const cairn_digest *lv, size_t n, unsigned cap)
{
    size_t width = (size_t)1 << cap, per = 2 * width - 1;
    for (size_t i = 0; i < len; i++) {
        size_t first = sub[i] * width, live = first < n ? n - first : 0;
        if (live > width)
            live = width;
        memcpy(out + i * per, lv + first, live * sizeof *lv);
        cairn_merkle_subtree_build(out + i * per, live, cap);
    }
}

/*
 * An index set for a capped opening: random leaves, then pairs of a leaf
 * in the bottom subtree of one already drawn (several queries in one
 * subtree) and a repetition of a drawn leaf.
 */
static size_t pick_capped(size_t *idx, size_t room, size_t n, unsigned cap)
{
    size_t width = (size_t)1 << cap, m = 1 + test_rand_below(room / 2);
    for (size_t i = 0; i < m; i++)
        idx[i] = test_rand_below(n);
    while (m + 2 <= room && test_rand_below(3) != 0) {
        size_t j = (idx[test_rand_below(m)] >> cap) * width + test_rand_below(width);
        idx[m] = j < n ? j : n - 1; /* past n: the last subtree, which holds n - 1 */
        m++;
        idx[m] = idx[test_rand_below(m)];
        m++;
    }
    return m;
}

/*
 * For random n (powers of two and not) and every cap 0 .. h in turn or at
 * random: the capped tree built from the bottom subtrees' roots holds
 * exactly the full tree's levels from the cap up (so the same root), on 1
 * to 4 threads; random index sets with repetitions and shared subtrees
 * open to byte-identical multiproofs from (cap + rebuilt subtrees), with
 * extra subtrees in the set too, and the proofs verify.
 */
static void merkle_capped_identical(void)
{
    enum { MAXN = 3000, ROOM = 48 };
    cairn_digest *lv = malloc(MAXN * sizeof *lv), *roots = malloc(MAXN * sizeof *roots);
    cairn_digest *subs = NULL;
    size_t idx[ROOM], sub[ROOM + 1];
    cairn_digest opened[ROOM];
    cairn_merkle_tree full, capped;
    cairn_merkle_multiproof want, got;
    cairn_merkle_tree_init(&full);
    cairn_merkle_tree_init(&capped);
    cairn_merkle_multiproof_init(&want);
    cairn_merkle_multiproof_init(&got);
    if (!CHECK(lv != NULL && roots != NULL))
        goto out;
    for (unsigned long it = 0; it < test_iters / 4 + 40; it++) {
        size_t n = it % 3 == 0 ? (size_t)1 << test_rand_below(12) : 1 + test_rand_below(MAXN);
        if (it % 7 == 1)
            n = 1 + test_rand_below(20);
        unsigned h = cairn_merkle_height(n);
        unsigned cap = it < 20 ? (unsigned)(it % (h + 1)) : (unsigned)test_rand_below(h + 1);
        size_t width = (size_t)1 << cap, per = 2 * width - 1, live = ((n - 1) >> cap) + 1;
        free(subs);
        subs = malloc((ROOM + 1) * per * sizeof *subs);
        if (!CHECK(subs != NULL))
            goto out;
        rand_leaves(lv, n);
        CHECK_OK(cairn_merkle_tree_build(&full, lv, n, 1, NULL));
        /* every subtree root: the nodes of level cap */
        for (size_t a = 0; a < live; a++) {
            subtrees_from_leaves(subs, &a, 1, lv, n, cap);
            roots[a] = subs[per - 1];
        }
        unsigned threads = 1 + (unsigned)(it % 4);
        CHECK_OK(cairn_merkle_tree_build_capped(&capped, roots, n, cap, threads, NULL));
        CHECK_EQ_U64(capped.cap, cap);
        CHECK_EQ_U64(capped.height, h);
        CHECK(digest_eq(cairn_merkle_tree_root(&capped), cairn_merkle_tree_root(&full)));
        size_t off = 2 * (full.width - (full.width >> cap));
        CHECK_MEM_EQ(capped.nodes, full.nodes + off,
                     (2 * (full.width >> cap) - 1) * sizeof(cairn_digest));
        for (int q = 0; q < 4; q++) {
            size_t m = pick_capped(idx, ROOM, n, cap);
            size_t len = cairn_merkle_subtrees_of(sub, idx, m, cap);
            CHECK(len >= 1 && len <= m);
            for (size_t i = 0; i < len; i++) {
                size_t j = 0;
                while (j < m && (idx[j] >> cap) != sub[i])
                    j++;
                CHECK(j < m && sub[i] < live && (i == 0 || sub[i - 1] < sub[i]));
            }
            if (q == 3 && len < live) {
                /* one more subtree than needed, kept sorted */
                size_t extra = test_rand_below(live), at = 0;
                while (at < len && sub[at] < extra)
                    at++;
                if (at == len || sub[at] != extra) {
                    memmove(sub + at + 1, sub + at, (len - at) * sizeof *sub);
                    sub[at] = extra;
                    len++;
                }
            }
            subtrees_from_leaves(subs, sub, len, lv, n, cap);
            cairn_merkle_subtrees set = {sub, subs, len};
            CHECK_OK(cairn_merkle_multiproof_open(&want, &full, idx, m, NULL));
            CHECK_OK(cairn_merkle_multiproof_open_capped(&got, &capped, &set, idx, m, NULL));
            CHECK_EQ_U64(got.siblings_len, want.siblings_len);
            if (got.siblings_len == want.siblings_len && want.siblings_len > 0)
                CHECK_MEM_EQ(got.siblings, want.siblings, want.siblings_len * sizeof(cairn_digest));
            for (size_t i = 0; i < m; i++)
                opened[i] = lv[idx[i]];
            CHECK_OK(cairn_merkle_multiproof_verify(cairn_merkle_tree_root(&capped), n, idx, opened,
                                                    m, &got, NULL));
            /* a full tree opens the same with or without subtrees */
            CHECK_OK(cairn_merkle_multiproof_open_capped(&got, &full, NULL, idx, m, NULL));
            CHECK_EQ_U64(got.siblings_len, want.siblings_len);
        }
    }
out:
    cairn_merkle_multiproof_clear(&want);
    cairn_merkle_multiproof_clear(&got);
    cairn_merkle_tree_clear(&full);
    cairn_merkle_tree_clear(&capped);
    free(lv);
    free(roots);
    free(subs);
}

/*
 * Capped trees' errors: a cap above the height, NULL roots, no leaves; a
 * capped tree has no leaf level (tree_leaf NULL, single paths refused);
 * its multi-opening needs the subtrees of every opened leaf; a rebuild
 * from its own nodes (aliasing) is fine; a cap of 0 is the full build.
 */
static void merkle_capped_errors(void)
{
    enum { N = 37 };
    cairn_digest lv[N], roots[N], subs[3 * 15], path[8];
    cairn_merkle_tree t, full;
    cairn_merkle_multiproof p;
    cairn_error err;
    cairn_merkle_tree_init(&t);
    cairn_merkle_tree_init(&full);
    cairn_merkle_multiproof_init(&p);
    rand_leaves(lv, N);
    CHECK_OK(cairn_merkle_tree_build(&full, lv, N, 1, NULL));
    CHECK_STATUS(cairn_merkle_tree_build_capped(&t, lv, N, 7, 1, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "cap 7") != NULL);
    CHECK(t.nodes == NULL);
    CHECK_STATUS(cairn_merkle_tree_build_capped(&t, NULL, N, 2, 1, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "roots") != NULL);
    CHECK_STATUS(cairn_merkle_tree_build_capped(&t, lv, 0, 0, 1, NULL), CAIRN_ERR_ARG);
    /* cap 0 is the full build */
    CHECK_OK(cairn_merkle_tree_build_capped(&t, lv, N, 0, 1, NULL));
    CHECK_MEM_EQ(t.nodes, full.nodes, (2 * full.width - 1) * sizeof(cairn_digest));
    /* cap 3: subtrees of 8 leaves, the last one (32 .. 36) partial */
    for (size_t a = 0; a * 8 < N; a++) {
        size_t live = N - a * 8 < 8 ? N - a * 8 : 8;
        memcpy(subs, lv + a * 8, live * sizeof *lv);
        cairn_merkle_subtree_build(subs, live, 3);
        roots[a] = subs[14];
    }
    CHECK_OK(cairn_merkle_tree_build_capped(&t, roots, N, 3, 1, NULL));
    CHECK(digest_eq(cairn_merkle_tree_root(&t), cairn_merkle_tree_root(&full)));
    CHECK(cairn_merkle_tree_leaf(&t, 0) == NULL);
    CHECK(cairn_merkle_tree_leaf(&full, 5) != NULL &&
          digest_eq(cairn_merkle_tree_leaf(&full, 5), &lv[5]));
    CHECK_STATUS(cairn_merkle_tree_open(path, t.height, &t, 0, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "capped") != NULL);
    size_t idx[3] = {36, 9, 12}, sub[3];
    CHECK_STATUS(cairn_merkle_multiproof_open(&p, &t, idx, 3, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "capped") != NULL);
    CHECK(p.siblings == NULL && p.siblings_len == 0);
    CHECK_EQ_U64(cairn_merkle_subtrees_of(sub, idx, 3, 3), 2);
    CHECK(sub[0] == 1 && sub[1] == 4);
    CHECK_EQ_U64(cairn_merkle_subtrees_of(sub, idx, 0, 3), 0);
    /* subtree 4 missing */
    cairn_merkle_subtrees one = {sub, subs, 1};
    memcpy(subs, lv + 8, 8 * sizeof *lv);
    cairn_merkle_subtree_build(subs, 8, 3);
    CHECK_STATUS(cairn_merkle_multiproof_open_capped(&p, &t, &one, idx, 3, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "subtree 4") != NULL);
    /* both present: the full tree's proof */
    memcpy(subs + 15, lv + 32, 5 * sizeof *lv);
    cairn_merkle_subtree_build(subs + 15, 5, 3);
    cairn_merkle_subtrees two = {sub, subs, 2};
    cairn_merkle_multiproof want;
    cairn_merkle_multiproof_init(&want);
    CHECK_OK(cairn_merkle_multiproof_open(&want, &full, idx, 3, NULL));
    CHECK_OK(cairn_merkle_multiproof_open_capped(&p, &t, &two, idx, 3, NULL));
    CHECK_EQ_U64(p.siblings_len, want.siblings_len);
    if (p.siblings_len == want.siblings_len)
        CHECK_MEM_EQ(p.siblings, want.siblings, want.siblings_len * sizeof(cairn_digest));
    /* a rebuild from the capped tree's own lowest level */
    cairn_digest root = *cairn_merkle_tree_root(&t);
    CHECK_OK(cairn_merkle_tree_build_capped(&t, t.nodes, N, 3, 1, NULL));
    CHECK(digest_eq(cairn_merkle_tree_root(&t), &root));
    /* the cap may be the height: the tree is its root */
    CHECK_OK(cairn_merkle_tree_build_capped(&t, &root, N, full.height, 1, NULL));
    CHECK(digest_eq(cairn_merkle_tree_root(&t), &root));
    cairn_merkle_multiproof_clear(&want);
    cairn_merkle_multiproof_clear(&p);
    cairn_merkle_tree_clear(&t);
    cairn_merkle_tree_clear(&full);
}

const struct test_case test_merkle_cases[] = {
    TEST(merkle_hash_rules),
    TEST(merkle_height_values),
    TEST(merkle_tiny_roots_by_hand),
    TEST(merkle_root_vs_reference),
    TEST(merkle_build_args),
    TEST(merkle_parallel_build_identical),
    TEST(merkle_single_paths),
    TEST(merkle_multiproof_random),
    TEST(merkle_multiproof_tamper),
    TEST(merkle_single_leaf_tree),
    TEST(merkle_multiproof_encoding_roundtrip),
    TEST(merkle_multiproof_decode_rejects),
    TEST(merkle_fuzz_target_inprocess),
    TEST(merkle_doc_vectors),
    TEST(merkle_capped_identical),
    TEST(merkle_capped_errors),
    TEST_END,
};
