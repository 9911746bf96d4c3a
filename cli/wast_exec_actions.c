/* The commands that run an action (invoke, get) and judge what it did:
 * assert_return, assert_trap, assert_exhaustion, assert_exception. See
 * wast_exec.h; the rest of the executor is wast_exec.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wast_exec_impl.h"
#include "wast_values.h"

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

static outcome invoke(wast_script *s, wrun_instance *inst, const wast_action *a,
                      action_result *r, char *msg) {
  wrun_extern ext;
  if (!a->field.bytes ||
      !wrun_instance_export_n(inst, a->field.bytes, a->field.len, &ext) ||
      ext.kind != WRUN_EXTERN_FUNC) {
    wast_exec_msg(msg, "no exported function \"%s\"",
                  a->field.bytes ? a->field.bytes : "");
    return OUTCOME_FAIL;
  }
  r->count = wrun_func_result_count(ext.of.func);
  r->values = calloc(r->count ? r->count : 1, sizeof *r->values);
  if (!r->values) {
    wast_exec_msg(msg, "out of memory");
    return OUTCOME_FAIL;
  }
  /* ref.host arguments become anyrefs of this store, in a copy */
  wrun_val *args = a->nargs ? malloc(a->nargs * sizeof *args) : NULL;
  if (a->nargs && !args) {
    wast_exec_msg(msg, "out of memory");
    return OUTCOME_FAIL;
  }
  for (size_t i = 0; i < a->nargs; i++) {
    args[i] = a->args[i];
    if (args[i].type == WAST_HOST_ANYREF) {
      args[i].type = WRUN_ANYREF;
      args[i].of.anyref = wrun_anyref_from_host(s->store, a->args[i].of.externref);
    }
  }
  r->trap = wrun_func_call(s->store, ext.of.func, args, a->nargs, r->values,
                           r->count);
  free(args);
  return OUTCOME_PASS;
}

static outcome get_global(wrun_instance *inst, const wast_action *a,
                          action_result *r, char *msg) {
  wrun_extern ext;
  if (!a->field.bytes ||
      !wrun_instance_export_n(inst, a->field.bytes, a->field.len, &ext) ||
      ext.kind != WRUN_EXTERN_GLOBAL) {
    wast_exec_msg(msg, "no exported global \"%s\"",
                  a->field.bytes ? a->field.bytes : "");
    return OUTCOME_FAIL;
  }
  r->values = calloc(1, sizeof *r->values);
  if (!r->values) {
    wast_exec_msg(msg, "out of memory");
    return OUTCOME_FAIL;
  }
  r->count = 1;
  wrun_global_get(ext.of.global, &r->values[0]);
  return OUTCOME_PASS;
}

/* Runs the command's action. PASS means it ran (it may have trapped). */
static outcome perform_action(wast_script *s, const wast_cmd *cmd,
                              action_result *r, char *msg) {
  wrun_instance *inst;
  outcome found = wast_exec_target(s, cmd->action.module, &inst, msg);
  if (found != OUTCOME_PASS)
    return found;
  if (cmd->action.kind == WAST_ACTION_INVOKE)
    return invoke(s, inst, &cmd->action, r, msg);
  return get_global(inst, &cmd->action, r, msg);
}

outcome wast_exec_action(wast_script *s, const wast_cmd *cmd, char *msg) {
  action_result r = {0};
  outcome result = perform_action(s, cmd, &r, msg);
  if (result == OUTCOME_PASS && r.trap) {
    wast_exec_msg(msg, "unexpected trap: %s", wrun_trap_message(r.trap));
    result = OUTCOME_FAIL;
  }
  action_result_free(&r);
  return result;
}

static bool result_matches(const wast_result *want, const wrun_val *got) {
  for (size_t i = 0; i < want->nalts; i++)
    if (wast_value_matches(&want->alts[i], got))
      return true;
  return false;
}

static void format_result(const wast_result *want, char *buf, size_t size) {
  if (want->nalts == 1) {
    wast_format_expected(&want->alts[0], buf, size);
    return;
  }
  size_t used = (size_t)snprintf(buf, size, "either(");
  for (size_t i = 0; i < want->nalts && used < size; i++) {
    if (i)
      used += (size_t)snprintf(buf + used, size - used, " | ");
    if (used < size)
      wast_format_expected(&want->alts[i], buf + used, size - used);
    used += strlen(buf + used);
  }
  if (used < size)
    snprintf(buf + used, size - used, ")");
}

static outcome compare_results(const wast_cmd *cmd, const action_result *r,
                               char *msg) {
  if (cmd->nresults != r->count) {
    wast_exec_msg(msg, "expected %zu results, got %zu", cmd->nresults,
                  r->count);
    return OUTCOME_FAIL;
  }
  for (size_t i = 0; i < cmd->nresults; i++) {
    const wast_result *want = &cmd->results[i];
    if (!result_matches(want, &r->values[i])) {
      char want_text[400], got_text[400];
      format_result(want, want_text, sizeof want_text);
      wast_format_value(&r->values[i], want->alts[0].lane_type, got_text,
                        sizeof got_text);
      wast_exec_msg(msg, "result %zu: expected %s, got %s", i, want_text,
                    got_text);
      return OUTCOME_FAIL;
    }
  }
  return OUTCOME_PASS;
}

outcome wast_exec_assert_return(wast_script *s, const wast_cmd *cmd,
                                char *msg) {
  action_result r = {0};
  outcome result = perform_action(s, cmd, &r, msg);
  if (result == OUTCOME_PASS) {
    if (r.trap) {
      wast_exec_msg(msg, "unexpected trap: %s", wrun_trap_message(r.trap));
      result = OUTCOME_FAIL;
    } else {
      result = compare_results(cmd, &r, msg);
    }
  }
  action_result_free(&r);
  return result;
}

outcome wast_exec_check_trap(const wrun_trap *trap, const char *text,
                             char *msg) {
  const char *got = wrun_trap_message(trap);
  if (!text || wast_trap_text_matches(got, text))
    return OUTCOME_PASS;
  wast_exec_msg(msg, "expected trap \"%s\", got trap \"%s\"", text, got);
  return OUTCOME_FAIL;
}

/* Also serves assert_exhaustion: only the expected text differs. */
outcome wast_exec_assert_trap(wast_script *s, const wast_cmd *cmd, char *msg) {
  const char *text = cmd->text.bytes;
  action_result r = {0};
  outcome result = perform_action(s, cmd, &r, msg);
  if (result == OUTCOME_PASS) {
    if (r.trap) {
      result = wast_exec_check_trap(r.trap, text, msg);
    } else {
      wast_exec_msg(msg, "expected trap \"%s\", but the call returned",
                    text ? text : "");
      result = OUTCOME_FAIL;
    }
  }
  action_result_free(&r);
  return result;
}

/* assert_exception: the action throws a wasm exception that nothing
 * catches; it reaches the host as a trap carrying the exception. */
outcome wast_exec_assert_exception(wast_script *s, const wast_cmd *cmd,
                                   char *msg) {
  action_result r = {0};
  outcome result = perform_action(s, cmd, &r, msg);
  if (result == OUTCOME_PASS && !wrun_trap_exception(r.trap)) {
    if (r.trap)
      wast_exec_msg(msg, "expected an exception, got trap \"%s\"",
                    wrun_trap_message(r.trap));
    else
      wast_exec_msg(msg, "expected an exception, but the call returned");
    result = OUTCOME_FAIL;
  }
  action_result_free(&r);
  return result;
}
