/* Vectors of wasm.h: a size and an owned array. Vectors of pointers own
 * the pointed-to objects too, so copying copies them (wasm_X_copy) and
 * deleting deletes them. */
#include "capi.h"

#include <stdlib.h>
#include <string.h>

/* Arrays are zeroed so that a vector made uninitialized and filled only
 * in part can still be deleted. */
#define CAPI_VEC_COMMON(name, elem_t)                                          \
  void wasm_##name##_vec_new_empty(wasm_##name##_vec_t *out) {                 \
    out->size = 0;                                                             \
    out->data = NULL;                                                          \
  }                                                                            \
  void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t *out,           \
                                           size_t size) {                      \
    out->data = size ? calloc(size, sizeof(elem_t)) : NULL;                    \
    out->size = out->data ? size : 0;                                          \
  }                                                                            \
  void wasm_##name##_vec_new(wasm_##name##_vec_t *out, size_t size,            \
                             elem_t const data[]) {                            \
    wasm_##name##_vec_new_uninitialized(out, size);                            \
    if (out->size) memcpy(out->data, data, size * sizeof(elem_t));             \
  }

/* Vectors of plain values (bytes): copies are bytewise. */
CAPI_VEC_COMMON(byte, wasm_byte_t)
void wasm_byte_vec_copy(wasm_byte_vec_t *out, const wasm_byte_vec_t *v) {
  wasm_byte_vec_new(out, v->size, v->data);
}
void wasm_byte_vec_delete(wasm_byte_vec_t *v) {
  if (!v) return;
  free(v->data);
  v->data = NULL;
  v->size = 0;
}

/* Values: references among them are owned. */
CAPI_VEC_COMMON(val, wasm_val_t)
void wasm_val_vec_copy(wasm_val_vec_t *out, const wasm_val_vec_t *v) {
  wasm_val_vec_new_uninitialized(out, v->size);
  for (size_t i = 0; i < out->size; i++) wasm_val_copy(&out->data[i], &v->data[i]);
}
void wasm_val_vec_delete(wasm_val_vec_t *v) {
  if (!v) return;
  for (size_t i = 0; i < v->size; i++) wasm_val_delete(&v->data[i]);
  free(v->data);
  v->data = NULL;
  v->size = 0;
}

#define CAPI_PTR_VEC(name)                                                     \
  CAPI_VEC_COMMON(name, wasm_##name##_t *)                                     \
  void wasm_##name##_vec_copy(wasm_##name##_vec_t *out,                        \
                              const wasm_##name##_vec_t *v) {                  \
    wasm_##name##_vec_new_uninitialized(out, v->size);                         \
    for (size_t i = 0; i < out->size; i++)                                     \
      out->data[i] = v->data[i] ? wasm_##name##_copy(v->data[i]) : NULL;       \
  }                                                                            \
  void wasm_##name##_vec_delete(wasm_##name##_vec_t *v) {                      \
    if (!v) return;                                                            \
    for (size_t i = 0; i < v->size; i++)                                       \
      if (v->data[i]) wasm_##name##_delete(v->data[i]);                        \
    free(v->data);                                                             \
    v->data = NULL;                                                            \
    v->size = 0;                                                               \
  }

CAPI_PTR_VEC(valtype)
CAPI_PTR_VEC(functype)
CAPI_PTR_VEC(globaltype)
CAPI_PTR_VEC(tabletype)
CAPI_PTR_VEC(memorytype)
CAPI_PTR_VEC(externtype)
CAPI_PTR_VEC(importtype)
CAPI_PTR_VEC(exporttype)
CAPI_PTR_VEC(frame)
CAPI_PTR_VEC(extern)
