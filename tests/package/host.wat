;; The module tests/package/host.c runs against an installed libwrun: a
;; loop calling back into the host, a trap, and WASI (fd_write, proc_exit),
;; which is libuv's part of the library.
(module
  (import "host" "twice" (func $twice (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; an iovec at 0 for the text at 16; nwritten at 8
  (data (i32.const 0) "\10\00\00\00\10\00\00\00")
  (data (i32.const 16) "hello from wasm\0a")
  ;; sum of twice(i) for i in [0, n): n * (n - 1)
  (func (export "sum_twice") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum
          (i32.add (local.get $sum) (call $twice (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $sum))
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  ;; writes the greeting to fd 1: the byte count written, or -errno
  (func (export "greet") (result i32)
    (local $errno i32)
    (local.set $errno
      (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (if (result i32) (local.get $errno)
      (then (i32.sub (i32.const 0) (local.get $errno)))
      (else (i32.load (i32.const 8)))))
  (func (export "quit") (param i32)
    (call $proc_exit (local.get 0))))
