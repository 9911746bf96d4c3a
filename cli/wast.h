/* `wrun wast`: runs WebAssembly spec-test scripts (.wast files). */
#ifndef WRUN_CLI_WAST_H
#define WRUN_CLI_WAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wrun.h"

/* argv holds the arguments after the word `wast`:
 *   [--xfail LIST] [--quiet] [--verbose] [--deterministic] FILE.wast...
 * Prints one line per failure and the totals last; returns the process
 * exit status (0 iff nothing failed). */
int wast_main(int argc, char **argv);

/* One binary module of a script, as wast2json writes it (NAME.N.wasm). */
typedef struct wast_module_file {
  const char *name;
  const uint8_t *bytes;
  size_t len;
} wast_module_file;

/* Called with running=true before each command of a script and with
 * running=false after it, with the script's store: a fuzz target arms and
 * disarms its wrun_store_interrupt watchdog here. */
typedef void (*wast_store_hook)(wrun_store *store, bool running, void *arg);

/* Runs the commands of a wast2json JSON text (len bytes, no NUL needed)
 * against the given modules, as `wrun wast` runs one script, printing its
 * failures (quietly: no XFAIL lines). The entry of the wast fuzz target:
 * no files, no wast2json. Returns the number of failed commands, or -1
 * when the text is not a JSON object with a command list. */
int wast_run_json(wrun_engine *engine, const char *json_text, size_t len,
                  const wast_module_file *modules, size_t nmodules,
                  wast_store_hook hook, void *hook_arg);

/* The same for the text of a script in the native script syntax (binary
 * modules only, as in the Wasm 3.0 suite): the entry of the wast-script
 * fuzz target. Returns the number of failed commands, or -1 when the text
 * has a text-format module or memory ran out. */
int wast_run_script(wrun_engine *engine, const char *text, size_t len,
                    wast_store_hook hook, void *hook_arg);

/* Reads a whole file into a malloc'd buffer. On failure returns false with
 * errno set. */
bool cli_read_file(const char *path, uint8_t **bytes, size_t *len);

#endif
