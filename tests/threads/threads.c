/* Threads and traps, without criterion (which cannot run under
 * ThreadSanitizer: its worker arena cannot be set up there), so that this
 * is the test to run in a -Db_sanitize=thread build (see tests/meson.build
 * and docs/design-notes.md), and a plain test in every other build.
 *
 *   threads THREADS.wasm
 *
 * Cases, each a failure message on stdout and exit 1 when it goes wrong:
 *  - traps (SIGSEGV or SIGILL, unwound by siglongjmp from the handler)
 *    on several threads at once, each with its own store, all from one
 *    module, the stores usable after every trap;
 *  - one module compiled on several threads at once (the process-wide
 *    type table and the code registry are shared);
 *  - wrun_store_interrupt from another thread stopping an infinite loop
 *    (twice: the store must be usable in between). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wrun.h"

#define NTHREADS 4
#define ROUNDS 50

static unsigned char *wasm;
static size_t wasm_len;
static wrun_engine *engine;
static wrun_module *shared_module;
static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static int failures;

static void fail(const char *fmt, const char *detail) {
  pthread_mutex_lock(&report_lock);
  printf("FAIL: ");
  printf(fmt, detail ? detail : "");
  printf("\n");
  failures++;
  pthread_mutex_unlock(&report_lock);
}

static bool read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return false;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  rewind(f);
  wasm = malloc(n > 0 ? (size_t)n : 1);
  wasm_len = wasm ? fread(wasm, 1, (size_t)n, f) : 0;
  fclose(f);
  return wasm && n > 0 && wasm_len == (size_t)n;
}

static wrun_instance *instantiate(wrun_store *s, const wrun_module *m) {
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(s, m, NULL, 0, &inst, &err, &trap);
  if (err) fail("instantiate: %s", wrun_error_message(err));
  if (trap) fail("instantiate trapped: %s", wrun_trap_message(trap));
  wrun_error_delete(err);
  wrun_trap_delete(trap);
  return inst;
}

/* Calls export name with up to two i32 arguments; *result gets result 0. */
static wrun_trap *call(wrun_store *s, wrun_instance *inst, const char *name,
                       int32_t a, int32_t b, int32_t *result) {
  wrun_extern e;
  if (!wrun_instance_export(inst, name, &e)) {
    fail("no export %s", name);
    return NULL;
  }
  wrun_val args[2] = {{.type = WRUN_I32, .of.i32 = a},
                      {.type = WRUN_I32, .of.i32 = b}};
  wrun_val res[1];
  size_t nres = wrun_func_result_count(e.of.func);
  wrun_trap *t = wrun_func_call(s, e.of.func, args,
                                wrun_func_param_count(e.of.func), res, nres);
  if (!t && nres && result) *result = res[0].of.i32;
  return t;
}

static void expect_trap(wrun_trap *t, wrun_trap_code code, const char *what) {
  if (!t) {
    fail("%s did not trap", what);
    return;
  }
  if (wrun_trap_code_of(t) != code) fail("wrong trap: %s", wrun_trap_message(t));
  wrun_trap_delete(t);
}

static void expect_sum(wrun_store *s, wrun_instance *inst) {
  int32_t r = 0;
  wrun_trap *t = call(s, inst, "add", 40, 2, &r);
  if (t) {
    fail("add trapped: %s", wrun_trap_message(t));
    wrun_trap_delete(t);
  } else if (r != 42) {
    fail("add gave a wrong sum%s", NULL);
  }
}

static void *trap_repeatedly(void *arg) {
  (void)arg;
  wrun_store *s = wrun_store_new(engine);
  wrun_instance *inst = instantiate(s, shared_module);
  for (int i = 0; inst && i < ROUNDS; i++) {
    expect_trap(call(s, inst, "oob", 0, 0, NULL), WRUN_TRAP_MEMORY_OOB, "oob");
    expect_trap(call(s, inst, "div", 0, 0, NULL), WRUN_TRAP_INT_DIV_ZERO, "div");
    expect_trap(call(s, inst, "unreachable", 0, 0, NULL),
                WRUN_TRAP_UNREACHABLE, "unreachable");
    expect_sum(s, inst);
  }
  wrun_store_delete(s);
  return NULL;
}

static void *compile_and_run(void *arg) {
  (void)arg;
  for (int i = 0; i < 5; i++) {
    wrun_module *m = NULL;
    wrun_error *err = wrun_module_new(engine, wasm, wasm_len, &m);
    if (err) {
      fail("compile: %s", wrun_error_message(err));
      wrun_error_delete(err);
      return NULL;
    }
    wrun_store *s = wrun_store_new(engine);
    wrun_instance *inst = instantiate(s, m);
    if (inst) expect_sum(s, inst);
    wrun_store_delete(s);
    wrun_module_delete(m);
  }
  return NULL;
}

static void on_threads(void *(*body)(void *)) {
  pthread_t threads[NTHREADS];
  int started = 0;
  for (; started < NTHREADS; started++)
    if (pthread_create(&threads[started], NULL, body, NULL) != 0) {
      fail("pthread_create failed%s", NULL);
      break;
    }
  for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
}

static void *interrupt_after_50ms(void *store) {
  struct timespec delay = {0, 50 * 1000 * 1000};
  nanosleep(&delay, NULL);
  wrun_store_interrupt(store);
  return NULL;
}

static void interrupt_from_another_thread(void) {
  wrun_store *s = wrun_store_new(engine);
  wrun_instance *inst = instantiate(s, shared_module);
  for (int round = 0; inst && round < 2; round++) {
    pthread_t th;
    if (pthread_create(&th, NULL, interrupt_after_50ms, s) != 0) {
      fail("pthread_create failed%s", NULL);
      break;
    }
    wrun_trap *t = call(s, inst, "spin", 0, 0, NULL);
    pthread_join(th, NULL);
    expect_trap(t, WRUN_TRAP_INTERRUPT, "spin");
    expect_sum(s, inst);
  }
  wrun_store_delete(s);
}

int main(int argc, char **argv) {
  if (argc != 2 || !read_file(argv[1])) {
    fprintf(stderr, "usage: threads THREADS.wasm (a readable file)\n");
    return 2;
  }
  engine = wrun_engine_new();
  wrun_error *err = wrun_module_new(engine, wasm, wasm_len, &shared_module);
  if (err) {
    printf("FAIL: compile: %s\n", wrun_error_message(err));
    return 1;
  }
  on_threads(trap_repeatedly);
  puts("traps on threads: done");
  on_threads(compile_and_run);
  puts("compiling on threads: done");
  interrupt_from_another_thread();
  puts("interrupt from another thread: done");
  wrun_module_delete(shared_module);
  wrun_engine_delete(engine);
  free(wasm);
  printf("%s (%d failures)\n", failures ? "FAIL" : "PASS", failures);
  return failures ? 1 : 0;
}
