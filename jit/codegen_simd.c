/* The code generator's visitor for the 0xFD (SIMD) opcodes: it moves
 * operands between the abstract stack and registers by the instruction's
 * stack shape and lets the backend (masm_vop/masm_vmem) emit the lane
 * arithmetic. Only a backend without SIMD at all refuses a function as
 * "not supported" (g->simd, checked before this visitor runs); an op that
 * a SIMD backend does not implement is a compile error naming the op, so
 * that a lost lowering fails the spec tests instead of skipping them. */
#include "codegen_internal.h"

#include <stdio.h>

/* Stack shapes of the SIMD instructions. */
typedef enum vshape {
  VS_NONE,      /* not a register op (memory, const) */
  VS_UN,        /* v -> v */
  VS_BIN,       /* v v -> v */
  VS_TERN,      /* v v v -> v */
  VS_TEST,      /* v -> i32 */
  VS_SHIFT,     /* v i32 -> v */
  VS_SPLAT,     /* scalar -> v */
  VS_EXTRACT,   /* v -> scalar (lane immediate) */
  VS_REPLACE,   /* v scalar -> v (lane immediate) */
} vshape;

static bool in_list(uint32_t op, const uint8_t *ops, unsigned n) {
  for (unsigned i = 0; i < n; i++)
    if (ops[i] == op) return true;
  return false;
}

static vshape shape_of(uint32_t op) {
  static const uint8_t tests[] = {83, 99, 100, 131, 132, 163, 164, 195, 196};
  static const uint8_t shifts[] = {107, 108, 109, 139, 140, 141,
                                   171, 172, 173, 203, 204, 205};
  static const uint8_t unary[] = {
      77,  94,  95,  96,  97,  98,  103, 104, 105, 106, 116, 117, 122,
      124, 125, 126, 127, 128, 129, 135, 136, 137, 138, 148, 160, 161,
      167, 168, 169, 170, 192, 193, 199, 200, 201, 202, 224, 225, 227,
      236, 237, 239, 248, 249, 250, 251, 252, 253, 254, 255};
  if (op <= 12) return VS_NONE;
  if (op == 13 || op == 14) return VS_BIN;
  if (op <= 20) return VS_SPLAT;
  if (op <= 34) {
    static const uint8_t replaces[] = {23, 26, 28, 30, 32, 34};
    return in_list(op, replaces, sizeof replaces) ? VS_REPLACE : VS_EXTRACT;
  }
  if (op == 82) return VS_TERN;
  if (op >= 84 && op <= 93) return VS_NONE;
  if (in_list(op, tests, sizeof tests)) return VS_TEST;
  if (in_list(op, shifts, sizeof shifts)) return VS_SHIFT;
  if (in_list(op, unary, sizeof unary)) return VS_UN;
  return VS_BIN;
}

/* The scalar type a splat takes or an extract/replace lane carries. */
static jit_type lane_scalar_type(uint32_t op) {
  switch (op) {
  case 18: case 29: case 30: return JT_I64;
  case 19: case 31: case 32: return JT_F32;
  case 20: case 33: case 34: return JT_F64;
  default: return JT_I32;
  }
}

static void refuse(jit_codegen *g, const jit_instr *in) {
  char why[128];
  snprintf(why, sizeof why, "SIMD instruction %s not implemented by this "
           "backend", jit_opinfo_table[in->op].text);
  cg_fail(g, why);
}

static void visit_vreg_op(jit_codegen *g, const jit_instr *in, uint32_t op,
                          vshape shape) {
  jit_reg src[3] = {JIT_NO_REG, JIT_NO_REG, JIT_NO_REG};
  unsigned n = shape == VS_TERN ? 3
               : (shape == VS_BIN || shape == VS_SHIFT || shape == VS_REPLACE) ? 2
                                                                             : 1;
  for (unsigned k = n; k-- > 0;) src[k] = cg_pop_reg(g);
  jit_type rt = JT_V128;
  if (shape == VS_TEST) rt = JT_I32;
  if (shape == VS_EXTRACT) rt = lane_scalar_type(op);
  jit_reg dst = cg_alloc_for(g, rt);
  const uint8_t *imm = in->u.v128;
  uint8_t lane = in->u.lane;
  if (op != 13) imm = &lane;
  if (!masm_vop(g->m, op, dst, src, imm)) {
    cg_free(g, dst);
    refuse(g, in);
  } else {
    cg_canon_simd(g, op, dst);
    cg_push_reg(g, rt, dst);
  }
  for (unsigned k = 0; k < n; k++) cg_free(g, src[k]);
}

static void visit_vconst(jit_codegen *g, const uint8_t *bytes) {
  uint64_t lo = 0, hi = 0;
  for (int i = 7; i >= 0; i--) {
    lo = lo << 8 | bytes[i];
    hi = hi << 8 | bytes[8 + i];
  }
  /* A constant with a zero upper half stays abstract: the generic moves
   * store and materialise v128 constants zero-extended from 64 bits. */
  if (hi == 0) {
    cg_push_const(g, JT_V128, lo);
    return;
  }
  jit_reg dst = cg_alloc(g, true);
  masm_vconst(g->m, dst, bytes);
  cg_push_reg(g, JT_V128, dst);
}

static jit_opnd pop_vaddress(jit_codegen *g) {
  if (g->sp > 0 && g->stack[g->sp - 1].kind == CG_CONST) {
    cg_value v = cg_pop(g);
    return jit_imm_opnd((int64_t)(uint32_t)v.bits);
  }
  return jit_reg_opnd(cg_pop_reg(g));
}

static void free_address(jit_codegen *g, jit_opnd addr) {
  if (!addr.is_imm) cg_free(g, addr.reg);
}

static bool is_store(uint32_t op) { return op == 11 || (op >= 88 && op <= 91); }
static bool is_lane_load(uint32_t op) { return op >= 84 && op <= 87; }

static void visit_vmem(jit_codegen *g, const jit_instr *in, uint32_t op) {
  uint32_t offset = in->u.mem.offset;
  uint8_t lane = in->u.mem.lane;
  if (is_store(op) || is_lane_load(op)) {
    jit_reg v = cg_pop_reg(g);
    jit_opnd addr = pop_vaddress(g);
    bool ok = masm_vmem(g->m, op, v, addr, offset, lane);
    free_address(g, addr);
    if (!ok) refuse(g, in);
    if (is_store(op) || !ok)
      cg_free(g, v);
    else
      cg_push_reg(g, JT_V128, v);
    return;
  }
  jit_opnd addr = pop_vaddress(g);
  jit_reg dst = cg_alloc(g, true);
  bool ok = masm_vmem(g->m, op, dst, addr, offset, 0);
  free_address(g, addr);
  if (!ok) {
    cg_free(g, dst);
    refuse(g, in);
    return;
  }
  cg_push_reg(g, JT_V128, dst);
}

void cg_visit_simd(jit_codegen *g, const jit_instr *in) {
  uint32_t op = jit_opinfo_table[in->op].code;
  if (op == 12) {
    visit_vconst(g, in->u.v128);
    return;
  }
  vshape shape = shape_of(op);
  if (shape == VS_NONE)
    visit_vmem(g, in, op);
  else
    visit_vreg_op(g, in, op, shape);
}
