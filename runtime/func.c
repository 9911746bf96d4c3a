/* Functions: values in the array layout, host functions, calling a funcref
 * from the host (wrun_func_call) and calling the host from wasm
 * (rt_host_call, reached through an exit trampoline). */
#include "runtime.h"

#include "gc.h"

#include <stdlib.h>
#include <string.h>

/* ---- values in the array layout ----------------------------------------- */

bool rt_val_to_slot(wrun_store *s, const wrun_val *v, void *slot) {
  uint64_t bits = 0;
  switch (v->type) {
  case WRUN_I32: bits = (uint32_t)v->of.i32; break;
  case WRUN_I64: bits = (uint64_t)v->of.i64; break;
  case WRUN_F32: bits = v->of.f32_bits; break;
  case WRUN_F64: bits = v->of.f64_bits; break;
  case WRUN_FUNCREF: bits = (uintptr_t)v->of.funcref; break;
  case WRUN_EXTERNREF: /* boxed inside wasm (gc.h) */
    if (v->of.externref) {
      void *box = rt_gc_box_host(s, v->of.externref);
      if (!box) return false;
      bits = (uintptr_t)box;
    }
    break;
  case WRUN_EXNREF: bits = (uintptr_t)v->of.exnref; break;
  case WRUN_ANYREF: bits = (uintptr_t)v->of.anyref; break;
  case WRUN_V128: memcpy(slot, v->of.v128, 16); return true;
  }
  memcpy(slot, &bits, 8);
  return true;
}

/* The i31 encoding of jit/codegen_gc.c: (value << 1) | 1. */
void *wrun_anyref_from_i31(int32_t value) {
  return (void *)(uintptr_t)(uint32_t)((uint32_t)value << 1 | 1u);
}

bool wrun_anyref_i31(const void *anyref, int32_t *value) {
  uintptr_t w = (uintptr_t)anyref;
  if (!(w & 1)) return false;
  if (value) *value = (int32_t)(uint32_t)w >> 1;
  return true;
}

void rt_slot_to_val(rt_valtype type, const void *slot, wrun_val *out) {
  uint64_t bits;
  memcpy(&bits, slot, 8);
  memset(out, 0, sizeof *out);
  out->type = rt_vt_api(type);
  switch (out->type) {
  case VT_I32: out->of.i32 = (int32_t)(uint32_t)bits; break;
  case VT_I64: out->of.i64 = (int64_t)bits; break;
  case VT_F32: out->of.f32_bits = (uint32_t)bits; break;
  case VT_F64: out->of.f64_bits = bits; break;
  case VT_FUNCREF: out->of.funcref = (wrun_func *)(uintptr_t)bits; break;
  case VT_EXTERNREF: out->of.externref = rt_gc_unbox_host(bits); break;
  case VT_EXNREF: out->of.exnref = (wrun_exn *)(uintptr_t)bits; break;
  case WRUN_ANYREF: out->of.anyref = (void *)(uintptr_t)bits; break;
  case VT_V128: memcpy(out->of.v128, slot, 16); break;
  }
}

/* Does v, a value the host gives, have type t (module-independent form)?
 * Beyond the API type: a null only where t is nullable, a funcref of t's
 * function type where t names one, nothing but null for a bottom type. */
bool rt_val_fits(const wrun_val *v, rt_valtype t) {
  if (v->type != rt_vt_api(t)) return false;
  if (!rt_is_reftype(t)) return true;
  const void *ref = v->type == WRUN_FUNCREF     ? (const void *)v->of.funcref
                    : v->type == WRUN_EXTERNREF ? v->of.externref
                    : v->type == WRUN_ANYREF    ? v->of.anyref
                                                : (const void *)v->of.exnref;
  if (!ref) return rt_vt_nullable(t);
  if (v->type == WRUN_ANYREF) return rt_gc_ref_fits((uintptr_t)ref, t);
  switch (rt_vt_heap_code(t)) {
  case HT_CANON:
    return ((const rt_funcref *)ref)->type_id == rt_vt_index(t);
  case HT_NOFUNC: case HT_NOEXTERN: case HT_NOEXN: case HT_NONE:
    return false;
  default:
    return true;
  }
}

static size_t slots_of(const rt_valtype *types, uint32_t n) {
  return rt_array_size(types, n) / RT_ARRAY_SLOT_SIZE;
}

size_t rt_array_slots(const rt_functype *t) {
  size_t p = slots_of(t->types, t->nparams);
  size_t r = slots_of(t->types + t->nparams, t->nresults);
  return p > r ? p : r;
}

/* Reads n values of the given types from the array layout. */
static void unmarshal(const rt_valtype *types, uint32_t n,
                      const uint64_t *values,
                      wrun_val *out) {
  const uint8_t *p = (const uint8_t *)values;
  for (uint32_t i = 0; i < n; i++) {
    rt_slot_to_val(types[i], p, &out[i]);
    p += rt_array_slot_size(types[i]);
  }
}

/* False when an externref cannot be boxed (the GC heap is full). No
 * collection runs in between: the boxes made so far are only here. */
/* unmarshal, and the objects among the values rooted as results (wrun.h). */
static void unmarshal_rooted(wrun_store *s, const rt_valtype *types,
                             uint32_t n, const uint64_t *values,
                             wrun_val *out) {
  unmarshal(types, n, values, out);
  for (uint32_t i = 0; i < n; i++) rt_gc_root_result(s, &out[i]);
}

static bool marshal(wrun_store *s, const wrun_val *vals, uint32_t n,
                    uint64_t *values) {
  uint8_t *p = (uint8_t *)values;
  bool ok = true;
  rt_gc_inhibit(s, true);
  for (uint32_t i = 0; i < n && ok; i++) {
    ok = rt_val_to_slot(s, &vals[i], p);
    p += rt_array_slot_size((rt_valtype)vals[i].type);
  }
  rt_gc_inhibit(s, false);
  return ok;
}

/* ---- host functions ---------------------------------------------------------- */

typedef struct rt_host_func {
  rt_funcref ref; /* first: the wrun_func* handle points here */
  rt_host_ctx ctx;
  rt_func_template *tmpl; /* what it was made from, holding a reference */
} rt_host_func;

static void host_func_destroy(void *obj) {
  rt_host_func *hf = obj;
  if (hf->ctx.finalizer) hf->ctx.finalizer(hf->ctx.env);
  if (hf->tmpl) rt_func_template_unref(hf->tmpl);
  free(hf);
}

wrun_func *rt_func_new_id(wrun_store *store, uint32_t id,
                          wrun_host_callback cb, void *env,
                          void (*finalizer)(void *env),
                          rt_func_template *tmpl) {
  rt_host_func *hf = calloc(1, sizeof *hf);
  if (!hf) return rt_fail("out of memory");
  /* Trampolines are only needed when wasm calls the function; a failure
   * to make them leaves it callable from the host only. */
  wrun_error *err = rt_trampolines_for(id, &hf->ref.array_call,
                                       &hf->ref.wasm_call);
  wrun_error_delete(err);
  hf->ctx.magic = RT_MAGIC_HOST;
  hf->ctx.type_id = id;
  hf->ctx.type = rt_type_by_id(id);
  hf->ctx.callback = cb;
  hf->ctx.env = env;
  hf->ctx.finalizer = finalizer;
  hf->ctx.store = store;
  hf->ref.type_id = id;
  hf->ref.func_index = UINT32_MAX;
  hf->ref.ctx = &hf->ctx;
  if (tmpl) {
    rt_func_template_ref(tmpl);
    hf->tmpl = tmpl;
  }
  if (!rt_store_own(store, hf, host_func_destroy))
    return rt_fail("out of memory");
  return (wrun_func *)&hf->ref;
}

wrun_func *wrun_func_new(wrun_store *store, const wrun_valtype *params,
                         size_t nparams, const wrun_valtype *results,
                         size_t nresults, wrun_host_callback cb, void *env,
                         void (*finalizer)(void *env)) {
  if (!store) return rt_fail("func: no store");
  if (!cb) return rt_fail("func: no callback");
  if (nparams > UINT32_MAX / 2 || nresults > UINT32_MAX / 2)
    return rt_fail("func: too many parameters or results");
  rt_valtype *types = malloc((nparams + nresults + 1) * sizeof *types);
  if (!types) return rt_fail("out of memory");
  for (size_t i = 0; i < nparams; i++) types[i] = (rt_valtype)params[i];
  for (size_t i = 0; i < nresults; i++)
    types[nparams + i] = (rt_valtype)results[i];
  rt_functype t = {.nparams = (uint32_t)nparams,
                   .nresults = (uint32_t)nresults, .types = types};
  uint32_t id = rt_engine_intern_type(&t);
  free(types);
  if (!id) return rt_fail("func: invalid or too many function types");
  return rt_func_new_id(store, id, cb, env, finalizer, NULL);
}

static const rt_functype *type_of(const wrun_func *f) {
  return rt_type_by_id(((const rt_funcref *)f)->type_id);
}

size_t wrun_func_param_count(const wrun_func *f) {
  const rt_functype *t = type_of(f);
  return t ? t->nparams : 0;
}

size_t wrun_func_result_count(const wrun_func *f) {
  const rt_functype *t = type_of(f);
  return t ? t->nresults : 0;
}

wrun_valtype wrun_func_param_type(const wrun_func *f, size_t i) {
  const rt_functype *t = type_of(f);
  return t && i < t->nparams ? rt_vt_api(rt_param(t, (uint32_t)i))
                             : WRUN_I32;
}

wrun_valtype wrun_func_result_type(const wrun_func *f, size_t i) {
  const rt_functype *t = type_of(f);
  return t && i < t->nresults ? rt_vt_api(rt_result(t, (uint32_t)i))
                              : WRUN_I32;
}

/* ---- calling from the host ------------------------------------------------- */

static wrun_trap *check_args(const wrun_store *store, const rt_functype *t,
                             const wrun_val *args,
                             size_t nargs, size_t nresults) {
  if (nargs != t->nparams)
    return rt_trap_code_newf(WRUN_TRAP_BAD_ARGUMENTS, "expected %u arguments, got %zu", t->nparams, nargs);
  for (uint32_t i = 0; i < t->nparams; i++) {
    if (!rt_val_fits(&args[i], rt_param(t, i)))
      return rt_trap_code_newf(WRUN_TRAP_BAD_ARGUMENTS, "argument %u has the wrong type", (unsigned)i);
    if (!rt_val_in_store(&args[i], store))
      return rt_trap_code_newf(WRUN_TRAP_BAD_ARGUMENTS, "argument %u is a funcref of another store",
                          (unsigned)i);
  }
  if (nresults != t->nresults)
    return rt_trap_code_newf(WRUN_TRAP_BAD_ARGUMENTS, "expected room for %u results, got %zu",
                         t->nresults, nresults);
  return NULL;
}

/* What a host function returned must have its declared types and hold no
 * funcref of another store (it would go on into this store's wasm,
 * tables or globals). */
static wrun_trap *check_host_results(const rt_host_ctx *h,
                                     const wrun_val *results) {
  const rt_functype *t = h->type;
  for (uint32_t i = 0; i < t->nresults; i++) {
    if (!rt_val_fits(&results[i], rt_result(t, i)))
      return wrun_trap_new("host function returned a wrong result type");
    if (!rt_val_in_store(&results[i], h->store))
      return wrun_trap_new("host function returned a funcref of another "
                           "store");
  }
  return NULL;
}

static wrun_trap *call_host_directly(wrun_store *store, const rt_host_ctx *h,
                                     const wrun_val *args, size_t nargs,
                                     wrun_val *results, size_t nresults) {
  wrun_caller caller = {NULL, store};
  const rt_functype *t = h->type;
  for (uint32_t i = 0; i < t->nresults; i++) {
    memset(&results[i], 0, sizeof results[i]);
    results[i].type = rt_vt_api(rt_result(t, i));
  }
  wrun_trap *trap = h->callback(h->env, &caller, args, nargs, results,
                                nresults);
  return trap ? trap : check_host_results(h, results);
}

wrun_trap *wrun_func_call(wrun_store *store, const wrun_func *func,
                          const wrun_val *args, size_t nargs,
                          wrun_val *results, size_t nresults) {
  const rt_funcref *f = (const rt_funcref *)func;
  if (!f)
    return rt_trap_code_newf(WRUN_TRAP_BAD_ARGUMENTS,
                             "call of a null function reference");
  if (rt_funcref_store(f) != store)
    return rt_trap_code_newf(WRUN_TRAP_BAD_ARGUMENTS,
                             "function belongs to another store");
  const rt_functype *t = rt_type_by_id(f->type_id);
  if (!t)
    return rt_trap_code_newf(WRUN_TRAP_BAD_ARGUMENTS,
                             "function of unknown type");
  wrun_trap *trap = check_args(store, t, args, nargs, nresults);
  if (trap) return trap;

  const rt_host_ctx *h = f->ctx;
  if (h->magic == RT_MAGIC_HOST)
    return call_host_directly(store, h, args, nargs, results, nresults);

  size_t nslots = rt_array_slots(t);
  uint64_t small[16];
  uint64_t *values = nslots <= 16 ? small : calloc(nslots, RT_ARRAY_SLOT_SIZE);
  if (!values) return wrun_trap_new("out of memory");
  if (!marshal(store, args, t->nparams, values))
    trap = rt_trap_new_code(WRUN_TRAP_GC_HEAP);
  else if (!(trap = rt_call(store, f, values)))
    unmarshal_rooted(store, t->types + t->nparams, t->nresults, values,
                     results);
  if (values != small) free(values);
  return trap;
}

/* ---- calling the host from wasm ---------------------------------------------- */

void rt_host_call(void *host_ctx, void *caller_vmctx, uint64_t *values,
                  const uintptr_t *frame) {
  const rt_host_ctx *h = host_ctx;
  const rt_functype *t = h->type;
  wrun_caller caller = {NULL, h->store};
  if (caller_vmctx && *(uint32_t *)caller_vmctx == RT_MAGIC_INSTANCE) {
    caller.instance = rt_instance_of_vmctx(caller_vmctx);
    caller.store = caller.instance->store;
  }
  /* The collector walks the wasm frames below from here (frame is the
   * exit trampoline's frame record), and the objects among the arguments
   * stay rooted while the host has them. */
  rt_gc_exit exit;
  rt_gc_exit_push(&exit, frame[0], frame[1]);
  size_t roots = caller.store->nhost_roots;

  size_t n = (size_t)t->nparams + t->nresults;
  wrun_val small[16];
  wrun_val *vals = n <= 16 ? small : calloc(n, sizeof *vals);
  if (!vals) {
    rt_gc_exit_pop(&exit);
    rt_trap_raise_object(wrun_trap_new("out of memory"));
  }
  wrun_val *args = vals, *results = vals + t->nparams;
  unmarshal_rooted(caller.store, t->types, t->nparams, values, args);
  for (uint32_t i = 0; i < t->nresults; i++) {
    memset(&results[i], 0, sizeof results[i]);
    results[i].type = rt_vt_api(rt_result(t, i));
  }

  wrun_trap *trap = h->callback(h->env, &caller, args, t->nparams, results,
                                t->nresults);
  if (!trap) trap = check_host_results(h, results);
  if (!trap && !marshal(caller.store, results, t->nresults, values))
    trap = rt_trap_new_code(WRUN_TRAP_GC_HEAP);
  if (vals != small) free(vals);
  wrun_gc_scope_end(caller.store, roots);
  rt_gc_exit_pop(&exit);
  /* A host function that throws (or passes on an exception of wasm it
   * called) throws into its wasm caller, from here. */
  wrun_exn *exn = wrun_trap_exception(trap);
  if (exn && exn->store == caller.store) {
    wrun_trap_delete(trap);
    rt_exn_throw(exn);
  }
  if (trap) rt_trap_raise_object(trap);
}

/* ---- what a host function sees of its caller --------------------------------- */

wrun_memory *wrun_caller_memory(wrun_caller *caller) {
  if (!caller || !caller->instance || caller->instance->m->nmemories == 0)
    return NULL;
  return (wrun_memory *)caller->instance->memories[0];
}

bool wrun_caller_export(wrun_caller *caller, const char *name,
                        wrun_extern *out) {
  if (!caller || !caller->instance) return false;
  return rt_instance_find_export(caller->instance, name, out);
}

wrun_store *wrun_caller_store(wrun_caller *caller) {
  return caller ? caller->store : NULL;
}
