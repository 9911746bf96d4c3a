/* Byte streams of serialized modules (runtime/serial_io.h). */
#include "serial_io.h"

#include <stdlib.h>
#include <string.h>

void rt_put_bytes(rt_writer *w, const void *p, size_t n) {
  if (w->oom || n == 0) return;
  if (w->cap - w->len < n) {
    size_t cap = w->cap ? w->cap : 4096;
    while (cap - w->len < n) {
      if (cap > SIZE_MAX / 2) {
        w->oom = true;
        return;
      }
      cap *= 2;
    }
    uint8_t *d = realloc(w->data, cap);
    if (!d) {
      w->oom = true;
      return;
    }
    w->data = d;
    w->cap = cap;
  }
  memcpy(w->data + w->len, p, n);
  w->len += n;
}

void rt_put_u8(rt_writer *w, uint8_t v) { rt_put_bytes(w, &v, 1); }

void rt_put_u32(rt_writer *w, uint32_t v) {
  uint8_t b[4];
  for (int i = 0; i < 4; i++) b[i] = (uint8_t)(v >> (8 * i));
  rt_put_bytes(w, b, 4);
}

void rt_put_u64(rt_writer *w, uint64_t v) {
  uint8_t b[8];
  for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
  rt_put_bytes(w, b, 8);
}

void rt_put_str(rt_writer *w, const char *s) {
  size_t n = strlen(s);
  rt_put_u32(w, (uint32_t)n);
  rt_put_bytes(w, s, n);
}

void rt_reader_init(rt_reader *r, const uint8_t *p, size_t len) {
  r->p = r->start = p;
  r->end = p + len;
  r->failed = false;
}

const uint8_t *rt_get_bytes(rt_reader *r, size_t n) {
  if (r->failed || rt_reader_left(r) < n) {
    r->failed = true;
    return NULL;
  }
  const uint8_t *at = r->p;
  r->p += n;
  return at;
}

uint8_t rt_get_u8(rt_reader *r) {
  const uint8_t *b = rt_get_bytes(r, 1);
  return b ? b[0] : 0;
}

uint32_t rt_get_u32(rt_reader *r) {
  const uint8_t *b = rt_get_bytes(r, 4);
  if (!b) return 0;
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= (uint32_t)b[i] << (8 * i);
  return v;
}

uint64_t rt_get_u64(rt_reader *r) {
  const uint8_t *b = rt_get_bytes(r, 8);
  if (!b) return 0;
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v |= (uint64_t)b[i] << (8 * i);
  return v;
}

uint32_t rt_get_count(rt_reader *r, size_t item_size) {
  uint32_t n = rt_get_u32(r);
  if (r->failed) return 0;
  if (item_size && n > rt_reader_left(r) / item_size) {
    r->failed = true;
    return 0;
  }
  return n;
}

const char *rt_get_str(rt_reader *r, uint32_t *len) {
  *len = rt_get_count(r, 1);
  const uint8_t *b = rt_get_bytes(r, *len);
  return b ? (const char *)b : "";
}

uint64_t rt_fnv1a64(const uint8_t *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}
