/* Every fixed-signature row of jit/opcodes.def, end to end: for each
 * opcode whose SIG column gives its operand types, a function pushes
 * constants of those types, runs the opcode and drops its results; the
 * module must decode, validate, compile (plain and in deterministic mode)
 * and run without a trap. The cases come from the table itself, so a new
 * row is tested as soon as it is written. The instructions checked by code
 * of their own (SIG 0) are the spec tests' business. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "instr.h"
#include "wasm_build.h"
#include "wrun.h"

/* opcodes.c: (prefix, code) -> jit_op, OP_COUNT when there is none. */
jit_op jit_op_lookup(uint8_t prefix, uint32_t code);

/* A constant of the SIG letter's type: 1 for numbers (no division by zero,
 * an in-bounds address; an atomic's address is 0, aligned, and its wait
 * finds 0, not the expected 1, so it returns at once), zeros for v128. */
static void push_const(wasm_buf *b, char letter) {
  static const uint8_t f32_one[4] = {0x00, 0x00, 0x80, 0x3f};
  static const uint8_t f64_one[8] = {0, 0, 0, 0, 0, 0, 0xf0, 0x3f};
  static const uint8_t zeros[16] = {0};
  switch (letter) {
  case 'i': wb_byte(b, 0x41); wb_byte(b, 1); break;
  case 'l': wb_byte(b, 0x42); wb_byte(b, 1); break;
  case 'f': wb_byte(b, 0x43); wb_bytes(b, f32_one, 4); break;
  case 'd': wb_byte(b, 0x44); wb_bytes(b, f64_one, 8); break;
  case 'v':
    wb_byte(b, 0xFD);
    wb_u32(b, 12); /* v128.const */
    wb_bytes(b, zeros, 16);
    break;
  default: cr_assert_fail("bad SIG letter %c", letter);
  }
}

/* The opcode and zero-valued immediates of its IMM kind. */
static void emit_op(wasm_buf *b, const jit_opinfo *info) {
  static const uint8_t zeros[16] = {0};
  if (info->prefix) {
    wb_byte(b, info->prefix);
    wb_u32(b, info->code);
  } else {
    wb_byte(b, (uint8_t)info->code);
  }
  switch ((jit_imm_kind)info->imm) {
  case IMM_NONE: break;
  case IMM_MEMARG: wb_byte(b, 0); wb_byte(b, 0); break; /* align, offset */
  case IMM_ATOMIC: /* the alignment must be the access size */
    wb_byte(b, jit_atomic_size_log2[jit_op_lookup(info->prefix, info->code)]);
    wb_byte(b, 0);
    break;
  case IMM_FENCE: wb_byte(b, 0); break;
  case IMM_MEMARG_LANE: wb_byte(b, 0); wb_byte(b, 0); wb_byte(b, 0); break;
  case IMM_LANE: wb_byte(b, 0); break;
  case IMM_I32: case IMM_I64: wb_byte(b, 0); break;
  case IMM_F32: wb_bytes(b, zeros, 4); break;
  case IMM_F64: wb_bytes(b, zeros, 8); break;
  case IMM_V128: wb_bytes(b, zeros, 16); break;
  default: cr_assert_fail("%s: no test immediates for IMM kind %u",
                          info->text, info->imm);
  }
}

/* A module exporting "f": [] -> [] running the opcode once, with one page
 * of memory for the loads and stores. */
static wasm_buf module_for(const jit_opinfo *info) {
  const char *sig = info->sig;
  const char *colon = strchr(sig, ':');
  cr_assert_not_null(colon, "%s: SIG \"%s\" has no ':'", info->text, sig);
  wasm_buf body = {0};
  wb_byte(&body, 0); /* no locals */
  for (const char *p = sig; p < colon; p++) {
    if (p == sig && info->imm == IMM_ATOMIC) { /* an aligned address */
      wb_byte(&body, 0x41);
      wb_byte(&body, 0);
      continue;
    }
    push_const(&body, *p);
  }
  emit_op(&body, info);
  for (const char *p = colon + 1; *p; p++) wb_byte(&body, 0x1A); /* drop */
  wb_byte(&body, 0x0B);

  wasm_buf m = {0}, s = {0};
  wb_header(&m);
  wb_u32(&s, 1); wb_byte(&s, 0x60); wb_u32(&s, 0); wb_u32(&s, 0);
  wb_section(&m, 1, &s); /* type 0: [] -> [] */
  wb_u32(&s, 1); wb_u32(&s, 0);
  wb_section(&m, 3, &s); /* func 0: type 0 */
  wb_u32(&s, 1); wb_byte(&s, 3); wb_u32(&s, 1); wb_u32(&s, 1);
  wb_section(&m, 5, &s); /* memory: 1 page, shared (wait needs it) */
  wb_u32(&s, 1); wb_name(&s, "f"); wb_byte(&s, 0); wb_u32(&s, 0);
  wb_section(&m, 7, &s); /* export "f" */
  wb_u32(&s, 1); wb_u32(&s, body.len); wb_bytes(&s, body.bytes, body.len);
  free(body.bytes);
  wb_section(&m, 10, &s);
  return m;
}

static void run_op(wrun_engine *engine, const jit_opinfo *info) {
  wasm_buf bytes = module_for(info);
  wrun_module *module = NULL;
  wrun_error *err = wrun_module_new(engine, bytes.bytes, bytes.len, &module);
  free(bytes.bytes);
  cr_assert_null(err, "%s: %s", info->text,
                 err ? wrun_error_message(err) : "");
  wrun_store *store = wrun_store_new(engine);
  wrun_instance *inst = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(store, module, NULL, 0, &inst, &err, &trap);
  cr_assert(inst && !err && !trap, "%s: instantiation failed", info->text);
  wrun_extern f;
  cr_assert(wrun_instance_export(inst, "f", &f));
  trap = wrun_func_call(store, f.of.func, NULL, 0, NULL, 0);
  cr_assert_null(trap, "%s: trapped: %s", info->text,
                 trap ? wrun_trap_message(trap) : "");
  wrun_store_delete(store);
  wrun_module_delete(module);
}

static unsigned run_all(wrun_engine *engine) {
  unsigned tested = 0;
  for (unsigned op = 0; op < OP_COUNT; op++) {
    const jit_opinfo *info = &jit_opinfo_table[op];
    cr_assert_eq(jit_op_lookup(info->prefix, info->code), (jit_op)op,
                 "%s: its encoding decodes to another row", info->text);
    if (!info->sig) continue;
    run_op(engine, info);
    tested++;
  }
  return tested;
}

Test(opcodes, every_fixed_signature_op_compiles_and_runs) {
  wrun_engine *engine = wrun_engine_new();
  unsigned tested = run_all(engine);
  /* Wasm 2.0 alone has 399 such rows: a table that lost its SIG column
   * would test nothing here. */
  cr_expect_geq(tested, 399, "only %u rows tested", tested);
  wrun_engine_delete(engine);
}

Test(opcodes, every_fixed_signature_op_in_deterministic_mode) {
  wrun_config *config = wrun_config_new();
  wrun_config_deterministic(config, true);
  wrun_engine *engine = wrun_engine_new_with_config(config);
  wrun_config_delete(config);
  cr_assert_not_null(engine);
  unsigned tested = run_all(engine);
  cr_expect_geq(tested, 399, "only %u rows tested", tested);
  wrun_engine_delete(engine);
}
