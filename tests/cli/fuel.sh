#!/bin/sh
# wrun --fuel N: exact accounting (--time reports the fuel used), an
# out-of-fuel trap (exit 134, "wasm trap: all fuel consumed"), an infinite
# loop stopped by fuel, and a malformed amount refused.
#
#   fuel.sh WRUN COUNT.wasm
# RUNNER: see lib.sh.
set -u
wrun=$1
module=$2
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# count(10) costs 8 * 10 + 4 = 84: enough, used to the last unit.
run --fuel 84 --time --invoke count "$module" 10
[ $? -eq 0 ] || fail "--fuel 84: count(10) should succeed"
[ "$(cat "$out")" = "0" ] || fail "count(10) printed the wrong result"
grep -q '^wrun: fuel_used 84$' "$err" || fail "expected fuel_used 84"

# One unit short: the trap comes before the last run executes.
expect_trap 'all fuel consumed' --fuel 83 --invoke count "$module" 10
[ -s "$out" ] && fail "a result was printed after the trap"

# A loop that never ends on its own stops once the fuel is gone.
expect_trap 'all fuel consumed' --fuel 1000000 --invoke spin "$module"
grep -q '^  0: 0x[0-9a-f]* - count!func\[1\]$' "$err" || fail "spin: no backtrace"

# Without --fuel nothing is metered or reported.
run --time --invoke count "$module" 10
[ $? -eq 0 ] || fail "count(10) without --fuel failed"
grep -q 'fuel_used' "$err" && fail "fuel reported without --fuel"

run --fuel lots --invoke count "$module" 10
status=$?
[ "$status" -eq 1 ] || fail "--fuel lots: exit status $status, expected 1"
grep -q 'is not an amount of fuel' "$err" || fail "no message for --fuel lots"
echo "ok: --fuel accounting, traps and option checks"
