/* wasi-threads: "wasi" "thread-spawn", as wasmtime's `-S threads` does it.
 *
 * A spawn makes a new store (same engine, same limits and, when metered,
 * the fuel the spawning program's store was given), defines into it
 * the same WASI context and the one shared memory, instantiates the same
 * module and calls its export wasi_thread_start(tid, start_arg) on a new
 * host thread. A store is driven by one thread at a time (its stack limit
 * and fuel live in it), so an instance per thread is also what our stores
 * need; the shared memory is the one object they all import.
 *
 * The new thread builds its own store and instance and tells the spawner
 * how that went (a semaphore), so a failure is the spawner's -1 and the
 * store's wasm-stack limit is checked against the stack that will run it.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "wasi_internal.h"

/* Thread ids are positive and leave the top bits to wasi-libc's mutexes. */
#define WASI_MAX_TID 0x1FFFFFFF
/* What a spawned thread's stack has beyond the store's wasm stack: the
 * runtime's margin below the limit and the host calls wasm makes. */
#define WASI_THREAD_STACK_EXTRA (1024 * 1024)

struct wasi_threads {
  wrun_engine *engine;
  const wrun_module *module;
  wrun_memory *memory; /* NULL: every spawn fails */
  const char *mem_module, *mem_name; /* the module's memory import */
  size_t mem_module_len, mem_name_len;
  wrun_store_limits limits;
  bool metered;  /* the engine consumes fuel: each store gets `fuel` */
  uint64_t fuel; /* what the defining store had (before running) */
  wrun_wasi_thread_end on_end;
  void *env;
  atomic_uint last_tid;
  /* (the running threads are counted in wrun_wasi's refs) */
};

/* How the new thread tells its spawner that its instance is made (or
 * not); on the spawner's stack, untouched by the thread once posted. */
typedef struct handshake {
  uv_sem_t ready;
  bool ok;
} handshake;

/* One spawned thread, freed by itself when it ends. */
typedef struct spawned {
  wrun_wasi *w;
  int32_t tid, start_arg;
  wrun_store *store;
  wrun_linker *linker;
  const wrun_func *entry;
  handshake *hs;
} spawned;

/* The thread's store, WASI, memory and instance; entry set when it all
 * worked. */
static bool make_instance(spawned *sp) {
  wasi_threads *t = sp->w->threads;
  sp->store = wrun_store_new(t->engine);
  if (!sp->store) return false;
  wrun_error *err = wrun_store_set_limits(sp->store, &t->limits);
  if (t->metered) wrun_store_set_fuel(sp->store, t->fuel);
  sp->linker = err ? NULL : wrun_linker_new(sp->store);
  if (sp->linker) err = wasi_define_into(sp->linker, sp->store, sp->w);
  if (err || !sp->linker) {
    wrun_error_delete(err);
    return false;
  }
  wrun_extern mem = {.kind = WRUN_EXTERN_MEMORY, .of.memory = t->memory};
  wrun_linker_define_n(sp->linker, t->mem_module, t->mem_module_len,
                       t->mem_name, t->mem_name_len, mem);
  wrun_instance *inst = NULL;
  wrun_trap *trap = NULL;
  wrun_linker_instantiate(sp->linker, t->module, &inst, &err, &trap);
  wrun_error_delete(err);
  if (trap) wrun_trap_delete(trap);
  wrun_extern start;
  if (!inst || !wrun_instance_export(inst, "wasi_thread_start", &start) ||
      start.kind != WRUN_EXTERN_FUNC)
    return false;
  const wrun_func *f = start.of.func;
  if (wrun_func_param_count(f) != 2 || wrun_func_result_count(f) != 0 ||
      wrun_func_param_type(f, 0) != WRUN_I32 ||
      wrun_func_param_type(f, 1) != WRUN_I32)
    return false;
  sp->entry = f;
  return true;
}

static void thread_main(void *arg) {
  spawned *sp = arg;
  wrun_wasi *w = sp->w;
  wasi_threads *t = w->threads;
  bool ok = make_instance(sp);
  sp->hs->ok = ok;
  uv_sem_post(&sp->hs->ready);
  if (ok) {
    wrun_val args[2] = {{.type = WRUN_I32, .of.i32 = sp->tid},
                        {.type = WRUN_I32, .of.i32 = sp->start_arg}};
    wrun_trap *trap = wrun_func_call(sp->store, sp->entry, args, 2, NULL, 0);
    /* A trap or proc_exit here is meant to end the program: the
     * embedder's on_end does that (wrun's exits the process). */
    if (trap && t->on_end) t->on_end(t->env, trap);
    else if (trap) wrun_trap_delete(trap);
  }
  wrun_linker_delete(sp->linker);
  wrun_store_delete(sp->store);
  free(sp);
  wasi_release(w, WASI_THREAD_REF);
}

/* The new thread's id, or -1 (as wasmtime; wasi-libc's pthread_create
 * turns any negative result into EAGAIN). */
static int32_t spawn(wrun_wasi *w, int32_t start_arg) {
  wasi_threads *t = w->threads;
  if (!t->memory) return -1;
  unsigned tid = atomic_fetch_add(&t->last_tid, 1) + 1;
  if (tid > WASI_MAX_TID) return -1;
  handshake hs = {.ok = false};
  spawned *sp = calloc(1, sizeof *sp);
  if (!sp || uv_sem_init(&hs.ready, 0) != 0) {
    free(sp);
    return -1;
  }
  sp->hs = &hs;
  sp->w = w;
  sp->tid = (int32_t)tid;
  sp->start_arg = start_arg;
  atomic_fetch_add(&w->refs, WASI_THREAD_REF);
  uv_thread_options_t opts = {.flags = UV_THREAD_HAS_STACK_SIZE};
  opts.stack_size = t->limits.wasm_stack_bytes + WASI_THREAD_STACK_EXTRA;
  uv_thread_t thread;
  if (uv_thread_create_ex(&thread, &opts, thread_main, sp) != 0) {
    uv_sem_destroy(&hs.ready);
    free(sp);
    wasi_release(w, WASI_THREAD_REF);
    return -1;
  }
  pthread_detach(thread); /* it frees its own state; nobody joins */
  uv_sem_wait(&hs.ready);
  uv_sem_destroy(&hs.ready);
  return hs.ok ? (int32_t)tid : -1;
}

static wrun_trap *thread_spawn(void *env, wrun_caller *caller,
                               const wrun_val *args, size_t nargs,
                               wrun_val *results, size_t nresults) {
  (void)caller, (void)nargs, (void)nresults;
  results[0].type = WRUN_I32;
  results[0].of.i32 = spawn(env, args[0].of.i32);
  return NULL;
}

static void thread_spawn_finalize(void *env) { wasi_unref(env); }

wrun_error *wasi_threads_define(wrun_linker *l, wrun_store *s, wrun_wasi *w) {
  wrun_valtype i32 = WRUN_I32;
  wrun_func *f = wrun_func_new(s, &i32, 1, &i32, 1, thread_spawn, w,
                               thread_spawn_finalize);
  if (!f) return rt_error_new(RT_NO_OFFSET, "cannot define wasi.thread-spawn");
  atomic_fetch_add(&w->refs, WASI_REF);
  wrun_extern ext = {.kind = WRUN_EXTERN_FUNC, .of.func = f};
  wrun_linker_define(l, "wasi", "thread-spawn", ext);
  return NULL;
}

void wasi_threads_free(wasi_threads *t) { free(t); }

/* The module's first memory import: where a thread's instance takes the
 * shared memory. */
static bool find_memory_import(wasi_threads *t) {
  for (size_t i = 0; i < wrun_module_import_count(t->module); i++) {
    wrun_externkind kind;
    wrun_module_import_n(t->module, i, &t->mem_module, &t->mem_module_len,
                         &t->mem_name, &t->mem_name_len, &kind);
    if (kind == WRUN_EXTERN_MEMORY) return true;
  }
  return false;
}

wrun_error *wrun_wasi_define_threads(wrun_linker *l, wrun_store *s,
                                     wrun_wasi *wasi, const wrun_module *m,
                                     wrun_memory *memory,
                                     wrun_wasi_thread_end on_end, void *env) {
  if (wasi->threads)
    return rt_error_new(RT_NO_OFFSET, "wasi-threads already defined");
  wasi_threads *t = calloc(1, sizeof *t);
  if (!t) return rt_error_new(RT_NO_OFFSET, "out of memory");
  t->engine = wrun_store_engine(s);
  t->module = m;
  t->memory = memory;
  wrun_store_get_limits(s, &t->limits);
  t->metered = wrun_store_get_fuel(s, &t->fuel);
  t->on_end = on_end;
  t->env = env;
  atomic_init(&t->last_tid, 0);
  if (memory && !find_memory_import(t)) t->memory = NULL;
  wasi->threads = t;
  return wasi_threads_define(l, s, wasi);
}

size_t wrun_wasi_thread_count(const wrun_wasi *wasi) {
  return wasi->threads ? (size_t)(atomic_load(&wasi->refs) >> 32) : 0;
}
