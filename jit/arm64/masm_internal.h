/* What jit/arm64/masm.c shares with the SIMD lowering in masm_simd.c. */
#ifndef JIT_ARM64_MASM_INTERNAL_H
#define JIT_ARM64_MASM_INTERNAL_H

#include "../masm.h"
#include "asm.h"

#define A64_SCRATCH 16   /* x16 */
#define A64_SCRATCH2 17  /* x17 */
#define A64_FSCRATCH 31  /* v31 */
#define A64_FSCRATCH2 30 /* v30: v30, v31 are consecutive (tbl pairs) */

/* Start of a masm operation: may emit a veneer island first. */
void a64_masm_op_start(jit_masm *m);
/* Load/store of kind k at [membase + zext(addr) + offset], with its trap
 * site. */
void a64_masm_access_mem(jit_masm *m, a64_ldst k, uint8_t rt, jit_opnd addr,
                         uint32_t offset);
/* x16 = membase + zext(addr) + offset (no trap site recorded). */
void a64_masm_mem_address(jit_masm *m, jit_opnd addr, uint32_t offset);

#endif
