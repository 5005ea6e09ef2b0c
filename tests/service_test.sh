#!/bin/bash
# service_test.sh — end-to-end tests of `cairn serve` (docs/service.md)
# against real servers on 127.0.0.1: every route and error, the bearer
# token, timeouts, cancellation, the out-of-memory fallback, a full queue,
# idempotent and concurrent submissions, the client (`cairn submit`, `cairn
# job`), crash recovery after kill -9 while proofs run, and the status page
# rendered by headless Chromium.  Usage: service_test.sh BUILD_DIR
# Prints one line per check and closes with "N passed, N failed".
# Every process it starts is stopped on exit; every wait is bounded.
set -u

suite=service
# shellcheck source=tests/script_lib.sh
. "$(dirname "$0")/script_lib.sh"

cleanup() {
    stop_all
    rm -rf "$tmp"
}
trap cleanup EXIT

for need in curl jq sha256sum base64; do
    if ! command -v "$need" >/dev/null; then
        bad setup "$need missing: run scripts/setup.sh"
        echo "$passed passed, $failed failed"
        exit 1
    fi
done
if [ ! -f "$hello" ] || [ ! -f "$fib" ]; then
    bad setup "guests missing under $guests: run make guests"
    echo "$passed passed, $failed failed"
    exit 1
fi

# req METHOD PATH [CURL ARGS...]: the status in $code, the body in $tmp/body.
req() {
    local m=$1 p=$2
    shift 2
    code=$(curl -s -o "$tmp/body" -w '%{http_code}' -X "$m" --max-time 30 "$@" "$url$p")
}

# expect_req NAME WANT_CODE ERROR_CODE METHOD PATH [CURL ARGS]: status and error code.
expect_req() {
    local name=$1 want=$2 ecode=$3
    shift 3
    req "$@"
    local got
    got=$(jq -r '.error.code // empty' "$tmp/body" 2>/dev/null)
    if [ "$code" != "$want" ]; then
        bad "$name" "HTTP $code, expected $want: $(head -c 200 "$tmp/body")"
    elif [ -n "$ecode" ] && [ "$got" != "$ecode" ]; then
        bad "$name" "error code '$got', expected '$ecode': $(head -c 200 "$tmp/body")"
    else
        ok "$name"
    fi
}

# submit JSON [CURL ARGS]: POST /v1/jobs, the id in $jid.
submit() {
    local body=$1
    shift
    req POST /v1/jobs -H 'Content-Type: application/json' -d "$body" "$@"
    jid=$(jq -r '.id // empty' "$tmp/body" 2>/dev/null)
}

# wait_state ID SECONDS: poll until the job is terminal; its view in $tmp/job, state in $state.
wait_state() {
    local id=$1 limit=$2 i
    state=""
    for i in $(seq $((limit * 10))); do
        curl -s --max-time 10 "$url/v1/jobs/$id" -o "$tmp/job"
        state=$(jq -r '.state // empty' "$tmp/job" 2>/dev/null)
        case "$state" in succeeded | failed | timed_out | cancelled) return 0 ;; esac
        sleep 0.1
    done
    return 1
}

# wait_running ID SECONDS: poll until the job runs.
wait_running() {
    local i
    for i in $(seq $(($2 * 20))); do
        [ "$(curl -s --max-time 10 "$url/v1/jobs/$1" | jq -r .state)" = running ] && return 0
        sleep 0.05
    done
    return 1
}

# provers PID: the number of `cairn prove` children of the server.
provers() { pgrep -P "$1" -f 'cairn prove' | wc -l; }

hello_sha=$(sha256sum "$hello" | cut -c1-64)
fib_sha=$(sha256sum "$fib" | cut -c1-64)

# ---- the main server: routes and errors ----------------------------------------------------------
start main --data-dir "$tmp/main" --workers 2 --max-body 4 || { echo "$passed passed, $failed failed"; exit 1; }
main_url=$url
main_pid=$spid

expect_req healthz 200 '' GET /healthz
req POST /v1/programs --data-binary "@$hello" -H 'Content-Type: application/octet-stream'
[ "$code" = 201 ] && [ "$(jq -r .digest "$tmp/body")" = "$hello_sha" ]
check program_upload $? "HTTP $code $(head -c 200 "$tmp/body")"
req POST /v1/programs --data-binary "@$hello"
[ "$code" = 200 ] && [ "$(jq -r .digest "$tmp/body")" = "$hello_sha" ]
check program_upload_again_same_digest $? "HTTP $code"
[ "$(ls "$tmp/main/programs" | wc -l)" = 1 ]
check program_stored_once $? "$(ls "$tmp/main/programs")"
req POST /v1/programs --data-binary "@$fib"
printf 'not an elf at all' >"$tmp/junk"
expect_req program_invalid 400 invalid_program POST /v1/programs --data-binary "@$tmp/junk"
head -c $((5 << 20)) /dev/zero >"$tmp/big"
expect_req body_too_large 413 too_large POST /v1/programs --data-binary "@$tmp/big"
expect_req unknown_path 404 not_found GET /v1/nothing
expect_req wrong_method 405 method_not_allowed PUT /v1/jobs
expect_req bad_job_id 404 not_found GET /v1/jobs/xyz
expect_req unknown_job 404 job_not_found GET /v1/jobs/0123456789abcdef0123456789abcdef
expect_req unknown_job_delete 404 job_not_found DELETE /v1/jobs/0123456789abcdef0123456789abcdef
expect_req job_bad_json 400 bad_request POST /v1/jobs -d '{"program": '
expect_req job_not_object 400 bad_request POST /v1/jobs -d '[1, 2]'
expect_req job_missing_program 400 bad_request POST /v1/jobs -d '{}'
expect_req job_bad_digest 400 bad_request POST /v1/jobs -d '{"program": "abc"}'
expect_req job_unknown_field 400 bad_request POST /v1/jobs -d "{\"program\": \"$hello_sha\", \"colour\": 1}"
expect_req job_bad_security 400 bad_request POST /v1/jobs -d "{\"program\": \"$hello_sha\", \"security\": 99}"
expect_req job_bad_timeout 400 bad_request POST /v1/jobs -d "{\"program\": \"$hello_sha\", \"timeout_s\": 0}"
expect_req job_bad_base64 400 bad_request POST /v1/jobs -d "{\"program\": \"$hello_sha\", \"input_base64\": \"a*==\"}"
expect_req job_duplicate_key 400 bad_request POST /v1/jobs -d "{\"program\": \"$hello_sha\", \"priority\": 1, \"priority\": 2}"
expect_req job_unknown_program 404 program_not_found POST /v1/jobs -d "{\"program\": \"$(printf '%064d' 0)\"}"
expect_req list_bad_state 400 bad_request GET '/v1/jobs?state=sleeping'
expect_req list_bad_limit 400 bad_request GET '/v1/jobs?limit=0'
expect_req list_bad_after 400 bad_request GET '/v1/jobs?after=zz'

# ---- a proof, end to end -------------------------------------------------------------------------
printf 'input bytes' >"$tmp/input"
submit "{\"program\": \"$hello_sha\", \"input_base64\": \"$(base64 -w0 "$tmp/input")\", \"priority\": 5}"
[ "$code" = 201 ] && [ ${#jid} = 32 ]
check job_submit $? "HTTP $code $(head -c 200 "$tmp/body")"
hello_job=$jid
if wait_state "$hello_job" 60 && [ "$state" = succeeded ]; then ok job_succeeds; else bad job_succeeds "state '$state': $(head -c 300 "$tmp/job")"; fi
jq -e '.proof.exit_code == 7 and .proof.output_hex == "68656c6c6f2066726f6d206120636169726e2067756573740a" and .proof.trace_rows > 0 and .proof.security_bits >= 100 and .proof.mode == "threads=1" and .attempts == 1 and .input_len == 11 and (.attempt_log | length) == 1' "$tmp/job" >/dev/null
check job_view_contract $? "$(head -c 400 "$tmp/job")"
req GET "/v1/jobs/$hello_job/proof"
cp "$tmp/body" "$tmp/hello.proof"
[ "$code" = 200 ] && [ "$(sha256sum "$tmp/hello.proof" | cut -c1-64)" = "$(jq -r .proof.sha256 "$tmp/job")" ] &&
    [ "$(stat -c %s "$tmp/hello.proof")" = "$(jq -r .proof.size_bytes "$tmp/job")" ]
check proof_download_matches_record $? "HTTP $code"
"$bin" verify "$tmp/hello.proof" --program "$hello" >/dev/null 2>&1
check proof_verifies $? "cairn verify rejected the served proof"
[ -z "$(ls "$tmp/main/tmp")" ]
check tmp_files_removed $? "$(ls "$tmp/main/tmp")"

# /v1/verify: accepted, rejected (another program, a changed byte), malformed.
printf '{"program": "%s", "proof_base64": "%s"}' "$hello_sha" "$(base64 -w0 "$tmp/hello.proof")" >"$tmp/v.json"
req POST /v1/verify --data-binary "@$tmp/v.json"
[ "$code" = 200 ] && jq -e '.accepted == true and .exit_code == 7' "$tmp/body" >/dev/null
check verify_accepts $? "HTTP $code $(head -c 200 "$tmp/body")"
printf '{"program": "%s", "proof_base64": "%s"}' "$fib_sha" "$(base64 -w0 "$tmp/hello.proof")" >"$tmp/v.json"
req POST /v1/verify --data-binary "@$tmp/v.json"
[ "$code" = 200 ] && jq -e '.accepted == false and .malformed == false' "$tmp/body" >/dev/null
check verify_rejects_other_program $? "HTTP $code $(head -c 200 "$tmp/body")"
cp "$tmp/hello.proof" "$tmp/bad.proof"
size=$(stat -c %s "$tmp/bad.proof")
printf '\x5a' | dd of="$tmp/bad.proof" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
printf '{"program": "%s", "proof_base64": "%s"}' "$hello_sha" "$(base64 -w0 "$tmp/bad.proof")" >"$tmp/v.json"
req POST /v1/verify --data-binary "@$tmp/v.json"
[ "$code" = 200 ] && jq -e '.accepted == false' "$tmp/body" >/dev/null
check verify_rejects_tampered $? "HTTP $code $(head -c 200 "$tmp/body")"
req POST /v1/verify -d "{\"program\": \"$hello_sha\", \"proof_base64\": \"AAAA\"}"
[ "$code" = 200 ] && jq -e '.accepted == false and .malformed == true' "$tmp/body" >/dev/null
check verify_malformed $? "HTTP $code $(head -c 200 "$tmp/body")"
expect_req verify_bad_request 400 bad_request POST /v1/verify -d "{\"program\": \"$hello_sha\"}"
expect_req verify_unknown_program 404 program_not_found POST /v1/verify -d "{\"program\": \"$(printf '%064d' 0)\", \"proof_base64\": \"\"}"

# Idempotency-Key: one job per key, also under concurrent submissions.
submit "{\"program\": \"$hello_sha\", \"priority\": -5}" -H 'Idempotency-Key: k-1'
first=$jid
submit "{\"program\": \"$hello_sha\", \"priority\": -5}" -H 'Idempotency-Key: k-1'
[ "$code" = 200 ] && [ "$jid" = "$first" ] && jq -e '.existing == true' "$tmp/body" >/dev/null
check idempotency_key $? "HTTP $code, ids $first $jid"
cpids=()
for i in $(seq 8); do
    curl -s --max-time 30 -H 'Idempotency-Key: k-2' -d "{\"program\": \"$hello_sha\", \"priority\": -5}" "$url/v1/jobs" >"$tmp/idem.$i" &
    cpids+=($!)
    curl -s --max-time 30 -d "{\"program\": \"$hello_sha\", \"priority\": -5}" "$url/v1/jobs" >"$tmp/conc.$i" &
    cpids+=($!)
done
wait "${cpids[@]}"
[ "$(cat "$tmp"/idem.* | jq -r .id | sort -u | wc -l)" = 1 ] && [ "$(cat "$tmp"/conc.* | jq -r .id | grep -c '^[0-9a-f]\{32\}$')" = 8 ] &&
    [ "$(cat "$tmp"/conc.* | jq -r .id | sort -u | wc -l)" = 8 ]
check concurrent_submissions $? "$(cat "$tmp"/idem.* "$tmp"/conc.* | head -c 300)"

# Paged list: every job once across pages of 3, newest first.
req GET '/v1/jobs?limit=500'
all=$(jq -r '.jobs[].id' "$tmp/body")
paged=""
after=""
for i in $(seq 20); do
    req GET "/v1/jobs?limit=3&after=$after"
    paged="$paged$(jq -r '.jobs[].id' "$tmp/body")"$'\n'
    after=$(jq -r '.next // empty' "$tmp/body")
    [ -z "$after" ] && break
done
[ "$(echo "$all" | wc -l)" -ge 10 ] && [ "$(echo "$paged" | grep -v '^$')" = "$all" ]
check list_paging $? "$(echo "$all" | wc -l) jobs, pages gave $(echo "$paged" | grep -vc '^$')"
req GET '/v1/jobs?state=succeeded'
jq -e "([.jobs[].state] | all(. == \"succeeded\")) and ([.jobs[].id] | index(\"$hello_job\") != null)" "$tmp/body" >/dev/null
check list_state_filter $? "$(head -c 200 "$tmp/body")"
# cancel the low-priority queued jobs so that they cost no time
for id in $(curl -s "$url/v1/jobs?state=queued&limit=500" | jq -r '.jobs[].id'); do
    curl -s -X DELETE "$url/v1/jobs/$id" >/dev/null
done
req GET '/v1/jobs?state=queued'
[ "$(jq '.jobs | length' "$tmp/body")" = 0 ]
check cancel_queued $? "$(head -c 200 "$tmp/body")"
cancelled=$(curl -s "$url/v1/jobs?state=cancelled&limit=1" | jq -r '.jobs[0].id // empty')
expect_req proof_of_cancelled 409 no_proof GET "/v1/jobs/$cancelled/proof"
expect_req cancel_finished 409 already_finished DELETE "/v1/jobs/$hello_job"

# Timeout: fib needs seconds; with timeout_s 1 it is stopped and named a timeout.
submit "{\"program\": \"$fib_sha\", \"timeout_s\": 1, \"priority\": 9}"
if wait_state "$jid" 30 && [ "$state" = timed_out ] && jq -e '.error_code == "timeout" and .proof == null' "$tmp/job" >/dev/null; then
    ok timeout
else
    bad timeout "state '$state': $(head -c 300 "$tmp/job")"
fi
expect_req proof_of_timed_out 409 no_proof GET "/v1/jobs/$jid/proof"

# Cancel a running proof: the child is stopped.
submit "{\"program\": \"$fib_sha\", \"priority\": 9}"
if wait_running "$jid" 30; then
    req DELETE "/v1/jobs/$jid"
    [ "$code" = 200 ] && [ "$(jq -r .state "$tmp/body")" = cancelled ]
    check cancel_running $? "HTTP $code $(head -c 200 "$tmp/body")"
    for i in $(seq 100); do [ "$(provers "$main_pid")" = 0 ] && break; sleep 0.05; done
    [ "$(provers "$main_pid")" = 0 ]
    check cancel_stops_child $? "a prover still runs"
else
    bad cancel_running "the job never ran"
fi
sleep 0.3
[ -z "$(ls "$tmp/main/tmp")" ]
check tmp_files_removed_after_stops $? "$(ls "$tmp/main/tmp")"

req GET /metrics
grep -q '^cairn_jobs{state="succeeded"} [1-9]' "$tmp/body" && grep -q '^cairn_jobs{state="timed_out"} 1$' "$tmp/body" &&
    grep -q '^cairn_queue_depth 0$' "$tmp/body" && grep -q '^cairn_proving_seconds_total [0-9.]*$' "$tmp/body"
check metrics $? "$(head -c 300 "$tmp/body")"

# ---- the client ----------------------------------------------------------------------------------
out=$("$bin" submit "$hello" --server "$url" --wait -o "$tmp/client.proof" 2>&1)
rc=$?
[ "$rc" = 0 ] && echo "$out" | grep -Eq '^proved 11 cycles \(exit code 7, [0-9]+ rows, 25 bytes of output\) in .*-byte proof written to .*client.proof$' &&
    echo "$out" | grep -Eq '^proof sha256 [0-9a-f]{64}$' && echo "$out" | grep -Eq '^security 1[0-9][0-9] bits \(proven; target 100\)$'
check client_submit_wait $? "exit $rc: $out"
"$bin" verify "$tmp/client.proof" --program "$hello" >/dev/null 2>&1
check client_proof_verifies $? "cairn verify rejected it"
out=$("$bin" submit "$hello" --server "$url" --wait -o "$tmp/client2.proof" --json --input "$tmp/input" 2>&1)
rc=$?
[ "$rc" = 0 ] && echo "$out" | jq -e '.proof_hash | test("^[0-9a-f]{64}$")' >/dev/null &&
    echo "$out" | jq -e '.exit_code == 7 and .output_len == 25 and .proof_size_bytes > 0 and .cycles == 11 and (.trace_rows | type) == "number" and .state == "succeeded"' >/dev/null
check client_submit_json $? "exit $rc: $(echo "$out" | head -c 300)"
cid=$(echo "$out" | jq -r .job_id)
out=$("$bin" job "$cid" --server "$url" 2>&1)
echo "$out" | grep -q "^job $cid: succeeded (attempts 1)$" && echo "$out" | grep -q '^proof sha256 '
check client_job $? "$out"
out=$("$bin" job "$cid" --server "$url" --json 2>&1)
echo "$out" | jq -e ".id == \"$cid\" and .state == \"succeeded\"" >/dev/null
check client_job_json $? "$out"
out=$("$bin" submit "$hello" --server "$url" --json 2>&1)
echo "$out" | jq -e '.id | test("^[0-9a-f]{32}$")' >/dev/null
check client_submit_nowait $? "$out"
"$bin" job 0123456789abcdef0123456789abcdef --server "$url" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" = 1 ] && grep -q 'job_not_found' "$tmp/err"
check client_job_unknown $? "exit $rc: $(cat "$tmp/err")"
"$bin" submit "$hello" --server http://127.0.0.1:1 >/dev/null 2>"$tmp/err"
check client_unreachable "$([ $? = 4 ] && echo 0 || echo 1)" "$(cat "$tmp/err")"
"$bin" submit "$tmp/junk" --server "$url" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" = 3 ] && grep -q invalid_program "$tmp/err"
check client_invalid_program $? "exit $rc: $(cat "$tmp/err")"
"$bin" submit "$hello" >/dev/null 2>&1
check client_usage "$([ $? = 2 ] && echo 0 || echo 1)" "no --server accepted"

# ---- the status page in headless Chromium ------------------------------------------------------
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$chrome" ]; then
    timeout 60 "$chrome" --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --no-first-run --user-data-dir="$tmp/chrome" --virtual-time-budget=5000 \
        --dump-dom "$url/" >"$tmp/dom" 2>"$tmp/chrome.err"
    rc=$?
    [ "$rc" = 0 ] && grep -q "id=\"job-$hello_job\"" "$tmp/dom" && grep -q "id=\"job-$cid\"" "$tmp/dom" &&
        grep -q '>succeeded<' "$tmp/dom" && grep -q 'recent jobs' "$tmp/dom"
    check status_page_chromium $? "exit $rc: $(grep -o 'cannot load[^<]*' "$tmp/dom") $(tail -c 300 "$tmp/chrome.err")"
else
    bad status_page_chromium "chromium missing: run scripts/setup.sh"
fi
req GET /
[ "$code" = 200 ] && grep -q '<title>cairn proving service</title>' "$tmp/body"
check status_page_served $? "HTTP $code"
kill "$main_pid"
wait "$main_pid" 2>/dev/null
check graceful_stop $? "exit status $?"

# ---- token, out-of-memory fallback, full queue ---------------------------------------------------
printf 'sEcReT-42\n' >"$tmp/token"
start tok --data-dir "$tmp/tok" --workers 1 --token-file "$tmp/token" --threads 2 \
    --fallback-threads 1 --job-memory 60
tok_pid=$spid
expect_req token_healthz_open 200 '' GET /healthz
expect_req token_required 401 unauthorized GET /v1/jobs
expect_req token_wrong 401 unauthorized GET /v1/jobs -H 'Authorization: Bearer sEcReT-43'
expect_req token_prefix 401 unauthorized GET /v1/jobs -H 'Authorization: Bearer sEcReT-4'
expect_req token_right 200 '' GET /v1/jobs -H 'Authorization: Bearer sEcReT-42'
expect_req token_page_closed 401 unauthorized GET /
expect_req token_page_query 200 '' GET '/?token=sEcReT-42'
expect_req token_metrics 401 unauthorized GET /metrics
auth=(-H 'Authorization: Bearer sEcReT-42')
req POST /v1/programs --data-binary "@$fib" "${auth[@]}"
# fib (2^15 rows) needs more than 60 MiB with 2 threads (and with 1): both attempts fail, named oom.
submit "{\"program\": \"$fib_sha\"}" "${auth[@]}"
oom_job=$jid
state=""
for i in $(seq 300); do
    state=$(curl -s "${auth[@]}" "$url/v1/jobs/$oom_job" | tee "$tmp/job" | jq -r .state)
    case "$state" in failed | succeeded | timed_out | cancelled) break ;; esac
    sleep 0.1
done
jq -e '.state == "failed" and .error_code == "oom" and .attempts == 2 and
       ([.attempt_log[].mode] == ["threads=2", "fallback threads=1"]) and
       ([.attempt_log[].outcome] == ["oom", "oom"]) and (.error | test("out of memory"))' "$tmp/job" >/dev/null
check oom_fallback $? "$(head -c 500 "$tmp/job")"
kill "$tok_pid"
wait "$tok_pid" 2>/dev/null

# A full queue: one worker busy with fib, one job queued, the next refused.
start queue --data-dir "$tmp/queue" --workers 1 --max-queue 1
queue_pid=$spid
req POST /v1/programs --data-binary "@$hello"
req POST /v1/programs --data-binary "@$fib"
submit "{\"program\": \"$fib_sha\"}"
if wait_running "$jid" 30; then
    submit "{\"program\": \"$hello_sha\"}"
    q1=$code
    expect_req queue_full 429 queue_full POST /v1/jobs -d "{\"program\": \"$hello_sha\"}"
    [ "$q1" = 201 ]
    check queue_accepts_below_limit $? "HTTP $q1"
else
    bad queue_full "fib never ran"
fi
{ kill -9 "$queue_pid"; wait "$queue_pid"; } 2>/dev/null

# ---- crash recovery: kill -9 while proofs run ----------------------------------------------------
# the first job proves the loop guest for 10000 rounds (2^18 rows, seconds): still
# running when the service is killed a second after it started, however fast the
# machine (fib, which this used, could finish first, leaving nothing to recover)
start crash --data-dir "$tmp/crash" --workers 2
crash_pid=$spid
loop="$guests/loop.elf"
loop_sha=$(sha256sum "$loop" | cut -c1-64)
req POST /v1/programs --data-binary "@$hello"
req POST /v1/programs --data-binary "@$loop"
ids=()
submit "{\"program\": \"$loop_sha\", \"input_base64\": \"ECcAAA==\", \"priority\": 1}"
ids+=("$jid")
for i in $(seq 5); do
    submit "{\"program\": \"$hello_sha\"}"
    ids+=("$jid")
done
wait_running "${ids[0]}" 30
sleep 1
# what was already proven before the crash, to compare after it
declare -A before=()
for id in "${ids[@]}"; do
    v=$(curl -s "$url/v1/jobs/$id")
    [ "$(echo "$v" | jq -r .state)" = succeeded ] && before[$id]=$(echo "$v" | jq -r .proof.sha256)
done
{ kill -9 "$crash_pid"; wait "$crash_pid"; } 2>/dev/null
for i in $(seq 100); do [ "$(pgrep -f "prove $tmp/crash" | wc -l)" = 0 ] && break; sleep 0.05; done
[ "$(pgrep -f "prove $tmp/crash" | wc -l)" = 0 ]
check crash_children_die $? "provers outlived the service"
stale="$tmp/crash/proofs/0123456789abcdef0123456789abcdef.1.proof"
printf 'unrecorded' >"$stale"
start crash2 --data-dir "$tmp/crash" --workers 2
[ ! -e "$stale" ]
check crash_unrecorded_proof_removed $? "a proof file no job records was left in proofs/"
grep -q 'recovered [1-9]' "$tmp/crash2.err"
check crash_recovery_requeues $? "$(cat "$tmp/crash2.err")"
lost=0
for id in "${ids[@]}"; do
    if ! wait_state "$id" 120 || [ "$state" != succeeded ]; then
        lost=$((lost + 1))
        echo "    job $id: '$state' $(head -c 200 "$tmp/job")"
        continue
    fi
    sha=$(jq -r .proof.sha256 "$tmp/job")
    curl -s "$url/v1/jobs/$id/proof" -o "$tmp/p"
    if [ "$(sha256sum "$tmp/p" | cut -c1-64)" != "$sha" ] || { [ -n "${before[$id]:-}" ] && [ "${before[$id]}" != "$sha" ]; }; then
        lost=$((lost + 1))
        echo "    job $id: the served proof changed or does not match its record"
    fi
done
[ "$lost" = 0 ]
check crash_recovery_no_job_lost $? "$lost of ${#ids[@]} jobs lost or changed"
retried=0
for id in "${ids[@]}"; do
    [ "$(curl -s "$url/v1/jobs/$id" | jq .attempts)" -ge 2 ] && retried=$((retried + 1))
done
[ "$retried" -ge 1 ]
check crash_attempts_counted $? "no job shows a second attempt"
"$bin" verify <(curl -s "$url/v1/jobs/${ids[0]}/proof") --program "$loop" >/dev/null 2>&1
check crash_recovered_proof_verifies $? "cairn verify rejected it"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
