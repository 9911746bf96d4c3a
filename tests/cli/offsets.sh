#!/bin/sh
# The byte offsets in trap backtraces: each frame of offsets.wasm's traps
# (a guard-page fault, unreachable, a divide-by-zero check, a trap raised
# from C by memory.fill, stack exhaustion, a call_indirect signature
# check) must show the offset of the trapping instruction, then of each
# call, exactly where wasm-objdump -d puts those instructions; a stub two
# divisions share shows "?" (its pc cannot tell which one trapped); a
# backtrace past 128 frames ends with how many it leaves out. The same
# with --no-signals, where stubs call into the runtime.
#
#   offsets.sh WRUN OFFSETS.wasm
# RUNNER: see lib.sh.
set -u
wrun=$1
module=$2
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v wasm-objdump >/dev/null || {
  echo "offsets.sh: wasm-objdump (wabt) missing" >&2
  exit 1
}
wasm-objdump -d "$module" >"$tmp/dis" || fail "wasm-objdump failed"

# at FUNC INSTR [N]: the offset (0x...) of the Nth (default 1st)
# instruction of func[FUNC] whose text starts with INSTR
at() {
  awk -v f="func[$1]" -v want="$2" -v nth="${3:-1}" '
    / func\[[0-9]+\]/ { infunc = index($0, " " f " ") > 0 || $2 == f; next }
    infunc && /\|/ {
      text = $0; sub(/^[^|]*\| */, "", text)
      if (index(text, want) == 1 && ++seen == nth) {
        off = $1; sub(/:$/, "", off); sub(/^0+/, "", off)
        print "0x" (off == "" ? "0" : off); exit
      }
    }' "$tmp/dis"
}
# body FUNC: the offset of func[FUNC]'s body (its locals), as objdump's
# header line gives it
body() {
  awk -v f="func[$1]" '$2 == f { off = $1; sub(/^0+/, "", off)
    print "0x" off; exit }' "$tmp/dis"
}

# frame I WHERE NAME: line I of the backtrace
frame() {
  [ -n "$2" ] || fail "no offset from wasm-objdump for frame $1 ($3)"
  grep -qxF "  $1: $2 - offsets!$3" "$err" ||
    fail "expected frame '  $1: $2 - offsets!$3'"
}

# every_frame [OPTION]: all of the traps above, compiled with OPTION
# shellcheck disable=SC2086 # $mode: no option or one
every_frame() {
  mode=${1:-}
  expect_trap 'out of bounds memory access' $mode --invoke oob "$module" 70000
  frame 0 "$(at 0 i32.load)" inner
  frame 1 "$(at 1 call)" mid
  frame 2 "$(at 2 call)" 'func[2]'

  expect_trap unreachable $mode --invoke unreachable "$module" 1
  frame 0 "$(at 3 unreachable)" boom
  frame 1 "$(at 4 call)" 'func[4]'

  expect_trap 'integer divide by zero' $mode --invoke div "$module" 0
  frame 0 "$(at 5 i32.div_u)" div
  frame 1 "$(at 6 call)" 'func[6]'

  expect_trap 'integer divide by zero' $mode --invoke two_divs "$module" 0
  frame 0 '?' two_divs
  frame 1 "$(at 8 call)" 'func[8]'

  expect_trap 'out of bounds memory access' $mode --invoke fill "$module" 65530
  frame 0 "$(at 9 memory.fill)" fill
  frame 1 "$(at 10 call)" 'func[10]'

  # The prologue traps: the function's own start (its body offset).
  expect_trap 'call stack exhausted' $mode --invoke overflow "$module" 0
  frame 0 "$(body 11)" recurse
  frame 1 "$(at 11 call)" recurse
  frame 2 "$(at 11 call)" recurse
  # 128 frames are recorded; the backtrace says how many more there were
  frame 127 "$(at 11 call)" recurse
  grep -Eq '^  \.\.\. and [0-9]+ more frames, not recorded$' "$err" ||
    fail "no count of the frames left out"

  expect_trap 'indirect call type mismatch' $mode --invoke indirect "$module" 0
  frame 0 "$(at 13 call_indirect)" 'func[13]'
}

every_frame
# Without signals the trap stubs call into the runtime: the same frames.
every_frame --no-signals
echo "offsets.sh: ok"
