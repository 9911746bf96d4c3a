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
 * Only loops whose body the scan proves simple qualify: no nested loop
 * (so one loop is resident at a time, and each byte is scanned at most
 * once: a scan stops at the first nested loop), and only instructions
 * compiled inline without calls (numeric ops, loads, stores, locals,
 * numeric globals, blocks and branches): no call or libcall clobbers the
 * registers or reads locals from memory inside the loop, no exception is
 * thrown out of it to a handler that would read the frame, and a trap
 * ends the instance's call, so stale slots are never seen.
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
  uint32_t local, uses;
  bool written;
} scan_use;

typedef struct scan_result {
  scan_use use[RESIDENT_SCAN_LOCALS];
  uint32_t n;
  bool wide; /* an access that holds a base or size register too */
} scan_result;

static void note_use(const jit_codegen *g, scan_result *s, uint32_t local,
                     bool write) {
  if (local >= g->nlocals || !numeric(g->local_types[local])) return;
  for (uint32_t k = 0; k < s->n; k++) {
    if (s->use[k].local != local) continue;
    s->use[k].uses++;
    s->use[k].written |= write;
    return;
  }
  if (s->n == RESIDENT_SCAN_LOCALS) return;
  scan_use u = {local, 1, write};
  s->use[s->n++] = u;
}

/* Scans the body of the loop whose opcode is at loop_offset: true when it
 * qualifies (see the top), with the locals it uses in *s. The body is not
 * validated yet: anything the decoder refuses just disqualifies it. */
static bool scan_loop(const jit_codegen *g, uint32_t loop_offset,
                      scan_result *s) {
  const rt_func *fn = &g->mod->funcs[g->func_index];
  size_t end = (size_t)fn->body_offset + fn->body_len;
  if (!g->mod->bytes || loop_offset >= end) return false;
  size_t limit = end - loop_offset > RESIDENT_SCAN_BYTES
                     ? (size_t)loop_offset + RESIDENT_SCAN_BYTES
                     : end;
  jit_reader r;
  jit_reader_init(&r, g->mod->bytes, loop_offset, limit);
  jit_instr in;
  bool ok = false;
  uint32_t depth = 0;
  s->n = 0;
  s->wide = g->bounds_checks;
  if (jit_decode_instr(&r, &in) || in.op != OP_LOOP) goto done;
  while (r.pos < r.end) {
    wrun_error *e = jit_decode_instr(&r, &in);
    if (e) {
      wrun_error_delete(e);
      break;
    }
    uint8_t kind = in.op < OP_COUNT ? scan_kind[in.op] : SCAN_NO;
    if (kind == SCAN_NO || (kind == SCAN_VISIT && !resident_ok_visit(g, &in)))
      break;
    if (in.op == OP_BLOCK || in.op == OP_IF) depth++;
    if (in.op == OP_END && depth-- == 0) {
      ok = true;
      break;
    }
    if (kind == SCAN_OK && jit_opinfo_table[in.op].imm == IMM_MEMARG) {
      uint32_t mem = in.u.mem.memory;
      if (mem != 0 || mem >= g->mod->nmemories || g->mod->memories[mem].is64)
        s->wide = true;
    }
    if (in.op == OP_LOCAL_GET) note_use(g, s, in.u.index, false);
    if (in.op == OP_LOCAL_SET || in.op == OP_LOCAL_TEE)
      note_use(g, s, in.u.index, true);
  }
done:
  jit_reader_free(&r);
  return ok && s->n > 0;
}

/* Most uses first; among equals, written ones (they save stores too). */
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
  if (g->resident_loop || g->residents_off) return 0;
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
