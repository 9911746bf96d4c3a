/* memory.atomic.wait and memory.atomic.notify: a futex-like wait queue
 * keyed by host address (docs/design-notes.md, "Threads").
 *
 * A shared memory never moves and is one object however many instances or
 * stores import it, so the address of a byte in it names that location
 * process-wide. Waiters hang on lists in a fixed table of buckets, each
 * with its own mutex; a waiter sleeps on a condition variable of its own
 * (on the monotonic clock), so notify wakes exactly the waiters it
 * removes, in the order they began to wait. wait compares the value under
 * the bucket's lock, and notify takes the same lock, so no notify can slip
 * between the compare and the sleep. */
#include "runtime.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

typedef struct rt_waiter {
  pthread_cond_t cond;
  const void *addr;
  bool woken;
  struct rt_waiter *next;
} rt_waiter;

typedef struct wait_bucket {
  pthread_mutex_t lock;
  rt_waiter *head, *tail;
} wait_bucket;

enum { WAIT_BUCKETS = 64 };
static wait_bucket buckets[WAIT_BUCKETS];
static pthread_once_t buckets_once = PTHREAD_ONCE_INIT;

static void init_buckets(void) {
  for (int i = 0; i < WAIT_BUCKETS; i++)
    pthread_mutex_init(&buckets[i].lock, NULL);
}

static wait_bucket *bucket_of(const void *addr) {
  pthread_once(&buckets_once, init_buckets);
  uintptr_t a = (uintptr_t)addr >> 2;
  return &buckets[(a ^ (a >> 6) ^ (a >> 12)) % WAIT_BUCKETS];
}

static void unlink_waiter(wait_bucket *bk, rt_waiter *w) {
  rt_waiter *prev = NULL;
  for (rt_waiter *p = bk->head; p; prev = p, p = p->next) {
    if (p != w) continue;
    if (prev) prev->next = p->next; else bk->head = p->next;
    if (bk->tail == p) bk->tail = prev;
    return;
  }
}

int32_t rt_atomic_wait(const void *addr, uint64_t expected, bool is64,
                       int64_t timeout_ns) {
  wait_bucket *bk = bucket_of(addr);
  pthread_mutex_lock(&bk->lock);
  uint64_t now_value =
      is64 ? __atomic_load_n((const uint64_t *)addr, __ATOMIC_SEQ_CST)
           : __atomic_load_n((const uint32_t *)addr, __ATOMIC_SEQ_CST);
  if (now_value != expected) {
    pthread_mutex_unlock(&bk->lock);
    return 1; /* "not-equal" */
  }
  if (timeout_ns == 0) {
    pthread_mutex_unlock(&bk->lock);
    return 2; /* "timed-out" */
  }
  rt_waiter w = {.addr = addr};
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&w.cond, &attr);
  pthread_condattr_destroy(&attr);
  if (bk->tail) bk->tail->next = &w; else bk->head = &w;
  bk->tail = &w;
  struct timespec deadline;
  if (timeout_ns > 0) {
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t)(timeout_ns / 1000000000);
    deadline.tv_nsec += (long)(timeout_ns % 1000000000);
    if (deadline.tv_nsec >= 1000000000) {
      deadline.tv_sec++;
      deadline.tv_nsec -= 1000000000;
    }
  }
  while (!w.woken) {
    int rc = timeout_ns < 0 ? pthread_cond_wait(&w.cond, &bk->lock)
                            : pthread_cond_timedwait(&w.cond, &bk->lock,
                                                     &deadline);
    if (rc == ETIMEDOUT && !w.woken) {
      unlink_waiter(bk, &w);
      break;
    }
  }
  bool woken = w.woken;
  pthread_mutex_unlock(&bk->lock);
  pthread_cond_destroy(&w.cond);
  return woken ? 0 : 2; /* "ok" or "timed-out" */
}

uint32_t rt_atomic_notify(const void *addr, uint32_t count) {
  wait_bucket *bk = bucket_of(addr);
  uint32_t n = 0;
  pthread_mutex_lock(&bk->lock);
  rt_waiter *prev = NULL, *p = bk->head;
  while (p && n < count) {
    rt_waiter *next = p->next;
    if (p->addr == addr) {
      if (prev) prev->next = next; else bk->head = next;
      if (bk->tail == p) bk->tail = prev;
      p->woken = true;
      pthread_cond_signal(&p->cond);
      n++;
    } else {
      prev = p;
    }
    p = next;
  }
  pthread_mutex_unlock(&bk->lock);
  return n;
}
