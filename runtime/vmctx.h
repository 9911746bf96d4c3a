/* What compiled code sees of the runtime: the funcref record, the memory
 * and table objects, global cells and the layout of an instance's vmctx.
 * The compiler uses these offsets as constants; the runtime fills the
 * memory behind them. Shared by runtime/ and jit/; no machine code here.
 */
#ifndef RT_VMCTX_H
#define RT_VMCTX_H

#include <stddef.h>
#include <stdint.h>
#include "array_layout.h"
#include "module.h"

_Static_assert(VT_V128 == RT_ARRAY_V128_TYPE,
               "array_layout.h names v128 by its type byte");
_Static_assert(VT_I32 == RT_ARRAY_I32_TYPE && VT_I64 == RT_ARRAY_I64_TYPE,
               "array_layout.h names i32 and i64 by their type bytes");

/* Every VMOpaqueContext begins with a 32-bit magic saying what it is. */
#define RT_MAGIC_INSTANCE 0x65726f63u /* "core": an instance vmctx */
#define RT_MAGIC_HOST 0x74736f68u     /* "host": a host function context */

/* A callable: what a funcref value points to, what tables hold and what an
 * imported function slot of a vmctx holds (a copy of the exporter's record,
 * so calls across instances need no thunk).
 *
 * wasm_call: code with the wasm calling convention (jit/abi in DESIGN.md):
 *   first argument register = ctx (the callee's VMOpaqueContext),
 *   second = the caller's vmctx, wasm arguments in the caller's outgoing
 *   area at [sp], first result in the return register of its class, other
 *   results in the outgoing area.
 * array_call: entry trampoline, C ABI:
 *   void array_call(void *ctx, void *caller_vmctx, uint64_t *values,
 *                   const void *wasm_call);
 *   values holds the arguments in the array layout (array_layout.h) and
 *   receives the results in the same layout. Callable from C only through rt_call (which
 *   sets up trap recovery).
 */
typedef struct rt_funcref {
  const void *wasm_call;
  const void *array_call;
  uint32_t type_id; /* engine-wide interned function type id */
  uint32_t func_index; /* index in its defining instance; host: UINT32_MAX */
  void *ctx;        /* VMOpaqueContext*: an instance vmctx or rt_host_ctx */
} rt_funcref;

#define RT_FUNCREF_WASM_CALL 0
#define RT_FUNCREF_ARRAY_CALL 8
#define RT_FUNCREF_TYPE_ID 16
#define RT_FUNCREF_CTX 24
#define RT_FUNCREF_SIZE 32

/* The compiler emits these offsets as constants, so a field moved in C
 * must fail the build, not the generated code. Loads of 32-bit fields are
 * 32-bit loads: the sizes are part of the contract too. */
_Static_assert(offsetof(rt_funcref, wasm_call) == RT_FUNCREF_WASM_CALL,
               "rt_funcref.wasm_call moved");
_Static_assert(offsetof(rt_funcref, array_call) == RT_FUNCREF_ARRAY_CALL,
               "rt_funcref.array_call moved");
_Static_assert(offsetof(rt_funcref, type_id) == RT_FUNCREF_TYPE_ID,
               "rt_funcref.type_id moved");
_Static_assert(sizeof(((rt_funcref *)0)->type_id) == 4,
               "call_indirect compares type ids with a 32-bit load");
_Static_assert(offsetof(rt_funcref, ctx) == RT_FUNCREF_CTX,
               "rt_funcref.ctx moved");
_Static_assert(sizeof(rt_funcref) == RT_FUNCREF_SIZE,
               "ref.func and vmctx function records use RT_FUNCREF_SIZE");

/* A linear memory. The base never moves: the address space a memory may
 * reach is reserved up front (PROT_NONE) and memory.grow changes
 * protection. A 32-bit memory, and a 64-bit one whose maximum is at most 4
 * GiB, reserve 4 GiB plus a 4 GiB guard, so any base + u32 address + u32
 * offset lands inside the reservation. A larger 64-bit memory reserves
 * what its maximum and the store's limits allow (see memory.c) plus the
 * same 4 GiB guard past it; its code compares the address with `size`
 * before the access, and the guard covers the u32 offset (see
 * docs/design-notes.md, memory64). */
typedef struct rt_memory {
  uint8_t *base;
  uint64_t size;      /* accessible bytes = pages * 65536 */
  uint64_t pages;     /* at most limit_pages */
  uint64_t max_pages; /* the declared maximum (memory64: up to 2^48) */
  uint64_t limit_pages; /* the most pages the reservation holds (<= max) */
  bool has_max;
  bool is64;          /* memory64: i64 addresses */
  bool shared;        /* threads: shared (has a maximum; grow is locked) */
  bool checks;        /* its code compares addresses with size (memory.c) */
  uint64_t guard;     /* bytes reserved past limit_pages' end */
  size_t reserved;    /* bytes of the whole reservation */
  /* The store that made it. A shared memory may be imported by instances
   * of other stores too: each such store holds a reference (refs counts
   * them and the maker), the last one unmaps it, and store becomes NULL
   * once its maker is deleted (both under the shared-memory lock). */
  struct wrun_store *store;
  uint32_t refs;
} rt_memory;

/* Whether code addressing a memory of this type compares each address
 * with rt_memory.size (a 64-bit memory that may pass 4 GiB), rather than
 * relying on the 8 GiB guarded reservation alone (a 32-bit memory, or a
 * 64-bit one of at most 65536 pages: its address is checked to fit 32
 * bits). The compiler decides from the module's type, the runtime from
 * the memory's; an import's type bounds the memory's maximum, so the two
 * agree where it matters. */
/* The most bytes a 64-bit memory holds here: 2^48 (the type allows 2^48
 * pages; no host has that address space). An access at or past it cannot
 * be in bounds. */
#define RT_MEMORY64_MAX_BYTES ((uint64_t)1 << 48)
/* Guard reserved past the largest size of a memory whose code compares
 * addresses with the size (a 64-bit memory over 4 GiB), by default: the
 * compiler emits no further check for an offset it covers with the
 * access (wrun_config_memory_guard chooses another). */
#define RT_MEMORY_GUARD_BYTES ((uint64_t)4 << 30)

static inline bool rt_memory_checks_size(bool is64, uint64_t max,
                                         bool has_max) {
  return is64 && (!has_max || max > 65536);
}

#define RT_MEMORY_BASE 0
#define RT_MEMORY_SIZE 8
#define RT_MEMORY_PAGES 16

_Static_assert(offsetof(rt_memory, base) == RT_MEMORY_BASE,
               "rt_memory.base moved");
_Static_assert(offsetof(rt_memory, size) == RT_MEMORY_SIZE,
               "rt_memory.size moved");
_Static_assert(offsetof(rt_memory, pages) == RT_MEMORY_PAGES,
               "rt_memory.pages moved");
_Static_assert(sizeof(((rt_memory *)0)->pages) == 8,
               "memory.size reads the page count with a 64-bit load (a "
               "32-bit memory's with a 32-bit one: little-endian hosts)");

/* A table: elems holds rt_funcref* (funcref) or void* (externref);
 * NULL is the null reference. elems moves when the table grows; every
 * vmctx slot of the table (its views: the defining instance's and each
 * importer's) holds a copy of elems and size, rewritten by the growth, so
 * that call_indirect reaches the entry in two loads, not three. */
typedef struct rt_table {
  void **elems;
  uint32_t size;
  uint64_t max;  /* the declared maximum (table64: any u64) */
  bool has_max;
  bool is64;     /* table64: i64 indices */
  rt_valtype elem_type; /* module-independent form (rt_vt_canon) */
  struct wrun_store *store;
  /* The vmctx slots that copy elems and size. An instance lives as long
   * as its store, as the table does, and imports only its own store's
   * tables: a view never outlives the table. */
  struct rt_vmctx_table **views;
  uint32_t nviews, cap_views;
} rt_table;

/* A global's storage: 16 bytes so v128 fits. Values sit at offset 0 in
 * their natural encoding (i32 in the low 4 bytes, refs as pointers). */
typedef struct rt_global_cell {
  uint64_t value[2];
} rt_global_cell;

/* Bytes between two globals' slots in the vmctx: a defined global's cell
 * sits inline, an imported one's pointer in the first 8 bytes. */
#define RT_VMCTX_GLOBAL_STRIDE 16
_Static_assert(sizeof(rt_global_cell) == RT_VMCTX_GLOBAL_STRIDE,
               "a defined global's cell is its vmctx slot");
_Static_assert(sizeof(rt_global_cell *) <= RT_VMCTX_GLOBAL_STRIDE,
               "an imported global's cell pointer fits its slot");

/* A table's slot in the vmctx: the table, and copies of its elems and
 * size that the table keeps current (rt_table.views). Compiled code reads
 * the copies; libcalls go through the table. */
typedef struct rt_vmctx_table {
  rt_table *table;
  void **elems;
  uint32_t size;
  uint32_t pad;
} rt_vmctx_table;

#define RT_VMCTX_TABLE_STRIDE 24
#define RT_VMCTX_TABLE_SLOT_TABLE 0
#define RT_VMCTX_TABLE_SLOT_ELEMS 8
#define RT_VMCTX_TABLE_SLOT_SIZE 16
_Static_assert(sizeof(rt_vmctx_table) == RT_VMCTX_TABLE_STRIDE,
               "a table slot is a table pointer and two copies");
_Static_assert(offsetof(rt_vmctx_table, table) == RT_VMCTX_TABLE_SLOT_TABLE,
               "rt_vmctx_table.table moved");
_Static_assert(offsetof(rt_vmctx_table, elems) == RT_VMCTX_TABLE_SLOT_ELEMS,
               "rt_vmctx_table.elems moved");
_Static_assert(offsetof(rt_vmctx_table, size) == RT_VMCTX_TABLE_SLOT_SIZE,
               "rt_vmctx_table.size moved");
_Static_assert(sizeof(((rt_vmctx_table *)0)->size) == 4,
               "call_indirect bounds-checks with a 32-bit load of the size");

/* Bytes between two memories' slots in the vmctx, and the two fields of a
 * slot: the base (a copy of rt_memory.base) and the rt_memory itself. */
#define RT_VMCTX_MEMORY_STRIDE 16
#define RT_VMCTX_MEMORY_SLOT_BASE 0
#define RT_VMCTX_MEMORY_SLOT_MEMORY 8

typedef struct rt_vmctx_memory {
  uint8_t *base;
  rt_memory *memory;
} rt_vmctx_memory;

_Static_assert(sizeof(rt_vmctx_memory) == RT_VMCTX_MEMORY_STRIDE,
               "a memory slot is a base and a pointer");
_Static_assert(offsetof(rt_vmctx_memory, base) == RT_VMCTX_MEMORY_SLOT_BASE,
               "rt_vmctx_memory.base moved");
_Static_assert(offsetof(rt_vmctx_memory, memory) ==
                   RT_VMCTX_MEMORY_SLOT_MEMORY,
               "rt_vmctx_memory.memory moved");

/* The layout of one module's instance vmctx. Offsets in bytes from the
 * vmctx pointer. Fixed header first, then per-module arrays.
 *
 *   0  uint32 magic (RT_MAGIC_INSTANCE)
 *   8  struct rt_instance *instance
 *  16  uintptr stack_limit: the lowest sp wasm code may reach; prologues
 *      trap with "call stack exhausted" below it
 *  24  uint8_t *memory0_base (NULL when the module has no memory)
 *  32  rt_memory *memory0
 *  40  uint64_t *fuel: the store's fuel counter (read only by code compiled
 *      with fuel charges; see runtime/fuel.c)
 *  globals_off:  nglobals slots of 16 bytes: a defined global's value
 *                inline, an imported one as an rt_global_cell* pointer
 *  tables_off:   ntables slots of 24 bytes, rt_vmctx_table: the
 *                rt_table* (imports included) and copies of its elems
 *                and size
 *  memories_off: nmemories slots of 16 bytes, {uint8_t *base, rt_memory *}
 *                (imports included, memory 0 too): how code reaches memory
 *                k > 0. The base is a copy, valid for the instance's life
 *                because a memory's base never moves (see rt_memory).
 *  funcs_off:    nfuncs rt_funcref records (imports first: copies of the
 *                exporter's records); ref.func i yields vmctx+funcs_off+32*i
 */
#define RT_VMCTX_MAGIC 0
#define RT_VMCTX_INSTANCE 8
#define RT_VMCTX_STACK_LIMIT 16
#define RT_VMCTX_MEMORY0_BASE 24
#define RT_VMCTX_MEMORY0 32
#define RT_VMCTX_FUEL 40
#define RT_VMCTX_HEADER_SIZE 48

/* The fixed header as a C struct, so that the offsets above are checked
 * against real field positions and sizes (the runtime writes the header
 * through it). */
typedef struct rt_vmctx_header {
  uint32_t magic;
  struct wrun_instance *instance;
  uintptr_t stack_limit;
  uint8_t *memory0_base;
  rt_memory *memory0;
  uint64_t *fuel;
} rt_vmctx_header;

_Static_assert(offsetof(rt_vmctx_header, magic) == RT_VMCTX_MAGIC,
               "vmctx magic moved");
_Static_assert(offsetof(rt_vmctx_header, instance) == RT_VMCTX_INSTANCE,
               "vmctx instance moved");
_Static_assert(offsetof(rt_vmctx_header, stack_limit) == RT_VMCTX_STACK_LIMIT,
               "vmctx stack_limit moved");
_Static_assert(offsetof(rt_vmctx_header, memory0_base) ==
                   RT_VMCTX_MEMORY0_BASE,
               "vmctx memory0_base moved");
_Static_assert(offsetof(rt_vmctx_header, memory0) == RT_VMCTX_MEMORY0,
               "vmctx memory0 moved");
_Static_assert(offsetof(rt_vmctx_header, fuel) == RT_VMCTX_FUEL,
               "vmctx fuel moved");
_Static_assert(sizeof(rt_vmctx_header) <= RT_VMCTX_HEADER_SIZE,
               "the globals start after the header");
/* Globals may be v128, loaded and stored whole. */
_Static_assert(RT_VMCTX_HEADER_SIZE % 16 == 0,
               "the vmctx globals start 16-byte aligned");

typedef struct rt_vmctx_layout {
  uint32_t globals_off;
  uint32_t tables_off;
  uint32_t memories_off;
  uint32_t funcs_off;
  uint32_t size;
} rt_vmctx_layout;

static inline rt_vmctx_layout rt_vmctx_layout_of(const rt_module *m) {
  rt_vmctx_layout l;
  l.globals_off = RT_VMCTX_HEADER_SIZE;
  l.tables_off = l.globals_off + RT_VMCTX_GLOBAL_STRIDE * m->nglobals;
  l.memories_off = l.tables_off + RT_VMCTX_TABLE_STRIDE * m->ntables;
  l.funcs_off = l.memories_off + RT_VMCTX_MEMORY_STRIDE * m->nmemories;
  l.size = l.funcs_off + (uint32_t)RT_FUNCREF_SIZE * m->nfuncs;
  return l;
}

/* Offsets of global, table and function slot i in a vmctx of layout l. */
static inline uint32_t rt_vmctx_global_off(const rt_vmctx_layout *l,
                                           uint32_t i) {
  return l->globals_off + RT_VMCTX_GLOBAL_STRIDE * i;
}
static inline uint32_t rt_vmctx_table_off(const rt_vmctx_layout *l,
                                          uint32_t i) {
  return l->tables_off + RT_VMCTX_TABLE_STRIDE * i;
}
static inline uint32_t rt_vmctx_memory_off(const rt_vmctx_layout *l,
                                           uint32_t i) {
  return l->memories_off + RT_VMCTX_MEMORY_STRIDE * i;
}

/* A host function's VMOpaqueContext. */
typedef struct rt_host_ctx {
  uint32_t magic; /* RT_MAGIC_HOST */
  uint32_t type_id;
  const rt_functype *type; /* owned by the engine's intern table */
  wrun_host_callback callback;
  void *env;
  void (*finalizer)(void *env);
  struct wrun_store *store;
} rt_host_ctx;

/* The runtime tells the two kinds of VMOpaqueContext apart by the magic
 * at offset 0 of either. */
_Static_assert(offsetof(rt_host_ctx, magic) == RT_VMCTX_MAGIC,
               "a host context starts with its magic, like a vmctx");

#endif
