#!/bin/sh
# Compares two sets of code dumps (WRUN_DUMP_CODE=DIR) made by the same
# sequence of wrun runs, e.g. before and after a compiler change that must
# not change the generated code:
#
#   WRUN_DUMP_CODE=a setarch -R old/wrun --invoke run k.wasm 1   # ...
#   WRUN_DUMP_CODE=b setarch -R new/wrun --invoke run k.wasm 1   # same runs
#   scripts/compare-code-dumps.sh a b
#
# Dumps are paired in run order (pid, then sequence number). A pair counts
# as the same when the bytes are, or when the x86-64 disassembly is once
# 64-bit immediates that look like host addresses (libcalls: they move
# whenever the library changes; setarch -R keeps them fixed between runs of
# one binary) are masked. Exit status 1 if any pair really differs.
set -u
[ $# -eq 2 ] || { echo "usage: $0 DUMP_DIR_A DUMP_DIR_B" >&2; exit 2; }

in_run_order() {
  ls "$1"/wrun-*.bin | sed 's/.*wrun-\([0-9]*\)-\([0-9]*\)\.bin$/\1 \2 &/' |
    sort -n -k1,1 -k2,2 | cut -d' ' -f3
}
disassembly() {
  objdump -D -b binary -mi386:x86-64 "$1" | tail -n +8 | cut -f3 |
    sed -E 's/\$0x(5555|7f)[0-9a-f]{8,}/$HOST/'
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
in_run_order "$1" > "$tmp/a"
in_run_order "$2" > "$tmp/b"
if [ "$(wc -l < "$tmp/a")" -ne "$(wc -l < "$tmp/b")" ]; then
  echo "different numbers of dumps: $(wc -l < "$tmp/a") and $(wc -l < "$tmp/b")"
  exit 1
fi
same=0 masked=0 differ=0
paste -d' ' "$tmp/a" "$tmp/b" > "$tmp/pairs"
while read -r a b; do
  if cmp -s "$a" "$b"; then
    same=$((same + 1))
  elif [ "$(disassembly "$a")" = "$(disassembly "$b")" ]; then
    masked=$((masked + 1))
  else
    differ=$((differ + 1))
    echo "differ: $a $b"
  fi
done < "$tmp/pairs"
echo "$same identical, $masked identical but for host addresses, $differ differ"
[ "$differ" -eq 0 ]
