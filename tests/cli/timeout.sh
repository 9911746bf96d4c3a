#!/bin/sh
# wrun --timeout: an infinite loop is interrupted after the time and ends
# like any other trap (exit 134, "wasm trap: interrupted" on stderr), well
# before a generous bound.
#
#   timeout.sh WRUN SPIN.wasm
# RUNNER (optional) prefixes the wrun command, as in fuel.sh.
set -u
wrun=$1
module=$2
runner=${RUNNER:-}
err=$(mktemp)
trap 'rm -f "$err"' EXIT

start=$(date +%s%N)
# The outer `timeout` only guards against a hang of the test itself.
# shellcheck disable=SC2086 # RUNNER is a command and its options
timeout 10 $runner "$wrun" --timeout 0.2 --invoke spin "$module" 2>"$err"
status=$?
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))

fail() {
  echo "FAIL: $1" >&2
  echo "--- stderr:" >&2
  cat "$err" >&2
  exit 1
}
[ "$status" -eq 134 ] || fail "exit status $status, expected 134"
grep -q '^wrun: wasm trap: interrupted$' "$err" || fail "no 'interrupted' trap"
grep -q '#0 func\[0\]' "$err" || fail "no backtrace"
[ "$elapsed_ms" -lt 2000 ] || fail "took ${elapsed_ms} ms, expected < 2000"
[ "$elapsed_ms" -ge 150 ] || fail "took ${elapsed_ms} ms: interrupted too early"
echo "ok: interrupted after ${elapsed_ms} ms"
