/* The binary reader: decodes a Wasm 2.0 module and validates everything
 * outside function bodies (those are validated by the compiler as it
 * compiles them). Errors use the spec interpreter's wording where the spec
 * tests have one, and carry the byte offset of the offending input.
 *
 * Safety rules followed throughout: every read goes through the cursor
 * helpers below, which never step past `end` (the current section's end, or
 * the file's end between sections); every vector count is checked against
 * the bytes left before anything is allocated for it, so a hostile count
 * cannot make us allocate more than a small multiple of the input size.
 */
#include "dwarf_line.h"
#include "module.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "decode.h"
#include "instr.h"
#include "leb128.h"
#include "runtime.h"

/* Section ids. */
enum {
  SEC_CUSTOM = 0,
  SEC_TYPE = 1,
  SEC_IMPORT = 2,
  SEC_FUNCTION = 3,
  SEC_TABLE = 4,
  SEC_MEMORY = 5,
  SEC_GLOBAL = 6,
  SEC_EXPORT = 7,
  SEC_START = 8,
  SEC_ELEMENT = 9,
  SEC_CODE = 10,
  SEC_DATA = 11,
  SEC_DATA_COUNT = 12,
  SEC_TAG = 13, /* exception handling (Wasm 3.0): between memory and global */
};

/* The end opcode that closes every body and constant expression; other
 * opcodes are named by the jit's table (jit/opcodes.def). */
enum { BYTE_END = 0x0B };

#define MAX_MEMORY_PAGES 65536u
#define MAX_MEMORY64_PAGES ((uint64_t)1 << 48)

typedef struct reader {
  const uint8_t *base;     /* start of the module (the owned copy) */
  const uint8_t *p, *end;  /* cursor and the limit of the current region */
  const uint8_t *file_end;
  rt_module *m;
  wrun_error *err; /* first error; once set, everything unwinds */
  bool in_section; /* whether `end` is a section's end */

  bool seen_function_section;
  uint32_t ndefined_funcs; /* count declared by the function section */
  bool seen_code_section;
  bool code_count_mismatch; /* its count is not ndefined_funcs */
  const uint8_t *code_count_at;
  bool seen_data_section;

  /* The first "name" custom section, parsed once the function count is
   * final (a name section may legally appear before the function section). */
  const uint8_t *names, *names_end;
} reader;

/* ---- errors ------------------------------------------------------------ */

static size_t offset_of(const reader *r, const uint8_t *at) {
  return (size_t)(at - r->base);
}

static bool fail(reader *r, const uint8_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Records the first error only: later ones are consequences. */
static bool fail(reader *r, const uint8_t *at, const char *fmt, ...) {
  if (r->err) return false;
  char message[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(message, sizeof message, fmt, ap);
  va_end(ap);
  r->err = rt_error_new(at ? offset_of(r, at) : RT_NO_OFFSET, "%s", message);
  return false;
}

static bool fail_oom(reader *r) {
  return fail(r, NULL, "out of memory");
}

/* Inside a section the spec calls running out "unexpected end of section or
 * function"; between sections it is plain "unexpected end". */
static bool fail_eof(reader *r) {
  return fail(r, r->p,
              r->in_section ? "unexpected end of section or function"
                            : "unexpected end");
}

/* ---- cursor primitives ------------------------------------------------- */

static size_t bytes_left(const reader *r) { return (size_t)(r->end - r->p); }

/* The readers clear their output first so that no caller ever sees an
 * uninitialised value, even on paths the compiler cannot follow. */
static bool read_byte(reader *r, uint8_t *out) {
  *out = 0;
  if (r->p >= r->end) return fail_eof(r);
  *out = *r->p++;
  return true;
}

/* A LEB128 of `bits` bits at r->p failed with s. One cut by the section's
 * end is judged with the bytes after it, as the spec's decoder (one stream
 * for the whole module) judges it. */
static bool leb_failed(reader *r, rt_leb_status s, unsigned bits,
                       bool is_signed) {
  if (s == RT_LEB_EOF) s = rt_leb_past_end(r->p, r->file_end, bits, is_signed);
  if (s == RT_LEB_EOF) return fail_eof(r);
  return fail(r, r->p, "%s", rt_leb_message(s));
}

static bool read_u32(reader *r, uint32_t *out) {
  uint64_t v = 0;
  *out = 0;
  rt_leb_status s = rt_read_uleb(&r->p, r->end, 32, &v);
  if (s != RT_LEB_OK) return leb_failed(r, s, 32, false);
  *out = (uint32_t)v;
  return true;
}

static bool read_s32(reader *r, int32_t *out) {
  int64_t v = 0;
  *out = 0;
  rt_leb_status s = rt_read_sleb(&r->p, r->end, 32, &v);
  if (s != RT_LEB_OK) return leb_failed(r, s, 32, true);
  *out = (int32_t)v;
  return true;
}

static bool read_s64(reader *r, int64_t *out) {
  *out = 0;
  rt_leb_status s = rt_read_sleb(&r->p, r->end, 64, out);
  if (s != RT_LEB_OK) return leb_failed(r, s, 64, true);
  return true;
}

/* n raw bytes; *out points at them inside the module. */
static bool read_raw(reader *r, size_t n, const uint8_t **out) {
  *out = r->p;
  if (n > bytes_left(r)) {
    r->p = r->end;
    return fail_eof(r);
  }
  *out = r->p;
  r->p += n;
  return true;
}

static uint64_t load_le(const uint8_t *b, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; i++) v |= (uint64_t)b[i] << (8 * i);
  return v;
}

/* A length (of a vector, a name, a body), the spec's len32: one larger than
 * what is left of the module after its first byte is "length out of
 * bounds", even when the section ends inside it. */
static bool read_len(reader *r, uint32_t *out) {
  const uint8_t *at = r->p;
  uint64_t v = 0;
  *out = 0;
  rt_leb_status s = rt_read_uleb(&r->p, r->end, 32, &v);
  if (s == RT_LEB_EOF) {
    const uint8_t *q = at;
    if (rt_read_uleb(&q, r->file_end, 32, &v) == RT_LEB_OK &&
        v > (uint64_t)(r->file_end - at))
      return fail(r, at, "length out of bounds");
  }
  if (s != RT_LEB_OK) return leb_failed(r, s, 32, false);
  if (v > (uint64_t)(r->file_end - at))
    return fail(r, at, "length out of bounds");
  *out = (uint32_t)v;
  return true;
}

/* A vector length. Every entry of every vector we read takes at least one
 * byte, so a count larger than the bytes left is certainly truncated; this
 * check is what bounds our allocations by the input size. */
static bool read_count(reader *r, uint32_t *out) {
  if (!read_len(r, out)) return false;
  if (*out > bytes_left(r)) {
    r->p = r->end;
    return fail_eof(r);
  }
  return true;
}

/* ---- UTF-8 and names --------------------------------------------------- */

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
 * U+10FFFF, no truncated sequences. */
static bool utf8_valid(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t b = s[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    size_t len;
    uint32_t cp, min;
    if ((b & 0xE0) == 0xC0) {
      len = 2, cp = b & 0x1F, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
      len = 3, cp = b & 0x0F, min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
      len = 4, cp = b & 0x07, min = 0x10000;
    } else {
      return false; /* continuation byte or 0xF8..0xFF as a lead */
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

/* A name: u32 length then that many bytes of valid UTF-8. */
static bool read_name(reader *r, const uint8_t **bytes, uint32_t *len) {
  const uint8_t *at = r->p;
  *bytes = r->p; /* never left unset, even on failure */
  if (!read_len(r, len)) return false;
  if (*len > bytes_left(r)) return fail(r, at, "length out of bounds");
  *bytes = r->p;
  r->p += *len;
  if (!utf8_valid(*bytes, *len)) return fail(r, at, "malformed UTF-8 encoding");
  return true;
}

static char *copy_name(const uint8_t *bytes, uint32_t len) {
  char *s = malloc((size_t)len + 1);
  if (!s) return NULL;
  memcpy(s, bytes, len);
  s[len] = '\0';
  return s;
}

static bool read_name_copy(reader *r, char **out, uint32_t *len) {
  const uint8_t *bytes;
  if (!read_name(r, &bytes, len)) return false;
  *out = copy_name(bytes, *len);
  return *out ? true : fail_oom(r);
}

/* ---- types ------------------------------------------------------------- */

/* A value type (ref_only: a reference type), its type index below
 * ntypes. */
static bool read_valtype_below(reader *r, uint32_t ntypes, bool ref_only,
                               rt_valtype *out) {
  const uint8_t *at = r->p;
  uint32_t index = 0;
  *out = 0;
  switch (rt_decode_valtype(&r->p, r->end, ntypes, ref_only, out, &index)) {
  case RT_VT_OK: return true;
  case RT_VT_EOF: return fail_eof(r);
  case RT_VT_UNKNOWN_TYPE: return fail(r, at, "unknown type %u", index);
  default:
    return fail(r, at, ref_only ? "malformed reference type"
                                : "malformed value type");
  }
}

static bool read_valtype(reader *r, rt_valtype *out) {
  return read_valtype_below(r, r->m->ntypes, false, out);
}

static bool read_reftype(reader *r, rt_valtype *out) {
  return read_valtype_below(r, r->m->ntypes, true, out);
}

/* ref.null's immediate: a heap type; *out the nullable reference to it. */
static bool read_null_heaptype(reader *r, rt_valtype *out) {
  const uint8_t *at = r->p;
  uint32_t heap = 0, index = 0;
  *out = 0;
  switch (rt_decode_heaptype(&r->p, r->end, r->m->ntypes, &heap, &index)) {
  case RT_VT_OK: *out = rt_vt_ref(heap, true); return true;
  case RT_VT_EOF: return fail_eof(r);
  case RT_VT_UNKNOWN_TYPE: return fail(r, at, "unknown type %u", index);
  default: return fail(r, at, "malformed heap type");
  }
}

static bool read_u64(reader *r, uint64_t *out) {
  *out = 0;
  rt_leb_status s = rt_read_uleb(&r->p, r->end, 64, out);
  if (s != RT_LEB_OK) return leb_failed(r, s, 64, false);
  return true;
}

/* Limits flags: one byte, bit 0 a maximum follows, bit 1 (threads) a
 * shared memory, bit 2 (Wasm 3.0 memory64 and table64) i64 addresses or
 * indices and u64 limits; any other bit is malformed. Only memories may be
 * shared (read_tabletype refuses the flag). */
enum { LIMITS_HAS_MAX = 1, LIMITS_SHARED = 2, LIMITS_64 = 4 };

static bool read_limits(reader *r, rt_limits *out) {
  const uint8_t *at = r->p;
  uint8_t flags;
  if (!read_byte(r, &flags)) return false;
  if (flags & ~(LIMITS_HAS_MAX | LIMITS_SHARED | LIMITS_64))
    return fail(r, at, "malformed limits flags");
  out->has_max = flags & LIMITS_HAS_MAX;
  out->is64 = flags & LIMITS_64;
  out->shared = flags & LIMITS_SHARED;
  out->max = 0;
  /* Both sizes are u64 LEBs in Wasm 3.0 (as the reference interpreter
   * reads them); what a 32-bit memory or table may have is the type's
   * check ("memory size", "table size"), not the encoding's. */
  return read_u64(r, &out->min) && (!out->has_max || read_u64(r, &out->max));
}

static bool check_min_le_max(reader *r, const uint8_t *at,
                             const rt_limits *l) {
  if (l->has_max && l->min > l->max)
    return fail(r, at, "size minimum must not be greater than maximum");
  return true;
}

static bool read_tabletype(reader *r, rt_tabletype *out) {
  if (!read_reftype(r, &out->elem)) return false;
  const uint8_t *at = r->p;
  if (!read_limits(r, &out->limits)) return false;
  const rt_limits *l = &out->limits;
  if (l->shared) return fail(r, at, "malformed limits flags");
  if (!l->is64 && (l->min > UINT32_MAX || (l->has_max && l->max > UINT32_MAX)))
    return fail(r, at, "table size must be at most 2^32-1");
  return check_min_le_max(r, at, l);
}

/* The sizes the types allow (2^48 pages is 2^64 bytes); what an instance
 * can actually have is less (rt_memory_new). */
static bool read_memtype(reader *r, rt_limits *out) {
  const uint8_t *at = r->p;
  if (!read_limits(r, out)) return false;
  uint64_t most = out->is64 ? MAX_MEMORY64_PAGES : MAX_MEMORY_PAGES;
  if (out->min > most || (out->has_max && out->max > most))
    return fail(r, at,
                out->is64 ? "memory size must be at most 2^48 pages (256TiB)"
                          : "memory size must be at most 65536 pages (4GiB)");
  if (out->shared && !out->has_max)
    return fail(r, at, "shared memory must have maximum");
  return check_min_le_max(r, at, out);
}

static bool read_globaltype(reader *r, rt_globaltype *out) {
  if (!read_valtype(r, &out->type)) return false;
  const uint8_t *at = r->p;
  uint8_t mut;
  if (!read_byte(r, &mut)) return false;
  if (mut > 1) return fail(r, at, "malformed mutability");
  out->mut = mut == 1;
  return true;
}

/* ---- index spaces ------------------------------------------------------ */

/* Grows a module array from `have` to have + add elements (zeroed), failing
 * on index-space overflow. */
static bool grow(reader *r, void **array, uint32_t have, uint32_t add,
                 size_t elem_size) {
  uint64_t total = (uint64_t)have + add;
  if (total > UINT32_MAX) return fail(r, r->p, "too many definitions");
  if (add == 0) return true;
  void *bigger = realloc(*array, (size_t)total * elem_size);
  if (!bigger) return fail_oom(r);
  memset((uint8_t *)bigger + (size_t)have * elem_size, 0,
         (size_t)add * elem_size);
  *array = bigger;
  return true;
}

static bool mark_func_declared(reader *r, uint32_t f) {
  rt_module *m = r->m;
  if (!m->func_declared) {
    m->func_declared = calloc(m->nfuncs ? m->nfuncs : 1, sizeof(bool));
    if (!m->func_declared) return fail_oom(r);
  }
  m->func_declared[f] = true;
  return true;
}

static bool check_func_index(reader *r, const uint8_t *at, uint32_t f) {
  if (f >= r->m->nfuncs) return fail(r, at, "unknown function %u", f);
  return true;
}

/* ---- constant expressions --------------------------------------------- */

/* The operand type of a binary operator allowed in constant expressions
 * (Wasm 3.0 extended constants), 0 for any other opcode. */
static rt_valtype const_binop_type(jit_op op) {
  switch (op) {
  case OP_I32_ADD: case OP_I32_SUB: case OP_I32_MUL: return VT_I32;
  case OP_I64_ADD: case OP_I64_SUB: case OP_I64_MUL: return VT_I64;
  default: return 0;
  }
}

/* The operands of one instruction of a constant expression, opcode already
 * read; c->type is what it pushes. */
static bool read_const_instr(reader *r, jit_op op, const uint8_t *at,
                             rt_const_op *c) {
  rt_module *m = r->m;
  const uint8_t *raw;
  c->op = (uint16_t)op;
  switch (op) {
  case OP_I32_CONST: {
    int32_t v;
    if (!read_s32(r, &v)) return false;
    c->type = VT_I32;
    c->value[0] = (uint32_t)v; /* the 32 bits, zero-extended */
    return true;
  }
  case OP_I64_CONST: {
    int64_t v;
    if (!read_s64(r, &v)) return false;
    c->type = VT_I64;
    c->value[0] = (uint64_t)v;
    return true;
  }
  case OP_F32_CONST:
    if (!read_raw(r, 4, &raw)) return false;
    c->type = VT_F32;
    c->value[0] = load_le(raw, 4);
    return true;
  case OP_F64_CONST:
    if (!read_raw(r, 8, &raw)) return false;
    c->type = VT_F64;
    c->value[0] = load_le(raw, 8);
    return true;
  case OP_V128_CONST:
    if (!read_raw(r, 16, &raw)) return false;
    c->type = VT_V128;
    c->value[0] = load_le(raw, 8);
    c->value[1] = load_le(raw + 8, 8);
    return true;
  case OP_REF_NULL:
    return read_null_heaptype(r, &c->type);
  case OP_REF_FUNC: {
    const uint8_t *idx_at = r->p;
    if (!read_u32(r, &c->index)) return false;
    if (!check_func_index(r, idx_at, c->index)) return false;
    /* (ref $t), $t the function's type (typed function references) */
    c->type = rt_vt_ref(
        rt_heap_of_index(HT_INDEX, m->funcs[c->index].type_index), false);
    return mark_func_declared(r, c->index);
  }
  case OP_GLOBAL_GET: {
    const uint8_t *idx_at = r->p;
    if (!read_u32(r, &c->index)) return false;
    /* Wasm 3.0: any immutable global already in the index space, so a
     * global's initializer sees the imports and the globals defined before
     * it (m->nglobals counts those while the global section is read), and
     * segments see them all. */
    if (c->index >= m->nglobals)
      return fail(r, idx_at, "unknown global %u", c->index);
    const rt_globaltype *g = &m->globals[c->index].type;
    if (g->mut) return fail(r, at, "constant expression required");
    c->type = g->type;
    return true;
  }
  case OP_REF_I31: /* GC: [i32] -> [(ref i31)] */
    c->type = HT_I31 | VT_NONNULL;
    return true;
  case OP_ANY_CONVERT_EXTERN: /* nullability: const_step, from the operand */
    c->type = HT_ANY;
    return true;
  case OP_EXTERN_CONVERT_ANY:
    c->type = HT_EXTERN;
    return true;
  case OP_STRUCT_NEW: case OP_STRUCT_NEW_DEFAULT: case OP_ARRAY_NEW:
  case OP_ARRAY_NEW_DEFAULT: case OP_ARRAY_NEW_FIXED: {
    const uint8_t *idx_at = r->p;
    if (!read_u32(r, &c->index)) return false;
    if (op == OP_ARRAY_NEW_FIXED) {
      uint32_t n;
      if (!read_u32(r, &n)) return false;
      c->value[0] = n;
    }
    if (c->index >= m->ntypes)
      return fail(r, idx_at, "unknown type %u", c->index);
    uint8_t want = op == OP_STRUCT_NEW || op == OP_STRUCT_NEW_DEFAULT
                       ? RT_STRUCT_TYPE
                       : RT_ARRAY_TYPE;
    if (m->types[c->index].kind != want)
      return fail(r, idx_at, "type mismatch");
    c->type = rt_vt_ref(rt_heap_of_index(HT_INDEX, c->index), false);
    return true;
  }
  default:
    if (!const_binop_type(op))
      return fail(r, at, "constant expression required");
    c->type = const_binop_type(op);
    return true;
  }
}

/* A constant expression being read: its instructions and the types of the
 * values its stack machine holds (never more than the instructions). */
typedef struct const_builder {
  rt_const_op *ops;
  rt_valtype *stack;
  uint32_t nops, cap, depth, max_depth;
  bool mismatch;
} const_builder;

static bool const_append(reader *r, const_builder *b, const rt_const_op *c) {
  if (b->nops == b->cap) {
    uint32_t cap = b->cap ? b->cap * 2 : 4;
    rt_const_op *ops = realloc(b->ops, cap * sizeof *ops);
    if (!ops) return fail_oom(r);
    b->ops = ops;
    rt_valtype *stack = realloc(b->stack, cap * sizeof *stack);
    if (!stack) return fail_oom(r);
    b->stack = stack;
    b->cap = cap;
  }
  b->ops[b->nops++] = *c;
  return true;
}

/* The validation rule of one instruction: a binary operator pops two
 * values of its type, everything pushes its type. A mismatch is recorded
 * and reading goes on, because "constant expression required" for a later
 * instruction takes precedence (the spec checks constness first). */
/* Pops a value that must be a subtype of `want` (a mismatch is recorded). */
static rt_valtype const_pop(const_builder *b, const rt_module *m,
                            rt_valtype want) {
  if (b->depth < 1) {
    b->mismatch = true;
    return want;
  }
  rt_valtype t = b->stack[--b->depth];
  if (t != want && !(rt_is_reftype(t) && rt_subtype(m, t, want)))
    b->mismatch = true;
  return t;
}

/* The value type a field of storage type t is written as. */
static rt_valtype const_unpacked(rt_valtype t) {
  return t == RT_PACKED_I8 || t == RT_PACKED_I16 ? VT_I32 : t;
}

static bool const_defaultable(rt_valtype t) {
  return !rt_is_reftype(t) || rt_vt_nullable(t);
}

/* GC allocations: pop what struct.new / array.new* take. */
static void const_gc_operands(const_builder *b, const rt_module *m,
                              const rt_const_op *c) {
  const rt_functype *t = &m->types[c->index];
  switch (c->op) {
  case OP_STRUCT_NEW:
    for (uint32_t k = t->nfields; k-- > 0;)
      const_pop(b, m, const_unpacked(t->types[k]));
    break;
  case OP_STRUCT_NEW_DEFAULT:
    for (uint32_t k = 0; k < t->nfields; k++)
      if (!const_defaultable(t->types[k])) b->mismatch = true;
    break;
  case OP_ARRAY_NEW:
    const_pop(b, m, VT_I32);
    const_pop(b, m, const_unpacked(t->types[0]));
    break;
  case OP_ARRAY_NEW_DEFAULT:
    if (!const_defaultable(t->types[0])) b->mismatch = true;
    const_pop(b, m, VT_I32);
    break;
  default: /* array.new_fixed */
    for (uint64_t k = 0; k < c->value[0] && !b->mismatch; k++)
      const_pop(b, m, const_unpacked(t->types[0]));
    break;
  }
}

static bool const_allocates(uint16_t op) {
  return op == OP_STRUCT_NEW || op == OP_STRUCT_NEW_DEFAULT ||
         op == OP_ARRAY_NEW || op == OP_ARRAY_NEW_DEFAULT ||
         op == OP_ARRAY_NEW_FIXED;
}

/* The validation rule of one instruction: operators pop their operands'
 * types, everything pushes its type. A mismatch is recorded and reading
 * goes on, because "constant expression required" for a later
 * instruction takes precedence (the spec checks constness first). */
static void const_step(const_builder *b, const rt_module *m,
                       rt_const_op *c) {
  if (c->op == OP_REF_I31) {
    const_pop(b, m, VT_I32);
  } else if (c->op == OP_ANY_CONVERT_EXTERN ||
             c->op == OP_EXTERN_CONVERT_ANY) {
    bool to_any = c->op == OP_ANY_CONVERT_EXTERN;
    rt_valtype t = const_pop(b, m, to_any ? HT_EXTERN : HT_ANY);
    if (rt_is_reftype(t) && !rt_vt_nullable(t)) c->type |= VT_NONNULL;
  } else if (const_allocates(c->op)) {
    const_gc_operands(b, m, c);
  } else if (const_binop_type((jit_op)c->op)) {
    const_pop(b, m, c->type);
    const_pop(b, m, c->type);
  }
  b->stack[b->depth++] = c->type;
  if (b->depth > b->max_depth) b->max_depth = b->depth;
}

/* One instruction expressions stay inline; longer ones keep the program. */
static void const_finish(const_builder *b, rt_constexpr *out) {
  memset(out, 0, sizeof *out);
  out->type = b->stack[0];
  if (b->nops > 1 || const_allocates(b->ops[0].op)) {
    out->kind = RT_CONST_PROGRAM;
    out->nops = b->nops;
    out->max_depth = b->max_depth;
    out->ops = b->ops;
    b->ops = NULL;
    return;
  }
  const rt_const_op *c = &b->ops[0];
  out->kind = c->op == OP_REF_NULL     ? RT_CONST_NULL
              : c->op == OP_REF_FUNC   ? RT_CONST_FUNC
              : c->op == OP_GLOBAL_GET ? RT_CONST_GLOBAL
                                       : RT_CONST_VALUE;
  out->index = c->index;
  out->value[0] = c->value[0];
  out->value[1] = c->value[1];
}

/* The next opcode of a constant expression, OP_COUNT when it has none. */
static bool read_const_opcode(reader *r, jit_op *op) {
  uint8_t b;
  if (!read_byte(r, &b)) return false;
  uint32_t code = b;
  uint8_t prefix = 0;
  if (b == 0xFC || b == 0xFD || b == 0xFB) {
    prefix = b;
    if (!read_u32(r, &code)) return false;
  }
  *op = jit_op_lookup(prefix, code);
  return true;
}

static bool read_const_ops(reader *r, rt_valtype expected, const_builder *b,
                           rt_constexpr *out) {
  const uint8_t *start = r->p;
  for (;;) {
    const uint8_t *at = r->p;
    jit_op op;
    if (!read_const_opcode(r, &op)) return false;
    if (op == OP_END) break;
    /* Decoded before it is validated, as the spec's decoder does: an
     * opcode that is no instruction at all is malformed. */
    if (op == OP_COUNT) return fail(r, at, "illegal opcode");
    rt_const_op c;
    memset(&c, 0, sizeof c);
    if (!read_const_instr(r, op, at, &c) || !const_append(r, b, &c))
      return false;
    const_step(b, r->m, &b->ops[b->nops - 1]);
  }
  if (b->mismatch || b->depth != 1 || !rt_subtype(r->m, b->stack[0], expected))
    return fail(r, start, "type mismatch");
  const_finish(b, out);
  return true;
}

/* A constant expression producing `expected`, validated as the small stack
 * machine the spec describes. */
static bool read_const_expr(reader *r, rt_valtype expected,
                            rt_constexpr *out) {
  const_builder b;
  memset(&b, 0, sizeof b);
  bool ok = read_const_ops(r, expected, &b, out);
  free(b.ops);
  free(b.stack);
  return ok;
}

/* ---- sections ---------------------------------------------------------- */

/* count value types, their type indices below ntypes, into a fresh
 * array at *out (never NULL on success). */
static bool read_valtypes(reader *r, uint32_t ntypes, rt_valtype **out,
                          uint32_t *count) {
  *out = NULL;
  if (!read_count(r, count)) return false;
  *out = malloc(((size_t)*count + 1) * sizeof **out);
  if (!*out) return fail_oom(r);
  for (uint32_t i = 0; i < *count; i++)
    if (!read_valtype_below(r, ntypes, false, &(*out)[i])) return false;
  return true;
}

/* The forms of the type section (Wasm 3.0 with GC). */
enum {
  FORM_FUNC = 0x60,
  FORM_STRUCT = 0x5F,
  FORM_ARRAY = 0x5E,
  FORM_SUB = 0x50,
  FORM_SUB_FINAL = 0x4F,
  FORM_REC = 0x4E,
};

/* A function type's params and results, type indices below bound. */
static bool read_func_body(reader *r, uint32_t bound, rt_functype *t) {
  rt_valtype *params = NULL, *results = NULL;
  uint32_t nparams = 0, nresults = 0;
  bool ok = read_valtypes(r, bound, &params, &nparams) &&
            read_valtypes(r, bound, &results, &nresults);
  if (ok) {
    t->types = realloc(params, ((size_t)nparams + nresults + 1) *
                                   sizeof *params);
    ok = t->types != NULL;
    if (!ok) fail_oom(r);
  }
  if (!ok) {
    free(params);
    free(results);
    return false;
  }
  if (nresults)
    memcpy(t->types + nparams, results, nresults * sizeof *results);
  free(results);
  t->nparams = nparams;
  t->nresults = nresults;
  return true;
}

/* A field: a storage type (a value type, or i8 or i16) and mutability. */
static bool read_field(reader *r, uint32_t bound, rt_valtype *type,
                       bool *mut) {
  if (r->p < r->end && (*r->p == RT_PACKED_I8 || *r->p == RT_PACKED_I16))
    *type = *r->p++;
  else if (!read_valtype_below(r, bound, false, type))
    return false;
  const uint8_t *at = r->p;
  uint8_t m;
  if (!read_byte(r, &m)) return false;
  if (m > 1) return fail(r, at, "malformed mutability");
  *mut = m == 1;
  return true;
}

/* Struct fields (array: exactly one). */
static bool read_fields(reader *r, uint32_t bound, bool array,
                        rt_functype *t) {
  uint32_t n = 1;
  if (!array && !read_count(r, &n)) return false;
  t->types = malloc(((size_t)n + 1) * sizeof *t->types);
  t->mut = malloc(((size_t)n + 1) * sizeof *t->mut);
  if (!t->types || !t->mut) return fail_oom(r);
  t->nfields = n;
  for (uint32_t k = 0; k < n; k++)
    if (!read_field(r, bound, &t->types[k], &t->mut[k])) return false;
  return true;
}

/* A composite type: func, struct or array. */
static bool read_comptype(reader *r, uint32_t bound, rt_functype *t) {
  const uint8_t *at = r->p;
  uint8_t form;
  if (!read_byte(r, &form)) return false;
  /* The spec reads the form as an s7 LEB128: one that goes on is long. */
  if (form & 0x80) return fail(r, at, "integer representation too long");
  switch (form) {
  case FORM_FUNC:
    t->kind = RT_FUNC_TYPE;
    return read_func_body(r, bound, t);
  case FORM_STRUCT:
  case FORM_ARRAY:
    t->kind = form == FORM_STRUCT ? RT_STRUCT_TYPE : RT_ARRAY_TYPE;
    return read_fields(r, bound, form == FORM_ARRAY, t);
  default:
    return fail(r, at, "malformed function type");
  }
}

/* Type `self` of a recursion group ending before `bound`: its types may
 * name any type before bound, its supertype only one before self. */
static bool read_subtype(reader *r, uint32_t self, uint32_t bound,
                         rt_functype *t) {
  t->final = true;
  t->super = RT_NO_SUPER;
  if (r->p < r->end && (*r->p == FORM_SUB || *r->p == FORM_SUB_FINAL)) {
    t->final = *r->p++ == FORM_SUB_FINAL;
    const uint8_t *at = r->p;
    uint32_t n;
    if (!read_count(r, &n)) return false;
    if (n > 1) return fail(r, at, "too many supertypes");
    if (n == 1) {
      at = r->p;
      if (!read_u32(r, &t->super)) return false;
      if (t->super >= self) return fail(r, at, "unknown type %u", t->super);
    }
  }
  return read_comptype(r, bound, t);
}

/* t's key form for the intern table: references into the group
 * [first, first + n) by position, the others by their ids. */
static rt_valtype key_type(const rt_module *m, rt_valtype v, uint32_t first,
                           uint32_t n) {
  if (!rt_is_reftype(v) || rt_vt_heap_code(v) != HT_INDEX) return v;
  uint32_t i = rt_vt_index(v);
  if (i >= first && i < first + n)
    return (v & VT_NONNULL) | rt_heap_of_index(HT_REC, i - first);
  return rt_vt_canon(m, v);
}

/* The ids of group [first, first + n): iso-recursive identity, the group
 * interned as a whole (runtime/engine.c). */
static bool intern_group(reader *r, uint32_t first, uint32_t n) {
  rt_module *m = r->m;
  rt_functype *keys = calloc(n, sizeof *keys);
  if (!keys) return fail_oom(r);
  bool ok = true;
  for (uint32_t k = 0; k < n && ok; k++) {
    const rt_functype *t = &m->types[first + k];
    rt_functype *key = &keys[k];
    *key = *t;
    size_t count = (size_t)t->nparams + t->nresults + t->nfields;
    key->types = malloc((count + 1) * sizeof *key->types);
    if (!key->types) {
      ok = false;
      break;
    }
    for (size_t j = 0; j < count; j++)
      key->types[j] = key_type(m, t->types[j], first, n);
    if (t->super != RT_NO_SUPER)
      key->super = rt_vt_heap(key_type(
          m, rt_vt_ref(rt_heap_of_index(HT_INDEX, t->super), true), first, n));
  }
  uint32_t id = ok ? rt_engine_intern_group(keys, n) : 0;
  for (uint32_t k = 0; k < n; k++) free(keys[k].types);
  free(keys);
  if (!id) return fail_oom(r);
  for (uint32_t k = 0; k < n; k++) m->types[first + k].id = id + k;
  return true;
}

/* Storage types: a packed field matches only itself. */
static bool storage_subtype(const rt_module *m, rt_valtype a, rt_valtype b) {
  if (a == RT_PACKED_I8 || a == RT_PACKED_I16 || b == RT_PACKED_I8 ||
      b == RT_PACKED_I16)
    return a == b;
  return rt_subtype(m, a, b);
}

/* A field of a subtype may narrow an immutable field's type; a mutable
 * one must stay equal. */
static bool field_matches(const rt_module *m, rt_valtype a, bool amut,
                          rt_valtype b, bool bmut) {
  if (amut != bmut) return false;
  return amut ? storage_subtype(m, a, b) && storage_subtype(m, b, a)
              : storage_subtype(m, a, b);
}

/* Does type t match the composite type of its declared supertype s? */
static bool matches_super(const rt_module *m, const rt_functype *t,
                          const rt_functype *s) {
  if (t->kind != s->kind) return false;
  if (t->kind == RT_FUNC_TYPE) {
    if (t->nparams != s->nparams || t->nresults != s->nresults) return false;
    for (uint32_t k = 0; k < t->nparams; k++) /* contravariant */
      if (!rt_subtype(m, rt_param(s, k), rt_param(t, k))) return false;
    for (uint32_t k = 0; k < t->nresults; k++) /* covariant */
      if (!rt_subtype(m, rt_result(t, k), rt_result(s, k))) return false;
    return true;
  }
  if (t->nfields < s->nfields) return false; /* a struct may add fields */
  for (uint32_t k = 0; k < s->nfields; k++)
    if (!field_matches(m, t->types[k], t->mut[k], s->types[k], s->mut[k]))
      return false;
  return true;
}

/* Each declared supertype is not final and t matches it. */
static bool check_supertypes(reader *r, uint32_t first, uint32_t n) {
  const rt_module *m = r->m;
  for (uint32_t i = first; i < first + n; i++) {
    const rt_functype *t = &m->types[i];
    if (t->super == RT_NO_SUPER) continue;
    const rt_functype *s = &m->types[t->super];
    if (s->final || !matches_super(m, t, s))
      return fail(r, NULL, "sub type %u does not match super type %u", i,
                  t->super);
  }
  return true;
}

/* One entry of the type section: a recursion group (rec) or a single
 * subtype, its own group. */
static bool read_rec_group(reader *r) {
  rt_module *m = r->m;
  uint32_t n = 1;
  if (r->p < r->end && *r->p == FORM_REC) {
    r->p++;
    if (!read_count(r, &n)) return false;
  }
  uint32_t first = m->ntypes;
  if ((uint64_t)first + n > RT_MAX_TYPES)
    return fail(r, r->p, "too many types");
  if (!grow(r, (void **)&m->types, first, n, sizeof *m->types)) return false;
  for (uint32_t k = 0; k < n; k++) {
    rt_functype *t = &m->types[first + k];
    t->rec_start = first;
    t->rec_size = n;
    m->ntypes = first + k + 1; /* so that free sees the partly read type */
    if (!read_subtype(r, first + k, first + n, t)) return false;
  }
  return intern_group(r, first, n) && check_supertypes(r, first, n);
}

static bool read_type_section(reader *r) {
  rt_module *m = r->m;
  uint32_t n;
  if (!read_count(r, &n)) return false;
  for (uint32_t i = 0; i < n; i++)
    if (!read_rec_group(r)) return false;
  m->ref_types = malloc((2 * (size_t)m->ntypes + 1) * sizeof *m->ref_types);
  if (!m->ref_types) return fail_oom(r);
  for (uint32_t i = 0; i < m->ntypes; i++) {
    m->ref_types[2 * i] = rt_vt_ref(rt_heap_of_index(HT_INDEX, i), true);
    m->ref_types[2 * i + 1] = rt_vt_ref(rt_heap_of_index(HT_INDEX, i), false);
  }
  return true;
}

/* Type index t, read at `at`, names a function type. */
static bool check_func_type(reader *r, const uint8_t *at, uint32_t t) {
  if (t >= r->m->ntypes) return fail(r, at, "unknown type %u", t);
  if (r->m->types[t].kind != RT_FUNC_TYPE)
    return fail(r, at, "non-function type %u", t);
  return true;
}

/* A tag type: attribute 0 (an exception), then a function type index
 * whose results are empty (the params are the payload). */
static bool read_tagtype(reader *r, uint32_t *type_index) {
  const uint8_t *at = r->p;
  uint8_t attribute;
  if (!read_byte(r, &attribute)) return false;
  if (attribute != 0) return fail(r, at, "malformed tag attribute");
  at = r->p;
  if (!read_u32(r, type_index)) return false;
  if (!check_func_type(r, at, *type_index)) return false;
  if (r->m->types[*type_index].nresults != 0)
    return fail(r, at, "non-empty tag result type");
  return true;
}

static bool read_import_desc(reader *r, rt_import *imp) {
  const uint8_t *at = r->p;
  if (!read_byte(r, &imp->kind)) return false;
  switch (imp->kind) {
  case WRUN_EXTERN_FUNC: {
    const uint8_t *idx_at = r->p;
    if (!read_u32(r, &imp->desc.type_index)) return false;
    return check_func_type(r, idx_at, imp->desc.type_index);
  }
  case WRUN_EXTERN_TABLE:
    return read_tabletype(r, &imp->desc.table);
  case WRUN_EXTERN_MEMORY:
    return read_memtype(r, &imp->desc.memory);
  case WRUN_EXTERN_GLOBAL:
    return read_globaltype(r, &imp->desc.global);
  case WRUN_EXTERN_TAG:
    return read_tagtype(r, &imp->desc.tag_type);
  default:
    return fail(r, at, "malformed import kind");
  }
}

/* Once all imports are known, the index spaces start with them. */
static bool index_spaces_from_imports(reader *r) {
  rt_module *m = r->m;
  uint32_t counts[5] = {0, 0, 0, 0, 0};
  for (uint32_t i = 0; i < m->nimports; i++) counts[m->imports[i].kind]++;
  if (!grow(r, (void **)&m->funcs, 0, counts[0], sizeof *m->funcs) ||
      !grow(r, (void **)&m->tables, 0, counts[1], sizeof *m->tables) ||
      !grow(r, (void **)&m->memories, 0, counts[2], sizeof *m->memories) ||
      !grow(r, (void **)&m->globals, 0, counts[3], sizeof *m->globals) ||
      !grow(r, (void **)&m->tags, 0, counts[4], sizeof *m->tags))
    return false;
  for (uint32_t i = 0; i < m->nimports; i++) {
    const rt_import *imp = &m->imports[i];
    switch (imp->kind) {
    case WRUN_EXTERN_FUNC:
      m->funcs[m->nfuncs++].type_index = imp->desc.type_index;
      break;
    case WRUN_EXTERN_TABLE:
      m->tables[m->ntables++] = imp->desc.table;
      break;
    case WRUN_EXTERN_MEMORY:
      m->memories[m->nmemories++] = imp->desc.memory;
      break;
    case WRUN_EXTERN_GLOBAL:
      m->globals[m->nglobals++].type = imp->desc.global;
      break;
    case WRUN_EXTERN_TAG:
      m->tags[m->ntags++] = imp->desc.tag_type;
      break;
    }
  }
  m->nimported_funcs = m->nfuncs;
  m->nimported_tables = m->ntables;
  m->nimported_memories = m->nmemories;
  m->nimported_globals = m->nglobals;
  m->nimported_tags = m->ntags;
  return true;
}

static bool read_import_section(reader *r) {
  rt_module *m = r->m;
  uint32_t n;
  if (!read_count(r, &n)) return false;
  m->imports = calloc(n ? n : 1, sizeof *m->imports);
  if (!m->imports) return fail_oom(r);
  for (uint32_t i = 0; i < n; i++) {
    rt_import *imp = &m->imports[i];
    m->nimports = i + 1;
    if (!read_name_copy(r, &imp->module, &imp->module_len) ||
        !read_name_copy(r, &imp->name, &imp->name_len))
      return false;
    if (!read_import_desc(r, imp)) return false;
  }
  return index_spaces_from_imports(r);
}

static bool read_function_section(reader *r) {
  rt_module *m = r->m;
  uint32_t n;
  if (!read_count(r, &n)) return false;
  uint32_t first = m->nfuncs;
  if (!grow(r, (void **)&m->funcs, first, n, sizeof *m->funcs)) return false;
  m->nfuncs = first + n;
  for (uint32_t i = 0; i < n; i++) {
    const uint8_t *at = r->p;
    uint32_t t;
    if (!read_u32(r, &t)) return false;
    if (!check_func_type(r, at, t)) return false;
    m->funcs[first + i].type_index = t;
  }
  r->seen_function_section = true;
  r->ndefined_funcs = n;
  return true;
}

/* A defined table: its type, then (Wasm 3.0, after the bytes 0x40 0x00)
 * an initializer expression, which a table of non-null references needs. */
static bool read_table(reader *r, rt_tabletype *t, rt_constexpr *init) {
  const uint8_t *at = r->p;
  bool has_init = r->p + 1 < r->end && r->p[0] == 0x40 && r->p[1] == 0x00;
  if (has_init) r->p += 2;
  if (!read_tabletype(r, t)) return false;
  if (has_init) return read_const_expr(r, t->elem, init);
  if (!rt_vt_nullable(t->elem)) return fail(r, at, "type mismatch");
  memset(init, 0, sizeof *init);
  init->kind = RT_CONST_NULL;
  init->type = t->elem;
  return true;
}

static bool read_table_section(reader *r) {
  rt_module *m = r->m;
  uint32_t n;
  if (!read_count(r, &n)) return false;
  uint32_t first = m->ntables;
  if (!grow(r, (void **)&m->tables, first, n, sizeof *m->tables))
    return false;
  m->table_inits = calloc(n ? n : 1, sizeof *m->table_inits);
  if (!m->table_inits) return fail_oom(r);
  for (uint32_t i = 0; i < n; i++) {
    if (!read_table(r, &m->tables[first + i], &m->table_inits[i]))
      return false;
    m->ntables = first + i + 1;
  }
  return true;
}

static bool read_memory_section(reader *r) {
  rt_module *m = r->m;
  uint32_t n;
  if (!read_count(r, &n)) return false;
  /* Any number of memories (Wasm 3.0); the store limits how many exist. */
  uint32_t first = m->nmemories;
  if (!grow(r, (void **)&m->memories, first, n, sizeof *m->memories))
    return false;
  for (uint32_t i = 0; i < n; i++) {
    if (!read_memtype(r, &m->memories[first + i])) return false;
    m->nmemories = first + i + 1;
  }
  return true;
}

static bool read_tag_section(reader *r) {
  rt_module *m = r->m;
  uint32_t n;
  if (!read_count(r, &n)) return false;
  uint32_t first = m->ntags;
  if (!grow(r, (void **)&m->tags, first, n, sizeof *m->tags)) return false;
  for (uint32_t i = 0; i < n; i++) {
    if (!read_tagtype(r, &m->tags[first + i])) return false;
    m->ntags = first + i + 1;
  }
  return true;
}

static bool read_global_section(reader *r) {
  rt_module *m = r->m;
  uint32_t n;
  if (!read_count(r, &n)) return false;
  uint32_t first = m->nglobals;
  if (!grow(r, (void **)&m->globals, first, n, sizeof *m->globals))
    return false;
  for (uint32_t i = 0; i < n; i++) {
    rt_global *g = &m->globals[first + i];
    if (!read_globaltype(r, &g->type)) return false;
    if (!read_const_expr(r, g->type.type, &g->init)) return false;
    m->nglobals = first + i + 1;
  }
  return true;
}

static bool check_export_index(reader *r, const uint8_t *at,
                               const rt_export *e) {
  const rt_module *m = r->m;
  switch (e->kind) {
  case WRUN_EXTERN_FUNC:
    if (!check_func_index(r, at, e->index)) return false;
    return mark_func_declared(r, e->index);
  case WRUN_EXTERN_TABLE:
    if (e->index >= m->ntables)
      return fail(r, at, "unknown table %u", e->index);
    return true;
  case WRUN_EXTERN_MEMORY:
    if (e->index >= m->nmemories)
      return fail(r, at, "unknown memory %u", e->index);
    return true;
  case WRUN_EXTERN_GLOBAL:
    if (e->index >= m->nglobals)
      return fail(r, at, "unknown global %u", e->index);
    return true;
  case WRUN_EXTERN_TAG:
    if (e->index >= m->ntags) return fail(r, at, "unknown tag %u", e->index);
    return true;
  default:
    return fail(r, at, "malformed export kind");
  }
}

/* An export name as found in the binary, for the duplicate check (names may
 * contain U+0000, so the NUL-terminated copies are not enough). */
typedef struct name_ref {
  const uint8_t *bytes;
  uint32_t len;
} name_ref;

static int compare_names(const void *a, const void *b) {
  const name_ref *x = a, *y = b;
  uint32_t n = x->len < y->len ? x->len : y->len;
  int c = n ? memcmp(x->bytes, y->bytes, n) : 0;
  if (c) return c;
  return (x->len > y->len) - (x->len < y->len);
}

/* Sort and compare neighbours: O(n log n) even for huge export sections. */
static bool check_unique_names(reader *r, name_ref *names, uint32_t n) {
  qsort(names, n, sizeof *names, compare_names);
  for (uint32_t i = 1; i < n; i++)
    if (compare_names(&names[i - 1], &names[i]) == 0)
      return fail(r, names[i].bytes, "duplicate export name");
  return true;
}

static bool read_exports(reader *r, name_ref *names, uint32_t n) {
  rt_module *m = r->m;
  for (uint32_t i = 0; i < n; i++) {
    rt_export *e = &m->exports[i];
    m->nexports = i + 1;
    if (!read_name(r, &names[i].bytes, &names[i].len)) return false;
    e->name = copy_name(names[i].bytes, names[i].len);
    e->name_len = names[i].len;
    if (!e->name) return fail_oom(r);
    const uint8_t *at = r->p;
    if (!read_byte(r, &e->kind)) return false;
    if (e->kind > WRUN_EXTERN_TAG) return fail(r, at, "malformed export kind");
    at = r->p;
    if (!read_u32(r, &e->index)) return false;
    if (!check_export_index(r, at, e)) return false;
  }
  return check_unique_names(r, names, n);
}

static bool read_export_section(reader *r) {
  rt_module *m = r->m;
  uint32_t n;
  if (!read_count(r, &n)) return false;
  m->exports = calloc(n ? n : 1, sizeof *m->exports);
  name_ref *names = malloc((n ? n : 1) * sizeof *names);
  if (!m->exports || !names) {
    free(names);
    return fail_oom(r);
  }
  bool ok = read_exports(r, names, n);
  free(names);
  return ok;
}

static bool read_start_section(reader *r) {
  rt_module *m = r->m;
  const uint8_t *at = r->p;
  if (!read_u32(r, &m->start)) return false;
  if (!check_func_index(r, at, m->start)) return false;
  const rt_functype *t = rt_func_type(m, m->start);
  if (t->nparams != 0 || t->nresults != 0)
    return fail(r, at, "start function");
  m->has_start = true;
  return true;
}

/* Element segment flags (bit 0: passive or declarative, bit 1: explicit
 * table index or declarative, bit 2: items are expressions). */
enum {
  ELEM_NOT_ACTIVE = 1,
  ELEM_EXPLICIT_TABLE = 2, /* with ELEM_NOT_ACTIVE: declarative */
  ELEM_EXPRESSIONS = 4,
};

static bool read_elem_items(reader *r, rt_elem *seg, bool expressions) {
  uint32_t n;
  if (!read_count(r, &n)) return false;
  seg->items = calloc(n ? n : 1, sizeof *seg->items);
  if (!seg->items) return fail_oom(r);
  seg->count = n;
  for (uint32_t i = 0; i < n; i++) {
    rt_constexpr *item = &seg->items[i];
    if (expressions) {
      if (!read_const_expr(r, seg->elem_type, item)) return false;
      continue;
    }
    const uint8_t *at = r->p;
    if (!read_u32(r, &item->index)) return false;
    if (!check_func_index(r, at, item->index)) return false;
    item->kind = RT_CONST_FUNC;
    item->type = VT_FUNCREF;
    if (!mark_func_declared(r, item->index)) return false;
  }
  return true;
}

/* The element type of a segment: elemkind 0x00 ((ref func)) for the
 * function index forms, a reference type for the expression forms. */
static bool read_elem_type(reader *r, bool expressions, rt_valtype *out) {
  if (expressions) return read_reftype(r, out);
  const uint8_t *at = r->p;
  uint8_t kind;
  if (!read_byte(r, &kind)) return false;
  if (kind != 0x00) return fail(r, at, "malformed element kind");
  *out = VT_FUNCREF | VT_NONNULL; /* function indices: (ref func) */
  return true;
}

static bool read_elem(reader *r, rt_elem *seg) {
  rt_module *m = r->m;
  const uint8_t *at = r->p;
  uint32_t flags;
  if (!read_u32(r, &flags)) return false;
  if (flags > 7) return fail(r, at, "malformed elements segment kind");
  bool expressions = flags & ELEM_EXPRESSIONS;
  /* without an explicit type: funcref, or (ref func) for function
   * indices, which cannot be null */
  seg->elem_type = expressions ? VT_FUNCREF : VT_FUNCREF | VT_NONNULL;
  if (flags & ELEM_NOT_ACTIVE) {
    seg->mode = (flags & ELEM_EXPLICIT_TABLE) ? RT_SEG_DECLARATIVE
                                              : RT_SEG_PASSIVE;
    if (!read_elem_type(r, expressions, &seg->elem_type)) return false;
    return read_elem_items(r, seg, expressions);
  }
  seg->mode = RT_SEG_ACTIVE;
  seg->table = 0;
  const uint8_t *table_at = r->p;
  if ((flags & ELEM_EXPLICIT_TABLE) && !read_u32(r, &seg->table)) return false;
  if (seg->table >= m->ntables)
    return fail(r, table_at, "unknown table %u", seg->table);
  /* a table64's offset is an i64 */
  rt_valtype type = m->tables[seg->table].limits.is64 ? VT_I64 : VT_I32;
  if (!read_const_expr(r, type, &seg->offset)) return false;
  if ((flags & ELEM_EXPLICIT_TABLE) &&
      !read_elem_type(r, expressions, &seg->elem_type))
    return false;
  if (!rt_subtype(m, seg->elem_type, m->tables[seg->table].elem))
    return fail(r, table_at, "type mismatch");
  return read_elem_items(r, seg, expressions);
}

static bool read_element_section(reader *r) {
  rt_module *m = r->m;
  uint32_t n;
  if (!read_count(r, &n)) return false;
  m->elems = calloc(n ? n : 1, sizeof *m->elems);
  if (!m->elems) return fail_oom(r);
  for (uint32_t i = 0; i < n; i++) {
    m->nelems = i + 1;
    if (!read_elem(r, &m->elems[i])) return false;
  }
  return true;
}

static bool read_data_count_section(reader *r) {
  rt_module *m = r->m;
  if (!read_u32(r, &m->data_count)) return false;
  m->has_data_count = true;
  return true;
}

/* Each entry: u32 size, then the body (locals and code, ending with end).
 * Bodies are decoded by the compiler; here we only frame them. */
static bool read_code_section(reader *r) {
  rt_module *m = r->m;
  const uint8_t *at = r->p;
  uint32_t n;
  if (!read_count(r, &n)) return false;
  /* A count other than the function section's is reported once the whole
   * module is read (check_counts), as the spec does: what comes after may
   * be malformed first. */
  r->code_count_at = at;
  r->code_count_mismatch = n != r->ndefined_funcs;
  m->code_section_offset = (uint32_t)offset_of(r, at);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t size;
    const uint8_t *body;
    if (!read_len(r, &size)) return false;
    if (size > bytes_left(r)) {
      r->p = r->end;
      return fail_eof(r);
    }
    if (!read_raw(r, size, &body)) return false;
    if (i >= r->ndefined_funcs) continue; /* a body of no function */
    rt_func *f = &m->funcs[m->nimported_funcs + i];
    f->body_offset = (uint32_t)offset_of(r, body);
    f->body_len = size;
    /* A body always ends with end: an entry without it is malformed, how
     * depends on the bytes after it, which the spec's decoder reads on. */
    if (size == 0 || body[size - 1] != BYTE_END) {
      wrun_error *e = jit_decode_body_as_spec(m, m->nimported_funcs + i);
      if (e && !r->err) r->err = e;
      else wrun_error_delete(e);
      return fail(r, body + size, "unexpected end of section or function");
    }
  }
  r->seen_code_section = true;
  return true;
}

static bool read_data(reader *r, rt_data *seg) {
  rt_module *m = r->m;
  const uint8_t *at = r->p;
  uint32_t flags;
  if (!read_u32(r, &flags)) return false;
  if (flags > 2) return fail(r, at, "malformed data segment kind");
  seg->mode = flags == 1 ? RT_SEG_PASSIVE : RT_SEG_ACTIVE;
  seg->memory = 0;
  if (seg->mode == RT_SEG_ACTIVE) {
    const uint8_t *mem_at = r->p;
    if (flags == 2 && !read_u32(r, &seg->memory)) return false;
    if (seg->memory >= m->nmemories)
      return fail(r, mem_at, "unknown memory %u", seg->memory);
    /* a memory64's offset is an i64 */
    rt_valtype type = m->memories[seg->memory].is64 ? VT_I64 : VT_I32;
    if (!read_const_expr(r, type, &seg->offset)) return false;
  }
  uint32_t len;
  if (!read_u32(r, &len)) return false;
  if (!read_raw(r, len, &seg->bytes)) return false;
  seg->len = len;
  return true;
}

static bool read_data_section(reader *r) {
  rt_module *m = r->m;
  const uint8_t *at = r->p;
  uint32_t n;
  if (!read_count(r, &n)) return false;
  if (m->has_data_count && n != m->data_count)
    return fail(r, at,
                "data count and data section have inconsistent lengths");
  m->datas = calloc(n ? n : 1, sizeof *m->datas);
  if (!m->datas) return fail_oom(r);
  for (uint32_t i = 0; i < n; i++) {
    m->ndatas = i + 1;
    if (!read_data(r, &m->datas[i])) return false;
  }
  r->seen_data_section = true;
  return true;
}

/* A custom section: a valid UTF-8 name, then anything. Only "name" is
 * looked at, later; every one is listed for the host. */
static bool read_custom_section(reader *r) {
  const uint8_t *name;
  uint32_t len;
  if (!read_name(r, &name, &len)) return false;
  rt_module *m = r->m;
  if (m->ncustoms == m->cap_customs) {
    uint32_t cap = m->cap_customs ? 2 * m->cap_customs : 4;
    rt_custom_section *c = realloc(m->customs, cap * sizeof *c);
    if (!c) return fail_oom(r);
    m->customs = c;
    m->cap_customs = cap;
  }
  m->customs[m->ncustoms++] = (rt_custom_section){
      name, len, r->p, (size_t)(r->end - r->p)};
  if (len == 4 && memcmp(name, "name", 4) == 0 && !r->names) {
    r->names = r->p;
    r->names_end = r->end;
  }
  r->p = r->end;
  return true;
}

static bool read_section(reader *r, uint8_t id) {
  switch (id) {
  case SEC_CUSTOM: return read_custom_section(r);
  case SEC_TYPE: return read_type_section(r);
  case SEC_IMPORT: return read_import_section(r);
  case SEC_FUNCTION: return read_function_section(r);
  case SEC_TABLE: return read_table_section(r);
  case SEC_MEMORY: return read_memory_section(r);
  case SEC_GLOBAL: return read_global_section(r);
  case SEC_EXPORT: return read_export_section(r);
  case SEC_START: return read_start_section(r);
  case SEC_ELEMENT: return read_element_section(r);
  case SEC_CODE: return read_code_section(r);
  case SEC_DATA: return read_data_section(r);
  case SEC_DATA_COUNT: return read_data_count_section(r);
  case SEC_TAG: return read_tag_section(r);
  default: return false;
  }
}

/* Position of a known section in the required order (data count sits
 * between element and code); custom sections have no position. */
static unsigned section_rank(uint8_t id) {
  static const unsigned rank[] = {
      [SEC_TYPE] = 1,     [SEC_IMPORT] = 2, [SEC_FUNCTION] = 3,
      [SEC_TABLE] = 4,    [SEC_MEMORY] = 5, [SEC_TAG] = 6,
      [SEC_GLOBAL] = 7,   [SEC_EXPORT] = 8, [SEC_START] = 9,
      [SEC_ELEMENT] = 10, [SEC_DATA_COUNT] = 11, [SEC_CODE] = 12,
      [SEC_DATA] = 13,
  };
  return rank[id];
}

/* ---- the name section (never an error) -------------------------------- */

/* A name inside the name section; false (quietly) when malformed. */
static bool name_entry(const uint8_t **p, const uint8_t *end, char **out) {
  uint64_t len;
  if (rt_read_uleb(p, end, 32, &len) != RT_LEB_OK) return false;
  if (len > (uint64_t)(end - *p) || !utf8_valid(*p, (size_t)len)) return false;
  *out = copy_name(*p, (uint32_t)len);
  *p += len;
  return *out != NULL;
}

static void read_function_names(rt_module *m, const uint8_t *p,
                                const uint8_t *end) {
  uint64_t n;
  if (rt_read_uleb(&p, end, 32, &n) != RT_LEB_OK) return;
  for (uint64_t i = 0; i < n; i++) {
    uint64_t f;
    char *name;
    if (rt_read_uleb(&p, end, 32, &f) != RT_LEB_OK) return;
    if (!name_entry(&p, end, &name)) return;
    if (f < m->nfuncs && !m->func_names[f])
      m->func_names[f] = name;
    else
      free(name);
  }
}

/* Subsections: id byte, u32 size, contents. 0 is the module name, 1 the
 * function names; the rest (locals, labels, ...) we do not use. */
static void read_name_section(rt_module *m, const uint8_t *p,
                              const uint8_t *end) {
  while (p < end) {
    uint8_t id = *p++;
    uint64_t size;
    if (rt_read_uleb(&p, end, 32, &size) != RT_LEB_OK) return;
    if (size > (uint64_t)(end - p)) return;
    const uint8_t *sub = p, *sub_end = p + size;
    p = sub_end;
    if (id == 0 && !m->module_name) {
      char *name;
      if (name_entry(&sub, sub_end, &name)) m->module_name = name;
    } else if (id == 1) {
      read_function_names(m, sub, sub_end);
    }
  }
}

/* ---- module ------------------------------------------------------------ */

static bool read_header(reader *r) {
  static const uint8_t magic[4] = {0x00, 0x61, 0x73, 0x6D};
  static const uint8_t version[4] = {0x01, 0x00, 0x00, 0x00};
  if (bytes_left(r) < 4) return fail(r, r->end, "unexpected end");
  if (memcmp(r->p, magic, 4) != 0)
    return fail(r, r->p, "magic header not detected");
  r->p += 4;
  if (bytes_left(r) < 4) return fail(r, r->end, "unexpected end");
  if (memcmp(r->p, version, 4) != 0)
    return fail(r, r->p, "unknown binary version");
  r->p += 4;
  return true;
}

static bool read_sections(reader *r) {
  unsigned last_rank = 0;
  while (r->p < r->file_end) {
    const uint8_t *at = r->p;
    uint8_t id = *r->p++;
    if (id > SEC_TAG) return fail(r, at, "malformed section id");
    uint32_t size;
    const uint8_t *size_at = r->p;
    if (!read_u32(r, &size)) return false;
    if (size > bytes_left(r)) return fail(r, size_at, "length out of bounds");
    if (id != SEC_CUSTOM) {
      unsigned rank = section_rank(id);
      if (rank <= last_rank)
        return fail(r, at,
                    "unexpected content after last section (section %u "
                    "repeated or out of order)",
                    id);
      last_rank = rank;
    }
    r->end = r->p + size;
    r->in_section = true;
    if (!read_section(r, id)) return false;
    if (r->p != r->end) return fail(r, r->p, "section size mismatch");
    r->end = r->file_end;
    r->in_section = false;
  }
  return true;
}

/* Cross-section rules that can only be checked at the end. */
static bool check_counts(reader *r) {
  rt_module *m = r->m;
  if (r->code_count_mismatch)
    return fail(r, r->code_count_at,
                "function and code section have inconsistent lengths");
  if (!r->seen_code_section && r->ndefined_funcs != 0)
    return fail(r, r->file_end,
                "function and code section have inconsistent lengths");
  if (m->has_data_count && !r->seen_data_section && m->data_count != 0)
    return fail(r, r->file_end,
                "data count and data section have inconsistent lengths");
  return true;
}

/* Arrays the rest of the runtime indexes without checking for NULL. */
static bool finish_module(reader *r) {
  rt_module *m = r->m;
  size_t n = m->nfuncs ? m->nfuncs : 1;
  if (!m->func_declared && !(m->func_declared = calloc(n, sizeof(bool))))
    return fail_oom(r);
  if (!(m->func_names = calloc(n, sizeof(char *)))) return fail_oom(r);
  if (r->names) read_name_section(m, r->names, r->names_end);
  return true;
}

wrun_error *rt_module_read(const uint8_t *bytes, size_t len,
                           rt_module **out) {
  *out = NULL;
  if (!bytes && len) return rt_error_new(RT_NO_OFFSET, "no module bytes");
  rt_module *m = calloc(1, sizeof *m);
  if (!m) return rt_error_new(RT_NO_OFFSET, "out of memory");
  m->bytes = malloc(len ? len : 1);
  if (!m->bytes) {
    free(m);
    return rt_error_new(RT_NO_OFFSET, "out of memory");
  }
  if (len) memcpy(m->bytes, bytes, len);
  m->len = len;

  reader r;
  memset(&r, 0, sizeof r);
  r.base = r.p = m->bytes;
  r.end = r.file_end = m->bytes + len;
  r.m = m;
  if (read_header(&r) && read_sections(&r) && check_counts(&r))
    finish_module(&r);
  if (r.err) {
    rt_module_free(m);
    return r.err;
  }
  *out = m;
  return NULL;
}

void rt_module_free(rt_module *m) {
  if (!m) return;
  rt_line_table_free(m->lines);
  for (uint32_t i = 0; i < m->ntypes; i++) {
    free(m->types[i].types);
    free(m->types[i].mut);
  }
  free(m->types);
  for (uint32_t i = 0; i < m->nimports; i++) {
    free(m->imports[i].module);
    free(m->imports[i].name);
  }
  free(m->imports);
  free(m->customs);
  free(m->funcs);
  if (m->table_inits)
    for (uint32_t i = m->nimported_tables; i < m->ntables; i++)
      free(m->table_inits[i - m->nimported_tables].ops);
  free(m->table_inits);
  free(m->ref_types);
  free(m->tables);
  free(m->memories);
  for (uint32_t i = 0; i < m->nglobals; i++) free(m->globals[i].init.ops);
  free(m->globals);
  free(m->tags);
  for (uint32_t i = 0; i < m->nexports; i++) free(m->exports[i].name);
  free(m->exports);
  for (uint32_t i = 0; i < m->nelems; i++) {
    rt_elem *seg = &m->elems[i];
    free(seg->offset.ops);
    for (uint32_t k = 0; seg->items && k < seg->count; k++)
      free(seg->items[k].ops);
    free(seg->items);
  }
  free(m->elems);
  for (uint32_t i = 0; i < m->ndatas; i++) free(m->datas[i].offset.ops);
  free(m->datas);
  free(m->func_declared);
  if (m->func_names)
    for (uint32_t i = 0; i < m->nfuncs; i++) free(m->func_names[i]);
  free(m->func_names);
  free(m->module_name);
  free(m->bytes);
  free(m);
}
