/* The code generator (jit/codegen*.c): invariants of its value stack,
 * register allocator and control handling, observed through its private
 * state (code is emitted into a masm buffer, not run); then a few tricky
 * functions compiled through the public API and run. */
#include <criterion/criterion.h>
#include <string.h>

#include "codegen_internal.h"
#include "instr.h"
#include "jit.h"
#include "wrun.h"

/* A module with one function of type (i32 i32) -> (i32) and given locals. */
static uint8_t fn_types[] = {VT_I32, VT_I32, VT_I32};
static rt_functype the_type = {2, 1, fn_types, 1};
static rt_func the_func = {0, 0, 0};
static rt_module the_module;

static jit_masm masm;
static jit_codegen *g;

static void setup(void) {
  memset(&the_module, 0, sizeof the_module);
  the_module.ntypes = 1;
  the_module.types = &the_type;
  the_module.nfuncs = 1;
  the_module.funcs = &the_func;
  jit_masm_init(&masm);
  g = jit_codegen_new();
  uint8_t locals[2] = {VT_I32, VT_F64};
  wrun_error *e = jit_codegen_begin(g, &masm, &the_module, 0, 2, locals);
  cr_assert_null(e);
}

static void teardown(void) {
  jit_codegen_free(g);
  jit_masm_free(&masm);
}

static void step(uint16_t op) {
  jit_instr in;
  memset(&in, 0, sizeof in);
  in.op = op;
  cr_assert_null(jit_codegen_step(g, &in));
}

static void step_index(uint16_t op, uint32_t index) {
  jit_instr in;
  memset(&in, 0, sizeof in);
  in.op = op;
  in.u.index = index;
  cr_assert_null(jit_codegen_step(g, &in));
}

static void step_i32(int32_t v) {
  jit_instr in;
  memset(&in, 0, sizeof in);
  in.op = OP_I32_CONST;
  in.u.i32 = v;
  cr_assert_null(jit_codegen_step(g, &in));
}

static void step_block(uint16_t op, uint8_t valtype) {
  jit_instr in;
  memset(&in, 0, sizeof in);
  in.op = op;
  in.u.block.kind = valtype ? BT_VALTYPE : BT_EMPTY;
  in.u.block.valtype = valtype;
  cr_assert_null(jit_codegen_step(g, &in));
}

static int gpr_count(void) {
  return __builtin_popcountll(jit_host_target.alloc_mask & 0xffffffffull);
}

TestSuite(codegen, .init = setup, .fini = teardown);

Test(codegen, params_and_locals_have_frame_offsets) {
  cr_assert_eq(g->nparams, 2);
  cr_assert_eq(g->nlocals, 4);
  cr_assert_eq(g->local_offsets[0], jit_host_target.param_base);
  cr_assert_eq(g->local_offsets[1], jit_host_target.param_base + 8);
  cr_assert_eq(g->local_offsets[2], -16);
  cr_assert_eq(g->local_offsets[3], -24);
  cr_assert_eq(g->local_types[3], JT_F64);
  cr_assert_eq(g->slots_base, -32);
}

Test(codegen, full_register_file_spills_only_the_oldest) {
  int n = gpr_count();
  cr_assert_gt(n, 2);
  for (int i = 0; i < n; i++) cg_push_reg(g, JT_I32, cg_alloc(g, false));
  cr_assert_eq(g->free_regs & 0xffffffffull, 0);
  jit_reg oldest = g->stack[0].reg;
  jit_reg r = cg_alloc(g, false);
  cr_assert_eq(r, oldest, "the oldest entry's register is reused");
  cr_assert_eq(g->stack[0].kind, CG_SPILL);
  cr_assert_eq(g->stack[0].index, 0);
  for (int i = 1; i < n; i++) cr_assert_eq(g->stack[i].kind, CG_REG);
}

Test(codegen, allocating_floats_leaves_gprs_alone) {
  uint64_t before = g->free_regs & 0xffffffffull;
  jit_reg r = cg_alloc(g, true);
  cr_assert(JIT_IS_FPR(r));
  cr_assert_eq(g->free_regs & 0xffffffffull, before);
  cg_free(g, r);
  cr_assert(cg_is_free(g, r));
}

Test(codegen, local_get_is_lazy_and_local_set_materialises_it) {
  step_index(OP_LOCAL_GET, 0);
  step_index(OP_LOCAL_GET, 1);
  step_index(OP_LOCAL_GET, 0);
  cr_assert_eq(g->nlazy, 3);
  step_i32(7);
  step_index(OP_LOCAL_SET, 0);
  cr_assert_eq(g->sp, 3);
  cr_assert_eq(g->stack[0].kind, CG_REG, "old value of local 0 kept");
  cr_assert_eq(g->stack[1].kind, CG_LOCAL, "other locals stay lazy");
  cr_assert_eq(g->stack[2].kind, CG_REG);
  cr_assert_eq(g->nlazy, 1);
}

Test(codegen, constants_stay_constants) {
  step_i32(5);
  step_i32(6);
  cr_assert_eq(g->stack[1].kind, CG_CONST);
  step(OP_I32_ADD);
  cr_assert_eq(g->sp, 1);
  cr_assert_eq(g->stack[0].kind, CG_REG);
}

Test(codegen, compare_waits_for_fusion) {
  step_index(OP_LOCAL_GET, 0);
  step_index(OP_LOCAL_GET, 1);
  step(OP_I32_LT_S);
  cr_assert(g->pend.active);
  cr_assert_eq(g->sp, 0);
  step(OP_I32_EQZ);
  cr_assert(g->pend.active);
  cr_assert_eq(g->pend.cond, JC_GE_S, "eqz inverts an integer compare");
  step(OP_DROP);
  cr_assert_not(g->pend.active, "any other op materialises the compare");
  cr_assert_eq(g->sp, 0);
}

Test(codegen, float_compare_negation_is_kept_as_a_flag) {
  cg_push_reg(g, JT_F64, cg_alloc(g, true));
  cg_push_reg(g, JT_F64, cg_alloc(g, true));
  step(OP_F64_LT);
  step(OP_I32_EQZ);
  cr_assert_eq(g->pend.cond, JC_FLT, "lt is not inverted (NaN)");
  cr_assert(g->pend.negate);
  step(OP_I32_EQZ);
  cr_assert_not(g->pend.negate);
}

Test(codegen, block_entry_flushes_registers_but_keeps_constants) {
  step_index(OP_LOCAL_GET, 0);
  step_i32(3);
  cg_push_reg(g, JT_I32, cg_alloc(g, false));
  uint64_t free_before = g->free_regs;
  step_block(OP_BLOCK, 0);
  cr_assert_eq(g->stack[0].kind, CG_SPILL, "lazy local copied to its slot");
  cr_assert_eq(g->stack[1].kind, CG_CONST);
  cr_assert_eq(g->stack[2].kind, CG_SPILL);
  cr_assert_eq(g->stack[2].index, 2);
  cr_assert_neq(g->free_regs, free_before);
  cr_assert_eq(g->nlazy, 0);
}

Test(codegen, single_result_of_a_block_arrives_in_merge_register) {
  step_block(OP_BLOCK, VT_I32);
  step_index(OP_LOCAL_GET, 0);
  step(OP_END);
  cr_assert_eq(g->sp, 1);
  cr_assert_eq(g->stack[0].kind, CG_REG);
  cr_assert_eq(g->stack[0].reg, jit_host_target.merge_gpr);
  cr_assert_not(cg_is_free(g, jit_host_target.merge_gpr));
}

Test(codegen, code_after_br_is_skipped_until_the_end) {
  step_block(OP_BLOCK, 0);
  step_index(OP_BR, 0);
  cr_assert(g->unreachable);
  step_block(OP_BLOCK, 0); /* dead, only counted */
  step(OP_I32_ADD);        /* dead: would underflow if compiled */
  step(OP_END);
  cr_assert(g->unreachable);
  step(OP_END);
  cr_assert_not(g->unreachable, "the block's label was targeted");
  cr_assert_eq(g->nctrl, 1);
}

Test(codegen, if_params_keep_their_slots_for_else) {
  step_i32(1);
  cg_push_reg(g, JT_I32, cg_alloc(g, false)); /* the condition */
  jit_instr in;
  memset(&in, 0, sizeof in);
  in.op = OP_IF;
  in.u.block.kind = BT_VALTYPE;
  in.u.block.valtype = VT_I32;
  cr_assert_null(jit_codegen_step(g, &in));
  cr_assert_eq(g->bias, 0, "no params: no bias");
  step_i32(2);
  step(OP_ELSE);
  cr_assert_eq(g->sp, 1, "back to the if's height");
  step_i32(3);
  step(OP_END);
  cr_assert_eq(g->sp, 2);
  cr_assert_eq(g->stack[1].reg, jit_host_target.merge_gpr);
}

Test(codegen, function_end_finishes_and_records_trap_stubs) {
  step_index(OP_LOCAL_GET, 0);
  step_index(OP_LOCAL_GET, 1);
  step(OP_I32_DIV_S);
  cr_assert(g->trap_used[WRUN_TRAP_INT_DIV_ZERO]);
  step(OP_END);
  cr_assert(jit_codegen_done(g));
  cr_assert_not(jit_codegen_refused_simd(g));
  cr_assert_gt(masm.buf.size, 0);
  cr_assert_geq(masm.ntraps, 2, "div-zero and stack-overflow stubs");
}

Test(codegen, simd_instructions_are_refused) {
  jit_instr in;
  memset(&in, 0, sizeof in);
  in.op = OP_V128_CONST;
  cr_assert_null(jit_codegen_step(g, &in));
  cr_assert(jit_codegen_refused_simd(g));
  cr_assert(jit_codegen_done(g));
}

/* ---- end to end: compiled through the public API and run -------------- */

/* wat2wasm of:
 * (module
 *   (func $fac (export "fac") (param i64) (result i64)
 *     local.get 0 i64.eqz
 *     if (result i64) i64.const 1 else local.get 0 local.get 0 i64.const 1 i64.sub call $fac i64.mul end)
 *   (func (export "ifparam") (param i32) (result i32)
 *     (i32.const 5) (i32.const 6) (local.get 0)
 *     (if (param i32 i32) (result i32)
 *       (then (block (i32.const 100) (i32.const 100) (i32.const 100) (i32.const 100)
 *                    (drop) (drop) (drop) (drop)) (i32.sub))
 *       (else (i32.mul))))
 *   (func $swap (param i32 i32) (result i32 i32) local.get 1 local.get 0)
 *   (func (export "swapsub") (param i32 i32) (result i32)
 *     local.get 0 local.get 1 call $swap i32.sub)
 *   (func (export "fsel") (param f64 f64) (result i32)
 *     (select (i32.const 1) (i32.const 0) (i32.eqz (f64.lt (local.get 0) (local.get 1)))))
 *   (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
 * )
 */
static const unsigned char e2e_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x1e, 0x05, 0x60,
  0x01, 0x7e, 0x01, 0x7e, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f,
  0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7f, 0x7f, 0x02, 0x7f, 0x7f, 0x60, 0x02,
  0x7c, 0x7c, 0x01, 0x7f, 0x03, 0x07, 0x06, 0x00, 0x01, 0x03, 0x02, 0x04,
  0x02, 0x07, 0x28, 0x05, 0x03, 0x66, 0x61, 0x63, 0x00, 0x00, 0x07, 0x69,
  0x66, 0x70, 0x61, 0x72, 0x61, 0x6d, 0x00, 0x01, 0x07, 0x73, 0x77, 0x61,
  0x70, 0x73, 0x75, 0x62, 0x00, 0x03, 0x04, 0x66, 0x73, 0x65, 0x6c, 0x00,
  0x04, 0x03, 0x64, 0x69, 0x76, 0x00, 0x05, 0x0a, 0x60, 0x06, 0x15, 0x00,
  0x20, 0x00, 0x50, 0x04, 0x7e, 0x42, 0x01, 0x05, 0x20, 0x00, 0x20, 0x00,
  0x42, 0x01, 0x7d, 0x10, 0x00, 0x7e, 0x0b, 0x0b, 0x21, 0x00, 0x41, 0x05,
  0x41, 0x06, 0x20, 0x00, 0x04, 0x02, 0x02, 0x40, 0x41, 0xe4, 0x00, 0x41,
  0xe4, 0x00, 0x41, 0xe4, 0x00, 0x41, 0xe4, 0x00, 0x1a, 0x1a, 0x1a, 0x1a,
  0x0b, 0x6b, 0x05, 0x6c, 0x0b, 0x0b, 0x06, 0x00, 0x20, 0x01, 0x20, 0x00,
  0x0b, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0x10, 0x02, 0x6b, 0x0b, 0x0d,
  0x00, 0x41, 0x01, 0x41, 0x00, 0x20, 0x00, 0x20, 0x01, 0x63, 0x45, 0x1b,
  0x0b, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6d, 0x0b
};


static wrun_engine *engine;
static wrun_store *store;
static wrun_instance *instance;

static void e2e_setup(void) {
  engine = wrun_engine_new();
  store = wrun_store_new(engine);
  wrun_module *module = NULL;
  wrun_error *err = wrun_module_new(engine, e2e_wasm, sizeof e2e_wasm, &module);
  cr_assert_null(err, "%s", err ? wrun_error_message(err) : "");
  wrun_error *ierr = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(store, module, NULL, 0, &instance, &ierr, &trap);
  cr_assert_null(ierr);
  cr_assert_null(trap);
  wrun_module_delete(module);
}

static void e2e_teardown(void) {
  wrun_store_delete(store);
  wrun_engine_delete(engine);
}

/* Calls export name; returns the trap (results written to res). */
static wrun_trap *call(const char *name, const wrun_val *args, size_t nargs,
                       wrun_val *res, size_t nres) {
  wrun_extern ext;
  cr_assert(wrun_instance_export(instance, name, &ext));
  cr_assert_eq(ext.kind, WRUN_EXTERN_FUNC);
  return wrun_func_call(store, ext.of.func, args, nargs, res, nres);
}

static wrun_val i32v(int32_t v) {
  wrun_val x;
  x.type = WRUN_I32;
  x.of.i32 = v;
  return x;
}

static wrun_val f64v(double d) {
  wrun_val x;
  x.type = WRUN_F64;
  memcpy(&x.of.f64_bits, &d, 8);
  return x;
}

TestSuite(codegen_e2e, .init = e2e_setup, .fini = e2e_teardown);

Test(codegen_e2e, recursion) {
  wrun_val arg, res;
  arg.type = WRUN_I64;
  arg.of.i64 = 20;
  cr_assert_null(call("fac", &arg, 1, &res, 1));
  cr_assert_eq(res.of.i64, 2432902008176640000LL);
}

Test(codegen_e2e, if_params_reach_both_arms) {
  wrun_val arg = i32v(1), res;
  cr_assert_null(call("ifparam", &arg, 1, &res, 1));
  cr_assert_eq(res.of.i32, -1);
  arg = i32v(0);
  cr_assert_null(call("ifparam", &arg, 1, &res, 1));
  cr_assert_eq(res.of.i32, 30);
}

Test(codegen_e2e, multi_value_call) {
  wrun_val args[2] = {i32v(10), i32v(3)}, res;
  cr_assert_null(call("swapsub", args, 2, &res, 1));
  cr_assert_eq(res.of.i32, -7);
}

Test(codegen_e2e, float_compare_negation_respects_nan) {
  wrun_val args[2] = {f64v(1.0), f64v(2.0)}, res;
  cr_assert_null(call("fsel", args, 2, &res, 1));
  cr_assert_eq(res.of.i32, 0);
  args[0] = f64v(__builtin_nan(""));
  cr_assert_null(call("fsel", args, 2, &res, 1));
  cr_assert_eq(res.of.i32, 1);
}

Test(codegen_e2e, conditional_traps) {
  wrun_val args[2] = {i32v(7), i32v(0)}, res;
  wrun_trap *t = call("div", args, 2, &res, 1);
  cr_assert_not_null(t);
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_INT_DIV_ZERO);
  wrun_trap_delete(t);
  args[0] = i32v(INT32_MIN);
  args[1] = i32v(-1);
  t = call("div", args, 2, &res, 1);
  cr_assert_not_null(t);
  cr_assert_eq(wrun_trap_code_of(t), WRUN_TRAP_INT_OVERFLOW);
  wrun_trap_delete(t);
  args[1] = i32v(2);
  cr_assert_null(call("div", args, 2, &res, 1), "store usable after traps");
  cr_assert_eq(res.of.i32, INT32_MIN / 2);
}
