/* The decoded form of a module: what the binary reader produces, what the
 * compiler reads and what instantiation follows. Pure data; no machine code.
 *
 * Index spaces follow the spec: imported functions/tables/memories/globals
 * come first, then the module's own definitions.
 */
#ifndef RT_MODULE_H
#define RT_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "array_layout.h"
#include "wrun.h"

/* Value types (rt_valtype, runtime/array_layout.h). A number or vector
 * type is its binary code. A reference type (ref null? ht) packs
 *   bits 0-7   its heap type: an abstract heap type's binary code (HT_*),
 *              or HT_INDEX for a type of the module,
 *   bit 8      VT_NONNULL, set when the reference cannot be null,
 *   bits 9-31  the type index of an HT_INDEX heap type,
 * so the nullable abstract types (funcref, externref, exnref) keep their
 * one-byte codes and type equality is integer equality. Interned function
 * types (runtime/engine.c) are module-independent: their concrete heap
 * types are HT_CANON with the engine-wide type id in bits 9-31 instead. */
enum {
  VT_I32 = 0x7F,
  VT_I64 = 0x7E,
  VT_F32 = 0x7D,
  VT_F64 = 0x7C,
  VT_V128 = 0x7B,

  /* abstract heap types: their binary codes */
  HT_NOEXN = 0x74,
  HT_NOFUNC = 0x73,
  HT_NOEXTERN = 0x72,
  HT_NONE = 0x71,
  HT_FUNC = 0x70,
  HT_EXTERN = 0x6F,
  HT_ANY = 0x6E,
  HT_EQ = 0x6D,
  HT_I31 = 0x6C,
  HT_STRUCT = 0x6B,
  HT_ARRAY = 0x6A,
  HT_EXN = 0x69,
  /* concrete heap types, the index in bits 9-31 */
  HT_INDEX = 0x01, /* a type index of the module */
  HT_CANON = 0x02, /* an engine-wide interned type id */
  HT_REC = 0x03,   /* in an intern key: a type of the same recursion
                      group, by its position in it */

  VT_NONNULL = 0x100,

  VT_FUNCREF = HT_FUNC,     /* (ref null func) */
  VT_EXTERNREF = HT_EXTERN, /* (ref null extern) */
  VT_EXNREF = HT_EXN,       /* (ref null exn), exception handling */
};

#define RT_VT_INDEX_SHIFT 9
/* Type indices must fit bits 9-31 of a value type. */
#define RT_MAX_TYPES (UINT32_C(1) << (32 - RT_VT_INDEX_SHIFT))

static inline bool rt_is_reftype(rt_valtype t) {
  uint32_t c = t & 0xFF;
  return (c >= HT_EXN && c <= HT_NOEXN) || (c != 0 && c <= HT_REC);
}
/* The heap type of a reference type (its code and index). */
static inline uint32_t rt_vt_heap(rt_valtype t) { return t & ~(uint32_t)VT_NONNULL; }
static inline uint32_t rt_vt_heap_code(rt_valtype t) { return t & 0xFF; }
static inline uint32_t rt_vt_index(rt_valtype t) { return t >> RT_VT_INDEX_SHIFT; }
static inline bool rt_vt_nullable(rt_valtype t) { return !(t & VT_NONNULL); }
static inline bool rt_vt_is_concrete(rt_valtype t) {
  uint32_t c = rt_vt_heap_code(t);
  return rt_is_reftype(t) && (c == HT_INDEX || c == HT_CANON);
}
/* (ref null? heap), heap being an HT_* code with its index bits. */
static inline rt_valtype rt_vt_ref(uint32_t heap, bool nullable) {
  return heap | (nullable ? 0u : (uint32_t)VT_NONNULL);
}
static inline uint32_t rt_heap_of_index(uint32_t code, uint32_t index) {
  return code | index << RT_VT_INDEX_SHIFT;
}
/* Whether a local of type t has a default value (non-null references have
 * none: such locals must be set before they are read). */
static inline bool rt_vt_defaultable(rt_valtype t) {
  return !rt_is_reftype(t) || rt_vt_nullable(t);
}

/* Decoding a value type or heap type at *p (not past end; *p advances on
 * success). ntypes bounds type indices; the one out of range goes to
 * *index with RT_VT_UNKNOWN_TYPE. runtime/valtype.c. */
typedef enum rt_valtype_status {
  RT_VT_OK,
  RT_VT_EOF,
  RT_VT_MALFORMED,
  RT_VT_UNKNOWN_TYPE,
} rt_valtype_status;
rt_valtype_status rt_decode_heaptype(const uint8_t **p, const uint8_t *end,
                                     uint32_t ntypes, uint32_t *heap,
                                     uint32_t *index);
/* ref_only: a reference type is required (numbers are malformed). */
rt_valtype_status rt_decode_valtype(const uint8_t **p, const uint8_t *end,
                                    uint32_t ntypes, bool ref_only,
                                    rt_valtype *out, uint32_t *index);

struct rt_module;
/* a <: b. Concrete heap types are a type index of m (HT_INDEX) or an
 * engine-wide id (HT_CANON); m may be NULL when neither is HT_INDEX. */
bool rt_subtype(const struct rt_module *m, rt_valtype a, rt_valtype b);
bool rt_heap_subtype(const struct rt_module *m, uint32_t a, uint32_t b);
/* t with its type index replaced by the engine-wide id: the form of types
 * held by tables, globals and interned function types. */
rt_valtype rt_vt_canon(const struct rt_module *m, rt_valtype t);
/* The top of heap type heap's hierarchy: HT_FUNC, HT_EXTERN, HT_EXN or
 * HT_ANY. m: the module a type index belongs to (NULL for the
 * module-independent form). */
uint32_t rt_heap_top(const struct rt_module *m, uint32_t heap);
/* Does a value of type t (of module m, or module-independent with m NULL)
 * hold a GC word: a reference of the any or extern hierarchy? */
bool rt_vt_traced(const struct rt_module *m, rt_valtype t);
/* The wrun.h type a value of type t crosses the API as: a number, or the
 * nullable top type of its hierarchy (funcref, externref, exnref). */
wrun_valtype rt_vt_api(rt_valtype t);

/* A defined type (Wasm 3.0): a function type, or (GC) a struct or array
 * type. Most of the runtime only meets function types, hence the name.
 *   function: types[0..nparams) the parameters, then the nresults results;
 *   struct:   types[0..nfields) the field types, mut[k] whether field k
 *             is mutable; nparams = nresults = 0;
 *   array:    the same with nfields = 1, the element.
 * Field types are storage types: a value type or RT_PACKED_I8/I16.
 * super is the declared supertype's index (module) or id (interned), or
 * RT_NO_SUPER; final types have no subtypes. rec_start/rec_size place the
 * type in its recursion group (types rec_start .. rec_start + size - 1).
 * id is the engine-wide interned id: two types are equal iff ids are equal
 * (assigned as the reader reads the type section, runtime/engine.c). */
typedef enum rt_type_kind {
  RT_FUNC_TYPE,
  RT_STRUCT_TYPE,
  RT_ARRAY_TYPE,
} rt_type_kind;

enum { RT_PACKED_I8 = 0x78, RT_PACKED_I16 = 0x77 };
#define RT_NO_SUPER UINT32_MAX

typedef struct rt_functype {
  uint32_t nparams, nresults;
  rt_valtype *types;
  uint32_t id;
  uint8_t kind; /* rt_type_kind */
  bool final;
  uint32_t nfields;
  bool *mut; /* struct and array fields; NULL for a function type */
  uint32_t super;
  uint32_t rec_start, rec_size;
  /* interned types: depth in the supertype chain (0: no supertype) and
   * the ids of the chain from the root down to the type itself
   * (display[depth] == id), for constant-time subtype checks */
  uint32_t depth;
  uint32_t *display;
} rt_functype;

static inline rt_valtype rt_param(const rt_functype *t, uint32_t i) {
  return t->types[i];
}
static inline rt_valtype rt_result(const rt_functype *t, uint32_t i) {
  return t->types[t->nparams + i];
}

/* Limits of a table (u32) or a memory (pages; u64 for a 64-bit memory). */
typedef struct rt_limits {
  uint64_t min, max; /* max valid only if has_max */
  bool has_max;
  bool is64; /* memory64: i64 addresses */
  bool shared; /* threads: a shared memory (always has a maximum) */
} rt_limits;

typedef struct rt_tabletype {
  rt_valtype elem; /* a reference type */
  rt_limits limits;
} rt_tabletype;

typedef struct rt_globaltype {
  rt_valtype type;
  bool mut;
} rt_globaltype;

/* A constant expression, already validated. Most are one instruction
 * (a constant, global.get, ref.func or ref.null) and are kept inline in
 * kind/type/index/value, so that a segment of 100,000 ref.func items
 * allocates nothing more. Longer ones (Wasm 3.0 extended constants: i32 and
 * i64 add/sub/mul over constants and global.get) are a postfix program in
 * ops, evaluated on a stack of at most max_depth values. */
typedef enum rt_const_kind {
  RT_CONST_VALUE,   /* t.const: bits in value (v128 uses both words) */
  RT_CONST_GLOBAL,  /* global.get index (an immutable global) */
  RT_CONST_FUNC,    /* ref.func index */
  RT_CONST_NULL,    /* ref.null type */
  RT_CONST_PROGRAM, /* nops instructions in ops */
} rt_const_kind;

/* One instruction of a constant-expression program: op is the jit_op
 * (jit/instr.h) of a constant, global.get, ref.func, ref.null or an
 * i32/i64 add, sub or mul; the operands are those of rt_constexpr. */
typedef struct rt_const_op {
  uint16_t op;
  rt_valtype type; /* the value type it pushes */
  uint32_t index;
  uint64_t value[2];
} rt_const_op;

typedef struct rt_constexpr {
  uint8_t kind; /* rt_const_kind */
  rt_valtype type; /* the value type the expression produces */
  uint32_t index;
  uint64_t value[2];
  uint32_t nops, max_depth; /* RT_CONST_PROGRAM only */
  rt_const_op *ops;         /* owned; NULL unless RT_CONST_PROGRAM */
} rt_constexpr;

typedef struct rt_import {
  /* NUL-terminated copies (validated UTF-8). Names may contain U+0000, so
   * the lengths, not strlen, say where they end. */
  char *module, *name;
  uint32_t module_len, name_len;
  uint8_t kind;        /* wrun_externkind */
  union {
    uint32_t type_index; /* func: index into module types */
    rt_tabletype table;
    rt_limits memory;
    rt_globaltype global;
    uint32_t tag_type; /* tag: index into module types (no results) */
  } desc;
} rt_import;

typedef struct rt_export {
  char *name;        /* NUL-terminated copy; may contain U+0000 itself */
  uint32_t name_len; /* its length in bytes */
  uint8_t kind; /* wrun_externkind */
  uint32_t index;
} rt_export;

typedef struct rt_global {
  rt_globaltype type;
  rt_constexpr init; /* unused for imported globals */
} rt_global;

typedef enum rt_segment_mode {
  RT_SEG_ACTIVE,
  RT_SEG_PASSIVE,
  RT_SEG_DECLARATIVE,
} rt_segment_mode;

typedef struct rt_elem {
  uint8_t mode;
  rt_valtype elem_type; /* a reference type */
  uint32_t table;    /* active only */
  rt_constexpr offset; /* active only, i32 */
  uint32_t count;
  rt_constexpr *items; /* count items, each ref.func / ref.null / global.get */
} rt_elem;

typedef struct rt_data {
  uint8_t mode; /* RT_SEG_ACTIVE or RT_SEG_PASSIVE */
  uint32_t memory;
  rt_constexpr offset;
  uint32_t len;
  const uint8_t *bytes; /* points into rt_module.bytes */
} rt_data;

typedef struct rt_func {
  uint32_t type_index;
  /* Body of a defined function: from the local declarations to the final
   * end opcode inclusive, inside rt_module.bytes. */
  uint32_t body_offset, body_len;
} rt_func;

/* A custom section of a module: its name, then its contents. */
typedef struct rt_custom_section {
  const uint8_t *name;
  uint32_t name_len;
  const uint8_t *data;
  size_t len;
} rt_custom_section;

typedef struct rt_module {
  uint8_t *bytes; /* owned copy of the binary */
  size_t len;

  uint32_t ntypes;
  rt_functype *types;
  /* (ref null i) at 2i and (ref i) at 2i + 1, for every type i: storage
   * for block types of one concrete reference (jit_blocktype_sig). */
  rt_valtype *ref_types;

  uint32_t nimports;
  rt_import *imports;

  /* Function index space: funcs[i].type_index for every function; the first
   * nimported_funcs are imports (their body fields unused). */
  uint32_t nfuncs, nimported_funcs;
  rt_func *funcs;

  uint32_t ntables, nimported_tables;
  rt_tabletype *tables;

  uint32_t nmemories, nimported_memories;
  rt_limits *memories;

  uint32_t nglobals, nimported_globals;
  rt_global *globals;

  /* Tag index space (exception handling): the function type index of
   * each tag's payload (its params; its results are empty). The first
   * nimported_tags are imports. */
  uint32_t ntags, nimported_tags;
  uint32_t *tags;

  uint32_t nexports;
  rt_export *exports;

  bool has_start;
  uint32_t start;

  uint32_t nelems;
  rt_elem *elems;

  bool has_data_count;
  uint32_t data_count;
  uint32_t ndatas;
  rt_data *datas;

  /* Table initializers (Wasm 3.0): the value each element of table i
   * (imported ones excluded: index i - nimported_tables) starts with;
   * ref.null of the element type when the table section gives none. */
  rt_constexpr *table_inits;

  /* Functions referenced outside function bodies (exports, elem segments,
   * global initialisers): the only ones ref.func may name. One flag per
   * function index. */
  bool *func_declared;

  /* Name section (optional, malformed names are ignored as the spec says):
   * func_names[i] is NULL or a NUL-terminated name. */
  char **func_names;
  char *module_name;

  /* Custom sections, in the order of the binary (wrun_module_custom_section):
   * name and contents point into bytes. */
  rt_custom_section *customs;
  uint32_t ncustoms, cap_customs;
  /* Where the code section's contents start (its count): DWARF's code
   * addresses count from there. */
  uint32_t code_section_offset;
  /* .debug_line, read on the first backtrace that asks (dwarf_line.c). */
  struct rt_line_table *lines;
  bool lines_read;
} rt_module;

/* Decodes the binary and validates everything outside function bodies
 * (types, imports, limits, const expressions, exports, start, segments,
 * section order and sizes, the data count). Function bodies are validated
 * by the compiler in the same pass that compiles them.
 * On success *out owns a copy of bytes. */
wrun_error *rt_module_read(const uint8_t *bytes, size_t len,
                           rt_module **out);
void rt_module_free(rt_module *m);

/* The function type of function index f. */
static inline const rt_functype *rt_func_type(const rt_module *m,
                                              uint32_t f) {
  return &m->types[m->funcs[f].type_index];
}

#endif
