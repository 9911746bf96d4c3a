#!/bin/sh
# Cross-ISA check of deterministic mode: calls every function listed in
# EXPECTED (one "NAME: BITS" a line) of MODULE with
#   WRUN... --deterministic --invoke NAME MODULE
# and compares the printed bits with EXPECTED, the same file for every ISA.
# Then it runs the same calls in the default mode, where the hardware's
# own NaNs must show up (some line must differ): otherwise the module would
# not be testing anything on this ISA.
#
#   check-nan-bits.sh MODULE.wasm EXPECTED WRUN [WRUN ARGS...]
# WRUN may be a command with arguments, e.g. qemu-aarch64 -L SYSROOT wrun.
set -u
if [ $# -lt 3 ]; then
  echo "usage: $0 MODULE.wasm EXPECTED WRUN [ARGS...]" >&2
  exit 2
fi
wasm=$1
expected=$2
shift 2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

names=$(sed -n 's/^\([^# ][^:]*\): .*/\1/p' "$expected")
[ -n "$names" ] || { echo "FAIL: no functions listed in $expected"; exit 1; }

# run_all FILE [FLAGS...]: one "NAME: OUTPUT" line per function.
run_all() {
  file=$1
  shift
  for name in $names; do
    if result=$("$@" --invoke "$name" "$wasm" 2>&1); then
      echo "$name: $result"
    else
      echo "$name: FAILED: $result"
    fi
  done > "$file"
}

grep -v '^#' "$expected" | grep -v '^$' > "$out/expected"
run_all "$out/deterministic" "$@" --deterministic
run_all "$out/default" "$@"

status=0
if ! diff -u "$out/expected" "$out/deterministic"; then
  echo "FAIL: deterministic results differ from $expected"
  status=1
fi
ndiff=$(diff "$out/expected" "$out/default" | grep -c '^>')
total=$(wc -l < "$out/expected")
if [ "$ndiff" -eq 0 ]; then
  echo "FAIL: the default mode gave the canonical bits everywhere"
  status=1
fi
[ $status -eq 0 ] &&
  echo "ok: $total results as expected; $ndiff differ in the default mode"
exit $status
