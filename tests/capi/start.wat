(module
  (global $g (mut i32) (i32.const 0))
  (func $start (global.set $g (i32.const 1)) unreachable)
  (start $start))
