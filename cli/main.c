/* The `wrun` command: a thin layer over the public API (wrun.h).
 *
 *   wrun [run] [--dir HOST[::GUEST]]... [--env NAME[=VALUE]]...
 *        [--tcplisten HOST:PORT]...
 *        [--invoke NAME] [--max-... LIMIT]... [--timeout SECONDS]
 *        [--deterministic] [--fuel N] [--time] [--wasi-threads]
 *        [--jobs N] MODULE.wasm [ARGS...]
 *   wrun validate MODULE.wasm
 *   wrun compile [--deterministic] [--fuel] [--bounds-checks]
 *        [--memory-guard BYTES] [--time] [--jobs N] MODULE.wasm -o OUT.cwasm
 *   wrun wast [--xfail LIST] [--quiet] [--verbose] [--deterministic]
 *        [--fuel] [--jobs N] FILE.wast...
 *   wrun --version | --help
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build_id.h"
#include "compile_cmd.h"
#include "objdump_cmd.h"
#include "wast.h"
#include "watchdog.h"
#include "wrun.h"
#include "wrun_wasi.h"

/* Exit status of a wasm trap, as for an abort (128 + SIGABRT). */
#define EXIT_TRAP 134

static void usage(FILE *out) {
  fprintf(out,
          "usage: wrun [run] [--invoke NAME] [--time] MODULE.wasm "
          "[ARGS...]\n"
          "       wrun [run] [options] MODULE.cwasm [ARGS...]\n"
          "       wrun validate MODULE.wasm\n"
          "       wrun compile [--deterministic] [--fuel] [--bounds-checks]\n"
          "                    [--memory-guard BYTES] [--no-signals] [--time]\n"
          "                    [--jobs N] MODULE.wasm -o OUT.cwasm\n"
          "       wrun objdump [--func NAME|INDEX] MODULE.wasm\n"
          "       wrun wast [--xfail LIST] [--quiet] [--verbose]\n"
          "                 [--deterministic] [--fuel] [--jobs N] FILE.wast...\n"
          "       wrun --version | --help\n"
          "\n"
          "run       compile and instantiate MODULE, then call NAME (default\n"
          "          _start, if exported) with ARGS parsed by its parameter\n"
          "          types; print each result on its own line; --time\n"
          "          prints compile/instantiate/run times to stderr\n"
          "  --dir HOST[::GUEST]     preopen a host directory (as GUEST)\n"
          "  --env NAME=VALUE        set a guest environment variable\n"
          "  --env NAME              pass NAME through from the host\n"
          "  --tcplisten HOST:PORT   listen on HOST:PORT (a numeric IPv4\n"
          "                          address, or IPv6 in brackets; port 0:\n"
          "                          any free port) and hand the guest the\n"
          "                          listening socket, as the fd after the\n"
          "                          --dir ones (sock_accept, poll_oneoff)\n"
          "  store limits (a guest asking more gets -1 from memory.grow or\n"
          "  table.grow, or an instantiation error naming the limit):\n"
          "  --max-memory BYTES      all linear memory together (default:\n"
          "                          no limit)\n"
          "  --max-memory-size BYTES each linear memory (default: 4 GiB)\n"
          "  --max-table-elements N  all table elements together\n"
          "                          (default 10000000)\n"
          "  --max-table-size N      elements of each table (default\n"
          "                          10000000)\n"
          "  --max-instances N       instances (default 10000)\n"
          "  --max-memories N        linear memories, each reserving 8 GiB\n"
          "                          of address space (default 1000)\n"
          "  --max-tables N          tables (default 10000)\n"
          "  --max-wasm-stack BYTES  native stack for wasm (default 1 MiB;\n"
          "                          more than the stack has is refused)\n"
          "  --max-gc-heap BYTES     GC objects (structs, arrays) together\n"
          "                          (default 4 GiB; past it, after a\n"
          "                          collection: \"out of GC heap memory\")\n"
          "  --timeout SECONDS       interrupt wasm still running after\n"
          "                          SECONDS (a trap: \"interrupted\")\n"
          "  --bounds-checks         check every memory access against the\n"
          "                          memory's size instead of relying on\n"
          "                          an 8 GiB guarded reservation\n"
          "  --memory-reservation BYTES  the most a memory may grow to\n"
          "                          (default 4 GiB; less: bounds checks)\n"
          "  --memory-guard BYTES    address space reserved past it (default\n"
          "                          4 GiB; at least 64 KiB; less than 4 GiB:\n"
          "                          bounds checks)\n"
          "  --profile=perfmap       name the compiled functions for perf in\n"
          "                          /tmp/perf-PID.map (perf record, then\n"
          "                          perf report shows module!function)\n"
          "  --profile=jitdump       the same with code and wasm offsets in\n"
          "                          ./jit-PID.dump (perf record -k mono,\n"
          "                          then perf inject --jit)\n"
          "  -g, --debug-info        describe the compiled functions to gdb\n"
          "                          (the GDB JIT interface): bt names\n"
          "                          wasm frames, break NAME stops in them;\n"
          "                          with clang -g, file:line too\n"
          "  --no-signals            trap without signals: traps call into\n"
          "                          wrun and every access is checked\n"
          "                          against the size, so no signal handler\n"
          "                          is installed (slower; same results)\n"
          "  --deterministic         canonical NaN results of float and SIMD\n"
          "                          arithmetic: the same bits on every ISA\n"
          "  --fuel N                run with N units of fuel, one per wasm\n"
          "                          instruction (a trap: \"all fuel\n"
          "                          consumed\"); with --time, the fuel\n"
          "                          used is printed too\n"
          "  --wasi-threads          wasi-threads: wasi.thread-spawn runs\n"
          "                          an instance per thread on the shared\n"
          "                          memory wrun makes for the module's\n"
          "                          import (on by default when the module\n"
          "                          imports wasi.thread-spawn); a trap or\n"
          "                          proc_exit in any thread ends them all\n"
          "  --jobs N                compile on N threads (default 0: one\n"
          "                          per CPU; 1: this thread only)\n"
          "          the program's argv is MODULE ARGS (WASI), its exit\n"
          "          status the proc_exit code\n"
          "          a compiled module (.cwasm, see compile) is recognised\n"
          "          by its first bytes and loaded without compiling\n"
          "validate  decode and validate MODULE\n"
          "compile   compile MODULE ahead of time into OUT.cwasm (--fuel:\n"
          "          with fuel metering, to run with --fuel N;\n"
          "          --deterministic, --bounds-checks, --memory-guard and\n"
          "          --no-signals likewise). A .cwasm is trusted code,\n"
          "          like a shared library: loading it checks its format,\n"
          "          wrun build, ISA, CPU features and configuration, not\n"
          "          what the code does. Run only .cwasm files you trust.\n"
          "objdump   print each function's machine code, disassembled\n"
          "          (Capstone), under the wasm instructions it came from\n"
          "wast      run WebAssembly spec-test scripts (needs wast2json)\n");
}

/* "(at byte offset N)" when the error has one. */
static void print_error(const char *path, const wrun_error *e) {
  size_t offset = wrun_error_offset(e);
  if (offset == SIZE_MAX)
    fprintf(stderr, "wrun: %s: %s\n", path, wrun_error_message(e));
  else
    fprintf(stderr, "wrun: %s: %s (at byte offset %zu)\n", path,
            wrun_error_message(e), offset);
}

static bool load_bytes(const char *path, uint8_t **bytes, size_t *len) {
  struct stat st;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    fprintf(stderr, "wrun: %s: is a directory, not a module\n", path);
    return false;
  }
  if (cli_read_file(path, bytes, len))
    return true;
  int e = errno;
  /* A bare word that names no file was likely meant as a command. */
  if (e == ENOENT && !strchr(path, '/') && !strchr(path, '.'))
    fprintf(stderr, "wrun: %s: no such command or file (commands: run, "
                    "validate, compile, objdump, wast; see wrun --help)\n",
            path);
  else
    fprintf(stderr, "wrun: %s: cannot read: %s\n", path, strerror(e));
  return false;
}

/* For an option or argument error: one line, and where to look. */
static int usage_error(const char *fmt, const char *what) {
  fprintf(stderr, "wrun: ");
  fprintf(stderr, fmt, what);
  fprintf(stderr, " (see wrun --help)\n");
  return 1;
}

/* ---- validate ------------------------------------------------------------ */

static int validate_main(int argc, char **argv) {
  if (argc == 1 && strcmp(argv[0], "--help") == 0) {
    printf("usage: wrun validate MODULE.wasm\n"
           "Decodes and validates MODULE: nothing printed and exit status 0\n"
           "when it is valid, else one line (the error and its byte offset)\n"
           "and exit status 1.\n");
    return 0;
  }
  if (argc != 1)
    return usage_error("%s", "validate takes one module");
  uint8_t *bytes;
  size_t len;
  if (!load_bytes(argv[0], &bytes, &len))
    return 1;
  wrun_engine *engine = wrun_engine_new();
  if (!engine) {
    fprintf(stderr, "wrun: cannot create an engine\n");
    free(bytes);
    return 1;
  }
  wrun_error *err = wrun_module_validate(engine, bytes, len);
  free(bytes);
  int status = 0;
  if (err) {
    print_error(argv[0], err);
    wrun_error_delete(err);
    status = 1;
  }
  wrun_engine_delete(engine);
  return status;
}

/* ---- run: arguments and results ------------------------------------------ */

static bool parse_integer(const char *text, int64_t min, uint64_t max,
                          uint64_t *out) {
  char *end;
  errno = 0;
  if (text[0] == '-') {
    long long v = strtoll(text, &end, 0);
    if (errno || *end || end == text || v < min)
      return false;
    *out = (uint64_t)v;
    return true;
  }
  unsigned long long v = strtoull(text, &end, 0);
  if (errno || *end || end == text || v > max)
    return false;
  *out = v;
  return true;
}

/* ARGS are typed by the function: i32/i64 decimal (or 0x hex), negative
 * or unsigned; f32/f64 as C floating literals ("1.5", "nan", "-inf"). */
static bool parse_run_arg(const char *text, wrun_valtype type,
                          wrun_val *out) {
  uint64_t bits;
  char *end;
  out->type = type;
  switch (type) {
  case WRUN_I32:
    if (!parse_integer(text, INT32_MIN, UINT32_MAX, &bits))
      return false;
    out->of.i32 = (int32_t)(uint32_t)bits;
    return true;
  case WRUN_I64:
    if (!parse_integer(text, INT64_MIN, UINT64_MAX, &bits))
      return false;
    out->of.i64 = (int64_t)bits;
    return true;
  case WRUN_F32: {
    float f = strtof(text, &end);
    if (*end || end == text)
      return false;
    memcpy(&out->of.f32_bits, &f, sizeof f);
    return true;
  }
  case WRUN_F64: {
    double d = strtod(text, &end);
    if (*end || end == text)
      return false;
    memcpy(&out->of.f64_bits, &d, sizeof d);
    return true;
  }
  default:
    return false;
  }
}

/* Prints the shortest decimal that reads back as the same value, as
 * wasmtime does: positional for exponents from -7 to 20 (10, 3000, 0.1),
 * else with one (1e+300). A NaN is "nan" when its payload is the
 * canonical one (the quiet bit alone), else "nan:0x" and the payload;
 * either with a '-' for the sign bit. payload_bits: 23 or 52. */
static void print_float(double d, uint64_t payload, int payload_bits,
                        int max_digits, bool single) {
  if (isnan(d)) {
    uint64_t canonical = (uint64_t)1 << (payload_bits - 1);
    if (payload == canonical)
      printf("%snan\n", signbit(d) ? "-" : "");
    else
      printf("%snan:0x%" PRIx64 "\n", signbit(d) ? "-" : "", payload);
    return;
  }
  if (isinf(d)) {
    printf("%sinf\n", d < 0 ? "-" : "");
    return;
  }
  char buf[400];
  int digits = 1;
  for (; digits < max_digits; digits++) {
    snprintf(buf, sizeof buf, "%.*e", digits - 1, d);
    bool same = single ? strtof(buf, NULL) == (float)d
                       : strtod(buf, NULL) == d;
    if (same)
      break;
  }
  snprintf(buf, sizeof buf, "%.*e", digits - 1, d);
  int exp = atoi(strchr(buf, 'e') + 1);
  if (d != 0 && (exp < -7 || exp > 20)) {
    printf("%s\n", buf);
    return;
  }
  int decimals = digits - 1 - exp;
  printf("%.*f\n", decimals > 0 ? decimals : 0, d);
}

static void print_result(const wrun_val *v) {
  float f;
  double d;
  switch (v->type) {
  case WRUN_I32: printf("%" PRId32 "\n", v->of.i32); return;
  case WRUN_I64: printf("%" PRId64 "\n", v->of.i64); return;
  case WRUN_F32:
    memcpy(&f, &v->of.f32_bits, sizeof f);
    print_float((double)f, v->of.f32_bits & 0x7fffffu, 23, 9, true);
    return;
  case WRUN_F64:
    memcpy(&d, &v->of.f64_bits, sizeof d);
    print_float(d, v->of.f64_bits & 0xfffffffffffffull, 52, 17, false);
    return;
  case WRUN_V128:
    printf("0x");
    for (int i = 15; i >= 0; i--)
      printf("%02x", v->of.v128[i]);
    printf("\n");
    return;
  case WRUN_FUNCREF:
    printf("%s\n", v->of.funcref ? "ref.func" : "ref.null func");
    return;
  case WRUN_EXTERNREF:
    printf("%s\n", v->of.externref ? "ref.extern" : "ref.null extern");
    return;
  case WRUN_EXNREF:
    printf("%s\n", v->of.exnref ? "ref.exn" : "ref.null exn");
    return;
  case WRUN_ANYREF: {
    int32_t i31;
    if (!v->of.anyref)
      printf("ref.null any\n");
    else if (wrun_anyref_i31(v->of.anyref, &i31))
      printf("ref.i31 %" PRId32 "\n", i31);
    else if (wrun_anyref_kind_of(v->of.anyref) == WRUN_ANYREF_STRUCT)
      printf("ref.struct\n");
    else if (wrun_anyref_kind_of(v->of.anyref) == WRUN_ANYREF_ARRAY)
      printf("ref.array\n");
    else
      printf("ref.host\n");
    return;
  }
  }
}

/* What backtraces call a module without a name in its name section: its
 * file's name without directories and ".wasm" (set by run_module). */
static char module_stem[256] = "<module>";

static void set_module_stem(const char *path) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strlen(base);
  if (n > 5 && strcmp(base + n - 5, ".wasm") == 0) n -= 5;
  if (n >= sizeof module_stem) n = sizeof module_stem - 1;
  if (n == 0) return;
  memcpy(module_stem, base, n);
  module_stem[n] = '\0';
}

/* One line per frame, as wasmtime prints them: "  0: 0x1a2b - mod!name",
 * func[N] for a function without a name; "?" for an unknown offset. */
static void print_backtrace(const wrun_trap *trap) {
  size_t frames = wrun_trap_frame_count(trap);
  for (size_t i = 0; i < frames; i++) {
    const char *name = wrun_trap_frame_name(trap, i);
    const char *mod = wrun_trap_frame_module_name(trap, i);
    size_t off = wrun_trap_frame_module_offset(trap, i);
    char where[32];
    if (off == SIZE_MAX)
      snprintf(where, sizeof where, "?");
    else
      snprintf(where, sizeof where, "0x%zx", off);
    fprintf(stderr, "  %zu: %s - %s!", i, where, mod ? mod : module_stem);
    if (name)
      fprintf(stderr, "%s\n", name);
    else
      fprintf(stderr, "func[%" PRIu32 "]\n", wrun_trap_frame_func(trap, i));
    const char *file = wrun_trap_frame_file(trap, i);
    if (file)
      fprintf(stderr, "                    at %s:%" PRIu32 ":%" PRIu32 "\n",
              file, wrun_trap_frame_line(trap, i),
              wrun_trap_frame_column(trap, i));
  }
  size_t omitted = wrun_trap_frames_omitted(trap);
  if (omitted)
    fprintf(stderr, "  ... and %zu more frame%s, not recorded\n", omitted,
            omitted == 1 ? "" : "s");
}

/* Prints a trap and its backtrace; returns the process exit status. */
static int report_trap(wrun_trap *trap) {
  if (wrun_trap_code_of(trap) == WRUN_TRAP_EXIT) {
    int status = wrun_trap_exit_status(trap);
    wrun_trap_delete(trap);
    return status;
  }
  wrun_exn *exn = wrun_trap_exception(trap);
  if (exn) {
    /* Not a trap: an exception nothing caught. Its payload says which. */
    fprintf(stderr, "wrun: error: uncaught wasm exception");
    size_t n = wrun_exn_payload_count(exn);
    for (size_t i = 0; i < n; i++) {
      wrun_val v;
      wrun_exn_payload(exn, i, &v);
      fprintf(stderr, "%s%s", i ? ", " : " (payload: ",
              wrun_valtype_name(v.type));
      if (v.type == WRUN_I32) fprintf(stderr, " %" PRId32, v.of.i32);
      if (v.type == WRUN_I64) fprintf(stderr, " %" PRId64, v.of.i64);
    }
    fprintf(stderr, "%s\n", n ? ")" : "");
  } else {
    fprintf(stderr, "wrun: wasm trap: %s\n", wrun_trap_message(trap));
  }
  print_backtrace(trap);
  wrun_trap_delete(trap);
  return EXIT_TRAP;
}

/* ---- --time: phase timings on stderr (used by bench/) -------------------- */

/* Off unless `--time` is given; then each timed phase prints one line
 * "wrun: <phase>_ms <milliseconds>" to stderr when it ends. */
static bool timing_enabled;
static double timing_phase_start;

static double timing_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void timing_begin(void) {
  if (timing_enabled)
    timing_phase_start = timing_now_ms();
}

static void timing_end(const char *phase) {
  if (timing_enabled)
    fprintf(stderr, "wrun: %s_ms %.3f\n", phase,
            timing_now_ms() - timing_phase_start);
}

/* ---- run ----------------------------------------------------------------- */

typedef struct run_request {
  const char *path;
  const char *invoke; /* NULL: _start if exported */
  char **args;        /* --invoke: its parameters; else the WASI argv[1..] */
  int nargs;
  wrun_wasi_config *wasi; /* --dir, --env, --tcplisten, the program's argv */
  wrun_store_limits limits; /* the defaults, changed by --max-... */
  double timeout;         /* seconds; 0: none */
  bool deterministic;     /* wrun_config_deterministic */
  bool metered;           /* --fuel given: compile with fuel charges */
  uint64_t fuel;
  bool wasi_threads;      /* --wasi-threads */
  bool bounds_checks;     /* --bounds-checks */
  bool no_signals;        /* --no-signals */
  wrun_profiler profiler; /* --profile */
  bool debug_info;        /* -g, --debug-info */
  uint64_t memory_reservation, memory_guard; /* 0: the defaults */
  unsigned jobs;          /* --jobs: compiling threads, 0 one per CPU */
} run_request;

/* WASI is defined only for modules that import it; any other import is
 * reported by the linker, naming it. */
static bool imports_wasi(const wrun_module *m) {
  for (size_t i = 0; i < wrun_module_import_count(m); i++) {
    const char *module, *name;
    wrun_externkind kind;
    wrun_module_import(m, i, &module, &name, &kind);
    if (strcmp(module, "wasi_snapshot_preview1") == 0 ||
        strcmp(module, "wasi_unstable") == 0)
      return true;
  }
  return false;
}

static bool imports_thread_spawn(const wrun_module *m) {
  for (size_t i = 0; i < wrun_module_import_count(m); i++) {
    const char *module, *name;
    wrun_module_import(m, i, &module, &name, NULL);
    if (strcmp(module, "wasi") == 0 && strcmp(name, "thread-spawn") == 0)
      return true;
  }
  return false;
}

/* ---- wasi-threads: one program, several threads ------------------------
 * The first thread to end the program (a trap or proc_exit in any thread,
 * or _start returning) reports it and exits the process with its status;
 * any other that gets here meanwhile waits on the lock until the exit. */
static pthread_mutex_t end_lock = PTHREAD_MUTEX_INITIALIZER;

static int report_trap(wrun_trap *trap);

static _Noreturn void end_program(int status, wrun_trap *trap) {
  pthread_mutex_lock(&end_lock);
  fflush(stdout);
  if (trap)
    status = report_trap(trap);
  fflush(stderr);
  _exit(status); /* the other threads may still be running wasm */
}

static void end_program_from_thread(void *env, wrun_trap *trap) {
  (void)env;
  end_program(0, trap);
}

/* The main thread is done with wasm: from now on no other thread may end
 * the program (the lock stays held); with threads still running it must
 * exit now, without tearing down what they use. */
static void claim_end(const wrun_wasi *wasi, int status) {
  pthread_mutex_lock(&end_lock);
  if (wasi && wrun_wasi_thread_count(wasi) > 0) {
    fflush(stdout);
    fflush(stderr);
    _exit(status);
  }
}

/* --timeout with threads: the watchdog interrupts the main thread's store
 * only, and a thread asleep in memory.atomic.wait cannot be interrupted,
 * so a timer ends the whole program a little after the deadline, as the
 * trap "interrupted" (the main store's own interrupt, with its backtrace,
 * gets that grace to come first). */
#define THREADS_TIMEOUT_GRACE 0.1

static void *threads_deadline(void *arg) {
  double seconds = *(const double *)arg + THREADS_TIMEOUT_GRACE;
  struct timespec left = {(time_t)seconds,
                          (long)((seconds - floor(seconds)) * 1e9)};
  while (nanosleep(&left, &left) != 0 && errno == EINTR)
    continue;
  end_program(0, wrun_trap_new("interrupted"));
}

static bool start_threads_deadline(const double *seconds) {
  pthread_t timer;
  if (pthread_create(&timer, NULL, threads_deadline, (void *)seconds) != 0)
    return false;
  pthread_detach(timer);
  return true;
}

/* The host makes a module's shared memory imports, from their declared
 * limits, as wasmtime does with threads on; the first one is what
 * spawned threads share. Other memories are left to the linker. False
 * (said on stderr) when one cannot be made. */
static bool define_shared_memories(wrun_linker *linker, wrun_store *store,
                                   const wrun_module *m, wrun_memory **first) {
  *first = NULL;
  for (size_t i = 0; i < wrun_module_import_count(m); i++) {
    if (!wrun_module_import_memory_shared(m, i))
      continue;
    const char *module, *name;
    size_t module_len, name_len;
    uint32_t min, max;
    bool has_max;
    wrun_module_import_n(m, i, &module, &module_len, &name, &name_len, NULL);
    wrun_module_import_memory(m, i, &min, &max, &has_max);
    wrun_memory *mem = wrun_memory_new_shared(store, min, max);
    if (!mem) {
      fprintf(stderr, "wrun: cannot make the shared memory %s.%s\n",
              module, name);
      return false;
    }
    wrun_extern ext = {.kind = WRUN_EXTERN_MEMORY, .of.memory = mem};
    wrun_linker_define_n(linker, module, module_len, name, name_len, ext);
    if (!*first)
      *first = mem;
  }
  return true;
}

/* With --time and --fuel: what the run (start function included) used. */
static void report_fuel_used(const run_request *req, const wrun_store *store) {
  uint64_t left;
  if (timing_enabled && req->metered && wrun_store_get_fuel(store, &left))
    fprintf(stderr, "wrun: fuel_used %" PRIu64 "\n", req->fuel - left);
}

/* With --time: what the store's GC did (no _ms names: bench/ reads those
 * as phases). */
static void report_gc_stats(const wrun_store *store) {
  if (!timing_enabled) return;
  wrun_gc_stats st;
  wrun_store_gc_stats(store, &st);
  fprintf(stderr,
          "wrun: gc collections %" PRIu64 " total_pause_ns %" PRIu64
          " max_pause_ns %" PRIu64 " allocated_bytes %" PRIu64
          " live_bytes %" PRIu64 " heap_bytes %" PRIu64
          " peak_heap_bytes %" PRIu64 "\n",
          st.collections, st.total_pause_ns, st.max_pause_ns,
          st.allocated_bytes, st.live_bytes, st.heap_bytes,
          st.peak_heap_bytes);
}

/* threads: wasi-threads is on, so a trap ends the program at once. */
static int call_export(const run_request *req, wrun_store *store,
                       wrun_instance *inst, bool threads) {
  const char *name = req->invoke ? req->invoke : "_start";
  wrun_extern ext;
  if (!wrun_instance_export(inst, name, &ext)) {
    if (!req->invoke && req->nargs == 0)
      return 0; /* nothing to run: instantiation was the program */
    fprintf(stderr, "wrun: %s: no export named \"%s\"\n", req->path, name);
    return 1;
  }
  if (ext.kind != WRUN_EXTERN_FUNC) {
    fprintf(stderr, "wrun: %s: export \"%s\" is not a function\n",
            req->path, name);
    return 1;
  }
  const wrun_func *f = ext.of.func;
  size_t nparams = wrun_func_param_count(f);
  size_t nresults = wrun_func_result_count(f);
  /* Without --invoke the ARGS are the program's (WASI argv). */
  int given = req->invoke ? req->nargs : 0;
  if ((size_t)given != nparams) {
    fprintf(stderr, "wrun: %s: \"%s\" takes %zu arguments, %d given\n",
            req->path, name, nparams, given);
    return 1;
  }
  wrun_val *args = calloc(nparams + 1, sizeof *args);
  wrun_val *results = calloc(nresults + 1, sizeof *results);
  int status = 0;
  if (!args || !results) {
    fprintf(stderr, "wrun: out of memory\n");
    status = 1;
    goto done;
  }
  for (size_t i = 0; i < nparams; i++) {
    wrun_valtype t = wrun_func_param_type(f, i);
    if (!parse_run_arg(req->args[i], t, &args[i])) {
      fprintf(stderr, "wrun: %s: argument %zu: \"%s\" is not a valid %s\n",
              req->path, i + 1, req->args[i], wrun_valtype_name(t));
      status = 1;
      goto done;
    }
  }
  timing_begin();
  wrun_trap *trap = wrun_func_call(store, f, args, nparams, results,
                                   nresults);
  timing_end("run");
  report_fuel_used(req, store);
  if (trap && threads) {
    report_gc_stats(store); /* end_program does not come back */
    end_program(0, trap);
  }
  if (trap) {
    fflush(stdout);
    status = report_trap(trap);
    goto done;
  }
  for (size_t i = 0; i < nresults; i++)
    print_result(&results[i]);
done:
  free(args);
  free(results);
  return status;
}

static int instantiate_and_call(const run_request *req, wrun_engine *engine,
                                const wrun_module *m) {
  wrun_store *store = wrun_store_new(engine);
  if (!store) {
    fprintf(stderr, "wrun: cannot create a store\n");
    return 1;
  }
  wrun_error *limits_err = wrun_store_set_limits(store, &req->limits);
  if (limits_err) {
    fprintf(stderr, "wrun: %s\n", wrun_error_message(limits_err));
    wrun_error_delete(limits_err);
    wrun_store_delete(store);
    return 1;
  }
  if (req->metered && !wrun_store_set_fuel(store, req->fuel)) {
    fprintf(stderr, "wrun: cannot set the store's fuel\n");
    wrun_store_delete(store);
    return 1;
  }
  /* From here on: a start function can loop forever too. */
  watchdog *dog = NULL;
  if (req->timeout > 0) {
    dog = watchdog_new();
    if (!dog) {
      fprintf(stderr, "wrun: cannot start the --timeout watchdog\n");
      wrun_store_delete(store);
      return 1;
    }
    watchdog_arm(dog, store, req->timeout);
  }
  wrun_instance *inst = NULL;
  wrun_error *err = NULL;
  wrun_trap *trap = NULL;
  wrun_wasi *wasi = NULL;
  timing_begin();
  wrun_linker *linker = wrun_linker_new(store);
  if (!linker) {
    fprintf(stderr, "wrun: cannot create a linker\n");
    watchdog_delete(dog); /* before the store goes */
    wrun_store_delete(store);
    return 1;
  }
  bool threads = req->wasi_threads || imports_thread_spawn(m);
  wrun_memory *shared = NULL;
  bool memories_ok = !threads ||
                     define_shared_memories(linker, store, m, &shared);
  if (memories_ok && (threads || imports_wasi(m)))
    err = wrun_wasi_define(linker, store, req->wasi, &wasi);
  if (memories_ok && !err && threads)
    err = wrun_wasi_define_threads(linker, store, wasi, m, shared,
                                   end_program_from_thread, NULL);
  if (memories_ok && !err && threads && req->timeout > 0 &&
      !start_threads_deadline(&req->timeout))
    fprintf(stderr, "wrun: cannot start the --timeout timer of threads\n");
  if (memories_ok && !err)
    wrun_linker_instantiate(linker, m, &inst, &err, &trap);
  timing_end("instantiate");
  int status;
  if (!memories_ok) {
    status = 1;
  } else if (err) {
    print_error(req->path, err);
    wrun_error_delete(err);
    status = 1;
  } else if (trap) {
    status = report_trap(trap);
  } else {
    status = call_export(req, store, inst, threads);
  }
  fflush(stdout);
  report_gc_stats(store); /* the start function's objects count too */
  if (threads)
    claim_end(wasi, status);
  watchdog_delete(dog); /* before the store goes */
  wrun_linker_delete(linker);
  wrun_store_delete(store);
  wrun_wasi_delete(wasi);
  return status;
}

/* --fuel needs an engine that compiles fuel charges; otherwise the
 * defaults, so that a run without it has not one instruction more. */
static wrun_engine *new_engine(const run_request *req) {
  wrun_config *config = wrun_config_new();
  if (!config)
    return NULL;
  wrun_config_consume_fuel(config, req->metered);
  wrun_config_deterministic(config, req->deterministic);
  wrun_config_bounds_checks(config, req->bounds_checks);
  wrun_config_memory_reservation(config, req->memory_reservation);
  wrun_config_memory_guard(config, req->memory_guard);
  wrun_config_signals_based_traps(config, !req->no_signals);
  wrun_config_profiler(config, req->profiler);
  wrun_config_debug_info(config, req->debug_info);
  wrun_config_jobs(config, req->jobs);
  wrun_engine *engine = wrun_engine_new_with_config(config);
  wrun_config_delete(config);
  return engine;
}

static int run_module(const run_request *req) {
  uint8_t *bytes;
  size_t len;
  if (!load_bytes(req->path, &bytes, &len))
    return 1;
  wrun_engine *engine = new_engine(req);
  if (!engine) {
    fprintf(stderr, "wrun: cannot create an engine\n");
    free(bytes);
    return 1;
  }
  wrun_module *m = NULL;
  timing_begin();
  wrun_error *err;
  if (wrun_module_is_serialized(bytes, len)) {
    err = wrun_module_deserialize(engine, bytes, len, &m);
    timing_end("deserialize");
  } else {
    err = wrun_module_new(engine, bytes, len, &m);
    timing_end("compile");
  }
  free(bytes);
  int status = 1;
  if (err) {
    print_error(req->path, err);
    wrun_error_delete(err);
  } else {
    status = instantiate_and_call(req, engine, m);
    wrun_module_delete(m);
  }
  wrun_engine_delete(engine);
  return status;
}

/* --dir HOST[::GUEST]: the guest name defaults to the host path. */
static bool add_dir_option(wrun_wasi_config *cfg, const char *spec) {
  const char *sep = strstr(spec, "::");
  if (!sep)
    return wrun_wasi_config_add_preopen(cfg, spec, spec);
  char *host = strndup(spec, (size_t)(sep - spec));
  bool ok = host && wrun_wasi_config_add_preopen(cfg, host, sep + 2);
  free(host);
  return ok;
}

/* --env NAME=VALUE, or --env NAME to pass the host's value through (left
 * out when the host has none). */
static bool add_env_option(wrun_wasi_config *cfg, const char *spec) {
  if (strchr(spec, '='))
    return wrun_wasi_config_add_env(cfg, spec);
  const char *value = getenv(spec);
  if (!value)
    return true;
  size_t n = strlen(spec) + strlen(value) + 2;
  char *entry = malloc(n);
  if (!entry)
    return false;
  snprintf(entry, n, "%s=%s", spec, value);
  bool ok = wrun_wasi_config_add_env(cfg, entry);
  free(entry);
  return ok;
}

static bool parse_size_option(const char *name, const char *text,
                              const char *unit, uint64_t *out) {
  if (parse_integer(text, 0, UINT64_MAX, out) && text[0] != '-')
    return true;
  fprintf(stderr, "wrun: %s: \"%s\" is not a %s\n", name, text, unit);
  return false;
}

/* The --max-... options: each sets one field of the store limits. */
typedef struct limit_option {
  const char *name;
  const char *unit;
  size_t offset; /* of the uint64_t field in wrun_store_limits */
} limit_option;

static const limit_option limit_options[] = {
  {"--max-memory", "byte count", offsetof(wrun_store_limits, store_memory_bytes)},
  {"--max-memory-size", "byte count", offsetof(wrun_store_limits, memory_bytes)},
  {"--max-table-elements", "count",
   offsetof(wrun_store_limits, store_table_elements)},
  {"--max-table-size", "count", offsetof(wrun_store_limits, table_elements)},
  {"--max-instances", "count", offsetof(wrun_store_limits, instances)},
  {"--max-memories", "count", offsetof(wrun_store_limits, memories)},
  {"--max-tables", "count", offsetof(wrun_store_limits, tables)},
  {"--max-wasm-stack", "byte count",
   offsetof(wrun_store_limits, wasm_stack_bytes)},
  {"--max-gc-heap", "byte count", offsetof(wrun_store_limits, gc_heap_bytes)},
};

static const limit_option *find_limit_option(const char *name) {
  for (size_t i = 0; i < sizeof limit_options / sizeof *limit_options; i++)
    if (strcmp(limit_options[i].name, name) == 0) return &limit_options[i];
  return NULL;
}

/* A positive, finite number of seconds (a fraction allowed). */
static bool parse_seconds_option(const char *name, const char *text,
                                 double *out) {
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (end != text && *end == '\0' && errno == 0 && isfinite(v) && v > 0 &&
      v < 1e9) {
    *out = v;
    return true;
  }
  fprintf(stderr, "wrun: %s: \"%s\" is not a number of seconds\n", name,
          text);
  return false;
}

/* Handles one WASI or limit option (and its value); false if unknown or
 * malformed, with *known telling which. */
static bool parse_run_option(run_request *req, int argc, char **argv, int *i,
                             bool *known) {
  /* --name=value (as wasmtime takes them) or --name value */
  char opt[64];
  const char *eq = strchr(argv[*i], '=');
  size_t n = eq ? (size_t)(eq - argv[*i]) : strlen(argv[*i]);
  if (n >= sizeof opt) n = sizeof opt - 1;
  memcpy(opt, argv[*i], n);
  opt[n] = 0;
  const char *value = eq ? eq + 1 : *i + 1 < argc ? argv[*i + 1] : NULL;
  int taken = eq ? 0 : 1; /* arguments the value uses */
  *known = true;
  if (strcmp(opt, "--dir") == 0 && value) {
    *i += taken;
    return add_dir_option(req->wasi, value);
  }
  if (strcmp(opt, "--env") == 0 && value) {
    *i += taken;
    return add_env_option(req->wasi, value);
  }
  if (strcmp(opt, "--tcplisten") == 0 && value) {
    *i += taken;
    if (wrun_wasi_config_add_tcplisten(req->wasi, value))
      return true;
    fprintf(stderr, "wrun: --tcplisten: \"%s\" is not HOST:PORT (a numeric "
                    "IPv4 address or [IPv6], a port from 0 to 65535)\n",
            value);
    return false;
  }
  const limit_option *limit = find_limit_option(opt);
  if (limit && value) {
    *i += taken;
    uint64_t *field = (uint64_t *)((char *)&req->limits + limit->offset);
    return parse_size_option(opt, value, limit->unit, field);
  }
  if (strcmp(opt, "--timeout") == 0 && value) {
    *i += taken;
    return parse_seconds_option(opt, value, &req->timeout);
  }
  if (strcmp(opt, "--memory-reservation") == 0 && value) {
    *i += taken;
    return parse_size_option(opt, value, "size in bytes", &req->memory_reservation);
  }
  if (strcmp(opt, "--memory-guard") == 0 && value) {
    *i += taken;
    return parse_size_option(opt, value, "size in bytes", &req->memory_guard);
  }
  if (strcmp(opt, "--profile") == 0 && value) {
    const char *what = value;
    *i += taken;
    if (strcmp(what, "perfmap") == 0 || strcmp(what, "jitdump") == 0) {
      req->profiler = what[0] == 'p' ? WRUN_PROFILER_PERFMAP
                                     : WRUN_PROFILER_JITDUMP;
      return true;
    }
    fprintf(stderr, "wrun: --profile: unknown profiler \"%s\" (known: "
                    "perfmap, jitdump)\n", what);
    return false;
  }
  if (strcmp(opt, "--fuel") == 0 && value) {
    *i += taken;
    req->metered = true;
    if (parse_integer(value, 0, UINT64_MAX, &req->fuel) && value[0] != '-')
      return true;
    fprintf(stderr, "wrun: --fuel: \"%s\" is not an amount of fuel\n",
            value);
    return false;
  }
  if (strcmp(opt, "--jobs") == 0 && value) {
    *i += taken;
    uint64_t jobs;
    if (parse_integer(value, 0, 4096, &jobs) && value[0] != '-') {
      req->jobs = (unsigned)jobs;
      return true;
    }
    fprintf(stderr, "wrun: --jobs: \"%s\" is not a number of threads "
            "(0 to 4096)\n", value);
    return false;
  }
  *known = false;
  return false;
}

/* The guest's argv: the module path as given, then ARGS. */
static bool set_wasi_argv(run_request *req) {
  const char **argv = malloc(((size_t)req->nargs + 1) * sizeof *argv);
  if (!argv)
    return false;
  argv[0] = req->path;
  for (int k = 0; k < req->nargs; k++)
    argv[k + 1] = req->args[k];
  bool ok = wrun_wasi_config_set_argv(req->wasi, req->nargs + 1, argv);
  free(argv);
  return ok;
}

static int run_with_options(run_request *req, int argc, char **argv) {
  int i = 0;
  for (; i < argc && argv[i][0] == '-' &&
         (argv[i][1] == '-' || strcmp(argv[i], "-g") == 0);
       i++) {
    if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    }
    bool known;
    if (parse_run_option(req, argc, argv, &i, &known))
      continue;
    if (known)
      return 1;
    if (strcmp(argv[i], "--invoke") == 0 && i + 1 < argc) {
      req->invoke = argv[++i];
    } else if (strncmp(argv[i], "--invoke=", 9) == 0) {
      req->invoke = argv[i] + 9;
    } else if (strcmp(argv[i], "--time") == 0) {
      timing_enabled = true;
    } else if (strcmp(argv[i], "--deterministic") == 0) {
      req->deterministic = true;
    } else if (strcmp(argv[i], "--bounds-checks") == 0) {
      req->bounds_checks = true;
    } else if (strcmp(argv[i], "--no-signals") == 0) {
      req->no_signals = true;
    } else if (strcmp(argv[i], "-g") == 0 ||
               strcmp(argv[i], "--debug-info") == 0) {
      req->debug_info = true;
    } else if (strcmp(argv[i], "--wasi-threads") == 0) {
      req->wasi_threads = true;
    } else if (strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return 0;
    } else {
      return usage_error("unknown option %s", argv[i]);
    }
  }
  if (i == argc)
    return usage_error("%s", "no module given");
  req->path = argv[i];
  set_module_stem(req->path);
  req->args = argv + i + 1;
  req->nargs = argc - i - 1;
  if (!set_wasi_argv(req)) {
    fprintf(stderr, "wrun: out of memory\n");
    return 1;
  }
  return run_module(req);
}

static int run_main(int argc, char **argv) {
  run_request req = {0};
  wrun_store_limits_default(&req.limits);
  req.wasi = wrun_wasi_config_new();
  if (!req.wasi) {
    fprintf(stderr, "wrun: out of memory\n");
    return 1;
  }
  int status = run_with_options(&req, argc, argv);
  wrun_wasi_config_delete(req.wasi);
  return status;
}

/* The version, the build's commit, the ISA and what it implements. */
static void print_version(void) {
#if defined(__x86_64__)
  const char *isa = "x86-64";
#elif defined(__aarch64__)
  const char *isa = "aarch64";
#else
  const char *isa = "unknown ISA";
#endif
  printf("wrun %s (commit %s, %s)\n", WRUN_VERSION, RT_BUILD_ID, isa);
  printf("wasm: 1.0, 2.0 (SIMD), 3.0 (tail calls, exceptions, typed "
         "references, GC, memory64, multiple memories, relaxed SIMD), "
         "threads\n"
         "wasi: preview1, wasi-threads\n"
         "options: fuel, deterministic, bounds checks, signals-based traps "
         "(on/off), profile (perfmap, jitdump), serialized modules\n");
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 1;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
    print_version();
    return 0;
  }
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
      strcmp(cmd, "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(cmd, "validate") == 0)
    return validate_main(argc - 2, argv + 2);
  if (strcmp(cmd, "compile") == 0)
    return compile_main(argc - 2, argv + 2);
  if (strcmp(cmd, "objdump") == 0)
    return objdump_main(argc - 2, argv + 2);
  if (strcmp(cmd, "wast") == 0)
    return wast_main(argc - 2, argv + 2);
  if (strcmp(cmd, "run") == 0)
    return run_main(argc - 2, argv + 2);
  return run_main(argc - 1, argv + 1);
}
