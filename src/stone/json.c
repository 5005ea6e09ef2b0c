/*
 * json.c — Stone's public input in, cpu_air_params.json and
 * cpu_air_prover_config.json out (cairn/stone.h), with jansson.
 *
 * The public input is untrusted: every member read is checked for its type
 * and value, duplicate keys are refused, and the messages name the member.
 * Stone itself reads "layout" as a string, "n_steps" and every dynamic
 * parameter as an unsigned 64-bit integer, and takes "dynamic_params" as
 * absent when null (src/starkware/statement/cpu/cpu_air_statement.cc); a
 * fixed layout asserts it has no dynamic parameters (ParseDynamicParams).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stone_internal.h"

/* ------------------------------------------------------------------ */
/* Reading                                                             */

/*
 * The dynamic layout's periods (cpu_air_definition11.inl): the trace length
 * is divided by each of these with SafeDiv, so it must be a multiple of each;
 * a builtin's only when its uses_* flag is set.
 */
static const struct {
    const char *flag;  /* NULL: always */
    const char *ratio; /* the dynamic parameter */
    unsigned mult;     /* the divisor is mult * ratio */
    const char *what;
} dyn_periods[] = {
    {"uses_pedersen_builtin", "pedersen_builtin_row_ratio", 1, "pedersen builtin"},
    {"uses_range_check_builtin", "range_check_builtin_row_ratio", 1, "range_check builtin"},
    {"uses_ecdsa_builtin", "ecdsa_builtin_row_ratio", 1, "ecdsa builtin"},
    {"uses_bitwise_builtin", "bitwise__row_ratio", 1, "bitwise builtin"},
    {"uses_ec_op_builtin", "ec_op_builtin_row_ratio", 1, "ec_op builtin"},
    {"uses_keccak_builtin", "keccak__row_ratio", 16, "keccak builtin"},
    {"uses_poseidon_builtin", "poseidon__row_ratio", 1, "poseidon builtin"},
    {"uses_range_check96_builtin", "range_check96_builtin_row_ratio", 1, "range_check96 builtin"},
    {"uses_add_mod_builtin", "add_mod__row_ratio", 1, "add_mod builtin"},
    {"uses_mul_mod_builtin", "mul_mod__row_ratio", 1, "mul_mod builtin"},
    {NULL, "memory_units_row_ratio", 8, "memory units"},
    {NULL, "range_check_units_row_ratio", 1, "range-check units"},
    {NULL, "diluted_units_row_ratio", 1, "diluted units"},
};

/* A dynamic parameter as an unsigned integer; 0 with *present = 0 when absent. */
static uint64_t dyn_u64(json_t *dp, const char *name, int *present)
{
    json_t *v = json_object_get(dp, name);
    *present = v != NULL;
    return v != NULL ? (uint64_t)json_integer_value(v) : 0;
}

/*
 * Check dynamic_params (every value a non-negative integer, as Stone reads
 * them) and derive the step, the columns and the smallest trace.
 */
static cairn_status read_dynamic(cairn_stone_run *run, json_t *dp, cairn_error *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(dp, key, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            return cairn_error_set(err, CAIRN_ERR_PARSE,
                                   "dynamic_params.%.60s must be a non-negative integer", key);
    }
    int present;
    uint64_t step = dyn_u64(dp, "cpu_component_step", &present);
    if (!present)
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "layout 'dynamic' needs dynamic_params.cpu_component_step");
    if (!stone_is_pow2(step))
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "dynamic_params.cpu_component_step %llu is not a power of two: the "
                               "trace has n_steps * 16 * cpu_component_step rows, a power of two",
                               (unsigned long long)step);
    if (step > (UINT64_MAX >> 5))
        return cairn_error_set(err, CAIRN_ERR_PARSE,
                               "dynamic_params.cpu_component_step %llu is too large",
                               (unsigned long long)step);
    run->cpu_component_step = step;
    run->min_trace_length = CAIRN_STONE_CPU_HEIGHT * step;
    snprintf(run->min_reason, sizeof run->min_reason, "cpu component (%llu rows per step)",
             (unsigned long long)(CAIRN_STONE_CPU_HEIGHT * step));
    int p1, p2;
    uint64_t c1 = dyn_u64(dp, "num_columns_first", &p1);
    uint64_t c2 = dyn_u64(dp, "num_columns_second", &p2);
    run->n_columns = p1 && p2 && c1 + c2 >= c1 && c1 + c2 <= 4096 ? (unsigned)(c1 + c2) : 0;
    for (size_t i = 0; i < sizeof dyn_periods / sizeof dyn_periods[0]; i++) {
        int used = 1;
        if (dyn_periods[i].flag != NULL)
            used = dyn_u64(dp, dyn_periods[i].flag, &present) != 0;
        if (!used)
            continue;
        uint64_t ratio = dyn_u64(dp, dyn_periods[i].ratio, &present);
        if (ratio == 0) {
            if (dyn_periods[i].flag == NULL)
                continue; /* a unit the run does not use */
            return cairn_error_set(err, CAIRN_ERR_PARSE, "dynamic_params.%s is set but %s is %s",
                                   dyn_periods[i].flag, dyn_periods[i].ratio,
                                   present ? "0" : "missing");
        }
        if (!stone_is_pow2(ratio) || ratio > (UINT64_MAX >> 5))
            return cairn_error_set(err, CAIRN_ERR_PARSE,
                                   "dynamic_params.%s %llu is not a power of two below 2^59: the "
                                   "trace length, a power of two, must be a multiple of it",
                                   dyn_periods[i].ratio, (unsigned long long)ratio);
        uint64_t period = ratio * dyn_periods[i].mult;
        if (period > run->min_trace_length) {
            run->min_trace_length = period;
            if (dyn_periods[i].mult == 1)
                snprintf(run->min_reason, sizeof run->min_reason, "%s (%s %llu)",
                         dyn_periods[i].what, dyn_periods[i].ratio, (unsigned long long)ratio);
            else
                snprintf(run->min_reason, sizeof run->min_reason, "%s (%u * %s %llu)",
                         dyn_periods[i].what, dyn_periods[i].mult, dyn_periods[i].ratio,
                         (unsigned long long)ratio);
        }
    }
    return CAIRN_OK;
}

cairn_status cairn_stone_public_input_parse(cairn_stone_run *run, const uint8_t *buf, size_t len,
                                            cairn_error *err)
{
    memset(run, 0, sizeof *run);
    json_error_t je;
    json_t *root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &je);
    cairn_status st = CAIRN_OK;
    if (root == NULL)
        return cairn_error_set(err, CAIRN_ERR_PARSE, "not valid JSON: line %d, column %d: %.120s",
                               je.line, je.column, je.text);
    if (!json_is_object(root)) {
        st = cairn_error_set(err, CAIRN_ERR_PARSE, "the public input is not a JSON object");
        goto out;
    }
    json_t *layout = json_object_get(root, "layout");
    if (layout == NULL || !json_is_string(layout)) {
        st = cairn_error_set(err, CAIRN_ERR_PARSE, "\"layout\" %s",
                             layout == NULL ? "is missing" : "must be a string");
        goto out;
    }
    const char *name = json_string_value(layout);
    const stone_layout *l =
        json_string_length(layout) == strlen(name) ? stone_layout_find(name) : NULL;
    if (l == NULL) {
        /* print at most 40 bytes, and nothing that is not printable ASCII */
        char shown[41];
        size_t i = 0;
        for (; i < 40 && i < json_string_length(layout); i++)
            shown[i] = name[i] >= 0x20 && name[i] < 0x7f ? name[i] : '?';
        shown[i] = '\0';
        st = cairn_error_set(err, CAIRN_ERR_PARSE, "unknown layout '%s': Stone v3's layouts are %s",
                             shown, stone_layout_list());
        goto out;
    }
    json_t *ns = json_object_get(root, "n_steps");
    if (ns == NULL || !json_is_integer(ns) || json_integer_value(ns) <= 0) {
        st = cairn_error_set(err, CAIRN_ERR_PARSE, "\"n_steps\" %s",
                             ns == NULL ? "is missing" : "must be a positive integer");
        goto out;
    }
    snprintf(run->layout, sizeof run->layout, "%s", l->name);
    run->dynamic = strcmp(l->name, "dynamic") == 0;
    run->n_steps = (uint64_t)json_integer_value(ns);
    run->cpu_component_step = 1;
    run->n_columns = l->columns_first + l->columns_second;
    run->min_trace_length = (uint64_t)1 << l->log_min_trace;
    snprintf(run->min_reason, sizeof run->min_reason, "%s", l->min_component);
    json_t *dp = json_object_get(root, "dynamic_params");
    if (dp != NULL && !json_is_null(dp) && !json_is_object(dp)) {
        st = cairn_error_set(err, CAIRN_ERR_PARSE, "\"dynamic_params\" must be an object or null");
        goto out;
    }
    if (run->dynamic) {
        if (dp == NULL || json_is_null(dp)) {
            st = cairn_error_set(
                err, CAIRN_ERR_PARSE,
                "layout 'dynamic' needs \"dynamic_params\" with cpu_component_step");
            goto out;
        }
        if ((st = read_dynamic(run, dp, err)) != CAIRN_OK)
            goto out;
    } else if (dp != NULL && json_is_object(dp) && json_object_size(dp) != 0) {
        st = cairn_error_set(err, CAIRN_ERR_PARSE,
                             "\"dynamic_params\" has %zu members but layout '%s' takes none "
                             "(Stone asserts their number)",
                             json_object_size(dp), l->name);
        goto out;
    }
    st = stone_run_finish(run, err);
    if (st == CAIRN_ERR_ARG) { /* a value in the file, not on the command line */
        st = CAIRN_ERR_PARSE;
        if (err != NULL)
            err->code = st;
    }
out:
    json_decref(root);
    if (st != CAIRN_OK)
        memset(run, 0, sizeof *run);
    return st;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

/*
 * obj[key] = v, taking v; returns v (borrowed: obj owns it) or NULL with
 * *ok = 0.  Once *ok is 0 it only releases v, so a sequence of calls needs
 * one check at the end and the root's release frees everything.
 */
static json_t *add(json_t *obj, const char *key, json_t *v, int *ok)
{
    if (!*ok || obj == NULL || v == NULL) {
        json_decref(v);
        *ok = 0;
        return NULL;
    }
    if (json_object_set_new(obj, key, v) != 0) { /* jansson released v */
        *ok = 0;
        return NULL;
    }
    return v;
}

static cairn_status dump(char **out, json_t *root, int ok, cairn_error *err)
{
    *out = NULL;
    char *s = ok ? json_dumps(root, JSON_INDENT(4) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(root);
    if (s == NULL)
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory writing JSON");
    size_t n = strlen(s);
    char *t = malloc(n + 2);
    if (t == NULL) {
        free(s);
        return cairn_error_set(err, CAIRN_ERR_NOMEM, "out of memory writing JSON");
    }
    memcpy(t, s, n);
    t[n] = '\n';
    t[n + 1] = '\0';
    free(s);
    *out = t;
    return CAIRN_OK;
}

cairn_status cairn_stone_params_json(char **out, const cairn_stone_params *p, cairn_error *err)
{
    int ok = 1;
    json_t *root = json_object();
    if (root == NULL)
        ok = 0;
    add(root, "field", json_string("PrimeField0"), &ok);
    int integrity = p->opt.target == CAIRN_STONE_TARGET_INTEGRITY;
    if (integrity) {
        /*
         * Integrity's own examples/proofs/cpu_air_params.json and its stone6
         * example proofs: a Poseidon channel and Poseidon Merkle layers (1000
         * covers every layer), the masked hash of the build for the rest and
         * for the proof of work, Pedersen for the public memory pages.
         */
        int blake = p->opt.hasher == CAIRN_STONE_HASHER_BLAKE2S_248_LSB;
        add(root, "channel_hash", json_string("poseidon3"), &ok);
        add(root, "commitment_hash",
            json_string(blake ? "blake256_masked248_lsb" : "keccak256_masked160_lsb"), &ok);
        add(root, "n_verifier_friendly_commitment_layers", json_integer(1000), &ok);
        add(root, "pow_hash", json_string(blake ? "blake256" : "keccak256"), &ok);
        json_t *statement = add(root, "statement", json_object(), &ok);
        add(statement, "page_hash", json_string("pedersen"), &ok);
    }
    json_t *stark = add(root, "stark", json_object(), &ok);
    json_t *fri = add(stark, "fri", json_object(), &ok);
    json_t *steps = add(fri, "fri_step_list", json_array(), &ok);
    for (unsigned i = 0; ok && i < p->n_fri_steps; i++)
        if (json_array_append_new(steps, json_integer(p->fri_step_list[i])) != 0)
            ok = 0;
    add(fri, "last_layer_degree_bound", json_integer((json_int_t)p->last_layer_degree_bound), &ok);
    add(fri, "n_queries", json_integer(p->n_queries), &ok);
    add(fri, "proof_of_work_bits", json_integer(p->opt.pow_bits), &ok);
    add(stark, "log_n_cosets", json_integer(p->opt.log_n_cosets), &ok);
    add(root, "use_extension_field", json_false(), &ok);
    if (integrity) {
        add(root, "verifier_friendly_channel_updates", json_true(), &ok);
        add(root, "verifier_friendly_commitment_hash", json_string("poseidon3"), &ok);
    }
    return dump(out, root, ok, err);
}

cairn_status cairn_stone_prover_config_json(char **out, const cairn_stone_prover_config *c,
                                            cairn_error *err)
{
    int ok = 1;
    json_t *root = json_object();
    if (root == NULL)
        ok = 0;
    json_t *lde = add(root, "cached_lde_config", json_object(), &ok);
    add(lde, "store_full_lde", json_boolean(c->store_full_lde), &ok);
    add(lde, "use_fft_for_eval", json_boolean(c->use_fft_for_eval), &ok);
    add(root, "constraint_polynomial_task_size", json_integer(c->constraint_polynomial_task_size),
        &ok);
    json_t *fri = add(root, "fri_prover", json_object(), &ok);
    add(fri, "max_non_chunked_layer_size", json_integer((json_int_t)c->max_non_chunked_layer_size),
        &ok);
    add(fri, "n_chunks_between_layers", json_integer(c->n_chunks_between_layers), &ok);
    add(fri, "log_n_max_in_memory_fri_layer_elements",
        json_integer(c->log_n_max_in_memory_fri_layer_elements), &ok);
    add(root, "n_out_of_memory_merkle_layers", json_integer(c->n_out_of_memory_merkle_layers), &ok);
    add(root, "table_prover_n_tasks_per_segment", json_integer(c->table_prover_n_tasks_per_segment),
        &ok);
    return dump(out, root, ok, err);
}
