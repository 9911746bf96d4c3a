/* The compiler's entry points, as the runtime uses them: compile every
 * function of a module into one executable code region, and make
 * trampolines for a function type. */
#ifndef JIT_JIT_H
#define JIT_JIT_H

#include <stddef.h>
#include <stdint.h>
#include "../runtime/module.h"
#include "masm.h"

/* Executable code: mapped read-write, filled, then made read+execute
 * (never writable and executable at once). */
typedef struct jit_code {
  uint8_t *mem;
  size_t size, mapped;
  /* per defined function (index - nimported_funcs): entry offset */
  uint32_t *func_offsets;
  uint32_t nfuncs;
  /* per module type index: entry trampoline offset (array_call) */
  uint32_t *entry_offsets;
  uint32_t ntypes;
  jit_trapsite *traps; /* sorted by offset */
  uint32_t ntraps;
  bool fuel; /* compiled with fuel: functions keep it in target.fuel_reg */
} jit_code;

/* How to compile; NULL (or all fields zero) is the default. */
typedef struct jit_options {
  /* Canonicalise the NaN results of float and SIMD arithmetic, so that a
   * module gives the same bits on every ISA (jit/codegen_nan.c). */
  bool deterministic;
  /* Charge fuel (jit/codegen_fuel.c): off emits not one instruction more. */
  bool fuel;
} jit_options;

/* Validates every function body and compiles it with opts (may be NULL).
 * The module's types must already carry their interned ids
 * (rt_functype.id). Errors name the function and byte offset. A valid
 * module that uses SIMD where the host's backend generates no SIMD at all
 * (an x86-64 CPU without SSSE3/SSE4.1) gets the error "SIMD code
 * generation not supported yet", only after every body validated, and
 * *simd_refused is set. Where the backend does generate SIMD, an
 * instruction it lacks is an ordinary code generation error ("SIMD
 * instruction NAME not implemented by this backend"). */
wrun_error *jit_compile_module(const rt_module *m, const jit_options *opts,
                               jit_code *out, bool *simd_refused);
/* Validation only (wrun_module_validate). */
wrun_error *jit_validate_module(const rt_module *m);
void jit_code_free(jit_code *c);

/* Trampolines for host functions (created at run time, not from a module):
 * entry (array_call) and exit (wasm_call, calling rt_host_call). */
typedef struct jit_trampolines {
  jit_code code;
  const void *entry, *exit;
} jit_trampolines;
wrun_error *jit_make_trampolines(const rt_functype *t, jit_trampolines *out);

/* Maps a pc inside c to the defined-function index (or -1). */
int32_t jit_code_func_at(const jit_code *c, uintptr_t pc);
/* Trap code at pc (exact trap site), or 0. */
uint8_t jit_code_trap_at(const jit_code *c, uintptr_t pc);

#endif
