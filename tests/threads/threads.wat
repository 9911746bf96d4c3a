;; The module of threads.c, trap_storm.c and short_lived.c: one export per
;; kind of trap, a plain function and an infinite loop for the interrupt.
(module
  (memory 1)
  ;; a fault in the guard region (SIGSEGV)
  (func (export "oob") (result i32) (i32.load (i32.const 0x7ffffff0)))
  ;; x86-64 idiv: SIGFPE; AArch64: an explicit check and udf (SIGILL)
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
