/* libFuzzer target: the spec runner's native script parser and its
 * executor (`wrun wast` on a script whose modules are binary, the Wasm 3.0
 * suite's form: cli/wast_lex.c, wast_num.c, wast_script*.c, wast_exec.c).
 *
 * Input: the script's text, any bytes. Inputs with a text-format module
 * are read up to that module and dropped (the runner would hand them to
 * wast2json). Every command runs under the watchdog. make_corpus.py seeds
 * it with pieces of the 3.0 scripts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_support.h"
#include "wast.h"

/* Each command gets its own time budget. */
static void arm_per_command(wrun_store *store, bool running, void *arg) {
  (void)arg;
  if (running)
    fuzz_watchdog_arm(store, FUZZ_RUN_MS);
  else
    fuzz_watchdog_disarm();
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  /* Mutants fail plenty of commands, one printed line each;
   * WRUN_FUZZ_VERBOSE=1 keeps them (to look at one input). */
  const char *verbose = getenv("WRUN_FUZZ_VERBOSE");
  if (!(verbose && *verbose == '1') && !freopen("/dev/null", "w", stdout))
    return 0;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* The parser takes a byte range: no NUL terminator, nothing past size. */
  wast_run_script(fuzz_engine(), (const char *)data, size, arm_per_command,
                  NULL);
  return 0;
}
