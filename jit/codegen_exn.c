/* Exception handling in the code generator: try_table and the legacy
 * try/catch/catch_all/delegate/rethrow, throw and throw_ref, and the
 * unwind table that runtime/exception.c walks.
 *
 * Nothing runs on the path that does not throw. A try emits no code of its
 * own: it opens a scope, and every call compiled inside it (direct,
 * indirect, the throw libcalls) records its return address with the
 * innermost scope. A scope lists its catch clauses, each with a landing
 * pad, and its parent scope in the same function. At a landing pad the
 * unwinder has restored fp and sp (the frame is fixed) and left the
 * exception in the first return register; nothing else is known, so the
 * pad reloads the pinned registers (vmctx from its frame slot, memory 0's
 * base) and the fuel register, then reads the payload from the exception
 * object.
 *
 * What the pad may assume of the value stack: a try flushes the stack at
 * entry like every block (below its height every value is in its frame
 * slot or a constant), and nothing inside the try writes those slots.
 * Locals are always current in their slots (the register cache is
 * write-through). So a pad needs only the payload and the target label's
 * convention, and it starts with an empty register cache.
 *
 * try_table pads are emitted out of line after the function's code (with
 * the trap stubs), so the non-throwing path does not even jump over them;
 * each one moves the payload into its label's convention and jumps there.
 * Their target labels are bound by then: each pad learns its label's
 * position when the label is bound (cg_exn_label_bound). Legacy catch
 * handlers are code in the body: the pad is the handler's first
 * instruction, the way an else arm starts. Their exception stays in a
 * frame slot for rethrow: the catch arm shifts the slot bias by one (as an
 * if does for its params) and keeps it in the slot freed below.
 */
#include "codegen_internal.h"

#include <stdlib.h>
#include <string.h>

#include "../runtime/exception.h"

_Static_assert(CG_SAVED_VMCTX_SLOT == JIT_FRAME_VMCTX_OFFSET,
               "the unwinder reads the vmctx where the prologue saves it");

struct cg_pad {
  uint32_t clause;           /* in g->exn.clauses: its pad offset */
  uint8_t kind;              /* JIT_CATCH... */
  const rt_functype *payload; /* the tag's type; NULL for catch_all */
  cg_ctrl target;            /* the label's frame, as at the try_table */
  bool has_want;             /* loop head with a register cache */
  cg_cache want;
  uint32_t next;             /* next pad of the same label, 1-based */
};

static bool grow(void **arr, uint32_t n, uint32_t *cap, size_t size) {
  if (n < *cap) return true;
  uint32_t c = *cap ? *cap * 2 : 16;
  void *p = realloc(*arr, (size_t)c * size);
  if (!p) return false;
  *arr = p;
  *cap = c;
  return true;
}

void cg_exn_begin_function(jit_codegen *g) {
  g->exn_scope = JIT_NO_SCOPE;
  g->exn_first_scope = g->exn.nscopes;
  g->npads = 0;
  g->exn_used = false;
}

void cg_exn_free(jit_codegen *g) {
  jit_exn_table_free(&g->exn);
  free(g->pads);
  free(g->ctrl_exn);
  g->pads = NULL;
  g->ctrl_exn = NULL;
  g->npads = g->cap_pads = g->cap_ctrl_exn = 0;
}

bool cg_exn_frame_pushed(jit_codegen *g, uint32_t i) {
  if (i >= g->cap_ctrl_exn) {
    uint32_t cap = g->cap_ctrl_exn ? g->cap_ctrl_exn : 16;
    while (cap <= i) cap *= 2;
    cg_ctrl_exn *e = realloc(g->ctrl_exn, (size_t)cap * sizeof *e);
    if (!e) {
      cg_fail(g, "out of memory");
      return false;
    }
    g->ctrl_exn = e;
    g->cap_ctrl_exn = cap;
  }
  g->ctrl_exn[i] = (cg_ctrl_exn){CG_EXN_NONE, JIT_NO_SCOPE, g->exn_scope, 0};
  return true;
}

/* The first try of a function: the frames open so far are around no try
 * at all. */
static bool use_exn(jit_codegen *g) {
  if (g->exn_used) return true;
  g->exn_used = true;
  for (uint32_t i = 0; i < g->nctrl; i++)
    if (!cg_exn_frame_pushed(g, i)) return false;
  return true;
}

void jit_codegen_take_exn_table(jit_codegen *g, jit_exn_table *out) {
  *out = g->exn;
  memset(&g->exn, 0, sizeof g->exn);
  g->exn_first_scope = 0;
}

void cg_exn_add_site(jit_codegen *g) {
  jit_exn_table *t = &g->exn;
  if (!grow((void **)&t->sites, t->nsites, &t->cap_sites, sizeof *t->sites)) {
    cg_fail(g, "out of memory");
    return;
  }
  /* Emission order is code order, so the table stays sorted. */
  t->sites[t->nsites].ret = jit_buf_pos(&g->m->buf);
  t->sites[t->nsites].scope = g->exn_scope;
  t->nsites++;
}

static uint32_t new_scope(jit_codegen *g, uint32_t parent) {
  jit_exn_table *t = &g->exn;
  if (!grow((void **)&t->scopes, t->nscopes, &t->cap_scopes,
            sizeof *t->scopes)) {
    cg_fail(g, "out of memory");
    return JIT_NO_SCOPE;
  }
  jit_exn_scope *s = &t->scopes[t->nscopes];
  s->parent = parent;
  s->first = s->last = JIT_NO_SCOPE;
  s->frame_size = 0;
  return t->nscopes++;
}

/* Appends a clause to scope s; its pad offset comes later for try_table
 * (out-of-line pads), now for a legacy catch. */
static uint32_t add_clause(jit_codegen *g, uint32_t s, uint8_t kind,
                           uint32_t tag, uint32_t pad) {
  jit_exn_table *t = &g->exn;
  if (s == JIT_NO_SCOPE ||
      !grow((void **)&t->clauses, t->nclauses, &t->cap_clauses,
            sizeof *t->clauses)) {
    cg_fail(g, "out of memory");
    return 0;
  }
  uint32_t c = t->nclauses++;
  t->clauses[c] = (jit_exn_clause){kind, tag, pad, JIT_NO_SCOPE};
  jit_exn_scope *sc = &t->scopes[s];
  if (sc->last == JIT_NO_SCOPE)
    sc->first = c;
  else
    t->clauses[sc->last].next = c;
  sc->last = c;
  return c;
}

void cg_exn_set_frame_size(jit_codegen *g, uint32_t frame_size) {
  for (uint32_t s = g->exn_first_scope; s < g->exn.nscopes; s++)
    g->exn.scopes[s].frame_size = frame_size;
}

static const rt_functype *tag_type(const jit_codegen *g, uint32_t tag) {
  return &g->mod->types[g->mod->tags[tag]];
}

/* ---- landing pads ----------------------------------------------------------- */

/* The state a landing pad starts in: nothing in registers, nothing
 * cached, and below height only values in memory or constant. An inline
 * pad (a legacy handler) has its real entries there already; an out of
 * line one (out_of_line) gets constants in their place, which nothing
 * reads: the pad only adds the payload and leaves. Returns the register
 * now holding the exception, with the pinned and fuel registers
 * restored. */
static jit_reg pad_begin(jit_codegen *g, uint32_t height, uint32_t bias,
                         bool out_of_line) {
  g->unreachable = false;
  g->dead_depth = 0;
  g->pend.active = false;
  g->nan_pending = false;
  g->nlazy = 0;
  memset(&g->cache, 0, sizeof g->cache);
  g->free_regs = jit_host_target.alloc_mask & ~cg_fuel_reserved_regs(g);
  if (out_of_line) {
    for (uint32_t i = 0; i < height; i++) {
      cg_value zero = {CG_CONST, JT_I32, JIT_NO_REG, 0, 0};
      g->stack[i] = zero;
    }
    g->sp = height;
  } else if (g->sp != height) {
    cg_fail(g, "code generator: stack height at a handler");
  }
  g->bias = bias;
  jit_reg exn = cg_alloc(g, false);
  masm_mov(g->m, JT_I64, exn, jit_host_target.ret_gpr);
  cg_reload_pinned(g);
  cg_fuel_sync_in(g);
  return exn;
}

/* Pushes the payload of an exception of type ft held in register exn. */
static void push_payload(jit_codegen *g, jit_reg exn, const rt_functype *ft) {
  int32_t off = RT_EXN_PAYLOAD;
  for (uint32_t k = 0; ft && k < ft->nparams; k++) {
    jit_type t = cg_jit_type(ft->types[k]);
    jit_reg r = cg_alloc_for(g, t);
    masm_load_ptr(g->m, t, r, exn, off);
    cg_push_reg(g, t, r);
    off += (int32_t)rt_array_slot_size(ft->types[k]);
  }
}

static void emit_pad(jit_codegen *g, cg_pad *p) {
  g->exn.clauses[p->clause].pad = jit_buf_pos(&g->m->buf);
  /* Values below the label's results stay: its height and bias are the
   * label's, so a payload value spilled on the way lands in its slot. */
  jit_reg exn = pad_begin(g, p->target.height, p->target.bias, true);
  push_payload(g, exn, p->payload);
  if (p->kind == JIT_CATCH_REF || p->kind == JIT_CATCH_ALL_REF)
    cg_push_reg(g, JT_REF, exn);
  else
    cg_free(g, exn);
  if (p->target.kind == CG_FUNC) {
    cg_emit_return(g);
    return;
  }
  cg_move_to_convention(g, &p->target);
  if (p->has_want) cg_cache_establish(g, &p->want);
  masm_jmp(g->m, &p->target.label);
}

void cg_exn_emit_pads(jit_codegen *g) {
  for (uint32_t i = 0; i < g->npads && !g->err; i++) emit_pad(g, &g->pads[i]);
  g->npads = 0;
}

void cg_exn_label_bound(jit_codegen *g, uint32_t index) {
  const cg_ctrl *c = &g->ctrl[index];
  for (uint32_t i = g->ctrl_exn[index].pads; i; i = g->pads[i - 1].next)
    g->pads[i - 1].target.label = c->label;
  g->ctrl_exn[index].pads = 0;
}

/* ---- try_table ---------------------------------------------------------------- */

/* A clause of the try_table about to open in scope s: its pad comes out
 * of line at the function's end, branching to the clause's label. */
static void add_pad(jit_codegen *g, uint32_t s, const jit_catch *cl) {
  if (!grow((void **)&g->pads, g->npads, &g->cap_pads, sizeof *g->pads)) {
    cg_fail(g, "out of memory");
    return;
  }
  cg_ctrl *c = cg_ctrl_target(g, cl->label);
  cg_ctrl_exn *ce = &g->ctrl_exn[c - g->ctrl];
  cg_pad *p = &g->pads[g->npads];
  memset(p, 0, sizeof *p);
  p->clause = add_clause(g, s, cl->kind, cl->tag, 0);
  p->kind = cl->kind;
  p->payload = cl->kind == JIT_CATCH || cl->kind == JIT_CATCH_REF
                   ? tag_type(g, cl->tag)
                   : NULL;
  p->target = *c;
  if (c->kind == CG_LOOP) {
    /* Bound already; back edges re-establish the head's cache. */
    p->has_want = c->label_cache != 0;
    if (p->has_want) cg_snap_load(g, c->label_cache, &p->want);
  } else if (c->kind != CG_FUNC) {
    p->next = ce->pads;
    ce->pads = g->npads + 1;
  }
  cg_note_empty_edge(g, c);
  g->npads++;
}

/* Marks the frame just pushed by a try (or try_table) as one with scope
 * s. */
static void open_scope(jit_codegen *g, uint8_t kind, uint32_t s) {
  cg_ctrl_exn *ce = &g->ctrl_exn[g->nctrl - 1];
  ce->kind = kind;
  ce->scope = s;
  g->exn_scope = s;
}

void cg_op_try_table(jit_codegen *g, const jit_instr *in) {
  if (!use_exn(g)) return;
  uint32_t s = new_scope(g, g->exn_scope);
  for (uint32_t i = 0; i < in->u.try_table.count; i++)
    add_pad(g, s, &in->u.try_table.catches[i]);
  uint32_t n = g->nctrl;
  cg_op_block(g, in); /* the blocktype is read from u.block */
  if (g->nctrl != n + 1) return; /* refused (SIMD) or failed */
  open_scope(g, CG_EXN_TRY_TABLE, s);
}

/* ---- throw, throw_ref, rethrow ---------------------------------------------- */

void cg_op_throw(jit_codegen *g, const jit_instr *in) {
  const jit_target *tg = &jit_host_target;
  const rt_functype *ft = tag_type(g, in->u.index);
  /* The payload goes where call arguments go; the libcall copies it. */
  cg_store_call_args(g, ft);
  cg_flush_for_call(g);
  masm_mov(g->m, JT_I64, tg->c_arg[0], tg->vmctx_reg);
  masm_mov_imm(g->m, JT_I64, tg->c_arg[1], in->u.index);
  cg_fuel_sync_out(g);
  masm_sp_address(g->m, tg->c_arg[2]);
  masm_call_abs(g->m, (const void *)rt_lib_throw);
  cg_exn_note_call(g);
  cg_mark_unreachable(g);
}

/* Throws the exception in register-or-stack value v. */
static void throw_exn_value(jit_codegen *g, const cg_value *v) {
  const jit_target *tg = &jit_host_target;
  cg_value x = *v;
  x.type = JT_I64;
  cg_load_value(g, &x, tg->c_arg[1]);
  cg_release(g, v);
  masm_mov(g->m, JT_I64, tg->c_arg[0], tg->vmctx_reg);
  cg_fuel_sync_out(g);
  masm_call_abs(g->m, (const void *)rt_lib_throw_ref);
  cg_exn_note_call(g);
  cg_mark_unreachable(g);
}

void cg_op_throw_ref(jit_codegen *g, const jit_instr *in) {
  (void)in;
  cg_flush_for_call(g);
  cg_value v = cg_pop(g);
  throw_exn_value(g, &v);
}

/* The frame slot of a legacy catch arm's exception. */
static int32_t catch_exn_slot(const jit_codegen *g, const cg_ctrl *c) {
  return cg_slot(g, c->bias + c->height);
}

void cg_op_rethrow(jit_codegen *g, const jit_instr *in) {
  const cg_ctrl *c = cg_ctrl_target(g, in->u.index);
  cg_flush_for_call(g);
  cg_value v = {CG_CONST, JT_I64, JIT_NO_REG, 0, 0};
  jit_reg r = cg_alloc(g, false);
  masm_load_frame(g->m, JT_I64, r, catch_exn_slot(g, c));
  v.kind = CG_REG;
  v.reg = r;
  throw_exn_value(g, &v);
}

/* ---- legacy try ----------------------------------------------------------------- */

void cg_op_try(jit_codegen *g, const jit_instr *in) {
  if (!use_exn(g)) return;
  uint32_t s = new_scope(g, g->exn_scope);
  uint32_t n = g->nctrl;
  cg_op_block(g, in);
  if (g->nctrl != n + 1) return;
  open_scope(g, CG_EXN_TRY, s);
}

/* catch x / catch_all: the try body (or the previous handler) ends as an
 * if's then arm does; the handler begins at a landing pad. */
void cg_op_catch(jit_codegen *g, const jit_instr *in) {
  cg_ctrl *c = cg_ctrl_top(g);
  if (!g->unreachable) {
    cg_move_to_convention(g, c);
    masm_jmp(g->m, &c->label);
    /* What the branch knows of the cache is lost on the handler's way
     * in: the label keeps nothing (see cg_note_empty_edge). */
    cg_note_empty_edge(g, c);
  }
  cg_mark_unreachable(g);
  /* Calls in a handler are not covered by its own try. */
  cg_ctrl_exn *ce = &g->ctrl_exn[g->nctrl - 1];
  ce->kind = CG_EXN_CATCH;
  g->exn_scope = ce->outer;
  uint8_t kind = in->op == OP_CATCH ? JIT_CATCH : JIT_CATCH_ALL;
  add_clause(g, ce->scope, kind, in->op == OP_CATCH ? in->u.index : 0,
             jit_buf_pos(&g->m->buf));
  /* The arm's slots shift up by one: the one at the frame's base keeps
   * the exception for rethrow. */
  jit_reg exn = pad_begin(g, c->height, c->bias + 1, false);
  if (c->bias + c->height + 1 > g->max_slots)
    g->max_slots = c->bias + c->height + 1;
  masm_store_frame(g->m, JT_I64, exn, catch_exn_slot(g, c));
  push_payload(g, exn, in->op == OP_CATCH ? tag_type(g, in->u.index) : NULL);
  cg_free(g, exn);
}

/* delegate l: the try ends (as a block), and what its scope does not
 * catch goes to the handlers active in the frame l names: the scope
 * active just inside that frame. */
void cg_op_delegate(jit_codegen *g, const jit_instr *in) {
  uint32_t try_index = g->nctrl - 1;
  const cg_ctrl_exn *ce = &g->ctrl_exn[try_index];
  uint32_t target = try_index - 1 - in->u.index; /* validated: >= 0 */
  uint32_t parent = g->ctrl_exn[target + 1].outer;
  if (ce->scope != JIT_NO_SCOPE && ce->kind == CG_EXN_TRY)
    g->exn.scopes[ce->scope].parent = parent;
  cg_op_end(g, in);
}
