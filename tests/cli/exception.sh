#!/bin/sh
# wrun --invoke and exceptions: one caught inside wasm gives the result,
# one that nothing catches is an error naming its payload (exit 134, as a
# trap), not a crash and not a result.
#
#   exception.sh WRUN THROW.wasm
# RUNNER: see lib.sh.
set -u
wrun=$1
module=$2
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

run --invoke catch "$module" 5
[ $? -eq 0 ] || fail "catch(5) should succeed"
[ "$(cat "$out")" = "105" ] || fail "catch(5) should print 105"

run --invoke uncaught "$module" 7
status=$?
[ $status -eq 134 ] || fail "uncaught(7): exit $status, expected 134"
[ ! -s "$out" ] || fail "uncaught(7) printed a result"
grep -q '^wrun: error: uncaught wasm exception (payload: i32 7)$' "$err" ||
  fail "uncaught(7): expected the uncaught exception and its payload"
echo "exception.sh: ok"
