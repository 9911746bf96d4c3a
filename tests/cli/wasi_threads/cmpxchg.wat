;; wasi-threads: a race-detector-style stress of cmpxchg. 8 threads start
;; together and
;;  - each add 1 50000 times to counters of 8, 16, 32 and 64 bits (the
;;    64-bit one by 0x100000001, so both halves count) through
;;    load + cmpxchg retry loops: a lost update shows in the totals;
;;  - claim the 8000 slots of an array: take the next index by a cmpxchg
;;    loop, then the slot by cmpxchg 0 -> tid; a slot that was not 0 (two
;;    threads given one index) counts as a race.
;; The main thread checks the totals, that no race was seen, that every
;; slot holds the tid of a thread and that each thread's count of claims
;; is what the slots say. Prints "cmpxchg ok" or exits with status 1.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))

  (global $threads i32 (i32.const 8))
  (global $rounds i32 (i32.const 50000))
  (global $slots i32 (i32.const 8000))
  ;; 0: threads done; 4: go; 8: the 32-bit counter; 12: the next slot;
  ;; 16: races seen; 20: the 8-bit counter; 22: the 16-bit one; 24: the
  ;; 64-bit one; 64 + 4*t: thread t's claims; 96 + 4*t: its tid;
  ;; 128 + 4*t: claims the slots give it; 1024: the text; 4096 + 4*i:
  ;; slot i
  (data (i32.const 1024) "cmpxchg ok\n")

  (func $add32 (param $p i32)
    (local $old i32)
    (loop $retry
      (local.set $old (i32.atomic.load (local.get $p)))
      (br_if $retry (i32.ne (local.get $old)
        (i32.atomic.rmw.cmpxchg (local.get $p) (local.get $old)
                                (i32.add (local.get $old) (i32.const 1)))))))

  (func $add8 (param $p i32)
    (local $old i32)
    (loop $retry
      (local.set $old (i32.atomic.load8_u (local.get $p)))
      ;; the expected value's upper bits are ignored: old + 256 works too
      (br_if $retry (i32.ne (local.get $old)
        (i32.atomic.rmw8.cmpxchg_u (local.get $p)
          (i32.add (local.get $old) (i32.const 256))
          (i32.add (local.get $old) (i32.const 1)))))))

  (func $add16 (param $p i32)
    (local $old i32)
    (loop $retry
      (local.set $old (i32.atomic.load16_u (local.get $p)))
      (br_if $retry (i32.ne (local.get $old)
        (i32.atomic.rmw16.cmpxchg_u (local.get $p) (local.get $old)
                                    (i32.add (local.get $old) (i32.const 1)))))))

  (func $add64 (param $p i32)
    (local $old i64)
    (loop $retry
      (local.set $old (i64.atomic.load (local.get $p)))
      (br_if $retry (i64.ne (local.get $old)
        (i64.atomic.rmw.cmpxchg (local.get $p) (local.get $old)
          (i64.add (local.get $old) (i64.const 0x100000001)))))))

  ;; The next slot index, or -1 when all are taken.
  (func $next_slot (result i32)
    (local $old i32)
    (loop $retry
      (local.set $old (i32.atomic.load (i32.const 12)))
      (if (i32.ge_u (local.get $old) (global.get $slots)) (then (return (i32.const -1))))
      (br_if $retry (i32.ne (local.get $old)
        (i32.atomic.rmw.cmpxchg (i32.const 12) (local.get $old)
                                (i32.add (local.get $old) (i32.const 1))))))
    (local.get $old))

  (func (export "wasi_thread_start") (param $tid i32) (param $t i32)
    (local $i i32) (local $slot i32) (local $mine i32)
    (loop $ready
      (if (i32.eqz (i32.atomic.load (i32.const 4)))
        (then
          (drop (memory.atomic.wait32 (i32.const 4) (i32.const 0) (i64.const -1)))
          (br $ready))))
    (loop $count
      (call $add32 (i32.const 8))
      (call $add8 (i32.const 20))
      (call $add16 (i32.const 22))
      (call $add64 (i32.const 24))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $count (i32.lt_u (local.get $i) (global.get $rounds))))
    (block $all_taken
      (loop $claim
        (local.set $slot (call $next_slot))
        (br_if $all_taken (i32.lt_s (local.get $slot) (i32.const 0)))
        (if (i32.atomic.rmw.cmpxchg
              (i32.add (i32.const 4096) (i32.shl (local.get $slot) (i32.const 2)))
              (i32.const 0) (local.get $tid))
          (then (drop (i32.atomic.rmw.add (i32.const 16) (i32.const 1)))))
        (local.set $mine (i32.add (local.get $mine) (i32.const 1)))
        (br $claim)))
    (i32.atomic.store (i32.add (i32.const 64) (i32.shl (local.get $t) (i32.const 2)))
      (local.get $mine))
    (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))

  (func $fail (call $exit (i32.const 1)) (unreachable))
  (func $check (param $ok i32) (if (i32.eqz (local.get $ok)) (then (call $fail))))

  ;; Adds 1 to the count at 128 + 4*t of the thread whose tid is v.
  (func $credit (param $v i32)
    (local $t i32)
    (loop $find
      (if (i32.eq (local.get $v)
                  (i32.load (i32.add (i32.const 96) (i32.shl (local.get $t) (i32.const 2)))))
        (then
          (i32.store (i32.add (i32.const 128) (i32.shl (local.get $t) (i32.const 2)))
            (i32.add (i32.const 1)
              (i32.load (i32.add (i32.const 128) (i32.shl (local.get $t) (i32.const 2))))))
          (return)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $find (i32.lt_u (local.get $t) (global.get $threads))))
    (call $fail))

  (func (export "_start")
    (local $t i32) (local $tid i32) (local $done i32) (local $i i32) (local $n i32)
    (loop $spawn_all
      (local.set $tid (call $spawn (local.get $t)))
      (call $check (i32.gt_s (local.get $tid) (i32.const 0)))
      (i32.store (i32.add (i32.const 96) (i32.shl (local.get $t) (i32.const 2)))
        (local.get $tid))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $spawn_all (i32.lt_u (local.get $t) (global.get $threads))))
    (i32.atomic.store (i32.const 4) (i32.const 1))
    (drop (memory.atomic.notify (i32.const 4) (i32.const -1)))
    (block $all_done
      (loop $wait
        (local.set $done (i32.atomic.load (i32.const 0)))
        (br_if $all_done (i32.eq (local.get $done) (global.get $threads)))
        (drop (memory.atomic.wait32 (i32.const 0) (local.get $done) (i64.const -1)))
        (br $wait)))
    (local.set $n (i32.mul (global.get $threads) (global.get $rounds)))
    (call $check (i32.eq (i32.atomic.load (i32.const 8)) (local.get $n)))
    (call $check (i32.eq (i32.atomic.load8_u (i32.const 20))
                         (i32.and (local.get $n) (i32.const 0xff))))
    (call $check (i32.eq (i32.atomic.load16_u (i32.const 22))
                         (i32.and (local.get $n) (i32.const 0xffff))))
    (call $check (i64.eq (i64.atomic.load (i32.const 24))
                         (i64.mul (i64.extend_i32_u (local.get $n)) (i64.const 0x100000001))))
    (call $check (i32.eqz (i32.atomic.load (i32.const 16))))
    (loop $slots
      (call $credit (i32.load (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $slots (i32.lt_u (local.get $i) (global.get $slots))))
    (local.set $t (i32.const 0))
    (loop $claims
      (call $check (i32.eq
        (i32.load (i32.add (i32.const 64) (i32.shl (local.get $t) (i32.const 2))))
        (i32.load (i32.add (i32.const 128) (i32.shl (local.get $t) (i32.const 2))))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $claims (i32.lt_u (local.get $t) (global.get $threads))))
    (i32.store (i32.const 2048) (i32.const 1024))
    (i32.store (i32.const 2052) (i32.const 11))
    (drop (call $fd_write (i32.const 1) (i32.const 2048) (i32.const 1) (i32.const 2056)))))
