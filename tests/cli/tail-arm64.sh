#!/usr/bin/env bash
# tail.sh on AArch64: the cross build spec-arm64 shares (tests/arm64-cross.sh,
# same BUILD directory, -Dsp_check=true), under qemu-aarch64.
#   tail-arm64.sh TAIL.wasm TAIL_LINK.wast [MORE.wast...]
# Without the cross toolchain or qemu: a skip (77), a failure under CI.
set -u
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../arm64-cross.sh"
arm64_prepare || exit $?
RUNNER="qemu-aarch64 -L $sysroot" exec "$here/tail.sh" "$build/cli/wrun" "$@"
