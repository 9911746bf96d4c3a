/* The register cache of locals. local.set/local.tee store to the frame
 * slot (write-through) and leave the stored value's register to the cache,
 * so a later local.get of the same local copies a register instead of
 * reading back the slot just written (a store-to-load round trip on every
 * loop-carried value otherwise). Operands that an instruction only reads
 * (compare operands, addresses, stored values, right-hand sides) borrow
 * the cache register instead of copying it, and a local read from memory
 * that way is cached on the way.
 *
 * Validity: an entry says "on every path to this point, register r holds
 * local i". Where paths join, the generator keeps only what they agree on:
 * a forward label (block/if end) records the cache of every branch to it
 * and meets them with the fall-through's; an else arm starts from the
 * if's cache. A loop head cannot know its back edges yet, so it fixes its
 * cache when the loop starts, and every back edge moves those registers
 * back into place first (cg_cache_establish). Calls clobber every
 * allocatable register and clear the cache; registers written as fixed
 * conventions (merge, call or result registers) are evicted first.
 * Since memory is always current, evicting is free: no store is needed.
 *
 * The bases of memories k > 0 share the cache under keys past every local
 * (cg_membase_key): a base is read-only (its vmctx slot never changes), so
 * the same rules keep it valid, and a loop over memory 1 loads the base
 * once instead of at every access. So do the sizes of memory64s that check
 * their size (cg_memsize_key): a size changes only in memory.grow, a
 * libcall, or in a callee, and calls clear the cache (no memory is shared
 * between threads), so a cached size is the current one; a back edge
 * reloads it from the memory like a base from its slot.
 */
#include "codegen_internal.h"
#include <stdlib.h>

static uint64_t reg_bit(jit_reg r) { return r < 64 ? 1ull << r : 0; }

jit_reg cg_cache_find(jit_codegen *g, uint32_t local) {
  cg_cache *c = &g->cache;
  for (uint64_t m = c->regs; m; m &= m - 1) {
    jit_reg r = (jit_reg)__builtin_ctzll(m);
    if (c->local[r] == local) {
      c->age[r] = ++c->clock;
      return r;
    }
  }
  return JIT_NO_REG;
}

/* What a cache entry holds and where it is reloaded from: a local from
 * its frame slot, a memory base from its vmctx slot. */
static jit_type entry_type(const jit_codegen *g, uint32_t key) {
  return key >= CG_MEMBASE_KEY0 ? JT_I64 : (jit_type)g->local_types[key];
}

static void load_entry(jit_codegen *g, jit_reg r, uint32_t key) {
  if (cg_is_memsize_key(key))
    cg_load_memory_size(g, key - CG_MEMSIZE_KEY0, r);
  else if (cg_is_membase_key(key))
    masm_load_ptr(g->m, JT_I64, r, jit_host_target.vmctx_reg,
                  cg_membase_offset(g, key - CG_MEMBASE_KEY0));
  else
    masm_load_frame(g->m, (jit_type)g->local_types[key], r,
                    g->local_offsets[key]);
}

static void drop_reg(jit_codegen *g, jit_reg r) {
  if (g->cache.resident & reg_bit(r)) {
    /* its slot may be stale: the value would be lost */
    cg_fail(g, "code generator: a loop-resident local lost its register");
    return;
  }
  g->cache.regs &= ~reg_bit(r);
  cg_free(g, r);
}

void cg_cache_drop_local(jit_codegen *g, uint32_t local) {
  jit_reg r = cg_cache_find(g, local);
  if (r != JIT_NO_REG) drop_reg(g, r);
}

void cg_cache_set(jit_codegen *g, uint32_t local, jit_reg r) {
  cg_cache_drop_local(g, local);
  if (!(jit_host_target.alloc_mask & reg_bit(r))) return;
  cg_cache *c = &g->cache;
  c->regs |= reg_bit(r);
  c->local[r] = local;
  c->age[r] = ++c->clock;
}

void cg_cache_retarget(jit_codegen *g, jit_reg r, uint32_t local) {
  cg_cache *c = &g->cache;
  if (!(c->regs & reg_bit(r))) return;
  if (c->resident & reg_bit(r)) {
    cg_fail(g, "code generator: a loop-resident register retargeted");
    return;
  }
  c->local[r] = local;
  c->age[r] = ++c->clock;
}

void cg_cache_evict_reg(jit_codegen *g, jit_reg r) {
  if (g->cache.regs & reg_bit(r)) drop_reg(g, r);
}

bool cg_cache_evict_one(jit_codegen *g, uint64_t mask) {
  cg_cache *c = &g->cache;
  uint64_t candidates = c->regs & ~c->lent & ~c->resident & mask;
  if (!candidates) return false;
  jit_reg oldest = (jit_reg)__builtin_ctzll(candidates);
  for (uint64_t m = candidates; m; m &= m - 1) {
    jit_reg r = (jit_reg)__builtin_ctzll(m);
    if (c->age[r] < c->age[oldest]) oldest = r;
  }
  drop_reg(g, oldest);
  return true;
}

/* Residents stay: only their loop's end or a branch out of it (which
 * stores them) may let them go, and nothing in their loop calls. */
void cg_cache_clear(jit_codegen *g) {
  uint64_t keep = g->cache.resident;
  g->free_regs |= g->cache.regs & ~keep & jit_host_target.alloc_mask;
  g->cache.regs &= keep;
}

void cg_cache_drop_unused_since(jit_codegen *g, uint32_t clock) {
  for (uint64_t m = g->cache.regs; m; m &= m - 1) {
    jit_reg r = (jit_reg)__builtin_ctzll(m);
    if (g->cache.age[r] <= clock && !(g->cache.resident & reg_bit(r)))
      drop_reg(g, r);
  }
}

jit_reg cg_local_read(jit_codegen *g, uint32_t local) {
  jit_type t = (jit_type)g->local_types[local];
  jit_reg r = cg_cache_find(g, local);
  if (r == JIT_NO_REG) {
    r = cg_alloc_for(g, t);
    masm_load_frame(g->m, t, r, g->local_offsets[local]);
    cg_cache_set(g, local, r);
  }
  g->cache.lent |= reg_bit(r);
  return r;
}

jit_reg cg_pop_read(jit_codegen *g) {
  if (g->sp == 0 || g->stack[g->sp - 1].kind != CG_LOCAL) return cg_pop_reg(g);
  jit_reg r = cg_local_read(g, g->stack[g->sp - 1].index);
  cg_pop(g);
  return r;
}

jit_opnd cg_pop_opnd_read(jit_codegen *g) {
  if (g->sp > 0 && g->stack[g->sp - 1].kind == CG_CONST) return cg_pop_opnd(g);
  return jit_reg_opnd(cg_pop_read(g));
}

void cg_cache_meet(cg_cache *acc, const cg_cache *in) {
  for (uint64_t m = acc->regs & ~acc->resident; m; m &= m - 1) {
    jit_reg r = (jit_reg)__builtin_ctzll(m);
    if (!(in->regs & reg_bit(r)) || in->local[r] != acc->local[r])
      acc->regs &= ~reg_bit(r);
  }
}

void cg_cache_adopt(jit_codegen *g, const cg_cache *want) {
  cg_cache_clear(g);
  cg_cache *c = &g->cache;
  for (uint64_t m = want->regs & jit_host_target.alloc_mask; m; m &= m - 1) {
    jit_reg r = (jit_reg)__builtin_ctzll(m);
    if (!cg_is_free(g, r)) continue;
    g->free_regs &= ~reg_bit(r);
    c->regs |= reg_bit(r);
    c->local[r] = want->local[r];
    c->age[r] = want->age[r];
  }
  if (want->clock > c->clock) c->clock = want->clock;
}

static int count_class(uint64_t regs, bool fpr) {
  uint64_t cls = fpr ? ~0ull << JIT_FPR_BASE : (1ull << JIT_FPR_BASE) - 1;
  return __builtin_popcountll(regs & cls);
}

/* Residents do not count: they are never evicted. */
void cg_cache_prune(jit_codegen *g, int max_gpr, int max_fpr) {
  cg_cache *c = &g->cache;
  while (count_class(c->regs & ~c->resident, false) > max_gpr)
    cg_cache_evict_one(g, (1ull << JIT_FPR_BASE) - 1);
  while (count_class(c->regs & ~c->resident, true) > max_fpr)
    cg_cache_evict_one(g, ~0ull << JIT_FPR_BASE);
}

static bool holds(const cg_cache *c, jit_reg r, uint32_t local) {
  return (c->regs & reg_bit(r)) && c->local[r] == local;
}

bool cg_cache_satisfies(const jit_codegen *g, const cg_cache *want) {
  for (uint64_t m = want->regs; m; m &= m - 1) {
    jit_reg r = (jit_reg)__builtin_ctzll(m);
    if (!holds(&g->cache, r, want->local[r])) return false;
  }
  return true;
}

typedef struct cache_move {
  jit_reg dst, src; /* src JIT_NO_REG: from the frame slot */
  uint32_t local;
  bool done;
} cache_move;

/* May move k run now: no other pending register move still reads its
 * destination? */
static bool move_unblocked(const cache_move *mv, uint32_t n, uint32_t k) {
  for (uint32_t j = 0; j < n; j++)
    if (j != k && !mv[j].done && mv[j].src == mv[k].dst) return false;
  return true;
}

/* A parallel move: register sources first, in an order that never
 * overwrites a source still to be read (a cycle is broken by reading one
 * value from its slot instead), then the loads from slots. */
void cg_cache_establish(jit_codegen *g, const cg_cache *want) {
  cache_move mv[64];
  uint32_t n = 0;
  for (uint64_t m = want->regs; m; m &= m - 1) {
    jit_reg r = (jit_reg)__builtin_ctzll(m);
    uint32_t local = want->local[r];
    if (holds(&g->cache, r, local)) continue;
    if (!cg_is_free(g, r) && !(g->cache.regs & reg_bit(r)))
      cg_fail(g, "code generator: loop head register in use at a back edge");
    cache_move one = {r, cg_cache_find(g, local), local, false};
    mv[n++] = one;
  }
  bool pending = true;
  while (pending) {
    pending = false;
    bool progress = false;
    for (uint32_t k = 0; k < n; k++) {
      if (mv[k].done || mv[k].src == JIT_NO_REG) continue;
      if (!move_unblocked(mv, n, k)) {
        pending = true;
        continue;
      }
      masm_mov(g->m, entry_type(g, mv[k].local), mv[k].dst, mv[k].src);
      mv[k].done = true;
      progress = true;
    }
    if (pending && !progress) {
      for (uint32_t k = 0; k < n; k++) {
        if (!mv[k].done && mv[k].src != JIT_NO_REG) {
          mv[k].src = JIT_NO_REG;
          break;
        }
      }
    }
  }
  for (uint32_t k = 0; k < n; k++) {
    if (mv[k].done) continue;
    load_entry(g, mv[k].dst, mv[k].local);
  }
}

/* ---- saved caches: compact snapshots in a per-function arena ----------- */

#define SNAP_NO_OWNER UINT32_MAX
#define SNAP_HEADER 3 /* regs (two words), clock */

void cg_snap_reset(jit_codegen *g) {
  g->snap_top = 1; /* offset 0 stands for the empty cache */
  g->snap_pin = 0;
  g->snap_pin_owner = SNAP_NO_OWNER;
}

static bool snap_reserve(jit_codegen *g, uint32_t words) {
  if (words > UINT32_MAX - g->snap_top) return false;
  uint32_t need = g->snap_top + words;
  if (need <= g->snap_cap) return true;
  uint32_t cap = g->snap_cap ? g->snap_cap : 256;
  while (cap < need) cap = cap > UINT32_MAX / 2 ? need : cap * 2;
  uint32_t *p = realloc(g->snaps, (size_t)cap * sizeof *p);
  if (!p) return false;
  g->snaps = p;
  g->snap_cap = cap;
  return true;
}

cg_snap cg_snap_save(jit_codegen *g, uint32_t ctrl_index) {
  const cg_cache *c = &g->cache;
  if (!c->regs) return 0;
  uint32_t n = (uint32_t)__builtin_popcountll(c->regs);
  if (!snap_reserve(g, SNAP_HEADER + 2 * n)) {
    cg_fail(g, "out of memory");
    return 0;
  }
  cg_snap s = g->snap_top;
  uint32_t *w = &g->snaps[s];
  w[0] = (uint32_t)c->regs;
  w[1] = (uint32_t)(c->regs >> 32);
  w[2] = c->clock;
  uint32_t k = SNAP_HEADER;
  for (uint64_t m = c->regs; m; m &= m - 1) {
    jit_reg r = (jit_reg)__builtin_ctzll(m);
    w[k++] = c->local[r];
    w[k++] = c->age[r];
  }
  g->snap_top += k;
  /* Made for a frame below the top: inner frames' pops must not free it. */
  if (ctrl_index + 1 < g->nctrl) {
    g->snap_pin = g->snap_top;
    if (g->snap_pin_owner == SNAP_NO_OWNER || ctrl_index < g->snap_pin_owner)
      g->snap_pin_owner = ctrl_index;
  }
  return s;
}

uint64_t cg_snap_regs(const jit_codegen *g, cg_snap s) {
  if (!s) return 0;
  return (uint64_t)g->snaps[s] | (uint64_t)g->snaps[s + 1] << 32;
}

void cg_snap_load(const jit_codegen *g, cg_snap s, cg_cache *out) {
  out->regs = cg_snap_regs(g, s);
  out->lent = 0;
  out->resident = 0; /* the live cache's residents stay (cg_cache_adopt) */
  out->clock = s ? g->snaps[s + 2] : 0;
  const uint32_t *w = s ? &g->snaps[s + SNAP_HEADER] : NULL;
  for (uint64_t m = out->regs; m; m &= m - 1) {
    jit_reg r = (jit_reg)__builtin_ctzll(m);
    out->local[r] = *w++;
    out->age[r] = *w++;
  }
}

void cg_snap_meet(jit_codegen *g, cg_snap s, const cg_cache *in) {
  if (!s) return;
  uint64_t regs = cg_snap_regs(g, s), kept = 0;
  uint32_t *w = &g->snaps[s];
  uint32_t from = SNAP_HEADER, to = SNAP_HEADER;
  for (uint64_t m = regs; m; m &= m - 1, from += 2) {
    jit_reg r = (jit_reg)__builtin_ctzll(m);
    if (!holds(in, r, w[from])) continue;
    kept |= reg_bit(r);
    w[to++] = w[from];
    w[to++] = w[from + 1];
  }
  w[0] = (uint32_t)kept;
  w[1] = (uint32_t)(kept >> 32);
}

void cg_snap_pop(jit_codegen *g, uint32_t ctrl_index, uint32_t mark) {
  if (g->snap_pin_owner == ctrl_index) {
    /* Every other pinned snapshot belonged to a frame above, gone too. */
    g->snap_pin = 0;
    g->snap_pin_owner = SNAP_NO_OWNER;
  }
  g->snap_top = mark > g->snap_pin ? mark : g->snap_pin;
}
