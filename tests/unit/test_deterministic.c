/* Deterministic mode (wrun_config_deterministic): NaN results of float
 * and SIMD arithmetic become the canonical quiet NaN, everything else
 * keeps its bits, and the default mode keeps the hardware's NaNs.
 *
 * One module holds a function per operation, and a few per sequence (the
 * canonicalisation is deferred across instructions, see jit/codegen_nan.c),
 * built here byte by byte. Scalars travel as integer bits (reinterpreted
 * inside the function) so that nothing on the way can touch a NaN's
 * payload; v128 values travel as v128. The fixture compiles the module
 * twice, in the default and in the deterministic mode, and the tests
 * compare. The AArch64 encodings are checked as words at the end. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "masm.h"
#include "wrun.h"

#define CANON32 0x7fc00000u
#define CANON64 0x7ff8000000000000ull
/* Negative quiet NaNs with payloads: both ISAs pass such an operand's bits
 * through arithmetic, so natively the result is far from canonical. */
#define NAN32 0xffc01234u
#define NAN64 0xfff8000012345678ull
#define ONE32 0x3f800000u
#define ONE64 0x3ff0000000000000ull

/* ------------------------------------------------------------------------- */

typedef struct buf {
  uint8_t bytes[8192];
  size_t len;
} buf;

static void put(buf *b, const void *p, size_t n) {
  cr_assert(b->len + n <= sizeof b->bytes, "test module too large");
  memcpy(b->bytes + b->len, p, n);
  b->len += n;
}
static void put8(buf *b, uint8_t v) { put(b, &v, 1); }
static void put_uleb(buf *b, uint32_t v) {
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    put8(b, byte | (v ? 0x80 : 0));
  } while (v);
}
static void put_section(buf *b, uint8_t id, const buf *content) {
  put8(b, id);
  put_uleb(b, (uint32_t)content->len);
  put(b, content->bytes, content->len);
}

enum { I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b };

/* The body shapes: how the operands get from the parameters to the op. */
typedef enum shape {
  F32_BIN, F32_UN, F64_BIN, F64_UN, DEMOTE, PROMOTE, V_BIN, V_UN,
  F32_PASS, F32_SELECT,
} shape;

typedef struct op {
  const char *name;
  shape shape;
  uint16_t code; /* the opcode byte, or the 0xFD sub-opcode for V_* */
  bool makes_nan; /* canonicalised in deterministic mode */
  /* Sequences: the whole body (without the final end) instead of one op
   * on the parameters; shape gives the type only. */
  const char *body;
  size_t body_len;
} op;

#define ONE(name, shape, code, makes_nan) \
  {name, shape, code, makes_nan, NULL, 0}
#define SEQ(name, shape, bytes) \
  {name, shape, 0, true, bytes, sizeof bytes - 1}
/* x = param 0 as f32 */
#define X32 "\x20\x00\xbe"
#define V0 "\x20\x00"
#define ZERO_V128 "\xfd\x0c" "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
/* i32.const 0; f32.load: 0.0 from the zeroed memory */
#define LOAD1 "\x41\x00\x2a\x02\x00"
#define LOADS2 LOAD1 LOAD1
#define LOADS4 LOADS2 LOADS2
#define LOADS8 LOADS4 LOADS4
#define LOADS16 LOADS8 LOADS8
#define ADDS2 "\x92\x92"
#define ADDS4 ADDS2 ADDS2
#define ADDS8 ADDS4 ADDS4
#define ADDS16 ADDS8 ADDS8

static const op ops[] = {
    ONE("f32.add", F32_BIN, 0x92, true),    ONE("f32.sub", F32_BIN, 0x93, true),
    ONE("f32.mul", F32_BIN, 0x94, true),    ONE("f32.div", F32_BIN, 0x95, true),
    ONE("f32.min", F32_BIN, 0x96, true),    ONE("f32.max", F32_BIN, 0x97, true),
    ONE("f32.ceil", F32_UN, 0x8d, true),
    ONE("f32.floor", F32_UN, 0x8e, true),
    ONE("f32.trunc", F32_UN, 0x8f, true),
    ONE("f32.nearest", F32_UN, 0x90, true),
    ONE("f32.sqrt", F32_UN, 0x91, true),
    ONE("f64.add", F64_BIN, 0xa0, true),    ONE("f64.sub", F64_BIN, 0xa1, true),
    ONE("f64.mul", F64_BIN, 0xa2, true),    ONE("f64.div", F64_BIN, 0xa3, true),
    ONE("f64.min", F64_BIN, 0xa4, true),    ONE("f64.max", F64_BIN, 0xa5, true),
    ONE("f64.ceil", F64_UN, 0x9b, true),
    ONE("f64.floor", F64_UN, 0x9c, true),
    ONE("f64.trunc", F64_UN, 0x9d, true),
    ONE("f64.nearest", F64_UN, 0x9e, true),
    ONE("f64.sqrt", F64_UN, 0x9f, true),
    ONE("f32.demote_f64", DEMOTE, 0xb6, true),
    ONE("f64.promote_f32", PROMOTE, 0xbb, true),
    ONE("f32x4.add", V_BIN, 228, true),     ONE("f32x4.sub", V_BIN, 229, true),
    ONE("f32x4.mul", V_BIN, 230, true),     ONE("f32x4.div", V_BIN, 231, true),
    ONE("f32x4.min", V_BIN, 232, true),     ONE("f32x4.max", V_BIN, 233, true),
    ONE("f32x4.ceil", V_UN, 103, true),     ONE("f32x4.floor", V_UN, 104, true),
    ONE("f32x4.trunc", V_UN, 105, true),
    ONE("f32x4.nearest", V_UN, 106, true),
    ONE("f32x4.sqrt", V_UN, 227, true),
    ONE("f64x2.add", V_BIN, 240, true),     ONE("f64x2.sub", V_BIN, 241, true),
    ONE("f64x2.mul", V_BIN, 242, true),     ONE("f64x2.div", V_BIN, 243, true),
    ONE("f64x2.min", V_BIN, 244, true),     ONE("f64x2.max", V_BIN, 245, true),
    ONE("f64x2.ceil", V_UN, 116, true),     ONE("f64x2.floor", V_UN, 117, true),
    ONE("f64x2.trunc", V_UN, 122, true),
    ONE("f64x2.nearest", V_UN, 148, true),
    ONE("f64x2.sqrt", V_UN, 239, true),
    ONE("f32x4.demote_f64x2_zero", V_UN, 94, true),
    ONE("f64x2.promote_low_f32x4", V_UN, 95, true),
    /* defined bit-exactly: never canonicalised */
    ONE("f32.abs", F32_UN, 0x8b, false),    ONE("f32.neg", F32_UN, 0x8c, false),
    ONE("f32.copysign", F32_BIN, 0x98, false),
    ONE("f64.abs", F64_UN, 0x99, false),    ONE("f64.neg", F64_UN, 0x9a, false),
    ONE("f64.copysign", F64_BIN, 0xa6, false),
    ONE("f32x4.abs", V_UN, 224, false),     ONE("f32x4.neg", V_UN, 225, false),
    ONE("f32x4.pmin", V_BIN, 234, false),
    ONE("f32x4.pmax", V_BIN, 235, false),
    ONE("f64x2.abs", V_UN, 236, false),     ONE("f64x2.neg", V_UN, 237, false),
    ONE("f64x2.pmin", V_BIN, 246, false),
    ONE("f64x2.pmax", V_BIN, 247, false),
    ONE("f32.pass", F32_PASS, 0, false),
    ONE("f32.select", F32_SELECT, 0, false),
    /* a NaN result consumed by the next instruction (codegen_nan.c defers
     * its canonicalisation by one instruction) */
    SEQ("x*x then abs", F32_UN, X32 X32 "\x94\x8b\xbc"),
    SEQ("sqrt x then neg", F32_UN, X32 "\x91\x8c\xbc"),
    SEQ("x*x + x", F32_UN, X32 X32 "\x94" X32 "\x92\xbc"),
    SEQ("x*x < x", F32_UN, X32 X32 "\x94" X32 "\x5d"),
    SEQ("f32x4 x*x then f64x2 +0", V_UN,
        ZERO_V128 V0 V0 "\xfd\xe6\x01" "\xfd\xf0\x01"),
    /* ... or after instructions that only push (f32 parameter x) */
    SEQ("x*x; x; add", F32_PASS, V0 V0 "\x94" V0 "\x92"),
    SEQ("x*x; x; sqrt; copysign", F32_PASS, V0 V0 "\x94" V0 "\x91\x98"),
    SEQ("x*x; 1.0; copysign", F32_PASS,
        V0 V0 "\x94" "\x43\x00\x00\x80\x3f" "\x98"),
    /* 31 loads of 0.0 spill the pending x*x (more values than float
     * registers on either ISA), 30 adds sum them, copysign reads x*x */
    SEQ("x*x; 31 loads; 30 adds; copysign", F32_PASS,
        V0 V0 "\x94" LOADS16 LOADS8 LOADS4 LOADS2 LOAD1 ADDS16 ADDS8 ADDS4
        ADDS2 "\x98"),
};
#define NOPS (sizeof ops / sizeof *ops)

static void put_type(buf *b, shape s) {
  static const struct { uint8_t params[3], nparams, result; } types[] = {
      [F32_BIN] = {{I32, I32}, 2, I32}, [F32_UN] = {{I32}, 1, I32},
      [F64_BIN] = {{I64, I64}, 2, I64}, [F64_UN] = {{I64}, 1, I64},
      [DEMOTE] = {{I64}, 1, I32},       [PROMOTE] = {{I32}, 1, I64},
      [V_BIN] = {{V128, V128}, 2, V128}, [V_UN] = {{V128}, 1, V128},
      [F32_PASS] = {{F32}, 1, F32},
      [F32_SELECT] = {{F32, F32, I32}, 3, F32},
  };
  put8(b, 0x60);
  put_uleb(b, types[s].nparams);
  put(b, types[s].params, types[s].nparams);
  put_uleb(b, 1);
  put8(b, types[s].result);
}

/* local.get i, reinterpreted to a float when `to` is 0xbe/0xbf. */
static void get_param(buf *b, uint8_t i, uint8_t to) {
  put8(b, 0x20);
  put8(b, i);
  if (to) put8(b, to);
}

static void put_body(buf *b, const op *o) {
  buf code = {.len = 0};
  put8(&code, 0); /* no locals */
  if (o->body) {
    put(&code, o->body, o->body_len);
    put8(&code, 0x0b);
    put_uleb(b, (uint32_t)code.len);
    put(b, code.bytes, code.len);
    return;
  }
  switch (o->shape) {
  case F32_BIN: get_param(&code, 0, 0xbe); get_param(&code, 1, 0xbe); break;
  case F32_UN: case PROMOTE: get_param(&code, 0, 0xbe); break;
  case F64_BIN: get_param(&code, 0, 0xbf); get_param(&code, 1, 0xbf); break;
  case F64_UN: case DEMOTE: get_param(&code, 0, 0xbf); break;
  case V_BIN: get_param(&code, 0, 0); get_param(&code, 1, 0); break;
  case V_UN: case F32_PASS: get_param(&code, 0, 0); break;
  case F32_SELECT:
    get_param(&code, 0, 0);
    get_param(&code, 1, 0);
    get_param(&code, 2, 0);
    put8(&code, 0x1b);
    break;
  }
  if (o->shape == V_BIN || o->shape == V_UN) {
    put8(&code, 0xfd);
    put_uleb(&code, o->code);
  } else if (o->code) {
    put8(&code, (uint8_t)o->code);
  }
  switch (o->shape) { /* back to integer bits */
  case F32_BIN: case F32_UN: case DEMOTE: put8(&code, 0xbc); break;
  case F64_BIN: case F64_UN: case PROMOTE: put8(&code, 0xbd); break;
  default: break;
  }
  put8(&code, 0x0b);
  put_uleb(b, (uint32_t)code.len);
  put(b, code.bytes, code.len);
}

/* Every op of the table, or only those never canonicalised. */
static buf *build_module(bool bit_ops_only) {
  static buf mod;
  uint32_t n = 0;
  for (uint32_t i = 0; i < NOPS; i++) n += !bit_ops_only || !ops[i].makes_nan;
  /* (sequences have makes_nan set: they contain NaN-producing ops) */
  buf types = {.len = 0}, funcs = {.len = 0}, exports = {.len = 0},
      codes = {.len = 0};
  put_uleb(&types, n);
  put_uleb(&funcs, n);
  put_uleb(&exports, n);
  put_uleb(&codes, n);
  for (uint32_t i = 0, f = 0; i < NOPS; i++) {
    if (bit_ops_only && ops[i].makes_nan) continue;
    put_type(&types, ops[i].shape);
    put_uleb(&funcs, f);
    put_uleb(&exports, (uint32_t)strlen(ops[i].name));
    put(&exports, ops[i].name, strlen(ops[i].name));
    put8(&exports, 0x00);
    put_uleb(&exports, f);
    put_body(&codes, &ops[i]);
    f++;
  }
  mod.len = 0;
  put(&mod, "\0asm\1\0\0\0", 8);
  put_section(&mod, 1, &types);
  put_section(&mod, 3, &funcs);
  buf memory = {.len = 0};
  put(&memory, "\1\0\1", 3); /* one memory of 1 page, for loads */
  put_section(&mod, 5, &memory);
  put_section(&mod, 7, &exports);
  put_section(&mod, 10, &codes);
  return &mod;
}

/* ------------------------------------------------------------------------- */

typedef struct mode {
  wrun_engine *engine;
  wrun_store *store;
  wrun_module *module;
  wrun_instance *inst;
} mode;

static mode native, determ;

static wrun_engine *engine_in_mode(bool deterministic) {
  wrun_config *config = wrun_config_new();
  cr_assert_not_null(config);
  wrun_config_deterministic(config, deterministic);
  wrun_engine *e = wrun_engine_new_with_config(config);
  wrun_config_delete(config);
  cr_assert_not_null(e);
  return e;
}

static void open_mode(mode *md, bool deterministic) {
  const buf *b = build_module(false);
  md->engine = engine_in_mode(deterministic);
  md->store = wrun_store_new(md->engine);
  wrun_error *err = wrun_module_new(md->engine, b->bytes, b->len, &md->module);
  cr_assert_null(err, "module: %s", err ? wrun_error_message(err) : "");
  wrun_trap *trap = NULL;
  wrun_instance_new(md->store, md->module, NULL, 0, &md->inst, &err, &trap);
  cr_assert_null(err, "instance: %s", err ? wrun_error_message(err) : "");
  cr_assert_null(trap);
}

static void close_mode(mode *md) {
  wrun_store_delete(md->store);
  wrun_module_delete(md->module);
  wrun_engine_delete(md->engine);
}

static void setup(void) {
  open_mode(&native, false);
  open_mode(&determ, true);
}

static void teardown(void) {
  close_mode(&native);
  close_mode(&determ);
}

TestSuite(deterministic, .init = setup, .fini = teardown);

/* Calls op `name` of md with up to 3 arguments of the function's types. */
static wrun_val call(const mode *md, const char *name, const wrun_val *args,
                     size_t nargs) {
  wrun_extern ext;
  cr_assert(wrun_instance_export(md->inst, name, &ext), "no export %s", name);
  wrun_val result;
  memset(&result, 0, sizeof result);
  wrun_trap *trap = wrun_func_call(md->store, ext.of.func, args, nargs,
                                   &result, 1);
  cr_assert_null(trap, "%s trapped: %s", name,
                 trap ? wrun_trap_message(trap) : "");
  return result;
}

static wrun_val val_i32(uint32_t bits) {
  wrun_val v = {.type = WRUN_I32, .of.i32 = (int32_t)bits};
  return v;
}
static wrun_val val_i64(uint64_t bits) {
  wrun_val v = {.type = WRUN_I64, .of.i64 = (int64_t)bits};
  return v;
}
static wrun_val val_f32(uint32_t bits) {
  wrun_val v = {.type = WRUN_F32, .of.f32_bits = bits};
  return v;
}
static wrun_val v32x4(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
  wrun_val v = {.type = WRUN_V128};
  uint32_t lanes[4] = {a, b, c, d};
  memcpy(v.of.v128, lanes, 16);
  return v;
}
static wrun_val v64x2(uint64_t a, uint64_t b) {
  wrun_val v = {.type = WRUN_V128};
  uint64_t lanes[2] = {a, b};
  memcpy(v.of.v128, lanes, 16);
  return v;
}
static uint32_t lane32(wrun_val v, int i) {
  uint32_t x;
  memcpy(&x, v.of.v128 + 4 * i, 4);
  return x;
}
static uint64_t lane64(wrun_val v, int i) {
  uint64_t x;
  memcpy(&x, v.of.v128 + 8 * i, 8);
  return x;
}

static bool is_nan32(uint32_t x) {
  return (x & 0x7f800000u) == 0x7f800000u && (x & 0x007fffffu);
}
static bool is_nan64(uint64_t x) {
  return (x & 0x7ff0000000000000ull) == 0x7ff0000000000000ull &&
         (x & 0x000fffffffffffffull);
}

/* ------------------------------------------------------------------------- */

/* The scalar result bits of op o in mode md on NaN operands (one for a
 * unary op; for a binary one the NaN first, then second). */
static uint64_t scalar_on_nan(const mode *md, const op *o, bool nan_first) {
  wrun_val a[2];
  switch (o->shape) {
  case F32_BIN:
    a[0] = val_i32(nan_first ? NAN32 : ONE32);
    a[1] = val_i32(nan_first ? ONE32 : NAN32);
    return (uint32_t)call(md, o->name, a, 2).of.i32;
  case F32_UN: case PROMOTE:
    a[0] = val_i32(NAN32);
    return o->shape == PROMOTE ? (uint64_t)call(md, o->name, a, 1).of.i64
                               : (uint32_t)call(md, o->name, a, 1).of.i32;
  case F64_BIN:
    a[0] = val_i64(nan_first ? NAN64 : ONE64);
    a[1] = val_i64(nan_first ? ONE64 : NAN64);
    return (uint64_t)call(md, o->name, a, 2).of.i64;
  default: /* F64_UN, DEMOTE */
    a[0] = val_i64(NAN64);
    return o->shape == DEMOTE ? (uint32_t)call(md, o->name, a, 1).of.i32
                              : (uint64_t)call(md, o->name, a, 1).of.i64;
  }
}

static bool result_is_f64(shape s) {
  return s == F64_BIN || s == F64_UN || s == PROMOTE;
}

Test(deterministic, scalar_nan_results_are_canonical_only_in_that_mode) {
  int checked = 0;
  for (size_t i = 0; i < NOPS; i++) {
    const op *o = &ops[i];
    if (!o->makes_nan || o->body || o->shape == V_BIN || o->shape == V_UN)
      continue;
    bool f64 = result_is_f64(o->shape);
    for (int first = 1; first >= 0; first--) {
      if (!first && o->shape != F32_BIN && o->shape != F64_BIN) continue;
      uint64_t d = scalar_on_nan(&determ, o, first);
      uint64_t n = scalar_on_nan(&native, o, first);
      cr_expect_eq(d, f64 ? CANON64 : CANON32,
                   "%s (NaN operand %s): deterministic gave %#llx", o->name,
                   first ? "first" : "second", (unsigned long long)d);
      /* the hardware keeps the operand's sign: a negative NaN */
      bool neg_nan = f64 ? is_nan64(n) && (n >> 63) : is_nan32((uint32_t)n) &&
                                                          (n >> 31);
      cr_expect(neg_nan, "%s: native gave %#llx, not the operand's NaN",
                o->name, (unsigned long long)n);
      checked++;
    }
  }
  cr_assert_eq(checked, 24 + 12, "every scalar NaN op checked");
}

/* Invalid operations create a NaN: x86-64 makes it negative. */
Test(deterministic, invalid_operations_give_the_canonical_nan) {
  wrun_val zero_zero[2] = {val_i32(0), val_i32(0)};
  wrun_val inf_inf[2] = {val_i32(0x7f800000u), val_i32(0x7f800000u)};
  wrun_val minus_one = val_i64(0xbff0000000000000ull);
  cr_expect_eq((uint32_t)call(&determ, "f32.div", zero_zero, 2).of.i32,
               CANON32);
  cr_expect_eq((uint32_t)call(&determ, "f32.sub", inf_inf, 2).of.i32,
               CANON32);
  cr_expect_eq((uint64_t)call(&determ, "f64.sqrt", &minus_one, 1).of.i64,
               CANON64);
#if defined(__x86_64__)
  uint32_t native_default = 0xffc00000u;
  uint64_t native_default64 = 0xfff8000000000000ull;
#else
  uint32_t native_default = CANON32;
  uint64_t native_default64 = CANON64;
#endif
  cr_expect_eq((uint32_t)call(&native, "f32.div", zero_zero, 2).of.i32,
               native_default);
  cr_expect_eq((uint32_t)call(&native, "f32.sub", inf_inf, 2).of.i32,
               native_default);
  cr_expect_eq((uint64_t)call(&native, "f64.sqrt", &minus_one, 1).of.i64,
               native_default64);
}

Test(deterministic, non_nan_scalar_results_are_unchanged) {
  /* 1.5 + 2.25 = 3.75; 1/0 = inf; min(-0, +0) = -0; sqrt(4) = 2 */
  wrun_val add[2] = {val_i32(0x3fc00000u), val_i32(0x40100000u)};
  wrun_val div[2] = {val_i32(ONE32), val_i32(0)};
  wrun_val min[2] = {val_i32(0x80000000u), val_i32(0)};
  wrun_val four = val_i64(0x4010000000000000ull);
  wrun_val big = val_i64(0x47efffffe0000000ull); /* FLT_MAX as f64 */
  for (int k = 0; k < 2; k++) {
    const mode *md = k ? &determ : &native;
    cr_expect_eq((uint32_t)call(md, "f32.add", add, 2).of.i32, 0x40700000u);
    cr_expect_eq((uint32_t)call(md, "f32.div", div, 2).of.i32, 0x7f800000u);
    cr_expect_eq((uint32_t)call(md, "f32.min", min, 2).of.i32, 0x80000000u);
    cr_expect_eq((uint64_t)call(md, "f64.sqrt", &four, 1).of.i64,
                 0x4000000000000000ull);
    cr_expect_eq((uint32_t)call(md, "f32.demote_f64", &big, 1).of.i32,
                 0x7f7fffffu);
  }
}

Test(deterministic, bit_pattern_ops_keep_nan_payloads) {
  wrun_val nan = val_i32(NAN32), nan64 = val_i64(NAN64);
  wrun_val cs[2] = {val_i32(0x7fc01234u), val_i32(0xbf800000u)};
  wrun_val cs64[2] = {val_i64(NAN64), val_i64(ONE64)};
  cr_expect_eq((uint32_t)call(&determ, "f32.abs", &nan, 1).of.i32,
               0x7fc01234u);
  cr_expect_eq((uint32_t)call(&determ, "f32.neg", &nan, 1).of.i32,
               0x7fc01234u);
  cr_expect_eq((uint32_t)call(&determ, "f32.copysign", cs, 2).of.i32,
               NAN32);
  cr_expect_eq((uint64_t)call(&determ, "f64.abs", &nan64, 1).of.i64,
               NAN64 & ~(1ull << 63));
  cr_expect_eq((uint64_t)call(&determ, "f64.neg", &nan64, 1).of.i64,
               NAN64 & ~(1ull << 63));
  cr_expect_eq((uint64_t)call(&determ, "f64.copysign", cs64, 2).of.i64,
               NAN64 & ~(1ull << 63));
  /* f32 values moved through params, results and select, never touched */
  wrun_val pass = val_f32(0x7fa00001u); /* a signalling NaN */
  cr_expect_eq(call(&determ, "f32.pass", &pass, 1).of.f32_bits, 0x7fa00001u);
  wrun_val sel[3] = {val_f32(0x7fa00001u), val_f32(NAN32), val_i32(0)};
  cr_expect_eq(call(&determ, "f32.select", sel, 3).of.f32_bits, NAN32);
}

/* ------------------------------------------------------------------------- */

static bool lanes_are_f64(const op *o) {
  return strncmp(o->name, "f64x2", 5) == 0;
}

/* Operands with NaN lanes and ordinary ones: lane 0 NaN in a, lane 1 NaN
 * in b, the others numbers (2.5 and 0.5, -0 and inf for f32x4). */
static void simd_operands(const op *o, wrun_val *a, wrun_val *b) {
  bool f64in = lanes_are_f64(o) || o->code == 94; /* demote reads f64x2 */
  bool f32in = o->code == 95;                      /* promote reads f32x4 */
  if (f64in && !f32in) {
    *a = v64x2(NAN64, 0x4004000000000000ull);
    *b = v64x2(0x3fe0000000000000ull, NAN64 ^ 0x10);
  } else {
    *a = v32x4(NAN32, 0x40200000u, 0x80000000u, 0x7f800000u);
    *b = v32x4(0x3f000000u, NAN32 ^ 0x10, 0x3f000000u, ONE32);
  }
}

Test(deterministic, simd_nan_lanes_are_canonical_and_other_lanes_unchanged) {
  int checked = 0;
  for (size_t i = 0; i < NOPS; i++) {
    const op *o = &ops[i];
    if (!o->makes_nan || o->body || (o->shape != V_BIN && o->shape != V_UN))
      continue;
    wrun_val args[2];
    simd_operands(o, &args[0], &args[1]);
    size_t nargs = o->shape == V_BIN ? 2 : 1;
    wrun_val d = call(&determ, o->name, args, nargs);
    wrun_val n = call(&native, o->name, args, nargs);
    bool f64 = lanes_are_f64(o);
    int lanes = f64 ? 2 : 4;
    int nan_lanes = 0;
    for (int l = 0; l < lanes; l++) {
      uint64_t dl = f64 ? lane64(d, l) : lane32(d, l);
      uint64_t nl = f64 ? lane64(n, l) : lane32(n, l);
      bool nan = f64 ? is_nan64(nl) : is_nan32((uint32_t)nl);
      if (nan) {
        nan_lanes++;
        cr_expect_eq(dl, f64 ? CANON64 : CANON32,
                     "%s lane %d: deterministic %#llx", o->name, l,
                     (unsigned long long)dl);
        cr_expect(f64 ? (nl >> 63) : (nl >> 31),
                  "%s lane %d: native %#llx is not the operand's NaN",
                  o->name, l, (unsigned long long)nl);
      } else {
        cr_expect_eq(dl, nl, "%s lane %d: %#llx, natively %#llx", o->name,
                     l, (unsigned long long)dl, (unsigned long long)nl);
      }
    }
    /* every op sees a NaN in lane 0 (lane 1 too for binary ones) */
    cr_expect_geq(nan_lanes, 1, "%s: no NaN lane", o->name);
    checked++;
  }
  cr_assert_eq(checked, 24, "every SIMD NaN op checked");
}

Test(deterministic, simd_invalid_operation_lanes) {
  wrun_val z = v32x4(0, ONE32, 0, 0xbf800000u);
  wrun_val zz[2] = {z, v32x4(0, ONE32, ONE32, ONE32)};
  wrun_val d = call(&determ, "f32x4.div", zz, 2);
  cr_expect_eq(lane32(d, 0), CANON32); /* 0/0 */
  cr_expect_eq(lane32(d, 1), ONE32);
  cr_expect_eq(lane32(d, 2), 0u);
  cr_expect_eq(lane32(d, 3), 0xbf800000u);
  wrun_val sq = call(&determ, "f32x4.sqrt", &z, 1);
  cr_expect_eq(lane32(sq, 3), CANON32); /* sqrt(-1) */
}

Test(deterministic, simd_bit_pattern_ops_keep_payloads) {
  wrun_val a = v32x4(NAN32, ONE32, 0x7fa00001u, 0);
  wrun_val ab[2] = {a, v32x4(ONE32, NAN32, ONE32, 0x7fc00042u)};
  cr_expect_eq(lane32(call(&determ, "f32x4.abs", &a, 1), 0), 0x7fc01234u);
  cr_expect_eq(lane32(call(&determ, "f32x4.neg", &a, 1), 2), 0xffa00001u);
  /* pmin/pmax select an operand: b < a ? b : a, a < b ? b : a */
  wrun_val pmin = call(&determ, "f32x4.pmin", ab, 2);
  wrun_val pmax = call(&determ, "f32x4.pmax", ab, 2);
  cr_expect_eq(lane32(pmin, 0), NAN32);
  cr_expect_eq(lane32(pmax, 0), NAN32);
  cr_expect_eq(lane32(pmin, 2), 0x7fa00001u);
  wrun_val a64 = v64x2(NAN64, ONE64);
  cr_expect_eq(lane64(call(&determ, "f64x2.neg", &a64, 1), 0),
               NAN64 & ~(1ull << 63));
  wrun_val ab64[2] = {a64, v64x2(ONE64, NAN64)};
  cr_expect_eq(lane64(call(&determ, "f64x2.pmax", ab64, 2), 0), NAN64);
}

/* ------------------------------------------------------------------------- */

Test(deterministic, modules_record_the_mode_they_were_compiled_in) {
  cr_expect_not(wrun_engine_deterministic(native.engine));
  cr_expect(wrun_engine_deterministic(determ.engine));
  cr_expect_not(wrun_module_deterministic(native.module));
  cr_expect(wrun_module_deterministic(determ.module));
  /* a default engine (no config) is not deterministic */
  wrun_engine *plain = wrun_engine_new();
  cr_expect_not(wrun_engine_deterministic(plain));
  const buf *b = build_module(false);
  wrun_module *again = NULL;
  wrun_error *err = wrun_module_new(plain, b->bytes, b->len, &again);
  cr_assert_null(err);
  cr_expect_not(wrun_module_deterministic(again));
  wrun_module_delete(again);
  wrun_engine_delete(plain);
}

Test(deterministic, modules_without_nan_producing_ops_get_the_same_code) {
  const buf *b = build_module(true);
  size_t size[2];
  for (int k = 0; k < 2; k++) {
    wrun_engine *e = engine_in_mode(k == 1);
    wrun_module *m = NULL;
    wrun_error *err = wrun_module_new(e, b->bytes, b->len, &m);
    cr_assert_null(err, "module: %s", err ? wrun_error_message(err) : "");
    size[k] = wrun_module_code_size(m);
    wrun_module_delete(m);
    wrun_engine_delete(e);
  }
  cr_expect_eq(size[0], size[1], "bit-pattern ops only: %zu vs %zu bytes",
               size[0], size[1]);
  /* and the NaN-producing ops do get extra code */
  cr_expect_gt(wrun_module_code_size(determ.module),
               wrun_module_code_size(native.module));
}

/* ------------------------------------------------------------------------- */

static uint32_t seq32(const mode *md, const char *name, uint32_t x) {
  wrun_val a = val_i32(x);
  return (uint32_t)call(md, name, &a, 1).of.i32;
}

Test(deterministic, a_bit_exact_op_after_a_nan_op_sees_the_canonical_nan) {
  cr_expect_eq(seq32(&determ, "x*x then abs", NAN32), CANON32);
  cr_expect_eq(seq32(&determ, "sqrt x then neg", NAN32), 0xffc00000u);
  cr_expect_eq(seq32(&determ, "sqrt x then neg", 0xbf800000u), 0xffc00000u);
  /* natively the operand's payload shows through */
  cr_expect_eq(seq32(&native, "x*x then abs", NAN32), NAN32 & 0x7fffffffu);
  cr_expect_eq(seq32(&native, "sqrt x then neg", NAN32), NAN32 ^ 0x80000000u);
  /* ordinary values are left alone */
  cr_expect_eq(seq32(&determ, "x*x then abs", 0xc0000000u), 0x40800000u);
  cr_expect_eq(seq32(&determ, "sqrt x then neg", 0x40800000u), 0xc0000000u);
}

Test(deterministic, nan_ops_and_compares_consuming_a_nan_result) {
  cr_expect_eq(seq32(&determ, "x*x + x", NAN32), CANON32);
  cr_expect_eq(seq32(&native, "x*x + x", NAN32), NAN32);
  cr_expect_eq(seq32(&determ, "x*x + x", 0x40000000u), 0x40c00000u); /* 6 */
  cr_expect_eq(seq32(&determ, "x*x < x", NAN32), 0u);
  cr_expect_eq(seq32(&determ, "x*x < x", 0x3f000000u), 1u); /* .25 < .5 */
}

/* f64x2 lanes over f32x4 NaN lanes: the f32x4 result must be canonical
 * before the f64x2 op reads its bits, for which it is no NaN at all. */
Test(deterministic, a_vector_reread_with_other_lanes_is_canonicalised_first) {
  wrun_val x = v32x4(ONE32, NAN32, ONE32, ONE32);
  wrun_val d = call(&determ, "f32x4 x*x then f64x2 +0", &x, 1);
  wrun_val n = call(&native, "f32x4 x*x then f64x2 +0", &x, 1);
  cr_expect_eq(lane64(d, 0), (uint64_t)CANON32 << 32 | ONE32);
  cr_expect_eq(lane64(n, 0), (uint64_t)NAN32 << 32 | ONE32);
  cr_expect_eq(lane64(d, 1), (uint64_t)ONE32 << 32 | ONE32);
}

static uint32_t seq_f32(const mode *md, const char *name, uint32_t x) {
  wrun_val a = val_f32(x);
  return call(md, name, &a, 1).of.f32_bits;
}

Test(deterministic, a_nan_result_waits_past_pushes_and_spills_canonical) {
  cr_expect_eq(seq_f32(&determ, "x*x; x; add", NAN32), CANON32);
  cr_expect_eq(seq_f32(&native, "x*x; x; add", NAN32), NAN32);
  cr_expect_eq(seq_f32(&determ, "x*x; x; add", 0x40000000u), 0x40c00000u);
  /* copysign(x*x, +) after a push: the canonical NaN, positive */
  cr_expect_eq(seq_f32(&determ, "x*x; 1.0; copysign", NAN32), CANON32);
  cr_expect_eq(seq_f32(&native, "x*x; 1.0; copysign", NAN32),
               NAN32 & 0x7fffffffu);
  /* sqrt takes only the top: x*x below must still be canonicalised */
  cr_expect_eq(seq_f32(&determ, "x*x; x; sqrt; copysign", NAN32), CANON32);
  cr_expect_eq(seq_f32(&native, "x*x; x; sqrt; copysign", NAN32), NAN32);
  const char *spilled = "x*x; 31 loads; 30 adds; copysign";
  cr_expect_eq(seq_f32(&determ, spilled, NAN32), CANON32);
  cr_expect_eq(seq_f32(&native, spilled, NAN32), NAN32 & 0x7fffffffu);
  cr_expect_eq(seq_f32(&determ, spilled, 0xc0400000u), 0x41100000u); /* 9 */
}

/* ---- the AArch64 encodings (checkable on any host) ---------------------- */

static void expect_words(const jit_masm *m, const uint32_t *want, size_t n) {
  cr_assert_eq(m->buf.size, 4 * n, "%zu bytes, expected %zu words",
               (size_t)m->buf.size, n);
  for (size_t i = 0; i < n; i++) {
    uint32_t w;
    memcpy(&w, m->buf.data + 4 * i, 4);
    cr_expect_eq(w, want[i], "word %zu: %08x, expected %08x", i, w, want[i]);
  }
}

/* The expected words come from aarch64-linux-gnu-as. */
Test(deterministic, aarch64_lowering_is_fcmp_fcsel_and_fcmeq_bif) {
  jit_masm m;
  jit_masm_init(&m);
  a64_masm_canon_nan(&m, JFS_F32, JIT_FPR_BASE + 0);
  static const uint32_t scalar[] = {
      0x52aff810, /* mov w16, #0x7fc00000 */
      0x1e27021f, /* fmov s31, w16 */
      0x1e202000, /* fcmp s0, s0 */
      0x1e206fe0, /* fcsel s0, s31, s0, vs */
  };
  expect_words(&m, scalar, 4);
  jit_masm_free(&m);
  jit_masm_init(&m);
  a64_masm_canon_nan(&m, JFS_F64X2, JIT_FPR_BASE + 1);
  static const uint32_t lanes[] = {
      0x4e61e43f, /* fcmeq v31.2d, v1.2d, v1.2d */
      0xd2efff10, /* mov x16, #0x7ff8000000000000 */
      0x4e080e1e, /* dup v30.2d, x16 */
      0x6eff1fc1, /* bif v1.16b, v30.16b, v31.16b */
  };
  expect_words(&m, lanes, 4);
  jit_masm_free(&m);
  jit_masm_init(&m);
  a64_masm_canon_nan(&m, JFS_F32X4, JIT_FPR_BASE + 2);
  cr_assert_eq(m.buf.size, 16u);
  uint32_t w[4];
  memcpy(w, m.buf.data, 16);
  cr_expect_eq(w[0], 0x4e22e45fu); /* fcmeq v31.4s, v2.4s, v2.4s */
  cr_expect_eq(w[2], 0x4e040e1eu); /* dup v30.4s, w16 */
  jit_masm_free(&m);
}
