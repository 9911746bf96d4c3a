/* wrun.h conveniences for embedders: custom sections, per-store data and
 * the value helpers. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "wasm_build.h"
#include "wrun.h"

/* A module of custom sections only: "producers" (3 bytes), one named
 * "a\0b" (empty), and a second "producers" (1 byte). */
static wasm_buf customs_module(void) {
  wasm_buf b = {0}, s = {0};
  wb_header(&b);
  wb_name(&s, "producers");
  wb_bytes(&s, "\1\2\3", 3);
  wb_section(&b, 0, &s);
  wb_u32(&s, 3);
  wb_bytes(&s, "a\0b", 3);
  wb_section(&b, 0, &s);
  wb_name(&s, "producers");
  wb_byte(&s, 9);
  wb_section(&b, 0, &s);
  return b;
}

Test(api_extras, custom_sections_in_order_with_exact_names) {
  wasm_buf b = customs_module();
  wb_world w = wb_world_compile(&b);
  cr_assert_eq(wrun_module_custom_section_count(w.module), 3);
  const char *name;
  size_t name_len, len;
  const uint8_t *data;
  cr_assert(wrun_module_custom_section(w.module, 0, &name, &name_len, &data,
                                       &len));
  cr_assert_eq(name_len, 9);
  cr_assert(memcmp(name, "producers", 9) == 0);
  cr_assert_eq(len, 3);
  cr_assert(memcmp(data, "\1\2\3", 3) == 0);
  cr_assert(wrun_module_custom_section(w.module, 1, &name, &name_len, &data,
                                       &len));
  cr_assert_eq(name_len, 3);
  cr_assert(memcmp(name, "a\0b", 3) == 0);
  cr_assert_eq(len, 0);
  cr_assert_not(wrun_module_custom_section(w.module, 3, NULL, NULL, NULL,
                                           NULL));
  /* By name: the first of that name; a NUL inside a name counts. */
  cr_assert(wrun_module_custom_section_named(w.module, "producers", 9, &data,
                                             &len));
  cr_assert_eq(len, 3);
  cr_assert(wrun_module_custom_section_named(w.module, "a\0b", 3, NULL, &len));
  cr_assert_not(wrun_module_custom_section_named(w.module, "a", 1, NULL,
                                                 NULL));
  wb_world_free(&w);
}

static int finalized[3];
static void count_finalize(void *data) { finalized[*(int *)data]++; }

Test(api_extras, store_data_is_finalized_when_replaced_and_at_delete) {
  static int ids[] = {0, 1, 2};
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  cr_assert_null(wrun_store_data(s));
  wrun_store_set_data(s, &ids[0], count_finalize);
  cr_assert_eq(wrun_store_data(s), &ids[0]);
  wrun_store_set_data(s, &ids[1], count_finalize);
  cr_assert_eq(finalized[0], 1, "the replaced data is finalized");
  cr_assert_eq(finalized[1], 0);
  cr_assert_eq(wrun_store_data(s), &ids[1]);
  wrun_store_delete(s);
  cr_assert_eq(finalized[1], 1, "the store's data is finalized at delete");
  s = wrun_store_new(engine);
  wrun_store_set_data(s, &ids[2], NULL); /* no finalizer */
  wrun_store_delete(s);
  cr_assert_eq(finalized[2], 0);
  wrun_engine_delete(engine);
}

/* The host reaches the store's data from a host function. */
static wrun_trap *read_data(void *env, wrun_caller *caller,
                            const wrun_val *args, size_t nargs,
                            wrun_val *results, size_t nresults) {
  results[0] = wrun_val_i32(*(int32_t *)wrun_store_data(wrun_caller_store(caller)));
  return NULL;
}

Test(api_extras, host_functions_see_their_store_data) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  int32_t value = 1234;
  wrun_store_set_data(s, &value, NULL);
  wrun_valtype i32 = WRUN_I32;
  wrun_func *f = wrun_func_new(s, NULL, 0, &i32, 1, read_data, NULL, NULL);
  wrun_val r;
  cr_assert_null(wrun_func_call(s, f, NULL, 0, &r, 1));
  cr_assert_eq(r.of.i32, 1234);
  wrun_store_delete(s);
  wrun_engine_delete(engine);
}

Test(api_extras, value_helpers_keep_types_and_bits) {
  wrun_val v = wrun_val_f32(1.5f);
  cr_assert_eq(v.type, WRUN_F32);
  cr_assert_eq(v.of.f32_bits, 0x3fc00000u);
  cr_assert_eq(wrun_val_as_f32(&v), 1.5f);
  v = wrun_val_f64(-0.25);
  cr_assert_eq(v.type, WRUN_F64);
  cr_assert_eq(v.of.f64_bits, 0xbfd0000000000000ull);
  cr_assert_eq(wrun_val_as_f64(&v), -0.25);
  /* A NaN's payload travels as it is. */
  v.of.f64_bits = 0x7ff4000000000001ull;
  double nan_in = wrun_val_as_f64(&v);
  cr_assert(isnan(nan_in));
  cr_assert_eq(wrun_val_f64(nan_in).of.f64_bits, 0x7ff4000000000001ull);
  cr_assert_eq(wrun_val_i32(-7).type, WRUN_I32);
  cr_assert_eq(wrun_val_i32(-7).of.i32, -7);
  cr_assert_eq(wrun_val_i64(INT64_MIN).of.i64, INT64_MIN);
  cr_assert_eq(wrun_val_funcref(NULL).type, WRUN_FUNCREF);
  int x;
  cr_assert_eq(wrun_val_externref(&x).of.externref, &x);
}

/* Every NULL from a constructor has its reason, per thread. */
Test(api_extras, constructors_say_why_they_return_null) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *s = wrun_store_new(engine);
  cr_assert_null(wrun_memory_new(s, 2, 1, true));
  cr_assert_str_eq(wrun_last_error(),
                   "memory: maximum 1 pages below the minimum 2");
  cr_assert_null(wrun_memory_new(s, 70000, 0, false));
  cr_assert(strstr(wrun_last_error(), "at most 65536 pages"), "%s",
            wrun_last_error());
  wrun_store_limits limits;
  wrun_store_get_limits(s, &limits);
  limits.memories = 0;
  cr_assert_null(wrun_store_set_limits(s, &limits));
  cr_assert_null(wrun_memory_new(s, 1, 0, false));
  cr_assert(strstr(wrun_last_error(), "memories limit exceeded"), "%s",
            wrun_last_error());
  cr_assert_null(wrun_table_new(s, WRUN_FUNCREF, 1, 0, false,
                                wrun_val_i32(0)));
  cr_assert_str_eq(wrun_last_error(),
                   "table: the initial value is not of the element type");
  cr_assert_null(wrun_global_new(s, WRUN_I32, false, wrun_val_i64(1)));
  cr_assert_str_eq(wrun_last_error(),
                   "global: the initial value is not of the global's type");
  cr_assert_null(wrun_func_new(s, NULL, 0, NULL, 0, NULL, NULL, NULL));
  cr_assert_str_eq(wrun_last_error(), "func: no callback");
  wrun_valtype i32 = WRUN_I32;
  wrun_tag *tag = wrun_tag_new(s, &i32, 1);
  cr_assert_not_null(tag);
  cr_assert_null(wrun_exn_new(s, tag, NULL, 0));
  cr_assert_str_eq(wrun_last_error(),
                   "exception: 0 payload values for a tag of 1");
  wrun_store_delete(s);
  wrun_engine_delete(engine);
}
