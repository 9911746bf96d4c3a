/* The command executor. See wast_exec.h.
 *
 * Commands the runner cannot judge are skipped: text-format modules of
 * assertions, and anything that needs a module the engine refused because
 * it has no SIMD code generation at all on this host ("SIMD code
 * generation not supported yet"; a SIMD backend missing one instruction
 * reports an ordinary compile error, which fails here, see jit/jit.h).
 * Everything else that does not pass is a failure. */
#include "wast_exec.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spectest.h"
#include "wast_exec_impl.h"
#include "wast_values.h"

#define SIMD_REFUSAL "SIMD code generation not supported yet"

/* Whether a module (definition or instance) is usable. */
typedef enum module_state {
  MODULE_READY,
  MODULE_SIMD_SKIPPED,
  MODULE_BROKEN, /* failed to compile or instantiate: a failure */
} module_state;

struct wast_instance_slot {
  char *name; /* from the script (no `$`), or NULL */
  size_t name_len;
  wrun_instance *instance;
  module_state state;
  unsigned line;
};

/* A compiled module (`module definition`, or the module of `module`),
 * for `module instance`. */
struct wast_definition {
  char *name;
  size_t name_len;
  wrun_module *module; /* NULL unless READY */
  module_state state;
  unsigned line;
};

void wast_exec_msg(char *msg, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, MSG_SIZE, fmt, ap);
  va_end(ap);
}

static bool same_name(const char *a, size_t alen, wast_text b) {
  return a && alen == b.len && memcmp(a, b.bytes, alen) == 0;
}

static char *copy_name(wast_text t) {
  char *copy = malloc(t.len + 1);
  if (copy) {
    memcpy(copy, t.bytes, t.len);
    copy[t.len] = '\0';
  }
  return copy;
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
    wast_exec_msg(msg, "%s", SIMD_REFUSAL);
    result = OUTCOME_SKIP;
  } else {
    char why[512];
    describe_error(err, why, sizeof why);
    wast_exec_msg(msg, "compile error: %s", why);
  }
  wrun_error_delete(err);
  return result;
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
  xfail_entry *expected = s->xfail ? xfail_find(s->xfail, s->base, line) : NULL;
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

void wast_script_fail(wast_script *s, const char *msg) {
  record(s, 0, "script", OUTCOME_FAIL, msg);
}

void wast_script_finish(wast_script *s) {
  if (!s->xfail)
    return;
  for (size_t i = 0; i < s->xfail->count; i++) {
    xfail_entry *e = &s->xfail->entries[i];
    if (e->failed || strcmp(e->file, s->base) != 0)
      continue;
    if (e->line == XFAIL_WHOLE_FILE)
      printf("XPASS %s:*: no command of the file fails any more: remove it "
             "from the expected-failure list\n",
             e->file);
    else
      printf("XPASS %s:%u: remove it from the expected-failure list\n", e->file,
             e->line);
    s->totals->failed++;
  }
}

/* ---- modules and instances --------------------------------------------- */

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

/* The latest instance of that name (names may be reused), or NULL. */
static wast_instance_slot *find_named(wast_script *s, wast_text name) {
  for (size_t i = s->nnamed; i-- > 0;)
    if (same_name(s->named[i].name, s->named[i].name_len, name))
      return &s->named[i];
  return NULL;
}

/* Remembers an instance (named or not: unnamed ones only become
 * current). Returns false when out of memory. */
static bool add_instance(wast_script *s, wast_text name,
                         const wast_instance_slot *slot) {
  if (s->nnamed == s->named_cap) {
    size_t cap = s->named_cap ? s->named_cap * 2 : 8;
    wast_instance_slot *grown = realloc(s->named, cap * sizeof *grown);
    if (!grown)
      return false;
    s->named = grown;
    s->named_cap = cap;
  }
  wast_instance_slot *it = &s->named[s->nnamed];
  *it = *slot;
  it->name = NULL;
  it->name_len = 0;
  if (name.bytes) {
    it->name = copy_name(name);
    if (!it->name)
      return false;
    it->name_len = name.len;
  }
  s->nnamed++;
  s->current = NULL; /* set by index below: the array may move */
  return true;
}

static void set_current(wast_script *s, wast_text name,
                        const wast_instance_slot *slot) {
  if (add_instance(s, name, slot)) {
    s->current = &s->named[s->nnamed - 1];
  } else {
    s->current = NULL;
  }
}

static wast_definition *add_definition(wast_script *s, wast_text name) {
  if (s->ndefs == s->defs_cap) {
    size_t cap = s->defs_cap ? s->defs_cap * 2 : 8;
    wast_definition *grown = realloc(s->defs, cap * sizeof *grown);
    if (!grown)
      return NULL;
    s->defs = grown;
    s->defs_cap = cap;
  }
  wast_definition *d = &s->defs[s->ndefs];
  *d = (wast_definition){.state = MODULE_BROKEN, .line = s->line};
  if (name.bytes) {
    d->name = copy_name(name);
    if (!d->name)
      return NULL;
    d->name_len = name.len;
  }
  s->ndefs++;
  return d;
}

static wast_definition *find_definition(wast_script *s, wast_text name) {
  if (!name.bytes)
    return s->ndefs ? &s->defs[s->ndefs - 1] : NULL;
  for (size_t i = s->ndefs; i-- > 0;)
    if (same_name(s->defs[i].name, s->defs[i].name_len, name))
      return &s->defs[i];
  return NULL;
}

/* Compiles a binary module, kept for the rest of the script. *error is
 * the compile error; false (msg says why) when out of memory. */
/* WRUN_WAST_SERIALIZE=1: every module compiled goes through
 * wrun_module_serialize and wrun_module_deserialize before it is used, so
 * that the scripts test loaded code (tests/spec/run-spec-mode.sh). */
static wrun_error *roundtrip(wast_script *s, wrun_module **mod) {
  static int on = -1;
  if (on < 0) {
    const char *v = getenv("WRUN_WAST_SERIALIZE");
    on = v && *v && strcmp(v, "0") != 0;
  }
  if (!on) return NULL;
  uint8_t *blob = NULL;
  size_t len = 0;
  wrun_error *err = wrun_module_serialize(*mod, &blob, &len);
  wrun_module_delete(*mod);
  *mod = NULL;
  if (!err) err = wrun_module_deserialize(s->engine, blob, len, mod);
  wrun_bytes_free(blob);
  return err;
}

static bool compile(wast_script *s, const wast_module *m, wrun_module **out,
                    wrun_error **error, char *msg) {
  *out = NULL;
  *error = wrun_module_new(s->engine, m->bytes, m->len, out);
  if (!*error) *error = roundtrip(s, out);
  if (!*error && !keep_module(s, *out)) {
    wrun_module_delete(*out);
    *out = NULL;
    wast_exec_msg(msg, "out of memory");
    return false;
  }
  return true;
}

/* The compiled module of a command: its own bytes, or for `module
 * instance` the definition it names. PASS with *out set, or FAIL/SKIP
 * saying why. */
static outcome module_of(wast_script *s, const wast_module *m,
                         wrun_module **out, module_state *state, char *msg) {
  *state = MODULE_BROKEN;
  if (m->kind == WAST_MODULE_BINARY) {
    wrun_error *err;
    if (!compile(s, m, out, &err, msg))
      return OUTCOME_FAIL;
    if (!err) {
      *state = MODULE_READY;
      return OUTCOME_PASS;
    }
    if (is_simd_refusal(err))
      *state = MODULE_SIMD_SKIPPED;
    return compile_error_outcome(err, msg);
  }
  if (m->kind == WAST_MODULE_TEXT) {
    wast_exec_msg(msg, "text module");
    return OUTCOME_SKIP;
  }
  wast_definition *d = find_definition(s, m->def);
  if (!d) {
    wast_exec_msg(msg, "no module definition %s",
                  m->def.bytes ? m->def.bytes : "yet");
    return OUTCOME_FAIL;
  }
  *state = d->state;
  switch (d->state) {
  case MODULE_READY:
    *out = d->module;
    return OUTCOME_PASS;
  case MODULE_SIMD_SKIPPED:
    wast_exec_msg(msg, "its definition (line %u) was skipped: %s", d->line,
                  SIMD_REFUSAL);
    return OUTCOME_SKIP;
  case MODULE_BROKEN:
    break;
  }
  wast_exec_msg(msg, "its definition (line %u) failed to compile", d->line);
  return OUTCOME_FAIL;
}

static outcome command_module(wast_script *s, const wast_cmd *cmd, char *msg) {
  const wast_module *m = &cmd->module;
  wast_instance_slot slot = {.state = MODULE_BROKEN, .line = s->line};
  wrun_module *compiled = NULL;
  outcome result = module_of(s, m, &compiled, &slot.state, msg);
  if (m->kind == WAST_MODULE_BINARY) {
    /* `module definition` and `module` alike define a module. */
    wast_definition *d = add_definition(s, m->name);
    if (!d) {
      wast_exec_msg(msg, "out of memory");
      return OUTCOME_FAIL;
    }
    d->state = slot.state;
    d->module = compiled;
    if (m->definition)
      return result;
  }
  if (result == OUTCOME_PASS) {
    result = OUTCOME_FAIL;
    slot.state = MODULE_BROKEN;
    wrun_instance *inst = NULL;
    wrun_trap *trap = NULL;
    wrun_error *err = NULL;
    wrun_linker_instantiate(s->linker, compiled, &inst, &err, &trap);
    if (err) {
      char why[512];
      describe_error(err, why, sizeof why);
      wast_exec_msg(msg, "link error: %s", why);
      wrun_error_delete(err);
    } else if (trap) {
      wast_exec_msg(msg, "trap during instantiation: %s",
                    wrun_trap_message(trap));
      wrun_trap_delete(trap);
    } else {
      slot.state = MODULE_READY;
      slot.instance = inst;
      result = OUTCOME_PASS;
    }
  }
  set_current(s, m->name, &slot);
  return result;
}

/* The instance a command refers to: by name or the current one. */
outcome wast_exec_target(wast_script *s, wast_text name, wrun_instance **out,
                         char *msg) {
  const wast_instance_slot *slot = s->current;
  if (name.bytes) {
    slot = find_named(s, name);
    if (!slot) {
      wast_exec_msg(msg, "unknown module $%s", name.bytes);
      return OUTCOME_FAIL;
    }
  }
  if (!slot) {
    wast_exec_msg(msg, "no module instantiated yet");
    return OUTCOME_FAIL;
  }
  switch (slot->state) {
  case MODULE_READY:
    *out = slot->instance;
    return OUTCOME_PASS;
  case MODULE_SIMD_SKIPPED:
    wast_exec_msg(msg, "its module (line %u) was skipped: %s", slot->line,
                  SIMD_REFUSAL);
    return OUTCOME_SKIP;
  case MODULE_BROKEN:
    break;
  }
  wast_exec_msg(msg, "its module (line %u) failed to load", slot->line);
  return OUTCOME_FAIL;
}

static outcome command_register(wast_script *s, const wast_cmd *cmd,
                                char *msg) {
  if (!cmd->as.bytes) {
    wast_exec_msg(msg, "register without a name");
    return OUTCOME_FAIL;
  }
  wrun_instance *inst;
  outcome found = wast_exec_target(s, cmd->action.module, &inst, msg);
  if (found != OUTCOME_PASS)
    return found;
  wrun_linker_define_instance_n(s->linker, cmd->as.bytes, cmd->as.len, inst);
  return OUTCOME_PASS;
}

/* ---- module assertions --------------------------------------------------- */

/* A compile error's message against the script's text, as for traps;
 * wrun names the function of a body's error ("function 3: type
 * mismatch"), which the spec's texts leave out. */
static bool error_text_matches(const char *message, const char *expected) {
  if (wast_trap_text_matches(message, expected)) return true;
  const char *p = message;
  if (strncmp(p, "function ", 9) != 0) return false;
  p += 9;
  if (*p < '0' || *p > '9') return false;
  while (*p >= '0' && *p <= '9') p++;
  if (strncmp(p, ": ", 2) != 0) return false;
  return wast_trap_text_matches(p + 2, expected);
}

/* assert_invalid / assert_malformed: compiling must fail. */
static outcome command_assert_rejected(wast_script *s, const wast_cmd *cmd,
                                       char *msg) {
  const char *text = cmd->text.bytes ? cmd->text.bytes : "";
  if (cmd->module.kind == WAST_MODULE_TEXT) {
    wast_exec_msg(msg, "text module");
    return OUTCOME_SKIP;
  }
  if (cmd->module.kind != WAST_MODULE_BINARY) {
    wast_exec_msg(msg, "expected a module, got a module instance");
    return OUTCOME_FAIL;
  }
  wrun_module *m;
  wrun_error *err;
  if (!compile(s, &cmd->module, &m, &err, msg))
    return OUTCOME_FAIL;
  if (!err) {
    wast_exec_msg(msg, "module compiled, expected \"%s\"", text);
    return OUTCOME_FAIL;
  }
  outcome result = OUTCOME_PASS;
  if (is_simd_refusal(err)) {
    wast_exec_msg(msg, "refused for SIMD instead of rejected: expected \"%s\"",
                  text);
    result = OUTCOME_FAIL;
  } else if (!error_text_matches(wrun_error_message(err), text)) {
    /* The right verdict for the wrong reason is no pass: the message
     * says which rule the module broke. */
    wast_exec_msg(msg, "rejected with \"%s\", expected \"%s\"",
                  wrun_error_message(err), text);
    result = OUTCOME_FAIL;
  }
  wrun_error_delete(err);
  return result;
}

/* Compiles (or finds) and instantiates the command's module for the
 * assertions about instantiation. PASS: *err and *trap tell what
 * happened. */
static outcome try_instantiate(wast_script *s, const wast_cmd *cmd,
                               wrun_error **err, wrun_trap **trap, char *msg) {
  wrun_module *m;
  module_state state;
  outcome result = module_of(s, &cmd->module, &m, &state, msg);
  if (result != OUTCOME_PASS)
    return result;
  wrun_instance *inst = NULL;
  *err = NULL;
  *trap = NULL;
  wrun_linker_instantiate(s->linker, m, &inst, err, trap);
  return OUTCOME_PASS;
}

static outcome command_assert_unlinkable(wast_script *s, const wast_cmd *cmd,
                                         char *msg) {
  const char *text = cmd->text.bytes ? cmd->text.bytes : "";
  wrun_error *err;
  wrun_trap *trap;
  outcome result = try_instantiate(s, cmd, &err, &trap, msg);
  if (result != OUTCOME_PASS)
    return result;
  if (trap) {
    wast_exec_msg(msg, "expected link error \"%s\", got trap \"%s\"", text,
                  wrun_trap_message(trap));
    wrun_trap_delete(trap);
    return OUTCOME_FAIL;
  }
  if (!err) {
    wast_exec_msg(msg, "module instantiated, expected link error \"%s\"", text);
    return OUTCOME_FAIL;
  }
  wrun_error_delete(err);
  return OUTCOME_PASS;
}

/* assert_uninstantiable, and assert_trap on a module. */
static outcome command_assert_uninstantiable(wast_script *s,
                                             const wast_cmd *cmd, char *msg) {
  const char *text = cmd->text.bytes;
  wrun_error *err;
  wrun_trap *trap;
  outcome result = try_instantiate(s, cmd, &err, &trap, msg);
  if (result != OUTCOME_PASS)
    return result;
  if (err) {
    char why[512];
    describe_error(err, why, sizeof why);
    wast_exec_msg(msg, "expected trap \"%s\", got link error: %s",
                  text ? text : "", why);
    wrun_error_delete(err);
    return OUTCOME_FAIL;
  }
  if (!trap) {
    wast_exec_msg(msg, "module instantiated, expected trap \"%s\"",
                  text ? text : "");
    return OUTCOME_FAIL;
  }
  result = wast_exec_check_trap(trap, text, msg);
  wrun_trap_delete(trap);
  return result;
}

/* ---- the script ---------------------------------------------------------- */

static outcome run_command(wast_script *s, const wast_cmd *cmd, char *msg) {
  if (cmd->unsupported && cmd->kind != WAST_CMD_BAD) {
    wast_exec_msg(msg, "%s", cmd->unsupported);
    return OUTCOME_FAIL;
  }
  switch (cmd->kind) {
  case WAST_CMD_MODULE:
    return command_module(s, cmd, msg);
  case WAST_CMD_REGISTER:
    return command_register(s, cmd, msg);
  case WAST_CMD_ACTION:
    return wast_exec_action(s, cmd, msg);
  case WAST_CMD_ASSERT_RETURN:
    return wast_exec_assert_return(s, cmd, msg);
  case WAST_CMD_ASSERT_TRAP:
  case WAST_CMD_ASSERT_EXHAUSTION:
    return wast_exec_assert_trap(s, cmd, msg);
  case WAST_CMD_ASSERT_EXCEPTION:
    return wast_exec_assert_exception(s, cmd, msg);
  case WAST_CMD_ASSERT_INVALID:
  case WAST_CMD_ASSERT_MALFORMED:
    return command_assert_rejected(s, cmd, msg);
  case WAST_CMD_ASSERT_UNLINKABLE:
    return command_assert_unlinkable(s, cmd, msg);
  case WAST_CMD_ASSERT_UNINSTANTIABLE:
    return command_assert_uninstantiable(s, cmd, msg);
  case WAST_CMD_BAD:
    break;
  }
  wast_exec_msg(msg, "%s",
                cmd->text.bytes ? cmd->text.bytes : "unreadable command");
  return OUTCOME_FAIL;
}

void wast_script_run(wast_script *s, const wast_cmds *cmds) {
  char msg[MSG_SIZE];
  for (size_t i = 0; i < cmds->count; i++) {
    const wast_cmd *cmd = &cmds->items[i];
    msg[0] = '\0';
    s->line = cmd->line;
    if (s->opts->store_hook)
      s->opts->store_hook(s->store, true, s->opts->store_hook_arg);
    outcome result = run_command(s, cmd, msg);
    if (s->opts->store_hook)
      s->opts->store_hook(s->store, false, s->opts->store_hook_arg);
    record(s, cmd->line, cmd->name ? cmd->name : wast_cmd_kind_name(cmd->kind),
           result, msg);
    fflush(stdout);
  }
}

bool wast_script_open(wast_script *s, char *msg) {
  s->store = wrun_store_new(s->engine);
  /* --fuel checks that charging changes no result: never run dry. */
  if (s->store && s->opts->fuel)
    wrun_store_set_fuel(s->store, UINT64_MAX);
  s->linker = s->store ? wrun_linker_new(s->store) : NULL;
  if (!s->linker) {
    wast_exec_msg(msg, "cannot create a store");
    return false;
  }
  if (!spectest_define(s->store, s->linker, s->opts->verbose)) {
    wast_exec_msg(msg, "cannot create the spectest module");
    return false;
  }
  return true;
}

void wast_script_close(wast_script *s) {
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
  for (size_t i = 0; i < s->ndefs; i++)
    free(s->defs[i].name);
  free(s->defs);
}
