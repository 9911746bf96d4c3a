/* Loop-resident locals: an innermost loop's most used locals live in
 * registers for the whole loop, their frame slots left stale (write-back
 * instead of the cache's write-through), and go back to memory only where
 * the loop is left.
 *
 * The register cache (codegen_cache.c) stores every local.set to the
 * frame, and a loop head keeps only what its entry had cached, so a
 * counter costs a store per iteration and a local first read inside the
 * loop a load per iteration. Here a bounded scan of the loop body, when
 * the loop starts, finds the locals it reads and writes; the most used
 * ones are loaded into registers before the head (once per entry into the
 * loop) and stay there:
 *   - local.get reads the register (it is a cache entry, found as any);
 *   - local.set/tee writes it, with no store (cg_resident_set);
 *   - the entries are resident (cg_cache.resident): never evicted,
 *     dropped, cleared or met away, so every point of the body, every
 *     label inside it and the back edges agree on them with no moves;
 *   - a branch out of the loop stores the written ones first
 *     (cg_resident_leaves, then cg_resident_flush on that edge only), and
 *     so does falling out of the loop's end (cg_resident_end); a return
 *     needs nothing, the frame dies.
 *
 * Only loops whose body the scan proves simple qualify: only
 * instructions compiled inline without calls (numeric ops, loads,
 * stores, locals, numeric globals, blocks, loops and branches): no call
 * or libcall clobbers the registers or reads locals from memory inside
 * the loop, no exception is thrown out of it to a handler that would read
 * the frame, and a trap ends the instance's call, so stale slots are
 * never seen. The outermost loop that qualifies is the resident one: its
 * inner loops keep its residents in place (one loop is resident at a
 * time: no loads and stores at their entries and exits), and their uses
 * weigh more in the choice, as they run more often. A nest qualifies only
 * if its choice keeps as many of its innermost loops' uses in registers
 * as their own choice would (nest_keeps_innermost); where it does not,
 * or its scan fails, each inner loop tries on its own. The scans of one
 * function read at most a few times its body (resident_scan_left).
 *
 * Registers: never the merge or return registers (blocks and calls take
 * those by convention, cg_take), and few enough that the body keeps
 * registers for its temporaries (the budgets below). */
#include "codegen_internal.h"
#include "decode.h"
#include "../runtime/error.h"

/* Scan limits: the body past them is not looked at (the loop then gets
 * no residents). */
#define RESIDENT_SCAN_BYTES 4096
#define RESIDENT_SCAN_LOCALS 16
/* Loops nested deeper than this in the scanned one disqualify it. */
#define RESIDENT_SCAN_DEPTH 64
/* A use inside k nested loops counts 1 << (USE_WEIGHT_SHIFT * k), up to
 * MAX_WEIGHT_SHIFT: an inner loop runs many times per outer iteration. */
#define USE_WEIGHT_SHIFT 3
#define MAX_WEIGHT_SHIFT 12
/* Registers of a class left to the loop body's temporaries. Residents
 * the loop writes leave five: an instruction of the body may hold that
 * many at once (a select of two cached locals on a fused compare of a
 * loaded value with a third: the compare's two, the two values, the
 * result), six when an access also holds a memory's base or size
 * (memories past 0, memory64, explicit bounds checks). Residents it only
 * reads may take two more: their slots are current, so the allocator
 * frees them when it runs out (cg_resident_release). */
#define RESIDENT_SPARE_WRITTEN 5
#define RESIDENT_SPARE_WRITTEN_WIDE 6
#define RESIDENT_SPARE 3
#define RESIDENT_SPARE_WIDE 4
#define RESIDENT_MAX_GPRS 6
#define RESIDENT_MAX_FPRS 6

/* What the scan may see in a resident loop: the LOWER kinds of
 * opcodes.def compiled inline, and some VISIT instructions by name
 * (resident_ok_visit). */
enum { SCAN_NO, SCAN_OK, SCAN_VISIT };
#define SCAN_KIND_VISIT SCAN_VISIT
#define SCAN_KIND_NOP SCAN_OK
#define SCAN_KIND_BIN SCAN_OK
#define SCAN_KIND_DIV SCAN_OK
#define SCAN_KIND_CMP SCAN_OK
#define SCAN_KIND_EQZ SCAN_OK
#define SCAN_KIND_UN SCAN_OK
#define SCAN_KIND_FBIN SCAN_OK
#define SCAN_KIND_FUN SCAN_OK
#define SCAN_KIND_CV SCAN_OK
#define SCAN_KIND_CVT SCAN_OK
#define SCAN_KIND_LD SCAN_OK
#define SCAN_KIND_ST SCAN_OK
#define SCAN_KIND_V SCAN_NO
#define SCAN_KIND_VLANE SCAN_NO
#define SCAN_KIND_VR SCAN_NO
#define SCAN_KIND_VFMA SCAN_NO
#define SCAN_KIND_VMEM SCAN_NO
#define SCAN_KIND_VCONST SCAN_NO
#define SCAN_KIND_ALD SCAN_NO
#define SCAN_KIND_AST SCAN_NO
#define SCAN_KIND_ARMW SCAN_NO
#define SCAN_KIND_ACMPXCHG SCAN_NO

static const uint8_t scan_kind[OP_COUNT] = {
#define OP(name, text, prefix, code, imm, sig, nan, lower, ...) \
  [OP_##name] = SCAN_KIND_##lower,
#include "opcodes.def"
#undef OP
};

static bool numeric(uint8_t t) {
  return t == JT_I32 || t == JT_I64 || t == JT_F32 || t == JT_F64;
}

static bool global_numeric(const jit_codegen *g, uint32_t i) {
  return i < g->mod->nglobals && numeric(cg_jit_type(g->mod->globals[i].type.type));
}

static bool resident_ok_visit(const jit_codegen *g, const jit_instr *in) {
  switch (in->op) {
  case OP_UNREACHABLE:
  case OP_BLOCK:
  case OP_LOOP:
  case OP_IF:
  case OP_ELSE:
  case OP_END:
  case OP_BR:
  case OP_BR_IF:
  case OP_BR_TABLE:
  case OP_RETURN:
  case OP_DROP:
  case OP_SELECT:
  case OP_LOCAL_GET:
  case OP_LOCAL_SET:
  case OP_LOCAL_TEE:
  case OP_I32_CONST:
  case OP_I64_CONST:
  case OP_F32_CONST:
  case OP_F64_CONST: return true;
  case OP_GLOBAL_GET:
  case OP_GLOBAL_SET: return global_numeric(g, in->u.index);
  default: return false;
  }
}

typedef struct scan_use {
  uint32_t local, uses; /* uses weighted by their loop depth */
  uint32_t level;       /* the deepest loop depth it is used at */
  uint32_t deep_uses;   /* its uses at that depth */
  bool written;
  bool deep_written;    /* written at that depth */
} scan_use;

typedef struct scan_result {
  scan_use use[RESIDENT_SCAN_LOCALS];
  uint32_t n;
  bool wide;   /* an access that holds a base or size register too */
  bool nested; /* the loop has inner loops */
  uint32_t deepest; /* the deepest loop depth of a use (0: the loop's own) */
} scan_result;

static void note_use(const jit_codegen *g, scan_result *s, uint32_t local,
                     bool write, uint32_t level) {
  if (local >= g->nlocals || !numeric(g->local_types[local])) return;
  uint32_t shift = level * USE_WEIGHT_SHIFT;
  uint32_t weight = 1u << (shift < MAX_WEIGHT_SHIFT ? shift
                                                    : MAX_WEIGHT_SHIFT);
  if (level > s->deepest) s->deepest = level;
  for (uint32_t k = 0; k < s->n; k++) {
    scan_use *u = &s->use[k];
    if (u->local != local) continue;
    u->uses += weight;
    u->written |= write;
    if (level > u->level) {
      u->level = level;
      u->deep_uses = 0;
      u->deep_written = false;
    }
    if (level == u->level) {
      u->deep_uses++;
      u->deep_written |= write;
    }
    return;
  }
  if (s->n == RESIDENT_SCAN_LOCALS) return;
  scan_use u = {local, weight, level, 1, write, write};
  s->use[s->n++] = u;
}

uint32_t cg_resident_scan_budget(uint32_t body_len) {
  uint64_t n = 2ull * body_len + RESIDENT_SCAN_BYTES;
  return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* Scans the body of the loop whose opcode is at loop_offset: true when it
 * qualifies (see the top), with the locals it uses in *s. The body is not
 * validated yet: anything the decoder refuses just disqualifies it. */
static bool scan_loop(jit_codegen *g, uint32_t loop_offset,
                      scan_result *s) {
  const rt_func *fn = &g->mod->funcs[g->func_index];
  size_t end = (size_t)fn->body_offset + fn->body_len;
  if (!g->mod->bytes || loop_offset >= end) return false;
  size_t allowed = g->resident_scan_left < RESIDENT_SCAN_BYTES
                       ? g->resident_scan_left
                       : RESIDENT_SCAN_BYTES;
  size_t limit = end - loop_offset > allowed ? (size_t)loop_offset + allowed
                                             : end;
  jit_reader r;
  jit_reader_init(&r, g->mod->bytes, loop_offset, limit);
  jit_instr in;
  bool ok = false;
  uint32_t depth = 0, loops = 0; /* open blocks, open loops among them */
  uint64_t loop_at = 0; /* bit d: the block at depth d is a loop */
  s->n = 0;
  s->wide = g->bounds_checks;
  s->nested = false;
  s->deepest = 0;
  wrun_error *first = jit_decode_instr(&r, &in);
  if (first) wrun_error_delete(first);
  if (first || in.op != OP_LOOP) goto done;
  while (r.pos < r.end) {
    wrun_error *e = jit_decode_instr(&r, &in);
    if (e) {
      wrun_error_delete(e);
      break;
    }
    uint8_t kind = in.op < OP_COUNT ? scan_kind[in.op] : SCAN_NO;
    if (kind == SCAN_NO || (kind == SCAN_VISIT && !resident_ok_visit(g, &in)))
      break;
    if (in.op == OP_BLOCK || in.op == OP_IF || in.op == OP_LOOP) {
      if (++depth >= RESIDENT_SCAN_DEPTH) break;
      bool loop = in.op == OP_LOOP;
      loop_at = (loop_at & ~(1ull << depth)) | ((uint64_t)loop << depth);
      loops += loop;
      s->nested |= loop;
    }
    if (in.op == OP_END) {
      if (depth == 0) {
        ok = true;
        break;
      }
      loops -= (loop_at >> depth) & 1;
      depth--;
    }
    if (kind == SCAN_OK && jit_opinfo_table[in.op].imm == IMM_MEMARG) {
      uint32_t mem = in.u.mem.memory;
      if (mem != 0 || mem >= g->mod->nmemories || g->mod->memories[mem].is64)
        s->wide = true;
    }
    if (in.op == OP_LOCAL_GET) note_use(g, s, in.u.index, false, loops);
    if (in.op == OP_LOCAL_SET || in.op == OP_LOCAL_TEE)
      note_use(g, s, in.u.index, true, loops);
  }
done:
  g->resident_scan_left -= (uint32_t)(r.pos - (g->mod->bytes + loop_offset));
  jit_reader_free(&r);
  return ok && s->n > 0;
}

/* Most (weighted) uses first; among equals, written ones (they save
 * stores too). */
static void sort_uses(scan_result *s) {
  for (uint32_t i = 1; i < s->n; i++) {
    scan_use u = s->use[i];
    uint32_t k = i;
    for (; k > 0; k--) {
      const scan_use *p = &s->use[k - 1];
      bool before = u.uses > p->uses || (u.uses == p->uses && u.written &&
                                         !p->written);
      if (!before) break;
      s->use[k] = s->use[k - 1];
    }
    s->use[k] = u;
  }
}

/* Registers left for residents: in all, and for written ones. */
typedef struct budget {
  uint32_t left[2], written[2]; /* [0] GPRs, [1] FPRs */
} budget;

/* Takes a register of b for a local of that class, written or not;
 * false when none is left. */
static bool take_budget(budget *b, bool fpr, bool written) {
  if (b->left[fpr] == 0 || (written && b->written[fpr] == 0)) return false;
  b->left[fpr]--;
  if (written) b->written[fpr]--;
  return true;
}

/* A nest's residents (the uses' order, s sorted) against what its
 * innermost loops would choose on their own: how many uses in those
 * loops each choice keeps in registers (a local only read there is
 * clean for them, though the nest writes it). The nest is resident only
 * if it keeps as many: an inner loop that runs many times per entry
 * gains more from its own choice than the entries' loads and stores
 * cost. */
static bool nest_keeps_innermost(const jit_codegen *g, const scan_result *s,
                                 budget b) {
  budget own = b;
  uint32_t nest = 0, inner = 0;
  for (uint32_t k = 0; k < s->n; k++) {
    const scan_use *u = &s->use[k];
    bool fpr = jit_type_is_float((jit_type)g->local_types[u->local]);
    bool deep = u->level == s->deepest;
    if (take_budget(&b, fpr, u->written) && deep) nest += u->deep_uses;
  }
  /* the innermost loops' own choice: by their uses there */
  bool taken[RESIDENT_SCAN_LOCALS] = {false};
  for (;;) {
    uint32_t best = s->n;
    for (uint32_t k = 0; k < s->n; k++)
      if (!taken[k] && s->use[k].level == s->deepest &&
          (best == s->n || s->use[k].deep_uses > s->use[best].deep_uses))
        best = k;
    if (best == s->n) break;
    taken[best] = true;
    const scan_use *u = &s->use[best];
    bool fpr = jit_type_is_float((jit_type)g->local_types[u->local]);
    if (take_budget(&own, fpr, u->deep_written)) inner += u->deep_uses;
  }
  return nest >= inner;
}

/* Registers a resident may take: allocatable, but none that a convention
 * claims by number inside a loop body (block results) or at its edges. */
static uint64_t resident_candidates(void) {
  const jit_target *tg = &jit_host_target;
  uint64_t m = tg->alloc_mask;
  m &= ~cg_reg_bit(tg->merge_gpr) & ~cg_reg_bit(tg->merge_fpr);
  m &= ~cg_reg_bit(tg->ret_gpr) & ~cg_reg_bit(tg->ret_fpr);
  m &= ~cg_reg_bit(tg->c_ret);
  return m;
}

static uint32_t class_budget(uint64_t cls, uint32_t spare, uint32_t max) {
  uint32_t n = (uint32_t)__builtin_popcountll(jit_host_target.alloc_mask & cls);
  n = n > spare ? n - spare : 0;
  return n < max ? n : max;
}

/* A register of class cls for local (its cached one when that may be a
 * resident's), holding its value; JIT_NO_REG when none is to be had
 * without spilling the value stack. */
static jit_reg home_for(jit_codegen *g, uint32_t local, uint64_t cls) {
  uint64_t ok = resident_candidates() & cls;
  jit_reg cached = cg_cache_find(g, local);
  if (cached != JIT_NO_REG && (ok & cg_reg_bit(cached))) return cached;
  uint64_t avail = g->free_regs & ok;
  if (!avail && cg_cache_evict_one(g, ok)) avail = g->free_regs & ok;
  if (!avail) return JIT_NO_REG;
  jit_reg r = (jit_reg)__builtin_ctzll(avail);
  jit_type t = (jit_type)g->local_types[local];
  cached = cg_cache_find(g, local); /* the eviction may have taken it */
  if (cached != JIT_NO_REG) {
    masm_mov(g->m, t, r, cached);
    cg_cache_drop_local(g, local);
  } else if (g->local_zero[local]) {
    masm_mov_imm(g->m, t, r, 0); /* the prologue's zero, not read back */
  } else {
    masm_load_frame(g->m, t, r, g->local_offsets[local]);
  }
  g->free_regs &= ~cg_reg_bit(r);
  cg_cache_set(g, local, r);
  return r;
}

uint32_t cg_resident_begin(jit_codegen *g, const jit_instr *in,
                           uint32_t loop_index) {
  if (g->residents_off) return 0;
  if (g->resident_loop) /* an inner loop of the resident one: kept */
    return (uint32_t)__builtin_popcountll(g->cache.resident & GPR_CLASS);
  scan_result s;
  if (!scan_loop(g, in->offset, &s)) return 0;
  sort_uses(&s);
  uint32_t spare = s.wide ? RESIDENT_SPARE_WIDE : RESIDENT_SPARE;
  uint32_t spare_w = s.wide ? RESIDENT_SPARE_WRITTEN_WIDE
                            : RESIDENT_SPARE_WRITTEN;
  uint32_t left_gpr = class_budget(GPR_CLASS, spare, RESIDENT_MAX_GPRS);
  uint32_t left_fpr = class_budget(FPR_CLASS, spare, RESIDENT_MAX_FPRS);
  uint32_t written_gpr = class_budget(GPR_CLASS, spare_w, RESIDENT_MAX_GPRS);
  uint32_t written_fpr = class_budget(FPR_CLASS, spare_w, RESIDENT_MAX_FPRS);
  budget b = {{left_gpr, left_fpr}, {written_gpr, written_fpr}};
  if (s.nested && !nest_keeps_innermost(g, &s, b)) return 0;
  uint32_t gprs = 0;
  for (uint32_t k = 0; k < s.n; k++) {
    uint32_t local = s.use[k].local;
    bool fpr = jit_type_is_float((jit_type)g->local_types[local]);
    uint32_t *left = fpr ? &left_fpr : &left_gpr;
    uint32_t *written = fpr ? &written_fpr : &written_gpr;
    if (*left == 0 || (s.use[k].written && *written == 0)) continue;
    jit_reg r = home_for(g, local, fpr ? FPR_CLASS : GPR_CLASS);
    if (r == JIT_NO_REG) continue;
    (*left)--;
    if (s.use[k].written) (*written)--;
    if (!fpr) gprs++;
    g->cache.resident |= cg_reg_bit(r);
    if (s.use[k].written) g->resident_dirty |= cg_reg_bit(r);
  }
  if (g->cache.resident) g->resident_loop = loop_index + 1;
  return gprs;
}

jit_reg cg_resident_reg(jit_codegen *g, uint32_t local) {
  if (!g->cache.resident) return JIT_NO_REG;
  for (uint64_t m = g->cache.resident; m; m &= m - 1) {
    jit_reg r = (jit_reg)__builtin_ctzll(m);
    if (g->cache.local[r] == local) return r;
  }
  return JIT_NO_REG;
}

bool cg_resident_outside(const jit_codegen *g, uint32_t target_index) {
  return target_index + 1 < g->resident_loop;
}

bool cg_resident_leaves(const jit_codegen *g, uint32_t target_index) {
  return g->resident_dirty && cg_resident_outside(g, target_index);
}

void cg_resident_flush(jit_codegen *g) {
  for (uint64_t m = g->resident_dirty; m; m &= m - 1) {
    jit_reg r = (jit_reg)__builtin_ctzll(m);
    uint32_t local = g->cache.local[r];
    masm_store_frame(g->m, (jit_type)g->local_types[local], r,
                     g->local_offsets[local]);
  }
}

bool cg_resident_release(jit_codegen *g, uint64_t mask) {
  cg_cache *c = &g->cache;
  uint64_t clean = c->resident & c->regs & ~g->resident_dirty & ~c->lent & mask;
  if (!clean) return false;
  jit_reg r = (jit_reg)__builtin_ctzll(clean);
  c->resident &= ~cg_reg_bit(r); /* a plain cache entry now */
  cg_cache_evict_reg(g, r);
  return true;
}

void cg_resident_end(jit_codegen *g, bool fell) {
  if (fell) cg_resident_flush(g);
  /* The registers stay as plain cache entries: memory is current again
   * (or the code here is unreachable). */
  g->cache.resident = 0;
  g->resident_dirty = 0;
  g->resident_loop = 0;
}

bool cg_resident_set(jit_codegen *g, uint32_t local, bool tee) {
  jit_reg home = cg_resident_reg(g, local);
  if (home == JIT_NO_REG) return false;
  cg_value v = cg_pop(g);
  /* In place already when a binop computed into it (pop_into_local). */
  if (!(v.kind == CG_REG && v.reg == home)) {
    cg_load_value(g, &v, home);
    cg_release(g, &v);
  }
  g->cache.regs |= cg_reg_bit(home); /* pop_into_local took it out */
  g->cache.age[home] = ++g->cache.clock;
  if (tee) {
    cg_value copy = {CG_LOCAL, g->local_types[local], JIT_NO_REG, local, 0};
    cg_push(g, copy);
  }
  return true;
}

uint32_t cg_resident_copies(const jit_codegen *g, uint32_t local) {
  uint32_t n = 0;
  for (uint32_t k = 0; k < g->nlazy; k++)
    if (g->stack[g->lazy[k]].index == local) n++;
  return n;
}

jit_reg cg_resident_dst(jit_codegen *g, uint32_t local, jit_type t) {
  jit_reg home = cg_resident_reg(g, local);
  if (home == JIT_NO_REG || g->local_types[local] != t ||
      cg_resident_copies(g, local) != 0)
    return JIT_NO_REG;
  return home;
}

jit_reg cg_resident_take_dst(jit_codegen *g, jit_reg home) {
  g->cache.regs &= ~cg_reg_bit(home); /* cg_resident_set puts it back */
  return home;
}
