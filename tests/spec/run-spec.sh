#!/bin/sh
# Runs one spec-test script: run-spec.sh WRUN XFAIL-LIST FILE.wast [3.0]
# (3.0: the script is one of the Wasm 3.0 suite, for the message below)
#
# A missing test suite is a skip (exit 77, meson's SKIP) on a developer's
# machine, and a failure under CI=true, where the suite must be present.
set -u
wrun=$1
xfail=$2
script=$3
version=${4:-2.0}

if [ ! -f "$script" ]; then
  suite=$(dirname "$script")
  echo "spec test suite missing: $script not found."
  if [ "$version" = "3.0" ]; then
    # Not a plain checkout: every module converted to binary form.
    echo "It is WebAssembly/testsuite at 193e551ff22663995b1ac95dc62344133669e14b"
    echo "with each script's modules encoded as binary by the spec interpreter"
    echo "(wasm -d FILE.wast -o OUT.wast), as in ../shared/testsuite-3.0/README.md;"
    echo "  meson configure BUILDDIR -Dtestsuite3=DIR"
  else
    echo "Get it with:"
    echo "  git clone https://github.com/WebAssembly/testsuite"
    echo "  git -C testsuite checkout 3a04b2cf93bd8fce277458d419eea8d9c326345c"
    echo "  meson configure BUILDDIR -Dtestsuite=\$PWD/testsuite"
  fi
  echo "(looked in $suite)"
  if [ "${CI:-}" = "true" ]; then
    exit 1
  fi
  exit 77
fi

exec "$wrun" wast --xfail "$xfail" "$script"
