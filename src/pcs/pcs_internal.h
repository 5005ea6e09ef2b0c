/*
 * pcs_internal.h — the contract shared by the files of src/pcs/.
 *
 * params.c   parameter choice, the security function, parameter codec
 * commit.c   streaming committer (one running SHA-256 per codeword column)
 * open.c     prover passes (vectors, queried columns), evaluation pass
 * verify.c   verifier
 * codec.c    commitment and opening byte formats, strict parsing
 *
 * pcs_dims holds the derived sizes of a valid parameter set; every size is
 * computed once here, with valid parameters guaranteeing that each product
 * fits in 64 bits (M <= 2^30 * 4096, N <= 2^32).  pcs_fs_begin is the part
 * of the Fiat–Shamir protocol that prover and verifier run identically up to
 * the combination coefficients; the labels are those of docs/pcs.md.
 */
#ifndef CAIRN_PCS_INTERNAL_H
#define CAIRN_PCS_INTERNAL_H

#include <stdint.h>

#include "cairn/ntt.h"
#include "cairn/pcs.h"

_Static_assert(sizeof(size_t) >= 8, "cairn's PCS needs a 64-bit size_t");

/* Largest codeword, log2: the NTT limit. */
#define PCS_MAX_LOG_CODE CAIRN_NTT_MAX_LOG_N

/* Encoded rows buffered before the per-column hashes are updated (64 bytes each). */
#define PCS_HASH_ROWS 8u

/*
 * A packed column hash (cairn_sha256_pack): its chaining value and its
 * pending bytes.  A column absorbs the 1-byte leaf prefix, then 64 bytes
 * (one block) per full buffer, so between flushes exactly one byte is
 * pending; only the last flush, which finishes the hash, may be shorter.
 */
#define PCS_COL_PENDING 1u
#define PCS_COL_BYTES (CAIRN_SHA256_BYTES + PCS_COL_PENDING)
_Static_assert((PCS_HASH_ROWS * CAIRN_FP_BYTES) % CAIRN_SHA256_BLOCK_BYTES == 0,
               "a full flush must leave a column's pending count unchanged");

/*
 * What an opening of a capped level-0 tree holds per column of a bottom
 * subtree it rebuilds (open.c): the column's running leaf hash, then its
 * share of the subtree's 2^(L+1) - 1 nodes (two digests).
 * cairn_pcs_tree_cap weighs it against the tree.
 */
#define PCS_OPEN_SUB_COL_BYTES (CAIRN_SHA256_CTX_BYTES + 2 * CAIRN_SHA256_BYTES)

#define PCS_LABEL_COMMITMENT "cairn-pcs/commitment"
#define PCS_LABEL_POINTS "cairn-pcs/points"
#define PCS_LABEL_POINT "cairn-pcs/point"
#define PCS_LABEL_EVALS "cairn-pcs/evals"
#define PCS_LABEL_ALPHA "cairn-pcs/alpha"
#define PCS_LABEL_BETA "cairn-pcs/beta"
#define PCS_LABEL_VECTORS "cairn-pcs/vectors"
#define PCS_LABEL_POW "cairn-pcs/pow"
#define PCS_LABEL_QUERIES "cairn-pcs/queries"
#define PCS_LABEL_ROOT "cairn-pcs/root"
#define PCS_LABEL_CLAIMS "cairn-pcs/claims"
#define PCS_LABEL_MU "cairn-pcs/mu"
#define PCS_LABEL_FOLD "cairn-pcs/fold-eval"

typedef struct {
    size_t n;  /* variables */
    size_t C;  /* polynomials */
    size_t lc; /* log2 k */
    size_t k;  /* columns of the message matrix */
    size_t m;  /* rows per polynomial */
    size_t M;  /* batch rows = m * C */
    size_t N;  /* codeword length = Merkle leaves */
    size_t t;  /* queries */
    size_t s;  /* repetitions */
    unsigned lb, g;
} pcs_dims;

/* Fill d from valid parameters p (or from a level shape, pcs_level_shape). */
void pcs_dims_of(pcs_dims *d, const cairn_pcs_params *p);

/*
 * C_l, the base polynomials of recursive level l >= 1 for s repetitions and
 * P points: 2 V_l rounded up to a power of two, V_1 = s (P + 1) vectors at
 * level 1 (w_s, u_{s,p}) and V_l = 1 + s above (y, w_s).
 */
size_t pcs_level_polys(size_t s, size_t P, unsigned l);

/*
 * The batch shape of recursive level l (1 .. p->levels) of valid p for an
 * opening at P points: num_vars = n_l, num_polys = C_l, the level's columns,
 * rate, queries and grinding, reps = p->reps, no levels and no security
 * fields.  Only pcs_dims_of and the shape committer read it.
 */
void pcs_level_shape(cairn_pcs_params *out, const cairn_pcs_params *p, unsigned l, size_t P);

/*
 * Commit to the rows of `rows` under a shape that is not checked for
 * security (an inner level's, from pcs_level_shape): cairn_pcs_commit
 * without cairn_pcs_params_check, keeping the full tree (cap 0), which the
 * inner levels' openings read directly.
 */
cairn_status pcs_commit_shape(cairn_pcs_prover *pr, const cairn_pcs_params *shape,
                              const cairn_rows *rows, cairn_error *err);

/*
 * A claim about one extension vector v of a recursive level (K = 2^n
 * entries): sum_x v[x] T(x) = value, where T is a tensor:
 *   PCS_CLAIM_EQ   T(x) = eq(point, x)               (n coordinates)
 *   PCS_CLAIM_POW  T(x) = omega^(query * x), omega the primitive root of
 *                  unity of order 2^log_code: the vector's codeword symbol
 *                  at column `query` of the level below.
 */
enum { PCS_CLAIM_EQ = 1, PCS_CLAIM_POW = 2 };
typedef struct {
    uint32_t vec, kind;
    const cairn_fp2 *point; /* EQ */
    size_t query;           /* POW */
    cairn_fp2 value;
} pcs_claim;

/* The claims handed to one recursive level. */
typedef struct {
    size_t nvec;       /* V: vectors of the level */
    unsigned n;        /* variables of each vector */
    unsigned log_code; /* POW claims: log2 of the codeword length of the level below */
    pcs_claim *claims;
    size_t claims_len;
} pcs_claim_set;

/*
 * Column combinations of one level, shared by prover and verifier: for each
 * query q (t of them) and each combination row g (G of them, coeffs[g*M ..]),
 * out[q*G + g] = sum_R coeffs[g*M + R] cols[q*M + R].
 */
void pcs_column_combos(cairn_fp2 *out, const cairn_fp *cols, size_t t, size_t M,
                       const cairn_fp2 *coeffs, size_t G);

/*
 * The recursive levels of an opening, prover side.  F1 is level 1's table
 * (pcs_level_table of the V_1 level-0 vectors; the function takes it and
 * frees it), already committed in pr1 (shape pcs_level_shape(p, 1, P));
 * claims are level 1's claims with their values (replaced level by level;
 * the caller frees set->claims).  Fills out->inner[0 .. L) and advances t.
 */
cairn_status pcs_inner_prove(cairn_pcs_opening *out, cairn_transcript *t, const cairn_pcs_params *p,
                             size_t P, cairn_fp *F1, const cairn_pcs_prover *pr1,
                             pcs_claim_set *claims, unsigned threads, cairn_error *err);

/*
 * Hash each of the t opened columns (M base elements each) into its leaf and
 * check the Merkle multiproof against root at the queried positions.
 */
cairn_status pcs_check_columns(const cairn_digest *root, const pcs_dims *d, const size_t *idx,
                               const cairn_fp *columns, const cairn_merkle_multiproof *mp,
                               cairn_error *err);

/*
 * Level 0's combination rows, one per vector in the opening's order (for
 * each repetition s: w_s, then u_{s,p}): beta_s, or alpha_{s,c(R)}
 * eq(r_p,row, i(R)); out holds s(P+1) rows of M.
 */
void pcs_level0_coeffs(cairn_fp2 *out, const pcs_dims *d, const cairn_fp2 *alpha,
                       const cairn_fp2 *beta, const cairn_fp2 *eqrow, size_t P);

/*
 * sum_c alpha_s[c] * evals_p[c] over the C polynomials: what the evaluation
 * vector u_{s,p} must give at r_p's column point.
 */
cairn_fp2 pcs_claimed_combo(const pcs_dims *d, const cairn_fp2 *alpha_s, const cairn_fp2 *evals_p);

/*
 * Plain Ligero's evaluation identity for u = u_{s,p}:
 * <u, eq(r_p,col, .)> == pcs_claimed_combo (eqcol_p: the k column eq-values).
 */
int pcs_eval_identity_holds(const pcs_dims *d, const cairn_fp2 *u, const cairn_fp2 *eqcol_p,
                            const cairn_fp2 *alpha_s, const cairn_fp2 *evals_p);

/*
 * Level 1's claims: for each repetition s and point p the EQ claim
 * u_{s,p}(r_p,col) = sum_c alpha_{s,c} v_{p,c}, then for each level-0 query q
 * and vector v the POW claim with value combos[q V + v].  set->claims is
 * allocated (CAIRN_ERR_NOMEM); the points must outlive the set.
 */
cairn_status pcs_level1_claims(pcs_claim_set *set, const pcs_dims *d, const cairn_fp2 *points,
                               size_t P, const cairn_fp2 *alpha, const cairn_fp2 *evals,
                               const cairn_fp2 *combos, const size_t *idx, cairn_error *err);

/*
 * The recursive levels, verifier side: replays the transcript from level
 * 1's claims (with values computed by the caller from the level-0 columns)
 * and accepts (CAIRN_OK) or rejects (CAIRN_ERR_REJECTED naming the level
 * and check).  The opening's shapes must match p (checked by the codec; a
 * mismatch is CAIRN_ERR_ARG).
 */
cairn_status pcs_inner_verify(const cairn_pcs_opening *op, cairn_transcript *t,
                              const cairn_pcs_params *p, size_t P, pcs_claim_set *claims,
                              cairn_error *err);

/* The level-1 vectors as a batch table: F[a + k(c + C i)] (pcs_level_shape's rows, in order). */
cairn_fp *pcs_level_table(const cairn_fp2 *vecs, size_t V, unsigned n, unsigned lc, size_t C);

/* A row source over a contiguous row-major table (rows R at table + R * width). */
void pcs_table_rows(cairn_rows *src, cairn_rows_table *impl, const cairn_fp *table,
                    const cairn_pcs_params *shape);

static inline void pcs_store_le32(uint8_t *out, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        out[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t pcs_load_le32(const uint8_t *in)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < 4; i++)
        v |= (uint32_t)in[i] << (8 * i);
    return v;
}

/* Written out byte by byte so that compilers merge it into one store on little-endian hosts. */
static inline void pcs_store_le64(uint8_t *out, uint64_t v)
{
    out[0] = (uint8_t)v;
    out[1] = (uint8_t)(v >> 8);
    out[2] = (uint8_t)(v >> 16);
    out[3] = (uint8_t)(v >> 24);
    out[4] = (uint8_t)(v >> 32);
    out[5] = (uint8_t)(v >> 40);
    out[6] = (uint8_t)(v >> 48);
    out[7] = (uint8_t)(v >> 56);
}

static inline uint64_t pcs_load_le64(const uint8_t *in)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 8; i++)
        v |= (uint64_t)in[i] << (8 * i);
    return v;
}

/*
 * Absorb the commitment, the points and the claims into t and squeeze
 * alpha (s*C elements, alpha[s*C + c]) and beta (s*M, beta[s*M + R]).
 */
void pcs_fs_begin(cairn_transcript *t, const cairn_pcs_commitment *com, const cairn_fp2 *points,
                  size_t points_len, const cairn_fp2 *evals, cairn_fp2 *alpha, cairn_fp2 *beta,
                  const pcs_dims *d);

/*
 * Check the caller's arguments common to open and verify (points_len range,
 * evals_len == P*C, non-NULL arrays); CAIRN_ERR_ARG naming the problem.
 */
cairn_status pcs_check_claims(const pcs_dims *d, const cairn_fp2 *points, size_t points_len,
                              const cairn_fp2 *evals, size_t evals_len, cairn_error *err);

/*
 * The table eq(r_p[lc .. n), i) for i < m (rows) or eq(r_p[0 .. lc), j) for
 * j < k (columns), for each of the P points: out[p*len + i].  Returns NULL
 * when the allocation fails.
 */
cairn_fp2 *pcs_eq_tables(const pcs_dims *d, const cairn_fp2 *points, size_t points_len,
                         int rows);

/* Extension vector v (k elements) encoded: enc[j] for j < N (c0 and c1 encoded separately). */
cairn_status pcs_encode_fp2(cairn_fp2 *enc, cairn_fp *scratch, const cairn_fp2 *v,
                            const pcs_dims *d, cairn_error *err);

/*
 * The prover with the two passes on possibly different row sources: the
 * vectors from vec_rows, the queried columns from col_rows.  check_claims = 0
 * skips the check that the claims match the vectors.  cairn_pcs_open is
 * (rows, rows, 1); the tests use the other settings to play a cheating
 * prover.
 */
cairn_status pcs_open_impl(cairn_pcs_opening *out, cairn_transcript *t, const cairn_pcs_prover *pr,
                           const cairn_rows *vec_rows, const cairn_rows *col_rows,
                           const cairn_fp2 *points, size_t points_len, const cairn_fp2 *evals,
                           size_t evals_len, int check_claims, cairn_error *err);

/*
 * A cheating prover, for the tests only (mode 0, the default, is honest):
 *   1  at recursive level `level`, add 1 to entry `entry % k` of the fold y
 *      before committing (or sending) it, then go on honestly;
 *   2  the same on the first proximity vector w_0;
 *   3  add 1 to entry `entry % (V k)` of level 1's input vectors (the level-0
 *      w_s and u_{s,p}) before committing them;
 *   4  at level `level`, send the folded value plus 1;
 *   5  at level `level`, change two entries of the fold y so that y(z) keeps
 *      the folded value (only the column checks can see it); mode 1 when
 *      the level's rows have a single entry;
 *   6  the table committed for level `level` (2 .. L) has one row whose
 *      codeword differs from the code in every even position (more than d/2
 *      of them), opened consistently with that commitment.
 * Every mode must be rejected by the verifier.  Not thread safe: set it only
 * around a single-threaded test's open.
 */
typedef struct {
    unsigned mode, level;
    size_t entry;
} pcs_cheat_cfg;
extern pcs_cheat_cfg pcs_cheat;

/*
 * Test hook: the fewest vector entries of one chunk of the opening's first
 * pass (open.c, 16 when 0); tests set 1 so that short rows are cut into
 * many chunks (the bytes must not change).
 */
extern size_t pcs_vec_chunk_min;

/* ceil(log2 x) for x >= 1 (exact for powers of two, such as C_l). */
static inline unsigned pcs_ceil_log2(uint64_t x)
{
    unsigned r = 0;
    while (((uint64_t)1 << r) < x)
        r++;
    return r;
}

/* Checked a * b; 0 on overflow with *ok cleared. */
static inline uint64_t pcs_mul_checked(uint64_t a, uint64_t b, int *ok)
{
    if (a != 0 && b > UINT64_MAX / a) {
        *ok = 0;
        return 0;
    }
    return a * b;
}

#endif /* CAIRN_PCS_INTERNAL_H */
