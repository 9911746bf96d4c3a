(module
  (global $g (import "env" "g") (mut i32))
  (global (export "c") i64 (i64.const 42))
  (global (export "v") (mut f32) (f32.const 1.5))
  (func (export "get") (result i32) global.get $g)
  (func (export "set") (param i32) (global.set $g (local.get 0))))
