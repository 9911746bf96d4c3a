/* Store limits (wrun_store_limits): the defaults, and the admission checks
 * that memories, tables and instances go through before anything is
 * allocated, so that a module asking for too much is refused at once, in
 * bounded time and memory, with an error naming the limit. */
#include "runtime.h"

#include <inttypes.h>

void wrun_store_limits_default(wrun_store_limits *out) {
  out->memory_bytes = WRUN_UNLIMITED;
  out->store_memory_bytes = WRUN_UNLIMITED;
  out->table_elements = RT_DEFAULT_TABLE_ELEMENTS;
  out->store_table_elements = RT_DEFAULT_TABLE_ELEMENTS;
  out->instances = RT_DEFAULT_INSTANCES;
  out->memories = RT_DEFAULT_MEMORIES;
  out->tables = RT_DEFAULT_TABLES;
  out->wasm_stack_bytes = RT_DEFAULT_MAX_WASM_STACK;
  out->exception_bytes = RT_DEFAULT_EXCEPTION_BYTES;
  out->gc_heap_bytes = RT_DEFAULT_GC_HEAP_BYTES;
}

void wrun_store_get_limits(const wrun_store *s, wrun_store_limits *out) {
  *out = s->limits;
}

/* A stack the thread cannot give would otherwise be capped without a word
 * at the first call. */
static wrun_error *check_wasm_stack(uint64_t bytes) {
  if (bytes == 0)
    return rt_error_new(RT_NO_OFFSET,
                        "wasm stack limit of 0 bytes: every call would "
                        "exhaust it");
  size_t usable = rt_usable_wasm_stack();
  if (bytes > usable)
    return rt_error_new(RT_NO_OFFSET,
                        "wasm stack limit of %" PRIu64 " bytes is more than "
                        "this thread's usable stack (%zu bytes)",
                        bytes, usable);
  return NULL;
}

wrun_error *wrun_store_set_limits(wrun_store *s,
                                  const wrun_store_limits *limits) {
  wrun_error *err = check_wasm_stack(limits->wasm_stack_bytes);
  if (err) return err;
  s->limits = *limits;
  return NULL;
}

void wrun_store_set_max_memory(wrun_store *s, uint64_t bytes) {
  s->limits.store_memory_bytes = bytes ? bytes : WRUN_UNLIMITED;
}

bool wrun_store_set_max_wasm_stack(wrun_store *s, size_t bytes) {
  uint64_t want = bytes ? bytes : RT_DEFAULT_MAX_WASM_STACK;
  wrun_error *err = check_wasm_stack(want);
  if (err) {
    wrun_error_delete(err);
    return false;
  }
  s->limits.wasm_stack_bytes = want;
  return true;
}

/* ---- admission ------------------------------------------------------------- */

/* have + extra > limit, without overflowing. */
static bool exceeds(uint64_t have, uint64_t extra, uint64_t limit) {
  return have > limit || extra > limit - have;
}

wrun_error *rt_limits_admit_memories(const wrun_store *s, uint64_t count,
                                     uint64_t largest, uint64_t total) {
  const wrun_store_limits *l = &s->limits;
  if (count == 0) return NULL;
  if (exceeds(s->nmemories, count, l->memories))
    return rt_error_new(RT_NO_OFFSET,
                        "memories limit exceeded: %" PRIu64 " more would "
                        "pass the store's %" PRIu64 " (%" PRIu64 " in use)",
                        count, l->memories, s->nmemories);
  if (largest > l->memory_bytes)
    return rt_error_new(RT_NO_OFFSET,
                        "memory size limit exceeded: a memory of %" PRIu64
                        " bytes is over the limit of %" PRIu64
                        " bytes per memory",
                        largest, l->memory_bytes);
  if (exceeds(s->memory_bytes, total, l->store_memory_bytes))
    return rt_error_new(RT_NO_OFFSET,
                        "memory limit exceeded: %" PRIu64 " more bytes of "
                        "linear memory would pass the store's %" PRIu64
                        " (%" PRIu64 " in use)",
                        total, l->store_memory_bytes, s->memory_bytes);
  return NULL;
}

wrun_error *rt_limits_admit_tables(const wrun_store *s, uint64_t count,
                                   uint64_t largest, uint64_t total) {
  const wrun_store_limits *l = &s->limits;
  if (count == 0) return NULL;
  if (exceeds(s->ntables, count, l->tables))
    return rt_error_new(RT_NO_OFFSET,
                        "tables limit exceeded: %" PRIu64 " more would pass "
                        "the store's %" PRIu64 " (%" PRIu64 " in use)",
                        count, l->tables, s->ntables);
  if (largest > l->table_elements)
    return rt_error_new(RT_NO_OFFSET,
                        "table elements limit exceeded: a table of %" PRIu64
                        " elements is over the limit of %" PRIu64
                        " per table",
                        largest, l->table_elements);
  if (exceeds(s->table_elements, total, l->store_table_elements))
    return rt_error_new(RT_NO_OFFSET,
                        "table elements limit exceeded: %" PRIu64 " more "
                        "elements would pass the store's %" PRIu64
                        " (%" PRIu64 " in use)",
                        total, l->store_table_elements, s->table_elements);
  return NULL;
}

wrun_error *rt_limits_admit_instance(const wrun_store *s, const rt_module *m) {
  if (exceeds(s->ninstances, 1, s->limits.instances))
    return rt_error_new(RT_NO_OFFSET,
                        "instances limit exceeded: the store allows %" PRIu64
                        " instances",
                        s->limits.instances);
  uint64_t largest = 0, total = 0;
  for (uint32_t i = m->nimported_memories; i < m->nmemories; i++) {
    /* A memory64 minimum may be 2^48 pages: bytes and sums saturate. */
    uint64_t min = m->memories[i].min;
    uint64_t bytes = min > UINT64_MAX / RT_PAGE_SIZE ? UINT64_MAX
                                                    : min * RT_PAGE_SIZE;
    if (bytes > largest) largest = bytes;
    total = bytes > UINT64_MAX - total ? UINT64_MAX : total + bytes;
  }
  wrun_error *err = rt_limits_admit_memories(
      s, m->nmemories - m->nimported_memories, largest, total);
  if (err) return err;
  largest = total = 0;
  for (uint32_t i = m->nimported_tables; i < m->ntables; i++) {
    uint64_t elems = m->tables[i].limits.min;
    if (elems > largest) largest = elems;
    total += elems;
  }
  return rt_limits_admit_tables(s, m->ntables - m->nimported_tables, largest,
                                total);
}

bool rt_limits_allow_memory_growth(const wrun_store *s, uint64_t size,
                                   uint64_t extra) {
  return !exceeds(size, extra, s->limits.memory_bytes) &&
         !exceeds(s->memory_bytes, extra, s->limits.store_memory_bytes);
}

bool rt_limits_allow_table_growth(const wrun_store *s, uint64_t size,
                                  uint64_t extra) {
  return !exceeds(size, extra, s->limits.table_elements) &&
         !exceeds(s->table_elements, extra, s->limits.store_table_elements);
}
