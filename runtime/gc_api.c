/* GC references in the host API (wrun.h): their kinds, host values as
 * anyrefs, type checks of what the host passes, and the stack of roots
 * that holds the objects handed to the host. */
#include "gc.h"

#include <stdlib.h>

#include "runtime.h"

static const rt_gc_rtt *rtt_of(uintptr_t w) {
  return *(const rt_gc_rtt *const *)w;
}

static bool is_object(uintptr_t w) { return w && !(w & 1); }

wrun_anyref_kind wrun_anyref_kind_of(const void *anyref) {
  uintptr_t w = (uintptr_t)anyref;
  if (!w) return WRUN_ANYREF_NULL;
  if (w & 1) return WRUN_ANYREF_I31;
  switch (rtt_of(w)->kind) {
  case RT_GC_STRUCT: return WRUN_ANYREF_STRUCT;
  case RT_GC_ARRAY: return WRUN_ANYREF_ARRAY;
  default: return WRUN_ANYREF_HOST;
  }
}

static bool push_root(wrun_store *s, uintptr_t w) {
  if (s->nhost_roots == s->cap_host_roots) {
    size_t cap = s->cap_host_roots ? 2 * s->cap_host_roots : 16;
    uintptr_t *a = realloc(s->host_roots, cap * sizeof *a);
    if (!a) return false;
    s->host_roots = a;
    s->cap_host_roots = cap;
  }
  s->host_roots[s->nhost_roots++] = w;
  return true;
}

void *wrun_anyref_from_host(wrun_store *store, void *value) {
  if (!store || !value) return NULL;
  void *box = rt_gc_box_host(store, value);
  if (box && !push_root(store, (uintptr_t)box)) return NULL;
  return box;
}

bool wrun_anyref_host(const void *anyref, void **value) {
  if (wrun_anyref_kind_of(anyref) != WRUN_ANYREF_HOST) return false;
  if (value) *value = rt_gc_unbox_host((uintptr_t)anyref);
  return true;
}

size_t wrun_gc_scope_begin(wrun_store *store) {
  return store ? store->nhost_roots : 0;
}

void wrun_gc_scope_end(wrun_store *store, size_t mark) {
  if (store && mark < store->nhost_roots) store->nhost_roots = mark;
}

bool wrun_anyref_root(wrun_store *store, const void *anyref) {
  uintptr_t w = (uintptr_t)anyref;
  if (!store) return false;
  if (!is_object(w)) return true;
  return rt_gc_owns(store, w) && rt_gc_root_add(store, w);
}

void wrun_anyref_unroot(wrun_store *store, const void *anyref) {
  if (store && is_object((uintptr_t)anyref))
    rt_gc_root_remove(store, (uintptr_t)anyref);
}

void rt_gc_root_result(wrun_store *s, const wrun_val *v) {
  /* a root that cannot be recorded leaves the object to the collector:
   * the same as out of memory anywhere, reported by the next allocation */
  if (v->type == WRUN_ANYREF && is_object((uintptr_t)v->of.anyref))
    (void)push_root(s, (uintptr_t)v->of.anyref);
}

void rt_gc_inhibit(wrun_store *s, bool on) {
  if (on) s->gc_inhibit++;
  else s->gc_inhibit--;
}

bool rt_gc_ref_fits(uintptr_t w, rt_valtype t) {
  if (!w) return rt_vt_nullable(t);
  uint32_t heap = rt_vt_heap(t);
  uint32_t c = rt_vt_heap_code(heap);
  if (c == HT_ANY) return true;
  if (w & 1) return c == HT_EQ || c == HT_I31;
  const rt_gc_rtt *r = rtt_of(w);
  switch (c) {
  case HT_EQ: return r->kind != RT_GC_HOST;
  case HT_STRUCT: return r->kind == RT_GC_STRUCT;
  case HT_ARRAY: return r->kind == RT_GC_ARRAY;
  case HT_CANON:
    return r->kind != RT_GC_HOST && rt_type_id_subtype(r->type_id,
                                                       rt_vt_index(heap));
  default: return false; /* i31, none */
  }
}
