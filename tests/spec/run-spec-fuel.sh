#!/bin/sh
# Runs spec scripts with fuel metering on: run-spec-fuel.sh WRUN XFAIL FILE...
# Every store gets the most fuel there is, so no script may run dry; the
# point is that code compiled with fuel charges computes exactly what code
# without them does (same passes, same expected failures).
# A missing suite is a skip (77) outside CI, as in run-spec.sh.
set -u
wrun=$1
xfail=$2
shift 2
if [ ! -f "$1" ]; then
  echo "spec test suite missing: $1 not found (see run-spec.sh)"
  [ "${CI:-}" = "true" ] && exit 1
  exit 77
fi
exec "$wrun" wast --fuel --quiet --xfail "$xfail" "$@"
