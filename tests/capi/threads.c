/* One engine and one module shared by 8 threads, each with its own store
 * (wasm_module_share / wasm_module_obtain), calling in parallel. */
#include "capi_test.h"

#include <pthread.h>

#define THREADS 8
#define CALLS 2000

static wasm_engine_t *engine;
static wasm_shared_module_t *shared;

static wasm_trap_t *twice(void *env, const wasm_val_vec_t *args,
                          wasm_val_vec_t *results) {
  (*(int *)env)++;
  results->data[0].of.i32 = args->data[0].of.i32 * 2;
  return NULL;
}

static void *worker(void *arg) {
  int id = (int)(intptr_t)arg, calls = 0;
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = wasm_module_obtain(store, shared);
  CHECK(module);
  wasm_functype_t *type = wasm_functype_new_1_1(wasm_valtype_new_i32(),
                                                wasm_valtype_new_i32());
  wasm_func_t *fn = wasm_func_new_with_env(store, type, twice, &calls, NULL);
  wasm_functype_delete(type);
  wasm_extern_t *imports[] = {wasm_func_as_extern(fn)};
  wasm_extern_vec_t import_vec = WASM_ARRAY_VEC(imports);
  wasm_instance_t *inst = wasm_instance_new(store, module, &import_vec, NULL);
  CHECK(inst);
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  wasm_func_t *run = export_func(&ex, 0);
  for (int i = 0; i < CALLS; i++) {
    int32_t x = id * 100000 + i;
    wasm_val_t a[1] = {WASM_I32_VAL(x)}, r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
    CHECK(wasm_func_call(run, &args, &res) == NULL);
    CHECK(r[0].of.i32 == 2 * x + 1);
  }
  CHECK(calls == CALLS);
  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(inst);
  wasm_func_delete(fn);
  wasm_module_delete(module);
  wasm_store_delete(store);
  return NULL;
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);
  shared = wasm_module_share(module);
  wasm_module_delete(module); /* the shared module keeps the code */
  wasm_store_delete(store);
  pthread_t t[THREADS];
  for (int i = 0; i < THREADS; i++)
    CHECK(pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i) == 0);
  for (int i = 0; i < THREADS; i++) CHECK(pthread_join(t[i], NULL) == 0);
  wasm_shared_module_delete(shared);
  wasm_engine_delete(engine);
  printf("threads: %d threads x %d calls ok\n", THREADS, CALLS);
  return 0;
}
