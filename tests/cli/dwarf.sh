#!/bin/sh
# Trap backtraces with source positions: a program built with clang -g
# (its .debug_line custom section) traps three frames deep; each frame
# line is followed by "at dwarf.c:LINE:COLUMN" with the line of the
# instruction (the trap, the recursive call, main's call), as marked in
# dwarf.c.
#
#   dwarf.sh WRUN DWARF.wasm DWARF.c
set -u
wrun=$1
module=$2
source=$3
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

line_of() { grep -n "line: $1 \*/" "$source" | cut -d: -f1; }
trap_line=$(line_of trap)
recurse_line=$(line_of recurse)
call_line=$(line_of call)
[ -n "$trap_line" ] && [ -n "$recurse_line" ] && [ -n "$call_line" ] ||
  fail "markers missing in $source"

expect_trap unreachable "$module"
# frame N's position: the line after "  N: ..."
position() {
  awk -v n="  $1: " 'index($0, n) == 1 { getline; print; exit }' "$err"
}
position 0 | grep -Eq "^ +at (.*/)?dwarf\.c:$trap_line:[0-9]+$" ||
  fail "frame 0: not at dwarf.c:$trap_line"
position 1 | grep -Eq "^ +at (.*/)?dwarf\.c:$recurse_line:[0-9]+$" ||
  fail "frame 1: not at dwarf.c:$recurse_line"
position 2 | grep -Eq "^ +at (.*/)?dwarf\.c:$call_line:[0-9]+$" ||
  fail "frame 2: not at dwarf.c:$call_line"
grep -Eq "^  0: 0x[0-9a-f]+ - dwarf5?!boom$" "$err" || fail "frame 0 unnamed"
echo "dwarf.sh: ok"
