;; Loop-resident locals (jit/codegen_resident.c): an innermost loop's
;; locals live in registers, their frame slots stale, and are stored where
;; the loop is left. Each function leaves its loop in one of the ways that
;; must store them (falling out of the end, br_if/br/br_table to an outer
;; block, a branch to an outer loop's head) or that must not need to
;; (return), or reads a local in a way the generator could get from a
;; stale slot (a copy on the value stack from before a local.set, a tee,
;; a binop computed into the resident's register). Expected values from
;; wabt's spectest-interp. Run by wast_modes.sh on x86-64 and AArch64.
(module
  (memory 1)
  (data (i32.const 52) "\64\00\00\00")
  (data (i32.const 100) "\c8\00\00\00\cc\00\00\00\d0\00\00\00\d4\00\00\00\d8\00\00\00\dc\00\00\00\e0\00\00\00\e4\00\00\00")
  (data (i32.const 200) "\00\00\00\00\01\00\00\00\02\00\00\00\03\00\00\00\04\00\00\00\05\00\00\00\06\00\00\00\07\00\00\00")
  (global $g (mut i32) (i32.const 0))
  ;; Called after a loop, it clears the register cache: what follows reads
  ;; the locals from their slots, which the exit must have stored.
  (func $twice (param i32) (result i32) (i32.add (local.get 0) (local.get 0)))

  ;; falls out of the loop's end; i and s read after it
  (func (export "sum_to") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (drop (call $twice (i32.const 0)))
    (i32.add (i32.mul (local.get $s) (i32.const 1000)) (local.get $i)))

  ;; leaves by br_if to the enclosing block, mid-body
  (func (export "exit_br_if") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (block $out
      (loop $l
        (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (local.get $i))))
        (br_if $out (i32.ge_u (local.get $s) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (drop (call $twice (i32.const 0)))
    (i32.add (i32.mul (local.get $i) (i32.const 100000)) (local.get $s)))

  ;; leaves with a value (the block's result) and the locals
  (func (export "exit_value") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (i32.add
      (block $out (result i32)
        (loop $l
          (local.set $s (i32.add (local.get $s) (i32.const 3)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $out (i32.mul (local.get $s) (i32.const 7))
                      (i32.eq (local.get $i) (local.get $n)))
          (br $l))
        (i32.const -1))
      (block (result i32)
        (drop (call $twice (i32.const 0)))
        (i32.add (i32.mul (local.get $i) (i32.const 1000)) (local.get $s)))))

  ;; leaves through br_table to one of two outer blocks, or goes round
  (func (export "exit_table") (param $n i32) (result i32)
    (local $i i32) (local $s i32) (local $r i32)
    (block $b
      (block $a
        (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $s (i32.add (local.get $s) (local.get $i)))
          (br_table $l $a $b
            (select (i32.const 0)
                    (i32.add (i32.const 1) (i32.and (local.get $i) (i32.const 1)))
                    (i32.lt_u (local.get $i) (local.get $n)))))
        )
      (local.set $r (i32.const 1)))
    (drop (call $twice (i32.const 0)))
    (i32.add (i32.add (i32.mul (local.get $r) (i32.const 1000000))
                      (i32.mul (local.get $i) (i32.const 1000)))
             (local.get $s)))

  ;; the inner loop branches to the outer loop's head (not resident)
  (func (export "outer_head") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $s i32)
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $j (i32.const 0))
        (loop $inner
          (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (local.get $j))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $outer (i32.ge_u (local.get $j) (local.get $i)))
          (br $inner))))
    (drop (call $twice (i32.const 0)))
    (i32.add (i32.mul (local.get $j) (i32.const 1000000)) (local.get $s)))

  ;; returns from inside the loop: nothing to store
  (func (export "return_inside") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.xor (i32.mul (local.get $s) (i32.const 31)) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (if (i32.eq (local.get $i) (local.get $n))
        (then (return (i32.add (local.get $s) (local.get $i)))))
      (br $l))
    (i32.const -1))

  ;; an old copy of x on the stack across x's update (the binop into x's
  ;; register must not run while the copy reads it)
  (func (export "old_copy") (param $n i32) (result i32)
    (local $x i32) (local $acc i32) (local $i i32)
    (local.set $x (i32.const 5))
    (loop $l
      (local.set $acc
        (i32.add (local.get $acc)
          (i32.sub
            (local.get $x)
            (block (result i32)
              (local.set $x (i32.add (local.get $x) (i32.const 3)))
              (local.get $x)))))
      (local.set $x (i32.mul (local.get $x) (local.get $x)))
      (local.set $x (i32.and (local.get $x) (i32.const 0xffff)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (i32.mul (local.get $acc) (i32.const 65536)) (local.get $x)))

  ;; copies of x on the stack while x is set: by a binop on x itself
  ;; (computed in x's register only with no other copy), and by one
  ;; whose operands are not x (computed into x's register likewise)
  (func (export "copy_across_set") (param $n i32) (result i32)
    (local $x i32) (local $i i32) (local $s i32)
    (local.set $x (i32.const 100))
    (loop $l
      local.get $x
      local.get $x
      i32.const 3
      i32.add
      local.set $x
      local.get $x
      i32.sub
      local.get $s
      i32.add
      local.set $s
      local.get $x
      local.get $i
      local.get $i
      i32.mul
      local.set $x
      local.get $s
      i32.add
      local.set $s
      local.get $i
      i32.const 1
      i32.add
      local.set $i
      local.get $i
      local.get $n
      i32.lt_u
      br_if $l)
    (i32.add (i32.mul (local.get $s) (i32.const 1000)) (local.get $x)))

  ;; x = x op x, tee chains and a tee's copy used after another set
  (func (export "tees") (param $n i32) (result i32)
    (local $x i32) (local $y i32) (local $i i32)
    (local.set $x (i32.const 1))
    (loop $l
      (local.set $x (i32.add (local.get $x) (local.get $x)))
      (local.set $y
        (i32.add (local.tee $x (i32.and (local.get $x) (i32.const 1023)))
                 (block (result i32)
                   (local.set $x (i32.add (local.get $x) (i32.const 1)))
                   (local.get $y))))
      (local.set $i (i32.add (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                             (i32.const 0)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (i32.mul (local.get $y) (i32.const 4096)) (local.get $x)))

  ;; if/else with a result (the merge register) inside the loop
  (func (export "if_result") (param $n i32) (result i32)
    (local $i i32) (local $s i32) (local $t i32)
    (loop $l
      (local.set $t
        (if (result i32) (i32.and (local.get $i) (i32.const 1))
          (then (i32.mul (local.get $i) (i32.const 3)))
          (else (i32.sub (local.get $s) (local.get $i)))))
      (local.set $s (i32.add (local.get $s) (local.get $t)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (drop (call $twice (i32.const 0)))
    (local.get $s))

  ;; more locals than registers: some resident, the others cached
  (func (export "many") (param $n i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32)
    (local $e i32) (local $f i32) (local $g i32) (local $h i32)
    (local $i i32)
    (loop $l
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (local.set $b (i32.add (local.get $b) (local.get $a)))
      (local.set $c (i32.xor (local.get $c) (local.get $b)))
      (local.set $d (i32.add (local.get $d) (i32.rotl (local.get $c) (i32.const 3))))
      (local.set $e (i32.sub (local.get $e) (local.get $d)))
      (local.set $f (i32.add (local.get $f) (i32.mul (local.get $e) (i32.const 7))))
      (local.set $g (i32.xor (local.get $g) (local.get $f)))
      (local.set $h (i32.add (local.get $h) (i32.shr_u (local.get $g) (i32.const 5))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (drop (call $twice (i32.const 0)))
    (i32.xor (i32.xor (i32.xor (local.get $a) (local.get $b))
                      (i32.xor (local.get $c) (local.get $d)))
             (i32.xor (i32.xor (local.get $e) (local.get $f))
                      (i32.xor (local.get $g) (local.get $h)))))

  ;; as many residents as the budget allows, and a body that needs every
  ;; other register at once: a deep expression, selects of registers,
  ;; stores of computed values at computed addresses
  (func (export "pressure") (param $n i32) (result i32)
    (local $a i32) (local $b i32) (local $c i32) (local $d i32)
    (local $e i32) (local $i i32)
    (loop $l
      (local.set $a (i32.add (local.get $a) (local.get $i)))
      (local.set $b (i32.xor (local.get $b) (local.get $a)))
      (local.set $c (i32.add (local.get $c) (i32.const 7)))
      (local.set $d (i32.sub (local.get $d) (local.get $b)))
      (local.set $e
        (i32.add
          (i32.add (i32.mul (i32.add (local.get $a) (i32.const 1)) (i32.add (local.get $b) (i32.const 2)))
                   (i32.mul (i32.add (local.get $c) (i32.const 3)) (i32.add (local.get $d) (i32.const 4))))
          (i32.add (i32.mul (i32.sub (local.get $a) (local.get $b)) (i32.sub (local.get $c) (local.get $d)))
                   (select (i32.mul (local.get $a) (local.get $c))
                           (i32.mul (local.get $b) (local.get $d))
                           (i32.and (local.get $i) (i32.const 1))))))
      (i32.store
        (i32.and (i32.add (i32.mul (local.get $a) (i32.const 4)) (local.get $c)) (i32.const 0xfffc))
        (select (i32.add (local.get $e) (local.get $d))
                (i32.sub (local.get $e) (local.get $c))
                (i32.lt_u (local.get $a) (local.get $b))))
      (i32.store16 offset=4
        (i32.and (local.get $b) (i32.const 0xfff8))
        (i32.add (i32.load (i32.and (local.get $d) (i32.const 0xfffc))) (local.get $e)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add
      (i32.xor (i32.xor (local.get $a) (local.get $b))
               (i32.xor (local.get $c) (i32.xor (local.get $d) (local.get $e))))
      (i32.load (i32.const 64))))

  ;; sqlite's shape (function 1635 of its 3.46.1 build): six locals in
  ;; the loop, three written, and in an `if` a select of a resident and
  ;; zero, into it, on a compare of a loaded value with a local not
  ;; resident, which holds five registers at once; the allocator frees a
  ;; read-only resident for it (cg_resident_release)
  (func (export "select_pressure") (param $n i32) (result i32)
    (local $i i32) (local $p i32) (local $q i32) (local $u i32) (local $v i32)
    (local.set $p (i32.const 0))
    (local.set $u (i32.const 46))
    (local.set $v (i32.const 3))
    (block $out
      (loop $l
        (br_if $out (i32.eq (local.get $i) (local.get $n)))
        (if (local.tee $q
              (i32.load (i32.add (i32.load offset=52 (local.get $p))
                                 (i32.shl (local.get $i) (i32.const 2)))))
          (then
            (local.set $u
              (select (local.get $u) (i32.const 0)
                      (i32.ne (i32.load (local.get $q)) (local.get $v))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (i32.add (i32.mul (local.get $u) (i32.const 1000))
             (i32.add (local.get $i) (local.get $q))))

  ;; i64 and f64 residents, select, a global and memory in the body
  (func (export "mixed") (param $n i32) (result i64)
    (local $i i32) (local $k i64) (local $x f64) (local $y f64)
    (local.set $x (f64.const 1.5))
    (loop $l
      (local.set $k (i64.add (i64.mul (local.get $k) (i64.const 6364136223846793005))
                             (i64.extend_i32_u (local.get $i))))
      (local.set $y (f64.add (local.get $y) (local.get $x)))
      (local.set $x (select (f64.mul (local.get $x) (f64.const 0.5))
                            (f64.add (local.get $x) (f64.const 1))
                            (i32.and (local.get $i) (i32.const 1))))
      (i64.store (i32.shl (i32.and (local.get $i) (i32.const 7)) (i32.const 3))
                 (local.get $k))
      (global.set $g (i32.add (global.get $g) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (drop (call $twice (i32.const 0)))
    (i64.add (i64.add (local.get $k) (i64.trunc_f64_s (f64.mul (local.get $y) (f64.const 1000))))
             (i64.add (i64.load (i32.const 8))
                      (i64.extend_i32_u (global.get $g)))))

  ;; a loop with params and a result, locals updated around its values
  (func (export "loop_values") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (i32.const 7)
    (loop $l (param i32) (result i32)
      (local.set $s (i32.add (local.get $s) (i32.const 2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (i32.add (local.get $s))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.mul (local.get $i) (local.get $s))
    (i32.add))

  ;; a division that traps mid-loop, and one that does not
  (func (export "div_loop") (param $n i32) (param $z i32) (result i32)
    (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s)
                             (i32.div_u (i32.const 1000) (i32.sub (local.get $z) (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))

  ;; a call in the body: no residents, the same answers
  (func (export "with_call") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (loop $l
      (local.set $s (i32.add (local.get $s) (call $twice (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s))

  ;; an unreachable arm and a back edge from nested blocks
  (func (export "nested_edges") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (block $out
      (loop $l
        (block $skip
          (block $inner
            (br_if $inner (i32.and (local.get $i) (i32.const 1)))
            (local.set $s (i32.add (local.get $s) (i32.const 10)))
            (br $skip))
          (local.set $s (i32.sub (local.get $s) (i32.const 1)))
          (if (i32.gt_u (local.get $i) (i32.const 1000000)) (then unreachable)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n)))
        (br $out)))
    (drop (call $twice (i32.const 0)))
    (i32.add (i32.mul (local.get $i) (i32.const 100000)) (local.get $s)))
)

(assert_return (invoke "select_pressure" (i32.const 3)) (i32.const 46211))
(assert_return (invoke "select_pressure" (i32.const 8)) (i32.const 236))
(assert_return (invoke "sum_to" (i32.const 10)) (i32.const 45010))
(assert_return (invoke "sum_to" (i32.const 0)) (i32.const 1))
(assert_return (invoke "exit_br_if" (i32.const 100)) (i32.const 700140))
(assert_return (invoke "exit_br_if" (i32.const 0)) (i32.const 0))
(assert_return (invoke "exit_value" (i32.const 5)) (i32.const 5120))
(assert_return (invoke "exit_table" (i32.const 6)) (i32.const 1006021))
(assert_return (invoke "exit_table" (i32.const 7)) (i32.const 7028))
(assert_return (invoke "outer_head" (i32.const 6)) (i32.const 6000175))
(assert_return (invoke "return_inside" (i32.const 9)) (i32.const -114485751))
(assert_return (invoke "old_copy" (i32.const 7)) (i32.const -1319536))
(assert_return (invoke "copy_across_set" (i32.const 6)) (i32.const 130025))
(assert_return (invoke "tees" (i32.const 12)) (i32.const 20857855))
(assert_return (invoke "if_result" (i32.const 20)) (i32.const 7121))
(assert_return (invoke "many" (i32.const 50)) (i32.const -843137062))
(assert_return (invoke "pressure" (i32.const 40)) (i32.const -4751198))
(assert_return (invoke "mixed" (i32.const 30)) (i64.const -3514374129632570846))
(assert_return (invoke "loop_values" (i32.const 4)) (i32.const 59))
(assert_return (invoke "div_loop" (i32.const 3) (i32.const 10)) (i32.const 336))
(assert_trap (invoke "div_loop" (i32.const 5) (i32.const 3)) "integer divide by zero")
(assert_return (invoke "with_call" (i32.const 10)) (i32.const 90))
(assert_return (invoke "nested_edges" (i32.const 9)) (i32.const 900046))
