/* Private to the x86-64 MacroAssembler (masm.c, masm_simd.c): scratch
 * registers, register numbering and the memory-operand helpers both use. */
#ifndef JIT_X64_MASM_INTERNAL_H
#define JIT_X64_MASM_INTERNAL_H

#include "../masm.h"
#include "asm.h"

#define SCRATCH_A X64_RAX
#define SCRATCH_C X64_RCX
#define SCRATCH_D X64_RDX
#define SCRATCH X64_R11
#define FSCRATCH 15
#define FSCRATCH2 14
#define MEMBASE X64_R15

#define GPR_BIT(r) (1ull << (r))
#define FPR_BIT(n) (1ull << (JIT_FPR_BASE + (n)))

/* Hardware number of a jit_reg (FPRs are numbered from JIT_FPR_BASE). */
static inline uint8_t hw(jit_reg r) {
  return (uint8_t)(JIT_IS_FPR(r) ? r - JIT_FPR_BASE : r);
}

/* [membase + zext(addr) + offset], using SCRATCH when it does not fit a
 * disp32. */
x64_mem x64_mem_operand(jit_masm *m, jit_opnd addr, uint32_t offset);
/* Records the next instruction as an out-of-bounds memory trap site. */
void x64_mark_oob_site(jit_masm *m);

#endif
