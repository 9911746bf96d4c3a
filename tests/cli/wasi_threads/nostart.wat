;; wasi-threads: a module that imports thread-spawn but exports no
;; wasi_thread_start; a spawn must fail with -1 (the result printed).
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "env" "memory" (memory 1 1 shared))
  (func (export "spawn") (result i32) (call $spawn (i32.const 0))))
