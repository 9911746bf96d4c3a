/* The smallest host: a callback without env, called twice by wasm. */
#include "capi_test.h"

static int calls;

static wasm_trap_t *hello(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  CHECK(args->size == 0 && results->size == 0);
  calls++;
  return NULL;
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);
  wasm_functype_t *type = wasm_functype_new_0_0();
  wasm_func_t *fn = wasm_func_new(store, type, hello);
  wasm_functype_delete(type);
  wasm_extern_t *imports[] = {wasm_func_as_extern(fn)};
  wasm_extern_vec_t import_vec = WASM_ARRAY_VEC(imports);
  wasm_trap_t *trap = NULL;
  wasm_instance_t *inst = wasm_instance_new(store, module, &import_vec, &trap);
  CHECK(inst && !trap);
  wasm_extern_vec_t exports;
  wasm_instance_exports(inst, &exports);
  CHECK(exports.size == 1 && wasm_extern_kind(exports.data[0]) == WASM_EXTERN_FUNC);
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  CHECK(wasm_func_call(export_func(&exports, 0), &none, &none) == NULL);
  CHECK(calls == 2);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(inst);
  wasm_func_delete(fn);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  puts("hello: ok");
  return 0;
}
