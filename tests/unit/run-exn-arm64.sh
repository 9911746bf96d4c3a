#!/usr/bin/env bash
# Runs the exception handling cases (exn_exec.c) on AArch64: the plain
# exn_exec program of the AArch64 cross build under qemu-aarch64 (as
# run-masm-arm64.sh does for the masm cases). See tests/arm64-cross.sh.
set -u
source "$(dirname "$0")/../arm64-cross.sh"
arm64_prepare exn_exec || exit $?
exec $qemu "$build/exn_exec"
