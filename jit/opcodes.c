/* The opcode table (from opcodes.def) and the reverse lookup the decoder
 * uses: from (prefix, code) bytes back to a jit_op. */
#include <stdint.h>
#include "instr.h"

const jit_opinfo jit_opinfo_table[OP_COUNT] = {
#define OP(name, text, prefix, code, imm, sig, ...) \
  [OP_##name] = {text, prefix, code, IMM_##imm, sig},
#include "opcodes.def"
#undef OP
};

/* The reverse map, built by the compiler from the same list: one row of
 * SUBOP_LIMIT per prefix (none, 0xFC, 0xFD, 0xFB, 0xFE). Wasm 2.0's
 * sub-opcodes are all < 256; relaxed SIMD's run to 0xFD 0x113, so a row is
 * 512 entries (5 KiB for the table). A code past the limit fails to compile (the designated
 * initialiser is out of bounds), so a new range cannot be dropped silently.
 * Entries hold jit_op + 1 so that the zero of static storage means "no such
 * opcode". A constant table: no run-time initialisation on the hot path. */
enum { SUBOP_LIMIT = 512 };
#define PREFIX_ROW(prefix)                                                 \
  ((prefix) == 0      ? 0                                                   \
   : (prefix) == 0xFC ? 1                                                   \
   : (prefix) == 0xFD ? 2                                                   \
   : (prefix) == 0xFB ? 3                                                   \
                      : 4)
static const uint16_t reverse_ops[5][SUBOP_LIMIT] = {
#define OP(name, text, prefix, code, ...) \
  [PREFIX_ROW(prefix)][code] = OP_##name + 1,
#include "opcodes.def"
#undef OP
};

/* The row of each prefix byte, plus one (0: not a prefix): one load on
 * the decoder's per-opcode path instead of a chain of compares. */
static const uint8_t prefix_rows[256] = {
    [0] = 1, [0xFC] = 2, [0xFD] = 3, [0xFB] = 4, [0xFE] = 5,
};

/* Row 0 again as its own table, for the decoder's inline lookup of the
 * one-byte opcodes (most instructions): the prefix bytes are 0 here. */
#define ONE_BYTE_0(name, code) [code] = OP_##name + 1,
#define ONE_BYTE_0xFC(name, code)
#define ONE_BYTE_0xFD(name, code)
#define ONE_BYTE_0xFB(name, code)
#define ONE_BYTE_0xFE(name, code)
const uint16_t jit_one_byte_ops[256] = {
#define OP(name, text, prefix, code, ...) ONE_BYTE_##prefix(name, code)
#include "opcodes.def"
#undef OP
};

jit_op jit_op_lookup(uint8_t prefix, uint32_t code) {
  unsigned row = prefix_rows[prefix];
  if (!row || code >= SUBOP_LIMIT) return OP_COUNT;
  uint16_t entry = reverse_ops[row - 1][code];
  return entry ? (jit_op)(entry - 1) : OP_COUNT;
}

/* The access sizes of the 0xFE rows, from their c column. */
#define ATOMIC_SIZE_0(name, c)
#define ATOMIC_SIZE_0xFC(name, c)
#define ATOMIC_SIZE_0xFD(name, c)
#define ATOMIC_SIZE_0xFB(name, c)
#define ATOMIC_SIZE_0xFE(name, c) [OP_##name] = c,
const uint8_t jit_atomic_size_log2[OP_COUNT] = {
#define OP(name, text, prefix, code, imm, sig, nan, lower, a, b, c) \
  ATOMIC_SIZE_##prefix(name, c)
#include "opcodes.def"
#undef OP
};

/* See instr.h: plain accesses only; jit_atomic_size_log2 has the 0xFE ones. */
unsigned jit_access_size_log2(jit_op op) {
  switch (op) {
  case OP_I32_LOAD8_S: case OP_I32_LOAD8_U: case OP_I64_LOAD8_S:
  case OP_I64_LOAD8_U: case OP_I32_STORE8: case OP_I64_STORE8:
  case OP_V128_LOAD8_SPLAT: case OP_V128_LOAD8_LANE: case OP_V128_STORE8_LANE:
    return 0;
  case OP_I32_LOAD16_S: case OP_I32_LOAD16_U: case OP_I64_LOAD16_S:
  case OP_I64_LOAD16_U: case OP_I32_STORE16: case OP_I64_STORE16:
  case OP_V128_LOAD16_SPLAT: case OP_V128_LOAD16_LANE:
  case OP_V128_STORE16_LANE:
    return 1;
  case OP_I32_LOAD: case OP_F32_LOAD: case OP_I64_LOAD32_S:
  case OP_I64_LOAD32_U: case OP_I32_STORE: case OP_F32_STORE:
  case OP_I64_STORE32: case OP_V128_LOAD32_SPLAT: case OP_V128_LOAD32_ZERO:
  case OP_V128_LOAD32_LANE: case OP_V128_STORE32_LANE:
    return 2;
  case OP_V128_LOAD: case OP_V128_STORE:
    return 4;
  default: /* 64-bit accesses, including v128.loadNxM extends */
    return 3;
  }
}
