/* The store's fuel: one counter per store, read and written by compiled
 * code through the pointer each vmctx holds (vmctx.h, RT_VMCTX_FUEL), so
 * every instance of the store spends the same fuel and a host function
 * that refuels mid-call is seen when the call returns. The charges
 * themselves are placed by jit/codegen_fuel.c, which keeps the counter in
 * a register inside a function and stores it back before calls. */
#include "runtime.h"

bool wrun_store_set_fuel(wrun_store *s, uint64_t fuel) {
  if (!s || !s->fuel_enabled) return false;
  s->fuel = fuel;
  return true;
}

bool wrun_store_get_fuel(const wrun_store *s, uint64_t *out) {
  if (!s || !s->fuel_enabled) return false;
  if (out) *out = s->fuel;
  return true;
}

/* A fault in metered code left the fuel in the function's register, not
 * yet stored: it goes back to the store. A failed charge has already
 * subtracted (the counter is unsigned and the check is the borrow of that
 * subtraction), so it would be a huge wrapped value: what was left was
 * less than the charge, and 0 is reported. */
void rt_fuel_after_trap(wrun_store *s, const wrun_trap *t) {
  uint64_t left;
  bool from_register = rt_trap_take_fuel(&left);
  if (!s->fuel_enabled || !t) return;
  if (wrun_trap_code_of(t) == WRUN_TRAP_OUT_OF_FUEL)
    s->fuel = 0;
  else if (from_register)
    s->fuel = left;
}

wrun_error *rt_fuel_check_module(const wrun_store *s, const wrun_module *m) {
  if (m->fuel == s->fuel_enabled) return NULL;
  return rt_error_new(RT_NO_OFFSET,
                      m->fuel ? "module was compiled with fuel metering, "
                                "the store's engine does not consume fuel"
                              : "module was compiled without fuel metering, "
                                "the store's engine consumes fuel");
}
