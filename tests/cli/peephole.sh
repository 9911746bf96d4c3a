#!/bin/sh
# The code generator's local rewrites against plain semantics:
# peephole.wast through `wrun wast`, with signal-based traps and without
# (--no-signals: explicit bounds checks, other code around the accesses).
#
#   peephole.sh WRUN PEEPHOLE.wast
# RUNNER: see lib.sh.
set -u
wrun=$1
script=$2
guard=120
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

for mode in "" --no-signals; do
  # shellcheck disable=SC2086 # mode: empty or one option
  run wast $mode "$script"
  status=$?
  [ "$status" -eq 0 ] || fail "wast $mode: exit status $status"
  grep -q "^95 passed, 0 failed, 0 skipped" "$out" "$err" ||
    fail "wast $mode: expected 95 passed, 0 failed, 0 skipped"
done
echo "peephole.wast: 95 assertions passed in both trap modes"
