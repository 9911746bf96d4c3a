;; For test_serialize.c: a module whose code uses what a serialized module
;; must carry across: a host import, a table of functions called through
;; call_indirect (interned type ids), traps deep in a call (trap table,
;; frames), a legacy try/catch (unwind table), SIMD, memory and table
;; libcalls (C function addresses).
(module $ser
  (import "host" "twice" (func $twice (param i32) (result i32)))
  (type $ii (func (param i32) (result i32)))
  (memory (export "mem") 1 4)
  (table $t 4 funcref)
  (elem (table $t) (i32.const 0) func $inc $dbl $twice)
  (tag $e (param i32))
  (global (export "g") (mut i32) (i32.const 5))
  (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
  (func $dbl (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect $t (type $ii) (local.get 1) (local.get 0)))
  (func (export "call_host") (param i32) (result i32)
    (call $twice (local.get 0)))
  (func $deep (param i32) (result i32)
    (i32.div_s (i32.const 1) (local.get 0)))
  (func (export "div") (param i32) (result i32) (call $deep (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "boom") unreachable)
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func (export "catch") (param i32) (result i32)
    (try (result i32)
      (do (call $thrower (local.get 0)) (i32.const 0))
      (catch $e (i32.add (i32.const 100)))))
  (func (export "uncaught") (param i32) (call $thrower (local.get 0)))
  (func (export "simd") (param i32) (result i32)
    (i32x4.extract_lane 3
      (i32x4.add (i32x4.splat (local.get 0)) (v128.const i32x4 1 2 3 4))))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "fill") (param i32 i32 i32)
    (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "tsize") (result i32) (table.size $t)))
