#!/usr/bin/env bash
# Runs the benchmarks: bench/run.sh [--wrun PATH] [--runs N] [--kernels a,b]
# (see bench/run.py --help). Not part of `meson test`.
set -euo pipefail
exec python3 "$(dirname "$0")/run.py" "$@"
