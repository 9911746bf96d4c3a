;; A function that never returns on its own, for wrun --timeout.
(module
  (func (export "spin") (loop (br 0))))
