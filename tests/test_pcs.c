/*
 * test_pcs.c — the tensor polynomial commitment: parameters for every size,
 * commitments against a slow reference (the definition of the leaves),
 * completeness of openings for random sizes, shapes, batches and point
 * counts, byte identity of streaming and in-memory provers, soundness
 * (tampering with every part of an opening, a cheating prover that answers
 * from other rows, false claims), strict parsing, in-process fuzzing
 * of fuzz/fuzz_pcs_proof.c, and the level-0 tree kept capped against the
 * full tree (the same commitments and opening bytes).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../src/pcs/pcs_internal.h"
#include "cairn/ntt.h"
#include "cairn/pcs.h"
#include "cairn/poly.h"
#include "cairn/pool.h"
#include "tests.h"

int cairn_fuzz_pcs_proof(const uint8_t *data, size_t len);

/* A batch under test: C random tables of 2^n, its params, commitment and claims. */
struct batch {
    cairn_pcs_params params;
    size_t n, C, P;
    cairn_fp **polys;
    cairn_fp *matrix; /* batch rows, row-major (M x k) */
    cairn_fp2 *points, *evals;
    cairn_pcs_prover pr;
};

static void batch_free(struct batch *b)
{
    if (b->polys != NULL)
        for (size_t c = 0; c < b->C; c++)
            free(b->polys[c]);
    free(b->polys);
    free(b->matrix);
    free(b->points);
    free(b->evals);
    cairn_pcs_prover_clear(&b->pr);
    memset(b, 0, sizeof *b);
}

/* Build the batch: random tables (or `fill` when non-zero), matrix, points, claims by poly_eval. */
static int batch_make(struct batch *b, size_t n, size_t C, size_t P, const cairn_pcs_options *opt)
{
    memset(b, 0, sizeof *b);
    cairn_pcs_prover_init(&b->pr);
    b->n = n;
    b->C = C;
    b->P = P;
    cairn_error err;
    cairn_status st = cairn_pcs_params_choose(&b->params, (unsigned)n, C, opt, &err);
    if (st == CAIRN_ERR_LIMIT && opt != NULL && opt->levels > 0) {
        /* too few variables (or a forced shape too narrow) for that many levels */
        cairn_pcs_options o2 = *opt;
        o2.levels = -1;
        st = cairn_pcs_params_choose(&b->params, (unsigned)n, C, &o2, &err);
    }
    if (st != CAIRN_OK) {
        FAIL("params choose n=%zu C=%zu: %s", n, C, err.msg);
        return 0;
    }
    size_t len = (size_t)1 << n, k = (size_t)1 << b->params.log_cols, m = len / k;
    b->polys = calloc(C, sizeof *b->polys);
    b->matrix = malloc(len * C * sizeof *b->matrix);
    b->points = malloc((P * n + 1) * sizeof *b->points);
    b->evals = malloc(P * C * sizeof *b->evals);
    if (!b->polys || !b->matrix || !b->points || !b->evals)
        return 0;
    for (size_t c = 0; c < C; c++) {
        b->polys[c] = malloc(len * sizeof **b->polys);
        if (b->polys[c] == NULL)
            return 0;
        for (size_t j = 0; j < len; j++)
            b->polys[c][j] = test_rand_fp();
    }
    for (size_t i = 0; i < m; i++)
        for (size_t c = 0; c < C; c++)
            memcpy(b->matrix + (i * C + c) * k, b->polys[c] + i * k, k * sizeof *b->matrix);
    for (size_t i = 0; i < P * n; i++)
        b->points[i] = test_rand_fp2();
    for (size_t p = 0; p < P; p++)
        for (size_t c = 0; c < C; c++)
            if (cairn_poly_eval_fp(&b->evals[p * C + c], b->polys[c], b->points + p * n, n))
                return 0;
    return 1;
}

/* Few grinding bits; the level count automatic, or forced to 0, 1 or 2 (recursive levels). */
static void opts_fast(cairn_pcs_options *o)
{
    cairn_pcs_options_init(o);
    o->grinding_bits = (int)test_rand_below(5);
    o->levels = (int)test_rand_below(4) - 1;
}

/* Commit b from its matrix through a table source with chunk size chunk. */
static cairn_status batch_commit(struct batch *b, size_t chunk, cairn_error *err)
{
    cairn_rows src;
    cairn_rows_table impl;
    size_t k = (size_t)1 << b->params.log_cols;
    cairn_rows_table_init(&src, &impl, b->matrix, ((uint64_t)1 << b->n) / k * b->C, k, chunk);
    return cairn_pcs_commit(&b->pr, &b->params, &src, err);
}

/* Open b (transcript from "test") through a table source with chunk size chunk. */
static cairn_status batch_open(cairn_pcs_opening *op, struct batch *b, size_t chunk,
                               cairn_error *err)
{
    cairn_rows src;
    cairn_rows_table impl;
    cairn_transcript t;
    size_t k = (size_t)1 << b->params.log_cols;
    cairn_rows_table_init(&src, &impl, b->matrix, ((uint64_t)1 << b->n) / k * b->C, k, chunk);
    cairn_transcript_init(&t, "test");
    return cairn_pcs_open(op, &t, &b->pr, &src, b->points, b->P, b->evals, b->P * b->C, err);
}

static cairn_status batch_verify(const struct batch *b, const cairn_pcs_commitment *com,
                                 const cairn_fp2 *evals, const cairn_pcs_opening *op,
                                 cairn_error *err)
{
    cairn_transcript t;
    cairn_transcript_init(&t, "test");
    return cairn_pcs_verify(com, &t, b->points, b->P, evals, b->P * b->C, op, err);
}

/* Encode op into a fresh buffer. */
static uint8_t *encode_opening(const cairn_pcs_opening *op, size_t *len)
{
    *len = cairn_pcs_opening_encoded_len(op);
    uint8_t *buf = malloc(*len);
    if (buf != NULL && cairn_pcs_opening_encode(buf, *len, op, NULL) != CAIRN_OK) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* op's encoding must be want[0 .. len), byte for byte. */
static void check_opening_bytes(const cairn_pcs_opening *op, const uint8_t *want, size_t len)
{
    size_t got_len;
    uint8_t *got = encode_opening(op, &got_len);
    CHECK(got != NULL && got_len == len);
    if (got != NULL && got_len == len)
        CHECK_MEM_EQ(got, want, len);
    free(got);
}

/* Decode bytes as an opening of b and verify it: OK, PARSE or REJECTED. */
static cairn_status decode_verify(const struct batch *b, const uint8_t *buf, size_t len)
{
    cairn_pcs_opening op;
    cairn_pcs_opening_init(&op);
    cairn_status st = cairn_pcs_opening_decode(&op, buf, len, &b->params, b->P, NULL);
    if (st == CAIRN_OK)
        st = batch_verify(b, &b->pr.com, b->evals, &op, NULL);
    cairn_pcs_opening_clear(&op);
    return st;
}

/* ---- parameters ---------------------------------------------------------- */

/* log2 of the exact query term Q(N, D, t) of one level (docs/security.md §2.3), -inf when zero. */
static double ref_log2_q(unsigned lc, unsigned lb, uint64_t t)
{
    uint64_t k = (uint64_t)1 << lc, N = k << lb, D = (N - k + 2) / 2;
    if (t > N - D)
        return -INFINITY;
    double q = 0;
    for (uint64_t i = 0; i < t; i++)
        q += log2((double)(N - D - i) / (double)(N - i));
    return q;
}

/*
 * The whole formula of docs/security.md §3, written out independently of
 * src/pcs/params.c: level 0's proximity, batching and query terms, and each
 * recursive level's proximity, batching, sum-check and query terms.
 */
static double ref_security(const cairn_pcs_params *p)
{
    double lf = 2 * log2(18446744069414584321.0), eps = 0;
    unsigned lc = p->log_cols, lb = p->log_blowup, s = p->reps;
    double N = exp2((double)(lc + lb));
    eps += pow(N / exp2(lf), s) + exp2(-(double)s * lf) +
           exp2(ref_log2_q(lc, lb, p->queries) - p->grinding_bits);
    unsigned n = lc;
    for (unsigned l = 1; l <= p->levels; l++) {
        const cairn_pcs_level_params *v = &p->inner[l - 1];
        double Nl = exp2((double)(v->log_cols + v->log_blowup));
        /* polynomials at level l: 2 V rounded up, V = s (64 + 1) at level 1 (any point count), 1 + s above */
        double V = l == 1 ? (double)s * 65 : 1.0 + s, cbits = ceil(log2(2 * V));
        eps += pow(Nl / exp2(lf), s) + exp2(-lf) + 2 * (n + cbits) * exp2(-lf) +
               exp2(ref_log2_q(v->log_cols, v->log_blowup, v->queries) - v->grinding_bits);
        n = v->log_cols;
    }
    return -log2(eps);
}

static void pcs_params_every_size(void)
{
    static const unsigned targets[] = {80, 100, 128};
    static const size_t batches[] = {1, 3, 40, 4096};
    cairn_error err;
    for (unsigned n = 0; n <= CAIRN_PCS_MAX_VARS; n++)
        for (unsigned lb = 1; lb <= 4; lb++)
            for (size_t ti = 0; ti < 3; ti++)
                for (size_t bi = 0; bi < 4; bi++) {
                    cairn_pcs_options o;
                    cairn_pcs_params p;
                    /* the sanitized run (fewer iterations) checks every other combination */
                    if (test_iters < 1000 && (n + lb + ti + bi) % 2 != 0)
                        continue;
                    cairn_pcs_options_init(&o);
                    o.target_bits = targets[ti];
                    o.log_blowup = lb;
                    cairn_status st = cairn_pcs_params_choose(&p, n, batches[bi], &o, &err);
                    if (!CHECK(st == CAIRN_OK)) {
                        FAIL("n=%u lb=%u target=%u C=%zu: %s", n, lb, targets[ti], batches[bi],
                             err.msg);
                        continue;
                    }
                    double bits = cairn_pcs_params_security(&p);
                    CHECK(cairn_pcs_params_check(&p, NULL) == CAIRN_OK);
                    CHECK(bits >= targets[ti]);
                    CHECK(fabs(bits - ref_security(&p)) < 1e-6 || (bits > 200 && ref_security(&p) > 200));
                    CHECK(p.achieved_bits >= targets[ti]);
                    CHECK(p.log_cols <= n && p.log_cols <= CAIRN_PCS_DEFAULT_MAX_LOG_COLS);
                    CHECK(p.num_vars == n && p.num_polys == batches[bi] && p.log_blowup == lb);
                    uint64_t N = (uint64_t)1 << (p.log_cols + lb);
                    CHECK(p.queries >= 1 && p.queries <= N);
                    /* 128 bits are out of reach of the sum-check terms over F_p2: plain Ligero */
                    if (targets[ti] == 128)
                        CHECK(p.levels == 0);
                    /*
                     * Every level's queries are needed and not wasted: one fewer
                     * leaves its query term above 2^-target (not enough alone),
                     * but never more than 8 bits below what it has.
                     */
                    unsigned lc = p.log_cols, l_lb = lb, t = p.queries, g = p.grinding_bits;
                    for (unsigned l = 0; l <= p.levels; l++) {
                        if (l > 0) {
                            lc = p.inner[l - 1].log_cols;
                            l_lb = p.inner[l - 1].log_blowup;
                            t = p.inner[l - 1].queries;
                            g = p.inner[l - 1].grinding_bits;
                            CHECK(lc < (l == 1 ? p.log_cols : p.inner[l - 2].log_cols));
                        }
                        CHECK(ref_log2_q(lc, l_lb, t) - g <= -(double)targets[ti]);
                        if (t > 1)
                            CHECK(ref_log2_q(lc, l_lb, t - 1) - g > -(double)targets[ti] - 8);
                    }
                    CHECK(cairn_pcs_opening_size_estimate(&p, 1) > 0);
                }
}

static void pcs_params_formula(void)
{
    /* n = 20, C = 40, lambda = 100 */
    cairn_pcs_params p;
    CHECK_OK(cairn_pcs_params_choose(&p, 20, 40, NULL, NULL));
    CHECK_EQ_U64(p.log_blowup, 2);
    CHECK_EQ_U64(p.grinding_bits, 16);
    CHECK_EQ_U64(p.reps, 1);
    CHECK(p.levels >= 1);
    CHECK(fabs(ref_security(&p) - cairn_pcs_params_security(&p)) < 1e-6);
    /* plain Ligero by hand: k = 2^12 for a single 2^20 polynomial */
    cairn_pcs_options po;
    cairn_pcs_options_init(&po);
    po.levels = 0;
    CHECK_OK(cairn_pcs_params_choose(&p, 20, 1, &po, NULL));
    double lf = 2 * log2(18446744069414584321.0);
    uint64_t N = (uint64_t)4 << p.log_cols;
    double eps = exp2(log2((double)N) - lf) + exp2(-lf) +
                 exp2(ref_log2_q(p.log_cols, 2, p.queries) - 16);
    CHECK(fabs(-log2(eps) - cairn_pcs_params_security(&p)) < 1e-6);
    /* hand-checked small case: k = 1, N = 4, D = 2: two queries leave 1/6, three leave 0 */
    cairn_pcs_params s;
    memset(&s, 0, sizeof s);
    s.num_polys = 1;
    s.log_blowup = 2;
    s.queries = 2;
    s.reps = 1;
    s.target_bits = 1;
    CHECK(fabs(cairn_pcs_params_security(&s) - log2(6.0)) < 1e-9);
    s.queries = 3;
    CHECK(cairn_pcs_params_security(&s) > 120);
    /* 128 bits need two repetitions over F_p2 */
    cairn_pcs_options o;
    cairn_pcs_options_init(&o);
    o.target_bits = 128;
    CHECK_OK(cairn_pcs_params_choose(&p, 20, 1, &o, NULL));
    CHECK(p.reps >= 2);
    o.reps = 1;
    CHECK_STATUS(cairn_pcs_params_choose(&p, 20, 1, &o, NULL), CAIRN_ERR_LIMIT);
}

static void pcs_params_overrides_and_errors(void)
{
    cairn_pcs_options o;
    cairn_pcs_params p;
    cairn_pcs_options_init(&o);
    o.log_cols = 3;
    o.queries = 500; /* more than the N = 32 columns */
    o.grinding_bits = 0;
    CHECK_STATUS(cairn_pcs_params_choose(&p, 10, 2, &o, NULL), CAIRN_ERR_LIMIT);
    o.queries = 20; /* > N - D = 19: every bad set is hit */
    CHECK_OK(cairn_pcs_params_choose(&p, 10, 2, &o, NULL));
    CHECK_EQ_U64(p.log_cols, 3);
    CHECK_EQ_U64(p.queries, 20);
    CHECK_EQ_U64(p.grinding_bits, 0);
    CHECK(p.achieved_bits >= 100);
    cairn_pcs_options_init(&o);
    o.queries = 5;
    o.log_cols = 10;
    CHECK_STATUS(cairn_pcs_params_choose(&p, 20, 1, &o, NULL), CAIRN_ERR_LIMIT);
    /* with a free shape, 5 queries are enough when k = 2 (N - D = 4 < 5): legal, if large */
    o.log_cols = -1;
    CHECK_OK(cairn_pcs_params_choose(&p, 20, 1, &o, NULL));
    CHECK(p.queries == 5 && p.log_cols <= 1 && p.achieved_bits >= 100);
    cairn_pcs_options_init(&o);
    o.log_cols = 11;
    CHECK_STATUS(cairn_pcs_params_choose(&p, 10, 1, &o, NULL), CAIRN_ERR_ARG);
    cairn_pcs_options_init(&o);
    o.log_blowup = 5;
    CHECK_STATUS(cairn_pcs_params_choose(&p, 10, 1, &o, NULL), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_pcs_params_choose(&p, 31, 1, NULL, NULL), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_pcs_params_choose(&p, 3, 0, NULL, NULL), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_pcs_params_choose(&p, 3, CAIRN_PCS_MAX_POLYS + 1, NULL, NULL),
                 CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_pcs_params_choose(NULL, 3, 1, NULL, NULL), CAIRN_ERR_ARG);
    cairn_pcs_options_init(&o);
    o.target_bits = 0;
    CHECK_STATUS(cairn_pcs_params_choose(&p, 3, 1, &o, NULL), CAIRN_ERR_ARG);

    /* every invalid field is caught by check and by the block parser */
    CHECK_OK(cairn_pcs_params_choose(&p, 12, 3, NULL, NULL));
    uint8_t blk[CAIRN_PCS_PARAMS_BYTES];
    cairn_pcs_params back;
    cairn_pcs_params_encode(blk, &p);
    CHECK_OK(cairn_pcs_params_decode(&back, blk, sizeof blk, NULL));
    CHECK_MEM_EQ(&back, &p, sizeof p);
    CHECK_STATUS(cairn_pcs_params_decode(&back, blk, sizeof blk - 1, NULL), CAIRN_ERR_PARSE);
    for (unsigned f = 0; f < 10; f++) {
        uint32_t bad[] = {31, 0, 13, 0, 0, 41, 0, 0, p.achieved_bits + 1, 1};
        cairn_pcs_params q = p;
        uint32_t *fields = &q.num_vars;
        fields[f] = bad[f];
        CHECK_STATUS(cairn_pcs_params_check(&q, NULL), CAIRN_ERR_ARG);
        cairn_pcs_params_encode(blk, &q);
        CHECK_STATUS(cairn_pcs_params_decode(&back, blk, sizeof blk, NULL), CAIRN_ERR_PARSE);
    }
    /* an inner level's fields are checked too */
    for (unsigned f = 0; f < 4; f++) {
        cairn_pcs_params r;
        cairn_pcs_options lo;
        cairn_pcs_options_init(&lo);
        lo.levels = 1;
        CHECK_OK(cairn_pcs_params_choose(&r, 16, 2, &lo, NULL));
        uint32_t *fields = &r.inner[0].log_cols;
        uint32_t bad[] = {r.log_cols, 5, 0, 41};
        fields[f] = bad[f];
        CHECK_STATUS(cairn_pcs_params_check(&r, NULL), CAIRN_ERR_ARG);
        cairn_pcs_params_encode(blk, &r);
        CHECK_STATUS(cairn_pcs_params_decode(&back, blk, sizeof blk, NULL), CAIRN_ERR_PARSE);
        /* a non-zero unused level */
        CHECK_OK(cairn_pcs_params_choose(&r, 16, 2, &lo, NULL));
        r.inner[1 + f % 3].queries = 1;
        CHECK_STATUS(cairn_pcs_params_check(&r, NULL), CAIRN_ERR_ARG);
    }
    cairn_pcs_params q = p;
    q.queries = 1; /* valid shape, below target */
    q.achieved_bits = (uint32_t)floor(cairn_pcs_params_security(&q));
    CHECK_STATUS(cairn_pcs_params_check(&q, NULL), CAIRN_ERR_ARG);
}

/* ---- commitments ----------------------------------------------------------- */

/* The definition: encode every batch row, hash each column in one go, build the tree. */
static void reference_root(cairn_digest *root, const struct batch *b)
{
    pcs_dims d;
    pcs_dims_of(&d, &b->params);
    cairn_fp *code = malloc(d.M * d.N * sizeof *code);
    uint8_t *col = malloc(d.M * 8);
    cairn_digest *leaves = malloc(d.N * sizeof *leaves);
    cairn_merkle_tree tree;
    cairn_merkle_tree_init(&tree);
    if (!code || !col || !leaves)
        goto out;
    for (size_t R = 0; R < d.M; R++)
        CHECK_OK(cairn_rs_encode(code + R * d.N, d.N, b->matrix + R * d.k, d.k, d.lb,
                                 CAIRN_RS_COEFFS, NULL));
    for (size_t j = 0; j < d.N; j++) {
        for (size_t R = 0; R < d.M; R++)
            cairn_fp_encode(col + 8 * R, code[R * d.N + j]);
        cairn_merkle_leaf_hash(&leaves[j], col, d.M * 8);
    }
    CHECK_OK(cairn_merkle_tree_build(&tree, leaves, d.N, 1, NULL));
    *root = *cairn_merkle_tree_root(&tree);
out:
    cairn_merkle_tree_clear(&tree);
    free(code);
    free(col);
    free(leaves);
}

static void pcs_commit_vs_reference(void)
{
    for (unsigned long it = 0; it < test_iters / 50 + 6; it++) {
        struct batch b;
        cairn_pcs_options o;
        opts_fast(&o);
        size_t n = test_rand_below(11), C = 1 + test_rand_below(4);
        o.log_blowup = 1 + (unsigned)test_rand_below(4);
        if (test_rand_below(2))
            o.log_cols = (int)test_rand_below(n + 1);
        if (batch_make(&b, n, C, 1, &o)) {
            cairn_digest want;
            CHECK_OK(batch_commit(&b, 0, NULL));
            reference_root(&want, &b);
            CHECK_MEM_EQ(b.pr.com.root.bytes, want.bytes, 32);
        }
        batch_free(&b);
    }
}

static void pcs_commit_streaming_identical(void)
{
    static const size_t chunks[] = {0, 1, 2, 3, 7, 9, 1000};
    for (unsigned long it = 0; it < test_iters / 100 + 4; it++) {
        struct batch b;
        cairn_pcs_options o;
        opts_fast(&o);
        size_t n = test_rand_below(13), C = 1 + test_rand_below(5);
        if (!batch_make(&b, n, C, 1, &o)) {
            batch_free(&b);
            continue;
        }
        CHECK_OK(batch_commit(&b, 0, NULL));
        cairn_pcs_commitment first = b.pr.com;
        for (size_t ci = 1; ci < sizeof chunks / sizeof *chunks; ci++) {
            CHECK_OK(batch_commit(&b, chunks[ci], NULL));
            CHECK_MEM_EQ(&b.pr.com, &first, sizeof first);
        }
        /* the polys source (one row per chunk) */
        cairn_rows src;
        cairn_pcs_polys_rows impl;
        cairn_pcs_polys_rows_init(&src, &impl, &b.params, (const cairn_fp *const *)b.polys);
        CHECK_OK(cairn_pcs_commit(&b.pr, &b.params, &src, NULL));
        CHECK_MEM_EQ(&b.pr.com, &first, sizeof first);
        /* push API in uneven pieces */
        cairn_pcs_committer cm;
        cairn_pcs_committer_init(&cm);
        CHECK_OK(cairn_pcs_committer_begin(&cm, &b.params, NULL));
        size_t k = (size_t)1 << b.params.log_cols, M = src.rows_len, r = 0;
        while (r < M) {
            size_t take = 1 + test_rand_below(11);
            if (take > M - r)
                take = M - r;
            CHECK_OK(cairn_pcs_committer_absorb(&cm, b.matrix + r * k, take * k, NULL));
            r += take;
        }
        CHECK_STATUS(cairn_pcs_committer_absorb(&cm, b.matrix, k, NULL), CAIRN_ERR_ARG);
        CHECK_OK(cairn_pcs_committer_finish(&b.pr, &cm, NULL));
        CHECK_MEM_EQ(&b.pr.com, &first, sizeof first);
        /* too few rows */
        CHECK_OK(cairn_pcs_committer_begin(&cm, &b.params, NULL));
        if (k > 1)
            CHECK_STATUS(cairn_pcs_committer_absorb(&cm, b.matrix, k - 1, NULL), CAIRN_ERR_ARG);
        CHECK_STATUS(cairn_pcs_committer_finish(&b.pr, &cm, NULL), CAIRN_ERR_ARG);
        cairn_pcs_committer_clear(&cm);
        cairn_pcs_committer_clear(NULL);
        /* a source of the wrong shape */
        cairn_rows bad;
        cairn_rows_table bimpl;
        cairn_rows_table_init(&bad, &bimpl, b.matrix, M - (M > 1), k, 0);
        if (M > 1)
            CHECK_STATUS(cairn_pcs_commit(&b.pr, &b.params, &bad, NULL), CAIRN_ERR_ARG);
        batch_free(&b);
    }
}

/*
 * The level-0 tree capped at a random L in 0 .. log2 N, at log2 N (the
 * root alone) and at the default (cairn_pcs_tree_cap) against the full
 * tree: the same commitment, a tree holding the levels from L up, and the
 * same opening bytes from cairn_pcs_open, each commit and opening on 1, 2
 * and 3 threads, through cairn_pcs_commit_capped and the push committer.
 * A cap above log2 N is refused.  The default's known answer at
 * 2^20 x 40 (N = 2^20, t = 129): L = 6, a commit peak of 65.5 MiB.
 */
static void pcs_capped_tree_identical(void)
{
    cairn_pcs_params big;
    CHECK_OK(cairn_pcs_params_choose(&big, 20, 40, NULL, NULL));
    CHECK_EQ_U64(big.log_cols + big.log_blowup, 20);
    CHECK_EQ_U64(big.queries, 129);
    CHECK_EQ_U64(cairn_pcs_tree_cap(&big), 6);
    CHECK_EQ_U64(cairn_pcs_commit_memory(&big), (UINT64_C(131) << 20) / 2);
    for (unsigned long it = 0; it < test_iters / 100 + 6; it++) {
        struct batch b;
        cairn_pcs_options o;
        cairn_pcs_opening op;
        cairn_pcs_committer cm;
        cairn_rows src;
        cairn_rows_table impl;
        uint8_t *want = NULL;
        size_t len = 0;
        opts_fast(&o);
        size_t n = test_rand_below(12), C = 1 + test_rand_below(4);
        cairn_pcs_opening_init(&op);
        cairn_pcs_committer_init(&cm);
        if (!batch_make(&b, n, C, 1 + test_rand_below(2), &o))
            goto next;
        pcs_dims d;
        pcs_dims_of(&d, &b.params);
        unsigned h = b.params.log_cols + b.params.log_blowup;
        cairn_rows_table_init(&src, &impl, b.matrix, d.M, d.k, 1 + test_rand_below(9));
        CHECK_OK(cairn_pcs_commit_capped(&b.pr, &b.params, &src, 0, NULL));
        CHECK_EQ_U64(b.pr.tree.cap, 0);
        cairn_pcs_commitment full = b.pr.com;
        if (!CHECK(batch_open(&op, &b, 0, NULL) == CAIRN_OK) ||
            !CHECK((want = encode_opening(&op, &len)) != NULL))
            goto next;
        unsigned caps[3] = {(unsigned)test_rand_below(h + 1), h, CAIRN_PCS_CAP_AUTO};
        for (unsigned ci = 0; ci < 3; ci++) {
            unsigned L = caps[ci] == CAIRN_PCS_CAP_AUTO ? cairn_pcs_tree_cap(&b.params) : caps[ci];
            for (unsigned th = 1; th <= 3; th++) {
                (void)cairn_pool_set_threads(th, NULL);
                if (th == 2) {
                    CHECK_OK(cairn_pcs_committer_begin_capped(&cm, &b.params, caps[ci], NULL));
                    CHECK_OK(cairn_pcs_committer_absorb(&cm, b.matrix, d.M * d.k, NULL));
                    CHECK_OK(cairn_pcs_committer_finish(&b.pr, &cm, NULL));
                } else {
                    CHECK_OK(cairn_pcs_commit_capped(&b.pr, &b.params, &src, caps[ci], NULL));
                }
                CHECK_MEM_EQ(&b.pr.com, &full, sizeof full);
                CHECK_EQ_U64(b.pr.tree.cap, L);
                CHECK(cairn_merkle_tree_root(&b.pr.tree) == b.pr.tree.nodes + 2 * (d.N >> L) - 2);
                CHECK(batch_open(&op, &b, 1 + th, NULL) == CAIRN_OK);
                check_opening_bytes(&op, want, len);
            }
        }
        (void)cairn_pool_set_threads(1, NULL);
        CHECK_STATUS(cairn_pcs_commit_capped(&b.pr, &b.params, &src, h + 1, NULL), CAIRN_ERR_ARG);
        CHECK_STATUS(cairn_pcs_committer_begin_capped(&cm, &b.params, h + 1, NULL), CAIRN_ERR_ARG);
        CHECK(cairn_pcs_tree_cap(&b.params) <= h);
    next:
        (void)cairn_pool_set_threads(1, NULL);
        free(want);
        cairn_pcs_committer_clear(&cm);
        cairn_pcs_opening_clear(&op);
        batch_free(&b);
    }
}

static void pcs_commitment_codec(void)
{
    struct batch b;
    if (batch_make(&b, 5, 2, 1, NULL)) {
        CHECK_OK(batch_commit(&b, 0, NULL));
        uint8_t e[CAIRN_PCS_COMMITMENT_BYTES];
        cairn_pcs_commitment back;
        cairn_pcs_commitment_encode(e, &b.pr.com);
        CHECK_OK(cairn_pcs_commitment_decode(&back, e, sizeof e, NULL));
        CHECK_MEM_EQ(&back, &b.pr.com, sizeof back);
        for (size_t l = 0; l < sizeof e; l++)
            CHECK_STATUS(cairn_pcs_commitment_decode(&back, e, l, NULL), CAIRN_ERR_PARSE);
        e[0] = 31;
        CHECK_STATUS(cairn_pcs_commitment_decode(&back, e, sizeof e, NULL), CAIRN_ERR_PARSE);
    }
    batch_free(&b);
}

/* ---- openings ------------------------------------------------------------ */

static void pcs_open_complete_random(void)
{
    for (unsigned long it = 0; it < test_iters / 25 + 8; it++) {
        struct batch b;
        cairn_pcs_options o;
        cairn_pcs_opening op, back;
        cairn_error err;
        opts_fast(&o);
        size_t n = test_rand_below(15), C = 1 + test_rand_below(n < 10 ? 6 : 2);
        size_t P = 1 + test_rand_below(3);
        o.log_blowup = 1 + (unsigned)test_rand_below(4);
        if (test_rand_below(3) == 0)
            o.log_cols = (int)test_rand_below(n + 1);
        if (test_rand_below(4) == 0)
            o.target_bits = 128;
        cairn_pcs_opening_init(&op);
        cairn_pcs_opening_init(&back);
        if (batch_make(&b, n, C, P, &o) && batch_commit(&b, 0, NULL) == CAIRN_OK) {
            CHECK_OK(batch_open(&op, &b, 0, &err));
            cairn_status st = batch_verify(&b, &b.pr.com, b.evals, &op, &err);
            if (!CHECK(st == CAIRN_OK))
                FAIL("n=%zu C=%zu P=%zu lc=%u lb=%u: %s", n, C, P, b.params.log_cols,
                     b.params.log_blowup, err.msg);
            /* evaluate agrees with the reference evaluations */
            cairn_fp2 ev[6 * 3];
            cairn_rows src;
            cairn_rows_table impl;
            size_t k = (size_t)1 << b.params.log_cols;
            cairn_rows_table_init(&src, &impl, b.matrix, ((uint64_t)1 << n) / k * C, k, 3);
            CHECK_OK(cairn_pcs_evaluate(ev, P * C, &b.params, &src, b.points, P, NULL));
            CHECK_MEM_EQ(ev, b.evals, P * C * sizeof *ev);
            /* round trip */
            size_t len;
            uint8_t *buf = encode_opening(&op, &len);
            CHECK(buf != NULL);
            if (buf != NULL) {
                CHECK_OK(cairn_pcs_opening_decode(&back, buf, len, &b.params, P, NULL));
                check_opening_bytes(&back, buf, len);
                CHECK_OK(batch_verify(&b, &b.pr.com, b.evals, &back, NULL));
            }
            free(buf);
        }
        cairn_pcs_opening_clear(&op);
        cairn_pcs_opening_clear(&back);
        batch_free(&b);
    }
}

static void pcs_open_edge_sizes(void)
{
    /* n = 0 and n = 1 in every shape and rate, defaults (grinding 16 dropped when all columns
     * are needed), one and several polynomials */
    for (size_t n = 0; n <= 2; n++)
        for (unsigned lb = 1; lb <= 4; lb++)
            for (size_t C = 1; C <= 3; C += 2) {
                struct batch b;
                cairn_pcs_options o;
                cairn_pcs_opening op;
                cairn_error err;
                cairn_pcs_options_init(&o);
                o.log_blowup = lb;
                cairn_pcs_opening_init(&op);
                if (batch_make(&b, n, C, 2, &o) && batch_commit(&b, 0, NULL) == CAIRN_OK) {
                    CHECK_EQ_U64(b.params.grinding_bits, 0);
                    CHECK_OK(batch_open(&op, &b, 0, &err));
                    cairn_status st = batch_verify(&b, &b.pr.com, b.evals, &op, &err);
                    if (!CHECK(st == CAIRN_OK))
                        FAIL("n=%zu lb=%u C=%zu: %s", n, lb, C, err.msg);
                    /* a false claim is still caught */
                    b.evals[C] = cairn_fp2_add(b.evals[C], cairn_fp2_one());
                    CHECK_STATUS(batch_verify(&b, &b.pr.com, b.evals, &op, NULL),
                                 CAIRN_ERR_REJECTED);
                }
                cairn_pcs_opening_clear(&op);
                batch_free(&b);
            }
}

/*
 * An opening from a source cut into chunks of 1, 2, 5, 64 rows, or from the
 * polynomials' own source, on 1, 2, 3 or 8 threads, the first pass's
 * vectors cut into chunks of one entry or more, has the bytes of the
 * one-chunk opening.
 */
static void pcs_open_streaming_identical(void)
{
    static const size_t chunks[] = {1, 2, 5, 64};
    for (unsigned long it = 0; it < test_iters / 100 + 4; it++) {
        struct batch b;
        cairn_pcs_options o;
        cairn_pcs_opening op, op2;
        opts_fast(&o);
        size_t n = test_rand_below(12), C = 1 + test_rand_below(4);
        cairn_pcs_opening_init(&op);
        cairn_pcs_opening_init(&op2);
        if (batch_make(&b, n, C, 1 + test_rand_below(2), &o) &&
            batch_commit(&b, 0, NULL) == CAIRN_OK && batch_open(&op, &b, 0, NULL) == CAIRN_OK) {
            size_t len;
            uint8_t *want = encode_opening(&op, &len);
            for (size_t ci = 0; ci < 5 && want != NULL; ci++) {
                static const unsigned ths[] = {1, 2, 3, 8};
                cairn_transcript t;
                (void)cairn_pool_set_threads(ths[(ci + it) % 4], NULL);
                pcs_vec_chunk_min = ci % 2 ? 1 : 0; /* short rows cut into many chunks too */
                if (ci < 4) {
                    CHECK_OK(batch_open(&op2, &b, chunks[ci], NULL));
                } else {
                    cairn_rows src;
                    cairn_pcs_polys_rows impl;
                    cairn_pcs_polys_rows_init(&src, &impl, &b.params,
                                              (const cairn_fp *const *)b.polys);
                    cairn_transcript_init(&t, "test");
                    CHECK_OK(cairn_pcs_open(&op2, &t, &b.pr, &src, b.points, b.P, b.evals,
                                            b.P * b.C, NULL));
                }
                check_opening_bytes(&op2, want, len);
            }
            (void)cairn_pool_set_threads(1, NULL);
            pcs_vec_chunk_min = 0;
            free(want);
        }
        cairn_pcs_opening_clear(&op);
        cairn_pcs_opening_clear(&op2);
        batch_free(&b);
    }
}

/* Flip a value to a different canonical one. */
static cairn_fp bump(cairn_fp a) { return cairn_fp_add(a, cairn_fp_one()); }

/*
 * Does `nonce` pass the proof of work of op?  Such a nonce gives other queries, and the
 * opening then stays valid exactly when the opened columns also fit there (they do when t
 * is close to N, where Floyd's sampling has few outcomes, or when k = 1 and every column of
 * an honest matrix is the same).  The tampering tests accept an accepted nonce change only
 * in that case; a nonce that fails the work must be rejected.
 */
static int nonce_passes_pow(const struct batch *b, const cairn_pcs_opening *op, uint64_t nonce)
{
    pcs_dims d;
    pcs_dims_of(&d, &b->params);
    cairn_fp2 *alpha = malloc(d.s * d.C * sizeof *alpha), *beta = malloc(d.s * d.M * sizeof *beta);
    int ok = 0;
    if (alpha && beta) {
        cairn_transcript t;
        cairn_transcript_init(&t, "test");
        pcs_fs_begin(&t, &b->pr.com, b->points, b->P, b->evals, alpha, beta, &d);
        cairn_transcript_absorb_fp2_vec(&t, PCS_LABEL_VECTORS, op->vectors, op->vectors_len);
        ok = cairn_transcript_check_pow(&t, PCS_LABEL_POW, d.g, nonce, NULL) == CAIRN_OK;
    }
    free(alpha);
    free(beta);
    return ok;
}

/* Whether byte `at` of op's encoding lies in the nonce of a recursive level (docs/pcs.md §7). */
static int in_inner_nonce(const cairn_pcs_opening *op, size_t at)
{
    size_t off = CAIRN_PCS_PARAMS_BYTES + 4 + op->vectors_len * 16 +
                 (op->params.levels > 0 ? 32 : 0) + 8 + op->columns_len * 8 +
                 cairn_merkle_multiproof_encoded_len(&op->merkle);
    for (unsigned l = 0; l < op->params.levels; l++) {
        const cairn_pcs_level_opening *lo = &op->inner[l];
        off += lo->sumcheck.rounds * lo->sumcheck.degree * 16 + 16 +
               (l + 1 < op->params.levels ? 32 : 0) + lo->vectors_len * 16;
        if (at >= off && at < off + 8)
            return 1;
        off += 8 + lo->columns_len * 8 + cairn_merkle_multiproof_encoded_len(&lo->merkle);
    }
    return 0;
}

static void pcs_tamper_every_part(void)
{
    for (unsigned long it = 0; it < test_iters / 250 + 2; it++) {
        struct batch b;
        cairn_pcs_options o;
        cairn_pcs_opening op;
        opts_fast(&o);
        o.grinding_bits = 6;
        o.reps = it % 2 ? 2 : 0;
        cairn_pcs_opening_init(&op);
        size_t n = 3 + test_rand_below(5);
        if (!batch_make(&b, n, 2, 2, &o) || batch_commit(&b, 0, NULL) != CAIRN_OK ||
            batch_open(&op, &b, 0, NULL) != CAIRN_OK) {
            FAIL("setup");
            batch_free(&b);
            continue;
        }
        CHECK_OK(batch_verify(&b, &b.pr.com, b.evals, &op, NULL));
        /* every vector element, both coordinates */
        for (size_t i = 0; i < op.vectors_len; i++) {
            cairn_fp2 keep = op.vectors[i];
            op.vectors[i].c0 = bump(keep.c0);
            CHECK_STATUS(batch_verify(&b, &b.pr.com, b.evals, &op, NULL), CAIRN_ERR_REJECTED);
            op.vectors[i] = keep;
            op.vectors[i].c1 = bump(keep.c1);
            CHECK_STATUS(batch_verify(&b, &b.pr.com, b.evals, &op, NULL), CAIRN_ERR_REJECTED);
            op.vectors[i] = keep;
        }
        /* every column value */
        for (size_t i = 0; i < op.columns_len; i++) {
            cairn_fp keep = op.columns[i];
            op.columns[i] = bump(keep);
            CHECK_STATUS(batch_verify(&b, &b.pr.com, b.evals, &op, NULL), CAIRN_ERR_REJECTED);
            op.columns[i] = keep;
        }
        /* every Merkle sibling, and one sibling more or fewer */
        for (size_t i = 0; i < op.merkle.siblings_len; i++) {
            op.merkle.siblings[i].bytes[i % 32] ^= 1;
            CHECK_STATUS(batch_verify(&b, &b.pr.com, b.evals, &op, NULL), CAIRN_ERR_REJECTED);
            op.merkle.siblings[i].bytes[i % 32] ^= 1;
        }
        if (op.merkle.siblings_len > 0) {
            op.merkle.siblings_len--;
            CHECK_STATUS(batch_verify(&b, &b.pr.com, b.evals, &op, NULL), CAIRN_ERR_REJECTED);
            op.merkle.siblings_len++;
        }
        /* the nonce (a neighbour nonce that still passes the proof of work would change the
         * queries: the columns then fail) */
        /* Another nonce may be valid too (see nonce_passes_pow); one failing the work is not. */
        uint64_t keep_nonce = op.nonce;
        for (uint64_t dn = 1; dn <= 8; dn++) {
            op.nonce = keep_nonce + dn;
            cairn_status st = batch_verify(&b, &b.pr.com, b.evals, &op, NULL);
            CHECK(st == CAIRN_ERR_REJECTED ||
                  (st == CAIRN_OK && nonce_passes_pow(&b, &op, op.nonce)));
        }
        op.nonce = keep_nonce;
        /* every claimed evaluation, every point coordinate */
        for (size_t i = 0; i < b.P * b.C; i++) {
            cairn_fp2 keep = b.evals[i];
            b.evals[i].c1 = bump(keep.c1);
            CHECK_STATUS(batch_verify(&b, &b.pr.com, b.evals, &op, NULL), CAIRN_ERR_REJECTED);
            b.evals[i] = keep;
        }
        for (size_t i = 0; i < b.P * b.n; i++) {
            cairn_fp2 keep = b.points[i];
            b.points[i].c0 = bump(keep.c0);
            CHECK_STATUS(batch_verify(&b, &b.pr.com, b.evals, &op, NULL), CAIRN_ERR_REJECTED);
            b.points[i] = keep;
        }
        /* the root, each byte */
        for (size_t i = 0; i < 32; i++) {
            cairn_pcs_commitment com = b.pr.com;
            com.root.bytes[i] ^= 0x10;
            CHECK_STATUS(batch_verify(&b, &com, b.evals, &op, NULL), CAIRN_ERR_REJECTED);
        }
        /* a different transcript prefix */
        cairn_transcript t;
        cairn_transcript_init(&t, "other");
        CHECK_STATUS(cairn_pcs_verify(&b.pr.com, &t, b.points, b.P, b.evals, b.P * b.C, &op, NULL),
                     CAIRN_ERR_REJECTED);
        /* mismatched parameters or counts are the caller's error */
        cairn_pcs_commitment com = b.pr.com;
        com.params.queries++;
        com.params.achieved_bits = (uint32_t)floor(cairn_pcs_params_security(&com.params));
        CHECK_STATUS(batch_verify(&b, &com, b.evals, &op, NULL), CAIRN_ERR_ARG);
        CHECK_STATUS(cairn_pcs_verify(&b.pr.com, &t, b.points, 1, b.evals, b.C, &op, NULL),
                     CAIRN_ERR_ARG);
        CHECK_STATUS(cairn_pcs_verify(NULL, &t, b.points, 1, b.evals, b.C, &op, NULL),
                     CAIRN_ERR_ARG);

        /* every byte of the encoding, one bit flipped: never accepted */
        size_t len;
        uint8_t *buf = encode_opening(&op, &len);
        CHECK(buf != NULL);
        for (size_t i = 0; buf != NULL && i < len; i++) {
            uint8_t bit = (uint8_t)(1u << test_rand_below(8));
            buf[i] ^= bit;
            cairn_status st = decode_verify(&b, buf, len);
            size_t nonce_at = CAIRN_PCS_PARAMS_BYTES + 4 + op.vectors_len * 16 +
                              (op.params.levels > 0 ? 32 : 0);
            int in_nonce = i >= nonce_at && i < nonce_at + 8;
            /* a recursive level's nonce: another one that passes its work may draw the same
             * queries (tiny levels); the verifier then rightly accepts */
            if (st == CAIRN_OK && in_inner_nonce(&op, i)) {
                buf[i] ^= bit;
                continue;
            }
            if (!CHECK(st == CAIRN_ERR_PARSE || st == CAIRN_ERR_REJECTED ||
                       (in_nonce && st == CAIRN_OK &&
                        nonce_passes_pow(&b, &op, pcs_load_le64(buf + nonce_at)))))
                FAIL("byte %zu of %zu, bit 0x%02x: %s", i, len, bit, cairn_status_str(st));
            buf[i] ^= bit;
        }
        if (buf != NULL)
            CHECK_OK(decode_verify(&b, buf, len));
        free(buf);
        cairn_pcs_opening_clear(&op);
        batch_free(&b);
    }
}

static void pcs_cheating_prover(void)
{
    for (unsigned long it = 0; it < test_iters / 50 + 4; it++) {
        struct batch b;
        cairn_pcs_options o;
        cairn_pcs_opening op;
        cairn_error err;
        opts_fast(&o);
        cairn_pcs_opening_init(&op);
        size_t n = test_rand_below(11), C = 1 + test_rand_below(3);
        if (test_rand_below(2))
            o.log_cols = (int)test_rand_below(n + 1);
        if (!batch_make(&b, n, C, 1 + test_rand_below(2), &o) ||
            batch_commit(&b, 0, NULL) != CAIRN_OK) {
            batch_free(&b);
            continue;
        }
        size_t k = (size_t)1 << b.params.log_cols, M = ((size_t)1 << n) / k * C;
        /* B = the committed matrix with one entry changed; its own true evaluations */
        cairn_fp *other = malloc(M * k * sizeof *other);
        cairn_fp2 *ev_b = malloc(b.P * C * sizeof *ev_b);
        if (other == NULL || ev_b == NULL) {
            free(other);
            free(ev_b);
            batch_free(&b);
            continue;
        }
        memcpy(other, b.matrix, M * k * sizeof *other);
        size_t cell = test_rand_below(M * k);
        other[cell] = bump(other[cell]);
        cairn_rows ra, rb;
        cairn_rows_table ia, ib;
        cairn_rows_table_init(&ra, &ia, b.matrix, M, k, 0);
        cairn_rows_table_init(&rb, &ib, other, M, k, 0);
        CHECK_OK(cairn_pcs_evaluate(ev_b, b.P * C, &b.params, &rb, b.points, b.P, NULL));
        cairn_transcript t;

        /* (a) answer everything from B: the columns do not hash to the root */
        cairn_transcript_init(&t, "test");
        CHECK_OK(pcs_open_impl(&op, &t, &b.pr, &rb, &rb, b.points, b.P, ev_b, b.P * C, 1, NULL));
        CHECK_STATUS(batch_verify(&b, &b.pr.com, ev_b, &op, &err), CAIRN_ERR_REJECTED);
        /* (b) vectors from B, columns from the committed A: the column checks fail */
        cairn_transcript_init(&t, "test");
        CHECK_OK(pcs_open_impl(&op, &t, &b.pr, &rb, &ra, b.points, b.P, ev_b, b.P * C, 1, NULL));
        if (!CHECK(batch_verify(&b, &b.pr.com, ev_b, &op, &err) == CAIRN_ERR_REJECTED))
            FAIL("n=%zu C=%zu P=%zu lc=%u lb=%u t=%u cell=%zu old=%llu", n, C, b.P,
                 b.params.log_cols, b.params.log_blowup, b.params.queries, cell,
                 (unsigned long long)b.matrix[cell].v);
        /* (c) honest rows, false claims (not checked by the prover) */
        cairn_transcript_init(&t, "test");
        /* (points with a coordinate 0 or 1 may not see the changed cell: then the claims are
         * true) */
        int differ = memcmp(ev_b, b.evals, b.P * C * sizeof *ev_b) != 0;
        CHECK_OK(pcs_open_impl(&op, &t, &b.pr, &ra, &ra, b.points, b.P, ev_b, b.P * C, 0, NULL));
        CHECK_STATUS(batch_verify(&b, &b.pr.com, ev_b, &op, &err),
                     differ ? CAIRN_ERR_REJECTED : CAIRN_OK);
        /* the honest prover refuses false claims */
        cairn_transcript_init(&t, "test");
        CHECK_STATUS(cairn_pcs_open(&op, &t, &b.pr, &ra, b.points, b.P, ev_b, b.P * C, NULL),
                     differ ? CAIRN_ERR_ARG : CAIRN_OK);
        free(other);
        free(ev_b);
        cairn_pcs_opening_clear(&op);
        batch_free(&b);
    }
}

static void pcs_parse_strict(void)
{
    struct batch b;
    cairn_pcs_options o;
    cairn_pcs_opening op, back;
    opts_fast(&o);
    o.levels = 0; /* the byte offsets below are plain Ligero's; pcs_levels_* cover the rest */
    cairn_pcs_opening_init(&op);
    cairn_pcs_opening_init(&back);
    if (!batch_make(&b, 4, 2, 1, &o) || batch_commit(&b, 0, NULL) != CAIRN_OK ||
        batch_open(&op, &b, 0, NULL) != CAIRN_OK) {
        FAIL("setup");
        goto out;
    }
    size_t len;
    uint8_t *buf = encode_opening(&op, &len);
    if (buf == NULL)
        goto out;
    /* every truncation, and one byte more */
    for (size_t l = 0; l < len; l++)
        CHECK_STATUS(cairn_pcs_opening_decode(&back, buf, l, &b.params, 1, NULL), CAIRN_ERR_PARSE);
    uint8_t *ext = malloc(len + 1);
    if (ext != NULL) {
        memcpy(ext, buf, len);
        ext[len] = 0;
        CHECK_STATUS(cairn_pcs_opening_decode(&back, ext, len + 1, &b.params, 1, NULL),
                     CAIRN_ERR_PARSE);
        free(ext);
    }
    CHECK_OK(cairn_pcs_opening_decode(&back, buf, len, &b.params, 1, NULL));
    /* wrong point count, other parameters */
    CHECK_STATUS(cairn_pcs_opening_decode(&back, buf, len, &b.params, 2, NULL), CAIRN_ERR_PARSE);
    cairn_pcs_params q = b.params;
    q.target_bits = 90;
    CHECK_STATUS(cairn_pcs_opening_decode(&back, buf, len, &q, 1, NULL), CAIRN_ERR_PARSE);
    q = b.params;
    q.queries = 0;
    CHECK_STATUS(cairn_pcs_opening_decode(&back, buf, len, &q, 1, NULL), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_pcs_opening_decode(&back, buf, len, &b.params, 0, NULL), CAIRN_ERR_ARG);
    /* non-canonical elements: a vector coordinate, a column value = p and 2^64 - 1 */
    size_t voff = CAIRN_PCS_PARAMS_BYTES + 4;
    size_t coff = voff + op.vectors_len * 16 + 8;
    size_t offs[] = {voff, voff + 8, voff + 16 * (op.vectors_len - 1) + 8, coff,
                     coff + 8 * (op.columns_len - 1)};
    for (size_t i = 0; i < 5; i++) {
        uint8_t keep[8];
        memcpy(keep, buf + offs[i], 8);
        pcs_store_le64(buf + offs[i], CAIRN_FP_P);
        CHECK_STATUS(cairn_pcs_opening_decode(&back, buf, len, &b.params, 1, NULL),
                     CAIRN_ERR_PARSE);
        pcs_store_le64(buf + offs[i], UINT64_MAX);
        CHECK_STATUS(cairn_pcs_opening_decode(&back, buf, len, &b.params, 1, NULL),
                     CAIRN_ERR_PARSE);
        memcpy(buf + offs[i], keep, 8);
    }
    /* the Merkle count: one more than present, and huge */
    size_t moff = coff + 8 * op.columns_len;
    uint32_t cnt = pcs_load_le32(buf + moff);
    pcs_store_le32(buf + moff, cnt + 1);
    CHECK_STATUS(cairn_pcs_opening_decode(&back, buf, len, &b.params, 1, NULL), CAIRN_ERR_PARSE);
    pcs_store_le32(buf + moff, UINT32_MAX);
    CHECK_STATUS(cairn_pcs_opening_decode(&back, buf, len, &b.params, 1, NULL), CAIRN_ERR_PARSE);
    pcs_store_le32(buf + moff, cnt);
    CHECK_OK(cairn_pcs_opening_decode(&back, buf, len, &b.params, 1, NULL));
    CHECK(back.vectors != NULL);
    /* a failed decode leaves the opening empty */
    CHECK_STATUS(cairn_pcs_opening_decode(&back, buf, 3, &b.params, 1, NULL), CAIRN_ERR_PARSE);
    CHECK(back.vectors == NULL && back.columns == NULL && back.merkle.siblings == NULL);
    CHECK_STATUS(cairn_pcs_opening_encode(buf, len - 1, &op, NULL), CAIRN_ERR_ARG);
    free(buf);
out:
    cairn_pcs_opening_clear(&op);
    cairn_pcs_opening_clear(&back);
    cairn_pcs_opening_clear(NULL);
    cairn_pcs_prover_clear(NULL);
    batch_free(&b);
}

static void pcs_fuzz_inprocess(void)
{
    /* mostly the mutation modes (byte 1 low bits != 0 in the target) */
    CHECK(test_fuzz_random(cairn_fuzz_pcs_proof, 4096, 40) == 0);
    CHECK(cairn_fuzz_pcs_proof(NULL, 0) == 0);
    uint8_t one = 0;
    CHECK(cairn_fuzz_pcs_proof(&one, 1) == 0);
}

/* ---- recursive levels ------------------------------------------------------ */

/* A batch committed and opened with exactly `levels` recursive levels, or 0 when the shape cannot have them. */
static int levels_batch(struct batch *b, cairn_pcs_opening *op, size_t n, size_t C, size_t P,
                        unsigned levels, unsigned reps)
{
    cairn_pcs_options o;
    cairn_pcs_options_init(&o);
    o.grinding_bits = 2;
    o.levels = (int)levels;
    o.reps = reps;
    o.target_bits = 60; /* fewer queries: faster, the same code paths */
    memset(b, 0, sizeof *b);
    cairn_pcs_prover_init(&b->pr);
    cairn_pcs_params probe;
    if (cairn_pcs_params_choose(&probe, (unsigned)n, C, &o, NULL) != CAIRN_OK)
        return 0;
    if (!batch_make(b, n, C, P, &o) || batch_commit(b, 0, NULL) != CAIRN_OK ||
        batch_open(op, b, 0, NULL) != CAIRN_OK) {
        FAIL("setup n=%zu C=%zu P=%zu L=%u", n, C, P, levels);
        batch_free(b);
        return 0;
    }
    return 1;
}

/*
 * Complete openings with 1 to 4 recursive levels, 1 or 2 repetitions, 1 to 3
 * points: verified, byte-identical through every chunking of the row source
 * and through the codec.
 */
static void pcs_levels_complete(void)
{
    for (unsigned long it = 0; it < test_iters / 100 + 6; it++) {
        struct batch b;
        cairn_pcs_opening op, op2, back;
        cairn_pcs_opening_init(&op);
        cairn_pcs_opening_init(&op2);
        cairn_pcs_opening_init(&back);
        size_t n = 6 + test_rand_below(9), C = 1 + test_rand_below(4), P = 1 + test_rand_below(3);
        unsigned L = 1 + (unsigned)(it % 4), reps = it % 5 == 4 ? 2 : 1;
        if (!levels_batch(&b, &op, n, C, P, L, reps))
            continue;
        CHECK_EQ_U64(b.params.levels, L);
        CHECK_OK(batch_verify(&b, &b.pr.com, b.evals, &op, NULL));
        size_t len, len2;
        uint8_t *e1 = encode_opening(&op, &len);
        CHECK_OK(batch_open(&op2, &b, 1 + test_rand_below(5), NULL));
        uint8_t *e2 = encode_opening(&op2, &len2);
        CHECK(e1 != NULL && e2 != NULL && len == len2 && memcmp(e1, e2, len) == 0);
        if (e1 != NULL) {
            CHECK_OK(cairn_pcs_opening_decode(&back, e1, len, &b.params, P, NULL));
            CHECK_OK(batch_verify(&b, &b.pr.com, b.evals, &back, NULL));
            uint8_t *e3 = encode_opening(&back, &len2);
            CHECK(e3 != NULL && len2 == len && memcmp(e1, e3, len) == 0);
            free(e3);
            /* strict: every truncation of the tail and one byte more are parse errors */
            for (size_t cut = len > 64 ? len - 64 : 0; cut < len; cut++)
                CHECK_STATUS(cairn_pcs_opening_decode(&back, e1, cut, &b.params, P, NULL),
                             CAIRN_ERR_PARSE);
            uint8_t *ext = malloc(len + 1);
            if (ext != NULL) {
                memcpy(ext, e1, len);
                ext[len] = 0;
                CHECK_STATUS(cairn_pcs_opening_decode(&back, ext, len + 1, &b.params, P, NULL),
                             CAIRN_ERR_PARSE);
                free(ext);
            }
        }
        /* a wrong claim is rejected */
        b.evals[0].c1 = bump(b.evals[0].c1);
        CHECK_STATUS(batch_verify(&b, &b.pr.com, b.evals, &op, NULL), CAIRN_ERR_REJECTED);
        free(e1);
        free(e2);
        cairn_pcs_opening_clear(&op);
        cairn_pcs_opening_clear(&op2);
        cairn_pcs_opening_clear(&back);
        batch_free(&b);
    }
}

/* Every part of every recursive level changed in the opening: rejected. */
static void pcs_levels_tamper(void)
{
    for (unsigned long it = 0; it < test_iters / 500 + 2; it++) {
        struct batch b;
        cairn_pcs_opening op;
        cairn_pcs_opening_init(&op);
        if (!levels_batch(&b, &op, 8 + test_rand_below(3), 2, 1 + it % 2, 1 + (unsigned)(it % 2), 1))
            continue;
        CHECK_OK(batch_verify(&b, &b.pr.com, b.evals, &op, NULL));
        op.root1.bytes[it % 32] ^= 1;
        CHECK_STATUS(batch_verify(&b, &b.pr.com, b.evals, &op, NULL), CAIRN_ERR_REJECTED);
        op.root1.bytes[it % 32] ^= 1;
        for (unsigned l = 0; l < op.params.levels; l++) {
            cairn_pcs_level_opening *lo = &op.inner[l];
            size_t ne = lo->sumcheck.rounds * lo->sumcheck.degree;
            for (size_t i = 0; i < ne; i++) {
                cairn_fp2 keep = lo->sumcheck.evals[i];
                lo->sumcheck.evals[i].c0 = bump(keep.c0);
                CHECK_STATUS(batch_verify(&b, &b.pr.com, b.evals, &op, NULL), CAIRN_ERR_REJECTED);
                lo->sumcheck.evals[i] = keep;
            }
            cairn_fp2 fk = lo->fold_eval;
            lo->fold_eval.c1 = bump(fk.c1);
            CHECK_STATUS(batch_verify(&b, &b.pr.com, b.evals, &op, NULL), CAIRN_ERR_REJECTED);
            lo->fold_eval = fk;
            if (l + 1 < op.params.levels) {
                lo->next_root.bytes[l % 32] ^= 0x80;
                CHECK_STATUS(batch_verify(&b, &b.pr.com, b.evals, &op, NULL), CAIRN_ERR_REJECTED);
                lo->next_root.bytes[l % 32] ^= 0x80;
            }
            for (size_t i = 0; i < lo->vectors_len; i++) {
                cairn_fp2 keep = lo->vectors[i];
                lo->vectors[i].c0 = bump(keep.c0);
                CHECK_STATUS(batch_verify(&b, &b.pr.com, b.evals, &op, NULL), CAIRN_ERR_REJECTED);
                lo->vectors[i] = keep;
            }
            for (size_t i = 0; i < lo->columns_len; i += 1 + lo->columns_len / 64) {
                cairn_fp keep = lo->columns[i];
                lo->columns[i] = bump(keep);
                CHECK_STATUS(batch_verify(&b, &b.pr.com, b.evals, &op, NULL), CAIRN_ERR_REJECTED);
                lo->columns[i] = keep;
            }
            for (size_t i = 0; i < lo->merkle.siblings_len; i += 1 + lo->merkle.siblings_len / 32) {
                lo->merkle.siblings[i].bytes[i % 32] ^= 1;
                CHECK_STATUS(batch_verify(&b, &b.pr.com, b.evals, &op, NULL), CAIRN_ERR_REJECTED);
                lo->merkle.siblings[i].bytes[i % 32] ^= 1;
            }
            /* a nonce that fails the work (grinding 2 bits: one of the next 16 does) */
            uint64_t keep = lo->nonce;
            int rejected = 0;
            for (uint64_t dn = 1; dn <= 16 && !rejected; dn++) {
                lo->nonce = keep + dn;
                rejected = batch_verify(&b, &b.pr.com, b.evals, &op, NULL) == CAIRN_ERR_REJECTED;
            }
            CHECK(rejected);
            lo->nonce = keep;
            CHECK_OK(batch_verify(&b, &b.pr.com, b.evals, &op, NULL));
        }
        cairn_pcs_opening_clear(&op);
        batch_free(&b);
    }
}

/*
 * Malicious provers that pass every Merkle check: at some level they change
 * a folded or proximity vector (or level 1's input vectors) before
 * committing it, and then follow the protocol honestly on what they
 * committed; or they send a wrong folded value.  Every variant is rejected.
 */
static void pcs_levels_cheating_prover(void)
{
    for (unsigned long it = 0; it < test_iters / 100 + 8; it++) {
        struct batch b;
        cairn_pcs_opening op;
        cairn_pcs_opening_init(&op);
        unsigned L = 1 + (unsigned)(it % 3);
        if (!levels_batch(&b, &op, 8 + test_rand_below(5), 1 + test_rand_below(3),
                          1 + test_rand_below(2), L, 1))
            continue;
        cairn_pcs_opening_clear(&op);
        pcs_cheat.mode = 1 + (unsigned)(it % 6);
        pcs_cheat.level = 1 + (unsigned)test_rand_below(L);
        if (pcs_cheat.mode == 6) {
            /* a far table at a level the recursion commits (2 .. L) */
            if (L < 2) {
                cairn_pcs_opening_clear(&op);
                batch_free(&b);
                continue;
            }
            pcs_cheat.level = 2 + (unsigned)test_rand_below(L - 1);
        }
        pcs_cheat.entry = (size_t)test_rand_u64();
        cairn_error err;
        cairn_status st = batch_open(&op, &b, 0, &err);
        unsigned mode = pcs_cheat.mode;
        pcs_cheat.mode = 0;
        CHECK_OK(st);
        if (st == CAIRN_OK) {
            st = batch_verify(&b, &b.pr.com, b.evals, &op, &err);
            if (!CHECK(st == CAIRN_ERR_REJECTED))
                FAIL("cheat mode %u at level %u of %u accepted", mode, pcs_cheat.level, L);
        }
        cairn_pcs_opening_clear(&op);
        batch_free(&b);
    }
}

/* ---- stacked layout ------------------------------------------------------------- */

/*
 * Groups of random polynomials of different sizes in one stacked batch:
 * the source equals the slots built here by hand; each group is claimed at
 * its own point, its members' values bound before its rho; the slot claims
 * equal the slots' true values at the lifted points; the opening at one
 * lifted point per group verifies; one false member value, opened by a
 * prover that does not check its claims, is rejected.
 */
static void pcs_stack_groups(void)
{
    for (unsigned long it = 0; it < test_iters / 100 + 4; it++) {
        cairn_pcs_group groups[4];
        size_t G = 1 + test_rand_below(4), total = 0;
        for (size_t g = 0; g < G; g++) {
            groups[g].num_vars = (unsigned)test_rand_below(9);
            groups[g].count = 1 + test_rand_below(5);
            total += groups[g].count;
        }
        cairn_pcs_stack st;
        CHECK_OK(cairn_pcs_stack_init(&st, groups, G, NULL));
        unsigned n = st.num_vars;
        size_t C = st.num_polys, N1 = (size_t)1 << n;
        cairn_fp **members = calloc(total, sizeof *members);
        cairn_fp *slots = calloc(C * N1, sizeof *slots);
        const cairn_fp **slot_ptr = malloc(C * sizeof *slot_ptr);
        cairn_fp2 *points = malloc(G * n * sizeof *points + 1), *evals = malloc(G * C * sizeof *evals);
        cairn_fp2 *values = malloc(total * sizeof *values), *r = malloc((n + 1) * sizeof *r);
        if (!members || !slots || !slot_ptr || !points || !evals || !values || !r)
            goto next;
        /* members, and the slots by hand: member j of group g in slot first + j / 2^d, block j mod 2^d */
        for (size_t g = 0, m = 0; g < G; g++) {
            unsigned d = n - groups[g].num_vars;
            for (size_t j = 0; j < groups[g].count; j++, m++) {
                size_t B = (size_t)1 << groups[g].num_vars;
                members[m] = malloc(B * sizeof **members);
                if (members[m] == NULL)
                    goto next;
                size_t slot = st.first_slot[g] + (j >> d), blk = j & (((size_t)1 << d) - 1);
                for (size_t e = 0; e < B; e++)
                    slots[slot * N1 + blk * B + e] = members[m][e] = test_rand_fp();
            }
        }
        for (size_t c = 0; c < C; c++)
            slot_ptr[c] = slots + c * N1;
        cairn_pcs_options o;
        opts_fast(&o);
        o.points_hint = (unsigned)G;
        cairn_pcs_params params;
        cairn_status cst = cairn_pcs_params_choose(&params, n, C, &o, NULL);
        if (cst == CAIRN_ERR_LIMIT) {
            o.levels = -1;
            cst = cairn_pcs_params_choose(&params, n, C, &o, NULL);
        }
        CHECK_OK(cst);
        cairn_rows src, ref;
        cairn_pcs_stack_rows impl;
        cairn_pcs_polys_rows rimpl;
        cairn_pcs_prover pr, pr_ref;
        cairn_pcs_prover_init(&pr);
        cairn_pcs_prover_init(&pr_ref);
        CHECK_OK(cairn_pcs_stack_rows_init(&src, &impl, &st, &params,
                                           (const cairn_fp *const *)members, NULL));
        cairn_pcs_polys_rows_init(&ref, &rimpl, &params, slot_ptr);
        CHECK_OK(cairn_pcs_commit(&pr, &params, &src, NULL));
        CHECK_OK(cairn_pcs_commit(&pr_ref, &params, &ref, NULL));
        CHECK_MEM_EQ(pr.com.root.bytes, pr_ref.com.root.bytes, 32);

        /* claims: per group a point, the members' values, then rho from the transcript */
        size_t bad = test_rand_below(total);
        for (int cheat = 0; cheat < 2; cheat++) {
            cairn_transcript tp;
            cairn_transcript_init(&tp, "stack");
            for (size_t g = 0, m = 0; g < G; g++) {
                unsigned ng = groups[g].num_vars;
                for (unsigned v = 0; v < ng; v++)
                    r[v] = test_rand_fp2();
                for (size_t j = 0; j < groups[g].count; j++, m++) {
                    CHECK_OK(cairn_poly_eval_fp(&values[m], members[m], r, ng));
                    if (cheat && m == bad)
                        values[m].c0 = bump(values[m].c0);
                }
                cairn_transcript_absorb_fp2_vec(&tp, "values", values + st.first_poly[g],
                                                groups[g].count);
                cairn_fp2 rho[32];
                cairn_transcript_squeeze_fp2_vec(rho, n - ng, &tp, "rho");
                cairn_pcs_stack_lift(points + g * n, &st, g, r, rho);
                /* every slot at this point; the group's own from the members' values */
                CHECK_OK(cairn_pcs_evaluate(evals + g * C, C, &params, &ref, points + g * n, 1, NULL));
                size_t end = g + 1 < G ? st.first_slot[g + 1] : C;
                for (size_t c = st.first_slot[g]; c < end; c++) {
                    cairn_fp2 claim =
                        cairn_pcs_stack_slot_claim(&st, g, c, values + st.first_poly[g], rho);
                    if (!cheat)
                        CHECK(cairn_fp2_eq(claim, evals[g * C + c]));
                    evals[g * C + c] = claim;
                }
            }
            cairn_transcript tv = tp;
            cairn_pcs_opening op;
            cairn_pcs_opening_init(&op);
            CHECK_OK(pcs_open_impl(&op, &tp, &pr, &src, &src, points, G, evals, G * C, 0, NULL));
            CHECK_STATUS(cairn_pcs_verify(&pr.com, &tv, points, G, evals, G * C, &op, NULL),
                         cheat ? CAIRN_ERR_REJECTED : CAIRN_OK);
            cairn_pcs_opening_clear(&op);
        }
        cairn_pcs_stack_rows_clear(&impl);
        cairn_pcs_prover_clear(&pr);
        cairn_pcs_prover_clear(&pr_ref);
    next:
        if (members != NULL)
            for (size_t m = 0; m < total; m++)
                free(members[m]);
        free(members);
        free(slots);
        free(slot_ptr);
        free(points);
        free(evals);
        free(values);
        free(r);
    }
    /* errors */
    cairn_pcs_stack st;
    cairn_pcs_group gbad[2] = {{31, 1}, {3, 1}};
    CHECK_STATUS(cairn_pcs_stack_init(&st, gbad, 2, NULL), CAIRN_ERR_ARG);
    gbad[0].num_vars = 3;
    gbad[0].count = 0;
    CHECK_STATUS(cairn_pcs_stack_init(&st, gbad, 2, NULL), CAIRN_ERR_ARG);
    gbad[0].count = CAIRN_PCS_MAX_POLYS;
    gbad[1].count = 1;
    CHECK_STATUS(cairn_pcs_stack_init(&st, gbad, 2, NULL), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_pcs_stack_init(&st, gbad, 0, NULL), CAIRN_ERR_ARG);
}

/* Collects a stream's rows (width k) and checks their order. */
struct row_sink {
    cairn_fp *rows;
    size_t k;
    uint64_t first, next, bad;
    uint64_t stop_at; /* the row whose delivery fails (UINT64_MAX: none) */
};

static cairn_status row_sink_consume(void *ctx, uint64_t first_row, const cairn_fp *rows,
                                     size_t count, cairn_error *err)
{
    struct row_sink *s = ctx;
    if (first_row != s->next)
        s->bad++;
    for (size_t r = 0; r < count; r++) {
        if (first_row + r == s->stop_at)
            return cairn_error_set(err, CAIRN_ERR_REJECTED, "test sink: row %llu refused",
                                   (unsigned long long)s->stop_at);
        memcpy(s->rows + (first_row + r - s->first) * s->k, rows + r * s->k, s->k * sizeof *rows);
    }
    s->next = first_row + count;
    return CAIRN_OK;
}

/* A row source over another, counting its streams and rows; failing at row fail_at if asked. */
struct count_src {
    const cairn_rows *in;
    uint64_t streams, rows, fail_at;
    cairn_rows_consumer consume;
    void *ctx;
};

static cairn_status count_src_consume(void *ctx, uint64_t first_row, const cairn_fp *rows,
                                      size_t count, cairn_error *err)
{
    struct count_src *c = ctx;
    if (c->fail_at >= first_row && c->fail_at < first_row + count)
        return cairn_error_set(err, CAIRN_ERR_IO, "test members: row %llu is lost",
                               (unsigned long long)c->fail_at);
    c->rows += count;
    return c->consume(c->ctx, first_row, rows, count, err);
}

static cairn_status count_src_stream(const cairn_rows *src, uint64_t a, uint64_t b,
                                     cairn_rows_consumer consume, void *ctx, cairn_error *err)
{
    struct count_src *c = src->impl;
    c->streams++;
    c->consume = consume, c->ctx = ctx;
    return cairn_rows_stream(c->in, a, b, count_src_consume, c, err);
}

/*
 * The stacked source with one group's members from a row source
 * (cairn_pcs_stack_src) hands over exactly the rows of the in-memory one
 * (cairn_pcs_stack_rows) for random layouts, every row width k, the
 * member group chosen at random and member sources chunked in 0 (one
 * chunk), 1, 2, 3 or 7 rows, over the whole batch and random ranges; a
 * whole stream reads the members 2^(n - n_g) times when k < 2^n_g, once
 * otherwise.  Committed, it gives the in-memory root and evaluations; a
 * member source that fails ends the stream and the commitment with its
 * status; a consumer's refusal ends the stream; bad shapes are refused.
 */
static void pcs_stack_src_rows(void)
{
    static const size_t chunks[] = {0, 1, 2, 3, 7};
    for (unsigned long it = 0; it < test_iters / 50 + 6; it++) {
        cairn_pcs_group groups[4];
        size_t G = 1 + test_rand_below(4), total = 0;
        for (size_t g = 0; g < G; g++) {
            groups[g].num_vars = (unsigned)test_rand_below(8);
            groups[g].count = test_rand_below(4) == 0 ? 25 : 1 + test_rand_below(5);
            total += groups[g].count;
        }
        cairn_pcs_stack st;
        CHECK_OK(cairn_pcs_stack_init(&st, groups, G, NULL));
        size_t gr = test_rand_below(G), cnt = groups[gr].count;
        unsigned n = st.num_vars, ng = groups[gr].num_vars;
        size_t C = st.num_polys, B = (size_t)1 << ng, N1 = (size_t)1 << n;
        cairn_fp **members = calloc(total, sizeof *members);
        cairn_fp *table = malloc(B * cnt * sizeof *table);
        cairn_fp *want = malloc(C * N1 * sizeof *want), *got = malloc(C * N1 * sizeof *got);
        if (!CHECK(members && table && want && got))
            goto next;
        for (size_t m = 0; m < total; m++) {
            size_t g = 0;
            while (g + 1 < G && st.first_poly[g + 1] <= m)
                g++;
            size_t len = (size_t)1 << groups[g].num_vars;
            if ((members[m] = malloc(len * sizeof **members)) == NULL)
                goto next;
            for (size_t x = 0; x < len; x++)
                members[m][x] = test_rand_fp();
            if (g == gr)
                for (size_t x = 0; x < len; x++)
                    table[x * cnt + (m - st.first_poly[g])] = members[m][x];
        }
        /* the member group's tables are never read through polys */
        const cairn_fp **others = calloc(total, sizeof *others);
        if (!CHECK(others != NULL))
            goto next;
        for (size_t m = 0; m < total; m++)
            others[m] = m >= st.first_poly[gr] && m < st.first_poly[gr] + cnt ? NULL : members[m];
        for (unsigned lc = 0; lc <= n; lc++) {
            cairn_pcs_params params;
            memset(&params, 0, sizeof params);
            params.num_vars = n, params.num_polys = (uint32_t)C, params.log_cols = lc;
            size_t k = (size_t)1 << lc;
            uint64_t M = (uint64_t)C << (n - lc);
            cairn_rows ref, src, mem, counted;
            cairn_rows_table mimpl;
            cairn_pcs_stack_rows rimpl;
            cairn_pcs_stack_src simpl;
            struct count_src cs = {&mem, 0, 0, UINT64_MAX, NULL, NULL};
            cairn_rows_table_init(&mem, &mimpl, table, B, cnt, chunks[test_rand_below(5)]);
            counted = (cairn_rows){B, cnt, count_src_stream, &cs};
            CHECK_OK(cairn_pcs_stack_rows_init(&ref, &rimpl, &st, &params,
                                               (const cairn_fp *const *)members, NULL));
            CHECK_OK(cairn_pcs_stack_src_init(&src, &simpl, &st, &params, others, gr, &counted,
                                              NULL));
            CHECK_EQ_U64(src.rows_len, M);
            CHECK_EQ_U64(src.width, k);
            for (unsigned r = 0; r < 6; r++) {
                uint64_t a = test_rand_below(M + 1), b = test_rand_below(M + 1);
                if (r == 0)
                    a = 0, b = M;
                if (a > b) {
                    uint64_t t = a;
                    a = b, b = t;
                }
                struct row_sink ws = {want, k, a, a, 0, UINT64_MAX};
                struct row_sink gs = {got, k, a, a, 0, UINT64_MAX};
                cs.streams = cs.rows = 0;
                CHECK_OK(cairn_rows_stream(&ref, a, b, row_sink_consume, &ws, NULL));
                CHECK_OK(cairn_rows_stream(&src, a, b, row_sink_consume, &gs, NULL));
                CHECK_EQ_U64(gs.bad, 0);
                CHECK_EQ_U64(gs.next, b);
                CHECK_MEM_EQ(got, want, (size_t)(b - a) * k * sizeof *got);
                if (r == 0) {
                    uint64_t passes = k < B ? (uint64_t)1 << (n - ng) : 1;
                    CHECK_EQ_U64(cs.streams, passes);
                    CHECK_EQ_U64(cs.rows, passes * B);
                }
            }
            /* a member source that fails, a consumer that refuses */
            cairn_error err;
            cs.fail_at = test_rand_below(B);
            struct row_sink gs = {got, k, 0, 0, 0, UINT64_MAX};
            CHECK_STATUS(cairn_rows_stream(&src, 0, M, row_sink_consume, &gs, &err),
                         CAIRN_ERR_IO);
            CHECK(strstr(err.msg, "test members: row") != NULL);
            cs.fail_at = UINT64_MAX;
            gs = (struct row_sink){got, k, 0, 0, 0, test_rand_below(M)};
            CHECK_STATUS(cairn_rows_stream(&src, 0, M, row_sink_consume, &gs, &err),
                         CAIRN_ERR_REJECTED);
            CHECK_EQ_U64(gs.next, gs.stop_at);
            cairn_pcs_stack_rows_clear(&rimpl);
            cairn_pcs_stack_src_clear(&simpl);
        }
        /* committed and evaluated under real parameters: the in-memory source's root and values */
        cairn_pcs_options o;
        opts_fast(&o);
        cairn_pcs_params params;
        cairn_status cst = cairn_pcs_params_choose(&params, n, C, &o, NULL);
        if (cst == CAIRN_ERR_LIMIT) {
            o.levels = -1;
            cst = cairn_pcs_params_choose(&params, n, C, &o, NULL);
        }
        CHECK_OK(cst);
        cairn_rows ref, src, mem, counted;
        cairn_rows_table mimpl;
        cairn_pcs_stack_rows rimpl;
        cairn_pcs_stack_src simpl;
        struct count_src cs = {&mem, 0, 0, UINT64_MAX, NULL, NULL};
        cairn_pcs_prover pr, pr_ref;
        cairn_pcs_prover_init(&pr);
        cairn_pcs_prover_init(&pr_ref);
        cairn_rows_table_init(&mem, &mimpl, table, B, cnt, chunks[test_rand_below(5)]);
        counted = (cairn_rows){B, cnt, count_src_stream, &cs};
        CHECK_OK(cairn_pcs_stack_rows_init(&ref, &rimpl, &st, &params,
                                           (const cairn_fp *const *)members, NULL));
        CHECK_OK(cairn_pcs_stack_src_init(&src, &simpl, &st, &params, others, gr, &counted, NULL));
        CHECK_OK(cairn_pcs_commit(&pr_ref, &params, &ref, NULL));
        CHECK_OK(cairn_pcs_commit(&pr, &params, &src, NULL));
        CHECK_MEM_EQ(pr.com.root.bytes, pr_ref.com.root.bytes, 32);
        cairn_fp2 pt[32], ev[2][64];
        for (unsigned v = 0; v < n; v++)
            pt[v] = test_rand_fp2();
        if (C <= 64) {
            CHECK_OK(cairn_pcs_evaluate(ev[0], C, &params, &ref, pt, 1, NULL));
            CHECK_OK(cairn_pcs_evaluate(ev[1], C, &params, &src, pt, 1, NULL));
            CHECK_MEM_EQ(ev[0], ev[1], C * sizeof ev[0][0]);
        }
        cairn_error err;
        cs.fail_at = test_rand_below(B);
        cairn_pcs_prover_clear(&pr);
        CHECK_STATUS(cairn_pcs_commit(&pr, &params, &src, &err), CAIRN_ERR_IO);
        CHECK(strstr(err.msg, "test members: row") != NULL);
        /* shapes refused */
        cairn_pcs_stack_src bad;
        cairn_rows wrong = counted;
        wrong.width = cnt + 1;
        CHECK_STATUS(cairn_pcs_stack_src_init(&src, &bad, &st, &params, others, gr, &wrong, NULL),
                     CAIRN_ERR_ARG);
        wrong = counted;
        wrong.rows_len = B * 2;
        CHECK_STATUS(cairn_pcs_stack_src_init(&src, &bad, &st, &params, others, gr, &wrong, NULL),
                     CAIRN_ERR_ARG);
        CHECK_STATUS(cairn_pcs_stack_src_init(&src, &bad, &st, &params, others, G, &counted, NULL),
                     CAIRN_ERR_ARG);
        cairn_pcs_params p2 = params;
        p2.num_polys++;
        CHECK_STATUS(cairn_pcs_stack_src_init(&src, &bad, &st, &p2, others, gr, &counted, NULL),
                     CAIRN_ERR_ARG);
        cairn_pcs_stack_src_clear(&bad);
        cairn_pcs_stack_rows_clear(&rimpl);
        cairn_pcs_stack_src_clear(&simpl);
        cairn_pcs_prover_clear(&pr);
        cairn_pcs_prover_clear(&pr_ref);
        free(others);
    next:
        if (members != NULL)
            for (size_t m = 0; m < total; m++)
                free(members[m]);
        free(members);
        free(table);
        free(want);
        free(got);
    }
}

const struct test_case test_pcs_cases[] = {
    TEST(pcs_params_every_size),
    TEST(pcs_params_formula),
    TEST(pcs_params_overrides_and_errors),
    TEST(pcs_commit_vs_reference),
    TEST(pcs_commit_streaming_identical),
    TEST(pcs_capped_tree_identical),
    TEST(pcs_commitment_codec),
    TEST(pcs_open_complete_random),
    TEST(pcs_open_edge_sizes),
    TEST(pcs_open_streaming_identical),
    TEST(pcs_tamper_every_part),
    TEST(pcs_cheating_prover),
    TEST(pcs_parse_strict),
    TEST(pcs_fuzz_inprocess),
    TEST(pcs_levels_complete),
    TEST(pcs_levels_tamper),
    TEST(pcs_levels_cheating_prover),
    TEST(pcs_stack_groups),
    TEST(pcs_stack_src_rows),
    TEST_END,
};
