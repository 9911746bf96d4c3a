#!/usr/bin/env bash
# Runs the shared MacroAssembler execution cases (masm_exec.c) for the
# AArch64 backend: the plain masm_exec program of the AArch64 cross build
# (criterion cannot be installed for arm64 beside the x86-64 one) under
# qemu-aarch64. See tests/arm64-cross.sh for the build and what it needs.
set -u
source "$(dirname "$0")/../arm64-cross.sh"
arm64_prepare masm_exec || exit $?
exec $qemu "$build/masm_exec"
