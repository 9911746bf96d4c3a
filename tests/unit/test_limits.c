/* Store limits (wrun_store_limits): per-memory and per-store memory bytes,
 * per-table and per-store table elements, counts of instances, memories
 * and tables, the process-wide budget of memory reservations, and the
 * wasm stack. A guest asking too much gets -1 from memory.grow/table.grow
 * or an instantiation error naming the limit, quickly and in bounded
 * memory: the hostile modules below are the ones that once took 1.5 GB
 * (20 tables of 10M elements) and 15 GB (10,000 of them). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "runtime.h"
#include "wasm_build.h"
#include "wrun.h"

/* ---- helpers ---------------------------------------------------------------- */

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static long peak_rss_kb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static wrun_module *compile(wrun_engine *e, const wasm_buf *b) {
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(e, b->bytes, b->len, &m);
  cr_assert_null(err, "compile: %s", err ? wrun_error_message(err) : "");
  return m;
}

/* Instantiates m without imports; returns the error message (owned by the
 * caller, NULL on success) and the instance in *out. */
static char *instantiate(wrun_store *s, const wrun_module *m,
                         wrun_instance **out) {
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_instance *inst = NULL;
  wrun_instance_new(s, m, NULL, 0, &inst, &err, &trap);
  cr_assert_null(trap);
  if (out) *out = inst;
  if (!err) return NULL;
  char *msg = strdup(wrun_error_message(err));
  wrun_error_delete(err);
  return msg;
}

static void assert_refused(char *msg, const char *want) {
  cr_assert_not_null(msg, "instantiation should have failed with \"%s\"",
                     want);
  cr_assert(strstr(msg, want), "error \"%s\" does not say \"%s\"", msg, want);
  free(msg);
}

/* (module (type (func (param i32) (result i32)))
 *   [(table table_min funcref)] [(memory memory_min)]
 *   [(func (export "table_grow") (type 0)
 *      ref.null func local.get 0 table.grow 0)]
 *   [(func (export "memory_grow") (type 0) local.get 0 memory.grow)]) */
static wasm_buf grow_module(bool table, uint32_t table_min, bool memory,
                            uint32_t memory_min) {
  wasm_buf b = {0}, s = {0};
  uint32_t nfuncs = (uint32_t)table + (uint32_t)memory;
  wb_header(&b);
  static const uint8_t type[] = {1, 0x60, 1, 0x7f, 1, 0x7f};
  wb_bytes(&s, type, sizeof type);
  wb_section(&b, 1, &s);
  wb_u32(&s, nfuncs);
  for (uint32_t i = 0; i < nfuncs; i++) wb_byte(&s, 0);
  wb_section(&b, 3, &s);
  if (table) wb_table_section(&b, 1, table_min);
  if (memory) {
    wb_byte(&s, 1);
    wb_byte(&s, 0x00);
    wb_u32(&s, memory_min);
    wb_section(&b, 5, &s);
  }
  wb_u32(&s, nfuncs);
  uint32_t f = 0;
  if (table) { wb_name(&s, "table_grow"); wb_byte(&s, 0); wb_u32(&s, f++); }
  if (memory) { wb_name(&s, "memory_grow"); wb_byte(&s, 0); wb_u32(&s, f++); }
  wb_section(&b, 7, &s);
  wb_u32(&s, nfuncs);
  static const uint8_t table_grow[] = {9, 0, 0xd0, 0x70, 0x20, 0,
                                       0xfc, 0x0f, 0, 0x0b};
  static const uint8_t memory_grow[] = {6, 0, 0x20, 0, 0x40, 0, 0x0b};
  if (table) wb_bytes(&s, table_grow, sizeof table_grow);
  if (memory) wb_bytes(&s, memory_grow, sizeof memory_grow);
  wb_section(&b, 10, &s);
  return b;
}

/* Calls export name(arg) -> i32 of inst. */
static int32_t call_i32(wrun_store *s, wrun_instance *inst, const char *name,
                        int32_t arg) {
  wrun_extern ext;
  cr_assert(wrun_instance_export(inst, name, &ext), "no export %s", name);
  wrun_val in = {.type = WRUN_I32, .of.i32 = arg}, out;
  wrun_trap *t = wrun_func_call(s, ext.of.func, &in, 1, &out, 1);
  cr_assert_null(t, "%s trapped: %s", name, t ? wrun_trap_message(t) : "");
  return out.of.i32;
}

typedef struct fixture {
  wrun_engine *engine;
  wrun_store *store;
  wrun_store_limits limits;
} fixture;

static fixture open_store(void) {
  fixture f;
  f.engine = wrun_engine_new();
  f.store = wrun_store_new(f.engine);
  cr_assert_not_null(f.store);
  wrun_store_get_limits(f.store, &f.limits);
  return f;
}

static void set_limits(fixture *f) {
  wrun_error *err = wrun_store_set_limits(f->store, &f->limits);
  cr_assert_null(err, "%s", err ? wrun_error_message(err) : "");
}

static void close_store(fixture *f, wrun_module *m) {
  wrun_store_delete(f->store);
  wrun_module_delete(m);
  wrun_engine_delete(f->engine);
}

/* ---- defaults ------------------------------------------------------------------- */

Test(limits, defaults_are_documented_values) {
  wrun_store_limits d;
  wrun_store_limits_default(&d);
  cr_assert_eq(d.memory_bytes, WRUN_UNLIMITED);
  cr_assert_eq(d.store_memory_bytes, WRUN_UNLIMITED);
  cr_assert_eq(d.table_elements, 10000000);
  cr_assert_eq(d.store_table_elements, 10000000);
  cr_assert_eq(d.instances, 10000);
  cr_assert_eq(d.memories, 1000);
  cr_assert_eq(d.tables, 10000);
  cr_assert_eq(d.wasm_stack_bytes, 1 << 20);
  cr_assert_eq(d.exception_bytes, (uint64_t)1 << 30);
  fixture f = open_store();
  cr_assert_eq(memcmp(&f.limits, &d, sizeof d), 0, "a new store has them");
  wrun_store_set_max_memory(f.store, 65536);
  wrun_store_get_limits(f.store, &f.limits);
  cr_assert_eq(f.limits.store_memory_bytes, 65536,
               "set_max_memory is the store total");
  wrun_store_set_max_memory(f.store, 0);
  wrun_store_get_limits(f.store, &f.limits);
  cr_assert_eq(f.limits.store_memory_bytes, WRUN_UNLIMITED, "0: default");
  close_store(&f, NULL);
}

/* ---- hostile modules, with the default limits --------------------------------- */

/* Instantiating a tables-only module under the defaults must fail at once,
 * naming the limit, without allocating the tables. */
static void refuse_hostile_tables(uint32_t count) {
  fixture f = open_store();
  wasm_buf b = wb_tables_module(count, 10000000);
  long rss_before = peak_rss_kb();
  double start = now_ms();
  wrun_module *m = compile(f.engine, &b);
  char *msg = instantiate(f.store, m, NULL);
  double elapsed = now_ms() - start;
  long grown_kb = peak_rss_kb() - rss_before;
  assert_refused(msg, "table elements limit exceeded");
  cr_assert_eq(f.store->ntables, 0, "no table was made");
  cr_assert_eq(f.store->ninstances, 0, "no instance was made");
  cr_assert_lt(elapsed, 2000, "took %.0f ms", elapsed);
  cr_assert_lt(grown_kb, 64 * 1024, "peak RSS grew by %ld KB", grown_kb);
  free(b.bytes);
  close_store(&f, m);
}

Test(limits, twenty_tables_of_ten_million_are_refused) {
  refuse_hostile_tables(20);
}

Test(limits, ten_thousand_tables_of_ten_million_are_refused) {
  refuse_hostile_tables(10000);
}

/* One table of the whole default budget is fine, and costs at most its
 * 80 MB of references (glibc's calloc gives untouched zero pages, unless
 * MALLOC_PERTURB_ is set, as meson does, which makes it clear them). */
Test(limits, one_table_of_ten_million_is_allowed_and_cheap) {
  fixture f = open_store();
  wasm_buf b = wb_tables_module(1, 10000000);
  long rss_before = peak_rss_kb();
  wrun_module *m = compile(f.engine, &b);
  cr_assert_null(instantiate(f.store, m, NULL));
  long grown_kb = peak_rss_kb() - rss_before;
  cr_assert_lt(grown_kb, 100 * 1024, "peak RSS grew by %ld KB", grown_kb);
  cr_assert_eq(f.store->table_elements, 10000000);
  free(b.bytes);
  close_store(&f, m);
}

/* Each memory reserves 8 GiB of address space: the default count of 1,000
 * per store is what stops 10,000 instantiations of a module with one. */
Test(limits, ten_thousand_memories_stop_at_the_default_count) {
  fixture f = open_store();
  wasm_buf b = grow_module(false, 0, true, 0);
  wrun_module *m = compile(f.engine, &b);
  double start = now_ms();
  uint32_t made = 0;
  char *msg = NULL;
  while (made < 10000 && !(msg = instantiate(f.store, m, NULL))) made++;
  double elapsed = now_ms() - start;
  cr_assert_eq(made, 1000);
  assert_refused(msg, "memories limit exceeded");
  cr_assert_lt(elapsed, 10000, "took %.0f ms", elapsed);
  free(b.bytes);
  close_store(&f, m);
}

Test(limits, instances_stop_at_the_default_count) {
  fixture f = open_store();
  wasm_buf b = grow_module(false, 0, false, 0);
  wrun_module *m = compile(f.engine, &b);
  uint32_t made = 0;
  char *msg = NULL;
  while (made < 20000 && !(msg = instantiate(f.store, m, NULL))) made++;
  cr_assert_eq(made, 10000);
  assert_refused(msg, "instances limit exceeded: the store allows 10000");
  free(b.bytes);
  close_store(&f, m);
}

/* ---- tables ------------------------------------------------------------------------ */

Test(limits, table_elements_per_table) {
  fixture f = open_store();
  f.limits.table_elements = 100;
  set_limits(&f);
  wasm_buf big = wb_tables_module(1, 101);
  wrun_module *mb = compile(f.engine, &big);
  assert_refused(instantiate(f.store, mb, NULL),
                 "table elements limit exceeded: a table of 101 elements is "
                 "over the limit of 100 per table");
  wasm_buf b = grow_module(true, 90, false, 0);
  wrun_module *m = compile(f.engine, &b);
  wrun_instance *inst;
  cr_assert_null(instantiate(f.store, m, &inst));
  cr_assert_eq(call_i32(f.store, inst, "table_grow", 11), -1, "to 101");
  cr_assert_eq(call_i32(f.store, inst, "table_grow", 10), 90, "to 100");
  cr_assert_eq(call_i32(f.store, inst, "table_grow", 1), -1, "to 101");
  wrun_val null_ref = {.type = WRUN_FUNCREF};
  cr_assert_null(wrun_table_new(f.store, WRUN_FUNCREF, 101, 0, false,
                                null_ref));
  free(big.bytes);
  free(b.bytes);
  wrun_module_delete(mb);
  close_store(&f, m);
}

Test(limits, table_elements_per_store) {
  fixture f = open_store();
  f.limits.store_table_elements = 1000;
  set_limits(&f);
  wrun_val null_ref = {.type = WRUN_FUNCREF};
  cr_assert_not_null(wrun_table_new(f.store, WRUN_FUNCREF, 600, 0, false,
                                    null_ref));
  cr_assert_null(wrun_table_new(f.store, WRUN_FUNCREF, 401, 0, false,
                                null_ref), "600 + 401 > 1000");
  wasm_buf b = grow_module(true, 300, false, 0);
  wrun_module *m = compile(f.engine, &b);
  wrun_instance *inst;
  cr_assert_null(instantiate(f.store, m, &inst)); /* 900 in use */
  assert_refused(instantiate(f.store, m, NULL),
                 "table elements limit exceeded: 300 more elements would "
                 "pass the store's 1000 (900 in use)");
  cr_assert_eq(call_i32(f.store, inst, "table_grow", 101), -1);
  cr_assert_eq(call_i32(f.store, inst, "table_grow", 100), 300);
  cr_assert_eq(call_i32(f.store, inst, "table_grow", 1), -1);
  cr_assert_eq(f.store->table_elements, 1000);
  free(b.bytes);
  close_store(&f, m);
}

Test(limits, tables_per_store) {
  fixture f = open_store();
  f.limits.tables = 4;
  set_limits(&f);
  wasm_buf three = wb_tables_module(3, 1);
  wrun_module *m = compile(f.engine, &three);
  cr_assert_null(instantiate(f.store, m, NULL));
  assert_refused(instantiate(f.store, m, NULL),
                 "tables limit exceeded: 3 more would pass the store's 4 "
                 "(3 in use)");
  wrun_val null_ref = {.type = WRUN_FUNCREF};
  cr_assert_not_null(wrun_table_new(f.store, WRUN_FUNCREF, 1, 0, false,
                                    null_ref));
  cr_assert_null(wrun_table_new(f.store, WRUN_FUNCREF, 1, 0, false,
                                null_ref), "a fifth table");
  free(three.bytes);
  close_store(&f, m);
}

/* ---- memories ------------------------------------------------------------------ */

Test(limits, memory_bytes_per_memory) {
  fixture f = open_store();
  f.limits.memory_bytes = 2 * 65536;
  set_limits(&f);
  wasm_buf big = grow_module(false, 0, true, 3);
  wrun_module *mb = compile(f.engine, &big);
  assert_refused(instantiate(f.store, mb, NULL),
                 "memory size limit exceeded: a memory of 196608 bytes is "
                 "over the limit of 131072 bytes per memory");
  wasm_buf b = grow_module(false, 0, true, 1);
  wrun_module *m = compile(f.engine, &b);
  wrun_instance *a, *c;
  cr_assert_null(instantiate(f.store, m, &a));
  cr_assert_null(instantiate(f.store, m, &c), "the limit is per memory");
  cr_assert_eq(call_i32(f.store, a, "memory_grow", 2), -1);
  cr_assert_eq(call_i32(f.store, a, "memory_grow", 1), 1);
  cr_assert_eq(call_i32(f.store, c, "memory_grow", 1), 1);
  cr_assert_eq(call_i32(f.store, c, "memory_grow", 1), -1);
  cr_assert_null(wrun_memory_new(f.store, 3, 0, false));
  free(big.bytes);
  free(b.bytes);
  wrun_module_delete(mb);
  close_store(&f, m);
}

Test(limits, memory_bytes_per_store) {
  fixture f = open_store();
  f.limits.store_memory_bytes = 3 * 65536;
  set_limits(&f);
  wasm_buf b = grow_module(false, 0, true, 1);
  wrun_module *m = compile(f.engine, &b);
  wrun_instance *a, *c;
  cr_assert_null(instantiate(f.store, m, &a));
  cr_assert_null(instantiate(f.store, m, &c));
  cr_assert_eq(call_i32(f.store, a, "memory_grow", 2), -1, "4 pages in all");
  cr_assert_eq(call_i32(f.store, a, "memory_grow", 1), 1);
  cr_assert_eq(call_i32(f.store, c, "memory_grow", 1), -1);
  assert_refused(instantiate(f.store, m, NULL),
                 "memory limit exceeded: 65536 more bytes of linear memory "
                 "would pass the store's 196608 (196608 in use)");
  free(b.bytes);
  close_store(&f, m);
}

Test(limits, memories_per_store) {
  fixture f = open_store();
  f.limits.memories = 2;
  set_limits(&f);
  wasm_buf b = grow_module(false, 0, true, 0);
  wrun_module *m = compile(f.engine, &b);
  cr_assert_null(instantiate(f.store, m, NULL));
  cr_assert_not_null(wrun_memory_new(f.store, 0, 0, false));
  assert_refused(instantiate(f.store, m, NULL),
                 "memories limit exceeded: 1 more would pass the store's 2 "
                 "(2 in use)");
  cr_assert_null(wrun_memory_new(f.store, 0, 0, false));
  free(b.bytes);
  close_store(&f, m);
}

Test(limits, instances_per_store) {
  fixture f = open_store();
  f.limits.instances = 3;
  set_limits(&f);
  wasm_buf b = grow_module(true, 1, true, 0);
  wrun_module *m = compile(f.engine, &b);
  for (int i = 0; i < 3; i++) cr_assert_null(instantiate(f.store, m, NULL));
  assert_refused(instantiate(f.store, m, NULL),
                 "instances limit exceeded: the store allows 3 instances");
  cr_assert_eq(f.store->nmemories, 3, "the refused one made nothing");
  cr_assert_eq(f.store->ntables, 3);
  free(b.bytes);
  close_store(&f, m);
}

/* ---- the process-wide budget of reservations ------------------------------------ */

Test(limits, reservations_are_bounded_across_stores) {
  if (RT_MEMORY_RESERVATION_BYTES == 0) return; /* 32-bit: no reservations */
  uint64_t old = rt_memory_set_reservation_budget(
      3 * (uint64_t)RT_MEMORY_RESERVATION_BYTES);
  fixture a = open_store(), b = open_store();
  cr_assert_not_null(wrun_memory_new(a.store, 0, 0, false));
  cr_assert_not_null(wrun_memory_new(a.store, 0, 0, false));
  cr_assert_not_null(wrun_memory_new(b.store, 0, 0, false));
  wasm_buf mod = grow_module(false, 0, true, 0);
  wrun_module *m = compile(b.engine, &mod);
  assert_refused(instantiate(b.store, m, NULL),
                 "address space limit exceeded");
  wrun_store_delete(a.store); /* gives two reservations back */
  wrun_engine_delete(a.engine);
  cr_assert_null(instantiate(b.store, m, NULL));
  rt_memory_set_reservation_budget(old);
  free(mod.bytes);
  close_store(&b, m);
}

/* A module importing a 1-page memory "m" "mem", exporting load(addr): the
 * byte there (i32.load8_u). */
static wasm_buf load_byte_module(void) {
  wasm_buf b = {0}, s = {0};
  wb_header(&b);
  WB_SECTION_OF(&b, 1, 1, 0x60, 1, 0x7F, 1, 0x7F);
  wb_u32(&s, 1);
  wb_name(&s, "m");
  wb_name(&s, "mem");
  wb_byte(&s, 0x02);
  wb_byte(&s, 0x00);
  wb_u32(&s, 1);
  wb_section(&b, 2, &s);
  WB_SECTION_OF(&b, 3, 1, 0);
  wb_u32(&s, 1);
  wb_export(&s, "load", 0x00, 0);
  wb_section(&b, 7, &s);
  wb_u32(&s, 1);
  WB_BODY(&s, 0x20, 0x00, 0x2D, 0x00, 0x00);
  wb_section(&b, 10, &s);
  return b;
}

/* Stores that come and go reuse reservations (memory_pool.c): the one a
 * memory gets back holds none of the last memory's bytes, and exactly its
 * own size is accessible, whatever the last one's was. */
Test(limits, reused_reservations_are_empty_and_sized_anew) {
  if (RT_MEMORY_RESERVATION_BYTES == 0) return; /* 32-bit: no reservations */
  fixture f = open_store();
  wasm_buf mod = load_byte_module();
  wrun_module *m = compile(f.engine, &mod);
  free(mod.bytes);
  uint8_t *first_base = NULL;
  bool reused = false;
  for (int round = 0; round < 50; round++) {
    wrun_store *big = wrun_store_new(f.engine);
    wrun_memory *dirty = wrun_memory_new(big, 3, 0, false);
    cr_assert_not_null(dirty);
    memset(wrun_memory_data(dirty), 0xA5, 3 * 65536);
    if (!first_base) first_base = wrun_memory_data(dirty);
    wrun_store_delete(big);

    wrun_store *s = wrun_store_new(f.engine);
    wrun_memory *mem = wrun_memory_new(s, 1, 0, false);
    cr_assert_not_null(mem);
    reused |= wrun_memory_data(mem) == first_base;
    wrun_extern imp = {.kind = WRUN_EXTERN_MEMORY, .of.memory = mem};
    wrun_instance *inst = NULL;
    wrun_error *err = NULL;
    wrun_trap *trap = NULL;
    wrun_instance_new(s, m, &imp, 1, &inst, &err, &trap);
    cr_assert_not_null(inst);
    wrun_extern load;
    cr_assert(wrun_instance_export(inst, "load", &load));
    for (int32_t addr = 0; addr < 65536; addr += 4093) {
      wrun_val arg = {.type = WRUN_I32, .of.i32 = addr}, r;
      trap = wrun_func_call(s, load.of.func, &arg, 1, &r, 1);
      cr_assert_null(trap);
      cr_assert_eq(r.of.i32, 0, "byte %d of a reused memory", addr);
    }
    wrun_val past = {.type = WRUN_I32, .of.i32 = 65536 + 100}, r;
    trap = wrun_func_call(s, load.of.func, &past, 1, &r, 1);
    cr_assert_not_null(trap, "the last memory's second page is gone");
    cr_assert_eq(wrun_trap_code_of(trap), WRUN_TRAP_MEMORY_OOB);
    wrun_trap_delete(trap);
    wrun_store_delete(s);
  }
  cr_assert(reused, "a dropped reservation was handed out again");
  close_store(&f, m);
}

/* ---- the wasm stack ------------------------------------------------------------------ */

Test(limits, wasm_stack_beyond_the_thread_is_refused) {
  fixture f = open_store();
  f.limits.wasm_stack_bytes = (uint64_t)1 << 40;
  wrun_error *err = wrun_store_set_limits(f.store, &f.limits);
  cr_assert_not_null(err);
  cr_assert(strstr(wrun_error_message(err), "usable stack"), "%s",
            wrun_error_message(err));
  wrun_error_delete(err);
  f.limits.wasm_stack_bytes = 0;
  err = wrun_store_set_limits(f.store, &f.limits);
  cr_assert_not_null(err, "0 bytes is refused");
  wrun_error_delete(err);
  cr_assert_not(wrun_store_set_max_wasm_stack(f.store, (size_t)1 << 40));
  wrun_store_get_limits(f.store, &f.limits);
  cr_assert_eq(f.limits.wasm_stack_bytes, 1 << 20, "nothing changed");
  cr_assert(wrun_store_set_max_wasm_stack(f.store, 512 * 1024));
  wrun_store_get_limits(f.store, &f.limits);
  cr_assert_eq(f.limits.wasm_stack_bytes, 512 * 1024);
  close_store(&f, NULL);
}

/* (module (func (export "rec") (param i32) (result i32)
 *   local.get 0 i32.const 1 i32.add call 0)) */
static wasm_buf recursion_module(void) {
  wasm_buf b = {0}, s = {0};
  wb_header(&b);
  static const uint8_t type[] = {1, 0x60, 1, 0x7f, 1, 0x7f};
  wb_bytes(&s, type, sizeof type);
  wb_section(&b, 1, &s);
  wb_bytes(&s, "\1\0", 2);
  wb_section(&b, 3, &s);
  wb_byte(&s, 1);
  wb_name(&s, "rec");
  wb_bytes(&s, "\0\0", 2);
  wb_section(&b, 7, &s);
  static const uint8_t body[] = {1, 9, 0, 0x20, 0, 0x41, 1, 0x6a, 0x10, 0,
                                 0x0b};
  wb_bytes(&s, body, sizeof body);
  wb_section(&b, 10, &s);
  return b;
}

typedef struct small_thread_call {
  wrun_store *store;
  const wrun_func *rec;
  char message[256];
} small_thread_call;

static void *call_on_small_thread(void *arg) {
  small_thread_call *c = arg;
  wrun_val in = {.type = WRUN_I32, .of.i32 = 0}, out;
  wrun_trap *t = wrun_func_call(c->store, c->rec, &in, 1, &out, 1);
  snprintf(c->message, sizeof c->message, "%s",
           t ? wrun_trap_message(t) : "(no trap)");
  wrun_trap_delete(t);
  return NULL;
}

/* A limit set on a big stack and used on a thread with a small one is
 * capped to that thread's stack, and the trap says so. */
Test(limits, wasm_stack_capped_on_a_small_thread_says_so) {
  fixture f = open_store();
  f.limits.wasm_stack_bytes = 2 << 20;
  set_limits(&f);
  wasm_buf b = recursion_module();
  wrun_module *m = compile(f.engine, &b);
  wrun_instance *inst;
  cr_assert_null(instantiate(f.store, m, &inst));
  wrun_extern ext;
  cr_assert(wrun_instance_export(inst, "rec", &ext));
  small_thread_call c = {f.store, ext.of.func, ""};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 512 * 1024);
  pthread_t th;
  cr_assert_eq(pthread_create(&th, &attr, call_on_small_thread, &c), 0);
  pthread_join(th, NULL);
  pthread_attr_destroy(&attr);
  cr_assert(strstr(c.message, "call stack exhausted (the wasm stack limit "
                              "of 2097152 bytes was capped to the"),
            "%s", c.message);
  /* On this (large) thread the limit holds as asked: no note. */
  wrun_val in = {.type = WRUN_I32, .of.i32 = 0}, out;
  wrun_trap *t = wrun_func_call(f.store, ext.of.func, &in, 1, &out, 1);
  cr_assert_not_null(t);
  cr_assert_str_eq(wrun_trap_message(t), "call stack exhausted");
  wrun_trap_delete(t);
  free(b.bytes);
  close_store(&f, m);
}
