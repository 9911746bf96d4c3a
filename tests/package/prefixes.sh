#!/usr/bin/env bash
# prefixes.sh LIBWRUN.a DESIGN-NOTES.md: every global name libwrun.a
# defines starts with one of the prefixes docs/design-notes.md lists (the
# first column of the table in "Symbol prefixes"), so that none can clash
# with a host's names in a static link.
set -euo pipefail
lib=${1:?usage: prefixes.sh LIBWRUN.a DESIGN-NOTES.md}
notes=${2:?usage: prefixes.sh LIBWRUN.a DESIGN-NOTES.md}
# The table rows of the section: "| `prefix_` | what |".
prefixes=$(awk '/^## Symbol prefixes/ { on = 1; next } /^## / { on = 0 }
  on && /^\| `[a-z0-9]+_` \|/ { gsub(/[|` ]/, "", $2); print $2 }' \
  FS='|' "$notes" | sort -u)
if [ -z "$prefixes" ]; then
  echo "FAIL: no prefix table in $notes (section \"Symbol prefixes\")"
  exit 1
fi
echo "prefixes from $notes: $(printf "%s\n" "$prefixes" | paste -sd " ")"
pattern="^($(printf '%s\n' "$prefixes" | paste -sd '|'))"
# AddressSanitizer adds an ODR indicator, __odr_asan.NAME, for each global
# variable NAME: the compiler's name for one of ours, checked as NAME.
names=$(nm --defined-only -g "$lib" | awk 'NF == 3 { print $3 }' |
  sed 's/^__odr_asan\.//' | sort -u)
count=$(printf '%s\n' "$names" | grep -c . || true)
others=$(printf '%s\n' "$names" | grep -Ev "$pattern" || true)
echo "$lib defines $count global names"
for p in $prefixes; do
  printf '  %-10s %s\n' "$p" "$(printf '%s\n' "$names" | grep -c "^$p" || true)"
done
if [ -n "$others" ]; then
  echo "FAIL: global names without a listed prefix ($(printf '%s\n' "$others" | wc -l)):"
  printf '%s\n' "$others" | head -50
  exit 1
fi
if [ "$count" -eq 0 ]; then
  echo "FAIL: no global name found in $lib"
  exit 1
fi
