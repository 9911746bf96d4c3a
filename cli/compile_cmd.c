/* `wrun compile [--deterministic] [--fuel] [--time] MODULE.wasm -o OUT`:
 * compiles MODULE (on --jobs N threads) and writes it serialized (wrun_module_serialize), for
 * `wrun run OUT`, which recognises it by its magic and loads it without
 * compiling. The configuration that changes code (--deterministic,
 * --fuel, --bounds-checks, --memory-guard, --no-signals) is fixed here:
 * running the .cwasm with another one is refused. */
#include "compile_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wast.h"
#include "wrun.h"

static void compile_usage(FILE *out) {
  fprintf(out, "usage: wrun compile [--deterministic] [--fuel] "
                  "[--bounds-checks] [--memory-guard BYTES] [--no-signals] "
                  "[--time] [--jobs N] MODULE.wasm -o OUT.cwasm\n");
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool write_file(const char *path, const uint8_t *bytes, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return false;
  bool ok = fwrite(bytes, 1, len, f) == len;
  return fclose(f) == 0 && ok;
}

int compile_main(int argc, char **argv) {
  const char *in = NULL, *out = NULL;
  bool deterministic = false, fuel = false, timing = false, checks = false;
  bool no_signals = false;
  uint64_t guard = 0;
  unsigned long jobs = 0; /* compiling threads: the same .cwasm for any */
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0) {
      compile_usage(stdout);
      return 0;
    }
    if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) out = argv[++i];
    else if (strcmp(argv[i], "--deterministic") == 0) deterministic = true;
    else if (strcmp(argv[i], "--fuel") == 0) fuel = true;
    else if (strcmp(argv[i], "--time") == 0) timing = true;
    else if (strcmp(argv[i], "--bounds-checks") == 0) checks = true;
    else if (strcmp(argv[i], "--no-signals") == 0) no_signals = true;
    else if (strcmp(argv[i], "--memory-guard") == 0 && i + 1 < argc)
      guard = strtoull(argv[++i], NULL, 0);
    else if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc) {
      char *end;
      const char *n = argv[++i];
      jobs = strtoul(n, &end, 10);
      if (*end || end == n || n[0] == '-' || jobs > 4096) {
        fprintf(stderr, "wrun compile: --jobs: \"%s\" is not a number of "
                "threads (0 to 4096)\n", n);
        return 1;
      }
    } else if (argv[i][0] == '-' || in) {
      compile_usage(stderr);
      return 1;
    } else in = argv[i];
  }
  if (!in || !out) {
    compile_usage(stderr);
    return 1;
  }
  uint8_t *bytes;
  size_t len;
  if (!cli_read_file(in, &bytes, &len)) {
    fprintf(stderr, "wrun: %s: cannot read: %s\n", in, strerror(errno));
    return 1;
  }
  wrun_config *config = wrun_config_new();
  wrun_config_deterministic(config, deterministic);
  wrun_config_consume_fuel(config, fuel);
  wrun_config_bounds_checks(config, checks);
  if (guard) wrun_config_memory_guard(config, guard);
  wrun_config_signals_based_traps(config, !no_signals);
  wrun_config_jobs(config, (unsigned)jobs);
  wrun_engine *engine = wrun_engine_new_with_config(config);
  wrun_config_delete(config);
  if (!engine) {
    fprintf(stderr, "wrun: cannot create an engine\n");
    free(bytes);
    return 1;
  }
  int status = 1;
  wrun_module *m = NULL;
  uint8_t *blob = NULL;
  size_t blob_len = 0;
  double t0 = now_ms();
  wrun_error *err = wrun_module_new(engine, bytes, len, &m);
  double t1 = now_ms();
  if (!err) err = wrun_module_serialize(m, &blob, &blob_len);
  double t2 = now_ms();
  if (err) {
    fprintf(stderr, "wrun: %s: %s\n", in, wrun_error_message(err));
    wrun_error_delete(err);
  } else if (!write_file(out, blob, blob_len)) {
    fprintf(stderr, "wrun: %s: cannot write: %s\n", out, strerror(errno));
  } else {
    status = 0;
    if (timing)
      fprintf(stderr, "compile: %.3f ms\nserialize: %.3f ms (%zu bytes, "
              "%zu bytes of code)\n", t1 - t0, t2 - t1, blob_len,
              wrun_module_code_size(m));
  }
  wrun_bytes_free(blob);
  if (m) wrun_module_delete(m);
  wrun_engine_delete(engine);
  free(bytes);
  return status;
}
