/* GC (Wasm 3.0, issue 8) as far as it goes: i31 references through the
 * generated code and the API (wrun_anyref_from_i31 / wrun_anyref_i31),
 * ref.test and ref.cast to i31, the traps of a null i31 and a failed
 * cast, and the host's anyref arguments checked (no GC object can come
 * from the host). Modules built byte by byte, as test_typed_refs.c. */
#include <criterion/criterion.h>

#include "wasm_build.h"

enum { ANYREF = 0x6E, I31 = 0x6C, GC = 0xFB };

/* Types: 0 (i32) -> i32; 1 (anyref) -> i32; 2 (i32) -> anyref.
 * f0 roundtrip: i31.get_s (ref.i31 x); f1 is_i31: ref.test (ref i31);
 * f2 make: ref.i31 x; f3 cast: i31.get_u (ref.cast (ref i31) r);
 * f4 get_null: i31.get_u (ref.null i31). */
static wasm_buf i31_module(void) {
  wasm_buf b = {0};
  wb_header(&b);
  WB_SECTION_OF(&b, 1, 0x03, 0x60, 0x01, 0x7F, 0x01, 0x7F, 0x60, 0x01, ANYREF, 0x01,
      0x7F, 0x60, 0x01, 0x7F, 0x01, ANYREF);
  WB_SECTION_OF(&b, 3, 0x05, 0, 1, 2, 1, 0);
  wasm_buf e = {0};
  wb_u32(&e, 5);
  wb_export(&e, "roundtrip", 0, 0);
  wb_export(&e, "is_i31", 0, 1);
  wb_export(&e, "make", 0, 2);
  wb_export(&e, "cast", 0, 3);
  wb_export(&e, "get_null", 0, 4);
  wb_section(&b, 7, &e);
  wasm_buf c = {0};
  wb_u32(&c, 5);
  WB_BODY(&c, 0x20, 0x00, GC, 0x1C, GC, 0x1D);
  WB_BODY(&c, 0x20, 0x00, GC, 0x14, I31);
  WB_BODY(&c, 0x20, 0x00, GC, 0x1C);
  WB_BODY(&c, 0x20, 0x00, GC, 0x16, I31, GC, 0x1E);
  WB_BODY(&c, 0xD0, I31, GC, 0x1E);
  wb_section(&b, 10, &c);
  return b;
}

static wrun_trap *call(wb_world *w, const char *name, wrun_val arg,
                       wrun_val *out) {
  wrun_extern f = wb_export_of(w->inst, name);
  return wrun_func_call(w->store, f.of.func, &arg, 1, out, 1);
}

#define i32(v) WB_VAL(WRUN_I32, i32, (v))
#define anyref(p) WB_VAL(WRUN_ANYREF, anyref, (p))

Test(gc, i31_round_trips_31_bits) {
  wasm_buf b = i31_module();
  wb_world w = wb_world_new(&b);
  wrun_val out;
  cr_assert_null(call(&w, "roundtrip", i32(-5), &out));
  cr_expect_eq(out.of.i32, -5);
  /* bit 30 is the i31's sign; bit 31 is dropped */
  cr_assert_null(call(&w, "roundtrip", i32(0x40000000), &out));
  cr_expect_eq(out.of.i32, -0x40000000);
  cr_assert_null(call(&w, "roundtrip", i32((int32_t)0x80000001u), &out));
  cr_expect_eq(out.of.i32, 1);
  wb_world_free(&w);
}

Test(gc, i31_values_cross_the_api) {
  wasm_buf b = i31_module();
  wb_world w = wb_world_new(&b);
  wrun_val out;
  cr_assert_null(call(&w, "make", i32(7), &out));
  cr_assert_eq(out.type, WRUN_ANYREF);
  int32_t v = 0;
  cr_assert(wrun_anyref_i31(out.of.anyref, &v));
  cr_expect_eq(v, 7);
  wrun_val r;
  cr_assert_null(call(&w, "is_i31", out, &r));
  cr_expect_eq(r.of.i32, 1);
  cr_assert_null(call(&w, "is_i31", anyref(NULL), &r));
  cr_expect_eq(r.of.i32, 0);
  /* made by the host: get_u reads the 31 bits unsigned */
  cr_assert_null(call(&w, "cast", anyref(wrun_anyref_from_i31(-3)), &r));
  cr_expect_eq((uint32_t)r.of.i32, 0x7FFFFFFDu);
  cr_expect(!wrun_anyref_i31(NULL, &v));
  cr_expect_str_eq(wrun_valtype_name(WRUN_ANYREF), "anyref");
  wb_world_free(&w);
}

Test(gc, null_i31_and_failed_casts_trap) {
  wasm_buf b = i31_module();
  wb_world w = wb_world_new(&b);
  wrun_val out;
  wb_expect_trap(call(&w, "get_null", i32(0), &out), WRUN_TRAP_NULL_I31,
                 "i31.get_u of null");
  wb_expect_trap(call(&w, "cast", anyref(NULL), &out), WRUN_TRAP_CAST_FAILURE,
                 "ref.cast (ref i31) of null");
  wrun_trap *t = call(&w, "cast", anyref(NULL), &out);
  cr_assert_not_null(t);
  cr_expect_str_eq(wrun_trap_message(t), "cast failure");
  wrun_trap_delete(t);
  /* no GC object can come from the host: a pointer is refused */
  static int not_an_object;
  t = call(&w, "is_i31", anyref(&not_an_object), &out);
  cr_assert_not_null(t, "a host pointer passed as an anyref");
  wrun_trap_delete(t);
  wb_world_free(&w);
}
