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

expect help 0 '^usage: cairn' -- "$bin" --help
expect help_lists_commands 0 'selftest' -- "$bin" --help
expect no_args 2 '^usage: cairn' -- "$bin"
expect unknown_command 2 "unknown command 'frobnicate'" -- "$bin" frobnicate
expect unknown_option 2 "unknown option '--frob'" -- "$bin" --frob
expect version 0 '^cairn [0-9]+\.[0-9]+\.[0-9]+$' -- "$bin" --version
expect version_json 0 '^\{"version": "[0-9.]+"\}$' -- "$bin" version --json
expect help_selftest 0 '^usage: cairn selftest' -- "$bin" help selftest
expect selftest_help 0 '^usage: cairn selftest' -- "$bin" selftest --help
expect selftest 0 'all [0-9]+ checks passed' -- "$bin" selftest
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

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
