/* GC instructions (Wasm 3.0, issue 8): i31 references and casts. An
 * anyref is one word (runtime/gc.h): 0 is null, a word with its low bit
 * set is an i31 ((value << 1) | 1, in the low 32 bits), anything else a
 * pointer to a GC object, whose rtt says its kind and supertypes. A
 * funcref is its rt_funcref record, as always. */
#include "codegen_internal.h"

#include "../runtime/gc.h"
#include "libcalls.h"

/* Branches to on_fail if the non-null, non-i31 object ref's rtt kind is
 * not `kind` (RT_GC_STRUCT, RT_GC_ARRAY) or, kind 0, is a host box (eq
 * takes structs and arrays). */
static void check_kind(jit_codegen *g, jit_reg ref, uint8_t kind,
                       jit_label *on_fail) {
  jit_reg k = cg_alloc(g, false);
  masm_load_ptr(g->m, JT_I64, k, ref, RT_GC_HEADER);
  masm_load_ptr(g->m, JT_I32, k, k, RT_GC_RTT_KIND); /* and 3 bytes after */
  masm_binop(g->m, JB_AND, JT_I32, k, k, jit_imm_opnd(0xFF));
  masm_cmp_branch(g->m, kind ? JC_NE : JC_EQ, JT_I32, k,
                  jit_imm_opnd(kind ? kind : RT_GC_HOST), on_fail);
  cg_free(g, k);
}

/* Branches to on_fail if ref (an object) is not of struct or array type
 * t: its rtt is t's, or (t has subtypes) t's is in its display. */
static void check_rtt(jit_codegen *g, jit_reg ref, const rt_gc_rtt *t,
                      uint32_t type_index, bool final, jit_label *on_fail) {
  jit_reg r = cg_alloc(g, false), tr = cg_alloc(g, false);
  masm_load_ptr(g->m, JT_I64, r, ref, RT_GC_HEADER);
  if (g->m->relocatable)
    masm_mov_sym(g->m, tr, JIT_SYM_RTT, type_index, (uintptr_t)t);
  else
    masm_mov_imm(g->m, JT_I64, tr, (uintptr_t)t);
  if (!final) {
    jit_label same;
    jit_label_init(&same);
    masm_cmp_branch(g->m, JC_EQ, JT_I64, r, jit_reg_opnd(tr), &same);
    jit_reg d = cg_alloc(g, false);
    masm_load_ptr(g->m, JT_I32, d, r, RT_GC_RTT_DEPTH);
    masm_cmp_branch(g->m, JC_LT_U, JT_I32, d, jit_imm_opnd(t->depth), on_fail);
    cg_free(g, d);
    masm_load_ptr(g->m, JT_I64, r, r,
                  (int32_t)(RT_GC_RTT_DISPLAY + 8 * t->depth));
    masm_cmp_branch(g->m, JC_NE, JT_I64, r, jit_reg_opnd(tr), on_fail);
    masm_bind(g->m, &same);
  } else {
    masm_cmp_branch(g->m, JC_NE, JT_I64, r, jit_reg_opnd(tr), on_fail);
  }
  cg_free(g, r);
  cg_free(g, tr);
}

/* Branches to on_fail (i31) or to is_i31 when given (the low bit set). */
static void split_i31(jit_codegen *g, jit_reg ref, jit_label *is_i31) {
  jit_reg bit = cg_alloc(g, false);
  masm_binop(g->m, JB_AND, JT_I32, bit, ref, jit_imm_opnd(1));
  masm_branch_zero(g->m, JT_I32, bit, false, is_i31);
  cg_free(g, bit);
}

/* Branches to on_fail unless `ref` holds a value of type `target`
 * (validated to be in the hierarchy of ref's type); falls through when it
 * does. ref is only read. */
void cg_cast_check(jit_codegen *g, jit_reg ref, rt_valtype target,
                   jit_label *on_fail) {
  jit_label done;
  jit_label_init(&done);
  masm_branch_zero(g->m, JT_I64, ref, true,
                   rt_vt_nullable(target) ? &done : on_fail);
  uint32_t heap = rt_vt_heap(target);
  switch (rt_vt_heap_code(heap)) {
  case HT_ANY: case HT_FUNC: case HT_EXTERN: case HT_EXN:
    break; /* every non-null value of the hierarchy */
  case HT_EQ: /* i31s, structs and arrays: not host boxes */
    split_i31(g, ref, &done);
    check_kind(g, ref, 0, on_fail);
    break;
  case HT_I31: {
    jit_reg bit = cg_alloc(g, false);
    masm_binop(g->m, JB_AND, JT_I32, bit, ref, jit_imm_opnd(1));
    masm_branch_zero(g->m, JT_I32, bit, true, on_fail);
    cg_free(g, bit);
    break;
  }
  case HT_STRUCT: case HT_ARRAY:
    split_i31(g, ref, on_fail);
    check_kind(g, ref,
               rt_vt_heap_code(heap) == HT_STRUCT ? RT_GC_STRUCT : RT_GC_ARRAY,
               on_fail);
    break;
  case HT_NONE: case HT_NOFUNC: case HT_NOEXTERN: case HT_NOEXN:
    masm_jmp(g->m, on_fail); /* null only */
    break;
  case HT_INDEX: {
    uint32_t ti = rt_vt_index(heap);
    const rt_functype *t = &g->mod->types[ti];
    if (t->kind != RT_FUNC_TYPE) {
      const rt_gc_rtt *rtt = cg_gc_rtt(g, ti);
      if (!rtt) break;
      split_i31(g, ref, on_fail);
      check_rtt(g, ref, rtt, ti, t->final, on_fail);
      break;
    }
    if (!t->final) { /* the callers ask the runtime instead */
      cg_fail(g, "code generator: an inline cast to a non-final function "
                 "type");
      break;
    }
    /* a final function type has no subtypes: its id or nothing */
    jit_reg id = cg_alloc(g, false);
    masm_load_ptr(g->m, JT_I32, id, ref, RT_FUNCREF_TYPE_ID);
    cg_type_id_branch(g, JC_NE, id, ti, 0, on_fail);
    cg_free(g, id);
    break;
  }
  default:
    cg_fail(g, "code generator: a cast to an unknown heap type");
    break;
  }
  masm_bind(g->m, &done);
}

/* The target of ref.test/ref.cast: the heap type, nullable or not. */
static rt_valtype cast_target(const jit_instr *in) {
  bool nullable = in->op == OP_REF_TEST_NULL || in->op == OP_REF_CAST_NULL;
  return nullable ? in->u.valtype : in->u.valtype | VT_NONNULL;
}

/* A non-final function type: its subtypes are the intern table's to know
 * (a funcref carries a type id, not an rtt), so casts to it ask it
 * (runtime/libcalls.c). */
bool cg_cast_asks_runtime(const jit_codegen *g, rt_valtype target) {
  if (rt_vt_heap_code(target) != HT_INDEX) return false;
  const rt_functype *t = &g->mod->types[rt_vt_index(target)];
  return t->kind == RT_FUNC_TYPE && !t->final;
}

static void ask_runtime(jit_codegen *g, const void *fn, rt_valtype target,
                        uint8_t result) {
  const rt_functype *t = &g->mod->types[rt_vt_index(target)];
  uint64_t imms[2] = {t->id, rt_vt_nullable(target)};
  cg_libcall_sym(g, JIT_SYM_TYPE_ID, rt_vt_index(target));
  cg_libcall(g, fn, imms, 2, 1, result);
}

jit_reg cg_cast_test_runtime(jit_codegen *g, rt_valtype target) {
  jit_reg copy = cg_alloc(g, false);
  cg_load_value(g, &g->stack[g->sp - 1], copy);
  cg_push_reg(g, JT_REF, copy);
  ask_runtime(g, (const void *)rt_lib_ref_test_func, target, JT_I32);
  return cg_pop_reg(g);
}

void cg_op_ref_test(jit_codegen *g, const jit_instr *in) {
  if (cg_cast_asks_runtime(g, cast_target(in))) {
    ask_runtime(g, (const void *)rt_lib_ref_test_func, cast_target(in),
                JT_I32);
    return;
  }
  jit_reg ref = cg_pop_reg(g);
  jit_reg out = cg_alloc(g, false);
  jit_label no;
  jit_label_init(&no);
  masm_mov_imm(g->m, JT_I32, out, 0);
  cg_cast_check(g, ref, cast_target(in), &no);
  masm_mov_imm(g->m, JT_I32, out, 1);
  masm_bind(g->m, &no);
  cg_free(g, ref);
  cg_push_reg(g, JT_I32, out);
}

void cg_op_ref_cast(jit_codegen *g, const jit_instr *in) {
  if (cg_cast_asks_runtime(g, cast_target(in))) {
    ask_runtime(g, (const void *)rt_lib_ref_cast_func, cast_target(in),
                JT_REF);
    return;
  }
  jit_reg ref = cg_pop_reg(g);
  cg_cast_check(g, ref, cast_target(in),
                cg_trap_label(g, WRUN_TRAP_CAST_FAILURE));
  cg_push_reg(g, JT_REF, ref);
}

/* ref.i31: the low 31 bits, shifted up, the tag bit set. */
void cg_op_ref_i31(jit_codegen *g, const jit_instr *in) {
  (void)in;
  jit_reg r = cg_pop_reg(g);
  masm_binop(g->m, JB_SHL, JT_I32, r, r, jit_imm_opnd(1));
  masm_binop(g->m, JB_OR, JT_I32, r, r, jit_imm_opnd(1));
  cg_push_reg(g, JT_REF, r);
}

/* i31.get_s / i31.get_u: shifted back down, with or without the sign. */
void cg_op_i31_get(jit_codegen *g, const jit_instr *in) {
  jit_reg r = cg_pop_reg(g);
  masm_branch_zero(g->m, JT_I64, r, true,
                   cg_trap_label(g, WRUN_TRAP_NULL_I31));
  masm_binop(g->m, in->op == OP_I31_GET_S ? JB_SHR_S : JB_SHR_U, JT_I32, r, r,
             jit_imm_opnd(1));
  cg_push_reg(g, JT_I32, r);
}
