/* One engine linker shared by threads that instantiate through it at
 * once, each in stores of its own (wrun_linker_instantiate_in), without
 * criterion so that a ThreadSanitizer build runs it (see threads.c): the
 * templates, their per-store functions and the env's refcount are
 * shared. Every result is checked; exit 1 on any wrong one.
 *
 *   engine_linker ENGINE_LINKER.wasm */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "read_file.h"
#include "wrun.h"

#define NTHREADS 4
#define ROUNDS 500

static _Atomic int calls, finalized;
static wrun_engine *engine;
static wrun_linker *linker;
static wrun_module *module;

static wrun_trap *add(void *env, wrun_caller *caller, const wrun_val *args,
                      size_t nargs, wrun_val *results, size_t nresults) {
  atomic_fetch_add(&calls, 1);
  results[0] = wrun_val_i32(args[0].of.i32 + args[1].of.i32);
  return NULL;
}

static void finalize(void *env) { atomic_fetch_add(&finalized, 1); }

static void *worker(void *arg) {
  int id = (int)(intptr_t)arg, wrong = 0;
  for (int i = 0; i < ROUNDS; i++) {
    wrun_store *s = wrun_store_new(engine);
    wrun_instance *inst = NULL;
    wrun_error *err = NULL;
    wrun_trap *trap = NULL;
    wrun_linker_instantiate_in(linker, s, module, &inst, &err, &trap);
    wrun_extern run;
    wrun_val x = wrun_val_i32(id * 1000 + i), r = {0};
    if (!inst || !wrun_instance_export(inst, "run", &run) ||
        wrun_func_call(s, run.of.func, &x, 1, &r, 1) ||
        r.of.i32 != id * 1000 + i + 5)
      wrong++;
    wrun_error_delete(err);
    wrun_trap_delete(trap);
    wrun_store_delete(s);
  }
  return (void *)(intptr_t)wrong;
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  size_t len;
  unsigned char *bytes = read_file(argv[1], &len);
  if (!bytes) return 2;
  engine = wrun_engine_new();
  wrun_error *err = wrun_module_new(engine, bytes, len, &module);
  free(bytes);
  if (err) {
    printf("FAIL: compile: %s\n", wrun_error_message(err));
    return 1;
  }
  linker = wrun_linker_new_for_engine(engine);
  wrun_valtype p[] = {WRUN_I32, WRUN_I32}, r = WRUN_I32;
  if (!wrun_linker_define_func(linker, "env", "add", p, 2, &r, 1, add, NULL,
                               finalize)) {
    printf("FAIL: define: %s\n", wrun_last_error());
    return 1;
  }
  pthread_t th[NTHREADS];
  for (int i = 0; i < NTHREADS; i++)
    pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i);
  int wrong = 0;
  for (int i = 0; i < NTHREADS; i++) {
    void *w;
    pthread_join(th[i], &w);
    wrong += (int)(intptr_t)w;
  }
  wrun_linker_delete(linker);
  wrun_module_delete(module);
  wrun_engine_delete(engine);
  if (wrong || calls != NTHREADS * ROUNDS || finalized != 1) {
    printf("FAIL: %d wrong results, %d calls of %d, finalized %d times\n",
           wrong, (int)calls, NTHREADS * ROUNDS, (int)finalized);
    return 1;
  }
  printf("ok: %d threads x %d instances through one engine linker\n",
         NTHREADS, ROUNDS);
  return 0;
}
