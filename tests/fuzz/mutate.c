/* Mutation test: every single-byte change of a set of modules is either
 * rejected with an error or runs (a trap is a fine way to run); none may
 * crash the runtime.
 *
 *   mutate [--timeout-ms N] [--exhaustive] [--verbose] FILE.wasm...
 *
 * For each byte of each input and a few replacement values per byte, the
 * mutant goes through wrun_module_new in this process (compilation is where
 * most mutants end, and it never runs wasm code). A mutant that compiles is
 * instantiated in a forked child against stub imports built from the
 * module's own import types, and every exported function is called with
 * zero arguments (--exhaustive tries all 255 other values of every byte:
 * too slow for the test suite, good for a hunt). A mutant may loop forever (no fuel yet), so each call has
 * a timer: a child killed by SIGALRM counts as "timed out"; a child that
 * dies any other way is a crash and fails the test.
 *
 * Public API only (include/wrun.h). Prints
 *   N mutants: N rejected, N ran, N trapped, N timed out
 * and exits 0, or names every crashing mutant and exits 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stub_imports.h"
#include "wrun.h"

#if defined(__SANITIZE_ADDRESS__)
#define MUTATE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MUTATE_SANITIZED 1
#endif
#endif
#ifdef MUTATE_SANITIZED
#include <sanitizer/common_interface_defs.h>
#endif

/* How a child reports the outcome of instantiating and running a mutant.
 * Distinct from 0/1 so that a sanitizer's exit code (1) or an exit from
 * somewhere unexpected reads as a crash. */
enum {
  CHILD_RAN = 10,
  CHILD_TRAPPED = 11,
  CHILD_UNLINKABLE = 12, /* instantiation refused with an error */
};

/* A child's memories stay small: mutants may grow memory in a loop. */
#define CHILD_MAX_MEMORY (256u << 20)

typedef struct counts {
  unsigned long mutants, rejected, unlinkable, ran, trapped, timed_out,
      crashed;
} counts;

typedef struct options {
  long timeout_ms;
  bool exhaustive;
  bool verbose;
} options;

/* ---- which mutant is under test, for crash reports ----------------------- */

/* Written before each mutant so that a crash of this process (in the
 * compiler, say) can name it from a signal handler or a sanitizer's death
 * callback. */
static char current_mutant[512];
static size_t current_mutant_len;

static void set_current_mutant(const char *file, size_t offset, uint8_t from,
                               uint8_t to) {
  int n = snprintf(current_mutant, sizeof current_mutant,
                   "mutate: crashed on %s byte %zu: 0x%02x -> 0x%02x\n", file,
                   offset, from, to);
  current_mutant_len = n > 0 ? (size_t)n : 0;
  if (current_mutant_len >= sizeof current_mutant)
    current_mutant_len = sizeof current_mutant - 1;
}

static void say_current_mutant(void) {
  if (current_mutant_len) {
    ssize_t unused = write(STDERR_FILENO, current_mutant, current_mutant_len);
    (void)unused;
  }
}

enum { NCRASH_SIGNALS = 5 };
static const int crash_signals[NCRASH_SIGNALS] = {SIGSEGV, SIGBUS, SIGILL,
                                                  SIGFPE, SIGABRT};
static struct sigaction previous_actions[NCRASH_SIGNALS];

/* Names the mutant, then puts the previous disposition back and returns:
 * the fault happens again and the previous handler (a sanitizer's, or the
 * default action) deals with it. The runtime installs its trap handler
 * after this one and only chains here for faults outside wasm code. */
static void on_crash_signal(int sig) {
  say_current_mutant();
  for (int i = 0; i < NCRASH_SIGNALS; i++)
    if (crash_signals[i] == sig)
      sigaction(sig, &previous_actions[i], NULL);
  if (sig == SIGABRT) raise(sig);
}

static void install_crash_reporting(void) {
  for (int i = 0; i < NCRASH_SIGNALS; i++) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_crash_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_ONSTACK;
    sigaction(crash_signals[i], &sa, &previous_actions[i]);
  }
#ifdef MUTATE_SANITIZED
  __sanitizer_set_death_callback(say_current_mutant);
#endif
}

/* ---- running a mutant in a child ----------------------------------------- */

static void arm_timer(long ms) {
  struct itimerval t;
  memset(&t, 0, sizeof t);
  t.it_value.tv_sec = ms / 1000;
  t.it_value.tv_usec = (ms % 1000) * 1000;
  setitimer(ITIMER_REAL, &t, NULL);
}

/* Calls export f with zeros of its parameter types; true if it trapped. */
static bool call_with_zeros(wrun_store *store, const wrun_func *f,
                            long timeout_ms) {
  size_t nparams = wrun_func_param_count(f);
  size_t nresults = wrun_func_result_count(f);
  wrun_val *args = calloc(nparams + 1, sizeof *args);
  wrun_val *results = calloc(nresults + 1, sizeof *results);
  if (!args || !results) _exit(CHILD_UNLINKABLE);
  for (size_t k = 0; k < nparams; k++)
    args[k] = fuzz_zero_of(wrun_func_param_type(f, k));
  arm_timer(timeout_ms);
  wrun_trap *trap = wrun_func_call(store, f, args, nparams, results,
                                   nresults);
  arm_timer(0);
  free(args);
  free(results);
  wrun_trap_delete(trap);
  return trap != NULL;
}

/* The child's whole life: instantiate, call every exported function, and
 * report through the exit code. Never returns. */
static void run_mutant_child(wrun_engine *engine, const wrun_module *m,
                             long timeout_ms) {
  wrun_store *store = wrun_store_new(engine);
  if (!store) _exit(CHILD_UNLINKABLE);
  wrun_store_set_max_memory(store, CHILD_MAX_MEMORY);
  size_t nimports = wrun_module_import_count(m);
  wrun_extern *imports = calloc(nimports + 1, sizeof *imports);
  if (!imports) _exit(CHILD_UNLINKABLE);
  for (size_t i = 0; i < nimports; i++)
    if (!fuzz_stub_import(store, m, i, &imports[i])) _exit(CHILD_UNLINKABLE);

  wrun_instance *inst = NULL;
  wrun_error *error = NULL;
  wrun_trap *trap = NULL;
  arm_timer(timeout_ms); /* the start function may loop too */
  wrun_instance_new(store, m, imports, nimports, &inst, &error, &trap);
  arm_timer(0);
  if (error) _exit(CHILD_UNLINKABLE);
  if (trap) _exit(CHILD_TRAPPED);

  bool trapped = false;
  size_t nexports = wrun_instance_export_count(inst);
  for (size_t i = 0; i < nexports; i++) {
    size_t len = 0;
    const char *name = wrun_instance_export_name_n(inst, i, &len);
    wrun_extern ext;
    if (!name || !wrun_instance_export_n(inst, name, len, &ext)) continue;
    if (ext.kind != WRUN_EXTERN_FUNC) continue;
    trapped |= call_with_zeros(store, ext.of.func, timeout_ms);
  }
  /* _exit: the leak checker would scan every child, which costs far more
   * than the mutant; the parent's own exit checks the compile paths. */
  _exit(trapped ? CHILD_TRAPPED : CHILD_RAN);
}

static void describe_status(const char *file, size_t offset, uint8_t from,
                            uint8_t to, int status) {
  fprintf(stderr, "mutate: CRASH: %s byte %zu: 0x%02x -> 0x%02x: ", file,
          offset, from, to);
  if (WIFSIGNALED(status))
    fprintf(stderr, "killed by signal %d (%s)\n", WTERMSIG(status),
            strsignal(WTERMSIG(status)));
  else
    fprintf(stderr, "exit status %d\n", WEXITSTATUS(status));
}

/* Runs a compiled module in a child and counts the outcome. */
static void run_compiled(wrun_engine *engine, const wrun_module *m,
                         const options *opt, const char *file, size_t offset,
                         uint8_t from, uint8_t to, counts *c) {
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) {
    perror("mutate: fork");
    exit(2);
  }
  if (pid == 0) run_mutant_child(engine, m, opt->timeout_ms);

  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) {
      perror("mutate: waitpid");
      exit(2);
    }
  if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_RAN) {
    c->ran++;
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_TRAPPED) {
    c->trapped++;
  } else if (WIFEXITED(status) && WEXITSTATUS(status) == CHILD_UNLINKABLE) {
    c->unlinkable++;
  } else if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
    c->timed_out++;
    if (opt->verbose)
      fprintf(stderr, "mutate: timed out: %s byte %zu: 0x%02x -> 0x%02x\n",
              file, offset, from, to);
  } else {
    c->crashed++;
    describe_status(file, offset, from, to, status);
  }
}

/* ---- mutants --------------------------------------------------------------- */

enum { NREPLACEMENTS = 6 };

/* The replacement values tried at a byte: the extremes, one low and one
 * high bit flipped (LEB continuation bits, small counts and indices),
 * and the two opcodes most likely to make a body mean something else:
 * end (0x0B) and i32.const (0x41). */
static void replacements_for(uint8_t b, uint8_t out[NREPLACEMENTS]) {
  out[0] = 0x00;
  out[1] = 0xFF;
  out[2] = b ^ 0x01;
  out[3] = b ^ 0x80;
  out[4] = 0x0B;
  out[5] = 0x41;
}

/* True if v is the original byte or was already tried at this position. */
static bool already_tried(uint8_t original, const uint8_t *values, int k) {
  if (values[k] == original) return true;
  for (int j = 0; j < k; j++)
    if (values[j] == values[k]) return true;
  return false;
}

static void try_mutant(wrun_engine *engine, const options *opt,
                       const char *file, uint8_t *bytes, size_t len,
                       size_t offset, uint8_t to, counts *c) {
  uint8_t from = bytes[offset];
  set_current_mutant(file, offset, from, to);
  bytes[offset] = to;
  c->mutants++;
  wrun_module *m = NULL;
  wrun_error *error = wrun_module_new(engine, bytes, len, &m);
  if (error) {
    c->rejected++;
    wrun_error_delete(error);
  } else {
    run_compiled(engine, m, opt, file, offset, from, to, c);
    wrun_module_delete(m);
  }
  bytes[offset] = from;
}

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *bytes = NULL;
  long size = -1;
  if (fseek(f, 0, SEEK_END) == 0) size = ftell(f);
  if (size >= 0 && fseek(f, 0, SEEK_SET) == 0) {
    bytes = malloc((size_t)size + 1);
    if (bytes && fread(bytes, 1, (size_t)size, f) != (size_t)size) {
      free(bytes);
      bytes = NULL;
    }
  }
  fclose(f);
  *len = (size_t)(size > 0 ? size : 0);
  return bytes;
}

/* The unmutated input must compile and instantiate: otherwise the corpus,
 * not the runtime, is broken and every mutant would be a trivial reject. */
static bool check_original(wrun_engine *engine, const options *opt,
                           const char *file, const uint8_t *bytes,
                           size_t len) {
  wrun_module *m = NULL;
  wrun_error *error = wrun_module_new(engine, bytes, len, &m);
  if (error) {
    fprintf(stderr, "mutate: %s is rejected: %s\n", file,
            wrun_error_message(error));
    wrun_error_delete(error);
    return false;
  }
  counts c = {0};
  run_compiled(engine, m, opt, file, 0, bytes[0], bytes[0], &c);
  wrun_module_delete(m);
  if (c.ran + c.trapped != 1) {
    fprintf(stderr, "mutate: %s does not run cleanly unmutated\n", file);
    return false;
  }
  return true;
}

static bool mutate_file(wrun_engine *engine, const options *opt,
                        const char *file, counts *total) {
  size_t len;
  uint8_t *bytes = read_file(file, &len);
  if (!bytes || len == 0) {
    fprintf(stderr, "mutate: cannot read %s\n", file);
    free(bytes);
    return false;
  }
  if (!check_original(engine, opt, file, bytes, len)) {
    free(bytes);
    return false;
  }
  counts c = {0};
  for (size_t offset = 0; offset < len; offset++) {
    if (opt->exhaustive) {
      for (unsigned v = 0; v < 256; v++)
        if (v != bytes[offset])
          try_mutant(engine, opt, file, bytes, len, offset, (uint8_t)v, &c);
      continue;
    }
    uint8_t values[NREPLACEMENTS];
    replacements_for(bytes[offset], values);
    for (int k = 0; k < NREPLACEMENTS; k++)
      if (!already_tried(bytes[offset], values, k))
        try_mutant(engine, opt, file, bytes, len, offset, values[k], &c);
  }
  free(bytes);
  printf("%s: %lu mutants: %lu rejected, %lu ran, %lu trapped, "
         "%lu timed out\n",
         file, c.mutants, c.rejected + c.unlinkable, c.ran, c.trapped,
         c.timed_out);
  total->mutants += c.mutants;
  total->rejected += c.rejected;
  total->unlinkable += c.unlinkable;
  total->ran += c.ran;
  total->trapped += c.trapped;
  total->timed_out += c.timed_out;
  total->crashed += c.crashed;
  return true;
}

/* ---- main ------------------------------------------------------------------ */

static int usage(void) {
  fprintf(stderr,
          "usage: mutate [--timeout-ms N] [--exhaustive] [--verbose] "
          "FILE.wasm...\n");
  return 2;
}

static double seconds_since(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) +
         (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int main(int argc, char **argv) {
  options opt = {.timeout_ms = 500, .exhaustive = false, .verbose = false};
  int first = 1;
  for (; first < argc && strncmp(argv[first], "--", 2) == 0; first++) {
    if (strcmp(argv[first], "--verbose") == 0) {
      opt.verbose = true;
    } else if (strcmp(argv[first], "--exhaustive") == 0) {
      opt.exhaustive = true;
    } else if (strcmp(argv[first], "--timeout-ms") == 0 && first + 1 < argc) {
      opt.timeout_ms = strtol(argv[++first], NULL, 10);
      if (opt.timeout_ms <= 0) return usage();
    } else {
      return usage();
    }
  }
  if (first == argc) return usage();

  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  install_crash_reporting();
  wrun_engine *engine = wrun_engine_new();
  if (!engine) {
    fprintf(stderr, "mutate: no engine\n");
    return 2;
  }
  counts total = {0};
  bool inputs_ok = true;
  for (int i = first; i < argc; i++)
    inputs_ok &= mutate_file(engine, &opt, argv[i], &total);
  wrun_engine_delete(engine);

  printf("%lu mutants: %lu rejected, %lu ran, %lu trapped, %lu timed out "
         "(%lu of the rejected at instantiation); %.1f s\n",
         total.mutants, total.rejected + total.unlinkable, total.ran,
         total.trapped, total.timed_out, total.unlinkable,
         seconds_since(&start));
  if (total.crashed) {
    printf("%lu mutants CRASHED (listed above)\n", total.crashed);
    return 1;
  }
  return inputs_ok ? 0 : 1;
}
