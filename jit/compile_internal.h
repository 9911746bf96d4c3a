/* What the module compile driver (jit/compile.c) shares with the parallel
 * compile (jit/compile_parallel.c): compiling a run of function bodies
 * into one MacroAssembler, with a validator and a code generator of its
 * own. A run's code offsets count from the start of its masm; the
 * parallel compile lays the runs out where a serial compile would have
 * put them and rebases the offsets. */
#ifndef JIT_COMPILE_INTERNAL_H
#define JIT_COMPILE_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "codegen.h"
#include "jit.h"
#include "validate.h"

/* What compiling bodies produced besides validation errors. */
typedef struct body_outcome {
  wrun_error *gen_error; /* first code generation failure (not validation) */
  bool simd;             /* some body needs SIMD code generation */
} body_outcome;

/* One compile of a module (jit_compile_module may make two): its inputs,
 * and the per defined function results every run writes at the indices
 * of its own functions. */
typedef struct jit_compile_plan {
  const rt_module *mod;
  const jit_options *opts;
  uint8_t *tail_flags; /* JIT_TAIL_ flags per defined function */
  bool tail_known;     /* read them; else the runs write them */
  bool reload_direct;
  uint32_t *func_offsets; /* code offsets in the run's masm */
  uint32_t *pcmap_starts; /* offsets in the run's masm's pc map */
  uint32_t *call_entries; /* code offsets in the run's masm */
  bool no_residents; /* compile without loop-resident locals */
} jit_compile_plan;

/* A validator and a code generator set up for a plan; one per thread. */
typedef struct jit_compiler {
  jit_validator *v;
  jit_codegen *g;
} jit_compiler;

/* false when out of memory (c is then empty: jit_compiler_fini is a
 * no-op on it). */
bool jit_compiler_init(jit_compiler *c, const jit_compile_plan *p);
void jit_compiler_fini(jit_compiler *c);

/* Compiles the defined functions [first, end) (indices minus
 * nimported_funcs) in order into m, each 16-aligned in it. Returns the
 * first validation (or decoding) error, which ends the run; code
 * generation errors go to *outcome. stop_at (NULL in a serial compile) is
 * the lowest defined index that any run failed to validate: the run also
 * ends, incomplete and without error, before compiling a function past
 * it, whose result cannot matter any more; a failure lowers it. */
wrun_error *jit_compile_run(const jit_compile_plan *p, jit_compiler *c,
                            jit_masm *m, uint32_t first, uint32_t end,
                            body_outcome *outcome, _Atomic uint32_t *stop_at);

/* The host's page size. */
size_t jit_page_size(void);

/* Whether the plan's module is cut into runs (its bodies are large
 * enough to compile in parallel): every run then starts and ends on a
 * page boundary, whichever way it is compiled (jit/compile_parallel.c). */
bool jit_compile_splits(const jit_compile_plan *p);

/* Compiles a module that splits on the calling thread, run after run,
 * into m, with the layout jit_compile_parallel gives it. */
wrun_error *jit_compile_in_runs(const jit_compile_plan *p, jit_compiler *c,
                                jit_masm *m, body_outcome *outcome);

/* How many threads compile the plan's module (1: the calling thread
 * alone, jit_compile_run over every function), from opts->jobs, the
 * online CPUs and the size of its bodies. */
unsigned jit_compile_threads(const jit_compile_plan *p);

/* Compiles every defined function of the plan on `threads` threads (the
 * caller's among them), appending the code to m after what m already
 * holds, at the offsets, with the same bytes and tables, as
 * jit_compile_run over them all into m would have. Returns the
 * validation error a serial compile would; fills *outcome, *exn and
 * *maps (rebased into m) as it would. A masm failure of any run is m's. */
wrun_error *jit_compile_parallel(const jit_compile_plan *p, unsigned threads,
                                 jit_masm *m, body_outcome *outcome,
                                 jit_exn_table *exn, jit_stack_maps *maps);

#endif
