#!/bin/sh
# wasi-threads (wasi.thread-spawn): four programs that check their own
# answers (a parallel sum over 8 threads, a mutex-protected counter,
# condition variables, a cmpxchg stress), each RUNS times in a row
# (default 100: a race must not pass by luck), then how threads start
# and end (lifecycle.wasm, one export a case, each case RUNS/10 times),
# and a spawn that must fail.
#
#   wasi_threads.sh WRUN SUM MUTEX COND CMPXCHG LIFECYCLE NOSTART
# RUNNER: see lib.sh (tests/cli/arm64.sh runs this under qemu-aarch64).
set -u
wrun=$1
sum=$2 mutex=$3 cond=$4 cmpxchg=$5 lifecycle=$6 nostart=$7
runs=${RUNS:-100}
guard=60
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# expect_run N STATUS STDOUT ARGS...: N runs of wrun ARGS, each ending
# with STATUS and printing exactly STDOUT.
expect_run() {
  n=$1 want_status=$2 want_out=$3
  shift 3
  i=0
  while [ "$i" -lt "$n" ]; do
    i=$((i + 1))
    run "$@"
    status=$?
    [ "$status" -eq "$want_status" ] ||
      fail "$* (run $i of $n): exit status $status, expected $want_status"
    [ "$(cat "$out")" = "$want_out" ] ||
      fail "$* (run $i of $n): unexpected output"
  done
}

expect_run "$runs" 0 "sum ok" "$sum"
expect_run "$runs" 0 "mutex ok" "$mutex"
expect_run "$runs" 0 "cond ok" "$cond"
expect_run "$runs" 0 "cmpxchg ok" "$cmpxchg"
echo "ok: sum, mutex, cond, cmpxchg $runs times each"

# On by default with the import; --wasi-threads says so explicitly.
expect_run 1 0 "sum ok" --wasi-threads "$sum"
# Metered: every thread's store gets the fuel the program was given.
expect_run 1 0 "sum ok" --fuel 1000000000 "$sum"

cases=$((runs / 10 > 0 ? runs / 10 : 1))
lines=$(printf 'thread\nthread\nthread\nthread\nthread\nthread\nthread\nthread')
expect_run "$cases" 7 "" --invoke exit_in_thread "$lifecycle"
expect_run "$cases" 3 "" --invoke exit_in_main "$lifecycle"
expect_run "$cases" 0 "" --invoke return_in_main "$lifecycle"
expect_run "$cases" 0 "1" --invoke nested "$lifecycle"
expect_run "$cases" 0 "$lines" --invoke print "$lifecycle"
for case in trap_in_thread trap_in_main; do
  i=0
  while [ "$i" -lt "$cases" ]; do
    i=$((i + 1))
    expect_trap unreachable --invoke "$case" "$lifecycle"
    [ "$(grep -c 'wasm trap' "$err")" -eq 1 ] || fail "$case: not one trap"
  done
done
expect_run 1 0 "-1" --invoke spawn "$nostart"
# --timeout ends a program whose main thread sleeps in wait32 while a
# thread spins (neither is reached by the store's interrupt).
start=$(date +%s%N)
expect_trap interrupted --timeout 0.3 --invoke hang "$lifecycle"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed_ms" -lt 5000 ] || fail "hang: took ${elapsed_ms} ms"

# A thread blocked in fd_read (stdin a fifo that a writer holds open for
# 10 s) does not hold up the other threads' WASI calls.
mkfifo "$tmp/fifo"
sleep 10 >"$tmp/fifo" 2>/dev/null </dev/null &
writer=$!
start=$(date +%s%N)
# shellcheck disable=SC2086 # runner: a command and its options
timeout "$guard" $runner "$wrun" --invoke read_blocks "$lifecycle" \
  <"$tmp/fifo" >"$out" 2>"$err"
status=$?
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill "$writer" 2>/dev/null
[ "$status" -eq 0 ] || fail "read_blocks: exit status $status"
[ "$(cat "$out")" = "thread" ] || fail "read_blocks: unexpected output"
[ "$elapsed_ms" -lt 5000 ] || fail "read_blocks: took ${elapsed_ms} ms"
echo "ok: thread traps and exits end the program, $cases times each"
