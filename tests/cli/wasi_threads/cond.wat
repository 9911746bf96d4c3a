;; wasi-threads: condition variables. A bounded buffer of 4 items between
;; the main thread (the producer of 1 .. 5000, then one 0 per consumer to
;; stop it) and 8 consumer threads, with one mutex and the conditions
;; "not empty", "not full" and "a consumer finished". A condition is a
;; sequence number: wait reads it, unlocks, sleeps in wait32 while it is
;; unchanged and locks again; signal bumps it and notifies. Each consumer
;; adds what it takes; the sums must make 5000 * 5001 / 2. Prints
;; "cond ok" or exits with status 1.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))

  (global $threads i32 (i32.const 8))
  (global $items i32 (i32.const 5000))
  ;; 8: the mutex; 12, 16, 20: the conditions not empty, not full,
  ;; finished; 24: items in the buffer; 28: head; 32: tail; 36: consumers
  ;; finished; 64 + 4*i: the buffer; 128 + 8*t: consumer t's sum;
  ;; 1024: the text
  (data (i32.const 1024) "cond ok\n")

  (func $lock (param $m i32)
    (local $c i32)
    (local.set $c (i32.atomic.rmw.cmpxchg (local.get $m) (i32.const 0) (i32.const 1)))
    (if (i32.eqz (local.get $c)) (then (return)))
    (if (i32.ne (local.get $c) (i32.const 2))
      (then (local.set $c (i32.atomic.rmw.xchg (local.get $m) (i32.const 2)))))
    (block $got
      (loop $sleep
        (br_if $got (i32.eqz (local.get $c)))
        (drop (memory.atomic.wait32 (local.get $m) (i32.const 2) (i64.const -1)))
        (local.set $c (i32.atomic.rmw.xchg (local.get $m) (i32.const 2)))
        (br $sleep))))

  (func $unlock (param $m i32)
    (if (i32.ne (i32.atomic.rmw.sub (local.get $m) (i32.const 1)) (i32.const 1))
      (then
        (i32.atomic.store (local.get $m) (i32.const 0))
        (drop (memory.atomic.notify (local.get $m) (i32.const 1))))))

  (func $cond_wait (param $cv i32) (param $m i32)
    (local $seq i32)
    (local.set $seq (i32.atomic.load (local.get $cv)))
    (call $unlock (local.get $m))
    (drop (memory.atomic.wait32 (local.get $cv) (local.get $seq) (i64.const -1)))
    (call $lock (local.get $m)))

  (func $cond_signal (param $cv i32)
    (drop (i32.atomic.rmw.add (local.get $cv) (i32.const 1)))
    (drop (memory.atomic.notify (local.get $cv) (i32.const 1))))

  (func $put (param $v i32)
    (call $lock (i32.const 8))
    (block $room
      (loop $full
        (br_if $room (i32.lt_u (i32.load (i32.const 24)) (i32.const 4)))
        (call $cond_wait (i32.const 16) (i32.const 8))
        (br $full)))
    (i32.store (i32.add (i32.const 64) (i32.shl (i32.load (i32.const 32)) (i32.const 2)))
      (local.get $v))
    (i32.store (i32.const 32) (i32.and (i32.add (i32.load (i32.const 32)) (i32.const 1))
                                       (i32.const 3)))
    (i32.store (i32.const 24) (i32.add (i32.load (i32.const 24)) (i32.const 1)))
    (call $cond_signal (i32.const 12))
    (call $unlock (i32.const 8)))

  (func $take (result i32)
    (local $v i32)
    (call $lock (i32.const 8))
    (block $some
      (loop $empty
        (br_if $some (i32.load (i32.const 24)))
        (call $cond_wait (i32.const 12) (i32.const 8))
        (br $empty)))
    (local.set $v (i32.load (i32.add (i32.const 64)
                                     (i32.shl (i32.load (i32.const 28)) (i32.const 2)))))
    (i32.store (i32.const 28) (i32.and (i32.add (i32.load (i32.const 28)) (i32.const 1))
                                       (i32.const 3)))
    (i32.store (i32.const 24) (i32.sub (i32.load (i32.const 24)) (i32.const 1)))
    (call $cond_signal (i32.const 16))
    (call $unlock (i32.const 8))
    (local.get $v))

  (func (export "wasi_thread_start") (param $tid i32) (param $t i32)
    (local $v i32) (local $sum i64)
    (block $stop
      (loop $next
        (local.set $v (call $take))
        (br_if $stop (i32.eqz (local.get $v)))
        (local.set $sum (i64.add (local.get $sum) (i64.extend_i32_u (local.get $v))))
        (br $next)))
    (call $lock (i32.const 8))
    (i64.store (i32.add (i32.const 128) (i32.shl (local.get $t) (i32.const 3)))
      (local.get $sum))
    (i32.store (i32.const 36) (i32.add (i32.load (i32.const 36)) (i32.const 1)))
    (call $cond_signal (i32.const 20))
    (call $unlock (i32.const 8)))

  (func $fail (call $exit (i32.const 1)) (unreachable))

  (func (export "_start")
    (local $t i32) (local $i i32) (local $total i64)
    (loop $spawn_all
      (if (i32.le_s (call $spawn (local.get $t)) (i32.const 0)) (then (call $fail)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $spawn_all (i32.lt_u (local.get $t) (global.get $threads))))
    (loop $produce
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (call $put (local.get $i))
      (br_if $produce (i32.lt_u (local.get $i) (global.get $items))))
    (local.set $t (i32.const 0))
    (loop $stop_all
      (call $put (i32.const 0))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $stop_all (i32.lt_u (local.get $t) (global.get $threads))))
    (call $lock (i32.const 8))
    (block $finished
      (loop $wait
        (br_if $finished (i32.eq (i32.load (i32.const 36)) (global.get $threads)))
        (call $cond_wait (i32.const 20) (i32.const 8))
        (br $wait)))
    (call $unlock (i32.const 8))
    (local.set $t (i32.const 0))
    (loop $add
      (local.set $total (i64.add (local.get $total)
        (i64.load (i32.add (i32.const 128) (i32.shl (local.get $t) (i32.const 3))))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $add (i32.lt_u (local.get $t) (global.get $threads))))
    (if (i64.ne (local.get $total) (i64.const 12502500)) (then (call $fail)))
    (i32.store (i32.const 2048) (i32.const 1024))
    (i32.store (i32.const 2052) (i32.const 8))
    (drop (call $fd_write (i32.const 1) (i32.const 2048) (i32.const 1) (i32.const 2056)))))
