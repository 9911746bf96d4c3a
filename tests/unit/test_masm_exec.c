/* The shared MacroAssembler execution tests (masm_exec.c) under criterion,
 * for the host's backend: one criterion test per case (checks reported by
 * masm_exec_criterion.c). */
#include <criterion/criterion.h>

#include "masm.h"
#include "masm_exec.h"

#define MX_CRITERION_TEST(name, needs_simd)                                   \
  Test(masm_exec, name) {                                                     \
    if ((needs_simd) && !masm_simd_supported())                               \
      cr_skip_test("the host backend has no SIMD");                           \
    mx_##name();                                                              \
  }
MASM_EXEC_CASES(MX_CRITERION_TEST)
