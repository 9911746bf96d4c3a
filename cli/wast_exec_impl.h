/* Internal to the command executor (wast_exec.c: the script, modules and
 * module assertions; wast_exec_actions.c: actions and their assertions). */
#ifndef WRUN_CLI_WAST_EXEC_IMPL_H
#define WRUN_CLI_WAST_EXEC_IMPL_H

#include "wast_exec.h"

#define MSG_SIZE WAST_MSG_SIZE

typedef enum outcome { OUTCOME_PASS, OUTCOME_FAIL, OUTCOME_SKIP } outcome;

/* Writes a command's message (MSG_SIZE bytes). */
void wast_exec_msg(char *msg, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The instance a command refers to: by name or the current one. FAIL or
 * SKIP (its module did not load) say why in msg. */
outcome wast_exec_target(wast_script *s, wast_text name, wrun_instance **out,
                         char *msg);
/* PASS when the trap's message matches the expected text (or there is
 * none to match). */
outcome wast_exec_check_trap(const wrun_trap *trap, const char *text,
                             char *msg);

outcome wast_exec_action(wast_script *s, const wast_cmd *cmd, char *msg);
outcome wast_exec_assert_return(wast_script *s, const wast_cmd *cmd, char *msg);
/* assert_trap on an action, and assert_exhaustion */
outcome wast_exec_assert_trap(wast_script *s, const wast_cmd *cmd, char *msg);
outcome wast_exec_assert_exception(wast_script *s, const wast_cmd *cmd,
                                   char *msg);

#endif
