/* Globals, tables, memories, externs and instances: wasm.h's views of the
 * runtime objects of wrun.h. */
#include "capi.h"

#include <stdlib.h>

/* ---- globals ---- */

wasm_global_t *wasm_global_new(wasm_store_t *st, const wasm_globaltype_t *type,
                               const wasm_val_t *val) {
  wrun_valtype t;
  wrun_val init;
  if (!st || !capi_wrun_type(wasm_globaltype_content(type)->kind, &t) ||
      val->kind != wasm_globaltype_content(type)->kind ||
      !capi_val_to_wrun(val, &init))
    return NULL;
  wrun_global *g = wrun_global_new(st->s, t,
                                   wasm_globaltype_mutability(type) == WASM_VAR,
                                   init);
  return g ? (wasm_global_t *)capi_ref_for(st, CAPI_GLOBAL, g) : NULL;
}

wasm_globaltype_t *wasm_global_type(const wasm_global_t *g) {
  wrun_valtype t;
  bool mut;
  wrun_global_type(capi_of(g)->obj, &t, &mut);
  return capi_globaltype_of(t, mut);
}

void wasm_global_get(const wasm_global_t *g, wasm_val_t *out) {
  wrun_val v;
  wrun_global_get(capi_of(g)->obj, &v);
  capi_val_from_wrun(capi_of(g)->store, &v, out);
}

void wasm_global_set(wasm_global_t *g, const wasm_val_t *val) {
  wrun_val v;
  if (capi_val_to_wrun(val, &v)) wrun_global_set(capi_of(g)->obj, v);
}

/* ---- tables ---- */

/* The runtime value of a table element given as a reference. */
static bool elem_val(wrun_valtype elem, wasm_ref_t *ref, wrun_val *out) {
  wasm_val_t v = {.kind = capi_kind_of(elem), .of = {.ref = ref}};
  return capi_val_to_wrun(&v, out);
}

wasm_table_t *wasm_table_new(wasm_store_t *st, const wasm_tabletype_t *type,
                             wasm_ref_t *init) {
  wrun_valtype elem;
  wrun_val v;
  const wasm_limits_t *l = wasm_tabletype_limits(type);
  if (!st || !capi_wrun_type(wasm_tabletype_element(type)->kind, &elem) ||
      !elem_val(elem, init, &v))
    return NULL;
  bool has_max = l->max != wasm_limits_max_default;
  wrun_table *t = wrun_table_new(st->s, elem, l->min, has_max ? l->max : 0,
                                 has_max, v);
  return t ? (wasm_table_t *)capi_ref_for(st, CAPI_TABLE, t) : NULL;
}

wasm_tabletype_t *wasm_table_type(const wasm_table_t *t) {
  wrun_valtype elem;
  uint64_t min, max;
  bool has_max;
  wrun_table_type(capi_of(t)->obj, &elem, &min, &max, &has_max);
  return capi_tabletype_of(elem, min, max, has_max);
}

wasm_ref_t *wasm_table_get(const wasm_table_t *t, wasm_table_size_t index) {
  wrun_val v;
  wasm_val_t out;
  if (!wrun_table_get(capi_of(t)->obj, index, &v) ||
      !capi_val_from_wrun(capi_of(t)->store, &v, &out))
    return NULL;
  return out.of.ref;
}

bool wasm_table_set(wasm_table_t *t, wasm_table_size_t index, wasm_ref_t *ref) {
  wrun_valtype elem;
  wrun_val v;
  wrun_table_type(capi_of(t)->obj, &elem, NULL, NULL, NULL);
  return elem_val(elem, ref, &v) && wrun_table_set(capi_of(t)->obj, index, v);
}

wasm_table_size_t wasm_table_size(const wasm_table_t *t) {
  return wrun_table_size(capi_of(t)->obj);
}

bool wasm_table_grow(wasm_table_t *t, wasm_table_size_t delta, wasm_ref_t *init) {
  wrun_valtype elem;
  wrun_val v;
  wrun_table_type(capi_of(t)->obj, &elem, NULL, NULL, NULL);
  return elem_val(elem, init, &v) &&
         wrun_table_grow(capi_of(t)->obj, delta, v) >= 0;
}

/* ---- memories ---- */

wasm_memory_t *wasm_memory_new(wasm_store_t *st, const wasm_memorytype_t *type) {
  const wasm_limits_t *l = wasm_memorytype_limits(type);
  bool has_max = l->max != wasm_limits_max_default;
  wrun_memory *m = st ? wrun_memory_new(st->s, l->min, has_max ? l->max : 0,
                                        has_max)
                      : NULL;
  return m ? (wasm_memory_t *)capi_ref_for(st, CAPI_MEMORY, m) : NULL;
}

wasm_memorytype_t *wasm_memory_type(const wasm_memory_t *mem) {
  uint64_t max;
  bool has_max;
  wrun_memory_max(capi_of(mem)->obj, &max, &has_max);
  return capi_memorytype_of(wrun_memory_pages64(capi_of(mem)->obj), max,
                            has_max);
}

byte_t *wasm_memory_data(wasm_memory_t *mem) {
  return (byte_t *)wrun_memory_data(capi_of(mem)->obj);
}
size_t wasm_memory_data_size(const wasm_memory_t *mem) {
  return (size_t)wrun_memory_size_bytes(capi_of(mem)->obj);
}
wasm_memory_pages_t wasm_memory_size(const wasm_memory_t *mem) {
  return wrun_memory_pages(capi_of(mem)->obj);
}
bool wasm_memory_grow(wasm_memory_t *mem, wasm_memory_pages_t delta) {
  return wrun_memory_grow(capi_of(mem)->obj, delta) >= 0;
}

/* ---- externs ---- */

wasm_externkind_t wasm_extern_kind(const wasm_extern_t *e) {
  return (wasm_externkind_t)capi_of(e)->kind;
}

wasm_externtype_t *wasm_extern_type(const wasm_extern_t *e) {
  switch (capi_of(e)->kind) {
  case CAPI_FUNC:
    return wasm_functype_as_externtype(capi_functype_of_func(capi_of(e)->obj));
  case CAPI_GLOBAL:
    return wasm_globaltype_as_externtype(wasm_global_type((const wasm_global_t *)e));
  case CAPI_TABLE:
    return wasm_tabletype_as_externtype(wasm_table_type((const wasm_table_t *)e));
  case CAPI_MEMORY:
    return wasm_memorytype_as_externtype(wasm_memory_type((const wasm_memory_t *)e));
  default:
    return NULL;
  }
}

#define CAPI_EXTERN_VIEWS(name, KIND)                                          \
  wasm_extern_t *wasm_##name##_as_extern(wasm_##name##_t *p) {                 \
    return (wasm_extern_t *)p;                                                 \
  }                                                                            \
  const wasm_extern_t *wasm_##name##_as_extern_const(const wasm_##name##_t *p) { \
    return (const wasm_extern_t *)p;                                           \
  }                                                                            \
  wasm_##name##_t *wasm_extern_as_##name(wasm_extern_t *e) {                   \
    return e && capi_of(e)->kind == KIND ? (wasm_##name##_t *)e : NULL;        \
  }                                                                            \
  const wasm_##name##_t *wasm_extern_as_##name##_const(const wasm_extern_t *e) { \
    return e && capi_of(e)->kind == KIND ? (const wasm_##name##_t *)e : NULL;  \
  }

CAPI_EXTERN_VIEWS(func, CAPI_FUNC)
CAPI_EXTERN_VIEWS(global, CAPI_GLOBAL)
CAPI_EXTERN_VIEWS(table, CAPI_TABLE)
CAPI_EXTERN_VIEWS(memory, CAPI_MEMORY)

/* ---- instances ---- */

static wrun_extern to_wrun_extern(const capi_ref *r) {
  wrun_extern e = {0};
  switch (r->kind) {
  case CAPI_FUNC: e.kind = WRUN_EXTERN_FUNC; e.of.func = r->obj; break;
  case CAPI_GLOBAL: e.kind = WRUN_EXTERN_GLOBAL; e.of.global = r->obj; break;
  case CAPI_TABLE: e.kind = WRUN_EXTERN_TABLE; e.of.table = r->obj; break;
  default: e.kind = WRUN_EXTERN_MEMORY; e.of.memory = r->obj; break;
  }
  return e;
}

static wasm_instance_t *fail(wasm_store_t *st, wasm_trap_t **trap,
                             wrun_trap *t) {
  if (trap) *trap = capi_trap_wrap(st, t);
  else wrun_trap_delete(t);
  return NULL;
}

wasm_instance_t *wasm_instance_new(wasm_store_t *st, const wasm_module_t *module,
                                   const wasm_extern_vec_t *imports,
                                   wasm_trap_t **trap) {
  if (trap) *trap = NULL;
  if (!st || !module) return NULL;
  const wrun_module *m = capi_of(module)->obj;
  size_t n = wrun_module_import_count(m);
  size_t given = imports ? imports->size : 0;
  if (given != n)
    return fail(st, trap, wrun_trap_new("wrong number of imports"));
  wrun_extern *ext = calloc(n + 1, sizeof *ext);
  if (!ext) return fail(st, trap, wrun_trap_new("out of memory"));
  for (size_t i = 0; i < n; i++) {
    wrun_externkind kind;
    wrun_module_import(m, i, NULL, NULL, &kind);
    if (kind == WRUN_EXTERN_TAG || !imports->data[i] ||
        capi_of(imports->data[i])->kind > CAPI_MEMORY) {
      free(ext);
      return fail(st, trap, wrun_trap_new(kind == WRUN_EXTERN_TAG
                                              ? "tag imports are not supported by wasm.h"
                                              : "an import is not an extern"));
    }
    ext[i] = to_wrun_extern(capi_of(imports->data[i]));
  }
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *t = NULL;
  wrun_instance_new(st->s, m, ext, n, &inst, &err, &t);
  free(ext);
  if (err) { /* a link error reaches the host as a trap's message */
    t = wrun_trap_new(wrun_error_message(err));
    wrun_error_delete(err);
  }
  if (t) return fail(st, trap, t);
  if (!inst) return fail(st, trap, wrun_trap_new("instantiation failed"));
  return (wasm_instance_t *)capi_ref_for(st, CAPI_INSTANCE, inst);
}

static capi_ref *extern_ref(wasm_store_t *st, const wrun_extern *e) {
  switch (e->kind) {
  case WRUN_EXTERN_FUNC: return capi_ref_for(st, CAPI_FUNC, e->of.func);
  case WRUN_EXTERN_GLOBAL: return capi_ref_for(st, CAPI_GLOBAL, e->of.global);
  case WRUN_EXTERN_TABLE: return capi_ref_for(st, CAPI_TABLE, e->of.table);
  case WRUN_EXTERN_MEMORY: return capi_ref_for(st, CAPI_MEMORY, e->of.memory);
  default: return NULL;
  }
}

void wasm_instance_exports(const wasm_instance_t *instance, wasm_extern_vec_t *out) {
  const capi_ref *ir = capi_of(instance);
  const wrun_instance *inst = ir->obj;
  size_t n = wrun_instance_export_count(inst), k = 0;
  wrun_extern *all = calloc(n + 1, sizeof *all);
  if (!all) {
    wasm_extern_vec_new_empty(out);
    return;
  }
  /* Tags have no wasm.h kind: left out, as in wasm_module_exports. */
  for (size_t i = 0; i < n; i++) {
    size_t len;
    const char *name = wrun_instance_export_name_n(inst, i, &len);
    if (wrun_instance_export_n(inst, name, len, &all[k]) &&
        all[k].kind != WRUN_EXTERN_TAG)
      k++;
  }
  wasm_extern_vec_new_uninitialized(out, k);
  for (size_t i = 0; i < out->size; i++)
    out->data[i] = (wasm_extern_t *)extern_ref(ir->store, &all[i]);
  free(all);
}
