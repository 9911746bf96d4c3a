/* Threads: shared memories, the atomics and wait/notify, beyond what the
 * proposal's scripts check: the read-modify-write results of every
 * operation and width, cmpxchg with expected values wider than the access,
 * alignment traps (with offsets), atomics on memory 1 and on memory64s
 * (one within 4 GiB, one that may pass it: both bounds strategies),
 * wait timeouts and the unshared-memory trap, and two threads in two
 * stores sharing one memory: counters by rmw.add and by a cmpxchg loop
 * that must not lose an increment, and a wait woken by notify. */
#ifdef THREADS_PLAIN /* the AArch64 cross build: threads_exec under qemu */
#include "plain_check.h"
#else
#include <criterion/criterion.h>
#endif
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "wasm_build.h"
#include "wrun.h"

enum { I32 = 0x7F, I64 = 0x7E, END = 0x0B, LOCAL_GET = 0x20,
       LOCAL_SET = 0x21, LOCAL_TEE = 0x22, I32_CONST = 0x41, ATOMIC = 0xFE };

/* How the module addresses its shared memory. */
typedef enum { MEM0, MEM1, MEM64, MEM64_LARGE, IMPORTED, UNSHARED } mem_kind;

/* memarg of an atomic access of 1 << align bytes at offset off */
static void memarg(wasm_buf *b, mem_kind k, uint8_t align, uint32_t off) {
  if (k == MEM1) {
    wb_byte(b, 0x40 | align);
    wb_u32(b, 1);
  } else {
    wb_byte(b, align);
  }
  wb_u32(b, off);
}

/* One body: locals (count of i32), the code, end (built by the caller). */
static void body(wasm_buf *code, wasm_buf *fn) {
  wb_u32(code, fn->len);
  wb_bytes(code, fn->bytes, fn->len);
  free(fn->bytes);
  memset(fn, 0, sizeof *fn);
}

/* atomic op `sub` with memarg (align, off) on (local 0, local 1 [, local 2]) */
static void op_body(wasm_buf *code, mem_kind k, uint32_t sub, uint8_t align,
                    uint32_t off, unsigned nargs) {
  wasm_buf f = {0};
  wb_byte(&f, 0);
  for (unsigned i = 0; i < nargs; i++) {
    wb_byte(&f, LOCAL_GET);
    wb_byte(&f, (uint8_t)i);
  }
  wb_byte(&f, ATOMIC);
  wb_u32(&f, sub);
  memarg(&f, k, align, off);
  wb_byte(&f, END);
  body(code, &f);
}

/* The exports, in function order, with their type (see types below),
 * 0xFE code, alignment, offset and operand count. */
typedef struct fn_desc {
  const char *name;
  uint8_t type;
  uint32_t sub;
  uint8_t align;
  uint32_t off;
  unsigned nargs;
} fn_desc;

static const fn_desc fns[] = {
    {"add", 0, 0x1E, 2, 0, 2},          /* i32.atomic.rmw.add */
    {"sub", 0, 0x25, 2, 0, 2},          /* i32.atomic.rmw.sub */
    {"and", 0, 0x2C, 2, 0, 2},          /* i32.atomic.rmw.and */
    {"or", 0, 0x33, 2, 0, 2},           /* i32.atomic.rmw.or */
    {"xor", 0, 0x3A, 2, 0, 2},          /* i32.atomic.rmw.xor */
    {"xchg", 0, 0x41, 2, 0, 2},         /* i32.atomic.rmw.xchg */
    {"add8", 0, 0x20, 0, 0, 2},         /* i32.atomic.rmw8.add_u */
    {"sub16", 0, 0x28, 1, 0, 2},        /* i32.atomic.rmw16.sub_u */
    {"and8", 0, 0x2E, 0, 0, 2},         /* i32.atomic.rmw8.and_u */
    {"or16", 0, 0x36, 1, 0, 2},         /* i32.atomic.rmw16.or_u */
    {"xchg8", 0, 0x43, 0, 0, 2},        /* i32.atomic.rmw8.xchg_u */
    {"cmpxchg", 1, 0x48, 2, 0, 3},      /* i32.atomic.rmw.cmpxchg */
    {"cmpxchg8", 1, 0x4A, 0, 0, 3},     /* i32.atomic.rmw8.cmpxchg_u */
    {"cmpxchg16_4", 1, 0x4B, 1, 4, 3},  /* i32.atomic.rmw16.cmpxchg_u off 4 */
    {"add64", 2, 0x1F, 3, 0, 2},        /* i64.atomic.rmw.add */
    {"xor64_32", 2, 0x40, 2, 0, 2},     /* i64.atomic.rmw32.xor_u */
    {"cmpxchg64", 3, 0x49, 3, 0, 3},    /* i64.atomic.rmw.cmpxchg */
    {"cmpxchg64_32", 3, 0x4E, 2, 0, 3}, /* i64.atomic.rmw32.cmpxchg_u */
    {"load", 4, 0x10, 2, 0, 1},         /* i32.atomic.load */
    {"load64", 5, 0x11, 3, 0, 1},       /* i64.atomic.load */
    {"load16_2", 4, 0x13, 1, 2, 1},     /* i32.atomic.load16_u off 2 */
    {"store", 6, 0x17, 2, 0, 2},        /* i32.atomic.store */
    {"store8", 6, 0x19, 0, 0, 2},       /* i32.atomic.store8 */
    {"store64", 7, 0x18, 3, 0, 2},      /* i64.atomic.store */
    {"wait32", 8, 0x01, 2, 0, 3},       /* memory.atomic.wait32 */
    {"wait64", 9, 0x02, 3, 0, 3},       /* memory.atomic.wait64 */
    {"notify", 0, 0x00, 2, 0, 2},       /* memory.atomic.notify */
};
enum { NFNS = sizeof fns / sizeof *fns };

/* Two more functions after fns: count(addr, n) adds 1 n times with
 * rmw.add, count_cas(addr, n) with an atomic.load + cmpxchg retry loop. */
static void counter_bodies(wasm_buf *code, mem_kind k) {
  wasm_buf f = {0};
  /* count: loop { add(addr, 1); drop; n = n - 1; br_if n } */
  wb_byte(&f, 0);
  wb_bytes(&f, (uint8_t[]){0x03, 0x40, LOCAL_GET, 0}, 4);
  if (k == MEM64 || k == MEM64_LARGE) wb_byte(&f, 0xAD);
  wb_bytes(&f, (uint8_t[]){I32_CONST, 1, ATOMIC, 0x1E}, 4);
  memarg(&f, k, 2, 0);
  wb_bytes(&f, (uint8_t[]){0x1A, LOCAL_GET, 1, I32_CONST, 1, 0x6B, LOCAL_TEE,
                           1, 0x0D, 0, END, END}, 12);
  body(code, &f);
  /* count_cas: loop { old = load(addr); if cmpxchg(addr, old, old + 1)
   * != old: continue; n = n - 1; br_if n } with local 2 = old */
  wb_bytes(&f, (uint8_t[]){1, 1, I32}, 3);
  wb_bytes(&f, (uint8_t[]){0x03, 0x40, LOCAL_GET, 0}, 4);
  if (k == MEM64 || k == MEM64_LARGE) wb_byte(&f, 0xAD);
  wb_bytes(&f, (uint8_t[]){ATOMIC, 0x10}, 2);
  memarg(&f, k, 2, 0);
  wb_bytes(&f, (uint8_t[]){LOCAL_SET, 2, LOCAL_GET, 0}, 4);
  if (k == MEM64 || k == MEM64_LARGE) wb_byte(&f, 0xAD);
  wb_bytes(&f, (uint8_t[]){LOCAL_GET, 2, LOCAL_GET, 2, I32_CONST, 1, 0x6A,
                           ATOMIC, 0x48}, 9);
  memarg(&f, k, 2, 0);
  wb_bytes(&f, (uint8_t[]){LOCAL_GET, 2, 0x47, 0x0D, 0, LOCAL_GET, 1,
                           I32_CONST, 1, 0x6B, LOCAL_TEE, 1, 0x0D, 0, END,
                           END}, 16);
  body(code, &f);
}

/* The module: its shared memory of 1 page (max 1) is memory 0, memory 1
 * (after an unshared memory 0), a shared memory64, or imported as
 * env.mem; UNSHARED has an unshared memory 0 instead. The memory the
 * functions use is exported as "mem" (when defined). The counters take
 * i32 addresses (extended for a memory64). */
static wasm_buf threads_module(mem_kind k) {
  bool is64 = k == MEM64 || k == MEM64_LARGE;
  uint8_t at = is64 ? I64 : I32; /* address type */
  wasm_buf b = {0}, s = {0};
  wb_header(&b);
  wb_u32(&s, 11);
  wb_bytes(&s, (uint8_t[]){0x60, 2, at, I32, 1, I32}, 6);          /* 0 */
  wb_bytes(&s, (uint8_t[]){0x60, 3, at, I32, I32, 1, I32}, 7);     /* 1 */
  wb_bytes(&s, (uint8_t[]){0x60, 2, at, I64, 1, I64}, 6);          /* 2 */
  wb_bytes(&s, (uint8_t[]){0x60, 3, at, I64, I64, 1, I64}, 7);     /* 3 */
  wb_bytes(&s, (uint8_t[]){0x60, 1, at, 1, I32}, 5);               /* 4 */
  wb_bytes(&s, (uint8_t[]){0x60, 1, at, 1, I64}, 5);               /* 5 */
  wb_bytes(&s, (uint8_t[]){0x60, 2, at, I32, 0}, 5);               /* 6 */
  wb_bytes(&s, (uint8_t[]){0x60, 2, at, I64, 0}, 5);               /* 7 */
  wb_bytes(&s, (uint8_t[]){0x60, 3, at, I32, I64, 1, I32}, 7);     /* 8 */
  wb_bytes(&s, (uint8_t[]){0x60, 3, at, I64, I64, 1, I32}, 7);     /* 9 */
  wb_bytes(&s, (uint8_t[]){0x60, 2, I32, I32, 0}, 5);              /* 10 */
  wb_section(&b, 1, &s);
  if (k == IMPORTED) {
    wb_u32(&s, 1);
    wb_name(&s, "env");
    wb_name(&s, "mem");
    wb_bytes(&s, (uint8_t[]){0x02, 0x03, 1, 1}, 4);
    wb_section(&b, 2, &s);
  }
  wb_u32(&s, NFNS + 2);
  for (uint32_t i = 0; i < NFNS; i++) wb_byte(&s, fns[i].type);
  wb_byte(&s, 10);
  wb_byte(&s, 10);
  wb_section(&b, 3, &s);
  if (k != IMPORTED) {
    if (k == MEM1) {
      wb_bytes(&s, (uint8_t[]){2, 0x00, 1, 0x03, 1, 1}, 6);
    } else if (k == MEM64_LARGE) { /* max 65537 pages: size-checked */
      wb_bytes(&s, (uint8_t[]){1, 0x07, 1, 0x81, 0x80, 0x04}, 6);
    } else {
      uint8_t flags = k == MEM64 ? 0x07 : k == UNSHARED ? 0x01 : 0x03;
      wb_bytes(&s, (uint8_t[]){1, flags, 1, 1}, 4);
    }
    wb_section(&b, 5, &s);
  }
  wb_u32(&s, NFNS + 2 + (k != IMPORTED));
  for (uint32_t i = 0; i < NFNS; i++) wb_export(&s, fns[i].name, 0x00, i);
  wb_export(&s, "count", 0x00, NFNS);
  wb_export(&s, "count_cas", 0x00, NFNS + 1);
  if (k != IMPORTED) wb_export(&s, "mem", 0x02, k == MEM1 ? 1 : 0);
  wb_section(&b, 7, &s);
  wb_u32(&s, NFNS + 2);
  for (uint32_t i = 0; i < NFNS; i++)
    op_body(&s, k, fns[i].sub, fns[i].align, fns[i].off, fns[i].nargs);
  counter_bodies(&s, k);
  wb_section(&b, 10, &s);
  return b;
}

/* Calls export name with integer arguments; the trap, or NULL and the
 * result in *out. */
static wrun_trap *call(wrun_store *store, const wrun_instance *inst,
                       const char *name, const int64_t *args, size_t nargs,
                       int64_t *out) {
  wrun_extern e = wb_export_of(inst, name);
  wrun_val r;
  wrun_trap *t = wb_call_ints(store, e.of.func, args, nargs, &r);
  if (out) *out = r.type == WRUN_I64 ? r.of.i64 : (int64_t)(uint32_t)r.of.i32;
  return t;
}

static int64_t call_ok(const wb_world *w, const char *name,
                       const int64_t *args, size_t nargs) {
  int64_t r = 0;
  wrun_trap *t = call(w->store, w->inst, name, args, nargs, &r);
  cr_assert_null(t, "%s trapped: %s", name, t ? wrun_trap_message(t) : "");
  return r;
}

#define ARGS(...) (const int64_t[]){__VA_ARGS__}, \
                  sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t)

static uint8_t *mem_of(const wb_world *w) {
  return wrun_memory_data(wb_export_of(w->inst, "mem").of.memory);
}

static void put32(uint8_t *m, uint32_t at, uint32_t v) { memcpy(m + at, &v, 4); }
static void put64(uint8_t *m, uint32_t at, uint64_t v) { memcpy(m + at, &v, 8); }
static uint32_t get32(const uint8_t *m, uint32_t at) {
  uint32_t v;
  memcpy(&v, m + at, 4);
  return v;
}
static uint64_t get64(const uint8_t *m, uint32_t at) {
  uint64_t v;
  memcpy(&v, m + at, 8);
  return v;
}

/* Every rmw returns the old value (zero-extended from its width) and
 * leaves the new one; cmpxchg compares only its width's bits of the
 * expected value. */
static void check_rmw(mem_kind k) {
  wasm_buf b = threads_module(k);
  wb_world w = wb_world_new(&b);
  uint8_t *m = mem_of(&w);
  put32(m, 8, 0xF0F0F0F0);
  cr_expect_eq(call_ok(&w, "add", ARGS(8, 0x10)), 0xF0F0F0F0);
  cr_expect_eq(get32(m, 8), 0xF0F0F100);
  cr_expect_eq(call_ok(&w, "sub", ARGS(8, 0x100)), 0xF0F0F100);
  cr_expect_eq(get32(m, 8), 0xF0F0F000);
  cr_expect_eq(call_ok(&w, "and", ARGS(8, 0x0FF0FFFF)), 0xF0F0F000);
  cr_expect_eq(get32(m, 8), 0x00F0F000);
  cr_expect_eq(call_ok(&w, "or", ARGS(8, 0x0000000F)), 0x00F0F000);
  cr_expect_eq(call_ok(&w, "xor", ARGS(8, -1)), 0x00F0F00F);
  cr_expect_eq(get32(m, 8), 0xFF0F0FF0);
  cr_expect_eq(call_ok(&w, "xchg", ARGS(8, 0x12345678)), 0xFF0F0FF0);
  cr_expect_eq(get32(m, 8), 0x12345678);
  /* narrow ones touch only their bytes; results zero-extended */
  cr_expect_eq(call_ok(&w, "add8", ARGS(8, 0x1FF)), 0x78);
  cr_expect_eq(get32(m, 8), 0x12345677);
  cr_expect_eq(call_ok(&w, "sub16", ARGS(10, 0x1235)), 0x1234);
  cr_expect_eq(get32(m, 8), 0xFFFF5677);
  cr_expect_eq(call_ok(&w, "and8", ARGS(11, 0x0F)), 0xFF);
  cr_expect_eq(call_ok(&w, "or16", ARGS(8, 0x8000)), 0x5677);
  cr_expect_eq(call_ok(&w, "xchg8", ARGS(9, 0xAB)), 0xD6);
  cr_expect_eq(get32(m, 8), 0x0FFFAB77);
  /* cmpxchg: success, failure, and expected values wider than the access */
  cr_expect_eq(call_ok(&w, "cmpxchg", ARGS(8, 0x0FFFAB77, 5)), 0x0FFFAB77);
  cr_expect_eq(get32(m, 8), 5);
  cr_expect_eq(call_ok(&w, "cmpxchg", ARGS(8, 6, 7)), 5);
  cr_expect_eq(get32(m, 8), 5);
  cr_expect_eq(call_ok(&w, "cmpxchg8", ARGS(8, 0x105, 0x1AA)), 5);
  cr_expect_eq(get32(m, 8), 0xAA);
  put32(m, 12, 0xBEEF0000);
  cr_expect_eq(call_ok(&w, "cmpxchg16_4", ARGS(8, 0xFFFF0000, 0x1234)), 0);
  cr_expect_eq(get32(m, 12), 0xBEEF1234);
  put64(m, 16, 0x0123456789ABCDEFull);
  cr_expect_eq(call_ok(&w, "add64", ARGS(16, 0x1000000000000001ll)),
               0x0123456789ABCDEFll);
  cr_expect_eq(get64(m, 16), 0x1123456789ABCDF0ull);
  cr_expect_eq(call_ok(&w, "xor64_32", ARGS(16, -1)), 0x89ABCDF0);
  cr_expect_eq(get64(m, 16), 0x112345677654320Full);
  cr_expect_eq(call_ok(&w, "cmpxchg64", ARGS(16, 0x112345677654320Fll, -2)),
               0x112345677654320Fll);
  cr_expect_eq(get64(m, 16), (uint64_t)-2);
  cr_expect_eq(call_ok(&w, "cmpxchg64_32",
                       ARGS(16, 0x77777777FFFFFFFEll, 0x55555555AAAAAAAAll)),
               0xFFFFFFFE);
  cr_expect_eq(get64(m, 16), 0xFFFFFFFFAAAAAAAAull);
  /* loads and stores */
  cr_expect_eq(call_ok(&w, "load64", ARGS(16)), -0x55555556ll);
  cr_expect_eq(call_ok(&w, "load16_2", ARGS(16)), 0xAAAA);
  cr_expect_eq(call_ok(&w, "load16_2", ARGS(20)), 0xFFFF);
  call_ok(&w, "store", ARGS(24, 0x11223344));
  call_ok(&w, "store8", ARGS(25, 0x1FF));
  cr_expect_eq(call_ok(&w, "load", ARGS(24)), 0x1122FF44);
  call_ok(&w, "store64", ARGS(32, -3));
  cr_expect_eq(get64(m, 32), (uint64_t)-3);
  wb_world_free(&w);
}

Test(threads, rmw_results_memory0) { check_rmw(MEM0); }
Test(threads, rmw_results_memory1) { check_rmw(MEM1); }
Test(threads, rmw_results_memory64) { check_rmw(MEM64); }
Test(threads, rmw_results_memory64_large) { check_rmw(MEM64_LARGE); }

static void expect_trap(const wb_world *w, const char *name,
                        const int64_t *args, size_t nargs,
                        wrun_trap_code code) {
  wb_expect_trap(call(w->store, w->inst, name, args, nargs, NULL), code,
                 name);
}

/* Misaligned effective addresses trap, counting the offset; out of
 * bounds is out of bounds as for plain accesses. */
static void check_traps(mem_kind k) {
  wasm_buf b = threads_module(k);
  wb_world w = wb_world_new(&b);
  const wrun_trap_code U = WRUN_TRAP_UNALIGNED_ATOMIC,
                       O = WRUN_TRAP_MEMORY_OOB;
  expect_trap(&w, "add", ARGS(1, 0), U);
  expect_trap(&w, "add", ARGS(2, 0), U);
  expect_trap(&w, "sub16", ARGS(3, 0), U);
  expect_trap(&w, "add64", ARGS(4, 0), U);
  expect_trap(&w, "cmpxchg", ARGS(6, 0, 0), U);
  expect_trap(&w, "cmpxchg16_4", ARGS(1, 0, 0), U); /* 1 + 4 */
  call_ok(&w, "cmpxchg16_4", ARGS(2, 0, 0));           /* 2 + 4 */
  expect_trap(&w, "load16_2", ARGS(1), U);
  expect_trap(&w, "store", ARGS(2, 0), U);
  expect_trap(&w, "store64", ARGS(12, 0), U);
  expect_trap(&w, "load64", ARGS(4), U);
  expect_trap(&w, "wait32", ARGS(2, 0, 0), U);
  expect_trap(&w, "notify", ARGS(1, 0), U);
  call_ok(&w, "add8", ARGS(65535, 1));
  expect_trap(&w, "add8", ARGS(65536, 1), O);
  expect_trap(&w, "add", ARGS(65536, 1), O);
  expect_trap(&w, "load64", ARGS(65536), O);
  expect_trap(&w, "cmpxchg64", ARGS(65536 + 8, 0, 0), O);
  expect_trap(&w, "load16_2", ARGS(65534), O);
  expect_trap(&w, "notify", ARGS(65536, 1), O);
  expect_trap(&w, "wait64", ARGS(65536, 0, 0), O);
  if (k == MEM64 || k == MEM64_LARGE) {
    expect_trap(&w, "add", ARGS(1ll << 32, 1), O);
    expect_trap(&w, "add", ARGS(-4, 1), O);
  }
  wb_world_free(&w);
}

Test(threads, alignment_and_bounds_memory0) { check_traps(MEM0); }
Test(threads, alignment_and_bounds_memory1) { check_traps(MEM1); }
Test(threads, alignment_and_bounds_memory64) { check_traps(MEM64); }
Test(threads, alignment_and_bounds_memory64_large) {
  check_traps(MEM64_LARGE);
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* wait: 1 when the value differs, 2 on a timeout that did elapse; notify
 * without waiters wakes none. */
Test(threads, wait_timeouts) {
  wasm_buf b = threads_module(MEM0);
  wb_world w = wb_world_new(&b);
  put32(mem_of(&w), 0, 7);
  cr_expect_eq(call_ok(&w, "wait32", ARGS(0, 8, -1)), 1);
  cr_expect_eq(call_ok(&w, "wait64", ARGS(0, 8, -1)), 1);
  cr_expect_eq(call_ok(&w, "wait32", ARGS(0, 7, 0)), 2);
  double t0 = now_s();
  cr_expect_eq(call_ok(&w, "wait32", ARGS(0, 7, 20000000)), 2); /* 20 ms */
  cr_expect_geq(now_s() - t0, 0.019);
  cr_expect_eq(call_ok(&w, "wait64", ARGS(0, 7, 1000000)), 2);
  cr_expect_eq(call_ok(&w, "notify", ARGS(0, 10)), 0);
  wb_world_free(&w);
}

/* The same module with an unshared memory: atomics work, wait traps,
 * notify wakes none. */
Test(threads, wait_on_unshared_memory_traps) {
  wasm_buf b = threads_module(UNSHARED);
  wb_world w = wb_world_new(&b);
  cr_expect_eq(call_ok(&w, "add", ARGS(0, 3)), 0);
  cr_expect_eq(call_ok(&w, "load", ARGS(0)), 3);
  expect_trap(&w, "wait32", ARGS(0, 3, 0), WRUN_TRAP_EXPECTED_SHARED);
  expect_trap(&w, "wait64", ARGS(0, 3, 0), WRUN_TRAP_EXPECTED_SHARED);
  cr_expect_eq(call_ok(&w, "notify", ARGS(0, 1)), 0);
  wb_world_free(&w);
}

/* ---- two threads, two stores, one shared memory ------------------------ */

typedef struct worker {
  wrun_engine *engine;
  wrun_module *module;
  wrun_memory *memory;
  const char *func;
  int64_t args[3];
  size_t nargs;
  int64_t result;
  bool trapped;
} worker;

/* A store of its own importing the memory, one call of func. */
static void *run_worker(void *p) {
  worker *wk = p;
  wrun_store *store = wrun_store_new(wk->engine);
  wrun_extern imp = {.kind = WRUN_EXTERN_MEMORY, .of.memory = wk->memory};
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(store, wk->module, &imp, 1, &inst, &err, &trap);
  if (err || trap || !inst) {
    wk->trapped = true;
  } else {
    wrun_trap *t = call(store, inst, wk->func, wk->args, wk->nargs,
                        &wk->result);
    wk->trapped = t != NULL;
    if (t) wrun_trap_delete(t);
  }
  if (err) wrun_error_delete(err);
  if (trap) wrun_trap_delete(trap);
  wrun_store_delete(store);
  return NULL;
}

enum { ROUNDS = 200000 };

static void count_on_two_threads(const char *func) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *owner = wrun_store_new(engine);
  wrun_memory *mem = wrun_memory_new_shared(owner, 1, 1);
  cr_assert_not_null(mem);
  wasm_buf b = threads_module(IMPORTED);
  wrun_module *module = wb_compile(engine, &b);
  worker w[2];
  pthread_t th[2];
  for (int i = 0; i < 2; i++) {
    w[i] = (worker){engine, module, mem, func, {64, ROUNDS}, 2, 0, false};
    cr_assert_eq(pthread_create(&th[i], NULL, run_worker, &w[i]), 0);
  }
  for (int i = 0; i < 2; i++) pthread_join(th[i], NULL);
  cr_expect(!w[0].trapped && !w[1].trapped);
  cr_expect_eq(get32(wrun_memory_data(mem), 64), 2u * ROUNDS, "%s: %u", func,
               get32(wrun_memory_data(mem), 64));
  wrun_store_delete(owner);
  wrun_module_delete(module);
  wrun_engine_delete(engine);
}

Test(threads, counter_by_rmw_add_on_two_threads) {
  count_on_two_threads("count");
}

Test(threads, counter_by_cmpxchg_loop_on_two_threads) {
  count_on_two_threads("count_cas");
}

/* One thread waits (no timeout) on a location; the main thread, in its
 * own store, notifies until one waiter is woken. The waiter sees 0. */
Test(threads, notify_wakes_a_waiter) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *owner = wrun_store_new(engine);
  wrun_memory *mem = wrun_memory_new_shared(owner, 1, 1);
  wasm_buf b = threads_module(IMPORTED);
  wrun_module *module = wb_compile(engine, &b);
  wrun_extern imp = {.kind = WRUN_EXTERN_MEMORY, .of.memory = mem};
  wrun_instance *inst = wb_instantiate(owner, module, &imp, 1);
  worker wk = {engine, module, mem, "wait32", {128, 0, -1}, 3, -1, false};
  pthread_t th;
  cr_assert_eq(pthread_create(&th, NULL, run_worker, &wk), 0);
  int64_t woken = 0;
  for (int tries = 0; woken == 0 && tries < 100000; tries++) {
    wrun_trap *t = call(owner, inst, "notify", ARGS(128, 1), &woken);
    cr_assert_null(t);
    if (!woken) {
      struct timespec d = {0, 100000};
      nanosleep(&d, NULL);
    }
  }
  pthread_join(th, NULL);
  cr_expect_eq(woken, 1);
  cr_expect(!wk.trapped);
  cr_expect_eq(wk.result, 0);
  wrun_store_delete(owner);
  wrun_module_delete(module);
  wrun_engine_delete(engine);
}

/* Imports: a shared memory satisfies only shared imports, and a shared
 * import only a shared memory; a shared memory outlives its maker while
 * another store uses it. */
Test(threads, shared_import_matching_and_lifetime) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *owner = wrun_store_new(engine);
  wrun_store *user = wrun_store_new(engine);
  wrun_memory *plain = wrun_memory_new(owner, 1, 1, true);
  wrun_memory *shared = wrun_memory_new_shared(owner, 1, 1);
  wasm_buf b = threads_module(IMPORTED);
  wrun_module *module = wb_compile(engine, &b);
  wrun_extern imp = {.kind = WRUN_EXTERN_MEMORY, .of.memory = plain};
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(owner, module, &imp, 1, &inst, &err, &trap);
  cr_expect_not_null(err, "an unshared memory for a shared import");
  if (err) wrun_error_delete(err);
  imp.of.memory = shared;
  inst = wb_instantiate(user, module, &imp, 1);
  wrun_store_delete(owner); /* the user store keeps the memory */
  int64_t r = 0;
  cr_expect_null(call(user, inst, "add", ARGS(0, 5), &r));
  cr_expect_null(call(user, inst, "add", ARGS(0, 5), &r));
  cr_expect_eq(r, 5);
  wrun_store_delete(user);
  wrun_module_delete(module);
  wrun_engine_delete(engine);
}

/* The module [] -> [] of one body (code without the final end) over a
 * shared memory; its compile error (NULL when it compiles). */
static char *compile_error(const uint8_t *code, size_t n) {
  wasm_buf b = {0}, s = {0};
  wb_header(&b);
  wb_bytes(&s, (uint8_t[]){1, 0x60, 0, 0}, 4);
  wb_section(&b, 1, &s);
  wb_bytes(&s, (uint8_t[]){1, 0}, 2);
  wb_section(&b, 3, &s);
  wb_bytes(&s, (uint8_t[]){1, 0x03, 1, 1}, 4);
  wb_section(&b, 5, &s);
  wb_u32(&s, 1);
  wb_body(&s, code, n);
  wb_section(&b, 10, &s);
  wrun_engine *engine = wrun_engine_new();
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(engine, b.bytes, b.len, &m);
  free(b.bytes);
  char *msg = err ? strdup(wrun_error_message(err)) : NULL;
  if (err) wrun_error_delete(err);
  wrun_module_delete(m);
  wrun_engine_delete(engine);
  return msg;
}

#define COMPILE_ERROR(...)                                                  \
  compile_error((const uint8_t[]){__VA_ARGS__},                            \
                sizeof((const uint8_t[]){__VA_ARGS__}))

/* An atomic's alignment is exactly its size: smaller is invalid too
 * (plain accesses allow it); fence takes one zero byte. */
Test(threads, atomic_alignment_must_be_natural) {
  char *e = COMPILE_ERROR(I32_CONST, 0, ATOMIC, 0x10, 2, 0, 0x1A);
  cr_expect_null(e, "%s", e);
  free(e);
  e = COMPILE_ERROR(I32_CONST, 0, ATOMIC, 0x10, 1, 0, 0x1A);
  cr_expect(e && strstr(e, "atomic alignment must be natural"), "%s", e);
  free(e);
  e = COMPILE_ERROR(I32_CONST, 0, ATOMIC, 0x12, 1, 0, 0x1A); /* load8_u */
  cr_expect(e && strstr(e, "atomic alignment must be natural"), "%s", e);
  free(e);
  e = COMPILE_ERROR(ATOMIC, 0x03, 0x00);
  cr_expect_null(e, "%s", e);
  free(e);
  e = COMPILE_ERROR(ATOMIC, 0x03, 0x01);
  cr_expect_not_null(e, "fence with a non-zero byte");
  free(e);
  e = COMPILE_ERROR(ATOMIC, 0x4F, 2, 0); /* past the last rmw */
  cr_expect(e && strstr(e, "illegal opcode"), "%s", e);
  free(e);
}
