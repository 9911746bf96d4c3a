/* `wrun wast`: the spec-test runner's driver.
 *
 * Two front ends read a script into commands (wast_cmd.h) for one
 * executor (wast_exec.c): the native script parser (wast_script.c) for
 * scripts whose modules are all binary, as in the Wasm 3.0 suite, and
 * wabt's `wast2json` (wast_json.c) for scripts with text-format modules
 * (the Wasm 2.0 suite), which cannot be compiled without a text-format
 * assembler. A script is parsed natively first; the parser stops at the
 * first module that needs converting, and the script then goes through
 * wast2json into a fresh temporary directory, removed before any wasm
 * runs. */
#include "wast.h"

#include <jansson.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wast_exec.h"
#include "wast_json.h"
#include "wast_script.h"
#include "wrun.h"
#include "xfail.h"

extern char **environ;

#define MSG_SIZE WAST_MSG_SIZE

/* The binary modules wast2json wrote, read into memory right away so that
 * the temporary directory is gone before any wasm runs (a crash or a
 * SIGPIPE while running must not leave it behind). */
typedef struct wasm_files {
  wast_module_file *items;
  size_t count, capacity;
} wasm_files;

static void set_msg(char *msg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void set_msg(char *msg, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, MSG_SIZE, fmt, ap);
  va_end(ap);
}

bool cli_read_file(const char *path, uint8_t **bytes, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return false;
  size_t cap = 4096, used = 0;
  uint8_t *buf = malloc(cap);
  while (buf) {
    used += fread(buf + used, 1, cap - used, f);
    if (used < cap)
      break;
    uint8_t *grown = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
    if (!grown) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = grown;
    cap *= 2;
  }
  bool ok = buf && !ferror(f);
  int saved = ok ? 0 : (buf ? EIO : ENOMEM);
  fclose(f);
  if (!ok) {
    free(buf);
    errno = saved;
    return false;
  }
  *bytes = buf;
  *len = used;
  return true;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* ---- temporary directory and wast2json ------------------------------------ */

static void remove_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *ent;
    char path[PATH_MAX];
    while ((ent = readdir(d)) != NULL) {
      if (strcmp(ent->d_name, ".") == 0 || strcmp(ent->d_name, "..") == 0)
        continue;
      int n = snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
      if (n > 0 && (size_t)n < sizeof path)
        unlink(path);
    }
    closedir(d);
  }
  rmdir(dir);
}

/* Runs `wast2json FILE -o JSON`; on failure explains why in msg. */
static bool run_wast2json(const char *wast, const char *json, char *msg) {
  char *argv[] = {"wast2json", (char *)wast, "-o", (char *)json, NULL};
  pid_t pid;
  int rc = posix_spawnp(&pid, "wast2json", NULL, NULL, argv, environ);
  if (rc == ENOENT) {
    set_msg(msg, "wast2json not found on PATH (install wabt)");
    return false;
  }
  if (rc != 0) {
    set_msg(msg, "cannot run wast2json: %s", strerror(rc));
    return false;
  }
  int status;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      set_msg(msg, "waiting for wast2json: %s", strerror(errno));
      return false;
    }
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return true;
  /* posix_spawnp may report a missing program only through the child. */
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    set_msg(msg, "wast2json not found on PATH (install wabt)");
  else
    set_msg(msg, "wast2json failed on %s", wast);
  return false;
}

static json_t *parse_json(const char *text, size_t len, char *msg) {
  /* JSON_ALLOW_NUL: export and module names may contain "\u0000". */
  json_error_t error;
  json_t *json = json_loadb(text, len, JSON_ALLOW_NUL, &error);
  if (!json)
    set_msg(msg, "cannot parse wast2json output: %s (line %d)", error.text,
            error.line);
  return json;
}

static json_t *load_json(const char *path, char *msg) {
  uint8_t *bytes;
  size_t len;
  if (!cli_read_file(path, &bytes, &len)) {
    set_msg(msg, "cannot read wast2json output: %s", strerror(errno));
    return NULL;
  }
  json_t *json = parse_json((const char *)bytes, len, msg);
  free(bytes);
  return json;
}

static void wasm_files_free(wasm_files *files) {
  for (size_t i = 0; i < files->count; i++) {
    free((char *)files->items[i].name);
    free((uint8_t *)files->items[i].bytes);
  }
  free(files->items);
  *files = (wasm_files){0};
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool have_file(const wasm_files *files, const char *name) {
  for (size_t i = 0; i < files->count; i++)
    if (strcmp(files->items[i].name, name) == 0)
      return true;
  return false;
}

static bool wasm_files_add(wasm_files *files, const char *dir,
                           const char *name, char *msg) {
  if (files->count == files->capacity) {
    size_t cap = files->capacity ? files->capacity * 2 : 64;
    wast_module_file *grown = realloc(files->items, cap * sizeof *grown);
    if (!grown) {
      set_msg(msg, "out of memory");
      return false;
    }
    files->items = grown;
    files->capacity = cap;
  }
  char path[PATH_MAX];
  int n = snprintf(path, sizeof path, "%s/%s", dir, name);
  if (n < 0 || (size_t)n >= sizeof path) {
    set_msg(msg, "path of %s too long", name);
    return false;
  }
  uint8_t *bytes;
  size_t len;
  if (!cli_read_file(path, &bytes, &len)) {
    set_msg(msg, "cannot read %s: %s", name, strerror(errno));
    return false;
  }
  char *copy = strdup(name);
  if (!copy) {
    free(bytes);
    set_msg(msg, "out of memory");
    return false;
  }
  files->items[files->count++] =
      (wast_module_file){.name = copy, .bytes = bytes, .len = len};
  return true;
}

/* Reads every binary module the commands name (text ones are skipped). */
static bool preload_modules(const json_t *commands, const char *dir,
                            wasm_files *files, char *msg) {
  const json_t *cmd;
  size_t cmd_index;
  json_array_foreach(commands, cmd_index, cmd) {
    const json_t *item = json_object_get(cmd, "filename");
    const char *name = json_is_string(item) ? json_string_value(item) : NULL;
    if (!name || !ends_with(name, ".wasm") || have_file(files, name))
      continue;
    if (!wasm_files_add(files, dir, name, msg))
      return false;
  }
  return true;
}

/* wast2json into dir, then everything it wrote into memory. */
static json_t *translate_script(const char *wast, const char *dir,
                               wasm_files *files, char *msg) {
  char json_path[PATH_MAX];
  int n = snprintf(json_path, sizeof json_path, "%s/script.json", dir);
  if (n < 0 || (size_t)n >= sizeof json_path) {
    set_msg(msg, "temporary directory name too long");
    return NULL;
  }
  if (!run_wast2json(wast, json_path, msg))
    return NULL;
  json_t *json = load_json(json_path, msg);
  if (!json)
    return NULL;
  const json_t *commands = json_object_get(json, "commands");
  if (!json_is_array(commands)) {
    set_msg(msg, "wast2json output has no command list");
  } else if (preload_modules(commands, dir, files, msg)) {
    return json;
  }
  json_decref(json);
  return NULL;
}

/* The script through wast2json, in a fresh temporary directory removed
 * before returning, into cmds (pointing into files). */
static bool convert_script(const char *wast, wasm_files *files,
                           wast_cmds *cmds, char *msg) {
  const char *tmp = getenv("TMPDIR");
  char dir[PATH_MAX];
  int n = snprintf(dir, sizeof dir, "%s/wrun-wast-XXXXXX",
                   tmp && *tmp ? tmp : "/tmp");
  if (n < 0 || (size_t)n >= sizeof dir || !mkdtemp(dir)) {
    set_msg(msg, "cannot create a temporary directory: %s",
            strerror(errno));
    return false;
  }
  json_t *json = translate_script(wast, dir, files, msg);
  remove_dir(dir);
  if (!json)
    return false;
  bool ok = wast_json_commands(json_object_get(json, "commands"),
                               files->items, files->count, cmds);
  json_decref(json);
  if (!ok)
    set_msg(msg, "out of memory");
  return ok;
}

/* Reads a script with the front end it needs (see the top of the file). */
static bool load_script(const char *wast, wasm_files *files, wast_cmds *cmds,
                        char *msg) {
  uint8_t *text;
  size_t len;
  if (!cli_read_file(wast, &text, &len)) {
    set_msg(msg, "cannot read %s: %s", wast, strerror(errno));
    return false;
  }
  unsigned text_line = 0;
  wast_parse_status status =
      wast_parse_script((const char *)text, len, cmds, &text_line);
  free(text);
  if (status == WAST_PARSE_OK)
    return true;
  if (status == WAST_PARSE_NO_MEMORY) {
    set_msg(msg, "out of memory");
    return false;
  }
  return convert_script(wast, files, cmds, msg);
}

static void run_script(const char *wast, wrun_engine *engine,
                       const wast_options *opts, xfail_list *xfail,
                       wast_totals *totals) {
  char msg[MSG_SIZE] = "";
  wasm_files files = {0};
  wast_cmds cmds = {0};
  wast_script s = {.base = base_name(wast), .opts = opts, .totals = totals,
                   .xfail = xfail, .engine = engine};
  bool ran = load_script(wast, &files, &cmds, msg) &&
             wast_script_open(&s, msg);
  if (ran)
    wast_script_run(&s, &cmds);
  else
    wast_script_fail(&s, msg);
  wast_script_close(&s);
  wast_cmds_free(&cmds);
  wasm_files_free(&files);
  wast_script_finish(&s);
}

/* ---- from memory (the fuzz targets) ------------------------------------------ */

/* Runs commands read by one of the front ends as a script "fuzz.wast". */
static int run_in_memory(wrun_engine *engine, const wast_cmds *cmds,
                         wast_store_hook hook, void *hook_arg) {
  char msg[MSG_SIZE] = "";
  wast_options opts = {.quiet = true, .store_hook = hook,
                       .store_hook_arg = hook_arg};
  wast_totals totals = {0};
  wast_script s = {.base = "fuzz.wast", .opts = &opts, .totals = &totals,
                   .engine = engine};
  int failed = -1;
  if (wast_script_open(&s, msg)) {
    wast_script_run(&s, cmds);
    failed = (int)totals.failed;
  }
  wast_script_close(&s);
  return failed;
}

int wast_run_json(wrun_engine *engine, const char *json_text, size_t len,
                  const wast_module_file *modules, size_t nmodules,
                  wast_store_hook hook, void *hook_arg) {
  char msg[MSG_SIZE] = "";
  json_t *json = parse_json(json_text, len, msg);
  const json_t *commands = json_object_get(json, "commands");
  int failed = -1;
  wast_cmds cmds = {0};
  if (json_is_array(commands) &&
      wast_json_commands(commands, modules, nmodules, &cmds))
    failed = run_in_memory(engine, &cmds, hook, hook_arg);
  wast_cmds_free(&cmds);
  json_decref(json);
  return failed;
}

int wast_run_script(wrun_engine *engine, const char *text, size_t len,
                    wast_store_hook hook, void *hook_arg) {
  wast_cmds cmds = {0};
  unsigned text_line;
  int failed = -1;
  if (wast_parse_script(text, len, &cmds, &text_line) == WAST_PARSE_OK)
    failed = run_in_memory(engine, &cmds, hook, hook_arg);
  wast_cmds_free(&cmds);
  return failed;
}

/* ---- without signals ----------------------------------------------------- */

static const int trap_signals[] = {SIGSEGV, SIGBUS, SIGILL};
#define NTRAP_SIGNALS (sizeof trap_signals / sizeof trap_signals[0])

/* --no-signals: the default actions from the start, so that a trap that
 * still arrived by a signal would kill the runner. */
static void default_trap_signals(void) {
  for (size_t k = 0; k < NTRAP_SIGNALS; k++) signal(trap_signals[k], SIG_DFL);
}

/* ... and still the default actions at the end: wrun installed nothing. */
static unsigned count_installed_handlers(void) {
  unsigned n = 0;
  for (size_t k = 0; k < NTRAP_SIGNALS; k++) {
    struct sigaction sa;
    if (sigaction(trap_signals[k], NULL, &sa) != 0 ||
        (sa.sa_flags & SA_SIGINFO) || sa.sa_handler != SIG_DFL) {
      fprintf(stderr, "wrun wast: --no-signals, yet a handler for signal %d "
                      "was installed\n", trap_signals[k]);
      n++;
    }
  }
  return n;
}

/* ---- command line -------------------------------------------------------- */

static void wast_usage(FILE *out) {
  fprintf(out,
          "usage: wrun wast [--xfail LIST] [--quiet] [--verbose]\n"
          "                 [--deterministic] [--fuel] [--bounds-checks]\n"
          "                 [--no-signals] FILE.wast...\n"
          "  --xfail LIST  expected failures, one `FILE.wast:LINE reason` a "
          "line\n"
          "                (`FILE.wast:* reason`: any command of the file)\n"
          "  --quiet       do not print expected failures (XFAIL lines)\n"
          "  --verbose     name skipped commands; spectest.print* prints\n"
          "  --deterministic\n"
          "                compile in deterministic mode: canonical NaN\n"
          "                results (nan:canonical/arithmetic still match)\n"
          "  --fuel        compile with fuel metering (stores get the most\n"
          "                fuel there is: results must not change)\n"
          "  --bounds-checks\n"
          "                check every memory access against the size, with\n"
          "                the smallest guard (64 KiB): results must not\n"
          "                change\n"
          "  --no-signals  trap without signals (calls into wrun, exact\n"
          "                bounds checks); with it the runner also restores\n"
          "                the default action of SIGSEGV, SIGBUS and SIGILL,\n"
          "                so any trap by a signal kills it\n"
          "  --jobs N      compile on N threads (default 0: one per CPU)\n");
}

int wast_main(int argc, char **argv) {
  wast_options opts = {0};
  int i = 0;
  for (; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "--xfail") == 0 && i + 1 < argc) {
      opts.xfail_path = argv[++i];
    } else if (strcmp(argv[i], "--quiet") == 0) {
      opts.quiet = true;
    } else if (strcmp(argv[i], "--verbose") == 0) {
      opts.verbose = true;
    } else if (strcmp(argv[i], "--deterministic") == 0) {
      opts.deterministic = true;
    } else if (strcmp(argv[i], "--fuel") == 0) {
      opts.fuel = true;
    } else if (strcmp(argv[i], "--bounds-checks") == 0) {
      opts.bounds_checks = true;
    } else if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc) {
      char *end;
      unsigned long jobs = strtoul(argv[++i], &end, 10);
      if (*end || end == argv[i] || argv[i][0] == '-' || jobs > 4096) {
        fprintf(stderr, "wrun wast: --jobs: \"%s\" is not a number of "
                "threads (0 to 4096)\n", argv[i]);
        return 1;
      }
      opts.jobs = (unsigned)jobs;
    } else if (strcmp(argv[i], "--no-signals") == 0) {
      opts.no_signals = true;
    } else if (strcmp(argv[i], "--help") == 0) {
      wast_usage(stdout);
      return 0;
    } else if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    } else {
      fprintf(stderr, "wrun wast: unknown option %s\n", argv[i]);
      wast_usage(stderr);
      return 1;
    }
  }
  if (i == argc) {
    wast_usage(stderr);
    return 1;
  }

  xfail_list xfail = {0};
  char err[512];
  if (opts.xfail_path && !xfail_load(&xfail, opts.xfail_path, err,
                                     sizeof err)) {
    fprintf(stderr, "wrun wast: %s\n", err);
    return 1;
  }
  wrun_config *config = wrun_config_new();
  wrun_engine *engine = NULL;
  if (config) {
    wrun_config_consume_fuel(config, opts.fuel);
    wrun_config_deterministic(config, opts.deterministic);
    wrun_config_jobs(config, opts.jobs);
    if (opts.bounds_checks) {
      wrun_config_bounds_checks(config, true);
      wrun_config_memory_guard(config, 65536);
    }
    wrun_config_signals_based_traps(config, !opts.no_signals);
    engine = wrun_engine_new_with_config(config);
    wrun_config_delete(config);
  }
  if (!engine) {
    fprintf(stderr, "wrun wast: cannot create an engine\n");
    xfail_free(&xfail);
    return 1;
  }
  wast_totals totals = {0};
  if (opts.no_signals) default_trap_signals();
  for (; i < argc; i++)
    run_script(argv[i], engine, &opts, opts.xfail_path ? &xfail : NULL,
               &totals);
  wrun_engine_delete(engine);
  xfail_free(&xfail);
  if (opts.no_signals) totals.failed += count_installed_handlers();

  if (totals.xfailed)
    printf("xfail: %u expected failures\n", totals.xfailed);
  printf("%u passed, %u failed, %u skipped\n", totals.passed, totals.failed,
         totals.skipped);
  fflush(stdout);
  return totals.failed ? 1 : 0;
}
