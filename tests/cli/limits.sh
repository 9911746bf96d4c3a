#!/bin/sh
# Store limits through the command: hostile modules are refused at once,
# in bounded memory, with an error naming the limit; a --max-wasm-stack the
# stack cannot give is refused. The modules are made here, byte by byte:
# 20 tables of 10M elements (once 1.5 GB) and 10,000 of them (once 15 GB).
#
#   limits.sh WRUN
set -u
wrun=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

fail() {
  echo "FAIL: $1" >&2
  echo "--- stderr:" >&2
  cat "$dir/err" >&2
  exit 1
}

# Unsigned LEB128 of $1 as printf escapes.
leb() {
  n=$1
  out=
  while :; do
    byte=$((n & 127))
    n=$((n >> 7))
    [ "$n" -gt 0 ] && byte=$((byte | 128))
    out="$out\\$(printf '%03o' "$byte")"
    [ "$n" -gt 0 ] || break
  done
  printf '%s' "$out"
}

# tables_module COUNT FILE: COUNT funcref tables of 10,000,000 elements.
tables_module() {
  count=$1
  entry="\\160\\000$(leb 10000000)" # funcref, no maximum, min 10M
  body_len=$(( $(printf '%s' "$(leb "$count")" | tr -cd '\\' | wc -c) + count * 6 ))
  {
    printf '\000asm\001\000\000\000\004'
    printf "$(leb "$body_len")$(leb "$count")"
    i=0
    while [ "$i" -lt "$count" ]; do printf "$entry"; i=$((i + 1)); done
  } >"$2"
}

# Address space is capped so that an unbounded allocation fails the test
# instead of taking the machine (not under AddressSanitizer or
# ThreadSanitizer, which reserve terabytes of shadow memory themselves:
# there the time bound below still catches an unbounded allocation).
cap_memory() {
  if ! ldd "$wrun" 2>/dev/null | grep -qE 'lib(asan|tsan)'; then
    ulimit -v 1048576 # KiB: 1 GiB
  fi
}

# expect_refusal WANT ARGS...: wrun ARGS exits 1 quickly, stderr has WANT.
expect_refusal() {
  want=$1
  shift
  start=$(date +%s%N)
  (cap_memory; exec timeout 10 "$wrun" "$@") 2>"$dir/err"
  status=$?
  elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  [ "$status" -eq 1 ] || fail "wrun $*: exit status $status, expected 1"
  grep -q -- "$want" "$dir/err" || fail "wrun $*: no \"$want\""
  [ "$elapsed_ms" -lt 2000 ] || fail "wrun $*: took ${elapsed_ms} ms"
  echo "ok: $(cat "$dir/err") (${elapsed_ms} ms)"
}

tables_module 20 "$dir/t20.wasm"
tables_module 10000 "$dir/t10k.wasm"
[ "$(wc -c <"$dir/t20.wasm")" -eq 131 ] || fail "t20.wasm is not 131 bytes"
[ "$(wc -c <"$dir/t10k.wasm")" -eq 60014 ] || fail "t10k.wasm is not 60014 bytes"

expect_refusal 'table elements limit exceeded: 200000000 more elements would pass the store.s 10000000' \
  --max-memory 65536 "$dir/t20.wasm"
expect_refusal 'table elements limit exceeded: 100000000000 more elements' \
  "$dir/t10k.wasm"
expect_refusal 'table elements limit exceeded: a table of 10000000 elements is over the limit of 1000 per table' \
  --max-table-size 1000 "$dir/t20.wasm"
expect_refusal 'table elements limit exceeded: 200000000 more elements would pass the store.s 5 ' \
  --max-table-elements 5 "$dir/t20.wasm"
expect_refusal 'tables limit exceeded: 20 more would pass the store.s 19' \
  --max-tables 19 "$dir/t20.wasm"
expect_refusal 'instances limit exceeded: the store allows 0 instances' \
  --max-instances 0 "$dir/t20.wasm"
expect_refusal "wasm stack limit of 1099511627776 bytes is more than this thread's usable stack" \
  --max-wasm-stack 1099511627776 "$dir/t20.wasm"
expect_refusal '--max-tables: "x" is not a count' --max-tables x "$dir/t20.wasm"

# (module (memory 2)): refused before its 8 GiB reservation is made (which
# the address-space cap would not allow anyway).
printf '\000asm\001\000\000\000\005\003\001\000\002' >"$dir/mem2.wasm"
expect_refusal 'memory size limit exceeded: a memory of 131072 bytes is over the limit of 65536 bytes per memory' \
  --max-memory-size 65536 "$dir/mem2.wasm"
expect_refusal 'memory limit exceeded: 131072 more bytes of linear memory would pass the store.s 65536' \
  --max-memory 65536 "$dir/mem2.wasm"
expect_refusal 'memories limit exceeded: 1 more would pass the store.s 0' \
  --max-memories 0 "$dir/mem2.wasm"

# --max-gc-heap takes a byte count; with --time the GC's figures follow
# (a module with no GC object: all zero).
expect_refusal '--max-gc-heap: "2G" is not a byte count' --max-gc-heap 2G "$dir/mem2.wasm"
printf '\000asm\001\000\000\000' >"$dir/empty.wasm"
"$wrun" --max-gc-heap 1048576 --time "$dir/empty.wasm" 2>"$dir/err" ||
  fail "wrun --max-gc-heap 1048576 --time: exit status $?"
grep -q '^wrun: gc collections 0 total_pause_ns 0 max_pause_ns 0 allocated_bytes 0 ' "$dir/err" ||
  fail "wrun --time: no gc figures"
echo "ok: --max-gc-heap, and the gc figures with --time"
