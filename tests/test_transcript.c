/* test_transcript.c — placeholder until the transcript tests land. */
#include "tests.h"

const struct test_case test_transcript_cases[] = {
    TEST_END,
};
