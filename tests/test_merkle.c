/* test_merkle.c — placeholder until the merkle tests land. */
#include "tests.h"

const struct test_case test_merkle_cases[] = {
    TEST_END,
};
