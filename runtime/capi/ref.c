/* What every reference kind has (capi.h): copy, delete, same, host info,
 * the views as wasm_ref_t; foreign objects; and values. */
#include "capi.h"

#include <stdlib.h>
#include <string.h>

/* A replaced host info is dropped, so its finalizer runs then. */
static void set_host_info(capi_ref *r, void *info, void (*fin)(void *)) {
  void (*old)(void *) = r->finalizer;
  void *old_info = r->host_info;
  r->host_info = info;
  r->finalizer = fin;
  if (old) old(old_info);
}

#define CAPI_REF_BASE(name)                                                    \
  void wasm_##name##_delete(wasm_##name##_t *p) { capi_ref_release(capi_of(p)); } \
  wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *p) {              \
    if (p) capi_ref_retain(capi_of(p));                                        \
    return (wasm_##name##_t *)p;                                               \
  }                                                                            \
  bool wasm_##name##_same(const wasm_##name##_t *a, const wasm_##name##_t *b) { \
    return a == b;                                                             \
  }                                                                            \
  void *wasm_##name##_get_host_info(const wasm_##name##_t *p) {                \
    return capi_of(p)->host_info;                                              \
  }                                                                            \
  void wasm_##name##_set_host_info(wasm_##name##_t *p, void *info) {           \
    set_host_info(capi_of(p), info, NULL);                                     \
  }                                                                            \
  void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t *p,          \
                                                  void *info,                  \
                                                  void (*fin)(void *)) {       \
    set_host_info(capi_of(p), info, fin);                                      \
  }

/* is_kind(k) says whether a reference of kind k is a name. */
#define CAPI_REF(name, is_kind)                                                \
  CAPI_REF_BASE(name)                                                          \
  wasm_ref_t *wasm_##name##_as_ref(wasm_##name##_t *p) { return (wasm_ref_t *)p; } \
  const wasm_ref_t *wasm_##name##_as_ref_const(const wasm_##name##_t *p) {     \
    return (const wasm_ref_t *)p;                                              \
  }                                                                            \
  wasm_##name##_t *wasm_ref_as_##name(wasm_ref_t *r) {                         \
    return r && is_kind(capi_of(r)->kind) ? (wasm_##name##_t *)r : NULL;       \
  }                                                                            \
  const wasm_##name##_t *wasm_ref_as_##name##_const(const wasm_ref_t *r) {     \
    return r && is_kind(capi_of(r)->kind) ? (const wasm_##name##_t *)r : NULL; \
  }

#define IS(K) (k == (K))
static inline bool is_func(capi_kind k) { return IS(CAPI_FUNC); }
static inline bool is_global(capi_kind k) { return IS(CAPI_GLOBAL); }
static inline bool is_table(capi_kind k) { return IS(CAPI_TABLE); }
static inline bool is_memory(capi_kind k) { return IS(CAPI_MEMORY); }
static inline bool is_extern(capi_kind k) { return k <= CAPI_MEMORY; }
static inline bool is_instance(capi_kind k) { return IS(CAPI_INSTANCE); }
static inline bool is_module(capi_kind k) { return IS(CAPI_MODULE); }
static inline bool is_trap(capi_kind k) { return IS(CAPI_TRAP); }
static inline bool is_foreign(capi_kind k) { return IS(CAPI_FOREIGN); }

CAPI_REF_BASE(ref)
CAPI_REF(func, is_func)
CAPI_REF(global, is_global)
CAPI_REF(table, is_table)
CAPI_REF(memory, is_memory)
CAPI_REF(extern, is_extern)
CAPI_REF(instance, is_instance)
CAPI_REF(module, is_module)
CAPI_REF(trap, is_trap)
CAPI_REF(foreign, is_foreign)

wasm_foreign_t *wasm_foreign_new(wasm_store_t *st) {
  return st ? (wasm_foreign_t *)capi_ref_new(st, CAPI_FOREIGN, NULL) : NULL;
}

/* ---- values ---- */

void wasm_val_delete(wasm_val_t *v) {
  if (v && wasm_valkind_is_ref(v->kind) && v->of.ref) {
    wasm_ref_delete(v->of.ref);
    v->of.ref = NULL;
  }
}

void wasm_val_copy(wasm_val_t *out, const wasm_val_t *v) {
  *out = *v;
  if (wasm_valkind_is_ref(v->kind) && v->of.ref) wasm_ref_copy(v->of.ref);
}

wasm_valkind_t capi_kind_of(wrun_valtype t) {
  switch (t) {
  case WRUN_I32: return WASM_I32;
  case WRUN_I64: return WASM_I64;
  case WRUN_F32: return WASM_F32;
  case WRUN_F64: return WASM_F64;
  case WRUN_EXTERNREF: return WASM_ANYREF;
  case WRUN_FUNCREF: return WASM_FUNCREF;
  default: return (wasm_valkind_t)t; /* 0x69..0x7B: no enum value */
  }
}

bool capi_wrun_type(wasm_valkind_t k, wrun_valtype *out) {
  switch (k) {
  case WASM_I32: *out = WRUN_I32; return true;
  case WASM_I64: *out = WRUN_I64; return true;
  case WASM_F32: *out = WRUN_F32; return true;
  case WASM_F64: *out = WRUN_F64; return true;
  case WASM_ANYREF: *out = WRUN_EXTERNREF; return true;
  case WASM_FUNCREF: *out = WRUN_FUNCREF; return true;
  default: return false;
  }
}

bool capi_val_from_wrun(wasm_store_t *st, const wrun_val *in, wasm_val_t *out) {
  memset(out, 0, sizeof *out);
  out->kind = capi_kind_of(in->type);
  switch (in->type) {
  case WRUN_I32: out->of.i32 = in->of.i32; return true;
  case WRUN_I64: out->of.i64 = in->of.i64; return true;
  case WRUN_F32: memcpy(&out->of.f32, &in->of.f32_bits, 4); return true;
  case WRUN_F64: memcpy(&out->of.f64, &in->of.f64_bits, 8); return true;
  case WRUN_FUNCREF:
    /* NULL stays the null reference; a failed capi_ref_for reads as one. */
    if (in->of.funcref)
      out->of.ref = (wasm_ref_t *)capi_ref_for(st, CAPI_FUNC, in->of.funcref);
    return true;
  case WRUN_EXTERNREF:
    /* Every externref wasm holds came in through capi_val_to_wrun: a
     * pinned capi_ref. */
    if (in->of.externref) {
      capi_ref_retain(in->of.externref);
      out->of.ref = in->of.externref;
    }
    return true;
  default:
    return false;
  }
}

bool capi_val_to_wrun(const wasm_val_t *in, wrun_val *out) {
  memset(out, 0, sizeof *out);
  capi_ref *r = capi_of(in->of.ref);
  switch (in->kind) {
  case WASM_I32: out->type = WRUN_I32; out->of.i32 = in->of.i32; return true;
  case WASM_I64: out->type = WRUN_I64; out->of.i64 = in->of.i64; return true;
  case WASM_F32:
    out->type = WRUN_F32;
    memcpy(&out->of.f32_bits, &in->of.f32, 4);
    return true;
  case WASM_F64:
    out->type = WRUN_F64;
    memcpy(&out->of.f64_bits, &in->of.f64, 8);
    return true;
  case WASM_FUNCREF:
    out->type = WRUN_FUNCREF;
    if (!r) return true;
    if (r->kind != CAPI_FUNC) return false;
    out->of.funcref = r->obj;
    return true;
  case WASM_ANYREF:
    out->type = WRUN_EXTERNREF;
    if (r) {
      capi_ref_pin(r);
      out->of.externref = r;
    }
    return true;
  default:
    return false;
  }
}
