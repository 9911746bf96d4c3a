/* Runtime types of GC objects (gc.h): field layout and the rtt made for
 * every interned struct and array type. */
#include "gc.h"

#include <stdlib.h>

#include "runtime.h"

/* Field k's alignment: its size, at most 8 (v128 fields are 16 bytes read
 * with unaligned loads). */
static uint32_t align_of(uint32_t size) { return size < 8 ? size : 8; }

uint32_t rt_gc_field_offset(const rt_functype *t, uint32_t k) {
  uint32_t off = RT_GC_STRUCT_DATA;
  for (uint32_t i = 0;; i++) {
    uint32_t size = rt_gc_storage_size(t->types[i]);
    uint32_t a = align_of(size);
    off = (off + a - 1) & ~(a - 1);
    if (i == k) return off;
    off += size;
  }
}

/* The host box's rtt, with the one display slot compiled casts read at
 * depth 0 (NULL: a host box is of no struct or array type). */
static const struct {
  rt_gc_rtt rtt;
  const rt_gc_rtt *display0;
} host_rtt = {.rtt = {.kind = RT_GC_HOST, .size = RT_GC_HOST_SIZE}};

_Static_assert(offsetof(rt_gc_rtt, display) == sizeof(rt_gc_rtt),
               "the host rtt's display0 is its display[0]");

const rt_gc_rtt *const rt_gc_host_rtt = &host_rtt.rtt;

rt_gc_rtt *rt_gc_rtt_make(const rt_functype *t, const bool *traced,
                          const rt_gc_rtt *super) {
  uint32_t depth = super ? super->depth + 1 : 0;
  bool is_struct = t->kind == RT_STRUCT_TYPE;
  uint32_t nf = is_struct ? t->nfields : 0;
  rt_gc_rtt *r = calloc(1, sizeof *r + (depth + 1) * sizeof r->display[0]);
  uint32_t *offs = calloc(2 * (size_t)nf + 1, sizeof *offs);
  if (!r || !offs) {
    free(r);
    free(offs);
    return NULL;
  }
  r->type_id = t->id;
  r->kind = is_struct ? RT_GC_STRUCT : RT_GC_ARRAY;
  r->type = t;
  r->depth = depth;
  for (uint32_t d = 0; d < depth; d++) r->display[d] = super->display[d];
  r->display[depth] = r;
  if (!is_struct) {
    r->elem_size = (uint8_t)rt_gc_storage_size(t->types[0]);
    r->elem_ref = traced[0];
    free(offs);
    return r;
  }
  uint32_t *field = offs, *refs = offs + nf;
  uint32_t end = RT_GC_STRUCT_DATA;
  for (uint32_t k = 0; k < nf; k++) {
    field[k] = rt_gc_field_offset(t, k);
    end = field[k] + rt_gc_storage_size(t->types[k]);
    if (traced[k]) refs[r->nrefs++] = field[k];
  }
  r->nfields = nf;
  r->field_offsets = field;
  r->ref_offsets = refs;
  r->size = (end + 7) & ~7u;
  return r;
}
