/* The x86-64 MacroAssembler: wasm-shaped operations (jit/masm.h) lowered to
 * x86-64 with the encoder of asm.c.
 *
 * Scratch registers, never allocatable, free inside any function here:
 * rax, rcx, rdx, r11, xmm14, xmm15. Pinned: r14 = vmctx, r15 = memory base,
 * rbp = frame pointer, rsp = stack pointer. At a call, rdx carries the
 * tail-call capacity into the callee (set just before the call, kept by
 * the prologues that need it: jit/codegen_tail.c).
 */
#include <string.h>

#include "../masm.h"
#include "array_layout.h"
#include "asm.h"
#include "../trunc.h"
#include "wrun.h"

#include "masm_internal.h"

const jit_target x64_target = {
    .alloc_mask = GPR_BIT(X64_RBX) | GPR_BIT(X64_RSI) | GPR_BIT(X64_RDI) |
                  GPR_BIT(X64_R8) | GPR_BIT(X64_R9) | GPR_BIT(X64_R10) |
                  GPR_BIT(X64_R12) | GPR_BIT(X64_R13) |
                  (((1ull << 14) - 1) << JIT_FPR_BASE), /* xmm0..xmm13 */
    .vmctx_reg = X64_R14,
    .membase_reg = X64_R15,
    .fuel_reg = X64_R13,
    .merge_gpr = X64_RBX,
    .merge_fpr = JIT_FPR_BASE + 0,
    .call_ctx_reg = X64_RDI,
    .call_caller_reg = X64_RSI,
    .ret_gpr = X64_RAX,
    .ret_fpr = JIT_FPR_BASE + 0,
    .c_arg = {X64_RDI, X64_RSI, X64_RDX, X64_RCX, X64_R8, X64_R9},
    .c_ret = X64_RAX,
    .param_base = 16,
    .tail_cap_reg = X64_RDX,
    .arg_gpr = {X64_R8, X64_R9, X64_R10},
};

/* Fixup kinds of this backend. */
enum { FIX_REL32 = 1, FIX_TABLE = 2 };

/* ---- small helpers ---------------------------------------------------------- */


/* 64-bit integer operation? (REF values are pointers) */
static bool is_w(jit_type t) { return t == JT_I64 || t == JT_REF; }

static bool fits_i32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

/* The immediate as the instruction's imm32 field: I32 ops use the low 32
 * bits; 64-bit ops need a value that sign-extends from 32 bits. */
static bool imm_for(jit_type t, int64_t imm, int32_t *out) {
  if (!is_w(t)) {
    *out = (int32_t)(uint32_t)imm;
    return true;
  }
  if (!fits_i32(imm)) return false;
  *out = (int32_t)imm;
  return true;
}

/* Points a rel32 field at label l, now or when l is bound. */
static void link_rel32(jit_masm *m, jit_label *l, uint32_t at) {
  if (l->pos >= 0)
    jit_buf_patch32(&m->buf, at, (uint32_t)(l->pos - (int32_t)(at + 4)));
  else
    jit_masm_add_fixup(m, l, at, FIX_REL32, 0);
}

static void jcc_label(jit_masm *m, x64_cc cc, jit_label *l) {
  link_rel32(m, l, x64_jcc32(&m->buf, cc, 0));
}

static void jmp_label(jit_masm *m, jit_label *l) {
  link_rel32(m, l, x64_jmp32(&m->buf, 0));
}

/* Materialises a float constant (raw bits) in an xmm register: one
 * rip-relative load from the function's literal pool (finish_frame lays
 * it out), where building it through rax took two instructions, one a
 * move between register files. Outside functions (trampolines) there is
 * no pool. Either way the rest of the register is zeroed. */
static void load_fconst(jit_masm *m, bool f64, uint8_t xmm, uint64_t bits) {
  if (!f64) bits = (uint32_t)bits;
  if (m->in_function) {
    x64_sse_rm(&m->buf, f64 ? X64_MOVSD_LOAD : X64_MOVSS_LOAD, xmm,
               x64_mem_rip(0));
    jit_masm_use_literal(m, jit_buf_pos(&m->buf) - 4, bits, f64 ? 8 : 4);
    return;
  }
  x64_mov_ri(&m->buf, f64, SCRATCH_A, bits);
  x64_movd_xr(&m->buf, f64, xmm, SCRATCH_A);
}

/* The pool after the function's code: each literal once, 8-aligned
 * (f32 ones too, in the low half of their 8 bytes), every use's rel32
 * patched to it (rip is the end of the use's instruction: its
 * displacement is last). */
static void emit_literal_pool(jit_masm *m) {
  jit_buf *b = &m->buf;
  if (m->nlit_uses) {
    while (jit_buf_pos(b) & 7) jit_buf_u8(b, 0xCC); /* int3: never run */
    uint32_t base = jit_buf_pos(b);
    for (uint32_t k = 0; k < m->nlits; k++) jit_buf_u64(b, m->lits[k].bits);
    for (uint32_t k = 0; k < m->nlit_uses; k++) {
      const jit_literal_use *u = &m->lit_uses[k];
      jit_buf_patch32(b, u->at, base + 8 * u->lit - (u->at + 4));
    }
  }
  m->nlits = m->nlit_uses = 0;
  m->in_function = false;
}

static uint64_t f64_bits(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}

static uint64_t f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

static uint64_t fconst_bits(bool f64, double v) {
  return f64 ? f64_bits(v) : f32_bits((float)v);
}

/* ---- moves and frame access ------------------------------------------------ */

static void load_typed(jit_masm *m, jit_type t, jit_reg dst, x64_mem a) {
  switch (t) {
  case JT_I32: x64_mov_rm(&m->buf, false, hw(dst), a); break;
  case JT_I64:
  case JT_REF: x64_mov_rm(&m->buf, true, hw(dst), a); break;
  case JT_F32: x64_sse_rm(&m->buf, X64_MOVSS_LOAD, hw(dst), a); break;
  case JT_F64: x64_sse_rm(&m->buf, X64_MOVSD_LOAD, hw(dst), a); break;
  case JT_V128: x64_sse_rm(&m->buf, X64_MOVUPS_LOAD, hw(dst), a); break;
  }
}

static void store_typed(jit_masm *m, jit_type t, jit_reg src, x64_mem a) {
  switch (t) {
  case JT_I32: x64_mov_mr(&m->buf, false, a, hw(src)); break;
  case JT_I64:
  case JT_REF: x64_mov_mr(&m->buf, true, a, hw(src)); break;
  case JT_F32: x64_sse_rm(&m->buf, X64_MOVSS_STORE, hw(src), a); break;
  case JT_F64: x64_sse_rm(&m->buf, X64_MOVSD_STORE, hw(src), a); break;
  case JT_V128: x64_sse_rm(&m->buf, X64_MOVUPS_STORE, hw(src), a); break;
  }
}

/* Stores an immediate of type t's width at a (v128: the 64 bits, zero
 * extended). */
static void store_imm_typed(jit_masm *m, jit_type t, x64_mem a,
                            uint64_t bits) {
  if (t == JT_I32 || t == JT_F32) {
    x64_mov_mi(&m->buf, false, a, (int32_t)(uint32_t)bits);
  } else if (fits_i32((int64_t)bits)) {
    x64_mov_mi(&m->buf, true, a, (int32_t)bits);
    if (t == JT_V128) {
      x64_mem hi = a;
      hi.disp += 8;
      x64_mov_mi(&m->buf, true, hi, 0);
    }
  } else {
    x64_mov_ri(&m->buf, true, SCRATCH_A, bits);
    x64_mov_mr(&m->buf, true, a, SCRATCH_A);
    if (t == JT_V128) {
      x64_mem hi = a;
      hi.disp += 8;
      x64_mov_mi(&m->buf, true, hi, 0);
    }
  }
}

void x64_masm_mov(jit_masm *m, jit_type t, jit_reg dst, jit_reg src) {
  if (dst == src) return;
  if (JIT_IS_FPR(dst))
    x64_sse_rr(&m->buf, X64_MOVAPS, hw(dst), hw(src));
  else
    x64_mov_rr(&m->buf, is_w(t), hw(dst), hw(src));
}

void x64_masm_mov_imm(jit_masm *m, jit_type t, jit_reg dst, uint64_t bits) {
  if (JIT_IS_FPR(dst)) {
    bool f64 = t != JT_F32;
    if (!f64) bits = (uint32_t)bits;
    if (bits == 0) {
      x64_sse_rr(&m->buf, X64_XORPS, hw(dst), hw(dst));
      return;
    }
    load_fconst(m, f64, hw(dst), bits);
    return;
  }
  /* mov (not xor) so that flags survive: the compiler may materialise
   * constants between a compare and its use. */
  x64_mov_ri(&m->buf, is_w(t), hw(dst), is_w(t) ? bits : (uint32_t)bits);
}

void x64_masm_load_frame(jit_masm *m, jit_type t, jit_reg dst, int32_t off) {
  load_typed(m, t, dst, x64_mem_bd(X64_RBP, off));
}

void x64_masm_store_frame(jit_masm *m, jit_type t, jit_reg src, int32_t off) {
  store_typed(m, t, src, x64_mem_bd(X64_RBP, off));
}

void x64_masm_store_frame_imm(jit_masm *m, jit_type t, int32_t off,
                              uint64_t bits) {
  store_imm_typed(m, t, x64_mem_bd(X64_RBP, off), bits);
}

/* Zeroes with 16-byte stores of a zeroed xmm15 (scratch only: every
 * allocatable register may be live). Long ranges use a counted loop. */
void x64_masm_zero_frame(jit_masm *m, int32_t off, uint32_t len) {
  jit_buf *b = &m->buf;
  if (len == 0) return;
  x64_sse_rr(b, X64_XORPS, FSCRATCH, FSCRATCH);
  uint32_t chunks = len / 16;
  if (chunks > 8) {
    x64_lea(b, true, SCRATCH_A, x64_mem_bd(X64_RBP, off));
    x64_mov_ri(b, false, SCRATCH_C, chunks);
    uint32_t loop = jit_buf_pos(b);
    x64_sse_rm(b, X64_MOVUPS_STORE, FSCRATCH, x64_mem_bd(SCRATCH_A, 0));
    x64_alu_ri(b, X64_ADD, true, SCRATCH_A, 16);
    x64_alu_ri(b, X64_SUB, false, SCRATCH_C, 1);
    int32_t back = (int32_t)loop - (int32_t)(jit_buf_pos(b) + 2);
    x64_jcc8(b, X64_CC_NE, (int8_t)back);
  } else {
    for (uint32_t i = 0; i < chunks; i++)
      x64_sse_rm(b, X64_MOVUPS_STORE, FSCRATCH,
                 x64_mem_bd(X64_RBP, off + (int32_t)(16 * i)));
  }
  if (len % 16)
    x64_sse_rm(b, X64_MOVQ_STORE, FSCRATCH,
               x64_mem_bd(X64_RBP, off + (int32_t)(16 * chunks)));
}

void x64_masm_load_sp(jit_masm *m, jit_type t, jit_reg dst, int32_t off) {
  load_typed(m, t, dst, x64_mem_bd(X64_RSP, off));
}

void x64_masm_store_sp(jit_masm *m, jit_type t, jit_reg src, int32_t off) {
  store_typed(m, t, src, x64_mem_bd(X64_RSP, off));
}

void x64_masm_store_sp_imm(jit_masm *m, jit_type t, int32_t off,
                           uint64_t bits) {
  store_imm_typed(m, t, x64_mem_bd(X64_RSP, off), bits);
}

void x64_masm_load_ptr(jit_masm *m, jit_type t, jit_reg dst, jit_reg base,
                       int32_t off) {
  load_typed(m, t, dst, x64_mem_bd(hw(base), off));
}

void x64_masm_store_ptr(jit_masm *m, jit_type t, jit_reg src, jit_reg base,
                        int32_t off) {
  store_typed(m, t, src, x64_mem_bd(hw(base), off));
}

void x64_masm_load_indexed(jit_masm *m, jit_type t, jit_reg dst,
                           jit_reg base, jit_reg index, uint8_t shift,
                           int32_t off) {
  if (shift <= 3) {
    load_typed(m, t, dst, x64_mem_bisd(hw(base), hw(index), shift, off));
    return;
  }
  /* scales above 8 (e.g. 32-byte funcref records): shift in scratch */
  x64_mov_rr(&m->buf, false, SCRATCH, hw(index));
  x64_shift_ri(&m->buf, X64_SHL, true, SCRATCH, shift);
  load_typed(m, t, dst, x64_mem_bisd(hw(base), SCRATCH, 0, off));
}

/* ---- integer arithmetic ----------------------------------------------------- */

static bool is_shift(jit_binop op) {
  return op == JB_SHL || op == JB_SHR_S || op == JB_SHR_U || op == JB_ROTL ||
         op == JB_ROTR;
}

static x64_shift shift_of(jit_binop op) {
  switch (op) {
  case JB_SHL: return X64_SHL;
  case JB_SHR_S: return X64_SAR;
  case JB_SHR_U: return X64_SHR;
  case JB_ROTL: return X64_ROL;
  default: return X64_ROR;
  }
}

static x64_alu alu_of(jit_binop op) {
  switch (op) {
  case JB_ADD: return X64_ADD;
  case JB_SUB: return X64_SUB;
  case JB_AND: return X64_AND;
  case JB_OR: return X64_OR;
  default: return X64_XOR;
  }
}

static void emit_shift(jit_masm *m, jit_binop op, bool w, uint8_t d,
                       uint8_t l, jit_opnd rhs) {
  jit_buf *b = &m->buf;
  x64_shift sop = shift_of(op);
  if (rhs.is_imm) {
    uint8_t count = (uint8_t)(rhs.imm & (w ? 63 : 31));
    if (d != l || count == 0) x64_mov_rr(b, w, d, l);
    if (count) x64_shift_ri(b, sop, w, d, count);
    return;
  }
  /* read the count before dst is written: dst may alias it */
  x64_mov_rr(b, false, SCRATCH_C, hw(rhs.reg));
  if (d != l) x64_mov_rr(b, w, d, l);
  x64_shift_cl(b, sop, w, d);
}

static void binop_imm(jit_masm *m, jit_binop op, bool w, uint8_t d,
                      uint8_t l, int32_t imm) {
  jit_buf *b = &m->buf;
  switch (op) {
  case JB_ADD:
    if (d == l) x64_alu_ri(b, X64_ADD, w, d, imm);
    else x64_lea(b, w, d, x64_mem_bd(l, imm));
    return;
  case JB_MUL:
    x64_imul_rri(b, w, d, l, imm);
    return;
  case JB_AND:
    /* masks of the low 8 or 16 bits are zero-extensions: one
     * instruction, also when d != l (the upper half is cleared either
     * way, for i64 too) */
    if (imm == 0xff) {
      x64_movzx8_rr(b, d, l);
      return;
    }
    if (imm == 0xffff) {
      x64_movzx16_rr(b, d, l);
      return;
    }
    if (d != l) x64_mov_rr(b, w, d, l);
    x64_alu_ri(b, X64_AND, w, d, imm);
    return;
  default:
    if (d != l) x64_mov_rr(b, w, d, l);
    x64_alu_ri(b, alu_of(op), w, d, imm);
    return;
  }
}

static void two_operand(jit_masm *m, jit_binop op, bool w, uint8_t d,
                        uint8_t src) {
  if (op == JB_MUL) x64_imul_rr(&m->buf, w, d, src);
  else x64_alu_rr(&m->buf, alu_of(op), w, d, src);
}

static void binop_reg(jit_masm *m, jit_binop op, bool w, uint8_t d,
                      uint8_t l, uint8_t r) {
  jit_buf *b = &m->buf;
  if (d == l) {
    two_operand(m, op, w, d, r);
  } else if (d == r) {
    if (op == JB_SUB) { /* d = l - d = -d + l */
      x64_neg(b, w, d);
      x64_alu_rr(b, X64_ADD, w, d, l);
    } else {
      two_operand(m, op, w, d, l); /* the rest commute */
    }
  } else if (op == JB_ADD) {
    x64_lea(b, w, d, x64_mem_bisd(l, r, 0, 0));
  } else {
    x64_mov_rr(b, w, d, l);
    two_operand(m, op, w, d, r);
  }
}

void x64_masm_binop(jit_masm *m, jit_binop op, jit_type t, jit_reg dst,
                    jit_reg lhs, jit_opnd rhs) {
  bool w = is_w(t);
  uint8_t d = hw(dst), l = hw(lhs);
  if (is_shift(op)) {
    emit_shift(m, op, w, d, l, rhs);
    return;
  }
  if (rhs.is_imm) {
    int32_t imm;
    if (imm_for(t, rhs.imm, &imm)) {
      binop_imm(m, op, w, d, l, imm);
      return;
    }
    x64_mov_ri(&m->buf, true, SCRATCH, (uint64_t)rhs.imm);
    binop_reg(m, op, w, d, l, SCRATCH);
    return;
  }
  binop_reg(m, op, w, d, l, hw(rhs.reg));
}

void x64_masm_add_scaled(jit_masm *m, jit_type t, jit_reg dst, jit_reg base,
                         jit_reg index, uint8_t shift, int32_t imm) {
  /* a 32-bit lea computes the sum in 64 bits and keeps the low half: the
   * wrapping i32 add */
  uint8_t b = base == JIT_NO_REG ? X64_NOREG : hw(base);
  x64_lea(&m->buf, is_w(t), hw(dst), x64_mem_bisd(b, hw(index), shift, imm));
}

void x64_masm_divrem(jit_masm *m, jit_divop op, jit_type t, jit_reg dst,
                     jit_reg lhs, jit_reg rhs, jit_label *div_zero,
                     jit_label *overflow) {
  jit_buf *b = &m->buf;
  bool w = is_w(t);
  uint8_t d = hw(dst), l = hw(lhs), r = hw(rhs);
  bool is_signed = op == JD_DIV_S || op == JD_REM_S;
  bool is_rem = op == JD_REM_S || op == JD_REM_U;
  x64_test_rr(b, w, r, r);
  jcc_label(m, X64_CC_E, div_zero);

  uint32_t skip_special = 0, skip_divide = 0;
  bool has_special = is_signed;
  if (is_signed) {
    /* rhs == -1: the only case where idiv can overflow */
    x64_alu_ri(b, X64_CMP, w, r, -1);
    skip_special = x64_jcc8(b, X64_CC_NE, 0);
    if (is_rem) {
      x64_alu_rr(b, X64_XOR, false, d, d); /* x rem -1 == 0 */
      skip_divide = x64_jmp32(b, 0);
    } else {
      if (w) {
        x64_mov_ri(b, true, SCRATCH, (uint64_t)INT64_MIN);
        x64_alu_rr(b, X64_CMP, true, l, SCRATCH);
      } else {
        x64_alu_ri(b, X64_CMP, false, l, INT32_MIN);
      }
      if (overflow) jcc_label(m, X64_CC_E, overflow);
    }
    x64_patch_rel8_here(b, skip_special);
  }
  x64_mov_rr(b, w, SCRATCH_A, l);
  if (is_signed) {
    if (w) x64_cqo(b);
    else x64_cdq(b);
    x64_idiv(b, w, r);
  } else {
    x64_alu_rr(b, X64_XOR, false, SCRATCH_D, SCRATCH_D);
    x64_div(b, w, r);
  }
  x64_mov_rr(b, w, d, is_rem ? SCRATCH_D : SCRATCH_A);
  if (has_special && is_rem)
    jit_buf_patch32(b, skip_divide, jit_buf_pos(b) - (skip_divide + 4));
}

/* clz/ctz/popcnt without lzcnt/tzcnt/popcnt. */
static void emit_clz_fallback(jit_masm *m, bool w, uint8_t d, uint8_t s) {
  jit_buf *b = &m->buf;
  unsigned bits = w ? 64 : 32;
  /* bsr gives the index i of the top set bit; clz = (bits-1) - i = i ^
   * (bits-1). For zero (bsr leaves ZF set), 2*bits-1 ^ (bits-1) = bits. */
  x64_mov_ri(b, false, SCRATCH_A, 2 * bits - 1);
  x64_bsr(b, w, SCRATCH, s);
  x64_cmovcc(b, X64_CC_E, w, SCRATCH, SCRATCH_A);
  x64_alu_ri(b, X64_XOR, w, SCRATCH, (int32_t)(bits - 1));
  x64_mov_rr(b, w, d, SCRATCH);
}

static void emit_ctz_fallback(jit_masm *m, bool w, uint8_t d, uint8_t s) {
  jit_buf *b = &m->buf;
  x64_mov_ri(b, false, SCRATCH_A, w ? 64 : 32);
  x64_bsf(b, w, SCRATCH, s);
  x64_cmovcc(b, X64_CC_E, w, SCRATCH, SCRATCH_A);
  x64_mov_rr(b, w, d, SCRATCH);
}

static void emit_popcnt_fallback(jit_masm *m, bool w, uint8_t d, uint8_t s) {
  jit_buf *b = &m->buf;
  uint64_t m1 = w ? 0x5555555555555555ull : 0x55555555u;
  uint64_t m2 = w ? 0x3333333333333333ull : 0x33333333u;
  uint64_t m4 = w ? 0x0f0f0f0f0f0f0f0full : 0x0f0f0f0fu;
  uint64_t h01 = w ? 0x0101010101010101ull : 0x01010101u;
  x64_mov_rr(b, w, SCRATCH_A, s);
  /* x -= (x >> 1) & m1 */
  x64_mov_rr(b, w, SCRATCH_C, SCRATCH_A);
  x64_shift_ri(b, X64_SHR, w, SCRATCH_C, 1);
  x64_mov_ri(b, w, SCRATCH, m1);
  x64_alu_rr(b, X64_AND, w, SCRATCH_C, SCRATCH);
  x64_alu_rr(b, X64_SUB, w, SCRATCH_A, SCRATCH_C);
  /* x = (x & m2) + ((x >> 2) & m2) */
  x64_mov_rr(b, w, SCRATCH_C, SCRATCH_A);
  x64_mov_ri(b, w, SCRATCH, m2);
  x64_alu_rr(b, X64_AND, w, SCRATCH_A, SCRATCH);
  x64_shift_ri(b, X64_SHR, w, SCRATCH_C, 2);
  x64_alu_rr(b, X64_AND, w, SCRATCH_C, SCRATCH);
  x64_alu_rr(b, X64_ADD, w, SCRATCH_A, SCRATCH_C);
  /* x = (x + (x >> 4)) & m4 */
  x64_mov_rr(b, w, SCRATCH_C, SCRATCH_A);
  x64_shift_ri(b, X64_SHR, w, SCRATCH_C, 4);
  x64_alu_rr(b, X64_ADD, w, SCRATCH_A, SCRATCH_C);
  x64_mov_ri(b, w, SCRATCH, m4);
  x64_alu_rr(b, X64_AND, w, SCRATCH_A, SCRATCH);
  /* the byte sums accumulate in the top byte */
  x64_mov_ri(b, w, SCRATCH, h01);
  x64_imul_rr(b, w, SCRATCH_A, SCRATCH);
  x64_shift_ri(b, X64_SHR, w, SCRATCH_A, w ? 56 : 24);
  x64_mov_rr(b, w, d, SCRATCH_A);
}

void x64_masm_unop(jit_masm *m, jit_unop op, jit_type t, jit_reg dst,
                   jit_reg src) {
  jit_buf *b = &m->buf;
  bool w = is_w(t);
  uint8_t d = hw(dst), s = hw(src);
  x64_features f = x64_cpu_features();
  switch (op) {
  case JU_CLZ:
    if (f.lzcnt) x64_lzcnt(b, w, d, s);
    else emit_clz_fallback(m, w, d, s);
    break;
  case JU_CTZ:
    if (f.tzcnt) x64_tzcnt(b, w, d, s);
    else emit_ctz_fallback(m, w, d, s);
    break;
  case JU_POPCNT:
    if (f.popcnt) x64_popcnt(b, w, d, s);
    else emit_popcnt_fallback(m, w, d, s);
    break;
  case JU_EQZ:
    x64_test_rr(b, w, s, s);
    x64_setcc(b, X64_CC_E, SCRATCH_A);
    x64_movzx8_rr(b, d, SCRATCH_A);
    break;
  case JU_EXTEND8_S: x64_movsx8_rr(b, w, d, s); break;
  case JU_EXTEND16_S: x64_movsx16_rr(b, w, d, s); break;
  case JU_EXTEND32_S:
  case JU_EXTEND_I32_S: x64_movsxd_rr(b, d, s); break;
  case JU_EXTEND_I32_U:
  case JU_WRAP:
    /* always emitted, even in place: this clears the upper half */
    x64_mov_rr(b, false, d, s);
    break;
  }
}

/* ---- compares and selects ------------------------------------------------ */

static bool is_float_cond(jit_cond c) { return c >= JC_FEQ; }

static x64_cc int_cc(jit_cond c) {
  switch (c) {
  case JC_EQ: return X64_CC_E;
  case JC_NE: return X64_CC_NE;
  case JC_LT_S: return X64_CC_L;
  case JC_LT_U: return X64_CC_B;
  case JC_GT_S: return X64_CC_G;
  case JC_GT_U: return X64_CC_A;
  case JC_LE_S: return X64_CC_LE;
  case JC_LE_U: return X64_CC_BE;
  case JC_GE_S: return X64_CC_GE;
  case JC_TST_Z: return X64_CC_E;
  case JC_TST_NZ: return X64_CC_NE;
  default: return X64_CC_AE;
  }
}

/* test lhs, rhs for the JC_TST conditions */
static void int_test(jit_masm *m, bool w, uint8_t l, jit_opnd rhs) {
  jit_buf *b = &m->buf;
  int32_t imm;
  if (!rhs.is_imm) {
    x64_test_rr(b, w, l, hw(rhs.reg));
  } else if (imm_for(w ? JT_I64 : JT_I32, rhs.imm, &imm)) {
    x64_test_ri(b, w, l, imm);
  } else {
    x64_mov_ri(b, true, SCRATCH, (uint64_t)rhs.imm);
    x64_test_rr(b, w, l, SCRATCH);
  }
}

static void int_compare(jit_masm *m, jit_cond c, jit_type t, jit_reg lhs,
                        jit_opnd rhs) {
  jit_buf *b = &m->buf;
  bool w = is_w(t);
  uint8_t l = hw(lhs);
  if (c == JC_TST_Z || c == JC_TST_NZ) {
    int_test(m, w, l, rhs);
    return;
  }
  if (!rhs.is_imm) {
    x64_alu_rr(b, X64_CMP, w, l, hw(rhs.reg));
    return;
  }
  int32_t imm;
  if (!imm_for(t, rhs.imm, &imm)) {
    x64_mov_ri(b, true, SCRATCH, (uint64_t)rhs.imm);
    x64_alu_rr(b, X64_CMP, w, l, SCRATCH);
  } else if (imm == 0) {
    x64_test_rr(b, w, l, l); /* same flags as cmp l, 0 */
  } else {
    x64_alu_ri(b, X64_CMP, w, l, imm);
  }
}

/* ucomis for a float condition; returns the cc that means "true" for the
 * ordered conditions (LT/LE swap operands so that unordered, which sets
 * CF, reads as false). FEQ/FNE also need the parity flag: see callers. */
static x64_cc float_compare(jit_masm *m, jit_cond c, jit_type t, jit_reg lhs,
                            jit_reg rhs) {
  x64_sse op = t == JT_F32 ? X64_UCOMISS : X64_UCOMISD;
  uint8_t l = hw(lhs), r = hw(rhs);
  switch (c) {
  case JC_FLT: x64_sse_rr(&m->buf, op, r, l); return X64_CC_A;
  case JC_FLE: x64_sse_rr(&m->buf, op, r, l); return X64_CC_AE;
  case JC_FGT: x64_sse_rr(&m->buf, op, l, r); return X64_CC_A;
  case JC_FGE: x64_sse_rr(&m->buf, op, l, r); return X64_CC_AE;
  case JC_FEQ: x64_sse_rr(&m->buf, op, l, r); return X64_CC_E;
  default: x64_sse_rr(&m->buf, op, l, r); return X64_CC_NE;
  }
}

/* Sets al to the boolean of (lhs c rhs). */
static void cond_to_al(jit_masm *m, jit_cond c, jit_type t, jit_reg lhs,
                       jit_opnd rhs) {
  jit_buf *b = &m->buf;
  if (!is_float_cond(c)) {
    int_compare(m, c, t, lhs, rhs);
    x64_setcc(b, int_cc(c), SCRATCH_A);
    return;
  }
  x64_cc cc = float_compare(m, c, t, lhs, rhs.reg);
  x64_setcc(b, cc, SCRATCH_A);
  if (c == JC_FEQ) { /* equal and ordered */
    x64_setcc(b, X64_CC_NP, SCRATCH_C);
    x64_emit_rr(b, 0, 0x20, false, SCRATCH_C, SCRATCH_A, 3); /* and al, cl */
  } else if (c == JC_FNE) { /* not equal or unordered */
    x64_setcc(b, X64_CC_P, SCRATCH_C);
    x64_emit_rr(b, 0, 0x08, false, SCRATCH_C, SCRATCH_A, 3); /* or al, cl */
  }
}

void x64_masm_cmp_set(jit_masm *m, jit_cond c, jit_type t, jit_reg dst,
                      jit_reg lhs, jit_opnd rhs) {
  cond_to_al(m, c, t, lhs, rhs);
  x64_movzx8_rr(&m->buf, hw(dst), SCRATCH_A);
}

void x64_masm_cmp_branch(jit_masm *m, jit_cond c, jit_type t, jit_reg lhs,
                         jit_opnd rhs, jit_label *l) {
  if (!is_float_cond(c)) {
    int_compare(m, c, t, lhs, rhs);
    jcc_label(m, int_cc(c), l);
    return;
  }
  x64_cc cc = float_compare(m, c, t, lhs, rhs.reg);
  if (c == JC_FEQ) {
    uint32_t skip = x64_jcc8(&m->buf, X64_CC_P, 0);
    jcc_label(m, X64_CC_E, l);
    x64_patch_rel8_here(&m->buf, skip);
  } else if (c == JC_FNE) {
    jcc_label(m, X64_CC_P, l);
    jcc_label(m, X64_CC_NE, l);
  } else {
    jcc_label(m, cc, l);
  }
}

void x64_masm_cmp_branch_not(jit_masm *m, jit_cond c, jit_type t,
                             jit_reg lhs, jit_opnd rhs, jit_label *l) {
  if (!is_float_cond(c)) {
    int_compare(m, c, t, lhs, rhs);
    jcc_label(m, x64_cc_invert(int_cc(c)), l);
    return;
  }
  x64_cc cc = float_compare(m, c, t, lhs, rhs.reg);
  if (c == JC_FEQ) { /* not equal, or unordered */
    jcc_label(m, X64_CC_P, l);
    jcc_label(m, X64_CC_NE, l);
  } else if (c == JC_FNE) { /* equal and ordered */
    uint32_t skip = x64_jcc8(&m->buf, X64_CC_P, 0);
    jcc_label(m, X64_CC_E, l);
    x64_patch_rel8_here(&m->buf, skip);
  } else {
    /* Unordered sets ZF, PF and CF, so the inverse of the "true" cc (a or
     * ae after the operand order of float_compare) is true on NaN: jbe/jb
     * are exactly "not (lhs c rhs)". */
    jcc_label(m, x64_cc_invert(cc), l);
  }
}

void x64_masm_branch_zero(jit_masm *m, jit_type t, jit_reg reg, bool if_zero,
                          jit_label *l) {
  x64_test_rr(&m->buf, is_w(t), hw(reg), hw(reg));
  jcc_label(m, if_zero ? X64_CC_E : X64_CC_NE, l);
}

/* dst = cc ? a : b, flags already set; moves do not touch flags. */
static void select_cc(jit_masm *m, jit_type t, x64_cc cc, jit_reg dst,
                      jit_reg a, jit_reg b) {
  jit_buf *buf = &m->buf;
  uint8_t d = hw(dst), ra = hw(a), rb = hw(b);
  if (!JIT_IS_FPR(dst)) {
    bool w = is_w(t);
    if (d == ra) {
      x64_cmovcc(buf, x64_cc_invert(cc), w, d, rb);
    } else if (d == rb) {
      x64_cmovcc(buf, cc, w, d, ra);
    } else {
      x64_mov_rr(buf, w, d, ra);
      x64_cmovcc(buf, x64_cc_invert(cc), w, d, rb);
    }
    return;
  }
  uint32_t skip;
  if (d == ra) {
    skip = x64_jcc8(buf, cc, 0);
    if (ra != rb) x64_sse_rr(buf, X64_MOVAPS, d, rb);
  } else if (d == rb) {
    skip = x64_jcc8(buf, x64_cc_invert(cc), 0);
    x64_sse_rr(buf, X64_MOVAPS, d, ra);
  } else {
    x64_sse_rr(buf, X64_MOVAPS, d, ra);
    skip = x64_jcc8(buf, cc, 0);
    x64_sse_rr(buf, X64_MOVAPS, d, rb);
  }
  x64_patch_rel8_here(buf, skip);
}

void x64_masm_select(jit_masm *m, jit_type t, jit_reg dst, jit_reg cond,
                     jit_reg a, jit_reg b) {
  x64_test_rr(&m->buf, false, hw(cond), hw(cond));
  select_cc(m, t, X64_CC_NE, dst, a, b);
}

void x64_masm_cmp_select(jit_masm *m, jit_cond c, jit_type ct, jit_reg lhs,
                         jit_opnd rhs, jit_type t, jit_reg dst, jit_reg a,
                         jit_reg b) {
  x64_cc cc;
  if (!is_float_cond(c)) {
    int_compare(m, c, ct, lhs, rhs);
    cc = int_cc(c);
  } else if (c == JC_FEQ || c == JC_FNE) {
    cond_to_al(m, c, ct, lhs, rhs);
    x64_emit_rr(&m->buf, 0, 0x84, false, SCRATCH_A, SCRATCH_A, 3); /* test al,al */
    cc = X64_CC_NE;
  } else {
    cc = float_compare(m, c, ct, lhs, rhs.reg);
  }
  select_cc(m, t, cc, dst, a, b);
}

/* ---- floats ------------------------------------------------------------------ */

static x64_sse sse_arith(jit_fbinop op, bool f64) {
  switch (op) {
  case JF_ADD: return f64 ? X64_ADDSD : X64_ADDSS;
  case JF_SUB: return f64 ? X64_SUBSD : X64_SUBSS;
  case JF_MUL: return f64 ? X64_MULSD : X64_MULSS;
  case JF_DIV: return f64 ? X64_DIVSD : X64_DIVSS;
  case JF_MIN: return f64 ? X64_MINSD : X64_MINSS;
  default: return f64 ? X64_MAXSD : X64_MAXSS;
  }
}

/* wasm min/max: NaN if either is NaN; -0 < +0. minss/maxss alone return
 * the second operand for NaN and for equal zeros, so those two cases are
 * handled first: equal operands combine their sign bits (or for min, and
 * for max), unordered ones add to produce a quiet NaN. */
static void emit_minmax(jit_masm *m, bool is_min, bool f64, uint8_t d,
                        uint8_t l, uint8_t r) {
  jit_buf *b = &m->buf;
  x64_sse_rr(b, X64_MOVAPS, FSCRATCH, l);
  x64_sse_rr(b, f64 ? X64_UCOMISD : X64_UCOMISS, FSCRATCH, r);
  uint32_t to_nan = x64_jcc8(b, X64_CC_P, 0);
  uint32_t to_normal = x64_jcc8(b, X64_CC_NE, 0);
  x64_sse_rr(b, is_min ? X64_ORPS : X64_ANDPS, FSCRATCH, r);
  uint32_t done1 = x64_jmp8(b, 0);
  x64_patch_rel8_here(b, to_nan);
  x64_sse_rr(b, f64 ? X64_ADDSD : X64_ADDSS, FSCRATCH, r);
  uint32_t done2 = x64_jmp8(b, 0);
  x64_patch_rel8_here(b, to_normal);
  x64_sse_rr(b, sse_arith(is_min ? JF_MIN : JF_MAX, f64), FSCRATCH, r);
  x64_patch_rel8_here(b, done1);
  x64_patch_rel8_here(b, done2);
  x64_sse_rr(b, X64_MOVAPS, d, FSCRATCH);
}

static uint64_t sign_mask(bool f64) { return f64 ? 1ull << 63 : 1ull << 31; }

static void emit_copysign(jit_masm *m, bool f64, uint8_t d, uint8_t l,
                          uint8_t r) {
  jit_buf *b = &m->buf;
  load_fconst(m, f64, FSCRATCH, sign_mask(f64));
  x64_sse_rr(b, X64_MOVAPS, FSCRATCH2, FSCRATCH);
  x64_sse_rr(b, X64_ANDPS, FSCRATCH2, r);  /* sign of rhs */
  x64_sse_rr(b, X64_ANDNPS, FSCRATCH, l);  /* magnitude of lhs */
  x64_sse_rr(b, X64_ORPS, FSCRATCH, FSCRATCH2);
  x64_sse_rr(b, X64_MOVAPS, d, FSCRATCH);
}

void x64_masm_fbinop(jit_masm *m, jit_fbinop op, jit_type t, jit_reg dst,
                     jit_reg lhs, jit_reg rhs) {
  jit_buf *b = &m->buf;
  bool f64 = t == JT_F64;
  uint8_t d = hw(dst), l = hw(lhs), r = hw(rhs);
  if (op == JF_MIN || op == JF_MAX) {
    emit_minmax(m, op == JF_MIN, f64, d, l, r);
    return;
  }
  if (op == JF_COPYSIGN) {
    emit_copysign(m, f64, d, l, r);
    return;
  }
  x64_sse sop = sse_arith(op, f64);
  bool commutes = op == JF_ADD || op == JF_MUL;
  if (d == l) {
    x64_sse_rr(b, sop, d, r);
  } else if (d == r) {
    if (commutes) {
      x64_sse_rr(b, sop, d, l);
    } else {
      x64_sse_rr(b, X64_MOVAPS, FSCRATCH, r);
      x64_sse_rr(b, X64_MOVAPS, d, l);
      x64_sse_rr(b, sop, d, FSCRATCH);
    }
  } else {
    x64_sse_rr(b, X64_MOVAPS, d, l);
    x64_sse_rr(b, sop, d, r);
  }
}

void x64_masm_funop(jit_masm *m, jit_funop op, jit_type t, jit_reg dst,
                    jit_reg src) {
  jit_buf *b = &m->buf;
  bool f64 = t == JT_F64;
  uint8_t d = hw(dst), s = hw(src);
  switch (op) {
  case JFU_ABS:
  case JFU_NEG: {
    /* abs clears the sign bit, neg flips it: no arithmetic on NaNs */
    uint64_t mask = op == JFU_ABS ? sign_mask(f64) - 1 : sign_mask(f64);
    load_fconst(m, f64, FSCRATCH, mask);
    if (d != s) x64_sse_rr(b, X64_MOVAPS, d, s);
    x64_sse_rr(b, op == JFU_ABS ? X64_ANDPS : X64_XORPS, d, FSCRATCH);
    return;
  }
  case JFU_SQRT:
    x64_sse_rr(b, f64 ? X64_SQRTSD : X64_SQRTSS, d, s);
    return;
  case JFU_NEAREST:
  case JFU_FLOOR:
  case JFU_CEIL:
  case JFU_TRUNC: {
    uint8_t mode = op == JFU_NEAREST ? 0 : op == JFU_FLOOR ? 1
                   : op == JFU_CEIL  ? 2 : 3;
    if (f64) x64_roundsd(b, d, s, mode);
    else x64_roundss(b, d, s, mode);
    return;
  }
  }
}

/* ---- conversions --------------------------------------------------------- */

/* The truncation itself, for an input known to be in range. */
static void trunc_in_range(jit_masm *m, trunc_info ti, uint8_t d,
                           uint8_t s) {
  jit_buf *b = &m->buf;
  bool f64 = ti.src64;
  void (*cvtt)(jit_buf *, bool, uint8_t, uint8_t) =
      f64 ? x64_cvttsd2si : x64_cvttss2si;
  if (ti.is_signed) {
    cvtt(b, ti.dst64, d, s);
    return;
  }
  if (!ti.dst64) { /* u32 fits in the signed 64-bit conversion */
    cvtt(b, true, d, s);
    return;
  }
  /* u64: inputs >= 2^63 are converted after subtracting 2^63, whose bit
   * is then put back. */
  load_fconst(m, f64, FSCRATCH, fconst_bits(f64, 9223372036854775808.0));
  x64_sse_rr(b, f64 ? X64_UCOMISD : X64_UCOMISS, s, FSCRATCH);
  uint32_t to_big = x64_jcc8(b, X64_CC_AE, 0);
  cvtt(b, true, d, s);
  uint32_t to_done = x64_jmp8(b, 0);
  x64_patch_rel8_here(b, to_big);
  x64_sse_rr(b, X64_MOVAPS, FSCRATCH2, s);
  x64_sse_rr(b, f64 ? X64_SUBSD : X64_SUBSS, FSCRATCH2, FSCRATCH);
  cvtt(b, true, d, FSCRATCH2);
  x64_mov_ri(b, true, SCRATCH_A, 1ull << 63);
  x64_alu_rr(b, X64_XOR, true, d, SCRATCH_A);
  x64_patch_rel8_here(b, to_done);
}

/* Compares s with the bounds; jumps to below / above when outside. */
static void trunc_range_check(jit_masm *m, trunc_info ti, uint8_t s,
                              jit_label *below, jit_label *above) {
  jit_buf *b = &m->buf;
  bool f64 = ti.src64;
  x64_sse ucomis = f64 ? X64_UCOMISD : X64_UCOMISS;
  double lo, hi;
  bool lo_inclusive;
  trunc_bounds(ti, &lo, &lo_inclusive, &hi);
  load_fconst(m, f64, FSCRATCH, fconst_bits(f64, hi));
  x64_sse_rr(b, ucomis, s, FSCRATCH);
  jcc_label(m, X64_CC_AE, above);
  load_fconst(m, f64, FSCRATCH, fconst_bits(f64, lo));
  x64_sse_rr(b, ucomis, s, FSCRATCH);
  jcc_label(m, lo_inclusive ? X64_CC_B : X64_CC_BE, below);
}

static void emit_trunc(jit_masm *m, trunc_info ti, uint8_t d, uint8_t s,
                       jit_label *invalid, jit_label *overflow) {
  x64_sse_rr(&m->buf, ti.src64 ? X64_UCOMISD : X64_UCOMISS, s, s);
  jcc_label(m, X64_CC_P, invalid);
  trunc_range_check(m, ti, s, overflow, overflow);
  trunc_in_range(m, ti, d, s);
}

static void emit_trunc_sat(jit_masm *m, trunc_info ti, uint8_t d,
                           uint8_t s) {
  jit_buf *b = &m->buf;
  bool w = ti.dst64;
  uint64_t max, min;
  if (ti.is_signed) {
    max = w ? (uint64_t)INT64_MAX : (uint64_t)INT32_MAX;
    min = w ? (uint64_t)INT64_MIN : (uint32_t)INT32_MIN;
  } else {
    max = w ? UINT64_MAX : UINT32_MAX;
    min = 0;
  }
  jit_label nan, below, above, done;
  jit_label_init(&nan);
  jit_label_init(&below);
  jit_label_init(&above);
  jit_label_init(&done);
  x64_sse_rr(b, ti.src64 ? X64_UCOMISD : X64_UCOMISS, s, s);
  jcc_label(m, X64_CC_P, &nan);
  trunc_range_check(m, ti, s, &below, &above);
  trunc_in_range(m, ti, d, s);
  jmp_label(m, &done);
  x64_masm_bind(m, &nan);
  x64_mov_ri(b, false, d, 0);
  jmp_label(m, &done);
  x64_masm_bind(m, &above);
  x64_mov_ri(b, w, d, max);
  jmp_label(m, &done);
  x64_masm_bind(m, &below);
  x64_mov_ri(b, w, d, min);
  x64_masm_bind(m, &done);
}

/* Integer to float. Unsigned 64-bit inputs with the top bit set are halved
 * (keeping the lost bit as a sticky bit so rounding stays correct),
 * converted and doubled. */
static void emit_int_to_float(jit_masm *m, bool to64, bool from64,
                              bool is_signed, uint8_t d, uint8_t s) {
  jit_buf *b = &m->buf;
  void (*cvt)(jit_buf *, bool, uint8_t, uint8_t) =
      to64 ? x64_cvtsi2sd : x64_cvtsi2ss;
  x64_sse_rr(b, X64_XORPS, d, d); /* no false dependency on old d */
  if (!from64) {
    if (is_signed) {
      cvt(b, false, d, s);
    } else {
      x64_mov_rr(b, false, SCRATCH_A, s);
      cvt(b, true, d, SCRATCH_A);
    }
    return;
  }
  if (is_signed) {
    cvt(b, true, d, s);
    return;
  }
  x64_test_rr(b, true, s, s);
  uint32_t to_big = x64_jcc8(b, X64_CC_S, 0);
  cvt(b, true, d, s);
  uint32_t to_done = x64_jmp8(b, 0);
  x64_patch_rel8_here(b, to_big);
  x64_mov_rr(b, true, SCRATCH_A, s);
  x64_shift_ri(b, X64_SHR, true, SCRATCH_A, 1);
  x64_mov_rr(b, false, SCRATCH_C, s);
  x64_alu_ri(b, X64_AND, false, SCRATCH_C, 1);
  x64_alu_rr(b, X64_OR, true, SCRATCH_A, SCRATCH_C);
  cvt(b, true, d, SCRATCH_A);
  x64_sse_rr(b, to64 ? X64_ADDSD : X64_ADDSS, d, d);
  x64_patch_rel8_here(b, to_done);
}

void x64_masm_convert(jit_masm *m, jit_convop op, jit_reg dst, jit_reg src,
                      jit_label *invalid, jit_label *overflow) {
  jit_buf *b = &m->buf;
  uint8_t d = hw(dst), s = hw(src);
  if (op <= JCV_I64_TRUNC_SAT_F64_U) {
    trunc_info ti = trunc_info_of(op);
    if (ti.saturating) emit_trunc_sat(m, ti, d, s);
    else emit_trunc(m, ti, d, s, invalid, overflow);
    return;
  }
  if (op <= JCV_F64_CONVERT_I64_U) {
    int k = (int)op - JCV_F32_CONVERT_I32_S; /* f32: i32 s/u, i64 s/u; f64 */
    emit_int_to_float(m, (k & 4) != 0, (k & 2) != 0, (k & 1) == 0, d, s);
    return;
  }
  switch (op) {
  case JCV_F32_DEMOTE_F64: x64_sse_rr(b, X64_CVTSD2SS, d, s); break;
  case JCV_F64_PROMOTE_F32: x64_sse_rr(b, X64_CVTSS2SD, d, s); break;
  case JCV_I32_REINTERPRET_F32: x64_movd_rx(b, false, d, s); break;
  case JCV_I64_REINTERPRET_F64: x64_movd_rx(b, true, d, s); break;
  case JCV_F32_REINTERPRET_I32: x64_movd_xr(b, false, d, s); break;
  case JCV_F64_REINTERPRET_I64: x64_movd_xr(b, true, d, s); break;
  default: break;
  }
}

/* ---- linear memory ----------------------------------------------------------- */

/* The operand for base + zext(addr) + offset, base being memory 0's
 * pinned register or the one jit_masm_set_mem_base named. Register
 * addresses hold a u32 with a zero upper half, so they serve directly as
 * the index. */
x64_mem x64_mem_operand(jit_masm *m, jit_opnd addr, uint32_t offset) {
  jit_buf *b = &m->buf;
  uint8_t base = m->mem_base == JIT_NO_REG ? MEMBASE : hw(m->mem_base);
  if (addr.is_imm) {
    uint64_t eff = (uint64_t)(uint32_t)addr.imm + offset;
    if (eff <= INT32_MAX) return x64_mem_bd(base, (int32_t)eff);
    x64_mov_ri(b, true, SCRATCH, eff);
    return x64_mem_bisd(base, SCRATCH, 0, 0);
  }
  if (offset <= INT32_MAX)
    return x64_mem_bisd(base, hw(addr.reg), 0, (int32_t)offset);
  x64_mov_ri(b, false, SCRATCH, offset);
  x64_alu_rr(b, X64_ADD, true, SCRATCH, hw(addr.reg));
  return x64_mem_bisd(base, SCRATCH, 0, 0);
}

void x64_mark_oob_site(jit_masm *m) {
  jit_masm_add_trap(m, jit_buf_pos(&m->buf), WRUN_TRAP_MEMORY_OOB);
}

void x64_masm_load_mem(jit_masm *m, jit_memop op, jit_reg dst, jit_opnd addr,
                       uint32_t offset) {
  jit_buf *b = &m->buf;
  x64_mem a = x64_mem_operand(m, addr, offset);
  uint8_t d = hw(dst);
  x64_mark_oob_site(m);
  switch (op) {
  case JM_I32_LOAD:
  case JM_I64_LOAD32_U: x64_mov_rm(b, false, d, a); break;
  case JM_I64_LOAD: x64_mov_rm(b, true, d, a); break;
  case JM_F32_LOAD: x64_sse_rm(b, X64_MOVSS_LOAD, d, a); break;
  case JM_F64_LOAD: x64_sse_rm(b, X64_MOVSD_LOAD, d, a); break;
  case JM_I32_LOAD8_S: x64_movsx8_rm(b, false, d, a); break;
  case JM_I64_LOAD8_S: x64_movsx8_rm(b, true, d, a); break;
  case JM_I32_LOAD8_U:
  case JM_I64_LOAD8_U: x64_movzx8_rm(b, d, a); break;
  case JM_I32_LOAD16_S: x64_movsx16_rm(b, false, d, a); break;
  case JM_I64_LOAD16_S: x64_movsx16_rm(b, true, d, a); break;
  case JM_I32_LOAD16_U:
  case JM_I64_LOAD16_U: x64_movzx16_rm(b, d, a); break;
  case JM_I64_LOAD32_S: x64_movsxd_rm(b, d, a); break;
  default: break; /* stores are not loads */
  }
}

void x64_masm_store_mem(jit_masm *m, jit_memop op, jit_reg src, jit_opnd addr,
                        uint32_t offset) {
  jit_buf *b = &m->buf;
  x64_mem a = x64_mem_operand(m, addr, offset);
  uint8_t s = hw(src);
  x64_mark_oob_site(m);
  switch (op) {
  case JM_I32_STORE:
  case JM_I64_STORE32: x64_mov_mr(b, false, a, s); break;
  case JM_I64_STORE: x64_mov_mr(b, true, a, s); break;
  case JM_F32_STORE: x64_sse_rm(b, X64_MOVSS_STORE, s, a); break;
  case JM_F64_STORE: x64_sse_rm(b, X64_MOVSD_STORE, s, a); break;
  case JM_I32_STORE8:
  case JM_I64_STORE8: x64_mov8_mr(b, a, s); break;
  case JM_I32_STORE16:
  case JM_I64_STORE16: x64_mov16_mr(b, a, s); break;
  default: break; /* loads are not stores */
  }
}

void x64_masm_store_mem_imm(jit_masm *m, jit_memop op, uint64_t bits,
                            jit_opnd addr, uint32_t offset) {
  jit_buf *b = &m->buf;
  x64_mem a = x64_mem_operand(m, addr, offset); /* may use SCRATCH, not rax */
  switch (op) {
  case JM_I32_STORE:
  case JM_I64_STORE32:
  case JM_F32_STORE:
    x64_mark_oob_site(m);
    x64_mov_mi(b, false, a, (int32_t)(uint32_t)bits);
    break;
  case JM_I64_STORE:
  case JM_F64_STORE:
    if (fits_i32((int64_t)bits)) {
      x64_mark_oob_site(m);
      x64_mov_mi(b, true, a, (int32_t)(int64_t)bits);
    } else {
      x64_mov_ri(b, true, SCRATCH_A, bits);
      x64_mark_oob_site(m);
      x64_mov_mr(b, true, a, SCRATCH_A);
    }
    break;
  case JM_I32_STORE8:
  case JM_I64_STORE8:
    x64_mark_oob_site(m);
    x64_mov8_mi(b, a, (uint8_t)bits);
    break;
  case JM_I32_STORE16:
  case JM_I64_STORE16:
    x64_mark_oob_site(m);
    x64_mov16_mi(b, a, (uint16_t)bits);
    break;
  default: break; /* loads are not stores */
  }
}

/* ---- control -------------------------------------------------------------- */

void x64_masm_jmp(jit_masm *m, jit_label *l) { jmp_label(m, l); }

void x64_masm_bind(jit_masm *m, jit_label *l) {
  l->pos = (int32_t)jit_buf_pos(&m->buf);
  for (int32_t i = l->fixups; i >= 0; i = m->fixups[i].next) {
    const jit_fixup *f = &m->fixups[i];
    int32_t from = f->kind == FIX_TABLE ? f->base : (int32_t)(f->at + 4);
    jit_buf_patch32(&m->buf, f->at, (uint32_t)(l->pos - from));
    m->pending_fixups--;
  }
  l->fixups = -1;
}

/* cmp; jae dflt; lea r11, [rip+table]; movsxd rax, [r11 + index*4];
 * add rax, r11; jmp rax; table: int32 (target - table) entries. */
void x64_masm_jump_table(jit_masm *m, jit_reg index, uint32_t n,
                         jit_label **targets, jit_label *dflt) {
  jit_buf *b = &m->buf;
  uint8_t i = hw(index);
  x64_alu_ri(b, X64_CMP, false, i, (int32_t)n);
  jcc_label(m, X64_CC_AE, dflt);
  x64_lea(b, true, SCRATCH, x64_mem_rip(0));
  uint32_t lea_disp = jit_buf_pos(b) - 4;
  x64_movsxd_rm(b, SCRATCH_A, x64_mem_bisd(SCRATCH, i, 2, 0));
  x64_alu_rr(b, X64_ADD, true, SCRATCH_A, SCRATCH);
  x64_jmp_r(b, SCRATCH_A);
  uint32_t table = jit_buf_pos(b);
  jit_buf_patch32(b, lea_disp, table - (lea_disp + 4));
  for (uint32_t k = 0; k < n; k++) {
    jit_label *l = targets[k];
    uint32_t at = jit_buf_pos(b);
    if (l->pos >= 0) {
      jit_buf_u32(b, (uint32_t)(l->pos - (int32_t)table));
    } else {
      jit_buf_u32(b, 0);
      jit_masm_add_fixup(m, l, at, FIX_TABLE, (int32_t)table);
    }
  }
}

void x64_masm_call_func(jit_masm *m, uint32_t func_index) {
  uint32_t at = x64_call32(&m->buf, 0);
  jit_masm_add_reloc(m, at, func_index);
  jit_masm_note_call(m);
}

void x64_masm_call_reg(jit_masm *m, jit_reg target) {
  x64_call_r(&m->buf, hw(target));
  jit_masm_note_call(m);
}

void x64_masm_call_abs(jit_masm *m, const void *fn) {
  x64_movabs(&m->buf, SCRATCH_A, (uint64_t)(uintptr_t)fn);
  jit_masm_add_libcall_sym(m, jit_buf_pos(&m->buf) - 8, fn);
  x64_call_r(&m->buf, SCRATCH_A);
  jit_masm_note_call(m);
}

/* Relocatable: movabs (imm64) or mov r32, imm32, the immediate last, so
 * `at` is the immediate itself. Otherwise the shortest mov. */
void x64_masm_mov_sym(jit_masm *m, jit_reg dst, uint8_t kind, uint32_t index,
                      uint64_t value) {
  bool wide = kind != JIT_SYM_TYPE_ID;
  if (!m->relocatable) {
    x64_mov_ri(&m->buf, wide, hw(dst), wide ? value : (uint32_t)value);
    return;
  }
  if (wide)
    x64_movabs(&m->buf, hw(dst), value);
  else
    x64_mov_ri(&m->buf, false, hw(dst), (uint32_t)value);
  jit_masm_add_sym(m, jit_buf_pos(&m->buf) - (wide ? 8 : 4), kind, index);
}

uint32_t x64_masm_sym_bytes(uint8_t kind) {
  switch (kind) {
  case JIT_SYM_LIBCALL: case JIT_SYM_RTT: return 8;
  case JIT_SYM_TYPE_ID: return 4;
  }
  return 0;
}

void x64_masm_patch_sym(uint8_t *code, uint32_t at, uint8_t kind,
                        uint64_t value) {
  if (kind == JIT_SYM_TYPE_ID) {
    uint32_t v = (uint32_t)value;
    memcpy(code + at, &v, 4);
  } else {
    memcpy(code + at, &value, 8);
  }
}

/* jmp rel32: patched like a call (same rel32 field after the opcode) */
void x64_masm_jmp_func(jit_masm *m, uint32_t func_index) {
  uint32_t at = x64_jmp32(&m->buf, 0);
  jit_masm_add_reloc(m, at, func_index);
}

void x64_masm_jmp_reg(jit_masm *m, jit_reg target) {
  x64_jmp_r(&m->buf, hw(target));
}

/* leave: rsp = rbp + 8 at the return address, rbp = the caller's */
void x64_masm_tail_epilogue(jit_masm *m) { x64_leave(&m->buf); }

void x64_masm_patch_call(uint8_t *code, uint32_t at, uint32_t target) {
  int32_t rel = (int32_t)(target - (at + 4));
  memcpy(code + at, &rel, 4);
}

/* push rbp; mov rbp, rsp; lea r11, [rsp - FRAME];
 * cmp r11, [ctx + limit]; jb overflow; mov rsp, r11.
 * -FRAME is the lea's disp32 at m->frame_size_at, patched by
 * finish_frame. */
void x64_masm_prologue(jit_masm *m, jit_reg ctx_reg, int32_t stack_limit_off,
                       jit_label *overflow) {
  jit_buf *b = &m->buf;
  m->in_function = true;
  m->nlits = m->nlit_uses = 0;
  x64_push(b, X64_RBP);
  x64_mov_rr(b, true, X64_RBP, X64_RSP);
  x64_lea_disp32(b, true, SCRATCH, x64_mem_bd(X64_RSP, 0));
  m->frame_size_at = jit_buf_pos(b) - 4;
  x64_alu_rm(b, X64_CMP, true, SCRATCH,
             x64_mem_bd(hw(ctx_reg), stack_limit_off));
  jcc_label(m, X64_CC_B, overflow);
  x64_mov_rr(b, true, X64_RSP, SCRATCH);
}

/* cmp rsp, [r14 + limit]; jb trap: no register is touched, so the loop
 * head's register cache survives. */
void x64_masm_stack_check(jit_masm *m, int32_t limit_off, jit_label *trap) {
  x64_alu_rm(&m->buf, X64_CMP, true, X64_RSP,
             x64_mem_bd(x64_target.vmctx_reg, limit_off));
  jcc_label(m, X64_CC_B, trap);
}

/* sub r13, imm32; jb out_of_fuel. Always the imm32 form, so the amount
 * can be patched in later. */
uint32_t x64_masm_fuel_charge(jit_masm *m, jit_label *out_of_fuel) {
  jit_buf *b = &m->buf;
  x64_emit_rr(b, 0, 0x81, true, X64_SUB, x64_target.fuel_reg, 0);
  uint32_t at = jit_buf_pos(b);
  jit_buf_u32(b, 0);
  jcc_label(m, X64_CC_B, out_of_fuel);
  return at;
}

void x64_masm_fuel_patch(jit_masm *m, uint32_t at, uint32_t amount) {
  jit_buf_patch32(&m->buf, at, amount);
}

/* mov r11, [base + ptr]; mov r13, [r11] */
void x64_masm_fuel_load(jit_masm *m, jit_reg base, int32_t ptr_off) {
  x64_mov_rm(&m->buf, true, SCRATCH, x64_mem_bd(hw(base), ptr_off));
  x64_mov_rm(&m->buf, true, x64_target.fuel_reg, x64_mem_bd(SCRATCH, 0));
}

/* mov r11, [base + ptr]; mov [r11], r13 */
void x64_masm_fuel_store(jit_masm *m, jit_reg base, int32_t ptr_off) {
  x64_mov_rm(&m->buf, true, SCRATCH, x64_mem_bd(hw(base), ptr_off));
  x64_mov_mr(&m->buf, true, x64_mem_bd(SCRATCH, 0), x64_target.fuel_reg);
}

void x64_masm_finish_frame(jit_masm *m, uint32_t frame_size) {
  /* rsp stays 16-byte aligned: the call pushed 8, rbp another 8 */
  uint32_t aligned = (frame_size + 15u) & ~15u;
  jit_buf_patch32(&m->buf, m->frame_size_at, (uint32_t)-(int32_t)aligned);
  emit_literal_pool(m);
}

void x64_masm_epilogue(jit_masm *m) {
  x64_leave(&m->buf);
  x64_ret(&m->buf);
}

void x64_masm_trap(jit_masm *m, uint8_t code) {
  jit_masm_add_trap(m, jit_buf_pos(&m->buf), code);
  x64_ud2(&m->buf);
}

/* ---- trampolines ------------------------------------------------------------ */

#define WASM_I32 0x7F
#define WASM_I64 0x7E
#define WASM_F32 0x7D
#define WASM_F64 0x7C
#define WASM_V128 0x7B

_Static_assert(WASM_V128 == RT_ARRAY_V128_TYPE, "one v128 type byte");

/* Copies `size` bytes (a multiple of 8) between two memory areas. */
static void copy_qwords(jit_buf *b, uint8_t to_base, int32_t to_off,
                        uint8_t from_base, int32_t from_off, uint32_t size) {
  for (uint32_t k = 0; k < size; k += 8) {
    x64_mov_rm(b, true, SCRATCH_A, x64_mem_bd(from_base, from_off + (int32_t)k));
    x64_mov_mr(b, true, x64_mem_bd(to_base, to_off + (int32_t)k), SCRATCH_A);
  }
}

/* Below rbp: 5 saved registers (40 bytes), then the slot for values. */
#define VALUES_SLOT (-48)

/* void f(ctx rdi, caller rsi, uint64_t *values rdx, wasm_call rcx) */
void x64_masm_entry_trampoline(jit_masm *m, const rt_valtype *params,
                               uint32_t nparams, const rt_valtype *results,
                               uint32_t nresults) {
  jit_buf *b = &m->buf;
  static const uint8_t saved[] = {X64_RBX, X64_R12, X64_R13, X64_R14,
                                  X64_R15};
  uint32_t args = rt_array_size(params, nparams);
  uint32_t rets = rt_array_size(results, nresults);
  uint32_t area = ((args > rets ? args : rets) + 15u) & ~15u;
  x64_push(b, X64_RBP);
  x64_mov_rr(b, true, X64_RBP, X64_RSP);
  for (unsigned i = 0; i < sizeof saved; i++) x64_push(b, saved[i]);
  /* entry rsp = 8 mod 16; six pushes leave it 8 mod 16: 8 more aligns */
  x64_alu_ri(b, X64_SUB, true, X64_RSP, (int32_t)(area + 8));
  /* wasm code clobbers every allocatable register, rbx included: values
   * waits in the alignment slot at rbp - 48 (just above the area) */
  x64_mov_mr(b, true, x64_mem_bd(X64_RBP, VALUES_SLOT), X64_RDX);
  copy_qwords(b, X64_RSP, 0, X64_RDX, 0, args);
  jit_reg_arg regs[JIT_ARG_GPRS];
  uint32_t nregs = jit_reg_args(params, nparams, regs);
  for (uint32_t k = 0; k < nregs; k++)
    load_typed(m, regs[k].type, x64_target.arg_gpr[k],
               x64_mem_bd(X64_RDX, regs[k].off));
  /* the outgoing area's capacity, for tail calls (rdx was saved above) */
  x64_mov_ri(b, false, x64_target.tail_cap_reg, area);
  x64_call_r(b, X64_RCX);
  x64_mov_rm(b, true, X64_RBX, x64_mem_bd(X64_RBP, VALUES_SLOT));
  if (nresults > 0) {
    x64_mem slot0 = x64_mem_bd(X64_RBX, 0);
    switch (results[0]) {
    case WASM_F32:
      x64_movd_rx(b, false, SCRATCH_A, 0); /* zero the slot's upper half */
      x64_mov_mr(b, true, slot0, SCRATCH_A);
      break;
    case WASM_F64: x64_sse_rm(b, X64_MOVSD_STORE, 0, slot0); break;
    case WASM_V128: x64_sse_rm(b, X64_MOVUPS_STORE, 0, slot0); break;
    default: x64_mov_mr(b, true, slot0, X64_RAX); break;
    }
    uint32_t off = rt_array_slot_size(results[0]);
    for (uint32_t i = 1; i < nresults; i++) {
      uint32_t size = rt_array_slot_size(results[i]);
      if (results[i] == WASM_I32 || results[i] == WASM_F32) {
        /* a 32-bit load zero-extends: the slot's upper half may hold
         * stale bytes (the callee stores 4 bytes) */
        x64_mov_rm(b, false, SCRATCH_A, x64_mem_bd(X64_RSP, (int32_t)off));
        x64_mov_mr(b, true, x64_mem_bd(X64_RBX, (int32_t)off), SCRATCH_A);
      } else {
        copy_qwords(b, X64_RBX, (int32_t)off, X64_RSP, (int32_t)off, size);
      }
      off += size;
    }
  }
  x64_lea(b, true, X64_RSP,
          x64_mem_bd(X64_RBP, -(int32_t)(8 * sizeof saved)));
  for (unsigned i = sizeof saved; i-- > 0;) x64_pop(b, saved[i]);
  x64_pop(b, X64_RBP);
  x64_ret(b);
}

/* Wasm convention in, C call out: host_call(ctx rdi, caller rsi, values,
 * frame), values being the caller's outgoing area (arguments, then
 * results), frame this trampoline's frame (its saved fp and return
 * address lead to the wasm caller: the GC's stack walk). */
void x64_masm_exit_trampoline(jit_masm *m, const rt_valtype *params,
                              uint32_t nparams, const rt_valtype *results,
                              uint32_t nresults, const void *host_call) {
  jit_buf *b = &m->buf;
  /* the caller's outgoing area: its arguments, then its results */
  const int32_t params_at = x64_target.param_base;
  x64_push(b, X64_RBP);
  x64_mov_rr(b, true, X64_RBP, X64_RSP);
  x64_lea(b, true, X64_RDX, x64_mem_bd(X64_RBP, params_at));
  x64_mov_rr(b, true, X64_RCX, X64_RBP);
  x64_movabs(b, X64_RAX, (uint64_t)(uintptr_t)host_call);
  x64_call_r(b, X64_RAX);
  if (nresults > 0) {
    x64_mem slot0 = x64_mem_bd(X64_RBP, params_at);
    switch (results[0]) {
    case WASM_I32: x64_mov_rm(b, false, X64_RAX, slot0); break;
    case WASM_F32: x64_sse_rm(b, X64_MOVSS_LOAD, 0, slot0); break;
    case WASM_F64: x64_sse_rm(b, X64_MOVSD_LOAD, 0, slot0); break;
    case WASM_V128: x64_sse_rm(b, X64_MOVUPS_LOAD, 0, slot0); break;
    default: x64_mov_rm(b, true, X64_RAX, slot0); break;
    }
  }
  x64_leave(b);
  x64_ret(b);
}

/* The recommended multi-byte no-ops (Intel SDM, NOP), by length. */
static const uint8_t x64_nops[9][9] = {
    {0},
    {0x90},
    {0x66, 0x90},
    {0x0F, 0x1F, 0x00},
    {0x0F, 0x1F, 0x40, 0x00},
    {0x0F, 0x1F, 0x44, 0x00, 0x00},
    {0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00},
    {0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00},
    {0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
};

/* Aligning loop heads matters on this machine's cores: the interp kernel's
 * dispatch loop ran 645 ms unaligned and 414 ms aligned to 16 bytes. */
void x64_masm_align(jit_masm *m, uint32_t alignment) {
  uint32_t pad = (alignment - jit_buf_pos(&m->buf) % alignment) % alignment;
  while (pad > 0) {
    uint32_t n = pad > 8 ? 8 : pad;
    jit_buf_put(&m->buf, x64_nops[n], n);
    pad -= n;
  }
}

/* ---- exception handling ----------------------------------------------------- */

void x64_masm_sp_address(jit_masm *m, jit_reg dst) {
  x64_mov_rr(&m->buf, true, hw(dst), X64_RSP);
}
