#!/usr/bin/env bash
# Cross-builds wrun for AArch64 (with the run-time SP checks) and runs every
# spec script of the test suite, SIMD ones included, under qemu-aarch64, the
# way run-spec.sh runs them natively. Prints the command totals and "N
# passed, N failed" (files) and exits non-zero on a failure.
#
# The cross build and what it needs: tests/arm64-cross.sh. Environment:
# BUILD (default build-arm64), TESTSUITE (default ../shared/testsuite
# beside the source tree), XFAIL (the expected-failure list, default
# tests/spec/expected-failures.txt; the 3.0 suite has its own), JOBS
# (default 2), WAST_ARGS (more options for `wrun wast`, e.g. --fuel).
set -u
source "$(dirname "$0")/../arm64-cross.sh"
suite=${TESTSUITE:-$root/../shared/testsuite}
jobs=${JOBS:-2}
xfail=${XFAIL:-$root/tests/spec/expected-failures.txt}

arm64_prepare || exit $?
if [ ! -d "$suite" ]; then
  # as run-spec.sh: a skip on a developer's machine, a failure under CI
  echo "spec test suite missing: $suite (see tests/spec/meson.build)"
  [ "${CI:-}" = "true" ] && exit 1
  exit 77
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# One script: its output goes to $results/NAME.log, its verdict to
# $results/NAME.pass or NAME.fail.
run_one() {
  name=$(basename "$1" .wast)
  # shellcheck disable=SC2086 # WAST_ARGS is a list of options
  if timeout 900 $qemu "$build/cli/wrun" wast ${WAST_ARGS:-} \
      --xfail "$xfail" "$1" \
      > "$results/$name.log" 2>&1; then
    touch "$results/$name.pass"
  else
    touch "$results/$name.fail"
  fi
}

for f in "$suite"/*.wast; do
  echo "$f"
done > "$results/list"

export build root sysroot qemu results xfail WAST_ARGS
export -f run_one
xargs -P "$jobs" -I{} bash -c 'run_one "$1"' _ {} < "$results/list"

passed=$(find "$results" -name '*.pass' | wc -l)
failed=$(find "$results" -name '*.fail' | wc -l)
for f in "$results"/*.fail; do
  [ -e "$f" ] || continue
  name=$(basename "$f" .fail)
  echo "--- FAIL $name"
  tail -n 20 "$results/$name.log"
done
# Command totals over all scripts, from each script's own totals line.
cat "$results"/*.log | awk '
  / passed, .* failed, .* skipped$/ { p += $1; f += $3; s += $5 }
  /^xfail: [0-9]+ expected failures$/ { x += $2 }
  END { printf "commands: %d passed, %d failed, %d xfail, %d skipped\n", p, f, x, s }'
echo "scripts: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
