#!/bin/sh
# Runs threads-proposal scripts (text modules, so through wabt's
# wast2json): run-threads.sh WRUN XFAIL-LIST FILE.wast... (WAST_ARGS: more
# options for `wrun wast`, e.g. --fuel).
#
# As run-legacy.sh, with --enable-threads: a wrapper named wast2json that
# adds the option goes first on PATH. WRUN may be a command with options
# (the AArch64 run passes "qemu-aarch64 -L ... build-arm64/cli/wrun"). A
# missing suite or wast2json is a skip (77) on a developer's machine, a
# failure under CI=true.
set -u
wrun=$1
xfail=$2
shift 2

skip() {
  echo "$1"
  [ "${CI:-}" = "true" ] && exit 1
  exit 77
}
for script in "$@"; do
  [ -f "$script" ] || skip "threads scripts missing: $script not found"
done
real=$(command -v wast2json) || skip "wast2json not found on PATH (install wabt)"

shim=$(mktemp -d)
trap 'rm -rf "$shim"' EXIT
printf '#!/bin/sh\nexec "%s" --enable-threads "$@"\n' "$real" > "$shim/wast2json"
chmod +x "$shim/wast2json"
# shellcheck disable=SC2086 # wrun and WAST_ARGS may hold several words
PATH=$shim:$PATH $wrun wast ${WAST_ARGS:-} --xfail "$xfail" "$@"
