/* Relaxed SIMD through the whole pipeline (decode, validate, compile,
 * run), in the default and the deterministic mode.
 *
 * Deterministic mode lowers each relaxed op to a strict one (the det
 * column of its opcodes.def row) and madd/nmadd to mul then add: the pairs
 * are written out again here, so that a row naming another op fails a
 * test. The strict ops are run in deterministic mode too, so both sides
 * canonicalise their NaNs. On x86-64 the FMA feature bit is forced off and
 * on (when the CPU has it) around compiling: natively madd must follow
 * it, deterministic mode must not. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "wasm_build.h"
#include "wrun.h"
#if defined(__x86_64__)
#include "x64/asm.h"
#endif

#define CANON32 0x7fc00000u
#define CANON64 0x7ff8000000000000ull

/* A relaxed op, its operand count and what deterministic mode must equal:
 * the strict op's code (0 for madd/nmadd, checked against C instead). */
typedef struct relaxed {
  const char *name;
  uint16_t code, strict;
  uint8_t arity;
} relaxed;

static const relaxed ops[] = {
    {"i8x16.relaxed_swizzle", 0x100, 14, 2},
    {"i32x4.relaxed_trunc_f32x4_s", 0x101, 248, 1},
    {"i32x4.relaxed_trunc_f32x4_u", 0x102, 249, 1},
    {"i32x4.relaxed_trunc_f64x2_s_zero", 0x103, 252, 1},
    {"i32x4.relaxed_trunc_f64x2_u_zero", 0x104, 253, 1},
    {"f32x4.relaxed_madd", 0x105, 0, 3},
    {"f32x4.relaxed_nmadd", 0x106, 0, 3},
    {"f64x2.relaxed_madd", 0x107, 0, 3},
    {"f64x2.relaxed_nmadd", 0x108, 0, 3},
    {"i8x16.relaxed_laneselect", 0x109, 82, 3},
    {"i16x8.relaxed_laneselect", 0x10A, 82, 3},
    {"i32x4.relaxed_laneselect", 0x10B, 82, 3},
    {"i64x2.relaxed_laneselect", 0x10C, 82, 3},
    {"f32x4.relaxed_min", 0x10D, 232, 2},
    {"f32x4.relaxed_max", 0x10E, 233, 2},
    {"f64x2.relaxed_min", 0x10F, 244, 2},
    {"f64x2.relaxed_max", 0x110, 245, 2},
    {"i16x8.relaxed_q15mulr_s", 0x111, 130, 2},
    {"i16x8.relaxed_dot_i8x16_i7x16_s", 0x112, 0, 2},
    {"i32x4.relaxed_dot_i8x16_i7x16_add_s", 0x113, 0, 3},
};
enum { NOPS = sizeof ops / sizeof *ops };

/* Function 2k runs ops[k], 2k + 1 its strict op (or ops[k] again), on
 * its parameters; type a - 1 has a v128 parameters and a v128 result. */
static wasm_buf build_module(void) {
  wasm_buf m = {0}, s = {0};
  wb_header(&m);
  wb_u32(&s, 3);
  for (unsigned a = 1; a <= 3; a++) {
    wb_byte(&s, 0x60);
    wb_u32(&s, a);
    for (unsigned i = 0; i < a; i++) wb_byte(&s, 0x7B);
    wb_u32(&s, 1);
    wb_byte(&s, 0x7B);
  }
  wb_section(&m, 1, &s);
  wb_u32(&s, 2 * NOPS);
  for (unsigned k = 0; k < 2 * NOPS; k++) wb_u32(&s, ops[k / 2].arity - 1u);
  wb_section(&m, 3, &s);
  wb_u32(&s, 2 * NOPS);
  for (unsigned k = 0; k < 2 * NOPS; k++) {
    char name[16];
    snprintf(name, sizeof name, "%c%u", k & 1 ? 's' : 'r', k / 2);
    wb_name(&s, name);
    wb_byte(&s, 0);
    wb_u32(&s, k);
  }
  wb_section(&m, 7, &s);
  wb_u32(&s, 2 * NOPS);
  for (unsigned k = 0; k < 2 * NOPS; k++) {
    const relaxed *o = &ops[k / 2];
    wasm_buf body = {0};
    wb_byte(&body, 0); /* no locals */
    for (unsigned i = 0; i < o->arity; i++) {
      wb_byte(&body, 0x20);
      wb_u32(&body, i);
    }
    wb_byte(&body, 0xFD);
    wb_u32(&body, (k & 1) && o->strict ? o->strict : o->code);
    wb_byte(&body, 0x0B);
    wb_u32(&s, body.len);
    wb_bytes(&s, body.bytes, body.len);
    free(body.bytes);
  }
  wb_section(&m, 10, &s);
  return m;
}

typedef struct mode {
  wrun_engine *engine;
  wrun_store *store;
  wrun_module *module;
  wrun_instance *inst;
} mode;

static void open_mode(mode *md, bool deterministic) {
  wrun_config *config = wrun_config_new();
  wrun_config_deterministic(config, deterministic);
  md->engine = wrun_engine_new_with_config(config);
  wrun_config_delete(config);
  cr_assert_not_null(md->engine);
  wasm_buf bytes = build_module();
  wrun_error *err = wrun_module_new(md->engine, bytes.bytes, bytes.len,
                                    &md->module);
  free(bytes.bytes);
  cr_assert_null(err, "module: %s", err ? wrun_error_message(err) : "");
  md->store = wrun_store_new(md->engine);
  wrun_trap *trap = NULL;
  wrun_instance_new(md->store, md->module, NULL, 0, &md->inst, &err, &trap);
  cr_assert(md->inst && !err && !trap, "instantiation failed");
}

static void close_mode(mode *md) {
  wrun_store_delete(md->store);
  wrun_module_delete(md->module);
  wrun_engine_delete(md->engine);
}

/* Calls function `which` ('r' relaxed, 's' strict) of ops[k]. */
static wrun_val call(const mode *md, char which, unsigned k,
                     const wrun_val *args) {
  char name[16];
  snprintf(name, sizeof name, "%c%u", which, k);
  wrun_extern f;
  cr_assert(wrun_instance_export(md->inst, name, &f));
  wrun_val result;
  memset(&result, 0, sizeof result);
  wrun_trap *trap =
      wrun_func_call(md->store, f.of.func, args, ops[k].arity, &result, 1);
  cr_assert_null(trap, "%s trapped", ops[k].name);
  return result;
}

static wrun_val v128_of(const uint8_t bytes[16]) {
  wrun_val v = {.type = WRUN_V128};
  memcpy(v.of.v128, bytes, 16);
  return v;
}

/* Lane patterns every op sees: NaNs with payloads (quiet, signalling,
 * negative), zeros of both signs, infinities, values at the integer
 * limits, -128 bytes, and pseudo-random bits. */
enum { NINPUTS = 24 };
static void input(unsigned n, uint8_t out[16]) {
  static const uint32_t f32s[] = {
      0xffc01234, 0x7f800002, 0x7fc00000, 0x00000000, 0x80000000,
      0x7f800000, 0xff800000, 0x4f000000, 0xcf000001, 0x3f800800,
      0xbf801000, 0x4f800000, 0x80808080, 0x3fc00000, 0xc0000000, 0x00000001};
  static const uint64_t f64s[] = {
      0xfff8000012345678ull, 0x7ff0000000000002ull, 0x8000000000000000ull,
      0x41e0000000000000ull, 0xc1e0000000200000ull, 0x41f0000000000000ull,
      0x3ff0000002000000ull, 0xbff0000004000000ull};
  if (n < 8) {
    uint32_t lanes[4];
    for (int i = 0; i < 4; i++) lanes[i] = f32s[(n * 5 + (unsigned)i * 3) % 16];
    memcpy(out, lanes, 16);
  } else if (n < 16) {
    uint64_t lanes[2] = {f64s[n % 8], f64s[(n * 3 + 1) % 8]};
    memcpy(out, lanes, 16);
  } else {
    uint64_t x = 0x9E3779B97F4A7C15ull * (n + 1);
    for (int i = 0; i < 16; i++) {
      x ^= x >> 29;
      x *= 0xBF58476D1CE4E5B9ull;
      out[i] = (uint8_t)(x >> 56);
    }
    if (n % 4 == 0) memset(out, 0x80, 8); /* -128 and INT16_MIN lanes */
  }
}

static void args_for(unsigned n, unsigned arity, wrun_val args[3]) {
  uint8_t bytes[16];
  for (unsigned i = 0; i < arity; i++) {
    input((n + 7 * i) % NINPUTS, bytes);
    args[i] = v128_of(bytes);
  }
}

/* The mul-then-add reference of madd/nmadd in deterministic mode, NaN
 * lanes canonical. volatile: no contraction into an fma by the C
 * compiler. */
static void unfused_ref(const relaxed *o, const wrun_val *args,
                        uint8_t out[16]) {
  bool neg = o->code == 0x106 || o->code == 0x108;
  if (o->code <= 0x106) {
    float a[4], b[4], c[4], r[4];
    memcpy(a, args[0].of.v128, 16);
    memcpy(b, args[1].of.v128, 16);
    memcpy(c, args[2].of.v128, 16);
    for (int i = 0; i < 4; i++) {
      volatile float p = a[i] * b[i];
      r[i] = neg ? c[i] - p : p + c[i];
      if (isnan(r[i])) memcpy(&r[i], &(uint32_t){CANON32}, 4);
    }
    memcpy(out, r, 16);
  } else {
    double a[2], b[2], c[2], r[2];
    memcpy(a, args[0].of.v128, 16);
    memcpy(b, args[1].of.v128, 16);
    memcpy(c, args[2].of.v128, 16);
    for (int i = 0; i < 2; i++) {
      volatile double p = a[i] * b[i];
      r[i] = neg ? c[i] - p : p + c[i];
      if (isnan(r[i])) memcpy(&r[i], &(uint64_t){CANON64}, 8);
    }
    memcpy(out, r, 16);
  }
}

static bool is_madd(const relaxed *o) {
  return o->code >= 0x105 && o->code <= 0x108;
}

/* Every relaxed op with a strict counterpart equals it in deterministic
 * mode, and madd/nmadd equal mul then add, on every input. */
static void check_deterministic(void) {
  mode det;
  open_mode(&det, true);
  unsigned compared = 0;
  for (unsigned k = 0; k < NOPS; k++) {
    const relaxed *o = &ops[k];
    if (!o->strict && !is_madd(o)) continue;
    for (unsigned n = 0; n < NINPUTS; n++) {
      wrun_val args[3];
      args_for(n, o->arity, args);
      wrun_val got = call(&det, 'r', k, args);
      uint8_t want[16];
      if (is_madd(o))
        unfused_ref(o, args, want);
      else
        memcpy(want, call(&det, 's', k, args).of.v128, 16);
      cr_expect(memcmp(got.of.v128, want, 16) == 0,
                "%s, input %u: not the deterministic result", o->name, n);
      compared++;
    }
  }
  cr_expect_eq(compared, 18u * NINPUTS);
  close_mode(&det);
}

Test(relaxed, deterministic_mode_lowers_to_the_strict_ops) {
  check_deterministic();
}

/* The dot products have one lowering in both modes (both ISAs compute
 * signed lanes, wrapping i16 sums): compared with that in C. */
static void dot_ref(const relaxed *o, const wrun_val *args, uint8_t out[16]) {
  int8_t a[16], b[16];
  memcpy(a, args[0].of.v128, 16);
  memcpy(b, args[1].of.v128, 16);
  int16_t sums[8];
  for (int i = 0; i < 8; i++)
    sums[i] = (int16_t)(uint16_t)(a[2 * i] * b[2 * i] +
                                  a[2 * i + 1] * b[2 * i + 1]);
  if (o->code == 0x112) {
    memcpy(out, sums, 16);
    return;
  }
  int32_t c[4];
  memcpy(c, args[2].of.v128, 16);
  for (int i = 0; i < 4; i++)
    c[i] = (int32_t)((uint32_t)c[i] +
                     (uint32_t)(sums[2 * i] + sums[2 * i + 1]));
  memcpy(out, c, 16);
}

Test(relaxed, dot_products_are_signed_and_the_same_in_both_modes) {
  mode modes[2];
  open_mode(&modes[0], false);
  open_mode(&modes[1], true);
  bool wrapped = false;
  for (unsigned k = 0; k < NOPS; k++) {
    const relaxed *o = &ops[k];
    if (o->code != 0x112 && o->code != 0x113) continue;
    for (unsigned n = 0; n <= NINPUTS; n++) {
      wrun_val args[3];
      args_for(n % NINPUTS, o->arity, args);
      if (n == NINPUTS) /* all -128 but lane 15 of b */
        for (int i = 0; i < 16; i++) {
          args[0].of.v128[i] = 0x80;
          args[1].of.v128[i] = i == 15 ? 0x7F : 0x80;
        }
      uint8_t want[16];
      dot_ref(o, args, want);
      /* inputs with -128 * -128 twice: the i16 sum wraps */
      wrapped |= o->code == 0x112 && memcmp(want, "\0\x80", 2) == 0;
      for (int d = 0; d < 2; d++)
        cr_expect(memcmp(call(&modes[d], 'r', k, args).of.v128, want, 16) == 0,
                  "%s, input %u, %s mode", o->name, n,
                  d ? "deterministic" : "default");
    }
  }
  cr_expect(wrapped, "no input made an i16 sum wrap");
  close_mode(&modes[0]);
  close_mode(&modes[1]);
}

#if defined(__x86_64__)
/* The same results whether or not the CPU can fuse. */
Test(relaxed, deterministic_mode_does_not_depend_on_fma) {
  unsigned saved = x64_cpu_vector_features();
  x64_set_cpu_vector_features(saved & ~(unsigned)X64_VEC_FMA);
  check_deterministic();
  x64_set_cpu_vector_features(saved | X64_VEC_FMA);
  if (saved & X64_VEC_FMA) check_deterministic();
  x64_set_cpu_vector_features(saved);
}

/* Natively madd follows the FMA bit: one rounding with it, two without.
 * Lane 0 of f32 (1 + 2^-12)^2 - (1 + 2^-11) is 2^-24 fused and 0
 * otherwise; f64 (1 + 2^-27)^2 - (1 + 2^-26) is 2^-54 or 0. */
static void check_native_madd(bool fused) {
  mode native;
  open_mode(&native, false);
  float a = 1.0f + 0x1p-12f, c = -(1.0f + 0x1p-11f);
  double x = 1.0 + 0x1p-27, z = -(1.0 + 0x1p-26);
  for (unsigned k = 0; k < NOPS; k++) {
    const relaxed *o = &ops[k];
    if (!is_madd(o)) continue;
    bool neg = o->code == 0x106 || o->code == 0x108;
    wrun_val args[3] = {{.type = WRUN_V128}, {.type = WRUN_V128},
                        {.type = WRUN_V128}};
    if (o->code <= 0x106) {
      float va[4] = {a, a, 2, 0}, vc[4] = {neg ? -c : c, 0, 1, 0};
      memcpy(args[0].of.v128, va, 16);
      memcpy(args[1].of.v128, va, 16);
      memcpy(args[2].of.v128, vc, 16);
      float r[4];
      memcpy(r, call(&native, 'r', k, args).of.v128, 16);
      float want = fused ? (neg ? -0x1p-24f : 0x1p-24f) : 0.0f;
      cr_expect(r[0] == want, "%s: %a, want %a", o->name, (double)r[0],
                (double)want);
      cr_expect(r[2] == (neg ? -3.0f : 5.0f), "%s: lane 2 %a", o->name,
                (double)r[2]);
    } else {
      double va[2] = {x, 3}, vc[2] = {neg ? -z : z, 1};
      memcpy(args[0].of.v128, va, 16);
      memcpy(args[1].of.v128, va, 16);
      memcpy(args[2].of.v128, vc, 16);
      double r[2];
      memcpy(r, call(&native, 'r', k, args).of.v128, 16);
      double want = fused ? (neg ? -0x1p-54 : 0x1p-54) : 0.0;
      cr_expect(r[0] == want, "%s: %a, want %a", o->name, r[0], want);
      cr_expect(r[1] == (neg ? -8.0 : 10.0), "%s: lane 1 %a", o->name, r[1]);
    }
  }
  close_mode(&native);
}

Test(relaxed, native_madd_is_unfused_without_fma) {
  unsigned saved = x64_cpu_vector_features();
  x64_set_cpu_vector_features(saved & ~(unsigned)X64_VEC_FMA);
  check_native_madd(false);
  x64_set_cpu_vector_features(saved);
}

Test(relaxed, native_madd_is_fused_with_fma) {
  unsigned saved = x64_cpu_vector_features();
  if (!(saved & X64_VEC_FMA)) {
    cr_skip_test("this CPU has no usable FMA");
    return;
  }
  check_native_madd(true);
}

/* WRUN_X64_NO_FMA=1 clears the bit when the features are first detected
 * (x64_cpu_vector_features caches them, so a fresh process checks it). */
Test(relaxed, no_fma_environment_variable) {
  setenv("WRUN_X64_NO_FMA", "1", 1);
  x64_reset_cpu_vector_features();
  cr_expect_eq(x64_cpu_vector_features() & X64_VEC_FMA, 0u);
  setenv("WRUN_X64_NO_FMA", "0", 1);
  x64_reset_cpu_vector_features();
  unsigned with_env_0 = x64_cpu_vector_features();
  unsetenv("WRUN_X64_NO_FMA");
  x64_reset_cpu_vector_features();
  cr_expect_eq(with_env_0, x64_cpu_vector_features(),
               "WRUN_X64_NO_FMA=0 changed the features");
}
#endif
