/* The wast2json front end: the JSON command list that wabt's wast2json
 * writes for a script, turned into the runner's commands (wast_cmd.h).
 * Used for scripts with text-format modules (the Wasm 2.0 suite). */
#ifndef WRUN_CLI_WAST_JSON_H
#define WRUN_CLI_WAST_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "wast.h"
#include "wast_cmd.h"

/* Appends one command per element of the JSON array `commands` to out;
 * the binary modules they name ("filename") are those of modules, which
 * must outlive out (the commands point at their bytes). A command that cannot be read becomes a WAST_CMD_BAD
 * saying why. Returns false only when out of memory. */
bool wast_json_commands(const json_t *commands,
                        const wast_module_file *modules, size_t nmodules,
                        wast_cmds *out);

#endif
