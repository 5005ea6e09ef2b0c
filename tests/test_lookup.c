/*
 * test_lookup.c — the batched indexed lookup (cairn_logup_star_batch_*,
 * src/gkr/logup_batch.c): random shapes against brute-force values and a
 * brute-force pushforward, prover and verifier claims equal and true, the
 * proof independent of the thread count, a closed-form table evaluator
 * against the columns, the codec (round trip, every truncation and
 * extension, other shapes, non-canonical elements), every proof element
 * tampered, lies (a wrong value at each position, an index outside the
 * table, a bent pushforward with an honest inner sum-check, a pushforward
 * for other points, swapped index columns), a forging prover that follows
 * the documented schedule with a lie in a leaf the verifier evaluates
 * itself, and the fuzz target's replay; the entry points that read the
 * index columns from a row source against the array ones (the same
 * bytes for every chunking, thread count and budget, the passes they
 * report) and a source that fails.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/gkr.h"
#include "cairn/pool.h"
#include "cairn/poly.h"
#include "cairn/sha256.h"
#include "harness.h"
#include "tests.h"

#define MMAX 5u  /* index columns */
#define PMAX 3u  /* points */
#define CMAX 6u  /* table columns */
#define NMAX 15u /* index variables */

/* A batched lookup: index columns, table, points, values, and the caller's Y. */
typedef struct {
    size_t n, kappa, m, P, C;
    cairn_fp *index[MMAX];
    const cairn_fp *cindex[MMAX];
    cairn_fp *col[CMAX];
    const cairn_fp *ccol[CMAX];
    cairn_fp2 z[PMAX][NMAX];
    const cairn_fp2 *cz[PMAX];
    cairn_fp2 values[CMAX * MMAX * PMAX];
    cairn_fp2 *y;
    uint8_t ybind[CAIRN_SHA256_BYTES]; /* stands for Y's commitment */
    cairn_logup_star_batch_statement st;
    cairn_logup_star_batch_challenges ch;
} blk;

/* Bind y in the statement as its commitment would: here the SHA-256 of its elements. */
static void blk_bind_y(blk *b, const cairn_fp2 *y)
{
    cairn_sha256(b->ybind, y, ((size_t)1 << b->kappa) * sizeof *y);
    b->st.y_binding = b->ybind;
    b->st.y_binding_len = sizeof b->ybind;
}

/* Rows whose index is outside the table: wrapped into it (0) or skipped (1). */
enum { OUT_WRAP, OUT_SKIP };

/* eq(z, x) by its definition at the Boolean point x. */
static cairn_fp2 eq_at(const cairn_fp2 *z, size_t n, size_t x)
{
    cairn_fp2 bits[NMAX];
    for (size_t i = 0; i < n; i++)
        bits[i] = (x >> i) & 1 ? cairn_fp2_one() : cairn_fp2_zero();
    return cairn_poly_eq_eval(z, bits, n);
}

/* v[c][l][k] = sum_x eq(z_k, x) T_c(i_l(x)) by brute force, rows outside the table per `out`. */
static void blk_values(blk *b, const cairn_fp *const *index, int out)
{
    size_t rows = (size_t)1 << b->n, K = (size_t)1 << b->kappa;
    memset(b->values, 0, sizeof b->values);
    for (size_t x = 0; x < rows; x++)
        for (size_t k = 0; k < b->P; k++) {
            cairn_fp2 e = eq_at(b->z[k], b->n, x);
            for (size_t l = 0; l < b->m; l++) {
                if (out == OUT_SKIP && index[l][x].v >= K)
                    continue;
                for (size_t c = 0; c < b->C; c++) {
                    cairn_fp2 *v = &b->values[(c * b->m + l) * b->P + k];
                    *v = cairn_fp2_add(*v, cairn_fp2_mul_fp(e, b->col[c][index[l][x].v % K]));
                }
            }
        }
}

/* Y by its definition for points zs and the challenges' nu, rows outside the table per `out`. */
static void blk_pushforward_brute(cairn_fp2 *y, const blk *b, const cairn_fp *const *index,
                                  cairn_fp2 (*zs)[NMAX], int out)
{
    size_t rows = (size_t)1 << b->n, K = (size_t)1 << b->kappa;
    for (size_t u = 0; u < K; u++)
        y[u] = cairn_fp2_zero();
    for (size_t x = 0; x < rows; x++)
        for (size_t k = 0; k < b->P; k++) {
            cairn_fp2 e = eq_at(zs[k], b->n, x);
            for (size_t l = 0; l < b->m; l++) {
                if (out == OUT_SKIP && index[l][x].v >= K)
                    continue;
                size_t u = index[l][x].v % K;
                y[u] = cairn_fp2_add(y[u], cairn_fp2_mul(b->ch.nu[l * b->P + k], e));
            }
        }
}

static void blk_make(blk *b, size_t n, size_t kappa, size_t m, size_t P, size_t C)
{
    memset(b, 0, sizeof *b);
    size_t rows = (size_t)1 << n, K = (size_t)1 << kappa;
    b->n = n;
    b->kappa = kappa;
    b->m = m;
    b->P = P;
    b->C = C;
    for (size_t l = 0; l < m; l++) {
        b->index[l] = malloc(rows * sizeof(cairn_fp));
        for (size_t x = 0; x < rows; x++)
            b->index[l][x] = cairn_fp_make(test_rand_below(K));
        b->cindex[l] = b->index[l];
    }
    for (size_t c = 0; c < C; c++) {
        b->col[c] = malloc(K * sizeof(cairn_fp));
        for (size_t u = 0; u < K; u++)
            b->col[c][u] = test_rand_fp();
        b->ccol[c] = b->col[c];
    }
    for (size_t k = 0; k < P; k++) {
        for (size_t i = 0; i < n; i++)
            b->z[k][i] = test_rand_fp2();
        b->cz[k] = b->z[k];
    }
    b->y = malloc(K * sizeof *b->y);
    blk_values(b, b->cindex, OUT_WRAP);
    b->st = (cairn_logup_star_batch_statement){n, kappa, m, P, b->cz, C, b->ccol, NULL, NULL,
                                               b->values, 0, NULL, 0};
    blk_bind_y(b, b->y);
}

static void blk_free(blk *b)
{
    for (size_t l = 0; l < b->m; l++)
        free(b->index[l]);
    for (size_t c = 0; c < b->C; c++)
        free(b->col[c]);
    free(b->y);
}

/* The caller's transcript up to phase A (the index columns and the table stand bound). */
static cairn_status blk_bind(blk *b, cairn_transcript *t)
{
    cairn_transcript_init(t, "test/logup-batch");
    return cairn_logup_star_batch_bind(&b->ch, t, &b->st, NULL);
}

/* Phase A, "commit" y (absorbed in the clear, standing for its commitment), phase B. */
static cairn_status blk_prove(cairn_logup_star_proof *proof, cairn_logup_star_batch_claims *c,
                              blk *b, const cairn_fp2 *y, const cairn_fp *const *index,
                              unsigned threads, cairn_error *err)
{
    cairn_transcript t;
    cairn_status st = blk_bind(b, &t);
    if (st != CAIRN_OK)
        return st;
    cairn_transcript_absorb_fp2_vec(&t, "test/Y", y, (size_t)1 << b->kappa);
    blk_bind_y(b, y);
    return cairn_logup_star_batch_prove(proof, c, &t, &b->st, &b->ch, index, y, threads, err);
}

static cairn_status blk_verify(cairn_logup_star_batch_claims *c, const cairn_logup_star_proof *proof,
                               blk *b, const cairn_fp2 *y, cairn_error *err)
{
    cairn_transcript t;
    cairn_logup_star_batch_challenges ch;
    cairn_transcript_init(&t, "test/logup-batch");
    cairn_status st = cairn_logup_star_batch_bind(&ch, &t, &b->st, err);
    if (st != CAIRN_OK)
        return st;
    cairn_transcript_absorb_fp2_vec(&t, "test/Y", y, (size_t)1 << b->kappa);
    blk_bind_y(b, y);
    return cairn_logup_star_batch_verify(c, &t, proof, &b->st, &ch, err);
}

/* The caller's discharge against the committed index columns and the committed y. */
static int blk_discharge(const cairn_logup_star_batch_claims *c, const blk *b, const cairn_fp2 *y)
{
    cairn_fp2 v;
    int ok = 1;
    for (size_t l = 0; l < b->m; l++)
        ok = ok && cairn_poly_eval_fp(&v, b->index[l], c->index_point, b->n) == CAIRN_OK &&
             cairn_fp2_eq(v, c->index_values[l]);
    for (int u = 0; u < 2; u++)
        ok = ok && cairn_poly_eval_fp2(&v, y, c->y_points[u], b->kappa) == CAIRN_OK &&
             cairn_fp2_eq(v, c->y_values[u]);
    return ok;
}

/* Phase A, the pushforward by the library (checked against brute force), Y kept in b->y. */
static void blk_honest_y(blk *b, unsigned threads)
{
    cairn_transcript t;
    cairn_error err;
    CHECK_OK(blk_bind(b, &t));
    CHECK_OK(cairn_logup_star_batch_pushforward(b->y, &b->st, &b->ch, b->cindex, threads, &err));
}

/* Prove with (y, index), verify against the committed y; 1 when the lie is caught. */
static int blk_caught(blk *b, const cairn_fp2 *y, const cairn_fp *const *index)
{
    cairn_logup_star_proof proof;
    cairn_logup_star_batch_claims c;
    cairn_logup_star_proof_init(&proof);
    int caught = 1;
    if (blk_prove(&proof, &c, b, y, index, 1, NULL) == CAIRN_OK) {
        cairn_status st = blk_verify(&c, &proof, b, y, NULL);
        caught = st == CAIRN_ERR_REJECTED || (st == CAIRN_OK && !blk_discharge(&c, b, y));
    }
    cairn_logup_star_proof_clear(&proof);
    return caught;
}

/* ---- honest runs ------------------------------------------------------------------------ */

/*
 * Random shapes (m 1..5, P 1..3, C 1..6, n up to 12, kappa up to 10): the
 * pushforward against brute force, acceptance, prover and verifier claims
 * equal, every claim true.
 */
static void lookup_batch_honest(void)
{
    unsigned long rounds = 15 + test_iters / 50;
    for (unsigned long it = 0; it < rounds; it++) {
        size_t n = it % 7 == 6 ? 12 : test_rand_below(10), kappa = test_rand_below(11);
        blk b;
        blk_make(&b, n, kappa, 1 + it % MMAX, 1 + (it / 5) % PMAX, 1 + (it + it / 3) % CMAX);
        b.st.grind_bits = (unsigned)test_rand_below(4);
        unsigned th = 1 + (unsigned)test_rand_below(3);
        (void)cairn_pool_set_threads(th, NULL);
        blk_honest_y(&b, th);
        size_t K = (size_t)1 << kappa;
        cairn_fp2 *brute = malloc(K * sizeof *brute);
        blk_pushforward_brute(brute, &b, b.cindex, b.z, OUT_WRAP);
        CHECK_MEM_EQ(brute, b.y, K * sizeof *brute);
        free(brute);
        cairn_logup_star_proof proof;
        cairn_logup_star_batch_claims pc, vc;
        cairn_error err;
        cairn_logup_star_proof_init(&proof);
        memset(&pc, 0, sizeof pc); /* only the used coordinates are written */
        memset(&vc, 0, sizeof vc);
        CHECK_OK(blk_prove(&proof, &pc, &b, b.y, b.cindex, th, &err));
        cairn_status st = blk_verify(&vc, &proof, &b, b.y, &err);
        if (st != CAIRN_OK)
            FAIL("n %zu kappa %zu m %zu P %zu C %zu: %s", n, kappa, b.m, b.P, b.C, err.msg);
        CHECK_MEM_EQ(&pc, &vc, sizeof pc);
        CHECK(blk_discharge(&vc, &b, b.y));
        /* the verifier without the columns is an argument error, not an acceptance */
        b.st.columns = NULL;
        CHECK_STATUS(blk_verify(&vc, &proof, &b, b.y, NULL), CAIRN_ERR_ARG);
        cairn_logup_star_proof_clear(&proof);
        blk_free(&b);
    }
    (void)cairn_pool_set_threads(1, NULL);
}

/* Threads 1, 2, 3, 8: the same pushforward and the same proof bytes (several chunks). */
static void lookup_batch_threads_same_bytes(void)
{
    blk b;
    blk_make(&b, 14, 5, 3, 2, 2);
    size_t K = (size_t)1 << b.kappa, len = cairn_logup_star_batch_proof_size(14, 5, 3);
    static const unsigned th[4] = {1, 2, 3, 8};
    cairn_fp2 *y0 = malloc(K * sizeof *y0);
    uint8_t *enc[4];
    for (int i = 0; i < 4; i++) {
        CHECK_OK(cairn_pool_set_threads(th[i], NULL));
        blk_honest_y(&b, th[i]);
        if (i == 0)
            memcpy(y0, b.y, K * sizeof *y0);
        CHECK_MEM_EQ(b.y, y0, K * sizeof *y0);
        cairn_logup_star_proof proof;
        cairn_logup_star_batch_claims c;
        cairn_logup_star_proof_init(&proof);
        CHECK_OK(blk_prove(&proof, &c, &b, b.y, b.cindex, th[i], NULL));
        enc[i] = malloc(len);
        CHECK_OK(cairn_logup_star_batch_proof_encode(enc[i], len, &proof, 14, 5, 3, NULL));
        cairn_logup_star_proof_clear(&proof);
    }
    for (int i = 1; i < 4; i++)
        CHECK_MEM_EQ(enc[i], enc[0], len);
    for (int i = 0; i < 4; i++)
        free(enc[i]);
    (void)cairn_pool_set_threads(1, NULL);
    free(y0);
    blk_free(&b);
}

/*
 * The streaming prover (the GKR's leaves read from rows in passes, within
 * budgets that force streamed layers, and one that holds everything) gives
 * the in-memory prover's proof bytes and claims, for 1, 2, 3 and 8 threads;
 * with n < kappa too (the table side is the larger instance).
 */
static void lookup_batch_stream_same_bytes(void)
{
    static const size_t shapes[2][2] = {{14, 5}, {6, 9}}; /* n, kappa */
    static const size_t budgets[3] = {(size_t)16 << 10, (size_t)256 << 10, (size_t)64 << 20};
    for (int sh = 0; sh < 2; sh++) {
        size_t n = shapes[sh][0], kappa = shapes[sh][1];
        blk b;
        blk_make(&b, n, kappa, 3, 2, 2);
        size_t len = cairn_logup_star_batch_proof_size(n, kappa, 3);
        uint8_t *ref = malloc(len), *enc = malloc(len);
        cairn_logup_star_batch_claims c0, c;
        cairn_logup_star_proof proof;
        cairn_transcript t;
        memset(&c0, 0, sizeof c0);
        memset(&c, 0, sizeof c);
        blk_honest_y(&b, 1);
        cairn_logup_star_proof_init(&proof);
        CHECK_OK(blk_prove(&proof, &c0, &b, b.y, b.cindex, 1, NULL));
        CHECK_OK(cairn_logup_star_batch_proof_encode(ref, len, &proof, n, kappa, 3, NULL));
        cairn_logup_star_proof_clear(&proof);
        static const unsigned ths[] = {1, 2, 3, 8};
        for (unsigned ti = 0; ti < 4; ti++)
            for (int i = 0; i < 3; i++) {
                unsigned th = ths[ti];
                CHECK_OK(cairn_pool_set_threads(th, NULL));
                cairn_logup_star_proof_init(&proof);
                CHECK_OK(blk_bind(&b, &t));
                cairn_transcript_absorb_fp2_vec(&t, "test/Y", b.y, (size_t)1 << b.kappa);
                blk_bind_y(&b, b.y);
                CHECK_OK(cairn_logup_star_batch_prove_stream(&proof, &c, &t, &b.st, &b.ch,
                                                             b.cindex, b.y, budgets[i], th, NULL));
                CHECK_OK(cairn_logup_star_batch_proof_encode(enc, len, &proof, n, kappa, 3, NULL));
                CHECK_MEM_EQ(enc, ref, len);
                CHECK_MEM_EQ(&c, &c0, sizeof c);
                cairn_logup_star_proof_clear(&proof);
            }
        (void)cairn_pool_set_threads(1, NULL);
        free(ref);
        free(enc);
        blk_free(&b);
    }
}

/* ---- the index columns from a row source --------------------------------------------- */

/*
 * The index columns as rows of a wider table, as a prover holding a
 * witness sees them: width m + 3, index column l at position pos[l] (a
 * rotation), random values elsewhere; a source over it hands chunks of
 * chunk_rows rows and can lose a row (test_lossy_rows).
 */
typedef struct {
    cairn_fp *table;
    size_t width, pos[MMAX];
    cairn_rows_table impl;
    cairn_rows inner;
    test_lossy_rows l;
    cairn_logup_star_index ix;
} blk_rows;

static void blk_rows_make(blk_rows *r, const blk *b, size_t chunk_rows)
{
    size_t rows = (size_t)1 << b->n;
    memset(r, 0, sizeof *r);
    r->width = b->m + 3;
    r->table = malloc(rows * r->width * sizeof *r->table);
    for (size_t x = 0; x < rows * r->width; x++)
        r->table[x] = test_rand_fp();
    for (size_t l = 0; l < b->m; l++) {
        r->pos[l] = (l + 2) % r->width;
        for (size_t x = 0; x < rows; x++)
            r->table[x * r->width + r->pos[l]] = b->index[l][x];
    }
    cairn_rows_table_init(&r->inner, &r->impl, r->table, rows, r->width, chunk_rows);
    test_lossy_rows_init(&r->l, &r->inner);
    r->ix = (cairn_logup_star_index){&r->l.rows, r->pos};
}

/* Phase A and the binding of b->y on a fresh transcript, ready for phase B. */
static void blk_phase_b(blk *b, cairn_transcript *t)
{
    CHECK_OK(blk_bind(b, t));
    cairn_transcript_absorb_fp2_vec(t, "test/Y", b->y, (size_t)1 << b->kappa);
    blk_bind_y(b, b->y);
}

/* Encode a proof of b's shape into a new buffer. */
static uint8_t *blk_encode(const cairn_logup_star_proof *proof, const blk *b, size_t *len)
{
    *len = cairn_logup_star_batch_proof_size(b->n, b->kappa, b->m);
    uint8_t *e = malloc(*len);
    CHECK_OK(cairn_logup_star_batch_proof_encode(e, *len, proof, b->n, b->kappa, b->m, NULL));
    return e;
}

/*
 * The index columns read from a row source (the _rows entry points) give
 * the array versions' pushforward, proof bytes and claims, in memory and
 * streamed within budgets that stream and one that does not, for sources
 * that hand one chunk, one row or seven rows at a time, 1 and 3 threads,
 * n above and below kappa; each makes one pass over the index rows, the
 * streaming prover one per pass of its GKR (at least one).
 */
static void lookup_batch_rows_same_bytes(void)
{
    static const size_t shapes[2][2] = {{14, 5}, {6, 9}}; /* n, kappa */
    static const size_t budgets[2] = {(size_t)16 << 10, (size_t)64 << 20};
    static const size_t chunks[3] = {0, 1, 7};
    static const unsigned ths[2] = {1, 3};
    for (int sh = 0; sh < 2; sh++) {
        size_t n = shapes[sh][0], kappa = shapes[sh][1], K = (size_t)1 << kappa, len, elen;
        blk b;
        blk_make(&b, n, kappa, 3, 2, 2);
        cairn_fp2 *y0 = malloc(K * sizeof *y0);
        cairn_logup_star_batch_claims c0, c;
        cairn_logup_star_proof proof;
        cairn_transcript t;
        memset(&c0, 0, sizeof c0);
        blk_honest_y(&b, 1);
        memcpy(y0, b.y, K * sizeof *y0);
        cairn_logup_star_proof_init(&proof);
        CHECK_OK(blk_prove(&proof, &c0, &b, b.y, b.cindex, 1, NULL));
        uint8_t *ref = blk_encode(&proof, &b, &len);
        cairn_logup_star_proof_clear(&proof);
        for (size_t ci = 0; ci < 3; ci++)
            for (size_t ti = 0; ti < 2; ti++) {
                blk_rows r;
                size_t passes = 99;
                blk_rows_make(&r, &b, chunks[ci]);
                CHECK_OK(cairn_pool_set_threads(ths[ti], NULL));
                CHECK_OK(blk_bind(&b, &t));
                CHECK_OK(cairn_logup_star_batch_pushforward_rows(b.y, &passes, &b.st, &b.ch, &r.ix,
                                                                 ths[ti], NULL));
                CHECK_MEM_EQ(b.y, y0, K * sizeof *y0);
                CHECK_EQ_U64(passes, 1);
                for (int i = -1; i < 2; i++) { /* -1: in memory */
                    memset(&c, 0, sizeof c);
                    blk_phase_b(&b, &t);
                    r.l.streams = 0;
                    passes = 99;
                    if (i < 0)
                        CHECK_OK(cairn_logup_star_batch_prove_rows(&proof, &c, &passes, &t, &b.st,
                                                                   &b.ch, &r.ix, b.y, ths[ti],
                                                                   NULL));
                    else
                        CHECK_OK(cairn_logup_star_batch_prove_stream_rows(
                            &proof, &c, &passes, &t, &b.st, &b.ch, &r.ix, b.y, budgets[i],
                            ths[ti], NULL));
                    uint8_t *enc = blk_encode(&proof, &b, &elen);
                    CHECK(elen == len);
                    CHECK_MEM_EQ(enc, ref, len);
                    CHECK_MEM_EQ(&c, &c0, sizeof c);
                    CHECK_EQ_U64(passes, r.l.streams);
                    if (i < 0)
                        CHECK_EQ_U64(passes, 1);
                    else
                        CHECK(passes >= 1);
                    free(enc);
                    cairn_logup_star_proof_clear(&proof);
                }
                free(r.table);
            }
        (void)cairn_pool_set_threads(1, NULL);
        free(ref);
        free(y0);
        blk_free(&b);
    }
}

/*
 * A source that fails stops every _rows entry point with its status and
 * message, on its first pass or (the streaming prover, a budget that
 * streams) a later one, and the passes reported count the failed one;
 * the first index outside the table past the first batch of rows is
 * named; a source too short, a position outside its width or no source
 * is an argument error.
 */
static void lookup_batch_rows_errors(void)
{
    blk b;
    blk_make(&b, 15, 4, 2, 1, 1);
    blk_rows r;
    blk_rows_make(&r, &b, 1000);
    cairn_logup_star_proof proof;
    cairn_logup_star_batch_claims c;
    cairn_transcript t;
    cairn_error err;
    size_t passes;
    cairn_logup_star_proof_init(&proof);
    blk_honest_y(&b, 2);
    r.l.fail_stream = 1, r.l.fail_row = 20000;
    CHECK_OK(blk_bind(&b, &t));
    CHECK_STATUS(cairn_logup_star_batch_pushforward_rows(b.y, &passes, &b.st, &b.ch, &r.ix, 2,
                                                         &err),
                 CAIRN_ERR_IO);
    CHECK(strstr(err.msg, "test source: row 20000") != NULL);
    CHECK_EQ_U64(passes, 1);
    blk_honest_y(&b, 2);
    for (unsigned f = 1; f <= 2; f++) {
        for (int i = 0; i < 2; i++) {
            if (i == 0 && f > 1)
                continue; /* the in-memory prover makes one pass */
            r.l.streams = 0, r.l.fail_stream = f;
            blk_phase_b(&b, &t);
            err.msg[0] = '\0';
            passes = 0;
            cairn_status st =
                i == 0 ? cairn_logup_star_batch_prove_rows(&proof, &c, &passes, &t, &b.st, &b.ch,
                                                           &r.ix, b.y, 2, &err)
                       : cairn_logup_star_batch_prove_stream_rows(&proof, &c, &passes, &t, &b.st,
                                                                  &b.ch, &r.ix, b.y,
                                                                  (size_t)16 << 10, 2, &err);
            CHECK_STATUS(st, CAIRN_ERR_IO);
            CHECK(strstr(err.msg, "test source: row 20000") != NULL);
            CHECK_EQ_U64(passes, f);
        }
    }
    r.l.fail_stream = 0;
    /* two indices outside the table, in the second batch of rows: the first is named */
    size_t K = (size_t)1 << b.kappa;
    r.table[30000 * r.width + r.pos[0]] = cairn_fp_make(K);
    r.table[20001 * r.width + r.pos[1]] = cairn_fp_make(K + 9);
    CHECK_OK(blk_bind(&b, &t));
    CHECK_STATUS(cairn_logup_star_batch_pushforward_rows(b.y, NULL, &b.st, &b.ch, &r.ix, 2, &err),
                 CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "index column 1, row 20001 indexes 25") != NULL);
    /* argument errors */
    cairn_logup_star_index bad = r.ix;
    size_t pos[2] = {0, r.width};
    bad.cols = pos;
    CHECK_STATUS(cairn_logup_star_batch_pushforward_rows(b.y, NULL, &b.st, &b.ch, &bad, 1, NULL),
                 CAIRN_ERR_ARG);
    blk_phase_b(&b, &t);
    CHECK_STATUS(cairn_logup_star_batch_prove_rows(&proof, &c, NULL, &t, &b.st, &b.ch, &bad, b.y,
                                                   1, NULL),
                 CAIRN_ERR_ARG);
    cairn_rows shorter = r.l.rows;
    shorter.rows_len--;
    bad = r.ix;
    bad.rows = &shorter;
    CHECK_STATUS(cairn_logup_star_batch_prove_stream_rows(&proof, &c, NULL, &t, &b.st, &b.ch, &bad,
                                                          b.y, (size_t)16 << 10, 1, NULL),
                 CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_logup_star_batch_pushforward_rows(b.y, NULL, &b.st, &b.ch, NULL, 1, NULL),
                 CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_logup_star_batch_prove_rows(&proof, &c, NULL, &t, &b.st, &b.ch, NULL, b.y, 1,
                                                   NULL),
                 CAIRN_ERR_ARG);
    cairn_logup_star_proof_clear(&proof);
    (void)cairn_pool_set_threads(1, NULL);
    free(r.table);
    blk_free(&b);
}

/* T_c for the byte functions of a 16-bit index b = lo + 256 hi, and their closed-form MLEs. */
enum { BF_LO, BF_HI, BF_AND, BF_POW, BF_ZERO, BF_BIT7, BF_COUNT };

static uint64_t byte_fn(size_t c, size_t b)
{
    size_t lo = b & 0xff, hi = b >> 8;
    switch (c) {
    case BF_LO: return lo;
    case BF_HI: return hi;
    case BF_AND: return lo & hi;
    case BF_POW: return (uint64_t)1 << (hi & 31);
    case BF_ZERO: return b == 0;
    default: return (b >> 7) & 1;
    }
}

/* O(16) per column: sums of weighted coordinates and products, from the bits' MLEs. */
static void byte_fn_eval(cairn_fp2 *out, const cairn_fp2 *r, size_t kappa, size_t cols_len,
                         void *ctx)
{
    (void)ctx;
    (void)kappa;
    cairn_fp2 lo = cairn_fp2_zero(), hi = cairn_fp2_zero(), and = cairn_fp2_zero();
    cairn_fp2 pow = cairn_fp2_one(), zero = cairn_fp2_one();
    for (size_t j = 8; j-- > 0;) {
        lo = cairn_fp2_add(cairn_fp2_double(lo), r[j]);
        hi = cairn_fp2_add(cairn_fp2_double(hi), r[j + 8]);
        and = cairn_fp2_add(cairn_fp2_double(and), cairn_fp2_mul(r[j], r[j + 8]));
    }
    for (size_t j = 0; j < 5; j++) {
        /* 2^(2^j bit) = 1 + (2^(2^j) - 1) bit */
        cairn_fp f = cairn_fp_make(((uint64_t)1 << (1u << j)) - 1);
        pow = cairn_fp2_mul(pow, cairn_fp2_add(cairn_fp2_one(), cairn_fp2_mul_fp(r[8 + j], f)));
    }
    for (size_t j = 0; j < 16; j++)
        zero = cairn_fp2_mul(zero, cairn_fp2_sub(cairn_fp2_one(), r[j]));
    cairn_fp2 all[BF_COUNT] = {lo, hi, and, pow, zero, r[7]};
    memcpy(out, all, cols_len * sizeof *out);
}

/*
 * The lean row's shape in small: four byte-pair index columns into the
 * 2^16 table of byte functions, three points; the verifier with the
 * closed-form evaluator and with the columns gives the same claims.
 */
static void lookup_batch_table_eval(void)
{
    blk b;
    blk_make(&b, 6, 16, 4, 3, BF_COUNT);
    for (size_t c = 0; c < BF_COUNT; c++)
        for (size_t u = 0; u < ((size_t)1 << 16); u++)
            b.col[c][u] = cairn_fp_make(byte_fn(c, u));
    /* a few special rows: zero, 0xffff, bit 7 set */
    b.index[0][0] = cairn_fp_make(0);
    b.index[1][1] = cairn_fp_make(0xffff);
    b.index[2][2] = cairn_fp_make(0x0080);
    blk_values(&b, b.cindex, OUT_WRAP);
    blk_honest_y(&b, 1);
    cairn_fp2 r[16], closed[BF_COUNT];
    for (size_t i = 0; i < 16; i++)
        r[i] = test_rand_fp2();
    byte_fn_eval(closed, r, 16, BF_COUNT, NULL);
    for (size_t c = 0; c < BF_COUNT; c++) {
        cairn_fp2 v;
        CHECK_OK(cairn_poly_eval_fp(&v, b.col[c], r, 16));
        CHECK_EQ_FP2(v, closed[c]);
    }
    cairn_logup_star_proof proof;
    cairn_logup_star_batch_claims pc, c1, c2;
    cairn_logup_star_proof_init(&proof);
    memset(&c1, 0, sizeof c1);
    memset(&c2, 0, sizeof c2);
    CHECK_OK(blk_prove(&proof, &pc, &b, b.y, b.cindex, 1, NULL));
    CHECK_OK(blk_verify(&c1, &proof, &b, b.y, NULL));
    b.st.columns = NULL;
    b.st.table_eval = byte_fn_eval;
    CHECK_OK(blk_verify(&c2, &proof, &b, b.y, NULL));
    CHECK_MEM_EQ(&c1, &c2, sizeof c1);
    CHECK(blk_discharge(&c2, &b, b.y));
    /* a wrong value is rejected through the closed form as well */
    b.values[7] = cairn_fp2_add(b.values[7], cairn_fp2_one());
    CHECK_STATUS(blk_verify(&c2, &proof, &b, b.y, NULL), CAIRN_ERR_REJECTED);
    cairn_logup_star_proof_clear(&proof);
    blk_free(&b);
}

/* ---- codec and tampering ---------------------------------------------------------------- */

static void lookup_batch_codec(void)
{
    blk b;
    blk_make(&b, 5, 3, 3, 2, 2);
    blk_honest_y(&b, 1);
    cairn_logup_star_proof proof, back;
    cairn_logup_star_batch_claims c;
    cairn_logup_star_proof_init(&proof);
    cairn_logup_star_proof_init(&back);
    CHECK_OK(blk_prove(&proof, &c, &b, b.y, b.cindex, 1, NULL));
    size_t len = cairn_logup_star_batch_proof_size(5, 3, 3);
    size_t vars[4] = {5, 5, 5, 3};
    CHECK_EQ_U64(len, 8 + 32 * 3 + 16 + cairn_gkr_proof_size(vars, 4));
    CHECK_EQ_U64(cairn_logup_star_batch_proof_size(5, 3, 1), cairn_logup_star_proof_size(5, 3));
    /* the lean row's table (docs/gkr.md §8): kappa 16, 16 columns of 2^20 and 2^30 rows */
    CHECK_EQ_U64(cairn_logup_star_batch_proof_size(20, 16, 16), 31704);
    CHECK_EQ_U64(cairn_logup_star_batch_proof_size(30, 16, 16), 53704);
    CHECK_EQ_U64(cairn_logup_star_batch_proof_size(5, 3, 0), 0);
    CHECK_EQ_U64(cairn_logup_star_batch_proof_size(5, 3, CAIRN_LOGUP_STAR_MAX_INDEX + 1), 0);
    CHECK_EQ_U64(cairn_logup_star_batch_proof_size(CAIRN_GKR_MAX_VARS + 1, 3, 2), 0);
    uint8_t *buf = malloc(len + 16), *again = malloc(len);
    CHECK_OK(cairn_logup_star_batch_proof_encode(buf, len, &proof, 5, 3, 3, NULL));
    CHECK_STATUS(cairn_logup_star_batch_proof_encode(buf, len - 1, &proof, 5, 3, 3, NULL),
                 CAIRN_ERR_ARG);
    CHECK_OK(cairn_logup_star_batch_proof_decode(&back, buf, len, 5, 3, 3, NULL));
    CHECK_OK(cairn_logup_star_batch_proof_encode(again, len, &back, 5, 3, 3, NULL));
    CHECK_MEM_EQ(again, buf, len);
    CHECK_OK(blk_verify(&c, &back, &b, b.y, NULL));
    size_t bad = 0;
    for (size_t cut = 0; cut < len; cut++)
        bad += cairn_logup_star_batch_proof_decode(&back, buf, cut, 5, 3, 3, NULL) !=
               CAIRN_ERR_PARSE;
    for (size_t ext = 1; ext <= 16; ext++)
        bad += cairn_logup_star_batch_proof_decode(&back, buf, len + ext, 5, 3, 3, NULL) !=
               CAIRN_ERR_PARSE;
    CHECK_EQ_U64(bad, 0);
    /* other shapes: a parse error (the lengths differ) */
    CHECK_STATUS(cairn_logup_star_batch_proof_decode(&back, buf, len, 5, 3, 2, NULL),
                 CAIRN_ERR_PARSE);
    CHECK_STATUS(cairn_logup_star_batch_proof_decode(&back, buf, len, 5, 4, 3, NULL),
                 CAIRN_ERR_PARSE);
    CHECK_STATUS(cairn_logup_star_batch_proof_decode(&back, buf, len, 5, 3, 0, NULL),
                 CAIRN_ERR_ARG);
    /* a non-canonical coordinate in each part: the sum-check, Y(s), the GKR */
    static const size_t at[3] = {8, 8 + 32 * 3, 8 + 32 * 3 + 16 + 40};
    for (int i = 0; i < 3; i++) {
        uint8_t keep[8];
        memcpy(keep, buf + at[i], 8);
        memset(buf + at[i], 0xff, 8);
        cairn_error err;
        CHECK_STATUS(cairn_logup_star_batch_proof_decode(&back, buf, len, 5, 3, 3, &err),
                     CAIRN_ERR_PARSE);
        memcpy(buf + at[i], keep, 8);
    }
    /* a proof object of other shapes is a parse error for the verifier */
    b.st.index_len = 2;
    CHECK_STATUS(blk_verify(&c, &proof, &b, b.y, NULL), CAIRN_ERR_PARSE);
    free(buf);
    free(again);
    cairn_logup_star_proof_clear(&proof);
    cairn_logup_star_proof_clear(&back);
    blk_free(&b);
}

/* Every proof element changed (each sum-check message, Y(s), every GKR element, the nonce). */
static void lookup_batch_tamper(void)
{
    blk b;
    blk_make(&b, 5, 4, 3, 2, 3);
    b.st.grind_bits = 3;
    blk_honest_y(&b, 1);
    cairn_logup_star_proof proof;
    cairn_logup_star_batch_claims c;
    cairn_logup_star_proof_init(&proof);
    CHECK_OK(blk_prove(&proof, &c, &b, b.y, b.cindex, 1, NULL));
    CHECK_OK(blk_verify(&c, &proof, &b, b.y, NULL));
    size_t inner = proof.inner.rounds * proof.inner.degree, fails = 0, total = 0;
    for (size_t i = 0; i < inner + 1 + proof.gkr.elems_len; i++) {
        cairn_fp2 *e = i < inner ? &proof.inner.evals[i]
                                 : (i == inner ? &proof.y_eval : &proof.gkr.elems[i - inner - 1]);
        cairn_fp2 was = *e;
        *e = cairn_fp2_add(was, cairn_fp2_one());
        total++;
        fails += blk_verify(&c, &proof, &b, b.y, NULL) == CAIRN_ERR_REJECTED;
        *e = was;
    }
    CHECK_EQ_U64(fails, total);
    for (uint64_t d = 1; d < 64; d <<= 1) {
        proof.nonce ^= d;
        CHECK_STATUS(blk_verify(&c, &proof, &b, b.y, NULL), CAIRN_ERR_REJECTED);
        proof.nonce ^= d;
    }
    /* a changed point or Y commitment: another transcript, rejected */
    b.z[1][2] = cairn_fp2_add(b.z[1][2], cairn_fp2_one());
    CHECK_STATUS(blk_verify(&c, &proof, &b, b.y, NULL), CAIRN_ERR_REJECTED);
    b.z[1][2] = cairn_fp2_sub(b.z[1][2], cairn_fp2_one());
    CHECK_OK(blk_verify(&c, &proof, &b, b.y, NULL));
    cairn_logup_star_proof_clear(&proof);
    blk_free(&b);
}

/* ---- lies --------------------------------------------------------------------------------- */

/* A wrong value v[c][l][k] at every position, with the honest Y for the challenges it gets. */
static void lookup_batch_wrong_value(void)
{
    blk b;
    blk_make(&b, 4, 3, 3, 2, 2);
    size_t total = b.C * b.m * b.P, caught = 0;
    for (size_t pos = 0; pos < total; pos++) {
        b.values[pos] = cairn_fp2_add(b.values[pos], cairn_fp2_one());
        blk_honest_y(&b, 1);
        cairn_logup_star_proof proof;
        cairn_logup_star_batch_claims c;
        cairn_logup_star_proof_init(&proof);
        CHECK_OK(blk_prove(&proof, &c, &b, b.y, b.cindex, 1, NULL));
        caught += blk_verify(&c, &proof, &b, b.y, NULL) == CAIRN_ERR_REJECTED;
        cairn_logup_star_proof_clear(&proof);
        b.values[pos] = cairn_fp2_sub(b.values[pos], cairn_fp2_one());
    }
    CHECK_EQ_U64(caught, total);
    blk_free(&b);
}

/*
 * An index outside the table in one row of one column: the pushforward
 * refuses it, naming both; the Y an honest-looking prover computes
 * ignoring it (wrapped into the table, or the row skipped), with values to
 * match, is rejected.
 */
static void lookup_batch_out_of_table(void)
{
    blk b;
    blk_make(&b, 6, 4, 3, 2, 2);
    size_t K = (size_t)1 << b.kappa;
    for (int out = OUT_WRAP; out <= OUT_SKIP; out++) {
        b.index[2][37] = cairn_fp_make(K + 5);
        blk_values(&b, b.cindex, out);
        cairn_transcript t;
        cairn_error err;
        CHECK_OK(blk_bind(&b, &t));
        CHECK_STATUS(cairn_logup_star_batch_pushforward(b.y, &b.st, &b.ch, b.cindex, 1, &err),
                     CAIRN_ERR_ARG);
        CHECK(strstr(err.msg, "index column 2, row 37") != NULL);
        blk_pushforward_brute(b.y, &b, b.cindex, b.z, out);
        CHECK(blk_caught(&b, b.y, b.cindex));
        cairn_logup_star_proof proof;
        cairn_logup_star_batch_claims c;
        cairn_logup_star_proof_init(&proof);
        CHECK_OK(blk_prove(&proof, &c, &b, b.y, b.cindex, 1, NULL));
        CHECK_STATUS(blk_verify(&c, &proof, &b, b.y, NULL), CAIRN_ERR_REJECTED);
        cairn_logup_star_proof_clear(&proof);
        b.index[2][37] = cairn_fp_make(3);
    }
    blk_values(&b, b.cindex, OUT_WRAP);
    blk_honest_y(&b, 1);
    CHECK(!blk_caught(&b, b.y, b.cindex));
    blk_free(&b);
}

/*
 * Bent pushforwards: one entry changed alone; one entry changed and a
 * second one compensating so that <Y, T_gamma> = S still holds (the inner
 * sum-check is honest, the GKR must catch it); the Y of other points.
 */
static void lookup_batch_wrong_pushforward(void)
{
    blk b;
    blk_make(&b, 6, 4, 2, 3, 3);
    size_t K = (size_t)1 << b.kappa;
    blk_honest_y(&b, 1);
    cairn_fp2 *y = malloc(K * sizeof *y), tg[2];
    for (size_t u0 = 0; u0 < K; u0 += 5) {
        size_t u1 = (u0 + 3) % K;
        for (int i = 0; i < 2; i++) {
            size_t u = i ? u1 : u0;
            tg[i] = cairn_fp2_zero();
            for (size_t c = 0; c < b.C; c++)
                tg[i] = cairn_fp2_add(tg[i], cairn_fp2_mul_fp(b.ch.gamma[c], b.col[c][u]));
        }
        cairn_fp2 delta = test_rand_fp2();
        memcpy(y, b.y, K * sizeof *y);
        y[u0] = cairn_fp2_add(y[u0], delta);
        CHECK(blk_caught(&b, y, b.cindex));
        /* delta T(u0) + delta' T(u1) = 0 */
        cairn_fp2 d1 = cairn_fp2_neg(cairn_fp2_mul(delta, cairn_fp2_mul(tg[0], cairn_fp2_inv(tg[1]))));
        y[u1] = cairn_fp2_add(y[u1], d1);
        cairn_logup_star_proof proof;
        cairn_logup_star_batch_claims c;
        cairn_error err;
        cairn_logup_star_proof_init(&proof);
        CHECK_OK(blk_prove(&proof, &c, &b, y, b.cindex, 1, NULL));
        CHECK_STATUS(blk_verify(&c, &proof, &b, y, &err), CAIRN_ERR_REJECTED);
        /* the inner sum-check passed: the rejection comes from the GKR's total */
        CHECK(strstr(err.msg, "inner") == NULL);
        cairn_logup_star_proof_clear(&proof);
    }
    /* the pushforward of another point set, under the same nu */
    cairn_fp2 other[PMAX][NMAX];
    for (size_t k = 0; k < b.P; k++)
        for (size_t i = 0; i < b.n; i++)
            other[k][i] = k == 1 ? test_rand_fp2() : b.z[k][i];
    blk_pushforward_brute(y, &b, b.cindex, other, OUT_WRAP);
    CHECK(blk_caught(&b, y, b.cindex));
    free(y);
    blk_free(&b);
}

/*
 * Two index columns swapped by the prover: with the statement's values
 * (rejected), and with values made for the swapped order (accepted, but
 * the claims left to the caller are false for the committed columns).
 */
static void lookup_batch_swapped_columns(void)
{
    blk b;
    blk_make(&b, 5, 3, 3, 2, 2);
    const cairn_fp *swapped[MMAX] = {b.cindex[1], b.cindex[0], b.cindex[2]};
    cairn_transcript t;
    CHECK_OK(blk_bind(&b, &t));
    CHECK_OK(cairn_logup_star_batch_pushforward(b.y, &b.st, &b.ch, swapped, 1, NULL));
    CHECK(blk_caught(&b, b.y, swapped));
    blk_values(&b, swapped, OUT_WRAP);
    CHECK_OK(blk_bind(&b, &t));
    CHECK_OK(cairn_logup_star_batch_pushforward(b.y, &b.st, &b.ch, swapped, 1, NULL));
    cairn_logup_star_proof proof;
    cairn_logup_star_batch_claims c;
    cairn_logup_star_proof_init(&proof);
    CHECK_OK(blk_prove(&proof, &c, &b, b.y, swapped, 1, NULL));
    CHECK_OK(blk_verify(&c, &proof, &b, b.y, NULL));
    CHECK(!blk_discharge(&c, &b, b.y));
    cairn_fp2 v;
    CHECK_OK(cairn_poly_eval_fp(&v, b.index[0], c.index_point, b.n));
    CHECK(!cairn_fp2_eq(v, c.index_values[0]));
    CHECK(blk_caught(&b, b.y, swapped));
    cairn_logup_star_proof_clear(&proof);
    blk_free(&b);
}

/*
 * A forging prover: phase B of docs/gkr.md §8 written out here.  mode 0:
 * no lie (the proof must equal the library's byte for byte); mode 1: the
 * numerators of rows x0 (column 0) and x1 (column 1) and Y at their
 * indices u0, u1 moved by delta and -delta T(u0)/T(u1), so both fractional
 * sums and <Y, T_gamma> still agree but p_0, p_1 are not the eq
 * combinations; mode 2: rows u0, u1 of a table whose columns agree there,
 * swapped in Y and in the table-side denominators, so everything agrees
 * but q is not alpha - b.  The verifier must reject modes 1 and 2 through
 * its own leaf evaluations.
 */
static cairn_status forge_verify(blk *b, int mode, cairn_error *err)
{
    size_t rows = (size_t)1 << b->n, K = (size_t)1 << b->kappa, m = b->m, P = b->P;
    blk_honest_y(b, 1);
    cairn_fp2 *y = malloc(K * sizeof *y), *tg = malloc(K * sizeof *tg);
    cairn_fp2 *leaf = malloc(2 * (m + 1) * (rows > K ? rows : K) * sizeof *leaf);
    size_t stride = rows > K ? rows : K;
    memcpy(y, b->y, K * sizeof *y);
    size_t x0 = 3, x1 = 9, u0 = b->index[0][x0].v, u1 = b->index[1][x1].v;
    for (size_t u = 0; u < K; u++) {
        tg[u] = cairn_fp2_zero();
        for (size_t c = 0; c < b->C; c++)
            tg[u] = cairn_fp2_add(tg[u], cairn_fp2_mul_fp(b->ch.gamma[c], b->col[c][u]));
    }
    cairn_fp2 delta = cairn_fp2_one();
    cairn_fp2 d1 = cairn_fp2_neg(cairn_fp2_mul(tg[u0], cairn_fp2_inv(tg[u1])));
    if (mode == 1) {
        y[u0] = cairn_fp2_add(y[u0], delta);
        y[u1] = cairn_fp2_add(y[u1], d1);
    }
    if (mode == 2) {
        cairn_fp2 s = y[4];
        y[4] = y[6];
        y[6] = s;
    }
    cairn_transcript t;
    cairn_logup_star_proof proof;
    cairn_logup_star_batch_claims c;
    cairn_fp2 evals[2], alpha, pts[MMAX * NMAX + NMAX], pe[MMAX + 1], qe[MMAX + 1];
    cairn_logup_star_proof_init(&proof);
    CHECK_OK(blk_bind(b, &t));
    cairn_transcript_absorb_fp2_vec(&t, "test/Y", y, K);
    blk_bind_y(b, y);
    cairn_transcript_absorb_bytes(&t, "logup-batch/y-binding", b->st.y_binding,
                                  b->st.y_binding_len);
    CHECK_OK(cairn_transcript_grind(&proof.nonce, &t, "logup-batch/grind", b->st.grind_bits, 1,
                                    NULL));
    alpha = cairn_transcript_squeeze_fp2(&t, "logup-batch/alpha");
    static const cairn_sumcheck_term term[1] = {{{{1}, {0}}, 2, {0, 1}}};
    static const cairn_sumcheck_expr expr = {term, 1, 2};
    cairn_sumcheck_input in[2] = {{NULL, y, 0}, {NULL, tg, 0}};
    CHECK_OK(cairn_sumcheck_prove(&proof.inner, c.y_points[0], evals, &t, &expr, NULL, in, 2,
                                  b->kappa, b->ch.claim, NULL));
    proof.y_eval = evals[0];
    cairn_transcript_absorb_fp2(&t, "logup-batch/y-eval", proof.y_eval);
    cairn_gkr_instance inst[MMAX + 1];
    for (size_t l = 0; l < m; l++) {
        cairn_fp2 *p = leaf + 2 * l * stride, *q = p + stride;
        for (size_t x = 0; x < rows; x++) {
            p[x] = cairn_fp2_zero();
            for (size_t k = 0; k < P; k++)
                p[x] = cairn_fp2_add(p[x], cairn_fp2_mul(b->ch.nu[l * P + k],
                                                          eq_at(b->z[k], b->n, x)));
            q[x] = cairn_fp2_sub(alpha, cairn_fp2_from_fp(b->index[l][x]));
        }
        inst[l] = (cairn_gkr_instance){b->n, {NULL, p, 0}, {NULL, q, 0}};
    }
    if (mode == 1) {
        leaf[x0] = cairn_fp2_add(leaf[x0], delta);
        leaf[2 * stride + x1] = cairn_fp2_add(leaf[2 * stride + x1], d1);
    }
    cairn_fp2 *pb = leaf + 2 * m * stride, *qb = pb + stride;
    for (size_t u = 0; u < K; u++) {
        pb[u] = cairn_fp2_neg(y[u]);
        size_t row = mode == 2 && (u == 4 || u == 6) ? 10 - u : u;
        qb[u] = cairn_fp2_sub(alpha, cairn_fp2_from_fp(cairn_fp_make(row)));
    }
    inst[m] = (cairn_gkr_instance){b->kappa, {NULL, pb, 0}, {NULL, qb, 0}};
    CHECK_OK(cairn_gkr_prove(&proof.gkr, pts, pe, qe, &t, inst, m + 1, 1, NULL));
    if (mode == 0) {
        cairn_logup_star_proof real;
        cairn_logup_star_proof_init(&real);
        CHECK_OK(blk_prove(&real, &c, b, b->y, b->cindex, 1, NULL));
        size_t len = cairn_logup_star_batch_proof_size(b->n, b->kappa, m);
        uint8_t *e1 = malloc(len), *e2 = malloc(len);
        CHECK_OK(cairn_logup_star_batch_proof_encode(e1, len, &real, b->n, b->kappa, m, NULL));
        CHECK_OK(cairn_logup_star_batch_proof_encode(e2, len, &proof, b->n, b->kappa, m, NULL));
        CHECK_MEM_EQ(e1, e2, len);
        free(e1);
        free(e2);
        cairn_logup_star_proof_clear(&real);
    }
    cairn_status st = blk_verify(&c, &proof, b, y, err);
    cairn_logup_star_proof_clear(&proof);
    free(y);
    free(tg);
    free(leaf);
    return st;
}

static void lookup_batch_forged_leaves(void)
{
    blk b;
    blk_make(&b, 5, 3, 3, 2, 2);
    b.st.grind_bits = 2;
    /* rows 4 and 6 of the table agree in every column (mode 2 needs it) */
    for (size_t cc = 0; cc < b.C; cc++)
        b.col[cc][6] = b.col[cc][4];
    blk_values(&b, b.cindex, OUT_WRAP);
    /* mode 0 is accepted; modes 1 and 2 are rejected by the check each one names */
    static const char *const caught_by[3] = {NULL, "numerator of index column 0",
                                             "table-side denominator"};
    for (int mode = 0; mode < 3; mode++) {
        cairn_error err;
        cairn_status st = forge_verify(&b, mode, &err);
        if (caught_by[mode] == NULL && st != CAIRN_OK)
            FAIL("the replica of the schedule is not accepted: %s", err.msg);
        if (caught_by[mode] != NULL && (st != CAIRN_ERR_REJECTED ||
                                        strstr(err.msg, caught_by[mode]) == NULL))
            FAIL("forged mode %d: status %d, \"%s\"", mode, (int)st, err.msg);
    }
    blk_free(&b);
}

/* ---- statements, errors, security, fuzzing --------------------------------------------- */

static void lookup_batch_errors(void)
{
    blk b;
    blk_make(&b, 3, 2, 2, 2, 2);
    cairn_transcript t;
    cairn_logup_star_batch_statement keep = b.st;
    cairn_transcript_init(&t, "test/logup-batch");
    /* each shape over a limit, and no columns without table_eval: an argument error */
    static const struct {
        size_t n, m, P, C;
        unsigned g;
    } bad[] = {
        {3, 0, 2, 2, 0},
        {3, CAIRN_LOGUP_STAR_MAX_INDEX + 1, 2, 2, 0},
        {3, 2, 0, 2, 0},
        {3, 2, CAIRN_LOGUP_STAR_MAX_POINTS + 1, 2, 0},
        {3, 2, 2, 0, 0},
        {3, 2, 2, CAIRN_LOGUP_STAR_MAX_COLUMNS + 1, 0},
        {CAIRN_GKR_MAX_VARS + 1, 2, 2, 2, 0},
        {3, 2, 2, 2, CAIRN_TRANSCRIPT_MAX_POW_BITS + 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        b.st = keep;
        b.st.n = bad[i].n;
        b.st.index_len = bad[i].m;
        b.st.points_len = bad[i].P;
        b.st.cols_len = bad[i].C;
        b.st.grind_bits = bad[i].g;
        if (cairn_logup_star_batch_bind(&b.ch, &t, &b.st, NULL) != CAIRN_ERR_ARG)
            FAIL("statement %zu over the limits is not an argument error", i);
    }
    b.st = keep;
    b.st.columns = NULL;
    CHECK_STATUS(cairn_logup_star_batch_bind(&b.ch, &t, &b.st, NULL), CAIRN_ERR_ARG);
    b.st.table_eval = byte_fn_eval;
    CHECK_OK(cairn_logup_star_batch_bind(&b.ch, &t, &b.st, NULL));
    cairn_logup_star_proof proof;
    cairn_logup_star_batch_claims c;
    cairn_logup_star_proof_init(&proof);
    /* the prover needs the columns, even with table_eval */
    CHECK_STATUS(cairn_logup_star_batch_prove(&proof, &c, &t, &b.st, &b.ch, b.cindex, b.y, 1,
                                              NULL),
                 CAIRN_ERR_ARG);
    b.st = keep;
    const cairn_fp *missing[2] = {b.cindex[0], NULL};
    CHECK_STATUS(cairn_logup_star_batch_pushforward(b.y, &b.st, &b.ch, missing, 1, NULL),
                 CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_logup_star_batch_prove(&proof, &c, &t, &b.st, &b.ch, missing, b.y, 1,
                                              NULL),
                 CAIRN_ERR_ARG);
    cairn_logup_star_proof_clear(&proof);
    blk_free(&b);
}

/*
 * The soundness terms of docs/security.md §6 for the lean row's use
 * (kappa = 16, m = 18, n = 20 .. 30) against their closed forms, and the
 * worked figure at n = 30.
 */
static void lookup_batch_security(void)
{
    long double lf = 2.0L * log2l((long double)CAIRN_FP_P);
    for (size_t n = 20; n <= 30; n++) {
        double b = cairn_logup_star_batch_bits(n, 16);
        CHECK(fabsl((long double)b - (lf - log2l(2.0L + (long double)n + 1.0L + 32.0L))) < 1e-9);
    }
    /* n = 30: (2 + 31 + 32)/|F| = 65/|F| */
    CHECK(fabs(cairn_logup_star_batch_bits(30, 16) - 121.978) < 0.001);
    /* the lookup term with m = 18 columns of 2^30 rows and K = 2^16, ground to 102 bits */
    double L = 18.0 * ldexp(1.0, 30), T = ldexp(1.0, 16);
    unsigned g = cairn_gkr_lookup_grind_bits(L, T, 0, 102.0);
    CHECK_EQ_U64(g, 10);
    CHECK(cairn_gkr_lookup_bits(L, T, 0, g) >= 102.0);
    CHECK(cairn_gkr_lookup_bits(L, T, 0, g - 1) < 102.0);
    CHECK(fabs(cairn_gkr_lookup_bits(L, T, 0, 0) - 92.83) < 0.005);
}

int cairn_fuzz_logup_batch_proof(const uint8_t *data, size_t len);

/* Drive fuzz/fuzz_logup_batch_proof.c with random inputs, mostly edits of honest proofs. */
static void lookup_batch_fuzz_inprocess(void)
{
    unsigned long violations = test_fuzz_random(cairn_fuzz_logup_batch_proof, 1024, 12);
    CHECK_EQ_U64(violations, 0);
    uint8_t h[2];
    for (unsigned s = 0; s < 256; s += 7) {
        h[0] = (uint8_t)s;
        h[1] = 1; /* the unedited honest proof */
        if (cairn_fuzz_logup_batch_proof(h, 2) != 0)
            FAIL("fuzz target: the honest proof of shape byte %u is not accepted", s);
    }
    CHECK(cairn_fuzz_logup_batch_proof(NULL, 0) == 0);
}

/*
 * Phase B binds Y itself: without a binding prove and verify refuse to
 * run, and a proof made for one binding is rejected under another (alpha
 * depends on it), so a prover cannot choose Y after alpha.
 */
static void lookup_batch_requires_y_binding(void)
{
    blk b;
    blk_make(&b, 6, 4, 2, 2, 2);
    cairn_error err;
    cairn_logup_star_proof proof;
    cairn_logup_star_batch_claims c;
    cairn_logup_star_proof_init(&proof);
    cairn_transcript t;
    CHECK_OK(blk_bind(&b, &t));
    CHECK_OK(cairn_logup_star_batch_pushforward(b.y, &b.st, &b.ch, b.cindex, 1, &err));
    b.st.y_binding = NULL;
    cairn_transcript t2 = t;
    CHECK_STATUS(cairn_logup_star_batch_prove(&proof, &c, &t2, &b.st, &b.ch, b.cindex, b.y, 1,
                                              NULL),
                 CAIRN_ERR_ARG);
    t2 = t;
    CHECK_STATUS(cairn_logup_star_batch_verify(&c, &t2, &proof, &b.st, &b.ch, NULL), CAIRN_ERR_ARG);
    CHECK_OK(blk_prove(&proof, &c, &b, b.y, b.cindex, 1, &err));
    CHECK_OK(blk_verify(&c, &proof, &b, b.y, &err));
    /* the same proof under another binding of the same Y */
    cairn_transcript tv;
    cairn_logup_star_batch_challenges ch;
    cairn_transcript_init(&tv, "test/logup-batch");
    CHECK_OK(cairn_logup_star_batch_bind(&ch, &tv, &b.st, &err));
    cairn_transcript_absorb_fp2_vec(&tv, "test/Y", b.y, (size_t)1 << b.kappa);
    b.ybind[0] ^= 1;
    CHECK_STATUS(cairn_logup_star_batch_verify(&c, &tv, &proof, &b.st, &ch, NULL),
                 CAIRN_ERR_REJECTED);
    cairn_logup_star_proof_clear(&proof);
    blk_free(&b);
}

const struct test_case test_gkr_lookup_cases[] = {
    TEST(lookup_batch_requires_y_binding),
    TEST(lookup_batch_honest),
    TEST(lookup_batch_threads_same_bytes),
    TEST(lookup_batch_stream_same_bytes),
    TEST(lookup_batch_rows_same_bytes),
    TEST(lookup_batch_rows_errors),
    TEST(lookup_batch_table_eval),
    TEST(lookup_batch_codec),
    TEST(lookup_batch_tamper),
    TEST(lookup_batch_wrong_value),
    TEST(lookup_batch_out_of_table),
    TEST(lookup_batch_wrong_pushforward),
    TEST(lookup_batch_swapped_columns),
    TEST(lookup_batch_forged_leaves),
    TEST(lookup_batch_errors),
    TEST(lookup_batch_security),
    TEST(lookup_batch_fuzz_inprocess),
    TEST_END,
};
