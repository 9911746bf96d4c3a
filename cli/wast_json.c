/* wast2json's JSON -> commands. See wast_json.h. */
#include "wast_json.h"

#include <stdio.h>
#include <string.h>

#include "wast_values.h"

/* A string member of obj, or NULL. Its text is NUL-terminated but may hold
 * NULs of its own (the JSON is decoded with JSON_ALLOW_NUL): the length
 * gives the exact bytes. */
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

/* A name member copied into the arena; absent stays absent. False when
 * out of memory. */
static bool name_field(wast_cmds *out, const json_t *obj, const char *key,
                       wast_text *name) {
  size_t len;
  const char *bytes = string_field_n(obj, key, &len);
  *name = (wast_text){0};
  if (!bytes)
    return true;
  *name = wast_cmds_text(out, bytes, len);
  return name->bytes != NULL;
}

/* Why a command could not be read, as BAD's text. */
typedef struct reader {
  wast_cmds *out;
  const wast_module_file *modules;
  size_t nmodules;
  char why[256];
  bool no_memory;
} reader;

static bool bad(reader *r, const char *fmt, const char *arg) {
  snprintf(r->why, sizeof r->why, fmt, arg);
  return false;
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

static bool read_action(reader *r, const json_t *cmd, wast_action *a) {
  const json_t *action = json_object_get(cmd, "action");
  const char *kind = string_field(action, "type");
  if (!kind)
    return bad(r, "%scommand without an action", "");
  if (strcmp(kind, "invoke") == 0)
    a->kind = WAST_ACTION_INVOKE;
  else if (strcmp(kind, "get") == 0)
    a->kind = WAST_ACTION_GET;
  else
    return bad(r, "unknown action \"%s\"", kind);
  if (!name_field(r->out, action, "module", &a->module) ||
      !name_field(r->out, action, "field", &a->field)) {
    r->no_memory = true;
    return false;
  }
  const json_t *args = json_object_get(action, "args");
  size_t nargs = json_array_size(args);
  if (nargs == 0)
    return true;
  a->args = wast_cmds_alloc(r->out, nargs * sizeof *a->args);
  if (!a->args) {
    r->no_memory = true;
    return false;
  }
  for (size_t i = 0; i < nargs; i++) {
    if (!parse_arg(json_array_get(args, i), &a->args[i])) {
      snprintf(r->why, sizeof r->why, "cannot parse argument %zu", i);
      return false;
    }
  }
  a->nargs = nargs;
  return true;
}

static bool read_expected(reader *r, const json_t *cmd, wast_cmd *c) {
  const json_t *expected = json_object_get(cmd, "expected");
  size_t n = json_array_size(expected);
  if (n == 0)
    return true;
  c->results = wast_cmds_alloc(r->out, n * sizeof *c->results);
  wast_expected *alts = wast_cmds_alloc(r->out, n * sizeof *alts);
  if (!c->results || !alts) {
    r->no_memory = true;
    return false;
  }
  for (size_t i = 0; i < n; i++) {
    if (!parse_expected(json_array_get(expected, i), &alts[i])) {
      snprintf(r->why, sizeof r->why, "cannot parse expected result %zu", i);
      return false;
    }
    c->results[i] = (wast_result){.alts = &alts[i], .nalts = 1};
  }
  c->nresults = n;
  return true;
}

/* The module a command names: a .wasm that wast2json wrote, or a text
 * module (module_type "text": wast2json wrote it as .wat, not judged). */
static bool read_module(reader *r, const json_t *cmd, wast_module *m) {
  if (!name_field(r->out, cmd, "name", &m->name)) {
    r->no_memory = true;
    return false;
  }
  const char *type = string_field(cmd, "module_type");
  if (type && strcmp(type, "text") == 0) {
    m->kind = WAST_MODULE_TEXT;
    return true;
  }
  const char *filename = string_field(cmd, "filename");
  if (!filename)
    return bad(r, "%scommand without \"filename\"", "");
  for (size_t i = 0; i < r->nmodules; i++) {
    if (strcmp(r->modules[i].name, filename) == 0) {
      m->kind = WAST_MODULE_BINARY;
      m->bytes = r->modules[i].bytes;
      m->len = r->modules[i].len;
      return true;
    }
  }
  return bad(r, "wast2json wrote no %s", filename);
}

static bool read_text(reader *r, const json_t *cmd, wast_cmd *c) {
  if (!name_field(r->out, cmd, "text", &c->text)) {
    r->no_memory = true;
    return false;
  }
  return true;
}

static bool read_command(reader *r, const json_t *cmd, const char *type,
                         wast_cmd *c) {
  if (strcmp(type, "module") == 0) {
    c->kind = WAST_CMD_MODULE;
    return read_module(r, cmd, &c->module);
  }
  if (strcmp(type, "register") == 0) {
    c->kind = WAST_CMD_REGISTER;
    if (!name_field(r->out, cmd, "as", &c->as) ||
        !name_field(r->out, cmd, "name", &c->action.module)) {
      r->no_memory = true;
      return false;
    }
    if (!c->as.bytes)
      return bad(r, "%sregister without \"as\"", "");
    return true;
  }
  if (strcmp(type, "action") == 0) {
    c->kind = WAST_CMD_ACTION;
    return read_action(r, cmd, &c->action);
  }
  if (strcmp(type, "assert_return") == 0) {
    c->kind = WAST_CMD_ASSERT_RETURN;
    return read_action(r, cmd, &c->action) && read_expected(r, cmd, c);
  }
  if (strcmp(type, "assert_trap") == 0 ||
      strcmp(type, "assert_exhaustion") == 0) {
    bool on_action = json_object_get(cmd, "action") != NULL;
    if (strcmp(type, "assert_exhaustion") == 0)
      c->kind = WAST_CMD_ASSERT_EXHAUSTION;
    else
      c->kind = on_action ? WAST_CMD_ASSERT_TRAP
                          : WAST_CMD_ASSERT_UNINSTANTIABLE;
    if (!read_text(r, cmd, c))
      return false;
    if (c->kind == WAST_CMD_ASSERT_UNINSTANTIABLE)
      return read_module(r, cmd, &c->module);
    return read_action(r, cmd, &c->action);
  }
  if (strcmp(type, "assert_exception") == 0) {
    c->kind = WAST_CMD_ASSERT_EXCEPTION;
    return read_action(r, cmd, &c->action);
  }
  static const struct {
    const char *type;
    wast_cmd_kind kind;
  } module_assertions[] = {
    {"assert_invalid", WAST_CMD_ASSERT_INVALID},
    {"assert_malformed", WAST_CMD_ASSERT_MALFORMED},
    {"assert_unlinkable", WAST_CMD_ASSERT_UNLINKABLE},
    {"assert_uninstantiable", WAST_CMD_ASSERT_UNINSTANTIABLE},
  };
  for (size_t i = 0; i < sizeof module_assertions / sizeof module_assertions[0]; i++) {
    if (strcmp(type, module_assertions[i].type) == 0) {
      c->kind = module_assertions[i].kind;
      return read_text(r, cmd, c) && read_module(r, cmd, &c->module);
    }
  }
  return bad(r, "%sunsupported command", "");
}

/* The command's name as wast2json wrote it, from a fixed set (the JSON's
 * own string goes away with it). */
static const char *command_name(const char *type, wast_cmd_kind kind) {
  if (kind == WAST_CMD_BAD)
    return type ? "command" : "?";
  if (strcmp(type, "assert_trap") == 0)
    return "assert_trap";
  return wast_cmd_kind_name(kind);
}

bool wast_json_commands(const json_t *commands,
                        const wast_module_file *modules, size_t nmodules,
                        wast_cmds *out) {
  reader r = {.out = out, .modules = modules, .nmodules = nmodules};
  const json_t *cmd;
  size_t index;
  json_array_foreach(commands, index, cmd) {
    wast_cmd *c = wast_cmds_push(out);
    if (!c)
      return false;
    const json_t *line = json_object_get(cmd, "line");
    c->line = json_is_integer(line) ? (unsigned)json_integer_value(line) : 0;
    const char *type = string_field(cmd, "type");
    r.why[0] = '\0';
    bool ok = type ? read_command(&r, cmd, type, c)
                   : bad(&r, "%scommand without a type", "");
    if (r.no_memory)
      return false;
    if (!ok) {
      unsigned l = c->line;
      memset(c, 0, sizeof *c);
      c->kind = WAST_CMD_BAD;
      c->line = l;
      c->text = wast_cmds_text(out, r.why, strlen(r.why));
      if (!c->text.bytes)
        return false;
    }
    c->name = command_name(type, c->kind);
  }
  return true;
}
