/* The A64 encoder: one function per instruction form, each appending one
 * 32-bit little-endian word to a jit_buf. Bytes only: no wasm, no register
 * allocation, no labels (branch functions take the offset in bytes and
 * return the code offset of the emitted word so callers can patch it).
 *
 * Registers are hardware numbers 0..31. Whether 31 means SP or the zero
 * register depends on the form, as in the architecture: A64_SP for the
 * base of loads/stores and the operands of add/sub immediate and extended
 * register, A64_ZR everywhere else. FP/SIMD registers are 0..31 too.
 * `sf` selects the 64-bit (X) form, otherwise the 32-bit (W) form.
 */
#ifndef JIT_ARM64_ASM_H
#define JIT_ARM64_ASM_H

#include <stdbool.h>
#include <stdint.h>
#include "../buffer.h"

#define A64_SP 31
#define A64_ZR 31
#define A64_FP 29
#define A64_LR 30
#define A64_IP0 16
#define A64_IP1 17

typedef enum a64_cond {
  A64_EQ = 0, A64_NE = 1, A64_HS = 2, A64_LO = 3, A64_MI = 4, A64_PL = 5,
  A64_VS = 6, A64_VC = 7, A64_HI = 8, A64_LS = 9, A64_GE = 10, A64_LT = 11,
  A64_GT = 12, A64_LE = 13, A64_AL = 14,
} a64_cond;

static inline a64_cond a64_cond_invert(a64_cond c) {
  return (a64_cond)(c ^ 1);
}

/* Shift of a shifted-register operand. */
typedef enum a64_shift { A64_LSL = 0, A64_LSR = 1, A64_ASR = 2, A64_ROR = 3 } a64_shift;

/* Extend of an extended-register operand or a register-offset address. */
typedef enum a64_extend {
  A64_UXTB = 0, A64_UXTH = 1, A64_UXTW = 2, A64_UXTX = 3,
  A64_SXTB = 4, A64_SXTH = 5, A64_SXTW = 6, A64_SXTX = 7,
} a64_extend;

/* Logical operations (shifted register and immediate forms). */
typedef enum a64_logic { A64_AND = 0, A64_ORR = 1, A64_EOR = 2, A64_ANDS = 3 } a64_logic;

/* Load/store kinds: the size, V and opc fields of the load/store forms. */
typedef enum a64_ldst {
  A64_STRB, A64_LDRB, A64_LDRSB_X, A64_LDRSB_W,
  A64_STRH, A64_LDRH, A64_LDRSH_X, A64_LDRSH_W,
  A64_STR_W, A64_LDR_W, A64_LDRSW,
  A64_STR_X, A64_LDR_X,
  A64_STR_S, A64_LDR_S, A64_STR_D, A64_LDR_D, A64_STR_Q, A64_LDR_Q,
} a64_ldst;

/* log2 of the access size of a load/store kind (the scale of its
 * unsigned offset). */
unsigned a64_ldst_log2size(a64_ldst k);

/* Data-processing source 1-operand FP operations. */
typedef enum a64_fp1_op {
  A64_FMOV = 0, A64_FABS = 1, A64_FNEG = 2, A64_FSQRT = 3,
  A64_FCVT_TO_S = 4, A64_FCVT_TO_D = 5,
  A64_FRINTN = 8, A64_FRINTP = 9, A64_FRINTM = 10, A64_FRINTZ = 11,
} a64_fp1_op;

/* Data-processing 2-operand FP operations. */
typedef enum a64_fp2_op {
  A64_FMUL = 0, A64_FDIV = 1, A64_FADD = 2, A64_FSUB = 3, A64_FMAX = 4,
  A64_FMIN = 5,
} a64_fp2_op;

/* Conversions between FP and general registers: rmode << 3 | opcode. */
typedef enum a64_fpint_op {
  A64_FCVTZS = 0x18, A64_FCVTZU = 0x19, A64_SCVTF = 0x02, A64_UCVTF = 0x03,
  A64_FMOV_TO_GPR = 0x06, A64_FMOV_FROM_GPR = 0x07,
} a64_fpint_op;

/* Appends one instruction word; returns its code offset. */
uint32_t a64_emit(jit_buf *b, uint32_t insn);

/* ---- data processing ---------------------------------------------------- */
/* Encodability checks. */
bool a64_addsub_imm_ok(uint64_t imm); /* imm12, optionally LSL 12 */
/* A logical (bitmask) immediate for a 32-bit (sf=false) or 64-bit
 * operation: on success *nrs = N:immr:imms (13 bits). */
bool a64_logical_imm(uint64_t imm, bool sf, uint32_t *nrs);

/* add/sub (immediate): rd/rn may be SP (unless set_flags for rd). imm must
 * satisfy a64_addsub_imm_ok. */
uint32_t a64_addsub_imm(jit_buf *b, bool sf, bool sub, bool set_flags,
                        uint8_t rd, uint8_t rn, uint32_t imm);
/* add/sub (shifted register). */
uint32_t a64_addsub_reg(jit_buf *b, bool sf, bool sub, bool set_flags,
                        uint8_t rd, uint8_t rn, uint8_t rm, a64_shift sh,
                        uint8_t amount);
/* add/sub (extended register): rd (unless set_flags) and rn may be SP. */
uint32_t a64_addsub_ext(jit_buf *b, bool sf, bool sub, bool set_flags,
                        uint8_t rd, uint8_t rn, uint8_t rm, a64_extend ext,
                        uint8_t lsl);
/* Logical (shifted register); invert gives bic/orn/eon/bics. */
uint32_t a64_logic_reg(jit_buf *b, bool sf, a64_logic op, bool invert,
                       uint8_t rd, uint8_t rn, uint8_t rm, a64_shift sh,
                       uint8_t amount);
/* Logical (immediate) with an encoded N:immr:imms from a64_logical_imm. */
uint32_t a64_logic_imm(jit_buf *b, bool sf, a64_logic op, uint8_t rd,
                       uint8_t rn, uint32_t nrs);
/* movz (opc 2), movn (opc 0), movk (opc 3) of imm16 << (16 * hw). */
typedef enum a64_movw_op { A64_MOVN = 0, A64_MOVZ = 2, A64_MOVK = 3 } a64_movw_op;
uint32_t a64_movw(jit_buf *b, bool sf, a64_movw_op op, uint8_t rd,
                  uint16_t imm16, unsigned hw);
/* mov rd, rm (orr rd, zr, rm); the W form zeroes the upper half. */
uint32_t a64_mov_reg(jit_buf *b, bool sf, uint8_t rd, uint8_t rm);
/* mov rd, sp / mov sp, rn (add #0). */
uint32_t a64_mov_sp(jit_buf *b, uint8_t rd, uint8_t rn);
/* Shortest movz/movn/movk (or orr bitmask) sequence for any constant. */
void a64_mov_imm(jit_buf *b, bool sf, uint8_t rd, uint64_t imm);
/* lslv, lsrv, asrv, rorv by sh. */
uint32_t a64_shift_reg(jit_buf *b, bool sf, a64_shift sh, uint8_t rd,
                       uint8_t rn, uint8_t rm);
/* sbfm (is_signed) / ubfm. */
uint32_t a64_bfm(jit_buf *b, bool sf, bool is_signed, uint8_t rd, uint8_t rn,
                 unsigned immr, unsigned imms);
/* extr rd, rn, rm, #lsb (ror rd, rn, #lsb when rn == rm). */
uint32_t a64_extr(jit_buf *b, bool sf, uint8_t rd, uint8_t rn, uint8_t rm,
                  unsigned lsb);
/* Immediate shifts as their bitfield aliases. */
uint32_t a64_lsl_imm(jit_buf *b, bool sf, uint8_t rd, uint8_t rn, unsigned n);
uint32_t a64_lsr_imm(jit_buf *b, bool sf, uint8_t rd, uint8_t rn, unsigned n);
uint32_t a64_asr_imm(jit_buf *b, bool sf, uint8_t rd, uint8_t rn, unsigned n);
/* csel (op 0), csinc (1), csinv (2), csneg (3). */
typedef enum a64_csel_op { A64_CSEL = 0, A64_CSINC = 1, A64_CSINV = 2, A64_CSNEG = 3 } a64_csel_op;
uint32_t a64_csel(jit_buf *b, bool sf, a64_csel_op op, uint8_t rd, uint8_t rn,
                  uint8_t rm, a64_cond c);
/* cset rd, c (csinc rd, zr, zr, !c). */
uint32_t a64_cset(jit_buf *b, bool sf, uint8_t rd, a64_cond c);
/* madd rd = ra + rn*rm; msub rd = ra - rn*rm; mul = madd with ra = zr. */
uint32_t a64_madd(jit_buf *b, bool sf, bool sub, uint8_t rd, uint8_t rn,
                  uint8_t rm, uint8_t ra);
uint32_t a64_mul(jit_buf *b, bool sf, uint8_t rd, uint8_t rn, uint8_t rm);
uint32_t a64_div(jit_buf *b, bool sf, bool is_signed, uint8_t rd, uint8_t rn,
                 uint8_t rm);
uint32_t a64_clz(jit_buf *b, bool sf, uint8_t rd, uint8_t rn);
uint32_t a64_rbit(jit_buf *b, bool sf, uint8_t rd, uint8_t rn);

/* ---- loads and stores --------------------------------------------------- */
/* [rn + imm] with imm a multiple of the size in 0..4095*size (unsigned
 * scaled offset); a64_ldst_uimm_ok tells whether it fits. */
bool a64_ldst_uimm_ok(a64_ldst k, int64_t off);
uint32_t a64_ldst_uimm(jit_buf *b, a64_ldst k, uint8_t rt, uint8_t rn,
                       uint32_t off);
/* [rn + simm9] unscaled (ldur/stur). */
uint32_t a64_ldst_unscaled(jit_buf *b, a64_ldst k, uint8_t rt, uint8_t rn,
                           int32_t simm9);
/* Pre-index [rn, #simm9]! and post-index [rn], #simm9. */
uint32_t a64_ldst_pre(jit_buf *b, a64_ldst k, uint8_t rt, uint8_t rn,
                      int32_t simm9);
uint32_t a64_ldst_post(jit_buf *b, a64_ldst k, uint8_t rt, uint8_t rn,
                       int32_t simm9);
/* [rn + ext(rm) << (scaled ? size : 0)]; ext UXTW, UXTX (lsl), SXTW, SXTX. */
uint32_t a64_ldst_reg(jit_buf *b, a64_ldst k, uint8_t rt, uint8_t rn,
                      uint8_t rm, a64_extend ext, bool scaled);
/* ldp/stp of X registers (fp: D registers); mode: 1 post-index,
 * 2 signed offset, 3 pre-index; off a multiple of 8 in -512..504. */
typedef enum a64_pair_mode { A64_POST = 1, A64_OFFSET = 2, A64_PRE = 3 } a64_pair_mode;
uint32_t a64_ldstp(jit_buf *b, bool load, bool fp, a64_pair_mode mode,
                   uint8_t rt, uint8_t rt2, uint8_t rn, int32_t off);
/* adr rd, pc + off (within +-1 MiB). */
uint32_t a64_adr(jit_buf *b, uint8_t rd, int32_t off);

/* ---- atomics (threads) ----------------------------------------------------- */
/* size is log2 of the access's bytes (0 b, 1 h, 2 w, 3 x); the address is
 * [rn]. Acquire-release forms: ldar/stlr, ldaxr/stlxr (rs the status),
 * and the LSE (ARMv8.1) read-modify-writes with both semantics, "al". */
typedef enum a64_lse_op {
  A64_LDADD = 0, A64_LDCLR = 1, A64_LDEOR = 2, A64_LDSET = 3,
} a64_lse_op;
uint32_t a64_ldar(jit_buf *b, unsigned size, uint8_t rt, uint8_t rn);
uint32_t a64_stlr(jit_buf *b, unsigned size, uint8_t rt, uint8_t rn);
uint32_t a64_ldaxr(jit_buf *b, unsigned size, uint8_t rt, uint8_t rn);
uint32_t a64_stlxr(jit_buf *b, unsigned size, uint8_t rs, uint8_t rt,
                   uint8_t rn);
/* rt = [rn]; [rn] = [rn] op rs */
uint32_t a64_ldopal(jit_buf *b, a64_lse_op op, unsigned size, uint8_t rs,
                    uint8_t rt, uint8_t rn);
/* rt = [rn]; [rn] = rs */
uint32_t a64_swpal(jit_buf *b, unsigned size, uint8_t rs, uint8_t rt,
                   uint8_t rn);
/* if [rn] == rs: [rn] = rt; rs = the old [rn] either way */
uint32_t a64_casal(jit_buf *b, unsigned size, uint8_t rs, uint8_t rt,
                   uint8_t rn);
uint32_t a64_dmb_ish(jit_buf *b);

/* ---- branches ------------------------------------------------------------ */
/* Offsets are in bytes from the branch itself (multiples of 4). */
uint32_t a64_b(jit_buf *b, int32_t off);
uint32_t a64_bl(jit_buf *b, int32_t off);
uint32_t a64_bcond(jit_buf *b, a64_cond c, int32_t off);
uint32_t a64_cbz(jit_buf *b, bool sf, bool nonzero, uint8_t rt, int32_t off);
uint32_t a64_tbz(jit_buf *b, bool nonzero, uint8_t rt, unsigned bit,
                 int32_t off);
uint32_t a64_br(jit_buf *b, uint8_t rn);
uint32_t a64_blr(jit_buf *b, uint8_t rn);
uint32_t a64_ret(jit_buf *b);
uint32_t a64_udf(jit_buf *b, uint16_t imm);
/* Rewrites the offset field of the branch word at `at` (b/bl imm26,
 * b.cond/cbz imm19, tbz imm14, adr imm21) to reach target. */
uint32_t a64_branch_with_offset(uint32_t insn, int32_t off);

/* ---- floating point ------------------------------------------------------ */
/* d selects double (D registers), otherwise single (S registers). */
uint32_t a64_fp1(jit_buf *b, bool d, a64_fp1_op op, uint8_t rd, uint8_t rn);
uint32_t a64_fp2(jit_buf *b, bool d, a64_fp2_op op, uint8_t rd, uint8_t rn,
                 uint8_t rm);
uint32_t a64_fcmp(jit_buf *b, bool d, uint8_t rn, uint8_t rm);
uint32_t a64_fcsel(jit_buf *b, bool d, uint8_t rd, uint8_t rn, uint8_t rm,
                   a64_cond c);
/* General <-> FP: sf is the general register width, d the FP one. */
uint32_t a64_fpint(jit_buf *b, bool sf, bool d, a64_fpint_op op, uint8_t rd,
                   uint8_t rn);
/* fmov (immediate): true and *imm8 set when bits (raw f32/f64 bits) has the
 * 8-bit FP immediate form. */
bool a64_fp_imm8(bool d, uint64_t bits, uint8_t *imm8);
uint32_t a64_fmov_imm(jit_buf *b, bool d, uint8_t rd, uint8_t imm8);
/* Advanced SIMD for popcnt: cnt vd.8b, vn.8b; addv bd, vn.8b. */
uint32_t a64_cnt8b(jit_buf *b, uint8_t rd, uint8_t rn);
uint32_t a64_addv8b(jit_buf *b, uint8_t rd, uint8_t rn);
/* mov vd.16b, vn.16b (orr). */
uint32_t a64_mov_v(jit_buf *b, uint8_t rd, uint8_t rn);

#endif

/* ---- Advanced SIMD (NEON) ------------------------------------------------- */
/* Generic encoders of the Advanced SIMD instruction classes: the caller
 * passes the class fields (q: 128-bit form, u: the U bit, size, opcode) as
 * the architecture manual names them. Register numbers are V registers. */
/* Three registers, same type: 0 q u 01110 size 1 rm opcode(5) 1 rn rd. */
uint32_t a64_simd_3same(jit_buf *b, bool q, bool u, unsigned size,
                        unsigned opcode, uint8_t rd, uint8_t rn, uint8_t rm);
/* Two-register miscellaneous: 0 q u 01110 size 10000 opcode(5) 10 rn rd. */
uint32_t a64_simd_2misc(jit_buf *b, bool q, bool u, unsigned size,
                        unsigned opcode, uint8_t rd, uint8_t rn);
/* Three registers, different types (long): 0 q u 01110 size 1 rm opcode(4)
 * 00 rn rd. */
uint32_t a64_simd_3diff(jit_buf *b, bool q, bool u, unsigned size,
                        unsigned opcode, uint8_t rd, uint8_t rn, uint8_t rm);
/* Shift by immediate: 0 q u 011110 immh:immb(7) opcode(5) 1 rn rd. */
uint32_t a64_simd_shift_imm(jit_buf *b, bool q, bool u, unsigned immhb,
                            unsigned opcode, uint8_t rd, uint8_t rn);
/* Across lanes: 0 q u 01110 size 11000 opcode(5) 10 rn rd. */
uint32_t a64_simd_across(jit_buf *b, bool q, bool u, unsigned size,
                         unsigned opcode, uint8_t rd, uint8_t rn);
/* Copy (dup/ins/umov/smov): 0 q op 01110000 imm5 0 imm4 1 rn rd. */
uint32_t a64_simd_copy(jit_buf *b, bool q, bool op, unsigned imm5,
                       unsigned imm4, uint8_t rd, uint8_t rn);
/* dup (element, scalar): mov sd/dd, vn.T[i] (imm5 encodes size and i). */
uint32_t a64_simd_dup_scalar(jit_buf *b, unsigned imm5, uint8_t rd,
                             uint8_t rn);
/* tbl vd.16b, {vn..vn+nregs-1}.16b, vm.16b (nregs 1..4). */
uint32_t a64_simd_tbl(jit_buf *b, unsigned nregs, uint8_t rd, uint8_t rn,
                      uint8_t rm);
/* ext vd.16b, vn.16b, vm.16b, #index. */
uint32_t a64_simd_ext(jit_buf *b, uint8_t rd, uint8_t rn, uint8_t rm,
                      unsigned index);
/* addp dd, vn.2d (scalar pairwise add). */
uint32_t a64_simd_addp_scalar(jit_buf *b, uint8_t rd, uint8_t rn);
/* ld1r {vt.T}, [xn] (q=1; size log2 of the element bytes). */
uint32_t a64_simd_ld1r(jit_buf *b, unsigned size, uint8_t rt, uint8_t rn);
/* ld1/st1 {vt.T}[lane], [xn]; size log2 of the element bytes. */
uint32_t a64_simd_ldst1_lane(jit_buf *b, bool load, unsigned size,
                             unsigned lane, uint8_t rt, uint8_t rn);
