#!/usr/bin/env bash
# check-nan-bits.sh on AArch64: the cross build spec-arm64 and masm-arm64
# share (tests/arm64-cross.sh, same BUILD directory), running the check
# under qemu-aarch64 against the same expected bits as on x86-64.
#   run-arm64.sh MODULE.wasm EXPECTED
# Without the cross toolchain or qemu: a skip (77), a failure under CI.
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../arm64-cross.sh"
arm64_prepare || exit $?
exec "$here/check-nan-bits.sh" "$1" "$2" \
  $qemu "$build/cli/wrun"
