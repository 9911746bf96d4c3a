/* Parallel compiles started from several threads at once, without
 * criterion so that a ThreadSanitizer build runs it (see threads.c):
 * each of NTHREADS threads compiles the GC module again and again on two
 * threads of its own (WRUN_COMPILE_SPLIT_BYTES=1: every function a run),
 * runs it, and serializes it (which compiles it once more, relocatable,
 * in parallel too); each result and each serialized module must be what
 * one serial compile gave. Exit 1 on any difference.
 *
 *   parallel_compile GC_LIST.wasm */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "read_file.h"
#include "wrun.h"

#define NTHREADS 3
#define ROUNDS 20

static unsigned char *bytes;
static size_t len;
static wrun_engine *parallel;
static uint8_t *expected;
static size_t expected_len;

/* gc_list's run(k): the sum of a k-node list, 0 + 1 + ... + k - 1 */
static bool runs(wrun_engine *engine, wrun_module *m) {
  wrun_store *s = wrun_store_new(engine);
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(s, m, NULL, 0, &inst, &err, &trap);
  wrun_extern run;
  wrun_val k = wrun_val_i32(1000), r = {0};
  bool ok = inst && wrun_instance_export(inst, "run", &run) &&
            !wrun_func_call(s, run.of.func, &k, 1, &r, 1) &&
            r.of.i32 == 499500;
  wrun_error_delete(err);
  wrun_trap_delete(trap);
  wrun_store_delete(s);
  return ok;
}

static void *worker(void *arg) {
  (void)arg;
  int wrong = 0;
  for (int i = 0; i < ROUNDS; i++) {
    wrun_module *m = NULL;
    wrun_error *err = wrun_module_new(parallel, bytes, len, &m);
    uint8_t *saved = NULL;
    size_t saved_len = 0;
    if (err || !runs(parallel, m) ||
        wrun_module_serialize(m, &saved, &saved_len) ||
        saved_len != expected_len || memcmp(saved, expected, saved_len))
      wrong++;
    wrun_error_delete(err);
    wrun_bytes_free(saved);
    wrun_module_delete(m);
  }
  return (void *)(intptr_t)wrong;
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  bytes = read_file(argv[1], &len);
  if (!bytes) return 2;
  setenv("WRUN_COMPILE_SPLIT_BYTES", "1", 1);
  wrun_config *c1 = wrun_config_new(), *c2 = wrun_config_new();
  wrun_config_jobs(c1, 1);
  wrun_config_jobs(c2, 2);
  wrun_engine *serial = wrun_engine_new_with_config(c1);
  parallel = wrun_engine_new_with_config(c2);
  wrun_config_delete(c1);
  wrun_config_delete(c2);
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(serial, bytes, len, &m);
  if (err || !runs(serial, m) ||
      wrun_module_serialize(m, &expected, &expected_len)) {
    printf("FAIL: the serial compile: %s\n",
           err ? wrun_error_message(err) : "run or serialize failed");
    return 1;
  }
  wrun_module_delete(m);
  pthread_t th[NTHREADS];
  for (int i = 0; i < NTHREADS; i++)
    pthread_create(&th[i], NULL, worker, NULL);
  int wrong = 0;
  for (int i = 0; i < NTHREADS; i++) {
    void *w;
    pthread_join(th[i], &w);
    wrong += (int)(intptr_t)w;
  }
  wrun_bytes_free(expected);
  wrun_engine_delete(serial);
  wrun_engine_delete(parallel);
  free(bytes);
  if (wrong) {
    printf("FAIL: %d of %d parallel compiles differ from the serial one\n",
           wrong, NTHREADS * ROUNDS);
    return 1;
  }
  printf("ok: %d threads x %d parallel compiles, as the serial one\n",
         NTHREADS, ROUNDS);
  return 0;
}
