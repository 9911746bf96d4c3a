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
 * Relaxed SIMD (issue 7, not implemented yet) adds NaN-producing ops
 * (relaxed madd/nmadd, min/max): they belong in these tables, with the
 * fixed lowering deterministic mode needs for them, when they come.
 *
 * The canonicalisation of a result is deferred while the instructions
 * that follow only push values (local.get, constants, loads): when one
 * then takes it as an operand of another NaN-producing op (whose own
 * result is canonicalised in turn), of a float compare (a NaN's bits
 * cannot change its outcome) or of a drop, nothing is emitted for it. So
 * `a; b; mul; c; load; add` canonicalises once, after the add. Any other
 * instruction first canonicalises the register in place, where the value
 * still is; a spill of it in between canonicalises before the store.
 *
 * Off by default, and then free: every hook returns before emitting. */
#include "codegen_internal.h"

void jit_codegen_set_deterministic(jit_codegen *g, bool on) {
  g->deterministic = on;
}

/* The shape ignores_payloads gives for a drop: any value. */
enum { ANY_SHAPE = 100 };

static jit_fshape scalar_shape(jit_type t) {
  return t == JT_F64 ? JFS_F64 : JFS_F32;
}

/* r holds a result that may be a NaN of the hardware's choosing, about to
 * be pushed: canonicalise it unless what comes next makes that unneeded
 * (cg_nan_before_step). */
static void defer(jit_codegen *g, jit_fshape s, jit_reg r) {
  g->nan_pending = true;
  g->nan_pending_shape = (uint8_t)s;
  g->nan_pending_reg = r;
  g->nan_pending_index = g->sp;
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

/* Does `in` take the top `*arity` values of the stack without caring
 * about NaN payloads among its float operands of lane shape *shape? The
 * NaN-producing ops (one-byte codes by their ranges), the float compares
 * and drop do. */
static bool ignores_payloads(const jit_instr *in, int *shape,
                             unsigned *arity) {
  const jit_opinfo *info = &jit_opinfo_table[in->op];
  uint32_t c = info->code;
  *arity = 1;
  if (in->op == OP_DROP) {
    *shape = ANY_SHAPE;
    return true;
  }
  if (info->prefix == 0xFD) {
    *arity = (c >= 65 && c <= 76) || (c >= 228 && c <= 233) ||
                     (c >= 240 && c <= 245)
                 ? 2 : 1;
    if (c >= 65 && c <= 70) *shape = JFS_F32X4;      /* f32x4.eq .. ge */
    else if (c >= 71 && c <= 76) *shape = JFS_F64X2; /* f64x2.eq .. ge */
    else if (c == 94) *shape = JFS_F64X2;            /* demote reads f64x2 */
    else if (c == 95) *shape = JFS_F32X4;            /* promote: f32x4 */
    else *shape = simd_nan_shape(c);
    return *shape >= 0;
  }
  if (info->prefix != 0) return false;
  if ((c >= 0x5B && c <= 0x60) || (c >= 0x92 && c <= 0x97)) {
    *shape = JFS_F32; /* compares, add .. max */
    *arity = 2;
  } else if ((c >= 0x8D && c <= 0x91) || c == 0xBB) {
    *shape = JFS_F32; /* ceil .. sqrt, promote */
  } else if ((c >= 0x61 && c <= 0x66) || (c >= 0xA0 && c <= 0xA5)) {
    *shape = JFS_F64;
    *arity = 2;
  } else if ((c >= 0x9B && c <= 0x9F) || c == 0xB6) {
    *shape = JFS_F64; /* ceil .. sqrt, demote */
  } else {
    return false;
  }
  return true;
}

/* Does `in` leave the values on the stack alone, only pushing new ones?
 * local.get, constants and loads (whose address is above the pending
 * value). They may allocate registers, and so spill the pending value:
 * cg_nan_before_spill canonicalises it then. */
static bool only_pushes(const jit_instr *in) {
  const jit_opinfo *info = &jit_opinfo_table[in->op];
  if (info->prefix == 0xFD) return info->code == 0 || info->code == 12;
  if (info->prefix != 0) return false;
  return in->op == OP_LOCAL_GET || (info->code >= 0x41 && info->code <= 0x44) ||
         (info->code >= 0x28 && info->code <= 0x35);
}

static void emit_pending(jit_codegen *g) {
  g->nan_pending = false;
  masm_canon_nan(g->m, (jit_fshape)g->nan_pending_shape, g->nan_pending_reg);
}

void cg_nan_step(jit_codegen *g, const jit_instr *in) {
  uint32_t i = g->nan_pending_index;
  if (i >= g->sp || g->stack[i].kind != CG_REG ||
      g->stack[i].reg != g->nan_pending_reg) {
    g->nan_pending = false;
    cg_fail(g, "code generator: a NaN result to canonicalise was moved");
    return;
  }
  uint32_t depth = g->sp - 1 - i; /* 0: the top */
  int shape;
  unsigned arity;
  if (ignores_payloads(in, &shape, &arity) && depth < arity &&
      (shape == ANY_SHAPE || shape == g->nan_pending_shape)) {
    g->nan_pending = false; /* consumed */
    return;
  }
  if (only_pushes(in)) return;
  emit_pending(g);
}

void cg_nan_before_spill(jit_codegen *g, uint32_t i) {
  if (g->nan_pending && i == g->nan_pending_index) emit_pending(g);
}
