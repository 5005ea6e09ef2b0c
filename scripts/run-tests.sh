#!/bin/bash
# Run the test suite in both build variants and print the combined closing
# line "N passed, N failed".  Arguments are passed to both test binaries.
# Exit status: 0 when every test in both variants passed.
set -u -o pipefail

total_pass=0
total_fail=0
status=0
for variant in release asan; do
    bin="${O:-build}/$variant/cairn-tests"
    echo "== $variant: $bin $*"
    log="${O:-build}/$variant/test.log"
    # The sanitized build is several times slower: fewer random iterations.
    if [ "$variant" = asan ]; then
        iters="${CAIRN_TEST_ITERS_ASAN:-200}"
    else
        iters="${CAIRN_TEST_ITERS:-1000}"
    fi
    CAIRN_TEST_ITERS="$iters" "$bin" "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    if [ -z "$last" ]; then
        echo "== $variant: the test binary did not finish (crash or sanitizer report)"
        total_fail=$((total_fail + 1))
        status=1
        continue
    fi
    p=${last%% passed*}
    f=${last#*passed, }
    f=${f%% failed*}
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$f" != 0 ]; then
        status=1
    elif [ "$rc" != 0 ]; then
        # all tests passed but the process failed (e.g. a leak report at exit)
        echo "== $variant: exit status $rc after the last test"
        total_fail=$((total_fail + 1))
        status=1
    fi
done
echo "== cli: tests/cli_test.sh ${O:-build}/release"
log="${O:-build}/release/cli-test.log"
bash tests/cli_test.sh "${O:-build}/release" 2>&1 | tee "$log"
last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
if [ -z "$last" ]; then
    total_fail=$((total_fail + 1))
    status=1
else
    p=${last%% passed*}
    f=${last#*passed, }
    f=${f%% failed*}
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    [ "$f" = 0 ] || status=1
fi

echo "== all"
echo "$total_pass passed, $total_fail failed"
exit $status
