/* 100,000 instances with host-info finalizers (and a function each, and
 * copies of the references): every finalizer runs exactly once, whether
 * the last reference is deleted or the store goes with it. A store holds
 * at most 10,000 instances (wrun's default limit), so they come 1,000 to
 * a store. */
#include "capi_test.h"

#define TOTAL 100000
#define PER_STORE 1000

static unsigned char runs[TOTAL];
static int total_runs;

static void fin(void *info) {
  size_t i = (size_t)(uintptr_t)info - 1;
  CHECK(i < TOTAL);
  runs[i]++;
  total_runs++;
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *first = wasm_store_new(engine);
  wasm_module_t *module = load_module(first, argv[1]);
  wasm_shared_module_t *shared = wasm_module_share(module);
  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  size_t n = 0;
  while (n < TOTAL) {
    wasm_store_t *store = wasm_store_new(engine);
    wasm_module_t *m = wasm_module_obtain(store, shared);
    CHECK(m);
    for (int k = 0; k < PER_STORE; k++, n++) {
      wasm_instance_t *inst = wasm_instance_new(store, m, &none, NULL);
      CHECK(inst);
      wasm_instance_set_host_info_with_finalizer(inst, (void *)(uintptr_t)(n + 1), fin);
      wasm_instance_t *copy = wasm_instance_copy(inst);
      CHECK(wasm_instance_same(copy, inst));
      wasm_instance_delete(copy);
      if (k % 4 == 0) { /* a call now and then */
        wasm_extern_vec_t ex;
        wasm_instance_exports(inst, &ex);
        wasm_val_t r[1] = {WASM_INIT_VAL};
        wasm_val_vec_t args = WASM_EMPTY_VEC, res = WASM_ARRAY_VEC(r);
        CHECK(wasm_func_call(export_func(&ex, 0), &args, &res) == NULL);
        CHECK(r[0].of.i32 == 1);
        wasm_extern_vec_delete(&ex);
      }
      /* Half are deleted by the host, half left to their store. */
      if (k % 2 == 0) {
        wasm_instance_delete(inst);
        CHECK(runs[n] == 1);
      } else {
        CHECK(runs[n] == 0);
      }
    }
    wasm_module_delete(m);
    wasm_store_delete(store);
  }
  for (size_t i = 0; i < TOTAL; i++) CHECK(runs[i] == 1);
  CHECK(total_runs == TOTAL);
  wasm_shared_module_delete(shared);
  wasm_module_delete(module);
  wasm_store_delete(first);
  wasm_engine_delete(engine);
  printf("finalize: %d finalizers, each once\n", total_runs);
  return 0;
}
