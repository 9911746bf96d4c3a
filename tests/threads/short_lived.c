/* 1,000 short-lived host threads, each calling into wasm once (its own
 * store): every thread that enters wasm gets an alternate signal stack
 * (runtime/trap.c), which must be freed when the thread ends. Checked
 * here by the heap in use, all of it in one malloc arena
 * (M_ARENA_MAX=1): a leak of the 64 KiB stack per thread would grow it by
 * 64 MiB, the test allows 1 MiB of noise. Under the sanitizers, whose
 * allocators mallinfo2 does not see, only the calls are checked (and
 * LeakSanitizer's report at exit; ASan gives threads an alternate stack
 * of its own, which wrun then uses instead of making one). valgrind's
 * leak check runs it too (tests/threads/valgrind.sh).
 *
 *   short_lived THREADS.wasm   (tests/threads/threads.wat) */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "read_file.h"
#include "wrun.h"

#define NTHREADS 1000
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define HEAP_CHECK 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define HEAP_CHECK 0
#endif
#endif
#ifndef HEAP_CHECK
#define HEAP_CHECK 1
#endif

static wrun_engine *engine;
static wrun_module *module;
static int failures; /* written by the main thread after each join */

/* 0 when the thread's call returned the right sum */
static void *call_once(void *arg) {
  int32_t k = (int32_t)(intptr_t)arg;
  wrun_store *s = wrun_store_new(engine);
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  intptr_t bad = 1;
  if (s) wrun_instance_new(s, module, NULL, 0, &inst, &err, &trap);
  wrun_extern e;
  if (inst && wrun_instance_export(inst, "add", &e)) {
    wrun_val args[2] = {{.type = WRUN_I32, .of.i32 = k},
                        {.type = WRUN_I32, .of.i32 = 1}};
    wrun_val res[1];
    wrun_trap *t = wrun_func_call(s, e.of.func, args, 2, res, 1);
    bad = t || res[0].of.i32 != k + 1;
    wrun_trap_delete(t);
  }
  wrun_error_delete(err);
  wrun_trap_delete(trap);
  if (s) wrun_store_delete(s);
  return (void *)bad;
}

static void run_thread(int k) {
  pthread_t th;
  void *bad = (void *)1;
  if (pthread_create(&th, NULL, call_once, (void *)(intptr_t)k) != 0 ||
      pthread_join(th, &bad) != 0 || bad) {
    if (failures++ < 10) printf("FAIL: thread %d\n", k);
  }
}

int main(int argc, char **argv) {
  mallopt(M_ARENA_MAX, 1); /* every thread's allocations where mallinfo2 looks */
  size_t len = 0;
  unsigned char *wasm = argc == 2 ? read_file(argv[1], &len) : NULL;
  if (!wasm) {
    fprintf(stderr, "usage: short_lived THREADS.wasm (a readable file)\n");
    return 2;
  }
  engine = wrun_engine_new();
  wrun_error *err = wrun_module_new(engine, wasm, len, &module);
  free(wasm);
  if (err) {
    printf("FAIL: compile: %s\n", wrun_error_message(err));
    return 1;
  }
  /* the first threads warm up what is made once (thread stacks glibc
   * caches, the process's signal handlers, lazily bound symbols) */
  for (int k = 0; k < 8; k++) run_thread(k);
  size_t before = mallinfo2().uordblks;
  for (int k = 8; k < NTHREADS; k++) run_thread(k);
  size_t after = mallinfo2().uordblks;
  wrun_module_delete(module);
  wrun_engine_delete(engine);
  long grown = (long)after - (long)before;
  if (HEAP_CHECK && grown > 1024 * 1024) {
    printf("FAIL: the heap grew by %ld bytes over %d threads\n", grown,
           NTHREADS - 8);
    failures++;
  }
  printf("%s: %d threads, heap in use grew by %ld bytes%s\n",
         failures ? "FAIL" : "PASS", NTHREADS, grown,
         HEAP_CHECK ? "" : " (not checked: a sanitizer's allocator)");
  return failures ? 1 : 0;
}
