/* Reused memory reservations.
 *
 * A server that instantiates a small module per request makes and drops a
 * linear memory each time. Reserving 8 GiB and unmapping it again is most
 * of that cost (the kernel walks the whole range on munmap), so a dropped
 * standard reservation is kept here instead and handed to the next memory
 * that needs one, as Wasmtime's pooling allocator does (without a fixed
 * slot layout). Its accessible part is emptied with MADV_DONTNEED (the
 * pages go back to the system and read as zero again) but keeps its
 * protection: the next memory, usually of the same module and size,
 * changes protection only where its size differs. The pool holds at most
 * RT_MEMORY_POOL_MAX reservations; they stay counted in the process's
 * reservation budget, and a reservation the budget refuses first empties
 * the pool (rt_memory_pool_drain).
 */
#include "runtime.h"

#include <pthread.h>
#include <sys/mman.h>

typedef struct kept_reservation {
  uint8_t *base;
  size_t accessible; /* the first bytes, read-write and zero */
} kept_reservation;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static kept_reservation pool[RT_MEMORY_POOL_MAX];
static size_t pool_count;

/* Makes exactly the first `want` bytes of a kept reservation read-write. */
static bool protect(kept_reservation k, size_t want) {
  if (k.accessible > want)
    return mprotect(k.base + want, k.accessible - want, PROT_NONE) == 0;
  if (k.accessible < want)
    return mprotect(k.base + k.accessible, want - k.accessible,
                    PROT_READ | PROT_WRITE) == 0;
  return true;
}

uint8_t *rt_memory_pool_take(size_t accessible, bool *dropped) {
  pthread_mutex_lock(&pool_lock);
  bool have = pool_count > 0;
  kept_reservation k = have ? pool[--pool_count] : (kept_reservation){0};
  pthread_mutex_unlock(&pool_lock);
  if (!have) return NULL;
  if (protect(k, accessible)) return k.base;
  munmap(k.base, RT_MEMORY_RESERVATION_BYTES); /* the caller reserves anew */
  *dropped = true;
  return NULL;
}

bool rt_memory_pool_give(uint8_t *base, size_t accessible) {
  if (!RT_MEMORY_RESERVATION_BYTES) return false;
  pthread_mutex_lock(&pool_lock);
  bool full = pool_count == RT_MEMORY_POOL_MAX;
  pthread_mutex_unlock(&pool_lock);
  if (full) return false;
  /* Nothing of this memory may reach the next one. */
  if (accessible && madvise(base, accessible, MADV_DONTNEED) != 0)
    return false;
  pthread_mutex_lock(&pool_lock);
  bool kept = pool_count < RT_MEMORY_POOL_MAX; /* others may have filled it */
  if (kept) pool[pool_count++] = (kept_reservation){base, accessible};
  pthread_mutex_unlock(&pool_lock);
  return kept;
}

size_t rt_memory_pool_drain(void) {
  kept_reservation all[RT_MEMORY_POOL_MAX];
  pthread_mutex_lock(&pool_lock);
  size_t n = pool_count;
  for (size_t i = 0; i < n; i++) all[i] = pool[i];
  pool_count = 0;
  pthread_mutex_unlock(&pool_lock);
  for (size_t i = 0; i < n; i++)
    munmap(all[i].base, RT_MEMORY_RESERVATION_BYTES);
  return n;
}
