/* GC objects (Wasm 3.0 GC): their layout, which compiled code reads with
 * the offsets below, and the per-store heap they live in (gc.c).
 *
 * A GC reference (any value of the any or extern hierarchy) is one word:
 *   0                 null
 *   low bit set       an i31: (value << 1) | 1 in the low 32 bits
 *   else              an 8-aligned pointer to an object of the store's heap
 * Every object starts with its runtime type (rtt) pointer. Structs hold
 * their fields after it (rt_gc_field_offset); arrays a u32 length, then the
 * elements at RT_GC_ARRAY_DATA. A host value as an externref is boxed in an
 * object of kind RT_GC_HOST, so externref and anyref share one
 * representation and any.convert_extern / extern.convert_any are free.
 *
 * The rtt of a struct or array type lives as long as the process, beside
 * the interned type (engine.c); its display lists the rtts of its
 * supertype chain, so a cast to a type of depth d is two loads and a
 * compare: rtt->depth >= d and rtt->display[d] == target. Compiled code
 * embeds rtt addresses as constants. */
#ifndef RT_GC_H
#define RT_GC_H

#include <stddef.h>
#include <stdint.h>

#include "module.h"

struct wrun_store;
struct rt_table;
struct wrun_global;
struct wrun_exn;

typedef enum rt_gc_kind {
  RT_GC_STRUCT = 1,
  RT_GC_ARRAY = 2,
  RT_GC_HOST = 3, /* a boxed host externref: [rtt][void *value] */
} rt_gc_kind;

typedef struct rt_gc_rtt rt_gc_rtt;
struct rt_gc_rtt {
  uint32_t type_id;  /* the interned type's id (0 for RT_GC_HOST) */
  uint8_t kind;      /* rt_gc_kind */
  uint8_t elem_size; /* array: bytes per element */
  uint8_t elem_ref;  /* array: elements are GC references (traced) */
  uint8_t pad;
  uint32_t size;     /* struct (and host box): object bytes, header included */
  uint32_t depth;    /* supertype chain length; display[depth] == this */
  uint32_t nrefs;    /* struct: fields that are GC references */
  uint32_t nfields;
  const uint32_t *ref_offsets;   /* struct: byte offsets of those fields */
  const uint32_t *field_offsets; /* struct: byte offset of every field */
  const rt_functype *type;       /* the interned type (NULL: host box) */
  const rt_gc_rtt *display[];
};

#define RT_GC_RTT_TYPE_ID 0
#define RT_GC_RTT_KIND 4
#define RT_GC_RTT_DEPTH 12
#define RT_GC_RTT_DISPLAY 48

_Static_assert(offsetof(rt_gc_rtt, type_id) == RT_GC_RTT_TYPE_ID,
               "rt_gc_rtt.type_id moved");
_Static_assert(offsetof(rt_gc_rtt, kind) == RT_GC_RTT_KIND,
               "rt_gc_rtt.kind moved");
_Static_assert(offsetof(rt_gc_rtt, depth) == RT_GC_RTT_DEPTH,
               "rt_gc_rtt.depth moved");
_Static_assert(offsetof(rt_gc_rtt, display) == RT_GC_RTT_DISPLAY,
               "rt_gc_rtt.display moved");

/* Object layout. */
#define RT_GC_HEADER 0       /* const rt_gc_rtt * */
#define RT_GC_STRUCT_DATA 8  /* first field */
#define RT_GC_ARRAY_LEN 8    /* u32 */
#define RT_GC_ARRAY_DATA 16  /* first element */
#define RT_GC_HOST_VALUE 8   /* void *: the host's externref */
#define RT_GC_HOST_SIZE 16

/* The largest array: length * element size must stay far from overflow
 * in every size computation (and no store could hold more). */
#define RT_GC_MAX_ARRAY_BYTES ((uint64_t)1 << 40)

/* Bytes of a field or element of storage type t (a value type or
 * RT_PACKED_I8/I16). */
static inline uint32_t rt_gc_storage_size(rt_valtype t) {
  switch (t) {
  case RT_PACKED_I8: return 1;
  case RT_PACKED_I16: return 2;
  case VT_I32: case VT_F32: return 4;
  case VT_V128: return 16;
  default: return 8; /* i64, f64, references */
  }
}

/* Offset of field k of struct type t: fields in order, each aligned to
 * its size (at most 8; v128 fields are read unaligned). */
uint32_t rt_gc_field_offset(const rt_functype *t, uint32_t k);

/* The rtt of interned struct or array type id (engine.c makes it with the
 * type); NULL for a function type or an unknown id. */
const rt_gc_rtt *rt_gc_rtt_of(uint32_t type_id);
/* Builds the rtt of interned type t (struct or array) whose supertype's
 * rtt is super (NULL: none); traced[k]: field k (an array: its element)
 * is a GC reference the collector traces, one of the any or extern
 * hierarchy (funcrefs are rt_funcref records the store owns; exnrefs are
 * exception objects, see gc.c). NULL when out of memory. */
rt_gc_rtt *rt_gc_rtt_make(const rt_functype *t, const bool *traced,
                          const rt_gc_rtt *super);

/* The rtt every host box shares. */
extern const rt_gc_rtt *const rt_gc_host_rtt;

/* ---- the heap (gc.c) -------------------------------------------------- */

typedef struct rt_gc_heap rt_gc_heap;

rt_gc_heap *rt_gc_heap_new(void);
void rt_gc_heap_free(rt_gc_heap *h);

/* A zeroed object of `bytes` bytes (header included) with its rtt set, in
 * the store's heap; NULL when the store's GC heap limit does not allow it.
 * May collect first: callers from compiled code must have published their
 * frames (see rt_gc_exit in gc_roots.h). */
void *rt_gc_alloc(struct wrun_store *s, const rt_gc_rtt *rtt, size_t bytes);

/* Object size of an array of `len` elements of rtt; 0 when too large. */
static inline uint64_t rt_gc_array_bytes(const rt_gc_rtt *rtt, uint64_t len) {
  uint64_t data = len * rtt->elem_size;
  if (len > RT_GC_MAX_ARRAY_BYTES || data > RT_GC_MAX_ARRAY_BYTES) return 0;
  return RT_GC_ARRAY_DATA + ((data + 7) & ~(uint64_t)7);
}

/* Whether w is the address of an object of s's heap (the host API checks
 * what it is given). */
bool rt_gc_owns(const struct wrun_store *s, uintptr_t w);

/* Boxes host value v (not NULL) as an externref; NULL when out of heap. */
void *rt_gc_box_host(struct wrun_store *s, void *v);
/* The host value of externref word w: NULL for null, the boxed value of a
 * host box, else w itself (an anyref made an externref: the host sees the
 * word, as an opaque value). */
void *rt_gc_unbox_host(uintptr_t w);

/* ---- roots in wasm frames (gc_stack.c) -------------------------------- */

/* Where wasm left for C, on this thread: fp and pc of the wasm frame (pc
 * the return address of its call). Pushed by code that may collect while
 * wasm frames are below it; an entry into wasm restores the top when it
 * unwinds (a trap skips the pops). */
typedef struct rt_gc_exit {
  uintptr_t fp, pc;
  struct rt_gc_exit *prev;
} rt_gc_exit;

void rt_gc_exit_push(rt_gc_exit *e, uintptr_t fp, uintptr_t pc);
void rt_gc_exit_pop(rt_gc_exit *e);
rt_gc_exit *rt_gc_exit_top(void);
void rt_gc_exit_restore(rt_gc_exit *top);

/* Pushes the exit of the libcall it is used in, called from compiled
 * code: the caller's frame is the wasm one (the libcall has a frame
 * record: __builtin_frame_address makes GCC keep one). */
#define RT_GC_EXIT_FROM_LIBCALL(e)                                        \
  rt_gc_exit_push(&(e), *(const uintptr_t *)__builtin_frame_address(0),   \
                  (uintptr_t)__builtin_return_address(0))

typedef void (*rt_gc_visit)(void *ctx, uintptr_t *slot);
/* Calls visit on every slot of this thread's wasm frames of store s that
 * holds a GC reference. */
void rt_gc_scan_stack(struct wrun_store *s, rt_gc_visit visit, void *ctx);

/* ---- the host's view (gc_api.c) --------------------------------------- */

struct wrun_val;
/* Is GC word w (an anyref the host passes) of type t (any hierarchy,
 * module-independent form)? */
bool rt_gc_ref_fits(uintptr_t w, rt_valtype t);
/* While on (nesting), allocations never collect: for runtime code that
 * holds new objects where no root scan sees them (constant expressions,
 * arguments being boxed). */
void rt_gc_inhibit(struct wrun_store *s, bool on);
/* Roots the object v holds, if any, as a result handed to the host. */
void rt_gc_root_result(struct wrun_store *s, const struct wrun_val *v);

/* Runs GC allocation c (struct.new, array.new and their forms) of a
 * constant expression of inst on the evaluator's stack (gc_const.c);
 * false when it does not fit the store's heap. */
struct wrun_instance;
struct rt_const_op;
struct rt_global_cell;
bool rt_const_gc_new(struct wrun_instance *inst, const struct rt_const_op *c,
                     struct rt_global_cell *stack, uint32_t *depth);

/* ---- the collector (gc.c, gc_heap.c, gc_roots.c, gc_stack.c) ---------- */

/* The heap of store s, made at first use; NULL when out of memory. */
rt_gc_heap *rt_gc_heap_of(struct wrun_store *s);

/* Whether a value of (module-independent) type t is a GC reference the
 * collector traces: a reference whose hierarchy is any or extern. */
bool rt_gc_traced_type(rt_valtype t);

/* Containers whose words are roots: a table with a traced element type, a
 * host global of a traced type (instances' globals and element segments
 * are found through the store's instances), an exception whose payload
 * has a traced value. False when out of memory. */
bool rt_gc_track_table(struct wrun_store *s, struct rt_table *t);
bool rt_gc_track_global(struct wrun_store *s, struct wrun_global *g);
bool rt_gc_track_exn(struct wrun_store *s, struct wrun_exn *exn);

/* Host roots: a counted set of words (null and i31 words are ignored).
 * add is false when out of memory; remove drops one count. */
bool rt_gc_root_add(struct wrun_store *s, uintptr_t w);
void rt_gc_root_remove(struct wrun_store *s, uintptr_t w);

/* Collects now, unless wasm frames are active that cannot be scanned;
 * true if it did. */
bool rt_gc_collect(struct wrun_store *s);

/* Tests: bounds the mark stack to `entries` (0: no bound) so that its
 * overflow path runs. */
void rt_gc_set_mark_stack_limit(struct wrun_store *s, size_t entries);

#endif
