/* Unit tests of the runtime API (libwrun): engine and store lifecycle, host
 * objects, type interning, linking, and (with the reader and compiler)
 * instantiating and calling small modules, traps and host imports. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "runtime.h"
#include "wrun.h"

/* api.wasm, from (wat2wasm --debug-names):
 *
 * (module $api
 *   (import "host" "add3" (func $add3 (param i32) (result i32)))
 *   (import "host" "fail" (func $fail))
 *   (memory (export "mem") 1 3)
 *   (data (i32.const 16) "hi")
 *   (global $g (export "g") (mut i32) (i32.const 7))
 *   (func (export "add") (param i32 i32) (result i32)
 *     local.get 0 local.get 1 i32.add)
 *   (func $boom (export "boom") unreachable)
 *   (func (export "div") (param i32 i32) (result i32)
 *     local.get 0 local.get 1 i32.div_s)
 *   (func (export "call_host") (param i32) (result i32)
 *     local.get 0 call $add3 i32.const 1 i32.add)
 *   (func (export "call_fail") call $fail)
 *   (func $rec (export "recurse") (param i32) (result i32)
 *     local.get 0 i32.const 1 i32.add call $rec)
 *   (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
 *   (func (export "size") (result i32) memory.size)
 *   (func (export "load") (param i32) (result i32) local.get 0 i32.load8_u)
 *   (func (export "get_g") (result i32) global.get $g)
 *   (func (export "fill") (param i32 i32 i32)
 *     local.get 0 local.get 1 local.get 2 memory.fill))
 *
 * trapstart.wasm: an imported memory written by a first data segment, then
 * a second one out of bounds:
 *
 * (module
 *   (import "env" "mem" (memory 1))
 *   (data (i32.const 0) "ok")
 *   (data (i32.const 65535) "xx"))
 */
/* The bytes of the two modules above. */
static const unsigned char api_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x19, 0x05, 0x60,
  0x01, 0x7f, 0x01, 0x7f, 0x60, 0x00, 0x00, 0x60, 0x02, 0x7f, 0x7f, 0x01,
  0x7f, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00, 0x02,
  0x19, 0x02, 0x04, 0x68, 0x6f, 0x73, 0x74, 0x04, 0x61, 0x64, 0x64, 0x33,
  0x00, 0x00, 0x04, 0x68, 0x6f, 0x73, 0x74, 0x04, 0x66, 0x61, 0x69, 0x6c,
  0x00, 0x01, 0x03, 0x0c, 0x0b, 0x02, 0x01, 0x02, 0x00, 0x01, 0x00, 0x00,
  0x03, 0x00, 0x03, 0x04, 0x05, 0x04, 0x01, 0x01, 0x01, 0x03, 0x06, 0x06,
  0x01, 0x7f, 0x01, 0x41, 0x07, 0x0b, 0x07, 0x64, 0x0d, 0x03, 0x6d, 0x65,
  0x6d, 0x02, 0x00, 0x01, 0x67, 0x03, 0x00, 0x03, 0x61, 0x64, 0x64, 0x00,
  0x02, 0x04, 0x62, 0x6f, 0x6f, 0x6d, 0x00, 0x03, 0x03, 0x64, 0x69, 0x76,
  0x00, 0x04, 0x09, 0x63, 0x61, 0x6c, 0x6c, 0x5f, 0x68, 0x6f, 0x73, 0x74,
  0x00, 0x05, 0x09, 0x63, 0x61, 0x6c, 0x6c, 0x5f, 0x66, 0x61, 0x69, 0x6c,
  0x00, 0x06, 0x07, 0x72, 0x65, 0x63, 0x75, 0x72, 0x73, 0x65, 0x00, 0x07,
  0x04, 0x67, 0x72, 0x6f, 0x77, 0x00, 0x08, 0x04, 0x73, 0x69, 0x7a, 0x65,
  0x00, 0x09, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x0a, 0x05, 0x67, 0x65,
  0x74, 0x5f, 0x67, 0x00, 0x0b, 0x04, 0x66, 0x69, 0x6c, 0x6c, 0x00, 0x0c,
  0x0a, 0x53, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b, 0x03,
  0x00, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6d, 0x0b, 0x09,
  0x00, 0x20, 0x00, 0x10, 0x00, 0x41, 0x01, 0x6a, 0x0b, 0x04, 0x00, 0x10,
  0x01, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x10, 0x07, 0x0b,
  0x06, 0x00, 0x20, 0x00, 0x40, 0x00, 0x0b, 0x04, 0x00, 0x3f, 0x00, 0x0b,
  0x07, 0x00, 0x20, 0x00, 0x2d, 0x00, 0x00, 0x0b, 0x04, 0x00, 0x23, 0x00,
  0x0b, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfc, 0x0b, 0x00,
  0x0b, 0x0b, 0x08, 0x01, 0x00, 0x41, 0x10, 0x0b, 0x02, 0x68, 0x69, 0x00,
  0x48, 0x04, 0x6e, 0x61, 0x6d, 0x65, 0x00, 0x04, 0x03, 0x61, 0x70, 0x69,
  0x01, 0x18, 0x04, 0x00, 0x04, 0x61, 0x64, 0x64, 0x33, 0x01, 0x04, 0x66,
  0x61, 0x69, 0x6c, 0x03, 0x04, 0x62, 0x6f, 0x6f, 0x6d, 0x07, 0x03, 0x72,
  0x65, 0x63, 0x02, 0x1b, 0x0d, 0x00, 0x00, 0x01, 0x00, 0x02, 0x00, 0x03,
  0x00, 0x04, 0x00, 0x05, 0x00, 0x06, 0x00, 0x07, 0x00, 0x08, 0x00, 0x09,
  0x00, 0x0a, 0x00, 0x0b, 0x00, 0x0c, 0x00, 0x07, 0x04, 0x01, 0x00, 0x01,
  0x67
};
static const unsigned int api_wasm_len = 361;
static const unsigned char trapstart_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x02, 0x0c, 0x01, 0x03,
  0x65, 0x6e, 0x76, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x01, 0x0b, 0x11,
  0x02, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x6f, 0x6b, 0x00, 0x41, 0xff, 0xff,
  0x03, 0x0b, 0x02, 0x78, 0x78
};
static const unsigned int trapstart_wasm_len = 41;

/* ---- helpers ------------------------------------------------------------ */

static wrun_val i32(int32_t v) {
  wrun_val x;
  memset(&x, 0, sizeof x);
  x.type = WRUN_I32;
  x.of.i32 = v;
  return x;
}

static wrun_trap *add3(void *env, wrun_caller *caller, const wrun_val *args,
                       size_t nargs, wrun_val *results, size_t nresults) {
  int *calls = env;
  if (calls) (*calls)++;
  results[0] = i32(args[0].of.i32 + 3);
  return NULL;
}

static wrun_trap *fail(void *env, wrun_caller *caller, const wrun_val *args,
                       size_t nargs, wrun_val *results, size_t nresults) {
  return wrun_trap_new("host says no");
}

static const wrun_valtype I32_1[] = {WRUN_I32};

typedef struct fixture {
  wrun_engine *engine;
  wrun_store *store;
  wrun_module *module;
  wrun_instance *inst;
  int host_calls;
} fixture;

/* Instantiates api.wasm with the given host functions as its imports. */
static void setup_api_with(fixture *fx, wrun_host_callback add3_cb,
                           wrun_host_callback fail_cb) {
  memset(fx, 0, sizeof *fx);
  fx->engine = wrun_engine_new();
  fx->store = wrun_store_new(fx->engine);
  wrun_error *err = wrun_module_new(fx->engine, api_wasm, api_wasm_len,
                                    &fx->module);
  cr_assert_null(err, "module: %s", err ? wrun_error_message(err) : "");
  wrun_linker *l = wrun_linker_new(fx->store);
  wrun_extern e = {WRUN_EXTERN_FUNC, {0}};
  e.of.func = wrun_func_new(fx->store, I32_1, 1, I32_1, 1, add3_cb,
                            &fx->host_calls, NULL);
  wrun_linker_define(l, "host", "add3", e);
  e.of.func = wrun_func_new(fx->store, NULL, 0, NULL, 0, fail_cb, NULL, NULL);
  wrun_linker_define(l, "host", "fail", e);
  wrun_trap *trap = NULL;
  wrun_linker_instantiate(l, fx->module, &fx->inst, &err, &trap);
  cr_assert_null(err, "link: %s", err ? wrun_error_message(err) : "");
  cr_assert_null(trap);
  cr_assert_not_null(fx->inst);
  wrun_linker_delete(l);
}

static void setup_api(fixture *fx) { setup_api_with(fx, add3, fail); }

static void teardown_api(fixture *fx) {
  wrun_store_delete(fx->store);
  wrun_module_delete(fx->module);
  wrun_engine_delete(fx->engine);
}

static wrun_func *export_func(fixture *fx, const char *name) {
  wrun_extern e;
  cr_assert(wrun_instance_export(fx->inst, name, &e), "no export %s", name);
  cr_assert_eq(e.kind, WRUN_EXTERN_FUNC);
  return e.of.func;
}

/* Calls an export taking and returning i32s; returns the trap, if any. */
static wrun_trap *call_i32(fixture *fx, const char *name, const int32_t *args,
                           size_t nargs, int32_t *result) {
  wrun_func *f = export_func(fx, name);
  wrun_val a[4], r[1];
  for (size_t i = 0; i < nargs; i++) a[i] = i32(args[i]);
  size_t nres = wrun_func_result_count(f);
  wrun_trap *t = wrun_func_call(fx->store, f, a, nargs, r, nres);
  if (!t && nres && result) *result = r[0].of.i32;
  return t;
}

/* ---- engine, store, host objects ------------------------------------------ */

Test(api, engine_and_store_lifecycle) {
  wrun_engine *engine = wrun_engine_new();
  cr_assert_not_null(engine);
  wrun_store *a = wrun_store_new(engine);
  wrun_store *b = wrun_store_new(engine);
  cr_assert_not_null(a);
  cr_assert_not_null(b);
  wrun_store_set_max_memory(a, 1 << 20);
  cr_assert(wrun_store_set_max_wasm_stack(a, 0)); /* 0: the default */
  cr_assert_eq(a->limits.wasm_stack_bytes, RT_DEFAULT_MAX_WASM_STACK);
  wrun_store_delete(a);
  wrun_store_delete(b);
  wrun_engine_delete(engine);
}

Test(api, function_types_are_interned_process_wide) {
  wrun_engine *e1 = wrun_engine_new(), *e2 = wrun_engine_new();
  wrun_store *s1 = wrun_store_new(e1), *s2 = wrun_store_new(e2);
  wrun_func *f = wrun_func_new(s1, I32_1, 1, I32_1, 1, add3, NULL, NULL);
  wrun_func *g = wrun_func_new(s2, I32_1, 1, I32_1, 1, add3, NULL, NULL);
  wrun_func *h = wrun_func_new(s1, I32_1, 1, NULL, 0, add3, NULL, NULL);
  const rt_funcref *rf = (const rt_funcref *)f, *rg = (const rt_funcref *)g,
                   *rh = (const rt_funcref *)h;
  cr_assert_eq(rf->type_id, rg->type_id);
  cr_assert_neq(rf->type_id, rh->type_id);

  /* Same encoding through the internal entry point gives the same id. */
  rt_valtype types[] = {VT_I32, VT_I32};
  rt_functype t = {.nparams = 1, .nresults = 1, .types = types};
  cr_assert_eq(rt_engine_intern_type(&t), rf->type_id);
  /* (i32) -> () differs from () -> (i32). */
  rt_functype p = {.nparams = 1, .types = types},
              r = {.nresults = 1, .types = types};
  cr_assert_neq(rt_engine_intern_type(&p), rt_engine_intern_type(&r));

  cr_assert_eq(wrun_func_param_count(f), 1);
  cr_assert_eq(wrun_func_result_count(h), 0);
  cr_assert_eq(wrun_func_param_type(f, 0), WRUN_I32);
  wrun_store_delete(s1);
  wrun_store_delete(s2);
  wrun_engine_delete(e1);
  wrun_engine_delete(e2);
}

Test(api, host_function_called_from_host) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  int calls = 0;
  wrun_func *f = wrun_func_new(s, I32_1, 1, I32_1, 1, add3, &calls, NULL);
  wrun_val arg = i32(39), res;
  wrun_trap *t = wrun_func_call(s, f, &arg, 1, &res, 1);
  cr_assert_null(t);
  cr_assert_eq(res.of.i32, 42);
  cr_assert_eq(calls, 1);

  /* Wrong argument count or type: a trap, not a crash. */
  t = wrun_func_call(s, f, NULL, 0, &res, 1);
  cr_assert_not_null(t);
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_BAD_ARGUMENTS);
  cr_assert_str_eq(wrun_trap_message(t), "expected 1 arguments, got 0");
  wrun_trap_delete(t);
  wrun_val bad = arg;
  bad.type = WRUN_I64;
  t = wrun_func_call(s, f, &bad, 1, &res, 1);
  cr_assert_not_null(t);
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_BAD_ARGUMENTS);
  wrun_trap_delete(t);
  t = wrun_func_call(s, f, &arg, 1, NULL, 0);
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_BAD_ARGUMENTS);
  wrun_trap_delete(t);
  t = wrun_func_call(s, NULL, NULL, 0, NULL, 0);
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_BAD_ARGUMENTS);
  wrun_trap_delete(t);

  wrun_func *g = wrun_func_new(s, NULL, 0, NULL, 0, fail, NULL, NULL);
  t = wrun_func_call(s, g, NULL, 0, NULL, 0);
  cr_assert_not_null(t);
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_HOST);
  cr_assert_str_eq(wrun_trap_message(t), "host says no");
  wrun_trap_delete(t);
  wrun_store_delete(s);
  wrun_engine_delete(engine);
}

static int finalized;
static void count_finalize(void *env) { finalized++; }

Test(api, store_runs_finalizers) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  finalized = 0;
  wrun_func_new(s, NULL, 0, NULL, 0, fail, NULL, count_finalize);
  wrun_store_delete(s);
  cr_assert_eq(finalized, 1);
  wrun_engine_delete(engine);
}

Test(api, host_globals) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  wrun_global *g = wrun_global_new(s, WRUN_I32, true, i32(5));
  wrun_global *k = wrun_global_new(s, WRUN_I32, false, i32(9));
  cr_assert_not_null(g);
  wrun_val v;
  wrun_global_get(g, &v);
  cr_assert_eq(v.type, WRUN_I32);
  cr_assert_eq(v.of.i32, 5);
  cr_assert(wrun_global_set(g, i32(-1)));
  wrun_global_get(g, &v);
  cr_assert_eq(v.of.i32, -1);
  cr_assert_not(wrun_global_set(k, i32(1)), "immutable");
  wrun_val f64;
  memset(&f64, 0, sizeof f64);
  f64.type = WRUN_F64;
  f64.of.f64_bits = 0x7ff8000000000001ull; /* a NaN payload survives */
  cr_assert_not(wrun_global_set(g, f64), "type mismatch");
  wrun_global *d = wrun_global_new(s, WRUN_F64, false, f64);
  wrun_global_get(d, &v);
  cr_assert_eq(v.of.f64_bits, 0x7ff8000000000001ull);
  cr_assert_null(wrun_global_new(s, WRUN_I64, false, i32(0)));
  wrun_store_delete(s);
  wrun_engine_delete(engine);
}

Test(api, host_memory_grows_within_limits) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  wrun_memory *m = wrun_memory_new(s, 1, 3, true);
  cr_assert_not_null(m);
  cr_assert_eq(wrun_memory_pages(m), 1);
  cr_assert_eq(wrun_memory_size_bytes(m), 65536);
  uint8_t *data = wrun_memory_data(m);
  cr_assert_eq(data[65535], 0);
  data[65535] = 7;
  cr_assert_eq(wrun_memory_grow(m, 2), 1);
  cr_assert_eq(wrun_memory_pages(m), 3);
  cr_assert_eq(wrun_memory_data(m), data, "the base never moves");
  data[3 * 65536 - 1] = 1; /* now accessible */
  cr_assert_eq(wrun_memory_grow(m, 1), -1, "past max");
  cr_assert_eq(wrun_memory_grow(m, 0), 3);
  cr_assert_null(wrun_memory_new(s, 4, 3, true), "min above max");
  cr_assert_null(wrun_memory_new(s, 65537, 0, false), "over 4 GiB");
  wrun_memory *big = wrun_memory_new(s, 0, 0, false);
  cr_assert_eq(wrun_memory_grow(big, 65537), -1);
  wrun_store_delete(s);
  wrun_engine_delete(engine);
}

Test(api, store_memory_limit) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  wrun_store_set_max_memory(s, 2 * 65536);
  wrun_memory *m = wrun_memory_new(s, 1, 0, false);
  cr_assert_not_null(m);
  cr_assert_eq(wrun_memory_grow(m, 1), 1);
  cr_assert_eq(wrun_memory_grow(m, 1), -1);
  cr_assert_null(wrun_memory_new(s, 1, 0, false));
  cr_assert_not_null(wrun_memory_new(s, 0, 0, false));
  wrun_store_delete(s);
  wrun_engine_delete(engine);
}

Test(api, host_tables) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  wrun_val null_ref;
  memset(&null_ref, 0, sizeof null_ref);
  null_ref.type = WRUN_FUNCREF;
  wrun_table *t = wrun_table_new(s, WRUN_FUNCREF, 2, 4, true, null_ref);
  cr_assert_not_null(t);
  cr_assert_eq(wrun_table_size(t), 2);
  wrun_val v;
  cr_assert(wrun_table_get(t, 1, &v));
  cr_assert_null(v.of.funcref);
  cr_assert_not(wrun_table_get(t, 2, &v), "out of bounds");

  wrun_val ref = null_ref;
  ref.of.funcref = wrun_func_new(s, NULL, 0, NULL, 0, fail, NULL, NULL);
  cr_assert(wrun_table_set(t, 0, ref));
  cr_assert(wrun_table_get(t, 0, &v));
  cr_assert_eq(v.of.funcref, ref.of.funcref);
  cr_assert_not(wrun_table_set(t, 5, ref));
  cr_assert_not(wrun_table_set(t, 0, i32(1)), "wrong type");

  rt_table *rt = (rt_table *)t;
  cr_assert_eq(rt_table_grow(rt, 2, ref.of.funcref), 2);
  cr_assert_eq(rt->elems[3], (void *)ref.of.funcref);
  cr_assert_eq(rt_table_grow(rt, 1, NULL), -1, "past max");
  wrun_val ext = null_ref;
  ext.type = WRUN_EXTERNREF;
  wrun_table *u = wrun_table_new(s, WRUN_EXTERNREF, 0, 0, false, ext);
  cr_assert_eq(rt_table_grow((rt_table *)u, RT_DEFAULT_TABLE_ELEMENTS + 1, NULL),
               -1, "past the default table elements limit");
  wrun_store_delete(s);
  wrun_engine_delete(engine);
}

Test(api, host_memory64_and_table64) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  wrun_memory *m32 = wrun_memory_new(s, 1, 0, false);
  cr_assert_not(wrun_memory_is64(m32));
  wrun_memory *m = wrun_memory_new64(s, 1, 3, true);
  cr_assert_not_null(m);
  cr_assert(wrun_memory_is64(m));
  cr_assert_eq(wrun_memory_pages64(m), 1);
  cr_assert_eq(wrun_memory_grow64(m, 1ull << 32), -1, "a u64 delta, whole");
  cr_assert_eq(wrun_memory_grow64(m, 2), 1);
  cr_assert_eq(wrun_memory_pages64(m), 3);
  cr_assert_eq(wrun_memory_grow64(m, 1), -1, "past max");
  cr_assert_null(wrun_memory_new64(s, 4, 3, true), "min above max");
  cr_assert_null(wrun_memory_new64(s, 0, (1ull << 48) + 1, true),
                 "max past the type's 2^48 pages");
  /* A maximum of 2^48 pages is valid; the reservation is what the store
   * allows (16 GiB here), not 2^64 bytes. */
  wrun_memory *huge = wrun_memory_new64(s, 0, 1ull << 48, true);
  cr_assert_not_null(huge);
  cr_assert_eq(wrun_memory_grow64(huge, 1ull << 40), -1);
  cr_assert_eq(wrun_memory_grow64(huge, 65537), 0, "past 4 GiB");
  cr_assert_eq(wrun_memory_size_bytes(huge), 65537ull * 65536);

  wrun_val null_ref;
  memset(&null_ref, 0, sizeof null_ref);
  null_ref.type = WRUN_FUNCREF;
  wrun_table *t = wrun_table_new64(s, WRUN_FUNCREF, 2, 1ull << 40, true,
                                   null_ref);
  cr_assert_not_null(t);
  cr_assert(wrun_table_is64(t));
  cr_assert_eq(wrun_table_size(t), 2);
  cr_assert_not(wrun_table_is64(wrun_table_new(s, WRUN_FUNCREF, 0, 0, false,
                                               null_ref)));
  cr_assert_null(wrun_table_new64(s, WRUN_FUNCREF, 1ull << 33, 0, false,
                                  null_ref),
                 "over the elements limit");
  cr_assert_null(wrun_table_new64(s, WRUN_FUNCREF, 3, 2, true, null_ref));
  wrun_store_delete(s);
  wrun_engine_delete(engine);
}

static wrun_trap *forty_two(void *env, wrun_caller *caller,
                            const wrun_val *args, size_t nargs,
                            wrun_val *results, size_t nresults) {
  results[0] = i32(42);
  return NULL;
}

/* (module
 *   (type $v2i (func (result i32)))
 *   (import "host" "tab" (table 1 funcref))
 *   (func (export "call") (param i32) (result i32)
 *     (call_indirect (type $v2i) (local.get 0)))) */
static const uint8_t call_host_table_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x02, 0x60,
    0x00, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x02, 0x0e, 0x01, 0x04,
    'h', 'o', 's', 't', 0x03, 't', 'a', 'b', 0x01, 0x70, 0x00, 0x01,
    0x03, 0x02, 0x01, 0x01, 0x07, 0x08, 0x01, 0x04, 'c', 'a', 'l', 'l',
    0x00, 0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x11, 0x00, 0x00,
    0x0b,
};

/* call_indirect reads the importer's copy of the table's elems and size
 * (rt_table.views): the host's growth, which moves the elements, must
 * reach it. */
Test(api, host_table_growth_seen_by_call_indirect) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(engine, call_host_table_wasm,
                                    sizeof call_host_table_wasm, &m);
  cr_assert_null(err, "%s", err ? wrun_error_message(err) : "");
  wrun_val null_ref;
  memset(&null_ref, 0, sizeof null_ref);
  null_ref.type = WRUN_FUNCREF;
  wrun_extern import = {WRUN_EXTERN_TABLE, {0}};
  import.of.table = wrun_table_new(s, WRUN_FUNCREF, 1, 0, false, null_ref);
  wrun_instance *inst = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(s, m, &import, 1, &inst, &err, &trap);
  cr_assert_null(err, "%s", err ? wrun_error_message(err) : "");
  cr_assert_not_null(inst);
  wrun_extern e;
  cr_assert(wrun_instance_export(inst, "call", &e));
  wrun_val arg = i32(1), r;
  wrun_trap *t = wrun_func_call(s, e.of.func, &arg, 1, &r, 1);
  cr_assert_not_null(t, "past the size before the growth");
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_UNDEFINED_ELEMENT);
  wrun_trap_delete(t);

  wrun_val ref = null_ref;
  ref.of.funcref =
      wrun_func_new(s, NULL, 0, I32_1, 1, forty_two, NULL, NULL);
  for (uint32_t grown = 1; grown < 1000; grown++) /* moves it, many times */
    cr_assert_eq(wrun_table_grow(import.of.table, 1, ref), (int64_t)grown);
  for (int32_t i = 1; i < 1000; i += 333) {
    arg = i32(i);
    cr_assert_null(wrun_func_call(s, e.of.func, &arg, 1, &r, 1), "at %d", i);
    cr_assert_eq(r.of.i32, 42);
  }
  arg = i32(1000);
  t = wrun_func_call(s, e.of.func, &arg, 1, &r, 1);
  cr_assert_not_null(t, "past the grown size");
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_UNDEFINED_ELEMENT);
  wrun_trap_delete(t);
  wrun_store_delete(s);
  wrun_module_delete(m);
  wrun_engine_delete(engine);
}

/* (module
 *   (import "host" "mem" (memory i64 1))
 *   (import "host" "tab" (table i64 1 funcref))
 *   (func (export "load") (param i64) (result i32) local.get 0 i32.load8_u)
 *   (func (export "tsize") (result i64) table.size 0)) */
static const uint8_t import64_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x0a, 0x02, 0x60, 0x01, 0x7e, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7e,
    0x02, 0x1a, 0x02, 0x04, 'h', 'o', 's', 't', 0x03, 'm', 'e', 'm', 0x02,
    0x04, 0x01, 0x04, 'h', 'o', 's', 't', 0x03, 't', 'a', 'b', 0x01, 0x70,
    0x04, 0x01,
    0x03, 0x03, 0x02, 0x00, 0x01,
    0x07, 0x10, 0x02, 0x04, 'l', 'o', 'a', 'd', 0x00, 0x00, 0x05, 't', 's',
    'i', 'z', 'e', 0x00, 0x01,
    0x0a, 0x0f, 0x02, 0x07, 0x00, 0x20, 0x00, 0x2d, 0x00, 0x00, 0x0b, 0x05,
    0x00, 0xfc, 0x10, 0x00, 0x0b,
};

Test(api, memory64_and_table64_imports) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  wrun_module *m = NULL;
  wrun_error *err =
      wrun_module_new(engine, import64_wasm, sizeof import64_wasm, &m);
  cr_assert_null(err, "%s", err ? wrun_error_message(err) : "");
  uint64_t min = 0, max = 7;
  bool has_max = true, is64 = false;
  wrun_valtype elem;
  cr_assert(wrun_module_import_memory64(m, 0, &min, &max, &has_max, &is64));
  cr_assert(min == 1 && max == 0 && !has_max && is64);
  cr_assert_not(wrun_module_import_memory64(m, 1, NULL, NULL, NULL, NULL));
  is64 = false;
  cr_assert(wrun_module_import_table64(m, 1, &elem, &min, NULL, NULL, &is64));
  cr_assert(elem == WRUN_FUNCREF && min == 1 && is64);

  wrun_val null_ref;
  memset(&null_ref, 0, sizeof null_ref);
  null_ref.type = WRUN_FUNCREF;
  wrun_extern imports[2] = {{WRUN_EXTERN_MEMORY, {0}},
                            {WRUN_EXTERN_TABLE, {0}}};
  /* i32 objects do not satisfy i64 imports */
  imports[0].of.memory = wrun_memory_new(s, 1, 0, false);
  imports[1].of.table = wrun_table_new64(s, WRUN_FUNCREF, 3, 0, false,
                                         null_ref);
  wrun_instance *inst = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(s, m, imports, 2, &inst, &err, &trap);
  cr_assert_null(inst);
  cr_assert_not_null(err);
  wrun_error_delete(err);
  err = NULL;
  imports[0].of.memory = wrun_memory_new64(s, 1, 0, false);
  imports[1].of.table = wrun_table_new(s, WRUN_FUNCREF, 3, 0, false,
                                       null_ref);
  wrun_instance_new(s, m, imports, 2, &inst, &err, &trap);
  cr_assert_null(inst);
  cr_assert_not_null(err);
  wrun_error_delete(err);
  err = NULL;

  imports[1].of.table = wrun_table_new64(s, WRUN_FUNCREF, 3, 0, false,
                                         null_ref);
  wrun_instance_new(s, m, imports, 2, &inst, &err, &trap);
  cr_assert_null(err, "%s", err ? wrun_error_message(err) : "");
  cr_assert_not_null(inst);
  /* the host grows its memory past 4 GiB; the module sees it */
  wrun_memory *mem = imports[0].of.memory;
  cr_assert_eq(wrun_memory_grow64(mem, 65536), 1);
  wrun_memory_data(mem)[(1ull << 32) + 3] = 42;
  wrun_extern e;
  cr_assert(wrun_instance_export(inst, "load", &e));
  wrun_val arg = {.type = WRUN_I64, .of.i64 = (int64_t)(1ull << 32) + 3};
  wrun_val r;
  cr_assert_null(wrun_func_call(s, e.of.func, &arg, 1, &r, 1));
  cr_assert_eq(r.of.i32, 42);
  arg.of.i64 = (int64_t)(65537ull * 65536);
  wrun_trap *t = wrun_func_call(s, e.of.func, &arg, 1, &r, 1);
  cr_assert_not_null(t, "the end of the grown memory");
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_MEMORY_OOB);
  wrun_trap_delete(t);
  cr_assert(wrun_instance_export(inst, "tsize", &e));
  cr_assert_null(wrun_func_call(s, e.of.func, NULL, 0, &r, 1));
  cr_assert_eq(r.type, WRUN_I64);
  cr_assert_eq(r.of.i64, 3);
  wrun_store_delete(s);
  wrun_module_delete(m);
  wrun_engine_delete(engine);
}

/* ---- modules ------------------------------------------------------------------ */

Test(api, module_queries) {
  wrun_engine *engine = wrun_engine_new();
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(engine, api_wasm, api_wasm_len, &m);
  cr_assert_null(err, "%s", err ? wrun_error_message(err) : "");
  cr_assert_eq(wrun_module_import_count(m), 2);
  const char *mod, *name;
  wrun_externkind kind;
  wrun_module_import(m, 1, &mod, &name, &kind);
  cr_assert_str_eq(mod, "host");
  cr_assert_str_eq(name, "fail");
  cr_assert_eq(kind, WRUN_EXTERN_FUNC);
  cr_assert_eq(wrun_module_export_count(m), 13);
  wrun_module_export(m, 0, &name, &kind);
  cr_assert_str_eq(name, "mem");
  cr_assert_eq(kind, WRUN_EXTERN_MEMORY);
  cr_assert_gt(wrun_module_code_size(m), 0);
  cr_assert_null(wrun_module_validate(engine, api_wasm, api_wasm_len));
  uint8_t junk[] = {0, 'a', 's', 'n', 1, 0, 0, 0};
  err = wrun_module_validate(engine, junk, sizeof junk);
  cr_assert_not_null(err);
  wrun_error_delete(err);
  wrun_module_delete(m);
  wrun_engine_delete(engine);
}

Test(api, linker_reports_unknown_and_incompatible_imports) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  wrun_module *m = NULL;
  cr_assert_null(wrun_module_new(engine, api_wasm, api_wasm_len, &m));
  wrun_linker *l = wrun_linker_new(s);
  wrun_extern e = {WRUN_EXTERN_FUNC, {0}};
  e.of.func = wrun_func_new(s, I32_1, 1, I32_1, 1, add3, NULL, NULL);
  wrun_linker_define(l, "host", "add3", e);

  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_linker_instantiate(l, m, &inst, &err, &trap);
  cr_assert_null(inst);
  cr_assert_not_null(err);
  cr_assert_str_eq(wrun_error_message(err), "unknown import: `host`.`fail`");
  wrun_error_delete(err);

  /* "fail" defined with the type of add3: incompatible. */
  wrun_linker_define(l, "host", "fail", e);
  wrun_linker_instantiate(l, m, &inst, &err, &trap);
  cr_assert_null(inst);
  cr_assert_not_null(err);
  cr_assert_str_eq(wrun_error_message(err),
                   "incompatible import type for `host`.`fail`");
  wrun_error_delete(err);

  /* A global where a function is expected: incompatible too. */
  wrun_extern g = {WRUN_EXTERN_GLOBAL, {0}};
  g.of.global = wrun_global_new(s, WRUN_I32, false, i32(0));
  wrun_linker_define(l, "host", "fail", g);
  wrun_linker_instantiate(l, m, &inst, &err, &trap);
  cr_assert_not_null(err);
  wrun_error_delete(err);

  wrun_linker_delete(l);
  wrun_store_delete(s);
  wrun_module_delete(m);
  wrun_engine_delete(engine);
}

Test(api, i32_add_and_exports) {
  fixture fx;
  setup_api(&fx);
  int32_t r = 0;
  int32_t args[] = {40, 2};
  cr_assert_null(call_i32(&fx, "add", args, 2, &r));
  cr_assert_eq(r, 42);
  int32_t wrap[] = {INT32_MAX, 1};
  cr_assert_null(call_i32(&fx, "add", wrap, 2, &r));
  cr_assert_eq(r, INT32_MIN);

  wrun_extern e;
  cr_assert(wrun_instance_export(fx.inst, "g", &e));
  cr_assert_eq(e.kind, WRUN_EXTERN_GLOBAL);
  cr_assert(wrun_global_set(e.of.global, i32(99)));
  cr_assert_null(call_i32(&fx, "get_g", NULL, 0, &r));
  cr_assert_eq(r, 99, "wasm sees the host's write");
  cr_assert(wrun_instance_export(fx.inst, "mem", &e));
  cr_assert_eq(e.kind, WRUN_EXTERN_MEMORY);
  cr_assert_eq(memcmp(wrun_memory_data(e.of.memory) + 16, "hi", 2), 0);
  cr_assert_not(wrun_instance_export(fx.inst, "nope", &e));
  cr_assert_eq(wrun_instance_export_count(fx.inst), 13);
  teardown_api(&fx);
}

/* (module (func nop unreachable) (func (export "f") nop nop call 0)):
 * func 0's body (its locals) at 0x1e, the unreachable at 0x20; func 1's
 * body at 0x23, the call at 0x26 (wasm-objdump -d). */
static const uint8_t frame_offsets_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01,
    0x60, 0x00, 0x00, 0x03, 0x03, 0x02, 0x00, 0x00, 0x07, 0x05, 0x01,
    0x01, 0x66, 0x00, 0x01, 0x0a, 0x0d, 0x02, 0x04, 0x00, 0x01, 0x00,
    0x0b, 0x06, 0x00, 0x01, 0x01, 0x10, 0x00, 0x0b};

Test(api, trap_frames_carry_wasm_offsets) {
  wrun_engine *engine = wrun_engine_new();
  wrun_module *m = NULL;
  cr_assert_null(wrun_module_new(engine, frame_offsets_wasm,
                                 sizeof frame_offsets_wasm, &m));
  wrun_store *s = wrun_store_new(engine);
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(s, m, NULL, 0, &inst, &err, &trap);
  cr_assert(inst && !err && !trap);
  wrun_extern e;
  cr_assert(wrun_instance_export(inst, "f", &e));
  wrun_trap *t = wrun_func_call(s, e.of.func, NULL, 0, NULL, 0);
  cr_assert_not_null(t);
  cr_assert_eq(wrun_trap_frame_count(t), 2);
  cr_assert_eq(wrun_trap_frame_module_offset(t, 0), 0x20);
  cr_assert_eq(wrun_trap_frame_func_offset(t, 0), 0x20 - 0x1e);
  cr_assert_eq(wrun_trap_frame_module_offset(t, 1), 0x26);
  cr_assert_eq(wrun_trap_frame_func_offset(t, 1), 0x26 - 0x23);
  cr_assert_eq(wrun_trap_frame_module_offset(t, 2), SIZE_MAX, "no frame 2");
  cr_assert_eq(wrun_trap_frame_func_offset(t, 2), SIZE_MAX);
  cr_assert_null(wrun_trap_frame_module_name(t, 0), "no name section");
  wrun_trap_delete(t);
  /* a trap made by the host has no frames, so no offsets */
  t = wrun_trap_new("host");
  cr_assert_eq(wrun_trap_frame_module_offset(t, 0), SIZE_MAX);
  wrun_trap_delete(t);
  wrun_store_delete(s);
  wrun_module_delete(m);
  wrun_engine_delete(engine);
}

Test(api, traps_leave_the_store_usable) {
  fixture fx;
  setup_api(&fx);
  wrun_trap *t = call_i32(&fx, "boom", NULL, 0, NULL);
  cr_assert_not_null(t);
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_UNREACHABLE);
  cr_assert_str_eq(wrun_trap_message(t), "unreachable");
  cr_assert_geq(wrun_trap_frame_count(t), 1);
  cr_assert_eq(wrun_trap_frame_func(t, 0), 3); /* after 2 imports, add */
  cr_assert_str_eq(wrun_trap_frame_name(t, 0), "boom");
  wrun_trap_delete(t);

  int32_t r = 0;
  int32_t zero[] = {1, 0}, overflow[] = {INT32_MIN, -1}, ok[] = {7, 2};
  t = call_i32(&fx, "div", zero, 2, &r);
  cr_assert_not_null(t);
  cr_assert_str_eq(wrun_trap_message(t), "integer divide by zero");
  wrun_trap_delete(t);
  t = call_i32(&fx, "div", overflow, 2, &r);
  cr_assert_not_null(t);
  cr_assert_str_eq(wrun_trap_message(t), "integer overflow");
  wrun_trap_delete(t);
  cr_assert_null(call_i32(&fx, "div", ok, 2, &r));
  cr_assert_eq(r, 3);

  int32_t addr[] = {65536};
  t = call_i32(&fx, "load", addr, 1, &r);
  cr_assert_not_null(t);
  cr_assert_str_eq(wrun_trap_message(t), "out of bounds memory access");
  wrun_trap_delete(t);
  int32_t in[] = {17};
  cr_assert_null(call_i32(&fx, "load", in, 1, &r));
  cr_assert_eq(r, 'i');
  teardown_api(&fx);
}

Test(api, host_import_called_from_wasm) {
  fixture fx;
  setup_api(&fx);
  int32_t r = 0, arg[] = {10};
  cr_assert_null(call_i32(&fx, "call_host", arg, 1, &r));
  cr_assert_eq(r, 14);
  cr_assert_eq(fx.host_calls, 1);

  wrun_trap *t = call_i32(&fx, "call_fail", NULL, 0, NULL);
  cr_assert_not_null(t);
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_HOST);
  cr_assert_str_eq(wrun_trap_message(t), "host says no");
  wrun_trap_delete(t);
  cr_assert_null(call_i32(&fx, "call_host", arg, 1, &r));
  cr_assert_eq(r, 14);
  teardown_api(&fx);
}

Test(api, deep_recursion_exhausts_the_stack) {
  fixture fx;
  setup_api(&fx);
  int32_t r = 0, arg[] = {0};
  wrun_trap *t = call_i32(&fx, "recurse", arg, 1, &r);
  cr_assert_not_null(t);
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_STACK_EXHAUSTED);
  cr_assert_str_eq(wrun_trap_message(t), "call stack exhausted");
  cr_assert_gt(wrun_trap_frame_count(t), 1);
  cr_assert_str_eq(wrun_trap_frame_name(t, 1), "rec");
  /* 128 frames recorded, the thousands past them counted */
  cr_assert_eq(wrun_trap_frame_count(t), 128);
  cr_assert_gt(wrun_trap_frames_omitted(t), 1000, "%zu",
               wrun_trap_frames_omitted(t));
  wrun_trap_delete(t);
  /* Again, to see that the limit and the signal stack still work. */
  t = call_i32(&fx, "recurse", arg, 1, &r);
  cr_assert_not_null(t);
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_STACK_EXHAUSTED);
  wrun_trap_delete(t);
  int32_t args[] = {1, 2};
  cr_assert_null(call_i32(&fx, "add", args, 2, &r));
  cr_assert_eq(r, 3);
  teardown_api(&fx);
}

Test(api, memory_grow_and_bulk_fill) {
  fixture fx;
  setup_api(&fx);
  int32_t r = 0, one[] = {1}, two[] = {2};
  cr_assert_null(call_i32(&fx, "grow", one, 1, &r));
  cr_assert_eq(r, 1);
  cr_assert_null(call_i32(&fx, "size", NULL, 0, &r));
  cr_assert_eq(r, 2);
  cr_assert_null(call_i32(&fx, "grow", two, 1, &r));
  cr_assert_eq(r, -1, "max is 3 pages");
  int32_t far[] = {2 * 65536 - 1};
  cr_assert_null(call_i32(&fx, "load", far, 1, &r), "grown page usable");

  int32_t fill_ok[] = {100, 0xAB, 4};
  cr_assert_null(call_i32(&fx, "fill", fill_ok, 3, NULL));
  int32_t at[] = {103};
  cr_assert_null(call_i32(&fx, "load", at, 1, &r));
  cr_assert_eq(r, 0xAB);
  int32_t fill_end[] = {2 * 65536, 0, 0}; /* n = 0 at the end is fine */
  cr_assert_null(call_i32(&fx, "fill", fill_end, 3, NULL));
  int32_t fill_bad[] = {2 * 65536 - 1, 0, 2};
  wrun_trap *t = call_i32(&fx, "fill", fill_bad, 3, NULL);
  cr_assert_not_null(t);
  cr_assert_str_eq(wrun_trap_message(t), "out of bounds memory access");
  wrun_trap_delete(t);
  teardown_api(&fx);
}

Test(api, failed_data_segment_keeps_earlier_writes) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(engine, trapstart_wasm, trapstart_wasm_len,
                                    &m);
  cr_assert_null(err, "%s", err ? wrun_error_message(err) : "");
  wrun_extern mem = {WRUN_EXTERN_MEMORY, {0}};
  mem.of.memory = wrun_memory_new(s, 1, 0, false);
  wrun_instance *inst = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(s, m, &mem, 1, &inst, &err, &trap);
  cr_assert_null(err);
  cr_assert_null(inst);
  cr_assert_not_null(trap);
  cr_assert_str_eq(wrun_trap_message(trap), "out of bounds memory access");
  wrun_trap_delete(trap);
  cr_assert_eq(memcmp(wrun_memory_data(mem.of.memory), "ok", 2), 0);

  /* An imported memory too small for the import: incompatible. */
  wrun_extern none = {WRUN_EXTERN_MEMORY, {0}};
  none.of.memory = wrun_memory_new(s, 0, 0, false);
  wrun_instance_new(s, m, &none, 1, &inst, &err, &trap);
  cr_assert_not_null(err);
  wrun_error_delete(err);
  wrun_store_delete(s);
  wrun_module_delete(m);
  wrun_engine_delete(engine);
}

/* ---- nesting, exit, threads ---------------------------------------------------- */

/* As add3, but first calls back into the caller: a trapping export (the
 * trap comes back here, not to the outer entry) and then "add". */
static wrun_trap *reenter(void *env, wrun_caller *caller, const wrun_val *args,
                          size_t nargs, wrun_val *results, size_t nresults) {
  wrun_store *s = wrun_caller_store(caller);
  cr_assert_not_null(wrun_caller_memory(caller));
  wrun_extern boom, add;
  cr_assert(wrun_caller_export(caller, "boom", &boom));
  cr_assert(wrun_caller_export(caller, "add", &add));
  wrun_trap *t = wrun_func_call(s, boom.of.func, NULL, 0, NULL, 0);
  cr_assert_not_null(t);
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_UNREACHABLE);
  wrun_trap_delete(t);
  wrun_val a[2] = {args[0], i32(3)}, r;
  t = wrun_func_call(s, add.of.func, a, 2, &r, 1);
  if (t) return t;
  results[0] = r;
  return NULL;
}

static wrun_trap *exit_7(void *env, wrun_caller *caller, const wrun_val *args,
                         size_t nargs, wrun_val *results, size_t nresults) {
  return wrun_trap_new_exit(7);
}

Test(api, host_reenters_wasm) {
  fixture fx;
  setup_api_with(&fx, reenter, exit_7);
  int32_t r = 0, arg[] = {10};
  cr_assert_null(call_i32(&fx, "call_host", arg, 1, &r));
  cr_assert_eq(r, 14);

  wrun_trap *t = call_i32(&fx, "call_fail", NULL, 0, NULL);
  cr_assert_not_null(t);
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_EXIT);
  cr_assert_eq(wrun_trap_exit_status(t), 7);
  wrun_trap_delete(t);
  cr_assert_null(call_i32(&fx, "call_host", arg, 1, &r));
  cr_assert_eq(r, 14);
  teardown_api(&fx);
}

static void *trap_in_thread(void *arg) {
  fixture *fx = arg;
  int32_t zero[] = {1, 0}, r;
  wrun_trap *t = call_i32(fx, "div", zero, 2, &r);
  bool ok = t && wrun_trap_code_of(t) == WRUN_TRAP_INT_DIV_ZERO;
  wrun_trap_delete(t);
  int32_t deep[] = {0};
  t = call_i32(fx, "recurse", deep, 1, &r);
  ok = ok && t && wrun_trap_code_of(t) == WRUN_TRAP_STACK_EXHAUSTED;
  wrun_trap_delete(t);
  return ok ? arg : NULL;
}

Test(api, traps_on_another_thread_with_a_small_stack) {
  fixture fx;
  setup_api(&fx);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t thread;
  cr_assert_eq(pthread_create(&thread, &attr, trap_in_thread, &fx), 0);
  void *ok = NULL;
  pthread_join(thread, &ok);
  pthread_attr_destroy(&attr);
  cr_assert_not_null(ok);
  teardown_api(&fx);
}

/* ---- names with embedded NULs ----------------------------------------------- */

/* nul_names.wasm, written byte by byte: five functions () -> i32 returning
 * 1..5, exported as "", "\0", "\0a", "a" and "a\0b" (names.wast has such
 * names; a C string would see three of them as "" or "a"). */
static const unsigned char nul_names_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,       /* type 0: () -> i32 */
  0x03, 0x06, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, /* five funcs of type 0 */
  0x07, 0x17, 0x05,                               /* five exports: */
  0x00, 0x00, 0x00,                               /*   ""      func 0 */
  0x01, 0x00, 0x00, 0x01,                         /*   "\0"    func 1 */
  0x02, 0x00, 0x61, 0x00, 0x02,                   /*   "\0a"   func 2 */
  0x01, 0x61, 0x00, 0x03,                         /*   "a"     func 3 */
  0x03, 0x61, 0x00, 0x62, 0x00, 0x04,             /*   "a\0b"  func 4 */
  0x0a, 0x1a, 0x05,                               /* code: i32.const k */
  0x04, 0x00, 0x41, 0x01, 0x0b,
  0x04, 0x00, 0x41, 0x02, 0x0b,
  0x04, 0x00, 0x41, 0x03, 0x0b,
  0x04, 0x00, 0x41, 0x04, 0x0b,
  0x04, 0x00, 0x41, 0x05, 0x0b,
};

/* nul_import.wasm: imports ("x\0y", "a\0b") as a () -> i32 function and
 * re-exports it as "r". */
static const unsigned char nul_import_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,       /* type 0: () -> i32 */
  0x02, 0x0b, 0x01,                               /* one import: */
  0x03, 0x78, 0x00, 0x79,                         /*   module "x\0y" */
  0x03, 0x61, 0x00, 0x62,                         /*   name "a\0b" */
  0x00, 0x00,                                     /*   func of type 0 */
  0x07, 0x05, 0x01, 0x01, 0x72, 0x00, 0x00,       /* export "r" func 0 */
};

/* The i32 that export (name, len) of inst returns, or -1 if no export. */
static int32_t call_exact(wrun_store *s, wrun_instance *inst, const char *name,
                          size_t len) {
  wrun_extern e;
  if (!wrun_instance_export_n(inst, name, len, &e)) return -1;
  cr_assert_eq(e.kind, WRUN_EXTERN_FUNC);
  wrun_val r[1];
  wrun_trap *t = wrun_func_call(s, e.of.func, NULL, 0, r, 1);
  cr_assert_null(t);
  return r[0].of.i32;
}

Test(api, export_names_with_nuls_match_by_exact_length) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(engine, nul_names_wasm,
                                    sizeof nul_names_wasm, &m);
  cr_assert_null(err, "%s", err ? wrun_error_message(err) : "");
  wrun_instance *inst = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(s, m, NULL, 0, &inst, &err, &trap);
  cr_assert_null(err);
  cr_assert_null(trap);

  cr_assert_eq(call_exact(s, inst, "", 0), 1);
  cr_assert_eq(call_exact(s, inst, "\0", 1), 2);
  cr_assert_eq(call_exact(s, inst, "\0a", 2), 3);
  cr_assert_eq(call_exact(s, inst, "a", 1), 4);
  cr_assert_eq(call_exact(s, inst, "a\0b", 3), 5);
  cr_assert_eq(call_exact(s, inst, "\0\0", 2), -1);
  cr_assert_eq(call_exact(s, inst, "a\0", 2), -1);

  /* C strings see only names without NULs: "" is "" and never "\0a". */
  wrun_extern e;
  cr_assert(wrun_instance_export(inst, "", &e));
  wrun_val r[1];
  cr_assert_null(wrun_func_call(s, e.of.func, NULL, 0, r, 1));
  cr_assert_eq(r[0].of.i32, 1);
  cr_assert(wrun_instance_export(inst, "a", &e));
  cr_assert_null(wrun_func_call(s, e.of.func, NULL, 0, r, 1));
  cr_assert_eq(r[0].of.i32, 4);

  /* Names and lengths as the queries report them. */
  size_t len = 99;
  const char *name = wrun_instance_export_name_n(inst, 2, &len);
  cr_assert_eq(len, 2);
  cr_assert_eq(memcmp(name, "\0a", 3), 0); /* NUL-terminated too */
  cr_assert_null(wrun_instance_export_name_n(inst, 5, &len));
  wrun_externkind kind;
  wrun_module_export_n(m, 4, &name, &len, &kind);
  cr_assert_eq(len, 3);
  cr_assert_eq(memcmp(name, "a\0b", 4), 0);
  cr_assert_eq(kind, WRUN_EXTERN_FUNC);

  wrun_store_delete(s);
  wrun_module_delete(m);
  wrun_engine_delete(engine);
}

Test(api, linker_keys_keep_nuls_in_module_and_field_names) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  wrun_module *exporter = NULL, *importer = NULL;
  cr_assert_null(wrun_module_new(engine, nul_names_wasm,
                                 sizeof nul_names_wasm, &exporter));
  cr_assert_null(wrun_module_new(engine, nul_import_wasm,
                                 sizeof nul_import_wasm, &importer));
  const char *mod, *name;
  size_t mod_len, name_len;
  wrun_module_import_n(importer, 0, &mod, &mod_len, &name, &name_len, NULL);
  cr_assert_eq(mod_len, 3);
  cr_assert_eq(name_len, 3);
  cr_assert_eq(memcmp(mod, "x\0y", 4), 0);
  cr_assert_eq(memcmp(name, "a\0b", 4), 0);

  wrun_instance *inst = NULL, *user = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(s, exporter, NULL, 0, &inst, &err, &trap);
  cr_assert_not_null(inst);
  wrun_linker *l = wrun_linker_new(s);

  /* Under "x" (what a C string of "x\0y" reads as) the import is unknown,
   * and so it is when only "a" of "a\0b" is defined under "x\0y". */
  wrun_linker_define_instance(l, "x", inst);
  wrun_extern a;
  cr_assert(wrun_instance_export(inst, "a", &a));
  wrun_linker_define_n(l, "x\0y", 3, "a", 1, a);
  wrun_linker_instantiate(l, importer, &user, &err, &trap);
  cr_assert_null(user);
  cr_assert_not_null(err);
  wrun_error_delete(err);

  /* Every export registered under its exact name: "a\0b" returns 5. */
  wrun_linker_define_instance_n(l, "x\0y", 3, inst);
  wrun_linker_instantiate(l, importer, &user, &err, &trap);
  cr_assert_null(err, "%s", err ? wrun_error_message(err) : "");
  cr_assert_null(trap);
  cr_assert_eq(call_exact(s, user, "r", 1), 5);

  wrun_linker_delete(l);
  wrun_store_delete(s);
  wrun_module_delete(importer);
  wrun_module_delete(exporter);
  wrun_engine_delete(engine);
}

/* ---- interrupting running wasm (wrun_store_interrupt) ----------------------- */

/* spin.wasm:
 *
 * (module
 *   (func (export "spin") (loop (br 0)))
 *   (func (export "ok") (result i32) (i32.const 42))
 *   (func $rec (export "rec") (param i32) (result i32)
 *     (call $rec (i32.add (local.get 0) (i32.const 1)))))
 */
static const unsigned char spin_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0d, 0x03, 0x60,
  0x00, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03,
  0x04, 0x03, 0x00, 0x01, 0x02, 0x07, 0x13, 0x03, 0x04, 0x73, 0x70, 0x69,
  0x6e, 0x00, 0x00, 0x02, 0x6f, 0x6b, 0x00, 0x01, 0x03, 0x72, 0x65, 0x63,
  0x00, 0x02, 0x0a, 0x18, 0x03, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b,
  0x0b, 0x04, 0x00, 0x41, 0x2a, 0x0b, 0x09, 0x00, 0x20, 0x00, 0x41, 0x01,
  0x6a, 0x10, 0x02, 0x0b,
};

typedef struct spin_fixture {
  wrun_engine *engine;
  wrun_store *store;
  wrun_module *module;
  wrun_instance *inst;
} spin_fixture;

static void setup_spin(spin_fixture *fx) {
  fx->engine = wrun_engine_new();
  fx->store = wrun_store_new(fx->engine);
  wrun_error *err = wrun_module_new(fx->engine, spin_wasm, sizeof spin_wasm,
                                    &fx->module);
  cr_assert_null(err, "module: %s", err ? wrun_error_message(err) : "");
  wrun_trap *trap = NULL;
  wrun_instance_new(fx->store, fx->module, NULL, 0, &fx->inst, &err, &trap);
  cr_assert_null(err, "instantiate: %s", err ? wrun_error_message(err) : "");
  cr_assert_null(trap);
}

static void teardown_spin(spin_fixture *fx) {
  wrun_store_delete(fx->store);
  wrun_module_delete(fx->module);
  wrun_engine_delete(fx->engine);
}

/* Calls export name of the spin module: (param i32)? (result i32)?. */
static wrun_trap *call_spin(spin_fixture *fx, const char *name,
                            int32_t *result) {
  wrun_extern e;
  cr_assert(wrun_instance_export(fx->inst, name, &e), "no export %s", name);
  wrun_val a[1] = {i32(0)}, r[1];
  size_t nparams = wrun_func_param_count(e.of.func);
  size_t nres = wrun_func_result_count(e.of.func);
  wrun_trap *t = wrun_func_call(fx->store, e.of.func, a, nparams, r, nres);
  if (!t && nres && result) *result = r[0].of.i32;
  return t;
}

static void *interrupt_after_50ms(void *arg) {
  struct timespec delay = {0, 50 * 1000 * 1000};
  nanosleep(&delay, NULL);
  wrun_store_interrupt(arg);
  return NULL;
}

static void expect_interrupted(wrun_trap *t) {
  cr_assert_not_null(t, "the call was not interrupted");
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_INTERRUPT, "trap: %s",
               wrun_trap_message(t));
  cr_assert_str_eq(wrun_trap_message(t), "interrupted");
  cr_assert_gt(wrun_trap_frame_count(t), 0, "no backtrace");
  wrun_trap_delete(t);
}

Test(api, interrupt_stops_an_infinite_loop, .timeout = 20) {
  spin_fixture fx;
  setup_spin(&fx);
  for (int round = 0; round < 2; round++) {
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, interrupt_after_50ms, fx.store), 0);
    wrun_trap *t = call_spin(&fx, "spin", NULL);
    pthread_join(th, NULL);
    expect_interrupted(t);
    /* The store is usable again: limits restored, request consumed. */
    int32_t r = 0;
    wrun_trap *ok = call_spin(&fx, "ok", &r);
    cr_assert_null(ok, "after interrupt: %s", ok ? wrun_trap_message(ok) : "");
    cr_assert_eq(r, 42);
  }
  teardown_spin(&fx);
}

Test(api, stack_exhaustion_is_not_an_interrupt) {
  spin_fixture fx;
  setup_spin(&fx);
  wrun_trap *t = call_spin(&fx, "rec", NULL);
  cr_assert_not_null(t);
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_STACK_EXHAUSTED);
  cr_assert_str_eq(wrun_trap_message(t), "call stack exhausted");
  wrun_trap_delete(t);
  teardown_spin(&fx);
}

/* The documented rule: a request made while nothing runs stays pending and
 * stops the next call, once. */
Test(api, interrupt_while_idle_traps_the_next_call_once) {
  spin_fixture fx;
  setup_spin(&fx);
  wrun_store_interrupt(fx.store);
  int32_t r = 0;
  expect_interrupted(call_spin(&fx, "ok", &r));
  wrun_trap *t = call_spin(&fx, "ok", &r);
  cr_assert_null(t);
  cr_assert_eq(r, 42);
  /* A real overflow after that is still reported as one. */
  t = call_spin(&fx, "rec", NULL);
  cr_assert_not_null(t);
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_STACK_EXHAUSTED);
  wrun_trap_delete(t);
  teardown_spin(&fx);
}

/* poke.wasm: the interrupt comes from a host function on the same thread,
 * so the loop header (not a prologue) is the check that must stop it.
 *
 * (module
 *   (import "host" "poke" (func $poke))
 *   (func (export "spin") (loop (call $poke) (br 0)))
 *   (func (export "ok") (result i32) (i32.const 42)))
 */
static const unsigned char poke_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x60,
  0x00, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x02, 0x0d, 0x01, 0x04, 0x68, 0x6f,
  0x73, 0x74, 0x04, 0x70, 0x6f, 0x6b, 0x65, 0x00, 0x00, 0x03, 0x03, 0x02,
  0x00, 0x01, 0x07, 0x0d, 0x02, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x00, 0x01,
  0x02, 0x6f, 0x6b, 0x00, 0x02, 0x0a, 0x10, 0x02, 0x09, 0x00, 0x03, 0x40,
  0x10, 0x00, 0x0c, 0x00, 0x0b, 0x0b, 0x04, 0x00, 0x41, 0x2a, 0x0b,
};

typedef struct poke_state {
  wrun_store *store;
  int calls;
} poke_state;

static wrun_trap *poke(void *env, wrun_caller *caller, const wrun_val *args,
                       size_t nargs, wrun_val *results, size_t nresults) {
  poke_state *st = env;
  if (++st->calls == 3) wrun_store_interrupt(st->store);
  return NULL;
}

Test(api, interrupt_from_a_host_call_stops_at_the_loop_header) {
  wrun_engine *engine = wrun_engine_new();
  poke_state st = {wrun_store_new(engine), 0};
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(engine, poke_wasm, sizeof poke_wasm, &m);
  cr_assert_null(err, "module: %s", err ? wrun_error_message(err) : "");
  wrun_extern imp = {WRUN_EXTERN_FUNC, {0}};
  imp.of.func = wrun_func_new(st.store, NULL, 0, NULL, 0, poke, &st, NULL);
  wrun_instance *inst = NULL;
  wrun_trap *t = NULL;
  wrun_instance_new(st.store, m, &imp, 1, &inst, &err, &t);
  cr_assert_null(err);
  cr_assert_null(t);
  wrun_extern e;
  cr_assert(wrun_instance_export(inst, "spin", &e));
  expect_interrupted(wrun_func_call(st.store, e.of.func, NULL, 0, NULL, 0));
  cr_assert_eq(st.calls, 3, "the loop went on after the request");
  cr_assert(wrun_instance_export(inst, "ok", &e));
  wrun_val r[1];
  t = wrun_func_call(st.store, e.of.func, NULL, 0, r, 1);
  cr_assert_null(t);
  cr_assert_eq(r[0].of.i32, 42);
  wrun_store_delete(st.store);
  wrun_module_delete(m);
  wrun_engine_delete(engine);
}

/* ---- host results of the wrong type ----------------------------------------- */

/* pair.wasm: wasm calls a host import with two results.
 *
 * (module
 *   (import "host" "pair" (func $pair (result i32 i64)))
 *   (func (export "call_pair") (result i32 i64) (call $pair)))
 */
static const unsigned char pair_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x06, 0x01, 0x60,
  0x00, 0x02, 0x7f, 0x7e, 0x02, 0x0d, 0x01, 0x04, 0x68, 0x6f, 0x73, 0x74,
  0x04, 0x70, 0x61, 0x69, 0x72, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07,
  0x0d, 0x01, 0x09, 0x63, 0x61, 0x6c, 0x6c, 0x5f, 0x70, 0x61, 0x69, 0x72,
  0x00, 0x01, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x10, 0x00, 0x0b,
};

/* Returns f32 and f64 where i32 and i64 are declared: both results wrong,
 * so a check that made a trap per wrong result would drop (leak) one. */
static wrun_trap *pair_both_wrong(void *env, wrun_caller *caller,
                                  const wrun_val *args, size_t nargs,
                                  wrun_val *results, size_t nresults) {
  results[0].type = WRUN_F32;
  results[1].type = WRUN_F64;
  return NULL;
}

Test(api, host_results_of_the_wrong_type_trap_once) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(engine, pair_wasm, sizeof pair_wasm, &m);
  cr_assert_null(err, "module: %s", err ? wrun_error_message(err) : "");
  wrun_valtype results[2] = {WRUN_I32, WRUN_I64};
  wrun_extern imp = {WRUN_EXTERN_FUNC, {0}};
  imp.of.func = wrun_func_new(s, NULL, 0, results, 2, pair_both_wrong, NULL,
                              NULL);
  wrun_instance *inst = NULL;
  wrun_trap *t = NULL;
  wrun_instance_new(s, m, &imp, 1, &inst, &err, &t);
  cr_assert_null(err);
  cr_assert_null(t);
  wrun_extern e;
  cr_assert(wrun_instance_export(inst, "call_pair", &e));
  wrun_val r[2];
  t = wrun_func_call(s, e.of.func, NULL, 0, r, 2);
  cr_assert_not_null(t, "wrong result types were accepted");
  cr_expect_str_eq(wrun_trap_message(t),
                   "host function returned a wrong result type");
  wrun_trap_delete(t);
  wrun_store_delete(s);
  wrun_module_delete(m);
  wrun_engine_delete(engine);
}

/* What wasm.h needs of existing objects (runtime/capi/): a table's type and
 * growth, a memory's maximum, a global's type. */
Test(api, object_types_and_table_grow) {
  wrun_engine *e = wrun_engine_new();
  wrun_store *s = wrun_store_new(e);
  wrun_val null_ref = {.type = WRUN_FUNCREF};
  wrun_table *t = wrun_table_new(s, WRUN_FUNCREF, 2, 4, true, null_ref);
  cr_assert(t);
  wrun_valtype elem;
  uint64_t min, max;
  bool has_max;
  wrun_table_type(t, &elem, &min, &max, &has_max);
  cr_assert(elem == WRUN_FUNCREF && min == 2 && max == 4 && has_max);
  cr_assert_eq(wrun_table_grow(t, 1, null_ref), 2);
  cr_assert_eq(wrun_table_grow(t, 2, null_ref), -1); /* past the maximum */
  wrun_val ext = {.type = WRUN_EXTERNREF};
  cr_assert_eq(wrun_table_grow(t, 1, ext), -1); /* init of another type */
  wrun_table_type(t, NULL, &min, NULL, NULL);
  cr_assert_eq(min, 3);

  wrun_memory *m = wrun_memory_new(s, 1, 5, true);
  wrun_memory_max(m, &max, &has_max);
  cr_assert(max == 5 && has_max);
  wrun_memory *m2 = wrun_memory_new(s, 1, 0, false);
  wrun_memory_max(m2, &max, &has_max);
  cr_assert_not(has_max);

  wrun_val init = {.type = WRUN_F64};
  wrun_global *g = wrun_global_new(s, WRUN_F64, true, init);
  wrun_valtype gt;
  bool mut;
  wrun_global_type(g, &gt, &mut);
  cr_assert(gt == WRUN_F64 && mut);
  wrun_store_delete(s);
  wrun_engine_delete(e);
}
