#!/bin/sh
# --profile=perfmap: the map perf reads to name JIT code
# (/tmp/perf-PID.map) has a line per function, "START SIZE module!name" in
# hex, and none is written without the option; then, where perf can record
# (linux-perf; cpu-clock needs no hardware counters), `perf report` puts
# the hot wasm function, by name, on top of a profile of a hot loop. The
# same for --profile=jitdump through `perf record -k mono` and
# `perf inject --jit` (./jit-PID.dump, its magic checked).
#
#   profile.sh WRUN HOT.wasm   (tests/cli/hot.wat, with its names)
# Natively only: under qemu perf would profile qemu.
set -u
wrun=$1
module=$2
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# pid_run ARGS...: run, the process's pid in $pid (the shell's, kept by
# exec), so that its map file is known
pid_run() {
  sh -c 'echo $$ >"$0"; exec "$@"' "$tmp/pid" "$wrun" "$@" >"$out" 2>"$err"
  status=$?
  pid=$(cat "$tmp/pid")
  map=/tmp/perf-$pid.map
}

pid_run --invoke hot "$module" 10
[ "$status" -eq 0 ] || fail "plain run: exit status $status"
[ ! -e "$map" ] || { rm -f "$map"; fail "a map file without --profile"; }

pid_run --profile=perfmap --invoke hot "$module" 10
[ "$status" -eq 0 ] && [ "$(cat "$out")" = 165 ] || fail "perfmap run"
[ -f "$map" ] || fail "no $map"
cp "$map" "$tmp/map"
rm -f "$map"
grep -Eq '^[0-9a-f]+ [0-9a-f]+ hotmod!hot_loop$' "$tmp/map" ||
  fail "no line for hotmod!hot_loop in: $(cat "$tmp/map")"
grep -Eq '^[0-9a-f]+ [0-9a-f]+ wrun!entry-trampoline\[type 0\]$' \
  "$tmp/map" || fail "no line for the entry trampoline: $(cat "$tmp/map")"
# The same with the option's other spelling, and a bad profiler refused.
pid_run --profile perfmap --invoke hot "$module" 10
rm -f "$map"
[ "$status" -eq 0 ] || fail "--profile perfmap: exit status $status"
pid_run --profile=vtune --invoke hot "$module" 10
rm -f "$map"
[ "$status" -ne 0 ] && grep -q 'unknown profiler "vtune"' "$err" ||
  fail "--profile=vtune accepted"

if ! command -v perf >/dev/null; then
  echo "profile.sh: perf missing (scripts/install-deps.sh installs linux-perf)"
  [ "${CI:-}" = "true" ] && exit 1
  exit 77
fi
if ! perf record -q -e cpu-clock -o "$tmp/probe.data" -- true \
    >"$tmp/probe" 2>&1; then
  echo "profile.sh: skipped: perf cannot record here: $(head -3 "$tmp/probe")"
  exit 77
fi
perf record -q -e cpu-clock -o "$tmp/perf.data" -- \
  sh -c 'echo $$ >"$0"; exec "$@"' "$tmp/pid" \
  "$wrun" --profile=perfmap --invoke hot "$module" 200000000 \
  >"$out" 2>"$err" || fail "perf record failed"
map=/tmp/perf-$(cat "$tmp/pid").map
perf report -i "$tmp/perf.data" --stdio --sort sym >"$tmp/report" 2>&1
rm -f "$map"
top=$(grep -v '^#' "$tmp/report" | grep -m1 '%')
echo "$top" | grep -q 'hotmod!hot_loop' ||
  fail "the top of the profile is not hotmod!hot_loop: $(head -20 "$tmp/report")"

# jitdump: the dump goes to the current directory, the injected images
# beside it (so the paths are made absolute first).
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
wrun_abs=$(abs "$wrun")
module_abs=$(abs "$module")
mkdir "$tmp/jit"
(cd "$tmp/jit" && perf record -q -k mono -e cpu-clock -o perf.data -- \
  "$wrun_abs" --profile=jitdump --invoke hot "$module_abs" 200000000) \
  >"$out" 2>"$err" || fail "perf record -k mono failed"
dump=$(ls "$tmp"/jit/jit-*.dump 2>/dev/null | head -1)
[ -n "$dump" ] || fail "no jit-PID.dump"
[ "$(head -c 4 "$dump")" = DTiJ ] || fail "$dump: not a jitdump file"
(cd "$tmp/jit" && perf inject --jit -i perf.data -o perf.jit.data &&
  perf report -i perf.jit.data --stdio --sort sym) >"$tmp/report" 2>&1 ||
  fail "perf inject --jit / report failed: $(tail -5 "$tmp/report")"
jtop=$(grep -v '^#' "$tmp/report" | grep -m1 '%')
echo "$jtop" | grep -q 'hotmod!hot_loop' ||
  fail "jitdump: the top is not hotmod!hot_loop: $(head -20 "$tmp/report")"
echo "profile.sh: ok (perfmap:$top; jitdump:$jtop)"
