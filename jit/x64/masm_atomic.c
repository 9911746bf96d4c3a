/* x86-64 atomics (threads): sequentially consistent, as the C11 mappings
 * have them. Loads are plain movs (x86-TSO orders them; every SC store is
 * an xchg, which drains the store buffer), stores are xchg (implicitly
 * locked), add/sub/xchg are one lock xadd/xchg, and/or/xor and cmpxchg go
 * through lock cmpxchg (a loop for the former). The values travel in the
 * scratch registers: rax (cmpxchg's fixed operand), rcx (the new value:
 * cl/cx need no REX), and r11 when the address needs one
 * (x64_mem_operand); dst gets the zero-extended old value. */
#include "masm_internal.h"
#include "wrun.h"

/* dst = zero-extension of the low 8 << size bits of src. */
static void zext(jit_buf *b, unsigned size, uint8_t dst, uint8_t src) {
  switch (size) {
  case 0: x64_movzx8_rr(b, dst, src); break;
  case 1: x64_movzx16_rr(b, dst, src); break;
  case 2: x64_mov_rr(b, false, dst, src); break;
  default: x64_mov_rr(b, true, dst, src); break;
  }
}

/* dst = zero-extended [a] of 1 << size bytes. */
static void load_zext(jit_buf *b, unsigned size, uint8_t dst, x64_mem a) {
  switch (size) {
  case 0: x64_movzx8_rm(b, dst, a); break;
  case 1: x64_movzx16_rm(b, dst, a); break;
  default: x64_mov_rm(b, size == 3, dst, a); break;
  }
}

void x64_masm_atomic_load(jit_masm *m, unsigned size, jit_reg dst,
                          jit_opnd addr, uint32_t offset) {
  x64_mem a = x64_mem_operand(m, addr, offset);
  x64_mark_oob_site(m);
  load_zext(&m->buf, size, hw(dst), a);
}

void x64_masm_atomic_store(jit_masm *m, unsigned size, jit_reg src,
                           jit_opnd addr, uint32_t offset) {
  jit_buf *b = &m->buf;
  x64_mem a = x64_mem_operand(m, addr, offset);
  x64_mov_rr(b, size == 3, SCRATCH_C, hw(src));
  x64_mark_oob_site(m);
  x64_xchg_mr(b, size, a, SCRATCH_C);
}

void x64_masm_atomic_rmw(jit_masm *m, jit_atomic_op op, unsigned size,
                         jit_reg dst, jit_reg val, jit_opnd addr,
                         uint32_t offset) {
  jit_buf *b = &m->buf;
  bool w = size == 3;
  x64_mem a = x64_mem_operand(m, addr, offset);
  if (op == JA_ADD || op == JA_SUB || op == JA_XCHG) {
    x64_mov_rr(b, w, SCRATCH_C, hw(val));
    if (op == JA_SUB) x64_neg(b, w, SCRATCH_C);
    x64_mark_oob_site(m);
    if (op == JA_XCHG) {
      x64_xchg_mr(b, size, a, SCRATCH_C);
    } else {
      x64_lock(b);
      x64_xadd_mr(b, size, a, SCRATCH_C);
    }
    zext(b, size, hw(dst), SCRATCH_C);
    return;
  }
  /* rax = [a]; loop: rcx = rax op val; lock cmpxchg [a], rcx (on failure
   * it reloads rax); jnz loop */
  x64_alu op_alu = op == JA_AND ? X64_AND : op == JA_OR ? X64_OR : X64_XOR;
  x64_mark_oob_site(m);
  load_zext(b, size, SCRATCH_A, a);
  uint32_t loop = jit_buf_pos(b);
  x64_mov_rr(b, w, SCRATCH_C, SCRATCH_A);
  x64_alu_rr(b, op_alu, w, SCRATCH_C, hw(val));
  x64_lock(b);
  x64_cmpxchg_mr(b, size, a, SCRATCH_C);
  x64_jcc8(b, X64_CC_NE, (int8_t)((int32_t)loop - (int32_t)(jit_buf_pos(b) + 2)));
  zext(b, size, hw(dst), SCRATCH_A);
}

void x64_masm_atomic_cmpxchg(jit_masm *m, unsigned size, jit_reg dst,
                             jit_reg expected, jit_reg replacement,
                             jit_opnd addr, uint32_t offset) {
  jit_buf *b = &m->buf;
  bool w = size == 3;
  x64_mem a = x64_mem_operand(m, addr, offset);
  x64_mov_rr(b, w, SCRATCH_A, hw(expected));
  x64_mov_rr(b, w, SCRATCH_C, hw(replacement));
  x64_mark_oob_site(m);
  x64_lock(b);
  x64_cmpxchg_mr(b, size, a, SCRATCH_C);
  /* rax: the old value (on success it equals the expected low bits) */
  zext(b, size, hw(dst), SCRATCH_A);
}

void x64_masm_atomic_fence(jit_masm *m) { x64_mfence(&m->buf); }
