;; tests/threads/engine_linker.c: a module importing one host function of
;; an engine linker; run(x) = add(x, 5).
(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (func (export "run") (param i32) (result i32)
    (call $add (local.get 0) (i32.const 5))))
