#!/bin/sh
# --jobs N: the code compiled on N threads is the code compiled on one
# (wrun compile: the same .cwasm; WRUN_DUMP_CODE: the same offsets, with
# WRUN_COMPILE_SPLIT_BYTES=1 cutting these small modules at every
# function so that two threads do share them), so runs give the same
# results, the same trap backtraces with their wasm offsets (the pc map)
# and catch the same exceptions (the unwind table); values that are no
# number of threads are usage errors.
#
#   jobs.sh WRUN OFFSETS.wasm THROW.wasm GC_LIST.wasm
# RUNNER: see lib.sh.
set -u
wrun=$1 offsets=$2 throw=$3 gc=$4
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

WRUN_COMPILE_SPLIT_BYTES=1
export WRUN_COMPILE_SPLIT_BYTES

# same_runs ARGS...: wrun --jobs 1 ARGS and --jobs 2 ARGS (and the
# default, one thread per CPU) end alike: status, stdout, stderr
same_runs() {
  run --jobs 1 "$@"
  status1=$?
  cp "$out" "$tmp/out1"
  cp "$err" "$tmp/err1"
  for jobs in 2 0; do
    run --jobs="$jobs" "$@"
    status=$?
    [ "$status" = "$status1" ] ||
      fail "--jobs $jobs $*: status $status, with --jobs 1 $status1"
    cmp -s "$out" "$tmp/out1" || fail "--jobs $jobs $*: other output"
    cmp -s "$err" "$tmp/err1" || fail "--jobs $jobs $*: other errors"
  done
}

for call in "oob 70000" "unreachable 1" "div 0" "two_divs 0" "fill 65530" \
            "overflow 0" "indirect 0"; do
  # shellcheck disable=SC2086 # $call: the export and its argument
  set -- $call
  same_runs --invoke "$1" "$offsets" "$2"
  grep -q "wasm trap" "$tmp/err1" || fail "$1: no trap"
  grep -q ": 0x[0-9a-f]* - offsets!" "$tmp/err1" ||
    fail "$1: no wasm offsets in the backtrace"
done
# traps that call into wrun (their stubs' calls carry the offsets)
same_runs --no-signals --invoke div "$offsets" 0
grep -q ": 0x[0-9a-f]* - offsets!" "$tmp/err1" ||
  fail "--no-signals div: no wasm offsets in the backtrace"
same_runs --invoke catch "$throw" 5
same_runs --invoke uncaught "$throw" 5
same_runs --invoke run "$gc" 1000
[ "$(cat "$tmp/out1")" = 499500 ] || fail "gc run 1000: not 499500"

# The whole compiled module, with every table, as wrun compile saves it:
# the same bytes. It embeds addresses of this process (C functions, GC
# type descriptors), so both compiles run without address space layout
# randomisation (setarch -R). And the code map of WRUN_DUMP_CODE, whose
# first line holds the address the code was mapped at: the same offsets.
command -v setarch >/dev/null || fail "setarch (util-linux) missing"
run_fixed_layout() {
  # shellcheck disable=SC2086 # RUNNER: a command and its options
  timeout "$guard" setarch -R $runner "$wrun" "$@" >"$out" 2>"$err"
}
for module in "$offsets" "$throw" "$gc"; do
  for jobs in 1 2; do
    run_fixed_layout compile --jobs "$jobs" "$module" -o "$tmp/$jobs.cwasm" ||
      fail "compile --jobs $jobs $module"
    mkdir "$tmp/dump$jobs"
    WRUN_DUMP_CODE=$tmp/dump$jobs run --jobs "$jobs" --invoke __none__ "$module"
    tail -n +2 "$tmp"/dump"$jobs"/*.txt >"$tmp/map$jobs"
    rm -r "$tmp/dump$jobs"
  done
  cmp -s "$tmp/1.cwasm" "$tmp/2.cwasm" ||
    fail "$module: compile --jobs 2 saved another module"
  [ -s "$tmp/map1" ] || fail "$module: no code map dumped"
  cmp -s "$tmp/map1" "$tmp/map2" ||
    fail "$module: --jobs 2 laid the functions out elsewhere"
done
run compile --jobs x "$throw" -o "$tmp/x.cwasm"
[ $? -eq 1 ] || fail "compile --jobs x: not a usage error"

for bad in x -1 4097 ""; do
  run --jobs "$bad" --invoke div "$offsets" 1
  [ $? -eq 1 ] || fail "--jobs '$bad': not a usage error"
  grep -q "is not a number of threads" "$err" || fail "--jobs '$bad': no message"
done
echo ok
