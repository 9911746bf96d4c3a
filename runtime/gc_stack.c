/* The GC's roots in wasm frames: walking this thread's wasm frames with
 * the stack maps the compiler recorded at every call that may collect
 * (jit/codegen_stackmap.c).
 *
 * Wasm leaves for C at two kinds of places, and each records where it
 * left (an exit): a GC allocation libcall (the wasm frame's fp and the
 * return address into it), and a host call (through the exit trampoline,
 * whose frame record leads to the wasm caller). Exits nest through host
 * functions that call wasm again; from each exit the walk follows the
 * frame-pointer chain ([fp] the caller's fp, [fp + 8] the return address,
 * on x86-64 and AArch64 alike) while the return addresses are in compiled
 * functions, then goes on from the next older exit. A frame's references
 * are marked only if its instance is of the store being collected. */
#include "gc.h"

#include "jit.h"
#include "runtime.h"

static __thread rt_gc_exit *exit_top;

rt_gc_exit *rt_gc_exit_top(void) { return exit_top; }

void rt_gc_exit_restore(rt_gc_exit *top) { exit_top = top; }

void rt_gc_exit_push(rt_gc_exit *e, uintptr_t fp, uintptr_t pc) {
  e->fp = fp;
  e->pc = pc;
  e->prev = exit_top;
  exit_top = e;
}

void rt_gc_exit_pop(rt_gc_exit *e) { exit_top = e->prev; }

/* The store of the instance whose frame is at fp. */
static wrun_store *frame_store(uintptr_t fp) {
  void *vmctx = *(void **)(fp + JIT_FRAME_VMCTX_OFFSET);
  return rt_instance_of_vmctx(vmctx)->store;
}

/* Visits the frames from (fp, pc) on, pc a return address into the frame
 * at fp, while pc is in a compiled function. */
static void walk(wrun_store *s, uintptr_t fp, uintptr_t pc, rt_gc_visit visit,
                 void *ctx) {
  for (;;) {
    const rt_module *m = NULL;
    const jit_code *code = rt_code_at(pc, &m);
    if (!code || !m) return; /* a trampoline or C: this run of frames ends */
    uint32_t n = 0;
    const int32_t *slots = jit_code_stack_map_at(code, pc, &n);
    if (n && frame_store(fp) == s)
      for (uint32_t i = 0; i < n; i++)
        visit(ctx, (uintptr_t *)(fp + (intptr_t)slots[i]));
    pc = ((const uintptr_t *)fp)[1];
    fp = ((const uintptr_t *)fp)[0];
  }
}

void rt_gc_scan_stack(wrun_store *s, rt_gc_visit visit, void *ctx) {
  for (const rt_gc_exit *e = exit_top; e; e = e->prev)
    walk(s, e->fp, e->pc, visit, ctx);
}
