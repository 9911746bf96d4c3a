/* Building small wasm modules in a test, byte by byte, so that a test can
 * make the module it needs (10,000 tables, a table of any size) instead of
 * shipping it. Only what the tests use: a section is its id and body,
 * vectors and LEB128 numbers are written by the caller. For criterion
 * tests, the end of the file compiles and instantiates what was built. */
#ifndef TEST_WASM_BUILD_H
#define TEST_WASM_BUILD_H

/* A failed allocation fails the test: criterion's assertion unless the
 * includer says how (a plain harness, which then gets the builders only). */
#ifndef WB_CHECK
#include <criterion/criterion.h>
#define WB_CHECK(p) cr_assert_not_null(p)
#define WB_CRITERION 1
#endif
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct wasm_buf {
  uint8_t *bytes;
  size_t len, cap;
} wasm_buf;

static inline void wb_bytes(wasm_buf *b, const void *p, size_t n) {
  if (b->len + n > b->cap) {
    b->cap = (b->len + n) * 2 + 64;
    b->bytes = realloc(b->bytes, b->cap);
    WB_CHECK(b->bytes);
  }
  memcpy(b->bytes + b->len, p, n);
  b->len += n;
}

static inline void wb_byte(wasm_buf *b, uint8_t v) { wb_bytes(b, &v, 1); }

static inline void wb_u32(wasm_buf *b, uint64_t v) { /* unsigned LEB128 */
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    wb_byte(b, byte | (v ? 0x80 : 0));
  } while (v);
}

static inline void wb_sleb(wasm_buf *b, int64_t v) { /* signed LEB128 */
  for (;;) {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
    wb_byte(b, byte | (done ? 0 : 0x80));
    if (done) return;
  }
}

static inline void wb_name(wasm_buf *b, const char *name) {
  wb_u32(b, strlen(name));
  wb_bytes(b, name, strlen(name));
}

/* One entry of an export section: kind 0x00 func, 0x01 table, 0x02
 * memory, 0x03 global. */
static inline void wb_export(wasm_buf *b, const char *name, uint8_t kind,
                             uint32_t index) {
  wb_name(b, name);
  wb_byte(b, kind);
  wb_u32(b, index);
}

/* One entry of a code section: a body without locals, code, end. */
static inline void wb_body(wasm_buf *b, const uint8_t *code, size_t n) {
  wb_u32(b, n + 2);
  wb_byte(b, 0);
  wb_bytes(b, code, n);
  wb_byte(b, 0x0B);
}
#define WB_BODY(b, ...)                                                     \
  wb_body(b, (const uint8_t[]){__VA_ARGS__},                                \
          sizeof((const uint8_t[]){__VA_ARGS__}))

static inline void wb_header(wasm_buf *b) {
  wb_bytes(b, "\0asm\1\0\0\0", 8);
}

/* Appends section id with the body built so far in body (then freed). */
static inline void wb_section(wasm_buf *b, uint8_t id, wasm_buf *body) {
  wb_byte(b, id);
  wb_u32(b, body->len);
  wb_bytes(b, body->bytes, body->len);
  free(body->bytes);
  memset(body, 0, sizeof *body);
}

/* Appends section id holding the given bytes. */
#define WB_SECTION_OF(b, id, ...)                                           \
  do {                                                                      \
    wasm_buf s_ = {0};                                                      \
    wb_bytes(&s_, (const uint8_t[]){__VA_ARGS__},                           \
             sizeof((const uint8_t[]){__VA_ARGS__}));                       \
    wb_section(b, id, &s_);                                                 \
  } while (0)

/* A table section of count funcref tables of min elements (no maximum). */
static inline void wb_table_section(wasm_buf *b, uint32_t count,
                                    uint32_t min) {
  wasm_buf s = {0};
  wb_u32(&s, count);
  for (uint32_t i = 0; i < count; i++) {
    wb_byte(&s, 0x70);
    wb_byte(&s, 0x00);
    wb_u32(&s, min);
  }
  wb_section(b, 4, &s);
}

/* A module of count tables of min elements each, and nothing else. */
static inline wasm_buf wb_tables_module(uint32_t count, uint32_t min) {
  wasm_buf b = {0};
  wb_header(&b);
  wb_table_section(&b, count, min);
  return b;
}

/* ---- calling what was built ------------------------------------------- */
#include "wrun.h"

/* Calls f with integer arguments, each taken as an i64 or an i32 by f's
 * parameter type; its result (if it has one) in *result. */
static inline wrun_trap *wb_call_ints(wrun_store *store, const wrun_func *f,
                                      const int64_t *args, size_t nargs,
                                      wrun_val *result) {
  wrun_val vals[8];
  if (nargs > 8) return wrun_trap_new("wb_call_ints: too many arguments");
  for (size_t i = 0; i < nargs; i++) {
    wrun_valtype t = wrun_func_param_type(f, i);
    memset(&vals[i], 0, sizeof vals[i]);
    vals[i].type = t;
    if (t == WRUN_I64)
      vals[i].of.i64 = args[i];
    else
      vals[i].of.i32 = (int32_t)args[i];
  }
  memset(result, 0, sizeof *result);
  return wrun_func_call(store, f, vals, nargs, result,
                        wrun_func_result_count(f));
}

#ifdef WB_CRITERION
/* ---- compiling and running what was built (criterion tests) ------------ */

/* A wrun_val of API type T whose union member `field` is v, e.g.
 * WB_VAL(WRUN_I64, i64, 5). */
#define WB_VAL(T, field, v) ((wrun_val){.type = (T), .of.field = (v)})

/* b compiled (its bytes freed); an error fails the test. */
static inline wrun_module *wb_compile(wrun_engine *engine, wasm_buf *b) {
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(engine, b->bytes, b->len, &m);
  free(b->bytes);
  memset(b, 0, sizeof *b);
  cr_assert_null(err, "compile: %s", err ? wrun_error_message(err) : "");
  return m;
}

/* m instantiated; an error or a trap fails the test. */
static inline wrun_instance *wb_instantiate(wrun_store *store,
                                            const wrun_module *m,
                                            const wrun_extern *imports,
                                            size_t nimports) {
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(store, m, imports, nimports, &inst, &err, &trap);
  cr_assert_null(err, "instantiate: %s", err ? wrun_error_message(err) : "");
  cr_assert_null(trap, "instantiate: %s", trap ? wrun_trap_message(trap) : "");
  return inst;
}

/* What most tests run in: a default engine, a store, one module and its
 * instance. */
typedef struct wb_world {
  wrun_engine *engine;
  wrun_store *store;
  wrun_module *module;
  wrun_instance *inst;
} wb_world;

/* The engine and store, b compiled; inst is NULL, for a test that makes
 * its imports in the store first (then wb_instantiate). */
static inline wb_world wb_world_compile(wasm_buf *b) {
  wb_world w = {0};
  w.engine = wrun_engine_new();
  w.store = wrun_store_new(w.engine);
  cr_assert(w.engine && w.store);
  w.module = wb_compile(w.engine, b);
  return w;
}

/* The same, instantiated without imports. */
static inline wb_world wb_world_new(wasm_buf *b) {
  wb_world w = wb_world_compile(b);
  w.inst = wb_instantiate(w.store, w.module, NULL, 0);
  return w;
}

static inline void wb_world_free(wb_world *w) {
  wrun_store_delete(w->store);
  wrun_module_delete(w->module);
  wrun_engine_delete(w->engine);
}

/* inst's export name; its absence fails the test. */
static inline wrun_extern wb_export_of(const wrun_instance *inst,
                                       const char *name) {
  wrun_extern e;
  cr_assert(wrun_instance_export(inst, name, &e), "no export %s", name);
  return e;
}

/* t is a trap with code (what: the call, for the message); t is deleted. */
static inline void wb_expect_trap(wrun_trap *t, wrun_trap_code code,
                                  const char *what) {
  cr_assert_not_null(t, "%s did not trap", what);
  cr_expect_eq(wrun_trap_code_of(t), code, "%s: %s", what,
               wrun_trap_message(t));
  wrun_trap_delete(t);
}
#endif

#endif
