/* The pc -> wasm offset map (jit/pcmap.h): growth and lookup. */
#include "pcmap.h"

#include <stdlib.h>
#include <string.h>

bool jit_pcmap_reserve(jit_pcmap_writer *w) {
  uint32_t cap = w->cap ? w->cap * 2 : 4096;
  uint8_t *p = realloc(w->data, cap);
  if (!p) {
    w->failed = true;
    return false;
  }
  w->data = p;
  w->cap = cap;
  return true;
}

void jit_pcmap_add_slow(jit_pcmap_writer *w, uint32_t pc, uint32_t wasm) {
  if (pc < w->pc) w->failed = true;
  if (w->failed || (w->cap - w->size < 10 && !jit_pcmap_reserve(w))) {
    w->cap = w->size; /* keeps the inline path out */
    return;
  }
  uint8_t *p = w->data + w->size;
  uint32_t d = pc - w->pc;
  while (d >= 0x80) {
    *p++ = (uint8_t)(d | 0x80);
    d >>= 7;
  }
  *p++ = (uint8_t)d;
  int64_t s = (int64_t)wasm - (int64_t)w->wasm;
  while (s < -64 || s > 63) {
    *p++ = (uint8_t)(s | 0x80);
    s >>= 7; /* arithmetic: gcc defines it for negative values */
  }
  *p++ = (uint8_t)(s & 0x7f);
  w->size = (uint32_t)(p - w->data);
  w->pc = pc;
  w->wasm = wasm;
}

void jit_pcmap_append(jit_pcmap_writer *w, const jit_pcmap_writer *src) {
  if (src->failed) w->failed = true;
  while (!w->failed && w->cap - w->size < src->size)
    if (!jit_pcmap_reserve(w)) break;
  if (w->failed) {
    w->cap = w->size; /* keeps the inline path out, as add_slow does */
    return;
  }
  if (src->size) memcpy(w->data + w->size, src->data, src->size);
  w->size += src->size;
}

void jit_pcmap_writer_free(jit_pcmap_writer *w) {
  free(w->data);
  *w = (jit_pcmap_writer){0};
}

/* false at the end of the stream (or in a truncated number) */
static bool read_uleb(const uint8_t **p, const uint8_t *end, uint32_t *out) {
  uint32_t v = 0;
  for (unsigned shift = 0; *p < end && shift < 35; shift += 7) {
    uint8_t b = *(*p)++;
    v |= (uint32_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
  }
  return false;
}

static bool read_sleb(const uint8_t **p, const uint8_t *end, int64_t *out) {
  int64_t v = 0;
  for (unsigned shift = 0; *p < end && shift < 63; shift += 7) {
    uint8_t b = *(*p)++;
    v |= (int64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      if (b & 0x40) v -= (int64_t)1 << (shift + 7); /* sign-extend */
      *out = v;
      return true;
    }
  }
  return false;
}

uint32_t jit_pcmap_lookup(const uint8_t *p, const uint8_t *end, uint32_t pc,
                          uint32_t wasm, uint32_t key) {
  int64_t w = wasm;
  while (p < end) {
    uint32_t d;
    int64_t s;
    if (!read_uleb(&p, end, &d) || !read_sleb(&p, end, &s)) break;
    pc += d;
    w += s;
    if (pc > key) break; /* in code order: key has no entry */
    if (pc == key) return w >= 0 && w < JIT_NO_WASM_OFFSET
                              ? (uint32_t)w : JIT_NO_WASM_OFFSET;
  }
  return JIT_NO_WASM_OFFSET;
}

bool jit_pcmap_next(jit_pcmap_cursor *c, uint32_t *pc, uint32_t *wasm) {
  uint32_t d;
  int64_t s;
  if (c->p >= c->end || !read_uleb(&c->p, c->end, &d) ||
      !read_sleb(&c->p, c->end, &s))
    return false;
  c->pc += d;
  c->wasm += s;
  if (c->wasm < 0 || c->wasm >= JIT_NO_WASM_OFFSET) return false;
  *pc = c->pc;
  *wasm = (uint32_t)c->wasm;
  return true;
}
