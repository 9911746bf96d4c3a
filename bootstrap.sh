#!/usr/bin/env bash
# Quick start: install what is missing, build, and run the bundled example.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-deps.sh
[ -d build ] || meson setup build
ninja -C build
echo "--- build/cli/wrun --invoke fib build/examples/fib.wasm 20"
build/cli/wrun --invoke fib build/examples/fib.wasm 20
if [ -f build/examples/hello.wasm ]; then echo "--- build/cli/wrun build/examples/hello.wasm"; build/cli/wrun build/examples/hello.wasm; fi
