/* Deterministic mode: which wasm operations get their NaN results
 * canonicalised, decided here for every ISA from the NAN column of
 * jit/opcodes.def; the backends only know how (masm_canon_nan).
 *
 * Wasm lets an arithmetic float operation return any NaN with the quiet
 * bit set (a "nan:arithmetic"), and x86-64 and AArch64 pick different
 * ones: 0/0 is 0xffc00000 on x86-64 and 0x7fc00000 on AArch64, and with
 * two NaN operands they propagate different payloads. Operations the spec
 * defines bit-exactly (abs, neg, copysign, reinterpret, loads, stores,
 * constants, select, moves, pmin/pmax, which select an operand) are left
 * alone, as are conversions from integers, which never produce a NaN.
 * Relaxed SIMD's madd/nmadd and min/max make NaNs too: their rows say so
 * in the NAN column, and deterministic mode gives them a fixed lowering
 * first (codegen_simd.c), whose NaN results are canonicalised here.
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

/* The NAN column of opcodes.def: the shape of a NaN the op's result may
 * be (NONE: it makes none of its own), and the shape of the operands whose
 * payloads it ignores (ANY: drop, any value). */
enum { NONE = -1, ANY = 100 };
typedef struct nan_rule {
  int8_t out, in;
} nan_rule;

#define NAN_EXACT {NONE, NONE}
#define NAN_ANY {NONE, ANY}
#define NAN_F32 {JFS_F32, JFS_F32}
#define NAN_F64 {JFS_F64, JFS_F64}
#define NAN_F32X4 {JFS_F32X4, JFS_F32X4}
#define NAN_F64X2 {JFS_F64X2, JFS_F64X2}
#define NAN_IN_F32 {NONE, JFS_F32}
#define NAN_IN_F64 {NONE, JFS_F64}
#define NAN_IN_F32X4 {NONE, JFS_F32X4}
#define NAN_IN_F64X2 {NONE, JFS_F64X2}
#define NAN_F32_FROM_F64 {JFS_F32, JFS_F64}
#define NAN_F64_FROM_F32 {JFS_F64, JFS_F32}
#define NAN_F32X4_FROM_F64X2 {JFS_F32X4, JFS_F64X2}
#define NAN_F64X2_FROM_F32X4 {JFS_F64X2, JFS_F32X4}

static const nan_rule nan_rules[OP_COUNT] = {
#define OP(name, text, prefix, code, imm, sig, nan, ...) \
  [OP_##name] = NAN_##nan,
#include "opcodes.def"
#undef OP
};

/* r holds a result that may be a NaN of the hardware's choosing, just
 * pushed: canonicalise it unless what comes next makes that unneeded
 * (cg_nan_before_step). */
static void defer(jit_codegen *g, jit_fshape s, jit_reg r) {
  g->nan_pending = true;
  g->nan_pending_shape = (uint8_t)s;
  g->nan_pending_reg = r;
  g->nan_pending_index = g->sp - 1;
}

void cg_nan_step_after(jit_codegen *g, const jit_instr *in) {
  if (g->done) return;
  int out = nan_rules[in->op].out;
  if (out == NONE) return;
  const cg_value *top = g->sp ? &g->stack[g->sp - 1] : NULL;
  if (!top || top->kind != CG_REG) {
    cg_fail(g, "code generator: a NaN-producing op left no register");
    return;
  }
  defer(g, (jit_fshape)out, top->reg);
}

/* The number of values an op pops, from its SIG ("pops:pushes"). */
static unsigned pops(const jit_instr *in) {
  const char *sig = jit_opinfo_table[in->op].sig;
  unsigned n = 0;
  while (sig && sig[n] && sig[n] != ':') n++;
  return n;
}

/* Does `in` take the top `*arity` values of the stack without caring
 * about NaN payloads among its float operands of lane shape *shape? */
static bool ignores_payloads(const jit_instr *in, int *shape,
                             unsigned *arity) {
  *shape = nan_rules[in->op].in;
  *arity = *shape == ANY ? 1 : pops(in);
  return *shape != NONE;
}

/* Does `in` leave the values on the stack alone, only pushing new ones?
 * local.get, constants and loads (whose address is above the pending
 * value). They may allocate registers, and so spill the pending value:
 * cg_nan_before_spill canonicalises it then. */
static bool only_pushes(const jit_instr *in) {
  const jit_opinfo *info = &jit_opinfo_table[in->op];
  if (in->op == OP_LOCAL_GET) return true;
  if (!info->sig) return false;
  if (info->sig[0] == ':') return true; /* constants */
  return info->imm == IMM_MEMARG && pops(in) == 1 && info->sig[2]; /* loads */
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
      (shape == ANY || shape == g->nan_pending_shape)) {
    g->nan_pending = false; /* consumed */
    return;
  }
  if (only_pushes(in)) return;
  emit_pending(g);
}

void cg_nan_before_spill(jit_codegen *g, uint32_t i) {
  if (g->nan_pending && i == g->nan_pending_index) emit_pending(g);
}
