;; test_tail.c: tail calls to host functions.
(module
  (import "host" "pair" (func $pair (param i32 i64) (result i64 i32 f64)))
  (import "host" "refuel" (func $refuel (param i32) (result i32)))
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  ;; the host's results are the tail caller's
  (func $to_pair (export "to_pair") (param i32) (result i64 i32 f64)
    (return_call $pair (local.get 0) (i64.const 40)))
  ;; a direct caller of $to_pair has its own memory and globals after it
  (func (export "after_pair") (param i32) (result i64)
    (i32.store (i32.const 8) (i32.const 77))
    (global.set $g (i32.const 5))
    (call $to_pair (local.get 0))
    (drop)
    (drop)
    (i64.add (i64.extend_i32_u (i32.add (i32.load (i32.const 8))
                                        (global.get $g)))))
  ;; through the table too
  (table 2 funcref)
  (elem (i32.const 0) func $pair $spin)
  (func (export "to_pair_indirect") (param i32) (result i64 i32 f64)
    (return_call_indirect (param i32 i64) (result i64 i32 f64)
      (local.get 0) (i64.const 50) (i32.const 0)))
  ;; fuel: costs 2 (local.get, return_call) before the host sets the fuel
  (func $via_refuel (param i32) (result i32)
    (return_call $refuel (local.get 0)))
  ;; 2 (i32.const, call), then the host, then 2 (i32.const, i32.add):
  ;; what the host set minus 2 is left
  (func (export "fuel_after_host") (result i32)
    (call $via_refuel (i32.const 1))
    (i32.const 1)
    (i32.add))
;; never ends on its own: tail calls, direct and through the table,
  ;; for wrun_store_interrupt
  (func $spin (export "spin") (param i64) (result i64)
    (return_call $spin_on (i64.add (local.get 0) (i64.const 1))))
  (func $spin_on (param i64) (result i64)
    (return_call_indirect (param i64) (result i64) (local.get 0)
      (i32.const 1)))
)
