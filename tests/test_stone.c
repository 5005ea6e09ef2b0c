/*
 * test_stone.c — `cairn stone-params`'s library (cairn/stone.h):
 *
 *   - every n_steps from 2^4 to 2^30, for every Stone v3 layout (the dynamic
 *     one with several cpu_component_steps and builtin periods) and both
 *     targets: the file written passes validate_params below, or the run is
 *     refused with the expected status and message (a trace below the
 *     layout's smallest, a layout Integrity has no verifier for);
 *   - the sizes of the old hard-coded tables (512, 8192, 131072 steps);
 *   - the rule is the minimum of its cost model (brute force over every
 *     admissible step list), and the model matches the FRI part of Stone
 *     proofs measured from their annotations;
 *   - malformed public inputs are refused with the member named; the fuzz
 *     target over its corpus and mutations;
 *   - the prover configuration follows the memory budget.
 *
 * validate_params is this file's own reading of what Stone v3's
 * cpu_air_prover and Integrity accept, written from their sources and not
 * from the generator: the keys and JSON types Stone's FromJson calls read,
 * the hash names it knows, the product rule, the step ranges, the security
 * sum, and Integrity's settings.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/stone.h"
#include "tests.h"
#include "vm_util.h"

int cairn_fuzz_stone_input(const uint8_t *data, size_t len);

#ifndef CAIRN_SOURCE_DIR
#define CAIRN_SOURCE_DIR "."
#endif

/* ------------------------------------------------------------------ */
/* The independent validator                                           */

struct expect {
    const char *layout;
    uint64_t n_steps, cpu_step; /* cpu_step 1 for fixed layouts */
    int integrity;              /* the Integrity target */
    unsigned security, blowup, pow;
    int blake; /* Integrity's blake2s_248_lsb hasher */
};

static const char *const integrity_layouts[] = {"dex",   "recursive", "recursive_with_poseidon",
                                                "small", "starknet",  "starknet_with_keccak"};

static int is_integrity_layout(const char *l)
{
    for (size_t i = 0; i < sizeof integrity_layouts / sizeof integrity_layouts[0]; i++)
        if (strcmp(l, integrity_layouts[i]) == 0)
            return 1;
    return 0;
}

/* Stone v3's hash names (crypt_tools/invoke.h HashTypes and their HashName()). */
static int stone_hash_name(const char *s)
{
    static const char *const names[] = {"blake256",
                                        "keccak256",
                                        "pedersen",
                                        "poseidon3",
                                        "keccak256_masked160_msb",
                                        "keccak256_masked160_lsb",
                                        "blake256_masked160_msb",
                                        "blake256_masked248_lsb"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0)
            return 1;
    return 0;
}

/* Exactly these keys, no more and no fewer. */
static int has_exactly(json_t *obj, const char *const *keys, size_t n)
{
    if (!json_is_object(obj) || json_object_size(obj) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (json_object_get(obj, keys[i]) == NULL)
            return 0;
    return 1;
}

/* A JSON value Stone's AsSizeT / AsUint64 accepts. */
static int is_uint(json_t *v)
{
    return json_is_integer(v) && json_integer_value(v) >= 0;
}

static int str_is(json_t *v, const char *want)
{
    return json_is_string(v) && strcmp(json_string_value(v), want) == 0;
}

#define BAD(...)                                                                                   \
    do {                                                                                           \
        snprintf(why, whylen, __VA_ARGS__);                                                        \
        goto out;                                                                                  \
    } while (0)

/* 1 when `text` is a cpu_air_params.json that fits e; else 0 and the reason in why. */
static int validate_params(const char *text, const struct expect *e, char *why, size_t whylen)
{
    int ok = 0;
    json_error_t je;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (root == NULL)
        BAD("not JSON: %s", je.text);
    static const char *const stone_keys[] = {"field", "stark", "use_extension_field"};
    static const char *const integrity_keys[] = {"field",
                                                 "stark",
                                                 "use_extension_field",
                                                 "channel_hash",
                                                 "commitment_hash",
                                                 "n_verifier_friendly_commitment_layers",
                                                 "pow_hash",
                                                 "statement",
                                                 "verifier_friendly_channel_updates",
                                                 "verifier_friendly_commitment_hash"};
    if (e->integrity ? !has_exactly(root, integrity_keys, 10) : !has_exactly(root, stone_keys, 3))
        BAD("top-level keys are not the %s set", e->integrity ? "Integrity" : "Stone");
    if (!str_is(json_object_get(root, "field"), "PrimeField0"))
        BAD("field is not \"PrimeField0\"");
    if (!json_is_false(json_object_get(root, "use_extension_field")))
        BAD("use_extension_field is not false");
    json_t *stark = json_object_get(root, "stark");
    static const char *const stark_keys[] = {"fri", "log_n_cosets"};
    if (!has_exactly(stark, stark_keys, 2))
        BAD("stark keys");
    json_t *lc = json_object_get(stark, "log_n_cosets");
    if (!is_uint(lc) || json_integer_value(lc) != (json_int_t)e->blowup)
        BAD("log_n_cosets is not %u", e->blowup);
    json_t *fri = json_object_get(stark, "fri");
    static const char *const fri_keys[] = {"fri_step_list", "last_layer_degree_bound", "n_queries",
                                           "proof_of_work_bits"};
    if (!has_exactly(fri, fri_keys, 4))
        BAD("stark.fri keys");
    json_t *list = json_object_get(fri, "fri_step_list");
    json_t *lastv = json_object_get(fri, "last_layer_degree_bound");
    json_t *qv = json_object_get(fri, "n_queries");
    json_t *powv = json_object_get(fri, "proof_of_work_bits");
    if (!json_is_array(list) || !is_uint(lastv) || !is_uint(qv) || !is_uint(powv))
        BAD("stark.fri types");
    size_t n = json_array_size(list);
    if (n < 2)
        BAD("fri_step_list has %zu entries: at least one folding step is expected", n);
    if (e->integrity && n > 15)
        BAD("fri_step_list has %zu entries; Integrity takes at most 15 layers", n);
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(list, i);
        if (!is_uint(s))
            BAD("fri_step_list[%zu] is not an unsigned integer", i);
        json_int_t v = json_integer_value(s);
        if (i == 0 && v != 0)
            BAD("fri_step_list[0] is %lld, not 0", (long long)v);
        if (i > 0 && (v < (e->integrity ? 1 : 2) || v > 4))
            BAD("fri_step_list[%zu] = %lld is outside %d..4", i, (long long)v,
                e->integrity ? 1 : 2);
        sum += (unsigned)v;
    }
    /* the product rule: last_layer_degree_bound * prod 2^step = n_steps * 16 * cpu_step */
    uint64_t last = (uint64_t)json_integer_value(lastv);
    if (last == 0 || (last & (last - 1)) != 0)
        BAD("last_layer_degree_bound %llu is not a power of two", (unsigned long long)last);
    unsigned log_last = 0;
    while (((uint64_t)1 << log_last) < last)
        log_last++;
    uint64_t trace = e->n_steps * 16 * e->cpu_step;
    unsigned log_trace = 0;
    while (((uint64_t)1 << log_trace) < trace)
        log_trace++;
    if (((uint64_t)1 << log_trace) != trace || log_last + sum != log_trace)
        BAD("product rule: 2^%u * 2^%u != %llu * 16 * %llu", log_last, sum,
            (unsigned long long)e->n_steps, (unsigned long long)e->cpu_step);
    if (e->integrity && log_last > 15)
        BAD("last_layer_degree_bound 2^%u is above Integrity's 2^15", log_last);
    /* security: n_queries * log_n_cosets + pow reaches the target, with no query to spare */
    unsigned q = (unsigned)json_integer_value(qv), pow = (unsigned)json_integer_value(powv);
    if (pow != e->pow)
        BAD("proof_of_work_bits %u, expected %u", pow, e->pow);
    if (q == 0 || q * e->blowup + pow < e->security)
        BAD("%u queries * %u + %u < %u bits", q, e->blowup, pow, e->security);
    if ((q - 1) * e->blowup + pow >= e->security)
        BAD("%u queries: one fewer would reach %u bits", q, e->security);
    if (pow > 64)
        BAD("proof_of_work_bits %u above Stone's 64", pow);
    if (e->integrity) {
        if (pow < 20 || pow > 49)
            BAD("proof_of_work_bits %u outside Integrity's 20..49", pow);
        if (q * e->blowup + pow < 50)
            BAD("below Integrity's 50 bits");
        if (!is_integrity_layout(e->layout))
            BAD("layout %s has no Integrity verifier", e->layout);
        if (!str_is(json_object_get(root, "channel_hash"), "poseidon3") ||
            !str_is(json_object_get(root, "verifier_friendly_commitment_hash"), "poseidon3") ||
            !json_is_true(json_object_get(root, "verifier_friendly_channel_updates")))
            BAD("Integrity needs the Poseidon channel and verifier-friendly layers");
        if (!str_is(json_object_get(root, "commitment_hash"),
                    e->blake ? "blake256_masked248_lsb" : "keccak256_masked160_lsb") ||
            !str_is(json_object_get(root, "pow_hash"), e->blake ? "blake256" : "keccak256"))
            BAD("commitment or PoW hash not the %s hasher's", e->blake ? "blake2s" : "keccak");
        json_t *vf = json_object_get(root, "n_verifier_friendly_commitment_layers");
        if (!is_uint(vf) || json_integer_value(vf) < 64)
            BAD("n_verifier_friendly_commitment_layers must cover every Merkle layer");
        json_t *statement = json_object_get(root, "statement");
        static const char *const st_keys[] = {"page_hash"};
        if (!has_exactly(statement, st_keys, 1) ||
            !str_is(json_object_get(statement, "page_hash"), "pedersen"))
            BAD("statement.page_hash is not pedersen");
        if (!stone_hash_name(json_string_value(json_object_get(root, "commitment_hash"))) ||
            !stone_hash_name(json_string_value(json_object_get(root, "pow_hash"))))
            BAD("a hash Stone does not know");
    }
    ok = 1;
out:
    json_decref(root);
    return ok;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* Smallest n_steps per fixed layout, from Stone v3's AIR definitions (test's own copy). */
static uint64_t min_steps_of(const char *layout)
{
    static const struct {
        const char *name;
        uint64_t min;
    } t[] = {{"plain", 1},
             {"small", 512},
             {"dex", 512},
             {"recursive", 128},
             {"starknet", 2048},
             {"starknet_with_keccak", 32768},
             {"recursive_large_output", 128},
             {"recursive_with_poseidon", 256},
             {"all_solidity", 512},
             {"all_cairo", 32768},
             {"dex_with_bitwise", 512},
             {"perpetual", 2048},
             {"dynamic", 1}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(layout, t[i].name) == 0)
            return t[i].min;
    return 0;
}

static void expect_init(struct expect *e, const char *layout, uint64_t n, uint64_t cpu_step,
                        const cairn_stone_options *opt)
{
    e->layout = layout;
    e->n_steps = n;
    e->cpu_step = cpu_step;
    e->integrity = opt->target == CAIRN_STONE_TARGET_INTEGRITY;
    e->security = opt->security_bits;
    e->blowup = opt->log_n_cosets;
    e->pow = opt->pow_bits;
    e->blake = opt->hasher == CAIRN_STONE_HASHER_BLAKE2S_248_LSB;
}

/*
 * Choose and write the parameters for run with opt; check the file with
 * the validator.  Returns the status of cairn_stone_params_choose (the file is
 * checked only on success).
 */
static cairn_status choose_and_validate(const cairn_stone_run *run, uint64_t n, uint64_t cpu_step,
                                        const cairn_stone_options *opt, cairn_error *err)
{
    cairn_stone_params p;
    cairn_status st = cairn_stone_params_choose(&p, run, opt, err);
    if (st != CAIRN_OK)
        return st;
    char *text = NULL;
    if (cairn_stone_params_json(&text, &p, err) != CAIRN_OK) {
        FAIL("params_json failed: %s", err->msg);
        return CAIRN_ERR_INTERNAL;
    }
    struct expect e;
    char why[200];
    expect_init(&e, run->layout, n, cpu_step, opt);
    if (!validate_params(text, &e, why, sizeof why))
        FAIL("layout %s, n_steps %llu, target %s: %s\n%s", run->layout, (unsigned long long)n,
             cairn_stone_target_name(opt->target), why, text);
    else
        test_pass();
    free(text);
    return st;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

/* The validator itself: it accepts the two projects' own example files and rejects broken ones. */
static void stone_validator_self_check(void)
{
    /* Integrity's examples/proofs/cpu_air_params.json (values retyped here): 2^13 steps */
    static const char integrity_example[] =
        "{\"field\": \"PrimeField0\", \"channel_hash\": \"poseidon3\", \"commitment_hash\": "
        "\"keccak256_masked160_lsb\", \"n_verifier_friendly_commitment_layers\": 1000, "
        "\"pow_hash\": \"keccak256\", \"statement\": {\"page_hash\": \"pedersen\"}, \"stark\": "
        "{\"fri\": {\"fri_step_list\": [0, 4, 4, 2], \"last_layer_degree_bound\": 128, "
        "\"n_queries\": 18, \"proof_of_work_bits\": 24}, \"log_n_cosets\": 2}, "
        "\"use_extension_field\": false, \"verifier_friendly_channel_updates\": true, "
        "\"verifier_friendly_commitment_hash\": \"poseidon3\"}";
    /* Stone's e2e_test/CairoZero/cpu_air_params.json (retyped): 2^9 steps */
    static const char stone_example[] =
        "{\"field\": \"PrimeField0\", \"stark\": {\"fri\": {\"fri_step_list\": [0, 4, 3], "
        "\"last_layer_degree_bound\": 64, \"n_queries\": 18, \"proof_of_work_bits\": 24}, "
        "\"log_n_cosets\": 4}, \"use_extension_field\": false}";
    struct expect ei = {"recursive", 8192, 1, 1, 60, 2, 24, 0};
    struct expect es = {"recursive", 512, 1, 0, 96, 4, 24, 0};
    char why[200];
    CHECK(validate_params(integrity_example, &ei, why, sizeof why));
    CHECK(validate_params(stone_example, &es, why, sizeof why));
    /* Stone's example is not an Integrity file (its hashes are Stone's defaults) */
    es.integrity = 1;
    CHECK(!validate_params(stone_example, &es, why, sizeof why));
    es.integrity = 0;
    /* one step more or less breaks the product */
    es.n_steps = 1024;
    CHECK(!validate_params(stone_example, &es, why, sizeof why));
    CHECK(strstr(why, "product rule") != NULL);
    es.n_steps = 512;
    /* the security falls short of a higher target */
    es.security = 100;
    CHECK(!validate_params(stone_example, &es, why, sizeof why));
    es.security = 96;
    static const char *const broken[] = {
        /* step 5 */
        "{\"field\": \"PrimeField0\", \"stark\": {\"fri\": {\"fri_step_list\": [0, 5, 2], "
        "\"last_layer_degree_bound\": 64, \"n_queries\": 18, \"proof_of_work_bits\": 24}, "
        "\"log_n_cosets\": 4}, \"use_extension_field\": false}",
        /* first step not 0 */
        "{\"field\": \"PrimeField0\", \"stark\": {\"fri\": {\"fri_step_list\": [4, 3], "
        "\"last_layer_degree_bound\": 64, \"n_queries\": 18, \"proof_of_work_bits\": 24}, "
        "\"log_n_cosets\": 4}, \"use_extension_field\": false}",
        /* n_queries a string */
        "{\"field\": \"PrimeField0\", \"stark\": {\"fri\": {\"fri_step_list\": [0, 4, 3], "
        "\"last_layer_degree_bound\": 64, \"n_queries\": \"18\", \"proof_of_work_bits\": 24}, "
        "\"log_n_cosets\": 4}, \"use_extension_field\": false}",
        /* a key missing */
        "{\"field\": \"PrimeField0\", \"stark\": {\"fri\": {\"fri_step_list\": [0, 4, 3], "
        "\"last_layer_degree_bound\": 64, \"n_queries\": 18}, \"log_n_cosets\": 4}, "
        "\"use_extension_field\": false}",
        /* last layer not a power of two */
        "{\"field\": \"PrimeField0\", \"stark\": {\"fri\": {\"fri_step_list\": [0, 4, 3], "
        "\"last_layer_degree_bound\": 63, \"n_queries\": 18, \"proof_of_work_bits\": 24}, "
        "\"log_n_cosets\": 4}, \"use_extension_field\": false}",
        /* a query to spare */
        "{\"field\": \"PrimeField0\", \"stark\": {\"fri\": {\"fri_step_list\": [0, 4, 3], "
        "\"last_layer_degree_bound\": 64, \"n_queries\": 19, \"proof_of_work_bits\": 24}, "
        "\"log_n_cosets\": 4}, \"use_extension_field\": false}",
        /* an extra key */
        "{\"field\": \"PrimeField0\", \"stark\": {\"fri\": {\"fri_step_list\": [0, 4, 3], "
        "\"last_layer_degree_bound\": 64, \"n_queries\": 18, \"proof_of_work_bits\": 24}, "
        "\"log_n_cosets\": 4}, \"use_extension_field\": false, \"extra\": 1}",
    };
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++)
        if (validate_params(broken[i], &es, why, sizeof why))
            FAIL("broken file %zu accepted", i);
}

/* Every n_steps 2^4..2^30, every layout, both targets, default options. */
static void stone_every_size_every_layout(void)
{
    unsigned done = 0, refused_small = 0, refused_integrity = 0;
    for (unsigned li = 0; li < cairn_stone_layout_count(); li++) {
        const char *layout = cairn_stone_layout_name(li);
        int dynamic = strcmp(layout, "dynamic") == 0;
        static const uint64_t dyn_steps[] = {1, 2, 4, 16};
        for (size_t di = 0; di < (dynamic ? 4u : 1u); di++) {
            uint64_t cpu_step = dynamic ? dyn_steps[di] : 1;
            for (unsigned k = 4; k <= 30; k++) {
                uint64_t n = (uint64_t)1 << k;
                cairn_stone_run run;
                cairn_error err;
                cairn_error_clear(&err);
                cairn_status st = cairn_stone_run_from_layout(&run, layout, n, cpu_step, &err);
                if (n < min_steps_of(layout)) {
                    char want[120];
                    snprintf(want, sizeof want, "too small for layout '%s'", layout);
                    CHECK_STATUS(st, CAIRN_ERR_LIMIT);
                    if (strstr(err.msg, want) == NULL)
                        FAIL("%s at 2^%u: message '%s'", layout, k, err.msg);
                    refused_small++;
                    continue;
                }
                CHECK_OK(st);
                if (st != CAIRN_OK)
                    continue;
                for (int t = 0; t < 2; t++) {
                    cairn_stone_options opt;
                    cairn_stone_options_default(&opt, t ? CAIRN_STONE_TARGET_INTEGRITY
                                                        : CAIRN_STONE_TARGET_STONE);
                    st = choose_and_validate(&run, n, cpu_step, &opt, &err);
                    if (t == 1 && !is_integrity_layout(layout)) {
                        CHECK_STATUS(st, CAIRN_ERR_ARG);
                        if (strstr(err.msg, "Integrity cannot verify layout") == NULL)
                            FAIL("%s: message '%s'", layout, err.msg);
                        refused_integrity++;
                    } else {
                        CHECK_OK(st);
                        done++;
                    }
                }
            }
        }
    }
    /*
     * 258 (fixed layout, size) pairs fit (27 sizes each, less those below the
     * layout's smallest: 66) and 4 * 27 dynamic ones; Integrity takes 127 of
     * the fixed ones and refuses the other 131 and the 108 dynamic ones.
     */
    CHECK_EQ_U64(done, 258 + 108 + 127);
    CHECK_EQ_U64(refused_small, 66);
    CHECK_EQ_U64(refused_integrity, 131 + 108);
}

/* Other security targets, blowups, PoW bits and hashers over every size. */
static void stone_every_size_other_options(void)
{
    static const unsigned secs[] = {50, 80, 100, 128};
    static const unsigned blowups[] = {1, 2, 3, 5, 8};
    static const unsigned pows[] = {0, 20, 32};
    cairn_stone_run run;
    cairn_error err;
    for (unsigned k = 4; k <= 30; k++) {
        uint64_t n = (uint64_t)1 << k;
        const char *layout = k < 7 ? "plain" : "recursive";
        CHECK_OK(cairn_stone_run_from_layout(&run, layout, n, 0, &err));
        for (size_t a = 0; a < 4; a++)
            for (size_t b = 0; b < 5; b++)
                for (size_t c = 0; c < 3; c++)
                    for (int t = 0; t < 2; t++) {
                        cairn_stone_options opt;
                        cairn_stone_options_default(&opt, t ? CAIRN_STONE_TARGET_INTEGRITY
                                                            : CAIRN_STONE_TARGET_STONE);
                        opt.security_bits = secs[a];
                        opt.log_n_cosets = blowups[b];
                        opt.pow_bits = pows[c];
                        opt.hasher = (k & 1) ? CAIRN_STONE_HASHER_BLAKE2S_248_LSB
                                             : CAIRN_STONE_HASHER_KECCAK_160_LSB;
                        cairn_status st = choose_and_validate(&run, n, 1, &opt, &err);
                        if (t == 1 && (pows[c] < 20 || !is_integrity_layout(layout)))
                            CHECK_STATUS(st, CAIRN_ERR_ARG);
                        else
                            CHECK_OK(st);
                    }
    }
}

/* The dynamic layout from public inputs: the builtins' periods set the smallest trace. */
static void stone_dynamic_public_input(void)
{
    for (unsigned k = 4; k <= 30; k++) {
        uint64_t n = (uint64_t)1 << k;
        char buf[512];
        /* step 2: 32 rows per step; pedersen period 4096 rows -> n_steps >= 128;
         * keccak 16 * 1024 rows -> n_steps >= 512 */
        snprintf(buf, sizeof buf,
                 "{\"layout\": \"dynamic\", \"n_steps\": %llu, \"dynamic_params\": "
                 "{\"cpu_component_step\": 2, \"num_columns_first\": 7, \"num_columns_second\": "
                 "3, \"uses_pedersen_builtin\": 1, \"pedersen_builtin_row_ratio\": 4096, "
                 "\"uses_keccak_builtin\": 1, \"keccak__row_ratio\": 1024, "
                 "\"memory_units_row_ratio\": 16, \"uses_ecdsa_builtin\": 0, "
                 "\"ecdsa_builtin_row_ratio\": 0}}",
                 (unsigned long long)n);
        cairn_stone_run run;
        cairn_error err;
        cairn_status st =
            cairn_stone_public_input_parse(&run, (const uint8_t *)buf, strlen(buf), &err);
        if (n < 512) {
            CHECK_STATUS(st, CAIRN_ERR_LIMIT);
            if (strstr(err.msg, "keccak builtin") == NULL ||
                strstr(err.msg, "at least 512") == NULL)
                FAIL("2^%u: message '%s'", k, err.msg);
            continue;
        }
        CHECK_OK(st);
        CHECK_EQ_U64(run.cpu_component_step, 2);
        CHECK_EQ_U64(run.n_columns, 10);
        CHECK_EQ_U64(run.log_trace_length, k + 5);
        cairn_stone_options opt;
        cairn_stone_options_default(&opt, CAIRN_STONE_TARGET_STONE);
        CHECK_OK(choose_and_validate(&run, n, 2, &opt, &err));
        cairn_stone_options_default(&opt, CAIRN_STONE_TARGET_INTEGRITY);
        CHECK_STATUS(choose_and_validate(&run, n, 2, &opt, &err), CAIRN_ERR_ARG);
    }
}

static void check_list(const cairn_stone_params *p, const unsigned *want, unsigned n, uint64_t last,
                       unsigned q)
{
    CHECK_EQ_U64(p->n_fri_steps, n);
    for (unsigned i = 0; i < n && i < p->n_fri_steps; i++)
        CHECK_EQ_U64(p->fri_step_list[i], want[i]);
    CHECK_EQ_U64(p->last_layer_degree_bound, last);
    CHECK_EQ_U64(p->n_queries, q);
}

/*
 * The sizes of the hard-coded tables services keep (512, 8192, 131072
 * steps): valid files for every layout they fit, and a few choices pinned so
 * that a change of the rule shows.
 */
static void stone_old_table_sizes(void)
{
    static const uint64_t sizes[] = {512, 8192, 131072};
    cairn_stone_run run;
    cairn_stone_params p;
    cairn_stone_options opt;
    cairn_error err;
    for (size_t i = 0; i < 3; i++) {
        for (unsigned li = 0; li < cairn_stone_layout_count(); li++) {
            const char *layout = cairn_stone_layout_name(li);
            cairn_status st = cairn_stone_run_from_layout(&run, layout, sizes[i], 0, &err);
            if (sizes[i] < min_steps_of(layout)) {
                CHECK_STATUS(st, CAIRN_ERR_LIMIT);
                continue;
            }
            CHECK_OK(st);
            for (int t = 0; t < 2; t++) {
                cairn_stone_options_default(&opt, t ? CAIRN_STONE_TARGET_INTEGRITY
                                                    : CAIRN_STONE_TARGET_STONE);
                st = choose_and_validate(&run, sizes[i], 1, &opt, &err);
                CHECK(st == CAIRN_OK || (t == 1 && !is_integrity_layout(layout)));
            }
        }
    }
    /* pinned: recursive, Integrity defaults (2^2 blowup, 24 PoW bits, 96 bits: 36 queries) */
    static const unsigned r512[] = {0, 3, 3}, r8192[] = {0, 3, 3, 2, 2},
                          r131072[] = {0, 3, 3, 3, 3, 2}, s512[] = {0, 3, 3};
    cairn_stone_options_default(&opt, CAIRN_STONE_TARGET_INTEGRITY);
    CHECK_OK(cairn_stone_run_from_layout(&run, "recursive", 512, 0, &err));
    CHECK_OK(cairn_stone_params_choose(&p, &run, &opt, &err));
    check_list(&p, r512, 3, 128, 36);
    CHECK_OK(cairn_stone_run_from_layout(&run, "recursive", 8192, 0, &err));
    CHECK_OK(cairn_stone_params_choose(&p, &run, &opt, &err));
    check_list(&p, r8192, 5, 128, 36);
    CHECK_OK(cairn_stone_run_from_layout(&run, "recursive", 131072, 0, &err));
    CHECK_OK(cairn_stone_params_choose(&p, &run, &opt, &err));
    check_list(&p, r131072, 6, 128, 36);
    /* Stone defaults (2^4 blowup: 18 queries), as Stone's e2e example's 512 steps */
    cairn_stone_options_default(&opt, CAIRN_STONE_TARGET_STONE);
    CHECK_OK(cairn_stone_run_from_layout(&run, "recursive", 512, 0, &err));
    CHECK_OK(cairn_stone_params_choose(&p, &run, &opt, &err));
    check_list(&p, s512, 3, 128, 18);
    CHECK_EQ_U64(p.security_bits, 96);
}

/* All step lists within lim for log degree L, by brute force: the cheapest cost. */
static double brute(unsigned L, unsigned B, unsigned q, const cairn_stone_fri_limits *lim,
                    unsigned *steps, unsigned depth, unsigned left)
{
    double best = -1.0;
    if (depth >= 1 && left <= lim->max_log_last) {
        double c = cairn_stone_fri_cost(L, B, q, steps, depth, left);
        if (c >= 0)
            best = c;
    }
    if (depth < lim->max_layers)
        for (unsigned s = lim->min_step; s <= lim->max_step && s <= left; s++) {
            steps[depth] = s;
            double c = brute(L, B, q, lim, steps, depth + 1, left - s);
            if (c >= 0 && (best < 0 || c < best))
                best = c;
        }
    return best;
}

/* The rule is the minimum of its cost model over every admissible step list. */
static void stone_rule_is_minimal(void)
{
    static const unsigned Ls[] = {4, 7, 9, 12, 14};
    static const unsigned Bs[] = {1, 2, 4};
    static const unsigned qs[] = {1, 10, 36, 100};
    for (int t = 0; t < 2; t++) {
        cairn_stone_fri_limits lim;
        cairn_stone_fri_limits_for(&lim,
                                   t ? CAIRN_STONE_TARGET_INTEGRITY : CAIRN_STONE_TARGET_STONE);
        if (t == 1)
            CHECK(lim.min_step == 1 && lim.max_step == 4 && lim.max_layers == 14 &&
                  lim.max_log_last == 15);
        for (size_t a = 0; a < sizeof Ls / sizeof Ls[0]; a++)
            for (size_t b = 0; b < sizeof Bs / sizeof Bs[0]; b++)
                for (size_t c = 0; c < sizeof qs / sizeof qs[0]; c++) {
                    unsigned steps[CAIRN_STONE_MAX_FRI_LIST], n, log_last, tmp[64];
                    double got =
                        cairn_stone_fri_rule(steps, &n, &log_last, Ls[a], Bs[b], qs[c], &lim);
                    double want = brute(Ls[a], Bs[b], qs[c], &lim, tmp, 0, Ls[a]);
                    CHECK(got >= 0 && want >= 0);
                    /* the rule compares sums of per-layer costs rounded to 1/1024 word */
                    double slack = (double)(n + 2) / 1024.0;
                    if (got > want + slack)
                        FAIL("L=%u B=%u q=%u: rule %.4f words, brute force %.4f", Ls[a], Bs[b],
                             qs[c], got, want);
                    CHECK(cairn_stone_fri_cost(Ls[a], Bs[b], qs[c], steps, n, log_last) == got);
                    unsigned sum = log_last;
                    for (unsigned i = 0; i < n; i++) {
                        CHECK(steps[i] >= lim.min_step && steps[i] <= lim.max_step);
                        sum += steps[i];
                    }
                    CHECK_EQ_U64(sum, Ls[a]);
                }
    }
    /* larger traces for the Stone limits (steps 2..4: fewer lists to try) */
    cairn_stone_fri_limits lim;
    cairn_stone_fri_limits_for(&lim, CAIRN_STONE_TARGET_STONE);
    static const unsigned big[] = {17, 20, 23};
    for (size_t a = 0; a < 3; a++) {
        unsigned steps[CAIRN_STONE_MAX_FRI_LIST], n, log_last, tmp[64];
        double got = cairn_stone_fri_rule(steps, &n, &log_last, big[a], 4, 18, &lim);
        double want = brute(big[a], 4, 18, &lim, tmp, 0, big[a]);
        if (!(got >= 0 && got <= want + (double)(n + 2) / 1024.0))
            FAIL("L=%u: rule %.4f words, brute force %.4f", big[a], got, want);
        else
            test_pass();
    }
    /* the cost of a list that does not add up is refused */
    unsigned s3[] = {3, 3};
    CHECK(cairn_stone_fri_cost(13, 2, 36, s3, 2, 6) < 0);
    CHECK(cairn_stone_fri_cost(13, 2, 36, s3, 2, 7) > 0);
}

/*
 * The cost model against real Stone proofs: the FRI words (layers 1 and up:
 * elements, Merkle siblings, roots, last layer) counted from the annotations
 * of the example proofs in HerodotusDev/integrity (examples/proofs/LAYOUT/,
 * Stone v3 proofs with n_steps 2^9..2^17 and their own parameters).  Each
 * proof is one random draw of queries, so the model (an expectation) is
 * checked to within 5%.
 */
static void stone_model_matches_stone_proofs(void)
{
    static const struct {
        unsigned L, B, q, n, steps[4], log_last, measured;
    } m[] = {
        {17, 4, 10, 4, {4, 2, 2, 2}, 7, 756},  /* dex, cairo0, stone5, keccak */
        {20, 2, 18, 4, {4, 4, 4, 1}, 7, 1534}, /* dex, cairo0, stone6, keccak */
        {13, 2, 10, 2, {3, 3}, 7, 392},        /* dex, cairo1, stone5 */
        {18, 2, 10, 3, {4, 4, 3}, 7, 742},     /* recursive, cairo0, stone5 */
        {20, 2, 18, 4, {4, 4, 4, 1}, 7, 1478}, /* recursive, cairo0, stone6, keccak */
        {19, 4, 10, 4, {4, 4, 3, 1}, 7, 926},  /* recursive_with_poseidon, stone5 */
        {19, 2, 10, 3, {4, 4, 4}, 7, 824},     /* recursive_with_poseidon, cairo1 */
        {17, 4, 10, 4, {4, 3, 2, 1}, 7, 748},  /* small, cairo0, stone5 */
        {21, 4, 10, 4, {4, 4, 4, 2}, 7, 1036}, /* starknet, cairo0, stone5 */
        {21, 2, 18, 4, {4, 4, 4, 2}, 7, 1604}, /* starknet, cairo0, stone6, keccak */
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        double c = cairn_stone_fri_cost(m[i].L, m[i].B, m[i].q, m[i].steps, m[i].n, m[i].log_last);
        double err = (c - m[i].measured) / m[i].measured;
        if (!(err < 0.05 && err > -0.05))
            FAIL("proof %zu: model %.1f words, measured %u (%.1f%%)", i, c, m[i].measured,
                 100 * err);
        else
            test_pass();
    }
    /* and the rule beats the example proofs' own lists under the model */
    cairn_stone_fri_limits lim;
    cairn_stone_fri_limits_for(&lim, CAIRN_STONE_TARGET_INTEGRITY);
    unsigned steps[CAIRN_STONE_MAX_FRI_LIST], n, log_last;
    double rule = cairn_stone_fri_rule(steps, &n, &log_last, 20, 2, 18, &lim);
    unsigned theirs[] = {4, 4, 4, 1};
    CHECK(rule < cairn_stone_fri_cost(20, 2, 18, theirs, 4, 7));
}

struct bad_input {
    const char *json;
    cairn_status want;
    const char *msg;
};

/* Malformed public inputs: refused, with the member and the rule named. */
static void stone_public_input_errors(void)
{
    static const struct bad_input bad[] = {
        {"", CAIRN_ERR_PARSE, "not valid JSON"},
        {"{\"layout\": \"small\", \"n_steps\": 512", CAIRN_ERR_PARSE, "not valid JSON"},
        {"{\"layout\": \"small\", \"n_steps\": 512} x", CAIRN_ERR_PARSE, "not valid JSON"},
        {"[1, 2]", CAIRN_ERR_PARSE, "not a JSON object"},
        {"{\"n_steps\": 512}", CAIRN_ERR_PARSE, "\"layout\" is missing"},
        {"{\"layout\": 7, \"n_steps\": 512}", CAIRN_ERR_PARSE, "\"layout\" must be a string"},
        {"{\"layout\": \"smal\", \"n_steps\": 512}", CAIRN_ERR_PARSE, "unknown layout 'smal'"},
        {"{\"layout\": \"sma\\u0000ll\", \"n_steps\": 512}", CAIRN_ERR_PARSE, "not valid JSON"},
        {"{\"layout\": \"small\"}", CAIRN_ERR_PARSE, "\"n_steps\" is missing"},
        {"{\"layout\": \"small\", \"n_steps\": \"512\"}", CAIRN_ERR_PARSE,
         "\"n_steps\" must be a positive integer"},
        {"{\"layout\": \"small\", \"n_steps\": 512.0}", CAIRN_ERR_PARSE,
         "\"n_steps\" must be a positive integer"},
        {"{\"layout\": \"small\", \"n_steps\": 0}", CAIRN_ERR_PARSE,
         "\"n_steps\" must be a positive integer"},
        {"{\"layout\": \"small\", \"n_steps\": -512}", CAIRN_ERR_PARSE,
         "\"n_steps\" must be a positive integer"},
        {"{\"layout\": \"small\", \"n_steps\": 1000}", CAIRN_ERR_PARSE,
         "n_steps 1000 is not a power of two"},
        {"{\"layout\": \"small\", \"n_steps\": 99999999999999999999999}", CAIRN_ERR_PARSE,
         "not valid JSON"},
        {"{\"layout\": \"small\", \"n_steps\": 512, \"n_steps\": 1024}", CAIRN_ERR_PARSE,
         "not valid JSON"},
        {"{\"layout\": \"small\", \"n_steps\": 256}", CAIRN_ERR_LIMIT,
         "n_steps 256 is too small for layout 'small': its ecdsa builtin"},
        {"{\"layout\": \"plain\", \"n_steps\": 1152921504606846976}", CAIRN_ERR_LIMIT,
         "above the 2^60"},
        {"{\"layout\": \"small\", \"n_steps\": 512, \"dynamic_params\": [1]}", CAIRN_ERR_PARSE,
         "\"dynamic_params\" must be an object or null"},
        {"{\"layout\": \"small\", \"n_steps\": 512, \"dynamic_params\": {\"a\": 1}}",
         CAIRN_ERR_PARSE, "takes none"},
        {"{\"layout\": \"dynamic\", \"n_steps\": 512}", CAIRN_ERR_PARSE,
         "needs \"dynamic_params\""},
        {"{\"layout\": \"dynamic\", \"n_steps\": 512, \"dynamic_params\": null}", CAIRN_ERR_PARSE,
         "needs \"dynamic_params\""},
        {"{\"layout\": \"dynamic\", \"n_steps\": 512, \"dynamic_params\": {}}", CAIRN_ERR_PARSE,
         "needs dynamic_params.cpu_component_step"},
        {"{\"layout\": \"dynamic\", \"n_steps\": 512, \"dynamic_params\": "
         "{\"cpu_component_step\": 3}}",
         CAIRN_ERR_PARSE, "cpu_component_step 3 is not a power of two"},
        {"{\"layout\": \"dynamic\", \"n_steps\": 512, \"dynamic_params\": "
         "{\"cpu_component_step\": 1, \"x\": \"1\"}}",
         CAIRN_ERR_PARSE, "dynamic_params.x must be a non-negative integer"},
        {"{\"layout\": \"dynamic\", \"n_steps\": 512, \"dynamic_params\": "
         "{\"cpu_component_step\": 1, \"x\": -1}}",
         CAIRN_ERR_PARSE, "dynamic_params.x must be a non-negative integer"},
        {"{\"layout\": \"dynamic\", \"n_steps\": 512, \"dynamic_params\": "
         "{\"cpu_component_step\": 1, \"uses_bitwise_builtin\": 1}}",
         CAIRN_ERR_PARSE, "uses_bitwise_builtin is set but bitwise__row_ratio is missing"},
        {"{\"layout\": \"dynamic\", \"n_steps\": 512, \"dynamic_params\": "
         "{\"cpu_component_step\": 1, \"uses_ec_op_builtin\": 1, \"ec_op_builtin_row_ratio\": "
         "1000}}",
         CAIRN_ERR_PARSE, "ec_op_builtin_row_ratio 1000 is not a power of two"},
        {"{\"layout\": \"dynamic\", \"n_steps\": 512, \"dynamic_params\": "
         "{\"cpu_component_step\": 1, \"uses_ecdsa_builtin\": 1, \"ecdsa_builtin_row_ratio\": "
         "16384}}",
         CAIRN_ERR_LIMIT,
         "ecdsa builtin (ecdsa_builtin_row_ratio 16384) needs a trace of at "
         "least 16384 rows, so n_steps must be at least 1024"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cairn_stone_run run;
        cairn_error err;
        cairn_error_clear(&err);
        cairn_status st = cairn_stone_public_input_parse(&run, (const uint8_t *)bad[i].json,
                                                         strlen(bad[i].json), &err);
        if (st != bad[i].want || strstr(err.msg, bad[i].msg) == NULL)
            FAIL("input %zu (%s): status %s, message '%s'; expected %s, '%s'", i, bad[i].json,
                 cairn_status_str(st), err.msg, cairn_status_str(bad[i].want), bad[i].msg);
        else
            test_pass();
        CHECK(run.n_steps == 0 && run.layout[0] == '\0');
    }
    /* accepted: null, {} and absent dynamic_params for a fixed layout, any other members */
    static const char *const good[] = {
        "{\"layout\": \"small\", \"n_steps\": 512, \"dynamic_params\": null}",
        "{\"layout\": \"small\", \"n_steps\": 512, \"dynamic_params\": {}}",
        "{\"layout\": \"small\", \"n_steps\": 512, \"memory_segments\": {}, \"public_memory\": []}",
        " \n{\"n_steps\": 512, \"layout\": \"small\"}\n",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        cairn_stone_run run;
        cairn_error err;
        CHECK_OK(
            cairn_stone_public_input_parse(&run, (const uint8_t *)good[i], strlen(good[i]), &err));
        CHECK(strcmp(run.layout, "small") == 0 && run.n_steps == 512 &&
              run.log_trace_length == 13 && run.n_columns == 25);
    }
    /* the command-line path: unknown layouts and other n_steps are usage errors */
    cairn_stone_run run;
    cairn_error err;
    CHECK_STATUS(cairn_stone_run_from_layout(&run, "nope", 512, 0, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "unknown layout 'nope': Stone v3's layouts are plain, small") != NULL);
    CHECK_STATUS(cairn_stone_run_from_layout(&run, "small", 1000, 0, &err), CAIRN_ERR_ARG);
    CHECK_STATUS(cairn_stone_run_from_layout(&run, "dynamic", 512, 3, &err), CAIRN_ERR_ARG);
    CHECK_OK(cairn_stone_run_from_layout(&run, "dynamic", 512, 8, &err));
    CHECK_EQ_U64(run.log_trace_length, 16);
}

/* Options a target cannot take: refused with the rule named. */
static void stone_option_errors(void)
{
    cairn_stone_run run;
    cairn_stone_params p;
    cairn_stone_options opt;
    cairn_error err;
    CHECK_OK(cairn_stone_run_from_layout(&run, "recursive", 1 << 16, 0, &err));
    static const struct {
        int integrity;
        unsigned sec, blowup, pow;
        const char *msg;
    } t[] = {
        {1, 96, 2, 19, "Integrity accepts 20 to 49"},
        {1, 96, 2, 50, "Integrity accepts 20 to 49"},
        {1, 49, 2, 20, "Integrity rejects proofs below 50"},
        {0, 96, 0, 24, "log_n_cosets must be at least 1"},
        {0, 96, 17, 24, "outside 2^1..2^16"},
        {0, 0, 2, 0, "outside 1..256"},
        {0, 257, 2, 0, "outside 1..256"},
        {0, 96, 2, 65, "Stone takes at most 64"},
        {0, 40, 2, 40, "reach the whole 40-bit target"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        cairn_stone_options_default(&opt, t[i].integrity ? CAIRN_STONE_TARGET_INTEGRITY
                                                         : CAIRN_STONE_TARGET_STONE);
        opt.security_bits = t[i].sec;
        opt.log_n_cosets = t[i].blowup;
        opt.pow_bits = t[i].pow;
        cairn_status st = cairn_stone_params_choose(&p, &run, &opt, &err);
        if (st != CAIRN_ERR_ARG || strstr(err.msg, t[i].msg) == NULL)
            FAIL("case %zu: %s '%s'", i, cairn_status_str(st), err.msg);
        else
            test_pass();
    }
    CHECK_OK(cairn_stone_run_from_layout(&run, "plain", 1 << 16, 0, &err));
    cairn_stone_options_default(&opt, CAIRN_STONE_TARGET_INTEGRITY);
    CHECK_STATUS(cairn_stone_params_choose(&p, &run, &opt, &err), CAIRN_ERR_ARG);
    CHECK(strstr(err.msg, "Integrity cannot verify layout 'plain'") != NULL);
    /* the query count: ceil((96 - 24) / 2) = 36, at least one */
    CHECK_EQ_U64(cairn_stone_queries(96, 2, 24), 36);
    CHECK_EQ_U64(cairn_stone_queries(97, 2, 24), 37);
    CHECK_EQ_U64(cairn_stone_queries(96, 4, 24), 18);
    CHECK_EQ_U64(cairn_stone_queries(20, 4, 30), 1);
}

/* Keys and types of cpu_air_prover_config.json, as Stone's StarkProverConfig::FromJson reads them.
 */
static int validate_config(const char *text)
{
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    static const char *const keys[] = {"cached_lde_config", "constraint_polynomial_task_size",
                                       "fri_prover", "n_out_of_memory_merkle_layers",
                                       "table_prover_n_tasks_per_segment"};
    static const char *const lde_keys[] = {"store_full_lde", "use_fft_for_eval"};
    static const char *const fri_keys[] = {"max_non_chunked_layer_size", "n_chunks_between_layers",
                                           "log_n_max_in_memory_fri_layer_elements"};
    json_t *lde = json_object_get(root, "cached_lde_config");
    json_t *fri = json_object_get(root, "fri_prover");
    int ok = has_exactly(root, keys, 5) && has_exactly(lde, lde_keys, 2) &&
             has_exactly(fri, fri_keys, 3) &&
             json_is_boolean(json_object_get(lde, "store_full_lde")) &&
             json_is_boolean(json_object_get(lde, "use_fft_for_eval")) &&
             is_uint(json_object_get(root, "constraint_polynomial_task_size")) &&
             is_uint(json_object_get(root, "n_out_of_memory_merkle_layers")) &&
             is_uint(json_object_get(root, "table_prover_n_tasks_per_segment")) &&
             is_uint(json_object_get(fri, "max_non_chunked_layer_size")) &&
             is_uint(json_object_get(fri, "n_chunks_between_layers")) &&
             is_uint(json_object_get(fri, "log_n_max_in_memory_fri_layer_elements"));
    json_decref(root);
    return ok;
}

/* The prover configuration: small traces keep everything, large ones save memory. */
static void stone_prover_config(void)
{
    cairn_stone_run run;
    cairn_stone_params p;
    cairn_stone_options opt;
    cairn_stone_prover_config c;
    cairn_error err;
    char *text = NULL;
    cairn_stone_options_default(&opt, CAIRN_STONE_TARGET_INTEGRITY);
    uint64_t gib = (uint64_t)1 << 30;
    /* 2^16 steps of recursive (10 columns, 2^20 rows): a few GiB with everything kept */
    CHECK_OK(cairn_stone_run_from_layout(&run, "recursive", 1 << 16, 0, &err));
    CHECK_OK(cairn_stone_params_choose(&p, &run, &opt, &err));
    cairn_stone_prover_config_choose(&c, &run, &p, 64 * gib);
    CHECK(c.store_full_lde == 1 && c.n_out_of_memory_merkle_layers == 0 && c.fits);
    CHECK_EQ_U64(c.log_n_max_in_memory_fri_layer_elements, 63);
    CHECK(c.estimated_peak < 8 * gib && c.estimated_peak > gib);
    CHECK_OK(cairn_stone_prover_config_json(&text, &c, &err));
    CHECK(text != NULL && validate_config(text));
    CHECK(text != NULL && strstr(text, "\"store_full_lde\": true") != NULL);
    free(text);
    /* 2^20 steps: each setting is chosen exactly while its estimate fits 3/4 of the memory */
    CHECK_OK(cairn_stone_run_from_layout(&run, "recursive", 1 << 20, 0, &err));
    CHECK_OK(cairn_stone_params_choose(&p, &run, &opt, &err));
    cairn_stone_prover_config_choose(&c, &run, &p, (uint64_t)1 << 50);
    CHECK(c.store_full_lde == 1 && c.fits);
    uint64_t fast = c.estimated_peak;
    cairn_stone_prover_config_choose(&c, &run, &p, fast / 3 * 4 + 8);
    CHECK(c.store_full_lde == 1 && c.fits);
    cairn_stone_prover_config_choose(&c, &run, &p, fast / 3 * 4 - 4096);
    CHECK(c.store_full_lde == 0 && c.n_out_of_memory_merkle_layers == 1 && c.fits);
    CHECK_EQ_U64(c.log_n_max_in_memory_fri_layer_elements, 63);
    CHECK(c.estimated_peak < fast);
    uint64_t lean = c.estimated_peak;
    cairn_stone_prover_config_choose(&c, &run, &p, lean / 3 * 4 - 4096);
    CHECK(c.store_full_lde == 0 && c.n_out_of_memory_merkle_layers == 1 && c.fits);
    CHECK(c.estimated_peak < lean);
    CHECK_EQ_U64(c.log_n_max_in_memory_fri_layer_elements,
                 p.log_trace_length + p.opt.log_n_cosets - p.fri_step_list[1]);
    uint64_t leanest = c.estimated_peak;
    /* too little memory even so: the leanest settings, flagged */
    cairn_stone_prover_config_choose(&c, &run, &p, leanest / 3 * 4 - 4096);
    CHECK(!c.fits && c.store_full_lde == 0 && c.estimated_peak == leanest);
    CHECK_OK(cairn_stone_prover_config_json(&text, &c, &err));
    CHECK(text != NULL && validate_config(text));
    CHECK(text != NULL && strstr(text, "\"store_full_lde\": false") != NULL);
    free(text);
    /* the estimate grows with the trace, the blowup and the columns */
    uint64_t prev = 0;
    for (unsigned k = 10; k <= 26; k++) {
        CHECK_OK(cairn_stone_run_from_layout(&run, "small", (uint64_t)1 << k, 0, &err));
        CHECK_OK(cairn_stone_params_choose(&p, &run, &opt, &err));
        cairn_stone_prover_config_choose(&c, &run, &p, (uint64_t)1 << 50);
        CHECK(c.estimated_peak > prev);
        prev = c.estimated_peak;
    }
    CHECK(cairn_stone_physical_memory() > 0);
}

/* ------------------------------------------------------------------ */
/* The fuzz target                                                     */

#define MAX_CORPUS 32

static void stone_fuzz_corpus_and_mutations(void)
{
    const char *dir = CAIRN_SOURCE_DIR "/fuzz/corpus/stone_input";
    DIR *d = opendir(dir);
    if (d == NULL) {
        FAIL("cannot open %s", dir);
        return;
    }
    uint8_t *files[MAX_CORPUS];
    size_t lens[MAX_CORPUS], n = 0;
    unsigned parsed = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL && n < MAX_CORPUS) {
        size_t l = strlen(de->d_name);
        if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        files[n] = vmt_read_file(path, &lens[n]);
        if (files[n] == NULL) {
            FAIL("cannot read %s", path);
            continue;
        }
        if (cairn_fuzz_stone_input(files[n], lens[n]) != 0)
            FAIL("corpus file %s: property violated", de->d_name);
        cairn_stone_run run;
        if (cairn_stone_public_input_parse(&run, files[n], lens[n], NULL) == CAIRN_OK)
            parsed++;
        n++;
    }
    closedir(d);
    CHECK(n >= 8);
    CHECK(parsed >= 5);
    /* mutations: flips, truncations, insertions of JSON-ish bytes, digit changes */
    static const char tokens[] = "{}[]\":,0123456789-.eE \\un";
    unsigned violations = 0;
    for (unsigned long it = 0; it < 4 * test_iters && n > 0; it++) {
        size_t f = test_rand_below(n), len = lens[f];
        uint8_t *b = malloc(len + 16);
        if (b == NULL)
            break;
        memcpy(b, files[f], len);
        unsigned rounds = 1 + (unsigned)test_rand_below(4);
        for (unsigned r = 0; r < rounds; r++) {
            size_t at = len ? test_rand_below(len) : 0;
            switch (test_rand_below(5)) {
            case 0:
                if (len)
                    b[at] ^= (uint8_t)(1u << test_rand_below(8));
                break;
            case 1:
                len = test_rand_below(len + 1);
                break;
            case 2:
                if (len < lens[f] + 15) {
                    memmove(b + at + 1, b + at, len - at);
                    b[at] = (uint8_t)tokens[test_rand_below(sizeof tokens - 1)];
                    len++;
                }
                break;
            case 3:
                if (len && b[at] >= '0' && b[at] <= '9')
                    b[at] = (uint8_t)('0' + test_rand_below(10));
                else if (len)
                    b[at] = (uint8_t)tokens[test_rand_below(sizeof tokens - 1)];
                break;
            default:
                if (len)
                    b[at] = (uint8_t)test_rand_u64();
                break;
            }
        }
        if (cairn_fuzz_stone_input(b, len) != 0 && violations++ < 5)
            FAIL("mutation %lu of corpus file %zu violated a property", it, f);
        free(b);
    }
    for (unsigned long it = 0; it < test_iters; it++) {
        uint8_t b[128];
        size_t len = test_rand_below(sizeof b + 1);
        test_rand_bytes(b, len);
        if (cairn_fuzz_stone_input(b, len) != 0 && violations++ < 5)
            FAIL("random input %lu violated a property", it);
    }
    CHECK(cairn_fuzz_stone_input(NULL, 0) == 0);
    CHECK(violations == 0);
    for (size_t i = 0; i < n; i++)
        free(files[i]);
}

const struct test_case test_stone_cases[] = {
    TEST(stone_validator_self_check),
    TEST(stone_every_size_every_layout),
    TEST(stone_every_size_other_options),
    TEST(stone_dynamic_public_input),
    TEST(stone_old_table_sizes),
    TEST(stone_rule_is_minimal),
    TEST(stone_model_matches_stone_proofs),
    TEST(stone_public_input_errors),
    TEST(stone_option_errors),
    TEST(stone_prover_config),
    TEST(stone_fuzz_corpus_and_mutations),
    TEST_END,
};
