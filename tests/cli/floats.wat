;; Float results for tests/cli/usage.sh: how --invoke prints each.
(module
  (func (export "f64_10") (result f64) (f64.const 10))
  (func (export "f64_3000") (result f64) (f64.const 3000))
  (func (export "f32_tenth") (result f32) (f32.const 0.1))
  (func (export "f64_tenth") (result f64) (f64.const 0.1))
  (func (export "f64_third") (result f64) (f64.div (f64.const 1) (f64.const 3)))
  (func (export "f32_big") (result f32) (f32.const 1e30))
  (func (export "f64_tiny") (result f64) (f64.const 1e-300))
  (func (export "f64_neg_zero") (result f64) (f64.const -0))
  (func (export "f32_nan") (result f32) (f32.const nan))
  (func (export "f32_payload") (result f32) (f32.const nan:0x400001))
  (func (export "f64_neg_payload") (result f64) (f64.const -nan:0x1))
  (func (export "f64_inf") (result f64) (f64.const inf)))
