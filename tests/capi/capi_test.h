/* Shared by the wasm.h hosts of tests/capi: a check that fails the
 * program, and loading a module from the .wasm path in argv[1]. */
#ifndef CAPI_TEST_H
#define CAPI_TEST_H

#include "wasm.h"

#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                               \
  do {                                                                         \
    if (!(c)) {                                                                \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);    \
      exit(1);                                                                 \
    }                                                                          \
  } while (0)

static inline wasm_module_t *load_module(wasm_store_t *store, const char *path) {
  FILE *f = fopen(path, "rb");
  CHECK(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  wasm_byte_vec_t bytes;
  wasm_byte_vec_new_uninitialized(&bytes, (size_t)n);
  CHECK(fread(bytes.data, 1, (size_t)n, f) == (size_t)n);
  fclose(f);
  CHECK(wasm_module_validate(store, &bytes));
  wasm_module_t *m = wasm_module_new(store, &bytes);
  wasm_byte_vec_delete(&bytes);
  CHECK(m);
  return m;
}

/* module instantiated without imports (a failure fails the program). */
static inline wasm_instance_t *instantiate_plain(wasm_store_t *store,
                                                 const wasm_module_t *module) {
  wasm_extern_vec_t none = WASM_EMPTY_VEC;
  wasm_instance_t *inst = wasm_instance_new(store, module, &none, NULL);
  CHECK(inst);
  return inst;
}

/* The export at index i as a function. */
static inline wasm_func_t *export_func(const wasm_extern_vec_t *exports, size_t i) {
  CHECK(i < exports->size);
  wasm_func_t *f = wasm_extern_as_func(exports->data[i]);
  CHECK(f);
  return f;
}

/* The message of a trap (checked to end in its NUL) compared with s. */
static inline int trap_is(const wasm_trap_t *trap, const char *s) {
  wasm_message_t msg;
  wasm_trap_message(trap, &msg);
  CHECK(msg.size > 0 && msg.data[msg.size - 1] == 0);
  int same = strcmp(msg.data, s) == 0;
  if (!same) fprintf(stderr, "trap message: %s\n", msg.data);
  wasm_byte_vec_delete(&msg);
  return same;
}

#endif
