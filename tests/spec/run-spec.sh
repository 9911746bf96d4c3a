#!/bin/sh
# Runs one spec-test script: run-spec.sh WRUN XFAIL-LIST FILE.wast
#
# A missing test suite is a skip (exit 77, meson's SKIP) on a developer's
# machine, and a failure under CI=true, where the suite must be present.
set -u
wrun=$1
xfail=$2
script=$3

if [ ! -f "$script" ]; then
  suite=$(dirname "$script")
  echo "spec test suite missing: $script not found."
  echo "Get it with:"
  echo "  git clone https://github.com/WebAssembly/testsuite"
  echo "  git -C testsuite checkout 3a04b2cf93bd8fce277458d419eea8d9c326345c"
  echo "  meson configure BUILDDIR -Dtestsuite=\$PWD/testsuite"
  echo "(looked in $suite)"
  if [ "${CI:-}" = "true" ]; then
    exit 1
  fi
  exit 77
fi

exec "$wrun" wast --xfail "$xfail" "$script"
