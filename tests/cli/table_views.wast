;; call_indirect, table.size, table.get and table.set read a table's
;; elems and size from its vmctx slot, a copy the table rewrites whenever
;; it grows (rt_table.views). Each instance that defines or imports the
;; table has its own copy: a growth made through any one of them must be
;; seen by the accesses of all the others.

(module $owner
  (type $v2i (func (result i32)))
  (table $t (export "t") 2 funcref)
  (func $seven (result i32) (i32.const 7))
  (func $eight (result i32) (i32.const 8))
  (elem (table $t) (i32.const 0) func $seven)
  (func (export "call") (param i32) (result i32)
    (call_indirect $t (type $v2i) (local.get 0)))
  (func (export "grow") (param i32) (result i32)
    (table.grow $t (ref.func $eight) (local.get 0)))
  (func (export "size") (result i32) (table.size $t))
  (elem declare func $eight))
(register "owner" $owner)

(module $user
  (type $v2i (func (result i32)))
  (import "owner" "t" (table $t 1 funcref))
  (func $nine (result i32) (i32.const 9))
  (elem declare func $nine)
  (func (export "call") (param i32) (result i32)
    (call_indirect $t (type $v2i) (local.get 0)))
  (func (export "grow") (param i32) (result i32)
    (table.grow $t (ref.func $nine) (local.get 0)))
  ;; many growths in a row, each element called right after: the
  ;; elements move (realloc) and every call must see where they are now
  (func (export "grow_and_call") (param $n i32) (result i32)
    (local $sum i32) (local $at i32)
    (loop $next
      (local.set $at (table.grow $t (ref.func $nine) (i32.const 1)))
      (local.set $sum (i32.add (local.get $sum)
                               (call_indirect $t (type $v2i) (local.get $at))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $sum))
  ;; table.size, table.get and table.set read the same copies
  (func (export "size") (result i32) (table.size $t))
  (func (export "get_is_null") (param i32) (result i32)
    (ref.is_null (table.get $t (local.get 0))))
  (func (export "set_null") (param i32)
    (table.set $t (local.get 0) (ref.null func))))
(register "user" $user)

;; before any growth: both see the two slots
(assert_return (invoke $owner "call" (i32.const 0)) (i32.const 7))
(assert_return (invoke $user "call" (i32.const 0)) (i32.const 7))
(assert_trap (invoke $user "call" (i32.const 1)) "uninitialized element")
(assert_trap (invoke $user "call" (i32.const 2)) "undefined element")
(assert_trap (invoke $owner "call" (i32.const 2)) "undefined element")

;; the owner grows it: the importer's copy follows
(assert_return (invoke $owner "grow" (i32.const 3)) (i32.const 2))
(assert_return (invoke $user "call" (i32.const 4)) (i32.const 8))
(assert_return (invoke $owner "call" (i32.const 4)) (i32.const 8))
(assert_trap (invoke $user "call" (i32.const 5)) "undefined element")

;; the importer grows it: the owner's copy follows
(assert_return (invoke $user "grow" (i32.const 2)) (i32.const 5))
(assert_return (invoke $owner "call" (i32.const 6)) (i32.const 9))
(assert_return (invoke $user "call" (i32.const 6)) (i32.const 9))
(assert_trap (invoke $owner "call" (i32.const 7)) "undefined element")
(assert_return (invoke $owner "size") (i32.const 7))

;; a second importer, instantiated after the growths, starts from the
;; current elements
(module $late
  (type $v2i (func (result i32)))
  (import "owner" "t" (table $t 7 funcref))
  (func (export "call") (param i32) (result i32)
    (call_indirect $t (type $v2i) (local.get 0))))
(assert_return (invoke $late "call" (i32.const 6)) (i32.const 9))
(assert_trap (invoke $late "call" (i32.const 7)) "undefined element")

;; 2000 growths by one: the array is reallocated many times over
(assert_return (invoke $user "grow_and_call" (i32.const 2000)) (i32.const 18000))
(assert_return (invoke $owner "size") (i32.const 2007))
(assert_return (invoke $owner "call" (i32.const 2006)) (i32.const 9))
(assert_return (invoke $late "call" (i32.const 2006)) (i32.const 9))
(assert_trap (invoke $late "call" (i32.const 2007)) "undefined element")

;; the importer's table.size/get/set see the owner's growths
(assert_return (invoke $user "size") (i32.const 2007))
(assert_return (invoke $user "get_is_null" (i32.const 2006)) (i32.const 0))
(assert_return (invoke $user "get_is_null" (i32.const 1)) (i32.const 1))
(assert_trap (invoke $user "get_is_null" (i32.const 2007))
             "out of bounds table access")
(assert_return (invoke $user "set_null" (i32.const 2006)))
(assert_trap (invoke $owner "call" (i32.const 2006)) "uninitialized element")
(assert_trap (invoke $user "set_null" (i32.const 2007))
             "out of bounds table access")
(assert_return (invoke $owner "grow" (i32.const 1)) (i32.const 2007))
(assert_return (invoke $user "size") (i32.const 2008))
(assert_return (invoke $user "get_is_null" (i32.const 2007)) (i32.const 0))

;; a table that cannot grow: growth fails and the copies keep their size
(module $fixed
  (type $v2i (func (result i32)))
  (table $t 1 1 funcref)
  (func $one (result i32) (i32.const 1))
  (elem (table $t) (i32.const 0) func $one)
  (func (export "grow") (result i32)
    (table.grow $t (ref.null func) (i32.const 1)))
  (func (export "call") (param i32) (result i32)
    (call_indirect $t (type $v2i) (local.get 0))))
(assert_return (invoke $fixed "grow") (i32.const -1))
(assert_return (invoke $fixed "call" (i32.const 0)) (i32.const 1))
(assert_trap (invoke $fixed "call" (i32.const 1)) "undefined element")
