/* Buffer shuffling: memset and memcpy of sizes from a few bytes to pages,
 * at varied alignments, and overlapping memmoves, as a message queue or a
 * string builder does; with -mbulk-memory the variable-size copies are
 * memory.copy and memory.fill. */
#include "../bench.h"

#define ARENA (1 << 20)
static uint8_t arena[ARENA];

/* A size from 1 to 4096, mostly small. */
static uint32_t size_of(uint32_t r) {
  switch (r & 3) {
  case 0: return 1 + (r >> 8) % 16;
  case 1: return 16 + (r >> 8) % 112;
  case 2: return 128 + (r >> 8) % 896;
  default: return 1024 + (r >> 8) % 3072;
  }
}

static uint32_t checksum(uint32_t h, const uint8_t *p, uint32_t len) {
  for (uint32_t i = 0; i < len; i += 97) h = (h ^ p[i]) * 16777619u;
  return h;
}

/* n rounds of 20,000 operations over a 1 MiB arena. */
int64_t run(int n) {
  uint32_t s = 2024, h = 2166136261u;
  for (uint32_t i = 0; i < ARENA; i++) arena[i] = (uint8_t)i;
  for (int round = 0; round < n; round++) {
    for (int op = 0; op < 20000; op++) {
      uint32_t r = bench_lcg(&s), len = size_of(r);
      /* memcpy's regions must not overlap (C's rule): one in each half */
      const uint32_t half = ARENA / 2;
      uint32_t dst = bench_lcg(&s) % (half - len);
      uint32_t src = half + bench_lcg(&s) % (half - len);
      if (r & 0x100) {
        uint32_t t = dst;
        dst = src;
        src = t;
      }
      switch ((r >> 4) & 3) {
      case 0: __builtin_memset(arena + dst, (int)(r >> 24), len); break;
      case 1: /* overlapping: a shift by a few bytes */
        src = dst + 1 + (r >> 20) % 7;
        __builtin_memmove(arena + dst, arena + src, len);
        break;
      default: __builtin_memcpy(arena + dst, arena + src, len); break;
      }
      h = (h ^ arena[dst + len / 2]) * 16777619u;
    }
    h = checksum(h, arena, ARENA);
  }
  return h;
}
