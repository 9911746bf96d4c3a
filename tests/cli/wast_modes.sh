#!/bin/sh
# A .wast of assertions through `wrun wast`, with signal-based traps and
# without (--no-signals: explicit checks, other code around the accesses),
# expecting COUNT passed and nothing failed or skipped in both. For
# peephole.wast (the code generator's local rewrites against plain
# semantics), table_views.wast (tables grown through one instance,
# used through another: the vmctx copies of rt_table.views) and
# resident_loops.wast (loop-resident locals stored where loops are left).
#
#   wast_modes.sh WRUN SCRIPT.wast COUNT
# RUNNER: see lib.sh.
set -u
wrun=$1
script=$2
want=$3
guard=120
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

for mode in "" --no-signals; do
  # shellcheck disable=SC2086 # mode: empty or one option
  run wast $mode "$script"
  status=$?
  [ "$status" -eq 0 ] || fail "wast $mode: exit status $status"
  grep -q "^$want passed, 0 failed, 0 skipped" "$out" "$err" ||
    fail "wast $mode: expected $want passed, 0 failed, 0 skipped"
done
echo "$(basename "$script"): $want assertions passed in both trap modes"
