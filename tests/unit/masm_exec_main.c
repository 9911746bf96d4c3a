/* The shared MacroAssembler execution tests (masm_exec.c) as a plain
 * program, for a build without criterion: the AArch64 cross build, run
 * under qemu-aarch64 (tests/unit/run-masm-arm64.sh).
 *
 *   masm_exec [CASE...]     all cases, or only the named ones
 *
 * Prints a line per case and the totals; exits 0 only when every case ran
 * (none skipped) and every check passed, so that a harness that ran
 * nothing cannot pass. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "masm.h"
#include "masm_exec.h"

static unsigned checks, failures;

bool mx_check(bool ok, const char *file, int line, const char *fmt, ...) {
  checks++;
  if (ok) return true;
  failures++;
  if (failures <= 200) { /* a broken op can fail thousands of checks */
    va_list ap;
    va_start(ap, fmt);
    printf("  %s:%d: ", file, line);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
  }
  return false;
}

typedef struct mx_case {
  const char *name;
  void (*run)(void);
  bool needs_simd;
} mx_case;

#define MX_TABLE_ENTRY(name, needs_simd) {#name, mx_##name, needs_simd},
static const mx_case cases[] = {MASM_EXEC_CASES(MX_TABLE_ENTRY)};
#define NCASES (sizeof cases / sizeof cases[0])

static bool selected(const char *name, int argc, char **argv) {
  if (argc < 2) return true;
  for (int i = 1; i < argc; i++)
    if (strcmp(argv[i], name) == 0) return true;
  return false;
}

int main(int argc, char **argv) {
  unsigned passed = 0, failed = 0, skipped = 0;
  for (size_t i = 0; i < NCASES; i++) {
    const mx_case *c = &cases[i];
    if (!selected(c->name, argc, argv)) continue;
    if (c->needs_simd && !masm_simd_supported()) {
      printf("SKIP %s: the backend has no SIMD\n", c->name);
      skipped++;
      continue;
    }
    unsigned checks_before = checks, failures_before = failures;
    c->run();
    unsigned n = checks - checks_before, bad = failures - failures_before;
    if (bad == 0 && n > 0) {
      printf("PASS %s (%u checks)\n", c->name, n);
      passed++;
    } else {
      printf("FAIL %s (%u of %u checks failed)\n", c->name, bad, n);
      failed++;
    }
  }
  printf("masm cases: %u passed, %u failed, %u skipped; checks: %u passed, "
         "%u failed\n", passed, failed, skipped, checks - failures, failures);
  return failed == 0 && skipped == 0 && passed > 0 ? 0 : 1;
}
