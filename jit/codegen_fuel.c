/* Fuel charges: where they go and what they count. The generic half of
 * fuel metering; the backends only encode a charge (masm_fuel_charge) and
 * patch its amount (masm_fuel_patch).
 *
 * Cost rule: every wasm instruction costs 1, except block, loop, else and
 * end, which only delimit structure and cost 0. Instructions are charged a
 * run at a time, in advance: a charge at the head of each run subtracts
 * the cost of the whole run from the store's counter before any of it
 * runs, and traps when the counter holds less.
 *
 * A run ends after every instruction that may leave it or be left to
 * (br, br_if, br_table, return, unreachable, if, call, call_indirect) and
 * at every structural instruction but block (loop heads, else arms and
 * ends are or may be branch targets). So a run is entered only at its top
 * and, unless something traps, runs to its bottom: the fuel charged is
 * exactly the count of instructions executed, and a host function sees the
 * fuel left after its call instruction.
 *
 * Charges are placed lazily, just before the first costing instruction
 * after a run ends: a run of zero cost (a loop head followed by end) gets
 * no charge, and a label bound by the instruction that ended the run (the
 * loop head, the end of a block) lies before the charge, so every path
 * into the run pays. A loop's every iteration goes through its back
 * edge, a costing branch, so a loop cannot run without paying.
 *
 * A run longer than JIT_FUEL_MAX_CHARGE is split (a charge fits one
 * AArch64 immediate); that moves a trap point, never the total.
 *
 * The counter lives in the store (runtime/fuel.c); inside a function it
 * is kept in the target's fuel_reg, taken out of the allocatable set, so
 * a charge is `sub reg, n; jb` and loops carry no dependence through
 * memory. The register is loaded at function entry and after every call,
 * and stored back before every call (a host function may read or refuel
 * the store) and before returning. A direct call within the module skips
 * all that: it enters the callee just past its load (its call entry,
 * jit_codegen_call_entry) with the fuel in the register, and every
 * metered function returns with it there, so the caller reloads nothing.
 * A trap in the function's own code leaves the register in the signal
 * context, where runtime/trap.c reads it back; libcalls and host
 * functions are entered with memory current.
 */
#include "codegen_internal.h"

void jit_codegen_set_fuel(jit_codegen *g, bool on) { g->fuel.on = on; }

/* The exception handling ones follow the same rule: try and try_table
 * open a block, catch, catch_all and delegate delimit like else and end. */
static bool costs_fuel(uint16_t op) {
  switch (op) {
  case OP_BLOCK: case OP_LOOP: case OP_ELSE: case OP_END:
  case OP_TRY_TABLE: case OP_TRY: case OP_CATCH: case OP_CATCH_ALL:
  case OP_DELEGATE:
    return false;
  default:
    return true;
  }
}

static bool ends_run(uint16_t op) {
  switch (op) {
  case OP_LOOP:
  case OP_IF:
  case OP_ELSE:
  case OP_END:
  case OP_BR:
  case OP_BR_IF:
  case OP_BR_TABLE:
  case OP_RETURN:
  case OP_UNREACHABLE:
  case OP_CALL:
  case OP_CALL_INDIRECT:
  /* a landing pad starts after each of these, or control leaves */
  case OP_CATCH:
  case OP_CATCH_ALL:
  case OP_DELEGATE:
  case OP_THROW:
  case OP_THROW_REF:
  case OP_RETHROW:
  case OP_RETURN_CALL:
  case OP_RETURN_CALL_INDIRECT: return true;
  default: return false;
  }
}

/* Writes the final amount of the open charge. */
static void close_run(jit_codegen *g) {
  if (!g->fuel.open) return;
  masm_fuel_patch(g->m, g->fuel.patch_at, g->fuel.count);
  g->fuel.open = false;
}

void cg_fuel_begin_function(jit_codegen *g) {
  g->fuel.open = false;
  g->fuel.count = 0;
  g->fuel.need_charge = true;
}

void cg_fuel_step_before(jit_codegen *g, const jit_instr *in) {
  if (!costs_fuel(in->op)) return;
  if (g->fuel.need_charge || g->fuel.count == JIT_FUEL_MAX_CHARGE) {
    close_run(g);
    g->fuel.patch_at =
        masm_fuel_charge(g->m, cg_trap_label(g, WRUN_TRAP_OUT_OF_FUEL));
    g->fuel.open = true;
    g->fuel.need_charge = false;
    g->fuel.count = 0;
  }
  g->fuel.count++;
}

uint64_t cg_fuel_reserved_regs(const jit_codegen *g) {
  return g->fuel.on ? 1ull << jit_host_target.fuel_reg : 0;
}

/* First thing in the function, before the prologue's stack check (whose
 * trap reads the register back) and the call entry: the callee ctx is
 * the vmctx. */
void cg_fuel_entry(jit_codegen *g) {
  if (g->fuel.on)
    masm_fuel_load(g->m, jit_host_target.call_ctx_reg, RT_VMCTX_FUEL);
}

void cg_fuel_sync_out(jit_codegen *g) {
  if (g->fuel.on)
    masm_fuel_store(g->m, jit_host_target.vmctx_reg, RT_VMCTX_FUEL);
}

void cg_fuel_sync_in(jit_codegen *g) {
  if (g->fuel.on)
    masm_fuel_load(g->m, jit_host_target.vmctx_reg, RT_VMCTX_FUEL);
}

void cg_fuel_step_after(jit_codegen *g, const jit_instr *in) {
  if (!ends_run(in->op)) return;
  close_run(g);
  g->fuel.need_charge = true;
}
