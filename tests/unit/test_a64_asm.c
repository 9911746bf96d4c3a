/* The A64 encoder (jit/arm64/asm.c) against the GNU assembler: every
 * expected word below was produced by aarch64-linux-gnu-as from the text
 * next to it and read back with aarch64-linux-gnu-objdump -d. Runs on any
 * host (the encoder only writes bytes). */
#include <criterion/criterion.h>
#include <string.h>

#include "arm64/asm.h"

/* Emits one instruction with `emit` into a fresh buffer and compares the
 * single resulting word. */
#define CHECK(emit, expected, text)                                          \
  do {                                                                       \
    jit_buf buf = {0};                                                       \
    jit_buf *b = &buf;                                                       \
    emit;                                                                    \
    cr_assert_eq(buf.size, 4, "%s: %u bytes", text, buf.size);               \
    uint32_t got;                                                            \
    memcpy(&got, buf.data, 4);                                               \
    cr_expect_eq(got, (uint32_t)(expected), "%s: got %08x, want %08x", text, \
                 got, (uint32_t)(expected));                                 \
    jit_buf_free(&buf);                                                      \
  } while (0)

/* Compares a whole emitted sequence. */
static void check_words(jit_buf *buf, const uint32_t *want, uint32_t n,
                        const char *what) {
  cr_assert_eq(buf->size, 4 * n, "%s: %u bytes, want %u", what, buf->size,
               4 * n);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t got;
    memcpy(&got, buf->data + 4 * i, 4);
    cr_expect_eq(got, want[i], "%s word %u: got %08x, want %08x", what, i,
                 got, want[i]);
  }
}

Test(a64_asm, data_processing) {
  CHECK(a64_addsub_imm(b, true, false, false, 0, 1, 4095), 0x913ffc20, "add x0, x1, #4095");
  CHECK(a64_addsub_imm(b, false, true, false, 3, 4, 1), 0x51000483, "sub w3, w4, #1");
  CHECK(a64_addsub_imm(b, true, false, false, 5, 6, 0x123000), 0x91448cc5, "add x5, x6, #0x123, lsl #12");
  CHECK(a64_addsub_imm(b, true, true, true, 31, 7, 42), 0xf100a8ff, "cmp x7, #42");
  CHECK(a64_addsub_imm(b, false, false, true, 31, 8, 1), 0x3100051f, "cmn w8, #1");
  CHECK(a64_addsub_imm(b, true, true, false, 31, 31, 0x40), 0xd10103ff, "sub sp, sp, #0x40");
  CHECK(a64_mov_sp(b, 29, 31), 0x910003fd, "mov x29, sp");
  CHECK(a64_mov_sp(b, 31, 17), 0x9100023f, "mov sp, x17");
  CHECK(a64_addsub_reg(b, true, false, false, 1, 2, 3, A64_LSL, 0), 0x8b030041, "add x1, x2, x3");
  CHECK(a64_addsub_reg(b, false, true, false, 1, 2, 3, A64_LSL, 0), 0x4b030041, "sub w1, w2, w3");
  CHECK(a64_addsub_reg(b, true, false, false, 16, 9, 10, A64_LSL, 5), 0x8b0a1530, "add x16, x9, x10, lsl #5");
  CHECK(a64_addsub_reg(b, true, true, true, 31, 17, 16, A64_LSL, 0), 0xeb10023f, "cmp x17, x16");
  CHECK(a64_addsub_reg(b, false, true, false, 16, 31, 5, A64_LSL, 0), 0x4b0503f0, "neg w16, w5");
  CHECK(a64_addsub_reg(b, true, false, false, 1, 2, 3, A64_ASR, 7), 0x8b831c41, "add x1, x2, x3, asr #7");
  CHECK(a64_addsub_ext(b, true, true, false, 17, 31, 16, A64_UXTX, 0), 0xcb3063f1, "sub x17, sp, x16");
  CHECK(a64_addsub_ext(b, true, false, false, 31, 31, 16, A64_UXTX, 0), 0x8b3063ff, "add sp, sp, x16");
  CHECK(a64_addsub_ext(b, true, false, false, 0, 1, 2, A64_UXTW, 2), 0x8b224820, "add x0, x1, w2, uxtw #2");
  CHECK(a64_addsub_ext(b, true, true, false, 0, 1, 2, A64_SXTW, 0), 0xcb22c020, "sub x0, x1, w2, sxtw");
  CHECK(a64_logic_reg(b, true, A64_AND, false, 1, 2, 3, A64_LSL, 0), 0x8a030041, "and x1, x2, x3");
  CHECK(a64_logic_reg(b, false, A64_ORR, false, 1, 2, 3, A64_LSL, 0), 0x2a030041, "orr w1, w2, w3");
  CHECK(a64_logic_reg(b, true, A64_EOR, false, 1, 2, 3, A64_LSR, 4), 0xca431041, "eor x1, x2, x3, lsr #4");
  CHECK(a64_logic_reg(b, true, A64_ANDS, false, 31, 2, 3, A64_LSL, 0), 0xea03005f, "tst x2, x3");
  CHECK(a64_logic_reg(b, true, A64_AND, true, 1, 2, 3, A64_LSL, 0), 0x8a230041, "bic x1, x2, x3");
  CHECK(a64_mov_reg(b, true, 28, 0), 0xaa0003fc, "mov x28, x0");
  CHECK(a64_mov_reg(b, false, 5, 6), 0x2a0603e5, "mov w5, w6");
  CHECK(a64_movw(b, true, A64_MOVZ, 16, 0x1234, 0), 0xd2824690, "movz x16, #0x1234");
  CHECK(a64_movw(b, true, A64_MOVK, 16, 0xbeef, 3), 0xf2f7ddf0, "movk x16, #0xbeef, lsl #48");
  CHECK(a64_movw(b, false, A64_MOVN, 2, 0, 0), 0x12800002, "movn w2, #0");
  CHECK(a64_movw(b, false, A64_MOVZ, 2, 0x8000, 1), 0x52b00002, "movz w2, #0x8000, lsl #16");
  CHECK(a64_shift_reg(b, true, A64_LSL, 1, 2, 3), 0x9ac32041, "lsl x1, x2, x3");
  CHECK(a64_shift_reg(b, false, A64_LSR, 1, 2, 3), 0x1ac32441, "lsr w1, w2, w3");
  CHECK(a64_shift_reg(b, true, A64_ASR, 1, 2, 3), 0x9ac32841, "asr x1, x2, x3");
  CHECK(a64_shift_reg(b, false, A64_ROR, 1, 2, 3), 0x1ac32c41, "ror w1, w2, w3");
  CHECK(a64_lsl_imm(b, true, 1, 2, 3), 0xd37df041, "lsl x1, x2, #3");
  CHECK(a64_lsl_imm(b, false, 1, 2, 31), 0x53010041, "lsl w1, w2, #31");
  CHECK(a64_lsr_imm(b, false, 1, 2, 5), 0x53057c41, "lsr w1, w2, #5");
  CHECK(a64_asr_imm(b, true, 1, 2, 63), 0x937ffc41, "asr x1, x2, #63");
  CHECK(a64_bfm(b, false, true, 1, 2, 0, 7), 0x13001c41, "sxtb w1, w2");
  CHECK(a64_bfm(b, true, true, 1, 2, 0, 15), 0x93403c41, "sxth x1, w2");
  CHECK(a64_bfm(b, true, true, 1, 2, 0, 31), 0x93407c41, "sxtw x1, w2");
  CHECK(a64_extr(b, true, 1, 2, 2, 9), 0x93c22441, "ror x1, x2, #9");
  CHECK(a64_extr(b, false, 1, 2, 3, 4), 0x13831041, "extr w1, w2, w3, #4");
  CHECK(a64_csel(b, true, A64_CSEL, 1, 2, 3, A64_NE), 0x9a831041, "csel x1, x2, x3, ne");
  CHECK(a64_csel(b, false, A64_CSINC, 1, 2, 3, A64_LT), 0x1a83b441, "csinc w1, w2, w3, lt");
  CHECK(a64_csel(b, true, A64_CSINV, 1, 2, 3, A64_HI), 0xda838041, "csinv x1, x2, x3, hi");
  CHECK(a64_csel(b, true, A64_CSNEG, 1, 2, 3, A64_GE), 0xda83a441, "csneg x1, x2, x3, ge");
  CHECK(a64_cset(b, false, 4, A64_EQ), 0x1a9f17e4, "cset w4, eq");
  CHECK(a64_cset(b, false, 4, A64_LO), 0x1a9f27e4, "cset w4, lo");
  CHECK(a64_mul(b, true, 1, 2, 3), 0x9b037c41, "mul x1, x2, x3");
  CHECK(a64_madd(b, false, false, 1, 2, 3, 4), 0x1b031041, "madd w1, w2, w3, w4");
  CHECK(a64_madd(b, true, true, 1, 16, 3, 2), 0x9b038a01, "msub x1, x16, x3, x2");
  CHECK(a64_div(b, true, true, 1, 2, 3), 0x9ac30c41, "sdiv x1, x2, x3");
  CHECK(a64_div(b, false, false, 1, 2, 3), 0x1ac30841, "udiv w1, w2, w3");
  CHECK(a64_clz(b, true, 1, 2), 0xdac01041, "clz x1, x2");
  CHECK(a64_clz(b, false, 1, 2), 0x5ac01041, "clz w1, w2");
  CHECK(a64_rbit(b, true, 16, 2), 0xdac00050, "rbit x16, x2");
  CHECK(a64_rbit(b, false, 16, 2), 0x5ac00050, "rbit w16, w2");
}

Test(a64_asm, loads_and_stores) {
  CHECK(a64_ldst_uimm(b, A64_LDR_X, 1, 2, 8), 0xf9400441, "ldr x1, [x2, #8]");
  CHECK(a64_ldst_uimm(b, A64_STR_X, 1, 31, 32760), 0xf93fffe1, "str x1, [sp, #32760]");
  CHECK(a64_ldst_uimm(b, A64_LDR_W, 1, 2, 16380), 0xb97ffc41, "ldr w1, [x2, #16380]");
  CHECK(a64_ldst_uimm(b, A64_STR_W, 31, 2, 4), 0xb900045f, "str wzr, [x2, #4]");
  CHECK(a64_ldst_uimm(b, A64_LDRB, 1, 27, 4095), 0x397fff61, "ldrb w1, [x27, #4095]");
  CHECK(a64_ldst_uimm(b, A64_LDRSB_X, 1, 2, 1), 0x39800441, "ldrsb x1, [x2, #1]");
  CHECK(a64_ldst_uimm(b, A64_LDRSB_W, 1, 2, 1), 0x39c00441, "ldrsb w1, [x2, #1]");
  CHECK(a64_ldst_uimm(b, A64_LDRH, 1, 2, 2), 0x79400441, "ldrh w1, [x2, #2]");
  CHECK(a64_ldst_uimm(b, A64_LDRSH_X, 1, 2, 2), 0x79800441, "ldrsh x1, [x2, #2]");
  CHECK(a64_ldst_uimm(b, A64_LDRSH_W, 1, 2, 2), 0x79c00441, "ldrsh w1, [x2, #2]");
  CHECK(a64_ldst_uimm(b, A64_STRB, 1, 2, 3), 0x39000c41, "strb w1, [x2, #3]");
  CHECK(a64_ldst_uimm(b, A64_STRH, 1, 2, 6), 0x79000c41, "strh w1, [x2, #6]");
  CHECK(a64_ldst_uimm(b, A64_LDRSW, 1, 2, 4), 0xb9800441, "ldrsw x1, [x2, #4]");
  CHECK(a64_ldst_uimm(b, A64_LDR_S, 1, 2, 4), 0xbd400441, "ldr s1, [x2, #4]");
  CHECK(a64_ldst_uimm(b, A64_STR_S, 1, 2, 4), 0xbd000441, "str s1, [x2, #4]");
  CHECK(a64_ldst_uimm(b, A64_LDR_D, 1, 2, 8), 0xfd400441, "ldr d1, [x2, #8]");
  CHECK(a64_ldst_uimm(b, A64_STR_D, 0, 9, 0), 0xfd000120, "str d0, [x9]");
  CHECK(a64_ldst_uimm(b, A64_LDR_Q, 1, 2, 16), 0x3dc00441, "ldr q1, [x2, #16]");
  CHECK(a64_ldst_uimm(b, A64_STR_Q, 1, 2, 32), 0x3d800841, "str q1, [x2, #32]");
  CHECK(a64_ldst_unscaled(b, A64_LDR_X, 9, 29, -16), 0xf85f03a9, "ldur x9, [x29, #-16]");
  CHECK(a64_ldst_unscaled(b, A64_STR_W, 1, 29, -256), 0xb81003a1, "stur w1, [x29, #-256]");
  CHECK(a64_ldst_unscaled(b, A64_LDR_D, 1, 29, 255), 0xfc4ff3a1, "ldur d1, [x29, #255]");
  CHECK(a64_ldst_pre(b, A64_STR_X, 1, 31, -16), 0xf81f0fe1, "str x1, [sp, #-16]!");
  CHECK(a64_ldst_post(b, A64_LDR_X, 1, 31, 16), 0xf84107e1, "ldr x1, [sp], #16");
  CHECK(a64_ldst_reg(b, A64_LDR_W, 0, 27, 1, A64_UXTW, false), 0xb8614b60, "ldr w0, [x27, w1, uxtw]");
  CHECK(a64_ldst_reg(b, A64_STR_X, 0, 27, 16, A64_UXTX, false), 0xf8306b60, "str x0, [x27, x16]");
  CHECK(a64_ldst_reg(b, A64_LDRSW, 17, 16, 3, A64_UXTW, true), 0xb8a35a11, "ldrsw x17, [x16, w3, uxtw #2]");
  CHECK(a64_ldst_reg(b, A64_LDR_X, 1, 2, 3, A64_UXTX, true), 0xf8637841, "ldr x1, [x2, x3, lsl #3]");
  CHECK(a64_ldst_reg(b, A64_LDRB, 1, 2, 3, A64_SXTW, false), 0x3863c841, "ldrb w1, [x2, w3, sxtw]");
  CHECK(a64_ldst_reg(b, A64_STRH, 1, 2, 3, A64_UXTW, false), 0x78234841, "strh w1, [x2, w3, uxtw]");
  CHECK(a64_ldst_reg(b, A64_LDR_D, 1, 2, 3, A64_UXTW, false), 0xfc634841, "ldr d1, [x2, w3, uxtw]");
  CHECK(a64_ldst_reg(b, A64_STR_S, 1, 2, 3, A64_UXTX, false), 0xbc236841, "str s1, [x2, x3]");
  CHECK(a64_ldstp(b, false, false, A64_PRE, 29, 30, 31, -16), 0xa9bf7bfd, "stp x29, x30, [sp, #-16]!");
  CHECK(a64_ldstp(b, true, false, A64_POST, 29, 30, 31, 16), 0xa8c17bfd, "ldp x29, x30, [sp], #16");
  CHECK(a64_ldstp(b, false, false, A64_OFFSET, 19, 20, 29, -32), 0xa93e53b3, "stp x19, x20, [x29, #-32]");
  CHECK(a64_ldstp(b, true, true, A64_OFFSET, 8, 9, 29, -112), 0x6d7927a8, "ldp d8, d9, [x29, #-112]");
  CHECK(a64_ldstp(b, false, false, A64_POST, 31, 31, 16, 16), 0xa8817e1f, "stp xzr, xzr, [x16], #16");
  CHECK(a64_ldstp(b, false, false, A64_OFFSET, 1, 2, 3, 504), 0xa91f8861, "stp x1, x2, [x3, #504]");
  CHECK(a64_ldstp(b, true, false, A64_OFFSET, 1, 2, 3, -512), 0xa9600861, "ldp x1, x2, [x3, #-512]");
}

Test(a64_asm, branches) {
  CHECK(a64_b(b, 8), 0x14000002, "b .+8");
  CHECK(a64_b(b, -4), 0x17ffffff, "b .-4");
  CHECK(a64_bl(b, 0x1000), 0x94000400, "bl .+0x1000");
  CHECK(a64_bcond(b, A64_EQ, 8), 0x54000040, "b.eq .+8");
  CHECK(a64_bcond(b, A64_LO, -8), 0x54ffffc3, "b.lo .-8");
  CHECK(a64_bcond(b, A64_VS, 0x100), 0x54000806, "b.vs .+0x100");
  CHECK(a64_cbz(b, true, false, 3, 16), 0xb4000083, "cbz x3, .+16");
  CHECK(a64_cbz(b, false, true, 3, -16), 0x35ffff83, "cbnz w3, .-16");
  CHECK(a64_tbz(b, false, 3, 5, 12), 0x36280063, "tbz w3, #5, .+12");
  CHECK(a64_tbz(b, true, 3, 40, -12), 0xb747ffa3, "tbnz x3, #40, .-12");
  CHECK(a64_adr(b, 16, 16), 0x10000090, "adr x16, .+16");
  CHECK(a64_adr(b, 1, -3), 0x30ffffe1, "adr x1, .-3");
  CHECK(a64_br(b, 16), 0xd61f0200, "br x16");
  CHECK(a64_blr(b, 3), 0xd63f0060, "blr x3");
  CHECK(a64_ret(b), 0xd65f03c0, "ret");
  CHECK(a64_udf(b, 5), 0x00000005, "udf #5");
}

Test(a64_asm, floating_point_and_simd) {
  CHECK(a64_fp2(b, false, A64_FADD, 1, 2, 3), 0x1e232841, "fadd s1, s2, s3");
  CHECK(a64_fp2(b, true, A64_FSUB, 1, 2, 3), 0x1e633841, "fsub d1, d2, d3");
  CHECK(a64_fp2(b, true, A64_FMUL, 1, 2, 3), 0x1e630841, "fmul d1, d2, d3");
  CHECK(a64_fp2(b, false, A64_FDIV, 1, 2, 3), 0x1e231841, "fdiv s1, s2, s3");
  CHECK(a64_fp2(b, true, A64_FMIN, 1, 2, 3), 0x1e635841, "fmin d1, d2, d3");
  CHECK(a64_fp2(b, false, A64_FMAX, 1, 2, 3), 0x1e234841, "fmax s1, s2, s3");
  CHECK(a64_fp1(b, true, A64_FMOV, 1, 2), 0x1e604041, "fmov d1, d2");
  CHECK(a64_fp1(b, false, A64_FABS, 1, 2), 0x1e20c041, "fabs s1, s2");
  CHECK(a64_fp1(b, true, A64_FNEG, 1, 2), 0x1e614041, "fneg d1, d2");
  CHECK(a64_fp1(b, true, A64_FSQRT, 1, 2), 0x1e61c041, "fsqrt d1, d2");
  CHECK(a64_fp1(b, false, A64_FRINTP, 1, 2), 0x1e24c041, "frintp s1, s2");
  CHECK(a64_fp1(b, true, A64_FRINTM, 1, 2), 0x1e654041, "frintm d1, d2");
  CHECK(a64_fp1(b, true, A64_FRINTZ, 1, 2), 0x1e65c041, "frintz d1, d2");
  CHECK(a64_fp1(b, false, A64_FRINTN, 1, 2), 0x1e244041, "frintn s1, s2");
  CHECK(a64_fp1(b, true, A64_FCVT_TO_S, 1, 2), 0x1e624041, "fcvt s1, d2");
  CHECK(a64_fp1(b, false, A64_FCVT_TO_D, 1, 2), 0x1e22c041, "fcvt d1, s2");
  CHECK(a64_fcmp(b, false, 1, 2), 0x1e222020, "fcmp s1, s2");
  CHECK(a64_fcmp(b, true, 31, 30), 0x1e7e23e0, "fcmp d31, d30");
  CHECK(a64_fcsel(b, true, 1, 2, 3, A64_NE), 0x1e631c41, "fcsel d1, d2, d3, ne");
  CHECK(a64_fpint(b, false, false, A64_FCVTZS, 1, 2), 0x1e380041, "fcvtzs w1, s2");
  CHECK(a64_fpint(b, true, true, A64_FCVTZS, 1, 2), 0x9e780041, "fcvtzs x1, d2");
  CHECK(a64_fpint(b, false, true, A64_FCVTZU, 1, 2), 0x1e790041, "fcvtzu w1, d2");
  CHECK(a64_fpint(b, true, false, A64_FCVTZU, 1, 2), 0x9e390041, "fcvtzu x1, s2");
  CHECK(a64_fpint(b, false, true, A64_SCVTF, 1, 2), 0x1e620041, "scvtf d1, w2");
  CHECK(a64_fpint(b, true, false, A64_SCVTF, 1, 2), 0x9e220041, "scvtf s1, x2");
  CHECK(a64_fpint(b, true, true, A64_UCVTF, 1, 2), 0x9e630041, "ucvtf d1, x2");
  CHECK(a64_fpint(b, false, false, A64_UCVTF, 1, 2), 0x1e230041, "ucvtf s1, w2");
  CHECK(a64_fpint(b, false, false, A64_FMOV_TO_GPR, 1, 2), 0x1e260041, "fmov w1, s2");
  CHECK(a64_fpint(b, true, true, A64_FMOV_TO_GPR, 1, 2), 0x9e660041, "fmov x1, d2");
  CHECK(a64_fpint(b, false, false, A64_FMOV_FROM_GPR, 1, 2), 0x1e270041, "fmov s1, w2");
  CHECK(a64_fpint(b, true, true, A64_FMOV_FROM_GPR, 31, 16), 0x9e67021f, "fmov d31, x16");
  CHECK(a64_fpint(b, true, true, A64_FMOV_FROM_GPR, 1, 31), 0x9e6703e1, "fmov d1, xzr");
  CHECK(a64_fmov_imm(b, true, 1, 0x70), 0x1e6e1001, "fmov d1, #1.0");
  CHECK(a64_fmov_imm(b, false, 1, 0xf0), 0x1e3e1001, "fmov s1, #-1.0");
  CHECK(a64_cnt8b(b, 31, 31), 0x0e205bff, "cnt v31.8b, v31.8b");
  CHECK(a64_addv8b(b, 31, 31), 0x0e31bbff, "addv b31, v31.8b");
  CHECK(a64_mov_v(b, 1, 2), 0x4ea21c41, "mov v1.16b, v2.16b");
}

Test(a64_asm, logical_immediates) {
  {
    uint32_t nrs;
    cr_assert(a64_logical_imm(0xffull, true, &nrs), "and x0, x1, #0xff");
    CHECK(a64_logic_imm(b, true, A64_AND, 0, 1, nrs), 0x92401c20, "and x0, x1, #0xff");
  }
  {
    uint32_t nrs;
    cr_assert(a64_logical_imm(0x80000000ull, false, &nrs), "orr w0, w1, #0x80000000");
    CHECK(a64_logic_imm(b, false, A64_ORR, 0, 1, nrs), 0x32010020, "orr w0, w1, #0x80000000");
  }
  {
    uint32_t nrs;
    cr_assert(a64_logical_imm(0x7fffffffull, false, &nrs), "and w0, w1, #0x7fffffff");
    CHECK(a64_logic_imm(b, false, A64_AND, 0, 1, nrs), 0x12007820, "and w0, w1, #0x7fffffff");
  }
  {
    uint32_t nrs;
    cr_assert(a64_logical_imm(0x5555555555555555ull, true, &nrs), "eor x0, x1, #0x5555555555555555");
    CHECK(a64_logic_imm(b, true, A64_EOR, 0, 1, nrs), 0xd200f020, "eor x0, x1, #0x5555555555555555");
  }
  {
    uint32_t nrs;
    cr_assert(a64_logical_imm(0xfffffff0ull, false, &nrs), "and w0, w1, #0xfffffff0");
    CHECK(a64_logic_imm(b, false, A64_AND, 0, 1, nrs), 0x121c6c20, "and w0, w1, #0xfffffff0");
  }
  {
    uint32_t nrs;
    cr_assert(a64_logical_imm(0x7fffffffffffffffull, true, &nrs), "and x0, x1, #0x7fffffffffffffff");
    CHECK(a64_logic_imm(b, true, A64_AND, 0, 1, nrs), 0x9240f820, "and x0, x1, #0x7fffffffffffffff");
  }
  {
    uint32_t nrs;
    cr_assert(a64_logical_imm(0x8000000000000000ull, true, &nrs), "and x0, x1, #0x8000000000000000");
    CHECK(a64_logic_imm(b, true, A64_AND, 0, 1, nrs), 0x92410020, "and x0, x1, #0x8000000000000000");
  }
  {
    uint32_t nrs;
    cr_assert(a64_logical_imm(0x0f0f0f0f0f0f0f0full, true, &nrs), "and x0, x1, #0x0f0f0f0f0f0f0f0f");
    CHECK(a64_logic_imm(b, true, A64_AND, 0, 1, nrs), 0x9200cc20, "and x0, x1, #0x0f0f0f0f0f0f0f0f");
  }
  {
    uint32_t nrs;
    cr_assert(a64_logical_imm(0x00ff00ffull, false, &nrs), "orr w0, w1, #0x00ff00ff");
    CHECK(a64_logic_imm(b, false, A64_ORR, 0, 1, nrs), 0x32009c20, "orr w0, w1, #0x00ff00ff");
  }
  {
    uint32_t nrs;
    cr_assert(a64_logical_imm(0xfull, true, &nrs), "ands xzr, x1, #0xf");
    CHECK(a64_logic_imm(b, true, A64_ANDS, 31, 1, nrs), 0xf2400c3f, "ands xzr, x1, #0xf");
  }
  uint32_t nrs;
  /* all zeros, all ones and irregular patterns have no encoding */
  cr_expect(!a64_logical_imm(0, true, &nrs));
  cr_expect(!a64_logical_imm(~0ull, true, &nrs));
  cr_expect(!a64_logical_imm(0xffffffffull, false, &nrs));
  cr_expect(!a64_logical_imm(0x12345678ull, false, &nrs));
  cr_expect(!a64_logical_imm(0x00000000ffff0001ull, true, &nrs));
  cr_expect(!a64_logical_imm(0x5ull, true, &nrs));
}

Test(a64_asm, mov_imm_picks_short_sequences) {
  {
    static const uint32_t want[] = {0xd2800003}; /* movz x3, #0 */
    jit_buf buf = {0};
    a64_mov_imm(&buf, true, 3, 0);
    check_words(&buf, want, 1, "0");
    jit_buf_free(&buf);
  }
  {
    static const uint32_t want[] = {0x52800543}; /* movz w3, #42 */
    jit_buf buf = {0};
    a64_mov_imm(&buf, false, 3, 42);
    check_words(&buf, want, 1, "42");
    jit_buf_free(&buf);
  }
  {
    static const uint32_t want[] = {0x528acf03, 0x72a24683}; /* movz w3, #0x5678; movk w3, #0x1234, lsl #16 */
    jit_buf buf = {0};
    a64_mov_imm(&buf, false, 3, 0x12345678);
    check_words(&buf, want, 2, "0x12345678");
    jit_buf_free(&buf);
  }
  {
    static const uint32_t want[] = {0x12800003}; /* movn w3, #0 */
    jit_buf buf = {0};
    a64_mov_imm(&buf, false, 3, 0xffffffffull);
    check_words(&buf, want, 1, "0xffffffffull");
    jit_buf_free(&buf);
  }
  {
    static const uint32_t want[] = {0x12800023}; /* movn w3, #1 */
    jit_buf buf = {0};
    a64_mov_imm(&buf, false, 3, 0xfffffffeull);
    check_words(&buf, want, 1, "0xfffffffeull");
    jit_buf_free(&buf);
  }
  {
    static const uint32_t want[] = {0x929db963}; /* movn x3, #0xedcb */
    jit_buf buf = {0};
    a64_mov_imm(&buf, true, 3, 0xffffffffffff1234ull);
    check_words(&buf, want, 1, "0xffffffffffff1234ull");
    jit_buf_free(&buf);
  }
  {
    static const uint32_t want[] = {0xd29bde03, 0xf2b35783, 0xf2cacf03, 0xf2e24683}; /* movz x3, #0xdef0; movk x3, #0x9abc, lsl #16; movk x3, #0x5678, lsl #32; movk x3, #0x1234, lsl #48 */
    jit_buf buf = {0};
    a64_mov_imm(&buf, true, 3, 0x123456789abcdef0ull);
    check_words(&buf, want, 4, "0x123456789abcdef0ull");
    jit_buf_free(&buf);
  }
  {
    static const uint32_t want[] = {0xd2f00003}; /* movz x3, #0x8000, lsl #48 */
    jit_buf buf = {0};
    a64_mov_imm(&buf, true, 3, 0x8000000000000000ull);
    check_words(&buf, want, 1, "0x8000000000000000ull");
    jit_buf_free(&buf);
  }
  {
    static const uint32_t want[] = {0xb2009fe3}; /* orr x3, xzr, #0x00ff00ff00ff00ff */
    jit_buf buf = {0};
    a64_mov_imm(&buf, true, 3, 0x00ff00ff00ff00ffull);
    check_words(&buf, want, 1, "0x00ff00ff00ff00ffull");
    jit_buf_free(&buf);
  }
  {
    static const uint32_t want[] = {0x92dfffe3}; /* movn x3, #0xffff, lsl #32 */
    jit_buf buf = {0};
    a64_mov_imm(&buf, true, 3, 0xffff0000ffffffffull);
    check_words(&buf, want, 1, "0xffff0000ffffffffull");
    jit_buf_free(&buf);
  }
}
static uint64_t f64_bits(double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  return u;
}

static uint64_t f32_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

Test(a64_asm, fp_immediates) {
  uint8_t imm8 = 0;
  cr_expect(a64_fp_imm8(true, f64_bits(1.0), &imm8) && imm8 == 0x70);
  cr_expect(a64_fp_imm8(false, f32_bits(-1.0f), &imm8) && imm8 == 0xf0);
  cr_expect(a64_fp_imm8(true, f64_bits(2.0), &imm8) && imm8 == 0x00);
  cr_expect(a64_fp_imm8(true, f64_bits(0.5), &imm8) && imm8 == 0x60);
  cr_expect(a64_fp_imm8(false, f32_bits(31.0f), &imm8) && imm8 == 0x3f);
  cr_expect(a64_fp_imm8(false, f32_bits(0.125f), &imm8) && imm8 == 0x40);
  /* zero, values needing more mantissa bits and large exponents do not fit */
  cr_expect(!a64_fp_imm8(true, f64_bits(0.0), &imm8));
  cr_expect(!a64_fp_imm8(true, f64_bits(0.1), &imm8));
  cr_expect(!a64_fp_imm8(false, f32_bits(33.0f), &imm8));
  cr_expect(!a64_fp_imm8(true, f64_bits(2147483648.0), &imm8));
  cr_expect(!a64_fp_imm8(false, f32_bits(1.0f / 0.0f), &imm8));
}

Test(a64_asm, immediate_ranges) {
  cr_expect(a64_addsub_imm_ok(0));
  cr_expect(a64_addsub_imm_ok(4095));
  cr_expect(!a64_addsub_imm_ok(4097));
  cr_expect(a64_addsub_imm_ok(0x7ff000));
  cr_expect(!a64_addsub_imm_ok(0x1000000));
  cr_expect(a64_ldst_uimm_ok(A64_LDR_X, 32760));
  cr_expect(!a64_ldst_uimm_ok(A64_LDR_X, 32768));
  cr_expect(!a64_ldst_uimm_ok(A64_LDR_X, 4)); /* not a multiple of 8 */
  cr_expect(!a64_ldst_uimm_ok(A64_LDR_W, -4));
  cr_expect(a64_ldst_uimm_ok(A64_LDRB, 4095));
  cr_expect(a64_ldst_uimm_ok(A64_LDR_Q, 16 * 4095));
  cr_expect_eq(a64_ldst_log2size(A64_LDR_Q), 4);
  cr_expect_eq(a64_ldst_log2size(A64_LDRSH_X), 1);
}

/* Patching keeps every other field of the branch word. */
Test(a64_asm, branch_offsets_patch_in_place) {
  /* b.lo .+8 -> b.lo .-8 */
  cr_expect_eq(a64_branch_with_offset(0x54000043u, -8), 0x54ffffc3u);
  /* b .+8 -> b .+0x1000 */
  cr_expect_eq(a64_branch_with_offset(0x14000002u, 0x1000), 0x14000400u);
  /* bl .+0x1000 -> bl .-4 */
  cr_expect_eq(a64_branch_with_offset(0x94000400u, -4), 0x97ffffffu);
  /* cbz x3, .+16 -> cbz x3, .+4 */
  cr_expect_eq(a64_branch_with_offset(0xb4000083u, 4), 0xb4000023u);
  /* tbnz x3, #40, .-12 -> tbnz x3, #40, .+12 */
  cr_expect_eq(a64_branch_with_offset(0xb747ffa3u, 12), 0xb7400063u);
  /* adr x16, .+16 -> adr x16, .-3 */
  cr_expect_eq(a64_branch_with_offset(0x10000090u, -3), 0x30fffff0u);
  cr_expect_eq(a64_cond_invert(A64_EQ), A64_NE);
  cr_expect_eq(a64_cond_invert(A64_HS), A64_LO);
  cr_expect_eq(a64_cond_invert(A64_GT), A64_LE);
}

/* ---- MacroAssembler sequences (words again from the GNU assembler) ---- */

#include "masm.h"
#include "wrun.h"

/* Without -Dsp_check the masm emits no run-time SP checks, so the exact
 * sequences below hold only then. */
#ifndef WRUN_SP_CHECK

Test(a64_masm, memory_access_records_the_faulting_word) {
  jit_masm m;
  jit_masm_init(&m);
  a64_masm_load_mem(&m, JM_I32_LOAD, 0, jit_reg_opnd(1), 0);
  a64_masm_load_mem(&m, JM_I32_LOAD, 0, jit_reg_opnd(1), 16);
  a64_masm_load_mem(&m, JM_I64_LOAD8_S, 2, jit_imm_opnd(60), 40);
  static const uint32_t want[] = {
      0xb8614b60, /* ldr w0, [x27, w1, uxtw] */
      0x91004030, /* add x16, x1, #16 */
      0xb8706b60, /* ldr w0, [x27, x16] */
      0x39819362, /* ldrsb x2, [x27, #100] */
  };
  check_words(&m.buf, want, 4, "loads");
  cr_assert_eq(m.ntraps, 3);
  cr_expect_eq(m.traps[0].offset, 0);
  cr_expect_eq(m.traps[1].offset, 8);
  cr_expect_eq(m.traps[2].offset, 12);
  for (uint32_t i = 0; i < 3; i++)
    cr_expect_eq(m.traps[i].code, WRUN_TRAP_MEMORY_OOB);
  jit_masm_free(&m);
}

Test(a64_masm, prologue_checks_the_stack_and_gets_its_frame_patched) {
  jit_masm m;
  jit_masm_init(&m);
  jit_label overflow;
  jit_label_init(&overflow);
  a64_masm_prologue(&m, a64_target.vmctx_reg, 16, &overflow);
  a64_masm_bind(&m, &overflow);
  a64_masm_trap(&m, WRUN_TRAP_STACK_EXHAUSTED);
  a64_masm_finish_frame(&m, 40); /* rounded up to 48 */
  static const uint32_t want[] = {
      0xa9bf7bfd, /* stp x29, x30, [sp, #-16]! */
      0x910003fd, /* mov x29, sp */
      0xd2800610, /* movz x16, #48 */
      0xf2a00010, /* movk x16, #0, lsl #16 */
      0xcb3063f1, /* sub x17, sp, x16 */
      0xf9400b90, /* ldr x16, [x28, #16]: the vmctx register */
      0xeb10023f, /* cmp x17, x16 */
      0x54000043, /* b.lo .+8 */
      0x9100023f, /* mov sp, x17 */
      0x0000000a, /* udf #10 */
  };
  check_words(&m.buf, want, 10, "prologue");
  cr_assert_eq(m.ntraps, 1);
  cr_expect_eq(m.traps[0].offset, 36);
  cr_expect_eq(m.traps[0].code, WRUN_TRAP_STACK_EXHAUSTED);
  cr_expect(!m.oom);
  jit_masm_free(&m);
}

Test(a64_masm, jump_table_entries_are_relative_to_the_table) {
  jit_masm m;
  jit_masm_init(&m);
  jit_label dflt, t0, t1;
  jit_label_init(&dflt);
  jit_label_init(&t0);
  jit_label_init(&t1);
  jit_label *targets[] = {&t0, &t1};
  a64_masm_jump_table(&m, 3, 2, targets, &dflt);
  a64_masm_bind(&m, &dflt);
  a64_masm_bind(&m, &t0);
  a64_masm_trap(&m, WRUN_TRAP_UNREACHABLE);
  a64_masm_bind(&m, &t1);
  static const uint32_t want[] = {
      0x7100087f, /* cmp w3, #2 */
      0x540000e2, /* b.hs .+28 */
      0x10000090, /* adr x16, .+16 */
      0xb8a35a11, /* ldrsw x17, [x16, w3, uxtw #2] */
      0x8b110210, /* add x16, x16, x17 */
      0xd61f0200, /* br x16 */
      8,          /* t0 - table */
      12,         /* t1 - table */
      0x00000001, /* udf #1 */
  };
  check_words(&m.buf, want, 9, "jump table");
  jit_masm_free(&m);
}

Test(a64_masm, signed_division_checks_zero_and_overflow) {
  jit_masm m;
  jit_masm_init(&m);
  jit_label div_zero, overflow;
  jit_label_init(&div_zero);
  jit_label_init(&overflow);
  a64_masm_divrem(&m, JD_DIV_S, JT_I32, 6, 5, 4, &div_zero, &overflow);
  a64_masm_bind(&m, &div_zero);
  a64_masm_bind(&m, &overflow);
  static const uint32_t want[] = {
      0x340000c4, /* cbz w4, .+24 */
      0x3100049f, /* cmn w4, #1 */
      0x54000061, /* b.ne .+12 */
      0x710004bf, /* cmp w5, #1 */
      0x54000046, /* b.vs .+8 */
      0x1ac40ca6, /* sdiv w6, w5, w4 */
  };
  check_words(&m.buf, want, 6, "div_s");
  jit_masm_free(&m);
}

#endif

/* Advanced SIMD forms used by the v128 lowering (jit/arm64/masm_simd.c). */
Test(a64_asm, simd_arith) {
  CHECK(a64_simd_3same(b, true, false, 0, 0x10, 0, 1, 2), 0x4e228420, "add v0.16b, v1.16b, v2.16b");
  CHECK(a64_simd_3same(b, true, true, 3, 0x10, 3, 4, 5), 0x6ee58483, "sub v3.2d, v4.2d, v5.2d");
  CHECK(a64_simd_3same(b, true, true, 1, 0x06, 1, 2, 3), 0x6e633441, "cmhi v1.8h, v2.8h, v3.8h");
  CHECK(a64_simd_3same(b, true, true, 1, 0x03, 31, 1, 2), 0x6e621c3f, "bsl v31.16b, v1.16b, v2.16b");
  CHECK(a64_simd_3same(b, true, false, 3, 0x1e, 0, 1, 2), 0x4ee2f420, "fmin v0.2d, v1.2d, v2.2d");
  CHECK(a64_simd_3same(b, true, true, 2, 0x1c, 4, 5, 6), 0x6ea6e4a4, "fcmgt v4.4s, v5.4s, v6.4s");
  CHECK(a64_simd_3same(b, true, true, 1, 0x16, 7, 8, 9), 0x6e69b507, "sqrdmulh v7.8h, v8.8h, v9.8h");
  CHECK(a64_simd_2misc(b, true, false, 3, 0x0b, 0, 1), 0x4ee0b820, "abs v0.2d, v1.2d");
  CHECK(a64_simd_2misc(b, true, true, 0, 0x05, 2, 3), 0x6e205862, "mvn v2.16b, v3.16b");
  CHECK(a64_simd_2misc(b, true, true, 3, 0x1b, 1, 2), 0x6ee1b841, "fcvtzu v1.2d, v2.2d");
  CHECK(a64_simd_2misc(b, false, false, 0, 0x14, 0, 1), 0x0e214820, "sqxtn v0.8b, v1.8h");
  CHECK(a64_simd_2misc(b, true, true, 0, 0x12, 0, 1), 0x6e212820, "sqxtun2 v0.16b, v1.8h");
  CHECK(a64_simd_2misc(b, false, false, 1, 0x16, 2, 3), 0x0e616862, "fcvtn v2.2s, v3.2d");
  CHECK(a64_simd_2misc(b, true, false, 0, 0x19, 4, 5), 0x4e2198a4, "frintm v4.4s, v5.4s");
  CHECK(a64_simd_3diff(b, true, false, 1, 0xc, 0, 1, 2), 0x4e62c020, "smull2 v0.4s, v1.8h, v2.8h");
  CHECK(a64_simd_3diff(b, false, true, 2, 0xc, 0, 1, 2), 0x2ea2c020, "umull v0.2d, v1.2s, v2.2s");
  CHECK(a64_simd_shift_imm(b, true, false, 9, 0x00, 31, 1), 0x4f09043f, "sshr v31.16b, v1.16b, #7");
  CHECK(a64_simd_shift_imm(b, true, true, 8, 0x14, 0, 1), 0x6f08a420, "ushll2 v0.8h, v1.16b, #0");
  CHECK(a64_simd_shift_imm(b, true, false, 37, 0x0a, 2, 3), 0x4f255462, "shl v2.4s, v3.4s, #5");
  CHECK(a64_simd_across(b, true, true, 1, 0x1a, 31, 1), 0x6e71a83f, "uminv h31, v1.8h");
  CHECK(a64_simd_across(b, true, false, 2, 0x1b, 31, 2), 0x4eb1b85f, "addv s31, v2.4s");
}

Test(a64_asm, simd_lanes_and_memory) {
  CHECK(a64_simd_copy(b, true, false, 8, 1, 31, 16), 0x4e080e1f, "dup v31.2d, x16");
  CHECK(a64_simd_copy(b, true, false, 4, 0, 1, 2), 0x4e040441, "dup v1.4s, v2.s[0]");
  CHECK(a64_simd_copy(b, false, false, 31, 7, 3, 4), 0x0e1f3c83, "umov w3, v4.b[15]");
  CHECK(a64_simd_copy(b, false, false, 30, 5, 3, 4), 0x0e1e2c83, "smov w3, v4.h[7]");
  CHECK(a64_simd_copy(b, true, false, 24, 7, 5, 6), 0x4e183cc5, "mov x5, v6.d[1]");
  CHECK(a64_simd_copy(b, true, false, 24, 3, 1, 16), 0x4e181e01, "mov v1.d[1], x16");
  CHECK(a64_simd_copy(b, true, true, 28, 0, 2, 3), 0x6e1c0462, "mov v2.s[3], v3.s[0]");
  CHECK(a64_simd_dup_scalar(b, 28, 1, 2), 0x5e1c0441, "mov s1, v2.s[3]");
  CHECK(a64_simd_tbl(b, 2, 0, 30, 0), 0x4e0023c0, "tbl v0.16b, {v30.16b, v31.16b}, v0.16b");
  CHECK(a64_simd_tbl(b, 1, 1, 2, 3), 0x4e030041, "tbl v1.16b, {v2.16b}, v3.16b");
  CHECK(a64_simd_ext(b, 31, 31, 31, 8), 0x6e1f43ff, "ext v31.16b, v31.16b, v31.16b, #8");
  CHECK(a64_simd_ld1r(b, 1, 5, 16), 0x4d40c605, "ld1r {v5.8h}, [x16]");
  CHECK(a64_simd_ldst1_lane(b, true, 0, 13, 1, 16), 0x4d401601, "ld1 {v1.b}[13], [x16]");
  CHECK(a64_simd_ldst1_lane(b, true, 1, 5, 2, 16), 0x4d404a02, "ld1 {v2.h}[5], [x16]");
  CHECK(a64_simd_ldst1_lane(b, false, 2, 3, 3, 16), 0x4d009203, "st1 {v3.s}[3], [x16]");
  CHECK(a64_simd_ldst1_lane(b, false, 3, 1, 4, 16), 0x4d008604, "st1 {v4.d}[1], [x16]");
  CHECK(a64_simd_ldst1_lane(b, true, 3, 0, 4, 16), 0x0d408604, "ld1 {v4.d}[0], [x16]");
}
