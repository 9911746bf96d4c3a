/* Store isolation: every API entry point that takes a func, table,
 * memory, global or extern refuses one of another store. The bug this
 * guards: a funcref of store A set into store B's table was accepted, and
 * after wrun_store_delete(A) a call through B's table ran freed memory
 * (and while B ran A's function, wrun_store_interrupt(B) could not stop
 * it). One test per entry point, each with a same-store control. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"
#include "wasm_build.h"
#include "wrun.h"

/* ---- fixture: two stores of one engine -------------------------------------- */

static wrun_engine *engine;
static wrun_store *a, *b;
static int host_calls; /* how often the host functions below ran */

static void open_stores(void) {
  engine = wrun_engine_new();
  a = wrun_store_new(engine);
  b = wrun_store_new(engine);
  cr_assert(a && b);
  host_calls = 0;
}

static void close_stores(void) {
  wrun_store_delete(a);
  wrun_store_delete(b);
  wrun_engine_delete(engine);
}

TestSuite(isolation, .init = open_stores, .fini = close_stores);

static const wrun_valtype I32[] = {WRUN_I32};
static const wrun_valtype FUNCREF[] = {WRUN_FUNCREF};

static wrun_trap *answer(void *env, wrun_caller *caller, const wrun_val *args,
                         size_t nargs, wrun_val *results, size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)nresults;
  host_calls++;
  results[0].of.i32 = 42;
  return NULL;
}

/* () -> i32, 42, in store s. */
static wrun_func *answer_in(wrun_store *s) {
  wrun_func *f = wrun_func_new(s, NULL, 0, I32, 1, answer, NULL, NULL);
  cr_assert_not_null(f);
  return f;
}

static wrun_val funcref(wrun_func *f) {
  wrun_val v = {.type = WRUN_FUNCREF, .of.funcref = f};
  return v;
}

/* The instantiation error's message (freed by the next call), asserting
 * that there is one. */
static const char *refusal(wrun_store *s, const wrun_module *m,
                           const wrun_extern *imports, size_t n) {
  static char msg[256];
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(s, m, imports, n, &inst, &err, &trap);
  cr_assert_null(trap);
  cr_assert_null(inst);
  cr_assert_not_null(err, "instantiation should have been refused");
  snprintf(msg, sizeof msg, "%s", wrun_error_message(err));
  wrun_error_delete(err);
  return msg;
}

static wrun_extern export_of(const wrun_instance *inst, const char *name) {
  wrun_extern ext;
  cr_assert(wrun_instance_export(inst, name, &ext), "no export %s", name);
  return ext;
}

static int32_t call_i32(wrun_store *s, const wrun_func *f) {
  wrun_val out;
  wrun_trap *t = wrun_func_call(s, f, NULL, 0, &out, 1);
  cr_assert_null(t, "%s", t ? wrun_trap_message(t) : "");
  return out.of.i32;
}

/* The message of the trap of calling f with no arguments. */
static const char *trap_of_call(wrun_store *s, const wrun_func *f,
                                size_t nresults) {
  static char msg[256];
  wrun_val out[1];
  wrun_trap *t = wrun_func_call(s, f, NULL, 0, out, nresults);
  cr_assert_not_null(t, "the call should have trapped");
  snprintf(msg, sizeof msg, "%s", wrun_trap_message(t));
  wrun_trap_delete(t);
  return msg;
}

/* ---- modules, made here --------------------------------------------------------- */

/* (module (type (func (result i32))) (table (export "t") 1 funcref)
 *   (func (export "call0") (type 0) i32.const 0 call_indirect (type 0))) */
static wrun_module *indirect_module(void) {
  wasm_buf m = {0}, s = {0};
  wb_header(&m);
  wb_bytes(&s, "\1\x60\0\1\x7f", 5);
  wb_section(&m, 1, &s);
  wb_bytes(&s, "\1\0", 2);
  wb_section(&m, 3, &s);
  wb_table_section(&m, 1, 1);
  wb_byte(&s, 2);
  wb_name(&s, "t");
  wb_bytes(&s, "\1\0", 2);
  wb_name(&s, "call0");
  wb_bytes(&s, "\0\0", 2);
  wb_section(&m, 7, &s);
  static const uint8_t body[] = {1, 7, 0, 0x41, 0, 0x11, 0, 0, 0x0b};
  wb_bytes(&s, body, sizeof body);
  wb_section(&m, 10, &s);
  return wb_compile(engine, &m);
}

/* (module (type (func (result i32)))
 *   (import "env" "x" <kind>: (func (type 0)) | (table 0 funcref) |
 *                              (memory 0) | (global i32))) */
static wrun_module *import_module(wrun_externkind kind) {
  wasm_buf m = {0}, s = {0};
  wb_header(&m);
  wb_bytes(&s, "\1\x60\0\1\x7f", 5);
  wb_section(&m, 1, &s);
  wb_byte(&s, 1);
  wb_name(&s, "env");
  wb_name(&s, "x");
  wb_byte(&s, (uint8_t)kind);
  switch (kind) {
  case WRUN_EXTERN_FUNC: wb_byte(&s, 0); break;
  case WRUN_EXTERN_TABLE: wb_bytes(&s, "\x70\0\0", 3); break;
  case WRUN_EXTERN_MEMORY: wb_bytes(&s, "\0\0", 2); break;
  case WRUN_EXTERN_GLOBAL: wb_bytes(&s, "\x7f\0", 2); break;
  case WRUN_EXTERN_TAG: break; /* not among the kinds tested here */
  }
  wb_section(&m, 2, &s);
  return wb_compile(engine, &m);
}

/* One extern of each kind, made in store s, matching import_module. */
static wrun_extern extern_in(wrun_store *s, wrun_externkind kind) {
  wrun_extern e = {.kind = kind};
  wrun_val zero = {.type = WRUN_I32, .of.i32 = 0};
  switch (kind) {
  case WRUN_EXTERN_FUNC: e.of.func = answer_in(s); break;
  case WRUN_EXTERN_TABLE:
    e.of.table = wrun_table_new(s, WRUN_FUNCREF, 0, 0, false, funcref(NULL));
    break;
  case WRUN_EXTERN_MEMORY: e.of.memory = wrun_memory_new(s, 0, 0, false); break;
  case WRUN_EXTERN_GLOBAL: e.of.global = wrun_global_new(s, WRUN_I32, false,
                                                          zero); break;
  case WRUN_EXTERN_TAG: e.of.tag = wrun_tag_new(s, NULL, 0); break;
  }
  cr_assert_not_null(e.of.func);
  return e;
}

/* ---- tables ----------------------------------------------------------------------- */

Test(isolation, table_set_refuses_a_funcref_of_another_store) {
  wrun_module *m = indirect_module();
  wrun_instance *in_a = wb_instantiate(a, m, NULL, 0);
  wrun_instance *in_b = wb_instantiate(b, m, NULL, 0);
  wrun_table *table_b = export_of(in_b, "t").of.table;
  wrun_func *wasm_a = export_of(in_a, "call0").of.func;
  cr_assert_not(wrun_table_set(table_b, 0, funcref(answer_in(a))),
                "a host function of A");
  cr_assert_not(wrun_table_set(table_b, 0, funcref(wasm_a)),
                "a wasm function of A");
  wrun_val v;
  cr_assert(wrun_table_get(table_b, 0, &v));
  cr_assert_null(v.of.funcref, "the element is unchanged");

  /* With A gone, B's call through its table finds no function, not
   * freed memory. */
  wrun_store_delete(a);
  a = wrun_store_new(engine);
  wrun_func *call0 = export_of(in_b, "call0").of.func;
  cr_assert_str_eq(trap_of_call(b, call0, 1), "uninitialized element");

  cr_assert(wrun_table_set(table_b, 0, funcref(answer_in(b))), "same store");
  cr_assert_eq(call_i32(b, call0), 42);
  cr_assert(wrun_table_set(table_b, 0, funcref(NULL)), "null belongs anywhere");
  wrun_module_delete(m);
}

Test(isolation, table_new_refuses_an_init_value_of_another_store) {
  uint64_t tables = b->ntables;
  cr_assert_null(wrun_table_new(b, WRUN_FUNCREF, 4, 0, false,
                                funcref(answer_in(a))));
  cr_assert_eq(b->ntables, tables, "no table was made");
  wrun_table *t = wrun_table_new(b, WRUN_FUNCREF, 4, 0, false,
                                 funcref(answer_in(b)));
  cr_assert_not_null(t, "same store");
}

/* ---- globals ---------------------------------------------------------------------- */

Test(isolation, global_new_refuses_an_init_value_of_another_store) {
  cr_assert_null(wrun_global_new(b, WRUN_FUNCREF, true,
                                 funcref(answer_in(a))));
  cr_assert_not_null(wrun_global_new(b, WRUN_FUNCREF, true,
                                     funcref(answer_in(b))));
}

Test(isolation, global_set_refuses_a_funcref_of_another_store) {
  wrun_func *own = answer_in(b);
  wrun_global *g = wrun_global_new(b, WRUN_FUNCREF, true, funcref(own));
  cr_assert_not_null(g);
  cr_assert_not(wrun_global_set(g, funcref(answer_in(a))));
  wrun_val v;
  wrun_global_get(g, &v);
  cr_assert_eq(v.of.funcref, own, "the value is unchanged");
  cr_assert(wrun_global_set(g, funcref(NULL)));
  cr_assert(wrun_global_set(g, funcref(answer_in(b))));
}

/* ---- calls ------------------------------------------------------------------------- */

Test(isolation, func_call_refuses_a_function_of_another_store) {
  wrun_func *host_a = answer_in(a);
  cr_assert_str_eq(trap_of_call(b, host_a, 1),
                   "function belongs to another store");
  cr_assert_eq(host_calls, 0, "it did not run");
  wrun_module *m = indirect_module();
  wrun_instance *in_a = wb_instantiate(a, m, NULL, 0);
  wrun_func *wasm_a = export_of(in_a, "call0").of.func;
  cr_assert_str_eq(trap_of_call(b, wasm_a, 1),
                   "function belongs to another store");
  /* B's interrupt could not have stopped A's code; now it never runs. */
  cr_assert_eq(call_i32(a, host_a), 42, "in its own store it runs");
  wrun_module_delete(m);
}

static wrun_trap *take_funcref(void *env, wrun_caller *caller,
                               const wrun_val *args, size_t nargs,
                               wrun_val *results, size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)results,
      (void)nresults;
  host_calls++;
  return NULL;
}

Test(isolation, func_call_refuses_a_funcref_argument_of_another_store) {
  wrun_func *f = wrun_func_new(b, FUNCREF, 1, NULL, 0, take_funcref, NULL,
                               NULL);
  wrun_val arg = funcref(answer_in(a));
  wrun_trap *t = wrun_func_call(b, f, &arg, 1, NULL, 0);
  cr_assert_not_null(t);
  cr_assert_str_eq(wrun_trap_message(t),
                   "argument 0 is a funcref of another store");
  wrun_trap_delete(t);
  cr_assert_eq(host_calls, 0);
  arg = funcref(answer_in(b));
  cr_assert_null(wrun_func_call(b, f, &arg, 1, NULL, 0), "same store");
  cr_assert_eq(host_calls, 1);
}

static wrun_trap *return_env_funcref(void *env, wrun_caller *caller,
                                     const wrun_val *args, size_t nargs,
                                     wrun_val *results, size_t nresults) {
  (void)caller, (void)args, (void)nargs, (void)nresults;
  results[0].of.funcref = env;
  return NULL;
}

/* (module (type (func (result funcref))) (import "env" "get" (func (type 0)))
 *   (func (export "f") (type 0) call 0)) */
static wrun_module *forward_module(void) {
  wasm_buf m = {0}, s = {0};
  wb_header(&m);
  wb_bytes(&s, "\1\x60\0\1\x70", 5);
  wb_section(&m, 1, &s);
  wb_byte(&s, 1);
  wb_name(&s, "env");
  wb_name(&s, "get");
  wb_bytes(&s, "\0\0", 2);
  wb_section(&m, 2, &s);
  wb_bytes(&s, "\1\0", 2);
  wb_section(&m, 3, &s);
  wb_byte(&s, 1);
  wb_name(&s, "f");
  wb_bytes(&s, "\0\1", 2);
  wb_section(&m, 7, &s);
  static const uint8_t body[] = {1, 4, 0, 0x10, 0, 0x0b};
  wb_bytes(&s, body, sizeof body);
  wb_section(&m, 10, &s);
  return wb_compile(engine, &m);
}

Test(isolation, host_function_results_of_another_store_trap) {
  wrun_func *foreign = wrun_func_new(b, NULL, 0, FUNCREF, 1,
                                     return_env_funcref, answer_in(a), NULL);
  wrun_func *own = wrun_func_new(b, NULL, 0, FUNCREF, 1, return_env_funcref,
                                 answer_in(b), NULL);
  const char *want = "host function returned a funcref of another store";
  cr_assert_str_eq(trap_of_call(b, foreign, 1), want, "called from the host");
  wrun_module *m = forward_module();
  wrun_extern imp = {.kind = WRUN_EXTERN_FUNC, .of.func = foreign};
  wrun_instance *inst = wb_instantiate(b, m, &imp, 1);
  cr_assert_str_eq(trap_of_call(b, export_of(inst, "f").of.func, 1), want,
                   "called from wasm");
  imp.of.func = own;
  inst = wb_instantiate(b, m, &imp, 1);
  wrun_val out;
  cr_assert_null(wrun_func_call(b, export_of(inst, "f").of.func, NULL, 0,
                                &out, 1), "same store");
  cr_assert_not_null(out.of.funcref);
  wrun_module_delete(m);
}

/* ---- imports ------------------------------------------------------------------------ */

static void refuse_import_of_kind(wrun_externkind kind) {
  wrun_module *m = import_module(kind);
  wrun_extern foreign = extern_in(a, kind);
  cr_assert_str_eq(refusal(b, m, &foreign, 1),
                   "import `env`.`x` belongs to another store");
  wrun_extern own = extern_in(b, kind);
  wb_instantiate(b, m, &own, 1);
  wrun_module_delete(m);
}

Test(isolation, instance_new_refuses_a_func_of_another_store) {
  refuse_import_of_kind(WRUN_EXTERN_FUNC);
}

Test(isolation, instance_new_refuses_a_table_of_another_store) {
  refuse_import_of_kind(WRUN_EXTERN_TABLE);
}

Test(isolation, instance_new_refuses_a_memory_of_another_store) {
  refuse_import_of_kind(WRUN_EXTERN_MEMORY);
}

Test(isolation, instance_new_refuses_a_global_of_another_store) {
  refuse_import_of_kind(WRUN_EXTERN_GLOBAL);
}

Test(isolation, linker_refuses_definitions_of_another_store) {
  wrun_module *m = import_module(WRUN_EXTERN_FUNC);
  wrun_linker *l = wrun_linker_new(b);
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;

  wrun_linker_define(l, "env", "x", extern_in(a, WRUN_EXTERN_FUNC));
  wrun_linker_instantiate(l, m, &inst, &err, &trap);
  cr_assert_not_null(err);
  cr_assert_str_eq(wrun_error_message(err),
                   "import `env`.`x` belongs to another store");
  wrun_error_delete(err);

  /* An instance of A defined whole: its exports belong to A too. */
  wrun_module *exporter = indirect_module();
  wrun_instance *in_a = wb_instantiate(a, exporter, NULL, 0);
  wrun_module *imports_call0 = NULL;
  {
    wasm_buf buf = {0}, s = {0};
    wb_header(&buf);
    wb_bytes(&s, "\1\x60\0\1\x7f", 5);
    wb_section(&buf, 1, &s);
    wb_byte(&s, 1);
    wb_name(&s, "a");
    wb_name(&s, "call0");
    wb_bytes(&s, "\0\0", 2);
    wb_section(&buf, 2, &s);
    imports_call0 = wb_compile(engine, &buf);
  }
  wrun_linker_define_instance(l, "a", in_a);
  wrun_linker_instantiate(l, imports_call0, &inst, &err, &trap);
  cr_assert_not_null(err);
  cr_assert_str_eq(wrun_error_message(err),
                   "import `a`.`call0` belongs to another store");
  wrun_error_delete(err);

  wrun_linker_define(l, "env", "x", extern_in(b, WRUN_EXTERN_FUNC));
  wrun_linker_instantiate(l, m, &inst, &err, &trap);
  cr_assert_null(err, "same store");
  cr_assert_not_null(inst);
  wrun_linker_delete(l);
  wrun_module_delete(imports_call0);
  wrun_module_delete(exporter);
  wrun_module_delete(m);
}
