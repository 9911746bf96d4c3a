/* Type representations: plain owned values, independent of stores. The
 * five extern types are one struct (capi.h), so the as_externtype views
 * are casts and copies copy whatever kind it is. */
#include "capi.h"

#include <stdlib.h>
#include <string.h>

/* ---- value types ---- */

wasm_valtype_t *wasm_valtype_new(wasm_valkind_t kind) {
  wasm_valtype_t *t = malloc(sizeof *t);
  if (t) t->kind = kind;
  return t;
}
wasm_valtype_t *wasm_valtype_copy(const wasm_valtype_t *t) {
  return t ? wasm_valtype_new(t->kind) : NULL;
}
void wasm_valtype_delete(wasm_valtype_t *t) { free(t); }
wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *t) { return t->kind; }

/* ---- extern types ---- */

static struct wasm_externtype_t *ext_new(wasm_externkind_t kind) {
  struct wasm_externtype_t *e = calloc(1, sizeof *e);
  if (e) e->kind = kind;
  return e;
}

wasm_externtype_t *wasm_externtype_copy(const wasm_externtype_t *src) {
  if (!src) return NULL;
  wasm_externtype_t *e = ext_new(src->kind);
  if (!e) return NULL;
  wasm_valtype_vec_copy(&e->params, &src->params);
  wasm_valtype_vec_copy(&e->results, &src->results);
  e->content = wasm_valtype_copy(src->content);
  e->mutability = src->mutability;
  e->limits = src->limits;
  return e;
}

void wasm_externtype_delete(wasm_externtype_t *e) {
  if (!e) return;
  wasm_valtype_vec_delete(&e->params);
  wasm_valtype_vec_delete(&e->results);
  wasm_valtype_delete(e->content);
  free(e);
}

wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t *e) {
  return e->kind;
}

/* Each specific type is the extern type seen through another name. */
#define CAPI_TYPE_VIEWS(name, KIND)                                            \
  wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *t) {              \
    return (wasm_##name##_t *)wasm_externtype_copy((const wasm_externtype_t *)t); \
  }                                                                            \
  void wasm_##name##_delete(wasm_##name##_t *t) {                              \
    wasm_externtype_delete((wasm_externtype_t *)t);                            \
  }                                                                            \
  wasm_externtype_t *wasm_##name##_as_externtype(wasm_##name##_t *t) {         \
    return (wasm_externtype_t *)t;                                             \
  }                                                                            \
  const wasm_externtype_t *wasm_##name##_as_externtype_const(                  \
      const wasm_##name##_t *t) {                                              \
    return (const wasm_externtype_t *)t;                                       \
  }                                                                            \
  wasm_##name##_t *wasm_externtype_as_##name(wasm_externtype_t *e) {           \
    return e && e->kind == KIND ? (wasm_##name##_t *)e : NULL;                 \
  }                                                                            \
  const wasm_##name##_t *wasm_externtype_as_##name##_const(                    \
      const wasm_externtype_t *e) {                                            \
    return e && e->kind == KIND ? (const wasm_##name##_t *)e : NULL;           \
  }

CAPI_TYPE_VIEWS(functype, WASM_EXTERN_FUNC)
CAPI_TYPE_VIEWS(globaltype, WASM_EXTERN_GLOBAL)
CAPI_TYPE_VIEWS(tabletype, WASM_EXTERN_TABLE)
CAPI_TYPE_VIEWS(memorytype, WASM_EXTERN_MEMORY)

#define EXT(t) ((struct wasm_externtype_t *)(t))
#define CEXT(t) ((const struct wasm_externtype_t *)(t))

/* The vectors pass to the type: the caller's are left empty. */
wasm_functype_t *wasm_functype_new(wasm_valtype_vec_t *params,
                                   wasm_valtype_vec_t *results) {
  wasm_externtype_t *e = ext_new(WASM_EXTERN_FUNC);
  if (!e) {
    wasm_valtype_vec_delete(params);
    wasm_valtype_vec_delete(results);
    return NULL;
  }
  e->params = *params;
  e->results = *results;
  wasm_valtype_vec_new_empty(params);
  wasm_valtype_vec_new_empty(results);
  return (wasm_functype_t *)e;
}
const wasm_valtype_vec_t *wasm_functype_params(const wasm_functype_t *t) {
  return &CEXT(t)->params;
}
const wasm_valtype_vec_t *wasm_functype_results(const wasm_functype_t *t) {
  return &CEXT(t)->results;
}

wasm_globaltype_t *wasm_globaltype_new(wasm_valtype_t *content,
                                       wasm_mutability_t mut) {
  wasm_externtype_t *e = ext_new(WASM_EXTERN_GLOBAL);
  if (!e) {
    wasm_valtype_delete(content);
    return NULL;
  }
  e->content = content;
  e->mutability = mut;
  return (wasm_globaltype_t *)e;
}
const wasm_valtype_t *wasm_globaltype_content(const wasm_globaltype_t *t) {
  return CEXT(t)->content;
}
wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t *t) {
  return CEXT(t)->mutability;
}

wasm_tabletype_t *wasm_tabletype_new(wasm_valtype_t *elem,
                                     const wasm_limits_t *limits) {
  wasm_externtype_t *e = ext_new(WASM_EXTERN_TABLE);
  if (!e) {
    wasm_valtype_delete(elem);
    return NULL;
  }
  e->content = elem;
  e->limits = *limits;
  return (wasm_tabletype_t *)e;
}
const wasm_valtype_t *wasm_tabletype_element(const wasm_tabletype_t *t) {
  return CEXT(t)->content;
}
const wasm_limits_t *wasm_tabletype_limits(const wasm_tabletype_t *t) {
  return &CEXT(t)->limits;
}

wasm_memorytype_t *wasm_memorytype_new(const wasm_limits_t *limits) {
  wasm_externtype_t *e = ext_new(WASM_EXTERN_MEMORY);
  if (e) e->limits = *limits;
  return (wasm_memorytype_t *)e;
}
const wasm_limits_t *wasm_memorytype_limits(const wasm_memorytype_t *t) {
  return &CEXT(t)->limits;
}

/* ---- from runtime types ---- */

static wasm_limits_t limits_of(uint64_t min, uint64_t max, bool has_max) {
  /* wasm.h limits are u32: larger ones (memory64, table64) saturate. */
  wasm_limits_t l = {min > UINT32_MAX ? UINT32_MAX : (uint32_t)min,
                     wasm_limits_max_default};
  if (has_max) l.max = max > UINT32_MAX ? UINT32_MAX : (uint32_t)max;
  return l;
}

static void valtypes_of(wasm_valtype_vec_t *out, size_t n,
                        const wrun_valtype *types) {
  wasm_valtype_vec_new_uninitialized(out, n);
  for (size_t i = 0; i < out->size; i++)
    out->data[i] = wasm_valtype_new(capi_kind_of(types[i]));
}

wasm_functype_t *capi_functype_of(size_t np, const wrun_valtype *p, size_t nr,
                                  const wrun_valtype *r) {
  wasm_valtype_vec_t params, results;
  valtypes_of(&params, np, p);
  valtypes_of(&results, nr, r);
  return wasm_functype_new(&params, &results);
}

wasm_functype_t *capi_functype_of_func(const wrun_func *f) {
  size_t np = wrun_func_param_count(f), nr = wrun_func_result_count(f);
  wrun_valtype *types = malloc((np + nr + 1) * sizeof *types);
  if (!types) return NULL;
  for (size_t i = 0; i < np; i++) types[i] = wrun_func_param_type(f, i);
  for (size_t i = 0; i < nr; i++) types[np + i] = wrun_func_result_type(f, i);
  wasm_functype_t *t = capi_functype_of(np, types, nr, types + np);
  free(types);
  return t;
}

wasm_globaltype_t *capi_globaltype_of(wrun_valtype t, bool mut) {
  return wasm_globaltype_new(wasm_valtype_new(capi_kind_of(t)),
                             mut ? WASM_VAR : WASM_CONST);
}

wasm_tabletype_t *capi_tabletype_of(wrun_valtype elem, uint64_t min,
                                    uint64_t max, bool has_max) {
  wasm_limits_t l = limits_of(min, max, has_max);
  return wasm_tabletype_new(wasm_valtype_new(capi_kind_of(elem)), &l);
}

wasm_memorytype_t *capi_memorytype_of(uint64_t min, uint64_t max,
                                      bool has_max) {
  wasm_limits_t l = limits_of(min, max, has_max);
  return wasm_memorytype_new(&l);
}

/* ---- import and export types ---- */

struct wasm_importtype_t {
  wasm_name_t module, name;
  wasm_externtype_t *type;
};
struct wasm_exporttype_t {
  wasm_name_t name;
  wasm_externtype_t *type;
};

wasm_importtype_t *wasm_importtype_new(wasm_name_t *module, wasm_name_t *name,
                                       wasm_externtype_t *type) {
  wasm_importtype_t *t = malloc(sizeof *t);
  if (!t) {
    wasm_name_delete(module);
    wasm_name_delete(name);
    wasm_externtype_delete(type);
    return NULL;
  }
  t->module = *module;
  t->name = *name;
  t->type = type;
  wasm_name_new_empty(module);
  wasm_name_new_empty(name);
  return t;
}
wasm_importtype_t *wasm_importtype_copy(const wasm_importtype_t *src) {
  wasm_name_t module, name;
  wasm_name_copy(&module, &src->module);
  wasm_name_copy(&name, &src->name);
  return wasm_importtype_new(&module, &name, wasm_externtype_copy(src->type));
}
void wasm_importtype_delete(wasm_importtype_t *t) {
  if (!t) return;
  wasm_name_delete(&t->module);
  wasm_name_delete(&t->name);
  wasm_externtype_delete(t->type);
  free(t);
}
const wasm_name_t *wasm_importtype_module(const wasm_importtype_t *t) {
  return &t->module;
}
const wasm_name_t *wasm_importtype_name(const wasm_importtype_t *t) {
  return &t->name;
}
const wasm_externtype_t *wasm_importtype_type(const wasm_importtype_t *t) {
  return t->type;
}

wasm_exporttype_t *wasm_exporttype_new(wasm_name_t *name,
                                       wasm_externtype_t *type) {
  wasm_exporttype_t *t = malloc(sizeof *t);
  if (!t) {
    wasm_name_delete(name);
    wasm_externtype_delete(type);
    return NULL;
  }
  t->name = *name;
  t->type = type;
  wasm_name_new_empty(name);
  return t;
}
wasm_exporttype_t *wasm_exporttype_copy(const wasm_exporttype_t *src) {
  wasm_name_t name;
  wasm_name_copy(&name, &src->name);
  return wasm_exporttype_new(&name, wasm_externtype_copy(src->type));
}
void wasm_exporttype_delete(wasm_exporttype_t *t) {
  if (!t) return;
  wasm_name_delete(&t->name);
  wasm_externtype_delete(t->type);
  free(t);
}
const wasm_name_t *wasm_exporttype_name(const wasm_exporttype_t *t) {
  return &t->name;
}
const wasm_externtype_t *wasm_exporttype_type(const wasm_exporttype_t *t) {
  return t->type;
}
