/* wrun.h conveniences for embedders: custom sections, per-store data and
 * the value helpers. */
#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "runtime.h"
#include "wasm_build.h"
#include "wrun.h"

/* A module of custom sections only: "producers" (3 bytes), one named
 * "a\0b" (empty), and a second "producers" (1 byte). */
static wasm_buf customs_module(void) {
  wasm_buf b = {0}, s = {0};
  wb_header(&b);
  wb_name(&s, "producers");
  wb_bytes(&s, "\1\2\3", 3);
  wb_section(&b, 0, &s);
  wb_u32(&s, 3);
  wb_bytes(&s, "a\0b", 3);
  wb_section(&b, 0, &s);
  wb_name(&s, "producers");
  wb_byte(&s, 9);
  wb_section(&b, 0, &s);
  return b;
}

Test(api_extras, custom_sections_in_order_with_exact_names) {
  wasm_buf b = customs_module();
  wb_world w = wb_world_compile(&b);
  cr_assert_eq(wrun_module_custom_section_count(w.module), 3);
  const char *name;
  size_t name_len, len;
  const uint8_t *data;
  cr_assert(wrun_module_custom_section(w.module, 0, &name, &name_len, &data,
                                       &len));
  cr_assert_eq(name_len, 9);
  cr_assert(memcmp(name, "producers", 9) == 0);
  cr_assert_eq(len, 3);
  cr_assert(memcmp(data, "\1\2\3", 3) == 0);
  cr_assert(wrun_module_custom_section(w.module, 1, &name, &name_len, &data,
                                       &len));
  cr_assert_eq(name_len, 3);
  cr_assert(memcmp(name, "a\0b", 3) == 0);
  cr_assert_eq(len, 0);
  cr_assert_not(wrun_module_custom_section(w.module, 3, NULL, NULL, NULL,
                                           NULL));
  /* By name: the first of that name; a NUL inside a name counts. */
  cr_assert(wrun_module_custom_section_named(w.module, "producers", 9, &data,
                                             &len));
  cr_assert_eq(len, 3);
  cr_assert(wrun_module_custom_section_named(w.module, "a\0b", 3, NULL, &len));
  cr_assert_not(wrun_module_custom_section_named(w.module, "a", 1, NULL,
                                                 NULL));
  wb_world_free(&w);
}

static int finalized[3];
static void count_finalize(void *data) { finalized[*(int *)data]++; }

Test(api_extras, store_data_is_finalized_when_replaced_and_at_delete) {
  static int ids[] = {0, 1, 2};
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  cr_assert_null(wrun_store_data(s));
  wrun_store_set_data(s, &ids[0], count_finalize);
  cr_assert_eq(wrun_store_data(s), &ids[0]);
  wrun_store_set_data(s, &ids[1], count_finalize);
  cr_assert_eq(finalized[0], 1, "the replaced data is finalized");
  cr_assert_eq(finalized[1], 0);
  cr_assert_eq(wrun_store_data(s), &ids[1]);
  wrun_store_delete(s);
  cr_assert_eq(finalized[1], 1, "the store's data is finalized at delete");
  s = wrun_store_new(engine);
  wrun_store_set_data(s, &ids[2], NULL); /* no finalizer */
  wrun_store_delete(s);
  cr_assert_eq(finalized[2], 0);
  wrun_engine_delete(engine);
}

/* The host reaches the store's data from a host function. */
static wrun_trap *read_data(void *env, wrun_caller *caller,
                            const wrun_val *args, size_t nargs,
                            wrun_val *results, size_t nresults) {
  results[0] = wrun_val_i32(*(int32_t *)wrun_store_data(wrun_caller_store(caller)));
  return NULL;
}

Test(api_extras, host_functions_see_their_store_data) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  int32_t value = 1234;
  wrun_store_set_data(s, &value, NULL);
  wrun_valtype i32 = WRUN_I32;
  wrun_func *f = wrun_func_new(s, NULL, 0, &i32, 1, read_data, NULL, NULL);
  wrun_val r;
  cr_assert_null(wrun_func_call(s, f, NULL, 0, &r, 1));
  cr_assert_eq(r.of.i32, 1234);
  wrun_store_delete(s);
  wrun_engine_delete(engine);
}

Test(api_extras, value_helpers_keep_types_and_bits) {
  wrun_val v = wrun_val_f32(1.5f);
  cr_assert_eq(v.type, WRUN_F32);
  cr_assert_eq(v.of.f32_bits, 0x3fc00000u);
  cr_assert_eq(wrun_val_as_f32(&v), 1.5f);
  v = wrun_val_f64(-0.25);
  cr_assert_eq(v.type, WRUN_F64);
  cr_assert_eq(v.of.f64_bits, 0xbfd0000000000000ull);
  cr_assert_eq(wrun_val_as_f64(&v), -0.25);
  /* A NaN's payload travels as it is. */
  v.of.f64_bits = 0x7ff4000000000001ull;
  double nan_in = wrun_val_as_f64(&v);
  cr_assert(isnan(nan_in));
  cr_assert_eq(wrun_val_f64(nan_in).of.f64_bits, 0x7ff4000000000001ull);
  cr_assert_eq(wrun_val_i32(-7).type, WRUN_I32);
  cr_assert_eq(wrun_val_i32(-7).of.i32, -7);
  cr_assert_eq(wrun_val_i64(INT64_MIN).of.i64, INT64_MIN);
  cr_assert_eq(wrun_val_funcref(NULL).type, WRUN_FUNCREF);
  int x;
  cr_assert_eq(wrun_val_externref(&x).of.externref, &x);
}

/* Every NULL from a constructor has its reason, per thread. */
Test(api_extras, constructors_say_why_they_return_null) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  cr_assert_null(wrun_memory_new(s, 2, 1, true));
  cr_assert_str_eq(wrun_last_error(),
                   "memory: maximum 1 pages below the minimum 2");
  cr_assert_null(wrun_memory_new(s, 70000, 0, false));
  cr_assert(strstr(wrun_last_error(), "at most 65536 pages"), "%s",
            wrun_last_error());
  wrun_store_limits limits;
  wrun_store_get_limits(s, &limits);
  limits.memories = 0;
  cr_assert_null(wrun_store_set_limits(s, &limits));
  cr_assert_null(wrun_memory_new(s, 1, 0, false));
  cr_assert(strstr(wrun_last_error(), "memories limit exceeded"), "%s",
            wrun_last_error());
  cr_assert_null(wrun_table_new(s, WRUN_FUNCREF, 1, 0, false,
                                wrun_val_i32(0)));
  cr_assert_str_eq(wrun_last_error(),
                   "table: the initial value is not of the element type");
  cr_assert_null(wrun_global_new(s, WRUN_I32, false, wrun_val_i64(1)));
  cr_assert_str_eq(wrun_last_error(),
                   "global: the initial value is not of the global's type");
  cr_assert_null(wrun_func_new(s, NULL, 0, NULL, 0, NULL, NULL, NULL));
  cr_assert_str_eq(wrun_last_error(), "func: no callback");
  wrun_valtype i32 = WRUN_I32;
  wrun_tag *tag = wrun_tag_new(s, &i32, 1);
  cr_assert_not_null(tag);
  cr_assert_null(wrun_exn_new(s, tag, NULL, 0));
  cr_assert_str_eq(wrun_last_error(),
                   "exception: 0 payload values for a tag of 1");
  wrun_store_delete(s);
  wrun_engine_delete(engine);
}

/* ---- the engine linker --------------------------------------------------- */

/* Imports "env" "add" (i32 i32) -> i32; exports run() = add(2, 3), and the
 * import itself as "add". */
static wasm_buf add_importer(void) {
  wasm_buf b = {0}, s = {0};
  wb_header(&b);
  WB_SECTION_OF(&b, 1, 2, 0x60, 2, 0x7F, 0x7F, 1, 0x7F, 0x60, 0, 1, 0x7F);
  wb_u32(&s, 1);
  wb_name(&s, "env");
  wb_name(&s, "add");
  wb_byte(&s, 0x00);
  wb_u32(&s, 0);
  wb_section(&b, 2, &s);
  WB_SECTION_OF(&b, 3, 1, 1);
  wb_u32(&s, 2);
  wb_export(&s, "run", 0x00, 1);
  wb_export(&s, "add", 0x00, 0);
  wb_section(&b, 7, &s);
  wb_u32(&s, 1);
  WB_BODY(&s, 0x41, 2, 0x41, 3, 0x10, 0);
  wb_section(&b, 10, &s);
  return b;
}

typedef struct add_env {
  _Atomic int calls;
  _Atomic int finalized;
} add_env;

static wrun_trap *host_add(void *env, wrun_caller *caller,
                           const wrun_val *args, size_t nargs,
                           wrun_val *results, size_t nresults) {
  atomic_fetch_add(&((add_env *)env)->calls, 1);
  results[0] = wrun_val_i32(args[0].of.i32 + args[1].of.i32);
  return NULL;
}

static void add_finalize(void *env) {
  atomic_fetch_add(&((add_env *)env)->finalized, 1);
}

static wrun_linker *add_linker(wrun_engine *engine, add_env *env) {
  wrun_linker *l = wrun_linker_new_for_engine(engine);
  cr_assert_not_null(l);
  wrun_valtype p[] = {WRUN_I32, WRUN_I32}, r = WRUN_I32;
  cr_assert(wrun_linker_define_func(l, "env", "add", p, 2, &r, 1, host_add,
                                    env, add_finalize),
            "%s", wrun_last_error());
  return l;
}

static wrun_instance *instantiate_in(wrun_linker *l, wrun_store *s,
                                     const wrun_module *m) {
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_linker_instantiate_in(l, s, m, &inst, &err, &trap);
  cr_assert_null(err, "%s", err ? wrun_error_message(err) : "");
  cr_assert_null(trap);
  return inst;
}

static int32_t run(wrun_store *s, wrun_instance *inst) {
  wrun_extern e;
  cr_assert(wrun_instance_export(inst, "run", &e));
  wrun_val r;
  wrun_trap *t = wrun_func_call(s, e.of.func, NULL, 0, &r, 1);
  cr_assert_null(t, "%s", t ? wrun_trap_message(t) : "");
  return r.of.i32;
}

Test(api_extras, engine_linker_serves_many_stores) {
  static add_env env;
  wrun_engine *engine = wrun_engine_new();
  wasm_buf b = add_importer();
  wrun_module *m = wb_compile(engine, &b);
  wrun_linker *l = add_linker(engine, &env);

  for (int i = 0; i < 1000; i++) {
    wrun_store *s = wrun_store_new(engine);
    wrun_instance *a = instantiate_in(l, s, m), *c = instantiate_in(l, s, m);
    cr_assert_eq(run(s, a), 5);
    cr_assert_eq(run(s, c), 5);
    /* One function per store and definition: the same host context (an
     * instance holds a copy of each funcref it imports) in both. */
    wrun_extern fa, fc;
    cr_assert(wrun_instance_export(a, "add", &fa));
    cr_assert(wrun_instance_export(c, "add", &fc));
    cr_assert_eq(((const rt_funcref *)fa.of.func)->ctx,
                 ((const rt_funcref *)fc.of.func)->ctx);
    wrun_store_delete(s);
  }
  cr_assert_eq(env.calls, 2000);
  cr_assert_eq(env.finalized, 0, "the linker still holds the definition");

  /* Deleting the linker while a store uses its function: the env lives
   * until that store is gone. */
  wrun_store *s = wrun_store_new(engine);
  wrun_instance *inst = instantiate_in(l, s, m);
  wrun_linker_delete(l);
  cr_assert_eq(env.finalized, 0);
  cr_assert_eq(run(s, inst), 5);
  wrun_store_delete(s);
  cr_assert_eq(env.finalized, 1, "finalized once, with the last user");
  wrun_module_delete(m);
  wrun_engine_delete(engine);
}

Test(api_extras, engine_linker_refuses_foreign_stores) {
  static add_env env;
  wrun_engine *engine = wrun_engine_new(), *other = wrun_engine_new();
  wasm_buf b = add_importer();
  wrun_module *m = wb_compile(engine, &b);
  wrun_linker *l = add_linker(engine, &env);
  wrun_store *foreign = wrun_store_new(other);
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_linker_instantiate_in(l, foreign, m, &inst, &err, &trap);
  cr_assert_null(inst);
  cr_assert_not_null(err);
  cr_assert(strstr(wrun_error_message(err), "another engine"));
  wrun_error_delete(err);
  /* It has no store of its own. */
  wrun_linker_instantiate(l, m, &inst, &err, &trap);
  cr_assert_null(inst);
  cr_assert_not_null(err);
  cr_assert(strstr(wrun_error_message(err), "wrun_linker_instantiate_in"));
  wrun_error_delete(err);
  wrun_store_delete(foreign);
  wrun_linker_delete(l);
  cr_assert_eq(env.finalized, 1);
  wrun_module_delete(m);
  wrun_engine_delete(engine);
  wrun_engine_delete(other);
}

/* Threads instantiate through one engine linker at once, each in its own
 * stores (TSan checks the sharing). */
typedef struct linker_job {
  wrun_engine *engine;
  wrun_linker *linker;
  wrun_module *module;
  int ok;
} linker_job;

static void *linker_worker(void *arg) {
  linker_job *job = arg;
  for (int i = 0; i < 300; i++) {
    wrun_store *s = wrun_store_new(job->engine);
    wrun_instance *inst = NULL;
    wrun_error *err = NULL;
    wrun_trap *trap = NULL;
    wrun_linker_instantiate_in(job->linker, s, job->module, &inst, &err,
                               &trap);
    wrun_extern e;
    wrun_val r = {0};
    if (inst && wrun_instance_export(inst, "run", &e) &&
        !wrun_func_call(s, e.of.func, NULL, 0, &r, 1) && r.of.i32 == 5)
      job->ok++;
    wrun_error_delete(err);
    wrun_trap_delete(trap);
    wrun_store_delete(s);
  }
  return NULL;
}

Test(api_extras, engine_linker_is_shared_by_threads) {
  static add_env env;
  wrun_engine *engine = wrun_engine_new();
  wasm_buf b = add_importer();
  wrun_module *m = wb_compile(engine, &b);
  wrun_linker *l = add_linker(engine, &env);
  pthread_t th[4];
  linker_job jobs[4];
  for (int i = 0; i < 4; i++) {
    jobs[i] = (linker_job){engine, l, m, 0};
    cr_assert_eq(pthread_create(&th[i], NULL, linker_worker, &jobs[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    pthread_join(th[i], NULL);
    cr_assert_eq(jobs[i].ok, 300, "thread %d: %d of 300", i, jobs[i].ok);
  }
  cr_assert_eq(env.calls, 1200);
  wrun_linker_delete(l);
  cr_assert_eq(env.finalized, 1);
  wrun_module_delete(m);
  wrun_engine_delete(engine);
}
