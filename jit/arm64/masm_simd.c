/* The AArch64 lowering of the Wasm SIMD (v128) operations with Advanced
 * SIMD (NEON). v128 values live in the full 128-bit q registers; v30 and v31
 * are the vector scratch registers (consecutive, so tbl can take them as a
 * pair), x16/x17 the general ones.
 *
 * `op` is the 0xFD sub-opcode. Operations on integer lanes share one
 * numbering pattern per lane width: i8x16 ops start at 96, i16x8 at 128,
 * i32x4 at 160, i64x2 at 192, with the same offsets (abs +0, neg +1, add
 * +14, ...); the float and special ops in those ranges are handled first.
 * An op not lowered here returns false before emitting anything. */
#include <string.h>

#include "masm_internal.h"
#include "wrun.h"

#define FS A64_FSCRATCH
#define FS2 A64_FSCRATCH2
#define XS A64_SCRATCH
#define XS2 A64_SCRATCH2

static uint8_t vr(jit_reg r) {
  return (uint8_t)(JIT_IS_FPR(r) ? r - JIT_FPR_BASE : r);
}

/* imm5 of the copy forms for lane `index` of elements 1 << size bytes. */
static unsigned lane_imm5(unsigned size, unsigned index) {
  return (index << (size + 1)) | (1u << size);
}

/* Opcode fields of the NEON instructions used below (U bit, opcode). */
enum {
  OP3_SQADD = 0x01, OP3_URHADD = 0x02, OP3_LOGIC = 0x03, OP3_SQSUB = 0x05,
  OP3_CMGT = 0x06, OP3_CMGE = 0x07, OP3_SSHL = 0x08, OP3_MAX = 0x0C,
  OP3_MIN = 0x0D, OP3_ADD = 0x10, OP3_CMEQ = 0x11, OP3_MUL = 0x13,
  OP3_SQRDMULH = 0x16, OP3_ADDP = 0x17, OP3_FADD = 0x1A, OP3_FMUL = 0x1B,
  OP3_FMLA = 0x19, OP3_FCMP = 0x1C, OP3_FMINMAX = 0x1E, OP3_FDIV = 0x1F,
};
enum {
  OP2_ADDLP = 0x02, OP2_CNT_NOT = 0x05, OP2_CMEQ0 = 0x09, OP2_ABS = 0x0B,
  OP2_FABS = 0x0F, OP2_XTN = 0x12, OP2_QXTN = 0x14, OP2_FCVTN = 0x16,
  OP2_FCVTL = 0x17, OP2_FRINT_NP = 0x18, OP2_FRINT_MZ = 0x19,
  OP2_FCVTZ = 0x1B, OP2_CVTF = 0x1D, OP2_FSQRT = 0x1F,
};

static void vmov(jit_buf *b, uint8_t rd, uint8_t rn) {
  if (rd != rn) a64_mov_v(b, rd, rn);
}

static void vnot(jit_buf *b, uint8_t rd, uint8_t rn) {
  a64_simd_2misc(b, true, true, 0, OP2_CNT_NOT, rd, rn);
}

/* The 16 bytes into vd: low half by fmov (zeroing the rest), high half by
 * ins. Uses x16. */
static void load_v128(jit_buf *b, uint8_t vd, const uint8_t bytes[16]) {
  uint64_t lo, hi;
  memcpy(&lo, bytes, 8);
  memcpy(&hi, bytes + 8, 8);
  if (lo == 0) {
    a64_fpint(b, true, true, A64_FMOV_FROM_GPR, vd, A64_ZR);
  } else {
    a64_mov_imm(b, true, XS, lo);
    a64_fpint(b, true, true, A64_FMOV_FROM_GPR, vd, XS);
  }
  if (hi != 0) {
    a64_mov_imm(b, true, XS, hi);
    a64_simd_copy(b, true, false, lane_imm5(3, 1), 3, vd, XS);
  }
}

static void load_v128_halves(jit_buf *b, uint8_t vd, uint64_t lo,
                             uint64_t hi) {
  uint8_t bytes[16];
  memcpy(bytes, &lo, 8);
  memcpy(bytes + 8, &hi, 8);
  load_v128(b, vd, bytes);
}

void a64_masm_vconst(jit_masm *m, jit_reg dst, const uint8_t bytes[16]) {
  a64_masm_op_start(m);
  load_v128(&m->buf, vr(dst), bytes);
}

bool a64_masm_simd_supported(void) { return true; }

/* ---- compares ------------------------------------------------------------ */

/* Integer compare k of the eq, ne, lt_s, lt_u, gt_s, gt_u, le_s, le_u,
 * ge_s, ge_u order. */
static void int_compare(jit_buf *b, unsigned size, unsigned k, uint8_t d,
                        uint8_t x, uint8_t y) {
  switch (k) {
  case 0: a64_simd_3same(b, true, true, size, OP3_CMEQ, d, x, y); break;
  case 1:
    a64_simd_3same(b, true, true, size, OP3_CMEQ, d, x, y);
    vnot(b, d, d);
    break;
  case 2: a64_simd_3same(b, true, false, size, OP3_CMGT, d, y, x); break;
  case 3: a64_simd_3same(b, true, true, size, OP3_CMGT, d, y, x); break;
  case 4: a64_simd_3same(b, true, false, size, OP3_CMGT, d, x, y); break;
  case 5: a64_simd_3same(b, true, true, size, OP3_CMGT, d, x, y); break;
  case 6: a64_simd_3same(b, true, false, size, OP3_CMGE, d, y, x); break;
  case 7: a64_simd_3same(b, true, true, size, OP3_CMGE, d, y, x); break;
  case 8: a64_simd_3same(b, true, false, size, OP3_CMGE, d, x, y); break;
  default: a64_simd_3same(b, true, true, size, OP3_CMGE, d, x, y); break;
  }
}

/* Float compare k of the eq, ne, lt, gt, le, ge order; sz: f64. NEON
 * compares are false on NaN, as wasm wants (ne is the inverted eq). */
static void float_compare(jit_buf *b, unsigned sz, unsigned k, uint8_t d,
                          uint8_t x, uint8_t y) {
  switch (k) {
  case 0: a64_simd_3same(b, true, false, sz, OP3_FCMP, d, x, y); break;
  case 1:
    a64_simd_3same(b, true, false, sz, OP3_FCMP, d, x, y);
    vnot(b, d, d);
    break;
  case 2: a64_simd_3same(b, true, true, 2 | sz, OP3_FCMP, d, y, x); break;
  case 3: a64_simd_3same(b, true, true, 2 | sz, OP3_FCMP, d, x, y); break;
  case 4: a64_simd_3same(b, true, true, sz, OP3_FCMP, d, y, x); break;
  default: a64_simd_3same(b, true, true, sz, OP3_FCMP, d, x, y); break;
  }
}

/* ---- float lanes ----------------------------------------------------------- */

/* f32x4 (sz 0, from 224) and f64x2 (sz 1, from 236) arithmetic. */
static bool float_arith(jit_buf *b, unsigned sz, unsigned k, uint8_t d,
                        uint8_t x, uint8_t y) {
  switch (k) {
  case 0: a64_simd_2misc(b, true, false, 2 | sz, OP2_FABS, d, x); return true;
  case 1: a64_simd_2misc(b, true, true, 2 | sz, OP2_FABS, d, x); return true;
  case 3: a64_simd_2misc(b, true, true, 2 | sz, OP2_FSQRT, d, x); return true;
  case 4: a64_simd_3same(b, true, false, sz, OP3_FADD, d, x, y); return true;
  case 5:
    a64_simd_3same(b, true, false, 2 | sz, OP3_FADD, d, x, y); return true;
  case 6: a64_simd_3same(b, true, true, sz, OP3_FMUL, d, x, y); return true;
  case 7: a64_simd_3same(b, true, true, sz, OP3_FDIV, d, x, y); return true;
  case 8: /* fmin: NaN-propagating, -0 < +0, as wasm */
    a64_simd_3same(b, true, false, 2 | sz, OP3_FMINMAX, d, x, y);
    return true;
  case 9: a64_simd_3same(b, true, false, sz, OP3_FMINMAX, d, x, y); return true;
  case 10: /* pmin: y < x ? y : x */
    a64_simd_3same(b, true, true, 2 | sz, OP3_FCMP, d, x, y);
    a64_simd_3same(b, true, true, 1, OP3_LOGIC, d, y, x); /* bsl */
    return true;
  case 11: /* pmax: x < y ? y : x */
    a64_simd_3same(b, true, true, 2 | sz, OP3_FCMP, d, y, x);
    a64_simd_3same(b, true, true, 1, OP3_LOGIC, d, y, x);
    return true;
  default: return false;
  }
}

/* ceil, floor, trunc, nearest (k 0..3). */
static void float_round(jit_buf *b, unsigned sz, unsigned k, uint8_t d,
                        uint8_t x) {
  switch (k) {
  case 0: a64_simd_2misc(b, true, false, 2 | sz, OP2_FRINT_NP, d, x); break;
  case 1: a64_simd_2misc(b, true, false, sz, OP2_FRINT_MZ, d, x); break;
  case 2: a64_simd_2misc(b, true, false, 2 | sz, OP2_FRINT_MZ, d, x); break;
  default: a64_simd_2misc(b, true, false, sz, OP2_FRINT_NP, d, x); break;
  }
}

/* 94..95 and 248..255: conversions. */
static bool conversion(jit_buf *b, jit_vop op, uint8_t d, uint8_t x) {
  switch (op) {
  /* f32x4.demote_f64x2_zero: fcvtn (64-bit form zeroes the top) */
  case JV_F32X4_DEMOTE_F64X2_ZERO:
    a64_simd_2misc(b, false, false, 1, OP2_FCVTN, d, x);
    return true;
  case JV_F64X2_PROMOTE_LOW_F32X4: /* f64x2.promote_low_f32x4 */
    a64_simd_2misc(b, false, false, 1, OP2_FCVTL, d, x);
    return true;
  /* i32x4.trunc_sat_f32x4_s/u: saturating, NaN -> 0 */
  case JV_I32X4_TRUNC_SAT_F32X4_S: case JV_I32X4_TRUNC_SAT_F32X4_U:
    a64_simd_2misc(b, true, op == JV_I32X4_TRUNC_SAT_F32X4_U, 2, OP2_FCVTZ, d,
                   x);
    return true;
  case JV_F32X4_CONVERT_I32X4_S: case JV_F32X4_CONVERT_I32X4_U:
    a64_simd_2misc(b, true, op == JV_F32X4_CONVERT_I32X4_U, 0, OP2_CVTF, d, x);
    return true;
  /* trunc_sat_f64x2_s/u_zero: to i64, saturating narrow */
  case JV_I32X4_TRUNC_SAT_F64X2_S_ZERO:
  case JV_I32X4_TRUNC_SAT_F64X2_U_ZERO: {
    bool u = op == JV_I32X4_TRUNC_SAT_F64X2_U_ZERO;
    a64_simd_2misc(b, true, u, 3, OP2_FCVTZ, d, x);
    a64_simd_2misc(b, false, u, 2, OP2_QXTN, d, d);
    return true;
  }
  /* f64x2.convert_low_i32x4_s/u: widen, then convert */
  case JV_F64X2_CONVERT_LOW_I32X4_S:
  case JV_F64X2_CONVERT_LOW_I32X4_U: {
    bool u = op == JV_F64X2_CONVERT_LOW_I32X4_U;
    a64_simd_shift_imm(b, false, u, 32, 0x14, d, x);
    a64_simd_2misc(b, true, u, 1, OP2_CVTF, d, d);
    return true;
  }
  default: return false;
  }
}

/* ---- integer lanes -------------------------------------------------------- */

/* Lane shifts by a GPR count: the count is masked to the lane width and
 * broadcast; right shifts are sshl/ushl by the negated count. */
static void shift(jit_buf *b, unsigned size, unsigned k, uint8_t d, uint8_t x,
                  uint8_t count) {
  uint32_t nrs = 0;
  a64_logical_imm((8u << size) - 1, false, &nrs);
  a64_logic_imm(b, false, A64_AND, XS, count, nrs);
  if (k != 0) a64_addsub_reg(b, false, true, false, XS, A64_ZR, XS, A64_LSL, 0);
  a64_simd_copy(b, true, false, 1u << size, 1, FS, XS); /* dup */
  bool is_unsigned = k != 1;
  a64_simd_3same(b, true, is_unsigned, size, OP3_SSHL, d, x, FS);
}

/* i64x2.mul has no NEON form: lane by lane through x16/x17. */
static void mul_i64x2(jit_buf *b, uint8_t d, uint8_t x, uint8_t y) {
  for (unsigned i = 0; i < 2; i++) {
    a64_simd_copy(b, true, false, lane_imm5(3, i), 7, XS, x);  /* umov */
    a64_simd_copy(b, true, false, lane_imm5(3, i), 7, XS2, y);
    a64_mul(b, true, XS, XS, XS2);
    a64_simd_copy(b, true, false, lane_imm5(3, i), 3, d, XS);  /* ins */
  }
}

/* dst (GPR) = 1 if every lane of x is nonzero. */
static void all_true(jit_buf *b, unsigned size, uint8_t d, uint8_t x) {
  if (size == 3) {
    a64_simd_2misc(b, true, false, 3, OP2_CMEQ0, FS, x);
    a64_simd_across(b, true, true, 2, 0x0A, FS, FS); /* umaxv s */
    a64_fpint(b, false, false, A64_FMOV_TO_GPR, d, FS);
    a64_addsub_imm(b, false, true, true, A64_ZR, d, 0);
    a64_cset(b, false, d, A64_EQ);
    return;
  }
  a64_simd_across(b, true, true, size, 0x1A, FS, x); /* uminv */
  a64_simd_copy(b, false, false, lane_imm5(size, 0), 7, d, FS);
  a64_addsub_imm(b, false, true, true, A64_ZR, d, 0);
  a64_cset(b, false, d, A64_NE);
}

/* dst (GPR) = the lanes' sign bits: each lane's sign mask ANDed with its
 * bit weight, summed across lanes. */
static void bitmask(jit_buf *b, unsigned size, uint8_t d, uint8_t x) {
  unsigned bits = 8u << size;
  if (size == 3) {
    a64_simd_copy(b, true, false, lane_imm5(3, 0), 7, XS, x);
    a64_simd_copy(b, true, false, lane_imm5(3, 1), 7, XS2, x);
    a64_lsr_imm(b, true, XS, XS, 63);
    a64_lsr_imm(b, true, XS2, XS2, 63);
    a64_addsub_reg(b, false, false, false, d, XS, XS2, A64_LSL, 1);
    return;
  }
  static const uint64_t weights[3][2] = {
      {0x8040201008040201ull, 0x8040201008040201ull},
      {0x0008000400020001ull, 0x0080004000200010ull},
      {0x0000000200000001ull, 0x0000000800000004ull},
  };
  a64_simd_shift_imm(b, true, false, bits + 1, 0x00, FS, x); /* sshr #bits-1 */
  load_v128_halves(b, FS2, weights[size][0], weights[size][1]);
  a64_simd_3same(b, true, false, 0, OP3_LOGIC, FS, FS, FS2); /* and */
  if (size == 0) {
    /* addv per 8-byte half (the sums are < 256), then join them */
    a64_simd_across(b, false, false, 0, 0x1B, FS2, FS);
    a64_simd_ext(b, FS, FS, FS, 8);
    a64_simd_across(b, false, false, 0, 0x1B, FS, FS);
    a64_simd_copy(b, false, false, lane_imm5(0, 0), 7, XS, FS2);
    a64_simd_copy(b, false, false, lane_imm5(0, 0), 7, XS2, FS);
    a64_addsub_reg(b, false, false, false, d, XS, XS2, A64_LSL, 8);
    return;
  }
  a64_simd_across(b, true, false, size, 0x1B, FS, FS);
  a64_simd_copy(b, false, false, lane_imm5(size, 0), 7, d, FS);
}

/* The op at offset k of the lane-width pattern (see the file comment). */
static bool int_lane_op(jit_buf *b, unsigned size, unsigned k, uint8_t d,
                        const jit_reg *src) {
  uint8_t x = vr(src[0]);
  uint8_t y = src[1] == JIT_NO_REG ? 0 : vr(src[1]);
  switch (k) {
  case 0: a64_simd_2misc(b, true, false, size, OP2_ABS, d, x); return true;
  case 1: a64_simd_2misc(b, true, true, size, OP2_ABS, d, x); return true;
  case 3: all_true(b, size, d, x); return true;
  case 4: bitmask(b, size, d, x); return true;
  case 5: case 6: /* narrow x:y with signed/unsigned saturation */
    if (size > 1) return false;
    if (k == 5) {
      a64_simd_2misc(b, false, false, size, OP2_QXTN, d, x);
      a64_simd_2misc(b, true, false, size, OP2_QXTN, d, y);
    } else {
      a64_simd_2misc(b, false, true, size, OP2_XTN, d, x); /* sqxtun */
      a64_simd_2misc(b, true, true, size, OP2_XTN, d, y);
    }
    return true;
  case 7: case 8: case 9: case 10: /* extend low/high, s/u: sshll/ushll #0 */
    if (size == 0) return false;
    a64_simd_shift_imm(b, k == 8 || k == 10, k >= 9, 8u << (size - 1), 0x14,
                       d, x);
    return true;
  case 11: case 12: case 13: shift(b, size, k - 11, d, x, y); return true;
  case 14: a64_simd_3same(b, true, false, size, OP3_ADD, d, x, y); return true;
  case 17: a64_simd_3same(b, true, true, size, OP3_ADD, d, x, y); return true;
  case 15: case 16: case 18: case 19: /* saturating add/sub */
    if (size > 1) return false;
    a64_simd_3same(b, true, k == 16 || k == 19, size,
                   k <= 16 ? OP3_SQADD : OP3_SQSUB, d, x, y);
    return true;
  case 21:
    if (size == 0) return false;
    if (size == 3) mul_i64x2(b, d, x, y);
    else a64_simd_3same(b, true, false, size, OP3_MUL, d, x, y);
    return true;
  case 22: case 23: case 24: case 25: /* min_s, min_u, max_s, max_u */
    if (size > 2) return false;
    a64_simd_3same(b, true, k == 23 || k == 25, size,
                   k <= 23 ? OP3_MIN : OP3_MAX, d, x, y);
    return true;
  case 27:
    if (size > 1) return false;
    a64_simd_3same(b, true, true, size, OP3_URHADD, d, x, y);
    return true;
  case 28: case 29: case 30: case 31: /* extmul low/high, s/u */
    if (size == 0) return false;
    a64_simd_3diff(b, k == 29 || k == 31, k >= 30, size - 1, 0xC, d, x, y);
    return true;
  default: return false;
  }
}

/* ---- lanes, shuffles -------------------------------------------------------- */

/* 15..34: splat, extract_lane, replace_lane. */
static bool lane_op(jit_buf *b, jit_vop op, uint8_t d, const jit_reg *src,
                    unsigned lane) {
  uint8_t x = vr(src[0]);
  switch (op) {
  case JV_I8X16_SPLAT:
  case JV_I16X8_SPLAT:
  case JV_I32X4_SPLAT:
  case JV_I64X2_SPLAT: /* dup from a GPR */
    a64_simd_copy(b, true, false, 1u << (op - JV_I8X16_SPLAT), 1, d, x);
    return true;
  case JV_F32X4_SPLAT:
    a64_simd_copy(b, true, false, lane_imm5(2, 0), 0, d, x); return true;
  case JV_F64X2_SPLAT:
    a64_simd_copy(b, true, false, lane_imm5(3, 0), 0, d, x); return true;
  case JV_I8X16_EXTRACT_LANE_S:
    a64_simd_copy(b, false, false, lane_imm5(0, lane), 5, d, x); return true;
  case JV_I8X16_EXTRACT_LANE_U:
    a64_simd_copy(b, false, false, lane_imm5(0, lane), 7, d, x); return true;
  case JV_I16X8_EXTRACT_LANE_S:
    a64_simd_copy(b, false, false, lane_imm5(1, lane), 5, d, x); return true;
  case JV_I16X8_EXTRACT_LANE_U:
    a64_simd_copy(b, false, false, lane_imm5(1, lane), 7, d, x); return true;
  case JV_I32X4_EXTRACT_LANE:
    a64_simd_copy(b, false, false, lane_imm5(2, lane), 7, d, x); return true;
  case JV_I64X2_EXTRACT_LANE:
    a64_simd_copy(b, true, false, lane_imm5(3, lane), 7, d, x); return true;
  case JV_F32X4_EXTRACT_LANE:
    a64_simd_dup_scalar(b, lane_imm5(2, lane), d, x); return true;
  case JV_F64X2_EXTRACT_LANE:
    a64_simd_dup_scalar(b, lane_imm5(3, lane), d, x); return true;
  case JV_I8X16_REPLACE_LANE:
  case JV_I16X8_REPLACE_LANE:
  case JV_I32X4_REPLACE_LANE:
  case JV_I64X2_REPLACE_LANE: { /* ins from a GPR */
    unsigned size = op == JV_I8X16_REPLACE_LANE   ? 0
                    : op == JV_I16X8_REPLACE_LANE ? 1
                    : op == JV_I32X4_REPLACE_LANE ? 2
                                                  : 3;
    vmov(b, d, x);
    a64_simd_copy(b, true, false, lane_imm5(size, lane), 3, d, vr(src[1]));
    return true;
  }
  /* ins from lane 0 of an FPR */
  case JV_F32X4_REPLACE_LANE: case JV_F64X2_REPLACE_LANE: {
    unsigned size = op == JV_F32X4_REPLACE_LANE ? 2 : 3;
    vmov(b, d, x);
    a64_simd_copy(b, true, true, lane_imm5(size, lane), 0, d, vr(src[1]));
    return true;
  }
  default: return false;
  }
}

/* i8x16.shuffle: tbl over the pair v30:v31 (indices are < 32). */
static void shuffle(jit_buf *b, uint8_t d, uint8_t x, uint8_t y,
                    const uint8_t lanes[16]) {
  vmov(b, FS2, x);
  vmov(b, FS, y);
  load_v128(b, d, lanes);
  a64_simd_tbl(b, 2, d, FS2, d);
}

/* ---- relaxed SIMD ---------------------------------------------------------- */

/* d = the i16x8 sums of adjacent products of the signed bytes of x and y:
 * smull/smull2 (exact in i16), then addp, which wraps (only -128 * -128
 * twice overflows; the spec allows the wrap). x86-64 computes the same. */
static void dot_i8_i16(jit_buf *b, uint8_t d, uint8_t x, uint8_t y) {
  a64_simd_3diff(b, false, false, 0, 0xC, FS, x, y);
  a64_simd_3diff(b, true, false, 0, 0xC, d, x, y);
  a64_simd_3same(b, true, false, 1, OP3_ADDP, d, FS, d);
}

/* The choice of result of each relaxed op on AArch64: NEON's own
 * instructions give the strict wasm result for all but madd/nmadd, which
 * fuse (fmla/fmls: one rounding). Ops >= 0x100. */
static bool relaxed(jit_buf *b, jit_vop op, uint8_t d, uint8_t x, uint8_t y,
                    uint8_t z) {
  switch (op) {
  case JV_I8X16_RELAXED_SWIZZLE: a64_simd_tbl(b, 1, d, x, y); return true;
  case JV_I32X4_RELAXED_TRUNC_F32X4_S:
    return conversion(b, JV_I32X4_TRUNC_SAT_F32X4_S, d, x);
  case JV_I32X4_RELAXED_TRUNC_F32X4_U:
    return conversion(b, JV_I32X4_TRUNC_SAT_F32X4_U, d, x);
  case JV_I32X4_RELAXED_TRUNC_F64X2_S_ZERO:
    return conversion(b, JV_I32X4_TRUNC_SAT_F64X2_S_ZERO, d, x);
  case JV_I32X4_RELAXED_TRUNC_F64X2_U_ZERO:
    return conversion(b, JV_I32X4_TRUNC_SAT_F64X2_U_ZERO, d, x);
  /* fmla d += x * y, fmls d -= x * y, with d a copy of c */
  case JV_F32X4_RELAXED_MADD:
  case JV_F32X4_RELAXED_NMADD:
  case JV_F64X2_RELAXED_MADD:
  case JV_F64X2_RELAXED_NMADD: {
    unsigned sz = op == JV_F64X2_RELAXED_MADD || op == JV_F64X2_RELAXED_NMADD;
    bool neg = op == JV_F32X4_RELAXED_NMADD || op == JV_F64X2_RELAXED_NMADD;
    vmov(b, d, z);
    a64_simd_3same(b, true, false, (neg ? 2 : 0) | sz, OP3_FMLA, d, x, y);
    return true;
  }
  case JV_I8X16_RELAXED_LANESELECT:
  case JV_I16X8_RELAXED_LANESELECT:
  case JV_I32X4_RELAXED_LANESELECT:
  case JV_I64X2_RELAXED_LANESELECT: /* bsl, as bitselect */
    vmov(b, d, z);
    a64_simd_3same(b, true, true, 1, OP3_LOGIC, d, x, y);
    return true;
  case JV_F32X4_RELAXED_MIN: return float_arith(b, 0, 8, d, x, y);
  case JV_F32X4_RELAXED_MAX: return float_arith(b, 0, 9, d, x, y);
  case JV_F64X2_RELAXED_MIN: return float_arith(b, 1, 8, d, x, y);
  case JV_F64X2_RELAXED_MAX: return float_arith(b, 1, 9, d, x, y);
  case JV_I16X8_RELAXED_Q15MULR_S: /* sqrdmulh saturates */
    a64_simd_3same(b, true, true, 1, OP3_SQRDMULH, d, x, y);
    return true;
  case JV_I16X8_RELAXED_DOT_I8X16_I7X16_S: dot_i8_i16(b, d, x, y); return true;
  /* the i16 sums, pairwise into i32 (saddlp), plus c */
  case JV_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S:
    dot_i8_i16(b, d, x, y);
    a64_simd_2misc(b, true, false, 1, OP2_ADDLP, d, d);
    a64_simd_3same(b, true, false, 2, OP3_ADD, d, d, z);
    return true;
  default: return false;
  }
}

bool a64_masm_vop(jit_masm *m, jit_vop op, jit_reg dst, const jit_reg *src,
                  const uint8_t *imm) {
  a64_masm_op_start(m);
  jit_buf *b = &m->buf;
  uint8_t d = vr(dst);
  uint8_t x = src[0] == JIT_NO_REG ? 0 : vr(src[0]);
  uint8_t y = src[1] == JIT_NO_REG ? 0 : vr(src[1]);
  if (op == JV_I8X16_SHUFFLE) {
    shuffle(b, d, x, y, imm);
    return true;
  }
  /* swizzle: tbl gives 0 for indices >= 16, as wasm */
  if (op == JV_I8X16_SWIZZLE) {
    a64_simd_tbl(b, 1, d, x, y);
    return true;
  }
  if (op >= JV_I8X16_RELAXED_SWIZZLE)
    return relaxed(b, op, d, x, y, src[2] == JIT_NO_REG ? 0 : vr(src[2]));
  if (op >= JV_I8X16_SPLAT && op <= JV_F64X2_REPLACE_LANE)
    return lane_op(b, op, d, src, imm[0]);
  if (op >= JV_I8X16_EQ && op <= JV_I32X4_GE_U) {
    int_compare(b, (op - JV_I8X16_EQ) / 10, (op - JV_I8X16_EQ) % 10, d, x, y);
    return true;
  }
  if (op >= JV_F32X4_EQ && op <= JV_F64X2_GE) {
    float_compare(b, op >= JV_F64X2_EQ, (op - JV_F32X4_EQ) % 6, d, x, y);
    return true;
  }
  switch (op) {
  case JV_V128_NOT: vnot(b, d, x); return true;
  case JV_V128_AND:
    a64_simd_3same(b, true, false, 0, OP3_LOGIC, d, x, y); return true;
  case JV_V128_ANDNOT:
    a64_simd_3same(b, true, false, 1, OP3_LOGIC, d, x, y); return true;
  case JV_V128_OR:
    a64_simd_3same(b, true, false, 2, OP3_LOGIC, d, x, y); return true;
  case JV_V128_XOR:
    a64_simd_3same(b, true, true, 0, OP3_LOGIC, d, x, y); return true;
  case JV_V128_BITSELECT: /* bitselect: bsl takes the mask in the destination */
    vmov(b, d, vr(src[2]));
    a64_simd_3same(b, true, true, 1, OP3_LOGIC, d, x, y);
    return true;
  case JV_V128_ANY_TRUE: /* any_true */
    a64_simd_across(b, true, true, 2, 0x0A, FS, x); /* umaxv s */
    a64_fpint(b, false, false, A64_FMOV_TO_GPR, d, FS);
    a64_addsub_imm(b, false, true, true, A64_ZR, d, 0);
    a64_cset(b, false, d, A64_NE);
    return true;
  case JV_I8X16_POPCNT:
    a64_simd_2misc(b, true, false, 0, OP2_CNT_NOT, d, x); return true;
  case JV_F32X4_CEIL:
  case JV_F32X4_FLOOR:
  case JV_F32X4_TRUNC: case JV_F32X4_NEAREST:
    float_round(b, 0, op - JV_F32X4_CEIL, d, x);
    return true;
  case JV_F64X2_CEIL: float_round(b, 1, 0, d, x); return true;
  case JV_F64X2_FLOOR: float_round(b, 1, 1, d, x); return true;
  case JV_F64X2_TRUNC: float_round(b, 1, 2, d, x); return true;
  case JV_F64X2_NEAREST: float_round(b, 1, 3, d, x); return true;
  case JV_I16X8_EXTADD_PAIRWISE_I8X16_S:
  case JV_I16X8_EXTADD_PAIRWISE_I8X16_U:
  case JV_I32X4_EXTADD_PAIRWISE_I16X8_S:
  case JV_I32X4_EXTADD_PAIRWISE_I16X8_U: /* extadd_pairwise: s/uaddlp */
    a64_simd_2misc(b, true, op & 1, op >= JV_I32X4_EXTADD_PAIRWISE_I16X8_S,
                   OP2_ADDLP, d, x);
    return true;
  case JV_I16X8_Q15MULR_SAT_S: /* q15mulr_sat_s = sqrdmulh */
    a64_simd_3same(b, true, true, 1, OP3_SQRDMULH, d, x, y);
    return true;
  /* dot: products of the low and high halves, pairwise added */
  case JV_I32X4_DOT_I16X8_S:
    a64_simd_3diff(b, false, false, 1, 0xC, FS, x, y);
    a64_simd_3diff(b, true, false, 1, 0xC, d, x, y);
    a64_simd_3same(b, true, false, 2, OP3_ADDP, d, FS, d);
    return true;
  case JV_I64X2_EQ:
  case JV_I64X2_NE:
  case JV_I64X2_LT_S:
  case JV_I64X2_GT_S:
  case JV_I64X2_LE_S:
  case JV_I64X2_GE_S: {
    static const unsigned k64[6] = {0, 1, 2, 4, 6, 8};
    int_compare(b, 3, k64[op - JV_I64X2_EQ], d, x, y);
    return true;
  }
  default: break;
  }
  if (op >= JV_F32X4_ABS && op <= JV_F64X2_PMAX)
    return float_arith(b, op >= JV_F64X2_ABS, (op - JV_F32X4_ABS) % 12, d, x,
                       y);
  if (op == JV_F32X4_DEMOTE_F64X2_ZERO || op == JV_F64X2_PROMOTE_LOW_F32X4 ||
      op >= JV_I32X4_TRUNC_SAT_F32X4_S)
    return conversion(b, op, d, x);
  if (op >= JV_I8X16_ABS && op <= JV_I64X2_EXTMUL_HIGH_I32X4_U)
    return int_lane_op(b, (op - JV_I8X16_ABS) / 32, (op - JV_I8X16_ABS) % 32,
                       d, src);
  return false;
}

/* ---- memory ------------------------------------------------------------------ */

/* ld1/st1 of one lane (or ld1r) at x16 = the effective address. */
static void lane_access(jit_masm *m, bool load, bool replicate, unsigned size,
                        unsigned lane, uint8_t v, jit_opnd addr,
                        uint32_t offset) {
  a64_masm_mem_address(m, addr, offset);
  jit_masm_add_trap(m, jit_buf_pos(&m->buf), WRUN_TRAP_MEMORY_OOB);
  if (replicate) a64_simd_ld1r(&m->buf, size, v, XS);
  else a64_simd_ldst1_lane(&m->buf, load, size, lane, v, XS);
}

bool a64_masm_vmem(jit_masm *m, jit_vop op, jit_reg reg, jit_opnd addr,
                   uint32_t offset, uint8_t lane) {
  a64_masm_op_start(m);
  uint8_t v = vr(reg);
  switch (op) {
  case JV_V128_LOAD:
    a64_masm_access_mem(m, A64_LDR_Q, v, addr, offset); return true;
  case JV_V128_STORE:
    a64_masm_access_mem(m, A64_STR_Q, v, addr, offset); return true;
  case JV_V128_LOAD8X8_S:
  case JV_V128_LOAD8X8_U:
  case JV_V128_LOAD16X4_S:
  case JV_V128_LOAD16X4_U:
  case JV_V128_LOAD32X2_S:
  case JV_V128_LOAD32X2_U: {
    /* load 64 bits, widen with sshll/ushll #0 */
    unsigned size = (op - JV_V128_LOAD8X8_S) / 2;
    a64_masm_access_mem(m, A64_LDR_D, v, addr, offset);
    a64_simd_shift_imm(&m->buf, false, (op & 1) == 0, 8u << size, 0x14, v, v);
    return true;
  }
  case JV_V128_LOAD8_SPLAT:
  case JV_V128_LOAD16_SPLAT:
  case JV_V128_LOAD32_SPLAT: case JV_V128_LOAD64_SPLAT:
    lane_access(m, true, true, op - JV_V128_LOAD8_SPLAT, 0, v, addr, offset);
    return true;
  case JV_V128_LOAD8_LANE:
  case JV_V128_LOAD16_LANE:
  case JV_V128_LOAD32_LANE: case JV_V128_LOAD64_LANE:
    lane_access(m, true, false, op - JV_V128_LOAD8_LANE, lane, v, addr, offset);
    return true;
  case JV_V128_STORE8_LANE:
  case JV_V128_STORE16_LANE:
  case JV_V128_STORE32_LANE: case JV_V128_STORE64_LANE:
    lane_access(m, false, false, op - JV_V128_STORE8_LANE, lane, v, addr,
                offset);
    return true;
  case JV_V128_LOAD32_ZERO:
    a64_masm_access_mem(m, A64_LDR_S, v, addr, offset); return true;
  case JV_V128_LOAD64_ZERO:
    a64_masm_access_mem(m, A64_LDR_D, v, addr, offset); return true;
  default: return false;
  }
}
