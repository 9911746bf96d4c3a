/* The GC heap's memory: size-class pages and large chunks, all aligned to
 * RT_GC_CHUNK, and the sweep that frees unmarked cells. Objects never move.
 *
 * A page holds cells of one size; cells below its `top` have been handed
 * out at least once, the ones above never were, so a fresh page costs RSS
 * only as it fills and the sweep looks at used cells only. A cell is live
 * (its first word an rtt pointer, marked or not) or free (first word: the
 * next free cell | RT_GC_FREE). The sweep rebuilds every class's free
 * list, page by page in address order, and gives pages with no live cell
 * back to the OS (keeping a few for the next cycle). */
#include "gc_heap.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

_Static_assert(RT_GC_NCLASSES == 19 && RT_GC_SMALL_MAX == 16u << 9,
               "the last class is the small max");

/* Empty pages kept for the next ones: HOT_MAX resident (the next cycle
 * reuses them without page faults: 16 MiB, the least a cycle allocates,
 * RT_GC_MIN_GROWTH in gc.c), POOL_MAX more with their memory given back;
 * the rest are unmapped. */
#define HOT_MAX 64
#define POOL_MAX 16

static size_t os_page(void) {
  static size_t page;
  if (!page) page = (size_t)sysconf(_SC_PAGESIZE);
  return page;
}

/* `bytes` (a multiple of the OS page) at an RT_GC_CHUNK-aligned address:
 * map a chunk more and trim both ends. */
static void *map_aligned(size_t bytes) {
  size_t len = bytes + RT_GC_CHUNK;
  uint8_t *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return NULL;
  uintptr_t base = ((uintptr_t)p + RT_GC_CHUNK - 1) & ~(RT_GC_CHUNK - 1);
  size_t head = base - (uintptr_t)p, tail = len - head - bytes;
  if (head) munmap(p, head);
  if (tail) munmap((uint8_t *)base + bytes, tail);
  return (void *)base;
}

static void note_mapped(rt_gc_heap *h, size_t bytes) {
  h->mapped_bytes += bytes;
  if (h->mapped_bytes > h->stats.peak_heap_bytes)
    h->stats.peak_heap_bytes = h->mapped_bytes;
}

static void link_chunk(rt_gc_chunk **list, rt_gc_chunk *c) {
  c->prev = NULL;
  c->next = *list;
  if (*list) (*list)->prev = c;
  *list = c;
}

static void unlink_chunk(rt_gc_chunk **list, rt_gc_chunk *c) {
  if (c->prev) c->prev->next = c->next;
  else *list = c->next;
  if (c->next) c->next->prev = c->prev;
}

static rt_gc_chunk *pop(rt_gc_chunk **list, uint32_t *n) {
  rt_gc_chunk *p = *list;
  if (p) {
    *list = p->next;
    (*n)--;
  }
  return p;
}

static void push(rt_gc_chunk **list, uint32_t *n, rt_gc_chunk *p) {
  p->next = *list;
  *list = p;
  (*n)++;
}

static rt_gc_chunk *new_page(rt_gc_heap *h, int cls) {
  rt_gc_chunk *p = pop(&h->hot, &h->nhot);
  if (!p) p = pop(&h->pool, &h->npool);
  if (!p && !(p = map_aligned(RT_GC_CHUNK))) return NULL;
  memset(p, 0, sizeof *p);
  p->magic = RT_GC_CHUNK_MAGIC;
  p->cls = (uint8_t)cls;
  p->cell_size = rt_gc_class_size(cls);
  p->ncells = (uint32_t)((RT_GC_CHUNK - RT_GC_CHUNK_HEADER) / p->cell_size);
  p->map_bytes = RT_GC_CHUNK;
  p->heap = h;
  link_chunk(&h->pages[cls], p);
  note_mapped(h, RT_GC_CHUNK);
  return p;
}

/* A page with no live cell: kept hot, or kept with its memory given back
 * (all but the header's OS page, which links it), or unmapped. Its cells
 * need no clearing: allocation clears every cell it hands out. */
static void release_page(rt_gc_heap *h, rt_gc_chunk *p) {
  unlink_chunk(&h->pages[p->cls], p);
  if (h->bump[p->cls] == p) h->bump[p->cls] = NULL;
  h->mapped_bytes -= RT_GC_CHUNK;
  if (h->nhot < HOT_MAX) {
    push(&h->hot, &h->nhot, p);
  } else if (h->npool < POOL_MAX) {
    size_t first = os_page();
    madvise((uint8_t *)p + first, RT_GC_CHUNK - first, MADV_DONTNEED);
    push(&h->pool, &h->npool, p);
  } else {
    munmap(p, RT_GC_CHUNK);
  }
}

static uint8_t *cell_at(rt_gc_chunk *p, uint32_t i) {
  return (uint8_t *)p + RT_GC_CHUNK_HEADER + (size_t)i * p->cell_size;
}

void *rt_gc_heap_cell(rt_gc_heap *h, int cls, size_t bytes) {
  uintptr_t *c = h->free[cls];
  if (c) {
    h->free[cls] = (uintptr_t *)(c[0] & ~RT_GC_FREE);
  } else {
    rt_gc_chunk *p = h->bump[cls];
    if (!p || p->top == p->ncells) {
      if (!(p = new_page(h, cls))) return NULL;
      h->bump[cls] = p;
    }
    c = (uintptr_t *)cell_at(p, p->top++);
  }
  memset(c, 0, bytes); /* a pooled page is not zero, a fresh one is */
  return c;
}

/* Bytes a large chunk maps for an object of `bytes`. */
static size_t large_map_bytes(size_t bytes) {
  size_t page = os_page();
  return (RT_GC_CHUNK_HEADER + bytes + page - 1) & ~(page - 1);
}

uint64_t rt_gc_large_cost(size_t bytes) { return large_map_bytes(bytes); }

void *rt_gc_heap_large(rt_gc_heap *h, size_t bytes) {
  size_t len = large_map_bytes(bytes);
  rt_gc_chunk *c = map_aligned(len);
  if (!c) return NULL;
  c->magic = RT_GC_CHUNK_MAGIC;
  c->large = 1;
  c->map_bytes = len;
  c->heap = h;
  link_chunk(&h->large, c);
  note_mapped(h, len);
  return (uint8_t *)c + RT_GC_CHUNK_HEADER;
}

/* One page: unmark the live cells, chain the others (in address order)
 * onto the class's free list; false when nothing lives there. */
static bool sweep_page(rt_gc_heap *h, rt_gc_chunk *p) {
  uintptr_t *head = NULL, *tail = NULL;
  uint32_t live = 0;
  for (uint32_t i = p->top; i-- > 0;) {
    uintptr_t *c = (uintptr_t *)cell_at(p, i);
    uintptr_t w = c[0];
    if ((w & RT_GC_MARK) && !(w & RT_GC_FREE)) {
      c[0] = w & ~RT_GC_MARK;
      live++;
      continue;
    }
    c[0] = (uintptr_t)head | RT_GC_FREE;
    head = c;
    if (!tail) tail = c;
  }
  p->nlive = live;
  if (!live) return false;
  if (tail) {
    tail[0] = (uintptr_t)h->free[p->cls] | RT_GC_FREE;
    h->free[p->cls] = head;
  }
  return true;
}

uint64_t rt_gc_heap_sweep(rt_gc_heap *h) {
  uint64_t live = 0;
  for (int cls = 0; cls < RT_GC_NCLASSES; cls++) {
    h->free[cls] = NULL;
    rt_gc_chunk *next;
    for (rt_gc_chunk *p = h->pages[cls]; p; p = next) {
      next = p->next;
      if (sweep_page(h, p)) live += (uint64_t)p->nlive * p->cell_size;
      else release_page(h, p);
    }
  }
  rt_gc_chunk *next;
  for (rt_gc_chunk *c = h->large; c; c = next) {
    next = c->next;
    uintptr_t *obj = (uintptr_t *)((uint8_t *)c + RT_GC_CHUNK_HEADER);
    if (obj[0] & RT_GC_MARK) {
      obj[0] &= ~RT_GC_MARK;
      live += c->map_bytes;
      continue;
    }
    unlink_chunk(&h->large, c);
    h->mapped_bytes -= c->map_bytes;
    munmap(c, c->map_bytes);
  }
  return live;
}

void rt_gc_heap_each_marked(rt_gc_heap *h,
                            void (*f)(rt_gc_heap *, uintptr_t)) {
  for (int cls = 0; cls < RT_GC_NCLASSES; cls++)
    for (rt_gc_chunk *p = h->pages[cls]; p; p = p->next)
      for (uint32_t i = 0; i < p->top; i++) {
        uint8_t *c = cell_at(p, i);
        uintptr_t w = *(uintptr_t *)c;
        if ((w & RT_GC_MARK) && !(w & RT_GC_FREE)) f(h, (uintptr_t)c);
      }
  for (rt_gc_chunk *c = h->large; c; c = c->next) {
    uint8_t *obj = (uint8_t *)c + RT_GC_CHUNK_HEADER;
    if (*(uintptr_t *)obj & RT_GC_MARK) f(h, (uintptr_t)obj);
  }
}

bool rt_gc_heap_owns(const rt_gc_heap *h, uintptr_t w) {
  const rt_gc_chunk *c = (const rt_gc_chunk *)(w & ~(RT_GC_CHUNK - 1));
  if (c->magic != RT_GC_CHUNK_MAGIC || c->heap != h) return false;
  uintptr_t first = (uintptr_t)c + RT_GC_CHUNK_HEADER;
  if (c->large) return w == first;
  if (w < first || (w - first) % c->cell_size) return false;
  return (w - first) / c->cell_size < c->top &&
         !(*(const uintptr_t *)w & RT_GC_FREE);
}

static void unmap_list(rt_gc_chunk *c) {
  while (c) {
    rt_gc_chunk *next = c->next;
    munmap(c, c->map_bytes);
    c = next;
  }
}

void rt_gc_heap_release_all(rt_gc_heap *h) {
  for (int cls = 0; cls < RT_GC_NCLASSES; cls++) unmap_list(h->pages[cls]);
  unmap_list(h->large);
  unmap_list(h->hot);
  unmap_list(h->pool);
}
