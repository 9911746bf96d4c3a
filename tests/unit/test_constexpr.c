/* Constant expressions (runtime/reader.c validates them, runtime/instance.c
 * evaluates them): Wasm 3.0's extended constants, i32/i64 add, sub and mul
 * over constants and global.get of immutable globals, imported or defined
 * earlier, in global initializers and segment offsets; the arithmetic
 * wraps; malformed or ill-typed expressions get the spec's messages. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "wasm_build.h"
#include "wrun.h"

enum { I32 = 0x7F, I64 = 0x7E, END = 0x0B, GLOBAL_GET = 0x23,
       I32_CONST = 0x41, I64_CONST = 0x42,
       I32_ADD = 0x6A, I32_SUB = 0x6B, I32_MUL = 0x6C,
       I64_ADD = 0x7C, I64_SUB = 0x7D, I64_MUL = 0x7E };

/* A defined global: its type, mutability and initializer (without end). */
typedef struct gdef {
  uint8_t type;
  bool mut;
  const uint8_t *init;
  size_t len;
} gdef;

#define INIT(...) (const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__})

/* A module importing nimports immutable i32 globals ("m" "g"), defining
 * the globals of defs and exporting defined global k as "g<k>". */
static wasm_buf globals_module(uint32_t nimports, const gdef *defs,
                               uint32_t n) {
  wasm_buf b = {0}, s = {0};
  wb_header(&b);
  if (nimports) {
    wb_u32(&s, nimports);
    for (uint32_t i = 0; i < nimports; i++) {
      wb_name(&s, "m");
      wb_name(&s, "g");
      wb_bytes(&s, (uint8_t[]){0x03, I32, 0x00}, 3);
    }
    wb_section(&b, 2, &s);
  }
  wb_u32(&s, n);
  for (uint32_t i = 0; i < n; i++) {
    wb_byte(&s, defs[i].type);
    wb_byte(&s, defs[i].mut);
    wb_bytes(&s, defs[i].init, defs[i].len);
    wb_byte(&s, END);
  }
  wb_section(&b, 6, &s);
  wb_u32(&s, n);
  for (uint32_t i = 0; i < n; i++) {
    char name[16];
    snprintf(name, sizeof name, "g%u", i);
    wb_export(&s, name, 0x03, nimports + i);
  }
  wb_section(&b, 7, &s);
  return b;
}

/* Compiles and instantiates b, the imports (if any) being i32 globals of
 * the values in imports. */
static wb_world instantiate(wasm_buf *b, const int32_t *imports,
                            uint32_t nimports) {
  wb_world w = wb_world_compile(b);
  wrun_extern ext[4];
  cr_assert(nimports <= 4);
  for (uint32_t i = 0; i < nimports; i++) {
    wrun_val v = {.type = WRUN_I32, .of.i32 = imports[i]};
    ext[i].kind = WRUN_EXTERN_GLOBAL;
    ext[i].of.global = wrun_global_new(w.store, WRUN_I32, false, v);
  }
  w.inst = wb_instantiate(w.store, w.module, ext, nimports);
  return w;
}

static wrun_val global(const wb_world *w, const char *name) {
  wrun_extern e = wb_export_of(w->inst, name);
  cr_assert_eq(e.kind, WRUN_EXTERN_GLOBAL);
  wrun_val v;
  wrun_global_get(e.of.global, &v);
  return v;
}

/* Rejected by validation with a message that starts with want. */
static void reject(wasm_buf *b, const char *want) {
  wrun_engine *e = wrun_engine_new();
  wrun_error *err = wrun_module_validate(e, b->bytes, b->len);
  cr_assert_not_null(err, "accepted, expected \"%s\"", want);
  const char *msg = wrun_error_message(err);
  cr_assert(strncmp(msg, want, strlen(want)) == 0, "got \"%s\", expected \"%s\"",
            msg, want);
  wrun_error_delete(err);
  wrun_engine_delete(e);
  free(b->bytes);
}

Test(constexpr, i32_arithmetic_wraps) {
  gdef defs[] = {
      /* 0x7fffffff + 1 */
      {I32, false, INIT(I32_CONST, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, I32_CONST, 1,
                        I32_ADD)},
      /* 0 - 1 */
      {I32, false, INIT(I32_CONST, 0, I32_CONST, 1, I32_SUB)},
      /* 0x10000 * 0x10000 */
      {I32, false, INIT(I32_CONST, 0x80, 0x80, 0x04, I32_CONST, 0x80, 0x80,
                        0x04, I32_MUL)},
      /* (3 - 5) * 7: a negative intermediate */
      {I32, false, INIT(I32_CONST, 3, I32_CONST, 5, I32_SUB, I32_CONST, 7,
                        I32_MUL)},
  };
  wasm_buf b = globals_module(0, defs, 4);
  wb_world w = instantiate(&b, NULL, 0);
  cr_expect_eq(global(&w, "g0").of.i32, INT32_MIN);
  cr_expect_eq(global(&w, "g1").of.i32, -1);
  cr_expect_eq(global(&w, "g2").of.i32, 0);
  cr_expect_eq(global(&w, "g3").of.i32, -14);
  wb_world_free(&w);
}

Test(constexpr, i64_arithmetic_wraps) {
  wasm_buf init = {0};
  wb_byte(&init, I64_CONST);
  wb_sleb(&init, INT64_MAX);
  wb_bytes(&init, (uint8_t[]){I64_CONST, 1, I64_ADD}, 3);
  wasm_buf mul = {0};
  wb_byte(&mul, I64_CONST);
  wb_sleb(&mul, 0x100000001ll);
  wb_byte(&mul, I64_CONST);
  wb_sleb(&mul, 0x100000001ll);
  wb_byte(&mul, I64_MUL); /* 2^64 + 2^33 + 1 wraps to 2^33 + 1 */
  gdef defs[] = {
      {I64, false, init.bytes, init.len},
      {I64, false, mul.bytes, mul.len},
      {I64, false, INIT(I64_CONST, 0, I64_CONST, 1, I64_SUB)},
  };
  wasm_buf b = globals_module(0, defs, 3);
  free(init.bytes);
  free(mul.bytes);
  wb_world w = instantiate(&b, NULL, 0);
  cr_expect_eq(global(&w, "g0").of.i64, INT64_MIN);
  cr_expect_eq(global(&w, "g1").of.i64, (1ll << 33) + 1);
  cr_expect_eq(global(&w, "g2").of.i64, -1);
  wb_world_free(&w);
}

Test(constexpr, imported_and_earlier_globals) {
  gdef defs[] = {
      /* import0 * 5 + import1 */
      {I32, false, INIT(GLOBAL_GET, 0, I32_CONST, 5, I32_MUL, GLOBAL_GET, 1,
                        I32_ADD)},
      /* the global just defined (index 2), minus import0 */
      {I32, false, INIT(GLOBAL_GET, 2, GLOBAL_GET, 0, I32_SUB)},
      /* a lone global.get of a defined global: the inline form */
      {I32, false, INIT(GLOBAL_GET, 3)},
  };
  wasm_buf b = globals_module(2, defs, 3);
  wb_world w = instantiate(&b, (int32_t[]){7, -100}, 2);
  cr_expect_eq(global(&w, "g0").of.i32, 7 * 5 - 100);
  cr_expect_eq(global(&w, "g1").of.i32, 7 * 5 - 100 - 7);
  cr_expect_eq(global(&w, "g2").of.i32, 7 * 5 - 100 - 7);
  wb_world_free(&w);
}

/* Deeper than the evaluator's stack on the C stack (8 cells): 20 ones
 * pushed, then 19 adds. */
Test(constexpr, deep_program) {
  wasm_buf init = {0};
  for (int i = 0; i < 20; i++) wb_bytes(&init, (uint8_t[]){I32_CONST, 1}, 2);
  for (int i = 0; i < 19; i++) wb_byte(&init, I32_ADD);
  gdef defs[] = {{I32, false, init.bytes, init.len}};
  wasm_buf b = globals_module(0, defs, 1);
  free(init.bytes);
  wb_world w = instantiate(&b, NULL, 0);
  cr_expect_eq(global(&w, "g0").of.i32, 20);
  wb_world_free(&w);
}

/* Data and element offsets computed from an imported global. */
Test(constexpr, segment_offsets) {
  wasm_buf b = {0}, s = {0};
  wb_header(&b);
  wb_bytes(&s, (uint8_t[]){1, 0x60, 0, 0}, 4); /* type [] -> [] */
  wb_section(&b, 1, &s);
  wb_u32(&s, 1);
  wb_name(&s, "m");
  wb_name(&s, "g");
  wb_bytes(&s, (uint8_t[]){0x03, I32, 0x00}, 3);
  wb_section(&b, 2, &s);
  wb_bytes(&s, (uint8_t[]){1, 0}, 2);
  wb_section(&b, 3, &s);
  wb_bytes(&s, (uint8_t[]){1, 0x70, 0x00, 8}, 4); /* table 8 funcref */
  wb_section(&b, 4, &s);
  wb_bytes(&s, (uint8_t[]){1, 0x00, 1}, 3); /* memory 1 */
  wb_section(&b, 5, &s);
  wb_u32(&s, 2);
  wb_export(&s, "mem", 0x02, 0);
  wb_export(&s, "tab", 0x01, 0);
  wb_section(&b, 7, &s);
  /* elem at g - 1: function 0 */
  wb_bytes(&s, (uint8_t[]){1, 0x00, GLOBAL_GET, 0, I32_CONST, 1, I32_SUB,
                           END, 1, 0}, 10);
  wb_section(&b, 9, &s);
  wb_bytes(&s, (uint8_t[]){1, 2, 0, END}, 4); /* body: nothing */
  wb_section(&b, 10, &s);
  /* data at g * 100 + 3: "xy" */
  wb_bytes(&s, (uint8_t[]){1, 0x00, GLOBAL_GET, 0, I32_CONST, 0xE4, 0x00,
                           I32_MUL, I32_CONST, 3, I32_ADD, END, 2, 'x', 'y'},
           15);
  wb_section(&b, 11, &s);
  wb_world w = instantiate(&b, (int32_t[]){5}, 1);
  wrun_extern e = wb_export_of(w.inst, "mem");
  const uint8_t *mem = wrun_memory_data(e.of.memory);
  cr_expect_eq(mem[502], 0);
  cr_expect_eq(mem[503], 'x');
  cr_expect_eq(mem[504], 'y');
  cr_expect_eq(mem[505], 0);
  e = wb_export_of(w.inst, "tab");
  wrun_val v;
  cr_assert(wrun_table_get(e.of.table, 3, &v));
  cr_expect_null(v.of.funcref);
  cr_assert(wrun_table_get(e.of.table, 4, &v));
  cr_expect_not_null(v.of.funcref);
  wb_world_free(&w);
}

Test(constexpr, bad_expressions) {
  gdef mixed[] = {{I32, false, INIT(I32_CONST, 1, I64_CONST, 2, I32_ADD)}};
  wasm_buf b = globals_module(0, mixed, 1);
  reject(&b, "type mismatch");
  gdef missing[] = {{I32, false, INIT(I32_CONST, 1, I32_ADD)}};
  b = globals_module(0, missing, 1);
  reject(&b, "type mismatch");
  gdef two[] = {{I32, false, INIT(I32_CONST, 1, I32_CONST, 2)}};
  b = globals_module(0, two, 1);
  reject(&b, "type mismatch");
  gdef wrong_result[] = {{I64, false, INIT(I32_CONST, 1, I32_CONST, 2,
                                           I32_ADD)}};
  b = globals_module(0, wrong_result, 1);
  reject(&b, "type mismatch");
  gdef div[] = {{I32, false, INIT(I32_CONST, 1, I32_CONST, 2, 0x6D)}};
  b = globals_module(0, div, 1);
  reject(&b, "constant expression required");
  /* Constness is checked before types: the ill-typed add comes first in
   * the bytes, yet the non-constant nop after it is what is reported. */
  gdef both[] = {{I32, false, INIT(I64_CONST, 1, I32_ADD, 0x01)}};
  b = globals_module(0, both, 1);
  reject(&b, "constant expression required");
  gdef later[] = {{I32, false, INIT(GLOBAL_GET, 1)},
                  {I32, false, INIT(I32_CONST, 0)}};
  b = globals_module(0, later, 2);
  reject(&b, "unknown global");
  gdef self[] = {{I32, false, INIT(GLOBAL_GET, 0, I32_CONST, 1, I32_ADD)}};
  b = globals_module(0, self, 1);
  reject(&b, "unknown global");
  gdef mutable_[] = {{I32, true, INIT(I32_CONST, 0)},
                     {I32, false, INIT(GLOBAL_GET, 0, I32_CONST, 1,
                                       I32_ADD)}};
  b = globals_module(0, mutable_, 2);
  reject(&b, "constant expression required");
  /* Truncated: the expression runs into the end of the section. */
  gdef truncated[] = {{I32, false, INIT(I32_CONST)}};
  b = globals_module(0, truncated, 1);
  reject(&b, "unexpected end");
}
