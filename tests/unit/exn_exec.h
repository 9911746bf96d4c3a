/* The exception handling cases (exn_exec.c), run by two harnesses:
 * test_exceptions.c (criterion, native build) and exn_exec_main.c (a plain
 * program for the AArch64 cross build, run under qemu-aarch64, like
 * masm_exec). A failed check ends the case: it reports and does not
 * return (criterion fails the test; the plain program exits). */
#ifndef EXN_EXEC_H
#define EXN_EXEC_H

#include <stdbool.h>

/* Reports a failed check and ends the case. Defined by each harness. */
__attribute__((noreturn, format(printf, 3, 4))) void ex_fail(
    const char *file, int line, const char *fmt, ...);

#define EX_TRUE(ok)                                                           \
  do {                                                                        \
    if (!(ok)) ex_fail(__FILE__, __LINE__, "%s", #ok);                        \
  } while (0)
#define EX_CHECK(ok, ...)                                                     \
  do {                                                                        \
    if (!(ok)) ex_fail(__FILE__, __LINE__, __VA_ARGS__);                      \
  } while (0)

/* Each case runs between ex_setup and ex_teardown (a fresh engine and
 * store). */
void ex_setup(void);
void ex_teardown(void);

#define EXN_EXEC_CASES(X)                                                     \
  X(a_throw_through_1000_frames_is_caught_at_the_bottom)                      \
  X(rethrow_goes_to_the_outer_handler)                                        \
  X(payload_of_two_values)                                                    \
  X(a_clause_of_another_tag_does_not_catch)                                   \
  X(a_trap_inside_a_try_is_not_caught)                                        \
  X(a_host_function_throws_into_wasm)                                         \
  X(an_uncaught_exception_reaches_the_host_and_the_store_works)               \
  X(through_a_host_function_that_calls_wasm)                                  \
  X(many_throws_in_a_loop)                                                    \
  X(throws_past_the_exception_limit_trap)                                     \
  X(deep_recursion_and_exceptions)                                            \
  X(host_api_checks_the_payload)                                              \
  X(try_table_catch_catch_ref_throw_ref_catch_all)                            \
  X(tags_are_per_instance_and_cross_instances_by_import)                      \
  X(a_try_adds_no_instruction_where_nothing_throws)                           \

#define EX_DECLARE_CASE(name) void ex_##name(void);
EXN_EXEC_CASES(EX_DECLARE_CASE)
#undef EX_DECLARE_CASE

#endif
