;; The module of offsets.sh: traps of each kind a few calls deep, whose
;; backtraces must name the wasm byte offsets wasm-objdump shows for the
;; trapping and the calling instructions.
(module $offsets
  (type $i2i (func (param i32) (result i32)))
  (memory 1)
  (table 1 funcref)
  (elem (i32.const 0) $inner)

  ;; a load past the memory (a guard-page fault at the access itself)
  (func $inner (param i32) (result i32)
    local.get 0
    i32.load offset=4)
  (func $mid (param i32) (result i32)
    i32.const 1
    drop
    local.get 0
    call $inner)
  (func (export "oob") (param i32) (result i32)
    local.get 0
    call $mid)

  ;; ud2 / udf inline
  (func $boom (param i32) (result i32)
    local.get 0
    if
      unreachable
    end
    i32.const 7)
  (func (export "unreachable") (param i32) (result i32)
    i32.const 3
    local.get 0
    call $boom
    i32.add)

  ;; a check branching to the function's one divide-by-zero stub
  (func $div (param i32) (result i32)
    i32.const 100
    local.get 0
    i32.div_u)
  (func (export "div") (param i32) (result i32)
    local.get 0
    call $div)

  ;; two divisions share the stub: the pc cannot tell which trapped
  (func $two_divs (param i32) (result i32)
    i32.const 100
    local.get 0
    i32.div_s
    local.get 0
    i32.rem_u)
  (func (export "two_divs") (param i32) (result i32)
    local.get 0
    call $two_divs)

  ;; raised from C: memory.fill past the end (a libcall)
  (func $fill (param i32)
    local.get 0
    i32.const 0
    i32.const 16
    memory.fill)
  (func (export "fill") (param i32)
    local.get 0
    call $fill)

  ;; the prologue's stack check, deep in a recursion
  (func $recurse (param i32) (result i32)
    local.get 0
    i32.const 1
    i32.add
    call $recurse)
  (func (export "overflow") (param i32) (result i32)
    local.get 0
    call $recurse)

  ;; call_indirect of a function of another type
  (func (export "indirect") (param i32) (result i32)
    local.get 0
    i64.extend_i32_u
    i32.const 0
    call_indirect (param i64) (result i32)))
