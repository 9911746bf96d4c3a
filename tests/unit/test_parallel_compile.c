/* Parallel compilation (jit/compile_parallel.c) gives what a serial
 * compile gives: the same code bytes and every table of jit_code (trap
 * sites, function and trampoline offsets, symbols of relocatable code,
 * the pc map, the unwind table, the GC stack maps), and for an invalid
 * module the same error. The parallel compiles here split the module at
 * every function (split_bytes = 1) so that even small modules are laid
 * out from many runs compiled on two threads in whatever order the
 * threads race to, and each test checks that the compile was in fact
 * parallel (jit_compile_threads) and that the tables it compares are not
 * empty. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile_internal.h"
#include "error.h"
#include "jit.h"
#include "module.h"
#include "wasm_build.h"

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  cr_assert_not_null(f, "cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *bytes = malloc(n > 0 ? (size_t)n : 1);
  cr_assert_not_null(bytes);
  cr_assert_eq(fread(bytes, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  *len = (size_t)n;
  return bytes;
}

static rt_module *read_module(const uint8_t *bytes, size_t len) {
  rt_module *m = NULL;
  wrun_error *e = rt_module_read(bytes, len, &m);
  cr_assert_null(e, "module read: %s", e ? wrun_error_message(e) : "");
  return m;
}

static unsigned threads_for(const rt_module *m, const jit_options *opts) {
  jit_compile_plan plan = {.mod = m, .opts = opts};
  return jit_compile_threads(&plan);
}

#define SAME_ARRAY(a, b, n, what)                                          \
  do {                                                                     \
    if ((n) > 0)                                                           \
      cr_assert(memcmp((a), (b), (size_t)(n) * sizeof *(a)) == 0,          \
                "%s differ", what);                                        \
  } while (0)

static void expect_same_code(const jit_code *s, const jit_code *p) {
  cr_assert_eq(s->size, p->size, "code size: serial %zu, parallel %zu",
               s->size, p->size);
  cr_assert(memcmp(s->mem, p->mem, s->size) == 0, "code bytes differ");
  cr_assert_eq(s->nfuncs, p->nfuncs);
  SAME_ARRAY(s->func_offsets, p->func_offsets, s->nfuncs, "function offsets");
  SAME_ARRAY(s->call_offsets, p->call_offsets, s->nfuncs, "call entries");
  cr_assert_eq(s->ntypes, p->ntypes);
  SAME_ARRAY(s->entry_offsets, p->entry_offsets, s->ntypes,
             "trampoline offsets");
  cr_assert_eq(s->ntraps, p->ntraps, "trap sites: %u, %u", s->ntraps,
               p->ntraps);
  for (uint32_t i = 0; i < s->ntraps; i++) {
    cr_assert_eq(s->traps[i].offset, p->traps[i].offset, "trap site %u", i);
    cr_assert_eq(s->traps[i].code, p->traps[i].code, "trap code %u", i);
  }
  cr_assert_eq(s->fuel, p->fuel);
  cr_assert_eq(s->relocatable, p->relocatable);
  cr_assert_eq(s->nsyms, p->nsyms, "symbols: %u, %u", s->nsyms, p->nsyms);
  for (uint32_t i = 0; i < s->nsyms; i++) {
    cr_assert_eq(s->syms[i].at, p->syms[i].at, "symbol %u", i);
    cr_assert_eq(s->syms[i].index, p->syms[i].index, "symbol %u", i);
    cr_assert_eq(s->syms[i].kind, p->syms[i].kind, "symbol %u", i);
  }
  const jit_exn_table *se = &s->exn, *pe = &p->exn;
  cr_assert_eq(se->nsites, pe->nsites, "unwind sites: %u, %u", se->nsites, pe->nsites);
  cr_assert_eq(se->nscopes, pe->nscopes);
  cr_assert_eq(se->nclauses, pe->nclauses);
  SAME_ARRAY(se->sites, pe->sites, se->nsites, "unwind sites");
  SAME_ARRAY(se->scopes, pe->scopes, se->nscopes, "unwind scopes");
  for (uint32_t i = 0; i < se->nclauses; i++) {
    cr_assert_eq(se->clauses[i].kind, pe->clauses[i].kind, "clause %u", i);
    cr_assert_eq(se->clauses[i].tag, pe->clauses[i].tag, "clause %u", i);
    cr_assert_eq(se->clauses[i].pad, pe->clauses[i].pad, "clause %u", i);
    cr_assert_eq(se->clauses[i].next, pe->clauses[i].next, "clause %u", i);
  }
  cr_assert_eq(s->maps.nsites, p->maps.nsites);
  cr_assert_eq(s->maps.nslots, p->maps.nslots);
  SAME_ARRAY(s->maps.sites, p->maps.sites, s->maps.nsites, "stack maps");
  SAME_ARRAY(s->maps.slots, p->maps.slots, s->maps.nslots, "stack map slots");
  cr_assert_eq(s->pcmap == NULL, p->pcmap == NULL);
  cr_assert_eq(s->pcmap_size, p->pcmap_size);
  SAME_ARRAY(s->pcmap, p->pcmap, s->pcmap_size, "pc maps");
  SAME_ARRAY(s->pcmap_starts, p->pcmap_starts, s->nfuncs, "pc map starts");
}

/* What the comparison covered, for the tests to check it was not empty. */
typedef struct covered {
  uint32_t traps, syms, exn_sites, exn_clauses, map_sites, pcmap_size;
} covered;

/* Compiles m serially and in parallel (on two threads, split at every
 * function unless split is given) with opts; expects the same code. The
 * serial compile cuts the module into the same runs: a module that splits
 * starts and ends every run on a page in either compile, so the layout
 * depends on where the runs are cut, though not on the threads. */
static covered compare(const rt_module *m, jit_options opts, uint32_t split,
                       unsigned jobs) {
  jit_options serial = opts, parallel = opts;
  serial.jobs = 1;
  serial.split_bytes = split;
  parallel.jobs = jobs;
  parallel.split_bytes = split;
  cr_assert_eq(threads_for(m, &serial), 1u);
  cr_assert_gt(threads_for(m, &parallel), 1u,
               "the parallel compile runs on one thread");
  jit_code s, p;
  wrun_error *e = jit_compile_module(m, &serial, &s, NULL);
  cr_assert_null(e, "serial: %s", e ? wrun_error_message(e) : "");
  e = jit_compile_module(m, &parallel, &p, NULL);
  cr_assert_null(e, "parallel: %s", e ? wrun_error_message(e) : "");
  expect_same_code(&s, &p);
  if (split == 1) /* every function a run: each starts on a page */
    for (uint32_t i = 0; i < s.nfuncs; i++)
      cr_assert_eq(s.func_offsets[i] % jit_page_size(), 0u,
                   "function %u at %u", i, s.func_offsets[i]);
  covered c = {s.ntraps, s.nsyms, s.exn.nsites, s.exn.nclauses,
               s.maps.nsites, s.pcmap_size};
  jit_code_free(&s);
  jit_code_free(&p);
  return c;
}

static covered compare_file(const char *path, jit_options opts) {
  size_t len;
  uint8_t *bytes = read_file(path, &len);
  rt_module *m = read_module(bytes, len);
  free(bytes);
  covered c = compare(m, opts, 1, 2);
  rt_module_free(m);
  return c;
}

Test(parallel_compile, calls_traps_exceptions_tail_calls_simd) {
  covered c = compare_file(PAR_WASM, (jit_options){0});
  cr_expect_gt(c.traps, 0u);
  cr_expect_gt(c.exn_sites, 0u);
  cr_expect_gt(c.exn_clauses, 1u);
  cr_expect_gt(c.pcmap_size, 0u);
}

Test(parallel_compile, relocatable_code_for_serializing) {
  covered c = compare_file(PAR_WASM, (jit_options){.relocatable = true});
  cr_expect_gt(c.syms, 0u);
}

Test(parallel_compile, fuel_bounds_checks_deterministic_code_map) {
  compare_file(PAR_WASM, (jit_options){.fuel = true});
  compare_file(PAR_WASM, (jit_options){.bounds_checks = true,
                                       .memory_guard = 65536});
  compare_file(PAR_WASM, (jit_options){.deterministic = true});
  covered c = compare_file(PAR_WASM,
                           (jit_options){.map_every_instruction = true});
  covered plain = compare_file(PAR_WASM, (jit_options){0});
  cr_expect_gt(c.pcmap_size, plain.pcmap_size);
}

/* Traps that call into the runtime instead of signals (trap stubs and
 * exact bounds checks). */
Test(parallel_compile, no_signals) {
  covered c = compare_file(PAR_WASM,
                           (jit_options){.no_signals = true,
                                         .bounds_checks = true,
                                         .memory_guard = 65536});
  cr_expect_gt(c.traps, 0u);
  compare_file(PAR_WASM, (jit_options){.no_signals = true,
                                       .bounds_checks = true,
                                       .memory_guard = 65536,
                                       .relocatable = true});
  compare_file(GC_LIST_WASM, (jit_options){.no_signals = true,
                                           .bounds_checks = true,
                                           .memory_guard = 65536});
}

Test(parallel_compile, gc_stack_maps) {
  covered c = compare_file(GC_LIST_WASM, (jit_options){0});
  cr_expect_gt(c.map_sites, 0u);
  /* casts of funcrefs: interned type ids, relocatable */
  c = compare_file(GC_FUNCCAST_WASM, (jit_options){.relocatable = true});
  cr_expect_gt(c.syms, 0u);
}

/* n functions () -> i32, export-free; function k's body: bodies[k] if
 * given, else a loop that loads, stores, divides (a trap site) and calls
 * the next function (a relocation). */
static wasm_buf many_functions(uint32_t n, const char *const *bodies,
                               const size_t *lens) {
  wasm_buf m = {0}, sec = {0};
  wb_header(&m);
  WB_SECTION_OF(&m, 1, 0x01, 0x60, 0x00, 0x01, 0x7f);
  wb_u32(&sec, n);
  for (uint32_t i = 0; i < n; i++) wb_u32(&sec, 0);
  wb_section(&m, 3, &sec);
  WB_SECTION_OF(&m, 5, 0x01, 0x00, 0x01); /* memory 1 */
  wb_u32(&sec, n);
  for (uint32_t i = 0; i < n; i++) {
    if (bodies && bodies[i]) {
      wb_body(&sec, (const uint8_t *)bodies[i], lens[i]);
      continue;
    }
    wasm_buf b = {0};
    wb_bytes(&b, "\x03\x40", 2);                      /* loop */
    wb_bytes(&b, "\x41\x00\x41\x00\x28\x02\x04", 7);  /* addr; i32.load 4 */
    wb_bytes(&b, "\x41", 1);
    wb_sleb(&b, i + 1);
    wb_bytes(&b, "\x6d\x36\x02\x08", 4); /* i32.div_s; i32.store 8 */
    wb_bytes(&b, "\x41\x00\x28\x02\x08\x0d\x00\x0b", 8); /* br_if 0; end */
    wb_bytes(&b, "\x10", 1);
    wb_u32(&b, (i + 1) % n); /* call */
    wb_bytes(&b, "\x41", 1);
    wb_sleb(&b, i);
    wb_bytes(&b, "\x6a", 1); /* i32.add */
    wb_body(&sec, b.bytes, b.len);
    free(b.bytes);
  }
  wb_section(&m, 10, &sec);
  return m;
}

/* Enough code for several runs at the default split (DEFAULT_SPLIT_BYTES
 * in compile_parallel.c), on three threads. */
Test(parallel_compile, default_split_of_a_large_module) {
  wasm_buf b = many_functions(4000, NULL, NULL);
  rt_module *m = read_module(b.bytes, b.len);
  free(b.bytes);
  jit_options three = {.jobs = 3};
  cr_assert_eq(threads_for(m, &three), 3u);
  covered c = compare(m, (jit_options){0}, 0, 3);
  cr_expect_geq(c.traps, 4000u);
  rt_module_free(m);
}

static uint64_t body_bytes(const rt_module *m) {
  uint64_t n = 0;
  for (uint32_t f = m->nimported_funcs; f < m->nfuncs; f++)
    n += m->funcs[f].body_len;
  return n;
}

/* Modules with less than two runs of bodies (DEFAULT_SPLIT_BYTES each)
 * stay on the calling thread; from there on, the threads asked for. */
Test(parallel_compile, small_modules_stay_on_the_calling_thread) {
  const uint64_t two_runs = 2 * 32 * 1024;
  jit_options two = {.jobs = 2};
  uint32_t below = 0, above = 0;
  for (uint32_t n = 1000; n <= 3000 && !(below && above); n += 100) {
    wasm_buf b = many_functions(n, NULL, NULL);
    rt_module *m = read_module(b.bytes, b.len);
    free(b.bytes);
    uint64_t bytes = body_bytes(m);
    unsigned threads = threads_for(m, &two);
    if (bytes < two_runs) {
      cr_expect_eq(threads, 1u, "%u functions, %lu bytes: %u threads", n,
                   (unsigned long)bytes, threads);
      below = n;
    } else {
      cr_expect_eq(threads, 2u, "%u functions, %lu bytes: %u threads", n,
                   (unsigned long)bytes, threads);
      above = n;
    }
    jit_options one = {.jobs = 1};
    cr_expect_eq(threads_for(m, &one), 1u);
    rt_module_free(m);
  }
  cr_assert(below && above, "no module on both sides of the threshold");
}

/* The error of a module compiled serially and in parallel, the same. */
static void expect_same_error(const char *const *bodies, const size_t *lens,
                              uint32_t n, const char *expected) {
  wasm_buf b = many_functions(n, bodies, lens);
  rt_module *m = read_module(b.bytes, b.len);
  free(b.bytes);
  jit_options serial = {.jobs = 1}, parallel = {.jobs = 2, .split_bytes = 1};
  cr_assert_eq(threads_for(m, &parallel), 2u);
  jit_code s, p;
  wrun_error *se = jit_compile_module(m, &serial, &s, NULL);
  cr_assert_not_null(se);
  cr_expect(strstr(wrun_error_message(se), expected) != NULL,
            "serial: \"%s\", expected \"%s\"", wrun_error_message(se),
            expected);
  /* The threads race differently each time. */
  for (int round = 0; round < 20; round++) {
    wrun_error *pe = jit_compile_module(m, &parallel, &p, NULL);
    cr_assert_not_null(pe);
    cr_assert_str_eq(wrun_error_message(pe), wrun_error_message(se));
    cr_assert_eq(wrun_error_offset(pe), wrun_error_offset(se));
    wrun_error_delete(pe);
  }
  wrun_error_delete(se);
  rt_module_free(m);
}

#define N_ERR 64
static const char add_on_empty[] = "\x6a";    /* i32.add: no operands */
static const char unknown_op[] = "\x41\x00\xff"; /* malformed */

Test(parallel_compile, error_of_a_late_function) {
  const char *bodies[N_ERR] = {0};
  size_t lens[N_ERR] = {0};
  bodies[60] = add_on_empty;
  lens[60] = 1;
  expect_same_error(bodies, lens, N_ERR, "function 60:");
}

/* Function 3 fails at the end of a long body: the other thread gets to
 * function 21's error first, and 3's must still win. */
Test(parallel_compile, first_of_two_errors) {
  const char *bodies[N_ERR] = {0};
  size_t lens[N_ERR] = {0};
  bodies[21] = add_on_empty;
  lens[21] = 1;
  enum { DROPS = 200000 };
  char *slow = malloc(3 * DROPS + 1);
  cr_assert_not_null(slow);
  for (int i = 0; i < DROPS; i++)
    memcpy(slow + 3 * i, "\x41\x00\x1a", 3); /* i32.const 0; drop */
  slow[3 * DROPS] = '\x6a';
  bodies[3] = slow;
  lens[3] = 3 * DROPS + 1;
  expect_same_error(bodies, lens, N_ERR, "function 3:");
  free(slow);
}

/* A body that does not decode past an invalid one is the module's error
 * (the spec decodes every body before validating any). */
Test(parallel_compile, malformed_body_after_an_invalid_one) {
  const char *bodies[N_ERR] = {0};
  size_t lens[N_ERR] = {0};
  bodies[10] = add_on_empty;
  lens[10] = 1;
  bodies[50] = unknown_op;
  lens[50] = 3;
  expect_same_error(bodies, lens, N_ERR, "function 50:");
}
