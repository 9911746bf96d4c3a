# shellcheck shell=sh
# Sourced by gdb.sh and gdb_lines.sh after lib.sh, with wrun set: skips
# (exit 77; a failure under CI=true) without gdb, and defines
#   gdb_run GDB-COMMANDS... -- WRUN-ARGS...
#            gdb -batch running wrun WRUN-ARGS with each GDB-COMMAND as an
#            -ex, under a 60 s guard; gdb's output in $out
# Natively only: under qemu gdb would debug qemu.
if ! command -v gdb >/dev/null; then
  echo "$(basename "$0"): gdb missing (scripts/install-deps.sh installs it)"
  [ "${CI:-}" = "true" ] && exit 1
  exit 77
fi
gdb_run() {
  cmds=""
  while [ "$1" != -- ]; do
    cmds="$cmds -ex '$1'"
    shift
  done
  shift
  # shellcheck disable=SC2154 # out: set by lib.sh
  eval "timeout 60 gdb -batch -nx $cmds --args \"\$wrun\" \"\$@\"" \
    >"$out" 2>&1
}
