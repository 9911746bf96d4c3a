/* Memories: data seen from both sides, growth within and past the
 * maximum, out-of-bounds traps, and a host memory. */
#include "capi_test.h"

static wasm_func_t *load_fn, *store_fn, *size_fn;

static int32_t load(int32_t addr, wasm_trap_t **trap) {
  wasm_val_t a[1] = {WASM_I32_VAL(addr)}, r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), res = WASM_ARRAY_VEC(r);
  *trap = wasm_func_call(load_fn, &args, &res);
  return r[0].of.i32;
}

static int32_t size(void) {
  wasm_val_t r[1] = {WASM_INIT_VAL};
  wasm_val_vec_t none = WASM_EMPTY_VEC, res = WASM_ARRAY_VEC(r);
  CHECK(wasm_func_call(size_fn, &none, &res) == NULL);
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
  wasm_memory_t *mem = wasm_extern_as_memory(exports.data[0]);
  load_fn = export_func(&exports, 1);
  store_fn = export_func(&exports, 2);
  size_fn = export_func(&exports, 3);
  CHECK(mem);

  byte_t *data = wasm_memory_data(mem);
  CHECK(data[0] == 1 && data[1] == 2 && data[2] == 0);
  CHECK(wasm_memory_size(mem) == 1 && size() == 1);
  CHECK(wasm_memory_data_size(mem) == MEMORY_PAGE_SIZE);
  data[100] = 55;
  wasm_trap_t *trap;
  CHECK(load(100, &trap) == 55 && !trap);
  wasm_val_t a[2] = {WASM_I32_VAL(200), WASM_I32_VAL(9)};
  wasm_val_vec_t args = WASM_ARRAY_VEC(a), none = WASM_EMPTY_VEC;
  CHECK(wasm_func_call(store_fn, &args, &none) == NULL);
  CHECK(data[200] == 9);

  load(0x10000, &trap);
  CHECK(trap && trap_is(trap, "out of bounds memory access"));
  wasm_trap_delete(trap);

  CHECK(wasm_memory_grow(mem, 1));
  CHECK(wasm_memory_size(mem) == 2 && size() == 2);
  CHECK(wasm_memory_data_size(mem) == 2 * MEMORY_PAGE_SIZE);
  wasm_memory_data(mem)[0x10005] = 77;
  CHECK(load(0x10005, &trap) == 77 && !trap);
  CHECK(!wasm_memory_grow(mem, 2)); /* past the maximum of 3 */
  CHECK(wasm_memory_grow(mem, 1) && wasm_memory_size(mem) == 3);
  CHECK(!wasm_memory_grow(mem, 1) && wasm_memory_size(mem) == 3);

  wasm_memorytype_t *mt = wasm_memory_type(mem);
  CHECK(wasm_memorytype_limits(mt)->min == 3 && wasm_memorytype_limits(mt)->max == 3);
  wasm_memorytype_delete(mt);

  /* A host memory without a maximum. */
  wasm_limits_t lim = {2, wasm_limits_max_default};
  wasm_memorytype_t *ht = wasm_memorytype_new(&lim);
  wasm_memory_t *m2 = wasm_memory_new(store, ht);
  wasm_memorytype_delete(ht);
  CHECK(m2 && wasm_memory_size(m2) == 2 && wasm_memory_grow(m2, 5));
  CHECK(wasm_memory_size(m2) == 7);
  wasm_memorytype_t *t2 = wasm_memory_type(m2);
  CHECK(wasm_memorytype_limits(t2)->max == wasm_limits_max_default);
  wasm_memorytype_delete(t2);
  wasm_memory_delete(m2);
  /* max < min is refused. */
  wasm_limits_t bad = {3, 2};
  wasm_memorytype_t *bt = wasm_memorytype_new(&bad);
  CHECK(wasm_memory_new(store, bt) == NULL);
  wasm_memorytype_delete(bt);

  wasm_extern_vec_delete(&exports);
  wasm_instance_delete(inst);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  puts("memory: ok");
  return 0;
}
