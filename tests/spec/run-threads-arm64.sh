#!/usr/bin/env bash
# The threads-proposal scripts on AArch64: cross-builds wrun (with the
# run-time SP checks, tests/arm64-cross.sh) and runs each script given as
# an argument under qemu-aarch64 through run-threads.sh (wast2json
# --enable-threads converts the text modules; it runs natively, spawned by
# the emulated wrun). Environment: BUILD, XFAIL (the threads list), and
# WRUN_A64_NO_LSE=1 to test the LL/SC lowering instead of LSE. Prints each
# script's totals; exits non-zero if one fails.
set -u
source "$(dirname "$0")/../arm64-cross.sh"
arm64_prepare || exit $?
xfail=${XFAIL:-$root/tests/spec/expected-failures-threads.txt}
status=0
for script in "$@"; do
  echo "== $script"
  "$root/tests/spec/run-threads.sh" "$qemu $build/cli/wrun" "$xfail" "$script"
  rc=$?
  [ $rc -eq 77 ] && exit 77
  [ $rc -ne 0 ] && status=1
done
exit $status
