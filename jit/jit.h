/* The compiler's entry points, as the runtime uses them: compile every
 * function of a module into one executable code region, and make
 * trampolines for a function type. */
#ifndef JIT_JIT_H
#define JIT_JIT_H

#include <stddef.h>
#include <stdint.h>
#include "../runtime/module.h"
#include "masm.h"

/* The unwind table of exception handling (jit/codegen_exn.c, read by
 * runtime/exception.c). Only calls inside a try (try_table, legacy try)
 * have a site; nothing is emitted for them on the non-throwing path. */
enum {
  JIT_CATCH = 0,         /* catch x (legacy catch x): the payload */
  JIT_CATCH_REF = 1,     /* catch_ref x: payload and exnref */
  JIT_CATCH_ALL = 2,     /* catch_all (legacy catch_all): nothing */
  JIT_CATCH_ALL_REF = 3, /* catch_all_ref: the exnref */
};
#define JIT_NO_SCOPE UINT32_MAX
/* Where every wasm frame keeps its vmctx (fp-relative): the unwinder finds
 * the catching instance's tags through it. */
#define JIT_FRAME_VMCTX_OFFSET (-8)

typedef struct jit_exn_site {
  uint32_t ret;   /* code offset of the return address of a call */
  uint32_t scope; /* the innermost try scope around the call */
} jit_exn_site;

/* A try: its clauses in order (a chain through jit_exn_clause.next), then
 * the scope around it in the same function (parent; for a legacy delegate
 * the scope its label names). */
typedef struct jit_exn_scope {
  uint32_t parent;     /* JIT_NO_SCOPE: none, the exception leaves */
  uint32_t first, last; /* clause chain, JIT_NO_SCOPE when empty */
  uint32_t frame_size; /* of the function: sp = fp - frame_size */
} jit_exn_scope;

typedef struct jit_exn_clause {
  uint8_t kind;  /* JIT_CATCH... */
  uint32_t tag;  /* tag index in the module (catch, catch_ref) */
  uint32_t pad;  /* code offset of the landing pad */
  uint32_t next; /* next clause of the scope, JIT_NO_SCOPE ends */
} jit_exn_clause;

typedef struct jit_exn_table {
  jit_exn_site *sites; /* sorted by ret */
  uint32_t nsites, cap_sites;
  jit_exn_scope *scopes;
  uint32_t nscopes, cap_scopes;
  jit_exn_clause *clauses;
  uint32_t nclauses, cap_clauses;
} jit_exn_table;

void jit_exn_table_free(jit_exn_table *t);

/* Stack maps (GC, runtime/gc_stack.c): at each call that may collect
 * (wasm and host calls, GC allocations), the fp-relative slots of the
 * calling frame that hold GC references; a call with none has no entry. */
typedef struct jit_stack_map {
  uint32_t ret;   /* code offset of the return address */
  uint32_t first; /* its first slot in slots[] */
  uint32_t count;
} jit_stack_map;

typedef struct jit_stack_maps {
  jit_stack_map *sites; /* sorted by ret */
  uint32_t nsites, cap_sites;
  int32_t *slots;       /* fp offsets */
  uint32_t nslots, cap_slots;
} jit_stack_maps;

void jit_stack_maps_free(jit_stack_maps *t);

/* Executable code: mapped read-write, filled, then made read+execute
 * (never writable and executable at once). */
typedef struct jit_code {
  uint8_t *mem;
  size_t size, mapped;
  /* per defined function (index - nimported_funcs): entry offset */
  uint32_t *func_offsets;
  /* per defined function: where direct calls enter, past the set-up of
   * the pinned registers; its frame's push comes first from here, so
   * debuggers are told the function starts here (runtime/gdb_jit.c) */
  uint32_t *call_offsets;
  uint32_t nfuncs;
  /* per module type index: entry trampoline offset (array_call) */
  uint32_t *entry_offsets;
  uint32_t ntypes;
  jit_trapsite *traps; /* sorted by offset */
  uint32_t ntraps;
  bool fuel; /* compiled with fuel: functions keep it in target.fuel_reg */
  /* Relocatable code (jit_options.relocatable): where it embeds
   * process-specific values, sorted by offset; none otherwise. */
  bool relocatable;
  jit_symreloc *syms;
  uint32_t nsyms;
  jit_exn_table exn; /* landing pads of calls inside a try */
  jit_stack_maps maps; /* GC references of frames at calls */
  /* pc -> wasm offset (jit/pcmap.h): per defined function, where its
   * entries begin in pcmap (they end where the next function's begin);
   * NULL when the map could not be made (every offset unknown). */
  uint8_t *pcmap;
  uint32_t pcmap_size;
  uint32_t *pcmap_starts;
} jit_code;

/* How to compile; NULL (or all fields zero) is the default. */
typedef struct jit_options {
  /* Canonicalise the NaN results of float and SIMD arithmetic, so that a
   * module gives the same bits on every ISA (jit/codegen_nan.c). */
  bool deterministic;
  /* Charge fuel (jit/codegen_fuel.c): off emits not one instruction more. */
  bool fuel;
  /* Code that can be saved and loaded into another process (serialized
   * modules, runtime/serialize.c): every C function address, rtt address
   * and interned type id it embeds gets a fixed-size patchable form and a
   * jit_symreloc. Off, those are the shortest immediates. */
  bool relocatable;
  /* Compare every address with the memory's size (jit/codegen_ops.c), for
   * memories reserved smaller than the guarded 8 GiB; memory_guard is the
   * guard each reserves past its largest size (>= 64 KiB). Off, only
   * memory64s that may pass 4 GiB are checked. */
  bool bounds_checks;
  uint64_t memory_guard;
  /* Code that traps without signals, for hosts that keep their signal
   * handlers (wrun_config_signals_based_traps off): a trap calls
   * rt_lib_trap (runtime/libcalls.h) instead of executing ud2/udf, and
   * the bounds checks (bounds_checks must be on) count each access's
   * width, so that no access relies on a guard page. */
  bool no_signals;
  /* A pc map entry at the code of every wasm instruction, not only at
   * trap sites and calls (wrun_config_code_map: for wrun objdump). */
  bool map_every_instruction;
  /* Threads compiling the function bodies (jit/compile_parallel.c): 0
   * all online CPUs, 1 the calling thread alone. The code and every
   * table are the same bytes whatever the number. */
  unsigned jobs;
  /* Bodies go to the threads in runs of consecutive functions of at
   * least this many body bytes; a module of one run compiles on the
   * calling thread. 0: the default (or WRUN_COMPILE_SPLIT_BYTES, which
   * tests set to 1 to split every module at every function). */
  uint32_t split_bytes;
} jit_options;

/* The C functions compiled code calls, by their position in a fixed list
 * (jit/symbols.c): a relocatable module names them so. UINT32_MAX /
 * NULL when absent. */
uint32_t jit_libcall_index(const void *fn);
uint32_t jit_libcall_count(void);
const void *jit_libcall_at(uint32_t i);

/* The CPU features this host's backend generates code for (bits of
 * JIT_CPU_*), as detected (and as the tests force them). A module
 * compiled for features runs where the host has all of them. */
enum {
  JIT_CPU_X64_POPCNT = 1u << 0,
  JIT_CPU_X64_LZCNT = 1u << 1,
  JIT_CPU_X64_TZCNT = 1u << 2, /* BMI1 */
  JIT_CPU_X64_SSSE3 = 1u << 3,
  JIT_CPU_X64_SSE41 = 1u << 4,
  JIT_CPU_X64_SSE42 = 1u << 5,
  JIT_CPU_X64_FMA = 1u << 6, /* with AVX enabled by the OS */
  JIT_CPU_A64_LSE = 1u << 16, /* ARMv8.1 atomics */
};
uint32_t jit_cpu_features(void);
/* The name of feature bit `bit` (one JIT_CPU_* value), or NULL. */
const char *jit_cpu_feature_name(uint32_t bit);
/* The host ISA's name: "x86_64" or "aarch64". */
const char *jit_isa_name(void);

/* Maps a copy of bytes[0..size) into out->mem (size, mapped), calls
 * patch(mem, arg) (if given) while it is still writable, and makes it
 * read+execute. */
wrun_error *jit_map_code(const uint8_t *bytes, size_t size,
                         void (*patch)(uint8_t *mem, void *arg), void *arg,
                         jit_code *out);
/* Loads serialized code: maps a copy of bytes[0..size), patches each of
 * c->syms (already in c, like every table) with its value in this process
 * for module m (whose types carry this process's ids), and makes it
 * read+execute in c->mem. Refuses a sym out of range. On error c's
 * tables are left for the caller to free (jit_code_free). */
wrun_error *jit_code_load(jit_code *c, const uint8_t *bytes, size_t size,
                          const rt_module *m);

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
/* The innermost try scope of the call returning to pc in c (pc exactly
 * its return address), or JIT_NO_SCOPE. */
uint32_t jit_code_exn_scope_at(const jit_code *c, uintptr_t pc);
/* The fp offsets of the GC references of the frame whose call returns to
 * pc (*count of them), or NULL when it holds none. */
const int32_t *jit_code_stack_map_at(const jit_code *c, uintptr_t pc,
                                     uint32_t *count);
/* The module offset of the wasm instruction at pc in c (module m's code):
 * the trapping one
 * at a trap site, or, when return_address, the call returning to pc.
 * JIT_NO_WASM_OFFSET when the map has no entry there (a trap stub that
 * several instructions share, code outside functions). */
uint32_t jit_code_wasm_offset_at(const jit_code *c, const rt_module *m,
                                 uintptr_t pc, bool return_address);
/* Trap code at pc (exact trap site), or 0. */
uint8_t jit_code_trap_at(const jit_code *c, uintptr_t pc);

#endif
