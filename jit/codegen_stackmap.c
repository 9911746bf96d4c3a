/* GC stack maps (issue 8): at every call that may collect, which slots of
 * the calling frame hold GC references (docs/design-notes.md, "GC roots
 * in frames"). The collector does not move objects, so a map only says
 * where references are, for marking; nothing is rewritten.
 *
 * At such a call every value of the frame is in memory: locals in their
 * frame slots (the register cache writes through), the value stack
 * spilled by the call (constants stay constants: a constant reference is
 * null or an i31, nothing to mark; lazy local copies read their local's
 * slot, which the locals part of the map covers). Arguments belong to the
 * callee's map (its parameters), results are not there yet. Value types
 * come from the validator, which runs one instruction ahead: below the
 * call's operands its operand stack is the value stack's, and it keeps
 * the positions of its GC references, so a map costs what it lists. */
#include "codegen_internal.h"

#include <stdlib.h>
#include <string.h>

#include "validate.h"

static bool grow(void **arr, uint32_t n, uint32_t need, uint32_t *cap,
                 size_t size) {
  if (n + need <= *cap) return true;
  uint32_t c = *cap ? *cap : 16;
  while (c < n + need) c *= 2;
  void *p = realloc(*arr, (size_t)c * size);
  if (!p) return false;
  *arr = p;
  *cap = c;
  return true;
}

/* Could a value of this module be a GC word (a struct, array, i31 or a
 * boxed externref)? Only then do its calls get maps: plain C modules pay
 * nothing. */
static bool module_traced(const rt_module *m) {
  for (uint32_t t = 0; t < m->ntypes; t++) {
    const rt_functype *ft = &m->types[t];
    if (ft->kind != RT_FUNC_TYPE) return true;
    for (uint32_t k = 0; k < ft->nparams + ft->nresults; k++)
      if (rt_vt_traced(m, ft->types[k])) return true;
  }
  for (uint32_t i = 0; i < m->nglobals; i++)
    if (rt_vt_traced(m, m->globals[i].type.type)) return true;
  for (uint32_t i = 0; i < m->ntables; i++)
    if (rt_vt_traced(m, m->tables[i].elem)) return true;
  return false;
}

void jit_codegen_set_validator(jit_codegen *g, const struct jit_validator *v) {
  g->validator = v;
}

/* The traced locals of the function about to be compiled (types: the
 * declared ones). A body without traced types in its module's
 * signatures may still declare such locals. */
void cg_stack_map_begin_function(jit_codegen *g, uint32_t ndeclared,
                                 const rt_valtype *declared) {
  if (g->maps_mod != g->mod) {
    g->maps_mod = g->mod;
    g->module_traced = module_traced(g->mod);
  }
  g->ntraced_locals = 0;
  g->maps_first_slot = g->maps.nslots;
  g->function_traced = g->module_traced;
  for (uint32_t i = 0; i < g->nlocals; i++) {
    rt_valtype t = i < g->nparams ? g->type->types[i]
                                  : declared[i - g->nparams];
    if (!rt_vt_traced(g->mod, t)) continue;
    if (!grow((void **)&g->traced_locals, g->ntraced_locals, 1,
              &g->cap_traced_locals, sizeof *g->traced_locals)) {
      cg_fail(g, "out of memory");
      return;
    }
    g->traced_locals[g->ntraced_locals++] = g->local_offsets[i];
    g->function_traced = true;
  }
  (void)ndeclared;
}

/* A body's maps hold at most this many slots: a map lists every live
 * reference, so a deep stack of them across many calls would make maps of
 * quadratic size (25,000 references under 25,000 calls: 625 million
 * slots). Compilers' output stays far below; a body past it is refused
 * with a clear error rather than compiled in quadratic time and memory. */
static uint64_t slot_budget(const jit_codegen *g) {
  return ((uint64_t)1 << 18) +
         16 * (uint64_t)g->mod->funcs[g->func_index].body_len;
}

static bool add_slot(jit_codegen *g, int32_t off) {
  jit_stack_maps *t = &g->maps;
  if (t->nslots - g->maps_first_slot >= slot_budget(g)) {
    cg_fail(g, "function too large for GC stack maps (a deep operand "
               "stack of references across many calls)");
    return false;
  }
  if (!grow((void **)&t->slots, t->nslots, 1, &t->cap_slots,
            sizeof *t->slots)) {
    cg_fail(g, "out of memory");
    return false;
  }
  t->slots[t->nslots++] = off;
  return true;
}

/* Entry i of the value stack, a GC reference: its slot if spilled
 * (constants are null or i31s; lazy local copies are their locals). */
static bool note_entry(jit_codegen *g, uint32_t i) {
  const cg_value *v = &g->stack[i];
  if (v->kind != CG_SPILL) return true;
  return add_slot(g, cg_slot(g, v->index));
}

void cg_stack_map(jit_codegen *g, const rt_valtype *kept, uint32_t nkept,
                  bool uniform) {
  if (!g->function_traced) return;
  jit_stack_maps *t = &g->maps;
  uint32_t first = t->nslots;
  for (uint32_t k = 0; k < g->ntraced_locals; k++)
    if (!add_slot(g, g->traced_locals[k])) return;
  uint32_t nrefs = 0, height = 0;
  const uint32_t *refs = jit_validator_gc_refs(g->validator, &nrefs, &height);
  uint32_t below = g->sp - nkept;
  if (nkept > g->sp || below > height) {
    cg_fail(g, "code generator: the value stack and the validator's "
               "disagree at a stack map");
    return;
  }
  /* the validator's references below the operands, in O(their number) */
  for (uint32_t k = 0; k < nrefs && refs[k] < below; k++)
    if (!note_entry(g, refs[k])) return;
  for (uint32_t k = 0; k < nkept; k++)
    if (rt_vt_traced(g->mod, kept[uniform ? 0 : k]) &&
        !note_entry(g, below + k))
      return;
  if (t->nslots == first) return;
  if (!grow((void **)&t->sites, t->nsites, 1, &t->cap_sites,
            sizeof *t->sites)) {
    cg_fail(g, "out of memory");
    return;
  }
  /* Emission order is code order, so the sites stay sorted. */
  t->sites[t->nsites++] = (jit_stack_map){
      .ret = jit_buf_pos(&g->m->buf),
      .first = first,
      .count = t->nslots - first,
  };
}

void jit_codegen_take_stack_maps(jit_codegen *g, jit_stack_maps *out) {
  *out = g->maps;
  memset(&g->maps, 0, sizeof g->maps);
}

void cg_stack_map_free(jit_codegen *g) {
  jit_stack_maps_free(&g->maps);
  free(g->traced_locals);
  g->traced_locals = NULL;
  g->cap_traced_locals = 0;
}
