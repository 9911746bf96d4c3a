/* Multiple memories (Wasm 3.0): a module of three memories whose code
 * addresses memories 1 and 2 through the vmctx (memory 0 keeps the pinned
 * base register), copies between two of them, grows one alone, traps out
 * of bounds in memory 1, fills memory 2 from an active data segment and
 * memory 1 with memory.init; a second module imports two of them in the
 * other order. Store limits count every memory. */
#include <criterion/criterion.h>
#include <string.h>

#include "wasm_build.h"
#include "wrun.h"

enum { I32 = 0x7F, I64 = 0x7E, END = 0x0B, LOCAL_GET = 0x20,
       I32_CONST = 0x41, MEMARG_MEM = 0x40 };

/* The types every module here uses. */
static void type_section(wasm_buf *b) {
  wasm_buf s = {0};
  wb_u32(&s, 6);
  wb_bytes(&s, (uint8_t[]){0x60, 1, I32, 1, I32}, 5);         /* 0 */
  wb_bytes(&s, (uint8_t[]){0x60, 2, I32, I32, 0}, 5);         /* 1 */
  wb_bytes(&s, (uint8_t[]){0x60, 3, I32, I32, I32, 0}, 6);    /* 2 */
  wb_bytes(&s, (uint8_t[]){0x60, 0, 1, I32}, 4);              /* 3 */
  wb_bytes(&s, (uint8_t[]){0x60, 1, I32, 1, I64}, 5);         /* 4 */
  wb_bytes(&s, (uint8_t[]){0x60, 1, I32, 0}, 4);              /* 5 */
  wb_section(b, 1, &s);
}

static const char *const exports[] = {
    "load1", "store1", "copy12", "grow1", "size1", "size0", "init1",
    "load2_i64", "store1_imm", "fill2", "load1_const", "load0", "sum1"};
enum { NFUNCS = sizeof exports / sizeof *exports };

/* Memories: 0 and 2 of one page, 1 of one page growing to at most 3.
 * Data: "hello" active at 100 in memory 2, "pass" passive. */
static wasm_buf three_memories(void) {
  wasm_buf b = {0}, s = {0};
  wb_header(&b);
  type_section(&b);
  static const uint8_t types[NFUNCS] = {0, 1, 2, 0, 3, 3, 2, 4, 5, 2, 3, 0, 0};
  wb_u32(&s, NFUNCS);
  wb_bytes(&s, types, NFUNCS);
  wb_section(&b, 3, &s);
  wb_bytes(&s, (uint8_t[]){3, 0x00, 1, 0x01, 1, 3, 0x00, 1}, 8);
  wb_section(&b, 5, &s);
  wb_u32(&s, NFUNCS + 3);
  for (uint32_t i = 0; i < NFUNCS; i++)
    wb_export(&s, exports[i], 0x00, i);
  for (uint32_t i = 0; i < 3; i++) {
    char name[3] = {'m', (char)('0' + i), 0};
    wb_export(&s, name, 0x02, i);
  }
  wb_section(&b, 7, &s);
  wb_bytes(&s, (uint8_t[]){2}, 1); /* data count */
  wb_section(&b, 12, &s);
  wb_u32(&s, NFUNCS);
  /* load1: i32.load8_u from memory 1 */
  WB_BODY(&s, LOCAL_GET, 0, 0x2D, MEMARG_MEM, 1, 0);
  /* store1: i32.store8 to memory 1 */
  WB_BODY(&s, LOCAL_GET, 0, LOCAL_GET, 1, 0x3A, MEMARG_MEM, 1, 0);
  /* copy12: memory.copy from memory 2 to memory 1 */
  WB_BODY(&s, LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, 0xFC, 10, 1, 2);
  /* grow1, size1, size0 */
  WB_BODY(&s, LOCAL_GET, 0, 0x40, 1);
  WB_BODY(&s, 0x3F, 1);
  WB_BODY(&s, 0x3F, 0);
  /* init1: memory.init of segment 1 into memory 1 */
  WB_BODY(&s, LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, 0xFC, 8, 1, 1);
  /* load2_i64: i64.load offset=4 from memory 2 (align 3 plus the flag) */
  WB_BODY(&s, LOCAL_GET, 0, 0x29, MEMARG_MEM | 3, 2, 4);
  /* store1_imm: a constant i32.store16 to memory 1 */
  WB_BODY(&s, LOCAL_GET, 0, I32_CONST, 0xB4, 0xE8, 0x00, 0x3B, MEMARG_MEM | 1,
       1, 0);
  /* fill2: memory.fill of memory 2 */
  WB_BODY(&s, LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, 0xFC, 11, 2);
  /* load1_const: i32.load8_u at the constant address 65535 of memory 1 */
  WB_BODY(&s, I32_CONST, 0xFF, 0xFF, 0x03, 0x2D, MEMARG_MEM, 1, 0);
  /* load0: i32.load8_u from memory 0, the Wasm 2.0 encoding */
  WB_BODY(&s, LOCAL_GET, 0, 0x2D, 0, 0);
  /* sum1(n): memory 1's bytes [0, n), odd ones once, even ones twice, the
   * even arm calling size0: memory 1's cached base meets joins, calls and
   * the loop's back edge. Locals: i (1), s (2). */
  static const uint8_t sum1[] = {
      0x01, 0x02, I32, /* two i32 locals */
      0x03, 0x40,      /* loop */
      LOCAL_GET, 1, I32_CONST, 1, 0x71, 0x04, 0x40, /* if (i & 1) */
      LOCAL_GET, 2, LOCAL_GET, 1, 0x2D, MEMARG_MEM, 1, 0, 0x6A, 0x21, 2,
      0x05, /* else */
      LOCAL_GET, 2, LOCAL_GET, 1, 0x2D, MEMARG_MEM, 1, 0, I32_CONST, 2, 0x6C,
      0x6A, 0x21, 2, 0x10, 5, 0x1A, /* call size0; drop */
      END,
      LOCAL_GET, 1, I32_CONST, 1, 0x6A, 0x22, 1, LOCAL_GET, 0, 0x49, 0x0D, 0,
      END, LOCAL_GET, 2, END};
  wb_u32(&s, sizeof sum1);
  wb_bytes(&s, sum1, sizeof sum1);
  wb_section(&b, 10, &s);
  wb_u32(&s, 2);
  wb_bytes(&s, (uint8_t[]){0x02, 2, I32_CONST, 0xE4, 0x00, END, 5}, 7);
  wb_bytes(&s, "hello", 5);
  wb_bytes(&s, (uint8_t[]){0x01, 4}, 2);
  wb_bytes(&s, "pass", 4);
  wb_section(&b, 11, &s);
  return b;
}

static wb_world make_world(void) {
  wasm_buf b = three_memories();
  return wb_world_new(&b);
}

static uint8_t *memory_data(const wb_world *w, const char *name) {
  wrun_extern e = wb_export_of(w->inst, name);
  cr_assert_eq(e.kind, WRUN_EXTERN_MEMORY);
  return wrun_memory_data(e.of.memory);
}

/* Calls export name of inst with i32 arguments; returns the trap (NULL
 * when none) and the first result in *result (when there is one). */
static wrun_trap *call(const wb_world *w, const wrun_instance *inst,
                       const char *name, const int32_t *args, size_t nargs,
                       wrun_val *result) {
  wrun_extern e = wb_export_of(inst, name);
  cr_assert_eq(e.kind, WRUN_EXTERN_FUNC);
  wrun_val vals[3];
  for (size_t i = 0; i < nargs; i++)
    vals[i] = (wrun_val){.type = WRUN_I32, .of.i32 = args[i]};
  size_t nresults = wrun_func_result_count(e.of.func);
  return wrun_func_call(w->store, e.of.func, vals, nargs, result, nresults);
}

static int64_t call_ok(const wb_world *w, const char *name,
                       const int32_t *args, size_t nargs) {
  wrun_val r = {0};
  wrun_trap *t = call(w, w->inst, name, args, nargs, &r);
  cr_assert_null(t, "%s trapped: %s", name, t ? wrun_trap_message(t) : "");
  return r.type == WRUN_I64 ? r.of.i64 : r.of.i32;
}

static void expect_oob(const wb_world *w, const char *name,
                       const int32_t *args, size_t nargs) {
  wrun_val r;
  wb_expect_trap(call(w, w->inst, name, args, nargs, &r), WRUN_TRAP_MEMORY_OOB,
                 name);
}

#define ARGS(...) (const int32_t[]){__VA_ARGS__}, \
                  sizeof((const int32_t[]){__VA_ARGS__}) / sizeof(int32_t)

Test(multi_memory, data_segment_into_memory_2) {
  wb_world w = make_world();
  const uint8_t *m0 = memory_data(&w, "m0"), *m1 = memory_data(&w, "m1");
  const uint8_t *m2 = memory_data(&w, "m2");
  cr_expect(memcmp(m2 + 100, "hello", 5) == 0);
  cr_expect_eq(m0[100], 0);
  cr_expect_eq(m1[100], 0);
  /* i64.load offset=4 from memory 2 at 96: bytes 100..107 */
  cr_expect_eq(call_ok(&w, "load2_i64", ARGS(96)), 0x6f6c6c6568ll);
  wb_world_free(&w);
}

Test(multi_memory, loads_and_stores_reach_their_memory) {
  wb_world w = make_world();
  const uint8_t *m0 = memory_data(&w, "m0"), *m1 = memory_data(&w, "m1");
  call_ok(&w, "store1", ARGS(7, 0xAB));
  cr_expect_eq(m1[7], 0xAB);
  cr_expect_eq(m0[7], 0);
  cr_expect_eq(call_ok(&w, "load1", ARGS(7)), 0xAB);
  cr_expect_eq(call_ok(&w, "load0", ARGS(7)), 0);
  call_ok(&w, "store1_imm", ARGS(20));
  cr_expect_eq(m1[20] | m1[21] << 8, 0x3434);
  cr_expect_eq(m0[20], 0);
  wb_world_free(&w);
}

Test(multi_memory, cached_base_across_control_flow) {
  wb_world w = make_world();
  int64_t want = 0;
  for (int i = 0; i < 200; i++) {
    call_ok(&w, "store1", ARGS(i, i + 1));
    want += (i & 1) ? i + 1 : 2 * (i + 1);
  }
  cr_expect_eq(call_ok(&w, "sum1", ARGS(200)), want);
  wb_world_free(&w);
}

Test(multi_memory, copy_between_memories) {
  wb_world w = make_world();
  const uint8_t *m1 = memory_data(&w, "m1"), *m2 = memory_data(&w, "m2");
  call_ok(&w, "copy12", ARGS(1000, 100, 5));
  cr_expect(memcmp(m1 + 1000, "hello", 5) == 0);
  cr_expect(memcmp(m2 + 100, "hello", 5) == 0);
  cr_expect_eq(call_ok(&w, "load1", ARGS(1004)), 'o');
  /* Each range is checked against its own memory. */
  expect_oob(&w, "copy12", ARGS(65534, 100, 5));
  expect_oob(&w, "copy12", ARGS(0, 65534, 5));
  call_ok(&w, "fill2", ARGS(65530, 'z', 6));
  cr_expect_eq(m2[65535], 'z');
  expect_oob(&w, "fill2", ARGS(65531, 'z', 6));
  wb_world_free(&w);
}

Test(multi_memory, grow_one_memory) {
  wb_world w = make_world();
  cr_expect_eq(call_ok(&w, "size1", NULL, 0), 1);
  expect_oob(&w, "load1", ARGS(65536));
  cr_expect_eq(call_ok(&w, "load1_const", NULL, 0), 0);
  cr_expect_eq(call_ok(&w, "grow1", ARGS(1)), 1);
  cr_expect_eq(call_ok(&w, "size1", NULL, 0), 2);
  cr_expect_eq(call_ok(&w, "size0", NULL, 0), 1);
  cr_expect_eq(call_ok(&w, "load1", ARGS(65536)), 0);
  expect_oob(&w, "load1", ARGS(131072));
  /* Memory 0 did not grow with it. */
  expect_oob(&w, "load0", ARGS(65536));
  /* The maximum of memory 1 is 3 pages. */
  cr_expect_eq(call_ok(&w, "grow1", ARGS(2)), -1);
  cr_expect_eq(call_ok(&w, "grow1", ARGS(1)), 2);
  cr_expect_eq(call_ok(&w, "load1", ARGS(3 * 65536 - 1)), 0);
  expect_oob(&w, "load1", ARGS(3 * 65536));
  wb_world_free(&w);
}

Test(multi_memory, out_of_bounds_in_memory_1_traps) {
  wb_world w = make_world();
  expect_oob(&w, "load1", ARGS(65536));
  expect_oob(&w, "load1", ARGS(-1));
  expect_oob(&w, "store1", ARGS(65536, 1));
  expect_oob(&w, "store1_imm", ARGS(65535));
  expect_oob(&w, "load2_i64", ARGS(65528));
  /* The store stays usable, and the traps wrote nothing. */
  cr_expect_eq(call_ok(&w, "load1", ARGS(65535)), 0);
  wb_world_free(&w);
}

Test(multi_memory, memory_init_into_memory_1) {
  wb_world w = make_world();
  const uint8_t *m0 = memory_data(&w, "m0"), *m1 = memory_data(&w, "m1");
  call_ok(&w, "init1", ARGS(300, 1, 3));
  cr_expect(memcmp(m1 + 300, "ass", 3) == 0);
  cr_expect_eq(m0[300], 0);
  expect_oob(&w, "init1", ARGS(65535, 0, 2));
  wb_world_free(&w);
}

/* A second module imports memory 2 of the first as its memory 0 and memory
 * 1 as its memory 1. */
Test(multi_memory, imported_memories) {
  wb_world w = make_world();
  wasm_buf b = {0}, s = {0};
  wb_header(&b);
  type_section(&b);
  wb_u32(&s, 2);
  wb_name(&s, "a");
  wb_name(&s, "m2");
  wb_bytes(&s, (uint8_t[]){0x02, 0x00, 1}, 3);
  wb_name(&s, "a");
  wb_name(&s, "m1");
  wb_bytes(&s, (uint8_t[]){0x02, 0x00, 1}, 3);
  wb_section(&b, 2, &s);
  wb_bytes(&s, (uint8_t[]){2, 0, 0}, 3);
  wb_section(&b, 3, &s);
  wb_u32(&s, 2);
  wb_export(&s, "peek0", 0x00, 0);
  wb_export(&s, "peek1", 0x00, 1);
  wb_section(&b, 7, &s);
  wb_u32(&s, 2);
  WB_BODY(&s, LOCAL_GET, 0, 0x2D, 0, 0);
  WB_BODY(&s, LOCAL_GET, 0, 0x2D, MEMARG_MEM, 1, 0);
  wb_section(&b, 10, &s);
  wrun_module *mod = wb_compile(w.engine, &b);
  wrun_extern imports[2] = {wb_export_of(w.inst, "m2"),
                            wb_export_of(w.inst, "m1")};
  wrun_instance *inst = wb_instantiate(w.store, mod, imports, 2);
  call_ok(&w, "store1", ARGS(9, 0x5A));
  wrun_val r;
  cr_assert_null(call(&w, inst, "peek0", ARGS(100), &r));
  cr_expect_eq(r.of.i32, 'h');
  cr_assert_null(call(&w, inst, "peek1", ARGS(9), &r));
  cr_expect_eq(r.of.i32, 0x5A);
  /* Growth of the exporter's memory 1 is seen through the import. */
  call_ok(&w, "grow1", ARGS(1));
  cr_assert_null(call(&w, inst, "peek1", ARGS(65536 + 9), &r));
  cr_expect_eq(r.of.i32, 0);
  wrun_module_delete(mod);
  wb_world_free(&w);
}

Test(multi_memory, store_limits_count_every_memory) {
  wrun_engine *e = wrun_engine_new();
  wrun_store *s = wrun_store_new(e);
  wrun_store_limits l;
  wrun_store_get_limits(s, &l);
  l.memories = 2;
  cr_assert_null(wrun_store_set_limits(s, &l));
  wasm_buf b = three_memories();
  wrun_module *mod = wb_compile(e, &b);
  wrun_error *err = NULL;
  wrun_instance *inst = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(s, mod, NULL, 0, &inst, &err, &trap);
  cr_assert_not_null(err, "three memories admitted under a limit of two");
  cr_expect(strstr(wrun_error_message(err), "memories limit exceeded"), "%s",
            wrun_error_message(err));
  wrun_error_delete(err);
  cr_expect_null(inst);
  /* Three memories of one page each: 3 * 64 KiB against a byte limit. */
  l.memories = 10;
  l.store_memory_bytes = 3 * 65536 - 1;
  cr_assert_null(wrun_store_set_limits(s, &l));
  wrun_instance_new(s, mod, NULL, 0, &inst, &err, &trap);
  cr_assert_not_null(err, "192 KiB admitted under a limit of 192 KiB - 1");
  cr_expect(strstr(wrun_error_message(err), "memory limit exceeded"), "%s",
            wrun_error_message(err));
  wrun_error_delete(err);
  wrun_module_delete(mod);
  wrun_store_delete(s);
  wrun_engine_delete(e);
}
