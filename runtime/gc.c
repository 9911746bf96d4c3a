/* The GC heap of a store. FIRST SLICE: objects are calloc'ed, listed, and
 * freed with the store; nothing is collected yet (the collector replaces
 * this file). */
#include "gc.h"

#include <stdlib.h>

#include "runtime.h"

typedef struct rt_gc_obj {
  struct rt_gc_obj *next;
  uint64_t align; /* keeps the object 16-aligned after the link */
} rt_gc_obj;

struct rt_gc_heap {
  rt_gc_obj *objects;
  uint64_t bytes;
};

rt_gc_heap *rt_gc_heap_new(void) { return calloc(1, sizeof(rt_gc_heap)); }

void rt_gc_heap_free(rt_gc_heap *h) {
  if (!h) return;
  rt_gc_obj *o = h->objects;
  while (o) {
    rt_gc_obj *next = o->next;
    free(o);
    o = next;
  }
  free(h);
}

void *rt_gc_alloc(wrun_store *s, const rt_gc_rtt *rtt, size_t bytes) {
  if (!s->gc && !(s->gc = rt_gc_heap_new())) return NULL;
  rt_gc_heap *h = s->gc;
  if (bytes > s->limits.gc_heap_bytes ||
      h->bytes > s->limits.gc_heap_bytes - bytes)
    return NULL;
  rt_gc_obj *o = calloc(1, sizeof *o + bytes);
  if (!o) return NULL;
  o->next = h->objects;
  h->objects = o;
  h->bytes += bytes;
  void *obj = o + 1;
  *(const rt_gc_rtt **)obj = rtt;
  return obj;
}

bool rt_gc_owns(const wrun_store *s, uintptr_t w) {
  for (rt_gc_obj *o = s->gc ? s->gc->objects : NULL; o; o = o->next)
    if ((uintptr_t)(o + 1) == w) return true;
  return false;
}

void *rt_gc_box_host(wrun_store *s, void *v) {
  void *box = rt_gc_alloc(s, rt_gc_host_rtt, RT_GC_HOST_SIZE);
  if (box) *(void **)((uint8_t *)box + RT_GC_HOST_VALUE) = v;
  return box;
}

void *rt_gc_unbox_host(uintptr_t w) {
  if (!w || (w & 1)) return (void *)w;
  const rt_gc_rtt *rtt = *(const rt_gc_rtt *const *)w;
  if (rtt->kind != RT_GC_HOST) return (void *)w;
  return *(void **)(w + RT_GC_HOST_VALUE);
}
