/* random: random_get fills buffers (not all zero, different each call, every
 * byte value turns up in a large buffer), a zero-length request works, and
 * libc's getentropy/arc4random sit on top of it. */
#include <stdint.h>
#include <unistd.h>

#include "check.h"

static int all_zero(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (p[i])
      return 0;
  return 1;
}

int main(void) {
  uint8_t a[32], b[32];
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  CHECK_WASI(__wasi_random_get(a, sizeof a), 0);
  CHECK_WASI(__wasi_random_get(b, sizeof b), 0);
  CHECK(!all_zero(a, sizeof a), "32 random bytes all zero");
  CHECK(memcmp(a, b, sizeof a) != 0, "two calls gave the same bytes");

  /* Only the asked-for bytes are written. */
  uint8_t guarded[40];
  memset(guarded, 0xA5, sizeof guarded);
  CHECK_WASI(__wasi_random_get(guarded + 4, 32), 0);
  for (int i = 0; i < 4; i++)
    CHECK(guarded[i] == 0xA5 && guarded[36 + i] == 0xA5,
          "random_get wrote outside its buffer");

  static uint8_t big[65536];
  CHECK_WASI(__wasi_random_get(big, sizeof big), 0);
  int seen[256] = {0};
  for (size_t i = 0; i < sizeof big; i++)
    seen[big[i]]++;
  for (int v = 0; v < 256; v++)
    CHECK(seen[v] > 0, "byte value %d never appeared in 64 KiB", v);
  /* About 256 of each; 100..450 is many standard deviations wide. */
  for (int v = 0; v < 256; v++)
    CHECK(seen[v] > 100 && seen[v] < 450, "byte %d appeared %d times", v,
          seen[v]);

  CHECK_WASI(__wasi_random_get(a, 0), 0);

  uint8_t c[16] = {0};
  CHECK_OK(getentropy(c, sizeof c));
  CHECK(!all_zero(c, sizeof c), "getentropy gave zeros");
  uint32_t x = arc4random(), y = arc4random(), z = arc4random();
  CHECK(!(x == y && y == z), "arc4random repeats %u", x);
  puts("random ok");
  return 0;
}
