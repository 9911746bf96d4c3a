;; The server case of bench/instantiate: a small module with one memory,
;; one table, a global and a few functions, instantiated afresh for each
;; request.
(module
  (memory 1)
  (table 4 funcref)
  (global $calls (mut i32) (i32.const 0))
  (data (i32.const 16) "request")
  (elem (i32.const 0) $double $square)
  (type $unop (func (param i32) (result i32)))
  (func $double (type $unop) (i32.shl (local.get 0) (i32.const 1)))
  (func $square (type $unop) (i32.mul (local.get 0) (local.get 0)))
  ;; handle(x) = double(x) + square(x) + the first byte of the data
  (func (export "handle") (param $x i32) (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (i32.store (i32.const 64) (local.get $x))
    (i32.add
      (i32.add
        (call_indirect (type $unop) (i32.load (i32.const 64)) (i32.const 0))
        (call_indirect (type $unop) (local.get $x) (i32.const 1)))
      (i32.load8_u (i32.const 16)))))
