#!/usr/bin/env bash
# The test wrapper of the sanitizer setups (tests/meson.build): runs one
# test command and fails it on any sanitizer report, from the test's own
# process or from any process it started.
#
# Why a wrapper: a report does not always reach the exit status. Criterion
# runs each test in a worker process and ignores how the worker exits once
# the test has reported its result, so LeakSanitizer's leak report at the
# worker's exit (exit code 23) left the test passing. Reports go to files
# here instead (log_path: one file per reporting process; ASan, UBSan and
# TSan alike), and any file found after the run is a failure, printed on
# stderr.
#
#   sanitized.sh COMMAND [ARGS...]
set -u
logs=$(mktemp -d "${TMPDIR:-/tmp}/wrun-sanitizer.XXXXXX") || exit 1
trap 'rm -rf "$logs"' EXIT
# Options already in the environment win over our defaults, but not over
# the log path, which this check needs (the last setting of a flag wins).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}:log_path=$logs/ubsan"
export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}log_path=$logs/tsan"
"$@"
status=$?
reports=("$logs"/*)
if [ -e "${reports[0]}" ]; then
  for f in "${reports[@]}"; do
    echo "--- sanitizer report ($(basename "$f")):" >&2
    cat "$f" >&2
  done
  echo "FAIL: ${#reports[@]} sanitizer report(s) (exit status was $status)" >&2
  exit 1
fi
exit $status
