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
 * removed: perf reads the file after the process has ended.
 *
 * jitdump (`--profile=jitdump`): the same functions, with their code bytes
 * and a line table, in ./jit-PID.dump, the format of perf's jitdump
 * specification (tools/perf/Documentation/jitdump-specification.txt) that
 * `perf inject --jit` turns into ELF images: a header, then per function
 * a JIT_CODE_DEBUG_INFO record (each pc map entry of the function: code
 * address, "line" = the wasm offset of its instruction, "file" = the
 * module's name) and a JIT_CODE_LOAD record. The file is mapped once
 * executable so that `perf record` sees it (how perf finds the dump);
 * timestamps are CLOCK_MONOTONIC, for `perf record -k mono`. */
#include "runtime.h"

#include <elf.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../jit/pcmap.h"

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

/* ---- jitdump ------------------------------------------------------------ */

enum { JITDUMP_MAGIC = 0x4A695444, JITDUMP_VERSION = 1 };
enum { JIT_CODE_LOAD = 0, JIT_CODE_DEBUG_INFO = 2 };

typedef struct jitdump_header {
  uint32_t magic, version, total_size, elf_mach, pad1, pid;
  uint64_t timestamp, flags;
} jitdump_header;

typedef struct jitdump_record {
  uint32_t id, total_size;
  uint64_t timestamp;
} jitdump_record;

typedef struct jitdump_load {
  jitdump_record r;
  uint32_t pid, tid;
  uint64_t vma, code_addr, code_size, code_index;
  /* then the name (NUL-terminated) and the code bytes */
} jitdump_load;

typedef struct jitdump_debug {
  jitdump_record r;
  uint64_t code_addr, nr_entry;
  /* then nr_entry of: u64 code_addr, u32 line, u32 discrim, file name */
} jitdump_debug;

static FILE *dump_file;
static pid_t dump_pid;
static uint64_t dump_index;

static uint64_t monotonic_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static FILE *open_dump(void) {
  pid_t pid = getpid();
  if (dump_file && dump_pid == pid) return dump_file;
  char path[64];
  snprintf(path, sizeof path, "jit-%ld.dump", (long)pid);
  FILE *f = fopen(path, "w+");
  dump_file = NULL;
  dump_pid = pid;
  if (!f) return NULL;
#if defined(__x86_64__)
  const uint32_t mach = EM_X86_64;
#elif defined(__aarch64__)
  const uint32_t mach = EM_AARCH64;
#else
  const uint32_t mach = EM_NONE;
#endif
  jitdump_header h = {JITDUMP_MAGIC, JITDUMP_VERSION, sizeof h, mach, 0,
                      (uint32_t)pid, monotonic_ns(), 0};
  if (fwrite(&h, sizeof h, 1, f) != 1 || fflush(f) != 0) {
    fclose(f);
    return NULL;
  }
  /* The marker perf record looks for: an executable mapping of the file.
   * Kept for the process's life (unmapping it would be recorded too). */
  void *mark = mmap(NULL, sizeof h, PROT_READ | PROT_EXEC, MAP_PRIVATE,
                    fileno(f), 0);
  if (mark == MAP_FAILED) {
    fclose(f);
    return NULL;
  }
  dump_file = f;
  return f;
}

/* The function's name as perfmap writes it, into buf. */
static void func_name(char *buf, size_t cap, const rt_module *m,
                      uint32_t func) {
  const char *name = m->func_names ? m->func_names[func] : NULL;
  char index[24];
  if (!name) {
    snprintf(index, sizeof index, "func[%u]", func);
    name = index;
  }
  snprintf(buf, cap, "%s!%s", m->module_name ? m->module_name : "wasm",
           name);
  for (char *p = buf; *p; p++)
    if ((unsigned char)*p < 0x20) *p = '?';
}

static void dump_debug_info(FILE *f, const jit_code *c, const rt_module *m,
                            uint32_t i) {
  if (!c->pcmap) return;
  uint32_t from = c->pcmap_starts[i];
  uint32_t to = i + 1 < c->nfuncs ? c->pcmap_starts[i + 1] : c->pcmap_size;
  uint32_t body = m->funcs[m->nimported_funcs + i].body_offset;
  const char *file = m->module_name ? m->module_name : "wasm";
  size_t file_len = strlen(file) + 1;
  jit_pcmap_cursor cur = {c->pcmap + from, c->pcmap + to,
                          c->func_offsets[i], body};
  uint32_t pc, wasm;
  uint64_t n = 0;
  while (jit_pcmap_next(&cur, &pc, &wasm)) n++;
  if (n == 0) return;
  jitdump_debug d = {{JIT_CODE_DEBUG_INFO, 0, monotonic_ns()},
                     (uint64_t)(uintptr_t)c->mem + c->func_offsets[i], n};
  d.r.total_size = (uint32_t)(sizeof d + n * (16 + file_len));
  fwrite(&d, sizeof d, 1, f);
  cur = (jit_pcmap_cursor){c->pcmap + from, c->pcmap + to,
                           c->func_offsets[i], body};
  while (jit_pcmap_next(&cur, &pc, &wasm)) {
    uint64_t addr = (uint64_t)(uintptr_t)c->mem + pc;
    uint32_t line_discrim[2] = {wasm, 0};
    fwrite(&addr, sizeof addr, 1, f);
    fwrite(line_discrim, sizeof line_discrim, 1, f);
    fwrite(file, file_len, 1, f);
  }
}

static void write_jitdump(const jit_code *c, const rt_module *m) {
  FILE *f = open_dump();
  if (!f) return;
  uint32_t tid = (uint32_t)syscall(SYS_gettid);
  for (uint32_t i = 0; i < c->nfuncs; i++) {
    uint32_t end = i + 1 < c->nfuncs ? c->func_offsets[i + 1]
                                     : (uint32_t)c->size;
    uint32_t size = end - c->func_offsets[i];
    char name[512];
    func_name(name, sizeof name, m, m->nimported_funcs + i);
    size_t name_len = strlen(name) + 1;
    dump_debug_info(f, c, m, i);
    uint64_t addr = (uint64_t)(uintptr_t)c->mem + c->func_offsets[i];
    jitdump_load l = {{JIT_CODE_LOAD, 0, monotonic_ns()},
                      (uint32_t)getpid(), tid, addr, addr, size,
                      dump_index++};
    l.r.total_size = (uint32_t)(sizeof l + name_len + size);
    fwrite(&l, sizeof l, 1, f);
    fwrite(name, name_len, 1, f);
    fwrite(c->mem + c->func_offsets[i], size, 1, f);
  }
  fflush(f);
}

void rt_profile_code(const wrun_engine *engine, const jit_code *c,
                     const rt_module *m) {
  uint8_t p = engine ? engine->config.profiler : WRUN_PROFILER_NONE;
  if (p == WRUN_PROFILER_NONE || !c->mem) return;
  pthread_mutex_lock(&map_lock);
  if (p == WRUN_PROFILER_PERFMAP)
    write_perfmap(c, m);
  else if (p == WRUN_PROFILER_JITDUMP)
    write_jitdump(c, m);
  pthread_mutex_unlock(&map_lock);
}
