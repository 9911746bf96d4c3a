/* Function-body validation: the algorithm of the spec's validation appendix.
 * An operand stack of value types (VT_UNKNOWN stands for any type in
 * unreachable code) and a control stack of frames, each remembering its
 * label types, the operand height at entry and whether the rest of the
 * frame is unreachable.
 *
 * Most instructions only pop and push fixed types: they are described by
 * one string each, the SIG column of jit/opcodes.def ("pops:pushes", a
 * letter a type), so the structured and index-carrying instructions are
 * the only ones with code of their own. */
#include <stdlib.h>
#include <string.h>
#include "error.h"
#include "validate.h"
#include "jit.h"

/* Steps of instructions rare in real code, kept out of the hot path. */
#define RARE __attribute__((noinline))

/* Never a real value type: the "Unknown" of the spec's algorithm. */
enum { VT_UNKNOWN = 0 };

/* Fields ordered so the frame packs into 40 bytes: one is kept per open
 * block, and a hostile body may nest a million of them. */
typedef struct ctrl_frame {
  const rt_valtype *params, *results;
  uint32_t nparams, nresults;
  uint32_t height;
  uint32_t init_height; /* of the set-locals stack at entry */
  /* OP_BLOCK, OP_LOOP, OP_IF, OP_ELSE; OP_BLOCK for the body;
   * OP_TRY_TABLE; legacy OP_TRY, then OP_CATCH or OP_CATCH_ALL */
  uint16_t op;
  bool unreachable;
} ctrl_frame;

struct jit_validator {
  const rt_module *m;
  const rt_functype *func_type;
  rt_valtype *locals; /* params then declared locals */
  uint32_t nlocals, cap_locals;
  /* Locals without a default value (non-null references) must be set
   * before they are read, and a set counts only until the end of its
   * block: local_set[i] says whether local i is set now, set_stack lists
   * the locals set since each open block began. */
  bool *local_set;
  uint32_t cap_local_set;
  bool any_unset; /* some local has no default: the checks are needed */
  uint32_t *set_stack;
  uint32_t nset, cap_set;
  rt_valtype *vals;
  uint32_t nvals, cap_vals;
  /* The positions in vals of GC references (rt_vt_traced), increasing:
   * stack maps walk these, not the whole stack (jit_validator_gc_refs). */
  uint32_t *gc_pos;
  uint32_t ngc_pos, cap_gc_pos;
  ctrl_frame *ctrls;
  uint32_t nctrls, cap_ctrls;
  rt_valtype *scratch; /* br_table: the values popped for one target */
  uint32_t cap_scratch;
  bool done;
  size_t offset; /* of the instruction being checked, for errors */
  struct op_sig *sigs; /* [OP_COUNT]: the SIG column unpacked */
};

/* ---- signatures of the fixed-type instructions ------------------------- */


static rt_valtype sig_letter_type(char c) {
  switch (c) {
  case 'i': return VT_I32;
  case 'l': return VT_I64;
  case 'f': return VT_F32;
  case 'd': return VT_F64;
  default: return VT_V128;
  }
}

/* A SIG string unpacked once per validator, so that a step reads its
 * types instead of scanning the string: the types popped, bottom to top,
 * and those pushed. Longer signatures than these arrays hold (none in
 * opcodes.def today) keep the string: `unpacked` false. */
typedef struct op_sig {
  bool unpacked;
  uint8_t npops, npushes;
  uint8_t fast;         /* how jit_validator_step takes it: FAST_* */
  uint8_t access_log2;  /* FAST_MEM: the natural alignment */
  rt_valtype pops[3], pushes[1];
} op_sig;

/* The instructions most of a body is made of, which jit_validator_step
 * checks without the full dispatch when their operands are as expected;
 * anything else, and every error, takes step_full. */
enum {
  FAST_NONE,      /* step_full */
  FAST_SIG,       /* an unpacked signature, no immediate to check */
  FAST_MEM,       /* a memarg, then an unpacked signature */
  FAST_LOCAL_GET,
  FAST_LOCAL_SET,
  FAST_LOCAL_TEE,
};

static void unpack_sig(op_sig *out, const char *sig) {
  const char *colon = strchr(sig, ':');
  size_t npops = (size_t)(colon - sig), npushes = strlen(colon + 1);
  *out = (op_sig){0};
  if (npops > sizeof out->pops / sizeof *out->pops ||
      npushes > sizeof out->pushes / sizeof *out->pushes)
    return;
  out->unpacked = true;
  out->npops = (uint8_t)npops;
  out->npushes = (uint8_t)npushes;
  for (size_t i = 0; i < npops; i++) out->pops[i] = sig_letter_type(sig[i]);
  for (size_t i = 0; i < npushes; i++)
    out->pushes[i] = sig_letter_type(colon[1 + i]);
}

/* Lanes of the shape an instruction's lane immediate indexes. */
static uint32_t lane_count(jit_op op) {
  switch (op) {
  case OP_I8X16_EXTRACT_LANE_S: case OP_I8X16_EXTRACT_LANE_U:
  case OP_I8X16_REPLACE_LANE: case OP_V128_LOAD8_LANE:
  case OP_V128_STORE8_LANE:
    return 16;
  case OP_I16X8_EXTRACT_LANE_S: case OP_I16X8_EXTRACT_LANE_U:
  case OP_I16X8_REPLACE_LANE: case OP_V128_LOAD16_LANE:
  case OP_V128_STORE16_LANE:
    return 8;
  case OP_I32X4_EXTRACT_LANE: case OP_I32X4_REPLACE_LANE:
  case OP_F32X4_EXTRACT_LANE: case OP_F32X4_REPLACE_LANE:
  case OP_V128_LOAD32_LANE: case OP_V128_STORE32_LANE:
    return 4;
  default:
    return 2;
  }
}

/* ---- errors and growable stacks ---------------------------------------- */

static wrun_error *fail(const jit_validator *v, const char *msg) {
  return rt_error_new(v->offset, "%s", msg);
}

static wrun_error *fail_index(const jit_validator *v, const char *what,
                              uint32_t index) {
  return rt_error_new(v->offset, "%s %u", what, index);
}

/* Grows *buf (elements of `size` bytes) to hold at least `need`. */
static bool reserve(void **buf, uint32_t *cap, uint32_t need, size_t size) {
  if (need <= *cap) return true;
  uint32_t n = *cap ? *cap : 16;
  while (n < need) n = n > UINT32_MAX / 2 ? need : n * 2;
  void *p = realloc(*buf, (size_t)n * size);
  if (!p) return false;
  *buf = p;
  *cap = n;
  return true;
}

/* ---- operand stack ----------------------------------------------------- */

static bool is_num(rt_valtype t) {
  return t == VT_I32 || t == VT_I64 || t == VT_F32 || t == VT_F64 ||
         t == VT_UNKNOWN;
}
static bool is_vec(rt_valtype t) { return t == VT_V128 || t == VT_UNKNOWN; }
static bool is_ref(rt_valtype t) {
  return rt_is_reftype(t) || t == VT_UNKNOWN;
}

/* a <: b, Unknown (the bottom type) below everything. Equal types are
 * by far the most common case: no call for them. */
static inline bool matches(const jit_validator *v, rt_valtype a,
                           rt_valtype b) {
  return a == b || a == VT_UNKNOWN || b == VT_UNKNOWN ||
         (rt_is_reftype(a) && rt_subtype(v->m, a, b));
}

RARE static bool grow_vals(jit_validator *v) {
  return reserve((void **)&v->vals, &v->cap_vals, v->nvals + 1,
                 sizeof *v->vals);
}

/* A GC reference was pushed at position at. */
RARE static wrun_error *note_gc_ref(jit_validator *v, uint32_t at) {
  if (!reserve((void **)&v->gc_pos, &v->cap_gc_pos, v->ngc_pos + 1,
               sizeof *v->gc_pos))
    return fail(v, "out of memory");
  v->gc_pos[v->ngc_pos++] = at;
  return NULL;
}

/* The stack was cut to nvals: positions at or above it go. */
static inline void drop_gc_refs(jit_validator *v) {
  while (v->ngc_pos && v->gc_pos[v->ngc_pos - 1] >= v->nvals) v->ngc_pos--;
}

static inline __attribute__((always_inline)) wrun_error *
push_val(jit_validator *v, rt_valtype t) {
  if (v->nvals == v->cap_vals && !grow_vals(v))
    return fail(v, "out of memory");
  v->vals[v->nvals++] = t;
  /* numbers and vectors have the highest codes: one compare for them */
  if ((t & 0xFF) < VT_V128 && rt_vt_traced(v->m, t))
    return note_gc_ref(v, v->nvals - 1);
  return NULL;
}

static wrun_error *push_vals(jit_validator *v, const rt_valtype *ts,
                             uint32_t n) {
  for (uint32_t i = 0; i < n; i++) {
    wrun_error *e = push_val(v, ts[i]);
    if (e) return e;
  }
  return NULL;
}

static ctrl_frame *top_ctrl(jit_validator *v) {
  return &v->ctrls[v->nctrls - 1];
}

static wrun_error *pop_any(jit_validator *v, rt_valtype *out) {
  ctrl_frame *f = top_ctrl(v);
  if (v->nvals == f->height) {
    if (f->unreachable) {
      *out = VT_UNKNOWN;
      return NULL;
    }
    return fail(v, "type mismatch");
  }
  *out = v->vals[--v->nvals];
  if (v->ngc_pos && v->gc_pos[v->ngc_pos - 1] == v->nvals) v->ngc_pos--;
  return NULL;
}

static wrun_error *pop_expect(jit_validator *v, rt_valtype expect,
                              rt_valtype *actual) {
  rt_valtype t = VT_UNKNOWN;
  wrun_error *e = pop_any(v, &t);
  if (e) return e;
  if (!matches(v, t, expect)) return fail(v, "type mismatch");
  if (actual) *actual = t;
  return NULL;
}

static wrun_error *pop_val(jit_validator *v, rt_valtype expect) {
  return pop_expect(v, expect, NULL);
}

/* Pops ts (listed bottom to top); the actual types go to out if given. */
static wrun_error *pop_vals(jit_validator *v, const rt_valtype *ts,
                            uint32_t n, rt_valtype *out) {
  for (uint32_t i = n; i-- > 0;) {
    wrun_error *e = pop_expect(v, ts[i], out ? &out[i] : NULL);
    if (e) return e;
  }
  return NULL;
}

/* A reference of any type (Unknown in unreachable code). */
static wrun_error *pop_ref(jit_validator *v, rt_valtype *out) {
  wrun_error *e = pop_any(v, out);
  if (e) return e;
  return is_ref(*out) ? NULL : fail(v, "type mismatch");
}

/* ---- locals that must be set before use ------------------------------- */

static inline bool local_is_set(const jit_validator *v, uint32_t i) {
  return !v->any_unset || v->local_set[i];
}

static wrun_error *record_local_set(jit_validator *v, uint32_t i) {
  if (!reserve((void **)&v->set_stack, &v->cap_set, v->nset + 1,
               sizeof *v->set_stack))
    return fail(v, "out of memory");
  v->local_set[i] = true;
  v->set_stack[v->nset++] = i;
  return NULL;
}

/* Forgets the sets made since the set stack had `height` entries. */
static void unset_locals_to(jit_validator *v, uint32_t height) {
  while (v->nset > height) v->local_set[v->set_stack[--v->nset]] = false;
}

/* ---- control stack ----------------------------------------------------- */

static wrun_error *push_ctrl(jit_validator *v, jit_op op,
                             const rt_valtype *params, uint32_t nparams,
                             const rt_valtype *results, uint32_t nresults) {
  if (!reserve((void **)&v->ctrls, &v->cap_ctrls, v->nctrls + 1,
               sizeof(ctrl_frame)))
    return fail(v, "out of memory");
  v->ctrls[v->nctrls++] = (ctrl_frame){
      .op = (uint16_t)op, .params = params, .nparams = nparams,
      .results = results, .nresults = nresults, .height = v->nvals,
      .init_height = v->nset, .unreachable = false};
  return push_vals(v, params, nparams);
}

static wrun_error *pop_ctrl(jit_validator *v, ctrl_frame *out) {
  ctrl_frame *f = top_ctrl(v);
  wrun_error *e = pop_vals(v, f->results, f->nresults, NULL);
  if (e) return e;
  if (v->nvals != f->height) return fail(v, "type mismatch");
  unset_locals_to(v, f->init_height);
  *out = *f;
  v->nctrls--;
  return NULL;
}

static void label_types(const ctrl_frame *f, const rt_valtype **ts,
                        uint32_t *n) {
  if (f->op == OP_LOOP) {
    *ts = f->params;
    *n = f->nparams;
  } else {
    *ts = f->results;
    *n = f->nresults;
  }
}

static void set_unreachable(jit_validator *v) {
  ctrl_frame *f = top_ctrl(v);
  v->nvals = f->height;
  drop_gc_refs(v);
  f->unreachable = true;
}

/* The frame a branch of depth `depth` targets, or an error. */
static wrun_error *label_at(jit_validator *v, uint32_t depth,
                            const ctrl_frame **out) {
  if (depth >= v->nctrls) return fail_index(v, "unknown label", depth);
  *out = &v->ctrls[v->nctrls - 1 - depth];
  return NULL;
}

/* ---- module-level lookups ---------------------------------------------- */

static wrun_error *need_memory(jit_validator *v, uint32_t index) {
  if (index >= v->m->nmemories) return fail_index(v, "unknown memory", index);
  return NULL;
}

static wrun_error *table_type(jit_validator *v, uint32_t index,
                              rt_valtype *elem) {
  if (index >= v->m->ntables) return fail_index(v, "unknown table", index);
  *elem = v->m->tables[index].elem;
  return NULL;
}

/* The index type of table i (i64 for a table64; i known to exist). */
static rt_valtype table_index_type(const jit_validator *v, uint32_t i) {
  return v->m->tables[i].limits.is64 ? VT_I64 : VT_I32;
}

static wrun_error *need_data(jit_validator *v, uint32_t index) {
  /* Without a data count section the binary format forbids data indices
   * in code; when there are no data segments at all the index is simply
   * unknown (how the spec tests phrase it). */
  if (!v->m->has_data_count)
    return v->m->ndatas == 0 ? fail_index(v, "unknown data segment", index)
                             : fail(v, "data count section required");
  if (index >= v->m->data_count)
    return fail_index(v, "unknown data segment", index);
  return NULL;
}

static wrun_error *elem_type(jit_validator *v, uint32_t index,
                             rt_valtype *type) {
  if (index >= v->m->nelems)
    return fail_index(v, "unknown elem segment", index);
  *type = v->m->elems[index].elem_type;
  return NULL;
}

/* ---- the instructions -------------------------------------------------- */

static wrun_error *apply_sig(jit_validator *v, const char *sig) {
  const char *colon = strchr(sig, ':');
  for (const char *p = colon; p-- > sig;) {
    wrun_error *e = pop_val(v, sig_letter_type(*p));
    if (e) return e;
  }
  for (const char *p = colon + 1; *p; p++) {
    wrun_error *e = push_val(v, sig_letter_type(*p));
    if (e) return e;
  }
  return NULL;
}

/* apply_op_sig when the operands on top are not exactly its types:
 * popped one by one, as apply_sig does, for the same errors. */
RARE static wrun_error *apply_sig_slowly(jit_validator *v, const op_sig *s,
                                         rt_valtype bottom) {
  for (uint32_t i = s->npops; i-- > 0;) {
    wrun_error *e = pop_val(v, i == 0 ? bottom : s->pops[i]);
    if (e) return e;
  }
  return s->npushes ? push_val(v, s->pushes[0]) : NULL;
}

/* An unpacked signature, the first operand of type `first` when given
 * (a memory instruction's address). When the operands on top are exactly
 * the types popped, as in nearly all code, they go at once: numbers and
 * vectors, never among the GC positions. Anything else pops one by one,
 * as apply_sig does, for the same errors. */
static wrun_error *apply_op_sig(jit_validator *v, const op_sig *s,
                                rt_valtype first) {
  uint32_t n = s->npops;
  rt_valtype bottom = first && n ? first : s->pops[0];
  const ctrl_frame *f = top_ctrl(v);
  bool exact = v->nvals - f->height >= n;
  if (exact && n) { /* n == 0: nothing to compare (and vals may be NULL) */
    const rt_valtype *top = v->vals + v->nvals - n;
    switch (n) { /* at most three, unrolled */
    case 3: exact = top[2] == s->pops[2]; /* fall through */
    case 2: exact = exact && top[1] == s->pops[1]; /* fall through */
    case 1: exact = exact && top[0] == bottom; break;
    default: break;
    }
  }
  if (!exact) return apply_sig_slowly(v, s, bottom);
  v->nvals -= n;
  return s->npushes ? push_val(v, s->pushes[0]) : NULL;
}

static wrun_error *check_memarg(jit_validator *v, const jit_instr *in) {
  wrun_error *e = need_memory(v, in->u.mem.memory);
  if (e) return e;
  if (in->u.mem.align > jit_access_size_log2((jit_op)in->op))
    return fail(v, "alignment must not be larger than natural");
  if (!v->m->memories[in->u.mem.memory].is64 &&
      in->u.mem.offset > UINT32_MAX)
    return fail(v, "offset out of range");
  return NULL;
}

/* Threads: an atomic access's alignment is exactly its size; otherwise
 * as any memarg. */
static wrun_error *check_atomic_memarg(jit_validator *v, const jit_instr *in) {
  wrun_error *e = need_memory(v, in->u.mem.memory);
  if (e) return e;
  if (in->u.mem.align != jit_atomic_size_log2[in->op])
    return fail(v, "atomic alignment must be natural");
  if (!v->m->memories[in->u.mem.memory].is64 &&
      in->u.mem.offset > UINT32_MAX)
    return fail(v, "offset out of range");
  return NULL;
}

/* The address type of memory mem (i64 for a memory64). */
static rt_valtype addr_type(const jit_validator *v, uint32_t mem) {
  return v->m->memories[mem].is64 ? VT_I64 : VT_I32;
}

/* A memory instruction's signature with its address (the first operand of
 * every load, store and lane access) of type at. */
static wrun_error *apply_mem_sig(jit_validator *v, const char *sig,
                                 rt_valtype at) {
  const char *colon = strchr(sig, ':');
  for (const char *p = colon; p-- > sig;) {
    wrun_error *e = pop_val(v, p == sig ? at : sig_letter_type(*p));
    if (e) return e;
  }
  for (const char *p = colon + 1; *p; p++) {
    wrun_error *e = push_val(v, sig_letter_type(*p));
    if (e) return e;
  }
  return NULL;
}

static wrun_error *check_lane(jit_validator *v, const jit_instr *in,
                              uint8_t lane) {
  if (lane >= lane_count((jit_op)in->op))
    return fail(v, "invalid lane index");
  return NULL;
}

/* A value type named in the body (locals, block types, select, ref.null):
 * its type index, if any, must be one of the module's. */
static wrun_error *check_valtype(jit_validator *v, rt_valtype t) {
  if (rt_is_reftype(t) && rt_vt_heap_code(t) == HT_INDEX &&
      rt_vt_index(t) >= v->m->ntypes)
    return fail_index(v, "unknown type", rt_vt_index(t));
  return NULL;
}

/* Type index t names a function type. */
static wrun_error *func_type_at(jit_validator *v, uint32_t t) {
  if (t >= v->m->ntypes) return fail_index(v, "unknown type", t);
  if (v->m->types[t].kind != RT_FUNC_TYPE)
    return fail_index(v, "non-function type", t);
  return NULL;
}

static wrun_error *blocktype(jit_validator *v, const jit_blocktype *bt,
                             const rt_valtype **params, uint32_t *nparams,
                             const rt_valtype **results, uint32_t *nresults) {
  if (bt->kind == BT_TYPEIDX) {
    wrun_error *e = func_type_at(v, bt->type_index);
    if (e) return e;
  }
  if (bt->kind == BT_VALTYPE) {
    wrun_error *e = check_valtype(v, bt->valtype);
    if (e) return e;
  }
  jit_blocktype_sig(v->m, bt, params, nparams, results, nresults);
  return NULL;
}

static wrun_error *step_block(jit_validator *v, const jit_instr *in) {
  const rt_valtype *params = NULL, *results = NULL;
  uint32_t nparams = 0, nresults = 0;
  wrun_error *e =
      blocktype(v, &in->u.block, &params, &nparams, &results, &nresults);
  if (e) return e;
  if (in->op == OP_IF && (e = pop_val(v, VT_I32))) return e;
  if ((e = pop_vals(v, params, nparams, NULL))) return e;
  return push_ctrl(v, (jit_op)in->op, params, nparams, results, nresults);
}

static wrun_error *step_else(jit_validator *v) {
  if (top_ctrl(v)->op != OP_IF) return fail(v, "else without if");
  ctrl_frame f;
  wrun_error *e = pop_ctrl(v, &f);
  if (e) return e;
  return push_ctrl(v, OP_ELSE, f.params, f.nparams, f.results, f.nresults);
}

/* Can values of types a flow where types b are expected? */
static bool all_match(const jit_validator *v, const rt_valtype *a,
                      uint32_t na, const rt_valtype *b, uint32_t nb) {
  if (na != nb) return false;
  for (uint32_t i = 0; i < na; i++)
    if (!matches(v, a[i], b[i])) return false;
  return true;
}

static wrun_error *step_end(jit_validator *v) {
  ctrl_frame f;
  wrun_error *e = pop_ctrl(v, &f);
  if (e) return e;
  /* An if without else behaves as if its else passed the params through. */
  if (f.op == OP_IF && !all_match(v, f.params, f.nparams, f.results, f.nresults))
    return fail(v, "type mismatch");
  if (v->nctrls == 0) {
    v->done = true;
    return NULL;
  }
  return push_vals(v, f.results, f.nresults);
}

static wrun_error *step_br(jit_validator *v, const jit_instr *in) {
  const ctrl_frame *f = NULL;
  const rt_valtype *ts = NULL;
  uint32_t n = 0;
  wrun_error *e = label_at(v, in->u.index, &f);
  if (e) return e;
  label_types(f, &ts, &n);
  if ((e = pop_vals(v, ts, n, NULL))) return e;
  if (in->op == OP_BR_IF) return push_vals(v, ts, n);
  set_unreachable(v);
  return NULL;
}

/* Room for n popped types in v->scratch. */
static bool reserve_scratch(jit_validator *v, uint32_t n) {
  return reserve((void **)&v->scratch, &v->cap_scratch, n,
                 sizeof *v->scratch);
}

RARE static wrun_error *step_br_table(jit_validator *v, const jit_instr *in) {
  const ctrl_frame *f = NULL;
  const rt_valtype *ts = NULL;
  uint32_t arity = 0, n = 0;
  wrun_error *e = pop_val(v, VT_I32);
  if (e || (e = label_at(v, in->u.br_table.dflt, &f))) return e;
  label_types(f, &ts, &arity);
  if (!reserve_scratch(v, arity)) return fail(v, "out of memory");
  for (uint32_t i = 0; i < in->u.br_table.count; i++) {
    if ((e = label_at(v, in->u.br_table.targets[i], &f))) return e;
    label_types(f, &ts, &n);
    if (n != arity) return fail(v, "type mismatch");
    /* Check this target's types against the stack, then restore what was
     * actually there (Unknown stays Unknown for the next target). */
    if ((e = pop_vals(v, ts, n, v->scratch))) return e;
    if ((e = push_vals(v, v->scratch, n))) return e;
  }
  if ((e = label_at(v, in->u.br_table.dflt, &f))) return e;
  label_types(f, &ts, &n);
  if ((e = pop_vals(v, ts, n, NULL))) return e;
  set_unreachable(v);
  return NULL;
}

/* br_on_null l: [t* (ref null ht)] -> [t* (ref ht)], branching with t*
 * when the reference is null. br_on_non_null l: -> [t*], branching with
 * t* and the (ref ht) when it is not; l's last type takes that reference. */
RARE static wrun_error *step_br_on_null(jit_validator *v,
                                        const jit_instr *in) {
  const ctrl_frame *f = NULL;
  const rt_valtype *ts = NULL;
  uint32_t n = 0;
  rt_valtype rt = VT_UNKNOWN;
  wrun_error *e = label_at(v, in->u.index, &f);
  if (e || (e = pop_ref(v, &rt))) return e;
  label_types(f, &ts, &n);
  rt_valtype non_null = rt == VT_UNKNOWN ? VT_UNKNOWN : rt | VT_NONNULL;
  if (in->op == OP_BR_ON_NULL) {
    if ((e = pop_vals(v, ts, n, NULL)) || (e = push_vals(v, ts, n)))
      return e;
    return push_val(v, non_null);
  }
  if (n == 0 || !is_ref(ts[n - 1])) return fail(v, "type mismatch");
  if ((e = push_val(v, non_null)) || (e = pop_vals(v, ts, n, NULL)))
    return e;
  return push_vals(v, ts, n - 1);
}

static wrun_error *step_return(jit_validator *v) {
  const rt_functype *t = v->func_type;
  wrun_error *e = pop_vals(v, t->types + t->nparams, t->nresults, NULL);
  if (e) return e;
  set_unreachable(v);
  return NULL;
}

static wrun_error *apply_functype(jit_validator *v, const rt_functype *t) {
  wrun_error *e = pop_vals(v, t->types, t->nparams, NULL);
  return e ? e : push_vals(v, t->types + t->nparams, t->nresults);
}

static wrun_error *step_call(jit_validator *v, const jit_instr *in) {
  if (in->u.index >= v->m->nfuncs)
    return fail_index(v, "unknown function", in->u.index);
  return apply_functype(v, rt_func_type(v->m, in->u.index));
}

/* call_indirect's table holds function references, and its type exists;
 * pops the index. */
static wrun_error *indirect_callee(jit_validator *v, const jit_instr *in,
                                   const rt_functype **callee) {
  rt_valtype elem = 0;
  wrun_error *e = table_type(v, in->u.call_indirect.table, &elem);
  if (e) return e;
  if (!rt_subtype(v->m, elem, VT_FUNCREF)) return fail(v, "type mismatch");
  if ((e = func_type_at(v, in->u.call_indirect.type_index))) return e;
  *callee = &v->m->types[in->u.call_indirect.type_index];
  return pop_val(v, table_index_type(v, in->u.call_indirect.table));
}

static wrun_error *step_call_indirect(jit_validator *v, const jit_instr *in) {
  const rt_functype *callee = NULL;
  wrun_error *e = indirect_callee(v, in, &callee);
  return e ? e : apply_functype(v, callee);
}

/* call_ref / return_call_ref $t: pops a (ref null $t). */
static wrun_error *ref_callee(jit_validator *v, const jit_instr *in,
                              const rt_functype **callee) {
  wrun_error *e = func_type_at(v, in->u.index);
  if (e) return e;
  *callee = &v->m->types[in->u.index];
  return pop_val(v, rt_vt_ref(rt_heap_of_index(HT_INDEX, in->u.index), true));
}

RARE static wrun_error *step_call_ref(jit_validator *v, const jit_instr *in) {
  const rt_functype *callee = NULL;
  wrun_error *e = ref_callee(v, in, &callee);
  return e ? e : apply_functype(v, callee);
}

/* return_call*: the callee's results become this function's, so they
 * must match them; the arguments are popped and the rest of the block is
 * unreachable, as after return. */
static wrun_error *tail_call_to(jit_validator *v, const rt_functype *callee) {
  const rt_functype *self = v->func_type;
  if (!all_match(v, callee->types + callee->nparams, callee->nresults,
                 self->types + self->nparams, self->nresults))
    return fail(v, "type mismatch");
  wrun_error *e = pop_vals(v, callee->types, callee->nparams, NULL);
  if (e) return e;
  set_unreachable(v);
  return NULL;
}

RARE static wrun_error *step_return_call(jit_validator *v, const jit_instr *in) {
  if (in->u.index >= v->m->nfuncs)
    return fail_index(v, "unknown function", in->u.index);
  return tail_call_to(v, rt_func_type(v->m, in->u.index));
}

RARE static wrun_error *step_return_call_indirect(jit_validator *v,
                                             const jit_instr *in) {
  const rt_functype *callee = NULL;
  wrun_error *e = indirect_callee(v, in, &callee);
  return e ? e : tail_call_to(v, callee);
}

RARE static wrun_error *step_return_call_ref(jit_validator *v,
                                        const jit_instr *in) {
  const rt_functype *callee = NULL;
  wrun_error *e = ref_callee(v, in, &callee);
  return e ? e : tail_call_to(v, callee);
}

RARE static wrun_error *step_select(jit_validator *v, const jit_instr *in) {
  wrun_error *e;
  if (in->op == OP_SELECT_T) {
    rt_valtype t = in->u.valtype;
    if (t == 0) return fail(v, "invalid result arity");
    if ((e = check_valtype(v, t)) || (e = pop_val(v, VT_I32)) ||
        (e = pop_val(v, t)) || (e = pop_val(v, t)))
      return e;
    return push_val(v, t);
  }
  rt_valtype t1 = VT_UNKNOWN, t2 = VT_UNKNOWN;
  if ((e = pop_val(v, VT_I32)) || (e = pop_any(v, &t1)) ||
      (e = pop_any(v, &t2)))
    return e;
  /* Untyped select only chooses between numbers or vectors. */
  if (!((is_num(t1) && is_num(t2)) || (is_vec(t1) && is_vec(t2))))
    return fail(v, "type mismatch");
  if (t1 != t2 && t1 != VT_UNKNOWN && t2 != VT_UNKNOWN)
    return fail(v, "type mismatch");
  return push_val(v, t1 == VT_UNKNOWN ? t2 : t1);
}

static wrun_error *step_local(jit_validator *v, const jit_instr *in) {
  if (in->u.index >= v->nlocals)
    return fail_index(v, "unknown local", in->u.index);
  uint32_t i = in->u.index;
  rt_valtype t = v->locals[i];
  wrun_error *e;
  switch (in->op) {
  case OP_LOCAL_GET:
    if (!local_is_set(v, i)) return fail(v, "uninitialized local");
    return push_val(v, t);
  case OP_LOCAL_SET:
    e = pop_val(v, t);
    return e || local_is_set(v, i) ? e : record_local_set(v, i);
  default: /* local.tee */
    if ((e = pop_val(v, t))) return e;
    if (!local_is_set(v, i) && (e = record_local_set(v, i))) return e;
    return push_val(v, t);
  }
}

static wrun_error *step_global(jit_validator *v, const jit_instr *in) {
  if (in->u.index >= v->m->nglobals)
    return fail_index(v, "unknown global", in->u.index);
  const rt_globaltype *g = &v->m->globals[in->u.index].type;
  if (in->op == OP_GLOBAL_GET) return push_val(v, g->type);
  /* The 3.0 spec's wording, then the 2.0 one, which its scripts expect. */
  if (!g->mut)
    return rt_error_new(v->offset, "immutable global %u: global is immutable",
                        in->u.index);
  return pop_val(v, g->type);
}

/* it: i32, or i64 for a table64 (indices, sizes and deltas alike). */
static wrun_error *step_table(jit_validator *v, const jit_instr *in) {
  rt_valtype t = VT_UNKNOWN;
  wrun_error *e = table_type(v, in->u.index, &t);
  if (e) return e;
  rt_valtype it = table_index_type(v, in->u.index);
  switch (in->op) {
  case OP_TABLE_GET: /* [it] -> [t] */
    e = pop_val(v, it);
    return e ? e : push_val(v, t);
  case OP_TABLE_SET: /* [it t] -> [] */
    e = pop_val(v, t);
    return e ? e : pop_val(v, it);
  case OP_TABLE_SIZE: /* [] -> [it] */
    return push_val(v, it);
  case OP_TABLE_GROW: /* [t it] -> [it] */
    if ((e = pop_val(v, it)) || (e = pop_val(v, t))) return e;
    return push_val(v, it);
  default: /* table.fill: [it t it] -> [] */
    if ((e = pop_val(v, it)) || (e = pop_val(v, t))) return e;
    return pop_val(v, it);
  }
}

RARE static wrun_error *step_table_bulk(jit_validator *v, const jit_instr *in) {
  rt_valtype dst = 0, src = 0;
  wrun_error *e;
  switch (in->op) {
  case OP_TABLE_INIT: /* elem a into table b */
    if ((e = table_type(v, in->u.pair.b, &dst)) ||
        (e = elem_type(v, in->u.pair.a, &src)))
      return e;
    break;
  case OP_TABLE_COPY: /* table b into table a */
    if ((e = table_type(v, in->u.pair.a, &dst)) ||
        (e = table_type(v, in->u.pair.b, &src)))
      return e;
    break;
  default: /* elem.drop */
    return elem_type(v, in->u.index, &src);
  }
  if (!rt_subtype(v->m, src, dst)) return fail(v, "type mismatch");
  /* Operands in push order: table.init [it i32 i32], table.copy [it_dst
   * it_src it_min] (n is i64 only between two table64s). */
  rt_valtype ops[3];
  if (in->op == OP_TABLE_INIT) {
    ops[0] = table_index_type(v, in->u.pair.b);
    ops[1] = ops[2] = VT_I32;
  } else {
    ops[0] = table_index_type(v, in->u.pair.a);
    ops[1] = table_index_type(v, in->u.pair.b);
    ops[2] = ops[0] == VT_I64 && ops[1] == VT_I64 ? VT_I64 : VT_I32;
  }
  for (int i = 2; i >= 0; i--)
    if ((e = pop_val(v, ops[i]))) return e;
  return NULL;
}

static wrun_error *step_memory(jit_validator *v, const jit_instr *in) {
  wrun_error *e;
  switch (in->op) {
  case OP_MEMORY_INIT:
    e = need_memory(v, in->u.pair.b);
    break;
  case OP_MEMORY_COPY: /* dst, src */
    e = need_memory(v, in->u.pair.a);
    if (!e) e = need_memory(v, in->u.pair.b);
    break;
  default: /* memory.size, memory.grow, memory.fill */
    e = need_memory(v, in->u.index);
    break;
  }
  if (e) return e;
  /* Operands in push order; a memory64 takes i64 addresses and sizes. The
   * memory: memory.init's second index, memory.copy's destination (its
   * first), the only one of the others. */
  rt_valtype at = addr_type(v, in->op == OP_MEMORY_INIT   ? in->u.pair.b
                            : in->op == OP_MEMORY_COPY ? in->u.pair.a
                                                       : in->u.index);
  rt_valtype ops[3];
  switch (in->op) {
  case OP_MEMORY_SIZE:
    return push_val(v, at);
  case OP_MEMORY_GROW:
    e = pop_val(v, at);
    return e ? e : push_val(v, at);
  case OP_MEMORY_INIT: /* dst in the memory, src and n in the segment */
    e = need_data(v, in->u.pair.a);
    if (e) return e;
    ops[0] = at, ops[1] = ops[2] = VT_I32;
    break;
  case OP_MEMORY_COPY: { /* n fits both: i64 only when both are */
    rt_valtype src = addr_type(v, in->u.pair.b);
    ops[0] = at, ops[1] = src;
    ops[2] = at == VT_I64 && src == VT_I64 ? VT_I64 : VT_I32;
    break;
  }
  default: /* memory.fill: dst, value, n */
    ops[0] = at, ops[1] = VT_I32, ops[2] = at;
    break;
  }
  for (int i = 2; i >= 0; i--)
    if ((e = pop_val(v, ops[i]))) return e;
  return NULL;
}

static wrun_error *step_ref(jit_validator *v, const jit_instr *in) {
  rt_valtype t = VT_UNKNOWN;
  wrun_error *e;
  switch (in->op) {
  case OP_REF_NULL:
    e = check_valtype(v, in->u.valtype);
    return e ? e : push_val(v, in->u.valtype);
  case OP_REF_IS_NULL:
    e = pop_ref(v, &t);
    return e ? e : push_val(v, VT_I32);
  case OP_REF_AS_NON_NULL:
    e = pop_ref(v, &t);
    return e ? e : push_val(v, t == VT_UNKNOWN ? t : t | VT_NONNULL);
  default: /* ref.func: a (ref $t) of the function's type */
    if (in->u.index >= v->m->nfuncs)
      return fail_index(v, "unknown function", in->u.index);
    if (!v->m->func_declared || !v->m->func_declared[in->u.index])
      return fail(v, "undeclared function reference");
    return push_val(
        v, rt_vt_ref(rt_heap_of_index(HT_INDEX,
                                      v->m->funcs[in->u.index].type_index),
                     false));
  }
}

RARE /* ---- GC: i31, ref.eq, casts --------------------------------------------- */

/* The nullable top type of t's hierarchy: what a cast's operand must be. */
static rt_valtype top_of(const jit_validator *v, rt_valtype t) {
  return rt_vt_ref(rt_heap_top(v->m, rt_vt_heap(t)), true);
}

/* A reference type `from` without the values of `minus` (a cast target):
 * non-null when minus takes the null. */
static rt_valtype ref_diff(rt_valtype from, rt_valtype minus) {
  return rt_vt_nullable(minus) ? from | VT_NONNULL : from;
}

static wrun_error *step_gc_ref(jit_validator *v, const jit_instr *in) {
  wrun_error *e;
  switch (in->op) {
  case OP_REF_I31: /* [i32] -> [(ref i31)] */
    e = pop_val(v, VT_I32);
    return e ? e : push_val(v, HT_I31 | VT_NONNULL);
  case OP_I31_GET_S: case OP_I31_GET_U: /* [(ref null i31)] -> [i32] */
    e = pop_val(v, HT_I31);
    return e ? e : push_val(v, VT_I32);
  case OP_ARRAY_LEN:
    e = pop_val(v, HT_ARRAY);
    return e ? e : push_val(v, VT_I32);
  case OP_ANY_CONVERT_EXTERN: case OP_EXTERN_CONVERT_ANY: {
    /* the same value in the other hierarchy, nullability kept */
    bool to_any = in->op == OP_ANY_CONVERT_EXTERN;
    rt_valtype t = VT_UNKNOWN;
    if ((e = pop_expect(v, to_any ? HT_EXTERN : HT_ANY, &t))) return e;
    bool nonnull = t != VT_UNKNOWN && !rt_vt_nullable(t);
    return push_val(v, (to_any ? HT_ANY : HT_EXTERN) |
                           (nonnull ? VT_NONNULL : 0));
  }
  case OP_REF_EQ: /* [eqref eqref] -> [i32] */
    if ((e = pop_val(v, HT_EQ)) || (e = pop_val(v, HT_EQ))) return e;
    return push_val(v, VT_I32);
  default: { /* ref.test, ref.cast: [top(rt)] -> [i32] or [rt] */
    bool nullable = in->op == OP_REF_TEST_NULL || in->op == OP_REF_CAST_NULL;
    rt_valtype rt = nullable ? in->u.valtype : in->u.valtype | VT_NONNULL;
    if ((e = check_valtype(v, rt)) || (e = pop_val(v, top_of(v, rt)))) return e;
    bool test = in->op == OP_REF_TEST || in->op == OP_REF_TEST_NULL;
    return push_val(v, test ? VT_I32 : rt);
  }
  }
}

/* ---- GC: structs and arrays --------------------------------------------- */

/* The value type a field of storage type t is read and written as. */
static rt_valtype unpacked(rt_valtype t) {
  return t == RT_PACKED_I8 || t == RT_PACKED_I16 ? VT_I32 : t;
}

static bool defaultable(rt_valtype t) {
  return !rt_is_reftype(t) || rt_vt_nullable(t);
}

/* Type index i names a type of the given kind (RT_STRUCT/ARRAY_TYPE). */
static wrun_error *gc_type_at(jit_validator *v, uint32_t i, uint8_t kind,
                              const rt_functype **out) {
  if (i >= v->m->ntypes) return fail_index(v, "unknown type", i);
  if (v->m->types[i].kind != kind) return fail(v, "type mismatch");
  *out = &v->m->types[i];
  return NULL;
}

/* A nullable reference to type index i. */
static rt_valtype ref_to(uint32_t i, bool nonnull) {
  return rt_vt_ref(rt_heap_of_index(HT_INDEX, i), !nonnull);
}

RARE static wrun_error *step_struct(jit_validator *v, const jit_instr *in) {
  const rt_functype *t = NULL;
  bool is_new = in->op == OP_STRUCT_NEW || in->op == OP_STRUCT_NEW_DEFAULT;
  uint32_t ti = is_new ? in->u.index : in->u.pair.a;
  wrun_error *e = gc_type_at(v, ti, RT_STRUCT_TYPE, &t);
  if (e) return e;
  if (in->op == OP_STRUCT_NEW_DEFAULT) {
    for (uint32_t k = 0; k < t->nfields; k++)
      if (!defaultable(t->types[k])) return fail(v, "type mismatch");
    return push_val(v, ref_to(ti, true));
  }
  if (in->op == OP_STRUCT_NEW) {
    for (uint32_t k = t->nfields; k-- > 0;)
      if ((e = pop_val(v, unpacked(t->types[k])))) return e;
    return push_val(v, ref_to(ti, true));
  }
  uint32_t k = in->u.pair.b;
  if (k >= t->nfields) return fail_index(v, "unknown field", k);
  rt_valtype ft = t->types[k];
  bool packed = ft != unpacked(ft);
  if (in->op == OP_STRUCT_SET) {
    if (!t->mut[k]) return fail(v, "immutable field");
    if ((e = pop_val(v, unpacked(ft))) || (e = pop_val(v, ref_to(ti, false))))
      return e;
    return NULL;
  }
  if (packed != (in->op != OP_STRUCT_GET)) return fail(v, "type mismatch");
  if ((e = pop_val(v, ref_to(ti, false)))) return e;
  return push_val(v, unpacked(ft));
}

/* The operand types of array.new_data/elem and array.init_data/elem are
 * checked against segment `seg`: data needs a numeric or vector element,
 * elem a segment whose type is a subtype of the element's. */
static wrun_error *check_array_segment(jit_validator *v, bool data,
                                       uint32_t seg, rt_valtype elem) {
  if (data) {
    if (rt_is_reftype(elem)) return fail(v, "array type is not numeric or vector");
    return need_data(v, seg);
  }
  rt_valtype st = VT_UNKNOWN;
  wrun_error *e = elem_type(v, seg, &st);
  if (e) return e;
  return matches(v, st, elem) ? NULL : fail(v, "type mismatch");
}

RARE static wrun_error *step_array(jit_validator *v, const jit_instr *in) {
  const rt_functype *t = NULL;
  bool pair = jit_opinfo_table[in->op].imm == IMM_TYPE_PAIR;
  uint32_t ti = pair ? in->u.pair.a : in->u.index;
  wrun_error *e = gc_type_at(v, ti, RT_ARRAY_TYPE, &t);
  if (e) return e;
  rt_valtype et = t->types[0], ut = unpacked(et);
  rt_valtype nullable = ref_to(ti, false);
  switch (in->op) {
  case OP_ARRAY_NEW: /* [t i32] -> [(ref $t)] */
    if ((e = pop_val(v, VT_I32)) || (e = pop_val(v, ut))) return e;
    break;
  case OP_ARRAY_NEW_DEFAULT:
    if (!defaultable(et)) return fail(v, "type mismatch");
    if ((e = pop_val(v, VT_I32))) return e;
    break;
  case OP_ARRAY_NEW_FIXED:
    for (uint32_t k = 0; k < in->u.pair.b; k++)
      if ((e = pop_val(v, ut))) return e;
    break;
  case OP_ARRAY_NEW_DATA: case OP_ARRAY_NEW_ELEM:
    if ((e = check_array_segment(v, in->op == OP_ARRAY_NEW_DATA,
                                 in->u.pair.b, et)) ||
        (e = pop_val(v, VT_I32)) || (e = pop_val(v, VT_I32)))
      return e;
    break;
  case OP_ARRAY_GET: case OP_ARRAY_GET_S: case OP_ARRAY_GET_U:
    if ((et != ut) != (in->op != OP_ARRAY_GET)) return fail(v, "type mismatch");
    if ((e = pop_val(v, VT_I32)) || (e = pop_val(v, nullable))) return e;
    return push_val(v, ut);
  case OP_ARRAY_SET: /* [(ref null $t) i32 t] -> [] */
    if (!t->mut[0]) return fail(v, "immutable array");
    if ((e = pop_val(v, ut)) || (e = pop_val(v, VT_I32)) ||
        (e = pop_val(v, nullable)))
      return e;
    return NULL;
  case OP_ARRAY_FILL: /* [(ref null $t) i32 t i32] -> [] */
    if (!t->mut[0]) return fail(v, "immutable array");
    if ((e = pop_val(v, VT_I32)) || (e = pop_val(v, ut)) ||
        (e = pop_val(v, VT_I32)) || (e = pop_val(v, nullable)))
      return e;
    return NULL;
  case OP_ARRAY_COPY: { /* [(ref null $t) i32 (ref null $s) i32 i32] */
    if (!t->mut[0]) return fail(v, "immutable array");
    const rt_functype *s = NULL;
    if ((e = gc_type_at(v, in->u.pair.b, RT_ARRAY_TYPE, &s))) return e;
    rt_valtype st = s->types[0];
    bool ok = (et == RT_PACKED_I8 || et == RT_PACKED_I16)
                  ? st == et
                  : st != unpacked(st) ? false : matches(v, st, et);
    if (!ok) return fail(v, "array types do not match");
    if ((e = pop_val(v, VT_I32)) || (e = pop_val(v, VT_I32)) ||
        (e = pop_val(v, ref_to(in->u.pair.b, false))) ||
        (e = pop_val(v, VT_I32)) || (e = pop_val(v, nullable)))
      return e;
    return NULL;
  }
  default: /* array.init_data/elem: [(ref null $t) i32 i32 i32] -> [] */
    if (!t->mut[0]) return fail(v, "immutable array");
    if ((e = check_array_segment(v, in->op == OP_ARRAY_INIT_DATA,
                                 in->u.pair.b, et)))
      return e;
    for (int k = 0; k < 3; k++)
      if ((e = pop_val(v, VT_I32))) return e;
    return pop_val(v, nullable);
  }
  return push_val(v, ref_to(ti, true));
}

/* br_on_cast l rt1 rt2: [t* rt1] -> [t* rt1\rt2], branching with rt2;
 * br_on_cast_fail: -> [t* rt2], branching with rt1\rt2. */
RARE static wrun_error *step_br_on_cast(jit_validator *v,
                                        const jit_instr *in) {
  rt_valtype from = in->u.cast.from, to = in->u.cast.to;
  const ctrl_frame *f = NULL;
  const rt_valtype *ts = NULL;
  uint32_t n = 0;
  wrun_error *e = label_at(v, in->u.cast.label, &f);
  if (e || (e = check_valtype(v, from)) || (e = check_valtype(v, to)))
    return e;
  if (!rt_subtype(v->m, to, from)) return fail(v, "type mismatch");
  if ((e = pop_val(v, from))) return e;
  label_types(f, &ts, &n);
  if (n == 0) return fail(v, "type mismatch");
  bool on_cast = in->op == OP_BR_ON_CAST;
  rt_valtype taken = on_cast ? to : ref_diff(from, to);
  rt_valtype rest = on_cast ? ref_diff(from, to) : to;
  if ((e = push_val(v, taken)) || (e = pop_vals(v, ts, n, NULL)) ||
      (e = push_vals(v, ts, n - 1)))
    return e;
  return push_val(v, rest);
}

static wrun_error *step_shuffle(jit_validator *v, const jit_instr *in) {
  for (int i = 0; i < 16; i++)
    if (in->u.v128[i] >= 32) return fail(v, "invalid lane index");
  return apply_sig(v, "vv:v");
}

/* ---- exception handling ------------------------------------------------- */

static wrun_error *tag_type(jit_validator *v, uint32_t index,
                            const rt_functype **out) {
  if (index >= v->m->ntags) return fail_index(v, "unknown tag", index);
  *out = &v->m->types[v->m->tags[index]];
  return NULL;
}

/* A catch clause hands its label the tag's payload (catch, catch_ref)
 * and then an exnref (catch_ref, catch_all_ref): those must be the
 * label's types. Labels count from outside the try_table. */
static wrun_error *check_catch(jit_validator *v, const jit_catch *c) {
  const rt_valtype *payload = NULL;
  uint32_t n = 0;
  if (c->kind == JIT_CATCH || c->kind == JIT_CATCH_REF) {
    const rt_functype *t = NULL;
    wrun_error *e = tag_type(v, c->tag, &t);
    if (e) return e;
    payload = t->types;
    n = t->nparams;
  }
  bool with_ref = c->kind == JIT_CATCH_REF || c->kind == JIT_CATCH_ALL_REF;
  const ctrl_frame *f = NULL;
  const rt_valtype *ts = NULL;
  uint32_t nts = 0;
  wrun_error *e = label_at(v, c->label, &f);
  if (e) return e;
  label_types(f, &ts, &nts);
  if (nts != n + (with_ref ? 1u : 0u)) return fail(v, "type mismatch");
  if (!all_match(v, payload, n, ts, n)) return fail(v, "type mismatch");
  /* the caught exception is a (ref exn) */
  if (with_ref && !matches(v, VT_EXNREF | VT_NONNULL, ts[n]))
    return fail(v, "type mismatch");
  return NULL;
}

RARE static wrun_error *step_try_table(jit_validator *v, const jit_instr *in) {
  for (uint32_t i = 0; i < in->u.try_table.count; i++) {
    wrun_error *e = check_catch(v, &in->u.try_table.catches[i]);
    if (e) return e;
  }
  const rt_valtype *params = NULL, *results = NULL;
  uint32_t nparams = 0, nresults = 0;
  wrun_error *e = blocktype(v, &in->u.try_table.block, &params, &nparams,
                            &results, &nresults);
  if (e || (e = pop_vals(v, params, nparams, NULL))) return e;
  return push_ctrl(v, OP_TRY_TABLE, params, nparams, results, nresults);
}

RARE static wrun_error *step_throw(jit_validator *v, const jit_instr *in) {
  wrun_error *e;
  if (in->op == OP_THROW_REF) {
    if ((e = pop_val(v, VT_EXNREF))) return e;
  } else {
    const rt_functype *t = NULL;
    if ((e = tag_type(v, in->u.index, &t)) ||
        (e = pop_vals(v, t->types, t->nparams, NULL)))
      return e;
  }
  set_unreachable(v);
  return NULL;
}

/* Legacy catch x / catch_all: ends the try body (or the previous catch)
 * and starts a handler that receives the payload. */
RARE static wrun_error *step_legacy_catch(jit_validator *v, const jit_instr *in) {
  uint16_t op = top_ctrl(v)->op;
  if (op != OP_TRY && op != OP_CATCH)
    return fail(v, in->op == OP_CATCH ? "catch without try"
                                      : "catch_all without try");
  const rt_functype *t = NULL;
  wrun_error *e;
  if (in->op == OP_CATCH && (e = tag_type(v, in->u.index, &t))) return e;
  ctrl_frame f;
  if ((e = pop_ctrl(v, &f))) return e;
  if ((e = push_ctrl(v, (jit_op)in->op, NULL, 0, f.results, f.nresults)))
    return e;
  /* The frame keeps the try's params for nothing: the handler starts
   * with the payload instead. */
  return t ? push_vals(v, t->types, t->nparams) : NULL;
}

RARE static wrun_error *step_delegate(jit_validator *v, const jit_instr *in) {
  if (top_ctrl(v)->op != OP_TRY) return fail(v, "delegate without try");
  ctrl_frame f;
  wrun_error *e = pop_ctrl(v, &f);
  const ctrl_frame *target = NULL;
  if (e || (e = label_at(v, in->u.index, &target))) return e;
  return push_vals(v, f.results, f.nresults);
}

RARE static wrun_error *step_rethrow(jit_validator *v, const jit_instr *in) {
  const ctrl_frame *f = NULL;
  wrun_error *e = label_at(v, in->u.index, &f);
  if (e) return e;
  if (f->op != OP_CATCH && f->op != OP_CATCH_ALL)
    return fail(v, "invalid rethrow label");
  set_unreachable(v);
  return NULL;
}

/* Instructions whose checks go beyond a fixed signature. Inlined into
 * jit_validator_step, with the rare instructions' steps kept out of line
 * (RARE), so that the common ones cost no extra call. */
static inline __attribute__((always_inline)) wrun_error *
step_special(jit_validator *v, const jit_instr *in) {
  switch ((jit_op)in->op) {
  case OP_UNREACHABLE: set_unreachable(v); return NULL;
  case OP_BLOCK: case OP_LOOP: case OP_IF: return step_block(v, in);
  case OP_ELSE: return step_else(v);
  case OP_END: return step_end(v);
  case OP_BR: case OP_BR_IF:
    if (in->op == OP_BR_IF) {
      wrun_error *e = pop_val(v, VT_I32);
      if (e) return e;
    }
    return step_br(v, in);
  case OP_BR_TABLE: return step_br_table(v, in);
  case OP_RETURN: return step_return(v);
  case OP_CALL: return step_call(v, in);
  case OP_CALL_INDIRECT: return step_call_indirect(v, in);
  case OP_RETURN_CALL: return step_return_call(v, in);
  case OP_RETURN_CALL_INDIRECT: return step_return_call_indirect(v, in);
  case OP_CALL_REF: return step_call_ref(v, in);
  case OP_RETURN_CALL_REF: return step_return_call_ref(v, in);
  case OP_BR_ON_NULL: case OP_BR_ON_NON_NULL: return step_br_on_null(v, in);
  case OP_DROP: {
    rt_valtype t = VT_UNKNOWN;
    return pop_any(v, &t);
  }
  case OP_SELECT: case OP_SELECT_T: return step_select(v, in);
  case OP_LOCAL_GET: case OP_LOCAL_SET: case OP_LOCAL_TEE:
    return step_local(v, in);
  case OP_GLOBAL_GET: case OP_GLOBAL_SET: return step_global(v, in);
  case OP_TABLE_GET: case OP_TABLE_SET: case OP_TABLE_SIZE:
  case OP_TABLE_GROW: case OP_TABLE_FILL:
    return step_table(v, in);
  case OP_TABLE_INIT: case OP_TABLE_COPY: case OP_ELEM_DROP:
    return step_table_bulk(v, in);
  case OP_MEMORY_SIZE: case OP_MEMORY_GROW: case OP_MEMORY_INIT:
  case OP_MEMORY_COPY: case OP_MEMORY_FILL:
    return step_memory(v, in);
  case OP_DATA_DROP: return need_data(v, in->u.index);
  case OP_REF_NULL: case OP_REF_IS_NULL: case OP_REF_FUNC:
  case OP_REF_AS_NON_NULL:
    return step_ref(v, in);
  case OP_STRUCT_NEW: case OP_STRUCT_NEW_DEFAULT: case OP_STRUCT_GET:
  case OP_STRUCT_GET_S: case OP_STRUCT_GET_U: case OP_STRUCT_SET:
    return step_struct(v, in);
  case OP_ARRAY_NEW: case OP_ARRAY_NEW_DEFAULT: case OP_ARRAY_NEW_FIXED:
  case OP_ARRAY_NEW_DATA: case OP_ARRAY_NEW_ELEM: case OP_ARRAY_GET:
  case OP_ARRAY_GET_S: case OP_ARRAY_GET_U: case OP_ARRAY_SET:
  case OP_ARRAY_FILL: case OP_ARRAY_COPY: case OP_ARRAY_INIT_DATA:
  case OP_ARRAY_INIT_ELEM:
    return step_array(v, in);
  case OP_ARRAY_LEN: /* [(ref null array)] -> [i32] */
  case OP_ANY_CONVERT_EXTERN: case OP_EXTERN_CONVERT_ANY:
  case OP_REF_I31: case OP_I31_GET_S: case OP_I31_GET_U: case OP_REF_EQ:
  case OP_REF_TEST: case OP_REF_TEST_NULL: case OP_REF_CAST:
  case OP_REF_CAST_NULL:
    return step_gc_ref(v, in);
  case OP_BR_ON_CAST: case OP_BR_ON_CAST_FAIL:
    return step_br_on_cast(v, in);
  case OP_I8X16_SHUFFLE: return step_shuffle(v, in);
  case OP_TRY_TABLE: return step_try_table(v, in);
  case OP_THROW: case OP_THROW_REF: return step_throw(v, in);
  case OP_TRY: return step_block(v, in);
  case OP_CATCH: case OP_CATCH_ALL: return step_legacy_catch(v, in);
  case OP_DELEGATE: return step_delegate(v, in);
  case OP_RETHROW: return step_rethrow(v, in);
  default:
    return fail(v, "illegal opcode");
  }
}

const uint32_t *jit_validator_gc_refs(const jit_validator *v, uint32_t *n,
                                      uint32_t *height) {
  *n = v->ngc_pos;
  *height = v->nvals;
  return v->gc_pos;
}

/* Every instruction, with every check. */
RARE static wrun_error *step_full(jit_validator *v, const jit_instr *in) {
  if (v->done) return fail(v, "operators remaining after end of function");
  if (in->op >= OP_COUNT) return fail(v, "illegal opcode");
  wrun_error *e;
  bool memory_op = false; /* its first operand is an address */
  switch ((jit_imm_kind)jit_opinfo_table[in->op].imm) {
  case IMM_MEMARG:
    if ((e = check_memarg(v, in))) return e;
    memory_op = true;
    break;
  case IMM_MEMARG_LANE:
    if ((e = check_memarg(v, in)) || (e = check_lane(v, in, in->u.mem.lane)))
      return e;
    memory_op = true;
    break;
  case IMM_LANE:
    if ((e = check_lane(v, in, in->u.lane))) return e;
    break;
  case IMM_ATOMIC:
    if ((e = check_atomic_memarg(v, in))) return e;
    memory_op = true;
    break;
  default:
    break;
  }
  const char *sig = jit_opinfo_table[in->op].sig; /* NULL: step_special */
  if (!sig) return step_special(v, in);
  rt_valtype at = memory_op ? addr_type(v, in->u.mem.memory) : 0;
  if (v->sigs[in->op].unpacked) return apply_op_sig(v, &v->sigs[in->op], at);
  return memory_op ? apply_mem_sig(v, sig, at) : apply_sig(v, sig);
}

/* Is the top operand exactly of number or vector type t (never a GC
 * reference, so no GC position goes with it)? */
static inline bool top_exactly(jit_validator *v, rt_valtype t) {
  return (t & 0xFF) >= VT_V128 && v->nvals > top_ctrl(v)->height &&
         v->vals[v->nvals - 1] == t;
}

/* The common instructions in their common form take a few compares here
 * (a large function's register saves cost more than the checks); any
 * doubt, step_full, which checks from the start: nothing is changed
 * before the fast path is sure. */
wrun_error *jit_validator_step(jit_validator *v, const jit_instr *in) {
  v->offset = in->offset;
  if (in->op >= OP_COUNT || v->done) return step_full(v, in);
  const op_sig *s = &v->sigs[in->op];
  uint32_t i = in->u.index;
  switch (s->fast) {
  case FAST_SIG: return apply_op_sig(v, s, 0);
  case FAST_MEM: {
    uint32_t mem = in->u.mem.memory;
    if (mem >= v->m->nmemories || in->u.mem.align > s->access_log2) break;
    bool is64 = v->m->memories[mem].is64;
    if (!is64 && in->u.mem.offset > UINT32_MAX) break;
    return apply_op_sig(v, s, is64 ? VT_I64 : VT_I32);
  }
  case FAST_LOCAL_GET:
    if (i >= v->nlocals || !local_is_set(v, i)) break;
    return push_val(v, v->locals[i]);
  case FAST_LOCAL_SET:
    if (i >= v->nlocals || v->any_unset || !top_exactly(v, v->locals[i]))
      break;
    v->nvals--;
    return NULL;
  case FAST_LOCAL_TEE: /* pops and pushes the same type */
    if (i >= v->nlocals || v->any_unset || !top_exactly(v, v->locals[i]))
      break;
    return NULL;
  default: break;
  }
  return step_full(v, in);
}

/* ---- lifetime ------------------------------------------------------------ */

/* Which fast path of jit_validator_step op takes (s: its signature). The
 * immediates step_full checks before a signature are memargs, lanes and
 * atomic memargs; only plain memargs are checked on the fast path. */
static uint8_t fast_kind(jit_op op, const op_sig *s) {
  switch (op) {
  case OP_LOCAL_GET: return FAST_LOCAL_GET;
  case OP_LOCAL_SET: return FAST_LOCAL_SET;
  case OP_LOCAL_TEE: return FAST_LOCAL_TEE;
  default: break;
  }
  if (!s->unpacked) return FAST_NONE;
  switch ((jit_imm_kind)jit_opinfo_table[op].imm) {
  case IMM_MEMARG: return FAST_MEM;
  case IMM_MEMARG_LANE: case IMM_LANE: case IMM_ATOMIC: return FAST_NONE;
  default: return FAST_SIG;
  }
}

jit_validator *jit_validator_new(void) {
  jit_validator *v = calloc(1, sizeof(jit_validator));
  if (!v) return NULL;
  v->sigs = malloc(OP_COUNT * sizeof *v->sigs);
  if (!v->sigs) {
    free(v);
    return NULL;
  }
  for (unsigned op = 0; op < OP_COUNT; op++) {
    const char *sig = jit_opinfo_table[op].sig;
    op_sig *s = &v->sigs[op];
    if (sig) unpack_sig(s, sig);
    else *s = (op_sig){0};
    s->fast = fast_kind((jit_op)op, s);
    if (s->fast == FAST_MEM) s->access_log2 = (uint8_t)jit_access_size_log2(op);
  }
  return v;
}

void jit_validator_free(jit_validator *v) {
  if (!v) return;
  free(v->locals);
  free(v->local_set);
  free(v->set_stack);
  free(v->vals);
  free(v->gc_pos);
  free(v->ctrls);
  free(v->scratch);
  free(v->sigs);
  free(v);
}

wrun_error *jit_validator_begin(jit_validator *v, const rt_module *m,
                                uint32_t func_index, uint32_t nlocals,
                                const rt_valtype *local_types) {
  v->m = m;
  v->offset = func_index < m->nfuncs ? m->funcs[func_index].body_offset
                                     : RT_NO_OFFSET;
  if (func_index >= m->nfuncs)
    return fail_index(v, "unknown function", func_index);
  v->func_type = rt_func_type(m, func_index);
  v->nvals = v->nctrls = v->nset = v->ngc_pos = 0;
  v->done = false;

  uint32_t nparams = v->func_type->nparams;
  uint64_t total = (uint64_t)nparams + nlocals;
  if (total > UINT32_MAX) return fail(v, "too many locals");
  if (!reserve((void **)&v->locals, &v->cap_locals, (uint32_t)total,
               sizeof *v->locals))
    return fail(v, "out of memory");
  if (nparams)
    memcpy(v->locals, v->func_type->types, nparams * sizeof *v->locals);
  if (nlocals)
    memcpy(v->locals + nparams, local_types, nlocals * sizeof *v->locals);
  v->nlocals = (uint32_t)total;
  /* params are set; declared locals are, when they have a default */
  v->any_unset = false;
  for (uint32_t i = nparams; i < v->nlocals; i++) {
    rt_valtype t = v->locals[i];
    if (!rt_is_reftype(t)) continue;
    wrun_error *e = check_valtype(v, t);
    if (e) return e;
    if (!rt_vt_defaultable(t)) v->any_unset = true;
  }
  if (v->any_unset &&
      !reserve((void **)&v->local_set, &v->cap_local_set, v->nlocals,
               sizeof *v->local_set))
    return fail(v, "out of memory");
  if (v->any_unset)
    for (uint32_t i = 0; i < v->nlocals; i++)
      v->local_set[i] = i < nparams || rt_vt_defaultable(v->locals[i]);

  /* The body is a block whose label (and end) carries the results. */
  return push_ctrl(v, OP_BLOCK, NULL, 0,
                   v->func_type->types + nparams, v->func_type->nresults);
}

bool jit_validator_done(const jit_validator *v) { return v->done; }

/* One static entry per number, vector and abstract reference type, so a
 * single-result block type can point at its type without owning storage
 * (the module has the concrete ones, rt_module.ref_types). */
#define NUM_TYPES 5 /* i32 (0x7F) down to v128 (0x7B) */
#define NUM_ABSTRACT (HT_NOEXN - HT_EXN + 1)
#define BOTH(code) (code), (code) | VT_NONNULL
static const rt_valtype single_valtypes[NUM_TYPES + 2 * NUM_ABSTRACT] = {
    VT_I32,           VT_I64,           VT_F32,           VT_F64,
    VT_V128,          BOTH(HT_EXN),     BOTH(HT_ARRAY),   BOTH(HT_STRUCT),
    BOTH(HT_I31),     BOTH(HT_EQ),      BOTH(HT_ANY),     BOTH(HT_EXTERN),
    BOTH(HT_FUNC),    BOTH(HT_NONE),    BOTH(HT_NOEXTERN), BOTH(HT_NOFUNC),
    BOTH(HT_NOEXN)};
#undef BOTH

static const rt_valtype *single_valtype(rt_valtype t) {
  if (!rt_is_reftype(t)) return &single_valtypes[VT_I32 - t];
  uint32_t code = rt_vt_heap_code(t);
  return &single_valtypes[NUM_TYPES + 2 * (code - HT_EXN) +
                          !rt_vt_nullable(t)];
}

void jit_blocktype_sig(const rt_module *m, const jit_blocktype *bt,
                       const rt_valtype **params, uint32_t *nparams,
                       const rt_valtype **results, uint32_t *nresults) {
  *params = *results = NULL;
  *nparams = *nresults = 0;
  if (bt->kind == BT_VALTYPE) {
    rt_valtype t = bt->valtype;
    if (rt_vt_is_concrete(t)) {
      if (rt_vt_index(t) >= m->ntypes) return;
      *results = &m->ref_types[2 * rt_vt_index(t) + !rt_vt_nullable(t)];
    } else {
      *results = single_valtype(t);
    }
    *nresults = 1;
  } else if (bt->kind == BT_TYPEIDX && bt->type_index < m->ntypes) {
    const rt_functype *t = &m->types[bt->type_index];
    *params = t->types;
    *nparams = t->nparams;
    *results = t->types + t->nparams;
    *nresults = t->nresults;
  }
}
