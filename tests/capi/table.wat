(module
  (type $i (func (result i32)))
  (table (export "t") 2 6 funcref)
  (func $seven (result i32) i32.const 7)
  (elem (i32.const 0) $seven)
  (func (export "call") (param i32) (result i32)
    (call_indirect (type $i) (local.get 0))))
