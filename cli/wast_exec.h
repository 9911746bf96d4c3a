/* The executor of spec-script commands (wast_cmd.h), whichever front end
 * read them: one store per script, everything through the public API.
 * Every command counts once as passed, failed (or expected to fail, by
 * the --xfail list) or skipped. */
#ifndef WRUN_CLI_WAST_EXEC_H
#define WRUN_CLI_WAST_EXEC_H

#include <stdbool.h>
#include <stddef.h>

#include "wast.h"
#include "wast_cmd.h"
#include "wrun.h"
#include "xfail.h"

typedef struct wast_options {
  const char *xfail_path;
  bool quiet;         /* no XFAIL lines */
  bool verbose;       /* spectest prints, skipped commands are named */
  bool deterministic; /* canonical NaNs (wrun_config_deterministic) */
  bool fuel;          /* compile with fuel charges, every store nearly full */
  bool bounds_checks; /* explicit bounds checks past the smallest guard */
  bool no_signals;    /* signals-based traps off, and checked to stay off */
  unsigned jobs;      /* compiling threads (wrun_config_jobs), 0 per CPU */
  wast_store_hook store_hook; /* around each command, or NULL */
  void *store_hook_arg;
} wast_options;

typedef struct wast_totals {
  unsigned passed, failed, skipped, xfailed;
} wast_totals;

typedef struct wast_instance_slot wast_instance_slot;
typedef struct wast_definition wast_definition;

/* State of one script. */
typedef struct wast_script {
  const char *base; /* base name of the .wast, used in messages */
  const wast_options *opts;
  wast_totals *totals;
  xfail_list *xfail; /* or NULL */
  wrun_engine *engine;
  wrun_store *store;
  wrun_linker *linker;
  wrun_module **modules; /* every compiled module, freed after the store */
  size_t nmodules, modules_cap;
  wast_instance_slot *named; /* instances with a name */
  size_t nnamed, named_cap;
  wast_instance_slot *current;
  wast_definition *defs; /* module definitions, the latest last */
  size_t ndefs, defs_cap;
  unsigned line; /* of the command being run */
} wast_script;

/* Creates the store, the linker and spectest; on failure says why in msg
 * (MSG_SIZE bytes). */
#define WAST_MSG_SIZE 1024
bool wast_script_open(wast_script *s, char *msg);
void wast_script_run(wast_script *s, const wast_cmds *cmds);
/* A failure of the whole script (it could not be read): counted like a
 * failed command at line 0, so a whole-file xfail entry covers it. */
void wast_script_fail(wast_script *s, const char *msg);
/* Reports the xfail entries of this script that did not fail (XPASS). */
void wast_script_finish(wast_script *s);
void wast_script_close(wast_script *s);

#endif
