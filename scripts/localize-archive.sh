#!/bin/sh
# localize-archive.sh IN.a OUT.a OBJCOPY CC...: the installed libwrun.a.
#
# The library is compiled with hidden visibility, which keeps internal
# names out of libwrun.so but not out of a static link: every global
# symbol of an archive member is visible to the host's linker, and a
# host's rt_* or wasi_* function would clash with ours. So the members are
# linked into one relocatable object (CC -r), whose hidden symbols objcopy
# then makes local; only the API (default visibility: wrun_*, wasm_*)
# stays global (tests/package/prefixes.sh checks it).
set -eu
in=$1 out=$2 objcopy=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
case $in in /*) ;; *) in=$PWD/$in ;; esac
if [ "$(head -c 7 "$in")" = "!<thin>" ]; then
  # A thin archive (meson's in-tree kind) lists its objects' paths,
  # relative to the archive.
  dir=$(dirname "$in")
  ar t "$in" | while read -r member; do
    case $member in /*) echo "$member" ;; *) echo "$dir/$member" ;; esac
  done >"$tmp/members"
else
  (cd "$tmp" && ar x "$in")
  ls "$tmp"/*.o >"$tmp/members"
fi
# shellcheck disable=SC2046 # one object path a line, no spaces (meson's)
"$@" -r -nostdlib -o "$tmp/wrun.o" $(cat "$tmp/members")
"$objcopy" --localize-hidden "$tmp/wrun.o"
rm -f "$out"
ar rcs "$out" "$tmp/wrun.o"
