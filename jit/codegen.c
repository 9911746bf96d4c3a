/* The code generator's core: the abstract value stack, the register
 * allocator, moves into merge conventions, and the control instructions.
 * The other opcodes are in codegen_ops.c.
 *
 * Merge convention of a label with arity n (block/if: results; loop:
 * params): a single value of a block/if travels in merge_gpr/merge_fpr;
 * otherwise value k sits in spill slot (label bias + label height + k).
 *
 * Slot "bias": an if with params must hand the same params to its else
 * arm, but the then arm may spill over their slots. So inside a then arm
 * every canonical slot is shifted up by the if's param count (the bias),
 * which leaves the params' slots untouched until the else.
 */
#include "codegen_internal.h"

#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "libcalls.h"
#include "validate.h"

static uint64_t reg_bit(jit_reg r) { return r < 64 ? 1ull << r : 0; }

jit_type cg_jit_type(uint8_t valtype) {
  switch (valtype) {
  case VT_I32: return JT_I32;
  case VT_I64: return JT_I64;
  case VT_F32: return JT_F32;
  case VT_F64: return JT_F64;
  case VT_V128: return JT_V128;
  default: return JT_REF;
  }
}

int32_t cg_slot(const jit_codegen *g, uint32_t slot_index) {
  return g->slots_base - (int32_t)g->slot_size * (int32_t)slot_index;
}

void cg_fail(jit_codegen *g, const char *what) {
  if (!g->err) g->err = rt_error_new(g->offset, "%s", what);
}

/* ---- registers --------------------------------------------------------- */

/* ---- where the registers and lazy locals of the stack are --------------
 * Nothing below walks the value stack: the entries in registers are found
 * through owner[] and the lazy ones through lazy[], so a block entry, a
 * call or a branch costs what it moves, whatever the stack depth.
 *
 * owner[r] is where r last became an entry's register (a push, a lazy
 * local loaded). It still holds when that position is below sp and is a
 * CG_REG of r: a pop or a spill needs no bookkeeping, which keeps the
 * per-instruction push and pop as cheap as without it. */

static bool holds(const jit_codegen *g, jit_reg r) {
  uint32_t i = g->owner[r];
  return i < g->sp && g->stack[i].kind == CG_REG && g->stack[i].reg == r;
}

/* The registers held by stack entries: allocated ones, not cache ones,
 * whose owner holds. */
static uint64_t held_regs(const jit_codegen *g) {
  uint64_t held = 0;
  uint64_t m = jit_host_target.alloc_mask & ~g->free_regs & ~g->cache.regs;
  for (; m; m &= m - 1) {
    jit_reg r = (jit_reg)__builtin_ctzll(m);
    if (holds(g, r)) held |= 1ull << r;
  }
  return held;
}

/* Removes lazy[k]: its entry is no longer a CG_LOCAL. */
static void lazy_remove_at(jit_codegen *g, uint32_t k) {
  memmove(&g->lazy[k], &g->lazy[k + 1], (g->nlazy - k - 1) * sizeof g->lazy[0]);
  g->nlazy--;
}

static void lazy_remove(jit_codegen *g, uint32_t pos) {
  for (uint32_t k = 0; k < g->nlazy; k++) {
    if (g->lazy[k] == pos) {
      lazy_remove_at(g, k);
      return;
    }
  }
}

/* Drops the lazy entries at or above height (taken off the stack). */
static void lazy_drop_from(jit_codegen *g, uint32_t height) {
  while (g->nlazy && g->lazy[g->nlazy - 1] >= height) g->nlazy--;
}

/* Loads the lazy entry lazy[k] into a register of its own. */
static void lazy_to_reg(jit_codegen *g, uint32_t k) {
  uint32_t i = g->lazy[k];
  lazy_remove_at(g, k);
  jit_type t = (jit_type)g->stack[i].type;
  jit_reg r = cg_alloc_for(g, t);
  cg_load_value(g, &g->stack[i], r);
  g->stack[i].kind = CG_REG;
  g->stack[i].reg = r;
  g->owner[r] = i;
}

/* The bookkeeping above agrees with the stack: NULL, or what is wrong.
 * Walks the whole stack: for tests and -DWRUN_CODEGEN_CHECKS builds. */
const char *cg_check_stack(const jit_codegen *g) {
  uint64_t regs = 0;
  uint32_t nlazy = 0;
  for (uint32_t i = 0; i < g->sp; i++) {
    const cg_value *v = &g->stack[i];
    if (v->kind == CG_REG && v->reg < 64) {
      if (regs & reg_bit(v->reg)) return "a register held by two entries";
      regs |= reg_bit(v->reg);
      if (g->owner[v->reg] != i) return "an entry's register has another owner";
      if (cg_is_free(g, v->reg)) return "an entry's register is free";
      if (g->cache.regs & reg_bit(v->reg))
        return "an entry holds a cache register";
    } else if (v->kind == CG_LOCAL) {
      if (nlazy >= g->nlazy || g->lazy[nlazy] != i)
        return "a lazy entry missing from lazy[]";
      nlazy++;
    }
  }
  if (regs != held_regs(g)) return "held_regs disagrees with the stack";
  /* Between instructions a register in use is an entry's, the cache's,
   * the pending compare's or reserved: anything else leaked. */
  uint64_t used = jit_host_target.alloc_mask & ~g->free_regs;
  uint64_t known = regs | g->cache.regs | cg_fuel_reserved_regs(g);
  if (g->pend.active) {
    known |= reg_bit(g->pend.lhs);
    if (!g->pend.rhs.is_imm) known |= reg_bit(g->pend.rhs.reg);
  }
  if (used & ~known) return "a register in use by nothing (leaked)";
  if (nlazy != g->nlazy) return "lazy[] lists a non-lazy entry";
  return NULL;
}

/* Spills the deepest stack entry whose register is in mask; false if no
 * entry holds such a register. */
static bool spill_oldest_in(jit_codegen *g, uint64_t mask) {
  uint64_t m = held_regs(g) & mask;
  if (!m) return false;
  jit_reg oldest = (jit_reg)__builtin_ctzll(m);
  for (; m; m &= m - 1) {
    jit_reg r = (jit_reg)__builtin_ctzll(m);
    if (g->owner[r] < g->owner[oldest]) oldest = r;
  }
  cg_spill_entry(g, g->owner[oldest]);
  return true;
}

void cg_spill_oldest(jit_codegen *g, bool fpr) {
  spill_oldest_in(g, fpr ? FPR_CLASS : GPR_CLASS);
}

static jit_reg alloc_in(jit_codegen *g, uint64_t mask) {
  uint64_t avail = g->free_regs & mask;
  /* Dropping a cached local costs nothing (its slot is current), so that
   * comes before spilling a live value. */
  if (!avail && cg_cache_evict_one(g, mask)) avail = g->free_regs & mask;
  if (!avail && spill_oldest_in(g, mask)) avail = g->free_regs & mask;
  if (!avail && cg_resident_release(g, mask)) avail = g->free_regs & mask;
  if (!avail) {
    cg_fail(g, "register allocator: no register left");
    uint64_t any = jit_host_target.alloc_mask & mask;
    return any ? (jit_reg)__builtin_ctzll(any) : 0;
  }
  jit_reg r = (jit_reg)__builtin_ctzll(avail);
  g->free_regs &= ~reg_bit(r);
  return r;
}

jit_reg cg_alloc(jit_codegen *g, bool fpr) {
  return alloc_in(g, fpr ? FPR_CLASS : GPR_CLASS);
}

jit_reg cg_alloc_gpr_avoiding(jit_codegen *g, uint64_t avoid) {
  return alloc_in(g, GPR_CLASS & ~avoid);
}

/* Claims register r for a new value (a fixed result register). If a stack
 * entry holds it, that entry is spilled first. */
void cg_take(jit_codegen *g, jit_reg r) {
  if (!(jit_host_target.alloc_mask & reg_bit(r))) return;
  if (g->cache.resident & reg_bit(r))
    cg_fail(g, "code generator: a loop-resident register taken");
  cg_cache_evict_reg(g, r);
  if (r < 64 && holds(g, r)) cg_spill_entry(g, g->owner[r]);
  g->free_regs &= ~reg_bit(r);
}

/* ---- the value stack --------------------------------------------------- */

/* What cg_push leaves out of line: growing the stack, a full lazy[]. */
void cg_push_slow(jit_codegen *g, cg_value v) {
  if (g->sp == g->cap_stack) {
    uint32_t cap = g->cap_stack ? g->cap_stack * 2 : 64;
    cg_value *s = realloc(g->stack, cap * sizeof *s);
    if (!s) {
      cg_fail(g, "out of memory");
      return;
    }
    g->stack = s;
    g->cap_stack = cap;
  }
  if (v.kind == CG_LOCAL) {
    if (g->nlazy == CG_MAX_LAZY) lazy_to_reg(g, 0);
    g->lazy[g->nlazy++] = g->sp;
  } else if (v.kind == CG_REG) {
    g->owner[v.reg] = g->sp;
  }
  g->stack[g->sp++] = v;
  if (g->sp + g->bias > g->max_slots) g->max_slots = g->sp + g->bias;
}

static void push_spill(jit_codegen *g, jit_type t, uint32_t slot_index) {
  cg_value v = {CG_SPILL, (uint8_t)t, JIT_NO_REG, slot_index, 0};
  cg_push(g, v);
}

cg_value cg_pop_underflow(jit_codegen *g) {
  cg_fail(g, "code generator: value stack underflow");
  cg_value zero = {CG_CONST, JT_I32, JIT_NO_REG, 0, 0};
  return zero;
}

void cg_release(jit_codegen *g, const cg_value *v) {
  if (v->kind == CG_REG) cg_free(g, v->reg);
}

/* Drops the entries above height, freeing their registers. */
static void truncate_stack(jit_codegen *g, uint32_t height) {
  if (g->sp <= height) return;
  for (uint64_t m = held_regs(g); m; m &= m - 1) {
    jit_reg r = (jit_reg)__builtin_ctzll(m);
    if (g->owner[r] >= height) cg_free(g, r);
  }
  lazy_drop_from(g, height);
  g->sp = height;
}

void cg_load_value(jit_codegen *g, const cg_value *v, jit_reg dst) {
  jit_type t = (jit_type)v->type;
  switch (v->kind) {
  case CG_CONST: masm_mov_imm(g->m, t, dst, v->bits); break;
  case CG_REG:
    if (v->reg != dst) masm_mov(g->m, t, dst, v->reg);
    break;
  case CG_LOCAL: {
    jit_reg cached = cg_cache_find(g, v->index);
    if (cached == JIT_NO_REG)
      masm_load_frame(g->m, t, dst, g->local_offsets[v->index]);
    else if (cached != dst)
      masm_mov(g->m, t, dst, cached);
    break;
  }
  case CG_SPILL: masm_load_frame(g->m, t, dst, cg_slot(g, v->index)); break;
  }
}

jit_reg cg_pop_to_reg(jit_codegen *g, const cg_value *v) {
  jit_reg r = cg_alloc_for(g, (jit_type)v->type);
  cg_load_value(g, v, r);
  return r;
}

jit_opnd cg_pop_opnd(jit_codegen *g) {
  if (g->sp > 0 && g->stack[g->sp - 1].kind == CG_CONST) {
    cg_value v = cg_pop(g);
    if (v.type == JT_I32) return jit_imm_opnd((int64_t)(int32_t)(uint32_t)v.bits);
    return jit_imm_opnd((int64_t)v.bits);
  }
  return jit_reg_opnd(cg_pop_reg(g));
}

/* ---- spilling ---------------------------------------------------------- */

void cg_spill_entry(jit_codegen *g, uint32_t i) {
  cg_value *v = &g->stack[i];
  if (v->kind != CG_REG) return;
  cg_nan_before_spill(g, i);
  uint32_t slot = i + g->bias;
  masm_store_frame(g->m, (jit_type)v->type, v->reg, cg_slot(g, slot));
  cg_free(g, v->reg);
  v->kind = CG_SPILL;
  v->reg = JIT_NO_REG;
  v->index = slot;
}

void cg_spill_all_regs(jit_codegen *g) {
  for (uint64_t m = held_regs(g); m; m &= m - 1)
    cg_spill_entry(g, g->owner[__builtin_ctzll(m)]);
}

/* The cache goes too: the call's argument registers are allocatable, and
 * lazy locals loaded into them afterwards must come from memory. */
void cg_flush_for_call(jit_codegen *g) {
  /* a resident loop's body has no calls (codegen_resident.c) */
  if (g->cache.resident)
    cg_fail(g, "code generator: a call inside a loop with residents");
  cg_spill_all_regs(g);
  cg_cache_clear(g);
}

/* Moves entry i (any kind) into its canonical slot; constants too when
 * with_consts. */
static void force_to_slot(jit_codegen *g, uint32_t i, bool with_consts) {
  cg_value *v = &g->stack[i];
  uint32_t slot = i + g->bias;
  jit_type t = (jit_type)v->type;
  if (v->kind == CG_REG) {
    cg_spill_entry(g, i);
    return;
  }
  if (v->kind == CG_SPILL && v->index == slot) return;
  if (v->kind == CG_CONST) {
    if (!with_consts) return;
    masm_store_frame_imm(g->m, t, cg_slot(g, slot), v->bits);
  } else {
    jit_reg tmp = cg_alloc_for(g, t);
    v = &g->stack[i];
    cg_load_value(g, v, tmp);
    masm_store_frame(g->m, t, tmp, cg_slot(g, slot));
    cg_free(g, tmp);
    if (v->kind == CG_LOCAL) lazy_remove(g, i);
  }
  v->kind = CG_SPILL;
  v->reg = JIT_NO_REG;
  v->index = slot;
}

/* Block entry: everything below the new block and its params goes to
 * memory (constants may stay below), so every path into the block's label
 * agrees on where those values are. */
static void flush_for_block(jit_codegen *g, uint32_t nparams) {
  cg_spill_all_regs(g);
  /* Below the params only lazy locals need moving: a value already in
   * memory stays where it is (it may be an if's param kept out of the then
   * arm's slots). Params must be in their canonical slots, the loop
   * convention. */
  uint32_t first_param = g->sp - nparams;
  while (g->nlazy && g->lazy[0] < first_param)
    force_to_slot(g, g->lazy[0], false);
  for (uint32_t i = first_param; i < g->sp; i++) force_to_slot(g, i, true);
}

void cg_materialize_params(jit_codegen *g, const rt_functype *ft) {
  uint32_t base = g->sp >= ft->nparams ? g->sp - ft->nparams : 0;
  for (uint32_t k = 0; k < g->nlazy;) {
    uint32_t pos = g->lazy[k], local = g->stack[pos].index;
    jit_reg cached = local < g->nparams ? cg_cache_find(g, local) : JIT_NO_REG;
    uint32_t arg = pos - base; /* below base: not an argument */
    if (pos >= base && local == arg &&
        cg_passes_itself(g, arg,
                         jit_host_target.param_base +
                             (int32_t)rt_array_size(ft->types, arg),
                         local)) {
      k++; /* stays as it is, not stored (cg_store_args) */
    } else if (cached != JIT_NO_REG) {
      /* Its register still holds the value after the slot is overwritten
       * (stores write memory only): lent, so that no allocation of this
       * instruction evicts it, and read there (tailcall's handlers pass
       * `vars` on as `mov r12d, r10d ... mov r10d, r12d` otherwise). */
      g->cache.lent |= 1ull << cached;
      k++;
    } else if (local < g->nparams) {
      lazy_to_reg(g, k); /* removes lazy[k] */
    } else {
      k++;
    }
  }
}

void cg_materialize_local(jit_codegen *g, uint32_t local) {
  for (uint32_t k = 0; k < g->nlazy;) {
    if (g->stack[g->lazy[k]].index == local)
      lazy_to_reg(g, k); /* removes lazy[k] */
    else
      k++;
  }
}

/* ---- compares ---------------------------------------------------------- */

static jit_cond invert_int_cond(jit_cond c) {
  switch (c) {
  case JC_EQ: return JC_NE;
  case JC_NE: return JC_EQ;
  case JC_LT_S: return JC_GE_S;
  case JC_LT_U: return JC_GE_U;
  case JC_GT_S: return JC_LE_S;
  case JC_GT_U: return JC_LE_U;
  case JC_LE_S: return JC_GT_S;
  case JC_LE_U: return JC_GT_U;
  case JC_GE_S: return JC_LT_S;
  case JC_GE_U: return JC_LT_U;
  case JC_TST_Z: return JC_TST_NZ;
  case JC_TST_NZ: return JC_TST_Z;
  case JC_FEQ: return JC_FNE;
  case JC_FNE: return JC_FEQ;
  default: return c;
  }
}

static bool cond_is_float(jit_cond c) { return c >= JC_FEQ; }

/* Float compares are false on NaN, so only eq/ne invert exactly. */
static bool cond_invertible(jit_cond c) {
  return !cond_is_float(c) || c == JC_FEQ || c == JC_FNE;
}

/* Logical negation of the pending compare (i32.eqz on it). */
void cg_negate_pending(jit_codegen *g) {
  jit_cond c = (jit_cond)g->pend.cond;
  if (cond_invertible(c))
    g->pend.cond = (uint8_t)invert_int_cond(c);
  else
    g->pend.negate = !g->pend.negate;
}

/* A pending compare's operands may be lent cache registers (compares
 * only read them), so they are released with cg_done_read. */
static void release_pending(jit_codegen *g, const cg_pending *p) {
  cg_done_read(g, p->lhs);
  if (!p->rhs.is_imm) cg_done_read(g, p->rhs.reg);
}

/* The cache registers lent to the pending compare stay lent until the
 * next instruction fuses or materialises it. */
static uint64_t pending_loans(const jit_codegen *g) {
  if (!g->pend.active) return 0;
  uint64_t loans = 1ull << g->pend.lhs;
  if (!g->pend.rhs.is_imm) loans |= 1ull << g->pend.rhs.reg;
  return loans & g->cache.regs;
}

/* Emits the pending compare as a 0/1 value in a fresh GPR (the compare's
 * registers stay allocated; the caller releases them). */
static jit_reg pending_to_reg(jit_codegen *g, const cg_pending *p) {
  jit_reg dst = cg_alloc(g, false);
  masm_cmp_set(g->m, (jit_cond)p->cond, (jit_type)p->type, dst, p->lhs,
               p->rhs);
  if (p->negate) masm_unop(g->m, JU_EQZ, JT_I32, dst, dst);
  return dst;
}

void cg_materialize_pending(jit_codegen *g) {
  if (!g->pend.active) return;
  cg_pending p = g->pend;
  g->pend.active = false;
  jit_reg dst = pending_to_reg(g, &p);
  release_pending(g, &p);
  cg_push_reg(g, JT_I32, dst);
}

/* A branch condition: a pending compare or an i32 in a register. */
typedef struct cg_cond {
  bool is_pending;
  bool lent; /* reg is a local's cache register, only read (cg_pop_read) */
  cg_pending p;
  jit_reg reg;
} cg_cond;

/* read_only: the caller branches on the condition before any other code,
 * so a cached local can be tested in its own register (`local.tee x;
 * br_if` tests x's register, not a copy of it). */
static cg_cond take_cond_for(jit_codegen *g, bool read_only) {
  cg_cond c;
  memset(&c, 0, sizeof c);
  if (g->pend.active) {
    c.is_pending = true;
    c.p = g->pend;
    g->pend.active = false;
  } else if (read_only) {
    c.reg = cg_pop_read(g);
    c.lent = true;
  } else {
    c.reg = cg_pop_reg(g);
  }
  return c;
}

static cg_cond take_cond(jit_codegen *g) { return take_cond_for(g, false); }

/* The condition local.get `local` (popped earlier), tested in its cache
 * register. The local cannot have changed meanwhile (no local.set ran). */
static cg_cond local_cond(jit_codegen *g, uint32_t local) {
  cg_cond c;
  memset(&c, 0, sizeof c);
  c.reg = cg_local_read(g, local);
  c.lent = true;
  return c;
}

static void release_cond(jit_codegen *g, const cg_cond *c) {
  if (c->is_pending)
    release_pending(g, &c->p);
  else if (c->lent)
    cg_done_read(g, c->reg);
  else
    cg_free(g, c->reg);
}

/* Jumps to l when the condition's truth equals `when`. */
static void branch_on_cond(jit_codegen *g, const cg_cond *c, bool when,
                           jit_label *l) {
  if (!c->is_pending) {
    masm_branch_zero(g->m, JT_I32, c->reg, !when, l);
    return;
  }
  const cg_pending *p = &c->p;
  jit_cond cond = (jit_cond)p->cond;
  bool on_true = when != p->negate; /* branch when the raw compare is this */
  if (on_true) {
    masm_cmp_branch(g->m, cond, (jit_type)p->type, p->lhs, p->rhs, l);
  } else if (cond_invertible(cond)) {
    masm_cmp_branch(g->m, invert_int_cond(cond), (jit_type)p->type, p->lhs,
                    p->rhs, l);
  } else {
    /* A float compare that is false on NaN: its negation is not the
     * opposite ordered compare, the backend branches on "not". */
    masm_cmp_branch_not(g->m, cond, (jit_type)p->type, p->lhs, p->rhs, l);
  }
}

/* ---- snapshots: code on a taken path must not change the fall-through's
 * abstract state ----------------------------------------------------------- */

/* A branch path only pops entries (their contents stay in the array),
 * spills entries held in registers and stores lazy ones: those are the
 * entries a snapshot keeps, so it costs the registers and lazy locals,
 * not the stack depth. */
typedef struct cg_snapshot {
  uint32_t sp, nlazy;
  uint64_t free_regs, in_regs; /* the registers entries held */
  uint32_t lazy[CG_MAX_LAZY];
  uint32_t owner[64];  /* of the owned registers, in register order */
  cg_value held[64 + CG_MAX_LAZY]; /* their entries, then the lazy ones */
  cg_cache cache; /* the taken path's code does not run on fall-through */
} cg_snapshot;

static void snapshot_save(jit_codegen *g, cg_snapshot *s) {
  s->sp = g->sp;
  s->nlazy = g->nlazy;
  s->free_regs = g->free_regs;
  s->in_regs = held_regs(g);
  s->cache = g->cache;
  memcpy(s->lazy, g->lazy, g->nlazy * sizeof s->lazy[0]);
  uint32_t n = 0;
  for (uint64_t m = s->in_regs; m; m &= m - 1, n++) {
    s->owner[n] = g->owner[__builtin_ctzll(m)];
    s->held[n] = g->stack[s->owner[n]];
  }
  for (uint32_t k = 0; k < g->nlazy; k++) s->held[n++] = g->stack[g->lazy[k]];
}

static void snapshot_restore(jit_codegen *g, const cg_snapshot *s) {
  g->sp = s->sp;
  g->nlazy = s->nlazy;
  g->free_regs = s->free_regs;
  g->cache = s->cache;
  memcpy(g->lazy, s->lazy, s->nlazy * sizeof g->lazy[0]);
  uint32_t n = 0;
  for (uint64_t m = s->in_regs; m; m &= m - 1, n++) {
    g->owner[__builtin_ctzll(m)] = s->owner[n];
    g->stack[s->owner[n]] = s->held[n];
  }
  for (uint32_t k = 0; k < g->nlazy; k++) g->stack[g->lazy[k]] = s->held[n++];
}

/* ---- moves into a merge convention ------------------------------------ */

static cg_ctrl *ctrl_top(jit_codegen *g) { return &g->ctrl[g->nctrl - 1]; }

static cg_ctrl *ctrl_target(jit_codegen *g, uint32_t depth) {
  if (depth >= g->nctrl) {
    cg_fail(g, "code generator: bad branch depth");
    return &g->ctrl[0];
  }
  return &g->ctrl[g->nctrl - 1 - depth];
}

static uint32_t label_arity(const cg_ctrl *c, const rt_valtype **types) {
  if (c->kind == CG_LOOP) {
    *types = c->params;
    return c->nparams;
  }
  *types = c->results;
  return c->nresults;
}

static jit_reg merge_reg_for(jit_type t) {
  return jit_type_is_float(t) ? jit_host_target.merge_fpr
                              : jit_host_target.merge_gpr;
}

static bool uses_merge_reg(const cg_ctrl *c, uint32_t n) {
  return n == 1 && c->kind != CG_LOOP;
}

static uint32_t ctrl_index(const jit_codegen *g, const cg_ctrl *c) {
  return (uint32_t)(c - g->ctrl);
}

/* Does the live cache hold every entry the loop head c expects? */
static bool loop_head_satisfied(const jit_codegen *g, const cg_ctrl *c) {
  if (!c->label_cache) return true;
  cg_cache want;
  cg_snap_load(g, c->label_cache, &want);
  return cg_cache_satisfies(g, &want);
}

static bool branch_needs_moves(jit_codegen *g, const cg_ctrl *c) {
  if (c->kind == CG_FUNC) return true;
  if (cg_resident_leaves(g, ctrl_index(g, c))) return true;
  if (c->kind == CG_LOOP && !loop_head_satisfied(g, c)) return true;
  const rt_valtype *types;
  uint32_t n = label_arity(c, &types);
  if (n == 0) return false;
  if (uses_merge_reg(c, n)) {
    const cg_value *v = &g->stack[g->sp - 1];
    return !(v->kind == CG_REG && v->reg == merge_reg_for((jit_type)v->type));
  }
  for (uint32_t k = 0; k < n; k++) {
    const cg_value *v = &g->stack[g->sp - n + k];
    if (v->kind != CG_SPILL || v->index != c->bias + c->height + k)
      return true;
  }
  return false;
}

/* A temp register of a class for copying source k of srcs[0..n) (whose
 * stack positions start at base). When none is free, a later source held in
 * a register is spilled to its own canonical slot, which no earlier target
 * can have overwritten (targets lie at or below their sources). */
static jit_reg pick_temp(jit_codegen *g, cg_value *srcs, uint32_t k,
                         uint32_t n, uint32_t base, bool fpr) {
  uint64_t cls = fpr ? FPR_CLASS : GPR_CLASS;
  uint64_t avail = g->free_regs & cls;
  if (!avail && cg_cache_evict_one(g, cls)) avail = g->free_regs & cls;
  if (!avail) {
    for (uint32_t j = n; j-- > k + 1;) {
      cg_value *s = &srcs[j];
      if (s->kind != CG_REG || !(reg_bit(s->reg) & cls)) continue;
      uint32_t slot = base + j + g->bias;
      masm_store_frame(g->m, (jit_type)s->type, s->reg, cg_slot(g, slot));
      cg_free(g, s->reg);
      s->kind = CG_SPILL;
      s->reg = JIT_NO_REG;
      s->index = slot;
      break;
    }
    avail = g->free_regs & cls;
  }
  if (!avail) {
    cg_fail(g, "register allocator: no temp register for a merge");
    return 0;
  }
  jit_reg r = (jit_reg)__builtin_ctzll(avail);
  g->free_regs &= ~reg_bit(r);
  return r;
}

/* Stores srcs[first..n) to the fp offsets dst_offs[k], in increasing k.
 * Register sources are freed. */
static void store_sources(jit_codegen *g, cg_value *srcs, uint32_t first,
                          uint32_t n, uint32_t base, const int32_t *dst_offs,
                          const uint32_t *dst_slots) {
  for (uint32_t k = first; k < n; k++) {
    cg_value *s = &srcs[k];
    jit_type t = (jit_type)s->type;
    if (s->kind == CG_SPILL && dst_slots && s->index == dst_slots[k]) continue;
    switch (s->kind) {
    case CG_REG:
      masm_store_frame(g->m, t, s->reg, dst_offs[k]);
      cg_free(g, s->reg);
      break;
    case CG_CONST: masm_store_frame_imm(g->m, t, dst_offs[k], s->bits); break;
    default: {
      jit_reg tmp = pick_temp(g, srcs, k, n, base, jit_type_is_float(t));
      cg_load_value(g, s, tmp);
      masm_store_frame(g->m, t, tmp, dst_offs[k]);
      cg_free(g, tmp);
    }
    }
  }
}

/* Takes the top n values off the stack (into a malloc'ed array) and drops
 * everything above height; the sources' registers stay allocated. */
static cg_value *take_sources(jit_codegen *g, uint32_t n, uint32_t height,
                              uint32_t *base) {
  cg_value *srcs = malloc((n ? n : 1) * sizeof *srcs);
  if (!srcs) {
    cg_fail(g, "out of memory");
    return NULL;
  }
  *base = g->sp - n;
  if (n) memcpy(srcs, &g->stack[*base], n * sizeof *srcs);
  lazy_drop_from(g, *base);
  g->sp = *base;
  truncate_stack(g, height);
  return srcs;
}

/* Moves the top values into c's merge convention and drops the stack down
 * to c's height. */
static void move_to_convention(jit_codegen *g, cg_ctrl *c) {
  const rt_valtype *types;
  uint32_t n = label_arity(c, &types);
  if (n > g->sp - c->height) {
    cg_fail(g, "code generator: value stack underflow at a branch");
    return;
  }
  if (n == 0) {
    truncate_stack(g, c->height);
    return;
  }
  if (uses_merge_reg(c, n)) {
    cg_value v = cg_pop(g);
    jit_reg merge = merge_reg_for((jit_type)v.type);
    cg_load_value(g, &v, merge);
    cg_cache_evict_reg(g, merge);
    cg_release(g, &v);
    truncate_stack(g, c->height);
    return;
  }
  uint32_t base;
  cg_value *srcs = take_sources(g, n, c->height, &base);
  int32_t *offs = malloc(n * sizeof *offs);
  uint32_t *slots = malloc(n * sizeof *slots);
  if (srcs && offs && slots) {
    for (uint32_t k = 0; k < n; k++) {
      slots[k] = c->bias + c->height + k;
      offs[k] = cg_slot(g, slots[k]);
    }
    store_sources(g, srcs, 0, n, base, offs, slots);
  } else if (srcs) {
    cg_fail(g, "out of memory");
    for (uint32_t k = 0; k < n; k++) cg_release(g, &srcs[k]);
  }
  free(srcs);
  free(offs);
  free(slots);
}

/* Array layout offset of value i of types[0..n). */
static uint32_t array_offset(const rt_valtype *types, uint32_t i) {
  return rt_array_size(types, i);
}

/* The return sequence: result 0 in the return register of its class,
 * results i >= 1 in the caller's outgoing area (which also holds our
 * params), then the epilogue. Consumes the stack. */
static void emit_return(jit_codegen *g) {
  const rt_functype *ft = g->type;
  uint32_t n = ft->nresults;
  const rt_valtype *rtypes = ft->types + ft->nparams;
  if (n > g->sp) {
    cg_fail(g, "code generator: value stack underflow at return");
    return;
  }
  if (n >= 2) {
    /* A lazy copy of a param could be overwritten by a result store. */
    for (uint32_t i = g->sp - n; i < g->sp; i++) {
      cg_value *v = &g->stack[i];
      if (v->kind == CG_LOCAL && v->index < g->nparams) force_to_slot(g, i, false);
    }
  }
  uint32_t base;
  cg_value *srcs = take_sources(g, n, 0, &base);
  if (!srcs) return;
  if (n >= 2) {
    int32_t *offs = malloc(n * sizeof *offs);
    if (!offs) {
      cg_fail(g, "out of memory");
    } else {
      for (uint32_t k = 0; k < n; k++)
        offs[k] = jit_host_target.param_base + (int32_t)array_offset(rtypes, k);
      store_sources(g, srcs, 1, n, base, offs, NULL);
      free(offs);
    }
  }
  if (n >= 1) {
    jit_type t = (jit_type)srcs[0].type;
    jit_reg ret = jit_type_is_float(t) ? jit_host_target.ret_fpr
                                       : jit_host_target.ret_gpr;
    cg_load_value(g, &srcs[0], ret);
    cg_release(g, &srcs[0]);
  }
  free(srcs);
  cg_fuel_sync_out(g);
  masm_epilogue(g->m);
}

/* Records a branch to c's label from here: the label's cache keeps what
 * this path agrees with. A loop's label is its head (see visit_block). */
static void note_edge(jit_codegen *g, cg_ctrl *c) {
  if (c->kind == CG_LOOP) {
    c->targeted = true; /* the moves were made by the caller */
    return;
  }
  if (c->targeted)
    cg_snap_meet(g, c->label_cache, &g->cache);
  else
    c->label_cache = cg_snap_save(g, ctrl_index(g, c));
  c->targeted = true;
}

/* Moves into c's convention and jumps there (or returns). Changes the
 * abstract state: callers wrap it in a snapshot. */
static void emit_branch(jit_codegen *g, cg_ctrl *c) {
  if (c->kind == CG_FUNC) {
    emit_return(g);
    return;
  }
  if (cg_resident_leaves(g, ctrl_index(g, c))) cg_resident_flush(g);
  move_to_convention(g, c);
  if (c->kind == CG_LOOP && c->label_cache) {
    cg_cache want;
    cg_snap_load(g, c->label_cache, &want);
    cg_cache_establish(g, &want);
  }
  masm_jmp(g->m, &c->label);
  note_edge(g, c);
}

static void emit_branch_preserving(jit_codegen *g, cg_ctrl *c) {
  cg_snapshot s;
  snapshot_save(g, &s);
  emit_branch(g, c);
  snapshot_restore(g, &s);
}

/* ---- control instructions ---------------------------------------------- */

static void set_unreachable(jit_codegen *g) {
  if (g->pend.active) {
    release_pending(g, &g->pend);
    g->pend.active = false;
  }
  if (g->nctrl) truncate_stack(g, ctrl_top(g)->height);
  g->unreachable = true;
  g->dead_depth = 0;
  cg_cache_clear(g);
}

static bool has_v128(const rt_valtype *types, uint32_t n) {
  for (uint32_t i = 0; i < n; i++)
    if (types[i] == VT_V128) return true;
  return false;
}

static cg_ctrl *push_ctrl(jit_codegen *g, uint8_t kind) {
  if (g->nctrl == g->cap_ctrl) {
    uint32_t cap = g->cap_ctrl ? g->cap_ctrl * 2 : 16;
    cg_ctrl *c = realloc(g->ctrl, cap * sizeof *c);
    if (!c) {
      cg_fail(g, "out of memory");
      return NULL;
    }
    g->ctrl = c;
    g->cap_ctrl = cap;
  }
  cg_ctrl *c = &g->ctrl[g->nctrl++];
  memset(c, 0, sizeof *c);
  c->kind = kind;
  c->bias = g->bias;
  c->snap_mark = g->snap_top;
  jit_label_init(&c->label);
  if (g->exn_used && !cg_exn_frame_pushed(g, g->nctrl - 1)) return NULL;
  jit_label_init(&c->else_label);
  return c;
}

/* Pops the top frame and the snapshots it owns. */
static void pop_ctrl(jit_codegen *g) {
  cg_ctrl *c = ctrl_top(g);
  if (g->exn_used) cg_exn_frame_popped(g, g->nctrl - 1);
  if (c->kind == CG_LOOP) g->inner_loop = c->outer_loop;
  cg_snap_pop(g, g->nctrl - 1, c->snap_mark);
  g->nctrl--;
}

static void adopt_snap(jit_codegen *g, cg_snap s) {
  cg_cache want;
  cg_snap_load(g, s, &want);
  cg_cache_adopt(g, &want);
}

#define LOOP_CACHE_GPRS 4
#define LOOP_CACHE_FPRS 6

static void visit_block(jit_codegen *g, const jit_instr *in) {
  const rt_valtype *params, *results;
  uint32_t np, nr;
  jit_blocktype_sig(g->mod, &in->u.block, &params, &np, &results, &nr);
  if (!g->vec_ok && (has_v128(params, np) || has_v128(results, nr))) {
    g->simd = true;
    return;
  }
  cg_cond cond;
  bool is_if = in->op == OP_IF;
  /* `local.get x; if` tests x's register after the flush, not a copy
   * made before it */
  uint32_t cond_local = UINT32_MAX;
  if (is_if && !g->pend.active && g->sp > 0 &&
      g->stack[g->sp - 1].kind == CG_LOCAL) {
    cond_local = g->stack[g->sp - 1].index;
    cg_pop(g);
  } else if (is_if) {
    cond = take_cond(g);
  }
  if (np > g->sp) {
    cg_fail(g, "code generator: value stack underflow at block");
    return;
  }
  flush_for_block(g, np);
  uint8_t kind = in->op == OP_LOOP ? CG_LOOP : is_if ? CG_IF : CG_BLOCK;
  cg_ctrl *c = push_ctrl(g, kind);
  if (!c) return;
  c->height = g->sp - np;
  c->params = params;
  c->nparams = np;
  c->results = results;
  c->nresults = nr;
  if (kind == CG_LOOP) {
    /* Residents first (codegen_resident.c), keeping the registers they
     * are cached in: a register parameter the loop reads stays where it
     * came. */
    uint32_t resident_gprs = cg_resident_begin(g, in, ctrl_index(g, c));
    /* The head keeps the most recent cache entries; each back edge moves
     * them back into place (cg_cache_establish). Few, as every back edge
     * pays for those its path lost; residents count against the budget. */
    /* Nor register parameters unread so far: the loop would restore
     * them at every back edge whose path needed their registers, to
     * keep in registers what it may never read (sha256's block). */
    cg_cache_drop_unused_since(g, g->arg_seed_clock);
    uint32_t gprs = resident_gprs < LOOP_CACHE_GPRS
                        ? LOOP_CACHE_GPRS - resident_gprs : 0;
    cg_cache_prune(g, (int)gprs, LOOP_CACHE_FPRS);
    cg_memory_size_before_loop(g); /* beyond the budget: no local loses */
    c->label_cache = cg_snap_save(g, ctrl_index(g, c));
    c->outer_loop = g->inner_loop;
    g->inner_loop = ctrl_index(g, c) + 1;
    if (g->nzero) {
      memset(g->local_zero, 0, g->nlocals);
      g->nzero = 0;
    }
    masm_align(g->m, 16); /* entered once by fall-through, then by branches */
    masm_bind(g->m, &c->label);
    /* Every iteration passes here: an interrupt poisons the stack limit,
     * so this check is what stops a loop that never calls or returns. */
    masm_stack_check(g->m, RT_VMCTX_STACK_LIMIT, &g->overflow);
  }
  if (is_if) {
    if (cond_local != UINT32_MAX) cond = local_cond(g, cond_local);
    branch_on_cond(g, &cond, false, &c->else_label);
    release_cond(g, &cond);
    c->else_cache = cg_snap_save(g, ctrl_index(g, c));
    /* The else arm needs the params where they are now. */
    g->bias += np;
  }
}

static void push_params_as_spills(jit_codegen *g, const cg_ctrl *c) {
  for (uint32_t k = 0; k < c->nparams; k++)
    push_spill(g, cg_jit_type(c->params[k]), c->bias + c->height + k);
}

static void visit_else(jit_codegen *g) {
  cg_ctrl *c = ctrl_top(g);
  if (!g->unreachable) {
    move_to_convention(g, c);
    masm_jmp(g->m, &c->label);
    note_edge(g, c);
  }
  set_unreachable(g);
  g->bias = c->bias;
  masm_bind(g->m, &c->else_label);
  /* reached from the if, not from the then arm */
  adopt_snap(g, c->else_cache);
  push_params_as_spills(g, c);
  c->kind = CG_ELSE;
  g->unreachable = false;
}

static void push_results(jit_codegen *g, const cg_ctrl *c) {
  if (uses_merge_reg(c, c->nresults)) {
    jit_type t = cg_jit_type(c->results[0]);
    jit_reg r = merge_reg_for(t);
    cg_take(g, r);
    cg_push_reg(g, t, r);
    return;
  }
  for (uint32_t k = 0; k < c->nresults; k++)
    push_spill(g, cg_jit_type(c->results[k]), c->bias + c->height + k);
}

void jit_codegen_set_trap_calls(jit_codegen *g, bool on) {
  g->trap_calls = on;
}

void jit_codegen_set_map_every_instruction(jit_codegen *g, bool on) {
  g->map_every_instruction = on;
}

void jit_codegen_set_residents(jit_codegen *g, bool on) {
  g->residents_off = !on;
}

/* A trap: ud2/udf, which the signal handler recognises by its pc, or
 * without signals a call of rt_lib_trap(code), which unwinds from C as a
 * trapping libcall does. The fuel register goes to memory first, as
 * before a libcall: the unwind reads the count there. sp is 16-byte
 * aligned everywhere in a body (the frame is fixed), so the call is a
 * proper C call; it never returns. */
static void emit_trap(jit_codegen *g, uint8_t code) {
  if (!g->trap_calls) {
    masm_trap(g->m, code);
    return;
  }
  masm_mov_imm(g->m, JT_I32, jit_host_target.c_arg[0], code);
  cg_fuel_sync_out(g);
  masm_call_abs(g->m, (const void *)rt_lib_trap);
}

static void finish_function(jit_codegen *g) {
  /* The stubs' pc map entries take g->offset (see jit_codegen_begin). */
  uint32_t end_offset = g->offset;
  for (uint8_t code = 0; code < WRUN_TRAP_COUNT; code++) {
    if (!g->trap_used[code]) continue;
    masm_bind(g->m, &g->trap_labels[code]);
    g->offset = g->trap_site[code];
    emit_trap(g, code);
  }
  masm_bind(g->m, &g->overflow);
  /* A stack overflow is the prologue's: the loop heads' checks fail only
   * on an interrupt (which poisons the limit), and then the runtime
   * forgets the offset (runtime/call.c). */
  g->offset = g->mod->funcs[g->func_index].body_offset;
  emit_trap(g, WRUN_TRAP_STACK_EXHAUSTED);
  g->offset = end_offset;
  /* locals_bytes includes the tail-call capacity slot when there is one */
  /* Last, so that the code before them is that of the function without
   * a try (not even a stub moves). */
  cg_exn_emit_pads(g);
  uint32_t frame = CG_SAVED_VMCTX_SIZE + g->locals_bytes +
                   g->slot_size * g->max_slots +
                   g->out_size;
  frame = (frame + 15u) & ~15u;
  masm_finish_frame(g->m, frame);
  cg_exn_set_frame_size(g, frame);
  g->nctrl = 0;
  g->done = true;
}

static void visit_end(jit_codegen *g) {
  cg_ctrl *c = ctrl_top(g);
  bool fell = !g->unreachable;
  if (c->kind == CG_FUNC) {
    if (fell) emit_return(g);
    finish_function(g);
    return;
  }
  if (c->kind == CG_LOOP) {
    /* A loop's label is its head: the results simply stay on the stack. */
    uint32_t bias = c->bias;
    if (g->resident_loop == ctrl_index(g, c) + 1) cg_resident_end(g, fell);
    pop_ctrl(g);
    g->bias = bias;
    if (!fell) set_unreachable(g);
    return;
  }
  if (fell) move_to_convention(g, c);
  if (c->kind == CG_IF) {
    /* No else: the implicit else passes the params through. */
    if (fell) {
      masm_jmp(g->m, &c->label);
      note_edge(g, c);
    }
    truncate_stack(g, c->height);
    g->bias = c->bias;
    masm_bind(g->m, &c->else_label);
    adopt_snap(g, c->else_cache);
    push_params_as_spills(g, c);
    move_to_convention(g, c);
    fell = true;
  }
  if (g->pend.active) {
    release_pending(g, &g->pend);
    g->pend.active = false;
  }
  truncate_stack(g, c->height);
  masm_bind(g->m, &c->label);
  if (g->exn_used) cg_exn_label_bound(g, ctrl_index(g, c));
  /* The cache at the label is what all arriving paths agree on. */
  if (c->targeted && fell) {
    cg_cache join = g->cache, label;
    cg_snap_load(g, c->label_cache, &label);
    cg_cache_meet(&join, &label);
    cg_cache_adopt(g, &join);
  } else if (c->targeted) {
    adopt_snap(g, c->label_cache);
  } else if (!fell) {
    cg_cache_clear(g);
  }
  bool reachable = fell || c->targeted;
  cg_ctrl done = *c;
  pop_ctrl(g);
  g->bias = done.bias;
  if (reachable) {
    g->unreachable = false;
    push_results(g, &done);
  } else {
    set_unreachable(g);
  }
}

static void visit_br(jit_codegen *g, uint32_t depth) {
  emit_branch_preserving(g, ctrl_target(g, depth));
  set_unreachable(g);
}

/* The registers a condition reads. */
static uint64_t cond_regs(const cg_cond *c) {
  if (!c->is_pending) return 1ull << c->reg;
  uint64_t regs = 1ull << c->p.lhs;
  if (!c->p.rhs.is_imm) regs |= 1ull << c->p.rhs.reg;
  return regs;
}

/* A br_if back to a loop head whose registers need moves (and no loop
 * params): the moves run before the test, on both paths, and the branch
 * goes straight to the head, `moves; cmp; jcc head` instead of `cmp;
 * j!cc skip; moves; jmp head; skip:`, one taken jump less per iteration.
 * The fall-through then has the head's registers too: the cache says so.
 * Only when no move writes a register that something live on the
 * fall-through holds (a stack entry, the condition) and none reads one of
 * the condition's (whose cache entry would change under it). */
static bool br_if_loop_moves_first(jit_codegen *g, cg_ctrl *c,
                                   const cg_cond *cond) {
  if (c->kind != CG_LOOP || !c->label_cache) return false;
  /* Leaving a resident loop: its stores go on the taken path only, and
   * the moves may overwrite residents, which the fall-through keeps. */
  if (cg_resident_outside(g, ctrl_index(g, c))) return false;
  const rt_valtype *types;
  if (label_arity(c, &types) != 0) return false;
  cg_cache want;
  cg_snap_load(g, c->label_cache, &want);
  uint64_t busy = cond_regs(cond) | g->cache.lent, dsts = 0;
  for (uint64_t m = want.regs; m; m &= m - 1) {
    jit_reg r = (jit_reg)__builtin_ctzll(m);
    uint32_t local = want.local[r];
    jit_reg src = cg_cache_find(g, local);
    if (src == r) continue;
    if ((busy | g->cache.resident) & (1ull << r)) return false;
    if (!cg_is_free(g, r) && !(g->cache.regs & (1ull << r))) return false;
    if (src != JIT_NO_REG && (busy & (1ull << src))) return false;
    dsts |= 1ull << r;
  }
  cg_cache_establish(g, &want);
  for (uint64_t m = dsts; m; m &= m - 1)
    cg_cache_evict_reg(g, (jit_reg)__builtin_ctzll(m));
  for (uint64_t m = dsts; m; m &= m - 1) {
    jit_reg r = (jit_reg)__builtin_ctzll(m);
    cg_cache_drop_local(g, want.local[r]);
    cg_take(g, r);
    cg_cache_set(g, want.local[r], r);
  }
  return true;
}

static void visit_br_if(jit_codegen *g, uint32_t depth) {
  cg_cond cond = take_cond_for(g, true);
  cg_ctrl *c = ctrl_target(g, depth);
  if (!branch_needs_moves(g, c) || br_if_loop_moves_first(g, c, &cond)) {
    branch_on_cond(g, &cond, true, &c->label);
    release_cond(g, &cond);
    note_edge(g, c);
    return;
  }
  jit_label skip;
  jit_label_init(&skip);
  branch_on_cond(g, &cond, false, &skip);
  release_cond(g, &cond);
  emit_branch_preserving(g, c);
  masm_bind(g->m, &skip);
}

/* br_on_null: branches with the values below the reference when it is
 * null, else goes on with it (now known non-null) on the stack. */
static void visit_br_on_null(jit_codegen *g, uint32_t depth) {
  jit_reg ref = cg_pop_reg(g);
  cg_ctrl *c = ctrl_target(g, depth);
  if (!branch_needs_moves(g, c)) {
    masm_branch_zero(g->m, JT_I64, ref, true, &c->label);
    note_edge(g, c);
  } else {
    jit_label skip;
    jit_label_init(&skip);
    masm_branch_zero(g->m, JT_I64, ref, false, &skip);
    emit_branch_preserving(g, c);
    masm_bind(g->m, &skip);
  }
  cg_push_reg(g, JT_REF, ref);
}

/* br_on_non_null: branches with the reference when it is not null, else
 * drops it and goes on. */
static void visit_br_on_non_null(jit_codegen *g, uint32_t depth) {
  jit_reg ref = cg_pop_reg(g);
  cg_push_reg(g, JT_REF, ref);
  cg_ctrl *c = ctrl_target(g, depth);
  if (!branch_needs_moves(g, c)) {
    masm_branch_zero(g->m, JT_I64, ref, false, &c->label);
    note_edge(g, c);
  } else {
    jit_label skip;
    jit_label_init(&skip);
    masm_branch_zero(g->m, JT_I64, ref, true, &skip);
    emit_branch_preserving(g, c);
    masm_bind(g->m, &skip);
  }
  cg_value v = cg_pop(g);
  cg_release(g, &v);
}

/* br_on_cast: branches with the reference when the cast succeeds;
 * br_on_cast_fail when it fails. The reference stays on the stack. */
static void visit_br_on_cast(jit_codegen *g, const jit_instr *in) {
  jit_label miss, skip;
  jit_label_init(&miss);
  jit_label_init(&skip);
  cg_ctrl *c = ctrl_target(g, in->u.cast.label);
  if (cg_cast_asks_runtime(g, in->u.cast.to)) {
    jit_reg ok = cg_cast_test_runtime(g, in->u.cast.to);
    masm_branch_zero(g->m, JT_I32, ok, true, &miss);
    cg_free(g, ok);
  } else {
    jit_reg ref = cg_pop_reg(g);
    cg_push_reg(g, JT_REF, ref);
    cg_cast_check(g, ref, in->u.cast.to, &miss);
  }
  if (in->op == OP_BR_ON_CAST) {
    emit_branch_preserving(g, c);
    masm_bind(g->m, &miss);
    return;
  }
  masm_jmp(g->m, &skip);
  masm_bind(g->m, &miss);
  emit_branch_preserving(g, c);
  masm_bind(g->m, &skip);
}

static bool reserve_bt(jit_codegen *g, uint32_t n) {
  if (n <= g->cap_bt) return true;
  jit_label *l = realloc(g->bt_labels, n * sizeof *l);
  if (!l) return false;
  g->bt_labels = l;
  jit_label **p = realloc(g->bt_ptrs, n * sizeof *p);
  if (!p) return false;
  g->bt_ptrs = p;
  g->cap_bt = n;
  return true;
}

static void visit_br_table(jit_codegen *g, const jit_instr *in) {
  uint32_t count = in->u.br_table.count;
  jit_reg index = cg_pop_reg(g);
  if (!reserve_bt(g, count + 1)) {
    cg_fail(g, "out of memory");
    return;
  }
  for (uint32_t i = 0; i <= count; i++) {
    uint32_t depth = i < count ? in->u.br_table.targets[i] : in->u.br_table.dflt;
    cg_ctrl *c = ctrl_target(g, depth);
    if (branch_needs_moves(g, c)) {
      jit_label_init(&g->bt_labels[i]);
      g->bt_ptrs[i] = &g->bt_labels[i];
    } else {
      g->bt_ptrs[i] = &c->label;
      note_edge(g, c);
    }
  }
  masm_jump_table(g->m, index, count, g->bt_ptrs, g->bt_ptrs[count]);
  cg_free(g, index);
  /* Stubs for targets that need moves, each from the same state. */
  for (uint32_t i = 0; i <= count; i++) {
    if (g->bt_ptrs[i] != &g->bt_labels[i]) continue;
    uint32_t depth = i < count ? in->u.br_table.targets[i] : in->u.br_table.dflt;
    masm_bind(g->m, &g->bt_labels[i]);
    emit_branch_preserving(g, ctrl_target(g, depth));
  }
  set_unreachable(g);
}

static void visit_return(jit_codegen *g) {
  emit_branch_preserving(g, &g->ctrl[0]);
  set_unreachable(g);
}

void cg_return_and_end(jit_codegen *g) {
  emit_return(g);
  set_unreachable(g);
}

void cg_set_unreachable(jit_codegen *g) { set_unreachable(g); }

/* ---- trap stubs and pinned registers ----------------------------------- */

jit_label *cg_trap_label(jit_codegen *g, uint8_t code) {
  if (!g->trap_used[code]) {
    g->trap_used[code] = true;
    jit_label_init(&g->trap_labels[code]);
    g->trap_site[code] = g->offset;
  } else if (g->trap_site[code] != g->offset) {
    g->trap_site[code] = JIT_NO_WASM_OFFSET;
  }
  return &g->trap_labels[code];
}

/* The pinned registers after a call. Invariant: every wasm function
 * returns with vmctx_reg/membase_reg holding ITS OWN instance's values (set
 * in the prologue, reloaded after each of its calls that may change them),
 * and C code (libcalls, host functions behind the exit trampoline)
 * preserves them as callee-saved registers of the C ABI. memory.grow only
 * changes protection, so memory 0's base never moves. Hence only calls
 * that may enter another instance (imports, call_indirect) need this. */
void cg_reload_pinned(jit_codegen *g) {
  masm_load_frame(g->m, JT_I64, jit_host_target.vmctx_reg,
                  CG_SAVED_VMCTX_SLOT);
  if (g->has_memory)
    masm_load_ptr(g->m, JT_I64, jit_host_target.membase_reg,
                  jit_host_target.vmctx_reg, RT_VMCTX_MEMORY0_BASE);
}

/* ---- entry points ------------------------------------------------------ */

jit_codegen *jit_codegen_new(void) { return calloc(1, sizeof(jit_codegen)); }

void jit_codegen_free(jit_codegen *g) {
  if (!g) return;
  free(g->local_types);
  free(g->local_offsets);
  free(g->local_zero);
  free(g->stack);
  free(g->ctrl);
  free(g->snaps);
  free(g->bt_labels);
  free(g->bt_ptrs);
  cg_exn_free(g);
  cg_stack_map_free(g);
  if (g->err) wrun_error_delete(g->err);
  free(g);
}

static void reset(jit_codegen *g) {
  g->sp = g->nlazy = g->max_slots = g->bias = 0;
  g->nctrl = 0;
  g->inner_loop = 0;
  g->resident_loop = 0;
  g->resident_dirty = 0;
  g->out_size = 0;
  g->tail_use = 0;
  g->tail_cap_slot = false;
  g->unreachable = false;
  g->dead_depth = 0;
  g->simd = g->done = false;
  g->nan_pending = false;
  memset(&g->pend, 0, sizeof g->pend);
  memset(&g->pshift, 0, sizeof g->pshift);
  memset(&g->cache, 0, sizeof g->cache);
  cg_snap_reset(g);
  cg_exn_begin_function(g);
  memset(g->trap_used, 0, sizeof g->trap_used);
  g->free_regs = jit_host_target.alloc_mask & ~cg_fuel_reserved_regs(g);
  if (g->err) wrun_error_delete(g->err);
  g->err = NULL;
}

static wrun_error *take_error(jit_codegen *g) {
  wrun_error *e = g->err;
  g->err = NULL;
  return e;
}

/* Can a v128 value reach the module's value stacks from outside a body's
 * own SIMD instructions: a function type (calls, block types) or a global
 * of type v128? Cached per module: every body asks. */
static bool module_mentions_v128(jit_codegen *g) {
  if (g->v128_mod == g->mod) return g->v128_in_mod;
  bool found = false;
  for (uint32_t t = 0; t < g->mod->ntypes && !found; t++) {
    const rt_functype *ft = &g->mod->types[t];
    found = has_v128(ft->types, ft->nparams + ft->nresults);
  }
  for (uint32_t i = 0; i < g->mod->nglobals && !found; i++)
    found = g->mod->globals[i].type.type == VT_V128;
  g->v128_mod = g->mod;
  g->v128_in_mod = found;
  return found;
}

/* May the body hold v128 values without naming the type in its locals or
 * signature (v128.const, loads, calls, globals)? For the body itself a
 * byte scan for the SIMD prefix: a false positive only costs wider spill
 * slots. */
static bool body_mentions_simd(jit_codegen *g) {
  if (!g->vec_ok) return false;
  if (module_mentions_v128(g)) return true;
  const rt_func *f = &g->mod->funcs[g->func_index];
  if (!g->mod->bytes || f->body_len == 0) return false;
  const uint8_t *p = g->mod->bytes + f->body_offset;
  return memchr(p, 0xFD, f->body_len) != NULL;
}

/* Local types and frame offsets: params in the caller's outgoing area,
 * declared locals below the saved vmctx. */
static bool setup_locals(jit_codegen *g, uint32_t ndeclared,
                         const rt_valtype *declared) {
  const rt_functype *ft = g->type;
  g->nparams = ft->nparams;
  g->nlocals = ft->nparams + ndeclared;
  uint32_t n = g->nlocals ? g->nlocals : 1;
  /* Grown, never shrunk: most functions fit the arrays of the ones
   * before (three reallocs a function were 0.5 % of compile time). */
  if (n > g->cap_locals) {
    uint8_t *types = realloc(g->local_types, n);
    if (!types) return false;
    g->local_types = types;
    int32_t *offs = realloc(g->local_offsets, n * sizeof *offs);
    if (!offs) return false;
    g->local_offsets = offs;
    uint8_t *zero = realloc(g->local_zero, n);
    if (!zero) return false;
    g->local_zero = zero;
    g->cap_locals = n;
  }
  uint8_t *types = g->local_types, *zero = g->local_zero;
  int32_t *offs = g->local_offsets;
  memset(zero, 0, n);
  for (uint32_t i = ft->nparams; i < g->nlocals; i++) zero[i] = 1;
  g->nzero = ndeclared;
  bool any_v128 = false;
  for (uint32_t i = 0; i < ft->nparams; i++) {
    types[i] = (uint8_t)cg_jit_type(ft->types[i]);
    offs[i] = jit_host_target.param_base + (int32_t)array_offset(ft->types, i);
    if (ft->types[i] == VT_V128) any_v128 = true;
  }
  /* The capacity slot (CG_TAIL_CAP_SLOT) comes first, as if a local. */
  uint32_t bytes = g->tail_cap_slot ? 8 : 0;
  for (uint32_t k = 0; k < ndeclared; k++) {
    uint32_t size = rt_array_slot_size(declared[k]);
    types[ft->nparams + k] = (uint8_t)cg_jit_type(declared[k]);
    bytes += size;
    offs[ft->nparams + k] = CG_SAVED_VMCTX_SLOT - (int32_t)bytes;
    if (declared[k] == VT_V128) {
      any_v128 = true;
      /* The zero-local shortcut pushes 64-bit constants: not for v128. */
      zero[ft->nparams + k] = 0;
      g->nzero--;
    }
  }
  if (has_v128(ft->types + ft->nparams, ft->nresults)) any_v128 = true;
  if (any_v128 && !g->vec_ok) g->simd = true;
  g->locals_bytes = bytes;
  g->slot_size = any_v128 || body_mentions_simd(g) ? RT_ARRAY_V128_SLOT_SIZE
                                                  : RT_ARRAY_SLOT_SIZE;
  g->slots_base = CG_SAVED_VMCTX_SLOT - (int32_t)bytes - (int32_t)g->slot_size;
  return true;
}

/* Sets the pinned vmctx/membase registers for this function's instance;
 * they keep these values until the return (see cg_reload_pinned). That
 * comes first, then the call entry: a direct call within the module has
 * them set already (the same instance), and enters there
 * (jit_codegen_call_entry), as it enters past the fuel load. */
static void emit_prologue(jit_codegen *g) {
  const jit_target *t = &jit_host_target;
  jit_label_init(&g->overflow);
  cg_fuel_entry(g);
  masm_mov(g->m, JT_I64, t->vmctx_reg, t->call_ctx_reg);
  if (g->has_memory)
    masm_load_ptr(g->m, JT_I64, t->membase_reg, t->vmctx_reg,
                  RT_VMCTX_MEMORY0_BASE);
  g->call_entry = jit_buf_pos(&g->m->buf);
  masm_prologue(g->m, t->vmctx_reg, RT_VMCTX_STACK_LIMIT, &g->overflow);
  masm_store_frame(g->m, JT_I64, t->vmctx_reg, CG_SAVED_VMCTX_SLOT);
  /* Before anything may write it (zero_frame uses x64 scratch). */
  if (g->tail_cap_slot)
    masm_store_frame(g->m, JT_I64, t->tail_cap_reg, CG_TAIL_CAP_SLOT);
  uint32_t declared = g->locals_bytes - (g->tail_cap_slot ? 8u : 0u);
  if (declared)
    masm_zero_frame(g->m, CG_SAVED_VMCTX_SLOT - (int32_t)g->locals_bytes,
                    declared);
}

/* The callee's side of jit_target.arg_gpr: every caller left the first
 * integer parameters in those registers too, so they start cached. */
static void adopt_arg_regs(jit_codegen *g) {
  jit_reg_arg regs[JIT_ARG_GPRS];
  uint32_t n = jit_reg_args(g->type->types, g->type->nparams, regs);
  for (uint32_t k = 0; k < n; k++) {
    jit_reg r = jit_host_target.arg_gpr[k];
    g->free_regs &= ~reg_bit(r);
    cg_cache_set(g, regs[k].param, r);
  }
  g->arg_seed_clock = g->cache.clock;
}

uint32_t jit_codegen_call_entry(const jit_codegen *g) {
  return g->call_entry;
}

wrun_error *jit_codegen_begin(jit_codegen *g, jit_masm *m,
                              const rt_module *mod, uint32_t func_index,
                              uint32_t nlocals,
                              const rt_valtype *local_types) {
  reset(g);
  g->m = m;
  g->mod = mod;
  g->layout = rt_vmctx_layout_of(mod);
  g->func_index = func_index;
  g->type = rt_func_type(mod, func_index);
  g->has_memory = mod->nmemories > 0;
  g->vec_ok = masm_simd_supported();
  g->offset = mod->funcs[func_index].body_offset;
  g->resident_scan_left = cg_resident_scan_budget(mod->funcs[func_index].body_len);
  m->wasm_offset = &g->offset; /* the prologue's: a stack overflow */
  g->tail_cap_slot =
      g->tail_info &&
      (g->tail_info[func_index - mod->nimported_funcs] & JIT_TAIL_USES);
  if (!setup_locals(g, nlocals, local_types))
    return rt_error_new(g->offset, "out of memory");
  cg_stack_map_begin_function(g, nlocals, local_types);
  if (g->err) return take_error(g);
  if (g->simd) return NULL;
  cg_ctrl *c = push_ctrl(g, CG_FUNC);
  if (!c) return take_error(g);
  c->results = g->type->types + g->type->nparams;
  c->nresults = g->type->nresults;
  emit_prologue(g);
  adopt_arg_regs(g);
  cg_fuel_begin_function(g);
  return take_error(g);
}

/* ---- the control instructions, for the dispatcher (codegen_ops.c) -------- */

void cg_op_unreachable(jit_codegen *g, const jit_instr *in) {
  (void)in;
  emit_trap(g, WRUN_TRAP_UNREACHABLE);
  set_unreachable(g);
}
void cg_op_block(jit_codegen *g, const jit_instr *in) { visit_block(g, in); }
void cg_op_else(jit_codegen *g, const jit_instr *in) {
  (void)in;
  visit_else(g);
}
void cg_op_end(jit_codegen *g, const jit_instr *in) {
  (void)in;
  visit_end(g);
}
void cg_op_br(jit_codegen *g, const jit_instr *in) {
  visit_br(g, in->u.index);
}
void cg_op_br_if(jit_codegen *g, const jit_instr *in) {
  visit_br_if(g, in->u.index);
}
void cg_op_br_on_null(jit_codegen *g, const jit_instr *in) {
  visit_br_on_null(g, in->u.index);
}
void cg_op_br_on_non_null(jit_codegen *g, const jit_instr *in) {
  visit_br_on_non_null(g, in->u.index);
}
void cg_op_br_on_cast(jit_codegen *g, const jit_instr *in) {
  visit_br_on_cast(g, in);
}
void cg_op_br_table(jit_codegen *g, const jit_instr *in) {
  visit_br_table(g, in);
}
void cg_op_return(jit_codegen *g, const jit_instr *in) {
  (void)in;
  visit_return(g);
}

static bool is_fusing_op(uint16_t op) {
  return op == OP_BR_IF || op == OP_IF || op == OP_SELECT ||
         op == OP_SELECT_T || op == OP_I32_EQZ;
}

static void step_unreachable(jit_codegen *g, const jit_instr *in) {
  switch (in->op) {
  case OP_BLOCK:
  case OP_LOOP:
  case OP_IF:
  case OP_TRY:
  case OP_TRY_TABLE: g->dead_depth++; break;
  case OP_CATCH:
  case OP_CATCH_ALL:
    /* a handler of a try opened in reachable code is reachable */
    if (g->dead_depth == 0) cg_op_catch(g, in);
    break;
  case OP_DELEGATE: /* ends its try, like end */
    if (g->dead_depth > 0)
      g->dead_depth--;
    else
      cg_op_delegate(g, in);
    break;
  case OP_ELSE:
    if (g->dead_depth == 0) visit_else(g);
    break;
  case OP_END:
    if (g->dead_depth > 0)
      g->dead_depth--;
    else
      visit_end(g);
    break;
  default: break;
  }
}

/* After an instruction: loans end, and a backend failure becomes the
 * function's error. */
static wrun_error *end_step(jit_codegen *g) {
  g->cache.lent = pending_loans(g);
  if (jit_masm_failed(g->m)) cg_fail(g, jit_masm_failure(g->m));
#ifdef WRUN_CODEGEN_CHECKS
  const char *broken = g->done ? NULL : cg_check_stack(g);
  if (broken) cg_fail(g, broken);
#endif
  return take_error(g);
}

wrun_error *jit_codegen_step(jit_codegen *g, const jit_instr *in) {
  if (g->done || g->simd) return NULL;
  g->offset = in->offset;
  cg_nan_before_step(g, in);
  /* vec_ok first: true on most hosts, it spares the table lookup */
  if (!g->vec_ok && in->op < OP_COUNT &&
      jit_opinfo_table[in->op].prefix == 0xFD) {
    g->simd = true;
    return NULL;
  }
  if (g->unreachable) {
    step_unreachable(g, in);
    cg_fuel_after(g, in);
    return take_error(g);
  }
  cg_fuel_before(g, in);
  if (g->pend.active && !is_fusing_op(in->op)) cg_materialize_pending(g);
  if (g->pshift.active && !cg_shift_may_wait(g, in->op))
    cg_materialize_shift(g);
  /* where this instruction's code starts (code deferred from earlier
   * instructions is theirs, though it may come later) */
  if (g->map_every_instruction)
    jit_pcmap_add(&g->m->pcmap, jit_buf_pos(&g->m->buf), in->offset);
  cg_visit_op(g, in);
  cg_nan_after_op(g, in);
  cg_fuel_after(g, in);
  return end_step(g);
}

/* ---- for codegen_exn.c ------------------------------------------------- */

cg_ctrl *cg_ctrl_target(jit_codegen *g, uint32_t depth) {
  return ctrl_target(g, depth);
}
cg_ctrl *cg_ctrl_top(jit_codegen *g) { return ctrl_top(g); }
void cg_move_to_convention(jit_codegen *g, cg_ctrl *c) {
  move_to_convention(g, c);
}
void cg_emit_return(jit_codegen *g) { emit_return(g); }
void cg_mark_unreachable(jit_codegen *g) { set_unreachable(g); }

void cg_note_empty_edge(jit_codegen *g, cg_ctrl *c) {
  (void)g;
  if (c->kind == CG_LOOP || c->kind == CG_FUNC) return;
  /* Meeting anything with the empty cache leaves it empty. */
  c->label_cache = 0;
  c->targeted = true;
}

bool jit_codegen_refused_simd(const jit_codegen *g) { return g->simd; }
bool jit_codegen_done(const jit_codegen *g) { return g->done || g->simd; }
