/* A callback with env: it sees its env on every call, and the env's
 * finalizer runs once, when the store goes. */
#include "capi_test.h"

typedef struct env { int calls, finalized; } env;

static wasm_trap_t *add(void *e, const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  env *en = e;
  CHECK(args->size == 2 && results->size == 1);
  CHECK(args->data[0].kind == WASM_I32 && results->data[0].kind == WASM_I32);
  en->calls++;
  results->data[0].of.i32 = args->data[0].of.i32 + args->data[1].of.i32;
  return NULL;
}

static void finalize(void *e) { ((env *)e)->finalized++; }

int main(int argc, char **argv) {
  CHECK(argc == 2);
  env en = {0, 0};
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);
  wasm_functype_t *type = wasm_functype_new_2_1(
      wasm_valtype_new_i32(), wasm_valtype_new_i32(), wasm_valtype_new_i32());
  wasm_func_t *fn = wasm_func_new_with_env(store, type, add, &en, finalize);
  wasm_functype_delete(type);
  CHECK(wasm_func_param_arity(fn) == 2 && wasm_func_result_arity(fn) == 1);
  wasm_extern_t *imports[] = {wasm_func_as_extern(fn)};
  wasm_extern_vec_t import_vec = WASM_ARRAY_VEC(imports);
  wasm_instance_t *inst = wasm_instance_new(store, module, &import_vec, NULL);
  CHECK(inst);
  wasm_extern_vec_t exports;
  wasm_instance_exports(inst, &exports);
  wasm_func_t *run = export_func(&exports, 0);
  for (int i = 0; i < 100; i++) {
    wasm_val_t a[1] = {WASM_I32_VAL(i)};
    wasm_val_t r[1] = {WASM_INIT_VAL};
    wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
    CHECK(wasm_func_call(run, &args, &res) == NULL);
    CHECK(r[0].kind == WASM_I32 && r[0].of.i32 == i + 11);
  }
  /* The host function called directly, too. */
  wasm_val_t a[2] = {WASM_I32_VAL(5), WASM_I32_VAL(-7)};
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
  CHECK(wasm_func_call(fn, &args, &res) == NULL && r[0].of.i32 == -2);
  /* A wrong number of arguments is a trap, not a crash. */
  wasm_val_vec_t one = {1, a};
  wasm_trap_t *trap = wasm_func_call(fn, &one, &res);
  CHECK(trap);
  wasm_trap_delete(trap);
  CHECK(en.calls == 101);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(inst);
  wasm_func_delete(fn);
  wasm_module_delete(module);
  CHECK(en.finalized == 0);
  wasm_store_delete(store);
  CHECK(en.finalized == 1);
  wasm_engine_delete(engine);
  puts("callback: ok");
  return 0;
}
