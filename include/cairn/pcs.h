/*
 * cairn/pcs.h — the streaming recursive tensor multilinear polynomial
 * commitment over Goldilocks (Ligero at level 0, Ligerito-style recursion
 * above it): streaming commit, batch openings at one or more
 * extension-field points, streaming openings, automatic parameters with a
 * proven security bound, verifier, strict serialisation.
 *
 * Levels.  Level 0 is the interleaved Reed–Solomon commitment below.  An
 * opening of level 0 produces s(P+1) extension vectors of k elements (the
 * proximity combinations w_s and the evaluation combinations u_{s,p}).
 * With params.levels = 0 they are sent in clear (plain Ligero).  With
 * levels = L >= 1 they are committed again, as a smaller batch of
 * base-field polynomials (each vector split into its two coordinates), and
 * every check the verifier would have made on them becomes a claim
 * <vector, tensor> = value, proven at level 1 by one sum-check into a
 * folded vector, which level 2 commits, and so on; level L sends its
 * folded vectors in clear.  docs/pcs.md gives the protocol byte for byte,
 * docs/security.md every term of its proven soundness error.
 *
 * The byte formats, transcript labels, passes and memory are specified in
 * docs/pcs.md; the security arithmetic, term by term, in docs/security.md.
 *
 * Objects.  A *batch* is C = num_polys multilinear polynomials f_0 .. f_{C-1},
 * each given by its table of 2^n base-field values (n = num_vars, 0..30,
 * table order of cairn/poly.h: entry j = sum_i b_i 2^i, variable 0 = least
 * significant bit).  Each table is read as an m x k matrix, k = 2^log_cols
 * columns, m = 2^(n - log_cols) rows, entry (i, col) = f_c[i*k + col]: the low
 * log_cols variables index the column, the high ones the row.  The batch
 * matrix has M = m*C rows ordered row-major over (row i, polynomial c):
 *     batch row R = i*C + c  is  f_c[i*k .. i*k + k).
 * So a prover holding the witness in cycle order emits, for each block of k
 * cycles i, one row per polynomial.  Each batch row is Reed–Solomon encoded
 * (cairn_rs_encode, CAIRN_RS_COEFFS: the row entries are the coefficients)
 * to N = k << log_blowup symbols, and Merkle leaf j (j < N) is
 *     SHA-256(0x00 || le64(U_0[j]) || le64(U_1[j]) || ... || le64(U_{M-1}[j]))
 * where U_R is the codeword of batch row R.  The commitment is the Merkle
 * root plus the parameters.
 *
 * Every batch row source handed to these functions (cairn_rows) must have
 * width == k and rows_len == M (else CAIRN_ERR_ARG) and deliver exactly the
 * rows above; the same source may be streamed any number of times.
 *
 * Points.  An opening point r has n extension coordinates in the project's
 * variable order: r[0 .. log_cols) bind the column variables and
 * r[log_cols .. n) the row variables.  A call with P points passes them as
 * one array points[p*n + v] (p < P, v < n) and the claimed evaluations as
 * evals[p*C + c] = f_c(r_p).
 *
 * Threads: every function here runs on the calling thread, except grinding,
 * which uses cairn_pcs_prover.threads threads.  Distinct objects may be used
 * from distinct threads concurrently.
 */
#ifndef CAIRN_PCS_H
#define CAIRN_PCS_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"
#include "cairn/field.h"
#include "cairn/merkle.h"
#include "cairn/rows.h"
#include "cairn/sha256.h"
#include "cairn/sumcheck.h"
#include "cairn/transcript.h"

/* Largest number of variables of a committed polynomial. */
#define CAIRN_PCS_MAX_VARS 30u
/* Largest number of polynomials in one batch. */
#define CAIRN_PCS_MAX_POLYS 4096u
/* Largest number of points in one opening. */
#define CAIRN_PCS_MAX_POINTS 64u
/* Largest security target accepted, and the largest proximity repetition count. */
#define CAIRN_PCS_MAX_TARGET_BITS 256u
#define CAIRN_PCS_MAX_REPS 4u
/* Largest grinding difficulty accepted in parameters. */
#define CAIRN_PCS_MAX_GRINDING_BITS 40u
/* Default target, rate and grinding. */
#define CAIRN_PCS_DEFAULT_TARGET_BITS 100u
#define CAIRN_PCS_DEFAULT_LOG_BLOWUP 2u
#define CAIRN_PCS_DEFAULT_GRINDING_BITS 16u
/* Default cap on log2 of the number of columns (commit memory ~ 100 * k/rho bytes). */
#define CAIRN_PCS_DEFAULT_MAX_LOG_COLS 18u
/* Largest number of recursive levels above level 0. */
#define CAIRN_PCS_MAX_LEVELS 4u
/* Encoded sizes of the parameter block and of a commitment. */
#define CAIRN_PCS_PARAMS_BYTES (4u * (10u + 4u * CAIRN_PCS_MAX_LEVELS))
#define CAIRN_PCS_COMMITMENT_BYTES (CAIRN_PCS_PARAMS_BYTES + CAIRN_SHA256_BYTES)

/* ---- parameters ------------------------------------------------------- */

/*
 * The shape of one recursive level l >= 1.  Its vectors have
 * n_l = log_cols of level l-1 variables; each is split into its two
 * coordinates, and the base polynomials of the level's batch (2 V_l of them,
 * padded with zero polynomials to a power of two C_l) are committed as a
 * level-0 batch would be, with these columns, rate, queries and grinding.
 */
typedef struct {
    uint32_t log_cols;      /* log2 k_l, < n_l */
    uint32_t log_blowup;    /* log2 (1/rho_l) */
    uint32_t queries;       /* t_l */
    uint32_t grinding_bits; /* g_l */
} cairn_pcs_level_params;

/*
 * The parameters of one batch.  All fields are part of the commitment and of
 * every opening (docs/pcs.md, "parameter block").  Derived quantities:
 *   k = 2^log_cols, m = 2^(num_vars - log_cols), M = m * num_polys rows,
 *   N = k << log_blowup codeword symbols = Merkle leaves, rate rho = 2^-log_blowup.
 * A valid parameter set (cairn_pcs_params_check) has
 *   num_vars <= 30, 1 <= num_polys <= CAIRN_PCS_MAX_POLYS, log_cols <= num_vars,
 *   log_cols + log_blowup <= 32 (the NTT limit), levels <= CAIRN_PCS_MAX_LEVELS,
 *   1 <= log_blowup <= 4, 1 <= queries <= N, grinding_bits <= 40,
 *   1 <= reps <= CAIRN_PCS_MAX_REPS, 1 <= target_bits <= 256,
 *   achieved_bits = floor(cairn_pcs_params_security(p)) >= target_bits,
 * and for each inner level l = 1 .. levels (inner[l-1]): log_cols <
 * n_l, 1 <= log_blowup <= 4, log_cols + log_blowup <= 32, 1 <= queries <=
 * N_l, grinding_bits <= 40; the unused entries of inner[] all zero.
 * queries == N means every column is opened (then the query term is zero).
 */
typedef struct {
    uint32_t num_vars;      /* n: each polynomial has 2^n evaluations */
    uint32_t num_polys;     /* C: polynomials in the batch */
    uint32_t log_cols;      /* log2 k */
    uint32_t log_blowup;    /* log2 (1/rho) */
    uint32_t queries;       /* t: distinct columns opened */
    uint32_t grinding_bits; /* g: proof-of-work bits before the queries */
    uint32_t reps;          /* s: independent proximity / combination repetitions */
    uint32_t target_bits;   /* the lambda asked for */
    uint32_t achieved_bits; /* floor of the proven bits of these parameters */
    uint32_t levels;        /* L: recursive levels above level 0 (0 = plain Ligero) */
    cairn_pcs_level_params inner[CAIRN_PCS_MAX_LEVELS]; /* levels 1 .. L */
} cairn_pcs_params;

/*
 * Choices for cairn_pcs_params_choose.  cairn_pcs_options_init sets the
 * defaults: target 100 bits, every other field "automatic".
 */
typedef struct {
    unsigned target_bits;   /* lambda, 1..256 (default 100) */
    unsigned log_blowup;    /* 0 = default (2, rate 1/4), else 1..4 */
    int log_cols;           /* -1 = automatic, else 0..num_vars */
    unsigned queries;       /* 0 = the fewest that meet the target */
    int grinding_bits;      /* -1 = default (16; 0 when all columns are opened) */
    unsigned reps;          /* 0 = the fewest that meet the target, else 1..4 */
    unsigned max_log_cols;  /* cap on automatic log_cols; 0 = default 18 */
    int levels;             /* -1 = automatic (the smallest opening), else 0..CAIRN_PCS_MAX_LEVELS */
    unsigned points_hint;   /* points the openings will have, for the size estimate (0 = 1) */
} cairn_pcs_options;

/* Fill opt with the defaults above. */
void cairn_pcs_options_init(cairn_pcs_options *opt);

/*
 * Choose the parameters of a batch of num_polys polynomials in num_vars
 * variables (0 <= num_vars <= 30, 1 <= num_polys <= CAIRN_PCS_MAX_POLYS)
 * from opt (NULL = defaults).  Automatic fields are chosen as follows:
 * for every candidate shape log_cols (0 .. min(num_vars, max_log_cols)) and
 * repetition count, queries = the smallest t for which the proven bound
 * meets the target, and the candidate with the smallest estimated opening
 * (cairn_pcs_opening_size_estimate with one point) wins, ties to the
 * smaller log_cols.  Every num_vars works: when the query term cannot
 * reach the target with fewer, t = N - D + 1 columns are opened, which
 * hits every possible bad set (the query term is then exactly zero) and
 * grinding is dropped.  CAIRN_ERR_ARG for arguments out of range;
 * CAIRN_ERR_LIMIT when the overrides make the target unreachable (the
 * message says which term falls short).  *out is valid on CAIRN_OK.
 */
cairn_status cairn_pcs_params_choose(cairn_pcs_params *out, unsigned num_vars, size_t num_polys,
                                     const cairn_pcs_options *opt, cairn_error *err);

/*
 * The proven security of p in bits, -log2(eps) with
 *     eps = (N / |F|)^s + |F|^-s + 2^-g * Q(N, D, t),
 * |F| = p^2 (the challenge field), s = reps, g = grinding_bits, D =
 * ceil((N - k + 1) / 2) and Q(N, D, t) = prod_{i<t} (N - D - i) / (N - i)
 * (zero when t > N - D): the chance that t distinct uniform columns all miss
 * a set of D columns.  Q <= ((1 + rho) / 2)^t.  docs/security.md derives
 * every term.  Reads num_vars, log_cols, log_blowup, queries,
 * grinding_bits, reps only; returns 0 for shapes outside the valid ranges.
 */
double cairn_pcs_params_security(const cairn_pcs_params *p);

/*
 * CAIRN_OK when p is a valid parameter set (the list above), else
 * CAIRN_ERR_ARG naming the first violated condition.
 */
cairn_status cairn_pcs_params_check(const cairn_pcs_params *p, cairn_error *err);

/*
 * An estimate of the encoded opening size in bytes for points_len points
 * (exact except for the Merkle sibling count, estimated as
 * t * (ceil(log2 N) - floor(log2 t)) capped at N - t).  0 for invalid p.
 */
uint64_t cairn_pcs_opening_size_estimate(const cairn_pcs_params *p, size_t points_len);

/* The parameter block, CAIRN_PCS_PARAMS_BYTES: the ten fields as le32 in declaration order. */
void cairn_pcs_params_encode(uint8_t out[CAIRN_PCS_PARAMS_BYTES], const cairn_pcs_params *p);

/*
 * Parse a parameter block from untrusted bytes: exactly
 * CAIRN_PCS_PARAMS_BYTES, and the result must pass cairn_pcs_params_check;
 * otherwise CAIRN_ERR_PARSE with the reason.
 */
cairn_status cairn_pcs_params_decode(cairn_pcs_params *out, const uint8_t *in, size_t in_len,
                                     cairn_error *err);

/* ---- commitments -------------------------------------------------------- */

typedef struct {
    cairn_pcs_params params;
    cairn_digest root;
} cairn_pcs_commitment;

/* params block || root (CAIRN_PCS_COMMITMENT_BYTES bytes). */
void cairn_pcs_commitment_encode(uint8_t out[CAIRN_PCS_COMMITMENT_BYTES],
                                 const cairn_pcs_commitment *com);

/*
 * Parse a commitment from untrusted bytes (exactly CAIRN_PCS_COMMITMENT_BYTES,
 * valid parameters), else CAIRN_ERR_PARSE.  A verifier must still compare
 * the parameters with those it expects (e.g. achieved_bits >= its own
 * target, num_vars and num_polys as in its statement).
 */
cairn_status cairn_pcs_commitment_decode(cairn_pcs_commitment *out, const uint8_t *in,
                                         size_t in_len, cairn_error *err);

/*
 * What the prover keeps between commit and open: the commitment and the
 * Merkle tree over the N leaf digests, from its cap tree.cap up (64 * N
 * bytes for the full tree, 64 * N / 2^cap capped; the matrix itself is not
 * kept).  A level-0 commitment is capped by default (cairn_pcs_tree_cap):
 * the opening rebuilds the bottom subtrees of its queried columns from the
 * rows it streams anyway.  threads (default 1) is used for grinding.
 */
typedef struct {
    cairn_pcs_commitment com;
    cairn_merkle_tree tree;
    unsigned threads;
} cairn_pcs_prover;

/* An empty prover (no tree). */
void cairn_pcs_prover_init(cairn_pcs_prover *pr);

/* Free the tree; back to the empty state. Safe on NULL and after a failed commit. */
void cairn_pcs_prover_clear(cairn_pcs_prover *pr);

/*
 * Push-style streaming commit.  begin, then absorb the M batch rows in order
 * in any number of pieces, then finish.  Memory: N running SHA-256 hashes
 * kept packed (33 bytes each: a chaining value and one pending byte, against
 * one shared context), a buffer of 8 rows (8 * k elements) and the codeword
 * symbols of one coset of them (8 * k elements): 33 * N + 128 * k bytes,
 * independent of m.  A full buffer is encoded coset by coset and hashed on
 * the library's thread pool (cairn/pool.h).  finish turns each column's
 * hash into its leaf digest in place and each aligned run of 2^cap leaves
 * into its bottom subtree's root, and keeps only the tree's levels from
 * cap up.  The fields are private.
 */
typedef struct {
    cairn_pcs_params params;
    uint64_t rows_done;     /* batch rows absorbed so far */
    size_t k, n_code;       /* row width, codeword length */
    uint64_t rows_total;    /* M */
    uint8_t *cols;          /* N packed leaf hashes, coset-major (src/pcs/commit.c) */
    cairn_sha256_ctx tmpl;  /* has absorbed as many bytes as every column */
    cairn_fp *buf;          /* pending rows, row-major, unencoded: row r at buf[r*k .. r*k + k) */
    cairn_fp *code;         /* one coset of their codewords: row r's k symbols at code[r*k ..) */
    unsigned pending;       /* rows waiting in buf (< 8) */
    unsigned cap;           /* the lowest level of the tree finish keeps (0: the full tree) */
} cairn_pcs_committer;

/* Asks cairn_pcs_committer_begin_capped and cairn_pcs_commit_capped for cairn_pcs_tree_cap. */
#define CAIRN_PCS_CAP_AUTO UINT32_MAX

/*
 * The cap a level-0 commitment under valid params keeps its tree from by
 * default: the L in 0 .. log2 N that holds the fewest bytes, counting the
 * capped tree (2 (N >> L) - 1 digests, kept until the opening) and what
 * the opening adds to rebuild the bottom subtrees of its t queried columns
 * (at most min(t, N >> L) subtrees of 2^L columns, 176 bytes a column: a
 * running SHA-256 context and the subtree's nodes); ties go to the lower L.
 * For N = 2^20 and t = 129 that is L = 6: a 1 MiB tree, 1.4 MiB while
 * opening.  A pure function of the parameters.
 */
unsigned cairn_pcs_tree_cap(const cairn_pcs_params *params);

/*
 * The most bytes a commitment under valid params with its default cap L
 * (cairn_pcs_tree_cap) holds at once (beyond its row source): the
 * committer's packed column hashes and row buffers (33 * N + 128 * k, the
 * leaf digests finished in place) with, at the end, the N >> L subtree
 * roots (32 * N / 2^L); or, after the committer is freed, the roots and the
 * capped tree being built (32 * N / 2^L + 64 * N / 2^L).  Whichever is
 * larger: at rate 1/4, 65 * N + 32 * N / 2^L bytes (65.5 MiB for
 * k = 2^18, L = 6; 97 * N with the full tree, L = 0).  The capped tree
 * (64 * N / 2^L, 1 MiB) stays with the prover afterwards.
 */
uint64_t cairn_pcs_commit_memory(const cairn_pcs_params *params);

/* An empty committer; clear is then a no-op. */
void cairn_pcs_committer_init(cairn_pcs_committer *cm);

/* Free everything; back to the empty state. Safe on NULL. */
void cairn_pcs_committer_clear(cairn_pcs_committer *cm);

/*
 * Start a commitment under params (which must pass cairn_pcs_params_check,
 * else CAIRN_ERR_ARG) whose tree will be kept from the default cap up
 * (cairn_pcs_tree_cap).  Allocates the per-column state (CAIRN_ERR_NOMEM).
 */
cairn_status cairn_pcs_committer_begin(cairn_pcs_committer *cm, const cairn_pcs_params *params,
                                       cairn_error *err);

/*
 * The same with the tree kept from level cap up: 0 keeps the full tree,
 * log2 N only the root, CAIRN_PCS_CAP_AUTO the default.  A cap above
 * log2 N is CAIRN_ERR_ARG.  The commitment does not depend on the cap.
 */
cairn_status cairn_pcs_committer_begin_capped(cairn_pcs_committer *cm,
                                              const cairn_pcs_params *params, unsigned cap,
                                              cairn_error *err);

/*
 * Absorb the next whole batch rows: elems[0 .. elems_len) holds
 * elems_len / k rows back to back.  elems_len must be a multiple of k and
 * must not take the total past M (else CAIRN_ERR_ARG, nothing absorbed).
 */
cairn_status cairn_pcs_committer_absorb(cairn_pcs_committer *cm, const cairn_fp *elems,
                                        size_t elems_len, cairn_error *err);

/*
 * Finish: every one of the M rows must have been absorbed (else
 * CAIRN_ERR_ARG).  Builds the tree, capped at the committer's cap, into
 * pr (replacing what it held) and fills pr->com.  The committer is cleared
 * either way, its column states and buffer before the tree is built (so
 * they and the tree are never held at once).
 */
cairn_status cairn_pcs_committer_finish(cairn_pcs_prover *pr, cairn_pcs_committer *cm,
                                        cairn_error *err);

/*
 * Commit to the batch rows of `rows` (width k, M rows) in one streamed pass:
 * the same as begin / absorb every chunk / finish.
 */
cairn_status cairn_pcs_commit(cairn_pcs_prover *pr, const cairn_pcs_params *params,
                              const cairn_rows *rows, cairn_error *err);

/* cairn_pcs_commit with the tree kept from level cap up (as cairn_pcs_committer_begin_capped). */
cairn_status cairn_pcs_commit_capped(cairn_pcs_prover *pr, const cairn_pcs_params *params,
                                     const cairn_rows *rows, unsigned cap, cairn_error *err);

/*
 * A row source presenting C in-memory tables polys[c][0 .. 2^n) as the batch
 * rows of params (row R = i*C + c is polys[c] + i*k).  Each row is
 * delivered as its own chunk, pointing into the caller's table (no copy).
 * The tables (and the polys array) must outlive the source; impl is
 * caller-owned storage.  This is the in-memory prover's source.
 */
typedef struct {
    const cairn_fp *const *polys;
    size_t polys_len;
    size_t k;
} cairn_pcs_polys_rows;

void cairn_pcs_polys_rows_init(cairn_rows *src, cairn_pcs_polys_rows *impl,
                               const cairn_pcs_params *params, const cairn_fp *const *polys);

/* ---- stacked layout: polynomials of different sizes in one batch ---------- */

/* Largest number of groups in a stacked layout. */
#define CAIRN_PCS_MAX_GROUPS 64u

/* A group of a stacked layout: count polynomials of 2^num_vars evaluations each. */
typedef struct {
    unsigned num_vars;
    size_t count;
} cairn_pcs_group;

/*
 * A stacked layout (docs/pcs.md §9): several groups of polynomials of
 * different sizes committed as one batch of num_polys "slots" of
 * 2^num_vars evaluations, num_vars = the largest n_g.  Polynomial j of
 * group g (j < count) sits in slot first_slot[g] + j / 2^(n - n_g), in the
 * block b = j mod 2^(n - n_g) of it: slot entries [b 2^n_g, (b+1) 2^n_g).
 * Blocks no polynomial fills are zero.  So f_j(r) = slot(r || bits(b)), and
 * the claims f_j(r) = v_j of all members of a group at one point r become
 * one claim per slot at the lifted point (r || rho) for a random rho:
 * slot(r || rho) = sum_b eq(rho, b) v_{member(b)}.
 */
typedef struct {
    unsigned num_vars;
    size_t num_polys;
    size_t groups_len;
    cairn_pcs_group groups[CAIRN_PCS_MAX_GROUPS];
    size_t first_slot[CAIRN_PCS_MAX_GROUPS];
    size_t first_poly[CAIRN_PCS_MAX_GROUPS]; /* index of the group's first member overall */
} cairn_pcs_stack;

/*
 * Lay out groups[0 .. groups_len) (1 .. CAIRN_PCS_MAX_GROUPS groups, each
 * 1 .. CAIRN_PCS_MAX_POLYS polynomials of at most CAIRN_PCS_MAX_VARS
 * variables, at most CAIRN_PCS_MAX_POLYS slots in all), else CAIRN_ERR_ARG
 * naming the group.  Groups keep their order; the batch's parameters are
 * then chosen for (st->num_vars, st->num_polys).
 */
cairn_status cairn_pcs_stack_init(cairn_pcs_stack *st, const cairn_pcs_group *groups,
                                  size_t groups_len, cairn_error *err);

/*
 * A row source presenting the stacked batch of params (which must have
 * num_vars = st->num_vars and num_polys = st->num_polys) from in-memory
 * tables: polys[i] is member i overall (group by group, in order), of
 * 2^n_g evaluations.  impl is caller-owned; it holds one row of scratch
 * (CAIRN_ERR_NOMEM from cairn_pcs_stack_rows_init); the tables must
 * outlive the source; cairn_pcs_stack_rows_clear frees the scratch.
 */
typedef struct {
    const cairn_pcs_stack *st;
    const cairn_fp *const *polys;
    size_t k;
    cairn_fp *row;
} cairn_pcs_stack_rows;

cairn_status cairn_pcs_stack_rows_init(cairn_rows *src, cairn_pcs_stack_rows *impl,
                                       const cairn_pcs_stack *st, const cairn_pcs_params *params,
                                       const cairn_fp *const *polys, cairn_error *err);
void cairn_pcs_stack_rows_clear(cairn_pcs_stack_rows *impl);

/*
 * The same stacked batch with the members of one group, `group`, read from
 * a row source rather than from tables: members has width = that group's
 * count and 2^n_g rows, row x holding entry x of every member (member j in
 * element j), and is only ever streamed; polys gives the other groups'
 * members as above (its entries for group `group` are not read and may be
 * NULL; polys itself may be NULL when the stack has that group alone).
 * The batch rows of group i (rows i*C .. i*C + C-1) need the members'
 * entries [i*k, (i+1)*k) mod 2^n_g, so the source streams
 * `members` in windows of W = min(k, 2^n_g) rows, held as columns:
 * memory k elements from init (CAIRN_ERR_NOMEM) and W * count more
 * during each stream (allocated when it starts, freed when it ends, so
 * that what the caller holds between streams does not meet it;
 * CAIRN_ERR_NOMEM from the stream), whatever 2^n_g.  A stream of the whole batch streams members 2^(n - n_g) times
 * over all its rows when k < 2^n_g (once when the group is the largest),
 * once when k >= 2^n_g (the window is then every row, kept for the whole
 * stream); a stream of a part of the batch, only the windows it needs.  A
 * failure of members ends the stream with its status and message.  The
 * rows are those of cairn_pcs_stack_rows over the members' tables, one row
 * per chunk.  One stream at a time per impl (it owns the window); members,
 * st and the tables must outlive the source; cairn_pcs_stack_src_clear
 * frees the batch row.  CAIRN_ERR_ARG for parameters of another shape, a
 * group out of range, or members of another width or row count.
 */
typedef struct {
    const cairn_pcs_stack *st;
    const cairn_fp *const *polys;
    size_t group;
    const cairn_rows *members;
    size_t k, win;   /* batch row width; member rows per window */
    cairn_fp *buf;   /* during a stream, the window, column-major: member j's rows at buf[j * win ..] */
    cairn_fp *row;   /* one batch row */
} cairn_pcs_stack_src;

cairn_status cairn_pcs_stack_src_init(cairn_rows *src, cairn_pcs_stack_src *impl,
                                      const cairn_pcs_stack *st, const cairn_pcs_params *params,
                                      const cairn_fp *const *polys, size_t group,
                                      const cairn_rows *members, cairn_error *err);
void cairn_pcs_stack_src_clear(cairn_pcs_stack_src *impl);

/*
 * Entries [e0, e0 + len) of slot `slot` of the stacked batch of the member
 * tables polys (as cairn_pcs_stack_rows_init takes them) into out: the
 * slot's table as it is committed, zeros in the blocks no member fills.
 * e0 + len <= 2^st->num_vars.
 */
void cairn_pcs_stack_entries(cairn_fp *out, const cairn_pcs_stack *st,
                             const cairn_fp *const *polys, size_t slot, size_t e0, size_t len);

/*
 * The lifted point of group g: out[0 .. n) = r[0 .. n_g) || rho[0 .. n - n_g).
 * rho must come from the transcript after the members' claimed values are
 * bound (absorbed), as the group's challenge.
 */
void cairn_pcs_stack_lift(cairn_fp2 *out, const cairn_pcs_stack *st, size_t g, const cairn_fp2 *r,
                          const cairn_fp2 *rho);

/*
 * The claim on slot `slot` (of group g, first_slot[g] <= slot < next group's)
 * at the lifted point: sum over its blocks b of eq(rho, b) * values[j],
 * values[j] the claimed f_j(r) of the group's member j (count values).
 */
cairn_fp2 cairn_pcs_stack_slot_claim(const cairn_pcs_stack *st, size_t g, size_t slot,
                                     const cairn_fp2 *values, const cairn_fp2 *rho);

/* ---- openings ------------------------------------------------------------ */

/*
 * What an opening sends for one recursive level l = 1 .. L: the level's
 * sum-check (degree 2, over the n_l + log2 C_l variables of its batch
 * table), the folded table's value at the sum-check's point, then either
 * the root of level l+1 (l < L) or, at the last level, the folded vectors
 * in clear (1 + s vectors of k_l extension elements: y, w_0 .. w_{s-1}),
 * then the level's proof of work, opened columns (t_l columns of M_l base
 * elements, column-major) and Merkle multiproof.  Owned by the opening.
 */
typedef struct {
    cairn_sumcheck_proof sumcheck;
    cairn_fp2 fold_eval;
    cairn_digest next_root; /* l < L */
    cairn_fp2 *vectors;     /* l == L */
    size_t vectors_len;
    uint64_t nonce;
    cairn_fp *columns;
    size_t columns_len;
    cairn_merkle_multiproof merkle;
} cairn_pcs_level_opening;

/*
 * An opening of a batch at P points.  With levels = 0, vectors holds
 * reps * (P + 1) rows of k extension elements, in the order: for each
 * repetition s, the proximity vector w_s, then the evaluation vectors
 * u_{s,0} .. u_{s,P-1}.  With levels >= 1 those vectors are not sent:
 * root1 commits to them (level 1) and inner[0 .. levels) carry the
 * recursive levels.  columns holds the t opened level-0 columns in query
 * order, each M base elements (column-major: columns[q*M + R]).  Owned by
 * the struct.
 */
typedef struct {
    cairn_pcs_params params;
    uint32_t points_len;
    cairn_fp2 *vectors;
    size_t vectors_len; /* levels == 0: reps * (points_len + 1) * k; else 0 */
    cairn_digest root1; /* levels >= 1 */
    uint64_t nonce;
    cairn_fp *columns;
    size_t columns_len; /* queries * M */
    cairn_merkle_multiproof merkle;
    cairn_pcs_level_opening inner[CAIRN_PCS_MAX_LEVELS];
} cairn_pcs_opening;

/* An empty opening; clear is then a no-op. */
void cairn_pcs_opening_init(cairn_pcs_opening *op);

/* Free everything; back to the empty state. Safe on NULL. */
void cairn_pcs_opening_clear(cairn_pcs_opening *op);

/*
 * evals[p*C + c] = f_c(r_p) for the P = points_len points (points as above,
 * P*n coordinates), computed in one pass over rows.  evals_len must be P*C.
 * Memory O(P * (k + m)).  For the caller that does not know its claims yet.
 */
cairn_status cairn_pcs_evaluate(cairn_fp2 *evals, size_t evals_len, const cairn_pcs_params *params,
                                const cairn_rows *rows, const cairn_fp2 *points,
                                size_t points_len, cairn_error *err);

/*
 * Open the batch committed in pr at points_len (1 .. CAIRN_PCS_MAX_POINTS)
 * points, claiming evals (P*C values, evals_len == P*C), as part of the
 * caller's transcript t: the protocol absorbs the commitment, the points and
 * the claims, squeezes the combination coefficients, absorbs the vectors,
 * grinds, squeezes the queries (docs/pcs.md lists every label).  rows must
 * deliver the same batch rows as were committed; they are streamed twice
 * (pass 1: the vectors; pass 2: the queried columns, re-encoding each row,
 * and, when pr's tree is capped at L, the running leaf hashes of every
 * column of the queried columns' bottom subtrees, from which those
 * subtrees are rebuilt for the Merkle proof: the proof's bytes do not
 * depend on L).  CAIRN_ERR_ARG when the claims are not the evaluations of
 * the rows (checked after pass 1) or any argument breaks the contract.
 * out is replaced.  Memory: O(reps * (P+1) * k + reps * M + P * m + N +
 * t * M + t * 2^L).
 */
cairn_status cairn_pcs_open(cairn_pcs_opening *out, cairn_transcript *t,
                            const cairn_pcs_prover *pr, const cairn_rows *rows,
                            const cairn_fp2 *points, size_t points_len, const cairn_fp2 *evals,
                            size_t evals_len, cairn_error *err);

/*
 * Verify an opening of the batch committed in com at the given points with
 * the given claims, replaying the caller's transcript t exactly as
 * cairn_pcs_open did.  com->params must be valid and op->params equal to it
 * and op->points_len == points_len (else CAIRN_ERR_ARG: the caller, not the
 * proof, is inconsistent — a decoded opening always satisfies this).
 * CAIRN_OK when the opening is accepted; CAIRN_ERR_REJECTED naming the first
 * failed check (evaluation identity, proof of work, a column's combination,
 * the Merkle proof).  t is advanced in both cases (after a rejection its
 * state is meaningless); on CAIRN_ERR_ARG it is unchanged.
 */
cairn_status cairn_pcs_verify(const cairn_pcs_commitment *com, cairn_transcript *t,
                              const cairn_fp2 *points, size_t points_len, const cairn_fp2 *evals,
                              size_t evals_len, const cairn_pcs_opening *op, cairn_error *err);

/* ---- serialisation -------------------------------------------------------- */

/* The exact encoded length of op (docs/pcs.md, "opening"). */
size_t cairn_pcs_opening_encoded_len(const cairn_pcs_opening *op);

/* Write op to out[0 .. out_len); out_len must equal cairn_pcs_opening_encoded_len (CAIRN_ERR_ARG). */
cairn_status cairn_pcs_opening_encode(uint8_t *out, size_t out_len, const cairn_pcs_opening *op,
                                      cairn_error *err);

/*
 * Parse an opening from untrusted bytes for the batch with parameters
 * `expected` (the verifier's, e.g. from the commitment; must be valid, else
 * CAIRN_ERR_ARG) at points_len points.  The bytes must be exactly one
 * encoding: the parameter block equal to expected, the point count equal
 * to points_len, every element canonical, the Merkle sibling count within
 * its bound, no trailing bytes.  Any violation: CAIRN_ERR_PARSE naming it;
 * out is then empty.  CAIRN_ERR_NOMEM on allocation failure.
 */
cairn_status cairn_pcs_opening_decode(cairn_pcs_opening *out, const uint8_t *in, size_t in_len,
                                      const cairn_pcs_params *expected, size_t points_len,
                                      cairn_error *err);

#endif /* CAIRN_PCS_H */
