/* fuzz-exec: runs a module the way `wasm-opt --fuzz-exec-before` (binaryen
 * 108) runs it, so that diff_binaryen.py can compare the two line by line.
 *
 *   fuzz-exec [--timeout-ms N] [--deterministic] MODULE.wasm
 *
 * What binaryen's interpreter does, and so what this does:
 *   - one instance; the imports "fuzzing-support" "log-{i32,i64,f32,f64,
 *     v128}" print "[LoggingExternalInterface logging VALUES]";
 *   - every exported function, in export order: print
 *     "[fuzz-exec] calling NAME", call the export "hangLimitInitializer"
 *     (if there is one) to reset the hang-limit global, then call the
 *     function with zeros; a trap prints "[trap KIND]" and the next export
 *     runs in the same instance; results print as
 *     "[fuzz-exec] note result: NAME => VALUES";
 *   - a trap while instantiating prints "[trap KIND]" and ends the run.
 *
 * Values are printed exactly, as type and bits (i32:0x0000002a,
 * f32:0x7fc00000, v128:0x<lane0>..<lane3> in 32-bit lanes, lane 0 first);
 * diff_binaryen.py converts binaryen's decimal text to the same form. A
 * logged i64 prints as two i32 halves, low first, as binaryen logs it.
 * Trap kinds are wrun's own names (trap_kind below).
 *
 * Exit status: 0 when the run ended normally (traps included), 3 when the
 * watchdog interrupted it (the module ran longer than --timeout-ms, which
 * the hang limit of binaryen's modules should prevent), 2 on a usage, read,
 * compile or link error (binaryen validated the module: wrun must take it).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "watchdog.h"
#include "wrun.h"

enum { EXIT_RAN = 0, EXIT_ERROR = 2, EXIT_INTERRUPTED = 3 };

/* ---- printing values ---------------------------------------------------- */

static void print_value(const wrun_val *v) {
  switch (v->type) {
  case WRUN_I32: printf("i32:0x%08" PRIx32, (uint32_t)v->of.i32); return;
  case WRUN_I64: printf("i64:0x%016" PRIx64, (uint64_t)v->of.i64); return;
  case WRUN_F32: printf("f32:0x%08" PRIx32, v->of.f32_bits); return;
  case WRUN_F64: printf("f64:0x%016" PRIx64, v->of.f64_bits); return;
  case WRUN_V128:
    printf("v128:0x");
    for (int lane = 0; lane < 4; lane++) {
      uint32_t bits;
      memcpy(&bits, v->of.v128 + 4 * lane, 4); /* wasm lanes: little endian */
      printf("%08" PRIx32, bits);
    }
    return;
  case WRUN_FUNCREF: printf("funcref"); return;   /* binaryen prints the */
  case WRUN_EXTERNREF: printf("externref"); return; /* type, not a value */
  case WRUN_EXNREF: printf("exnref"); return;
  case WRUN_ANYREF: printf("anyref"); return;
  }
  printf("?");
}

/* "[fuzz-exec] note result: ..." or the logging line's values. */
static void print_values(const wrun_val *vals, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (i) putchar(' ');
    print_value(&vals[i]);
  }
}

static const char *trap_kind(const wrun_trap *t) {
  switch (wrun_trap_code_of(t)) {
  case WRUN_TRAP_UNREACHABLE: return "unreachable";
  case WRUN_TRAP_INT_DIV_ZERO: return "int-div-zero";
  case WRUN_TRAP_INT_OVERFLOW: return "int-overflow";
  case WRUN_TRAP_BAD_CONVERSION: return "bad-conversion";
  case WRUN_TRAP_MEMORY_OOB: return "memory-oob";
  case WRUN_TRAP_TABLE_OOB: return "table-oob";
  case WRUN_TRAP_UNDEFINED_ELEMENT: return "undefined-element";
  case WRUN_TRAP_UNINITIALIZED_ELEMENT: return "uninitialized-element";
  case WRUN_TRAP_INDIRECT_MISMATCH: return "indirect-mismatch";
  case WRUN_TRAP_STACK_EXHAUSTED: return "stack-exhausted";
  case WRUN_TRAP_INTERRUPT: return "interrupted";
  case WRUN_TRAP_EXIT: return "exit";
  case WRUN_TRAP_HOST: return "host";
  default: return "unknown";
  }
}

/* ---- the fuzzing-support imports ---------------------------------------- */

static wrun_trap *log_values(void *env, wrun_caller *caller,
                             const wrun_val *args, size_t nargs,
                             wrun_val *results, size_t nresults) {
  printf("[LoggingExternalInterface logging");
  for (size_t i = 0; i < nargs; i++) {
    putchar(' ');
    if (args[i].type == WRUN_I64) {
      /* binaryen logs an i64 as its two i32 halves (what JS legalisation
       * would pass), low half first */
      uint64_t bits = (uint64_t)args[i].of.i64;
      wrun_val lo = {.type = WRUN_I32, .of.i32 = (int32_t)(uint32_t)bits};
      wrun_val hi = {.type = WRUN_I32,
                     .of.i32 = (int32_t)(uint32_t)(bits >> 32)};
      print_value(&lo);
      putchar(' ');
      print_value(&hi);
    } else {
      print_value(&args[i]);
    }
  }
  printf("]\n");
  return NULL;
}

/* Import i as a logging host function, when it is one of binaryen's
 * (module "fuzzing-support", name "log-*", no results); else NULL. */
static wrun_func *logging_import(wrun_store *store, const wrun_module *m,
                                 size_t i) {
  const char *module, *name;
  size_t nparams = 0, nresults = 0;
  wrun_module_import(m, i, &module, &name, NULL);
  if (strcmp(module, "fuzzing-support") != 0 || strncmp(name, "log-", 4) != 0)
    return NULL;
  if (!wrun_module_import_func(m, i, &nparams, &nresults) || nresults != 0 ||
      nparams > 16)
    return NULL;
  wrun_valtype params[16];
  for (size_t k = 0; k < nparams; k++)
    params[k] = wrun_module_import_func_param(m, i, k);
  return wrun_func_new(store, params, nparams, NULL, 0, log_values, NULL,
                       NULL);
}

/* ---- the engine ---------------------------------------------------------- */

/* With deterministic, NaN results are canonical (wrun_config_deterministic),
 * so diff_binaryen.py can compare NaN bits exactly. */
static wrun_engine *new_engine(bool deterministic) {
  wrun_config *config = wrun_config_new();
  if (!config) return NULL;
  wrun_config_deterministic(config, deterministic);
  wrun_engine *engine = wrun_engine_new_with_config(config);
  wrun_config_delete(config);
  return engine;
}

/* ---- running the exports --------------------------------------------------- */

/* Calls f with zeros, as binaryen does; returns its trap or NULL and prints
 * nothing (the caller prints). */
static wrun_trap *call_with_zeros(wrun_store *store, const wrun_func *f,
                                  wrun_val *results, size_t nresults) {
  size_t nparams = wrun_func_param_count(f);
  wrun_val *args = calloc(nparams + 1, sizeof *args);
  if (!args) return wrun_trap_new("fuzz-exec: out of memory");
  for (size_t k = 0; k < nparams; k++)
    args[k].type = wrun_func_param_type(f, k); /* and zero bits */
  wrun_trap *trap = wrun_func_call(store, f, args, nparams, results,
                                   nresults);
  free(args);
  return trap;
}

/* Prints the trap; true if the run must stop (interrupted). */
static bool report_trap(wrun_trap *trap) {
  bool interrupted = wrun_trap_code_of(trap) == WRUN_TRAP_INTERRUPT;
  printf("[trap %s]\n", trap_kind(trap));
  if (wrun_trap_code_of(trap) == WRUN_TRAP_HOST)
    fprintf(stderr, "fuzz-exec: host trap: %s\n", wrun_trap_message(trap));
  wrun_trap_delete(trap);
  return interrupted;
}

/* One export, binaryen's way. Returns false if the run must stop. */
static bool run_export(wrun_store *store, const char *name, const wrun_func *f,
                       const wrun_func *hang_reset) {
  printf("[fuzz-exec] calling %s\n", name);
  size_t nresults = wrun_func_result_count(f);
  wrun_val *results = calloc(nresults + 1, sizeof *results);
  if (!results) return false;
  wrun_trap *trap = NULL;
  if (hang_reset) trap = call_with_zeros(store, hang_reset, NULL, 0);
  if (!trap) trap = call_with_zeros(store, f, results, nresults);
  bool go_on = true;
  if (trap) {
    go_on = !report_trap(trap);
  } else if (nresults > 0) {
    printf("[fuzz-exec] note result: %s => ", name);
    print_values(results, nresults);
    putchar('\n');
  }
  free(results);
  fflush(stdout); /* a crash in the next export keeps this one's lines */
  return go_on;
}

static bool find_func_export(wrun_instance *inst, const char *name,
                             const wrun_func **out) {
  wrun_extern ext;
  if (!wrun_instance_export(inst, name, &ext) || ext.kind != WRUN_EXTERN_FUNC)
    return false;
  *out = ext.of.func;
  return true;
}

/* Instantiates and runs every exported function; the exit status. */
static int run_instance(wrun_store *store, const wrun_module *m) {
  size_t nimports = wrun_module_import_count(m);
  wrun_extern *imports = calloc(nimports + 1, sizeof *imports);
  if (!imports) return EXIT_ERROR;
  for (size_t i = 0; i < nimports; i++) {
    imports[i].kind = WRUN_EXTERN_FUNC;
    imports[i].of.func = logging_import(store, m, i);
    if (!imports[i].of.func) {
      const char *module, *name;
      wrun_module_import(m, i, &module, &name, NULL);
      fprintf(stderr, "fuzz-exec: import %s.%s is not binaryen's logging\n",
              module, name);
      free(imports);
      return EXIT_ERROR;
    }
  }
  wrun_instance *inst = NULL;
  wrun_error *error = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(store, m, imports, nimports, &inst, &error, &trap);
  free(imports);
  if (error) {
    fprintf(stderr, "fuzz-exec: cannot instantiate: %s\n",
            wrun_error_message(error));
    wrun_error_delete(error);
    return EXIT_ERROR;
  }
  if (trap) return report_trap(trap) ? EXIT_INTERRUPTED : EXIT_RAN;

  const wrun_func *hang_reset = NULL;
  find_func_export(inst, "hangLimitInitializer", &hang_reset);
  size_t nexports = wrun_instance_export_count(inst);
  for (size_t i = 0; i < nexports; i++) {
    const char *name = wrun_instance_export_name(inst, i);
    const wrun_func *f;
    if (!name || !find_func_export(inst, name, &f)) continue;
    if (!run_export(store, name, f, hang_reset))
      return EXIT_INTERRUPTED;
  }
  return EXIT_RAN;
}

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, used = 0;
  uint8_t *buf = malloc(cap);
  while (buf) {
    used += fread(buf + used, 1, cap - used, f);
    if (used < cap) break;
    uint8_t *grown = realloc(buf, cap * 2);
    if (!grown) free(buf);
    buf = grown;
    cap *= 2;
  }
  fclose(f);
  *len = used;
  return buf;
}

int main(int argc, char **argv) {
  long timeout_ms = 10000;
  bool deterministic = false;
  int i = 1;
  for (; i < argc - 1; i++) {
    if (strcmp(argv[i], "--timeout-ms") == 0 && i + 2 < argc)
      timeout_ms = strtol(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--deterministic") == 0)
      deterministic = true;
    else
      break;
  }
  if (i != argc - 1 || timeout_ms <= 0) {
    fprintf(stderr, "usage: fuzz-exec [--timeout-ms N] [--deterministic] "
                    "MODULE.wasm\n");
    return EXIT_ERROR;
  }
  size_t len;
  uint8_t *bytes = read_file(argv[i], &len);
  if (!bytes) {
    fprintf(stderr, "fuzz-exec: cannot read %s\n", argv[i]);
    return EXIT_ERROR;
  }
  wrun_engine *engine = new_engine(deterministic);
  if (!engine) {
    fprintf(stderr, "fuzz-exec: cannot create an engine\n");
    free(bytes);
    return EXIT_ERROR;
  }
  wrun_module *m = NULL;
  wrun_error *error = wrun_module_new(engine, bytes, len, &m);
  free(bytes);
  if (error) {
    fprintf(stderr, "fuzz-exec: %s: %s (at byte offset %zu)\n", argv[i],
            wrun_error_message(error), wrun_error_offset(error));
    wrun_error_delete(error);
    wrun_engine_delete(engine);
    return EXIT_ERROR;
  }
  wrun_store *store = wrun_store_new(engine);
  /* FUEL: when wrun has fuel, bound the run by fuel here instead of (or as
   * well as) wall-clock time: a deterministic limit does not depend on the
   * machine's load. */
  /* A run that outlives --timeout-ms is interrupted (cli/watchdog.h). */
  int status = EXIT_ERROR;
  watchdog *dog = watchdog_new();
  if (!dog) {
    fprintf(stderr, "fuzz-exec: cannot start the watchdog\n");
  } else {
    watchdog_arm(dog, store, (double)timeout_ms / 1000);
    status = run_instance(store, m);
    watchdog_delete(dog);
  }
  fflush(stdout);
  wrun_store_delete(store);
  wrun_module_delete(m);
  wrun_engine_delete(engine);
  return status;
}
