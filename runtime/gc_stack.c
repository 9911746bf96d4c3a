/* Stack roots of the GC: STUB until compiled code records stack maps (the
 * lead's gc_stack.c replaces this file). It finds no slot and says the
 * stack cannot be scanned, so the collector never runs while a wasm call
 * is active on the thread (rt_gc_alloc then only grows the heap). */
#include "gc.h"

void rt_gc_scan_stack(struct wrun_store *s, rt_gc_visit visit, void *ctx) {
  (void)s;
  (void)visit;
  (void)ctx;
}

bool rt_gc_stack_scannable(void) { return false; }
