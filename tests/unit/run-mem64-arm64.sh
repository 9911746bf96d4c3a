#!/usr/bin/env bash
# Runs memory64 past 4 GiB (mem64_large.c) on AArch64: the plain
# mem64_large program of the AArch64 cross build under qemu-aarch64 (as
# run-exn-arm64.sh does for the exception cases). See tests/arm64-cross.sh.
set -u
source "$(dirname "$0")/../arm64-cross.sh"
arm64_prepare mem64_large || exit $?
exec $qemu "$build/mem64_large"
