/* The GC heap and collector (runtime/gc*.c), driven from the host side
 * with no wasm frame active: objects made with rt_gc_alloc from rtts of
 * interned struct and array types, rooted through host tables, globals,
 * exceptions and host roots; and at the end the 10 GB churn again, from
 * a wasm program. The big cases print their figures (RSS,
 * pauses, throughput) on stderr; docs/design-notes.md quotes them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "exception.h"
#include "gc.h"
#include "runtime.h"
#include "wasm_build.h"

enum { ANYREF = HT_ANY };

static const rt_gc_rtt *intern(uint8_t kind, rt_valtype *fields, uint32_t n) {
  bool mut[4] = {true, true, true, true};
  rt_functype t = {0};
  t.kind = kind;
  t.final = true;
  t.super = RT_NO_SUPER;
  t.nfields = n;
  t.types = fields;
  t.mut = mut;
  uint32_t id = rt_engine_intern_group(&t, 1);
  cr_assert(id);
  const rt_gc_rtt *rtt = rt_gc_rtt_of(id);
  cr_assert_not_null(rtt);
  return rtt;
}

/* node: struct { mut i64 value, mut anyref next } (24 bytes) */
static const rt_gc_rtt *node_rtt(void) {
  return intern(RT_STRUCT_TYPE, (rt_valtype[]){VT_I64, ANYREF}, 2);
}
static const rt_gc_rtt *refs_rtt(void) { /* array (mut anyref) */
  return intern(RT_ARRAY_TYPE, (rt_valtype[]){ANYREF}, 1);
}
static const rt_gc_rtt *i64s_rtt(void) { /* array (mut i64) */
  return intern(RT_ARRAY_TYPE, (rt_valtype[]){VT_I64}, 1);
}

typedef struct world {
  wrun_engine *engine;
  wrun_store *store;
  rt_table *roots; /* a host table of anyref: its elements are roots */
} world;

static world world_new(uint32_t nroots) {
  world w;
  w.engine = wrun_engine_new();
  w.store = wrun_store_new(w.engine);
  cr_assert(w.engine && w.store);
  wrun_val null = {.type = WRUN_ANYREF};
  w.roots = (rt_table *)wrun_table_new(w.store, WRUN_ANYREF, nroots, nroots,
                                       true, null);
  cr_assert_not_null(w.roots);
  return w;
}

static void world_free(world *w) {
  wrun_store_delete(w->store);
  wrun_engine_delete(w->engine);
}

static int64_t *node_value(uint8_t *n, const rt_gc_rtt *r) {
  return (int64_t *)(n + r->field_offsets[0]);
}
static uint8_t **node_next(uint8_t *n, const rt_gc_rtt *r) {
  return (uint8_t **)(n + r->field_offsets[1]);
}

static uint8_t *new_node(wrun_store *s, const rt_gc_rtt *r, int64_t v,
                         uint8_t *next) {
  uint8_t *n = rt_gc_alloc(s, r, r->size);
  if (!n) return NULL;
  *node_value(n, r) = v;
  *node_next(n, r) = next;
  return n;
}

static uint8_t *new_array(wrun_store *s, const rt_gc_rtt *r, uint32_t len) {
  uint8_t *a = rt_gc_alloc(s, r, rt_gc_array_bytes(r, len));
  if (a) *(uint32_t *)(a + RT_GC_ARRAY_LEN) = len;
  return a;
}

static uintptr_t *elems(uint8_t *a) {
  return (uintptr_t *)(a + RT_GC_ARRAY_DATA);
}

static wrun_gc_stats stats_of(wrun_store *s) {
  wrun_gc_stats st;
  wrun_store_gc_stats(s, &st);
  return st;
}

static uint64_t rss_bytes(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long size = 0, resident = 0;
  if (f) {
    if (fscanf(f, "%lu %lu", &size, &resident) != 2) resident = 0;
    fclose(f);
  }
  return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

static double seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void report(const char *what, wrun_store *s) {
  wrun_gc_stats st = stats_of(s);
  fprintf(stderr,
          "gc_heap %s: %llu collections, pause max %.2f ms mean %.2f ms, "
          "allocated %.1f MB, live %.1f MB, heap %.1f MB (peak %.1f MB), "
          "RSS %.1f MB\n",
          what, (unsigned long long)st.collections, st.max_pause_ns / 1e6,
          st.collections ? st.total_pause_ns / 1e6 / st.collections : 0.0,
          st.allocated_bytes / 1e6, st.live_bytes / 1e6, st.heap_bytes / 1e6,
          st.peak_heap_bytes / 1e6, rss_bytes() / 1e6);
}

/* (i) 10 GB through a ring of 48 rooted blocks of about 1.06 MB each: a
 * 1 MiB i64 array (its pages written) and 255 small nodes. RSS must
 * follow the ~51 MB live set, not what was allocated. */
#define RING 48
#define DATA_LEN (128u * 1024)
#define BLOCK_NODES 255

static void fill_block(wrun_store *s, uint8_t *block, uint64_t seq,
                       const rt_gc_rtt *node, const rt_gc_rtt *i64s) {
  uint8_t *data = new_array(s, i64s, DATA_LEN);
  cr_assert_not_null(data);
  elems(block)[0] = (uintptr_t)data;
  for (uint32_t k = 0; k < DATA_LEN; k += 512) /* one word an OS page */
    ((int64_t *)elems(data))[k] = (int64_t)(seq + k);
  for (uint32_t j = 1; j <= BLOCK_NODES; j++) {
    uint8_t *n = new_node(s, node, (int64_t)(seq * 1000 + j), NULL);
    cr_assert_not_null(n);
    elems(block)[j] = (uintptr_t)n;
  }
}

static void check_block(uint8_t *block, uint64_t seq, const rt_gc_rtt *node) {
  uint8_t *data = (uint8_t *)elems(block)[0];
  for (uint32_t k = 0; k < DATA_LEN; k += 512)
    cr_assert_eq(((int64_t *)elems(data))[k], (int64_t)(seq + k));
  for (uint32_t j = 1; j <= BLOCK_NODES; j++)
    cr_assert_eq(*node_value((uint8_t *)elems(block)[j], node),
                 (int64_t)(seq * 1000 + j));
}

Test(gc_heap, ten_gb_through_a_50_mb_live_set_stays_under_200_mb_rss) {
  world w = world_new(RING);
  const rt_gc_rtt *node = node_rtt(), *refs = refs_rtt(), *i64s = i64s_rtt();
  uint64_t seq = 0, peak_rss = 0;
  double start = seconds();
  while (stats_of(w.store).allocated_bytes < (uint64_t)10 << 30) {
    uint8_t *block = new_array(w.store, refs, 1 + BLOCK_NODES);
    cr_assert_not_null(block);
    w.roots->elems[seq % RING] = block; /* the old block dies here */
    fill_block(w.store, block, seq, node, i64s);
    if (++seq % 256 == 0) {
      uint64_t rss = rss_bytes();
      if (rss > peak_rss) peak_rss = rss;
    }
  }
  double elapsed = seconds() - start;
  for (uint64_t k = seq - RING; k < seq; k++)
    check_block(w.roots->elems[k % RING], k, node);
  wrun_store_gc(w.store);
  wrun_gc_stats st = stats_of(w.store);
  report("10GB churn", w.store);
  fprintf(stderr, "gc_heap 10GB churn: %llu blocks in %.2f s (%.2f GB/s), "
                  "peak sampled RSS %.1f MB\n",
          (unsigned long long)seq, elapsed,
          st.allocated_bytes / elapsed / 1e9, peak_rss / 1e6);
  cr_expect_gt(st.collections, 50);
  cr_expect_lt(st.live_bytes, (uint64_t)60 << 20);
  cr_expect_gt(st.live_bytes, (uint64_t)45 << 20);
  cr_expect_lt(peak_rss, (uint64_t)200 << 20);
  cr_expect_lt(st.peak_heap_bytes, (uint64_t)160 << 20);
  world_free(&w);
}

/* (ii) ten million nodes, built while collections run, walked after one. */
#define MILLIONS(n) ((uint64_t)(n) * 1000000)

Test(gc_heap, a_linked_list_of_ten_million_nodes_survives) {
  world w = world_new(1);
  const rt_gc_rtt *node = node_rtt();
  uint8_t *head = NULL;
  for (uint64_t i = 0; i < MILLIONS(10); i++) {
    head = new_node(w.store, node, (int64_t)i, head);
    cr_assert_not_null(head);
    w.roots->elems[0] = head;
  }
  cr_expect_gt(stats_of(w.store).collections, 0);
  double t = seconds();
  wrun_store_gc(w.store);
  fprintf(stderr, "gc_heap list: collection of 10M nodes in %.1f ms\n",
          (seconds() - t) * 1e3);
  report("10M-node list", w.store);
  uint64_t count = 0;
  for (uint8_t *n = w.roots->elems[0]; n; n = *node_next(n, node)) {
    cr_assert_eq(*node_value(n, node), (int64_t)(MILLIONS(10) - 1 - count));
    count++;
  }
  cr_expect_eq(count, MILLIONS(10));
  cr_expect_eq(stats_of(w.store).live_bytes, MILLIONS(10) * 24);
  world_free(&w);
}

/* The pause for 50 MB of live small structs (a tree-shaped graph: arrays
 * of 62 nodes: 512-byte cells), measured over 5 collections. */
Test(gc_heap, pause_for_a_50_mb_live_set_of_small_structs) {
  world w = world_new(1);
  const rt_gc_rtt *node = node_rtt(), *refs = refs_rtt();
  uint32_t nbranches = 26500; /* each 512 + 62 * 24 bytes */
  uint8_t *top = new_array(w.store, refs, nbranches);
  w.roots->elems[0] = top;
  for (uint32_t i = 0; i < nbranches; i++) {
    uint8_t *branch = new_array(w.store, refs, 62);
    elems(top)[i] = (uintptr_t)branch;
    for (uint32_t j = 0; j < 62; j++)
      elems(branch)[j] = (uintptr_t)new_node(w.store, node, j, NULL);
  }
  wrun_gc_stats before = stats_of(w.store);
  for (int i = 0; i < 5; i++) wrun_store_gc(w.store);
  wrun_gc_stats after = stats_of(w.store);
  fprintf(stderr, "gc_heap 50 MB of small structs (%u objects): pause "
                  "mean %.1f ms over 5 collections\n",
          nbranches * 63 + 1,
          (after.total_pause_ns - before.total_pause_ns) / 5e6);
  report("50 MB small", w.store);
  cr_expect_gt(after.live_bytes, (uint64_t)50 << 20);
  world_free(&w);
}

/* (iii) a chain ten million deep through one-element arrays: marking it
 * recursively would take the C stack. */
Test(gc_heap, a_ten_million_deep_chain_of_arrays_marks_without_recursion) {
  world w = world_new(1);
  const rt_gc_rtt *refs = refs_rtt();
  uint8_t *head = NULL;
  for (uint64_t i = 0; i < MILLIONS(10); i++) {
    uint8_t *a = new_array(w.store, refs, 1);
    cr_assert_not_null(a);
    elems(a)[0] = (uintptr_t)head;
    w.roots->elems[0] = head = a;
  }
  wrun_store_gc(w.store);
  uint64_t depth = 0;
  for (uint8_t *a = w.roots->elems[0]; a; a = (uint8_t *)elems(a)[0])
    depth++;
  cr_expect_eq(depth, MILLIONS(10));
  cr_expect_eq(stats_of(w.store).live_bytes, MILLIONS(10) * 24);
  world_free(&w);
}

/* A mark stack of 4 entries: its overflow rescans, and nothing is lost. */
Test(gc_heap, an_overflowing_mark_stack_still_marks_everything) {
  world w = world_new(1);
  const rt_gc_rtt *node = node_rtt(), *refs = refs_rtt();
  uint8_t *wide = new_array(w.store, refs, 10000);
  w.roots->elems[0] = wide;
  for (uint32_t i = 0; i < 10000; i++) {
    uint8_t *tail = new_node(w.store, node, i + 2000000, NULL);
    uint8_t *mid = new_node(w.store, node, i + 1000000, tail);
    elems(wide)[i] = (uintptr_t)new_node(w.store, node, i, mid);
  }
  rt_gc_set_mark_stack_limit(w.store, 4);
  uint64_t before = stats_of(w.store).used_bytes;
  wrun_store_gc(w.store);
  cr_expect_eq(stats_of(w.store).live_bytes, before);
  for (uint32_t i = 0; i < 10000; i++) {
    uint8_t *n = (uint8_t *)elems(wide)[i];
    for (int64_t k = 0; k < 3; k++, n = *node_next(n, node))
      cr_assert_eq(*node_value(n, node), i + k * 1000000);
  }
  world_free(&w);
}

/* (iv) unreachable cycles are freed, their pages given back; a reachable
 * one survives. */
Test(gc_heap, unreachable_cycles_are_freed_reachable_ones_kept) {
  world w = world_new(1);
  const rt_gc_rtt *node = node_rtt();
  uint8_t *a = new_node(w.store, node, 1, NULL);
  *node_next(a, node) = new_node(w.store, node, 2, a);
  w.roots->elems[0] = a;
  for (int i = 0; i < 80000; i++) { /* 3.8 MB: under the first trigger */
    uint8_t *x = new_node(w.store, node, i, NULL);
    *node_next(x, node) = new_node(w.store, node, -i, x);
  }
  wrun_gc_stats before = stats_of(w.store);
  wrun_store_gc(w.store);
  wrun_gc_stats after = stats_of(w.store);
  cr_expect_eq(before.collections, 0);
  cr_expect_gt(before.heap_bytes, (uint64_t)3 << 20);
  cr_expect_lt(after.heap_bytes, before.heap_bytes);
  cr_expect_eq(after.live_bytes, 48);
  cr_expect_leq(after.heap_bytes, (uint64_t)256 << 10); /* one page */
  uint8_t *b = *node_next(a, node);
  cr_expect_eq(*node_value(b, node), 2);
  cr_expect_eq(*node_next(b, node), a);
  world_free(&w);
}

/* (v) past the limit an allocation fails, even after collecting; the
 * store stays usable and takes more once roots go. */
Test(gc_heap, the_heap_limit_gives_null_and_the_store_stays_usable) {
  world w = world_new(1);
  const rt_gc_rtt *i64s = i64s_rtt();
  cr_assert_null(wrun_store_set_max_gc_heap(w.store, (uint64_t)8 << 20));
  uint8_t *kept[200];
  int n = 0;
  while (n < 200 && (kept[n] = new_array(w.store, i64s, 8192))) {
    cr_assert(rt_gc_root_add(w.store, (uintptr_t)kept[n]));
    n++;
  }
  cr_expect_lt(n, 200);
  cr_expect_gt(n, 100); /* 8 MiB of 68 KiB chunks */
  cr_expect_leq(stats_of(w.store).used_bytes, (uint64_t)8 << 20);
  /* A lower limit than what lives is refused. */
  wrun_error *err = wrun_store_set_max_gc_heap(w.store, (uint64_t)1 << 20);
  cr_expect_not_null(err);
  wrun_error_delete(err);
  for (int i = 0; i < n; i++) rt_gc_root_remove(w.store, (uintptr_t)kept[i]);
  uint8_t *again = new_array(w.store, i64s, 8192);
  cr_expect_not_null(again);
  /* an object larger than the whole limit */
  cr_expect_null(new_array(w.store, i64s, 2u << 20));
  world_free(&w);
}

/* (vi) WRUN_GC_STRESS=1: one collection per allocation, nothing lost. */
Test(gc_heap, stress_mode_collects_at_every_allocation) {
  setenv("WRUN_GC_STRESS", "1", 1);
  world w = world_new(1);
  unsetenv("WRUN_GC_STRESS");
  const rt_gc_rtt *node = node_rtt();
  uint8_t *head = NULL;
  for (int i = 0; i < 20000; i++) {
    head = new_node(w.store, node, i, head);
    w.roots->elems[0] = head;
    (void)new_node(w.store, node, -1, NULL); /* garbage at once */
  }
  cr_expect_eq(stats_of(w.store).collections, 40000);
  int count = 0;
  for (uint8_t *n = w.roots->elems[0]; n; n = *node_next(n, node))
    cr_assert_eq(*node_value(n, node), 19999 - count++);
  cr_expect_eq(count, 20000);
  world_free(&w);
}

/* While runtime code holds objects no root scan sees (rt_gc_inhibit), the
 * heap only grows; collections resume after. */
Test(gc_heap, no_collection_while_inhibited) {
  world w = world_new(1);
  const rt_gc_rtt *node = node_rtt();
  rt_gc_inhibit(w.store, true);
  for (int i = 0; i < 400000; i++) (void)new_node(w.store, node, i, NULL);
  wrun_store_gc(w.store);
  cr_expect_eq(stats_of(w.store).collections, 0);
  rt_gc_inhibit(w.store, false);
  wrun_store_gc(w.store);
  cr_expect_eq(stats_of(w.store).collections, 1);
  cr_expect_eq(stats_of(w.store).live_bytes, 0);
  world_free(&w);
}

/* Each kind of root keeps its object; host roots are counted. */
Test(gc_heap, globals_exceptions_and_host_roots_are_roots) {
  world w = world_new(1);
  const rt_gc_rtt *node = node_rtt();
  wrun_val null = {.type = WRUN_ANYREF};
  wrun_global *g = wrun_global_new(w.store, WRUN_ANYREF, true, null);
  cr_assert_not_null(g);
  uint8_t *in_global = new_node(w.store, node, 10, NULL);
  g->cell->value[0] = (uintptr_t)in_global;

  wrun_valtype anyref = WRUN_ANYREF;
  wrun_tag *tag = wrun_tag_new(w.store, &anyref, 1);
  cr_assert_not_null(tag);
  uint8_t *in_exn = new_node(w.store, node, 20, NULL);
  uint64_t payload[1] = {(uintptr_t)in_exn};
  cr_assert_not_null(rt_exn_new(w.store, tag, payload));

  uint8_t *held = new_node(w.store, node, 30, NULL);
  cr_assert(rt_gc_root_add(w.store, (uintptr_t)held));
  cr_assert(rt_gc_root_add(w.store, (uintptr_t)held));
  cr_assert(rt_gc_root_add(w.store, 7)); /* an i31: ignored */
  (void)new_node(w.store, node, 40, NULL);

  wrun_store_gc(w.store);
  cr_expect_eq(stats_of(w.store).live_bytes, 3 * 24);
  cr_expect_eq(*node_value(in_global, node), 10);
  cr_expect_eq(*node_value(in_exn, node), 20);
  rt_gc_root_remove(w.store, (uintptr_t)held);
  wrun_store_gc(w.store);
  cr_expect_eq(stats_of(w.store).live_bytes, 3 * 24);
  rt_gc_root_remove(w.store, (uintptr_t)held);
  wrun_store_gc(w.store);
  cr_expect_eq(stats_of(w.store).live_bytes, 2 * 24);
  world_free(&w);
}

/* The host's view: an object a host API call hands out is rooted until
 * its scope ends; wrun_anyref_root keeps it beyond, until unrooted. */
Test(gc_heap, host_scopes_and_manual_roots) {
  world w = world_new(1);
  const rt_gc_rtt *node = node_rtt();
  wrun_val null = {.type = WRUN_ANYREF};
  wrun_global *g = wrun_global_new(w.store, WRUN_ANYREF, true, null);
  cr_assert_not_null(g);
  uint8_t *obj = new_node(w.store, node, 5, NULL);
  g->cell->value[0] = (uintptr_t)obj;
  size_t mark = wrun_gc_scope_begin(w.store);
  wrun_val got;
  wrun_global_get(g, &got); /* rooted in the scope */
  cr_assert_eq(got.of.anyref, obj);
  cr_expect_eq(wrun_anyref_kind_of(got.of.anyref), WRUN_ANYREF_STRUCT);
  g->cell->value[0] = 0; /* only the host has it now */
  wrun_store_gc(w.store);
  cr_expect_eq(stats_of(w.store).live_bytes, 24);
  cr_assert(wrun_anyref_root(w.store, got.of.anyref));
  wrun_gc_scope_end(w.store, mark);
  wrun_store_gc(w.store);
  cr_expect_eq(stats_of(w.store).live_bytes, 24);
  cr_expect_eq(*node_value(obj, node), 5);
  /* not an object of this store: refused, not read */
  uint64_t stray[4] = {0};
  cr_expect_not(wrun_anyref_root(w.store, &stray[1]));
  cr_expect(wrun_anyref_root(w.store, wrun_anyref_from_i31(3)));
  wrun_anyref_unroot(w.store, got.of.anyref);
  wrun_store_gc(w.store);
  cr_expect_eq(stats_of(w.store).live_bytes, 0);
  world_free(&w);
}

/* Throughput of the allocator on small structs (mostly garbage, as in
 * functional code), collections included. */
Test(gc_heap, small_struct_allocation_throughput) {
  world w = world_new(1);
  const rt_gc_rtt *node = node_rtt();
  uint64_t n = MILLIONS(20);
  double t = seconds();
  uint8_t *keep = NULL;
  for (uint64_t i = 0; i < n; i++) {
    uint8_t *x = new_node(w.store, node, (int64_t)i, NULL);
    if (i % 1024 == 0) w.roots->elems[0] = keep = x;
  }
  double elapsed = seconds() - t;
  cr_expect_not_null(keep);
  fprintf(stderr, "gc_heap throughput: %.1f M small structs/s (%.1f ns "
                  "each, collections included)\n",
          n / elapsed / 1e6, elapsed / n * 1e9);
  report("small structs", w.store);
  world_free(&w);
}

/* ---- the same churn from wasm: 10 GB through struct.new / array.new --------
 * The module (types: 0 node {mut i64, mut (ref null 0)}, 1 data (array mut
 * i64), 2 blk {mut (ref null 1), mut (ref null 0)}, 3 ring (array mut (ref
 * null 2)), 4 [i32] -> [i64], 5 [i32] -> []) imports env.tick (func 0) and
 * exports run (func 1): for i < n, a 1 MiB data array (one element an OS
 * page written, data[j] = i + j) and a list of 255 nodes (0..254), as
 * ring[i % 48] = blk(data, list), calling tick(i) each time; then it sums
 * data[512] and the node values of the 48 blocks left. Collections run in
 * struct.new/array.new libcalls and in tick, with wasm frames below. */

static const uint8_t churn_types[] = {
    6,
    0x5F, 2, 0x7E, 1, 0x63, 0, 1,
    0x5E, 0x7E, 1,
    0x5F, 2, 0x63, 1, 1, 0x63, 0, 1,
    0x5E, 0x63, 2, 1,
    0x60, 1, 0x7F, 1, 0x7E,
    0x60, 1, 0x7F, 0,
};

/* locals: 1 ring, 2 i, 3 j, 4 data, 5 head, 6 sum, 7 blk */
static const uint8_t churn_body[] = {
    6, 1, 0x63, 3, 2, 0x7F, 1, 0x63, 1, 1, 0x63, 0, 1, 0x7E, 1, 0x63, 2,
    0x41, 48, 0xFB, 0x07, 3, 0x21, 1,             /* ring = new 48 */
    0x02, 0x40, 0x03, 0x40,                       /* block loop */
    0x20, 2, 0x20, 0, 0x4F, 0x0D, 1,              /* i >= n: out */
    0x41, 0x80, 0x80, 0x08, 0xFB, 0x07, 1, 0x21, 4, /* data = new 131072 */
    0x41, 0, 0x21, 3,
    0x03, 0x40,                                   /* data[j] = i + j */
    0x20, 4, 0x20, 3, 0x20, 2, 0x20, 3, 0x6A, 0xAD, 0xFB, 0x0E, 1,
    0x20, 3, 0x41, 0x80, 0x04, 0x6A, 0x22, 3, 0x41, 0x80, 0x80, 0x08, 0x49,
    0x0D, 0, 0x0B,
    0xD0, 0, 0x21, 5, 0x41, 0, 0x21, 3,
    0x03, 0x40,                                   /* head = node(j, head) */
    0x20, 3, 0xAD, 0x20, 5, 0xFB, 0x00, 0, 0x21, 5,
    0x20, 3, 0x41, 1, 0x6A, 0x22, 3, 0x41, 0xFF, 0x01, 0x49, 0x0D, 0, 0x0B,
    0x20, 1, 0x20, 2, 0x41, 48, 0x70, 0x20, 4, 0x20, 5, 0xFB, 0x00, 2,
    0xFB, 0x0E, 3,                                /* ring[i % 48] = blk */
    0x20, 2, 0x10, 0,                             /* tick(i) */
    0x20, 2, 0x41, 1, 0x6A, 0x21, 2, 0x0C, 0,
    0x0B, 0x0B,
    0x41, 0, 0x21, 2,
    0x03, 0x40,                                   /* the 48 blocks */
    0x20, 1, 0x20, 2, 0xFB, 0x0B, 3, 0x21, 7,
    0x20, 7, 0xFB, 0x02, 2, 0, 0x41, 0x80, 0x04, 0xFB, 0x0B, 1,
    0x20, 6, 0x7C, 0x21, 6,                       /* sum += data[512] */
    0x20, 7, 0xFB, 0x02, 2, 1, 0x21, 5,
    0x02, 0x40, 0x03, 0x40,                       /* the list */
    0x20, 5, 0xD1, 0x0D, 1,
    0x20, 5, 0xFB, 0x02, 0, 0, 0x20, 6, 0x7C, 0x21, 6,
    0x20, 5, 0xFB, 0x02, 0, 1, 0x21, 5, 0x0C, 0,
    0x0B, 0x0B,
    0x20, 2, 0x41, 1, 0x6A, 0x22, 2, 0x41, 48, 0x49, 0x0D, 0, 0x0B,
    0x20, 6, 0x0B,
};

static wasm_buf churn_module(void) {
  wasm_buf b = {0};
  wb_header(&b);
  wasm_buf t = {0};
  wb_bytes(&t, churn_types, sizeof churn_types);
  wb_section(&b, 1, &t);
  wasm_buf im = {0};
  wb_u32(&im, 1);
  wb_name(&im, "env");
  wb_name(&im, "tick");
  wb_byte(&im, 0);
  wb_u32(&im, 5);
  wb_section(&b, 2, &im);
  WB_SECTION_OF(&b, 3, 1, 4);
  wasm_buf e = {0};
  wb_u32(&e, 1);
  wb_export(&e, "run", 0, 1);
  wb_section(&b, 7, &e);
  wasm_buf c = {0};
  wb_u32(&c, 1);
  wb_u32(&c, sizeof churn_body);
  wb_bytes(&c, churn_body, sizeof churn_body);
  wb_section(&b, 10, &c);
  return b;
}

static uint64_t tick_peak_rss;

static wrun_trap *tick(void *env, wrun_caller *caller, const wrun_val *args,
                       size_t nargs, wrun_val *results, size_t nresults) {
  (void)env, (void)caller, (void)nargs, (void)results, (void)nresults;
  if (args[0].of.i32 % 256 == 0) {
    uint64_t rss = rss_bytes();
    if (rss > tick_peak_rss) tick_peak_rss = rss;
  }
  return NULL;
}

Test(gc_heap, ten_gb_from_wasm_through_a_50_mb_live_set) {
  wasm_buf b = churn_module();
  wb_world w = wb_world_compile(&b);
  wrun_valtype i32 = WRUN_I32;
  wrun_extern imp = {.kind = WRUN_EXTERN_FUNC};
  imp.of.func = wrun_func_new(w.store, &i32, 1, NULL, 0, tick, NULL, NULL);
  cr_assert_not_null(imp.of.func);
  w.inst = wb_instantiate(w.store, w.module, &imp, 1);
  const int32_t n = 10200; /* blocks of 1.06 MB: over 10 GiB */
  wrun_val arg = {.type = WRUN_I32, .of.i32 = n}, out;
  wrun_extern run = wb_export_of(w.inst, "run");
  double start = seconds();
  wrun_trap *trap = wrun_func_call(w.store, run.of.func, &arg, 1, &out, 1);
  double elapsed = seconds() - start;
  cr_assert_null(trap, "%s", trap ? wrun_trap_message(trap) : "");
  int64_t want = 48 * (int64_t)(254 * 255 / 2);
  for (int64_t k = n - 48; k < n; k++) want += k + 512;
  cr_expect_eq(out.of.i64, want);
  wrun_gc_stats st = stats_of(w.store);
  report("10GB from wasm", w.store);
  fprintf(stderr, "gc_heap 10GB from wasm: %.2f s, peak sampled RSS %.1f MB\n",
          elapsed, tick_peak_rss / 1e6);
  cr_expect_gt(st.allocated_bytes, (uint64_t)10 << 30);
  cr_expect_gt(st.collections, 50);
  cr_expect_lt(tick_peak_rss, (uint64_t)200 << 20);
  wb_world_free(&w);
  free(b.bytes);
}
