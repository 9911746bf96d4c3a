(module
  (table $t (export "t") 2 externref)
  (global (export "g") (mut externref) (ref.null extern))
  (func (export "id") (param externref) (result externref) local.get 0)
  (func (export "put") (param i32 externref) (table.set $t (local.get 0) (local.get 1)))
  (func (export "take") (param i32) (result externref) (table.get $t (local.get 0))))
