/* Mandelbrot set on an n x n grid in single precision: f32 multiply/add
 * chains, compares and a data-dependent inner loop. */
#include "../bench.h"

#define MAX_ITER 100

/* Returns the total number of iterations over the grid. */
int64_t run(int n) {
  int64_t total = 0;
  float scale = 3.0f / (float)n;
  for (int py = 0; py < n; py++) {
    float ci = (float)py * scale - 1.5f;
    for (int px = 0; px < n; px++) {
      float cr = (float)px * scale - 2.0f;
      float zr = 0.0f, zi = 0.0f;
      int iter = 0;
      while (iter < MAX_ITER) {
        float zr2 = zr * zr, zi2 = zi * zi;
        if (zr2 + zi2 > 4.0f)
          break;
        zi = 2.0f * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        iter++;
      }
      total += iter;
    }
  }
  return total;
}
