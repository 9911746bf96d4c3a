/* Tables: get, set (a host function), grow within and past the maximum,
 * size, type, and the traps of calling what is not there. */
#include "capi_test.h"

static wasm_trap_t *answer(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  results->data[0].of.i32 = 42;
  return NULL;
}

static int32_t call_at(wasm_func_t *call, int32_t i, wasm_trap_t **trap) {
  wasm_val_t a[1] = {WASM_I32_VAL(i)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
  *trap = wasm_func_call(call, &args, &res);
  return r[0].of.i32;
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);
  wasm_instance_t *inst = instantiate_plain(store, module);
  wasm_extern_vec_t exports;
  wasm_instance_exports(inst, &exports);
  wasm_table_t *t = wasm_extern_as_table(exports.data[0]);
  wasm_func_t *call = export_func(&exports, 1);
  CHECK(t && wasm_table_size(t) == 2);

  wasm_tabletype_t *tt = wasm_table_type(t);
  CHECK(wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_FUNCREF);
  CHECK(wasm_tabletype_limits(tt)->min == 2 && wasm_tabletype_limits(tt)->max == 6);
  wasm_tabletype_delete(tt);

  wasm_ref_t *r0 = wasm_table_get(t, 0);
  CHECK(r0 && wasm_ref_as_func(r0));
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t none = WASM_EMPTY_VEC, res = WASM_ARRAY_VEC(r);
  CHECK(wasm_func_call(wasm_ref_as_func(r0), &none, &res) == NULL && r[0].of.i32 == 7);
  wasm_ref_t *again = wasm_table_get(t, 0);
  CHECK(wasm_ref_same(r0, again)); /* one identity per function */
  wasm_ref_delete(again);
  CHECK(wasm_table_get(t, 1) == NULL); /* null */
  CHECK(wasm_table_get(t, 2) == NULL); /* out of bounds */

  wasm_trap_t *trap;
  CHECK(call_at(call, 0, &trap) == 7 && !trap);
  call_at(call, 1, &trap);
  CHECK(trap && trap_is(trap, "uninitialized element"));
  wasm_trap_delete(trap);

  wasm_functype_t *ft = wasm_functype_new_0_1(wasm_valtype_new_i32());
  wasm_func_t *host = wasm_func_new(store, ft, answer);
  wasm_functype_delete(ft);
  CHECK(wasm_table_set(t, 1, wasm_func_as_ref(host)));
  CHECK(call_at(call, 1, &trap) == 42 && !trap);
  CHECK(!wasm_table_set(t, 2, wasm_func_as_ref(host)));
  /* A foreign object is no funcref. */
  wasm_foreign_t *foreign = wasm_foreign_new(store);
  CHECK(!wasm_table_set(t, 0, wasm_foreign_as_ref(foreign)));
  wasm_foreign_delete(foreign);

  CHECK(wasm_table_grow(t, 3, wasm_func_as_ref(host)));
  CHECK(wasm_table_size(t) == 5);
  CHECK(call_at(call, 4, &trap) == 42 && !trap);
  CHECK(wasm_table_grow(t, 1, NULL) && wasm_table_size(t) == 6);
  CHECK(!wasm_table_grow(t, 1, NULL) && wasm_table_size(t) == 6); /* max 6 */
  call_at(call, 6, &trap);
  CHECK(trap && trap_is(trap, "undefined element"));
  wasm_trap_delete(trap);

  /* A host table, of externrefs, without maximum. */
  wasm_limits_t lim = {1, wasm_limits_max_default};
  wasm_tabletype_t *ht = wasm_tabletype_new(wasm_valtype_new_anyref(), &lim);
  wasm_table_t *t2 = wasm_table_new(store, ht, NULL);
  wasm_tabletype_delete(ht);
  CHECK(t2 && wasm_table_size(t2) == 1 && wasm_table_grow(t2, 10, NULL));
  CHECK(wasm_table_size(t2) == 11);
  wasm_table_delete(t2);

  wasm_ref_delete(r0);
  wasm_func_delete(host);
  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(inst);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  puts("table: ok");
  return 0;
}
