/* Threads: the 0xFE instructions (docs/design-notes.md, "Threads").
 *
 * An atomic access addresses memory as a plain load or store does (memory
 * 0 from the pinned base, memory k through its cached base, a memory64's
 * address checked to fit 32 bits first: cg_pop_address) and is bounded by
 * the same guard pages. Before it, the effective address's alignment is
 * checked against the access size: a constant address at compile time, a
 * register one with an and and a branch to the "unaligned atomic" stub.
 * The access itself is the backend's sequentially consistent form
 * (masm_atomic_*). wait and notify are libcalls (runtime/libcalls.c) that
 * check bounds, alignment and sharing themselves. */
#include "codegen_internal.h"
#include "libcalls.h"

/* Traps unless addr + offset is a multiple of 1 << size. Only the low
 * bits matter, so a 32-bit sum of the address and the offset's low bits
 * serves any memory. */
static void check_alignment(jit_codegen *g, jit_opnd addr, uint32_t offset,
                            unsigned size) {
  if (size == 0) return;
  uint32_t mask = (1u << size) - 1;
  jit_label *trap = cg_trap_label(g, WRUN_TRAP_UNALIGNED_ATOMIC);
  if (addr.is_imm) {
    if (((uint64_t)addr.imm + offset) & mask) masm_jmp(g->m, trap);
    return;
  }
  jit_reg t = cg_alloc(g, false);
  if (offset & mask) {
    masm_binop(g->m, JB_ADD, JT_I32, t, addr.reg,
               jit_imm_opnd(offset & mask));
    masm_binop(g->m, JB_AND, JT_I32, t, t, jit_imm_opnd(mask));
  } else {
    masm_binop(g->m, JB_AND, JT_I32, t, addr.reg, jit_imm_opnd(mask));
  }
  masm_branch_zero(g->m, JT_I32, t, false, trap);
  cg_free(g, t);
}

static void done_addr(jit_codegen *g, jit_opnd addr) {
  if (!addr.is_imm) cg_done_read(g, addr.reg);
}

void cg_visit_atomic_load(jit_codegen *g, const jit_instr *in, jit_type t) {
  unsigned size = jit_atomic_size_log2[in->op];
  uint32_t mem = in->u.mem.memory, offset;
  jit_reg base = cg_memory_begin(g, mem);
  jit_opnd addr = cg_pop_address(g, mem, in->u.mem.offset, size, &offset);
  check_alignment(g, addr, offset, size);
  jit_reg dst = cg_alloc(g, false);
  masm_atomic_load(g->m, size, dst, addr, offset);
  done_addr(g, addr);
  cg_memory_end(g, base);
  cg_push_reg(g, t, dst);
}

void cg_visit_atomic_store(jit_codegen *g, const jit_instr *in) {
  unsigned size = jit_atomic_size_log2[in->op];
  uint32_t mem = in->u.mem.memory, offset;
  jit_reg base = cg_memory_begin(g, mem);
  jit_reg src = cg_pop_read(g);
  jit_opnd addr = cg_pop_address(g, mem, in->u.mem.offset, size, &offset);
  check_alignment(g, addr, offset, size);
  masm_atomic_store(g->m, size, src, addr, offset);
  cg_done_read(g, src);
  done_addr(g, addr);
  cg_memory_end(g, base);
}

void cg_visit_atomic_rmw(jit_codegen *g, const jit_instr *in,
                         jit_atomic_op op, jit_type t) {
  unsigned size = jit_atomic_size_log2[in->op];
  uint32_t mem = in->u.mem.memory, offset;
  jit_reg base = cg_memory_begin(g, mem);
  jit_reg val = cg_pop_read(g);
  jit_opnd addr = cg_pop_address(g, mem, in->u.mem.offset, size, &offset);
  check_alignment(g, addr, offset, size);
  jit_reg dst = cg_alloc(g, false);
  masm_atomic_rmw(g->m, op, size, dst, val, addr, offset);
  cg_done_read(g, val);
  done_addr(g, addr);
  cg_memory_end(g, base);
  cg_push_reg(g, t, dst);
}

void cg_visit_atomic_cmpxchg(jit_codegen *g, const jit_instr *in,
                             jit_type t) {
  unsigned size = jit_atomic_size_log2[in->op];
  uint32_t mem = in->u.mem.memory, offset;
  jit_reg base = cg_memory_begin(g, mem);
  jit_reg repl = cg_pop_read(g);
  jit_reg expected = cg_pop_read(g);
  jit_opnd addr = cg_pop_address(g, mem, in->u.mem.offset, size, &offset);
  check_alignment(g, addr, offset, size);
  jit_reg dst = cg_alloc(g, false);
  masm_atomic_cmpxchg(g->m, size, dst, expected, repl, addr, offset);
  cg_done_read(g, repl);
  cg_done_read(g, expected);
  done_addr(g, addr);
  cg_memory_end(g, base);
  cg_push_reg(g, t, dst);
}

void cg_op_atomic_fence(jit_codegen *g, const jit_instr *in) {
  (void)in;
  masm_atomic_fence(g->m);
}

/* notify(vmctx, mem, offset, addr, count) and wait(vmctx, mem, offset,
 * addr, expected, timeout): the memarg in immediates, the operands as they
 * are on the stack (an i32 address zero-extended). */
void cg_op_atomic_notify(jit_codegen *g, const jit_instr *in) {
  uint64_t imm[2] = {in->u.mem.memory, in->u.mem.offset};
  cg_libcall(g, (const void *)rt_lib_atomic_notify, imm, 2, 2, JT_I32);
}

void cg_op_atomic_wait(jit_codegen *g, const jit_instr *in) {
  uint64_t imm[2] = {in->u.mem.memory, in->u.mem.offset};
  const void *fn = in->op == OP_MEMORY_ATOMIC_WAIT32
                       ? (const void *)rt_lib_atomic_wait32
                       : (const void *)rt_lib_atomic_wait64;
  cg_libcall(g, fn, imm, 2, 3, JT_I32);
}
