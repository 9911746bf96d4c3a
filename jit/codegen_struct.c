/* GC objects (issue 8): structs, and the field and element accesses that
 * arrays share (gc.h gives the layout). Allocation is a libcall
 * (runtime/gc_libcalls.c) made with the operands still on the value
 * stack: the call flushes them to their slots, where the stack map of the
 * call finds the references among them if it collects; the fields are
 * stored after it returns. */
#include "codegen_internal.h"

#include "../runtime/gc.h"
#include "libcalls.h"

static jit_type gc_jit_type(rt_valtype storage) {
  switch (storage) {
  case RT_PACKED_I8: case RT_PACKED_I16: case VT_I32: return JT_I32;
  case VT_I64: return JT_I64;
  case VT_F32: return JT_F32;
  case VT_F64: return JT_F64;
  case VT_V128: return JT_V128;
  default: return JT_REF;
  }
}

static jit_memop load_op(rt_valtype storage, bool sign) {
  switch (storage) {
  case RT_PACKED_I8: return sign ? JM_I32_LOAD8_S : JM_I32_LOAD8_U;
  case RT_PACKED_I16: return sign ? JM_I32_LOAD16_S : JM_I32_LOAD16_U;
  case VT_I32: return JM_I32_LOAD;
  case VT_F32: return JM_F32_LOAD;
  case VT_F64: return JM_F64_LOAD;
  default: return JM_I64_LOAD; /* i64, references */
  }
}

static jit_memop store_op(rt_valtype storage) {
  switch (storage) {
  case RT_PACKED_I8: return JM_I32_STORE8;
  case RT_PACKED_I16: return JM_I32_STORE16;
  case VT_I32: return JM_I32_STORE;
  case VT_F32: return JM_F32_STORE;
  case VT_F64: return JM_F64_STORE;
  default: return JM_I64_STORE;
  }
}

/* Field accesses go through the linear-memory forms with the object as
 * the base: [obj + addr + off], addr a u64 register or an immediate. */
static void begin_object(jit_codegen *g, jit_reg obj) {
  jit_masm_set_mem_base(g->m, obj);
  jit_masm_set_mem_index64(g->m, true);
}

static void end_object(jit_codegen *g) {
  jit_masm_set_mem_base(g->m, JIT_NO_REG);
  jit_masm_set_mem_index64(g->m, false);
}

void cg_gc_load(jit_codegen *g, rt_valtype storage, bool sign, jit_reg obj,
                jit_opnd addr, uint32_t off) {
  jit_type t = gc_jit_type(storage);
  jit_reg dst = cg_alloc_for(g, t);
  begin_object(g, obj);
  if (t == JT_V128) {
    if (!masm_vmem(g->m, JV_V128_LOAD, dst, addr, off, 0))
      cg_fail(g, "code generator: no v128 load");
  } else {
    masm_load_mem(g->m, load_op(storage, sign), dst, addr, off);
  }
  end_object(g);
  cg_push_reg(g, t, dst);
}

void cg_gc_store(jit_codegen *g, rt_valtype storage, jit_reg src,
                 jit_reg obj, jit_opnd addr, uint32_t off) {
  begin_object(g, obj);
  if (gc_jit_type(storage) == JT_V128) {
    if (!masm_vmem(g->m, JV_V128_STORE, src, addr, off, 0))
      cg_fail(g, "code generator: no v128 store");
  } else {
    masm_store_mem(g->m, store_op(storage), src, addr, off);
  }
  end_object(g);
}

void cg_gc_store_top(jit_codegen *g, rt_valtype storage, jit_reg obj,
                     jit_opnd addr, uint32_t off) {
  if (gc_jit_type(storage) != JT_V128 &&
      g->stack[g->sp - 1].kind == CG_CONST) {
    uint64_t bits = cg_pop(g).bits;
    begin_object(g, obj);
    masm_store_mem_imm(g->m, store_op(storage), bits, addr, off);
    end_object(g);
    return;
  }
  jit_reg src = cg_pop_reg(g);
  cg_gc_store(g, storage, src, obj, addr, off);
  cg_free(g, src);
}

void cg_gc_null_check(jit_codegen *g, jit_reg ref, uint8_t trap) {
  masm_branch_zero(g->m, JT_I64, ref, true, cg_trap_label(g, trap));
}

const rt_gc_rtt *cg_gc_rtt(jit_codegen *g, uint32_t type_index) {
  const rt_gc_rtt *rtt = rt_gc_rtt_of(g->mod->types[type_index].id);
  if (!rtt) cg_fail(g, "code generator: a GC type without its rtt");
  return rtt;
}

/* struct.new $t: [fields] -> [(ref $t)]; struct.new_default: [] -> ... */
void cg_op_struct_new(jit_codegen *g, const jit_instr *in) {
  const rt_functype *t = &g->mod->types[in->u.index];
  const rt_gc_rtt *rtt = cg_gc_rtt(g, in->u.index);
  if (!rtt) return;
  uint64_t imm = (uintptr_t)rtt;
  bool fields = in->op == OP_STRUCT_NEW;
  cg_libcall_sym(g, JIT_SYM_RTT, in->u.index);
  cg_libcall_gc(g, (const void *)rt_lib_gc_struct_new, &imm, 1, 0, JT_REF,
                t->types, fields ? t->nfields : 0, false);
  if (in->op == OP_STRUCT_NEW_DEFAULT) return;
  jit_reg obj = cg_pop_reg(g);
  for (uint32_t k = t->nfields; k-- > 0;)
    cg_gc_store_top(g, t->types[k], obj, jit_imm_opnd(0),
                    rtt->field_offsets[k]);
  cg_push_reg(g, JT_REF, obj);
}

void cg_op_struct_get(jit_codegen *g, const jit_instr *in) {
  const rt_gc_rtt *rtt = cg_gc_rtt(g, in->u.pair.a);
  if (!rtt) return;
  const rt_functype *t = &g->mod->types[in->u.pair.a];
  jit_reg obj = cg_pop_reg(g);
  cg_gc_null_check(g, obj, WRUN_TRAP_NULL_STRUCT);
  cg_gc_load(g, t->types[in->u.pair.b], in->op == OP_STRUCT_GET_S, obj,
             jit_imm_opnd(0), rtt->field_offsets[in->u.pair.b]);
  cg_free(g, obj);
}

void cg_op_struct_set(jit_codegen *g, const jit_instr *in) {
  const rt_gc_rtt *rtt = cg_gc_rtt(g, in->u.pair.a);
  if (!rtt) return;
  const rt_functype *t = &g->mod->types[in->u.pair.a];
  jit_reg src = cg_pop_reg(g);
  jit_reg obj = cg_pop_reg(g);
  cg_gc_null_check(g, obj, WRUN_TRAP_NULL_STRUCT);
  cg_gc_store(g, t->types[in->u.pair.b], src, obj, jit_imm_opnd(0),
              rtt->field_offsets[in->u.pair.b]);
  cg_free(g, src);
  cg_free(g, obj);
}
