;; For exception.sh: catch(x) = x + 100 through a legacy try/catch;
;; uncaught(x) throws $e with payload x to the host.
(module
  (tag $e (param i32))
  (func $thrower (param i32) (throw $e (local.get 0)))
  (func (export "catch") (param i32) (result i32)
    (try (result i32)
      (do (call $thrower (local.get 0)) (i32.const 0))
      (catch $e (i32.add (i32.const 100)))))
  (func (export "uncaught") (param i32) (result i32)
    (call $thrower (local.get 0)) (i32.const 1)))
