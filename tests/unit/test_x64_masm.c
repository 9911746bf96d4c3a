/* x86-64 MacroAssembler tests that only make sense for this ISA: the
 * encodings of trap sites, and the fallbacks for CPUs without
 * lzcnt/tzcnt/popcnt. The execution tests shared with AArch64 (edge
 * inputs, NaNs, INT_MIN, ...) are in masm_exec.c. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "masm.h"
#include "masm_exec.h"
#include "x64/asm.h"

/* Emitting only writes bytes: these run on any host. */
Test(x64_masm, load_mem_records_trap_site) {
  jit_masm m;
  jit_masm_init(&m);
  x64_masm_mov_imm(&m, JT_I32, 3, 0);
  uint32_t before = jit_buf_pos(&m.buf);
  x64_masm_load_mem(&m, JM_I32_LOAD, 3, jit_reg_opnd(3), 0x80000000u);
  cr_assert_eq(m.ntraps, 1);
  cr_expect_eq(m.traps[0].code, 5);
  /* large offsets go through r11 first: the site is after that setup */
  cr_expect_gt(m.traps[0].offset, before);
  cr_expect_eq(m.buf.data[m.traps[0].offset] & 0xf0, 0x40); /* REX first */
  jit_masm_free(&m);
}

Test(x64_masm, trap_records_site) {
  jit_masm m;
  jit_masm_init(&m);
  x64_masm_trap(&m, 1);
  cr_assert_eq(m.ntraps, 1);
  cr_expect_eq(m.traps[0].offset, 0);
  cr_expect_eq(m.buf.data[0], 0x0f); /* ud2 */
  cr_expect_eq(m.buf.data[1], 0x0b);
  jit_masm_free(&m);
}

/* The shared unary-op case again, with the bit-count instructions off. */
Test(x64_masm, integer_unops_without_bit_count_instructions) {
#if defined(__x86_64__)
  x64_features saved = x64_cpu_features();
  x64_features none = {false, false, false};
  x64_set_cpu_features(none);
  mx_integer_unops();
  x64_set_cpu_features(saved);
#else
  cr_skip_test("runs x86-64 code: x86-64 hosts only");
#endif
}
