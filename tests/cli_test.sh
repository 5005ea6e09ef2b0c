#!/bin/bash
# cli_test.sh — end-to-end checks of the cairn program and of the guest
# toolchain that scripts/setup.sh installs.  Usage: cli_test.sh BUILD_DIR
# Prints one line per check and closes with "N passed, N failed".
set -u

bin="${1:-build/release}/cairn"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); printf '  %-48s ok\n' "cli/$1"; }
bad() { failed=$((failed + 1)); printf '  %-48s FAIL %s\n' "cli/$1" "$2"; }

# expect NAME WANT_STATUS PATTERN -- CMD...: run CMD, check its exit status
# and that stdout+stderr match the extended regex PATTERN.
expect() {
    local name=$1 want=$2 pat=$3
    shift 4
    "$@" >"$tmp/out" 2>&1
    local rc=$?
    if [ "$rc" != "$want" ]; then
        bad "$name" "exit status $rc, expected $want: $(head -c 300 "$tmp/out")"
    elif ! grep -Eq -- "$pat" "$tmp/out"; then
        bad "$name" "output does not match /$pat/: $(head -c 300 "$tmp/out")"
    else
        ok "$name"
    fi
}

# expect_noproof NAME STATUS PATTERN PROOF -- CMD...: as expect, and PROOF must not exist
expect_noproof() {
    local name=$1 want=$2 pat=$3 proof=$4
    shift 4
    expect "$name" "$want" "$pat" "$@"
    if [ -e "$proof" ]; then bad "${name}_no_proof" "$proof was written"; fi
}

expect help 0 '^usage: cairn' -- "$bin" --help
expect help_lists_commands 0 'selftest' -- "$bin" --help
if "$bin" --help | grep -q 'without RAM'; then bad help_prove_summary "still says 'without RAM'"; else ok help_prove_summary; fi
expect no_args 2 '^usage: cairn' -- "$bin"
expect unknown_command 2 "unknown command 'frobnicate'" -- "$bin" frobnicate
expect unknown_option 2 "unknown option '--frob'" -- "$bin" --frob
expect version 0 '^cairn [0-9]+\.[0-9]+\.[0-9]+$' -- "$bin" --version
expect version_json 0 '^\{"version": "[0-9.]+"\}$' -- "$bin" version --json
expect help_selftest 0 '^usage: cairn selftest' -- "$bin" help selftest
expect selftest_help 0 '^usage: cairn selftest' -- "$bin" selftest --help
expect selftest 0 'all [0-9]+ checks passed' -- "$bin" selftest
expect selftest_portable 0 'simd +vector kernels: portable' -- env CAIRN_SIMD=portable "$bin" selftest
expect selftest_json 0 '^\{"checks": \[.*\], "ok": true\}$' -- "$bin" selftest --json
expect selftest_bad_arg 2 "unexpected argument '--nope'" -- "$bin" selftest --nope
expect help_unknown 2 "unknown command 'nope'" -- "$bin" help nope

# Writing to a closed or full stdout is an error, not silence.
if [ -w /dev/full ]; then
    "$bin" selftest >/dev/full 2>"$tmp/err"
    rc=$?
    if [ "$rc" = 4 ] && grep -q 'standard output' "$tmp/err"; then ok stdout_full; else bad stdout_full "exit $rc"; fi
fi

# The guest toolchain: build the freestanding example and run it under qemu.
if command -v riscv64-unknown-elf-gcc >/dev/null && command -v qemu-riscv32 >/dev/null; then
    if riscv64-unknown-elf-gcc -march=rv32i -mabi=ilp32 -O2 -nostdlib -static \
        -o "$tmp/hello.elf" guest/examples/hello.c 2>"$tmp/cc"; then
        out=$(qemu-riscv32 "$tmp/hello.elf")
        rc=$?
        if [ "$rc" = 7 ] && [ "$out" = "hello from a cairn guest" ]; then
            ok guest_toolchain_hello
        else
            bad guest_toolchain_hello "qemu exit $rc, output '$out'"
        fi
    else
        bad guest_toolchain_hello "compile failed: $(head -c 300 "$tmp/cc")"
    fi
else
    bad guest_toolchain_hello "riscv64-unknown-elf-gcc or qemu-riscv32 missing: run scripts/setup.sh"
fi

# cairn run: the example guests built by `make guests` (next to the build dir).
guests="$(dirname "${1:-build/release}")/guests"
if [ -f "$guests/rv32im/hello.elf" ]; then
    expect run_help 0 '^usage: cairn run' -- "$bin" run --help
    expect run_hello 7 '^hello from a cairn guest$' -- "$bin" run "$guests/rv32i/hello.elf"
    out=$("$bin" run "$guests/rv32im/hello.elf" 2>/dev/null)
    rc=$?
    if [ "$rc" = 7 ] && [ "$out" = "hello from a cairn guest" ]; then ok run_stdout_exact; else bad run_stdout_exact "exit $rc, '$out'"; fi
    # exit status passes through, and agrees with qemu
    printf '\x40\x42\x0f\x00' >"$tmp/n1m"
    "$bin" run "$guests/rv32im/loop.elf" --input "$tmp/n1m" >"$tmp/vm.out" 2>/dev/null
    rc=$?
    if command -v qemu-riscv32 >/dev/null; then
        qemu-riscv32 "$guests/rv32im/loop.elf" <"$tmp/n1m" >"$tmp/q.out" 2>/dev/null
        qrc=$?
        if [ "$rc" = "$qrc" ] && [ "$rc" != 0 ] && cmp -s "$tmp/vm.out" "$tmp/q.out"; then ok run_exit_status_like_qemu; else bad run_exit_status_like_qemu "cairn $rc, qemu $qrc"; fi
    else
        bad run_exit_status_like_qemu "qemu-riscv32 missing: run scripts/setup.sh"
    fi
    # stdout bytes: sha256 of an input file equals sha256sum
    head -c 10000 /dev/urandom >"$tmp/rand.bin"
    want=$(sha256sum <"$tmp/rand.bin" | cut -c1-64)
    got=$("$bin" run "$guests/rv32i/sha256.elf" --input "$tmp/rand.bin")
    if [ "$got" = "$want" ]; then ok run_sha256_matches_sha256sum; else bad run_sha256_matches_sha256sum "'$got' != '$want'"; fi
    got=$(printf abc | "$bin" run "$guests/rv32im/sha256.elf" --input -)
    if [ "$got" = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad ]; then ok run_input_stdin; else bad run_input_stdin "'$got'"; fi
    expect run_json 7 '^\{"status": "exited", "exit_code": 7, .*"output": "hello from a cairn guest\\n"\}$' -- "$bin" run "$guests/rv32i/hello.elf" --json
    expect run_stats 0 'cairn: stats: [0-9]+ cycles, .* MIPS' -- "$bin" run "$guests/rv32im/fib.elf" --stats
    expect run_stats_mix 0 'mix: alu [0-9]+ .*system [0-9]+' -- "$bin" run "$guests/rv32im/fib.elf" --stats
    expect run_stats_memory 0 'memory \[0x00010000, 0x[0-9a-f]+\): [0-9]+ bytes = 2\^[0-9]+ words.* bytes touched' -- "$bin" run "$guests/rv32im/fib.elf" --stats
    expect run_stats_json 0 '"stats": \{"mix": \{"alu": [0-9]+.*"mips": ' -- "$bin" run "$guests/rv32im/fib.elf" --stats --json
    expect run_max_cycles 5 'cairn: error: cycle limit of 1000 reached at pc 0x' -- "$bin" run "$guests/rv32im/loop.elf" --max-cycles 1000
    expect run_max_cycles_json 5 '"status": "cycle_limit", .*"cycles": 1000,' -- "$bin" run "$guests/rv32im/loop.elf" --max-cycles 1000 --json
    expect run_stack 7 'hello' -- "$bin" run "$guests/rv32im/hello.elf" --stack 64K
    expect run_stack_too_big 2 "--stack '4G'" -- "$bin" run "$guests/rv32im/hello.elf" --stack 4G
    expect run_bad_max_cycles 2 "--max-cycles 'x'" -- "$bin" run "$guests/rv32im/hello.elf" --max-cycles x
    expect run_missing_program 2 'missing PROGRAM.elf' -- "$bin" run
    expect run_unknown_option 2 "unknown option '--frob'" -- "$bin" run "$guests/rv32im/hello.elf" --frob
    expect run_missing_file 4 'cairn: error: .*nonexistent.elf' -- "$bin" run "$tmp/nonexistent.elf"
    expect run_missing_input 4 'cairn: error: --input' -- "$bin" run "$guests/rv32im/hello.elf" --input "$tmp/nonexistent"
    echo "not an elf" >"$tmp/bad.elf"
    expect run_bad_elf 3 'cairn: error: .*bad.elf: not an ELF file' -- "$bin" run "$tmp/bad.elf"
    expect run_directory 4 "cairn: error: $tmp: is a directory, not a file" -- "$bin" run "$tmp"
    expect run_input_directory 4 "cairn: error: --input $tmp: is a directory" -- "$bin" run "$guests/rv32im/hello.elf" --input "$tmp"
    expect run_max_cycles_suffix 5 'cycle limit of 2048 reached' -- "$bin" run "$guests/rv32im/loop.elf" --max-cycles 2K
    expect run_max_cycles_bad_suffix 2 "--max-cycles '2X'" -- "$bin" run "$guests/rv32im/loop.elf" --max-cycles 2X
    # a guest stopped by the cycle limit never exited: no exit code or value in its JSON
    "$bin" run "$guests/rv32im/loop.elf" --max-cycles 1000 --json >"$tmp/cl.json" 2>/dev/null
    if grep -q '"cycle_limit"' "$tmp/cl.json" && ! grep -q 'exit_' "$tmp/cl.json"; then ok run_cycle_limit_json_no_exit; else bad run_cycle_limit_json_no_exit "$(head -c 300 "$tmp/cl.json")"; fi
    if [ -w /dev/full ]; then
        "$bin" run "$guests/rv32im/hello.elf" >/dev/full 2>"$tmp/err"
        rc=$?
        if [ "$rc" = 4 ]; then ok run_stdout_full; else bad run_stdout_full "exit $rc"; fi
    fi
else
    bad run_guests "$guests/rv32im/hello.elf missing: build the guests with make guests"
fi

# cairn run --checkpoints and cairn replay (docs/checkpoints.md, docs/cli.md).
if [ -f "$guests/rv32im/loop.elf" ]; then
    printf '\x10\x27\x00\x00' >"$tmp/n10k"
    loop="$guests/rv32im/loop.elf"
    "$bin" run "$loop" --input "$tmp/n10k" >"$tmp/plain.out" 2>/dev/null
    prc=$?
    "$bin" run "$loop" --input "$tmp/n10k" --checkpoints "$tmp/loop.ckpt" --checkpoint-interval 10K >"$tmp/ck.out" 2>"$tmp/ck.err"
    crc=$?
    if [ "$crc" = "$prc" ] && cmp -s "$tmp/plain.out" "$tmp/ck.out" && [ -s "$tmp/loop.ckpt" ] &&
        grep -Eq '^cairn: [0-9]+ checkpoints every 10240 cycles' "$tmp/ck.err"; then
        ok run_checkpoints_same_outcome
    else
        bad run_checkpoints_same_outcome "status $crc vs $prc: $(head -c 300 "$tmp/ck.err")"
    fi
    if ls "$tmp" | grep -q '\.tmp\.'; then bad run_checkpoints_no_temp_left "$(ls "$tmp")"; else ok run_checkpoints_no_temp_left; fi
    expect run_checkpoints_json "$prc" '"checkpoints": \{"file": ".*loop2.ckpt", "count": [0-9]+, "interval": 4096' -- "$bin" run "$loop" --input "$tmp/n10k" --checkpoints "$tmp/loop2.ckpt" --checkpoint-interval 4K --json
    expect replay_help 0 '^usage: cairn replay' -- "$bin" replay --help
    expect replay_ok 0 '^ok: [0-9]+ intervals of 10240 cycles, [0-9]+ cycles replayed with 2 threads .*guest exited' -- "$bin" replay "$tmp/loop.ckpt" "$loop" --input "$tmp/n10k" --threads 2
    expect replay_one_thread 0 '^ok: .* with 1 threads' -- "$bin" replay "$tmp/loop.ckpt" "$loop" --input "$tmp/n10k" --threads 1
    expect replay_json 0 '^\{"ok": true, "checkpoints": [0-9]+, "interval": 10240, .*"threads": 3, .*"mcycles_per_s": ' -- "$bin" replay "$tmp/loop.ckpt" "$loop" --input "$tmp/n10k" --threads 3 --json
    expect replay_wrong_input 1 'recorded with another input' -- "$bin" replay "$tmp/loop.ckpt" "$loop"
    expect replay_wrong_program 1 'recorded for another program' -- "$bin" replay "$tmp/loop.ckpt" "$guests/rv32im/fib.elf" --input "$tmp/n10k"
    expect replay_wrong_json 1 '^\{"ok": false, "error": ".*another program' -- "$bin" replay "$tmp/loop.ckpt" "$guests/rv32im/fib.elf" --input "$tmp/n10k" --json
    size=$(wc -c <"$tmp/loop.ckpt")
    head -c $((size - 1)) "$tmp/loop.ckpt" >"$tmp/trunc.ckpt"
    expect replay_truncated 3 'trunc.ckpt: checkpoint file corrupted or truncated' -- "$bin" replay "$tmp/trunc.ckpt" "$loop" --input "$tmp/n10k"
    head -c 100 "$tmp/loop.ckpt" >"$tmp/short.ckpt"
    expect replay_short 3 'short.ckpt: truncated checkpoint file' -- "$bin" replay "$tmp/short.ckpt" "$loop" --input "$tmp/n10k"
    cp "$tmp/loop.ckpt" "$tmp/bad.ckpt"
    printf '\x5a' | dd of="$tmp/bad.ckpt" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
    expect replay_corrupted 3 'bad.ckpt: checkpoint file corrupted' -- "$bin" replay "$tmp/bad.ckpt" "$loop" --input "$tmp/n10k"
    expect replay_not_checkpoints 3 'not a cairn checkpoint file' -- "$bin" replay "$loop" "$loop"
    expect replay_missing_file 4 'cairn: error: .*nonexistent.ckpt' -- "$bin" replay "$tmp/nonexistent.ckpt" "$loop"
    expect replay_missing_program 2 'expected a checkpoint FILE and PROGRAM.elf' -- "$bin" replay "$tmp/loop.ckpt"
    expect replay_bad_threads 2 "--threads '0'" -- "$bin" replay "$tmp/loop.ckpt" "$loop" --threads 0
    expect replay_unknown_option 2 "unknown option '--frob'" -- "$bin" replay "$tmp/loop.ckpt" "$loop" --frob
    expect run_interval_without_file 2 '--checkpoint-interval needs --checkpoints' -- "$bin" run "$loop" --checkpoint-interval 5
    expect run_bad_interval 2 "--checkpoint-interval '0'" -- "$bin" run "$loop" --checkpoints "$tmp/x.ckpt" --checkpoint-interval 0
    expect run_checkpoints_stats 2 'cannot be combined' -- "$bin" run "$loop" --checkpoints "$tmp/x.ckpt" --stats
    expect run_checkpoints_unwritable 4 'cairn: error: --checkpoints .*nodir/x.ckpt' -- "$bin" run "$guests/rv32im/hello.elf" --checkpoints "$tmp/nodir/x.ckpt"
    # every example guest, both ISAs: record, then replay
    printf '\x14\x00\x00\x00' >"$tmp/n20"
    head -c 5000 /dev/urandom >"$tmp/r5k"
    allok=1
    for a in rv32i rv32im; do
        for g in hello fib sha256 sort sieve loop; do
            in="$tmp/n20"
            [ "$g" = sha256 ] && in="$tmp/r5k"
            "$bin" run "$guests/$a/$g.elf" --input "$in" --checkpoints "$tmp/g.ckpt" --checkpoint-interval 3000 >/dev/null 2>&1
            if ! "$bin" replay "$tmp/g.ckpt" "$guests/$a/$g.elf" --input "$in" --threads 2 >"$tmp/g.out" 2>&1; then
                allok=0
                bad "replay_guest_${a}_$g" "$(head -c 300 "$tmp/g.out")"
            fi
        done
    done
    [ "$allok" = 1 ] && ok replay_every_example_guest
fi

# cairn prove / verify / inspect (docs/cli.md): the register-only example guest.
if [ -f "$guests/rv32i/regloop.elf" ]; then
    rl="$guests/rv32i/regloop.elf"
    expect prove_help 0 '^usage: cairn prove' -- "$bin" prove --help
    expect prove_ok 0 '^proved 6006 cycles \(exit code 83, 6006 rows, 0 bytes of output\) in .*-byte proof written to .*rl.proof' -- "$bin" prove "$rl" -o "$tmp/rl.proof"
    # the only proof is the lean proof (format 5); format 4 (the first prover) was removed
    expect prove_json 0 '^\{"proof_file": .*"proof_hash": "[0-9a-f]{64}", "proof_size_bytes": [0-9]+, "prove_ms": [0-9.]+, "cycles": 6006, "trace_rows": 6006, "security_bits": 1[0-9][0-9], "exit_code": 83, "output_len": 0, "output_hex": "", "program_digest": "[0-9a-f]{64}", "rows": 8192, "columns_per_cycle": 25, "proof_format": 5, "stage_ms": \{"execute": ' -- "$bin" prove "$rl" -o "$tmp/rl2.proof" --json
    expect prove_v4_refused 2 "--proof-format 4: format 4 proofs \(the first prover\) are no longer supported; this cairn writes format 5" -- "$bin" prove "$rl" --proof-format 4 -o "$tmp/rl4.proof"
    # a format-4 file (its version field says 4): refused by name as malformed input, by verify and inspect
    cp "$tmp/rl.proof" "$tmp/rl4.proof"
    printf '\x04' | dd of="$tmp/rl4.proof" bs=1 seek=8 conv=notrunc 2>/dev/null
    expect verify_v4_refused 3 'rl4.proof: malformed proof: format 4 proofs \(the first prover\) are no longer supported; this cairn reads format 5' -- "$bin" verify "$tmp/rl4.proof" --program "$rl"
    expect verify_v4_refused_json 3 '^\{"accepted": false, "malformed": true, "reason": "format 4 proofs \(the first prover\) are no longer supported' -- "$bin" verify "$tmp/rl4.proof" --program "$rl" --json
    expect inspect_v4_refused 3 'rl4.proof: malformed proof: format 4 proofs \(the first prover\) are no longer supported; this cairn reads format 5' -- "$bin" inspect "$tmp/rl4.proof"
    if cmp -s "$tmp/rl.proof" "$tmp/rl2.proof"; then ok prove_deterministic; else bad prove_deterministic "two proofs of the same run differ"; fi
    expect verify_ok 0 '^accepted: 6006 rows, exit code 83, 0 bytes of output, 1[0-9][0-9]-bit proven security' -- "$bin" verify "$tmp/rl.proof" --program "$rl"
    expect verify_json 0 '^\{"accepted": true, "exit_code": 83, "output_len": 0, "output_hex": "", "program_digest": "[0-9a-f]{64}", "trace_rows": 6006, "security_bits": 1[0-9][0-9]' -- "$bin" verify "$tmp/rl.proof" --program "$rl" --json
    expect verify_other_program 1 'rejected: the proof is for another program' -- "$bin" verify "$tmp/rl.proof" --program "$guests/rv32i/hello.elf"
    expect verify_other_program_json 1 '^\{"accepted": false, "malformed": false, "reason": ".*another program' -- "$bin" verify "$tmp/rl.proof" --program "$guests/rv32i/hello.elf" --json
    size=$(wc -c <"$tmp/rl.proof")
    head -c $((size - 1)) "$tmp/rl.proof" >"$tmp/trunc.proof"
    expect verify_truncated 3 'trunc.proof: malformed proof: ' -- "$bin" verify "$tmp/trunc.proof" --program "$rl"
    expect verify_truncated_json 3 '"malformed": true' -- "$bin" verify "$tmp/trunc.proof" --program "$rl" --json
    cp "$tmp/rl.proof" "$tmp/flip.proof"
    # byte 1000 lies in the zero-check's round messages: well-formed, false
    b=$(od -An -tu1 -j1000 -N1 "$tmp/rl.proof" | tr -d ' ')
    printf "\\x$(printf %02x $((b ^ 1)))" | dd of="$tmp/flip.proof" bs=1 seek=1000 conv=notrunc 2>/dev/null
    expect verify_flipped 1 'flip.proof: rejected: ' -- "$bin" verify "$tmp/flip.proof" --program "$rl"
    expect verify_not_a_proof 3 'malformed proof: not a cairn proof' -- "$bin" verify "$rl" --program "$rl"
    expect verify_bad_program 3 'bad.elf: not an ELF file' -- "$bin" verify "$tmp/rl.proof" --program "$tmp/bad.elf"
    expect verify_bad_program_json 3 '^\{"accepted": false, "malformed": true, "reason": "not an ELF file' -- "$bin" verify "$tmp/rl.proof" --program "$tmp/bad.elf" --json
    cp "$tmp/rl.proof" "$tmp/long5.proof"
    printf '\0' >>"$tmp/long5.proof"
    expect verify_v5_one_trailing_byte 3 'malformed proof: .*1 trailing byte after the lean proof' -- "$bin" verify "$tmp/long5.proof" --program "$rl"
    expect verify_directory 4 "cairn: error: $tmp: is a directory" -- "$bin" verify "$tmp" --program "$rl"
    expect verify_missing_program 2 'missing --program' -- "$bin" verify "$tmp/rl.proof"
    expect verify_missing_file 4 'cairn: error: .*nonexistent.proof' -- "$bin" verify "$tmp/nonexistent.proof" --program "$rl"
    expect inspect_ok 0 'trace rows +6006$' -- "$bin" inspect "$tmp/rl.proof"
    expect inspect_parts 0 '^parts:$' -- "$bin" inspect "$tmp/rl.proof"
    expect inspect_json 0 '^\{"version": 5, .*"trace_rows": 6006, .*"total": [0-9]+\}$' -- "$bin" inspect "$tmp/rl.proof" --json
    expect inspect_default_v5 0 '^cairn proof, format version 5 \(the lean proof\)' -- "$bin" inspect "$tmp/rl.proof"
    expect inspect_truncated 3 'malformed proof' -- "$bin" inspect "$tmp/trunc.proof"
    # the M extension proves (format 5): fib built for rv32im divides and multiplies,
    # matmul multiplies (MUL, MULH, MULHU); each verifies with the output `cairn run` prints
    expect prove_rv32im 0 '^proved [0-9]+ cycles \(exit code 0' -- "$bin" prove "$guests/rv32im/fib.elf" --input "$tmp/n20" -o "$tmp/fibm.proof"
    want=$("$bin" run "$guests/rv32im/fib.elf" --input "$tmp/n20" 2>/dev/null | sed 's/[][\.*^$()+?{}|]/\\&/g')
    expect verify_rv32im 0 "^$want\$" -- "$bin" verify "$tmp/fibm.proof" --program "$guests/rv32im/fib.elf"
    if [ -f "$guests/rv32im/matmul.elf" ]; then
        printf '\x04\x00\x00\x00' >"$tmp/n4"
        expect prove_rv32im_mul 0 '^proved [0-9]+ cycles \(exit code 0' -- "$bin" prove "$guests/rv32im/matmul.elf" --input "$tmp/n4" -o "$tmp/mm.proof"
        want=$("$bin" run "$guests/rv32im/matmul.elf" --input "$tmp/n4" 2>/dev/null)
        expect verify_rv32im_mul 0 "^$want\$" -- "$bin" verify "$tmp/mm.proof" --program "$guests/rv32im/matmul.elf"
    fi
    expect prove_hello 0 '^proved 11 cycles \(exit code 7, 37 rows, 25 bytes of output\)' -- "$bin" prove "$guests/rv32i/hello.elf" -o "$tmp/hello.proof"
    # small space: no witness held, rows regenerated from checkpoints; the very same proof bytes
    expect prove_linear_says 0 '^linear space: [0-9.]+ passes over the witness, peak [0-9]+ MiB$' -- "$bin" prove "$guests/rv32i/hello.elf" -o "$tmp/hello_lin.proof" --linear
    expect prove_small_interval 0 '^small space: [0-9]+ checkpoints every 7 rows \([0-9.]+ MiB\), [0-9.]+ passes over the witness, peak [0-9]+ MiB$' -- "$bin" prove "$guests/rv32i/hello.elf" -o "$tmp/hello_small.proof" --checkpoint-interval 7
    expect prove_small_replay 0 '^replay: [0-9]+ rows regenerated in [0-9.]+ s, [0-9.]+ % of [0-9.]+ s of CPU$' -- "$bin" prove "$guests/rv32i/hello.elf" -o "$tmp/hello_small3.proof" --checkpoint-interval 7
    if cmp -s "$tmp/hello_lin.proof" "$tmp/hello_small.proof" && cmp -s "$tmp/hello.proof" "$tmp/hello_small.proof"; then
        ok prove_small_same_bytes
    else
        bad prove_small_same_bytes "the small-space proof differs from the linear one"
    fi
    expect prove_small_budget 0 '^small space: [0-9]+ checkpoints every [0-9]+ rows' -- "$bin" prove "$guests/rv32i/sha256.elf" --input "$tmp/n20" -o "$tmp/sha_small.proof" --memory-budget 1G
    expect verify_small 0 '^accepted: [0-9]+ rows' -- "$bin" verify "$tmp/sha_small.proof" --program "$guests/rv32i/sha256.elf"
    expect prove_small_json 0 '"space": "small", "witness_passes": [0-9.]+, "stage_passes": \{"tables": 1.00, .*"peak_rss_bytes": [0-9]+, "cpu_s": [0-9.]+, "checkpoint_interval": 7, "checkpoints": [0-9]+, "checkpoint_bytes": [0-9]+, "regenerated_rows": [0-9]+, "replay_s": [0-9.]+, "replay_share": [01]\.[0-9]+\}$' -- "$bin" prove "$guests/rv32i/hello.elf" -o "$tmp/hello_small2.proof" --checkpoint-interval 7 --json
    expect_noproof prove_budget_too_small 5 'memory budget 1.0 MiB below the [0-9.]+ MiB small space needs for 2\^6 rows: tables' "$tmp/hello_b.proof" -- "$bin" prove "$guests/rv32i/hello.elf" -o "$tmp/hello_b.proof" --memory-budget 1M
    # the budget honoured: at the minimum the refusal names, the peak resident set (the
    # kernel's, in --json) stays within the budget plus the overhead docs/small-space.md states
    printf '\xd0\x07\x00\x00' >"$tmp/loop2k"
    min=$("$bin" prove "$guests/rv32i/loop.elf" --input "$tmp/loop2k" -o "$tmp/loop_b.proof" --memory-budget 1M 2>&1 |
        sed -n 's/.*below the \([0-9]*\)\.[0-9]* MiB small space needs.*/\1/p')
    if [ -z "$min" ]; then
        bad prove_budget_honoured "no minimum in the refusal"
    else
        budget=$((min + 1))
        "$bin" prove "$guests/rv32i/loop.elf" --input "$tmp/loop2k" -o "$tmp/loop_b.proof" --memory-budget "${budget}M" --json >"$tmp/loop_b.json" 2>&1
        peak=$(sed -n 's/.*"peak_rss_bytes": \([0-9]*\).*/\1/p' "$tmp/loop_b.json")
        if [ -n "$peak" ] && [ "$peak" -le $(((budget + 16) << 20)) ] && grep -q '"space": "small"' "$tmp/loop_b.json"; then
            ok prove_budget_honoured
        else
            bad prove_budget_honoured "budget ${budget} MiB, peak ${peak:-none} bytes: $(head -c 300 "$tmp/loop_b.json")"
        fi
    fi
    expect prove_budget_bad 2 "memory-budget '12x'" -- "$bin" prove "$guests/rv32i/hello.elf" --memory-budget 12x
    expect prove_linear_and_budget 2 '--linear with --memory-budget' -- "$bin" prove "$guests/rv32i/hello.elf" --linear --memory-budget 1G
    expect verify_hello_output 0 '^output \(25 bytes, proven\):$' -- "$bin" verify "$tmp/hello.proof" --program "$guests/rv32i/hello.elf"
    expect verify_hello_text 0 '^hello from a cairn guest$' -- "$bin" verify "$tmp/hello.proof" --program "$guests/rv32i/hello.elf"
    expect verify_hello_json 0 '"output_len": 25, "output_hex": "68656c6c6f2066726f6d206120636169726e2067756573740a"' -- "$bin" verify "$tmp/hello.proof" --program "$guests/rv32i/hello.elf" --json
    # the lean proof asked for by name (--proof-format 5, kept for scripts): proven, verified, inspected; tampered and truncated
    h=$guests/rv32i/hello.elf
    expect prove_v5 0 '^proved 11 cycles \(exit code 7, 37 rows, 25 bytes of output\) in .*-byte proof written to .*h5.proof' -- "$bin" prove "$h" --proof-format 5 -o "$tmp/h5.proof"
    expect prove_v5_json 0 '"trace_rows": 37, "security_bits": 1[0-9][0-9], .*"output_hex": "68656c6c6f2066726f6d206120636169726e2067756573740a", .*"columns_per_cycle": 25, "proof_format": 5, "stage_ms": \{"execute": [0-9.]+, "witness": [0-9.]+, "tables": .*"openings": [0-9.]+\}, "space": "linear", .*"peak_rss_bytes": [0-9]+, "cpu_s": [0-9.]+\}$' -- "$bin" prove "$h" --proof-format 5 -o "$tmp/h5b.proof" --json
    if cmp -s "$tmp/h5.proof" "$tmp/h5b.proof"; then ok prove_v5_deterministic; else bad prove_v5_deterministic "two format-5 proofs of the same run differ"; fi
    expect verify_v5_text 0 '^hello from a cairn guest$' -- "$bin" verify "$tmp/h5.proof" --program "$h"
    expect verify_v5_json 0 '^\{"accepted": true, "exit_code": 7, "output_len": 25, "output_hex": "68656c6c6f2066726f6d206120636169726e2067756573740a", .*"trace_rows": 37' -- "$bin" verify "$tmp/h5.proof" --program "$h" --json
    expect verify_v5_other_program 1 'h5.proof: rejected: ' -- "$bin" verify "$tmp/h5.proof" --program "$rl"
    expect inspect_v5 0 '^  instructions +11$' -- "$bin" inspect "$tmp/h5.proof"
    expect inspect_v5_json 0 '^\{"version": 5, .*"trace_rows": 37, "instructions": 11, .*"parts": \[\{"name": "header, statement and output", "offset": 0, "bytes": 113\}' -- "$bin" inspect "$tmp/h5.proof" --json
    size=$(wc -c <"$tmp/h5.proof")
    head -c $((size - 1)) "$tmp/h5.proof" >"$tmp/h5t.proof"
    expect verify_v5_truncated 3 'h5t.proof: malformed proof: ' -- "$bin" verify "$tmp/h5t.proof" --program "$h"
    cp "$tmp/h5.proof" "$tmp/h5f.proof"
    # byte 296 lies in the zero-check's round messages: well-formed, false
    b=$(od -An -tu1 -j296 -N1 "$tmp/h5.proof" | tr -d ' ')
    printf "\\x$(printf %02x $((b ^ 1)))" | dd of="$tmp/h5f.proof" bs=1 seek=296 conv=notrunc 2>/dev/null
    expect verify_v5_flipped 1 'h5f.proof: rejected: ' -- "$bin" verify "$tmp/h5f.proof" --program "$h"
    expect prove_v5_security 5 'a 128-bit security target is not reachable for this proof yet' -- "$bin" prove "$h" --proof-format 5 --security 128 -o "$tmp/x.proof"
    if cmp -s "$tmp/hello.proof" "$tmp/h5.proof"; then ok prove_default_is_v5; else bad prove_default_is_v5 "the default proof differs from --proof-format 5's"; fi
    expect prove_bad_format 2 "proof-format '6': expected 5" -- "$bin" prove "$h" --proof-format 6 -o "$tmp/x.proof"
    # every example guest built for rv32i, on a small input: proven, verified, and the
    # output verify prints is the output cairn run prints
    printf '\x40\x00\x00\x00' >"$tmp/n64"
    printf '\xe8\x03\x00\x00' >"$tmp/n1000"
    printf 'the quick brown fox jumps over the lazy dog, twice: the quick brown fox' >"$tmp/text"
    for case in "fib n20" "sha256 text" "sort n64" "sieve n1000" "loop n1000"; do
        set -- $case
        g=$guests/rv32i/$1.elf
        want=$("$bin" run "$g" --input "$tmp/$2" 2>/dev/null)
        if "$bin" prove "$g" --input "$tmp/$2" -o "$tmp/ex.proof" --quiet 2>"$tmp/ex.err" &&
            got=$("$bin" verify "$tmp/ex.proof" --program "$g" | sed '1,/^output (/d') &&
            [ "$got" = "$want" ] && [ -n "$want" ]; then
            ok "example_proven_$1"
        else
            bad "example_proven_$1" "want '$want', got '$got' $(head -c 300 "$tmp/ex.err")"
        fi
    done
    expect prove_bad_security 2 "--security '99'" -- "$bin" prove "$rl" --security 99
    expect prove_missing 2 'missing PROGRAM.elf' -- "$bin" prove
    expect prove_bad_elf 3 'bad.elf' -- "$bin" prove "$tmp/bad.elf"
    # 128 bits needs a larger challenge field than F_p2 for the LogUp and GKR terms: refused
    # (exit 5, a target out of reach), never overstated, and with no detour to another format
    expect prove_128_refused 5 'a 128-bit security target is not reachable for this proof yet' -- "$bin" prove "$rl" -o "$tmp/rl128.proof" --security 128
    "$bin" prove "$rl" -o "$tmp/rl128.proof" --security 128 --json >"$tmp/s128.out" 2>"$tmp/s128.err"
    if grep -q '"proved": false, "exit_status": 5' "$tmp/s128.out"; then ok prove_128_json; else bad prove_128_json "$(head -c 300 "$tmp/s128.out")"; fi
    "$bin" prove "$rl" -o "$tmp/rl128.proof" --security 128 --quiet >"$tmp/s128.out" 2>"$tmp/s128.err"
    if grep -q 'not reachable' "$tmp/s128.err"; then ok prove_128_quiet; else bad prove_128_quiet "$(head -c 300 "$tmp/s128.err")"; fi
    # a failed prove leaves an existing proof file untouched, and no temporary file
    cp "$tmp/rl.proof" "$tmp/keep.proof"
    "$bin" prove "$rl" --max-cycles 5 -o "$tmp/keep.proof" >/dev/null 2>&1
    if cmp -s "$tmp/rl.proof" "$tmp/keep.proof"; then ok prove_failure_keeps_old_proof; else bad prove_failure_keeps_old_proof "the old proof changed"; fi
    if ls "$tmp" | grep -q '\.tmp\.'; then bad prove_no_temp_left "$(ls "$tmp")"; else ok prove_no_temp_left; fi
    expect prove_unwritable 4 'cannot write the proof: .*nodir/x.proof' -- "$bin" prove "$rl" -o "$tmp/nodir/x.proof"
    # the output is checked before any proving work: a run that would be refused
    # (--max-cycles 5) reports the unwritable output, not the run
    expect prove_unwritable_first 4 'cannot write the proof: .*nodir/x.proof' -- "$bin" prove "$rl" --max-cycles 5 -o "$tmp/nodir/x.proof"
    expect prove_to_directory 4 'cannot write the proof: .*: is a directory' -- "$bin" prove "$rl" -o "$tmp"
    # --quiet prints nothing at all; --json nothing on stderr; both still write the proof
    "$bin" prove "$rl" -o "$tmp/q.proof" --quiet >"$tmp/q.out" 2>"$tmp/q.err"
    rc=$?
    if [ "$rc" = 0 ] && [ ! -s "$tmp/q.out" ] && [ ! -s "$tmp/q.err" ] && cmp -s "$tmp/rl.proof" "$tmp/q.proof"; then
        ok prove_quiet_silent
    else
        bad prove_quiet_silent "exit $rc, stdout '$(head -c 200 "$tmp/q.out")', stderr '$(head -c 200 "$tmp/q.err")'"
    fi
    expect prove_quiet_errors 5 'did not exit within 5 cycles' -- "$bin" prove "$rl" --max-cycles 5 -o "$tmp/h.proof" --quiet
    # --json failures: one JSON object on stdout, the message on stderr
    "$bin" prove "$rl" --max-cycles 5 -o "$tmp/h.proof" --json >"$tmp/pj.out" 2>"$tmp/pj.err"
    rc=$?
    if [ "$rc" = 5 ] && grep -Eq '^\{"proved": false, "exit_status": 5, "error": ".*did not exit within 5 cycles"\}$' "$tmp/pj.out" &&
        grep -q 'did not exit within 5 cycles' "$tmp/pj.err"; then
        ok prove_json_error
    else
        bad prove_json_error "exit $rc, stdout '$(head -c 300 "$tmp/pj.out")'"
    fi
    expect prove_json_bad_elf 3 '^\{"proved": false, "exit_status": 3, "error": ".*bad.elf: not an ELF file' -- "$bin" prove "$tmp/bad.elf" --json
    expect prove_directory 4 "cairn: error: $tmp: is a directory" -- "$bin" prove "$tmp"
    # progress: on a terminal (script(1) gives one), the stage and time on a
    # rewritten stderr line, cleared before the summary; none with --quiet or --json
    if script -qec true /dev/null >/dev/null 2>&1; then
        script -qec "$bin prove $rl -o $tmp/tty.proof" /dev/null >"$tmp/tty.out" 2>&1
        if grep -aq $'\rcairn: proving: commit 1, [0-9.]* s' "$tmp/tty.out" && grep -aq 'proved 6006 cycles' "$tmp/tty.out"; then
            ok prove_progress_on_terminal
        else
            bad prove_progress_on_terminal "$(head -c 300 "$tmp/tty.out" | od -c | head -5)"
        fi
        script -qec "$bin prove $rl -o $tmp/tty.proof --quiet" /dev/null >"$tmp/tty.out" 2>&1
        if [ ! -s "$tmp/tty.out" ]; then ok prove_quiet_on_terminal; else bad prove_quiet_on_terminal "$(head -c 300 "$tmp/tty.out")"; fi
        script -qec "$bin prove $rl -o $tmp/tty.proof --json" /dev/null >"$tmp/tty.out" 2>&1
        if ! grep -aq 'proving' "$tmp/tty.out" && grep -aq '^{"proof_file": ' "$tmp/tty.out"; then ok prove_json_on_terminal; else bad prove_json_on_terminal "$(head -c 300 "$tmp/tty.out")"; fi
    fi

    # cairn prove --from-checkpoints: the recorded run gives the very same proof
    expect run_regloop_checkpoints 83 'checkpoints every 1000 cycles' -- "$bin" run "$rl" --checkpoints "$tmp/rl.ckpt" --checkpoint-interval 1000
    expect prove_ckpt_ok 0 '^proved 6006 cycles \(exit code 83, 6006 rows, 0 bytes of output\) in .*-byte proof written to .*rlc.proof' -- "$bin" prove "$rl" --from-checkpoints "$tmp/rl.ckpt" -o "$tmp/rlc.proof" --threads 2
    if cmp -s "$tmp/rl.proof" "$tmp/rlc.proof"; then ok prove_ckpt_same_proof; else bad prove_ckpt_same_proof "the proofs from the checkpoints and from a fresh run differ"; fi
    expect prove_ckpt_verifies 0 '^accepted: 6006 rows, exit code 83' -- "$bin" verify "$tmp/rlc.proof" --program "$rl"
    "$bin" prove "$rl" --from-checkpoints "$tmp/rl.ckpt" -o "$tmp/rlj.proof" --json >"$tmp/j.out" 2>"$tmp/j.err"
    rc=$?
    if [ "$rc" = 0 ] && [ ! -s "$tmp/j.err" ] && cmp -s "$tmp/rl.proof" "$tmp/rlj.proof" &&
        grep -Eq '^\{"proof_file": ".*rlj.proof", "from_checkpoints": ".*rl.ckpt", "proof_hash": "[0-9a-f]{64}", "proof_size_bytes": [0-9]+, "prove_ms": [0-9.]+, "cycles": 6006, ' "$tmp/j.out"; then
        ok prove_ckpt_json
    else
        bad prove_ckpt_json "exit $rc, stdout '$(head -c 200 "$tmp/j.out")', stderr '$(head -c 200 "$tmp/j.err")'"
    fi
    # hello: the output read back from replayed rows
    "$bin" run "$h" --checkpoints "$tmp/h.ckpt" --checkpoint-interval 3 >/dev/null 2>&1
    expect prove_ckpt_output 0 '^proved 11 cycles \(exit code 7, 37 rows, 25 bytes of output\)' -- "$bin" prove "$h" --from-checkpoints "$tmp/h.ckpt" -o "$tmp/h5c.proof" --threads 3
    if cmp -s "$tmp/h5.proof" "$tmp/h5c.proof"; then ok prove_ckpt_output_same_proof; else bad prove_ckpt_output_same_proof "hello: the proofs from the checkpoints and from a fresh run differ"; fi
    # refused before proving: the message names the problem, and no proof file appears
    printf '\x01' >"$tmp/one"
    expect_noproof prove_ckpt_wrong_program 1 'rl.ckpt: the checkpoints were recorded for another program' "$tmp/x1.proof" -- "$bin" prove "$guests/rv32i/hello.elf" --from-checkpoints "$tmp/rl.ckpt" -o "$tmp/x1.proof"
    expect_noproof prove_ckpt_wrong_input 1 'rl.ckpt: the checkpoints were recorded with another input' "$tmp/x2.proof" -- "$bin" prove "$rl" --from-checkpoints "$tmp/rl.ckpt" --input "$tmp/one" -o "$tmp/x2.proof"
    size=$(wc -c <"$tmp/rl.ckpt")
    cp "$tmp/rl.ckpt" "$tmp/rlbad.ckpt"
    printf '\x5a' | dd of="$tmp/rlbad.ckpt" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
    expect_noproof prove_ckpt_corrupted 3 'rlbad.ckpt: checkpoint file corrupted' "$tmp/x3.proof" -- "$bin" prove "$rl" --from-checkpoints "$tmp/rlbad.ckpt" -o "$tmp/x3.proof"
    head -c $((size - 1)) "$tmp/rl.ckpt" >"$tmp/rltrunc.ckpt"
    expect_noproof prove_ckpt_truncated 3 'rltrunc.ckpt: checkpoint file corrupted or truncated' "$tmp/x4.proof" -- "$bin" prove "$rl" --from-checkpoints "$tmp/rltrunc.ckpt" -o "$tmp/x4.proof"
    expect_noproof prove_ckpt_not_checkpoints 3 'not a cairn checkpoint file' "$tmp/x5.proof" -- "$bin" prove "$rl" --from-checkpoints "$rl" -o "$tmp/x5.proof"
    expect_noproof prove_ckpt_missing 4 'cairn: error: --from-checkpoints .*nonexistent.ckpt' "$tmp/x6.proof" -- "$bin" prove "$rl" --from-checkpoints "$tmp/nonexistent.ckpt" -o "$tmp/x6.proof"
    "$bin" run "$rl" --checkpoints "$tmp/rl64k.ckpt" --stack 1M >/dev/null 2>&1
    expect_noproof prove_ckpt_other_stack 1 'rl64k.ckpt: the run was recorded with --stack 1048576 .*default stack' "$tmp/x7.proof" -- "$bin" prove "$rl" --from-checkpoints "$tmp/rl64k.ckpt" -o "$tmp/x7.proof"
    "$bin" run "$rl" --checkpoints "$tmp/rlcut.ckpt" --max-cycles 100 >/dev/null 2>&1
    expect_noproof prove_ckpt_cycle_limit 5 'rlcut.ckpt: the recorded run stopped at its cycle limit after 100 cycles' "$tmp/x8.proof" -- "$bin" prove "$rl" --from-checkpoints "$tmp/rlcut.ckpt" -o "$tmp/x8.proof"
    expect prove_ckpt_needs_value 2 "option '--from-checkpoints' needs a value" -- "$bin" prove "$rl" --from-checkpoints
else
    bad prove_guests "$guests/rv32i/regloop.elf missing: build the guests with make guests"
fi

# cairn stone-params (docs/stone-params.md): parameter files for the Stone prover.
si=fuzz/corpus/stone_input
# fri_sum FILE: log2(last_layer_degree_bound) + the sum of fri_step_list, from the JSON text
fri_sum() {
    awk '/"fri_step_list"/ {inl = 1; next}
         inl && /\]/ {inl = 0; next}
         inl {gsub(/[ ,]/, ""); s += $0}
         /"last_layer_degree_bound"/ {v = $2; gsub(/,/, "", v); while (v > 1) {v /= 2; s++}}
         END {print s}' "$1"
}
expect stone_help 0 '^usage: cairn stone-params' -- "$bin" stone-params --help
expect stone_help_listed 0 'stone-params' -- "$bin" --help
expect stone_public_input 0 'stone.json: layout recursive, n_steps 65536 = 2\^16, trace 2\^20 rows, target integrity \(keccak_160_lsb, stone6\)' -- "$bin" stone-params --public-input "$si/recursive_65536.json" -o "$tmp/stone.json"
if [ "$(fri_sum "$tmp/stone.json")" = 20 ] && grep -q '"channel_hash": "poseidon3"' "$tmp/stone.json" &&
    grep -q '"commitment_hash": "keccak256_masked160_lsb"' "$tmp/stone.json" &&
    grep -Eq '"n_queries": 36,' "$tmp/stone.json" && grep -Eq '"log_n_cosets": 2' "$tmp/stone.json"; then
    ok stone_public_input_file
else
    bad stone_public_input_file "$(head -c 400 "$tmp/stone.json")"
fi
expect stone_summary_security 0 'n_queries 36 \* log_n_cosets 2 \+ proof_of_work_bits 24 = 96 bits, conjectured \(target 96\)' -- "$bin" stone-params --public-input "$si/recursive_65536.json" -o "$tmp/stone.json"
# without -o: the file on standard output, the summary on standard error; --quiet: no summary
"$bin" stone-params --n-steps 2^16 --layout recursive >"$tmp/so.json" 2>"$tmp/so.err"
rc=$?
if [ "$rc" = 0 ] && [ "$(head -c 1 "$tmp/so.json")" = "{" ] && cmp -s "$tmp/so.json" "$tmp/stone.json" &&
    grep -q '^parameters: layout recursive' "$tmp/so.err"; then ok stone_stdout; else bad stone_stdout "exit $rc: $(head -c 300 "$tmp/so.err")"; fi
"$bin" stone-params --n-steps 65536 --layout recursive --quiet -o "$tmp/q.json" >"$tmp/q.out" 2>&1
rc=$?
if [ "$rc" = 0 ] && [ ! -s "$tmp/q.out" ] && cmp -s "$tmp/q.json" "$tmp/stone.json"; then ok stone_quiet; else bad stone_quiet "exit $rc"; fi
# the sizes of the old hard-coded tables, both targets: the product rule holds
allok=1
for n in 512 8192 131072; do
    for t in integrity stone; do
        for l in recursive small dex; do
            if ! "$bin" stone-params --n-steps "$n" --layout "$l" --target "$t" -o "$tmp/t.json" --quiet ||
                [ "$(fri_sum "$tmp/t.json")" != "$(awk -v n="$n" 'BEGIN {s = 4; while (n > 1) {n /= 2; s++}; print s}')" ]; then
                allok=0
                bad "stone_table_${n}_${t}_$l" "$(head -c 300 "$tmp/t.json")"
            fi
        done
    done
done
[ "$allok" = 1 ] && ok stone_old_table_sizes
"$bin" stone-params --n-steps 512 --layout recursive --target stone -o "$tmp/s.json" --quiet
if ! grep -q channel_hash "$tmp/s.json" && grep -q '"log_n_cosets": 4' "$tmp/s.json" && grep -q '"n_queries": 18' "$tmp/s.json"; then
    ok stone_target_stone
else
    bad stone_target_stone "$(head -c 300 "$tmp/s.json")"
fi
expect stone_blake 0 'blake2s_248_lsb' -- "$bin" stone-params --n-steps 2^16 --layout small --hasher blake2s_248_lsb -o "$tmp/b.json"
if grep -q '"commitment_hash": "blake256_masked248_lsb"' "$tmp/b.json" && grep -q '"pow_hash": "blake256"' "$tmp/b.json"; then ok stone_blake_file; else bad stone_blake_file "$(head -c 300 "$tmp/b.json")"; fi
expect stone_options 0 'n_queries 13 \* log_n_cosets 3 \+ proof_of_work_bits 30 = 69 bits, conjectured \(target 68\)' -- "$bin" stone-params --n-steps 1024 --layout small --security 68 --blowup 3 --pow 30 -o "$tmp/o.json"
expect stone_dynamic 0 'layout dynamic, n_steps 2048 = 2\^11, trace 2\^17 rows, target stone' -- "$bin" stone-params --public-input "$si/dynamic_2048.json" --target stone -o "$tmp/d.json"
if [ "$(fri_sum "$tmp/d.json")" = 17 ]; then ok stone_dynamic_product; else bad stone_dynamic_product "$(fri_sum "$tmp/d.json")"; fi
expect stone_dynamic_cli 0 'trace 2\^16 rows' -- "$bin" stone-params --n-steps 1024 --layout dynamic --cpu-component-step 4 --target stone -o "$tmp/d2.json"
# what cannot work: the value and the rule named
expect stone_not_pow2 2 'n_steps 1000 is not a power of two' -- "$bin" stone-params --n-steps 1000 --layout small
expect stone_not_pow2_file 3 'not_power_of_two.json: n_steps 100000 is not a power of two' -- "$bin" stone-params --public-input "$si/not_power_of_two.json"
expect stone_too_small 5 "n_steps 256 is too small for layout 'small': its ecdsa builtin .* at least 512" -- "$bin" stone-params --n-steps 256 --layout small
expect stone_unknown_layout 2 "unknown layout 'smol': Stone v3's layouts are plain, small" -- "$bin" stone-params --n-steps 512 --layout smol
expect stone_unknown_layout_file 3 "unknown_layout.json: unknown layout 'starknet_with_keccak_and_more'" -- "$bin" stone-params --public-input "$si/unknown_layout.json"
expect stone_fixed_dynamic_params 3 "has 1 members but layout 'small' takes none" -- "$bin" stone-params --public-input "$si/fixed_with_dynamic_params.json"
expect stone_integrity_layout 2 "Integrity cannot verify layout 'plain'.*use --target stone" -- "$bin" stone-params --n-steps 1024 --layout plain
expect stone_integrity_dynamic 2 "Integrity cannot verify layout 'dynamic'" -- "$bin" stone-params --public-input "$si/dynamic_2048.json"
expect stone_integrity_pow 2 '19 proof-of-work bits: Integrity accepts 20 to 49' -- "$bin" stone-params --n-steps 1024 --layout small --pow 19
expect stone_integrity_security 2 'Integrity rejects proofs below 50' -- "$bin" stone-params --n-steps 1024 --layout small --security 48
printf '{"layout": "small", "n_steps": 512' >"$tmp/trunc.json"
expect stone_malformed 3 'trunc.json: not valid JSON' -- "$bin" stone-params --public-input "$tmp/trunc.json"
printf '{"layout": "small", "n_steps": "512"}' >"$tmp/str.json"
expect stone_n_steps_string 3 'str.json: "n_steps" must be a positive integer' -- "$bin" stone-params --public-input "$tmp/str.json"
expect stone_missing_file 4 'cairn: error: --public-input .*nonexistent.json' -- "$bin" stone-params --public-input "$tmp/nonexistent.json"
expect stone_no_input 2 'expected --public-input FILE, or --n-steps N and --layout LAYOUT' -- "$bin" stone-params --layout small
expect stone_both_inputs 2 'cannot be combined' -- "$bin" stone-params --public-input "$si/small_512.json" --n-steps 512
expect stone_bad_n_steps 2 "--n-steps 'x'" -- "$bin" stone-params --n-steps x --layout small
expect stone_bad_target 2 "--target 'starknet'" -- "$bin" stone-params --n-steps 512 --layout small --target starknet
expect stone_bad_blowup 2 "--blowup '0'" -- "$bin" stone-params --n-steps 512 --layout small --blowup 0
expect stone_hasher_stone 2 '--hasher applies to --target integrity only' -- "$bin" stone-params --n-steps 512 --layout small --target stone --hasher keccak_160_lsb
expect stone_step_fixed 2 '--cpu-component-step applies to the dynamic layout only' -- "$bin" stone-params --n-steps 512 --layout small --cpu-component-step 2
expect stone_memory_alone 2 '--memory needs --prover-config' -- "$bin" stone-params --n-steps 512 --layout small --memory 8G
expect stone_needs_value 2 "option '--layout' needs a value" -- "$bin" stone-params --n-steps 512 --layout
expect stone_unknown_option 2 "unknown option '--frob'" -- "$bin" stone-params --frob
expect stone_unwritable 4 'cannot write .*nodir/p.json' -- "$bin" stone-params --n-steps 512 --layout small -o "$tmp/nodir/p.json"
# --prover-config: sized to --memory
expect stone_prover_config 0 'cfg.json: store_full_lde true, n_out_of_memory_merkle_layers 0, .*estimated peak' -- "$bin" stone-params --n-steps 2^16 --layout recursive -o "$tmp/p.json" --prover-config "$tmp/cfg.json" --memory 64G
if grep -q '"store_full_lde": true' "$tmp/cfg.json" && grep -q '"n_out_of_memory_merkle_layers": 0' "$tmp/cfg.json" &&
    grep -q '"log_n_max_in_memory_fri_layer_elements": 63' "$tmp/cfg.json"; then ok stone_prover_config_file; else bad stone_prover_config_file "$(head -c 300 "$tmp/cfg.json")"; fi
expect stone_prover_config_small 0 'store_full_lde false, n_out_of_memory_merkle_layers 1' -- "$bin" stone-params --n-steps 2^20 --layout recursive -o "$tmp/p.json" --prover-config "$tmp/cfg2.json" --memory 48G
expect stone_prover_config_too_small 0 'warning: the prover.s estimated peak .* exceeds 3/4 of the 1.0 GiB' -- "$bin" stone-params --n-steps 2^20 --layout recursive -o "$tmp/p.json" --prover-config "$tmp/cfg3.json" --memory 1G
expect stone_prover_config_machine 0 'cfg4.json: store_full_lde ' -- "$bin" stone-params --n-steps 2^10 --layout small -o "$tmp/p.json" --prover-config "$tmp/cfg4.json"

# cairn run on crafted guests: a fault, an RVC binary, an exit status above 255.
if command -v riscv64-unknown-elf-gcc >/dev/null; then
    printf '.globl _start\n_start:\n  li a0, 1\n  lw a0, 1(a0)\n' >"$tmp/fault.S"
    printf '.globl _start\n_start:\n  li a0, 0x1234\n  li a7, 93\n  ecall\n' >"$tmp/exit.S"
    if riscv64-unknown-elf-gcc -march=rv32i -mabi=ilp32 -nostdlib -static -o "$tmp/fault.elf" "$tmp/fault.S" &&
        riscv64-unknown-elf-gcc -march=rv32i -mabi=ilp32 -nostdlib -static -o "$tmp/exit.elf" "$tmp/exit.S" &&
        riscv64-unknown-elf-gcc -march=rv32imc -mabi=ilp32 -O2 -nostdlib -static -o "$tmp/rvc.elf" guest/examples/hello.c; then
        expect run_fault 1 'cairn: error: guest fault after 1 cycles: pc 0x[0-9a-f]{8} \(insn 0x[0-9a-f]{8}\): load address 0x00000002 outside memory' -- "$bin" run "$tmp/fault.elf"
        expect run_fault_json 1 '"status": "fault", .*"kind": "load outside memory"' -- "$bin" run "$tmp/fault.elf" --json
        "$bin" run "$tmp/exit.elf" >"$tmp/out" 2>&1
        rc=$?
        if [ "$rc" = 52 ] && [ ! -s "$tmp/out" ]; then ok run_exit_low_byte; else bad run_exit_low_byte "exit $rc"; fi
        expect run_exit_value_json 52 '"exit_code": 52, "exit_value": 4660' -- "$bin" run "$tmp/exit.elf" --json
        expect run_rvc_rejected 3 'compressed instructions \(RVC\).*-march=rv32i' -- "$bin" run "$tmp/rvc.elf"
        # a faulted run records and replays (the fault is part of the final state)
        expect run_fault_checkpoints 1 'guest fault after 1 cycles' -- "$bin" run "$tmp/fault.elf" --checkpoints "$tmp/fault.ckpt" --checkpoint-interval 1
        expect replay_fault 0 '^ok: 1 intervals of 1 cycles, 1 cycles .*guest faulted' -- "$bin" replay "$tmp/fault.ckpt" "$tmp/fault.elf"
        expect prove_ckpt_fault 1 'fault.ckpt: the recorded run faulted after 1 cycles' -- "$bin" prove "$tmp/fault.elf" --from-checkpoints "$tmp/fault.ckpt" -o "$tmp/fault.proof"
    else
        bad run_crafted_guests "riscv64-unknown-elf-gcc failed"
    fi
fi

# make install into a temporary DESTDIR, then use the installed cairn as a newcomer
# would (docs/install.md): pkg-config, the host program of docs/library.md against
# the shared library, `cairn new` with the installed SDK, `make prove`; then uninstall.
if [ -n "${CAIRN_SKIP_INSTALL_TEST:-}" ]; then
    :
elif command -v pkg-config >/dev/null && command -v riscv64-unknown-elf-gcc >/dev/null; then
    # the build directory of $bin ($1 is reused by `set --` above)
    O_DIR=$(dirname "$(dirname "$bin")")
    dest="$tmp/dest"
    pfx=/usr/local
    if make -s --no-print-directory O="$O_DIR" install DESTDIR="$dest" PREFIX="$pfx" >"$tmp/inst.out" 2>&1; then
        ok install
    else
        bad install "$(tail -c 400 "$tmp/inst.out")"
    fi
    ver=$("$bin" version | cut -d' ' -f2)
    soname=libcairn.so.$(echo "$ver" | cut -d. -f1-2)
    missing=""
    for f in bin/cairn lib/libcairn.a "lib/libcairn.so.$ver" "lib/$soname" lib/libcairn.so \
        include/cairn/zkvm.h include/cairn/vm.h lib/pkgconfig/cairn.pc share/cairn/sdk/crt0.S \
        share/cairn/sdk/cairn.ld share/cairn/sdk/cairn_guest.h share/cairn/sdk/cairn_guest.c \
        share/man/man1/cairn.1 share/man/man1/cairn-new.1 share/man/man1/cairn-prove.1; do
        [ -e "$dest$pfx/$f" ] || missing="$missing $f"
    done
    if [ -z "$missing" ]; then ok install_files; else bad install_files "missing:$missing"; fi
    if readelf -d "$dest$pfx/lib/libcairn.so.$ver" | grep -q "Library soname: \[$soname\]" &&
        [ "$(readlink "$dest$pfx/lib/libcairn.so")" = "$soname" ]; then
        ok install_soname
    else
        bad install_soname "$(readelf -d "$dest$pfx/lib/libcairn.so.$ver" | grep -i soname)"
    fi
    others=$(nm -D --defined-only "$dest$pfx/lib/libcairn.so.$ver" | awk '{print $3}' | grep -v '^cairn_' | head -5)
    if [ -z "$others" ] && nm -D --defined-only "$dest$pfx/lib/libcairn.so.$ver" | grep -q ' cairn_zkvm_verify_output$'; then
        ok install_exports_only_api
    else
        bad install_exports_only_api "exports: $others"
    fi
    manbad=""
    command -v groff >/dev/null || manbad=" (groff missing: run scripts/setup.sh)"
    for m in "$dest$pfx"/share/man/man1/*.1; do
        if [ -n "$(LC_ALL=C groff -man -Tutf8 -ww -z "$m" 2>&1)" ]; then manbad="$manbad $(basename "$m")"; fi
    done
    if [ -z "$manbad" ]; then ok install_man_pages_render; else bad install_man_pages_render "groff warns on:$manbad"; fi
    # pkg-config, staged: PKG_CONFIG_SYSROOT_DIR puts DESTDIR in front of the paths
    export PKG_CONFIG_PATH="$dest$pfx/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
    pc=$(pkg-config --cflags --libs cairn 2>&1 | sed 's/ *$//')
    if [ "$(pkg-config --modversion cairn)" = "$ver" ] && [ "$pc" = "-I$dest$pfx/include -L$dest$pfx/lib -lcairn" ] &&
        pkg-config --static --libs cairn | grep -q -- '-lcrypto'; then
        ok install_pkg_config
    else
        bad install_pkg_config "'$pc'"
    fi
    # the host program of docs/library.md, built against the installed library
    sed -n '/^```c$/,/^```$/p' docs/library.md | sed '1d;$d' >"$tmp/host.c"
    if cc -std=c11 -Wall -Wextra -Wpedantic -Wconversion -Werror -o "$tmp/host" "$tmp/host.c" \
        $(pkg-config --cflags --libs cairn) 2>"$tmp/host.err" &&
        readelf -d "$tmp/host" | grep -q "Shared library: \[$soname\]"; then
        ok install_host_builds_with_pkg_config
    else
        bad install_host_builds_with_pkg_config "$(head -c 400 "$tmp/host.err")"
    fi
    unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
    # cairn new with the installed program finds the installed SDK; make prove proves and verifies
    mkdir -p "$tmp/proj"
    if (cd "$tmp/proj" && "$dest$pfx/bin/cairn" new hello >"$tmp/new.out" 2>&1) &&
        grep -q "^CAIRN_SDK ?= $dest$pfx/share/cairn/sdk\$" "$tmp/proj/hello/Makefile" &&
        grep -q "^CAIRN ?= $dest$pfx/bin/cairn\$" "$tmp/proj/hello/Makefile"; then
        ok new_uses_installed_sdk
    else
        bad new_uses_installed_sdk "$(head -c 300 "$tmp/new.out")"
    fi
    make -s --no-print-directory -C "$tmp/proj/hello" prove >"$tmp/prove.out" 2>&1
    rc=$?
    if [ "$rc" = 0 ] && grep -q '^accepted: ' "$tmp/prove.out" && grep -q '^hello, cairn!$' "$tmp/prove.out" &&
        [ -f "$tmp/proj/hello/hello.proof" ]; then
        ok new_make_prove
    else
        bad new_make_prove "exit $rc: $(tail -c 400 "$tmp/prove.out")"
    fi
    elf="$tmp/proj/hello/build/rv32i/hello.elf"
    want=$("$bin" run "$elf" --input "$tmp/proj/hello/input.txt" 2>/dev/null)
    LD_LIBRARY_PATH="$dest$pfx/lib" "$tmp/host" "$elf" "$tmp/proj/hello/input.txt" >"$tmp/host.out" 2>&1
    rc=$?
    if [ "$rc" = 0 ] && grep -q '^verified: exit code 0, [0-9]* trace rows, 1[0-9][0-9]-bit proven security' "$tmp/host.out" &&
        [ "$(sed '1,/^proven output/d' "$tmp/host.out")" = "$want" ] && [ -n "$want" ]; then
        ok install_host_proves_and_verifies
    else
        bad install_host_proves_and_verifies "exit $rc: $(head -c 300 "$tmp/host.out")"
    fi
    echo 'not an elf' >"$tmp/notelf"
    expect install_host_malformed_elf 1 'host: proving failed: .*not an ELF' -- env LD_LIBRARY_PATH="$dest$pfx/lib" "$tmp/host" "$tmp/notelf"
    if make -s --no-print-directory O="$O_DIR" uninstall DESTDIR="$dest" PREFIX="$pfx" >"$tmp/uninst.out" 2>&1 &&
        [ -z "$(find "$dest" -type f -o -type l)" ]; then
        ok uninstall
    else
        bad uninstall "left: $(find "$dest" -type f -o -type l | head -5)"
    fi
fi

# cairn new from the build tree: the source tree's SDK, and its errors
if [ -f guest/sdk/cairn_guest.h ]; then
    mkdir -p "$tmp/p2"
    expect new_help 0 '^usage: cairn new NAME' -- "$bin" new --help
    expect new_in_tree 0 '^created .*demo/ .* for rv32im with the SDK in .*/guest/sdk$' -- "$bin" new "$tmp/p2/demo" --isa rv32im
    if grep -q '^ISA ?= rv32im$' "$tmp/p2/demo/Makefile" && make -s --no-print-directory -C "$tmp/p2/demo" >"$tmp/mk.out" 2>&1 &&
        [ "$("$bin" run "$tmp/p2/demo/build/rv32im/demo.elf" 2>/dev/null)" = "hello, world!" ]; then
        ok new_rv32im_builds_and_runs
    else
        bad new_rv32im_builds_and_runs "$(head -c 300 "$tmp/mk.out")"
    fi
    expect new_exists 4 "demo: already exists" -- "$bin" new "$tmp/p2/demo"
    expect new_bad_name 2 "'a b': a project name is" -- "$bin" new "$tmp/p2/a b"
    expect new_bad_isa 2 "--isa 'rv64i': expected rv32i or rv32im" -- "$bin" new "$tmp/p2/x" --isa rv64i
    expect new_bad_sdk 4 "--sdk $tmp: not a guest SDK" -- "$bin" new "$tmp/p2/y" --sdk "$tmp"
    expect new_missing_name 2 'missing NAME' -- "$bin" new
    expect new_no_parent 4 'nodir/z: No such file or directory' -- "$bin" new "$tmp/nodir/z"
    if [ ! -e "$tmp/p2/x" ] && [ ! -e "$tmp/p2/y" ]; then ok new_failure_leaves_nothing; else bad new_failure_leaves_nothing "$(ls "$tmp/p2")"; fi
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
