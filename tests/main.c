/*
 * main.c — the list of test suites, in pipeline order.  Add a suite here
 * and declare its table in tests.h.
 */
#include <stdio.h>

/* the umbrella header, compiled here with every warning: it must stand on its own */
#include "cairn/cairn.h"
#include "tests.h"

/*
 * Run before any test: every hash in cairn comes from the linked libcrypto,
 * so a libcrypto that fails the FIPS 180-2 vectors makes every other result
 * meaningless.  Returns 0 to go on.
 */
int test_startup(void)
{
    cairn_error err;
    if (cairn_sha256_selftest(&err) != CAIRN_OK) {
        printf("startup: libcrypto SHA-256 known-answer check FAILED: %s\n", err.msg);
        return 1;
    }
    printf("startup: libcrypto SHA-256 known-answer check ok\n");
    return 0;
}

const struct test_suite test_suites[] = {
    {"field", test_field_cases},
    {"ntt", test_ntt_cases},
    {"sha256", test_sha256_cases},
    {"merkle", test_merkle_cases},
    {"transcript", test_transcript_cases},
    {"poly", test_poly_cases},
    {"sumcheck", test_sumcheck_cases},
    {"gkr", test_gkr_cases},
    {"gkr_lookup", test_gkr_lookup_cases},
    {"elf", test_elf_cases},
    {"vm", test_vm_cases},
    {"vm_diff", test_vm_diff_cases},
    {"witness", test_witness_cases},
    {"checkpoint", test_checkpoint_cases},
    {"pcs", test_pcs_cases},
    {"zkvm_air", test_zkvm_air_cases},
    {"zkvm", test_zkvm_cases},
    {"zkvm_lies", test_zkvm_lies_cases},
    {"lean", test_lean_cases},
    {"lean_file", test_lean_file_cases},
    {"lean_m", test_lean_m_cases},
    {"lean_replay", test_lean_replay_cases},
    {"engine", test_engine_cases},
    {"service", test_service_cases},
    {"stone", test_stone_cases},
    {NULL, NULL},
};
