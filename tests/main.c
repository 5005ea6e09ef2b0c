/*
 * main.c — the list of test suites, in pipeline order.  Add a suite here
 * and declare its table in tests.h.
 */
#include "tests.h"

const struct test_suite test_suites[] = {
    {"field", test_field_cases},
    {"ntt", test_ntt_cases},
    {"sha256", test_sha256_cases},
    {"merkle", test_merkle_cases},
    {"transcript", test_transcript_cases},
    {NULL, NULL},
};
