#!/bin/sh
# A program under valgrind's leak check: no byte may be lost (definitely,
# indirectly or possibly); still-reachable blocks (made once per process)
# are allowed. Used for short_lived (1,000 threads' worth of calls into
# wasm) and bench/instantiate (10,000 instantiate/delete cycles).
#   valgrind.sh PROGRAM ARGS...
# Without valgrind: a skip (77), a failure under CI=true
# (scripts/install-deps.sh installs it).
set -u
if ! command -v valgrind >/dev/null; then
  echo "valgrind missing: run scripts/install-deps.sh"
  [ "${CI:-}" = "true" ] && exit 1
  exit 77
fi
exec valgrind -q --leak-check=full \
  --show-leak-kinds=definite,indirect,possible \
  --errors-for-leak-kinds=definite,indirect,possible \
  --error-exitcode=1 "$@"
