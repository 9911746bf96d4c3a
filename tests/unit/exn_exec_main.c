/* The exception handling cases (exn_exec.c) as a plain program, for a
 * build without criterion: the AArch64 cross build, run under
 * qemu-aarch64 (tests/unit/run-exn-arm64.sh).
 *
 *   exn_exec [CASE...]     all cases, or only the named ones
 *
 * Prints a line per case; a failed check prints where and exits 1 at once
 * (a case may fail inside a host function called from wasm, where nothing
 * after it could run cleanly); exits 0 when every selected case passed. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exn_exec.h"

void ex_fail(const char *file, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("  %s:%d: ", file, line);
  vprintf(fmt, ap);
  printf("\nFAIL\n");
  va_end(ap);
  fflush(stdout);
  exit(1);
}

typedef struct ex_case {
  const char *name;
  void (*run)(void);
} ex_case;

#define EX_TABLE_ENTRY(name) {#name, ex_##name},
static const ex_case cases[] = {EXN_EXEC_CASES(EX_TABLE_ENTRY)};
#define NCASES (sizeof cases / sizeof cases[0])

static bool selected(const char *name, int argc, char **argv) {
  if (argc < 2) return true;
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], name) == 0) return true;
  return false;
}

int main(int argc, char **argv) {
  unsigned ran = 0;
  for (size_t i = 0; i < NCASES; i++) {
    if (!selected(cases[i].name, argc, argv)) continue;
    printf("%s\n", cases[i].name);
    fflush(stdout);
    ex_setup();
    cases[i].run();
    ex_teardown();
    ran++;
  }
  printf("exception cases: %u passed\n", ran);
  return ran ? 0 : 1;
}
