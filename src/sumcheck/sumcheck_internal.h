/*
 * sumcheck_internal.h — the sum-check module's internal contract, shared by
 * core.c (instance state, round kernels, interpolation), prove.c (the
 * in-memory, batched and claim-reduction provers), stream.c (the streaming
 * prover) and verify.c (verifiers and the proof encoding).
 *
 * An sc_inst is one claim being proved.  Its invariants between rounds:
 *   - round = number of variables bound, r_0..r_{round-1} (kept by the driver);
 *   - claim = the running claim c_round of this instance's own sum-check
 *     (unscaled by any batching factor);
 *   - eq_prefix = prod_{i < round} eq(tau_i, r_i) (1 without tau);
 *   - when has_tables, each input c is readable as a table of
 *     len = 2^(n - round) entries, from src_fp[c] (base field, only while
 *     round == 0) or src_fp2[c]; after a fold every input lives in own_fp2[c]
 *     (owned, folded in place).  Without tables (the streaming prover's
 *     passes) only the round state above is maintained.
 * Every allocation of the module goes through sc_alloc/sc_free on an sc_mem,
 * which keeps the current and peak byte counts the streaming prover reports.
 */
#ifndef CAIRN_SUMCHECK_INTERNAL_H
#define CAIRN_SUMCHECK_INTERNAL_H

#include <stddef.h>

#include "cairn/sumcheck.h"

/* Transcript labels (docs/sumcheck.md). */
#define SC_LABEL_VARS      "sumcheck/vars"
#define SC_LABEL_DEGREE    "sumcheck/degree"
#define SC_LABEL_CLAIM     "sumcheck/claim"
#define SC_LABEL_ROUND     "sumcheck/round"
#define SC_LABEL_CHALLENGE "sumcheck/challenge"

/* Points of one kernel evaluation: X = 0, [1], 2, ..., maxpt. */
#define SC_MAX_PTS (CAIRN_SUMCHECK_MAX_DEGREE + 2u)

typedef struct {
    size_t cur, peak;
} sc_mem;

/* Small-value rounds (small.c): at most this many rounds, grids of at most this many points. */
#define SC_SMALL_MAX_ROUNDS 4u
#define SC_SMALL_MAX_GRID   1024u

/* malloc/free that keep mem's counts (mem may be NULL). sc_free(NULL) is a no-op. */
void *sc_alloc(sc_mem *mem, size_t bytes);
void sc_free(sc_mem *mem, void *p, size_t bytes);

/*
 * The evaluation plan of one round: the kernel polynomial (q = s / (eq
 * factor) with tau, s itself without) has degree e and is evaluated at
 * pts[0 .. npts) = 0, [1], 2, ..., e; 1 is included only with tau when it
 * cannot be derived from the running claim (e >= 1 and eq_prefix * tau_i == 0).
 */
typedef struct {
    size_t e;
    size_t npts;
    unsigned pts[SC_MAX_PTS];
    int has_one;
} sc_plan;

typedef struct {
    const cairn_sumcheck_expr *expr;
    const cairn_fp2 *tau;
    size_t n, k, deg_g, degree;
    size_t round;
    cairn_fp2 claim;
    cairn_fp2 eq_prefix;
    sc_mem *mem;
    /* tables */
    int has_tables;
    size_t len;
    const cairn_fp **src_fp;
    const cairn_fp2 **src_fp2;
    cairn_fp **own_fp; /* base tables the instance owns (streaming, j = 0) */
    cairn_fp2 **own_fp2;
    size_t len_own; /* entries of each own_fp2 table */
    /* split-eq tables and scratch, sized at init */
    cairn_fp2 *ea, *eb;
    size_t ea_cap, eb_cap;
    cairn_fp2 *acc;  /* [terms][SC_MAX_PTS] */
    cairn_fp2 *acc2; /* the same, outer level of the split-eq sum */
    cairn_fp2 *vals; /* [k][SC_MAX_PTS] */
    cairn_fp *valsb; /* [k][SC_MAX_PTS] */
    /* small-value rounds (small.c): rounds 0..sv_rounds-1, 0 when off */
    size_t sv_rounds, sv_G, sv_npts, sv_acc_len;
    unsigned sv_bits;
    cairn_fp2 *sv_acc; /* [terms][sv_npts] once the pass ran; NULL after the switch */
    size_t *sv_pt;     /* grid point -> accumulator index, SIZE_MAX if not accumulated */
    cairn_fp2 sv_r[SC_SMALL_MAX_ROUNDS];
} sc_inst;

/*
 * Set up an instance (validates expr, tau, n, inputs when given).  inputs
 * NULL: no tables (round state only).  CAIRN_ERR_ARG / CAIRN_ERR_NOMEM.
 * sc_inst_clear frees everything and is safe after a failed init.
 */
cairn_status sc_inst_init(sc_inst *in, const cairn_sumcheck_expr *expr, const cairn_fp2 *tau,
                          const cairn_sumcheck_input *inputs, size_t inputs_len, size_t n,
                          cairn_fp2 claim, sc_mem *mem, cairn_error *err);
void sc_inst_clear(sc_inst *in);

/* Plan the instance's next round. */
void sc_plan_round(sc_plan *pl, const sc_inst *in);

/*
 * Split-eq tables for round `round`: eq over tau_{round+1 .. n-1} factored as
 * ea (first *a of those variables) x eb (the rest).  Requires tau.
 */
void sc_split_eq(sc_inst *in, size_t round, size_t *a);

/* Zero the term accumulators acc[terms][npts]. */
void sc_acc_zero(cairn_fp2 *acc, size_t terms_len);

/*
 * One pair's contribution: vals[c*SC_MAX_PTS + t] holds input c at X = t for
 * t = 0 .. pl->e (extension; sc_fill_vals makes it from lo and hi); for each
 * term and planned point, acc[term][p] += w * prod of the term's factors
 * (w NULL means weight 1).  The _fp variant takes base-field values.
 */
void sc_fill_vals(cairn_fp2 *vals, size_t c, cairn_fp2 lo, cairn_fp2 hi, size_t e);
void sc_fill_vals_fp(cairn_fp *vals, size_t c, cairn_fp lo, cairn_fp hi, size_t e);
void sc_accumulate(cairn_fp2 *acc, const cairn_sumcheck_expr *expr, const sc_plan *pl,
                   const cairn_fp2 *vals, const cairn_fp2 *w);
void sc_accumulate_fp(cairn_fp2 *acc, const cairn_sumcheck_expr *expr, const sc_plan *pl,
                      const cairn_fp *vals, const cairn_fp2 *w);

/*
 * From the term accumulators to s(0 .. degree): combine terms with their
 * coefficients into the kernel values, derive q(1) if planned, extrapolate
 * and multiply by eq_prefix * eq(tau_round, X).
 */
void sc_assemble(cairn_fp2 *s, const sc_inst *in, const sc_plan *pl, const cairn_fp2 *acc);

/*
 * Set to non-zero to make every round use the generic kernel (tests compare
 * the fast paths against it); 0 by default.  Not to be changed while a
 * prover runs.
 */
extern int sc_generic_only;

/*
 * The in-memory round: s(0 .. degree) from the tables.  Requires has_tables.
 * Single-product claims with eq (at most four factors, tables all in one
 * field) take a fast path computing the same values.
 */
void sc_inst_round(cairn_fp2 *s, sc_inst *in);

/*
 * The round from one pair of values per input (pair[2c], pair[2c+1]: input
 * c at X = 0, 1) when tau's later coordinates are bits, so that eq weighs
 * every other pair 0.  Needs tau; uses no tables.
 */
void sc_inst_round_pair(cairn_fp2 *s, sc_inst *in, const cairn_fp2 *pair);

/*
 * Bind variable `round` to r: claim <- s(r), eq_prefix update, fold the
 * tables (when present).  CAIRN_ERR_NOMEM on the first fold.
 */
cairn_status sc_inst_bind(sc_inst *in, const cairn_fp2 *s, cairn_fp2 r, cairn_error *err);

/*
 * Small-value rounds (small.c).  sc_small_setup (from sc_inst_init) picks
 * the switch round L when every input is a base table with small_bits set
 * and the integer bounds hold (else sv_rounds = 0).  sc_small_round
 * computes round in->round < L (running the accumulating pass at round 0)
 * and returns 1, or returns 0 when the path is off or was given up (an
 * entry broke its small_bits promise, or no memory) before anything was
 * sent: the caller then runs the generic round.  sc_small_bind records
 * r_round while round < L and, at round L - 1, binds all L variables at
 * once into own_fp2; *handled says whether it took the bind (the caller
 * still updates claim, eq_prefix and round).  sc_small_clear frees the
 * path's state.
 */
void sc_small_setup(sc_inst *in, const cairn_sumcheck_input *inputs);
int sc_small_round(cairn_fp2 *s, sc_inst *in);
cairn_status sc_small_bind(sc_inst *in, cairn_fp2 r, int *handled, cairn_error *err);
void sc_small_clear(sc_inst *in);

/*
 * The streaming prover's side.  sc_small_setup_stream picks L as above for
 * inputs of at most `bits` bits (0: off), at most `cap` (the rounds the
 * prover computes by passes; 0 when that leaves fewer than 2, or a forced
 * L above it).  sc_small_stream_pass runs
 * the accumulating pass over the rows (input c = column cols[c], or c);
 * afterwards in->sv_acc is non-NULL when the path is on (rounds 0..L-1 by
 * sc_small_round, no further pass), NULL when it was given up (a broken
 * promise, no memory): nothing has been sent, the round passes run as
 * usual.  Errors: only those of the row source.
 */
void sc_small_setup_stream(sc_inst *in, unsigned bits, size_t cap);
cairn_status sc_small_stream_pass(sc_inst *in, const cairn_rows *rows, const size_t *cols,
                                  cairn_error *err);

/*
 * Tests: sc_small_force = L forces the switch round (0 = off; a forced L
 * whose bounds fail leaves the path off), CAIRN_SUMCHECK_SWITCH_AUTO (the
 * default) lets the prover choose.  sc_small_passes counts the completed
 * accumulating passes, so a test can see that the path ran.
 */
extern size_t sc_small_force;
extern size_t sc_small_passes;

/* After all n rounds: evals[c] = f_c(point) (the single table entries). */
void sc_inst_final(cairn_fp2 *evals, const sc_inst *in);

/* The polynomial of degree <= d through (t, s[t]), t = 0..d, at x. */
cairn_fp2 sc_interp(const cairn_fp2 *s, size_t d, cairn_fp2 x);

/* eq(tau_i, x) = 1 - tau_i - x + 2 tau_i x. */
cairn_fp2 sc_eq1(cairn_fp2 tau_i, cairn_fp2 x);

/* The header every (batched or single) sum-check absorbs first: cairn_sumcheck_absorb_header. */

/*
 * Allocate proof for n rounds of degree d (CAIRN_ERR_NOMEM); sc_emit writes
 * round i's message s(0), s(2..d) into it, absorbs it and returns r_i.
 */
cairn_status sc_proof_alloc(cairn_sumcheck_proof *proof, size_t n, size_t d, cairn_error *err);
cairn_fp2 sc_emit(cairn_sumcheck_proof *proof, cairn_transcript *t, size_t i, const cairn_fp2 *s);

/*
 * Run rounds in->round .. n-1 of a single-claim sum-check on an instance
 * with tables: each round's kernel, sc_emit (point[i] = r_i), bind; then
 * evals = the final table entries.
 */
cairn_status sc_run_rounds(cairn_sumcheck_proof *proof, cairn_fp2 *point, cairn_fp2 *evals,
                           cairn_transcript *t, sc_inst *in, cairn_error *err);

/*
 * Claim reduction, both sides: absorb the m claims (count, points, values),
 * draw alpha and return the combined claim sum_j alpha^j v_j.
 */
cairn_fp2 sc_reduce_start(cairn_fp2 *alpha, cairn_transcript *t, size_t n, const cairn_fp2 *points,
                          const cairn_fp2 *values, size_t m);

/* Validate n and tau/inputs shape common to provers. */
cairn_status sc_check_n(size_t n, cairn_error *err);

#endif
