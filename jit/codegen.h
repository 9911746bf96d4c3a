/* The single-pass code generator of one function body. ISA-neutral: it
 * drives an abstract value stack, a register allocator and a control stack,
 * and emits code only through the masm_* interface (jit/masm.h).
 *
 * The driver (jit/compile.c) feeds it the same decoded instructions the
 * validator checks, one at a time and only after the validator accepted
 * them, so the generator may assume well-typed input.
 */
#ifndef JIT_CODEGEN_H
#define JIT_CODEGEN_H

#include <stdbool.h>
#include <stdint.h>
#include "../runtime/module.h"
#include "instr.h"
#include "jit.h"
#include "masm.h"
#include "wrun.h"

typedef struct jit_codegen jit_codegen;

jit_codegen *jit_codegen_new(void);
void jit_codegen_free(jit_codegen *g);

/* Emit fuel charges (jit/codegen_fuel.c) in the functions that follow;
 * off by default. */
void jit_codegen_set_fuel(jit_codegen *g, bool on);
/* Explicit bounds checks past a guard of guard bytes (>= 64 KiB), or
 * (off) the guarded 8 GiB reservations; exact: they count the access
 * width and rely on no guard (see jit_options.no_signals). */
void jit_codegen_set_bounds_checks(jit_codegen *g, bool on, uint64_t guard,
                                   bool exact);
/* Traps as calls of rt_lib_trap, not ud2/udf (jit_options.no_signals). */
void jit_codegen_set_trap_calls(jit_codegen *g, bool on);
/* A pc map entry per wasm instruction (jit_options.map_every_instruction). */
void jit_codegen_set_map_every_instruction(jit_codegen *g, bool on);
/* Loop-resident locals (jit/codegen_resident.c; on by default). */
void jit_codegen_set_residents(jit_codegen *g, bool on);

/* Where direct calls from the module's functions enter the function
 * begun last: past its load of the fuel register when metered (direct
 * callers keep the fuel there), else its first byte. */
uint32_t jit_codegen_call_entry(const jit_codegen *g);

/* Tail calls (docs/design-notes.md, "Tail calls"). What the function
 * compiled last does with them, JIT_TAIL_ flags: */
#define JIT_TAIL_USES 1u  /* it has return_call or return_call_indirect */
#define JIT_TAIL_LEAVES 2u /* one of them may enter another instance or a
                              host function (an import, an indirect call) */
unsigned jit_codegen_tail_use(const jit_codegen *g);
/* For the functions begun after this call, the module's JIT_TAIL_ flags
 * per defined function, known from an earlier compile of the module
 * (NULL: none known, the first compile): functions with tail calls keep
 * their incoming area's capacity, and when some function's tail call
 * leaves the instance, every direct call reloads the pinned registers
 * and fuel (the callee may return from another instance). The array is
 * read, not copied: it must outlive the compile. */
void jit_codegen_set_tail_info(jit_codegen *g, const uint8_t *flags,
                               bool reload_direct);

/* Starts function func_index (a defined function): emits its prologue into
 * m. nlocals/local_types are the declared locals (params excluded). */
wrun_error *jit_codegen_begin(jit_codegen *g, jit_masm *m,
                              const rt_module *mod, uint32_t func_index,
                              uint32_t nlocals, const rt_valtype *local_types);

/* Deterministic mode for the functions begun after this call (it survives
 * jit_codegen_begin): NaN results of float and SIMD arithmetic are
 * canonicalised, so the same module gives the same bits on every ISA. */
void jit_codegen_set_deterministic(jit_codegen *g, bool on);

/* Compiles one validated instruction. After the function's final end it
 * has emitted the trap stubs and patched the frame size. */
wrun_error *jit_codegen_step(jit_codegen *g, const jit_instr *in);

/* True when the function needs SIMD code generation the backend does not
 * provide (no SIMD on this backend or CPU, or an op it does not implement):
 * the generator stopped emitting code for it (further steps are ignored)
 * and the function's code is unusable. */
bool jit_codegen_refused_simd(const jit_codegen *g);

/* Moves the unwind table of every function compiled so far (code offsets
 * of the masm's buffer) into out, leaving the generator's empty. */
void jit_codegen_take_exn_table(jit_codegen *g, jit_exn_table *out);
/* The stack maps of every function compiled so far (codegen_stackmap.c). */
void jit_codegen_take_stack_maps(jit_codegen *g, jit_stack_maps *out);
/* The validator running beside the code generator: stack maps take the
 * value types of the operand stack from it. */
struct jit_validator;
void jit_codegen_set_validator(jit_codegen *g, const struct jit_validator *v);

/* True once the final end was compiled (or the function was refused). */
bool jit_codegen_done(const jit_codegen *g);

#endif
