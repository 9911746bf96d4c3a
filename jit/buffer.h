/* A growable byte buffer for machine code. Emission never fails loudly:
 * on allocation failure the buffer sets oom and drops further bytes, and the
 * compiler reports the error once at the end. */
#ifndef JIT_BUFFER_H
#define JIT_BUFFER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct jit_buf {
  uint8_t *data;
  uint32_t size, cap;
  bool oom;
  bool mapped; /* data is an mmap of cap bytes (large buffers), not malloc */
} jit_buf;

bool jit_buf_reserve(jit_buf *b, uint32_t extra);
/* A mapped buffer's pages (read+write), trimmed to whole pages of the
 * given size around its bytes, handed to the caller, who unmaps *mapped
 * bytes; the buffer is left empty. NULL (and the buffer unchanged) for a
 * malloc'ed one or after a failure. */
uint8_t *jit_buf_take_mapping(jit_buf *b, size_t page, size_t *mapped);

static inline void jit_buf_put(jit_buf *b, const void *p, uint32_t n) {
  if (b->cap - b->size < n && !jit_buf_reserve(b, n)) return;
  memcpy(b->data + b->size, p, n);
  b->size += n;
}
static inline void jit_buf_u8(jit_buf *b, uint8_t v) { jit_buf_put(b, &v, 1); }
static inline void jit_buf_u16(jit_buf *b, uint16_t v) { jit_buf_put(b, &v, 2); }
static inline void jit_buf_u32(jit_buf *b, uint32_t v) { jit_buf_put(b, &v, 4); }
static inline void jit_buf_u64(jit_buf *b, uint64_t v) { jit_buf_put(b, &v, 8); }
static inline uint32_t jit_buf_pos(const jit_buf *b) { return b->size; }
/* Little-endian patch of n bytes at offset at (both ISAs are little-endian
 * in wrun). */
static inline void jit_buf_patch32(jit_buf *b, uint32_t at, uint32_t v) {
  if (b->oom || at + 4 > b->size) return;
  memcpy(b->data + at, &v, 4);
}
void jit_buf_free(jit_buf *b);
/* Zero bytes up to the next multiple of align (a power of two). */
void jit_buf_pad(jit_buf *b, uint32_t align);
/* Moves src's bytes to the end of dst without copying them: src's pages
 * are remapped into dst's mapping (mremap). Only whole pages of the
 * given size: both are mappings, dst's size and src's are multiples of
 * page, and dst has the room. Returns false, changing nothing, when that
 * does not hold or the kernel refuses; src is left empty on success.
 * dst's mapping may then consist of several kernel mappings, which a
 * later growth of dst cannot move: reserve dst's room first. */
bool jit_buf_move_pages(jit_buf *dst, jit_buf *src, size_t page);

#endif
