/* test_ntt.c — placeholder until the ntt tests land. */
#include "tests.h"

const struct test_case test_ntt_cases[] = {
    TEST_END,
};
