/*
 * cmd_stone_params.c — `cairn stone-params`: a cpu_air_params.json (and on
 * request a cpu_air_prover_config.json) for StarkWare's Stone prover, for any
 * trace size, checked for Stone or for the Integrity verifier
 * (docs/stone-params.md, cairn/stone.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cairn/file.h"
#include "cairn/stone.h"
#include "cli.h"

/* A public input can carry a large public memory; Stone's own are tens of MB at most. */
#define STONE_INPUT_MAX_BYTES ((size_t)1 << 30)

void cmd_stone_params_help(FILE *out)
{
    fprintf(out,
            "usage: cairn stone-params --public-input FILE [options]\n"
            "       cairn stone-params --n-steps N --layout LAYOUT [--cpu-component-step S] "
            "[options]\n"
            "\n"
            "Write a cpu_air_params.json for StarkWare's Stone prover (cpu_air_prover, v3):\n"
            "fri_step_list and last_layer_degree_bound chosen by a rule that fits the trace\n"
            "length exactly and minimises the FRI part of the proof, n_queries for the target\n"
            "security (Stone's conjectured security: n_queries * log_n_cosets + PoW bits).\n"
            "\n"
            "  --public-input FILE      Stone's public input (cairo-run --air_public_input);\n"
            "                           layout, n_steps and dynamic_params are read from it\n"
            "  --n-steps N              instead of a file: n_steps (a power of two; 2^K works)\n"
            "  --layout LAYOUT          and the layout (plain, small, dex, recursive, starknet,\n"
            "                           starknet_with_keccak, recursive_with_poseidon, ...)\n"
            "  --cpu-component-step S   the dynamic layout's cpu_component_step (default 1)\n"
            "  --target integrity|stone the verifier (default integrity: Integrity on Starknet,\n"
            "                           with its hash settings; stone: cpu_air_verifier only)\n"
            "  --security BITS          conjectured security wanted (default 96)\n"
            "  --blowup LOG2            log_n_cosets (default 2 for integrity, 4 for stone)\n"
            "  --pow BITS               proof-of-work bits (default 24; Integrity: 20..49)\n"
            "  --hasher H               Integrity's hasher: keccak_160_lsb (default) or\n"
            "                           blake2s_248_lsb (Integrity's stone6 settings)\n"
            "  -o FILE                  write the parameters to FILE (default: standard output)\n"
            "  --prover-config FILE     also write a cpu_air_prover_config.json sized to memory\n"
            "  --memory SIZE            the memory to size it to (suffix K, M or G; default:\n"
            "                           this machine's)\n"
            "  --quiet                  print no summary\n"
            "\n"
            "Exit status: 0 written; 2 usage or a target that cannot take the run; 3 malformed\n"
            "public input; 4 I/O error; 5 n_steps too small or too large for the layout.\n");
}

/* Decimal, or 2^K; 0 on a malformed value. */
static int parse_u64(const char *s, uint64_t *out)
{
    uint64_t k;
    if (s[0] == '2' && s[1] == '^') {
        if (!cli_parse_size(s + 2, &k) || k > 63)
            return 0;
        *out = (uint64_t)1 << k;
        return 1;
    }
    return cli_parse_size(s, out);
}

static int parse_unsigned(const char *s, unsigned max, unsigned *out)
{
    uint64_t v;
    if (!cli_parse_size(s, &v) || v > max)
        return 0;
    *out = (unsigned)v;
    return 1;
}

/* log2 of a power of two */
static unsigned log2u(uint64_t v)
{
    unsigned l = 0;
    while (v > 1) {
        v >>= 1;
        l++;
    }
    return l;
}

static double gib(uint64_t b)
{
    return (double)b / (double)((uint64_t)1 << 30);
}

static int write_out(const char *path, const char *text)
{
    cairn_error err;
    cairn_error_clear(&err);
    if (cairn_file_write_atomic(path, (const uint8_t *)text, strlen(text), &err) != CAIRN_OK) {
        cli_error("cannot write %s", err.msg);
        return CLI_EXIT_IO;
    }
    return CLI_EXIT_OK;
}

int cmd_stone_params(int argc, char **argv)
{
    const char *input = NULL, *layout = NULL, *out_path = NULL, *config_path = NULL;
    uint64_t n_steps = 0, step = 0, memory = 0;
    int have_steps = 0, have_step = 0, have_memory = 0, quiet = 0;
    int have_security = 0, have_blowup = 0, have_pow = 0, have_hasher = 0;
    unsigned security = 0, blowup = 0, pow = 0;
    cairn_stone_target target = CAIRN_STONE_TARGET_INTEGRITY;
    cairn_stone_hasher hasher = CAIRN_STONE_HASHER_KECCAK_160_LSB;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (cli_is_help(a)) {
            cmd_stone_params_help(stdout);
            return CLI_EXIT_OK;
        }
        if (strcmp(a, "--quiet") == 0) {
            quiet = 1;
            continue;
        }
        static const char *const with_value[] = {"--public-input",
                                                 "--n-steps",
                                                 "--layout",
                                                 "--cpu-component-step",
                                                 "--target",
                                                 "--security",
                                                 "--blowup",
                                                 "--pow",
                                                 "--hasher",
                                                 "-o",
                                                 "--prover-config",
                                                 "--memory",
                                                 NULL};
        int known = 0;
        for (const char *const *w = with_value; *w != NULL; w++)
            known |= strcmp(a, *w) == 0;
        if (!known) {
            if (a[0] == '-' && a[1] != '\0')
                return cli_usage_error("stone-params", "unknown option '%s'", a);
            return cli_usage_error("stone-params", "unexpected argument '%s'", a);
        }
        if (i + 1 >= argc)
            return cli_usage_error("stone-params", "option '%s' needs a value", a);
        const char *v = argv[++i];
        if (strcmp(a, "--public-input") == 0) {
            input = v;
        } else if (strcmp(a, "--n-steps") == 0) {
            if (!parse_u64(v, &n_steps) || n_steps == 0)
                return cli_usage_error("stone-params",
                                       "--n-steps '%s': expected a positive "
                                       "integer or 2^K",
                                       v);
            have_steps = 1;
        } else if (strcmp(a, "--layout") == 0) {
            layout = v;
        } else if (strcmp(a, "--cpu-component-step") == 0) {
            if (!parse_u64(v, &step) || step == 0)
                return cli_usage_error("stone-params",
                                       "--cpu-component-step '%s': expected a "
                                       "positive integer",
                                       v);
            have_step = 1;
        } else if (strcmp(a, "--target") == 0) {
            if (strcmp(v, "integrity") == 0)
                target = CAIRN_STONE_TARGET_INTEGRITY;
            else if (strcmp(v, "stone") == 0)
                target = CAIRN_STONE_TARGET_STONE;
            else
                return cli_usage_error("stone-params", "--target '%s': expected integrity or stone",
                                       v);
        } else if (strcmp(a, "--security") == 0) {
            if (!parse_unsigned(v, 256, &security) || security == 0)
                return cli_usage_error("stone-params", "--security '%s': expected 1..256 bits", v);
            have_security = 1;
        } else if (strcmp(a, "--blowup") == 0) {
            if (!parse_unsigned(v, 16, &blowup) || blowup == 0)
                return cli_usage_error("stone-params",
                                       "--blowup '%s': expected log2 of the blowup, 1..16 (every "
                                       "Stone layout has constraint degree 2)",
                                       v);
            have_blowup = 1;
        } else if (strcmp(a, "--pow") == 0) {
            if (!parse_unsigned(v, 64, &pow))
                return cli_usage_error("stone-params", "--pow '%s': expected 0..64 bits", v);
            have_pow = 1;
        } else if (strcmp(a, "--hasher") == 0) {
            if (strcmp(v, "keccak_160_lsb") == 0)
                hasher = CAIRN_STONE_HASHER_KECCAK_160_LSB;
            else if (strcmp(v, "blake2s_248_lsb") == 0)
                hasher = CAIRN_STONE_HASHER_BLAKE2S_248_LSB;
            else
                return cli_usage_error(
                    "stone-params", "--hasher '%s': expected keccak_160_lsb or blake2s_248_lsb", v);
            have_hasher = 1;
        } else if (strcmp(a, "-o") == 0) {
            out_path = v;
        } else if (strcmp(a, "--prover-config") == 0) {
            config_path = v;
        } else { /* --memory */
            if (!cli_parse_size(v, &memory) || memory == 0)
                return cli_usage_error("stone-params", "--memory '%s': expected a size such as 64G",
                                       v);
            have_memory = 1;
        }
    }
    if (input != NULL && (have_steps || layout != NULL || have_step))
        return cli_usage_error("stone-params", "--public-input cannot be combined with --n-steps, "
                                               "--layout or --cpu-component-step");
    if (input == NULL && (!have_steps || layout == NULL))
        return cli_usage_error("stone-params",
                               "expected --public-input FILE, or --n-steps N and --layout LAYOUT");
    if (have_step && strcmp(layout, "dynamic") != 0)
        return cli_usage_error("stone-params", "--cpu-component-step applies to the dynamic layout "
                                               "only (every fixed layout has step 1)");
    if (have_hasher && target != CAIRN_STONE_TARGET_INTEGRITY)
        return cli_usage_error("stone-params", "--hasher applies to --target integrity only");
    if (have_memory && config_path == NULL)
        return cli_usage_error("stone-params", "--memory needs --prover-config");

    cairn_error err;
    cairn_error_clear(&err);
    cairn_stone_run run;
    cairn_status st;
    if (input != NULL) {
        uint8_t *buf = NULL;
        size_t len = 0;
        st = cli_read_file(input, STONE_INPUT_MAX_BYTES, &buf, &len, &err);
        if (st != CAIRN_OK) {
            cli_error("--public-input %s", err.msg);
            return cli_exit_for_status(st);
        }
        st = cairn_stone_public_input_parse(&run, buf, len, &err);
        free(buf);
        if (st != CAIRN_OK) {
            cli_error("%s: %s", input, err.msg);
            return cli_exit_for_status(st);
        }
    } else if ((st = cairn_stone_run_from_layout(&run, layout, n_steps, step, &err)) != CAIRN_OK) {
        cli_error("%s", err.msg);
        return cli_exit_for_status(st);
    }

    cairn_stone_options opt;
    cairn_stone_options_default(&opt, target);
    opt.hasher = hasher;
    if (have_security)
        opt.security_bits = security;
    if (have_blowup)
        opt.log_n_cosets = blowup;
    if (have_pow)
        opt.pow_bits = pow;
    cairn_stone_params p;
    if ((st = cairn_stone_params_choose(&p, &run, &opt, &err)) != CAIRN_OK) {
        cli_error("%s", err.msg);
        return cli_exit_for_status(st);
    }

    cairn_stone_prover_config cfg;
    if (config_path != NULL) {
        if (!have_memory && (memory = cairn_stone_physical_memory()) == 0) {
            cli_error("cannot tell this machine's memory: give --memory SIZE");
            return CLI_EXIT_USAGE;
        }
        cairn_stone_prover_config_choose(&cfg, &run, &p, memory);
    }

    char *text = NULL, *cfg_text = NULL;
    int rc = CLI_EXIT_OK;
    if ((st = cairn_stone_params_json(&text, &p, &err)) != CAIRN_OK ||
        (config_path != NULL &&
         (st = cairn_stone_prover_config_json(&cfg_text, &cfg, &err)) != CAIRN_OK)) {
        cli_error("%s", err.msg);
        rc = cli_exit_for_status(st);
        goto out;
    }
    if (out_path != NULL) {
        if ((rc = write_out(out_path, text)) != CLI_EXIT_OK)
            goto out;
    } else {
        fputs(text, stdout);
    }
    if (config_path != NULL && (rc = write_out(config_path, cfg_text)) != CLI_EXIT_OK)
        goto out;

    /* The summary: on standard output after -o, else on standard error. */
    FILE *sum = out_path != NULL ? stdout : stderr;
    if (!quiet) {
        fprintf(sum, "%s: layout %s, n_steps %" PRIu64 " = 2^%u, trace 2^%u rows, target %s",
                out_path != NULL ? out_path : "parameters", run.layout, run.n_steps,
                log2u(run.n_steps), p.log_trace_length, cairn_stone_target_name(opt.target));
        if (opt.target == CAIRN_STONE_TARGET_INTEGRITY)
            fprintf(sum, " (%s, stone6)", cairn_stone_hasher_name(opt.hasher));
        fprintf(sum, "\n  fri_step_list [");
        for (unsigned i = 0; i < p.n_fri_steps; i++)
            fprintf(sum, "%s%u", i ? ", " : "", p.fri_step_list[i]);
        fprintf(sum, "], last_layer_degree_bound %" PRIu64 " (2^%u)\n", p.last_layer_degree_bound,
                log2u(p.last_layer_degree_bound));
        fprintf(sum,
                "  n_queries %u * log_n_cosets %u + proof_of_work_bits %u = %u bits, conjectured "
                "(target %u)\n",
                p.n_queries, opt.log_n_cosets, opt.pow_bits, p.security_bits, opt.security_bits);
        if (config_path != NULL)
            fprintf(sum,
                    "%s: store_full_lde %s, n_out_of_memory_merkle_layers %u, FRI layers in "
                    "memory up to 2^%u elements; estimated peak %.1f GiB for %.1f GiB of memory "
                    "(%u trace columns%s)\n",
                    config_path, cfg.store_full_lde ? "true" : "false",
                    cfg.n_out_of_memory_merkle_layers, cfg.log_n_max_in_memory_fri_layer_elements,
                    gib(cfg.estimated_peak), gib(cfg.memory_budget), cfg.n_columns_assumed,
                    run.n_columns == 0 ? ", assumed" : "");
    }
    if (config_path != NULL && !cfg.fits)
        fprintf(stderr,
                "cairn: warning: the prover's estimated peak of %.1f GiB exceeds 3/4 of the %.1f "
                "GiB of memory even with every memory-saving setting: Stone may run out of "
                "memory (a larger machine, or a smaller --blowup with more queries, helps)\n",
                gib(cfg.estimated_peak), gib(cfg.memory_budget));
out:
    free(text);
    free(cfg_text);
    return rc;
}
