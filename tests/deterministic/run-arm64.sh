#!/bin/sh
# check-nan-bits.sh on AArch64: builds wrun for AArch64 the way the
# spec-arm64 test does (tests/spec/run-arm64.sh --build-only, same BUILD
# directory) and runs the check under qemu-aarch64 against the same
# expected bits as on x86-64.
#   run-arm64.sh MODULE.wasm EXPECTED
# Without the cross toolchain or qemu: a skip (77), a failure under CI.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BUILD:-$root/build-arm64}
"$root/tests/spec/run-arm64.sh" --build-only
status=$?
[ $status -eq 0 ] || exit $status
exec "$here/check-nan-bits.sh" "$1" "$2" \
  qemu-aarch64 -L /usr/aarch64-linux-gnu "$build/cli/wrun"
