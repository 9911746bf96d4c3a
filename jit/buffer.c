#include "buffer.h"

#include <sys/mman.h>

/* From this capacity on a buffer is a mapping of its own: it grows by
 * mremap (page tables move, no byte is copied) and a module's code buffer
 * becomes its executable mapping in place (jit_buf_take_mapping), where a
 * copy into a new mapping cost one fresh page per 4 KB of code. Below it,
 * malloc is cheaper than a system call. A power of two at least as large
 * as any page size (4 to 64 KB), so every mapped capacity is whole pages. */
#define MAPPED_MIN (64u * 1024)

static uint8_t *grow_mapping(jit_buf *b, uint64_t cap) {
  void *p;
  if (b->mapped) {
    p = mremap(b->data, b->cap, (size_t)cap, MREMAP_MAYMOVE);
    return p == MAP_FAILED ? NULL : p;
  }
  p = mmap(NULL, (size_t)cap, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
  if (b->size) memcpy(p, b->data, b->size);
  free(b->data);
  b->mapped = true;
  return p;
}

bool jit_buf_reserve(jit_buf *b, uint32_t extra) {
  if (b->oom) return false;
  if (b->cap - b->size >= extra) return true;
  uint64_t want = (uint64_t)b->size + extra;
  uint64_t cap = b->cap ? b->cap : 4096;
  while (cap < want) cap *= 2;
  if (cap > UINT32_MAX) { b->oom = true; return false; }
  uint8_t *p = cap < MAPPED_MIN ? realloc(b->data, (size_t)cap)
                                : grow_mapping(b, cap);
  if (!p) { b->oom = true; return false; }
  b->data = p;
  b->cap = (uint32_t)cap;
  return true;
}

uint8_t *jit_buf_take_mapping(jit_buf *b, size_t page, size_t *mapped) {
  if (!b->mapped || b->oom) return NULL;
  size_t keep = ((size_t)b->size + page - 1) / page * page;
  if (keep == 0) keep = page;
  /* the unused tail goes back now; the rest is the caller's */
  if (keep < b->cap) munmap(b->data + keep, b->cap - keep);
  uint8_t *mem = b->data;
  *mapped = keep;
  *b = (jit_buf){0};
  return mem;
}

void jit_buf_free(jit_buf *b) {
  if (b->mapped) munmap(b->data, b->cap);
  else free(b->data);
  b->data = NULL;
  b->size = b->cap = 0;
  b->mapped = false;
}

void jit_buf_pad(jit_buf *b, uint32_t align) {
  uint32_t n = (align - (b->size & (align - 1))) & (align - 1);
  if (!n || !jit_buf_reserve(b, n)) return;
  memset(b->data + b->size, 0, n);
  b->size += n;
}

bool jit_buf_move_pages(jit_buf *dst, jit_buf *src, size_t page) {
  if (!dst->mapped || !src->mapped || dst->oom || src->oom ||
      dst->size % page || src->size % page ||
      dst->cap - dst->size < src->size)
    return false;
  if (src->size) {
    void *at = dst->data + dst->size;
    void *p = mremap(src->data, src->size, src->size,
                     MREMAP_MAYMOVE | MREMAP_FIXED, at);
    if (p != at) return false; /* src still where it was */
    if (src->cap > src->size) munmap(src->data + src->size, src->cap - src->size);
  } else {
    munmap(src->data, src->cap);
  }
  dst->size += src->size;
  *src = (jit_buf){0};
  return true;
}
