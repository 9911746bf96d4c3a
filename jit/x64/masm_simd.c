/* The x86-64 MacroAssembler, SIMD part: Wasm 2.0 v128 operations and
 * relaxed SIMD lowered to SSE2/SSSE3/SSE4.1 (SSE4.2 for the i64x2 ordered
 * compares, FMA for relaxed madd where the CPU has it). Same scratch
 * registers as masm.c. */
#include <string.h>

#include "masm_internal.h"
#include "wrun.h"

/* ---- SIMD (SSE2, SSSE3, SSE4.1; SSE4.2 for i64x2 ordered compares) ------- */

bool x64_masm_simd_supported(void) {
  return (x64_cpu_vector_features() & 3) == 3;
}

/* reg/rm forms of the vector instructions: prefix, opcode (1-3 bytes). */
static void vrr(jit_masm *m, uint8_t prefix, uint32_t opc, uint8_t reg,
                uint8_t rm) {
  x64_emit_rr(&m->buf, prefix, opc, false, reg, rm, 0);
}

static void vrri(jit_masm *m, uint8_t prefix, uint32_t opc, uint8_t reg,
                 uint8_t rm, uint8_t imm) {
  vrr(m, prefix, opc, reg, rm);
  jit_buf_u8(&m->buf, imm);
}

/* Shift of every lane by an immediate: group opcode 0x0F71/72/73 /digit. */
static void vshift_imm(jit_masm *m, uint32_t opc, uint8_t digit, uint8_t x,
                       uint8_t count) {
  vrri(m, 0x66, opc, digit, x, count);
}

static void vmov(jit_masm *m, uint8_t d, uint8_t s) {
  if (d != s) x64_sse_rr(&m->buf, X64_MOVAPS, d, s);
}

/* x = the 128-bit constant lo | hi << 64 (through rax). */
static void vconst_bits(jit_masm *m, uint8_t x, uint64_t lo, uint64_t hi) {
  jit_buf *b = &m->buf;
  x64_mov_ri(b, true, SCRATCH_A, lo);
  x64_movd_xr(b, true, x, SCRATCH_A);
  if (hi) {
    x64_mov_ri(b, true, SCRATCH_A, hi);
    x64_emit_rr(b, 0x66, 0x0F3A22, true, x, SCRATCH_A, 0); /* pinsrq */
    jit_buf_u8(b, 1);
  }
}

static void vconst_splat64(jit_masm *m, uint8_t x, uint64_t v) {
  vconst_bits(m, x, v, v);
}

static uint64_t rep8(uint8_t v) { return 0x0101010101010101ull * v; }
static uint64_t rep16(uint16_t v) { return 0x0001000100010001ull * v; }
static uint64_t rep32(uint32_t v) { return 0x0000000100000001ull * v; }

void x64_masm_vconst(jit_masm *m, jit_reg dst, const uint8_t bytes[16]) {
  uint64_t lo, hi;
  memcpy(&lo, bytes, 8);
  memcpy(&hi, bytes + 8, 8);
  vconst_bits(m, hw(dst), lo, hi);
}

static void vnot_into(jit_masm *m, uint8_t d) {
  vrr(m, 0x66, 0x0F76, FSCRATCH, FSCRATCH); /* pcmpeqd: all ones */
  vrr(m, 0x66, 0x0FEF, d, FSCRATCH);        /* pxor */
}

/* One-instruction binary ops: d = a op b (rev: d = b op a), then
 * optionally inverted (for ne/le/ge built from eq/gt). */
typedef struct vbin {
  uint8_t op, prefix;
  uint32_t opc;
  bool rev, invert;
  int16_t imm; /* -1: none */
} vbin;

static const vbin vbins[] = {
    /* i8x16 compares (signed via pcmpgtb) */
    {JV_I8X16_EQ, 0x66, 0x0F74, 0, 0, -1},
    {JV_I8X16_NE, 0x66, 0x0F74, 0, 1, -1},
    {JV_I8X16_LT_S, 0x66, 0x0F64, 1, 0, -1},
    {JV_I8X16_GT_S, 0x66, 0x0F64, 0, 0, -1},
    {JV_I8X16_LE_S, 0x66, 0x0F64, 0, 1, -1},
    {JV_I8X16_GE_S, 0x66, 0x0F64, 1, 1, -1},
    /* i16x8 */
    {JV_I16X8_EQ, 0x66, 0x0F75, 0, 0, -1},
    {JV_I16X8_NE, 0x66, 0x0F75, 0, 1, -1},
    {JV_I16X8_LT_S, 0x66, 0x0F65, 1, 0, -1},
    {JV_I16X8_GT_S, 0x66, 0x0F65, 0, 0, -1},
    {JV_I16X8_LE_S, 0x66, 0x0F65, 0, 1, -1},
    {JV_I16X8_GE_S, 0x66, 0x0F65, 1, 1, -1},
    /* i32x4 */
    {JV_I32X4_EQ, 0x66, 0x0F76, 0, 0, -1},
    {JV_I32X4_NE, 0x66, 0x0F76, 0, 1, -1},
    {JV_I32X4_LT_S, 0x66, 0x0F66, 1, 0, -1},
    {JV_I32X4_GT_S, 0x66, 0x0F66, 0, 0, -1},
    {JV_I32X4_LE_S, 0x66, 0x0F66, 0, 1, -1},
    {JV_I32X4_GE_S, 0x66, 0x0F66, 1, 1, -1},
    /* f32x4 / f64x2 compares: cmpps/cmppd predicates eq 0, lt 1, le 2,
     * neq_uq 4 (true on NaN, as wasm ne) */
    {JV_F32X4_EQ, 0, 0x0FC2, 0, 0, 0}, {JV_F32X4_NE, 0, 0x0FC2, 0, 0, 4},
    {JV_F32X4_LT, 0, 0x0FC2, 0, 0, 1}, {JV_F32X4_GT, 0, 0x0FC2, 1, 0, 1},
    {JV_F32X4_LE, 0, 0x0FC2, 0, 0, 2}, {JV_F32X4_GE, 0, 0x0FC2, 1, 0, 2},
    {JV_F64X2_EQ, 0x66, 0x0FC2, 0, 0, 0}, {JV_F64X2_NE, 0x66, 0x0FC2, 0, 0, 4},
    {JV_F64X2_LT, 0x66, 0x0FC2, 0, 0, 1}, {JV_F64X2_GT, 0x66, 0x0FC2, 1, 0, 1},
    {JV_F64X2_LE, 0x66, 0x0FC2, 0, 0, 2}, {JV_F64X2_GE, 0x66, 0x0FC2, 1, 0, 2},
    /* bitwise: andnot(a, b) = a & ~b = pandn with b first */
    {JV_V128_AND, 0x66, 0x0FDB, 0, 0, -1},
    {JV_V128_ANDNOT, 0x66, 0x0FDF, 1, 0, -1},
    {JV_V128_OR, 0x66, 0x0FEB, 0, 0, -1}, {JV_V128_XOR, 0x66, 0x0FEF, 0, 0, -1},
    /* narrow */
    {JV_I8X16_NARROW_I16X8_S, 0x66, 0x0F63, 0, 0, -1},
    {JV_I8X16_NARROW_I16X8_U, 0x66, 0x0F67, 0, 0, -1},
    {JV_I16X8_NARROW_I32X4_S, 0x66, 0x0F6B, 0, 0, -1},
    {JV_I16X8_NARROW_I32X4_U, 0x66, 0x0F382B, 0, 0, -1},
    /* i8x16 arithmetic */
    {JV_I8X16_ADD, 0x66, 0x0FFC, 0, 0, -1},
    {JV_I8X16_ADD_SAT_S, 0x66, 0x0FEC, 0, 0, -1},
    {JV_I8X16_ADD_SAT_U, 0x66, 0x0FDC, 0, 0, -1},
    {JV_I8X16_SUB, 0x66, 0x0FF8, 0, 0, -1},
    {JV_I8X16_SUB_SAT_S, 0x66, 0x0FE8, 0, 0, -1},
    {JV_I8X16_SUB_SAT_U, 0x66, 0x0FD8, 0, 0, -1},
    {JV_I8X16_MIN_S, 0x66, 0x0F3838, 0, 0, -1},
    {JV_I8X16_MIN_U, 0x66, 0x0FDA, 0, 0, -1},
    {JV_I8X16_MAX_S, 0x66, 0x0F383C, 0, 0, -1},
    {JV_I8X16_MAX_U, 0x66, 0x0FDE, 0, 0, -1},
    {JV_I8X16_AVGR_U, 0x66, 0x0FE0, 0, 0, -1},
    /* i16x8 arithmetic */
    {JV_I16X8_ADD, 0x66, 0x0FFD, 0, 0, -1},
    {JV_I16X8_ADD_SAT_S, 0x66, 0x0FED, 0, 0, -1},
    {JV_I16X8_ADD_SAT_U, 0x66, 0x0FDD, 0, 0, -1},
    {JV_I16X8_SUB, 0x66, 0x0FF9, 0, 0, -1},
    {JV_I16X8_SUB_SAT_S, 0x66, 0x0FE9, 0, 0, -1},
    {JV_I16X8_SUB_SAT_U, 0x66, 0x0FD9, 0, 0, -1},
    {JV_I16X8_MUL, 0x66, 0x0FD5, 0, 0, -1},
    {JV_I16X8_MIN_S, 0x66, 0x0FEA, 0, 0, -1},
    {JV_I16X8_MIN_U, 0x66, 0x0F383A, 0, 0, -1},
    {JV_I16X8_MAX_S, 0x66, 0x0FEE, 0, 0, -1},
    {JV_I16X8_MAX_U, 0x66, 0x0F383E, 0, 0, -1},
    {JV_I16X8_AVGR_U, 0x66, 0x0FE3, 0, 0, -1},
    /* i32x4 arithmetic */
    {JV_I32X4_ADD, 0x66, 0x0FFE, 0, 0, -1},
    {JV_I32X4_SUB, 0x66, 0x0FFA, 0, 0, -1},
    {JV_I32X4_MUL, 0x66, 0x0F3840, 0, 0, -1},
    {JV_I32X4_MIN_S, 0x66, 0x0F3839, 0, 0, -1},
    {JV_I32X4_MIN_U, 0x66, 0x0F383B, 0, 0, -1},
    {JV_I32X4_MAX_S, 0x66, 0x0F383D, 0, 0, -1},
    {JV_I32X4_MAX_U, 0x66, 0x0F383F, 0, 0, -1},
    {JV_I32X4_DOT_I16X8_S, 0x66, 0x0FF5, 0, 0, -1},
    /* i64x2 */
    {JV_I64X2_ADD, 0x66, 0x0FD4, 0, 0, -1},
    {JV_I64X2_SUB, 0x66, 0x0FFB, 0, 0, -1},
    {JV_I64X2_EQ, 0x66, 0x0F3829, 0, 0, -1},
    {JV_I64X2_NE, 0x66, 0x0F3829, 0, 1, -1},
    /* float arithmetic; pmin(a, b) = b < a ? b : a = minps(b, a) */
    {JV_F32X4_ADD, 0, 0x0F58, 0, 0, -1}, {JV_F32X4_SUB, 0, 0x0F5C, 0, 0, -1},
    {JV_F32X4_MUL, 0, 0x0F59, 0, 0, -1}, {JV_F32X4_DIV, 0, 0x0F5E, 0, 0, -1},
    {JV_F32X4_PMIN, 0, 0x0F5D, 1, 0, -1}, {JV_F32X4_PMAX, 0, 0x0F5F, 1, 0, -1},
    {JV_F64X2_ADD, 0x66, 0x0F58, 0, 0, -1},
    {JV_F64X2_SUB, 0x66, 0x0F5C, 0, 0, -1},
    {JV_F64X2_MUL, 0x66, 0x0F59, 0, 0, -1},
    {JV_F64X2_DIV, 0x66, 0x0F5E, 0, 0, -1},
    {JV_F64X2_PMIN, 0x66, 0x0F5D, 1, 0, -1},
    {JV_F64X2_PMAX, 0x66, 0x0F5F, 1, 0, -1},
};

/* pcmpgtq (SSE4.2) forms of the i64x2 ordered compares. */
static const vbin vbins_sse42[] = {
    {JV_I64X2_LT_S, 0x66, 0x0F3837, 1, 0, -1},
    {JV_I64X2_GT_S, 0x66, 0x0F3837, 0, 0, -1},
    {JV_I64X2_LE_S, 0x66, 0x0F3837, 0, 1, -1},
    {JV_I64X2_GE_S, 0x66, 0x0F3837, 1, 1, -1},
};

static const vbin *find_vbin(const vbin *t, size_t n, jit_vop op) {
  for (size_t i = 0; i < n; i++)
    if (t[i].op == op) return &t[i];
  return NULL;
}

static void emit_vbin(jit_masm *m, const vbin *v, uint8_t d, uint8_t a,
                      uint8_t b) {
  vmov(m, d, v->rev ? b : a);
  if (v->imm >= 0)
    vrri(m, v->prefix, v->opc, d, v->rev ? a : b, (uint8_t)v->imm);
  else
    vrr(m, v->prefix, v->opc, d, v->rev ? a : b);
  if (v->invert) vnot_into(m, d);
}

/* Unsigned compares from min/max: a >= b iff max(a, b) == a. */
static bool emit_ucmp(jit_masm *m, jit_vop op, uint8_t d, uint8_t a,
                      uint8_t b) {
  uint32_t width_ops[3][3] = {/* pmaxu, pminu, pcmpeq */
                              {0x0FDE, 0x0FDA, 0x0F74},
                              {0x0F383E, 0x0F383A, 0x0F75},
                              {0x0F383F, 0x0F383B, 0x0F76}};
  int w, kind; /* kind: 0 lt, 1 gt, 2 le, 3 ge */
  switch (op) {
  case JV_I8X16_LT_U:
  case JV_I8X16_GT_U:
  case JV_I8X16_LE_U:
  case JV_I8X16_GE_U: w = 0; kind = (int)(op - JV_I8X16_LT_U) / 2; break;
  case JV_I16X8_LT_U:
  case JV_I16X8_GT_U:
  case JV_I16X8_LE_U:
  case JV_I16X8_GE_U: w = 1; kind = (int)(op - JV_I16X8_LT_U) / 2; break;
  case JV_I32X4_LT_U:
  case JV_I32X4_GT_U:
  case JV_I32X4_LE_U:
  case JV_I32X4_GE_U: w = 2; kind = (int)(op - JV_I32X4_LT_U) / 2; break;
  default: return false;
  }
  /* ge = max(a,b)==a, le = min(a,b)==a, lt = !ge, gt = !le */
  bool use_max = kind == 0 || kind == 3;
  vmov(m, d, a);
  vrr(m, 0x66, width_ops[w][use_max ? 0 : 1], d, b);
  vrr(m, 0x66, width_ops[w][2], d, a);
  if (kind == 0 || kind == 1) vnot_into(m, d);
  return true;
}

/* Wasm min/max: NaN if either is NaN, -0 < +0 (the orps/subps merge of
 * both operand orders, then NaN lanes canonicalised). */
static void emit_fminmax(jit_masm *m, bool is_min, bool f64, uint8_t d,
                         uint8_t a, uint8_t b) {
  uint8_t p = f64 ? 0x66 : 0;
  uint32_t mm = is_min ? 0x0F5D : 0x0F5F;
  vmov(m, FSCRATCH, b);
  vrr(m, p, mm, FSCRATCH, a);
  vmov(m, d, a);
  vrr(m, p, mm, d, b);
  if (is_min) {
    vrr(m, p, 0x0F56, FSCRATCH, d); /* orps: -0 and NaN win */
    vmov(m, d, FSCRATCH);
    vrri(m, p, 0x0FC2, d, FSCRATCH, 3); /* unordered */
    vrr(m, p, 0x0F56, FSCRATCH, d);
  } else {
    vrr(m, p, 0x0F57, d, FSCRATCH);     /* xorps: the discrepancies */
    vrr(m, p, 0x0F56, FSCRATCH, d);     /* orps */
    vrr(m, p, 0x0F5C, FSCRATCH, d);     /* subps: +0 wins, NaN stays */
    vrri(m, p, 0x0FC2, d, FSCRATCH, 3); /* unordered */
  }
  /* NaN lanes: keep the sign and exponent and quiet bit only */
  if (f64)
    vshift_imm(m, 0x0F73, 2, d, 13);
  else
    vshift_imm(m, 0x0F72, 2, d, 10);
  vrr(m, p, 0x0F55, d, FSCRATCH); /* andnps */
}

static void emit_i64_mul(jit_masm *m, uint8_t d, uint8_t a, uint8_t b) {
  vmov(m, FSCRATCH, a);
  vshift_imm(m, 0x0F73, 2, FSCRATCH, 32);
  vrr(m, 0x66, 0x0FF4, FSCRATCH, b); /* a_hi * b_lo */
  vmov(m, FSCRATCH2, b);
  vshift_imm(m, 0x0F73, 2, FSCRATCH2, 32);
  vrr(m, 0x66, 0x0FF4, FSCRATCH2, a); /* b_hi * a_lo */
  vrr(m, 0x66, 0x0FD4, FSCRATCH, FSCRATCH2);
  vshift_imm(m, 0x0F73, 6, FSCRATCH, 32);
  vmov(m, d, a);
  vrr(m, 0x66, 0x0FF4, d, b); /* a_lo * b_lo */
  vrr(m, 0x66, 0x0FD4, d, FSCRATCH);
}

/* Sign/zero extension of the low (or high) half: pmovsx/pmovzx. */
static void emit_extend(jit_masm *m, uint32_t pmov, bool high, uint8_t d,
                        uint8_t a) {
  if (high) {
    vrri(m, 0x66, 0x0F70, d, a, 0xEE); /* pshufd: high qword down */
    vrr(m, 0x66, pmov, d, d);
  } else {
    vrr(m, 0x66, pmov, d, a);
  }
}

static bool emit_extmul(jit_masm *m, jit_vop op, uint8_t d, uint8_t a,
                        uint8_t b) {
  uint32_t pmov, mul;
  bool high, is_s;
  /* Each shape's four are low_s, high_s, low_u, high_u. */
  if (op >= JV_I16X8_EXTMUL_LOW_I8X16_S &&
      op <= JV_I16X8_EXTMUL_HIGH_I8X16_U) {
    is_s = op <= JV_I16X8_EXTMUL_HIGH_I8X16_S;
    high = (op - JV_I16X8_EXTMUL_LOW_I8X16_S) & 1;
    pmov = is_s ? 0x0F3820 : 0x0F3830;
    mul = 0x0FD5;
  } else if (op >= JV_I32X4_EXTMUL_LOW_I16X8_S &&
             op <= JV_I32X4_EXTMUL_HIGH_I16X8_U) {
    is_s = op <= JV_I32X4_EXTMUL_HIGH_I16X8_S;
    high = (op - JV_I32X4_EXTMUL_LOW_I16X8_S) & 1;
    pmov = is_s ? 0x0F3823 : 0x0F3833;
    mul = 0x0F3840;
  } else if (op >= JV_I64X2_EXTMUL_LOW_I32X4_S &&
             op <= JV_I64X2_EXTMUL_HIGH_I32X4_U) {
    /* pmuldq/pmuludq multiply the even dwords into qwords */
    is_s = op <= JV_I64X2_EXTMUL_HIGH_I32X4_S;
    high = (op - JV_I64X2_EXTMUL_LOW_I32X4_S) & 1;
    uint8_t sel = high ? 0xFA : 0x50;
    vrri(m, 0x66, 0x0F70, d, a, sel);
    vrri(m, 0x66, 0x0F70, FSCRATCH, b, sel);
    vrr(m, 0x66, is_s ? 0x0F3828 : 0x0FF4, d, FSCRATCH);
    return true;
  } else {
    return false;
  }
  emit_extend(m, pmov, high, d, a);
  emit_extend(m, pmov, high, FSCRATCH, b);
  vrr(m, 0x66, mul, d, FSCRATCH);
  return true;
}

static bool emit_vbinary(jit_masm *m, jit_vop op, uint8_t d, uint8_t a,
                         uint8_t b) {
  const vbin *v = find_vbin(vbins, sizeof vbins / sizeof *vbins, op);
  if (!v && (x64_cpu_vector_features() & 4))
    v = find_vbin(vbins_sse42, sizeof vbins_sse42 / sizeof *vbins_sse42, op);
  if (v) {
    emit_vbin(m, v, d, a, b);
    return true;
  }
  if (emit_ucmp(m, op, d, a, b)) return true;
  if (emit_extmul(m, op, d, a, b)) return true;
  switch (op) {
  /* swizzle: indices >= 16 get the top bit (pshufb gives 0) */
  case JV_I8X16_SWIZZLE:
    vconst_splat64(m, FSCRATCH, rep8(0x70));
    vrr(m, 0x66, 0x0FDC, FSCRATCH, b); /* paddusb */
    vmov(m, d, a);
    vrr(m, 0x66, 0x0F3800, d, FSCRATCH);
    return true;
  /* q15mulr_sat_s: pmulhrsw, then 0x8000 (from -1 * -1) -> 0x7fff */
  case JV_I16X8_Q15MULR_SAT_S:
    vmov(m, d, a);
    vrr(m, 0x66, 0x0F380B, d, b);
    vconst_splat64(m, FSCRATCH, rep16(0x8000));
    vrr(m, 0x66, 0x0F75, FSCRATCH, d);
    vrr(m, 0x66, 0x0FEF, d, FSCRATCH);
    return true;
  case JV_I64X2_MUL: emit_i64_mul(m, d, a, b); return true;
  case JV_F32X4_MIN: emit_fminmax(m, true, false, d, a, b); return true;
  case JV_F32X4_MAX: emit_fminmax(m, false, false, d, a, b); return true;
  case JV_F64X2_MIN: emit_fminmax(m, true, true, d, a, b); return true;
  case JV_F64X2_MAX: emit_fminmax(m, false, true, d, a, b); return true;
  default: return false;
  }
}

static void emit_shuffle(jit_masm *m, uint8_t d, uint8_t a, uint8_t b,
                         const uint8_t *lanes) {
  uint8_t ma[16], mb[16];
  for (int i = 0; i < 16; i++) {
    ma[i] = lanes[i] < 16 ? lanes[i] : 0x80;
    mb[i] = lanes[i] >= 16 ? (uint8_t)(lanes[i] - 16) : 0x80;
  }
  uint64_t lo, hi;
  memcpy(&lo, ma, 8);
  memcpy(&hi, ma + 8, 8);
  vconst_bits(m, FSCRATCH, lo, hi);
  vmov(m, d, a);
  vrr(m, 0x66, 0x0F3800, d, FSCRATCH);
  memcpy(&lo, mb, 8);
  memcpy(&hi, mb + 8, 8);
  vconst_bits(m, FSCRATCH, lo, hi);
  vmov(m, FSCRATCH2, b);
  vrr(m, 0x66, 0x0F3800, FSCRATCH2, FSCRATCH);
  vrr(m, 0x66, 0x0FEB, d, FSCRATCH2);
}

/* Float abs/neg by a sign mask. */
static void emit_sign_op(jit_masm *m, bool f64, bool is_abs, uint8_t d,
                         uint8_t a) {
  uint64_t sign = f64 ? 1ull << 63 : rep32(0x80000000u);
  vconst_splat64(m, d, is_abs ? ~sign : sign);
  vrr(m, 0, is_abs ? 0x0F54 : 0x0F57, d, a); /* andps / xorps */
}

static void emit_popcnt(jit_masm *m, uint8_t d, uint8_t a) {
  vconst_splat64(m, FSCRATCH2, rep8(0x0F));
  vmov(m, d, a);
  vrr(m, 0x66, 0x0FDB, d, FSCRATCH2); /* low nibbles */
  vmov(m, FSCRATCH, a);
  vshift_imm(m, 0x0F71, 2, FSCRATCH, 4);
  vrr(m, 0x66, 0x0FDB, FSCRATCH, FSCRATCH2); /* high nibbles */
  /* bit counts of 0..15 */
  vconst_bits(m, FSCRATCH2, 0x0302020102010100ull, 0x0403030203020201ull);
  vrr(m, 0x66, 0x0F3800, FSCRATCH2, d);
  vconst_bits(m, d, 0x0302020102010100ull, 0x0403030203020201ull);
  vrr(m, 0x66, 0x0F3800, d, FSCRATCH);
  vrr(m, 0x66, 0x0FFC, d, FSCRATCH2);
}

static void emit_trunc_sat_f32_s(jit_masm *m, uint8_t d, uint8_t a) {
  vmov(m, d, a);
  vmov(m, FSCRATCH, a);
  vrri(m, 0, 0x0FC2, FSCRATCH, FSCRATCH, 0); /* not NaN */
  vrr(m, 0x66, 0x0FDB, d, FSCRATCH);         /* NaN -> 0 */
  vrr(m, 0x66, 0x0FEF, FSCRATCH, d);         /* sign bit flipped */
  vrr(m, 0xF3, 0x0F5B, d, d);                /* cvttps2dq */
  vrr(m, 0x66, 0x0FDB, FSCRATCH, d);
  vshift_imm(m, 0x0F72, 4, FSCRATCH, 31); /* psrad: positive overflows */
  vrr(m, 0x66, 0x0FEF, d, FSCRATCH);      /* 0x80000000 -> 0x7fffffff */
}

static void emit_trunc_sat_f32_u(jit_masm *m, uint8_t d, uint8_t a) {
  vmov(m, d, a);
  vrr(m, 0x66, 0x0FEF, FSCRATCH2, FSCRATCH2);
  vrr(m, 0, 0x0F5F, d, FSCRATCH2); /* maxps: NaN and negatives -> 0 */
  vrr(m, 0x66, 0x0F76, FSCRATCH2, FSCRATCH2);
  vshift_imm(m, 0x0F72, 2, FSCRATCH2, 1);
  vrr(m, 0, 0x0F5B, FSCRATCH2, FSCRATCH2); /* 2^31 as float */
  vmov(m, FSCRATCH, d);
  vrr(m, 0, 0x0F5C, FSCRATCH, FSCRATCH2);     /* d - 2^31 */
  vrri(m, 0, 0x0FC2, FSCRATCH2, FSCRATCH, 2); /* 2^31 <= d - 2^31 */
  vrr(m, 0xF3, 0x0F5B, FSCRATCH, FSCRATCH);
  vrr(m, 0x66, 0x0FEF, FSCRATCH, FSCRATCH2); /* too big: 0x7fffffff */
  vrr(m, 0x66, 0x0FEF, FSCRATCH2, FSCRATCH2);
  vrr(m, 0x66, 0x0F383D, FSCRATCH, FSCRATCH2); /* pmaxsd: below 2^31 -> 0 */
  vrr(m, 0xF3, 0x0F5B, d, d);
  vrr(m, 0x66, 0x0FFE, d, FSCRATCH);
}

static bool emit_vunary(jit_masm *m, jit_vop op, uint8_t d, uint8_t a) {
  switch (op) {
  case JV_V128_NOT: vmov(m, d, a); vnot_into(m, d); return true;
  /* cvtpd2ps */
  case JV_F32X4_DEMOTE_F64X2_ZERO: vrr(m, 0x66, 0x0F5A, d, a); return true;
  /* cvtps2pd */
  case JV_F64X2_PROMOTE_LOW_F32X4: vrr(m, 0, 0x0F5A, d, a); return true;
  case JV_I8X16_ABS: vrr(m, 0x66, 0x0F381C, d, a); return true;
  case JV_I16X8_ABS: vrr(m, 0x66, 0x0F381D, d, a); return true;
  case JV_I32X4_ABS: vrr(m, 0x66, 0x0F381E, d, a); return true;
  case JV_I8X16_NEG: case JV_I16X8_NEG: case JV_I32X4_NEG: case JV_I64X2_NEG: {
    uint32_t psub = op == JV_I8X16_NEG ? 0x0FF8 : op == JV_I16X8_NEG ? 0x0FF9
                    : op == JV_I32X4_NEG ? 0x0FFA : 0x0FFB;
    vrr(m, 0x66, 0x0FEF, d, d);
    vrr(m, 0x66, psub, d, a);
    return true;
  }
  case JV_I64X2_ABS: /* i64 abs: (a ^ s) - s with s the sign of each qword */
    vmov(m, FSCRATCH, a);
    vshift_imm(m, 0x0F72, 4, FSCRATCH, 31);
    vrri(m, 0x66, 0x0F70, FSCRATCH, FSCRATCH, 0xF5);
    vmov(m, d, a);
    vrr(m, 0x66, 0x0FEF, d, FSCRATCH);
    vrr(m, 0x66, 0x0FFB, d, FSCRATCH);
    return true;
  case JV_I8X16_POPCNT: emit_popcnt(m, d, a); return true;
  case JV_F32X4_CEIL: vrri(m, 0x66, 0x0F3A08, d, a, 0x0A); return true;
  case JV_F32X4_FLOOR: vrri(m, 0x66, 0x0F3A08, d, a, 0x09); return true;
  case JV_F32X4_TRUNC: vrri(m, 0x66, 0x0F3A08, d, a, 0x0B); return true;
  case JV_F32X4_NEAREST: vrri(m, 0x66, 0x0F3A08, d, a, 0x08); return true;
  case JV_F64X2_CEIL: vrri(m, 0x66, 0x0F3A09, d, a, 0x0A); return true;
  case JV_F64X2_FLOOR: vrri(m, 0x66, 0x0F3A09, d, a, 0x09); return true;
  case JV_F64X2_TRUNC: vrri(m, 0x66, 0x0F3A09, d, a, 0x0B); return true;
  case JV_F64X2_NEAREST: vrri(m, 0x66, 0x0F3A09, d, a, 0x08); return true;
  /* extadd_pairwise i8 s: pmaddubsw(1s unsigned, a signed) */
  case JV_I16X8_EXTADD_PAIRWISE_I8X16_S:
    vconst_splat64(m, d, rep8(1));
    vrr(m, 0x66, 0x0F3804, d, a);
    return true;
  case JV_I16X8_EXTADD_PAIRWISE_I8X16_U:
    vconst_splat64(m, FSCRATCH, rep8(1));
    vmov(m, d, a);
    vrr(m, 0x66, 0x0F3804, d, FSCRATCH);
    return true;
  case JV_I32X4_EXTADD_PAIRWISE_I16X8_S:
    vconst_splat64(m, FSCRATCH, rep16(1));
    vmov(m, d, a);
    vrr(m, 0x66, 0x0FF5, d, FSCRATCH);
    return true;
  /* bias to signed, pmaddwd, unbias by 2 * 0x8000 */
  case JV_I32X4_EXTADD_PAIRWISE_I16X8_U:
    vconst_splat64(m, FSCRATCH, rep16(0x8000));
    vmov(m, d, a);
    vrr(m, 0x66, 0x0FEF, d, FSCRATCH);
    vconst_splat64(m, FSCRATCH, rep16(1));
    vrr(m, 0x66, 0x0FF5, d, FSCRATCH);
    vconst_splat64(m, FSCRATCH, rep32(0x10000));
    vrr(m, 0x66, 0x0FFE, d, FSCRATCH);
    return true;
  case JV_I16X8_EXTEND_LOW_I8X16_S:
    emit_extend(m, 0x0F3820, false, d, a); return true;
  case JV_I16X8_EXTEND_HIGH_I8X16_S:
    emit_extend(m, 0x0F3820, true, d, a); return true;
  case JV_I16X8_EXTEND_LOW_I8X16_U:
    emit_extend(m, 0x0F3830, false, d, a); return true;
  case JV_I16X8_EXTEND_HIGH_I8X16_U:
    emit_extend(m, 0x0F3830, true, d, a); return true;
  case JV_I32X4_EXTEND_LOW_I16X8_S:
    emit_extend(m, 0x0F3823, false, d, a); return true;
  case JV_I32X4_EXTEND_HIGH_I16X8_S:
    emit_extend(m, 0x0F3823, true, d, a); return true;
  case JV_I32X4_EXTEND_LOW_I16X8_U:
    emit_extend(m, 0x0F3833, false, d, a); return true;
  case JV_I32X4_EXTEND_HIGH_I16X8_U:
    emit_extend(m, 0x0F3833, true, d, a); return true;
  case JV_I64X2_EXTEND_LOW_I32X4_S:
    emit_extend(m, 0x0F3825, false, d, a); return true;
  case JV_I64X2_EXTEND_HIGH_I32X4_S:
    emit_extend(m, 0x0F3825, true, d, a); return true;
  case JV_I64X2_EXTEND_LOW_I32X4_U:
    emit_extend(m, 0x0F3835, false, d, a); return true;
  case JV_I64X2_EXTEND_HIGH_I32X4_U:
    emit_extend(m, 0x0F3835, true, d, a); return true;
  case JV_F32X4_ABS: emit_sign_op(m, false, true, d, a); return true;
  case JV_F32X4_NEG: emit_sign_op(m, false, false, d, a); return true;
  case JV_F64X2_ABS: emit_sign_op(m, true, true, d, a); return true;
  case JV_F64X2_NEG: emit_sign_op(m, true, false, d, a); return true;
  case JV_F32X4_SQRT: vrr(m, 0, 0x0F51, d, a); return true;
  case JV_F64X2_SQRT: vrr(m, 0x66, 0x0F51, d, a); return true;
  case JV_I32X4_TRUNC_SAT_F32X4_S: emit_trunc_sat_f32_s(m, d, a); return true;
  case JV_I32X4_TRUNC_SAT_F32X4_U: emit_trunc_sat_f32_u(m, d, a); return true;
  /* cvtdq2ps */
  case JV_F32X4_CONVERT_I32X4_S: vrr(m, 0, 0x0F5B, d, a); return true;
  /* u32 -> f32: low 16 bits exactly, high part halved */
  case JV_F32X4_CONVERT_I32X4_U:
    vrr(m, 0x66, 0x0FEF, FSCRATCH, FSCRATCH);
    vrri(m, 0x66, 0x0F3A0E, FSCRATCH, a, 0x55); /* pblendw: low halves */
    vmov(m, d, a);
    vrr(m, 0x66, 0x0FFA, d, FSCRATCH);         /* high halves */
    vrr(m, 0, 0x0F5B, FSCRATCH, FSCRATCH);
    vshift_imm(m, 0x0F72, 2, d, 1);
    vrr(m, 0, 0x0F5B, d, d);
    vrr(m, 0, 0x0F58, d, d);
    vrr(m, 0, 0x0F58, d, FSCRATCH);
    return true;
  case JV_I32X4_TRUNC_SAT_F64X2_S_ZERO: /* f64 -> i32 sat, zero upper */
    vmov(m, d, a);
    vmov(m, FSCRATCH, a);
    vrri(m, 0x66, 0x0FC2, FSCRATCH, a, 0); /* not NaN */
    vconst_splat64(m, FSCRATCH2, 0x41DFFFFFFFC00000ull); /* 2147483647.0 */
    vrr(m, 0x66, 0x0F54, FSCRATCH, FSCRATCH2);
    vrr(m, 0x66, 0x0F5D, d, FSCRATCH); /* minpd: clamp, NaN -> 0 */
    vrr(m, 0x66, 0x0FE6, d, d);        /* cvttpd2dq */
    return true;
  case JV_I32X4_TRUNC_SAT_F64X2_U_ZERO:
    vmov(m, d, a);
    vrr(m, 0x66, 0x0F57, FSCRATCH, FSCRATCH);
    vrr(m, 0x66, 0x0F5F, d, FSCRATCH); /* maxpd: NaN, negatives -> 0 */
    vconst_splat64(m, FSCRATCH2, 0x41EFFFFFFFE00000ull); /* 4294967295.0 */
    vrr(m, 0x66, 0x0F5D, d, FSCRATCH2);
    vrri(m, 0x66, 0x0F3A09, d, d, 0x0B);
    vconst_splat64(m, FSCRATCH2, 0x4330000000000000ull); /* 2^52 */
    vrr(m, 0x66, 0x0F58, d, FSCRATCH2);
    vrri(m, 0, 0x0FC6, d, FSCRATCH, 0x88); /* shufps: low dwords, zeros */
    return true;
  /* cvtdq2pd */
  case JV_F64X2_CONVERT_LOW_I32X4_S: vrr(m, 0xF3, 0x0FE6, d, a); return true;
  /* u32 -> f64: 2^52 + u as a double, minus 2^52 */
  case JV_F64X2_CONVERT_LOW_I32X4_U:
    vconst_splat64(m, FSCRATCH, rep32(0x43300000u));
    vmov(m, d, a);
    vrr(m, 0, 0x0F14, d, FSCRATCH); /* unpcklps */
    vconst_splat64(m, FSCRATCH, 0x4330000000000000ull);
    vrr(m, 0x66, 0x0F5C, d, FSCRATCH);
    return true;
  default: return false;
  }
}

/* d (GPR) = test of a: any_true, all_true, bitmask. */
static bool emit_vtest(jit_masm *m, jit_vop op, uint8_t d, uint8_t a) {
  jit_buf *b = &m->buf;
  switch (op) {
  case JV_V128_ANY_TRUE:
    x64_alu_rr(b, X64_XOR, false, d, d);
    vrr(m, 0x66, 0x0F3817, a, a); /* ptest */
    x64_setcc(b, X64_CC_NE, d);
    return true;
  case JV_I8X16_ALL_TRUE:
  case JV_I16X8_ALL_TRUE:
  case JV_I32X4_ALL_TRUE:
  case JV_I64X2_ALL_TRUE: {
    uint32_t eq = op == JV_I8X16_ALL_TRUE   ? 0x0F74
                  : op == JV_I16X8_ALL_TRUE ? 0x0F75
                  : op == JV_I32X4_ALL_TRUE ? 0x0F76
                                            : 0x0F3829;
    vrr(m, 0x66, 0x0FEF, FSCRATCH, FSCRATCH);
    vrr(m, 0x66, eq, FSCRATCH, a); /* zero lanes */
    x64_alu_rr(b, X64_XOR, false, d, d);
    vrr(m, 0x66, 0x0F3817, FSCRATCH, FSCRATCH);
    x64_setcc(b, X64_CC_E, d);
    return true;
  }
  case JV_I8X16_BITMASK: vrr(m, 0x66, 0x0FD7, d, a); return true; /* pmovmskb */
  case JV_I16X8_BITMASK:
    vmov(m, FSCRATCH, a);
    vrr(m, 0x66, 0x0F63, FSCRATCH, FSCRATCH); /* packsswb */
    vrr(m, 0x66, 0x0FD7, d, FSCRATCH);
    x64_movzx8_rr(b, d, d);
    return true;
  case JV_I32X4_BITMASK: vrr(m, 0, 0x0F50, d, a); return true;    /* movmskps */
  case JV_I64X2_BITMASK: vrr(m, 0x66, 0x0F50, d, a); return true; /* movmskpd */
  default: return false;
  }
}

/* Shift of every lane by a GPR count, masked by the lane width. */
static bool emit_vshift(jit_masm *m, jit_vop op, uint8_t d, uint8_t a,
                        uint8_t count) {
  jit_buf *b = &m->buf;
  static const struct {
    uint8_t op, bits;
    uint32_t opc;
  } direct[] = {
      {JV_I16X8_SHL, 16, 0x0FF1}, {JV_I16X8_SHR_S, 16, 0x0FE1},
      {JV_I16X8_SHR_U, 16, 0x0FD1}, {JV_I32X4_SHL, 32, 0x0FF2},
      {JV_I32X4_SHR_S, 32, 0x0FE2}, {JV_I32X4_SHR_U, 32, 0x0FD2},
      {JV_I64X2_SHL, 64, 0x0FF3}, {JV_I64X2_SHR_U, 64, 0x0FD3}};
  for (size_t i = 0; i < sizeof direct / sizeof *direct; i++) {
    if (direct[i].op != op) continue;
    x64_mov_rr(b, false, SCRATCH_C, count);
    x64_alu_ri(b, X64_AND, false, SCRATCH_C, direct[i].bits - 1);
    x64_movd_xr(b, false, FSCRATCH, SCRATCH_C);
    vmov(m, d, a);
    vrr(m, 0x66, direct[i].opc, d, FSCRATCH);
    return true;
  }
  if (op != JV_I8X16_SHL && op != JV_I8X16_SHR_S && op != JV_I8X16_SHR_U &&
      op != JV_I64X2_SHR_S)
    return false;
  x64_mov_rr(b, false, SCRATCH_C, count);
  switch (op) {
  /* i8 shl/shr_u: 16-bit shift, then a byte mask */
  case JV_I8X16_SHL: case JV_I8X16_SHR_U: {
    bool left = op == JV_I8X16_SHL;
    x64_alu_ri(b, X64_AND, false, SCRATCH_C, 7);
    x64_movd_xr(b, false, FSCRATCH, SCRATCH_C);
    vmov(m, d, a);
    vrr(m, 0x66, left ? 0x0FF1 : 0x0FD1, d, FSCRATCH);
    x64_mov_ri(b, false, SCRATCH_A, 0xFF);
    x64_shift_cl(b, left ? X64_SHL : X64_SHR, false, SCRATCH_A);
    x64_movd_xr(b, false, FSCRATCH, SCRATCH_A);
    vrr(m, 0x66, 0x0FEF, FSCRATCH2, FSCRATCH2);
    vrr(m, 0x66, 0x0F3800, FSCRATCH, FSCRATCH2); /* byte splat */
    vrr(m, 0x66, 0x0FDB, d, FSCRATCH);
    return true;
  }
  /* i8 shr_s: bytes into the high halves of words, psraw */
  case JV_I8X16_SHR_S:
    x64_alu_ri(b, X64_AND, false, SCRATCH_C, 7);
    x64_alu_ri(b, X64_ADD, false, SCRATCH_C, 8);
    x64_movd_xr(b, false, FSCRATCH2, SCRATCH_C);
    vmov(m, FSCRATCH, a);
    vrr(m, 0x66, 0x0F68, FSCRATCH, a); /* punpckhbw */
    vmov(m, d, a);
    vrr(m, 0x66, 0x0F60, d, a); /* punpcklbw */
    vrr(m, 0x66, 0x0FE1, FSCRATCH, FSCRATCH2);
    vrr(m, 0x66, 0x0FE1, d, FSCRATCH2);
    vrr(m, 0x66, 0x0F63, d, FSCRATCH); /* packsswb */
    return true;
  /* i64 shr_s = ((a ^ m) >>> n) - (m >>> n), m the sign bit */
  case JV_I64X2_SHR_S:
    x64_alu_ri(b, X64_AND, false, SCRATCH_C, 63);
    x64_movd_xr(b, false, FSCRATCH, SCRATCH_C);
    vconst_splat64(m, FSCRATCH2, 1ull << 63);
    vmov(m, d, a);
    vrr(m, 0x66, 0x0FEF, d, FSCRATCH2);
    vrr(m, 0x66, 0x0FD3, d, FSCRATCH);
    vrr(m, 0x66, 0x0FD3, FSCRATCH2, FSCRATCH);
    vrr(m, 0x66, 0x0FFB, d, FSCRATCH2);
    return true;
  default: return false;
  }
}

/* Lane ops: splat, extract, replace. */
static void splat_gpr(jit_masm *m, jit_vop op, uint8_t d, uint8_t r) {
  jit_buf *b = &m->buf;
  x64_movd_xr(b, op == JV_I64X2_SPLAT, d, r);
  switch (op) {
  case JV_I8X16_SPLAT:
    vrr(m, 0x66, 0x0FEF, FSCRATCH, FSCRATCH);
    vrr(m, 0x66, 0x0F3800, d, FSCRATCH);
    break;
  case JV_I16X8_SPLAT:
    vrri(m, 0xF2, 0x0F70, d, d, 0); /* pshuflw */
    vrri(m, 0x66, 0x0F70, d, d, 0);
    break;
  case JV_I32X4_SPLAT: vrri(m, 0x66, 0x0F70, d, d, 0); break;
  default: vrr(m, 0x66, 0x0F6C, d, d); break; /* punpcklqdq */
  }
}

static bool emit_vlane(jit_masm *m, jit_vop op, uint8_t d, uint8_t a,
                       uint8_t s, uint8_t lane) {
  jit_buf *b = &m->buf;
  switch (op) {
  case JV_I8X16_SPLAT:
  case JV_I16X8_SPLAT:
  case JV_I32X4_SPLAT:
  case JV_I64X2_SPLAT: splat_gpr(m, op, d, a); return true;
  case JV_F32X4_SPLAT: vmov(m, d, a); vrri(m, 0, 0x0FC6, d, d, 0); return true;
  case JV_F64X2_SPLAT: vmov(m, d, a); vrr(m, 0x66, 0x0F6C, d, d); return true;
  case JV_I8X16_EXTRACT_LANE_S: case JV_I8X16_EXTRACT_LANE_U:
    vrri(m, 0x66, 0x0F3A14, a, d, lane); /* pextrb: zero-extends */
    if (op == JV_I8X16_EXTRACT_LANE_S) x64_movsx8_rr(b, false, d, d);
    return true;
  case JV_I16X8_EXTRACT_LANE_S: case JV_I16X8_EXTRACT_LANE_U:
    vrri(m, 0x66, 0x0FC5, d, a, lane); /* pextrw */
    if (op == JV_I16X8_EXTRACT_LANE_S) x64_movsx16_rr(b, false, d, d);
    return true;
  case JV_I32X4_EXTRACT_LANE:
    vrri(m, 0x66, 0x0F3A16, a, d, lane);
    return true;
  case JV_I64X2_EXTRACT_LANE:
    x64_emit_rr(b, 0x66, 0x0F3A16, true, a, d, 0);
    jit_buf_u8(b, lane);
    return true;
  /* pshufd */
  case JV_F32X4_EXTRACT_LANE: vrri(m, 0x66, 0x0F70, d, a, lane); return true;
  case JV_F64X2_EXTRACT_LANE:
    if (lane == 0)
      vmov(m, d, a);
    else
      vrri(m, 0x66, 0x0F70, d, a, 0xEE);
    return true;
  case JV_I8X16_REPLACE_LANE:
    vmov(m, d, a); vrri(m, 0x66, 0x0F3A20, d, s, lane); return true;
  case JV_I16X8_REPLACE_LANE:
    vmov(m, d, a); vrri(m, 0x66, 0x0FC4, d, s, lane); return true;
  case JV_I32X4_REPLACE_LANE:
    vmov(m, d, a); vrri(m, 0x66, 0x0F3A22, d, s, lane); return true;
  case JV_I64X2_REPLACE_LANE:
    vmov(m, d, a);
    x64_emit_rr(b, 0x66, 0x0F3A22, true, d, s, 0);
    jit_buf_u8(b, lane);
    return true;
  case JV_F32X4_REPLACE_LANE:
    vmov(m, d, a);
    vrri(m, 0x66, 0x0F3A21, d, s, (uint8_t)(lane << 4)); /* insertps */
    return true;
  case JV_F64X2_REPLACE_LANE:
    vmov(m, d, a);
    if (lane == 0)
      vrr(m, 0xF2, 0x0F10, d, s); /* movsd: low qword only */
    else
      vrr(m, 0, 0x0F16, d, s); /* movlhps */
    return true;
  default: return false;
  }
}

/* ---- relaxed SIMD ---------------------------------------------------------- */

/* bitselect(v1, v2, c) = v2 ^ ((v1 ^ v2) & c) */
static void emit_bitselect(jit_masm *m, uint8_t d, uint8_t a, uint8_t b,
                           uint8_t c) {
  vmov(m, d, a);
  vrr(m, 0x66, 0x0FEF, d, b);
  vrr(m, 0x66, 0x0FDB, d, c);
  vrr(m, 0x66, 0x0FEF, d, b);
}

/* relaxed madd/nmadd: d = ±(a * b) + c. With FMA one rounding
 * (vfmadd231 / vfnmadd231: d = ±(a * b) + d, d a copy of c), otherwise
 * mulp then addp (or c - a * b), which the spec allows too. */
static void emit_madd(jit_masm *m, bool f64, bool neg, uint8_t d, uint8_t a,
                      uint8_t b, uint8_t c) {
  uint8_t p = f64 ? 0x66 : 0;
  if (x64_cpu_vector_features() & X64_VEC_FMA) {
    vmov(m, d, c);
    x64_vex_rrr(&m->buf, 1, 2, f64, neg ? 0xBC : 0xB8, d, a, b);
    return;
  }
  vmov(m, d, a);
  vrr(m, p, 0x0F59, d, b); /* mulp */
  if (!neg) {
    vrr(m, p, 0x0F58, d, c); /* addp */
    return;
  }
  vmov(m, FSCRATCH, c);
  vrr(m, p, 0x0F5C, FSCRATCH, d); /* subp: c - a * b */
  vmov(m, d, FSCRATCH);
}

/* The relaxed dot products, signed by signed lanes on every ISA (the
 * AArch64 lowering computes the same): d = the i16x8 sums of adjacent
 * products, wrapping (only -128 * -128 twice overflows; the spec allows
 * the wrap). pmovsxbw of each half, pmullw (the products fit in i16), then
 * phaddw, which adds adjacent words of d and then of the other operand. */
static void emit_dot_i8_i16(jit_masm *m, uint8_t d, uint8_t a, uint8_t b) {
  emit_extend(m, 0x0F3820, false, d, a);
  emit_extend(m, 0x0F3820, false, FSCRATCH, b);
  vrr(m, 0x66, 0x0FD5, d, FSCRATCH);
  emit_extend(m, 0x0F3820, true, FSCRATCH, a);
  emit_extend(m, 0x0F3820, true, FSCRATCH2, b);
  vrr(m, 0x66, 0x0FD5, FSCRATCH, FSCRATCH2);
  vrr(m, 0x66, 0x0F3801, d, FSCRATCH); /* phaddw */
}

/* The choice of result of each relaxed op on x86-64: the cheapest one
 * SSE4.1 offers among those the spec allows, but for laneselect (pblendvb
 * wants its mask in xmm0, and picks per byte) and the dot products (the
 * AArch64 result, so that deterministic mode needs no second lowering). */
static bool emit_relaxed(jit_masm *m, jit_vop op, uint8_t d, uint8_t a,
                         uint8_t b, uint8_t c) {
  switch (op) {
  /* pshufb alone: indices 16..127 pick a[i & 15], >= 128 give 0 */
  case JV_I8X16_RELAXED_SWIZZLE:
    vmov(m, d, a);
    vrr(m, 0x66, 0x0F3800, d, b);
    return true;
  /* cvttps2dq / cvttpd2dq: NaN and out of range give INT32_MIN */
  case JV_I32X4_RELAXED_TRUNC_F32X4_S: vrr(m, 0xF3, 0x0F5B, d, a); return true;
  case JV_I32X4_RELAXED_TRUNC_F64X2_S_ZERO:
    vrr(m, 0x66, 0x0FE6, d, a);
    return true;
  /* unsigned: SSE has no unsigned conversion; the saturating sequence */
  case JV_I32X4_RELAXED_TRUNC_F32X4_U: emit_trunc_sat_f32_u(m, d, a); return true;
  case JV_I32X4_RELAXED_TRUNC_F64X2_U_ZERO:
    return emit_vunary(m, JV_I32X4_TRUNC_SAT_F64X2_U_ZERO, d, a);
  case JV_F32X4_RELAXED_MADD: emit_madd(m, false, false, d, a, b, c); return true;
  case JV_F32X4_RELAXED_NMADD: emit_madd(m, false, true, d, a, b, c); return true;
  case JV_F64X2_RELAXED_MADD: emit_madd(m, true, false, d, a, b, c); return true;
  case JV_F64X2_RELAXED_NMADD: emit_madd(m, true, true, d, a, b, c); return true;
  case JV_I8X16_RELAXED_LANESELECT:
  case JV_I16X8_RELAXED_LANESELECT:
  case JV_I32X4_RELAXED_LANESELECT:
  case JV_I64X2_RELAXED_LANESELECT: emit_bitselect(m, d, a, b, c); return true;
  /* minps/maxps d = a op b: the second operand when either is NaN or both
   * are zeros, one of the results the spec allows there */
  case JV_F32X4_RELAXED_MIN: vmov(m, d, a); vrr(m, 0, 0x0F5D, d, b); return true;
  case JV_F32X4_RELAXED_MAX: vmov(m, d, a); vrr(m, 0, 0x0F5F, d, b); return true;
  case JV_F64X2_RELAXED_MIN:
    vmov(m, d, a); vrr(m, 0x66, 0x0F5D, d, b); return true;
  case JV_F64X2_RELAXED_MAX:
    vmov(m, d, a); vrr(m, 0x66, 0x0F5F, d, b); return true;
  /* pmulhrsw: -32768 * -32768 wraps to -32768 */
  case JV_I16X8_RELAXED_Q15MULR_S:
    vmov(m, d, a);
    vrr(m, 0x66, 0x0F380B, d, b);
    return true;
  case JV_I16X8_RELAXED_DOT_I8X16_I7X16_S: emit_dot_i8_i16(m, d, a, b); return true;
  /* the i16 sums, pairwise into i32 (pmaddwd by ones), plus c */
  case JV_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S:
    emit_dot_i8_i16(m, d, a, b);
    vconst_splat64(m, FSCRATCH, rep16(1));
    vrr(m, 0x66, 0x0FF5, d, FSCRATCH);
    vrr(m, 0x66, 0x0FFE, d, c);
    return true;
  default: return false;
  }
}

bool x64_masm_vop(jit_masm *m, jit_vop op, jit_reg dst, const jit_reg *src,
                  const uint8_t *imm) {
  uint8_t d = hw(dst), a = hw(src[0]);
  uint8_t b = src[1] == JIT_NO_REG ? 0 : hw(src[1]);
  uint32_t start = jit_buf_pos(&m->buf);
  bool ok;
  if (op == JV_I8X16_SHUFFLE) {
    emit_shuffle(m, d, a, b, imm);
    return true;
  }
  if (op == JV_V128_BITSELECT) {
    emit_bitselect(m, d, a, b, hw(src[2]));
    return true;
  }
  if (op >= JV_I8X16_RELAXED_SWIZZLE) {
    uint8_t c = src[2] == JIT_NO_REG ? 0 : hw(src[2]);
    ok = emit_relaxed(m, op, d, a, b, c);
    if (!ok) m->buf.size = start;
    return ok;
  }
  if (op >= JV_I8X16_SPLAT && op <= JV_F64X2_REPLACE_LANE)
    ok = emit_vlane(m, op, d, a, b, imm[0]);
  else if (emit_vtest(m, op, d, a) || emit_vshift(m, op, d, a, b))
    ok = true;
  else if (emit_vunary(m, op, d, a))
    ok = true;
  else
    ok = emit_vbinary(m, op, d, a, b);
  if (!ok) m->buf.size = start; /* nothing emitted */
  return ok;
}

/* v128 memory access: one faulting instruction after the address setup. */
bool x64_masm_vmem(jit_masm *m, jit_vop op, jit_reg reg, jit_opnd addr,
                   uint32_t offset, uint8_t lane) {
  jit_buf *b = &m->buf;
  x64_mem a = x64_mem_operand(m, addr, offset);
  uint8_t r = hw(reg);
  static const uint32_t pmov[] = {0x0F3820, 0x0F3830, 0x0F3823,
                                  0x0F3833, 0x0F3825, 0x0F3835};
  x64_mark_oob_site(m);
  switch (op) {
  case JV_V128_LOAD: x64_sse_rm(b, X64_MOVUPS_LOAD, r, a); return true;
  case JV_V128_STORE: x64_sse_rm(b, X64_MOVUPS_STORE, r, a); return true;
  case JV_V128_LOAD8X8_S:
  case JV_V128_LOAD8X8_U:
  case JV_V128_LOAD16X4_S:
  case JV_V128_LOAD16X4_U:
  case JV_V128_LOAD32X2_S: case JV_V128_LOAD32X2_U:
    x64_emit_rm(b, 0x66, pmov[op - JV_V128_LOAD8X8_S], false, r, a, 0);
    return true;
  case JV_V128_LOAD8_SPLAT:
    x64_movzx8_rm(b, SCRATCH_A, a);
    splat_gpr(m, JV_I8X16_SPLAT, r, SCRATCH_A);
    return true;
  case JV_V128_LOAD16_SPLAT:
    x64_movzx16_rm(b, SCRATCH_A, a);
    splat_gpr(m, JV_I16X8_SPLAT, r, SCRATCH_A);
    return true;
  case JV_V128_LOAD32_SPLAT:
    x64_sse_rm(b, X64_MOVSS_LOAD, r, a);
    vrri(m, 0x66, 0x0F70, r, r, 0);
    return true;
  case JV_V128_LOAD64_SPLAT:
    x64_sse_rm(b, X64_MOVSD_LOAD, r, a);
    vrr(m, 0x66, 0x0F6C, r, r);
    return true;
  case JV_V128_LOAD32_ZERO: x64_sse_rm(b, X64_MOVSS_LOAD, r, a); return true;
  case JV_V128_LOAD64_ZERO: /* movq */
    x64_emit_rm(b, 0xF3, 0x0F7E, false, r, a, 0); return true;
  case JV_V128_LOAD8_LANE:
    x64_emit_rm(b, 0x66, 0x0F3A20, false, r, a, 0); break;
  case JV_V128_LOAD16_LANE: x64_emit_rm(b, 0x66, 0x0FC4, false, r, a, 0); break;
  case JV_V128_LOAD32_LANE:
    x64_emit_rm(b, 0x66, 0x0F3A22, false, r, a, 0); break;
  case JV_V128_LOAD64_LANE:
    x64_emit_rm(b, 0x66, 0x0F3A22, true, r, a, 0); break;
  case JV_V128_STORE8_LANE:
    x64_emit_rm(b, 0x66, 0x0F3A14, false, r, a, 0); break;
  case JV_V128_STORE16_LANE:
    x64_emit_rm(b, 0x66, 0x0F3A15, false, r, a, 0); break;
  case JV_V128_STORE32_LANE:
    x64_emit_rm(b, 0x66, 0x0F3A16, false, r, a, 0); break;
  case JV_V128_STORE64_LANE:
    x64_emit_rm(b, 0x66, 0x0F3A16, true, r, a, 0); break;
  default:
    /* not a SIMD memory op: drop the trap site just recorded */
    m->ntraps--;
    return false;
  }
  jit_buf_u8(b, lane);
  return true;
}
