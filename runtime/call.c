/* Entering wasm safely: trap recovery (a jump buffer per entry, entries
 * nest through host calls) and the stack limit that compiled prologues
 * check before every frame. */
#include "runtime.h"

typedef void (*rt_array_call_fn)(void *ctx, void *caller_vmctx,
                                 uint64_t *values, const void *wasm_call);

/* The limit of the outermost active entry on this thread; nested entries
 * keep it, so wasm never gets more than max_wasm_stack in total. */
static __thread uintptr_t thread_stack_limit;

/* Room left below the limit for host functions called from wasm and for
 * the C code of libcalls. */
static size_t safety_margin(uintptr_t low, uintptr_t high) {
  size_t quarter = (high - low) / 4;
  size_t margin = 128 * 1024;
  return quarter < margin ? quarter : margin;
}

static uintptr_t compute_stack_limit(const wrun_store *s) {
  uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
  size_t max = s->max_wasm_stack ? s->max_wasm_stack
                                 : RT_DEFAULT_MAX_WASM_STACK;
  uintptr_t limit = sp > max ? sp - max : 0;
  uintptr_t low, high;
  rt_thread_stack_bounds(&low, &high);
  if (high > low) {
    uintptr_t floor = low + safety_margin(low, high);
    if (limit < floor) limit = floor;
  }
  return limit;
}

/* The limit goes into the vmctxs of the callee's own store (the one the
 * embedder passed may differ when funcrefs cross stores). */
static wrun_store *callee_store(wrun_store *s, const rt_funcref *f) {
  if (*(const uint32_t *)f->ctx == RT_MAGIC_INSTANCE)
    return rt_instance_of_vmctx(f->ctx)->store;
  return s;
}

static wrun_trap *enter_wasm(wrun_store *s, const rt_funcref *f,
                             uint64_t *values) {
  rt_entry entry;
  entry.prev = rt_current_entry();
  if (!entry.prev) thread_stack_limit = compute_stack_limit(s);
  rt_store_apply_stack_limit(s, thread_stack_limit);

  if (sigsetjmp(entry.jmp, 0) == 0) {
    rt_set_current_entry(&entry);
    ((rt_array_call_fn)f->array_call)(f->ctx, f->ctx, values, f->wasm_call);
    rt_set_current_entry(entry.prev);
    return NULL;
  }
  rt_set_current_entry(entry.prev);
  return rt_trap_take();
}

wrun_trap *rt_call(wrun_store *s, const rt_funcref *f, uint64_t *values) {
  if (!rt_trap_setup_thread())
    return wrun_trap_new("cannot install trap handling for this thread");
  if (!f->array_call) return wrun_trap_new("function has no entry trampoline");
  s = callee_store(s, f);
  wrun_trap *t = enter_wasm(s, f, values);
  /* An interrupt poisons the stack limit, so it arrives as stack
   * exhaustion; consuming it restores the limits for the next call. */
  if (t && wrun_trap_code_of(t) == WRUN_TRAP_STACK_EXHAUSTED &&
      rt_store_take_interrupt(s))
    rt_trap_recode(t, WRUN_TRAP_INTERRUPT);
  rt_fuel_after_trap(s, t);
  return t;
}
