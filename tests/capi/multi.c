/* Multiple values: a host function of three results called from wasm,
 * and wasm functions of several results called from the host. */
#include "capi_test.h"

static wasm_trap_t *swap(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  CHECK(args->size == 3 && results->size == 3);
  CHECK(results->data[0].kind == WASM_F64 && results->data[2].kind == WASM_I32);
  results->data[0].of.f64 = args->data[2].of.f64 * 2;
  results->data[1].of.i64 = args->data[1].of.i64 + 1;
  results->data[2].of.i32 = args->data[0].of.i32 - 1;
  return NULL;
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);
  wasm_functype_t *type = wasm_functype_new_3_2(
      wasm_valtype_new_i32(), wasm_valtype_new_i64(), wasm_valtype_new_f64(),
      wasm_valtype_new_f64(), wasm_valtype_new_i64());
  /* 3_2 gives two results: add the third by hand. */
  wasm_valtype_vec_t params, results;
  wasm_valtype_vec_copy(&params, wasm_functype_params(type));
  const wasm_valtype_vec_t *two = wasm_functype_results(type);
  wasm_valtype_vec_new_uninitialized(&results, 3);
  results.data[0] = wasm_valtype_copy(two->data[0]);
  results.data[1] = wasm_valtype_copy(two->data[1]);
  results.data[2] = wasm_valtype_new_i32();
  wasm_functype_delete(type);
  type = wasm_functype_new(&params, &results);
  CHECK(params.size == 0 && results.size == 0); /* taken by the type */
  wasm_func_t *fn = wasm_func_new(store, type, swap);
  wasm_functype_delete(type);
  CHECK(wasm_func_result_arity(fn) == 3);
  wasm_extern_t *imports[] = {wasm_func_as_extern(fn)};
  wasm_extern_vec_t import_vec = WASM_ARRAY_VEC(imports);
  wasm_instance_t *inst = wasm_instance_new(store, module, &import_vec, NULL);
  CHECK(inst);
  wasm_extern_vec_t ex;
  wasm_instance_exports(inst, &ex);

  wasm_val_t a[3] = {WASM_I32_VAL(10), WASM_I64_VAL(-5), WASM_F64_VAL(1.25)};
  wasm_val_t r[3] = {WASM_INIT_VAL, WASM_INIT_VAL, WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
  CHECK(wasm_func_call(export_func(&ex, 0), &args, &res) == NULL);
  CHECK(r[0].kind == WASM_F64 && r[0].of.f64 == 2.5);
  CHECK(r[1].kind == WASM_I64 && r[1].of.i64 == -4);
  CHECK(r[2].kind == WASM_I32 && r[2].of.i32 == 9);

  wasm_val_vec_t none = WASM_EMPTY_VEC;
  CHECK(wasm_func_call(export_func(&ex, 1), &none, &res) == NULL);
  CHECK(r[0].kind == WASM_I32 && r[0].of.i32 == 1);
  CHECK(r[1].kind == WASM_I32 && r[1].of.i32 == 2);
  CHECK(r[2].kind == WASM_I64 && r[2].of.i64 == -3);
  /* Room for too few results: a trap. */
  wasm_val_vec_t short_res = {2, r};
  wasm_trap_t *trap = wasm_func_call(export_func(&ex, 1), &none, &short_res);
  CHECK(trap);
  wasm_trap_delete(trap);

  wasm_extern_vec_delete(&ex);
  wasm_instance_delete(inst);
  wasm_func_delete(fn);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  puts("multi: ok");
  return 0;
}
