#!/bin/sh
# Compiled modules through the wrun command: `wrun compile M.wasm -o
# M.cwasm`, then `wrun M.cwasm` / `wrun run M.cwasm` run it (recognised by
# its magic) as the .wasm runs: a WASI program's output, --invoke results,
# exceptions, GC under collection stress. Each run is another process than
# the compile, so every address and type id the code embeds is relocated.
# A .cwasm compiled with fuel metering is refused by a run without it,
# saying so; a damaged one is refused.
#
#   serialize.sh WRUN THROW.wasm GC_LIST.wasm [HELLO.wasm]   RUNNER: lib.sh
set -u
wrun=$1
throw=$2
gclist=$3
hello=${4:-}
guard=120
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

compile() {
  run compile "$@" || fail "compile $*: exit status $?"
}

# expect OUTPUT ARGS...: exit 0 and exactly OUTPUT on stdout
expect() {
  want=$1
  shift
  run "$@"
  status=$?
  [ "$status" -eq 0 ] || fail "$*: exit status $status"
  [ "$(cat "$out")" = "$want" ] || fail "$*: expected $want, got $(cat "$out")"
}

if [ -n "$hello" ]; then
  run "$hello" || fail "hello.wasm: exit status $?"
  cp "$out" "$tmp/hello.want"
  compile "$hello" -o "$tmp/hello.cwasm"
  for form in "" run; do
    # shellcheck disable=SC2086 # form: no word or "run"
    run $form "$tmp/hello.cwasm" || fail "hello.cwasm: exit status $?"
    cmp -s "$out" "$tmp/hello.want" || fail "hello.cwasm printed otherwise"
  done
fi

compile "$throw" -o "$tmp/throw.cwasm"
expect 105 --invoke catch "$tmp/throw.cwasm" 5
run --invoke uncaught "$tmp/throw.cwasm" 7
[ $? -eq 134 ] || fail "uncaught(7) from the .cwasm: exit status, expected 134"
grep -q '^wrun: error: uncaught wasm exception (payload: i32 7)$' "$err" ||
  fail "uncaught(7) from the .cwasm: expected the uncaught exception"

compile "$gclist" -o "$tmp/gc.cwasm"
for stress in 0 1; do
  WRUN_GC_STRESS=$stress expect 199990000 --invoke run "$tmp/gc.cwasm" 20000
done

compile --fuel "$gclist" -o "$tmp/gc-fuel.cwasm"
expect 499500 --fuel 100000000 --invoke run "$tmp/gc-fuel.cwasm" 1000
run --invoke run "$tmp/gc-fuel.cwasm" 10
[ $? -eq 1 ] || fail "a fuel .cwasm without --fuel: exit status, expected 1"
grep -q 'compiled with fuel metering on, the engine has it off' "$err" ||
  fail "a fuel .cwasm without --fuel: expected the refusal naming fuel"

head -c 100 "$tmp/gc.cwasm" >"$tmp/short.cwasm"
run --invoke run "$tmp/short.cwasm" 10
[ $? -eq 1 ] || fail "a truncated .cwasm: exit status, expected 1"
grep -q 'compiled module: ' "$err" || fail "a truncated .cwasm: no error"

run --help
grep -q 'trusted code' "$out" || fail "--help does not say .cwasm is trusted"
exit 0
