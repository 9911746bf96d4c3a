/* The MacroAssembler execution tests shared by the x86-64 and AArch64
 * backends (masm_exec.c): each case emits small functions with the host's
 * masm, runs them and checks the results. Two harnesses run the list:
 * test_masm_exec.c (criterion, native build) and masm_exec_main.c (a plain
 * program for the AArch64 cross build, run under qemu-aarch64). */
#ifndef MASM_EXEC_H
#define MASM_EXEC_H

#include <stdbool.h>
#include <stdint.h>

/* Reports one check and returns ok. Defined by each harness. */
bool mx_check(bool ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* got == want, reporting both values (masm_exec.c). */
bool mx_check_eq(uint64_t got, uint64_t want, const char *file, int line,
                 const char *what);

#define MX_CHECK(ok, ...) mx_check((ok), __FILE__, __LINE__, __VA_ARGS__)
#define MX_TRUE(ok) mx_check((ok), __FILE__, __LINE__, "%s", #ok)
#define MX_EQ(got, want)                                                      \
  mx_check_eq((uint64_t)(got), (uint64_t)(want), __FILE__, __LINE__,          \
              #got " == " #want)

/* The cases, X(name, needs_simd): a harness skips (and says so) a SIMD
 * case when the backend has no SIMD. */
#define MASM_EXEC_CASES(X)                                                    \
  X(operand_registers_are_allocatable, false)                                 \
  X(integer_binops_all_aliasings, false)                                      \
  X(integer_binops_immediates, false)                                         \
  X(divrem_traps_and_aliasing, false)                                         \
  X(integer_unops, false)                                                     \
  X(integer_compares, false)                                                  \
  X(float_compares_with_nan, false)                                           \
  X(select_all_classes, false)                                                \
  X(float_binops_min_max_copysign, false)                                     \
  X(float_unops, false)                                                       \
  X(float_to_int_truncations, false)                                          \
  X(int_to_float_conversions, false)                                          \
  X(demote_promote_reinterpret, false)                                        \
  X(loads_sign_and_zero_extend, false)                                        \
  X(stores_narrow_widths, false)                                              \
  X(jump_table, false)                                                        \
  X(zero_frame_small, false)                                                  \
  X(zero_frame_loop, false)                                                   \
  X(stack_limit_check, false)                                                 \
  X(call_exit_trampoline_multi_results, false)                                \
  X(branch_zero, false)                                                       \
  X(load_indexed_and_ptr, false)                                              \
  X(c_calls, false)                                                           \
  X(constants, false)                                                         \
  X(simd_i64x2_mul_keeps_the_low_64_bits, true)                               \
  X(simd_f32x4_min_max_follow_wasm_nan_and_zero_rules, true)                  \
  X(simd_shuffle_and_swizzle, true)                                           \
  X(simd_trunc_sat_f32x4_u_clamps, true)                                      \
  X(simd_popcnt_and_unsigned_compare, true)                                   \
  X(simd_relaxed_dot_products_are_signed_and_wrap, true)                     \
  X(simd_relaxed_madd_fuses_where_the_isa_can, true)                         \
  X(simd_relaxed_results_are_allowed, true)                                  \
  X(simd_unknown_op_is_refused_without_code, true)

#define MX_DECLARE_CASE(name, needs_simd) void mx_##name(void);
MASM_EXEC_CASES(MX_DECLARE_CASE)
#undef MX_DECLARE_CASE

#endif
