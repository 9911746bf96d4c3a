/* libFuzzer target: the spec-script runner (`wrun wast`, cli/wast*.c) on
 * the JSON that wast2json writes, without files or wast2json.
 *
 * Input: the JSON text, then any number of modules, each preceded by
 * FUZZ_WAST_SEPARATOR; module k (from 0) is the file "k.wasm" that
 * commands name. make-corpus.sh builds such inputs from the spec suite.
 * Everything the script's commands run goes through the watchdog. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"
#include "wast.h"

#define FUZZ_WAST_SEPARATOR "\0\0wrun-module\0\0"
#define SEPARATOR_LEN (sizeof FUZZ_WAST_SEPARATOR - 1)
#define MAX_MODULES 64

/* Each command gets its own time budget. */
static void arm_per_command(wrun_store *store, bool running, void *arg) {
  (void)arg;
  if (running)
    fuzz_watchdog_arm(store, FUZZ_RUN_MS);
  else
    fuzz_watchdog_disarm();
}

static const uint8_t *find_separator(const uint8_t *from,
                                     const uint8_t *end) {
  if ((size_t)(end - from) < SEPARATOR_LEN) return NULL;
  return memmem(from, (size_t)(end - from), FUZZ_WAST_SEPARATOR,
                SEPARATOR_LEN);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  /* The runner prints a line per failed command, and mutants fail
   * plenty; WRUN_FUZZ_VERBOSE=1 keeps them (to look at one input). */
  const char *verbose = getenv("WRUN_FUZZ_VERBOSE");
  if (!(verbose && *verbose == '1') && !freopen("/dev/null", "w", stdout))
    return 0;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static char names[MAX_MODULES][16];
  wast_module_file modules[MAX_MODULES];
  size_t nmodules = 0;
  const uint8_t *end = data + size;
  const uint8_t *sep = find_separator(data, end);
  size_t json_len = sep ? (size_t)(sep - data) : size;
  while (sep && nmodules < MAX_MODULES) {
    const uint8_t *start = sep + SEPARATOR_LEN;
    sep = find_separator(start, end);
    snprintf(names[nmodules], sizeof names[nmodules], "%zu.wasm", nmodules);
    modules[nmodules] = (wast_module_file){
        .name = names[nmodules], .bytes = start,
        .len = (size_t)((sep ? sep : end) - start)};
    nmodules++;
  }
  wast_run_json(fuzz_engine(), (const char *)data, json_len, modules,
                nmodules, arm_per_command, NULL);
  return 0;
}
