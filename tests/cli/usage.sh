#!/bin/sh
# The command line as a user meets it, side by side with wasmtime run:
# --help of every subcommand (exit 0, on stdout), one-line errors with a
# hint for an unknown option, a missing module, a mistyped command and a
# directory; the --name=value forms of options; the shortest round-trip
# printing of float results (10, 3000, 0.1, nan:0x... for non-canonical
# NaNs); --version with the commit and the features.
#
#   usage.sh WRUN FLOATS.wasm (tests/cli/floats.wat)
set -u
wrun=$1
module=$2
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

for sub in run validate compile wast; do
  run "$sub" --help
  [ $? -eq 0 ] || fail "wrun $sub --help: exit status not 0"
  grep -q "usage: wrun" "$out" || fail "wrun $sub --help: no usage on stdout"
done

# errors: exit status 1, one line naming the problem and where to look
one_line_error() { # WANT ARGS...
  want=$1
  shift
  run "$@"
  status=$?
  [ "$status" -eq 1 ] || fail "wrun $*: exit status $status, expected 1"
  [ "$(wc -l <"$err")" -eq 1 ] || fail "wrun $*: not a one-line error"
  grep -qF "$want" "$err" || fail "wrun $*: no '$want'"
}
one_line_error "unknown option --frob (see wrun --help)" --frob "$module"
one_line_error "no module given (see wrun --help)" --invoke f
one_line_error "frobnicate: no such command or file (commands: run," \
  frobnicate
one_line_error "$tmp: is a directory, not a module" "$tmp"
one_line_error "no-such.wasm: cannot read: No such file or directory" \
  no-such.wasm

# --name=value and --name value are the same
mkdir "$tmp/data"
for form in "--max-memory=131072 --fuel=1000 --timeout=5 --dir=$tmp/data::/ --env=A=B" \
            "--max-memory 131072 --fuel 1000 --timeout 5 --dir $tmp/data::/ --env A=B"; do
  # shellcheck disable=SC2086 # the options of the form, split
  run $form --invoke f64_10 "$module"
  [ $? -eq 0 ] && [ "$(cat "$out")" = 10 ] || fail "options $form"
done

# each float result as wasmtime prints it
expect_value() { # EXPORT WANT
  run --invoke "$1" "$module"
  [ $? -eq 0 ] || fail "--invoke $1: exit status not 0"
  [ "$(cat "$out")" = "$2" ] || fail "--invoke $1: '$(cat "$out")', not '$2'"
}
expect_value f64_10 10
expect_value f64_3000 3000
expect_value f32_tenth 0.1
expect_value f64_tenth 0.1
expect_value f64_third 0.3333333333333333
expect_value f32_big 1e+30
expect_value f64_tiny 1e-300
expect_value f64_neg_zero -0
expect_value f32_nan nan
expect_value f32_payload nan:0x400001
expect_value f64_neg_payload -nan:0x1
expect_value f64_inf inf

run --version
[ $? -eq 0 ] || fail "--version: exit status not 0"
grep -Eq '^wrun [0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-f]+' "$out" ||
  fail "--version: no version and commit"
grep -q "3.0" "$out" && grep -q "wasi: preview1" "$out" ||
  fail "--version: no features"
echo "usage.sh: ok"
