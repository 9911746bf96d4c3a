/* Fuel metering through the public API: the cost rule of wrun.h (1 per
 * instruction, block/loop/else/end free, a run charged before it runs),
 * traps when it runs out, refuelling from a host call, one counter for the
 * instances of a store, and nothing at all when fuel is off. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "wrun.h"

/* fuel.wasm, from wat2wasm; the cost of each export is given beside it.
 *
 * (module
 *   (import "host" "tick" (func $tick))
 *   (func $three (export "three") (result i32)          ;; 3
 *     i32.const 1 i32.const 2 i32.add)
 *   (func (export "call_three") (result i32)            ;; 1 + 3 + 2 = 6
 *     call $three i32.const 1 i32.add)
 *   (func (export "pick") (param i32) (result i32)      ;; 5 if x, else 3
 *     (if (result i32) (local.get 0)
 *       (then i32.const 10 i32.const 1 i32.add)
 *       (else i32.const 20)))
 *   (func (export "count") (param $n i32) (result i32)  ;; 8n + 4
 *     (block $done
 *       (loop $top
 *         (br_if $done (i32.eqz (local.get $n)))
 *         (local.set $n (i32.sub (local.get $n) (i32.const 1)))
 *         (br $top)))
 *     local.get $n)
 *   (func (export "spin") (loop (br 0)))                ;; 1 per iteration
 *   (func $fac (export "fac") (param i32) (result i32)  ;; 10(n-1) + 5
 *     (if (result i32) (i32.le_u (local.get 0) (i32.const 1))
 *       (then i32.const 1)
 *       (else (i32.mul (local.get 0)
 *                      (call $fac (i32.sub (local.get 0) (i32.const 1)))))))
 *   (func (export "divide") (param i32) (result i32)    ;; 3
 *     i32.const 10 local.get 0 i32.div_u)
 *   (func (export "ticks") (param $n i32) (result i32)  ;; 7n + 1
 *     (loop $top
 *       call $tick
 *       (local.set $n (i32.sub (local.get $n) (i32.const 1)))
 *       (br_if $top (local.get $n)))
 *     local.get $n))
 *
 * user.wasm: a second module calling the first one's "three" (imported
 * function calls cross instances without thunks):
 *
 * (module
 *   (import "fuel" "three" (func $three (result i32)))
 *   (func (export "twice") (result i32)                 ;; 2 * (1 + 3) + 1
 *     call $three call $three i32.add))
 */
static const unsigned char fuel_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0d, 0x03, 0x60,
  0x00, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x02,
  0x0d, 0x01, 0x04, 0x68, 0x6f, 0x73, 0x74, 0x04, 0x74, 0x69, 0x63, 0x6b,
  0x00, 0x00, 0x03, 0x09, 0x08, 0x01, 0x01, 0x02, 0x02, 0x00, 0x02, 0x02,
  0x02, 0x07, 0x43, 0x08, 0x05, 0x74, 0x68, 0x72, 0x65, 0x65, 0x00, 0x01,
  0x0a, 0x63, 0x61, 0x6c, 0x6c, 0x5f, 0x74, 0x68, 0x72, 0x65, 0x65, 0x00,
  0x02, 0x04, 0x70, 0x69, 0x63, 0x6b, 0x00, 0x03, 0x05, 0x63, 0x6f, 0x75,
  0x6e, 0x74, 0x00, 0x04, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x00, 0x05, 0x03,
  0x66, 0x61, 0x63, 0x00, 0x06, 0x06, 0x64, 0x69, 0x76, 0x69, 0x64, 0x65,
  0x00, 0x07, 0x05, 0x74, 0x69, 0x63, 0x6b, 0x73, 0x00, 0x08, 0x0a, 0x77,
  0x08, 0x07, 0x00, 0x41, 0x01, 0x41, 0x02, 0x6a, 0x0b, 0x07, 0x00, 0x10,
  0x01, 0x41, 0x01, 0x6a, 0x0b, 0x0f, 0x00, 0x20, 0x00, 0x04, 0x7f, 0x41,
  0x0a, 0x41, 0x01, 0x6a, 0x05, 0x41, 0x14, 0x0b, 0x0b, 0x18, 0x00, 0x02,
  0x40, 0x03, 0x40, 0x20, 0x00, 0x45, 0x0d, 0x01, 0x20, 0x00, 0x41, 0x01,
  0x6b, 0x21, 0x00, 0x0c, 0x00, 0x0b, 0x0b, 0x20, 0x00, 0x0b, 0x07, 0x00,
  0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b, 0x17, 0x00, 0x20, 0x00, 0x41, 0x01,
  0x4d, 0x04, 0x7f, 0x41, 0x01, 0x05, 0x20, 0x00, 0x20, 0x00, 0x41, 0x01,
  0x6b, 0x10, 0x06, 0x6c, 0x0b, 0x0b, 0x07, 0x00, 0x41, 0x0a, 0x20, 0x00,
  0x6e, 0x0b, 0x14, 0x00, 0x03, 0x40, 0x10, 0x00, 0x20, 0x00, 0x41, 0x01,
  0x6b, 0x21, 0x00, 0x20, 0x00, 0x0d, 0x00, 0x0b, 0x20, 0x00, 0x0b
};
static const unsigned char user_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60,
  0x00, 0x01, 0x7f, 0x02, 0x0e, 0x01, 0x04, 0x66, 0x75, 0x65, 0x6c, 0x05,
  0x74, 0x68, 0x72, 0x65, 0x65, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07,
  0x09, 0x01, 0x05, 0x74, 0x77, 0x69, 0x63, 0x65, 0x00, 0x01, 0x0a, 0x09,
  0x01, 0x07, 0x00, 0x10, 0x00, 0x10, 0x00, 0x6a, 0x0b
};

/* What the "tick" host function does: it records the fuel it sees and,
 * when asked, tops the store up whenever it runs low. */
typedef struct ticker {
  wrun_store *store;
  const wrun_func *reenter; /* called (no arguments, i32 result) if set */
  bool refuel;
  uint64_t low, top_up;
  int calls, refuels;
  uint64_t seen[64];
} ticker;

static wrun_trap *tick(void *env, wrun_caller *caller, const wrun_val *args,
                       size_t nargs, wrun_val *results, size_t nresults) {
  (void)args, (void)nargs, (void)results, (void)nresults;
  ticker *t = env;
  wrun_store *s = wrun_caller_store(caller);
  uint64_t fuel = 0;
  cr_assert(wrun_store_get_fuel(s, &fuel), "get_fuel in a host call");
  if (t->calls < 64) t->seen[t->calls] = fuel;
  t->calls++;
  if (t->refuel && fuel < t->low) {
    cr_assert(wrun_store_set_fuel(s, t->top_up));
    t->refuels++;
  }
  if (t->reenter) {
    wrun_val r[1];
    wrun_trap *trap = wrun_func_call(s, t->reenter, NULL, 0, r, 1);
    if (trap) return trap; /* e.g. out of fuel: on to the outer call */
  }
  return NULL;
}

typedef struct fixture {
  wrun_engine *engine;
  wrun_store *store;
  wrun_module *module;
  wrun_instance *inst;
  ticker ticker;
} fixture;

static wrun_engine *engine_with_fuel(bool on) {
  wrun_config *c = wrun_config_new();
  cr_assert_not_null(c);
  wrun_config_consume_fuel(c, on);
  wrun_engine *e = wrun_engine_new_with_config(c);
  wrun_config_delete(c);
  cr_assert_not_null(e);
  return e;
}

static wrun_module *compile(wrun_engine *e, const unsigned char *bytes,
                            size_t len) {
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(e, bytes, len, &m);
  cr_assert_null(err, "compile: %s", err ? wrun_error_message(err) : "");
  return m;
}

static wrun_instance *instantiate(fixture *fx, wrun_store *store) {
  wrun_extern imp = {WRUN_EXTERN_FUNC, {0}};
  imp.of.func = wrun_func_new(store, NULL, 0, NULL, 0, tick, &fx->ticker,
                              NULL);
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(store, fx->module, &imp, 1, &inst, &err, &trap);
  cr_assert_null(err, "instantiate: %s", err ? wrun_error_message(err) : "");
  cr_assert_null(trap);
  return inst;
}

static void setup(fixture *fx, bool fuel_on) {
  memset(fx, 0, sizeof *fx);
  fx->engine = engine_with_fuel(fuel_on);
  fx->store = wrun_store_new(fx->engine);
  cr_assert_not_null(fx->store);
  fx->ticker.store = fx->store;
  fx->module = compile(fx->engine, fuel_wasm, sizeof fuel_wasm);
  fx->inst = instantiate(fx, fx->store);
}

static void teardown(fixture *fx) {
  wrun_store_delete(fx->store);
  wrun_module_delete(fx->module);
  wrun_engine_delete(fx->engine);
}

/* Calls export name of inst with at most one i32 argument and result. */
static wrun_trap *call_in(wrun_store *store, wrun_instance *inst,
                          const char *name, int32_t arg, int32_t *result) {
  wrun_extern e;
  cr_assert(wrun_instance_export(inst, name, &e), "no export %s", name);
  wrun_val a[1] = {{.type = WRUN_I32, .of.i32 = arg}}, r[1];
  size_t nparams = wrun_func_param_count(e.of.func);
  size_t nres = wrun_func_result_count(e.of.func);
  wrun_trap *t = wrun_func_call(store, e.of.func, a, nparams, r, nres);
  if (!t && nres && result) *result = r[0].of.i32;
  return t;
}

static wrun_trap *call(fixture *fx, const char *name, int32_t arg,
                       int32_t *result) {
  return call_in(fx->store, fx->inst, name, arg, result);
}

static uint64_t fuel_of(wrun_store *s) {
  uint64_t fuel = 12345;
  cr_assert(wrun_store_get_fuel(s, &fuel), "fuel is on: get_fuel works");
  return fuel;
}

/* The fuel a call of name(arg) uses, the call being expected to succeed
 * with the given result. */
static uint64_t cost_of(fixture *fx, const char *name, int32_t arg,
                        int32_t expect) {
  cr_assert(wrun_store_set_fuel(fx->store, 1000000));
  int32_t r = -1;
  wrun_trap *t = call(fx, name, arg, &r);
  cr_assert_null(t, "%s: %s", name, t ? wrun_trap_message(t) : "");
  cr_assert_eq(r, expect, "%s(%d) = %d", name, arg, r);
  return 1000000 - fuel_of(fx->store);
}

static void expect_out_of_fuel(wrun_trap *t) {
  cr_assert_not_null(t, "expected to run out of fuel");
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_OUT_OF_FUEL, "trap: %s",
               wrun_trap_message(t));
  cr_assert_str_eq(wrun_trap_message(t), "all fuel consumed");
  wrun_trap_delete(t);
}

Test(fuel, straight_line_code_costs_one_per_instruction) {
  fixture fx;
  setup(&fx, true);
  cr_assert_eq(cost_of(&fx, "three", 0, 3), 3);
  cr_assert_eq(cost_of(&fx, "call_three", 0, 4), 6);
  teardown(&fx);
}

Test(fuel, branches_charge_only_the_path_taken) {
  fixture fx;
  setup(&fx, true);
  cr_assert_eq(cost_of(&fx, "pick", 1, 11), 5);
  cr_assert_eq(cost_of(&fx, "pick", 0, 20), 3);
  for (int32_t n = 0; n < 5; n++)
    cr_assert_eq(cost_of(&fx, "count", n, 0), 8 * (uint64_t)n + 4, "n=%d", n);
  cr_assert_eq(cost_of(&fx, "count", 100000, 0), 800004);
  teardown(&fx);
}

/* A run is charged before it runs: with one unit short, count traps (at
 * its last run), with exactly enough it ends on 0. */
Test(fuel, exactly_enough_fuel_is_enough) {
  fixture fx;
  setup(&fx, true);
  cr_assert(wrun_store_set_fuel(fx.store, 8 * 10 + 4));
  int32_t r = -1;
  cr_assert_null(call(&fx, "count", 10, &r));
  cr_assert_eq(fuel_of(fx.store), 0);
  cr_assert(wrun_store_set_fuel(fx.store, 8 * 10 + 3));
  expect_out_of_fuel(call(&fx, "count", 10, &r));
  cr_assert_eq(fuel_of(fx.store), 0, "an out-of-fuel trap leaves 0");
  teardown(&fx);
}

Test(fuel, a_loop_runs_out_and_the_store_stays_usable, .timeout = 20) {
  fixture fx;
  setup(&fx, true);
  cr_assert_eq(fuel_of(fx.store), 0, "a store starts with no fuel");
  expect_out_of_fuel(call(&fx, "three", 0, NULL));
  for (int round = 0; round < 3; round++) {
    cr_assert(wrun_store_set_fuel(fx.store, 1000000));
    expect_out_of_fuel(call(&fx, "spin", 0, NULL));
    cr_assert_eq(fuel_of(fx.store), 0);
    cr_assert_eq(cost_of(&fx, "three", 0, 3), 3, "usable after the trap");
  }
  teardown(&fx);
}

/* Direct calls pass the fuel in a register (codegen_fuel.c): recursion
 * must count as exactly, and run out at any depth. */
Test(fuel, recursion_counts_exactly_and_runs_out_deep) {
  fixture fx;
  setup(&fx, true);
  cr_assert_eq(cost_of(&fx, "fac", 1, 1), 5);
  cr_assert_eq(cost_of(&fx, "fac", 5, 120), 45);
  cr_assert_eq(cost_of(&fx, "fac", 12, 479001600), 115);
  for (uint64_t fuel = 0; fuel < 115; fuel += 7) {
    cr_assert(wrun_store_set_fuel(fx.store, fuel));
    expect_out_of_fuel(call(&fx, "fac", 12, NULL));
    cr_assert_eq(fuel_of(fx.store), 0);
  }
  cr_assert_eq(cost_of(&fx, "fac", 12, 479001600), 115, "usable after");
  teardown(&fx);
}

/* Inside a function the fuel left is in a register (codegen_fuel.c); a
 * trap of another kind must still leave the store charged for the run. */
Test(fuel, other_traps_keep_the_exact_count) {
  fixture fx;
  setup(&fx, true);
  cr_assert(wrun_store_set_fuel(fx.store, 100));
  int32_t r = -1;
  wrun_trap *t = call(&fx, "divide", 0, &r);
  cr_assert_not_null(t);
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_INT_DIV_ZERO);
  wrun_trap_delete(t);
  cr_assert_eq(fuel_of(fx.store), 97);
  cr_assert_eq(cost_of(&fx, "divide", 5, 2), 3);
  teardown(&fx);
}

static void *interrupt_soon(void *store) {
  struct timespec delay = {0, 20 * 1000 * 1000};
  nanosleep(&delay, NULL);
  wrun_store_interrupt(store);
  return NULL;
}

/* Interrupts still stop metered code, and the fuel spent is kept. */
Test(fuel, an_interrupted_loop_has_spent_fuel, .timeout = 20) {
  fixture fx;
  setup(&fx, true);
  uint64_t start = UINT64_MAX / 2;
  cr_assert(wrun_store_set_fuel(fx.store, start));
  pthread_t th;
  cr_assert_eq(pthread_create(&th, NULL, interrupt_soon, fx.store), 0);
  wrun_trap *t = call(&fx, "spin", 0, NULL);
  pthread_join(th, NULL);
  cr_assert_not_null(t);
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_INTERRUPT, "trap: %s",
               wrun_trap_message(t));
  wrun_trap_delete(t);
  uint64_t left = fuel_of(fx.store);
  cr_assert_lt(left, start, "the loop's charges were lost");
  cr_assert_gt(left, start - 100000000000ull);
  teardown(&fx);
}

Test(fuel, a_host_call_sees_and_refuels_the_store) {
  fixture fx;
  setup(&fx, true);
  fx.ticker.refuel = true;
  fx.ticker.low = 10;
  fx.ticker.top_up = 100;
  cr_assert(wrun_store_set_fuel(fx.store, 20));
  int32_t r = -1;
  wrun_trap *t = call(&fx, "ticks", 50, &r);
  cr_assert_null(t, "ticks: %s", t ? wrun_trap_message(t) : "");
  cr_assert_eq(r, 0);
  cr_assert_eq(fx.ticker.calls, 50);
  /* The same accounting by hand: each iteration charges the call (1),
   * the host may refuel, then the rest of the iteration (6); after the
   * loop, local.get (1). The host sees the fuel as of its call. */
  uint64_t fuel = 20;
  int refuels = 0;
  for (int k = 0; k < 50; k++) {
    fuel -= 1;
    cr_assert_eq(fx.ticker.seen[k], fuel, "call %d saw %lu, not %lu", k,
                 (unsigned long)fx.ticker.seen[k], (unsigned long)fuel);
    if (fuel < 10) {
      fuel = 100;
      refuels++;
    }
    fuel -= 6;
  }
  fuel -= 1;
  cr_assert_gt(refuels, 2, "the test must need refuelling");
  cr_assert_eq(fx.ticker.refuels, refuels);
  cr_assert_eq(fuel_of(fx.store), fuel);
  teardown(&fx);
}

/* A host function that calls back into wasm: the outer function stored
 * its fuel before the call and reloads it after, the inner call runs on
 * the same count in between. */
Test(fuel, wasm_called_from_a_host_call_spends_the_same_fuel) {
  fixture fx;
  setup(&fx, true);
  wrun_extern three;
  cr_assert(wrun_instance_export(fx.inst, "three", &three));
  fx.ticker.reenter = three.of.func;
  int32_t r = -1;
  cr_assert(wrun_store_set_fuel(fx.store, 1000));
  cr_assert_null(call(&fx, "ticks", 20, &r));
  cr_assert_eq(fuel_of(fx.store), 1000 - (7 * 20 + 1) - 3 * 20);
  /* Running out inside the inner call stops the outer one too. A round
   * costs 1 (the call) + 3 (inside) + 6: with 22, two rounds leave 2, the
   * third call leaves 1 and its inner "three" cannot pay 3. */
  fx.ticker.calls = 0;
  cr_assert(wrun_store_set_fuel(fx.store, 22));
  expect_out_of_fuel(call(&fx, "ticks", 20, &r));
  cr_assert_eq(fx.ticker.calls, 3);
  cr_assert_eq(fx.ticker.seen[2], 1, "the host saw %lu",
               (unsigned long)fx.ticker.seen[2]);
  cr_assert_eq(fuel_of(fx.store), 0);
  teardown(&fx);
}

Test(fuel, without_refuelling_a_host_loop_runs_out) {
  fixture fx;
  setup(&fx, true);
  cr_assert(wrun_store_set_fuel(fx.store, 20));
  expect_out_of_fuel(call(&fx, "ticks", 50, NULL));
  /* 20 pays two whole iterations and the third call (7 + 7 + 1 = 15);
   * the 6 after it cannot be paid with 5. */
  cr_assert_eq(fx.ticker.calls, 3);
  teardown(&fx);
}

/* Two instances (and a second module calling into the first) spend the
 * one counter of their store; another store's fuel is its own. */
Test(fuel, instances_of_a_store_share_its_fuel) {
  fixture fx;
  setup(&fx, true);
  wrun_instance *second = instantiate(&fx, fx.store);
  wrun_module *user = compile(fx.engine, user_wasm, sizeof user_wasm);
  wrun_extern three;
  cr_assert(wrun_instance_export(second, "three", &three));
  wrun_instance *caller = NULL;
  wrun_error *err = NULL;
  wrun_trap *t = NULL;
  wrun_instance_new(fx.store, user, &three, 1, &caller, &err, &t);
  cr_assert_null(err, "%s", err ? wrun_error_message(err) : "");
  cr_assert_null(t);

  wrun_store *other = wrun_store_new(fx.engine);
  wrun_instance *apart = instantiate(&fx, other);
  cr_assert(wrun_store_set_fuel(other, 50));

  cr_assert(wrun_store_set_fuel(fx.store, 100));
  int32_t r = -1;
  cr_assert_null(call_in(fx.store, fx.inst, "three", 0, &r));
  cr_assert_null(call_in(fx.store, second, "three", 0, &r));
  cr_assert_eq(fuel_of(fx.store), 94);
  cr_assert_null(call_in(fx.store, caller, "twice", 0, &r));
  cr_assert_eq(r, 6);
  cr_assert_eq(fuel_of(fx.store), 94 - 9);
  cr_assert_null(call_in(other, apart, "three", 0, &r));
  cr_assert_eq(fuel_of(other), 47);
  cr_assert_eq(fuel_of(fx.store), 85, "another store's calls cost nothing");

  /* Running dry in one instance is running dry for the store. */
  cr_assert(wrun_store_set_fuel(fx.store, 7));
  expect_out_of_fuel(call_in(fx.store, caller, "twice", 0, &r));
  cr_assert_eq(fuel_of(fx.store), 0);
  expect_out_of_fuel(call_in(fx.store, second, "three", 0, &r));

  wrun_store_delete(other);
  wrun_module_delete(user);
  teardown(&fx);
}

Test(fuel, off_by_default_and_then_never_traps, .timeout = 60) {
  fixture fx;
  setup(&fx, false);
  uint64_t fuel = 7;
  cr_assert_not(wrun_store_get_fuel(fx.store, &fuel));
  cr_assert_eq(fuel, 7, "get_fuel changed its out-parameter");
  cr_assert_not(wrun_store_set_fuel(fx.store, 10));
  int32_t r = -1;
  wrun_trap *t = call(&fx, "count", 50000000, &r);
  cr_assert_null(t, "fuel off: %s", t ? wrun_trap_message(t) : "");
  cr_assert_eq(r, 0);
  teardown(&fx);

  wrun_engine *plain = wrun_engine_new();
  wrun_store *s = wrun_store_new(plain);
  cr_assert_not(wrun_store_get_fuel(s, &fuel));
  wrun_store_delete(s);
  wrun_engine_delete(plain);
}

/* Code with charges in a store without fuel (or the reverse) would trap at
 * once or run unmetered: refused at instantiation. */
Test(fuel, modules_and_stores_must_agree) {
  wrun_engine *on = engine_with_fuel(true), *off = engine_with_fuel(false);
  wrun_module *metered = compile(on, user_wasm, sizeof user_wasm);
  wrun_module *plain = compile(off, user_wasm, sizeof user_wasm);
  cr_assert_gt(wrun_module_code_size(metered), wrun_module_code_size(plain),
               "charges take code");
  wrun_store *s_on = wrun_store_new(on), *s_off = wrun_store_new(off);
  wrun_func *f = wrun_func_new(s_off, NULL, 0,
                               (wrun_valtype[]){WRUN_I32}, 1, NULL, NULL,
                               NULL);
  wrun_extern imp = {WRUN_EXTERN_FUNC, {.func = f}};
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *t = NULL;
  wrun_instance_new(s_off, metered, &imp, 1, &inst, &err, &t);
  cr_assert_not_null(err, "metered code in a store without fuel");
  cr_assert(strstr(wrun_error_message(err), "fuel"), "%s",
            wrun_error_message(err));
  wrun_error_delete(err);
  err = NULL;
  wrun_instance_new(s_on, plain, &imp, 1, &inst, &err, &t);
  cr_assert_not_null(err, "unmetered code in a store with fuel");
  wrun_error_delete(err);
  wrun_store_delete(s_on);
  wrun_store_delete(s_off);
  wrun_module_delete(metered);
  wrun_module_delete(plain);
  wrun_engine_delete(on);
  wrun_engine_delete(off);
}

static void put_leb(unsigned char **p, uint32_t v) {
  do {
    unsigned char byte = v & 0x7f;
    v >>= 7;
    *(*p)++ = byte | (v ? 0x80 : 0);
  } while (v);
}

/* (module (func (export "long") (result i32) nop * n i32.const 7)): one
 * straight run of n + 1, longer than one charge may take
 * (JIT_FUEL_MAX_CHARGE is 4095), so the compiler splits it. */
static size_t long_run_module(unsigned char *out, uint32_t n) {
  static const unsigned char head[] = {
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,       /* magic */
      0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,             /* () -> i32 */
      0x03, 0x02, 0x01, 0x00,                               /* func 0 */
      0x07, 0x08, 0x01, 0x04, 'l', 'o', 'n', 'g', 0x00, 0x00};
  unsigned char *p = out;
  memcpy(p, head, sizeof head);
  p += sizeof head;
  uint32_t body = 1 + n + 3; /* no locals, the nops, i32.const 7, end */
  uint32_t body_leb = body < 128 ? 1 : body < 16384 ? 2 : 3;
  *p++ = 0x0a;
  put_leb(&p, 1 + body_leb + body);
  *p++ = 1;
  put_leb(&p, body);
  *p++ = 0; /* local declarations */
  memset(p, 0x01, n);
  p += n;
  *p++ = 0x41;
  *p++ = 7;
  *p++ = 0x0b;
  return (size_t)(p - out);
}

Test(fuel, a_long_run_is_split_but_costs_the_same) {
  static unsigned char bytes[20000];
  size_t len = long_run_module(bytes, 10000);
  wrun_engine *e = engine_with_fuel(true);
  wrun_module *m = compile(e, bytes, len);
  wrun_store *s = wrun_store_new(e);
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *t = NULL;
  wrun_instance_new(s, m, NULL, 0, &inst, &err, &t);
  cr_assert_null(err);
  cr_assert_null(t);
  int32_t r = -1;
  cr_assert(wrun_store_set_fuel(s, 10001));
  cr_assert_null(call_in(s, inst, "long", 0, &r));
  cr_assert_eq(r, 7);
  cr_assert_eq(fuel_of(s), 0);
  /* Short by one: the last part of the run cannot be paid. */
  cr_assert(wrun_store_set_fuel(s, 10000));
  expect_out_of_fuel(call_in(s, inst, "long", 0, &r));
  wrun_store_delete(s);
  wrun_module_delete(m);
  wrun_engine_delete(e);
}
