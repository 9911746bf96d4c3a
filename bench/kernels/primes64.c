/* 64-bit integer arithmetic: a deterministic Miller-Rabin test (bases 2,
 * 7, 61 decide every 32-bit number) counting the primes of a range, with
 * products of two 32-bit residues in 64 bits and 64-bit remainders; plus
 * a 64-bit xorshift and multiply mix. */
#include "../bench.h"

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m) {
  return a * b % m;
}

static uint64_t powmod(uint64_t b, uint64_t e, uint64_t m) {
  uint64_t r = 1;
  b %= m;
  while (e) {
    if (e & 1) r = mulmod(r, b, m);
    b = mulmod(b, b, m);
    e >>= 1;
  }
  return r;
}

static int witness(uint64_t a, uint64_t d, int s, uint64_t n) {
  uint64_t x = powmod(a, d, n);
  if (x == 1 || x == n - 1) return 0;
  for (int i = 1; i < s; i++) {
    x = mulmod(x, x, n);
    if (x == n - 1) return 0;
  }
  return 1;
}

static int is_prime(uint32_t n) {
  if (n < 2) return 0;
  if (n % 2 == 0) return n == 2;
  uint64_t d = n - 1;
  int s = 0;
  while ((d & 1) == 0) d >>= 1, s++;
  static const uint32_t bases[] = {2, 7, 61};
  for (int i = 0; i < 3; i++) {
    if (bases[i] % n == 0) continue;
    if (witness(bases[i], d, s, n)) return 0;
  }
  return 1;
}

/* The primes among n * 20,000 odd numbers above 2^31, and a mix of them. */
int64_t run(int n) {
  uint64_t count = 0, mix = 0x9E3779B97F4A7C15ull;
  uint32_t start = 0x80000001u;
  for (int64_t i = 0; i < (int64_t)n * 20000; i++) {
    uint32_t c = start + (uint32_t)i * 2;
    if (is_prime(c)) {
      count++;
      mix ^= c;
      mix ^= mix << 13;
      mix ^= mix >> 7;
      mix ^= mix << 17;
      mix *= 0xff51afd7ed558ccdull;
    }
  }
  return (int64_t)(count ^ (mix >> 20));
}
