# shellcheck shell=sh
# Sourced by the tests/cli scripts after they set wrun (the command under
# test) and, optionally, guard (seconds, default 20: the outer `timeout`
# that only keeps a hang of wrun from hanging the test).
#
# RUNNER (optional) prefixes every wrun command: qemu-aarch64 and its
# options when tests/cli/arm64.sh runs the script for AArch64.
#
# Sets runner, tmp (a directory removed at exit), out and err (the last
# run's stdout and stderr); defines
#   fail MESSAGE   prints MESSAGE and the last run's output, exits 1
#   run ARGS...    wrun ARGS under the runner and the guard, output to
#                  $out and $err; returns wrun's status (124: the guard)
#   expect_trap TRAP ARGS...
#                  run ARGS must end with the wasm trap TRAP: exit 134,
#                  "wrun: wasm trap: TRAP" on stderr
runner=${RUNNER:-}
guard=${guard:-20}
tmp=$(mktemp -d)
out=$tmp/out
err=$tmp/err
: >"$out"
: >"$err"
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "FAIL: $1" >&2
  echo "--- stdout:" >&2
  cat "$out" >&2
  echo "--- stderr:" >&2
  cat "$err" >&2
  exit 1
}

run() {
  # shellcheck disable=SC2086,SC2154 # RUNNER: a command and its options;
  # wrun: set by the script
  timeout "$guard" $runner "$wrun" "$@" >"$out" 2>"$err"
}

expect_trap() {
  want=$1
  shift
  run "$@"
  status=$?
  [ "$status" -eq 134 ] || fail "$*: exit status $status, expected 134"
  grep -qxF "wrun: wasm trap: $want" "$err" || fail "$*: no '$want' trap"
}
