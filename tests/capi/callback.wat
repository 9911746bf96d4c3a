(module
  (func $add (import "env" "add") (param i32 i32) (result i32))
  (func (export "run") (param i32) (result i32)
    (i32.add (call $add (local.get 0) (i32.const 10)) (i32.const 1))))
