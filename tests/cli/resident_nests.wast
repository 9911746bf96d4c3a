;; Loop-resident locals in loop nests (jit/codegen_resident.c): the
;; outermost loop that qualifies keeps its residents through its inner
;; loops. Each function leaves an inner loop in a way that must keep them
;; (a branch to a block or loop head inside the resident loop), or must
;; store them (falling out of the nest, a branch from an inner loop to
;; outside it), or must not need to (return); some nests are too large for
;; the budgets, or call inside, and must come out the same. Expected
;; values from wabt's spectest-interp. Run by wast_modes.sh on x86-64 and
;; AArch64.
(module
  (memory 1)
  ;; Called after a nest, it clears the register cache: what follows reads
  ;; the locals from their slots, which the exit must have stored.
  (func $twice (param i32) (result i32) (i32.add (local.get 0) (local.get 0)))

  ;; a 2-deep nest falling out of both ends; all four locals read after
  (func (export "nest_sum") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $s i32) (local $t i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (local.get $i))))
      (local.set $t (i32.add (local.get $t) (local.get $j)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (drop (call $twice (i32.const 0)))
    (i32.add (i32.add (i32.mul (local.get $s) (i32.const 1000)) (local.get $t))
             (i32.add (i32.mul (local.get $i) (i32.const 1000000)) (local.get $j))))

  ;; the inner loop leaves the whole nest by br_if, mid-body
  (func (export "inner_exits_nest") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $s i32)
    (block $out
      (loop $outer
        (local.set $j (i32.const 0))
        (loop $inner
          (local.set $s (i32.add (local.get $s) (i32.add (local.get $i) (local.get $j))))
          (br_if $out (i32.ge_u (local.get $s) (local.get $n)))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $inner (i32.lt_u (local.get $j) (i32.const 5))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (drop (call $twice (i32.const 0)))
    (i32.add (i32.mul (i32.add (i32.mul (local.get $i) (i32.const 10)) (local.get $j))
                      (i32.const 100000))
             (local.get $s)))

  ;; the inner loop goes straight to the outer head (a `continue` of the
  ;; outer loop), and to a block inside the outer loop
  (func (export "inner_continues_outer") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $s i32) (local $odd i32)
    (loop $outer
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $j (i32.const 0))
      (block $skip
        (loop $inner
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (local.set $s (i32.add (local.get $s) (local.get $j)))
          ;; odd i: back to the outer head, skipping the tail
          (if (i32.and (local.get $i) (i32.const 1))
            (then
              (local.set $odd (i32.add (local.get $odd) (i32.const 1)))
              (br_if $outer (i32.lt_u (local.get $i) (local.get $n)))))
          (br_if $skip (i32.gt_u (local.get $j) (i32.const 3)))
          (br $inner)))
      (local.set $s (i32.add (local.get $s) (i32.const 100)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (drop (call $twice (i32.const 0)))
    (i32.add (i32.add (i32.mul (local.get $s) (i32.const 100)) (local.get $odd))
             (i32.mul (local.get $i) (i32.const 100000000))))

  ;; two inner loops side by side write the same locals
  (func (export "siblings") (param $n i32) (result i32)
    (local $i i32) (local $k i32) (local $a i32) (local $b i32)
    (loop $outer
      (local.set $k (i32.const 0))
      (loop $up
        (local.set $a (i32.add (local.get $a) (local.get $k)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $up (i32.lt_u (local.get $k) (local.get $i))))
      (loop $down
        (local.set $b (i32.add (local.get $b) (i32.mul (local.get $k) (i32.const 3))))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (br_if $down (i32.gt_s (local.get $k) (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (drop (call $twice (i32.const 0)))
    (i32.add (i32.mul (local.get $a) (i32.const 100000))
             (i32.add (i32.mul (local.get $b) (i32.const 10)) (local.get $k))))

  ;; returns from the innermost of three loops, with a value computed from
  ;; residents of all three levels
  (func (export "triple_return") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $k i32) (local $s i32)
    (loop $l1
      (local.set $j (i32.const 0))
      (loop $l2
        (local.set $k (i32.const 0))
        (loop $l3
          (local.set $s (i32.add (local.get $s) (i32.xor (local.get $i) (i32.add (local.get $j) (local.get $k)))))
          (if (i32.gt_u (local.get $s) (local.get $n))
            (then (return (i32.add (i32.mul (local.get $s) (i32.const 1000))
                                   (i32.add (i32.mul (local.get $i) (i32.const 100))
                                            (i32.add (i32.mul (local.get $j) (i32.const 10))
                                                     (local.get $k)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $l3 (i32.lt_u (local.get $k) (i32.const 4))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $l2 (i32.lt_u (local.get $j) (i32.const 4))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l1))
    (i32.const -1))

  ;; a sieve: byte loads and stores in the inner loop, the outer loop's
  ;; locals read there; the count read after the nest
  (func (export "sieve") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $count i32)
    (memory.fill (i32.const 0) (i32.const 0) (local.get $n))
    (local.set $i (i32.const 2))
    (loop $outer
      (if (i32.eqz (i32.load8_u (local.get $i)))
        (then
          (local.set $count (i32.add (local.get $count) (i32.const 1)))
          (local.set $j (i32.add (local.get $i) (local.get $i)))
          (block $done
            (loop $mark
              (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
              (i32.store8 (local.get $j) (i32.const 1))
              (local.set $j (i32.add (local.get $j) (local.get $i)))
              (br $mark)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (drop (call $twice (i32.const 0)))
    (i32.add (i32.mul (local.get $count) (i32.const 100000)) (local.get $j)))

  ;; more locals in the inner loop than the budgets hold: the nest is not
  ;; resident, the inner loop may be
  (func (export "crowded") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $a i32) (local $b i32) (local $c i32)
    (local $d i32) (local $e i32) (local $f i32) (local $g i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $a (i32.add (local.get $a) (local.get $j)))
        (local.set $b (i32.xor (local.get $b) (local.get $a)))
        (local.set $c (i32.add (local.get $c) (local.get $b)))
        (local.set $d (i32.sub (local.get $d) (local.get $c)))
        (local.set $e (i32.add (local.get $e) (i32.rotl (local.get $d) (i32.const 3))))
        (local.set $f (i32.xor (local.get $f) (local.get $e)))
        (local.set $g (i32.add (local.get $g) (i32.mul (local.get $f) (local.get $i))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (i32.const 7))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (drop (call $twice (i32.const 0)))
    (i32.xor (i32.xor (i32.add (local.get $a) (local.get $b)) (i32.add (local.get $c) (local.get $d)))
             (i32.xor (i32.add (local.get $e) (local.get $f))
                      (i32.add (local.get $g) (i32.mul (local.get $i) (local.get $j))))))

  ;; f64 and i64 residents across the nest, the inner loop leaving it
  ;; through br_table: round again, to the outer loop's tail, or out
  (func (export "mixed") (param $n i32) (result f64)
    (local $i i32) (local $j i32) (local $x f64) (local $y i64)
    (block $out
      (loop $outer
        (block $tail
          (local.set $j (i32.const 0))
          (loop $inner
            (local.set $x (f64.add (local.get $x) (f64.convert_i32_u (i32.mul (local.get $i) (local.get $j)))))
            (local.set $y (i64.add (local.get $y) (i64.extend_i32_u (local.get $j))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br_table $inner $tail $out
              (select (i32.const 0)
                      (select (i32.const 2) (i32.const 1) (i32.eq (local.get $i) (local.get $n)))
                      (i32.lt_u (local.get $j) (i32.const 3)))))
          (unreachable))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $x (f64.mul (local.get $x) (f64.const 0.5)))
        (br $outer)))
    (drop (call $twice (i32.const 0)))
    (f64.add (f64.add (local.get $x) (f64.convert_i64_u (i64.mul (local.get $y) (i64.const 1000))))
             (f64.convert_i32_u (i32.add (i32.mul (local.get $i) (i32.const 10)) (local.get $j)))))

  ;; a call in the inner loop: neither loop is resident
  (func (export "calls_inside") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $s i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $s (i32.add (local.get $s) (call $twice (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (i32.mul (local.get $s) (i32.const 1000)) (local.get $i)))
)

(assert_return (invoke "nest_sum" (i32.const 0)) (i32.const 1000002))
(assert_return (invoke "nest_sum" (i32.const 1)) (i32.const 1000002))
(assert_return (invoke "nest_sum" (i32.const 10)) (i32.const 10870055))
(assert_return (invoke "inner_exits_nest" (i32.const 1)) (i32.const 100001))
(assert_return (invoke "inner_exits_nest" (i32.const 57)) (i32.const 3200057))
(assert_return (invoke "inner_exits_nest" (i32.const 300)) (i32.const 9200300))
(assert_return (invoke "inner_continues_outer" (i32.const 1)) (i32.const 100011004))
(assert_return (invoke "inner_continues_outer" (i32.const 9)) (i32.const 900055408))
(assert_return (invoke "siblings" (i32.const 1)) (i32.const 30))
(assert_return (invoke "siblings" (i32.const 7)) (i32.const 3501710))
(assert_return (invoke "triple_return" (i32.const 0)) (i32.const 1001))
(assert_return (invoke "triple_return" (i32.const 40)) (i32.const 42032))
(assert_return (invoke "triple_return" (i32.const 300)) (i32.const 303520))
(assert_return (invoke "sieve" (i32.const 100)) (i32.const 2500194))
(assert_return (invoke "sieve" (i32.const 1000)) (i32.const 16801994))
(assert_return (invoke "crowded" (i32.const 1)) (i32.const 503))
(assert_return (invoke "crowded" (i32.const 9)) (i32.const -284499213))
(assert_return (invoke "mixed" (i32.const 0)) (f64.const 3003.000000))
(assert_return (invoke "mixed" (i32.const 3)) (f64.const 12045.750000))
(assert_return (invoke "calls_inside" (i32.const 1)) (i32.const 1))
(assert_return (invoke "calls_inside" (i32.const 12)) (i32.const 440012))
