/* Store isolation: every object belongs to the store that made it, and
 * the API refuses to mix stores. A funcref of store A in store B's table
 * would outlive A (calls through it would run freed memory after
 * wrun_store_delete(A)) and would run under A's stack limit and
 * interrupts while B is the store being called, so nothing may cross.
 *
 * These checks are made where values enter through the API (table and
 * global writes, imports, calls from the host, host function results);
 * wasm code itself can only reach objects of its own store, so the wasm
 * call path checks nothing. */
#include "runtime.h"

#include "gc.h"

/* A funcref's ctx says what it is: an instance vmctx (whose instance knows
 * its store) or a host function context (which holds it). */
wrun_store *rt_funcref_store(const rt_funcref *f) {
  const uint32_t magic = *(const uint32_t *)f->ctx;
  if (magic == RT_MAGIC_INSTANCE) return rt_instance_of_vmctx(f->ctx)->store;
  if (magic == RT_MAGIC_HOST) return ((const rt_host_ctx *)f->ctx)->store;
  return NULL;
}

bool rt_val_in_store(const wrun_val *v, const wrun_store *s) {
  /* Externrefs are the host's own pointers: no store to check. A null
   * funcref belongs everywhere. */
  if (v->type == WRUN_EXNREF)
    return !v->of.exnref || v->of.exnref->store == s;
  /* an anyref object must be of this store's heap (null and i31s are
   * everyone's) */
  if (v->type == WRUN_ANYREF)
    return !v->of.anyref || wrun_anyref_i31(v->of.anyref, NULL) ||
           rt_gc_owns(s, (uintptr_t)v->of.anyref);
  if (v->type != WRUN_FUNCREF || !v->of.funcref) return true;
  return rt_funcref_store((const rt_funcref *)v->of.funcref) == s;
}

bool rt_extern_in_store(const wrun_extern *e, const wrun_store *s) {
  switch (e->kind) {
  case WRUN_EXTERN_FUNC:
    return e->of.func &&
           rt_funcref_store((const rt_funcref *)e->of.func) == s;
  case WRUN_EXTERN_TABLE:
    return e->of.table && ((const rt_table *)e->of.table)->store == s;
  case WRUN_EXTERN_MEMORY: /* a shared memory may serve several stores */
    return e->of.memory && (((const rt_memory *)e->of.memory)->store == s ||
                            ((const rt_memory *)e->of.memory)->shared);
  case WRUN_EXTERN_GLOBAL:
    return e->of.global && e->of.global->store == s;
  case WRUN_EXTERN_TAG:
    return e->of.tag && e->of.tag->store == s;
  }
  return false;
}
