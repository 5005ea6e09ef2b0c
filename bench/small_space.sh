#!/bin/bash
# small_space.sh — linear space against small space as the run grows
# (docs/benchmarks.md, "Small space"; docs/small-space.md).  For each
# trace size 2^n in SIZES it proves the loop guest (rounds chosen so that
# the run pads to 2^n rows) once in linear space (`--linear`, only for n
# in LINEAR) and once in small space (`--checkpoint-interval 2^ceil(n/2)`,
# the default interval), checks that both proofs are the same bytes and
# that the proof verifies, and prints one tab-separated line per run:
#     mode  n  rows  prove_s  peak_rss_mib  witness_passes  proof_bytes  checkpoints
#     regenerated_rows  replay_share  cpu_s
# taken from `cairn prove --json` (the peak is the kernel's, getrusage;
# replay_share is the replay's time over the CPU time spent proving).
# bench/plot_small_space.awk turns those lines into an SVG.
# Usage: bench/small_space.sh [BUILD_DIR]
#   SIZES="18 20 22 24"  LINEAR="18 20 22"  THREADS=2  BUDGET= (adds --memory-budget)
#   CGROUP= (a hard limit such as 256M: each prove runs in a memory cgroup of
#   its own with that limit, v1 or v2, which needs root; a comment line
#   after each run gives the group's peak usage, or that the kernel
#   killed it)
#   ALLOC=1 (preload the counting allocator, build/release/bench/alloc_peak.so:
#   a comment line after each run gives its largest single allocation)
set -u

bdir="${1:-build/release}"
bin="$bdir/cairn"
loop="$(dirname "$bdir")/guests/rv32i/loop.elf"
sizes=${SIZES:-18 20 22 24}
linear=${LINEAR:-18 20 22}
threads=${THREADS:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

[ -x "$bin" ] && [ -f "$loop" ] || { echo "build first: make && make guests" >&2; exit 1; }

# The loop guest runs about 9 740 rows plus 22.2 a round: the rounds that
# fill 2^n rows (n >= 14) to between 85 % and 100 %.
rounds_for() {
    local r=$(( ((1 << $1) * 85 / 100 - 9740) * 10 / 222 ))
    echo $(( r > 0 ? r : 1 ))
}

# One JSON number or string field of a one-line object.
field() {
    sed -n "s/.*\"$1\": \"\{0,1\}\([^,\"}]*\).*/\1/p" "$2"
}

# Run a command, in a memory cgroup of CGROUP bytes when CGROUP is set;
# cg_note receives the group's peak usage or why it ended.
cg_note=""
cg_run() {
    [ -z "${CGROUP:-}" ] && { "$@"; return; }
    local g peak rc
    if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
        g=/sys/fs/cgroup/cairn-bench.$$
        mkdir "$g" && echo "$CGROUP" >"$g/memory.max" || return 1
        echo 0 >"$g/memory.swap.max" 2>/dev/null
        peak="$g/memory.peak"
    else
        g=/sys/fs/cgroup/memory/cairn-bench.$$
        mkdir "$g" && echo "$CGROUP" >"$g/memory.limit_in_bytes" || return 1
        peak="$g/memory.max_usage_in_bytes"
    fi
    (echo "$BASHPID" >"$g/cgroup.procs" && exec "$@")
    rc=$?
    cg_note="cgroup limit $CGROUP, peak usage $(awk '{ printf "%.1f MiB", $1 / 1048576 }' "$peak" 2>/dev/null)"
    [ $rc -ge 128 ] && cg_note="$cg_note, killed by signal $((rc - 128))"
    rmdir "$g"
    return $rc
}

run() { # mode n
    local mode=$1 n=$2 r flags=() out="$tmp/$1.$2"
    r=$(rounds_for "$n")
    # shellcheck disable=SC2059 # the format is the input's four bytes, little-endian
    printf "$(printf '\\x%02x' $((r & 255)) $((r >> 8 & 255)) $((r >> 16 & 255)) $((r >> 24)))" \
        >"$tmp/in.$n"
    if [ "$mode" = linear ]; then
        flags=(--linear)
    else
        flags=(--checkpoint-interval $((1 << ((n + 1) / 2))))
        [ -n "${BUDGET:-}" ] && flags=(--memory-budget "$BUDGET")
    fi
    local pre=()
    [ -n "${ALLOC:-}" ] && pre=(env LD_PRELOAD="$(cd "$bdir" && pwd)/bench/alloc_peak.so" CAIRN_ALLOC_LOG="$out.alloc")
    if ! cg_run "${pre[@]}" "$bin" prove "$loop" --input "$tmp/in.$n" -o "$out.proof" --threads "$threads" \
        "${flags[@]}" --json >"$out.json" 2>"$out.err"; then
        echo "# $mode 2^$n: $(tail -1 "$out.err")${cg_note:+ ($cg_note)}"
        rm -f "$out.proof"
        return 1
    fi
    [ -n "$cg_note" ] && echo "# $mode 2^$n: $cg_note"
    [ -f "$out.alloc" ] && echo "# $mode 2^$n: $(awk '{ printf "largest single allocation %.1f MiB (%s bytes); the cells of 2^n rows: %.1f MiB", $2 / 1048576, $2, 200 * 2 ^ n / 1048576 }' n="$n" "$out.alloc")"
    "$bin" verify "$out.proof" --program "$loop" >/dev/null 2>&1 || { echo "# $mode 2^$n: proof rejected"; return 1; }
    local cp rg sh
    cp=$(field checkpoints "$out.json")
    rg=$(field regenerated_rows "$out.json")
    sh=$(field replay_share "$out.json")
    awk -v m="$mode" -v n="$n" -v rows="$(field trace_rows "$out.json")" \
        -v ms="$(field prove_ms "$out.json")" -v peak="$(field peak_rss_bytes "$out.json")" \
        -v pa="$(field witness_passes "$out.json")" -v pb="$(field proof_size_bytes "$out.json")" \
        -v cp="${cp:-0}" -v rg="${rg:-0}" -v sh="${sh:-0}" -v cpu="$(field cpu_s "$out.json")" \
        'BEGIN { printf "%s\t%s\t%s\t%.2f\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\n", m, n, rows, ms / 1000, peak / 1048576, pa, pb, cp, rg, sh, cpu }'
}

echo "# $(uptime); threads $threads"
printf '# mode\tn\trows\tprove_s\tpeak_rss_mib\twitness_passes\tproof_bytes\tcheckpoints\tregenerated_rows\treplay_share\tcpu_s\n'
for n in $sizes; do
    for l in $linear; do
        [ "$l" = "$n" ] && run linear "$n"
    done
    run small "$n"
    if [ -f "$tmp/linear.$n.proof" ] && [ -f "$tmp/small.$n.proof" ] &&
        ! cmp -s "$tmp/linear.$n.proof" "$tmp/small.$n.proof"; then
        echo "# 2^$n: the two proofs differ" >&2
        exit 1
    fi
done
