/* wrun: a WebAssembly runtime with a single-pass baseline JIT.
 *
 * Public C API of libwrun. Every object is created and deleted through these
 * functions; the structures behind the handles are private.
 *
 * Ownership: an engine owns interned function types and shared trampolines;
 * a store owns everything instantiated in it (instances, host functions,
 * memories, tables, globals) and frees it when deleted. A module is
 * independent of stores and may be instantiated many times.
 *
 * Isolation: an object belongs to the store that made it and is never
 * used with another. Every function that takes a func, table, memory,
 * global or extern refuses one of a foreign store: wrun_table_set and
 * wrun_global_set return false for a funcref of another store,
 * wrun_table_new and wrun_global_new return NULL for such an init value,
 * wrun_func_call returns a trap ("function belongs to another store",
 * "argument N is a funcref of another store"), instantiation (directly or
 * through a linker of another store) an error naming the import
 * ("import `env`.`f` belongs to another store"), and a host function
 * returning a funcref of another store traps. Externrefs are the host's
 * own pointers and are not checked.
 *
 * Errors are values: functions that can fail return a wrun_error* (NULL on
 * success) or a wrun_trap* (NULL when no trap happened). Nothing in the
 * library aborts or exits on bad input.
 *
 * Threads: an engine and a module may be shared by any number of threads
 * at once (compiling, instantiating, calling wrun_module_* queries; the
 * engine's interned types take a lock); a module lives on while an
 * instance of it does, so wrun_module_delete may come first. A store,
 * and everything in it (instances, funcs, memories, tables, globals,
 * linkers made for it), is used by one thread at a time: stores on
 * different threads run in parallel, and a store may move from thread to
 * thread between calls, but two threads must not call into one store at
 * once. The exceptions: wrun_store_interrupt, callable from any thread
 * while another runs the store's wasm; shared memories, usable from
 * stores on several threads (atomics, memory.atomic.wait/notify); traps
 * and errors, plain values the caller owns on any thread. Host functions
 * run on the thread that called into wasm.
 *
 * Signals: traps in compiled code arrive as SIGSEGV and SIGBUS (an access
 * in a memory's guard region) and SIGILL (ud2/udf of an explicit trap).
 * wrun installs handlers for these three once per process (sigaction,
 * SA_ONSTACK | SA_SIGINFO | SA_NODEFER), at the first call into wasm on
 * any thread, keeping the previous handlers: a signal that is no trap in
 * wasm code of this thread (a host crash, a fault in C code) goes to the
 * previous handler, or the default action, never swallowed. A host that
 * installs its own handlers for them afterwards must chain to wrun's.
 * Each thread that calls into wasm gets a 64 KiB alternate signal stack
 * (sigaltstack) the first time, unless it has one of at least 16 KiB
 * already (then that one is used); wrun frees the one it made when the
 * thread exits. Nothing else is installed: no timer, no other signal
 * (--timeout in the wrun command is a watchdog thread calling
 * wrun_store_interrupt). A host that owns these signals turns
 * signals-based traps off (wrun_config_signals_based_traps): the stores
 * of such an engine trap without any signal, and wrun installs nothing.
 */
#ifndef WRUN_H
#define WRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h> /* memcpy, for the float value helpers */

#ifdef __cplusplus
extern "C" {
#endif

#define WRUN_VERSION "0.1.0"

/* Marks the library's exported functions: it is built with
 * -fvisibility=hidden, so only what carries this is visible to hosts. */
#ifndef WRUN_API
#define WRUN_API __attribute__((visibility("default")))
#endif

typedef struct wrun_engine wrun_engine;
typedef struct wrun_store wrun_store;
typedef struct wrun_module wrun_module;
typedef struct wrun_instance wrun_instance;
typedef struct wrun_linker wrun_linker;
typedef struct wrun_error wrun_error;
typedef struct wrun_trap wrun_trap;
typedef struct wrun_func wrun_func;     /* a funcref: callable from host and wasm */
typedef struct wrun_memory wrun_memory;
typedef struct wrun_table wrun_table;
typedef struct wrun_global wrun_global;
typedef struct wrun_caller wrun_caller; /* what a host function sees of its caller */
typedef struct wrun_tag wrun_tag; /* an exception tag: identity + payload types */
typedef struct wrun_exn wrun_exn; /* an exception: a tag and its payload */

/* Value types use their binary encoding. */
typedef enum wrun_valtype {
  WRUN_I32 = 0x7F,
  WRUN_I64 = 0x7E,
  WRUN_F32 = 0x7D,
  WRUN_F64 = 0x7C,
  WRUN_V128 = 0x7B,
  WRUN_FUNCREF = 0x70,
  WRUN_EXTERNREF = 0x6F,
  WRUN_EXNREF = 0x69, /* (ref null exn): a caught exception, or null */
  /* (ref null any), GC (Wasm 3.0): null, an i31, a struct or array of
   * the store's GC heap, or a host value (wrun_anyref_from_host); every
   * reference of the any hierarchy (eqref, i31ref, structref, ...)
   * crosses the API as one. See "GC references and the host" below. */
  WRUN_ANYREF = 0x6E,
} wrun_valtype;

/* "i32", "i64", "f32", "f64", "v128", "funcref", "externref", "exnref",
 * "anyref", or "?". */
WRUN_API const char *wrun_valtype_name(wrun_valtype t);

typedef struct wrun_val {
  wrun_valtype type;
  union {
    int32_t i32;
    int64_t i64;
    uint32_t f32_bits; /* floats travel as bits so NaN payloads survive */
    uint64_t f64_bits;
    uint8_t v128[16];
    wrun_func *funcref;  /* NULL is ref.null func */
    void *externref;     /* NULL is ref.null extern */
    wrun_exn *exnref;    /* NULL is ref.null exn */
    void *anyref;        /* NULL is ref.null any; an opaque word */
  } of;
} wrun_val;

/* Values made and read in one expression (header-only). Floats go through
 * their bits, so wrun_val_f32(x) keeps a NaN's payload as the CPU has it. */
static inline wrun_val wrun_val_i32(int32_t v) {
  wrun_val r = {WRUN_I32, {.i32 = v}};
  return r;
}
static inline wrun_val wrun_val_i64(int64_t v) {
  wrun_val r = {WRUN_I64, {.i64 = v}};
  return r;
}
static inline wrun_val wrun_val_f32(float v) {
  wrun_val r = {WRUN_F32, {.f32_bits = 0}};
  memcpy(&r.of.f32_bits, &v, sizeof v);
  return r;
}
static inline wrun_val wrun_val_f64(double v) {
  wrun_val r = {WRUN_F64, {.f64_bits = 0}};
  memcpy(&r.of.f64_bits, &v, sizeof v);
  return r;
}
static inline wrun_val wrun_val_funcref(wrun_func *f) {
  wrun_val r = {WRUN_FUNCREF, {.funcref = f}};
  return r;
}
static inline wrun_val wrun_val_externref(void *p) {
  wrun_val r = {WRUN_EXTERNREF, {.externref = p}};
  return r;
}
static inline float wrun_val_as_f32(const wrun_val *v) {
  float f;
  memcpy(&f, &v->of.f32_bits, sizeof f);
  return f;
}
static inline double wrun_val_as_f64(const wrun_val *v) {
  double d;
  memcpy(&d, &v->of.f64_bits, sizeof d);
  return d;
}

/* An i31 reference (ref.i31) as an anyref: the low 31 bits of value. */
WRUN_API void *wrun_anyref_from_i31(int32_t value);
/* Whether anyref is an i31; if so *value is it sign-extended (i31.get_s). */
WRUN_API bool wrun_anyref_i31(const void *anyref, int32_t *value);

/* ---- GC references and the host ------------------------------------------
 * An externref is the host's own pointer; inside wasm it is boxed in the
 * store's GC heap, so that any.convert_extern and extern.convert_any keep
 * identity. An anyref is an opaque word. A struct or array the host gets
 * (a call's results, wrun_global_get, wrun_table_get) is rooted in the
 * store until the innermost wrun_gc_scope around the call ends, or until
 * the store is deleted when there is none; wrun_anyref_root keeps one
 * alive beyond that. Objects a host function receives as arguments stay
 * alive for the duration of the call. */
typedef enum wrun_anyref_kind {
  WRUN_ANYREF_NULL,
  WRUN_ANYREF_I31,
  WRUN_ANYREF_STRUCT,
  WRUN_ANYREF_ARRAY,
  WRUN_ANYREF_HOST, /* a host value: any.convert_extern of an externref */
} wrun_anyref_kind;

WRUN_API wrun_anyref_kind wrun_anyref_kind_of(const void *anyref);
/* The anyref any.convert_extern makes of host value `value` (not NULL):
 * a box in the store's heap, rooted as results are. NULL when the heap is
 * full. */
WRUN_API void *wrun_anyref_from_host(wrun_store *store, void *value);
/* Whether anyref is a host value; if so *value is it. */
WRUN_API bool wrun_anyref_host(const void *anyref, void **value);
/* A scope of roots: wrun_gc_scope_end(store, mark) releases the roots
 * made since mark = wrun_gc_scope_begin(store). */
WRUN_API size_t wrun_gc_scope_begin(wrun_store *store);
WRUN_API void wrun_gc_scope_end(wrun_store *store, size_t mark);
/* Keeps anyref (an object of store's heap; null and i31s need nothing)
 * alive whatever the scopes, until as many wrun_anyref_unroot calls as
 * roots. False when out of memory or not the store's object. */
WRUN_API bool wrun_anyref_root(wrun_store *store, const void *anyref);
WRUN_API void wrun_anyref_unroot(wrun_store *store, const void *anyref);

typedef enum wrun_externkind {
  WRUN_EXTERN_FUNC = 0,
  WRUN_EXTERN_TABLE = 1,
  WRUN_EXTERN_MEMORY = 2,
  WRUN_EXTERN_GLOBAL = 3,
  WRUN_EXTERN_TAG = 4, /* an exception tag (Wasm 3.0) */
} wrun_externkind;

typedef struct wrun_extern {
  wrun_externkind kind;
  union {
    wrun_func *func;
    wrun_table *table;
    wrun_memory *memory;
    wrun_global *global;
    wrun_tag *tag;
  } of;
} wrun_extern;

/* Trap codes; wrun_trap_message gives the spec's wording. */
typedef enum wrun_trap_code {
  WRUN_TRAP_NONE = 0,
  WRUN_TRAP_UNREACHABLE,          /* "unreachable" */
  WRUN_TRAP_INT_DIV_ZERO,         /* "integer divide by zero" */
  WRUN_TRAP_INT_OVERFLOW,         /* "integer overflow" */
  WRUN_TRAP_BAD_CONVERSION,       /* "invalid conversion to integer" */
  WRUN_TRAP_MEMORY_OOB,           /* "out of bounds memory access" */
  WRUN_TRAP_TABLE_OOB,            /* "out of bounds table access" */
  WRUN_TRAP_UNDEFINED_ELEMENT,    /* "undefined element" */
  WRUN_TRAP_UNINITIALIZED_ELEMENT,/* "uninitialized element" */
  WRUN_TRAP_INDIRECT_MISMATCH,    /* "indirect call type mismatch" */
  WRUN_TRAP_STACK_EXHAUSTED,      /* "call stack exhausted" */
  WRUN_TRAP_HOST,                 /* raised by a host function, own message */
  WRUN_TRAP_EXIT,                 /* WASI proc_exit: not an error, carries a code */
  WRUN_TRAP_INTERRUPT,            /* "interrupted": wrun_store_interrupt */
  WRUN_TRAP_OUT_OF_FUEL,          /* "all fuel consumed": wrun_store_set_fuel */
  WRUN_TRAP_EXCEPTION,            /* "uncaught exception": wrun_trap_exception */
  WRUN_TRAP_NULL_EXNREF,          /* "null exception reference": throw_ref */
  WRUN_TRAP_NULL_FUNCREF,         /* "null function reference": call_ref */
  WRUN_TRAP_NULL_REFERENCE,       /* "null reference": ref.as_non_null */
  WRUN_TRAP_NULL_I31,             /* "null i31 reference": i31.get_s/u */
  WRUN_TRAP_CAST_FAILURE,         /* "cast failure": ref.cast */
  WRUN_TRAP_UNALIGNED_ATOMIC,     /* "unaligned atomic" */
  WRUN_TRAP_EXPECTED_SHARED,      /* "expected shared memory": wait */
  WRUN_TRAP_NULL_STRUCT,          /* "null structure reference" */
  WRUN_TRAP_NULL_ARRAY,           /* "null array reference" */
  WRUN_TRAP_ARRAY_OOB,            /* "out of bounds array access" */
  WRUN_TRAP_GC_HEAP,              /* "out of GC heap memory": the store's
                                     gc_heap_bytes limit, or an array too
                                     large for any heap */
  WRUN_TRAP_BAD_ARGUMENTS,        /* wrun_func_call's arguments or result
                                     room do not match the function's type,
                                     or belong to another store; nothing
                                     ran. The message says which. */
  WRUN_TRAP_COUNT
} wrun_trap_code;

/* ---- errors ---------------------------------------------------------- */
/* Why the last call of this thread that returned NULL failed, for the
 * constructors that return NULL rather than a wrun_error (wrun_store_new,
 * wrun_func_new, wrun_memory_new*, wrun_table_new*, wrun_global_new,
 * wrun_tag_new, wrun_exn_new): e.g. "memory: maximum 1 pages below the
 * minimum 2", or a store limit's message. Kept per thread, as dlerror();
 * "" before any failure; valid until that thread's next failing call. */
WRUN_API const char *wrun_last_error(void);
WRUN_API const char *wrun_error_message(const wrun_error *e);
/* Byte offset in the module the error refers to, or SIZE_MAX if none. */
WRUN_API size_t wrun_error_offset(const wrun_error *e);
WRUN_API void wrun_error_delete(wrun_error *e);

/* ---- traps ----------------------------------------------------------- */
WRUN_API wrun_trap *wrun_trap_new(const char *message); /* for host functions */
WRUN_API wrun_trap *wrun_trap_new_exit(int32_t status); /* WASI proc_exit */
WRUN_API wrun_trap_code wrun_trap_code_of(const wrun_trap *t);
WRUN_API const char *wrun_trap_message(const wrun_trap *t);
WRUN_API int32_t wrun_trap_exit_status(const wrun_trap *t); /* for WRUN_TRAP_EXIT */
/* Wasm backtrace, innermost frame first: function index per frame. */
WRUN_API size_t wrun_trap_frame_count(const wrun_trap *t);
/* Wasm frames beyond the recorded ones (at most 128 are: the walk runs in
 * a signal handler, without allocating), innermost first: 0 unless the
 * trap came from a deeper stack, such as a stack exhaustion. */
WRUN_API size_t wrun_trap_frames_omitted(const wrun_trap *t);
/* The frame's source position from the module's DWARF line table
 * (`clang -g`: the .debug_line custom section, DWARF 2 to 5): the file
 * (NULL when unknown), line and column (0 when unknown). */
WRUN_API const char *wrun_trap_frame_file(const wrun_trap *t, size_t i);
WRUN_API uint32_t wrun_trap_frame_line(const wrun_trap *t, size_t i);
WRUN_API uint32_t wrun_trap_frame_column(const wrun_trap *t, size_t i);
WRUN_API uint32_t wrun_trap_frame_func(const wrun_trap *t, size_t i);
WRUN_API const char *wrun_trap_frame_name(const wrun_trap *t, size_t i); /* or NULL */
/* The name section's module name of the frame's module, or NULL. */
WRUN_API const char *wrun_trap_frame_module_name(const wrun_trap *t, size_t i);
/* The instance the frame ran in (it lives as long as its store), or NULL:
 * past the last frame, and for the innermost frame of a stack exhaustion
 * or an interrupt (it trapped in a check that cannot tell its instance). */
WRUN_API wrun_instance *wrun_trap_frame_instance(const wrun_trap *t,
                                                 size_t i);
/* Where the frame is in the wasm: for the innermost frame the trapping
 * instruction, for the others the call instruction; the byte offset of
 * its opcode in the module binary (what wasmtime prints), and the same
 * relative to the start of the function's body (its locals, past the
 * body's size; wasm.h's func_offset). SIZE_MAX when unknown: a trap from
 * a conditional check whose out-of-line trap stub several instructions of
 * the function share (the pc cannot tell which one branched there, e.g.
 * two divisions that trap on zero), an interrupt, a frame without code. */
WRUN_API size_t wrun_trap_frame_module_offset(const wrun_trap *t, size_t i);
WRUN_API size_t wrun_trap_frame_func_offset(const wrun_trap *t, size_t i);
WRUN_API void wrun_trap_delete(wrun_trap *t);

/* ---- exceptions (Wasm 3.0 exception handling) ----------------------------
 * A tag is an identity plus payload types: two tags are the same only if
 * they are the same object (a module's tag, exported and imported, or one
 * made by wrun_tag_new), never because their types agree. An exception
 * (wrun_exn) is a tag and its payload values; it belongs to a store and
 * lives as long as the store (exnref values may be kept in tables and
 * globals, and wrun has no collector yet).
 *
 * Wasm -> host: an exception wasm does not catch comes out of
 * wrun_func_call as a trap of code WRUN_TRAP_EXCEPTION; wrun_trap_exception
 * gives the exception (owned by the store, valid after the trap is
 * deleted). The store stays usable.
 * Host -> wasm: a host function throws by returning
 * wrun_trap_new_exception(exn); wasm code up the stack may catch it. A
 * host function calling wasm that throws may catch it (inspect the trap,
 * delete it, return normally) or pass it on by returning the same trap. */
WRUN_API wrun_tag *wrun_tag_new(wrun_store *store, const wrun_valtype *params,
                       size_t nparams);
WRUN_API size_t wrun_tag_param_count(const wrun_tag *tag);
WRUN_API wrun_valtype wrun_tag_param_type(const wrun_tag *tag, size_t i);
/* NULL when the payload does not match the tag's types (or out of
 * memory). */
WRUN_API wrun_exn *wrun_exn_new(wrun_store *store, const wrun_tag *tag,
                       const wrun_val *payload, size_t n);
WRUN_API const wrun_tag *wrun_exn_tag(const wrun_exn *exn);
WRUN_API size_t wrun_exn_payload_count(const wrun_exn *exn);
/* Payload value i; false when i is out of range. */
WRUN_API bool wrun_exn_payload(const wrun_exn *exn, size_t i, wrun_val *out);
WRUN_API wrun_trap *wrun_trap_new_exception(wrun_exn *exn);
/* The exception a WRUN_TRAP_EXCEPTION trap carries, else NULL. */
WRUN_API wrun_exn *wrun_trap_exception(const wrun_trap *t);

/* ---- engine and store ------------------------------------------------- */
/* An engine with the default configuration (no fuel metering). */
WRUN_API wrun_engine *wrun_engine_new(void);
WRUN_API void wrun_engine_delete(wrun_engine *engine);
/* Whether the engine's modules are compiled in deterministic mode
 * (wrun_config_deterministic). */
WRUN_API bool wrun_engine_deterministic(const wrun_engine *engine);
WRUN_API wrun_store *wrun_store_new(wrun_engine *engine);
WRUN_API void wrun_store_delete(wrun_store *store);
/* The engine the store was made from (wasi-threads makes a store per
 * thread from it). */
WRUN_API wrun_engine *wrun_store_engine(const wrun_store *store);
/* The host's own pointer for the store (as Wasmtime's Store<T> data), for
 * host functions to find their state through wrun_caller_store: NULL
 * until set. finalizer (may be NULL) is called with the data when it is
 * replaced, and by wrun_store_delete after all of the store's objects
 * and their finalizers are gone. */
WRUN_API void wrun_store_set_data(wrun_store *store, void *data,
                                  void (*finalizer)(void *data));
WRUN_API void *wrun_store_data(const wrun_store *store);

/* ---- store limits ------------------------------------------------------
 * What the wasm of one store may take, as Wasmtime's StoreLimits. A guest
 * that asks for more gets -1 from memory.grow / table.grow, and an
 * instantiation (or wrun_memory_new / wrun_table_new) that would pass a
 * limit fails before allocating anything, with an error naming the limit
 * ("table elements limit exceeded: ..."). Every store starts with the
 * defaults below; they are meant to keep a hostile module from taking the
 * machine, not to fit every program. Limits count what the store already
 * holds: lowering one below that refuses further growth, it frees nothing.
 * Memories and tables imported by an instance count once, in the store
 * that created them. */

/* A limit with no bound. */
#define WRUN_UNLIMITED UINT64_MAX

typedef struct wrun_store_limits {
  /* Bytes one linear memory may have (its minimum at creation and every
   * memory.grow). Default WRUN_UNLIMITED: a 32-bit memory stops at 4 GiB
   * anyway. Counted in whole 64 KiB pages. A memory64 that may pass 4 GiB
   * reserves address space for what this and store_memory_bytes allow
   * when it is created (16 GiB when both are unlimited): set them first
   * for a larger one. */
  uint64_t memory_bytes;
  /* Bytes all linear memories of the store may have together. Default
   * WRUN_UNLIMITED; wrun_store_set_max_memory sets this one. */
  uint64_t store_memory_bytes;
  /* Elements one table may have. Default 10,000,000. */
  uint64_t table_elements;
  /* Elements all tables of the store may have together (each costs a
   * pointer, 8 bytes). Default 10,000,000: at most 80 MB of tables. */
  uint64_t store_table_elements;
  /* Instances the store may hold, including ones whose instantiation
   * trapped after they were created. Default 10,000. */
  uint64_t instances;
  /* Linear memories the store may create. Each one reserves 8 GiB of
   * address space on 64-bit hosts (4 GiB plus a 4 GiB guard, see
   * DESIGN.md), so this bounds the reservations: default 1,000 memories,
   * 8 TiB, a sixteenth of x86-64's 128 TiB of user address space. The
   * process as a whole also refuses reservations past 64 TiB (an error
   * "address space limit exceeded"), whatever its stores allow. */
  uint64_t memories;
  /* Tables the store may create. Default 10,000. */
  uint64_t tables;
  /* Bytes of native stack that wasm called from this store may use,
   * counted from the outermost call into wasm on a thread. Default 1 MiB.
   * Must be at least 1 and fit in the usable stack of the thread that
   * sets it (see wrun_store_set_limits). */
  uint64_t wasm_stack_bytes;
  /* Bytes of exception objects the store may hold. Every throw makes one,
   * and (without a garbage collector yet, issue 8) they live until the
   * store is deleted; a throw past the limit traps "exception limit
   * exceeded". Default 1 GiB, about ten million small exceptions. */
  uint64_t exception_bytes;
  /* Bytes of GC objects (structs, arrays, boxed externrefs) the store's
   * heap may hold. An allocation that does not fit, even after a
   * collection, traps "out of GC heap memory"; the host API's allocations
   * fail. Default 4 GiB. */
  uint64_t gc_heap_bytes;
} wrun_store_limits;

/* The defaults above. */
WRUN_API void wrun_store_limits_default(wrun_store_limits *out);
/* The store's limits in force. */
WRUN_API void wrun_store_get_limits(const wrun_store *store, wrun_store_limits *out);
/* Replaces all of the store's limits (start from wrun_store_get_limits or
 * wrun_store_limits_default and change fields). NULL on success; an error,
 * with nothing changed, when wasm_stack_bytes is 0 or more than the
 * calling thread's stack has left below the caller (minus a margin kept
 * for host functions and libcalls): a limit the thread cannot honour is
 * refused rather than silently capped. A thread with less stack that later
 * calls into the store gets its own stack's bound, and a trap
 * "call stack exhausted" then says the limit was capped and to what. */
WRUN_API wrun_error *wrun_store_set_limits(wrun_store *store,
                                  const wrun_store_limits *limits);
/* Shorthands kept from before wrun_store_set_limits; 0 restores the
 * default. set_max_memory sets store_memory_bytes. set_max_wasm_stack
 * returns false, and changes nothing, where wrun_store_set_limits would
 * refuse the value. */
WRUN_API void wrun_store_set_max_memory(wrun_store *store, uint64_t bytes);
WRUN_API bool wrun_store_set_max_wasm_stack(wrun_store *store, size_t bytes);
/* Asks wasm running in the store to stop: it traps with WRUN_TRAP_INTERRUPT
 * ("interrupted") at its next loop iteration or function call. Callable from
 * any thread while another thread runs wasm in the store (it takes a
 * mutex, so it is NOT async-signal-safe: call it from a watchdog thread,
 * not a signal handler), never concurrently with wrun_store_delete.
 * The request stays pending until a trap consumes it: if no wasm is
 * running, the next call into the store traps at once (as in Wasmtime).
 * After the trap the store is usable again. */
WRUN_API void wrun_store_interrupt(wrun_store *store);

/* ---- the GC heap (Wasm 3.0 GC objects) -----------------------------------
 * Each store has its own heap, collected by a non-moving mark-sweep when
 * the bytes allocated since the last collection pass the live bytes that
 * one left (at least 4 MiB), and before an allocation would pass the
 * store's gc_heap_bytes limit. WRUN_GC_STRESS=1 in the environment when a
 * store makes its heap: a collection at every allocation (for testing). */
typedef struct wrun_gc_stats {
  uint64_t collections;
  uint64_t total_pause_ns; /* of all collections */
  uint64_t max_pause_ns;   /* the longest one */
  uint64_t allocated_bytes; /* objects ever allocated, as they count */
  uint64_t live_bytes;     /* objects left by the last collection */
  uint64_t used_bytes;     /* objects now, what the limit counts */
  uint64_t heap_bytes;     /* memory its objects' pages and chunks take now
                            (up to 4 MiB of empty pages kept for reuse
                            not counted) */
  uint64_t peak_heap_bytes; /* the most it mapped */
} wrun_gc_stats;

/* Sets the store's gc_heap_bytes limit (0: the default, 4 GiB). NULL on
 * success; an error, with nothing changed, when the store's objects take
 * more even after a collection. */
WRUN_API wrun_error *wrun_store_set_max_gc_heap(wrun_store *store, uint64_t bytes);
/* Collects the store's heap now (also from a host function called by
 * wasm: the wasm frames' references are roots). */
WRUN_API void wrun_store_gc(wrun_store *store);
/* The figures of the store's heap (all 0 before its first object). */
WRUN_API void wrun_store_gc_stats(const wrun_store *store, wrun_gc_stats *out);

/* ---- engine configuration and fuel -------------------------------------
 * A configuration is read once, when an engine is made from it: an engine's
 * settings never change, so every module it compiles and every store made
 * from it agree. */
typedef struct wrun_config wrun_config;
WRUN_API wrun_config *wrun_config_new(void); /* the defaults; NULL when out of memory */
WRUN_API void wrun_config_delete(wrun_config *config);
/* Fuel metering, off by default (and then free: no code is added). When
 * on, compiled code charges one unit of the store's fuel per wasm
 * instruction it runs, except the structural block, loop, else and end,
 * which are free; a charge the store cannot pay traps with
 * WRUN_TRAP_OUT_OF_FUEL ("all fuel consumed") before any instruction of it
 * runs, and leaves the store's fuel at 0. A store starts with 0 fuel, so
 * set some before calling in. Charges are made a straight-line run of
 * instructions at a time, in advance: a trap in the middle of a run has
 * been charged the whole run. docs/design-notes.md has the exact rule. */
WRUN_API void wrun_config_consume_fuel(wrun_config *config, bool enable);
/* Deterministic mode, off by default. When on, the engine's modules
 * replace every NaN that float or SIMD arithmetic (add, sub, mul, div,
 * sqrt, min, max, ceil, floor, trunc, nearest, demote, promote, scalar and
 * per lane) produces by the canonical quiet NaN: f32 0x7fc00000, f64
 * 0x7ff8000000000000, positive with a zero payload. Wasm allows any quiet
 * NaN there and CPUs differ (0/0 is 0xffc00000 on x86-64, 0x7fc00000 on
 * AArch64), so this makes a module give the same bits on every ISA.
 * Operations defined bit-exactly (abs, neg, copysign, reinterpret, loads,
 * stores, select, pmin, pmax) keep their payloads. Off, the generated
 * code is exactly that of an engine without it. */
WRUN_API void wrun_config_deterministic(wrun_config *config, bool enable);
/* Linear memories. By default (DESIGN.md) each 32-bit memory reserves 8
 * GiB of address space, 4 GiB addressable and a 4 GiB guard, and compiled
 * code checks no address: an access past the size faults in the guard
 * and traps. That costs no time but much address space: at most some
 * 16,000 memories in a process, and nothing runs under a `ulimit -v`.
 * These trade it for a compare and a branch per access:
 * - bounds_checks: every access compares its address with the memory's
 *   current size;
 * - memory_reservation (bytes, default 4 GiB): the most a memory can grow
 *   to (memory.grow past it returns -1, as past a maximum; a minimum
 *   larger than it is still honoured), rounded up to whole 64 KiB pages;
 * - memory_guard (bytes, default 4 GiB): what each memory reserves past
 *   its largest size, at least 64 KiB (smaller values are raised to it):
 *   an access whose offset fits in it compares only its address, larger
 *   offsets are added in first.
 * A reservation or guard under 4 GiB turns bounds checks on. A memory then
 * reserves min(its maximum, reservation) + guard. Modules and memories of
 * engines configured differently do not mix (instantiation says so). */
WRUN_API void wrun_config_bounds_checks(wrun_config *config, bool enable);
WRUN_API void wrun_config_memory_reservation(wrun_config *config,
                                             uint64_t bytes);
WRUN_API void wrun_config_memory_guard(wrun_config *config, uint64_t bytes);
/* Whether compiled code traps by signals (the default, on): explicit
 * traps are ud2/udf instructions and out-of-bounds accesses fault in a
 * guard region, and wrun's signal handlers turn both into traps (see
 * "Signals" at the top). Off, for a host that owns its signals: traps
 * call into the runtime, every memory access is compared with the
 * memory's size counting its width (bounds checks on, whatever the
 * other settings say; the default guard becomes 64 KiB), and wrun
 * installs no signal handler and no alternate signal stack for the
 * engine's stores. The results of every program are the same; code is
 * larger and memory accesses slower. */
WRUN_API void wrun_config_signals_based_traps(wrun_config *config,
                                              bool enable);
/* A profiler to tell about compiled code (default: none).
 * WRUN_PROFILER_PERFMAP: every module compiled or deserialized by the
 * engine appends a line per function ("START SIZE module!name", hex) and
 * per entry trampoline to /tmp/perf-PID.map, so that `perf report` names
 * samples in wasm code. The file is kept after the process ends (perf
 * reads it then); code freed later is not removed from it. */
typedef enum wrun_profiler {
  WRUN_PROFILER_NONE = 0,
  WRUN_PROFILER_PERFMAP = 1,
  /* ./jit-PID.dump for `perf record -k mono` then `perf inject --jit`:
   * the functions with their code and a line table whose "lines" are
   * wasm byte offsets in a "file" named after the module. */
  WRUN_PROFILER_JITDUMP = 2,
} wrun_profiler;
WRUN_API void wrun_config_profiler(wrun_config *config,
                                   wrun_profiler profiler);
/* Describe compiled code to a debugger through the GDB JIT interface
 * (default off): every module the engine compiles or loads registers an
 * in-memory ELF object with a symbol per function (module!name, as in
 * backtraces), so that gdb's `bt` names wasm frames and `break NAME`
 * stops in them. A module with a DWARF line table (.debug_line, from
 * clang -g) also gets one for its compiled code: frames show file:line
 * and `break file.c:LINE` works (no variables). Compiling such a module
 * then keeps the pc map of every instruction (see wrun_config_code_map):
 * the code is the same. */
WRUN_API void wrun_config_debug_info(wrun_config *config, bool enable);
/* Map the code of every wasm instruction to its offset, not only trap
 * sites and calls (see wrun_module_func_code_map): for disassemblers and
 * profilers; the generated code is the same. Default off. */
WRUN_API void wrun_config_code_map(wrun_config *config,
                                   bool every_instruction);
/* Threads that compile a module's function bodies: 0 (the default) one
 * per online CPU, 1 only the thread calling wrun_module_new. The code is
 * the same whatever the number, and so is the error of an invalid module
 * (the first failing function's). Modules with little code compile on
 * the calling thread anyway: starting threads would cost more. */
WRUN_API void wrun_config_jobs(wrun_config *config, unsigned jobs);
/* config may be NULL (the defaults); the engine keeps a copy. */
WRUN_API wrun_engine *wrun_engine_new_with_config(const wrun_config *config);
/* The store's remaining fuel. Both return false (and change nothing) when
 * the store's engine does not consume fuel. A host function called from
 * wasm may read or refuel its caller's store (wrun_caller_store): it sees
 * the fuel left after its call instruction, and the wasm goes on with the
 * new amount. Call them from the thread that runs the store's wasm (or a
 * host function it calls), never from another thread while wasm runs:
 * running code keeps the count in a register. */
WRUN_API bool wrun_store_set_fuel(wrun_store *store, uint64_t fuel);
WRUN_API bool wrun_store_get_fuel(const wrun_store *store, uint64_t *out);

/* ---- modules ---------------------------------------------------------- */
/* Decode, validate and compile every function. */
WRUN_API wrun_error *wrun_module_new(wrun_engine *engine, const uint8_t *bytes,
                            size_t len, wrun_module **out);
/* Decode and validate only. */
WRUN_API wrun_error *wrun_module_validate(wrun_engine *engine, const uint8_t *bytes,
                                 size_t len);
WRUN_API void wrun_module_delete(wrun_module *module);

/* Names are UTF-8 and may contain U+0000. The returned strings are always
 * NUL-terminated, but only the _n variants give their exact lengths; a name
 * with an embedded NUL reads as cut short through the plain ones. Every
 * out-pointer may be NULL. */
/* Code inspection (wrun objdump). Functions are numbered in the module's
 * function index space, imports first. The code and names live as long
 * as the module. */
WRUN_API size_t wrun_module_func_count(const wrun_module *m);
/* The name section's name of function func, or NULL. */
WRUN_API const char *wrun_module_func_name(const wrun_module *m,
                                           uint32_t func);
/* The machine code compiled for a defined function, *size its bytes
 * (alignment padding included); NULL (and 0) for an import. */
WRUN_API const uint8_t *wrun_module_func_code(const wrun_module *m,
                                              uint32_t func, size_t *size);
/* Where a defined function's body is in the module binary; false for an
 * import. */
WRUN_API bool wrun_module_func_body(const wrun_module *m, uint32_t func,
                                    size_t *offset, size_t *size);
/* Calls each(arg, code offset, module offset) for the function's map from
 * its code (offsets from wrun_module_func_code's start) to wasm
 * instructions, in code order: trap sites and calls, or every instruction
 * with wrun_config_code_map. */
WRUN_API void wrun_module_func_code_map(
    const wrun_module *m, uint32_t func,
    void (*each)(void *arg, size_t code_offset, size_t module_offset),
    void *arg);
/* The text name of the opcode at module offset offset ("i32.add"), or
 * NULL when no opcode starts there. */
WRUN_API const char *wrun_module_opcode_name(const wrun_module *m,
                                             size_t offset);
WRUN_API size_t wrun_module_import_count(const wrun_module *m);
WRUN_API void wrun_module_import(const wrun_module *m, size_t i, const char **module,
                        const char **name, wrun_externkind *kind);
WRUN_API void wrun_module_import_n(const wrun_module *m, size_t i, const char **module,
                          size_t *module_len, const char **name,
                          size_t *name_len, wrun_externkind *kind);
WRUN_API size_t wrun_module_export_count(const wrun_module *m);
WRUN_API void wrun_module_export(const wrun_module *m, size_t i, const char **name,
                        wrun_externkind *kind);
WRUN_API void wrun_module_export_n(const wrun_module *m, size_t i, const char **name,
                          size_t *name_len, wrun_externkind *kind);
/* Total bytes of machine code produced for the module. */
WRUN_API size_t wrun_module_code_size(const wrun_module *m);
/* Whether the module was compiled in deterministic mode (see
 * wrun_config_deterministic). */
WRUN_API bool wrun_module_deterministic(const wrun_module *m);

/* ---- compiled modules (.cwasm) ------------------------------------------ */
/* A compiled module saved as bytes and loaded again without compiling:
 * the machine code, its tables (traps, calls, exception handlers, GC stack
 * maps, relocations) and the original wasm, which deserialization decodes
 * and validates again outside function bodies (imports, exports, types;
 * types are interned as wrun_module_new does) but does not compile.
 *
 * Trust: a serialized module is trusted code, like a shared library. It
 * runs as machine code of this process; deserialization checks the format
 * (the magic, the format version, every count and offset against the
 * blob's bounds, a checksum), never what the code does. Load only bytes
 * you produced or trust as much as the program itself.
 *
 * A blob is refused, with an error saying what differs, when it was made
 * by another format version, wrun version or build, for another ISA, for
 * CPU features this host lacks, or with a configuration that changes the
 * code (fuel metering, deterministic mode, explicit bounds checks and the
 * memory guard) other than the engine's.
 *
 * Serialize: *bytes (free it with wrun_bytes_free) and *len. A module made
 * by wrun_module_new is compiled once more in the relocatable form saved
 * (its own code embeds this process's addresses as the shortest
 * immediates); one made by wrun_module_deserialize is saved as it is. */
WRUN_API wrun_error *wrun_module_serialize(const wrun_module *m,
                                           uint8_t **bytes, size_t *len);
/* Loads what wrun_module_serialize made, for engine (whose configuration
 * must be the one it was compiled with); *out on success, else NULL and
 * the error. The bytes are not kept. */
WRUN_API wrun_error *wrun_module_deserialize(wrun_engine *engine,
                                             const uint8_t *bytes, size_t len,
                                             wrun_module **out);
/* Whether bytes begin like a serialized module (the magic only: use to
 * choose between wrun_module_new and wrun_module_deserialize). */
WRUN_API bool wrun_module_is_serialized(const uint8_t *bytes, size_t len);
/* Frees bytes returned by wrun_module_serialize (NULL is ignored). */
WRUN_API void wrun_bytes_free(uint8_t *bytes);

/* Custom sections, in the order of the binary (the "name" section
 * included). Names are UTF-8 of exact length, not NUL-terminated; names
 * and contents stay valid as long as the module. Out-pointers may be NULL;
 * false when i is out of range / no section has the name. */
WRUN_API size_t wrun_module_custom_section_count(const wrun_module *m);
WRUN_API bool wrun_module_custom_section(const wrun_module *m, size_t i,
                                         const char **name, size_t *name_len,
                                         const uint8_t **data, size_t *len);
/* The first custom section named exactly the name_len bytes at name. */
WRUN_API bool wrun_module_custom_section_named(const wrun_module *m,
                                               const char *name,
                                               size_t name_len,
                                               const uint8_t **data,
                                               size_t *len);

/* ---- host objects ----------------------------------------------------- */
/* A host function gets its caller, the arguments and room for the results.
 * Returning a trap aborts the wasm call that led here. */
typedef wrun_trap *(*wrun_host_callback)(void *env, wrun_caller *caller,
                                         const wrun_val *args, size_t nargs,
                                         wrun_val *results, size_t nresults);

WRUN_API wrun_func *wrun_func_new(wrun_store *store, const wrun_valtype *params,
                         size_t nparams, const wrun_valtype *results,
                         size_t nresults, wrun_host_callback cb, void *env,
                         void (*finalizer)(void *env));
WRUN_API size_t wrun_func_param_count(const wrun_func *f);
WRUN_API size_t wrun_func_result_count(const wrun_func *f);
WRUN_API wrun_valtype wrun_func_param_type(const wrun_func *f, size_t i);
WRUN_API wrun_valtype wrun_func_result_type(const wrun_func *f, size_t i);
/* Calls f. Arguments are checked against its type (an error trap if not).
 * The store stays usable after a trap. */
WRUN_API wrun_trap *wrun_func_call(wrun_store *store, const wrun_func *f,
                          const wrun_val *args, size_t nargs,
                          wrun_val *results, size_t nresults);

/* The calling instance's memory 0 (NULL if none). */
WRUN_API wrun_memory *wrun_caller_memory(wrun_caller *caller);
/* The caller's export by name, or false. */
WRUN_API bool wrun_caller_export(wrun_caller *caller, const char *name,
                        wrun_extern *out);
WRUN_API wrun_store *wrun_caller_store(wrun_caller *caller);

/* A 32-bit memory (i32 addresses): at most 65536 pages of 64 KiB. NULL
 * when max < min or a store limit refuses it. */
WRUN_API wrun_memory *wrun_memory_new(wrun_store *store, uint32_t min_pages,
                             uint32_t max_pages, bool has_max);
/* A shared memory (threads proposal): it always has a maximum, and it
 * satisfies only imports declared `shared` (and they only it). */
WRUN_API wrun_memory *wrun_memory_new_shared(wrun_store *store, uint32_t min_pages,
                                    uint32_t max_pages);
/* A 64-bit memory (memory64, Wasm 3.0: i64 addresses, sizes and page
 * counts), for imports declared `(memory i64 ...)`. The type allows 2^48
 * pages; wrun holds at most 2^48 bytes, and a memory that may pass 4 GiB
 * reserves address space for what its maximum and the store's byte
 * limits (wrun_store_limits) allow when it is created, 16 GiB when
 * neither bounds it: growth past that returns -1. */
WRUN_API wrun_memory *wrun_memory_new64(wrun_store *store, uint64_t min_pages,
                               uint64_t max_pages, bool has_max);
WRUN_API bool wrun_memory_is64(const wrun_memory *m);
WRUN_API uint8_t *wrun_memory_data(const wrun_memory *m);
WRUN_API uint64_t wrun_memory_size_bytes(const wrun_memory *m);
/* Pages of a 32-bit memory; pages64 for any memory (pages saturates at
 * UINT32_MAX). */
WRUN_API uint32_t wrun_memory_pages(const wrun_memory *m);
WRUN_API uint64_t wrun_memory_pages64(const wrun_memory *m);
/* Returns the old size in pages, or -1 if growth failed. */
WRUN_API int64_t wrun_memory_grow(wrun_memory *m, uint32_t delta);
WRUN_API int64_t wrun_memory_grow64(wrun_memory *m, uint64_t delta);
/* The declared maximum in pages (*has_max false when there is none).
 * Either out-pointer may be NULL. */
WRUN_API void wrun_memory_max(const wrun_memory *m, uint64_t *max, bool *has_max);

WRUN_API wrun_table *wrun_table_new(wrun_store *store, wrun_valtype elem,
                           uint32_t min, uint32_t max, bool has_max,
                           wrun_val init);
/* A table64 (Wasm 3.0: i64 indices), for imports declared `(table i64
 * ...)`. Its limits are u64 for matching imports; it holds at most
 * UINT32_MAX elements (a larger min is refused, table.grow past it
 * returns -1), and the store's element limits apply. */
WRUN_API wrun_table *wrun_table_new64(wrun_store *store, wrun_valtype elem,
                             uint64_t min, uint64_t max, bool has_max,
                             wrun_val init);
WRUN_API bool wrun_table_is64(const wrun_table *t);
WRUN_API uint32_t wrun_table_size(const wrun_table *t);
WRUN_API bool wrun_table_get(const wrun_table *t, uint32_t i, wrun_val *out);
WRUN_API bool wrun_table_set(wrun_table *t, uint32_t i, wrun_val v);
/* Grows t by delta elements of init (table.grow): the old size, or -1
 * when the maximum, a store limit or init (of another type or store)
 * refuses it. */
WRUN_API int64_t wrun_table_grow(wrun_table *t, uint32_t delta, wrun_val init);
/* t's element type and declared limits (what wasm.h's wasm_table_type
 * reports). Every out-pointer may be NULL. */
WRUN_API void wrun_table_type(const wrun_table *t, wrun_valtype *elem,
                              uint64_t *min, uint64_t *max, bool *has_max);

WRUN_API wrun_global *wrun_global_new(wrun_store *store, wrun_valtype type,
                             bool mutable_, wrun_val init);
WRUN_API void wrun_global_get(const wrun_global *g, wrun_val *out);
WRUN_API bool wrun_global_set(wrun_global *g, wrun_val v); /* false if immutable */
/* g's value type and mutability; either out-pointer may be NULL. */
WRUN_API void wrun_global_type(const wrun_global *g, wrun_valtype *type,
                               bool *mutable_);

/* ---- linking and instances ---------------------------------------------
 * A store's linker holds that store's externs. An engine linker
 * (wrun_linker_new_for_engine) outlives stores, as Wasmtime's Linker: it
 * holds host functions defined once by type and callback
 * (wrun_linker_define_func) and instantiates in any store of its engine
 * (wrun_linker_instantiate_in), making in that store, on first use, the
 * functions the module imports (one per store and definition, so their
 * identity holds across the store's instances). Externs of a store
 * (wrun_linker_define) can be defined into it too, but only link in that
 * store. Define everything first; then any number of threads may
 * instantiate through it at once (each in its own store), as long as
 * nobody defines or deletes meanwhile. Deleting it is safe while stores
 * still use its functions: a function's env is finalized when the linker
 * and every store that made the function are gone. */
WRUN_API wrun_linker *wrun_linker_new(wrun_store *store);
WRUN_API wrun_linker *wrun_linker_new_for_engine(wrun_engine *engine);
WRUN_API void wrun_linker_delete(wrun_linker *l);
/* Defines (module, name) as a host function (C strings). In a store's
 * linker the function is made in the store now; in an engine linker per
 * store, later. false (wrun_last_error says why) on a bad type or out of
 * memory: then nothing is defined and env stays the caller's. */
WRUN_API bool wrun_linker_define_func(wrun_linker *l, const char *module,
                                      const char *name,
                                      const wrun_valtype *params,
                                      size_t nparams,
                                      const wrun_valtype *results,
                                      size_t nresults, wrun_host_callback cb,
                                      void *env,
                                      void (*finalizer)(void *env));
/* Defines (module, name); a later definition replaces an earlier one.
 * The _n form takes names of exact lengths (they may contain NULs); the
 * plain form takes C strings. */
WRUN_API void wrun_linker_define(wrun_linker *l, const char *module, const char *name,
                        wrun_extern ext);
WRUN_API void wrun_linker_define_n(wrun_linker *l, const char *module,
                          size_t module_len, const char *name,
                          size_t name_len, wrun_extern ext);
/* Defines every export of inst (by its exact name) under the module name;
 * the _n form takes a module name of exact length. */
WRUN_API void wrun_linker_define_instance(wrun_linker *l, const char *module,
                                 wrun_instance *inst);
WRUN_API void wrun_linker_define_instance_n(wrun_linker *l, const char *module,
                                   size_t module_len, wrun_instance *inst);
/* Resolves imports, instantiates, applies segments and runs the start
 * function. Link failures come back as *error (message names the import);
 * a trap during segment initialisation or start as *trap. */
WRUN_API void wrun_linker_instantiate(wrun_linker *l, const wrun_module *m,
                             wrun_instance **out, wrun_error **error,
                             wrun_trap **trap);
/* The same in store, which must be the linker's own (a store's linker) or
 * of its engine (an engine linker). wrun_linker_instantiate on an engine
 * linker is an error: it has no store. */
WRUN_API void wrun_linker_instantiate_in(wrun_linker *l, wrun_store *store,
                                         const wrun_module *m,
                                         wrun_instance **out,
                                         wrun_error **error,
                                         wrun_trap **trap);

/* Instantiates with imports given in the module's import order. */
WRUN_API void wrun_instance_new(wrun_store *store, const wrun_module *m,
                       const wrun_extern *imports, size_t nimports,
                       wrun_instance **out, wrun_error **error,
                       wrun_trap **trap);
/* The export named exactly name (a C string), or false. */
WRUN_API bool wrun_instance_export(const wrun_instance *inst, const char *name,
                          wrun_extern *out);
/* The export whose name is the len bytes at name (NULs allowed), or false. */
WRUN_API bool wrun_instance_export_n(const wrun_instance *inst, const char *name,
                            size_t len, wrun_extern *out);
WRUN_API size_t wrun_instance_export_count(const wrun_instance *inst);
/* Name of export i (NUL-terminated), or NULL; the _n form also stores its
 * exact length in *len (if len is not NULL). */
WRUN_API const char *wrun_instance_export_name(const wrun_instance *inst, size_t i);
WRUN_API const char *wrun_instance_export_name_n(const wrun_instance *inst, size_t i,
                                        size_t *len);

/* ---- import types -----------------------------------------------------
 * What import i of a module expects, so that an embedder can build a
 * matching host object (stubs, test harnesses). Each returns false, and
 * leaves the out-pointers alone, when import i is not of that kind. Every
 * out-pointer may be NULL. */
WRUN_API bool wrun_module_import_func(const wrun_module *m, size_t i, size_t *nparams,
                             size_t *nresults);
/* Parameter/result k of function import i (valid once the above is true). */
WRUN_API wrun_valtype wrun_module_import_func_param(const wrun_module *m, size_t i,
                                           size_t k);
WRUN_API wrun_valtype wrun_module_import_func_result(const wrun_module *m, size_t i,
                                            size_t k);
WRUN_API bool wrun_module_import_table(const wrun_module *m, size_t i,
                              wrun_valtype *elem, uint32_t *min,
                              uint32_t *max, bool *has_max);
WRUN_API bool wrun_module_import_memory(const wrun_module *m, size_t i, uint32_t *min,
                               uint32_t *max, bool *has_max);
/* The same with the whole u64 limits (the u32 forms saturate) and the
 * index type: *is64 for a memory64 or table64 import. */
WRUN_API bool wrun_module_import_table64(const wrun_module *m, size_t i,
                                wrun_valtype *elem, uint64_t *min,
                                uint64_t *max, bool *has_max, bool *is64);
WRUN_API bool wrun_module_import_memory64(const wrun_module *m, size_t i,
                                 uint64_t *min, uint64_t *max, bool *has_max,
                                 bool *is64);
/* Whether memory import i is declared `shared` (threads): it then takes
 * only a memory of wrun_memory_new_shared. False for other imports. */
WRUN_API bool wrun_module_import_memory_shared(const wrun_module *m, size_t i);
WRUN_API bool wrun_module_import_global(const wrun_module *m, size_t i,
                               wrun_valtype *type, bool *mutable_);

#ifdef __cplusplus
}
#endif
#endif
