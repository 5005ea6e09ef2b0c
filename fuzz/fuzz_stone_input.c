/*
 * fuzz_stone_input.c — fuzz target for the Stone public input parser
 * (untrusted bytes: the public_input.json a user hands to
 * `cairn stone-params --public-input`), and for what is built on it.
 *
 * Properties (a violation returns 1, which the libFuzzer entry point turns
 * into abort()):
 *   - the parser returns OK, PARSE, LIMIT or NOMEM, with a message on
 *     failure and a cleared description;
 *   - a description it accepts is consistent: n_steps and cpu_component_step
 *     powers of two, log_trace_length = log2(n_steps * 16 * step) within the
 *     limit and the trace at least the layout's smallest;
 *   - for both targets the parameters are chosen (or, for Integrity, refused
 *     with ARG) and the text written parses back as JSON whose FRI product
 *     last_layer_degree_bound * prod 2^fri_step_list[i] is the trace length.
 * Seed corpus: fuzz/corpus/stone_input/.  With -DCAIRN_FUZZ_NO_MAIN (as in
 * the test binary) only cairn_fuzz_stone_input is defined.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/stone.h"

int cairn_fuzz_stone_input(const uint8_t *data, size_t len);

/* Does the text's FRI product equal 2^log_trace? */
static int product_ok(const char *text, unsigned log_trace)
{
    json_t *root = json_loads(text, 0, NULL);
    json_t *fri = json_object_get(json_object_get(root, "stark"), "fri");
    json_t *list = json_object_get(fri, "fri_step_list");
    json_t *last = json_object_get(fri, "last_layer_degree_bound");
    int ok = json_is_array(list) && json_is_integer(last) && json_integer_value(last) > 0;
    uint64_t lb = ok ? (uint64_t)json_integer_value(last) : 0;
    unsigned sum = 0;
    while (ok && lb > 1) {
        ok = (lb & 1) == 0;
        lb >>= 1;
        sum++;
    }
    for (size_t i = 0; ok && i < json_array_size(list); i++) {
        json_t *s = json_array_get(list, i);
        ok = json_is_integer(s) && json_integer_value(s) >= 0 && json_integer_value(s) <= 64 &&
             (i == 0) == (json_integer_value(s) == 0);
        if (ok)
            sum += (unsigned)json_integer_value(s);
    }
    json_decref(root);
    return ok && sum == log_trace;
}

int cairn_fuzz_stone_input(const uint8_t *data, size_t len)
{
    cairn_stone_run run;
    cairn_error err;
    cairn_error_clear(&err);
    static const uint8_t empty[1] = {0};
    cairn_status st = cairn_stone_public_input_parse(&run, data != NULL ? data : empty, len, &err);
    if (st != CAIRN_OK) {
        if ((st != CAIRN_ERR_PARSE && st != CAIRN_ERR_LIMIT && st != CAIRN_ERR_NOMEM) ||
            err.msg[0] == '\0' || run.n_steps != 0 || run.layout[0] != '\0')
            return 1;
        return 0;
    }
    uint64_t n = run.n_steps, step = run.cpu_component_step;
    if (n == 0 || (n & (n - 1)) != 0 || step == 0 || (step & (step - 1)) != 0 ||
        run.log_trace_length > CAIRN_STONE_MAX_LOG_TRACE)
        return 1;
    unsigned ln = 0, ls = 0;
    while (((uint64_t)1 << ln) < n)
        ln++;
    while (((uint64_t)1 << ls) < step)
        ls++;
    if (run.log_trace_length != ln + ls + 4 ||
        ((uint64_t)1 << run.log_trace_length) < run.min_trace_length)
        return 1;
    int bad = 0;
    for (int t = 0; t < 2 && !bad; t++) {
        cairn_stone_options opt;
        cairn_stone_params p;
        cairn_stone_options_default(&opt,
                                    t ? CAIRN_STONE_TARGET_INTEGRITY : CAIRN_STONE_TARGET_STONE);
        st = cairn_stone_params_choose(&p, &run, &opt, &err);
        if (st == CAIRN_ERR_ARG && t == 1 && !cairn_stone_layout_integrity(run.layout))
            continue;
        if (st != CAIRN_OK)
            return 1;
        char *text = NULL;
        if (cairn_stone_params_json(&text, &p, &err) != CAIRN_OK)
            continue; /* out of memory */
        bad = !product_ok(text, run.log_trace_length) || p.security_bits < opt.security_bits;
        free(text);
    }
    return bad;
}

#ifndef CAIRN_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (cairn_fuzz_stone_input(data, size) != 0)
        abort();
    return 0;
}
#endif
