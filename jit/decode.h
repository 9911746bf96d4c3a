/* Decoding of function bodies: LEB128 readers, local declarations and one
 * instruction at a time into jit_instr. Never reads outside [pos, end). */
#ifndef JIT_DECODE_H
#define JIT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "instr.h"
#include "wrun.h"

typedef struct jit_reader {
  const uint8_t *base; /* start of the module (offsets are relative to it) */
  const uint8_t *pos, *end;
  /* The module's end (end unless the caller sets it): how far a LEB128 cut
   * by `end` is read on to tell its error as the spec does. */
  const uint8_t *limit;
  /* br_table targets of the last decoded br_table */
  uint32_t *targets;
  uint32_t cap_targets;
  /* catch clauses of the last decoded try_table */
  jit_catch *catches;
  uint32_t cap_catches;
} jit_reader;

void jit_reader_init(jit_reader *r, const uint8_t *base, size_t start,
                     size_t end);
void jit_reader_free(jit_reader *r);
static inline size_t jit_reader_offset(const jit_reader *r) {
  return (size_t)(r->pos - r->base);
}

/* Local declarations of a body: total count (params excluded) and types
 * (*types is malloc'ed; the caller frees it). Fails, as other engines do,
 * when the total exceeds 50000 (a limit that keeps frames bounded). */
wrun_error *jit_decode_locals(jit_reader *r, uint32_t *count,
                              rt_valtype **types);

/* Decodes the next instruction. Malformed input (bad LEB, unknown opcode,
 * truncated immediates) is an error with its offset. */
wrun_error *jit_decode_instr_any(jit_reader *r, jit_instr *out);

/* The same, inline for the shapes of most instructions (a one-byte opcode
 * without immediates, or with an index or i32 constant in one byte), so
 * that the compiler's loop makes no call for them; anything else, and
 * every error, is jit_decode_instr_any's. */
static inline wrun_error *jit_decode_instr(jit_reader *r, jit_instr *out) {
  const uint8_t *p = r->pos;
  uint16_t entry = p < r->end ? jit_one_byte_ops[*p] : 0;
  if (!entry) return jit_decode_instr_any(r, out);
  jit_op op = (jit_op)(entry - 1);
  jit_imm_kind imm = (jit_imm_kind)jit_opinfo_table[op].imm;
  bool short_imm = p + 1 < r->end && p[1] < 0x80;
  if (imm != IMM_NONE &&
      !(short_imm && (imm == IMM_LOCAL || imm == IMM_I32 ||
                      imm == IMM_LABEL || imm == IMM_GLOBAL ||
                      imm == IMM_FUNC)))
    return jit_decode_instr_any(r, out);
  memset(out, 0, sizeof *out);
  out->offset = (uint32_t)jit_reader_offset(r);
  out->op = (uint16_t)op;
  if (imm == IMM_NONE) {
    r->pos = p + 1;
    return NULL;
  }
  uint8_t b = p[1];
  if (imm == IMM_I32) /* seven bits, the top one the sign */
    out->u.i32 = (int32_t)(b & 0x40 ? b | ~0x7F : b);
  else
    out->u.index = b;
  r->pos = p + 2;
  return NULL;
}

/* Decodes defined function f's body (its locals, instructions and final
 * end) as the spec's decoder does, which does not stop at the body's size
 * but reads on to the module's end: the error it reports ("section size
 * mismatch" for an end found elsewhere than the body's last byte), or NULL
 * when the body decodes. Structure only: nothing is validated. */
struct rt_module;
wrun_error *jit_decode_body_as_spec(const struct rt_module *mod, uint32_t f);

#endif
