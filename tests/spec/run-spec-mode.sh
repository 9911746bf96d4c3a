#!/bin/sh
# Runs spec scripts in a mode that must not change a single result:
#   run-spec-mode.sh MODE WRUN XFAIL FILE...
# fuel       fuel metering on, every store with the most fuel there is (no
#            script may run dry): code compiled with fuel charges computes
#            exactly what code without them does;
# gc-stress  WRUN_GC_STRESS=1, a collection at every GC allocation
#            (struct.new, array.new, every boxed externref): a reference a
#            stack map, a root or the host API forgot is freed while in use,
#            and results go wrong or the sanitizers see it;
# serialized WRUN_WAST_SERIALIZE=1, every module serialized and
#            deserialized before use (wrun_module_serialize): loaded
#            code, its relocations and tables behave as compiled code;
# bounds-checks  every memory access compared with the size, past the
#            smallest guard (64 KiB; wrun_config_bounds_checks): the
#            checks trap exactly where the guard pages do;
# no-signals signals-based traps off (wrun_config_signals_based_traps):
#            traps call into the runtime and bounds checks count each
#            access's width; the runner keeps the default actions of
#            SIGSEGV, SIGBUS and SIGILL, so a trap by a signal kills it,
#            and fails if a handler was installed;
# jobs       every module compiled on two threads, cut at every function
#            (wrun wast --jobs 2, WRUN_COMPILE_SPLIT_BYTES=1): code laid
#            out from runs compiled apart behaves as serial code, and an
#            invalid module is rejected for the same reason.
# Same passes and expected failures as without. A missing suite is a skip
# (77) outside CI, as in run-spec.sh.
set -u
mode=$1
wrun=$2
xfail=$3
shift 3
if [ ! -f "$1" ]; then
  echo "spec test suite missing: $1 not found (see run-spec.sh)"
  [ "${CI:-}" = "true" ] && exit 1
  exit 77
fi
case $mode in
  fuel) exec "$wrun" wast --fuel --quiet --xfail "$xfail" "$@" ;;
  serialized) WRUN_WAST_SERIALIZE=1 exec "$wrun" wast --quiet --xfail "$xfail" "$@" ;;
  gc-stress) WRUN_GC_STRESS=1 exec "$wrun" wast --quiet --xfail "$xfail" "$@" ;;
  bounds-checks) exec "$wrun" wast --bounds-checks --quiet --xfail "$xfail" "$@" ;;
  no-signals) exec "$wrun" wast --no-signals --quiet --xfail "$xfail" "$@" ;;
  jobs) WRUN_COMPILE_SPLIT_BYTES=1 exec "$wrun" wast --jobs 2 --quiet --xfail "$xfail" "$@" ;;
  *) echo "run-spec-mode.sh: unknown mode $mode" >&2; exit 2 ;;
esac
