/* The part of criterion a test file uses, for a build without criterion
 * (the AArch64 cross build, run under qemu-aarch64): Test() registers a
 * case, the cr_ assertions print the failing condition (cr_assert and
 * cr_assert_* end the program, cr_expect* go on), and main runs every
 * case, exiting 1 if any check failed. Included instead of criterion by
 * a test file compiled with its plain flag (test_threads.c: THREADS_PLAIN),
 * once per program. */
#ifndef TEST_PLAIN_CHECK_H
#define TEST_PLAIN_CHECK_H

#include <stdio.h>
#include <stdlib.h>

typedef struct plain_case {
  const char *name;
  void (*run)(void);
} plain_case;

static plain_case plain_cases[64];
static int plain_ncases, plain_failed;

#define Test(suite, name)                                                   \
  static void plain_##suite##_##name(void);                                 \
  __attribute__((constructor)) static void plain_reg_##suite##_##name(void) \
  {                                                                         \
    if (plain_ncases < 64)                                                  \
      plain_cases[plain_ncases++] =                                         \
          (plain_case){#suite "::" #name, plain_##suite##_##name};         \
  }                                                                         \
  static void plain_##suite##_##name(void)

#define PLAIN_CHECK(fatal, cond)                                            \
  do {                                                                      \
    if (!(cond)) {                                                          \
      printf("  %s:%d: failed: %s\n", __FILE__, __LINE__, #cond);           \
      fflush(stdout);                                                       \
      plain_failed = 1;                                                     \
      if (fatal) exit(1);                                                   \
    }                                                                       \
  } while (0)

#define cr_assert(cond, ...) PLAIN_CHECK(1, cond)
#define cr_expect(cond, ...) PLAIN_CHECK(0, cond)
#define cr_assert_null(p, ...) PLAIN_CHECK(1, (p) == NULL)
#define cr_assert_not_null(p, ...) PLAIN_CHECK(1, (p) != NULL)
#define cr_expect_null(p, ...) PLAIN_CHECK(0, (p) == NULL)
#define cr_expect_not_null(p, ...) PLAIN_CHECK(0, (p) != NULL)
#define cr_assert_eq(a, b, ...) PLAIN_CHECK(1, (a) == (b))
#define cr_expect_eq(a, b, ...) PLAIN_CHECK(0, (a) == (b))
#define cr_expect_geq(a, b, ...) PLAIN_CHECK(0, (a) >= (b))
#define cr_assert_fail(...) PLAIN_CHECK(1, 0)

#define WB_CHECK(p) cr_assert_not_null(p)
#define WB_CRITERION 1

int main(void) {
  for (int i = 0; i < plain_ncases; i++) {
    printf("%s\n", plain_cases[i].name);
    fflush(stdout);
    plain_cases[i].run();
  }
  printf(plain_failed ? "FAIL\n" : "%d cases passed\n", plain_ncases);
  return plain_failed;
}

#endif
