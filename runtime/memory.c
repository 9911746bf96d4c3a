/* Linear memories.
 *
 * On 64-bit hosts every memory reserves 8 GiB of address space up front
 * (4 GiB addressable by a u32 index, plus 4 GiB of guard for the u32 offset
 * of a load/store), all PROT_NONE, and makes the first pages*64KiB
 * read-write. memory.grow only changes protection, so the base never moves
 * and compiled code needs no bounds checks: anything past the accessible
 * size faults and becomes a trap. Elsewhere (32-bit hosts) the reservation
 * is just the maximum size.
 */
#include "runtime.h"

#include <stdlib.h>
#include <sys/mman.h>

#if UINTPTR_MAX > 0xffffffffu
#define RT_MEMORY_RESERVATION ((size_t)8 << 30)
#else
#define RT_MEMORY_RESERVATION ((size_t)0)
#endif

static void memory_destroy(void *obj) {
  rt_memory *mem = obj;
  if (mem->base) munmap(mem->base, mem->reserved);
  if (mem->store && mem->store->memory_bytes >= mem->size)
    mem->store->memory_bytes -= mem->size;
  free(mem);
}

static bool store_allows(const wrun_store *s, uint64_t extra) {
  return !s || !s->max_memory || s->memory_bytes + extra <= s->max_memory;
}

static size_t reservation_for(uint32_t max_pages) {
  if (RT_MEMORY_RESERVATION) return RT_MEMORY_RESERVATION;
  size_t bytes = (size_t)max_pages * RT_PAGE_SIZE;
  return bytes ? bytes : RT_PAGE_SIZE;
}

rt_memory *rt_memory_new(wrun_store *s, uint32_t min, uint32_t max,
                         bool has_max, wrun_error **error) {
  uint32_t limit = has_max && max < RT_MAX_PAGES ? max : RT_MAX_PAGES;
  if (min > limit) {
    *error = rt_error_new(RT_NO_OFFSET, "memory size must be at most %u pages",
                          (unsigned)limit);
    return NULL;
  }
  uint64_t bytes = (uint64_t)min * RT_PAGE_SIZE;
  if (!store_allows(s, bytes)) {
    *error = rt_error_new(RT_NO_OFFSET, "memory limit of the store exceeded");
    return NULL;
  }
  rt_memory *mem = calloc(1, sizeof *mem);
  if (!mem) {
    *error = rt_error_new(RT_NO_OFFSET, "out of memory");
    return NULL;
  }
  mem->reserved = reservation_for(limit);
  void *base = mmap(NULL, mem->reserved, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) {
    free(mem);
    *error = rt_error_new(RT_NO_OFFSET, "cannot reserve memory");
    return NULL;
  }
  mem->base = base;
  if (bytes && mprotect(base, bytes, PROT_READ | PROT_WRITE) != 0) {
    munmap(base, mem->reserved);
    free(mem);
    *error = rt_error_new(RT_NO_OFFSET, "cannot allocate memory");
    return NULL;
  }
  mem->size = bytes;
  mem->pages = min;
  mem->max_pages = has_max ? max : RT_MAX_PAGES;
  mem->has_max = has_max;
  mem->store = s;
  if (s) {
    s->memory_bytes += bytes;
    if (!rt_store_own(s, mem, memory_destroy)) {
      *error = rt_error_new(RT_NO_OFFSET, "out of memory");
      return NULL;
    }
  }
  return mem;
}

int64_t rt_memory_grow(rt_memory *mem, uint32_t delta) {
  uint32_t old = mem->pages;
  uint32_t limit = mem->has_max && mem->max_pages < RT_MAX_PAGES
                       ? mem->max_pages : RT_MAX_PAGES;
  if ((uint64_t)old + delta > limit) return -1;
  if (delta == 0) return old;
  uint64_t extra = (uint64_t)delta * RT_PAGE_SIZE;
  uint64_t new_size = mem->size + extra;
  if (new_size > mem->reserved) return -1;
  if (!store_allows(mem->store, extra)) return -1;
  if (mprotect(mem->base + mem->size, extra, PROT_READ | PROT_WRITE) != 0)
    return -1;
  mem->size = new_size;
  mem->pages = old + delta;
  if (mem->store) mem->store->memory_bytes += extra;
  return old;
}

/* ---- public API ---------------------------------------------------------- */

wrun_memory *wrun_memory_new(wrun_store *store, uint32_t min_pages,
                             uint32_t max_pages, bool has_max) {
  wrun_error *err = NULL;
  if (has_max && max_pages < min_pages) return NULL;
  rt_memory *mem = rt_memory_new(store, min_pages, max_pages, has_max, &err);
  if (!mem) wrun_error_delete(err);
  return (wrun_memory *)mem;
}

uint8_t *wrun_memory_data(const wrun_memory *m) {
  return ((const rt_memory *)m)->base;
}

uint64_t wrun_memory_size_bytes(const wrun_memory *m) {
  return ((const rt_memory *)m)->size;
}

uint32_t wrun_memory_pages(const wrun_memory *m) {
  return ((const rt_memory *)m)->pages;
}

int64_t wrun_memory_grow(wrun_memory *m, uint32_t delta) {
  return rt_memory_grow((rt_memory *)m, delta);
}
