/* The commands of a spec script, as both front ends produce them: the
 * native script parser (wast_script.c, for scripts whose modules are all
 * binary) and the wast2json reader (wast_json.c, for scripts with text
 * modules). One executor (wast_exec.c) runs them.
 *
 * Everything a command list points to lives in its arena and goes away
 * with wast_cmds_free. */
#ifndef WRUN_CLI_WAST_CMD_H
#define WRUN_CLI_WAST_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wast_values.h"
#include "wrun.h"

/* A name (module, register or export name, $id without the `$`): exact
 * bytes, NUL-terminated for printing; bytes is NULL when absent. */
typedef struct wast_text {
  const char *bytes;
  size_t len;
} wast_text;

typedef enum wast_module_kind {
  WAST_MODULE_BINARY,   /* bytes: compile (and instantiate unless definition) */
  WAST_MODULE_TEXT,     /* text format (module quote): not judged, skipped */
  WAST_MODULE_INSTANCE, /* (module instance $i? $d?): instantiate a definition */
} wast_module_kind;

typedef struct wast_module {
  wast_module_kind kind;
  bool definition; /* (module definition ...): compile only, name it */
  wast_text name;  /* the module's $id; INSTANCE: the instance's */
  wast_text def;   /* INSTANCE: the definition, absent for the latest one */
  const uint8_t *bytes;
  size_t len;
} wast_module;

typedef enum wast_action_kind { WAST_ACTION_INVOKE, WAST_ACTION_GET } wast_action_kind;

typedef struct wast_action {
  wast_action_kind kind;
  wast_text module; /* instance name, absent for the current instance */
  wast_text field;
  wrun_val *args;
  size_t nargs;
} wast_action;

/* One expected result: several alternatives for `(either ...)`. */
typedef struct wast_result {
  wast_expected *alts;
  size_t nalts;
} wast_result;

typedef enum wast_cmd_kind {
  WAST_CMD_MODULE,
  WAST_CMD_REGISTER,
  WAST_CMD_ACTION,
  WAST_CMD_ASSERT_RETURN,
  WAST_CMD_ASSERT_TRAP,          /* on an action */
  WAST_CMD_ASSERT_EXHAUSTION,
  WAST_CMD_ASSERT_EXCEPTION,
  WAST_CMD_ASSERT_INVALID,
  WAST_CMD_ASSERT_MALFORMED,
  WAST_CMD_ASSERT_UNLINKABLE,
  WAST_CMD_ASSERT_UNINSTANTIABLE, /* also assert_trap on a module */
  WAST_CMD_BAD,                   /* could not be read: fails with `text` */
} wast_cmd_kind;

typedef struct wast_cmd {
  wast_cmd_kind kind;
  unsigned line;      /* of the command's opening parenthesis */
  const char *name;   /* the command as the script writes it, for messages */
  wast_module module; /* MODULE and the module assertions */
  wast_action action; /* the action commands */
  wast_result *results;
  size_t nresults;
  wast_text text;     /* expected message; BAD: why it could not be read */
  wast_text as;       /* REGISTER: the name it is registered under */
  /* Set when the command holds a value that wrun's API cannot express
   * (ref.host, GC references, exnref): the command fails saying so. */
  const char *unsupported;
} wast_cmd;

/* A bump allocator: commands hold many small pieces. */
typedef struct wast_arena_chunk wast_arena_chunk;

typedef struct wast_cmds {
  wast_cmd *items;
  size_t count, capacity;
  wast_arena_chunk *chunks;
} wast_cmds;

/* Zeroed memory from the list's arena, or NULL. */
void *wast_cmds_alloc(wast_cmds *cmds, size_t size);
/* A copy of len bytes plus a NUL, as a wast_text; bytes NULL on failure. */
wast_text wast_cmds_text(wast_cmds *cmds, const void *bytes, size_t len);
/* A new zeroed command at the end, or NULL. */
wast_cmd *wast_cmds_push(wast_cmds *cmds);
void wast_cmds_free(wast_cmds *cmds);

/* The name of a command kind, as scripts write it. */
const char *wast_cmd_kind_name(wast_cmd_kind kind);

#endif
