#!/usr/bin/env bash
# Runs one WASI test program in a fresh sandbox and checks what it did.
#
#   run-wasi-test.sh [OPTIONS] WRUN PROGRAM.wasm [ARGS...]
#
# OPTIONS
#   --stdout FILE        stdout must equal FILE byte for byte
#   --stdin FILE         feed FILE on stdin (default: /dev/null)
#   --exit LIST          allowed exit codes, comma-separated (default: 0)
#   --trap MESSAGE       the trap wrun may report: with exit code 134 (a
#                        wasm trap in wrun, but also the status of any
#                        SIGABRT), stderr must hold the line
#                        "wrun: wasm trap: MESSAGE"; 134 without --trap,
#                        or with another message, fails
#   --env NAME=VALUE     passed on as the runtime's --env
#   --node NODE DRIVER   run under node:wasi (NODE DRIVER ...) instead of WRUN
#   --compare NODE DRIVER
#                        run under WRUN and under node:wasi, each in its own
#                        sandbox; both must pass, and their stdout and exit
#                        codes must agree
#
# The tree made for each run (TMP is a new temporary directory):
#   TMP/root/sandbox/               preopened as "/" (--dir sandbox::/, run
#                                   from TMP/root)
#     data.txt                      "sandbox data\n"
#     sub/inner.txt                 "inner\n"
#     link_in       -> data.txt     a harmless symlink
#     link_out      -> ../outside/secret.txt
#     link_abs      -> TMP/root/outside/secret.txt
#     chain1 -> chain2 -> chain3 -> ../outside
#   TMP/root/outside/secret.txt     "top secret\n", must never change
#   TMP/root/outside/dir/           an empty directory, must stay empty
# The guest gets OUTSIDE_ABS=TMP/root/outside in its environment, so that it
# can try the host's absolute path too.
#
# After the run, everything under TMP outside the sandbox must be exactly as
# before (names, types, sizes, modes, mtimes, contents), and no file whose
# name contains "escaped" may have appeared beside TMP.
set -uo pipefail

expected_stdout=""
stdin_file=/dev/null
allowed_exits="0"
trap_message=""
env_opts=()
node_bin=""
node_driver=""
mode=wrun

while [ $# -gt 0 ]; do
  case "$1" in
    --stdout) expected_stdout=$2; shift 2 ;;
    --stdin) stdin_file=$2; shift 2 ;;
    --exit) allowed_exits=$2; shift 2 ;;
    --trap) trap_message=$2; shift 2 ;;
    --env) env_opts+=(--env "$2"); shift 2 ;;
    --node) mode=node; node_bin=$2; node_driver=$3; shift 3 ;;
    --compare) mode=compare; node_bin=$2; node_driver=$3; shift 3 ;;
    --) shift; break ;;
    -*) echo "run-wasi-test.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -lt 2 ]; then
  echo "usage: run-wasi-test.sh [OPTIONS] WRUN PROGRAM.wasm [ARGS...]" >&2
  exit 2
fi
wrun=$(realpath "$1")
wasm=$(realpath "$2")
shift 2
prog_args=("$@")
[ -n "$expected_stdout" ] && expected_stdout=$(realpath "$expected_stdout")
[ "$stdin_file" != /dev/null ] && stdin_file=$(realpath "$stdin_file")
[ -n "$node_driver" ] && node_driver=$(realpath "$node_driver")

tmp_dirs=()
cleanup() { [ ${#tmp_dirs[@]} -gt 0 ] && rm -rf "${tmp_dirs[@]}"; }
trap cleanup EXIT

make_tree() {
  local t=$1
  mkdir -p "$t/root/sandbox/sub" "$t/root/outside/dir"
  printf 'sandbox data\n' > "$t/root/sandbox/data.txt"
  printf 'inner\n' > "$t/root/sandbox/sub/inner.txt"
  printf 'top secret\n' > "$t/root/outside/secret.txt"
  ln -s data.txt "$t/root/sandbox/link_in"
  ln -s ../outside/secret.txt "$t/root/sandbox/link_out"
  ln -s "$t/root/outside/secret.txt" "$t/root/sandbox/link_abs"
  ln -s chain2 "$t/root/sandbox/chain1"
  ln -s chain3 "$t/root/sandbox/chain2"
  ln -s ../outside "$t/root/sandbox/chain3"
}

# Everything under T except the sandbox: metadata, then file contents.
snapshot() {
  local t=$1
  (cd "$t" && find . -path ./root/sandbox -prune -o \
      -printf '%p %y %s %m %T@ %l\n' | LC_ALL=C sort &&
    find . -path ./root/sandbox -prune -o -type f -print0 |
      LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

escaped_beside() {
  find "$(dirname "$1")" -maxdepth 1 -name '*escaped*' 2>/dev/null
}

# run_one RUNTIME OUT_PREFIX: runs the program in a new tree; leaves its
# stdout in OUT_PREFIX.stdout and exit code in OUT_PREFIX.exit; returns
# non-zero (after saying why) if the host tree changed.
run_one() {
  local runtime=$1 out=$2 t
  t=$(mktemp -d "${TMPDIR:-/tmp}/wrun-wasi.XXXXXX") || return 1
  tmp_dirs+=("$t")
  make_tree "$t"
  local before escaped_before
  before=$(snapshot "$t")
  escaped_before=$(escaped_beside "$t")
  local cmd=()
  if [ "$runtime" = node ]; then
    cmd=("$node_bin" --no-warnings "$node_driver")
  else
    cmd=("$wrun")
  fi
  cmd+=(--dir sandbox::/ --env "OUTSIDE_ABS=$t/root/outside" "${env_opts[@]}"
        "$wasm" "${prog_args[@]}")
  echo "[$runtime] (cd $t/root && ${cmd[*]})"
  (cd "$t/root" && timeout 50 "${cmd[@]}") < "$stdin_file" > "$out.stdout" \
    2> "$out.stderr"
  echo $? > "$out.exit"
  echo "--- $runtime stderr:"
  cat "$out.stderr"
  echo "--- $runtime stdout:"
  cat "$out.stdout"
  echo "--- $runtime exit code: $(cat "$out.exit")"

  local after escaped_after status=0
  after=$(snapshot "$t")
  if [ "$before" != "$after" ]; then
    echo "FAIL [$runtime]: the host tree outside the sandbox changed:"
    diff <(echo "$before") <(echo "$after")
    status=1
  fi
  escaped_after=$(escaped_beside "$t")
  if [ "$escaped_before" != "$escaped_after" ]; then
    echo "FAIL [$runtime]: a file appeared beside the test tree:"
    echo "$escaped_after"
    status=1
  fi
  return $status
}

# check_result RUNTIME OUT_PREFIX: exit code allowed, stdout as expected.
check_result() {
  local runtime=$1 out=$2 code status=0
  code=$(cat "$out.exit")
  if ! [[ ",$allowed_exits," == *",$code,"* ]]; then
    echo "FAIL [$runtime]: exit code $code, expected one of $allowed_exits"
    status=1
  fi
  # 134 is wrun's trap status and SIGABRT's alike: only the message says
  # that the runtime trapped as it may, rather than crashed.
  if [ "$runtime" = wrun ] && [ "$code" = 134 ]; then
    if [ -z "$trap_message" ]; then
      echo "FAIL [$runtime]: exit code 134 (a trap or an abort) and no --trap message to check"
      status=1
    elif ! grep -qxF "wrun: wasm trap: $trap_message" "$out.stderr"; then
      echo "FAIL [$runtime]: exit code 134 without the trap \"$trap_message\" on stderr"
      status=1
    fi
  fi
  if [ -n "$expected_stdout" ] && ! cmp -s "$expected_stdout" "$out.stdout"; then
    echo "FAIL [$runtime]: stdout differs from $expected_stdout:"
    diff "$expected_stdout" "$out.stdout"
    status=1
  fi
  return $status
}

outdir=$(mktemp -d "${TMPDIR:-/tmp}/wrun-wasi-out.XXXXXX") || exit 1
tmp_dirs+=("$outdir")
status=0
case $mode in
  wrun|node)
    run_one "$mode" "$outdir/$mode" || status=1
    check_result "$mode" "$outdir/$mode" || status=1
    ;;
  compare)
    run_one wrun "$outdir/wrun" || status=1
    check_result wrun "$outdir/wrun" || status=1
    run_one node "$outdir/node" || status=1
    check_result node "$outdir/node" || status=1
    if ! cmp -s "$outdir/wrun.stdout" "$outdir/node.stdout"; then
      echo "FAIL: stdout differs between wrun (<) and node:wasi (>):"
      diff "$outdir/wrun.stdout" "$outdir/node.stdout"
      status=1
    fi
    if [ "$(cat "$outdir/wrun.exit")" != "$(cat "$outdir/node.exit")" ]; then
      echo "FAIL: exit code $(cat "$outdir/wrun.exit") under wrun," \
        "$(cat "$outdir/node.exit") under node:wasi"
      status=1
    fi
    ;;
esac
[ $status -eq 0 ] && echo "PASS"
exit $status
