/* Native driver: compiled with one kernel (-DKERNEL_SRC="kernels/K.c"),
 * runs run(N) once, prints the result on stdout like `wrun` does and the
 * time of the call on stderr ("run_ms <ms>"). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include KERNEL_SRC

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void print_int(int64_t v) { printf("%" PRId64 "\n", v); }
static void print_double(double v) { printf("%.17g\n", v); }

#define PRINT_RESULT(v) \
  _Generic((v), double: print_double, default: print_int)(v)

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s N\n", argv[0]);
    return 1;
  }
  int n = atoi(argv[1]);
  double start = now_ms();
  __typeof__(run(0)) result = run(n);
  double elapsed = now_ms() - start;
  PRINT_RESULT(result);
  fprintf(stderr, "run_ms %.3f\n", elapsed);
  return 0;
}
