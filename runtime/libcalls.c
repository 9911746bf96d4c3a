/* Library calls from compiled code: bulk memory, tables and growth, with
 * the bounds checks of the bulk-memory and reference-types proposals (all
 * sums computed in 64 bits, so a u32 overflow is simply out of bounds, and
 * n = 0 exactly at the end is fine). */
#include "libcalls.h"

#include <stdlib.h>
#include <string.h>

#include "runtime.h"

static rt_memory *memory_of(void *vmctx, uint32_t i) {
  return rt_instance_of_vmctx(vmctx)->memories[i];
}

static rt_table *table_of(void *vmctx, uint32_t i) {
  return rt_instance_of_vmctx(vmctx)->tables[i];
}

/* start + n <= size without overflow: memory64 operands are any u64. */
static bool in_bounds(uint64_t start, uint64_t n, uint64_t size) {
  return n <= size && start <= size - n;
}

/* ---- traps without signals ----------------------------------------------- */

/* Its frame links the stub's return address into the frame-pointer walk
 * of rt_trap_raise, so the trapping function is the innermost frame. */
void rt_lib_trap(uint32_t code) {
  if (code == 0 || code >= WRUN_TRAP_COUNT) code = WRUN_TRAP_HOST;
  rt_trap_raise((wrun_trap_code)code);
}

/* ---- memory --------------------------------------------------------------- */

int32_t rt_lib_memory_grow(void *vmctx, uint32_t mem, uint32_t delta) {
  return (int32_t)rt_memory_grow(memory_of(vmctx, mem), delta);
}

int64_t rt_lib_memory_grow64(void *vmctx, uint32_t mem, uint64_t delta) {
  return rt_memory_grow(memory_of(vmctx, mem), delta);
}

/* The operands are u64 for every memory: compiled code passes an i32
 * zero-extended (the upper half of an i32 register is zero). */
void rt_lib_memory_fill(void *vmctx, uint32_t mem, uint64_t dst, uint32_t val,
                        uint64_t n) {
  rt_memory *m = memory_of(vmctx, mem);
  if (!in_bounds(dst, n, m->size)) rt_trap_raise(WRUN_TRAP_MEMORY_OOB);
  memset(m->base + dst, (int)(uint8_t)val, n);
}

/* Between two memories or within one (then the ranges may overlap). */
void rt_lib_memory_copy(void *vmctx, uint32_t dst_mem, uint32_t src_mem,
                        uint64_t dst, uint64_t src, uint64_t n) {
  rt_memory *dm = memory_of(vmctx, dst_mem);
  rt_memory *sm = memory_of(vmctx, src_mem);
  if (!in_bounds(dst, n, dm->size) || !in_bounds(src, n, sm->size))
    rt_trap_raise(WRUN_TRAP_MEMORY_OOB);
  memmove(dm->base + dst, sm->base + src, n);
}

void rt_lib_memory_init(void *vmctx, uint32_t seg, uint32_t mem, uint64_t dst,
                        uint32_t src, uint32_t n) {
  rt_instance *inst = rt_instance_of_vmctx(vmctx);
  rt_memory *m = inst->memories[mem];
  const rt_data *d = &inst->m->datas[seg];
  /* A dropped segment behaves as an empty one. */
  uint64_t len = inst->data_dropped[seg] ? 0 : d->len;
  if (!in_bounds(src, n, len) || !in_bounds(dst, n, m->size))
    rt_trap_raise(WRUN_TRAP_MEMORY_OOB);
  if (n) memcpy(m->base + dst, d->bytes + src, n);
}

void rt_lib_data_drop(void *vmctx, uint32_t seg) {
  rt_instance_of_vmctx(vmctx)->data_dropped[seg] = true;
}

/* ---- threads: wait and notify ------------------------------------------------ */

/* The host address of an atomic access of `bytes` at addr + offset, after
 * the checks the compiled accesses make: alignment, then bounds. */
static uint8_t *atomic_address(rt_memory *m, uint64_t offset, uint64_t addr,
                               uint64_t bytes) {
  uint64_t ea = addr + offset;
  if (ea < addr) rt_trap_raise(WRUN_TRAP_MEMORY_OOB);
  if (ea & (bytes - 1)) rt_trap_raise(WRUN_TRAP_UNALIGNED_ATOMIC);
  if (!in_bounds(ea, bytes, m->size)) rt_trap_raise(WRUN_TRAP_MEMORY_OOB);
  return m->base + ea;
}

int32_t rt_lib_atomic_notify(void *vmctx, uint32_t mem, uint64_t offset,
                             uint64_t addr, uint32_t count) {
  rt_memory *m = memory_of(vmctx, mem);
  uint8_t *p = atomic_address(m, offset, addr, 4);
  /* an unshared memory has no waiters: nothing to wake */
  return m->shared ? (int32_t)rt_atomic_notify(p, count) : 0;
}

static int32_t atomic_wait(void *vmctx, uint32_t mem, uint64_t offset,
                           uint64_t addr, uint64_t expected, bool is64,
                           int64_t timeout) {
  rt_memory *m = memory_of(vmctx, mem);
  uint8_t *p = atomic_address(m, offset, addr, is64 ? 8 : 4);
  if (!m->shared) rt_trap_raise(WRUN_TRAP_EXPECTED_SHARED);
  return rt_atomic_wait(p, expected, is64, timeout);
}

int32_t rt_lib_atomic_wait32(void *vmctx, uint32_t mem, uint64_t offset,
                             uint64_t addr, uint32_t expected,
                             int64_t timeout) {
  return atomic_wait(vmctx, mem, offset, addr, expected, false, timeout);
}

int32_t rt_lib_atomic_wait64(void *vmctx, uint32_t mem, uint64_t offset,
                             uint64_t addr, uint64_t expected,
                             int64_t timeout) {
  return atomic_wait(vmctx, mem, offset, addr, expected, true, timeout);
}

/* ---- tables ---------------------------------------------------------------- */

/* Table indices and sizes are u64 for every table, like memory operands:
 * a table64's i64 as it is, an i32 zero-extended. */
int32_t rt_lib_table_grow(void *vmctx, uint32_t table, void *init,
                          uint32_t delta) {
  return (int32_t)rt_table_grow(table_of(vmctx, table), delta, init);
}

int64_t rt_lib_table_grow64(void *vmctx, uint32_t table, void *init,
                            uint64_t delta) {
  return rt_table_grow(table_of(vmctx, table), delta, init);
}

void rt_lib_table_fill(void *vmctx, uint32_t table, uint64_t i, void *ref,
                       uint64_t n) {
  rt_table *t = table_of(vmctx, table);
  if (!in_bounds(i, n, t->size)) rt_trap_raise(WRUN_TRAP_TABLE_OOB);
  for (uint64_t k = 0; k < n; k++) t->elems[i + k] = ref;
}

void rt_lib_table_copy(void *vmctx, uint32_t dst_table, uint32_t src_table,
                       uint64_t dst, uint64_t src, uint64_t n) {
  rt_table *dt = table_of(vmctx, dst_table);
  rt_table *st = table_of(vmctx, src_table);
  if (!in_bounds(dst, n, dt->size) || !in_bounds(src, n, st->size))
    rt_trap_raise(WRUN_TRAP_TABLE_OOB);
  if (n) memmove(dt->elems + dst, st->elems + src, (size_t)n * sizeof(void *));
}

void rt_lib_table_init(void *vmctx, uint32_t table, uint32_t elem,
                       uint64_t dst, uint32_t src, uint32_t n) {
  rt_instance *inst = rt_instance_of_vmctx(vmctx);
  rt_table *t = inst->tables[table];
  const rt_elem_items *seg = &inst->elems[elem];
  if (!in_bounds(src, n, seg->count) || !in_bounds(dst, n, t->size))
    rt_trap_raise(WRUN_TRAP_TABLE_OOB);
  if (n) memcpy(t->elems + dst, seg->items + src, (size_t)n * sizeof(void *));
}

void rt_lib_elem_drop(void *vmctx, uint32_t elem) {
  rt_elem_items *seg = &rt_instance_of_vmctx(vmctx)->elems[elem];
  free(seg->items);
  seg->items = NULL;
  seg->count = 0;
}

const void *rt_lib_indirect_subtype(void *vmctx, const void *funcref,
                                    uint32_t expected) {
  (void)vmctx;
  const rt_funcref *f = funcref;
  if (!rt_type_id_subtype(f->type_id, expected))
    rt_trap_raise(WRUN_TRAP_INDIRECT_MISMATCH);
  return funcref;
}

int32_t rt_lib_ref_test_func(void *vmctx, uint32_t expected, uint32_t nullable,
                             const void *funcref) {
  (void)vmctx;
  if (!funcref) return nullable != 0;
  const rt_funcref *f = funcref;
  return rt_type_id_subtype(f->type_id, expected);
}

const void *rt_lib_ref_cast_func(void *vmctx, uint32_t expected,
                                 uint32_t nullable, const void *funcref) {
  if (!rt_lib_ref_test_func(vmctx, expected, nullable, funcref))
    rt_trap_raise(WRUN_TRAP_CAST_FAILURE);
  return funcref;
}
