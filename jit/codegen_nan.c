/* Deterministic mode: which wasm operations get their NaN results
 * canonicalised, decided here for every ISA; the backends only know how
 * (masm_canon_nan).
 *
 * Wasm lets an arithmetic float operation return any NaN with the quiet
 * bit set (a "nan:arithmetic"), and x86-64 and AArch64 pick different
 * ones: 0/0 is 0xffc00000 on x86-64 and 0x7fc00000 on AArch64, and with
 * two NaN operands they propagate different payloads. Operations the spec
 * defines bit-exactly (abs, neg, copysign, reinterpret, loads, stores,
 * constants, select, moves, pmin/pmax, which select an operand) are left
 * alone, as are conversions from integers, which never produce a NaN.
 *
 * Off by default, and then free: every hook returns before emitting. */
#include "codegen_internal.h"

void jit_codegen_set_deterministic(jit_codegen *g, bool on) {
  g->deterministic = on;
}

static jit_fshape scalar_shape(jit_type t) {
  return t == JT_F64 ? JFS_F64 : JFS_F32;
}

void cg_canon_fbinop(jit_codegen *g, jit_fbinop op, jit_type t, jit_reg r) {
  if (!g->deterministic || op == JF_COPYSIGN) return;
  masm_canon_nan(g->m, scalar_shape(t), r);
}

void cg_canon_funop(jit_codegen *g, jit_funop op, jit_type t, jit_reg r) {
  if (!g->deterministic || op == JFU_ABS || op == JFU_NEG) return;
  masm_canon_nan(g->m, scalar_shape(t), r);
}

void cg_canon_convert(jit_codegen *g, jit_convop op, jit_reg r) {
  if (!g->deterministic) return;
  if (op == JCV_F32_DEMOTE_F64) masm_canon_nan(g->m, JFS_F32, r);
  if (op == JCV_F64_PROMOTE_F32) masm_canon_nan(g->m, JFS_F64, r);
}

/* The lane shape of a NaN-producing SIMD op (0xFD sub-opcode), or -1. */
static int simd_nan_shape(uint32_t op) {
  switch (op) {
  case 94:  /* f32x4.demote_f64x2_zero (its zero lanes are no NaN) */
  case 103: /* f32x4.ceil */
  case 104: /* f32x4.floor */
  case 105: /* f32x4.trunc */
  case 106: /* f32x4.nearest */
  case 227: /* f32x4.sqrt */
  case 228: /* f32x4.add */
  case 229: /* f32x4.sub */
  case 230: /* f32x4.mul */
  case 231: /* f32x4.div */
  case 232: /* f32x4.min */
  case 233: /* f32x4.max */
    return JFS_F32X4;
  case 95:  /* f64x2.promote_low_f32x4 */
  case 116: /* f64x2.ceil */
  case 117: /* f64x2.floor */
  case 122: /* f64x2.trunc */
  case 148: /* f64x2.nearest */
  case 239: /* f64x2.sqrt */
  case 240: /* f64x2.add */
  case 241: /* f64x2.sub */
  case 242: /* f64x2.mul */
  case 243: /* f64x2.div */
  case 244: /* f64x2.min */
  case 245: /* f64x2.max */
    return JFS_F64X2;
  default: return -1;
  }
}

void cg_canon_simd(jit_codegen *g, uint32_t op, jit_reg r) {
  if (!g->deterministic) return;
  int shape = simd_nan_shape(op);
  if (shape >= 0) masm_canon_nan(g->m, (jit_fshape)shape, r);
}
