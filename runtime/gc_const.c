/* GC allocations in constant expressions (globals, element segments and
 * table initializers of Wasm 3.0): struct.new, array.new and their
 * _default and _fixed forms, on the evaluator's stack of 16-byte cells. */
#include <string.h>

#include "gc.h"
#include "instr.h"
#include "runtime.h"

/* Writes the low `size` bytes of a cell (little-endian: the value). */
static void put(uint8_t *at, uint32_t size, const rt_global_cell *v) {
  memcpy(at, v->value, size);
}

bool rt_const_gc_new(rt_instance *inst, const rt_const_op *c,
                     rt_global_cell *stack, uint32_t *depth) {
  const rt_functype *t = &inst->m->types[c->index];
  const rt_gc_rtt *rtt = rt_gc_rtt_of(t->id);
  if (!rtt) return false;
  uint32_t d = *depth;
  uint8_t *obj;
  if (c->op == OP_STRUCT_NEW || c->op == OP_STRUCT_NEW_DEFAULT) {
    if (!(obj = rt_gc_alloc(inst->store, rtt, rtt->size))) return false;
    if (c->op == OP_STRUCT_NEW) {
      d -= t->nfields;
      for (uint32_t k = 0; k < t->nfields; k++)
        put(obj + rtt->field_offsets[k], rt_gc_storage_size(t->types[k]),
            &stack[d + k]);
    }
  } else {
    uint64_t len;
    if (c->op == OP_ARRAY_NEW_FIXED) len = c->value[0];
    else len = (uint32_t)stack[--d].value[0];
    uint64_t bytes = rt_gc_array_bytes(rtt, len);
    if (!bytes || !(obj = rt_gc_alloc(inst->store, rtt, bytes))) return false;
    *(uint32_t *)(obj + RT_GC_ARRAY_LEN) = (uint32_t)len;
    uint32_t z = rtt->elem_size;
    uint8_t *data = obj + RT_GC_ARRAY_DATA;
    if (c->op == OP_ARRAY_NEW_FIXED) {
      d -= (uint32_t)len;
      for (uint64_t k = 0; k < len; k++) put(data + k * z, z, &stack[d + k]);
    } else if (c->op == OP_ARRAY_NEW) {
      const rt_global_cell *v = &stack[--d];
      for (uint64_t k = 0; k < len; k++) put(data + k * z, z, v);
    }
  }
  memset(&stack[d], 0, sizeof stack[d]);
  stack[d].value[0] = (uintptr_t)obj;
  *depth = d + 1;
  return true;
}
