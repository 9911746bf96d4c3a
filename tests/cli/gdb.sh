#!/bin/sh
# wrun -g (the GDB JIT interface) under gdb in batch mode: at a trap in
# wasm (SIGILL of unreachable) `bt` names the wasm frames, module!function,
# innermost first; `break module!function` stops in wasm code; without -g
# gdb cannot name them.
#
#   gdb.sh WRUN BOOM.wasm   (tests/cli/boom.wat, with its names)
# Natively only (gdb would debug qemu under it). Source lines: gdb_lines.sh.
set -u
wrun=$1
module=$2
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=gdb_lib.sh
. "$(dirname "$0")/gdb_lib.sh"

gdb_run 'handle SIGILL stop' run bt -- -g --invoke mid "$module"
grep -Eq '^#0 .* in gdbmod!boom \(\)' "$out" || fail "-g: frame 0 not gdbmod!boom"
grep -Eq '^#1 .* in gdbmod!mid \(\)' "$out" || fail "-g: frame 1 not gdbmod!mid"

gdb_run 'set breakpoint pending on' 'break gdbmod!mid' run bt kill -- \
  -g --invoke mid "$module"
grep -Eq '^Breakpoint 1, .* in gdbmod!mid \(\)' "$out" ||
  fail "-g: break gdbmod!mid did not stop there"

gdb_run 'handle SIGILL stop' run bt -- --invoke mid "$module"
grep -q 'gdbmod!boom' "$out" && fail "without -g gdb still names the frames"
grep -q '^#0 ' "$out" || fail "without -g: no backtrace at all"
echo "gdb.sh: ok"
