(module
  (memory (export "mem") 1 3)
  (data (i32.const 0) "\01\02")
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "size") (result i32) memory.size))
