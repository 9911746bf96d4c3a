/* Tables: an array of references that may move when it grows. Compiled
 * code reads elems and size from the vmctx slots, the table's views, which
 * a growth rewrites (see rt_table in vmctx.h). */
#include "runtime.h"

#include "gc.h"

#include <inttypes.h>
#include <stdlib.h>

static void table_destroy(void *obj) {
  rt_table *t = obj;
  free(t->views);
  free(t->elems);
  free(t);
}

static void fill(void **elems, uint32_t from, uint32_t to, void *ref) {
  for (uint32_t i = from; i < to; i++) elems[i] = ref;
}

/* A table of null references is calloc'ed: large ones come as fresh zero
 * pages, so a guest's minimum costs memory only once it is written. */
static void **alloc_elems(uint32_t n, void *init) {
  size_t count = n ? n : 1;
  if (!init) return calloc(count, sizeof(void *));
  void **elems = malloc(count * sizeof(void *));
  if (elems) fill(elems, 0, n, init);
  return elems;
}

rt_table *rt_table_new(wrun_store *s, rt_valtype elem_type, uint64_t min,
                       uint64_t max, bool has_max, bool is64, void *init,
                       wrun_error **error) {
  *error = rt_limits_admit_tables(s, 1, min, min);
  if (*error) return NULL;
  if (min > UINT32_MAX) {
    *error = rt_error_new(RT_NO_OFFSET, "table size must be at most %u",
                          (unsigned)UINT32_MAX);
    return NULL;
  }
  rt_table *t = calloc(1, sizeof *t);
  void **elems = t ? alloc_elems(min, init) : NULL;
  if (!t || !elems) {
    free(t);
    free(elems);
    *error = rt_error_new(RT_NO_OFFSET, "out of memory");
    return NULL;
  }
  t->elems = elems;
  t->size = (uint32_t)min;
  t->max = max;
  t->has_max = has_max;
  t->is64 = is64;
  t->elem_type = elem_type;
  t->store = s;
  if (!rt_store_own(s, t, table_destroy)) {
    *error = rt_error_new(RT_NO_OFFSET, "out of memory");
    return NULL;
  }
  s->ntables++;
  s->table_elements += min;
  /* Its elements are GC roots (it stays owned, and freed, on failure). */
  if (!rt_gc_track_table(s, t)) {
    *error = rt_error_new(RT_NO_OFFSET, "out of memory");
    return NULL;
  }
  return t;
}

static void update_view(const rt_table *t, rt_vmctx_table *slot) {
  slot->elems = t->elems;
  slot->size = t->size;
}

bool rt_table_add_view(rt_table *t, rt_vmctx_table *slot) {
  slot->table = t;
  update_view(t, slot);
  if (t->nviews == t->cap_views) {
    uint32_t cap = t->cap_views ? 2 * t->cap_views : 2;
    if (cap < t->cap_views) return false;
    rt_vmctx_table **views = realloc(t->views, (size_t)cap * sizeof *views);
    if (!views) return false;
    t->views = views;
    t->cap_views = cap;
  }
  t->views[t->nviews++] = slot;
  return true;
}

int64_t rt_table_grow(rt_table *t, uint64_t delta, void *init) {
  uint32_t old = t->size;
  if (delta > UINT32_MAX - old) return -1; /* and so want cannot wrap */
  uint64_t want = (uint64_t)old + delta;
  if (t->has_max && want > t->max) return -1;
  if (delta == 0) return old;
  if (!rt_limits_allow_table_growth(t->store, old, delta)) return -1;
  void **elems = realloc(t->elems, (size_t)want * sizeof(void *));
  if (!elems) return -1;
  fill(elems, old, (uint32_t)want, init);
  t->elems = elems;
  t->size = (uint32_t)want;
  for (uint32_t i = 0; i < t->nviews; i++) update_view(t, t->views[i]);
  t->store->table_elements += (uint32_t)delta;
  return old;
}

/* ---- public API ------------------------------------------------------------ */

/* The word a table holds for v (an externref boxed, gc.h); false when
 * the GC heap is full. */
static bool word_of(wrun_store *s, const wrun_val *v, void **out) {
  uint64_t slot[2] = {0, 0};
  if (!rt_val_to_slot(s, v, slot)) return false;
  *out = (void *)(uintptr_t)slot[0];
  return true;
}

static wrun_table *table_new(wrun_store *store, wrun_valtype elem,
                             uint64_t min, uint64_t max, bool has_max,
                             bool is64, wrun_val init) {
  if (!store) return rt_fail("table: no store");
  if (!rt_is_reftype(elem)) return rt_fail("table: not a reference type");
  if (init.type != elem)
    return rt_fail("table: the initial value is not of the element type");
  if (has_max && max < min)
    return rt_fail("table: maximum %" PRIu64 " below the minimum %" PRIu64,
                   max, min);
  if (!rt_val_in_store(&init, store))
    return rt_fail("table: the initial value belongs to another store");
  wrun_error *err = NULL;
  void *word;
  if (!word_of(store, &init, &word))
    return rt_fail("table: out of GC heap memory");
  rt_table *t = rt_table_new(store, elem, min, max, has_max, is64, word,
                             &err);
  if (!t) return rt_fail_with(err);
  return (wrun_table *)t;
}

wrun_table *wrun_table_new(wrun_store *store, wrun_valtype elem, uint32_t min,
                           uint32_t max, bool has_max, wrun_val init) {
  return table_new(store, elem, min, max, has_max, false, init);
}

wrun_table *wrun_table_new64(wrun_store *store, wrun_valtype elem,
                             uint64_t min, uint64_t max, bool has_max,
                             wrun_val init) {
  return table_new(store, elem, min, max, has_max, true, init);
}

bool wrun_table_is64(const wrun_table *t) {
  return ((const rt_table *)t)->is64;
}

uint32_t wrun_table_size(const wrun_table *t) {
  return ((const rt_table *)t)->size;
}

bool wrun_table_get(const wrun_table *tab, uint32_t i, wrun_val *out) {
  const rt_table *t = (const rt_table *)tab;
  if (i >= t->size) return false;
  uint64_t slot[2] = {(uintptr_t)t->elems[i], 0};
  rt_slot_to_val(t->elem_type, slot, out);
  rt_gc_root_result(t->store, out);
  return true;
}

bool wrun_table_set(wrun_table *tab, uint32_t i, wrun_val v) {
  rt_table *t = (rt_table *)tab;
  if (i >= t->size || !rt_val_fits(&v, t->elem_type)) return false;
  if (!rt_val_in_store(&v, t->store)) return false;
  return word_of(t->store, &v, &t->elems[i]);
}

int64_t wrun_table_grow(wrun_table *tab, uint32_t delta, wrun_val init) {
  rt_table *t = (rt_table *)tab;
  if (!rt_val_fits(&init, t->elem_type) || !rt_val_in_store(&init, t->store))
    return -1;
  void *word;
  if (!word_of(t->store, &init, &word)) return -1;
  return rt_table_grow(t, delta, word);
}

void wrun_table_type(const wrun_table *tab, wrun_valtype *elem, uint64_t *min,
                     uint64_t *max, bool *has_max) {
  const rt_table *t = (const rt_table *)tab;
  /* The current size is the minimum an import of it must ask for. */
  if (elem) *elem = rt_vt_api(t->elem_type);
  if (min) *min = t->size;
  if (max) *max = t->has_max ? t->max : 0;
  if (has_max) *has_max = t->has_max;
}
