# Sourced by the AArch64 test scripts (tests/spec/run-arm64.sh and
# tests/unit/run-masm-arm64.sh): the cross build they share, made with the
# run-time SP checks (-Dsp_check=true) and run under qemu-aarch64.
#
# Needs (Debian, x86-64 host; scripts/install-deps.sh --arm64):
#   dpkg --add-architecture arm64 && apt-get update
#   apt-get install qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
#     libuv1-dev:arm64 libjansson-dev:arm64
# Environment: BUILD (default build-arm64 beside the build dirs), WERROR
# (true: warnings are errors in the cross build too, as in the native build
# that runs these tests; read when the cross build is set up).
#
# Sets root (the source tree), build, sysroot, qemu; defines arm64_prepare.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-$root/build-arm64}
sysroot=/usr/aarch64-linux-gnu

# $qemu PROGRAM ARGS... runs an AArch64 program (unquoted: a command and its
# options). -L gives it the sysroot's dynamic loader; LD_LIBRARY_PATH makes
# that loader take the sysroot's libc as well, not the multiarch
# libc6:arm64 that /etc/ld.so.cache offers (libuv1-dev:arm64 installs it).
# The loader and libc must come from one glibc build: they share private
# data (_rtld_global is 4512 bytes in 2.36-8cross1, 4520 in
# 2.36-9+deb12u14), and with a mismatched pair pthread_create read the
# loader's stack cache list at the wrong offset and spun forever: the
# --timeout watchdog thread never started. libuv and jansson still come
# from the multiarch directories.
qemu="qemu-aarch64 -L $sysroot -E LD_LIBRARY_PATH=$sysroot/lib"

# arm64_prepare [NINJA TARGET...]: checks the toolchain, sets up the cross
# build once and builds the targets (default: the default targets).
# Returns 77 (meson's SKIP) without the toolchain on a developer's machine,
# 1 under CI=true, where it must be there; 1 when the build fails.
arm64_prepare() {
  if ! command -v aarch64-linux-gnu-gcc >/dev/null ||
     ! command -v qemu-aarch64 >/dev/null; then
    echo "AArch64 cross toolchain or qemu-aarch64 missing: run scripts/install-deps.sh --arm64"
    [ "${CI:-}" = "true" ] && return 1
    return 77
  fi
  if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$root" --cross-file "$root/scripts/cross-aarch64.ini" \
      -Dtests=disabled -Dsp_check=true -Dwerror="${WERROR:-false}" || return 1
  fi
  ninja -C "$build" "$@" || return 1
}
