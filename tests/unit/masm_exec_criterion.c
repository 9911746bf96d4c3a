/* The check reporter of the shared MacroAssembler execution cases
 * (masm_exec.h) for criterion tests: every check is a criterion
 * expectation of the running test. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>

#include "masm_exec.h"

bool mx_check(bool ok, const char *file, int line, const char *fmt, ...) {
  if (ok) {
    cr_expect(true);
    return true;
  }
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  cr_expect(false, "%s:%d: %s", file, line, msg);
  return false;
}
