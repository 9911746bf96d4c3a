#!/bin/sh
# GC through the wrun command. Roots in wasm frames: gc_list.wasm
# (tests/cli/gc_list.py) gives the same sums with and without
# WRUN_GC_STRESS=1 (a collection at every allocation), so every reference a
# frame holds in a local or on the value stack across a call that collects
# was found by its stack map. Casts the runtime answers: br_on_cast and
# br_on_cast_fail to a non-final function type (gc_funccast.py).
#
#   gc.sh WRUN GC_LIST.wasm GC_FUNCCAST.wasm        RUNNER: see lib.sh.
set -u
wrun=$1
module=$2
funccast=$3
guard=120
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# expect OUTPUT EXPORT ARG: exit 0 and exactly OUTPUT on stdout
expect() {
  want=$1
  name=$2
  shift 2
  run --invoke "$name" "$module" "$@"
  status=$?
  [ "$status" -eq 0 ] || fail "$*: exit status $status"
  [ "$(cat "$out")" = "$want" ] || fail "$*: expected $want, got $(cat "$out")"
}

for stress in 0 1; do
  export WRUN_GC_STRESS=$stress
  expect 199990000 run 20000       # sum(0..19999)
  expect 12502450 stack 5000       # sum(0..99) + sum(0..4999)
done
unset WRUN_GC_STRESS
expect 704982704 run 100000        # sum(0..99999) mod 2^32, collecting

module=$funccast
for case in on0:1 on1:1 onnull:0 onother:0 fail0:1 fail1:0; do
  expect "${case#*:}" "${case%:*}"
done
echo "ok"
