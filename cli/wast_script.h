/* The native script parser: a .wast script's text -> its commands
 * (wast_cmd.h), for scripts whose modules are all in binary form, as in
 * the Wasm 3.0 test suite (`(module definition $id? binary "...")`,
 * `(module instance $i? $d?)`). A text-format module is not read here:
 * the caller converts such a script with wast2json instead.
 *
 * Bounded on any input: no recursion deeper than a fixed few levels,
 * nesting capped, nothing read outside the given bytes. */
#ifndef WRUN_CLI_WAST_SCRIPT_H
#define WRUN_CLI_WAST_SCRIPT_H

#include <stddef.h>

#include "wast_cmd.h"

typedef enum wast_parse_status {
  /* The commands are in out. A command that could not be read is a
   * WAST_CMD_BAD there; after a lexical error (an unterminated string,
   * say) the BAD command is the last one. */
  WAST_PARSE_OK,
  /* The script has a text-format module that must be converted (a
   * top-level `module quote` too): out is emptied, *text_line is the
   * line of that module. Quoted modules inside assertions are only
   * WAST_MODULE_TEXT commands (skipped), not a reason to convert. */
  WAST_PARSE_TEXT_MODULE,
  WAST_PARSE_NO_MEMORY,
} wast_parse_status;

wast_parse_status wast_parse_script(const char *text, size_t len,
                                    wast_cmds *out, unsigned *text_line);

#endif
