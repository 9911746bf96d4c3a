/* The x86-64 lowering of NaN canonicalisation (deterministic mode, see
 * masm_canon_nan in jit/masm.h and docs/design-notes.md).
 *
 * SSE arithmetic produces the "default NaN" 0xffc00000 (negative) for
 * invalid operations and passes an input NaN's payload through otherwise;
 * AArch64 produces 0x7fc00000 and prefers signalling inputs. Replacing
 * every NaN result by one fixed pattern makes both agree. */
#include "masm_internal.h"

#define CANON_F32 0x7fc00000ull
#define CANON_F64 0x7ff8000000000000ull

/* ucomis x, x is unordered (PF set) only for a NaN: the common, non-NaN
 * case takes one well-predicted branch over the fix-up. */
static void canon_scalar(jit_masm *m, bool f64, uint8_t x) {
  jit_buf *b = &m->buf;
  x64_sse_rr(b, f64 ? X64_UCOMISD : X64_UCOMISS, x, x);
  uint32_t skip = x64_jcc8(b, X64_CC_NP, 0);
  x64_mov_ri(b, f64, SCRATCH_A, f64 ? CANON_F64 : CANON_F32);
  x64_movd_xr(b, f64, x, SCRATCH_A);
  x64_patch_rel8_here(b, skip);
}

/* Branchless per lane: the unordered mask selects the lanes to replace.
 * The canonical pattern comes from the mask itself (all ones shifted left
 * past the mantissa, then right by one to clear the sign), so no constant
 * has to be loaded. */
static void canon_lanes(jit_masm *m, bool f64, uint8_t x) {
  jit_buf *b = &m->buf;
  uint8_t prefix = f64 ? 0x66 : 0;
  uint32_t shift_group = f64 ? 0x0F73 : 0x0F72; /* psllq/psrlq, pslld/psrld */
  x64_sse_rr(b, X64_MOVAPS, FSCRATCH, x);
  x64_emit_rr(b, prefix, 0x0FC2, false, FSCRATCH, x, 0); /* cmpunordp */
  jit_buf_u8(b, 3);
  x64_sse_rr(b, X64_MOVAPS, FSCRATCH2, FSCRATCH);
  x64_emit_rr(b, 0x66, shift_group, false, 6, FSCRATCH2, 0); /* shl */
  jit_buf_u8(b, f64 ? 52 : 23);
  x64_emit_rr(b, 0x66, shift_group, false, 2, FSCRATCH2, 0); /* shr */
  jit_buf_u8(b, 1);
  x64_sse_rr(b, X64_ANDNPS, FSCRATCH, x); /* the lanes that stay */
  x64_sse_rr(b, X64_ORPS, FSCRATCH, FSCRATCH2);
  x64_sse_rr(b, X64_MOVAPS, x, FSCRATCH);
}

void x64_masm_canon_nan(jit_masm *m, jit_fshape s, jit_reg reg) {
  uint8_t x = hw(reg);
  switch (s) {
  case JFS_F32: canon_scalar(m, false, x); break;
  case JFS_F64: canon_scalar(m, true, x); break;
  case JFS_F32X4: canon_lanes(m, false, x); break;
  case JFS_F64X2: canon_lanes(m, true, x); break;
  }
}
