/*
 * cmd_selftest.c — `cairn selftest [--json]`: quick known-answer checks of
 * the arithmetic core, run in well under a second, so a user can confirm
 * that this build of cairn computes what it should on this machine (a bad
 * compiler, a broken libcrypto, a miscompiled SIMD path).  The exhaustive
 * tests are in the test suite; these are the canaries.
 */
#include <stdio.h>
#include <string.h>

#include "cairn/field.h"
#include "cairn/merkle.h"
#include "cairn/ntt.h"
#include "cairn/sha256.h"
#include "cairn/simd.h"
#include "cairn/transcript.h"
#include "cli.h"

struct selftest {
    const char *name;
    const char *what;
    /* returns NULL on success, or a short description of what went wrong */
    const char *(*run)(void);
};

static const char *check_field(void)
{
    const cairn_fp pm1 = cairn_fp_make(CAIRN_FP_P - 1);
    const cairn_fp two32 = cairn_fp_make(UINT64_C(1) << 32);
    if (cairn_fp_mul(pm1, pm1).v != 1)
        return "(p-1)^2 != 1";
    /* 2^64 = 2^32 - 1 (mod p) and 2^96 = -1 (mod p) */
    if (cairn_fp_mul(two32, two32).v != CAIRN_FP_EPS)
        return "2^32 * 2^32 != 2^32 - 1";
    if (cairn_fp_mul(cairn_fp_mul(two32, two32), two32).v != CAIRN_FP_P - 1)
        return "2^96 != -1";
    if (cairn_fp_add(pm1, cairn_fp_make(5)).v != 4)
        return "(p-1) + 5 != 4";
    if (cairn_fp_sub(cairn_fp_make(3), cairn_fp_make(5)).v != CAIRN_FP_P - 2)
        return "3 - 5 != -2";
    if (cairn_fp_inv(cairn_fp_make(2)).v != (CAIRN_FP_P + 1) / 2)
        return "1/2 wrong";
    if (cairn_fp_mul(cairn_fp_make(UINT64_C(0x123456789abcdef0)), cairn_fp_make(UINT64_C(0xfedcba9876543210))).v !=
        UINT64_C(0xfaeafd1f6c7bbad4))
        return "known product wrong";
    cairn_fp w = cairn_fp_root_of_unity(32);
    if (cairn_fp_pow(w, UINT64_C(1) << 31).v != CAIRN_FP_P - 1)
        return "2^32-th root of unity has the wrong order";
    return NULL;
}

static const char *check_extension(void)
{
    cairn_fp2 x = cairn_fp2_make(cairn_fp_zero(), cairn_fp_one());
    cairn_fp2 xx = cairn_fp2_mul(x, x);
    if (xx.c0.v != 7 || xx.c1.v != 0)
        return "X^2 != 7";
    cairn_fp2 a = cairn_fp2_make(cairn_fp_make(3), cairn_fp_make(4));
    cairn_fp2 ai = cairn_fp2_inv(a);
    if (!cairn_fp2_eq(cairn_fp2_mul(a, ai), cairn_fp2_one()))
        return "(3 + 4X)^-1 wrong";
    /* 7 is a non-residue: 7^((p-1)/2) = -1 */
    if (cairn_fp_pow(cairn_fp_make(7), (CAIRN_FP_P - 1) / 2).v != CAIRN_FP_P - 1)
        return "7 is a square: X^2 - 7 would not be irreducible";
    return NULL;
}

/*
 * NTT of a small vector against the definition, a round trip at 2^12, and
 * a rate-1/4 Reed-Solomon codeword that must agree with its message on the
 * original subgroup.
 */
static const char *check_ntt(void)
{
    cairn_fp a[8], b[8];
    for (unsigned i = 0; i < 8; i++)
        a[i] = cairn_fp_make(i * i + 3);
    memcpy(b, a, sizeof a);
    if (cairn_ntt_forward(b, 8, NULL) != CAIRN_OK)
        return "forward NTT of size 8 failed";
    cairn_fp w = cairn_fp_root_of_unity(3);
    for (unsigned j = 0; j < 8; j++) {
        cairn_fp x = cairn_fp_pow(w, j), acc = cairn_fp_zero();
        for (unsigned i = 8; i-- > 0;)
            acc = cairn_fp_add(cairn_fp_mul(acc, x), a[i]);
        if (!cairn_fp_eq(acc, b[j]))
            return "size-8 NTT disagrees with direct evaluation";
    }
    static cairn_fp big[1u << 12], copy[1u << 12], code[1u << 14];
    for (unsigned i = 0; i < (1u << 12); i++)
        big[i] = copy[i] = cairn_fp_from_u64(UINT64_C(0x9e3779b97f4a7c15) * (i + 1));
    if (cairn_ntt_forward(big, 1u << 12, NULL) != CAIRN_OK || cairn_ntt_inverse(big, 1u << 12, NULL) != CAIRN_OK)
        return "NTT of size 2^12 failed";
    if (memcmp(big, copy, sizeof big) != 0)
        return "inverse(forward(x)) != x at size 2^12";
    if (cairn_rs_encode(code, 1u << 14, copy, 1u << 12, 2, CAIRN_RS_EVALS, NULL) != CAIRN_OK)
        return "Reed-Solomon encoding failed";
    for (unsigned i = 0; i < (1u << 12); i++)
        if (!cairn_fp_eq(code[i << 2], copy[i]))
            return "Reed-Solomon codeword does not extend its message";
    return NULL;
}

/* The FIPS 180-2 vectors through libcrypto, as linked. */
static const char *check_sha256(void)
{
    static cairn_error err;
    if (cairn_sha256_selftest(&err) != CAIRN_OK)
        return err.msg;
    return NULL;
}

/*
 * A four-leaf tree against hashes chained by hand, and a two-leaf opening
 * that verifies and then fails once its sibling is changed.
 */
static const char *check_merkle(void)
{
    cairn_digest leaves[4], n01, n23, root;
    for (unsigned i = 0; i < 4; i++) {
        uint8_t b = (uint8_t)i;
        cairn_merkle_leaf_hash(&leaves[i], &b, 1);
    }
    cairn_merkle_node_hash(&n01, &leaves[0], &leaves[1]);
    cairn_merkle_node_hash(&n23, &leaves[2], &leaves[3]);
    cairn_merkle_node_hash(&root, &n01, &n23);
    cairn_merkle_tree tree;
    cairn_merkle_tree_init(&tree);
    const char *why = NULL;
    if (cairn_merkle_tree_build(&tree, leaves, 4, 1, NULL) != CAIRN_OK) {
        why = "building a 4-leaf tree failed";
        goto out;
    }
    if (memcmp(cairn_merkle_tree_root(&tree), &root, sizeof root) != 0) {
        why = "4-leaf root differs from the hand-chained hashes";
        goto out;
    }
    cairn_digest path[2];
    if (cairn_merkle_tree_open(path, 2, &tree, 2, NULL) != CAIRN_OK ||
        cairn_merkle_path_verify(&root, 4, 2, &leaves[2], path, 2, NULL) != CAIRN_OK) {
        why = "a valid opening of leaf 2 did not verify";
        goto out;
    }
    path[0].bytes[0] ^= 1;
    if (cairn_merkle_path_verify(&root, 4, 2, &leaves[2], path, 2, NULL) != CAIRN_ERR_REJECTED)
        why = "an opening with a changed sibling was not rejected";
out:
    cairn_merkle_tree_clear(&tree);
    return why;
}

/*
 * Two transcripts fed the same messages agree; one differing byte makes
 * them diverge; squeezed elements are canonical; a ground nonce verifies.
 */
static const char *check_transcript(void)
{
    cairn_transcript a, b;
    cairn_transcript_init(&a, "cairn-selftest");
    cairn_transcript_init(&b, "cairn-selftest");
    cairn_transcript_absorb_bytes(&a, "msg", "abc", 3);
    cairn_transcript_absorb_bytes(&b, "msg", "abc", 3);
    cairn_fp2 xa = cairn_transcript_squeeze_fp2(&a, "x");
    cairn_fp2 xb = cairn_transcript_squeeze_fp2(&b, "x");
    if (!cairn_fp2_eq(xa, xb))
        return "identical transcripts disagree";
    if (xa.c0.v >= CAIRN_FP_P || xa.c1.v >= CAIRN_FP_P)
        return "squeezed element is not canonical";
    cairn_transcript_absorb_bytes(&a, "msg", "abd", 3);
    cairn_transcript_absorb_bytes(&b, "msg", "abc", 3);
    if (cairn_fp_eq(cairn_transcript_squeeze_fp(&a, "y"), cairn_transcript_squeeze_fp(&b, "y")))
        return "transcripts did not diverge on a changed byte";
    uint64_t nonce = 0;
    cairn_transcript g = a, v = a;
    if (cairn_transcript_grind(&nonce, &g, "pow", 8, 1, NULL) != CAIRN_OK)
        return "grinding failed";
    if (cairn_transcript_check_pow(&v, "pow", 8, nonce, NULL) != CAIRN_OK)
        return "a ground nonce did not verify";
    if (memcmp(g.state, v.state, sizeof g.state) != 0)
        return "prover and verifier transcripts differ after grinding";
    return NULL;
}

/* What the simd line prints: the chosen kernel set's name, filled by check_simd. */
static char simd_what[96] = "vector kernels";

/*
 * The kernel set chosen at start-up (CPUID, or CAIRN_SIMD) against the
 * portable set on products, sums and butterflies that exercise the
 * reductions' carries and borrows (0, 1, p - 1, 2^32, 2^63, ...), over a
 * length that is not a multiple of any vector width.
 */
static const char *check_simd(void)
{
    const cairn_simd_set *K = cairn_simd_kernels(), *P = cairn_simd_portable();
    enum { L = 37 };
    cairn_fp a[L], b[L], k1[L], k2[L], p1[L], p2[L];
    snprintf(simd_what, sizeof simd_what, "vector kernels: %s (CAIRN_SIMD=portable forces plain C)",
             K->name);
    uint64_t x = UINT64_C(0x9E3779B97F4A7C15);
    for (size_t i = 0; i < L; i++) {
        static const uint64_t edge[] = {0, 1, CAIRN_FP_P - 1, UINT64_C(1) << 32, UINT64_C(1) << 63};
        x = x * UINT64_C(6364136223846793005) + 1442695040888963407u;
        a[i] = i < 5 ? cairn_fp_make(edge[i]) : cairn_fp_from_u64(x);
        b[i] = i < 25 ? cairn_fp_make(edge[i % 5]) : cairn_fp_from_u64(x >> 7 | x << 57);
    }
    K->mul(k1, a, b, L);
    P->mul(p1, a, b, L);
    if (memcmp(k1, p1, sizeof k1) != 0)
        return "vector products differ from the portable ones";
    K->add(k1, a, b, L);
    P->add(p1, a, b, L);
    K->sub(k2, a, b, L);
    P->sub(p2, a, b, L);
    if (memcmp(k1, p1, sizeof k1) != 0 || memcmp(k2, p2, sizeof k2) != 0)
        return "vector sums or differences differ from the portable ones";
    memcpy(k1, a, sizeof a);
    memcpy(k2, b, sizeof b);
    memcpy(p1, a, sizeof a);
    memcpy(p2, b, sizeof b);
    K->butterfly(k1, k2, b, L);
    P->butterfly(p1, p2, b, L);
    if (memcmp(k1, p1, sizeof k1) != 0 || memcmp(k2, p2, sizeof k2) != 0)
        return "vector butterflies differ from the portable ones";
    return NULL;
}

static const struct selftest selftests[] = {
    {"field", "Goldilocks arithmetic, inversion, roots of unity", check_field},
    {"extension", "F_p[X]/(X^2 - 7) arithmetic and inversion", check_extension},
    {"simd", simd_what, check_simd},
    {"ntt", "NTT against its definition, round trip, Reed-Solomon encoding", check_ntt},
    {"sha256", "SHA-256 (libcrypto) on the FIPS 180-2 vectors", check_sha256},
    {"merkle", "Merkle root and opening against hand-chained hashes", check_merkle},
    {"transcript", "transcript determinism, divergence, grinding", check_transcript},
};

void cmd_selftest_help(FILE *out)
{
    fprintf(out, "usage: cairn selftest [--json]\n"
                 "\n"
                 "Run quick known-answer checks of the field, the vector kernels chosen for\n"
                 "this CPU (printed; CAIRN_SIMD=portable|avx2|avx512 forces a set), the NTT and the hashing\n"
                 "(SHA-256, Merkle tree, transcript). Exit status 0 when all pass, 1 if any fails.\n"
                 "  --json   print one JSON object: {\"ok\": bool, \"checks\": [...]}\n");
}

int cmd_selftest(int argc, char **argv)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cmd_selftest_help(stdout);
            return CLI_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = 1;
        } else {
            return cli_usage_error("selftest", "unexpected argument '%s'", argv[i]);
        }
    }
    size_t n = sizeof selftests / sizeof selftests[0], failed = 0;
    if (json)
        printf("{\"checks\": [");
    for (size_t i = 0; i < n; i++) {
        const char *why = selftests[i].run();
        if (why != NULL)
            failed++;
        if (json) {
            printf("%s{\"name\": ", i ? ", " : "");
            cli_json_str(stdout, selftests[i].name);
            printf(", \"ok\": %s", why == NULL ? "true" : "false");
            if (selftests[i].run == check_simd) {
                printf(", \"kernels\": ");
                cli_json_str(stdout, cairn_simd_kernels()->name);
            }
            if (why != NULL) {
                printf(", \"error\": ");
                cli_json_str(stdout, why);
            }
            printf("}");
        } else if (why == NULL) {
            printf("ok    %-10s %s\n", selftests[i].name, selftests[i].what);
        } else {
            printf("FAIL  %-10s %s: %s\n", selftests[i].name, selftests[i].what, why);
        }
    }
    if (json)
        printf("], \"ok\": %s}\n", failed == 0 ? "true" : "false");
    else if (failed == 0)
        printf("selftest: all %zu checks passed\n", n);
    else
        printf("selftest: %zu of %zu checks FAILED\n", failed, n);
    return failed == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}
