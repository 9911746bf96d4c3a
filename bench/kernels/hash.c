/* Byte hashing: FNV-1a 64 per byte, and an xxhash-style 64-bit lane mix
 * (multiply, rotate) over 8-byte words read with memcpy. */
#include "../bench.h"

#define BUF_SIZE (1 << 16)
static uint8_t buffer[BUF_SIZE];

static uint64_t fnv1a(const uint8_t *p, uint32_t len, uint64_t h) {
  for (uint32_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

static inline uint64_t rotl64(uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}

static uint64_t lane_mix(const uint8_t *p, uint32_t len, uint64_t seed) {
  const uint64_t p1 = 0x9E3779B185EBCA87ull, p2 = 0xC2B2AE3D27D4EB4Full;
  uint64_t acc[4] = {seed + p1 + p2, seed + p2, seed, seed - p1};
  for (uint32_t i = 0; i + 32 <= len; i += 32) {
    for (int lane = 0; lane < 4; lane++) {
      uint64_t word;
      __builtin_memcpy(&word, p + i + 8 * lane, 8);
      acc[lane] = rotl64(acc[lane] + word * p2, 31) * p1;
    }
  }
  uint64_t h = rotl64(acc[0], 1) + rotl64(acc[1], 7) + rotl64(acc[2], 12) +
               rotl64(acc[3], 18);
  h ^= h >> 33;
  h *= p2;
  h ^= h >> 29;
  return h;
}

/* n rounds of both hashes over a 64 KiB buffer, chained. */
int64_t run(int n) {
  uint32_t s = 777;
  for (uint32_t i = 0; i < BUF_SIZE; i++)
    buffer[i] = (uint8_t)(bench_lcg(&s) >> 24);
  uint64_t h = 0xcbf29ce484222325ull;
  for (int round = 0; round < n; round++) {
    h = fnv1a(buffer, BUF_SIZE, h);
    h ^= lane_mix(buffer, BUF_SIZE, h);
  }
  return (int64_t)h;
}
