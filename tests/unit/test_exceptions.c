/* The exception handling cases (exn_exec.c) under criterion, one test
 * each (the AArch64 cross build runs them with exn_exec_main.c). */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>

#include "exn_exec.h"

void ex_fail(const char *file, int line, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  cr_assert_fail("%s:%d: %s", file, line, msg);
  __builtin_unreachable();
}

TestSuite(exceptions, .init = ex_setup, .fini = ex_teardown);

#define EX_TEST(name)                                                         \
  Test(exceptions, name) { ex_##name(); }
EXN_EXEC_CASES(EX_TEST)
