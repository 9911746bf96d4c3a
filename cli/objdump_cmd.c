/* `wrun objdump MODULE.wasm [--func NAME|INDEX]`: compiles MODULE as
 * `wrun run` would (with the same code-changing options) and prints, per
 * defined function, its machine code disassembled by Capstone, each
 * instruction under the wasm instruction whose code starts there (offset
 * and opcode; wrun_config_code_map), then the function's code and wasm
 * sizes, and the totals. Capstone is optional at build time; without it
 * the subcommand says so. It is opened with dlopen when the subcommand
 * runs, not linked: its 79 K relocations cost every `wrun` start-up
 * about a millisecond (page faults in the dynamic loader). */
#include "objdump_cmd.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wast.h"
#include "wrun.h"

#ifdef WRUN_HAVE_CAPSTONE
#include <capstone/capstone.h>
#include <dlfcn.h>
#endif

static void objdump_usage(FILE *out) {
  fprintf(out,
          "usage: wrun objdump [--func NAME|INDEX] [--deterministic] "
          "[--fuel]\n"
          "                    [--bounds-checks] [--no-signals] MODULE.wasm\n"
          "Prints each function's machine code, disassembled, under the\n"
          "wasm instruction (module offset and opcode) its code starts,\n"
          "with the code and wasm bytes per function and in total.\n");
}

#ifdef WRUN_HAVE_CAPSTONE

/* The four Capstone calls used, from the library WRUN_CAPSTONE_SONAME
 * (the one built against: cs_insn's layout changes between majors). */
static struct {
  cs_err (*open)(cs_arch, cs_mode, csh *);
  size_t (*disasm)(csh, const uint8_t *, size_t, uint64_t, size_t,
                   cs_insn **);
  void (*free)(cs_insn *, size_t);
  cs_err (*close)(csh *);
} cs;

static bool load_capstone(void) {
  void *lib = dlopen(WRUN_CAPSTONE_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    fprintf(stderr, "wrun objdump: cannot load Capstone: %s\n", dlerror());
    return false;
  }
  /* POSIX makes dlsym's void * convertible to a function pointer */
  *(void **)&cs.open = dlsym(lib, "cs_open");
  *(void **)&cs.disasm = dlsym(lib, "cs_disasm");
  *(void **)&cs.free = dlsym(lib, "cs_free");
  *(void **)&cs.close = dlsym(lib, "cs_close");
  if (cs.open && cs.disasm && cs.free && cs.close) return true;
  fprintf(stderr, "wrun objdump: %s lacks the cs_* calls wrun uses\n",
          WRUN_CAPSTONE_SONAME);
  return false;
}

/* A function's map, gathered from wrun_module_func_code_map. */
typedef struct code_map {
  size_t *code, *wasm;
  size_t n, cap;
  bool failed;
} code_map;

static void add_entry(void *arg, size_t code_offset, size_t wasm_offset) {
  code_map *m = arg;
  if (m->n == m->cap) {
    size_t cap = m->cap ? 2 * m->cap : 64;
    size_t *c = realloc(m->code, cap * sizeof *c);
    if (c) m->code = c;
    size_t *w = c ? realloc(m->wasm, cap * sizeof *w) : NULL;
    if (w) m->wasm = w;
    if (!c || !w) {
      m->failed = true;
      return;
    }
    m->cap = cap;
  }
  m->code[m->n] = code_offset;
  m->wasm[m->n] = wasm_offset;
  m->n++;
}

static void print_function(csh handle, const wrun_module *m, uint32_t f,
                           size_t *code_total, size_t *wasm_total) {
  size_t size, body_at, body_size;
  const uint8_t *code = wrun_module_func_code(m, f, &size);
  if (!code || !wrun_module_func_body(m, f, &body_at, &body_size)) return;
  const char *name = wrun_module_func_name(m, f);
  if (name)
    printf("func[%" PRIu32 "] %s:\n", f, name);
  else
    printf("func[%" PRIu32 "]:\n", f);
  code_map map = {0};
  wrun_module_func_code_map(m, f, add_entry, &map);
  cs_insn *insn = NULL;
  /* addresses from the function's start, as the offsets are */
  size_t count = cs.disasm(handle, code, size, 0, 0, &insn);
  size_t next = 0; /* map entries printed so far */
  for (size_t k = 0; k < count; k++) {
    size_t at = (size_t)insn[k].address;
    /* every wasm instruction whose code starts at or before this one
     * (instructions that emitted nothing share the next one's) */
    for (; !map.failed && next < map.n && map.code[next] <= at; next++) {
      /* the prologue's stack check names the body itself */
      const char *op = map.wasm[next] == body_at
                           ? "(function entry)"
                           : wrun_module_opcode_name(m, map.wasm[next]);
      printf("  ;; 0x%zx: %s\n", map.wasm[next], op ? op : "?");
    }
    printf("    %6zx:  %-8s %s\n", at, insn[k].mnemonic, insn[k].op_str);
  }
  if (count == 0) printf("    (%zu bytes Capstone cannot decode)\n", size);
  cs.free(insn, count);
  free(map.code);
  free(map.wasm);
  printf("  code %zu bytes, wasm %zu bytes\n\n", size, body_size);
  *code_total += size;
  *wasm_total += body_size;
}

/* The function --func names: an index, or a name-section name. */
static bool find_func(const wrun_module *m, const char *want, uint32_t *f) {
  char *end;
  unsigned long n = strtoul(want, &end, 10);
  size_t count = wrun_module_func_count(m);
  if (*want && !*end) {
    *f = (uint32_t)n;
    return n < count;
  }
  for (uint32_t i = 0; i < count; i++) {
    const char *name = wrun_module_func_name(m, i);
    if (name && strcmp(name, want) == 0) {
      *f = i;
      return true;
    }
  }
  return false;
}

static int disassemble(const wrun_module *m, const char *only) {
#if defined(__x86_64__)
  cs_arch arch = CS_ARCH_X86;
  cs_mode mode = CS_MODE_64;
#elif defined(__aarch64__)
  cs_arch arch = CS_ARCH_ARM64;
  cs_mode mode = CS_MODE_ARM;
#else
  fprintf(stderr, "wrun objdump: no disassembler for this ISA\n");
  return 1;
#endif
  csh handle;
  if (!load_capstone()) return 1;
  if (cs.open(arch, mode, &handle) != CS_ERR_OK) {
    fprintf(stderr, "wrun objdump: Capstone cannot open its disassembler\n");
    return 1;
  }
  size_t code_total = 0, wasm_total = 0, funcs = 0;
  uint32_t first = 0, last = (uint32_t)wrun_module_func_count(m);
  if (only) {
    uint32_t f;
    if (!find_func(m, only, &f)) {
      fprintf(stderr, "wrun objdump: no function %s\n", only);
      cs.close(&handle);
      return 1;
    }
    size_t size;
    if (!wrun_module_func_code(m, f, &size)) {
      fprintf(stderr, "wrun objdump: function %s is an import (no code)\n",
              only);
      cs.close(&handle);
      return 1;
    }
    first = f;
    last = f + 1;
  }
  for (uint32_t f = first; f < last; f++) {
    size_t before = code_total;
    print_function(handle, m, f, &code_total, &wasm_total);
    funcs += code_total != before;
  }
  printf("%zu function%s: code %zu bytes, wasm %zu bytes (%.2f code bytes "
         "per wasm byte)\n",
         funcs, funcs == 1 ? "" : "s", code_total, wasm_total,
         wasm_total ? (double)code_total / (double)wasm_total : 0.0);
  cs.close(&handle);
  return 0;
}

#endif /* WRUN_HAVE_CAPSTONE */

int objdump_main(int argc, char **argv) {
  const char *path = NULL, *only = NULL;
  wrun_config *config = wrun_config_new();
  if (!config) return 1;
  wrun_config_code_map(config, true);
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--help") == 0) {
      objdump_usage(stdout);
      wrun_config_delete(config);
      return 0;
    }
    if (strcmp(argv[i], "--func") == 0 && i + 1 < argc) only = argv[++i];
    else if (strncmp(argv[i], "--func=", 7) == 0) only = argv[i] + 7;
    else if (strcmp(argv[i], "--deterministic") == 0)
      wrun_config_deterministic(config, true);
    else if (strcmp(argv[i], "--fuel") == 0)
      wrun_config_consume_fuel(config, true);
    else if (strcmp(argv[i], "--bounds-checks") == 0)
      wrun_config_bounds_checks(config, true);
    else if (strcmp(argv[i], "--no-signals") == 0)
      wrun_config_signals_based_traps(config, false);
    else if (argv[i][0] == '-' || path) {
      fprintf(stderr, "wrun objdump: unexpected %s (see wrun objdump "
                      "--help)\n", argv[i]);
      wrun_config_delete(config);
      return 1;
    } else path = argv[i];
  }
  if (!path) {
    objdump_usage(stderr);
    wrun_config_delete(config);
    return 1;
  }
#ifndef WRUN_HAVE_CAPSTONE
  (void)only;
  fprintf(stderr, "wrun objdump: this wrun was built without Capstone "
                  "(install libcapstone-dev and rebuild)\n");
  wrun_config_delete(config);
  return 1;
#else
  uint8_t *bytes;
  size_t len;
  if (!cli_read_file(path, &bytes, &len)) {
    fprintf(stderr, "wrun objdump: %s: cannot read: %s\n", path,
            strerror(errno));
    wrun_config_delete(config);
    return 1;
  }
  wrun_engine *engine = wrun_engine_new_with_config(config);
  wrun_config_delete(config);
  int status = 1;
  wrun_module *m = NULL;
  wrun_error *err = engine ? wrun_module_new(engine, bytes, len, &m) : NULL;
  free(bytes);
  if (err || !m) {
    fprintf(stderr, "wrun objdump: %s: %s\n", path,
            err ? wrun_error_message(err) : "cannot compile");
    wrun_error_delete(err);
  } else {
    status = disassemble(m, only);
  }
  wrun_module_delete(m);
  wrun_engine_delete(engine);
  return status;
#endif
}
