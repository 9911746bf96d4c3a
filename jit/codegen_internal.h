/* Private state of the code generator, shared by jit/codegen*.c and the
 * unit tests (tests/unit/test_codegen.c). Not part of any contract.
 *
 * Frame layout (fp = frame pointer):
 *   fp + param_base + off_i   parameter i (the caller's outgoing area)
 *   fp + CG_SAVED_VMCTX_SLOT  saved vmctx (CG_SAVED_VMCTX_SIZE bytes)
 *   fp + CG_TAIL_CAP_SLOT     functions with tail calls (tail_cap_slot):
 *                             the incoming area's capacity, 8 bytes
 *   below it                  declared locals, in array-layout slot sizes
 *                             (runtime/array_layout.h), in order downward
 *                             (local_offsets)
 *   slots_base - size*s       spill slot s, size = slot_size (16 when the
 *                             function may hold v128 values, else 8); the
 *                             canonical slot of stack position p is p + bias
 *                             (see codegen.c)
 *   sp + 0 .. out_size        outgoing area of calls (args and results)
 */
#ifndef JIT_CODEGEN_INTERNAL_H
#define JIT_CODEGEN_INTERNAL_H

#include "../runtime/vmctx.h"
#include "codegen.h"
#include "jit.h"

/* The prologue stores the callee ctx (this function's vmctx) just below
 * the saved fp, and cg_reload_pinned reads it back after calls that may
 * leave the instance; the declared locals start below it. */
#define CG_SAVED_VMCTX_SIZE 8
#define CG_SAVED_VMCTX_SLOT (-CG_SAVED_VMCTX_SIZE)

/* Where a function with tail calls keeps the capacity of its incoming
 * area (target.tail_cap_reg at entry), just below the saved vmctx. */
#define CG_TAIL_CAP_SLOT (CG_SAVED_VMCTX_SLOT - 8)

/* Where a value on the abstract stack lives. */
typedef enum cg_kind {
  CG_CONST, /* bits */
  CG_REG,   /* reg, owned by this entry */
  CG_LOCAL, /* lazy copy of local `index` (read from its frame slot) */
  CG_SPILL, /* in the canonical slot of depth `index` */
} cg_kind;

/* Lazy local copies allowed on the value stack at once (see lazy[]). */
#define CG_MAX_LAZY 32

typedef struct cg_value {
  uint8_t kind; /* cg_kind */
  uint8_t type; /* jit_type */
  jit_reg reg;
  uint32_t index;
  uint64_t bits;
} cg_value;

/* The register cache of locals (write-through): register r holds the
 * current value of local[r] when bit r of regs is set. The frame slot is
 * always up to date too, so an entry may be dropped at any time for free.
 * Cache registers are owned by the cache: never free, never held by a
 * value stack entry (readers copy them). */
typedef struct cg_cache {
  uint64_t regs;
  uint64_t lent;      /* lent to the current instruction: not evictable */
  /* Entries of loop-resident locals (codegen_resident.c): their slots
   * may be stale, so they are never evicted, cleared or met away. */
  uint64_t resident;
  uint32_t clock;     /* ticks on every set/hit, for least-recently-used */
  uint32_t local[64];
  uint32_t age[64];
} cg_cache;

typedef enum cg_ctrl_kind { CG_BLOCK, CG_LOOP, CG_IF, CG_ELSE, CG_FUNC } cg_ctrl_kind;

/* A saved register cache (of a label or an else arm): an offset into the
 * function's snapshot arena (g->snaps), 0 for an empty cache. A snapshot
 * keeps only the cached registers: the mask (two words) and the clock,
 * then a (local, age) pair per register in increasing register order.
 * An empty cache needs no clock: adopting it leaves no entry whose age
 * could be compared with later ones. */
typedef uint32_t cg_snap;

/* One frame per open block. Kept small: a hostile body may nest a million
 * blocks, and every field here is paid per nesting level. */
typedef struct cg_ctrl {
  uint8_t kind;    /* cg_ctrl_kind */
  bool targeted;   /* some branch jumps to label */
  uint32_t height; /* value stack height below the block's params */
  uint32_t bias;   /* slot bias outside the block (see codegen.c) */
  uint32_t nparams, nresults;
  uint32_t snap_mark; /* snapshot arena top when the frame was pushed */
  /* Register cache at label. Block/if/else end: what every branch to it
   * agreed on so far (valid when targeted). Loop head: fixed when the loop
   * starts; every back edge re-establishes it. else_cache: at the else. */
  cg_snap label_cache;
  union {
    cg_snap else_cache;  /* if */
    uint32_t outer_loop; /* loop: jit_codegen.inner_loop around it */
  };
  const rt_valtype *params, *results; /* wasm value types */
  jit_label label;      /* branch target: end (block/if) or head (loop) */
  jit_label else_label; /* if: start of the else arm */
} cg_ctrl;

/* What exception handling (codegen_exn.c) keeps of a control frame, in
 * g->ctrl_exn at the frame's index; kept apart from cg_ctrl so that
 * functions without a try pay nothing for it per nesting level. */
typedef struct cg_ctrl_exn {
  uint8_t kind;   /* cg_exn_kind */
  uint32_t scope; /* the try scope the frame opened */
  uint32_t outer; /* the scope active around it, restored at its end */
  uint32_t pads;  /* first landing pad branching to its label, 1-based */
} cg_ctrl_exn;

typedef enum cg_exn_kind {
  CG_EXN_NONE,
  CG_EXN_TRY_TABLE,
  CG_EXN_TRY,   /* legacy try, in its body */
  CG_EXN_CATCH, /* legacy try, in a catch or catch_all */
} cg_exn_kind;

typedef struct cg_pad cg_pad; /* a try_table clause's landing pad */

/* A compare not emitted yet, waiting for br_if/if/select/eqz to fuse. */
typedef struct cg_pending {
  bool active;
  bool negate; /* float compares that cannot be inverted exactly */
  uint8_t cond; /* jit_cond */
  uint8_t type; /* jit_type of the operands */
  jit_reg lhs;
  jit_opnd rhs;
} cg_pending;

/* A shift left by 1-3 not emitted yet, waiting for an add to make it one
 * lea (AArch64: add with a shifted register): array indexing, base +
 * (i << 2). The stack entry at pos holds the value before the shift. At
 * most one push (local.get, a constant) may come between; any other
 * instruction emits the shift first (codegen_ops.c). */
typedef struct cg_pending_shift {
  bool active;
  uint8_t shift;
  uint8_t type; /* JT_I32 or JT_I64 */
  uint32_t pos;
} cg_pending_shift;

/* Fuel charges of the function being compiled (codegen_fuel.c). */
typedef struct cg_fuel {
  bool on;          /* the module is compiled with fuel charges */
  bool open;        /* a charge was emitted; its amount is not final yet */
  bool need_charge; /* the next costing instruction starts a new run */
  uint32_t patch_at; /* where the open charge's amount goes */
  uint32_t count;   /* cost of the open run so far */
} cg_fuel;

struct jit_codegen {
  jit_masm *m;
  const rt_module *mod;
  rt_vmctx_layout layout;
  uint32_t func_index;
  const rt_functype *type;
  bool has_memory;

  /* locals: params first, then the declared ones */
  uint32_t nparams, nlocals;
  uint8_t *local_types;   /* jit_type per local */
  int32_t *local_offsets; /* fp-relative */
  uint32_t cap_locals;    /* capacity of the per-local arrays */
  /* Declared locals still holding the prologue's zero on every path to
   * here (no local.set of them compiled yet, and no loop head since: a
   * back edge may bring writes not seen yet). Reads become constants and
   * stores of zero are skipped. nzero counts the set entries. */
  uint8_t *local_zero;
  uint32_t nzero;
  int32_t slots_base;     /* fp offset of the slot of depth 0 */
  /* Bytes per spill slot: 16 when the function may hold v128 values on
   * the stack (so every depth fits one), else 8. */
  uint32_t slot_size;
  uint32_t locals_bytes;  /* frame bytes of the declared locals */
  bool vec_ok;            /* the backend generates SIMD code */
  const rt_module *v128_mod; /* module whose v128_in_mod is known */
  bool v128_in_mod;

  cg_value *stack;
  uint32_t sp, cap_stack;
  uint32_t bias;      /* canonical slot of position p is p + bias */
  uint32_t max_slots; /* spill slots the frame needs */
  /* Every stack entry held in a register, found without walking the
   * stack (so spills, joins and calls cost what they touch, not the stack
   * depth): owner[r] is the position of the entry holding r, when one
   * does (see holds() in codegen.c). */
  uint32_t owner[64];
  /* The positions of the CG_LOCAL entries, in increasing order. At most
   * CG_MAX_LAZY: a local.get beyond that loads the oldest one. */
  uint32_t lazy[CG_MAX_LAZY];
  uint32_t nlazy;

  cg_ctrl *ctrl;
  uint32_t nctrl, cap_ctrl;

  uint64_t free_regs; /* allocatable and currently unused */
  cg_cache cache;
  /* The cache clock once the register parameters are cached: an entry
   * no older is one of them, not read since (adopt_arg_regs). */
  uint32_t arg_seed_clock;
  /* 1 + the index in ctrl of the innermost open loop; 0: none */
  uint32_t inner_loop;
  /* 1 + the index in ctrl of the loop whose locals are resident
   * (codegen_resident.c), 0: none; the registers of those it writes,
   * whose slots are stale until it is left. */
  uint32_t resident_loop;
  uint64_t resident_dirty;
  /* Body bytes the loop scans of this function may still read: a scan
   * that fails leaves its inner loops to scan the same bytes again, and
   * this keeps the total linear in the body. */
  uint32_t resident_scan_left;
  bool residents_off; /* jit_codegen_set_residents(g, false) */
  /* Saved caches of open frames (see cg_snap), a stack popped with the
   * frames. A snapshot made for a frame below the top (a block's first
   * branch from inside nested blocks) lies above the inner frames' ones:
   * snap_pin keeps the arena from shrinking below it until its owner (the
   * outermost such frame, snap_pin_owner) is popped. */
  uint32_t *snaps;
  uint32_t snap_top, snap_cap;
  uint32_t snap_pin, snap_pin_owner;
  cg_pending pend;
  cg_pending_shift pshift;

  bool unreachable;
  uint32_t dead_depth; /* blocks opened inside unreachable code */

  jit_label trap_labels[WRUN_TRAP_COUNT];
  bool trap_used[WRUN_TRAP_COUNT];
  /* The wasm offset of the one instruction that branches to each trap
   * stub, for the stub's pc map entry (jit/pcmap.h); JIT_NO_WASM_OFFSET
   * once instructions at two offsets share the stub: its pc cannot tell
   * which trapped. */
  uint32_t trap_site[WRUN_TRAP_COUNT];
  jit_label overflow;

  uint32_t out_size; /* outgoing area bytes */
  bool simd, done;
  bool deterministic; /* canonicalise NaN results (codegen_nan.c) */
  /* Relocatable code: the next cg_libcall's first immediate is this
   * process-specific value (jit_sym_kind, 0 none) of type index
   * imm0_sym_index, loaded in its patchable form. */
  uint8_t imm0_sym;
  uint32_t imm0_sym_index;
  /* Every memory access compares its address with the memory's size
   * (jit_options.bounds_checks); offsets up to guard_cover need no more,
   * the guard past the size catches them with the access's width. */
  bool bounds_checks;
  uint64_t guard_cover;
  /* Bounds checks count the access's width and rely on no guard page
   * (jit_options.no_signals): guard_cover is 0. */
  bool exact_checks;
  /* Traps call rt_lib_trap instead of executing ud2/udf
   * (jit_options.no_signals). */
  bool trap_calls;
  /* Note every instruction's code offset in the pc map (tools). */
  bool map_every_instruction;
  /* Stack entry nan_pending_index, in nan_pending_reg, awaits NaN
   * canonicalisation (deferred, see codegen_nan.c). */
  bool nan_pending;
  uint8_t nan_pending_shape; /* jit_fshape */
  jit_reg nan_pending_reg;
  uint32_t nan_pending_index;
  wrun_error *err; /* first internal error (sticky) */
  uint32_t offset; /* offset of the current instruction */

  cg_fuel fuel;
  /* Where direct calls within the module enter: past the fuel load and
   * the set-up of the pinned registers (emit_prologue). */
  uint32_t call_entry;

  /* Exception handling (codegen_exn.c): the module's unwind table so
   * far, the innermost try scope at the current instruction, the first
   * scope of this function, and this function's try_table landing pads
   * (emitted out of line at its end). */
  jit_exn_table exn;
  uint32_t exn_scope, exn_first_scope;
  cg_pad *pads;
  uint32_t npads, cap_pads;
  /* Set at the function's first try: from then on ctrl_exn[i] follows
   * frame ctrl[i] (allocated up to cap_ctrl_exn). */
  bool exn_used;
  cg_ctrl_exn *ctrl_exn;
  uint32_t cap_ctrl_exn;
  /* Tail calls (codegen_tail.c). */
  const uint8_t *tail_info; /* JIT_TAIL_ flags per defined function */
  bool tail_reload;   /* direct calls reload pinned registers and fuel */
  bool tail_cap_slot; /* this function keeps its capacity (CG_TAIL_CAP_SLOT) */
  unsigned tail_use;  /* JIT_TAIL_ flags of this function so far */

  /* GC stack maps (codegen_stackmap.c): those of the module so far; the
   * validator whose operand stack types the value stack; the fp offsets
   * of this function's locals that hold GC references. */
  jit_stack_maps maps;
  const struct jit_validator *validator;
  int32_t *traced_locals;
  uint32_t ntraced_locals, cap_traced_locals;
  const rt_module *maps_mod; /* module whose module_traced is known */
  /* set by cg_libcall_gc for the cg_libcall it makes */
  bool libcall_map, libcall_uniform;
  const rt_valtype *libcall_kept;
  uint32_t libcall_nkept;
  bool module_traced; /* the module has types whose values are GC words */
  bool function_traced; /* ... or this function has such locals */
  uint32_t maps_first_slot; /* this function's first slot in maps */

  /* br_table scratch */
  jit_label *bt_labels;
  jit_label **bt_ptrs;
  uint32_t cap_bt;
};

/* ---- codegen.c: values, registers, moves, control ---------------------- */
jit_type cg_jit_type(uint8_t valtype);
int32_t cg_slot(const jit_codegen *g, uint32_t slot_index); /* fp offset */
void cg_fail(jit_codegen *g, const char *what);

/* The register classes: GPRs are jit_regs 0-31, FPRs 32-63. */
#define GPR_CLASS 0x00000000ffffffffull
#define FPR_CLASS 0xffffffff00000000ull

jit_reg cg_alloc(jit_codegen *g, bool fpr);
/* Inline for the common case, a free register of the class (the lowest,
 * as cg_alloc takes); cg_alloc evicts or spills when there is none. */
static inline jit_reg cg_alloc_for(jit_codegen *g, jit_type t) {
  bool fpr = jit_type_is_float(t);
  uint64_t avail = g->free_regs & (fpr ? FPR_CLASS : GPR_CLASS);
  if (!avail) return cg_alloc(g, fpr);
  jit_reg r = (jit_reg)__builtin_ctzll(avail);
  g->free_regs &= ~(1ull << r);
  return r;
}
/* Allocates a GPR not in `avoid` (a register bit mask). */
jit_reg cg_alloc_gpr_avoiding(jit_codegen *g, uint64_t avoid);
void cg_take(jit_codegen *g, jit_reg r); /* marks a free register used */
/* Inline, as the pushes and pops below: called several times for most
 * instructions. */
static inline uint64_t cg_reg_bit(jit_reg r) { return r < 64 ? 1ull << r : 0; }
static inline void cg_free(jit_codegen *g, jit_reg r) {
  if (jit_host_target.alloc_mask & cg_reg_bit(r)) g->free_regs |= cg_reg_bit(r);
}
static inline bool cg_is_free(const jit_codegen *g, jit_reg r) {
  return (g->free_regs & cg_reg_bit(r)) != 0;
}

void cg_push_slow(jit_codegen *g, cg_value v);
/* Inline: every instruction pushes, and the common case is a few stores;
 * growing the stack and a full lazy[] take the slow path. */
static inline void cg_push(jit_codegen *g, cg_value v) {
  if (g->sp == g->cap_stack ||
      (v.kind == CG_LOCAL && g->nlazy == CG_MAX_LAZY)) {
    cg_push_slow(g, v);
    return;
  }
  if (v.kind == CG_REG)
    g->owner[v.reg] = g->sp;
  else if (v.kind == CG_LOCAL)
    g->lazy[g->nlazy++] = g->sp;
  g->stack[g->sp++] = v;
  if (g->sp + g->bias > g->max_slots) g->max_slots = g->sp + g->bias;
}
static inline void cg_push_reg(jit_codegen *g, jit_type t, jit_reg r) {
  cg_value v = {CG_REG, (uint8_t)t, r, 0, 0};
  cg_push(g, v);
}
static inline void cg_push_const(jit_codegen *g, jit_type t, uint64_t bits) {
  cg_value v = {CG_CONST, (uint8_t)t, JIT_NO_REG, 0, bits};
  cg_push(g, v);
}
/* An empty stack: fails the function, answers a zero. */
cg_value cg_pop_underflow(jit_codegen *g);
static inline cg_value cg_pop(jit_codegen *g) {
  if (g->sp == 0) return cg_pop_underflow(g);
  cg_value v = g->stack[--g->sp];
  if (v.kind == CG_LOCAL) g->nlazy--; /* the top one: the last of lazy[] */
  return v;
}
/* Pops into a register owned by the caller (inline when it is in one
 * already; cg_pop_to_reg loads the others). */
jit_reg cg_pop_to_reg(jit_codegen *g, const cg_value *v);
static inline jit_reg cg_pop_reg(jit_codegen *g) {
  cg_value v = cg_pop(g);
  return v.kind == CG_REG ? v.reg : cg_pop_to_reg(g, &v);
}
/* Pops as an immediate when constant, else as a register. */
jit_opnd cg_pop_opnd(jit_codegen *g);
void cg_load_value(jit_codegen *g, const cg_value *v, jit_reg dst);
void cg_release(jit_codegen *g, const cg_value *v);

/* NULL when owner[]/lazy[] agree with the stack, else what is wrong
 * (walks the stack: tests and -DWRUN_CODEGEN_CHECKS builds only). */
const char *cg_check_stack(const jit_codegen *g);
void cg_spill_entry(jit_codegen *g, uint32_t i);
void cg_spill_oldest(jit_codegen *g, bool fpr);
void cg_spill_all_regs(jit_codegen *g);
/* Every entry of the stack in memory or constant (for libcalls). */
void cg_flush_for_call(jit_codegen *g);
void cg_materialize_local(jit_codegen *g, uint32_t local);
/* Every lazy copy of a parameter into a register (before the incoming
 * area is overwritten: a tail call's arguments to ft), or its cache
 * register lent for the rest of the instruction; an argument that passes
 * a parameter on in its own slot stays (cg_passes_itself). */
void cg_materialize_params(jit_codegen *g, const rt_functype *ft);
/* Is tail-call argument k, stored at fp + off, local `local`, a
 * parameter whose slot in the incoming area is the argument's own? Then
 * its slot holds the value already (memory is current: locals are
 * write-through), and the store is skipped. */
static inline bool cg_passes_itself(const jit_codegen *g, uint32_t k,
                                    int32_t off, uint32_t local) {
  return local < g->nparams && local == k && g->local_offsets[local] == off;
}
void cg_materialize_pending(jit_codegen *g);
/* May the pending shift wait past instruction op (an add that takes it,
 * or one push above it)? Else cg_materialize_shift emits it. */
bool cg_shift_may_wait(const jit_codegen *g, uint16_t op);
void cg_materialize_shift(jit_codegen *g);
void cg_negate_pending(jit_codegen *g); /* i32.eqz on the pending compare */

/* The return sequence (results to their places, epilogue), then the
 * rest of the block is unreachable: return, and a tail call's fallback. */
void cg_return_and_end(jit_codegen *g);
/* The rest of the block is unreachable (after a jump away). */
void cg_set_unreachable(jit_codegen *g);

jit_label *cg_trap_label(jit_codegen *g, uint8_t code);
void cg_reload_pinned(jit_codegen *g);

/* ---- codegen_cache.c: the register cache of locals ---------------------- */

/* Cache keys from CG_MEMBASE_KEY0 name memory bases (memory k: key
 * CG_MEMBASE_KEY0 + k), beyond any local index (at most 50,000 declared
 * locals plus the parameters); keys from CG_MEMSIZE_KEY0 the current
 * byte sizes of memory64s that check their size (memory k: key
 * CG_MEMSIZE_KEY0 + k). A memory index below CG_MEMKEY_LIMIT has both. */
#define CG_MEMBASE_KEY0 0x80000000u
#define CG_MEMSIZE_KEY0 0xC0000000u
#define CG_MEMKEY_LIMIT (CG_MEMSIZE_KEY0 - CG_MEMBASE_KEY0)
static inline bool cg_is_membase_key(uint32_t key) {
  return key >= CG_MEMBASE_KEY0 && key < CG_MEMSIZE_KEY0;
}
static inline bool cg_is_memsize_key(uint32_t key) {
  return key >= CG_MEMSIZE_KEY0;
}
static inline uint32_t cg_membase_key(uint32_t mem) {
  return CG_MEMBASE_KEY0 + mem;
}
static inline uint32_t cg_memsize_key(uint32_t mem) {
  return CG_MEMSIZE_KEY0 + mem;
}
/* Loads memory mem's current size in bytes (rt_memory.size) into r. */
void cg_load_memory_size(jit_codegen *g, uint32_t mem, jit_reg r);
/* At a loop head: puts memory 0's size in the cache when memory 0 checks
 * its size and a GPR is idle, so the loop's accesses compare with a
 * register instead of loading the size every iteration. */
void cg_memory_size_before_loop(jit_codegen *g);
/* vmctx offset of memory mem's base. */
static inline int32_t cg_membase_offset(const jit_codegen *g, uint32_t mem) {
  return (int32_t)(rt_vmctx_memory_off(&g->layout, mem) +
                   RT_VMCTX_MEMORY_SLOT_BASE);
}

/* The register caching local i, or JIT_NO_REG. */
jit_reg cg_cache_find(jit_codegen *g, uint32_t local);
/* Hands r (allocated, owned by the caller) to the cache as local i's
 * register; i's previous register, if any, is freed. */
void cg_cache_set(jit_codegen *g, uint32_t local, jit_reg r);
void cg_cache_drop_local(jit_codegen *g, uint32_t local);
/* Frees r if the cache holds it (before something writes r). */
void cg_cache_evict_reg(jit_codegen *g, jit_reg r);
/* The cached local in register r is now `local` (whose old entry the
 * caller dropped); the one it was keeps only its slot. */
void cg_cache_retarget(jit_codegen *g, jit_reg r, uint32_t local);
/* Frees the least recently used cache register in mask; false if none. */
bool cg_cache_evict_one(jit_codegen *g, uint64_t mask);
/* Forgets everything (at joins and calls): frees every cache register. */
void cg_cache_clear(jit_codegen *g);
/* Drops the entries not used since the clock read `clock`. */
void cg_cache_drop_unused_since(jit_codegen *g, uint32_t clock);
/* Keeps in acc only the entries that in agrees with (a join of paths). */
void cg_cache_meet(cg_cache *acc, const cg_cache *in);
/* Saves the live cache for frame ctrl_index (0 when empty). */
cg_snap cg_snap_save(jit_codegen *g, uint32_t ctrl_index);
/* Expands a snapshot into a full cache (lent 0; clock 0 when empty). */
void cg_snap_load(const jit_codegen *g, cg_snap s, cg_cache *out);
/* The registers a snapshot caches. */
uint64_t cg_snap_regs(const jit_codegen *g, cg_snap s);
/* cg_cache_meet in place on a snapshot (it only shrinks). */
void cg_snap_meet(jit_codegen *g, cg_snap s, const cg_cache *in);
/* Frees the snapshots of frame ctrl_index, being popped. */
void cg_snap_pop(jit_codegen *g, uint32_t ctrl_index, uint32_t mark);
/* Empties the arena (a new function). */
void cg_snap_reset(jit_codegen *g);
/* Replaces the cache by want, at a label where only cache registers can
 * be in use (entries whose register is taken are left out). */
void cg_cache_adopt(jit_codegen *g, const cg_cache *want);
/* Drops all but the max_gpr/max_fpr most recently used entries. */
void cg_cache_prune(jit_codegen *g, int max_gpr, int max_fpr);
/* Does the current cache hold every entry of want? */
bool cg_cache_satisfies(const jit_codegen *g, const cg_cache *want);
/* Emits the moves that make every entry of want hold, on a path about to
 * jump to a loop head (where only cache registers are in use); the
 * abstract state is not updated (the path ends with the jump). */
void cg_cache_establish(jit_codegen *g, const cg_cache *want);
/* Pops an operand the caller only reads (never writes or frees itself): a
 * lazy local comes as its cache register, lent until the end of the
 * current instruction (a local read from memory is cached on the way).
 * Release with cg_done_read. */
jit_reg cg_pop_read(jit_codegen *g);
/* What cg_pop_read does for a lazy entry: local's cache register, lent
 * until the end of the instruction, cached on the way when it is not. */
jit_reg cg_local_read(jit_codegen *g, uint32_t local);
/* cg_pop_read, or an immediate for a constant. */
jit_opnd cg_pop_opnd_read(jit_codegen *g);
static inline void cg_done_read(jit_codegen *g, jit_reg r) {
  /* Within one instruction a lent register stays cached (nothing sets a
   * local or clears the cache meanwhile), so "still cached" means lent. */
  if (!(g->cache.regs & cg_reg_bit(r))) cg_free(g, r);
}

/* ---- codegen_resident.c: loop-resident locals ------------------------- */
/* At the start of the loop at ctrl index loop_index (before its head):
 * makes the locals it uses most resident when its body qualifies, loading
 * them. Answers the number of GPRs taken. */
uint32_t cg_resident_begin(jit_codegen *g, const jit_instr *in,
                           uint32_t loop_index);
/* local's register while it is resident, else JIT_NO_REG. */
jit_reg cg_resident_reg(jit_codegen *g, uint32_t local);
/* Is the frame at target_index outside the resident loop? */
bool cg_resident_outside(const jit_codegen *g, uint32_t target_index);
/* Does a branch to the frame at target_index leave the resident loop
 * with stale slots (so that edge must cg_resident_flush)? */
bool cg_resident_leaves(const jit_codegen *g, uint32_t target_index);
void cg_resident_flush(jit_codegen *g); /* stores the written residents */
/* The allocator out of registers in mask: frees one of a resident the
 * loop only reads (its slot is current), which stops being resident;
 * false when there is none to free. */
bool cg_resident_release(jit_codegen *g, uint64_t mask);
/* At the resident loop's end; fell: reached by falling through. */
void cg_resident_end(jit_codegen *g, bool fell);
/* The loop scans' allowance for a body of body_len bytes
 * (jit_codegen.resident_scan_left). */
uint32_t cg_resident_scan_budget(uint32_t body_len);
/* local.set/tee of a resident local (the value into its register, no
 * store); false when local is not resident. */
bool cg_resident_set(jit_codegen *g, uint32_t local, bool tee);
/* The lazy copies of local on the stack. */
uint32_t cg_resident_copies(const jit_codegen *g, uint32_t local);
/* Where an instruction whose result of type t goes to resident local
 * next (local.set/tee follows) may compute it: local's register, or
 * JIT_NO_REG when local is not resident or a copy of it is on the stack
 * (which would read the new value). Ask before popping the operands
 * (none of them is then in that register), and claim it after with
 * cg_resident_take_dst; cg_resident_set finds the result in place. */
jit_reg cg_resident_dst(jit_codegen *g, uint32_t local, jit_type t);
jit_reg cg_resident_take_dst(jit_codegen *g, jit_reg home);

/* ---- codegen_ops.c: the dispatcher, by the LOWER column of opcodes.def -- */
void cg_visit_op(jit_codegen *g, const jit_instr *in);

/* The instructions with code of their own (LOWER VISIT fn in opcodes.def):
 * control in codegen.c, the others in codegen_ops.c. */
void cg_op_unreachable(jit_codegen *g, const jit_instr *in);
void cg_op_block(jit_codegen *g, const jit_instr *in); /* block, loop, if */
void cg_op_else(jit_codegen *g, const jit_instr *in);
void cg_op_end(jit_codegen *g, const jit_instr *in);
void cg_op_br(jit_codegen *g, const jit_instr *in);
void cg_op_br_if(jit_codegen *g, const jit_instr *in);
void cg_op_br_table(jit_codegen *g, const jit_instr *in);
void cg_op_br_on_null(jit_codegen *g, const jit_instr *in);
void cg_op_br_on_cast(jit_codegen *g, const jit_instr *in);
/* codegen_gc.c */
void cg_op_ref_test(jit_codegen *g, const jit_instr *in);
void cg_op_ref_cast(jit_codegen *g, const jit_instr *in);
void cg_op_ref_i31(jit_codegen *g, const jit_instr *in);
/* Casts to target are made by the runtime (a non-final function type). */
bool cg_cast_asks_runtime(const jit_codegen *g, rt_valtype target);
/* Asks the runtime whether the reference on top of the stack (left there)
 * is of type target: a register holding 1 or 0. */
jit_reg cg_cast_test_runtime(jit_codegen *g, rt_valtype target);
/* codegen_stackmap.c: a stack map for the call just emitted (its return
 * address is the current position). The value stack's entries are typed
 * by the validator's operand stack, except the top `nkept` ones, typed
 * by kept[] (uniform: all by kept[0]): operands of an allocation left on
 * the stack, popped by the validator already. */
void cg_stack_map(jit_codegen *g, const rt_valtype *kept, uint32_t nkept,
                  bool uniform);
/* cg_libcall of a function that may collect (a GC allocation), keeping
 * the nkept values below its operands (typed as for cg_stack_map) in its
 * stack map. */
/* Jumps to l when the type id in GPR id compares cond with the interned
 * id of module type type_index: an immediate, or in relocatable code a
 * patchable load into a register not in avoid. */
void cg_type_id_branch(jit_codegen *g, jit_cond cond, jit_reg id,
                       uint32_t type_index, uint64_t avoid, jit_label *l);
/* The next cg_libcall's first immediate is the value of kind (a
 * jit_sym_kind) for type index type_index (patchable when relocatable). */
static inline void cg_libcall_sym(jit_codegen *g, uint8_t kind,
                                  uint32_t type_index) {
  g->imm0_sym = kind;
  g->imm0_sym_index = type_index;
}
void cg_libcall_gc(jit_codegen *g, const void *fn, const uint64_t *imms,
                   uint32_t nimms, uint32_t nops, uint8_t result_type,
                   const rt_valtype *kept, uint32_t nkept, bool uniform);
void cg_stack_map_begin_function(jit_codegen *g, uint32_t ndeclared,
                                 const rt_valtype *declared);
void cg_stack_map_free(jit_codegen *g);

/* codegen_struct.c, codegen_array.c: GC objects */
void cg_op_struct_new(jit_codegen *g, const jit_instr *in);
void cg_op_struct_get(jit_codegen *g, const jit_instr *in);
void cg_op_struct_set(jit_codegen *g, const jit_instr *in);
void cg_op_array_new(jit_codegen *g, const jit_instr *in);
void cg_op_array_new_fixed(jit_codegen *g, const jit_instr *in);
void cg_op_array_new_segment(jit_codegen *g, const jit_instr *in);
void cg_op_array_get(jit_codegen *g, const jit_instr *in);
void cg_op_array_set(jit_codegen *g, const jit_instr *in);
void cg_op_array_len(jit_codegen *g, const jit_instr *in);
void cg_op_array_fill(jit_codegen *g, const jit_instr *in);
void cg_op_array_copy(jit_codegen *g, const jit_instr *in);
void cg_op_array_init_segment(jit_codegen *g, const jit_instr *in);
struct rt_gc_rtt;
/* The rtt of struct or array type index i (fails the function if none). */
const struct rt_gc_rtt *cg_gc_rtt(jit_codegen *g, uint32_t type_index);
void cg_gc_null_check(jit_codegen *g, jit_reg ref, uint8_t trap);
/* Pushes the field or element of storage type `storage` at
 * [obj + addr + off] (sign: get_s of a packed one). */
void cg_gc_load(jit_codegen *g, rt_valtype storage, bool sign, jit_reg obj,
                jit_opnd addr, uint32_t off);
/* Stores src / the popped top of the stack there. */
void cg_gc_store(jit_codegen *g, rt_valtype storage, jit_reg src,
                 jit_reg obj, jit_opnd addr, uint32_t off);
void cg_gc_store_top(jit_codegen *g, rt_valtype storage, jit_reg obj,
                     jit_opnd addr, uint32_t off);
void cg_op_i31_get(jit_codegen *g, const jit_instr *in);
/* Branches to on_fail unless ref holds a value of type target. */
void cg_cast_check(jit_codegen *g, jit_reg ref, rt_valtype target,
                   jit_label *on_fail);
void cg_op_br_on_non_null(jit_codegen *g, const jit_instr *in);
void cg_op_return(jit_codegen *g, const jit_instr *in);
void cg_op_call(jit_codegen *g, const jit_instr *in);
void cg_op_call_indirect(jit_codegen *g, const jit_instr *in);
void cg_op_call_ref(jit_codegen *g, const jit_instr *in);
void cg_op_ref_as_non_null(jit_codegen *g, const jit_instr *in);
/* codegen_tail.c */
void cg_op_return_call(jit_codegen *g, const jit_instr *in);
void cg_op_return_call_indirect(jit_codegen *g, const jit_instr *in);
void cg_op_return_call_ref(jit_codegen *g, const jit_instr *in);

/* ---- codegen_ops.c: calls, shared with codegen_tail.c ------------------- */
/* Bytes of the outgoing area a call of ft uses: its arguments, and its
 * results 1.. that come back there. */
uint32_t cg_call_area(const rt_functype *ft);
bool cg_type_has_v128(const rt_functype *ft);
/* Pops ft's arguments into the outgoing area [sp + offset_i], growing it
 * to cg_call_area(ft); with incoming, into this function's own incoming
 * area [fp + param_base + offset_i] instead (a tail call's, once no lazy
 * copy of a parameter is left on the stack: cg_materialize_params). */
void cg_store_call_args(jit_codegen *g, const rt_functype *ft);
/* Where a register argument (jit_target.arg_gpr, jit_reg_args) is once
 * the arguments are stored: in reg (a register of its own, `owned`, or
 * a local's cache register, lent), or a constant, or only in its slot. */
typedef struct cg_arg_src {
  jit_reg reg;   /* holds the argument, or JIT_NO_REG */
  jit_reg owned; /* reg when it is to be freed after the move */
  bool is_const;
  bool incoming; /* the slot is fp + off (else sp + off) */
  jit_type type;
  int32_t off;
  uint64_t bits;
} cg_arg_src;
/* With keep (JIT_ARG_GPRS entries), also says where the register
 * arguments are, keeping the registers that hold them; returns how
 * many there are. Then cg_move_arg_regs, before anything else allocates
 * or writes a register (cg_spill_all_regs only stores). */
uint32_t cg_store_args(jit_codegen *g, const rt_functype *ft, bool incoming,
                       cg_arg_src *keep);
void cg_move_arg_regs(jit_codegen *g, cg_arg_src *src, uint32_t n);
void cg_load_arg_regs(jit_codegen *g, const rt_functype *ft, bool incoming);
/* The argument registers, for allocations between them and a call. */
uint64_t cg_arg_regs_mask(void);
/* Can a call through a funcref (call_indirect of ft, or call_ref when
 * by_ref) set its argument registers before it finds the callee, from
 * where the arguments are? Yes when no libcall comes between (a
 * non-final type's subtype check) and registers enough are left for the
 * search (not on x86-64 with fuel). Else they are loaded back from
 * their slots last (cg_load_arg_regs). */
bool cg_arg_regs_first(const jit_codegen *g, const rt_functype *ft,
                       bool by_ref);
/* r, or a copy of it outside the argument registers (r is freed). */
jit_reg cg_off_arg_regs(jit_codegen *g, jit_reg r, uint64_t avoid);
/* After a call: pushes its results; reloads the pinned registers when
 * reload (the callee may have returned from another instance). */
void cg_push_call_results(jit_codegen *g, const rt_functype *ft, bool reload);
/* call_indirect's checks of table entry `index` (consumed) for type ft:
 * traps unless it holds a function of that type; then the callee's code
 * is in the returned GPR (owned by the caller) and its ctx in
 * target.call_ctx_reg. Allocates nothing in avoid. */
jit_reg cg_indirect_callee(jit_codegen *g, const jit_instr *in,
                           const rt_functype *ft, jit_reg index,
                           uint64_t avoid);
/* call_ref's callee, the funcref in `ref` (consumed): traps if it is
 * null, else as cg_indirect_callee. */
jit_reg cg_ref_callee(jit_codegen *g, jit_reg ref, uint64_t avoid);
void cg_op_drop(jit_codegen *g, const jit_instr *in);
void cg_op_select(jit_codegen *g, const jit_instr *in);
void cg_op_select_t(jit_codegen *g, const jit_instr *in);
void cg_op_local_get(jit_codegen *g, const jit_instr *in);
void cg_op_local_set(jit_codegen *g, const jit_instr *in);
void cg_op_local_tee(jit_codegen *g, const jit_instr *in);
void cg_op_global_get(jit_codegen *g, const jit_instr *in);
void cg_op_global_set(jit_codegen *g, const jit_instr *in);
void cg_op_memory_size(jit_codegen *g, const jit_instr *in);
void cg_op_bulk(jit_codegen *g, const jit_instr *in); /* memory, tables */
void cg_op_i32_const(jit_codegen *g, const jit_instr *in);
void cg_op_i64_const(jit_codegen *g, const jit_instr *in);
void cg_op_f32_const(jit_codegen *g, const jit_instr *in);
void cg_op_f64_const(jit_codegen *g, const jit_instr *in);
void cg_op_ref_null(jit_codegen *g, const jit_instr *in);
void cg_op_ref_func(jit_codegen *g, const jit_instr *in);

/* For codegen_exn.c: the control machinery of codegen.c. */
cg_ctrl *cg_ctrl_target(jit_codegen *g, uint32_t depth);
cg_ctrl *cg_ctrl_top(jit_codegen *g);
/* Moves the top values into c's label convention, dropping the stack to
 * c's height; the return sequence; the rest of the block unreachable. */
void cg_move_to_convention(jit_codegen *g, cg_ctrl *c);
void cg_emit_return(jit_codegen *g);
void cg_mark_unreachable(jit_codegen *g);
/* Marks a branch to c's label from a path with an empty register cache
 * (landing pads enter with nothing cached). */
void cg_note_empty_edge(jit_codegen *g, cg_ctrl *c);
/* Pops the arguments of ft into the outgoing area (codegen_ops.c). */
void cg_store_call_args(jit_codegen *g, const rt_functype *ft);

/* ---- codegen_exn.c: exception handling ---------------------------------- */
void cg_op_try_table(jit_codegen *g, const jit_instr *in);
void cg_op_throw(jit_codegen *g, const jit_instr *in);
void cg_op_throw_ref(jit_codegen *g, const jit_instr *in);
void cg_op_try(jit_codegen *g, const jit_instr *in);
void cg_op_catch(jit_codegen *g, const jit_instr *in); /* and catch_all */
void cg_op_delegate(jit_codegen *g, const jit_instr *in);
void cg_op_rethrow(jit_codegen *g, const jit_instr *in);
/* After a call instruction was emitted: inside a try, its return address
 * gets an unwind table entry. Nothing otherwise. */
void cg_exn_add_site(jit_codegen *g);
static inline void cg_exn_note_call(jit_codegen *g) {
  if (g->exn_scope != JIT_NO_SCOPE) cg_exn_add_site(g);
}
/* Only once the function has a try (g->exn_used): frame i was pushed
 * (false when out of memory), popped, bound its label (pads branching
 * there learn where it is). */
bool cg_exn_frame_pushed(jit_codegen *g, uint32_t i);
static inline void cg_exn_frame_popped(jit_codegen *g, uint32_t i) {
  g->exn_scope = g->ctrl_exn[i].outer; /* a try's calls end with it */
}
void cg_exn_label_bound(jit_codegen *g, uint32_t i);
/* At the function's end: emits the try_table landing pads; then, once
 * the frame size is known, records it in the function's scopes. */
void cg_exn_emit_pads(jit_codegen *g);
void cg_exn_set_frame_size(jit_codegen *g, uint32_t frame_size);
/* A new function: no scope is open, no pads are pending. */
void cg_exn_begin_function(jit_codegen *g);
void cg_exn_free(jit_codegen *g);

/* ---- codegen_nan.c: deterministic mode ---------------------------------- */
/* After each instruction compiled: in deterministic mode, when the NAN
 * column of opcodes.def says its result may be a NaN whose bits the
 * hardware chose, that NaN is to become the canonical one (at the latest
 * before the next instruction). Otherwise it does nothing. */
void cg_nan_step_after(jit_codegen *g, const jit_instr *in);
static inline void cg_nan_after_op(jit_codegen *g, const jit_instr *in) {
  if (g->deterministic) cg_nan_step_after(g, in);
}
/* Before each instruction: emits a deferred canonicalisation unless in
 * makes it unnecessary or keeps it waiting. */
void cg_nan_step(jit_codegen *g, const jit_instr *in);
static inline void cg_nan_before_step(jit_codegen *g, const jit_instr *in) {
  if (g->nan_pending) cg_nan_step(g, in);
}
/* Before stack entry i is spilled: a deferred canonicalisation of it. */
void cg_nan_before_spill(jit_codegen *g, uint32_t i);

/* ---- codegen_fuel.c: fuel charges --------------------------------------- */
void cg_fuel_begin_function(jit_codegen *g);
/* Around each instruction compiled in reachable code (before), and each
 * instruction stepped (after, unreachable ones too: an end there may bind
 * a reachable label). Without fuel both do nothing. */
void cg_fuel_step_before(jit_codegen *g, const jit_instr *in);
void cg_fuel_step_after(jit_codegen *g, const jit_instr *in);
/* Inline: they run for every instruction, and cost a test when off. */
static inline void cg_fuel_before(jit_codegen *g, const jit_instr *in) {
  if (g->fuel.on) cg_fuel_step_before(g, in);
}
static inline void cg_fuel_after(jit_codegen *g, const jit_instr *in) {
  if (g->fuel.on) cg_fuel_step_after(g, in);
}
/* Registers the allocator must leave alone (the fuel register, when on). */
uint64_t cg_fuel_reserved_regs(const jit_codegen *g);
/* The fuel register: loaded at function entry (before the prologue),
 * stored before every call and the return (sync_out; vmctx_reg must be
 * this function's), reloaded after every call once vmctx_reg is ours
 * again (sync_in). */
void cg_fuel_entry(jit_codegen *g);
void cg_fuel_sync_out(jit_codegen *g);
void cg_fuel_sync_in(jit_codegen *g);

/* ---- codegen_simd.c: the 0xFD-prefixed opcodes -------------------------- */
/* Stack shapes of the SIMD register ops (LOWER V and VLANE). */
typedef enum cg_vshape {
  VS_UN,      /* v -> v */
  VS_BIN,     /* v v -> v */
  VS_TERN,    /* v v v -> v */
  VS_TEST,    /* v -> i32 */
  VS_SHIFT,   /* v i32 -> v */
  VS_SPLAT,   /* scalar -> v */
  VS_EXTRACT, /* v -> scalar (lane immediate) */
  VS_REPLACE, /* v scalar -> v (lane immediate) */
} cg_vshape;

/* Around an access to linear memory mem: memory k > 0 gets its base in a
 * register (from the cache, else loaded from its vmctx slot and cached)
 * that the masm addresses from, returned to hand to cg_memory_end; memory
 * 0 uses the pinned register (JIT_NO_REG). */
jit_reg cg_memory_begin_other(jit_codegen *g, uint32_t mem);
void cg_memory_end_other(jit_codegen *g, jit_reg base);
/* Inline: they run for every load and store, and memory 0 costs a test. */
static inline jit_reg cg_memory_begin(jit_codegen *g, uint32_t mem) {
  return mem == 0 ? JIT_NO_REG : cg_memory_begin_other(g, mem);
}
static inline void cg_memory_end(jit_codegen *g, jit_reg base) {
  if (base != JIT_NO_REG)
    cg_memory_end_other(g, base);
  else
    jit_masm_set_mem_index64(g->m, false); /* compile time only */
}
/* Whether memory mem is a memory64, and the address check of its accesses
 * (see jit/codegen_ops.c); returns the offset to hand to the masm. */
static inline bool cg_memory_is64(const jit_codegen *g, uint32_t mem) {
  return g->mod->memories[mem].is64;
}
uint32_t cg_check_address64(jit_codegen *g, uint32_t mem, jit_opnd *addr,
                            uint64_t offset, unsigned size_log2);
/* The same for a 32-bit memory: nothing unless bounds checks are on; then
 * a register address is replaced by its zero-extension (owned). */
uint32_t cg_check_address32(jit_codegen *g, uint32_t mem, jit_opnd *addr,
                            uint32_t offset, unsigned size_log2);
/* The address operand of an access of 1 << size_log2 bytes to memory mem,
 * popped as the loads and stores do (a constant as an immediate, a
 * register borrowed: release it with cg_done_read); *offset is what the
 * masm takes. */
jit_opnd cg_pop_address(jit_codegen *g, uint32_t mem, uint64_t in_offset,
                        unsigned size_log2, uint32_t *offset);
/* A libcall fn(vmctx, imms..., the top nops operands deepest first),
 * pushing its result of type result_type (CG_NO_RESULT: none). */
#define CG_NO_RESULT 0xff
void cg_libcall(jit_codegen *g, const void *fn, const uint64_t *imms,
                uint32_t nimms, uint32_t nops, uint8_t result_type);
/* Threads (jit/codegen_atomic.c): LOWER ALD, AST, ARMW, ACMPXCHG. */
void cg_visit_atomic_load(jit_codegen *g, const jit_instr *in, jit_type t);
void cg_visit_atomic_store(jit_codegen *g, const jit_instr *in);
void cg_visit_atomic_rmw(jit_codegen *g, const jit_instr *in,
                         jit_atomic_op op, jit_type t);
void cg_visit_atomic_cmpxchg(jit_codegen *g, const jit_instr *in,
                             jit_type t);
void cg_op_atomic_fence(jit_codegen *g, const jit_instr *in);
void cg_op_atomic_notify(jit_codegen *g, const jit_instr *in);
void cg_op_atomic_wait(jit_codegen *g, const jit_instr *in);
/* The SIMD memory ops (LOWER VMEM). */
typedef enum cg_vmem { VM_LOAD, VM_STORE, VM_LOAD_LANE, VM_STORE_LANE } cg_vmem;

/* Each compiles one SIMD instruction, or fails the function (cg_fail,
 * naming the instruction) when the backend does not implement it.
 * scalar: the type of a splat's operand or a lane's value. */
void cg_visit_vop(jit_codegen *g, const jit_instr *in, jit_vop op,
                  cg_vshape shape, jit_type scalar);
void cg_visit_vmem(jit_codegen *g, const jit_instr *in, jit_vop op,
                   cg_vmem kind);
/* Relaxed SIMD (LOWER VR, VFMA): the backend's op, or in deterministic
 * mode the strict op det / the unfused add(c, mul(a, b)). */
void cg_visit_vrelaxed(jit_codegen *g, const jit_instr *in, jit_vop op,
                       cg_vshape shape, jit_vop det);
void cg_visit_vfma(jit_codegen *g, const jit_instr *in, jit_vop op,
                   jit_vop mul, jit_vop add);
void cg_visit_vconst(jit_codegen *g, const jit_instr *in);

#endif
