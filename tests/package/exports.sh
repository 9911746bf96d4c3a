#!/usr/bin/env bash
# exports.sh LIBWRUN.so HEADER...: the shared library exports its API and
# nothing else: every defined dynamic symbol is wrun_* or wasm_*, and the
# wrun_* ones are exactly the functions the headers declare (one not
# exported, its WRUN_API forgotten, is a host's link error that the tree,
# which links libwrun.a, would never see).
# docs/design-notes.md, "Symbols: only the API is global".
set -euo pipefail
lib=${1:?usage: exports.sh LIBWRUN.so HEADER...}
shift
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
# The functions the headers declare: every prototype naming a wrun_
# function (a line of code at column 0: not a typedef, static or
# preprocessor line). wasm.h declares most of its functions through
# macros, so wasm_* names are only held to their prefix above.
declared=$(cat "$@" | grep -E '^[A-Za-z_]' | grep -vE '^(typedef|static)\b' |
  grep -oE '\bwrun_[a-z0-9_]+ *\(' | sed 's/ *($//' | sort -u)
exported=$(printf '%s\n' "$names" | grep '^wrun_' | sort -u)
missing=$(comm -23 <(printf '%s\n' "$declared") <(printf '%s\n' "$exported"))
extra=$(comm -13 <(printf '%s\n' "$declared") <(printf '%s\n' "$exported"))
echo "the headers declare $(printf '%s\n' "$declared" | grep -c .) wrun_* functions"
if [ -n "$missing" ]; then
  echo "FAIL: declared but not exported (WRUN_API missing?):"
  printf '%s\n' "$missing"
  exit 1
fi
if [ -n "$extra" ]; then
  echo "FAIL: exported but declared in none of $*:"
  printf '%s\n' "$extra"
  exit 1
fi
