/* Explicit bounds checks and small memory reservations
 * (wrun_config_bounds_checks, _memory_reservation, _memory_guard): every
 * access past the size traps without relying on the 8 GiB guard, growth
 * stops at the reservation, and modules and memories of differently
 * configured engines do not mix. The spec suites run in this mode too
 * (tests/spec: spec-bounds-checks, spec3-bounds-checks). Without
 * signals-based traps (wrun_config_signals_based_traps) the checks are
 * exact and traps need no handler: spec-no-signals, spec3-no-signals and
 * the cases at the end. */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "runtime.h"
#include "wasm_build.h"
#include "wrun.h"

/* (memory (export "mem") 1 20); load(a) = i32.load a; far(a) = i32.load
 * offset=0x20000 a (past a 64 KiB guard); grow(n) = memory.grow n. */
static wasm_buf memory_module(void) {
  wasm_buf b = {0}, s = {0};
  wb_header(&b);
  WB_SECTION_OF(&b, 1, 1, 0x60, 1, 0x7F, 1, 0x7F);
  WB_SECTION_OF(&b, 3, 3, 0, 0, 0);
  WB_SECTION_OF(&b, 5, 1, 0x01, 1, 20);
  wb_u32(&s, 4);
  wb_export(&s, "load", 0x00, 0);
  wb_export(&s, "far", 0x00, 1);
  wb_export(&s, "grow", 0x00, 2);
  wb_export(&s, "mem", 0x02, 0);
  wb_section(&b, 7, &s);
  wb_u32(&s, 3);
  WB_BODY(&s, 0x20, 0, 0x28, 0x02, 0x00);
  WB_BODY(&s, 0x20, 0, 0x28, 0x02, 0x80, 0x80, 0x08);
  WB_BODY(&s, 0x20, 0, 0x40, 0x00);
  wb_section(&b, 10, &s);
  return b;
}

typedef struct world {
  wrun_engine *engine;
  wrun_store *store;
  wrun_module *module;
  wrun_instance *inst;
} world;

static world open_world_signals(uint64_t reservation, uint64_t guard,
                                bool checks, bool signals) {
  world w = {0};
  wrun_config *c = wrun_config_new();
  wrun_config_bounds_checks(c, checks);
  wrun_config_memory_reservation(c, reservation);
  wrun_config_memory_guard(c, guard);
  wrun_config_signals_based_traps(c, signals);
  w.engine = wrun_engine_new_with_config(c);
  wrun_config_delete(c);
  w.store = wrun_store_new(w.engine);
  wasm_buf b = memory_module();
  w.module = wb_compile(w.engine, &b);
  w.inst = wb_instantiate(w.store, w.module, NULL, 0);
  return w;
}

static world open_world(uint64_t reservation, uint64_t guard, bool checks) {
  return open_world_signals(reservation, guard, checks, true);
}

static void close_world(world *w) {
  wrun_store_delete(w->store);
  wrun_module_delete(w->module);
  wrun_engine_delete(w->engine);
}

/* Calls export name(arg): the trap code (WRUN_TRAP_NONE when it returned,
 * its result in *out). */
static wrun_trap_code call(world *w, const char *name, int32_t arg,
                           int32_t *out) {
  wrun_extern e;
  cr_assert(wrun_instance_export(w->inst, name, &e));
  wrun_val a = wrun_val_i32(arg), r = {0};
  wrun_trap *t = wrun_func_call(w->store, e.of.func, &a, 1, &r, 1);
  wrun_trap_code code = t ? wrun_trap_code_of(t) : WRUN_TRAP_NONE;
  wrun_trap_delete(t);
  if (out) *out = r.of.i32;
  return code;
}

static void check_bounds(world *w) {
  int32_t v;
  wrun_extern mem;
  cr_assert(wrun_instance_export(w->inst, "mem", &mem));
  memcpy(wrun_memory_data(mem.of.memory) + 65532, "\1\2\3\4", 4);
  cr_assert_eq(call(w, "load", 65532, &v), WRUN_TRAP_NONE);
  cr_assert_eq(v, 0x04030201);
  /* The last 4 bytes straddle the end, then past it, then far past. */
  cr_assert_eq(call(w, "load", 65533, NULL), WRUN_TRAP_MEMORY_OOB);
  cr_assert_eq(call(w, "load", 65536, NULL), WRUN_TRAP_MEMORY_OOB);
  cr_assert_eq(call(w, "load", -4, NULL), WRUN_TRAP_MEMORY_OOB);
  /* An offset past the guard: checked with the offset added. */
  cr_assert_eq(call(w, "far", 0, NULL), WRUN_TRAP_MEMORY_OOB);
  cr_assert_eq(call(w, "grow", 2, &v), WRUN_TRAP_NONE);
  cr_assert_eq(v, 1);
  cr_assert_eq(call(w, "far", 0, &v), WRUN_TRAP_NONE);
  cr_assert_eq(call(w, "far", 65532, NULL), WRUN_TRAP_NONE);
  cr_assert_eq(call(w, "far", 65533, NULL), WRUN_TRAP_MEMORY_OOB);
  cr_assert_eq(call(w, "load", 3 * 65536 - 4, NULL), WRUN_TRAP_NONE);
  cr_assert_eq(call(w, "load", 3 * 65536 - 3, NULL), WRUN_TRAP_MEMORY_OOB);
}

Test(bounds_checks, every_access_is_checked_against_the_size) {
  world w = open_world(0, 65536, true);
  check_bounds(&w);
  close_world(&w);
}

Test(bounds_checks, a_small_reservation_bounds_growth_and_address_space) {
  world w = open_world(4 * 65536, 65536, false); /* checks: implied */
  wrun_extern mem;
  cr_assert(wrun_instance_export(w.inst, "mem", &mem));
  const rt_memory *m = (const rt_memory *)mem.of.memory;
  cr_assert_eq(m->reserved, 4 * 65536 + 65536, "reserved %zu", m->reserved);
  check_bounds(&w);
  int32_t v;
  cr_assert_eq(call(&w, "grow", 1, &v), WRUN_TRAP_NONE);
  cr_assert_eq(v, 3, "grown to 4 pages, the reservation");
  cr_assert_eq(call(&w, "grow", 1, &v), WRUN_TRAP_NONE);
  cr_assert_eq(v, -1, "no growth past the reservation");
  cr_assert_eq(call(&w, "load", 4 * 65536 - 4, NULL), WRUN_TRAP_NONE);
  cr_assert_eq(call(&w, "load", 4 * 65536, NULL), WRUN_TRAP_MEMORY_OOB);
  close_world(&w);
}

/* Thousands of memories fit where 8 GiB reservations would not. */
Test(bounds_checks, many_small_memories) {
  world w = open_world(65536, 65536, true);
  wrun_store_limits limits;
  wrun_store_get_limits(w.store, &limits);
  limits.memories = 20001; /* and the instance's */
  cr_assert_null(wrun_store_set_limits(w.store, &limits));
  for (int i = 0; i < 20000; i++)
    cr_assert_not_null(wrun_memory_new(w.store, 1, 1, true), "%d: %s", i,
                       wrun_last_error());
  close_world(&w);
}

Test(bounds_checks, differently_configured_engines_do_not_mix) {
  world checked = open_world(4 * 65536, 65536, true);
  /* A default engine's module in the checked engine's store. */
  wrun_engine *plain = wrun_engine_new();
  wasm_buf b = memory_module();
  wrun_module *m = wb_compile(plain, &b);
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(checked.store, m, NULL, 0, &inst, &err, &trap);
  cr_assert_null(inst);
  cr_assert_not_null(err);
  cr_assert(strstr(wrun_error_message(err), "memory configuration"), "%s",
            wrun_error_message(err));
  wrun_error_delete(err);
  wrun_module_delete(m);
  wrun_engine_delete(plain);
  close_world(&checked);
}

/* ---- without signals-based traps ----------------------------------------- */

static const int trap_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
#define NTRAP_SIGNALS (sizeof trap_signals / sizeof trap_signals[0])

/* The default actions: a trap that came by a signal ends the test's
 * process (criterion reports the crash). */
static void default_signal_actions(void) {
  for (size_t k = 0; k < NTRAP_SIGNALS; k++) signal(trap_signals[k], SIG_DFL);
}

static bool default_actions_kept(void) {
  for (size_t k = 0; k < NTRAP_SIGNALS; k++) {
    struct sigaction sa;
    if (sigaction(trap_signals[k], NULL, &sa) != 0 ||
        (sa.sa_flags & SA_SIGINFO) || sa.sa_handler != SIG_DFL)
      return false;
  }
  return true;
}

/* The checks implied, exact at the end of the memory even with no guard
 * configured (the default 64 KiB one catches nothing), and no handler
 * installed. */
Test(no_signals, exact_checks_and_no_handlers) {
  default_signal_actions();
  stack_t before, after; /* none, or a sanitizer's own */
  cr_assert_eq(sigaltstack(NULL, &before), 0);
  world w = open_world_signals(0, 0, false, false);
  cr_assert_not_null(w.inst, "%s", wrun_last_error());
  wrun_extern mem;
  cr_assert(wrun_instance_export(w.inst, "mem", &mem));
  const rt_memory *m = (const rt_memory *)mem.of.memory;
  cr_assert(m->checks, "bounds checks implied");
  cr_assert_eq(m->guard, 65536, "the smallest guard: %zu", (size_t)m->guard);
  check_bounds(&w);
  cr_assert(default_actions_kept(), "wrun installed a signal handler");
  cr_assert_eq(sigaltstack(NULL, &after), 0);
  cr_assert(after.ss_sp == before.ss_sp && after.ss_size == before.ss_size &&
                (after.ss_flags & SS_DISABLE) == (before.ss_flags & SS_DISABLE),
            "wrun installed a signal stack");
  close_world(&w);
}

/* Code compiled for one trap mode does not run in the other's stores, and
 * a serialized module keeps the mode it was compiled for. */
Test(no_signals, modules_of_the_other_mode_are_refused) {
  world quiet = open_world_signals(0, 0, false, false);
  world loud = open_world_signals(0, 65536, true, true);
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(loud.store, quiet.module, NULL, 0, &inst, &err, &trap);
  cr_assert_null(inst);
  cr_assert_not_null(err);
  cr_assert(strstr(wrun_error_message(err), "signals-based traps off"), "%s",
            wrun_error_message(err));
  wrun_error_delete(err);
  err = NULL;
  wrun_instance_new(quiet.store, loud.module, NULL, 0, &inst, &err, &trap);
  cr_assert_null(inst);
  cr_assert(err && strstr(wrun_error_message(err), "signals-based traps on"));
  wrun_error_delete(err);

  uint8_t *blob = NULL;
  size_t len = 0;
  cr_assert_null(wrun_module_serialize(quiet.module, &blob, &len));
  wrun_module *back = NULL;
  err = wrun_module_deserialize(loud.engine, blob, len, &back);
  cr_assert_null(back);
  cr_assert(err && strstr(wrun_error_message(err), "signals-based traps"),
            "%s", err ? wrun_error_message(err) : "accepted");
  wrun_error_delete(err);
  /* Its own engine loads it, and it runs exactly as compiled code. */
  cr_assert_null(wrun_module_deserialize(quiet.engine, blob, len, &back));
  wrun_bytes_free(blob);
  wrun_store *s = wrun_store_new(quiet.engine);
  world loaded = {quiet.engine, s, back, wb_instantiate(s, back, NULL, 0)};
  check_bounds(&loaded);
  wrun_store_delete(s);
  wrun_module_delete(back);
  close_world(&loud);
  close_world(&quiet);
}
