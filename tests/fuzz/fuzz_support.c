/* See fuzz_support.h. */
#include "fuzz_support.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* One thread for the whole process: a thread per input would cost more
 * than most inputs. The lock also orders an interrupt before a disarm, so
 * no interrupt can reach a store after fuzz_watchdog_disarm returned. */
static pthread_mutex_t dog_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dog_wake = PTHREAD_COND_INITIALIZER;
static wrun_store *dog_store;       /* armed when not NULL */
static struct timespec dog_deadline; /* CLOCK_REALTIME */
static bool dog_started;

static void *watchdog_main(void *arg) {
  (void)arg;
  pthread_mutex_lock(&dog_lock);
  for (;;) {
    if (!dog_store) {
      pthread_cond_wait(&dog_wake, &dog_lock);
      continue;
    }
    int rc = pthread_cond_timedwait(&dog_wake, &dog_lock, &dog_deadline);
    if (rc == ETIMEDOUT && dog_store) {
      wrun_store_interrupt(dog_store);
      dog_store = NULL; /* once per arm */
    }
  }
  return NULL;
}

void fuzz_watchdog_arm(wrun_store *store, long ms) {
  pthread_mutex_lock(&dog_lock);
  if (!dog_started) {
    pthread_t t;
    dog_started = pthread_create(&t, NULL, watchdog_main, NULL) == 0;
    if (dog_started) pthread_detach(t);
  }
  clock_gettime(CLOCK_REALTIME, &dog_deadline);
  dog_deadline.tv_sec += ms / 1000;
  dog_deadline.tv_nsec += (ms % 1000) * 1000000L;
  if (dog_deadline.tv_nsec >= 1000000000L) {
    dog_deadline.tv_sec++;
    dog_deadline.tv_nsec -= 1000000000L;
  }
  dog_store = store;
  pthread_cond_signal(&dog_wake);
  pthread_mutex_unlock(&dog_lock);
}

void fuzz_watchdog_disarm(void) {
  pthread_mutex_lock(&dog_lock);
  dog_store = NULL;
  pthread_cond_signal(&dog_wake);
  pthread_mutex_unlock(&dog_lock);
}
