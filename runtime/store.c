/* Stores: they own everything instantiated or created in them and free it
 * all at once when deleted. */
#include "runtime.h"

#include "gc.h"

#include <stdlib.h>
#include <uthash.h>

typedef struct rt_template_func {
  UT_hash_handle hh;
  rt_func_template *tmpl; /* the key */
  wrun_func *func;        /* owned by the store */
} rt_template_func;

wrun_func *rt_store_template_func(wrun_store *s, rt_func_template *tmpl) {
  rt_template_func *e = NULL;
  HASH_FIND_PTR(s->template_funcs, &tmpl, e);
  if (e) return e->func;
  e = calloc(1, sizeof *e);
  if (!e) return rt_fail("out of memory");
  e->tmpl = tmpl;
  e->func = rt_func_new_id(s, tmpl->type_id, tmpl->callback, tmpl->env, NULL,
                           tmpl);
  if (!e->func) {
    free(e);
    return NULL;
  }
  HASH_ADD_PTR(s->template_funcs, tmpl, e);
  return e->func;
}

static void free_template_funcs(wrun_store *s) {
  rt_template_func *e, *tmp;
  HASH_ITER(hh, s->template_funcs, e, tmp) {
    HASH_DEL(s->template_funcs, e);
    free(e);
  }
}

wrun_store *wrun_store_new(wrun_engine *engine) {
  wrun_store *s = calloc(1, sizeof *s);
  if (!s) return rt_fail("out of memory");
  s->engine = engine;
  wrun_store_limits_default(&s->limits);
  s->fuel_enabled = engine && engine->config.consume_fuel;
  atomic_init(&s->interrupt_requested, false);
  if (pthread_mutex_init(&s->interrupt_lock, NULL) != 0) {
    free(s);
    return rt_fail("store: cannot make a mutex");
  }
  return s;
}

wrun_engine *wrun_store_engine(const wrun_store *s) { return s->engine; }

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
  rt_gc_heap_free(s->gc);
  free_template_funcs(s);
  free(s->host_roots);
  pthread_mutex_destroy(&s->interrupt_lock);
  if (s->data_finalizer) s->data_finalizer(s->data);
  free(s);
}

void wrun_store_set_data(wrun_store *s, void *data,
                         void (*finalizer)(void *data)) {
  if (!s) return;
  void *old = s->data;
  void (*old_finalizer)(void *) = s->data_finalizer;
  s->data = data;
  s->data_finalizer = finalizer;
  if (old_finalizer) old_finalizer(old);
}

void *wrun_store_data(const wrun_store *s) { return s ? s->data : NULL; }

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

/* Word stores the running thread may read at any time (relaxed: it only
 * needs to see the new value eventually, at its next check). */
static void write_limit(rt_instance *inst, uintptr_t limit) {
  __atomic_store_n((uintptr_t *)(inst->vmctx + RT_VMCTX_STACK_LIMIT), limit,
                   __ATOMIC_RELAXED);
}

/* The value the vmctxs must hold now; caller holds interrupt_lock. */
static uintptr_t effective_limit(const wrun_store *s) {
  return atomic_load(&s->interrupt_requested) ? RT_POISONED_LIMIT
                                              : s->stack_limit;
}

static void write_all_limits(wrun_store *s) {
  uintptr_t limit = effective_limit(s);
  for (rt_instance *inst = s->instances; inst; inst = inst->next)
    write_limit(inst, limit);
}

void rt_store_apply_stack_limit(wrun_store *s, uintptr_t limit) {
  if (s->stack_limit == limit) return;
  pthread_mutex_lock(&s->interrupt_lock);
  s->stack_limit = limit;
  write_all_limits(s);
  pthread_mutex_unlock(&s->interrupt_lock);
}

void rt_store_link_instance(wrun_store *s, rt_instance *inst) {
  pthread_mutex_lock(&s->interrupt_lock);
  write_limit(inst, effective_limit(s));
  inst->next = s->instances;
  s->instances = inst;
  pthread_mutex_unlock(&s->interrupt_lock);
}

void wrun_store_interrupt(wrun_store *s) {
  if (!s) return;
  pthread_mutex_lock(&s->interrupt_lock);
  atomic_store(&s->interrupt_requested, true);
  write_all_limits(s);
  pthread_mutex_unlock(&s->interrupt_lock);
}

bool rt_store_take_interrupt(wrun_store *s) {
  /* Cheap test first: a real stack overflow should not take the lock. */
  if (!atomic_load(&s->interrupt_requested)) return false;
  pthread_mutex_lock(&s->interrupt_lock);
  bool was = atomic_exchange(&s->interrupt_requested, false);
  write_all_limits(s);
  pthread_mutex_unlock(&s->interrupt_lock);
  return was;
}
