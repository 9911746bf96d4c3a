#!/bin/sh
# wrun objdump: each function's machine code, disassembled (Capstone),
# under the wasm instructions its code came from, at the module offsets
# wasm-objdump -d gives them; sizes per function and in total; --func by
# name or index; an import or an unknown function refused.
#
#   objdump.sh WRUN HOT.wasm   (tests/cli/hot.wat, with its names)
set -u
wrun=$1
module=$2
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

run objdump --help
[ $? -eq 0 ] && grep -q "usage: wrun objdump" "$out" || fail "objdump --help"

run objdump "$module"
status=$?
if [ "$status" -ne 0 ] && grep -q "built without Capstone" "$err"; then
  echo "objdump.sh: wrun was built without Capstone (libcapstone-dev)"
  [ "${CI:-}" = "true" ] && exit 1
  exit 77
fi
[ "$status" -eq 0 ] || fail "objdump: exit status $status"
cp "$out" "$tmp/listing"
grep -qx 'func\[0\] hot_loop:' "$tmp/listing" || fail "no function header"
grep -Eq '^ +[0-9a-f]+:  push ' "$tmp/listing" || fail "no push: no disassembly?"
grep -Eq '^ +[0-9a-f]+:  ret' "$tmp/listing" || fail "no ret"
grep -Eq '^  code [0-9]+ bytes, wasm 30 bytes$' "$tmp/listing" ||
  fail "no per-function sizes (the body is 30 bytes)"
grep -Eq '^1 function: code [0-9]+ bytes, wasm 30 bytes' "$tmp/listing" ||
  fail "no totals"

# the wasm offsets are wasm-objdump's
command -v wasm-objdump >/dev/null || fail "wasm-objdump (wabt) missing"
wasm-objdump -d "$module" >"$tmp/dis" || fail "wasm-objdump failed"
for op in i32.mul i32.add i32.sub br_if; do
  off=$(awk -v op="$op" '/\|/ { t = $0; sub(/^[^|]*\| */, "", t)
      if (index(t, op) == 1) { o = $1; sub(/:$/, "", o); sub(/^0+/, "", o)
        print "0x" o; exit } }' "$tmp/dis")
  [ -n "$off" ] || fail "wasm-objdump has no $op"
  grep -qxF "  ;; $off: $op" "$tmp/listing" ||
    fail "no '  ;; $off: $op' in the listing: $(cat "$tmp/listing")"
done

run objdump --func hot_loop "$module"
[ $? -eq 0 ] && grep -q '^1 function:' "$out" || fail "--func hot_loop"
run objdump --func=0 "$module"
[ $? -eq 0 ] && grep -qx 'func\[0\] hot_loop:' "$out" || fail "--func=0"
run objdump --func 7 "$module"
[ $? -eq 1 ] && grep -q "no function 7" "$err" || fail "--func 7 accepted"
run objdump --func nope "$module"
[ $? -eq 1 ] && grep -q "no function nope" "$err" || fail "--func nope"
echo "objdump.sh: ok"
