/* libFuzzer target: decode, validate and compile every function
 * (wrun_module_new), then free the module. Mostly invalid inputs: the
 * compiler's single pass validates as it goes, so its error paths (and
 * the compile of the valid prefix) are what this reaches. */
#include <stdint.h>

#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wrun_module *m = NULL;
  wrun_error *error = wrun_module_new(fuzz_engine(), data, size, &m);
  wrun_error_delete(error);
  if (m) wrun_module_delete(m);
  return 0;
}
