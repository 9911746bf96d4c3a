;; wasi-threads: how threads start and how the program ends. Each export
;; is one case (wrun --invoke NAME); the thread does what its start_arg
;; says. tests/wasi_threads/run.sh has the expected outcomes.
(module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "env" "memory" (memory 1 1 shared))

  ;; 0: threads started; 4: threads done; 8: never changes (a wait
  ;; there sleeps until the process ends); 12: the nested thread's tid;
  ;; 1024: the text; 2048: its iovec; 3072: a clock subscription; 3200:
  ;; its event; 4096: a read's iovec and buffer; 16: 0 until the text is
  ;; being written, 1 while, 2 after
  ;;
  ;; Every thread instantiates the module again, and an active segment
  ;; would be written again into the shared memory while other threads
  ;; print it (a race TSan sees in fd_write). As LLVM does for shared
  ;; memories, the text is a passive segment that the start function of
  ;; the first instance alone copies in; later instances wait for it.
  (data $text "thread\n")
  (start $init_memory)
  (func $init_memory
    (if (i32.eqz (i32.atomic.rmw.cmpxchg (i32.const 16) (i32.const 0) (i32.const 1)))
      (then
        (memory.init $text (i32.const 1024) (i32.const 0) (i32.const 7))
        (i32.atomic.store (i32.const 16) (i32.const 2))
        (drop (memory.atomic.notify (i32.const 16) (i32.const -1))))
      (else (call $await (i32.const 16) (i32.const 2)))))

  (func $bump (param $p i32)
    (drop (i32.atomic.rmw.add (local.get $p) (i32.const 1)))
    (drop (memory.atomic.notify (local.get $p) (i32.const -1))))

  ;; Sleeps until the i32 at p is at least n.
  (func $await (param $p i32) (param $n i32)
    (local $v i32)
    (block $reached
      (loop $wait
        (local.set $v (i32.atomic.load (local.get $p)))
        (br_if $reached (i32.ge_u (local.get $v) (local.get $n)))
        (drop (memory.atomic.wait32 (local.get $p) (local.get $v) (i64.const -1)))
        (br $wait))))

  (func $forever (drop (memory.atomic.wait32 (i32.const 8) (i32.const 0) (i64.const -1))))
  (func $spin (loop $l (br $l)))

  (func $print
    (i32.store (i32.const 2048) (i32.const 1024))
    (i32.store (i32.const 2052) (i32.const 7))
    (drop (call $fd_write (i32.const 1) (i32.const 2048) (i32.const 1) (i32.const 2056))))

  ;; Sleeps for 50 ms (poll_oneoff on the monotonic clock).
  (func $nap
    (i64.store (i32.const 3072) (i64.const 0))        ;; userdata
    (i32.store8 (i32.const 3080) (i32.const 0))       ;; a clock
    (i32.store (i32.const 3088) (i32.const 1))        ;; monotonic
    (i64.store (i32.const 3096) (i64.const 50000000)) ;; 50 ms, relative
    (i64.store (i32.const 3104) (i64.const 0))
    (i32.store16 (i32.const 3112) (i32.const 0))
    (drop (call $poll (i32.const 3072) (i32.const 3200) (i32.const 1) (i32.const 3240))))

  (func (export "wasi_thread_start") (param $tid i32) (param $arg i32)
    (call $bump (i32.const 0))
    (if (i32.eq (local.get $arg) (i32.const 1)) (then (unreachable)))
    (if (i32.eq (local.get $arg) (i32.const 2)) (then (call $exit (i32.const 7))))
    (if (i32.eq (local.get $arg) (i32.const 3)) (then (call $spin)))
    (if (i32.eq (local.get $arg) (i32.const 4))
      (then (i32.atomic.store (i32.const 12) (call $spawn (i32.const 5)))))
    (if (i32.eq (local.get $arg) (i32.const 6)) (then (call $print)))
    (if (i32.eq (local.get $arg) (i32.const 7))
      (then
        (i32.store (i32.const 4096) (i32.const 4104))
        (i32.store (i32.const 4100) (i32.const 16))
        (drop (call $fd_read (i32.const 0) (i32.const 4096) (i32.const 1)
                             (i32.const 4120)))))
    (call $bump (i32.const 4)))

  (func $start (param $arg i32)
    (if (i32.le_s (call $spawn (local.get $arg)) (i32.const 0))
      (then (call $exit (i32.const 99)))))

  ;; For embedders' tests (tests/threads/wasi_threads.c): spawns a thread
  ;; with start_arg arg, returns its tid (or -1) at once.
  (func (export "spawn_one") (param $arg i32) (result i32)
    (call $spawn (local.get $arg)))
  ;; A trap in a thread: wrun: wasm trap: unreachable, exit 134.
  (func (export "trap_in_thread") (call $start (i32.const 1)) (call $forever))
  ;; proc_exit(7) in a thread ends the program with 7.
  (func (export "exit_in_thread") (call $start (i32.const 2)) (call $forever))
  ;; The main thread's proc_exit(3), a thread spinning: 3.
  (func (export "exit_in_main")
    (call $start (i32.const 3)) (call $await (i32.const 0) (i32.const 1))
    (call $exit (i32.const 3)))
  ;; The main thread's trap, a thread spinning: 134.
  (func (export "trap_in_main")
    (call $start (i32.const 3)) (call $await (i32.const 0) (i32.const 1))
    (unreachable))
  ;; The main thread returns, a thread spinning: 0.
  (func (export "return_in_main")
    (call $start (i32.const 3)) (call $await (i32.const 0) (i32.const 1)))
  ;; The main thread waits forever, a thread spins: only --timeout ends
  ;; it (wrun: wasm trap: interrupted, 134).
  (func (export "hang")
    (call $start (i32.const 3)) (call $await (i32.const 0) (i32.const 1))
    (call $forever))
  ;; A thread spawns a thread: both run, their tids differ; result 1.
  (func (export "nested") (result i32)
    (call $start (i32.const 4))
    (call $await (i32.const 4) (i32.const 2))
    (i32.gt_s (i32.atomic.load (i32.const 12)) (i32.const 1)))
;; A thread blocks reading stdin; the main thread sleeps, prints a line
  ;; and returns: neither the sleep nor the write waits for the read.
  (func (export "read_blocks")
    (call $start (i32.const 7)) (call $await (i32.const 0) (i32.const 1))
    (call $nap) (call $print))
  ;; 8 threads write a line each through one WASI context.
  (func (export "print")
    (local $t i32)
    (loop $all
      (call $start (i32.const 6))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br_if $all (i32.lt_u (local.get $t) (i32.const 8))))
    (call $await (i32.const 4) (i32.const 8))))
