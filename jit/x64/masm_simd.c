/* The x86-64 MacroAssembler, SIMD part: Wasm 2.0 v128 operations lowered
 * to SSE2/SSSE3/SSE4.1 (SSE4.2 for the i64x2 ordered compares). Same
 * scratch registers as masm.c. */
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
    {35, 0x66, 0x0F74, 0, 0, -1}, {36, 0x66, 0x0F74, 0, 1, -1},
    {37, 0x66, 0x0F64, 1, 0, -1}, {39, 0x66, 0x0F64, 0, 0, -1},
    {41, 0x66, 0x0F64, 0, 1, -1}, {43, 0x66, 0x0F64, 1, 1, -1},
    /* i16x8 */
    {45, 0x66, 0x0F75, 0, 0, -1}, {46, 0x66, 0x0F75, 0, 1, -1},
    {47, 0x66, 0x0F65, 1, 0, -1}, {49, 0x66, 0x0F65, 0, 0, -1},
    {51, 0x66, 0x0F65, 0, 1, -1}, {53, 0x66, 0x0F65, 1, 1, -1},
    /* i32x4 */
    {55, 0x66, 0x0F76, 0, 0, -1}, {56, 0x66, 0x0F76, 0, 1, -1},
    {57, 0x66, 0x0F66, 1, 0, -1}, {59, 0x66, 0x0F66, 0, 0, -1},
    {61, 0x66, 0x0F66, 0, 1, -1}, {63, 0x66, 0x0F66, 1, 1, -1},
    /* f32x4 / f64x2 compares: cmpps/cmppd predicates eq 0, lt 1, le 2,
     * neq_uq 4 (true on NaN, as wasm ne) */
    {65, 0, 0x0FC2, 0, 0, 0}, {66, 0, 0x0FC2, 0, 0, 4},
    {67, 0, 0x0FC2, 0, 0, 1}, {68, 0, 0x0FC2, 1, 0, 1},
    {69, 0, 0x0FC2, 0, 0, 2}, {70, 0, 0x0FC2, 1, 0, 2},
    {71, 0x66, 0x0FC2, 0, 0, 0}, {72, 0x66, 0x0FC2, 0, 0, 4},
    {73, 0x66, 0x0FC2, 0, 0, 1}, {74, 0x66, 0x0FC2, 1, 0, 1},
    {75, 0x66, 0x0FC2, 0, 0, 2}, {76, 0x66, 0x0FC2, 1, 0, 2},
    /* bitwise: andnot(a, b) = a & ~b = pandn with b first */
    {78, 0x66, 0x0FDB, 0, 0, -1}, {79, 0x66, 0x0FDF, 1, 0, -1},
    {80, 0x66, 0x0FEB, 0, 0, -1}, {81, 0x66, 0x0FEF, 0, 0, -1},
    /* narrow */
    {101, 0x66, 0x0F63, 0, 0, -1}, {102, 0x66, 0x0F67, 0, 0, -1},
    {133, 0x66, 0x0F6B, 0, 0, -1}, {134, 0x66, 0x0F382B, 0, 0, -1},
    /* i8x16 arithmetic */
    {110, 0x66, 0x0FFC, 0, 0, -1}, {111, 0x66, 0x0FEC, 0, 0, -1},
    {112, 0x66, 0x0FDC, 0, 0, -1}, {113, 0x66, 0x0FF8, 0, 0, -1},
    {114, 0x66, 0x0FE8, 0, 0, -1}, {115, 0x66, 0x0FD8, 0, 0, -1},
    {118, 0x66, 0x0F3838, 0, 0, -1}, {119, 0x66, 0x0FDA, 0, 0, -1},
    {120, 0x66, 0x0F383C, 0, 0, -1}, {121, 0x66, 0x0FDE, 0, 0, -1},
    {123, 0x66, 0x0FE0, 0, 0, -1},
    /* i16x8 arithmetic */
    {142, 0x66, 0x0FFD, 0, 0, -1}, {143, 0x66, 0x0FED, 0, 0, -1},
    {144, 0x66, 0x0FDD, 0, 0, -1}, {145, 0x66, 0x0FF9, 0, 0, -1},
    {146, 0x66, 0x0FE9, 0, 0, -1}, {147, 0x66, 0x0FD9, 0, 0, -1},
    {149, 0x66, 0x0FD5, 0, 0, -1}, {150, 0x66, 0x0FEA, 0, 0, -1},
    {151, 0x66, 0x0F383A, 0, 0, -1}, {152, 0x66, 0x0FEE, 0, 0, -1},
    {153, 0x66, 0x0F383E, 0, 0, -1}, {155, 0x66, 0x0FE3, 0, 0, -1},
    /* i32x4 arithmetic */
    {174, 0x66, 0x0FFE, 0, 0, -1}, {177, 0x66, 0x0FFA, 0, 0, -1},
    {181, 0x66, 0x0F3840, 0, 0, -1}, {182, 0x66, 0x0F3839, 0, 0, -1},
    {183, 0x66, 0x0F383B, 0, 0, -1}, {184, 0x66, 0x0F383D, 0, 0, -1},
    {185, 0x66, 0x0F383F, 0, 0, -1}, {186, 0x66, 0x0FF5, 0, 0, -1},
    /* i64x2 */
    {206, 0x66, 0x0FD4, 0, 0, -1}, {209, 0x66, 0x0FFB, 0, 0, -1},
    {214, 0x66, 0x0F3829, 0, 0, -1}, {215, 0x66, 0x0F3829, 0, 1, -1},
    /* float arithmetic; pmin(a, b) = b < a ? b : a = minps(b, a) */
    {228, 0, 0x0F58, 0, 0, -1}, {229, 0, 0x0F5C, 0, 0, -1},
    {230, 0, 0x0F59, 0, 0, -1}, {231, 0, 0x0F5E, 0, 0, -1},
    {234, 0, 0x0F5D, 1, 0, -1}, {235, 0, 0x0F5F, 1, 0, -1},
    {240, 0x66, 0x0F58, 0, 0, -1}, {241, 0x66, 0x0F5C, 0, 0, -1},
    {242, 0x66, 0x0F59, 0, 0, -1}, {243, 0x66, 0x0F5E, 0, 0, -1},
    {246, 0x66, 0x0F5D, 1, 0, -1}, {247, 0x66, 0x0F5F, 1, 0, -1},
};

/* pcmpgtq (SSE4.2) forms of the i64x2 ordered compares. */
static const vbin vbins_sse42[] = {
    {216, 0x66, 0x0F3837, 1, 0, -1}, {217, 0x66, 0x0F3837, 0, 0, -1},
    {218, 0x66, 0x0F3837, 0, 1, -1}, {219, 0x66, 0x0F3837, 1, 1, -1},
};

static const vbin *find_vbin(const vbin *t, size_t n, uint32_t op) {
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
static bool emit_ucmp(jit_masm *m, uint32_t op, uint8_t d, uint8_t a,
                      uint8_t b) {
  uint32_t width_ops[3][3] = {/* pmaxu, pminu, pcmpeq */
                              {0x0FDE, 0x0FDA, 0x0F74},
                              {0x0F383E, 0x0F383A, 0x0F75},
                              {0x0F383F, 0x0F383B, 0x0F76}};
  int w, kind; /* kind: 0 lt, 1 gt, 2 le, 3 ge */
  switch (op) {
  case 38: case 40: case 42: case 44: w = 0; kind = (int)(op - 38) / 2; break;
  case 48: case 50: case 52: case 54: w = 1; kind = (int)(op - 48) / 2; break;
  case 58: case 60: case 62: case 64: w = 2; kind = (int)(op - 58) / 2; break;
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

static bool emit_extmul(jit_masm *m, uint32_t op, uint8_t d, uint8_t a,
                        uint8_t b) {
  uint32_t pmov, mul;
  bool high, is_s;
  if (op >= 156 && op <= 159) {
    is_s = op == 156 || op == 157;
    high = op == 157 || op == 159;
    pmov = is_s ? 0x0F3820 : 0x0F3830;
    mul = 0x0FD5;
  } else if (op >= 188 && op <= 191) {
    is_s = op == 188 || op == 189;
    high = op == 189 || op == 191;
    pmov = is_s ? 0x0F3823 : 0x0F3833;
    mul = 0x0F3840;
  } else if (op >= 220 && op <= 223) {
    /* pmuldq/pmuludq multiply the even dwords into qwords */
    is_s = op == 220 || op == 221;
    high = op == 221 || op == 223;
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

static bool emit_vbinary(jit_masm *m, uint32_t op, uint8_t d, uint8_t a,
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
  case 14: /* swizzle: indices >= 16 get the top bit (pshufb gives 0) */
    vconst_splat64(m, FSCRATCH, rep8(0x70));
    vrr(m, 0x66, 0x0FDC, FSCRATCH, b); /* paddusb */
    vmov(m, d, a);
    vrr(m, 0x66, 0x0F3800, d, FSCRATCH);
    return true;
  case 130: /* q15mulr_sat_s: pmulhrsw, then 0x8000 (from -1 * -1) -> 0x7fff */
    vmov(m, d, a);
    vrr(m, 0x66, 0x0F380B, d, b);
    vconst_splat64(m, FSCRATCH, rep16(0x8000));
    vrr(m, 0x66, 0x0F75, FSCRATCH, d);
    vrr(m, 0x66, 0x0FEF, d, FSCRATCH);
    return true;
  case 213: emit_i64_mul(m, d, a, b); return true;
  case 232: emit_fminmax(m, true, false, d, a, b); return true;
  case 233: emit_fminmax(m, false, false, d, a, b); return true;
  case 244: emit_fminmax(m, true, true, d, a, b); return true;
  case 245: emit_fminmax(m, false, true, d, a, b); return true;
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

static bool emit_vunary(jit_masm *m, uint32_t op, uint8_t d, uint8_t a) {
  switch (op) {
  case 77: vmov(m, d, a); vnot_into(m, d); return true;
  case 94: vrr(m, 0x66, 0x0F5A, d, a); return true; /* cvtpd2ps */
  case 95: vrr(m, 0, 0x0F5A, d, a); return true;    /* cvtps2pd */
  case 96: vrr(m, 0x66, 0x0F381C, d, a); return true;
  case 128: vrr(m, 0x66, 0x0F381D, d, a); return true;
  case 160: vrr(m, 0x66, 0x0F381E, d, a); return true;
  case 97: case 129: case 161: case 193: {
    uint32_t psub = op == 97 ? 0x0FF8 : op == 129 ? 0x0FF9
                    : op == 161 ? 0x0FFA : 0x0FFB;
    vrr(m, 0x66, 0x0FEF, d, d);
    vrr(m, 0x66, psub, d, a);
    return true;
  }
  case 192: /* i64 abs: (a ^ s) - s with s the sign of each qword */
    vmov(m, FSCRATCH, a);
    vshift_imm(m, 0x0F72, 4, FSCRATCH, 31);
    vrri(m, 0x66, 0x0F70, FSCRATCH, FSCRATCH, 0xF5);
    vmov(m, d, a);
    vrr(m, 0x66, 0x0FEF, d, FSCRATCH);
    vrr(m, 0x66, 0x0FFB, d, FSCRATCH);
    return true;
  case 98: emit_popcnt(m, d, a); return true;
  case 103: vrri(m, 0x66, 0x0F3A08, d, a, 0x0A); return true; /* ceil */
  case 104: vrri(m, 0x66, 0x0F3A08, d, a, 0x09); return true; /* floor */
  case 105: vrri(m, 0x66, 0x0F3A08, d, a, 0x0B); return true; /* trunc */
  case 106: vrri(m, 0x66, 0x0F3A08, d, a, 0x08); return true; /* nearest */
  case 116: vrri(m, 0x66, 0x0F3A09, d, a, 0x0A); return true;
  case 117: vrri(m, 0x66, 0x0F3A09, d, a, 0x09); return true;
  case 122: vrri(m, 0x66, 0x0F3A09, d, a, 0x0B); return true;
  case 148: vrri(m, 0x66, 0x0F3A09, d, a, 0x08); return true;
  case 124: /* extadd_pairwise i8 s: pmaddubsw(1s unsigned, a signed) */
    vconst_splat64(m, d, rep8(1));
    vrr(m, 0x66, 0x0F3804, d, a);
    return true;
  case 125:
    vconst_splat64(m, FSCRATCH, rep8(1));
    vmov(m, d, a);
    vrr(m, 0x66, 0x0F3804, d, FSCRATCH);
    return true;
  case 126:
    vconst_splat64(m, FSCRATCH, rep16(1));
    vmov(m, d, a);
    vrr(m, 0x66, 0x0FF5, d, FSCRATCH);
    return true;
  case 127: /* bias to signed, pmaddwd, unbias by 2 * 0x8000 */
    vconst_splat64(m, FSCRATCH, rep16(0x8000));
    vmov(m, d, a);
    vrr(m, 0x66, 0x0FEF, d, FSCRATCH);
    vconst_splat64(m, FSCRATCH, rep16(1));
    vrr(m, 0x66, 0x0FF5, d, FSCRATCH);
    vconst_splat64(m, FSCRATCH, rep32(0x10000));
    vrr(m, 0x66, 0x0FFE, d, FSCRATCH);
    return true;
  case 135: emit_extend(m, 0x0F3820, false, d, a); return true;
  case 136: emit_extend(m, 0x0F3820, true, d, a); return true;
  case 137: emit_extend(m, 0x0F3830, false, d, a); return true;
  case 138: emit_extend(m, 0x0F3830, true, d, a); return true;
  case 167: emit_extend(m, 0x0F3823, false, d, a); return true;
  case 168: emit_extend(m, 0x0F3823, true, d, a); return true;
  case 169: emit_extend(m, 0x0F3833, false, d, a); return true;
  case 170: emit_extend(m, 0x0F3833, true, d, a); return true;
  case 199: emit_extend(m, 0x0F3825, false, d, a); return true;
  case 200: emit_extend(m, 0x0F3825, true, d, a); return true;
  case 201: emit_extend(m, 0x0F3835, false, d, a); return true;
  case 202: emit_extend(m, 0x0F3835, true, d, a); return true;
  case 224: emit_sign_op(m, false, true, d, a); return true;
  case 225: emit_sign_op(m, false, false, d, a); return true;
  case 236: emit_sign_op(m, true, true, d, a); return true;
  case 237: emit_sign_op(m, true, false, d, a); return true;
  case 227: vrr(m, 0, 0x0F51, d, a); return true;
  case 239: vrr(m, 0x66, 0x0F51, d, a); return true;
  case 248: emit_trunc_sat_f32_s(m, d, a); return true;
  case 249: emit_trunc_sat_f32_u(m, d, a); return true;
  case 250: vrr(m, 0, 0x0F5B, d, a); return true; /* cvtdq2ps */
  case 251: /* u32 -> f32: low 16 bits exactly, high part halved */
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
  case 252: /* f64 -> i32 sat, zero upper */
    vmov(m, d, a);
    vmov(m, FSCRATCH, a);
    vrri(m, 0x66, 0x0FC2, FSCRATCH, a, 0); /* not NaN */
    vconst_splat64(m, FSCRATCH2, 0x41DFFFFFFFC00000ull); /* 2147483647.0 */
    vrr(m, 0x66, 0x0F54, FSCRATCH, FSCRATCH2);
    vrr(m, 0x66, 0x0F5D, d, FSCRATCH); /* minpd: clamp, NaN -> 0 */
    vrr(m, 0x66, 0x0FE6, d, d);        /* cvttpd2dq */
    return true;
  case 253:
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
  case 254: vrr(m, 0xF3, 0x0FE6, d, a); return true; /* cvtdq2pd */
  case 255: /* u32 -> f64: 2^52 + u as a double, minus 2^52 */
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
static bool emit_vtest(jit_masm *m, uint32_t op, uint8_t d, uint8_t a) {
  jit_buf *b = &m->buf;
  switch (op) {
  case 83:
    x64_alu_rr(b, X64_XOR, false, d, d);
    vrr(m, 0x66, 0x0F3817, a, a); /* ptest */
    x64_setcc(b, X64_CC_NE, d);
    return true;
  case 99: case 131: case 163: case 195: {
    uint32_t eq = op == 99 ? 0x0F74 : op == 131 ? 0x0F75
                  : op == 163 ? 0x0F76 : 0x0F3829;
    vrr(m, 0x66, 0x0FEF, FSCRATCH, FSCRATCH);
    vrr(m, 0x66, eq, FSCRATCH, a); /* zero lanes */
    x64_alu_rr(b, X64_XOR, false, d, d);
    vrr(m, 0x66, 0x0F3817, FSCRATCH, FSCRATCH);
    x64_setcc(b, X64_CC_E, d);
    return true;
  }
  case 100: vrr(m, 0x66, 0x0FD7, d, a); return true; /* pmovmskb */
  case 132:
    vmov(m, FSCRATCH, a);
    vrr(m, 0x66, 0x0F63, FSCRATCH, FSCRATCH); /* packsswb */
    vrr(m, 0x66, 0x0FD7, d, FSCRATCH);
    x64_movzx8_rr(b, d, d);
    return true;
  case 164: vrr(m, 0, 0x0F50, d, a); return true;    /* movmskps */
  case 196: vrr(m, 0x66, 0x0F50, d, a); return true; /* movmskpd */
  default: return false;
  }
}

/* Shift of every lane by a GPR count, masked by the lane width. */
static bool emit_vshift(jit_masm *m, uint32_t op, uint8_t d, uint8_t a,
                        uint8_t count) {
  jit_buf *b = &m->buf;
  static const struct {
    uint8_t op, bits;
    uint32_t opc;
  } direct[] = {{139, 16, 0x0FF1}, {140, 16, 0x0FE1}, {141, 16, 0x0FD1},
                {171, 32, 0x0FF2}, {172, 32, 0x0FE2}, {173, 32, 0x0FD2},
                {203, 64, 0x0FF3}, {205, 64, 0x0FD3}};
  for (size_t i = 0; i < sizeof direct / sizeof *direct; i++) {
    if (direct[i].op != op) continue;
    x64_mov_rr(b, false, SCRATCH_C, count);
    x64_alu_ri(b, X64_AND, false, SCRATCH_C, direct[i].bits - 1);
    x64_movd_xr(b, false, FSCRATCH, SCRATCH_C);
    vmov(m, d, a);
    vrr(m, 0x66, direct[i].opc, d, FSCRATCH);
    return true;
  }
  if (op != 107 && op != 108 && op != 109 && op != 204) return false;
  x64_mov_rr(b, false, SCRATCH_C, count);
  switch (op) {
  case 107: case 109: { /* i8 shl/shr_u: 16-bit shift, then a byte mask */
    bool left = op == 107;
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
  case 108: /* i8 shr_s: bytes into the high halves of words, psraw */
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
  case 204: /* i64 shr_s = ((a ^ m) >>> n) - (m >>> n), m the sign bit */
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
static void splat_gpr(jit_masm *m, uint32_t op, uint8_t d, uint8_t r) {
  jit_buf *b = &m->buf;
  x64_movd_xr(b, op == 18, d, r);
  switch (op) {
  case 15:
    vrr(m, 0x66, 0x0FEF, FSCRATCH, FSCRATCH);
    vrr(m, 0x66, 0x0F3800, d, FSCRATCH);
    break;
  case 16:
    vrri(m, 0xF2, 0x0F70, d, d, 0); /* pshuflw */
    vrri(m, 0x66, 0x0F70, d, d, 0);
    break;
  case 17: vrri(m, 0x66, 0x0F70, d, d, 0); break;
  default: vrr(m, 0x66, 0x0F6C, d, d); break; /* punpcklqdq */
  }
}

static bool emit_vlane(jit_masm *m, uint32_t op, uint8_t d, uint8_t a,
                       uint8_t s, uint8_t lane) {
  jit_buf *b = &m->buf;
  switch (op) {
  case 15: case 16: case 17: case 18: splat_gpr(m, op, d, a); return true;
  case 19: vmov(m, d, a); vrri(m, 0, 0x0FC6, d, d, 0); return true;
  case 20: vmov(m, d, a); vrr(m, 0x66, 0x0F6C, d, d); return true;
  case 21: case 22:
    vrri(m, 0x66, 0x0F3A14, a, d, lane); /* pextrb: zero-extends */
    if (op == 21) x64_movsx8_rr(b, false, d, d);
    return true;
  case 24: case 25:
    vrri(m, 0x66, 0x0FC5, d, a, lane); /* pextrw */
    if (op == 24) x64_movsx16_rr(b, false, d, d);
    return true;
  case 27:
    vrri(m, 0x66, 0x0F3A16, a, d, lane);
    return true;
  case 29:
    x64_emit_rr(b, 0x66, 0x0F3A16, true, a, d, 0);
    jit_buf_u8(b, lane);
    return true;
  case 31: vrri(m, 0x66, 0x0F70, d, a, lane); return true; /* pshufd */
  case 33:
    if (lane == 0)
      vmov(m, d, a);
    else
      vrri(m, 0x66, 0x0F70, d, a, 0xEE);
    return true;
  case 23: vmov(m, d, a); vrri(m, 0x66, 0x0F3A20, d, s, lane); return true;
  case 26: vmov(m, d, a); vrri(m, 0x66, 0x0FC4, d, s, lane); return true;
  case 28: vmov(m, d, a); vrri(m, 0x66, 0x0F3A22, d, s, lane); return true;
  case 30:
    vmov(m, d, a);
    x64_emit_rr(b, 0x66, 0x0F3A22, true, d, s, 0);
    jit_buf_u8(b, lane);
    return true;
  case 32:
    vmov(m, d, a);
    vrri(m, 0x66, 0x0F3A21, d, s, (uint8_t)(lane << 4)); /* insertps */
    return true;
  case 34:
    vmov(m, d, a);
    if (lane == 0)
      vrr(m, 0xF2, 0x0F10, d, s); /* movsd: low qword only */
    else
      vrr(m, 0, 0x0F16, d, s); /* movlhps */
    return true;
  default: return false;
  }
}

bool x64_masm_vop(jit_masm *m, uint32_t op, jit_reg dst, const jit_reg *src,
                  const uint8_t *imm) {
  uint8_t d = hw(dst), a = hw(src[0]);
  uint8_t b = src[1] == JIT_NO_REG ? 0 : hw(src[1]);
  uint32_t start = jit_buf_pos(&m->buf);
  bool ok;
  if (op == 13) {
    emit_shuffle(m, d, a, b, imm);
    return true;
  }
  if (op == 82) { /* bitselect(v1, v2, c) = v2 ^ ((v1 ^ v2) & c) */
    vmov(m, d, a);
    vrr(m, 0x66, 0x0FEF, d, b);
    vrr(m, 0x66, 0x0FDB, d, hw(src[2]));
    vrr(m, 0x66, 0x0FEF, d, b);
    return true;
  }
  if (op >= 15 && op <= 34)
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
bool x64_masm_vmem(jit_masm *m, uint32_t op, jit_reg reg, jit_opnd addr,
                   uint32_t offset, uint8_t lane) {
  jit_buf *b = &m->buf;
  x64_mem a = x64_mem_operand(m, addr, offset);
  uint8_t r = hw(reg);
  static const uint32_t pmov[] = {0x0F3820, 0x0F3830, 0x0F3823,
                                  0x0F3833, 0x0F3825, 0x0F3835};
  x64_mark_oob_site(m);
  switch (op) {
  case 0: x64_sse_rm(b, X64_MOVUPS_LOAD, r, a); return true;
  case 11: x64_sse_rm(b, X64_MOVUPS_STORE, r, a); return true;
  case 1: case 2: case 3: case 4: case 5: case 6:
    x64_emit_rm(b, 0x66, pmov[op - 1], false, r, a, 0);
    return true;
  case 7: x64_movzx8_rm(b, SCRATCH_A, a); splat_gpr(m, 15, r, SCRATCH_A); return true;
  case 8: x64_movzx16_rm(b, SCRATCH_A, a); splat_gpr(m, 16, r, SCRATCH_A); return true;
  case 9:
    x64_sse_rm(b, X64_MOVSS_LOAD, r, a);
    vrri(m, 0x66, 0x0F70, r, r, 0);
    return true;
  case 10:
    x64_sse_rm(b, X64_MOVSD_LOAD, r, a);
    vrr(m, 0x66, 0x0F6C, r, r);
    return true;
  case 92: x64_sse_rm(b, X64_MOVSS_LOAD, r, a); return true;
  case 93: x64_emit_rm(b, 0xF3, 0x0F7E, false, r, a, 0); return true; /* movq */
  case 84: x64_emit_rm(b, 0x66, 0x0F3A20, false, r, a, 0); break;
  case 85: x64_emit_rm(b, 0x66, 0x0FC4, false, r, a, 0); break;
  case 86: x64_emit_rm(b, 0x66, 0x0F3A22, false, r, a, 0); break;
  case 87: x64_emit_rm(b, 0x66, 0x0F3A22, true, r, a, 0); break;
  case 88: x64_emit_rm(b, 0x66, 0x0F3A14, false, r, a, 0); break;
  case 89: x64_emit_rm(b, 0x66, 0x0F3A15, false, r, a, 0); break;
  case 90: x64_emit_rm(b, 0x66, 0x0F3A16, false, r, a, 0); break;
  case 91: x64_emit_rm(b, 0x66, 0x0F3A16, true, r, a, 0); break;
  default:
    /* not a SIMD memory op: drop the trap site just recorded */
    m->ntraps--;
    return false;
  }
  jit_buf_u8(b, lane);
  return true;
}
