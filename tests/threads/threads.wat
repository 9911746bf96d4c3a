;; The module of threads.c, trap_storm.c and short_lived.c: one export per
;; kind of trap, a plain function and an infinite loop for the interrupt.
;; The signals named are those of the default signals-based traps; without
;; them (trap_storm --no-signals) every trap is a call into the runtime.
(module
  (memory 1)
  ;; a fault in the guard region (SIGSEGV)
  (func (export "oob") (result i32) (i32.load (i32.const 0x7ffffff0)))
  ;; an explicit check of the divisor and ud2/udf (SIGILL)
  (func (export "div") (param i32) (result i32)
    (i32.div_s (i32.const 1) (local.get 0)))
  ;; ud2 / udf (SIGILL)
  (func (export "unreachable") unreachable)
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "spin") (loop (br 0)))
  ;; the prologue's stack check, once the wasm stack is used up
  (func $recurse (export "recurse") (param i32) (result i32)
    (call $recurse (i32.add (local.get 0) (i32.const 1)))))
