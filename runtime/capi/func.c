/* Functions: host functions (a wrun host function whose callback is a
 * trampoline into the wasm.h one) and calls. */
#include "capi.h"

#include <stdlib.h>
#include <string.h>

typedef struct capi_host {
  wasm_store_t *store;
  wasm_func_callback_t cb;
  wasm_func_callback_with_env_t cb_env;
  void *env;
  void (*finalizer)(void *);
} capi_host;

/* Run by the runtime when its store frees the function: exactly once. */
static void host_destroy(void *p) {
  capi_host *h = p;
  if (h->finalizer) h->finalizer(h->env);
  free(h);
}

static wrun_trap *host_trampoline(void *env, wrun_caller *caller,
                                  const wrun_val *args, size_t nargs,
                                  wrun_val *results, size_t nresults) {
  (void)caller;
  capi_host *h = env;
  wasm_val_t small[16];
  size_t n = nargs + nresults;
  wasm_val_t *vals = n <= 16 ? small : calloc(n, sizeof *vals);
  if (!vals) return wrun_trap_new("out of memory");
  wasm_val_vec_t a = {nargs, vals}, r = {nresults, vals + nargs};
  wrun_trap *trap = NULL;
  for (size_t i = 0; i < nargs; i++)
    if (!capi_val_from_wrun(h->store, &args[i], &vals[i]))
      trap = wrun_trap_new("argument type not supported by wasm.h");
  /* Results come preset to their kinds, zero. */
  for (size_t i = 0; i < nresults; i++) {
    memset(&r.data[i], 0, sizeof r.data[i]);
    r.data[i].kind = capi_kind_of(results[i].type);
  }
  if (!trap) {
    wasm_trap_t *t = h->cb_env ? h->cb_env(h->env, &a, &r) : h->cb(&a, &r);
    if (t) trap = capi_trap_take(t);
  }
  for (size_t i = 0; i < nargs; i++) wasm_val_delete(&vals[i]);
  /* The results' references pass to the runtime: converted (externrefs
   * pinned), then this handle dropped. */
  for (size_t i = 0; i < nresults; i++) {
    if (!trap && !capi_val_to_wrun(&r.data[i], &results[i]))
      trap = wrun_trap_new("host function returned a wrong result type");
    wasm_val_delete(&r.data[i]);
  }
  if (vals != small) free(vals);
  return trap;
}

static bool types_of(const wasm_valtype_vec_t *v, wrun_valtype *out) {
  for (size_t i = 0; i < v->size; i++)
    if (!capi_wrun_type(v->data[i]->kind, &out[i])) return false;
  return true;
}

static wasm_func_t *func_new(wasm_store_t *st, const wasm_functype_t *type,
                             wasm_func_callback_t cb,
                             wasm_func_callback_with_env_t cb_env, void *env,
                             void (*finalizer)(void *)) {
  if (!st || !type) return NULL;
  const wasm_valtype_vec_t *p = wasm_functype_params(type);
  const wasm_valtype_vec_t *r = wasm_functype_results(type);
  wrun_valtype *types = malloc((p->size + r->size + 1) * sizeof *types);
  capi_host *h = calloc(1, sizeof *h);
  wrun_func *f = NULL;
  if (types && h && types_of(p, types) && types_of(r, types + p->size)) {
    *h = (capi_host){st, cb, cb_env, env, finalizer};
    f = wrun_func_new(st->s, types, p->size, types + p->size, r->size,
                      host_trampoline, h, host_destroy);
    h = NULL; /* the store owns it now, even on failure */
  }
  free(h);
  free(types);
  return f ? (wasm_func_t *)capi_ref_for(st, CAPI_FUNC, f) : NULL;
}

wasm_func_t *wasm_func_new(wasm_store_t *st, const wasm_functype_t *type,
                           wasm_func_callback_t cb) {
  return func_new(st, type, cb, NULL, NULL, NULL);
}

wasm_func_t *wasm_func_new_with_env(wasm_store_t *st,
                                    const wasm_functype_t *type,
                                    wasm_func_callback_with_env_t cb,
                                    void *env, void (*finalizer)(void *)) {
  return func_new(st, type, NULL, cb, env, finalizer);
}

wasm_functype_t *wasm_func_type(const wasm_func_t *f) {
  return capi_functype_of_func(capi_of(f)->obj);
}
size_t wasm_func_param_arity(const wasm_func_t *f) {
  return wrun_func_param_count(capi_of(f)->obj);
}
size_t wasm_func_result_arity(const wasm_func_t *f) {
  return wrun_func_result_count(capi_of(f)->obj);
}

wasm_trap_t *wasm_func_call(const wasm_func_t *func, const wasm_val_vec_t *args,
                            wasm_val_vec_t *results) {
  capi_ref *fr = capi_of(func);
  wasm_store_t *st = fr->store;
  size_t nargs = args ? args->size : 0, nres = results ? results->size : 0;
  if (nargs != wrun_func_param_count(fr->obj))
    return capi_trap_wrap(st, wrun_trap_new("wrong number of arguments"));
  if (nres != wrun_func_result_count(fr->obj))
    return capi_trap_wrap(st, wrun_trap_new("wrong number of results"));
  wrun_val small[16];
  size_t n = nargs + nres;
  wrun_val *vals = n <= 16 ? small : calloc(n, sizeof *vals);
  if (!vals) return capi_trap_wrap(st, wrun_trap_new("out of memory"));
  wrun_trap *t = NULL;
  for (size_t i = 0; i < nargs && !t; i++)
    if (!capi_val_to_wrun(&args->data[i], &vals[i]))
      t = wrun_trap_new("argument of a kind wasm.h does not have");
  if (!t) t = wrun_func_call(st->s, fr->obj, vals, nargs, vals + nargs, nres);
  for (size_t i = 0; i < nres && !t; i++)
    if (!capi_val_from_wrun(st, &vals[nargs + i], &results->data[i]))
      t = wrun_trap_new("result type not supported by wasm.h");
  if (vals != small) free(vals);
  return t ? capi_trap_wrap(st, t) : NULL;
}
