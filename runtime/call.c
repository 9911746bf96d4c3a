/* Entering wasm safely: trap recovery (a jump buffer per entry, entries
 * nest through host calls) and the stack limit that compiled prologues
 * check before every frame. */
#include "runtime.h"

#include "gc.h"

typedef void (*rt_array_call_fn)(void *ctx, void *caller_vmctx,
                                 uint64_t *values, const void *wasm_call);

/* The limit of the outermost active entry on this thread; nested entries
 * keep it, so wasm never gets more than the store's wasm_stack_bytes in
 * total. */
static __thread uintptr_t thread_stack_limit;
/* When the thread's stack could not give the store's limit: what was
 * asked and what was given (bytes), for the "call stack exhausted"
 * message; 0 when not capped. */
static __thread uint64_t thread_stack_wanted, thread_stack_given;

/* Room left below the limit for host functions called from wasm and for
 * the C code of libcalls. */
static size_t safety_margin(uintptr_t low, uintptr_t high) {
  size_t quarter = (high - low) / 4;
  size_t margin = 128 * 1024;
  return quarter < margin ? quarter : margin;
}

/* The lowest sp wasm may reach on this thread; 0 when the bounds are
 * unknown. */
static uintptr_t stack_floor(void) {
  uintptr_t low, high;
  rt_thread_stack_bounds(&low, &high);
  return high > low ? low + safety_margin(low, high) : 0;
}

size_t rt_usable_wasm_stack(void) {
  uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
  uintptr_t floor = stack_floor();
  if (!floor) return SIZE_MAX;
  return sp > floor ? sp - floor : 0;
}

static uintptr_t compute_stack_limit(const wrun_store *s) {
  uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
  uint64_t max = s->limits.wasm_stack_bytes;
  uintptr_t limit = sp > max ? sp - max : 0;
  uintptr_t floor = stack_floor();
  thread_stack_wanted = thread_stack_given = 0;
  if (limit < floor) {
    thread_stack_wanted = max;
    thread_stack_given = sp > floor ? sp - floor : 0;
    limit = floor;
  }
  return limit;
}

/* A capped limit is said where it matters, in the trap it caused. */
static void note_capped_stack(wrun_trap *t) {
  if (!thread_stack_wanted) return;
  rt_trap_set_message(t,
                      "call stack exhausted (the wasm stack limit of %llu "
                      "bytes was capped to the %llu bytes this thread's "
                      "stack has)",
                      (unsigned long long)thread_stack_wanted,
                      (unsigned long long)thread_stack_given);
}

static wrun_trap *enter_wasm(wrun_store *s, const rt_funcref *f,
                             uint64_t *values) {
  rt_entry entry;
  entry.prev = rt_current_entry();
  rt_gc_exit *exits = rt_gc_exit_top(); /* a trap skips their pops */
  if (!entry.prev) thread_stack_limit = compute_stack_limit(s);
  rt_store_apply_stack_limit(s, thread_stack_limit);

  if (sigsetjmp(entry.jmp, 0) == 0) {
    rt_set_current_entry(&entry);
    ((rt_array_call_fn)f->array_call)(f->ctx, f->ctx, values, f->wasm_call);
    rt_set_current_entry(entry.prev);
    return NULL;
  }
  rt_set_current_entry(entry.prev);
  rt_gc_exit_restore(exits);
  return rt_trap_take();
}

wrun_trap *rt_call(wrun_store *s, const rt_funcref *f, uint64_t *values) {
  if (!rt_trap_setup_thread(!(s && s->engine && s->engine->config.no_signals)))
    return wrun_trap_new("cannot install trap handling for this thread");
  if (!f->array_call) return wrun_trap_new("function has no entry trampoline");
  wrun_trap *t = enter_wasm(s, f, values);
  /* An interrupt poisons the stack limit, so it arrives as stack
   * exhaustion; consuming it restores the limits for the next call. */
  if (t && wrun_trap_code_of(t) == WRUN_TRAP_STACK_EXHAUSTED) {
    if (rt_store_take_interrupt(s)) {
      rt_trap_recode(t, WRUN_TRAP_INTERRUPT);
      rt_trap_forget_offset(t, 0);
    }
    else if (!rt_current_entry())
      note_capped_stack(t);
  }
  rt_trap_bind_instances(t, s);
  rt_fuel_after_trap(s, t);
  return t;
}
