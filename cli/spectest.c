/* The `spectest` host module, built from host objects of the public API.
 * Its contents are fixed by the spec interpreter's spectest.ml.
 *
 * The Wasm 3.0 scripts import one thing more: `table64` (table64.wast), a
 * funcref table 10..20 with i64 indices (wrun_table_new64), and the
 * threads proposal's scripts `shared_memory` (1..2 pages, shared:
 * wrun_memory_new_shared). No 3.0 script imports a 64-bit memory from
 * spectest (the spec interpreter has none). */
#include "spectest.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef struct spectest_print {
  const char *name;
  wrun_valtype params[2];
  size_t nparams;
} spectest_print;

static const spectest_print print_funcs[] = {
  {"print", {0}, 0},
  {"print_i32", {WRUN_I32}, 1},
  {"print_i64", {WRUN_I64}, 1},
  {"print_f32", {WRUN_F32}, 1},
  {"print_f64", {WRUN_F64}, 1},
  {"print_i32_f32", {WRUN_I32, WRUN_F32}, 2},
  {"print_f64_f64", {WRUN_F64, WRUN_F64}, 2},
};

/* Quiet printers are shared; verbose ones need to know their name. */
typedef struct spectest_env {
  const spectest_print *func;
  bool verbose;
} spectest_env;

static spectest_env envs[2][sizeof print_funcs / sizeof print_funcs[0]];

static void print_value(const wrun_val *v) {
  float f;
  double d;
  switch (v->type) {
  case WRUN_I32: printf("%" PRId32 " : i32", v->of.i32); break;
  case WRUN_I64: printf("%" PRId64 " : i64", v->of.i64); break;
  case WRUN_F32:
    memcpy(&f, &v->of.f32_bits, sizeof f);
    printf("%g : f32", (double)f);
    break;
  case WRUN_F64:
    memcpy(&d, &v->of.f64_bits, sizeof d);
    printf("%g : f64", d);
    break;
  default: printf("? : %#x", (unsigned)v->type); break;
  }
}

static wrun_trap *spectest_print_cb(void *env, wrun_caller *caller,
                                    const wrun_val *args, size_t nargs,
                                    wrun_val *results, size_t nresults) {
  const spectest_env *e = env;
  if (!e->verbose)
    return NULL;
  printf("spectest.%s(", e->func->name);
  for (size_t i = 0; i < nargs; i++) {
    if (i)
      printf(", ");
    print_value(&args[i]);
  }
  printf(")\n");
  fflush(stdout);
  return NULL;
}

static bool define_prints(wrun_store *store, wrun_linker *linker,
                          bool verbose) {
  for (size_t i = 0; i < sizeof print_funcs / sizeof print_funcs[0]; i++) {
    spectest_env *env = &envs[verbose][i];
    env->func = &print_funcs[i];
    env->verbose = verbose;
    wrun_func *f = wrun_func_new(store, print_funcs[i].params,
                                 print_funcs[i].nparams, NULL, 0,
                                 spectest_print_cb, env, NULL);
    if (!f)
      return false;
    wrun_extern ext = {.kind = WRUN_EXTERN_FUNC, .of.func = f};
    wrun_linker_define(linker, "spectest", print_funcs[i].name, ext);
  }
  return true;
}

static bool define_global(wrun_store *store, wrun_linker *linker,
                          const char *name, wrun_val init) {
  wrun_global *g = wrun_global_new(store, init.type, false, init);
  if (!g)
    return false;
  wrun_extern ext = {.kind = WRUN_EXTERN_GLOBAL, .of.global = g};
  wrun_linker_define(linker, "spectest", name, ext);
  return true;
}

static bool define_globals(wrun_store *store, wrun_linker *linker) {
  const float f32 = 666.6f;
  const double f64 = 666.6;
  wrun_val i32v = {.type = WRUN_I32, .of.i32 = 666};
  wrun_val i64v = {.type = WRUN_I64, .of.i64 = 666};
  wrun_val f32v = {.type = WRUN_F32};
  wrun_val f64v = {.type = WRUN_F64};
  memcpy(&f32v.of.f32_bits, &f32, sizeof f32);
  memcpy(&f64v.of.f64_bits, &f64, sizeof f64);
  return define_global(store, linker, "global_i32", i32v) &&
         define_global(store, linker, "global_i64", i64v) &&
         define_global(store, linker, "global_f32", f32v) &&
         define_global(store, linker, "global_f64", f64v);
}

bool spectest_define(wrun_store *store, wrun_linker *linker, bool verbose) {
  if (!define_prints(store, linker, verbose) ||
      !define_globals(store, linker))
    return false;

  wrun_val null_func = {.type = WRUN_FUNCREF, .of.funcref = NULL};
  wrun_table *table = wrun_table_new(store, WRUN_FUNCREF, 10, 20, true,
                                     null_func);
  if (!table)
    return false;
  wrun_linker_define(linker, "spectest", "table",
                     (wrun_extern){.kind = WRUN_EXTERN_TABLE,
                                   .of.table = table});

  wrun_table *table64 = wrun_table_new64(store, WRUN_FUNCREF, 10, 20, true,
                                         null_func);
  if (!table64)
    return false;
  wrun_linker_define(linker, "spectest", "table64",
                     (wrun_extern){.kind = WRUN_EXTERN_TABLE,
                                   .of.table = table64});

  wrun_memory *memory = wrun_memory_new(store, 1, 2, true);
  if (!memory)
    return false;
  wrun_linker_define(linker, "spectest", "memory",
                     (wrun_extern){.kind = WRUN_EXTERN_MEMORY,
                                   .of.memory = memory});
  wrun_memory *shared = wrun_memory_new_shared(store, 1, 2);
  if (!shared)
    return false;
  wrun_linker_define(linker, "spectest", "shared_memory",
                     (wrun_extern){.kind = WRUN_EXTERN_MEMORY,
                                   .of.memory = shared});
  return true;
}
