#!/bin/sh
# Tables grown through one instance and called through another (the
# vmctx copies of elems and size, rt_table.views): table_views.wast
# through `wrun wast`, with signal-based traps and without (--no-signals).
#
#   table_views.sh WRUN TABLE_VIEWS.wast
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
  grep -q "^40 passed, 0 failed, 0 skipped" "$out" "$err" ||
    fail "wast $mode: expected 40 passed, 0 failed, 0 skipped"
done
echo "table_views.wast: 40 assertions passed in both trap modes"
