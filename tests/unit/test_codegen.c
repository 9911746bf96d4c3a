/* The code generator (jit/codegen*.c): invariants of its value stack,
 * register allocator and control handling, observed through its private
 * state (code is emitted into a masm buffer, not run); then a few tricky
 * functions compiled through the public API and run. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "codegen_internal.h"
#include "instr.h"
#include "jit.h"
#include "wrun.h"
#include "x64/asm.h"

/* A module with one function of type (i32 i32) -> (i32) and given locals. */
static rt_valtype fn_types[] = {VT_I32, VT_I32, VT_I32};
static rt_functype the_type = {
    .nparams = 2, .nresults = 1, .types = fn_types, .id = 1, .final = true};
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
  rt_valtype locals[2] = {VT_I32, VT_F64};
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

/* SIMD compiles where the backend generates it (x86-64 with SSE4.1) and
 * refuses the function elsewhere. */
Test(codegen, simd_instructions_compile_or_are_refused) {
  jit_instr in;
  memset(&in, 0, sizeof in);
  in.op = OP_V128_CONST;
  in.u.v128[9] = 1; /* an upper half: needs a register */
  cr_assert_null(jit_codegen_step(g, &in));
  if (!masm_simd_supported()) {
    cr_assert(jit_codegen_refused_simd(g));
    cr_assert(jit_codegen_done(g));
    return;
  }
  cr_assert_not(jit_codegen_refused_simd(g));
  cr_assert_eq(g->sp, 1);
  cr_assert_eq(g->stack[0].kind, CG_REG);
  cr_assert_eq(g->stack[0].type, JT_V128);
  cr_assert(JIT_IS_FPR(g->stack[0].reg));
  memset(&in, 0, sizeof in);
  in.op = OP_I32X4_EXTRACT_LANE;
  in.u.lane = 2;
  cr_assert_null(jit_codegen_step(g, &in));
  cr_assert_eq(g->sp, 1);
  cr_assert_eq(g->stack[0].type, JT_I32);
  cr_assert_not(JIT_IS_FPR(g->stack[0].reg));
}

Test(codegen, v128_constant_with_zero_upper_half_stays_abstract) {
  if (!masm_simd_supported()) cr_skip_test("the host backend has no SIMD");
  jit_instr in;
  memset(&in, 0, sizeof in);
  in.op = OP_V128_CONST;
  in.u.v128[0] = 7;
  cr_assert_null(jit_codegen_step(g, &in));
  cr_assert_eq(g->stack[0].kind, CG_CONST);
  cr_assert_eq(g->stack[0].bits, 7);
}

/* ---- the register cache of locals --------------------------------------- */

/* The bytes masm_mov(t, dst, src) emits, to recognise a register copy. */
static bool ends_with_mov(jit_type t, jit_reg dst, jit_reg src) {
  jit_masm expect;
  jit_masm_init(&expect);
  masm_mov(&expect, t, dst, src);
  uint32_t n = expect.buf.size;
  bool same = n > 0 && masm.buf.size >= n &&
              memcmp(masm.buf.data + masm.buf.size - n, expect.buf.data, n) == 0;
  jit_masm_free(&expect);
  return same;
}

/* local 2 = param 0 + param 1, leaving the sum's register in the cache. */
static jit_reg set_local2(void) {
  step_index(OP_LOCAL_GET, 0);
  step_index(OP_LOCAL_GET, 1);
  step(OP_I32_ADD);
  cr_assert_eq(g->stack[0].kind, CG_REG);
  jit_reg sum = g->stack[0].reg;
  step_index(OP_LOCAL_SET, 2);
  return sum;
}

Test(codegen, declared_locals_read_as_zero_until_written_or_a_loop) {
  step_index(OP_LOCAL_GET, 2);
  cr_assert_eq(g->stack[0].kind, CG_CONST, "the prologue zeroed it");
  cr_assert_eq(g->stack[0].bits, 0);
  uint32_t size = masm.buf.size;
  step_index(OP_LOCAL_SET, 2); /* zero into a zero local: nothing to do */
  cr_assert_eq(masm.buf.size, size);
  step_index(OP_LOCAL_GET, 2);
  cr_assert_eq(g->stack[0].kind, CG_CONST);
  step(OP_DROP);
  step_block(OP_LOOP, 0); /* a back edge may bring later writes */
  step_index(OP_LOCAL_GET, 2);
  cr_assert_eq(g->stack[0].kind, CG_LOCAL);
}

Test(codegen, local_set_leaves_its_register_in_the_cache) {
  jit_reg sum = set_local2();
  cr_assert_eq(g->sp, 0);
  cr_assert_eq(cg_cache_find(g, 2), sum);
  cr_assert_not(cg_is_free(g, sum), "the cache owns the register");
  step_index(OP_LOCAL_GET, 2);
  jit_reg r = cg_pop_reg(g);
  cr_assert_neq(r, sum, "readers get a copy, the cache keeps its own");
  cr_assert(ends_with_mov(JT_I32, r, sum), "read from the register");
  cr_assert_eq(cg_cache_find(g, 2), sum);
  cg_free(g, r);
}

Test(codegen, local_tee_pushes_a_lazy_copy_and_caches) {
  step_index(OP_LOCAL_GET, 0);
  step_i32(1);
  step(OP_I32_ADD);
  jit_reg r = g->stack[0].reg;
  step_index(OP_LOCAL_TEE, 2);
  cr_assert_eq(g->sp, 1);
  cr_assert_eq(g->stack[0].kind, CG_LOCAL);
  cr_assert_eq(cg_cache_find(g, 2), r);
  step_i32(5);
  step_index(OP_LOCAL_SET, 2); /* materialises the lazy copy first */
  cr_assert_eq(g->stack[0].kind, CG_REG);
  cr_assert_neq(g->stack[0].reg, r, "a copy of the cached value");
  jit_reg now = cg_cache_find(g, 2);
  cr_assert(now == JIT_NO_REG || !cg_is_free(g, now),
            "a constant gets an idle register, if any");
  cr_assert(cg_is_free(g, r) || now == r, "the old entry is gone");
}

Test(codegen, loop_head_keeps_the_cache_for_back_edges_to_restore) {
  jit_reg sum = set_local2();
  step_block(OP_LOOP, 0);
  cg_ctrl *loop = &g->ctrl[g->nctrl - 1];
  cr_assert_eq(cg_cache_find(g, 2), sum);
  cr_assert(cg_snap_regs(g, loop->label_cache) & (1ull << sum));
  step_index(OP_LOCAL_GET, 1);
  step_index(OP_LOCAL_GET, 0);
  step(OP_I32_SUB);
  step_index(OP_LOCAL_SET, 2);
  cg_cache head;
  cg_snap_load(g, loop->label_cache, &head);
  cr_assert_not(cg_cache_satisfies(g, &head),
                "a back edge from here must move local 2 back into place");
  uint32_t before = masm.buf.size;
  step_index(OP_BR, 0);
  cr_assert_gt(masm.buf.size, before);
}

Test(codegen, cache_survives_block_entry_and_untargeted_end) {
  jit_reg sum = set_local2();
  step_block(OP_BLOCK, 0);
  cr_assert_eq(cg_cache_find(g, 2), sum);
  step(OP_END);
  cr_assert_eq(cg_cache_find(g, 2), sum, "only the fall-through arrives");
  step_block(OP_BLOCK, 0);
  step_index(OP_LOCAL_GET, 0);
  step_index(OP_BR_IF, 0);
  step(OP_END);
  cr_assert_eq(cg_cache_find(g, 2), sum, "the branch agreed");
}

Test(codegen, cache_keeps_only_what_joining_paths_agree_on) {
  jit_reg sum = set_local2();
  step_block(OP_BLOCK, 0);
  step_index(OP_LOCAL_GET, 0);
  step_index(OP_BR_IF, 0); /* this path: local 2 in sum */
  step_index(OP_LOCAL_GET, 1);
  step_index(OP_LOCAL_GET, 0);
  step(OP_I32_SUB);
  jit_reg other = g->stack[0].reg;
  step_index(OP_LOCAL_SET, 2); /* fall-through: local 2 in other */
  cr_assert_eq(cg_cache_find(g, 2), other);
  cr_assert(cg_is_free(g, sum));
  step(OP_END);
  cr_assert_eq(cg_cache_find(g, 2), JIT_NO_REG);
  cr_assert(cg_is_free(g, sum));
  cr_assert(cg_is_free(g, other));
}

Test(codegen, cache_is_dropped_after_a_call) {
  jit_reg sum = set_local2();
  step_index(OP_LOCAL_GET, 2);
  step_index(OP_LOCAL_GET, 2);
  step_index(OP_CALL, 0); /* the function itself: (i32 i32) -> i32 */
  cr_assert_eq(g->cache.regs, 0);
  cr_assert(cg_is_free(g, sum) || g->stack[0].reg == sum,
            "freed (or reused by the result)");
}

Test(codegen, cache_registers_go_before_any_spill) {
  jit_reg sum = set_local2();
  int n = gpr_count();
  for (int i = 0; i < n - 1; i++) cg_push_reg(g, JT_I32, cg_alloc(g, false));
  cr_assert_eq(g->free_regs & 0xffffffffull, 0);
  jit_reg r = cg_alloc(g, false);
  cr_assert_eq(r, sum, "the cached local is evicted for free");
  cr_assert_eq(cg_cache_find(g, 2), JIT_NO_REG);
  for (uint32_t i = 0; i < g->sp; i++) cr_assert_eq(g->stack[i].kind, CG_REG);
}

Test(codegen, a_pending_compare_borrows_until_it_is_fused) {
  jit_reg sum = set_local2();
  step_block(OP_BLOCK, 0);
  step_index(OP_LOCAL_GET, 2);
  step_index(OP_LOCAL_GET, 0);
  step(OP_I32_LT_S);
  cr_assert(g->pend.active);
  cr_assert_eq(g->pend.lhs, sum, "compared in place, no copy");
  cr_assert(g->cache.lent & (1ull << sum), "not evictable meanwhile");
  step_index(OP_BR_IF, 0);
  cr_assert_eq(g->cache.lent, 0);
  cr_assert_eq(cg_cache_find(g, 2), sum);
  cr_assert_not(cg_is_free(g, sum), "still owned by the cache");
}

Test(codegen, read_only_operands_borrow_the_cache_register) {
  jit_reg sum = set_local2();
  step_index(OP_LOCAL_GET, 0);
  step_index(OP_LOCAL_GET, 2);
  uint64_t free_before = g->free_regs;
  step(OP_I32_SUB); /* rhs local 2 is only read */
  cr_assert_eq(cg_cache_find(g, 2), sum);
  cr_assert_eq(g->cache.lent, 0, "loans end with the instruction");
  cr_assert_eq(__builtin_popcountll(free_before & ~g->free_regs), 1,
               "one register for the result, none for the read");
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

/* ---- end to end: faster code paths ---------------------------------------

 * wat2wasm of:
 * (module
 *   (memory 1)
 *   (func (export "gt_not") (param f32 f32) (result i32)
 *     (block (br_if 0 (i32.eqz (f32.gt (local.get 0) (local.get 1))))
 *            (return (i32.const 1)))
 *     (i32.const 0))
 *   (func (export "le_not_if") (param f64 f64) (result i32)
 *     (if (result i32) (i32.eqz (f64.le (local.get 0) (local.get 1)))
 *       (then (i32.const 1)) (else (i32.const 0))))
 *   (func (export "eq_not") (param f64 f64) (result i32)   ;; same with f64.eq
 *   (func (export "ne_not") (param f64 f64) (result i32)   ;; same with f64.ne
 *   (func (export "stores") (result i64)
 *     (i64.store (i32.const 0) (i64.const -1))
 *     (i32.store8 (i32.const 1) (i32.const 0x1234))
 *     (i32.store16 (i32.const 2) (i32.const 0xabcd))
 *     (i64.store (i32.const 8) (i64.const 0x123456789))
 *     (f32.store (i32.const 16) (f32.const 1.5))
 *     (i64.add (i64.load (i32.const 0)) (i64.load (i32.const 8))))
 *   (func (export "sum") (param i32) (result i32) (local i32 i32)
 *     (loop
 *       (local.set 1 (i32.add (local.get 1) (local.get 0)))
 *       (local.set 2 (i32.add (local.get 2) (local.get 1)))
 *       (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
 *     (i32.add (local.get 2) (i32.mul (local.get 1) (local.get 1)))))
 */
static const unsigned char fast_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x16, 0x04, 0x60,
  0x02, 0x7d, 0x7d, 0x01, 0x7f, 0x60, 0x02, 0x7c, 0x7c, 0x01, 0x7f, 0x60,
  0x00, 0x01, 0x7e, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x03, 0x07, 0x06, 0x00,
  0x01, 0x01, 0x01, 0x02, 0x03, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x37,
  0x06, 0x06, 0x67, 0x74, 0x5f, 0x6e, 0x6f, 0x74, 0x00, 0x00, 0x09, 0x6c,
  0x65, 0x5f, 0x6e, 0x6f, 0x74, 0x5f, 0x69, 0x66, 0x00, 0x01, 0x06, 0x65,
  0x71, 0x5f, 0x6e, 0x6f, 0x74, 0x00, 0x02, 0x06, 0x6e, 0x65, 0x5f, 0x6e,
  0x6f, 0x74, 0x00, 0x03, 0x06, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x73, 0x00,
  0x04, 0x03, 0x73, 0x75, 0x6d, 0x00, 0x05, 0x0a, 0xad, 0x01, 0x06, 0x12,
  0x00, 0x02, 0x40, 0x20, 0x00, 0x20, 0x01, 0x5e, 0x45, 0x0d, 0x00, 0x41,
  0x01, 0x0f, 0x0b, 0x41, 0x00, 0x0b, 0x10, 0x00, 0x20, 0x00, 0x20, 0x01,
  0x65, 0x45, 0x04, 0x7f, 0x41, 0x01, 0x05, 0x41, 0x00, 0x0b, 0x0b, 0x12,
  0x00, 0x02, 0x40, 0x20, 0x00, 0x20, 0x01, 0x61, 0x45, 0x0d, 0x00, 0x41,
  0x01, 0x0f, 0x0b, 0x41, 0x00, 0x0b, 0x12, 0x00, 0x02, 0x40, 0x20, 0x00,
  0x20, 0x01, 0x62, 0x45, 0x0d, 0x00, 0x41, 0x01, 0x0f, 0x0b, 0x41, 0x00,
  0x0b, 0x3a, 0x00, 0x41, 0x00, 0x42, 0x7f, 0x37, 0x03, 0x00, 0x41, 0x01,
  0x41, 0xb4, 0x24, 0x3a, 0x00, 0x00, 0x41, 0x02, 0x41, 0xcd, 0xd7, 0x02,
  0x3b, 0x01, 0x00, 0x41, 0x08, 0x42, 0x89, 0xcf, 0x95, 0x9a, 0x12, 0x37,
  0x03, 0x00, 0x41, 0x10, 0x43, 0x00, 0x00, 0xc0, 0x3f, 0x38, 0x02, 0x00,
  0x41, 0x00, 0x29, 0x03, 0x00, 0x41, 0x08, 0x29, 0x03, 0x00, 0x7c, 0x0b,
  0x26, 0x01, 0x02, 0x7f, 0x03, 0x40, 0x20, 0x01, 0x20, 0x00, 0x6a, 0x21,
  0x01, 0x20, 0x02, 0x20, 0x01, 0x6a, 0x21, 0x02, 0x20, 0x00, 0x41, 0x01,
  0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b, 0x20, 0x02, 0x20, 0x01, 0x20, 0x01,
  0x6c, 0x6a, 0x0b,
};

static void instantiate(const unsigned char *bytes, size_t size) {
  engine = wrun_engine_new();
  store = wrun_store_new(engine);
  wrun_module *module = NULL;
  wrun_error *err = wrun_module_new(engine, bytes, size, &module);
  cr_assert_null(err, "%s", err ? wrun_error_message(err) : "");
  wrun_error *ierr = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(store, module, NULL, 0, &instance, &ierr, &trap);
  cr_assert_null(ierr);
  cr_assert_null(trap);
  wrun_module_delete(module);
}

static void fast_setup(void) { instantiate(fast_wasm, sizeof fast_wasm); }

static wrun_val f32v(float f) {
  wrun_val x;
  x.type = WRUN_F32;
  memcpy(&x.of.f32_bits, &f, 4);
  return x;
}

TestSuite(codegen_fast, .init = fast_setup, .fini = e2e_teardown);

/* Calls a binary compare-like export and returns its i32. */
static int32_t call2(const char *name, wrun_val a, wrun_val b) {
  wrun_val args[2] = {a, b}, res;
  cr_assert_null(call(name, args, 2, &res, 1));
  return res.of.i32;
}

Test(codegen_fast, negated_float_branches_respect_nan) {
  float nanf = __builtin_nanf("");
  double nan = __builtin_nan("");
  cr_assert_eq(call2("gt_not", f32v(2), f32v(1)), 1);
  cr_assert_eq(call2("gt_not", f32v(1), f32v(1)), 0);
  cr_assert_eq(call2("gt_not", f32v(nanf), f32v(1)), 0);
  cr_assert_eq(call2("gt_not", f32v(1), f32v(nanf)), 0);
  cr_assert_eq(call2("le_not_if", f64v(1), f64v(2)), 0);
  cr_assert_eq(call2("le_not_if", f64v(2), f64v(2)), 0);
  cr_assert_eq(call2("le_not_if", f64v(3), f64v(2)), 1);
  cr_assert_eq(call2("le_not_if", f64v(nan), f64v(2)), 1);
  cr_assert_eq(call2("eq_not", f64v(2), f64v(2)), 1);
  cr_assert_eq(call2("eq_not", f64v(1), f64v(2)), 0);
  cr_assert_eq(call2("eq_not", f64v(nan), f64v(nan)), 0);
  cr_assert_eq(call2("ne_not", f64v(2), f64v(2)), 0);
  cr_assert_eq(call2("ne_not", f64v(1), f64v(2)), 1);
  cr_assert_eq(call2("ne_not", f64v(nan), f64v(nan)), 1);
}

Test(codegen_fast, constant_stores_of_every_width) {
  wrun_val res;
  cr_assert_null(call("stores", NULL, 0, &res, 1));
  cr_assert_eq((uint64_t)res.of.i64, 0xcf129c88ull);
}

Test(codegen_fast, loop_carried_locals_through_the_cache) {
  wrun_val arg = i32v(5), res;
  cr_assert_null(call("sum", &arg, 1, &res, 1));
  cr_assert_eq(res.of.i32, 280);
  arg = i32v(1000);
  cr_assert_null(call("sum", &arg, 1, &res, 1));
  uint32_t l0 = 1000, l1 = 0, l2 = 0;
  do {
    l1 += l0;
    l2 += l1;
  } while (--l0);
  cr_assert_eq(res.of.i32, (int32_t)(l2 + l1 * l1));
}

/* Back edges that must permute cached registers into the loop head's
 * places (including a 3-cycle), and a loop head reached after an if.
 * wat2wasm of:
 * (module
 *   (func (export "fibloop") (param i32) (result i32) (local i32 i32 i32)
 *     (local.set 1 (i32.const 0)) (local.set 2 (i32.const 1))
 *     (loop
 *       (local.set 3 (i32.add (local.get 1) (local.get 2)))
 *       (local.set 1 (local.get 2))
 *       (local.set 2 (local.get 3))
 *       (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
 *     (local.get 1))
 *   (func (export "rot") (param i32) (result i32) (local i32 i32 i32)
 *     (local.set 1 (i32.const 1)) (local.set 2 (i32.const 2))
 *     (local.set 3 (i32.const 3))
 *     (loop
 *       (local.get 1) (local.get 2) (local.get 3)
 *       (local.set 2) (local.set 1) (local.set 3)
 *       (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
 *     (i32.add (i32.mul (local.get 1) (i32.const 100))
 *              (i32.add (i32.mul (local.get 2) (i32.const 10)) (local.get 3))))
 *   (func (export "frot") (param i32) (result f64) (local f64 f64)
 *     (local.set 1 (f64.const 1)) (local.set 2 (f64.const 2))
 *     (loop
 *       (local.get 1) (local.get 2) (local.set 1) (local.set 2)
 *       (if (i32.and (local.get 0) (i32.const 1))
 *         (then (local.set 1 (f64.add (local.get 1) (f64.const 0.5)))))
 *       (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
 *     (f64.add (f64.mul (local.get 1) (f64.const 10)) (local.get 2))))
 */
static const unsigned char loops_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0b, 0x02, 0x60,
  0x01, 0x7f, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7c, 0x03, 0x04, 0x03,
  0x00, 0x00, 0x01, 0x07, 0x18, 0x03, 0x07, 0x66, 0x69, 0x62, 0x6c, 0x6f,
  0x6f, 0x70, 0x00, 0x00, 0x03, 0x72, 0x6f, 0x74, 0x00, 0x01, 0x04, 0x66,
  0x72, 0x6f, 0x74, 0x00, 0x02, 0x0a, 0xb7, 0x01, 0x03, 0x29, 0x01, 0x03,
  0x7f, 0x41, 0x00, 0x21, 0x01, 0x41, 0x01, 0x21, 0x02, 0x03, 0x40, 0x20,
  0x01, 0x20, 0x02, 0x6a, 0x21, 0x03, 0x20, 0x02, 0x21, 0x01, 0x20, 0x03,
  0x21, 0x02, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b,
  0x20, 0x01, 0x0b, 0x37, 0x01, 0x03, 0x7f, 0x41, 0x01, 0x21, 0x01, 0x41,
  0x02, 0x21, 0x02, 0x41, 0x03, 0x21, 0x03, 0x03, 0x40, 0x20, 0x01, 0x20,
  0x02, 0x20, 0x03, 0x21, 0x02, 0x21, 0x01, 0x21, 0x03, 0x20, 0x00, 0x41,
  0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b, 0x20, 0x01, 0x41, 0xe4, 0x00,
  0x6c, 0x20, 0x02, 0x41, 0x0a, 0x6c, 0x20, 0x03, 0x6a, 0x6a, 0x0b, 0x53,
  0x01, 0x02, 0x7c, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f,
  0x21, 0x01, 0x44, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x21,
  0x02, 0x03, 0x40, 0x20, 0x01, 0x20, 0x02, 0x21, 0x01, 0x21, 0x02, 0x20,
  0x00, 0x41, 0x01, 0x71, 0x04, 0x40, 0x20, 0x01, 0x44, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0xe0, 0x3f, 0xa0, 0x21, 0x01, 0x0b, 0x20, 0x00, 0x41,
  0x01, 0x6b, 0x22, 0x00, 0x0d, 0x00, 0x0b, 0x20, 0x01, 0x44, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x24, 0x40, 0xa2, 0x20, 0x02, 0xa0, 0x0b,
};

static void loops_setup(void) { instantiate(loops_wasm, sizeof loops_wasm); }

TestSuite(codegen_loops, .init = loops_setup, .fini = e2e_teardown);

static int32_t call_i32(const char *name, int32_t a) {
  wrun_val arg = i32v(a), res;
  cr_assert_null(call(name, &arg, 1, &res, 1));
  return res.of.i32;
}

static double call_f64(const char *name, int32_t a) {
  wrun_val arg = i32v(a), res;
  cr_assert_null(call(name, &arg, 1, &res, 1));
  double d;
  memcpy(&d, &res.of.f64_bits, 8);
  return d;
}

Test(codegen_loops, back_edges_restore_the_loop_head_cache) {
  cr_assert_eq(call_i32("fibloop", 10), 55);
  cr_assert_eq(call_i32("fibloop", 30), 832040);
  cr_assert_eq(call_i32("rot", 1), 231);
  cr_assert_eq(call_i32("rot", 2), 312);
  cr_assert_eq(call_i32("rot", 7), 231);
  cr_assert_eq(call_f64("frot", 1), 26.0);
  cr_assert_eq(call_f64("frot", 4), 22.0);
  cr_assert_eq(call_f64("frot", 7), 41.0);
}

/* ---- deep nesting: the compiler's memory per level stays small --------- */

/* Bytes the control stack and the saved-cache arena hold, per open level. */
static double control_bytes_per_level(uint32_t levels) {
  size_t bytes = (size_t)g->cap_ctrl * sizeof(cg_ctrl) +
                 (size_t)g->snap_cap * sizeof *g->snaps;
  return (double)bytes / levels;
}

#define DEEP 100000u

/* SIMD end to end (x86-64 with SSE4.1 only):
 *   (global $g (mut v128) (v128.const i32x4 1 2 3 4))
 *   (func $id (param v128) (result v128) (local.get 0))
 *   (func (export "many") (param $x i32) (result i32)
 *     (local $a v128) (local $b v128)
 *     (local.set $a (i32x4.splat (local.get $x)))
 *     (local.set $b (v128.const i32x4 10 20 30 40))
 *     (i32x4.extract_lane 3 (i32x4.add (i32x4.add a b) (... 20 levels, the
 *       innermost b through (call $id), ending in (global.get $g)))))
 *   (func (export "ifp") (param i32) (result i32)
 *     (v128.const i32x4 5 6 7 8) (v128.const i32x4 1 1 1 1)
 *     (if (param v128 v128) (result v128) (local.get 0)
 *       (then (i32x4.add)) (else (i32x4.sub)))
 *     (i32x4.extract_lane 1))
 * "many" keeps twenty v128 values live (spills into 16-byte slots, a call
 * in the middle); "ifp" hands v128 params to both arms of an if. */
static const unsigned char simd_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x11, 0x03, 0x60,
  0x01, 0x7b, 0x01, 0x7b, 0x60, 0x01, 0x7f, 0x01, 0x7f, 0x60, 0x02, 0x7b,
  0x7b, 0x01, 0x7b, 0x03, 0x04, 0x03, 0x00, 0x01, 0x01, 0x06, 0x16, 0x01,
  0x7b, 0x01, 0xfd, 0x0c, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
  0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x0b, 0x07, 0x0e, 0x02,
  0x04, 0x6d, 0x61, 0x6e, 0x79, 0x00, 0x01, 0x03, 0x69, 0x66, 0x70, 0x00,
  0x02, 0x0a, 0xab, 0x02, 0x03, 0x04, 0x00, 0x20, 0x00, 0x0b, 0xed, 0x01,
  0x01, 0x02, 0x7b, 0x20, 0x00, 0xfd, 0x11, 0x21, 0x01, 0xfd, 0x0c, 0x0a,
  0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x1e, 0x00, 0x00, 0x00, 0x28,
  0x00, 0x00, 0x00, 0x21, 0x02, 0x20, 0x01, 0x20, 0x02, 0xfd, 0xae, 0x01,
  0x20, 0x01, 0x20, 0x02, 0xfd, 0xae, 0x01, 0x20, 0x01, 0x20, 0x02, 0xfd,
  0xae, 0x01, 0x20, 0x01, 0x20, 0x02, 0xfd, 0xae, 0x01, 0x20, 0x01, 0x20,
  0x02, 0xfd, 0xae, 0x01, 0x20, 0x01, 0x20, 0x02, 0xfd, 0xae, 0x01, 0x20,
  0x01, 0x20, 0x02, 0xfd, 0xae, 0x01, 0x20, 0x01, 0x20, 0x02, 0xfd, 0xae,
  0x01, 0x20, 0x01, 0x20, 0x02, 0xfd, 0xae, 0x01, 0x20, 0x01, 0x20, 0x02,
  0xfd, 0xae, 0x01, 0x20, 0x01, 0x20, 0x02, 0xfd, 0xae, 0x01, 0x20, 0x01,
  0x20, 0x02, 0xfd, 0xae, 0x01, 0x20, 0x01, 0x20, 0x02, 0xfd, 0xae, 0x01,
  0x20, 0x01, 0x20, 0x02, 0xfd, 0xae, 0x01, 0x20, 0x01, 0x20, 0x02, 0xfd,
  0xae, 0x01, 0x20, 0x01, 0x20, 0x02, 0xfd, 0xae, 0x01, 0x20, 0x01, 0x20,
  0x02, 0xfd, 0xae, 0x01, 0x20, 0x01, 0x20, 0x02, 0xfd, 0xae, 0x01, 0x20,
  0x01, 0x20, 0x02, 0xfd, 0xae, 0x01, 0x20, 0x01, 0x20, 0x02, 0x10, 0x00,
  0xfd, 0xae, 0x01, 0x23, 0x00, 0xfd, 0xae, 0x01, 0xfd, 0xae, 0x01, 0xfd,
  0xae, 0x01, 0xfd, 0xae, 0x01, 0xfd, 0xae, 0x01, 0xfd, 0xae, 0x01, 0xfd,
  0xae, 0x01, 0xfd, 0xae, 0x01, 0xfd, 0xae, 0x01, 0xfd, 0xae, 0x01, 0xfd,
  0xae, 0x01, 0xfd, 0xae, 0x01, 0xfd, 0xae, 0x01, 0xfd, 0xae, 0x01, 0xfd,
  0xae, 0x01, 0xfd, 0xae, 0x01, 0xfd, 0xae, 0x01, 0xfd, 0xae, 0x01, 0xfd,
  0xae, 0x01, 0xfd, 0xae, 0x01, 0xfd, 0x1b, 0x03, 0x0b, 0x35, 0x00, 0xfd,
  0x0c, 0x05, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00,
  0x00, 0x08, 0x00, 0x00, 0x00, 0xfd, 0x0c, 0x01, 0x00, 0x00, 0x00, 0x01,
  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x20,
  0x00, 0x04, 0x02, 0xfd, 0xae, 0x01, 0x05, 0xfd, 0xb1, 0x01, 0x0b, 0xfd,
  0x1b, 0x01, 0x0b
};

static void simd_setup(void) {
  if (masm_simd_supported()) instantiate(simd_wasm, sizeof simd_wasm);
}

TestSuite(codegen_simd, .init = simd_setup, .fini = e2e_teardown);

Test(codegen_simd, twenty_live_v128_values_spill_and_survive_a_call) {
  if (!masm_simd_supported()) cr_skip_test("the host backend has no SIMD");
  wrun_val arg = i32v(1), res;
  cr_assert_null(call("many", &arg, 1, &res, 1));
  cr_assert_eq(res.of.i32, 20 * (1 + 40) + 4);
}

Test(codegen_simd, v128_params_reach_both_arms_of_an_if) {
  if (!masm_simd_supported()) cr_skip_test("the host backend has no SIMD");
  wrun_val arg = i32v(1), res;
  cr_assert_null(call("ifp", &arg, 1, &res, 1));
  cr_assert_eq(res.of.i32, 7);
  arg = i32v(0);
  cr_assert_null(call("ifp", &arg, 1, &res, 1));
  cr_assert_eq(res.of.i32, 5);
}

Test(codegen, deep_block_nesting_costs_a_few_bytes_per_level) {
  cr_assert_leq(sizeof(cg_ctrl), 64, "a frame is paid per nesting level");
  set_local2(); /* a non-empty cache: blocks must not copy it */
  for (uint32_t i = 0; i < DEEP; i++) step_block(OP_BLOCK, 0);
  cr_assert_eq(g->nctrl, DEEP + 1);
  double per_level = control_bytes_per_level(DEEP);
  cr_assert_leq(per_level, 100.0, "%.1f bytes per level", per_level);
  for (uint32_t i = 0; i < DEEP; i++) step(OP_END);
  cr_assert_eq(g->nctrl, 1);
  step_index(OP_LOCAL_GET, 2);
  step(OP_END);
  cr_assert(jit_codegen_done(g));
}

/* Ifs and loops save the cache (else arm, loop head): only the entries
 * there are kept, and the arena is empty again once they are closed. */
Test(codegen, deep_if_and_loop_nesting_keeps_compact_caches) {
  jit_reg sum = set_local2();
  for (uint32_t i = 0; i < DEEP; i++) {
    if (i % 2) {
      step_block(OP_LOOP, 0);
    } else {
      step_index(OP_LOCAL_GET, 1);
      step_block(OP_IF, 0);
    }
  }
  cr_assert_eq(cg_cache_find(g, 2), sum);
  cg_ctrl *inner = &g->ctrl[g->nctrl - 1];
  cr_assert(cg_snap_regs(g, inner->label_cache) & (1ull << sum));
  double per_level = control_bytes_per_level(DEEP);
  cr_assert_leq(per_level, 160.0, "%.1f bytes per level", per_level);
  for (uint32_t i = 0; i < DEEP; i++) step(OP_END);
  cr_assert_eq(g->nctrl, 1);
  cr_assert_eq(g->snap_top, 1, "every saved cache was freed with its frame");
  step_index(OP_LOCAL_GET, 2);
  step(OP_END);
  cr_assert(jit_codegen_done(g));
}

/* A block's first branch can come from inside nested blocks: its saved
 * cache then lies above theirs and must survive their ends. */
Test(codegen, a_label_cache_saved_from_inside_survives_the_inner_ends) {
  jit_reg sum = set_local2();
  step_block(OP_BLOCK, 0); /* A */
  step_block(OP_BLOCK, 0);
  step_block(OP_BLOCK, 0);
  step_index(OP_LOCAL_GET, 0);
  step_index(OP_BR_IF, 2); /* the first branch to A */
  step(OP_END);
  step(OP_END);
  cg_snap saved = g->ctrl[g->nctrl - 1].label_cache;
  cr_assert_neq(saved, 0);
  cg_cache before;
  cg_snap_load(g, saved, &before);
  cr_assert(before.regs & (1ull << sum));
  cr_assert_eq(before.local[sum], 2);
  step_index(OP_LOCAL_GET, 1);
  step_index(OP_LOCAL_SET, 2); /* a cache unlike A's */
  step_block(OP_LOOP, 0); /* saves its head cache: must not overwrite A's */
  cr_assert_neq(cg_snap_regs(g, g->ctrl[g->nctrl - 1].label_cache),
                before.regs);
  step(OP_END);
  cg_cache after;
  cg_snap_load(g, g->ctrl[g->nctrl - 1].label_cache, &after);
  cr_assert_eq(after.regs, before.regs);
  cr_assert_eq(after.clock, before.clock);
  for (uint64_t m = before.regs; m; m &= m - 1) {
    int r = __builtin_ctzll(m);
    cr_assert_eq(after.local[r], before.local[r]);
    cr_assert_eq(after.age[r], before.age[r]);
  }
  step(OP_END);
  cr_assert_eq(g->nctrl, 1);
  cr_assert_eq(g->snap_top, 1);
}

/* The same depth through the public API (decoder, validator, generator),
 * and run: (func (result i32) (block (result i32) ... (i32.const 7) ...)). */
static unsigned char *deep_module(uint32_t depth, size_t *size) {
  size_t body_len = 1 + 2 * (size_t)depth + 2 + depth + 1;
  unsigned char head[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,       /* type () -> i32 */
    0x03, 0x02, 0x01, 0x00,                         /* func 0: type 0 */
    0x07, 0x05, 0x01, 0x01, 'f', 0x00, 0x00,        /* export "f" */
  };
  size_t n = sizeof head + 1 + 5 + 1 + 5 + body_len;
  unsigned char *p = malloc(n), *w = p;
  cr_assert_not_null(p);
  memcpy(w, head, sizeof head);
  w += sizeof head;
  *w++ = 0x0a;
  size_t section_len = 1 + 5 + body_len;
  for (int k = 0; k < 5; k++, section_len >>= 7)
    *w++ = (unsigned char)((section_len & 0x7f) | (k < 4 ? 0x80 : 0));
  *w++ = 0x01; /* one body */
  size_t len = body_len;
  for (int k = 0; k < 5; k++, len >>= 7)
    *w++ = (unsigned char)((len & 0x7f) | (k < 4 ? 0x80 : 0));
  *w++ = 0x00; /* no locals */
  for (uint32_t i = 0; i < depth; i++) {
    *w++ = 0x02;
    *w++ = 0x7f;
  }
  *w++ = 0x41;
  *w++ = 0x07;
  memset(w, 0x0b, depth + 1);
  w += depth + 1;
  *size = (size_t)(w - p);
  return p;
}

TestSuite(codegen_deep, .fini = e2e_teardown);

Test(codegen_deep, a_hundred_thousand_nested_blocks_compile_and_run) {
  size_t size;
  unsigned char *bytes = deep_module(DEEP, &size);
  instantiate(bytes, size);
  free(bytes);
  wrun_val res;
  cr_assert_null(call("f", NULL, 0, &res, 1));
  cr_assert_eq(res.of.i32, 7);
}

/* ---- SIMD refusals: "no SIMD here" versus "this instruction is missing" -- */

#if defined(__x86_64__)
/* (module (func (export "gt") (param v128 v128) (result v128)
 *   local.get 0 local.get 1 i64x2.gt_s)): i64x2.gt_s needs SSE4.2. */
static const unsigned char i64x2_gt_wasm[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60,
  0x02, 0x7b, 0x7b, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x07, 0x06, 0x01,
  0x02, 0x67, 0x74, 0x00, 0x00, 0x0a, 0x0b, 0x01, 0x09, 0x00, 0x20, 0x00,
  0x20, 0x01, 0xfd, 0xd9, 0x01, 0x0b,
};

/* The compile error for i64x2_gt_wasm with the given vector features
 * forced (compiling only: nothing runs on the real CPU). */
static char *compile_error_with_vector_features(unsigned bits) {
  unsigned saved = x64_cpu_vector_features();
  x64_set_cpu_vector_features(bits);
  wrun_engine *engine = wrun_engine_new();
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(engine, i64x2_gt_wasm,
                                    sizeof i64x2_gt_wasm, &m);
  x64_set_cpu_vector_features(saved);
  char *msg = err ? strdup(wrun_error_message(err)) : NULL;
  wrun_error_delete(err);
  wrun_module_delete(m);
  wrun_engine_delete(engine);
  return msg;
}

/* The spec runner skips modules refused with "SIMD code generation not
 * supported yet": that must mean the backend has no SIMD at all, never
 * that one lowering is missing, or a lost opcode would pass as skipped. */
Test(codegen_simd_refusal, a_missing_lowering_is_an_error_naming_it) {
  char *msg = compile_error_with_vector_features(1 | 2); /* no SSE4.2 */
  cr_assert_not_null(msg, "i64x2.gt_s compiled without SSE4.2");
  cr_expect_str_eq(msg, "function 0: SIMD instruction i64x2.gt_s not "
                   "implemented by this backend");
  free(msg);
}

Test(codegen_simd_refusal, no_simd_at_all_is_the_skippable_refusal) {
  char *msg = compile_error_with_vector_features(0);
  cr_assert_not_null(msg, "SIMD compiled without SSSE3/SSE4.1");
  cr_expect_str_eq(msg, "SIMD code generation not supported yet");
  free(msg);
}

/* The backend's own answer agrees with the compiler's CPU detection, so a
 * broken cpuid decoding cannot turn every SIMD test into a skip. */
Test(codegen_simd_refusal, simd_support_matches_the_cpu) {
  bool cpu = __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("sse4.1");
  cr_expect_eq(masm_simd_supported(), cpu);
  cr_expect_eq((x64_cpu_vector_features() & 4) != 0,
               (bool)__builtin_cpu_supports("sse4.2"));
}
#endif

/* The index of registers and lazy entries (owner[], lazy[]) that makes
 * spills, joins and branches independent of the stack depth must agree
 * with the stack after every kind of change: lazy copies past the cap,
 * materialising a local, register pressure, a block entry, a branch path
 * and its restore, truncation at an end. */
Test(codegen, register_and_lazy_index_agree_with_the_stack) {
  for (uint32_t k = 0; k < CG_MAX_LAZY + 8; k++) {
    step_index(OP_LOCAL_GET, k % 2);
    cr_assert_null(cg_check_stack(g), "after local.get %u", k);
  }
  cr_assert_eq(g->nlazy, CG_MAX_LAZY, "lazy copies are capped");
  step_i32(5);
  step_index(OP_LOCAL_SET, 0); /* every lazy copy of local 0 loads */
  cr_assert_null(cg_check_stack(g));
  for (uint32_t i = 0; i < g->sp; i++)
    cr_assert(g->stack[i].kind != CG_LOCAL || g->stack[i].index != 0,
              "a lazy copy of local 0 survived its local.set");
  for (int k = 0; k < 2 * gpr_count(); k++) { /* more values than GPRs */
    step_index(OP_LOCAL_GET, 1);
    step(OP_I32_EQZ);
    step_i32(1);
    step(OP_I32_ADD);
    cr_assert_null(cg_check_stack(g));
  }
  uint32_t depth = g->sp;
  step_block(OP_BLOCK, VT_I32);
  cr_assert_null(cg_check_stack(g));
  cr_assert_eq(g->nlazy, 0, "a block entry leaves no lazy copy below it");
  step_index(OP_LOCAL_GET, 1);
  step_index(OP_LOCAL_GET, 0);
  step_index(OP_BR_IF, 0); /* the branch path spills, then is undone */
  cr_assert_null(cg_check_stack(g));
  step(OP_END);
  cr_assert_null(cg_check_stack(g));
  cr_assert_eq(g->sp, depth + 1);
  step_block(OP_BLOCK, 0); /* entries dropped by the stack's truncation */
  step_index(OP_LOCAL_GET, 0);
  step(OP_I32_EQZ);
  step_i32(3);
  step(OP_I32_ADD); /* a register */
  step_index(OP_LOCAL_GET, 1); /* a lazy copy */
  step_index(OP_BR, 0);
  cr_assert_null(cg_check_stack(g));
  step(OP_END);
  cr_assert_null(cg_check_stack(g));
  cr_assert_eq(g->sp, depth + 1);
}
