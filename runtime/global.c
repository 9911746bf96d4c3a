/* Globals created by the host, and reading/writing any global through its
 * cell (instance globals share the same struct, see runtime.h). */
#include "runtime.h"

#include "gc.h"

#include <stdlib.h>
#include <string.h>

static bool is_valtype(wrun_valtype t) {
  switch (t) {
  case WRUN_I32: case WRUN_I64: case WRUN_F32: case WRUN_F64: case WRUN_V128:
  case WRUN_FUNCREF: case WRUN_EXTERNREF: case WRUN_EXNREF: case WRUN_ANYREF:
    return true;
  }
  return false;
}

wrun_global *wrun_global_new(wrun_store *store, wrun_valtype type,
                             bool mutable_, wrun_val init) {
  if (!store) return rt_fail("global: no store");
  if (!is_valtype(type)) return rt_fail("global: not a value type");
  if (init.type != type)
    return rt_fail("global: the initial value is not of the global's type");
  if (!rt_val_in_store(&init, store))
    return rt_fail("global: the initial value belongs to another store");
  wrun_global *g = calloc(1, sizeof *g);
  if (!g) return rt_fail("out of memory");
  g->cell = &g->own;
  g->type.type = (rt_valtype)type;
  g->type.mut = mutable_;
  g->store = store;
  if (!rt_val_to_slot(store, &init, g->cell->value)) {
    free(g);
    return rt_fail("global: out of GC heap memory");
  }
  if (!rt_store_own(store, g, free)) return rt_fail("out of memory");
  /* Instances' globals are found through their instances; a host one is
   * a GC root only if listed. */
  if (!rt_gc_track_global(store, g)) return rt_fail("out of memory");
  return g;
}

void wrun_global_get(const wrun_global *g, wrun_val *out) {
  rt_slot_to_val(g->type.type, g->cell->value, out);
  rt_gc_root_result(g->store, out);
}

bool wrun_global_set(wrun_global *g, wrun_val v) {
  if (!g->type.mut || !rt_val_fits(&v, g->type.type)) return false;
  if (!rt_val_in_store(&v, g->store)) return false;
  return rt_val_to_slot(g->store, &v, g->cell->value);
}

void wrun_global_type(const wrun_global *g, wrun_valtype *type,
                      bool *mutable_) {
  if (type) *type = rt_vt_api(g->type.type);
  if (mutable_) *mutable_ = g->type.mut;
}
