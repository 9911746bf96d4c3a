/* Table-driven CRC-32 (IEEE, reflected) over a buffer: byte loads, a
 * table lookup, shifts and xors per byte. */
#include "../bench.h"

#define BUF_SIZE (1 << 16)
static uint32_t table[256];
static uint8_t buffer[BUF_SIZE];

static void make_table(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++)
      c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
}

static uint32_t crc32(uint32_t crc, const uint8_t *p, uint32_t len) {
  crc = ~crc;
  for (uint32_t i = 0; i < len; i++)
    crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

/* n passes over a 64 KiB buffer, chaining the CRC. */
int64_t run(int n) {
  make_table();
  uint32_t s = 12345;
  for (uint32_t i = 0; i < BUF_SIZE; i++)
    buffer[i] = (uint8_t)(bench_lcg(&s) >> 24);
  uint32_t crc = 0;
  for (int pass = 0; pass < n; pass++)
    crc = crc32(crc, buffer, BUF_SIZE);
  return crc;
}
