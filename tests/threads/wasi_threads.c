/* wasi-threads through the library API (wrun_wasi_define_threads), as an
 * embedder uses it, without criterion so that the ThreadSanitizer build
 * runs it too.
 *
 *   wasi_threads LIFECYCLE.wasm
 *
 * Cases (tests/cli/wasi_threads/lifecycle.wat's spawn_one export starts a
 * thread that does what its argument says), each a failure message on
 * stdout and exit 1 when it goes wrong:
 *  - a thread's trap and its proc_exit reach on_end, on that thread, with
 *    the trap to own; the running count goes back to 0;
 *  - without on_end, a thread's trap ends that thread only;
 *  - without a shared memory every spawn returns -1;
 *  - everything deleted after the threads end (ASan's leak check and
 *    TSan see the thread stores' teardown). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wrun.h"
#include "wrun_wasi.h"

static int failures;

static void fail(const char *what, const char *detail) {
  printf("FAIL: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  failures++;
}

/* What on_end saw: "unreachable" traps, proc_exit(7)s, anything else. */
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static int seen_unreachable, seen_exit7, seen_other;

static void on_end(void *env, wrun_trap *trap) {
  pthread_mutex_lock(&seen_lock);
  if (wrun_wasi_exit_code(trap) == 7)
    seen_exit7 += *(int *)env;
  else if (strcmp(wrun_trap_message(trap), "unreachable") == 0)
    seen_unreachable += *(int *)env;
  else
    seen_other++;
  pthread_mutex_unlock(&seen_lock);
  wrun_trap_delete(trap);
}

/* Waits (up to 10 s) until no spawned thread runs. */
static bool threads_ended(const wrun_wasi *wasi) {
  for (int i = 0; i < 10000 && wrun_wasi_thread_count(wasi) > 0; i++)
    nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
  return wrun_wasi_thread_count(wasi) == 0;
}

typedef struct program {
  wrun_store *store;
  wrun_linker *linker;
  wrun_wasi *wasi;
  wrun_instance *inst;
} program;

/* Instantiates m with WASI and wasi-threads; share_memory false gives
 * the threads no memory (the instance still gets one). */
static bool start(program *p, wrun_engine *e, const wrun_module *m,
                  bool share_memory, wrun_wasi_thread_end end, void *env) {
  memset(p, 0, sizeof *p);
  p->store = wrun_store_new(e);
  p->linker = wrun_linker_new(p->store);
  wrun_memory *mem = wrun_memory_new_shared(p->store, 1, 1);
  wrun_linker_define(p->linker, "env", "memory",
                     (wrun_extern){.kind = WRUN_EXTERN_MEMORY,
                                   .of.memory = mem});
  wrun_wasi_config *cfg = wrun_wasi_config_new();
  wrun_error *err = wrun_wasi_define(p->linker, p->store, cfg, &p->wasi);
  wrun_wasi_config_delete(cfg);
  if (!err)
    err = wrun_wasi_define_threads(p->linker, p->store, p->wasi, m,
                                   share_memory ? mem : NULL, end, env);
  wrun_trap *trap = NULL;
  if (!err) wrun_linker_instantiate(p->linker, m, &p->inst, &err, &trap);
  if (err) fail("instantiate", wrun_error_message(err));
  if (trap) fail("instantiate", wrun_trap_message(trap));
  wrun_error_delete(err);
  if (trap) wrun_trap_delete(trap);
  return p->inst != NULL;
}

static void stop(program *p) {
  if (!threads_ended(p->wasi)) {
    fail("threads still running after 10 s", NULL);
    return; /* leave them their store */
  }
  wrun_linker_delete(p->linker);
  wrun_store_delete(p->store);
  wrun_wasi_delete(p->wasi);
}

/* spawn_one(arg): the tid. */
static int32_t spawn_one(program *p, int32_t arg) {
  wrun_extern f;
  if (!wrun_instance_export(p->inst, "spawn_one", &f)) return 0;
  wrun_val a = {.type = WRUN_I32, .of.i32 = arg}, r = {0};
  wrun_trap *trap = wrun_func_call(p->store, f.of.func, &a, 1, &r, 1);
  if (trap) {
    fail("spawn_one", wrun_trap_message(trap));
    wrun_trap_delete(trap);
  }
  return r.of.i32;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: wasi_threads LIFECYCLE.wasm\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  static unsigned char bytes[1 << 16];
  size_t len = f ? fread(bytes, 1, sizeof bytes, f) : 0;
  if (f) fclose(f);
  wrun_engine *e = wrun_engine_new();
  wrun_module *m = NULL;
  wrun_error *err = len ? wrun_module_new(e, bytes, len, &m) : NULL;
  if (!m) {
    fail("cannot load", err ? wrun_error_message(err) : argv[1]);
    return 1;
  }
  int one = 1;
  program p;
  if (start(&p, e, m, true, on_end, &one)) {
    int32_t a = spawn_one(&p, 1), b = spawn_one(&p, 2);
    if (a <= 0 || b <= a) fail("thread ids not positive and rising", NULL);
    if (!threads_ended(p.wasi)) fail("threads did not end", NULL);
    pthread_mutex_lock(&seen_lock);
    if (seen_unreachable != 1 || seen_exit7 != 1 || seen_other != 0)
      fail("on_end did not see one trap and one proc_exit(7)", NULL);
    pthread_mutex_unlock(&seen_lock);
    stop(&p);
  }
  if (start(&p, e, m, true, NULL, NULL)) {
    if (spawn_one(&p, 1) <= 0) fail("spawn without on_end", NULL);
    stop(&p);
  }
  if (start(&p, e, m, false, on_end, &one)) {
    if (spawn_one(&p, 5) != -1) fail("spawn without a memory", "not -1");
    stop(&p);
  }
  wrun_module_delete(m);
  wrun_engine_delete(e);
  if (!failures) printf("ok: wasi-threads through the API\n");
  return failures ? 1 : 0;
}
