(module
  (func $swap (import "env" "swap") (param i32 i64 f64) (result f64 i64 i32))
  (func (export "run") (param i32 i64 f64) (result f64 i64 i32)
    (call $swap (local.get 0) (local.get 1) (local.get 2)))
  (func (export "pair") (result i32 i32 i64) i32.const 1 i32.const 2 i64.const -3))
