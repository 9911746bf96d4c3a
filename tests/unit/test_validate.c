/* The opcode table, the body decoder and the function-body validator,
 * driven with hand-assembled bodies against a small hand-built module. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode.h"
#include "error.h"
#include "module.h"
#include "validate.h"

/* opcodes.c: (prefix, code) -> jit_op, OP_COUNT when there is none. */
jit_op jit_op_lookup(uint8_t prefix, uint32_t code);

/* ---- a small module ------------------------------------------------------
 * types: 0 [] -> []          1 [] -> [i32]
 *        2 [i32] -> [i32]    3 [i32 i32] -> [i32]
 * funcs: 0:type 0, 1:type 1, 2:type 2, 3:type 3; only func 1 is declared.
 * tables: 0 funcref, 1 externref. One memory. globals: 0 const i32,
 * 1 mut i64. elems: 0 funcref, 1 externref. One data segment, data count. */
static rt_valtype t0[] = {0}, t1[] = {VT_I32}, t2[] = {VT_I32, VT_I32},
                  t3[] = {VT_I32, VT_I32, VT_I32};
#define FT(np, nr, ts, i) \
  {.nparams = np, .nresults = nr, .types = ts, .id = i, .final = true}
static rt_functype types[] = {FT(0, 0, t0, 0), FT(0, 1, t1, 1),
                              FT(1, 1, t2, 2), FT(2, 1, t3, 3)};
static rt_func funcs[] = {{0, 0, 0}, {1, 0, 0}, {2, 0, 0}, {3, 0, 0}};
static bool declared[] = {false, true, false, false};
static rt_tabletype tables[] = {{VT_FUNCREF, {1, 0, false, false, false}},
                                {VT_EXTERNREF, {1, 0, false, false, false}}};
static rt_limits memories[] = {{1, 0, false, false, false}};
static rt_global globals[] = {{{VT_I32, false}, {0}}, {{VT_I64, true}, {0}}};
static rt_elem elems[] = {{.elem_type = VT_FUNCREF},
                          {.elem_type = VT_EXTERNREF}};
static rt_data datas[] = {{.mode = RT_SEG_PASSIVE}};

static rt_module full_module(void) {
  rt_module m = {0};
  m.ntypes = 4;
  m.types = types;
  m.nfuncs = 4;
  m.funcs = funcs;
  m.func_declared = declared;
  m.ntables = 2;
  m.tables = tables;
  m.nmemories = 1;
  m.memories = memories;
  m.nglobals = 2;
  m.globals = globals;
  m.nelems = 2;
  m.elems = elems;
  m.has_data_count = true;
  m.data_count = 1;
  m.ndatas = 1;
  m.datas = datas;
  return m;
}

/* The same types and functions, nothing else. */
static rt_module bare_module(void) {
  rt_module m = {0};
  m.ntypes = 4;
  m.types = types;
  m.nfuncs = 4;
  m.funcs = funcs;
  m.func_declared = declared;
  return m;
}

static char last_error[256];

/* Validates body (local declarations + code) as function f of m. Returns
 * NULL when valid, else the error message (kept in last_error). */
static const char *check_body(const rt_module *m, uint32_t f,
                              const uint8_t *body, size_t len) {
  jit_reader r;
  jit_reader_init(&r, body, 0, len);
  jit_validator *v = jit_validator_new();
  cr_assert_not_null(v);
  uint32_t nlocals;
  rt_valtype *local_types;
  wrun_error *e = jit_decode_locals(&r, &nlocals, &local_types);
  if (!e) e = jit_validator_begin(v, m, f, nlocals, local_types);
  free(local_types);
  while (!e && !jit_validator_done(v)) {
    if (r.pos >= r.end) {
      e = rt_error_new(jit_reader_offset(&r), "unexpected end");
      break;
    }
    jit_instr in;
    e = jit_decode_instr(&r, &in);
    if (!e) e = jit_validator_step(v, &in);
  }
  if (!e && r.pos != r.end)
    e = rt_error_new(jit_reader_offset(&r), "trailing bytes");
  jit_validator_free(v);
  jit_reader_free(&r);
  if (!e) return NULL;
  snprintf(last_error, sizeof last_error, "%s", wrun_error_message(e));
  wrun_error_delete(e);
  return last_error;
}

#define BODY(...) ((const uint8_t[]){__VA_ARGS__}), \
                  sizeof((const uint8_t[]){__VA_ARGS__})

#define VALID(m, f, ...)                                                  \
  do {                                                                    \
    rt_module mod_ = (m);                                                 \
    const char *err_ = check_body(&mod_, f, BODY(__VA_ARGS__));           \
    cr_expect_null(err_, "line %d: unexpected error '%s'", __LINE__,      \
                   err_ ? err_ : "");                                     \
  } while (0)

#define INVALID(m, f, msg, ...)                                           \
  do {                                                                    \
    rt_module mod_ = (m);                                                 \
    const char *err_ = check_body(&mod_, f, BODY(__VA_ARGS__));           \
    cr_expect_not_null(err_, "line %d: accepted, wanted '%s'", __LINE__,  \
                       msg);                                              \
    if (err_)                                                             \
      cr_expect(strncmp(err_, msg, strlen(msg)) == 0,                     \
                "line %d: got '%s', wanted '%s'", __LINE__, err_, msg);   \
  } while (0)

/* Decodes one instruction from bytes; returns the error message or NULL. */
static const char *decode_one(const uint8_t *bytes, size_t len,
                              jit_instr *out, size_t *consumed) {
  jit_reader r;
  jit_reader_init(&r, bytes, 0, len);
  wrun_error *e = jit_decode_instr(&r, out);
  if (consumed) *consumed = jit_reader_offset(&r);
  jit_reader_free(&r);
  if (!e) return NULL;
  snprintf(last_error, sizeof last_error, "%s", wrun_error_message(e));
  wrun_error_delete(e);
  return last_error;
}

#define DECODE_FAILS(msg, ...)                                            \
  do {                                                                    \
    jit_instr in_;                                                        \
    const char *err_ = decode_one(BODY(__VA_ARGS__), &in_, NULL);         \
    cr_expect_not_null(err_, "line %d: decoded, wanted '%s'", __LINE__,   \
                       msg);                                              \
    if (err_)                                                             \
      cr_expect_str_eq(err_, msg, "line %d", __LINE__);                   \
  } while (0)

/* ---- the opcode table ---------------------------------------------------- */

Test(opcodes, every_opcode_round_trips_through_lookup) {
  for (unsigned op = 0; op < OP_COUNT; op++) {
    const jit_opinfo *info = &jit_opinfo_table[op];
    cr_assert_not_null(info->text, "op %u has no entry", op);
    cr_expect_eq(jit_op_lookup(info->prefix, info->code), (jit_op)op,
                 "%s does not map back", info->text);
  }
}

Test(opcodes, table_has_every_wasm2_opcode) {
  /* 0x00..0xC4 and ref.* have 183 one-byte opcodes, 18 under 0xFC and 236
   * under 0xFD (the final SIMD numbering); Wasm 3.0 adds 8 one-byte
   * opcodes of exception handling (try_table, throw, throw_ref and the
   * legacy five) and relaxed SIMD's 20 (0xFD 0x100 to 0x113). */
  unsigned counts[5] = {0};
  for (unsigned op = 0; op < OP_COUNT; op++) {
    uint8_t p = jit_opinfo_table[op].prefix;
    counts[p == 0 ? 0 : p == 0xFC ? 1 : p == 0xFD ? 2 : p == 0xFB ? 3 : 4]++;
  }
  /* + exception handling's 8, return_call(_indirect), typed function
   * references' 5 (call_ref, return_call_ref, ref.as_non_null,
   * br_on_null, br_on_non_null) and GC's ref.eq */
  cr_expect_eq(counts[0], 183 + 8 + 2 + 5 + 1);
  cr_expect_eq(counts[1], 18);
  cr_expect_eq(counts[2], 236 + 20);
  /* GC under 0xFB: struct's 6, array's 14, ref.test/cast (4),
   * br_on_cast(_fail), the two conversions, i31's 3 */
  cr_expect_eq(counts[3], 6 + 14 + 4 + 2 + 2 + 3);
  cr_expect_eq(jit_op_lookup(0xFB, 0x1C), OP_REF_I31);
  /* threads: notify, wait32/64, fence, 7 loads, 7 stores, 7 widths of
   * each of the 7 read-modify-writes */
  cr_expect_eq(counts[4], 4 + 7 + 7 + 49);
  cr_expect_eq(jit_op_lookup(0xFE, 0x03), OP_ATOMIC_FENCE);
  cr_expect_eq(jit_op_lookup(0xFE, 0x4E), OP_I64_ATOMIC_RMW32_CMPXCHG_U);
  cr_expect_eq(jit_op_lookup(0xFE, 0x4F), OP_COUNT);
  cr_expect_eq(jit_op_lookup(0xFE, 0x04), OP_COUNT);
  cr_expect_eq(jit_op_lookup(0, 0x6A), OP_I32_ADD);
  cr_expect_eq(jit_op_lookup(0, 0x12), OP_RETURN_CALL);
  cr_expect_eq(jit_op_lookup(0, 0x13), OP_RETURN_CALL_INDIRECT);
  cr_expect_eq(jit_op_lookup(0xFC, 8), OP_MEMORY_INIT);
  cr_expect_eq(jit_op_lookup(0xFD, 13), OP_I8X16_SHUFFLE);
  cr_expect_eq(jit_op_lookup(0xFD, 0xFF), OP_F64X2_CONVERT_LOW_I32X4_U);
  /* relaxed SIMD, the codes past one byte of the reverse table */
  cr_expect_eq(jit_op_lookup(0xFD, 0x100), OP_I8X16_RELAXED_SWIZZLE);
  cr_expect_eq(jit_op_lookup(0xFD, 0x113),
               OP_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S);
  cr_expect_str_eq(jit_opinfo_table[OP_SELECT_T].text, "select");
}

Test(opcodes, gaps_are_unknown) {
  cr_expect_eq(jit_op_lookup(0, 0x06), OP_TRY);
  cr_expect_eq(jit_op_lookup(0, 0x1E), OP_COUNT);
  cr_expect_eq(jit_op_lookup(0, 0x27), OP_COUNT);
  cr_expect_eq(jit_op_lookup(0, 0xC5), OP_COUNT);
  cr_expect_eq(jit_op_lookup(0xFC, 18), OP_COUNT);
  cr_expect_eq(jit_op_lookup(0xFD, 154), OP_COUNT);
  cr_expect_eq(jit_op_lookup(0xFD, 0x114), OP_COUNT);
  cr_expect_eq(jit_op_lookup(0xFD, 511), OP_COUNT);
  cr_expect_eq(jit_op_lookup(0xFD, 512), OP_COUNT);
  cr_expect_eq(jit_op_lookup(0xFD, 0xFFFFFFFFu), OP_COUNT);
  cr_expect_eq(jit_op_lookup(0xFC, 0x100), OP_COUNT);
}

/* ---- decoding ------------------------------------------------------------ */

Test(decode, unknown_opcodes) {
  DECODE_FAILS("illegal opcode", 0x1E);
  DECODE_FAILS("illegal opcode", 0xFF);
  DECODE_FAILS("illegal opcode", 0xFC, 18);
  DECODE_FAILS("illegal opcode", 0xFD, 0x9A, 0x01); /* 154 */
  DECODE_FAILS("illegal opcode", 0xFD, 0x94, 0x02); /* 0x114 */
  DECODE_FAILS("illegal opcode", 0xFD, 0x80, 0x04); /* 512 */
  DECODE_FAILS("unexpected end", 0xFC);
}

Test(decode, integer_constants) {
  jit_instr in;
  size_t n;
  cr_assert_null(decode_one(BODY(0x41, 0x7F), &in, &n));
  cr_expect_eq(in.op, OP_I32_CONST);
  cr_expect_eq(in.u.i32, -1);
  cr_assert_null(decode_one(BODY(0x41, 0xFF, 0xFF, 0xFF, 0xFF, 0x07), &in, &n));
  cr_expect_eq(in.u.i32, INT32_MAX);
  cr_expect_eq(n, 6);
  cr_assert_null(decode_one(BODY(0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
                                 0x80, 0x80, 0x80, 0x7F), &in, &n));
  cr_expect_eq(in.u.i64, INT64_MIN);
  DECODE_FAILS("unexpected end", 0x41, 0x80);
  DECODE_FAILS("integer representation too long", 0x41, 0x80, 0x80, 0x80,
               0x80, 0x80, 0x00);
  DECODE_FAILS("integer too large", 0x41, 0x80, 0x80, 0x80, 0x80, 0x70);
  DECODE_FAILS("integer too large", 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
               0x80, 0x80, 0x80, 0x02);
  /* The last byte's unused bits before its continuation bit (the spec's
   * order). */
  DECODE_FAILS("integer too large", 0x41, 0x80, 0x80, 0x80, 0x80, 0xF0);
}

/* A LEB128 cut by the body's end is judged with the bytes after it, up to
 * the reader's limit (the module's end). */
static const char *decode_cut(const uint8_t *bytes, size_t end, size_t limit) {
  jit_reader r;
  jit_instr in;
  jit_reader_init(&r, bytes, 0, end);
  r.limit = bytes + limit;
  wrun_error *e = jit_decode_instr(&r, &in);
  jit_reader_free(&r);
  if (!e) return NULL;
  snprintf(last_error, sizeof last_error, "%s", wrun_error_message(e));
  wrun_error_delete(e);
  return last_error;
}

Test(decode, leb128_past_the_body) {
  const uint8_t too_long[] = {0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  cr_expect_str_eq(decode_cut(too_long, 3, sizeof too_long),
                   "integer representation too long");
  const uint8_t too_large[] = {0x41, 0x80, 0x80, 0x80, 0x80, 0x70};
  cr_expect_str_eq(decode_cut(too_large, 2, sizeof too_large),
                   "integer too large");
  const uint8_t ends_there[] = {0x41, 0x80, 0x80, 0x00};
  cr_expect_str_eq(decode_cut(ends_there, 2, sizeof ends_there),
                   "unexpected end");
}

Test(decode, float_constants_are_raw_bits) {
  jit_instr in;
  cr_assert_null(decode_one(BODY(0x43, 0x00, 0x00, 0x80, 0x3F), &in, NULL));
  cr_expect_eq(in.u.f32_bits, 0x3F800000u);
  cr_assert_null(decode_one(BODY(0x44, 1, 2, 3, 4, 5, 6, 7, 0xF8), &in, NULL));
  cr_expect_eq(in.u.f64_bits, 0xF807060504030201ull);
  DECODE_FAILS("unexpected end", 0x44, 1, 2, 3);
}

Test(decode, memory_immediates) {
  jit_instr in;
  cr_assert_null(decode_one(BODY(0x28, 0x02, 0x90, 0x03), &in, NULL));
  cr_expect_eq(in.u.mem.align, 2);
  cr_expect_eq(in.u.mem.offset, 400);
  cr_expect_eq(in.u.mem.memory, 0);
  /* Wasm 3.0: flag bit 6 says a memory index follows the flags. */
  cr_assert_null(decode_one(BODY(0x28, 0x42, 0x81, 0x01, 0x90, 0x03), &in,
                            NULL));
  cr_expect_eq(in.u.mem.align, 2);
  cr_expect_eq(in.u.mem.memory, 129);
  cr_expect_eq(in.u.mem.offset, 400);
  DECODE_FAILS("malformed memop flags", 0x28, 0x80, 0x01, 0x00);
  DECODE_FAILS("malformed memop flags", 0x28, 0x80, 0x02, 0x00);
  DECODE_FAILS("unexpected end", 0x28, 0x40);
  /* Memory indices of the other memory instructions are u32 LEBs (no
   * longer a reserved zero byte). */
  cr_assert_null(decode_one(BODY(0x3F, 0x01), &in, NULL));
  cr_expect_eq(in.u.index, 1);
  cr_assert_null(decode_one(BODY(0x40, 0x80, 0x00), &in, NULL));
  cr_expect_eq(in.u.index, 0);
  cr_assert_null(decode_one(BODY(0xFC, 8, 0x05, 0x02), &in, NULL));
  cr_expect_eq(in.u.pair.a, 5);
  cr_expect_eq(in.u.pair.b, 2);
  cr_assert_null(decode_one(BODY(0xFC, 10, 0x03, 0x80, 0x01), &in, NULL));
  cr_expect_eq(in.u.pair.a, 3);
  cr_expect_eq(in.u.pair.b, 128);
  cr_assert_null(decode_one(BODY(0xFC, 11, 0x07), &in, NULL));
  cr_expect_eq(in.u.index, 7);
  DECODE_FAILS("integer representation too long", 0x3F, 0x80, 0x80, 0x80,
               0x80, 0x80, 0x00);
  cr_assert_null(decode_one(BODY(0xFD, 0x54, 0x00, 0x08, 0x0F), &in, NULL));
  cr_expect_eq(in.op, OP_V128_LOAD8_LANE);
  cr_expect_eq(in.u.mem.offset, 8);
  cr_expect_eq(in.u.mem.lane, 15);
}

Test(decode, call_indirect_takes_any_table) {
  jit_instr in;
  cr_assert_null(decode_one(BODY(0x11, 0x03, 0x81, 0x01), &in, NULL));
  cr_expect_eq(in.u.call_indirect.type_index, 3);
  cr_expect_eq(in.u.call_indirect.table, 129);
}

Test(decode, block_types) {
  jit_instr in;
  cr_assert_null(decode_one(BODY(0x02, 0x40), &in, NULL));
  cr_expect_eq(in.u.block.kind, BT_EMPTY);
  cr_assert_null(decode_one(BODY(0x03, 0x7B), &in, NULL));
  cr_expect_eq(in.u.block.kind, BT_VALTYPE);
  cr_expect_eq(in.u.block.valtype, VT_V128);
  cr_assert_null(decode_one(BODY(0x04, 0x81, 0x01), &in, NULL));
  cr_expect_eq(in.u.block.kind, BT_TYPEIDX);
  cr_expect_eq(in.u.block.type_index, 129);
  DECODE_FAILS("malformed value type", 0x02, 0x7A);
  DECODE_FAILS("unexpected end", 0x02);
}

Test(decode, br_table) {
  /* targets live in the reader, so keep it until they are checked */
  const uint8_t code[] = {0x0E, 0x03, 0x00, 0x01, 0x02, 0x05};
  jit_reader r;
  jit_instr in;
  jit_reader_init(&r, code, 0, sizeof code);
  cr_assert_null(jit_decode_instr(&r, &in));
  cr_expect_eq(in.u.br_table.count, 3);
  cr_expect_eq(in.u.br_table.targets[0], 0);
  cr_expect_eq(in.u.br_table.targets[2], 2);
  cr_expect_eq(in.u.br_table.dflt, 5);
  jit_reader_free(&r);
  /* A huge count with few bytes left fails before allocating. */
  DECODE_FAILS("unexpected end", 0x0E, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00);
  DECODE_FAILS("unexpected end", 0x0E, 0x02, 0x00, 0x00);
}

Test(decode, select_and_refs) {
  jit_instr in;
  cr_assert_null(decode_one(BODY(0x1C, 0x01, 0x7C), &in, NULL));
  cr_expect_eq(in.op, OP_SELECT_T);
  cr_expect_eq(in.u.valtype, VT_F64);
  cr_assert_null(decode_one(BODY(0x1C, 0x02, 0x7F, 0x7F), &in, NULL));
  cr_expect_eq(in.u.valtype, 0);
  DECODE_FAILS("malformed value type", 0x1C, 0x01, 0x00);
  cr_assert_null(decode_one(BODY(0xD0, 0x6F), &in, NULL));
  cr_expect_eq(in.u.valtype, VT_EXTERNREF);
  DECODE_FAILS("malformed heap type", 0xD0, 0x7F);
  /* a concrete heap type: (ref null 3) */
  cr_assert_null(decode_one(BODY(0xD0, 0x03), &in, NULL));
  cr_expect_eq(in.u.valtype, rt_vt_ref(rt_heap_of_index(HT_INDEX, 3), true));
}

Test(decode, simd_immediates) {
  jit_instr in;
  uint8_t bytes[18] = {0xFD, 0x0C};
  for (int i = 0; i < 16; i++) bytes[2 + i] = (uint8_t)i;
  cr_assert_null(decode_one(bytes, sizeof bytes, &in, NULL));
  cr_expect_eq(in.op, OP_V128_CONST);
  cr_expect_eq(in.u.v128[15], 15);
  DECODE_FAILS("unexpected end", 0xFD, 0x0D, 1, 2, 3);
  cr_assert_null(decode_one(BODY(0xFD, 0x15, 0x07), &in, NULL));
  cr_expect_eq(in.op, OP_I8X16_EXTRACT_LANE_S);
  cr_expect_eq(in.u.lane, 7);
  /* two-byte sub-opcodes: relaxed SIMD, also in a redundant LEB form */
  size_t n = 0;
  cr_assert_null(decode_one(BODY(0xFD, 0x80, 0x02), &in, &n));
  cr_expect_eq(in.op, OP_I8X16_RELAXED_SWIZZLE);
  cr_expect_eq(n, 3);
  cr_assert_null(decode_one(BODY(0xFD, 0x93, 0x82, 0x00), &in, NULL));
  cr_expect_eq(in.op, OP_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S);
}

/* Decodes bytes[0, len) once through jit_decode_instr (inline for the
 * common shapes) and once through jit_decode_instr_any: the two must agree
 * on everything, errors included. */
static void expect_same_decoding(const uint8_t *bytes, size_t len) {
  jit_reader r1, r2;
  jit_instr a, b;
  jit_reader_init(&r1, bytes, 0, len);
  jit_reader_init(&r2, bytes, 0, len);
  wrun_error *e1 = jit_decode_instr(&r1, &a);
  wrun_error *e2 = jit_decode_instr_any(&r2, &b);
  cr_expect_eq(e1 == NULL, e2 == NULL, "opcode %#x, %zu bytes: one failed",
               bytes[0], len);
  if (e1 && e2) {
    cr_expect_str_eq(wrun_error_message(e1), wrun_error_message(e2));
    cr_expect_eq(e1->offset, e2->offset);
  }
  if (!e1 && !e2) {
    cr_expect_eq(jit_reader_offset(&r1), jit_reader_offset(&r2),
                 "opcode %#x, %zu bytes: consumed differently", bytes[0], len);
    cr_expect_eq(a.op, b.op);
    cr_expect_eq(a.offset, b.offset);
    /* decoder-owned arrays differ per reader; their counts must not */
    jit_imm_kind imm = (jit_imm_kind)jit_opinfo_table[a.op].imm;
    if (imm == IMM_BR_TABLE)
      cr_expect_eq(a.u.br_table.count, b.u.br_table.count);
    else if (imm == IMM_TRY_TABLE)
      cr_expect_eq(a.u.try_table.count, b.u.try_table.count);
    else
      cr_expect(memcmp(&a.u, &b.u, sizeof a.u) == 0,
                "opcode %#x, %zu bytes: immediates differ", bytes[0], len);
  }
  wrun_error_delete(e1);
  wrun_error_delete(e2);
  jit_reader_free(&r1);
  jit_reader_free(&r2);
}

Test(decode, inline_path_agrees_with_the_general_one) {
  /* immediates at the edges of the one-byte shortcut: the sign bit of a
   * one-byte LEB, a continued LEB, and bodies cut after the opcode */
  static const uint8_t tails[][3] = {
      {0x00, 0x00, 0x00}, {0x05, 0x01, 0x00}, {0x3F, 0x02, 0x0B},
      {0x40, 0x00, 0x00}, {0x41, 0x7F, 0x00}, {0x7F, 0x00, 0x00},
      {0x80, 0x01, 0x00}, {0xFF, 0x7F, 0x00}, {0x80, 0x80, 0x80},
  };
  for (unsigned op = 0; op < 256; op++)
    for (size_t t = 0; t < sizeof tails / sizeof *tails; t++)
      for (size_t len = 1; len <= 4; len++) {
        uint8_t bytes[4] = {(uint8_t)op, tails[t][0], tails[t][1],
                            tails[t][2]};
        expect_same_decoding(bytes, len);
      }
}

Test(decode, locals) {
  jit_reader r;
  uint32_t n;
  rt_valtype *t;
  const uint8_t ok[] = {0x02, 0x02, 0x7F, 0x01, 0x7B};
  jit_reader_init(&r, ok, 0, sizeof ok);
  cr_assert_null(jit_decode_locals(&r, &n, &t));
  cr_expect_eq(n, 3);
  cr_expect_eq(t[0], VT_I32);
  cr_expect_eq(t[1], VT_I32);
  cr_expect_eq(t[2], VT_V128);
  cr_expect_eq(jit_reader_offset(&r), sizeof ok);
  free(t);

  const uint8_t too_many[] = {0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F,
                              0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7E};
  jit_reader_init(&r, too_many, 0, sizeof too_many);
  wrun_error *e = jit_decode_locals(&r, &n, &t);
  cr_assert_not_null(e);
  cr_expect_str_eq(wrun_error_message(e), "too many locals");
  wrun_error_delete(e);

  const uint8_t just_over[] = {0x02, 0xD0, 0x86, 0x03, 0x7F, 0x01, 0x7F};
  jit_reader_init(&r, just_over, 0, sizeof just_over); /* 50000 + 1 */
  e = jit_decode_locals(&r, &n, &t);
  cr_assert_not_null(e);
  wrun_error_delete(e);

  const uint8_t bad_type[] = {0x01, 0x01, 0x40};
  jit_reader_init(&r, bad_type, 0, sizeof bad_type);
  e = jit_decode_locals(&r, &n, &t);
  cr_assert_not_null(e);
  cr_expect_str_eq(wrun_error_message(e), "malformed value type");
  wrun_error_delete(e);
}

/* ---- validation: numbers, function results, stack discipline ------------- */

Test(validate, numeric) {
  /* (func (result i32) i32.const 1 i32.const 2 i32.add) */
  VALID(full_module(), 1, 0x00, 0x41, 0x01, 0x41, 0x02, 0x6A, 0x0B);
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x41, 0x01, 0x42, 0x02,
          0x6A, 0x0B);
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x41, 0x01, 0x6A, 0x0B);
  /* conversions: f64.promote_f32 of an i32 */
  INVALID(full_module(), 0, "type mismatch", 0x00, 0x41, 0x00, 0xBB, 0x1A,
          0x0B);
  /* i32.trunc_sat_f32_s */
  VALID(full_module(), 1, 0x00, 0x43, 0, 0, 0, 0, 0xFC, 0x00, 0x0B);
}

Test(validate, function_results) {
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x0B);
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x41, 0x01, 0x41, 0x01,
          0x0B);
  INVALID(full_module(), 0, "type mismatch", 0x00, 0x41, 0x01, 0x0B);
  /* param is local 0 */
  VALID(full_module(), 2, 0x00, 0x20, 0x00, 0x0B);
  /* return in the middle leaves the rest unreachable */
  VALID(full_module(), 1, 0x00, 0x41, 0x07, 0x0F, 0x6A, 0x0B);
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x0F, 0x0B);
}

Test(validate, unreachable_code_is_polymorphic) {
  VALID(full_module(), 1, 0x00, 0x00, 0x6A, 0x0B);
  VALID(full_module(), 1, 0x00, 0x00, 0x0B);
  /* but concrete values still have their types */
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x00, 0x42, 0x00, 0x6A,
          0x0B);
}

Test(validate, body_ends_at_final_end) {
  INVALID(full_module(), 0, "unexpected end", 0x00, 0x02, 0x40, 0x0B);
  INVALID(full_module(), 0, "trailing bytes", 0x00, 0x0B, 0x01);
}

Test(validate, done_rejects_further_steps) {
  rt_module m = full_module();
  jit_validator *v = jit_validator_new();
  cr_assert_null(jit_validator_begin(v, &m, 0, 0, NULL));
  jit_instr end = {.op = OP_END, .offset = 5};
  cr_assert_null(jit_validator_step(v, &end));
  cr_expect(jit_validator_done(v));
  wrun_error *e = jit_validator_step(v, &end);
  cr_expect_not_null(e);
  wrun_error_delete(e);
  /* begin resets the validator for the next function */
  cr_assert_null(jit_validator_begin(v, &m, 1, 0, NULL));
  cr_expect(!jit_validator_done(v));
  jit_validator_free(v);
}

/* ---- control ------------------------------------------------------------- */

Test(validate, blocks_and_ifs) {
  /* block (result i32) i32.const 1 end */
  VALID(full_module(), 1, 0x00, 0x02, 0x7F, 0x41, 0x01, 0x0B, 0x0B);
  /* block with type 2: [i32] -> [i32] */
  VALID(full_module(), 1, 0x00, 0x41, 0x01, 0x02, 0x02, 0x0B, 0x0B);
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x02, 0x02, 0x0B, 0x0B);
  INVALID(full_module(), 1, "unknown type", 0x00, 0x02, 0x09, 0x0B, 0x0B);
  /* if (result i32) without else */
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x41, 0x01, 0x04, 0x7F,
          0x41, 0x01, 0x0B, 0x0B);
  /* if (result i32) 1 else 2 end */
  VALID(full_module(), 1, 0x00, 0x41, 0x01, 0x04, 0x7F, 0x41, 0x01, 0x05,
        0x41, 0x02, 0x0B, 0x0B);
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x41, 0x01, 0x04, 0x7F,
          0x41, 0x01, 0x05, 0x0B, 0x0B);
  /* if with type 2 ([i32] -> [i32]) and no else passes its param through */
  VALID(full_module(), 1, 0x00, 0x41, 0x05, 0x41, 0x01, 0x04, 0x02, 0x0B,
        0x0B);
  INVALID(full_module(), 0, "else without if", 0x00, 0x02, 0x40, 0x05, 0x0B,
          0x0B);
  INVALID(full_module(), 0, "type mismatch", 0x00, 0x04, 0x40, 0x0B, 0x0B);
}

Test(validate, branches) {
  /* loop labels carry the params: loop (type 2) br 0 with i32 on stack */
  VALID(full_module(), 1, 0x00, 0x41, 0x01, 0x03, 0x02, 0x0C, 0x00, 0x0B,
        0x0B);
  INVALID(full_module(), 0, "unknown label", 0x00, 0x0C, 0x01, 0x0B);
  VALID(full_module(), 0, 0x00, 0x0C, 0x00, 0x0B);
  /* br_if keeps the values */
  VALID(full_module(), 1, 0x00, 0x41, 0x01, 0x41, 0x00, 0x0D, 0x00, 0x0B);
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x41, 0x01, 0x0D, 0x00,
          0x0B);
}

Test(validate, br_table) {
  /* block block br_table 0 1 0 (arity 0) */
  VALID(full_module(), 0, 0x00, 0x02, 0x40, 0x41, 0x00, 0x0E, 0x01, 0x00,
        0x01, 0x0B, 0x0B);
  /* block (result i32): targets of different arity */
  INVALID(full_module(), 0, "type mismatch", 0x00, 0x02, 0x7F, 0x41, 0x01,
          0x41, 0x00, 0x0E, 0x01, 0x00, 0x01, 0x0B, 0x1A, 0x0B);
  INVALID(full_module(), 0, "unknown label", 0x00, 0x41, 0x00, 0x0E, 0x01,
          0x05, 0x00, 0x0B);
  /* unreachable: block(i32) block(i64)... labels with different types but
   * an Unknown operand satisfies both only if each is checked alone: in
   * Wasm 2.0 it is valid (unreachable br_table with mixed label types). */
  VALID(full_module(), 0, 0x00, 0x02, 0x7F, 0x02, 0x7E, 0x00, 0x0E, 0x01,
        0x00, 0x01, 0x0B, 0x1A, 0x41, 0x00, 0x0B, 0x1A, 0x0B);
}

Test(validate, calls) {
  VALID(full_module(), 1, 0x00, 0x41, 0x01, 0x41, 0x02, 0x10, 0x03, 0x0B);
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x41, 0x01, 0x10, 0x03,
          0x0B);
  INVALID(full_module(), 0, "unknown function", 0x00, 0x10, 0x04, 0x0B);
  /* call_indirect type 1 on table 0 */
  VALID(full_module(), 1, 0x00, 0x41, 0x00, 0x11, 0x01, 0x00, 0x0B);
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x41, 0x00, 0x11, 0x01,
          0x01, 0x0B);
  INVALID(full_module(), 1, "unknown table", 0x00, 0x41, 0x00, 0x11, 0x01,
          0x02, 0x0B);
  INVALID(full_module(), 1, "unknown type", 0x00, 0x41, 0x00, 0x11, 0x07,
          0x00, 0x0B);
  INVALID(bare_module(), 1, "unknown table", 0x00, 0x41, 0x00, 0x11, 0x01,
          0x00, 0x0B);
}

/* return_call / return_call_indirect: the callee's results must be the
 * caller's, and what follows is unreachable. Func 1 is [] -> [i32]. */
Test(validate, tail_calls) {
  /* func 1 tail-calls func 3 ([i32 i32] -> [i32]) */
  VALID(full_module(), 1, 0x00, 0x41, 0x01, 0x41, 0x02, 0x12, 0x03, 0x0B);
  /* ... and the rest is unreachable: a drop on an empty stack; but an
   * f32 result is still no i32 */
  VALID(full_module(), 1, 0x00, 0x41, 0x01, 0x41, 0x02, 0x12, 0x03, 0x1A,
        0x0B);
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x41, 0x01, 0x41, 0x02,
          0x12, 0x03, 0x92, 0x0B);
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x41, 0x01, 0x12, 0x03,
          0x0B);
  /* func 0 ([] -> []) cannot tail-call func 1 ([] -> [i32]) */
  INVALID(full_module(), 0, "type mismatch", 0x00, 0x12, 0x01, 0x0B);
  /* nor func 1 func 0: the results differ */
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x12, 0x00, 0x0B);
  INVALID(full_module(), 0, "unknown function", 0x00, 0x12, 0x04, 0x0B);
  /* return_call_indirect type 1 on table 0 */
  VALID(full_module(), 1, 0x00, 0x41, 0x00, 0x13, 0x01, 0x00, 0x0B);
  INVALID(full_module(), 0, "type mismatch", 0x00, 0x41, 0x00, 0x13, 0x01,
          0x00, 0x0B);
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x13, 0x01, 0x00, 0x0B);
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x41, 0x00, 0x13, 0x01,
          0x01, 0x0B);
  INVALID(full_module(), 1, "unknown table", 0x00, 0x41, 0x00, 0x13, 0x01,
          0x02, 0x0B);
  INVALID(full_module(), 1, "unknown type", 0x00, 0x41, 0x00, 0x13, 0x07,
          0x00, 0x0B);
}

/* ---- parametric, variables ------------------------------------------------ */

Test(validate, select) {
  VALID(full_module(), 1, 0x00, 0x41, 0x01, 0x41, 0x02, 0x41, 0x00, 0x1B,
        0x0B);
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x41, 0x01, 0x42, 0x02,
          0x41, 0x00, 0x1B, 0x0B);
  /* untyped select on references */
  INVALID(full_module(), 0, "type mismatch", 0x00, 0xD0, 0x70, 0xD0, 0x70,
          0x41, 0x00, 0x1B, 0x1A, 0x0B);
  /* select (result funcref) */
  VALID(full_module(), 0, 0x00, 0xD0, 0x70, 0xD0, 0x70, 0x41, 0x00, 0x1C,
        0x01, 0x70, 0x1A, 0x0B);
  INVALID(full_module(), 1, "invalid result arity", 0x00, 0x41, 0x01, 0x41,
          0x02, 0x41, 0x00, 0x1C, 0x02, 0x7F, 0x7F, 0x0B);
  INVALID(full_module(), 1, "invalid result arity", 0x00, 0x41, 0x01, 0x41,
          0x02, 0x41, 0x00, 0x1C, 0x00, 0x0B);
  /* in unreachable code the Unknown operand takes the other's type */
  VALID(full_module(), 1, 0x00, 0x00, 0x41, 0x01, 0x41, 0x00, 0x1B, 0x0B);
}

Test(validate, locals_and_globals) {
  /* (local i64) local.get 1 is the i64 after the i32 param */
  VALID(full_module(), 2, 0x01, 0x01, 0x7E, 0x20, 0x01, 0xA7, 0x0B);
  INVALID(full_module(), 2, "type mismatch", 0x01, 0x01, 0x7E, 0x20, 0x01,
          0x0B);
  INVALID(full_module(), 2, "unknown local", 0x00, 0x20, 0x01, 0x0B);
  VALID(full_module(), 2, 0x00, 0x20, 0x00, 0x22, 0x00, 0x0B);
  VALID(full_module(), 1, 0x00, 0x23, 0x00, 0x0B);
  INVALID(full_module(), 0, "immutable global 0: global is immutable", 0x00,
          0x41, 0x00, 0x24, 0x00, 0x0B);
  VALID(full_module(), 0, 0x00, 0x42, 0x00, 0x24, 0x01, 0x0B);
  INVALID(full_module(), 0, "type mismatch", 0x00, 0x41, 0x00, 0x24, 0x01,
          0x0B);
  INVALID(full_module(), 0, "unknown global", 0x00, 0x23, 0x02, 0x1A, 0x0B);
}

/* ---- memory --------------------------------------------------------------- */

Test(validate, loads_and_stores) {
  VALID(full_module(), 1, 0x00, 0x41, 0x00, 0x28, 0x02, 0x00, 0x0B);
  INVALID(full_module(), 1, "alignment must not be larger than natural",
          0x00, 0x41, 0x00, 0x28, 0x03, 0x00, 0x0B);
  INVALID(full_module(), 1, "alignment must not be larger than natural",
          0x00, 0x41, 0x00, 0x2D, 0x01, 0x00, 0x0B);
  INVALID(bare_module(), 1, "unknown memory", 0x00, 0x41, 0x00, 0x28, 0x02,
          0x00, 0x0B);
  VALID(full_module(), 0, 0x00, 0x41, 0x00, 0x42, 0x00, 0x3E, 0x02, 0x00,
        0x0B);
  INVALID(full_module(), 0, "type mismatch", 0x00, 0x41, 0x00, 0x41, 0x00,
          0x3E, 0x02, 0x00, 0x0B);
}

Test(validate, memory_instructions) {
  VALID(full_module(), 1, 0x00, 0x3F, 0x00, 0x40, 0x00, 0x0B);
  INVALID(bare_module(), 1, "unknown memory", 0x00, 0x3F, 0x00, 0x0B);
  /* memory.init 0, data.drop 0 */
  VALID(full_module(), 0, 0x00, 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 0x08, 0x00,
        0x00, 0xFC, 0x09, 0x00, 0x0B);
  INVALID(full_module(), 0, "unknown data segment", 0x00, 0xFC, 0x09, 0x01,
          0x0B);
  rt_module no_count = full_module();
  no_count.has_data_count = false;
  INVALID(no_count, 0, "data count section required", 0x00, 0xFC, 0x09,
          0x00, 0x0B);
  /* memory.copy and memory.fill need three i32 */
  VALID(full_module(), 0, 0x00, 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 0x0A, 0x00,
        0x00, 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 0x0B, 0x00, 0x0B);
  INVALID(full_module(), 0, "type mismatch", 0x00, 0x41, 0, 0x41, 0, 0xFC,
          0x0B, 0x00, 0x0B);
  INVALID(bare_module(), 0, "unknown memory", 0x00, 0x41, 0, 0x41, 0, 0x41,
          0, 0xFC, 0x0A, 0x00, 0x00, 0x0B);
}

/* ---- tables and references ------------------------------------------------ */

Test(validate, table_instructions) {
  /* table.get 1 gives externref; table.set 0 wants funcref */
  VALID(full_module(), 0, 0x00, 0x41, 0x00, 0x25, 0x01, 0x1A, 0x0B);
  INVALID(full_module(), 0, "type mismatch", 0x00, 0x41, 0x00, 0x41, 0x00,
          0x25, 0x01, 0x26, 0x00, 0x0B);
  VALID(full_module(), 0, 0x00, 0x41, 0x00, 0x41, 0x00, 0x25, 0x00, 0x26,
        0x00, 0x0B);
  INVALID(full_module(), 0, "unknown table", 0x00, 0xFC, 0x10, 0x02, 0x1A,
          0x0B);
  /* table.grow 1: [externref i32] -> [i32] */
  VALID(full_module(), 1, 0x00, 0xD0, 0x6F, 0x41, 0x01, 0xFC, 0x0F, 0x01,
        0x0B);
  INVALID(full_module(), 1, "type mismatch", 0x00, 0xD0, 0x70, 0x41, 0x01,
          0xFC, 0x0F, 0x01, 0x0B);
  /* table.fill 0: [i32 funcref i32] */
  VALID(full_module(), 0, 0x00, 0x41, 0, 0xD0, 0x70, 0x41, 0, 0xFC, 0x11,
        0x00, 0x0B);
}

Test(validate, table_bulk) {
  /* table.copy 0 0 fine, 0 1 mismatched element types */
  VALID(full_module(), 0, 0x00, 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 0x0E, 0x00,
        0x00, 0x0B);
  INVALID(full_module(), 0, "type mismatch", 0x00, 0x41, 0, 0x41, 0, 0x41, 0,
          0xFC, 0x0E, 0x00, 0x01, 0x0B);
  /* table.init elem 1 (externref) into table 1 ok, into table 0 not */
  VALID(full_module(), 0, 0x00, 0x41, 0, 0x41, 0, 0x41, 0, 0xFC, 0x0C, 0x01,
        0x01, 0x0B);
  INVALID(full_module(), 0, "type mismatch", 0x00, 0x41, 0, 0x41, 0, 0x41, 0,
          0xFC, 0x0C, 0x01, 0x00, 0x0B);
  INVALID(full_module(), 0, "unknown elem segment", 0x00, 0x41, 0, 0x41, 0,
          0x41, 0, 0xFC, 0x0C, 0x02, 0x00, 0x0B);
  VALID(full_module(), 0, 0x00, 0xFC, 0x0D, 0x01, 0x0B);
  INVALID(full_module(), 0, "unknown elem segment", 0x00, 0xFC, 0x0D, 0x02,
          0x0B);
}

Test(validate, references) {
  VALID(full_module(), 0, 0x00, 0xD2, 0x01, 0x1A, 0x0B);
  INVALID(full_module(), 0, "undeclared function reference", 0x00, 0xD2,
          0x00, 0x1A, 0x0B);
  INVALID(full_module(), 0, "unknown function", 0x00, 0xD2, 0x09, 0x1A,
          0x0B);
  VALID(full_module(), 1, 0x00, 0xD0, 0x6F, 0xD1, 0x0B);
  INVALID(full_module(), 1, "type mismatch", 0x00, 0x41, 0x00, 0xD1, 0x0B);
  VALID(full_module(), 1, 0x00, 0x00, 0xD1, 0x0B);
}

/* ---- SIMD ----------------------------------------------------------------- */

#define V128_ZERO 0xFD, 0x0C, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0

Test(validate, simd_lanes) {
  /* i8x16.extract_lane_s 15 ok, 16 not; i64x2.replace_lane 2 not */
  VALID(full_module(), 1, 0x00, V128_ZERO, 0xFD, 0x15, 0x0F, 0x0B);
  INVALID(full_module(), 1, "invalid lane index", 0x00, V128_ZERO, 0xFD,
          0x15, 0x10, 0x0B);
  INVALID(full_module(), 0, "invalid lane index", 0x00, V128_ZERO, 0x42,
          0x00, 0xFD, 0x1E, 0x02, 0x1A, 0x0B);
  VALID(full_module(), 0, 0x00, V128_ZERO, 0x42, 0x00, 0xFD, 0x1E, 0x01,
        0x1A, 0x0B);
  /* i8x16.shuffle lanes < 32 */
  VALID(full_module(), 0, 0x00, V128_ZERO, V128_ZERO, 0xFD, 0x0D, 0, 1, 2, 3,
        4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 31, 0x1A, 0x0B);
  INVALID(full_module(), 0, "invalid lane index", 0x00, V128_ZERO, V128_ZERO,
          0xFD, 0x0D, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 32,
          0x1A, 0x0B);
}

Test(validate, simd_types) {
  /* i32x4.add of two vectors, then i32x4.all_true gives i32 */
  VALID(full_module(), 1, 0x00, V128_ZERO, V128_ZERO, 0xFD, 0xAE, 0x01, 0xFD,
        0xA3, 0x01, 0x0B);
  INVALID(full_module(), 0, "type mismatch", 0x00, V128_ZERO, 0x41, 0x00,
          0xFD, 0xAE, 0x01, 0x1A, 0x0B);
  /* i8x16.shl takes an i32 count */
  VALID(full_module(), 0, 0x00, V128_ZERO, 0x41, 0x01, 0xFD, 0x6B, 0x1A,
        0x0B);
  /* f64x2.splat wants f64 */
  INVALID(full_module(), 0, "type mismatch", 0x00, 0x43, 0, 0, 0, 0, 0xFD,
          0x14, 0x1A, 0x0B);
  /* v128.bitselect takes three vectors */
  VALID(full_module(), 0, 0x00, V128_ZERO, V128_ZERO, V128_ZERO, 0xFD, 0x52,
        0x1A, 0x0B);
  /* select on v128 is allowed untyped */
  VALID(full_module(), 0, 0x00, V128_ZERO, V128_ZERO, 0x41, 0x00, 0x1B, 0x1A,
        0x0B);
}

Test(validate, simd_memory) {
  VALID(full_module(), 0, 0x00, 0x41, 0x00, 0xFD, 0x00, 0x04, 0x00, 0x1A,
        0x0B);
  INVALID(full_module(), 0, "alignment must not be larger than natural",
          0x00, 0x41, 0x00, 0xFD, 0x00, 0x05, 0x00, 0x1A, 0x0B);
  /* v128.load32_splat natural alignment is 2 */
  INVALID(full_module(), 0, "alignment must not be larger than natural",
          0x00, 0x41, 0x00, 0xFD, 0x09, 0x03, 0x00, 0x1A, 0x0B);
  /* v128.load16_lane align 1 lane 7 ok, lane 8 not, align 2 not */
  VALID(full_module(), 0, 0x00, 0x41, 0x00, V128_ZERO, 0xFD, 0x55, 0x01,
        0x00, 0x07, 0x1A, 0x0B);
  INVALID(full_module(), 0, "invalid lane index", 0x00, 0x41, 0x00,
          V128_ZERO, 0xFD, 0x55, 0x01, 0x00, 0x08, 0x1A, 0x0B);
  INVALID(full_module(), 0, "alignment must not be larger than natural",
          0x00, 0x41, 0x00, V128_ZERO, 0xFD, 0x55, 0x02, 0x00, 0x00, 0x1A,
          0x0B);
  /* v128.store64_lane leaves nothing */
  VALID(full_module(), 0, 0x00, 0x41, 0x00, V128_ZERO, 0xFD, 0x5B, 0x03,
        0x00, 0x01, 0x0B);
  INVALID(bare_module(), 0, "unknown memory", 0x00, 0x41, 0x00, V128_ZERO,
          0xFD, 0x0B, 0x04, 0x00, 0x0B);
}

/* ---- block type resolution ------------------------------------------------ */

Test(validate, blocktype_sig) {
  rt_module m = full_module();
  const rt_valtype *p, *r;
  uint32_t np, nr;
  jit_blocktype bt = {.kind = BT_EMPTY};
  jit_blocktype_sig(&m, &bt, &p, &np, &r, &nr);
  cr_expect_eq(np, 0);
  cr_expect_eq(nr, 0);
  bt = (jit_blocktype){.kind = BT_VALTYPE, .valtype = VT_F32};
  jit_blocktype_sig(&m, &bt, &p, &np, &r, &nr);
  cr_expect_eq(np, 0);
  cr_assert_eq(nr, 1);
  cr_expect_eq(r[0], VT_F32);
  bt = (jit_blocktype){.kind = BT_TYPEIDX, .type_index = 3};
  jit_blocktype_sig(&m, &bt, &p, &np, &r, &nr);
  cr_expect_eq(np, 2);
  cr_expect_eq(nr, 1);
  cr_expect_eq(p[1], VT_I32);
}
