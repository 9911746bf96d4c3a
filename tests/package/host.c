/* A host built outside the tree against an installed libwrun, by
 * tests/package/install.sh, once linked with the shared library and once
 * with the static one: it sees only the installed header, so whatever it
 * needs must be in the public API and in wrun.pc.
 *
 *   host MODULE.wasm OUT   MODULE: tests/package/host.wat; OUT: a file
 *                          for the guest's stdout (created). Exits 0 when
 *                          every check holds, else 1 with a line saying
 *                          which failed. */
#define _POSIX_C_SOURCE 200809L /* pread */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <wrun.h>
#include <wrun_wasi.h>

static int failures;

static void check(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "host: FAIL: %s\n", what);
    failures++;
  }
}

static unsigned host_calls;

static wrun_trap *twice(void *env, wrun_caller *caller, const wrun_val *args,
                        size_t nargs, wrun_val *results, size_t nresults) {
  (void)env, (void)caller, (void)nargs, (void)nresults;
  host_calls++;
  results[0].type = WRUN_I32;
  results[0].of.i32 = 2 * args[0].of.i32;
  return NULL;
}

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  unsigned char *buf = NULL;
  size_t cap = 0, n = 0;
  for (;;) {
    if (n == cap) {
      unsigned char *grown = realloc(buf, cap = cap ? 2 * cap : 4096);
      if (!grown) break;
      buf = grown;
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    n += got;
    if (got == 0) break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) {
    free(buf);
    return NULL;
  }
  *len = n;
  return buf;
}

/* Calls export name of inst with up to two i32 arguments (nargs of them)
 * and at most one i32 result (nresults). */
static wrun_trap *call_i32(wrun_store *store, wrun_instance *inst,
                           const char *name, int32_t a, int32_t b,
                           size_t nargs, size_t nresults, int32_t *result) {
  wrun_extern ext;
  if (!wrun_instance_export(inst, name, &ext) ||
      ext.kind != WRUN_EXTERN_FUNC) {
    fprintf(stderr, "host: no function export %s\n", name);
    exit(1);
  }
  wrun_val args[2] = {{.type = WRUN_I32, .of.i32 = a},
                      {.type = WRUN_I32, .of.i32 = b}};
  wrun_val res = {0};
  wrun_trap *trap =
      wrun_func_call(store, ext.of.func, args, nargs, &res, nresults);
  if (!trap && nresults) *result = res.of.i32;
  return trap;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: host MODULE.wasm OUT\n");
    return 1;
  }
  size_t len;
  unsigned char *bytes = read_file(argv[1], &len);
  if (!bytes) {
    fprintf(stderr, "host: cannot read %s\n", argv[1]);
    return 1;
  }
  int out_fd = open(argv[2], O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (out_fd < 0) {
    fprintf(stderr, "host: cannot create %s\n", argv[2]);
    return 1;
  }
  wrun_engine *engine = wrun_engine_new();
  wrun_store *store = engine ? wrun_store_new(engine) : NULL;
  wrun_linker *linker = store ? wrun_linker_new(store) : NULL;
  wrun_wasi_config *cfg = wrun_wasi_config_new();
  if (!linker || !cfg) {
    fprintf(stderr, "host: cannot create an engine, store and linker\n");
    return 1;
  }
  wrun_module *module = NULL;
  wrun_error *err = wrun_module_new(engine, bytes, len, &module);
  free(bytes);
  if (err) {
    fprintf(stderr, "host: %s: %s\n", argv[1], wrun_error_message(err));
    return 1;
  }

  wrun_valtype i32 = WRUN_I32;
  wrun_extern twice_fn = {.kind = WRUN_EXTERN_FUNC};
  twice_fn.of.func = wrun_func_new(store, &i32, 1, &i32, 1, twice, NULL, NULL);
  check(twice_fn.of.func != NULL, "wrun_func_new");
  wrun_linker_define(linker, "host", "twice", twice_fn);
  const char *guest_argv[] = {"host"};
  check(wrun_wasi_config_set_argv(cfg, 1, guest_argv), "set_argv");
  check(wrun_wasi_config_set_stdio(cfg, 1, out_fd), "set_stdio");
  wrun_wasi *wasi = NULL;
  err = wrun_wasi_define(linker, store, cfg, &wasi);
  if (err) {
    fprintf(stderr, "host: wrun_wasi_define: %s\n", wrun_error_message(err));
    return 1;
  }
  wrun_instance *inst = NULL;
  wrun_trap *trap = NULL;
  wrun_linker_instantiate(linker, module, &inst, &err, &trap);
  if (err || trap || !inst) {
    fprintf(stderr, "host: instantiation failed: %s\n",
            err ? wrun_error_message(err)
                : trap ? wrun_trap_message(trap) : "no instance");
    return 1;
  }

  int32_t sum = -1;
  trap = call_i32(store, inst, "sum_twice", 1000, 0, 1, 1, &sum);
  check(trap == NULL, "sum_twice(1000) trapped");
  check(sum == 1000 * 999, "sum_twice(1000) == 999000");
  check(host_calls == 1000, "the host function ran 1000 times");
  printf("sum_twice(1000) = %d (%u host calls)\n", sum, host_calls);
  if (trap) wrun_trap_delete(trap);

  /* A trap through the library's signal handler, and the store is still
   * usable after it. */
  int32_t q = 0;
  trap = call_i32(store, inst, "div", 7, 0, 2, 1, &q);
  check(trap != NULL, "div(7, 0) did not trap");
  if (trap) {
    const char *msg = wrun_trap_message(trap);
    printf("div(7, 0): wasm trap: %s\n", msg);
    check(msg && strstr(msg, "divide by zero") != NULL,
          "div(7, 0): the trap says integer divide by zero");
    wrun_trap_delete(trap);
  }
  trap = call_i32(store, inst, "div", -42, 5, 2, 1, &q);
  check(trap == NULL && q == -8, "div(-42, 5) == -8 after the trap");
  if (trap) wrun_trap_delete(trap);

  /* WASI: the greeting lands in OUT, proc_exit's code comes back. */
  static const char greeting[] = "hello from wasm\n";
  int32_t written = 0;
  trap = call_i32(store, inst, "greet", 0, 0, 0, 1, &written);
  check(trap == NULL, "greet trapped");
  check(written == (int32_t)strlen(greeting), "fd_write wrote 16 bytes");
  if (trap) wrun_trap_delete(trap);
  char back[64] = {0};
  ssize_t got = pread(out_fd, back, sizeof back - 1, 0);
  check(got == (ssize_t)strlen(greeting) && strcmp(back, greeting) == 0,
        "OUT holds the greeting");
  trap = call_i32(store, inst, "quit", 7, 0, 1, 0, NULL);
  check(trap != NULL && wrun_wasi_exit_code(trap) == 7,
        "quit(7): a proc_exit trap with code 7");
  printf("greet wrote %d bytes; quit(7): exit code %d\n", written,
         trap ? wrun_wasi_exit_code(trap) : -1);
  if (trap) wrun_trap_delete(trap);

  wrun_wasi_delete(wasi);
  wrun_wasi_config_delete(cfg);
  wrun_module_delete(module);
  wrun_linker_delete(linker);
  wrun_store_delete(store);
  wrun_engine_delete(engine);
  close(out_fd);
  if (failures) return 1;
  printf("host: all checks passed\n");
  return 0;
}
