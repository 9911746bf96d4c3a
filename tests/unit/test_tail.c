/* Tail calls to host functions through the public API (tail/host.wat,
 * built by wat2wasm into the file TAIL_HOST_WASM): a host function
 * tail-called returns its results to the tail caller's caller, directly
 * or through a table; the direct caller of a function that tail-called the
 * host has its own memory, globals and fuel count afterwards; an endless
 * loop of tail calls stops on wrun_store_interrupt. The loops
 * of a million tail calls, across instances too, are tests/cli/tail.sh. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wrun.h"

static unsigned char *read_wasm(size_t *len) {
  FILE *f = fopen(TAIL_HOST_WASM, "rb");
  cr_assert_not_null(f, "cannot open %s", TAIL_HOST_WASM);
  static unsigned char buf[4096];
  *len = fread(buf, 1, sizeof buf, f);
  cr_assert(feof(f), "%s is larger than the test expects", TAIL_HOST_WASM);
  fclose(f);
  return buf;
}

/* pair(a, b) = (b + a, a * 2, 1.5) */
static wrun_trap *pair(void *env, wrun_caller *caller, const wrun_val *args,
                       size_t nargs, wrun_val *results, size_t nresults) {
  (void)env, (void)caller;
  cr_assert_eq(nargs, 2);
  cr_assert_eq(nresults, 3);
  results[0] = (wrun_val){.type = WRUN_I64,
                          .of.i64 = args[1].of.i64 + args[0].of.i32};
  results[1] = (wrun_val){.type = WRUN_I32, .of.i32 = args[0].of.i32 * 2};
  double d = 1.5;
  results[2].type = WRUN_F64;
  memcpy(&results[2].of.f64_bits, &d, 8);
  return NULL;
}

#define REFUEL_TO 1000

/* refuel(x) = x + 1, and the store gets REFUEL_TO units of fuel */
static wrun_trap *refuel(void *env, wrun_caller *caller, const wrun_val *args,
                         size_t nargs, wrun_val *results, size_t nresults) {
  (void)env, (void)nargs, (void)nresults;
  wrun_store *s = wrun_caller_store(caller);
  uint64_t fuel = 0;
  if (wrun_store_get_fuel(s, &fuel))
    cr_assert(wrun_store_set_fuel(s, REFUEL_TO));
  results[0] = (wrun_val){.type = WRUN_I32, .of.i32 = args[0].of.i32 + 1};
  return NULL;
}

typedef struct fixture {
  wrun_engine *engine;
  wrun_store *store;
  wrun_module *module;
  wrun_instance *inst;
} fixture;

static void setup(fixture *fx, bool fuel) {
  memset(fx, 0, sizeof *fx);
  wrun_config *c = wrun_config_new();
  cr_assert_not_null(c);
  wrun_config_consume_fuel(c, fuel);
  fx->engine = wrun_engine_new_with_config(c);
  wrun_config_delete(c);
  cr_assert_not_null(fx->engine);
  fx->store = wrun_store_new(fx->engine);
  cr_assert_not_null(fx->store);
  size_t len = 0;
  const unsigned char *bytes = read_wasm(&len);
  wrun_error *err = wrun_module_new(fx->engine, bytes, len, &fx->module);
  cr_assert_null(err, "compile: %s", err ? wrun_error_message(err) : "");
  const wrun_valtype pair_params[] = {WRUN_I32, WRUN_I64};
  const wrun_valtype pair_results[] = {WRUN_I64, WRUN_I32, WRUN_F64};
  const wrun_valtype i32[] = {WRUN_I32};
  wrun_extern imports[2] = {{WRUN_EXTERN_FUNC, {0}}, {WRUN_EXTERN_FUNC, {0}}};
  imports[0].of.func = wrun_func_new(fx->store, pair_params, 2, pair_results,
                                     3, pair, NULL, NULL);
  imports[1].of.func =
      wrun_func_new(fx->store, i32, 1, i32, 1, refuel, NULL, NULL);
  wrun_trap *trap = NULL;
  wrun_instance_new(fx->store, fx->module, imports, 2, &fx->inst, &err, &trap);
  cr_assert_null(err, "instantiate: %s", err ? wrun_error_message(err) : "");
  cr_assert_null(trap);
}

static void teardown(fixture *fx) {
  wrun_store_delete(fx->store);
  wrun_module_delete(fx->module);
  wrun_engine_delete(fx->engine);
}

static wrun_trap *call(fixture *fx, const char *name, const wrun_val *args,
                       size_t nargs, wrun_val *results, size_t nresults) {
  wrun_extern e;
  cr_assert(wrun_instance_export(fx->inst, name, &e), "no export %s", name);
  return wrun_func_call(fx->store, e.of.func, args, nargs, results, nresults);
}

static void expect_pair(fixture *fx, const char *name, int32_t a,
                        int64_t sum) {
  wrun_val arg = {.type = WRUN_I32, .of.i32 = a}, r[3];
  wrun_trap *t = call(fx, name, &arg, 1, r, 3);
  cr_assert_null(t, "%s: %s", name, t ? wrun_trap_message(t) : "");
  cr_expect_eq(r[0].of.i64, sum, "%s: result 0", name);
  cr_expect_eq(r[1].of.i32, 2 * a, "%s: result 1", name);
  double d = 0;
  memcpy(&d, &r[2].of.f64_bits, 8);
  cr_expect_eq(d, 1.5, "%s: result 2", name);
}

Test(tail, host_results_come_back) {
  fixture fx;
  setup(&fx, false);
  expect_pair(&fx, "to_pair", 2, 42);
  expect_pair(&fx, "to_pair", -7, 33);
  expect_pair(&fx, "to_pair_indirect", 3, 53);
  teardown(&fx);
}

Test(tail, direct_caller_keeps_its_state) {
  fixture fx;
  setup(&fx, false);
  wrun_val arg = {.type = WRUN_I32, .of.i32 = 2}, r;
  wrun_trap *t = call(&fx, "after_pair", &arg, 1, &r, 1);
  cr_assert_null(t, "%s", t ? wrun_trap_message(t) : "");
  cr_expect_eq(r.of.i64, 42 + 77 + 5); /* to_pair(2).0 + memory + global */
  teardown(&fx);
}

/* The host sets the fuel: the direct caller of the function that
 * tail-called it charges its last run from that, not from a stale
 * register. */
Test(tail, fuel_set_by_a_tail_called_host) {
  fixture fx;
  setup(&fx, true);
  cr_assert(wrun_store_set_fuel(fx.store, 50));
  wrun_val r;
  wrun_trap *t = call(&fx, "fuel_after_host", NULL, 0, &r, 1);
  cr_assert_null(t, "%s", t ? wrun_trap_message(t) : "");
  cr_expect_eq(r.of.i32, 3);
  uint64_t left = 0;
  cr_assert(wrun_store_get_fuel(fx.store, &left));
  cr_expect_eq(left, REFUEL_TO - 2);
  /* and the host's results still come back metered */
  cr_assert(wrun_store_set_fuel(fx.store, 100));
  expect_pair(&fx, "to_pair", 2, 42);
  cr_assert(wrun_store_get_fuel(fx.store, &left));
  cr_expect_eq(left, 100 - 3); /* local.get, i64.const, return_call */
  teardown(&fx);
}

static void *interrupt_after_50ms(void *store) {
  struct timespec delay = {0, 50 * 1000 * 1000};
  nanosleep(&delay, NULL);
  wrun_store_interrupt(store);
  return NULL;
}

/* No loop header polls here: every callee's prologue checks the stack
 * limit the interrupt poisons. */
Test(tail, interrupt_stops_a_loop_of_tail_calls, .timeout = 20) {
  fixture fx;
  setup(&fx, false);
  for (int round = 0; round < 2; round++) {
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, interrupt_after_50ms, fx.store), 0);
    wrun_val arg = {.type = WRUN_I64, .of.i64 = 0}, r;
    wrun_trap *t = call(&fx, "spin", &arg, 1, &r, 1);
    pthread_join(th, NULL);
    cr_assert_not_null(t, "the loop was not interrupted");
    cr_expect_eq(wrun_trap_code_of(t), WRUN_TRAP_INTERRUPT, "trap: %s",
                 wrun_trap_message(t));
    cr_expect_gt(wrun_trap_frame_count(t), 0, "no backtrace");
    wrun_trap_delete(t);
    /* and the store runs wasm again */
    expect_pair(&fx, "to_pair", 2, 42);
  }
  teardown(&fx);
}
