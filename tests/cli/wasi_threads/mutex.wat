;; wasi-threads: a mutex-protected counter. 8 threads each add 1 to a
;; plain (non-atomic) counter 100000 times, inside a futex-style mutex
;; (0 free, 1 locked, 2 locked with waiters: wait32 to sleep, notify to
;; wake). A lost update shows as a total below 800000. Prints
;; "mutex ok" or exits with status 1.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))

  (global $threads i32 (i32.const 8))
  (global $rounds i32 (i32.const 100000))
  ;; 0: threads done; 4: go (the threads start together: a race needs
;; them running at once); 8: the mutex; 16: the counter; 1024: the text
  (data (i32.const 1024) "mutex ok\n")

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

  (func (export "wasi_thread_start") (param $tid i32) (param $t i32)
    (local $i i32)
    (loop $ready
      (if (i32.eqz (i32.atomic.load (i32.const 4)))
        (then
          (drop (memory.atomic.wait32 (i32.const 4) (i32.const 0) (i64.const -1)))
          (br $ready))))
    (loop $l
      (call $lock (i32.const 8))
      (i32.store (i32.const 16) (i32.add (i32.load (i32.const 16)) (i32.const 1)))
      (call $unlock (i32.const 8))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (global.get $rounds))))
    (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))

  (func $fail (call $exit (i32.const 1)) (unreachable))

  (func (export "_start")
    (local $t i32) (local $done i32)
    (loop $spawn_all
      (if (i32.le_s (call $spawn (local.get $t)) (i32.const 0)) (then (call $fail)))
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
    (if (i32.ne (i32.atomic.load (i32.const 16))
                (i32.mul (global.get $threads) (global.get $rounds)))
      (then (call $fail)))
    (i32.store (i32.const 2048) (i32.const 1024))
    (i32.store (i32.const 2052) (i32.const 9))
    (drop (call $fd_write (i32.const 1) (i32.const 2048) (i32.const 1) (i32.const 2056)))))
