/* The roots of a store's GC heap: wasm frames (gc_stack.c), the globals
 * and element segments of its instances, and what the store holds outside
 * instances, registered when made: tables with a traced element type,
 * host globals of a traced type, exceptions with a traced payload value,
 * and the host's own references (a counted set of words). */
#include "gc_heap.h"

#include <stdlib.h>
#include <uthash.h>

#include "array_layout.h"
#include "exception.h"
#include "runtime.h"

bool rt_gc_traced_type(rt_valtype t) { return rt_vt_traced(NULL, t); }

static bool vec_push(rt_gc_vec *v, void *item) {
  if (v->n == v->cap) {
    size_t cap = v->cap ? 2 * v->cap : 16;
    void **items = realloc(v->items, cap * sizeof *items);
    if (!items) return false;
    v->items = items;
    v->cap = cap;
  }
  v->items[v->n++] = item;
  return true;
}

static bool track(wrun_store *s, int which, void *obj) {
  rt_gc_heap *h = rt_gc_heap_of(s);
  return h && vec_push(&h->held[which], obj);
}

bool rt_gc_track_table(wrun_store *s, rt_table *t) {
  if (!rt_gc_traced_type(t->elem_type)) return true;
  return track(s, RT_GC_HELD_TABLES, t);
}

bool rt_gc_track_global(wrun_store *s, wrun_global *g) {
  if (!rt_gc_traced_type(g->type.type)) return true;
  return track(s, RT_GC_HELD_GLOBALS, g);
}

/* Only exceptions that hold a GC reference: most hold numbers, and every
 * throw makes one. */
bool rt_gc_track_exn(wrun_store *s, wrun_exn *exn) {
  const rt_functype *t = exn->tag->type;
  for (uint32_t i = 0; i < t->nparams; i++)
    if (rt_gc_traced_type(t->types[i]))
      return track(s, RT_GC_HELD_EXNS, exn);
  return true;
}

/* ---- host roots --------------------------------------------------------- */

typedef struct rt_gc_host_root {
  uintptr_t word;
  uint64_t count;
  UT_hash_handle hh;
} rt_gc_host_root;

/* Null and i31 words are no objects: nothing to keep. */
static bool is_object(uintptr_t w) { return w && !(w & 1); }

bool rt_gc_root_add(wrun_store *s, uintptr_t w) {
  if (!is_object(w)) return true;
  rt_gc_heap *h = rt_gc_heap_of(s);
  if (!h) return false;
  rt_gc_host_root *r;
  HASH_FIND(hh, h->host_roots, &w, sizeof w, r);
  if (!r) {
    if (!(r = calloc(1, sizeof *r))) return false;
    r->word = w;
    HASH_ADD(hh, h->host_roots, word, sizeof r->word, r);
  }
  r->count++;
  return true;
}

void rt_gc_root_remove(wrun_store *s, uintptr_t w) {
  rt_gc_heap *h = s->gc;
  if (!is_object(w) || !h) return;
  rt_gc_host_root *r;
  HASH_FIND(hh, h->host_roots, &w, sizeof w, r);
  if (r && --r->count == 0) {
    HASH_DEL(h->host_roots, r);
    free(r);
  }
}

/* ---- enumeration -------------------------------------------------------- */

static void visit_global(const wrun_global *g, rt_gc_visit visit, void *ctx) {
  if (g->cell && rt_gc_traced_type(g->type.type))
    visit(ctx, (uintptr_t *)&g->cell->value[0]);
}

static void visit_words(void **words, size_t n, rt_gc_visit visit,
                        void *ctx) {
  for (size_t i = 0; i < n; i++) visit(ctx, (uintptr_t *)&words[i]);
}

/* Its globals (a cell is NULL until its initializer ran; an imported one
 * is the exporter's cell, visited twice at worst) and the items kept for
 * table.init. */
static void visit_instance(rt_instance *inst, rt_gc_visit visit, void *ctx) {
  const rt_module *m = inst->m;
  for (uint32_t i = 0; i < m->nglobals; i++)
    visit_global(&inst->globals[i], visit, ctx);
  for (uint32_t i = 0; i < m->nelems; i++)
    if (rt_gc_traced_type(rt_vt_canon(m, m->elems[i].elem_type)))
      visit_words(inst->elems[i].items, inst->elems[i].count, visit, ctx);
}

static void visit_exn(wrun_exn *exn, rt_gc_visit visit, void *ctx) {
  const rt_functype *t = exn->tag->type;
  for (uint32_t i = 0; i < t->nparams; i++)
    if (rt_gc_traced_type(t->types[i]))
      visit(ctx, (uintptr_t *)(exn->payload + rt_array_size(t->types, i)));
}

void rt_gc_visit_roots(wrun_store *s, rt_gc_visit visit, void *ctx) {
  rt_gc_heap *h = s->gc;
  rt_gc_scan_stack(s, visit, ctx);
  for (rt_instance *inst = s->instances; inst; inst = inst->next)
    visit_instance(inst, visit, ctx);
  const rt_gc_vec *held = h->held;
  for (size_t i = 0; i < held[RT_GC_HELD_TABLES].n; i++) {
    rt_table *t = held[RT_GC_HELD_TABLES].items[i];
    visit_words(t->elems, t->size, visit, ctx);
  }
  for (size_t i = 0; i < held[RT_GC_HELD_GLOBALS].n; i++)
    visit_global(held[RT_GC_HELD_GLOBALS].items[i], visit, ctx);
  for (size_t i = 0; i < held[RT_GC_HELD_EXNS].n; i++)
    visit_exn(held[RT_GC_HELD_EXNS].items[i], visit, ctx);
  for (rt_gc_host_root *r = h->host_roots; r; r = r->hh.next)
    visit(ctx, &r->word);
  /* the objects handed to the host (gc_api.c) */
  for (size_t i = 0; i < s->nhost_roots; i++) visit(ctx, &s->host_roots[i]);
}

void rt_gc_roots_free(rt_gc_heap *h) {
  for (int i = 0; i < RT_GC_NHELD; i++) free(h->held[i].items);
  rt_gc_host_root *r, *tmp;
  HASH_ITER(hh, h->host_roots, r, tmp) {
    HASH_DEL(h->host_roots, r);
    free(r);
  }
}
