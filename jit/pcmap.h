/* The map from machine code to wasm byte offsets (backtraces, wasm.h
 * frames), written by the MacroAssembler in the one compile pass.
 *
 * Only the pcs a trap or a frame walk can see get an entry: each trap
 * site (the trapping instruction itself) and each call, keyed by its
 * return address minus one (a pc inside the call instruction), so that a
 * trap site just after a call never shares a key with it. The value is
 * the module-relative offset of the wasm instruction's opcode.
 *
 * One stream of entries per function, in code order, each a pair
 * (ULEB128 code delta, SLEB128 wasm delta) from the previous entry, the
 * first from (the function's code start, its body start). Most deltas fit
 * one byte each. A lookup decodes the function's stream: traps and
 * backtraces are rare, compiles are not. */
#ifndef JIT_PCMAP_H
#define JIT_PCMAP_H

#include <stdbool.h>
#include <stdint.h>

#define JIT_NO_WASM_OFFSET UINT32_MAX

typedef struct jit_pcmap_writer {
  uint8_t *data;
  uint32_t size, cap;
  uint32_t pc, wasm; /* the previous entry, or the function's start */
  /* Allocation failed or an entry came out of code order: the map is not
   * to be trusted and is dropped (every offset unknown). */
  bool failed;
} jit_pcmap_writer;

bool jit_pcmap_reserve(jit_pcmap_writer *w);
void jit_pcmap_writer_free(jit_pcmap_writer *w);

/* Starts a function whose code begins at code offset pc and whose body
 * at module offset wasm; returns where its stream begins. */
static inline uint32_t jit_pcmap_begin_function(jit_pcmap_writer *w,
                                                uint32_t pc, uint32_t wasm) {
  w->pc = pc;
  w->wasm = wasm;
  return w->size;
}

/* Appends the entries of src (a whole number of functions' streams);
 * a failed src fails w. */
void jit_pcmap_append(jit_pcmap_writer *w, const jit_pcmap_writer *src);

void jit_pcmap_add_slow(jit_pcmap_writer *w, uint32_t pc, uint32_t wasm);

/* Inline: every trap site and call of a module comes here, and nearly
 * every entry is two bytes (the slow path: longer numbers, growth, an
 * entry out of code order, a failed writer, whose cap is kept at size). */
static inline void jit_pcmap_add(jit_pcmap_writer *w, uint32_t pc,
                                 uint32_t wasm) {
  uint32_t d = pc - w->pc;
  uint32_t s = wasm - w->wasm + 64; /* in [0, 128): a one-byte SLEB128 */
  if (d < 0x80 && s < 0x80 && w->cap - w->size >= 2) {
    w->data[w->size] = (uint8_t)d;
    w->data[w->size + 1] = (uint8_t)((s - 64) & 0x7f);
    w->size += 2;
    w->pc = pc;
    w->wasm = wasm;
    return;
  }
  jit_pcmap_add_slow(w, pc, wasm);
}

/* The wasm offset of the entry at code offset key in the stream
 * [p, end) of a function starting at (pc, wasm), or JIT_NO_WASM_OFFSET. */
uint32_t jit_pcmap_lookup(const uint8_t *p, const uint8_t *end, uint32_t pc,
                          uint32_t wasm, uint32_t key);

/* Reads a function's stream entry by entry (profilers' line tables):
 * start it as (p, end, the function's code offset, its body offset). */
typedef struct jit_pcmap_cursor {
  const uint8_t *p, *end;
  uint32_t pc;
  int64_t wasm;
} jit_pcmap_cursor;
/* The next entry's code offset and wasm offset; false at the end (or a
 * garbled number, or an offset out of range). */
bool jit_pcmap_next(jit_pcmap_cursor *c, uint32_t *pc, uint32_t *wasm);

#endif
