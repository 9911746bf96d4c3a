#!/bin/sh
# wrun --timeout: an infinite loop is interrupted after the time and ends
# like any other trap (exit 134, "wasm trap: interrupted" on stderr), well
# before a generous bound.
#
#   timeout.sh WRUN SPIN.wasm
# RUNNER: see lib.sh (tests/cli/arm64.sh runs this under qemu-aarch64).
set -u
wrun=$1
module=$2
guard=10
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

start=$(date +%s%N)
expect_trap interrupted --timeout 0.2 --invoke spin "$module"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))

grep -q '^  0: ? - spin!func\[0\]$' "$err" || fail "no backtrace"
[ "$elapsed_ms" -lt 2000 ] || fail "took ${elapsed_ms} ms, expected < 2000"
[ "$elapsed_ms" -ge 150 ] || fail "took ${elapsed_ms} ms: interrupted too early"
echo "ok: interrupted after ${elapsed_ms} ms"
