/* Traps and frames. A trap reference owns a wrun_trap; frames are plain
 * owned values copied out of it. */
#include "capi.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

wasm_trap_t *capi_trap_wrap(wasm_store_t *st, wrun_trap *t) {
  capi_ref *r = capi_ref_new(st, CAPI_TRAP, t);
  if (!r) wrun_trap_delete(t);
  return (wasm_trap_t *)r;
}

wrun_trap *capi_trap_take(wasm_trap_t *trap) {
  capi_ref *r = capi_of(trap);
  wrun_trap *t;
  if (r->refs == 1 && r->obj) { /* the last reference: hand over its trap */
    t = r->obj;
    r->obj = NULL;
  } else { /* the host keeps a copy: the runtime gets its own */
    t = wrun_trap_new(r->obj ? wrun_trap_message(r->obj) : "trap");
  }
  capi_ref_release(r);
  return t;
}

wasm_trap_t *wasm_trap_new(wasm_store_t *st, const wasm_message_t *message) {
  if (!st) return NULL;
  /* The message should end in a NUL, but need not: copy it to be sure. */
  size_t n = message ? message->size : 0;
  char *text = malloc(n + 1);
  if (!text) return NULL;
  if (n) memcpy(text, message->data, n);
  text[n] = 0;
  wrun_trap *t = wrun_trap_new(text);
  free(text);
  return capi_trap_wrap(st, t);
}

void wasm_trap_message(const wasm_trap_t *trap, wasm_message_t *out) {
  const capi_ref *r = capi_of(trap);
  const char *msg = r->obj ? wrun_trap_message(r->obj) : "";
  wasm_name_new_from_string_nt(out, msg);
}

/* ---- frames ---- */

/* A frame holds a reference to its instance (NULL when wrun cannot tell
 * it, see wrun_trap_frame_instance), so that wasm_frame_instance's
 * borrowed pointer lives as long as the frame, within its store's life. */
struct wasm_frame_t {
  uint32_t func_index;
  size_t func_offset, module_offset; /* SIZE_MAX: unknown */
  capi_ref *instance;
};

/* Frame i of t's backtrace, whose instances are st's. */
static wasm_frame_t *frame_new(wasm_store_t *st, const wrun_trap *t,
                               size_t i) {
  wasm_frame_t *f = malloc(sizeof *f);
  if (!f) return NULL;
  f->func_index = wrun_trap_frame_func(t, i);
  f->func_offset = wrun_trap_frame_func_offset(t, i);
  f->module_offset = wrun_trap_frame_module_offset(t, i);
  wrun_instance *inst = wrun_trap_frame_instance(t, i);
  f->instance = inst ? capi_ref_for(st, CAPI_INSTANCE, inst) : NULL;
  return f;
}

wasm_frame_t *wasm_frame_copy(const wasm_frame_t *f) {
  wasm_frame_t *c = f ? malloc(sizeof *c) : NULL;
  if (!c) return NULL;
  *c = *f;
  if (c->instance) capi_ref_retain(c->instance);
  return c;
}
void wasm_frame_delete(wasm_frame_t *f) {
  if (f && f->instance) capi_ref_release(f->instance);
  free(f);
}

struct wasm_instance_t *wasm_frame_instance(const wasm_frame_t *f) {
  return (struct wasm_instance_t *)f->instance;
}
uint32_t wasm_frame_func_index(const wasm_frame_t *f) { return f->func_index; }
/* SIZE_MAX when wrun cannot tell (see wrun_trap_frame_module_offset). */
size_t wasm_frame_func_offset(const wasm_frame_t *f) { return f->func_offset; }
size_t wasm_frame_module_offset(const wasm_frame_t *f) { return f->module_offset; }

wasm_frame_t *wasm_trap_origin(const wasm_trap_t *trap) {
  const capi_ref *r = capi_of(trap);
  const wrun_trap *t = r->obj;
  if (!t || wrun_trap_frame_count(t) == 0) return NULL;
  return frame_new(r->store, t, 0);
}

void wasm_trap_trace(const wasm_trap_t *trap, wasm_frame_vec_t *out) {
  const capi_ref *r = capi_of(trap);
  const wrun_trap *t = r->obj;
  size_t n = t ? wrun_trap_frame_count(t) : 0;
  wasm_frame_vec_new_uninitialized(out, n);
  for (size_t i = 0; i < out->size; i++)
    out->data[i] = frame_new(r->store, t, i);
}
