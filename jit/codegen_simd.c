/* The code generator's visitor for the 0xFD (SIMD) opcodes: it moves
 * operands between the abstract stack and registers by the instruction's
 * stack shape and lets the backend (masm_vop/masm_vmem) emit the lane
 * arithmetic. Only a backend without SIMD at all refuses a function as
 * "not supported" (g->simd, checked before this visitor runs); an op that
 * a SIMD backend does not implement is a compile error naming the op, so
 * that a lost lowering fails the spec tests instead of skipping them. */
#include "codegen_internal.h"

#include <stdio.h>

static void refuse(jit_codegen *g, const jit_instr *in) {
  char why[128];
  snprintf(why, sizeof why, "SIMD instruction %s not implemented by this "
           "backend", jit_opinfo_table[in->op].text);
  cg_fail(g, why);
}

void cg_visit_vop(jit_codegen *g, const jit_instr *in, jit_vop op,
                  cg_vshape shape, jit_type scalar) {
  jit_reg src[3] = {JIT_NO_REG, JIT_NO_REG, JIT_NO_REG};
  bool binary = shape == VS_BIN || shape == VS_SHIFT || shape == VS_REPLACE;
  unsigned n = shape == VS_TERN ? 3 : binary ? 2 : 1;
  for (unsigned k = n; k-- > 0;) src[k] = cg_pop_reg(g);
  jit_type rt = JT_V128;
  if (shape == VS_TEST) rt = JT_I32;
  if (shape == VS_EXTRACT) rt = scalar;
  jit_reg dst = cg_alloc_for(g, rt);
  const uint8_t *imm = in->u.v128;
  uint8_t lane = in->u.lane;
  if (op != JV_I8X16_SHUFFLE) imm = &lane;
  if (!masm_vop(g->m, op, dst, src, imm)) {
    cg_free(g, dst);
    refuse(g, in);
  } else {
    cg_push_reg(g, rt, dst);
  }
  for (unsigned k = 0; k < n; k++) cg_free(g, src[k]);
}

/* Relaxed SIMD. Natively the backend picks one of the results the spec
 * allows, always the same one for a given op (it has one lowering per op,
 * chosen by the CPU's features at most, which are fixed for the process).
 * Deterministic mode wants the same bits on every ISA, so it lowers each
 * op to a strict one that both compute exactly: the row's det. */
void cg_visit_vrelaxed(jit_codegen *g, const jit_instr *in, jit_vop op,
                       cg_vshape shape, jit_vop det) {
  cg_visit_vop(g, in, g->deterministic ? det : op, shape, JT_V128);
}

/* madd(a, b, c) = a * b + c, nmadd = -(a * b) + c. Natively the backend
 * fuses where it can. A fused result cannot be had on x86-64 without FMA
 * short of a software fma, so deterministic mode rounds twice on every
 * ISA: t = mul(a, b), then add(c, t) (or sub(c, t), which is -(a * b) + c
 * exactly: round-to-nearest is symmetric and x - y is x + -y). Which NaN
 * comes out does not matter there: the row's NAN rule canonicalises the
 * result. */
void cg_visit_vfma(jit_codegen *g, const jit_instr *in, jit_vop op,
                   jit_vop mul, jit_vop add) {
  if (!g->deterministic) {
    cg_visit_vop(g, in, op, VS_TERN, JT_V128);
    return;
  }
  jit_reg c = cg_pop_reg(g);
  jit_reg b = cg_pop_reg(g);
  jit_reg a = cg_pop_reg(g);
  jit_reg t = cg_alloc(g, true);
  jit_reg dst = cg_alloc(g, true);
  const uint8_t no_lane = 0;
  const jit_reg prod_src[3] = {a, b, JIT_NO_REG};
  const jit_reg sum_src[3] = {c, t, JIT_NO_REG};
  if (!masm_vop(g->m, mul, t, prod_src, &no_lane) ||
      !masm_vop(g->m, add, dst, sum_src, &no_lane)) {
    cg_free(g, dst);
    refuse(g, in);
  } else {
    cg_push_reg(g, JT_V128, dst);
  }
  cg_free(g, t);
  cg_free(g, a);
  cg_free(g, b);
  cg_free(g, c);
}

void cg_visit_vconst(jit_codegen *g, const jit_instr *in) {
  const uint8_t *bytes = in->u.v128;
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

/* The address (owned), checked for a memory64 (cg_check_address64);
 * *offset becomes what the masm takes. */
static jit_opnd pop_vaddress(jit_codegen *g, const jit_instr *in,
                             uint32_t *offset) {
  bool is64 = cg_memory_is64(g, in->u.mem.memory);
  jit_opnd addr;
  if (g->sp > 0 && g->stack[g->sp - 1].kind == CG_CONST) {
    cg_value v = cg_pop(g);
    addr = jit_imm_opnd(is64 ? (int64_t)v.bits : (int64_t)(uint32_t)v.bits);
  } else {
    addr = jit_reg_opnd(cg_pop_reg(g));
  }
  unsigned size_log2 = jit_access_size_log2((jit_op)in->op);
  *offset = is64 ? cg_check_address64(g, in->u.mem.memory, &addr,
                                      in->u.mem.offset, size_log2)
                 : cg_check_address32(g, in->u.mem.memory, &addr,
                                      (uint32_t)in->u.mem.offset, size_log2);
  return addr;
}

static void free_address(jit_codegen *g, jit_opnd addr) {
  if (!addr.is_imm) cg_free(g, addr.reg);
}

void cg_visit_vmem(jit_codegen *g, const jit_instr *in, jit_vop op,
                   cg_vmem kind) {
  uint32_t offset;
  uint8_t lane = in->u.mem.lane;
  bool store = kind == VM_STORE || kind == VM_STORE_LANE;
  jit_reg base = cg_memory_begin(g, in->u.mem.memory);
  if (store || kind == VM_LOAD_LANE) {
    jit_reg v = cg_pop_reg(g);
    jit_opnd addr = pop_vaddress(g, in, &offset);
    bool ok = masm_vmem(g->m, op, v, addr, offset, lane);
    free_address(g, addr);
    cg_memory_end(g, base);
    if (!ok) refuse(g, in);
    if (store || !ok)
      cg_free(g, v);
    else
      cg_push_reg(g, JT_V128, v);
    return;
  }
  jit_opnd addr = pop_vaddress(g, in, &offset);
  jit_reg dst = cg_alloc(g, true);
  bool ok = masm_vmem(g->m, op, dst, addr, offset, 0);
  free_address(g, addr);
  cg_memory_end(g, base);
  if (!ok) {
    cg_free(g, dst);
    refuse(g, in);
    return;
  }
  cg_push_reg(g, JT_V128, dst);
}
