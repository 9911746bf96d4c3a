/* AArch64 atomics (threads): sequentially consistent, as the C11 mappings
 * have them. Loads are ldar, stores stlr (release stores and acquire loads
 * are SC among themselves on AArch64). Read-modify-writes are one LSE
 * instruction with acquire and release semantics ("al": ldaddal, ldclral,
 * ldeoral, ldsetal, swpal, casal) when the CPU has ARMv8.1 atomics
 * (HWCAP_ATOMICS), else ldaxr/stlxr loops. The address goes to x16
 * (a64_masm_mem_address); x17 holds a computed operand, w15 the status of
 * stlxr. The trap site is the first access. */
#include <stdlib.h>
#include "masm_internal.h"
#include "wrun.h"
#if defined(__aarch64__)
#include <sys/auxv.h>
#endif

#define ADDR A64_SCRATCH    /* x16 */
#define OPND A64_SCRATCH2   /* x17 */
#define STATUS 15           /* w15: SCRATCH3 of masm.c */
#define HWCAP_ATOMICS_BIT (1ul << 8)

/* Has the CPU LSE atomics? Detected once (a benign race: every thread
 * computes the same answer). WRUN_A64_NO_LSE=1 forces the LL/SC loops,
 * so that both lowerings are tested on an LSE machine (or qemu). Other
 * hosts (the encoder's unit tests) emit LSE. */
static int lse_state = -1;

static bool have_lse(void) {
  int s = __atomic_load_n(&lse_state, __ATOMIC_RELAXED);
  if (s < 0) {
    const char *off = getenv("WRUN_A64_NO_LSE");
    bool lse = true;
#if defined(__aarch64__)
    lse = (getauxval(AT_HWCAP) & HWCAP_ATOMICS_BIT) != 0;
#endif
    if (off && off[0] == '1') lse = false;
    s = lse;
    __atomic_store_n(&lse_state, s, __ATOMIC_RELAXED);
  }
  return s != 0;
}

bool a64_masm_has_lse(void) { return have_lse(); }

/* x16 = the access's address; the next instruction is the trap site. */
static void address(jit_masm *m, jit_opnd addr, uint32_t offset) {
  a64_masm_op_start(m);
  a64_masm_mem_address(m, addr, offset);
}

static void mark(jit_masm *m) {
  jit_masm_add_trap(m, jit_buf_pos(&m->buf), WRUN_TRAP_MEMORY_OOB);
}

static uint8_t hw(jit_reg r) { return (uint8_t)r; }

void a64_masm_atomic_load(jit_masm *m, unsigned size, jit_reg dst,
                          jit_opnd addr, uint32_t offset) {
  address(m, addr, offset);
  mark(m);
  a64_ldar(&m->buf, size, hw(dst), ADDR);
}

void a64_masm_atomic_store(jit_masm *m, unsigned size, jit_reg src,
                           jit_opnd addr, uint32_t offset) {
  address(m, addr, offset);
  mark(m);
  a64_stlr(&m->buf, size, hw(src), ADDR);
}

void a64_masm_atomic_rmw(jit_masm *m, jit_atomic_op op, unsigned size,
                         jit_reg dst, jit_reg val, jit_opnd addr,
                         uint32_t offset) {
  jit_buf *b = &m->buf;
  bool sf = size == 3;
  address(m, addr, offset);
  if (have_lse()) {
    uint8_t src = hw(val);
    if (op == JA_SUB) { /* add the negation */
      a64_addsub_reg(b, sf, true, false, OPND, A64_ZR, src, A64_LSL, 0);
      src = OPND;
    } else if (op == JA_AND) { /* clear the complement's bits */
      a64_logic_reg(b, sf, A64_ORR, true, OPND, A64_ZR, src, A64_LSL, 0);
      src = OPND;
    }
    mark(m);
    if (op == JA_XCHG) {
      a64_swpal(b, size, src, hw(dst), ADDR);
      return;
    }
    a64_lse_op lop = op == JA_AND ? A64_LDCLR
                   : op == JA_OR  ? A64_LDSET
                   : op == JA_XOR ? A64_LDEOR
                                  : A64_LDADD;
    a64_ldopal(b, lop, size, src, hw(dst), ADDR);
    return;
  }
  /* loop: ldaxr dst, [x16]; x17 = dst op val; stlxr w15, x17, [x16];
   * cbnz w15, loop */
  uint32_t loop = jit_buf_pos(b);
  mark(m);
  a64_ldaxr(b, size, hw(dst), ADDR);
  uint8_t nv = OPND;
  switch (op) {
  case JA_ADD:
    a64_addsub_reg(b, sf, false, false, OPND, hw(dst), hw(val), A64_LSL, 0);
    break;
  case JA_SUB:
    a64_addsub_reg(b, sf, true, false, OPND, hw(dst), hw(val), A64_LSL, 0);
    break;
  case JA_AND:
    a64_logic_reg(b, sf, A64_AND, false, OPND, hw(dst), hw(val), A64_LSL, 0);
    break;
  case JA_OR:
    a64_logic_reg(b, sf, A64_ORR, false, OPND, hw(dst), hw(val), A64_LSL, 0);
    break;
  case JA_XOR:
    a64_logic_reg(b, sf, A64_EOR, false, OPND, hw(dst), hw(val), A64_LSL, 0);
    break;
  case JA_XCHG:
    nv = hw(val);
    break;
  }
  a64_stlxr(b, size, STATUS, nv, ADDR);
  a64_cbz(b, false, true, STATUS, (int32_t)loop - (int32_t)jit_buf_pos(b));
}

void a64_masm_atomic_cmpxchg(jit_masm *m, unsigned size, jit_reg dst,
                             jit_reg expected, jit_reg replacement,
                             jit_opnd addr, uint32_t offset) {
  jit_buf *b = &m->buf;
  bool sf = size == 3;
  address(m, addr, offset);
  if (have_lse()) {
    /* casal compares the low 8 << size bits of its rs and returns the
     * old value in it, zero-extended */
    a64_mov_reg(b, sf, hw(dst), hw(expected));
    mark(m);
    a64_casal(b, size, hw(dst), hw(replacement), ADDR);
    return;
  }
  /* loop: ldaxr dst, [x16]; cmp dst, expected (its low bits); b.ne done;
   *       stlxr w15, replacement, [x16]; cbnz w15, loop; done: */
  uint32_t loop = jit_buf_pos(b);
  mark(m);
  a64_ldaxr(b, size, hw(dst), ADDR);
  if (size < 2)
    a64_addsub_ext(b, false, true, true, A64_ZR, hw(dst), hw(expected),
                   size == 0 ? A64_UXTB : A64_UXTH, 0);
  else
    a64_addsub_reg(b, sf, true, true, A64_ZR, hw(dst), hw(expected), A64_LSL,
                   0);
  a64_bcond(b, A64_NE, 12);
  a64_stlxr(b, size, STATUS, hw(replacement), ADDR);
  a64_cbz(b, false, true, STATUS, (int32_t)loop - (int32_t)jit_buf_pos(b));
}

void a64_masm_atomic_fence(jit_masm *m) {
  a64_masm_op_start(m);
  a64_dmb_ish(&m->buf);
}
