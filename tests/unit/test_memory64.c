/* memory64 and table64 (Wasm 3.0): i64 addresses, sizes and offsets. A memory here
 * holds at most 4 GiB, so code checks that address and offset fit in 32
 * bits before the guarded access (jit/codegen_ops.c); these tests hit both
 * sides of that check, the i64 memory.size/grow, an i64 data offset, the
 * u64 operands of the bulk libcalls, and a copy from an i32 memory. */
#include <criterion/criterion.h>
#include <string.h>

#include "wasm_build.h"
#include "wrun.h"

enum { I32 = 0x7F, I64 = 0x7E, END = 0x0B, LOCAL_GET = 0x20,
       I64_CONST = 0x42, MEMARG_MEM = 0x40 };

static const char *const exports[] = {
    "load", "load_off", "load_hi", "size", "grow", "fill", "copy_from32",
    "store"};
enum { NFUNCS = sizeof exports / sizeof *exports };

/* Memory 0: i64, 1 page, max 2 (0x05 flags). Memory 1: i32, 1 page.
 * Data "abc" at the i64 offset 10 of memory 0, "xyz" at 0 of memory 1. */
static wasm_buf memory64_module(void) {
  wasm_buf b = {0}, s = {0};
  wb_header(&b);
  wb_u32(&s, 5);
  wb_bytes(&s, (uint8_t[]){0x60, 1, I64, 1, I32}, 5);          /* 0 */
  wb_bytes(&s, (uint8_t[]){0x60, 0, 1, I64}, 4);               /* 1 */
  wb_bytes(&s, (uint8_t[]){0x60, 1, I64, 1, I64}, 5);          /* 2 */
  wb_bytes(&s, (uint8_t[]){0x60, 3, I64, I32, I64, 0}, 6);     /* 3 */
  wb_bytes(&s, (uint8_t[]){0x60, 3, I64, I32, I32, 0}, 6);     /* 4 */
  wb_section(&b, 1, &s);
  static const uint8_t types[NFUNCS] = {0, 0, 1, 1, 2, 3, 4, 3};
  wb_u32(&s, NFUNCS);
  wb_bytes(&s, types, NFUNCS);
  wb_section(&b, 3, &s);
  wb_bytes(&s, (uint8_t[]){2, 0x05, 1, 2, 0x00, 1}, 6);
  wb_section(&b, 5, &s);
  wb_u32(&s, NFUNCS + 2);
  for (uint32_t i = 0; i < NFUNCS; i++)
    wb_export(&s, exports[i], 0x00, i);
  wb_export(&s, "mem", 0x02, 0);
  wb_export(&s, "mem1", 0x02, 1);
  wb_section(&b, 7, &s);
  wb_u32(&s, NFUNCS);
  /* load: i32.load8_u at an i64 address */
  WB_BODY(&s, LOCAL_GET, 0, 0x2D, 0, 0);
  /* load_off: the same with offset 2^32 (u64 LEB): always out of bounds */
  WB_BODY(&s, LOCAL_GET, 0, 0x2D, 0, 0x80, 0x80, 0x80, 0x80, 0x10);
  /* load_hi: a constant address 2^32 + 1 */
  WB_BODY(&s, I64_CONST, 0x81, 0x80, 0x80, 0x80, 0x10, 0x2D, 0, 0, 0xAD);
  /* size, grow (i64) */
  WB_BODY(&s, 0x3F, 0);
  WB_BODY(&s, LOCAL_GET, 0, 0x40, 0);
  /* fill (i64 dst, i32 value, i64 n) */
  WB_BODY(&s, LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, 0xFC, 11, 0);
  /* copy_from32: memory.copy 0 <- 1; dst i64, src i32, n i32 */
  WB_BODY(&s, LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, 0xFC, 10, 0, 1);
  /* store: i32.store8 (i64 addr, i32 value as i64 param 2 wrapped) */
  WB_BODY(&s, LOCAL_GET, 0, LOCAL_GET, 2, 0xA7, 0x3A, MEMARG_MEM, 0, 0);
  wb_section(&b, 10, &s);
  wb_u32(&s, 2);
  wb_bytes(&s, (uint8_t[]){0x00, I64_CONST, 10, END, 3, 'a', 'b', 'c'}, 8);
  wb_bytes(&s, (uint8_t[]){0x02, 1, 0x41, 0, END, 3, 'x', 'y', 'z'}, 9);
  wb_section(&b, 11, &s);
  return b;
}

static wb_world make_world(void) {
  wasm_buf b = memory64_module();
  return wb_world_new(&b);
}

/* Calls export name with the arguments of the function's type (i64, i32,
 * i64 ...) taken from args; the trap, or NULL and the result in *out. */
static wrun_trap *call(const wb_world *w, const char *name,
                       const int64_t *args, size_t nargs, int64_t *out) {
  wrun_extern e = wb_export_of(w->inst, name);
  wrun_val r;
  wrun_trap *t = wb_call_ints(w->store, e.of.func, args, nargs, &r);
  if (out) *out = r.type == WRUN_I64 ? r.of.i64 : r.of.i32;
  return t;
}

static int64_t call_ok(const wb_world *w, const char *name,
                       const int64_t *args, size_t nargs) {
  int64_t r = 0;
  wrun_trap *t = call(w, name, args, nargs, &r);
  cr_assert_null(t, "%s trapped: %s", name, t ? wrun_trap_message(t) : "");
  return r;
}

static void expect_oob(const wb_world *w, const char *name,
                       const int64_t *args, size_t nargs) {
  wb_expect_trap(call(w, name, args, nargs, NULL), WRUN_TRAP_MEMORY_OOB, name);
}

#define ARGS(...) (const int64_t[]){__VA_ARGS__}, \
                  sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t)

Test(memory64, addresses_past_32_bits_trap) {
  wb_world w = make_world();
  cr_expect_eq(call_ok(&w, "load", ARGS(11)), 'b');
  cr_expect_eq(call_ok(&w, "load", ARGS(65535)), 0);
  expect_oob(&w, "load", ARGS(65536));
  /* The low 32 bits alone would be in bounds: the check must see all 64. */
  expect_oob(&w, "load", ARGS((1ll << 32) + 11));
  expect_oob(&w, "load", ARGS(-1));
  expect_oob(&w, "load", ARGS(INT64_MIN + 11));
  /* The address of memory 1's "xyz" seen from memory 0's base: readable
   * memory, so only the check (not a guard page) can refuse it. */
  wrun_extern e0 = wb_export_of(w.inst, "mem");
  wrun_extern e1 = wb_export_of(w.inst, "mem1");
  uint64_t delta = (uint64_t)(uintptr_t)wrun_memory_data(e1.of.memory) -
                   (uint64_t)(uintptr_t)wrun_memory_data(e0.of.memory);
  expect_oob(&w, "load", ARGS((int64_t)delta));
  expect_oob(&w, "load_off", ARGS(0));
  expect_oob(&w, "load_hi", NULL, 0);
  expect_oob(&w, "store", ARGS((1ll << 32) + 1, 0, 7));
  call_ok(&w, "store", ARGS(65535, 0, 7));
  cr_expect_eq(call_ok(&w, "load", ARGS(65535)), 7);
  wb_world_free(&w);
}

Test(memory64, size_and_grow_are_i64) {
  wb_world w = make_world();
  cr_expect_eq(call_ok(&w, "size", NULL, 0), 1);
  /* A delta that wraps a u32 to 0 must not pass for a small one. */
  cr_expect_eq(call_ok(&w, "grow", ARGS(1ll << 32)), -1);
  cr_expect_eq(call_ok(&w, "grow", ARGS(-1)), -1);
  cr_expect_eq(call_ok(&w, "grow", ARGS(1)), 1);
  cr_expect_eq(call_ok(&w, "size", NULL, 0), 2);
  cr_expect_eq(call_ok(&w, "grow", ARGS(1)), -1); /* max 2 */
  cr_expect_eq(call_ok(&w, "load", ARGS(131071)), 0);
  expect_oob(&w, "load", ARGS(131072));
  wb_world_free(&w);
}

Test(memory64, bulk_operands_are_u64) {
  wb_world w = make_world();
  wrun_extern e = wb_export_of(w.inst, "mem");
  const uint8_t *mem = wrun_memory_data(e.of.memory);
  call_ok(&w, "fill", ARGS(100, 'q', 4));
  cr_expect(memcmp(mem + 100, "qqqq", 4) == 0);
  cr_expect_eq(mem[104], 0);
  /* dst + n wraps past 2^64 back into bounds: still out of bounds. */
  expect_oob(&w, "fill", ARGS(-2, 'q', 4));
  /* n with its low 32 bits small */
  expect_oob(&w, "fill", ARGS(0, 'q', (1ll << 32) + 1));
  call_ok(&w, "copy_from32", ARGS(200, 0, 3));
  cr_expect(memcmp(mem + 200, "xyz", 3) == 0);
  expect_oob(&w, "copy_from32", ARGS((1ll << 32) + 200, 0, 3));
  expect_oob(&w, "copy_from32", ARGS(200, 65535, 3));
  wb_world_free(&w);
}

/* A module of one 1-page memory64 and one data segment "a" at the
 * constant expression expr (without end). */
static wasm_buf data_module(const uint8_t *expr, size_t n) {
  wasm_buf b = {0}, s = {0};
  wb_header(&b);
  wb_bytes(&s, (uint8_t[]){1, 0x04, 1}, 3);
  wb_section(&b, 5, &s);
  wb_bytes(&s, (uint8_t[]){1, 0x00}, 2);
  wb_bytes(&s, expr, n);
  wb_bytes(&s, (uint8_t[]){END, 1, 'a'}, 3);
  wb_section(&b, 11, &s);
  return b;
}

/* An i64 data offset that does not fit the memory traps at instantiation
 * (2^32 + 1: its low half alone would fit); an i32 offset for a memory64
 * is a type mismatch. */
Test(memory64, data_offsets) {
  wrun_engine *e = wrun_engine_new();
  wasm_buf b = data_module((uint8_t[]){I64_CONST, 0x81, 0x80, 0x80, 0x80,
                                       0x10}, 6);
  wrun_module *mod = wb_compile(e, &b);
  wrun_store *st = wrun_store_new(e);
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(st, mod, NULL, 0, &inst, &err, &trap);
  cr_assert_null(err);
  wb_expect_trap(trap, WRUN_TRAP_MEMORY_OOB, "a data segment at 2^32 + 1");
  wrun_module_delete(mod);
  /* offset 65535 fits exactly */
  b = data_module((uint8_t[]){I64_CONST, 0xFF, 0xFF, 0x03}, 4);
  mod = wb_compile(e, &b);
  wb_instantiate(st, mod, NULL, 0);
  wrun_module_delete(mod);
  wrun_store_delete(st);
  b = data_module((uint8_t[]){0x41, 0}, 2);
  err = wrun_module_validate(e, b.bytes, b.len);
  free(b.bytes);
  cr_assert_not_null(err, "an i32 offset accepted for a memory64");
  cr_expect_str_eq(wrun_error_message(err), "type mismatch");
  wrun_error_delete(err);
  wrun_engine_delete(e);
}

/* table64: call_indirect compares the whole i64 index with the size (2^32
 * has the low half 0, in bounds for a 32-bit compare); table.get and
 * table.size take and give i64. */
Test(memory64, table64_indices) {
  wasm_buf b = {0}, s = {0};
  wb_header(&b);
  wb_u32(&s, 3);
  wb_bytes(&s, (uint8_t[]){0x60, 0, 1, I32}, 4);        /* 0: [] -> i32 */
  wb_bytes(&s, (uint8_t[]){0x60, 1, I64, 1, I32}, 5);   /* 1: i64 -> i32 */
  wb_bytes(&s, (uint8_t[]){0x60, 0, 1, I64}, 4);        /* 2: [] -> i64 */
  wb_section(&b, 1, &s);
  wb_bytes(&s, (uint8_t[]){4, 0, 1, 1, 2}, 5);
  wb_section(&b, 3, &s);
  wb_bytes(&s, (uint8_t[]){1, 0x70, 0x04, 2}, 4); /* table64 of 2 */
  wb_section(&b, 4, &s);
  wb_u32(&s, 3);
  wb_export(&s, "call", 0x00, 1);
  wb_export(&s, "is_null", 0x00, 2);
  wb_export(&s, "size", 0x00, 3);
  wb_section(&b, 7, &s);
  /* elem at the i64 offset 0: function 0 */
  wb_bytes(&s, (uint8_t[]){1, 0x00, I64_CONST, 0, END, 1, 0}, 7);
  wb_section(&b, 9, &s);
  wb_u32(&s, 4);
  WB_BODY(&s, 0x41, 42);                    /* 0: 42 */
  WB_BODY(&s, LOCAL_GET, 0, 0x11, 0, 0);    /* call_indirect */
  WB_BODY(&s, LOCAL_GET, 0, 0x25, 0, 0xD1); /* table.get; is_null */
  WB_BODY(&s, 0xFC, 16, 0);                 /* table.size */
  wb_section(&b, 10, &s);
  wb_world w = wb_world_new(&b);
  cr_expect_eq(call_ok(&w, "call", ARGS(0)), 42);
  cr_expect_eq(call_ok(&w, "is_null", ARGS(1)), 1);
  cr_expect_eq(call_ok(&w, "size", NULL, 0), 2);
  wb_expect_trap(call(&w, "call", ARGS(1ll << 32), NULL),
                 WRUN_TRAP_UNDEFINED_ELEMENT, "call_indirect at 2^32");
  wb_expect_trap(call(&w, "is_null", ARGS((1ll << 32) + 1), NULL),
                 WRUN_TRAP_TABLE_OOB, "table.get at 2^32 + 1");
  wb_world_free(&w);
}
