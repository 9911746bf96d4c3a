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
 * The canonicalisation of a result is deferred by one instruction: when
 * the next one consumes it at once as an operand of another NaN-producing
 * op (whose own result is canonicalised in turn), of a float compare (a
 * NaN's bits cannot change its outcome) or of a drop, nothing is emitted
 * for it. `a * b + c` written as `c; a; b; mul; add` canonicalises once.
 * Anything else first canonicalises the register in place: it is still
 * the top of the value stack then, as nothing ran in between.
 *
 * Off by default, and then free: every hook returns before emitting. */
#include "codegen_internal.h"

void jit_codegen_set_deterministic(jit_codegen *g, bool on) {
  g->deterministic = on;
}

/* What shape_indifferent_to_payload says of a drop: any value. */
enum { g_any_shape = 100 };

static jit_fshape scalar_shape(jit_type t) {
  return t == JT_F64 ? JFS_F64 : JFS_F32;
}

/* r, the top of the stack, holds a result that may be a NaN of the
 * hardware's choosing: canonicalise it unless the next instruction makes
 * that unnecessary (cg_nan_before_step). */
static void defer(jit_codegen *g, jit_fshape s, jit_reg r) {
  g->nan_pending = true;
  g->nan_pending_shape = (uint8_t)s;
  g->nan_pending_reg = r;
}

void cg_canon_fbinop(jit_codegen *g, jit_fbinop op, jit_type t, jit_reg r) {
  if (!g->deterministic || op == JF_COPYSIGN) return;
  defer(g, scalar_shape(t), r);
}

void cg_canon_funop(jit_codegen *g, jit_funop op, jit_type t, jit_reg r) {
  if (!g->deterministic || op == JFU_ABS || op == JFU_NEG) return;
  defer(g, scalar_shape(t), r);
}

void cg_canon_convert(jit_codegen *g, jit_convop op, jit_reg r) {
  if (!g->deterministic) return;
  if (op == JCV_F32_DEMOTE_F64) defer(g, JFS_F32, r);
  if (op == JCV_F64_PROMOTE_F32) defer(g, JFS_F64, r);
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
  if (shape >= 0) defer(g, (jit_fshape)shape, r);
}

/* The float shape an instruction takes from the top of the stack when it
 * is one after which a NaN's bits there do not matter, or -1: the
 * NaN-producing ops (one-byte codes by their ranges, the f32/f64 compares
 * included) and the SIMD float compares and NaN-producing ops. */
static int shape_indifferent_to_payload(const jit_instr *in) {
  const jit_opinfo *info = &jit_opinfo_table[in->op];
  uint32_t c = info->code;
  if (info->prefix == 0xFD) {
    if (c >= 65 && c <= 70) return JFS_F32X4; /* f32x4.eq .. ge */
    if (c >= 71 && c <= 76) return JFS_F64X2; /* f64x2.eq .. ge */
    if (c == 94) return JFS_F64X2;            /* demote reads f64x2 */
    if (c == 95) return JFS_F32X4;            /* promote reads f32x4 */
    return simd_nan_shape(c);
  }
  if (info->prefix != 0) return -1;
  if (in->op == OP_DROP) return g_any_shape;
  if ((c >= 0x5B && c <= 0x60) || (c >= 0x8D && c <= 0x97) || c == 0xBB)
    return JFS_F32; /* compares, ceil..sqrt, add..max, promote */
  if ((c >= 0x61 && c <= 0x66) || (c >= 0x9B && c <= 0xA5) || c == 0xB6)
    return JFS_F64;
  return -1;
}

void cg_nan_before_step(jit_codegen *g, const jit_instr *in) {
  if (!g->nan_pending) return;
  g->nan_pending = false;
  int shape = shape_indifferent_to_payload(in);
  if (shape == g_any_shape || shape == g->nan_pending_shape) return;
  const cg_value *top = g->sp ? &g->stack[g->sp - 1] : NULL;
  if (!top || top->kind != CG_REG || top->reg != g->nan_pending_reg) {
    cg_fail(g, "code generator: NaN result left the top of the stack");
    return;
  }
  masm_canon_nan(g->m, (jit_fshape)g->nan_pending_shape, top->reg);
}
