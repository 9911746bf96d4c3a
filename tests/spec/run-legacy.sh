#!/bin/sh
# Runs one legacy exception-handling script (text modules, so through
# wabt's wast2json): run-legacy.sh WRUN XFAIL-LIST FILE.wast
#
# wast2json converts the legacy instructions only with --enable-all (wabt
# 1.0.32); wrun wast runs `wast2json` from PATH, so a wrapper of that name
# adding the option goes first on it. A missing suite or wast2json is a skip
# (77) on a developer's machine, a failure under CI=true.
set -u
wrun=$1
xfail=$2
script=$3

skip() {
  echo "$1"
  [ "${CI:-}" = "true" ] && exit 1
  exit 77
}
[ -f "$script" ] || skip "legacy exception scripts missing: $script not found"
real=$(command -v wast2json) || skip "wast2json not found on PATH (install wabt)"

shim=$(mktemp -d)
trap 'rm -rf "$shim"' EXIT
printf '#!/bin/sh\nexec "%s" --enable-all "$@"\n' "$real" > "$shim/wast2json"
chmod +x "$shim/wast2json"
PATH=$shim:$PATH "$wrun" wast --xfail "$xfail" "$script"
