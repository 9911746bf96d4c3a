#!/bin/sh
# Runs spec-test scripts in deterministic mode, all in one process:
#   run-spec-deterministic.sh WRUN XFAIL-LIST DIR NAME...
# (DIR/NAME.wast for each NAME). Canonical NaN results must satisfy every
# nan:canonical and nan:arithmetic expectation, and every other result must
# be as in the default mode. A missing suite is a skip (exit 77) outside CI,
# as in run-spec.sh.
set -u
wrun=$1
xfail=$2
dir=$3
shift 3
if [ ! -d "$dir" ]; then
  echo "spec test suite missing: $dir (see tests/spec/meson.build)"
  [ "${CI:-}" = "true" ] && exit 1
  exit 77
fi
for name in "$@"; do
  set -- "$@" "$dir/$name.wast"
  shift
done
exec "$wrun" wast --deterministic --quiet --xfail "$xfail" "$@"
