/* Internals of the GC heap shared by its files: the chunk allocator
 * (gc_heap.c: pages, size classes, large objects, sweeping), the root
 * registry (gc_roots.c) and the collector (gc.c). Nothing outside
 * runtime/gc*.c includes this. */
#ifndef RT_GC_HEAP_H
#define RT_GC_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc.h"

/* Every object lives in a chunk aligned to RT_GC_CHUNK: a page of one
 * size class, or one large object. The chunk header sits at its base, so
 * an object's chunk is its address with the low bits cleared (the debug
 * check that a traced word belongs to this heap uses it). */
#define RT_GC_CHUNK ((size_t)256 << 10)
#define RT_GC_CHUNK_MAGIC 0x67634368u /* "gcCh" */
#define RT_GC_CHUNK_HEADER 64         /* cells start here: 16-aligned */

/* Objects up to this size go in pages; larger ones get their own chunk. */
#define RT_GC_SMALL_MAX 8192u
#define RT_GC_NCLASSES 19

/* Header words: the mark bit (only during a collection) and the tag of a
 * free cell (an rtt pointer is 8-aligned, so neither bit is ever set in a
 * plain header). A free cell's first word is its free-list link | FREE. */
#define RT_GC_MARK ((uintptr_t)1)
#define RT_GC_FREE ((uintptr_t)2)

typedef struct rt_gc_chunk rt_gc_chunk;
struct rt_gc_chunk {
  uint32_t magic;
  uint8_t large;        /* one large object; else a page of cls */
  uint8_t cls;
  uint16_t pad;
  uint32_t cell_size;
  uint32_t ncells;      /* cells the page holds */
  uint32_t top;         /* cells handed out at least once: the rest is zero */
  uint32_t nlive;       /* after the last sweep */
  size_t map_bytes;     /* bytes mapped (a large chunk: header + object) */
  struct rt_gc_heap *heap;
  rt_gc_chunk *next;    /* pages of the same class / large chunks */
  rt_gc_chunk *prev;
};
_Static_assert(sizeof(rt_gc_chunk) <= RT_GC_CHUNK_HEADER,
               "the chunk header fits before the first cell");

/* Cumulative figures (wrun_gc_stats). */
typedef struct rt_gc_counters {
  uint64_t collections;
  uint64_t total_pause_ns, max_pause_ns;
  uint64_t allocated_bytes; /* objects (cell sizes), ever */
  uint64_t live_bytes;      /* after the last collection */
  uint64_t peak_heap_bytes;
} rt_gc_counters;

/* The containers of the store whose words are roots (gc_roots.c). */
typedef struct rt_gc_vec {
  void **items;
  size_t n, cap;
} rt_gc_vec;

enum { RT_GC_HELD_TABLES, RT_GC_HELD_GLOBALS, RT_GC_HELD_EXNS, RT_GC_NHELD };

struct rt_gc_host_root;

struct rt_gc_heap {
  /* allocation: per class its free list (cells of any page) and pages */
  uintptr_t *free[RT_GC_NCLASSES];
  rt_gc_chunk *pages[RT_GC_NCLASSES]; /* newest first */
  rt_gc_chunk *bump[RT_GC_NCLASSES];  /* the page whose top grows */
  rt_gc_chunk *large;
  /* empty pages kept for reuse: hot ones as they are, the others with
   * their memory given back (MADV_DONTNEED) */
  rt_gc_chunk *hot, *pool;
  uint32_t nhot, npool;
  uint64_t used_bytes;   /* cells handed out and not freed, large included */
  uint64_t mapped_bytes; /* pages and large chunks (pool excluded) */
  uint64_t since_gc;     /* object bytes allocated since the last collection */
  uint64_t growth;       /* since_gc that makes a collection due (gc.c) */
  rt_gc_counters stats;
  bool stress;           /* WRUN_GC_STRESS=1: collect at every allocation */
  /* the mark stack; mark_limit (entries) is lowered by tests */
  uintptr_t *mark;
  size_t nmark, mark_cap, mark_limit;
  bool mark_overflow;
  /* roots held by containers and the host */
  rt_gc_vec held[RT_GC_NHELD];
  struct rt_gc_host_root *host_roots;
};

/* Size classes: 16 and 24 times the powers of two up to 8 KiB (16, 24,
 * 32, 48, 64, ...), so at most a third of a cell is wasted; 24 and 48 fit
 * the common small structs. Computed, not looked up: class 2j is 16 << j,
 * class 2j+1 is 24 << j. */
static inline uint32_t rt_gc_class_size(int cls) {
  return (cls & 1 ? 24u : 16u) << (cls >> 1);
}

/* The class of an object of `bytes`; -1: large. */
static inline int rt_gc_class_of(size_t bytes) {
  if (bytes <= 16) return 0;
  if (bytes > RT_GC_SMALL_MAX) return -1;
  int k = 63 - __builtin_clzll((unsigned long long)bytes - 1); /* 2^k < n */
  size_t p = (size_t)1 << k;
  return bytes <= p + p / 2 ? 2 * (k - 4) + 1 : 2 * (k - 3);
}

/* rt_gc_alloc where it cannot collect, inline for the allocation
 * libcalls: a small object (bytes a multiple of 8) from its class's free
 * list or bump page while no collection is due and the store's limit
 * allows; else NULL, and the caller goes to rt_gc_alloc (publishing its
 * frames first). */
static inline void *rt_gc_alloc_fast(rt_gc_heap *h, uint64_t limit,
                                     const rt_gc_rtt *rtt, size_t bytes) {
  int cls = rt_gc_class_of(bytes);
  if (!h || cls < 0) return NULL;
  uint64_t cost = rt_gc_class_size(cls);
  if (h->since_gc + cost > h->growth || h->used_bytes + cost > limit)
    return NULL;
  uintptr_t *c = h->free[cls];
  if (c) { /* a swept cell: zeroed here */
    h->free[cls] = (uintptr_t *)(c[0] & ~RT_GC_FREE);
    for (size_t i = 1; i < bytes / 8; i++) c[i] = 0;
  } else {
    rt_gc_chunk *p = h->bump[cls];
    if (!p || p->top == p->ncells) return NULL;
    /* never handed out: still zero */
    c = (uintptr_t *)((uint8_t *)p + RT_GC_CHUNK_HEADER +
                      (size_t)p->top++ * p->cell_size);
  }
  c[0] = (uintptr_t)rtt;
  h->used_bytes += cost;
  h->since_gc += cost;
  h->stats.allocated_bytes += cost;
  return c;
}

/* gc_heap.c: cells, pages, large chunks. */
/* A cell of class cls, zeroed for `bytes`; NULL when out of memory (the
 * caller has checked the limit). */
void *rt_gc_heap_cell(rt_gc_heap *h, int cls, size_t bytes);
void *rt_gc_heap_large(rt_gc_heap *h, size_t bytes);
/* What a large object of `bytes` costs: the bytes its chunk maps. */
uint64_t rt_gc_large_cost(size_t bytes);
/* Frees every unmarked object, unmarks the others; returns live bytes. */
uint64_t rt_gc_heap_sweep(rt_gc_heap *h);
/* Calls f on every object whose header is marked (the mark stack's
 * overflow rescan). */
void rt_gc_heap_each_marked(rt_gc_heap *h, void (*f)(rt_gc_heap *, uintptr_t));
void rt_gc_heap_release_all(rt_gc_heap *h);
/* Debug: whether w is the start of an object of h. */
bool rt_gc_heap_owns(const rt_gc_heap *h, uintptr_t w);

/* gc_roots.c: every root of the store, given to visit. */
void rt_gc_visit_roots(struct wrun_store *s, rt_gc_visit visit, void *ctx);
void rt_gc_roots_free(rt_gc_heap *h);

#endif
