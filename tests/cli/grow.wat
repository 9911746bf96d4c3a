;; tests/cli/bounds.sh: a memory to grow and read. grow(n) = memory.grow n;
;; load(a) = i32.load a.
(module
  (memory 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
