/* The AArch64 lowering of NaN canonicalisation (deterministic mode, see
 * masm_canon_nan in jit/masm.h and docs/design-notes.md).
 *
 * With FPCR.DN clear (the Linux default), AArch64 returns the default NaN
 * 0x7fc00000 for invalid operations and otherwise propagates an input
 * NaN's payload, preferring a signalling operand over a quiet one; x86-64
 * differs in both. Replacing every NaN result by one fixed pattern makes
 * them agree. Both forms are branchless. */
#include "masm_internal.h"

#define CANON_F32 0x7fc00000ull
#define CANON_F64 0x7ff8000000000000ull

/* NEON opcode fields (as in masm_simd.c): fcmeq and the bitwise group,
 * where U=1 size=3 is bif. */
#define OP3_FCMP 0x1C
#define OP3_LOGIC 0x03

/* fcmp x, x is unordered (V set) only for a NaN; fcsel then picks the
 * canonical constant. */
static void canon_scalar(jit_masm *m, bool f64, uint8_t x) {
  jit_buf *b = &m->buf;
  a64_mov_imm(b, f64, A64_SCRATCH, f64 ? CANON_F64 : CANON_F32);
  a64_fpint(b, f64, f64, A64_FMOV_FROM_GPR, A64_FSCRATCH, A64_SCRATCH);
  a64_fcmp(b, f64, x, x);
  a64_fcsel(b, f64, x, A64_FSCRATCH, x, A64_VS);
}

/* fcmeq x, x is all ones in the lanes that are not NaN; bif inserts the
 * canonical splat into the others. */
static void canon_lanes(jit_masm *m, bool f64, uint8_t x) {
  jit_buf *b = &m->buf;
  a64_simd_3same(b, true, false, f64, OP3_FCMP, A64_FSCRATCH, x, x);
  a64_mov_imm(b, f64, A64_SCRATCH, f64 ? CANON_F64 : CANON_F32);
  a64_simd_copy(b, true, false, f64 ? 8 : 4, 1, A64_FSCRATCH2,
                A64_SCRATCH); /* dup */
  a64_simd_3same(b, true, true, 3, OP3_LOGIC, x, A64_FSCRATCH2,
                 A64_FSCRATCH); /* bif */
}

void a64_masm_canon_nan(jit_masm *m, jit_fshape s, jit_reg reg) {
  a64_masm_op_start(m);
  uint8_t x = (uint8_t)(JIT_IS_FPR(reg) ? reg - JIT_FPR_BASE : reg);
  switch (s) {
  case JFS_F32: canon_scalar(m, false, x); break;
  case JFS_F64: canon_scalar(m, true, x); break;
  case JFS_F32X4: canon_lanes(m, false, x); break;
  case JFS_F64X2: canon_lanes(m, true, x); break;
  }
}
