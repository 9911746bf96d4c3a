/* Modules: a wasm_module_t is a store's reference to a compiled
 * wrun_module (which itself belongs to no store); share/obtain hand the
 * same compiled code to other stores, on other threads. */
#include "capi.h"

#include "error.h"
#include "runtime.h"

#include <stdlib.h>

struct wasm_shared_module_t {
  wrun_module *m;
};

wasm_module_t *wasm_module_new(wasm_store_t *st, const wasm_byte_vec_t *binary) {
  if (!st || !binary) return NULL;
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(wrun_store_engine(st->s),
                                    (const uint8_t *)binary->data,
                                    binary->size, &m);
  if (err) { /* wasm.h has no error out-parameter: wrun_last_error() */
    return rt_fail_with(err); /* consumes err */
  }
  capi_ref *r = capi_ref_new(st, CAPI_MODULE, m);
  if (!r) wrun_module_delete(m);
  return (wasm_module_t *)r;
}

bool wasm_module_validate(wasm_store_t *st, const wasm_byte_vec_t *binary) {
  if (!st || !binary) return false;
  wrun_error *err = wrun_module_validate(wrun_store_engine(st->s),
                                         (const uint8_t *)binary->data,
                                         binary->size);
  wrun_error_delete(err);
  return err == NULL;
}

wasm_shared_module_t *wasm_module_share(const wasm_module_t *module) {
  wasm_shared_module_t *s = malloc(sizeof *s);
  if (!s) return NULL;
  s->m = capi_of(module)->obj;
  rt_module_retain(s->m);
  return s;
}

void wasm_shared_module_delete(wasm_shared_module_t *s) {
  if (!s) return;
  rt_module_release(s->m);
  free(s);
}

wasm_module_t *wasm_module_obtain(wasm_store_t *st,
                                  const wasm_shared_module_t *s) {
  if (!st || !s) return NULL;
  rt_module_retain(s->m);
  capi_ref *r = capi_ref_new(st, CAPI_MODULE, s->m);
  if (!r) rt_module_release(s->m);
  return (wasm_module_t *)r;
}

/* The bytes wrun_module_serialize makes, copied into a wasm.h vector (an
 * empty one when it fails: wasm.h has no error to give). */
void wasm_module_serialize(const wasm_module_t *module, wasm_byte_vec_t *out) {
  uint8_t *bytes = NULL;
  size_t len = 0;
  wrun_error *err = wrun_module_serialize(capi_of(module)->obj, &bytes, &len);
  if (err) {
    wrun_error_delete(err);
    wasm_byte_vec_new_empty(out);
    return;
  }
  wasm_byte_vec_new(out, len, (const wasm_byte_t *)bytes);
  wrun_bytes_free(bytes);
}

wasm_module_t *wasm_module_deserialize(wasm_store_t *st,
                                       const wasm_byte_vec_t *bytes) {
  if (!st || !bytes) return NULL;
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_deserialize(wrun_store_engine(st->s),
                                            (const uint8_t *)bytes->data,
                                            bytes->size, &m);
  if (err) {
    wrun_error_delete(err);
    return NULL;
  }
  capi_ref *r = capi_ref_new(st, CAPI_MODULE, m);
  if (!r) wrun_module_delete(m);
  return (wasm_module_t *)r;
}

/* ---- import and export types, from the module's own tables ---- */

static wasm_functype_t *functype_of(const rt_module *m, uint32_t type_index) {
  const rt_functype *t = &m->types[type_index];
  wrun_valtype *types = malloc((t->nparams + t->nresults + 1) * sizeof *types);
  if (!types) return NULL;
  for (uint32_t i = 0; i < t->nparams + t->nresults; i++)
    types[i] = rt_vt_api(t->types[i]);
  wasm_functype_t *ft = capi_functype_of(t->nparams, types, t->nresults,
                                         types + t->nparams);
  free(types);
  return ft;
}

/* NULL for a tag (wasm.h has no tag kind). */
static wasm_externtype_t *externtype_of(const rt_module *m, uint8_t kind,
                                        uint32_t func_type, rt_tabletype table,
                                        rt_limits memory, rt_globaltype global) {
  switch (kind) {
  case WRUN_EXTERN_FUNC:
    return wasm_functype_as_externtype(functype_of(m, func_type));
  case WRUN_EXTERN_TABLE:
    return wasm_tabletype_as_externtype(capi_tabletype_of(
        rt_vt_api(table.elem), table.limits.min, table.limits.max,
        table.limits.has_max));
  case WRUN_EXTERN_MEMORY:
    return wasm_memorytype_as_externtype(
        capi_memorytype_of(memory.min, memory.max, memory.has_max));
  case WRUN_EXTERN_GLOBAL:
    return wasm_globaltype_as_externtype(
        capi_globaltype_of(rt_vt_api(global.type), global.mut));
  default:
    return NULL;
  }
}

static size_t count_non_tags_imports(const rt_module *m) {
  size_t n = 0;
  for (uint32_t i = 0; i < m->nimports; i++)
    n += m->imports[i].kind != WRUN_EXTERN_TAG;
  return n;
}

void wasm_module_imports(const wasm_module_t *module, wasm_importtype_vec_t *out) {
  const rt_module *m = ((const wrun_module *)capi_of(module)->obj)->m;
  wasm_importtype_vec_new_uninitialized(out, count_non_tags_imports(m));
  size_t k = 0;
  for (uint32_t i = 0; i < m->nimports && k < out->size; i++) {
    const rt_import *imp = &m->imports[i];
    rt_tabletype tt = {0};
    rt_limits ml = {0};
    rt_globaltype gt = {0};
    if (imp->kind == WRUN_EXTERN_TABLE) tt = imp->desc.table;
    if (imp->kind == WRUN_EXTERN_MEMORY) ml = imp->desc.memory;
    if (imp->kind == WRUN_EXTERN_GLOBAL) gt = imp->desc.global;
    wasm_externtype_t *type =
        externtype_of(m, imp->kind, imp->desc.type_index, tt, ml, gt);
    if (!type) continue;
    wasm_name_t mod, name;
    wasm_name_new(&mod, imp->module_len, imp->module);
    wasm_name_new(&name, imp->name_len, imp->name);
    out->data[k++] = wasm_importtype_new(&mod, &name, type);
  }
}

void wasm_module_exports(const wasm_module_t *module, wasm_exporttype_vec_t *out) {
  const rt_module *m = ((const wrun_module *)capi_of(module)->obj)->m;
  size_t n = 0;
  for (uint32_t i = 0; i < m->nexports; i++)
    n += m->exports[i].kind != WRUN_EXTERN_TAG;
  wasm_exporttype_vec_new_uninitialized(out, n);
  size_t k = 0;
  for (uint32_t i = 0; i < m->nexports && k < out->size; i++) {
    const rt_export *e = &m->exports[i];
    rt_tabletype tt = {0};
    rt_limits ml = {0};
    rt_globaltype gt = {0};
    uint32_t ft = 0;
    if (e->kind == WRUN_EXTERN_FUNC) ft = m->funcs[e->index].type_index;
    if (e->kind == WRUN_EXTERN_TABLE) tt = m->tables[e->index];
    if (e->kind == WRUN_EXTERN_MEMORY) ml = m->memories[e->index];
    if (e->kind == WRUN_EXTERN_GLOBAL) gt = m->globals[e->index].type;
    wasm_externtype_t *type = externtype_of(m, e->kind, ft, tt, ml, gt);
    if (!type) continue;
    wasm_name_t name;
    wasm_name_new(&name, e->name_len, e->name);
    out->data[k++] = wasm_exporttype_new(&name, type);
  }
}
