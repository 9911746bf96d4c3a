/* Profiler support: the names of compiled code for perf.
 *
 * perfmap (wrun_config_profiler, `wrun --profile=perfmap`): every module
 * compiled or loaded appends a line per function and entry trampoline to
 * /tmp/perf-PID.map, the file perf reads to name samples in memory that
 * no ELF file covers ("START SIZE NAME", hex, as perf's
 * tools/perf/Documentation/jit-interface.txt describes). Names are
 * `module!function` as in trap backtraces: the name section's module name
 * (else "wasm") and function name (else "func[N]"). The file is opened on
 * first use and kept open; a forked child starts its own. Lines are never
 * removed: perf reads the file after the process has ended. */
#include "runtime.h"

#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static pthread_mutex_t map_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *map_file;
static pid_t map_pid;

static FILE *open_map(void) {
  pid_t pid = getpid();
  if (map_file && map_pid == pid) return map_file;
  char path[64];
  snprintf(path, sizeof path, "/tmp/perf-%ld.map", (long)pid);
  map_file = fopen(path, "a"); /* a child's parent file stays the parent's */
  map_pid = pid;
  return map_file;
}

/* A name as one line of the map: bytes below 0x20 (a newline would start
 * another line) become '?'. */
static void put_name(FILE *f, const char *s) {
  for (; *s; s++) fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
}

static void put_line(FILE *f, uintptr_t start, size_t size,
                     const rt_module *m, uint32_t func) {
  fprintf(f, "%lx %zx ", (unsigned long)start, size);
  put_name(f, m->module_name ? m->module_name : "wasm");
  fputc('!', f);
  const char *name = m->func_names ? m->func_names[func] : NULL;
  if (name)
    put_name(f, name);
  else
    fprintf(f, "func[%u]", func);
  fputc('\n', f);
}

static void write_perfmap(const jit_code *c, const rt_module *m) {
  FILE *f = open_map();
  if (!f) return; /* a profile aid: never an error for the module */
  uintptr_t base = (uintptr_t)c->mem;
  uint32_t first_func = c->nfuncs ? c->func_offsets[0] : (uint32_t)c->size;
  for (uint32_t t = 0; t < c->ntypes; t++) {
    uint32_t end = t + 1 < c->ntypes ? c->entry_offsets[t + 1] : first_func;
    if (end <= c->entry_offsets[t]) continue;
    fprintf(f, "%lx %x wrun!entry-trampoline[type %u]\n",
            (unsigned long)(base + c->entry_offsets[t]),
            end - c->entry_offsets[t], t);
  }
  for (uint32_t i = 0; i < c->nfuncs; i++) {
    uint32_t end = i + 1 < c->nfuncs ? c->func_offsets[i + 1]
                                     : (uint32_t)c->size;
    put_line(f, base + c->func_offsets[i], end - c->func_offsets[i], m,
             m->nimported_funcs + i);
  }
  fflush(f);
}

void rt_profile_code(const wrun_engine *engine, const jit_code *c,
                     const rt_module *m) {
  if (!engine || engine->config.profiler != WRUN_PROFILER_PERFMAP ||
      !c->mem)
    return;
  pthread_mutex_lock(&map_lock);
  write_perfmap(c, m);
  pthread_mutex_unlock(&map_lock);
}
