/* A tiny stack-machine interpreter: a switch in a loop (br_table),
 * loads/stores of the VM stack and unpredictable indirect jumps. */
#include "../bench.h"

enum op {
  OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_MOD, OP_XOR,
  OP_SHR, OP_LT, OP_JZ, OP_JMP, OP_DUP, OP_POP, OP_HALT
};

typedef struct insn {
  int32_t op, arg;
} insn;

/* Variables: 0 = i, 1 = limit, 2 = acc, 3 = x.
 *   while (i < limit) {
 *     x = (i * 2654435761) ^ acc;  x = x % 1000003;
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

static int64_t execute(const insn *code, int64_t limit) {
  int64_t stack[64];
  int64_t vars[4] = {0, limit, 0, 0};
  int sp = 0, pc = 0;
  for (;;) {
    insn in = code[pc++];
    switch (in.op) {
    case OP_PUSH: stack[sp++] = in.arg; break;
    case OP_LOAD: stack[sp++] = vars[in.arg]; break;
    case OP_STORE: vars[in.arg] = stack[--sp]; break;
    case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
    case OP_SUB: sp--; stack[sp - 1] -= stack[sp]; break;
    case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
    case OP_MOD: sp--; stack[sp - 1] %= stack[sp]; break;
    case OP_XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
    case OP_SHR: sp--; stack[sp - 1] >>= stack[sp]; break;
    case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
    case OP_JZ: if (stack[--sp] == 0) pc = in.arg; break;
    case OP_JMP: pc = in.arg; break;
    case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
    case OP_POP: sp--; break;
    case OP_HALT: return stack[sp - 1];
    default: return -1;
    }
  }
}

/* Interprets the loop above for n iterations. */
int64_t run(int n) { return execute(program, n); }
