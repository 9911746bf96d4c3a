;; For wrun --fuel (fuel.sh): count(n) costs 8n + 4 fuel, spin never ends.
(module
  (func (export "count") (param $n i32) (result i32)
    (block $done
      (loop $top
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $top)))
    local.get $n)
  (func (export "spin") (loop (br 0))))
