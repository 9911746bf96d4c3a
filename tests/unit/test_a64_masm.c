/* The AArch64 MacroAssembler's branches to labels over distances beyond
 * the +-1 MiB of b.cond/cbz: functions of several MiB are emitted with the
 * a64 masm API (which only writes bytes, so this runs on any host) and the
 * branch words are decoded to check where each path lands. */
#include <criterion/criterion.h>
#include <string.h>

#include "arm64/asm.h"
#include "masm.h"

#define MIB (1u << 20)
#define REG 0 /* x0/w0: allocatable */

static uint32_t word_at(const jit_masm *m, uint32_t at) {
  uint32_t w;
  cr_assert(at + 4 <= m->buf.size, "offset %u beyond the code", at);
  memcpy(&w, m->buf.data + at, 4);
  return w;
}

static int32_t sign_extend(uint32_t v, unsigned bits) {
  uint32_t sign = 1u << (bits - 1);
  return (int32_t)((v ^ sign) - sign);
}

static bool is_b(uint32_t w) { return (w & 0xFC000000u) == 0x14000000u; }
static bool is_bcond(uint32_t w) { return (w & 0xFF000010u) == 0x54000000u; }
static bool is_cbz(uint32_t w) { return (w & 0x7E000000u) == 0x34000000u; }

/* Where the branch word at `at` goes when taken. */
static uint32_t branch_target(const jit_masm *m, uint32_t at) {
  uint32_t w = word_at(m, at);
  int32_t off = 0;
  if (is_b(w)) off = sign_extend(w & 0x3ffffff, 26) * 4;
  else if (is_bcond(w) || is_cbz(w)) off = sign_extend((w >> 5) & 0x7ffff, 19) * 4;
  else cr_assert_fail("word %08x at %u is no branch", w, at);
  return (uint32_t)((int64_t)at + off);
}

/* The taken path of the conditional branch at `at`, through at most one
 * veneer (a b). */
static uint32_t taken_destination(const jit_masm *m, uint32_t at) {
  uint32_t t = branch_target(m, at);
  if (is_b(word_at(m, t))) t = branch_target(m, t);
  return t;
}

/* Follows the fall-through path from `from` to `to`: every word on the way
 * is `filler` except unconditional branches over veneer islands, which
 * must jump forward. Returns how many islands were crossed. */
static unsigned walk_filler(const jit_masm *m, uint32_t from, uint32_t to,
                            uint32_t filler) {
  unsigned islands = 0;
  uint32_t pc = from;
  while (pc < to) {
    uint32_t w = word_at(m, pc);
    if (is_b(w)) {
      uint32_t t = branch_target(m, pc);
      cr_assert_gt(t, pc, "backward b at %u in straight-line code", pc);
      cr_assert_leq(t, to, "b at %u jumps past the end", pc);
      pc = t;
      islands++;
      continue;
    }
    cr_assert_eq(w, filler, "word %08x at %u is not the filler", w, pc);
    pc += 4;
  }
  cr_assert_eq(pc, to);
  return islands;
}

/* Emits n bytes of `add w0, w0, #1` and returns that word. */
static uint32_t emit_filler(jit_masm *m, uint32_t bytes) {
  for (uint32_t i = 0; i < bytes / 4; i++)
    a64_masm_binop(m, JB_ADD, JT_I32, REG, REG, jit_imm_opnd(1));
  jit_buf tmp = {0};
  a64_addsub_imm(&tmp, false, false, false, REG, REG, 1);
  uint32_t w;
  memcpy(&w, tmp.data, 4);
  jit_buf_free(&tmp);
  return w;
}

typedef struct fixture {
  jit_masm m;
  jit_label overflow;
} fixture;

static void begin(fixture *f) {
  jit_masm_init(&f->m);
  jit_label_init(&f->overflow);
  a64_masm_prologue(&f->m, a64_target.vmctx_reg, 8, &f->overflow);
}

static void end(fixture *f) {
  a64_masm_bind(&f->m, &f->overflow);
  a64_masm_trap(&f->m, 1);
  a64_masm_finish_frame(&f->m, 64);
  cr_assert(!jit_masm_failed(&f->m), "masm failed: %s",
            jit_masm_failure(&f->m));
}

Test(a64_masm, near_forward_branch_stays_short) {
  fixture f;
  begin(&f);
  jit_label l;
  jit_label_init(&l);
  uint32_t at = jit_buf_pos(&f.m.buf) + 4; /* after the cmp */
  a64_masm_cmp_branch(&f.m, JC_EQ, JT_I32, REG, jit_imm_opnd(5), &l);
  uint32_t filler = emit_filler(&f.m, 4096);
  a64_masm_bind(&f.m, &l);
  end(&f);
  uint32_t w = word_at(&f.m, at);
  cr_assert(is_bcond(w) && (w & 15) == A64_EQ, "b.eq expected: %08x", w);
  cr_assert_eq(branch_target(&f.m, at), (uint32_t)l.pos);
  cr_assert_eq(walk_filler(&f.m, at + 4, (uint32_t)l.pos, filler), 0);
  jit_masm_free(&f.m);
}

Test(a64_masm, far_forward_bcond_goes_through_a_veneer) {
  fixture f;
  begin(&f);
  uint32_t prologue_end = jit_buf_pos(&f.m.buf);
  jit_label l;
  jit_label_init(&l);
  uint32_t at = jit_buf_pos(&f.m.buf) + 4;
  a64_masm_cmp_branch(&f.m, JC_LT_U, JT_I32, REG, jit_imm_opnd(5), &l);
  uint32_t filler = emit_filler(&f.m, 3 * MIB);
  a64_masm_bind(&f.m, &l);
  end(&f);
  uint32_t w = word_at(&f.m, at);
  cr_assert(is_bcond(w) && (w & 15) == A64_LO, "b.lo expected: %08x", w);
  cr_assert_eq(taken_destination(&f.m, at), (uint32_t)l.pos);
  /* one island, before the first MiB, skipped by the fall-through path;
   * its veneers reach on with b, so no other island is needed */
  cr_assert_eq(walk_filler(&f.m, at + 4, (uint32_t)l.pos, filler), 1);
  /* the prologue's stack check reaches the overflow stub at the end too */
  uint32_t check = prologue_end - 8; /* b.lo, then mov sp, x17 */
  cr_assert(is_bcond(word_at(&f.m, check)));
  cr_assert_eq(taken_destination(&f.m, check), (uint32_t)f.overflow.pos);
  jit_masm_free(&f.m);
}

Test(a64_masm, far_forward_cbz_goes_through_a_veneer) {
  fixture f;
  begin(&f);
  jit_label l;
  jit_label_init(&l);
  uint32_t at = jit_buf_pos(&f.m.buf);
  a64_masm_branch_zero(&f.m, JT_I64, REG, false, &l);
  uint32_t filler = emit_filler(&f.m, 2 * MIB);
  a64_masm_bind(&f.m, &l);
  end(&f);
  uint32_t w = word_at(&f.m, at);
  cr_assert(is_cbz(w) && (w & (1u << 24)) && (w & (1u << 31)),
            "cbnz x0 expected: %08x", w);
  cr_assert_eq(taken_destination(&f.m, at), (uint32_t)l.pos);
  walk_filler(&f.m, at + 4, (uint32_t)l.pos, filler);
  jit_masm_free(&f.m);
}

/* Many branches to one far label (a trap stub) share one veneer per
 * island. */
Test(a64_masm, branches_to_one_label_share_veneers) {
  fixture f;
  begin(&f);
  jit_label trap;
  jit_label_init(&trap);
  enum { N = 2000 };
  static uint32_t sites[N];
  for (int i = 0; i < N; i++) {
    sites[i] = jit_buf_pos(&f.m.buf);
    a64_masm_divrem(&f.m, JD_DIV_U, JT_I32, REG, REG, 1, &trap, NULL);
    emit_filler(&f.m, 1200);
  }
  uint32_t body = jit_buf_pos(&f.m.buf);
  a64_masm_bind(&f.m, &trap);
  a64_masm_trap(&f.m, 2);
  end(&f);
  cr_assert_gt(body, 2 * MIB);
  uint32_t veneers = 0, last = 0;
  for (int i = 0; i < N; i++) {
    cr_assert(is_cbz(word_at(&f.m, sites[i])));
    uint32_t t = branch_target(&f.m, sites[i]);
    if (t != (uint32_t)trap.pos && t != last) {
      veneers++;
      last = t;
    }
    cr_assert_eq(taken_destination(&f.m, sites[i]), (uint32_t)trap.pos);
  }
  cr_assert_leq(veneers, 3, "%u veneers for 2 MiB", veneers);
  jit_masm_free(&f.m);
}

Test(a64_masm, far_backward_branches_use_the_long_form) {
  fixture f;
  begin(&f);
  jit_label top;
  jit_label_init(&top);
  a64_masm_bind(&f.m, &top);
  emit_filler(&f.m, MIB + 64);
  uint32_t at = jit_buf_pos(&f.m.buf) + 4;
  a64_masm_cmp_branch(&f.m, JC_GT_S, JT_I64, REG, jit_imm_opnd(3), &top);
  /* b.le +8; b top */
  uint32_t w = word_at(&f.m, at);
  cr_assert(is_bcond(w) && (w & 15) == A64_LE, "b.le expected: %08x", w);
  cr_assert_eq(branch_target(&f.m, at), at + 8);
  cr_assert(is_b(word_at(&f.m, at + 4)));
  cr_assert_eq(branch_target(&f.m, at + 4), (uint32_t)top.pos);
  /* cbz x0, +8; b top for a branch if nonzero */
  at = jit_buf_pos(&f.m.buf);
  a64_masm_branch_zero(&f.m, JT_I64, REG, false, &top);
  w = word_at(&f.m, at);
  cr_assert(is_cbz(w) && !(w & (1u << 24)), "cbz expected: %08x", w);
  cr_assert_eq(branch_target(&f.m, at), at + 8);
  cr_assert_eq(branch_target(&f.m, at + 4), (uint32_t)top.pos);
  end(&f);
  jit_masm_free(&f.m);
}

Test(a64_masm, near_backward_branch_stays_short) {
  fixture f;
  begin(&f);
  jit_label top;
  jit_label_init(&top);
  a64_masm_bind(&f.m, &top);
  emit_filler(&f.m, MIB - 4096);
  uint32_t at = jit_buf_pos(&f.m.buf) + 4;
  a64_masm_cmp_branch(&f.m, JC_NE, JT_I32, REG, jit_imm_opnd(3), &top);
  cr_assert(is_bcond(word_at(&f.m, at)));
  cr_assert_eq(branch_target(&f.m, at), (uint32_t)top.pos);
  cr_assert_eq(jit_buf_pos(&f.m.buf), at + 4);
  end(&f);
  jit_masm_free(&f.m);
}

/* A jump beyond b's +-128 MiB cannot be encoded: a clear error, not bad
 * code. */
Test(a64_masm, unreachable_jump_is_an_error) {
  fixture f;
  begin(&f);
  jit_label top;
  jit_label_init(&top);
  a64_masm_bind(&f.m, &top);
  uint32_t gap = 129 * MIB; /* stands for code that never needs decoding */
  cr_assert(jit_buf_reserve(&f.m.buf, gap + 4096));
  memset(f.m.buf.data + f.m.buf.size, 0, gap);
  f.m.buf.size += gap;
  a64_masm_jmp(&f.m, &top);
  cr_assert(jit_masm_failed(&f.m));
  cr_expect_not(f.m.oom, "a refusal is not an allocation failure");
  cr_assert_str_eq(jit_masm_failure(&f.m),
                   "function too large for AArch64 branch range");
  jit_masm_free(&f.m);
}
