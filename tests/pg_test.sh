#!/bin/bash
# pg_test.sh — end-to-end tests of the PostgreSQL job store with many
# processes (docs/service.md, "Many machines"): a private PostgreSQL
# cluster (tests/pg_cluster.sh), one API server (`cairn serve --workers 0`)
# and three `cairn worker`s with short leases.  Jobs spread over the
# workers; kill -9 of a worker mid-proof and the job finishes on another;
# a stalled worker (SIGSTOP) loses its lease and its late result is
# refused; SIGTERM gives a job back; kill -9 of the API server loses no
# job; the store's history shows no two workers ever held one job at once.
# Usage: pg_test.sh BUILD_DIR.  Prints one line per check and closes with
# "N passed, N failed".  Every process it starts, the cluster included, is
# stopped on exit and its directory removed; every wait is bounded.
set -u

suite=pg
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/script_lib.sh
. "$here/script_lib.sh"
# shellcheck source=tests/pg_cluster.sh
. "$here/pg_cluster.sh"

cleanup() {
    stop_all
    pg_stop
    rm -rf "$tmp"
}
trap cleanup EXIT

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" = 0 ]
    exit
}

for need in curl jq sha256sum; do
    command -v "$need" >/dev/null || { bad setup "$need missing: run scripts/setup.sh"; finish; }
done
[ -f "$hello" ] && [ -f "$fib" ] || { bad setup "guests missing under $guests: run make guests"; finish; }

# ---- errors before any server ------------------------------------------------------------------
"$bin" worker --db "$tmp/jobs.db" >"$tmp/e.out" 2>"$tmp/e.err"
[ $? = 2 ] && grep -q 'needs a PostgreSQL URL' "$tmp/e.err"
check worker_refuses_sqlite $? "$(cat "$tmp/e.err")"
"$bin" worker --db 'postgres://cairn:s3cret@127.0.0.1:1/cairn' >"$tmp/e.out" 2>"$tmp/e.err"
rc=$?
[ $rc = 4 ] && grep -q 'postgres://cairn:\*\*\*@127.0.0.1:1/cairn' "$tmp/e.err" &&
    ! grep -q s3cret "$tmp/e.err"
check worker_unreachable_named_without_password $? "exit $rc: $(cat "$tmp/e.err")"
"$bin" serve --listen 127.0.0.1:0 --data-dir "$tmp/x" --db 'postgresql://u:pw@127.0.0.1:1/db' \
    >"$tmp/e.out" 2>"$tmp/e.err"
rc=$?
[ $rc = 4 ] && grep -q 'u:\*\*\*@' "$tmp/e.err" && ! grep -q ':pw@' "$tmp/e.err"
check serve_unreachable_exits_4 $? "exit $rc: $(cat "$tmp/e.err")"
"$bin" worker --help | grep -q 'FOR UPDATE SKIP LOCKED'
check worker_help $? "no help"

if ! pg_start "$tmp/pg" 2>"$tmp/pg.err"; then
    bad cluster_start "$(cat "$tmp/pg.err")"
    finish
fi
ok cluster_start

# The store's own lease tests (tests/test_service.c) against a database of the cluster.
if [ -x "$bdir/cairn-tests" ]; then
    "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U cairn unit
    CAIRN_TEST_PG_URL="postgres://cairn@127.0.0.1:$pg_port/unit" \
        "$bdir/cairn-tests" --filter store_leases_pg >"$tmp/unit.log" 2>&1
    grep -q '^1 passed, 0 failed$' "$tmp/unit.log" && ! grep -q '^checks: 0$' "$tmp/unit.log"
    check store_unit_tests_on_postgres $? "$(tail -n 5 "$tmp/unit.log")"
fi

# start_api NAME ARGS...: an API server on the cluster; sets $url and $apid.
start_api() {
    start "$1" --db "$PGURL" --data-dir "$tmp/$1" "${@:2}"
    local rc=$?
    apid=$spid
    return $rc
}

# start_worker NAME: a worker with a 3 s lease; its pid in wpid[NAME].
declare -A wpid
start_worker() {
    "$bin" worker --db "$PGURL" --name "$1" --lease 3 --data-dir "$tmp/$1" \
        >"$tmp/$1.out" 2>"$tmp/$1.err" &
    wpid[$1]=$!
    pids+=("$!")
}

# submit PROGRAM: POST /v1/jobs, the id in $jid.
submit() {
    jid=$(curl -s --max-time 30 -H 'Content-Type: application/json' \
        -d "{\"program\": \"$1\"}" "$url/v1/jobs" | jq -r '.id // empty')
}

# wait_done SECONDS ID...: poll the store until every job is terminal.
wait_done() {
    local limit=$1 i list
    shift
    list=$(printf "'%s'," "$@")
    list=${list%,}
    for i in $(seq $((limit * 5))); do
        [ "$(pg_sql "SELECT COUNT(*) FROM jobs WHERE id IN ($list) AND state IN
            ('queued', 'running')")" = 0 ] && return 0
        sleep 0.2
    done
    return 1
}

# holder ID SECONDS: wait until the job runs; the name of the worker holding it in $held.
holder() {
    local i
    held=""
    for i in $(seq $(($2 * 10))); do
        held=$(pg_sql "SELECT worker FROM jobs WHERE id = '$1' AND state = 'running'
            AND stage = 'proving'")
        [ -n "$held" ] && return 0
        sleep 0.1
    done
    return 1
}

# succeeded_all ID...: every job succeeded.
succeeded_all() {
    local list
    list=$(printf "'%s'," "$@")
    [ "$(pg_sql "SELECT COUNT(*) FROM jobs WHERE id IN (${list%,}) AND state = 'succeeded'")" = $# ]
}

start_api api --workers 0 || finish
hello_sha=$(curl -s --max-time 30 --data-binary "@$hello" "$url/v1/programs" | jq -r .digest)
fib_sha=$(curl -s --max-time 30 --data-binary "@$fib" "$url/v1/programs" | jq -r .digest)
# Before any worker runs: a job whose input bytes were changed in the store, and a job whose
# program's bytes in the store do not hash to its digest.  Workers must refuse both.
submit_input() {
    jid=$(curl -s --max-time 30 -H 'Content-Type: application/json' \
        -d "{\"program\": \"$1\", \"input_base64\": \"$2\"}" "$url/v1/jobs" | jq -r '.id // empty')
}
submit_input "$hello_sha" AAEC
bad_input=$jid
pg_sql "UPDATE jobs SET input = '\\x0001ff'::bytea WHERE id = '$bad_input'" >/dev/null
bogus=$(printf 'not an elf' | sha256sum | cut -d' ' -f1)
pg_sql "INSERT INTO programs (digest, size, created_ms, elf) VALUES ('$bogus', 4, 0,
    '\\x01020304'::bytea)" >/dev/null
submit "$bogus"
bad_program=$jid
start_worker w1
start_worker w2
start_worker w3
[ "$hello_sha" = "$(sha256sum "$hello" | cut -d' ' -f1)" ]
check program_upload $? "digest '$hello_sha'"
[ "$(pg_sql "SELECT version FROM schema_migrations ORDER BY version" | tr '\n' ' ')" = "1 2 " ]
check schema_migrations_applied $? "$(pg_sql "SELECT * FROM schema_migrations")"
[ "$(pg_sql "SELECT COUNT(*) FROM programs WHERE elf IS NOT NULL
    AND digest IN ('$hello_sha', '$fib_sha')")" = 2 ]
check program_bytes_in_store $? "no program bytes in the store"

wait_done 60 "$bad_input" "$bad_program"
[ "$(pg_sql "SELECT state || ' ' || error_code FROM jobs WHERE id IN ('$bad_input', '$bad_program')
    ORDER BY id" | sort -u)" = "failed digest_mismatch" ]
check digest_mismatch_refused $? \
    "$(pg_sql "SELECT id, state, error_code, error FROM jobs WHERE state <> 'queued'")"
[ "$(pg_sql "SELECT COUNT(*) FROM job_attempts WHERE job_id IN ('$bad_input', '$bad_program')
    AND outcome = 'digest_mismatch' AND finished_ms > 0")" = 2 ]
check digest_mismatch_attempts_closed $? \
    "$(pg_sql "SELECT job_id, outcome, finished_ms FROM job_attempts")"

# ---- jobs spread over the three workers --------------------------------------------------------
ids=()
for i in $(seq 6); do
    submit "$hello_sha"
    ids+=("$jid")
done
wait_done 90 "${ids[@]}" && succeeded_all "${ids[@]}"
check spread_all_succeed $? "$(pg_sql "SELECT id, state, error FROM jobs")"
n=$(pg_sql "SELECT COUNT(DISTINCT worker) FROM jobs WHERE state = 'succeeded'")
[ "$n" -ge 2 ]
check spread_over_workers $? "$n distinct workers: $(pg_sql "SELECT worker FROM jobs")"
echo "    (6 jobs on $n of 3 workers: $(pg_sql "SELECT worker || '=' || COUNT(*) FROM jobs
    WHERE state = 'succeeded' GROUP BY worker ORDER BY worker" | tr '\n' ' '))"
curl -s --max-time 30 -o "$tmp/p1.proof" -w '%{http_code}' "$url/v1/jobs/${ids[0]}/proof" |
    grep -q 200 && "$bin" verify "$tmp/p1.proof" --program "$hello" >/dev/null 2>&1
check proof_from_remote_worker_verifies $? "the API's proof did not verify"
[ "$(sha256sum <"$tmp/p1.proof" | cut -d' ' -f1)" = \
    "$(pg_sql "SELECT proof_sha256 FROM jobs WHERE id = '${ids[0]}'")" ] &&
    [ -z "$(ls "$tmp/api/proofs")" ]
check proof_kept_in_store $? "hash differs or a file in proofs/"
w=$(curl -s --max-time 30 "$url/v1/jobs/${ids[0]}" | jq -r '.attempt_log[0].worker')
[[ "$w" == w[123] ]]
check attempt_log_names_worker $? "worker '$w'"

# ---- kill -9 of one worker mid-proof, SIGSTOP of another ---------------------------------------
submit "$fib_sha"
f1=$jid
submit "$fib_sha"
f2=$jid
holder "$f1" 60
h1=$held
holder "$f2" 60
h2=$held
if [ -z "$h1" ] || [ -z "$h2" ] || [ "$h1" = "$h2" ]; then
    bad kill_worker_mid_proof "the fib jobs did not run on two workers ('$h1', '$h2')"
else
    { kill -9 "${wpid[$h1]}"; wait "${wpid[$h1]}"; } 2>/dev/null
    kill -STOP "${wpid[$h2]}"
    sleep 0.5
    ! pgrep -f "$tmp/$h1/" >/dev/null
    check killed_worker_leaves_no_prover $? "$(pgrep -af "$tmp/$h1/")"
    wait_done 120 "$f1" "$f2" && succeeded_all "$f1" "$f2"
    check killed_worker_job_finishes_elsewhere $? \
        "$(pg_sql "SELECT state, worker, error FROM jobs WHERE id IN ('$f1', '$f2')")"
    [ "$(pg_sql "SELECT outcome FROM job_attempts WHERE job_id = '$f1' AND worker = '$h1'")" = \
        lease_expired ] &&
        [ "$(pg_sql "SELECT worker <> '$h1' FROM jobs WHERE id = '$f1'")" = t ]
    check killed_worker_lease_expired $? \
        "$(pg_sql "SELECT attempt, worker, outcome FROM job_attempts WHERE job_id = '$f1'")"
    before=$(pg_sql "SELECT worker, proof_sha256, finished_ms FROM jobs WHERE id = '$f2'")
    kill -CONT "${wpid[$h2]}"
    # the stalled worker wakes up with a finished prover and reports: refused
    for i in $(seq 100); do
        [ "$(pg_sql "SELECT COUNT(*) FROM job_attempts WHERE job_id = '$f2' AND worker = '$h2'
            AND finished_ms > 0")" = 1 ] && break
        sleep 0.1
    done
    sleep 1
    after=$(pg_sql "SELECT worker, proof_sha256, finished_ms FROM jobs WHERE id = '$f2'")
    [ "$before" = "$after" ] && [ "${after%%|*}" != "$h2" ] &&
        [ "$(pg_sql "SELECT outcome FROM job_attempts WHERE job_id = '$f2' AND worker = '$h2'")" \
            = lease_expired ]
    check late_worker_cannot_overwrite $? "before '$before' after '$after'"
    curl -s --max-time 30 -o "$tmp/f2.proof" "$url/v1/jobs/$f2/proof" &&
        "$bin" verify "$tmp/f2.proof" --program "$fib" >/dev/null 2>&1
    check late_worker_job_proof_verifies $? "the proof did not verify"
    kill -0 "${wpid[$h2]}" 2>/dev/null
    check stalled_worker_carries_on $? "the worker exited: $(tail -c 300 "$tmp/$h2.err")"
    start_worker "$h1" # a replacement under the same name
fi

# ---- SIGTERM: the job is given back at once ----------------------------------------------------
submit "$fib_sha"
f3=$jid
if holder "$f3" 60; then
    h3=$held
    t0=$(date +%s)
    kill -TERM "${wpid[$h3]}"
    wait "${wpid[$h3]}"
    rc=$?
    [ $rc = 0 ] && [ $(($(date +%s) - t0)) -le 10 ]
    check sigterm_worker_exits_cleanly $? "exit $rc after $(($(date +%s) - t0)) s"
    [ "$(pg_sql "SELECT outcome FROM job_attempts WHERE job_id = '$f3' AND worker = '$h3'")" = \
        released ]
    check sigterm_releases_job $? \
        "$(pg_sql "SELECT attempt, worker, outcome FROM job_attempts WHERE job_id = '$f3'")"
    [ ! -e "$tmp/$h3/tmp" ] || [ -z "$(ls "$tmp/$h3/tmp")" ]
    check sigterm_removes_temporary_files $? "$(ls "$tmp/$h3/tmp")"
    start_worker "$h3"
else
    bad sigterm_releases_job "the job never ran"
fi

# ---- cancel through the API while a worker elsewhere proves: its heartbeat stops the prover ----
submit "$fib_sha"
f4=$jid
if holder "$f4" 60; then
    h4=$held
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X DELETE --max-time 30 "$url/v1/jobs/$f4")
    [ "$code" = 200 ] && [ "$(jq -r .state "$tmp/body")" = cancelled ]
    check cancel_remote_job $? "HTTP $code $(head -c 200 "$tmp/body")"
    for i in $(seq 100); do
        [ "$(pg_sql "SELECT outcome FROM job_attempts WHERE job_id = '$f4'")" = lease_lost ] &&
            ! pgrep -f "$tmp/$h4/" >/dev/null && break
        sleep 0.1
    done
    [ "$(pg_sql "SELECT outcome FROM job_attempts WHERE job_id = '$f4'")" = lease_lost ] &&
        ! pgrep -f "$tmp/$h4/" >/dev/null
    check cancel_stops_remote_prover $? \
        "$(pg_sql "SELECT outcome FROM job_attempts WHERE job_id = '$f4'") $(pgrep -af "$tmp/$h4/")"
else
    bad cancel_remote_job "the job never ran"
fi

# ---- idempotent submissions and paging on the shared store -------------------------------------
a=$(curl -s --max-time 30 -H 'Idempotency-Key: k1' -d "{\"program\": \"$hello_sha\"}" \
    "$url/v1/jobs" | jq -r .id)
b=$(curl -s --max-time 30 -H 'Idempotency-Key: k1' -d "{\"program\": \"$hello_sha\"}" \
    "$url/v1/jobs" | jq -r '.id + " " + (.existing | tostring)')
[ -n "$a" ] && [ "$b" = "$a true" ]
check idempotency_key_shared $? "'$a' then '$b'"
curl -s --max-time 30 "$url/v1/jobs?limit=2" -o "$tmp/page1"
next=$(jq -r .next "$tmp/page1")
curl -s --max-time 30 "$url/v1/jobs?limit=2&after=$next" -o "$tmp/page2"
[ "$(jq '.jobs | length' "$tmp/page1")" = 2 ] && [ "$(jq -r '.jobs[0].id' "$tmp/page1")" = "$a" ] &&
    [ "$(jq '.jobs | length' "$tmp/page2")" = 2 ] &&
    [ "$(jq -r '.jobs[0].id' "$tmp/page2")" != "$(jq -r '.jobs[1].id' "$tmp/page1")" ]
check list_pages $? "$(head -c 300 "$tmp/page1")"

# ---- kill -9 of the API server: no job lost ----------------------------------------------------
ids2=()
for i in $(seq 5); do
    submit "$hello_sha"
    ids2+=("$jid")
done
kill -9 "$apid"
wait "$apid" 2>/dev/null
[ "${#ids2[@]}" = 5 ] && [ -n "${ids2[4]}" ]
check api_accepted_before_kill $? "submissions failed"
start_api api2 --workers 1 --name api2 --lease 3 || finish
wait_done 120 "$f3" "$a" "${ids2[@]}" && succeeded_all "$f3" "$a" "${ids2[@]}"
check api_kill_no_job_lost $? "$(pg_sql "SELECT id, state, error FROM jobs WHERE state <> 'succeeded'")"
code=$(curl -s -o "$tmp/p2.proof" -w '%{http_code}' --max-time 30 "$url/v1/jobs/${ids2[0]}/proof")
[ "$code" = 200 ] && "$bin" verify "$tmp/p2.proof" --program "$hello" >/dev/null 2>&1
check api_restarted_serves_proofs $? "HTTP $code"
state=$(curl -s --max-time 30 "$url/v1/jobs/$f3" | jq -r .state)
[ "$state" = succeeded ]
check api_restarted_sees_jobs $? "state '$state'"
curl -s --max-time 30 "$url/metrics" | grep -q '^cairn_jobs{state="succeeded"} 15$'
check metrics_count_shared_jobs $? "$(curl -s "$url/metrics" | grep succeeded)"

# ---- the store's history -----------------------------------------------------------------------
overlap=$(pg_sql "SELECT COUNT(*) FROM job_attempts a JOIN job_attempts b ON a.job_id = b.job_id
    AND a.attempt < b.attempt WHERE a.finished_ms = 0 OR b.started_ms < a.finished_ms")
[ "$overlap" = 0 ]
check history_no_two_workers_at_once $? "$overlap overlapping attempts:
$(pg_sql "SELECT job_id, attempt, worker, outcome, started_ms, finished_ms FROM job_attempts
    ORDER BY job_id, attempt")"
odd=$(pg_sql "SELECT COUNT(*) FROM jobs j WHERE state = 'succeeded' AND (SELECT COUNT(*)
    FROM job_attempts a WHERE a.job_id = j.id AND a.outcome = 'succeeded'
    AND a.worker = j.worker) <> 1")
[ "$odd" = 0 ]
check history_one_success_per_job $? "$odd jobs without exactly one succeeded attempt"
[ "$(pg_sql "SELECT COUNT(*) FROM job_attempts WHERE worker = '' OR started_ms = 0")" = 0 ]
check history_every_attempt_named $? "attempts without a worker or a start"

finish
