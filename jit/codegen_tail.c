/* Tail calls: return_call, return_call_indirect and return_call_ref. The frame protocol
 * and why it is this one: docs/design-notes.md, "Tail calls". In short:
 *
 * - the callee's arguments go where its caller's caller put ours (the
 *   outgoing area we entered with, at fp + param_base), our frame is
 *   dropped and we jump: the callee returns straight to our caller;
 * - every call passes the capacity of the area holding the callee's
 *   arguments in target.tail_cap_reg; a function with tail calls keeps it
 *   (CG_TAIL_CAP_SLOT) and passes it on. A callee whose arguments need
 *   more than that is called from our frame instead (the fallback, an
 *   ordinary call then return), so its area is ours, sized for it: the
 *   stack grows by one frame only when a chain of tail calls needs a
 *   bigger area than any before, never per call.
 */
#include "codegen_internal.h"

static uint64_t reg_bit(jit_reg r) { return r < 64 ? 1ull << r : 0; }

unsigned jit_codegen_tail_use(const jit_codegen *g) { return g->tail_use; }

void jit_codegen_set_tail_info(jit_codegen *g, const uint8_t *flags,
                               bool reload_direct) {
  g->tail_info = flags;
  g->tail_reload = reload_direct;
}

/* How the callee is reached. */
typedef enum tail_kind {
  TAIL_DIRECT,   /* a function of this module: a direct jump */
  TAIL_IMPORT,   /* through our vmctx's funcref record of an import */
  TAIL_INDIRECT, /* through a table entry or a function reference */
} tail_kind;

/* Does a callee of type ft fit the incoming area our caller reserved
 * for our own type (always there, without looking)? */
static bool fits_statically(const jit_codegen *g, const rt_functype *ft) {
  return cg_call_area(ft) <= cg_call_area(g->type);
}

/* The arguments go straight to our incoming area when the callee fits it
 * statically; else to our outgoing area, where the fallback's call wants
 * them, to be copied over only once the capacity check passes. */
static uint32_t store_tail_args(jit_codegen *g, const rt_functype *ft,
                                cg_arg_src *keep) {
  if (!fits_statically(g, ft)) return cg_store_args(g, ft, false, keep);
  /* A param still to be read as an argument must not be overwritten by
   * an earlier one first. */
  cg_materialize_params(g, ft);
  return cg_store_args(g, ft, true, keep);
}

/* Copies the arguments from our outgoing area to our incoming area, each
 * at its own width (a wider load of a narrower store would stall the
 * store forwarding). */
static void move_args_to_incoming(jit_codegen *g, const rt_functype *ft,
                                  uint64_t avoid) {
  jit_reg gpr = JIT_NO_REG, fpr = JIT_NO_REG;
  int32_t off = 0;
  for (uint32_t k = 0; k < ft->nparams; k++) {
    jit_type t = cg_jit_type(ft->types[k]);
    jit_reg *tmp = jit_type_is_float(t) ? &fpr : &gpr;
    if (*tmp == JIT_NO_REG)
      *tmp = jit_type_is_float(t) ? cg_alloc(g, true)
                                  : cg_alloc_gpr_avoiding(g, avoid);
    masm_load_sp(g->m, t, *tmp, off);
    masm_store_frame(g->m, t, *tmp, jit_host_target.param_base + off);
    off += (int32_t)rt_array_slot_size(ft->types[k]);
  }
  if (gpr != JIT_NO_REG) cg_free(g, gpr);
  if (fpr != JIT_NO_REG) cg_free(g, fpr);
}

/* After store_tail_args, with the callee's ctx in call_ctx_reg (a
 * direct callee's is our vmctx_reg, where its call entry wants it) and
 * (unless direct) its code in `code`, and the argument registers set
 * when arg_regs_set (else they are loaded here): the real tail call when
 * the incoming area can hold the callee's, else the fallback (call from
 * this frame, then return its results). */
static void finish_tail_call(jit_codegen *g, const rt_functype *ft,
                             tail_kind kind, uint32_t f, jit_reg code,
                             bool arg_regs_set) {
  const jit_target *tg = &jit_host_target;
  uint64_t avoid = reg_bit(tg->call_ctx_reg) | reg_bit(tg->call_caller_reg) |
                   reg_bit(tg->tail_cap_reg) | reg_bit(code) |
                   (arg_regs_set ? cg_arg_regs_mask() : 0);
  bool leaves = kind != TAIL_DIRECT;
  uint32_t need = cg_call_area(ft);
  /* What our caller reserved for our own type: always there. More is
   * known only from the capacity we entered with, kept in the frame (a
   * first compile of the module, without the slot, always falls back). */
  bool fits = fits_statically(g, ft);
  bool may_fit = fits || g->tail_cap_slot;
  jit_label fallback;
  jit_label_init(&fallback);
  if (kind != TAIL_DIRECT) /* only a host function reads it */
    masm_mov(g->m, JT_I64, tg->call_caller_reg, tg->vmctx_reg);
  if (may_fit) {
    if (!fits) {
      jit_reg cap = cg_alloc_gpr_avoiding(g, avoid);
      masm_load_frame(g->m, JT_I32, cap, CG_TAIL_CAP_SLOT);
      masm_cmp_branch(g->m, JC_LT_U, JT_I32, cap,
                      jit_imm_opnd((int64_t)need), &fallback);
      cg_free(g, cap);
    }
    if (!fits) move_args_to_incoming(g, ft, avoid);
    /* The callee's area is ours: pass on what we were given. */
    if (g->tail_cap_slot)
      masm_load_frame(g->m, JT_I32, tg->tail_cap_reg, CG_TAIL_CAP_SLOT);
    else
      masm_mov_imm(g->m, JT_I32, tg->tail_cap_reg, cg_call_area(g->type));
    /* A direct callee is entered past its fuel load with the count in
     * the register, as by a direct call; any other reloads it. */
    if (leaves) cg_fuel_sync_out(g);
    if (!arg_regs_set) cg_load_arg_regs(g, ft, true);
    masm_tail_epilogue(g->m);
    if (kind == TAIL_DIRECT)
      masm_jmp_func(g->m, f);
    else
      masm_jmp_reg(g->m, code);
  }
  if (!fits) {
    masm_bind(g->m, &fallback);
    if (leaves) cg_fuel_sync_out(g);
    masm_mov_imm(g->m, JT_I32, tg->tail_cap_reg, need);
    if (!arg_regs_set) cg_load_arg_regs(g, ft, false);
    if (kind == TAIL_DIRECT)
      masm_call_func(g->m, f);
    else
      masm_call_reg(g->m, code);
  }
  if (code != JIT_NO_REG) cg_free(g, code);
  if (fits) {
    cg_set_unreachable(g);
    return;
  }
  bool reload = leaves || g->tail_reload;
  cg_push_call_results(g, ft, reload);
  if (reload) cg_fuel_sync_in(g);
  cg_return_and_end(g);
}

void cg_op_return_call(jit_codegen *g, const jit_instr *in) {
  const jit_target *tg = &jit_host_target;
  uint32_t f = in->u.index;
  const rt_functype *ft = rt_func_type(g->mod, f);
  if (cg_type_has_v128(ft) && !g->vec_ok) {
    g->simd = true;
    return;
  }
  bool import = f < g->mod->nimported_funcs;
  g->tail_use |= JIT_TAIL_USES | (import ? JIT_TAIL_LEAVES : 0);
  cg_arg_src args[JIT_ARG_GPRS];
  uint32_t nargs = store_tail_args(g, ft, args);
  cg_spill_all_regs(g);
  cg_move_arg_regs(g, args, nargs);
  cg_cache_clear(g);
  jit_reg code = JIT_NO_REG;
  if (import) {
    int32_t rec = (int32_t)(g->layout.funcs_off + RT_FUNCREF_SIZE * f);
    code = cg_alloc_gpr_avoiding(
        g, reg_bit(tg->call_ctx_reg) | reg_bit(tg->call_caller_reg) |
               reg_bit(tg->tail_cap_reg) | cg_arg_regs_mask());
    masm_load_ptr(g->m, JT_I64, code, tg->vmctx_reg,
                  rec + RT_FUNCREF_WASM_CALL);
    masm_load_ptr(g->m, JT_I64, tg->call_ctx_reg, tg->vmctx_reg,
                  rec + RT_FUNCREF_CTX);
  } /* else its call entry expects our vmctx_reg, its own */
  finish_tail_call(g, ft, import ? TAIL_IMPORT : TAIL_DIRECT, f, code, true);
}

/* return_call_indirect or return_call_ref (by_ref): pops the table index
 * or the reference, then the arguments; the callee as call_indirect or
 * call_ref finds it. */
static void tail_call_through(jit_codegen *g, const jit_instr *in,
                              const rt_functype *ft, bool by_ref) {
  const jit_target *tg = &jit_host_target;
  if (cg_type_has_v128(ft) && !g->vec_ok) {
    g->simd = true;
    return;
  }
  g->tail_use |= JIT_TAIL_USES | JIT_TAIL_LEAVES;
  jit_reg operand = cg_pop_reg(g);
  bool early = cg_arg_regs_first(g, ft, by_ref);
  if (early) operand = cg_off_arg_regs(g, operand, 0);
  cg_arg_src args[JIT_ARG_GPRS];
  uint32_t nargs = store_tail_args(g, ft, early ? args : NULL);
  cg_spill_all_regs(g);
  if (early) cg_move_arg_regs(g, args, nargs);
  cg_cache_clear(g);
  uint64_t avoid = reg_bit(tg->call_ctx_reg) | reg_bit(tg->call_caller_reg) |
                   reg_bit(tg->tail_cap_reg) |
                   (early ? cg_arg_regs_mask() : 0);
  jit_reg code = by_ref ? cg_ref_callee(g, operand, avoid)
                        : cg_indirect_callee(g, in, ft, operand, avoid);
  if (!early) code = cg_off_arg_regs(g, code, avoid);
  finish_tail_call(g, ft, TAIL_INDIRECT, 0, code, early);
}

void cg_op_return_call_ref(jit_codegen *g, const jit_instr *in) {
  tail_call_through(g, in, &g->mod->types[in->u.index], true);
}

void cg_op_return_call_indirect(jit_codegen *g, const jit_instr *in) {
  tail_call_through(g, in, &g->mod->types[in->u.call_indirect.type_index],
                    false);
}
