(module
  (func $fail (import "env" "fail"))
  (func $inner call $fail)
  (func (export "host_trap") call $inner)
  (func $deep unreachable)
  (func (export "wasm_trap") call $deep))
