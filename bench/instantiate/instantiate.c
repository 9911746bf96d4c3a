/* Instantiation speed, the many-instances server case (issue 9): per
 * request a fresh store and instance of an already compiled module, one
 * call, and the store deleted; and the same for a WASI instance (a WASI
 * context defined into a linker, instantiate, call _start).
 *
 *   instantiate SMALL.wasm WASI.wasm [ITERATIONS] [RUNS] [small|wasi]
 *
 * (the last argument runs one case alone, for a profile).
 * Prints, per case, the median over RUNS of the time per cycle and the
 * cycles per second on this one thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wrun.h"
#include "wrun_wasi.h"

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc((size_t)n);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static wrun_module *compile(wrun_engine *engine, const char *path) {
  size_t len;
  uint8_t *bytes = read_file(path, &len);
  if (!bytes) {
    fprintf(stderr, "instantiate: cannot read %s\n", path);
    exit(2);
  }
  wrun_module *m = NULL;
  wrun_error *err = wrun_module_new(engine, bytes, len, &m);
  free(bytes);
  if (err) {
    fprintf(stderr, "instantiate: %s: %s\n", path, wrun_error_message(err));
    exit(2);
  }
  return m;
}

static void fail(const char *what, wrun_error *err, wrun_trap *trap) {
  fprintf(stderr, "instantiate: %s: %s\n", what,
          err ? wrun_error_message(err)
              : trap ? wrun_trap_message(trap) : "failed");
  exit(1);
}

/* One request: store, instance, call handle(i), delete. The result is
 * checked so that the call cannot be left out. */
static void small_cycle(wrun_engine *engine, const wrun_module *m, int i) {
  wrun_store *store = wrun_store_new(engine);
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_instance_new(store, m, NULL, 0, &inst, &err, &trap);
  if (!inst) fail("instantiate", err, trap);
  wrun_extern ext;
  if (!wrun_instance_export(inst, "handle", &ext)) fail("export", NULL, NULL);
  wrun_val arg = {.type = WRUN_I32, .of.i32 = i}, res;
  trap = wrun_func_call(store, ext.of.func, &arg, 1, &res, 1);
  if (trap) fail("call", NULL, trap);
  if (res.of.i32 != 2 * i + i * i + 'r') fail("wrong result", NULL, NULL);
  wrun_store_delete(store);
}

static void wasi_cycle(wrun_engine *engine, const wrun_module *m,
                       const wrun_wasi_config *cfg) {
  wrun_store *store = wrun_store_new(engine);
  wrun_linker *linker = wrun_linker_new(store);
  wrun_wasi *wasi = NULL;
  wrun_error *err = wrun_wasi_define(linker, store, cfg, &wasi);
  if (err) fail("wasi", err, NULL);
  wrun_instance *inst = NULL;
  wrun_trap *trap = NULL;
  wrun_linker_instantiate(linker, m, &inst, &err, &trap);
  if (!inst) fail("instantiate wasi", err, trap);
  wrun_extern ext;
  if (!wrun_instance_export(inst, "_start", &ext)) fail("_start", NULL, NULL);
  trap = wrun_func_call(store, ext.of.func, NULL, 0, NULL, 0);
  if (trap) fail("_start", NULL, trap);
  wrun_linker_delete(linker);
  wrun_wasi_delete(wasi);
  wrun_store_delete(store);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: instantiate SMALL.wasm WASI.wasm [ITERATIONS] [RUNS]\n");
    return 2;
  }
  int iterations = argc > 3 ? atoi(argv[3]) : 20000;
  int runs = argc > 4 ? atoi(argv[4]) : 5;
  const char *only = argc > 5 ? argv[5] : "";
  if (iterations < 1 || runs < 1 || runs > 100) return 2;
  wrun_engine *engine = wrun_engine_new();
  wrun_module *small = compile(engine, argv[1]);
  wrun_module *wasi_mod = compile(engine, argv[2]);
  wrun_wasi_config *cfg = wrun_wasi_config_new();
  double small_ns[100], wasi_ns[100];
  for (int r = 0; r < runs; r++) {
    double t0 = now_ns();
    if (strcmp(only, "wasi"))
      for (int i = 0; i < iterations; i++) small_cycle(engine, small, i & 0xffff);
    small_ns[r] = (now_ns() - t0) / iterations;
    t0 = now_ns();
    if (strcmp(only, "small"))
      for (int i = 0; i < iterations; i++) wasi_cycle(engine, wasi_mod, cfg);
    wasi_ns[r] = (now_ns() - t0) / iterations;
  }
  qsort(small_ns, (size_t)runs, sizeof *small_ns, cmp_double);
  qsort(wasi_ns, (size_t)runs, sizeof *wasi_ns, cmp_double);
  double s = small_ns[runs / 2], w = wasi_ns[runs / 2];
  if (strcmp(only, "wasi"))
    printf("small module: store + instantiate + call + delete: %.2f us, "
           "%.0f per second\n", s / 1e3, 1e9 / s);
  if (strcmp(only, "small"))
    printf("WASI module:  store + WASI + instantiate + _start + delete: "
           "%.2f us, %.0f per second\n", w / 1e3, 1e9 / w);
  printf("(medians of %d runs of %d cycles, one thread)\n", runs, iterations);
  wrun_wasi_config_delete(cfg);
  wrun_module_delete(small);
  wrun_module_delete(wasi_mod);
  wrun_engine_delete(engine);
  return 0;
}
