/* The AArch64 MacroAssembler: wasm-shaped operations (jit/masm.h) lowered
 * to A64 with the encoder of asm.c. Same frame and calling convention as
 * the x86-64 backend (see jit/x64/masm.c and DESIGN.md).
 *
 * Registers:
 *   x0..x14, x19..x26   allocatable (x0/x1 double as call ctx/caller, x0 as
 *                       the first result, x0..x5 as C arguments, x2 as the
 *                       tail-call capacity at a call: jit/codegen_tail.c)
 *   x15, x16, x17       masm scratch (x16/x17 are IP0/IP1)
 *   x18                 platform register: never touched
 *   x27 = memory base, x28 = vmctx (pinned), x29 = fp, x30 = lr
 *   v0..v29             allocatable; v30, v31 FP scratch
 *
 * SP audit (DESIGN.md, "Frames and the stack pointer"): SP moves only in
 * the prologue, the epilogue and the trampolines. The masm tracks how far
 * SP is below its value at function entry (a multiple of 16 by the AAPCS64)
 * and refuses, by marking the result unusable (jit_masm_refuse), to emit an
 * SP-relative access or a call while that is not a multiple of 16. With
 * -Dsp_check=true (WRUN_SP_CHECK) it also emits a run-time check before
 * every trapping instruction, call and SP-relative access; a failure is an
 * unregistered udf, so the process dies loudly instead of trapping.
 */
#include <string.h>

#include "../masm.h"
#include "array_layout.h"
#include "asm.h"
#include "masm_internal.h"
#include "../trunc.h"
#include "wrun.h"

#define SCRATCH 16   /* x16 */
#define SCRATCH2 17  /* x17 */
#define SCRATCH3 15  /* x15 */
#define FSCRATCH 31  /* v31 */
#define FSCRATCH2 30 /* v30 */
#define MEMBASE 27
#define VMCTX 28
#define FUEL 26 /* the fuel left, in functions compiled with fuel */

#define GPR_BIT(r) (1ull << (r))
#define FPR_BIT(n) (1ull << (JIT_FPR_BASE + (n)))

const jit_target a64_target = {
    .alloc_mask = ((1ull << 15) - 1) |                        /* x0..x14 */
                  (((1ull << 8) - 1) << 19) |                 /* x19..x26 */
                  (((1ull << 30) - 1) << JIT_FPR_BASE),       /* v0..v29 */
    .vmctx_reg = VMCTX,
    .membase_reg = MEMBASE,
    .fuel_reg = FUEL,
    .merge_gpr = 19,
    .merge_fpr = JIT_FPR_BASE + 0,
    .call_ctx_reg = 0,
    .call_caller_reg = 1,
    .ret_gpr = 0,
    .ret_fpr = JIT_FPR_BASE + 0,
    .c_arg = {0, 1, 2, 3, 4, 5},
    .c_ret = 0,
    .param_base = 16,
    .tail_cap_reg = 2,
    .arg_gpr = {12, 13, 14},
};

/* Fixup kinds. A short branch (b.cond/cbz/cbnz, imm19: +-1 MiB) to an
 * unbound label may need a veneer; a long one (b, imm26: +-128 MiB) is
 * patched at bind; a jump-table entry is 32 bits relative to the table
 * start in base; a done fixup was resolved through a veneer and is skipped
 * at bind. */
enum { FIX_SHORT = 1, FIX_TABLE = 2, FIX_LONG = 3, FIX_DONE = 4 };

/* Failure code of the run-time SP check: deliberately not a trap site. */
#define SP_CHECK_UDF 0x5350

/* ---- SP audit --------------------------------------------------------------- */

/* Bytes SP is below the entry SP of the function being emitted. Per thread:
 * compilations on different threads do not share it. */
static _Thread_local int32_t sp_depth;

static void audit_sp(jit_masm *m) {
  if (sp_depth & 15) /* a bug in this backend: refuse */
    jit_masm_refuse(m, "AArch64 backend: SP not 16-byte aligned at an SP "
                       "access, call or trap");
}

/* mov x16, sp; tst x16, #0xf; b.eq ok; udf; ok: */
static void sp_runtime_check(jit_masm *m) {
  audit_sp(m);
#ifdef WRUN_SP_CHECK
  jit_buf *b = &m->buf;
  uint32_t nrs = 0;
  a64_logical_imm(0xf, true, &nrs);
  a64_mov_sp(b, SCRATCH, A64_SP);
  a64_logic_imm(b, true, A64_ANDS, A64_ZR, SCRATCH, nrs);
  a64_bcond(b, A64_EQ, 8);
  a64_udf(b, SP_CHECK_UDF);
#endif
}

/* ---- small helpers -------------------------------------------------------------- */

static uint8_t hw(jit_reg r) {
  return (uint8_t)(JIT_IS_FPR(r) ? r - JIT_FPR_BASE : r);
}

/* 64-bit integer operation? (REF values are pointers) */
static bool is_w(jit_type t) { return t == JT_I64 || t == JT_REF; }

static uint32_t read_word(const jit_buf *b, uint32_t at) {
  uint32_t w = 0;
  if (!b->oom && at + 4 <= b->size) memcpy(&w, b->data + at, 4);
  return w;
}

/* ---- branches to labels ------------------------------------------------------ */
/* Conditional branches (b.cond, cbz, cbnz) reach +-1 MiB, b reaches
 * +-128 MiB. A function's code can be larger than 1 MiB, so:
 *  - a conditional branch to a bound (backward) label that is too far
 *    becomes the inverted branch over a b: `b.!cond +8; b target`;
 *  - a conditional branch to an unbound (forward) label is emitted short,
 *    and the masm keeps track of the oldest such branch still unresolved.
 *    Before the code passes the point where that branch could no longer
 *    reach, it emits a veneer island, `b over; b L1; b L2; ...; over:`,
 *    with one b per pending label, and points the short branches at their
 *    label's veneer. So ordinary functions keep the single-word form and
 *    large ones pay one extra jump on the far (usually trapping) path.
 * An island may be emitted at the start of any masm operation, never in
 * the middle of one: sequences inside an operation stay contiguous. Only
 * a jump beyond b's +-128 MiB is unencodable; it fails the compilation
 * with a clear error instead of producing bad code. */

#define SHORT_RANGE (1 << 20) /* b.cond, cbz, cbnz */
/* Upper bound on the bytes one masm operation emits (jump tables aside,
 * which ask for their own size). */
#define OP_MAX_BYTES 4096

static void fail_branch_range(jit_masm *m) {
  jit_masm_refuse(m, "function too large for AArch64 branch range");
}

/* Does a byte offset fit the branch word's field? */
static bool branch_reaches(uint32_t insn, int64_t off) {
  int64_t limit;
  if ((insn & 0x7C000000u) == 0x14000000u) limit = 1ll << 27;      /* b, bl */
  else if ((insn & 0x7E000000u) == 0x36000000u) limit = 1ll << 15; /* tbz */
  else limit = SHORT_RANGE; /* b.cond, cbz, adr */
  return off >= -limit && off < limit;
}

/* Points the branch at `at` to code offset target. */
static void patch_branch(jit_masm *m, uint32_t at, int32_t target) {
  uint32_t insn = read_word(&m->buf, at);
  int64_t off = (int64_t)target - (int64_t)at;
  if (!branch_reaches(insn, off)) {
    fail_branch_range(m);
    return;
  }
  jit_buf_patch32(&m->buf, at, a64_branch_with_offset(insn, (int32_t)off));
}

/* The branch taken exactly when insn is not: b.cond flips the low bit of
 * its condition, cbz/cbnz and tbz/tbnz flip bit 24. */
static uint32_t inverted_branch(uint32_t insn) {
  if ((insn & 0xFF000010u) == 0x54000000u) return insn ^ 1u;
  return insn ^ (1u << 24);
}

/* Emits the conditional branch insn (offset field zero) to l. */
static void cond_branch_label(jit_masm *m, uint32_t insn, jit_label *l) {
  jit_buf *b = &m->buf;
  if (l->pos < 0) {
    jit_masm_add_fixup(m, l, a64_emit(b, insn), FIX_SHORT, 0);
    return;
  }
  int64_t off = (int64_t)l->pos - (int64_t)jit_buf_pos(b);
  if (branch_reaches(insn, off)) {
    a64_emit(b, a64_branch_with_offset(insn, (int32_t)off));
    return;
  }
  a64_emit(b, a64_branch_with_offset(inverted_branch(insn), 8));
  patch_branch(m, a64_b(b, 0), l->pos);
}

static void bcond_label(jit_masm *m, a64_cond c, jit_label *l) {
  cond_branch_label(m, 0x54000000u | (uint32_t)c, l);
}

/* cbz (if_zero) or cbnz of a W (sf false) or X register to l. */
static void cbz_label(jit_masm *m, bool sf, bool if_zero, uint8_t rt,
                      jit_label *l) {
  uint32_t insn = (sf ? 1u << 31 : 0) | 0x34000000u |
                  (if_zero ? 0 : 1u << 24) | (rt & 31u);
  cond_branch_label(m, insn, l);
}

static void b_label(jit_masm *m, jit_label *l) {
  uint32_t at = a64_b(&m->buf, 0);
  if (l->pos >= 0) patch_branch(m, at, l->pos);
  else jit_masm_add_fixup(m, l, at, FIX_LONG, 0);
}

/* Index of the oldest short fixup not yet resolved (m->nfixups if none).
 * Fixups are recorded in code order, so it also has the lowest `at`. */
static uint32_t first_pending_short(jit_masm *m) {
  if (m->veneer_scan > m->nfixups) m->veneer_scan = 0;
  while (m->veneer_scan < m->nfixups &&
         m->fixups[m->veneer_scan].kind != FIX_SHORT)
    m->veneer_scan++;
  return m->veneer_scan;
}

/* Points fixup i's short branch, and every other pending short branch to
 * the same label, at the veneer; the veneer takes fixup i's place in the
 * label's chain. Chains run from newer to older fixups, and those older
 * than `first` are all resolved, so the walk stops there. */
static void route_to_veneer(jit_masm *m, uint32_t i, uint32_t first,
                            uint32_t veneer) {
  for (int32_t j = (int32_t)i; j >= (int32_t)first; j = m->fixups[j].next) {
    jit_fixup *f = &m->fixups[j];
    if (f->kind != FIX_SHORT) continue;
    patch_branch(m, f->at, (int32_t)veneer);
    f->kind = FIX_DONE;
  }
  m->fixups[i].at = veneer;
  m->fixups[i].kind = FIX_LONG;
}

/* Emits `b over; veneers; over:` for every pending short branch. Each
 * veneer lies after every pending branch, within the island, and (by the
 * caller's timing) the whole island is within reach of the oldest pending
 * branch: so every branch reaches its veneer. */
static void emit_island(jit_masm *m, uint32_t first) {
  jit_buf *b = &m->buf;
  uint32_t over = a64_b(b, 0);
  for (uint32_t i = m->nfixups; i-- > first;) {
    if (m->fixups[i].kind != FIX_SHORT) continue;
    route_to_veneer(m, i, first, a64_b(b, 0));
  }
  patch_branch(m, over, (int32_t)jit_buf_pos(b));
  m->veneer_scan = m->nfixups;
}

/* Called at the start of an operation that emits at most OP_MAX_BYTES +
 * extra bytes: emits an island now if, after the operation, one might no
 * longer fit within reach of the oldest pending short branch. */
static void island_check(jit_masm *m, uint32_t extra) {
  uint32_t first = first_pending_short(m);
  if (first >= m->nfixups) return;
  uint64_t island_max = 4 + 4ull * (m->nfixups - first);
  uint64_t reach = (uint64_t)m->fixups[first].at + SHORT_RANGE - 4;
  uint64_t after = (uint64_t)jit_buf_pos(&m->buf) + island_max +
                   OP_MAX_BYTES + extra;
  if (after >= reach) emit_island(m, first);
}

/* rd = rn + imm (64-bit); rd and rn may be SP. Large immediates go
 * through scratch, which must differ from rn. */
static void add_imm64(jit_buf *b, uint8_t rd, uint8_t rn, int64_t imm,
                      uint8_t scratch) {
  if (imm >= 0 && a64_addsub_imm_ok((uint64_t)imm)) {
    a64_addsub_imm(b, true, false, false, rd, rn, (uint32_t)imm);
  } else if (imm < 0 && a64_addsub_imm_ok((uint64_t)-imm)) {
    a64_addsub_imm(b, true, true, false, rd, rn, (uint32_t)-imm);
  } else {
    a64_mov_imm(b, true, scratch, (uint64_t)imm);
    a64_addsub_ext(b, true, false, false, rd, rn, scratch, A64_UXTX, 0);
  }
}

/* A load or store of kind k at [base + off]; offsets that fit no
 * immediate form go through scratch (which must differ from base/rt). */
static uint32_t ldst_at(jit_buf *b, a64_ldst k, uint8_t rt, uint8_t base,
                        int64_t off, uint8_t scratch) {
  if (a64_ldst_uimm_ok(k, off))
    return a64_ldst_uimm(b, k, rt, base, (uint32_t)off);
  if (off >= -256 && off <= 255)
    return a64_ldst_unscaled(b, k, rt, base, (int32_t)off);
  a64_mov_imm(b, true, scratch, (uint64_t)off);
  return a64_ldst_reg(b, k, rt, base, scratch, A64_UXTX, false);
}

static a64_ldst load_kind(jit_type t) {
  switch (t) {
  case JT_I32: return A64_LDR_W;
  case JT_F32: return A64_LDR_S;
  case JT_F64: return A64_LDR_D;
  case JT_V128: return A64_LDR_Q;
  default: return A64_LDR_X;
  }
}

static a64_ldst store_kind(jit_type t) {
  switch (t) {
  case JT_I32: return A64_STR_W;
  case JT_F32: return A64_STR_S;
  case JT_F64: return A64_STR_D;
  case JT_V128: return A64_STR_Q;
  default: return A64_STR_X;
  }
}

/* Raw bits of a float constant into an FP register (f64: D, else S). */
static void load_fconst(jit_masm *m, bool f64, uint8_t vd, uint64_t bits) {
  jit_buf *b = &m->buf;
  if (!f64) bits = (uint32_t)bits;
  uint8_t imm8;
  if (bits == 0) {
    a64_fpint(b, true, true, A64_FMOV_FROM_GPR, vd, A64_ZR);
  } else if (a64_fp_imm8(f64, bits, &imm8)) {
    a64_fmov_imm(b, f64, vd, imm8);
  } else {
    a64_mov_imm(b, f64, SCRATCH, bits);
    a64_fpint(b, f64, f64, A64_FMOV_FROM_GPR, vd, SCRATCH);
  }
}

static uint64_t fconst_bits(bool f64, double v) {
  if (f64) {
    uint64_t u;
    memcpy(&u, &v, 8);
    return u;
  }
  float f = (float)v;
  uint32_t u;
  memcpy(&u, &f, 4);
  return u;
}

/* ---- moves and frame access ------------------------------------------------ */

void a64_masm_mov(jit_masm *m, jit_type t, jit_reg dst, jit_reg src) {
  island_check(m, 0);
  if (dst == src) return;
  if (!JIT_IS_FPR(dst)) {
    a64_mov_reg(&m->buf, is_w(t), hw(dst), hw(src));
  } else if (t == JT_V128) {
    a64_mov_v(&m->buf, hw(dst), hw(src));
  } else {
    /* fmov d keeps all 64 bits, which is right for f32 too */
    a64_fp1(&m->buf, true, A64_FMOV, hw(dst), hw(src));
  }
}

void a64_masm_mov_imm(jit_masm *m, jit_type t, jit_reg dst, uint64_t bits) {
  island_check(m, 0);
  /* none of these set flags: constants may sit between compare and use */
  if (JIT_IS_FPR(dst)) load_fconst(m, t != JT_F32, hw(dst), bits);
  else a64_mov_imm(&m->buf, is_w(t), hw(dst), bits);
}

void a64_masm_load_frame(jit_masm *m, jit_type t, jit_reg dst, int32_t off) {
  island_check(m, 0);
  ldst_at(&m->buf, load_kind(t), hw(dst), A64_FP, off, SCRATCH);
}

void a64_masm_store_frame(jit_masm *m, jit_type t, jit_reg src, int32_t off) {
  island_check(m, 0);
  ldst_at(&m->buf, store_kind(t), hw(src), A64_FP, off, SCRATCH);
}

/* Stores an immediate of t's width at [base + off] (v128: the 64 bits,
 * zero extended). */
static void store_imm_at(jit_masm *m, jit_type t, uint8_t base, int32_t off,
                         uint64_t bits) {
  jit_buf *b = &m->buf;
  bool narrow = t == JT_I32 || t == JT_F32;
  if (narrow) bits = (uint32_t)bits;
  uint8_t src = A64_ZR;
  if (bits != 0) {
    a64_mov_imm(b, !narrow, SCRATCH, bits);
    src = SCRATCH;
  }
  ldst_at(b, narrow ? A64_STR_W : A64_STR_X, src, base, off, SCRATCH2);
  if (t == JT_V128) ldst_at(b, A64_STR_X, A64_ZR, base, off + 8, SCRATCH2);
}

void a64_masm_store_frame_imm(jit_masm *m, jit_type t, int32_t off,
                              uint64_t bits) {
  island_check(m, 0);
  store_imm_at(m, t, A64_FP, off, bits);
}

/* stp xzr, xzr pairs from x16 = fp + off upward; long ranges loop. */
void a64_masm_zero_frame(jit_masm *m, int32_t off, uint32_t len) {
  island_check(m, 0);
  jit_buf *b = &m->buf;
  if (len == 0) return;
  add_imm64(b, SCRATCH, A64_FP, off, SCRATCH2);
  uint32_t chunks = len / 16;
  int32_t tail = 0;
  if (chunks > 8) {
    a64_mov_imm(b, false, SCRATCH2, chunks);
    uint32_t loop = jit_buf_pos(b);
    a64_ldstp(b, false, false, A64_POST, A64_ZR, A64_ZR, SCRATCH, 16);
    a64_addsub_imm(b, false, true, true, SCRATCH2, SCRATCH2, 1);
    a64_bcond(b, A64_NE, (int32_t)loop - (int32_t)jit_buf_pos(b));
  } else {
    for (uint32_t i = 0; i < chunks; i++)
      a64_ldstp(b, false, false, A64_OFFSET, A64_ZR, A64_ZR, SCRATCH,
                (int32_t)(16 * i));
    tail = (int32_t)(16 * chunks);
  }
  if (len % 16) a64_ldst_uimm(b, A64_STR_X, A64_ZR, SCRATCH, (uint32_t)tail);
}

void a64_masm_load_sp(jit_masm *m, jit_type t, jit_reg dst, int32_t off) {
  island_check(m, 0);
  sp_runtime_check(m);
  ldst_at(&m->buf, load_kind(t), hw(dst), A64_SP, off, SCRATCH);
}

void a64_masm_store_sp(jit_masm *m, jit_type t, jit_reg src, int32_t off) {
  island_check(m, 0);
  sp_runtime_check(m);
  ldst_at(&m->buf, store_kind(t), hw(src), A64_SP, off, SCRATCH);
}

void a64_masm_store_sp_imm(jit_masm *m, jit_type t, int32_t off,
                           uint64_t bits) {
  island_check(m, 0);
  sp_runtime_check(m);
  store_imm_at(m, t, A64_SP, off, bits);
}

void a64_masm_load_ptr(jit_masm *m, jit_type t, jit_reg dst, jit_reg base,
                       int32_t off) {
  island_check(m, 0);
  ldst_at(&m->buf, load_kind(t), hw(dst), hw(base), off, SCRATCH);
}

void a64_masm_store_ptr(jit_masm *m, jit_type t, jit_reg src, jit_reg base,
                        int32_t off) {
  island_check(m, 0);
  ldst_at(&m->buf, store_kind(t), hw(src), hw(base), off, SCRATCH);
}

void a64_masm_load_indexed(jit_masm *m, jit_type t, jit_reg dst,
                           jit_reg base, jit_reg index, uint8_t shift,
                           int32_t off) {
  island_check(m, 0);
  jit_buf *b = &m->buf;
  /* the index is a u32 with a zero upper half: usable as 64 bits */
  a64_addsub_reg(b, true, false, false, SCRATCH, hw(base), hw(index),
                 A64_LSL, shift);
  ldst_at(b, load_kind(t), hw(dst), SCRATCH, off, SCRATCH2);
}

/* ---- integer arithmetic ---------------------------------------------------- */

/* The immediate as seen by an operation of width sf. */
static uint64_t imm_bits(bool sf, int64_t imm) {
  return sf ? (uint64_t)imm : (uint32_t)imm;
}

static uint64_t negated(bool sf, uint64_t v) {
  return sf ? 0 - v : (uint32_t)(0u - (uint32_t)v);
}

/* Sets flags for lhs - imm (cmp or cmn), any immediate. */
static void cmp_imm(jit_masm *m, bool sf, uint8_t l, int64_t imm) {
  jit_buf *b = &m->buf;
  uint64_t v = imm_bits(sf, imm);
  uint64_t neg = negated(sf, v);
  if (a64_addsub_imm_ok(v)) {
    a64_addsub_imm(b, sf, true, true, A64_ZR, l, (uint32_t)v);
  } else if (a64_addsub_imm_ok(neg)) {
    /* cmn l, -v: the same flags as cmp l, v for v != 0 and v != INT_MIN */
    a64_addsub_imm(b, sf, false, true, A64_ZR, l, (uint32_t)neg);
  } else {
    a64_mov_imm(b, sf, SCRATCH, v);
    a64_addsub_reg(b, sf, true, true, A64_ZR, l, SCRATCH, A64_LSL, 0);
  }
}

static bool is_shift(jit_binop op) {
  return op == JB_SHL || op == JB_SHR_S || op == JB_SHR_U || op == JB_ROTL ||
         op == JB_ROTR;
}

static a64_logic logic_of(jit_binop op) {
  return op == JB_AND ? A64_AND : op == JB_OR ? A64_ORR : A64_EOR;
}

static void shift_imm(jit_masm *m, jit_binop op, bool sf, uint8_t d,
                      uint8_t l, int64_t count) {
  jit_buf *b = &m->buf;
  unsigned width = sf ? 64 : 32;
  unsigned n = (unsigned)count & (width - 1);
  switch (op) {
  case JB_SHL: a64_lsl_imm(b, sf, d, l, n); break;
  case JB_SHR_U: a64_lsr_imm(b, sf, d, l, n); break;
  case JB_SHR_S: a64_asr_imm(b, sf, d, l, n); break;
  case JB_ROTR: a64_extr(b, sf, d, l, l, n); break;
  default: a64_extr(b, sf, d, l, l, (width - n) & (width - 1)); break;
  }
}

/* Register counts: the hardware masks them by the width, as wasm does. */
static void shift_reg(jit_masm *m, jit_binop op, bool sf, uint8_t d,
                      uint8_t l, uint8_t r) {
  jit_buf *b = &m->buf;
  switch (op) {
  case JB_SHL: a64_shift_reg(b, sf, A64_LSL, d, l, r); break;
  case JB_SHR_U: a64_shift_reg(b, sf, A64_LSR, d, l, r); break;
  case JB_SHR_S: a64_shift_reg(b, sf, A64_ASR, d, l, r); break;
  case JB_ROTR: a64_shift_reg(b, sf, A64_ROR, d, l, r); break;
  default: /* rotl by r = rotr by -r */
    a64_addsub_reg(b, sf, true, false, SCRATCH, A64_ZR, r, A64_LSL, 0);
    a64_shift_reg(b, sf, A64_ROR, d, l, SCRATCH);
    break;
  }
}

static void binop_reg(jit_masm *m, jit_binop op, bool sf, uint8_t d,
                      uint8_t l, uint8_t r) {
  jit_buf *b = &m->buf;
  switch (op) {
  case JB_ADD: a64_addsub_reg(b, sf, false, false, d, l, r, A64_LSL, 0); break;
  case JB_SUB: a64_addsub_reg(b, sf, true, false, d, l, r, A64_LSL, 0); break;
  case JB_MUL: a64_mul(b, sf, d, l, r); break;
  case JB_AND:
  case JB_OR:
  case JB_XOR:
    a64_logic_reg(b, sf, logic_of(op), false, d, l, r, A64_LSL, 0);
    break;
  default: shift_reg(m, op, sf, d, l, r); break;
  }
}

/* The immediate forms that exist; false when the value needs a register. */
static bool binop_imm(jit_masm *m, jit_binop op, bool sf, uint8_t d,
                      uint8_t l, int64_t imm) {
  jit_buf *b = &m->buf;
  uint64_t v = imm_bits(sf, imm);
  uint32_t nrs;
  switch (op) {
  case JB_ADD:
  case JB_SUB: {
    bool sub = op == JB_SUB;
    if (a64_addsub_imm_ok(v)) {
      a64_addsub_imm(b, sf, sub, false, d, l, (uint32_t)v);
      return true;
    }
    uint64_t neg = negated(sf, v);
    if (a64_addsub_imm_ok(neg)) {
      a64_addsub_imm(b, sf, !sub, false, d, l, (uint32_t)neg);
      return true;
    }
    return false;
  }
  case JB_AND:
  case JB_OR:
  case JB_XOR:
    if (!a64_logical_imm(v, sf, &nrs)) return false;
    a64_logic_imm(b, sf, logic_of(op), d, l, nrs);
    return true;
  default:
    return false;
  }
}

void a64_masm_binop(jit_masm *m, jit_binop op, jit_type t, jit_reg dst,
                    jit_reg lhs, jit_opnd rhs) {
  island_check(m, 0);
  bool sf = is_w(t);
  uint8_t d = hw(dst), l = hw(lhs);
  if (!rhs.is_imm) {
    binop_reg(m, op, sf, d, l, hw(rhs.reg));
    return;
  }
  if (is_shift(op)) {
    shift_imm(m, op, sf, d, l, rhs.imm);
    return;
  }
  if (binop_imm(m, op, sf, d, l, rhs.imm)) return;
  a64_mov_imm(&m->buf, sf, SCRATCH, imm_bits(sf, rhs.imm));
  binop_reg(m, op, sf, d, l, SCRATCH);
}

void a64_masm_add_scaled(jit_masm *m, jit_type t, jit_reg dst, jit_reg base,
                         jit_reg index, uint8_t shift, int32_t imm) {
  island_check(m, 0);
  bool sf = is_w(t);
  uint8_t d = hw(dst);
  if (base == JIT_NO_REG)
    a64_lsl_imm(&m->buf, sf, d, hw(index), shift);
  else
    a64_addsub_reg(&m->buf, sf, false, false, d, hw(base), hw(index), A64_LSL,
                   shift);
  if (imm == 0) return;
  if (binop_imm(m, JB_ADD, sf, d, d, imm)) return;
  a64_mov_imm(&m->buf, sf, SCRATCH, imm_bits(sf, imm));
  binop_reg(m, JB_ADD, sf, d, d, SCRATCH);
}

void a64_masm_divrem(jit_masm *m, jit_divop op, jit_type t, jit_reg dst,
                     jit_reg lhs, jit_reg rhs, jit_label *div_zero,
                     jit_label *overflow) {
  island_check(m, 0);
  jit_buf *b = &m->buf;
  bool sf = is_w(t);
  uint8_t d = hw(dst), l = hw(lhs), r = hw(rhs);
  bool is_signed = op == JD_DIV_S || op == JD_REM_S;
  cbz_label(m, sf, true, r, div_zero);
  if (op == JD_DIV_S && overflow) {
    /* INT_MIN / -1: rhs == -1 (cmn r, #1) and lhs - 1 overflows */
    a64_addsub_imm(b, sf, false, true, A64_ZR, r, 1);
    uint32_t skip = a64_bcond(b, A64_NE, 0);
    a64_addsub_imm(b, sf, true, true, A64_ZR, l, 1);
    bcond_label(m, A64_VS, overflow);
    patch_branch(m, skip, (int32_t)jit_buf_pos(b));
  }
  if (op == JD_DIV_S || op == JD_DIV_U) {
    a64_div(b, sf, is_signed, d, l, r);
    return;
  }
  /* rem = lhs - (lhs / rhs) * rhs; INT_MIN rem -1 wraps to 0 as wasm says
   * (sdiv gives INT_MIN there, and INT_MIN - INT_MIN * -1 == 0) */
  a64_div(b, sf, is_signed, SCRATCH, l, r);
  a64_madd(b, sf, true, d, SCRATCH, r, l);
}

void a64_masm_unop(jit_masm *m, jit_unop op, jit_type t, jit_reg dst,
                   jit_reg src) {
  island_check(m, 0);
  jit_buf *b = &m->buf;
  bool sf = is_w(t);
  uint8_t d = hw(dst), s = hw(src);
  switch (op) {
  case JU_CLZ: a64_clz(b, sf, d, s); break;
  case JU_CTZ:
    a64_rbit(b, sf, SCRATCH, s);
    a64_clz(b, sf, d, SCRATCH);
    break;
  case JU_POPCNT:
    /* through a vector register: per-byte counts, then their sum */
    a64_fpint(b, sf, sf, A64_FMOV_FROM_GPR, FSCRATCH, s);
    a64_cnt8b(b, FSCRATCH, FSCRATCH);
    a64_addv8b(b, FSCRATCH, FSCRATCH);
    a64_fpint(b, false, false, A64_FMOV_TO_GPR, d, FSCRATCH);
    break;
  case JU_EQZ:
    a64_addsub_imm(b, sf, true, true, A64_ZR, s, 0);
    a64_cset(b, false, d, A64_EQ);
    break;
  case JU_EXTEND8_S: a64_bfm(b, sf, true, d, s, 0, 7); break;
  case JU_EXTEND16_S: a64_bfm(b, sf, true, d, s, 0, 15); break;
  case JU_EXTEND32_S:
  case JU_EXTEND_I32_S: a64_bfm(b, true, true, d, s, 0, 31); break;
  case JU_EXTEND_I32_U:
  case JU_WRAP:
    /* always emitted, even in place: the W move clears the upper half */
    a64_mov_reg(b, false, d, s);
    break;
  }
}

/* ---- compares and selects ---------------------------------------------------- */

static bool is_float_cond(jit_cond c) { return c >= JC_FEQ; }

/* After fcmp an unordered result sets C and V and clears N and Z, so each
 * of these is false on NaN except NE, as wasm wants. */
static a64_cond cond_of(jit_cond c) {
  switch (c) {
  case JC_EQ: return A64_EQ;
  case JC_NE: return A64_NE;
  case JC_LT_S: return A64_LT;
  case JC_LT_U: return A64_LO;
  case JC_GT_S: return A64_GT;
  case JC_GT_U: return A64_HI;
  case JC_LE_S: return A64_LE;
  case JC_LE_U: return A64_LS;
  case JC_GE_S: return A64_GE;
  case JC_GE_U: return A64_HS;
  case JC_TST_Z: return A64_EQ;
  case JC_TST_NZ: return A64_NE;
  case JC_FEQ: return A64_EQ;
  case JC_FNE: return A64_NE;
  case JC_FLT: return A64_MI;
  case JC_FGT: return A64_GT;
  case JC_FLE: return A64_LS;
  default: return A64_GE; /* JC_FGE */
  }
}

/* Sets the flags for lhs c rhs; returns the condition that means true. */
static a64_cond compare(jit_masm *m, jit_cond c, jit_type t, jit_reg lhs,
                        jit_opnd rhs) {
  uint32_t nrs;
  if (is_float_cond(c)) {
    a64_fcmp(&m->buf, t == JT_F64, hw(lhs), hw(rhs.reg));
  } else if (c == JC_TST_Z || c == JC_TST_NZ) {
    /* tst: ands zr, lhs, rhs */
    bool sf = is_w(t);
    uint8_t r = SCRATCH;
    if (!rhs.is_imm)
      r = hw(rhs.reg);
    else if (a64_logical_imm(imm_bits(sf, rhs.imm), sf, &nrs)) {
      a64_logic_imm(&m->buf, sf, A64_ANDS, A64_ZR, hw(lhs), nrs);
      return cond_of(c);
    } else
      a64_mov_imm(&m->buf, sf, SCRATCH, imm_bits(sf, rhs.imm));
    a64_logic_reg(&m->buf, sf, A64_ANDS, false, A64_ZR, hw(lhs), r, A64_LSL,
                  0);
  } else if (rhs.is_imm) {
    cmp_imm(m, is_w(t), hw(lhs), rhs.imm);
  } else {
    a64_addsub_reg(&m->buf, is_w(t), true, true, A64_ZR, hw(lhs),
                   hw(rhs.reg), A64_LSL, 0);
  }
  return cond_of(c);
}

void a64_masm_cmp_set(jit_masm *m, jit_cond c, jit_type t, jit_reg dst,
                      jit_reg lhs, jit_opnd rhs) {
  island_check(m, 0);
  a64_cond cc = compare(m, c, t, lhs, rhs);
  a64_cset(&m->buf, false, hw(dst), cc);
}

void a64_masm_cmp_branch(jit_masm *m, jit_cond c, jit_type t, jit_reg lhs,
                         jit_opnd rhs, jit_label *l) {
  island_check(m, 0);
  a64_cond cc = compare(m, c, t, lhs, rhs);
  bcond_label(m, cc, l);
}

/* The inverse A64 condition is exactly "not (lhs c rhs)", NaN included:
 * each float condition of cond_of is false on unordered, NE aside, and
 * inverting flips that. */
void a64_masm_cmp_branch_not(jit_masm *m, jit_cond c, jit_type t,
                             jit_reg lhs, jit_opnd rhs, jit_label *l) {
  island_check(m, 0);
  a64_cond cc = compare(m, c, t, lhs, rhs);
  bcond_label(m, a64_cond_invert(cc), l);
}

void a64_masm_branch_zero(jit_masm *m, jit_type t, jit_reg reg, bool if_zero,
                          jit_label *l) {
  island_check(m, 0);
  cbz_label(m, is_w(t), if_zero, hw(reg), l);
}

/* dst = cc ? a : b with the flags already set. */
static void select_cc(jit_masm *m, jit_type t, a64_cond cc, jit_reg dst,
                      jit_reg a, jit_reg b) {
  if (t == JT_V128) {
    /* no 128-bit csel: a lane mask of the condition, then bsl */
    a64_csel(&m->buf, true, A64_CSINV, SCRATCH, A64_ZR, A64_ZR,
             a64_cond_invert(cc));
    a64_simd_copy(&m->buf, true, false, 8, 1, FSCRATCH, SCRATCH); /* dup */
    a64_simd_3same(&m->buf, true, true, 1, 0x03, FSCRATCH, hw(a), hw(b));
    a64_mov_v(&m->buf, hw(dst), FSCRATCH);
  } else if (JIT_IS_FPR(dst))
    a64_fcsel(&m->buf, true, hw(dst), hw(a), hw(b), cc);
  else
    a64_csel(&m->buf, is_w(t), A64_CSEL, hw(dst), hw(a), hw(b), cc);
}

void a64_masm_select(jit_masm *m, jit_type t, jit_reg dst, jit_reg cond,
                     jit_reg a, jit_reg b) {
  island_check(m, 0);
  a64_addsub_imm(&m->buf, false, true, true, A64_ZR, hw(cond), 0);
  select_cc(m, t, A64_NE, dst, a, b);
}

void a64_masm_cmp_select(jit_masm *m, jit_cond c, jit_type ct, jit_reg lhs,
                         jit_opnd rhs, jit_type t, jit_reg dst, jit_reg a,
                         jit_reg b) {
  island_check(m, 0);
  a64_cond cc = compare(m, c, ct, lhs, rhs);
  select_cc(m, t, cc, dst, a, b);
}

/* ---- floats -------------------------------------------------------------------- */

/* copysign through the general registers: magnitude of lhs, sign of rhs. */
static void emit_copysign(jit_masm *m, bool f64, uint8_t d, uint8_t l,
                          uint8_t r) {
  jit_buf *b = &m->buf;
  uint64_t sign = f64 ? 1ull << 63 : 1ull << 31;
  uint32_t sign_nrs = 0, mag_nrs = 0;
  a64_logical_imm(sign, f64, &sign_nrs);
  a64_logical_imm(sign - 1, f64, &mag_nrs);
  a64_fpint(b, f64, f64, A64_FMOV_TO_GPR, SCRATCH, l);
  a64_fpint(b, f64, f64, A64_FMOV_TO_GPR, SCRATCH2, r);
  a64_logic_imm(b, f64, A64_AND, SCRATCH, SCRATCH, mag_nrs);
  a64_logic_imm(b, f64, A64_AND, SCRATCH2, SCRATCH2, sign_nrs);
  a64_logic_reg(b, f64, A64_ORR, false, SCRATCH, SCRATCH, SCRATCH2, A64_LSL,
                0);
  a64_fpint(b, f64, f64, A64_FMOV_FROM_GPR, d, SCRATCH);
}

void a64_masm_fbinop(jit_masm *m, jit_fbinop op, jit_type t, jit_reg dst,
                     jit_reg lhs, jit_reg rhs) {
  island_check(m, 0);
  bool f64 = t == JT_F64;
  uint8_t d = hw(dst), l = hw(lhs), r = hw(rhs);
  a64_fp2_op fop;
  switch (op) {
  case JF_ADD: fop = A64_FADD; break;
  case JF_SUB: fop = A64_FSUB; break;
  case JF_MUL: fop = A64_FMUL; break;
  case JF_DIV: fop = A64_FDIV; break;
  /* fmin/fmax already give NaN for NaN inputs and order -0 below +0 */
  case JF_MIN: fop = A64_FMIN; break;
  case JF_MAX: fop = A64_FMAX; break;
  default: emit_copysign(m, f64, d, l, r); return;
  }
  a64_fp2(&m->buf, f64, fop, d, l, r);
}

void a64_masm_funop(jit_masm *m, jit_funop op, jit_type t, jit_reg dst,
                    jit_reg src) {
  island_check(m, 0);
  static const a64_fp1_op ops[] = {
      [JFU_ABS] = A64_FABS,     [JFU_NEG] = A64_FNEG,
      [JFU_SQRT] = A64_FSQRT,   [JFU_CEIL] = A64_FRINTP,
      [JFU_FLOOR] = A64_FRINTM, [JFU_TRUNC] = A64_FRINTZ,
      [JFU_NEAREST] = A64_FRINTN,
  };
  /* fabs/fneg only touch the sign bit, NaN payloads included */
  a64_fp1(&m->buf, t == JT_F64, ops[op], hw(dst), hw(src));
}

/* ---- conversions ------------------------------------------------------------------ */

static void fcvtz(jit_buf *b, trunc_info ti, uint8_t d, uint8_t s) {
  a64_fpint(b, ti.dst64, ti.src64, ti.is_signed ? A64_FCVTZS : A64_FCVTZU, d,
            s);
}

/* fcvtzs/fcvtzu saturate and map NaN to 0, which is exactly the _sat
 * semantics; the trapping forms check NaN and the range first. */
static void emit_trunc(jit_masm *m, trunc_info ti, uint8_t d, uint8_t s,
                       jit_label *invalid, jit_label *overflow) {
  jit_buf *b = &m->buf;
  bool f64 = ti.src64;
  double lo, hi;
  bool lo_inclusive;
  if (!ti.saturating) {
    a64_fcmp(b, f64, s, s);
    bcond_label(m, A64_VS, invalid);
    trunc_bounds(ti, &lo, &lo_inclusive, &hi);
    load_fconst(m, f64, FSCRATCH, fconst_bits(f64, hi));
    a64_fcmp(b, f64, s, FSCRATCH);
    bcond_label(m, A64_GE, overflow);
    load_fconst(m, f64, FSCRATCH, fconst_bits(f64, lo));
    a64_fcmp(b, f64, s, FSCRATCH);
    bcond_label(m, lo_inclusive ? A64_LT : A64_LE, overflow);
  }
  fcvtz(b, ti, d, s);
}

void a64_masm_convert(jit_masm *m, jit_convop op, jit_reg dst, jit_reg src,
                      jit_label *invalid, jit_label *overflow) {
  island_check(m, 0);
  jit_buf *b = &m->buf;
  uint8_t d = hw(dst), s = hw(src);
  if (op <= JCV_I64_TRUNC_SAT_F64_U) {
    emit_trunc(m, trunc_info_of(op), d, s, invalid, overflow);
    return;
  }
  if (op <= JCV_F64_CONVERT_I64_U) {
    int k = (int)op - JCV_F32_CONVERT_I32_S; /* f32: i32 s/u, i64 s/u; f64 */
    bool to64 = (k & 4) != 0, from64 = (k & 2) != 0, is_signed = !(k & 1);
    /* scvtf/ucvtf round correctly from any integer width */
    a64_fpint(b, from64, to64, is_signed ? A64_SCVTF : A64_UCVTF, d, s);
    return;
  }
  switch (op) {
  case JCV_F32_DEMOTE_F64: a64_fp1(b, true, A64_FCVT_TO_S, d, s); break;
  case JCV_F64_PROMOTE_F32: a64_fp1(b, false, A64_FCVT_TO_D, d, s); break;
  case JCV_I32_REINTERPRET_F32:
    a64_fpint(b, false, false, A64_FMOV_TO_GPR, d, s);
    break;
  case JCV_I64_REINTERPRET_F64:
    a64_fpint(b, true, true, A64_FMOV_TO_GPR, d, s);
    break;
  case JCV_F32_REINTERPRET_I32:
    a64_fpint(b, false, false, A64_FMOV_FROM_GPR, d, s);
    break;
  case JCV_F64_REINTERPRET_I64:
    a64_fpint(b, true, true, A64_FMOV_FROM_GPR, d, s);
    break;
  default: break;
  }
}

/* ---- linear memory ---------------------------------------------------------------- */

static a64_ldst mem_kind(jit_memop op) {
  switch (op) {
  case JM_I32_LOAD:
  case JM_I64_LOAD32_U: return A64_LDR_W;
  case JM_I64_LOAD: return A64_LDR_X;
  case JM_F32_LOAD: return A64_LDR_S;
  case JM_F64_LOAD: return A64_LDR_D;
  case JM_I32_LOAD8_S: return A64_LDRSB_W;
  case JM_I64_LOAD8_S: return A64_LDRSB_X;
  case JM_I32_LOAD8_U:
  case JM_I64_LOAD8_U: return A64_LDRB;
  case JM_I32_LOAD16_S: return A64_LDRSH_W;
  case JM_I64_LOAD16_S: return A64_LDRSH_X;
  case JM_I32_LOAD16_U:
  case JM_I64_LOAD16_U: return A64_LDRH;
  case JM_I64_LOAD32_S: return A64_LDRSW;
  case JM_I32_STORE:
  case JM_I64_STORE32: return A64_STR_W;
  case JM_I64_STORE: return A64_STR_X;
  case JM_F32_STORE: return A64_STR_S;
  case JM_F64_STORE: return A64_STR_D;
  case JM_I32_STORE8:
  case JM_I64_STORE8: return A64_STRB;
  default: return A64_STRH; /* JM_I32_STORE16, JM_I64_STORE16 */
  }
}

/* The base of linear-memory accesses: memory 0's pinned x27, or the
 * register jit_masm_set_mem_base named for another memory. */
static uint8_t mem_base(const jit_masm *m) {
  return m->mem_base == JIT_NO_REG ? MEMBASE : hw(m->mem_base);
}

/* [base + zext(addr) + offset]. Register addresses hold a u32, so
 * `ldr rt, [x27, waddr, uxtw]` serves when there is no offset; otherwise
 * the 64-bit sum goes to scratch (it cannot wrap: both are below 2^32).
 * A memory64 that checks its size hands whole u64 addresses (below 2^48,
 * mem_index64): `[base, xaddr]` then. The trap site is the access
 * itself. */
static void access_mem(jit_masm *m, a64_ldst k, uint8_t rt, jit_opnd addr,
                       uint32_t offset) {
  jit_buf *b = &m->buf;
  uint8_t base = mem_base(m);
  sp_runtime_check(m);
  uint8_t index;
  a64_extend ext = A64_UXTX;
  if (addr.is_imm) {
    uint64_t eff = (uint64_t)(uint32_t)addr.imm + offset;
    if (a64_ldst_uimm_ok(k, (int64_t)eff)) {
      jit_masm_add_trap(m, jit_buf_pos(b), WRUN_TRAP_MEMORY_OOB);
      a64_ldst_uimm(b, k, rt, base, (uint32_t)eff);
      return;
    }
    a64_mov_imm(b, true, SCRATCH, eff);
    index = SCRATCH;
  } else if (offset == 0) {
    index = hw(addr.reg);
    if (!m->mem_index64) ext = A64_UXTW;
  } else {
    add_imm64(b, SCRATCH, hw(addr.reg), offset, SCRATCH);
    index = SCRATCH;
  }
  jit_masm_add_trap(m, jit_buf_pos(b), WRUN_TRAP_MEMORY_OOB);
  a64_ldst_reg(b, k, rt, base, index, ext, false);
}

void a64_masm_load_mem(jit_masm *m, jit_memop op, jit_reg dst, jit_opnd addr,
                       uint32_t offset) {
  island_check(m, 0);
  access_mem(m, mem_kind(op), hw(dst), addr, offset);
}

void a64_masm_store_mem(jit_masm *m, jit_memop op, jit_reg src, jit_opnd addr,
                        uint32_t offset) {
  island_check(m, 0);
  access_mem(m, mem_kind(op), hw(src), addr, offset);
}

/* The constant goes through x17 (the address may use x16); floats are
 * stored as their bits. */
void a64_masm_store_mem_imm(jit_masm *m, jit_memop op, uint64_t bits,
                            jit_opnd addr, uint32_t offset) {
  island_check(m, 0);
  a64_ldst k = mem_kind(op);
  if (k == A64_STR_S) k = A64_STR_W;
  if (k == A64_STR_D) k = A64_STR_X;
  bool wide = k == A64_STR_X;
  if (!wide) bits = (uint32_t)bits;
  uint8_t src = A64_ZR;
  if (bits != 0) {
    a64_mov_imm(&m->buf, wide, SCRATCH2, bits);
    src = SCRATCH2;
  }
  access_mem(m, k, src, addr, offset);
}

/* ---- control ------------------------------------------------------------------------ */

void a64_masm_jmp(jit_masm *m, jit_label *l) {
  island_check(m, 0);
  b_label(m, l);
}

void a64_masm_bind(jit_masm *m, jit_label *l) {
  island_check(m, 0);
  l->pos = (int32_t)jit_buf_pos(&m->buf);
  for (int32_t i = l->fixups; i >= 0; i = m->fixups[i].next) {
    jit_fixup *f = &m->fixups[i];
    if (f->kind == FIX_TABLE)
      jit_buf_patch32(&m->buf, f->at, (uint32_t)(l->pos - f->base));
    else if (f->kind != FIX_DONE)
      patch_branch(m, f->at, l->pos);
    f->kind = FIX_DONE; /* resolved: no veneer needed any more */
    m->pending_fixups--;
  }
  l->fixups = -1;
}

/* cmp; b.hs dflt; adr x16, table; ldrsw x17, [x16, w_index, uxtw #2];
 * add x16, x16, x17; br x16; table: int32 (target - table) entries. */
void a64_masm_jump_table(jit_masm *m, jit_reg index, uint32_t n,
                         jit_label **targets, jit_label *dflt) {
  jit_buf *b = &m->buf;
  uint8_t i = hw(index);
  /* the table's words, and its fixups counted by the island bound */
  island_check(m, n <= (UINT32_MAX - 64) / 8 ? 8 * n + 64 : UINT32_MAX);
  cmp_imm(m, false, i, (int64_t)n);
  if (n < SHORT_RANGE / 8) {
    bcond_label(m, A64_HS, dflt);
  } else {
    /* the table alone would put an island out of the short branch's
     * reach: jump over a long branch instead */
    a64_bcond(b, A64_LO, 8);
    b_label(m, dflt);
  }
  a64_adr(b, SCRATCH, 16); /* the table follows the next three words */
  a64_ldst_reg(b, A64_LDRSW, SCRATCH2, SCRATCH, i, A64_UXTW, true);
  a64_addsub_reg(b, true, false, false, SCRATCH, SCRATCH, SCRATCH2, A64_LSL,
                 0);
  a64_br(b, SCRATCH);
  uint32_t table = jit_buf_pos(b);
  for (uint32_t k = 0; k < n; k++) {
    jit_label *l = targets[k];
    uint32_t at = jit_buf_pos(b);
    if (l->pos >= 0) {
      jit_buf_u32(b, (uint32_t)(l->pos - (int32_t)table));
    } else {
      jit_buf_u32(b, 0);
      jit_masm_add_fixup(m, l, at, FIX_TABLE, (int32_t)table);
    }
  }
}

void a64_masm_call_func(jit_masm *m, uint32_t func_index) {
  island_check(m, 0);
  sp_runtime_check(m);
  uint32_t at = a64_bl(&m->buf, 0);
  jit_masm_add_reloc(m, at, func_index);
  jit_masm_note_call(m);
}

void a64_masm_call_reg(jit_masm *m, jit_reg target) {
  island_check(m, 0);
  sp_runtime_check(m);
  a64_blr(&m->buf, hw(target));
  jit_masm_note_call(m);
}

/* Relocatable values: movz + movk of every halfword (2 instructions for
 * 32 bits, 4 for 64), so that any value fits where another was; `at` is
 * the movz. Non-relocatable code takes a64_mov_imm's shortest form. */
static void mov_patchable(jit_masm *m, bool wide, uint8_t rd, uint64_t v) {
  unsigned nhw = wide ? 4 : 2;
  for (unsigned i = 0; i < nhw; i++)
    a64_movw(&m->buf, wide, i ? A64_MOVK : A64_MOVZ, rd,
             (uint16_t)(v >> (16 * i)), i);
}

void a64_masm_call_abs(jit_masm *m, const void *fn) {
  island_check(m, 0);
  sp_runtime_check(m);
  if (m->relocatable) {
    uint32_t at = jit_buf_pos(&m->buf);
    mov_patchable(m, true, SCRATCH, (uint64_t)(uintptr_t)fn);
    jit_masm_add_libcall_sym(m, at, fn);
  } else {
    a64_mov_imm(&m->buf, true, SCRATCH, (uint64_t)(uintptr_t)fn);
  }
  a64_blr(&m->buf, SCRATCH);
  jit_masm_note_call(m);
}

void a64_masm_mov_sym(jit_masm *m, jit_reg dst, uint8_t kind, uint32_t index,
                      uint64_t value) {
  island_check(m, 0);
  bool wide = kind != JIT_SYM_TYPE_ID;
  if (!wide) value = (uint32_t)value;
  if (!m->relocatable) {
    a64_mov_imm(&m->buf, wide, hw(dst), value);
    return;
  }
  jit_masm_add_sym(m, jit_buf_pos(&m->buf), kind, index);
  mov_patchable(m, wide, hw(dst), value);
}

uint32_t a64_masm_sym_bytes(uint8_t kind) {
  switch (kind) {
  case JIT_SYM_LIBCALL: case JIT_SYM_RTT: return 16;
  case JIT_SYM_TYPE_ID: return 8;
  }
  return 0;
}

/* Rewrites the imm16 field (bits 5-20) of each movz/movk. */
void a64_masm_patch_sym(uint8_t *code, uint32_t at, uint8_t kind,
                        uint64_t value) {
  unsigned nhw = kind == JIT_SYM_TYPE_ID ? 2 : 4;
  for (unsigned i = 0; i < nhw; i++) {
    uint32_t insn;
    memcpy(&insn, code + at + 4 * i, 4);
    insn = (insn & ~(0xffffu << 5)) |
           (uint32_t)(uint16_t)(value >> (16 * i)) << 5;
    memcpy(code + at + 4 * i, &insn, 4);
  }
}

/* b imm26: patched like a bl (a64_branch_with_offset keeps the opcode) */
void a64_masm_jmp_func(jit_masm *m, uint32_t func_index) {
  island_check(m, 0);
  sp_runtime_check(m);
  uint32_t at = a64_b(&m->buf, 0);
  jit_masm_add_reloc(m, at, func_index);
}

void a64_masm_jmp_reg(jit_masm *m, jit_reg target) {
  island_check(m, 0);
  sp_runtime_check(m);
  a64_br(&m->buf, hw(target));
}

/* mov sp, x29; ldp x29, x30, [sp], #16: SP back at its entry value (so
 * aligned), fp and lr the caller's. The code after it is the jump; the
 * audit goes on from the entry depth for the unreachable rest. */
void a64_masm_tail_epilogue(jit_masm *m) {
  island_check(m, 0);
  jit_buf *b = &m->buf;
  a64_mov_sp(b, A64_SP, A64_FP);
  a64_ldstp(b, true, false, A64_POST, A64_FP, A64_LR, A64_SP, 16);
}

void a64_masm_patch_call(uint8_t *code, uint32_t at, uint32_t target) {
  uint32_t insn;
  memcpy(&insn, code + at, 4);
  insn = a64_branch_with_offset(insn, (int32_t)(target - at));
  memcpy(code + at, &insn, 4);
}

/* stp x29, x30, [sp, #-16]!; mov x29, sp;
 * movz x16, #lo; movk x16, #hi, lsl 16   (frame size, patched later)
 * sub x17, sp, x16; ldr x16, [ctx, #limit]; cmp x17, x16; b.lo overflow;
 * mov sp, x17 */
void a64_masm_prologue(jit_masm *m, jit_reg ctx_reg, int32_t stack_limit_off,
                       jit_label *overflow) {
  island_check(m, 0);
  jit_buf *b = &m->buf;
  sp_depth = 0;
  a64_ldstp(b, false, false, A64_PRE, A64_FP, A64_LR, A64_SP, -16);
  sp_depth += 16;
  a64_mov_sp(b, A64_FP, A64_SP);
  m->frame_size_at = a64_movw(b, true, A64_MOVZ, SCRATCH, 0, 0);
  a64_movw(b, true, A64_MOVK, SCRATCH, 0, 1);
  a64_addsub_ext(b, true, true, false, SCRATCH2, A64_SP, SCRATCH, A64_UXTX, 0);
  ldst_at(b, A64_LDR_X, SCRATCH, hw(ctx_reg), stack_limit_off, SCRATCH3);
  a64_addsub_reg(b, true, true, true, A64_ZR, SCRATCH2, SCRATCH, A64_LSL, 0);
  bcond_label(m, A64_LO, overflow);
  a64_mov_sp(b, A64_SP, SCRATCH2);
  /* the frame size is rounded to 16 by finish_frame: depth stays aligned */
}

void a64_masm_finish_frame(jit_masm *m, uint32_t frame_size) {
  uint32_t aligned = (frame_size + 15u) & ~15u;
  jit_buf tmp = {0};
  uint32_t words[2];
  /* re-encode the two moves in place */
  a64_movw(&tmp, true, A64_MOVZ, SCRATCH, (uint16_t)aligned, 0);
  a64_movw(&tmp, true, A64_MOVK, SCRATCH, (uint16_t)(aligned >> 16), 1);
  if (tmp.oom || tmp.size != 8) {
    m->oom = true;
  } else {
    memcpy(words, tmp.data, 8);
    jit_buf_patch32(&m->buf, m->frame_size_at, words[0]);
    jit_buf_patch32(&m->buf, m->frame_size_at + 4, words[1]);
  }
  jit_buf_free(&tmp);
}

void a64_masm_epilogue(jit_masm *m) {
  island_check(m, 0);
  jit_buf *b = &m->buf;
  a64_mov_sp(b, A64_SP, A64_FP);
  a64_ldstp(b, true, false, A64_POST, A64_FP, A64_LR, A64_SP, 16);
  a64_ret(b);
}

void a64_masm_trap(jit_masm *m, uint8_t code) {
  island_check(m, 0);
  sp_runtime_check(m);
  jit_masm_add_trap(m, jit_buf_pos(&m->buf), code);
  a64_udf(&m->buf, code);
}

/* ---- trampolines ----------------------------------------------------------------------- */

#define WASM_I32 0x7F
#define WASM_F32 0x7D
#define WASM_F64 0x7C
#define WASM_V128 0x7B

_Static_assert(WASM_V128 == RT_ARRAY_V128_TYPE, "one v128 type byte");

/* Copies `size` bytes (a multiple of 8) between two memory areas. */
static void copy_qwords(jit_buf *b, uint8_t to_base, int32_t to_off,
                        uint8_t from_base, int32_t from_off, uint32_t size) {
  for (uint32_t k = 0; k < size; k += 8) {
    ldst_at(b, A64_LDR_X, SCRATCH, from_base, from_off + (int32_t)k, SCRATCH2);
    ldst_at(b, A64_STR_X, SCRATCH, to_base, to_off + (int32_t)k, SCRATCH2);
  }
}

/* Below fp in the entry trampoline: the values pointer, then the callee-
 * saved registers of AAPCS64 in pairs. */
#define VALUES_SLOT (-16)
#define SAVE_AREA 160

static const uint8_t saved_gprs[10] = {19, 20, 21, 22, 23, 24, 25, 26, 27, 28};

static void save_restore_callee_saved(jit_buf *b, bool load) {
  for (int i = 0; i < 5; i++)
    a64_ldstp(b, load, false, A64_OFFSET, saved_gprs[2 * i],
              saved_gprs[2 * i + 1], A64_FP, -32 - 16 * i);
  for (int i = 0; i < 4; i++) /* d8..d15 */
    a64_ldstp(b, load, true, A64_OFFSET, (uint8_t)(8 + 2 * i),
              (uint8_t)(9 + 2 * i), A64_FP, -112 - 16 * i);
}

/* sp -= size (size a multiple of 16). */
static void reserve_stack(jit_buf *b, uint32_t size) {
  if (a64_addsub_imm_ok(size)) {
    a64_addsub_imm(b, true, true, false, A64_SP, A64_SP, size);
  } else {
    a64_mov_imm(b, true, SCRATCH, size);
    a64_addsub_ext(b, true, true, false, A64_SP, A64_SP, SCRATCH, A64_UXTX, 0);
  }
}

/* void f(ctx x0, caller x1, uint64_t *values x2, wasm_call x3) */
void a64_masm_entry_trampoline(jit_masm *m, const rt_valtype *params,
                               uint32_t nparams, const rt_valtype *results,
                               uint32_t nresults) {
  jit_buf *b = &m->buf;
  uint32_t args = rt_array_size(params, nparams);
  uint32_t rets = rt_array_size(results, nresults);
  uint32_t area = ((args > rets ? args : rets) + 15u) & ~15u;
  sp_depth = 0;
  a64_ldstp(b, false, false, A64_PRE, A64_FP, A64_LR, A64_SP, -16);
  a64_mov_sp(b, A64_FP, A64_SP);
  reserve_stack(b, SAVE_AREA + area);
  sp_depth += 16 + SAVE_AREA + (int32_t)area;
  save_restore_callee_saved(b, false);
  /* wasm code clobbers every allocatable register: values waits in the
   * frame */
  ldst_at(b, A64_STR_X, 2, A64_FP, VALUES_SLOT, SCRATCH2);
  copy_qwords(b, A64_SP, 0, 2, 0, args);
  jit_reg_arg regs[JIT_ARG_GPRS];
  uint32_t nregs = jit_reg_args(params, nparams, regs);
  for (uint32_t k = 0; k < nregs; k++)
    ldst_at(b, load_kind(regs[k].type), a64_target.arg_gpr[k], 2,
            regs[k].off, SCRATCH2);
  /* the outgoing area's capacity, for tail calls (x2 was saved above) */
  a64_mov_imm(b, true, a64_target.tail_cap_reg, area);
  sp_runtime_check(m);
  a64_blr(b, 3);
  const uint8_t values = 9; /* caller-saved, free after the call */
  ldst_at(b, A64_LDR_X, values, A64_FP, VALUES_SLOT, SCRATCH2);
  if (nresults > 0) {
    switch (results[0]) {
    case WASM_F32:
      /* fmov w zero-extends: the slot's upper half becomes zero */
      a64_fpint(b, false, false, A64_FMOV_TO_GPR, SCRATCH, 0);
      a64_ldst_uimm(b, A64_STR_X, SCRATCH, values, 0);
      break;
    case WASM_F64: a64_ldst_uimm(b, A64_STR_D, 0, values, 0); break;
    case WASM_V128: a64_ldst_uimm(b, A64_STR_Q, 0, values, 0); break;
    default: a64_ldst_uimm(b, A64_STR_X, 0, values, 0); break;
    }
    uint32_t off = rt_array_slot_size(results[0]);
    for (uint32_t i = 1; i < nresults; i++) {
      uint32_t size = rt_array_slot_size(results[i]);
      if (results[i] == WASM_I32 || results[i] == WASM_F32) {
        /* a 32-bit load zero-extends: the callee stored only 4 bytes */
        ldst_at(b, A64_LDR_W, SCRATCH, A64_SP, off, SCRATCH2);
        ldst_at(b, A64_STR_X, SCRATCH, values, off, SCRATCH2);
      } else {
        copy_qwords(b, values, (int32_t)off, A64_SP, (int32_t)off, size);
      }
      off += size;
    }
  }
  save_restore_callee_saved(b, true);
  a64_mov_sp(b, A64_SP, A64_FP);
  a64_ldstp(b, true, false, A64_POST, A64_FP, A64_LR, A64_SP, 16);
  a64_ret(b);
  sp_depth = 0;
}

/* Wasm convention in, C call out: host_call(ctx x0, caller x1, values x2,
 * frame x3), values being the caller's outgoing area (arguments, then
 * results), frame this trampoline's frame record (for the GC's walk). */
void a64_masm_exit_trampoline(jit_masm *m, const rt_valtype *params,
                              uint32_t nparams, const rt_valtype *results,
                              uint32_t nresults, const void *host_call) {
  jit_buf *b = &m->buf;
  /* the caller's outgoing area: its arguments, then its results */
  const uint32_t params_at = (uint32_t)a64_target.param_base;
  sp_depth = 0;
  a64_ldstp(b, false, false, A64_PRE, A64_FP, A64_LR, A64_SP, -16);
  sp_depth += 16;
  a64_mov_sp(b, A64_FP, A64_SP);
  a64_addsub_imm(b, true, false, false, 2, A64_FP, params_at);
  a64_mov_reg(b, true, 3, A64_FP); /* x3: the frame (the GC's stack walk) */
  a64_masm_call_abs(m, host_call);
  if (nresults > 0) {
    switch (results[0]) {
    case WASM_I32: a64_ldst_uimm(b, A64_LDR_W, 0, A64_FP, params_at); break;
    case WASM_F32: a64_ldst_uimm(b, A64_LDR_S, 0, A64_FP, params_at); break;
    case WASM_F64: a64_ldst_uimm(b, A64_LDR_D, 0, A64_FP, params_at); break;
    case WASM_V128: a64_ldst_uimm(b, A64_LDR_Q, 0, A64_FP, params_at); break;
    default: a64_ldst_uimm(b, A64_LDR_X, 0, A64_FP, params_at); break;
    }
  }
  a64_ldstp(b, true, false, A64_POST, A64_FP, A64_LR, A64_SP, 16);
  a64_ret(b);
  sp_depth = 0;
}

/* ---- helpers for the SIMD lowering (masm_simd.c) ------------------------- */

void a64_masm_op_start(jit_masm *m) { island_check(m, 0); }

void a64_masm_access_mem(jit_masm *m, a64_ldst k, uint8_t rt, jit_opnd addr,
                         uint32_t offset) {
  access_mem(m, k, rt, addr, offset);
}

/* x16 = base + zext(addr) + offset (base and addr as in access_mem), for the forms
 * (ld1/st1) that take only a base register. The caller records the trap
 * site at the access. */
void a64_masm_mem_address(jit_masm *m, jit_opnd addr, uint32_t offset) {
  jit_buf *b = &m->buf;
  uint8_t base = mem_base(m);
  sp_runtime_check(m);
  if (addr.is_imm) {
    a64_mov_imm(b, true, SCRATCH, (uint64_t)(uint32_t)addr.imm + offset);
  } else if (offset == 0) {
    a64_addsub_ext(b, true, false, false, SCRATCH, base, hw(addr.reg),
                   m->mem_index64 ? A64_UXTX : A64_UXTW, 0);
    return;
  } else {
    add_imm64(b, SCRATCH, hw(addr.reg), offset, SCRATCH);
  }
  a64_addsub_ext(b, true, false, false, SCRATCH, base, SCRATCH, A64_UXTX, 0);
}

/* ldr x16, [x28, #limit]; cmp sp, x16; b.lo trap. Only the scratch
 * register x16 and the flags change, so the loop head's cache survives. */
void a64_masm_stack_check(jit_masm *m, int32_t limit_off, jit_label *trap) {
  island_check(m, 0);
  jit_buf *b = &m->buf;
  ldst_at(b, A64_LDR_X, SCRATCH, VMCTX, limit_off, SCRATCH3);
  a64_addsub_ext(b, true, true, true, A64_ZR, A64_SP, SCRATCH, A64_UXTX, 0);
  bcond_label(m, A64_LO, trap);
}

/* The subs of a fuel charge: x26 = x26 - amount, setting the flags. */
static void encode_fuel_subs(jit_buf *b, uint32_t amount) {
  a64_addsub_imm(b, true, true, true, FUEL, FUEL, amount);
}

/* subs x26, x26, #amount; b.lo out_of_fuel. The amount (< 4096: one
 * imm12, see JIT_FUEL_MAX_CHARGE) is patched into the subs word. */
uint32_t a64_masm_fuel_charge(jit_masm *m, jit_label *out_of_fuel) {
  island_check(m, 0);
  jit_buf *b = &m->buf;
  uint32_t at = jit_buf_pos(b);
  encode_fuel_subs(b, 0);
  bcond_label(m, A64_LO, out_of_fuel);
  return at;
}

void a64_masm_fuel_patch(jit_masm *m, uint32_t at, uint32_t amount) {
  if (amount > JIT_FUEL_MAX_CHARGE) {
    m->oom = true; /* a bug in the caller: never emit a wrong charge */
    return;
  }
  jit_buf tmp = {0};
  encode_fuel_subs(&tmp, amount);
  uint32_t word = 0;
  if (tmp.oom || tmp.size != 4)
    m->oom = true;
  else
    memcpy(&word, tmp.data, 4);
  jit_buf_free(&tmp);
  if (!m->oom) jit_buf_patch32(&m->buf, at, word);
}

/* ldr x16, [base, #ptr]; ldr x26, [x16]. Never through SP: the SP audit
 * has nothing to check. */
void a64_masm_fuel_load(jit_masm *m, jit_reg base, int32_t ptr_off) {
  island_check(m, 0);
  jit_buf *b = &m->buf;
  ldst_at(b, A64_LDR_X, SCRATCH, hw(base), ptr_off, SCRATCH3);
  a64_ldst_uimm(b, A64_LDR_X, FUEL, SCRATCH, 0);
}

/* ldr x16, [base, #ptr]; str x26, [x16] */
void a64_masm_fuel_store(jit_masm *m, jit_reg base, int32_t ptr_off) {
  island_check(m, 0);
  jit_buf *b = &m->buf;
  ldst_at(b, A64_LDR_X, SCRATCH, hw(base), ptr_off, SCRATCH3);
  a64_ldst_uimm(b, A64_STR_X, FUEL, SCRATCH, 0);
}

/* Pads with NOP words (the buffer is always 4-byte aligned here). */
void a64_masm_align(jit_masm *m, uint32_t alignment) {
  island_check(m, alignment);
  while (jit_buf_pos(&m->buf) % alignment) jit_buf_u32(&m->buf, 0xD503201Fu);
}

/* ---- exception handling ----------------------------------------------------- */

/* add xd, sp, #0: the register form of mov cannot read sp. */
void a64_masm_sp_address(jit_masm *m, jit_reg dst) {
  island_check(m, 0);
  a64_addsub_imm(&m->buf, true, false, false, hw(dst), A64_SP, 0);
}
