/* An LZ77 compressor in the LZ4 style (a hash of the next 4 bytes finds
 * the last position with the same prefix; literal runs and matches of at
 * least 4 bytes with 16-bit offsets) and its decompressor, over text-like
 * data with repeats; the round trip is checked. Unaligned 32-bit loads,
 * hashing, byte copies and branchy match extension. */
#include "../bench.h"

#define IN_SIZE (1 << 18)
#define OUT_SIZE (IN_SIZE + IN_SIZE / 255 + 16)
#define HASH_BITS 14

static uint8_t input[IN_SIZE], packed[OUT_SIZE], unpacked[IN_SIZE];
static uint32_t last[1 << HASH_BITS];

static uint32_t load32(const uint8_t *p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return v;
}

static uint32_t hash4(uint32_t v) { return (v * 2654435761u) >> (32 - HASH_BITS); }

/* A length past 15 continues in bytes of 255 and a last one below it. */
static uint8_t *put_length(uint8_t *o, uint32_t n) {
  for (; n >= 255; n -= 255) *o++ = 255;
  *o++ = (uint8_t)n;
  return o;
}

static uint32_t compress(const uint8_t *in, uint32_t len, uint8_t *out) {
  __builtin_memset(last, 0, sizeof last);
  uint8_t *o = out;
  uint32_t anchor = 0, i = 1;
  while (i + 8 < len) {
    uint32_t v = load32(in + i), h = hash4(v);
    uint32_t cand = last[h];
    last[h] = i;
    if (cand == 0 || i - cand > 65535 || load32(in + cand) != v) {
      i++;
      continue;
    }
    uint32_t m = 4;
    while (i + m < len && in[cand + m] == in[i + m]) m++;
    uint32_t lit = i - anchor;
    *o++ = (uint8_t)((lit < 15 ? lit : 15) << 4 | (m - 4 < 15 ? m - 4 : 15));
    if (lit >= 15) o = put_length(o, lit - 15);
    for (uint32_t k = 0; k < lit; k++) *o++ = in[anchor + k];
    uint32_t off = i - cand;
    *o++ = (uint8_t)off;
    *o++ = (uint8_t)(off >> 8);
    if (m - 4 >= 15) o = put_length(o, m - 4 - 15);
    i += m;
    anchor = i;
  }
  uint32_t lit = len - anchor; /* the last literals, no match */
  *o++ = (uint8_t)((lit < 15 ? lit : 15) << 4);
  if (lit >= 15) o = put_length(o, lit - 15);
  for (uint32_t k = 0; k < lit; k++) *o++ = in[anchor + k];
  return (uint32_t)(o - out);
}

static uint32_t get_length(const uint8_t **p, uint32_t n) {
  if (n < 15) return n;
  uint8_t b;
  do {
    b = *(*p)++;
    n += b;
  } while (b == 255);
  return n;
}

static uint32_t decompress(const uint8_t *in, uint32_t len, uint8_t *out) {
  const uint8_t *p = in, *end = in + len;
  uint8_t *o = out;
  while (p < end) {
    uint8_t token = *p++;
    uint32_t lit = get_length(&p, token >> 4);
    for (uint32_t k = 0; k < lit; k++) *o++ = *p++;
    if (p >= end) break;
    uint32_t off = p[0] | (uint32_t)p[1] << 8;
    p += 2;
    uint32_t m = get_length(&p, token & 15) + 4;
    const uint8_t *from = o - off; /* may overlap: byte by byte */
    for (uint32_t k = 0; k < m; k++) *o++ = from[k];
  }
  return (uint32_t)(o - out);
}

/* Words from a small vocabulary, so that matches are frequent but not
 * trivial. */
static void make_input(uint32_t seed) {
  static const char *vocab[] = {"the ", "quick ", "brown ", "fox ", "jumps ",
                                "over ", "lazy ", "dog ", "and ", "runs ",
                                "away ", "from ", "a ", "small ", "cat ",
                                "\n"};
  uint32_t i = 0;
  while (i < IN_SIZE) {
    uint32_t r = bench_lcg(&seed);
    if ((r >> 28) == 0) { /* now and then a random byte */
      input[i++] = (uint8_t)(r >> 8);
      continue;
    }
    for (const char *w = vocab[(r >> 12) & 15]; *w && i < IN_SIZE; w++)
      input[i++] = (uint8_t)*w;
  }
}

/* n round trips; the sum of the packed sizes, or -1 on a mismatch. */
int64_t run(int n) {
  int64_t total = 0;
  for (int round = 0; round < n; round++) {
    make_input(99u + (uint32_t)round);
    uint32_t size = compress(input, IN_SIZE, packed);
    if (decompress(packed, size, unpacked) != IN_SIZE) return -1;
    for (uint32_t i = 0; i < IN_SIZE; i += 61)
      if (unpacked[i] != input[i]) return -1;
    total += size;
  }
  return total;
}
