/* Library calls of the GC instructions (jit/codegen_struct.c,
 * codegen_array.c): allocation and the array operations on segments and
 * ranges. Bounds are checked in 64 bits, in the spec's order (its traps
 * name which operand was out of bounds). */
#include <string.h>

#include "gc.h"
#include "gc_heap.h"
#include "libcalls.h"
#include "runtime.h"

static wrun_store *store_of(void *vmctx) {
  return rt_instance_of_vmctx(vmctx)->store;
}

/* start + n <= size, all u64 (n <= size first: no overflow). */
static bool fits(uint64_t start, uint64_t n, uint64_t size) {
  return n <= size && start <= size - n;
}

/* The allocating libcalls may collect: each publishes its exit first
 * (RT_GC_EXIT_FROM_LIBCALL, in the libcall itself, whose caller is the
 * wasm frame), so the collector finds the frames below; the fast path,
 * which cannot collect, skips that. A trap unwinds past the pop; the
 * entry restores the exit chain. */
static void *alloc_or_trap(void *vmctx, const rt_gc_rtt *rtt, uint64_t bytes) {
  void *obj = bytes ? rt_gc_alloc(store_of(vmctx), rtt, bytes) : NULL;
  if (!obj) rt_trap_raise(WRUN_TRAP_GC_HEAP);
  return obj;
}

void *rt_lib_gc_struct_new(void *vmctx, const void *rtt) {
  const rt_gc_rtt *r = rtt;
  wrun_store *s = store_of(vmctx);
  void *obj = rt_gc_alloc_fast(s->gc, s->limits.gc_heap_bytes, r, r->size);
  if (obj) return obj;
  rt_gc_exit e;
  RT_GC_EXIT_FROM_LIBCALL(e);
  obj = alloc_or_trap(vmctx, r, r->size);
  rt_gc_exit_pop(&e);
  return obj;
}

static uint8_t *new_array(void *vmctx, const rt_gc_rtt *rtt, uint32_t len) {
  uint8_t *a = alloc_or_trap(vmctx, rtt, rt_gc_array_bytes(rtt, len));
  *(uint32_t *)(a + RT_GC_ARRAY_LEN) = len;
  return a;
}

void *rt_lib_gc_array_new(void *vmctx, const void *rtt, uint32_t len) {
  uint64_t bytes = rt_gc_array_bytes(rtt, len);
  wrun_store *s = store_of(vmctx);
  uint8_t *a =
      bytes ? rt_gc_alloc_fast(s->gc, s->limits.gc_heap_bytes, rtt, bytes)
            : NULL;
  if (a) {
    *(uint32_t *)(a + RT_GC_ARRAY_LEN) = len;
    return a;
  }
  rt_gc_exit e;
  RT_GC_EXIT_FROM_LIBCALL(e);
  a = new_array(vmctx, rtt, len);
  rt_gc_exit_pop(&e);
  return a;
}

void *rt_lib_gc_array_new_data(void *vmctx, const void *rtt, uint32_t seg,
                               uint32_t offset, uint32_t len) {
  const rt_gc_rtt *r = rtt;
  rt_instance *inst = rt_instance_of_vmctx(vmctx);
  const rt_data *d = &inst->m->datas[seg];
  uint64_t have = inst->data_dropped[seg] ? 0 : d->len;
  uint64_t bytes = (uint64_t)len * r->elem_size;
  if (!fits(offset, bytes, have)) rt_trap_raise(WRUN_TRAP_MEMORY_OOB);
  rt_gc_exit e;
  RT_GC_EXIT_FROM_LIBCALL(e);
  uint8_t *a = new_array(vmctx, r, len);
  rt_gc_exit_pop(&e);
  if (bytes) memcpy(a + RT_GC_ARRAY_DATA, d->bytes + offset, bytes);
  return a;
}

void *rt_lib_gc_array_new_elem(void *vmctx, const void *rtt, uint32_t seg,
                               uint32_t offset, uint32_t len) {
  const rt_elem_items *e = &rt_instance_of_vmctx(vmctx)->elems[seg];
  if (!fits(offset, len, e->count)) rt_trap_raise(WRUN_TRAP_TABLE_OOB);
  rt_gc_exit x;
  RT_GC_EXIT_FROM_LIBCALL(x);
  uint8_t *a = new_array(vmctx, rtt, len);
  rt_gc_exit_pop(&x);
  if (len) memcpy(a + RT_GC_ARRAY_DATA, e->items + offset, len * sizeof(void *));
  return a;
}

static uint32_t length_of(const uint8_t *a) {
  if (!a) rt_trap_raise(WRUN_TRAP_NULL_ARRAY);
  return *(const uint32_t *)(a + RT_GC_ARRAY_LEN);
}

static uint32_t elem_size_of(const uint8_t *a) {
  return (*(const rt_gc_rtt *const *)a)->elem_size;
}

void rt_lib_gc_array_copy(void *vmctx, void *dst, uint32_t doff, void *src,
                          uint32_t soff, uint32_t n) {
  (void)vmctx;
  uint32_t dlen = length_of(dst), slen = length_of(src);
  if (!fits(doff, n, dlen) || !fits(soff, n, slen))
    rt_trap_raise(WRUN_TRAP_ARRAY_OOB);
  size_t z = elem_size_of(dst);
  if (n)
    memmove((uint8_t *)dst + RT_GC_ARRAY_DATA + doff * z,
            (uint8_t *)src + RT_GC_ARRAY_DATA + soff * z, n * z);
}

void rt_lib_gc_array_init_data(void *vmctx, uint32_t seg, void *arr,
                               uint32_t doff, uint32_t soff, uint32_t n) {
  rt_instance *inst = rt_instance_of_vmctx(vmctx);
  uint32_t len = length_of(arr);
  if (!fits(doff, n, len)) rt_trap_raise(WRUN_TRAP_ARRAY_OOB);
  const rt_data *d = &inst->m->datas[seg];
  uint64_t have = inst->data_dropped[seg] ? 0 : d->len;
  size_t z = elem_size_of(arr);
  if (!fits(soff, (uint64_t)n * z, have)) rt_trap_raise(WRUN_TRAP_MEMORY_OOB);
  if (n) memcpy((uint8_t *)arr + RT_GC_ARRAY_DATA + doff * z, d->bytes + soff,
                n * z);
}

void rt_lib_gc_array_init_elem(void *vmctx, uint32_t seg, void *arr,
                               uint32_t doff, uint32_t soff, uint32_t n) {
  const rt_elem_items *e = &rt_instance_of_vmctx(vmctx)->elems[seg];
  uint32_t len = length_of(arr);
  if (!fits(doff, n, len)) rt_trap_raise(WRUN_TRAP_ARRAY_OOB);
  if (!fits(soff, n, e->count)) rt_trap_raise(WRUN_TRAP_TABLE_OOB);
  /* a dropped segment has no items: nothing to copy, and memcpy must not
   * see its NULL */
  if (n)
    memcpy((uint8_t *)arr + RT_GC_ARRAY_DATA + (size_t)doff * sizeof(void *),
           e->items + soff, (size_t)n * sizeof(void *));
}
