#!/usr/bin/env bash
# Runs the threads unit tests (test_threads.c, built without criterion as
# threads_exec) in the AArch64 cross build under qemu-aarch64; with
# WRUN_A64_NO_LSE=1 the atomics take the LL/SC loops. See
# tests/arm64-cross.sh for the build and what it needs.
set -u
source "$(dirname "$0")/../arm64-cross.sh"
arm64_prepare threads_exec || exit $?
exec $qemu "$build/threads_exec"
