(module
  (func $twice (import "env" "twice") (param i32) (result i32))
  (func (export "run") (param i32) (result i32)
    (i32.mul (call $twice (local.get 0)) (local.get 0))))
