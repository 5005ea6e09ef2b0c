/* test_sha256.c — placeholder until the sha256 tests land. */
#include "tests.h"

const struct test_case test_sha256_cases[] = {
    TEST_END,
};
