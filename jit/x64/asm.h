/* The x86-64 encoder: bytes only, no wasm knowledge.
 *
 * Registers are hardware numbers 0..15 (GPRs and XMMs alike; the masm maps
 * jit_reg FPR numbers 32+n to n before calling here). `w` selects the
 * 64-bit operand size (REX.W); without it, 32-bit forms are emitted, which
 * zero the upper half of a destination GPR.
 *
 * Memory operands are base + index << shift + disp, with the encoding
 * quirks handled inside: rsp/r12 as base need a SIB byte, rbp/r13 as base
 * need a displacement even when it is zero, rsp cannot be an index.
 */
#ifndef JIT_X64_ASM_H
#define JIT_X64_ASM_H

#include <stdbool.h>
#include <stdint.h>
#include "../buffer.h"

enum {
  X64_RAX, X64_RCX, X64_RDX, X64_RBX, X64_RSP, X64_RBP, X64_RSI, X64_RDI,
  X64_R8, X64_R9, X64_R10, X64_R11, X64_R12, X64_R13, X64_R14, X64_R15,
};
#define X64_NOREG 0xff /* no base / no index */
#define X64_RIP 0xfe   /* base of a rip-relative operand */

typedef struct x64_mem {
  uint8_t base;  /* GPR, X64_NOREG or X64_RIP */
  uint8_t index; /* GPR other than rsp, or X64_NOREG */
  uint8_t shift; /* scale = 1 << shift, shift in 0..3 */
  int32_t disp;
} x64_mem;

static inline x64_mem x64_mem_bd(uint8_t base, int32_t disp) {
  x64_mem m = {base, X64_NOREG, 0, disp};
  return m;
}
static inline x64_mem x64_mem_bisd(uint8_t base, uint8_t index, uint8_t shift,
                                   int32_t disp) {
  x64_mem m = {base, index, shift, disp};
  return m;
}
static inline x64_mem x64_mem_rip(int32_t disp) {
  x64_mem m = {X64_RIP, X64_NOREG, 0, disp};
  return m;
}

/* Condition codes (the low nibble of jcc/setcc/cmovcc). */
typedef enum x64_cc {
  X64_CC_O, X64_CC_NO, X64_CC_B, X64_CC_AE, X64_CC_E, X64_CC_NE, X64_CC_BE,
  X64_CC_A, X64_CC_S, X64_CC_NS, X64_CC_P, X64_CC_NP, X64_CC_L, X64_CC_GE,
  X64_CC_LE, X64_CC_G,
} x64_cc;
static inline x64_cc x64_cc_invert(x64_cc c) { return (x64_cc)(c ^ 1); }

/* Group-1 ALU operations (the /digit of 0x81/0x83). */
typedef enum x64_alu {
  X64_ADD = 0, X64_OR = 1, X64_ADC = 2, X64_SBB = 3, X64_AND = 4,
  X64_SUB = 5, X64_XOR = 6, X64_CMP = 7,
} x64_alu;

/* Group-2 shift operations (the /digit of 0xC1/0xD3). */
typedef enum x64_shift {
  X64_ROL = 0, X64_ROR = 1, X64_SHL = 4, X64_SHR = 5, X64_SAR = 7,
} x64_shift;

/* SSE operations with one xmm (or memory) operand pair. For loads the reg
 * operand is the destination, for the *_STORE forms it is the source. */
typedef enum x64_sse {
  X64_MOVSS_LOAD, X64_MOVSS_STORE, X64_MOVSD_LOAD, X64_MOVSD_STORE,
  X64_MOVAPS, X64_MOVUPS_LOAD, X64_MOVUPS_STORE, X64_MOVQ_STORE,
  X64_ADDSS, X64_ADDSD, X64_SUBSS, X64_SUBSD, X64_MULSS, X64_MULSD,
  X64_DIVSS, X64_DIVSD, X64_MINSS, X64_MINSD, X64_MAXSS, X64_MAXSD,
  X64_SQRTSS, X64_SQRTSD, X64_ANDPS, X64_ANDNPS, X64_ORPS, X64_XORPS,
  X64_UCOMISS, X64_UCOMISD, X64_CVTSS2SD, X64_CVTSD2SS,
  X64_SSE_COUNT
} x64_sse;

/* Generic forms: prefix (0, 0x66, 0xF2, 0xF3), opcode of 1-3 bytes packed
 * big-endian in an int (0x01, 0x0FAF, 0x0F3A0A). byte_regs: bit 0 says the
 * reg field names a byte register, bit 1 the rm field (spl/bpl/sil/dil then
 * need a REX prefix). */
void x64_emit_rr(jit_buf *b, uint8_t prefix, uint32_t opcode, bool w,
                 uint8_t reg, uint8_t rm, unsigned byte_regs);
void x64_emit_rm(jit_buf *b, uint8_t prefix, uint32_t opcode, bool w,
                 uint8_t reg, x64_mem m, unsigned byte_regs);

/* Integer ALU */
void x64_alu_rr(jit_buf *b, x64_alu op, bool w, uint8_t dst, uint8_t src);
void x64_alu_ri(jit_buf *b, x64_alu op, bool w, uint8_t dst, int32_t imm);
void x64_alu_rm(jit_buf *b, x64_alu op, bool w, uint8_t dst, x64_mem m);
void x64_alu_mr(jit_buf *b, x64_alu op, bool w, x64_mem m, uint8_t src);
void x64_alu_mi(jit_buf *b, x64_alu op, bool w, x64_mem m, int32_t imm);
void x64_test_rr(jit_buf *b, bool w, uint8_t a, uint8_t c);
void x64_test_ri(jit_buf *b, bool w, uint8_t r, int32_t imm);
void x64_imul_rr(jit_buf *b, bool w, uint8_t dst, uint8_t src);
void x64_imul_rri(jit_buf *b, bool w, uint8_t dst, uint8_t src, int32_t imm);
void x64_shift_cl(jit_buf *b, x64_shift op, bool w, uint8_t r);
void x64_shift_ri(jit_buf *b, x64_shift op, bool w, uint8_t r, uint8_t imm);
void x64_neg(jit_buf *b, bool w, uint8_t r);
void x64_not(jit_buf *b, bool w, uint8_t r);
void x64_div(jit_buf *b, bool w, uint8_t r);  /* unsigned rdx:rax / r */
void x64_idiv(jit_buf *b, bool w, uint8_t r); /* signed */
void x64_cdq(jit_buf *b);
void x64_cqo(jit_buf *b);
void x64_bsr(jit_buf *b, bool w, uint8_t dst, uint8_t src);
void x64_bsf(jit_buf *b, bool w, uint8_t dst, uint8_t src);
void x64_lzcnt(jit_buf *b, bool w, uint8_t dst, uint8_t src);
void x64_tzcnt(jit_buf *b, bool w, uint8_t dst, uint8_t src);
void x64_popcnt(jit_buf *b, bool w, uint8_t dst, uint8_t src);
void x64_setcc(jit_buf *b, x64_cc cc, uint8_t r8);
void x64_cmovcc(jit_buf *b, x64_cc cc, bool w, uint8_t dst, uint8_t src);

/* Moves */
void x64_mov_rr(jit_buf *b, bool w, uint8_t dst, uint8_t src);
/* Shortest form: xor-free (flags untouched): mov r32, imm32 when the value
 * fits in 32 bits unsigned (or w is false), sign-extended imm32, else
 * movabs. */
void x64_mov_ri(jit_buf *b, bool w, uint8_t dst, uint64_t imm);
void x64_movabs(jit_buf *b, uint8_t dst, uint64_t imm); /* always 10 bytes */
void x64_mov_rm(jit_buf *b, bool w, uint8_t dst, x64_mem m); /* load */
void x64_mov_mr(jit_buf *b, bool w, x64_mem m, uint8_t src); /* store */
void x64_mov_mi(jit_buf *b, bool w, x64_mem m, int32_t imm);
void x64_mov8_mr(jit_buf *b, x64_mem m, uint8_t src);
void x64_mov16_mr(jit_buf *b, x64_mem m, uint8_t src);
/* mov byte/word ptr [m], imm (stores of constants without a register) */
void x64_mov8_mi(jit_buf *b, x64_mem m, uint8_t imm);
void x64_mov16_mi(jit_buf *b, x64_mem m, uint16_t imm);
void x64_movzx8_rr(jit_buf *b, uint8_t dst, uint8_t src); /* 32-bit dst */
void x64_movzx16_rr(jit_buf *b, uint8_t dst, uint8_t src);
void x64_movsx8_rr(jit_buf *b, bool w, uint8_t dst, uint8_t src);
void x64_movsx16_rr(jit_buf *b, bool w, uint8_t dst, uint8_t src);
void x64_movsxd_rr(jit_buf *b, uint8_t dst, uint8_t src);
void x64_movzx8_rm(jit_buf *b, uint8_t dst, x64_mem m);
void x64_movzx16_rm(jit_buf *b, uint8_t dst, x64_mem m);
void x64_movsx8_rm(jit_buf *b, bool w, uint8_t dst, x64_mem m);
void x64_movsx16_rm(jit_buf *b, bool w, uint8_t dst, x64_mem m);
void x64_movsxd_rm(jit_buf *b, uint8_t dst, x64_mem m);
void x64_lea(jit_buf *b, bool w, uint8_t dst, x64_mem m);
/* lea with a disp32 field even for small displacements (patchable) */
void x64_lea_disp32(jit_buf *b, bool w, uint8_t dst, x64_mem m);

/* Control. The rel32 and rel8 forms return the buffer offset of their
 * displacement field (rel is measured from the end of the instruction). */
uint32_t x64_jcc32(jit_buf *b, x64_cc cc, int32_t rel);
uint32_t x64_jmp32(jit_buf *b, int32_t rel);
uint32_t x64_jcc8(jit_buf *b, x64_cc cc, int8_t rel);
uint32_t x64_jmp8(jit_buf *b, int8_t rel);
uint32_t x64_call32(jit_buf *b, int32_t rel);
/* Sets the rel8 at `at` so the jump lands at the current position. */
void x64_patch_rel8_here(jit_buf *b, uint32_t at);
void x64_call_r(jit_buf *b, uint8_t r);
void x64_jmp_r(jit_buf *b, uint8_t r);
void x64_push(jit_buf *b, uint8_t r);
void x64_pop(jit_buf *b, uint8_t r);
void x64_ret(jit_buf *b);
void x64_leave(jit_buf *b);
void x64_ud2(jit_buf *b);

/* Atomics (threads). size is log2 of the operand's bytes: 0 byte (the
 * register's low byte: al, cl, dl, bl only, or a REX form), 1 word (0x66),
 * 2 dword, 3 qword (REX.W). lock prefixes the next instruction. */
void x64_lock(jit_buf *b);
void x64_xadd_mr(jit_buf *b, unsigned size, x64_mem m, uint8_t reg);
void x64_xchg_mr(jit_buf *b, unsigned size, x64_mem m, uint8_t reg);
void x64_cmpxchg_mr(jit_buf *b, unsigned size, x64_mem m, uint8_t reg);
void x64_mfence(jit_buf *b);

/* SSE */
void x64_sse_rr(jit_buf *b, x64_sse op, uint8_t reg, uint8_t rm);
void x64_sse_rm(jit_buf *b, x64_sse op, uint8_t reg, x64_mem m);
void x64_movd_xr(jit_buf *b, bool w, uint8_t xmm, uint8_t gpr); /* movd/q */
void x64_movd_rx(jit_buf *b, bool w, uint8_t gpr, uint8_t xmm);
void x64_cvtsi2ss(jit_buf *b, bool w, uint8_t xmm, uint8_t gpr);
void x64_cvtsi2sd(jit_buf *b, bool w, uint8_t xmm, uint8_t gpr);
void x64_cvttss2si(jit_buf *b, bool w, uint8_t gpr, uint8_t xmm);
void x64_cvttsd2si(jit_buf *b, bool w, uint8_t gpr, uint8_t xmm);
/* SSE4.1 round: mode 0 nearest-even, 1 floor, 2 ceil, 3 trunc */
void x64_roundss(jit_buf *b, uint8_t dst, uint8_t src, uint8_t mode);
void x64_roundsd(jit_buf *b, uint8_t dst, uint8_t src, uint8_t mode);

/* VEX.128 register form: reg = op(vvvv, rm) (e.g. vfmadd231ps: reg +=
 * vvvv * rm). pp: implied prefix 1 66, 2 F3, 3 F2; map 1 0F, 2 0F38,
 * 3 0F3A. */
void x64_vex_rrr(jit_buf *b, uint8_t pp, uint8_t map, bool w, uint8_t opc,
                 uint8_t reg, uint8_t vvvv, uint8_t rm);

/* CPU features the masm may use (detected once with cpuid). */
typedef struct x64_features {
  bool lzcnt, tzcnt, popcnt;
} x64_features;
x64_features x64_cpu_features(void);
/* Vector extensions: SIMD code generation needs SSSE3 and SSE4.1; SSE4.2
 * adds pcmpgtq, FMA (with AVX enabled by the OS) fused relaxed madd.
 * Bit 0 SSSE3, bit 1 SSE4.1, bit 2 SSE4.2, bit 3 FMA (X64_VEC_FMA);
 * WRUN_X64_NO_FMA=1 in the environment clears bit 3. */
enum { X64_VEC_FMA = 8 };
unsigned x64_cpu_vector_features(void);
/* Tests only: force features (e.g. off, to exercise the fallbacks). */
void x64_set_cpu_features(x64_features f);
/* Tests only: force the vector feature bits (as x64_cpu_vector_features). */
void x64_set_cpu_vector_features(unsigned bits);
/* Tests only: forget them; the next call detects them again (and reads
 * WRUN_X64_NO_FMA again). */
void x64_reset_cpu_vector_features(void);

#endif
