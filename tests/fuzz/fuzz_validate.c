/* libFuzzer target: decode and validate (wrun_module_validate). Any input
 * must give a verdict, never a crash, a leak or undefined behaviour. */
#include <stdint.h>

#include "fuzz_support.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wrun_error_delete(wrun_module_validate(fuzz_engine(), data, size));
  return 0;
}
