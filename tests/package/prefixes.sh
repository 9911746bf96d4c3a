#!/usr/bin/env bash
# prefixes.sh LIBWRUN.a: the installed static library defines no global
# name but the API's (wrun_*, wasm_*), so that none of ours can clash with
# a host's in a static link (scripts/localize-archive.sh made the rest
# local). Counts them.
set -euo pipefail
lib=${1:?usage: prefixes.sh LIBWRUN.a}
# AddressSanitizer adds an ODR indicator, __odr_asan.NAME, for each global
# variable NAME: the compiler's name for one of ours, checked as NAME.
names=$(nm --defined-only -g "$lib" | awk 'NF == 3 { print $3 }' |
  sed 's/^__odr_asan\.//' | sort -u)
count=$(printf '%s\n' "$names" | grep -c . || true)
others=$(printf '%s\n' "$names" | grep -Ev '^(wrun_|wasm_)' || true)
echo "$lib defines $count global names"
if [ -n "$others" ]; then
  echo "FAIL: global names other than wrun_*/wasm_* ($(printf '%s\n' "$others" | wc -l)):"
  printf '%s\n' "$others" | head -50
  exit 1
fi
if [ "$count" -eq 0 ]; then
  echo "FAIL: no global name found in $lib"
  exit 1
fi
# And the internals are still in it, as local symbols (a check that the
# archive is the whole library, not an empty shell).
locals=$(nm "$lib")
# (A here-string, not a pipe: grep -q stops at the first match, and under
# pipefail the writer's SIGPIPE failed the check once the list got long.)
if ! grep -q ' t rt_trap_new_code$' <<<"$locals"; then
  echo "FAIL: internal functions missing from $lib"
  exit 1
fi
echo "ok: only the API is global"
