#include "buffer.h"

bool jit_buf_reserve(jit_buf *b, uint32_t extra) {
  if (b->oom) return false;
  if (b->cap - b->size >= extra) return true;
  uint64_t want = (uint64_t)b->size + extra;
  uint64_t cap = b->cap ? b->cap : 4096;
  while (cap < want) cap *= 2;
  if (cap > UINT32_MAX) { b->oom = true; return false; }
  uint8_t *p = realloc(b->data, (size_t)cap);
  if (!p) { b->oom = true; return false; }
  b->data = p;
  b->cap = (uint32_t)cap;
  return true;
}

void jit_buf_free(jit_buf *b) {
  free(b->data);
  b->data = NULL;
  b->size = b->cap = 0;
}
