/* The code generator's visitor for everything but control flow: variables,
 * memory, numeric operations, references, calls and libcalls. Each case
 * maps one wasm opcode onto masm operations over the abstract stack. */
#include "codegen_internal.h"

#include "libcalls.h"

static uint64_t reg_bit(jit_reg r) { return r < 64 ? 1ull << r : 0; }

/* ---- variables ---------------------------------------------------------- */

static void visit_local_get(jit_codegen *g, uint32_t i) {
  if (g->local_zero[i]) {
    cg_push_const(g, (jit_type)g->local_types[i], 0);
    return;
  }
  cg_value v = {CG_LOCAL, g->local_types[i], JIT_NO_REG, i, 0};
  cg_push(g, v);
}

/* local.set/tee: the value goes to the frame slot (write-through) and its
 * register to the register cache, so the next read of local i copies the
 * register. A tee leaves a lazy copy of local i, which reads the cache. */
/* `local.get x; local.set i` (or local.tee x first) where x's cache
 * register is where the innermost loop's head keeps i: i takes that
 * register over instead of a copy, so the back edge needs no move back
 * (fib's loop: `mov r9d, r8d; ...; mov r8d, r9d` at each iteration).
 * Returns the register, or JIT_NO_REG. */
static jit_reg takes_loop_head_reg(jit_codegen *g, uint32_t i) {
  if (g->sp == 0) return JIT_NO_REG;
  const cg_value *top = &g->stack[g->sp - 1];
  if (top->kind != CG_LOCAL || top->index == i) return JIT_NO_REG;
  if (g->local_types[top->index] != g->local_types[i]) return JIT_NO_REG;
  jit_reg r = cg_cache_find(g, top->index);
  if (r == JIT_NO_REG || (g->cache.resident & cg_reg_bit(r)))
    return JIT_NO_REG; /* a resident keeps its register */
  if (!g->inner_loop) return JIT_NO_REG;
  const cg_ctrl *loop = &g->ctrl[g->inner_loop - 1];
  if (!loop->label_cache) return JIT_NO_REG;
  cg_cache head;
  cg_snap_load(g, loop->label_cache, &head);
  bool wanted = (head.regs & (1ull << r)) && head.local[r] == i;
  return wanted ? r : JIT_NO_REG;
}

static void visit_local_set(jit_codegen *g, uint32_t i, bool tee) {
  cg_materialize_local(g, i);
  if (cg_resident_set(g, i, tee)) return;
  jit_type t = (jit_type)g->local_types[i];
  int32_t off = g->local_offsets[i];
  if (g->local_zero[i] && g->sp > 0) {
    const cg_value *top = &g->stack[g->sp - 1];
    if (top->kind == CG_CONST && top->bits == 0) {
      if (!tee) cg_pop(g); /* the slot holds zero already */
      return;
    }
    g->local_zero[i] = 0;
    g->nzero--;
  }
  if (g->sp > 0 && g->stack[g->sp - 1].kind == CG_CONST) {
    uint64_t bits = g->stack[g->sp - 1].bits;
    cg_cache_drop_local(g, i);
    /* Worth a register only when one is idle: locals set to constants
     * before a loop then sit in registers at its head. */
    uint64_t cls = jit_type_is_float(t) ? ~0ull << JIT_FPR_BASE
                                        : (1ull << JIT_FPR_BASE) - 1;
    bool wide = jit_type_is_64(t) && (int64_t)bits != (int32_t)bits;
    if (g->free_regs & cls) {
      jit_reg r = cg_alloc_for(g, t);
      masm_mov_imm(g->m, t, r, bits);
      /* A wide constant is no immediate store: store the register. */
      if (wide)
        masm_store_frame(g->m, t, r, off);
      else
        masm_store_frame_imm(g->m, t, off, bits);
      cg_cache_set(g, i, r);
    } else {
      masm_store_frame_imm(g->m, t, off, bits);
    }
    if (!tee) cg_pop(g);
    return;
  }
  jit_reg from = takes_loop_head_reg(g, i);
  if (from != JIT_NO_REG) {
    /* x's register becomes i's: i's slot gets the value, x's slot has it
     * (write-through), so x is only uncached */
    cg_pop(g);
    masm_store_frame(g->m, t, from, off);
    cg_cache_drop_local(g, i);
    cg_cache_retarget(g, from, i);
    if (tee) visit_local_get(g, i);
    return;
  }
  jit_reg r = cg_pop_reg(g);
  masm_store_frame(g->m, t, r, off);
  cg_cache_set(g, i, r);
  if (tee) visit_local_get(g, i);
}

static int32_t global_offset(const jit_codegen *g, uint32_t i) {
  return (int32_t)rt_vmctx_global_off(&g->layout, i);
}

/* The base register and offset that address global i's value. For an
 * imported global *tmp receives the cell pointer (free it after use). */
static jit_reg global_address(jit_codegen *g, uint32_t i, int32_t *off,
                              jit_reg *tmp) {
  *tmp = JIT_NO_REG;
  if (i < g->mod->nimported_globals) {
    *tmp = cg_alloc(g, false);
    masm_load_ptr(g->m, JT_I64, *tmp, jit_host_target.vmctx_reg,
                  global_offset(g, i));
    *off = 0;
    return *tmp;
  }
  *off = global_offset(g, i);
  return jit_host_target.vmctx_reg;
}

static void visit_global_get(jit_codegen *g, uint32_t i) {
  uint8_t vt = g->mod->globals[i].type.type;
  if (vt == VT_V128 && !g->vec_ok) {
    g->simd = true;
    return;
  }
  jit_type t = cg_jit_type(vt);
  jit_reg dst = cg_alloc_for(g, t);
  int32_t off;
  jit_reg tmp;
  jit_reg base = global_address(g, i, &off, &tmp);
  masm_load_ptr(g->m, t, dst, base, off);
  if (tmp != JIT_NO_REG) cg_free(g, tmp);
  cg_push_reg(g, t, dst);
}

static void visit_global_set(jit_codegen *g, uint32_t i) {
  uint8_t vt = g->mod->globals[i].type.type;
  if (vt == VT_V128 && !g->vec_ok) {
    g->simd = true;
    return;
  }
  jit_type t = cg_jit_type(vt);
  jit_reg src = cg_pop_read(g);
  int32_t off;
  jit_reg tmp;
  jit_reg base = global_address(g, i, &off, &tmp);
  masm_store_ptr(g->m, t, src, base, off);
  if (tmp != JIT_NO_REG) cg_free(g, tmp);
  cg_done_read(g, src);
}

/* ---- memory ------------------------------------------------------------- */

/* memory64 (Wasm 3.0): the address is an i64. Two strategies, chosen from
 * the memory's type (rt_memory_checks_size; docs/design-notes.md):
 *
 * A memory of at most 4 GiB sits in the guarded 8 GiB reservation of a
 * 32-bit one, so once the address and the offset are known to fit in 32
 * bits the access is the guarded 32-bit one. An address above UINT32_MAX
 * branches to the out-of-bounds trap (a compare and a branch, the only
 * cost), an offset above it traps always.
 *
 * A memory that may pass 4 GiB (check_size_address) compares the address
 * with the memory's current size, and the 4 GiB guard reserved past the
 * largest size catches a u32 offset plus the access.
 *
 * Returns the offset for the masm; leaves a register address as it is, or
 * replaces it (releasing the old one as cg_done_read does), and a
 * constant one as a u32. */
void cg_load_memory_size(jit_codegen *g, uint32_t mem, jit_reg r) {
  int32_t slot = mem == 0 ? RT_VMCTX_MEMORY0
                          : (int32_t)(rt_vmctx_memory_off(&g->layout, mem) +
                                      RT_VMCTX_MEMORY_SLOT_MEMORY);
  masm_load_ptr(g->m, JT_I64, r, jit_host_target.vmctx_reg, slot);
  masm_load_ptr(g->m, JT_I64, r, r, RT_MEMORY_SIZE);
}

/* A register holding memory mem's current size: the cache's (lent, as
 * a local read), else loaded and cached. Release with cg_done_read. */
static jit_reg memory_size_reg(jit_codegen *g, uint32_t mem) {
  bool cacheable = mem < CG_MEMKEY_LIMIT;
  jit_reg r = cacheable ? cg_cache_find(g, cg_memsize_key(mem)) : JIT_NO_REG;
  if (r == JIT_NO_REG) {
    r = cg_alloc(g, false);
    cg_load_memory_size(g, mem, r);
    if (cacheable) cg_cache_set(g, cg_memsize_key(mem), r);
  }
  if (g->cache.regs & reg_bit(r)) g->cache.lent |= reg_bit(r);
  return r;
}

/* The widest access (v128) that a guard must cover past an address. */
#define CG_MAX_ACCESS_BYTES 16

void jit_codegen_set_bounds_checks(jit_codegen *g, bool on, uint64_t guard,
                                   bool exact) {
  g->bounds_checks = on;
  g->exact_checks = on && exact;
  /* Without the option, the 4 GiB guard of a memory64 past 4 GiB. */
  if (!on) guard = RT_MEMORY_GUARD_BYTES;
  g->guard_cover = guard > CG_MAX_ACCESS_BYTES ? guard - CG_MAX_ACCESS_BYTES
                                               : 0;
  if (g->exact_checks) g->guard_cover = 0;
}

static bool checks_size(const jit_codegen *g, uint32_t mem) {
  const rt_limits *l = &g->mod->memories[mem];
  return g->bounds_checks || rt_memory_checks_size(l->is64, l->max, l->has_max);
}

/* Only memory 0 (the one wasm64 programs use) and only into an idle
 * register: a loop that never touches memory pays one load pair on entry
 * and a register, no spill. */
void cg_memory_size_before_loop(jit_codegen *g) {
  if (g->mod->nmemories == 0 || !checks_size(g, 0)) return;
  if (cg_cache_find(g, cg_memsize_key(0)) != JIT_NO_REG) return;
  if (!(g->free_regs & jit_host_target.alloc_mask &
        ((1ull << JIT_FPR_BASE) - 1)))
    return;
  jit_reg r = cg_alloc(g, false);
  cg_load_memory_size(g, 0, r);
  cg_cache_set(g, cg_memsize_key(0), r);
}

/* The bytes past an access's first that its check must also cover: none
 * when a guard page catches them, all but the first with exact checks
 * (no guard is relied on: code without signal handlers). */
static uint64_t access_tail(const jit_codegen *g, unsigned size_log2) {
  return g->exact_checks ? ((uint64_t)1 << size_log2) - 1 : 0;
}

/* addr (owned or borrowed, as cg_pop_address says) + offset + the access's
 * tail, compared with the size of memory mem. addr32: the address is a
 * zero-extended u32, so the sum cannot wrap and needs no first compare of
 * the address alone. */
static uint32_t check_size_address(jit_codegen *g, uint32_t mem,
                                   jit_opnd *addr, uint64_t offset,
                                   unsigned size_log2, bool addr32) {
  jit_label *oob = cg_trap_label(g, WRUN_TRAP_MEMORY_OOB);
  uint64_t tail = access_tail(g, size_log2);
  jit_masm_set_mem_index64(g->m, true);
  if (addr->is_imm) {
    /* A constant address: the effective address is known. */
    uint64_t a = (uint64_t)addr->imm, eff = a + offset;
    if (eff < a || eff >= RT_MEMORY64_MAX_BYTES) {
      masm_jmp(g->m, oob);
      addr->imm = 0;
      return 0;
    }
    jit_reg size = memory_size_reg(g, mem);
    masm_cmp_branch(g->m, JC_LE_U, JT_I64, size,
                    jit_imm_opnd((int64_t)(eff + tail)), oob);
    cg_done_read(g, size);
    if (eff <= UINT32_MAX) {
      addr->imm = (int64_t)eff;
      return 0;
    }
    jit_reg r = cg_alloc(g, false); /* the address, as a register */
    masm_mov_imm(g->m, JT_I64, r, eff);
    *addr = jit_reg_opnd(r);
    return 0;
  }
  if (offset >= RT_MEMORY64_MAX_BYTES) {
    masm_jmp(g->m, oob);
    return 0;
  }
  jit_reg size = memory_size_reg(g, mem);
  uint64_t reach = offset + tail;
  if (!(addr32 && reach > g->guard_cover))
    masm_cmp_branch(g->m, JC_GE_U, JT_I64, addr->reg, jit_reg_opnd(size),
                    oob);
  if (reach <= g->guard_cover) {
    cg_done_read(g, size);
    return (uint32_t)offset;
  }
  /* addr + reach, compared with the size too: addr < 2^48 now (or a u32)
   * and reach < 2^48 + 16, so the sum cannot wrap. */
  jit_reg sum = cg_alloc(g, false);
  masm_mov_imm(g->m, JT_I64, sum, reach);
  masm_binop(g->m, JB_ADD, JT_I64, sum, sum, jit_reg_opnd(addr->reg));
  masm_cmp_branch(g->m, JC_GE_U, JT_I64, sum, jit_reg_opnd(size), oob);
  cg_done_read(g, size);
  if (tail && offset <= UINT32_MAX) {
    /* The sum went past the effective address; the masm adds the offset
     * itself (a memory64's register address is used whole). */
    cg_free(g, sum);
    return (uint32_t)offset;
  }
  if (tail) /* a memory64's offset past 4 GiB: back to the address */
    masm_binop(g->m, JB_SUB, JT_I64, sum, sum, jit_imm_opnd((int64_t)tail));
  cg_done_read(g, addr->reg);
  *addr = jit_reg_opnd(sum);
  return 0;
}

uint32_t cg_check_address64(jit_codegen *g, uint32_t mem, jit_opnd *addr,
                            uint64_t offset, unsigned size_log2) {
  if (checks_size(g, mem))
    return check_size_address(g, mem, addr, offset, size_log2, false);
  jit_label *oob = cg_trap_label(g, WRUN_TRAP_MEMORY_OOB);
  if (offset > UINT32_MAX ||
      (addr->is_imm && (uint64_t)addr->imm > UINT32_MAX)) {
    masm_jmp(g->m, oob);
    if (addr->is_imm) addr->imm = 0;
    return 0;
  }
  if (!addr->is_imm)
    masm_cmp_branch(g->m, JC_GT_U, JT_I64, addr->reg,
                    jit_imm_opnd(UINT32_MAX), oob);
  return (uint32_t)offset;
}

/* The address operand of an access to memory mem (only read): constants
 * as an immediate (a u32, or the whole u64 of a memory64's), registers
 * borrowed. *offset becomes what the masm takes (see cg_check_address64). */
static jit_opnd pop_address64(jit_codegen *g, uint32_t mem,
                              uint64_t in_offset, unsigned size_log2,
                              uint32_t *offset) {
  jit_opnd addr;
  if (g->sp > 0 && g->stack[g->sp - 1].kind == CG_CONST)
    addr = jit_imm_opnd((int64_t)cg_pop(g).bits);
  else
    addr = jit_reg_opnd(cg_pop_read(g));
  *offset = cg_check_address64(g, mem, &addr, in_offset, size_log2);
  return addr;
}

/* A 32-bit memory with explicit bounds checks: the address zero-extended
 * into a register of its own (AArch64 keeps junk above an i32), then
 * compared with the size as a memory64's. */
static uint32_t check_address32(jit_codegen *g, uint32_t mem, jit_opnd *addr,
                                uint32_t offset, unsigned size_log2) {
  if (!addr->is_imm) {
    jit_reg wide = cg_alloc(g, false);
    masm_mov(g->m, JT_I32, wide, addr->reg);
    cg_done_read(g, addr->reg);
    *addr = jit_reg_opnd(wide);
  }
  return check_size_address(g, mem, addr, offset, size_log2, true);
}

static jit_opnd pop_address32_checked(jit_codegen *g, uint32_t mem,
                                      uint64_t in_offset, unsigned size_log2,
                                      uint32_t *offset) {
  jit_opnd addr;
  if (g->sp > 0 && g->stack[g->sp - 1].kind == CG_CONST)
    addr = jit_imm_opnd((int64_t)(uint32_t)cg_pop(g).bits);
  else
    addr = jit_reg_opnd(cg_pop_read(g));
  *offset = check_address32(g, mem, &addr, (uint32_t)in_offset, size_log2);
  return addr;
}

uint32_t cg_check_address32(jit_codegen *g, uint32_t mem, jit_opnd *addr,
                            uint32_t offset, unsigned size_log2) {
  return g->bounds_checks ? check_address32(g, mem, addr, offset, size_log2)
                          : offset;
}

/* Inline, and memory64 out of line: every load and store pops one. */
static inline __attribute__((always_inline)) jit_opnd
pop_address(jit_codegen *g, uint32_t mem, uint64_t in_offset,
            unsigned size_log2, uint32_t *offset) {
  if (cg_memory_is64(g, mem))
    return pop_address64(g, mem, in_offset, size_log2, offset);
  if (g->bounds_checks)
    return pop_address32_checked(g, mem, in_offset, size_log2, offset);
  *offset = (uint32_t)in_offset;
  if (g->sp > 0 && g->stack[g->sp - 1].kind == CG_CONST)
    return jit_imm_opnd((int64_t)(uint32_t)cg_pop(g).bits);
  return jit_reg_opnd(cg_pop_read(g));
}

jit_opnd cg_pop_address(jit_codegen *g, uint32_t mem, uint64_t in_offset,
                        unsigned size_log2, uint32_t *offset) {
  return pop_address(g, mem, in_offset, size_log2, offset);
}

static bool is_lent(const jit_codegen *g, jit_reg r) {
  return (g->cache.regs & reg_bit(r)) != 0;
}

/* Memory 0 is addressed from the pinned membase register. Any other
 * memory's base comes from its vmctx slot (it never moves, so the copy
 * there stays right), through the register cache, into a register the
 * masm addresses from until cg_memory_end; lent like a local read, so
 * nothing in the instruction evicts it. Guard pages bound memory k like
 * memory 0 (each memory reserves its own 8 GiB): no bounds check either.
 * JIT_NO_REG for memory 0. */
jit_reg cg_memory_begin_other(jit_codegen *g, uint32_t mem) {
  jit_reg base = JIT_NO_REG;
  bool cacheable = mem < CG_MEMKEY_LIMIT; /* keys must not wrap */
  if (cacheable) base = cg_cache_find(g, cg_membase_key(mem));
  if (base == JIT_NO_REG) {
    base = cg_alloc(g, false);
    masm_load_ptr(g->m, JT_I64, base, jit_host_target.vmctx_reg,
                  cg_membase_offset(g, mem));
    if (cacheable) cg_cache_set(g, cg_membase_key(mem), base);
  }
  if (g->cache.regs & reg_bit(base)) g->cache.lent |= reg_bit(base);
  jit_masm_set_mem_base(g->m, base);
  return base;
}

void cg_memory_end_other(jit_codegen *g, jit_reg base) {
  jit_masm_set_mem_base(g->m, JIT_NO_REG);
  jit_masm_set_mem_index64(g->m, false);
  cg_done_read(g, base);
}

static jit_reg resident_dst(jit_codegen *g, const jit_instr *in, jit_type t);

static void visit_load(jit_codegen *g, jit_memop op, jit_type t,
                       const jit_instr *in) {
  uint32_t offset;
  jit_reg home = resident_dst(g, in, t);
  jit_reg base = cg_memory_begin(g, in->u.mem.memory);
  jit_opnd addr = pop_address(g, in->u.mem.memory, in->u.mem.offset,
                              jit_access_size_log2((jit_op)in->op), &offset);
  jit_reg dst;
  if (home != JIT_NO_REG) {
    dst = cg_resident_take_dst(g, home);
    if (!addr.is_imm) cg_done_read(g, addr.reg);
  } else if (!addr.is_imm && !jit_type_is_float(t) && !is_lent(g, addr.reg)) {
    dst = addr.reg;
  } else {
    dst = cg_alloc_for(g, t);
    if (!addr.is_imm) cg_done_read(g, addr.reg);
  }
  masm_load_mem(g->m, op, dst, addr, offset);
  cg_memory_end(g, base);
  cg_push_reg(g, t, dst);
}

static void visit_store(jit_codegen *g, jit_memop op, const jit_instr *in) {
  uint32_t mem = in->u.mem.memory, offset;
  unsigned size_log2 = jit_access_size_log2((jit_op)in->op);
  jit_reg base = cg_memory_begin(g, mem);
  if (g->sp > 0 && g->stack[g->sp - 1].kind == CG_CONST) {
    uint64_t bits = cg_pop(g).bits;
    jit_opnd addr = pop_address(g, mem, in->u.mem.offset, size_log2, &offset);
    masm_store_mem_imm(g->m, op, bits, addr, offset);
    if (!addr.is_imm) cg_done_read(g, addr.reg);
    cg_memory_end(g, base);
    return;
  }
  jit_reg src = cg_pop_read(g);
  jit_opnd addr = pop_address(g, mem, in->u.mem.offset, size_log2, &offset);
  masm_store_mem(g->m, op, src, addr, offset);
  cg_done_read(g, src);
  if (!addr.is_imm) cg_done_read(g, addr.reg);
  cg_memory_end(g, base);
}

static void visit_memory_size(jit_codegen *g, uint32_t mem) {
  jit_reg r = cg_alloc(g, false);
  int32_t slot = mem == 0 ? RT_VMCTX_MEMORY0
                          : (int32_t)(rt_vmctx_memory_off(&g->layout, mem) +
                                      RT_VMCTX_MEMORY_SLOT_MEMORY);
  masm_load_ptr(g->m, JT_I64, r, jit_host_target.vmctx_reg, slot);
  /* a 32-bit memory's count fits 32 bits: the low half (little-endian)
   * with the zero-extending 32-bit load, as ever; a memory64's all of it */
  jit_type t = cg_memory_is64(g, mem) ? JT_I64 : JT_I32;
  masm_load_ptr(g->m, t, r, r, RT_MEMORY_PAGES);
  cg_push_reg(g, t, r);
}

/* ---- libcalls ----------------------------------------------------------- */

#define NO_RESULT CG_NO_RESULT

/* A libcall (codegen_internal.h): flushes the stack, calls, pushes the
 * result. */
void cg_libcall(jit_codegen *g, const void *fn, const uint64_t *imms,
                uint32_t nimms, uint32_t nops, uint8_t result_type) {
  const jit_target *tg = &jit_host_target;
  if (1 + nimms + nops > 6 || nops > g->sp) {
    cg_fail(g, "code generator: bad libcall");
    return;
  }
  cg_flush_for_call(g);
  masm_mov(g->m, JT_I64, tg->c_arg[0], tg->vmctx_reg);
  for (uint32_t i = 0; i < nimms; i++) {
    if (i == 0 && g->imm0_sym && g->m->relocatable)
      masm_mov_sym(g->m, tg->c_arg[1], g->imm0_sym, g->imm0_sym_index,
                   imms[0]);
    else
      masm_mov_imm(g->m, JT_I64, tg->c_arg[1 + i], imms[i]);
  }
  g->imm0_sym = 0;
  for (uint32_t k = 0; k < nops; k++) {
    cg_value v = g->stack[g->sp - nops + k];
    if (v.type == JT_REF) v.type = JT_I64;
    cg_load_value(g, &v, tg->c_arg[1 + nimms + k]);
  }
  for (uint32_t k = 0; k < nops; k++) {
    cg_value v = cg_pop(g);
    cg_release(g, &v);
  }
  cg_fuel_sync_out(g);
  masm_call_abs(g->m, fn);
  if (g->libcall_map) {
    g->libcall_map = false;
    cg_stack_map(g, g->libcall_kept, g->libcall_nkept, g->libcall_uniform);
  }
  cg_fuel_sync_in(g);
  if (result_type != NO_RESULT) {
    jit_type t = (jit_type)result_type;
    jit_reg r;
    if (cg_is_free(g, tg->c_ret)) {
      r = tg->c_ret;
      cg_take(g, r);
    } else {
      r = cg_alloc(g, false);
      masm_mov(g->m, t == JT_I32 ? JT_I32 : JT_I64, r, tg->c_ret);
    }
    cg_push_reg(g, t, r);
  }
  /* No reload of vmctx/membase: C preserves them (callee-saved in the C
   * ABI) and memory.grow never moves the base (see cg_reload_pinned). */
}

void cg_libcall_gc(jit_codegen *g, const void *fn, const uint64_t *imms,
                   uint32_t nimms, uint32_t nops, uint8_t result_type,
                   const rt_valtype *kept, uint32_t nkept, bool uniform) {
  g->libcall_map = true;
  g->libcall_kept = kept;
  g->libcall_nkept = nkept;
  g->libcall_uniform = uniform;
  cg_libcall(g, fn, imms, nimms, nops, result_type);
  g->libcall_map = false;
}

static bool table_is64(const jit_codegen *g, uint32_t table) {
  return g->mod->tables[table].limits.is64;
}

/* table.size, table.get and table.set, inline: the table's vmctx slot
 * holds copies of its size and elems, kept current by every growth
 * (rt_vmctx_table). A reference is one word, and storing one needs no
 * barrier (the collector scans tables as roots). */
static int32_t table_slot(const jit_codegen *g, uint32_t table) {
  return (int32_t)rt_vmctx_table_off(&g->layout, table);
}

static void visit_table_size(jit_codegen *g, uint32_t table) {
  jit_reg r = cg_alloc(g, false);
  /* a u32, zero-extended by the 32-bit load: a table64's i64 too */
  masm_load_ptr(g->m, JT_I32, r, jit_host_target.vmctx_reg,
                table_slot(g, table) + RT_VMCTX_TABLE_SLOT_SIZE);
  cg_push_reg(g, table_is64(g, table) ? JT_I64 : JT_I32, r);
}

/* elems into a fresh register once index (an i64 for a table64, compared
 * whole) is below the size; traps otherwise. */
static jit_reg table_elems_checked(jit_codegen *g, uint32_t table,
                                   jit_reg index) {
  const jit_target *tg = &jit_host_target;
  jit_reg elems = cg_alloc(g, false);
  masm_load_ptr(g->m, JT_I32, elems, tg->vmctx_reg,
                table_slot(g, table) + RT_VMCTX_TABLE_SLOT_SIZE);
  masm_cmp_branch(g->m, JC_GE_U, table_is64(g, table) ? JT_I64 : JT_I32,
                  index, jit_reg_opnd(elems),
                  cg_trap_label(g, WRUN_TRAP_TABLE_OOB));
  masm_load_ptr(g->m, JT_I64, elems, tg->vmctx_reg,
                table_slot(g, table) + RT_VMCTX_TABLE_SLOT_ELEMS);
  return elems;
}

static void visit_table_get(jit_codegen *g, uint32_t table) {
  jit_reg index = cg_pop_reg(g);
  jit_reg ref = table_elems_checked(g, table, index);
  /* below the size, the index fits 32 bits */
  masm_load_indexed(g->m, JT_I64, ref, ref, index, 3, 0);
  cg_free(g, index);
  cg_push_reg(g, JT_REF, ref);
}

static void visit_table_set(jit_codegen *g, uint32_t table) {
  jit_reg ref = cg_pop_reg(g);
  jit_reg index = cg_pop_reg(g);
  jit_reg at = table_elems_checked(g, table, index);
  masm_add_scaled(g->m, JT_I64, at, at, index, 3, 0);
  masm_store_ptr(g->m, JT_I64, ref, at, 0);
  cg_free(g, at);
  cg_free(g, index);
  cg_free(g, ref);
}

static void visit_bulk(jit_codegen *g, const jit_instr *in) {
  uint64_t imm[2];
  switch (in->op) {
  case OP_MEMORY_GROW:
    imm[0] = in->u.index;
    if (cg_memory_is64(g, in->u.index))
      cg_libcall(g, (const void *)rt_lib_memory_grow64, imm, 1, 1, JT_I64);
    else
      cg_libcall(g, (const void *)rt_lib_memory_grow, imm, 1, 1, JT_I32);
    break;
  case OP_MEMORY_FILL:
    imm[0] = in->u.index;
    cg_libcall(g, (const void *)rt_lib_memory_fill, imm, 1, 3, NO_RESULT);
    break;
  case OP_MEMORY_COPY:
    imm[0] = in->u.pair.a;
    imm[1] = in->u.pair.b;
    cg_libcall(g, (const void *)rt_lib_memory_copy, imm, 2, 3, NO_RESULT);
    break;
  case OP_MEMORY_INIT:
    imm[0] = in->u.pair.a;
    imm[1] = in->u.pair.b;
    cg_libcall(g, (const void *)rt_lib_memory_init, imm, 2, 3, NO_RESULT);
    break;
  case OP_DATA_DROP:
    imm[0] = in->u.index;
    cg_libcall(g, (const void *)rt_lib_data_drop, imm, 1, 0, NO_RESULT);
    break;
  case OP_TABLE_GET: visit_table_get(g, in->u.index); break;
  case OP_TABLE_SET: visit_table_set(g, in->u.index); break;
  case OP_TABLE_SIZE: visit_table_size(g, in->u.index); break;
  case OP_TABLE_GROW:
    imm[0] = in->u.index;
    if (table_is64(g, in->u.index))
      cg_libcall(g, (const void *)rt_lib_table_grow64, imm, 1, 2, JT_I64);
    else
      cg_libcall(g, (const void *)rt_lib_table_grow, imm, 1, 2, JT_I32);
    break;
  case OP_TABLE_FILL:
    imm[0] = in->u.index;
    cg_libcall(g, (const void *)rt_lib_table_fill, imm, 1, 3, NO_RESULT);
    break;
  case OP_TABLE_COPY:
    imm[0] = in->u.pair.a; /* dst table */
    imm[1] = in->u.pair.b; /* src table */
    cg_libcall(g, (const void *)rt_lib_table_copy, imm, 2, 3, NO_RESULT);
    break;
  case OP_TABLE_INIT:
    imm[0] = in->u.pair.b; /* table */
    imm[1] = in->u.pair.a; /* elem segment */
    cg_libcall(g, (const void *)rt_lib_table_init, imm, 2, 3, NO_RESULT);
    break;
  case OP_ELEM_DROP:
    imm[0] = in->u.index;
    cg_libcall(g, (const void *)rt_lib_elem_drop, imm, 1, 0, NO_RESULT);
    break;
  default: cg_fail(g, "code generator: unhandled bulk opcode"); break;
  }
}

/* ---- calls -------------------------------------------------------------- */

bool cg_type_has_v128(const rt_functype *ft) {
  for (uint32_t i = 0; i < ft->nparams + ft->nresults; i++)
    if (ft->types[i] == VT_V128) return true;
  return false;
}

uint32_t cg_call_area(const rt_functype *ft) {
  uint32_t args = rt_array_size(ft->types, ft->nparams);
  uint32_t results = rt_array_size(ft->types + ft->nparams, ft->nresults);
  return args > results ? args : results;
}

static void store_arg(jit_codegen *g, bool incoming, jit_type t, jit_reg r,
                      int32_t off) {
  if (incoming)
    masm_store_frame(g->m, t, r, off);
  else
    masm_store_sp(g->m, t, r, off);
}

/* Pops the arguments of ft into the outgoing area [sp + offset_i] and
 * grows the outgoing area to fit args and results. */
void cg_store_call_args(jit_codegen *g, const rt_functype *ft) {
  cg_store_args(g, ft, false, NULL);
}

uint32_t cg_store_args(jit_codegen *g, const rt_functype *ft, bool incoming,
                       cg_arg_src *keep) {
  uint32_t n = ft->nparams;
  uint32_t need = cg_call_area(ft);
  if (!incoming && need > g->out_size) g->out_size = need;
  int32_t at = incoming ? jit_host_target.param_base : 0;
  if (n > g->sp) {
    cg_fail(g, "code generator: value stack underflow at call");
    return 0;
  }
  jit_reg_arg regs[JIT_ARG_GPRS];
  uint32_t nregs = keep ? jit_reg_args(ft->types, n, regs) : 0;
  uint32_t next = 0; /* the next register argument */
  uint32_t base = g->sp - n;
  int32_t off = 0;
  for (uint32_t k = 0; k < n; k++) {
    cg_value *v = &g->stack[base + k];
    jit_type t = (jit_type)v->type;
    cg_arg_src *src = NULL;
    if (next < nregs && regs[next].param == k) {
      src = &keep[next++];
      src->reg = JIT_NO_REG;
      src->owned = JIT_NO_REG;
      src->incoming = incoming;
      src->is_const = v->kind == CG_CONST;
      src->bits = v->bits;
      src->off = at + off;
      src->type = t;
    }
    jit_reg cached = v->kind == CG_LOCAL ? cg_cache_find(g, v->index)
                                         : JIT_NO_REG;
    bool in_place = incoming && v->kind == CG_LOCAL &&
                    cg_passes_itself(g, k, at + off, v->index);
    if (in_place && cached == JIT_NO_REG) {
      if (src) src->reg = JIT_NO_REG; /* loaded from the slot */
    } else if (v->kind == CG_REG || cached != JIT_NO_REG) {
      jit_reg r = v->kind == CG_REG ? v->reg : cached;
      if (!in_place) store_arg(g, incoming, t, r, at + off);
      if (src) {
        src->reg = r;
        if (v->kind == CG_REG)
          src->owned = r; /* kept: not freed with the pop below */
        else
          g->cache.lent |= 1ull << r; /* not evicted for a later tmp */
      }
    } else if (v->kind == CG_CONST) {
      if (incoming)
        masm_store_frame_imm(g->m, t, at + off, v->bits);
      else
        masm_store_sp_imm(g->m, t, off, v->bits);
    } else {
      jit_reg tmp = cg_alloc_for(g, t);
      v = &g->stack[base + k]; /* the allocation may have spilled it */
      cg_load_value(g, v, tmp);
      store_arg(g, incoming, t, tmp, at + off);
      if (src) {
        src->reg = tmp;
        src->owned = tmp;
      } else {
        cg_free(g, tmp);
      }
    }
    off += (int32_t)rt_array_slot_size(ft->types[k]);
  }
  uint64_t kept = 0;
  for (uint32_t k = 0; k < nregs; k++)
    if (keep[k].owned != JIT_NO_REG) kept |= 1ull << keep[k].owned;
  while (g->sp > base) {
    cg_value v = cg_pop(g);
    if (v.kind != CG_REG || !(kept & (1ull << v.reg))) cg_release(g, &v);
  }
  return nregs;
}

/* May move k run now: no other pending move still reads its
 * destination? */
static bool arg_move_unblocked(const cg_arg_src *src, const bool *done,
                               uint32_t n, uint32_t k) {
  jit_reg dst = jit_host_target.arg_gpr[k];
  for (uint32_t j = 0; j < n; j++)
    if (j != k && !done[j] && src[j].reg == dst) return false;
  return true;
}

/* Argument register k from the argument's slot: fp + off when
 * incoming (off counts param_base), else sp + off. */
static void load_arg_reg(jit_codegen *g, uint32_t k, jit_type t,
                         bool incoming, int32_t off) {
  jit_reg r = jit_host_target.arg_gpr[k];
  if (incoming)
    masm_load_frame(g->m, t, r, off);
  else
    masm_load_sp(g->m, t, r, off);
}

/* A parallel move into the argument registers: register sources in an
 * order that never overwrites one still to be read (a cycle is broken by
 * reading one argument back from its slot), then constants and loads. */
void cg_move_arg_regs(jit_codegen *g, cg_arg_src *src, uint32_t n) {
  const jit_target *tg = &jit_host_target;
  bool done[JIT_ARG_GPRS] = {false};
  uint32_t left = 0;
  for (uint32_t k = 0; k < n; k++) {
    if (src[k].reg == tg->arg_gpr[k]) done[k] = true;
    else if (src[k].reg != JIT_NO_REG) left++;
  }
  while (left > 0) {
    bool progress = false;
    for (uint32_t k = 0; k < n; k++) {
      if (done[k] || src[k].reg == JIT_NO_REG) continue;
      if (!arg_move_unblocked(src, done, n, k)) continue;
      masm_mov(g->m, src[k].type, tg->arg_gpr[k], src[k].reg);
      done[k] = true;
      left--;
      progress = true;
    }
    if (!progress) {
      for (uint32_t k = 0; k < n; k++) {
        if (!done[k] && src[k].reg != JIT_NO_REG) {
          src[k].reg = JIT_NO_REG; /* from its slot, below */
          left--;
          break;
        }
      }
    }
  }
  for (uint32_t k = 0; k < n; k++) {
    if (done[k]) continue;
    if (src[k].is_const)
      masm_mov_imm(g->m, src[k].type, tg->arg_gpr[k], src[k].bits);
    else
      load_arg_reg(g, k, src[k].type, src[k].incoming, src[k].off);
  }
  for (uint32_t k = 0; k < n; k++)
    if (src[k].owned != JIT_NO_REG) cg_free(g, src[k].owned);
}

/* Loads ft's register arguments from their slots, just stored: for calls
 * whose callee is found after the arguments are popped (the registers
 * that find it may be any). Nothing may write the argument registers
 * between this and the call or jump. */
void cg_load_arg_regs(jit_codegen *g, const rt_functype *ft, bool incoming) {
  jit_reg_arg regs[JIT_ARG_GPRS];
  uint32_t n = jit_reg_args(ft->types, ft->nparams, regs);
  int32_t at = incoming ? jit_host_target.param_base : 0;
  for (uint32_t k = 0; k < n; k++)
    load_arg_reg(g, k, regs[k].type, incoming, at + regs[k].off);
}

jit_reg cg_off_arg_regs(jit_codegen *g, jit_reg r, uint64_t avoid) {
  if (!(reg_bit(r) & cg_arg_regs_mask())) return r;
  jit_reg to = cg_alloc_gpr_avoiding(g, avoid | cg_arg_regs_mask());
  masm_mov(g->m, JT_I64, to, r);
  cg_free(g, r);
  return to;
}

bool cg_arg_regs_first(const jit_codegen *g, const rt_functype *ft,
                       bool by_ref) {
  const jit_target *tg = &jit_host_target;
  if (!by_ref && !ft->final) return false; /* rt_lib_indirect_subtype */
  uint64_t left = tg->alloc_mask & GPR_CLASS & ~cg_arg_regs_mask() &
                  ~cg_fuel_reserved_regs(g) & ~reg_bit(tg->call_ctx_reg) &
                  ~reg_bit(tg->call_caller_reg) & ~reg_bit(tg->tail_cap_reg);
  return __builtin_popcountll(left) >= 3; /* operand, entry, code */
}

uint64_t cg_arg_regs_mask(void) {
  uint64_t m = 0;
  for (uint32_t k = 0; k < JIT_ARG_GPRS; k++)
    m |= 1ull << jit_host_target.arg_gpr[k];
  return m;
}

/* Result 0 from the return register, the others from the outgoing area;
 * pinned registers reloaded when asked (see cg_reload_pinned). */
void cg_push_call_results(jit_codegen *g, const rt_functype *ft, bool reload) {
  const jit_target *tg = &jit_host_target;
  const rt_valtype *rtypes = ft->types + ft->nparams;
  jit_reg first = JIT_NO_REG;
  jit_type first_t = JT_I32;
  if (ft->nresults > 0) {
    first_t = cg_jit_type(rtypes[0]);
    jit_reg ret = jit_type_is_float(first_t) ? tg->ret_fpr : tg->ret_gpr;
    if (cg_is_free(g, ret)) {
      first = ret;
      cg_take(g, ret);
    } else {
      first = cg_alloc_for(g, first_t);
      masm_mov(g->m, first_t, first, ret);
    }
  }
  if (reload) cg_reload_pinned(g);
  if (ft->nresults == 0) return;
  cg_push_reg(g, first_t, first);
  int32_t off = (int32_t)rt_array_slot_size(rtypes[0]);
  for (uint32_t k = 1; k < ft->nresults; k++) {
    jit_type t = cg_jit_type(rtypes[k]);
    jit_reg r = cg_alloc_for(g, t);
    masm_load_sp(g->m, t, r, off);
    cg_push_reg(g, t, r);
    off += (int32_t)rt_array_slot_size(rtypes[k]);
  }
}

static void visit_call(jit_codegen *g, uint32_t f) {
  const jit_target *tg = &jit_host_target;
  const rt_functype *ft = rt_func_type(g->mod, f);
  if (cg_type_has_v128(ft) && !g->vec_ok) {
    g->simd = true;
    return;
  }
  cg_arg_src args[JIT_ARG_GPRS];
  uint32_t nargs = cg_store_args(g, ft, false, args);
  cg_spill_all_regs(g);
  cg_move_arg_regs(g, args, nargs);
  cg_cache_clear(g); /* the callee clobbers every allocatable register */
  /* A direct callee may end in a tail call to another instance or a host
   * function, in a module that has such tail calls: then it returns with
   * that instance's pinned registers and maybe a stale fuel register. */
  bool leaves = f < g->mod->nimported_funcs || g->tail_reload;
  if (f >= g->mod->nimported_funcs) {
    /* Its ctx is ours, already in vmctx_reg where its call entry expects
     * it (emit_prologue); the caller register is for host functions only
     * (a tail call to one sets it itself). */
    /* No fuel sync: the call enters past the callee's load of it, and
     * the callee returns with it in the register (see codegen_fuel.c).
     * Only a callee with tail calls reads the capacity; in this module
     * that is known from the first compile, where none has any yet (see
     * jit_codegen_set_tail_info). */
    if (g->tail_info &&
        (g->tail_info[f - g->mod->nimported_funcs] & JIT_TAIL_USES))
      masm_mov_imm(g->m, JT_I32, tg->tail_cap_reg, cg_call_area(ft));
    masm_call_func(g->m, f);
    cg_exn_note_call(g);
    cg_stack_map(g, NULL, 0, false);
  } else {
    /* An import: its funcref record in our vmctx carries the exporter's
     * ctx and code. */
    int32_t rec = (int32_t)(g->layout.funcs_off + RT_FUNCREF_SIZE * f);
    jit_reg target = cg_alloc_gpr_avoiding(
        g, reg_bit(tg->call_ctx_reg) | reg_bit(tg->call_caller_reg) |
               reg_bit(tg->tail_cap_reg) | cg_arg_regs_mask());
    masm_load_ptr(g->m, JT_I64, target, tg->vmctx_reg,
                  rec + RT_FUNCREF_WASM_CALL);
    masm_load_ptr(g->m, JT_I64, tg->call_ctx_reg, tg->vmctx_reg,
                  rec + RT_FUNCREF_CTX);
    masm_mov(g->m, JT_I64, tg->call_caller_reg, tg->vmctx_reg);
    cg_fuel_sync_out(g);
    masm_mov_imm(g->m, JT_I32, tg->tail_cap_reg, cg_call_area(ft));
    masm_call_reg(g->m, target);
    cg_exn_note_call(g);
    cg_stack_map(g, NULL, 0, false);
    cg_free(g, target);
  }
  cg_push_call_results(g, ft, leaves);
  if (leaves) cg_fuel_sync_in(g);
}

void cg_type_id_branch(jit_codegen *g, jit_cond cond, jit_reg id,
                       uint32_t type_index, uint64_t avoid, jit_label *l) {
  uint32_t want = g->mod->types[type_index].id;
  if (!g->m->relocatable) {
    masm_cmp_branch(g->m, cond, JT_I32, id,
                    jit_imm_opnd((int64_t)(int32_t)want), l);
    return;
  }
  jit_reg r = cg_alloc_gpr_avoiding(g, avoid | reg_bit(id));
  masm_mov_sym(g->m, r, JIT_SYM_TYPE_ID, type_index, want);
  masm_cmp_branch(g->m, cond, JT_I32, id, jit_reg_opnd(r), l);
  cg_free(g, r);
}

jit_reg cg_indirect_callee(jit_codegen *g, const jit_instr *in,
                           const rt_functype *ft, jit_reg index,
                           uint64_t avoid) {
  const jit_target *tg = &jit_host_target;
  jit_reg ref = cg_alloc_gpr_avoiding(g, avoid);
  jit_reg code = cg_alloc_gpr_avoiding(g, avoid);
  /* the slot's copies of the table's size and elems (rt_vmctx_table) */
  int32_t slot =
      (int32_t)rt_vmctx_table_off(&g->layout, in->u.call_indirect.table);
  masm_load_ptr(g->m, JT_I32, code, tg->vmctx_reg,
                slot + RT_VMCTX_TABLE_SLOT_SIZE);
  /* A table64's index is an i64, compared whole with the zero-extended
   * size; below it, it fits 32 bits like any index. */
  bool is64 = g->mod->tables[in->u.call_indirect.table].limits.is64;
  masm_cmp_branch(g->m, JC_GE_U, is64 ? JT_I64 : JT_I32, index,
                  jit_reg_opnd(code),
                  cg_trap_label(g, WRUN_TRAP_UNDEFINED_ELEMENT));
  masm_load_ptr(g->m, JT_I64, ref, tg->vmctx_reg,
                slot + RT_VMCTX_TABLE_SLOT_ELEMS);
  masm_load_indexed(g->m, JT_I64, ref, ref, index, 3, 0);
  cg_free(g, index);
  masm_branch_zero(g->m, JT_I64, ref, true,
                   cg_trap_label(g, WRUN_TRAP_UNINITIALIZED_ELEMENT));
  masm_load_ptr(g->m, JT_I32, code, ref, RT_FUNCREF_TYPE_ID);
  uint32_t ti = (uint32_t)(ft - g->mod->types);
  if (ft->final) {
    cg_type_id_branch(g, JC_NE, code, ti, avoid,
                      cg_trap_label(g, WRUN_TRAP_INDIRECT_MISMATCH));
  } else {
    /* a non-final type (GC's `sub`) admits its declared subtypes: another
     * id asks the runtime, which traps or gives the reference back (only
     * ref and code are live: the stack is spilled, C keeps the pinned
     * registers) */
    jit_label same;
    jit_label_init(&same);
    cg_type_id_branch(g, JC_EQ, code, ti, avoid, &same);
    masm_mov(g->m, JT_I64, tg->c_arg[1], ref);
    masm_mov(g->m, JT_I64, tg->c_arg[0], tg->vmctx_reg);
    if (g->m->relocatable)
      masm_mov_sym(g->m, tg->c_arg[2], JIT_SYM_TYPE_ID, ti, ft->id);
    else
      masm_mov_imm(g->m, JT_I32, tg->c_arg[2], ft->id);
    cg_fuel_sync_out(g);
    masm_call_abs(g->m, (const void *)rt_lib_indirect_subtype);
    cg_fuel_sync_in(g);
    masm_mov(g->m, JT_I64, ref, tg->c_ret);
    masm_bind(g->m, &same);
  }
  masm_load_ptr(g->m, JT_I64, code, ref, RT_FUNCREF_WASM_CALL);
  masm_load_ptr(g->m, JT_I64, tg->call_ctx_reg, ref, RT_FUNCREF_CTX);
  cg_free(g, ref);
  return code;
}

jit_reg cg_ref_callee(jit_codegen *g, jit_reg ref, uint64_t avoid) {
  const jit_target *tg = &jit_host_target;
  jit_reg code = cg_alloc_gpr_avoiding(g, avoid);
  masm_branch_zero(g->m, JT_I64, ref, true,
                   cg_trap_label(g, WRUN_TRAP_NULL_FUNCREF));
  masm_load_ptr(g->m, JT_I64, code, ref, RT_FUNCREF_WASM_CALL);
  masm_load_ptr(g->m, JT_I64, tg->call_ctx_reg, ref, RT_FUNCREF_CTX);
  cg_free(g, ref);
  return code;
}

/* The callee of call_indirect or call_ref: the table index or the
 * reference, popped (the operand above the arguments). */
typedef enum callee_kind { CALLEE_TABLE, CALLEE_REF } callee_kind;

/* A call through a funcref: pops the operand that finds the callee and
 * ft's arguments, checks the callee (call_indirect: the table entry and
 * its type; call_ref: only null, the validator proved the type) and
 * calls it, pushing its results. */
static void call_through(jit_codegen *g, const jit_instr *in,
                         const rt_functype *ft, callee_kind kind) {
  const jit_target *tg = &jit_host_target;
  if (cg_type_has_v128(ft) && !g->vec_ok) {
    g->simd = true;
    return;
  }
  jit_reg operand = cg_pop_reg(g);
  bool early = cg_arg_regs_first(g, ft, kind == CALLEE_REF);
  if (early) operand = cg_off_arg_regs(g, operand, 0);
  cg_arg_src args[JIT_ARG_GPRS];
  uint32_t nargs = cg_store_args(g, ft, false, early ? args : NULL);
  cg_spill_all_regs(g);
  if (early) cg_move_arg_regs(g, args, nargs);
  cg_cache_clear(g); /* the callee clobbers every allocatable register */
  uint64_t avoid = reg_bit(tg->call_ctx_reg) | reg_bit(tg->call_caller_reg) |
                   reg_bit(tg->tail_cap_reg) |
                   (early ? cg_arg_regs_mask() : 0);
  jit_reg code = kind == CALLEE_TABLE
                     ? cg_indirect_callee(g, in, ft, operand, avoid)
                     : cg_ref_callee(g, operand, avoid);
  if (!early) code = cg_off_arg_regs(g, code, avoid);
  masm_mov(g->m, JT_I64, tg->call_caller_reg, tg->vmctx_reg);
  cg_fuel_sync_out(g);
  masm_mov_imm(g->m, JT_I32, tg->tail_cap_reg, cg_call_area(ft));
  if (!early) cg_load_arg_regs(g, ft, false);
  masm_call_reg(g->m, code);
  cg_exn_note_call(g);
  cg_stack_map(g, NULL, 0, false);
  cg_free(g, code);
  cg_push_call_results(g, ft, true);
  cg_fuel_sync_in(g);
}

static void visit_call_indirect(jit_codegen *g, const jit_instr *in) {
  call_through(g, in, &g->mod->types[in->u.call_indirect.type_index],
               CALLEE_TABLE);
}

static void visit_call_ref(jit_codegen *g, const jit_instr *in) {
  call_through(g, in, &g->mod->types[in->u.index], CALLEE_REF);
}

/* ---- numeric ------------------------------------------------------------ */

static bool binop_commutes(jit_binop op) {
  return op == JB_ADD || op == JB_MUL || op == JB_AND || op == JB_OR ||
         op == JB_XOR;
}

/* For a commutative op: should the operands swap so that the result
 * reuses the top's register (or the constant becomes the immediate)? */
static bool swap_operands(const jit_codegen *g) {
  if (g->sp < 2) return false;
  uint8_t below = g->stack[g->sp - 2].kind, top = g->stack[g->sp - 1].kind;
  if (below == CG_CONST) return top != CG_CONST;
  return below == CG_LOCAL && top == CG_REG;
}

#define NO_LOCAL UINT32_MAX

/* The opcode byte of the instruction after `in`, a one-byte instruction,
 * or NULL past the module. A hint read ahead of validation (see
 * docs/design-notes.md, "Peepholes"). */
static const uint8_t *next_opcode(const jit_codegen *g, const jit_instr *in) {
  if (!g->mod->bytes || (size_t)in->offset + 1 >= g->mod->len) return NULL;
  return g->mod->bytes + in->offset + 1;
}

/* The local that the instruction after `in` (a one-byte opcode) stores
 * into when it is local.set or local.tee, else NO_LOCAL. It only steers
 * the choice of a register: a wrong answer costs a copy, never a wrong
 * value. */
static uint32_t next_set_local(const jit_codegen *g, const jit_instr *in) {
  const uint8_t *p = next_opcode(g, in);
  const uint8_t *end = g->mod->bytes + g->mod->len;
  if (!p || (*p != 0x21 && *p != 0x22)) return NO_LOCAL;
  uint32_t index = 0;
  for (unsigned shift = 0; shift < 35; shift += 7) {
    if (++p >= end) return NO_LOCAL;
    index |= (uint32_t)(*p & 0x7f) << shift;
    if (!(*p & 0x80)) return index;
  }
  return NO_LOCAL;
}

static bool is_local_at(const jit_codegen *g, uint32_t i, uint32_t local) {
  return g->stack[i].kind == CG_LOCAL && g->stack[i].index == local;
}

/* The register of the resident local that the next instruction sets, for
 * `in`'s result of type t (see cg_resident_dst), or JIT_NO_REG. */
static jit_reg resident_dst(jit_codegen *g, const jit_instr *in, jit_type t) {
  if (!g->cache.resident) return JIT_NO_REG;
  uint32_t x = next_set_local(g, in);
  return x == NO_LOCAL ? JIT_NO_REG : cg_resident_dst(g, x, t);
}

/* x = x op y, with the next instruction setting x: pops the operands and
 * answers the register that caches x, handed over to the caller (no
 * longer the cache's: the result overwrites it in place, and the
 * local.set caches it again), so a loop counter is updated where a loop
 * head expects it, with no copy. JIT_NO_REG (nothing popped) otherwise. */
static jit_reg pop_into_local(jit_codegen *g, const jit_instr *in,
                              bool commutes, bool rhs_reg, jit_opnd *rhs) {
  uint32_t x = next_set_local(g, in);
  if (x == NO_LOCAL || g->sp < 2 || g->pend.active) return JIT_NO_REG;
  /* A resident's other copies read its register, which the result is
   * about to overwrite (its slot is stale): only with none of them. */
  if (cg_resident_reg(g, x) != JIT_NO_REG && cg_resident_copies(g, x) > 1)
    return JIT_NO_REG;
  jit_reg src;
  if (is_local_at(g, g->sp - 2, x)) {
    *rhs = rhs_reg ? jit_reg_opnd(cg_pop_read(g)) : cg_pop_opnd_read(g);
    src = cg_pop_read(g);
  } else if (commutes && is_local_at(g, g->sp - 1, x)) {
    src = cg_pop_read(g);
    *rhs = rhs_reg ? jit_reg_opnd(cg_pop_read(g)) : cg_pop_opnd_read(g);
  } else {
    return JIT_NO_REG;
  }
  /* cg_pop_read left x cached in src (loaded on the way if need be). */
  g->cache.regs &= ~cg_reg_bit(src);
  return src;
}

/* Is the entry at stack position i a local to read in place (its cache
 * register, the result going to a fresh one)? When the cache holds it, or
 * when registers are idle enough to cache it on the way. */
static bool local_read_in_place(jit_codegen *g, uint32_t i) {
  if (g->stack[i].kind != CG_LOCAL) return false;
  if (cg_cache_find(g, g->stack[i].index) != JIT_NO_REG) return true;
  /* worth caching on the way while three registers are idle */
  uint64_t cls = jit_type_is_float((jit_type)g->stack[i].type) ? FPR_CLASS
                                                                : GPR_CLASS;
  return __builtin_popcountll(g->free_regs & cls) >= 3;
}

/* ---- shifts by 1-3 fused into the add that follows (cg_pending_shift) -- */

bool cg_shift_may_wait(const jit_codegen *g, uint16_t op) {
  switch (op) {
  case OP_I32_ADD:
  case OP_I64_ADD: return true;
  case OP_LOCAL_GET:
  case OP_I32_CONST:
  case OP_I64_CONST:
    /* one push, on the fast path of cg_push (no load, no spill) */
    return g->pshift.pos + 1 == g->sp && g->sp < g->cap_stack &&
           g->nlazy < CG_MAX_LAZY;
  default: return false;
  }
}

void cg_materialize_shift(jit_codegen *g) {
  g->pshift.active = false;
  jit_type t = (jit_type)g->pshift.type;
  /* The entry pushed since (a constant or a lazy local, by
   * cg_shift_may_wait) is set aside and put back. */
  bool above = g->pshift.pos + 1 < g->sp;
  cg_value top = {0};
  if (above) top = cg_pop(g);
  jit_reg r = cg_pop_reg(g);
  masm_binop(g->m, JB_SHL, t, r, r, jit_imm_opnd(g->pshift.shift));
  cg_push_reg(g, t, r);
  if (above) cg_push(g, top);
}

/* An i32.shl/i64.shl by a constant 1-3 waits for an add (true). */
static bool defer_shift(jit_codegen *g, jit_type t) {
  if (g->sp < 2 || g->stack[g->sp - 1].kind != CG_CONST) return false;
  unsigned k = (unsigned)g->stack[g->sp - 1].bits & (t == JT_I64 ? 63 : 31);
  if (k < 1 || k > 3) return false;
  cg_pop(g);
  g->pshift.active = true;
  g->pshift.shift = (uint8_t)k;
  g->pshift.type = (uint8_t)t;
  g->pshift.pos = g->sp - 1;
  return true;
}

/* The add of a pending shift: dst = other + (index << k). */
static void add_scaled(jit_codegen *g, jit_type t) {
  g->pshift.active = false;
  bool index_on_top = g->pshift.pos == g->sp - 1;
  jit_opnd other;
  jit_reg index = JIT_NO_REG;
  if (index_on_top) index = cg_pop_read(g);
  /* a constant is the displacement when it fits in 32 bits */
  const cg_value *o = &g->stack[g->sp - 1];
  if (o->kind == CG_CONST &&
      (t == JT_I32 || (int64_t)o->bits == (int32_t)o->bits))
    other = cg_pop_opnd(g);
  else
    other = jit_reg_opnd(cg_pop_read(g));
  if (!index_on_top) index = cg_pop_read(g);
  jit_reg base = other.is_imm ? JIT_NO_REG : other.reg;
  bool index_owned = !(g->cache.regs & cg_reg_bit(index));
  bool base_owned = base != JIT_NO_REG && !(g->cache.regs & cg_reg_bit(base));
  jit_reg dst = index_owned  ? index
                : base_owned ? base
                             : cg_alloc_for(g, t);
  masm_add_scaled(g->m, t, dst, base, index, g->pshift.shift,
                  other.is_imm ? (int32_t)other.imm : 0);
  if (index != dst) cg_done_read(g, index);
  if (base != JIT_NO_REG && base != dst && base != index)
    cg_done_read(g, base);
  cg_push_reg(g, t, dst);
}

/* Does the instruction after `in` (a one-byte opcode) only test an i32
 * for zero: br_if, if, select or i32.eqz? (A hint, as next_set_local.) */
static bool next_tests_zero(const jit_codegen *g, const jit_instr *in) {
  const uint8_t *p = next_opcode(g, in);
  return p && (*p == 0x0D || *p == 0x04 || *p == 0x1B || *p == 0x1C ||
               *p == 0x45);
}

/* Leaves lhs c rhs pending for the next instruction to fuse (operands
 * read, not owned: released with cg_done_read). */
static void set_pending(jit_codegen *g, jit_cond c, jit_type t, jit_reg lhs,
                        jit_opnd rhs) {
  g->pend.active = true;
  g->pend.negate = false;
  g->pend.cond = (uint8_t)c;
  g->pend.type = (uint8_t)t;
  g->pend.lhs = lhs;
  g->pend.rhs = rhs;
}

/* x & y tested for zero: a pending test (x86-64 test, AArch64 tst) that
 * the branch or select fuses, instead of the masked value. */
static bool and_as_test(jit_codegen *g, const jit_instr *in) {
  if (g->pend.active || g->sp < 2 || !next_tests_zero(g, in)) return false;
  jit_reg lhs;
  jit_opnd rhs;
  if (g->stack[g->sp - 2].kind == CG_CONST &&
      g->stack[g->sp - 1].kind != CG_CONST) {
    lhs = cg_pop_read(g); /* and commutes: the constant as immediate */
    rhs = cg_pop_opnd(g);
  } else {
    rhs = cg_pop_opnd_read(g);
    lhs = cg_pop_read(g);
  }
  set_pending(g, JC_TST_NZ, JT_I32, lhs, rhs);
  return true;
}

static void visit_binop(jit_codegen *g, jit_binop op, jit_type t,
                        const jit_instr *in) {
  if (op == JB_SHL && defer_shift(g, t)) return;
  if (op == JB_AND && t == JT_I32 && and_as_test(g, in)) return;
  if (op == JB_ADD && g->pshift.active) {
    add_scaled(g, t);
    return;
  }
  jit_opnd rhs;
  jit_reg lhs = pop_into_local(g, in, binop_commutes(op), false, &rhs);
  if (lhs != JIT_NO_REG) {
    masm_binop(g->m, op, t, lhs, lhs, rhs);
    if (!rhs.is_imm && rhs.reg != lhs) cg_done_read(g, rhs.reg);
    cg_push_reg(g, t, lhs);
    return;
  }
  jit_reg home = resident_dst(g, in, t);
  bool swap = binop_commutes(op) && swap_operands(g);
  if (swap) {
    lhs = cg_pop_reg(g);
    rhs = cg_pop_opnd_read(g);
  } else if (home != JIT_NO_REG ||
             (g->sp >= 2 && local_read_in_place(g, g->sp - 2))) {
    /* A local as left operand is read where it is, not copied first:
     * dst = lhs op rhs in three-operand form (lea, imul r,r,imm; AArch64's
     * own forms). So is any operand when the result goes to a resident's
     * register. */
    rhs = cg_pop_opnd_read(g);
    jit_reg src = cg_pop_read(g);
    jit_reg dst = home != JIT_NO_REG ? cg_resident_take_dst(g, home)
                                     : cg_alloc_for(g, t);
    masm_binop(g->m, op, t, dst, src, rhs);
    cg_done_read(g, src);
    if (!rhs.is_imm && rhs.reg != src) cg_done_read(g, rhs.reg);
    cg_push_reg(g, t, dst);
    return;
  } else {
    rhs = cg_pop_opnd_read(g);
    lhs = cg_pop_reg(g);
  }
  masm_binop(g->m, op, t, lhs, lhs, rhs);
  if (!rhs.is_imm) cg_done_read(g, rhs.reg);
  cg_push_reg(g, t, lhs);
}

static void visit_divrem(jit_codegen *g, jit_divop op, jit_type t) {
  jit_reg rhs = cg_pop_reg(g);
  jit_reg lhs = cg_pop_reg(g);
  masm_divrem(g->m, op, t, lhs, lhs, rhs,
              cg_trap_label(g, WRUN_TRAP_INT_DIV_ZERO),
              op == JD_DIV_S ? cg_trap_label(g, WRUN_TRAP_INT_OVERFLOW)
                             : NULL);
  cg_free(g, rhs);
  cg_push_reg(g, t, lhs);
}

/* Unary integer op; result type rt (differs from the operand's for
 * extend/wrap). */
static void visit_unop(jit_codegen *g, jit_unop op, jit_type t, jit_type rt) {
  jit_reg r = cg_pop_reg(g);
  masm_unop(g->m, op, t, r, r);
  cg_push_reg(g, rt, r);
}

static jit_cond swap_cond(jit_cond c) {
  switch (c) {
  case JC_LT_S: return JC_GT_S;
  case JC_LT_U: return JC_GT_U;
  case JC_GT_S: return JC_LT_S;
  case JC_GT_U: return JC_LT_U;
  case JC_LE_S: return JC_GE_S;
  case JC_LE_U: return JC_GE_U;
  case JC_GE_S: return JC_LE_S;
  case JC_GE_U: return JC_LE_U;
  default: return c;
  }
}

/* A compare leaves a pending compare for the next instruction to fuse. */
static void visit_compare(jit_codegen *g, jit_cond c, jit_type t) {
  jit_reg lhs;
  jit_opnd rhs;
  /* Compares only read their operands: cached locals are lent. */
  if (jit_type_is_float(t)) {
    rhs = jit_reg_opnd(cg_pop_read(g));
    lhs = cg_pop_read(g);
  } else if (g->sp >= 2 && g->stack[g->sp - 2].kind == CG_CONST &&
             g->stack[g->sp - 1].kind != CG_CONST) {
    lhs = cg_pop_read(g);
    rhs = cg_pop_opnd(g);
    c = swap_cond(c);
  } else {
    rhs = cg_pop_opnd_read(g);
    lhs = cg_pop_read(g);
  }
  set_pending(g, c, t, lhs, rhs);
}

static void visit_eqz(jit_codegen *g, jit_type t) {
  if (g->pend.active) {
    cg_negate_pending(g);
    return;
  }
  jit_reg r = cg_pop_read(g);
  set_pending(g, JC_EQ, t == JT_REF ? JT_I64 : t, r, jit_imm_opnd(0));
}

static void visit_fbinop(jit_codegen *g, jit_fbinop op, jit_type t,
                         const jit_instr *in) {
  jit_reg rhs, lhs;
  /* add and mul commute (also for NaNs: either operand's payload is an
   * allowed result); a register on top becomes the result. */
  bool commutes = op == JF_ADD || op == JF_MUL;
  jit_opnd ro;
  lhs = pop_into_local(g, in, commutes, true, &ro);
  if (lhs != JIT_NO_REG) {
    masm_fbinop(g->m, op, t, lhs, lhs, ro.reg);
    if (ro.reg != lhs) cg_done_read(g, ro.reg);
    cg_push_reg(g, t, lhs);
    return;
  }
  jit_reg home = resident_dst(g, in, t);
  if (home == JIT_NO_REG && commutes && g->sp >= 2 &&
      g->stack[g->sp - 2].kind == CG_LOCAL &&
      g->stack[g->sp - 1].kind == CG_REG) {
    lhs = cg_pop_reg(g);
    rhs = cg_pop_read(g);
  } else if (home != JIT_NO_REG ||
             (g->sp >= 2 && local_read_in_place(g, g->sp - 2))) {
    /* As for integers: a fresh result, the local operand read in place
     * (one instruction on AArch64; x86-64 copies it into dst). */
    rhs = cg_pop_read(g);
    jit_reg src = cg_pop_read(g);
    jit_reg dst = home != JIT_NO_REG ? cg_resident_take_dst(g, home)
                                     : cg_alloc_for(g, t);
    masm_fbinop(g->m, op, t, dst, src, rhs);
    cg_done_read(g, src);
    if (rhs != src) cg_done_read(g, rhs);
    cg_push_reg(g, t, dst);
    return;
  } else {
    rhs = cg_pop_read(g);
    lhs = cg_pop_reg(g);
  }
  masm_fbinop(g->m, op, t, lhs, lhs, rhs);
  cg_done_read(g, rhs);
  cg_push_reg(g, t, lhs);
}

static void visit_funop(jit_codegen *g, jit_funop op, jit_type t) {
  jit_reg r = cg_pop_reg(g);
  masm_funop(g->m, op, t, r, r);
  cg_push_reg(g, t, r);
}

static void visit_convert(jit_codegen *g, jit_convop op, jit_type from,
                          jit_type to, bool traps) {
  jit_reg src = cg_pop_reg(g);
  jit_reg dst = src;
  if (jit_type_is_float(from) != jit_type_is_float(to)) {
    dst = cg_alloc_for(g, to);
  }
  jit_label *invalid = NULL, *overflow = NULL;
  if (traps) {
    invalid = cg_trap_label(g, WRUN_TRAP_BAD_CONVERSION);
    overflow = cg_trap_label(g, WRUN_TRAP_INT_OVERFLOW);
  }
  masm_convert(g->m, op, dst, src, invalid, overflow);
  if (dst != src) cg_free(g, src);
  cg_push_reg(g, to, dst);
}

/* ---- parametric and references ------------------------------------------ */

static void visit_select(jit_codegen *g) {
  if (g->pend.active) {
    cg_pending p = g->pend;
    g->pend.active = false;
    /* b and the condition are only read: cached locals are lent */
    jit_reg b = cg_pop_read(g);
    jit_type t = (jit_type)g->stack[g->sp - 1].type;
    jit_reg a = cg_pop_reg(g);
    jit_type mt = t == JT_REF ? JT_I64 : t;
    if (p.negate)
      masm_cmp_select(g->m, (jit_cond)p.cond, (jit_type)p.type, p.lhs, p.rhs,
                      mt, a, b, a);
    else
      masm_cmp_select(g->m, (jit_cond)p.cond, (jit_type)p.type, p.lhs, p.rhs,
                      mt, a, a, b);
    cg_done_read(g, p.lhs);
    if (!p.rhs.is_imm) cg_done_read(g, p.rhs.reg);
    cg_done_read(g, b);
    cg_push_reg(g, t, a);
    return;
  }
  jit_reg c = cg_pop_read(g);
  jit_reg b = cg_pop_read(g);
  jit_type t = (jit_type)g->stack[g->sp - 1].type;
  jit_reg a = cg_pop_reg(g);
  masm_select(g->m, t == JT_REF ? JT_I64 : t, a, c, a, b);
  cg_done_read(g, c);
  if (b != c) cg_done_read(g, b);
  cg_push_reg(g, t, a);
}

static void visit_ref_func(jit_codegen *g, uint32_t f) {
  jit_reg r = cg_alloc(g, false);
  int64_t off = (int64_t)g->layout.funcs_off + (int64_t)RT_FUNCREF_SIZE * f;
  masm_binop(g->m, JB_ADD, JT_I64, r, jit_host_target.vmctx_reg,
             jit_imm_opnd(off));
  cg_push_reg(g, JT_REF, r);
}

/* ---- instructions with code of their own (LOWER VISIT) ------------------- */

void cg_op_drop(jit_codegen *g, const jit_instr *in) {
  (void)in;
  cg_value v = cg_pop(g);
  cg_release(g, &v);
}

void cg_op_select(jit_codegen *g, const jit_instr *in) {
  (void)in;
  visit_select(g);
}

void cg_op_select_t(jit_codegen *g, const jit_instr *in) {
  if (in->u.valtype == VT_V128 && !g->vec_ok) {
    g->simd = true;
    return;
  }
  visit_select(g);
}

void cg_op_local_get(jit_codegen *g, const jit_instr *in) {
  visit_local_get(g, in->u.index);
}
void cg_op_local_set(jit_codegen *g, const jit_instr *in) {
  visit_local_set(g, in->u.index, false);
}
void cg_op_local_tee(jit_codegen *g, const jit_instr *in) {
  visit_local_set(g, in->u.index, true);
}
void cg_op_global_get(jit_codegen *g, const jit_instr *in) {
  visit_global_get(g, in->u.index);
}
void cg_op_global_set(jit_codegen *g, const jit_instr *in) {
  visit_global_set(g, in->u.index);
}
void cg_op_call(jit_codegen *g, const jit_instr *in) {
  visit_call(g, in->u.index);
}
void cg_op_call_indirect(jit_codegen *g, const jit_instr *in) {
  visit_call_indirect(g, in);
}
void cg_op_call_ref(jit_codegen *g, const jit_instr *in) {
  visit_call_ref(g, in);
}
void cg_op_ref_as_non_null(jit_codegen *g, const jit_instr *in) {
  (void)in;
  jit_reg ref = cg_pop_reg(g);
  masm_branch_zero(g->m, JT_I64, ref, true,
                   cg_trap_label(g, WRUN_TRAP_NULL_REFERENCE));
  cg_push_reg(g, JT_REF, ref);
}
void cg_op_memory_size(jit_codegen *g, const jit_instr *in) {
  (void)in;
  visit_memory_size(g, in->u.index);
}
void cg_op_bulk(jit_codegen *g, const jit_instr *in) { visit_bulk(g, in); }

void cg_op_i32_const(jit_codegen *g, const jit_instr *in) {
  cg_push_const(g, JT_I32, (uint32_t)in->u.i32);
}
void cg_op_i64_const(jit_codegen *g, const jit_instr *in) {
  cg_push_const(g, JT_I64, (uint64_t)in->u.i64);
}
void cg_op_f32_const(jit_codegen *g, const jit_instr *in) {
  cg_push_const(g, JT_F32, in->u.f32_bits);
}
void cg_op_f64_const(jit_codegen *g, const jit_instr *in) {
  cg_push_const(g, JT_F64, in->u.f64_bits);
}
void cg_op_ref_null(jit_codegen *g, const jit_instr *in) {
  (void)in;
  cg_push_const(g, JT_REF, 0);
}
void cg_op_ref_func(jit_codegen *g, const jit_instr *in) {
  visit_ref_func(g, in->u.index);
}

/* ---- the dispatcher ------------------------------------------------------ */

/* One macro per LOWER kind of jit/opcodes.def: its arguments are the
 * row's NAME and a, b, c. */
#define LOWER_VISIT(name, fn, b, c) cg_op_##fn(g, in)
#define LOWER_NOP(name, a, b, c) (void)in
#define LOWER_BIN(name, op, t, c) visit_binop(g, JB_##op, JT_##t, in)
#define LOWER_DIV(name, op, t, c) visit_divrem(g, JD_##op, JT_##t)
#define LOWER_CMP(name, cond, t, c) visit_compare(g, JC_##cond, JT_##t)
#define LOWER_EQZ(name, t, b, c) visit_eqz(g, JT_##t)
#define LOWER_UN(name, op, t, c) visit_unop(g, JU_##op, JT_##t, JT_##t)
#define LOWER_FBIN(name, op, t, c) visit_fbinop(g, JF_##op, JT_##t, in)
#define LOWER_FUN(name, op, t, c) visit_funop(g, JFU_##op, JT_##t)
#define LOWER_CV(name, from, to, c) \
  visit_convert(g, JCV_##name, JT_##from, JT_##to, false)
#define LOWER_CVT(name, from, to, c) \
  visit_convert(g, JCV_##name, JT_##from, JT_##to, true)
#define LOWER_LD(name, t, b, c) \
  visit_load(g, JM_##name, JT_##t, in)
#define LOWER_ST(name, a, b, c) visit_store(g, JM_##name, in)
#define LOWER_V(name, shape, b, c) \
  cg_visit_vop(g, in, JV_##name, VS_##shape, JT_V128)
#define LOWER_VLANE(name, shape, t, c) \
  cg_visit_vop(g, in, JV_##name, VS_##shape, JT_##t)
#define LOWER_VR(name, shape, det, c) \
  cg_visit_vrelaxed(g, in, JV_##name, VS_##shape, JV_##det)
#define LOWER_VFMA(name, mul, add, c) \
  cg_visit_vfma(g, in, JV_##name, JV_##mul, JV_##add)
#define LOWER_VMEM(name, kind, b, c) cg_visit_vmem(g, in, JV_##name, VM_##kind)
#define LOWER_VCONST(name, a, b, c) cg_visit_vconst(g, in)
#define LOWER_ALD(name, t, b, c) cg_visit_atomic_load(g, in, JT_##t)
#define LOWER_AST(name, t, b, c) cg_visit_atomic_store(g, in)
#define LOWER_ARMW(name, op, t, c) cg_visit_atomic_rmw(g, in, JA_##op, JT_##t)
#define LOWER_ACMPXCHG(name, t, b, c) cg_visit_atomic_cmpxchg(g, in, JT_##t)

/* Nothing inlined into the dispatch (GCC; clang has no such attribute):
 * each case is then a jump to its visitor, and the dispatch saves almost
 * no registers, where inlined cases made it save six for every
 * instruction (1.6 % of a compile's instructions on sqlite). */
#if defined(__GNUC__) && !defined(__clang__)
#define DISPATCH_ONLY __attribute__((optimize("no-inline")))
#else
#define DISPATCH_ONLY
#endif
DISPATCH_ONLY void cg_visit_op(jit_codegen *g, const jit_instr *in) {
  switch ((jit_op)in->op) {
#define OP(name, text, prefix, code, imm, sig, nan, lower, a, b, c) \
  case OP_##name:                                                   \
    LOWER_##lower(name, a, b, c);                                   \
    break;
#include "opcodes.def"
#undef OP
  default: cg_fail(g, "code generator: unsupported opcode"); break;
  }
}
