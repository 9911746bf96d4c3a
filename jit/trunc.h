/* Wasm semantics of float-to-int truncation shared by the backends: which
 * conversion a jit_convop is and the exact range of inputs that do not trap
 * (or saturate). ISA-neutral: no encodings here. */
#ifndef JIT_TRUNC_H
#define JIT_TRUNC_H

#include <stdbool.h>
#include "masm.h"

/* Float-to-int truncation, described by its source and result. */
typedef struct trunc_info {
  bool src64, dst64, is_signed, saturating;
} trunc_info;

static inline trunc_info trunc_info_of(jit_convop op) {
  int k = (int)op - JCV_I32_TRUNC_F32_S; /* 0..15 */
  trunc_info ti;
  ti.saturating = k >= 8;
  k &= 7; /* order: i32 f32 s/u, i32 f64 s/u, i64 f32 s/u, i64 f64 s/u */
  ti.is_signed = (k & 1) == 0;
  ti.src64 = (k & 2) != 0;
  ti.dst64 = (k & 4) != 0;
  return ti;
}

/* The valid input range: lo < x (or lo <= x when lo_inclusive) and x < hi,
 * each bound exactly representable in the source type. */
static inline void trunc_bounds(trunc_info ti, double *lo, bool *lo_inclusive,
                         double *hi) {
  if (ti.is_signed) {
    double half = ti.dst64 ? 9223372036854775808.0 : 2147483648.0;
    *hi = half;
    if (!ti.dst64 && ti.src64) {
      *lo = -2147483649.0; /* -2^31 - 1 is an f64: exclusive */
      *lo_inclusive = false;
    } else {
      *lo = -half;         /* next f32/f64 below -2^31/-2^63 is out anyway */
      *lo_inclusive = true;
    }
  } else {
    *hi = ti.dst64 ? 18446744073709551616.0 : 4294967296.0;
    *lo = -1.0;
    *lo_inclusive = false;
  }
}

#endif
