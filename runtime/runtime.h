/* Internal structures of the runtime: what stands behind the public handles
 * of wrun.h (engine, store, module, instance, global, caller, trap, linker)
 * and the helpers the runtime files share. Not seen by the compiler, which
 * only knows runtime/vmctx.h.
 *
 * Handle aliases: wrun_func is an rt_funcref, wrun_memory an rt_memory and
 * wrun_table an rt_table (the public handles are just cast); the other
 * handles are the structs defined here.
 */
#ifndef RT_RUNTIME_H
#define RT_RUNTIME_H

#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "module.h"
#include "vmctx.h"
#include "exception.h"
#include "wrun.h"
#include "../jit/jit.h"

/* ---- engine.c: engine and process-wide function type interning -------- */

/* What a wrun_config sets; an engine keeps a copy (config.c). */
typedef struct rt_config {
  bool consume_fuel;  /* wrun_config_consume_fuel */
  bool deterministic; /* wrun_config_deterministic */
  /* Memories (wrun_config_memory_reservation and friends; 0: default). */
  bool bounds_checks;
  uint64_t memory_reservation;
  uint64_t memory_guard;
  bool no_signals; /* wrun_config_signals_based_traps(config, false) */
  uint8_t profiler; /* wrun_profiler (wrun_config_profiler) */
  bool code_map;    /* wrun_config_code_map */
  bool debug_info;  /* wrun_config_debug_info: the GDB JIT interface */
  unsigned jobs; /* wrun_config_jobs: compiling threads, 0 all CPUs */
} rt_config;

/* How an engine's memories are bounded (memory.c, the compiler): with
 * explicit checks, every memory compares addresses with its size and
 * reserves at most `reservation` bytes plus `guard`; without, the
 * default 8 GiB guarded reservations of DESIGN.md. */
typedef struct rt_memory_strategy {
  bool checks;
  uint64_t reservation; /* multiple of the page size, >= 1 page */
  uint64_t guard;       /* multiple of the OS page size, >= 64 KiB */
} rt_memory_strategy;
rt_memory_strategy rt_config_memory_strategy(const rt_config *c);
/* The strategy of the store's engine (the default one without). */
rt_memory_strategy rt_store_memory_strategy(const wrun_store *s);

struct wrun_engine {
  /* Everything shared lives process-wide (see engine.c); the engine only
   * holds the configuration of the modules compiled with it. */
  rt_config config; /* fixed at creation; shared tables are process-wide */
};

/* Interns t (by its params+results encoding) and returns its id (>= 1), or
 * 0 when out of memory. Equal types get equal ids in every engine. */
uint32_t rt_engine_intern_type(const rt_functype *t);
/* Interns a recursion group of n types given in key form (references
 * into the group as HT_REC with their position, others HT_CANON; super
 * the same, or RT_NO_SUPER); returns the id of its first type (the others
 * follow), 0 when out of memory. */
uint32_t rt_engine_intern_group(const rt_functype *types, uint32_t n);
/* Whether interned type a is b or declares b among its supertypes. */
bool rt_type_id_subtype(uint32_t a, uint32_t b);
/* The interned type with this id, or NULL. Stays valid for the process. */
const rt_functype *rt_type_by_id(uint32_t id);
/* Host-function trampolines of an interned type, made once and cached. */
wrun_error *rt_trampolines_for(uint32_t type_id, const void **entry,
                               const void **exit);

/* ---- module_api.c ------------------------------------------------------ */

/* A compiled module. Instances keep a reference, so the code stays mapped
 * until the last instance made from it is gone even if the embedder deletes
 * the module first. */
struct wrun_module {
  wrun_engine *engine;
  rt_module *m;
  jit_code code;
  atomic_int refs;
  int code_slot; /* in the code registry of trap.c, -1 if none */
  bool deterministic; /* compiled in deterministic mode */
  bool fuel;     /* compiled with fuel charges (its engine consumed fuel) */
  /* Its memory strategy (rt_memory_strategy): whether the code checks
   * every address, and the guard it relies on past a memory's size. */
  bool bounds_checks;
  uint64_t memory_guard;
  bool no_signals; /* traps by calls, exact bounds checks (jit_options) */
  void *gdb_entry; /* its registration with a debugger (gdb_jit.c), or NULL */
};

void rt_module_retain(wrun_module *mod);

/* ---- profile.c ------------------------------------------------------ */

/* Tells the engine's profiler (wrun_config_profiler) about code just
 * compiled or loaded for module m; nothing without one. */
void rt_profile_code(const wrun_engine *engine, const jit_code *c,
                     const rt_module *m);

/* ---- gdb_jit.c ------------------------------------------------------ */

/* Describes module m's code to a debugger (the GDB JIT interface); the
 * entry to unregister it with before the code is freed, or NULL. Reads
 * m's line table (dwarf_line.c), hence not const. */
void *rt_gdb_jit_register(const jit_code *c, rt_module *m);
void rt_gdb_jit_unregister(void *entry);
void rt_module_release(wrun_module *mod);

/* ---- store.c ------------------------------------------------------------ */

typedef struct rt_owned {
  void *obj;
  void (*destroy)(void *obj);
  struct rt_owned *next;
} rt_owned;

struct wrun_store {
  wrun_engine *engine;
  struct wrun_instance *instances; /* newest first */
  rt_owned *owned;                 /* host objects, memories, tables */
  wrun_store_limits limits;
  /* What the limits count (limits.c): accessible bytes of all memories,
   * elements of all tables, and the objects created. */
  uint64_t memory_bytes;
  uint64_t table_elements;
  uint64_t ninstances, nmemories, ntables;
  uint64_t exception_bytes; /* of the exception objects made (exception.c) */
  struct rt_gc_heap *gc;    /* GC objects (gc.c), made at the first one */
  /* Objects the host holds (gc_api.c): a stack, wrun_gc_scope_end pops
   * it; roots of every collection. */
  uintptr_t *host_roots;
  size_t nhost_roots, cap_host_roots;
  uint32_t gc_inhibit; /* > 0: allocations grow the heap, never collect */
  uintptr_t stack_limit;           /* last limit written to the vmctxs */
  /* wrun_store_interrupt: while set, every vmctx holds RT_POISONED_LIMIT.
   * The lock serializes poisoning, restoring and linking instances, so
   * that invariant holds whenever it is free. */
  atomic_bool interrupt_requested;
  pthread_mutex_t interrupt_lock;
  /* Fuel (fuel.c): compiled code decrements `fuel` in place through the
   * pointer every vmctx of the store holds (RT_VMCTX_FUEL), so it is one
   * counter for all the store's instances and host functions see it. */
  bool fuel_enabled; /* from the engine's config */
  uint64_t fuel;
  /* The functions engine-linker templates made here (store.c). */
  struct rt_template_func *template_funcs;
  /* The host's (wrun_store_set_data), finalized after everything else. */
  void *data;
  void (*data_finalizer)(void *data);
};

/* A stack limit no sp can be above: the next check traps. */
#define RT_POISONED_LIMIT UINTPTR_MAX

/* Hands obj to the store, which calls destroy(obj) when deleted. False when
 * out of memory (obj is then destroyed at once). */
bool rt_store_own(wrun_store *s, void *obj, void (*destroy)(void *obj));
/* Writes limit into every instance vmctx of the store that differs. */
void rt_store_apply_stack_limit(wrun_store *s, uintptr_t limit);
/* Links a new instance into the store (poisoned if an interrupt is
 * pending). */
void rt_store_link_instance(wrun_store *s, struct wrun_instance *inst);
/* If an interrupt is pending: clears it, restores the real stack limits
 * and returns true. */
bool rt_store_take_interrupt(wrun_store *s);

#define RT_DEFAULT_MAX_WASM_STACK ((size_t)1 << 20)

/* ---- limits.c: store limits (wrun_store_limits) --------------------------- */

#define RT_DEFAULT_TABLE_ELEMENTS 10000000u
#define RT_DEFAULT_INSTANCES 10000u
#define RT_DEFAULT_MEMORIES 1000u
#define RT_DEFAULT_TABLES 10000u
#define RT_DEFAULT_EXCEPTION_BYTES ((uint64_t)1 << 30)
#define RT_DEFAULT_GC_HEAP_BYTES ((uint64_t)4 << 30)

/* Whether the store may create count more memories (or tables) of total
 * bytes (elements) in all, the largest being largest; NULL or an error
 * naming the limit. The counts change only when objects are made. */
wrun_error *rt_limits_admit_memories(const wrun_store *s, uint64_t count,
                                     uint64_t largest, uint64_t total);
wrun_error *rt_limits_admit_tables(const wrun_store *s, uint64_t count,
                                   uint64_t largest, uint64_t total);
/* Everything an instance of m would create, checked before any of it is. */
wrun_error *rt_limits_admit_instance(const wrun_store *s, const rt_module *m);
/* Whether a memory (table) of the store may grow from size to size+extra. */
bool rt_limits_allow_memory_growth(const wrun_store *s, uint64_t size,
                                   uint64_t extra);
bool rt_limits_allow_table_growth(const wrun_store *s, uint64_t size,
                                  uint64_t extra);

/* ---- fuel.c -------------------------------------------------------------- */

/* After a call into the store returned trap t: an out-of-fuel trap leaves
 * the counter wrapped below zero by the charge that failed; it becomes 0. */
void rt_fuel_after_trap(wrun_store *s, const wrun_trap *t);
/* A module compiled with or without fuel charges fits only stores whose
 * engine agrees: NULL, or the error to report. */
wrun_error *rt_fuel_check_module(const wrun_store *s, const wrun_module *m);

/* ---- global.c ------------------------------------------------------------ */

/* A global: its cell (a vmctx slot for a defined global, the exporter's cell
 * for an imported one, own for a host global) and its type. */
struct wrun_global {
  rt_global_cell *cell;
  rt_globaltype type;
  struct wrun_store *store; /* the store that made it */
  rt_global_cell own;
};

/* ---- isolation.c: which store an object belongs to -------------------------- */

/* The store of a (non-null) funcref. */
wrun_store *rt_funcref_store(const rt_funcref *f);
/* Whether v may be stored or passed in s: true for anything but a
 * non-null funcref of another store. */
bool rt_val_in_store(const wrun_val *v, const wrun_store *s);
/* Whether the (non-null) object behind e was made in s. */
bool rt_extern_in_store(const wrun_extern *e, const wrun_store *s);

/* ---- instance.c ----------------------------------------------------------- */

/* Evaluated items of an element segment, kept for table.init; count is 0
 * once the segment is dropped. */
typedef struct rt_elem_items {
  void **items;
  uint32_t count;
} rt_elem_items;

struct wrun_instance {
  wrun_store *store;
  wrun_module *module;
  const rt_module *m;
  uint8_t *vmctx;
  rt_vmctx_layout layout;
  rt_memory **memories;     /* m->nmemories */
  rt_table **tables;        /* m->ntables */
  struct wrun_global *globals; /* m->nglobals */
  struct wrun_tag **tags;   /* m->ntags: own ones made per instance */
  rt_elem_items *elems;     /* m->nelems */
  bool *data_dropped;       /* m->ndatas */
  struct wrun_instance *next;
};
typedef struct wrun_instance rt_instance;

static inline rt_instance *rt_instance_of_vmctx(void *vmctx) {
  return *(rt_instance **)((uint8_t *)vmctx + RT_VMCTX_INSTANCE);
}
static inline rt_funcref *rt_instance_func(const rt_instance *inst,
                                           uint32_t i) {
  return (rt_funcref *)(inst->vmctx + inst->layout.funcs_off +
                        (size_t)RT_FUNCREF_SIZE * i);
}
void rt_instance_free(rt_instance *inst);
bool rt_instance_find_export(const rt_instance *inst, const char *name,
                             wrun_extern *out);

/* ---- memory.c / table.c -------------------------------------------------- */

#define RT_PAGE_SIZE 65536u
#define RT_MAX_PAGES 65536u
/* The most pages a 64-bit memory holds here (RT_MEMORY64_MAX_BYTES). */
#define RT_MAX_PAGES64 (RT_MEMORY64_MAX_BYTES / RT_PAGE_SIZE)
/* What a 64-bit memory over 4 GiB reserves when neither its maximum nor a
 * store byte limit (memory_bytes, store_memory_bytes) bounds it lower. */
#define RT_MEMORY64_DEFAULT_BYTES ((uint64_t)16 << 30)

/* Address space each memory reserves (see memory.c); 0 on 32-bit hosts,
 * where a memory maps just its maximum. */
#if UINTPTR_MAX > 0xffffffffu
#define RT_MEMORY_RESERVATION_BYTES ((size_t)8 << 30)
#else
#define RT_MEMORY_RESERVATION_BYTES ((size_t)0)
#endif
/* Standard reservations kept for reuse when their memory is freed
 * (memory_pool.c): 32 of them hold 256 GiB of address space, no RAM. */
#define RT_MEMORY_POOL_MAX 32
/* A kept reservation, zero, its first `accessible` bytes read-write and
 * the rest inaccessible; NULL when none is kept, or when the one kept
 * could not be set up: then it is unmapped and *dropped set (its budget
 * is the caller's to release). */
uint8_t *rt_memory_pool_take(size_t accessible, bool *dropped);
/* Keeps the standard reservation at base, whose first `accessible` bytes
 * are read-write, for reuse; false (the caller unmaps it) when the pool
 * is full or its pages cannot be dropped. */
bool rt_memory_pool_give(uint8_t *base, size_t accessible);
/* Unmaps every kept reservation; returns how many. */
size_t rt_memory_pool_drain(void);
/* The process-wide bound on the address space all memories reserve. */
#define RT_DEFAULT_RESERVATION_BUDGET ((uint64_t)64 << 40)
/* Sets that bound (tests lower it); returns the previous one. */
uint64_t rt_memory_set_reservation_budget(uint64_t bytes);

/* Creates a memory owned by the store; NULL and *error when impossible.
 * min and max count pages; whatever the type allows, a 32-bit memory
 * holds at most RT_MAX_PAGES, a 64-bit one what its reservation holds
 * (see rt_memory and memory.c). */
rt_memory *rt_memory_new(wrun_store *s, uint64_t min, uint64_t max,
                         bool has_max, bool is64, wrun_error **error);
/* Old size in pages, or -1. */
int64_t rt_memory_grow(rt_memory *mem, uint64_t delta);
/* Store s (not mem's maker) imports the shared memory mem: it holds a
 * reference until deleted. False when out of memory (the reference is
 * then dropped again). */
bool rt_memory_share(wrun_store *s, rt_memory *mem);

/* A table64 (is64) takes i64 indices; any table holds at most UINT32_MAX
 * elements here. */
rt_table *rt_table_new(wrun_store *s, rt_valtype elem_type, uint64_t min,
                       uint64_t max, bool has_max, bool is64, void *init,
                       wrun_error **error);
int64_t rt_table_grow(rt_table *t, uint64_t delta, void *init);
/* Makes slot a view of t (rt_table.views): filled now and at each growth.
 * False when out of memory. */
bool rt_table_add_view(rt_table *t, rt_vmctx_table *slot);

/* ---- wait and notify (wait.c) --------------------------------------------- */

/* Blocks while the 32- or 64-bit value at addr (a shared memory's byte)
 * equals expected, at most timeout_ns (< 0: no limit): 0 woken by
 * rt_atomic_notify, 1 the value differed, 2 timed out. */
int32_t rt_atomic_wait(const void *addr, uint64_t expected, bool is64,
                       int64_t timeout_ns);
/* Wakes at most count waiters of addr, oldest first; returns how many. */
uint32_t rt_atomic_notify(const void *addr, uint32_t count);

/* ---- values (func.c) ------------------------------------------------------ */

/* Writes v into slot (rt_array_slot_size bytes) in its natural encoding:
 * i32 zero-extended, floats as bits, references as pointers. */
/* False when an externref cannot be boxed (the GC heap is full). */
bool rt_val_to_slot(wrun_store *s, const wrun_val *v, void *slot);
void rt_slot_to_val(rt_valtype type, const void *slot, wrun_val *out);
/* Does v have type t (module-independent form), null and function type
 * included? */
bool rt_val_fits(const wrun_val *v, rt_valtype t);
/* Slots needed by the array layout for a type's params or results. */
size_t rt_array_slots(const rt_functype *t);

struct wrun_caller {
  rt_instance *instance;
  wrun_store *store;
};

/* ---- trap.c / call.c --------------------------------------------------------- */

/* A frame of a trap's backtrace (wrun_trap_frame_*). */
typedef struct rt_trap_frame {
  uint32_t func;
  uint32_t offset;     /* module offset of its instruction, or UINT32_MAX */
  uint32_t body_start; /* module offset of the function's body */
  char *name;          /* NULL or an owned copy of the function's name */
  char *module_name;   /* NULL or an owned copy of the module's name */
  /* The vmctx its frame saved (unchecked: a word read off the stack), and
   * the instance of the calling store it names (rt_trap_bind_instances),
   * NULL when none does. */
  /* From the module's DWARF line table, when it has one: an owned copy of
   * the file name (NULL: unknown), line (0: unknown) and column. */
  char *file;
  uint32_t line, column;
  uintptr_t vmctx;
  const rt_module *frame_module;
  struct wrun_instance *instance;
} rt_trap_frame;

struct wrun_trap {
  wrun_trap_code code;
  int32_t exit_status;
  char *message;
  size_t nframes;
  struct rt_trap_frame *frames;
  size_t frames_omitted; /* wasm frames past the ones recorded */
  wrun_exn *exn; /* WRUN_TRAP_EXCEPTION: the exception (its store owns it) */
};

/* A protected entry into wasm on this thread; entries nest through host
 * calls (host -> wasm -> host -> wasm). */
typedef struct rt_entry {
  sigjmp_buf jmp;
  struct rt_entry *prev;
} rt_entry;

/* Per-thread: the innermost active entry (NULL outside wasm). */
rt_entry *rt_current_entry(void);
/* Names each frame's instance: the store's instance whose vmctx the frame
 * saved, if it runs the frame's module. The innermost frame of a stack
 * exhaustion or an interrupt stays unnamed: it trapped in its prologue,
 * or at a check sharing that stub, before or without a saved vmctx that
 * can be told apart from a stale word. */
void rt_trap_bind_instances(wrun_trap *t, const wrun_store *s);
void rt_set_current_entry(rt_entry *e);

/* Makes this thread's trap state ready (once per thread) and, for code
 * that traps by signals, installs the signal handlers (once per process)
 * and the thread's alternate signal stack (once per thread). Code without
 * signals (jit_options.no_signals) needs neither. False if that failed. */
bool rt_trap_setup_thread(bool signals);
/* The thread's stack bounds [low, high), found once per thread. */
void rt_thread_stack_bounds(uintptr_t *low, uintptr_t *high);

/* Registers executable code so the signal handler can recognise its pcs;
 * m is NULL for trampolines. Returns a slot for rt_code_unregister, or -1
 * when the registry is full. */
int rt_code_register(const jit_code *code, const rt_module *m);
/* The registered code containing pc (async-signal-safe), or NULL; *module
 * is its module (NULL for trampolines). */
const jit_code *rt_code_at(uintptr_t pc, const rt_module **module);
void rt_code_unregister(int slot);

/* Raises a host trap object (owned by the raiser until taken). */
__attribute__((noreturn)) void rt_trap_raise_object(wrun_trap *t);
/* After a trap: the fuel left that a fault in code compiled with fuel had
 * in its register (true), or false when the counter in memory is current
 * (a trap raised from C). Clears it. */
bool rt_trap_take_fuel(uint64_t *left);
/* After a longjmp to an entry: makes the wrun_trap of what was recorded. */
wrun_trap *rt_trap_take(void);
wrun_trap *rt_trap_new_code(wrun_trap_code code);
/* Changes t's code, and its message to the code's own. */
void rt_trap_recode(wrun_trap *t, wrun_trap_code code);
/* Frame i's wasm offset becomes unknown (its pc named no one instruction:
 * an interrupt, caught at a check that the prologue and loop heads share). */
void rt_trap_forget_offset(wrun_trap *t, size_t i);
wrun_trap *rt_trap_newf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* A host function of an engine linker (linker.c): its type, callback and
 * env, shared by the functions it makes in each store; refcounted by the
 * linker and by them, the env finalized with the last. */
typedef struct rt_func_template {
  uint32_t type_id;
  wrun_host_callback callback;
  void *env;
  void (*finalizer)(void *env);
  _Atomic size_t refs;
} rt_func_template;
void rt_func_template_ref(rt_func_template *t);
void rt_func_template_unref(rt_func_template *t);
/* A host function of interned type id, owned by store; tmpl (may be NULL)
 * is referenced while it lives. NULL and wrun_last_error on failure. */
wrun_func *rt_func_new_id(wrun_store *store, uint32_t id,
                          wrun_host_callback cb, void *env,
                          void (*finalizer)(void *env),
                          rt_func_template *tmpl);
/* The function tmpl made in store s, made now on first use: one per store,
 * so that its identity (ref.eq, tables) is the same for every instance
 * of s that imports it. */
wrun_func *rt_store_template_func(wrun_store *s, rt_func_template *tmpl);
/* A trap of the given code with its own message. */
wrun_trap *rt_trap_code_newf(wrun_trap_code code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Replaces t's message, keeping its code and backtrace. */
void rt_trap_set_message(wrun_trap *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Bytes of native stack wasm may use on this thread if called from here:
 * what lies below the caller, less the margin kept for host functions and
 * libcalls. SIZE_MAX when the thread's bounds are unknown. */
size_t rt_usable_wasm_stack(void);

/* Calls f with values in the array layout under trap protection. */
wrun_trap *rt_call(wrun_store *s, const rt_funcref *f, uint64_t *values);

/* ---- linker.c ------------------------------------------------------------ */

/* Checks ext against import imp of m; NULL or "incompatible import type". */
wrun_error *rt_check_import(const rt_module *m, const rt_import *imp,
                            const wrun_extern *ext);

#endif
