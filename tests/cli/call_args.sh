#!/bin/sh
# Arguments in registers (jit_target.arg_gpr) against their plain values:
# call_args.wast through `wrun wast`, with signal-based traps, without
# (--no-signals) and with fuel (--fuel: on x86-64 a call through a funcref
# then loads its argument registers from the slots instead).
#
#   call_args.sh WRUN CALL_ARGS.wast
# RUNNER: see lib.sh.
set -u
wrun=$1
script=$2
guard=120
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# a wast2json that knows tail calls (wrun wast runs it without options)
mkdir "$tmp/bin"
cat > "$tmp/bin/wast2json" <<END
#!/bin/sh
exec $(command -v wast2json) --enable-tail-call "\$@"
END
chmod +x "$tmp/bin/wast2json"

want=32
for mode in "" --no-signals --fuel; do
  # shellcheck disable=SC2086 # mode: empty or one option
  PATH="$tmp/bin:$PATH" run wast $mode "$script"
  status=$?
  [ "$status" -eq 0 ] || fail "wast $mode: exit status $status"
  grep -q "^$want passed, 0 failed, 0 skipped" "$out" "$err" ||
    fail "wast $mode: expected $want passed, 0 failed, 0 skipped"
done
echo "call_args.wast: $want assertions passed in three modes"
