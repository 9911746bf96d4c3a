/* Dense double-precision matrix multiply (i-k-j order): f64 loads,
 * multiply-add chains and address arithmetic in a 3-deep loop nest. */
#include "../bench.h"

#define DIM 128
static double a[DIM][DIM], b[DIM][DIM], c[DIM][DIM];

static void fill(uint32_t seed) {
  uint32_t s = seed;
  for (int i = 0; i < DIM; i++)
    for (int j = 0; j < DIM; j++) {
      a[i][j] = (double)(bench_lcg(&s) >> 16) / 65536.0 - 0.5;
      b[i][j] = (double)(bench_lcg(&s) >> 16) / 65536.0 - 0.5;
    }
}

static void multiply(void) {
  for (int i = 0; i < DIM; i++) {
    for (int j = 0; j < DIM; j++)
      c[i][j] = 0.0;
    for (int k = 0; k < DIM; k++) {
      double aik = a[i][k];
      for (int j = 0; j < DIM; j++)
        c[i][j] += aik * b[k][j];
    }
  }
}

/* n multiplies, each on fresh inputs; returns the sum of the traces. */
double run(int n) {
  double sum = 0.0;
  for (int rep = 0; rep < n; rep++) {
    fill((uint32_t)rep + 1);
    multiply();
    for (int i = 0; i < DIM; i++)
      sum += c[i][i];
  }
  return sum;
}
