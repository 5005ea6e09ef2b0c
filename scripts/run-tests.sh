#!/bin/bash
# Run the test suite in both build variants, then the CLI, service and
# PostgreSQL (many processes) test scripts, print the time of each run and
# the ten slowest tests (the harness prints each test's milliseconds; each
# script counts as one), and close with the combined line "N passed, N failed".  Arguments are passed to
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

# now_ms: milliseconds since the epoch.
now_ms() { echo $(($(date +%s%N) / 1000000)); }
declare -A run_ms

for variant in release asan; do
    t0=$(now_ms)
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
    run_ms[$variant]=$(($(now_ms) - t0))
done

# run_script NAME SCRIPT: run a shell test script against the release build,
# tally its closing line and time it.
run_script() {
    local name=$1 script=$2 log="$out/release/$1-test.log" t0
    echo "== $name: $script $out/release"
    t0=$(now_ms)
    bash "$script" "$out/release" 2>&1 | tee "$log"
    tally "$name" "$log" "${PIPESTATUS[0]}"
    run_ms[$name]=$(($(now_ms) - t0))
}

run_script cli tests/cli_test.sh
run_script service tests/service_test.sh
run_script pg tests/pg_test.sh

echo "== times: release $((run_ms[release] / 1000)) s, asan $((run_ms[asan] / 1000)) s, cli $((run_ms[cli] / 1000)) s, service $((run_ms[service] / 1000)) s, pg $((run_ms[pg] / 1000)) s ($(uptime | sed 's/.*load/load/'))"
echo "== ten slowest tests"
{
    for variant in release asan; do
        sed -n 's/^  \([^ ]*\) .* ok (\([0-9]*\) ms)$/\2 '"$variant"' \1/p' "$out/$variant/test.log"
    done
    echo "${run_ms[cli]} cli tests/cli_test.sh"
    echo "${run_ms[service]} service tests/service_test.sh"
    echo "${run_ms[pg]} pg tests/pg_test.sh"
} | sort -rn | head -n 10 | awk '{ printf "  %8.1f s  %-8s %s\n", $1 / 1000, $2, $3 }'

# The failures again, at the end where a truncated log still shows them,
# with the seed that replays them.
if [ "$total_fail" != 0 ]; then
    echo "== failed"
    for variant in release asan; do
        log="$out/$variant/test.log"
        [ -f "$log" ] || continue
        seed=$(sed -n 's/^seed: \([0-9]*\).*/\1/p' "$log" | head -n 1)
        grep -E 'FAIL |^    [^ ]+:[0-9]+: ' "$log" | head -n 20 | sed "s/^/  $variant (--seed $seed): /"
    done
    for name in cli service pg; do
        log="$out/release/$name-test.log"
        [ -f "$log" ] && grep -E ' FAIL' "$log" | head -n 20 | sed "s/^ */  $name: /"
    done
fi

echo "== all"
echo "$total_pass passed, $total_fail failed"
exit $status
