/* Exception handling: tags, exception objects and the unwinder
 * (runtime/exception.c). Compiled code sees two things of it: the payload
 * of an exception object at RT_EXN_PAYLOAD (landing pads read it from
 * there) and the libcalls that throw. The design is in
 * docs/design-notes.md ("Exceptions").
 */
#ifndef RT_EXCEPTION_H
#define RT_EXCEPTION_H

#include <stdbool.h>
#include <stdint.h>
#include "module.h"
#include "wrun.h"

/* A tag: an identity (the object itself) and its payload types. A
 * module's own tags are made per instance; imports share the exporter's. */
struct wrun_tag {
  uint32_t type_id;          /* interned: params = payload, no results */
  const rt_functype *type;   /* owned by the engine's intern table */
  struct wrun_store *store;
};

/* An exception: owned by its store (freed with it), because an exnref
 * may be kept anywhere (tables, globals, host code) and there is no
 * collector yet. The payload is in the array layout (array_layout.h), 16
 * byte aligned so v128 values load directly. */
struct wrun_exn {
  const struct wrun_tag *tag;
  struct wrun_store *store;
  uint32_t payload_bytes;
  _Alignas(16) uint8_t payload[];
};

#define RT_EXN_PAYLOAD 32
_Static_assert(__builtin_offsetof(struct wrun_exn, payload) == RT_EXN_PAYLOAD,
               "landing pads load the payload at RT_EXN_PAYLOAD");

/* A new tag of the store whose payload is the params of interned type
 * type_id; NULL when out of memory. */
struct wrun_tag *rt_tag_new(struct wrun_store *s, uint32_t type_id);

/* An exception of tag with its payload (array layout, the tag's
 * params) copied in; NULL when out of memory or past the store's
 * exception_bytes limit. */
struct wrun_exn *rt_exn_new(struct wrun_store *s, const struct wrun_tag *tag,
                            const void *payload);

/* Throws exn from C code called by wasm (a libcall, rt_host_call): walks
 * the wasm frames from the caller of the C code up to the entry; resumes
 * at the landing pad of the first try that catches it, or unwinds to the
 * entry, which returns a WRUN_TRAP_EXCEPTION trap. */
__attribute__((noreturn)) void rt_exn_throw(struct wrun_exn *exn);

/* Libcalls (C ABI, first argument the thrower's vmctx). throw x: the
 * payload is at args (the caller's outgoing area, array layout).
 * throw_ref: exn is the exnref operand, NULL traps ("null exception
 * reference"). */
__attribute__((noreturn)) void rt_lib_throw(void *vmctx, uint32_t tag,
                                            const void *args);
__attribute__((noreturn)) void rt_lib_throw_ref(void *vmctx, void *exn);

#endif
