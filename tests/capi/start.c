/* A start function that traps: no instance, and the trap says why. A
 * wrong import count fails the same way, with a message. */
#include "capi_test.h"

#include <string.h>

#include "wrun.h"

int main(int argc, char **argv) {
  CHECK(argc == 2);
  wasm_engine_t *engine = wasm_engine_new();
  wasm_store_t *store = wasm_store_new(engine);
  wasm_module_t *module = load_module(store, argv[1]);
  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  for (int i = 0; i < 3; i++) {
    wasm_trap_t *trap = NULL;
    CHECK(wasm_instance_new(store, module, &none, &trap) == NULL);
    CHECK(trap && trap_is(trap, "unreachable"));
    wasm_frame_t *origin = wasm_trap_origin(trap);
    CHECK(origin && wasm_frame_func_index(origin) == 0);
    wasm_frame_delete(origin);
    wasm_trap_delete(trap);
  }
  /* Without a trap out-parameter: still NULL, nothing leaks. */
  CHECK(wasm_instance_new(store, module, &none, NULL) == NULL);
  wasm_extern_t *extra[1] = {NULL};
  wasm_extern_vec_t one = WASM_ARRAY_VEC(extra);
  wasm_trap_t *trap = NULL;
  CHECK(wasm_instance_new(store, module, &one, &trap) == NULL);
  CHECK(trap && trap_is(trap, "wrong number of imports"));
  wasm_trap_delete(trap);
  /* Bytes that are no module. */
  wasm_byte_vec_t junk;
  wasm_name_new_from_string(&junk, "not wasm");
  CHECK(!wasm_module_validate(store, &junk));
  CHECK(wasm_module_new(store, &junk) == NULL);
  /* wasm.h cannot say why; wrun.h's wrun_last_error can. */
  CHECK(wrun_last_error() && strstr(wrun_last_error(), "magic"));
  wasm_byte_vec_delete(&junk);
  wasm_module_delete(module);
  wasm_store_delete(store);
  wasm_engine_delete(engine);
  puts("start: ok");
  return 0;
}
