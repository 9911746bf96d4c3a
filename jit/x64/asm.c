/* The x86-64 encoder: REX, ModRM, SIB, displacements and immediates. */
#include "asm.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h> /* only on x86 hosts: the encoder builds everywhere */
#endif

/* ---- prefixes and operand bytes ------------------------------------------ */

/* A byte register 4..7 means spl/bpl/sil/dil only with a REX prefix
 * (without one it would be ah/ch/dh/bh). */
static bool needs_rex_for_byte(uint8_t r) { return r >= 4 && r <= 7; }

/* The bytes of one instruction up to its immediate (prefix, REX, opcode,
 * ModRM, SIB, displacement: at most 11) are gathered in a local array
 * and handed to the buffer at once: one capacity check and one size
 * update per instruction instead of one per byte, which was most of the
 * encoder's time. The helpers below take and return the write cursor (a
 * local, so it stays in a register: a count in memory would be reloaded
 * after every byte store, which may alias it). */
enum { INSN_MAX = 16 };

static inline uint8_t *put_u32(uint8_t *p, uint32_t v) {
  memcpy(p, &v, 4);
  return p + 4;
}

/* With room for the whole array, all of it is copied (a fixed-size copy,
 * no call): the bytes past p land in the free capacity, never counted. */
static inline void put_insn(jit_buf *b, const uint8_t at[INSN_MAX],
                            const uint8_t *p) {
  uint32_t n = (uint32_t)(p - at);
  if (b->cap - b->size >= INSN_MAX) {
    memcpy(b->data + b->size, at, INSN_MAX);
    b->size += n;
  } else {
    jit_buf_put(b, at, n);
  }
}

static uint8_t *emit_rex(uint8_t *p, bool w, uint8_t reg, uint8_t index,
                         uint8_t base, bool force) {
  uint8_t rex = 0x40;
  if (w) rex |= 8;
  if (reg & 8) rex |= 4;
  if (index != X64_NOREG && (index & 8)) rex |= 2;
  if (base != X64_NOREG && base != X64_RIP && (base & 8)) rex |= 1;
  if (rex != 0x40 || force) *p++ = rex;
  return p;
}

static uint8_t *emit_opcode(uint8_t *p, uint32_t opcode) {
  if (opcode > 0xffff) *p++ = (uint8_t)(opcode >> 16);
  if (opcode > 0xff) *p++ = (uint8_t)(opcode >> 8);
  *p++ = (uint8_t)opcode;
  return p;
}

static uint8_t modrm(unsigned mod, unsigned reg, unsigned rm) {
  return (uint8_t)((mod << 6) | ((reg & 7) << 3) | (rm & 7));
}

static bool fits_i8(int64_t v) { return v >= -128 && v <= 127; }

/* ModRM (+SIB, +disp) for a memory operand with reg in the reg field. */
static uint8_t *emit_mem_operand(uint8_t *p, uint8_t reg, x64_mem m) {
  if (m.base == X64_RIP) {
    *p++ = modrm(0, reg, 5);
    p = put_u32(p, (uint32_t)m.disp);
    return p;
  }
  if (m.base == X64_NOREG) {
    /* [index*s + disp32] (or absolute [disp32]) through a SIB with no base */
    uint8_t index = m.index == X64_NOREG ? 4 : m.index;
    *p++ = modrm(0, reg, 4);
    *p++ = (uint8_t)((m.shift << 6) | ((index & 7) << 3) | 5);
    p = put_u32(p, (uint32_t)m.disp);
    return p;
  }
  unsigned mod;
  /* rbp/r13 as base with mod 00 would mean rip/no-base: force a disp8 */
  if (m.disp == 0 && (m.base & 7) != 5) mod = 0;
  else if (fits_i8(m.disp)) mod = 1;
  else mod = 2;
  bool sib = m.index != X64_NOREG || (m.base & 7) == 4;
  if (sib) {
    uint8_t index = m.index == X64_NOREG ? 4 : m.index; /* 100: none */
    *p++ = modrm(mod, reg, 4);
    *p++ = (uint8_t)((m.shift << 6) | ((index & 7) << 3) | (m.base & 7));
  } else {
    *p++ = modrm(mod, reg, m.base);
  }
  if (mod == 1) *p++ = (uint8_t)(int8_t)m.disp;
  else if (mod == 2) p = put_u32(p, (uint32_t)m.disp);
  return p;
}

void x64_emit_rr(jit_buf *b, uint8_t prefix, uint32_t opcode, bool w,
                 uint8_t reg, uint8_t rm, unsigned byte_regs) {
  bool force = ((byte_regs & 1) && needs_rex_for_byte(reg)) ||
               ((byte_regs & 2) && needs_rex_for_byte(rm));
  uint8_t at[INSN_MAX] = {0}, *p = at;
  if (prefix) *p++ = prefix;
  p = emit_rex(p, w, reg, X64_NOREG, rm, force);
  p = emit_opcode(p, opcode);
  *p++ = modrm(3, reg, rm);
  put_insn(b, at, p);
}

void x64_emit_rm(jit_buf *b, uint8_t prefix, uint32_t opcode, bool w,
                 uint8_t reg, x64_mem m, unsigned byte_regs) {
  bool force = (byte_regs & 1) && needs_rex_for_byte(reg);
  uint8_t at[INSN_MAX] = {0}, *p = at;
  if (prefix) *p++ = prefix;
  p = emit_rex(p, w, reg, m.index, m.base, force);
  p = emit_opcode(p, opcode);
  p = emit_mem_operand(p, reg, m);
  put_insn(b, at, p);
}

/* ---- integer ALU ------------------------------------------------------------ */

void x64_alu_rr(jit_buf *b, x64_alu op, bool w, uint8_t dst, uint8_t src) {
  x64_emit_rr(b, 0, 0x01u + 8u * op, w, src, dst, 0);
}

void x64_alu_ri(jit_buf *b, x64_alu op, bool w, uint8_t dst, int32_t imm) {
  if (fits_i8(imm)) {
    x64_emit_rr(b, 0, 0x83, w, (uint8_t)op, dst, 0);
    jit_buf_u8(b, (uint8_t)(int8_t)imm);
  } else {
    x64_emit_rr(b, 0, 0x81, w, (uint8_t)op, dst, 0);
    jit_buf_u32(b, (uint32_t)imm);
  }
}

void x64_alu_rm(jit_buf *b, x64_alu op, bool w, uint8_t dst, x64_mem m) {
  x64_emit_rm(b, 0, 0x03u + 8u * op, w, dst, m, 0);
}

void x64_alu_mr(jit_buf *b, x64_alu op, bool w, x64_mem m, uint8_t src) {
  x64_emit_rm(b, 0, 0x01u + 8u * op, w, src, m, 0);
}

void x64_alu_mi(jit_buf *b, x64_alu op, bool w, x64_mem m, int32_t imm) {
  if (fits_i8(imm)) {
    x64_emit_rm(b, 0, 0x83, w, (uint8_t)op, m, 0);
    jit_buf_u8(b, (uint8_t)(int8_t)imm);
  } else {
    x64_emit_rm(b, 0, 0x81, w, (uint8_t)op, m, 0);
    jit_buf_u32(b, (uint32_t)imm);
  }
}

void x64_test_rr(jit_buf *b, bool w, uint8_t a, uint8_t c) {
  x64_emit_rr(b, 0, 0x85, w, c, a, 0);
}

void x64_test_ri(jit_buf *b, bool w, uint8_t r, int32_t imm) {
  x64_emit_rr(b, 0, 0xF7, w, 0, r, 0);
  jit_buf_u32(b, (uint32_t)imm);
}

void x64_imul_rr(jit_buf *b, bool w, uint8_t dst, uint8_t src) {
  x64_emit_rr(b, 0, 0x0FAF, w, dst, src, 0);
}

void x64_imul_rri(jit_buf *b, bool w, uint8_t dst, uint8_t src, int32_t imm) {
  if (fits_i8(imm)) {
    x64_emit_rr(b, 0, 0x6B, w, dst, src, 0);
    jit_buf_u8(b, (uint8_t)(int8_t)imm);
  } else {
    x64_emit_rr(b, 0, 0x69, w, dst, src, 0);
    jit_buf_u32(b, (uint32_t)imm);
  }
}

void x64_shift_cl(jit_buf *b, x64_shift op, bool w, uint8_t r) {
  x64_emit_rr(b, 0, 0xD3, w, (uint8_t)op, r, 0);
}

void x64_shift_ri(jit_buf *b, x64_shift op, bool w, uint8_t r, uint8_t imm) {
  x64_emit_rr(b, 0, 0xC1, w, (uint8_t)op, r, 0);
  jit_buf_u8(b, imm);
}

void x64_neg(jit_buf *b, bool w, uint8_t r) { x64_emit_rr(b, 0, 0xF7, w, 3, r, 0); }
void x64_not(jit_buf *b, bool w, uint8_t r) { x64_emit_rr(b, 0, 0xF7, w, 2, r, 0); }
void x64_div(jit_buf *b, bool w, uint8_t r) { x64_emit_rr(b, 0, 0xF7, w, 6, r, 0); }
void x64_idiv(jit_buf *b, bool w, uint8_t r) { x64_emit_rr(b, 0, 0xF7, w, 7, r, 0); }
void x64_cdq(jit_buf *b) { jit_buf_u8(b, 0x99); }
void x64_cqo(jit_buf *b) {
  jit_buf_u8(b, 0x48);
  jit_buf_u8(b, 0x99);
}

void x64_bsr(jit_buf *b, bool w, uint8_t dst, uint8_t src) {
  x64_emit_rr(b, 0, 0x0FBD, w, dst, src, 0);
}
void x64_bsf(jit_buf *b, bool w, uint8_t dst, uint8_t src) {
  x64_emit_rr(b, 0, 0x0FBC, w, dst, src, 0);
}
void x64_lzcnt(jit_buf *b, bool w, uint8_t dst, uint8_t src) {
  x64_emit_rr(b, 0xF3, 0x0FBD, w, dst, src, 0);
}
void x64_tzcnt(jit_buf *b, bool w, uint8_t dst, uint8_t src) {
  x64_emit_rr(b, 0xF3, 0x0FBC, w, dst, src, 0);
}
void x64_popcnt(jit_buf *b, bool w, uint8_t dst, uint8_t src) {
  x64_emit_rr(b, 0xF3, 0x0FB8, w, dst, src, 0);
}

void x64_setcc(jit_buf *b, x64_cc cc, uint8_t r8) {
  x64_emit_rr(b, 0, 0x0F90u + cc, false, 0, r8, 2);
}

void x64_cmovcc(jit_buf *b, x64_cc cc, bool w, uint8_t dst, uint8_t src) {
  x64_emit_rr(b, 0, 0x0F40u + cc, w, dst, src, 0);
}

/* ---- moves ------------------------------------------------------------------ */

void x64_mov_rr(jit_buf *b, bool w, uint8_t dst, uint8_t src) {
  x64_emit_rr(b, 0, 0x89, w, src, dst, 0);
}

void x64_movabs(jit_buf *b, uint8_t dst, uint64_t imm) {
  uint8_t at[INSN_MAX] = {0}, *p = at;
  p = emit_rex(p, true, 0, X64_NOREG, dst, false);
  *p++ = (uint8_t)(0xB8 + (dst & 7));
  put_insn(b, at, p);
  jit_buf_u64(b, imm);
}

void x64_mov_ri(jit_buf *b, bool w, uint8_t dst, uint64_t imm) {
  if (!w || imm <= UINT32_MAX) {
    /* mov r32, imm32 zero-extends into the full register */
    uint8_t at[INSN_MAX] = {0}, *p = at;
    p = emit_rex(p, false, 0, X64_NOREG, dst, false);
    *p++ = (uint8_t)(0xB8 + (dst & 7));
    p = put_u32(p, (uint32_t)imm);
    put_insn(b, at, p);
  } else if ((int64_t)imm >= INT32_MIN && (int64_t)imm <= INT32_MAX) {
    x64_emit_rr(b, 0, 0xC7, true, 0, dst, 0);
    jit_buf_u32(b, (uint32_t)imm);
  } else {
    x64_movabs(b, dst, imm);
  }
}

void x64_mov_rm(jit_buf *b, bool w, uint8_t dst, x64_mem m) {
  x64_emit_rm(b, 0, 0x8B, w, dst, m, 0);
}

void x64_mov_mr(jit_buf *b, bool w, x64_mem m, uint8_t src) {
  x64_emit_rm(b, 0, 0x89, w, src, m, 0);
}

void x64_mov_mi(jit_buf *b, bool w, x64_mem m, int32_t imm) {
  x64_emit_rm(b, 0, 0xC7, w, 0, m, 0);
  jit_buf_u32(b, (uint32_t)imm);
}

void x64_mov8_mr(jit_buf *b, x64_mem m, uint8_t src) {
  x64_emit_rm(b, 0, 0x88, false, src, m, 1);
}

void x64_mov16_mr(jit_buf *b, x64_mem m, uint8_t src) {
  x64_emit_rm(b, 0x66, 0x89, false, src, m, 0);
}

void x64_mov8_mi(jit_buf *b, x64_mem m, uint8_t imm) {
  x64_emit_rm(b, 0, 0xC6, false, 0, m, 0);
  jit_buf_u8(b, imm);
}

void x64_mov16_mi(jit_buf *b, x64_mem m, uint16_t imm) {
  x64_emit_rm(b, 0x66, 0xC7, false, 0, m, 0);
  jit_buf_u8(b, (uint8_t)imm);
  jit_buf_u8(b, (uint8_t)(imm >> 8));
}

void x64_movzx8_rr(jit_buf *b, uint8_t dst, uint8_t src) {
  x64_emit_rr(b, 0, 0x0FB6, false, dst, src, 2);
}
void x64_movzx16_rr(jit_buf *b, uint8_t dst, uint8_t src) {
  x64_emit_rr(b, 0, 0x0FB7, false, dst, src, 0);
}
void x64_movsx8_rr(jit_buf *b, bool w, uint8_t dst, uint8_t src) {
  x64_emit_rr(b, 0, 0x0FBE, w, dst, src, 2);
}
void x64_movsx16_rr(jit_buf *b, bool w, uint8_t dst, uint8_t src) {
  x64_emit_rr(b, 0, 0x0FBF, w, dst, src, 0);
}
void x64_movsxd_rr(jit_buf *b, uint8_t dst, uint8_t src) {
  x64_emit_rr(b, 0, 0x63, true, dst, src, 0);
}
void x64_movzx8_rm(jit_buf *b, uint8_t dst, x64_mem m) {
  x64_emit_rm(b, 0, 0x0FB6, false, dst, m, 0);
}
void x64_movzx16_rm(jit_buf *b, uint8_t dst, x64_mem m) {
  x64_emit_rm(b, 0, 0x0FB7, false, dst, m, 0);
}
void x64_movsx8_rm(jit_buf *b, bool w, uint8_t dst, x64_mem m) {
  x64_emit_rm(b, 0, 0x0FBE, w, dst, m, 0);
}
void x64_movsx16_rm(jit_buf *b, bool w, uint8_t dst, x64_mem m) {
  x64_emit_rm(b, 0, 0x0FBF, w, dst, m, 0);
}
void x64_movsxd_rm(jit_buf *b, uint8_t dst, x64_mem m) {
  x64_emit_rm(b, 0, 0x63, true, dst, m, 0);
}

void x64_lea(jit_buf *b, bool w, uint8_t dst, x64_mem m) {
  x64_emit_rm(b, 0, 0x8D, w, dst, m, 0);
}

void x64_lea_disp32(jit_buf *b, bool w, uint8_t dst, x64_mem m) {
  /* Same as emit_rm with mod forced to 10 (no rip / no-base forms here). */
  uint8_t at[INSN_MAX] = {0}, *p = at;
  p = emit_rex(p, w, dst, m.index, m.base, false);
  *p++ = 0x8D;
  bool sib = m.index != X64_NOREG || (m.base & 7) == 4;
  if (sib) {
    uint8_t index = m.index == X64_NOREG ? 4 : m.index;
    *p++ = modrm(2, dst, 4);
    *p++ = (uint8_t)((m.shift << 6) | ((index & 7) << 3) | (m.base & 7));
  } else {
    *p++ = modrm(2, dst, m.base);
  }
  p = put_u32(p, (uint32_t)m.disp);
  put_insn(b, at, p);
}

/* ---- control ------------------------------------------------------------ */

uint32_t x64_jcc32(jit_buf *b, x64_cc cc, int32_t rel) {
  jit_buf_u8(b, 0x0F);
  jit_buf_u8(b, (uint8_t)(0x80 + cc));
  uint32_t at = jit_buf_pos(b);
  jit_buf_u32(b, (uint32_t)rel);
  return at;
}

uint32_t x64_jmp32(jit_buf *b, int32_t rel) {
  jit_buf_u8(b, 0xE9);
  uint32_t at = jit_buf_pos(b);
  jit_buf_u32(b, (uint32_t)rel);
  return at;
}

uint32_t x64_jcc8(jit_buf *b, x64_cc cc, int8_t rel) {
  jit_buf_u8(b, (uint8_t)(0x70 + cc));
  uint32_t at = jit_buf_pos(b);
  jit_buf_u8(b, (uint8_t)rel);
  return at;
}

uint32_t x64_jmp8(jit_buf *b, int8_t rel) {
  jit_buf_u8(b, 0xEB);
  uint32_t at = jit_buf_pos(b);
  jit_buf_u8(b, (uint8_t)rel);
  return at;
}

uint32_t x64_call32(jit_buf *b, int32_t rel) {
  jit_buf_u8(b, 0xE8);
  uint32_t at = jit_buf_pos(b);
  jit_buf_u32(b, (uint32_t)rel);
  return at;
}

void x64_patch_rel8_here(jit_buf *b, uint32_t at) {
  if (b->oom || at >= b->size) return;
  /* Callers only use rel8 over a few short instructions. */
  b->data[at] = (uint8_t)(int8_t)(b->size - (at + 1));
}

void x64_call_r(jit_buf *b, uint8_t r) { x64_emit_rr(b, 0, 0xFF, false, 2, r, 0); }
void x64_jmp_r(jit_buf *b, uint8_t r) { x64_emit_rr(b, 0, 0xFF, false, 4, r, 0); }

void x64_push(jit_buf *b, uint8_t r) {
  uint8_t at[INSN_MAX] = {0}, *p = at;
  p = emit_rex(p, false, 0, X64_NOREG, r, false);
  *p++ = (uint8_t)(0x50 + (r & 7));
  put_insn(b, at, p);
}

void x64_pop(jit_buf *b, uint8_t r) {
  uint8_t at[INSN_MAX] = {0}, *p = at;
  p = emit_rex(p, false, 0, X64_NOREG, r, false);
  *p++ = (uint8_t)(0x58 + (r & 7));
  put_insn(b, at, p);
}

void x64_ret(jit_buf *b) { jit_buf_u8(b, 0xC3); }
void x64_leave(jit_buf *b) { jit_buf_u8(b, 0xC9); }
/* ---- atomics ---------------------------------------------------------------- */

void x64_lock(jit_buf *b) { jit_buf_u8(b, 0xF0); }

/* A two-form (byte / word-dword-qword) instruction with a memory operand:
 * op8 for bytes, op8 + 1 otherwise, 0x66 for words, REX.W for qwords. */
static void sized_mr(jit_buf *b, uint32_t op8, unsigned size, x64_mem m,
                     uint8_t reg) {
  x64_emit_rm(b, size == 1 ? 0x66 : 0, size == 0 ? op8 : op8 + 1, size == 3,
              reg, m, size == 0 ? 1 : 0);
}

void x64_xadd_mr(jit_buf *b, unsigned size, x64_mem m, uint8_t reg) {
  sized_mr(b, 0x0FC0, size, m, reg);
}

void x64_xchg_mr(jit_buf *b, unsigned size, x64_mem m, uint8_t reg) {
  sized_mr(b, 0x86, size, m, reg);
}

void x64_cmpxchg_mr(jit_buf *b, unsigned size, x64_mem m, uint8_t reg) {
  sized_mr(b, 0x0FB0, size, m, reg);
}

void x64_mfence(jit_buf *b) {
  jit_buf_u8(b, 0x0F);
  jit_buf_u8(b, 0xAE);
  jit_buf_u8(b, 0xF0);
}

void x64_ud2(jit_buf *b) {
  jit_buf_u8(b, 0x0F);
  jit_buf_u8(b, 0x0B);
}

/* ---- SSE -------------------------------------------------------------------- */

static const struct {
  uint8_t prefix;
  uint16_t opcode;
} sse_ops[X64_SSE_COUNT] = {
    [X64_MOVSS_LOAD] = {0xF3, 0x0F10},  [X64_MOVSS_STORE] = {0xF3, 0x0F11},
    [X64_MOVSD_LOAD] = {0xF2, 0x0F10},  [X64_MOVSD_STORE] = {0xF2, 0x0F11},
    [X64_MOVAPS] = {0, 0x0F28},         [X64_MOVUPS_LOAD] = {0, 0x0F10},
    [X64_MOVUPS_STORE] = {0, 0x0F11},   [X64_MOVQ_STORE] = {0x66, 0x0FD6},
    [X64_ADDSS] = {0xF3, 0x0F58},       [X64_ADDSD] = {0xF2, 0x0F58},
    [X64_SUBSS] = {0xF3, 0x0F5C},       [X64_SUBSD] = {0xF2, 0x0F5C},
    [X64_MULSS] = {0xF3, 0x0F59},       [X64_MULSD] = {0xF2, 0x0F59},
    [X64_DIVSS] = {0xF3, 0x0F5E},       [X64_DIVSD] = {0xF2, 0x0F5E},
    [X64_MINSS] = {0xF3, 0x0F5D},       [X64_MINSD] = {0xF2, 0x0F5D},
    [X64_MAXSS] = {0xF3, 0x0F5F},       [X64_MAXSD] = {0xF2, 0x0F5F},
    [X64_SQRTSS] = {0xF3, 0x0F51},      [X64_SQRTSD] = {0xF2, 0x0F51},
    [X64_ANDPS] = {0, 0x0F54},          [X64_ANDNPS] = {0, 0x0F55},
    [X64_ORPS] = {0, 0x0F56},           [X64_XORPS] = {0, 0x0F57},
    [X64_UCOMISS] = {0, 0x0F2E},        [X64_UCOMISD] = {0x66, 0x0F2E},
    [X64_CVTSS2SD] = {0xF3, 0x0F5A},    [X64_CVTSD2SS] = {0xF2, 0x0F5A},
};

void x64_sse_rr(jit_buf *b, x64_sse op, uint8_t reg, uint8_t rm) {
  x64_emit_rr(b, sse_ops[op].prefix, sse_ops[op].opcode, false, reg, rm, 0);
}

void x64_sse_rm(jit_buf *b, x64_sse op, uint8_t reg, x64_mem m) {
  x64_emit_rm(b, sse_ops[op].prefix, sse_ops[op].opcode, false, reg, m, 0);
}

void x64_movd_xr(jit_buf *b, bool w, uint8_t xmm, uint8_t gpr) {
  x64_emit_rr(b, 0x66, 0x0F6E, w, xmm, gpr, 0);
}
void x64_movd_rx(jit_buf *b, bool w, uint8_t gpr, uint8_t xmm) {
  x64_emit_rr(b, 0x66, 0x0F7E, w, xmm, gpr, 0);
}
void x64_cvtsi2ss(jit_buf *b, bool w, uint8_t xmm, uint8_t gpr) {
  x64_emit_rr(b, 0xF3, 0x0F2A, w, xmm, gpr, 0);
}
void x64_cvtsi2sd(jit_buf *b, bool w, uint8_t xmm, uint8_t gpr) {
  x64_emit_rr(b, 0xF2, 0x0F2A, w, xmm, gpr, 0);
}
void x64_cvttss2si(jit_buf *b, bool w, uint8_t gpr, uint8_t xmm) {
  x64_emit_rr(b, 0xF3, 0x0F2C, w, gpr, xmm, 0);
}
void x64_cvttsd2si(jit_buf *b, bool w, uint8_t gpr, uint8_t xmm) {
  x64_emit_rr(b, 0xF2, 0x0F2C, w, gpr, xmm, 0);
}
void x64_roundss(jit_buf *b, uint8_t dst, uint8_t src, uint8_t mode) {
  x64_emit_rr(b, 0x66, 0x0F3A0A, false, dst, src, 0);
  jit_buf_u8(b, mode);
}
void x64_roundsd(jit_buf *b, uint8_t dst, uint8_t src, uint8_t mode) {
  x64_emit_rr(b, 0x66, 0x0F3A0B, false, dst, src, 0);
  jit_buf_u8(b, mode);
}

/* The three-byte VEX form (C4) of a 128-bit (L = 0) register op: reg and
 * rm as in ModRM, vvvv the extra source, all inverted in the prefix as
 * the encoding wants; pp the implied prefix (1 66, 2 F3, 3 F2), map the
 * opcode map (1 0F, 2 0F38, 3 0F3A). */
void x64_vex_rrr(jit_buf *b, uint8_t pp, uint8_t map, bool w, uint8_t opc,
                 uint8_t reg, uint8_t vvvv, uint8_t rm) {
  jit_buf_u8(b, 0xC4);
  jit_buf_u8(b, (uint8_t)((reg & 8 ? 0 : 0x80) | 0x40 | (rm & 8 ? 0 : 0x20) |
                          (map & 0x1f)));
  jit_buf_u8(b, (uint8_t)((w ? 0x80 : 0) | ((~vvvv & 0xf) << 3) | (pp & 3)));
  jit_buf_u8(b, opc);
  jit_buf_u8(b, (uint8_t)(0xC0 | (reg & 7) << 3 | (rm & 7)));
}

/* ---- CPU features ---------------------------------------------------------- */

static x64_features detected;
static bool features_known;

static x64_features detect_features(void) {
  x64_features f = {false, false, false};
#if defined(__x86_64__)
  unsigned a, b, c, d;
  if (__get_cpuid(1, &a, &b, &c, &d)) f.popcnt = (c >> 23) & 1;
  if (__get_cpuid(0x80000001u, &a, &b, &c, &d)) f.lzcnt = (c >> 5) & 1;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) f.tzcnt = (b >> 3) & 1;
#endif
  return f;
}

x64_features x64_cpu_features(void) {
  /* Racing first callers compute the same value: harmless. */
  if (!features_known) {
    detected = detect_features();
    features_known = true;
  }
  return detected;
}

void x64_set_cpu_features(x64_features f) {
  detected = f;
  features_known = true;
}

/* cpuid traps to the hypervisor on virtual machines (tens of microseconds
 * each): it was 40% of compile time when asked once per function, so the
 * answer is computed once. Bit 8 marks "known"; racing first callers store
 * the same value. */
static _Atomic unsigned vector_features;

#if defined(__x86_64__)
/* FMA is VEX-encoded: usable when the CPU has it and AVX, and the OS saves
 * the AVX state (OSXSAVE, then XCR0 bits 1 and 2, SSE and AVX). */
static bool fma_usable(unsigned cpuid1_ecx) {
  bool fma = (cpuid1_ecx >> 12) & 1, osxsave = (cpuid1_ecx >> 27) & 1,
       avx = (cpuid1_ecx >> 28) & 1;
  if (!fma || !osxsave || !avx) return false;
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  (void)hi;
  return (lo & 6) == 6;
}
#endif

unsigned x64_cpu_vector_features(void) {
  unsigned v = vector_features;
  if (v & 0x100) return v & 0xff;
  v = 0;
#if defined(__x86_64__)
  unsigned a, b, c, d;
  if (__get_cpuid(1, &a, &b, &c, &d)) {
    v = ((c >> 9) & 1) | ((c >> 19) & 1) << 1 | ((c >> 20) & 1) << 2;
    /* WRUN_X64_NO_FMA=1 takes the unfused lowering of relaxed madd on an
     * FMA machine: how the tests reach that path (the results differ). */
    const char *no_fma = getenv("WRUN_X64_NO_FMA");
    bool off = no_fma && *no_fma && strcmp(no_fma, "0") != 0;
    if (!off && fma_usable(c)) v |= 8;
  }
#endif
  vector_features = v | 0x100;
  return v;
}

void x64_set_cpu_vector_features(unsigned bits) {
  vector_features = (bits & 0xff) | 0x100;
}

void x64_reset_cpu_vector_features(void) { vector_features = 0; }
