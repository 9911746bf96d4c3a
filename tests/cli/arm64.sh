#!/usr/bin/env bash
# A tests/cli script on AArch64: the cross build spec-arm64 shares
# (tests/arm64-cross.sh, same BUILD directory, -Dsp_check=true), its wrun
# run under qemu-aarch64 (the script's RUNNER).
#   arm64.sh SCRIPT ARGS...   runs SCRIPT build-arm64/cli/wrun ARGS...
# Without the cross toolchain or qemu: a skip (77), a failure under CI.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../arm64-cross.sh
source "$here/../arm64-cross.sh"
script=$1
shift
arm64_prepare cli/wrun || exit $?
RUNNER=$qemu exec "$here/$script" "$build/cli/wrun" "$@"
