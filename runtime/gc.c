/* The GC of a store: non-moving mark-sweep over the heap of gc_heap.c,
 * stop-the-world, with an explicit mark stack. Policy: a collection runs
 * when the bytes allocated since the last one pass max(RT_GC_MIN_GROWTH,
 * the live bytes it left), so the heap stays near twice the live set, and
 * before an allocation would pass the store's gc_heap_bytes limit. The
 * design and its figures: docs/design-notes.md, "GC heap and collector". */
#include "gc_heap.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime.h"

/* Below this much allocation no collection runs: small heaps would
 * otherwise collect for every few objects. */
#define RT_GC_MIN_GROWTH ((uint64_t)16 << 20)


/* The bytes allocated after a collection that bring the next: as many as
 * lived through it, at least RT_GC_MIN_GROWTH; none in stress mode. */
static void set_growth(rt_gc_heap *h) {
  uint64_t live = h->stats.live_bytes;
  h->growth = h->stress ? 0 : live > RT_GC_MIN_GROWTH ? live : RT_GC_MIN_GROWTH;
}
#define MARK_STACK_FIRST 4096

rt_gc_heap *rt_gc_heap_new(void) {
  rt_gc_heap *h = calloc(1, sizeof *h);
  if (!h) return NULL;
  /* Read once: the environment is not consulted per allocation. */
  const char *stress = getenv("WRUN_GC_STRESS");
  h->stress = stress && strcmp(stress, "1") == 0;
  set_growth(h);
  return h;
}

void rt_gc_heap_free(rt_gc_heap *h) {
  if (!h) return;
  rt_gc_heap_release_all(h);
  rt_gc_roots_free(h);
  free(h->mark);
  free(h);
}

rt_gc_heap *rt_gc_heap_of(wrun_store *s) {
  if (!s->gc) s->gc = rt_gc_heap_new();
  return s->gc;
}

/* ---- mark --------------------------------------------------------------- */

/* Grows the mark stack; false (the push is dropped and the overflow rescan
 * will find the object) when it may not or cannot. */
static bool grow_mark_stack(rt_gc_heap *h) {
  size_t cap = h->mark_cap ? 2 * h->mark_cap : MARK_STACK_FIRST;
  if (h->mark_limit && cap > h->mark_limit) cap = h->mark_limit;
  if (cap <= h->mark_cap) return false;
  uintptr_t *m = realloc(h->mark, cap * sizeof *m);
  if (!m) return false;
  h->mark = m;
  h->mark_cap = cap;
  return true;
}

/* Marks the object w refers to, if any, and queues it for tracing. */
static void mark_word(rt_gc_heap *h, uintptr_t w) {
  if (!w || (w & 1)) return; /* null, i31 */
#ifdef WRUN_GC_CHECKS
  /* a word that is no object of this heap: a root or stack map is wrong
   * (a lookup per traced word: a tenth of marking, hence debug builds) */
  assert(rt_gc_heap_owns(h, w));
#endif
  uintptr_t *header = (uintptr_t *)w;
  if (*header & RT_GC_MARK) return;
  *header |= RT_GC_MARK;
  if (h->nmark == h->mark_cap && !grow_mark_stack(h)) {
    h->mark_overflow = true;
    return;
  }
  h->mark[h->nmark++] = w;
}

/* Marks what object obj refers to. */
static void trace(rt_gc_heap *h, uintptr_t obj) {
  const rt_gc_rtt *rtt =
      (const rt_gc_rtt *)(*(uintptr_t *)obj & ~RT_GC_MARK);
  const uint8_t *p = (const uint8_t *)obj;
  if (rtt->kind == RT_GC_STRUCT) {
    for (uint32_t k = 0; k < rtt->nrefs; k++)
      mark_word(h, *(const uintptr_t *)(p + rtt->ref_offsets[k]));
  } else if (rtt->kind == RT_GC_ARRAY && rtt->elem_ref) {
    uint32_t len = *(const uint32_t *)(p + RT_GC_ARRAY_LEN);
    const uintptr_t *elems = (const uintptr_t *)(p + RT_GC_ARRAY_DATA);
    for (uint32_t i = 0; i < len; i++) mark_word(h, elems[i]);
  }
}

static void drain(rt_gc_heap *h) {
  while (h->nmark) trace(h, h->mark[--h->nmark]);
}

static void trace_and_drain(rt_gc_heap *h, uintptr_t obj) {
  trace(h, obj);
  drain(h);
}

static void visit_root(void *ctx, uintptr_t *slot) {
  mark_word(ctx, *slot);
}

/* After an overflow some marked objects were never traced: trace every
 * marked object again (each pass marks more, so this ends). */
static void mark_from_roots(wrun_store *s, rt_gc_heap *h) {
  h->mark_overflow = false;
  rt_gc_visit_roots(s, visit_root, h);
  drain(h);
  while (h->mark_overflow) {
    h->mark_overflow = false;
    rt_gc_heap_each_marked(h, trace_and_drain);
  }
}

/* ---- collection and policy ---------------------------------------------- */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool rt_gc_collect(wrun_store *s) {
  rt_gc_heap *h = s->gc;
  /* runtime code holding objects no root scan sees (gc_api.c) */
  if (!h || s->gc_inhibit) return false;
  uint64_t start = now_ns();
  mark_from_roots(s, h);
  uint64_t live = rt_gc_heap_sweep(h);
  h->used_bytes = live;
  h->since_gc = 0;
  uint64_t pause = now_ns() - start;
  rt_gc_counters *c = &h->stats;
  c->collections++;
  c->live_bytes = live;
  set_growth(h);
  c->total_pause_ns += pause;
  if (pause > c->max_pause_ns) c->max_pause_ns = pause;
  return true;
}

static bool over_limit(const wrun_store *s, const rt_gc_heap *h,
                       uint64_t cost) {
  uint64_t limit = s->limits.gc_heap_bytes;
  return h->used_bytes > limit || cost > limit - h->used_bytes;
}

static bool collection_due(const rt_gc_heap *h) {
  return h->since_gc >= h->growth;
}

/* A new object of h: its header, and what it costs counted. */
static void *handed_out(rt_gc_heap *h, void *obj, const rt_gc_rtt *rtt,
                        uint64_t cost) {
  *(const rt_gc_rtt **)obj = rtt;
  h->used_bytes += cost;
  h->since_gc += cost;
  h->stats.allocated_bytes += cost;
  return obj;
}

static void *take(rt_gc_heap *h, int cls, size_t bytes) {
  return cls >= 0 ? rt_gc_heap_cell(h, cls, bytes)
                  : rt_gc_heap_large(h, bytes);
}

void *rt_gc_alloc(wrun_store *s, const rt_gc_rtt *rtt, size_t bytes) {
  rt_gc_heap *h = rt_gc_heap_of(s);
  if (!h) return NULL;
  bytes = bytes < 8 ? 8 : (bytes + 7) & ~(size_t)7;
  int cls = rt_gc_class_of(bytes);
  uint64_t cost = cls >= 0 ? rt_gc_class_size(cls) : rt_gc_large_cost(bytes);
  if (cost > s->limits.gc_heap_bytes) return NULL; /* no collection helps */
  bool collected = collection_due(h) && rt_gc_collect(s);
  if (over_limit(s, h, cost)) {
    if (collected || !rt_gc_collect(s) || over_limit(s, h, cost))
      return NULL;
    collected = true;
  }
  void *obj = take(h, cls, bytes);
  /* The OS refused memory: what a collection frees may be enough. */
  if (!obj && !collected && rt_gc_collect(s)) obj = take(h, cls, bytes);
  return obj ? handed_out(h, obj, rtt, cost) : NULL;
}

bool rt_gc_owns(const wrun_store *s, uintptr_t w) {
  return s->gc && rt_gc_heap_owns(s->gc, w);
}

void rt_gc_set_mark_stack_limit(wrun_store *s, size_t entries) {
  rt_gc_heap *h = rt_gc_heap_of(s);
  if (h) h->mark_limit = entries;
}

/* ---- host boxes --------------------------------------------------------- */

void *rt_gc_box_host(wrun_store *s, void *v) {
  void *box = rt_gc_alloc(s, rt_gc_host_rtt, RT_GC_HOST_SIZE);
  if (box) *(void **)((uint8_t *)box + RT_GC_HOST_VALUE) = v;
  return box;
}

void *rt_gc_unbox_host(uintptr_t w) {
  if (!w || (w & 1)) return (void *)w;
  const rt_gc_rtt *rtt = *(const rt_gc_rtt *const *)w;
  if (rtt->kind != RT_GC_HOST) return (void *)w;
  return *(void **)(w + RT_GC_HOST_VALUE);
}

/* ---- public API --------------------------------------------------------- */

void wrun_store_gc(wrun_store *s) {
  if (s) (void)rt_gc_collect(s);
}

void wrun_store_gc_stats(const wrun_store *s, wrun_gc_stats *out) {
  memset(out, 0, sizeof *out);
  const rt_gc_heap *h = s ? s->gc : NULL;
  if (!h) return;
  out->collections = h->stats.collections;
  out->total_pause_ns = h->stats.total_pause_ns;
  out->max_pause_ns = h->stats.max_pause_ns;
  out->allocated_bytes = h->stats.allocated_bytes;
  out->live_bytes = h->stats.live_bytes;
  out->used_bytes = h->used_bytes;
  out->heap_bytes = h->mapped_bytes;
  out->peak_heap_bytes = h->stats.peak_heap_bytes;
}

wrun_error *wrun_store_set_max_gc_heap(wrun_store *s, uint64_t bytes) {
  uint64_t want = bytes ? bytes : RT_DEFAULT_GC_HEAP_BYTES;
  rt_gc_heap *h = s->gc;
  if (h && h->used_bytes > want) (void)rt_gc_collect(s);
  if (h && h->used_bytes > want)
    return rt_error_new(RT_NO_OFFSET,
                        "GC heap limit of %llu bytes is below the %llu "
                        "bytes of objects the store holds",
                        (unsigned long long)want,
                        (unsigned long long)h->used_bytes);
  s->limits.gc_heap_bytes = want;
  return NULL;
}
