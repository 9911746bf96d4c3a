/* Stores: they own everything instantiated or created in them and free it
 * all at once when deleted. */
#include "runtime.h"

#include <stdlib.h>

wrun_store *wrun_store_new(wrun_engine *engine) {
  wrun_store *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->engine = engine;
  s->max_wasm_stack = RT_DEFAULT_MAX_WASM_STACK;
  return s;
}

void wrun_store_delete(wrun_store *s) {
  if (!s) return;
  /* Instances first: they only point at the memories and tables, which the
   * owned list frees afterwards. */
  rt_instance *inst = s->instances;
  while (inst) {
    rt_instance *next = inst->next;
    rt_instance_free(inst);
    inst = next;
  }
  rt_owned *o = s->owned;
  while (o) {
    rt_owned *next = o->next;
    o->destroy(o->obj);
    free(o);
    o = next;
  }
  free(s);
}

void wrun_store_set_max_memory(wrun_store *s, uint64_t bytes) {
  s->max_memory = bytes;
}

void wrun_store_set_max_wasm_stack(wrun_store *s, size_t bytes) {
  s->max_wasm_stack = bytes ? bytes : RT_DEFAULT_MAX_WASM_STACK;
}

bool rt_store_own(wrun_store *s, void *obj, void (*destroy)(void *obj)) {
  rt_owned *o = malloc(sizeof *o);
  if (!o) {
    destroy(obj);
    return false;
  }
  o->obj = obj;
  o->destroy = destroy;
  o->next = s->owned;
  s->owned = o;
  return true;
}

void rt_store_apply_stack_limit(wrun_store *s, uintptr_t limit) {
  if (s->stack_limit == limit) return;
  for (rt_instance *inst = s->instances; inst; inst = inst->next)
    *(uintptr_t *)(inst->vmctx + RT_VMCTX_STACK_LIMIT) = limit;
  s->stack_limit = limit;
}
