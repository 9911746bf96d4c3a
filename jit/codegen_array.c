/* GC arrays (issue 8): [rtt][u32 length][elements at RT_GC_ARRAY_DATA]
 * (gc.h). Element accesses, the length and fills are inline; allocation
 * and the segment and copy operations are libcalls
 * (runtime/gc_libcalls.c). */
#include "codegen_internal.h"

#include "../runtime/gc.h"
#include "libcalls.h"

static rt_valtype elem_storage(const jit_codegen *g, uint32_t type_index) {
  return g->mod->types[type_index].types[0];
}

static uint8_t log2_size(rt_valtype storage) {
  switch (rt_gc_storage_size(storage)) {
  case 1: return 0;
  case 2: return 1;
  case 4: return 2;
  case 8: return 3;
  default: return 4;
  }
}

/* The byte offset of element `index` (a u32 register, consumed) from the
 * data start, in a register. */
static jit_reg elem_offset(jit_codegen *g, jit_reg index, rt_valtype storage) {
  uint8_t shift = log2_size(storage);
  if (shift)
    masm_binop(g->m, JB_SHL, JT_I64, index, index, jit_imm_opnd(shift));
  return index;
}

/* Traps unless index < length of arr (both registers; arr non-null). */
static void bounds_check(jit_codegen *g, jit_reg arr, jit_reg index) {
  jit_reg len = cg_alloc(g, false);
  masm_load_ptr(g->m, JT_I32, len, arr, RT_GC_ARRAY_LEN);
  masm_cmp_branch(g->m, JC_GE_U, JT_I32, index, jit_reg_opnd(len),
                  cg_trap_label(g, WRUN_TRAP_ARRAY_OOB));
  cg_free(g, len);
}

/* Stores the value on top of the stack (popped) into n elements of arr
 * from element `start` (u32 registers; start and n are consumed). */
static void fill(jit_codegen *g, rt_valtype storage, jit_reg arr,
                 jit_reg start, jit_reg n) {
  jit_reg val = cg_pop_reg(g);
  uint8_t shift = log2_size(storage);
  jit_reg p = elem_offset(g, start, storage);
  masm_binop(g->m, JB_ADD, JT_I64, p, p, jit_reg_opnd(arr));
  jit_reg end = n;
  if (shift) masm_binop(g->m, JB_SHL, JT_I64, end, end, jit_imm_opnd(shift));
  masm_binop(g->m, JB_ADD, JT_I64, end, end, jit_reg_opnd(p));
  jit_label loop, done;
  jit_label_init(&loop);
  jit_label_init(&done);
  masm_bind(g->m, &loop);
  masm_cmp_branch(g->m, JC_GE_U, JT_I64, p, jit_reg_opnd(end), &done);
  cg_gc_store(g, storage, val, p, jit_imm_opnd(0), RT_GC_ARRAY_DATA);
  masm_binop(g->m, JB_ADD, JT_I64, p, p,
             jit_imm_opnd(rt_gc_storage_size(storage)));
  masm_jmp(g->m, &loop);
  masm_bind(g->m, &done);
  cg_free(g, val);
  cg_free(g, p);
  cg_free(g, end);
}

static bool is_zero_const(const jit_codegen *g) {
  const cg_value *v = &g->stack[g->sp - 1];
  return v->kind == CG_CONST && v->bits == 0 && v->type != JT_V128;
}

/* array.new $t: [value length] -> [(ref $t)]; array.new_default: [length]. */
void cg_op_array_new(jit_codegen *g, const jit_instr *in) {
  const rt_gc_rtt *rtt = cg_gc_rtt(g, in->u.index);
  if (!rtt) return;
  uint64_t imm = (uintptr_t)rtt;
  bool value = in->op == OP_ARRAY_NEW;
  cg_libcall_sym(g, JIT_SYM_RTT, in->u.index);
  cg_libcall_gc(g, (const void *)rt_lib_gc_array_new, &imm, 1, 1, JT_REF,
                g->mod->types[in->u.index].types, value ? 1 : 0, true);
  if (!value) return;
  jit_reg arr = cg_pop_reg(g);
  if (is_zero_const(g)) { /* the new array holds zeros already */
    cg_value v = cg_pop(g);
    cg_release(g, &v);
  } else {
    jit_reg start = cg_alloc(g, false), n = cg_alloc(g, false);
    masm_mov_imm(g->m, JT_I32, start, 0);
    masm_load_ptr(g->m, JT_I32, n, arr, RT_GC_ARRAY_LEN);
    fill(g, elem_storage(g, in->u.index), arr, start, n);
  }
  cg_push_reg(g, JT_REF, arr);
}

/* array.new_fixed $t n: [n values] -> [(ref $t)]. */
void cg_op_array_new_fixed(jit_codegen *g, const jit_instr *in) {
  const rt_gc_rtt *rtt = cg_gc_rtt(g, in->u.pair.a);
  if (!rtt) return;
  uint64_t imm[2] = {(uintptr_t)rtt, in->u.pair.b};
  cg_libcall_sym(g, JIT_SYM_RTT, in->u.pair.a);
  cg_libcall_gc(g, (const void *)rt_lib_gc_array_new, imm, 2, 0, JT_REF,
                g->mod->types[in->u.pair.a].types, in->u.pair.b, true);
  rt_valtype storage = elem_storage(g, in->u.pair.a);
  uint32_t size = rt_gc_storage_size(storage);
  jit_reg arr = cg_pop_reg(g);
  for (uint32_t k = in->u.pair.b; k-- > 0;)
    cg_gc_store_top(g, storage, arr, jit_imm_opnd(0),
                    RT_GC_ARRAY_DATA + k * size);
  cg_push_reg(g, JT_REF, arr);
}

/* array.new_data/elem $t $s: [offset length] -> [(ref $t)]. */
void cg_op_array_new_segment(jit_codegen *g, const jit_instr *in) {
  const rt_gc_rtt *rtt = cg_gc_rtt(g, in->u.pair.a);
  if (!rtt) return;
  uint64_t imm[2] = {(uintptr_t)rtt, in->u.pair.b};
  const void *fn = in->op == OP_ARRAY_NEW_DATA
                       ? (const void *)rt_lib_gc_array_new_data
                       : (const void *)rt_lib_gc_array_new_elem;
  cg_libcall_sym(g, JIT_SYM_RTT, in->u.pair.a);
  cg_libcall_gc(g, fn, imm, 2, 2, JT_REF, NULL, 0, false);
}

void cg_op_array_get(jit_codegen *g, const jit_instr *in) {
  rt_valtype storage = elem_storage(g, in->u.index);
  jit_reg index = cg_pop_reg(g);
  jit_reg arr = cg_pop_reg(g);
  cg_gc_null_check(g, arr, WRUN_TRAP_NULL_ARRAY);
  bounds_check(g, arr, index);
  jit_reg off = elem_offset(g, index, storage);
  cg_gc_load(g, storage, in->op == OP_ARRAY_GET_S, arr, jit_reg_opnd(off),
             RT_GC_ARRAY_DATA);
  cg_free(g, off);
  cg_free(g, arr);
}

void cg_op_array_set(jit_codegen *g, const jit_instr *in) {
  rt_valtype storage = elem_storage(g, in->u.index);
  jit_reg val = cg_pop_reg(g);
  jit_reg index = cg_pop_reg(g);
  jit_reg arr = cg_pop_reg(g);
  cg_gc_null_check(g, arr, WRUN_TRAP_NULL_ARRAY);
  bounds_check(g, arr, index);
  jit_reg off = elem_offset(g, index, storage);
  cg_gc_store(g, storage, val, arr, jit_reg_opnd(off), RT_GC_ARRAY_DATA);
  cg_free(g, val);
  cg_free(g, off);
  cg_free(g, arr);
}

void cg_op_array_len(jit_codegen *g, const jit_instr *in) {
  (void)in;
  jit_reg arr = cg_pop_reg(g);
  cg_gc_null_check(g, arr, WRUN_TRAP_NULL_ARRAY);
  masm_load_ptr(g->m, JT_I32, arr, arr, RT_GC_ARRAY_LEN);
  cg_push_reg(g, JT_I32, arr);
}

/* array.fill $t: [ref offset value n] -> []. */
void cg_op_array_fill(jit_codegen *g, const jit_instr *in) {
  jit_reg n = cg_pop_reg(g);
  /* the value goes back on top for fill(); offset and ref are below it */
  jit_type vt = (jit_type)g->stack[g->sp - 1].type;
  jit_reg val = cg_pop_reg(g);
  jit_reg start = cg_pop_reg(g);
  jit_reg arr = cg_pop_reg(g);
  cg_push_reg(g, vt, val);
  cg_gc_null_check(g, arr, WRUN_TRAP_NULL_ARRAY);
  /* offset + n <= length, in 64 bits so the sum cannot wrap */
  jit_reg end = cg_alloc(g, false), len = cg_alloc(g, false);
  masm_binop(g->m, JB_ADD, JT_I64, end, start, jit_reg_opnd(n));
  masm_load_ptr(g->m, JT_I32, len, arr, RT_GC_ARRAY_LEN);
  masm_cmp_branch(g->m, JC_GT_U, JT_I64, end, jit_reg_opnd(len),
                  cg_trap_label(g, WRUN_TRAP_ARRAY_OOB));
  cg_free(g, end);
  cg_free(g, len);
  fill(g, elem_storage(g, in->u.index), arr, start, n);
  cg_free(g, arr);
}

/* array.copy $t $s: [dst doff src soff n] -> []. */
void cg_op_array_copy(jit_codegen *g, const jit_instr *in) {
  (void)in;
  cg_libcall(g, (const void *)rt_lib_gc_array_copy, NULL, 0, 5,
             CG_NO_RESULT);
}

/* array.init_data/elem $t $s: [ref doff soff n] -> []. */
void cg_op_array_init_segment(jit_codegen *g, const jit_instr *in) {
  uint64_t imm = in->u.pair.b;
  const void *fn = in->op == OP_ARRAY_INIT_DATA
                       ? (const void *)rt_lib_gc_array_init_data
                       : (const void *)rt_lib_gc_array_init_elem;
  cg_libcall(g, fn, &imm, 1, 4, CG_NO_RESULT);
}
