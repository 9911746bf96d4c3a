#!/usr/bin/env bash
# install.sh BUILD_ROOT HOST.c MODULE.wasm: installs the build into a staging
# directory inside BUILD_ROOT (meson install --destdir) and builds the host
# program against the installed files only, as a host outside the tree
# would, through pkg-config: once with the shared library, once with the
# static one (`pkg-config --static`); runs both.
#
# Environment: MESON (the meson command), CC (the C compiler), SANITIZE
# (the build's b_sanitize: a sanitized libwrun needs the same runtime in
# the host).
#
# The install keeps the build's prefix; pkg-config is pointed at the
# staged prefix with --define-variable=prefix (staging only: an installed
# libwrun needs just `pkg-config --cflags --libs wrun`).
set -euo pipefail
build=$(cd "${1:?usage: install.sh BUILD_ROOT HOST.c MODULE.wasm}" && pwd)
host_c=${2:?}
wasm=${3:?}
read -r -a meson <<< "${MESON:-meson}"
read -r -a cc <<< "${CC:-cc}"

work=$build/tests/package/install
rm -rf "$work"
mkdir -p "$work"
stage=$work/stage
fail() { echo "FAIL: $*"; exit 1; }

echo "--- meson install --destdir $stage"
"${meson[@]}" install -C "$build" --no-rebuild --quiet --destdir "$stage" \
  > "$work/install.log" 2>&1 || { cat "$work/install.log"; fail "meson install"; }

pc=$(find "$stage" -name wrun.pc -path '*/pkgconfig/*')
[ -n "$pc" ] || fail "no wrun.pc installed"
pcdir=$(dirname "$pc")
export PKG_CONFIG_PATH=$pcdir
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
prefix=$(pkg-config --variable=prefix wrun)
pkgconf() { pkg-config --define-variable=prefix="$stage$prefix" "$@" wrun; }
libdir=$(pkgconf --variable=libdir)
includedir=$(pkgconf --variable=includedir)
echo "wrun.pc (prefix $prefix):"
sed 's/^/  /' "$pc"

# What an embedder expects to find.
for f in "$includedir/wrun.h" "$includedir/wrun_wasi.h" "$libdir/libwrun.a" \
         "$libdir/libwrun.so" "$libdir/libwrun.so.0" \
         "$stage$prefix/bin/wrun" "$stage$prefix/share/man/man1/wrun.1"; do
  [ -e "$f" ] || fail "not installed: ${f#"$stage"}"
done
# The API's wasm.h goes with it once it is in the tree.
if [ -f "$(dirname "$0")/../../include/wasm.h" ]; then
  [ -e "$includedir/wasm.h" ] || fail "not installed: include/wasm.h"
fi
soname=$(readelf -d "$libdir/libwrun.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[ "$soname" = libwrun.so.0 ] || fail "SONAME is '$soname', not libwrun.so.0"
grep -qx 'Requires.private: libuv' "$pc" || fail "wrun.pc: no Requires.private: libuv"
grep -qx 'Libs.private: -luv -lm -lpthread' "$pc" ||
  fail "wrun.pc: Libs.private is not -luv -lm -lpthread"
"$stage$prefix/bin/wrun" --version

extra=()
if [ -n "${SANITIZE:-}" ] && [ "$SANITIZE" != none ]; then
  extra=(-fsanitize="$SANITIZE")
fi
warn=(-std=c11 -Wall -Wextra -Werror)

echo "--- shared: cc host.c \$(pkg-config --cflags --libs wrun)"
# shellcheck disable=SC2046 # pkg-config's flags are words
"${cc[@]}" "${warn[@]}" "${extra[@]}" "$host_c" -o "$work/host-shared" \
  $(pkgconf --cflags --libs) || fail "linking the shared host"
readelf -d "$work/host-shared" | grep -q 'NEEDED.*\[libwrun\.so\.0\]' ||
  fail "host-shared does not need libwrun.so.0"
LD_LIBRARY_PATH=$libdir "$work/host-shared" "$wasm" "$work/shared.out" ||
  fail "host-shared"

# The static link: with only libwrun.a installed (as a static-only build
# would install), -lwrun is the archive, and the host needs libwrun's
# private libraries, which only --static gives.
rm -f "$libdir"/libwrun.so*
echo "--- static, without --static: must fail to link (no libuv for wasi/)"
# shellcheck disable=SC2046
if "${cc[@]}" "${warn[@]}" "${extra[@]}" "$host_c" -o "$work/host-nostatic" \
     $(pkgconf --cflags --libs) > "$work/nostatic.log" 2>&1; then
  fail "linked libwrun.a without its private libraries: is -lwrun the archive?"
fi
grep -q 'undefined reference to .uv_' "$work/nostatic.log" ||
  { cat "$work/nostatic.log"; fail "the link without --static failed, but not for libuv"; }
echo "--- static: cc host.c \$(pkg-config --static --cflags --libs wrun)"
# shellcheck disable=SC2046
"${cc[@]}" "${warn[@]}" "${extra[@]}" "$host_c" -o "$work/host-static" \
  $(pkgconf --static --cflags --libs) || fail "linking the static host"
if readelf -d "$work/host-static" | grep -q 'NEEDED.*libwrun'; then
  fail "host-static needs a shared libwrun"
fi
"$work/host-static" "$wasm" "$work/static.out" || fail "host-static"
echo "package: installed, linked shared and static, both ran"
