#!/usr/bin/env bash
# Installs the Debian 12 packages wrun needs to build and test, if missing.
set -euo pipefail
pkgs=(meson ninja-build pkg-config gcc libuv1-dev uthash-dev libjansson-dev
      libcriterion-dev wabt clang lld wasi-libc libclang-rt-14-dev-wasm32
      binaryen libclang-rt-14-dev python3 valgrind linux-perf
      libcapstone-dev gdb)
# --arm64: also the AArch64 cross toolchain and qemu-user for the AArch64
# spec run (not libcriterion-dev:arm64: it would remove the x86-64 one).
arm64=false
[ "${1:-}" = "--arm64" ] && arm64=true
if $arm64 && [ "$(dpkg --print-architecture)" = amd64 ]; then
  pkgs+=(qemu-user gcc-aarch64-linux-gnu libc6-dev-arm64-cross
         libuv1-dev:arm64 libjansson-dev:arm64)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "installing: ${missing[*]}"
  if $arm64 && ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
