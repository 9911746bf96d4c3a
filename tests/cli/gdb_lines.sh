#!/bin/sh
# wrun -g on a program built with clang -g: gdb shows the source lines of
# wasm frames (the DWARF line table gdb_jit_dwarf.c writes from the
# module's .debug_line). At the trap three frames deep `bt` says
# "at dwarf.c:LINE" for each wasm frame, the lines marked in dwarf.c;
# `break boom` (its symbol) stops at boom's first line, past the frame
# setup (prologue_end), with main's call as frame 1; `break dwarf.c:LINE`
# stops in main at the call; the image is valid DWARF (llvm-dwarfdump,
# when installed); without -g no wasm frame has a line.
#
#   gdb_lines.sh WRUN DWARF.wasm DWARF.c
set -u
wrun=$1
module=$2
source=$3
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=gdb_lib.sh
. "$(dirname "$0")/gdb_lib.sh"

line_of() { grep -n "line: $1 \*/" "$source" | cut -d: -f1; }
first_line=$(line_of first)
trap_line=$(line_of trap)
recurse_line=$(line_of recurse)
call_line=$(line_of call)
if [ -z "$first_line" ] || [ -z "$trap_line" ] || [ -z "$recurse_line" ] ||
   [ -z "$call_line" ]; then
  fail "markers missing in $source"
fi
# FRAME FUNCTION LINE: the pattern of that frame in bt (frame 0 at a line
# start has no address, the others an address and "in")
frame() {
  echo "^#$1 +(0x[0-9a-f]+ in )?[A-Za-z0-9_]+!$2 \(\) at (.*/)?dwarf\.c:$3\$"
}
# Traps arrive as SIGSEGV too (the guard pages): never stop at those.
quiet='handle SIGSEGV nostop noprint'

gdb_run "$quiet" 'handle SIGILL stop' run bt -- -g "$module"
grep -Eq "$(frame 0 boom "$trap_line")" "$out" ||
  fail "-g trap: frame 0 not boom at dwarf.c:$trap_line"
grep -Eq "$(frame 1 boom "$recurse_line")" "$out" ||
  fail "-g trap: frame 1 not boom at dwarf.c:$recurse_line"
grep -Eq "$(frame 2 main "$call_line")" "$out" ||
  fail "-g trap: frame 2 not main at dwarf.c:$call_line"

# the pending breakpoint resolves when the module registers
gdb_run "$quiet" 'set breakpoint pending on' 'break wasm!boom' run bt kill \
  -- -g "$module"
grep -Eq "^Breakpoint 1, [A-Za-z0-9_]+!boom \(\) at (.*/)?dwarf\.c:$first_line\$" \
  "$out" || fail "-g: break wasm!boom did not stop at dwarf.c:$first_line"
grep -Eq "$(frame 1 main "$call_line")" "$out" ||
  fail "-g: at break boom, frame 1 not main at dwarf.c:$call_line"

gdb_run "$quiet" 'set breakpoint pending on' "break dwarf.c:$call_line" run \
  bt kill -- -g "$module"
grep -Eq "^Breakpoint 1, [A-Za-z0-9_]+!main \(\) at (.*/)?dwarf\.c:$call_line\$" \
  "$out" || fail "-g: break dwarf.c:$call_line did not stop in main there"

# The image itself, as gdb read it, must be DWARF that llvm-dwarfdump
# finds no fault in (gdb forgives much), with boom's first line in it.
if command -v llvm-dwarfdump >/dev/null; then
  entry='__jit_debug_descriptor.first_entry'
  gdb_run "$quiet" 'handle SIGILL stop' run \
    "dump binary memory $tmp/image.o $entry->symfile_addr $entry->symfile_addr + $entry->symfile_size" \
    -- -g "$module"
  llvm-dwarfdump --verify "$tmp/image.o" >"$err" 2>&1 ||
    fail "-g: llvm-dwarfdump --verify rejects the image"
  llvm-dwarfdump --debug-line "$tmp/image.o" >"$err" 2>&1
  grep -Eq "^0x[0-9a-f]+ +$first_line +0 +[0-9]+ .*prologue_end" "$err" ||
    fail "-g: no prologue_end row at line $first_line in the image"
else
  echo "gdb_lines.sh: llvm-dwarfdump missing: the image's DWARF unverified"
fi

gdb_run "$quiet" 'handle SIGILL stop' run bt -- "$module"
grep -q '^#0 ' "$out" || fail "without -g: no backtrace at all"
grep -q 'dwarf\.c:' "$out" && fail "without -g gdb still has wasm lines"
echo "gdb_lines.sh: ok"
