#!/bin/sh
# Tail calls through the wrun command: loops of a million tail calls
# (direct, indirect, with more arguments than the caller has, v128, several
# results) in the 1 MiB wasm stack, exact fuel and an out-of-fuel trap in
# such a loop, an endless one stopped by --timeout, a trap's backtrace, and
# tail_link.wast (across instances, to a host function) through `wrun wast`.
#
#   tail.sh WRUN TAIL.wasm TAIL_LINK.wast [MORE.wast...]
# MORE scripts run the same way (the spec's return_call*.wast in text form,
# when the 3.0 suite is there); a missing one is skipped with a note.
# RUNNER: see lib.sh.
set -u
wrun=$1
module=$2
script=$3
shift 3
guard=60
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# expect "OUTPUT" EXPORT ARGS...: exit 0 and exactly OUTPUT on stdout
expect() {
  want=$1
  shift
  run --invoke "$@" "$module"
  status=$?
  [ "$status" -eq 0 ] || fail "$*: exit status $status"
  [ "$(cat "$out")" = "$want" ] || fail "$*: expected $want"
}

# (wrun takes the export's arguments after the module)
expect_args() {
  want=$1
  name=$2
  shift 2
  run --invoke "$name" "$module" "$@"
  status=$?
  [ "$status" -eq 0 ] || fail "$name $*: exit status $status"
  [ "$(cat "$out")" = "$want" ] || fail "$name $*: expected $want"
}

expect_args 1 even 1000000
expect_args 1 odd 1000001
expect_args 0 even 999999
expect_args 1 even_indirect 1000000
expect_args 0 even_indirect 999999
expect_args 190000000 few 1000000 0
expect_args 4000000 vsum_lane3 1000000
expect_args 444000000 vsmall 1000000 0
expect_args "3
1
2" rot 1000000 1 2 3
expect_args "1
2
3" rot 3 1 2 3
expect 1241 call_then_memory

# Fuel: even(n) costs 7 per step and 4 at the end (local.get, i64.eqz, if,
# local.get, i64.const, i64.sub, return_call), every step charged.
run --fuel 7000004 --time --invoke even "$module" 1000000
[ $? -eq 0 ] || fail "--fuel 7000004: even(1000000) should succeed"
grep -q '^wrun: fuel_used 7000004$' "$err" || fail "expected fuel_used 7000004"
expect_trap 'all fuel consumed' --fuel 7000003 --invoke even "$module" 1000000
# the same through the table: 8 per step
run --fuel 100000000 --time --invoke even_indirect "$module" 1000000
grep -q '^wrun: fuel_used 8000004$' "$err" || fail "expected fuel_used 8000004"
# and with the fallback to an ordinary call on the first step: 76 a round
run --fuel 100000000 --time --invoke few "$module" 1000 0
grep -q '^wrun: fuel_used 76004$' "$err" || fail "expected fuel_used 76004"

# An endless loop of tail calls (direct, then indirect) runs out of fuel...
expect_trap 'all fuel consumed' --fuel 1000000 --invoke spin "$module" 0
# ... and is interrupted (every callee's prologue checks the stack limit).
expect_trap interrupted --timeout 0.3 --invoke spin "$module" 0

# A trap three tail calls deep: the function that trapped, then the
# ordinary caller (the frames tail calls replaced are gone)
expect_trap 'integer divide by zero' --invoke trap_deep "$module" 0
grep -q '^  0: 0x[0-9a-f]* - tail!boom$' "$err" || fail "trap_deep: 0 is not boom"
grep -q '^  1: 0x[0-9a-f]* - tail!outer$' "$err" || fail "trap_deep: 1 is not outer"
grep -q 'via' "$err" && fail "trap_deep: a replaced frame in the backtrace"
expect_args 2 trap_deep 1

# Across instances and to a host function: a script, with a wast2json
# that knows tail calls (wrun wast runs it without options).
mkdir "$tmp/bin"
cat > "$tmp/bin/wast2json" <<EOF
#!/bin/sh
exec $(command -v wast2json) --enable-tail-call "\$@"
EOF
chmod +x "$tmp/bin/wast2json"
for s in "$script" "$@"; do
  if [ ! -f "$s" ]; then
    echo "skipped (missing): $s"
    continue
  fi
  PATH="$tmp/bin:$PATH" run wast "$s"
  status=$?
  [ "$status" -eq 0 ] || fail "$s: exit status $status"
  grep -q ' 0 failed' "$out" || fail "$s: failures"
  echo "$s: $(tail -n 1 "$out")"
done
echo "ok"
