/* See fuzz_support.h. */
#include "fuzz_support.h"

#include <stdlib.h>
#include <string.h>

#include "watchdog.h"

wrun_engine *fuzz_engine(void) {
  static wrun_engine *engine;
  if (!engine) engine = wrun_engine_new();
  return engine;
}

wrun_store *fuzz_store_new(void) {
  wrun_store *store = wrun_store_new(fuzz_engine());
  if (store) wrun_store_set_max_memory(store, FUZZ_MAX_MEMORY);
  return store;
}

/* ---- running -------------------------------------------------------------- */

static void call_with_zeros(wrun_store *store, const wrun_func *f) {
  size_t nparams = wrun_func_param_count(f);
  size_t nresults = wrun_func_result_count(f);
  wrun_val *args = calloc(nparams + 1, sizeof *args);
  wrun_val *results = calloc(nresults + 1, sizeof *results);
  if (args && results) {
    for (size_t k = 0; k < nparams; k++)
      args[k] = fuzz_zero_of(wrun_func_param_type(f, k));
    fuzz_watchdog_arm(store, FUZZ_RUN_MS);
    wrun_trap_delete(wrun_func_call(store, f, args, nparams, results,
                                    nresults));
    fuzz_watchdog_disarm();
  }
  free(args);
  free(results);
}

void fuzz_run_exports(wrun_store *store, const wrun_module *m) {
  size_t nimports = wrun_module_import_count(m);
  wrun_extern *imports = calloc(nimports + 1, sizeof *imports);
  if (!imports) return;
  for (size_t i = 0; i < nimports; i++)
    if (!fuzz_stub_import(store, m, i, &imports[i])) {
      free(imports);
      return;
    }
  wrun_instance *inst = NULL;
  wrun_error *error = NULL;
  wrun_trap *trap = NULL;
  fuzz_watchdog_arm(store, FUZZ_RUN_MS); /* the start function may loop */
  wrun_instance_new(store, m, imports, nimports, &inst, &error, &trap);
  fuzz_watchdog_disarm();
  free(imports);
  wrun_error_delete(error);
  wrun_trap_delete(trap);
  if (!inst) return;
  size_t nexports = wrun_instance_export_count(inst);
  for (size_t i = 0; i < nexports; i++) {
    size_t len = 0;
    const char *name = wrun_instance_export_name_n(inst, i, &len);
    wrun_extern ext;
    if (name && wrun_instance_export_n(inst, name, len, &ext) &&
        ext.kind == WRUN_EXTERN_FUNC)
      call_with_zeros(store, ext.of.func);
  }
}

/* ---- the watchdog ------------------------------------------------------------ */

/* One thread for the whole process (cli/watchdog.h), made on first use: a
 * thread per input would cost more than most inputs. Without it the runs
 * are not bounded, and libFuzzer's own -timeout catches a hang. */
static watchdog *process_watchdog(void) {
  static watchdog *dog;
  if (!dog) dog = watchdog_new();
  return dog;
}

void fuzz_watchdog_arm(wrun_store *store, long ms) {
  watchdog *dog = process_watchdog();
  if (dog) watchdog_arm(dog, store, (double)ms / 1000);
}

void fuzz_watchdog_disarm(void) {
  watchdog *dog = process_watchdog();
  if (dog) watchdog_disarm(dog);
}
