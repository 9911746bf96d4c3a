;; Tail calls across instances (tail.sh runs this with `wrun wast`, on
;; AArch64 under qemu too): a million calls bouncing between two instances,
;; through an import one way and a shared table the other, in constant
;; stack; a direct caller whose callee tail-called into another instance
;; still sees its own memory and globals; a tail call to a host function.

(module $A
  (type $step (func (param i64) (result i64)))
  (table (export "t") 1 funcref)
  (memory 1)
  (data (i32.const 0) "\aa")
  (global $ga i32 (i32.const 100))
  ;; pong(n): n == 0 gives what A's memory and global hold, else B.ping(n-1)
  (func (export "pong") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.extend_i32_u
              (i32.add (i32.load8_u (i32.const 0)) (global.get $ga))))
      (else (return_call_indirect (type $step)
              (i64.sub (local.get 0) (i64.const 1)) (i32.const 0)))))
  ;; many arguments into another instance's function
  (func (export "sum8") (param i64 i64 i64 i64 i64 i64 i64 i64) (result i64)
    (i64.add (i64.add (i64.add (local.get 0) (local.get 1))
                      (i64.add (local.get 2) (local.get 3)))
             (i64.add (i64.add (local.get 4) (local.get 5))
                      (i64.add (local.get 6) (i64.mul (local.get 7)
                                                      (i64.const 1000))))))
)
(register "A" $A)

(module $B
  (type $step (func (param i64) (result i64)))
  (import "A" "t" (table 1 funcref))
  (import "A" "pong" (func $pong (type $step)))
  (import "A" "sum8" (func $sum8 (param i64 i64 i64 i64 i64 i64 i64 i64)
                                 (result i64)))
  (import "spectest" "print_i32" (func $print (param i32)))
  (elem (table 0) (i32.const 0) func $ping)
  (memory 1)
  (data (i32.const 0) "\05")
  (global $gb (mut i32) (i32.const 30))
  (func $ping (export "ping") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const -1))
      (else (return_call $pong (i64.sub (local.get 0) (i64.const 1))))))
  ;; an ordinary call of ping, which tail-calls into A: afterwards B's own
  ;; memory base and vmctx must be back (B's byte 5 + B's global 30)
  (func (export "ping_then_own_state") (param i64) (result i64)
    (i64.add (call $ping (local.get 0))
             (i64.extend_i32_u (i32.add (i32.load8_u (i32.const 0))
                                        (global.get $gb)))))
  ;; one argument here, eight there
  (func $to_sum8 (param i64) (result i64)
    (return_call $sum8 (local.get 0) (i64.const 2) (i64.const 3)
      (i64.const 4) (i64.const 5) (i64.const 6) (i64.const 7) (i64.const 8)))
  (func (export "to_sum8") (param i64) (result i64)
    (global.set $gb (i32.const 31))
    (i64.add (call $to_sum8 (local.get 0))
             (i64.extend_i32_u (global.get $gb))))
  ;; a host function, tail-called
  (func $log (param i32) (return_call $print (local.get 0)))
  (func (export "log") (param i32) (call $log (local.get 0)))
)

;; even counts end in A (n odd: A's 0xaa + 100), odd ones in B (-1)
(assert_return (invoke "ping" (i64.const 1000001)) (i64.const 270))
(assert_return (invoke "ping" (i64.const 1000000)) (i64.const -1))
(assert_return (invoke "ping_then_own_state" (i64.const 1000001))
               (i64.const 305))
(assert_return (invoke "ping_then_own_state" (i64.const 2))
               (i64.const 34))
(assert_return (invoke "to_sum8" (i64.const 1)) (i64.const 8059))
(assert_return (invoke "log" (i32.const 42)))
