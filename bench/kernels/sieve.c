/* Sieve of Eratosthenes over a byte array: tight loops of byte loads and
 * stores with a variable stride. */
#include "../bench.h"

#define SIEVE_SIZE (1 << 22)
static uint8_t composite[SIEVE_SIZE];

static int64_t count_primes(uint32_t limit) {
  for (uint32_t i = 0; i < limit; i++)
    composite[i] = 0;
  int64_t count = 0;
  for (uint32_t i = 2; i < limit; i++) {
    if (composite[i])
      continue;
    count++;
    for (uint32_t j = i * 2; j < limit; j += i)
      composite[j] = 1;
  }
  return count;
}

/* n passes; each pass sieves a slightly different limit so no pass can be
 * folded into another. */
int64_t run(int n) {
  int64_t total = 0;
  for (int pass = 0; pass < n; pass++)
    total += count_primes(SIEVE_SIZE - (uint32_t)(pass % 64));
  return total;
}
