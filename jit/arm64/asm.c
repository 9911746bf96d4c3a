/* The A64 encoder (see asm.h). Field layouts follow the Arm Architecture
 * Reference Manual's encoding classes; each function documents its class
 * only where the bit positions are not obvious from the code. */
#include "asm.h"

uint32_t a64_emit(jit_buf *b, uint32_t insn) {
  uint32_t at = jit_buf_pos(b);
  jit_buf_u32(b, insn);
  return at;
}

static uint32_t r5(uint8_t r) { return (uint32_t)(r & 31); }
static uint32_t sf_bit(bool sf) { return sf ? 1u << 31 : 0; }

/* ---- data processing ------------------------------------------------------ */

bool a64_addsub_imm_ok(uint64_t imm) {
  return imm < 4096 || ((imm & 0xfff) == 0 && imm < (4096u << 12));
}

uint32_t a64_addsub_imm(jit_buf *b, bool sf, bool sub, bool set_flags,
                        uint8_t rd, uint8_t rn, uint32_t imm) {
  uint32_t sh = 0;
  if (imm >= 4096) {
    sh = 1;
    imm >>= 12;
  }
  return a64_emit(b, sf_bit(sf) | (sub ? 1u << 30 : 0) |
                         (set_flags ? 1u << 29 : 0) | 0x11000000u | sh << 22 |
                         (imm & 0xfff) << 10 | r5(rn) << 5 | r5(rd));
}

uint32_t a64_addsub_reg(jit_buf *b, bool sf, bool sub, bool set_flags,
                        uint8_t rd, uint8_t rn, uint8_t rm, a64_shift sh,
                        uint8_t amount) {
  return a64_emit(b, sf_bit(sf) | (sub ? 1u << 30 : 0) |
                         (set_flags ? 1u << 29 : 0) | 0x0B000000u |
                         (uint32_t)sh << 22 | r5(rm) << 16 |
                         (uint32_t)(amount & 63) << 10 | r5(rn) << 5 | r5(rd));
}

uint32_t a64_addsub_ext(jit_buf *b, bool sf, bool sub, bool set_flags,
                        uint8_t rd, uint8_t rn, uint8_t rm, a64_extend ext,
                        uint8_t lsl) {
  return a64_emit(b, sf_bit(sf) | (sub ? 1u << 30 : 0) |
                         (set_flags ? 1u << 29 : 0) | 0x0B200000u |
                         r5(rm) << 16 | (uint32_t)ext << 13 |
                         (uint32_t)(lsl & 7) << 10 | r5(rn) << 5 | r5(rd));
}

uint32_t a64_logic_reg(jit_buf *b, bool sf, a64_logic op, bool invert,
                       uint8_t rd, uint8_t rn, uint8_t rm, a64_shift sh,
                       uint8_t amount) {
  return a64_emit(b, sf_bit(sf) | (uint32_t)op << 29 | 0x0A000000u |
                         (uint32_t)sh << 22 | (invert ? 1u << 21 : 0) |
                         r5(rm) << 16 | (uint32_t)(amount & 63) << 10 |
                         r5(rn) << 5 | r5(rd));
}

/* Rotates the low `size` bits of v right by r. */
static uint64_t ror_in(uint64_t v, unsigned r, unsigned size) {
  uint64_t mask = size == 64 ? ~0ull : (1ull << size) - 1;
  v &= mask;
  if (r == 0) return v;
  return ((v >> r) | (v << (size - r))) & mask;
}

/* A bitmask immediate is a run of ones, rotated, in an element of 2, 4,
 * ..., 64 bits replicated across the register. */
bool a64_logical_imm(uint64_t imm, bool sf, uint32_t *nrs) {
  if (!sf) {
    imm &= 0xffffffffull;
    imm |= imm << 32;
  }
  if (imm == 0 || imm == ~0ull) return false;
  unsigned size = 64;
  while (size > 2) {
    unsigned half = size / 2;
    uint64_t mask = (1ull << half) - 1;
    if ((imm & mask) != ((imm >> half) & mask)) break;
    size = half;
  }
  uint64_t mask = size == 64 ? ~0ull : (1ull << size) - 1;
  uint64_t elem = imm & mask;
  unsigned ones = (unsigned)__builtin_popcountll(elem);
  uint64_t run = ones == 64 ? ~0ull : (1ull << ones) - 1;
  for (unsigned r = 0; r < size; r++) {
    if (ror_in(run, r, size) != elem) continue;
    uint32_t n = size == 64;
    uint32_t imms = ((~(size - 1) << 1) & 0x3f) | (ones - 1);
    *nrs = n << 12 | r << 6 | imms;
    return true;
  }
  return false;
}

uint32_t a64_logic_imm(jit_buf *b, bool sf, a64_logic op, uint8_t rd,
                       uint8_t rn, uint32_t nrs) {
  return a64_emit(b, sf_bit(sf) | (uint32_t)op << 29 | 0x12000000u |
                         (nrs & 0x1fff) << 10 | r5(rn) << 5 | r5(rd));
}

uint32_t a64_movw(jit_buf *b, bool sf, a64_movw_op op, uint8_t rd,
                  uint16_t imm16, unsigned hw) {
  return a64_emit(b, sf_bit(sf) | (uint32_t)op << 29 | 0x12800000u |
                         (uint32_t)(hw & 3) << 21 | (uint32_t)imm16 << 5 |
                         r5(rd));
}

uint32_t a64_mov_reg(jit_buf *b, bool sf, uint8_t rd, uint8_t rm) {
  return a64_logic_reg(b, sf, A64_ORR, false, rd, A64_ZR, rm, A64_LSL, 0);
}

uint32_t a64_mov_sp(jit_buf *b, uint8_t rd, uint8_t rn) {
  return a64_addsub_imm(b, true, false, false, rd, rn, 0);
}

void a64_mov_imm(jit_buf *b, bool sf, uint8_t rd, uint64_t imm) {
  unsigned nhw = sf ? 4 : 2;
  if (!sf) imm &= 0xffffffffull;
  unsigned zeros = 0, ones = 0;
  for (unsigned i = 0; i < nhw; i++) {
    uint16_t h = (uint16_t)(imm >> (16 * i));
    zeros += h == 0;
    ones += h == 0xffff;
  }
  bool use_movn = ones > zeros;
  unsigned needed = nhw - (use_movn ? ones : zeros);
  uint32_t nrs;
  if (needed > 1 && a64_logical_imm(imm, sf, &nrs)) {
    a64_logic_imm(b, sf, A64_ORR, rd, A64_ZR, nrs);
    return;
  }
  uint16_t skip = use_movn ? 0xffff : 0;
  bool first = true;
  for (unsigned i = 0; i < nhw; i++) {
    uint16_t h = (uint16_t)(imm >> (16 * i));
    if (h == skip) continue;
    if (first) {
      a64_movw(b, sf, use_movn ? A64_MOVN : A64_MOVZ, rd,
               use_movn ? (uint16_t)~h : h, i);
      first = false;
    } else {
      a64_movw(b, sf, A64_MOVK, rd, h, i);
    }
  }
  if (first) /* every halfword was the skipped one: 0 or all ones */
    a64_movw(b, sf, use_movn ? A64_MOVN : A64_MOVZ, rd, 0, 0);
}

uint32_t a64_shift_reg(jit_buf *b, bool sf, a64_shift sh, uint8_t rd,
                       uint8_t rn, uint8_t rm) {
  return a64_emit(b, sf_bit(sf) | 0x1AC02000u | r5(rm) << 16 |
                         (uint32_t)sh << 10 | r5(rn) << 5 | r5(rd));
}

uint32_t a64_bfm(jit_buf *b, bool sf, bool is_signed, uint8_t rd, uint8_t rn,
                 unsigned immr, unsigned imms) {
  uint32_t opc = is_signed ? 0 : 2;
  return a64_emit(b, sf_bit(sf) | opc << 29 | 0x13000000u |
                         (sf ? 1u << 22 : 0) | (immr & 63) << 16 |
                         (imms & 63) << 10 | r5(rn) << 5 | r5(rd));
}

uint32_t a64_extr(jit_buf *b, bool sf, uint8_t rd, uint8_t rn, uint8_t rm,
                  unsigned lsb) {
  return a64_emit(b, sf_bit(sf) | 0x13800000u | (sf ? 1u << 22 : 0) |
                         r5(rm) << 16 | (lsb & 63) << 10 | r5(rn) << 5 |
                         r5(rd));
}

uint32_t a64_lsl_imm(jit_buf *b, bool sf, uint8_t rd, uint8_t rn, unsigned n) {
  unsigned width = sf ? 64 : 32;
  n &= width - 1;
  return a64_bfm(b, sf, false, rd, rn, (width - n) & (width - 1),
                 width - 1 - n);
}

uint32_t a64_lsr_imm(jit_buf *b, bool sf, uint8_t rd, uint8_t rn, unsigned n) {
  unsigned width = sf ? 64 : 32;
  return a64_bfm(b, sf, false, rd, rn, n & (width - 1), width - 1);
}

uint32_t a64_asr_imm(jit_buf *b, bool sf, uint8_t rd, uint8_t rn, unsigned n) {
  unsigned width = sf ? 64 : 32;
  return a64_bfm(b, sf, true, rd, rn, n & (width - 1), width - 1);
}

uint32_t a64_csel(jit_buf *b, bool sf, a64_csel_op op, uint8_t rd, uint8_t rn,
                  uint8_t rm, a64_cond c) {
  uint32_t o1 = (uint32_t)op >> 1, o2 = (uint32_t)op & 1;
  return a64_emit(b, sf_bit(sf) | o1 << 30 | 0x1A800000u | r5(rm) << 16 |
                         (uint32_t)c << 12 | o2 << 10 | r5(rn) << 5 | r5(rd));
}

uint32_t a64_cset(jit_buf *b, bool sf, uint8_t rd, a64_cond c) {
  return a64_csel(b, sf, A64_CSINC, rd, A64_ZR, A64_ZR, a64_cond_invert(c));
}

uint32_t a64_madd(jit_buf *b, bool sf, bool sub, uint8_t rd, uint8_t rn,
                  uint8_t rm, uint8_t ra) {
  return a64_emit(b, sf_bit(sf) | 0x1B000000u | r5(rm) << 16 |
                         (sub ? 1u << 15 : 0) | r5(ra) << 10 | r5(rn) << 5 |
                         r5(rd));
}

uint32_t a64_mul(jit_buf *b, bool sf, uint8_t rd, uint8_t rn, uint8_t rm) {
  return a64_madd(b, sf, false, rd, rn, rm, A64_ZR);
}

uint32_t a64_div(jit_buf *b, bool sf, bool is_signed, uint8_t rd, uint8_t rn,
                 uint8_t rm) {
  return a64_emit(b, sf_bit(sf) | 0x1AC00800u | (is_signed ? 1u << 10 : 0) |
                         r5(rm) << 16 | r5(rn) << 5 | r5(rd));
}

uint32_t a64_clz(jit_buf *b, bool sf, uint8_t rd, uint8_t rn) {
  return a64_emit(b, sf_bit(sf) | 0x5AC01000u | r5(rn) << 5 | r5(rd));
}

uint32_t a64_rbit(jit_buf *b, bool sf, uint8_t rd, uint8_t rn) {
  return a64_emit(b, sf_bit(sf) | 0x5AC00000u | r5(rn) << 5 | r5(rd));
}

/* ---- loads and stores ------------------------------------------------------- */

/* size (bits 31:30), V (bit 26) and opc (bits 23:22) of each kind. */
typedef struct ldst_fields {
  uint8_t size, v, opc;
} ldst_fields;

static ldst_fields fields_of(a64_ldst k) {
  static const ldst_fields table[] = {
      [A64_STRB] = {0, 0, 0},    [A64_LDRB] = {0, 0, 1},
      [A64_LDRSB_X] = {0, 0, 2}, [A64_LDRSB_W] = {0, 0, 3},
      [A64_STRH] = {1, 0, 0},    [A64_LDRH] = {1, 0, 1},
      [A64_LDRSH_X] = {1, 0, 2}, [A64_LDRSH_W] = {1, 0, 3},
      [A64_STR_W] = {2, 0, 0},   [A64_LDR_W] = {2, 0, 1},
      [A64_LDRSW] = {2, 0, 2},   [A64_STR_X] = {3, 0, 0},
      [A64_LDR_X] = {3, 0, 1},   [A64_STR_S] = {2, 1, 0},
      [A64_LDR_S] = {2, 1, 1},   [A64_STR_D] = {3, 1, 0},
      [A64_LDR_D] = {3, 1, 1},   [A64_STR_Q] = {0, 1, 2},
      [A64_LDR_Q] = {0, 1, 3},
  };
  return table[k];
}

static uint32_t ldst_base(a64_ldst k) {
  ldst_fields f = fields_of(k);
  return (uint32_t)f.size << 30 | (uint32_t)f.v << 26 | (uint32_t)f.opc << 22;
}

unsigned a64_ldst_log2size(a64_ldst k) {
  if (k == A64_STR_Q || k == A64_LDR_Q) return 4;
  return fields_of(k).size;
}

bool a64_ldst_uimm_ok(a64_ldst k, int64_t off) {
  unsigned s = a64_ldst_log2size(k);
  return off >= 0 && (off & ((1 << s) - 1)) == 0 && (off >> s) < 4096;
}

uint32_t a64_ldst_uimm(jit_buf *b, a64_ldst k, uint8_t rt, uint8_t rn,
                       uint32_t off) {
  uint32_t scaled = off >> a64_ldst_log2size(k);
  return a64_emit(b, 0x39000000u | ldst_base(k) | (scaled & 0xfff) << 10 |
                         r5(rn) << 5 | r5(rt));
}

static uint32_t ldst_imm9(jit_buf *b, a64_ldst k, uint8_t rt, uint8_t rn,
                          int32_t simm9, uint32_t mode) {
  return a64_emit(b, 0x38000000u | ldst_base(k) |
                         ((uint32_t)simm9 & 0x1ff) << 12 | mode << 10 |
                         r5(rn) << 5 | r5(rt));
}

uint32_t a64_ldst_unscaled(jit_buf *b, a64_ldst k, uint8_t rt, uint8_t rn,
                           int32_t simm9) {
  return ldst_imm9(b, k, rt, rn, simm9, 0);
}

uint32_t a64_ldst_pre(jit_buf *b, a64_ldst k, uint8_t rt, uint8_t rn,
                      int32_t simm9) {
  return ldst_imm9(b, k, rt, rn, simm9, 3);
}

uint32_t a64_ldst_post(jit_buf *b, a64_ldst k, uint8_t rt, uint8_t rn,
                       int32_t simm9) {
  return ldst_imm9(b, k, rt, rn, simm9, 1);
}

uint32_t a64_ldst_reg(jit_buf *b, a64_ldst k, uint8_t rt, uint8_t rn,
                      uint8_t rm, a64_extend ext, bool scaled) {
  return a64_emit(b, 0x38200800u | ldst_base(k) | r5(rm) << 16 |
                         (uint32_t)ext << 13 | (scaled ? 1u << 12 : 0) |
                         r5(rn) << 5 | r5(rt));
}

uint32_t a64_ldstp(jit_buf *b, bool load, bool fp, a64_pair_mode mode,
                   uint8_t rt, uint8_t rt2, uint8_t rn, int32_t off) {
  uint32_t opc = fp ? 1 : 2; /* D pair / X pair */
  return a64_emit(b, opc << 30 | 0x28000000u | (fp ? 1u << 26 : 0) |
                         (uint32_t)mode << 23 | (load ? 1u << 22 : 0) |
                         ((uint32_t)(off / 8) & 0x7f) << 15 | r5(rt2) << 10 |
                         r5(rn) << 5 | r5(rt));
}

uint32_t a64_adr(jit_buf *b, uint8_t rd, int32_t off) {
  uint32_t u = (uint32_t)off;
  return a64_emit(b, 0x10000000u | (u & 3) << 29 | ((u >> 2) & 0x7ffff) << 5 |
                         r5(rd));
}

/* ---- branches ------------------------------------------------------------------ */

uint32_t a64_branch_with_offset(uint32_t insn, int32_t off) {
  uint32_t u = (uint32_t)off;
  if ((insn & 0x7C000000u) == 0x14000000u) /* b, bl */
    return (insn & 0xFC000000u) | ((u >> 2) & 0x3ffffff);
  if ((insn & 0x9F000000u) == 0x10000000u) /* adr */
    return (insn & 0x9F00001Fu) | (u & 3) << 29 | ((u >> 2) & 0x7ffff) << 5;
  if ((insn & 0x7E000000u) == 0x36000000u) /* tbz, tbnz */
    return (insn & 0xFFF8001Fu) | ((u >> 2) & 0x3fff) << 5;
  /* b.cond, cbz, cbnz */
  return (insn & 0xFF00001Fu) | ((u >> 2) & 0x7ffff) << 5;
}

uint32_t a64_b(jit_buf *b, int32_t off) {
  return a64_emit(b, a64_branch_with_offset(0x14000000u, off));
}

uint32_t a64_bl(jit_buf *b, int32_t off) {
  return a64_emit(b, a64_branch_with_offset(0x94000000u, off));
}

/* ---- atomics ---------------------------------------------------------------- */

static uint32_t size_rn_rt(unsigned size, uint8_t rn, uint8_t rt) {
  return (uint32_t)size << 30 | (uint32_t)(rn & 31) << 5 | (rt & 31);
}

uint32_t a64_ldar(jit_buf *b, unsigned size, uint8_t rt, uint8_t rn) {
  return a64_emit(b, 0x08DFFC00u | size_rn_rt(size, rn, rt));
}

uint32_t a64_stlr(jit_buf *b, unsigned size, uint8_t rt, uint8_t rn) {
  return a64_emit(b, 0x089FFC00u | size_rn_rt(size, rn, rt));
}

uint32_t a64_ldaxr(jit_buf *b, unsigned size, uint8_t rt, uint8_t rn) {
  return a64_emit(b, 0x085FFC00u | size_rn_rt(size, rn, rt));
}

uint32_t a64_stlxr(jit_buf *b, unsigned size, uint8_t rs, uint8_t rt,
                   uint8_t rn) {
  return a64_emit(b, 0x0800FC00u | (uint32_t)(rs & 31) << 16 |
                         size_rn_rt(size, rn, rt));
}

uint32_t a64_ldopal(jit_buf *b, a64_lse_op op, unsigned size, uint8_t rs,
                    uint8_t rt, uint8_t rn) {
  return a64_emit(b, 0x38E00000u | (uint32_t)(rs & 31) << 16 |
                         (uint32_t)op << 12 | size_rn_rt(size, rn, rt));
}

uint32_t a64_swpal(jit_buf *b, unsigned size, uint8_t rs, uint8_t rt,
                   uint8_t rn) {
  return a64_emit(b, 0x38E08000u | (uint32_t)(rs & 31) << 16 |
                         size_rn_rt(size, rn, rt));
}

uint32_t a64_casal(jit_buf *b, unsigned size, uint8_t rs, uint8_t rt,
                   uint8_t rn) {
  return a64_emit(b, 0x08E0FC00u | (uint32_t)(rs & 31) << 16 |
                         size_rn_rt(size, rn, rt));
}

uint32_t a64_dmb_ish(jit_buf *b) { return a64_emit(b, 0xD5033BBFu); }

uint32_t a64_bcond(jit_buf *b, a64_cond c, int32_t off) {
  return a64_emit(b, a64_branch_with_offset(0x54000000u | (uint32_t)c, off));
}

uint32_t a64_cbz(jit_buf *b, bool sf, bool nonzero, uint8_t rt, int32_t off) {
  uint32_t insn = sf_bit(sf) | 0x34000000u | (nonzero ? 1u << 24 : 0) | r5(rt);
  return a64_emit(b, a64_branch_with_offset(insn, off));
}

uint32_t a64_tbz(jit_buf *b, bool nonzero, uint8_t rt, unsigned bit,
                 int32_t off) {
  uint32_t insn = (bit & 32 ? 1u << 31 : 0) | 0x36000000u |
                  (nonzero ? 1u << 24 : 0) | (bit & 31) << 19 | r5(rt);
  return a64_emit(b, a64_branch_with_offset(insn, off));
}

uint32_t a64_br(jit_buf *b, uint8_t rn) {
  return a64_emit(b, 0xD61F0000u | r5(rn) << 5);
}

uint32_t a64_blr(jit_buf *b, uint8_t rn) {
  return a64_emit(b, 0xD63F0000u | r5(rn) << 5);
}

uint32_t a64_ret(jit_buf *b) { return a64_emit(b, 0xD65F03C0u); }

uint32_t a64_udf(jit_buf *b, uint16_t imm) { return a64_emit(b, imm); }

/* ---- floating point ------------------------------------------------------------ */

static uint32_t ftype(bool d) { return d ? 1u << 22 : 0; }

uint32_t a64_fp1(jit_buf *b, bool d, a64_fp1_op op, uint8_t rd, uint8_t rn) {
  return a64_emit(b, 0x1E204000u | ftype(d) | (uint32_t)op << 15 |
                         r5(rn) << 5 | r5(rd));
}

uint32_t a64_fp2(jit_buf *b, bool d, a64_fp2_op op, uint8_t rd, uint8_t rn,
                 uint8_t rm) {
  return a64_emit(b, 0x1E200800u | ftype(d) | r5(rm) << 16 |
                         (uint32_t)op << 12 | r5(rn) << 5 | r5(rd));
}

uint32_t a64_fcmp(jit_buf *b, bool d, uint8_t rn, uint8_t rm) {
  return a64_emit(b, 0x1E202000u | ftype(d) | r5(rm) << 16 | r5(rn) << 5);
}

uint32_t a64_fcsel(jit_buf *b, bool d, uint8_t rd, uint8_t rn, uint8_t rm,
                   a64_cond c) {
  return a64_emit(b, 0x1E200C00u | ftype(d) | r5(rm) << 16 |
                         (uint32_t)c << 12 | r5(rn) << 5 | r5(rd));
}

uint32_t a64_fpint(jit_buf *b, bool sf, bool d, a64_fpint_op op, uint8_t rd,
                   uint8_t rn) {
  return a64_emit(b, sf_bit(sf) | 0x1E200000u | ftype(d) |
                         (uint32_t)op << 16 | r5(rn) << 5 | r5(rd));
}

/* The 8-bit form is a:NOT(b):b..b:cdefgh followed by zeros. */
bool a64_fp_imm8(bool d, uint64_t bits, uint8_t *imm8) {
  unsigned expo_bits = d ? 11 : 8, frac_bits = d ? 52 : 23;
  unsigned total = expo_bits + frac_bits + 1;
  if (!d) bits &= 0xffffffffull;
  uint64_t low_zero = (1ull << (frac_bits - 4)) - 1;
  if (bits & low_zero) return false;
  unsigned sign = (unsigned)(bits >> (total - 1)) & 1;
  unsigned e = (unsigned)(bits >> frac_bits) & ((1u << expo_bits) - 1);
  unsigned b6 = (e >> (expo_bits - 2)) & 1;     /* the replicated b */
  unsigned top = (e >> (expo_bits - 1)) & 1;    /* must be NOT(b) */
  unsigned rep_mask = (1u << (expo_bits - 3)) - 1;
  unsigned rep = (e >> 2) & rep_mask;           /* the b..b copies */
  if (top == b6) return false;
  if (rep != (b6 ? rep_mask : 0)) return false;
  unsigned cdefgh = (unsigned)((e & 3) << 4) |
                    (unsigned)((bits >> (frac_bits - 4)) & 15);
  *imm8 = (uint8_t)(sign << 7 | b6 << 6 | cdefgh);
  return true;
}

uint32_t a64_fmov_imm(jit_buf *b, bool d, uint8_t rd, uint8_t imm8) {
  return a64_emit(b, 0x1E201000u | ftype(d) | (uint32_t)imm8 << 13 | r5(rd));
}

uint32_t a64_cnt8b(jit_buf *b, uint8_t rd, uint8_t rn) {
  return a64_emit(b, 0x0E205800u | r5(rn) << 5 | r5(rd));
}

uint32_t a64_addv8b(jit_buf *b, uint8_t rd, uint8_t rn) {
  return a64_emit(b, 0x0E31B800u | r5(rn) << 5 | r5(rd));
}

uint32_t a64_mov_v(jit_buf *b, uint8_t rd, uint8_t rn) {
  return a64_emit(b, 0x4EA01C00u | r5(rn) << 16 | r5(rn) << 5 | r5(rd));
}

/* ---- Advanced SIMD ---------------------------------------------------------- */

uint32_t a64_simd_3same(jit_buf *b, bool q, bool u, unsigned size,
                        unsigned opcode, uint8_t rd, uint8_t rn, uint8_t rm) {
  return a64_emit(b, 0x0E200400u | (uint32_t)q << 30 | (uint32_t)u << 29 |
                         (size & 3u) << 22 | r5(rm) << 16 |
                         (opcode & 31u) << 11 | r5(rn) << 5 | r5(rd));
}

uint32_t a64_simd_2misc(jit_buf *b, bool q, bool u, unsigned size,
                        unsigned opcode, uint8_t rd, uint8_t rn) {
  return a64_emit(b, 0x0E200800u | (uint32_t)q << 30 | (uint32_t)u << 29 |
                         (size & 3u) << 22 | (opcode & 31u) << 12 |
                         r5(rn) << 5 | r5(rd));
}

uint32_t a64_simd_3diff(jit_buf *b, bool q, bool u, unsigned size,
                        unsigned opcode, uint8_t rd, uint8_t rn, uint8_t rm) {
  return a64_emit(b, 0x0E200000u | (uint32_t)q << 30 | (uint32_t)u << 29 |
                         (size & 3u) << 22 | r5(rm) << 16 |
                         (opcode & 15u) << 12 | r5(rn) << 5 | r5(rd));
}

uint32_t a64_simd_shift_imm(jit_buf *b, bool q, bool u, unsigned immhb,
                            unsigned opcode, uint8_t rd, uint8_t rn) {
  return a64_emit(b, 0x0F000400u | (uint32_t)q << 30 | (uint32_t)u << 29 |
                         (immhb & 127u) << 16 | (opcode & 31u) << 11 |
                         r5(rn) << 5 | r5(rd));
}

uint32_t a64_simd_across(jit_buf *b, bool q, bool u, unsigned size,
                         unsigned opcode, uint8_t rd, uint8_t rn) {
  return a64_emit(b, 0x0E300800u | (uint32_t)q << 30 | (uint32_t)u << 29 |
                         (size & 3u) << 22 | (opcode & 31u) << 12 |
                         r5(rn) << 5 | r5(rd));
}

uint32_t a64_simd_copy(jit_buf *b, bool q, bool op, unsigned imm5,
                       unsigned imm4, uint8_t rd, uint8_t rn) {
  return a64_emit(b, 0x0E000400u | (uint32_t)q << 30 | (uint32_t)op << 29 |
                         (imm5 & 31u) << 16 | (imm4 & 15u) << 11 |
                         r5(rn) << 5 | r5(rd));
}

uint32_t a64_simd_dup_scalar(jit_buf *b, unsigned imm5, uint8_t rd,
                             uint8_t rn) {
  return a64_emit(b, 0x5E000400u | (imm5 & 31u) << 16 | r5(rn) << 5 | r5(rd));
}

uint32_t a64_simd_tbl(jit_buf *b, unsigned nregs, uint8_t rd, uint8_t rn,
                      uint8_t rm) {
  return a64_emit(b, 0x4E000000u | r5(rm) << 16 | ((nregs - 1) & 3u) << 13 |
                         r5(rn) << 5 | r5(rd));
}

uint32_t a64_simd_ext(jit_buf *b, uint8_t rd, uint8_t rn, uint8_t rm,
                      unsigned index) {
  return a64_emit(b, 0x6E000000u | r5(rm) << 16 | (index & 15u) << 11 |
                         r5(rn) << 5 | r5(rd));
}

uint32_t a64_simd_addp_scalar(jit_buf *b, uint8_t rd, uint8_t rn) {
  return a64_emit(b, 0x5EF1B800u | r5(rn) << 5 | r5(rd));
}

uint32_t a64_simd_ld1r(jit_buf *b, unsigned size, uint8_t rt, uint8_t rn) {
  return a64_emit(b, 0x4D40C000u | (size & 3u) << 10 | r5(rn) << 5 | r5(rt));
}

/* The lane index is spread over Q:S:size by element size. */
uint32_t a64_simd_ldst1_lane(jit_buf *b, bool load, unsigned size,
                             unsigned lane, uint8_t rt, uint8_t rn) {
  static const uint32_t opcode[4] = {0, 2, 4, 4};
  uint32_t qss = 0; /* Q:S:size as a 4-bit field */
  switch (size) {
  case 0: qss = lane & 15u; break;
  case 1: qss = (lane & 7u) << 1; break;
  case 2: qss = (lane & 3u) << 2; break;
  default: qss = (lane & 1u) << 3 | 1u; break;
  }
  return a64_emit(b, 0x0D000000u | (uint32_t)load << 22 |
                         (qss >> 3) << 30 | opcode[size & 3u] << 13 |
                         ((qss >> 2) & 1u) << 12 | (qss & 3u) << 10 |
                         r5(rn) << 5 | r5(rt));
}
