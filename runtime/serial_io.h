/* Little-endian byte streams for serialized modules (runtime/serialize.c):
 * a growing writer, and a reader that checks every read against the end
 * of its bytes. Both are sticky: after the first failure (out of memory,
 * or a read past the end) every later call does nothing, and the caller
 * checks once. */
#ifndef RT_SERIAL_IO_H
#define RT_SERIAL_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rt_writer {
  uint8_t *data;
  size_t len, cap;
  bool oom;
} rt_writer;

void rt_put_bytes(rt_writer *w, const void *p, size_t n);
void rt_put_u8(rt_writer *w, uint8_t v);
void rt_put_u32(rt_writer *w, uint32_t v);
void rt_put_u64(rt_writer *w, uint64_t v);
/* A u32 length, then the bytes. */
void rt_put_str(rt_writer *w, const char *s);

typedef struct rt_reader {
  const uint8_t *p, *start, *end;
  bool failed; /* a read went past the end */
} rt_reader;

void rt_reader_init(rt_reader *r, const uint8_t *p, size_t len);
/* Where the next read starts, in bytes from the beginning. */
static inline size_t rt_reader_pos(const rt_reader *r) {
  return (size_t)(r->p - r->start);
}
static inline size_t rt_reader_left(const rt_reader *r) {
  return (size_t)(r->end - r->p);
}
/* The next n bytes (NULL, and failed, if fewer are left). */
const uint8_t *rt_get_bytes(rt_reader *r, size_t n);
uint8_t rt_get_u8(rt_reader *r);
uint32_t rt_get_u32(rt_reader *r);
uint64_t rt_get_u64(rt_reader *r);
/* A count of items of item_size bytes each that must all fit in what is
 * left: refuses (failed, 0) a count the bytes cannot hold, so that no
 * allocation is sized by a garbled number. */
uint32_t rt_get_count(rt_reader *r, size_t item_size);
/* A string written by rt_put_str; *len its length (not NUL-terminated). */
const char *rt_get_str(rt_reader *r, uint32_t *len);

/* FNV-1a, 64 bits: the checksum that catches a damaged blob. */
uint64_t rt_fnv1a64(const uint8_t *p, size_t n);

#endif
