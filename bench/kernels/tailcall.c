/* interp's program, run by a threaded interpreter whose handlers
 * tail-call each other: every instruction ends in a musttail call of the
 * next one's handler through a table (wasm32: return_call_indirect;
 * built with -mtail-call), the VM state travelling in the arguments, so
 * the dispatch is an indirect jump and the stack stays flat however long
 * the program runs. gcc has no musttail before 15: at -O2 it makes
 * these sibling calls jumps by itself. */
#include "../bench.h"

#if defined(__clang__)
#define MUSTTAIL __attribute__((musttail))
#else
#define MUSTTAIL
#endif

enum op {
  OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_MOD, OP_XOR,
  OP_SHR, OP_LT, OP_JZ, OP_JMP, OP_HALT, OP_COUNT
};

typedef struct insn {
  int32_t op, arg;
} insn;

/* Variables: 0 = i, 1 = limit, 2 = acc, 3 = x (as in interp.c).
 *   while (i < limit) {
 *     x = (i * 40503) ^ acc;  x = x % 1000003;
 *     acc = acc + (x >> 3) - i;  i = i + 1;
 *   }
 *   return acc;                                                          */
static const insn program[] = {
    /* 0 */ {OP_LOAD, 0},   {OP_LOAD, 1},  {OP_LT, 0},    {OP_JZ, 25},
    /* 4 */ {OP_LOAD, 0},   {OP_PUSH, 40503}, {OP_MUL, 0}, {OP_LOAD, 2},
    /* 8 */ {OP_XOR, 0},    {OP_PUSH, 1000003}, {OP_MOD, 0}, {OP_STORE, 3},
    /* 12 */ {OP_LOAD, 2},  {OP_LOAD, 3},  {OP_PUSH, 3},  {OP_SHR, 0},
    /* 16 */ {OP_ADD, 0},   {OP_LOAD, 0},  {OP_SUB, 0},   {OP_STORE, 2},
    /* 20 */ {OP_LOAD, 0},  {OP_PUSH, 1},  {OP_ADD, 0},   {OP_STORE, 0},
    /* 24 */ {OP_JMP, 0},   {OP_LOAD, 2},  {OP_HALT, 0},
};

/* A handler gets the instruction after its own (pc), the top of the VM
 * stack (sp points past it) and the variables. */
typedef int64_t (*handler)(const insn *pc, int64_t *sp, int64_t *vars);

static const handler handlers[OP_COUNT];

#define NEXT(pc, sp, vars) \
  MUSTTAIL return handlers[(pc)->op]((pc) + 1, sp, vars)

static int64_t op_push(const insn *pc, int64_t *sp, int64_t *vars) {
  *sp++ = pc[-1].arg;
  NEXT(pc, sp, vars);
}
static int64_t op_load(const insn *pc, int64_t *sp, int64_t *vars) {
  *sp++ = vars[pc[-1].arg];
  NEXT(pc, sp, vars);
}
static int64_t op_store(const insn *pc, int64_t *sp, int64_t *vars) {
  vars[pc[-1].arg] = *--sp;
  NEXT(pc, sp, vars);
}
#define BINARY(name, expr)                                             \
  static int64_t name(const insn *pc, int64_t *sp, int64_t *vars) {    \
    int64_t b = *--sp, a = sp[-1];                                     \
    sp[-1] = (expr);                                                   \
    NEXT(pc, sp, vars);                                                \
  }
BINARY(op_add, a + b)
BINARY(op_sub, a - b)
BINARY(op_mul, a * b)
BINARY(op_mod, a % b)
BINARY(op_xor, a ^ b)
BINARY(op_shr, a >> b)
BINARY(op_lt, a < b)
static int64_t op_jz(const insn *pc, int64_t *sp, int64_t *vars) {
  if (*--sp == 0) pc = program + pc[-1].arg;
  NEXT(pc, sp, vars);
}
static int64_t op_jmp(const insn *pc, int64_t *sp, int64_t *vars) {
  pc = program + pc[-1].arg;
  NEXT(pc, sp, vars);
}
static int64_t op_halt(const insn *pc, int64_t *sp, int64_t *vars) {
  (void)pc, (void)vars;
  return sp[-1];
}

static const handler handlers[OP_COUNT] = {
    op_push, op_load, op_store, op_add, op_sub, op_mul, op_mod,
    op_xor,  op_shr,  op_lt,    op_jz,  op_jmp, op_halt,
};

static int64_t stack[64];

/* Interprets the loop for n iterations: about 27 tail calls each. */
int64_t run(int n) {
  int64_t vars[4] = {0, n, 0, 0};
  return handlers[program[0].op](program + 1, stack, vars);
}
