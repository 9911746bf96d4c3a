/* memory64 past 4 GiB: a plain program (no criterion), run natively as the
 * unit test mem64_large and in the AArch64 cross build under qemu-aarch64
 * (tests/unit/run-mem64-arm64.sh), so both backends' explicit bounds
 * checks are exercised.
 *
 * Two 64-bit memories without a maximum: they may pass 4 GiB, so their
 * code compares each address with the current size (jit/codegen_ops.c,
 * check_size_address). A store limit of 4 GiB + 2 pages per memory lets
 * memory 0 grow there; the test touches only a few of its pages. It
 * stores and loads above 2^32, traps at the exact end for each access
 * size, at offsets from 2^32 (the add-and-compare path) to 2^64 - 1 (a
 * small address must not wrap into bounds), from constant addresses, for
 * v128 and for memory 1, and runs memory.fill/copy/init past 4 GiB. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WB_CHECK(p)                                                           \
  do {                                                                        \
    if (!(p)) abort();                                                        \
  } while (0)
#include "wasm_build.h"
#include "wrun.h"

static int failures;

#define CHECK(ok, ...)                                                        \
  do {                                                                        \
    if (!(ok)) {                                                              \
      printf("  %s:%d: ", __FILE__, __LINE__);                                \
      printf(__VA_ARGS__);                                                    \
      printf("\n");                                                           \
      failures++;                                                             \
    }                                                                         \
  } while (0)

enum { I32 = 0x7F, I64 = 0x7E, END = 0x0B, LOCAL_GET = 0x20,
       I64_CONST = 0x42, MEMARG_MEM = 0x40 };

#define PAGE 65536ull
#define G4 (1ull << 32)
/* memory 0's size once grown: 4 GiB + 2 pages */
#define SIZE (G4 + 2 * PAGE)

static void body(wasm_buf *s, const uint8_t *code, size_t n) {
  wb_u32(s, n + 2);
  wb_byte(s, 0);
  wb_bytes(s, code, n);
  wb_byte(s, END);
}

/* A memarg: align, then the u64 offset, for memory 0. */
static void memarg(wasm_buf *s, uint8_t align, uint64_t offset) {
  wb_byte(s, align);
  wb_u32(s, offset);
}

typedef struct fn {
  const char *name;
  uint8_t type;
} fn;

/* Types: 0 (i64)->i32, 1 (i64 i32)->(), 2 (i64)->i64, 3 (i64 i64)->(),
 * 4 ()->i32, 5 ()->i64, 6 (i64 i32 i64)->(), 7 (i64 i64 i64)->(),
 * 8 (i64 i32 i32)->(). */
static const fn funcs[] = {
    {"load8", 0},        {"load8_off4g", 0}, {"load8_offmax", 0},
    {"load8_off48", 0},  {"load64", 2},      {"load64_offu32", 2},
    {"store8", 1},       {"store64", 3},     {"load8_const_hi", 4},
    {"load8_const_wrap", 4}, {"size", 5},    {"grow", 2},
    {"fill", 6},         {"copy", 7},        {"init", 8},
    {"m1_load8", 0},     {"m1_store8", 1},   {"vload", 2},
    {"store8_off4g", 1},
};
enum { NFUNCS = sizeof funcs / sizeof *funcs };

static wasm_buf module_bytes(void) {
  wasm_buf b = {0}, s = {0}, c = {0};
  wb_header(&b);
  wb_u32(&s, 9);
  wb_bytes(&s, (uint8_t[]){0x60, 1, I64, 1, I32}, 5);
  wb_bytes(&s, (uint8_t[]){0x60, 2, I64, I32, 0}, 5);
  wb_bytes(&s, (uint8_t[]){0x60, 1, I64, 1, I64}, 5);
  wb_bytes(&s, (uint8_t[]){0x60, 2, I64, I64, 0}, 5);
  wb_bytes(&s, (uint8_t[]){0x60, 0, 1, I32}, 4);
  wb_bytes(&s, (uint8_t[]){0x60, 0, 1, I64}, 4);
  wb_bytes(&s, (uint8_t[]){0x60, 3, I64, I32, I64, 0}, 6);
  wb_bytes(&s, (uint8_t[]){0x60, 3, I64, I64, I64, 0}, 6);
  wb_bytes(&s, (uint8_t[]){0x60, 3, I64, I32, I32, 0}, 6);
  wb_section(&b, 1, &s);
  wb_u32(&s, NFUNCS);
  for (uint32_t i = 0; i < NFUNCS; i++) wb_byte(&s, funcs[i].type);
  wb_section(&b, 3, &s);
  /* two memories: i64, min 1, no maximum (flags 0x04) */
  wb_bytes(&s, (uint8_t[]){2, 0x04, 1, 0x04, 1}, 5);
  wb_section(&b, 5, &s);
  wb_u32(&s, NFUNCS + 1);
  for (uint32_t i = 0; i < NFUNCS; i++) {
    wb_name(&s, funcs[i].name);
    wb_byte(&s, 0x00);
    wb_u32(&s, i);
  }
  wb_name(&s, "mem");
  wb_bytes(&s, (uint8_t[]){0x02, 0}, 2);
  wb_section(&b, 7, &s);
  wb_u32(&s, 1); /* data count */
  wb_section(&b, 12, &s);

  wb_u32(&s, NFUNCS);
#define CODE(...) wb_bytes(&c, (const uint8_t[]){__VA_ARGS__}, \
                           sizeof((const uint8_t[]){__VA_ARGS__}))
#define FLUSH() (body(&s, c.bytes, c.len), free(c.bytes), \
                 memset(&c, 0, sizeof c))
  /* load8: i32.load8_u offset 0 */
  CODE(LOCAL_GET, 0, 0x2D); memarg(&c, 0, 0); FLUSH();
  /* load8_off4g: offset 2^32 (past the guard: add, compare again) */
  CODE(LOCAL_GET, 0, 0x2D); memarg(&c, 0, G4); FLUSH();
  /* load8_offmax: offset 2^64 - 1 */
  CODE(LOCAL_GET, 0, 0x2D); memarg(&c, 0, UINT64_MAX); FLUSH();
  /* load8_off48: offset 2^48 (no memory holds it) */
  CODE(LOCAL_GET, 0, 0x2D); memarg(&c, 0, 1ull << 48); FLUSH();
  /* load64: i64.load */
  CODE(LOCAL_GET, 0, 0x29); memarg(&c, 3, 0); FLUSH();
  /* load64_offu32: i64.load offset 2^32 - 1 (the guard's part) */
  CODE(LOCAL_GET, 0, 0x29); memarg(&c, 3, UINT32_MAX); FLUSH();
  /* store8 */
  CODE(LOCAL_GET, 0, LOCAL_GET, 1, 0x3A); memarg(&c, 0, 0); FLUSH();
  /* store64 */
  CODE(LOCAL_GET, 0, LOCAL_GET, 1, 0x37); memarg(&c, 3, 0); FLUSH();
  /* load8_const_hi: i64.const 2^32 + 5 */
  CODE(I64_CONST); wb_u32(&c, G4 + 5); CODE(0x2D); memarg(&c, 0, 0);
  FLUSH();
  /* load8_const_wrap: i64.const -1 (signed LEB), offset 1: wraps to 0 */
  CODE(I64_CONST, 0x7F, 0x2D); memarg(&c, 0, 1); FLUSH();
  /* size, grow */
  CODE(0x3F, 0); FLUSH();
  CODE(LOCAL_GET, 0, 0x40, 0); FLUSH();
  /* fill, copy, init (data 0) */
  CODE(LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, 0xFC, 11, 0); FLUSH();
  CODE(LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, 0xFC, 10, 0, 0); FLUSH();
  CODE(LOCAL_GET, 0, LOCAL_GET, 1, LOCAL_GET, 2, 0xFC, 8, 0, 0); FLUSH();
  /* m1_load8, m1_store8: memory 1 */
  CODE(LOCAL_GET, 0, 0x2D, MEMARG_MEM, 1, 0); FLUSH();
  CODE(LOCAL_GET, 0, LOCAL_GET, 1, 0x3A, MEMARG_MEM, 1, 0); FLUSH();
  /* vload: v128.load, i64x2.extract_lane 0 */
  CODE(LOCAL_GET, 0, 0xFD, 0x00); memarg(&c, 4, 0); CODE(0xFD, 0x1D, 0);
  FLUSH();
  /* store8_off4g: i32.store8 offset 2^32 */
  CODE(LOCAL_GET, 0, LOCAL_GET, 1, 0x3A); memarg(&c, 0, G4); FLUSH();
  wb_section(&b, 10, &s);
  /* data 0: passive "hello" */
  wb_bytes(&s, (uint8_t[]){1, 0x01, 5, 'h', 'e', 'l', 'l', 'o'}, 8);
  wb_section(&b, 11, &s);
  return b;
}

typedef struct world {
  wrun_engine *engine;
  wrun_store *store;
  wrun_module *module;
  wrun_instance *inst;
} world;

/* limit: the store's memory_bytes (0: the defaults). */
static bool make_world(world *w, uint64_t limit) {
  memset(w, 0, sizeof *w);
  w->engine = wrun_engine_new();
  w->store = wrun_store_new(w->engine);
  if (limit) {
    wrun_store_limits l;
    wrun_store_get_limits(w->store, &l);
    l.memory_bytes = limit;
    wrun_error *e = wrun_store_set_limits(w->store, &l);
    CHECK(!e, "set limits");
  }
  wasm_buf b = module_bytes();
  wrun_error *err = wrun_module_new(w->engine, b.bytes, b.len, &w->module);
  free(b.bytes);
  if (err) {
    CHECK(0, "compile: %s", wrun_error_message(err));
    return false;
  }
  wrun_trap *trap = NULL;
  wrun_instance_new(w->store, w->module, NULL, 0, &w->inst, &err, &trap);
  if (err || trap) {
    CHECK(0, "instantiate: %s", err ? wrun_error_message(err) : "trap");
    return false;
  }
  return true;
}

static void world_free(world *w) {
  wrun_store_delete(w->store);
  wrun_module_delete(w->module);
  wrun_engine_delete(w->engine);
}

/* Calls export name (i64 and i32 parameters from args); the trap, or
 * NULL and the result (0 if none) in *out. */
static wrun_trap *call(const world *w, const char *name, const int64_t *args,
                       size_t nargs, int64_t *out) {
  wrun_extern e;
  if (!wrun_instance_export(w->inst, name, &e)) abort();
  wrun_val r;
  wrun_trap *t = wb_call_ints(w->store, e.of.func, args, nargs, &r);
  if (out) *out = r.type == WRUN_I64 ? r.of.i64 : r.type == WRUN_I32 ? r.of.i32 : 0;
  return t;
}

static int64_t ok_at(const world *w, const char *name, const int64_t *args,
                     size_t nargs, int line) {
  int64_t r = 0;
  wrun_trap *t = call(w, name, args, nargs, &r);
  if (t) {
    printf("  %s:%d: %s(0x%" PRIx64 ") trapped: %s\n", __FILE__, line, name,
           nargs ? (uint64_t)args[0] : 0, wrun_trap_message(t));
    failures++;
    wrun_trap_delete(t);
  }
  return r;
}

static void oob_at(const world *w, const char *name, const int64_t *args,
                   size_t nargs, int line) {
  wrun_trap *t = call(w, name, args, nargs, NULL);
  if (!t || wrun_trap_code_of(t) != WRUN_TRAP_MEMORY_OOB) {
    printf("  %s:%d: %s(0x%" PRIx64 ") %s%s\n", __FILE__, line, name,
           nargs ? (uint64_t)args[0] : 0, t ? "trapped with " : "did not trap",
           t ? wrun_trap_message(t) : "");
    failures++;
  }
  if (t) wrun_trap_delete(t);
}

#define ARGS(...) (const int64_t[]){__VA_ARGS__}, \
                  sizeof((const int64_t[]){__VA_ARGS__}) / sizeof(int64_t)
#define OK(name, ...) ok_at(&w, name, ARGS(__VA_ARGS__), __LINE__)
#define OK0(name) ok_at(&w, name, NULL, 0, __LINE__)
#define OOB(name, ...) oob_at(&w, name, ARGS(__VA_ARGS__), __LINE__)
#define OOB0(name) oob_at(&w, name, NULL, 0, __LINE__)
#define A(x) ((int64_t)(x))

/* Memory 0 grown to 4 GiB + 2 pages under a limit of exactly that. */
static void past_4_gib(void) {
  world w;
  if (!make_world(&w, SIZE)) return;
  /* before growing: 1 page, checked against the size, not the guard */
  CHECK(OK("load8", 65535) == 0, "last byte of page 0");
  OOB("load8", 65536);
  OOB("load8", A(G4));
  CHECK(OK("grow", A(SIZE / PAGE - 1)) == 1, "grow to 4 GiB + 2 pages");
  CHECK(OK0("size") == A(SIZE / PAGE), "size");
  CHECK(OK("grow", 1) == -1, "the store limit stops growth");
  CHECK(OK("grow", A(1ull << 48)) == -1, "grow by 2^48 pages");
  CHECK(OK("grow", -1) == -1, "grow by 2^64 - 1 pages");
  CHECK(OK0("size") == A(SIZE / PAGE), "size after failed grows");

  wrun_extern e;
  CHECK(wrun_instance_export(w.inst, "mem", &e), "export mem");
  uint8_t *mem = wrun_memory_data(e.of.memory);
  CHECK(wrun_memory_is64(e.of.memory), "is64");
  CHECK(wrun_memory_size_bytes(e.of.memory) == SIZE, "size in bytes");
  CHECK(wrun_memory_pages64(e.of.memory) == SIZE / PAGE, "pages64");

  /* above 2^32 */
  OK("store8", A(G4 + 100), 42);
  CHECK(mem[G4 + 100] == 42, "the host sees the store past 4 GiB");
  CHECK(OK("load8", A(G4 + 100)) == 42, "load past 4 GiB");
  CHECK(OK("load8", 100) == 0, "the low 32 bits alone are another byte");
  OK("store64", A(SIZE - 8), A(0x0102030405060708));
  CHECK(OK("load64", A(SIZE - 8)) == 0x0102030405060708, "last 8 bytes");

  /* the exact end, per access size */
  CHECK(OK("load8", A(SIZE - 1)) == 1, "last byte");
  OOB("load8", A(SIZE));
  OOB("load64", A(SIZE - 7));
  OOB("load64", A(SIZE - 1));
  OOB("store8", A(SIZE), 1);
  OOB("store64", A(SIZE - 4), 1);
  OOB("vload", A(SIZE - 15));
  CHECK(OK("vload", A(SIZE - 16)) == 0, "v128 at the end");
  /* huge addresses */
  OOB("load8", -1);
  OOB("load8", A(1ull << 63));
  OOB("load8", A(1ull << 48));
  OOB("store8", -1, 1);
  OOB("vload", -16);

  /* offsets: 2^32 - 1 (the guard catches what passes the compare) */
  CHECK(OK("load64_offu32", A(SIZE - 8 - UINT32_MAX)) == 0x0102030405060708,
        "offset 2^32 - 1 up to the end");
  OOB("load64_offu32", A(SIZE - 7 - UINT32_MAX));
  OOB("load64_offu32", A(SIZE - 1));
  /* 2^32: address + offset compared again; 2^64 - 2^32 + offset wraps */
  CHECK(OK("load8_off4g", 100) == 42, "offset 2^32");
  CHECK(OK("load8_off4g", A(SIZE - G4 - 1)) == 1, "offset 2^32 to the end");
  OOB("load8_off4g", A(SIZE - G4));
  OOB("load8_off4g", A(0 - G4));
  OOB("load8_off4g", -1);
  OK("store8_off4g", 200, 7);
  CHECK(mem[G4 + 200] == 7, "store at offset 2^32");
  OOB("store8_off4g", A(SIZE - G4), 7);
  /* 2^64 - 1 and 2^48: no address is in bounds with them */
  OOB("load8_offmax", 0);
  OOB("load8_offmax", 1); /* 1 + 2^64 - 1 wraps to 0, in bounds if unchecked */
  OOB("load8_off48", 0);
  /* constant addresses */
  OK("store8", A(G4 + 5), 9);
  CHECK(OK0("load8_const_hi") == 9, "constant address past 4 GiB");
  OOB0("load8_const_wrap");

  /* bulk memory past 4 GiB */
  OK("fill", A(G4 + 1000), 'x', 10);
  CHECK(memcmp(mem + G4 + 1000, "xxxxxxxxxx", 10) == 0 &&
            mem[G4 + 1010] == 0,
        "fill past 4 GiB");
  CHECK(OK("vload", A(G4 + 1000)) == 0x7878787878787878, "v128 past 4 GiB");
  OK("fill", A(SIZE - 5), 'y', 5);
  OOB("fill", A(SIZE - 5), 'y', 6);
  OOB("fill", -2, 0, 4);
  OK("copy", A(G4 + 2000), A(G4 + 1000), 10);
  CHECK(memcmp(mem + G4 + 2000, "xxxxxxxxxx", 10) == 0, "copy past 4 GiB");
  OK("copy", 0, A(SIZE - 5), 5);
  CHECK(memcmp(mem, "yyyyy", 5) == 0, "copy from the end to 0");
  OOB("copy", A(SIZE - 1), 0, 2);
  OOB("copy", 0, A(SIZE - 1), 2);
  OK("init", A(G4 + 3000), 0, 5);
  CHECK(memcmp(mem + G4 + 3000, "hello", 5) == 0, "init past 4 GiB");
  OK("init", A(SIZE - 5), 0, 5);
  OOB("init", A(SIZE - 4), 0, 5);

  /* memory 1: its own size (1 page), its own check */
  OK("m1_store8", 65535, 3);
  CHECK(OK("m1_load8", 65535) == 3, "memory 1's last byte");
  OOB("m1_load8", 65536);
  OOB("m1_load8", A(G4 + 100));
  OOB("m1_store8", A(G4), 1);
  world_free(&w);
}

/* Without a store limit a memory64 with no maximum still passes 4 GiB
 * (it reserves RT_MEMORY64_DEFAULT_BYTES), and stops there with -1. */
static void default_reservation(void) {
  world w;
  if (!make_world(&w, 0)) return;
  CHECK(OK("grow", A(SIZE / PAGE - 1)) == 1, "grow past 4 GiB, no limit");
  OK("store8", A(SIZE - 1), 5);
  CHECK(OK("load8", A(SIZE - 1)) == 5, "last byte");
  OOB("load8", A(SIZE));
  CHECK(OK("grow", A((64ull << 30) / PAGE)) == -1,
        "growth past the reservation fails");
  CHECK(OK0("size") == A(SIZE / PAGE), "size unchanged");
  world_free(&w);
}

/* The host API: a 64-bit memory past 4 GiB, imported nowhere. */
static void host_memory(void) {
  wrun_engine *engine = wrun_engine_new();
  wrun_store *store = wrun_store_new(engine);
  wrun_store_limits l;
  wrun_store_get_limits(store, &l);
  l.memory_bytes = SIZE;
  CHECK(!wrun_store_set_limits(store, &l), "limits");
  wrun_memory *m = wrun_memory_new64(store, 1, 1ull << 48, true);
  CHECK(m != NULL, "wrun_memory_new64 with the type's largest maximum");
  if (m) {
    CHECK(wrun_memory_grow64(m, SIZE / PAGE - 1) == 1, "grow64");
    CHECK(wrun_memory_pages64(m) == SIZE / PAGE, "pages64");
    CHECK(wrun_memory_pages(m) == SIZE / PAGE, "pages");
    wrun_memory_data(m)[SIZE - 1] = 1;
    CHECK(wrun_memory_grow64(m, 1) == -1, "limit");
  }
  CHECK(!wrun_memory_new64(store, (1ull << 48) + 1, 0, false),
        "min past the type's bound");
  wrun_store_delete(store);
  wrun_engine_delete(engine);
}

int main(void) {
  static const struct {
    const char *name;
    void (*run)(void);
  } cases[] = {{"past_4_gib", past_4_gib},
               {"default_reservation", default_reservation},
               {"host_memory", host_memory}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    printf("%s\n", cases[i].name);
    fflush(stdout);
    cases[i].run();
  }
  printf(failures ? "FAIL: %d checks\n" : "memory64 past 4 GiB: ok\n",
         failures);
  return failures ? 1 : 0;
}
