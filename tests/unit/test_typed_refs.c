/* Typed function references (Wasm 3.0) beyond what the spec scripts
 * check: a million return_call_ref steps in constant stack, the null
 * traps, br_on_null and br_on_non_null both ways, what the host may pass
 * for a (ref $t) parameter, imports of typed globals across modules
 * (types equal by structure, not index), table initializers, and the
 * set-before-get rule of non-null locals. Modules are built byte by byte
 * (wabt 1.0.32 cannot assemble return_call_ref). */
#include <criterion/criterion.h>

#include "wasm_build.h"

/* (ref $i) and (ref null $i) in the binary format */
#define REF(i) 0x64, (i)
#define REF_NULL(i) 0x63, (i)

/* ---- calls through references ----------------------------------------------- */

/* Types: 0 (i64) -> i32; 1 ((ref null 0) i64) -> i32; 2 ((ref null 0)) ->
 * i32; 3 () -> (ref 0).
 * f0 even, f1 odd: each return_call_ref's the other through ref.func;
 * f2 apply(r, n) = call_ref r n; f3 null_call(n) = call_ref (ref.null 0);
 * f4 as_non_null(n): ref.as_non_null of a null; f5 is_nonnull(r) with
 * br_on_null; f6 on_non_null(r) with br_on_non_null; f7 get_odd. */
static wasm_buf calls_module(void) {
  wasm_buf b = {0};
  wb_header(&b);
  WB_SECTION_OF(&b, 1, 0x04, 0x60, 0x01, 0x7E, 0x01, 0x7F,     /* 0 */
      0x60, 0x02, REF_NULL(0), 0x7E, 0x01, 0x7F,      /* 1 */
      0x60, 0x01, REF_NULL(0), 0x01, 0x7F,            /* 2 */
      0x60, 0x00, 0x01, REF(0));                      /* 3 */
  WB_SECTION_OF(&b, 3, 0x08, 0, 0, 1, 0, 0, 2, 2, 3);
  wasm_buf e = {0};
  wb_u32(&e, 7);
  wb_export(&e, "even", 0, 0);
  wb_export(&e, "apply", 0, 2);
  wb_export(&e, "null_call", 0, 3);
  wb_export(&e, "as_non_null", 0, 4);
  wb_export(&e, "is_nonnull", 0, 5);
  wb_export(&e, "on_non_null", 0, 6);
  wb_export(&e, "get_odd", 0, 7);
  wb_section(&b, 7, &e);
  /* elem declare func 0 1, so that ref.func may name them */
  WB_SECTION_OF(&b, 9, 0x01, 0x03, 0x00, 0x02, 0x00, 0x01);
  wasm_buf c = {0};
  wb_u32(&c, 8);
  /* even: if n == 0 then 1 else return_call_ref 0 (n - 1) (ref.func odd) */
  WB_BODY(&c, 0x20, 0x00, 0x50, 0x04, 0x7F, 0x41, 0x01, 0x05, 0x20, 0x00,
          0x42, 0x01, 0x7D, 0xD2, 0x01, 0x15, 0x00, 0x0B);
  WB_BODY(&c, 0x20, 0x00, 0x50, 0x04, 0x7F, 0x41, 0x00, 0x05, 0x20, 0x00,
          0x42, 0x01, 0x7D, 0xD2, 0x00, 0x15, 0x00, 0x0B);
  WB_BODY(&c, 0x20, 0x01, 0x20, 0x00, 0x14, 0x00);             /* apply */
  WB_BODY(&c, 0x20, 0x00, 0xD0, 0x00, 0x14, 0x00);             /* null_call */
  WB_BODY(&c, 0xD0, 0x00, 0xD4, 0x1A, 0x41, 0x00);             /* as_non_null */
  /* is_nonnull: block (local.get 0; br_on_null 0; drop; return 1); 0 */
  WB_BODY(&c, 0x02, 0x40, 0x20, 0x00, 0xD5, 0x00, 0x1A, 0x41, 0x01, 0x0F,
          0x0B, 0x41, 0x00);
  /* on_non_null: block (result (ref 0)) (local.get 0; br_on_non_null 0;
   * return 0); drop; 1 */
  WB_BODY(&c, 0x02, REF(0), 0x20, 0x00, 0xD6, 0x00, 0x41, 0x00, 0x0F, 0x0B,
          0x1A, 0x41, 0x01);
  WB_BODY(&c, 0xD2, 0x01);                                     /* get_odd */
  wb_section(&b, 10, &c);
  return b;
}

static wrun_func *func_of(const wrun_instance *inst, const char *name) {
  wrun_extern e = wb_export_of(inst, name);
  cr_assert_eq(e.kind, WRUN_EXTERN_FUNC);
  return e.of.func;
}

static wrun_trap *call1(wb_world *w, const char *name, wrun_val arg,
                        int32_t *result) {
  wrun_val out = {0};
  wrun_trap *t = wrun_func_call(w->store, func_of(w->inst, name), &arg, 1,
                                &out, 1);
  if (!t) *result = out.of.i32;
  return t;
}

#define i64_val(v) WB_VAL(WRUN_I64, i64, (v))
#define funcref_val(f) WB_VAL(WRUN_FUNCREF, funcref, (f))

Test(typed_refs, million_return_call_refs_in_constant_stack) {
  wasm_buf b = calls_module();
  wb_world w = wb_world_new(&b);
  int32_t r = -1;
  /* the 1 MiB wasm stack would not hold a million frames */
  cr_assert_null(call1(&w, "even", i64_val(1000000), &r));
  cr_expect_eq(r, 1);
  cr_assert_null(call1(&w, "even", i64_val(999999), &r));
  cr_expect_eq(r, 0);
  wb_world_free(&w);
}

Test(typed_refs, null_references_trap) {
  wasm_buf b = calls_module();
  wb_world w = wb_world_new(&b);
  int32_t r;
  wb_expect_trap(call1(&w, "null_call", i64_val(1), &r),
                 WRUN_TRAP_NULL_FUNCREF, "call_ref of null");
  wb_expect_trap(call1(&w, "as_non_null", i64_val(1), &r),
                 WRUN_TRAP_NULL_REFERENCE, "ref.as_non_null of null");
  wrun_trap *t = call1(&w, "null_call", i64_val(1), &r);
  cr_assert_not_null(t);
  cr_expect_str_eq(wrun_trap_message(t), "null function reference");
  wrun_trap_delete(t);
  wb_world_free(&w);
}

Test(typed_refs, branches_on_null_both_ways) {
  wasm_buf b = calls_module();
  wb_world w = wb_world_new(&b);
  wrun_val ref = {0};
  cr_assert_null(wrun_func_call(w.store, func_of(w.inst, "get_odd"), NULL, 0,
                                &ref, 1));
  cr_assert_eq(ref.type, WRUN_FUNCREF);
  cr_assert_not_null(ref.of.funcref);
  int32_t r = -1;
  cr_assert_null(call1(&w, "is_nonnull", ref, &r));
  cr_expect_eq(r, 1);
  cr_assert_null(call1(&w, "is_nonnull", funcref_val(NULL), &r));
  cr_expect_eq(r, 0);
  cr_assert_null(call1(&w, "on_non_null", ref, &r));
  cr_expect_eq(r, 1);
  cr_assert_null(call1(&w, "on_non_null", funcref_val(NULL), &r));
  cr_expect_eq(r, 0);
  wb_world_free(&w);
}

static wrun_trap *host_i32(void *env, wrun_caller *caller,
                           const wrun_val *args, size_t nargs,
                           wrun_val *results, size_t nresults) {
  (void)env, (void)caller, (void)args, (void)nargs, (void)nresults;
  results[0].of.i32 = 5;
  return NULL;
}

/* The host passes a (ref null $t) argument: a funcref of that type or
 * null, nothing else. */
Test(typed_refs, host_arguments_are_type_checked) {
  wasm_buf b = calls_module();
  wb_world w = wb_world_new(&b);
  wrun_func *apply = func_of(w.inst, "apply");
  wrun_val odd = {0};
  cr_assert_null(wrun_func_call(w.store, func_of(w.inst, "get_odd"), NULL, 0,
                                &odd, 1));
  wrun_val args[2] = {odd, i64_val(7)}, out = {0};
  cr_assert_null(wrun_func_call(w.store, apply, args, 2, &out, 1));
  cr_expect_eq(out.of.i32, 1); /* odd(7) */
  /* a function of another type */
  wrun_valtype i32 = WRUN_I32;
  wrun_func *other = wrun_func_new(w.store, &i32, 1, &i32, 1, host_i32, NULL,
                                   NULL);
  cr_assert_not_null(other);
  args[0] = funcref_val(other);
  wrun_trap *t = wrun_func_call(w.store, apply, args, 2, &out, 1);
  cr_assert_not_null(t, "a funcref of another type was accepted");
  wrun_trap_delete(t);
  /* null is a (ref null 0), and call_ref traps on it */
  args[0] = funcref_val(NULL);
  wb_expect_trap(wrun_func_call(w.store, apply, args, 2, &out, 1),
                 WRUN_TRAP_NULL_FUNCREF, "apply(null)");
  /* an externref is no funcref at all */
  args[0] = (wrun_val){.type = WRUN_EXTERNREF};
  t = wrun_func_call(w.store, apply, args, 2, &out, 1);
  cr_assert_not_null(t);
  wrun_trap_delete(t);
  /* the host sees the parameter as a funcref */
  cr_expect_eq(wrun_func_param_type(apply, 0), WRUN_FUNCREF);
  wb_world_free(&w);
}

/* ---- typed globals across modules ------------------------------------------ */

/* Exports "g", an immutable (ref null 0) holding ref.func 0 (which returns
 * 42), with type 0 = () -> i32. */
static wasm_buf exporter(void) {
  wasm_buf b = {0};
  wb_header(&b);
  WB_SECTION_OF(&b, 1, 0x01, 0x60, 0x00, 0x01, 0x7F);
  WB_SECTION_OF(&b, 3, 0x01, 0x00);
  WB_SECTION_OF(&b, 6, 0x01, REF_NULL(0), 0x00, 0xD2, 0x00, 0x0B);
  wasm_buf e = {0};
  wb_u32(&e, 1);
  wb_export(&e, "g", 3, 0);
  wb_section(&b, 7, &e);
  wasm_buf c = {0};
  wb_u32(&c, 1);
  WB_BODY(&c, 0x41, 0x2A);
  wb_section(&b, 10, &c);
  return b;
}

/* Imports "a" "g" as a global of type (typebytes..., immutable); type 0
 * is (i64) -> (), type 1 () -> i32. Exports "run" = call_ref 1 of it
 * when the import is a (ref null 1). */
static wasm_buf importer(const uint8_t *type, size_t n, bool with_run) {
  wasm_buf b = {0};
  wb_header(&b);
  WB_SECTION_OF(&b, 1, 0x02, 0x60, 0x01, 0x7E, 0x00, 0x60, 0x00, 0x01, 0x7F);
  wasm_buf imp = {0};
  wb_u32(&imp, 1);
  wb_name(&imp, "a");
  wb_name(&imp, "g");
  wb_byte(&imp, 0x03);
  wb_bytes(&imp, type, n);
  wb_byte(&imp, 0x00);
  wb_section(&b, 2, &imp);
  if (with_run) {
    WB_SECTION_OF(&b, 3, 0x01, 0x01);
    wasm_buf e = {0};
    wb_u32(&e, 1);
    wb_export(&e, "run", 0, 0);
    wb_section(&b, 7, &e);
    wasm_buf c = {0};
    wb_u32(&c, 1);
    WB_BODY(&c, 0x23, 0x00, 0x14, 0x01);
    wb_section(&b, 10, &c);
  }
  return b;
}

static bool links(wb_world *w, const wrun_extern *g, wasm_buf b) {
  wrun_module *m = wb_compile(w->engine, &b);
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(w->store, m, g, 1, &inst, &err, &trap);
  cr_assert_null(trap);
  bool ok = err == NULL;
  if (err) {
    cr_expect(strstr(wrun_error_message(err), "incompatible import type"),
              "%s", wrun_error_message(err));
    wrun_error_delete(err);
  }
  wrun_module_delete(m);
  return ok;
}

Test(typed_refs, typed_globals_link_by_structure) {
  wasm_buf a = exporter();
  wb_world w = wb_world_new(&a);
  wrun_extern g = wb_export_of(w.inst, "g");

  /* (ref null 1) there is (ref null 0) here: same structure, another index */
  wasm_buf b = importer((const uint8_t[]){REF_NULL(1)}, 2, true);
  wrun_module *m = wb_compile(w.engine, &b);
  wrun_instance *inst = wb_instantiate(w.store, m, &g, 1);
  wrun_val out = {0};
  cr_assert_null(wrun_func_call(w.store, func_of(inst, "run"), NULL, 0, &out,
                                1));
  cr_expect_eq(out.of.i32, 42);
  wrun_module_delete(m);

  /* an immutable import may be a supertype: funcref */
  cr_expect(links(&w, &g, importer((const uint8_t[]){0x70}, 1, false)));
  /* not another function type, nor non-null (the export may hold null) */
  cr_expect(!links(&w, &g, importer((const uint8_t[]){REF_NULL(0)}, 2, false)));
  cr_expect(!links(&w, &g, importer((const uint8_t[]){REF(1)}, 2, false)));
  cr_expect(!links(&w, &g, importer((const uint8_t[]){0x6F}, 1, false)));
  wrun_valtype gt;
  bool mut;
  wasm_buf c = importer((const uint8_t[]){REF_NULL(1)}, 2, false);
  wrun_module *mc = wb_compile(w.engine, &c);
  cr_assert(wrun_module_import_global(mc, 0, &gt, &mut));
  cr_expect_eq(gt, WRUN_FUNCREF); /* as the host API sees it */
  wrun_module_delete(mc);
  wb_world_free(&w);
}

/* ---- table initializers ---------------------------------------------------- */

Test(typed_refs, table_initializer_fills_every_element) {
  wasm_buf b = {0};
  wb_header(&b);
  WB_SECTION_OF(&b, 1, 0x01, 0x60, 0x00, 0x01, 0x7F);
  WB_SECTION_OF(&b, 3, 0x02, 0x00, 0x00);
  /* table (ref 0) 3, every element ref.func 0 */
  WB_SECTION_OF(&b, 4, 0x01, 0x40, 0x00, REF(0), 0x00, 0x03, 0xD2, 0x00, 0x0B);
  wasm_buf e = {0};
  wb_u32(&e, 1);
  wb_export(&e, "call2", 0, 1);
  wb_section(&b, 7, &e);
  wasm_buf c = {0};
  wb_u32(&c, 2);
  WB_BODY(&c, 0x41, 0x07);
  WB_BODY(&c, 0x41, 0x02, 0x11, 0x00, 0x00); /* call_indirect (type 0) [2] */
  wb_section(&b, 10, &c);
  wb_world w = wb_world_new(&b);
  wrun_val out = {0};
  cr_assert_null(wrun_func_call(w.store, func_of(w.inst, "call2"), NULL, 0,
                                &out, 1));
  cr_expect_eq(out.of.i32, 7);
  wb_world_free(&w);

  /* a table of non-null references needs an initializer */
  wasm_buf bad = {0};
  wb_header(&bad);
  WB_SECTION_OF(&bad, 1, 0x01, 0x60, 0x00, 0x01, 0x7F);
  WB_SECTION_OF(&bad, 4, 0x01, REF(0), 0x00, 0x03);
  wrun_engine *engine = wrun_engine_new();
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(engine, bad.bytes, bad.len, &m);
  cr_assert_not_null(err);
  cr_expect_str_eq(wrun_error_message(err), "type mismatch");
  wrun_error_delete(err);
  free(bad.bytes);
  wrun_engine_delete(engine);
}

/* ---- non-null locals ---------------------------------------------------------- */

/* One function of type () -> () with one (ref 0) local and the given
 * code; compiles it and returns the error message ("" when valid). */
static char *compile_local_body(const uint8_t *code, size_t n) {
  wasm_buf b = {0};
  wb_header(&b);
  WB_SECTION_OF(&b, 1, 0x01, 0x60, 0x00, 0x00);
  WB_SECTION_OF(&b, 3, 0x01, 0x00);
  WB_SECTION_OF(&b, 9, 0x01, 0x03, 0x00, 0x01, 0x00); /* elem declare func 0 */
  wasm_buf c = {0};
  wb_u32(&c, 1);
  wb_u32(&c, n + 5);
  wb_bytes(&c, (const uint8_t[]){0x01, 0x01, REF(0)}, 4);
  wb_bytes(&c, code, n);
  wb_byte(&c, 0x0B);
  wb_section(&b, 10, &c);
  wrun_engine *engine = wrun_engine_new();
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(engine, b.bytes, b.len, &m);
  free(b.bytes);
  char *msg = strdup(err ? wrun_error_message(err) : "");
  wrun_error_delete(err);
  wrun_module_delete(m);
  wrun_engine_delete(engine);
  return msg;
}

#define LOCAL_BODY(...)                                                    \
  compile_local_body((const uint8_t[]){__VA_ARGS__},                      \
                     sizeof((const uint8_t[]){__VA_ARGS__}))

static void expect_message(char *got, const char *want) {
  cr_expect(strstr(got, want) && (*want || !*got), "got \"%s\", want \"%s\"",
            got, want);
  free(got);
}

Test(typed_refs, non_null_locals_are_set_before_use) {
  /* read before any set */
  expect_message(LOCAL_BODY(0x20, 0x00, 0x1A), "uninitialized local");
  /* set, then read */
  expect_message(LOCAL_BODY(0xD2, 0x00, 0x21, 0x00, 0x20, 0x00, 0x1A), "");
  /* local.tee sets it too */
  expect_message(LOCAL_BODY(0xD2, 0x00, 0x22, 0x00, 0x1A, 0x20, 0x00, 0x1A),
                 "");
  /* set inside a block counts only to its end */
  expect_message(LOCAL_BODY(0x02, 0x40, 0xD2, 0x00, 0x21, 0x00, 0x0B, 0x20,
                            0x00, 0x1A),
                 "uninitialized local");
  /* set before a block is seen inside it */
  expect_message(LOCAL_BODY(0xD2, 0x00, 0x21, 0x00, 0x02, 0x40, 0x20, 0x00,
                            0x1A, 0x0B),
                 "");
  /* a set in the then-branch is not seen in the else-branch */
  expect_message(LOCAL_BODY(0x41, 0x01, 0x04, 0x40, 0xD2, 0x00, 0x21, 0x00,
                            0x05, 0x20, 0x00, 0x1A, 0x0B),
                 "uninitialized local");
  /* a null cannot be stored in it */
  expect_message(LOCAL_BODY(0xD0, 0x00, 0x21, 0x00), "type mismatch");
}
