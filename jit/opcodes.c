/* The opcode table (from opcodes.def) and the reverse lookup the decoder
 * uses: from (prefix, code) bytes back to a jit_op. */
#include <pthread.h>
#include <stdint.h>
#include "instr.h"

const jit_opinfo jit_opinfo_table[OP_COUNT] = {
#define OP(name, text, prefix, code, imm) \
  [OP_##name] = {text, prefix, code, imm},
#include "opcodes.def"
#undef OP
};

/* Reverse maps hold jit_op + 1 so that the zero of static storage means
 * "no such opcode". Every sub-opcode of the Wasm 2.0 prefixes is < 256. */
enum { SUBOP_LIMIT = 256 };
static uint16_t one_byte_ops[256];
static uint16_t fc_ops[SUBOP_LIMIT];
static uint16_t fd_ops[SUBOP_LIMIT];
static pthread_once_t lookup_once = PTHREAD_ONCE_INIT;

static void build_lookup(void) {
  for (unsigned op = 0; op < OP_COUNT; op++) {
    const jit_opinfo *info = &jit_opinfo_table[op];
    uint16_t *map = info->prefix == 0xFC   ? fc_ops
                    : info->prefix == 0xFD ? fd_ops
                                           : one_byte_ops;
    map[info->code] = (uint16_t)(op + 1);
  }
}

/* Returns the jit_op for an opcode (prefix 0 for one-byte opcodes, else
 * 0xFC/0xFD with the decoded sub-opcode), or OP_COUNT when there is none. */
jit_op jit_op_lookup(uint8_t prefix, uint32_t code) {
  pthread_once(&lookup_once, build_lookup);
  const uint16_t *map;
  switch (prefix) {
  case 0: map = one_byte_ops; break;
  case 0xFC: map = fc_ops; break;
  case 0xFD: map = fd_ops; break;
  default: return OP_COUNT;
  }
  if (code >= SUBOP_LIMIT || map[code] == 0) return OP_COUNT;
  return (jit_op)(map[code] - 1);
}
