;; Tail calls (return_call, return_call_indirect) in loops long enough to
;; exhaust the 1 MiB wasm stack if they were ordinary calls: a frame costs
;; at least 16 bytes, so 1,000,000 of them need 16 MB. Used by tail.sh.
(module
  (type $i64_to_i32 (func (param i64) (result i32)))
  (type $vbig_t (func (param v128 i32 v128 i32 v128) (result i32)))
  (table $t 4 funcref)
  (elem (table $t) (i32.const 0) func $even_ind $odd_ind $spin $vbig)
  (memory 1)
  (global $g (mut i32) (i32.const 7))

  ;; even/odd, direct: even(n) = 1 when n is even
  (func $even (export "even") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (export "odd") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call $even (i64.sub (local.get 0) (i64.const 1))))))

  ;; the same through the table
  (func $even_ind (export "even_indirect") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call_indirect $t (type $i64_to_i32)
              (i64.sub (local.get 0) (i64.const 1)) (i32.const 1)))))
  (func $odd_ind (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call_indirect $t (type $i64_to_i32)
              (i64.sub (local.get 0) (i64.const 1)) (i32.const 0)))))

  ;; Many arguments, more than the caller has: few(n, acc) -> many(n-1,
  ;; acc, 1..18 and mixed types) -> few(n-1, acc + their sum). Each round
  ;; adds 171 + 19 (the f64 and f32) = 190, so few(n, 0) = 190 n.
  (func $few (export "few") (param $n i64) (param $acc i64) (result i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (local.get $acc))
      (else
        (return_call $many
          (i64.sub (local.get $n) (i64.const 1)) (local.get $acc)
          (i64.const 1) (i32.const 2) (i64.const 3) (i64.const 4)
          (i32.const 5) (i64.const 6) (i64.const 7) (i64.const 8)
          (i64.const 9) (i64.const 10) (i32.const 11) (i64.const 12)
          (i64.const 13) (i64.const 14) (i64.const 15) (i64.const 16)
          (i64.const 17) (i64.const 18) (f64.const 9.5) (f32.const 9.5)))))
  (func $many
    (param $n i64) (param $acc i64)
    (param i64 i32 i64 i64 i32 i64 i64 i64 i64 i64 i32 i64 i64 i64 i64 i64
           i64 i64 f64 f32)
    (result i64)
    (return_call $few (local.get $n)
      (i64.add (local.get $acc)
        (i64.add
          (i64.add
            (i64.add
              (i64.add (i64.add (local.get 2) (i64.extend_i32_u (local.get 3)))
                       (i64.add (local.get 4) (local.get 5)))
              (i64.add (i64.add (i64.extend_i32_u (local.get 6)) (local.get 7))
                       (i64.add (local.get 8) (local.get 9))))
            (i64.add
              (i64.add (i64.add (local.get 10) (local.get 11))
                       (i64.add (i64.extend_i32_u (local.get 12)) (local.get 13)))
              (i64.add (i64.add (local.get 14) (local.get 15))
                       (i64.add (local.get 16) (local.get 17)))))
          (i64.add
            (i64.add (local.get 18) (local.get 19))
            (i64.trunc_f64_s
              (f64.add (local.get 20) (f64.promote_f32 (local.get 21)))))))))

  ;; v128 arguments and results: vsum(n, v) adds (1, 2, 3, 4) n times,
  ;; through a function that takes its arguments in the other order
  (func $vsum (param $n i32) (param $v v128) (result v128)
    (if (result v128) (i32.eqz (local.get $n))
      (then (local.get $v))
      (else (return_call $vsum_swapped
              (i32x4.add (local.get $v) (v128.const i32x4 1 2 3 4))
              (i32.sub (local.get $n) (i32.const 1))))))
  (func $vsum_swapped (param $v v128) (param $n i32) (result v128)
    (return_call $vsum (local.get $n) (local.get $v)))
  ;; lane 3 of vsum(n, 0): 4 n
  (func (export "vsum_lane3") (param i32) (result i32)
    (i32x4.extract_lane 3 (call $vsum (local.get 0) (v128.const i64x2 0 0))))

  ;; v128 arguments through the table, more than the caller has (the
  ;; capacity check): vsmall(n, acc) -> vbig(3 vectors, n, acc) ->
  ;; vsmall(n - 1, acc + 444), so vsmall(n, 0) = 444 n
  (func $vsmall (export "vsmall") (param $n i32) (param $acc i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call_indirect $t (type $vbig_t)
              (v128.const i32x4 1 2 3 4) (local.get $n)
              (v128.const i32x4 10 20 30 40) (local.get $acc)
              (v128.const i32x4 100 200 300 400) (i32.const 3)))))
  (func $vbig (type $vbig_t)
    (return_call $vsmall (i32.sub (local.get 1) (i32.const 1))
      (i32.add (local.get 3)
        (i32x4.extract_lane 3
          (i32x4.add (i32x4.add (local.get 0) (local.get 2))
                     (local.get 4))))))

  ;; Several results: rot(n, a, b, c) rotates (a, b, c) n times, through
  ;; a tail call whose results come back in the caller's outgoing area
  (func $rot (export "rot") (param $n i32) (param $a i64) (param $b f64)
             (param $c i32) (result i64 f64 i32)
    (if (result i64 f64 i32) (i32.eqz (local.get $n))
      (then (local.get $a) (local.get $b) (local.get $c))
      (else (return_call $rot_step (local.get $n) (local.get $a)
                                   (local.get $b) (local.get $c)))))
  (func $rot_step (param $n i32) (param $a i64) (param $b f64)
                  (param $c i32) (result i64 f64 i32)
    (return_call $rot (i32.sub (local.get $n) (i32.const 1))
      (i64.extend_i32_u (local.get $c))
      (f64.convert_i64_s (local.get $a))
      (i32.trunc_f64_s (local.get $b))))

  ;; A tail call inside an ordinary call: the caller still sees its own
  ;; memory and globals afterwards
  (func $store_and_count (param i64) (result i32)
    (i32.store (i32.const 16) (i32.const 1234))
    (return_call $even (local.get 0)))
  (func (export "call_then_memory") (result i32)
    (drop (call $store_and_count (i64.const 1001)))
    (i32.add (i32.load (i32.const 16)) (global.get $g)))

  ;; Never ends: for --timeout and --fuel
  (func $spin (export "spin") (param i64) (result i32)
    (return_call $spin2 (i64.add (local.get 0) (i64.const 1))))
  (func $spin2 (param i64) (result i32)
    (return_call_indirect $t (type $i64_to_i32) (local.get 0) (i32.const 2)))

  ;; A trap three tail calls deep, under an ordinary call: the backtrace
  ;; shows the function that trapped and the caller, not the replaced ones
  (func $boom (param i32) (result i32)
    (i32.div_u (i32.const 1) (local.get 0)))
  (func $via2 (param i32) (result i32) (return_call $boom (local.get 0)))
  (func $via1 (param i32) (result i32) (return_call $via2 (local.get 0)))
  (func $outer (export "trap_deep") (param i32) (result i32)
    (i32.add (call $via1 (local.get 0)) (i32.const 1)))
)
