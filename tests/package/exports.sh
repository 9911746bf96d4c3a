#!/usr/bin/env bash
# exports.sh LIBWRUN.so: the shared library exports its API and nothing
# else: every defined dynamic symbol is wrun_* or wasm_*, and there are
# some (docs/design-notes.md, "Symbol prefixes").
set -euo pipefail
lib=${1:?usage: exports.sh LIBWRUN.so}
names=$(nm -D --defined-only "$lib" | awk 'NF >= 3 { print $3 }' | sed 's/@.*//')
count=$(printf '%s\n' "$names" | grep -c . || true)
others=$(printf '%s\n' "$names" | grep -Ev '^(wrun|wasm)_' || true)
wrun=$(printf '%s\n' "$names" | grep -c '^wrun_' || true)
wasm=$(printf '%s\n' "$names" | grep -c '^wasm_' || true)
echo "$lib exports $count symbols: $wrun wrun_*, $wasm wasm_*"
if [ -n "$others" ]; then
  echo "FAIL: exported beyond the API ($(printf '%s\n' "$others" | wc -l)):"
  printf '%s\n' "$others" | head -50
  exit 1
fi
if [ "$wrun" -eq 0 ]; then
  echo "FAIL: no wrun_* symbol exported"
  exit 1
fi
