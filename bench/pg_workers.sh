#!/bin/bash
# pg_workers.sh — throughput and latency of `cairn worker`s sharing one
# PostgreSQL job store (docs/benchmarks.md, "Many workers").  A private
# cluster (tests/pg_cluster.sh), one API server with no workers of its own
# (`cairn serve --workers 0`), and for each worker count (default "1 3")
# that many `cairn worker`s on this machine: JOBS (default 200) jobs of the
# hello guest are submitted at once, and the run ends when the last is
# final.  Throughput is jobs over the wall time from the first submission
# to the last end; latency is each job's end minus its creation, both by
# the database's clock (queueing included); prove is the prover's own time.
# Usage: bench/pg_workers.sh [BUILD_DIR] (JOBS=N WORKERS="1 3" to change).
set -u

bdir="${1:-build/release}"
bin="$bdir/cairn"
hello="$(dirname "$bdir")/guests/rv32i/hello.elf"
jobs=${JOBS:-200}
counts=${WORKERS:-1 3}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
pids=()
# shellcheck source=tests/pg_cluster.sh
. "$here/tests/pg_cluster.sh"

cleanup() {
    local p
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    wait 2>/dev/null
    pg_stop
    rm -rf "$tmp"
}
trap cleanup EXIT

[ -x "$bin" ] && [ -f "$hello" ] || { echo "build first: make && make guests" >&2; exit 1; }
pg_start "$tmp/pg" || exit 1

"$bin" serve --listen 127.0.0.1:0 --db "$PGURL" --data-dir "$tmp/api" --workers 0 \
    >"$tmp/api.out" 2>"$tmp/api.err" &
pids+=("$!")
url=""
for i in $(seq 200); do
    url=$(sed -n 's/^cairn serve: listening on //p' "$tmp/api.out" 2>/dev/null)
    [ -n "$url" ] && break
    sleep 0.05
done
[ -n "$url" ] || { echo "the API server did not start: $(cat "$tmp/api.err")" >&2; exit 1; }
sha=$(curl -s --data-binary "@$hello" "$url/v1/programs" | jq -r .digest)

echo "== pg_workers: $jobs jobs of the hello guest, one API server, workers on this machine"
echo "   ($(nproc) cores; $(uptime | sed 's/.*load/load/'))"
printf '%-8s %9s %9s %12s %22s %16s\n' workers succeeded wall throughput "latency p50 / p90" "prove p50"
for n in $counts; do
    pg_sql "DELETE FROM job_attempts; DELETE FROM jobs;" >/dev/null
    wp=()
    for k in $(seq "$n"); do
        "$bin" worker --db "$PGURL" --name "w$k" --data-dir "$tmp/w$k" >"$tmp/w$k.out" \
            2>"$tmp/w$k.err" &
        wp+=("$!")
        pids+=("$!")
    done
    sleep 1
    for k in $(seq "$jobs"); do
        curl -s -o /dev/null -H 'Content-Type: application/json' \
            -d "{\"program\": \"$sha\"}" "$url/v1/jobs"
    done
    for i in $(seq 36000); do
        [ "$(pg_sql "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')")" = 0 ] &&
            break
        sleep 0.1
    done
    pg_sql "SELECT COUNT(*) FILTER (WHERE state = 'succeeded'),
        (MAX(finished_ms) - MIN(created_ms)) / 1000.0,
        COUNT(*) / ((MAX(finished_ms) - MIN(created_ms)) / 1000.0),
        percentile_cont(0.5) WITHIN GROUP (ORDER BY finished_ms - created_ms) / 1000.0,
        percentile_cont(0.9) WITHIN GROUP (ORDER BY finished_ms - created_ms) / 1000.0,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY prove_ms) / 1000.0 FROM jobs" |
        awk -F'|' -v n="$n" '{ printf "%-8s %9d %8.1fs %7.2f job/s %9.1f / %6.1f s %14.2f s\n",
            n, $1, $2, $3, $4, $5, $6 }'
    echo "   per worker: $(pg_sql "SELECT worker || '=' || COUNT(*) FROM jobs GROUP BY worker
        ORDER BY worker" | tr '\n' ' ')($(uptime | sed 's/.*load/load/'))"
    for p in "${wp[@]}"; do kill -TERM "$p"; done
    for p in "${wp[@]}"; do wait "$p"; done
done
