/* Value types: decoding them (shared by the module reader and the body
 * decoder), subtyping, and the module-independent form that crosses
 * instances (runtime/module.h gives the packing).
 *
 * Subtyping is Wasm 3.0's over the abstract heap types
 *   any > eq > {i31, struct, array} > none,  func > nofunc,
 *   extern > noextern,  exn > noexn,
 * with every concrete function type between func and nofunc, struct and
 * array types between struct/array and none. Concrete types are equal
 * when their engine-wide interned ids are, and one is below another when
 * it declares it among its supertypes (rt_type_id_subtype). */
#include "module.h"

#include "leb128.h"
#include "runtime.h"

/* The heap type's byte is one of the abstract codes. */
static bool is_abstract_heap(uint8_t b) {
  return b >= HT_EXN && b <= HT_NOEXN;
}

rt_valtype_status rt_decode_heaptype(const uint8_t **p, const uint8_t *end,
                                     uint32_t ntypes, uint32_t *heap,
                                     uint32_t *index) {
  if (*p >= end) return RT_VT_EOF;
  uint8_t b = **p;
  if (is_abstract_heap(b)) {
    (*p)++;
    *heap = b;
    return RT_VT_OK;
  }
  int64_t v = 0;
  rt_leb_status s = rt_read_sleb(p, end, 33, &v);
  if (s == RT_LEB_EOF) return RT_VT_EOF;
  if (s != RT_LEB_OK || v < 0) return RT_VT_MALFORMED;
  *index = (uint32_t)v;
  if ((uint64_t)v >= ntypes) return RT_VT_UNKNOWN_TYPE;
  *heap = rt_heap_of_index(HT_INDEX, (uint32_t)v);
  return RT_VT_OK;
}

rt_valtype_status rt_decode_valtype(const uint8_t **p, const uint8_t *end,
                                    uint32_t ntypes, bool ref_only,
                                    rt_valtype *out, uint32_t *index) {
  if (*p >= end) return RT_VT_EOF;
  uint8_t b = **p;
  if (b >= VT_V128 && b <= VT_I32 && !ref_only) {
    (*p)++;
    *out = b;
    return RT_VT_OK;
  }
  if (is_abstract_heap(b)) { /* shorthand: (ref null ht) */
    (*p)++;
    *out = b;
    return RT_VT_OK;
  }
  if (b != 0x63 && b != 0x64) return RT_VT_MALFORMED;
  (*p)++;
  uint32_t heap = 0;
  rt_valtype_status s = rt_decode_heaptype(p, end, ntypes, &heap, index);
  if (s != RT_VT_OK) return s;
  *out = rt_vt_ref(heap, b == 0x63);
  return RT_VT_OK;
}

/* ---- subtyping ------------------------------------------------------------ */

/* The engine-wide id of a concrete heap type. */
static uint32_t canon_id(const rt_module *m, uint32_t heap) {
  if (rt_vt_heap_code(heap) == HT_CANON) return rt_vt_index(heap);
  uint32_t i = rt_vt_index(heap);
  return m && i < m->ntypes ? m->types[i].id : 0;
}

static bool is_concrete_heap(uint32_t heap) {
  uint32_t c = rt_vt_heap_code(heap);
  return c == HT_INDEX || c == HT_CANON;
}

/* The kind of a concrete heap type (rt_type_kind). */
static uint8_t concrete_kind(const rt_module *m, uint32_t heap) {
  if (rt_vt_heap_code(heap) == HT_INDEX) {
    uint32_t i = rt_vt_index(heap);
    return m && i < m->ntypes ? m->types[i].kind : RT_FUNC_TYPE;
  }
  const rt_functype *t = rt_type_by_id(rt_vt_index(heap));
  return t ? t->kind : RT_FUNC_TYPE;
}

/* The abstract heap type right above the concrete types of a kind. */
static uint32_t kind_top(uint8_t kind) {
  return kind == RT_FUNC_TYPE ? HT_FUNC
         : kind == RT_STRUCT_TYPE ? HT_STRUCT
                                  : HT_ARRAY;
}

bool rt_heap_subtype(const rt_module *m, uint32_t a, uint32_t b) {
  if (a == b) return true;
  uint32_t ca = rt_vt_heap_code(a), cb = rt_vt_heap_code(b);
  if (is_concrete_heap(a)) {
    if (is_concrete_heap(b)) {
      uint32_t ia = canon_id(m, a), ib = canon_id(m, b);
      return ia != 0 && ib != 0 && rt_type_id_subtype(ia, ib);
    }
    uint32_t top = kind_top(concrete_kind(m, a));
    if (cb == top) return true;
    return top != HT_FUNC && (cb == HT_EQ || cb == HT_ANY);
  }
  switch (ca) {
  case HT_NONE:
    if (is_concrete_heap(b)) return concrete_kind(m, b) != RT_FUNC_TYPE;
    return cb == HT_ANY || cb == HT_EQ || cb == HT_I31 || cb == HT_STRUCT ||
           cb == HT_ARRAY;
  case HT_NOFUNC:
    if (is_concrete_heap(b)) return concrete_kind(m, b) == RT_FUNC_TYPE;
    return cb == HT_FUNC;
  case HT_NOEXTERN: return cb == HT_EXTERN;
  case HT_NOEXN: return cb == HT_EXN;
  case HT_I31: case HT_STRUCT: case HT_ARRAY:
    return cb == HT_EQ || cb == HT_ANY;
  case HT_EQ: return cb == HT_ANY;
  default: return false;
  }
}

bool rt_subtype(const rt_module *m, rt_valtype a, rt_valtype b) {
  if (a == b) return true;
  if (!rt_is_reftype(a) || !rt_is_reftype(b)) return false;
  if (rt_vt_nullable(a) && !rt_vt_nullable(b)) return false;
  return rt_heap_subtype(m, rt_vt_heap(a), rt_vt_heap(b));
}

/* ---- module-independent forms --------------------------------------------- */

rt_valtype rt_vt_canon(const rt_module *m, rt_valtype t) {
  if (!rt_is_reftype(t) || rt_vt_heap_code(t) != HT_INDEX) return t;
  return rt_vt_ref(rt_heap_of_index(HT_CANON, canon_id(m, rt_vt_heap(t))),
                   rt_vt_nullable(t));
}

uint32_t rt_heap_top(const rt_module *m, uint32_t heap) {
  if (is_concrete_heap(heap))
    return concrete_kind(m, heap) == RT_FUNC_TYPE ? HT_FUNC : HT_ANY;
  switch (rt_vt_heap_code(heap)) {
  case HT_FUNC: case HT_NOFUNC: return HT_FUNC;
  case HT_EXTERN: case HT_NOEXTERN: return HT_EXTERN;
  case HT_EXN: case HT_NOEXN: return HT_EXN;
  default: return HT_ANY;
  }
}

wrun_valtype rt_vt_api(rt_valtype t) {
  if (!rt_is_reftype(t)) return (wrun_valtype)t;
  return (wrun_valtype)rt_heap_top(NULL, rt_vt_heap(t));
}

bool rt_vt_traced(const rt_module *m, rt_valtype t) {
  if (!rt_is_reftype(t)) return false;
  uint32_t top = rt_heap_top(m, rt_vt_heap(t));
  return top == HT_ANY || top == HT_EXTERN;
}
