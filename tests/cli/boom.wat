;; tests/cli/gdb.sh: a trap two named wasm frames deep.
(module $gdbmod
  (func $boom (unreachable))
  (func $mid (export "mid") (call $boom)))
