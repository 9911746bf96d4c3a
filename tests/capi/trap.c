/* Traps from a host callback and from wasm, with their backtraces:
 * function indices innermost first (import 0 fail, 1 inner, 2 host_trap,
 * 3 deep, 4 wasm_trap), and the instance of every frame, in two
 * instances of the module in one store. */
#include "capi_test.h"

static wasm_store_t *store;

static wasm_trap_t *fail(const wasm_val_vec_t *args, wasm_val_vec_t *results) {
  wasm_message_t msg;
  wasm_name_new_from_string_nt(&msg, "host says no");
  wasm_trap_t *t = wasm_trap_new(store, &msg);
  wasm_name_delete(&msg);
  return t;
}

static void check_trace(const wasm_trap_t *trap, uint32_t f0, uint32_t f1,
                        const wasm_instance_t *inst) {
  wasm_frame_t *origin = wasm_trap_origin(trap);
  CHECK(origin && wasm_frame_func_index(origin) == f0);
  CHECK(wasm_frame_instance(origin) == inst);
  /* The trapping instruction (or the call to the host) is known: its
   * offset in the body lies before its offset in the module. */
  size_t fo = wasm_frame_func_offset(origin), mo = wasm_frame_module_offset(origin);
  CHECK(fo != SIZE_MAX && mo != SIZE_MAX && fo < mo);
  wasm_frame_t *oc = wasm_frame_copy(origin);
  CHECK(wasm_frame_module_offset(oc) == mo && wasm_frame_func_offset(oc) == fo);
  CHECK(wasm_frame_instance(oc) == inst);
  wasm_frame_delete(oc);
  wasm_frame_delete(origin);
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  CHECK(trace.size == 2);
  CHECK(wasm_frame_func_index(trace.data[0]) == f0);
  CHECK(wasm_frame_func_index(trace.data[1]) == f1);
  CHECK(wasm_frame_instance(trace.data[0]) == inst);
  CHECK(wasm_frame_instance(trace.data[1]) == inst);
  wasm_frame_t *copy = wasm_frame_copy(trace.data[1]);
  CHECK(wasm_frame_func_index(copy) == f1);
  CHECK(wasm_frame_instance(copy) == inst);
  wasm_frame_delete(copy);
  wasm_frame_vec_delete(&trace);
}

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);
  wasm_functype_t *type = wasm_functype_new_0_0();
  wasm_func_t *fn = wasm_func_new(store, type, fail);
  wasm_functype_delete(type);
  wasm_extern_t *imports[] = {wasm_func_as_extern(fn)};
  wasm_extern_vec_t import_vec = WASM_ARRAY_VEC(imports);
  wasm_instance_t *insts[2];
  wasm_extern_vec_t exports[2];
  for (int k = 0; k < 2; k++) {
    insts[k] = wasm_instance_new(store, module, &import_vec, NULL);
    CHECK(insts[k]);
    wasm_instance_exports(insts[k], &exports[k]);
    CHECK(exports[k].size == 2);
  }
  wasm_val_vec_t none = WASM_EMPTY_VEC;
  for (int round = 0; round < 4; round++) { /* the store stays usable */
    int k = round % 2; /* the newer instance, then the older */
    wasm_trap_t *trap = wasm_func_call(export_func(&exports[k], 0), &none,
                                       &none);
    CHECK(trap && trap_is(trap, "host says no"));
    check_trace(trap, 1, 2, insts[k]);
    wasm_trap_delete(trap);
    trap = wasm_func_call(export_func(&exports[k], 1), &none, &none);
    CHECK(trap && trap_is(trap, "unreachable"));
    check_trace(trap, 3, 4, insts[k]);
    wasm_trap_delete(trap);
  }
  /* A host trap called directly has no wasm frames. */
  wasm_trap_t *trap = wasm_func_call(fn, &none, &none);
  CHECK(trap && trap_is(trap, "host says no") && !wasm_trap_origin(trap));
  wasm_frame_vec_t trace;
  wasm_trap_trace(trap, &trace);
  CHECK(trace.size == 0);
  wasm_frame_vec_delete(&trace);
  wasm_trap_delete(trap);
  for (int k = 0; k < 2; k++) {
    wasm_extern_vec_delete(&exports[k]);
    wasm_instance_delete(insts[k]);
  }
  wasm_func_delete(fn);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  puts("trap: ok");
  return 0;
}
