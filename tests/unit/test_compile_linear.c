/* Compile time grows linearly with the body, whatever its shape. A
 * function holding a deep operand stack while it enters many blocks, makes
 * many calls or branches many times once cost depth x entries (30 s for a
 * 600 KB module): a denial of service for anyone compiling untrusted code.
 * Each shape here is compiled at N and 4N; a linear compiler takes about 4x
 * as long for 4N, a quadratic one 16x. The machine is shared and noisy, so
 * the bound is generous, times are this thread's CPU time, the best of
 * several runs alternating between N and 4N, and a shape over the bound is
 * measured again (up to ATTEMPTS times): noise passes, quadratic never. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wasm_build.h"
#include "wrun.h"

#define SMALL_N 25000u
#define RUNS 5
#define ATTEMPTS 3
#define MAX_RATIO 11.0 /* linear: 4 to 8 (caches), quadratic: ~16 */

static void put_repeat(wasm_buf *b, const char *code, size_t n,
                       uint32_t times) {
  for (uint32_t i = 0; i < times; i++) wb_bytes(b, code, n);
}

#define REPEAT(b, code, times) put_repeat(b, code, sizeof code - 1, times)

/* One shape: what builds the deep stack, and the instruction sequence
 * repeated N times over it. Function 0 is (param i32) (result i32) with
 * one i32 local; function 1 is () -> () (a call target). */
typedef struct shape {
  const char *name;
  const char *push;
  size_t push_len;
  const char *entry;
  size_t entry_len;
  bool gc; /* the pushes are GC references: an i32 result goes first */
  bool nest; /* the pushes open blocks: closed after the entries */
} shape;

#define SHAPE(name, push, entry) {name, push, sizeof push - 1, entry, sizeof entry - 1, false, false}
#define GC_SHAPE(name, push, entry) {name, push, sizeof push - 1, entry, sizeof entry - 1, true, false}
#define NEST_SHAPE(name, push, entry) {name, push, sizeof push - 1, entry, sizeof entry - 1, false, true}

/* Stack entries of three kinds: registers (a computed value), lazy local
 * copies, constants. */
#define PUSH_REG "\x20\x00\x45"   /* local.get 0; i32.eqz */
#define PUSH_LAZY "\x20\x00"      /* local.get 0 */
#define PUSH_CONST "\x41\x01"     /* i32.const 1 */

static const shape shapes[] = {
  SHAPE("block over registers", PUSH_REG, "\x02\x40\x0b"),
  SHAPE("block over lazy locals", PUSH_LAZY, "\x02\x40\x0b"),
  SHAPE("block over constants", PUSH_CONST, "\x02\x40\x0b"),
  SHAPE("loop", PUSH_REG, "\x03\x40\x0b"),
  SHAPE("if", PUSH_REG, "\x20\x00\x04\x40\x0b"),
  SHAPE("if-else", PUSH_LAZY, "\x20\x00\x04\x40\x05\x0b"),
  SHAPE("call over registers", PUSH_REG, "\x10\x01"),
  SHAPE("call over lazy locals", PUSH_LAZY, "\x10\x01"),
  SHAPE("br_if out of a block", PUSH_REG, "\x02\x40\x20\x00\x0d\x00\x0b"),
  SHAPE("br_if to the function", PUSH_REG, "\x20\x00\x0d\x00"),
  SHAPE("br_if to the function over lazy locals", PUSH_LAZY, "\x20\x00\x0d\x00"),
  SHAPE("br_table", PUSH_REG, "\x02\x40\x20\x00\x0e\x01\x00\x00\x0b"),
  SHAPE("loop back edge", PUSH_REG, "\x03\x40\x20\x00\x0d\x00\x0b"),
  SHAPE("local.set over lazy locals", PUSH_LAZY, "\x41\x00\x21\x01"),
  SHAPE("block result", PUSH_REG, "\x02\x7f\x20\x00\x0b\x1a"),
  /* every call's stack map lists the GC references below it */
  GC_SHAPE("call over GC references", "\x20\x00\xfb\x1c", "\x10\x01"),
  /* a local.set from a cached local looks for the innermost loop */
  NEST_SHAPE("local.set of a cached local in nested blocks", "\x02\x40",
             "\x20\x00\x21\x01"),
};

static wasm_buf make_module(const shape *s, uint32_t n) {
  wasm_buf m = {0}, sec = {0}, body = {0}, code = {0};
  wb_header(&m);
  /* types: (i32) -> i32, () -> () */
  wb_bytes(&sec, "\x02\x60\x01\x7f\x01\x7f\x60\x00\x00", 9);
  wb_section(&m, 1, &sec);
  wb_bytes(&sec, "\x02\x00\x01", 3); /* two functions */
  wb_section(&m, 3, &sec);
  wb_bytes(&sec, "\x01\x01" "f" "\x00\x00", 5); /* export "f" */
  wb_section(&m, 7, &sec);
  if (s->gc) /* an i32 and an anyref local: the function has stack maps */
    wb_bytes(&body, "\x02\x01\x7f\x01\x6e", 5);
  else
    wb_bytes(&body, "\x01\x01\x7f", 3); /* one i32 local */
  if (s->gc) wb_bytes(&body, "\x20\x00", 2); /* the result */
  put_repeat(&body, s->push, s->push_len, n);
  put_repeat(&body, s->entry, s->entry_len, n);
  if (s->nest) {
    REPEAT(&body, "\x0b", n); /* the blocks' ends */
    wb_bytes(&body, "\x20\x00", 2); /* the result */
  } else {
    REPEAT(&body, "\x1a", s->gc ? n : n - 1); /* drop all but the result */
  }
  wb_byte(&body, 0x0b);
  wb_byte(&code, 2);
  wb_u32(&code, body.len);
  wb_bytes(&code, body.bytes, body.len);
  free(body.bytes);
  wb_bytes(&code, "\x02\x00\x0b", 3);
  wb_section(&m, 10, &code);
  return m;
}

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* What a GC shape may give instead of a module: its maps would list 25,000
 * references at each of 25,000 calls (quadratic), and the compiler refuses
 * such a body (jit/codegen_stackmap.c), in linear time like the rest. */
#define MAPS_REFUSED "too large for GC stack maps"

/* One compile (decode, validate, generate code), in CPU seconds. */
static double compile_seconds(wrun_engine *e, const wasm_buf *m,
                              const shape *s) {
  wrun_module *mod = NULL;
  double t0 = cpu_now();
  wrun_error *err = wrun_module_new(e, m->bytes, m->len, &mod);
  double t = cpu_now() - t0;
  if (err && s->gc && strstr(wrun_error_message(err), MAPS_REFUSED)) {
    wrun_error_delete(err);
    return t;
  }
  cr_assert_null(err, "%s: %s", s->name, err ? wrun_error_message(err) : "");
  wrun_module_delete(mod);
  return t;
}

/* Best of RUNS compiles at N and at 4N, alternating: t(4N) / t(N). */
static double growth(wrun_engine *e, const shape *s, double *small,
                     double *large) {
  wasm_buf m1 = make_module(s, SMALL_N), m4 = make_module(s, 4 * SMALL_N);
  *small = *large = 1e30;
  for (int run = 0; run < RUNS; run++) {
    double t1 = compile_seconds(e, &m1, s);
    double t4 = compile_seconds(e, &m4, s);
    if (t1 < *small) *small = t1;
    if (t4 < *large) *large = t4;
  }
  free(m1.bytes);
  free(m4.bytes);
  /* Below a millisecond the ratio is timer noise: compare with 1 ms. */
  return *large / (*small > 1e-3 ? *small : 1e-3);
}

Test(compile_linear, every_shape_grows_linearly) {
  wrun_engine *e = wrun_engine_new();
  cr_assert_not_null(e);
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
    const shape *s = &shapes[i];
    double small, large, ratio = 0;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      ratio = growth(e, s, &small, &large);
      fprintf(stderr, "%-40s N=%u %.1f ms, 4N %.1f ms, ratio %.1f\n",
              s->name, SMALL_N, small * 1e3, large * 1e3, ratio);
      if (ratio < MAX_RATIO) break;
    }
    cr_expect_lt(ratio, MAX_RATIO, "%s: compile time grows %.1fx for 4x N",
                 s->name, ratio);
  }
  wrun_engine_delete(e);
}

/* The generator itself: every shape is a valid module. */
Test(compile_linear, shapes_are_valid_modules) {
  wrun_engine *e = wrun_engine_new();
  for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
    wasm_buf m = make_module(&shapes[i], 100);
    cr_assert_null(wrun_module_validate(e, m.bytes, m.len), "%s",
                   shapes[i].name);
    free(m.bytes);
  }
  wrun_engine_delete(e);
}
