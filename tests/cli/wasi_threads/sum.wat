;; wasi-threads: a parallel sum over 8 threads. Thread t sums the i64s
;; t*N .. (t+1)*N-1 into its slot; the main thread waits for all 8 (a
;; done counter, memory.atomic.wait32/notify), adds the slots and checks
;; the total against the formula. Prints "sum ok" or exits with status 1.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1 1 shared))

  (global $threads i32 (i32.const 8))
  (global $n i64 (i64.const 1000000))
  ;; 0: threads done; 64 + 8*t: thread t's partial sum; 1024: the text
  (data (i32.const 1024) "sum ok\n")

  (func (export "wasi_thread_start") (param $tid i32) (param $t i32)
    (local $i i64) (local $end i64) (local $sum i64)
    (local.set $i (i64.mul (i64.extend_i32_u (local.get $t)) (global.get $n)))
    (local.set $end (i64.add (local.get $i) (global.get $n)))
    (loop $l
      (local.set $sum (i64.add (local.get $sum) (local.get $i)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $l (i64.lt_u (local.get $i) (local.get $end))))
    (i64.atomic.store (i32.add (i32.const 64) (i32.shl (local.get $t) (i32.const 3)))
      (local.get $sum))
    (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
    (drop (memory.atomic.notify (i32.const 0) (i32.const 1))))

  (func $fail (call $exit (i32.const 1)) (unreachable))

  (func (export "_start")
    (local $t i32) (local $done i32) (local $total i64) (local $all i64)
    (loop $spawn_all
      (if (i32.le_s (call $spawn (local.get $t)) (i32.const 0)) (then (call $fail)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $spawn_all (i32.lt_u (local.get $t) (global.get $threads))))
    ;; wait until done == threads
    (block $all_done
      (loop $wait
        (local.set $done (i32.atomic.load (i32.const 0)))
        (br_if $all_done (i32.eq (local.get $done) (global.get $threads)))
        (drop (memory.atomic.wait32 (i32.const 0) (local.get $done) (i64.const -1)))
        (br $wait)))
    (local.set $t (i32.const 0))
    (loop $add
      (local.set $total (i64.add (local.get $total)
        (i64.atomic.load (i32.add (i32.const 64) (i32.shl (local.get $t) (i32.const 3))))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $add (i32.lt_u (local.get $t) (global.get $threads))))
    ;; 0 + 1 + ... + (8N - 1) = 8N (8N - 1) / 2
    (local.set $all (i64.mul (global.get $n) (i64.extend_i32_u (global.get $threads))))
    (if (i64.ne (local.get $total)
          (i64.div_u (i64.mul (local.get $all) (i64.sub (local.get $all) (i64.const 1)))
                     (i64.const 2)))
      (then (call $fail)))
    (i32.store (i32.const 2048) (i32.const 1024))
    (i32.store (i32.const 2052) (i32.const 7))
    (drop (call $fd_write (i32.const 1) (i32.const 2048) (i32.const 1) (i32.const 2056)))))
