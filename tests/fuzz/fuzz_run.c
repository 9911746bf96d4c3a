/* libFuzzer target: compile, instantiate with stub imports, and call every
 * exported function with zeros (fuzz_support.c), each call bounded by the
 * watchdog. Traps are outcomes; a crash, a sanitizer report or a hang past
 * libFuzzer's -timeout is a finding. */
#include <stdint.h>

#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wrun_module *m = NULL;
  wrun_error *error = wrun_module_new(fuzz_engine(), data, size, &m);
  if (error) {
    wrun_error_delete(error);
    return 0;
  }
  wrun_store *store = fuzz_store_new();
  if (store) {
    fuzz_run_exports(store, m);
    wrun_store_delete(store);
  }
  wrun_module_delete(m);
  return 0;
}
