/* Exception handling end to end, the cases shared by two harnesses
 * (exn_exec.h): throw and catch across wasm frames, instances and host
 * functions, rethrow, traps inside a try, uncaught exceptions at the
 * host, deep recursion, and the promise that a try costs nothing on the
 * path that does not throw (the code before the landing pads is byte for
 * byte that of the same function without it).
 */
#include <string.h>

#include "exn_exec.h"
#include "runtime.h"

#define WB_CHECK(p) EX_TRUE((p) != NULL)
#include "wasm_build.h"

/* exn.wasm, from wat2wasm --enable-exceptions (wabt 1.0.32, which has the
 * legacy instructions only; the try_table modules are built below):
 *
 * (module
 *   (import "host" "throw" (func $host_throw (param i32)))
 *   (import "host" "t" (tag $ht (param i32)))
 *   (import "host" "call_back" (func $call_back (param i32) (result i32)))
 *   (tag $e (export "e") (param i32))
 *   (tag $e2 (param i64 f64))
 *   (func $deep (export "deep") (param i32) (result i32)
 *     (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 7))))
 *     (i32.add (call $deep (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
 *   (func (export "catch_deep") (param i32) (result i32)
 *     (try (result i32)
 *       (do (call $deep (local.get 0)))
 *       (catch $e (i32.add (i32.const 1000)))))
 *   (func (export "rethrow") (param i32) (result i32)
 *     (try (result i32)
 *       (do (try (result i32)
 *             (do (call $deep (local.get 0)))
 *             (catch_all (rethrow 0))))
 *       (catch $e (i32.add (i32.const 2000)))))
 *   (func (export "trap_in_try") (result i32)
 *     (try (result i32) (do (unreachable)) (catch_all (i32.const 1))))
 *   (func $spin (param i32) (result i32)
 *     (i32.add (call $spin (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
 *   (func (export "exhaust_in_try") (result i32)
 *     (try (result i32) (do (call $spin (i32.const 0))) (catch_all (i32.const 1))))
 *   (func (export "host_throw") (param i32) (result i32)
 *     (try (result i32)
 *       (do (call $host_throw (local.get 0)) (i32.const 0))
 *       (catch $ht (i32.add (i32.const 3000)))))
 *   (func (export "uncaught") (param i32) (call $host_throw (local.get 0)))
 *   (func (export "through_host") (param i32) (result i32)
 *     (try (result i32)
 *       (do (call $call_back (local.get 0)))
 *       (catch $e (i32.add (i32.const 4000)))))
 *   (func (export "payload2") (result f64)
 *     (local $d f64)
 *     (try (result f64)
 *       (do (throw $e2 (i64.const 5) (f64.const 2.5)))
 *       (catch $e2 (local.set $d) (f64.convert_i64_s) (local.get $d) (f64.add))))
 *   (func (export "other_tag") (param i32) (result i32)
 *     (try (result i32)
 *       (do (call $deep (local.get 0)))
 *       (catch $e2 (drop) (drop) (i32.const -1))
 *       (catch_all (i32.const 5000))))
 *   (func (export "loop_throw") (param i32) (result i32)
 *     (local $n i32)
 *     (loop $l
 *       (try (do (throw $e (local.get $n)))
 *            (catch $e (local.set $n (i32.add (i32.const 1)))))
 *       (br_if $l (i32.lt_u (local.get $n) (local.get 0))))
 *     (local.get $n))
 * )
 */
static const unsigned char exn_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x17, 0x05, 0x60,
  0x01, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7e, 0x7c,
  0x00, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x00, 0x01, 0x7c, 0x02, 0x29, 0x03,
  0x04, 0x68, 0x6f, 0x73, 0x74, 0x05, 0x74, 0x68, 0x72, 0x6f, 0x77, 0x00,
  0x00, 0x04, 0x68, 0x6f, 0x73, 0x74, 0x01, 0x74, 0x04, 0x00, 0x00, 0x04,
  0x68, 0x6f, 0x73, 0x74, 0x09, 0x63, 0x61, 0x6c, 0x6c, 0x5f, 0x62, 0x61,
  0x63, 0x6b, 0x00, 0x01, 0x03, 0x0d, 0x0c, 0x01, 0x01, 0x01, 0x03, 0x01,
  0x03, 0x01, 0x00, 0x01, 0x04, 0x01, 0x01, 0x0d, 0x05, 0x02, 0x00, 0x00,
  0x00, 0x02, 0x07, 0x8d, 0x01, 0x0c, 0x01, 0x65, 0x04, 0x01, 0x04, 0x64,
  0x65, 0x65, 0x70, 0x00, 0x02, 0x0a, 0x63, 0x61, 0x74, 0x63, 0x68, 0x5f,
  0x64, 0x65, 0x65, 0x70, 0x00, 0x03, 0x07, 0x72, 0x65, 0x74, 0x68, 0x72,
  0x6f, 0x77, 0x00, 0x04, 0x0b, 0x74, 0x72, 0x61, 0x70, 0x5f, 0x69, 0x6e,
  0x5f, 0x74, 0x72, 0x79, 0x00, 0x05, 0x0e, 0x65, 0x78, 0x68, 0x61, 0x75,
  0x73, 0x74, 0x5f, 0x69, 0x6e, 0x5f, 0x74, 0x72, 0x79, 0x00, 0x07, 0x0a,
  0x68, 0x6f, 0x73, 0x74, 0x5f, 0x74, 0x68, 0x72, 0x6f, 0x77, 0x00, 0x08,
  0x08, 0x75, 0x6e, 0x63, 0x61, 0x75, 0x67, 0x68, 0x74, 0x00, 0x09, 0x0c,
  0x74, 0x68, 0x72, 0x6f, 0x75, 0x67, 0x68, 0x5f, 0x68, 0x6f, 0x73, 0x74,
  0x00, 0x0a, 0x08, 0x70, 0x61, 0x79, 0x6c, 0x6f, 0x61, 0x64, 0x32, 0x00,
  0x0b, 0x09, 0x6f, 0x74, 0x68, 0x65, 0x72, 0x5f, 0x74, 0x61, 0x67, 0x00,
  0x0c, 0x0a, 0x6c, 0x6f, 0x6f, 0x70, 0x5f, 0x74, 0x68, 0x72, 0x6f, 0x77,
  0x00, 0x0d, 0x0a, 0xdb, 0x01, 0x0c, 0x16, 0x00, 0x20, 0x00, 0x45, 0x04,
  0x40, 0x41, 0x07, 0x08, 0x01, 0x0b, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x10,
  0x02, 0x41, 0x01, 0x6a, 0x0b, 0x0f, 0x00, 0x06, 0x7f, 0x20, 0x00, 0x10,
  0x02, 0x07, 0x01, 0x41, 0xe8, 0x07, 0x6a, 0x0b, 0x0b, 0x15, 0x00, 0x06,
  0x7f, 0x06, 0x7f, 0x20, 0x00, 0x10, 0x02, 0x19, 0x09, 0x00, 0x0b, 0x07,
  0x01, 0x41, 0xd0, 0x0f, 0x6a, 0x0b, 0x0b, 0x09, 0x00, 0x06, 0x7f, 0x00,
  0x19, 0x41, 0x01, 0x0b, 0x0b, 0x0c, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6a,
  0x10, 0x06, 0x41, 0x01, 0x6a, 0x0b, 0x0c, 0x00, 0x06, 0x7f, 0x41, 0x00,
  0x10, 0x06, 0x19, 0x41, 0x01, 0x0b, 0x0b, 0x11, 0x00, 0x06, 0x7f, 0x20,
  0x00, 0x10, 0x00, 0x41, 0x00, 0x07, 0x00, 0x41, 0xb8, 0x17, 0x6a, 0x0b,
  0x0b, 0x06, 0x00, 0x20, 0x00, 0x10, 0x00, 0x0b, 0x0f, 0x00, 0x06, 0x7f,
  0x20, 0x00, 0x10, 0x01, 0x07, 0x01, 0x41, 0xa0, 0x1f, 0x6a, 0x0b, 0x0b,
  0x1c, 0x01, 0x01, 0x7c, 0x06, 0x7c, 0x42, 0x05, 0x44, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x04, 0x40, 0x08, 0x02, 0x07, 0x02, 0x21, 0x00, 0xb9,
  0x20, 0x00, 0xa0, 0x0b, 0x0b, 0x13, 0x00, 0x06, 0x7f, 0x20, 0x00, 0x10,
  0x02, 0x07, 0x02, 0x1a, 0x1a, 0x41, 0x7f, 0x19, 0x41, 0x88, 0x27, 0x0b,
  0x0b, 0x1e, 0x01, 0x01, 0x7f, 0x03, 0x40, 0x06, 0x40, 0x20, 0x01, 0x08,
  0x01, 0x07, 0x01, 0x41, 0x01, 0x6a, 0x21, 0x01, 0x0b, 0x20, 0x01, 0x20,
  0x00, 0x49, 0x0d, 0x00, 0x0b, 0x20, 0x01, 0x0b
};
static const unsigned int exn_wasm_len = 464;

static wrun_engine *engine;
static wrun_store *store;
static wrun_tag *host_tag;     /* (param i32), imported as host.t */
static wrun_instance *inst;    /* of exn.wasm */
static int host_catches;       /* call_back caught an exception this often */

static const wrun_valtype I32[] = {WRUN_I32};

void ex_setup(void) {
  engine = wrun_engine_new();
  store = wrun_store_new(engine);
  EX_TRUE((store) != NULL);
  host_tag = wrun_tag_new(store, I32, 1);
  EX_TRUE((host_tag) != NULL);
  host_catches = 0;
}

void ex_teardown(void) {
  wrun_store_delete(store);
  wrun_engine_delete(engine);
}

static wrun_val i32v(int32_t v) {
  wrun_val x = {.type = WRUN_I32, .of.i32 = v};
  return x;
}

static wrun_func *export_func(wrun_instance *in, const char *name) {
  wrun_extern e;
  EX_CHECK(wrun_instance_export(in, name, &e), "no export %s", name);
  EX_TRUE((e.kind) == (WRUN_EXTERN_FUNC));
  return e.of.func;
}

/* Calls in.name(arg) -> (), returning its trap. */
static wrun_trap *call_void(wrun_instance *in, const char *name, int32_t arg) {
  wrun_val a = i32v(arg);
  return wrun_func_call(store, export_func(in, name), &a, 1, NULL, 0);
}

/* Calls in.name(arg) -> i32; returns the trap (NULL on success). */
static wrun_trap *call1(wrun_instance *in, const char *name, int32_t arg,
                        int32_t *result) {
  wrun_val a = i32v(arg), r = i32v(0);
  wrun_trap *t = wrun_func_call(store, export_func(in, name), &a, 1, &r, 1);
  *result = r.of.i32;
  return t;
}

static int32_t call_ok(wrun_instance *in, const char *name, int32_t arg) {
  int32_t r;
  wrun_trap *t = call1(in, name, arg, &r);
  EX_CHECK((t) == NULL, "%s(%d) trapped: %s", name, arg, t ? wrun_trap_message(t) : "");
  return r;
}

/* host.throw(x): throws host.t with payload x. */
static wrun_trap *host_throw(void *env, wrun_caller *caller,
                             const wrun_val *args, size_t nargs,
                             wrun_val *results, size_t nresults) {
  (void)env, (void)nargs, (void)results, (void)nresults;
  wrun_exn *exn = wrun_exn_new(wrun_caller_store(caller), host_tag, args, 1);
  EX_TRUE((exn) != NULL);
  return wrun_trap_new_exception(exn);
}

/* host.call_back(x): calls deep(x), which throws e(7) from x frames
 * down. For x == 5 the host catches it and returns 55; otherwise it
 * passes the exception on to its wasm caller. */
static wrun_trap *call_back(void *env, wrun_caller *caller,
                            const wrun_val *args, size_t nargs,
                            wrun_val *results, size_t nresults) {
  (void)env, (void)caller, (void)nargs, (void)nresults;
  wrun_val r = i32v(0);
  wrun_trap *t = wrun_func_call(store, export_func(inst, "deep"), args, 1,
                                &r, 1);
  EX_CHECK((t) != NULL, "deep always throws");
  wrun_exn *exn = wrun_trap_exception(t);
  EX_CHECK((exn) != NULL, "deep threw, it did not trap");
  if (args[0].of.i32 == 5) {
    wrun_trap_delete(t);
    host_catches++;
    results[0] = i32v(55);
    return NULL;
  }
  return t;
}

static wrun_instance *instantiate(const uint8_t *bytes, size_t len,
                                  const wrun_extern *imports, size_t n) {
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(engine, bytes, len, &m);
  EX_CHECK((err) == NULL, "%s", err ? wrun_error_message(err) : "");
  wrun_instance *in = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(store, m, imports, n, &in, &err, &trap);
  EX_CHECK((err) == NULL, "%s", err ? wrun_error_message(err) : "");
  EX_TRUE((trap) == NULL);
  wrun_module_delete(m);
  return in;
}

static void instantiate_exn(void) {
  wrun_extern imports[3];
  imports[0].kind = WRUN_EXTERN_FUNC;
  imports[0].of.func = wrun_func_new(store, I32, 1, NULL, 0, host_throw, NULL,
                                     NULL);
  imports[1].kind = WRUN_EXTERN_TAG;
  imports[1].of.tag = host_tag;
  imports[2].kind = WRUN_EXTERN_FUNC;
  imports[2].of.func = wrun_func_new(store, I32, 1, I32, 1, call_back, NULL,
                                     NULL);
  inst = instantiate(exn_wasm, exn_wasm_len, imports, 3);
}

void ex_a_throw_through_1000_frames_is_caught_at_the_bottom(void) {
  instantiate_exn();
  EX_TRUE((call_ok(inst, "catch_deep", 0)) == (1007));
  EX_TRUE((call_ok(inst, "catch_deep", 1000)) == (1007));
  /* and again: nothing of the first unwind is left behind */
  EX_TRUE((call_ok(inst, "catch_deep", 1000)) == (1007));
}

void ex_rethrow_goes_to_the_outer_handler(void) {
  instantiate_exn();
  EX_TRUE((call_ok(inst, "rethrow", 10)) == (2007));
}

void ex_payload_of_two_values(void) {
  instantiate_exn();
  wrun_val r = {.type = WRUN_F64};
  wrun_trap *t = wrun_func_call(store, export_func(inst, "payload2"), NULL, 0,
                                &r, 1);
  EX_TRUE((t) == NULL);
  double d;
  memcpy(&d, &r.of.f64_bits, sizeof d);
  EX_TRUE((d) == (7.5));
}

void ex_a_clause_of_another_tag_does_not_catch(void) {
  instantiate_exn();
  EX_TRUE((call_ok(inst, "other_tag", 3)) == (5000));
}

void ex_a_trap_inside_a_try_is_not_caught(void) {
  instantiate_exn();
  int32_t r;
  wrun_trap *t = call1(inst, "catch_deep", 0, &r);
  EX_TRUE((t) == NULL);
  wrun_val none;
  t = wrun_func_call(store, export_func(inst, "trap_in_try"), NULL, 0, &none,
                     1);
  EX_TRUE((t) != NULL);
  EX_TRUE((wrun_trap_code_of(t)) == (WRUN_TRAP_UNREACHABLE));
  EX_TRUE((wrun_trap_exception(t)) == NULL);
  wrun_trap_delete(t);
  t = wrun_func_call(store, export_func(inst, "exhaust_in_try"), NULL, 0,
                     &none, 1);
  EX_TRUE((t) != NULL);
  EX_TRUE((wrun_trap_code_of(t)) == (WRUN_TRAP_STACK_EXHAUSTED));
  wrun_trap_delete(t);
  /* the store is fine afterwards */
  EX_TRUE((call_ok(inst, "catch_deep", 50)) == (1007));
}

void ex_a_host_function_throws_into_wasm(void) {
  instantiate_exn();
  EX_TRUE((call_ok(inst, "host_throw", 9)) == (3009));
}

void ex_an_uncaught_exception_reaches_the_host_and_the_store_works(void) {
  instantiate_exn();
  int32_t r;
  wrun_val a = i32v(42);
  wrun_trap *t = wrun_func_call(store, export_func(inst, "uncaught"), &a, 1,
                                NULL, 0);
  EX_TRUE((t) != NULL);
  EX_TRUE((wrun_trap_code_of(t)) == (WRUN_TRAP_EXCEPTION));
  EX_TRUE(strcmp(wrun_trap_message(t), "uncaught exception") == 0);
  wrun_exn *exn = wrun_trap_exception(t);
  EX_TRUE((exn) != NULL);
  EX_TRUE((wrun_exn_tag(exn)) == (host_tag));
  EX_TRUE((wrun_exn_payload_count(exn)) == (1));
  wrun_val v;
  EX_TRUE(wrun_exn_payload(exn, 0, &v));
  EX_TRUE((v.type) == (WRUN_I32));
  EX_TRUE((v.of.i32) == (42));
  EX_TRUE(!(wrun_exn_payload(exn, 1, &v)));
  wrun_trap_delete(t);
  /* thrown by wasm itself, uncaught */
  t = call1(inst, "deep", 20, &r);
  EX_TRUE((wrun_trap_exception(t)) != NULL);
  wrun_exn_payload(wrun_trap_exception(t), 0, &v);
  EX_TRUE((v.of.i32) == (7));
  wrun_trap_delete(t);
  EX_TRUE((call_ok(inst, "catch_deep", 3)) == (1007));
}

void ex_through_a_host_function_that_calls_wasm(void) {
  instantiate_exn();
  /* wasm -> host -> wasm (throws 100 frames down) -> host passes it on
   * -> caught by the first wasm */
  EX_TRUE((call_ok(inst, "through_host", 100)) == (4007));
  /* the host catches it itself */
  EX_TRUE((call_ok(inst, "through_host", 5)) == (55));
  EX_TRUE((host_catches) == (1));
}

void ex_many_throws_in_a_loop(void) {
  instantiate_exn();
  EX_TRUE((call_ok(inst, "loop_throw", 100000)) == (100000));
}

/* Exceptions live until their store goes: the store's exception_bytes
 * limit bounds what a throwing loop takes, with a clean trap, and the
 * store goes on working once the limit allows more. */
void ex_throws_past_the_exception_limit_trap(void) {
  instantiate_exn();
  wrun_store_limits limits;
  wrun_store_get_limits(store, &limits);
  limits.exception_bytes = 64 * 1024; /* some hundreds of exceptions */
  EX_TRUE(wrun_store_set_limits(store, &limits) == NULL);
  int32_t r;
  wrun_trap *t = call1(inst, "loop_throw", 100000, &r);
  EX_CHECK(t != NULL, "100,000 throws fit in 64 KiB of exceptions");
  EX_CHECK(strcmp(wrun_trap_message(t), "exception limit exceeded") == 0,
           "trap: %s", wrun_trap_message(t));
  wrun_trap_delete(t);
  limits.exception_bytes = 1024 * 1024;
  EX_TRUE(wrun_store_set_limits(store, &limits) == NULL);
  EX_TRUE((call_ok(inst, "loop_throw", 100)) == (100));
}

void ex_deep_recursion_and_exceptions(void) {
  instantiate_exn();
  /* Near the stack limit (1 MiB by default), then exhausted, then deep
   * again: unwinding leaves nothing of the stack behind. */
  for (int i = 0; i < 3; i++) {
    EX_TRUE((call_ok(inst, "catch_deep", 10000)) == (1007));
    wrun_val none;
    wrun_trap *t = wrun_func_call(store, export_func(inst, "exhaust_in_try"),
                                  NULL, 0, &none, 1);
    EX_TRUE((wrun_trap_code_of(t)) == (WRUN_TRAP_STACK_EXHAUSTED));
    wrun_trap_delete(t);
  }
}

void ex_host_api_checks_the_payload(void) {
  wrun_val bad = {.type = WRUN_I64, .of.i64 = 1};
  EX_TRUE((wrun_exn_new(store, host_tag, &bad, 1)) == NULL);
  EX_TRUE((wrun_exn_new(store, host_tag, NULL, 0)) == NULL);
  wrun_val ok = i32v(3);
  wrun_exn *exn = wrun_exn_new(store, host_tag, &ok, 1);
  EX_TRUE((exn) != NULL);
  EX_TRUE((wrun_tag_param_count(host_tag)) == (1));
  EX_TRUE((wrun_tag_param_type(host_tag, 0)) == (WRUN_I32));
  /* a tag of another store does not make exceptions here */
  wrun_store *other = wrun_store_new(engine);
  EX_TRUE((wrun_exn_new(other, host_tag, &ok, 1)) == NULL);
  wrun_store_delete(other);
}

/* ---- try_table, across instances, and the cost of a try -----------------
 * Modules built byte by byte (the wabt here has no try_table). Types:
 * 0 (i32) -> i32, 1 (i32) -> (), 2 () -> i32, 3 () -> (i32 exnref). */

static void types_section(wasm_buf *m) {
  wasm_buf s = {0};
  wb_bytes(&s, "\x04"
               "\x60\x01\x7f\x01\x7f"
               "\x60\x01\x7f\x00"
               "\x60\x00\x01\x7f"
               "\x60\x00\x02\x7f\x69", 19);
  wb_section(m, 1, &s);
}

/* One function body: locals vector then code, length-prefixed. */
static void body(wasm_buf *code, const char *bytes, size_t n) {
  wb_u32(code, n);
  wb_bytes(code, bytes, n);
}

#define BODY(code, lit) body(code, lit, sizeof lit - 1)

/* The try_table module: imports a tag (env.e, (i32)) when import_tag,
 * else defines it (exported as "e"); f0 throws it; the others catch. */
static wasm_buf try_table_module(bool import_tag) {
  wasm_buf m = {0}, s = {0};
  wb_header(&m);
  types_section(&m);
  if (import_tag) {
    wb_bytes(&s, "\x01\x03" "env" "\x01" "e" "\x04\x00\x01", 10);
    wb_section(&m, 2, &s);
  }
  wb_bytes(&s, "\x04\x01\x00\x00\x00", 5); /* thrower, catch, ref, loop */
  wb_section(&m, 3, &s);
  if (!import_tag) {
    wb_bytes(&s, "\x01\x00\x01", 3);
    wb_section(&m, 13, &s);
  }
  wb_byte(&s, import_tag ? 4 : 5);
  wb_name(&s, "throw"); wb_bytes(&s, "\x00\x00", 2);
  wb_name(&s, "catch"); wb_bytes(&s, "\x00\x01", 2);
  wb_name(&s, "catch_ref"); wb_bytes(&s, "\x00\x02", 2);
  wb_name(&s, "catch_all_loop"); wb_bytes(&s, "\x00\x03", 2);
  if (!import_tag) {
    wb_name(&s, "e");
    wb_bytes(&s, "\x04\x00", 2);
  }
  wb_section(&m, 7, &s);
  wasm_buf code = {0};
  wb_byte(&code, 4);
  /* throw: (throw $e (local.get 0)) */
  BODY(&code, "\x00\x20\x00\x08\x00\x0b");
  /* catch: (block (result i32) (try_table (catch $e 0) (call $throw
   * (local.get 0))) (i32.const -1)) (i32.add (i32.const 100)) */
  BODY(&code, "\x00\x02\x7f\x1f\x40\x01\x00\x00\x00\x20\x00\x10\x00\x0b"
              "\x41\x7f\x0b\x41\xe4\x00\x6a\x0b");
  /* catch_ref: catch_ref into a block of (i32 exnref), throw_ref it, and
   * catch that outside: (x + 200) */
  BODY(&code, "\x00\x02\x7f\x1f\x40\x01\x00\x00\x00"
              "\x02\x03\x1f\x40\x01\x01\x00\x00\x20\x00\x10\x00\x0b\x00\x0b"
              "\x0a\x0b\x00\x0b\x41\xc8\x01\x6a\x0b");
  /* catch_all_loop: (local $n i32) (block (loop (br_if 1 (i32.ge_u n x))
   * (local.set $n (n + 1)) (try_table (catch_all 0) (call $throw n))))
   * (local.get $n) */
  BODY(&code, "\x01\x01\x7f\x02\x40\x03\x40\x20\x01\x20\x00\x4f\x0d\x01"
              "\x20\x01\x41\x01\x6a\x21\x01\x1f\x40\x01\x02\x00\x20\x01\x10"
              "\x00\x0b\x0b\x0b\x20\x01\x0b");
  wb_section(&m, 10, &code);
  return m;
}

void ex_try_table_catch_catch_ref_throw_ref_catch_all(void) {
  wasm_buf m = try_table_module(false);
  wrun_instance *a = instantiate(m.bytes, m.len, NULL, 0);
  free(m.bytes);
  EX_TRUE((call_ok(a, "catch", 5)) == (105));
  EX_TRUE((call_ok(a, "catch_ref", 5)) == (205));
  EX_TRUE((call_ok(a, "catch_all_loop", 1000)) == (1000));
  wrun_trap *t = call_void(a, "throw", 1);
  EX_TRUE((wrun_trap_exception(t)) != NULL);
  wrun_trap_delete(t);
}

/* Imports env.throw (a's thrower) and env.e (a's tag), defines a tag of
 * its own: catch_imported catches a's exception by the imported tag
 * (x + 300), catch_own by its own tag misses it and catch_all gives -2. */
static wasm_buf catcher_module(void) {
  wasm_buf m = {0}, s = {0};
  wb_header(&m);
  types_section(&m);
  wb_bytes(&s, "\x02\x03" "env" "\x05" "throw" "\x00\x01"
               "\x03" "env" "\x01" "e" "\x04\x00\x01", 22);
  wb_section(&m, 2, &s);
  wb_bytes(&s, "\x02\x00\x00", 3);
  wb_section(&m, 3, &s);
  wb_bytes(&s, "\x01\x00\x01", 3);
  wb_section(&m, 13, &s);
  wb_byte(&s, 2);
  wb_name(&s, "catch_imported"); wb_bytes(&s, "\x00\x01", 2);
  wb_name(&s, "catch_own"); wb_bytes(&s, "\x00\x02", 2);
  wb_section(&m, 7, &s);
  wasm_buf code = {0};
  wb_byte(&code, 2);
  BODY(&code, "\x00\x02\x7f\x1f\x40\x01\x00\x00\x00\x20\x00\x10\x00\x0b"
              "\x41\x7f\x0b\x41\xac\x02\x6a\x0b");
  BODY(&code, "\x00\x02\x40\x02\x7f\x1f\x40\x02\x00\x01\x00\x02\x01"
              "\x20\x00\x10\x00\x0b\x41\x7f\x0b\x41\xac\x02\x6a\x0f\x0b"
              "\x41\x7e\x0b");
  wb_section(&m, 10, &code);
  return m;
}

void ex_tags_are_per_instance_and_cross_instances_by_import(void) {
  wasm_buf m = try_table_module(false);
  wrun_instance *a = instantiate(m.bytes, m.len, NULL, 0);
  wrun_instance *b = instantiate(m.bytes, m.len, NULL, 0);
  free(m.bytes);
  wrun_extern imports[2];
  EX_TRUE(wrun_instance_export(a, "throw", &imports[0]));
  EX_TRUE(wrun_instance_export(a, "e", &imports[1]));
  EX_TRUE((imports[1].kind) == (WRUN_EXTERN_TAG));
  wasm_buf mc = catcher_module();
  wrun_instance *c = instantiate(mc.bytes, mc.len, imports, 2);
  free(mc.bytes);
  /* a's exception, thrown in a called from c, caught in c by the tag c
   * imported from a */
  EX_TRUE((call_ok(c, "catch_imported", 4)) == (304));
  EX_TRUE((call_ok(c, "catch_own", 4)) == (-2));
  /* two instances of one module have tags of their own */
  wrun_trap *t = call_void(b, "throw", 3);
  wrun_exn *exn = wrun_trap_exception(t);
  EX_TRUE((exn) != NULL);
  EX_TRUE((wrun_exn_tag(exn)) != (imports[1].of.tag));
  wrun_trap_delete(t);
  EX_TRUE((call_ok(b, "catch", 1)) == (101));
}

/* The cost of a try when nothing throws: the module of thrower and
 * (func (result i32) (block WRAP (i32.const 1) (call $thrower))
 * (i32.const 0)), WRAP a block or a try_table (catch_all 0). Both
 * flush the stack at entry alike, so the function with the try is the
 * one without it, byte for byte (trap stubs included), followed by the
 * landing pad. */
static wasm_buf cost_module(bool with_try) {
  wasm_buf m = {0}, s = {0};
  wb_header(&m);
  types_section(&m);
  wb_bytes(&s, "\x02\x01\x02", 3);
  wb_section(&m, 3, &s);
  wb_bytes(&s, "\x01\x00\x01", 3);
  wb_section(&m, 13, &s);
  wasm_buf code = {0};
  wb_byte(&code, 2);
  BODY(&code, "\x00\x20\x00\x08\x00\x0b");
  if (with_try)
    BODY(&code, "\x00\x02\x40\x1f\x40\x01\x02\x00\x41\x01\x10\x00\x0b\x0b"
                "\x41\x00\x0b");
  else
    BODY(&code, "\x00\x02\x40\x02\x40\x41\x01\x10\x00\x0b\x0b\x41\x00\x0b");
  wb_section(&m, 10, &code);
  return m;
}

void ex_a_try_adds_no_instruction_where_nothing_throws(void) {
  wrun_module *mods[2];
  for (int i = 0; i < 2; i++) {
    wasm_buf b = cost_module(i == 1);
    wrun_error *err = wrun_module_new(engine, b.bytes, b.len, &mods[i]);
    EX_CHECK((err) == NULL, "%s", err ? wrun_error_message(err) : "");
    free(b.bytes);
  }
  const jit_code *plain = &mods[0]->code, *tried = &mods[1]->code;
  EX_TRUE((plain->exn.nsites) == (0));
  EX_CHECK((tried->exn.nsites) == (1), "the call inside the try has a site");
  EX_TRUE((tried->exn.nclauses) == (1));
  uint32_t start = tried->func_offsets[1];
  EX_TRUE((plain->func_offsets[1]) == (start));
  uint32_t pad = tried->exn.clauses[0].pad;
  EX_TRUE((pad) > (start));
  EX_CHECK((pad) == (plain->size), "the function without the try is as "
               "long as the code before the pad");
  EX_CHECK(memcmp(plain->mem + start, tried->mem + start, pad - start) == 0, "the code before the landing pad differs");
  /* The site is the call's return address, inside that code. */
  EX_TRUE((tried->exn.sites[0].ret) < (pad));
  EX_TRUE((tried->exn.sites[0].ret) > (start));
  wrun_module_delete(mods[0]);
  wrun_module_delete(mods[1]);
}
