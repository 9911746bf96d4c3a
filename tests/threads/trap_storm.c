/* Traps and calls on many threads at once: 8 threads, each with its own
 * store and instance of one module compiled once by one engine, make
 * 10,000 calls each, every other one a trap (out of bounds, unreachable,
 * stack exhaustion, divide by zero, in turn) and the others sums whose
 * results are checked; every trap's code, innermost frame and its
 * instance (unknown in a stack exhaustion's prologue) too. Plain C
 * (no criterion), so that it also runs under ThreadSanitizer.
 *
 *   trap_storm THREADS.wasm [--no-signals]   (tests/threads/threads.wat)
 * With --no-signals, the host owns the signals: it installs handlers for
 * SIGSEGV, SIGBUS, SIGILL and SIGFPE that fail the test, then runs the
 * storm in an engine with signals-based traps off; every trap must still
 * arrive, no thread may get an alternate signal stack from wrun, and the
 * host's handlers must be in place at the end.
 * Prints the first failures and exits 1 on any. */
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "read_file.h"
#include "wrun.h"

#define NTHREADS 8
#define CALLS 10000

static wrun_engine *engine;
static wrun_module *module;
static atomic_int failures;
static bool no_signals;

static const int host_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
#define NHOST_SIGNALS (sizeof host_signals / sizeof host_signals[0])

/* A trap that still came by a signal: the test fails at once. */
static void host_handler(int sig) {
  static const char msg[] = "FAIL: a signal reached the host's handler\n";
  (void)sig;
  if (write(STDOUT_FILENO, msg, sizeof msg - 1) < 0) _exit(1);
  _exit(1);
}

static void install_host_handlers(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = host_handler;
  sigemptyset(&sa.sa_mask);
  for (size_t k = 0; k < NHOST_SIGNALS; k++)
    sigaction(host_signals[k], &sa, NULL);
}

static bool host_handlers_in_place(void) {
  for (size_t k = 0; k < NHOST_SIGNALS; k++) {
    struct sigaction sa;
    if (sigaction(host_signals[k], NULL, &sa) != 0 ||
        (sa.sa_flags & SA_SIGINFO) || sa.sa_handler != host_handler)
      return false;
  }
  return true;
}

static void fail(int thread, int call, const char *what) {
  if (atomic_fetch_add(&failures, 1) < 20)
    printf("FAIL: thread %d, call %d: %s\n", thread, call, what);
}

typedef struct trap_case {
  const char *export;
  wrun_trap_code code;
  uint32_t func; /* its index in threads.wat: the innermost frame's */
} trap_case;

static const trap_case traps[] = {
    {"oob", WRUN_TRAP_MEMORY_OOB, 0},
    {"unreachable", WRUN_TRAP_UNREACHABLE, 2},
    {"recurse", WRUN_TRAP_STACK_EXHAUSTED, 5},
    {"div", WRUN_TRAP_INT_DIV_ZERO, 1},
};
#define NTRAPS (sizeof traps / sizeof traps[0])

static bool export_func(wrun_instance *inst, const char *name,
                        wrun_func **f) {
  wrun_extern e;
  if (!wrun_instance_export(inst, name, &e) || e.kind != WRUN_EXTERN_FUNC)
    return false;
  *f = e.of.func;
  return true;
}

/* The thread's alternate signal stack: wrun must leave it as it was
 * (none, or the sanitizers' own). */
static bool same_altstack(const stack_t *a, const stack_t *b) {
  return a->ss_sp == b->ss_sp && a->ss_size == b->ss_size &&
         (a->ss_flags & SS_DISABLE) == (b->ss_flags & SS_DISABLE);
}

static void *storm(void *arg) {
  int id = (int)(intptr_t)arg;
  stack_t before, after;
  if (sigaltstack(NULL, &before) != 0) fail(id, -1, "sigaltstack failed");
  wrun_store *s = wrun_store_new(engine);
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  if (s) wrun_instance_new(s, module, NULL, 0, &inst, &err, &trap);
  wrun_func *add, *trapping[NTRAPS];
  bool ok = inst && export_func(inst, "add", &add);
  for (size_t k = 0; ok && k < NTRAPS; k++)
    ok = export_func(inst, traps[k].export, &trapping[k]);
  if (!ok) fail(id, -1, "no store, instance or export");
  for (int i = 0; ok && i < CALLS; i++) {
    wrun_val args[2] = {{.type = WRUN_I32, .of.i32 = i},
                        {.type = WRUN_I32, .of.i32 = id * 1000003}};
    wrun_val res[1] = {{.type = WRUN_I32, .of.i32 = -1}};
    if (i % 2 == 0) {
      wrun_trap *t = wrun_func_call(s, add, args, 2, res, 1);
      if (t) {
        fail(id, i, wrun_trap_message(t));
        wrun_trap_delete(t);
      } else if (res[0].of.i32 != i + id * 1000003) {
        fail(id, i, "wrong sum");
      }
      continue;
    }
    const trap_case *c = &traps[(i / 2) % NTRAPS];
    wrun_func *f = trapping[(i / 2) % NTRAPS];
    /* div divides 1 by its argument; the others ignore theirs */
    args[0].of.i32 = 0;
    wrun_trap *t = wrun_func_call(s, f, args, wrun_func_param_count(f), res,
                                  wrun_func_result_count(f));
    if (!t) {
      fail(id, i, c->export);
      continue;
    }
    if (wrun_trap_code_of(t) != c->code)
      fail(id, i, wrun_trap_message(t));
    else if (wrun_trap_frame_count(t) < 1 ||
             wrun_trap_frame_func(t, 0) != c->func ||
             wrun_trap_frame_module_offset(t, 0) == SIZE_MAX)
      fail(id, i, "not the innermost frame expected, with an offset");
    else if (c->code == WRUN_TRAP_STACK_EXHAUSTED
                 ? wrun_trap_frame_count(t) < 2 ||
                       wrun_trap_frame_instance(t, 0) != NULL ||
                       wrun_trap_frame_instance(t, 1) != inst
                 : wrun_trap_frame_instance(t, 0) != inst)
      fail(id, i, "not the frames' instance");
    wrun_trap_delete(t);
  }
  if (no_signals &&
      (sigaltstack(NULL, &after) != 0 || !same_altstack(&before, &after)))
    fail(id, -1, "wrun gave the thread an alternate signal stack");
  if (err) fail(id, -1, wrun_error_message(err));
  if (trap) fail(id, -1, wrun_trap_message(trap));
  wrun_error_delete(err);
  wrun_trap_delete(trap);
  if (s) wrun_store_delete(s);
  return NULL;
}

int main(int argc, char **argv) {
  size_t len = 0;
  no_signals = argc == 3 && strcmp(argv[2], "--no-signals") == 0;
  unsigned char *wasm = argc == 2 || no_signals ? read_file(argv[1], &len)
                                                : NULL;
  if (!wasm) {
    fprintf(stderr, "usage: trap_storm THREADS.wasm [--no-signals] (a "
                    "readable file)\n");
    return 2;
  }
  if (no_signals) {
    install_host_handlers();
    wrun_config *c = wrun_config_new();
    wrun_config_signals_based_traps(c, false);
    engine = wrun_engine_new_with_config(c);
    wrun_config_delete(c);
  } else {
    engine = wrun_engine_new();
  }
  wrun_error *err = wrun_module_new(engine, wasm, len, &module);
  free(wasm);
  if (err) {
    printf("FAIL: compile: %s\n", wrun_error_message(err));
    return 1;
  }
  pthread_t th[NTHREADS];
  int started = 0;
  for (; started < NTHREADS; started++)
    if (pthread_create(&th[started], NULL, storm,
                       (void *)(intptr_t)started) != 0) {
      fail(started, -1, "pthread_create failed");
      break;
    }
  for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
  wrun_module_delete(module);
  wrun_engine_delete(engine);
  if (no_signals && !host_handlers_in_place())
    fail(-1, -1, "the host's signal handlers were replaced");
  int n = atomic_load(&failures);
  printf("%s: %d threads x %d calls, %d failures\n", n ? "FAIL" : "PASS",
         started, CALLS, n);
  return n ? 1 : 0;
}
