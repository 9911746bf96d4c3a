#!/bin/sh
# --bounds-checks, --memory-reservation and --memory-guard: accesses past
# the size trap, growth stops at the reservation, and a small reservation
# runs where 8 GiB of address space is not to be had (ulimit -v; not under
# the sanitizers, whose shadow memory needs more than that limit, nor
# qemu: the other checks still run there).
#
#   bounds.sh WRUN GROW.wasm
set -u
wrun=$1 grow=$2
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

small="--memory-reservation 262144 --memory-guard 65536"
# shellcheck disable=SC2086 # $small: options
{
  run $small --invoke grow "$grow" 3 || fail "grow 3"
  [ "$(cat "$out")" = 1 ] || fail "grow 3 from 1 page: not 1"
  run $small --invoke grow "$grow" 4 || fail "grow 4"
  [ "$(cat "$out")" = -1 ] || fail "grow past the 4-page reservation: not -1"
  run $small --invoke load "$grow" 65532 || fail "load 65532"
  [ "$(cat "$out")" = 0 ] || fail "load 65532: not 0"
  expect_trap "out of bounds memory access" $small --invoke load "$grow" 65533
  expect_trap "out of bounds memory access" --bounds-checks --invoke load "$grow" 65536
  expect_trap "out of bounds memory access" --bounds-checks --invoke load "$grow" -1
}
run --memory-guard x --invoke load "$grow" 0
[ $? -eq 1 ] || fail "--memory-guard x: not a usage error"
grep -q "is not a size in bytes" "$err" || fail "--memory-guard x: no message"

case "${ASAN_OPTIONS:-}${TSAN_OPTIONS:-}" in
*log_path*) echo "ok (ulimit -v part left out under the sanitizers)"; exit 0 ;;
esac
if [ -n "$runner" ]; then
  echo "ok (ulimit -v part left out under $runner: qemu reserves its own)"
  exit 0
fi
# 2 GiB of address space: the default 8 GiB reservation cannot be made,
# a 256 KiB one can.
(
  ulimit -v 2097152
  # shellcheck disable=SC2086
  run $small --invoke load "$grow" 0 || fail "small reservation under ulimit -v"
  run --invoke load "$grow" 0 && fail "the 8 GiB reservation fit under ulimit -v"
  grep -q "cannot reserve memory" "$err" || fail "no reservation error"
) || exit 1
echo ok
