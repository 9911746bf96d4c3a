/* Globals: a host global imported and changed from both sides, exported
 * ones read and written, an immutable one refusing writes. */
#include "capi_test.h"

static wasm_val_t call0(wasm_func_t *f) {
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t none = WASM_EMPTY_VEC, res = WASM_ARRAY_VEC(r);
  CHECK(wasm_func_call(f, &none, &res) == NULL);
  return r[0];
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);
  wasm_globaltype_t *gt = wasm_globaltype_new(wasm_valtype_new_i32(), WASM_VAR);
  wasm_val_t init = WASM_I32_VAL(7);
  wasm_global_t *g = wasm_global_new(store, gt, &init);
  wasm_globaltype_delete(gt);
  CHECK(g);
  wasm_globaltype_t *back = wasm_global_type(g);
  CHECK(wasm_globaltype_mutability(back) == WASM_VAR);
  CHECK(wasm_valtype_kind(wasm_globaltype_content(back)) == WASM_I32);
  wasm_globaltype_delete(back);

  wasm_extern_t *imports[] = {wasm_global_as_extern(g)};
  wasm_extern_vec_t import_vec = WASM_ARRAY_VEC(imports);
  wasm_instance_t *inst = wasm_instance_new(store, module, &import_vec, NULL);
  CHECK(inst);
  wasm_extern_vec_t exports;
  wasm_instance_exports(inst, &exports);
  CHECK(exports.size == 4);
  wasm_global_t *c = wasm_extern_as_global(exports.data[0]);
  wasm_global_t *v = wasm_extern_as_global(exports.data[1]);
  wasm_func_t *get = export_func(&exports, 2), *set = export_func(&exports, 3);
  CHECK(c && v && !wasm_extern_as_func(exports.data[0]));

  CHECK(call0(get).of.i32 == 7);
  wasm_val_t eight = WASM_I32_VAL(8);
  wasm_global_set(g, &eight);
  CHECK(call0(get).of.i32 == 8);
  wasm_val_t a[1] = {WASM_I32_VAL(-3)};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), none = WASM_EMPTY_VEC;
  CHECK(wasm_func_call(set, &args, &none) == NULL);
  wasm_val_t out;
  wasm_global_get(g, &out);
  CHECK(out.kind == WASM_I32 && out.of.i32 == -3);

  wasm_global_get(c, &out);
  CHECK(out.kind == WASM_I64 && out.of.i64 == 42);
  wasm_val_t try = WASM_I64_VAL(1);
  wasm_global_set(c, &try); /* immutable: ignored */
  wasm_global_get(c, &out);
  CHECK(out.of.i64 == 42);
  wasm_globaltype_t *ct = wasm_global_type(c);
  CHECK(wasm_globaltype_mutability(ct) == WASM_CONST);
  wasm_globaltype_delete(ct);

  wasm_global_get(v, &out);
  CHECK(out.kind == WASM_F32 && out.of.f32 == 1.5f);
  wasm_val_t f = WASM_F32_VAL(-2.25f);
  wasm_global_set(v, &f);
  wasm_global_get(v, &out);
  CHECK(out.of.f32 == -2.25f);
  wasm_val_t wrong = WASM_I32_VAL(1); /* of another type: ignored */
  wasm_global_set(v, &wrong);
  wasm_global_get(v, &out);
  CHECK(out.kind == WASM_F32 && out.of.f32 == -2.25f);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(inst);
  wasm_global_delete(g);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  puts("global: ok");
  return 0;
}
