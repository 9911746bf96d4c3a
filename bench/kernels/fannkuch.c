/* fannkuch-redux (the benchmarks game): every permutation of n elements
 * in the order of the counting algorithm, flipping prefixes until the
 * first element is 1; small arrays, byte-sized compares and swaps. */
#include "../bench.h"

#define MAX_N 16

/* The checksum and the most flips, as the benchmarks game prints them,
 * packed: checksum * 1000 + max flips. */
int64_t run(int n) {
  if (n < 3 || n > MAX_N) return -1;
  int perm[MAX_N], perm1[MAX_N], count[MAX_N];
  int max_flips = 0, checksum = 0, sign = 1;
  for (int i = 0; i < n; i++) perm1[i] = i;
  int r = n;
  for (;;) {
    for (; r != 1; r--) count[r - 1] = r;
    for (int i = 0; i < n; i++) perm[i] = perm1[i];
    int flips = 0;
    for (int k = perm[0]; k != 0; k = perm[0]) {
      for (int i = 0, j = k; i < j; i++, j--) {
        int t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
      }
      flips++;
    }
    if (flips > max_flips) max_flips = flips;
    checksum += sign * flips;
    sign = -sign;
    /* the next permutation: rotate the first r + 1 elements */
    for (;;) {
      if (r == n) return (int64_t)checksum * 1000 + max_flips;
      int p0 = perm1[0];
      for (int i = 0; i < r; i++) perm1[i] = perm1[i + 1];
      perm1[r] = p0;
      if (--count[r] > 0) break;
      r++;
    }
  }
}
