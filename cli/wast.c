/* `wrun wast`: the spec-test runner.
 *
 * Each script goes through `wast2json` (wabt) into a fresh temporary
 * directory; the JSON command list is then run in order against one store
 * per script, through the public API only. Every command counts once as
 * passed, failed or skipped. Commands the runner cannot judge are skipped:
 * text-format modules of assert_malformed/assert_invalid, and anything that
 * needs a module the engine refused because it has no SIMD code generation
 * at all on this host ("SIMD code generation not supported yet"; a SIMD
 * backend missing one instruction reports an ordinary compile error, which
 * fails here, see jit/jit.h). Everything else that does not pass is a
 * failure. */
#include "wast.h"

#include <jansson.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spectest.h"
#include "wast_values.h"
#include "wrun.h"
#include "xfail.h"

extern char **environ;

#define SIMD_REFUSAL "SIMD code generation not supported yet"
#define MSG_SIZE 1024

typedef enum outcome { OUTCOME_PASS, OUTCOME_FAIL, OUTCOME_SKIP } outcome;

typedef struct wast_options {
  const char *xfail_path;
  bool quiet;   /* no XFAIL lines */
  bool verbose; /* spectest prints, skipped commands are named */
  bool deterministic; /* canonical NaNs (wrun_config_deterministic) */
  bool fuel;    /* compile with fuel charges, every store nearly full */
  wast_store_hook store_hook; /* around each command, or NULL */
  void *store_hook_arg;
} wast_options;

typedef struct wast_totals {
  unsigned passed, failed, skipped, xfailed;
} wast_totals;

/* Whether the module of a `module` command is usable. */
typedef enum module_state {
  MODULE_NONE,        /* no module command yet */
  MODULE_READY,
  MODULE_SIMD_SKIPPED,
  MODULE_BROKEN,      /* failed to compile or instantiate: a failure */
} module_state;

typedef struct module_slot {
  char *name;         /* "$name" from the script, or NULL */
  size_t name_len;
  wrun_instance *instance;
  module_state state;
  unsigned line;
} module_slot;

/* The binary modules wast2json wrote, read into memory right away so that
 * the temporary directory is gone before any wasm runs (a crash or a
 * SIGPIPE while running must not leave it behind). */
typedef struct wasm_file {
  char *name;
  uint8_t *bytes;
  size_t len;
} wasm_file;

typedef struct wasm_files {
  wasm_file *items;
  size_t count, capacity;
} wasm_files;

/* State of one script. */
typedef struct wast_script {
  const char *base;   /* base name of the .wast, used in messages */
  const wasm_files *files; /* the script's modules, preloaded */
  const wast_options *opts;
  wast_totals *totals;
  xfail_list *xfail;
  wrun_engine *engine;
  wrun_store *store;
  wrun_linker *linker;
  wrun_module **modules; /* every compiled module, freed after the store */
  size_t nmodules, modules_cap;
  module_slot *named;
  size_t nnamed, named_cap;
  module_slot current;
  unsigned line;      /* of the command being run */
} wast_script;

/* ---- small utilities ----------------------------------------------------- */

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

/* A string member of obj, or NULL. Its text is NUL-terminated but may hold
 * NULs of its own (the JSON is decoded with JSON_ALLOW_NUL): use
 * string_field_n where the exact bytes matter. */
static const char *string_field_n(const json_t *obj, const char *key,
                                  size_t *len) {
  const json_t *item = json_object_get(obj, key);
  if (!json_is_string(item))
    return NULL;
  *len = json_string_length(item);
  return json_string_value(item);
}

static const char *string_field(const json_t *obj, const char *key) {
  size_t len;
  return string_field_n(obj, key, &len);
}

/* A script name (module, register or export name) of exact length. */
typedef struct wast_name {
  const char *bytes; /* NULL when absent */
  size_t len;
} wast_name;

static wast_name name_field(const json_t *obj, const char *key) {
  wast_name n = {0};
  n.bytes = string_field_n(obj, key, &n.len);
  return n;
}

static bool same_name(const char *a, size_t alen, wast_name b) {
  return alen == b.len && memcmp(a, b.bytes, alen) == 0;
}

static bool is_simd_refusal(const wrun_error *e) {
  return strstr(wrun_error_message(e), SIMD_REFUSAL) != NULL;
}

static void describe_error(const wrun_error *e, char *buf, size_t size) {
  size_t offset = wrun_error_offset(e);
  if (offset == SIZE_MAX)
    snprintf(buf, size, "%s", wrun_error_message(e));
  else
    snprintf(buf, size, "%s (at byte offset %zu)", wrun_error_message(e),
             offset);
}

/* A module that should have compiled did not: SKIP for the explicit SIMD
 * refusal, FAIL for anything else. Says why in msg; frees err. */
static outcome compile_error_outcome(wrun_error *err, char *msg) {
  outcome result = OUTCOME_FAIL;
  if (is_simd_refusal(err)) {
    set_msg(msg, "%s", SIMD_REFUSAL);
    result = OUTCOME_SKIP;
  } else {
    char why[512];
    describe_error(err, why, sizeof why);
    set_msg(msg, "compile error: %s", why);
  }
  wrun_error_delete(err);
  return result;
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

/* ---- results ------------------------------------------------------------ */

static void record(wast_script *s, unsigned line, const char *command,
                   outcome result, const char *msg) {
  if (result == OUTCOME_PASS) {
    s->totals->passed++;
    return;
  }
  if (result == OUTCOME_SKIP) {
    s->totals->skipped++;
    if (s->opts->verbose)
      printf("SKIP %s:%u: %s: %s\n", s->base, line, command, msg);
    return;
  }
  xfail_entry *expected = s->xfail ? xfail_find(s->xfail, s->base, line)
                                   : NULL;
  if (expected) {
    expected->failed = true;
    s->totals->xfailed++;
    if (!s->opts->quiet)
      printf("XFAIL %s:%u: %s: %s\n", s->base, line, command, msg);
    return;
  }
  s->totals->failed++;
  printf("%s:%u: %s: %s\n", s->base, line, command, msg);
}

/* Listed entries of this script that did not fail have been fixed (or no
 * longer exist): the list must shrink. */
static void report_xpasses(wast_script *s) {
  if (!s->xfail)
    return;
  for (size_t i = 0; i < s->xfail->count; i++) {
    xfail_entry *e = &s->xfail->entries[i];
    if (e->failed || strcmp(e->file, s->base) != 0)
      continue;
    printf("XPASS %s:%u: remove it from the expected-failure list\n",
           e->file, e->line);
    s->totals->failed++;
  }
}

/* ---- modules ------------------------------------------------------------- */

static bool keep_module(wast_script *s, wrun_module *m) {
  if (s->nmodules == s->modules_cap) {
    size_t cap = s->modules_cap ? s->modules_cap * 2 : 16;
    wrun_module **grown = realloc(s->modules, cap * sizeof *grown);
    if (!grown)
      return false;
    s->modules = grown;
    s->modules_cap = cap;
  }
  s->modules[s->nmodules++] = m;
  return true;
}

static module_slot *find_named(wast_script *s, wast_name name) {
  /* Latest definition wins when a name is reused. */
  for (size_t i = s->nnamed; i-- > 0;)
    if (same_name(s->named[i].name, s->named[i].name_len, name))
      return &s->named[i];
  return NULL;
}

static void remember_named(wast_script *s, wast_name name,
                           const module_slot *slot) {
  if (s->nnamed == s->named_cap) {
    size_t cap = s->named_cap ? s->named_cap * 2 : 8;
    module_slot *grown = realloc(s->named, cap * sizeof *grown);
    if (!grown)
      return;
    s->named = grown;
    s->named_cap = cap;
  }
  char *copy = malloc(name.len + 1);
  if (!copy)
    return;
  memcpy(copy, name.bytes, name.len);
  copy[name.len] = '\0';
  s->named[s->nnamed] = *slot;
  s->named[s->nnamed].name = copy;
  s->named[s->nnamed].name_len = name.len;
  s->nnamed++;
}

static const wasm_file *find_wasm_file(const wasm_files *files,
                                       const char *name) {
  for (size_t i = 0; i < files->count; i++)
    if (strcmp(files->items[i].name, name) == 0)
      return &files->items[i];
  return NULL;
}

/* Compiles the .wasm that wast2json wrote for a command. The module is
 * kept for the rest of the script; *error is the compile error. */
static bool compile_file(wast_script *s, const json_t *cmd,
                         wrun_module **out, wrun_error **error, char *msg) {
  const char *filename = string_field(cmd, "filename");
  if (!filename) {
    set_msg(msg, "command without \"filename\"");
    return false;
  }
  const wasm_file *file = find_wasm_file(s->files, filename);
  if (!file) {
    set_msg(msg, "wast2json wrote no %s", filename);
    return false;
  }
  *out = NULL;
  *error = wrun_module_new(s->engine, file->bytes, file->len, out);
  if (!*error && !keep_module(s, *out)) {
    wrun_module_delete(*out);
    *out = NULL;
    set_msg(msg, "out of memory");
    return false;
  }
  return true;
}

static outcome command_module(wast_script *s, const json_t *cmd, char *msg) {
  wast_name name = name_field(cmd, "name");
  module_slot slot = {.state = MODULE_BROKEN, .line = s->line};
  outcome result = OUTCOME_FAIL;
  wrun_module *m;
  wrun_error *err = NULL;
  if (!compile_file(s, cmd, &m, &err, msg)) {
    /* msg says why */
  } else if (err) {
    if (is_simd_refusal(err))
      slot.state = MODULE_SIMD_SKIPPED;
    result = compile_error_outcome(err, msg);
  } else {
    wrun_instance *inst = NULL;
    wrun_trap *trap = NULL;
    wrun_linker_instantiate(s->linker, m, &inst, &err, &trap);
    if (err) {
      char why[512];
      describe_error(err, why, sizeof why);
      set_msg(msg, "link error: %s", why);
      wrun_error_delete(err);
    } else if (trap) {
      set_msg(msg, "trap during instantiation: %s", wrun_trap_message(trap));
      wrun_trap_delete(trap);
    } else {
      slot.state = MODULE_READY;
      slot.instance = inst;
      result = OUTCOME_PASS;
    }
  }
  s->current = slot;
  if (name.bytes)
    remember_named(s, name, &slot);
  return result;
}

/* The instance a command refers to: by name or the current one. */
static outcome target_instance(wast_script *s, wast_name name,
                               wrun_instance **out, char *msg) {
  const module_slot *slot = &s->current;
  if (name.bytes) {
    slot = find_named(s, name);
    if (!slot) {
      set_msg(msg, "unknown module %s", name.bytes);
      return OUTCOME_FAIL;
    }
  }
  switch (slot->state) {
  case MODULE_READY:
    *out = slot->instance;
    return OUTCOME_PASS;
  case MODULE_SIMD_SKIPPED:
    set_msg(msg, "its module (line %u) was skipped: %s", slot->line,
            SIMD_REFUSAL);
    return OUTCOME_SKIP;
  case MODULE_BROKEN:
    set_msg(msg, "its module (line %u) failed to load", slot->line);
    return OUTCOME_FAIL;
  case MODULE_NONE:
    break;
  }
  set_msg(msg, "no module defined yet");
  return OUTCOME_FAIL;
}

static outcome command_register(wast_script *s, const json_t *cmd,
                                char *msg) {
  wast_name as = name_field(cmd, "as");
  if (!as.bytes) {
    set_msg(msg, "register without \"as\"");
    return OUTCOME_FAIL;
  }
  wrun_instance *inst;
  outcome found = target_instance(s, name_field(cmd, "name"), &inst, msg);
  if (found != OUTCOME_PASS)
    return found;
  wrun_linker_define_instance_n(s->linker, as.bytes, as.len, inst);
  return OUTCOME_PASS;
}

/* ---- actions ------------------------------------------------------------- */

/* What an invoke or get produced. */
typedef struct action_result {
  wrun_trap *trap;
  wrun_val *values;
  size_t count;
} action_result;

static void action_result_free(action_result *r) {
  if (r->trap)
    wrun_trap_delete(r->trap);
  free(r->values);
  *r = (action_result){0};
}

/* Collects the lane texts of a v128 value. */
static bool lane_texts(const json_t *list, const char **texts, size_t max,
                       size_t *count) {
  size_t n = 0;
  const json_t *lane;
  if (!json_is_array(list))
    return false;
  size_t lane_index;
  json_array_foreach(list, lane_index, lane) {
    if (n == max || !json_is_string(lane))
      return false;
    texts[n++] = json_string_value(lane);
  }
  *count = n;
  return true;
}

static bool parse_arg(const json_t *json, wrun_val *out) {
  wrun_valtype type;
  if (!wast_parse_valtype(string_field(json, "type"), &type))
    return false;
  const json_t *value = json_object_get(json, "value");
  if (type != WRUN_V128)
    return json_is_string(value) &&
           wast_parse_scalar(type, json_string_value(value), out);
  wast_lane_type lt;
  const char *lanes[16];
  size_t n;
  return wast_parse_lane_type(string_field(json, "lane_type"), &lt) &&
         lane_texts(value, lanes, 16, &n) &&
         wast_parse_v128(lt, lanes, n, out);
}

static bool parse_expected(const json_t *json, wast_expected *out) {
  wrun_valtype type;
  if (!wast_parse_valtype(string_field(json, "type"), &type))
    return false;
  const json_t *value = json_object_get(json, "value");
  if (type != WRUN_V128)
    return wast_parse_expected_scalar(
        type, json_is_string(value) ? json_string_value(value) : NULL, out);
  wast_lane_type lt;
  const char *lanes[16];
  size_t n;
  return wast_parse_lane_type(string_field(json, "lane_type"), &lt) &&
         lane_texts(value, lanes, 16, &n) &&
         wast_parse_expected_v128(lt, lanes, n, out);
}

static outcome invoke(wast_script *s, wrun_instance *inst,
                      const json_t *action, action_result *r, char *msg) {
  wast_name field = name_field(action, "field");
  wrun_extern ext;
  if (!field.bytes ||
      !wrun_instance_export_n(inst, field.bytes, field.len, &ext) ||
      ext.kind != WRUN_EXTERN_FUNC) {
    set_msg(msg, "no exported function \"%s\"",
            field.bytes ? field.bytes : "");
    return OUTCOME_FAIL;
  }
  const json_t *args = json_object_get(action, "args");
  size_t nargs = json_array_size(args);
  wrun_val *argv = calloc(nargs ? nargs : 1, sizeof *argv);
  r->count = wrun_func_result_count(ext.of.func);
  r->values = calloc(r->count ? r->count : 1, sizeof *r->values);
  if (!argv || !r->values) {
    free(argv);
    set_msg(msg, "out of memory");
    return OUTCOME_FAIL;
  }
  size_t i = 0;
  const json_t *arg;
  size_t arg_index;
  json_array_foreach(args, arg_index, arg) {
    if (!parse_arg(arg, &argv[i])) {
      free(argv);
      set_msg(msg, "cannot parse argument %zu", i);
      return OUTCOME_FAIL;
    }
    i++;
  }
  r->trap = wrun_func_call(s->store, ext.of.func, argv, nargs, r->values,
                           r->count);
  free(argv);
  return OUTCOME_PASS;
}

static outcome get_global(wrun_instance *inst, const json_t *action,
                          action_result *r, char *msg) {
  wast_name field = name_field(action, "field");
  wrun_extern ext;
  if (!field.bytes ||
      !wrun_instance_export_n(inst, field.bytes, field.len, &ext) ||
      ext.kind != WRUN_EXTERN_GLOBAL) {
    set_msg(msg, "no exported global \"%s\"",
            field.bytes ? field.bytes : "");
    return OUTCOME_FAIL;
  }
  r->values = calloc(1, sizeof *r->values);
  if (!r->values) {
    set_msg(msg, "out of memory");
    return OUTCOME_FAIL;
  }
  r->count = 1;
  wrun_global_get(ext.of.global, &r->values[0]);
  return OUTCOME_PASS;
}

/* Runs the command's action. PASS means it ran (it may have trapped). */
static outcome perform_action(wast_script *s, const json_t *cmd,
                              action_result *r, char *msg) {
  const json_t *action = json_object_get(cmd, "action");
  const char *kind = string_field(action, "type");
  if (!kind) {
    set_msg(msg, "command without an action");
    return OUTCOME_FAIL;
  }
  wrun_instance *inst;
  outcome found = target_instance(s, name_field(action, "module"), &inst,
                                  msg);
  if (found != OUTCOME_PASS)
    return found;
  if (strcmp(kind, "invoke") == 0)
    return invoke(s, inst, action, r, msg);
  if (strcmp(kind, "get") == 0)
    return get_global(inst, action, r, msg);
  set_msg(msg, "unknown action \"%s\"", kind);
  return OUTCOME_FAIL;
}

static outcome command_action(wast_script *s, const json_t *cmd, char *msg) {
  action_result r = {0};
  outcome result = perform_action(s, cmd, &r, msg);
  if (result == OUTCOME_PASS && r.trap) {
    set_msg(msg, "unexpected trap: %s", wrun_trap_message(r.trap));
    result = OUTCOME_FAIL;
  }
  action_result_free(&r);
  return result;
}

static outcome compare_results(const json_t *expected, const action_result *r,
                               char *msg) {
  size_t want = json_array_size(expected);
  if (want != r->count) {
    set_msg(msg, "expected %zu results, got %zu", want, r->count);
    return OUTCOME_FAIL;
  }
  size_t i = 0;
  const json_t *item;
  size_t item_index;
  json_array_foreach(expected, item_index, item) {
    wast_expected e;
    if (!parse_expected(item, &e)) {
      set_msg(msg, "cannot parse expected result %zu", i);
      return OUTCOME_FAIL;
    }
    if (!wast_value_matches(&e, &r->values[i])) {
      char want_text[400], got_text[400];
      wast_format_expected(&e, want_text, sizeof want_text);
      wast_format_value(&r->values[i], e.lane_type, got_text,
                        sizeof got_text);
      set_msg(msg, "result %zu: expected %s, got %s", i, want_text,
              got_text);
      return OUTCOME_FAIL;
    }
    i++;
  }
  return OUTCOME_PASS;
}

static outcome command_assert_return(wast_script *s, const json_t *cmd,
                                     char *msg) {
  action_result r = {0};
  outcome result = perform_action(s, cmd, &r, msg);
  if (result == OUTCOME_PASS) {
    if (r.trap) {
      set_msg(msg, "unexpected trap: %s", wrun_trap_message(r.trap));
      result = OUTCOME_FAIL;
    } else {
      result = compare_results(
          json_object_get(cmd, "expected"), &r, msg);
    }
  }
  action_result_free(&r);
  return result;
}

static outcome check_trap_text(const wrun_trap *trap, const char *text,
                               char *msg) {
  const char *got = wrun_trap_message(trap);
  if (!text || wast_trap_text_matches(got, text))
    return OUTCOME_PASS;
  set_msg(msg, "expected trap \"%s\", got trap \"%s\"", text, got);
  return OUTCOME_FAIL;
}

/* Also serves assert_exhaustion: only the expected text differs. */
static outcome command_assert_trap_action(wast_script *s, const json_t *cmd,
                                          char *msg) {
  const char *text = string_field(cmd, "text");
  action_result r = {0};
  outcome result = perform_action(s, cmd, &r, msg);
  if (result == OUTCOME_PASS) {
    if (r.trap) {
      result = check_trap_text(r.trap, text, msg);
    } else {
      set_msg(msg, "expected trap \"%s\", but the call returned",
              text ? text : "");
      result = OUTCOME_FAIL;
    }
  }
  action_result_free(&r);
  return result;
}

/* assert_exception: the action throws an exception nothing catches. */
static outcome command_assert_exception(wast_script *s, const json_t *cmd,
                                        char *msg) {
  action_result r = {0};
  outcome result = perform_action(s, cmd, &r, msg);
  if (result == OUTCOME_PASS && !wrun_trap_exception(r.trap)) {
    if (r.trap)
      set_msg(msg, "expected an exception, got trap \"%s\"",
              wrun_trap_message(r.trap));
    else
      set_msg(msg, "expected an exception, but the call returned");
    result = OUTCOME_FAIL;
  }
  action_result_free(&r);
  return result;
}

/* ---- module assertions --------------------------------------------------- */

static bool is_text_module(const json_t *cmd) {
  const char *type = string_field(cmd, "module_type");
  return type && strcmp(type, "text") == 0;
}

/* assert_invalid / assert_malformed: compiling must fail. */
static outcome command_assert_rejected(wast_script *s, const json_t *cmd,
                                       char *msg) {
  if (is_text_module(cmd)) {
    set_msg(msg, "text module");
    return OUTCOME_SKIP;
  }
  const char *text = string_field(cmd, "text");
  wrun_module *m;
  wrun_error *err;
  if (!compile_file(s, cmd, &m, &err, msg))
    return OUTCOME_FAIL;
  if (!err) {
    set_msg(msg, "module compiled, expected \"%s\"", text ? text : "");
    return OUTCOME_FAIL;
  }
  outcome result = OUTCOME_PASS;
  if (is_simd_refusal(err)) {
    set_msg(msg, "refused for SIMD instead of rejected: expected \"%s\"",
            text ? text : "");
    result = OUTCOME_FAIL;
  }
  wrun_error_delete(err);
  return result;
}

/* Compiles and instantiates the command's module for the assertions about
 * instantiation. PASS: *err and *trap tell what happened. */
static outcome try_instantiate(wast_script *s, const json_t *cmd,
                               wrun_error **err, wrun_trap **trap,
                               char *msg) {
  if (is_text_module(cmd)) {
    set_msg(msg, "text module");
    return OUTCOME_SKIP;
  }
  wrun_module *m;
  wrun_error *compile_err;
  if (!compile_file(s, cmd, &m, &compile_err, msg))
    return OUTCOME_FAIL;
  if (compile_err)
    return compile_error_outcome(compile_err, msg);
  wrun_instance *inst = NULL;
  *err = NULL;
  *trap = NULL;
  wrun_linker_instantiate(s->linker, m, &inst, err, trap);
  return OUTCOME_PASS;
}

static outcome command_assert_unlinkable(wast_script *s, const json_t *cmd,
                                         char *msg) {
  const char *text = string_field(cmd, "text");
  wrun_error *err;
  wrun_trap *trap;
  outcome result = try_instantiate(s, cmd, &err, &trap, msg);
  if (result != OUTCOME_PASS)
    return result;
  if (trap) {
    set_msg(msg, "expected link error \"%s\", got trap \"%s\"",
            text ? text : "", wrun_trap_message(trap));
    wrun_trap_delete(trap);
    return OUTCOME_FAIL;
  }
  if (!err) {
    set_msg(msg, "module instantiated, expected link error \"%s\"",
            text ? text : "");
    return OUTCOME_FAIL;
  }
  wrun_error_delete(err);
  return OUTCOME_PASS;
}

/* assert_uninstantiable, and assert_trap on a module. */
static outcome command_assert_uninstantiable(wast_script *s,
                                             const json_t *cmd, char *msg) {
  const char *text = string_field(cmd, "text");
  wrun_error *err;
  wrun_trap *trap;
  outcome result = try_instantiate(s, cmd, &err, &trap, msg);
  if (result != OUTCOME_PASS)
    return result;
  if (err) {
    char why[512];
    describe_error(err, why, sizeof why);
    set_msg(msg, "expected trap \"%s\", got link error: %s",
            text ? text : "", why);
    wrun_error_delete(err);
    return OUTCOME_FAIL;
  }
  if (!trap) {
    set_msg(msg, "module instantiated, expected trap \"%s\"",
            text ? text : "");
    return OUTCOME_FAIL;
  }
  result = check_trap_text(trap, text, msg);
  wrun_trap_delete(trap);
  return result;
}

/* ---- the script ---------------------------------------------------------- */

static outcome run_command(wast_script *s, const json_t *cmd,
                           const char *type, char *msg) {
  if (strcmp(type, "module") == 0)
    return command_module(s, cmd, msg);
  if (strcmp(type, "register") == 0)
    return command_register(s, cmd, msg);
  if (strcmp(type, "action") == 0)
    return command_action(s, cmd, msg);
  if (strcmp(type, "assert_return") == 0)
    return command_assert_return(s, cmd, msg);
  if (strcmp(type, "assert_trap") == 0) {
    if (json_object_get(cmd, "action"))
      return command_assert_trap_action(s, cmd, msg);
    return command_assert_uninstantiable(s, cmd, msg);
  }
  if (strcmp(type, "assert_exhaustion") == 0)
    return command_assert_trap_action(s, cmd, msg);
  if (strcmp(type, "assert_exception") == 0)
    return command_assert_exception(s, cmd, msg);
  if (strcmp(type, "assert_invalid") == 0 ||
      strcmp(type, "assert_malformed") == 0)
    return command_assert_rejected(s, cmd, msg);
  if (strcmp(type, "assert_unlinkable") == 0)
    return command_assert_unlinkable(s, cmd, msg);
  if (strcmp(type, "assert_uninstantiable") == 0)
    return command_assert_uninstantiable(s, cmd, msg);
  set_msg(msg, "unsupported command");
  return OUTCOME_FAIL;
}

static void run_commands(wast_script *s, const json_t *commands) {
  const json_t *cmd;
  char msg[MSG_SIZE];
  size_t cmd_index;
  json_array_foreach(commands, cmd_index, cmd) {
    const char *type = string_field(cmd, "type");
    const json_t *line = json_object_get(cmd, "line");
    unsigned lineno =
        json_is_integer(line) ? (unsigned)json_integer_value(line) : 0;
    msg[0] = '\0';
    s->line = lineno;
    if (!type) {
      record(s, lineno, "?", OUTCOME_FAIL, "command without a type");
      continue;
    }
    if (s->opts->store_hook)
      s->opts->store_hook(s->store, true, s->opts->store_hook_arg);
    outcome result = run_command(s, cmd, type, msg);
    if (s->opts->store_hook)
      s->opts->store_hook(s->store, false, s->opts->store_hook_arg);
    record(s, lineno, type, result, msg);
    fflush(stdout);
  }
}

static bool script_open(wast_script *s, char *msg) {
  s->store = wrun_store_new(s->engine);
  /* --fuel checks that charging changes no result: never run dry. */
  if (s->store && s->opts->fuel) wrun_store_set_fuel(s->store, UINT64_MAX);
  s->linker = s->store ? wrun_linker_new(s->store) : NULL;
  if (!s->linker) {
    set_msg(msg, "cannot create a store");
    return false;
  }
  if (!spectest_define(s->store, s->linker, s->opts->verbose)) {
    set_msg(msg, "cannot create the spectest module");
    return false;
  }
  return true;
}

static void script_close(wast_script *s) {
  if (s->linker)
    wrun_linker_delete(s->linker);
  if (s->store)
    wrun_store_delete(s->store);
  /* Instances used the modules' code until the store went away. */
  for (size_t i = 0; i < s->nmodules; i++)
    wrun_module_delete(s->modules[i]);
  free(s->modules);
  for (size_t i = 0; i < s->nnamed; i++)
    free(s->named[i].name);
  free(s->named);
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
    free(files->items[i].name);
    free(files->items[i].bytes);
  }
  free(files->items);
  *files = (wasm_files){0};
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool wasm_files_add(wasm_files *files, const char *dir,
                           const char *name, char *msg) {
  if (files->count == files->capacity) {
    size_t cap = files->capacity ? files->capacity * 2 : 64;
    wasm_file *grown = realloc(files->items, cap * sizeof *grown);
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
  wasm_file *f = &files->items[files->count];
  if (!cli_read_file(path, &f->bytes, &f->len)) {
    set_msg(msg, "cannot read %s: %s", name, strerror(errno));
    return false;
  }
  f->name = strdup(name);
  if (!f->name) {
    free(f->bytes);
    set_msg(msg, "out of memory");
    return false;
  }
  files->count++;
  return true;
}

/* Reads every binary module the commands name (text ones are skipped). */
static bool preload_modules(const json_t *commands, const char *dir,
                            wasm_files *files, char *msg) {
  const json_t *cmd;
  size_t cmd_index;
  json_array_foreach(commands, cmd_index, cmd) {
    const char *name = string_field(cmd, "filename");
    if (!name || !ends_with(name, ".wasm") || find_wasm_file(files, name))
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

/* Translates the script in a fresh temporary directory, removed before
 * returning. */
static json_t *load_script(const char *wast, wasm_files *files, char *msg) {
  if (access(wast, R_OK) != 0) {
    set_msg(msg, "cannot read %s: %s", wast, strerror(errno));
    return NULL;
  }
  const char *tmp = getenv("TMPDIR");
  char dir[PATH_MAX];
  int n = snprintf(dir, sizeof dir, "%s/wrun-wast-XXXXXX",
                   tmp && *tmp ? tmp : "/tmp");
  if (n < 0 || (size_t)n >= sizeof dir || !mkdtemp(dir)) {
    set_msg(msg, "cannot create a temporary directory: %s",
            strerror(errno));
    return NULL;
  }
  json_t *json = translate_script(wast, dir, files, msg);
  remove_dir(dir);
  return json;
}

static void run_script(const char *wast, wrun_engine *engine,
                       const wast_options *opts, xfail_list *xfail,
                       wast_totals *totals) {
  char msg[MSG_SIZE] = "";
  wasm_files files = {0};
  wast_script s = {.base = base_name(wast), .opts = opts, .totals = totals,
                   .xfail = xfail, .engine = engine, .files = &files};
  json_t *json = load_script(wast, &files, msg);
  bool ran = json && script_open(&s, msg);
  if (ran)
    run_commands(&s, json_object_get(json, "commands"));
  script_close(&s);
  json_decref(json);
  wasm_files_free(&files);
  if (!ran) {
    printf("%s: %s\n", s.base, msg);
    totals->failed++;
    return;
  }
  report_xpasses(&s);
}

/* ---- from memory (the fuzz target) ------------------------------------------ */

int wast_run_json(wrun_engine *engine, const char *json_text, size_t len,
                  const wast_module_file *modules, size_t nmodules,
                  wast_store_hook hook, void *hook_arg) {
  char msg[MSG_SIZE] = "";
  wast_options opts = {.quiet = true, .store_hook = hook,
                       .store_hook_arg = hook_arg};
  wast_totals totals = {0};
  wasm_files files = {0};
  wast_script s = {.base = "fuzz.wast", .opts = &opts, .totals = &totals,
                   .engine = engine, .files = &files};
  json_t *json = parse_json(json_text, len, msg);
  const json_t *commands = json_object_get(json, "commands");
  int failed = -1;
  files.items = calloc(nmodules + 1, sizeof *files.items);
  if (json_is_array(commands) && files.items) {
    /* The runner's own structure, pointing at the caller's bytes: only
     * wasm_files_free would write to them, and it is not called here. */
    for (size_t i = 0; i < nmodules; i++)
      files.items[i] = (wasm_file){.name = (char *)modules[i].name,
                                   .bytes = (uint8_t *)modules[i].bytes,
                                   .len = modules[i].len};
    files.count = files.capacity = nmodules;
    if (script_open(&s, msg)) {
      run_commands(&s, commands);
      failed = (int)totals.failed;
    }
    script_close(&s);
  }
  free(files.items);
  json_decref(json);
  return failed;
}

/* ---- command line -------------------------------------------------------- */

static void wast_usage(FILE *out) {
  fprintf(out,
          "usage: wrun wast [--xfail LIST] [--quiet] [--verbose]\n"
          "                 [--deterministic] [--fuel] FILE.wast...\n"
          "  --xfail LIST  expected failures, one `FILE.wast:LINE reason` a "
          "line\n"
          "  --quiet       do not print expected failures (XFAIL lines)\n"
          "  --verbose     name skipped commands; spectest.print* prints\n"
          "  --deterministic\n"
          "                compile in deterministic mode: canonical NaN\n"
          "                results (nan:canonical/arithmetic still match)\n"
          "  --fuel        compile with fuel metering (stores get the most\n"
          "                fuel there is: results must not change)\n");
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
    engine = wrun_engine_new_with_config(config);
    wrun_config_delete(config);
  }
  if (!engine) {
    fprintf(stderr, "wrun wast: cannot create an engine\n");
    xfail_free(&xfail);
    return 1;
  }
  wast_totals totals = {0};
  for (; i < argc; i++)
    run_script(argv[i], engine, &opts, opts.xfail_path ? &xfail : NULL,
               &totals);
  wrun_engine_delete(engine);
  xfail_free(&xfail);

  if (totals.xfailed)
    printf("xfail: %u expected failures\n", totals.xfailed);
  printf("%u passed, %u failed, %u skipped\n", totals.passed, totals.failed,
         totals.skipped);
  fflush(stdout);
  return totals.failed ? 1 : 0;
}
