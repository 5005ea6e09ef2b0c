/*
 * tests.h — the suite registry: every tests/test_<area>.c exports one
 * table of cases, listed in tests/main.c.
 */
#ifndef CAIRN_TESTS_H
#define CAIRN_TESTS_H

#include "harness.h"

struct test_suite {
    const char *name;
    const struct test_case *cases;
};

extern const struct test_suite test_suites[];

/* Called once before the first test; non-zero stops the run (counted as one failure). */
int test_startup(void);

extern const struct test_case test_field_cases[];
extern const struct test_case test_ntt_cases[];
extern const struct test_case test_sha256_cases[];
extern const struct test_case test_merkle_cases[];
extern const struct test_case test_transcript_cases[];
extern const struct test_case test_poly_cases[];
extern const struct test_case test_sumcheck_cases[];
extern const struct test_case test_gkr_cases[];
extern const struct test_case test_gkr_lookup_cases[];
extern const struct test_case test_elf_cases[];
extern const struct test_case test_vm_cases[];
extern const struct test_case test_vm_diff_cases[];
extern const struct test_case test_witness_cases[];
extern const struct test_case test_checkpoint_cases[];
extern const struct test_case test_pcs_cases[];
extern const struct test_case test_zkvm_air_cases[];
extern const struct test_case test_zkvm_cases[];
extern const struct test_case test_zkvm_lies_cases[];
extern const struct test_case test_lean_cases[];
extern const struct test_case test_lean_file_cases[];
extern const struct test_case test_lean_m_cases[];
extern const struct test_case test_lean_replay_cases[];
extern const struct test_case test_engine_cases[];
extern const struct test_case test_service_cases[];
extern const struct test_case test_stone_cases[];

#endif
