/* Linear memories.
 *
 * On 64-bit hosts every 32-bit memory (and every 64-bit one of at most 4
 * GiB) reserves 8 GiB of address space up front (4 GiB addressable by a
 * u32 index, plus 4 GiB of guard for the u32 offset of a load/store), all
 * PROT_NONE, and makes the first pages*64KiB read-write. memory.grow only
 * changes protection, so the base never moves and compiled code needs no
 * bounds checks: anything past the accessible size faults and becomes a
 * trap. A 64-bit memory that may pass 4 GiB reserves the pages its
 * maximum and the store's limits allow (large_page_limit) plus a 4 GiB
 * guard; its code compares each address with the size, and the guard
 * catches the offset. Elsewhere (32-bit hosts) the reservation is just the
 * maximum size.
 */
#include "runtime.h"

#include <pthread.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>


/* Address space reserved by all memories of the process. Each store bounds
 * its own memories (wrun_store_limits.memories); this bounds the sum over
 * stores, so that many stores cannot exhaust the address space the rest
 * of the process (malloc, thread stacks, code) needs either. */
static _Atomic uint64_t reservation_budget = RT_DEFAULT_RESERVATION_BUDGET;
static _Atomic uint64_t reserved_total;

uint64_t rt_memory_set_reservation_budget(uint64_t bytes) {
  return atomic_exchange(&reservation_budget, bytes);
}

static bool reserve_budget(size_t bytes) {
  uint64_t budget = atomic_load(&reservation_budget);
  uint64_t have = atomic_load(&reserved_total);
  do {
    if (have > budget || bytes > budget - have) return false;
  } while (!atomic_compare_exchange_weak(&reserved_total, &have,
                                         have + bytes));
  return true;
}

static void release_budget(size_t bytes) {
  atomic_fetch_sub(&reserved_total, bytes);
}

/* Shared memories (threads) may be grown from several threads at once, and
 * used by several stores: one process-wide lock orders their growth and
 * their references. Their base never moves either (every memory reserves
 * its maximum's worth up front), so code running on other threads keeps
 * addressing the right bytes; it reads the size and page count with
 * single aligned loads. */
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;

/* Drops one reference of a shared memory (the maker's when maker);
 * true when it was the last. */
static bool shared_unref(rt_memory *mem, bool maker) {
  pthread_mutex_lock(&shared_lock);
  if (maker) mem->store = NULL;
  bool last = --mem->refs == 0;
  pthread_mutex_unlock(&shared_lock);
  return last;
}

static void memory_free(rt_memory *mem) {
  if (mem->base) {
    if (mem->reserved == RT_MEMORY_RESERVATION_BYTES &&
        rt_memory_pool_give(mem->base, mem->size)) {
      free(mem); /* the reservation stays counted in the budget */
      return;
    }
    munmap(mem->base, mem->reserved);
    release_budget(mem->reserved);
  }
  free(mem);
}

/* A store that imported another store's shared memory lets go of it. */
static void memory_release(void *obj) {
  if (shared_unref(obj, false)) memory_free(obj);
}

bool rt_memory_share(wrun_store *s, rt_memory *mem) {
  pthread_mutex_lock(&shared_lock);
  mem->refs++;
  pthread_mutex_unlock(&shared_lock);
  return rt_store_own(s, mem, memory_release);
}

static void memory_destroy(void *obj) {
  rt_memory *mem = obj;
  if (mem->store && mem->store->memory_bytes >= mem->size)
    mem->store->memory_bytes -= mem->size;
  if (mem->shared && !shared_unref(mem, true)) return;
  memory_free(mem);
}

/* The pages a 32-bit memory (or a 64-bit one of at most 4 GiB) may reach:
 * its maximum, or RT_MAX_PAGES (4 GiB). */
static uint64_t small_page_limit(uint64_t max, bool has_max) {
  return has_max && max < RT_MAX_PAGES ? max : RT_MAX_PAGES;
}

static uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* The pages a 64-bit memory over 4 GiB reserves: its maximum (at most
 * RT_MAX_PAGES64), bounded by the store's byte limits as they are now, or
 * by RT_MEMORY64_DEFAULT_BYTES when the store sets none; never fewer than
 * min. Pages cost RAM only once grown into, but address space is finite
 * (and the process's budget is shared), so an unbounded memory does not
 * reserve 2^48 bytes. */
static uint64_t large_page_limit(const wrun_store *s, uint64_t min,
                                 uint64_t max, bool has_max) {
  uint64_t hard = has_max ? min_u64(max, RT_MAX_PAGES64) : RT_MAX_PAGES64;
  uint64_t bytes = min_u64(s->limits.memory_bytes,
                           s->limits.store_memory_bytes);
  if (bytes == WRUN_UNLIMITED) bytes = RT_MEMORY64_DEFAULT_BYTES;
  uint64_t limit = min_u64(hard, bytes / RT_PAGE_SIZE);
  return limit < min ? min : limit;
}

/* Bytes reserved for a memory of limit pages (limit <= RT_MAX_PAGES64,
 * so no overflow) whose code checks its size (large) past a guard of
 * `guard` bytes, or relies on the guarded 8 GiB. */
static size_t reservation_for(bool large, uint64_t limit, uint64_t guard) {
  if (large) return (size_t)(limit * RT_PAGE_SIZE + guard);
  if (RT_MEMORY_RESERVATION_BYTES) return RT_MEMORY_RESERVATION_BYTES;
  size_t bytes = (size_t)limit * RT_PAGE_SIZE;
  return bytes ? bytes : RT_PAGE_SIZE;
}

/* Reserves the address space of a memory (inaccessible); NULL when the
 * budget or the system refuses (*budget says which). */
static uint8_t *reserve(size_t reserved, bool *budget) {
  *budget = false;
  if (!reserve_budget(reserved)) {
    /* The pool's idle reservations give way to a memory that needs room. */
    size_t drained = rt_memory_pool_drain();
    release_budget(drained * RT_MEMORY_RESERVATION_BYTES);
    *budget = !drained || !reserve_budget(reserved);
    if (*budget) return NULL;
  }
  void *base = mmap(NULL, reserved, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (base == MAP_FAILED) {
    release_budget(reserved);
    return NULL;
  }
  return base;
}

/* Reserves a memory's address space and makes its first bytes
 * read-write; NULL and *error when impossible. A memory that checks its
 * size (large) takes a smaller reservation, halving down to its minimum,
 * when the system or the budget refuses the one its limits allow; *limit
 * becomes the pages it got. */
static uint8_t *map_memory(bool large, uint64_t min, uint64_t *limit,
                           uint64_t guard, size_t *reserved, uint64_t bytes,
                           wrun_error **error) {
  bool budget;
  uint8_t *base;
  if (!large && RT_MEMORY_RESERVATION_BYTES) {
    bool dropped = false; /* already in the budget, unless dropped */
    base = rt_memory_pool_take(bytes, &dropped);
    if (dropped) release_budget(RT_MEMORY_RESERVATION_BYTES);
    if (base) {
      *reserved = RT_MEMORY_RESERVATION_BYTES;
      return base;
    }
  }
  for (;;) {
    *reserved = reservation_for(large, *limit, guard);
    base = reserve(*reserved, &budget);
    if (base || !large || *limit <= min) break;
    uint64_t half = *limit / 2;
    *limit = half < min ? min : half;
  }
  if (!base) {
    if (budget)
      *error = rt_error_new(RT_NO_OFFSET,
                            "address space limit exceeded: the process has "
                            "reserved its %" PRIu64 " GiB for linear memories",
                            atomic_load(&reservation_budget) >> 30);
    else
      *error = rt_error_new(RT_NO_OFFSET, "cannot reserve memory");
    return NULL;
  }
  if (bytes && mprotect(base, bytes, PROT_READ | PROT_WRITE) != 0) {
    munmap(base, *reserved);
    release_budget(*reserved);
    *error = rt_error_new(RT_NO_OFFSET, "cannot allocate memory");
    return NULL;
  }
  return base;
}

/* The bounds of a memory of the engine's strategy: whether its code
 * checks the size (*large), the pages its type allows (*hard) and those
 * its reservation will hold (the limit returned). */
static uint64_t memory_bounds(const wrun_store *s,
                              const rt_memory_strategy *st, uint64_t min,
                              uint64_t max, bool has_max, bool is64,
                              bool *large, uint64_t *hard) {
  bool past_4gib = rt_memory_checks_size(is64, max, has_max);
  *large = past_4gib || st->checks;
  *hard = past_4gib ? (has_max ? min_u64(max, RT_MAX_PAGES64) : RT_MAX_PAGES64)
                    : small_page_limit(max, has_max);
  if (!*large) return *hard;
  uint64_t limit = past_4gib ? large_page_limit(s, min, max, has_max) : *hard;
  /* An explicit reservation bounds every checked memory; the default one
   * (4 GiB) only those that cannot pass it anyway. */
  uint64_t cap = st->reservation / RT_PAGE_SIZE;
  if ((!past_4gib || (s->engine && s->engine->config.memory_reservation)) &&
      limit > cap)
    limit = cap;
  return limit < min ? min : limit;
}

rt_memory *rt_memory_new(wrun_store *s, uint64_t min, uint64_t max,
                         bool has_max, bool is64, wrun_error **error) {
  rt_memory_strategy st = rt_store_memory_strategy(s);
  bool large;
  uint64_t hard;
  uint64_t limit = memory_bounds(s, &st, min, max, has_max, is64, &large,
                                 &hard);
  if (min > hard) {
    *error = rt_error_new(RT_NO_OFFSET,
                          "memory size must be at most %" PRIu64 " pages",
                          hard);
    return NULL;
  }
  uint64_t bytes = (uint64_t)min * RT_PAGE_SIZE;
  *error = rt_limits_admit_memories(s, 1, bytes, bytes);
  if (*error) return NULL;
  rt_memory *mem = calloc(1, sizeof *mem);
  if (!mem) {
    *error = rt_error_new(RT_NO_OFFSET, "out of memory");
    return NULL;
  }
  mem->base = map_memory(large, min, &limit, st.guard, &mem->reserved, bytes,
                         error);
  if (!mem->base) {
    free(mem);
    return NULL;
  }
  mem->size = bytes;
  mem->pages = min;
  mem->max_pages = has_max ? max : is64 ? RT_MAX_PAGES64 : RT_MAX_PAGES;
  mem->limit_pages = limit;
  mem->has_max = has_max;
  mem->is64 = is64;
  mem->checks = large;
  mem->guard = large ? st.guard : RT_MEMORY_GUARD_BYTES;
  mem->store = s;
  mem->refs = 1;
  s->memory_bytes += bytes;
  if (!rt_store_own(s, mem, memory_destroy)) {
    *error = rt_error_new(RT_NO_OFFSET, "out of memory");
    return NULL;
  }
  s->nmemories++;
  return mem;
}

static int64_t memory_grow(rt_memory *mem, uint64_t delta);

int64_t rt_memory_grow(rt_memory *mem, uint64_t delta) {
  if (!mem->shared) return memory_grow(mem, delta);
  pthread_mutex_lock(&shared_lock);
  int64_t old = memory_grow(mem, delta);
  pthread_mutex_unlock(&shared_lock);
  return old;
}

/* Never past limit_pages: the reservation holds those pages and, for a
 * memory that checks its size, the guard after them. */
static int64_t memory_grow(rt_memory *mem, uint64_t delta) {
  uint64_t old = mem->pages;
  if (delta > mem->limit_pages - old) return -1; /* old <= limit_pages */
  if (delta == 0) return (int64_t)old;
  uint64_t extra = delta * RT_PAGE_SIZE;
  uint64_t new_size = mem->size + extra;
  if (new_size > mem->reserved) return -1;
  /* a shared memory whose maker is gone is bounded by its maximum alone */
  if (mem->store &&
      !rt_limits_allow_memory_growth(mem->store, mem->size, extra))
    return -1;
  if (mprotect(mem->base + mem->size, extra, PROT_READ | PROT_WRITE) != 0)
    return -1;
  mem->size = new_size;
  mem->pages = old + delta;
  if (mem->store) mem->store->memory_bytes += extra;
  return (int64_t)old;
}

/* ---- public API ---------------------------------------------------------- */

static wrun_memory *memory_new(wrun_store *store, uint64_t min_pages,
                               uint64_t max_pages, bool has_max, bool is64) {
  wrun_error *err = NULL;
  if (!store) return rt_fail("memory: no store");
  if (has_max && max_pages < min_pages)
    return rt_fail("memory: maximum %" PRIu64 " pages below the minimum %"
                   PRIu64, max_pages, min_pages);
  rt_memory *mem =
      rt_memory_new(store, min_pages, max_pages, has_max, is64, &err);
  if (!mem) return rt_fail_with(err);
  return (wrun_memory *)mem;
}

wrun_memory *wrun_memory_new(wrun_store *store, uint32_t min_pages,
                             uint32_t max_pages, bool has_max) {
  return memory_new(store, min_pages, max_pages, has_max, false);
}

wrun_memory *wrun_memory_new64(wrun_store *store, uint64_t min_pages,
                               uint64_t max_pages, bool has_max) {
  /* the type's own bound: 2^48 pages */
  if (min_pages > ((uint64_t)1 << 48) ||
      (has_max && max_pages > ((uint64_t)1 << 48)))
    return rt_fail("memory: a memory64 has at most 2^48 pages");
  return memory_new(store, min_pages, max_pages, has_max, true);
}

bool wrun_memory_is64(const wrun_memory *m) {
  return ((const rt_memory *)m)->is64;
}

wrun_memory *wrun_memory_new_shared(wrun_store *store, uint32_t min_pages,
                                    uint32_t max_pages) {
  wrun_memory *m = memory_new(store, min_pages, max_pages, true, false);
  if (m) ((rt_memory *)m)->shared = true;
  return m;
}

uint8_t *wrun_memory_data(const wrun_memory *m) {
  return ((const rt_memory *)m)->base;
}

uint64_t wrun_memory_size_bytes(const wrun_memory *m) {
  return ((const rt_memory *)m)->size;
}

uint32_t wrun_memory_pages(const wrun_memory *m) {
  uint64_t pages = ((const rt_memory *)m)->pages;
  return pages > UINT32_MAX ? UINT32_MAX : (uint32_t)pages;
}

uint64_t wrun_memory_pages64(const wrun_memory *m) {
  return ((const rt_memory *)m)->pages;
}

int64_t wrun_memory_grow(wrun_memory *m, uint32_t delta) {
  return rt_memory_grow((rt_memory *)m, delta);
}

int64_t wrun_memory_grow64(wrun_memory *m, uint64_t delta) {
  return rt_memory_grow((rt_memory *)m, delta);
}

void wrun_memory_max(const wrun_memory *mem, uint64_t *max, bool *has_max) {
  const rt_memory *m = (const rt_memory *)mem;
  if (max) *max = m->has_max ? m->max_pages : 0;
  if (has_max) *has_max = m->has_max;
}
