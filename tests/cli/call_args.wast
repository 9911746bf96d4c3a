;; The first three i32/i64 arguments of a wasm call travel in registers as
;; well as in their slots (jit_target.arg_gpr; docs/design-notes.md, "Wasm
;; arguments travel in the caller's outgoing area, the first integers in
;; registers too"). Each case below makes the caller's parallel move or the
;; callee's cached parameters do something that could go wrong: arguments
;; that are the caller's own parameters in swapped or rotated registers (a
;; cycle), one register for two arguments, constants, spilled values,
;; integer arguments after float ones and past the third, a funcref operand
;; in an argument register, tail calls, imports, calls from the host. (A
;; non-final type's call_indirect, with its subtype libcall, and call_ref
;; are the 3.0 suite's: this wabt has no text syntax for them.) Run by call_args.sh
;; with signal-based traps, without them and with fuel, on both ISAs.
(module $lib
  (func (export "sub3") (param i32 i64 i32) (result i64)
    (i64.sub (i64.extend_i32_u (local.get 0))
             (i64.add (local.get 1) (i64.extend_i32_u (local.get 2)))))
)
(register "lib" $lib)

(module
  (import "lib" "sub3" (func $imported_sub3 (param i32 i64 i32) (result i64)))
  (type $ii_i (func (param i32 i32) (result i32)))
  (type $lll_l (func (param i64 i64 i64) (result i64)))
  (table $t 8 funcref)
  (elem (table $t) (i32.const 0) func $diff $poly $sum_after_floats)

  (func $diff (type $ii_i) (i32.sub (local.get 0) (local.get 1)))
  ;; a*1 + b*10 + c*100, so that an argument in the wrong place shows
  (func $poly (type $lll_l)
    (i64.add (local.get 0)
      (i64.add (i64.mul (local.get 1) (i64.const 10))
               (i64.mul (local.get 2) (i64.const 100)))))
  (func $sub3 (param i32 i64 i32) (result i64)
    (i64.sub (i64.extend_i32_u (local.get 0))
             (i64.add (local.get 1) (i64.extend_i32_u (local.get 2)))))
  ;; integers after floats, and a fourth one that travels only in memory
  (func $sum_after_floats
    (param f64 i32 f32 i64 i32 i64) (result i64)
    (i64.add
      (i64.add (i64.trunc_f64_s (local.get 0)) (i64.extend_i32_u (local.get 1)))
      (i64.add
        (i64.add (i64.trunc_f32_s (local.get 2)) (i64.mul (local.get 3) (i64.const 10)))
        (i64.add (i64.mul (i64.extend_i32_u (local.get 4)) (i64.const 100))
                 (i64.mul (local.get 5) (i64.const 1000))))))

  (func (export "swap") (param i32 i32) (result i32)
    (call $diff (local.get 1) (local.get 0)))
  (func (export "rotate") (param i64 i64 i64) (result i64)
    (call $poly (local.get 1) (local.get 2) (local.get 0)))
  (func (export "same_twice") (param i32) (result i32)
    (i32.add (call $diff (local.get 0) (local.get 0)) (local.get 0)))
  (func (export "consts") (result i64)
    (call $poly (i64.const 1) (i64.const 2) (i64.const 3)))
  (func (export "computed") (param i64 i64) (result i64)
    (call $poly (i64.add (local.get 1) (i64.const 1))
                (i64.mul (local.get 0) (i64.const 2))
                (local.get 0)))
  ;; the arguments' values outlive other values in registers: pressure
  ;; spills them before the call
  (func (export "spilled") (param i64) (result i64)
    (local $k i64)
    (local.set $k (i64.const 5))
    (i64.add
      (i64.add (i64.add (local.get 0) (local.get $k))
               (i64.add (local.get 0) (i64.const 7)))
      (call $poly
        (i64.add (local.get 0) (i64.const 1))
        (i64.add (local.get 0) (i64.const 2))
        (i64.add
          (i64.add (i64.add (i64.add (local.get 0) (i64.const 3))
                            (i64.add (local.get 0) (i64.const 4)))
                   (i64.add (i64.add (local.get 0) (i64.const 5))
                            (i64.add (local.get 0) (i64.const 6))))
          (i64.add (i64.add (i64.add (local.get 0) (i64.const 7))
                            (i64.add (local.get 0) (i64.const 8)))
                   (i64.add (i64.add (local.get 0) (i64.const 9))
                            (i64.add (local.get 0) (i64.const 10))))))))
  (func (export "after_floats") (param i32 i64) (result i64)
    (call $sum_after_floats (f64.const 1) (local.get 0) (f32.const 3)
                            (local.get 1) (i32.const 5) (i64.const 6)))
  ;; the callee after a call: its cached parameters are gone, the slots stay
  (func (export "param_after_call") (param i32 i32) (result i32)
    (i32.add (call $diff (local.get 1) (local.get 0))
             (i32.mul (local.get 0) (local.get 1))))
  ;; the table index is a parameter, cached in an argument register
  (func (export "indirect_swap") (param i32 i32 i32) (result i32)
    (call_indirect $t (type $ii_i) (local.get 2) (local.get 1) (local.get 0)))
  (func (export "indirect_rotate") (param i64 i64 i64) (result i64)
    (call_indirect $t (type $lll_l)
      (local.get 2) (local.get 0) (local.get 1) (i32.const 1)))
  (func (export "indirect_floats") (param i32 i64) (result i64)
    (call_indirect $t (param f64 i32 f32 i64 i32 i64) (result i64)
      (f64.const 2) (local.get 0) (f32.const 4) (local.get 1)
      (i32.const 7) (i64.const 8) (i32.const 2)))
  (func (export "imported") (param i32 i64 i32) (result i64)
    (call $imported_sub3 (local.get 2) (local.get 1) (local.get 0)))
  (func (export "local_sub3") (param i32 i64 i32) (result i64)
    (call $sub3 (local.get 2) (local.get 1) (local.get 0)))

  ;; tail calls: the same moves, then the frame goes
  (func (export "tail_swap") (param i32 i32) (result i32)
    (return_call $diff (local.get 1) (local.get 0)))
  (func (export "tail_rotate") (param i64 i64 i64) (result i64)
    (return_call $poly (local.get 2) (local.get 0) (local.get 1)))
  (func (export "tail_indirect") (param i32 i32 i32) (result i32)
    (return_call_indirect $t (type $ii_i) (local.get 1) (local.get 2) (local.get 0)))
  (func (export "tail_imported") (param i32 i64 i32) (result i64)
    (return_call $imported_sub3 (local.get 2) (local.get 1) (local.get 0)))
  ;; a tail call to a function with more arguments than we were given: the
  ;; fallback calls it from our frame
  (func (export "tail_wider") (param i32) (result i64)
    (return_call $sum_after_floats (f64.const 1) (local.get 0) (f32.const 2)
                                   (i64.const 3) (i32.const 4) (i64.const 5)))
  ;; a loop of tail calls rotating its three arguments: count down in the
  ;; first, add the second into the third
  (func $spin (export "spin") (param i64 i64 i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 2))
      (else (return_call $spin (i64.sub (local.get 0) (i64.const 1))
                               (i64.add (local.get 1) (i64.const 1))
                               (i64.add (local.get 2) (local.get 1))))))
  ;; recursion with its argument in a register at every level
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
)

(assert_return (invoke "swap" (i32.const 10) (i32.const 3)) (i32.const -7))
(assert_return (invoke "rotate" (i64.const 1) (i64.const 2) (i64.const 3))
               (i64.const 132))
(assert_return (invoke "same_twice" (i32.const 9)) (i32.const 9))
(assert_return (invoke "consts") (i64.const 321))
(assert_return (invoke "computed" (i64.const 4) (i64.const 6)) (i64.const 487))
(assert_return (invoke "spilled" (i64.const 1))
               (i64.const 6046))
(assert_return (invoke "after_floats" (i32.const 2) (i64.const 4))
               (i64.const 6546))
(assert_return (invoke "param_after_call" (i32.const 3) (i32.const 5))
               (i32.const 17))
(assert_return (invoke "indirect_swap" (i32.const 0) (i32.const 10) (i32.const 4))
               (i32.const -6))
(assert_return (invoke "indirect_rotate" (i64.const 1) (i64.const 2) (i64.const 3))
               (i64.const 213))
(assert_return (invoke "indirect_floats" (i32.const 5) (i64.const 6))
               (i64.const 8771))
(assert_return (invoke "imported" (i32.const 1) (i64.const 2) (i32.const 30))
               (i64.const 27))
(assert_return (invoke "local_sub3" (i32.const 1) (i64.const 2) (i32.const 30))
               (i64.const 27))
(assert_return (invoke "tail_swap" (i32.const 10) (i32.const 3)) (i32.const -7))
(assert_return (invoke "tail_rotate" (i64.const 1) (i64.const 2) (i64.const 3))
               (i64.const 213))
(assert_return (invoke "tail_indirect" (i32.const 0) (i32.const 10) (i32.const 4))
               (i32.const 6))
(assert_return (invoke "tail_imported" (i32.const 1) (i64.const 2) (i32.const 30))
               (i64.const 27))
(assert_return (invoke "tail_wider" (i32.const 7)) (i64.const 5440))
(assert_return (invoke "spin" (i64.const 100000) (i64.const 0) (i64.const 0))
               (i64.const 4999950000))
(assert_return (invoke "fib" (i32.const 20)) (i32.const 6765))
(assert_return (invoke "fib" (i32.const 1)) (i32.const 1))

;; Tail calls that pass a parameter on in its own slot skip its store (the
;; slot is current: locals are write-through) and, when no register holds
;; it, its load too (cg_passes_itself). Each step of $step folds its
;; arguments into an order-sensitive checksum, so an argument read from
;; the wrong place or a skipped store of a changed value shows. Positions
;; beyond the three integer argument registers and after a float are
;; passed on too; so is a parameter changed by local.set before the call,
;; one read by another position after its own slot was written, one
;; passed on after a call has cleared the registers, and through a table.
(module
  (type $step_t (func (param i32 i64 i32 f64 i32 i64) (result i64)))
  (table $t 1 funcref)
  (elem (table $t) (i32.const 0) func $step)
  (func $mix (param $h i64) (param $x i64) (result i64)
    (i64.add (i64.mul (local.get $h) (i64.const 31)) (local.get $x)))
  (func $sum (param $n i32) (param $a i64) (param $b i32) (param $c f64)
             (param $d i32) (param $e i64) (result i64)
    (call $mix (call $mix (call $mix (call $mix (call $mix (call $mix
      (i64.const 7) (i64.extend_i32_u (local.get $n))) (local.get $a))
      (i64.extend_i32_u (local.get $b))) (i64.trunc_f64_s (local.get $c)))
      (i64.extend_i32_u (local.get $d))) (local.get $e)))
  ;; all passed on as they are but the counter and $e
  (func $step (export "step") (type $step_t)
    (if (result i64) (i32.eqz (local.get 0))
      (then (return_call $sum (local.get 0) (local.get 1) (local.get 2)
                             (local.get 3) (local.get 4) (local.get 5)))
      (else (return_call $step (i32.sub (local.get 0) (i32.const 1))
                               (local.get 1) (local.get 2) (local.get 3)
                               (local.get 4)
                               (i64.add (local.get 5) (i64.const 3))))))
  ;; $b changed by local.set first: its slot holds the new value
  (func (export "set_then_pass") (type $step_t)
    (local.set 2 (i32.add (local.get 2) (i32.const 100)))
    (local.set 4 (i32.mul (local.get 4) (i32.const 3)))
    (return_call $step (local.get 0) (local.get 1) (local.get 2)
                       (local.get 3) (local.get 4) (local.get 5)))
  ;; $b to position 4 and $d to position 2 (a swap), the rest in place
  (func (export "swap_pass") (type $step_t)
    (return_call $step (local.get 0) (local.get 1) (local.get 4)
                       (local.get 3) (local.get 2) (local.get 5)))
  ;; position 0 takes $b, whose own slot (2) keeps it; position 2 takes
  ;; $n, whose slot position 0 has written over by then
  (func (export "cross_read") (type $step_t)
    (return_call $step (local.get 2) (local.get 1) (local.get 0)
                       (local.get 3) (local.get 4) (local.get 5)))
  ;; after a call no register holds any parameter
  (func (export "after_call") (type $step_t)
    (drop (call $mix (i64.const 1) (i64.const 2)))
    (return_call $step (local.get 0) (local.get 1) (local.get 2)
                       (local.get 3) (local.get 4) (local.get 5)))
  (func (export "through_table") (type $step_t)
    (return_call_indirect $t (type $step_t)
      (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)
      (local.get 5) (i32.const 0))))

(assert_return (invoke "step" (i32.const 0) (i64.const 5) (i32.const 6)
                              (f64.const 7.5) (i32.const 8) (i64.const 9))
               (i64.const 6217329102))
(assert_return (invoke "step" (i32.const 4) (i64.const 5) (i32.const 6)
                              (f64.const 7.5) (i32.const 8) (i64.const 9))
               (i64.const 6217329114))
(assert_return (invoke "set_then_pass" (i32.const 2) (i64.const 5)
                 (i32.const 6) (f64.const 7.5) (i32.const 8) (i64.const 9))
               (i64.const 6220308704))
(assert_return (invoke "swap_pass" (i32.const 2) (i64.const 5) (i32.const 6)
                              (f64.const 7.5) (i32.const 8) (i64.const 9))
               (i64.const 6217388628))
(assert_return (invoke "cross_read" (i32.const 2) (i64.const 5)
                 (i32.const 6) (f64.const 7.5) (i32.const 8) (i64.const 9))
               (i64.const 6217209956))
(assert_return (invoke "after_call" (i32.const 3) (i64.const 5)
                 (i32.const 6) (f64.const 7.5) (i32.const 8) (i64.const 9))
               (i64.const 6217329111))
(assert_return (invoke "through_table" (i32.const 3) (i64.const 5)
                 (i32.const 6) (f64.const 7.5) (i32.const 8) (i64.const 9))
               (i64.const 6217329111))
