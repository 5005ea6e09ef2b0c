/*
 * cairn/stone.h — parameter files for StarkWare's Stone prover
 * (`cpu_air_prover`, Stone v3) and for the Integrity verifier on Starknet,
 * behind `cairn stone-params` (docs/stone-params.md).
 *
 * Pure computation: nothing here proves anything.  From a Cairo run's
 * public input (its layout and n_steps, and for the dynamic layout its
 * dynamic_params) and a security target it chooses
 *   - fri_step_list and last_layer_degree_bound by a rule (cairn_stone_fri_rule,
 *     a dynamic programme over a proof-size cost model, not a table), so that
 *     last_layer_degree_bound * prod 2^fri_step_list[i] = trace_length, the
 *     product Stone asserts, for every valid n_steps;
 *   - n_queries so that n_queries * log_n_cosets + proof_of_work_bits reaches
 *     the target: Stone's *conjectured* security, the formula Integrity
 *     computes, not a proven bound like cairn's own (docs/security.md);
 * and writes cpu_air_params.json, and on request a cpu_air_prover_config.json
 * sized to a memory budget.
 *
 * The layout facts (cpu component height 16 and step 1 in every fixed
 * layout, the trace columns, the largest component of each layout) are read
 * from Stone v3's src/starkware/air/cpu/board/cpu_air_definition*.h; the
 * Integrity rules (first FRI step 0, later steps 1..4, at most 15 FRI layers,
 * last layer at most 2^15, 20..49 proof-of-work bits, at least 50 bits, six
 * layouts, its hash settings) from HerodotusDev/integrity's src/fri,
 * src/proof_of_work, src/stark.cairo, src/lib.cairo and examples.
 *
 * The public input parser uses jansson and accepts untrusted bytes (fuzz
 * target fuzz/fuzz_stone_input.c).
 */
#ifndef CAIRN_STONE_H
#define CAIRN_STONE_H

#include <stddef.h>
#include <stdint.h>

#include "cairn/error.h"

/* Rows of the trace per Cairo step in every fixed layout (Stone's kCpuComponentHeight). */
#define CAIRN_STONE_CPU_HEIGHT 16u
/* Largest log2(trace_length) accepted: 2^60 rows is far beyond any machine. */
#define CAIRN_STONE_MAX_LOG_TRACE 60u
/* Largest fri_step_list length written (the leading 0 included). */
#define CAIRN_STONE_MAX_FRI_LIST 40u
/* Longest layout name kept. */
#define CAIRN_STONE_LAYOUT_MAX 48u

typedef enum {
    CAIRN_STONE_TARGET_STONE = 0, /* Stone's own cpu_air_verifier */
    CAIRN_STONE_TARGET_INTEGRITY  /* Integrity, the Cairo verifier on Starknet */
} cairn_stone_target;

/* Integrity's hasher setting, for its non-verifier-friendly Merkle layers and PoW. */
typedef enum {
    CAIRN_STONE_HASHER_KECCAK_160_LSB = 0, /* keccak256_masked160_lsb, PoW keccak256 */
    CAIRN_STONE_HASHER_BLAKE2S_248_LSB     /* blake256_masked248_lsb, PoW blake256 */
} cairn_stone_hasher;

/* What the rule needs to know about a run: from a public input or from the command line. */
typedef struct {
    char layout[CAIRN_STONE_LAYOUT_MAX];
    int dynamic;                 /* the dynamic layout */
    uint64_t n_steps;            /* a power of two */
    uint64_t cpu_component_step; /* 1 in fixed layouts; dynamic_params.cpu_component_step */
    unsigned log_trace_length;   /* log2(n_steps * 16 * cpu_component_step) */
    /*
     * The smallest trace the layout's components fit in (a power of two), and
     * the component that sets it ("the ecdsa builtin, 8192 rows per instance").
     */
    uint64_t min_trace_length;
    char min_reason[96];
    /* Trace columns (first + interaction); 0 when unknown (dynamic without num_columns_*). */
    unsigned n_columns;
} cairn_stone_run;

/* The knobs; cairn_stone_options_default fills the documented defaults for a target. */
typedef struct {
    cairn_stone_target target;
    cairn_stone_hasher hasher; /* Integrity only */
    unsigned security_bits;    /* conjectured bits wanted: 1..256 */
    unsigned log_n_cosets;     /* the blowup, log2: 1..16 */
    unsigned pow_bits;         /* proof-of-work bits: 0..64 (Stone), 20..49 (Integrity) */
} cairn_stone_options;

/* Limits the FRI rule must respect (from the target). */
typedef struct {
    unsigned min_step, max_step; /* every fri_step_list[i], i >= 1 */
    unsigned max_layers;         /* nonzero steps at most */
    unsigned max_log_last;       /* log2(last_layer_degree_bound) at most */
} cairn_stone_fri_limits;

/* The chosen parameters. */
typedef struct {
    cairn_stone_options opt;
    uint64_t trace_length;
    unsigned log_trace_length;
    unsigned n_fri_steps; /* entries of fri_step_list, the leading 0 included */
    unsigned fri_step_list[CAIRN_STONE_MAX_FRI_LIST];
    uint64_t last_layer_degree_bound;
    unsigned n_queries;
    unsigned security_bits; /* conjectured: n_queries * log_n_cosets + pow_bits */
    double fri_words;       /* the rule's cost model for this choice: expected 32-byte words */
} cairn_stone_params;

/* How cpu_air_prover should spend memory (docs/stone-params.md says what each trades). */
typedef struct {
    int store_full_lde;
    int use_fft_for_eval;
    unsigned constraint_polynomial_task_size;
    unsigned table_prover_n_tasks_per_segment;
    unsigned n_out_of_memory_merkle_layers;
    uint64_t max_non_chunked_layer_size;
    unsigned n_chunks_between_layers;
    unsigned log_n_max_in_memory_fri_layer_elements;
    /* the estimate behind the choice */
    uint64_t memory_budget;     /* bytes: the machine's memory, or --memory */
    uint64_t estimated_peak;    /* bytes, for the configuration chosen */
    int fits;                   /* estimated_peak <= 3/4 of memory_budget */
    unsigned n_columns_assumed; /* the trace columns the estimate used */
} cairn_stone_prover_config;

/* ------------------------------------------------------------------ */
/* Layouts                                                             */

/* Number of Stone v3 layouts, and the i-th name (NULL past the end). */
unsigned cairn_stone_layout_count(void);
const char *cairn_stone_layout_name(unsigned i);
/* Is the layout one Integrity verifies (dex, recursive, recursive_with_poseidon, small,
 * starknet, starknet_with_keccak)? */
int cairn_stone_layout_integrity(const char *layout);

/*
 * Fill *run for a fixed layout, or for the dynamic layout with the given
 * cpu_component_step (ignored for fixed layouts; 0 means 1).  CAIRN_ERR_ARG
 * for an unknown layout or n_steps not a power of two; CAIRN_ERR_LIMIT for a
 * trace below the layout's smallest or above 2^CAIRN_STONE_MAX_LOG_TRACE
 * rows.  Messages name the value and the rule.
 */
cairn_status cairn_stone_run_from_layout(cairn_stone_run *run, const char *layout, uint64_t n_steps,
                                         uint64_t cpu_component_step, cairn_error *err);

/*
 * Parse Stone's public input JSON (what cairo-run --air_public_input writes):
 * "layout" (a string), "n_steps" (a positive integer, a power of two) and
 * "dynamic_params" (null, absent or {} for fixed layouts; for "dynamic" an
 * object of non-negative integers with at least cpu_component_step).  Other
 * members are not read.  CAIRN_ERR_PARSE for malformed JSON or members of the
 * wrong type or value (the message names the member), CAIRN_ERR_LIMIT as in
 * cairn_stone_run_from_layout.
 */
cairn_status cairn_stone_public_input_parse(cairn_stone_run *run, const uint8_t *buf, size_t len,
                                            cairn_error *err);

/* ------------------------------------------------------------------ */
/* The rule                                                            */

/* Defaults for a target: security 96, pow 24, blowup 2^2 (Integrity) or 2^4 (Stone). */
void cairn_stone_options_default(cairn_stone_options *opt, cairn_stone_target target);

/* The FRI limits of a target (Stone: steps 2..4; Integrity: steps 1..4, 14 layers, 2^15). */
void cairn_stone_fri_limits_for(cairn_stone_fri_limits *lim, cairn_stone_target target);

/*
 * n_queries = ceil((security_bits - pow_bits) / log_n_cosets), at least 1.
 */
unsigned cairn_stone_queries(unsigned security_bits, unsigned log_n_cosets, unsigned pow_bits);

/*
 * The cost model (docs/stone-params.md): the expected 32-byte words of FRI
 * decommitment for n_queries queries when the nonzero steps are
 * steps[0..steps_len-1] and the last layer has 2^log_last coefficients, for a
 * composition of degree 2^log_degree on 2^(log_degree + log_n_cosets)
 * points.  Negative when the steps and log_last do not add up to log_degree.
 */
double cairn_stone_fri_cost(unsigned log_degree, unsigned log_n_cosets, unsigned n_queries,
                            const unsigned *steps, unsigned steps_len, unsigned log_last);

/*
 * The rule: the nonzero FRI steps (written to steps[], *steps_len of them, at
 * most CAIRN_STONE_MAX_FRI_LIST - 1) and log2(last_layer_degree_bound) that
 * minimise cairn_stone_fri_cost (compared in units of 1/1024 word) within
 * the limits, with at least one step; ties go to fewer layers, then to larger
 * earlier steps.  Returns the cost, or a negative value when no choice fits
 * the limits.
 */
double cairn_stone_fri_rule(unsigned *steps, unsigned *steps_len, unsigned *log_last,
                            unsigned log_degree, unsigned log_n_cosets, unsigned n_queries,
                            const cairn_stone_fri_limits *lim);

/*
 * Choose every parameter for a run.  CAIRN_ERR_ARG when the options are out of
 * range or the target cannot take the run (Integrity and a layout it does not
 * verify, PoW bits outside 20..49, a target below 50 bits), naming the value
 * and the rule.
 */
cairn_status cairn_stone_params_choose(cairn_stone_params *p, const cairn_stone_run *run,
                                const cairn_stone_options *opt, cairn_error *err);

/* ------------------------------------------------------------------ */
/* Files                                                               */

/*
 * cpu_air_params.json as text (4-space indented, a final newline), in *out
 * (freed by the caller with free()).  CAIRN_ERR_NOMEM.
 */
cairn_status cairn_stone_params_json(char **out, const cairn_stone_params *p, cairn_error *err);

/*
 * Size cpu_air_prover's memory use to memory_bytes (the machine's memory or
 * a user's figure): the fastest configuration whose estimated peak stays
 * within 3/4 of it, else the leanest (with fits = 0).
 */
void cairn_stone_prover_config_choose(cairn_stone_prover_config *c, const cairn_stone_run *run,
                                   const cairn_stone_params *p, uint64_t memory_bytes);

/* cpu_air_prover_config.json as text, like cairn_stone_params_json. */
cairn_status cairn_stone_prover_config_json(char **out, const cairn_stone_prover_config *c,
                                            cairn_error *err);

/* The machine's physical memory in bytes (0 when unknown). */
uint64_t cairn_stone_physical_memory(void);

/* Names for messages: "stone"/"integrity", "keccak_160_lsb"/"blake2s_248_lsb". */
const char *cairn_stone_target_name(cairn_stone_target t);
const char *cairn_stone_hasher_name(cairn_stone_hasher h);

#endif /* CAIRN_STONE_H */
