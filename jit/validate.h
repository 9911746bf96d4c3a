/* Function-body validation (the algorithm of the spec's appendix): an
 * operand type stack and a control stack. Fed one decoded instruction at a
 * time by the compiler's single pass; knows nothing of code generation. */
#ifndef JIT_VALIDATE_H
#define JIT_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>
#include "../runtime/module.h"
#include "instr.h"
#include "wrun.h"

typedef struct jit_validator jit_validator;

/* nlocals/local_types: the declared locals (params excluded). */
jit_validator *jit_validator_new(void);
void jit_validator_free(jit_validator *v);
wrun_error *jit_validator_begin(jit_validator *v, const rt_module *m,
                                uint32_t func_index, uint32_t nlocals,
                                const rt_valtype *local_types);
/* Checks one instruction and updates the stacks. */
wrun_error *jit_validator_step(jit_validator *v, const jit_instr *in);
/* The positions of the GC references (rt_vt_traced) on the operand stack
 * now, increasing (*n of them); *height: the stack's height. */
const uint32_t *jit_validator_gc_refs(const jit_validator *v, uint32_t *n,
                                      uint32_t *height);
/* True once the final end of the function has been validated. */
bool jit_validator_done(const jit_validator *v);

/* Resolves a block type into params/results (pointers into the module's
 * type table or a static one-element array). */
void jit_blocktype_sig(const rt_module *m, const jit_blocktype *bt,
                       const rt_valtype **params, uint32_t *nparams,
                       const rt_valtype **results, uint32_t *nresults);

#endif
