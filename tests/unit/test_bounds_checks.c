/* Explicit bounds checks and small memory reservations
 * (wrun_config_bounds_checks, _memory_reservation, _memory_guard): every
 * access past the size traps without relying on the 8 GiB guard, growth
 * stops at the reservation, and modules and memories of differently
 * configured engines do not mix. The spec suites run in this mode too
 * (tests/spec: spec-bounds-checks, spec3-bounds-checks). */
#include <criterion/criterion.h>
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

static world open_world(uint64_t reservation, uint64_t guard, bool checks) {
  world w = {0};
  wrun_config *c = wrun_config_new();
  wrun_config_bounds_checks(c, checks);
  wrun_config_memory_reservation(c, reservation);
  wrun_config_memory_guard(c, guard);
  w.engine = wrun_engine_new_with_config(c);
  wrun_config_delete(c);
  w.store = wrun_store_new(w.engine);
  wasm_buf b = memory_module();
  w.module = wb_compile(w.engine, &b);
  w.inst = wb_instantiate(w.store, w.module, NULL, 0);
  return w;
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
