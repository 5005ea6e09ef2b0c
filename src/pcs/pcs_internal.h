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

#define PCS_LABEL_COMMITMENT "cairn-pcs/commitment"
#define PCS_LABEL_POINTS "cairn-pcs/points"
#define PCS_LABEL_POINT "cairn-pcs/point"
#define PCS_LABEL_EVALS "cairn-pcs/evals"
#define PCS_LABEL_ALPHA "cairn-pcs/alpha"
#define PCS_LABEL_BETA "cairn-pcs/beta"
#define PCS_LABEL_VECTORS "cairn-pcs/vectors"
#define PCS_LABEL_POW "cairn-pcs/pow"
#define PCS_LABEL_QUERIES "cairn-pcs/queries"

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

/* Fill d from valid parameters p. */
void pcs_dims_of(pcs_dims *d, const cairn_pcs_params *p);

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

static inline void pcs_store_le64(uint8_t *out, uint64_t v)
{
    for (unsigned i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (8 * i));
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
