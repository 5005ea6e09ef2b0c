# script_lib.sh — what the service test scripts (service_test.sh,
# pg_test.sh) share; sourced, not run, with the script's own arguments.
# Sets the build's paths ($bdir from $1, $bin, $guests, $hello, $fib), a
# temporary directory ($tmp), the list of processes to stop on exit
# ($pids), and the per-check lines: ok NAME, bad NAME DETAIL and check NAME
# STATUS DETAIL print "  $suite/NAME  ok|FAIL ..." and count $passed and
# $failed.  start NAME ARGS... starts `cairn serve --listen 127.0.0.1:0
# ARGS` and waits for its URL ($url; its pid in $spid).  stop_all kills every process in $pids with SIGKILL (after a
# SIGCONT, for one that was stopped) and waits for them.

bdir="${1:-build/release}"
bin="$bdir/cairn"
guests="$(dirname "$bdir")/guests/rv32i"
hello="$guests/hello.elf"
fib="$guests/fib.elf"
tmp=$(mktemp -d)
pids=()
passed=0
failed=0

stop_all() {
    local p
    for p in "${pids[@]}"; do
        kill -CONT "$p" 2>/dev/null
        kill -9 "$p" 2>/dev/null
    done
    wait 2>/dev/null
}

ok() { passed=$((passed + 1)); printf '  %-48s ok\n' "$suite/$1"; }
bad() { failed=$((failed + 1)); printf '  %-48s FAIL %s\n' "$suite/$1" "$2"; }
# check NAME COND_STATUS DETAIL: ok when the previous command succeeded.
check() { if [ "$2" = 0 ]; then ok "$1"; else bad "$1" "$3"; fi; }

# start NAME ARGS...: start a server on a free port; sets $url and $spid.
start() {
    local name=$1 i
    shift
    "$bin" serve --listen 127.0.0.1:0 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    spid=$!
    pids+=("$spid")
    url=""
    for i in $(seq 200); do
        url=$(sed -n 's/^cairn serve: listening on //p' "$tmp/$name.out" 2>/dev/null)
        [ -n "$url" ] && return 0
        kill -0 "$spid" 2>/dev/null || break
        sleep 0.05
    done
    bad "start_$name" "no 'listening on' line: $(head -c 300 "$tmp/$name.err")"
    return 1
}
