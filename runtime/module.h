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
#include "wrun.h"

/* Value types use their binary encoding (same numbers as wrun_valtype). */
enum {
  VT_I32 = 0x7F,
  VT_I64 = 0x7E,
  VT_F32 = 0x7D,
  VT_F64 = 0x7C,
  VT_V128 = 0x7B,
  VT_FUNCREF = 0x70,
  VT_EXTERNREF = 0x6F,
  /* (ref null exn), Wasm 3.0 exception handling: an abstract reference
   * type like externref (wrun has no typed references yet). */
  VT_EXNREF = 0x69,
};

static inline bool rt_is_reftype(uint8_t t) {
  return t == VT_FUNCREF || t == VT_EXTERNREF || t == VT_EXNREF;
}

/* A function type. types[0..nparams) are the parameters, then the results.
 * id is the engine-wide interned id: two types are equal iff ids are equal
 * (assigned by rt_engine_intern_type when the module is created). */
typedef struct rt_functype {
  uint32_t nparams, nresults;
  uint8_t *types;
  uint32_t id;
} rt_functype;

static inline uint8_t rt_param(const rt_functype *t, uint32_t i) {
  return t->types[i];
}
static inline uint8_t rt_result(const rt_functype *t, uint32_t i) {
  return t->types[t->nparams + i];
}

/* Limits of a table (u32) or a memory (pages; u64 for a 64-bit memory). */
typedef struct rt_limits {
  uint64_t min, max; /* max valid only if has_max */
  bool has_max;
  bool is64; /* memory64: i64 addresses */
} rt_limits;

typedef struct rt_tabletype {
  uint8_t elem; /* VT_FUNCREF or VT_EXTERNREF */
  rt_limits limits;
} rt_tabletype;

typedef struct rt_globaltype {
  uint8_t type;
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
  uint8_t type; /* the value type it pushes */
  uint32_t index;
  uint64_t value[2];
} rt_const_op;

typedef struct rt_constexpr {
  uint8_t kind; /* rt_const_kind */
  uint8_t type; /* the value type the expression produces */
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
  uint8_t elem_type; /* VT_FUNCREF or VT_EXTERNREF */
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

typedef struct rt_module {
  uint8_t *bytes; /* owned copy of the binary */
  size_t len;

  uint32_t ntypes;
  rt_functype *types;

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

  /* Functions referenced outside function bodies (exports, elem segments,
   * global initialisers): the only ones ref.func may name. One flag per
   * function index. */
  bool *func_declared;

  /* Name section (optional, malformed names are ignored as the spec says):
   * func_names[i] is NULL or a NUL-terminated name. */
  char **func_names;
  char *module_name;
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
