#!/usr/bin/env bash
# CI step for the libFuzzer targets: a clang build with ASan + UBSan
# (build-fuzz/), seed corpora from the spec suite, then every target for a
# fixed number of inputs, two at a time (one per core). Any crash, sanitizer
# report, leak or hang fails the step; the reproducer is left in
# build-fuzz/fuzz-findings/TARGET/.
#
#   tests/fuzz/ci.sh [RUNS_SCALE]     (from anywhere; RUNS_SCALE=1 default)
#   FUZZ_BUILD=DIR picks another build directory (default build-fuzz).
#
# RUNS_SCALE multiplies the input counts below (10 for a 10x longer run).
# Measured on 2 shared cores at scale 1: 48 s with the build when the
# machine was quiet, about 3 minutes under load. Needs clang and
# libclang-rt-14-dev (scripts/install-deps.sh) and the spec suites in
# ../shared/testsuite and ../shared/testsuite-3.0 (TESTSUITE=DIR and
# TESTSUITE3=DIR to choose others).
set -euo pipefail
cd "$(dirname "$0")/../.."
scale=${1:-1}
build=${FUZZ_BUILD:-build-fuzz}
suite=${TESTSUITE:-../shared/testsuite}
suite3=${TESTSUITE3:-../shared/testsuite-3.0}

if [ ! -d "$suite" ]; then
  echo "fuzz/ci.sh: no spec suite at $suite (seed corpora come from it)" >&2
  exit 1
fi
if [ ! -d "$suite3" ]; then
  echo "fuzz/ci.sh: no 3.0 spec suite at $suite3 (fuzz-wast-script's seeds)" >&2
  exit 1
fi
if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Dfuzzers=true \
    -Db_sanitize=address,undefined -Db_lundef=false
fi
targets=(validate compile run wast wast-script)
ninja -C "$build" "${targets[@]/#/tests/fuzz/fuzz-}"

corpus=$build/fuzz-corpus
rm -rf "$corpus"
python3 tests/fuzz/make_corpus.py --testsuite "$suite" \
  --testsuite3 "$suite3" "$corpus"

# Inputs per target: the seed corpus is run first and counts towards these.
declare -A runs=([validate]=20000 [compile]=20000 [run]=20000 [wast]=3000
                 [wast-script]=5000)
declare -A seeds=([validate]=modules [compile]=modules [run]=modules
                  [wast]=wast [wast-script]=wast-script)
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

run_target() {
  local t=$1
  local found=$build/fuzz-findings/$t new=$build/fuzz-new/$t
  rm -rf "$found" "$new"
  mkdir -p "$found" "$new"
  "$build/tests/fuzz/fuzz-$t" -runs=$((runs[$t] * scale)) -timeout=20 \
    -rss_limit_mb=4096 -max_len=262144 -seed=1 -print_final_stats=1 \
    -artifact_prefix="$found/" "$new" "$corpus/${seeds[$t]}" \
    > "$build/fuzz-$t.log" 2>&1
}

status=0
pids=()
for t in "${targets[@]}"; do
  run_target "$t" &
  pids+=($!)
  # Two at a time: wait for the older one of each pair.
  if [ ${#pids[@]} -eq 2 ]; then
    wait "${pids[0]}" || status=1
    pids=("${pids[1]}")
  fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done

for t in "${targets[@]}"; do
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
    "$build/fuzz-$t.log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$build/fuzz-$t.log")
  findings=$(ls "$build/fuzz-findings/$t" | wc -l)
  echo "fuzz-$t: ${execs:-?} inputs, ${rate:-?} exec/s, $findings findings"
  if [ "$findings" -ne 0 ] || [ -z "$execs" ]; then
    status=1
    tail -n 40 "$build/fuzz-$t.log"
  fi
done
exit $status
