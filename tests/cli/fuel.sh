#!/bin/sh
# wrun --fuel N: exact accounting (--time reports the fuel used), an
# out-of-fuel trap (exit 134, "wasm trap: all fuel consumed"), an infinite
# loop stopped by fuel, and a malformed amount refused.
#
#   fuel.sh WRUN COUNT.wasm
# RUNNER (optional) prefixes every wrun command: qemu-aarch64 and its
# options when tests/cli/arm64.sh runs the script for AArch64.
set -u
wrun=$1
module=$2
runner=${RUNNER:-}
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

fail() {
  echo "FAIL: $1" >&2
  echo "--- stdout:" >&2
  cat "$out" >&2
  echo "--- stderr:" >&2
  cat "$err" >&2
  exit 1
}

# The outer `timeout` only guards against a hang of the test itself.
run() {
  # shellcheck disable=SC2086 # RUNNER is a command and its options
  timeout 20 $runner "$wrun" "$@" >"$out" 2>"$err"
}

# count(10) costs 8 * 10 + 4 = 84: enough, used to the last unit.
run --fuel 84 --time --invoke count "$module" 10
[ $? -eq 0 ] || fail "--fuel 84: count(10) should succeed"
[ "$(cat "$out")" = "0" ] || fail "count(10) printed the wrong result"
grep -q '^wrun: fuel_used 84$' "$err" || fail "expected fuel_used 84"

# One unit short: the trap comes before the last run executes.
run --fuel 83 --invoke count "$module" 10
status=$?
[ "$status" -eq 134 ] || fail "--fuel 83: exit status $status, expected 134"
grep -q '^wrun: wasm trap: all fuel consumed$' "$err" ||
  fail "no 'all fuel consumed' trap"
[ -s "$out" ] && fail "a result was printed after the trap"

# A loop that never ends on its own stops once the fuel is gone.
run --fuel 1000000 --invoke spin "$module"
status=$?
[ "$status" -eq 134 ] || fail "spin: exit status $status, expected 134"
grep -q '^wrun: wasm trap: all fuel consumed$' "$err" ||
  fail "spin: no 'all fuel consumed' trap"
grep -q '#0 func\[1\]' "$err" || fail "spin: no backtrace"

# Without --fuel nothing is metered or reported.
run --time --invoke count "$module" 10
[ $? -eq 0 ] || fail "count(10) without --fuel failed"
grep -q 'fuel_used' "$err" && fail "fuel reported without --fuel"

run --fuel lots --invoke count "$module" 10
status=$?
[ "$status" -eq 1 ] || fail "--fuel lots: exit status $status, expected 1"
grep -q 'is not an amount of fuel' "$err" || fail "no message for --fuel lots"
echo "ok: --fuel accounting, traps and option checks"
