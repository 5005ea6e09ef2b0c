#!/bin/bash
# Run the test suite in both build variants, then the CLI tests, and print
# the combined closing line "N passed, N failed".  Arguments are passed to
# both test binaries (--filter, --seed, ...).  O names the build directory.
# Exit status: 0 when every test passed and every run exited cleanly.
set -u -o pipefail

out="${O:-build}"
total_pass=0
total_fail=0
status=0

# tally NAME LOG RC: add the closing line of LOG to the totals.  A run that
# printed no closing line crashed (or a sanitizer stopped it); one that
# passed everything but exited non-zero failed afterwards (a leak report).
tally() {
    local name=$1 log=$2 rc=$3 last p f
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
    if [ -z "$last" ]; then
        echo "== $name: did not finish (exit status $rc: crash or sanitizer report)"
        total_fail=$((total_fail + 1))
        status=1
        return
    fi
    p=${last%% passed*}
    f=${last#*passed, }
    f=${f%% failed*}
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$f" != 0 ]; then
        status=1
    elif [ "$rc" != 0 ]; then
        echo "== $name: exit status $rc after the last test"
        total_fail=$((total_fail + 1))
        status=1
    fi
}

for variant in release asan; do
    bin="$out/$variant/cairn-tests"
    log="$out/$variant/test.log"
    # The sanitized build is several times slower: fewer random iterations.
    if [ "$variant" = asan ]; then
        iters="${CAIRN_TEST_ITERS_ASAN:-200}"
    else
        iters="${CAIRN_TEST_ITERS:-1000}"
    fi
    echo "== $variant: $bin $*"
    CAIRN_TEST_ITERS="$iters" "$bin" "$@" 2>&1 | tee "$log"
    tally "$variant" "$log" "${PIPESTATUS[0]}"
done

echo "== cli: tests/cli_test.sh $out/release"
log="$out/release/cli-test.log"
bash tests/cli_test.sh "$out/release" 2>&1 | tee "$log"
tally cli "$log" "${PIPESTATUS[0]}"

echo "== service: tests/service_test.sh $out/release"
log="$out/release/service-test.log"
bash tests/service_test.sh "$out/release" 2>&1 | tee "$log"
tally service "$log" "${PIPESTATUS[0]}"

echo "== all"
echo "$total_pass passed, $total_fail failed"
exit $status
