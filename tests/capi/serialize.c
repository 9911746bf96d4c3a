/* A module serialized in one store and deserialized in another (of the
 * same engine), instantiated and called there; bytes that are no
 * serialized module are refused. */
#include "capi_test.h"

static wasm_trap_t *twice(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  results->data[0].of.i32 = args->data[0].of.i32 * 2;
  return NULL;
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *first = wasm_store_new(engine);
  wasm_module_t *module = load_module(first, argv[1]);
  wasm_byte_vec_t bytes;
  wasm_module_serialize(module, &bytes);
  CHECK(bytes.size > 0);
  wasm_module_delete(module);
  wasm_store_delete(first);

  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *loaded = wasm_module_deserialize(store, &bytes);
  wasm_byte_vec_delete(&bytes);
  CHECK(loaded);
  wasm_exporttype_vec_t exports_t;
  wasm_module_exports(loaded, &exports_t);
  CHECK(exports_t.size == 1);
  wasm_exporttype_vec_delete(&exports_t);
  wasm_functype_t *type = wasm_functype_new_1_1(wasm_valtype_new_i32(),
                                                wasm_valtype_new_i32());
  wasm_func_t *fn = wasm_func_new(store, type, twice);
  wasm_functype_delete(type);
  wasm_extern_t *imports[] = {wasm_func_as_extern(fn)};
  wasm_extern_vec_t import_vec = WASM_ARRAY_VEC(imports);
  wasm_instance_t *inst = wasm_instance_new(store, loaded, &import_vec, NULL);
  CHECK(inst);
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);
  wasm_val_t a[1] = {WASM_I32_VAL(9)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
  CHECK(wasm_func_call(export_func(&ex, 0), &args, &res) == NULL);
  CHECK(r[0].of.i32 == 162);

  wasm_byte_vec_t junk;
  wasm_name_new_from_string(&junk, "no serialized module");
  CHECK(wasm_module_deserialize(store, &junk) == NULL);
  wasm_byte_vec_delete(&junk);

  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(inst);
  wasm_func_delete(fn);
  wasm_module_delete(loaded);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  puts("serialize: ok");
  return 0;
}
