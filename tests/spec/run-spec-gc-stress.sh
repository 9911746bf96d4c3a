#!/bin/sh
# Runs spec scripts in GC stress mode: run-spec-gc-stress.sh WRUN XFAIL FILE...
# WRUN_GC_STRESS=1 collects at every allocation (struct.new, array.new,
# every boxed externref), so a reference that a stack map, a root or the
# host API forgot is freed while still in use, and the script's results
# go wrong or the sanitizers see it. Same passes and expected failures as
# without it. A missing suite is a skip (77) outside CI, as in run-spec.sh.
set -u
wrun=$1
xfail=$2
shift 2
if [ ! -f "$1" ]; then
  echo "spec test suite missing: $1 not found (see run-spec.sh)"
  [ "${CI:-}" = "true" ] && exit 1
  exit 77
fi
WRUN_GC_STRESS=1 exec "$wrun" wast --quiet --xfail "$xfail" "$@"
