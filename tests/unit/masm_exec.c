/* MacroAssembler execution tests, shared by both ISAs: small functions
 * are emitted with the host's masm (prologue, loads of the parameters from
 * the frame, one operation, epilogue), made executable and run through an
 * entry trampoline, with tricky inputs (NaN, -0, INT_MIN, 2^63, ...). Trap
 * labels return a sentinel instead of trapping, so no signal handler is
 * needed.
 *
 * The same cases run for x86-64 natively (criterion, test_masm_exec.c) and
 * for AArch64 under qemu-aarch64 (plain harness, masm_exec_main.c, in the
 * cross build; criterion is not installable for arm64 beside the x86-64
 * one). Registers are hardware numbers that are allocatable on both: x3,
 * x12, x13, x6..x10 are GPRs of either allocator, v1/v2/v13 (xmm1/2/13)
 * FPRs. */
#include "masm_exec.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "masm.h"
#include "vmctx.h"
#if defined(__x86_64__)
#include "x64/asm.h" /* the FMA feature bit, forced off and on */
#endif

#define TRAP1 0xdead0001ull /* first trap label (div_zero / invalid) */
#define TRAP2 0xdead0002ull /* second trap label (overflow) */
#define TRAP_STACK 0xdead0003ull

/* wasm value type bytes */
#define I32 0x7F
#define I64 0x7E
#define F32 0x7D
#define F64 0x7C

/* GPRs and FPRs used as operands (allocatable on both ISAs; checked by
 * mx_operand_registers_are_allocatable). */
#define GA 3          /* rbx, x3 */
#define GB 12         /* r12, x12 */
#define GC 13         /* r13, x13 */
#define FA (32 + 1)   /* xmm1, v1 */
#define FB (32 + 2)   /* xmm2, v2 */
#define FC (32 + 13)  /* xmm13, v13 */
/* the "byte registers" set of alias 4 (x64: rsi, rdi, r8 need REX for
 * their low bytes) and two temporaries */
#define GD 6
#define GE 7
#define GF 8
#define GT1 9
#define GT2 10

#define TARGET jit_host_target
/* The first parameter's frame offset; the second is 8 above it. */
#define PARAM0 (TARGET.param_base)

typedef void (*array_call_fn)(void *ctx, void *caller, uint64_t *values,
                              const void *wasm_call);

/* One test case: what to emit and with which operand registers. */
typedef struct tc {
  int op;
  jit_type t;      /* operation type */
  jit_type rt;     /* result type */
  jit_cond c;
  int alias;       /* 0 d,l,r distinct; 1 d=l; 2 d=r; 3 l=r; 4 byte regs */
  bool imm;        /* rhs an immediate */
  int64_t immv;
  uint64_t extra;  /* kind-specific */
} tc;

typedef void (*emit_fn)(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                        jit_reg r, jit_label *t1, jit_label *t2);

static jit_type type_of(uint8_t wt) {
  switch (wt) {
  case I32: return JT_I32;
  case I64: return JT_I64;
  case F32: return JT_F32;
  default: return JT_F64;
  }
}

static void pick_regs(int alias, bool fpr, jit_reg *d, jit_reg *l,
                      jit_reg *r) {
  jit_reg a = fpr ? FA : GA, b = fpr ? FB : GB, c = fpr ? FC : GC;
  *d = c, *l = a, *r = b;
  if (alias == 1) *d = a;
  if (alias == 2) *d = b;
  if (alias == 3) *r = a;
  if (alias == 4 && !fpr) *d = GD, *l = GE, *r = GF;
}

static uint32_t frame_size = 48; /* bytes below fp, zeroed on entry */
static uint8_t *code_mem;
static size_t code_size;

/* The code of b mapped read+execute, or NULL (reported). */
static void *make_executable(const jit_buf *b) {
  code_size = (b->size + 4095) & ~(size_t)4095;
  code_mem = mmap(NULL, code_size, PROT_READ | PROT_WRITE,
                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (!MX_TRUE(code_mem != MAP_FAILED)) return NULL;
  memcpy(code_mem, b->data, b->size);
  /* AArch64 fetches instructions past the data cache */
  __builtin___clear_cache((char *)code_mem, (char *)code_mem + b->size);
  if (!MX_TRUE(mprotect(code_mem, code_size, PROT_READ | PROT_EXEC) == 0)) {
    munmap(code_mem, code_size);
    return NULL;
  }
  return code_mem;
}

/* A fake vmctx: only the stack limit is read. */
static uint64_t fake_vmctx[8];
#define FAKE_STACK_LIMIT fake_vmctx[RT_VMCTX_STACK_LIMIT / 8]

/* Returned by run_case when the code could not be made (reported). */
#define NOT_RUN 0xbad0bad0bad0bad0ull

bool mx_check_eq(uint64_t got, uint64_t want, const char *file, int line,
                 const char *what) {
  return mx_check(got == want, file, line, "%s: got 0x%llx, want 0x%llx",
                  what, (unsigned long long)got, (unsigned long long)want);
}

/* The cases below name registers by number: they must be allocatable
 * (neither scratch nor pinned) in the backend under test. */
void mx_operand_registers_are_allocatable(void) {
  static const jit_reg regs[] = {GA, GB, GC, GD, GE, GF, GT1, GT2, FA, FB,
                                 FC, 32 + 4, 32 + 5};
  for (size_t i = 0; i < sizeof regs / sizeof regs[0]; i++)
    MX_CHECK((TARGET.alloc_mask >> regs[i]) & 1,
             "register %u is not allocatable", regs[i]);
}

/* Emits f(p0, p1) -> r0 around emit, runs it and returns values[0]. */
static uint64_t run_case(emit_fn emit, const tc *c, rt_valtype p0,
                         rt_valtype p1, rt_valtype r0, uint64_t a0,
                         uint64_t a1) {
  jit_masm m;
  jit_masm_init(&m);
  jit_label t1, t2, ovf;
  jit_label_init(&t1);
  jit_label_init(&t2);
  jit_label_init(&ovf);
  bool fpr_in = p0 == F32 || p0 == F64;
  bool fpr_out = r0 == F32 || r0 == F64;
  jit_reg d, l, r;
  pick_regs(c->alias, fpr_in, &d, &l, &r);
  masm_prologue(&m, jit_host_target.call_ctx_reg, RT_VMCTX_STACK_LIMIT,
                &ovf);
  masm_zero_frame(&m, -(int32_t)frame_size, frame_size);
  masm_load_frame(&m, type_of(p0), l, PARAM0);
  if (r != l) masm_load_frame(&m, type_of(p1), r, PARAM0 + 8);
  /* result class differs from the inputs (compares, conversions) */
  if (fpr_in != fpr_out) pick_regs(c->alias, fpr_out, &d, &(jit_reg){0},
                                   &(jit_reg){0});
  emit(&m, c, d, l, r, &t1, &t2);
  masm_mov(&m, type_of(r0), fpr_out ? TARGET.ret_fpr : TARGET.ret_gpr, d);
  masm_epilogue(&m);
  jit_label *labels[3] = {&t1, &t2, &ovf};
  uint64_t sentinels[3] = {TRAP1, TRAP2, TRAP_STACK};
  for (int i = 0; i < 3; i++) {
    masm_bind(&m, labels[i]);
    masm_mov_imm(&m, JT_I64, TARGET.ret_gpr, sentinels[i]);
    masm_epilogue(&m);
  }
  masm_finish_frame(&m, frame_size);
  uint32_t entry = jit_buf_pos(&m.buf);
  rt_valtype params[2] = {p0, p1};
  masm_entry_trampoline(&m, params, 2, &r0, 1);
  uint8_t *mem = NULL;
  if (MX_CHECK(!jit_masm_failed(&m), "masm: %s", jit_masm_failure(&m)))
    mem = make_executable(&m.buf);
  uint64_t values[2] = {a0, a1};
  if (mem) {
    ((array_call_fn)(void *)(mem + entry))(fake_vmctx, NULL, values, mem);
    munmap(mem, code_size);
  } else {
    values[0] = NOT_RUN;
  }
  jit_masm_free(&m);
  return values[0];
}

static uint64_t f64u(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static double u2f64(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static uint64_t f32u(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float u2f32(uint64_t u) { float f; uint32_t v = (uint32_t)u; memcpy(&f, &v, 4); return f; }

/* ---- integer binops -------------------------------------------------------- */

static void emit_binop(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                       jit_reg r, jit_label *t1, jit_label *t2) {
  masm_binop(m, (jit_binop)c->op, c->t, d, l,
             c->imm ? jit_imm_opnd(c->immv) : jit_reg_opnd(r));
}

static uint64_t ref_binop(jit_binop op, bool w, uint64_t a, uint64_t b) {
  unsigned bits = w ? 64 : 32;
  uint64_t mask = w ? UINT64_MAX : 0xffffffffu;
  a &= mask, b &= mask;
  unsigned k = (unsigned)(b & (bits - 1));
  uint64_t v = 0;
  switch (op) {
  case JB_ADD: v = a + b; break;
  case JB_SUB: v = a - b; break;
  case JB_MUL: v = a * b; break;
  case JB_AND: v = a & b; break;
  case JB_OR: v = a | b; break;
  case JB_XOR: v = a ^ b; break;
  case JB_SHL: v = a << k; break;
  case JB_SHR_U: v = a >> k; break;
  case JB_SHR_S:
    v = w ? (uint64_t)((int64_t)a >> k) : (uint64_t)(uint32_t)((int32_t)a >> k);
    break;
  case JB_ROTL: v = k ? (a << k) | (a >> (bits - k)) : a; break;
  case JB_ROTR: v = k ? (a >> k) | (a << (bits - k)) : a; break;
  }
  return v & mask;
}

void mx_integer_binops_all_aliasings(void) {
  static const uint64_t vals[][2] = {
      {5, 3}, {0xffffffffu, 1}, {0x80000000u, 0xffffffffu},
      {0x8000000000000000ull, 63}, {0x123456789abcdef0ull, 0xfedcba9876543210ull},
      {7, 0x40}, {1, 33},
  };
  for (int op = JB_ADD; op <= JB_ROTR; op++)
    for (int w = 0; w < 2; w++)
      for (int alias = 0; alias <= 4; alias++)
        for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
          uint64_t a = vals[i][0], b = vals[i][1];
          if (!w) a = (uint32_t)a, b = (uint32_t)b;
          if (alias == 3) b = a;
          tc c = {.op = op, .t = w ? JT_I64 : JT_I32, .alias = alias};
          uint8_t ty = w ? I64 : I32;
          uint64_t got = run_case(emit_binop, &c, ty, ty, ty, a, b);
          uint64_t want = ref_binop((jit_binop)op, w, a, b);
          MX_CHECK((uint64_t)(got) == (uint64_t)(want),
                   "op %d w %d alias %d: %llx,%llx -> %llx want %llx", op, w,
                   alias, (unsigned long long)a, (unsigned long long)b,
                   (unsigned long long)got, (unsigned long long)want);
        }
}

void mx_integer_binops_immediates(void) {
  static const int64_t imms[] = {0, 1, -1, 31, 32, 63, 64, 127, 128, -129,
                                 INT32_MAX, INT32_MIN, 0x100000000ll,
                                 INT64_MIN, 0x7fffffffffffll};
  static const uint64_t lhs[] = {0, 0x89abcdefu, 0xfedcba9876543210ull};
  for (int op = JB_ADD; op <= JB_ROTR; op++)
    for (int w = 0; w < 2; w++)
      for (int alias = 0; alias <= 1; alias++)
        for (size_t i = 0; i < sizeof imms / sizeof imms[0]; i++)
          for (size_t j = 0; j < 3; j++) {
            uint64_t a = w ? lhs[j] : (uint32_t)lhs[j];
            tc c = {.op = op, .t = w ? JT_I64 : JT_I32, .alias = alias,
                    .imm = true, .immv = imms[i]};
            uint8_t ty = w ? I64 : I32;
            uint64_t got = run_case(emit_binop, &c, ty, ty, ty, a, 0);
            uint64_t want = ref_binop((jit_binop)op, w, a, (uint64_t)imms[i]);
            MX_CHECK((uint64_t)(got) == (uint64_t)(want),
                     "op %d w %d imm %lld lhs %llx -> %llx want %llx", op, w,
                     (long long)imms[i], (unsigned long long)a,
                     (unsigned long long)got, (unsigned long long)want);
          }
}

/* ---- division ---------------------------------------------------------------- */

static void emit_divrem(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                        jit_reg r, jit_label *t1, jit_label *t2) {
  masm_divrem(m, (jit_divop)c->op, c->t, d, l, r, t1, t2);
}

static uint64_t ref_divrem(jit_divop op, bool w, uint64_t a, uint64_t b) {
  if (!w) a = (uint32_t)a, b = (uint32_t)b;
  if (b == 0) return TRAP1;
  if (w) {
    int64_t sa = (int64_t)a, sb = (int64_t)b;
    switch (op) {
    case JD_DIV_S:
      if (sa == INT64_MIN && sb == -1) return TRAP2;
      return (uint64_t)(sa / sb);
    case JD_REM_S: return sb == -1 ? 0 : (uint64_t)(sa % sb);
    case JD_DIV_U: return a / b;
    default: return a % b;
    }
  }
  int32_t sa = (int32_t)a, sb = (int32_t)b;
  switch (op) {
  case JD_DIV_S:
    if (sa == INT32_MIN && sb == -1) return TRAP2;
    return (uint32_t)(sa / sb);
  case JD_REM_S: return sb == -1 ? 0 : (uint32_t)(sa % sb);
  case JD_DIV_U: return (uint32_t)(a / b);
  default: return (uint32_t)(a % b);
  }
}

void mx_divrem_traps_and_aliasing(void) {
  static const uint64_t vals[][2] = {
      {7, 2}, {(uint64_t)-7, 2}, {7, (uint64_t)-2}, {5, 0},
      {0x80000000u, 0xffffffffu}, {0x8000000000000000ull, UINT64_MAX},
      {0x80000000u, 1}, {UINT64_MAX, 3}, {100, UINT64_MAX}, {0, 5},
  };
  for (int op = JD_DIV_S; op <= JD_REM_U; op++)
    for (int w = 0; w < 2; w++)
      for (int alias = 0; alias <= 2; alias++)
        for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
          uint64_t a = vals[i][0], b = vals[i][1];
          if (!w) a = (uint32_t)a, b = (uint32_t)b;
          tc c = {.op = op, .t = w ? JT_I64 : JT_I32, .alias = alias};
          uint8_t ty = w ? I64 : I32;
          uint64_t got = run_case(emit_divrem, &c, ty, ty, ty, a, b);
          uint64_t want = ref_divrem((jit_divop)op, w, a, b);
          MX_CHECK((uint64_t)(got) == (uint64_t)(want),
                   "op %d w %d alias %d: %llx,%llx -> %llx want %llx", op, w,
                   alias, (unsigned long long)a, (unsigned long long)b,
                   (unsigned long long)got, (unsigned long long)want);
        }
}

/* ---- unary integer ops, with and without lzcnt/tzcnt/popcnt ------------- */

static void emit_unop(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                      jit_reg r, jit_label *t1, jit_label *t2) {
  masm_unop(m, (jit_unop)c->op, c->t, d, l);
}

static uint64_t ref_unop(jit_unop op, bool w, uint64_t a) {
  unsigned bits = w ? 64 : 32;
  if (!w && op != JU_EXTEND_I32_S && op != JU_EXTEND_I32_U && op != JU_WRAP)
    a = (uint32_t)a;
  uint64_t n = 0;
  switch (op) {
  case JU_CLZ:
    for (n = 0; n < bits && !((a >> (bits - 1 - n)) & 1); n++) {}
    return n;
  case JU_CTZ:
    for (n = 0; n < bits && !((a >> n) & 1); n++) {}
    return n;
  case JU_POPCNT:
    for (unsigned i = 0; i < bits; i++) n += (a >> i) & 1;
    return n;
  case JU_EQZ: return a == 0;
  case JU_EXTEND8_S:
    return w ? (uint64_t)(int64_t)(int8_t)a : (uint32_t)(int32_t)(int8_t)a;
  case JU_EXTEND16_S:
    return w ? (uint64_t)(int64_t)(int16_t)a : (uint32_t)(int32_t)(int16_t)a;
  case JU_EXTEND32_S:
  case JU_EXTEND_I32_S: return (uint64_t)(int64_t)(int32_t)a;
  default: return (uint32_t)a;
  }
}

static void check_unops(void) {
  static const uint64_t vals[] = {0, 1, 0x80, 0xff, 0x8000, 0x7fffffff,
                                  0x80000000u, 0xffffffffu,
                                  0x8000000000000000ull, 0x00f0000000000100ull,
                                  UINT64_MAX};
  for (int op = JU_CLZ; op <= JU_WRAP; op++)
    for (int w = 0; w < 2; w++)
      for (int alias = 0; alias <= 4; alias += 1)
        for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
          if (alias == 2 || alias == 3) continue; /* no rhs */
          bool from64 = op == JU_WRAP ? true : op == JU_EXTEND_I32_S ||
                                                       op == JU_EXTEND_I32_U
                                                   ? false
                                                   : w;
          bool to64 = op == JU_EQZ || op == JU_WRAP ? false
                      : op == JU_EXTEND_I32_S || op == JU_EXTEND_I32_U ? true
                                                                       : w;
          if ((op == JU_EXTEND_I32_S || op == JU_EXTEND_I32_U ||
               op == JU_WRAP || op == JU_EXTEND32_S) && !w)
            continue;
          uint64_t a = from64 ? vals[i] : (uint32_t)vals[i];
          jit_type t = op == JU_WRAP ? JT_I32 : w ? JT_I64 : JT_I32;
          if (op == JU_EQZ) t = from64 ? JT_I64 : JT_I32;
          tc c = {.op = op, .t = t, .alias = alias};
          uint64_t got = run_case(emit_unop, &c, from64 ? I64 : I32, I32,
                                  to64 ? I64 : I32, a, 0);
          uint64_t want = ref_unop((jit_unop)op, from64, a);
          if (op == JU_EXTEND_I32_S) want = (uint64_t)(int64_t)(int32_t)a;
          MX_CHECK((uint64_t)(got) == (uint64_t)(want),
                   "op %d w %d alias %d: %llx -> %llx want %llx", op, w, alias,
                   (unsigned long long)a, (unsigned long long)got,
                   (unsigned long long)want);
        }
}

void mx_integer_unops(void) { check_unops(); }

/* ---- compares, branches, selects ----------------------------------------- */

static void emit_cmp_set(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                         jit_reg r, jit_label *t1, jit_label *t2) {
  masm_cmp_set(m, c->c, c->t, d, l,
               c->imm ? jit_imm_opnd(c->immv) : jit_reg_opnd(r));
}

/* branch version: d = 1 if taken else 0 (d is a fresh GPR) */
static void emit_cmp_branch(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                            jit_reg r, jit_label *t1, jit_label *t2) {
  jit_label taken, done;
  jit_label_init(&taken);
  jit_label_init(&done);
  jit_reg out = GT1;
  masm_cmp_branch(m, c->c, c->t, l,
                  c->imm ? jit_imm_opnd(c->immv) : jit_reg_opnd(r), &taken);
  masm_mov_imm(m, JT_I32, out, 0);
  masm_jmp(m, &done);
  masm_bind(m, &taken);
  masm_mov_imm(m, JT_I32, out, 1);
  masm_bind(m, &done);
  masm_mov(m, JT_I32, d, out);
}

/* cmp_select picking between two constants 10 (true) / 20 (false) */
static void emit_cmp_select(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                            jit_reg r, jit_label *t1, jit_label *t2) {
  masm_mov_imm(m, JT_I32, 9, 10);
  masm_mov_imm(m, JT_I32, 10, 20);
  jit_reg a = 9, b = 10;
  if (c->extra == 1) { masm_mov(m, JT_I32, d, a); a = d; }
  if (c->extra == 2) { masm_mov(m, JT_I32, d, b); b = d; }
  masm_cmp_select(m, c->c, c->t, l,
                  c->imm ? jit_imm_opnd(c->immv) : jit_reg_opnd(r), JT_I32, d,
                  a, b);
  /* d == 10 -> 1, 20 -> 0 */
  masm_cmp_set(m, JC_EQ, JT_I32, d, d, jit_imm_opnd(10));
}

static bool ref_icmp(jit_cond c, bool w, uint64_t a, uint64_t b) {
  if (!w) a = (uint32_t)a, b = (uint32_t)b;
  int64_t sa = w ? (int64_t)a : (int32_t)a, sb = w ? (int64_t)b : (int32_t)b;
  switch (c) {
  case JC_EQ: return a == b;
  case JC_NE: return a != b;
  case JC_LT_S: return sa < sb;
  case JC_LT_U: return a < b;
  case JC_GT_S: return sa > sb;
  case JC_GT_U: return a > b;
  case JC_LE_S: return sa <= sb;
  case JC_LE_U: return a <= b;
  case JC_GE_S: return sa >= sb;
  case JC_TST_Z: return (a & b) == 0;
  case JC_TST_NZ: return (a & b) != 0;
  default: return a >= b;
  }
}

void mx_integer_compares(void) {
  static const uint64_t vals[] = {0, 1, 0x7fffffff, 0x80000000u, 0xffffffffu,
                                  0x8000000000000000ull, UINT64_MAX, 5};
  emit_fn fns[3] = {emit_cmp_set, emit_cmp_branch, emit_cmp_select};
  for (int f = 0; f < 3; f++)
    for (int c = JC_EQ; c <= JC_TST_NZ; c++)
      for (int w = 0; w < 2; w++)
        for (size_t i = 0; i < 8; i++)
          for (size_t j = 0; j < 8; j += 3)
            for (int mode = 0; mode < 4; mode++) {
              /* 0 regs; 1 imm rhs (and a == dst for selects); 2 dst ==
               * lhs; 3 b == dst for selects */
              uint64_t a = w ? vals[i] : (uint32_t)vals[i];
              uint64_t b = w ? vals[j] : (uint32_t)vals[j];
              tc t = {.c = (jit_cond)c, .t = w ? JT_I64 : JT_I32,
                      .alias = mode == 2 ? 1 : 0, .imm = mode == 1,
                      .immv = (int64_t)b,
                      .extra = f == 2 && mode == 1 ? 1u : f == 2 && mode == 3 ? 2u : 0u};
              uint8_t ty = w ? I64 : I32;
              uint64_t got = run_case(fns[f], &t, ty, ty, I32, a, b);
              MX_CHECK((uint64_t)(got) == (uint64_t)(ref_icmp((jit_cond)c, w, a, b)),
                       "fn %d cond %d w %d mode %d: %llx %llx", f, c, w, mode,
                       (unsigned long long)a, (unsigned long long)b);
            }
}

static bool ref_fcmp(jit_cond c, double a, double b) {
  switch (c) {
  case JC_FEQ: return a == b;
  case JC_FNE: return a != b;
  case JC_FLT: return a < b;
  case JC_FGT: return a > b;
  case JC_FLE: return a <= b;
  default: return a >= b;
  }
}

void mx_float_compares_with_nan(void) {
  static const double vals[] = {0.0, -0.0, 1.5, -2.0, NAN, INFINITY};
  emit_fn fns[3] = {emit_cmp_set, emit_cmp_branch, emit_cmp_select};
  for (int f = 0; f < 3; f++)
    for (int c = JC_FEQ; c <= JC_FGE; c++)
      for (int w = 0; w < 2; w++)
        for (size_t i = 0; i < 6; i++)
          for (size_t j = 0; j < 6; j++)
            for (int alias = 0; alias <= 3; alias += 3) {
              double a = vals[i], b = alias == 3 ? vals[i] : vals[j];
              tc t = {.c = (jit_cond)c, .t = w ? JT_F64 : JT_F32,
                      .alias = alias};
              uint8_t ty = w ? F64 : F32;
              uint64_t ua = w ? f64u(a) : f32u((float)a);
              uint64_t ub = w ? f64u(b) : f32u((float)b);
              uint64_t got = run_case(fns[f], &t, ty, ty, I32, ua, ub);
              MX_CHECK((uint64_t)(got) == (uint64_t)(ref_fcmp((jit_cond)c, a, b)),
                       "fn %d cond %d w %d: %g %g", f, c, w, a, b);
            }
}

/* select: lhs param = cond, values 111/222 (or 1.5/2.5 for floats) */
static void emit_select(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                        jit_reg r, jit_label *t1, jit_label *t2) {
  bool fpr = jit_type_is_float(c->rt);
  jit_reg a = fpr ? 32 + 4 : 9, b = fpr ? 32 + 5 : 10;
  masm_mov_imm(m, c->rt, a, fpr ? (c->rt == JT_F64 ? f64u(1.5) : f32u(1.5f)) : 111);
  masm_mov_imm(m, c->rt, b, fpr ? (c->rt == JT_F64 ? f64u(2.5) : f32u(2.5f)) : 222);
  if (c->extra == 1) { masm_mov(m, c->rt, d, a); a = d; }
  if (c->extra == 2) { masm_mov(m, c->rt, d, b); b = d; }
  masm_select(m, c->rt, d, l, a, b);
}

void mx_select_all_classes(void) {
  jit_type types[4] = {JT_I32, JT_I64, JT_F32, JT_F64};
  uint8_t wt[4] = {I32, I64, F32, F64};
  for (int k = 0; k < 4; k++)
    for (int alias = 0; alias <= 2; alias++)
      for (uint64_t cond = 0; cond < 3; cond++) {
        tc c = {.rt = types[k], .extra = (uint64_t)alias};
        /* cond in a GPR, result of class rt: run_case picks d by r0 */
        uint64_t got = run_case(emit_select, &c, I32, I32, wt[k],
                                cond == 2 ? 0x80000000u : cond, 0);
        bool take_a = cond != 0;
        uint64_t want;
        if (k < 2) want = take_a ? 111 : 222;
        else if (k == 2) want = f32u(take_a ? 1.5f : 2.5f);
        else want = f64u(take_a ? 1.5 : 2.5);
        if (k == 2) got = (uint32_t)got;
        MX_CHECK((uint64_t)(got) == (uint64_t)(want),
                 "type %d alias %d cond %llu", k, alias,
                 (unsigned long long)cond);
      }
}

/* ---- float arithmetic --------------------------------------------------------- */

static void emit_fbinop(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                        jit_reg r, jit_label *t1, jit_label *t2) {
  masm_fbinop(m, (jit_fbinop)c->op, c->t, d, l, r);
}

static void emit_funop(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                       jit_reg r, jit_label *t1, jit_label *t2) {
  masm_funop(m, (jit_funop)c->op, c->t, d, l);
}

static double ref_fbinop(jit_fbinop op, double a, double b) {
  switch (op) {
  case JF_ADD: return a + b;
  case JF_SUB: return a - b;
  case JF_MUL: return a * b;
  case JF_DIV: return a / b;
  case JF_MIN:
    if (isnan(a) || isnan(b)) return NAN;
    if (a == 0 && b == 0) return signbit(a) ? a : b;
    return a < b ? a : b;
  case JF_MAX:
    if (isnan(a) || isnan(b)) return NAN;
    if (a == 0 && b == 0) return signbit(a) ? b : a;
    return a > b ? a : b;
  default: return copysign(a, b);
  }
}

static bool same_double(double got, double want) {
  if (isnan(want)) return isnan(got);
  return f64u(got) == f64u(want);
}

void mx_float_binops_min_max_copysign(void) {
  static const double vals[] = {0.0, -0.0, 1.0, -3.5, NAN, -NAN, INFINITY,
                                -INFINITY};
  for (int op = JF_ADD; op <= JF_COPYSIGN; op++)
    for (int w = 0; w < 2; w++)
      for (int alias = 0; alias <= 3; alias++)
        for (size_t i = 0; i < 8; i++)
          for (size_t j = 0; j < 8; j++) {
            double a = vals[i], b = alias == 3 ? a : vals[j];
            tc c = {.op = op, .t = w ? JT_F64 : JT_F32, .alias = alias};
            uint8_t ty = w ? F64 : F32;
            double want = ref_fbinop((jit_fbinop)op, a, b);
            double got;
            if (w) {
              got = u2f64(run_case(emit_fbinop, &c, ty, ty, ty, f64u(a), f64u(b)));
            } else {
              got = u2f32(run_case(emit_fbinop, &c, ty, ty, ty, f32u((float)a),
                                   f32u((float)b)));
              want = (float)want;
            }
            MX_CHECK(same_double(got, want),
                     "op %d w %d alias %d: %g %g -> %g want %g", op, w, alias,
                     a, b, got, want);
            if (isnan(got) && op != JF_COPYSIGN) {
              /* arithmetic NaN: the quiet bit is set */
              uint64_t u = w ? f64u(got) : f32u((float)got);
              MX_TRUE(u & (w ? 1ull << 51 : 1u << 22));
            }
          }
}

static double ref_funop(jit_funop op, double a, bool f32) {
  switch (op) {
  case JFU_ABS: return fabs(a);
  case JFU_NEG: return -a;
  case JFU_SQRT: return f32 ? sqrtf((float)a) : sqrt(a);
  case JFU_CEIL: return ceil(a);
  case JFU_FLOOR: return floor(a);
  case JFU_TRUNC: return trunc(a);
  default: return nearbyint(a); /* default rounding: ties to even */
  }
}

void mx_float_unops(void) {
  static const double vals[] = {0.0, -0.0, 2.5, -2.5, 3.5, -0.5, 0.5, 1e300,
                                -4.0, NAN, INFINITY, -INFINITY, 1.4999999};
  for (int op = JFU_ABS; op <= JFU_NEAREST; op++)
    for (int w = 0; w < 2; w++)
      for (int alias = 0; alias <= 1; alias++)
        for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
          double a = vals[i];
          if (!w) a = (float)a;
          tc c = {.op = op, .t = w ? JT_F64 : JT_F32, .alias = alias};
          uint8_t ty = w ? F64 : F32;
          double want = ref_funop((jit_funop)op, a, !w), got;
          if (w) {
            got = u2f64(run_case(emit_funop, &c, ty, ty, ty, f64u(a), 0));
          } else {
            got = u2f32(run_case(emit_funop, &c, ty, ty, ty, f32u((float)a), 0));
            want = (float)want;
          }
          MX_CHECK(same_double(got, want), "op %d w %d: %g -> %g want %g", op,
                   w, a, got, want);
        }
  /* abs/neg only touch the sign bit, even of a NaN payload */
  tc c = {.op = JFU_NEG, .t = JT_F64};
  MX_EQ(run_case(emit_funop, &c, F64, F64, F64, 0x7ff0000000000001ull, 0),
        0xfff0000000000001ull);
  c.op = JFU_ABS;
  MX_EQ(run_case(emit_funop, &c, F64, F64, F64, 0xfff8000000000123ull, 0),
        0x7ff8000000000123ull);
}

/* ---- conversions ---------------------------------------------------------------- */

static void emit_convert(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                         jit_reg r, jit_label *t1, jit_label *t2) {
  masm_convert(m, (jit_convop)c->op, d, l, t1, t2);
}

/* Reference for float -> int truncation (trapping and saturating). */
static uint64_t ref_trunc(int k, double x) {
  bool sat = k >= 8, u = k & 1, to64 = k & 4;
  double lo = u ? -1.0 : to64 ? -9223372036854775808.0 : -2147483648.0;
  double hi = u ? (to64 ? 18446744073709551616.0 : 4294967296.0)
                : (to64 ? 9223372036854775808.0 : 2147483648.0);
  double t = trunc(x);
  if (isnan(x)) return sat ? 0 : TRAP1;
  bool below = u ? t <= lo : t < lo;
  bool above = t >= hi;
  uint64_t max = u ? (to64 ? UINT64_MAX : UINT32_MAX)
                   : (to64 ? (uint64_t)INT64_MAX : INT32_MAX);
  uint64_t min = u ? 0 : (to64 ? (uint64_t)INT64_MIN : 0x80000000u);
  if (below) return sat ? min : TRAP2;
  if (above) return sat ? max : TRAP2;
  if (u) return to64 ? (t >= 9223372036854775808.0
                            ? (uint64_t)(t - 9223372036854775808.0) | (1ull << 63)
                            : (uint64_t)t)
                     : (uint32_t)t;
  return to64 ? (uint64_t)(int64_t)t : (uint32_t)(int32_t)t;
}

void mx_float_to_int_truncations(void) {
  static const double vals[] = {
      0.0, -0.0, 1.9, -1.9, -0.99, -1.0, NAN, INFINITY, -INFINITY,
      2147483647.0, 2147483647.9, 2147483648.0, -2147483648.0,
      -2147483648.9, -2147483649.0, 4294967295.0, 4294967295.5, 4294967296.0,
      9223372036854775808.0, -9223372036854775808.0, 9223372036854774784.0,
      18446744073709549568.0, 18446744073709551616.0, 1e30, -1e30,
      2147483520.0, -2147483904.0, 16777216.0};
  for (int k = 0; k < 16; k++)
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
      bool src64 = k & 2, to64 = k & 4;
      double x = src64 ? vals[i] : (double)(float)vals[i];
      tc c = {.op = JCV_I32_TRUNC_F32_S + k};
      uint64_t arg = src64 ? f64u(x) : f32u((float)x);
      uint64_t got = run_case(emit_convert, &c, src64 ? F64 : F32, I32,
                              to64 ? I64 : I32, arg, 0);
      uint64_t want = ref_trunc(k, x);
      MX_CHECK((uint64_t)(got) == (uint64_t)(want),
               "conv %d: %.17g -> %llx want %llx", k, x,
               (unsigned long long)got, (unsigned long long)want);
    }
}

void mx_int_to_float_conversions(void) {
  static const uint64_t vals[] = {
      0, 1, 0x7fffffff, 0x80000000u, 0xffffffffu, 0x8000000000000000ull,
      UINT64_MAX, 0x8000000000000401ull, 0x8000008000000001ull,
      0x0020000000000001ull, 0x7fffffffffffffffull, 16777217, 0x7ffffffffffffdffull};
  for (int k = 0; k < 8; k++)
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
      bool u = k & 1, from64 = k & 2, to64 = k & 4;
      uint64_t a = from64 ? vals[i] : (uint32_t)vals[i];
      tc c = {.op = JCV_F32_CONVERT_I32_S + k};
      uint64_t got = run_case(emit_convert, &c, from64 ? I64 : I32, I32,
                              to64 ? F64 : F32, a, 0);
      uint64_t want;
      if (to64) {
        double d = u ? (from64 ? (double)a : (double)(uint32_t)a)
                     : (from64 ? (double)(int64_t)a : (double)(int32_t)a);
        want = f64u(d);
      } else {
        float f = u ? (from64 ? (float)a : (float)(uint32_t)a)
                    : (from64 ? (float)(int64_t)a : (float)(int32_t)a);
        want = f32u(f);
        got = (uint32_t)got;
      }
      MX_CHECK((uint64_t)(got) == (uint64_t)(want),
               "conv %d: %llx -> %llx want %llx", k, (unsigned long long)a,
               (unsigned long long)got, (unsigned long long)want);
    }
}

void mx_demote_promote_reinterpret(void) {
  tc c = {.op = JCV_F32_DEMOTE_F64};
  MX_EQ((uint32_t)run_case(emit_convert, &c, F64, I32, F32, f64u(1.5), 0),
        f32u(1.5f));
  c.op = JCV_F64_PROMOTE_F32;
  MX_EQ(run_case(emit_convert, &c, F32, I32, F64, f32u(-0.25f), 0),
        f64u(-0.25));
  c.op = JCV_I32_REINTERPRET_F32;
  MX_EQ(run_case(emit_convert, &c, F32, I32, I32, 0xffc00001u, 0), 0xffc00001u);
  c.op = JCV_I64_REINTERPRET_F64;
  MX_EQ(run_case(emit_convert, &c, F64, I32, I64, 0xfff0000000000001ull, 0),
        0xfff0000000000001ull);
  c.op = JCV_F32_REINTERPRET_I32;
  MX_EQ((uint32_t)run_case(emit_convert, &c, I32, I32, F32, 0x7f800001u, 0),
        0x7f800001u);
  c.op = JCV_F64_REINTERPRET_I64;
  MX_EQ(run_case(emit_convert, &c, I64, I32, F64, 0x7ff0000000000001ull, 0),
        0x7ff0000000000001ull);
}

/* ---- memory ---------------------------------------------------------------------- */

static uint8_t memory[0x20000];

/* param 0 = membase (loaded into r15), param 1 = address; extra = offset */
static void emit_load(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                      jit_reg r, jit_label *t1, jit_label *t2) {
  masm_mov(m, JT_I64, TARGET.membase_reg, l);
  jit_opnd addr = c->imm ? jit_imm_opnd(c->immv) : jit_reg_opnd(r);
  masm_load_mem(m, (jit_memop)c->op, d, addr, (uint32_t)c->extra);
}

static void emit_store_load(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                            jit_reg r, jit_label *t1, jit_label *t2) {
  masm_mov(m, JT_I64, TARGET.membase_reg, l);
  jit_opnd addr = c->imm ? jit_imm_opnd(c->immv) : jit_reg_opnd(r);
  /* value 0x8182838485868788 in GD (x64: rsi, a byte register needing
   * REX) */
  masm_mov_imm(m, JT_I64, GD, 0x8182838485868788ull);
  masm_store_mem(m, (jit_memop)c->op, GD, addr, (uint32_t)c->extra);
  masm_load_mem(m, JM_I64_LOAD, d, addr, (uint32_t)c->extra);
}

void mx_loads_sign_and_zero_extend(void) {
  for (int i = 0; i < 16; i++) memory[0x1000 + i] = (uint8_t)(0xf0 + i);
  struct { jit_memop op; uint8_t rt; uint64_t want; } cases[] = {
      {JM_I32_LOAD, I32, 0xf3f2f1f0u},
      {JM_I64_LOAD, I64, 0xf7f6f5f4f3f2f1f0ull},
      {JM_I32_LOAD8_S, I32, 0xfffffff0u},
      {JM_I32_LOAD8_U, I32, 0xf0},
      {JM_I32_LOAD16_S, I32, 0xfffff1f0u},
      {JM_I32_LOAD16_U, I32, 0xf1f0},
      {JM_I64_LOAD8_S, I64, 0xfffffffffffffff0ull},
      {JM_I64_LOAD8_U, I64, 0xf0},
      {JM_I64_LOAD16_S, I64, 0xfffffffffffff1f0ull},
      {JM_I64_LOAD16_U, I64, 0xf1f0},
      {JM_I64_LOAD32_S, I64, 0xfffffffff3f2f1f0ull},
      {JM_I64_LOAD32_U, I64, 0xf3f2f1f0u},
      {JM_F32_LOAD, F32, 0xf3f2f1f0u},
      {JM_F64_LOAD, F64, 0xf7f6f5f4f3f2f1f0ull},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
    for (int mode = 0; mode < 3; mode++) {
      /* register address + offset, immediate address, byte regs */
      tc c = {.op = cases[k].op, .alias = mode == 2 ? 4 : 0,
              .imm = mode == 1, .immv = 0x0ff0, .extra = 0x10};
      uint64_t got = run_case(emit_load, &c, I64, I32, cases[k].rt,
                              (uint64_t)(uintptr_t)memory, 0x0ff0);
      if (cases[k].rt == F32) got = (uint32_t)got;
      MX_CHECK((uint64_t)(got) == (uint64_t)(cases[k].want),
               "load %d mode %d: %llx", cases[k].op, mode,
               (unsigned long long)got);
    }
}

void mx_stores_narrow_widths(void) {
  struct { jit_memop op; uint64_t want; } cases[] = {
      {JM_I32_STORE8, 0x88}, {JM_I64_STORE8, 0x88},
      {JM_I32_STORE16, 0x8788}, {JM_I64_STORE16, 0x8788},
      {JM_I32_STORE, 0x85868788u}, {JM_I64_STORE32, 0x85868788u},
      {JM_I64_STORE, 0x8182838485868788ull},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
    for (int mode = 0; mode < 2; mode++) {
      memset(memory + 0x2000, 0, 16);
      tc c = {.op = cases[k].op, .imm = mode == 1, .immv = 0x1ff8, .extra = 8};
      uint64_t got = run_case(emit_store_load, &c, I64, I32, I64,
                              (uint64_t)(uintptr_t)memory, 0x1ff8);
      MX_CHECK((uint64_t)(got) == (uint64_t)(cases[k].want),
               "store %d mode %d: %llx", cases[k].op, mode,
               (unsigned long long)got);
    }
}

/* ---- control: jump tables, calls, exit trampoline, frames ---------------- */

static void emit_jump_table(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                            jit_reg r, jit_label *t1, jit_label *t2) {
  jit_label cases[3], dflt, done, back;
  jit_label *targets[4];
  for (int i = 0; i < 3; i++) jit_label_init(&cases[i]);
  jit_label_init(&dflt);
  jit_label_init(&done);
  jit_label_init(&back);
  /* case 2 is bound before the table (a backward entry) */
  masm_jmp(m, &back);
  masm_bind(m, &cases[2]);
  masm_mov_imm(m, JT_I32, d, 300);
  masm_jmp(m, &done);
  masm_bind(m, &back);
  targets[0] = &cases[0], targets[1] = &cases[1], targets[2] = &cases[2];
  targets[3] = &cases[0];
  masm_jump_table(m, l, 4, targets, &dflt);
  masm_bind(m, &cases[0]);
  masm_mov_imm(m, JT_I32, d, 100);
  masm_jmp(m, &done);
  masm_bind(m, &cases[1]);
  masm_mov_imm(m, JT_I32, d, 200);
  masm_jmp(m, &done);
  masm_bind(m, &dflt);
  masm_mov_imm(m, JT_I32, d, 999);
  masm_bind(m, &done);
}

void mx_jump_table(void) {
  uint64_t want[] = {100, 200, 300, 100, 999, 999};
  uint64_t idx[] = {0, 1, 2, 3, 4, 0xffffffffu};
  for (int i = 0; i < 6; i++) {
    tc c = {0};
    uint64_t got = run_case(emit_jump_table, &c, I32, I32, I32, idx[i], 0);
    MX_CHECK(got == want[i], "index %llu: %llu, want %llu",
             (unsigned long long)idx[i], (unsigned long long)got,
             (unsigned long long)want[i]);
  }
}

static void emit_zero_frame(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                            jit_reg r, jit_label *t1, jit_label *t2) {
  /* fill 40 bytes with ones, zero 24 of them (the loop and the 8-byte
   * tail), then sum the 5 qwords */
  (void)t1, (void)t2;
  for (int i = 0; i < 5; i++) masm_store_frame_imm(m, JT_I64, -48 + 8 * i, 1);
  masm_zero_frame(m, -48 + 8, (uint32_t)c->extra);
  masm_mov_imm(m, JT_I64, d, 0);
  for (int i = 0; i < 5; i++) {
    masm_load_frame(m, JT_I64, 9, -48 + 8 * i);
    masm_binop(m, JB_ADD, JT_I64, d, d, jit_reg_opnd(9));
  }
}

void mx_zero_frame_small(void) {
  tc c = {.extra = 24};
  MX_EQ(run_case(emit_zero_frame, &c, I64, I64, I64, 0, 0), 2);
}

static void emit_zero_frame_loop(jit_masm *m, const tc *c, jit_reg d,
                                 jit_reg l, jit_reg r, jit_label *t1,
                                 jit_label *t2) {
  for (int i = 0; i < 64; i++) masm_store_frame_imm(m, JT_I64, -512 + 8 * i, 1);
  masm_zero_frame(m, -504, 496); /* 31 chunks: the loop form */
  masm_mov_imm(m, JT_I64, d, 0);
  for (int i = 0; i < 64; i++) {
    masm_load_frame(m, JT_I64, 9, -512 + 8 * i);
    masm_binop(m, JB_ADD, JT_I64, d, d, jit_reg_opnd(9));
  }
}

void mx_zero_frame_loop(void) {
  tc c = {0};
  frame_size = 512;
  MX_EQ(run_case(emit_zero_frame_loop, &c, I64, I64, I64, 0, 0), 2);
  frame_size = 48;
}

void mx_stack_limit_check(void) {
  tc c = {.op = JB_ADD, .t = JT_I32};
  FAKE_STACK_LIMIT = UINTPTR_MAX; /* every sp is below the limit */
  MX_EQ(run_case(emit_binop, &c, I32, I32, I32, 1, 2), TRAP_STACK);
  FAKE_STACK_LIMIT = 0;
  MX_EQ(run_case(emit_binop, &c, I32, I32, I32, 1, 2), 3);
}

/* Host function behind an exit trampoline: (i64, f64) -> (f64, i32, i64). */
static void *seen_ctx, *seen_caller;
static void host_fn(void *ctx, void *caller, uint64_t *values) {
  seen_ctx = ctx, seen_caller = caller;
  uint64_t a = values[0];
  double b = u2f64(values[1]);
  values[0] = f64u(b * 2);
  values[1] = a + 1;
  values[2] = 0x1122334455667788ull;
}

void mx_call_exit_trampoline_multi_results(void) {
  /* wasm function (i64, f64) -> (f64, i32, i64): calls the exit trampoline
   * directly (call_func + patch_call), returns its results. Layout of the
   * outgoing area: 3 slots. */
  jit_masm m;
  jit_masm_init(&m);
  jit_label ovf;
  jit_label_init(&ovf);
  static const rt_valtype params[2] = {I64, F64};
  static const rt_valtype results[3] = {F64, I32, I64};
  masm_prologue(&m, jit_host_target.call_ctx_reg, RT_VMCTX_STACK_LIMIT,
                &ovf);
  masm_load_frame(&m, JT_I64, GA, PARAM0);
  masm_load_frame(&m, JT_F64, FA, PARAM0 + 8);
  masm_store_sp(&m, JT_I64, GA, 0);
  masm_store_sp(&m, JT_F64, FA, 8);
  masm_mov(&m, JT_I64, TARGET.call_caller_reg, TARGET.call_ctx_reg);
  masm_mov_imm(&m, JT_I64, TARGET.call_ctx_reg, 0x1234);
  masm_call_func(&m, 0);
  /* result 0 in the float return register already; results 1, 2 from
   * the area to our caller's area at fp + param_base + offset */
  masm_load_sp(&m, JT_I32, GA, 8);
  masm_store_frame(&m, JT_I32, GA, PARAM0 + 8);
  masm_load_sp(&m, JT_I64, GA, 16);
  masm_store_frame(&m, JT_I64, GA, PARAM0 + 16);
  masm_epilogue(&m);
  masm_bind(&m, &ovf);
  masm_trap(&m, 10);
  masm_finish_frame(&m, 24);
  uint32_t exit_at = jit_buf_pos(&m.buf);
  masm_exit_trampoline(&m, params, 2, results, 3, (const void *)host_fn);
  uint32_t entry = jit_buf_pos(&m.buf);
  masm_entry_trampoline(&m, params, 2, results, 3);
  uint8_t *mem = NULL;
  if (MX_EQ(m.nrelocs, 1) &&
      MX_CHECK(!jit_masm_failed(&m), "masm: %s", jit_masm_failure(&m))) {
    masm_patch_call(m.buf.data, m.relocs[0].at, exit_at);
    mem = make_executable(&m.buf);
  }
  if (!mem) {
    jit_masm_free(&m);
    return;
  }
  uint64_t values[3] = {41, f64u(1.25), 0xdeadbeef};
  ((array_call_fn)(void *)(mem + entry))(fake_vmctx, (void *)0x99, values, mem);
  MX_EQ(values[0], f64u(2.5));
  MX_EQ(values[1], 42);
  MX_EQ(values[2], 0x1122334455667788ull);
  MX_EQ(seen_ctx, (void *)0x1234);
  MX_EQ(seen_caller, (void *)fake_vmctx);
  munmap(mem, code_size);
  jit_masm_free(&m);
}

/* ---- misc: branch_zero, load_indexed, ptr access, C calls, constants ---- */

static void emit_branch_zero(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                             jit_reg r, jit_label *t1, jit_label *t2) {
  jit_label taken, done;
  jit_label_init(&taken);
  jit_label_init(&done);
  masm_branch_zero(m, c->t, l, c->extra != 0, &taken);
  masm_mov_imm(m, JT_I32, d, 0);
  masm_jmp(m, &done);
  masm_bind(m, &taken);
  masm_mov_imm(m, JT_I32, d, 1);
  masm_bind(m, &done);
}

void mx_branch_zero(void) {
  uint64_t vals[] = {0, 1, 0x100000000ull, 0x80000000u};
  for (int w = 0; w < 2; w++)
    for (int if_zero = 0; if_zero < 2; if_zero++)
      for (int i = 0; i < 4; i++) {
        uint64_t a = w ? vals[i] : (uint32_t)vals[i];
        tc c = {.t = w ? JT_I64 : JT_I32, .extra = (uint64_t)if_zero};
        uint64_t got = run_case(emit_branch_zero, &c, w ? I64 : I32, I32, I32, a, 0);
        MX_EQ(got, (uint64_t)((a == 0) == (if_zero != 0)));
      }
}

static uint64_t table64[64];

static void emit_indexed(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                         jit_reg r, jit_label *t1, jit_label *t2) {
  /* l = base pointer, r = index */
  masm_load_indexed(m, JT_I64, d, l, r, (uint8_t)c->extra, 8);
  masm_store_ptr(m, JT_I64, d, l, 0);       /* table64[0] = loaded */
  masm_load_ptr(m, JT_I64, d, l, 0);
}

void mx_load_indexed_and_ptr(void) {
  for (int i = 0; i < 64; i++) table64[i] = 1000 + (uint64_t)i;
  for (uint64_t shift = 3; shift <= 5; shift++) {
    table64[0] = 0;
    tc c = {.extra = shift};
    uint64_t got = run_case(emit_indexed, &c, I64, I32, I64,
                            (uint64_t)(uintptr_t)table64, 2);
    /* element at byte (2 << shift) + 8 */
    uint64_t want = 1000 + ((2u << shift) + 8) / 8;
    MX_CHECK((uint64_t)(got) == (uint64_t)(want), "shift %llu",
             (unsigned long long)shift);
    MX_EQ(table64[0], want);
  }
}

static uint64_t c_helper(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
                         uint64_t e, uint64_t f) {
  return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f;
}

static void emit_call_abs(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                          jit_reg r, jit_label *t1, jit_label *t2) {
  for (int i = 0; i < 6; i++)
    masm_mov_imm(m, JT_I64, TARGET.c_arg[i], (uint64_t)(i + 1));
  if (c->extra) {
    masm_mov_imm(m, JT_I64, GT2, (uint64_t)(uintptr_t)c_helper);
    masm_call_reg(m, GT2); /* not an argument register */
  } else {
    masm_call_abs(m, (const void *)c_helper);
  }
  masm_mov(m, JT_I64, d, TARGET.c_ret);
}

void mx_c_calls(void) {
  for (uint64_t via_reg = 0; via_reg < 2; via_reg++) {
    tc c = {.extra = via_reg};
    uint64_t got = run_case(emit_call_abs, &c, I64, I64, I64, 0, 0);
    MX_CHECK(got == 1 + 4 + 9 + 16 + 25 + 36, "via_reg %llu: %llu",
             (unsigned long long)via_reg, (unsigned long long)got);
  }
}

static void emit_const(jit_masm *m, const tc *c, jit_reg d, jit_reg l,
                       jit_reg r, jit_label *t1, jit_label *t2) {
  masm_mov_imm(m, c->t, d, c->extra);
  masm_store_sp_imm(m, c->t, 0, c->extra);
  masm_store_frame_imm(m, c->t, -16, c->extra);
  /* prove the stored copies match too: d = frame copy if sp copy agrees */
  if (!jit_type_is_float(c->t)) {
    jit_reg x = GT1, y = GT2;
    masm_load_sp(m, c->t, x, 0);
    masm_load_frame(m, c->t, y, -16);
    masm_cmp_select(m, JC_EQ, c->t, x, jit_reg_opnd(y), c->t, d, d, x);
  }
}

void mx_constants(void) {
  uint64_t ints[] = {0, 1, 0x7fffffff, 0x80000000u, 0xffffffffu,
                     0x100000000ull, 0xffffffff80000000ull, UINT64_MAX,
                     0x123456789abcdef0ull};
  for (int w = 0; w < 2; w++)
    for (int i = 0; i < 9; i++) {
      tc c = {.t = w ? JT_I64 : JT_I32, .extra = ints[i]};
      uint64_t want = w ? ints[i] : (uint32_t)ints[i];
      MX_EQ(run_case(emit_const, &c, I64, I64, w ? I64 : I32, 0, 0), want);
    }
  tc c = {.t = JT_F64, .extra = f64u(-0.0)};
  MX_EQ(run_case(emit_const, &c, F64, F64, F64, 0, 0), f64u(-0.0));
  c.extra = 0;
  MX_EQ(run_case(emit_const, &c, F64, F64, F64, 77, 0), 0);
  c.t = JT_F32;
  c.extra = f32u(3.5f);
  MX_EQ((uint32_t)run_case(emit_const, &c, F32, F32, F32, 0, 0), f32u(3.5f));
}

/* ---- SIMD -------------------------------------------------------------- */

#define V128 0x7B

/* The third operand of a ternary vector op (xmm3, v3). */
#define FT (32 + 3)

/* Runs f(a: v128, b: v128[, c: v128]) -> v128 = vop(op, a, b[, c]) with
 * the given lane immediates (c NULL: a binary or unary op); out receives
 * the 16 result bytes. False if the backend refused the op. */
static bool run_vop3(uint32_t op, const uint8_t a[16], const uint8_t b[16],
                     const uint8_t *c, const uint8_t *imm, uint8_t out[16]) {
  jit_masm m;
  jit_masm_init(&m);
  jit_label ovf;
  jit_label_init(&ovf);
  masm_prologue(&m, jit_host_target.call_ctx_reg, RT_VMCTX_STACK_LIMIT,
                &ovf);
  masm_load_frame(&m, JT_V128, FA, PARAM0);
  masm_load_frame(&m, JT_V128, FB, PARAM0 + 16);
  if (c) masm_load_frame(&m, JT_V128, FT, PARAM0 + 32);
  jit_reg src[3] = {FA, FB, c ? FT : JIT_NO_REG};
  bool ok = masm_vop(&m, op, FC, src, imm);
  masm_mov(&m, JT_V128, TARGET.ret_fpr, FC);
  masm_epilogue(&m);
  masm_bind(&m, &ovf);
  masm_epilogue(&m);
  masm_finish_frame(&m, frame_size);
  uint32_t entry = jit_buf_pos(&m.buf);
  rt_valtype params[3] = {V128, V128, V128}, result = V128;
  masm_entry_trampoline(&m, params, c ? 3 : 2, &result, 1);
  uint8_t *mem = NULL;
  if (ok && MX_CHECK(!jit_masm_failed(&m), "masm: %s", jit_masm_failure(&m)))
    mem = make_executable(&m.buf);
  if (mem) {
    uint64_t values[6];
    memcpy(values, a, 16);
    memcpy(values + 2, b, 16);
    if (c) memcpy(values + 4, c, 16);
    ((array_call_fn)(void *)(mem + entry))(fake_vmctx, NULL, values, mem);
    memcpy(out, values, 16);
    munmap(mem, code_size);
  }
  jit_masm_free(&m);
  return mem != NULL;
}

static bool run_vop(uint32_t op, const uint8_t a[16], const uint8_t b[16],
                    const uint8_t *imm, uint8_t out[16]) {
  return run_vop3(op, a, b, NULL, imm, out);
}

static void v64(uint8_t v[16], uint64_t lo, uint64_t hi) {
  memcpy(v, &lo, 8);
  memcpy(v + 8, &hi, 8);
}

static void vf32(uint8_t v[16], float x0, float x1, float x2, float x3) {
  float f[4] = {x0, x1, x2, x3};
  memcpy(v, f, 16);
}

void mx_simd_i64x2_mul_keeps_the_low_64_bits(void) {
  uint8_t a[16], b[16], out[16];
  v64(a, 0xFFFFFFFFFFFFFFFFull, 0x123456789ABCDEF0ull);
  v64(b, 3, 0xFEDCBA9876543210ull);
  /* i64x2.mul */
  if (!MX_CHECK(run_vop(213, a, b, NULL, out), "not emitted or not run"))
    return;
  uint64_t r[2];
  memcpy(r, out, 16);
  MX_EQ(r[0], (uint64_t)-3);
  MX_EQ(r[1], 0x123456789ABCDEF0ull * 0xFEDCBA9876543210ull);
}

void mx_simd_f32x4_min_max_follow_wasm_nan_and_zero_rules(void) {
  uint8_t a[16], b[16], out[16];
  vf32(a, -0.0f, 0.0f, NAN, 1.0f);
  vf32(b, 0.0f, -0.0f, 2.0f, NAN);
  float r[4];
  /* f32x4.min */
  if (!MX_CHECK(run_vop(232, a, b, NULL, out), "not emitted or not run"))
    return;
  memcpy(r, out, 16);
  MX_TRUE(r[0] == 0.0f && signbit(r[0]));
  MX_TRUE(r[1] == 0.0f && signbit(r[1]));
  MX_TRUE(isnan(r[2]) && isnan(r[3]));
  /* f32x4.max */
  if (!MX_CHECK(run_vop(233, a, b, NULL, out), "not emitted or not run"))
    return;
  memcpy(r, out, 16);
  MX_TRUE(r[0] == 0.0f && !signbit(r[0]));
  MX_TRUE(r[1] == 0.0f && !signbit(r[1]));
  MX_TRUE(isnan(r[2]) && isnan(r[3]));
}

void mx_simd_shuffle_and_swizzle(void) {
  uint8_t a[16], b[16], out[16], lanes[16];
  for (int i = 0; i < 16; i++) {
    a[i] = (uint8_t)i;
    b[i] = (uint8_t)(0x10 + i);
    lanes[i] = (uint8_t)(31 - 2 * i % 32);
  }
  /* i8x16.shuffle */
  if (!MX_CHECK(run_vop(13, a, b, lanes, out), "not emitted or not run"))
    return;
  for (int i = 0; i < 16; i++) MX_EQ(out[i], lanes[i]);
  uint8_t idx[16] = {0, 15, 16, 17, 255, 128, 3, 3, 1, 2, 40, 14, 0, 0, 0, 0};
  /* i8x16.swizzle */
  if (!MX_CHECK(run_vop(14, a, idx, NULL, out), "not emitted or not run"))
    return;
  for (int i = 0; i < 16; i++)
    MX_CHECK((uint64_t)(out[i]) == (uint64_t)(idx[i] < 16 ? a[idx[i]] : 0),
             "lane %d", i);
}

void mx_simd_trunc_sat_f32x4_u_clamps(void) {
  uint8_t a[16], out[16];
  vf32(a, NAN, -5.0f, 4294967296.0f, 3000000000.0f);
  if (!MX_CHECK(run_vop(249, a, a, NULL, out), "not emitted or not run"))
    return;
  uint32_t r[4];
  memcpy(r, out, 16);
  MX_EQ(r[0], 0);
  MX_EQ(r[1], 0);
  MX_EQ(r[2], 0xFFFFFFFFu);
  MX_EQ(r[3], 3000000000u);
}

void mx_simd_popcnt_and_unsigned_compare(void) {
  uint8_t a[16], b[16], out[16];
  for (int i = 0; i < 16; i++) {
    a[i] = (uint8_t)(i * 17 + 3);
    b[i] = (uint8_t)(200 - i * 7);
  }
  /* i8x16.popcnt */
  if (!MX_CHECK(run_vop(98, a, a, NULL, out), "not emitted or not run"))
    return;
  for (int i = 0; i < 16; i++)
    MX_EQ(out[i], __builtin_popcount(a[i]));
  /* i8x16.lt_u */
  if (!MX_CHECK(run_vop(38, a, b, NULL, out), "not emitted or not run"))
    return;
  for (int i = 0; i < 16; i++)
    MX_CHECK((uint64_t)(out[i]) == (uint64_t)(a[i] < b[i] ? 0xFF : 0),
             "lane %d", i);
}

/* ---- relaxed SIMD -------------------------------------------------------- */

static void vf64(uint8_t v[16], double x0, double x1) {
  double f[2] = {x0, x1};
  memcpy(v, f, 16);
}

/* Both ISAs compute the dot products the same way: signed lanes of both
 * operands, i16 sums that wrap (-128 * -128 twice), then for the i32 form
 * the pairwise i32 sums of those plus c. */
void mx_simd_relaxed_dot_products_are_signed_and_wrap(void) {
  int8_t a[16] = {-128, -128, 127, -128, 5, -7, 0, 1,
                  -1, -1, 100, 100, -128, 127, 64, -3};
  int8_t b[16] = {-128, -128, 127, 127, -9, 11, 3, -128,
                  -1, -128, 100, -100, 1, -1, 64, 3};
  uint8_t va[16], vb[16], vc[16], out[16];
  memcpy(va, a, 16);
  memcpy(vb, b, 16);
  int32_t c[4] = {1, -2, 0x7FFFFFFF, -5};
  memcpy(vc, c, 16);
  int16_t want16[8];
  for (int i = 0; i < 8; i++)
    want16[i] = (int16_t)(uint16_t)(a[2 * i] * b[2 * i] +
                                    a[2 * i + 1] * b[2 * i + 1]);
  MX_EQ((uint16_t)want16[0], 0x8000); /* the wrap is exercised */
  /* i16x8.relaxed_dot_i8x16_i7x16_s */
  if (!MX_CHECK(run_vop(JV_I16X8_RELAXED_DOT_I8X16_I7X16_S, va, vb, NULL, out),
                "not emitted or not run"))
    return;
  int16_t r16[8];
  memcpy(r16, out, 16);
  for (int i = 0; i < 8; i++)
    MX_CHECK(r16[i] == want16[i], "i16 lane %d: %d, want %d", i, r16[i],
             want16[i]);
  /* i32x4.relaxed_dot_i8x16_i7x16_add_s */
  if (!MX_CHECK(run_vop3(JV_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S, va, vb, vc,
                         NULL, out),
                "not emitted or not run"))
    return;
  int32_t r32[4];
  memcpy(r32, out, 16);
  for (int i = 0; i < 4; i++) {
    int32_t want = (int32_t)((uint32_t)(want16[2 * i] + want16[2 * i + 1]) +
                             (uint32_t)c[i]);
    MX_CHECK(r32[i] == want, "i32 lane %d: %d, want %d", i, r32[i], want);
  }
}

/* madd/nmadd on lanes where one rounding and two differ: fused on AArch64
 * and on x86-64 with FMA, mul then add on x86-64 without (forced here
 * when the CPU has it, so both paths run). */
static void check_madd(bool fused) {
  float a = 1.0f + 0x1p-12f, c = -(1.0f + 0x1p-11f);
  volatile float p32 = a * a; /* rounded: no contraction */
  float want32 = fused ? fmaf(a, a, c) : p32 + c;
  float want32n = fused ? fmaf(-a, a, -c) : -c - p32; /* nmadd(a, a, -c) */
  double x = 1.0 + 0x1p-27, z = -(1.0 + 0x1p-26);
  volatile double p64 = x * x;
  double want64 = fused ? fma(x, x, z) : p64 + z;
  MX_TRUE(fmaf(a, a, c) != p32 + c && fma(x, x, z) != p64 + z);
  uint8_t va[16], vc[16], out[16];
  vf32(va, a, a, 2.0f, -3.0f);
  vf32(vc, c, c, 0.5f, 1.0f);
  float r[4];
  if (!MX_CHECK(run_vop3(JV_F32X4_RELAXED_MADD, va, va, vc, NULL, out),
                "not emitted or not run"))
    return;
  memcpy(r, out, 16);
  MX_CHECK(r[0] == want32 && r[1] == want32, "f32 madd %a, want %a (%s)",
           (double)r[0], (double)want32, fused ? "fused" : "unfused");
  MX_TRUE(r[2] == 4.5f && r[3] == 10.0f);
  vf32(vc, -c, -c, 0.5f, 1.0f);
  if (!MX_CHECK(run_vop3(JV_F32X4_RELAXED_NMADD, va, va, vc, NULL, out),
                "not emitted or not run"))
    return;
  memcpy(r, out, 16);
  MX_CHECK(r[0] == want32n && r[1] == want32n, "f32 nmadd %a, want %a",
           (double)r[0], (double)want32n);
  MX_TRUE(r[2] == -3.5f && r[3] == -8.0f);
  vf64(va, x, 3.0);
  vf64(vc, z, 0.25);
  double d[2];
  if (!MX_CHECK(run_vop3(JV_F64X2_RELAXED_MADD, va, va, vc, NULL, out),
                "not emitted or not run"))
    return;
  memcpy(d, out, 16);
  MX_CHECK(d[0] == want64 && d[1] == 9.25, "f64 madd %a, want %a", d[0],
           want64);
  vf64(vc, -z, 0.25);
  if (!MX_CHECK(run_vop3(JV_F64X2_RELAXED_NMADD, va, va, vc, NULL, out),
                "not emitted or not run"))
    return;
  memcpy(d, out, 16);
  double want64n = fused ? fma(-x, x, -z) : -z - p64;
  MX_CHECK(d[0] == want64n && d[1] == -8.75, "f64 nmadd %a, want %a", d[0],
           want64n);
}

void mx_simd_relaxed_madd_fuses_where_the_isa_can(void) {
#if defined(__x86_64__)
  unsigned saved = x64_cpu_vector_features();
  x64_set_cpu_vector_features(saved & ~(unsigned)X64_VEC_FMA);
  check_madd(false);
  if (saved & X64_VEC_FMA) {
    x64_set_cpu_vector_features(saved);
    check_madd(true);
  }
  x64_set_cpu_vector_features(saved);
#else
  check_madd(true);
#endif
}

/* The ops whose result is the ISA's choice: whatever it is must be one the
 * spec allows, lane by lane. */
void mx_simd_relaxed_results_are_allowed(void) {
  uint8_t a[16], b[16], m[16], out[16];
  for (int i = 0; i < 16; i++) a[i] = (uint8_t)(0x40 + i);
  uint8_t idx[16] = {0, 15, 16, 17, 127, 128, 255, 3, 31, 32, 64, 1, 2, 14,
                     200, 12};
  /* swizzle: a[i] below 16, 0 from 128 on, a[i % 16] or 0 between */
  if (!MX_CHECK(run_vop(JV_I8X16_RELAXED_SWIZZLE, a, idx, NULL, out),
                "not emitted or not run"))
    return;
  for (int i = 0; i < 16; i++) {
    bool ok = idx[i] < 16    ? out[i] == a[idx[i]]
              : idx[i] >= 128 ? out[i] == 0
                             : out[i] == 0 || out[i] == a[idx[i] % 16];
    MX_CHECK(ok, "swizzle lane %d (index %u): %u", i, idx[i], out[i]);
  }
  /* trunc_f32x4_s: NaN 0 or INT32_MIN; out of range saturated or
   * INT32_MIN */
  vf32(a, NAN, 3e9f, -3e9f, -7.9f);
  if (!MX_CHECK(run_vop(JV_I32X4_RELAXED_TRUNC_F32X4_S, a, a, NULL, out),
                "not emitted or not run"))
    return;
  int32_t t[4];
  memcpy(t, out, 16);
  MX_TRUE(t[0] == 0 || t[0] == INT32_MIN);
  MX_TRUE(t[1] == INT32_MAX || t[1] == INT32_MIN);
  MX_EQ((uint32_t)t[2], (uint32_t)INT32_MIN);
  MX_EQ((uint32_t)t[3], (uint32_t)-7);
  /* trunc_f64x2_s_zero: the same per lane, upper lanes zero */
  vf64(a, NAN, -2.5);
  if (!MX_CHECK(run_vop(JV_I32X4_RELAXED_TRUNC_F64X2_S_ZERO, a, a, NULL, out),
                "not emitted or not run"))
    return;
  memcpy(t, out, 16);
  MX_TRUE(t[0] == 0 || t[0] == INT32_MIN);
  MX_EQ((uint32_t)t[1], (uint32_t)-2);
  MX_TRUE(t[2] == 0 && t[3] == 0);
  /* min/max: the strict result, or (with a NaN or zeros of both signs)
   * one of the operands */
  vf32(a, 0.0f, -0.0f, NAN, 1.0f);
  vf32(b, -0.0f, 0.0f, 2.0f, -4.0f);
  for (int k = 0; k < 2; k++) {
    uint32_t op = k ? JV_F32X4_RELAXED_MAX : JV_F32X4_RELAXED_MIN;
    if (!MX_CHECK(run_vop(op, a, b, NULL, out), "not emitted or not run"))
      return;
    float r[4];
    memcpy(r, out, 16);
    MX_TRUE(r[0] == 0.0f && r[1] == 0.0f);
    MX_TRUE(isnan(r[2]) || r[2] == 2.0f);
    MX_TRUE(r[3] == (k ? 1.0f : -4.0f));
  }
  /* q15mulr: -32768 * -32768 saturates or wraps */
  int16_t qa[8] = {-32768, -32768, 16384, 12345, 0, 1, -1, 32767};
  int16_t qb[8] = {-32768, 32767, 16384, -23456, 5, 1, 1, 32767};
  memcpy(a, qa, 16);
  memcpy(b, qb, 16);
  if (!MX_CHECK(run_vop(JV_I16X8_RELAXED_Q15MULR_S, a, b, NULL, out),
                "not emitted or not run"))
    return;
  int16_t q[8];
  memcpy(q, out, 16);
  MX_TRUE(q[0] == INT16_MAX || q[0] == INT16_MIN);
  for (int i = 1; i < 8; i++)
    MX_CHECK(q[i] == (int16_t)((qa[i] * qb[i] + 0x4000) >> 15),
             "q15mulr lane %d: %d", i, q[i]);
  /* laneselect: bitselect on both ISAs, whatever the lane width */
  v64(a, 0x1111111111111111ull, 0x3333333333333333ull);
  v64(b, 0x2222222222222222ull, 0x4444444444444444ull);
  v64(m, 0x00ff00ff0f0f8000ull, 0xffff00007fff0001ull);
  static const uint32_t selects[4] = {
      JV_I8X16_RELAXED_LANESELECT, JV_I16X8_RELAXED_LANESELECT,
      JV_I32X4_RELAXED_LANESELECT, JV_I64X2_RELAXED_LANESELECT};
  for (int k = 0; k < 4; k++) {
    if (!MX_CHECK(run_vop3(selects[k], a, b, m, NULL, out),
                  "not emitted or not run"))
      return;
    for (int i = 0; i < 16; i++)
      MX_CHECK(out[i] == ((a[i] & m[i]) | (b[i] & ~m[i])),
               "laneselect %d byte %d: %02x", k, i, out[i]);
  }
}

void mx_simd_unknown_op_is_refused_without_code(void) {
  jit_masm m;
  jit_masm_init(&m);
  jit_reg src[3] = {FA, FB, JIT_NO_REG};
  MX_TRUE(!masm_vop(&m, 0x200, FC, src, NULL));
  MX_EQ(m.buf.size, 0);
  jit_masm_free(&m);
}

